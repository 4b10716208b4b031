//! The `[device]` configuration section and the file-based [`DeviceSource`]: the description
//! TOML plus the SBOM files, read into a [`DeviceSnapshot`] with stable software indexes.

use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::sync::Mutex;
use std::vec::Vec;

use serde::Deserialize;

use crate::files::{self, Links, ReadError};

use super::date::Timestamp;
use super::index::{self, IndexMap};
use super::json;
use super::limits::Limits;
use super::memory;
use super::model::{DeviceSnapshot, SbomImport, Software};
use super::vex::{self, Vex, VexImport};
use super::{DeviceError, DeviceSource, cyclonedx, description, inventory, spdx};

/// The `[device]` section of the agent configuration.
///
/// ```toml
/// [device]
/// description = "/etc/dqi-agent/device.toml"
/// sbom = ["/etc/dqi-agent/sbom.cdx.json", "/etc/dqi-agent/firmware.spdx.json"]
/// vex = ["/etc/dqi-agent/pump.openvex.json"]
/// refresh_seconds = 300
///
/// [device.limits]
/// max_components = 20000
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DeviceConfig {
    /// The device description TOML. Without it the identity is empty and only the software
    /// inventory is served.
    pub description: Option<PathBuf>,
    /// SBOM files, CycloneDX JSON or SPDX 2.3 JSON (told apart by content: `bomFormat` or
    /// `spdxVersion`), combined in this order.
    #[serde(default)]
    pub sbom: Vec<PathBuf>,
    /// VEX documents (CycloneDX, CSAF 2.0 VEX, OpenVEX; told apart by content), combined in
    /// this order with the `vulnerabilities` of CycloneDX SBOMs.
    #[serde(default)]
    pub vex: Vec<PathBuf>,
    /// Seconds between re-reads of the files; 0 re-reads only on SIGHUP. Default 300.
    #[serde(default = "default_refresh")]
    pub refresh_seconds: u64,
    /// `[device.limits]`: how much device data is accepted (see [`Limits`]).
    #[serde(default)]
    pub limits: Limits,
}

fn default_refresh() -> u64 {
    300
}

impl Default for DeviceConfig {
    fn default() -> Self {
        DeviceConfig {
            description: None,
            sbom: Vec::new(),
            vex: Vec::new(),
            refresh_seconds: default_refresh(),
            limits: Limits::default(),
        }
    }
}

impl DeviceConfig {
    /// The same configuration with relative paths taken relative to `base` (the directory of
    /// the configuration file that named them).
    pub fn resolve(&self, base: &Path) -> DeviceConfig {
        let abs = |p: &PathBuf| {
            if p.is_relative() {
                base.join(p)
            } else {
                p.clone()
            }
        };
        DeviceConfig {
            description: self.description.as_ref().map(abs),
            sbom: self.sbom.iter().map(abs).collect(),
            vex: self.vex.iter().map(abs).collect(),
            refresh_seconds: self.refresh_seconds,
            limits: self.limits,
        }
    }
}

/// Reads an SBOM file, CycloneDX or SPDX by its content, under `limits`.
pub fn load_sbom(path: &Path, limits: &Limits) -> Result<SbomImport, DeviceError> {
    read_with(
        path,
        limits.max_file_bytes,
        "max_file_bytes",
        |bytes, location| parse_sbom(bytes, location, limits),
    )
}

/// Reads a VEX file under `limits`: CycloneDX, CSAF 2.0 or OpenVEX by its content.
pub fn load_vex(path: &Path, limits: &Limits) -> Result<VexImport, DeviceError> {
    read_with(
        path,
        limits.max_file_bytes,
        "max_file_bytes",
        |bytes, location| vex::parse_with(bytes, location, limits),
    )
}

/// Reads the file at `path` whole and hands its bytes and its name (for messages) to `parse`.
/// The one way the device loaders (SBOM, VEX) read a file: a FIFO, a device, a directory or
/// another non-regular file is refused without blocking, and a file over `max_bytes` (the
/// `[device.limits]` key `limit`) is refused naming the file and the limit; see
/// [`crate::files`]. Both are [`DeviceError::Io`] or [`DeviceError::Limit`].
pub fn read_with<T>(
    path: &Path,
    max_bytes: u64,
    limit: &'static str,
    parse: impl FnOnce(&[u8], &str) -> Result<T, DeviceError>,
) -> Result<T, DeviceError> {
    let bytes = read_bytes(path, max_bytes, limit)?;
    parse(&bytes, &path.display().to_string())
}

/// The bytes of the regular file at `path`, at most `max_bytes` (the `[device.limits]` key
/// `limit`), as [`read_with`] reads them.
pub fn read_bytes(
    path: &Path,
    max_bytes: u64,
    limit: &'static str,
) -> Result<Vec<u8>, DeviceError> {
    let location = || path.display().to_string();
    files::read_regular(path, Links::Follow, max_bytes).map_err(|e| match e {
        ReadError::TooLarge(n) => DeviceError::Limit {
            file: location(),
            found: format!("{n} bytes"),
            limit,
            value: max_bytes,
        },
        ReadError::Io(e) => DeviceError::Io {
            file: location(),
            reason: e.to_string(),
        },
    })
}

/// Parses SBOM bytes under `limits`, CycloneDX or SPDX by content (see [`parse_sbom`]), with
/// the VEX statements a CycloneDX SBOM carries in `vulnerabilities`, from the one parse.
fn parse_sbom_and_vex(
    bytes: &[u8],
    location: &str,
    limits: &Limits,
) -> Result<(SbomImport, Option<VexImport>), DeviceError> {
    json::read(bytes, location, limits, |ctx, root| {
        if root.contains_key("spdxVersion") && !root.contains_key("bomFormat") {
            return Ok((spdx::from_root(ctx, bytes, root)?, None));
        }
        if !root.contains_key("bomFormat") {
            return Err(DeviceError::Sbom {
                file: location.to_string(),
                path: "$".to_string(),
                reason: not_an_sbom(root),
            });
        }
        let sbom = cyclonedx::from_root(ctx, bytes, root)?;
        let vex = vex::embedded_in(ctx, bytes, root)?;
        Ok((sbom, vex))
    })
}

/// Why a JSON document with neither `bomFormat` nor `spdxVersion` is not an SBOM, with a hint
/// when it is a VEX document listed under `sbom` by mistake.
fn not_an_sbom(root: &serde_json::Map<String, serde_json::Value>) -> String {
    let neither = "neither a CycloneDX SBOM (no `bomFormat`) nor an SPDX SBOM (no `spdxVersion`)";
    let context = root.get("@context").and_then(serde_json::Value::as_str);
    let vex = if context.is_some_and(|c| c.contains("openvex")) {
        Some("an OpenVEX document")
    } else if root
        .get("document")
        .and_then(|d| d.get("csaf_version"))
        .is_some()
    {
        Some("a CSAF document")
    } else {
        None
    };
    match vex {
        Some(kind) => format!("{neither}; it looks like {kind}: list it under device.vex"),
        None => neither.to_string(),
    }
}

/// Parses SBOM bytes under `limits`, CycloneDX or SPDX by content: the top-level object has
/// `bomFormat` (CycloneDX) or `spdxVersion` and no `bomFormat` (SPDX), wherever in the document
/// the member is and whatever the key order. The document is parsed once.
pub fn parse_sbom(
    bytes: &[u8],
    location: &str,
    limits: &Limits,
) -> Result<SbomImport, DeviceError> {
    parse_sbom_and_vex(bytes, location, limits).map(|(sbom, _)| sbom)
}

/// Reads the description and SBOM files into snapshots, keeping the software index map (and,
/// given a path, its state file) and the previous inventory so that last-change times move
/// only with content.
#[derive(Debug)]
pub struct FileSource {
    config: DeviceConfig,
    index_path: Option<PathBuf>,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    map: IndexMap,
    previous: Option<Software>,
    previous_vex: Option<Vex>,
}

impl FileSource {
    /// A source for `config`. `index_path` is the index map's file in the state directory;
    /// `None` keeps the map in memory only (tests, read-only installs). Fails if the state file
    /// exists but is corrupt: starting afresh would move every index.
    pub fn new(config: DeviceConfig, index_path: Option<PathBuf>) -> Result<Self, DeviceError> {
        let map = match &index_path {
            Some(p) => index::load(p, config.limits.max_index_bytes)?,
            None => IndexMap::new(),
        };
        Ok(FileSource {
            config,
            index_path,
            state: Mutex::new(State {
                map,
                previous: None,
                previous_vex: None,
            }),
        })
    }

    /// The configuration this source reads.
    pub fn config(&self) -> &DeviceConfig {
        &self.config
    }

    /// Reads every file and builds a snapshot as of `now` (wall clock, UTC). Nothing changes
    /// (index map, state file, last-change time) unless every file reads cleanly.
    pub fn load_at(&self, now: Timestamp) -> Result<DeviceSnapshot, DeviceError> {
        let limits = &self.config.limits;
        let desc = match &self.config.description {
            Some(p) => description::load(p, limits).map_err(|e| e.in_key("device.description"))?,
            None => description::Description::default(),
        };
        let (imports, mut vex_imports) = self.load_sboms()?;
        for (i, path) in self.config.vex.iter().enumerate() {
            vex_imports
                .push(load_vex(path, limits).map_err(|e| e.in_key(format!("device.vex[{i}]")))?);
        }

        // A poisoned lock only means another load panicked mid-way; the state it guards is
        // replaced whole below, never left half-written, so carrying on is safe.
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut map = state.map.clone();
        let rows = inventory::combine(&imports, &mut map, desc.software_installed)?;
        if map != state.map
            && let Some(path) = &self.index_path
        {
            index::save(&map, path)?;
        }
        let documents = imports.into_iter().map(|i| i.document).collect();
        let mut software = Software::new(rows, documents, desc.sbom_uri, desc.vex_uri);
        software.settle(state.previous.as_ref(), now);
        let mut vex = Vex::resolve(vex_imports, &software);
        vex.settle(state.previous_vex.as_ref(), now);
        state.map = map;
        state.previous = Some(software.clone());
        state.previous_vex = Some(vex.clone());
        Ok(DeviceSnapshot {
            identity: desc.identity,
            security_controls: desc.security_controls,
            health: desc.health,
            configuration: desc.configuration,
            services: desc.services,
            software,
            vex,
        })
    }
}

impl FileSource {
    /// Every SBOM, in order, each checked against the limits and the memory left before it is
    /// parsed, and the rows they make together checked before any row is built; with the VEX
    /// statements CycloneDX SBOMs carry in `vulnerabilities` (read from the same parse).
    fn load_sboms(&self) -> Result<(Vec<SbomImport>, Vec<VexImport>), DeviceError> {
        let limits = &self.config.limits;
        let mut imports: Vec<SbomImport> = Vec::with_capacity(self.config.sbom.len());
        let mut vex_imports = Vec::new();
        let mut components = 0usize;
        for (i, path) in self.config.sbom.iter().enumerate() {
            let key = || format!("device.sbom[{i}]");
            let (import, vex) =
                Self::load_one_sbom(path, components, limits).map_err(|e| e.in_key(key()))?;
            vex_imports.extend(vex);
            components = components.saturating_add(import.components.len());
            if components > limits.max_components {
                return Err(DeviceError::Limit {
                    file: path.display().to_string(),
                    found: format!("{components} components in the SBOMs up to this one"),
                    limit: "max_components",
                    value: u64::try_from(limits.max_components).unwrap_or(u64::MAX),
                }
                .in_key(key()));
            }
            imports.push(import);
        }
        // The rows, their kept copy and the tree they make, before building any of them.
        if let Some(last) = self.config.sbom.last() {
            memory::check(
                memory::for_rows(components),
                limits,
                &last.display().to_string(),
            )
            .map_err(|e| e.in_key(format!("device.sbom[{}]", self.config.sbom.len() - 1)))?;
        }
        Ok((imports, vex_imports))
    }

    /// One SBOM file, checked against the limits and the memory left (`components` rows are
    /// held already) before it is parsed.
    fn load_one_sbom(
        path: &Path,
        components: usize,
        limits: &Limits,
    ) -> Result<(SbomImport, Option<VexImport>), DeviceError> {
        let location = path.display().to_string();
        let bytes = read_bytes(path, limits.max_file_bytes, "max_file_bytes")?;
        // What is held so far (the imports) plus this file's parse, before parsing it.
        let held = memory::for_rows(components);
        let parse = memory::for_parsing(bytes.len() as u64);
        memory::check(held.saturating_add(parse), limits, &location)?;
        parse_sbom_and_vex(&bytes, &location, limits)
    }
}

impl DeviceSource for FileSource {
    fn snapshot(&self) -> Result<DeviceSnapshot, DeviceError> {
        self.load_at(now_utc())
    }
}

/// The wall clock as a [`Timestamp`]; the epoch if the clock is before 1970.
pub fn now_utc() -> Timestamp {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    Timestamp::from_unix_seconds(secs)
}

/// A short text for logs: how a snapshot's software came together.
pub fn summary(s: &DeviceSnapshot) -> String {
    format!(
        "{} {} serial {}: {} software rows from {} SBOM(s), {} VEX statements from {} document(s) ({} about no component of the SBOM)",
        s.identity.manufacturer,
        s.identity.model,
        s.identity.serial,
        s.software.rows().len(),
        s.software.documents().len(),
        s.vex.statements(),
        s.vex.documents().len(),
        s.vex.unmatched()
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_dir::TempDir;

    #[derive(Debug, Deserialize)]
    struct Outer {
        device: DeviceConfig,
    }

    #[test]
    fn device_section_keys() {
        let c: Outer = toml::from_str(
            "[device]\ndescription = \"device.toml\"\nsbom = [\"a.cdx.json\", \"/abs/b.spdx.json\"]\nrefresh_seconds = 60\n",
        )
        .unwrap();
        let r = c.device.resolve(Path::new("/etc/dqi"));
        assert_eq!(r.description, Some(PathBuf::from("/etc/dqi/device.toml")));
        assert_eq!(
            r.sbom,
            [
                PathBuf::from("/etc/dqi/a.cdx.json"),
                PathBuf::from("/abs/b.spdx.json")
            ]
        );
        assert_eq!(r.refresh_seconds, 60);
        let d: Outer = toml::from_str("[device]\n").unwrap();
        assert_eq!(d.device, DeviceConfig::default());
        assert!(toml::from_str::<Outer>("[device]\nsboms = []\n").is_err());
    }

    #[test]
    fn sbom_format_is_told_by_content() {
        let spdx = br#"{"spdxVersion":"SPDX-2.3","packages":[{"SPDXID":"a","name":"x"}]}"#;
        let cdx = br#"{"bomFormat":"CycloneDX","specVersion":"1.3","components":[{"name":"x"}]}"#;
        let limits = Limits::default();
        let a = parse_sbom(spdx, "a.json", &limits).unwrap();
        let b = parse_sbom(cdx, "b.json", &limits).unwrap();
        assert_eq!(a.document.format, super::super::model::SbomFormat::Spdx);
        assert_eq!(
            b.document.format,
            super::super::model::SbomFormat::CycloneDx
        );
        match parse_sbom(b"{}", "c.json", &limits) {
            Err(e @ DeviceError::Sbom { .. }) => assert_eq!(
                e.to_string(),
                "c.json: at `$`: neither a CycloneDX SBOM (no `bomFormat`) nor an SPDX SBOM \
                 (no `spdxVersion`)"
            ),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_vex_document_listed_as_an_sbom_is_named() {
        let limits = Limits::default();
        let openvex = br#"{"@context":"https://openvex.dev/ns/v0.2.0","statements":[]}"#;
        let csaf = br#"{"document":{"csaf_version":"2.0"},"vulnerabilities":[]}"#;
        for (bytes, kind) in [
            (&openvex[..], "an OpenVEX document"),
            (&csaf[..], "a CSAF document"),
        ] {
            let e = parse_sbom(bytes, "v.json", &limits)
                .unwrap_err()
                .to_string();
            assert!(e.contains("neither a CycloneDX SBOM"), "{e}");
            assert!(
                e.ends_with(&format!("it looks like {kind}: list it under device.vex")),
                "{e}"
            );
        }
    }

    #[test]
    fn errors_name_the_device_key() {
        let dir = TempDir::new("source-keys");
        let good = dir.join("good.cdx.json");
        std::fs::write(&good, cdx(1)).unwrap();
        let missing = dir.join("missing.cdx.jsn");
        let config = |sbom: Vec<PathBuf>, vex: Vec<PathBuf>| DeviceConfig {
            sbom,
            vex,
            ..DeviceConfig::default()
        };
        let load = |c: DeviceConfig| FileSource::new(c, None).unwrap().snapshot().unwrap_err();
        let e = load(config(vec![good.clone(), missing.clone()], vec![])).to_string();
        assert!(
            e.starts_with(&format!("device.sbom[1]: {}: ", missing.display())),
            "{e}"
        );
        let e = load(config(vec![good.clone()], vec![missing.clone()])).to_string();
        assert!(
            e.starts_with(&format!("device.vex[0]: {}: ", missing.display())),
            "{e}"
        );
        let e = load(DeviceConfig {
            description: Some(missing.clone()),
            ..DeviceConfig::default()
        })
        .to_string();
        assert!(e.starts_with("device.description: "), "{e}");
    }

    // Regression (issue 12 #7): the project's own SPDX file with its keys sorted (as `jq -S`
    // writes it) puts `spdxVersion` after the first 4096 bytes, where a scan of the head did
    // not look, and was read as CycloneDX.
    #[test]
    fn sbom_format_does_not_depend_on_key_order() {
        let original = include_str!("../../examples/infusion-pump/firmware.spdx.json");
        // serde_json's map is ordered by key: this is `jq -S -c`.
        let value: serde_json::Value = serde_json::from_str(original).unwrap();
        let sorted = serde_json::to_string(&value).unwrap();
        assert!(
            sorted.find("\"spdxVersion\"").unwrap() > 4096,
            "the case of the report"
        );
        let limits = Limits::default();
        let a = parse_sbom(original.as_bytes(), "fw.json", &limits).unwrap();
        let b = parse_sbom(sorted.as_bytes(), "sorted.json", &limits).unwrap();
        assert_eq!(b.document.format, super::super::model::SbomFormat::Spdx);
        assert_eq!(a.components, b.components);
    }

    fn cdx(n: usize) -> String {
        let components: Vec<String> = (0..n)
            .map(|i| format!(r#"{{"type":"library","name":"c{i}","version":"1"}}"#))
            .collect();
        format!(
            r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{}]}}"#,
            components.join(",")
        )
    }

    // Regression (issue 12 #3): SBOMs were read whole, whatever their size or count, and a
    // reload too big for memory aborted the agent. Each limit now refuses the file by name, and
    // the source keeps nothing of a refused load.
    #[test]
    fn over_limit_files_are_refused_naming_the_file_and_the_limit() {
        let dir = TempDir::new("source-limits");
        let sbom = dir.join("sbom.cdx.json");
        std::fs::write(&sbom, cdx(30)).unwrap();
        let config = |limits: Limits| DeviceConfig {
            sbom: vec![sbom.clone()],
            limits,
            ..DeviceConfig::default()
        };
        let source = FileSource::new(config(Limits::default()), None).unwrap();
        assert_eq!(source.snapshot().unwrap().software.rows().len(), 30);
        let message = |limits: Limits| {
            FileSource::new(config(limits), None)
                .unwrap()
                .snapshot()
                .unwrap_err()
                .to_string()
        };
        let bytes = std::fs::metadata(&sbom).unwrap().len();
        assert_eq!(
            message(Limits {
                max_file_bytes: 100,
                ..Limits::default()
            }),
            format!(
                "device.sbom[0]: {}: {bytes} bytes, over the limit `[device.limits] max_file_bytes = 100`",
                sbom.display()
            )
        );
        assert_eq!(
            message(Limits {
                max_components: 29,
                ..Limits::default()
            }),
            format!(
                "device.sbom[0]: {}: more than 29 components, over the limit `[device.limits] max_components = 29`",
                sbom.display()
            )
        );
        // Two files within the per-file count but over it together.
        let config2 = DeviceConfig {
            sbom: vec![sbom.clone(), sbom.clone()],
            limits: Limits {
                max_components: 50,
                ..Limits::default()
            },
            ..DeviceConfig::default()
        };
        let err = FileSource::new(config2, None)
            .unwrap()
            .snapshot()
            .unwrap_err();
        assert!(
            err.to_string().ends_with(
                "60 components in the SBOMs up to this one, over the limit `[device.limits] max_components = 50`"
            ),
            "{err}"
        );
        // The memory estimate is checked before parsing: 1 MiB cannot hold a 200 kB parse.
        std::fs::write(&sbom, cdx(3_000)).unwrap();
        let err = message(Limits {
            max_memory_mib: 1,
            ..Limits::default()
        });
        assert!(
            err.contains("building the snapshot needs about")
                && err.ends_with(
                    "over the limit `[device.limits] max_memory_mib = 1`; keeping the previous data"
                ),
            "{err}"
        );
    }

    // Regression (issue 12 #5): `ln -s ../victim state/software-index.tmp` made the agent
    // truncate and overwrite `victim` (File::create follows links) and left `software-index` a
    // link to it. No link is written through now, and one at the map's own name is refused.
    #[cfg(unix)]
    #[test]
    fn the_index_file_is_never_written_through_a_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = TempDir::new("source-symlink");
        let state = dir.join("state");
        std::fs::create_dir_all(&state).unwrap();
        let victim = dir.join("victim");
        std::fs::write(&victim, "precious").unwrap();
        let index = state.join("software-index");
        for link in [
            state.join("software-index.tmp"),
            files::temporary_for(&index),
        ] {
            std::os::unix::fs::symlink("../victim", link).unwrap();
        }
        let sbom = dir.join("sbom.cdx.json");
        std::fs::write(&sbom, cdx(3)).unwrap();
        let config = DeviceConfig {
            sbom: vec![sbom],
            ..DeviceConfig::default()
        };
        let source = FileSource::new(config.clone(), Some(index.clone())).unwrap();
        assert_eq!(source.snapshot().unwrap().software.rows().len(), 3);
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        let meta = std::fs::symlink_metadata(&index).unwrap();
        assert!(meta.file_type().is_file());
        assert_eq!(meta.permissions().mode() & 0o777, 0o600);

        std::fs::remove_file(&index).unwrap();
        std::os::unix::fs::symlink("../victim", &index).unwrap();
        let err = FileSource::new(config, Some(index.clone()))
            .unwrap_err()
            .to_string();
        assert!(
            err.ends_with("is a symbolic link; refusing to follow it (remove it)"),
            "{err}"
        );
    }

    // Regression (issue 12 #10): a failed save (ENOSPC, here a rename onto a directory) left
    // its temporary file behind.
    #[test]
    fn a_failed_index_save_leaves_no_temporary_file() {
        let dir = TempDir::new("source-failed-save");
        let index = dir.join("software-index");
        std::fs::create_dir_all(index.join("occupied")).unwrap();
        let mut map = IndexMap::new();
        map.assign(&[("a", "1")]).unwrap();
        assert!(index::save(&map, &index).is_err());
        let names: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, ["software-index"], "only the directory in the way");
    }

    #[test]
    fn limits_are_a_device_subtable() {
        let c: Outer = toml::from_str(
            "[device]\nsbom = []\n[device.limits]\nmax_components = 5\nmax_memory_mib = 64\n",
        )
        .unwrap();
        assert_eq!(c.device.limits.max_components, 5);
        assert_eq!(c.device.limits.max_memory_mib, 64);
        assert_eq!(
            c.device.limits.max_file_bytes,
            Limits::default().max_file_bytes
        );
        assert!(toml::from_str::<Outer>("[device.limits]\nmax_component = 5\n").is_err());
    }
}
