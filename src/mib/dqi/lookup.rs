//! `dqiSwByNameTable` and `dqiSwByPurlTable` (DQI-MIB dqiSoftware 14 and 15): the software
//! inventory indexed by what a person asks for, so that "do you run log4j-core, which
//! version?" is one GetNext instead of a walk of `dqiSwPurl`.
//!
//! Both tables are indexed by a string then `dqiSwIndex` (SMIv2 non-IMPLIED string index, RFC
//! 2578 §7.7: a length arc, then one arc per octet). A GetNext on
//! `dqiSwByNameVersion.<len>.<name>` lands on the first row of that name, if there is one, and
//! a GetBulk continues through every version installed. The rows are the same rows as
//! `dqiSwTable`'s, under the same stable index, so an update moves them with their component.
//!
//! Built off the request path, once per refresh, from the snapshot; the version and purl values
//! are `dqiSwTable`'s own, shared with it (an `OCTET STRING` clone shares its bytes).

use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::encode::{self, Sink};
use super::software::Identifiers;
use crate::device::purl;
use crate::device::{DeviceSnapshot, SoftwareRow};
use crate::mib::Value;

/// `dqiSwByNameEntry` (dqiSwByNameTable 1).
pub(crate) const BY_NAME_ENTRY: [u32; super::R + 4] = super::under(&[1, 4, 14, 1]);
/// `dqiSwByPurlEntry` (dqiSwByPurlTable 1).
pub(crate) const BY_PURL_ENTRY: [u32; super::R + 4] = super::under(&[1, 4, 15, 1]);

/// The longest `dqiSwByNameKey` and `dqiSwByPurlKey`, in octets (their SIZE in the MIB). An
/// instance OID may have at most 128 arcs (RFC 2578 §3.5); the entry, column, length and
/// `dqiSwIndex` take 17 of them, and a round 100 leaves room for a longer root. A longer name
/// is reachable through the purl table, a longer purl key through `dqiSwPurl`.
pub const KEY_MAX: usize = 100;

/// The `dqiSwByNameKey` of a row: its name with ASCII letters lower-cased, so that a manager
/// need not guess how an SBOM capitalised it (`OpenSSL`, `openssl`); `None` when it is empty or
/// longer than [`KEY_MAX`].
pub fn name_key(name: &str) -> Option<String> {
    (!name.is_empty() && name.len() <= KEY_MAX).then(|| name.to_ascii_lowercase())
}

/// The `dqiSwByPurlKey` of a row: its purl without version, qualifiers and subpath, normalised
/// ([`purl::key`]); `None` without a purl or when the key is longer than [`KEY_MAX`].
pub fn purl_key(row: &SoftwareRow) -> Option<String> {
    purl::key(row.purl.as_deref()?).filter(|k| k.len() <= KEY_MAX)
}

/// The instance suffix `<len>.<octets...>.<index>` of a string-then-`dqiSwIndex` row.
pub(super) fn string_index(key: &[u8], index: u32) -> Vec<u32> {
    let mut arcs = Vec::with_capacity(key.len() + 2);
    // A key is at most KEY_MAX (or the VEX ID maximum) octets, so its length fits.
    arcs.push(key.len() as u32);
    arcs.extend(key.iter().map(|&b| u32::from(b)));
    arcs.push(index);
    arcs
}

/// Rows of a table with a composite index, emitted column by column in index order.
pub(super) struct KeyedTable<'e> {
    entry: &'e [u32],
    first: u32,
    rows: Vec<(Vec<u32>, Vec<Option<Value>>)>,
}

impl<'e> KeyedTable<'e> {
    /// A table under `entry` whose readable columns start at `first`.
    pub(super) fn new(entry: &'e [u32], first: u32, rows: usize) -> KeyedTable<'e> {
        KeyedTable {
            entry,
            first,
            rows: Vec::with_capacity(rows),
        }
    }

    /// A row at instance suffix `index`, with the values of columns `first..`; `None` leaves
    /// that instance out (a sparse column).
    pub(super) fn row(&mut self, index: Vec<u32>, cells: Vec<Option<Value>>) {
        self.rows.push((index, cells));
    }

    /// Appends the cells to `sink` in OID order; a repeated index keeps its first row.
    pub(super) fn finish(mut self, sink: &mut Sink<'_>) {
        self.rows.sort_by(|a, b| a.0.cmp(&b.0));
        self.rows.dedup_by(|b, a| a.0 == b.0);
        let columns = self.rows.first().map_or(0, |r| r.1.len());
        for c in 0..columns {
            // Column numbers are small constants, so the offset fits.
            let column = self.first + c as u32;
            for (index, cells) in &self.rows {
                if let Some(value) = cells.get(c).cloned().flatten() {
                    let mut arcs = Vec::with_capacity(index.len() + 1);
                    arcs.push(column);
                    arcs.extend_from_slice(index);
                    sink.value(self.entry, &arcs, value);
                }
            }
        }
    }
}

/// The two tables' instances; `identifiers` are the rows' `dqiSwTable` values, in row order,
/// served again here without copying their octets.
pub(super) fn entries(sink: &mut Sink<'_>, snapshot: &DeviceSnapshot, identifiers: &[Identifiers]) {
    let rows = snapshot.software.rows();
    let mut by_name = KeyedTable::new(&BY_NAME_ENTRY, 2, rows.len());
    let mut by_purl = KeyedTable::new(&BY_PURL_ENTRY, 2, rows.len());
    for (row, ids) in rows.iter().zip(identifiers) {
        let i = row.index;
        let cells = || alloc::vec![Some(ids.version.clone()), Some(ids.purl.clone())];
        if let Some(key) = name_key(&row.name) {
            by_name.row(string_index(key.as_bytes(), i), cells());
        }
        if let Some(key) = purl_key(row) {
            by_purl.row(string_index(key.as_bytes(), i), cells());
        }
    }
    by_name.finish(sink);
    by_purl.finish(sink);
}

/// The instance OID of `column` of the name table for `name` and `index`, for tests and tools.
pub fn by_name_instance(column: u32, name: &str, index: u32) -> Box<[u32]> {
    let mut arcs = alloc::vec![column];
    arcs.extend(string_index(name.as_bytes(), index));
    encode::oid(&BY_NAME_ENTRY, &arcs)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::Software;
    use crate::device::model::ComponentType;
    use crate::mib::dqi::fixture;
    use crate::mib::served::snapshot_objects;
    use crate::mib::{Entry, Tree};
    use alloc::string::ToString;
    use alloc::vec;

    fn get(tree: &Tree, oid: &[u32]) -> Option<Value> {
        match tree.get(oid) {
            Some(Entry::Value(v)) => Some(v.clone()),
            _ => None,
        }
    }

    fn purl_instance(column: u32, key: &str, index: u32) -> Box<[u32]> {
        let mut arcs = vec![column];
        arcs.extend(string_index(key.as_bytes(), index));
        encode::oid(&BY_PURL_ENTRY, &arcs)
    }

    #[test]
    fn getnext_on_a_name_lands_on_its_first_row() {
        let mut s = fixture::snapshot();
        let mut rows = s.software.rows().to_vec();
        // A second log4j-core, at a higher index; and one spelled with capitals.
        let mut second = rows[1].clone();
        second.index = 40;
        second.version = "2.17.1".to_string();
        second.purl = Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1".to_string());
        rows.push(second);
        let mut upper = fixture::row(41, "OpenSSL", "3.0.13", ComponentType::Library);
        upper.purl = Some("pkg:generic/openssl@3.0.13?download_url=x".to_string());
        rows.push(upper);
        s.software = Software::new(rows, vec![], None, None);
        let tree = Tree::from_entries(snapshot_objects(&s, &fixture::stamps()));

        // GetNext on the bare name (what `snmpgetnext dqiSwByNameVersion."log4j-core"` sends).
        let mut asked = BY_NAME_ENTRY.to_vec();
        asked.push(2);
        asked.extend(string_index(b"log4j-core", 0));
        asked.pop();
        let (oid, _) = tree.next(&asked).unwrap();
        assert_eq!(oid, &*by_name_instance(2, "log4j-core", 2));
        assert_eq!(get(&tree, oid), Some(Value::octets("2.14.1")));
        // The next GetNext gives the other version: a GetBulk lists every one installed.
        let (oid, _) = tree.next(oid).unwrap();
        assert_eq!(oid, &*by_name_instance(2, "log4j-core", 40));
        assert_eq!(get(&tree, oid), Some(Value::octets("2.17.1")));
        assert_eq!(
            get(&tree, &by_name_instance(3, "log4j-core", 40)),
            Some(Value::octets(
                "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1"
            ))
        );
        assert_eq!(
            get(&tree, &by_name_instance(2, "openssl", 41)),
            Some(Value::octets("3.0.13")),
            "names are folded to lower case"
        );
        // The purl table: ecosystem-exact, one row per version, full purl served.
        let key = "pkg:maven/org.apache.logging.log4j/log4j-core";
        assert_eq!(
            get(&tree, &purl_instance(2, key, 2)),
            Some(Value::octets("2.14.1"))
        );
        assert_eq!(
            get(&tree, &purl_instance(3, "pkg:generic/openssl", 41)),
            Some(Value::octets("pkg:generic/openssl@3.0.13?download_url=x"))
        );
        // A row without a purl is in the name table only.
        assert!(get(&tree, &by_name_instance(2, "linux", 5)).is_some());
        let linux_purls = tree
            .iter()
            .filter(|(oid, _)| oid.starts_with(&BY_PURL_ENTRY) && *oid.last().unwrap() == 5)
            .count();
        assert_eq!(linux_purls, 0);
    }

    #[test]
    fn long_keys_are_left_out() {
        assert_eq!(
            name_key(&"x".repeat(KEY_MAX)).map(|k| k.len()),
            Some(KEY_MAX)
        );
        assert_eq!(name_key(&"x".repeat(KEY_MAX + 1)), None);
        assert_eq!(name_key(""), None);
        let mut r = fixture::row(1, "a", "1", ComponentType::Library);
        r.purl = Some(alloc::format!("pkg:generic/{}@1", "y".repeat(KEY_MAX)));
        assert_eq!(purl_key(&r), None);
        r.purl = Some("not a purl".to_string());
        assert_eq!(purl_key(&r), None);
    }
}
