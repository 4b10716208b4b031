//! The net-snmp commands the README and the demo banner show work exactly as written, on a
//! machine set up like a fresh Debian with only the `snmp` package: its snmp.conf loads no MIBs
//! (`mibs :`) and no MIB directory is configured, so a name resolves only through what the
//! command names itself (`-M mibs`, the repository's self-contained MIB directory). The one
//! change made to a command is the demo's port: the test runs the demo on a free port, not 1161.

mod common;

use std::path::{Path, PathBuf};

use common::*;

const TOOLS: [&str; 4] = ["snmpwalk", "snmpbulkwalk", "snmpget", "snmptable"];

fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The README's ```sh blocks that run net-snmp tools against the demo (`127.0.0.1:1161`).
fn readme_snmp_blocks() -> Vec<String> {
    let readme = std::fs::read_to_string(repo().join("README.md")).expect("read README.md");
    let mut blocks = Vec::new();
    let mut current: Option<String> = None;
    for line in readme.lines() {
        match (&mut current, line.trim()) {
            (None, "```sh") => current = Some(String::new()),
            (Some(block), "```") => {
                if block.contains("127.0.0.1:1161") && TOOLS.iter().any(|t| block.contains(t)) {
                    blocks.push(block.clone());
                }
                current = None;
            }
            (Some(block), _) => {
                block.push_str(line);
                block.push('\n');
            }
            (None, _) => {}
        }
    }
    blocks
}

/// Runs one documented command (or block of them) against `demo`, as a fresh Debian would, and
/// checks it succeeded silently with output; returns its stdout.
fn run_documented(demo: &Demo, cwd: &Path, home: &TestDir, script: &str) -> String {
    let script = script.replace("127.0.0.1:1161", &format!("127.0.0.1:{}", demo.port));
    let out = run_as_fresh_debian(cwd, home, &script);
    assert!(out.success(), "{script}\n{}", out.describe());
    assert!(
        out.stderr.trim().is_empty(),
        "warnings or errors (a MIB not found?):\n{script}\n{}",
        out.describe()
    );
    assert!(!out.stdout.trim().is_empty(), "no output:\n{script}");
    assert!(
        !out.stdout.contains("No Such Object") && !out.stdout.contains("No Such Instance"),
        "{script}\n{}",
        out.stdout
    );
    if script.contains("-m ALL") || script.contains("$M") {
        assert!(
            out.stdout.contains("DQI-MIB::")
                || out.stdout.contains("SNMPv2-MIB::")
                || out.stdout.contains("dqiSwName"),
            "names were not printed:\n{script}\n{}",
            out.stdout
        );
    }
    out.stdout
}

#[test]
fn the_readme_has_snmp_command_blocks() {
    let blocks = readme_snmp_blocks();
    assert!(blocks.len() >= 3, "{blocks:#?}");
    let all = blocks.concat();
    for wanted in ["snmptable", "DQI-MIB::dqiSwPurl", "-M mibs"] {
        assert!(all.contains(wanted), "no {wanted} in {blocks:#?}");
    }
    assert!(
        !all.contains("-Cf ,") && !all.contains("shared/mibs"),
        "{blocks:#?}"
    );
}

#[test]
fn readme_commands_work_with_only_the_repository_mibs() {
    if !require_programs(&TOOLS, "snmp") {
        return;
    }
    let home = TestDir::new("readme-commands");
    let demo = Demo::start(&repo());
    for block in readme_snmp_blocks() {
        run_documented(&demo, &repo(), &home, &block);
    }
}

#[test]
fn demo_banner_commands_work_as_printed() {
    if !require_programs(&TOOLS, "snmp") {
        return;
    }
    let home = TestDir::new("banner-commands");
    let demo = Demo::start(&repo());
    let commands: Vec<&str> = demo
        .banner
        .lines()
        .map(str::trim)
        .filter(|l| TOOLS.iter().any(|t| l.starts_with(t)))
        .collect();
    assert!(commands.len() >= 3, "{}", demo.banner);
    let outputs: Vec<String> = commands
        .iter()
        .map(|c| run_documented(&demo, &repo(), &home, c))
        .collect();
    // The system group (numeric), the identity by name, the software table by name.
    assert!(
        outputs[0].contains("Acme Medical Systems"),
        "{}",
        outputs[0]
    );
    assert!(commands[1].contains("-M mibs -m ALL"), "{}", commands[1]);
    assert!(
        outputs[1].contains("DQI-MIB::dqiIdManufacturer.0 = STRING: Acme Medical Systems"),
        "{}",
        outputs[1]
    );
    assert!(
        outputs[2]
            .lines()
            .any(|l| l.starts_with("log4j-core|2.14.1|")),
        "{}",
        outputs[2]
    );
}

#[test]
fn demo_banner_elsewhere_names_no_directory_that_is_not_there() {
    let cwd = TestDir::new("banner-elsewhere");
    let demo = Demo::start(cwd.path());
    let installed = Path::new("/usr/share/snmp/mibs/dqi-agent");
    if installed.join("DQI-MIB.txt").is_file() {
        assert!(
            demo.banner
                .contains("-M /usr/share/snmp/mibs/dqi-agent -m ALL"),
            "{}",
            demo.banner
        );
    } else {
        assert!(!demo.banner.contains("-M mibs"), "{}", demo.banner);
        assert!(demo.banner.contains("add -M DIR -m ALL"), "{}", demo.banner);
    }
}
