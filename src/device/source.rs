//! The `[device]` configuration section and the file-based [`DeviceSource`]: the description
//! TOML plus the SBOM files, read into a [`DeviceSnapshot`] with stable software indexes.

use std::path::{Path, PathBuf};
use std::string::{String, ToString};
use std::sync::Mutex;
use std::vec::Vec;

use serde::Deserialize;

use super::date::Timestamp;
use super::index::{self, IndexMap};
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
        }
    }
}

/// Reads an SBOM file, CycloneDX or SPDX by its content.
pub fn load_sbom(path: &Path) -> Result<SbomImport, DeviceError> {
    read_with(path, parse_sbom)
}

/// Reads an SBOM file and the VEX statements a CycloneDX SBOM carries in `vulnerabilities`.
fn load_sbom_and_vex(path: &Path) -> Result<(SbomImport, Option<VexImport>), DeviceError> {
    read_with(path, |bytes, location| {
        let sbom = parse_sbom(bytes, location)?;
        let vex = match sbom.document.format {
            super::model::SbomFormat::CycloneDx => vex::embedded(bytes, location)?,
            super::model::SbomFormat::Spdx => None,
        };
        Ok((sbom, vex))
    })
}

/// Reads a VEX file: CycloneDX, CSAF 2.0 or OpenVEX by its content.
pub fn load_vex(path: &Path) -> Result<VexImport, DeviceError> {
    read_with(path, vex::parse)
}

/// Reads the file at `path` whole and hands its bytes and its name (for messages) to `parse`;
/// a file that cannot be read is [`DeviceError::Io`]. The one way the SBOM loaders open a file.
pub(crate) fn read_with<T>(
    path: &Path,
    parse: impl FnOnce(&[u8], &str) -> Result<T, DeviceError>,
) -> Result<T, DeviceError> {
    let location = path.display().to_string();
    let bytes = std::fs::read(path).map_err(|e| DeviceError::Io {
        file: location.clone(),
        reason: e.to_string(),
    })?;
    parse(&bytes, &location)
}

/// Parses SBOM bytes, CycloneDX or SPDX by content. A cheap scan of the first bytes decides, so
/// the document is parsed once.
pub fn parse_sbom(bytes: &[u8], location: &str) -> Result<SbomImport, DeviceError> {
    let head = &bytes[..bytes.len().min(4096)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w == needle);
    if has(b"\"spdxVersion\"") && !has(b"\"bomFormat\"") {
        spdx::parse(bytes, location)
    } else {
        // CycloneDX, or neither: the CycloneDX reader says precisely what is missing.
        cyclonedx::parse(bytes, location)
    }
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
            Some(p) => index::load(p)?,
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
        let desc = match &self.config.description {
            Some(p) => description::load(p)?,
            None => description::Description::default(),
        };
        let mut imports = Vec::with_capacity(self.config.sbom.len());
        let mut vex_imports = Vec::new();
        for path in &self.config.sbom {
            let (sbom, vex) = load_sbom_and_vex(path)?;
            imports.push(sbom);
            vex_imports.extend(vex);
        }
        for path in &self.config.vex {
            vex_imports.push(load_vex(path)?);
        }

        // A poisoned lock only means another load panicked mid-way; the state it guards is
        // replaced whole below, never left half-written, so carrying on is safe.
        let mut state = self.state.lock().unwrap_or_else(|p| p.into_inner());
        let mut map = state.map.clone();
        let rows = inventory::combine(&imports, &mut map, desc.software_installed)?;
        if map != state.map {
            if let Some(path) = &self.index_path {
                index::save(&map, path)?;
            }
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
        let a = parse_sbom(spdx, "a.json").unwrap();
        let b = parse_sbom(cdx, "b.json").unwrap();
        assert_eq!(a.document.format, super::super::model::SbomFormat::Spdx);
        assert_eq!(
            b.document.format,
            super::super::model::SbomFormat::CycloneDx
        );
        match parse_sbom(b"{}", "c.json") {
            Err(DeviceError::Sbom { path, .. }) => assert_eq!(path, "bomFormat"),
            other => panic!("{other:?}"),
        }
    }
}
