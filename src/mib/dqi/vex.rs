//! `dqiVex` (DQI-MIB dqiObjects 6): the maker's VEX statements, so that "are you affected by
//! CVE-2021-44228?" is one GetNext on `dqiVexState.<len>.<id>`.
//!
//! `dqiVexTable` is indexed by the advisory ID (a length-prefixed string, RFC 2578 §7.7) then
//! `dqiSwIndex`; a statement about the product as a whole is served under 0, one about a named
//! product or a component the SBOM does not hold under an index derived from what it names
//! ([`crate::device::vex::subject_index`], above every component's), and counted in
//! `dqiVexUnmatched`; `dqiVexSubject` says what each row's statement names. The scalars give a
//! poller the same cheap change detection as the software scalars.

use alloc::vec::Vec;

use super::encode::{self, Sink};
use super::lookup::{KeyedTable, string_index};
use super::{Stamps, under};
use crate::device::DeviceSnapshot;
use crate::device::vex::{Justification, VexRow, VexState};
use crate::mib::Value;

/// `dqiVex`: dqiObjects 6.
pub(crate) const VEX: [u32; super::R + 2] = under(&[1, 6]);
/// `dqiVexEntry` (dqiVexTable 1).
pub(crate) const VEX_ENTRY: [u32; super::R + 4] = under(&[1, 6, 4, 1]);

/// The longest `dqiVexVulnId` served, in octets (its SIZE in the MIB): CVE, GHSA, OSV and vendor
/// IDs are far shorter; a statement with a longer ID is left out of the table (still counted in
/// the log's statement total).
pub const VULN_ID_MAX: usize = 64;
/// `dqiVexAction`, `dqiVexSource` and `dqiVexDetail` are `DqiLongText`.
const LONG_TEXT_MAX: usize = 1024;

pub(super) fn entries(sink: &mut Sink<'_>, snapshot: &DeviceSnapshot, stamps: &Stamps) {
    let vex = &snapshot.vex;
    let served: Vec<&VexRow> = vex
        .rows()
        .iter()
        .filter(|r| !r.vuln_id.is_empty() && r.vuln_id.len() <= VULN_ID_MAX)
        .collect();
    sink.scalar(&VEX, 1, encode::gauge(served.len()));
    sink.scalar(&VEX, 2, Value::TimeTicks(stamps.vex_changed));
    sink.scalar(&VEX, 3, Value::octets(encode::hex(vex.digest())));
    let mut table = KeyedTable::new(&VEX_ENTRY, 2, served.len());
    for r in &served {
        let s = &r.statement;
        let i = r.index;
        table.row(
            string_index(r.vuln_id.as_bytes(), i),
            alloc::vec![
                Some(Value::Integer(state(s.state))),
                Some(Value::Integer(justification(s.justification))),
                Some(encode::opt_text(s.action.as_deref(), LONG_TEXT_MAX)),
                // Sparse: an unknown date is no instance, never year 0.
                s.updated.as_ref().map(|t| encode::date(Some(t))),
                Some(encode::ident(&r.source, LONG_TEXT_MAX, "dqiVexSource", i)),
                Some(encode::opt_text(s.detail.as_deref(), LONG_TEXT_MAX)),
                Some(encode::text(s.subject.text(), LONG_TEXT_MAX)),
            ],
        );
    }
    table.finish(sink);
    sink.scalar(&VEX, 5, encode::gauge(vex.unmatched() as usize));
}

/// `dqiVexState`.
pub fn state(s: VexState) -> i32 {
    match s {
        VexState::NotAffected => 1,
        VexState::Affected => 2,
        VexState::Fixed => 3,
        VexState::UnderInvestigation => 4,
    }
}

/// `dqiVexJustification`.
pub fn justification(j: Justification) -> i32 {
    match j {
        Justification::None => 1,
        Justification::ComponentNotPresent => 2,
        Justification::VulnerableCodeNotPresent => 3,
        Justification::VulnerableCodeNotInExecutePath => 4,
        Justification::VulnerableCodeCannotBeControlledByAdversary => 5,
        Justification::InlineMitigationsAlreadyExist => 6,
        Justification::RequiresConfiguration => 7,
        Justification::RequiresDependency => 8,
        Justification::RequiresEnvironment => 9,
        Justification::ProtectedByCompiler => 10,
        Justification::ProtectedAtRuntime => 11,
        Justification::ProtectedAtPerimeter => 12,
        Justification::ProtectedByMitigatingControl => 13,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::vex::{Subject, Vex, VexDocument, VexFormat, VexImport, VexStatement};
    use crate::mib::dqi::fixture;
    use crate::mib::served::snapshot_objects;
    use crate::mib::{Entry, Tree};
    use alloc::string::ToString;
    use alloc::vec;
    use alloc::vec::Vec;

    #[test]
    fn are_you_affected_is_one_getnext() {
        let mut s = fixture::snapshot();
        let st = |id: &str, subject, state, date: Option<&str>| VexStatement {
            vuln_id: id.to_string(),
            subject,
            state,
            justification: Justification::None,
            action: Some("update: install 4.2.2".to_string()),
            detail: None,
            updated: date.and_then(crate::device::Timestamp::parse),
            versions: vec![],
        };
        let log4j = || Subject::Purl("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into());
        s.vex = Vex::resolve(
            vec![VexImport {
                document: VexDocument {
                    location: "/etc/pump.vex.json".to_string(),
                    format: VexFormat::OpenVex,
                    id: Some("https://acme.example/vex/1".to_string()),
                    sha256: [0; 32],
                },
                statements: vec![
                    st(
                        "CVE-2021-44228",
                        log4j(),
                        VexState::Affected,
                        Some("2024-05-01"),
                    ),
                    st(
                        "CVE-2099-1",
                        Subject::Other("pump".into()),
                        VexState::NotAffected,
                        None,
                    ),
                ],
            }],
            &s.software,
        );
        let mut stamps = fixture::stamps();
        stamps.vex_changed = 777;
        let tree = Tree::from_entries(snapshot_objects(&s, &stamps));
        let mut asked = VEX_ENTRY.to_vec();
        asked.push(2);
        asked.extend(string_index(b"CVE-2021-44228", 0));
        asked.pop();
        let (oid, entry) = tree.next(&asked).unwrap();
        assert_eq!(*oid.last().unwrap(), 2, "log4j-core's dqiSwIndex");
        assert_eq!(entry, &Entry::Value(Value::Integer(2)), "affected");
        let cell = |col: u32, id: &str, i: u32| {
            let mut oid = VEX_ENTRY.to_vec();
            oid.push(col);
            oid.extend(string_index(id.as_bytes(), i));
            tree.get(&oid).cloned()
        };
        assert_eq!(
            cell(4, "CVE-2021-44228", 2),
            Some(Entry::Value(Value::octets("update: install 4.2.2")))
        );
        assert_eq!(
            cell(5, "CVE-2021-44228", 2),
            Some(Entry::Value(Value::octets([0x07, 0xe8, 5, 1, 0, 0, 0, 0])))
        );
        let pump = crate::device::vex::subject_index(&Subject::Other("pump".into()));
        assert_eq!(cell(5, "CVE-2099-1", pump), None, "no date: no instance");
        assert_eq!(
            cell(2, "CVE-2099-1", pump),
            Some(Entry::Value(Value::Integer(1)))
        );
        assert_eq!(
            cell(6, "CVE-2099-1", pump),
            Some(Entry::Value(Value::octets("https://acme.example/vex/1")))
        );
        assert_eq!(
            cell(8, "CVE-2099-1", pump),
            Some(Entry::Value(Value::octets("pump"))),
            "dqiVexSubject says what a row under no component's index is about"
        );
        assert_eq!(
            cell(8, "CVE-2021-44228", 2),
            Some(Entry::Value(Value::octets(
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
            )))
        );
        let scalar = |arc: u32| {
            let mut oid = VEX.to_vec();
            oid.extend([arc, 0]);
            tree.get(&oid).cloned()
        };
        assert_eq!(scalar(1), Some(Entry::Value(Value::Gauge32(2))));
        assert_eq!(scalar(2), Some(Entry::Value(Value::TimeTicks(777))));
        assert_eq!(scalar(5), Some(Entry::Value(Value::Gauge32(1))));
        let digest: Vec<u8> = encode::hex(s.vex.digest()).into_bytes();
        assert_eq!(scalar(3), Some(Entry::Value(Value::octets(digest))));
    }
}
