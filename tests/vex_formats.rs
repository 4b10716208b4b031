//! The three VEX formats, read from fixtures written for the example infusion pump and joined to
//! its SBOM rows: CycloneDX 1.6 VEX (BOM-Link, bom-ref and purl references), CSAF 2.0 VEX
//! (product tree purls, relationships, groups, flags, remediations, threats) and OpenVEX 0.2.
//! Each covers the four statuses and the CISA use cases: not affected with a justification and
//! with only an impact statement, affected with an action statement, fixed, under
//! investigation, and a statement about the product or a component the SBOM does not hold.
#![cfg(feature = "server")]

mod common;

use std::path::{Path, PathBuf};

use common::{LOG4J_PURL as LOG4J, TestDir, example, example_device_config};
use dqi_agent::device::vex::{
    Justification, Subject, VexRow, VexState, VexStatement, subject_index,
};
use dqi_agent::device::{DeviceConfig, DeviceError, DeviceSnapshot, DeviceSource, FileSource};

fn fixture(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/vex")
        .join(file)
}

fn config(vex: Vec<PathBuf>) -> DeviceConfig {
    example_device_config(vex, 0)
}

fn load(vex: &[&str]) -> DeviceSnapshot {
    let paths = vex.iter().map(|f| fixture(f)).collect();
    FileSource::new(config(paths), None)
        .expect("source")
        .snapshot()
        .expect("snapshot")
}

/// The `dqiSwIndex` of the row with `purl`.
fn index(s: &DeviceSnapshot, purl: &str) -> u32 {
    s.software
        .rows()
        .iter()
        .find(|r| r.purl.as_deref() == Some(purl))
        .unwrap_or_else(|| panic!("{purl} not in the SBOM"))
        .index
}

fn row<'a>(s: &'a DeviceSnapshot, id: &str, index: u32) -> &'a VexRow {
    s.vex
        .rows()
        .iter()
        .find(|r| r.vuln_id == id && r.index == index)
        .unwrap_or_else(|| panic!("no row ({id}, {index}) in {:#?}", s.vex.rows()))
}

const JACKSON: &str = "pkg:maven/com.fasterxml.jackson.core/jackson-databind@2.13.4.2";
const NETTY: &str = "pkg:maven/io.netty/netty-handler@4.1.94.Final";
const OPENSSL: &str = "pkg:generic/openssl@3.0.13";

/// What the CycloneDX and the CSAF fixtures both state: jackson-databind fixed, netty not
/// affected (vulnerable code not present), OpenSSL under investigation. Returns netty's.
fn assert_shared_statements(s: &DeviceSnapshot) -> &VexStatement {
    assert_eq!(
        row(s, "CVE-2022-42003", index(s, JACKSON)).statement.state,
        VexState::Fixed
    );
    let netty = &row(s, "CVE-2023-44487", index(s, NETTY)).statement;
    assert_eq!(
        (netty.state, netty.justification),
        (
            VexState::NotAffected,
            Justification::VulnerableCodeNotPresent
        )
    );
    assert_eq!(
        row(s, "CVE-2024-5535", index(s, OPENSSL)).statement.state,
        VexState::UnderInvestigation
    );
    netty
}

#[test]
fn cyclonedx_vex_bom() {
    let s = load(&["pump.cdx-vex.json"]);
    let log4j = row(&s, "CVE-2021-44228", index(&s, LOG4J));
    assert_eq!(log4j.statement.state, VexState::Affected, "by BOM-Link");
    assert_eq!(
        log4j.statement.action.as_deref(),
        Some("update: Install InfuSafe 3000 software 4.2.2 (ships log4j-core 2.17.1).")
    );
    assert_eq!(
        log4j.statement.updated.map(|t| t.unix_seconds()),
        dqi_agent::device::Timestamp::parse("2024-06-11T08:00:00Z").map(|t| t.unix_seconds()),
        "analysis.lastUpdated"
    );
    assert_eq!(
        log4j.source,
        "urn:uuid:9d1a6c2e-4b7f-4e0a-8f3c-2a5b7d9e1f04"
    );
    assert_shared_statements(&s);
    let jdbc = &row(&s, "CVE-2021-44832", index(&s, LOG4J)).statement;
    assert_eq!(jdbc.justification, Justification::RequiresConfiguration);
    // Spring is not in the SBOM: each of its two components is kept, counted and served on
    // its own row, under the index of its purl, with the purl as the subject. The entry
    // without analysis is no statement.
    for purl in [
        "pkg:maven/org.springframework/spring-beans@5.3.17",
        "pkg:maven/org.springframework/spring-webmvc@5.3.17",
    ] {
        let at = subject_index(&Subject::Purl(purl.to_string()));
        assert!(at > 0x7fff_ffff, "above every component index");
        let spring = row(&s, "CVE-2022-22965", at);
        assert_eq!(spring.statement.state, VexState::NotAffected);
        assert_eq!(spring.statement.subject.text(), purl);
    }
    // affects[].versions[]: log4j-core 2.14.1 is in the second (status-less: affected) range
    // of CVE-2021-45046, and in the range of CVE-2021-45105.
    for id in ["CVE-2021-45046", "CVE-2021-45105"] {
        assert_eq!(
            row(&s, id, index(&s, LOG4J)).statement.state,
            VexState::Affected,
            "{id}"
        );
    }
    assert_eq!(s.vex.unmatched(), 2);
    assert_eq!(s.vex.statements(), 9);
    assert!(!s.vex.rows().iter().any(|r| r.vuln_id == "CVE-2099-0001"));
}

#[test]
fn cyclonedx_affected_versions_decide_per_installed_version() {
    // The same statements read against an SBOM that holds log4j-core 2.17.1 instead: 2.17.1 is
    // in the `>=2.16.0` unaffected range of CVE-2021-45046, and in no range of CVE-2021-45105,
    // which is then about no component installed: kept and counted, under its subject's index.
    let dir = TestDir::new("vex-versions");
    let sbom = std::fs::read_to_string(example("sbom.cdx.json"))
        .unwrap()
        .replace("2.14.1", "2.17.1");
    let path = dir.join("sbom.cdx.json");
    std::fs::write(&path, sbom).unwrap();
    let config = DeviceConfig {
        sbom: vec![path],
        vex: vec![fixture("pump.cdx-vex.json")],
        refresh_seconds: 0,
        ..DeviceConfig::default()
    };
    let s = FileSource::new(config, None).unwrap().snapshot().unwrap();
    let log4j = index(&s, "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1");
    let fixed = &row(&s, "CVE-2021-45046", log4j).statement;
    assert_eq!(
        (fixed.state, fixed.justification),
        (VexState::NotAffected, Justification::None)
    );
    let other: Vec<u32> = s
        .vex
        .rows()
        .iter()
        .filter(|r| r.vuln_id == "CVE-2021-45105")
        .map(|r| r.index)
        .collect();
    assert_eq!(
        other,
        [subject_index(&Subject::Purl(
            "pkg:maven/org.apache.logging.log4j/log4j-core".to_string()
        ))]
    );
    // A range that is no vers: range is refused, naming the place.
    let bad = dir.join("bad-range.json");
    std::fs::write(
        &bad,
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"exploitable"},"affects":[{"ref":"x","versions":[{"range":">=1.0"}]}]}]}"#,
    )
    .unwrap();
    let config = DeviceConfig {
        vex: vec![bad],
        ..DeviceConfig::default()
    };
    // Refused when the source is made (it reads the files once) or at the first snapshot.
    let err = match FileSource::new(config, None) {
        Err(e) => e.to_string(),
        Ok(source) => source.snapshot().unwrap_err().to_string(),
    };
    assert!(
        err.contains("bad-range.json")
            && err.contains("vulnerabilities[0].affects[0].versions[0].range"),
        "{err}"
    );
}

#[test]
fn csaf_vex_profile() {
    let s = load(&["pump.csaf.json"]);
    let log4j = row(&s, "CVE-2021-44228", index(&s, LOG4J));
    assert_eq!(
        log4j.statement.state,
        VexState::Affected,
        "through the relationship's component purl"
    );
    assert_eq!(
        log4j.statement.action.as_deref(),
        Some(
            "vendor_fix: Install InfuSafe 3000 software 4.2.2.; workaround: Allow TCP 8443 only \
             from the drug library server."
        )
    );
    assert_eq!(log4j.source, "ACME-VEX-2024-0007");
    let netty = assert_shared_statements(&s);
    assert_eq!(
        netty.detail.as_deref(),
        Some("netty-codec-http2 is not shipped.")
    );
    // The product (named, no purl), its ID from `ids`, its flag through a group.
    let named = s
        .vex
        .rows()
        .iter()
        .find(|r| r.vuln_id == "ACME-2024-0042")
        .expect("the product's statement");
    assert_eq!(
        named.index,
        subject_index(&named.statement.subject),
        "under its own index"
    );
    let pump = &named.statement;
    assert_eq!(
        (pump.state, pump.justification),
        (VexState::NotAffected, Justification::ComponentNotPresent)
    );
    assert_eq!(s.vex.unmatched(), 1);
}

#[test]
fn openvex() {
    let s = load(&["pump.openvex.json"]);
    let log4j = &row(&s, "CVE-2021-44228", index(&s, LOG4J)).statement;
    assert_eq!(log4j.state, VexState::Affected, "by subcomponent");
    assert_eq!(
        log4j.action.as_deref(),
        Some("Install InfuSafe 3000 software 4.2.2.")
    );
    assert_eq!(
        row(&s, "CVE-2022-42003", index(&s, JACKSON))
            .statement
            .state,
        VexState::Fixed,
        "by identifiers.purl"
    );
    assert_eq!(
        row(&s, "CVE-2023-44487", index(&s, NETTY))
            .statement
            .justification,
        Justification::VulnerableCodeNotInExecutePath
    );
    // CISA: not affected with an impact statement instead of a justification.
    let jdbc = &row(&s, "CVE-2021-44832", index(&s, LOG4J)).statement;
    assert_eq!(
        (jdbc.state, jdbc.justification),
        (VexState::NotAffected, Justification::None)
    );
    assert!(jdbc.detail.as_deref().is_some_and(|d| d.contains("JDBC")));
    // Two statements for one (vulnerability, component): the later-dated one wins, though it
    // is listed first.
    assert_eq!(
        row(&s, "CVE-2024-5535", index(&s, OPENSSL)).statement.state,
        VexState::UnderInvestigation
    );
    let radius = s
        .vex
        .rows()
        .iter()
        .find(|r| r.vuln_id == "CVE-2024-3596")
        .expect("the RADIUS statement");
    assert_eq!(radius.index, subject_index(&radius.statement.subject));
    let radius = &radius.statement;
    assert_eq!(radius.justification, Justification::ComponentNotPresent);
    assert_eq!(s.vex.unmatched(), 1);
}

#[test]
fn several_documents_combine_and_the_latest_statement_wins() {
    // The OpenVEX document (2024-06-13) is later than the CycloneDX one (2024-06-11): for
    // netty, its justification wins whatever the order of the files.
    for order in [
        ["pump.cdx-vex.json", "pump.openvex.json"],
        ["pump.openvex.json", "pump.cdx-vex.json"],
    ] {
        let s = load(&order);
        let netty = &row(&s, "CVE-2023-44487", index(&s, NETTY)).statement;
        assert_eq!(
            netty.justification,
            Justification::VulnerableCodeNotInExecutePath,
            "{order:?}"
        );
    }
    // The demo's own VEX (CVE-2021-44228 affected, CVE-2023-44487 not affected).
    let demo = FileSource::new(config(vec![example("vex.openvex.json")]), None)
        .unwrap()
        .snapshot()
        .unwrap();
    assert_eq!(
        row(&demo, "CVE-2021-44228", index(&demo, LOG4J))
            .statement
            .state,
        VexState::Affected
    );
    assert_eq!(
        row(&demo, "CVE-2023-44487", index(&demo, NETTY))
            .statement
            .state,
        VexState::NotAffected
    );
}

#[test]
fn a_broken_vex_file_is_an_error_naming_the_file_and_place() {
    let dir = TestDir::new("vex-broken");
    let cases = [
        ("not-json.json", "{", "$"),
        (
            "bad-state.json",
            r#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[{"vulnerability":{"name":"CVE-1"},"products":[],"status":"maybe"}]}"#,
            "statements[0].status",
        ),
        (
            "bad-flag.json",
            r#"{"document":{"csaf_version":"2.0"},"vulnerabilities":[{"cve":"CVE-1","product_status":{},"flags":[{"label":"because","product_ids":[]}]}]}"#,
            "vulnerabilities[0].flags[0].label",
        ),
        (
            "bad-just.json",
            r#"{"bomFormat":"CycloneDX","specVersion":"1.5","vulnerabilities":[{"id":"CVE-1","analysis":{"state":"not_affected","justification":"trust_me"}}]}"#,
            "vulnerabilities[0].analysis.justification",
        ),
        ("unknown.json", r#"{"hello":1}"#, "$"),
    ];
    for (name, text, want) in cases {
        let path = dir.join(name);
        std::fs::write(&path, text).unwrap();
        let err = FileSource::new(config(vec![path.clone()]), None)
            .unwrap()
            .snapshot()
            .unwrap_err();
        assert!(err.to_string().starts_with("device.vex[0]: "), "{err}");
        match err.innermost() {
            DeviceError::Sbom { file, path: at, .. } => {
                assert!(file.ends_with(name), "{err}");
                assert_eq!(at, want, "{err}");
            }
            other => panic!("{name}: {other}"),
        }
    }
}
