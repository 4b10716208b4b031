//! Hostile device and state files against the real binary (issue 12): a FIFO never hangs
//! `--check-config`, a refresh or shutdown; a reload too big for the address space is refused
//! with a message instead of aborting the process; the agent runs with core dumps off.
#![cfg(feature = "server")]

mod common;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;

fn mkfifo(path: &Path) {
    let _ = std::fs::remove_file(path);
    let made = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("run mkfifo");
    assert!(made.success(), "mkfifo {}", path.display());
}

/// Writes the agent config with `section` into `dir` and returns its path.
fn config_file(dir: &TestDir, section: &str) -> std::path::PathBuf {
    device_config(section).write_unstarted(dir, "check.toml")
}

// Regression (issue 12 #4): `--check-config` with a FIFO as the SBOM blocked in open(2) for
// ever. It must exit by itself (run_agent_binary kills it after its deadline and fails).
#[test]
fn check_config_with_a_fifo_sbom_exits_naming_it() {
    let dir = TestDir::new("fifo-check");
    mkfifo(&dir.join("sbom.cdx.json"));
    let config = config_file(&dir, "[device]\nsbom = [\"sbom.cdx.json\"]\n");
    let out = check_config(&config);
    assert_eq!(out.code(), Some(2), "{}", out.describe());
    assert!(
        out.stderr
            .contains("sbom.cdx.json: is a FIFO (named pipe), not a regular file"),
        "{}",
        out.describe()
    );
}

// Regression (issue 12 #4): a FIFO put in place of an SBOM, then SIGHUP, left the refresh
// blocked in open(2): the status stayed ok(1), later SIGHUPs did nothing, and SIGTERM did not
// end the agent. Now the refresh fails at once, keeps the previous data and says so.
#[test]
fn a_fifo_sbom_on_reload_is_refused_and_sigterm_still_stops_the_agent() {
    let dir = TestDir::new("fifo-reload");
    let (sbom, section) = sbom_device(&dir, &maven_sbom(&[("log4j-core", "2.14.1", 'b')]), 0);
    let Some(mut device) = Device::start(&dir, &section) else {
        return;
    };
    assert_eq!(device.value(SW_COUNT), "1");
    mkfifo(&sbom);
    device.agent.hangup();
    device.poll_until(SW_REFRESH_STATUS, "2");
    assert_eq!(device.value(SW_COUNT), "1", "the previous data is served");
    // A later SIGHUP is still handled: the file fixed, the status comes back.
    write_file(
        &sbom,
        &maven_sbom(&[
            ("log4j-core", "2.17.1", 'c'),
            ("jackson-core", "2.12.3", 'a'),
        ]),
        0o600,
    );
    device.agent.hangup();
    device.poll_until(SW_COUNT, "2");
    mkfifo(&sbom);
    device.agent.hangup();
    device.poll_until(SW_REFRESH_STATUS, "2");
    let status = device.agent.terminate(Duration::from_secs(10));
    assert!(
        status.is_some_and(|s| s.success()),
        "SIGTERM stops the agent: {status:?}\n{}",
        device.agent.stderr()
    );
    assert!(device.agent.stderr().contains("is a FIFO (named pipe)"));
}

// Regression (issue 12 #3): under a 1 GB address-space limit a reload onto a large SBOM
// aborted the agent (`memory allocation of ... failed`, exit 134). The memory a snapshot will
// need is now checked first: the load is refused with a message and the process carries on.
// `--check-config` runs the same loader without a socket, which keeps the test small.
#[test]
fn a_load_that_would_not_fit_the_address_space_is_refused_not_aborted() {
    let dir = TestDir::new("rlimit-as");
    // About 40 MB of JSON: parsed, hundreds of MB, far over the 300 MB address space below.
    write_file(&dir.join("big.cdx.json"), &large_flat_sbom(200_000), 0o600);
    let config = config_file(
        &dir,
        "[device]\nsbom = [\"big.cdx.json\"]\n[device.limits]\nmax_file_bytes = 1000000000\n\
         max_components = 1000000\nmax_memory_mib = 100000\n",
    );
    let script = format!(
        "ulimit -v 300000 && exec '{}' --check-config '{}'",
        env!("CARGO_BIN_EXE_dqi-agent"),
        config.display()
    );
    let out = run_with_deadline(Command::new("sh").args(["-c", &script]), EXIT_TIMEOUT);
    assert_eq!(
        out.code(),
        Some(2),
        "refused, not aborted: {}",
        out.describe()
    );
    assert!(
        out.stderr
            .contains("big.cdx.json: building the snapshot needs about")
            && out
                .stderr
                .contains("(RLIMIT_AS); keeping the previous data"),
        "{}",
        out.describe()
    );
}

// Regression (issue 12 #3): after reloading from a 500k-component SBOM back to a 30-row one,
// the agent kept 1.5 GB resident. Freed pages now go back to the system after a refresh.
#[test]
fn memory_is_returned_after_the_inventory_shrinks() {
    let dir = TestDir::new("shrink");
    let (sbom, section) = sbom_device(&dir, &large_flat_sbom(15_000), 0);
    let Some(device) = Device::start(&dir, &section) else {
        return;
    };
    assert_eq!(device.value(SW_COUNT), "15000");
    let big = device.agent.rss_kib().expect("rss");
    let rows: Vec<(String, String, char)> = (0..30)
        .map(|i| (format!("lib{i}"), "1.0".to_string(), 'a'))
        .collect();
    let rows: Vec<(&str, &str, char)> = rows
        .iter()
        .map(|(n, v, c)| (n.as_str(), v.as_str(), *c))
        .collect();
    write_file(&sbom, &maven_sbom(&rows), 0o600);
    device.agent.hangup();
    device.poll_until(SW_COUNT, "30");
    // The old tree is freed and trimmed on a blocking thread just after the swap.
    let mut small = big;
    for _ in 0..50 {
        std::thread::sleep(Duration::from_millis(100));
        small = device.agent.rss_kib().expect("rss");
        if small < big / 2 {
            break;
        }
    }
    assert!(
        small < big / 2,
        "resident memory {big} KiB with 15,000 rows, still {small} KiB with 30"
    );
}

// Regression (issue 12 #6): a core of a running agent held its passphrases. The process now
// sets its core size limit to 0 (and is not dumpable) unless `agent.core_dumps = true`.
#[test]
fn the_agent_runs_with_core_dumps_off() {
    let dir = TestDir::new("core");
    let mut agent = Agent::start(&dir, &device_config(""));
    let pid = agent.pid().expect("running");
    let limits = std::fs::read_to_string(format!("/proc/{pid}/limits")).expect("limits");
    let core = limits
        .lines()
        .find(|l| l.starts_with("Max core file size"))
        .expect("core line");
    let soft = core.split_whitespace().nth(4).expect("soft limit");
    assert_eq!(soft, "0", "{core}");
    agent.terminate(Duration::from_secs(10));
}
