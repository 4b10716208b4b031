//! MIB views as RFC 3415 defines them: view tree families, and which object instances a view
//! holds (`vacmViewTreeFamilyTable`, RFC 3415 §5, and `isAccessAllowed` step 6, §3.2).
//!
//! A [`Family`] is a subtree with a mask (a `0` bit makes that sub-identifier a wild card; a
//! mask shorter than the subtree is extended with `1`s) and a type, included or excluded. An
//! OID X is in a [`View`] when, of the families that match X, the one with the most
//! sub-identifiers is included; ties go to the lexicographically greatest subtree; no match
//! means not in the view.
//!
//! For GetNext and GetBulk, [`View::next_boundary`] gives the first OID after X where the answer
//! can change, so a walk over a large excluded subtree costs one tree seek (O(log n)) instead of
//! one step per excluded instance: [`View::next_in`] is the view-filtered successor in a
//! [`Tree`]. Per step the view costs O(f · L) for f families of at most L sub-identifiers,
//! independent of the tree's size.

use alloc::boxed::Box;
use alloc::vec::Vec;

use crate::mib::{Entry, Tree};

/// The longest mask, in octets (`vacmViewTreeFamilyMask`, `OCTET STRING (SIZE (0..16))`).
pub const MAX_MASK_OCTETS: usize = 16;

/// One view tree family (one `vacmViewTreeFamilyEntry`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Family {
    subtree: Box<[u32]>,
    mask: Box<[u8]>,
    included: bool,
}

impl Family {
    /// A family of `subtree` with `mask` (RFC 3415 bit order: the most significant bit of the
    /// first octet is the first sub-identifier); `None` when the mask is longer than 16 octets.
    pub fn new(subtree: &[u32], mask: &[u8], included: bool) -> Option<Family> {
        if mask.len() > MAX_MASK_OCTETS {
            return None;
        }
        // Trailing all-ones octets change nothing (the extension rule); dropping them makes
        // "no wild card" one representation.
        let mut mask = mask.to_vec();
        while mask.last() == Some(&0xff) {
            mask.pop();
        }
        Some(Family {
            subtree: subtree.into(),
            mask: mask.into(),
            included,
        })
    }

    /// The subtree.
    pub fn subtree(&self) -> &[u32] {
        &self.subtree
    }

    /// Whether the family includes (rather than excludes) what it matches.
    pub fn included(&self) -> bool {
        self.included
    }

    /// Whether sub-identifier `i` must equal the subtree's (mask bit 1 or beyond the mask).
    fn significant(&self, i: usize) -> bool {
        self.mask
            .get(i / 8)
            .is_none_or(|octet| octet & (0x80 >> (i % 8)) != 0)
    }

    /// Whether `x` is in this family (the matching rule of `vacmViewTreeFamilyTable`).
    pub fn matches(&self, x: &[u32]) -> bool {
        x.len() >= self.subtree.len()
            && self
                .subtree
                .iter()
                .zip(x)
                .enumerate()
                .all(|(i, (s, v))| !self.significant(i) || s == v)
    }

    /// The subtree with its wild cards set to 0 from position `from` on: the smallest
    /// completion of a prefix that agrees with the family up to `from`.
    fn fill(&self, prefix: &mut Vec<u32>, from: usize) {
        for (i, &arc) in self.subtree.iter().enumerate().skip(from) {
            prefix.push(if self.significant(i) { arc } else { 0 });
        }
    }

    /// The smallest OID after `x` at which whether this family matches differs from whether it
    /// matches `x`; `None` when it never does.
    fn next_change(&self, x: &[u32]) -> Option<Vec<u32>> {
        let len = self.subtree.len();
        let common = x.len().min(len);
        // The first significant position where `x` disagrees with the subtree.
        let differs = (0..common).find(|&i| self.significant(i) && x.get(i) != self.subtree.get(i));
        match differs {
            // `x` matches: every OID with the same first `len` sub-identifiers matches too, and
            // the first OID after all of them ends the run.
            None if x.len() >= len => successor(x.get(..len)?),
            // `x` is shorter and agrees so far: its smallest matching extension.
            None => {
                let mut start = x.to_vec();
                self.fill(&mut start, x.len());
                Some(start)
            }
            Some(i) => {
                let (&have, &want) = (x.get(i)?, self.subtree.get(i)?);
                if have < want {
                    let mut start = x.get(..i)?.to_vec();
                    start.push(want);
                    self.fill(&mut start, i + 1);
                    return Some(start);
                }
                // Every match sharing x's first i sub-identifiers is before `x`: the next one
                // moves the last wild card before i up by one.
                let k = (0..i)
                    .rev()
                    .find(|&k| !self.significant(k) && x.get(k).is_some_and(|&a| a < u32::MAX))?;
                let mut start = x.get(..k)?.to_vec();
                start.push(x.get(k)? + 1);
                self.fill(&mut start, k + 1);
                Some(start)
            }
        }
    }
}

/// The first OID after every OID that starts with `prefix`; `None` when there is none (an
/// empty prefix, or one of all `u32::MAX`).
fn successor(prefix: &[u32]) -> Option<Vec<u32>> {
    let mut out = prefix.to_vec();
    while let Some(last) = out.pop() {
        if last < u32::MAX {
            out.push(last + 1);
            return Some(out);
        }
    }
    None
}

/// A MIB view: a set of view tree families (RFC 3415 §5, `vacmViewTreeFamilyTable`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct View {
    families: Vec<Family>,
}

impl Default for View {
    fn default() -> View {
        View::everything()
    }
}

impl View {
    /// The view holding every OID: one included family of the empty subtree.
    pub fn everything() -> View {
        View {
            families: alloc::vec![Family {
                subtree: Box::new([]),
                mask: Box::new([]),
                included: true,
            }],
        }
    }

    /// The view of `families`. An empty list is the empty view.
    pub fn new(families: Vec<Family>) -> View {
        View { families }
    }

    /// The families.
    pub fn families(&self) -> &[Family] {
        &self.families
    }

    /// Whether every OID is in the view, which lets the walk skip all view work.
    fn is_everything(&self) -> bool {
        matches!(self.families.as_slice(), [only] if only.subtree.is_empty() && only.included)
    }

    /// Whether `x` is in the view (RFC 3415 §5: the matching family with the most
    /// sub-identifiers decides; among equally long ones, the lexicographically greatest).
    pub fn contains(&self, x: &[u32]) -> bool {
        self.families
            .iter()
            .filter(|f| f.matches(x))
            .max_by(|a, b| {
                a.subtree
                    .len()
                    .cmp(&b.subtree.len())
                    .then_with(|| a.subtree.cmp(&b.subtree))
            })
            .is_some_and(|f| f.included)
    }

    /// The smallest OID after `x` at which [`View::contains`] may answer otherwise than for
    /// `x`: every OID strictly between the two is in the view exactly when `x` is. `None`
    /// when nothing after `x` differs.
    pub fn next_boundary(&self, x: &[u32]) -> Option<Vec<u32>> {
        self.families.iter().filter_map(|f| f.next_change(x)).min()
    }

    /// The first instance of `tree` after `from` that is in the view, seeking past excluded
    /// runs (one O(log n) seek per run, never one step per excluded instance).
    pub fn next_in<'t>(&self, tree: &'t Tree, from: &[u32]) -> Option<(&'t [u32], &'t Entry)> {
        let mut found = tree.next(from)?;
        if self.is_everything() {
            return Some(found);
        }
        loop {
            if self.contains(found.0) {
                return Some(found);
            }
            let boundary = self.next_boundary(found.0)?;
            found = tree.at_or_after(&boundary)?;
        }
    }

    /// Whether any instance of `tree` under `prefix` is in the view.
    pub fn has_subtree_in(&self, tree: &Tree, prefix: &[u32]) -> bool {
        if self.is_everything() {
            return tree.has_subtree(prefix);
        }
        let first = match tree.at_or_after(prefix) {
            Some((key, _)) if self.contains(key) => Some(key),
            Some((key, _)) => self.next_in(tree, key).map(|(k, _)| k),
            None => None,
        };
        first.is_some_and(|key| key.starts_with(prefix))
    }
}

#[cfg(test)]
pub(crate) mod tests;
