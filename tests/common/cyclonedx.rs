//! CycloneDX documents checked by the CycloneDX project's own Python library
//! (`cyclonedx-python-lib` from PyPI, in a venv under `target/`): validated against the
//! official CycloneDX 1.6 JSON schema it ships (`bom-1.6.SNAPSHOT.schema.json`, with the SPDX,
//! JSF and cryptography-defs schemas it references, formats checked), then read into its
//! object model, as a consumer would.

use std::path::{Path, PathBuf};

use super::*;

/// The pinned library; its `json-validation` extra brings jsonschema and the format checkers.
const PACKAGE: &str = "cyclonedx-python-lib[json-validation]==11.12.0";

/// Validates each file named on the command line with the strict 1.6 validator (no unknown
/// properties), printing every error; then loads the valid ones into `Bom` and prints, per
/// file, `OK <path> <components, nested ones included> <metadata.component.name>`.
const SCRIPT: &str = r#"
import json, sys
from cyclonedx.model.bom import Bom
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

validator = JsonStrictValidator(SchemaVersion.V1_6)
failed = False
for path in sys.argv[1:]:
    text = open(path, encoding="utf-8").read()
    errors = list(validator.validate_str(text, all_errors=True) or [])
    for e in errors:
        print(f"INVALID {path} {e.data.json_path}: {e.data.message}")
    if errors:
        failed = True
        continue
    bom = Bom.from_json(json.loads(text))
    count, stack = 0, list(bom.components)
    while stack:
        c = stack.pop()
        count += 1
        stack.extend(c.components)
    print(f"OK {path} {count} {bom.metadata.component.name}")
sys.exit(1 if failed else 0)
"#;

/// What the library said of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CdxVerdict {
    /// Valid: the components it read (nested ones included) and the metadata component's name.
    Valid { components: usize, device: String },
    /// Invalid: each schema error as `json-path: message`.
    Invalid(Vec<String>),
}

/// The venv's python with cyclonedx-python-lib; None when skipped (failed under CI).
pub fn cyclonedx_python() -> Option<PathBuf> {
    python_venv(
        "cyclonedx-venv",
        &[PACKAGE],
        "import cyclonedx.validation.json, jsonschema, referencing",
    )
}

/// Validates `files` with `python` (from [`cyclonedx_python`]); one verdict per file, in order.
pub fn validate_cyclonedx(python: &Path, files: &[PathBuf]) -> Vec<CdxVerdict> {
    let out = run_with_deadline(
        Command::new(python).arg("-c").arg(SCRIPT).args(files),
        Duration::from_secs(120),
    );
    files
        .iter()
        .map(|file| {
            let name = file.display().to_string();
            let invalid: Vec<String> = out
                .stdout
                .lines()
                .filter_map(|l| l.strip_prefix(&format!("INVALID {name} ")))
                .map(str::to_string)
                .collect();
            if !invalid.is_empty() {
                return CdxVerdict::Invalid(invalid);
            }
            let ok = out
                .stdout
                .lines()
                .find_map(|l| l.strip_prefix(&format!("OK {name} ")))
                .unwrap_or_else(|| panic!("no verdict for {name}\n{}", out.describe()));
            let (count, device) = ok.split_once(' ').unwrap_or((ok, ""));
            CdxVerdict::Valid {
                components: count.parse().expect("a count"),
                device: device.to_string(),
            }
        })
        .collect()
}
