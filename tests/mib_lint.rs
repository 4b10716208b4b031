//! The DQI-MIB module is clean SMIv2 and loads in net-snmp (issue 3: "clean under
//! `smilint -l 6 -s`", "net-snmp's `snmptranslate -Tp` loads it").

mod common;

use std::process::Command;
use std::time::Duration;

use common::{ietf_mib_dir, repo_mib_dir, require_programs, run_with_deadline};

#[test]
fn smilint_level_6_prints_nothing() {
    if !require_programs(&["smilint"], "smitools") {
        return;
    }
    let smipath = format!("{}:{}", ietf_mib_dir().display(), repo_mib_dir().display());
    let out = run_with_deadline(
        Command::new("smilint")
            .args(["-l", "6", "-s"])
            .arg(repo_mib_dir().join("DQI-MIB.txt"))
            .env("SMIPATH", smipath),
        Duration::from_secs(60),
    );
    assert!(out.success(), "smilint failed: {}", out.describe());
    assert!(out.stdout.trim().is_empty(), "smilint: {}", out.stdout);
    assert!(out.stderr.trim().is_empty(), "smilint: {}", out.stderr);
}

#[test]
fn net_snmp_loads_the_module() {
    if !require_programs(&["snmptranslate"], "snmp") {
        return;
    }
    let dirs = format!("{}:{}", ietf_mib_dir().display(), repo_mib_dir().display());
    let tree = run_with_deadline(
        Command::new("snmptranslate")
            .args(["-M", &dirs, "-m", "DQI-MIB", "-Tp", "-IR", "dqiMIB"])
            .env("SNMPCONFPATH", "/nonexistent"),
        Duration::from_secs(60),
    );
    assert!(tree.success(), "snmptranslate -Tp: {}", tree.describe());
    assert!(
        tree.stderr.trim().is_empty(),
        "snmptranslate warnings: {}",
        tree.stderr
    );
    assert!(
        tree.stdout.contains("dqiSwPurl"),
        "tree lacks dqiSwPurl: {}",
        tree.stdout
    );

    let purl = run_with_deadline(
        Command::new("snmptranslate")
            .args(["-M", &dirs, "-m", "DQI-MIB", "-On", "DQI-MIB::dqiSwPurl"])
            .env("SNMPCONFPATH", "/nonexistent"),
        Duration::from_secs(60),
    );
    assert_eq!(
        purl.stdout.trim(),
        ".1.3.6.1.4.1.8072.9999.9999.374.1.4.12.1.6"
    );
}
