//! The subagent's answers to the master's reads (RFC 2741 §7.2.3), over the same tree and
//! request-time values the UDP agent serves.
//!
//! A search range bounds every walk: GetNext and GetBulk never return an instance at or past
//! the range's end (another session's registration begins there), and say `endOfMibView` with
//! the range's start instead (§7.2.3.2).
//!
//! The subagent registers in the default context only, so a read in any other context (a
//! non-empty context octet string) is answered `unsupportedContext` with no bindings (§7.2.2).

use alloc::vec::Vec;

use super::{Data, Pdu, SearchRange, VarBind, error};
use crate::mib::{Entry, Resolve, Tree, Value};
use crate::pdu::implements;

/// Caps on one answer, from the agent's budget settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// GetBulk max-repetitions is lowered to this before any work.
    pub max_repetitions: u32,
    /// No Response carries more bindings than this.
    pub max_varbinds: usize,
}

/// The Response body (`res.error`, `res.index`, bindings) for a Get, GetNext or GetBulk over
/// `tree`, values of [`Entry::Live`] objects from `live`; `None` for any other PDU. A read in a
/// non-default context is `unsupportedContext`.
///
/// A Get or GetNext with more ranges than `limits.max_varbinds` is answered `genErr` (the
/// master turns it into the SNMP error); a GetBulk is cut at the cap, as RFC 3416 §4.2.3
/// allows.
pub fn answer(
    tree: &Tree,
    live: &dyn Resolve,
    pdu: &Pdu,
    limits: Limits,
) -> Option<(u16, u16, Vec<VarBind>)> {
    let (context, ranges) = match pdu {
        Pdu::Get { context, ranges } | Pdu::GetNext { context, ranges } => (context, ranges),
        Pdu::GetBulk {
            context, ranges, ..
        } => (context, ranges),
        _ => return None,
    };
    // An empty context string names the default context (RFC 3411 §3.3.1), which is served.
    if context.as_ref().is_some_and(|c| !c.is_empty()) {
        return Some((error::UNSUPPORTED_CONTEXT, 0, Vec::new()));
    }
    if !matches!(pdu, Pdu::GetBulk { .. }) && ranges.len() > limits.max_varbinds {
        return Some((error::GEN_ERR, 1, Vec::new()));
    }
    let varbinds = match pdu {
        Pdu::Get { .. } => ranges.iter().map(|r| get(tree, live, r)).collect(),
        Pdu::GetNext { .. } => ranges
            .iter()
            .map(|r| next(tree, live, &r.start.subids, r.start.include, &r.end.subids))
            .collect(),
        Pdu::GetBulk {
            non_repeaters,
            max_repetitions,
            ..
        } => bulk(tree, live, ranges, *non_repeaters, *max_repetitions, limits),
        _ => return None,
    };
    Some((error::NO_ERROR, 0, varbinds))
}

/// agentx-Get (§7.2.3.1): the instance, or which of the two exceptions applies.
fn get(tree: &Tree, live: &dyn Resolve, range: &SearchRange) -> VarBind {
    let name = &range.start.subids;
    let data = match tree.get(name) {
        Some(entry) => data(live, entry),
        None if implements(tree, name) => Data::NoSuchInstance,
        None => Data::NoSuchObject,
    };
    VarBind {
        name: name.clone(),
        data,
    }
}

/// agentx-GetNext (§7.2.3.2): the first instance from `start` (itself when `include`) that lies
/// before `end` (no bound when null), or `endOfMibView` named `start`.
fn next(tree: &Tree, live: &dyn Resolve, start: &[u32], include: bool, end: &[u32]) -> VarBind {
    let found = match tree.get(start) {
        Some(entry) if include => Some((start, entry)),
        _ => tree.next(start),
    };
    match found {
        Some((name, entry)) if end.is_empty() || name < end => VarBind {
            name: name.to_vec(),
            data: data(live, entry),
        },
        _ => VarBind {
            name: start.to_vec(),
            data: Data::EndOfMibView,
        },
    }
}

/// agentx-GetBulk (§7.2.3.3): the non-repeaters once, then rows of the repeaters, each row
/// continuing from the one before, until every repeater has ended or a cap is reached.
fn bulk(
    tree: &Tree,
    live: &dyn Resolve,
    ranges: &[SearchRange],
    non_repeaters: u16,
    max_repetitions: u16,
    limits: Limits,
) -> Vec<VarBind> {
    let n = usize::from(non_repeaters).min(ranges.len());
    let m = u32::from(max_repetitions).min(limits.max_repetitions) as usize;
    let cap = limits.max_varbinds;
    let mut out = Vec::new();
    for r in &ranges[..n] {
        if out.len() >= cap {
            return out;
        }
        out.push(next(
            tree,
            live,
            &r.start.subids,
            r.start.include,
            &r.end.subids,
        ));
    }
    let repeaters = &ranges[n..];
    // Where each repeater's walk stands: its last name, and whether the start is included.
    let mut cursors: Vec<(Vec<u32>, bool)> = repeaters
        .iter()
        .map(|r| (r.start.subids.clone(), r.start.include))
        .collect();
    for _ in 0..m {
        let mut all_ended = true;
        for (cursor, range) in cursors.iter_mut().zip(repeaters) {
            if out.len() >= cap {
                return out;
            }
            let vb = next(tree, live, &cursor.0, cursor.1, &range.end.subids);
            if vb.data != Data::EndOfMibView {
                all_ended = false;
            }
            *cursor = (vb.name.clone(), false);
            out.push(vb);
        }
        if all_ended {
            break;
        }
    }
    out
}

/// An entry's value as AgentX data.
fn data(live: &dyn Resolve, entry: &Entry) -> Data {
    let value = match entry {
        Entry::Value(value) => value.clone(),
        Entry::Live(l) => live.resolve(*l),
    };
    match value {
        Value::Integer(v) => Data::Integer(v),
        Value::OctetString(v) => Data::OctetString(v.to_vec()),
        Value::ObjectId(v) => Data::ObjectId(v.to_vec()),
        Value::IpAddress(v) => Data::IpAddress(v),
        Value::Counter32(v) => Data::Counter32(v),
        Value::Gauge32(v) => Data::Gauge32(v),
        Value::TimeTicks(v) => Data::TimeTicks(v),
        Value::Counter64(v) => Data::Counter64(v),
    }
}
