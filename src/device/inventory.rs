//! Combining several SBOM imports into one software inventory with stable indexes.
//!
//! A device often ships more than one SBOM (one for the application, one for the firmware), and
//! the same component may appear in several of them or twice in one. The merge rule:
//!
//! - Two components are the same row when their identity key ([`super::index::identity_key`]:
//!   purl without version, else type + supplier + group + name) and their version are equal. For
//!   components with a purl that is "same purl and version".
//! - The first occurrence (configuration order of the files, document order inside a file) makes
//!   the row; later occurrences only fill what it lacks: supplier, CPE, purl, install date,
//!   end-of-support date, a support status other than `noAssertion`, and hashes (the union).
//! - The row's parent is the first occurrence's parent. A parent link that would make a cycle
//!   (possible with SPDX relationships) or point at the row itself is dropped: the row becomes
//!   top level.

use alloc::collections::{BTreeMap, BTreeSet};
use alloc::string::String;
use alloc::vec::Vec;

use super::date::Timestamp;
use super::index::{IndexExhausted, IndexMap, identity_key};
use super::model::{ComponentHash, SbomImport, SoftwareRow, SupportStatus};

/// The rows for `imports`, indexes from `map` (which learns any new keys). Rows without an
/// install date get `default_install_date` (the device's last software update, typically).
pub fn combine(
    imports: &[SbomImport],
    map: &mut IndexMap,
    default_install_date: Option<Timestamp>,
) -> Result<Vec<SoftwareRow>, IndexExhausted> {
    let mut rows: Vec<SoftwareRow> = Vec::new();
    // Per row: (import number, position) of its first occurrence, to resolve its parent.
    let mut origin: Vec<(usize, usize)> = Vec::new();
    let mut by_identity: BTreeMap<(String, String), usize> = BTreeMap::new();
    // Every (row, hash) already in a row: the union of hashes stays linear however many
    // occurrences a component has (a `contains` per occurrence was quadratic).
    let mut hashes_of: BTreeSet<(usize, &ComponentHash)> = BTreeSet::new();
    // Per import, per component position: the row it became.
    let mut row_of: Vec<Vec<usize>> = Vec::with_capacity(imports.len());

    for (doc, import) in imports.iter().enumerate() {
        let mut positions = Vec::with_capacity(import.components.len());
        for (pos, c) in import.components.iter().enumerate() {
            let key = identity_key(c);
            let id = (key, c.version.clone());
            if let Some(&r) = by_identity.get(&id) {
                let row = &mut rows[r];
                fill(&mut row.supplier, &c.supplier);
                fill(&mut row.cpe, &c.cpe);
                fill(&mut row.purl, &c.purl);
                fill(&mut row.install_date, &c.install_date);
                fill(&mut row.end_of_support, &c.end_of_support);
                if row.support == SupportStatus::NoAssertion {
                    row.support = c.support;
                }
                for h in &c.hashes {
                    if hashes_of.insert((r, h)) {
                        row.hashes.push(h.clone());
                    }
                }
                positions.push(r);
                continue;
            }
            let r = rows.len();
            hashes_of.extend(c.hashes.iter().map(|h| (r, h)));
            let mut row = SoftwareRow::from_component(c, doc, id.0.clone());
            row.install_date = row.install_date.or(default_install_date);
            rows.push(row);
            origin.push((doc, pos));
            by_identity.insert(id, r);
            positions.push(r);
        }
        row_of.push(positions);
    }

    // Parent links as row numbers, from each row's first occurrence.
    let mut parent: Vec<Option<usize>> = origin
        .iter()
        .enumerate()
        .map(|(r, &(doc, pos))| {
            imports[doc].components[pos]
                .parent
                .and_then(|p| row_of[doc].get(p).copied())
                .filter(|&p| p != r)
        })
        .collect();
    break_cycles(&mut parent);

    let items: Vec<(&str, &str)> = rows
        .iter()
        .map(|r| (r.key.as_str(), r.version.as_str()))
        .collect();
    let indexes = map.assign(&items)?;
    for (r, row) in rows.iter_mut().enumerate() {
        row.index = indexes[r];
        row.parent = parent[r].map_or(0, |p| indexes[p]);
    }
    Ok(rows)
}

fn fill<T: Clone>(slot: &mut Option<T>, from: &Option<T>) {
    if slot.is_none() {
        slot.clone_from(from);
    }
}

// Walks each chain of parents once (three-colour marking, iterative so a deep chain cannot
// overflow the stack) and cuts the link that closes a cycle.
fn break_cycles(parent: &mut [Option<usize>]) {
    const NEW: u8 = 0;
    const ON_PATH: u8 = 1;
    const DONE: u8 = 2;
    let mut state = alloc::vec![NEW; parent.len()];
    let mut path = Vec::new();
    for start in 0..parent.len() {
        let mut node = start;
        while state[node] == NEW {
            state[node] = ON_PATH;
            path.push(node);
            match parent[node] {
                Some(p) if state[p] == ON_PATH => {
                    parent[node] = None;
                    break;
                }
                Some(p) => node = p,
                None => break,
            }
        }
        for n in path.drain(..) {
            state[n] = DONE;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::model::{HashAlg, SbomComponent, SbomDocument, SbomFormat};
    use alloc::string::ToString;
    use alloc::vec;

    fn comp(name: &str, version: &str, purl: Option<&str>, parent: Option<usize>) -> SbomComponent {
        SbomComponent {
            purl: purl.map(str::to_string),
            parent,
            ..SbomComponent::bare(name, version)
        }
    }

    fn import(components: Vec<SbomComponent>) -> SbomImport {
        SbomImport {
            document: SbomDocument {
                location: "x".to_string(),
                format: SbomFormat::CycloneDx,
                spec_version: "1.5".to_string(),
                sha256: [0; 32],
                serial: None,
                created: None,
                subject: None,
                version: 1,
                components: 0,
            },
            components,
        }
    }

    #[test]
    fn duplicates_across_files_merge_and_fill() {
        let log4j = Some("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
        let mut second = comp("log4j-core", "2.14.1", log4j, None);
        second.cpe = Some("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*".to_string());
        second.hashes = vec![ComponentHash::new(HashAlg::Sha1, &"1".repeat(40)).unwrap()];
        let mut first = comp("log4j-core", "2.14.1", log4j, Some(0));
        first.hashes = vec![ComponentHash::new(HashAlg::Sha256, &"2".repeat(64)).unwrap()];
        let a = import(vec![comp("app", "1.0", None, None), first]);
        let b = import(vec![second, comp("zlib", "1.3", None, None)]);
        let mut map = IndexMap::new();
        let rows = combine(&[a, b], &mut map, None).unwrap();
        assert_eq!(rows.len(), 3);
        let log = &rows[1];
        assert_eq!((log.index, log.parent, log.document), (2, 1, 0));
        assert!(log.cpe.is_some(), "CPE filled from the second file");
        assert_eq!(log.hashes.len(), 2, "hashes are the union");
        // A different version of the same purl is a different row.
        let c = import(vec![comp("log4j-core", "2.17.1", log4j, None)]);
        assert_eq!(combine(&[c], &mut IndexMap::new(), None).unwrap().len(), 1);
    }

    // Regression (issue 12 #2): 200,000 copies of one component, each with its own SHA-256,
    // merged hashes with a `contains` per copy, 2e10 comparisons (minutes). The bound only
    // keeps a regression from hanging the suite; benches/device_load.rs measures.
    #[test]
    fn many_copies_with_distinct_hashes_merge_in_linear_time() {
        const N: usize = 200_000;
        let copies = (0..N)
            .map(|i| {
                let mut c = comp("zlib", "1.3", Some("pkg:generic/zlib@1.3"), None);
                c.hashes = vec![ComponentHash::new(HashAlg::Sha256, &format!("{i:064x}")).unwrap()];
                c
            })
            .collect();
        let started = std::time::Instant::now();
        let rows = combine(&[import(copies)], &mut IndexMap::new(), None).unwrap();
        assert!(started.elapsed() < std::time::Duration::from_secs(60));
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].hashes.len(), N, "the union of every copy's hash");
        assert_eq!(rows[0].hashes[N - 1].value, format!("{:064x}", N - 1));
    }

    #[test]
    fn cycles_and_self_links_are_cut() {
        let mut parent = vec![Some(1), Some(2), Some(0), None, Some(3)];
        break_cycles(&mut parent);
        assert_eq!(parent.iter().filter(|p| p.is_none()).count(), 2);
        assert_eq!(&parent[3..], &[None, Some(3)]);
        // Still a forest: every chain ends.
        for start in 0..parent.len() {
            let (mut n, mut steps) = (start, 0);
            while let Some(p) = parent[n] {
                n = p;
                steps += 1;
                assert!(steps < 5);
            }
        }
    }

    #[test]
    fn default_install_date_applies_to_rows_without_one() {
        let when = Timestamp::parse("2024-05-01");
        let rows = combine(
            &[import(vec![comp("a", "1", None, None)])],
            &mut IndexMap::new(),
            when,
        )
        .unwrap();
        assert_eq!(rows[0].install_date, when);
    }
}
