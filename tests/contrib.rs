//! The NMS integration kits in `contrib/` that a real tool can check here: the Prometheus alert
//! rules pass `promtool check rules`, and `promtool test rules` proves each alert fires on the
//! series it is about and not on the others (past end of support, VEX affected, refresh
//! failing). The Zabbix template and LibreNMS definition have no server here to load them.

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
