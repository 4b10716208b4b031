//! The managed objects: an ordered OID tree with O(log n) exact and next lookups.
//!
//! The tree is built once from a snapshot (the device data gathered in advance plus the agent's
//! own configuration) and never touched on the request path except to read it. Objects whose
//! value changes per request (uptime, counters, engine time) are stored as a [`Live`] marker and
//! resolved by the agent at the moment of the request, so no device I/O ever happens while a
//! manager waits. Ordering is lexicographic on sub-identifiers, the order GetNext walks
//! (RFC 3416 §4.2.2).

pub mod budget;
pub mod derived;
pub mod dqi;
mod encode;
pub mod entity;
pub mod host;
pub mod names;
pub mod notify;
pub mod objects;
pub mod served;

use alloc::boxed::Box;
use alloc::vec::Vec;

use rasn::types::{ObjectIdentifier, OctetString};

use crate::stats::Counter;

/// A value of one of the SMIv2 base types (RFC 2578 §7.1), as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `INTEGER` / `Integer32`.
    Integer(i32),
    /// `OCTET STRING`; cheap to clone.
    OctetString(OctetString),
    /// `OBJECT IDENTIFIER`.
    ObjectId(ObjectIdentifier),
    /// `IpAddress`.
    IpAddress([u8; 4]),
    /// `Counter32`.
    Counter32(u32),
    /// `Gauge32` / `Unsigned32`.
    Gauge32(u32),
    /// `TimeTicks`, hundredths of a second.
    TimeTicks(u32),
    /// `Counter64`.
    Counter64(u64),
}

impl Value {
    /// An `OCTET STRING` holding a copy of `bytes`.
    pub fn octets(bytes: impl AsRef<[u8]>) -> Value {
        Value::OctetString(OctetString::from(bytes.as_ref()))
    }

    /// An `OBJECT IDENTIFIER` value; `None` when `arcs` is not an OID BER can encode (fewer
    /// than two sub-identifiers, a first arc above 2, or a second arc out of range).
    pub fn oid(arcs: &[u32]) -> Option<Value> {
        objects::encodable_oid(arcs).map(Value::ObjectId)
    }
}

/// An object whose value is computed when a request reads it, from the agent's state and the
/// request's `now`, instead of being fixed in the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Live {
    /// `sysUpTime`: hundredths of a second since the agent (re)started.
    SysUpTime,
    /// `snmpEngineBoots`.
    EngineBoots,
    /// `snmpEngineTime`: seconds since the last boot increment.
    EngineTime,
    /// One of the protocol counters in [`crate::stats`].
    Counter(Counter),
    /// HOST-RESOURCES-MIB `hrSystemUptime`: hundredths of a second since the host booted, as
    /// the driver reported it with [`crate::agent::Agent::set_clock`].
    HostUptime,
    /// HOST-RESOURCES-MIB `hrSystemDate`: the wall-clock date and time as `DateAndTime`, from
    /// the driver's clock report; the all-zero "unknown" date when the driver gave none.
    HostDate,
    /// A DQI-MIB request-budget object (`dqiAgent` .3 to .28), read from the agent's
    /// [`crate::budget::Budget`] (see [`budget`]).
    Budget(budget::BudgetObject),
    /// A counter of `dqiNotifyTable` (`dqiAgent` .39), read from the agent's notifier (see
    /// [`notify`]).
    Notify(notify::NotifyObject),
}

/// What the tree holds for one object instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A value fixed when the tree was built.
    Value(Value),
    /// A value computed at request time.
    Live(Live),
}

/// Resolves [`Live`] entries at request time. The agent implements it over its counters and
/// clock; tests implement it with fixed numbers.
pub trait Resolve {
    /// The current value of `live`.
    fn resolve(&self, live: Live) -> Value;
}

/// The ordered set of object instances served, keyed by full instance OID.
///
/// A sorted vector with binary search: lookups and next are O(log n), iteration is cache-friendly
/// and the whole tree is one allocation for keys plus one for entries' payloads.
#[derive(Debug, Default, Clone)]
pub struct Tree {
    entries: Vec<(Box<[u32]>, Entry)>,
}

impl Tree {
    /// Builds a tree from `(oid, entry)` pairs in any order. A later duplicate OID replaces an
    /// earlier one, so a snapshot can override a default object.
    pub fn from_entries(mut entries: Vec<(Box<[u32]>, Entry)>) -> Tree {
        // Stable sort keeps insertion order among equal keys; keep the last of each run.
        entries.sort_by(|a, b| a.0.cmp(&b.0));
        let mut out: Vec<(Box<[u32]>, Entry)> = Vec::with_capacity(entries.len());
        for (oid, entry) in entries {
            match out.last_mut() {
                Some(last) if last.0 == oid => last.1 = entry,
                _ => out.push((oid, entry)),
            }
        }
        Tree { entries: out }
    }

    /// The `(oid, entry)` pairs, in OID order.
    pub fn into_entries(self) -> Vec<(Box<[u32]>, Entry)> {
        self.entries
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
        self.entries
            .binary_search_by(|(k, _)| k.as_ref().cmp(oid))
            .ok()
            .map(|i| &self.entries[i].1)
    }

    /// The first instance strictly after `oid` in lexicographic order (GetNext).
    pub fn next(&self, oid: &[u32]) -> Option<(&[u32], &Entry)> {
        let i = match self.entries.binary_search_by(|(k, _)| k.as_ref().cmp(oid)) {
            Ok(i) => i + 1,
            Err(i) => i,
        };
        self.entries.get(i).map(|(k, e)| (k.as_ref(), e))
    }

    /// The first instance at or after `oid` (a seek: how a view walk jumps over an excluded
    /// subtree in one step).
    pub fn at_or_after(&self, oid: &[u32]) -> Option<(&[u32], &Entry)> {
        let i = self.entries.partition_point(|(k, _)| k.as_ref() < oid);
        self.entries.get(i).map(|(k, e)| (k.as_ref(), e))
    }

    /// Whether any instance lies under `prefix` (the prefix names an object type or subtree the
    /// agent implements). Distinguishes `noSuchObject` from `noSuchInstance` (RFC 3416 §4.2.1).
    pub fn has_subtree(&self, prefix: &[u32]) -> bool {
        let i = match self
            .entries
            .binary_search_by(|(k, _)| k.as_ref().cmp(prefix))
        {
            Ok(_) => return true,
            Err(i) => i,
        };
        self.entries
            .get(i)
            .is_some_and(|(k, _)| k.starts_with(prefix))
    }

    /// All instances in order.
    pub fn iter(&self) -> impl Iterator<Item = (&[u32], &Entry)> {
        self.entries.iter().map(|(k, e)| (k.as_ref(), e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
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
}
