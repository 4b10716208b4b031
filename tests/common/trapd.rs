//! net-snmp's `snmptrapd` (Debian `snmptrapd`) as a notification receiver: run in the
//! foreground as the test's own process, on a loopback ephemeral port, with its own config
//! (`-C -c`) and persistent directory under the test's directory, every MIB module loaded
//! (`-M`, `-m ALL`), logging what it receives to a file the test reads. Killed by its own handle
//! (its PID) when dropped.

use std::fs::{self, File};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::*;

/// A running `snmptrapd`.
pub struct Trapd {
    child: Child,
    log: PathBuf,
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
        let log = home.join("received.log");
        let out = File::create(&log).expect("snmptrapd log");
        let mibs = format!("{}:{}", repo_mib_dir().display(), ietf_mib_dir().display());
        let child = Command::new(find_program("snmptrapd").expect("snmptrapd"))
            .args(["-f", "-Lo", "-C", "-c"])
            .arg(&conf_path)
            .args(["-M", &mibs, "-m", "ALL"])
            .arg(format!("udp:127.0.0.1:{port}"))
            .env("SNMPCONFPATH", &home)
            .env("SNMP_PERSISTENT_DIR", &home)
            .env_remove("MIBS")
            .env_remove("MIBDIRS")
            .stdin(Stdio::null())
            .stdout(out.try_clone().expect("log"))
            .stderr(out)
            .spawn()
            .expect("start snmptrapd");
        let trapd = Trapd { child, log, port };
        trapd.wait_for("NET-SNMP version", 1, START_TIMEOUT);
        Some(trapd)
    }

    /// What it has logged so far.
    pub fn received(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits up to `limit` for `pattern` to appear `count` times in the log; returns the log.
    /// Panics with the log when it does not.
    pub fn wait_for(&self, pattern: &str, count: usize, limit: Duration) -> String {
        let deadline = Instant::now() + limit;
        loop {
            let text = self.received();
            if text.matches(pattern).count() >= count {
                return text;
            }
            if Instant::now() >= deadline {
                panic!("snmptrapd did not log {pattern:?} {count} times within {limit:?}:\n{text}");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// Stops it now (by its PID).
    pub fn stop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for Trapd {
    fn drop(&mut self) {
        self.stop();
    }
}
