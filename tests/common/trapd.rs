//! net-snmp's `snmptrapd` (Debian `snmptrapd`) as a notification receiver: run in the
//! foreground as the test's own process, on a loopback ephemeral port, with its own config
//! (`-C -c`) and persistent directory under the test's directory, every MIB module loaded
//! (`-M`, `-m ALL`), logging what it receives to a file the test reads. Killed by its own handle
//! (its PID) when dropped.

use std::fs;
use std::process::Command;
use std::time::Duration;

use super::*;

/// The agent's engine ID in the notification tests, fixed so a receiver can hold the Trap
/// user localized to it.
pub const NOTIFY_ENGINE_ID: &str = "800000000104647169303031";
/// The `[[notify_user]]` of the notification tests.
pub const NOTIFY_USER: &str = "nms-trap";
pub const NOTIFY_AUTH_PASS: &str = "trap-auth-passphrase";
pub const NOTIFY_PRIV_PASS: &str = "trap-priv-passphrase";

/// How long a notification may take to reach a receiver's log.
pub const DELIVERY: Duration = Duration::from_secs(15);

/// A free UDP port on 127.0.0.1, for a receiver.
pub fn loopback_port() -> u16 {
    free_udp_port(std::net::Ipv4Addr::LOCALHOST.into())
}

/// `snmptrapd.conf`: the user twice, for Traps (localized to the agent's engine ID, `-e`) and
/// for Informs (to snmptrapd's own engine), and permission to log what it authenticates.
/// `auth` and `privacy` are net-snmp's names (`SHA-256`, `AES`).
pub fn trapd_conf(auth: &str, privacy: &str) -> String {
    format!(
        "createUser -e 0x{NOTIFY_ENGINE_ID} {NOTIFY_USER} {auth} {NOTIFY_AUTH_PASS} {privacy} {NOTIFY_PRIV_PASS}\n\
         createUser {NOTIFY_USER} {auth} {NOTIFY_AUTH_PASS} {privacy} {NOTIFY_PRIV_PASS}\n\
         authUser log {NOTIFY_USER} priv\n"
    )
}

/// `[[notify_user]]` with `auth`/`privacy` (the agent's names).
pub fn notify_user(auth: &str, privacy: &str) -> String {
    format!(
        "[[notify_user]]\nname = \"{NOTIFY_USER}\"\nauth = \"{auth}\"\nauth_password = \"{NOTIFY_AUTH_PASS}\"\n\
         privacy = \"{privacy}\"\npriv_password = \"{NOTIFY_PRIV_PASS}\"\n"
    )
}

/// `[[notify]]` to `127.0.0.1:port` as [`NOTIFY_USER`], `kind` `trap` or `inform`, with `extra`
/// keys.
pub fn notify_receiver(port: u16, kind: &str, extra: &str) -> String {
    format!(
        "[[notify]]\ntarget = \"127.0.0.1:{port}\"\nkind = \"{kind}\"\nuser = \"{NOTIFY_USER}\"\n{extra}"
    )
}

/// A running `snmptrapd`.
pub struct Trapd {
    process: LoggedChild,
    /// Where it listens.
    pub port: u16,
}

impl Trapd {
    /// Starts `snmptrapd` on `127.0.0.1:port` with `conf` (its `snmptrapd.conf` lines) in
    /// `dir/name/`; None (test skipped, or failed under CI) when it is not installed.
    pub fn start(dir: &TestDir, name: &str, port: u16, conf: &str) -> Option<Trapd> {
        if !require_programs(&["snmptrapd"], "snmptrapd") {
            return None;
        }
        let home = dir.join(name);
        fs::create_dir_all(home.join("cert_indexes")).expect("snmptrapd dir");
        let conf_path = home.join("snmptrapd.conf");
        write_file(&conf_path, conf, 0o600);
        let mibs = format!("{}:{}", repo_mib_dir().display(), ietf_mib_dir().display());
        let mut command = Command::new(find_program("snmptrapd").expect("snmptrapd"));
        command
            .args(["-f", "-Lo", "-C", "-c"])
            .arg(&conf_path)
            .args(["-M", &mibs, "-m", "ALL"])
            .arg(format!("udp:127.0.0.1:{port}"));
        let process = LoggedChild::spawn(
            netsnmp_env(&mut command, &home),
            home.join("received.log"),
            "snmptrapd",
        );
        let trapd = Trapd { process, port };
        trapd.wait_for("NET-SNMP version", 1, START_TIMEOUT);
        Some(trapd)
    }

    /// What it has logged so far.
    pub fn received(&self) -> String {
        self.process.log()
    }

    /// Waits up to `limit` for `pattern` to appear `count` times in the log; returns the log.
    /// Panics with the log when it does not.
    pub fn wait_for(&self, pattern: &str, count: usize, limit: Duration) -> String {
        match self.process.poll(pattern, count, limit) {
            (true, text) => text,
            (false, text) => {
                panic!("snmptrapd did not log {pattern:?} {count} times within {limit:?}:\n{text}")
            }
        }
    }

    /// Stops it now (by its PID).
    pub fn stop(&mut self) {
        self.process.stop();
    }
}
