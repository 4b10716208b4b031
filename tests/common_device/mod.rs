//! Harness for the device-data integration tests: the real `dqi-agent` binary on a loopback
//! ephemeral port with a `[device]` section, driven by net-snmp's tools with the DQI-MIB and the
//! IETF MIBs loaded from the repository (never from the system's MIB path).
//!
//! Everything is bounded: start-up waits at most [`START_TIMEOUT`], a tool run at most the
//! timeout it is given, polls a fixed number of times. Processes are killed through their own
//! `Child` handle (or signalled by their own pid), never by name. A failing test keeps its
//! directory and prints the agent's log.
//!
//! Missing tools or MIB directories: under `CI=true` the test fails; elsewhere it prints a loud
//! SKIPPED line and returns, so a developer without net-snmp can still run `cargo test`.
#![allow(dead_code)]

use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::net::UdpSocket;
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

/// How long the agent may take to log that it started.
pub const START_TIMEOUT: Duration = Duration::from_secs(15);
/// A tool run on a small tree.
pub const TOOL_TIMEOUT: Duration = Duration::from_secs(30);

pub const USER: &str = "dqi-test";
pub const AUTH_PASSWORD: &str = "device-refresh-auth";
pub const PRIV_PASSWORD: &str = "device-refresh-priv";

/// `dqiMIB`, numeric, as net-snmp prints it with `-On`.
pub const DQI_ROOT: &str = ".1.3.6.1.4.1.8072.9999.9999.374";
/// `dqiSwEntry` columns, numeric (append `.<index>`).
pub const SW_NAME: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.12.1.2";
pub const SW_VERSION: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.12.1.3";
pub const SW_SUPPLIER: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.12.1.4";
pub const SW_PURL: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.12.1.6";
pub const SW_HASH_ALGORITHM: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.12.1.8";
pub const SW_HASH_VALUE: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.12.1.9";
/// dqiSoftware scalars.
pub const SW_LAST_CHANGE: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.1.0";
pub const SW_REFRESH_STATUS: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.3.0";
pub const SW_COUNT: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.4.0";
pub const SW_DIGEST: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.5.0";
/// HOST-RESOURCES-MIB hrSWInstalledName.
pub const HR_SW_INSTALLED_NAME: &str = ".1.3.6.1.2.1.25.6.3.1.2";

pub const LOG4J_PURL: &str = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1";

/// The repository's example device.
pub fn example(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/infusion-pump")
        .join(file)
}

/// A directory for one test, removed when dropped unless the test is failing.
pub struct TestDir(PathBuf);

impl TestDir {
    pub fn new(name: &str) -> TestDir {
        static NEXT: AtomicU32 = AtomicU32::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir =
            std::env::temp_dir().join(format!("dqi-device-it-{}-{n}-{name}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).expect("create test dir");
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).expect("chmod test dir");
        TestDir(dir)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("test directory kept: {}", self.0.display());
        } else {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

/// Writes `text` to `path` with `mode`, replacing it atomically (temporary file, rename) so the
/// agent never reads a half-written file.
pub fn write_file(path: &Path, text: &str, mode: u32) {
    let tmp = path.with_extension("tmp-write");
    let mut f = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(&tmp)
        .unwrap_or_else(|e| panic!("{}: {e}", tmp.display()));
    f.write_all(text.as_bytes()).expect("write");
    f.sync_all().expect("sync");
    drop(f);
    fs::rename(&tmp, path).expect("rename");
}

/// Whether the net-snmp `tools` and the MIB directories are here. Under `CI=true` their absence
/// fails the test; elsewhere it prints SKIPPED and the test returns.
pub fn prerequisites(test: &str, tools: &[&str]) -> bool {
    let mut missing: Vec<String> = tools
        .iter()
        .filter(|t| find_program(t).is_none())
        .map(|t| (*t).to_string())
        .collect();
    for dir in [repo_mib_dir(), ietf_mib_dir()] {
        if !dir
            .join(if dir == repo_mib_dir() {
                "DQI-MIB.txt"
            } else {
                "SNMPv2-SMI.txt"
            })
            .is_file()
        {
            missing.push(format!("MIB directory {}", dir.display()));
        }
    }
    if missing.is_empty() {
        return true;
    }
    let what = missing.join(", ");
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("{test}: missing {what} (CI=true: required)");
    }
    eprintln!(
        "\n!!!!! SKIPPED {test}: missing {what} (install net-snmp; set DQI_IETF_MIBS) !!!!!\n"
    );
    false
}

pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|d| d.join(name))
        .find(|p| p.is_file())
}

pub fn repo_mib_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("mibs")
}

/// The IETF MIB modules DQI-MIB imports: `DQI_IETF_MIBS`, or `../shared/mibs/ietf`.
pub fn ietf_mib_dir() -> PathBuf {
    std::env::var_os("DQI_IETF_MIBS")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/mibs/ietf"))
}

/// A UDP port on 127.0.0.1 that was free a moment ago.
fn free_udp_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("ephemeral port")
}

/// The agent configuration with `device` (a `[device]` section, or empty) appended.
fn config_text(port: u16, state_dir: &Path, device: &str) -> String {
    format!(
        r#"[agent]
listen = ["127.0.0.1:{port}"]
state_dir = "{state}"
log_level = "info"

[system]
description = "device refresh test"

[[user]]
name = "{USER}"
auth = "SHA-256"
auth_password = "{AUTH_PASSWORD}"
privacy = "AES-128"
priv_password = "{PRIV_PASSWORD}"

{device}
"#,
        state = state_dir.display()
    )
}

/// A running `dqi-agent`, killed when dropped.
pub struct Agent {
    pub port: u16,
    pub dir: PathBuf,
    log: PathBuf,
    child: Option<Child>,
}

impl Agent {
    /// Starts the agent with `device` as its `[device]` section (paths relative to `dir`, where
    /// the config file is written) and waits until it logs that it started. Retries on a new
    /// port if it exits early for another reason than a refused configuration.
    pub fn start(dir: &TestDir, device: &str) -> Agent {
        let mut last = String::new();
        for attempt in 1..=3 {
            let port = free_udp_port();
            let mut agent = Agent::spawn(dir, device, port, attempt);
            match agent.wait_started() {
                Ok(()) => return agent,
                Err(e) => {
                    last = format!("attempt {attempt}: {e}\n--- log ---\n{}", agent.log());
                    let status = agent.kill();
                    if status.is_some_and(|s| s.code() == Some(2)) || !e.starts_with("exited") {
                        break;
                    }
                }
            }
        }
        panic!("agent did not start: {last}");
    }

    /// Starts the agent and waits (bounded) for it to exit, as it must for a refused
    /// configuration or device file. Returns the status and the log.
    pub fn start_expecting_exit(dir: &TestDir, device: &str) -> (ExitStatus, String) {
        let mut agent = Agent::spawn(dir, device, free_udp_port(), 1);
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(status) = agent
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                agent.child = None;
                return (status, agent.log());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let log = agent.log();
        agent.kill();
        panic!("agent kept running with a broken device file:\n{log}");
    }

    fn spawn(dir: &TestDir, device: &str, port: u16, attempt: u32) -> Agent {
        let state_dir = dir.join("state");
        let config = dir.join("agent.toml");
        write_file(&config, &config_text(port, &state_dir, device), 0o600);
        let log = dir.join(&format!("agent-{attempt}.log"));
        let child = Command::new(env!("CARGO_BIN_EXE_dqi-agent"))
            .arg("--config")
            .arg(&config)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).expect("log file"))
            .spawn()
            .expect("spawn dqi-agent");
        Agent {
            port,
            dir: dir.path().to_path_buf(),
            log,
            child: Some(child),
        }
    }

    fn wait_started(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        while Instant::now() < deadline {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                return Err(format!("exited during start-up with {status}"));
            }
            if self.log().contains("dqi-agent started") {
                return Ok(());
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        Err(format!("no start-up line within {START_TIMEOUT:?}"))
    }

    /// What the agent logged so far.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn pid(&self) -> u32 {
        self.child.as_ref().map(Child::id).expect("agent running")
    }

    /// Sends SIGHUP to this agent's own pid.
    pub fn hangup(&self) {
        let pid = libc::pid_t::try_from(self.pid()).expect("pid fits pid_t");
        // SAFETY: kill(2) takes plain integers and touches no memory of this process; the pid
        // is this test's own child, which has not been reaped while `self.child` is Some.
        let rc = unsafe { libc::kill(pid, libc::SIGHUP) };
        assert_eq!(rc, 0, "kill(SIGHUP): {}", std::io::Error::last_os_error());
    }

    /// Resident set size in KiB, from /proc/<pid>/status.
    pub fn rss_kib(&self) -> Option<u64> {
        let status = fs::read_to_string(format!("/proc/{}/status", self.pid())).ok()?;
        let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
        line.split_whitespace().nth(1)?.parse().ok()
    }

    /// Kills the agent through its handle and reaps it; the status if it had already exited.
    pub fn kill(&mut self) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        let _ = child.kill();
        let _ = child.wait();
        None
    }

    /// A net-snmp tool against this agent (authPriv, one retry, 2 s per try), with the MIBs
    /// loaded from the repository: `tool OPTIONS... AGENT OIDS...`. Returns stdout; panics with
    /// stderr and the agent's log on a failure, a timeout or any stderr output.
    pub fn snmp(&self, tool: &str, options: &[&str], oids: &[&str]) -> String {
        self.snmp_with_timeout(tool, options, oids, TOOL_TIMEOUT)
    }

    pub fn snmp_with_timeout(
        &self,
        tool: &str,
        options: &[&str],
        oids: &[&str],
        limit: Duration,
    ) -> String {
        let (status, out, err) = self.run_tool(tool, options, oids, limit);
        // net-snmp announces the directories it creates under SNMP_PERSISTENT_DIR; anything
        // else on stderr (a MIB parse error, "Wrong Type", a timeout) fails the test.
        let complaints: Vec<&str> = err
            .lines()
            .filter(|l| !l.trim().is_empty() && !l.starts_with("Created directory:"))
            .collect();
        if !status.is_some_and(|s| s.success()) || !complaints.is_empty() {
            panic!(
                "{tool} {options:?} {oids:?}: {status:?}\n--- stderr ---\n{err}\n--- agent log ---\n{}",
                self.log()
            );
        }
        out
    }

    /// Runs `tool`, killing it after `limit`; (status or None on timeout, stdout, stderr).
    pub fn run_tool(
        &self,
        tool: &str,
        options: &[&str],
        oids: &[&str],
        limit: Duration,
    ) -> (Option<ExitStatus>, String, String) {
        static RUN: AtomicU32 = AtomicU32::new(0);
        let n = RUN.fetch_add(1, Ordering::Relaxed);
        let out_path = self.dir.join(format!("{tool}-{n}.out"));
        let err_path = self.dir.join(format!("{tool}-{n}.err"));
        let mibs = std::env::join_paths([repo_mib_dir(), ietf_mib_dir()]).expect("MIB path");
        let net_snmp_home = self.dir.join("net-snmp");
        let _ = fs::create_dir_all(&net_snmp_home);
        let mut child = Command::new(tool)
            .args([
                "-v3",
                "-l",
                "authPriv",
                "-u",
                USER,
                "-a",
                "SHA-256",
                "-A",
                AUTH_PASSWORD,
                "-x",
                "AES",
                "-X",
                PRIV_PASSWORD,
                "-t",
                "2",
                "-r",
                "1",
                "-m",
                "ALL",
                "-M",
            ])
            .arg(&mibs)
            .args(options)
            .arg(format!("udp:127.0.0.1:{}", self.port))
            .args(oids)
            // No user or system snmp.conf (a defSecurityName there would change the session);
            // nothing persisted outside the test directory.
            .env("SNMPCONFPATH", &net_snmp_home)
            .env("SNMP_PERSISTENT_DIR", &net_snmp_home)
            .env_remove("MIBS")
            .env_remove("MIBDIRS")
            .stdin(Stdio::null())
            .stdout(File::create(&out_path).expect("stdout file"))
            .stderr(File::create(&err_path).expect("stderr file"))
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {tool}: {e}"));
        let deadline = Instant::now() + limit;
        let status = loop {
            if let Ok(Some(status)) = child.try_wait() {
                break Some(status);
            }
            if Instant::now() >= deadline {
                let _ = child.kill();
                let _ = child.wait();
                break None;
            }
            std::thread::sleep(Duration::from_millis(10));
        };
        let out = fs::read_to_string(&out_path).unwrap_or_default();
        let err = fs::read_to_string(&err_path).unwrap_or_default();
        (status, out, err)
    }

    /// One object's value as net-snmp prints it with `-Oqv -Oe` (numeric enums and TimeTicks; strings in
    /// quotes unless `-Oa`-style printing applies).
    pub fn get(&self, oid: &str) -> String {
        self.snmp("snmpget", &["-Oqv", "-Oe", "-Ot"], &[oid])
            .trim()
            .to_string()
    }

    /// `snmpwalk -On -Oq -Oe` under `oid`: (numeric OID, value) pairs.
    pub fn walk(&self, oid: &str) -> Vec<(String, String)> {
        parse_walk(&self.snmp("snmpwalk", &["-On", "-Oq", "-Oe", "-Ot"], &[oid]))
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("--- agent log ---\n{}", self.log());
        }
        self.kill();
    }
}

/// Lines `OID VALUE` (net-snmp `-On -Oq`) into pairs. A value may hold spaces and, for long
/// hex strings, continue on the next lines (which do not start with `.`). The end-of-view line
/// net-snmp prints after the last object is left out.
pub fn parse_walk(out: &str) -> Vec<(String, String)> {
    let mut rows: Vec<(String, String)> = Vec::new();
    for line in out.lines().filter(|l| !l.trim().is_empty()) {
        match (line.starts_with('.'), rows.last_mut()) {
            (false, Some((_, value))) => {
                value.push(' ');
                value.push_str(line.trim());
            }
            _ => rows.push(match line.split_once(' ') {
                Some((oid, value)) => (oid.to_string(), value.trim().to_string()),
                None => (line.to_string(), String::new()),
            }),
        }
    }
    rows.retain(|(_, v)| !v.starts_with("No more variables left in this MIB View"));
    rows
}

/// The value without net-snmp's surrounding quotes.
pub fn unquote(value: &str) -> &str {
    value
        .strip_prefix('"')
        .and_then(|v| v.strip_suffix('"'))
        .unwrap_or(value)
}

/// The last sub-identifier of a numeric OID: the row index of a single-index table.
pub fn row_index(oid: &str) -> u32 {
    oid.rsplit('.')
        .next()
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no index in {oid}"))
}
