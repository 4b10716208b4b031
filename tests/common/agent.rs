//! A running agent process on loopback: started, waited for, signalled and killed by its own
//! handle.

use std::fs::{self, File};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::os::unix::fs::PermissionsExt;
use std::path::PathBuf;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::time::{Duration, Instant};

use super::*;

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
                    let path = write_config(dir, config, port);
                    let command = agent_command(&path);
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
                        .env("MIBDIRS", ietf_mib_dir())
                        .args(&config.snmpd_args);
                    (path, command)
                }
            };
            let child = spawn_to_stderr_file(&mut command, &stderr_path);
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

    /// Runs `dqi-agent` with `config` (written into `dir` as [`Agent::start`] writes it) when it
    /// must refuse to start: the process has to exit by itself within [`EXIT_TIMEOUT`] (one
    /// still running then is killed and the test fails). Returns what it printed.
    pub fn run_to_exit(dir: &TestDir, config: &Config) -> ProcessOutput {
        let path = config.write_unstarted(dir, CONFIG_FILE);
        run_agent_binary(&[std::ffi::OsStr::new("--config"), path.as_os_str()])
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

    /// Resident set size of the agent process in KiB.
    pub fn rss_kib(&self) -> Option<u64> {
        rss_kib(self.pid()?)
    }

    /// Sends SIGHUP (reload the device data) to this agent.
    pub fn hangup(&self) {
        let child = self.child.as_ref().expect("agent running");
        signal(child, "HUP");
    }

    /// Sends SIGTERM to this agent and waits up to `timeout` for it to exit. Returns its exit
    /// status, or None if it had to be killed.
    pub fn terminate(&mut self, timeout: Duration) -> Option<ExitStatus> {
        let mut child = self.child.take()?;
        if let Ok(Some(status)) = child.try_wait() {
            return Some(status);
        }
        signal(&child, "TERM");
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

    /// Stops this `dqi-agent` (SIGTERM) and starts it again with `config`, on the same port
    /// and state directory: a restart, with the configuration altered only if `config` differs.
    pub fn restart_with(&mut self, config: &Config) {
        assert_eq!(
            self.flavor,
            Flavor::Dqi,
            "restart_with drives dqi-agent only"
        );
        self.terminate(EXIT_TIMEOUT);
        let dir = self.state_dir.parent().expect("state dir in the test dir");
        write_file(
            &self.config_path,
            &config.to_toml(self.port, &self.state_dir),
            0o600,
        );
        static RESTARTS: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = RESTARTS.fetch_add(1, Ordering::Relaxed);
        self.stderr_path = dir.join(format!("agent-restart-{n}.stderr"));
        let child = spawn_to_stderr_file(&mut agent_command(&self.config_path), &self.stderr_path);
        self.child = Some(child);
        self.config = config.clone();
        if let Err(e) = self.wait_ready() {
            panic!("restarted agent: {e}\n{}", self.stderr());
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

/// Runs `scenario` against net-snmp's `snmpd`: the `#[ignore]`d twin of a dqi-agent test, which
/// validates the harness itself. Skipped by the one rule ([`skip`]) without `snmpd`.
pub fn against_snmpd(scenario: impl FnOnce(Flavor)) {
    if require_programs(&["snmpd"], "snmpd") {
        scenario(Flavor::Snmpd);
    }
}

/// The two tests of one scenario (anything called with a [`Flavor`]): `$dqi` runs it against
/// dqi-agent, and `$snmpd`, ignored by default, against net-snmp's `snmpd` through
/// [`against_snmpd`], so that the harness is validated by the same assertions.
// Not every test crate that includes this harness has such twins.
#[allow(unused_macros)]
macro_rules! against_both {
    ($scenario:expr, $dqi:ident, $snmpd:ident) => {
        #[test]
        fn $dqi() {
            ($scenario)($crate::common::Flavor::Dqi);
        }

        #[test]
        #[ignore = "validates the harness against net-snmp's snmpd"]
        fn $snmpd() {
            $crate::common::against_snmpd($scenario);
        }
    };
}
#[allow(unused_imports)]
pub(crate) use against_both;

/// `dqi-agent --config config`, at the log level the file sets whatever the developer's
/// `RUST_LOG` says (some tests read the log).
pub fn agent_command(config: &Path) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dqi-agent"));
    command.arg("--config").arg(config).env_remove("RUST_LOG");
    command
}

/// Starts `command`, stdin and stdout closed, its stderr written to `path`.
fn spawn_to_stderr_file(command: &mut Command, path: &Path) -> Child {
    let stderr = File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    command
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(stderr)
        .spawn()
        .unwrap_or_else(|e| panic!("spawn {command:?}: {e}"))
}

/// The configuration file's name in the test's directory.
const CONFIG_FILE: &str = "dqi-agent.toml";

impl Config {
    /// Writes this configuration to `dir/name` (mode 0600) for a `dqi-agent` the test runs
    /// itself (`--check-config`, a start that must fail): on a free loopback port, its state in
    /// `dir/state`. Returns the file's path.
    pub fn write_unstarted(&self, dir: &TestDir, name: &str) -> PathBuf {
        let path = dir.join(name);
        let port = free_udp_port(Ipv4Addr::LOCALHOST.into());
        write_file(&path, &self.to_toml(port, &dir.join("state")), 0o600);
        path
    }
}

/// Writes `config` for `port` into `dir` (state under `dir/state`); returns the file's path.
fn write_config(dir: &TestDir, config: &Config, port: u16) -> PathBuf {
    let path = dir.join(CONFIG_FILE);
    write_file(&path, &config.to_toml(port, &dir.join("state")), 0o600);
    path
}

/// Sends `SIG<name>` to `child` by its own pid (through `kill(1)`), which has not been reaped.
fn signal(child: &Child, name: &str) {
    let status = Command::new("kill")
        .arg(format!("-{name}"))
        .arg(child.id().to_string())
        .status()
        .expect("run kill(1)");
    assert!(status.success(), "kill -{name} {}: {status}", child.id());
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

/// `dqi-agent --check-config path`, bounded as [`run_agent_binary`].
pub fn check_config(path: &Path) -> ProcessOutput {
    run_agent_binary(&["--check-config".as_ref(), path.as_os_str()])
}
