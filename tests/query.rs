//! `dqi-query` against a loopback fleet: real `dqi-agent` processes with generated SBOMs,
//! net-snmp's `snmpd` (its hrSWInstalledTable from the host's dpkg database), a port with
//! nothing listening and a target with wrong credentials. The records are asserted exactly.

mod common;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use serde_json::Value;

const USER: &str = "dqi-test";

/// A CycloneDX 1.6 SBOM of npm packages `(name with scope, version, hash fill digit)`.
fn npm_sbom(components: &[(&str, &str, char)]) -> String {
    let items: Vec<String> = components
        .iter()
        .map(|(name, version, fill)| {
            let purl = format!("pkg:npm/{}@{version}", name.replace('@', "%40"));
            let short = name.rsplit('/').next().unwrap_or(name);
            let hash: String = std::iter::repeat_n(*fill, 64).collect();
            format!(
                r#"{{"type":"library","name":"{short}","version":"{version}","purl":"{purl}","hashes":[{{"alg":"SHA-256","content":"{hash}"}}]}}"#
            )
        })
        .collect();
    format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"components":[{}]}}"#,
        items.join(",")
    )
}

/// One agent of the fleet, its directory kept alive with it (agent dropped first).
struct Member {
    agent: Agent,
    _dir: TestDir,
}

/// The maker's VEX for the infusion pump: not affected by Log4Shell, which its log4j-core
/// version contradicts (the disagreement `vuln` reports).
const INFUSION_VEX: &str = r#"{
  "@context": "https://openvex.dev/ns/v0.2.0",
  "@id": "https://acme-medical.example/vex/infusion-17.openvex.json",
  "author": "Acme Medical Systems Product Security",
  "timestamp": "2024-06-13T09:00:00Z",
  "version": 1,
  "statements": [
    {
      "vulnerability": { "name": "CVE-2021-44228" },
      "products": [ { "@id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1" } ],
      "status": "not_affected",
      "justification": "vulnerable_code_not_in_execute_path"
    },
    {
      "vulnerability": { "name": "CVE-2021-45046" },
      "products": [ { "@id": "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1" } ],
      "status": "affected",
      "action_statement": "Install pump software 4.2.2."
    }
  ]
}"#;

fn dqi_member(label: &str, sbom: &str, vex: Option<&str>) -> Member {
    let dir = TestDir::new(label);
    write_file(&dir.join("sbom.cdx.json"), sbom, 0o600);
    let mut section = "[device]\nsbom = [\"sbom.cdx.json\"]\n".to_string();
    if let Some(vex) = vex {
        write_file(&dir.join("vex.openvex.json"), vex, 0o600);
        section.push_str("vex = [\"vex.openvex.json\"]\n");
    }
    let config = device_config(&section);
    let agent = Agent::start(&dir, &config);
    Member { agent, _dir: dir }
}

/// The fleet; None when snmpd is missing (skipped outside CI).
struct Fleet {
    infusion: Member,
    monitor: Member,
    ct: Member,
    snmpd: Member,
    ghost_port: u16,
    dir: TestDir,
    flat_sbom: String,
}

impl Fleet {
    fn start() -> Option<Fleet> {
        if !require_programs(&["snmpd", "dpkg-query"], "snmpd") {
            return None;
        }
        let flat_sbom = large_flat_sbom(300);
        let infusion = dqi_member("q-infusion", &flat_sbom, Some(INFUSION_VEX));
        let monitor = dqi_member(
            "q-monitor",
            &maven_sbom(&[
                ("log4j-core", "2.17.1", 'c'),
                ("commons-text", "1.9", 'd'),
                ("jackson-databind", "2.13.4", 'e'),
            ]),
            None,
        );
        let ct = dqi_member(
            "q-ct",
            &npm_sbom(&[
                ("lodash", "4.17.20", '1'),
                ("@babel/traverse", "8.0.0-alpha.3", '2'),
                ("minimist", "1.2.6", '3'),
                ("left-pad", "1.3.0", '4'),
            ]),
            None,
        );
        let snmpd_dir = TestDir::new("q-snmpd");
        let snmpd_config = Config::new(vec![User::new(USER, "SHA-256", Some("AES-128"))]);
        let snmpd = Member {
            agent: Agent::start_flavor(Flavor::Snmpd, &snmpd_dir, &snmpd_config),
            _dir: snmpd_dir,
        };
        Some(Fleet {
            infusion,
            monitor,
            ct,
            snmpd,
            ghost_port: free_udp_port(Ipv4Addr::LOCALHOST.into()),
            dir: TestDir::new("q-run"),
            flat_sbom,
        })
    }

    /// The targets file for the named members; "ghost" and "wrong-creds" included on request.
    fn targets(&self, names: &[&str]) -> PathBuf {
        let user = User::new(USER, "SHA-256", Some("AES-128"));
        let mut text = format!(
            "[credentials.biomed]\nuser = \"{USER}\"\nauth = \"SHA-256\"\nauth_password = \"{}\"\nprivacy = \"AES-128\"\npriv_password = \"{}\"\n\n\
             [credentials.stale]\nuser = \"{USER}\"\nauth = \"SHA-256\"\nauth_password = \"not-the-password\"\nprivacy = \"AES-128\"\npriv_password = \"{}\"\n",
            user.auth_password, user.priv_password, user.priv_password
        );
        for name in names {
            let (port, credentials) = match *name {
                "infusion-17" => (self.infusion.agent.port, "biomed"),
                "monitor-3" => (self.monitor.agent.port, "biomed"),
                "ct-1" => (self.ct.agent.port, "biomed"),
                "legacy-snmpd" => (self.snmpd.agent.port, "biomed"),
                "ghost" => (self.ghost_port, "biomed"),
                "wrong-creds" => (self.infusion.agent.port, "stale"),
                other => panic!("no member {other}"),
            };
            text.push_str(&format!(
                "\n[[target]]\nname = \"{name}\"\naddress = \"127.0.0.1:{port}\"\ncredentials = \"{credentials}\"\n"
            ));
        }
        let path = self.dir.join(&format!("targets-{}.toml", names.join("+")));
        write_file(&path, &text, 0o600);
        path
    }

    fn address(&self, name: &str) -> String {
        let port = match name {
            "infusion-17" | "wrong-creds" => self.infusion.agent.port,
            "monitor-3" => self.monitor.agent.port,
            "ct-1" => self.ct.agent.port,
            "legacy-snmpd" => self.snmpd.agent.port,
            "ghost" => self.ghost_port,
            other => panic!("no member {other}"),
        };
        format!("127.0.0.1:{port}")
    }

    /// The engine ID each member reports in discovery, hex.
    fn engine_id(&self, name: &str) -> String {
        let agent = match name {
            "infusion-17" => &self.infusion.agent,
            "monitor-3" => &self.monitor.agent,
            "ct-1" => &self.ct.agent,
            "legacy-snmpd" => &self.snmpd.agent,
            other => panic!("no member {other}"),
        };
        agent
            .discover()
            .engine_id
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// Runs dqi-query with `args`; returns (exit code, stdout records as JSON, stderr).
fn query(targets: &Path, args: &[&str]) -> (i32, Vec<Value>, String) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dqi-query"));
    command
        .arg("--targets")
        .arg(targets)
        .args(["--format", "jsonl", "--timeout", "500ms", "--retries", "1"])
        .args(args);
    let out = run_with_deadline(&mut command, TOOL_TIMEOUT);
    let records = out
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}\n{}", out.describe())))
        .collect();
    (out.code().unwrap_or(-1), records, out.stderr)
}

/// A record as a compact, comparable line of the fields a test names.
fn line(r: &Value, fields: &[&str]) -> String {
    fields
        .iter()
        .map(|f| match &r[*f] {
            Value::String(s) => s.clone(),
            Value::Null => "-".into(),
            Value::Array(items) => items
                .iter()
                .map(|i| i.as_str().unwrap_or_default().to_string())
                .collect::<Vec<_>>()
                .join(" "),
            other => other.to_string(),
        })
        .collect::<Vec<_>>()
        .join(" | ")
}

fn lines(records: &[Value], fields: &[&str]) -> BTreeSet<String> {
    records.iter().map(|r| line(r, fields)).collect()
}

fn set(items: &[String]) -> BTreeSet<String> {
    items.iter().cloned().collect()
}

/// The position (from 1) and SHA-256 of the component `name` in the generated flat SBOM.
fn flat_component(sbom: &str, name: &str) -> (usize, String) {
    let doc: Value = serde_json::from_str(sbom).expect("SBOM JSON");
    let components = doc["components"].as_array().expect("components");
    let i = components
        .iter()
        .position(|c| c["name"] == name)
        .expect("component in SBOM");
    let hash = components[i]["hashes"][0]["content"]
        .as_str()
        .expect("hash")
        .to_string();
    (i + 1, hash)
}

fn osv_fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/osv")
}

#[test]
fn a_fleet_answers_find_vuln_and_advisories() {
    let Some(fleet) = Fleet::start() else { return };
    let all = [
        "infusion-17",
        "monitor-3",
        "ct-1",
        "legacy-snmpd",
        "ghost",
        "wrong-creds",
    ];
    let targets = fleet.targets(&all);
    let (log4j_index, log4j_hash) = flat_component(&fleet.flat_sbom, "log4j-core");
    let infusion = fleet.address("infusion-17");
    let not_asked = [
        format!(
            "ghost | {} | unreachable | nothing listening (ICMP port unreachable)",
            fleet.address("ghost")
        ),
        format!(
            "wrong-creds | {infusion} | refused | refused the credentials: wrong digest: the authentication password or key is wrong"
        ),
    ];
    let failure_fields = ["target", "address", "status", "reason"];
    let fields = [
        "target", "address", "status", "sw_index", "name", "version", "purl", "hash", "ranges",
        "method",
    ];
    let failures = |records: &[Value]| -> Vec<Value> {
        records
            .iter()
            .filter(|r| r["sw_index"].is_null())
            .cloned()
            .collect()
    };
    let components = |records: &[Value]| -> Vec<Value> {
        records
            .iter()
            .filter(|r| !r["sw_index"].is_null())
            .cloned()
            .collect()
    };

    // find by purl, within the Log4Shell range: only the 2.14.1 device, by one lookup in
    // dqiSwByPurlTable (after discovery: one GetBulk, one Get).
    let (code, records, stderr) = query(
        &targets,
        &[
            "find",
            "pkg:maven/org.apache.logging.log4j/log4j-core",
            "--range",
            "vers:maven/>=2.0.0-beta9|<2.15.0",
        ],
    );
    assert_eq!(code, 3, "devices not asked win: {stderr}");
    let found = components(&records);
    assert_eq!(
        lines(&found, &fields),
        set(&[format!(
            "infusion-17 | {infusion} | in-range | {log4j_index} | log4j-core | 2.14.1 | {LOG4J_PURL} | sha256:{log4j_hash} | vers:maven/>=2.0.0-beta9|<2.15.0 | dqiSwByPurlTable"
        )])
    );
    assert_eq!(found[0]["engine_id"], fleet.engine_id("infusion-17"));
    assert_eq!(lines(&failures(&records), &failure_fields), set(&not_asked));
    assert!(
        stderr.contains("6 devices, 4 answered, 2 not asked; 1 findings"),
        "{stderr}"
    );

    // find by name, any ecosystem, no range: both log4j devices.
    let (_, records, _) = query(&targets, &["find", "log4j-core"]);
    assert_eq!(
        lines(
            &components(&records),
            &["target", "status", "version", "method"]
        ),
        set(&[
            "infusion-17 | found | 2.14.1 | dqiSwByNameTable".into(),
            "monitor-3 | found | 2.17.1 | dqiSwByNameTable".into(),
        ])
    );

    // find on the plain SNMP agent: hrSWInstalledTable, the Debian name_version_arch form.
    let snmpd_version = String::from_utf8(
        Command::new("dpkg-query")
            .args(["-W", "-f", "${Version}", "snmpd"])
            .output()
            .expect("dpkg-query")
            .stdout,
    )
    .expect("utf-8");
    let (code, records, stderr) = query(&fleet.targets(&["legacy-snmpd"]), &["find", "snmpd"]);
    assert_eq!(
        code,
        1,
        "{stderr}\n{records:?}\n{}",
        fleet.snmpd.agent.stderr()
    );
    assert_eq!(records.len(), 1, "{records:?}");
    assert_eq!(
        line(
            &records[0],
            &["target", "status", "name", "version", "purl", "method"]
        ),
        format!("legacy-snmpd | found | snmpd | {snmpd_version} |  | hrSWInstalledTable-walk")
    );
    assert_eq!(records[0]["engine_id"], fleet.engine_id("legacy-snmpd"));

    // vuln with OSV: the advisory's ranges against each device's log4j-core.
    let osv = osv_fixtures();
    let osv = osv.to_str().expect("utf-8 path");
    let (code, records, stderr) = query(&targets, &["vuln", "CVE-2021-44228", "--osv", osv]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(
        lines(
            &components(&records),
            &["target", "status", "version", "advisories", "ranges"]
        ),
        set(&[
            "infusion-17 | affected | 2.14.1 | GHSA-jfh8-c2jp-5v3q | vers:maven/>=2.13.0|<2.15.0"
                .into(),
            "monitor-3 | not-affected | 2.17.1 | GHSA-jfh8-c2jp-5v3q | ".into(),
        ])
    );
    assert_eq!(lines(&failures(&records), &failure_fields), set(&not_asked));

    // advisories: every record against every whole inventory (advisories in file order).
    let (code, records, stderr) = query(&targets, &["advisories", "--osv", osv]);
    assert_eq!(code, 3, "{stderr}");
    let ct = fleet.address("ct-1");
    assert_eq!(
        lines(
            &components(&records),
            &[
                "target",
                "address",
                "status",
                "name",
                "version",
                "advisories",
                "ranges",
                "method"
            ]
        ),
        set(&[
            format!(
                "infusion-17 | {infusion} | affected | log4j-core | 2.14.1 | CVE-2021-45046 CVE-2021-44832 CVE-2021-44228 CVE-2021-45105 | vers:maven/>=2.13.0|<2.16.0 vers:maven/>=2.13.0|<2.17.1 vers:maven/>=2.13.0|<2.15.0 vers:maven/>=2.13.0|<2.17.0 | dqiSwTable-walk"
            ),
            format!(
                "ct-1 | {ct} | affected | lodash | 4.17.20 | CVE-2021-23337 | vers:npm/<4.17.21 | dqiSwTable-walk"
            ),
            format!(
                "ct-1 | {ct} | affected | traverse | 8.0.0-alpha.3 | CVE-2023-45133 | vers:npm/>=8.0.0-alpha.0|<8.0.0-alpha.4 | dqiSwTable-walk"
            ),
        ])
    );
    assert_eq!(lines(&failures(&records), &failure_fields), set(&not_asked));

    // Only reachable devices: 1 when found, 0 when not.
    let reachable = fleet.targets(&["infusion-17", "monitor-3", "ct-1", "legacy-snmpd"]);
    let (code, _, stderr) = query(&reachable, &["find", "log4j-core"]);
    assert_eq!(code, 1, "{stderr}");
    let (code, records, stderr) = query(&reachable, &["find", "pkg:npm/no-such-package"]);
    assert_eq!((code, records.len()), (0, 0), "{stderr}");
}

#[test]
fn configuration_errors_exit_2_naming_file_and_key() {
    let dir = TestDir::new("q-config");
    let path = dir.join("targets.toml");
    let text = "[credentials.biomed]\nuser = \"u\"\nauth = \"SHA-256\"\nauth_password = \"long-enough-pass\"\n\n[[target]]\nname = \"pump\"\naddress = \"127.0.0.1:161\"\ncredentials = \"nurses\"\n";
    write_file(&path, text, 0o600);
    let (code, records, stderr) = query(&path, &["find", "log4j-core"]);
    assert_eq!((code, records.len()), (2, 0));
    assert_eq!(
        stderr.trim(),
        format!(
            "dqi-query: {}: target[0].credentials: \"nurses\" is not a [credentials.*] entry of this file",
            path.display()
        )
    );

    write_file(&path, &text.replace("nurses", "biomed"), 0o644);
    let (code, _, stderr) = query(&path, &["find", "log4j-core"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("other users can access it (mode 644) and it holds secrets"),
        "{stderr}"
    );

    write_file(&path, &text.replace("nurses", "biomed"), 0o600);
    let (code, _, stderr) = query(&path, &["find", "log4j-core", "--range", "maven/<2"]);
    assert_eq!(code, 2);
    assert!(
        stderr.contains("--range \"maven/<2\": a range starts with vers:"),
        "{stderr}"
    );
    let (code, _, stderr) = query(
        &path,
        &["vuln", "CVE-1999-0001", "--osv", "/nonexistent/osv"],
    );
    assert_eq!(code, 2);
    assert!(stderr.contains("/nonexistent/osv: cannot read"), "{stderr}");
}
