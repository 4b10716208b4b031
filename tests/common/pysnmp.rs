//! The PyPI pysnmp in a venv under `target/`: a second, independent SNMP implementation for the
//! interop tests (a manager for the budget's bulk walks, a receiver for Informs).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::*;

/// The venv's python with pysnmp installed (and `cryptography`, which its privacy protocols
/// need), made on first use under `target/`; None (test
/// skipped, or failed under CI) when python3 or PyPI is not available.
pub fn pysnmp_venv() -> Option<PathBuf> {
    let venv = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/interop-venv");
    let python = venv.join("bin/python");
    let has_pysnmp = |python: &Path| {
        Command::new(python)
            .args(["-c", "import pysnmp.hlapi.v3arch.asyncio, cryptography"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    };
    if python.exists() && has_pysnmp(&python) {
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
        Command::new(venv.join("bin/pip")).args([
            "install",
            "--quiet",
            "pysnmp==7.1.30",
            "cryptography",
        ]),
        Duration::from_secs(300),
    );
    if !pip.success() || !has_pysnmp(&python) {
        skip(&format!(
            "could not install pysnmp from PyPI: {}",
            pip.describe()
        ));
        return None;
    }
    Some(python)
}
