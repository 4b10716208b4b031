//! [`Tree`]: the ordered set of object instances, searched on every request.
//!
//! Keys are kept end to end in one array of arcs, with one offset per key, so the tree is three
//! allocations whatever its size and a search touches no per-key pointer. Ordering is
//! lexicographic on sub-identifiers, the order GetNext walks (RFC 3416 §4.2.2).
//!
//! The search is a binary search that remembers how many leading arcs the query shares with
//! the keys bounding the range still open, and for each key how many it shares with the bounds
//! of the one range in which the search meets it (two counts per key, made when the tree is
//! built). Where a key shares more or fewer arcs with the closer bound than the query does, the
//! order follows without comparing them; otherwise the comparison starts past the arcs known to
//! match (Manber and Myers, "Suffix arrays: a new method for on-line string searches", 1993,
//! §3). Each arc of the query is then compared about once, however many keys share it: the
//! DQI-MIB lookup tables' string-indexed instances (`dqiSwByNameVersion.<len>.<name>.<index>`,
//! 30 to 120 arcs, most of them shared with their neighbours) are found as fast as a
//! `dqiSwTable` cell (`cargo bench --bench concierge`).

// An OID from the network is searched here: no index can panic.
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::indexing_slicing))]

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::cmp::Ordering;

use super::Entry;

/// The ordered set of object instances served, keyed by full instance OID: lookups and next
/// are O(log n) steps and about one comparison per arc of the question.
#[derive(Debug, Default, Clone)]
pub struct Tree {
    /// Every key's arcs, end to end, in key order.
    arcs: Vec<u32>,
    /// Key `i` is `arcs[bounds[i]..bounds[i + 1]]`; empty when the tree is.
    bounds: Vec<u32>,
    /// The entry of key `i`.
    entries: Vec<Entry>,
    /// For key `i`, where the search meets it as the midpoint of its open range: how many
    /// leading arcs it shares with the key just below the range and with the key just above
    /// it ([`Lcp`]). Empty when the tree is.
    lcp: Vec<[Lcp; 2]>,
}

/// A count of shared leading arcs, exact below [`Lcp::MAX`] and "at least that" at it.
type Lcp = u8;

impl Tree {
    /// Builds a tree from `(oid, entry)` pairs in any order. A later duplicate OID replaces an
    /// earlier one, so a snapshot can override a default object.
    ///
    /// The keys hold at most `u32::MAX` arcs in all (16 GiB of them); instances past that are
    /// left out.
    pub fn from_entries(mut entries: Vec<(Box<[u32]>, Entry)>) -> Tree {
        // Stable sort keeps insertion order among equal keys; keep the last of each run.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut kept: Vec<(Box<[u32]>, Entry)> = Vec::with_capacity(entries.len());
        for (oid, entry) in entries {
            match kept.last_mut() {
                Some(last) if last.0 == oid => last.1 = entry,
                _ => kept.push((oid, entry)),
            }
        }
        let total = kept.iter().map(|(k, _)| k.len()).sum();
        let mut tree = Tree {
            arcs: Vec::with_capacity(total),
            bounds: Vec::with_capacity(kept.len() + 1),
            entries: Vec::with_capacity(kept.len()),
            lcp: Vec::new(),
        };
        tree.bounds.push(0);
        for (oid, entry) in kept {
            let Ok(end) = u32::try_from(tree.arcs.len() + oid.len()) else {
                break;
            };
            tree.arcs.extend_from_slice(&oid);
            tree.bounds.push(end);
            tree.entries.push(entry);
        }
        if tree.entries.is_empty() {
            tree.bounds.clear();
        }
        tree.lcp = tree.midpoint_lcps();
        tree
    }

    /// [`Tree::lcp`], made by walking every range the search can meet (each key is the
    /// midpoint of exactly one).
    fn midpoint_lcps(&self) -> Vec<[Lcp; 2]> {
        let n = self.len();
        let mut out = alloc::vec![[0; 2]; n];
        let mut ranges = alloc::vec![(0, n)];
        let shared = |a: Option<&[u32]>, b: Option<&[u32]>| match (a, b) {
            (Some(a), Some(b)) => Lcp::try_from(common_prefix(a, b, 0)).unwrap_or(Lcp::MAX),
            _ => 0,
        };
        while let Some((lo, hi)) = ranges.pop() {
            if lo >= hi {
                continue;
            }
            let mid = lo + (hi - lo) / 2;
            let key = self.key(mid);
            let below = lo.checked_sub(1).and_then(|i| self.key(i));
            if let Some(slot) = out.get_mut(mid) {
                *slot = [shared(below, key), shared(key, self.key(hi))];
            }
            ranges.push((lo, mid));
            ranges.push((mid + 1, hi));
        }
        out
    }

    /// The `(oid, entry)` pairs, in OID order.
    pub fn into_entries(self) -> Vec<(Box<[u32]>, Entry)> {
        let keys: Vec<Box<[u32]>> = self.iter().map(|(k, _)| k.into()).collect();
        keys.into_iter().zip(self.entries).collect()
    }

    /// Number of object instances.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether the tree serves nothing.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The entry at exactly `oid`.
    pub fn get(&self, oid: &[u32]) -> Option<&Entry> {
        self.search(oid).ok().and_then(|i| self.entries.get(i))
    }

    /// The first instance strictly after `oid` in lexicographic order (GetNext).
    pub fn next(&self, oid: &[u32]) -> Option<(&[u32], &Entry)> {
        let i = match self.search(oid) {
            Ok(i) => i + 1,
            Err(i) => i,
        };
        self.at(i)
    }

    /// The first instance at or after `oid` (a seek: how a view walk jumps over an excluded
    /// subtree in one step).
    pub fn at_or_after(&self, oid: &[u32]) -> Option<(&[u32], &Entry)> {
        let (Ok(i) | Err(i)) = self.search(oid);
        self.at(i)
    }

    /// Whether any instance lies under `prefix` (the prefix names an object type or subtree the
    /// agent implements). Distinguishes `noSuchObject` from `noSuchInstance` (RFC 3416 §4.2.1).
    pub fn has_subtree(&self, prefix: &[u32]) -> bool {
        match self.search(prefix) {
            Ok(_) => true,
            Err(i) => self.at(i).is_some_and(|(k, _)| k.starts_with(prefix)),
        }
    }

    /// All instances in order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u32], &Entry)> {
        (0..self.len()).filter_map(|i| self.at(i))
    }

    /// Instance `i` in OID order.
    fn at(&self, i: usize) -> Option<(&[u32], &Entry)> {
        Some((self.key(i)?, self.entries.get(i)?))
    }

    /// Key `i`.
    fn key(&self, i: usize) -> Option<&[u32]> {
        let start = *self.bounds.get(i)? as usize;
        let end = *self.bounds.get(i + 1)? as usize;
        self.arcs.get(start..end)
    }

    /// `Ok` with the position of `oid`, or `Err` with where it would go: a binary search that
    /// compares each key from the first arc not already known to equal the query's, and
    /// decides without comparing when the key's shared arcs with a bound already do
    /// (Manber and Myers, "Suffix arrays", 1993, §3: each arc of the query is compared about
    /// once, however many keys share it).
    fn search(&self, oid: &[u32]) -> Result<usize, usize> {
        // Keys below `lo` are less than `oid`, keys from `hi` on greater. `lo_common` arcs of
        // the key just below `lo` equal `oid`'s, `hi_common` of the key at `hi` (exactly; 0
        // while a side is still the tree's end).
        let (mut lo, mut hi) = (0, self.len());
        let (mut lo_common, mut hi_common) = (0, 0);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let [below, above] = self.lcp.get(mid).copied().unwrap_or_default();
            // The closer bound (the one sharing more with `oid`) and what `mid` shares with it.
            let known = match lo_common.cmp(&hi_common) {
                Ordering::Greater => match implied(below, lo_common) {
                    // `mid` agrees with the lower bound past where `oid` leaves it: below.
                    Some(Ordering::Greater) => {
                        lo = mid + 1;
                        continue;
                    }
                    // `mid` leaves the lower bound (upwards) where `oid` still follows it.
                    Some(Ordering::Less) => {
                        (hi, hi_common) = (mid, usize::from(below));
                        continue;
                    }
                    // `mid` shares as much with the bound as `oid` does, so with `oid` too.
                    Some(Ordering::Equal) => lo_common,
                    // Both share at least the cap with the bound: so with each other.
                    None => usize::from(Lcp::MAX),
                },
                Ordering::Less => match implied(above, hi_common) {
                    Some(Ordering::Greater) => {
                        hi = mid;
                        continue;
                    }
                    Some(Ordering::Less) => {
                        (lo, lo_common) = (mid + 1, usize::from(above));
                        continue;
                    }
                    Some(Ordering::Equal) => hi_common,
                    None => usize::from(Lcp::MAX),
                },
                Ordering::Equal => lo_common,
            };
            let key = self.key(mid).unwrap_or_default();
            let common = common_prefix(key, oid, known);
            let order = match (key.get(common), oid.get(common)) {
                (Some(k), Some(o)) => k.cmp(o),
                _ => key.len().cmp(&oid.len()),
            };
            match order {
                Ordering::Less => (lo, lo_common) = (mid + 1, common),
                Ordering::Greater => (hi, hi_common) = (mid, common),
                Ordering::Equal => return Ok(mid),
            }
        }
        Err(lo)
    }
}

/// How `shared` (a key's [`Lcp`] with a bound) compares with `common` (the query's with the
/// same bound), when the cap lets it be known.
fn implied(shared: Lcp, common: usize) -> Option<Ordering> {
    if shared < Lcp::MAX {
        Some(usize::from(shared).cmp(&common))
    } else if common < usize::from(Lcp::MAX) {
        Some(Ordering::Greater)
    } else {
        None
    }
}

/// How many leading arcs `a` and `b` share, given that the first `known` do.
fn common_prefix(a: &[u32], b: &[u32], known: usize) -> usize {
    let (a, b) = (
        a.get(known..).unwrap_or_default(),
        b.get(known..).unwrap_or_default(),
    );
    // Eight arcs at a time while they match (an array compare, which vectorises): string
    // indexes share long runs with their neighbours (`pkg:npm/component-`, `CVE-2099-00`).
    let (mut a, mut b) = (a, b);
    let mut same = known;
    while let (Some((x, a_rest)), Some((y, b_rest))) =
        (a.split_first_chunk::<8>(), b.split_first_chunk::<8>())
    {
        if x != y {
            break;
        }
        (a, b, same) = (a_rest, b_rest, same + 8);
    }
    same + a.iter().zip(b).take_while(|(x, y)| x == y).count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mib::Value;
    use alloc::vec;

    fn tree() -> Tree {
        let e = |v: i32| Entry::Value(Value::Integer(v));
        Tree::from_entries(vec![
            (vec![1, 3, 6, 1, 2, 1, 1, 3, 0].into(), e(3)),
            (vec![1, 3, 6, 1, 2, 1, 1, 1, 0].into(), e(1)),
            (vec![1, 3, 6, 1, 2, 1, 1, 9, 1, 2, 1].into(), e(9)),
            (vec![1, 3, 6, 1, 2, 1, 1, 1, 0].into(), e(11)),
        ])
    }

    #[test]
    fn sorted_and_deduplicated_keeping_the_last() {
        let t = tree();
        assert_eq!(t.len(), 3);
        assert_eq!(
            t.get(&[1, 3, 6, 1, 2, 1, 1, 1, 0]),
            Some(&Entry::Value(Value::Integer(11)))
        );
        assert_eq!(t.get(&[1, 3, 6, 1, 2, 1, 1, 1]), None);
    }

    #[test]
    fn next_is_strictly_after() {
        let t = tree();
        assert_eq!(
            t.next(&[]).map(|(k, _)| k.to_vec()),
            Some(vec![1, 3, 6, 1, 2, 1, 1, 1, 0])
        );
        assert_eq!(
            t.next(&[1, 3, 6, 1, 2, 1, 1, 1, 0]).map(|(k, _)| k.len()),
            Some(9)
        );
        assert_eq!(
            t.next(&[1, 3, 6, 1, 2, 1, 1, 3, 0]).map(|(k, _)| k.len()),
            Some(11)
        );
        assert!(t.next(&[1, 3, 6, 1, 2, 1, 1, 9, 1, 2, 1]).is_none());
        assert!(t.next(&[2]).is_none());
    }

    #[test]
    fn subtree_presence() {
        let t = tree();
        assert!(t.has_subtree(&[1, 3, 6, 1, 2, 1, 1, 9]));
        assert!(t.has_subtree(&[1, 3, 6, 1, 2, 1, 1, 1]));
        assert!(!t.has_subtree(&[1, 3, 6, 1, 2, 1, 1, 2]));
        assert!(!t.has_subtree(&[1, 3, 6, 1, 2, 1, 1, 9, 1, 2, 1, 0]));
    }

    #[test]
    fn an_empty_tree_answers_nothing() {
        let t = Tree::from_entries(Vec::new());
        assert!(t.is_empty());
        assert!(t.next(&[]).is_none());
        assert!(t.get(&[]).is_none());
        assert!(!t.has_subtree(&[]));
        assert_eq!(t.iter().count(), 0);
        assert!(Tree::default().at_or_after(&[1]).is_none());
    }

    /// A seeded xorshift, so the property test below is reproducible.
    fn rng(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    /// Random OIDs over a small alphabet, with long shared prefixes (string-indexed rows) and
    /// keys that are prefixes of other keys: every search equals the plain sorted-slice answer.
    #[test]
    fn searches_equal_a_plain_binary_search() {
        let mut seed = 0x9e37_79b9_7f4a_7c15;
        for round in 0..200 {
            let n = (rng(&mut seed) % 300) as usize;
            let stem = [1u32, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 14, 1, 2];
            let make = |seed: &mut u64| -> Vec<u32> {
                let shared = (rng(seed) % (stem.len() as u64 + 1)) as usize;
                let mut k = stem[..shared].to_vec();
                // Now and then keys sharing about as many arcs as an `Lcp` counts, or more.
                if round % 5 == 4 && !rng(seed).is_multiple_of(8) {
                    let run = 250 + (rng(seed) % 12) as usize;
                    k.splice(0..0, core::iter::repeat_n(7, run));
                }
                for _ in 0..rng(seed) % 12 {
                    k.push((rng(seed) % 4) as u32 + if round % 2 == 0 { 0 } else { 97 });
                }
                k
            };
            let keys: Vec<Vec<u32>> = (0..n).map(|_| make(&mut seed)).collect();
            let t = Tree::from_entries(
                keys.iter()
                    .map(|k| (k.clone().into(), Entry::Value(Value::Integer(0))))
                    .collect(),
            );
            let mut plain = keys.clone();
            plain.sort();
            plain.dedup();
            assert_eq!(t.iter().map(|(k, _)| k.to_vec()).collect::<Vec<_>>(), plain);
            for _ in 0..50 {
                let q = make(&mut seed);
                let found = plain.binary_search(&q);
                assert_eq!(t.get(&q).is_some(), found.is_ok(), "{q:?}");
                let after = match found {
                    Ok(i) => i + 1,
                    Err(i) => i,
                };
                assert_eq!(t.next(&q).map(|(k, _)| k), plain.get(after).map(|k| &k[..]));
                let at = plain.partition_point(|k| k < &q);
                assert_eq!(
                    t.at_or_after(&q).map(|(k, _)| k),
                    plain.get(at).map(|k| &k[..])
                );
                assert_eq!(
                    t.has_subtree(&q),
                    plain.iter().any(|k| k.starts_with(&q)),
                    "{q:?}"
                );
            }
        }
    }
}
