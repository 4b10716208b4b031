//! The integration-test harness: start the real `dqi-agent` binary (or, to validate the harness
//! itself, net-snmp's `snmpd`) on a loopback ephemeral port, and drive it with net-snmp's
//! command-line tools.
//!
//! Everything here is bounded: agent start-up waits at most [`START_TIMEOUT`], every tool run at
//! most [`TOOL_TIMEOUT`], and every process started here is killed (by its own handle, never by
//! name) when its owner is dropped. A test that panics keeps its temporary directory and prints
//! the agent's stderr, so a failure can be read without rerunning it.
//!
//! Output is asserted on numeric OIDs (`-On`) and numeric enums (`-Oe`), so no assertion depends
//! on MIB modules being installed; the modules are still loaded when present (`-M`, `-m`) so that
//! a human rerunning a printed command line sees names.
#![allow(dead_code)]

mod agent;
mod config;
mod discovery;
mod netsnmp;
pub mod snmp2_client;

pub use agent::*;
pub use config::*;
pub use discovery::*;
pub use netsnmp::*;

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::net::{Ipv6Addr, SocketAddr, UdpSocket};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// How long an agent may take to answer its first discovery probe.
pub const START_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest any single tool invocation may run before it is killed.
pub const TOOL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a process given a config it must refuse may run before the test gives up on it.
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// The net-snmp tools the interop tests drive.
pub const NETSNMP_TOOLS: [&str; 6] = [
    "snmpget",
    "snmpgetnext",
    "snmpbulkget",
    "snmpwalk",
    "snmpbulkwalk",
    "snmpset",
];

// Object identifiers the tests read, numeric so that no MIB is needed.
pub const SYS_DESCR: &str = ".1.3.6.1.2.1.1.1.0";
pub const SYS_OBJECT_ID: &str = ".1.3.6.1.2.1.1.2.0";
pub const SYS_UPTIME: &str = ".1.3.6.1.2.1.1.3.0";
pub const SYS_CONTACT: &str = ".1.3.6.1.2.1.1.4.0";
pub const SYS_NAME: &str = ".1.3.6.1.2.1.1.5.0";
pub const SYS_LOCATION: &str = ".1.3.6.1.2.1.1.6.0";
pub const SYS_SERVICES: &str = ".1.3.6.1.2.1.1.7.0";
pub const SYS_OR_LAST_CHANGE: &str = ".1.3.6.1.2.1.1.8.0";
pub const SYS_OR_TABLE: &str = ".1.3.6.1.2.1.1.9";
pub const SYSTEM: &str = ".1.3.6.1.2.1.1";
/// snmpInBadVersions (RFC 3418).
pub const SNMP_IN_BAD_VERSIONS: &str = ".1.3.6.1.2.1.11.3.0";
/// snmpInASNParseErrs (RFC 3418).
pub const SNMP_IN_ASN_PARSE_ERRS: &str = ".1.3.6.1.2.1.11.6.0";
pub const SNMP_ENGINE_ID: &str = ".1.3.6.1.6.3.10.2.1.1.0";
pub const SNMP_ENGINE_BOOTS: &str = ".1.3.6.1.6.3.10.2.1.2.0";
pub const SNMP_ENGINE_TIME: &str = ".1.3.6.1.6.3.10.2.1.3.0";
pub const SNMP_ENGINE_MAX_MESSAGE_SIZE: &str = ".1.3.6.1.6.3.10.2.1.4.0";
/// usmStats (RFC 3414 §5): the six counters below it.
pub const USM_STATS: &str = ".1.3.6.1.6.3.15.1.1";
pub const USM_STATS_UNSUPPORTED_SEC_LEVELS: &str = ".1.3.6.1.6.3.15.1.1.1.0";
pub const USM_STATS_NOT_IN_TIME_WINDOWS: &str = ".1.3.6.1.6.3.15.1.1.2.0";
pub const USM_STATS_UNKNOWN_USER_NAMES: &str = ".1.3.6.1.6.3.15.1.1.3.0";
pub const USM_STATS_UNKNOWN_ENGINE_IDS: &str = ".1.3.6.1.6.3.15.1.1.4.0";
pub const USM_STATS_WRONG_DIGESTS: &str = ".1.3.6.1.6.3.15.1.1.5.0";
pub const USM_STATS_DECRYPTION_ERRORS: &str = ".1.3.6.1.6.3.15.1.1.6.0";

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

/// True when running under CI (`CI=true`, as `.ci/run` exports): missing tools fail tests there
/// instead of skipping them.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// Looks `name` up in `PATH` and the sbin directories (`snmpd` lives in `/usr/sbin`).
pub fn find_program(name: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .chain(["/usr/sbin", "/usr/local/sbin", "/sbin"].map(PathBuf::from))
        .map(|dir| dir.join(name))
        .find(|candidate| {
            fs::metadata(candidate)
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Returns whether every program in `names` is installed. When one is missing: under CI the
/// test fails; elsewhere it prints a loud SKIPPED line and the caller returns early.
pub fn require_programs(names: &[&str], package: &str) -> bool {
    for name in names {
        if find_program(name).is_none() {
            let message = format!("{name} not found (apt-get install {package})");
            if under_ci() {
                panic!("{message}: required under CI");
            }
            eprintln!("\n*** SKIPPED: {message} ***\n");
            return false;
        }
    }
    true
}

/// Returns a free UDP port on `ip`: bind to port 0, read the port, release it. The agent binds it
/// right after; [`Agent::start`] retries with a new port if another process won the race.
pub fn free_udp_port(ip: std::net::IpAddr) -> u16 {
    let socket = UdpSocket::bind(SocketAddr::new(ip, 0)).expect("bind an ephemeral UDP port");
    socket.local_addr().expect("local address").port()
}

/// Whether this host can use IPv6 loopback.
pub fn ipv6_loopback_available() -> bool {
    UdpSocket::bind((Ipv6Addr::LOCALHOST, 0)).is_ok()
}

/// The directory holding the IETF MIB modules: `DQI_IETF_MIBS`, else `../shared/mibs/ietf`.
pub fn ietf_mib_dir() -> PathBuf {
    match std::env::var_os("DQI_IETF_MIBS") {
        Some(dir) => PathBuf::from(dir),
        None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/mibs/ietf"),
    }
}

// ---------------------------------------------------------------------------------------------
// Temporary directories
// ---------------------------------------------------------------------------------------------

/// A unique private temporary directory, removed on drop unless the test is panicking.
pub struct TestDir {
    path: PathBuf,
}

impl TestDir {
    pub fn new(label: &str) -> TestDir {
        static COUNTER: AtomicU32 = AtomicU32::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0);
        let path = std::env::temp_dir().join(format!(
            "dqi-itest-{label}-{}-{n}-{nanos:08x}",
            std::process::id()
        ));
        fs::create_dir_all(&path).expect("create test directory");
        fs::set_permissions(&path, fs::Permissions::from_mode(0o700)).expect("chmod test dir");
        TestDir { path }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn join(&self, name: &str) -> PathBuf {
        self.path.join(name)
    }
}

impl Drop for TestDir {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!("test files kept in {}", self.path.display());
        } else {
            let _ = fs::remove_dir_all(&self.path);
        }
    }
}

/// Writes `contents` to `path` with permission bits `mode` (set explicitly, whatever the umask).
pub fn write_file(path: &Path, contents: &str, mode: u32) {
    let _ = fs::remove_file(path);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(path)
        .unwrap_or_else(|e| panic!("create {}: {e}", path.display()));
    file.write_all(contents.as_bytes()).expect("write file");
    fs::set_permissions(path, fs::Permissions::from_mode(mode)).expect("chmod file");
}

// ---------------------------------------------------------------------------------------------
// Running processes with bounded time
// ---------------------------------------------------------------------------------------------

/// The outcome of one tool or binary run.
#[derive(Debug)]
pub struct ProcessOutput {
    pub command: String,
    pub status: ExitStatus,
    pub stdout: String,
    pub stderr: String,
}

impl ProcessOutput {
    pub fn success(&self) -> bool {
        self.status.success()
    }

    pub fn code(&self) -> Option<i32> {
        self.status.code()
    }

    /// The bindings printed on stdout (tools run with `-On`).
    pub fn bindings(&self) -> Vec<Binding> {
        parse_bindings(&self.stdout)
    }

    /// A one-stop description for assertion messages.
    pub fn describe(&self) -> String {
        format!(
            "command: {}\nstatus: {}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.command,
            self.status,
            self.stdout.trim_end(),
            self.stderr.trim_end()
        )
    }
}

/// Runs `command` with stdout and stderr captured, killing it after `timeout`.
pub fn run_with_deadline(command: &mut Command, timeout: Duration) -> ProcessOutput {
    let printable = format!("{command:?}");
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {printable}: {e}"));
    // Read both pipes on their own threads so that a chatty child never blocks on a full pipe.
    let mut out = child.stdout.take().expect("stdout pipe");
    let mut err = child.stderr.take().expect("stderr pipe");
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut out, &mut s);
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        let _ = std::io::Read::read_to_end(&mut err, &mut s);
        s
    });
    let status = match wait_with_deadline(&mut child, timeout) {
        Some(status) => status,
        None => {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{printable} still running after {timeout:?}: killed");
        }
    };
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    ProcessOutput {
        command: printable,
        status,
        stdout,
        stderr,
    }
}

/// Describes an exit status for messages: the code, or the signal that ended the process.
pub fn describe_status(status: &ExitStatus) -> String {
    match (status.code(), status.signal()) {
        (Some(code), _) => format!("exit code {code}"),
        (None, Some(signal)) => format!("killed by signal {signal}"),
        _ => format!("{status}"),
    }
}
