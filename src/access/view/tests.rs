use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::mib::Value;

/// A small seeded generator (xorshift64*), so failures reproduce without a dependency.
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    /// An OID of 1 to `max_len` arcs, each below `arcs`.
    pub(crate) fn oid(&mut self, max_len: u64, arcs: u64) -> Vec<u32> {
        let len = 1 + self.below(max_len);
        (0..len).map(|_| self.below(arcs) as u32).collect()
    }
}

fn family(subtree: &[u32], mask: &[u8], included: bool) -> Family {
    Family::new(subtree, mask, included).unwrap()
}

#[test]
fn most_specific_family_wins() {
    let view = View::new(vec![
        family(&[1, 3, 6, 1, 2, 1], &[], true),
        family(&[1, 3, 6, 1, 2, 1, 25], &[], false),
        family(&[1, 3, 6, 1, 2, 1, 25, 6], &[], true),
    ]);
    assert!(view.contains(&[1, 3, 6, 1, 2, 1, 1, 1, 0]));
    assert!(!view.contains(&[1, 3, 6, 1, 2, 1, 25, 1, 1, 0]));
    assert!(view.contains(&[1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 2, 7]));
    // The subtree itself matches its family; its parent does not.
    assert!(!view.contains(&[1, 3, 6, 1, 2]));
    assert!(!view.contains(&[1, 3, 6, 1, 4, 1]));
}

#[test]
fn equal_lengths_go_to_the_lexicographically_greatest_subtree() {
    // Both match 1.3.6.1.2.1.2.2.1.5.1 (the first by wild card); the greater subtree decides.
    let wide = family(&[1, 3, 6, 1, 2, 1, 2, 2, 1, 0], &[0xff, 0x80], true);
    let narrow = family(&[1, 3, 6, 1, 2, 1, 2, 2, 1, 5], &[], false);
    let x = [1, 3, 6, 1, 2, 1, 2, 2, 1, 5, 1];
    assert!(!View::new(vec![wide.clone(), narrow.clone()]).contains(&x));
    assert!(!View::new(vec![narrow, wide.clone()]).contains(&x));
    assert!(View::new(vec![wide]).contains(&x));
}

#[test]
fn mask_wild_cards_and_the_extension_rule() {
    // ifEntry.*.3: every column of row 3 (mask 1111 1111 101).
    let f = family(&[1, 3, 6, 1, 2, 1, 2, 2, 1, 0, 3], &[0xff, 0xa0], true);
    assert!(f.matches(&[1, 3, 6, 1, 2, 1, 2, 2, 1, 7, 3]));
    assert!(f.matches(&[1, 3, 6, 1, 2, 1, 2, 2, 1, 2, 3, 9]));
    assert!(!f.matches(&[1, 3, 6, 1, 2, 1, 2, 2, 1, 7, 4]));
    assert!(!f.matches(&[1, 3, 6, 1, 2, 1, 2, 2, 1, 7]));
    // An all-ones mask is no wild card at all.
    assert_eq!(
        family(&[1, 3], &[0xff, 0xff], true),
        family(&[1, 3], &[], true)
    );
    assert!(Family::new(&[1], &[0; 17], true).is_none());
}

#[test]
fn the_empty_view_holds_nothing_and_everything_holds_all() {
    assert!(!View::new(Vec::new()).contains(&[1, 3]));
    assert!(View::everything().contains(&[0]));
    assert_eq!(View::everything().next_boundary(&[1, 3, 6]), None);
}

/// Random views over a small arc alphabet, with wild cards, against brute force: every OID
/// between `x` and its boundary is decided like `x`, and the boundary is after `x`.
#[test]
fn next_boundary_never_skips_a_change() {
    let mut rng = Rng(0x5eed_0001);
    // Every OID of 1 to 4 arcs below 3, sorted: the universe the brute force checks.
    let mut universe: Vec<Vec<u32>> = Vec::new();
    let mut frontier: Vec<Vec<u32>> = vec![Vec::new()];
    for _ in 0..4 {
        let mut grown = Vec::new();
        for p in &frontier {
            for a in 0..3 {
                let mut q = p.clone();
                q.push(a);
                grown.push(q);
            }
        }
        universe.extend(grown.iter().cloned());
        frontier = grown;
    }
    universe.sort();
    for _ in 0..300 {
        let view = random_view(&mut rng, &[], 4, 3);
        for (i, x) in universe.iter().enumerate() {
            let boundary = view.next_boundary(x);
            if let Some(b) = &boundary {
                assert!(b > x, "{view:?}: boundary {b:?} not after {x:?}");
            }
            let inside = view.contains(x);
            for y in universe.iter().skip(i + 1) {
                if boundary.as_ref().is_some_and(|b| y >= b) {
                    break;
                }
                assert_eq!(view.contains(y), inside, "{view:?}: {y:?} after {x:?}");
            }
        }
    }
}

/// A view of 1 to 5 random families under `prefix`, a third of them with one wild card.
pub(crate) fn random_view(rng: &mut Rng, prefix: &[u32], max_len: u64, arcs: u64) -> View {
    let families = (0..1 + rng.below(5))
        .map(|_| {
            let mut subtree = prefix.to_vec();
            subtree.extend(rng.oid(max_len, arcs));
            let mask = if rng.below(3) == 0 {
                let at =
                    prefix.len() + rng.below(subtree.len() as u64 - prefix.len() as u64) as usize;
                let mut mask = vec![0xffu8; at / 8 + 1];
                mask[at / 8] = !(0x80u8 >> (at % 8));
                mask
            } else {
                Vec::new()
            };
            family(&subtree, &mask, rng.below(2) == 0)
        })
        .collect();
    View::new(families)
}

/// The view-filtered successor equals the brute-force one over random trees and views, and
/// on a tree with a large excluded run the walk seeks instead of stepping.
#[test]
fn next_in_is_the_filtered_successor() {
    let mut rng = Rng(0x5eed_0002);
    for _ in 0..200 {
        let entries = (0..1 + rng.below(60))
            .map(|_| {
                let oid = rng.oid(6, 4);
                (oid.into_boxed_slice(), Entry::Value(Value::Integer(0)))
            })
            .collect();
        let tree = Tree::from_entries(entries);
        let view = random_view(&mut rng, &[], 4, 4);
        for _ in 0..50 {
            let from = rng.oid(6, 5);
            let want = tree
                .iter()
                .find(|(k, _)| *k > from.as_slice() && view.contains(k))
                .map(|(k, _)| k.to_vec());
            let got = view.next_in(&tree, &from).map(|(k, _)| k.to_vec());
            assert_eq!(got, want, "{view:?} from {from:?}");
        }
    }
}

#[test]
fn has_subtree_in_counts_only_the_view() {
    let e = || Entry::Value(Value::Integer(0));
    let tree = Tree::from_entries(vec![
        (vec![1, 3, 6, 1, 2, 1, 1, 9, 1, 2, 1].into(), e()),
        (vec![1, 3, 6, 1, 2, 1, 1, 9, 1, 3, 1].into(), e()),
    ]);
    let view = View::new(vec![
        family(&[1, 3, 6, 1], &[], true),
        family(&[1, 3, 6, 1, 2, 1, 1, 9, 1, 2], &[], false),
    ]);
    assert!(!view.has_subtree_in(&tree, &[1, 3, 6, 1, 2, 1, 1, 9, 1, 2]));
    assert!(view.has_subtree_in(&tree, &[1, 3, 6, 1, 2, 1, 1, 9, 1]));
    assert!(view.has_subtree_in(&tree, &[1, 3, 6, 1, 2, 1, 1, 9, 1, 3]));
}
