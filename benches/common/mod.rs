//! What the benchmarks that drive real processes share: starting and stopping them, reading
//! their CPU time and memory from /proc, and a keyed SHA-1/AES-128 manager in time with them.
#![allow(dead_code)] // each benchmark uses its own subset
#![allow(unreachable_pub)] // `pub` here means "for the benchmarks", not an API

use std::fs;
use std::io::Write;
use std::net::{SocketAddr, UdpSocket};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use dqi_agent::manager::Manager;
use dqi_agent::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol};
use dqi_agent::wire::{Pdu, Pdus, VarBind, VarBindValue};
use rasn::types::ObjectIdentifier;

/// A child process, stopped (SIGTERM) and reaped on drop.
pub struct Guard(pub Child);

impl Guard {
    /// The child's process ID.
    pub fn pid(&self) -> u32 {
        self.0.id()
    }
}

impl Drop for Guard {
    fn drop(&mut self) {
        let _ = Command::new("kill").arg(self.0.id().to_string()).status();
        let _ = self.0.wait();
    }
}

/// A UDP port free on 127.0.0.1 a moment ago.
pub fn free_port() -> u16 {
    UdpSocket::bind("127.0.0.1:0")
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}

/// A fresh private (0700) directory for one benchmark process.
pub fn scratch_dir(bench: &str, name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("dqi-{bench}-{}-{name}", std::process::id()));
    let _ = fs::remove_dir_all(&dir);
    fs::create_dir_all(&dir).expect("scratch dir");
    fs::set_permissions(&dir, fs::Permissions::from_mode(0o700)).expect("chmod scratch dir");
    dir
}

/// Writes `text` to `path` readable by its owner only, as the agent requires of configs.
pub fn write_private(path: &Path, text: &str) {
    let mut f = fs::File::create(path).expect("create file");
    f.write_all(text.as_bytes()).expect("write file");
    fs::set_permissions(path, fs::Permissions::from_mode(0o600)).expect("chmod file");
}

/// Starts the `dqi-agent` binary on `config` (written into `dir`), its stderr inherited.
pub fn start_agent(dir: &Path, config: &str) -> Guard {
    let path = dir.join("agent.toml");
    write_private(&path, config);
    let child = Command::new(env!("CARGO_BIN_EXE_dqi-agent"))
        .arg("--config")
        .arg(&path)
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("start dqi-agent");
    Guard(child)
}

/// A system group for in-process agents: `description`, the default sysObjectID, the standard
/// sysORTable rows.
pub fn system(description: &str) -> dqi_agent::mib::objects::System {
    dqi_agent::mib::objects::System {
        description: description.into(),
        object_id: vec![1, 3, 6, 1, 4, 1, 8072, 3, 2, 10],
        contact: String::new(),
        name: String::new(),
        location: String::new(),
        services: 72,
        or_entries: dqi_agent::mib::objects::System::standard_or_entries(),
    }
}

/// The engine objects of an in-process agent with `engine_id`.
pub fn engine(engine_id: &[u8]) -> dqi_agent::mib::objects::Engine {
    dqi_agent::mib::objects::Engine {
        engine_id: engine_id.to_vec(),
        max_message_size: 65_507,
    }
}

/// CPU time (user + system) of a process, from /proc/PID/stat.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    let stat = fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    let fields: Vec<&str> = stat.rsplit_once(')')?.1.split_whitespace().collect();
    let ticks = fields.get(11)?.parse::<u64>().ok()? + fields.get(12)?.parse::<u64>().ok()?;
    // USER_HZ is 100 on every Linux architecture's default configuration.
    Some(Duration::from_millis(ticks * 10))
}

/// On-CPU time of every thread of a process, from the scheduler's nanosecond accounting in
/// /proc/PID/task/*/schedstat (finer than the clock ticks of /proc/PID/stat); `None` where the
/// kernel does not keep it.
pub fn run_time(pid: u32) -> Option<Duration> {
    let mut total = 0u64;
    for task in fs::read_dir(format!("/proc/{pid}/task")).ok()? {
        let stat = fs::read_to_string(task.ok()?.path().join("schedstat")).ok()?;
        total += stat.split_whitespace().next()?.parse::<u64>().ok()?;
    }
    Some(Duration::from_nanos(total))
}

/// Resident memory of a process in KiB, from /proc/PID/status.
pub fn rss_kib(pid: u32) -> Option<u64> {
    fs::read_to_string(format!("/proc/{pid}/status"))
        .ok()?
        .lines()
        .find(|l| l.starts_with("VmRSS:"))?
        .split_whitespace()
        .nth(1)?
        .parse()
        .ok()
}

/// A GetRequest for one object.
pub fn get(request_id: i32, name: &[u32]) -> Pdus {
    Pdus::Get(Pdu {
        request_id,
        error_status: 0,
        error_index: 0,
        varbinds: vec![VarBind {
            name: ObjectIdentifier::new(name.to_vec()).expect("valid OID"),
            value: VarBindValue::Unspecified,
        }],
    })
}

/// Discovers the engine at `addr` from `socket` and returns a manager for `user` with
/// SHA-1/AES-128 keys from the two passphrases, in time with the engine.
pub fn connect(
    socket: &UdpSocket,
    addr: SocketAddr,
    user: &str,
    auth_pass: &str,
    priv_pass: &str,
) -> Option<Manager> {
    let mut discovery = Manager::discovery();
    let mut buf = vec![0u8; 65_536];
    for _ in 0..50 {
        socket
            .send_to(
                &discovery.request(get(1, &[1, 3, 6, 1, 2, 1, 1, 1, 0])),
                addr,
            )
            .ok()?;
        if let Ok((n, _)) = socket.recv_from(&mut buf) {
            let reply = discovery.open(&buf[..n]).ok()?;
            let engine = reply.usm.engine_id.to_vec();
            let auth = AuthKey::from_password(AuthProtocol::Sha1, auth_pass.as_bytes(), &engine);
            let privacy = PrivKey::from_password(
                PrivProtocol::Aes128,
                AuthProtocol::Sha1,
                priv_pass.as_bytes(),
                &engine,
            );
            let mut m = Manager::new(user.as_bytes(), &engine, auth, Some(privacy));
            m.learn(&reply);
            return Some(m);
        }
    }
    None
}
