//! The integration-test harness: start the real `dqi-agent` binary (or, to validate the harness
//! itself, net-snmp's `snmpd`) on a loopback ephemeral port, and drive it with net-snmp's
//! command-line tools.
//!
//! | module | what |
//! |---|---|
//! | `agent` | [`Agent`]: the one way to start an agent, wait for it, signal it, stop it |
//! | `config` | [`Config`] and [`User`]: the agent's TOML (or an equivalent `snmpd.conf`) |
//! | `in_process` | the core in process: request PDUs by numeric OID, [`User::manager`] |
//! | `netsnmp` | [`NetSnmp`]: the one runner of net-snmp's tools, and its output parser |
//! | `demo` | [`Demo`]: the binary's loopback demo on an ephemeral port, and commands run as on a fresh Debian |
//! | `device` | [`Device`]: an agent serving a `[device]` section, asked with the MIBs loaded |
//! | `discovery` | an RFC 3414 §4 discovery probe by hand, to tell when an agent is up |
//! | `sbom` | generated CycloneDX SBOMs |
//! | `snmp2_client` | the `snmp2` crate as a second, independent manager |
//! | `pysnmp` | PyPI's pysnmp in a venv under `target/`, a third implementation |
//! | `trapd` | net-snmp's `snmptrapd` as a notification receiver |
//!
//! Everything here is bounded: agent start-up waits at most [`START_TIMEOUT`], every tool run at
//! most [`TOOL_TIMEOUT`] unless a test names a longer bound, and every process started here is
//! killed (by its own handle, never by name) when its owner is dropped; a process run beside the
//! agent (a receiver, a subagent) is a [`LoggedChild`], its output in a file the test reads. A
//! test that panics keeps its temporary directory and prints the agent's stderr, so a failure
//! can be read without rerunning it. A missing prerequisite follows one rule, [`skip`]: fail under CI, skip loudly
//! elsewhere.
//!
//! Output is asserted on numeric OIDs (`-On`) and numeric enums (`-Oe`) where it can be, so that
//! most assertions do not depend on MIB modules; the modules are still loaded when they load
//! cleanly (`-M`, `-m`) so that a human rerunning a printed command line sees names, and the
//! tests about names ([`NetSnmp::named`]) require them.
// A harness shared by test crates: `pub` here means "for the test files", not an API.
#![allow(unreachable_pub)]
#![allow(dead_code)]

mod agent;
mod config;
mod cyclonedx;
mod demo;
mod device;
mod discovery;
pub mod in_process;
mod netsnmp;
mod pysnmp;
pub mod sbom;
pub mod snmp2_client;
mod trapd;

pub use agent::*;
pub use config::*;
#[allow(unused_imports)]
pub use cyclonedx::*;
#[allow(unused_imports)]
pub use demo::*;
// Used by the device-data tests only.
#[allow(unused_imports)]
pub use device::*;
pub use discovery::*;
pub use netsnmp::*;
#[allow(unused_imports)]
pub use pysnmp::*;
#[allow(unused_imports)]
pub use sbom::*;
#[allow(unused_imports)]
pub use trapd::*;

use std::fs::{self, OpenOptions};
use std::io::Write as _;
use std::net::{Ipv6Addr, SocketAddr, UdpSocket};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

/// How long an agent may take to answer its first discovery probe.
pub const START_TIMEOUT: Duration = Duration::from_secs(10);
/// The longest any single tool invocation may run before it is killed.
pub const TOOL_TIMEOUT: Duration = Duration::from_secs(30);
/// How long a process given a config it must refuse may run before the test gives up on it.
pub const EXIT_TIMEOUT: Duration = Duration::from_secs(10);

/// The net-snmp tools the tests drive (Debian package `snmp`).
pub const NETSNMP_TOOLS: [&str; 7] = [
    "snmpget",
    "snmpgetnext",
    "snmpbulkget",
    "snmpwalk",
    "snmpbulkwalk",
    "snmpset",
    "snmptable",
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
/// `dqiMIB`.
pub const DQI_ROOT: &str = ".1.3.6.1.4.1.8072.9999.9999.374";
/// `dqiAgent` (dqiObjects 5): the agent's own objects, served with or without device data.
pub const DQI_AGENT: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.5";
/// `dqiSwEntry` columns (append `.<dqiSwIndex>`).
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

/// The vulnerable component the product exists to find.
pub const LOG4J_PURL: &str = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1";

// ---------------------------------------------------------------------------------------------
// Environment
// ---------------------------------------------------------------------------------------------

/// True when running under CI (`CI=true`, as `.ci/run` exports): missing tools fail tests there
/// instead of skipping them.
pub fn under_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

/// The one rule for a missing prerequisite (a tool, the MIB modules, a corpus): under CI the test
/// fails; elsewhere it prints a loud SKIPPED line. Returns false, for the caller to return early.
pub fn skip(message: &str) -> bool {
    assert!(!under_ci(), "{message}: required under CI");
    eprintln!("\n*** SKIPPED: {message} ***\n");
    false
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
    match names.iter().find(|name| find_program(name).is_none()) {
        Some(name) => skip(&format!("{name} not found (apt-get install {package})")),
        None => true,
    }
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

/// The repository's MIB modules: `DQI-MIB.txt` and the IETF modules it and the mirrors import.
pub fn repo_mib_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("mibs")
}

/// Resident set size of process `pid` in KiB, from `/proc/<pid>/status`.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// The directory holding the IETF MIB modules DQI-MIB and the mirrors import: `DQI_IETF_MIBS`,
/// else the repository's own `mibs/`, which carries them.
pub fn ietf_mib_dir() -> PathBuf {
    match std::env::var_os("DQI_IETF_MIBS") {
        Some(dir) => PathBuf::from(dir),
        None => repo_mib_dir(),
    }
}

// ---------------------------------------------------------------------------------------------
// Temporary directories
// ---------------------------------------------------------------------------------------------

/// Reads `read()` until `pattern` appears in it `count` times or `limit` passes: whether it
/// did, and the text last read. For the logs of receivers this harness starts.
pub fn poll_text(
    read: impl Fn() -> String,
    pattern: &str,
    count: usize,
    limit: Duration,
) -> (bool, String) {
    let deadline = std::time::Instant::now() + limit;
    loop {
        let text = read();
        if text.matches(pattern).count() >= count {
            return (true, text);
        }
        if std::time::Instant::now() >= deadline {
            return (false, text);
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// A process the harness runs beside the agent (a notification receiver, a subagent, the C
/// demo) with stdout and stderr going to a log file the test reads; killed by its own handle
/// (its PID) when stopped or dropped.
pub struct LoggedChild {
    child: Child,
    log: PathBuf,
}

impl LoggedChild {
    /// Starts `command`, stdin closed, its output written to `log`; `what` names it in a panic.
    pub fn spawn(command: &mut Command, log: PathBuf, what: &str) -> LoggedChild {
        let out = fs::File::create(&log).unwrap_or_else(|e| panic!("{}: {e}", log.display()));
        let child = command
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("the log, twice"))
            .stderr(out)
            .spawn()
            .unwrap_or_else(|e| panic!("start {what}: {e}"));
        LoggedChild { child, log }
    }

    /// What it has written so far.
    pub fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Reads the log until `pattern` appears in it `count` times or `limit` passes: whether it
    /// did, and the log (see [`poll_text`]).
    pub fn poll(&self, pattern: &str, count: usize, limit: Duration) -> (bool, String) {
        poll_text(|| self.log(), pattern, count, limit)
    }

    /// Its process ID, for a signal.
    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// How it ended, if it has.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Stops it now.
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for LoggedChild {
    fn drop(&mut self) {
        self.stop();
    }
}

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

/// Writes `contents` to `path` with permission bits `mode` (set explicitly, whatever the umask),
/// replacing it atomically (a temporary file renamed over it), so that an agent re-reading the
/// file never sees it half-written.
pub fn write_file(path: &Path, contents: &str, mode: u32) {
    let tmp = path.with_extension("tmp-write");
    let _ = fs::remove_file(&tmp);
    let mut file = OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(mode)
        .open(&tmp)
        .unwrap_or_else(|e| panic!("create {}: {e}", tmp.display()));
    file.write_all(contents.as_bytes()).expect("write file");
    file.sync_all().expect("sync file");
    fs::set_permissions(&tmp, fs::Permissions::from_mode(mode)).expect("chmod file");
    fs::rename(&tmp, path).unwrap_or_else(|e| panic!("rename to {}: {e}", path.display()));
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
