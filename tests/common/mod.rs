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

pub mod snmp2_client;

use std::fmt::Write as _;
use std::fs::{self, File, OpenOptions};
use std::io::Write as _;
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
use std::os::unix::process::ExitStatusExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU32, Ordering};
use std::time::{Duration, Instant};

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
// Agent configuration
// ---------------------------------------------------------------------------------------------

/// SNMPv3 security levels the tests request (noAuthNoPriv is never served by the DQI).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Level {
    NoAuthNoPriv,
    AuthNoPriv,
    AuthPriv,
}

impl Level {
    pub fn netsnmp(self) -> &'static str {
        match self {
            Level::NoAuthNoPriv => "noAuthNoPriv",
            Level::AuthNoPriv => "authNoPriv",
            Level::AuthPriv => "authPriv",
        }
    }
}

/// One `[[user]]` of the agent config.
#[derive(Clone, Debug)]
pub struct User {
    pub name: String,
    /// As the config spells it: MD5 | SHA | SHA-224 | SHA-256 | SHA-384 | SHA-512.
    pub auth: &'static str,
    pub auth_password: String,
    /// As the config spells it: DES | AES-128 | AES-192 | AES-256 | AES-192-C | AES-256-C.
    pub privacy: Option<&'static str>,
    pub priv_password: String,
    pub min_security: Option<Level>,
}

impl User {
    /// A user with distinct, derived passphrases (at least 8 characters).
    pub fn new(name: &str, auth: &'static str, privacy: Option<&'static str>) -> User {
        User {
            name: name.to_string(),
            auth,
            auth_password: format!("{name}-auth-pass"),
            privacy,
            priv_password: format!("{name}-priv-pass"),
            min_security: None,
        }
    }

    pub fn min_security(mut self, level: Level) -> User {
        self.min_security = Some(level);
        self
    }

    /// The strongest level the user's keys allow: what a correctly configured client uses.
    pub fn level(&self) -> Level {
        if self.privacy.is_some() {
            Level::AuthPriv
        } else {
            Level::AuthNoPriv
        }
    }

    /// The lowest level the agent must serve this user at.
    pub fn required_level(&self) -> Level {
        self.min_security.unwrap_or(self.level())
    }

    /// net-snmp's `-x` spelling of the privacy protocol.
    pub fn netsnmp_privacy(&self) -> Option<&'static str> {
        self.privacy.map(|p| match p {
            "DES" => "DES",
            "AES-128" => "AES",
            "AES-192" => "AES-192",
            "AES-256" => "AES-256",
            "AES-192-C" => "AES-192-C",
            "AES-256-C" => "AES-256-C",
            other => panic!("unknown privacy protocol {other}"),
        })
    }

    /// net-snmp security arguments for this user at `level`.
    pub fn netsnmp_args(&self, level: Level) -> Vec<String> {
        let mut args = vec![
            "-v3".into(),
            "-l".into(),
            level.netsnmp().into(),
            "-u".into(),
            self.name.clone(),
        ];
        if level == Level::NoAuthNoPriv {
            return args;
        }
        args.extend([
            "-a".into(),
            self.auth.into(),
            "-A".into(),
            self.auth_password.clone(),
        ]);
        if level == Level::AuthPriv {
            let privacy = self
                .netsnmp_privacy()
                .expect("authPriv needs a privacy protocol");
            args.extend([
                "-x".into(),
                privacy.into(),
                "-X".into(),
                self.priv_password.clone(),
            ]);
        }
        args
    }

    /// The same user with other passphrases, for the failure tests.
    pub fn with_auth_password(&self, password: &str) -> User {
        User {
            auth_password: password.to_string(),
            ..self.clone()
        }
    }

    pub fn with_priv_password(&self, password: &str) -> User {
        User {
            priv_password: password.to_string(),
            ..self.clone()
        }
    }

    pub fn with_privacy(&self, privacy: &'static str) -> User {
        User {
            privacy: Some(privacy),
            ..self.clone()
        }
    }
}

/// What the test writes into the agent's config file.
#[derive(Clone, Debug)]
pub struct Config {
    pub description: String,
    pub contact: String,
    pub name: String,
    pub location: String,
    pub users: Vec<User>,
    /// Listen on `[::1]` as well as `127.0.0.1` (same port number).
    pub ipv6: bool,
    pub engine_id: Option<String>,
}

impl Config {
    pub fn new(users: Vec<User>) -> Config {
        Config {
            description: "DQI integration test device, model T-1000 rev. 4".into(),
            contact: "biomed@hospital.example".into(),
            name: "infusion-pump-17.ward3.example".into(),
            location: "Ward 3, bed 12".into(),
            users,
            ipv6: false,
            engine_id: None,
        }
    }

    pub fn user(&self, name: &str) -> &User {
        self.users
            .iter()
            .find(|u| u.name == name)
            .unwrap_or_else(|| panic!("no user {name} in the config"))
    }

    /// The `dqi-agent` TOML for this config, listening on `port`, keeping state in `state_dir`.
    pub fn to_toml(&self, port: u16, state_dir: &Path) -> String {
        let mut listen = vec![format!("127.0.0.1:{port}")];
        if self.ipv6 {
            listen.push(format!("[::1]:{port}"));
        }
        let listen: Vec<String> = listen.iter().map(|l| toml_str(l)).collect();
        let mut out = String::new();
        writeln!(out, "[agent]").unwrap();
        writeln!(out, "listen = [{}]", listen.join(", ")).unwrap();
        writeln!(
            out,
            "state_dir = {}",
            toml_str(&state_dir.to_string_lossy())
        )
        .unwrap();
        if let Some(engine_id) = &self.engine_id {
            writeln!(out, "engine_id = {}", toml_str(engine_id)).unwrap();
        }
        writeln!(out, "\n[system]").unwrap();
        writeln!(out, "description = {}", toml_str(&self.description)).unwrap();
        writeln!(out, "contact = {}", toml_str(&self.contact)).unwrap();
        writeln!(out, "name = {}", toml_str(&self.name)).unwrap();
        writeln!(out, "location = {}", toml_str(&self.location)).unwrap();
        for user in &self.users {
            writeln!(out, "\n[[user]]").unwrap();
            writeln!(out, "name = {}", toml_str(&user.name)).unwrap();
            writeln!(out, "auth = {}", toml_str(user.auth)).unwrap();
            writeln!(out, "auth_password = {}", toml_str(&user.auth_password)).unwrap();
            match user.privacy {
                Some(privacy) => {
                    writeln!(out, "privacy = {}", toml_str(privacy)).unwrap();
                    writeln!(out, "priv_password = {}", toml_str(&user.priv_password)).unwrap();
                }
                None => writeln!(out, "privacy = \"none\"").unwrap(),
            }
            if let Some(level) = user.min_security {
                writeln!(out, "min_security = {}", toml_str(level.netsnmp())).unwrap();
            }
        }
        out
    }

    /// An equivalent `snmpd.conf`, for validating the harness against net-snmp's own agent.
    fn to_snmpd_conf(&self, port: u16) -> String {
        let mut out = String::new();
        writeln!(out, "agentaddress udp:127.0.0.1:{port}").unwrap();
        if self.ipv6 {
            writeln!(out, "agentaddress udp6:[::1]:{port}").unwrap();
        }
        if let Some(engine_id) = &self.engine_id {
            writeln!(out, "exactEngineID 0x{engine_id}").unwrap();
        }
        writeln!(out, "sysDescr {}", self.description).unwrap();
        writeln!(out, "sysContact {}", self.contact).unwrap();
        writeln!(out, "sysName {}", self.name).unwrap();
        writeln!(out, "sysLocation {}", self.location).unwrap();
        writeln!(out, "sysServices 72").unwrap();
        for user in &self.users {
            let privacy = match user.privacy {
                None => String::new(),
                Some(p) => {
                    let p = match p {
                        "DES" => "DES",
                        "AES-128" => "AES",
                        "AES-192" => "AES192",
                        "AES-256" => "AES256",
                        "AES-192-C" => "AES192C",
                        "AES-256-C" => "AES256C",
                        other => panic!("unknown privacy protocol {other}"),
                    };
                    format!(" {p} \"{}\"", user.priv_password)
                }
            };
            writeln!(
                out,
                "createUser {} {} \"{}\"{privacy}",
                user.name, user.auth, user.auth_password
            )
            .unwrap();
            // rwuser, so that snmpd answers a Set on a read-only object with notWritable rather
            // than VACM's noAccess; every object the tests set is fixed by this file.
            let level = match user.required_level() {
                Level::NoAuthNoPriv => "noauth",
                Level::AuthNoPriv => "auth",
                Level::AuthPriv => "priv",
            };
            writeln!(out, "rwuser {} {level}", user.name).unwrap();
        }
        out
    }
}

/// A TOML basic string.
pub fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

// ---------------------------------------------------------------------------------------------
// The agent process
// ---------------------------------------------------------------------------------------------

/// Which agent a test drives: ours, or net-snmp's `snmpd` to validate the harness itself.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flavor {
    Dqi,
    Snmpd,
}

/// A running agent on loopback, killed when dropped.
pub struct Agent {
    pub flavor: Flavor,
    pub port: u16,
    pub config: Config,
    pub config_path: PathBuf,
    pub state_dir: PathBuf,
    stderr_path: PathBuf,
    child: Option<Child>,
}

impl Agent {
    /// Starts the `dqi-agent` binary with `config` in `dir`, and waits until it answers.
    pub fn start(dir: &TestDir, config: &Config) -> Agent {
        Agent::start_flavor(Flavor::Dqi, dir, config)
    }

    /// Starts `flavor` with `config`, keeping its config, state and stderr in `dir`. Retries on
    /// a new port (three attempts) if the process exits during start-up, which is what losing
    /// the ephemeral-port race looks like.
    pub fn start_flavor(flavor: Flavor, dir: &TestDir, config: &Config) -> Agent {
        let state_dir = dir.join("state");
        fs::create_dir_all(&state_dir).expect("create state dir");
        fs::set_permissions(&state_dir, fs::Permissions::from_mode(0o700)).expect("chmod state");
        let mut last_error = String::new();
        for attempt in 1..=3 {
            let port = free_udp_port(Ipv4Addr::LOCALHOST.into());
            let stderr_path = dir.join(&format!("agent-{attempt}.stderr"));
            let (config_path, mut command) = match flavor {
                Flavor::Dqi => {
                    let path = dir.join("dqi-agent.toml");
                    write_file(&path, &config.to_toml(port, &state_dir), 0o600);
                    let mut command = Command::new(env!("CARGO_BIN_EXE_dqi-agent"));
                    command.arg("--config").arg(&path);
                    (path, command)
                }
                Flavor::Snmpd => {
                    let path = dir.join("snmpd.conf");
                    write_file(&path, &config.to_snmpd_conf(port), 0o600);
                    let snmpd = find_program("snmpd").expect("snmpd installed");
                    let mut command = Command::new(snmpd);
                    // -f: foreground; -Lf: log to a file. With SNMPCONFPATH set snmpd reads
                    // snmpd.conf from those directories only: ours, and the state directory
                    // where it keeps its engine ID and boots (which `-C -c` would skip).
                    let conf_path = std::env::join_paths([dir.path(), state_dir.as_path()])
                        .expect("config path");
                    command
                        .arg("-f")
                        .arg("-Lf")
                        .arg(dir.join("snmpd.log"))
                        .env("SNMP_PERSISTENT_DIR", &state_dir)
                        .env("SNMPCONFPATH", conf_path)
                        .env("MIBS", "")
                        .env("MIBDIRS", ietf_mib_dir());
                    (path, command)
                }
            };
            let stderr = File::create(&stderr_path).expect("create stderr file");
            let child = command
                .stdin(Stdio::null())
                .stdout(Stdio::null())
                .stderr(stderr)
                .spawn()
                .unwrap_or_else(|e| panic!("spawn {flavor:?} agent: {e}"));
            let mut agent = Agent {
                flavor,
                port,
                config: config.clone(),
                config_path,
                state_dir: state_dir.clone(),
                stderr_path,
                child: Some(child),
            };
            match agent.wait_ready() {
                Ok(()) => return agent,
                Err(e) => {
                    last_error =
                        format!("attempt {attempt}: {e}\n--- stderr ---\n{}", agent.stderr());
                    agent.kill();
                    // An early exit may be a lost race for the port: try another one. A
                    // refused config (status 2) or no answer would only repeat.
                    let lost_race = e.starts_with("exited") && !e.contains("exit status: 2");
                    if !lost_race {
                        break;
                    }
                }
            }
        }
        panic!("{flavor:?} agent did not start: {last_error}");
    }

    /// Polls with an RFC 3414 §4 discovery probe until a Report comes back.
    fn wait_ready(&mut self) -> Result<(), String> {
        let deadline = Instant::now() + START_TIMEOUT;
        let socket = UdpSocket::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind probe socket");
        socket
            .set_read_timeout(Some(Duration::from_millis(100)))
            .expect("set timeout");
        let target = self.addr_v4();
        let mut buf = [0u8; 2048];
        let mut msg_id = 0x0100_0000;
        while Instant::now() < deadline {
            if let Some(status) = self
                .child
                .as_mut()
                .and_then(|c| c.try_wait().ok().flatten())
            {
                return Err(format!("exited during start-up with {status}"));
            }
            msg_id += 1;
            let _ = socket.send_to(&discovery_probe(msg_id), target);
            if let Ok((len, from)) = socket.recv_from(&mut buf)
                && from == target
                && parse_discovery_report(&buf[..len]).is_ok()
            {
                return Ok(());
            }
        }
        Err(format!(
            "no discovery Report from {target} within {START_TIMEOUT:?}"
        ))
    }

    pub fn addr_v4(&self) -> SocketAddr {
        SocketAddr::new(Ipv4Addr::LOCALHOST.into(), self.port)
    }

    pub fn addr_v6(&self) -> SocketAddr {
        SocketAddr::new(Ipv6Addr::LOCALHOST.into(), self.port)
    }

    /// The net-snmp transport address of the agent's IPv4 listener.
    pub fn target(&self) -> String {
        format!("udp:127.0.0.1:{}", self.port)
    }

    /// What the agent wrote to stderr so far.
    pub fn stderr(&self) -> String {
        fs::read_to_string(&self.stderr_path).unwrap_or_default()
    }

    /// The process id, to signal it.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// Sends SIGTERM to this agent (by pid, through `kill(1)`) and waits up to `timeout` for
    /// it to exit. Returns its exit status, or None if it had to be killed.
    pub fn terminate(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        let _ = Command::new("kill")
            .arg("-TERM")
            .arg(child.id().to_string())
            .status();
        let status = wait_with_deadline(&mut child, timeout);
        if status.is_none() {
            let _ = child.kill();
            let _ = child.wait();
        }
        status
    }

    /// Kills this agent (SIGKILL to its own child handle) and reaps it.
    pub fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Sends an RFC 3414 §4 discovery probe and returns what the Report carries.
    pub fn discover(&self) -> Discovery {
        discover(self.addr_v4())
    }
}

impl Drop for Agent {
    fn drop(&mut self) {
        self.kill();
        if std::thread::panicking() {
            eprintln!(
                "--- {:?} agent on port {} stderr ({}) ---\n{}\n--- end of agent stderr ---",
                self.flavor,
                self.port,
                self.stderr_path.display(),
                tail(&self.stderr(), 200)
            );
        }
    }
}

fn tail(text: &str, lines: usize) -> String {
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// Waits for `child` to exit, polling, for at most `timeout`.
pub fn wait_with_deadline(child: &mut Child, timeout: Duration) -> Option<ExitStatus> {
    let deadline = Instant::now() + timeout;
    loop {
        match child.try_wait() {
            Ok(Some(status)) => return Some(status),
            Ok(None) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(10)),
            _ => return None,
        }
    }
}

/// Runs `dqi-agent` with `args`, expecting it to exit by itself within [`EXIT_TIMEOUT`]; a
/// process still running then is killed and the test fails.
pub fn run_agent_binary(args: &[&std::ffi::OsStr]) -> ProcessOutput {
    run_with_deadline(
        Command::new(env!("CARGO_BIN_EXE_dqi-agent")).args(args),
        EXIT_TIMEOUT,
    )
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

// ---------------------------------------------------------------------------------------------
// net-snmp
// ---------------------------------------------------------------------------------------------

/// net-snmp's command-line tools, isolated from the user's and the system's net-snmp config.
pub struct NetSnmp {
    /// An empty directory used as SNMPCONFPATH and SNMP_PERSISTENT_DIR, so that no
    /// `~/.snmp/snmp.conf` or `/etc/snmp/snmp.conf` changes what the tools send or print.
    home: TestDir,
    /// `-M`/`-m` when the IETF modules are available, else `-m ""` (numeric OIDs only).
    mib_args: Vec<String>,
}

impl NetSnmp {
    /// The tools, or None (test skipped) when they are missing outside CI.
    pub fn new() -> Option<NetSnmp> {
        if !require_programs(&NETSNMP_TOOLS, "snmp") {
            return None;
        }
        let ietf = ietf_mib_dir();
        let mib_args = if ietf.join("SNMPv2-MIB.txt").is_file() {
            let local = Path::new(env!("CARGO_MANIFEST_DIR")).join("mibs");
            let mut modules =
                String::from("SNMPv2-MIB:SNMP-FRAMEWORK-MIB:SNMP-MPD-MIB:SNMP-USER-BASED-SM-MIB");
            if local.join("DQI-MIB.txt").is_file() {
                modules.push_str(":DQI-MIB");
            }
            vec![
                "-M".into(),
                format!("{}:{}", local.display(), ietf.display()),
                "-m".into(),
                modules,
            ]
        } else {
            eprintln!(
                "note: IETF MIB modules not found in {} (set DQI_IETF_MIBS); numeric OIDs only",
                ietf.display()
            );
            vec!["-m".into(), String::new()]
        };
        let home = TestDir::new("netsnmp-home");
        // The tools create this on first use and say so on stderr; create it beforehand so that
        // a clean run prints nothing there.
        fs::create_dir_all(home.join("cert_indexes")).expect("create cert_indexes");
        Some(NetSnmp { home, mib_args })
    }

    /// Runs `tool` with `args` as given (plus the MIB arguments), bounded by [`TOOL_TIMEOUT`].
    pub fn run(&self, tool: &str, args: &[String]) -> ProcessOutput {
        let program = find_program(tool).unwrap_or_else(|| panic!("{tool} not installed"));
        run_with_deadline(
            Command::new(program)
                .args(&self.mib_args)
                .args(args)
                .env("SNMPCONFPATH", self.home.path())
                .env("SNMP_PERSISTENT_DIR", self.home.path())
                .env_remove("MIBS")
                .env_remove("MIBDIRS"),
            TOOL_TIMEOUT,
        )
    }

    /// Runs `tool` against `agent` as `user` at `level`, with one retry and 2 s timeouts,
    /// numeric OIDs (`-On`) and enums (`-Oe`), then `extra` and `oids`.
    pub fn query(
        &self,
        tool: &str,
        agent: &Agent,
        user: &User,
        level: Level,
        extra: &[&str],
        oids: &[&str],
    ) -> ProcessOutput {
        self.query_timed(tool, agent, user, level, (1, 2), extra, oids)
    }

    /// As [`NetSnmp::query`], for requests expected to get no answer: no retry, 1 s timeout.
    pub fn query_unanswered(
        &self,
        tool: &str,
        agent: &Agent,
        user: &User,
        level: Level,
        oids: &[&str],
    ) -> ProcessOutput {
        self.query_timed(tool, agent, user, level, (0, 1), &[], oids)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn query_timed(
        &self,
        tool: &str,
        agent: &Agent,
        user: &User,
        level: Level,
        (retries, timeout): (u32, u32),
        extra: &[&str],
        oids: &[&str],
    ) -> ProcessOutput {
        let mut args = user.netsnmp_args(level);
        args.extend([
            "-r".into(),
            retries.to_string(),
            "-t".into(),
            timeout.to_string(),
            "-One".into(),
        ]);
        args.extend(extra.iter().map(|s| s.to_string()));
        args.push(agent.target());
        args.extend(oids.iter().map(|s| s.to_string()));
        self.run(tool, &args)
    }

    /// GETs `oids` as `user` at the user's own level and returns the bindings, failing the test
    /// on any error.
    pub fn get(&self, agent: &Agent, user: &User, oids: &[&str]) -> Vec<Binding> {
        let out = self.query("snmpget", agent, user, user.level(), &[], oids);
        assert!(out.success(), "snmpget failed\n{}", out.describe());
        let bindings = out.bindings();
        assert_eq!(
            bindings.len(),
            oids.len(),
            "one binding per OID\n{}",
            out.describe()
        );
        bindings
    }

    /// Reads one Counter32/INTEGER object as `user`.
    pub fn counter(&self, agent: &Agent, user: &User, oid: &str) -> u64 {
        let bindings = self.get(agent, user, &[oid]);
        bindings[0].number().unwrap_or_else(|| {
            panic!("{oid} is not a number: {:?}", bindings[0]);
        })
    }
}

/// One variable binding as net-snmp printed it with `-On`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// Numeric OID with its leading dot, e.g. `.1.3.6.1.2.1.1.1.0`.
    pub oid: String,
    /// `STRING`, `Hex-STRING`, `INTEGER`, `Counter32`, `Timeticks`, `OID`, ...; empty for the
    /// exceptions (noSuchObject, noSuchInstance, endOfMibView), whose text is in `value`.
    pub kind: String,
    /// The value text, with a STRING's quotes removed.
    pub value: String,
}

impl Binding {
    /// The value of a Counter32, Gauge32, INTEGER or Timeticks (`(12345) 0:02:03.45`).
    pub fn number(&self) -> Option<u64> {
        let first = self.value.split_whitespace().next()?;
        first
            .trim_start_matches('(')
            .trim_end_matches(')')
            .parse()
            .ok()
    }

    /// The octets of a `Hex-STRING` (or a STRING printed in hex with `-Ox`).
    pub fn hex_bytes(&self) -> Vec<u8> {
        let digits: Vec<u8> = self.value.bytes().filter(u8::is_ascii_hexdigit).collect();
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }

    pub fn is_no_such_instance(&self) -> bool {
        self.kind.is_empty() && self.value.starts_with("No Such Instance")
    }

    pub fn is_no_such_object(&self) -> bool {
        self.kind.is_empty() && self.value.starts_with("No Such Object")
    }

    pub fn is_end_of_mib_view(&self) -> bool {
        self.kind.is_empty()
            && self
                .value
                .starts_with("No more variables left in this MIB View")
    }
}

/// Parses `-On` output: a binding starts on a line `.1.3... = ...`; other lines continue the
/// value (long Hex-STRINGs wrap).
pub fn parse_bindings(stdout: &str) -> Vec<Binding> {
    let mut bindings: Vec<Binding> = Vec::new();
    for line in stdout.lines() {
        let starts_binding = line.starts_with('.')
            && line
                .split_once(" = ")
                .is_some_and(|(oid, _)| oid[1..].split('.').all(|a| a.parse::<u32>().is_ok()));
        if starts_binding {
            let (oid, rest) = line.split_once(" = ").unwrap();
            let (kind, value) = match rest.split_once(": ") {
                Some((kind, value)) if !kind.contains(' ') || kind == "Hex-STRING" => {
                    (kind.to_string(), value.to_string())
                }
                _ => (String::new(), rest.to_string()),
            };
            bindings.push(Binding {
                oid: oid.to_string(),
                kind,
                value,
            });
        } else if let Some(last) = bindings.last_mut() {
            last.value.push('\n');
            last.value.push_str(line);
        }
    }
    for binding in &mut bindings {
        if binding.kind == "STRING" {
            let v = binding.value.trim_end_matches('\n');
            if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
                binding.value = v[1..v.len() - 1].replace("\\\"", "\"");
            }
        }
    }
    bindings
}

/// Parses a numeric OID (`.1.3.6` or `1.3.6`) into its arcs.
pub fn oid_arcs(oid: &str) -> Vec<u32> {
    oid.trim_start_matches('.')
        .split('.')
        .map(|a| {
            a.parse()
                .unwrap_or_else(|_| panic!("not a numeric OID: {oid}"))
        })
        .collect()
}

/// Whether `oid` lies strictly under `prefix` (both numeric).
pub fn oid_under(oid: &str, prefix: &str) -> bool {
    let (oid, prefix) = (oid_arcs(oid), oid_arcs(prefix));
    oid.len() > prefix.len() && oid.starts_with(&prefix)
}

// ---------------------------------------------------------------------------------------------
// RFC 3414 §4 discovery, by hand
// ---------------------------------------------------------------------------------------------

/// What an unknownEngineID Report carries.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Discovery {
    pub engine_id: Vec<u8>,
    pub boots: i64,
    pub time: i64,
    /// The Report's first varbind OID and value (usmStatsUnknownEngineIDs.0 per RFC 3414 §3.2
    /// step 3).
    pub report_oid: String,
    pub report_value: i64,
}

/// A noAuthNoPriv, reportable SNMPv3 GetRequest with an empty engine ID and user: the probe an
/// RFC 3414 §4 manager sends to learn the agent's snmpEngineID, boots and time.
pub fn discovery_probe(msg_id: u32) -> Vec<u8> {
    let id = msg_id.to_be_bytes();
    let mut m = vec![0x30, 0x3e, 0x02, 0x01, 0x03];
    // msgGlobalData: msgID, msgMaxSize 65507, msgFlags reportable, msgSecurityModel USM.
    m.extend([0x30, 0x11, 0x02, 0x04]);
    m.extend(id);
    m.extend([
        0x02, 0x03, 0x00, 0xff, 0xe3, 0x04, 0x01, 0x04, 0x02, 0x01, 0x03,
    ]);
    // msgSecurityParameters: empty engine ID, boots 0, time 0, empty user, auth and priv params.
    m.extend([
        0x04, 0x10, 0x30, 0x0e, 0x04, 0x00, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00,
    ]);
    m.extend([0x04, 0x00, 0x04, 0x00, 0x04, 0x00]);
    // ScopedPDU: empty contextEngineID and contextName, GetRequest with no bindings.
    m.extend([0x30, 0x14, 0x04, 0x00, 0x04, 0x00, 0xa0, 0x0e, 0x02, 0x04]);
    m.extend(id);
    m.extend([0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00]);
    debug_assert_eq!(m.len(), 0x40);
    m
}

/// Sends one discovery probe to `addr` (up to 3 tries of 500 ms) and parses the Report.
pub fn discover(addr: SocketAddr) -> Discovery {
    let local: SocketAddr = match addr {
        SocketAddr::V4(_) => (Ipv4Addr::LOCALHOST, 0).into(),
        SocketAddr::V6(_) => (Ipv6Addr::LOCALHOST, 0).into(),
    };
    let socket = UdpSocket::bind(local).expect("bind probe socket");
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .expect("set timeout");
    let mut buf = [0u8; 4096];
    for attempt in 0..3u32 {
        socket
            .send_to(&discovery_probe(0x4000_0000 + attempt), addr)
            .expect("send probe");
        if let Ok((len, from)) = socket.recv_from(&mut buf)
            && from == addr
        {
            return parse_discovery_report(&buf[..len])
                .unwrap_or_else(|e| panic!("bad discovery Report {:02x?}: {e}", &buf[..len]));
        }
    }
    panic!("no answer to a discovery probe from {addr}");
}

/// A minimal BER reader: enough to take a discovery Report apart.
struct Ber<'a>(&'a [u8]);

impl<'a> Ber<'a> {
    fn tlv(&mut self) -> Result<(u8, &'a [u8]), String> {
        let data = self.0;
        let (&tag, rest) = data.split_first().ok_or("truncated tag")?;
        let (&first, rest) = rest.split_first().ok_or("truncated length")?;
        let (len, rest) = if first < 0x80 {
            (first as usize, rest)
        } else {
            let n = (first & 0x7f) as usize;
            if n == 0 || n > 4 || rest.len() < n {
                return Err("bad length".into());
            }
            let len = rest[..n]
                .iter()
                .fold(0usize, |acc, &b| acc << 8 | b as usize);
            (len, &rest[n..])
        };
        if rest.len() < len {
            return Err("truncated value".into());
        }
        self.0 = &rest[len..];
        Ok((tag, &rest[..len]))
    }

    fn expect(&mut self, want: u8) -> Result<&'a [u8], String> {
        let (tag, value) = self.tlv()?;
        if tag != want {
            return Err(format!("tag {tag:#04x} where {want:#04x} was expected"));
        }
        Ok(value)
    }

    fn integer(&mut self) -> Result<i64, String> {
        let value = self.expect(0x02)?;
        if value.is_empty() || value.len() > 8 {
            return Err("bad integer".into());
        }
        let sign = if value[0] & 0x80 != 0 { -1i64 } else { 0 };
        Ok(value.iter().fold(sign, |acc, &b| acc << 8 | b as i64))
    }
}

fn decode_oid(bytes: &[u8]) -> String {
    let mut arcs = Vec::new();
    let mut acc: u64 = 0;
    for &b in bytes {
        acc = acc << 7 | u64::from(b & 0x7f);
        if b & 0x80 == 0 {
            if arcs.is_empty() {
                let first = (acc / 40).min(2);
                arcs.push(first);
                arcs.push(acc - first * 40);
            } else {
                arcs.push(acc);
            }
            acc = 0;
        }
    }
    arcs.iter().map(|a| format!(".{a}")).collect()
}

/// Takes apart the Report an agent sends in answer to [`discovery_probe`].
pub fn parse_discovery_report(datagram: &[u8]) -> Result<Discovery, String> {
    let mut message = Ber(Ber(datagram).expect(0x30)?);
    if message.integer()? != 3 {
        return Err("not SNMPv3".into());
    }
    let mut global = Ber(message.expect(0x30)?);
    let _msg_id = global.integer()?;
    let _max_size = global.integer()?;
    let flags = global.expect(0x04)?;
    if flags.first().is_some_and(|f| f & 0x03 != 0) {
        return Err("a discovery Report must be noAuthNoPriv".into());
    }
    let mut usm = Ber(message.expect(0x04)?);
    let mut usm = Ber(usm.expect(0x30)?);
    let engine_id = usm.expect(0x04)?.to_vec();
    let boots = usm.integer()?;
    let time = usm.integer()?;
    let mut scoped = Ber(message.expect(0x30)?);
    let _context_engine_id = scoped.expect(0x04)?;
    let _context_name = scoped.expect(0x04)?;
    let mut pdu = Ber(scoped
        .expect(0xa8)
        .map_err(|e| format!("not a Report: {e}"))?);
    let _request_id = pdu.integer()?;
    let _error_status = pdu.integer()?;
    let _error_index = pdu.integer()?;
    let mut varbinds = Ber(pdu.expect(0x30)?);
    let mut varbind = Ber(varbinds.expect(0x30)?);
    let report_oid = decode_oid(varbind.expect(0x06)?);
    let (_, value) = varbind.tlv()?;
    let report_value = value.iter().fold(0i64, |acc, &b| acc << 8 | b as i64);
    Ok(Discovery {
        engine_id,
        boots,
        time,
        report_oid,
        report_value,
    })
}

/// Lower-case hex of `bytes`.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
