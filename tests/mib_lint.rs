//! The DQI-MIB module is clean SMIv2 and loads in net-snmp (issue 3: "clean under
//! `smilint -l 6 -s`", "net-snmp's `snmptranslate -Tp` loads it").

mod common;

use std::process::Command;
use std::time::Duration;

use common::{TestDir, repo_mib_dir, require_programs, run_as_fresh_debian, run_with_deadline};

#[test]
fn smilint_level_6_prints_nothing() {
    if !require_programs(&["smilint"], "smitools") {
        return;
    }
    // The repository's directory alone: it carries every module DQI-MIB imports.
    let smipath = repo_mib_dir();
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
    let dirs = repo_mib_dir().display().to_string();
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

/// The module names a MIB file imports from (its `IMPORTS ... ;` clause, comments removed).
fn imports(text: &str) -> Vec<String> {
    let code: String = text
        .lines()
        .map(|l| l.split("--").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n");
    let Some(start) = code.find("IMPORTS") else {
        return Vec::new();
    };
    let clause = &code[start..start + code[start..].find(';').unwrap_or(0)];
    let words: Vec<&str> = clause.split_whitespace().collect();
    words
        .windows(2)
        .filter(|w| w[0] == "FROM")
        .map(|w| w[1].to_string())
        .collect()
}

#[test]
fn mibs_directory_is_self_contained() {
    let dir = repo_mib_dir();
    let mut checked = 0;
    for entry in std::fs::read_dir(&dir).expect("read mibs/") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_none_or(|e| e != "txt") {
            continue;
        }
        let text = std::fs::read_to_string(&path).expect("read MIB");
        let module = path.file_stem().and_then(|s| s.to_str()).expect("name");
        assert!(
            text.contains(&format!("{module} DEFINITIONS ::= BEGIN")),
            "{}: the file name must be the module name (net-snmp finds imports by it)",
            path.display()
        );
        for import in imports(&text) {
            assert!(
                dir.join(format!("{import}.txt")).is_file(),
                "{} imports {import}, which mibs/ does not carry",
                path.display()
            );
        }
        checked += 1;
    }
    assert!(checked >= 18, "only {checked} modules in mibs/");
}

#[test]
fn every_module_loads_from_mibs_alone_on_a_fresh_debian() {
    if !require_programs(&["snmptranslate"], "snmp") {
        return;
    }
    let home = TestDir::new("mibs-alone");
    let out = run_as_fresh_debian(
        &repo_mib_dir(),
        &home,
        "snmptranslate -M . -m ALL -On DQI-MIB::dqiSwPurl SNMPv2-MIB::sysDescr.0 \
         ENTITY-MIB::entPhysicalDescr HOST-RESOURCES-MIB::hrSWInstalledName \
         SNMP-USER-BASED-SM-MIB::usmStatsUnknownEngineIDs.0 SNMP-FRAMEWORK-MIB::snmpEngineBoots.0",
    );
    assert!(out.success(), "{}", out.describe());
    assert!(out.stderr.trim().is_empty(), "{}", out.describe());
    let oids: Vec<&str> = out.stdout.split_whitespace().collect();
    assert_eq!(
        oids,
        [
            ".1.3.6.1.4.1.8072.9999.9999.374.1.4.12.1.6",
            ".1.3.6.1.2.1.1.1.0",
            ".1.3.6.1.2.1.47.1.1.1.1.2",
            ".1.3.6.1.2.1.25.6.3.1.2",
            ".1.3.6.1.6.3.15.1.1.4.0",
            ".1.3.6.1.6.3.10.2.1.2.0",
        ]
    );
}
