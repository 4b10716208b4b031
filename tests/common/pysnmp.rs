//! Python packages from PyPI in venvs under `target/`: pysnmp, a second, independent SNMP
//! implementation for the interop tests (a manager for the budget's bulk walks, a receiver for
//! Traps and Informs), and whatever else a test needs from PyPI ([`python_venv`]).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::*;

/// The venv's python with pysnmp installed (and `cryptography`, which its privacy protocols
/// need), made on first use under `target/`; None (test
/// skipped, or failed under CI) when python3 or PyPI is not available.
pub fn pysnmp_venv() -> Option<PathBuf> {
    python_venv(
        "interop-venv",
        &["pysnmp==7.1.30", "cryptography"],
        "import pysnmp.hlapi.v3arch.asyncio, cryptography",
    )
}

/// The python of a venv `target/<name>` holding `packages` (pip requirement specifiers), made
/// on first use; it is reused while `check` (Python statements, typically imports) runs
/// cleanly in it. None (test skipped, or failed under CI) when python3, its venv module or
/// PyPI is not available.
pub fn python_venv(name: &str, packages: &[&str], check: &str) -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target")
        .join(name);
    let python = venv.join("bin/python");
    // Tests in one binary run in parallel threads, and binaries may run at once: one makes
    // the venv while the others wait, rather than all running `venv` and `pip` into the
    // same directory and finding it half made.
    let lock_path = venv.with_extension("lock");
    let _guard = fs::create_dir_all(venv.parent().unwrap_or(&venv))
        .and_then(|()| fs::File::create(&lock_path))
        .and_then(|file| file.lock().map(|()| file))
        .unwrap_or_else(|e| panic!("locking {}: {e}", lock_path.display()));
    let ready = |python: &Path| {
        Command::new(python)
            .args(["-c", check])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if python.exists() && ready(&python) {
        return Some(python);
    }
    let Some(python3) = find_program("python3") else {
        skip("python3 not found (apt-get install python3 python3-venv)");
        return None;
    };
    let made = run_with_deadline(
        Command::new(python3).args(["-m", "venv"]).arg(&venv),
        Duration::from_secs(120),
    );
    if !made.success() {
        skip(&format!(
            "could not make a venv (apt-get install python3-venv): {}",
            made.describe()
        ));
        return None;
    }
    let pip = run_with_deadline(
        Command::new(venv.join("bin/pip"))
            .args(["install", "--quiet"])
            .args(packages),
        Duration::from_secs(300),
    );
    if !pip.success() || !ready(&python) {
        skip(&format!(
            "could not install {} from PyPI: {}",
            packages.join(" "),
            pip.describe()
        ));
        return None;
    }
    Some(python)
}

/// pysnmp's notification receiver (RFC 3413 §4), an authoritative engine of its own: prints
/// each notification's bindings, one per line, then `--`, and acknowledges Informs. The user
/// is added for its own engine (Informs) and, given a sender's engine ID, for that engine too
/// (Traps, the sender authoritative).
const PYSNMP_RECEIVER: &str = r#"
import sys
from pysnmp.entity import engine, config
from pysnmp.carrier.asyncio.dgram import udp
from pysnmp.entity.rfc3413 import ntfrcv
from pysnmp.proto.api import v2c

port, user, auth, priv = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
snmp_engine = engine.SnmpEngine(v2c.OctetString(hexValue="8000000001707973"))
config.add_transport(
    snmp_engine, udp.DOMAIN_NAME, udp.UdpTransport().open_server_mode(("127.0.0.1", port))
)
config.add_v3_user(
    snmp_engine, user, config.USM_AUTH_HMAC192_SHA256, auth, config.USM_PRIV_CFB128_AES, priv
)
if len(sys.argv) > 5:
    config.add_v3_user(
        snmp_engine, user, config.USM_AUTH_HMAC192_SHA256, auth, config.USM_PRIV_CFB128_AES,
        priv, securityEngineId=v2c.OctetString(hexValue=sys.argv[5]),
    )

def received(snmp_engine, state, context_engine_id, context_name, var_binds, cb_ctx):
    for name, value in var_binds:
        print(name.prettyPrint(), "=", value.prettyPrint(), flush=True)
    print("--", flush=True)

ntfrcv.NotificationReceiver(snmp_engine, received)
snmp_engine.transport_dispatcher.job_started(1)
print("ready", flush=True)
snmp_engine.transport_dispatcher.run_dispatcher()
"#;

/// A running pysnmp notification receiver on `127.0.0.1:port`, for [`NOTIFY_USER`] with
/// SHA-256/AES-128; killed (by its own handle) when dropped.
pub struct PysnmpReceiver {
    process: LoggedChild,
}

impl PysnmpReceiver {
    /// Starts it with `python` (from [`pysnmp_venv`]) in `dir`, accepting Traps from the
    /// engine `trap_engine_id` (hex) when given, and waits until it is ready.
    pub fn start(python: &Path, dir: &TestDir, port: u16, trap_engine_id: Option<&str>) -> Self {
        let script = dir.join("receiver.py");
        write_file(&script, PYSNMP_RECEIVER, 0o600);
        let process = LoggedChild::spawn(
            Command::new(python)
                .arg(&script)
                .args([
                    &port.to_string(),
                    NOTIFY_USER,
                    NOTIFY_AUTH_PASS,
                    NOTIFY_PRIV_PASS,
                ])
                .args(trap_engine_id),
            dir.join("pysnmp.log"),
            "the pysnmp receiver",
        );
        let receiver = PysnmpReceiver { process };
        let ready = receiver.wait_for("ready", 1, START_TIMEOUT);
        assert!(
            ready.contains("ready"),
            "the pysnmp receiver did not start:\n{ready}"
        );
        receiver
    }

    /// What it printed so far.
    pub fn received(&self) -> String {
        self.process.log()
    }

    /// Waits up to `limit` for `pattern` to appear `count` times; returns what it printed
    /// either way.
    pub fn wait_for(&self, pattern: &str, count: usize, limit: Duration) -> String {
        self.process.poll(pattern, count, limit).1
    }
}
