//! VEX: what the device's maker says about each vulnerability, joined to the software rows, for
//! `dqiVexTable` (DQI-MIB dqiVex).
//!
//! Three formats say the same thing in different words; each reader turns its document into
//! [`VexStatement`]s in one vocabulary (the CISA "Minimum Requirements for VEX" statuses and
//! justifications, with CycloneDX's finer justifications kept), and [`Vex::resolve`] joins them
//! to the inventory:
//!
//! | module | format |
//! |---|---|
//! | `cyclonedx` (server) | CycloneDX 1.4 to 1.6 `vulnerabilities[].analysis`, in an SBOM or a separate VEX BOM |
//! | `csaf` (server) | CSAF 2.0, VEX profile: `product_status`, `flags`, `remediations`, purls from `product_tree` |
//! | `openvex` (server) | OpenVEX 0.2 `statements[]` |
//!
//! Joining: a statement names a component by `bom-ref` (or a CycloneDX BOM-Link ending in one),
//! or by purl; a purl with a version matches the rows of that package and version, a purl
//! without one every version ([`super::purl`] normalises both sides). A CycloneDX statement may
//! limit itself to some versions (`affects[].versions[]`, exact or a `vers:` range, each
//! affected, unaffected or unknown): a row whose version no entry contains is not its subject.
//!
//! A statement that matches no row (about a named product, or a component the SBOM does not
//! hold) is kept and counted ([`Vex::unmatched`]), under an index of its own that no component
//! can have ([`subject_index`]): derived from what it names, so it is the same on every refresh
//! and restart and two such statements about one vulnerability are two rows. A statement that
//! names nothing (the product as a whole) is at index 0. For one (vulnerability, index) the
//! statement with the latest date wins; on equal dates (or none) the one read last (later file
//! in the `[device] vex` list, later in its document).
//!
//! The model and the join are `no_std` + `alloc`; the readers need `std` and serde_json.

#[cfg(feature = "server")]
mod csaf;
#[cfg(feature = "server")]
mod cyclonedx;
#[cfg(feature = "server")]
mod openvex;

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use super::date::Timestamp;
use super::index::MAX_INDEX;
use super::purl;
use super::software::{Software, SoftwareRow};
use crate::vers::{Contains, VersRange};

/// A VEX status (CISA; `dqiVexState`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum VexState {
    /// No remediation is required (CycloneDX `not_affected`, `false_positive`).
    NotAffected,
    /// Actions are recommended (CycloneDX `exploitable`).
    Affected,
    /// The product contains a fix (CycloneDX `resolved`, `resolved_with_pedigree`).
    Fixed,
    /// Not yet known (CycloneDX `in_triage`).
    UnderInvestigation,
}

impl VexState {
    /// The OpenVEX / CSAF-style spelling.
    pub fn as_str(self) -> &'static str {
        match self {
            VexState::NotAffected => "not_affected",
            VexState::Affected => "affected",
            VexState::Fixed => "fixed",
            VexState::UnderInvestigation => "under_investigation",
        }
    }
}

/// Why a product is not affected (`dqiVexJustification`): the five CISA / OpenVEX / CSAF
/// justifications, then the finer CycloneDX ones, which map onto CISA's as the MIB says.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub enum Justification {
    /// None given.
    #[default]
    None,
    /// `component_not_present`.
    ComponentNotPresent,
    /// `vulnerable_code_not_present` (CycloneDX `code_not_present`).
    VulnerableCodeNotPresent,
    /// `vulnerable_code_not_in_execute_path` (CycloneDX `code_not_reachable`).
    VulnerableCodeNotInExecutePath,
    /// `vulnerable_code_cannot_be_controlled_by_adversary`.
    VulnerableCodeCannotBeControlledByAdversary,
    /// `inline_mitigations_already_exist`.
    InlineMitigationsAlreadyExist,
    /// CycloneDX `requires_configuration`.
    RequiresConfiguration,
    /// CycloneDX `requires_dependency`.
    RequiresDependency,
    /// CycloneDX `requires_environment`.
    RequiresEnvironment,
    /// CycloneDX `protected_by_compiler`.
    ProtectedByCompiler,
    /// CycloneDX `protected_at_runtime`.
    ProtectedAtRuntime,
    /// CycloneDX `protected_at_perimeter`.
    ProtectedAtPerimeter,
    /// CycloneDX `protected_by_mitigating_control`.
    ProtectedByMitigatingControl,
}

impl Justification {
    /// Reads any of the three formats' spellings (CSAF flag labels and OpenVEX justifications
    /// are the CISA words; CycloneDX has its own); `None` for an unknown word.
    pub fn parse(word: &str) -> Option<Justification> {
        Some(match word {
            "component_not_present" => Justification::ComponentNotPresent,
            "vulnerable_code_not_present" | "code_not_present" => {
                Justification::VulnerableCodeNotPresent
            }
            "vulnerable_code_not_in_execute_path" | "code_not_reachable" => {
                Justification::VulnerableCodeNotInExecutePath
            }
            "vulnerable_code_cannot_be_controlled_by_adversary" => {
                Justification::VulnerableCodeCannotBeControlledByAdversary
            }
            "inline_mitigations_already_exist" => Justification::InlineMitigationsAlreadyExist,
            "requires_configuration" => Justification::RequiresConfiguration,
            "requires_dependency" => Justification::RequiresDependency,
            "requires_environment" => Justification::RequiresEnvironment,
            "protected_by_compiler" => Justification::ProtectedByCompiler,
            "protected_at_runtime" => Justification::ProtectedAtRuntime,
            "protected_at_perimeter" => Justification::ProtectedAtPerimeter,
            "protected_by_mitigating_control" => Justification::ProtectedByMitigatingControl,
            _ => return None,
        })
    }

    /// A stable spelling, for the digest.
    pub fn as_str(self) -> &'static str {
        match self {
            Justification::None => "none",
            Justification::ComponentNotPresent => "component_not_present",
            Justification::VulnerableCodeNotPresent => "vulnerable_code_not_present",
            Justification::VulnerableCodeNotInExecutePath => "vulnerable_code_not_in_execute_path",
            Justification::VulnerableCodeCannotBeControlledByAdversary => {
                "vulnerable_code_cannot_be_controlled_by_adversary"
            }
            Justification::InlineMitigationsAlreadyExist => "inline_mitigations_already_exist",
            Justification::RequiresConfiguration => "requires_configuration",
            Justification::RequiresDependency => "requires_dependency",
            Justification::RequiresEnvironment => "requires_environment",
            Justification::ProtectedByCompiler => "protected_by_compiler",
            Justification::ProtectedAtRuntime => "protected_at_runtime",
            Justification::ProtectedAtPerimeter => "protected_at_perimeter",
            Justification::ProtectedByMitigatingControl => "protected_by_mitigating_control",
        }
    }
}

/// What a statement is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    /// A component by its `bom-ref` (CycloneDX), the BOM-Link's fragment already taken.
    BomRef(String),
    /// A component or product by package URL.
    Purl(String),
    /// A product named some other way (a CSAF product name, an OpenVEX `@id` that is no purl);
    /// empty for the product as a whole.
    Other(String),
}

impl Subject {
    /// The subject as the statement names it (`dqiVexSubject`): a bom-ref, a purl, a product
    /// name, or nothing for the product as a whole.
    pub fn text(&self) -> &str {
        match self {
            Subject::BomRef(s) | Subject::Purl(s) | Subject::Other(s) => s,
        }
    }
}

/// Whether the versions an `affects[].versions[]` entry names are affected (CycloneDX
/// `affectedStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VersionStatus {
    /// `affected`: the statement applies as stated.
    Affected,
    /// `unaffected`: served as notAffected.
    Unaffected,
    /// `unknown`: served as underInvestigation.
    Unknown,
}

/// Which versions an `affects[].versions[]` entry names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VersionSpec {
    /// `version`: exactly this version string.
    Exact(String),
    /// `range`: a purl `vers:` range; a version the range's scheme cannot order is not in it
    /// (never guessed).
    Range(VersRange),
}

/// One `affects[].versions[]` entry (CycloneDX 1.4 to 1.6).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AffectedVersion {
    /// The versions named.
    pub spec: VersionSpec,
    /// Their status.
    pub status: VersionStatus,
}

impl AffectedVersion {
    /// Whether `version` is one this entry names.
    pub fn contains(&self, version: &str) -> bool {
        match &self.spec {
            VersionSpec::Exact(v) => v.trim() == version.trim(),
            VersionSpec::Range(r) => r.contains(version.trim()) == Contains::Yes,
        }
    }
}

/// One VEX statement as a reader found it: a vulnerability, a subject, a status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexStatement {
    /// The advisory ID as published (`CVE-2021-44228`, `GHSA-jfh8-c2jp-5v3q`).
    pub vuln_id: String,
    /// What it is about.
    pub subject: Subject,
    /// The status.
    pub state: VexState,
    /// Why not affected; [`Justification::None`] when not given.
    pub justification: Justification,
    /// The maker's response or action statement (what to do).
    pub action: Option<String>,
    /// The impact statement or analysis detail (why).
    pub detail: Option<String>,
    /// When the statement was made or last updated.
    pub updated: Option<Timestamp>,
    /// The versions of the subject it is limited to (CycloneDX `affects[].versions[]`), first
    /// match deciding; empty for every version the subject names.
    pub versions: Vec<AffectedVersion>,
}

impl VexStatement {
    /// The statement as it applies to a row at `version`: `None` when `versions` limits it to
    /// other versions; an unaffected version reads as notAffected, an unknown one as
    /// underInvestigation.
    fn for_version(&self, version: &str) -> Option<VexStatement> {
        if self.versions.is_empty() {
            return Some(self.clone());
        }
        let entry = self.versions.iter().find(|v| v.contains(version))?;
        let mut out = self.clone();
        match entry.status {
            VersionStatus::Affected => {}
            VersionStatus::Unaffected if self.state == VexState::NotAffected => {}
            VersionStatus::Unaffected => {
                out.state = VexState::NotAffected;
                out.justification = Justification::None;
            }
            VersionStatus::Unknown => {
                out.state = VexState::UnderInvestigation;
                out.justification = Justification::None;
            }
        }
        Some(out)
    }
}

/// VEX document formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum VexFormat {
    /// CycloneDX (a VEX BOM, or `vulnerabilities` inside an SBOM).
    CycloneDx,
    /// CSAF 2.0, VEX profile.
    Csaf,
    /// OpenVEX.
    OpenVex,
}

/// One VEX document read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexDocument {
    /// Where it was read from.
    pub location: String,
    /// Format.
    pub format: VexFormat,
    /// The document's own identity (CycloneDX `serialNumber`, CSAF `document.tracking.id`,
    /// OpenVEX `@id`), if any.
    pub id: Option<String>,
    /// SHA-256 of its bytes.
    pub sha256: [u8; 32],
}

impl VexDocument {
    /// What `dqiVexSource` serves: the document's identity, else its file's base name (never
    /// the device's directories).
    pub fn source(&self) -> &str {
        match &self.id {
            Some(id) => id,
            None => self.location.rsplit(['/', '\\']).next().unwrap_or(""),
        }
    }
}

/// A parsed VEX document and its statements in document order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexImport {
    /// The document.
    pub document: VexDocument,
    /// Its statements.
    pub statements: Vec<VexStatement>,
}

/// One row of `dqiVexTable`: a statement joined to a software row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VexRow {
    /// The advisory ID.
    pub vuln_id: String,
    /// The `dqiSwIndex` of the component; for a statement that matches no component, its
    /// [`subject_index`].
    pub index: u32,
    /// The winning statement.
    pub statement: VexStatement,
    /// `dqiVexSource`: the document it came from ([`VexDocument::source`]).
    pub source: String,
}

/// The VEX statements joined to the inventory: rows sorted by (vulnerability ID, index).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Vex {
    rows: Vec<VexRow>,
    unmatched: u32,
    statements: u32,
    documents: Vec<VexDocument>,
    digest: [u8; 32],
    last_change: Option<Timestamp>,
}

impl Vex {
    /// Joins the statements of `imports` (in configuration order) to the rows of `software`.
    pub fn resolve(imports: Vec<VexImport>, software: &Software) -> Vex {
        let by_purl = purl_rows(software);
        let mut best: BTreeMap<(String, u32), (VexStatement, usize)> = BTreeMap::new();
        let mut subjects = SubjectIndexes::default();
        let mut unmatched = 0u32;
        let mut statements = 0u32;
        let mut documents = Vec::with_capacity(imports.len());
        for (doc, import) in imports.into_iter().enumerate() {
            documents.push(import.document);
            for statement in import.statements {
                statements = statements.saturating_add(1);
                let mut joined: Vec<(u32, VexStatement)> =
                    matches(&statement.subject, software, &by_purl)
                        .into_iter()
                        .filter_map(|row| Some((row.index, statement.for_version(&row.version)?)))
                        .collect();
                if joined.is_empty() {
                    unmatched = unmatched.saturating_add(1);
                    joined.push((subjects.index(&statement.subject), statement));
                }
                for (index, statement) in joined {
                    let key = (statement.vuln_id.clone(), index);
                    // A later or equal date replaces: equal dates go to the one read last.
                    let wins = best
                        .get(&key)
                        .is_none_or(|(held, _)| when(&statement) >= when(held));
                    if wins {
                        best.insert(key, (statement, doc));
                    }
                }
            }
        }
        let rows: Vec<VexRow> = best
            .into_iter()
            .map(|((vuln_id, index), (statement, doc))| VexRow {
                vuln_id,
                index,
                statement,
                source: String::from(documents[doc].source()),
            })
            .collect();
        let digest = digest(&rows);
        Vex {
            rows,
            unmatched,
            statements,
            documents,
            digest,
            last_change: None,
        }
    }

    /// Sets the last-change time to `now` unless `previous` has the same digest.
    pub fn settle(&mut self, previous: Option<&Vex>, now: Timestamp) {
        self.last_change = match previous {
            Some(p) if p.digest == self.digest => p.last_change.or(Some(now)),
            _ => Some(now),
        };
    }

    /// Rows sorted by vulnerability ID, then index.
    pub fn rows(&self) -> &[VexRow] {
        &self.rows
    }

    /// Statements that named no component the SBOM holds (served under their
    /// [`subject_index`]).
    pub fn unmatched(&self) -> u32 {
        self.unmatched
    }

    /// Statements read, across all documents.
    pub fn statements(&self) -> u32 {
        self.statements
    }

    /// The documents, in configuration order.
    pub fn documents(&self) -> &[VexDocument] {
        &self.documents
    }

    /// SHA-256 over the rows' canonical form (`dqiVexDigest`).
    pub fn digest(&self) -> &[u8; 32] {
        &self.digest
    }

    /// When the content last changed.
    pub fn last_change(&self) -> Option<Timestamp> {
        self.last_change
    }
}

/// Reads a VEX document under the default [`Limits`](super::Limits), telling the format by its
/// content: `bomFormat` (CycloneDX), `document` (CSAF), `@context` (OpenVEX). `location` names
/// the file in errors and in the record.
#[cfg(feature = "server")]
pub fn parse(bytes: &[u8], location: &str) -> Result<VexImport, super::DeviceError> {
    parse_with(bytes, location, &super::Limits::default())
}

/// Reads a VEX document under `limits` (string lengths, strict JSON), as [`parse`] does.
#[cfg(feature = "server")]
pub fn parse_with(
    bytes: &[u8],
    location: &str,
    limits: &super::Limits,
) -> Result<VexImport, super::DeviceError> {
    let ctx = super::json::Ctx {
        file: location,
        limits,
    };
    let root = ctx.parse(bytes)?;
    if root.contains_key("bomFormat") {
        cyclonedx::read(&ctx, bytes, &root)
    } else if root.contains_key("document") {
        csaf::read(&ctx, bytes, &root)
    } else if root.contains_key("@context") {
        openvex::read(&ctx, bytes, &root)
    } else {
        Err(ctx.err(
            "",
            "not a VEX document: no `bomFormat` (CycloneDX), `document` (CSAF) or `@context` \
             (OpenVEX)",
        ))
    }
}

/// The VEX statements inside a CycloneDX SBOM's `vulnerabilities` (the document `bytes`,
/// already parsed as `root`), if it has any.
#[cfg(feature = "server")]
pub(crate) fn embedded_in(
    ctx: &super::json::Ctx<'_>,
    bytes: &[u8],
    root: &super::json::Object,
) -> Result<Option<VexImport>, super::DeviceError> {
    if !root.contains_key("bomFormat") || !root.contains_key("vulnerabilities") {
        return Ok(None);
    }
    let import = cyclonedx::read(ctx, bytes, root)?;
    Ok((!import.statements.is_empty()).then_some(import))
}

/// `statement` once per subject in `subjects`, or once about the product (its own subject) when
/// there are none.
#[cfg(feature = "server")]
fn per_subject(out: &mut Vec<VexStatement>, subjects: Vec<Subject>, statement: VexStatement) {
    if subjects.is_empty() {
        out.push(statement);
        return;
    }
    for subject in subjects {
        out.push(VexStatement {
            subject,
            ..statement.clone()
        });
    }
}

// The order of statement dates: none before any date.
fn when(s: &VexStatement) -> Option<i64> {
    s.updated.as_ref().map(Timestamp::unix_seconds)
}

/// The index a statement that matches no component is served under: 0 for one that names
/// nothing (the product as a whole); otherwise 2^31 plus the first 31 bits of the SHA-256 of
/// its subject's canonical form (`ref:` and the bom-ref; `purl:`, the `dqiSwByPurlKey` and, if
/// given, `@` and the version; `name:` and the product name). Components are indexed from 1 to
/// 2^31 - 1 ([`MAX_INDEX`]), so the two never meet, and the index depends on nothing but the
/// subject: the same on every refresh and restart, with no state kept. Two subjects whose hashes
/// meet (odds about n^2 / 2^32) are told apart by [`Vex::resolve`], which moves the later one
/// read to the next free index.
pub fn subject_index(subject: &Subject) -> u32 {
    canonical(subject).map_or(0, |c| hashed_index(&c))
}

// The canonical form of a subject for its index (see `subject_index`); `None` for the product
// as a whole.
fn canonical(subject: &Subject) -> Option<String> {
    Some(match subject {
        Subject::Other(name) if name.trim().is_empty() => return None,
        Subject::Other(name) => alloc::format!("name:{}", name.trim()),
        Subject::BomRef(r) => alloc::format!("ref:{}", r.trim()),
        Subject::Purl(p) => match purl::parse(p) {
            Some(k) => match k.version {
                Some(v) => alloc::format!("purl:{}@{v}", k.key),
                None => alloc::format!("purl:{}", k.key),
            },
            None => alloc::format!("purl:{}", p.trim()),
        },
    })
}

fn hashed_index(canonical: &str) -> u32 {
    let hash = Sha256::digest(canonical.as_bytes());
    let bits = u32::from_be_bytes([hash[0], hash[1], hash[2], hash[3]]);
    (MAX_INDEX + 1) | (bits & MAX_INDEX)
}

// The subject indexes handed out in one resolve, so that two subjects never share one.
#[derive(Default)]
struct SubjectIndexes {
    by_subject: BTreeMap<String, u32>,
    taken: BTreeSet<u32>,
}

impl SubjectIndexes {
    fn index(&mut self, subject: &Subject) -> u32 {
        let Some(key) = canonical(subject) else {
            return 0;
        };
        if let Some(&held) = self.by_subject.get(&key) {
            return held;
        }
        // Probe upwards within the subject range, wrapping: the range has 2^31 slots and a
        // device states far fewer, so a free one is always near.
        let mut index = hashed_index(&key);
        while self.taken.contains(&index) {
            index = if index == u32::MAX {
                MAX_INDEX + 1
            } else {
                index + 1
            };
        }
        self.taken.insert(index);
        self.by_subject.insert(key, index);
        index
    }
}

// purl key -> (row version per the purl, row position), for joining by purl.
fn purl_rows(software: &Software) -> BTreeMap<String, Vec<(Option<String>, usize)>> {
    let mut map: BTreeMap<String, Vec<(Option<String>, usize)>> = BTreeMap::new();
    for (at, row) in software.rows().iter().enumerate() {
        if let Some(p) = row.purl.as_deref().and_then(purl::parse) {
            map.entry(p.key).or_default().push((p.version, at));
        }
    }
    map
}

fn matches<'s>(
    subject: &Subject,
    software: &'s Software,
    by_purl: &BTreeMap<String, Vec<(Option<String>, usize)>>,
) -> Vec<&'s SoftwareRow> {
    let rows = software.rows();
    match subject {
        Subject::BomRef(r) => rows
            .iter()
            .filter(|row| row.sbom_ref.as_deref() == Some(r.as_str()))
            .collect(),
        Subject::Purl(p) => {
            let Some(p) = purl::parse(p) else {
                return Vec::new();
            };
            by_purl.get(&p.key).map_or_else(Vec::new, |found| {
                found
                    .iter()
                    .filter(|(v, _)| p.version.is_none() || *v == p.version)
                    .filter_map(|&(_, at)| rows.get(at))
                    .collect()
            })
        }
        Subject::Other(_) => Vec::new(),
    }
}

// Canonical form: `dqi-vex-v2`, the row count, then per row (already sorted by ID and index)
// each field length-prefixed or tagged, as the software digest does, so the encoding is
// injective. The index is included: a statement moving from one component to another is news.
fn digest(rows: &[VexRow]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"dqi-vex-v2");
    h.update(len32(rows.len()));
    for r in rows {
        let s = &r.statement;
        text(&mut h, &r.vuln_id);
        h.update(r.index.to_be_bytes());
        text(&mut h, s.state.as_str());
        text(&mut h, s.justification.as_str());
        opt_text(&mut h, s.action.as_deref());
        opt_text(&mut h, s.detail.as_deref());
        match &s.updated {
            None => h.update([0]),
            Some(t) => {
                h.update([1]);
                h.update(t.date_and_time());
            }
        }
        text(&mut h, &r.source);
        text(&mut h, s.subject.text());
    }
    h.finalize().into()
}

fn len32(n: usize) -> [u8; 4] {
    u32::try_from(n).unwrap_or(u32::MAX).to_be_bytes()
}

fn text(h: &mut Sha256, s: &str) {
    h.update(len32(s.len()));
    h.update(s.as_bytes());
}

fn opt_text(h: &mut Sha256, s: Option<&str>) {
    match s {
        None => h.update([0]),
        Some(s) => {
            h.update([1]);
            text(h, s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::model::ComponentType;
    use crate::device::software::SoftwareRow;
    use alloc::string::ToString;
    use alloc::vec;

    fn software() -> Software {
        let mut a = SoftwareRow::bare(3, "log4j-core", "2.14.1", ComponentType::Library);
        a.purl = Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".to_string());
        a.sbom_ref = Some("log4j".to_string());
        let mut b = SoftwareRow::bare(7, "log4j-core", "2.17.1", ComponentType::Library);
        b.purl = Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1?type=jar".to_string());
        Software::new(vec![a, b], vec![], None, None)
    }

    fn st(id: &str, subject: Subject, state: VexState, date: Option<&str>) -> VexStatement {
        VexStatement {
            vuln_id: id.to_string(),
            subject,
            state,
            justification: Justification::None,
            action: None,
            detail: None,
            updated: date.and_then(Timestamp::parse),
            versions: vec![],
        }
    }

    fn import(name: &str, statements: Vec<VexStatement>) -> VexImport {
        VexImport {
            document: VexDocument {
                location: alloc::format!("/etc/{name}"),
                format: VexFormat::OpenVex,
                id: None,
                sha256: [0; 32],
            },
            statements,
        }
    }

    #[test]
    fn statements_join_by_ref_and_purl_and_the_rest_get_rows_of_their_own() {
        let purl = |p: &str| Subject::Purl(p.to_string());
        let vex = Vex::resolve(
            vec![import(
                "a.json",
                vec![
                    st(
                        "CVE-1",
                        Subject::BomRef("log4j".into()),
                        VexState::Affected,
                        None,
                    ),
                    // No version: every version of the package.
                    st(
                        "CVE-2",
                        purl("pkg:maven/org.apache.logging.log4j/log4j-core"),
                        VexState::Fixed,
                        None,
                    ),
                    st(
                        "CVE-3",
                        purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"),
                        VexState::NotAffected,
                        None,
                    ),
                    st(
                        "CVE-4",
                        purl("pkg:npm/absent@1"),
                        VexState::UnderInvestigation,
                        None,
                    ),
                    st(
                        "CVE-4",
                        Subject::Other("InfuSafe 3000".into()),
                        VexState::NotAffected,
                        None,
                    ),
                ],
            )],
            &software(),
        );
        let rows: Vec<(&str, u32, VexState)> = vex
            .rows()
            .iter()
            .map(|r| (r.vuln_id.as_str(), r.index, r.statement.state))
            .collect();
        // Two unmatched statements about one vulnerability: two rows, each under the index of
        // what it names, above every component index.
        let absent = subject_index(&purl("pkg:npm/absent@1"));
        let pump = subject_index(&Subject::Other("InfuSafe 3000".into()));
        assert!(absent > MAX_INDEX && pump > MAX_INDEX && absent != pump);
        let mut want = vec![
            ("CVE-1", 3, VexState::Affected),
            ("CVE-2", 3, VexState::Fixed),
            ("CVE-2", 7, VexState::Fixed),
            ("CVE-3", 7, VexState::NotAffected),
            ("CVE-4", absent, VexState::UnderInvestigation),
            ("CVE-4", pump, VexState::NotAffected),
        ];
        want.sort();
        assert_eq!(rows, want);
        assert_eq!(vex.unmatched(), 2);
        assert_eq!(vex.statements(), 5);
        assert_eq!(vex.rows()[0].source, "a.json", "base name, no directory");
    }

    #[test]
    fn an_unmatched_subject_keeps_its_index_whatever_else_is_stated() {
        let purl = |p: &str| Subject::Purl(p.to_string());
        // The index depends on the subject alone (spelling normalised as a purl key), not on
        // the order or the other statements: a refresh or a restart serves it at the same OID.
        assert_eq!(
            subject_index(&purl("pkg:NPM/%40scope/absent@1")),
            subject_index(&purl("pkg:npm/@scope/absent@1"))
        );
        assert_ne!(
            subject_index(&purl("pkg:npm/absent@1")),
            subject_index(&purl("pkg:npm/absent@2"))
        );
        assert_eq!(subject_index(&Subject::Other(" ".into())), 0, "the product");
        let one = |extra: Vec<VexStatement>| {
            let mut statements = extra;
            statements.push(st(
                "CVE-9",
                Subject::Other("Pump".into()),
                VexState::NotAffected,
                None,
            ));
            let vex = Vex::resolve(vec![import("a", statements)], &software());
            let row = vex.rows().iter().find(|r| r.vuln_id == "CVE-9").unwrap();
            (row.index, row.statement.subject.text().to_string())
        };
        let alone = one(vec![]);
        let crowded = one(vec![
            st("CVE-9", purl("pkg:npm/a@1"), VexState::Affected, None),
            st(
                "CVE-8",
                Subject::Other("Pump".into()),
                VexState::Fixed,
                None,
            ),
        ]);
        assert_eq!(alone, crowded);
        assert_eq!(
            alone,
            (
                subject_index(&Subject::Other("Pump".into())),
                "Pump".to_string()
            )
        );
        // Two subjects whose hashes meet are still two rows.
        let mut taken = SubjectIndexes::default();
        let a = taken.index(&Subject::Other("a".into()));
        taken.by_subject.clear();
        let b = taken.index(&Subject::Other("a".into()));
        assert_eq!(b, a + 1, "a colliding subject takes the next free index");
    }

    fn row_states(vex: &Vex) -> Vec<(u32, VexState)> {
        vex.rows()
            .iter()
            .map(|r| (r.index, r.statement.state))
            .collect()
    }

    #[test]
    fn affected_versions_limit_a_statement_to_those_rows() {
        let range = |r: &str| VersionSpec::Range(VersRange::parse(r).unwrap());
        let limited = |versions: Vec<AffectedVersion>| {
            let mut s = st(
                "CVE-2021-44228",
                Subject::Purl("pkg:maven/org.apache.logging.log4j/log4j-core".into()),
                VexState::Affected,
                None,
            );
            s.versions = versions;
            s
        };
        let entry = |spec, status| AffectedVersion { spec, status };
        // 2.14.1 (row 3) is in the range, 2.17.1 (row 7) is stated unaffected.
        let vex = Vex::resolve(
            vec![import(
                "a",
                vec![limited(vec![
                    entry(
                        range("vers:maven/>=2.0-beta9|<2.15.0"),
                        VersionStatus::Affected,
                    ),
                    entry(
                        VersionSpec::Exact("2.17.1".into()),
                        VersionStatus::Unaffected,
                    ),
                ])],
            )],
            &software(),
        );
        let states = row_states(&vex);
        assert_eq!(
            states,
            [(3, VexState::Affected), (7, VexState::NotAffected)]
        );
        assert_eq!(vex.unmatched(), 0);
        // Only 2.14.1 named: the statement is not about 2.17.1; unknown reads as under
        // investigation.
        let vex = Vex::resolve(
            vec![import(
                "a",
                vec![limited(vec![entry(
                    VersionSpec::Exact("2.14.1".into()),
                    VersionStatus::Unknown,
                )])],
            )],
            &software(),
        );
        let states = row_states(&vex);
        assert_eq!(states, [(3, VexState::UnderInvestigation)]);
        // No installed version named: kept, counted, under the subject's own index.
        let vex = Vex::resolve(
            vec![import(
                "a",
                vec![limited(vec![entry(
                    range("vers:maven/<2.0"),
                    VersionStatus::Affected,
                )])],
            )],
            &software(),
        );
        assert_eq!(vex.unmatched(), 1);
        assert!(vex.rows()[0].index > MAX_INDEX);
    }

    #[test]
    fn the_later_dated_statement_wins_whatever_the_file_order() {
        let r = || Subject::BomRef("log4j".into());
        let newer = import(
            "new.json",
            vec![st("CVE-1", r(), VexState::Fixed, Some("2024-02-01"))],
        );
        let older = import(
            "old.json",
            vec![st(
                "CVE-1",
                r(),
                VexState::UnderInvestigation,
                Some("2024-01-01"),
            )],
        );
        let vex = Vex::resolve(vec![newer.clone(), older.clone()], &software());
        assert_eq!(vex.rows()[0].statement.state, VexState::Fixed);
        let vex2 = Vex::resolve(vec![older, newer], &software());
        assert_eq!(vex2.rows()[0].statement.state, VexState::Fixed);
        assert_eq!(vex2.rows()[0].source, "new.json");
        assert_eq!(vex.digest(), vex2.digest(), "same content, same digest");
        let other = Vex::resolve(vec![], &software());
        assert_ne!(vex.digest(), other.digest());
    }

    #[test]
    fn last_change_moves_with_content_only() {
        let t1 = Timestamp::parse("2024-01-01T00:00:00Z").unwrap();
        let t2 = Timestamp::parse("2024-01-02T00:00:00Z").unwrap();
        let mk = |state| {
            Vex::resolve(
                vec![import(
                    "a",
                    vec![st("CVE-1", Subject::BomRef("log4j".into()), state, None)],
                )],
                &software(),
            )
        };
        let mut a = mk(VexState::Affected);
        a.settle(None, t1);
        let mut b = mk(VexState::Affected);
        b.settle(Some(&a), t2);
        assert_eq!(b.last_change(), Some(t1));
        let mut c = mk(VexState::Fixed);
        c.settle(Some(&b), t2);
        assert_eq!(c.last_change(), Some(t2));
    }

    #[test]
    fn justification_vocabularies() {
        assert_eq!(
            Justification::parse("code_not_reachable"),
            Some(Justification::VulnerableCodeNotInExecutePath)
        );
        assert_eq!(
            Justification::parse("inline_mitigations_already_exist"),
            Some(Justification::InlineMitigationsAlreadyExist)
        );
        assert_eq!(Justification::parse("because"), None);
    }
}
