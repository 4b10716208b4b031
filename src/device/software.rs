//! The software inventory: component types, support levels, hashes, the rows of `dqiSwTable`
//! and the [`Software`] set that carries the derived values.
//!
//! [`Software`] is the only part of the snapshot with derived values (the inventory digest, the
//! last-change time), so its fields are private and it is built by [`Software::new`], which
//! sorts the rows and computes the digest once. Types follow CycloneDX 1.6 (component types,
//! hash algorithms), SPDX 2.3 §7.10 (checksum algorithms) and SPDX 3.0 (`SupportType`).

use alloc::string::String;
use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use super::date::Timestamp;

/// Component type, the CycloneDX 1.6 `component.type` enumeration (§ "Component Type").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ComponentType {
    /// `application`.
    Application,
    /// `framework`.
    Framework,
    /// `library`.
    Library,
    /// `container`.
    Container,
    /// `platform`.
    Platform,
    /// `operating-system`.
    OperatingSystem,
    /// `device`.
    Device,
    /// `device-driver`.
    DeviceDriver,
    /// `firmware`.
    Firmware,
    /// `file`.
    File,
    /// `machine-learning-model`.
    MachineLearningModel,
    /// `data`.
    Data,
    /// `cryptographic-asset`.
    CryptographicAsset,
    /// A type this agent does not know (a later spec, or an SPDX purpose with no CycloneDX peer).
    Other,
}

impl ComponentType {
    /// The CycloneDX spelling; `other` for [`ComponentType::Other`].
    pub fn as_str(self) -> &'static str {
        match self {
            ComponentType::Application => "application",
            ComponentType::Framework => "framework",
            ComponentType::Library => "library",
            ComponentType::Container => "container",
            ComponentType::Platform => "platform",
            ComponentType::OperatingSystem => "operating-system",
            ComponentType::Device => "device",
            ComponentType::DeviceDriver => "device-driver",
            ComponentType::Firmware => "firmware",
            ComponentType::File => "file",
            ComponentType::MachineLearningModel => "machine-learning-model",
            ComponentType::Data => "data",
            ComponentType::CryptographicAsset => "cryptographic-asset",
            ComponentType::Other => "other",
        }
    }

    /// Reads the CycloneDX spelling; anything unknown is [`ComponentType::Other`].
    pub fn from_cyclonedx(s: &str) -> ComponentType {
        match s {
            "application" => ComponentType::Application,
            "framework" => ComponentType::Framework,
            "library" => ComponentType::Library,
            "container" => ComponentType::Container,
            "platform" => ComponentType::Platform,
            "operating-system" => ComponentType::OperatingSystem,
            "device" => ComponentType::Device,
            "device-driver" => ComponentType::DeviceDriver,
            "firmware" => ComponentType::Firmware,
            "file" => ComponentType::File,
            "machine-learning-model" => ComponentType::MachineLearningModel,
            "data" => ComponentType::Data,
            "cryptographic-asset" => ComponentType::CryptographicAsset,
            _ => ComponentType::Other,
        }
    }
}

/// Level of support, the SPDX 3.0 `SupportType` vocabulary (Core profile), which answers the FDA
/// premarket guidance's "software level of support" element.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SupportStatus {
    /// `deployed`: in production, support not stated.
    Deployed,
    /// `development`: under active development.
    Development,
    /// `support`: actively maintained.
    Support,
    /// `limitedSupport`: security fixes only, or best effort.
    LimitedSupport,
    /// `endOfSupport`: no longer maintained by its supplier.
    EndOfSupport,
    /// `noSupport`: never supported, used as is (abandoned).
    NoSupport,
    /// `noAssertion`: nothing stated.
    #[default]
    NoAssertion,
}

impl SupportStatus {
    /// Reads an SPDX 3 `SupportType` name or one of the FDA guidance phrases (`actively
    /// maintained`, `no longer maintained`, `abandoned`), ignoring case, spaces, `-` and `_`.
    /// `None` for free text that names neither.
    pub fn parse(text: &str) -> Option<SupportStatus> {
        let mut norm = String::with_capacity(text.len());
        for c in text.chars() {
            if !matches!(c, ' ' | '-' | '_') {
                norm.extend(c.to_lowercase());
            }
        }
        Some(match norm.as_str() {
            "deployed" => SupportStatus::Deployed,
            "development" => SupportStatus::Development,
            "support" | "supported" | "activelymaintained" => SupportStatus::Support,
            "limitedsupport" | "limited" | "securityfixesonly" => SupportStatus::LimitedSupport,
            "endofsupport" | "nolongermaintained" | "endoflife" => SupportStatus::EndOfSupport,
            "nosupport" | "abandoned" | "useasis" => SupportStatus::NoSupport,
            "noassertion" => SupportStatus::NoAssertion,
            _ => return None,
        })
    }

    /// The SPDX 3 spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            SupportStatus::Deployed => "deployed",
            SupportStatus::Development => "development",
            SupportStatus::Support => "support",
            SupportStatus::LimitedSupport => "limitedSupport",
            SupportStatus::EndOfSupport => "endOfSupport",
            SupportStatus::NoSupport => "noSupport",
            SupportStatus::NoAssertion => "noAssertion",
        }
    }
}

/// A hash algorithm from the CycloneDX 1.6 `hash-alg` or SPDX 2.3 §7.10 checksum lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum HashAlg {
    /// Adler-32 (SPDX only; a checksum, not a hash).
    Adler32,
    /// MD2 (SPDX only).
    Md2,
    /// MD4 (SPDX only).
    Md4,
    /// MD5.
    Md5,
    /// MD6 (SPDX only).
    Md6,
    /// SHA-1.
    Sha1,
    /// SHA-224 (SPDX only).
    Sha224,
    /// SHA-256.
    Sha256,
    /// SHA-384.
    Sha384,
    /// SHA-512.
    Sha512,
    /// SHA3-256.
    Sha3_256,
    /// SHA3-384.
    Sha3_384,
    /// SHA3-512.
    Sha3_512,
    /// BLAKE2b-256.
    Blake2b256,
    /// BLAKE2b-384.
    Blake2b384,
    /// BLAKE2b-512.
    Blake2b512,
    /// BLAKE3.
    Blake3,
}

impl HashAlg {
    /// Reads a CycloneDX (`SHA-256`, `SHA3-512`, `BLAKE2b-256`) or SPDX (`SHA256`, `BLAKE2b-256`)
    /// algorithm name, ignoring case.
    pub fn parse(name: &str) -> Option<HashAlg> {
        let mut norm = String::with_capacity(name.len());
        for c in name.chars() {
            if c != '-' && c != '_' {
                norm.extend(c.to_uppercase());
            }
        }
        Some(match norm.as_str() {
            "ADLER32" => HashAlg::Adler32,
            "MD2" => HashAlg::Md2,
            "MD4" => HashAlg::Md4,
            "MD5" => HashAlg::Md5,
            "MD6" => HashAlg::Md6,
            "SHA1" => HashAlg::Sha1,
            "SHA224" => HashAlg::Sha224,
            "SHA256" => HashAlg::Sha256,
            "SHA384" => HashAlg::Sha384,
            "SHA512" => HashAlg::Sha512,
            "SHA3256" => HashAlg::Sha3_256,
            "SHA3384" => HashAlg::Sha3_384,
            "SHA3512" => HashAlg::Sha3_512,
            "BLAKE2B256" => HashAlg::Blake2b256,
            "BLAKE2B384" => HashAlg::Blake2b384,
            "BLAKE2B512" => HashAlg::Blake2b512,
            "BLAKE3" => HashAlg::Blake3,
            _ => return None,
        })
    }

    /// The CycloneDX spelling (SPDX-only algorithms in the same style).
    pub fn as_str(self) -> &'static str {
        match self {
            HashAlg::Adler32 => "ADLER32",
            HashAlg::Md2 => "MD2",
            HashAlg::Md4 => "MD4",
            HashAlg::Md5 => "MD5",
            HashAlg::Md6 => "MD6",
            HashAlg::Sha1 => "SHA-1",
            HashAlg::Sha224 => "SHA-224",
            HashAlg::Sha256 => "SHA-256",
            HashAlg::Sha384 => "SHA-384",
            HashAlg::Sha512 => "SHA-512",
            HashAlg::Sha3_256 => "SHA3-256",
            HashAlg::Sha3_384 => "SHA3-384",
            HashAlg::Sha3_512 => "SHA3-512",
            HashAlg::Blake2b256 => "BLAKE2b-256",
            HashAlg::Blake2b384 => "BLAKE2b-384",
            HashAlg::Blake2b512 => "BLAKE2b-512",
            HashAlg::Blake3 => "BLAKE3",
        }
    }

    /// Hex digits in a value of this algorithm, where fixed (MD6 and BLAKE3 vary).
    pub fn hex_len(self) -> Option<usize> {
        match self {
            HashAlg::Adler32 => Some(8),
            HashAlg::Md2 | HashAlg::Md4 | HashAlg::Md5 => Some(32),
            HashAlg::Sha1 => Some(40),
            HashAlg::Sha224 => Some(56),
            HashAlg::Sha256 | HashAlg::Sha3_256 | HashAlg::Blake2b256 => Some(64),
            HashAlg::Sha384 | HashAlg::Sha3_384 | HashAlg::Blake2b384 => Some(96),
            HashAlg::Sha512 | HashAlg::Sha3_512 | HashAlg::Blake2b512 => Some(128),
            HashAlg::Md6 | HashAlg::Blake3 => None,
        }
    }

    /// Rank for "strongest hash": collision resistance first (broken algorithms lowest), then
    /// output size; among equals SHA-2 ranks above SHA-3 above BLAKE, because SHA-2 values are
    /// what advisories and package registries publish, so they are the ones a scanner can match.
    pub fn strength(self) -> u8 {
        match self {
            HashAlg::Adler32 => 0,
            HashAlg::Md2 => 1,
            HashAlg::Md4 => 2,
            HashAlg::Md5 => 3,
            HashAlg::Sha1 => 4,
            HashAlg::Md6 => 5,
            HashAlg::Sha224 => 6,
            HashAlg::Blake3 => 7,
            HashAlg::Blake2b256 => 8,
            HashAlg::Sha3_256 => 9,
            HashAlg::Sha256 => 10,
            HashAlg::Blake2b384 => 11,
            HashAlg::Sha3_384 => 12,
            HashAlg::Sha384 => 13,
            HashAlg::Blake2b512 => 14,
            HashAlg::Sha3_512 => 15,
            HashAlg::Sha512 => 16,
        }
    }
}

/// One hash of a component's artifact.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ComponentHash {
    /// Algorithm.
    pub alg: HashAlg,
    /// Value as lower-case hex.
    pub value: String,
}

impl ComponentHash {
    /// A hash from an algorithm and hex text; `None` unless the text is hex of the algorithm's
    /// length. Stored lower-case so equal hashes compare equal.
    pub fn new(alg: HashAlg, hex: &str) -> Option<ComponentHash> {
        let hex = hex.trim();
        let len_ok = match alg.hex_len() {
            Some(n) => hex.len() == n,
            None => !hex.is_empty() && hex.len().is_multiple_of(2),
        };
        if !len_ok || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return None;
        }
        Some(ComponentHash {
            alg,
            value: hex.to_ascii_lowercase(),
        })
    }
}

/// What an SBOM says about one component, before it gets its stable index. The importers produce
/// these; an embedder may too.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomComponent {
    /// Name.
    pub name: String,
    /// Group or namespace (CycloneDX `group`); part of the identity key when there is no purl.
    pub group: Option<String>,
    /// The supplier's version string, verbatim.
    pub version: String,
    /// Supplier name.
    pub supplier: Option<String>,
    /// Type.
    pub kind: ComponentType,
    /// Package URL.
    pub purl: Option<String>,
    /// CPE 2.3 formatted string.
    pub cpe: Option<String>,
    /// Every hash given.
    pub hashes: Vec<ComponentHash>,
    /// Install date, when the source knows it.
    pub install_date: Option<Timestamp>,
    /// Level of support.
    pub support: SupportStatus,
    /// End-of-support date.
    pub end_of_support: Option<Timestamp>,
    /// Reference inside the SBOM (CycloneDX `bom-ref`, SPDX `SPDXID`).
    pub sbom_ref: Option<String>,
    /// Position of the parent component in the same import's list; `None` at top level.
    pub parent: Option<usize>,
}

#[cfg(test)]
impl SbomComponent {
    /// A top-level library with only a name and a version, for tests.
    pub(crate) fn bare(name: &str, version: &str) -> SbomComponent {
        SbomComponent {
            name: name.into(),
            group: None,
            version: version.into(),
            supplier: None,
            kind: ComponentType::Library,
            purl: None,
            cpe: None,
            hashes: Vec::new(),
            install_date: None,
            support: SupportStatus::NoAssertion,
            end_of_support: None,
            sbom_ref: None,
            parent: None,
        }
    }
}

/// SBOM format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SbomFormat {
    /// CycloneDX JSON.
    CycloneDx,
    /// SPDX 2 JSON.
    Spdx,
}

/// Metadata about one SBOM document the inventory came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomDocument {
    /// Where it was read from: the configured path, or a URI.
    pub location: String,
    /// Format.
    pub format: SbomFormat,
    /// Spec version as the document states it (`1.5`, `SPDX-2.3`).
    pub spec_version: String,
    /// SHA-256 of the document's bytes.
    pub sha256: [u8; 32],
    /// CycloneDX `serialNumber` or SPDX `documentNamespace`.
    pub serial: Option<String>,
    /// CycloneDX `metadata.timestamp` or SPDX `creationInfo.created`.
    pub created: Option<Timestamp>,
    /// The component the document describes (CycloneDX `metadata.component`): name and version.
    pub subject: Option<(String, String)>,
    /// The document's revision under the same serial (`dqiSbomVersion`): CycloneDX `version`,
    /// 1 when absent; 0 for SPDX, which has no such field.
    pub version: u32,
    /// How many components were read from the document, nested ones included, before rows of
    /// several documents are combined (`dqiSbomComponents`).
    pub components: u32,
}

/// One parsed SBOM: its metadata and its components in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SbomImport {
    /// Document metadata.
    pub document: SbomDocument,
    /// Components; `parent` positions refer into this list.
    pub components: Vec<SbomComponent>,
}

/// One row of the software inventory (`dqiSwTable`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SoftwareRow {
    /// Stable index, 1 or more; see [`super::index`].
    pub index: u32,
    /// Name.
    pub name: String,
    /// The supplier's version string, verbatim.
    pub version: String,
    /// Supplier.
    pub supplier: Option<String>,
    /// Type.
    pub kind: ComponentType,
    /// Package URL.
    pub purl: Option<String>,
    /// CPE 2.3.
    pub cpe: Option<String>,
    /// All hashes, sorted by algorithm; the DQI-MIB serves one by its own preference order
    /// (`mib::dqi::software::served_hash`, SHA-256 first).
    pub hashes: Vec<ComponentHash>,
    /// Install date.
    pub install_date: Option<Timestamp>,
    /// Level of support.
    pub support: SupportStatus,
    /// End-of-support date.
    pub end_of_support: Option<Timestamp>,
    /// Reference into the SBOM (bom-ref or SPDXID).
    pub sbom_ref: Option<String>,
    /// Index of the parent row; 0 at top level.
    pub parent: u32,
    /// Position in [`Software::documents`] of the SBOM this row came from (the first, when
    /// several SBOMs list it).
    pub document: usize,
    /// The identity key the index is bound to; see [`super::index::identity_key`].
    pub key: String,
}

impl SoftwareRow {
    /// The strongest hash by [`HashAlg::strength`].
    pub fn strongest_hash(&self) -> Option<&ComponentHash> {
        self.hashes.iter().max_by_key(|h| h.alg.strength())
    }

    /// Whether the end-of-support date has passed at `now` (a bare date lasts its whole day).
    pub fn past_end_of_support(&self, now: &Timestamp) -> bool {
        self.end_of_support
            .is_some_and(|eos| now.unix_seconds() > eos.end_unix_seconds())
    }
}

impl SoftwareRow {
    /// The row for component `c` of document `document`, bound to identity key `key`. Its index
    /// and parent are 0 until indexes are assigned.
    pub(crate) fn from_component(c: &SbomComponent, document: usize, key: String) -> SoftwareRow {
        SoftwareRow {
            index: 0,
            name: c.name.clone(),
            version: c.version.clone(),
            supplier: c.supplier.clone(),
            kind: c.kind,
            purl: c.purl.clone(),
            cpe: c.cpe.clone(),
            hashes: c.hashes.clone(),
            install_date: c.install_date,
            support: c.support,
            end_of_support: c.end_of_support,
            sbom_ref: c.sbom_ref.clone(),
            parent: 0,
            document,
            key,
        }
    }

    /// A top-level row with only the required fields set, its identity key the name, for tests.
    #[cfg(test)]
    pub(crate) fn bare(index: u32, name: &str, version: &str, kind: ComponentType) -> SoftwareRow {
        let c = SbomComponent {
            kind,
            ..SbomComponent::bare(name, version)
        };
        SoftwareRow {
            index,
            ..SoftwareRow::from_component(&c, 0, name.into())
        }
    }
}

/// The software inventory: rows sorted by index, the SBOM documents, and derived values.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Software {
    rows: Vec<SoftwareRow>,
    documents: Vec<SbomDocument>,
    sbom_uri: Option<String>,
    vex_uri: Option<String>,
    digest: [u8; 32],
    last_change: Option<Timestamp>,
    last_refresh: Option<Timestamp>,
}

impl Software {
    /// An inventory from its rows (any order; sorted here by index), the documents they came
    /// from, the published SBOM location and the VEX location. The digest is computed here.
    pub fn new(
        mut rows: Vec<SoftwareRow>,
        documents: Vec<SbomDocument>,
        sbom_uri: Option<String>,
        vex_uri: Option<String>,
    ) -> Software {
        rows.sort_by_key(|r| r.index);
        for row in &mut rows {
            row.hashes.sort();
            row.hashes.dedup();
        }
        let digest = inventory_digest(&rows);
        Software {
            rows,
            documents,
            sbom_uri,
            vex_uri,
            digest,
            last_change: None,
            last_refresh: None,
        }
    }

    /// Sets the refresh time to `now` and the last-change time to `now` unless `previous` has the
    /// same digest, in which case its last-change time carries over: last change moves only when
    /// content changes. Like the digest it ignores the numbering; the file source's
    /// [`super::index::IndexMap`] never renumbers a component, so there equal digests also mean
    /// equal rows under equal indexes.
    pub fn settle(&mut self, previous: Option<&Software>, now: Timestamp) {
        self.last_refresh = Some(now);
        self.last_change = match previous {
            Some(p) if p.digest == self.digest => p.last_change.or(Some(now)),
            _ => Some(now),
        };
    }

    /// Rows sorted by index.
    pub fn rows(&self) -> &[SoftwareRow] {
        &self.rows
    }

    /// The row with `index`.
    pub fn row(&self, index: u32) -> Option<&SoftwareRow> {
        self.rows
            .binary_search_by_key(&index, |r| r.index)
            .ok()
            .map(|i| &self.rows[i])
    }

    /// The SBOM documents, in configuration order.
    pub fn documents(&self) -> &[SbomDocument] {
        &self.documents
    }

    /// Where the manufacturer publishes the SBOM (URI), when given; else the first document's
    /// location.
    pub fn sbom_uri(&self) -> Option<&str> {
        self.sbom_uri
            .as_deref()
            .or_else(|| self.documents.first().map(|d| d.location.as_str()))
    }

    /// Where the manufacturer publishes VEX statements (URI).
    pub fn vex_uri(&self) -> Option<&str> {
        self.vex_uri.as_deref()
    }

    /// SHA-256 over the canonical form of the rows: every field except the local numbering
    /// (index, parent index, document position), parents named by identity key and version,
    /// rows in identity order. Equal content gives an equal digest, whatever indexes this unit
    /// assigned, so two devices that run the same software report the same value.
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// When the content last changed (set by [`Software::settle`]).
    pub fn last_change(&self) -> Option<Timestamp> {
        self.last_change
    }

    /// When the inventory was last read (set by [`Software::settle`]).
    pub fn last_refresh(&self) -> Option<Timestamp> {
        self.last_refresh
    }

    /// The `dqiSwIndex` of each row whose end-of-support date had not passed when `previous`
    /// was read and has when `self` was (each read's own time, [`Software::last_refresh`]): a
    /// component crossing its date between two reads, so each crossing is found once. A row
    /// `previous` did not have is not a crossing (the inventory change reports it); a row whose
    /// date moved back into the future and later passes again crosses again.
    pub fn ended_support(&self, previous: &Software) -> Vec<u32> {
        let Some(now) = self.last_refresh else {
            return Vec::new();
        };
        self.rows
            .iter()
            .filter(|row| row.past_end_of_support(&now))
            .filter(|row| {
                previous.row(row.index).is_some_and(|before| {
                    !previous
                        .last_refresh
                        .is_some_and(|then| before.past_end_of_support(&then))
                })
            })
            .map(|row| row.index)
            .collect()
    }

    /// How many rows are past their end-of-support date at `now`.
    pub fn past_end_of_support(&self, now: &Timestamp) -> u32 {
        let n = self
            .rows
            .iter()
            .filter(|r| r.past_end_of_support(now))
            .count();
        u32::try_from(n).unwrap_or(u32::MAX)
    }
}

// The canonical form, so that the digest says what the device runs and nothing about how this
// unit numbered it:
//
// - No local index: `index` is left out, `parent` becomes the parent row's identity key and
//   version, and the `document` position is left out (which file listed a row is not what the
//   device runs, and a reordered `[device] sbom` list must not move the digest).
// - Rows sorted by identity key, then version (the row's identity in the merge), then their
//   encoding, so two devices that indexed the same components differently agree.
// - Per row, each remaining field in declaration order: strings as a u32 big-endian length then
//   UTF-8 bytes; options as a 0/1 tag then the value; enums as their spelling. Length prefixes
//   make the encoding injective, so two different inventories cannot produce the same bytes.
fn inventory_digest(rows: &[SoftwareRow]) -> [u8; 32] {
    let mut encoded: Vec<(&str, &str, Vec<u8>)> = rows
        .iter()
        .map(|r| (r.key.as_str(), r.version.as_str(), canonical_row(r, rows)))
        .collect();
    encoded.sort_unstable();
    let mut h = Sha256::new();
    h.update(b"dqi-sw-inventory-v2");
    h.update(len32(encoded.len()));
    for (_, _, bytes) in &encoded {
        h.update(bytes);
    }
    h.finalize().into()
}

// One row of the canonical form; `rows` (sorted by index) resolves its parent link.
fn canonical_row(r: &SoftwareRow, rows: &[SoftwareRow]) -> Vec<u8> {
    let mut out = Vec::new();
    text(&mut out, &r.key);
    text(&mut out, &r.name);
    text(&mut out, &r.version);
    opt_text(&mut out, r.supplier.as_deref());
    text(&mut out, r.kind.as_str());
    opt_text(&mut out, r.purl.as_deref());
    opt_text(&mut out, r.cpe.as_deref());
    out.extend_from_slice(&len32(r.hashes.len()));
    for hash in &r.hashes {
        text(&mut out, hash.alg.as_str());
        text(&mut out, &hash.value);
    }
    opt_time(&mut out, r.install_date.as_ref());
    text(&mut out, r.support.as_str());
    opt_time(&mut out, r.end_of_support.as_ref());
    opt_text(&mut out, r.sbom_ref.as_deref());
    // The parent by identity: 0 top level; 1, key, version; 2 an index no row has.
    match r.parent {
        0 => out.push(0),
        p => match rows.binary_search_by_key(&p, |row| row.index) {
            Ok(i) => {
                let parent = &rows[i];
                out.push(1);
                text(&mut out, &parent.key);
                text(&mut out, &parent.version);
            }
            Err(_) => out.push(2),
        },
    }
    out
}

fn len32(n: usize) -> [u8; 4] {
    u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes()
}

fn text(out: &mut Vec<u8>, s: &str) {
    out.extend_from_slice(&len32(s.len()));
    out.extend_from_slice(s.as_bytes());
}

fn opt_text(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        None => out.push(0),
        Some(s) => {
            out.push(1);
            text(out, s);
        }
    }
}

fn opt_time(out: &mut Vec<u8>, t: Option<&Timestamp>) {
    match t {
        None => out.push(0),
        Some(t) => {
            out.push(1);
            out.extend_from_slice(&t.date_and_time());
            out.push(u8::from(t.has_time()));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    fn row(index: u32, name: &str, version: &str) -> SoftwareRow {
        SoftwareRow::bare(index, name, version, ComponentType::Library)
    }

    fn digest(rows: Vec<SoftwareRow>) -> [u8; 32] {
        *Software::new(rows, vec![], None, None).digest()
    }

    #[test]
    fn digest_moves_only_with_content() {
        let a = digest(vec![row(2, "b", "1"), row(1, "a", "1")]);
        assert_eq!(a, digest(vec![row(1, "a", "1"), row(2, "b", "1")]));
        let mut moved = row(1, "a", "1");
        moved.document = 3;
        assert_eq!(
            a,
            digest(vec![moved, row(2, "b", "1")]),
            "which file a row came from is not content"
        );
        assert_ne!(a, digest(vec![row(1, "a", "2"), row(2, "b", "1")]));
        // Length prefixes: moving a character between adjacent fields changes the digest.
        assert_ne!(
            digest(vec![row(1, "ab", ""), row(2, "b", "1")]),
            digest(vec![row(1, "a", "b"), row(2, "b", "1")])
        );
    }

    // Two units with the same software but different numbering (one saw a component come and go,
    // so its indexes are higher) report the same digest; a parent link is content.
    #[test]
    fn digest_ignores_local_indexes() {
        let mut child = row(2, "zlib", "1.3");
        child.parent = 1;
        let here = digest(vec![row(1, "app", "1.0"), child]);
        let mut child = row(17, "zlib", "1.3");
        child.parent = 40;
        let there = digest(vec![child, row(40, "app", "1.0")]);
        assert_eq!(here, there, "dqiSwIndex and dqiSwParent values are local");

        let mut child = row(17, "zlib", "1.3");
        child.parent = 0;
        let top_level = digest(vec![child, row(40, "app", "1.0")]);
        assert_ne!(here, top_level, "which component contains which is content");
        let mut child = row(2, "zlib", "1.3");
        child.parent = 3;
        let other_parent = digest(vec![row(1, "app", "1.0"), child, row(3, "fw", "1.0")]);
        let mut child = row(2, "zlib", "1.3");
        child.parent = 1;
        let same_rows = digest(vec![row(1, "app", "1.0"), child, row(3, "fw", "1.0")]);
        assert_ne!(other_parent, same_rows);
    }

    #[test]
    fn last_change_carries_over_when_content_is_equal() {
        let t1 = Timestamp::parse("2024-01-01T00:00:00Z").unwrap();
        let t2 = Timestamp::parse("2024-01-02T00:00:00Z").unwrap();
        let mut first = Software::new(vec![row(1, "a", "1")], vec![], None, None);
        first.settle(None, t1);
        let mut same = Software::new(vec![row(1, "a", "1")], vec![], None, None);
        same.settle(Some(&first), t2);
        assert_eq!(same.last_change(), Some(t1));
        assert_eq!(same.last_refresh(), Some(t2));
        // Settling follows the digest: the same content under other numbering is not a change.
        let mut renumbered = Software::new(vec![row(9, "a", "1")], vec![], None, None);
        renumbered.settle(Some(&same), t2);
        assert_eq!(renumbered.last_change(), Some(t1));
        let mut changed = Software::new(vec![row(1, "a", "2")], vec![], None, None);
        changed.settle(Some(&same), t2);
        assert_eq!(changed.last_change(), Some(t2));
    }

    #[test]
    fn strongest_hash_and_end_of_support() {
        let mut r = row(1, "a", "1");
        r.hashes = vec![
            ComponentHash::new(HashAlg::Sha1, &"a".repeat(40)).unwrap(),
            ComponentHash::new(HashAlg::Sha256, &"B".repeat(64)).unwrap(),
            ComponentHash::new(HashAlg::Md5, &"c".repeat(32)).unwrap(),
        ];
        let best = r.strongest_hash().unwrap();
        assert_eq!(
            (best.alg, best.value.as_str()),
            (HashAlg::Sha256, &*"b".repeat(64))
        );
        r.end_of_support = Timestamp::parse("2025-12-31");
        let sw = Software::new(vec![r, row(2, "b", "1")], vec![], None, None);
        let last_day = Timestamp::parse("2025-12-31T12:00:00Z").unwrap();
        let after = Timestamp::parse("2026-01-01T00:00:01Z").unwrap();
        assert_eq!(sw.past_end_of_support(&last_day), 0);
        assert_eq!(sw.past_end_of_support(&after), 1);
    }

    #[test]
    fn a_crossing_of_the_end_of_support_date_is_found_once() {
        let read = |rows: Vec<SoftwareRow>, at: &str, previous: Option<&Software>| {
            let mut sw = Software::new(rows, vec![], None, None);
            sw.settle(previous, Timestamp::parse(at).unwrap());
            sw
        };
        let ends = |index: u32, date: &str| {
            let mut r = row(index, "c", "1");
            r.end_of_support = Timestamp::parse(date);
            r
        };
        let rows = || {
            vec![
                ends(1, "2025-12-31"),
                ends(2, "2027-01-01"),
                row(3, "d", "1"),
            ]
        };
        let before = read(rows(), "2025-12-31T23:00:00Z", None);
        // Row 1's last day ends: it crossed; row 2's date is ahead; row 3 has none.
        let after = read(rows(), "2026-01-01T00:00:01Z", Some(&before));
        assert_eq!(after.ended_support(&before), vec![1]);
        // The next read finds no new crossing.
        let later = read(rows(), "2026-06-01T00:00:00Z", Some(&after));
        assert!(later.ended_support(&after).is_empty());
        // A component first seen already past its date did not cross (the inventory changed).
        let mut more = rows();
        more.push(ends(4, "2020-01-01"));
        let added = read(more, "2026-06-02T00:00:00Z", Some(&later));
        assert!(added.ended_support(&later).is_empty());
        // Support extended, then the new date passes: a second crossing.
        let extended = read(
            vec![ends(1, "2026-07-01"), ends(2, "2027-01-01")],
            "2026-06-03T00:00:00Z",
            Some(&added),
        );
        assert!(extended.ended_support(&added).is_empty());
        let again = read(
            vec![ends(1, "2026-07-01"), ends(2, "2027-01-01")],
            "2027-01-02T00:00:00Z",
            Some(&extended),
        );
        assert_eq!(again.ended_support(&extended), vec![1, 2]);
        // Without a read time nothing has passed.
        let unread = Software::new(rows(), vec![], None, None);
        assert!(unread.ended_support(&before).is_empty());
    }

    #[test]
    fn hash_values_are_checked() {
        assert!(ComponentHash::new(HashAlg::Sha256, "abc").is_none());
        assert!(ComponentHash::new(HashAlg::Md5, &"g".repeat(32)).is_none());
        assert!(ComponentHash::new(HashAlg::Blake3, &"0".repeat(64)).is_some());
        assert_eq!(HashAlg::parse("sha3-512"), Some(HashAlg::Sha3_512));
        assert_eq!(HashAlg::parse("SHA256"), Some(HashAlg::Sha256));
        assert_eq!(HashAlg::parse("BLAKE2b-384"), Some(HashAlg::Blake2b384));
        assert_eq!(HashAlg::parse("CRC32"), None);
    }

    #[test]
    fn support_phrases() {
        assert_eq!(
            SupportStatus::parse("actively maintained"),
            Some(SupportStatus::Support)
        );
        assert_eq!(
            SupportStatus::parse("No longer maintained"),
            Some(SupportStatus::EndOfSupport)
        );
        assert_eq!(
            SupportStatus::parse("abandoned"),
            Some(SupportStatus::NoSupport)
        );
        assert_eq!(
            SupportStatus::parse("limitedSupport"),
            Some(SupportStatus::LimitedSupport)
        );
        assert_eq!(SupportStatus::parse("whenever we feel like it"), None);
    }
}
