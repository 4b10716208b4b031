//! Python packages from PyPI in venvs under `target/`: pysnmp, a second, independent SNMP
//! implementation for the interop tests (a manager for the budget's bulk walks, a receiver for
//! Informs), and whatever else a test needs from PyPI ([`python_venv`]).

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
