//! The NMS integration kits in `contrib/` that a real tool can check here: the Prometheus alert
//! rules pass `promtool check rules`, and `promtool test rules` proves each alert fires on the
//! series it is about and not on the others (past end of support, VEX affected, refresh
//! failing). The Zabbix template and LibreNMS definition have no server here to load them, so
//! what is checked is what a server would not tell: that every OID they poll is the DQI-MIB
//! object their text names, resolved by `snmptranslate` from this repository's `mibs/`.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;

fn rules_dir() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/contrib/prometheus"))
}

/// Runs `promtool` with `args` in `contrib/prometheus`; None (skipped) without promtool.
fn promtool(args: &[&str]) -> Option<ProcessOutput> {
    if !require_programs(&["promtool"], "prometheus") {
        return None;
    }
    let out = run_with_deadline(
        Command::new("promtool").args(args).current_dir(rules_dir()),
        Duration::from_secs(60),
    );
    assert!(out.success(), "{}", out.describe());
    Some(out)
}

#[test]
fn prometheus_alert_rules_pass_promtool_check() {
    if let Some(out) = promtool(&["check", "rules", "dqi-alerts.yml"]) {
        assert!(
            out.stdout.contains("SUCCESS: 3 rules found"),
            "{}",
            out.describe()
        );
    }
}

#[test]
fn prometheus_alerts_fire_on_their_series_only() {
    if let Some(out) = promtool(&["test", "rules", "dqi-alerts.test.yml"]) {
        assert!(out.stdout.contains("SUCCESS"), "{}", out.describe());
    }
}

/// The name `snmptranslate` gives a numeric OID with only this repository's MIBs loaded, such as
/// `DQI-MIB::dqiHealthStatus.0`; None (skipped) without net-snmp's tools.
fn translate(oid: &str) -> Option<String> {
    if !require_programs(&["snmptranslate"], "snmp") {
        return None;
    }
    let mibs = concat!(env!("CARGO_MANIFEST_DIR"), "/mibs");
    let out = run_with_deadline(
        Command::new("snmptranslate").args(["-M", mibs, "-m", "ALL", oid]),
        Duration::from_secs(30),
    );
    assert!(out.success(), "{}", out.describe());
    Some(out.stdout.trim().to_string())
}

fn contrib(path: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("contrib")
        .join(path);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The text after `key: ` on a line, without quotes.
fn value<'a>(line: &'a str, key: &str) -> Option<&'a str> {
    let rest = line.trim_start().strip_prefix(key)?.strip_prefix(':')?;
    Some(rest.trim().trim_matches('\''))
}

#[test]
fn zabbix_items_poll_the_objects_they_describe() {
    let text = contrib("zabbix/dqi-device.yaml");
    let mut checked = 0;
    let mut oid: Option<String> = None;
    for line in text.lines() {
        if let Some(v) = value(line, "snmp_oid") {
            if let Some(list) = v
                .strip_prefix("discovery[")
                .and_then(|v| v.strip_suffix(']'))
            {
                // discovery[{#MACRO},OID,...]: every OID a DQI-MIB column.
                for column in list.split(',').filter(|part| !part.starts_with('{')) {
                    let Some(name) = translate(column) else {
                        return;
                    };
                    assert!(name.starts_with("DQI-MIB::dqiSw"), "{column} is {name}");
                    checked += 1;
                }
            } else {
                oid = Some(v.replace(".{#SNMPINDEX}", ".1"));
            }
        }
        if let Some(v) = value(line, "description")
            && let Some(polled) = oid.take()
        {
            let named = v
                .split_whitespace()
                .find_map(|w| w.strip_prefix("DQI-MIB::"))
                .unwrap_or_else(|| panic!("the description of {polled} names no object: {v}"));
            let named = named.trim_end_matches(':').trim_end_matches('.');
            let Some(name) = translate(&polled) else {
                return;
            };
            let object = name.strip_prefix("DQI-MIB::").unwrap_or(&name);
            let object = object.split('.').next().unwrap_or_default();
            let named = named.split('.').next().unwrap_or_default();
            assert_eq!(object, named, "{polled} is {name}, described as {v}");
            checked += 1;
        }
    }
    assert!(oid.is_none(), "an item without a description: {oid:?}");
    assert!(checked >= 15, "only {checked} OIDs found in the template");
}

#[test]
fn librenms_sensors_read_the_objects_they_name() {
    let discovery = contrib("librenms/includes/definitions/discovery/dqi-device.yaml");
    let mut checked = 0;
    let mut named: Option<&str> = None;
    for line in discovery.lines() {
        if let Some(v) = value(line, "oid") {
            named = Some(v);
        }
        if let Some(v) = value(line, "num_oid") {
            let oid = v.replace("{{ $index }}", "0");
            let name = named.take().expect("num_oid after its oid");
            let Some(got) = translate(&oid) else { return };
            assert_eq!(got, format!("DQI-MIB::{name}.0"), "{oid}");
            checked += 1;
        }
        for key in ["vendor", "hardware", "serial", "version"] {
            if let Some(v) = value(line, key) {
                let Some(got) = translate(v) else { return };
                assert_eq!(got, v, "{key}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 9, "only {checked} objects found");
    let os = contrib("librenms/includes/definitions/dqi-device.yaml");
    let prefix = os
        .lines()
        .find_map(|l| l.trim().strip_prefix("- .1.3.6.1.4.1."))
        .expect("a sysObjectID prefix");
    let Some(got) = translate(&format!(".1.3.6.1.4.1.{}", prefix.trim_end_matches('.'))) else {
        return;
    };
    assert_eq!(got, "DQI-MIB::dqiProducts");
}
