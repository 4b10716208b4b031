//! The device data: what the agent knows about the device, gathered in advance into an immutable
//! [`DeviceSnapshot`], and the loaders that fill it.
//!
//! | module | owns | spec |
//! |---|---|---|
//! | [`model`] | the snapshot: identity and UDI, MDS2 controls, health, configuration, services | FDA UDI (21 CFR 801.20), ANSI/NEMA HN 1-2019 (MDS2) |
//! | [`software`] | software rows, the inventory digest, end-of-support counting | CycloneDX 1.6 component types and hash algorithms, SPDX 3.0 `SupportType` |
//! | [`date`] | dates parsed from ISO 8601 text, SNMP `DateAndTime` octets | RFC 3339 §5.6, RFC 2579 |
//! | [`index`] | the stable `dqiSwIndex` mapping and its state file | purl spec (version stripping) |
//! | [`inventory`] | combining several SBOMs into one set of rows | |
//! | [`limits`] | the `[device.limits]`: bytes, counts, string lengths, nesting, memory | |
//! | `memory` (server) | the memory a snapshot will need, what the process can still get, returning it | |
//! | `strict` (server) | JSON parsing that refuses duplicate keys and over-deep nesting | RFC 8259 §4 |
//! | [`vex`] | VEX statements (CycloneDX, CSAF 2.0, OpenVEX) joined to the rows | CISA VEX minimum requirements |
//! | [`purl`] | package URLs reduced to lookup keys (no version, qualifiers, subpath) | purl spec, PURL-TYPES |
//! | `description` (server) | the device description TOML | |
//! | `cyclonedx` (server) | CycloneDX JSON import | CycloneDX 1.2 to 1.6 |
//! | `spdx` (server) | SPDX JSON import | SPDX 2.3 §7, §11 |
//! | `source` (server) | `DeviceConfig` (the `[device]` section) and the file-based source | |
//!
//! The model, the index logic and the merge are `no_std` + `alloc`, so an embedder without files
//! builds a snapshot from code and hands it to the agent through [`DeviceSource`]. The file
//! loaders need `std` and the `server` feature (serde, toml, serde_json).
//!
//! Errors carry the file and the place inside it (a TOML key path, a JSON path such as
//! `components[12].hashes[0].alg`) so that a log line points an operator at the broken spot.

pub mod date;
pub mod index;
pub mod inventory;
pub mod limits;
pub mod model;
pub mod purl;
pub mod software;
pub mod vex;

#[cfg(feature = "server")]
pub mod cyclonedx;
#[cfg(feature = "server")]
pub mod description;
#[cfg(feature = "server")]
mod json;
#[cfg(feature = "server")]
pub mod memory;
#[cfg(feature = "server")]
pub mod source;
#[cfg(feature = "server")]
pub mod spdx;
#[cfg(feature = "server")]
mod strict;

use alloc::boxed::Box;
use alloc::string::String;

pub use date::Timestamp;
pub use index::IndexMap;
pub use limits::Limits;
pub use model::{DeviceSnapshot, Software, SoftwareRow};
#[cfg(feature = "server")]
pub use source::{DeviceConfig, FileSource};

/// Why device data could not be read. Every variant names the file it is about.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum DeviceError {
    /// The file could not be read or written.
    #[error("{file}: {reason}")]
    Io {
        /// The file.
        file: String,
        /// The operating system's reason.
        reason: String,
    },
    /// The device description is not valid: the TOML key path, the line and the reason.
    #[error("{file}: key `{key}` (line {line}): {reason}")]
    Description {
        /// The file.
        file: String,
        /// Dotted key path, with `[n]` for array-of-table entries (`service[2].port`).
        key: String,
        /// 1-based line number, 0 when unknown.
        line: usize,
        /// What is wrong.
        reason: String,
    },
    /// An SBOM or VEX document is not valid: the JSON path and the reason.
    #[error("{file}: at `{path}`: {reason}")]
    Sbom {
        /// The file.
        file: String,
        /// JSON path (`components[12].hashes[0].alg`); `$` for the document itself.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// The software index state file is corrupt.
    #[error("{file}: software index state: {reason}")]
    State {
        /// The file.
        file: String,
        /// What is wrong.
        reason: String,
    },
    /// A file over one of the `[device.limits]`.
    #[error("{file}: {found}, over the limit `[device.limits] {limit} = {value}`")]
    Limit {
        /// The file.
        file: String,
        /// What was found: `20000000 bytes`, `more than 20000 components`.
        found: String,
        /// The limit's key in `[device.limits]`.
        limit: &'static str,
        /// The limit's value.
        value: u64,
    },
    /// Building the snapshot would need more memory than the process may use: the previous
    /// snapshot stays.
    #[error(
        "{file}: building the snapshot needs about {need_mib} MiB, but {why}; keeping the previous data"
    )]
    Memory {
        /// The file that brought the estimate over.
        file: String,
        /// The estimated need, in MiB.
        need_mib: u64,
        /// Which bound: `[device.limits] max_memory_mib = 256`, `only 120 MiB can be allocated
        /// (RLIMIT_AS)`.
        why: String,
    },
    /// No index is left for a new component.
    #[error(transparent)]
    IndexExhausted(#[from] index::IndexExhausted),
    /// An error in the file one `[device]` key names: the key (`device.sbom[0]`), then the
    /// error, which names the file.
    #[error("{key}: {source}")]
    Key {
        /// The configuration key, `device.description`, `device.sbom[n]` or `device.vex[n]`.
        key: String,
        /// The error in that key's file.
        source: Box<DeviceError>,
    },
}

impl DeviceError {
    /// This error, said to come from the file configuration key `key` names.
    pub fn in_key(self, key: impl Into<String>) -> DeviceError {
        DeviceError::Key {
            key: key.into(),
            source: Box::new(self),
        }
    }

    /// The error itself, without the [`DeviceError::Key`] saying which key named the file.
    pub fn innermost(&self) -> &DeviceError {
        match self {
            DeviceError::Key { source, .. } => source.innermost(),
            other => other,
        }
    }
}

/// Where the agent gets device data from. The file-based loader implements it; an embedder
/// implements it over whatever it has (a firmware database, compiled-in constants).
///
/// Called off the request path (at start-up, on the refresh interval, on SIGHUP): it may do I/O
/// and take time. On `Err` the agent keeps serving the previous snapshot.
pub trait DeviceSource {
    /// A complete, fresh snapshot of the device.
    fn snapshot(&self) -> Result<DeviceSnapshot, DeviceError>;
}

/// A source that always returns the same snapshot: for devices whose data is fixed at build
/// time, and for tests.
#[derive(Debug, Clone)]
pub struct StaticSource(pub DeviceSnapshot);

impl DeviceSource for StaticSource {
    fn snapshot(&self) -> Result<DeviceSnapshot, DeviceError> {
        Ok(self.0.clone())
    }
}
