//! `dqi-query` against a loopback fleet: real `dqi-agent` processes with generated SBOMs,
//! net-snmp's `snmpd` (its hrSWInstalledTable from the host's dpkg database), a port with
//! nothing listening and a target with wrong credentials. The records are asserted exactly.

mod common;
#[path = "query/fleet.rs"]
mod fleet;

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::*;
use dqi_agent::device::{DeviceConfig, DeviceSnapshot, DeviceSource, FileSource};
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

/// A DQI agent as one from before the lookup tables: its user's view leaves them out, so
/// `find` falls back to walking dqiSwTable.
const WITHOUT_LOOKUP_TABLES: &str = "[[view]]
name = \"older-dqi\"
include = [\"1.3.6.1\"]
exclude = [\"DQI-MIB::dqiSwByNameTable\", \"DQI-MIB::dqiSwByPurlTable\"]";

fn dqi_member(label: &str, sbom: &str, vex: Option<&str>) -> Member {
    dqi_member_as(label, sbom, vex, false)
}

/// A fleet member; `older`: without the lookup tables ([`WITHOUT_LOOKUP_TABLES`]).
fn dqi_member_as(label: &str, sbom: &str, vex: Option<&str>, older: bool) -> Member {
    let dir = TestDir::new(label);
    write_file(&dir.join("sbom.cdx.json"), sbom, 0o600);
    let mut section = "[device]\nsbom = [\"sbom.cdx.json\"]\n".to_string();
    if let Some(vex) = vex {
        write_file(&dir.join("vex.openvex.json"), vex, 0o600);
        section.push_str("vex = [\"vex.openvex.json\"]\n");
    }
    let mut config = device_config(&section);
    if older {
        config.users = vec![User::new(USER, "SHA-256", Some("AES-128")).viewing("older-dqi")];
        config = config.with_section(WITHOUT_LOOKUP_TABLES);
    }
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
        // An older DQI: no lookup tables.
        let monitor = dqi_member_as(
            "q-monitor",
            &maven_sbom(&[
                ("log4j-core", "2.17.1", 'c'),
                ("commons-text", "1.9", 'd'),
                ("jackson-databind", "2.13.4", 'e'),
            ]),
            None,
            true,
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
        .args(args)
        // The default store is under the user's data directory: the test's own, beside the
        // targets file.
        .env("XDG_DATA_HOME", targets.parent().unwrap_or(Path::new(".")));
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
    // net-snmp's own walk of hrSWInstalledName: what snmpd lists, counted by another client.
    let Some(snmp) = NetSnmp::new() else { return };
    let packages = snmp
        .walk(
            &fleet.snmpd.agent,
            &User::new(USER, "SHA-256", Some("AES-128")),
            ".1.3.6.1.2.1.25.6.3.1.2",
        )
        .len();
    assert!(
        packages > 100,
        "a Debian host lists its packages: {packages}"
    );
    let snmpd = fleet.address("legacy-snmpd");
    let without_purls = |cost: &str| {
        format!(
            "legacy-snmpd | {snmpd} | no-purl | serves no DQI-MIB: its hrSWInstalledTable (RFC 2790) lists {packages} packages by name and version only, without purls: {cost}"
        )
    };
    let by_name = format!(
        "legacy-snmpd | {snmpd} | no-dqi-mib | serves no DQI-MIB: answered from hrSWInstalledTable (RFC 2790), {packages} packages, name and version split from hrSWInstalledName; no purl, hash or VEX"
    );
    let with = |extra: String| {
        let mut all = set(&not_asked);
        all.insert(extra);
        all
    };
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
    // snmpd is listed, not left out: it answered, but names no purl to match.
    assert_eq!(
        lines(&failures(&records), &failure_fields),
        with(without_purls("a purl cannot be matched (ask by name)"))
    );
    assert!(
        stderr.contains("6 devices, 4 answered (1 without DQI-MIB), 2 not asked; 1 findings"),
        "{stderr}"
    );

    // find by name, any ecosystem, no range: both log4j devices; snmpd answered by name.
    let (_, records, _) = query(&targets, &["find", "log4j-core"]);
    assert_eq!(
        lines(&failures(&records), &failure_fields),
        with(by_name.clone())
    );
    assert_eq!(
        lines(
            &components(&records),
            &["target", "status", "version", "method"]
        ),
        set(&[
            "infusion-17 | found | 2.14.1 | dqiSwByNameTable".into(),
            "monitor-3 | found | 2.17.1 | dqiSwTable-walk".into(),
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
    assert_eq!(records.len(), 2, "{records:?}");
    assert_eq!(line(&records[0], &failure_fields), by_name);
    assert_eq!(
        line(
            &records[1],
            &["target", "status", "name", "version", "purl", "method"]
        ),
        format!("legacy-snmpd | found | snmpd | {snmpd_version} |  | hrSWInstalledTable-walk")
    );
    assert_eq!(records[1]["engine_id"], fleet.engine_id("legacy-snmpd"));

    // find by a Debian purl on the plain SNMP agent: its packages carry no purl, so the device
    // is `no-purl` (exit 3), but the package named like the purl is shown, `name-only`, with
    // dpkg's version and no range verdict.
    let (code, records, stderr) = query(
        &fleet.targets(&["legacy-snmpd"]),
        &[
            "find",
            "pkg:deb/debian/snmpd",
            "--range",
            "vers:deb/>=5.0|<5.9.4",
        ],
    );
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(
        lines(
            &records,
            &[
                "target", "status", "name", "version", "ranges", "method", "reason"
            ]
        ),
        set(&[
            without_purls("a purl cannot be matched (ask by name)").replacen(
                &format!(" | {snmpd} | no-purl | "),
                " | no-purl |  |  |  | hrSWInstalledTable-walk | ",
                1
            ),
            format!(
                "legacy-snmpd | name-only | snmpd | {snmpd_version} |  | hrSWInstalledTable-walk | no purl: the package's name is the purl's name; its version is not compared"
            ),
        ])
    );

    // vuln with OSV: the advisory's ranges against each device's log4j-core.
    let osv = osv_fixtures();
    let osv = osv.to_str().expect("utf-8 path");
    let (code, records, stderr) = query(&targets, &["vuln", "CVE-2021-44228", "--osv", osv]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(
        lines(
            &components(&records),
            &[
                "target",
                "status",
                "version",
                "advisories",
                "ranges",
                "vex_state",
                "vex_justification",
                "disagreement",
                "method"
            ]
        ),
        set(&[
            "infusion-17 | affected | 2.14.1 | GHSA-jfh8-c2jp-5v3q | vers:maven/>=2.13.0|<2.15.0 | not_affected | vulnerable_code_not_in_execute_path | the device states not_affected but its version is in an affected range | dqiSwByPurlTable"
                .into(),
            "monitor-3 | not-affected | 2.17.1 | GHSA-jfh8-c2jp-5v3q |  |  |  |  | dqiSwTable-walk".into(),
        ])
    );
    assert_eq!(
        lines(&failures(&records), &failure_fields),
        with(without_purls(
            "the advisory's ranges cannot be matched; it makes no VEX statement"
        ))
    );

    // vuln without OSV: the VEX statements alone; snmpd has none to make.
    let (code, records, stderr) = query(&targets, &["vuln", "CVE-2021-44228"]);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(
        lines(
            &components(&records),
            &[
                "target",
                "status",
                "sw_index",
                "vex_state",
                "vex_justification"
            ]
        ),
        set(&[format!(
            "infusion-17 | vex | {log4j_index} | not_affected | vulnerable_code_not_in_execute_path"
        )])
    );
    assert_eq!(
        lines(&failures(&records), &failure_fields),
        with(format!(
            "legacy-snmpd | {snmpd} | no-dqi-mib | serves no DQI-MIB (no dqiSwTable): it makes no VEX statement"
        ))
    );

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
    assert_eq!(
        lines(&failures(&records), &failure_fields),
        with(without_purls(
            "OSV records name purls and cannot be matched"
        ))
    );

    // Only reachable devices: 1 when found, 0 when not; 3 when snmpd cannot answer a purl.
    let reachable = fleet.targets(&["infusion-17", "monitor-3", "ct-1", "legacy-snmpd"]);
    let (code, _, stderr) = query(&reachable, &["find", "log4j-core"]);
    assert_eq!(code, 1, "{stderr}");
    let (code, records, stderr) = query(&reachable, &["find", "no-such-package"]);
    assert_eq!(
        (code, lines(&records, &failure_fields)),
        (0, set(&[by_name])),
        "{stderr}"
    );
    let (code, records, stderr) = query(&reachable, &["find", "pkg:npm/no-such-package"]);
    assert_eq!(
        (code, lines(&records, &failure_fields)),
        (
            3,
            set(&[without_purls("a purl cannot be matched (ask by name)")])
        ),
        "{stderr}"
    );
    let dqi_only = fleet.targets(&["infusion-17", "monitor-3", "ct-1"]);
    let (code, records, stderr) = query(&dqi_only, &["find", "pkg:npm/no-such-package"]);
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

/// A targets file in `dir` naming one target per `(name, port)`, with the fleet's credentials.
fn targets_file(dir: &TestDir, file: &str, members: &[(&str, u16)]) -> PathBuf {
    let user = User::new(USER, "SHA-256", Some("AES-128"));
    let mut text = format!(
        "[credentials.biomed]\nuser = \"{USER}\"\nauth = \"SHA-256\"\nauth_password = \"{}\"\nprivacy = \"AES-128\"\npriv_password = \"{}\"\n",
        user.auth_password, user.priv_password
    );
    for (name, port) in members {
        text.push_str(&format!(
            "\n[[target]]\nname = \"{name}\"\naddress = \"127.0.0.1:{port}\"\ncredentials = \"biomed\"\n"
        ));
    }
    let path = dir.join(file);
    write_file(&path, &text, 0o600);
    path
}

fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .args(["-m", "600"])
        .arg(path)
        .status()
        .expect("mkfifo");
    assert!(status.success());
}

#[test]
fn a_fifo_as_targets_or_osv_file_is_refused_not_waited_on() {
    let dir = TestDir::new("q-fifo");
    let fifo = dir.join("targets.toml");
    mkfifo(&fifo);
    // `query` gives up after TOOL_TIMEOUT: a reader that opened the FIFO would still wait.
    let (code, records, stderr) = query(&fifo, &["find", "log4j-core"]);
    assert_eq!((code, records.len()), (2, 0), "{stderr}");
    assert!(
        stderr.contains(&fifo.display().to_string()) && stderr.contains("FIFO"),
        "{stderr}"
    );
    let targets = targets_file(&dir, "ok.toml", &[("pump", 9)]);
    let osv = dir.join("records.json");
    mkfifo(&osv);
    let (code, _, stderr) = query(
        &targets,
        &[
            "vuln",
            "CVE-2021-44228",
            "--osv",
            osv.to_str().expect("path"),
        ],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains(&osv.display().to_string()) && stderr.contains("FIFO"),
        "{stderr}"
    );
}

/// `snmpInPkts` of `agent`, read with net-snmp.
fn in_packets(snmp: &NetSnmp, agent: &Agent) -> u64 {
    let user = User::new(USER, "SHA-256", Some("AES-128"));
    snmp.counter(agent, &user, ".1.3.6.1.2.1.11.1.0")
}

/// A pump with log4j-core 2.14.1 and a device that takes the datagrams and never answers (a
/// closed port would answer with ICMP port unreachable at once), and their targets file:
/// (pump, silent socket, the file's directory, the file).
fn pump_and_silent(label: &str) -> (Member, std::net::UdpSocket, TestDir, PathBuf) {
    let member = dqi_member(label, &maven_sbom(&[("log4j-core", "2.14.1", 'b')]), None);
    let dir = TestDir::new(&format!("{label}-run"));
    let silent = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let silent_port = silent.local_addr().expect("address").port();
    let targets = targets_file(
        &dir,
        "targets.toml",
        &[("pump", member.agent.port), ("silent", silent_port)],
    );
    (member, silent, dir, targets)
}

#[test]
fn ctrl_c_prints_what_was_answered_and_exits_3() {
    let Some(snmp) = NetSnmp::named() else { return };
    let (member, silent, _dir, targets) = pump_and_silent("q-sigint");
    let before = in_packets(&snmp, &member.agent);
    let mut child = Command::new(env!("CARGO_BIN_EXE_dqi-query"))
        .arg("--targets")
        .arg(&targets)
        // The silent device would keep it busy for 5 + 10 + 20 s.
        .args([
            "--format",
            "jsonl",
            "--timeout",
            "5s",
            "--retries",
            "2",
            "--no-store",
        ])
        .args(["find", "log4j-core"])
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("dqi-query");
    // The pump answers within a few datagrams (discovery, one GetBulk, one Get): wait until
    // it has seen them, and a little for the reply to be read, then interrupt.
    let mut polls = 0;
    while in_packets(&snmp, &member.agent) < before + 4 && polls < 100 {
        std::thread::sleep(std::time::Duration::from_millis(100));
        polls += 1;
    }
    std::thread::sleep(std::time::Duration::from_millis(500));
    let pid = child.id().to_string();
    let kill = Command::new("kill")
        .args(["-INT", &pid])
        .status()
        .expect("kill");
    assert!(kill.success());
    let status = wait_with_deadline(&mut child, TOOL_TIMEOUT).expect("exits after Ctrl-C");
    let mut stdout = String::new();
    let mut stderr = String::new();
    use std::io::Read;
    child
        .stdout
        .take()
        .expect("stdout")
        .read_to_string(&mut stdout)
        .expect("read");
    child
        .stderr
        .take()
        .expect("stderr")
        .read_to_string(&mut stderr)
        .expect("read");
    assert_eq!(status.code(), Some(3), "{stderr}");
    let records: Vec<Value> = stdout
        .lines()
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect();
    assert_eq!(
        lines(&records, &["target", "status", "name", "version"]),
        set(&[
            "pump | found | log4j-core | 2.14.1".to_string(),
            "silent | interrupted |  | ".to_string()
        ]),
        "{stdout}\n{stderr}"
    );
    assert!(stderr.contains("(interrupted)"), "{stderr}");
    drop(silent);
}

/// What the agent serves for a row: the values the MIB columns carry, and the parent's name.
fn served(s: &DeviceSnapshot) -> BTreeSet<String> {
    use dqi_agent::mib::derived::sw_type;
    use dqi_agent::mib::dqi::software::{served_hash, support_status};
    let rows = s.software.rows();
    let name_of = |i: u32| {
        rows.iter()
            .find(|r| r.index == i)
            .map_or("-".to_string(), |r| r.name.clone())
    };
    rows.iter()
        .map(|r| {
            format!(
                "{} | {} | {:?} | {} | {:?} | {:?} | {:?} | {} | {:?} | parent {}",
                r.name,
                r.version,
                r.supplier,
                sw_type(r.kind),
                r.purl,
                r.cpe,
                served_hash(r),
                support_status(r),
                r.end_of_support.map(|t| (t.year(), t.month(), t.day())),
                name_of(r.parent)
            )
        })
        .collect()
}

#[test]
fn inventory_writes_cyclonedx_that_the_agent_imports_back() {
    let dir = TestDir::new("q-inventory");
    let section = example_device(&dir);
    let Some(device) = Device::start(&dir, section) else {
        return;
    };
    let ghost = free_udp_port(Ipv4Addr::LOCALHOST.into());
    let run = TestDir::new("q-inventory-run");
    let targets = targets_file(
        &run,
        "targets.toml",
        &[("ICU pump/3", device.agent.port), ("ghost", ghost)],
    );
    let out = run.join("sboms");
    let (code, records, stderr) = query(
        &targets,
        &["inventory", "--cyclonedx", out.to_str().expect("path")],
    );
    assert_eq!(code, 3, "the ghost was not asked\n{stderr}");
    let rows = device.number(SW_COUNT) as usize;
    let listed = records.iter().filter(|r| r["status"] == "listed").count();
    assert_eq!(listed, rows, "{stderr}");
    let files: Vec<String> = std::fs::read_dir(&out)
        .expect("OUTDIR")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    assert_eq!(files, ["ICU_pump_3.cdx.json"]);
    let path = out.join("ICU_pump_3.cdx.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("document")).expect("JSON");

    // The official CycloneDX 1.6 JSON schema, through the CycloneDX project's own library,
    // which then reads every component back.
    assert_schema_valid(&path, rows, "ICU pump/3", &run);
    assert_syft_reads(&path);

    // The CycloneDX 1.6 fields a consumer needs (the schema's required ones and patterns).
    assert_eq!(doc["bomFormat"], "CycloneDX");
    assert_eq!(doc["specVersion"], "1.6");
    assert_eq!(doc["version"], 1);
    let serial = doc["serialNumber"].as_str().expect("serialNumber");
    let uuid = serial.strip_prefix("urn:uuid:").expect("urn:uuid:");
    let groups: Vec<usize> = uuid.split('-').map(str::len).collect();
    assert_eq!(groups, [8, 4, 4, 4, 12], "{serial}");
    assert!(uuid.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
    let meta = &doc["metadata"];
    assert!(
        meta["timestamp"]
            .as_str()
            .is_some_and(|t| t.ends_with('Z') && t.len() == 20)
    );
    assert_eq!(meta["component"]["type"], "device");
    assert_eq!(meta["component"]["name"], "ICU pump/3");
    assert_eq!(meta["tools"]["components"][0]["name"], "dqi-query");
    let all = all_components(&doc);
    for c in &all {
        for key in ["type", "name", "bom-ref"] {
            assert!(c[key].is_string(), "{key} in {c}");
        }
    }
    assert_eq!(all.len(), rows);
    let refs: BTreeSet<&str> = all.iter().filter_map(|c| c["bom-ref"].as_str()).collect();
    assert_eq!(refs.len(), rows, "bom-refs are unique");

    // The round trip: the agent's importer reads the document back into the same rows (the
    // device itself, as metadata.component, is one more).
    let original = FileSource::new(
        DeviceConfig {
            description: Some(dir.join("device.toml")),
            sbom: vec![dir.join("sbom.cdx.json"), dir.join("firmware.spdx.json")],
            ..DeviceConfig::default()
        },
        None,
    )
    .expect("source")
    .snapshot()
    .expect("the example");
    let back = FileSource::new(
        DeviceConfig {
            sbom: vec![path],
            ..DeviceConfig::default()
        },
        None,
    )
    .expect("source")
    .snapshot()
    .expect("the export imports");
    let mut want = served(&original);
    let got = served(&back);
    let device_row: Vec<String> = got.difference(&want).cloned().collect();
    assert_eq!(device_row.len(), 1, "{device_row:#?}");
    assert!(device_row[0].starts_with("ICU pump/3 | "), "{device_row:?}");
    want.extend(device_row);
    assert_eq!(got, want);
}

/// Validates the document at `path` against the official CycloneDX 1.6 schema and has the
/// CycloneDX Python library read it: `components` components, the device named `device`. A
/// copy with a wrong hash and an unknown property must be refused, so the check can fail.
/// Skipped (failed under CI) without python3-venv or PyPI.
fn assert_schema_valid(path: &Path, components: usize, device: &str, scratch: &TestDir) {
    let Some(python) = cyclonedx_python() else {
        return;
    };
    let mut broken: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("document")).expect("JSON");
    broken["metadata"]["colour"] = "blue".into();
    broken["components"][0]["hashes"] = serde_json::json!([{ "alg": "SHA-256", "content": "xyz" }]);
    let broken_path = scratch.join("broken.cdx.json");
    write_file(&broken_path, &broken.to_string(), 0o600);
    let verdicts = validate_cyclonedx(&python, &[path.to_path_buf(), broken_path]);
    assert_eq!(
        verdicts[0],
        CdxVerdict::Valid {
            components,
            device: device.to_string()
        },
        "{}",
        path.display()
    );
    let CdxVerdict::Invalid(errors) = &verdicts[1] else {
        panic!("the broken copy passed: {:?}", verdicts[1]);
    };
    assert!(
        errors.iter().any(|e| e.contains("colour"))
            && errors.iter().any(|e| e.contains("hashes[0].content")),
        "{errors:#?}"
    );
}

/// The packages the document at `path` names with a purl, as syft (the decoder of grype's
/// `sbom:` input) must read them: `(name, version, purl, CPEs)`. Every one of the types syft
/// turns into packages (application, framework, library; it reads an operating system as the
/// distro and skips firmware and platforms) comes back, and nothing else. Skipped (failed
/// under CI) without python3-venv or PyPI.
fn assert_syft_reads(path: &Path) {
    let Some(python) = cyclonedx_python() else {
        return;
    };
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(path).expect("document")).expect("JSON");
    let mut want = BTreeSet::new();
    for c in all_components(&doc) {
        let text = |k: &str| c[k].as_str().unwrap_or_default().to_string();
        let package = matches!(
            c["type"].as_str(),
            Some("application" | "framework" | "library")
        );
        if package && !text("purl").is_empty() {
            let cpes: Vec<String> = c["cpe"].as_str().map(str::to_string).into_iter().collect();
            want.insert((text("name"), text("version"), text("purl"), cpes));
        }
    }
    assert!(!want.is_empty(), "{}: no purls to read", path.display());
    let got: BTreeSet<_> = syft_packages(&python, path).into_iter().collect();
    assert_eq!(got, want, "{}", path.display());
}

/// The README's "what changed" query: components added and removed between each target's
/// latest whole inventory and the last one taken before `since`.
const WHAT_CHANGED: &str = "
WITH now AS (SELECT target, MAX(run) AS run FROM devices WHERE complete = 1 GROUP BY target),
     was AS (SELECT d.target, MAX(d.run) AS run FROM devices d JOIN runs r ON r.id = d.run
             WHERE d.complete = 1 AND r.started < :since GROUP BY d.target)
SELECT 'added', c.target, c.name, c.version FROM components c JOIN now USING (target, run)
 WHERE c.target IN (SELECT target FROM was) AND NOT EXISTS (
       SELECT 1 FROM components o JOIN was USING (target, run)
        WHERE o.target = c.target AND o.name = c.name AND o.version = c.version)
UNION ALL
SELECT 'removed', o.target, o.name, o.version FROM components o JOIN was USING (target, run)
 WHERE NOT EXISTS (
       SELECT 1 FROM components c JOIN now USING (target, run)
        WHERE c.target = o.target AND c.name = o.name AND c.version = o.version)
ORDER BY 2, 3, 1;
";

#[test]
fn the_store_keeps_every_run_and_answers_offline() {
    let Some(_snmp) = NetSnmp::named() else {
        return;
    };
    let dir = TestDir::new("q-store");
    let store = dir.join("answers.sqlite3");
    let store_arg = store.to_str().expect("path").to_string();
    let osv = osv_fixtures();
    let osv_arg = osv.to_str().expect("path");

    // Last week: the pump ran log4j-core 2.14.1.
    let before = dqi_member(
        "q-store-1",
        &maven_sbom(&[("log4j-core", "2.14.1", 'b'), ("commons-text", "1.9", 'd')]),
        None,
    );
    let targets = targets_file(&dir, "t1.toml", &[("pump", before.agent.port)]);
    let (code, _, stderr) = query(&targets, &["inventory", "--store", &store_arg]);
    assert_eq!(code, 0, "{stderr}");
    drop(before);

    // Today it runs 2.16.0 and jackson-databind besides; `advisories` reads it whole.
    let after = dqi_member(
        "q-store-2",
        &maven_sbom(&[
            ("log4j-core", "2.16.0", 'c'),
            ("commons-text", "1.9", 'd'),
            ("jackson-databind", "2.13.4", 'e'),
        ]),
        None,
    );
    let ghost = free_udp_port(Ipv4Addr::LOCALHOST.into());
    let targets = targets_file(
        &dir,
        "t2.toml",
        &[("pump", after.agent.port), ("ghost", ghost)],
    );
    let (code, online, stderr) = query(
        &targets,
        &["advisories", "--osv", osv_arg, "--store", &store_arg],
    );
    assert_eq!(code, 3, "{stderr}");
    drop(after);

    // Offline, with the pump switched off: the same answer, from the store.
    let fields = [
        "target",
        "status",
        "sw_index",
        "name",
        "version",
        "advisories",
    ];
    let (code, offline, stderr) = query(
        &targets,
        &[
            "advisories",
            "--osv",
            osv_arg,
            "--store",
            &store_arg,
            "--offline",
        ],
    );
    let answered = |records: &[Value]| {
        lines(
            &records
                .iter()
                .filter(|r| r["target"] == "pump")
                .cloned()
                .collect::<Vec<_>>(),
            &fields,
        )
    };
    assert_eq!(answered(&offline), answered(&online), "{stderr}");
    assert!(!answered(&online).is_empty());
    assert!(
        offline
            .iter()
            .filter(|r| r["target"] == "pump")
            .all(|r| r["method"] == "store")
    );
    // The ghost never answered: the store has nothing of it, and says so.
    let ghost_record: Vec<String> = offline
        .iter()
        .filter(|r| r["target"] == "ghost")
        .map(|r| line(r, &["status"]))
        .collect();
    assert_eq!(ghost_record, ["no-inventory"]);
    assert_eq!(code, 3);
    let (code, found, stderr) = query(
        &targets,
        &["find", "log4j-core", "--store", &store_arg, "--offline"],
    );
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(
        lines(
            &found
                .into_iter()
                .filter(|r| r["target"] == "pump")
                .collect::<Vec<_>>(),
            &["status", "name", "version", "method"]
        ),
        set(&["found | log4j-core | 2.16.0 | store".to_string()])
    );

    // Every run is kept (offline runs ask nothing and add nothing); what changed since last
    // week is one query.
    let db = rusqlite::Connection::open(&store).expect("the store opens");
    let runs: Vec<String> = db
        .prepare("SELECT command FROM runs ORDER BY id")
        .expect("query")
        .query_map([], |r| r.get(0))
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("runs");
    assert_eq!(runs, ["inventory", "advisories"]);
    db.execute(
        "UPDATE runs SET started = '2026-11-28T08:00:00Z' WHERE command = 'inventory'",
        [],
    )
    .expect("backdate");
    let changes: Vec<String> = db
        .prepare(WHAT_CHANGED)
        .expect("the README query")
        .query_map(
            rusqlite::named_params! { ":since": "2026-12-01T00:00:00Z" },
            |r| {
                Ok(format!(
                    "{} {} {} {}",
                    r.get::<_, String>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, String>(2)?,
                    r.get::<_, String>(3)?
                ))
            },
        )
        .expect("rows")
        .collect::<Result<_, _>>()
        .expect("changes");
    assert_eq!(
        changes,
        [
            "added pump jackson-databind 2.13.4",
            "added pump log4j-core 2.16.0",
            "removed pump log4j-core 2.14.1",
        ]
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&store)
            .expect("store")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "the store is the user's alone");
    }
}

#[test]
fn a_terminal_gets_a_progress_bar_and_a_pipe_does_not() {
    let Some(_snmp) = NetSnmp::named() else {
        return;
    };
    let member = dqi_member(
        "q-progress",
        &maven_sbom(&[("log4j-core", "2.14.1", 'b')]),
        None,
    );
    let dir = TestDir::new("q-progress-run");
    let targets = targets_file(&dir, "targets.toml", &[("pump", member.agent.port)]);
    let bin = env!("CARGO_BIN_EXE_dqi-query");
    // script(1) runs it on a pseudo-terminal (stdout and stderr both), as an analyst would.
    let inner = format!(
        "{bin} --targets {} --no-store find log4j-core",
        targets.display()
    );
    let out = run_with_deadline(
        Command::new("script").args(["-qec", &inner, "/dev/null"]),
        TOOL_TIMEOUT,
    );
    // indicatif's bar, drawn when the device has answered, then cleared (erase line) before
    // the table and the summary.
    let bar = out
        .stdout
        .find("dqi-query: [##############################] 1/1 devices asked, ")
        .unwrap_or_else(|| panic!("no bar: {:?}", out.stdout));
    let table = out.stdout.find("TARGET").expect("a table on a terminal");
    assert!(bar < table, "{:?}", out.stdout);
    // Cleared: the table starts on an erased line, and the bar never comes back.
    assert!(out.stdout.contains("\r\x1b[2KTARGET "), "{:?}", out.stdout);
    assert!(
        !out.stdout[table..].contains("devices asked"),
        "{:?}",
        out.stdout
    );
    assert!(out.stdout[table..].contains("log4j-core"));
    assert!(out.stdout.contains("dqi-query: 1 devices, 1 answered"));
    // Not a terminal: not one byte of the bar, only the summary line.
    let (_, _, stderr) = query(&targets, &["--no-store", "find", "log4j-core"]);
    assert!(!stderr.contains("devices asked"), "{stderr:?}");
    assert!(!stderr.contains(['\r', '\x1b']), "{stderr:?}");
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
}

/// The process named `name` among the descendants of `pid` (from /proc), if any.
fn descendant_named(pid: u32, name: &str) -> Option<u32> {
    let mut family = vec![pid];
    let mut found = None;
    // A few passes: a grandchild may be listed before its parent.
    for _ in 0..4 {
        for entry in std::fs::read_dir("/proc").ok()?.flatten() {
            let Ok(child) = entry.file_name().to_string_lossy().parse::<u32>() else {
                continue;
            };
            let Ok(stat) = std::fs::read_to_string(format!("/proc/{child}/stat")) else {
                continue;
            };
            // pid (comm) state ppid ...: comm may hold spaces, so split after the last ')'.
            let Some((head, tail)) = stat.rsplit_once(')') else {
                continue;
            };
            let ppid = tail.split_whitespace().nth(1).and_then(|p| p.parse().ok());
            if ppid.is_some_and(|p| family.contains(&p)) && !family.contains(&child) {
                family.push(child);
                if head.ends_with(&format!("({name}")) {
                    found = Some(child);
                }
            }
        }
    }
    found
}

#[test]
fn ctrl_c_on_a_terminal_clears_the_bar_and_prints_what_was_answered() {
    let Some(_snmp) = NetSnmp::named() else {
        return;
    };
    let (_member, silent, _dir, targets) = pump_and_silent("q-tty-sigint");
    let inner = format!(
        "exec {} --targets {} --no-store --timeout 5s --retries 2 find log4j-core",
        env!("CARGO_BIN_EXE_dqi-query"),
        targets.display()
    );
    let mut script = Command::new("script")
        .args(["-qec", &inner, "/dev/null"])
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("script");
    let mut stdout = script.stdout.take().expect("stdout");
    let reader = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = std::io::Read::read_to_string(&mut stdout, &mut text);
        text
    });
    // The pump answers within milliseconds; the silent device keeps it asking for 35 s.
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let query = descendant_named(script.id(), "dqi-query").expect("dqi-query under script");
    let kill = Command::new("kill")
        .args(["-INT", &query.to_string()])
        .status()
        .expect("kill");
    assert!(kill.success());
    let status = wait_with_deadline(&mut script, TOOL_TIMEOUT).expect("exits after Ctrl-C");
    let out = reader.join().expect("reader");
    assert_eq!(status.code(), Some(3), "{out:?}");
    let bar = out
        .find("] 1/2 devices asked, ")
        .unwrap_or_else(|| panic!("no bar: {out:?}"));
    let table = out.find("TARGET").expect("what was answered");
    assert!(bar < table, "{out:?}");
    assert!(out.contains("\r\x1b[2KTARGET "), "{out:?}");
    assert!(!out[table..].contains("devices asked"), "{out:?}");
    assert!(out[table..].contains("log4j-core"), "{out:?}");
    assert!(
        out.contains("\nsilent     127.0.0.1:")
            && out.contains("interrupted  interrupted before the device answered"),
        "{out:?}"
    );
    assert!(out.contains("(interrupted)"), "{out:?}");
    drop(silent);
}

#[test]
fn a_plain_snmpd_is_inventoried_exported_and_kept_as_such() {
    if !require_programs(&["snmpd", "dpkg-query"], "snmpd") {
        return;
    }
    let Some(snmp) = NetSnmp::new() else { return };
    let dir = TestDir::new("q-snmpd-inventory");
    let user = User::new(USER, "SHA-256", Some("AES-128"));
    let snmpd = Agent::start_flavor(Flavor::Snmpd, &dir, &Config::new(vec![user.clone()]));
    let run = TestDir::new("q-snmpd-inventory-run");
    let targets = targets_file(&run, "targets.toml", &[("legacy-snmpd", snmpd.port)]);
    let address = format!("127.0.0.1:{}", snmpd.port);

    // What net-snmp's own snmpwalk reads of hrSWInstalledName: one row per package.
    let names = snmp.walk(&snmpd, &user, ".1.3.6.1.2.1.25.6.3.1.2");
    // And what dpkg says is installed: every (name, version) listed must be one of these, or
    // (for a name net-snmp cut at 63 octets) a prefix of one, marked as cut.
    let dpkg = String::from_utf8(
        Command::new("dpkg-query")
            .args(["-W", "-f", "${Package} ${Version}\n"])
            .output()
            .expect("dpkg-query")
            .stdout,
    )
    .expect("utf-8");
    let installed: BTreeSet<(&str, &str)> =
        dpkg.lines().filter_map(|l| l.split_once(' ')).collect();
    let is_installed = |name: &str, version: &str| match version.strip_suffix('…') {
        None => installed.contains(&(name, version)),
        Some(cut) => installed
            .iter()
            .any(|(n, v)| *n == name && v.starts_with(cut) && v.len() > cut.len()),
    };
    let want: BTreeSet<String> = names.iter().map(|b| b.value.clone()).collect();
    assert!(want.len() > 100, "{}", want.len());

    let store = run.join("answers.sqlite3");
    let store_arg = store.to_str().expect("path");
    let out = run.join("sboms");
    let (code, records, stderr) = query(
        &targets,
        &[
            "inventory",
            "--cyclonedx",
            out.to_str().expect("path"),
            "--store",
            store_arg,
        ],
    );
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(
        line(
            &records[0],
            &["target", "address", "status", "method", "reason"]
        ),
        format!(
            "legacy-snmpd | {address} | no-dqi-mib | hrSWInstalledTable-walk | serves no DQI-MIB: answered from hrSWInstalledTable (RFC 2790), {} packages, name and version split from hrSWInstalledName; no purl, hash or VEX",
            names.len()
        )
    );
    let listed = &records[1..];
    assert!(
        listed
            .iter()
            .all(|r| r["status"] == "listed" && r["method"] == "hrSWInstalledTable-walk"),
        "{listed:?}"
    );
    assert_eq!(listed.len(), names.len());
    for r in listed {
        let (name, version) = (
            r["name"].as_str().unwrap_or_default(),
            r["version"].as_str().unwrap_or_default(),
        );
        assert!(
            is_installed(name, version),
            "{name} {version}: not what dpkg lists"
        );
    }
    let cut = listed
        .iter()
        .filter(|r| r["version"].as_str().is_some_and(|v| v.ends_with('…')))
        .count();
    assert_eq!(
        cut,
        want.iter().filter(|n| n.split('_').count() == 2).count(),
        "exactly the names net-snmp cut short are marked"
    );
    let want = lines(listed, &["name", "version"]);
    assert!(
        stderr.contains("1 devices, 1 answered (1 without DQI-MIB), 0 not asked"),
        "{stderr}"
    );

    // Its CycloneDX document: valid 1.6, every package a component, the method stated.
    let path = out.join("legacy-snmpd.cdx.json");
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(&path).expect("document")).expect("JSON");
    assert_eq!(
        doc["metadata"]["component"]["properties"][2],
        serde_json::json!({ "name": "dqi:method", "value": "hrSWInstalledTable-walk" })
    );
    let exported: BTreeSet<String> = doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .map(|c| {
            format!(
                "{} | {}",
                c["name"].as_str().unwrap_or_default(),
                c["version"].as_str().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(exported, want);
    assert_schema_valid(&path, names.len(), "legacy-snmpd", &run);

    // Offline, snmpd switched off: the store still knows it served no DQI-MIB, and a purl
    // question still cannot be answered from it.
    drop(snmpd);
    let (code, records, stderr) = query(
        &targets,
        &["find", "snmpd", "--store", store_arg, "--offline"],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        lines(&records, &["status", "name", "method"]),
        set(&[
            "no-dqi-mib |  | hrSWInstalledTable-walk".to_string(),
            "found | snmpd | store".to_string()
        ])
    );
    let osv = osv_fixtures();
    let (code, records, stderr) = query(
        &targets,
        &[
            "advisories",
            "--osv",
            osv.to_str().expect("path"),
            "--store",
            store_arg,
            "--offline",
        ],
    );
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(
        lines(&records, &["status", "reason"]),
        set(&[format!(
            "no-purl | serves no DQI-MIB: its hrSWInstalledTable (RFC 2790) lists {} packages by name and version only, without purls: OSV records name purls and cannot be matched",
            names.len()
        )])
    );
}

/// dqiAgent counters of the budget (DQI-MIB dqiAgent 22, 26, 35, 37).
const REJECTED_PRINCIPAL: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.5.22.0";
const BULK_CAPPED: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.5.26.0";
const HELD: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.5.35.0";
const BULK_SHAPED: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.5.37.0";

#[test]
fn a_whole_inventory_is_paced_below_the_devices_budget() {
    let Some(snmp) = NetSnmp::named() else { return };
    // A tight budget for the query's user: 5,000 cost units a second, a bucket of 1,000,
    // GetBulks capped at 10 repetitions and 50 bindings. Reading 300 rows of 11 columns costs
    // about 3,300 units of bindings plus 32 per request, so more than a second of the budget:
    // a query that did not pace would be held (dqiBudgetHeld) or shaped (dqiBudgetBulkShaped),
    // and one asking for more than the caps would be capped (dqiBudgetBulkCapped).
    let budget = ROOMY_BUDGET
        .replace(
            "per_user = \"1000000/second\"",
            "per_user = \"5000/second\"\nuser_burst = 1000",
        )
        .replace("max_repetitions = 10000", "max_repetitions = 10")
        .replace(
            "max_response_varbinds = 10000",
            "max_response_varbinds = 50",
        );
    let dir = TestDir::new("q-paced");
    write_file(&dir.join("sbom.cdx.json"), &large_flat_sbom(300), 0o600);
    let auditor = User::new("auditor", "SHA-256", Some("AES-128"));
    let config = Config::new(vec![
        User::new(USER, "SHA-256", Some("AES-128")),
        auditor.clone(),
    ])
    .with_section(&budget)
    .with_section("[device]\nsbom = [\"sbom.cdx.json\"]\n");
    let agent = Agent::start(&dir, &config);
    let run = TestDir::new("q-paced-run");
    let targets = targets_file(&run, "targets.toml", &[("pump", agent.port)]);
    let started = std::time::Instant::now();
    let (code, records, stderr) = query(&targets, &["--no-store", "inventory"]);
    let took = started.elapsed();
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(records.len(), 300, "{stderr}");
    let counter = |oid: &str| snmp.counter(&agent, &auditor, oid);
    assert_eq!(
        [HELD, BULK_SHAPED, BULK_CAPPED, REJECTED_PRINCIPAL].map(counter),
        [0; 4],
        "held, shaped, capped, refused (the query took {took:?})"
    );
    // It did wait: the bucket holds a fifth of what the inventory costs.
    assert!(took >= std::time::Duration::from_millis(500), "{took:?}");
}

#[test]
fn a_silent_device_is_listed_as_timed_out_after_its_retries() {
    let dir = TestDir::new("q-silent");
    // It takes the datagrams and never answers (a closed port would answer ICMP at once).
    let silent = std::net::UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind");
    let port = silent.local_addr().expect("address").port();
    silent.set_nonblocking(true).expect("nonblocking");
    let targets = targets_file(&dir, "targets.toml", &[("silent", port)]);
    // query() passes --timeout 500ms --retries 1: 0.5 s, then 1 s.
    let started = std::time::Instant::now();
    let (code, records, stderr) = query(&targets, &["--no-store", "find", "log4j-core"]);
    let waited = started.elapsed();
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(
        lines(&records, &["target", "status", "reason"]),
        set(&["silent | timeout | no answer to the discovery after 2 tries".to_string()])
    );
    assert!(
        waited >= std::time::Duration::from_millis(1500),
        "{waited:?}"
    );
    // Exactly the two tries reached it: the first and one retry.
    let mut buf = [0u8; 2048];
    let mut datagrams = 0;
    while silent.recv_from(&mut buf).is_ok() {
        datagrams += 1;
    }
    assert_eq!(datagrams, 2);
}

/// snmpInPkts, usmStatsNotInTimeWindows and usmStatsUnknownEngineIDs of `agent`, read with
/// net-snmp (one snmpget, which itself costs a discovery and a request).
fn engine_counters(snmp: &NetSnmp, agent: &Agent) -> [u64; 3] {
    let user = User::new(USER, "SHA-256", Some("AES-128"));
    let oids = [
        ".1.3.6.1.2.1.11.1.0",
        ".1.3.6.1.6.3.15.1.1.2.0",
        ".1.3.6.1.6.3.15.1.1.4.0",
    ];
    let bindings = snmp.get(agent, &user, &oids);
    let n = |i: usize| bindings[i].number().expect("a counter");
    [n(0), n(1), n(2)]
}

/// What the store remembers of `target`'s engine: (engine ID, boots), and the datagrams of its
/// latest run.
fn remembered(store: &Path, target: &str) -> (String, i64, i64) {
    let db = rusqlite::Connection::open(store).expect("the store opens");
    let (engine_id, boots) = db
        .query_row(
            "SELECT engine_id, boots FROM engines WHERE target = ?1",
            [target],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("an engines row");
    let datagrams = db
        .query_row(
            "SELECT datagrams FROM devices WHERE target = ?1 ORDER BY run DESC LIMIT 1",
            [target],
            |r| r.get(0),
        )
        .expect("a devices row");
    (engine_id, boots, datagrams)
}

/// RFC 3414 §2.3, §3.2 step 7b, §4: the store remembers each device's engine, so a second run
/// asks without discovery; a rebooted agent (boots + 1) is resynchronised from its
/// authenticated notInTimeWindow Report, and so is a drifted clock; a replaced engine ID
/// (unknownEngineID) is discovered again; an engine ID pinned in the targets file still wins.
/// The datagrams are counted by the agent itself (snmpInPkts and the USM counters), net of
/// the counting snmpget's own.
#[test]
fn a_remembered_engine_skips_discovery_and_recovers_from_reboot_and_replacement() {
    let Some(snmp) = NetSnmp::named() else { return };
    let hex = |s: &str| -> String { s.bytes().map(|b| format!("{b:02x}")).collect() };
    let first_engine = format!("80001f8804{}", hex("warm-pump-1"));
    let second_engine = format!("80001f8804{}", hex("warm-pump-2"));
    let dir = TestDir::new("q-warm");
    write_file(
        &dir.join("sbom.cdx.json"),
        &maven_sbom(&[("log4j-core", "2.14.1", 'b'), ("commons-text", "1.9", 'd')]),
        0o600,
    );
    let mut config = device_config("[device]\nsbom = [\"sbom.cdx.json\"]\n");
    config.engine_id = Some(first_engine.clone());
    let mut agent = Agent::start(&dir, &config);
    let run = TestDir::new("q-warm-run");
    let targets = targets_file(&run, "targets.toml", &[("pump", agent.port)]);
    let store = run.join("answers.sqlite3");
    let store_arg = store.to_str().expect("path").to_string();
    // Datagrams are counted exactly, so a retry would fail the test: a patient timeout (it
    // overrides the helper's 500 ms) keeps a slow scheduler under a loaded CI from causing one.
    let find = [
        "find",
        "pkg:maven/org.apache.logging.log4j/log4j-core",
        "--store",
        &store_arg,
        "--timeout",
        "10s",
    ];
    let address = format!("127.0.0.1:{}", agent.port);
    let fields = [
        "target",
        "address",
        "engine_id",
        "status",
        "name",
        "version",
    ];
    let expect = |engine: &str| {
        set(&[format!(
            "pump | {address} | {engine} | found | log4j-core | 2.14.1"
        )])
    };
    // The counting snmpget's own cost, from two reads back to back.
    let a = engine_counters(&snmp, &agent);
    let b = engine_counters(&snmp, &agent);
    let own = [b[0] - a[0], b[1] - a[1], b[2] - a[2]];
    // [snmpInPkts, notInTimeWindows, unknownEngineIDs] that one dqi-query run added.
    let mut before = b;
    let cost = |agent: &Agent, before: &mut [u64; 3]| -> [u64; 3] {
        let now = engine_counters(&snmp, agent);
        let added = [0, 1, 2].map(|i| now[i] - before[i] - own[i]);
        *before = now;
        added
    };
    // One run that finds log4j-core on the device with `engine`: the datagrams it cost the
    // agent (`why` names them) and what the store then remembers, (boots, datagrams).
    let finds = |agent: &Agent,
                 before: &mut [u64; 3],
                 engine: &str,
                 counted: [u64; 3],
                 why: &str,
                 stored: (i64, i64)| {
        let (code, records, stderr) = query(&targets, &find);
        assert_eq!(code, 1, "{stderr}");
        assert_eq!(lines(&records, &fields), expect(engine));
        assert_eq!(cost(agent, before), counted, "{why}: {stderr}");
        assert_eq!(
            remembered(&store, "pump"),
            (engine.to_string(), stored.0, stored.1)
        );
    };

    // First run: discovery (a probe), then the GetBulk and the Get: 6 datagrams.
    let probe = "probe, GetBulk, Get";
    finds(&agent, &mut before, &first_engine, [3, 0, 1], probe, (1, 6));

    // Second run: the remembered engine, no probe: 4 datagrams.
    let warm = "GetBulk and Get only";
    finds(&agent, &mut before, &first_engine, [2, 0, 0], warm, (1, 4));

    // The device reboots (boots 2): the first request draws an authenticated notInTimeWindow
    // Report, whose boots and time the request is sent again with.
    agent.restart_with(&config);
    // A new process: its counters start again.
    before = engine_counters(&snmp, &agent);
    let resync = "GetBulk refused, GetBulk, Get";
    finds(
        &agent,
        &mut before,
        &first_engine,
        [3, 1, 0],
        resync,
        (2, 6),
    );
    let (_, _, stderr) = query(&targets, &find);
    assert_eq!(
        cost(&agent, &mut before),
        [2, 0, 0],
        "resynchronised: {stderr}"
    );

    // The clock drifted: the store says the time was learned 1,000 s before it was, so the
    // estimate runs 1,000 s ahead, outside the 150 s window: resynchronised the same way.
    rusqlite::Connection::open(&store)
        .expect("the store opens")
        .execute("UPDATE engines SET learned = learned - 1000", [])
        .expect("drift");
    finds(
        &agent,
        &mut before,
        &first_engine,
        [3, 1, 0],
        resync,
        (2, 6),
    );

    // The device is replaced (another engine ID at the address): an unknownEngineID Report,
    // then discovery as on a first run.
    let mut replaced = config.clone();
    replaced.engine_id = Some(second_engine.clone());
    agent.restart_with(&replaced);
    before = engine_counters(&snmp, &agent);
    let rediscovered = "GetBulk to the old engine, probe, GetBulk, Get";
    finds(
        &agent,
        &mut before,
        &second_engine,
        [4, 0, 2],
        rediscovered,
        (1, 8),
    );

    // The targets file pins the first engine ID: the pin wins over the store, and the
    // replaced device is refused.
    let pinned = run.join("pinned.toml");
    let text = std::fs::read_to_string(&targets).expect("targets file")
        + &format!("engine_id = \"{first_engine}\"\n");
    write_file(&pinned, &text, 0o600);
    let (code, records, stderr) = query(&pinned, &find);
    assert_eq!(code, 3, "{stderr}");
    assert_eq!(
        lines(&records, &["target", "status", "reason"]),
        set(&[format!(
            "pump | refused | engine ID {second_engine} is not the {first_engine} the targets file names"
        )])
    );
    assert_eq!(cost(&agent, &mut before), [1, 0, 1], "the probe only");
}
