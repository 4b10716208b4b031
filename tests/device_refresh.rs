//! The `[device]` section against the real binary and net-snmp: the DQI-MIB and its mirrors
//! render with the MIBs loaded, a SIGHUP refresh updates a component in place and a broken SBOM
//! leaves the old data served (and says so in dqiSwRefreshStatus), indexes survive a restart, a
//! broken file at start-up is exit status 2, and without `[device]` only the standard objects are
//! served and SIGHUP is harmless.
#![cfg(feature = "server")]

mod common;

use std::path::Path;
use std::time::Duration;

use common::*;

/// The component every SBOM of these tests keeps unchanged.
const JACKSON: (&str, &str, char) = ("jackson-core", "2.12.3", 'a');

/// Writes a [`maven_sbom`] of `components` to `path`.
fn write_sbom(path: &Path, components: &[(&str, &str, char)]) {
    write_file(path, &maven_sbom(components), 0o600);
}

#[test]
fn dqi_names_and_the_mirrors_render_with_the_mibs_loaded() {
    let dir = TestDir::new("names");
    let Some(device) = Device::start(&dir, example_device(&dir)) else {
        return;
    };

    let dqi = device.named("snmpwalk", &[], &["DQI-MIB::dqiMIB"]);
    for line in [
        "DQI-MIB::dqiIdManufacturer.0 = STRING: Acme Medical Systems, Inc.",
        "DQI-MIB::dqiIdSerialNumber.0 = STRING: IS3K-24-004217",
        "DQI-MIB::dqiSwRefreshStatus.0 = INTEGER: ok(1)",
    ] {
        assert!(dqi.lines().any(|l| l.trim() == line), "{line}\n{dqi}");
    }
    assert!(
        dqi.lines()
            .any(|l| l.starts_with("DQI-MIB::dqiSwName.") && l.ends_with("STRING: log4j-core")),
        "{dqi}"
    );
    // Every object is named (none printed as a bare number under the DQI root) and typed as
    // the MIB says (net-snmp prints "Wrong Type" otherwise).
    assert!(!dqi.contains("Wrong Type"), "{dqi}");
    assert!(!dqi.contains("SNMPv2-SMI::"), "unnamed objects:\n{dqi}");

    let table = device.named("snmptable", &["-Cf", "|"], &["DQI-MIB::dqiSwTable"]);
    assert!(table.contains("SNMP table: DQI-MIB::dqiSwTable"), "{table}");
    let header = table
        .lines()
        .find(|l| l.contains("dqiSwName"))
        .unwrap_or_else(|| panic!("no header:\n{table}"));
    assert!(
        header.contains("dqiSwVersion") && header.contains("dqiSwPurl"),
        "{header}"
    );
    assert!(
        table
            .lines()
            .any(|l| l.starts_with("log4j-core|2.14.1|") && l.contains(LOG4J_PURL)),
        "{table}"
    );

    let hr = device.named("snmpwalk", &[], &["HOST-RESOURCES-MIB::hrSWInstalledName"]);
    assert!(
        hr.lines()
            .any(|l| l.starts_with("HOST-RESOURCES-MIB::hrSWInstalledName.")
                && l.ends_with("STRING: \"log4j-core 2.14.1\"")),
        "{hr}"
    );
    let rows = hr.lines().count();
    assert_eq!(
        device.value(SW_COUNT),
        rows.to_string(),
        "one hrSWInstalled row per software row"
    );

    let entity = device.named("snmpwalk", &[], &["ENTITY-MIB::entPhysicalTable"]);
    for (column, value) in [
        ("entPhysicalSerialNum", "IS3K-24-004217"),
        ("entPhysicalMfgName", "Acme Medical Systems, Inc."),
        ("entPhysicalModelName", "IS-3000"),
    ] {
        assert!(
            entity
                .lines()
                .any(|l| l.starts_with(&format!("ENTITY-MIB::{column}."))
                    && l.ends_with(&format!("STRING: {value}"))),
            "{column} = {value}\n{entity}"
        );
    }

    let descr = device.value(SYS_DESCR);
    assert!(
        descr.contains("IS-3000"),
        "sysDescr from the identity: {descr}"
    );
}

#[test]
fn sighup_updates_in_place_and_a_broken_sbom_keeps_the_last_good_data() {
    let dir = TestDir::new("sighup");
    // refresh_seconds = 0: only SIGHUP refreshes, so the test controls every read.
    let (sbom_path, section) = sbom_device(
        &dir,
        &maven_sbom(&[JACKSON, ("log4j-core", "2.14.1", 'b')]),
        0,
    );
    let Some(device) = Device::start(&dir, &section) else {
        return;
    };
    let index = device.index_of(LOG4J_PURL);
    let version = format!("{SW_VERSION}.{index}");
    let digest_before = device.value(SW_DIGEST);
    assert_eq!(device.number(SW_LAST_CHANGE), 0, "unchanged since start");
    assert_eq!(device.value(SW_REFRESH_STATUS), "1");

    // The update: log4j-core 2.14.1 -> 2.17.1, a new artifact hash.
    write_sbom(&sbom_path, &[JACKSON, ("log4j-core", "2.17.1", 'c')]);
    device.agent.hangup();
    device.poll_until(&version, "2.17.1");
    assert_eq!(
        device.index_of("pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"),
        index,
        "same dqiSwIndex after the update"
    );
    assert_eq!(
        device.value(&format!("{SW_HASH_VALUE}.{index}")),
        "c".repeat(64)
    );
    let digest_after = device.value(SW_DIGEST);
    assert_ne!(digest_after, digest_before, "dqiSwDigest moved");
    let last_change = device.number(SW_LAST_CHANGE);
    assert!(last_change > 0, "dqiSwLastChange moved");
    assert_eq!(device.value(SW_COUNT), "2");

    // A refresh that finds the same content moves nothing, but the operator's SIGHUP is
    // still logged: one line for each of the two SIGHUPs so far.
    device.agent.hangup();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(device.value(SW_DIGEST), digest_after);
    assert_eq!(device.number(SW_LAST_CHANGE), last_change);
    assert_eq!(
        device
            .agent
            .stderr()
            .matches("SIGHUP: re-reading the [device] files")
            .count(),
        2,
        "{}",
        device.agent.stderr()
    );

    // A broken SBOM: a component without a name.
    write_file(
        &sbom_path,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","version":"1"}]}"#,
        0o600,
    );
    device.agent.hangup();
    device.poll_until(SW_REFRESH_STATUS, "2");
    assert_eq!(device.value(&version), "2.17.1", "old data still served");
    assert_eq!(device.value(SW_DIGEST), digest_after);
    assert_eq!(device.number(SW_LAST_CHANGE), last_change);
    // Named, for the operator: failedServingPrevious(2).
    let named = device.named("snmpget", &[], &["DQI-MIB::dqiSwRefreshStatus.0"]);
    assert!(named.contains("failedServingPrevious(2)"), "{named}");

    // The log names the file and the JSON path, once for a repeated failure.
    device.agent.hangup();
    std::thread::sleep(Duration::from_millis(300));
    let log = device.agent.stderr();
    let failures: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("device data refresh failed"))
        .collect();
    assert_eq!(failures.len(), 1, "logged once:\n{log}");
    assert!(
        failures[0].contains(&sbom_path.display().to_string())
            && failures[0].contains("components[0]"),
        "{}",
        failures[0]
    );

    // Fixed again: served, status back to ok(1).
    write_sbom(&sbom_path, &[JACKSON, ("log4j-core", "2.17.2", 'd')]);
    device.agent.hangup();
    device.poll_until(&version, "2.17.2");
    assert_eq!(device.value(SW_REFRESH_STATUS), "1");
}

#[test]
fn software_indexes_survive_a_restart() {
    let dir = TestDir::new("restart");
    let sbom_path = dir.join("sbom.cdx.json");
    let section = "[device]\nsbom = [\"sbom.cdx.json\"]\n";
    write_sbom(&sbom_path, &[JACKSON, ("log4j-core", "2.14.1", 'b')]);
    let Some(mut first) = Device::start(&dir, section) else {
        return;
    };
    let log4j = first.index_of(LOG4J_PURL);
    let jackson = first.index_of("pkg:maven/com.example/jackson-core@2.12.3");
    first.agent.kill();

    // A new component listed first, jackson removed, log4j updated.
    write_sbom(
        &sbom_path,
        &[
            ("netty-handler", "4.1.100", 'e'),
            ("log4j-core", "2.17.1", 'c'),
        ],
    );
    let second = Device::start(&dir, section).expect("started once already");
    assert_eq!(
        second.index_of("pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"),
        log4j
    );
    let netty = second.index_of("pkg:maven/com.example/netty-handler@4.1.100");
    assert!(
        netty > log4j.max(jackson),
        "a new component never takes a used index: {netty}"
    );
}

#[test]
fn a_broken_device_file_at_start_up_is_exit_status_2_naming_the_place() {
    let dir = TestDir::new("broken-start");
    let refused = |section: &str, words: &[&str]| {
        let out = Agent::run_to_exit(&dir, &device_config(section));
        assert_eq!(out.code(), Some(2), "{}", out.describe());
        for word in words {
            assert!(out.stderr.contains(word), "{word}\n{}", out.describe());
        }
    };
    let bad_sbom =
        maven_sbom(&[("log4j-core", "2.14.1", 'b')]).replace("\"SHA-256\"", "\"SHA-999\"");
    write_file(&dir.join("bad.cdx.json"), &bad_sbom, 0o600);
    refused(
        "[device]\nsbom = [\"bad.cdx.json\"]\n",
        &["bad.cdx.json", "components[0].hashes[0].alg"],
    );

    let description = std::fs::read_to_string(example("device.toml"))
        .expect("example")
        .replace("[health]", "[health]\ncolour = \"green\"");
    write_file(&dir.join("device.toml"), &description, 0o600);
    refused(
        "[device]\ndescription = \"device.toml\"\n",
        &["device.toml", "colour"],
    );

    refused(
        "[device]\nsbom = [\"missing.cdx.json\"]\n",
        &["missing.cdx.json"],
    );
}

#[test]
fn without_a_device_section_only_standard_objects_and_sighup_is_harmless() {
    let dir = TestDir::new("no-device");
    let Some(device) = Device::start(&dir, "") else {
        return;
    };
    // No device data: nothing under dqiIdentity, dqiHealth, dqiConfig or dqiSoftware. The
    // agent's own objects (dqiAgent: its request budget) are served all the same.
    let rows = device.walk(DQI_ROOT);
    assert!(
        rows.iter()
            .all(|b| !oid_under(&b.oid, DQI_ROOT) || oid_under(&b.oid, DQI_AGENT)),
        "{rows:?}"
    );
    device.agent.hangup();
    // Still serving after the signal, and it said why nothing happened.
    for _ in 0..50 {
        if device.agent.stderr().contains("nothing to reload") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(device.value(SYS_DESCR), device.agent.config.description);
    assert!(
        device.agent.stderr().contains("nothing to reload"),
        "{}",
        device.agent.stderr()
    );
}

/// `dqiBudgetGlobalRate.0` (dqiAgent 3).
const BUDGET_GLOBAL_RATE: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.5.3.0";
/// `dqiBudgetTable` (dqiAgent 28).
const BUDGET_TABLE: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.5.28";

#[test]
fn the_budget_objects_survive_sighup_and_interval_refreshes() {
    let dir = TestDir::new("budget-refresh");
    // A one-second interval, so the interval refresh is seen within the test.
    let (sbom_path, section) = sbom_device(
        &dir,
        &maven_sbom(&[JACKSON, ("log4j-core", "2.14.1", 'b')]),
        1,
    );
    let Some(device) = Device::start(&dir, &section) else {
        return;
    };
    let rate = device.value(BUDGET_GLOBAL_RATE);
    let table_oids = |device: &Device| -> Vec<String> {
        device
            .walk(BUDGET_TABLE)
            .into_iter()
            .map(|b| b.oid)
            .collect()
    };
    let table = table_oids(&device);
    assert!(
        table.iter().all(|oid| oid.starts_with(BUDGET_TABLE)) && !table.is_empty(),
        "one row for the user: {table:?}"
    );
    let version = format!("{SW_VERSION}.{}", device.index_of(LOG4J_PURL));

    // SIGHUP: the refresh is seen when the new version is served.
    write_sbom(&sbom_path, &[JACKSON, ("log4j-core", "2.17.1", 'c')]);
    device.agent.hangup();
    device.poll_until(&version, "2.17.1");
    assert_eq!(device.value(BUDGET_GLOBAL_RATE), rate, "after SIGHUP");
    assert_eq!(table_oids(&device), table, "dqiBudgetTable after SIGHUP");

    // The interval alone: no signal.
    write_sbom(&sbom_path, &[JACKSON, ("log4j-core", "2.17.2", 'd')]);
    device.poll_until(&version, "2.17.2");
    assert_eq!(device.value(BUDGET_GLOBAL_RATE), rate, "after the interval");
    assert_eq!(
        table_oids(&device),
        table,
        "dqiBudgetTable after the interval"
    );
}
