//! The binary's loopback demo (no `--config`), started on an ephemeral port through the hidden
//! `--demo-port`, with its banner captured; and the environment of a fresh Debian machine for
//! net-snmp's tools (`mibs :` in snmp.conf, no `MIBS`/`MIBDIRS`), to run documented commands
//! exactly as a new operator would.

use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use super::*;

/// A running demo, killed (by its own handle) when dropped.
pub struct Demo {
    pub port: u16,
    /// Everything the demo printed on stdout up to and including "Stop with Ctrl-C.".
    pub banner: String,
    child: Child,
}

impl Demo {
    /// Starts the demo in `cwd` on a free loopback port and waits for its banner and for it to
    /// answer discovery. Retries on a new port if the first loses the ephemeral-port race.
    pub fn start(cwd: &Path) -> Demo {
        let mut last = String::new();
        for _ in 0..3 {
            let port = free_udp_port(Ipv4Addr::LOCALHOST.into());
            let mut child = demo_command(port)
                .current_dir(cwd)
                .spawn()
                .expect("spawn the demo");
            let stdout = child.stdout.take().expect("stdout pipe");
            let (tx, rx) = mpsc::channel();
            std::thread::spawn(move || {
                let mut banner = String::new();
                for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                    banner.push_str(&line);
                    banner.push('\n');
                    if line.starts_with("Stop with Ctrl-C") {
                        let _ = tx.send(banner.clone());
                    }
                }
            });
            match rx.recv_timeout(START_TIMEOUT) {
                Ok(banner) => {
                    let demo = Demo {
                        port,
                        banner,
                        child,
                    };
                    // The banner comes once the sockets are bound: the demo answers at once.
                    discover(SocketAddr::from((Ipv4Addr::LOCALHOST, port)));
                    return demo;
                }
                Err(_) => {
                    let _ = child.kill();
                    let status = child.wait().map(|s| describe_status(&s));
                    last = format!("no banner on port {port} ({status:?})");
                }
            }
        }
        panic!("the demo did not start: {last}");
    }
}

/// The demo on loopback `port`, its stdout (the banner) piped, stderr discarded; not started.
pub fn demo_command(port: u16) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_dqi-agent"));
    command
        .args(["--demo-port", &port.to_string()])
        .env_remove("RUST_LOG")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    command
}

impl Drop for Demo {
    fn drop(&mut self) {
        // SIGTERM first so the demo removes its state directory, then make sure it is gone.
        let _ = Command::new("kill")
            .arg(self.child.id().to_string())
            .status();
        if wait_with_deadline(&mut self.child, Duration::from_secs(5)).is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

/// Runs `script` with `bash -c` (`set -euo pipefail` first) in `cwd`, with net-snmp configured
/// as on a fresh Debian machine with only the `snmp` package: its `/etc/snmp/snmp.conf` says
/// `mibs :` (no default MIB list) and no MIB directory is set in the environment. Only what the
/// command itself names (`-M mibs`) can be loaded.
pub fn run_as_fresh_debian(cwd: &Path, home: &TestDir, script: &str) -> ProcessOutput {
    let conf = home.join("snmp.conf");
    if !conf.exists() {
        write_file(&conf, "mibs :\n", 0o600);
        // net-snmp announces creating this on stderr otherwise.
        fs::create_dir_all(home.join("cert_indexes")).expect("create cert_indexes");
    }
    let mut command = Command::new("bash");
    command
        .arg("-c")
        .arg(format!("set -euo pipefail\n{script}"))
        .current_dir(cwd)
        .env("HOME", home.path());
    run_with_deadline(
        netsnmp_env(&mut command, home.path()),
        Duration::from_secs(120),
    )
}
