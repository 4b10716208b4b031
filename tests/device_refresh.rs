//! The `[device]` section against the real binary and net-snmp: the DQI-MIB and its mirrors
//! render with the MIBs loaded, a SIGHUP refresh updates a component in place and a broken SBOM
//! leaves the old data served (and says so in dqiSwRefreshStatus), indexes survive a restart, a
//! broken file at start-up is exit status 2, and without `[device]` only the standard objects are
//! served and SIGHUP is harmless.
#![cfg(feature = "server")]

mod common_device;

use std::time::Duration;

use common_device::*;

/// The example device, its files copied into `dir`, named by relative paths.
fn example_device(dir: &TestDir) -> &'static str {
    for file in ["device.toml", "sbom.cdx.json", "firmware.spdx.json"] {
        let text = std::fs::read_to_string(example(file)).expect("example file");
        write_file(&dir.join(file), &text, 0o600);
    }
    "[device]\ndescription = \"device.toml\"\nsbom = [\"sbom.cdx.json\", \"firmware.spdx.json\"]\n"
}

/// A CycloneDX 1.5 SBOM of `(name, version, sha256 fill digit)` Maven components under
/// `com.example`, except `log4j-core`, which gets its real group.
fn sbom(components: &[(&str, &str, char)]) -> String {
    let items: Vec<String> = components
        .iter()
        .map(|(name, version, fill)| {
            let group = if *name == "log4j-core" {
                "org.apache.logging.log4j"
            } else {
                "com.example"
            };
            let purl = format!("pkg:maven/{group}/{name}@{version}");
            let hash: String = std::iter::repeat_n(*fill, 64).collect();
            format!(
                r#"{{"type":"library","group":"{group}","name":"{name}","version":"{version}","supplier":{{"name":"Apache Software Foundation"}},"purl":"{purl}","hashes":[{{"alg":"SHA-256","content":"{hash}"}}]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{}]}}"#,
        items.join(",")
    )
}

fn index_of(agent: &Agent, purl: &str) -> u32 {
    let rows = agent.walk(SW_PURL);
    rows.iter()
        .find(|(_, v)| unquote(v) == purl)
        .map(|(oid, _)| row_index(oid))
        .unwrap_or_else(|| panic!("{purl} not in {rows:?}"))
}

/// Polls (at most 100 times, 100 ms apart) until `oid` reads `want`.
fn poll_until(agent: &Agent, oid: &str, want: &str) {
    let mut seen = String::new();
    for _ in 0..100 {
        seen = agent.get(oid);
        if unquote(&seen) == want {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!(
        "{oid} still {seen}, never {want}\n--- agent log ---\n{}",
        agent.log()
    );
}

#[test]
fn dqi_names_and_the_mirrors_render_with_the_mibs_loaded() {
    if !prerequisites("dqi-names", &["snmpwalk", "snmptable", "snmpget"]) {
        return;
    }
    let dir = TestDir::new("names");
    let agent = Agent::start(&dir, example_device(&dir));

    let dqi = agent.snmp("snmpwalk", &[], &["DQI-MIB::dqiMIB"]);
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

    let table = agent.snmp("snmptable", &["-Cf", "|"], &["DQI-MIB::dqiSwTable"]);
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

    let hr = agent.snmp("snmpwalk", &[], &["HOST-RESOURCES-MIB::hrSWInstalledName"]);
    assert!(
        hr.lines()
            .any(|l| l.starts_with("HOST-RESOURCES-MIB::hrSWInstalledName.")
                && l.ends_with("STRING: \"log4j-core 2.14.1\"")),
        "{hr}"
    );
    let rows = hr.lines().count();
    assert_eq!(
        agent.get(SW_COUNT),
        rows.to_string(),
        "one hrSWInstalled row per software row"
    );

    let entity = agent.snmp("snmpwalk", &[], &["ENTITY-MIB::entPhysicalTable"]);
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

    let descr = agent.get(".1.3.6.1.2.1.1.1.0");
    assert!(
        descr.contains("IS-3000"),
        "sysDescr from the identity: {descr}"
    );
}

#[test]
fn sighup_updates_in_place_and_a_broken_sbom_keeps_the_last_good_data() {
    if !prerequisites("sighup-refresh", &["snmpwalk", "snmpget"]) {
        return;
    }
    let dir = TestDir::new("sighup");
    let sbom_path = dir.join("sbom.cdx.json");
    write_file(
        &sbom_path,
        &sbom(&[
            ("jackson-core", "2.12.3", 'a'),
            ("log4j-core", "2.14.1", 'b'),
        ]),
        0o600,
    );
    // refresh_seconds = 0: only SIGHUP refreshes, so the test controls every read.
    let agent = Agent::start(
        &dir,
        "[device]\nsbom = [\"sbom.cdx.json\"]\nrefresh_seconds = 0\n",
    );
    let index = index_of(&agent, LOG4J_PURL);
    let version = format!("{SW_VERSION}.{index}");
    let digest_before = agent.get(SW_DIGEST);
    assert_eq!(agent.get(SW_LAST_CHANGE), "0", "unchanged since start");
    assert_eq!(agent.get(SW_REFRESH_STATUS), "1");

    // The update: log4j-core 2.14.1 -> 2.17.1, a new artifact hash.
    write_file(
        &sbom_path,
        &sbom(&[
            ("jackson-core", "2.12.3", 'a'),
            ("log4j-core", "2.17.1", 'c'),
        ]),
        0o600,
    );
    agent.hangup();
    poll_until(&agent, &version, "2.17.1");
    assert_eq!(
        index_of(
            &agent,
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"
        ),
        index,
        "same dqiSwIndex after the update"
    );
    assert_eq!(
        unquote(&agent.get(&format!("{SW_HASH_VALUE}.{index}"))),
        "c".repeat(64)
    );
    let digest_after = agent.get(SW_DIGEST);
    assert_ne!(digest_after, digest_before, "dqiSwDigest moved");
    let last_change: u32 = agent.get(SW_LAST_CHANGE).parse().expect("TimeTicks");
    assert!(last_change > 0, "dqiSwLastChange moved");
    assert_eq!(agent.get(SW_COUNT), "2");

    // A refresh that finds the same content moves nothing.
    agent.hangup();
    std::thread::sleep(Duration::from_millis(300));
    assert_eq!(agent.get(SW_DIGEST), digest_after);
    assert_eq!(agent.get(SW_LAST_CHANGE), last_change.to_string());

    // A broken SBOM: a component without a name.
    write_file(
        &sbom_path,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"type":"library","version":"1"}]}"#,
        0o600,
    );
    agent.hangup();
    poll_until(&agent, SW_REFRESH_STATUS, "2");
    assert_eq!(
        unquote(&agent.get(&version)),
        "2.17.1",
        "old data still served"
    );
    assert_eq!(agent.get(SW_DIGEST), digest_after);
    assert_eq!(agent.get(SW_LAST_CHANGE), last_change.to_string());
    // Named, for the operator: failedServingPrevious(2).
    let named = agent.snmp("snmpget", &[], &["DQI-MIB::dqiSwRefreshStatus.0"]);
    assert!(named.contains("failedServingPrevious(2)"), "{named}");

    // The log names the file and the JSON path, once for a repeated failure.
    agent.hangup();
    std::thread::sleep(Duration::from_millis(300));
    let log = agent.log();
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
    write_file(
        &sbom_path,
        &sbom(&[
            ("jackson-core", "2.12.3", 'a'),
            ("log4j-core", "2.17.2", 'd'),
        ]),
        0o600,
    );
    agent.hangup();
    poll_until(&agent, &version, "2.17.2");
    assert_eq!(agent.get(SW_REFRESH_STATUS), "1");
}

#[test]
fn software_indexes_survive_a_restart() {
    if !prerequisites("index-restart", &["snmpwalk"]) {
        return;
    }
    let dir = TestDir::new("restart");
    let sbom_path = dir.join("sbom.cdx.json");
    let device = "[device]\nsbom = [\"sbom.cdx.json\"]\n";
    write_file(
        &sbom_path,
        &sbom(&[
            ("jackson-core", "2.12.3", 'a'),
            ("log4j-core", "2.14.1", 'b'),
        ]),
        0o600,
    );
    let mut first = Agent::start(&dir, device);
    let log4j = index_of(&first, LOG4J_PURL);
    let jackson = index_of(&first, "pkg:maven/com.example/jackson-core@2.12.3");
    first.kill();

    // A new component listed first, jackson removed, log4j updated.
    write_file(
        &sbom_path,
        &sbom(&[
            ("netty-handler", "4.1.100", 'e'),
            ("log4j-core", "2.17.1", 'c'),
        ]),
        0o600,
    );
    let second = Agent::start(&dir, device);
    assert_eq!(
        index_of(
            &second,
            "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"
        ),
        log4j
    );
    let netty = index_of(&second, "pkg:maven/com.example/netty-handler@4.1.100");
    assert!(
        netty > log4j.max(jackson),
        "a new component never takes a used index: {netty}"
    );
}

#[test]
fn a_broken_device_file_at_start_up_is_exit_status_2_naming_the_place() {
    let dir = TestDir::new("broken-start");
    let mut bad_sbom = sbom(&[("log4j-core", "2.14.1", 'b')]);
    bad_sbom = bad_sbom.replace("\"SHA-256\"", "\"SHA-999\"");
    write_file(&dir.join("bad.cdx.json"), &bad_sbom, 0o600);
    let (status, log) = Agent::start_expecting_exit(&dir, "[device]\nsbom = [\"bad.cdx.json\"]\n");
    assert_eq!(status.code(), Some(2), "{log}");
    assert!(
        log.contains("bad.cdx.json") && log.contains("components[0].hashes[0].alg"),
        "{log}"
    );

    let description = std::fs::read_to_string(example("device.toml"))
        .expect("example")
        .replace("[health]", "[health]\ncolour = \"green\"");
    write_file(&dir.join("device.toml"), &description, 0o600);
    let (status, log) =
        Agent::start_expecting_exit(&dir, "[device]\ndescription = \"device.toml\"\n");
    assert_eq!(status.code(), Some(2), "{log}");
    assert!(
        log.contains("device.toml") && log.contains("colour"),
        "{log}"
    );

    let (status, log) =
        Agent::start_expecting_exit(&dir, "[device]\nsbom = [\"missing.cdx.json\"]\n");
    assert_eq!(status.code(), Some(2), "{log}");
    assert!(log.contains("missing.cdx.json"), "{log}");
}

#[test]
fn without_a_device_section_only_standard_objects_and_sighup_is_harmless() {
    if !prerequisites("no-device", &["snmpwalk", "snmpget"]) {
        return;
    }
    let dir = TestDir::new("no-device");
    let agent = Agent::start(&dir, "");
    let rows = agent.walk(DQI_ROOT);
    assert!(
        rows.iter()
            .all(|(oid, _)| !oid.starts_with(&format!("{DQI_ROOT}."))),
        "{rows:?}"
    );
    agent.hangup();
    // Still serving after the signal, and it said why nothing happened.
    for _ in 0..50 {
        if agent.log().contains("nothing to reload") {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(
        unquote(&agent.get(".1.3.6.1.2.1.1.1.0")),
        "device refresh test"
    );
    assert!(agent.log().contains("nothing to reload"), "{}", agent.log());
}
