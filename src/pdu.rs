//! The command responder's operations over the MIB tree (RFC 3416 §4.2): Get, GetNext, GetBulk,
//! the refusal of Set, and the sizing of every response.
//!
//! This module owns what goes into a Response-PDU once a request has passed the message and
//! security layers: the error-status, the 1-based error-index and the variable bindings. It does
//! not encode the PDU; it only guarantees that the bindings fit the octet budget the caller
//! derived from the request's msgMaxSize and the agent's own maximum ([`Limits`]).
//!
//! | operation | RFC 3416 | here |
//! |---|---|---|
//! | GetRequest | §4.2.1 | value, `noSuchObject` or `noSuchInstance` per binding |
//! | GetNextRequest | §4.2.2 | the lexicographic successor, or `endOfMibView` |
//! | GetBulkRequest | §4.2.3 | N non-repeaters, then up to M rows of R repeaters, truncated to fit |
//! | SetRequest | §4.2.5 | always refused: `notWritable` or `noCreation`, nothing changes |
//!
//! Response sizing (RFC 3416 §4.2.1 to §4.2.3, last paragraphs): a Get or GetNext response that
//! does not fit is replaced by `tooBig` with an empty binding list; a GetBulk response is cut at
//! the last binding that fits, and is `tooBig` only when not even the first one fits. Sizes are
//! computed exactly with [`varbind_len`], so the agent never encodes a response to find out it is
//! too big.

mod size;
#[cfg(test)]
mod tests;
pub mod v1;

use alloc::vec::Vec;

use rasn::types::ObjectIdentifier;
use rasn_snmp::v2::{VarBind, VarBindValue};

pub use size::{syntax, varbind_len};

use crate::access::View;
use crate::mib::objects::encodable_oid;
use crate::mib::{Entry, Resolve, Tree, Value};
use crate::wire::ber;

/// The error-status values of RFC 3416 §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
#[allow(missing_docs)] // each variant is the RFC 3416 §3 name of its value
pub enum ErrorStatus {
    NoError = 0,
    TooBig = 1,
    NoSuchName = 2,
    BadValue = 3,
    ReadOnly = 4,
    GenErr = 5,
    NoAccess = 6,
    WrongType = 7,
    WrongLength = 8,
    WrongEncoding = 9,
    WrongValue = 10,
    NoCreation = 11,
    InconsistentValue = 12,
    ResourceUnavailable = 13,
    CommitFailed = 14,
    UndoFailed = 15,
    AuthorizationError = 16,
    NotWritable = 17,
    InconsistentName = 18,
}

impl ErrorStatus {
    /// The value carried in the PDU's error-status field.
    pub const fn code(self) -> u32 {
        self as u32
    }
}

/// The operation requested, with GetBulk's parameters as signed values straight from the wire.
///
/// The wire carries non-repeaters and max-repetitions as `INTEGER (0..2147483647)`, but a
/// manager may send anything; RFC 3416 §4.2.3 says negative values count as zero, so they are
/// kept signed here and clamped in [`respond`], never rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// GetRequest-PDU (RFC 3416 §4.2.1).
    Get,
    /// GetNextRequest-PDU (RFC 3416 §4.2.2).
    GetNext,
    /// GetBulkRequest-PDU (RFC 3416 §4.2.3).
    GetBulk {
        /// Bindings at the head of the list answered once, like GetNext.
        non_repeaters: i64,
        /// Rows requested for each of the remaining bindings.
        max_repetitions: i64,
    },
    /// SetRequest-PDU (RFC 3416 §4.2.5): always refused by this read-only agent.
    Set,
}

/// Caps applied to every response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Octets available for the encoded VarBind TLVs inside the VarBindList.
    pub varbind_bytes: usize,
    /// Upper bound on GetBulk max-repetitions, applied before any work.
    pub max_repetitions: u32,
    /// Upper bound on the bindings of any response.
    pub max_varbinds: usize,
}

/// A response PDU's contents, before encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Answer {
    /// The error-status field.
    pub error_status: ErrorStatus,
    /// The error-index field: 1-based position of the binding at fault, 0 when none is.
    pub error_index: u32,
    /// The variable-bindings field.
    pub varbinds: Vec<VarBind>,
}

impl Answer {
    /// A successful response carrying `varbinds`.
    pub fn ok(varbinds: Vec<VarBind>) -> Answer {
        Answer {
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds,
        }
    }

    /// `tooBig` with an empty list: the alternate Response-PDU of RFC 3416 §4.2.1 to §4.2.3.
    fn too_big() -> Answer {
        Answer {
            error_status: ErrorStatus::TooBig,
            error_index: 0,
            varbinds: Vec::new(),
        }
    }
}

/// What one request may see of the tree: the MIB view (RFC 3415) and, for an SNMPv1 request,
/// that `Counter64` objects do not exist (RFC 3584 §4.2.2.1: GetNext skips them).
#[derive(Debug, Clone, Copy)]
pub struct Scope<'a> {
    /// The read view of the request's principal.
    pub view: &'a View,
    /// Skip `Counter64` instances in GetNext (an SNMPv1 request).
    pub skip_counter64: bool,
}

/// Answers `request` with operation `op` over `tree` in the view holding everything; see
/// [`respond_in`].
pub fn respond(
    tree: &Tree,
    live: &dyn Resolve,
    op: Operation,
    request: &[VarBind],
    limits: Limits,
) -> Answer {
    let everything = View::everything();
    let scope = Scope {
        view: &everything,
        skip_counter64: false,
    };
    respond_in(tree, live, scope, op, request, limits)
}

/// Answers `request` with operation `op` over the part of `tree` that `scope` lets the request
/// see, resolving [`Entry::Live`] objects through `live`, within `limits`.
///
/// The view applies as RFC 3416 §4.2 and RFC 3415 §3.2 say: Get of an instance outside it is
/// `noSuchObject`, GetNext and GetBulk never return one (they seek past excluded subtrees) and
/// end in `endOfMibView` past the view's last instance, and Set of one is `noAccess`.
///
/// Never panics on any request. Work and memory are bounded by the request's own bindings and by
/// `limits`: a GetBulk's max-repetitions is capped before any lookup, and the response stops
/// growing at `limits.max_varbinds` bindings or `limits.varbind_bytes` octets.
pub fn respond_in(
    tree: &Tree,
    live: &dyn Resolve,
    scope: Scope<'_>,
    op: Operation,
    request: &[VarBind],
    limits: Limits,
) -> Answer {
    match op {
        Operation::Get => one_to_one(request, limits, |vb| get(tree, live, scope, &vb.name)),
        Operation::GetNext => one_to_one(request, limits, |vb| next(tree, live, scope, &vb.name)),
        Operation::GetBulk {
            non_repeaters,
            max_repetitions,
        } => bulk(
            tree,
            live,
            scope,
            request,
            (non_repeaters, max_repetitions),
            limits,
        ),
        Operation::Set => refuse_set(tree, scope.view, request, limits),
    }
}

/// Whether `name` lies under an object type the tree implements, the test that separates
/// `noSuchInstance` from `noSuchObject` (RFC 3416 §4.2.1) and `notWritable` from `noCreation`.
///
/// The tree holds instances, not object definitions, so the object types are inferred: `name`
/// is taken to be under an implemented object when it is itself a served instance or a prefix of
/// served instances (it names an object type or the subtree above one), or when dropping its last
/// sub-identifier leaves such a prefix (it is an instance, missing, of a served object type:
/// `sysDescr.1`, or row 9 of a column that has rows 1 to 4). The rule is exact for scalars and
/// single-index tables; for names one arc below a group (`system.10`) it answers noSuchInstance
/// where a schema-aware agent would say noSuchObject. Both are exceptions a manager treats alike.
pub fn implements(tree: &Tree, name: &[u32]) -> bool {
    implements_in(tree, &View::everything(), name)
}

/// [`implements`], counting only the instances in `view`, so that the choice between
/// `noSuchInstance` and `noSuchObject` says nothing about instances outside it.
pub fn implements_in(tree: &Tree, view: &View, name: &[u32]) -> bool {
    if view.has_subtree_in(tree, name) {
        return true;
    }
    match name.split_last() {
        Some((_, parent)) if !parent.is_empty() => view.has_subtree_in(tree, parent),
        _ => false,
    }
}

/// Get, GetNext and Set responses carry exactly one binding per request binding, so either all
/// of them fit or the response is `tooBig` with an empty list.
fn one_to_one(
    request: &[VarBind],
    limits: Limits,
    mut answer: impl FnMut(&VarBind) -> VarBind,
) -> Answer {
    if request.len() > limits.max_varbinds {
        return Answer::too_big();
    }
    let mut room = Room::new(limits.varbind_bytes);
    let mut out = Vec::with_capacity(request.len());
    for vb in request {
        let answer = answer(vb);
        if !room.take(&answer, &out) {
            return Answer::too_big();
        }
        out.push(answer);
    }
    Answer::ok(out)
}

/// GetRequest processing of one binding (RFC 3416 §4.2.1), also how a notification reads its
/// objects: a name outside the view is not
/// "accessible by this request", so it is `noSuchObject` whether or not it exists.
pub(crate) fn get(
    tree: &Tree,
    live: &dyn Resolve,
    scope: Scope<'_>,
    name: &ObjectIdentifier,
) -> VarBind {
    let value = match tree.get(name) {
        _ if !scope.view.contains(name) => VarBindValue::NoSuchObject,
        Some(entry) => VarBindValue::Value(syntax(resolve(live, entry))),
        None if implements_in(tree, scope.view, name) => VarBindValue::NoSuchInstance,
        None => VarBindValue::NoSuchObject,
    };
    VarBind {
        name: name.clone(),
        value,
    }
}

/// GetNextRequest processing of one binding (RFC 3416 §4.2.2): the first served instance in the
/// view after `name`, or `endOfMibView` under the requested name.
fn next(tree: &Tree, live: &dyn Resolve, scope: Scope<'_>, name: &ObjectIdentifier) -> VarBind {
    let mut cursor: &[u32] = name;
    while let Some((key, entry)) = scope.view.next_in(tree, cursor) {
        cursor = key;
        // A key that is not an encodable OBJECT IDENTIFIER cannot be sent; skipping it keeps the
        // walk going rather than ending the MIB view early. The tree's builders never make one.
        let Some(oid) = encodable_oid(key) else {
            continue;
        };
        let value = resolve(live, entry);
        if scope.skip_counter64 && matches!(value, Value::Counter64(_)) {
            continue;
        }
        return VarBind {
            name: oid,
            value: VarBindValue::Value(syntax(value)),
        };
    }
    VarBind {
        name: name.clone(),
        value: VarBindValue::EndOfMibView,
    }
}

/// A GetBulk's shape (RFC 3416 §4.2.3): N, the non-repeaters (negative counts as zero, at most
/// `bindings`), and N + M × R, the most response bindings for `repetitions` (M, already capped)
/// rows of the R = `bindings` − N repeaters. Saturating: the product overflowed in net-snmp
/// (CVE-2008-4309). The one count behind both the user's charge
/// ([`BudgetConfig::cost`](crate::budget::BudgetConfig::cost)) and the work ([`respond`]).
pub fn bulk_bindings(non_repeaters: i64, repetitions: usize, bindings: usize) -> (usize, usize) {
    let n = usize::try_from(non_repeaters.max(0)).map_or(bindings, |n| n.min(bindings));
    let r = bindings.saturating_sub(n);
    (n, repetitions.saturating_mul(r).saturating_add(n))
}

/// GetBulkRequest processing (RFC 3416 §4.2.3).
fn bulk(
    tree: &Tree,
    live: &dyn Resolve,
    scope: Scope<'_>,
    request: &[VarBind],
    (non_repeaters, max_repetitions): (i64, i64),
    limits: Limits,
) -> Answer {
    // The agent's cap applies before any work, so a huge M costs nothing.
    let m = max_repetitions.clamp(0, i64::from(limits.max_repetitions));
    let m = usize::try_from(m).unwrap_or(usize::MAX);
    let (n, total) = bulk_bindings(non_repeaters, m, request.len());
    let total = total.min(limits.max_varbinds);

    let mut out = Vec::with_capacity(total.min(256));
    let mut room = Room::new(limits.varbind_bytes);
    // Appends `vb` if it fits both caps; false ends the response (truncation, §4.2.3 reason 1).
    let mut push = |out: &mut Vec<VarBind>, vb: VarBind| -> bool {
        if out.len() >= total || !room.take(&vb, out) {
            return false;
        }
        out.push(vb);
        true
    };

    let (head, repeaters) = request.split_at(n);
    let mut complete = true;
    for vb in head {
        if !push(&mut out, next(tree, live, scope, &vb.name)) {
            complete = false;
            break;
        }
    }
    if complete && !repeaters.is_empty() {
        // Each repeater walks its own column: row i starts from the name row i-1 returned.
        let mut cursors: Vec<ObjectIdentifier> =
            repeaters.iter().map(|vb| vb.name.clone()).collect();
        'rows: for _ in 0..m {
            let mut all_ended = true;
            for cursor in cursors.iter_mut() {
                let vb = next(tree, live, scope, cursor);
                all_ended &= vb.value == VarBindValue::EndOfMibView;
                let name = vb.name.clone();
                if !push(&mut out, vb) {
                    break 'rows;
                }
                *cursor = name;
            }
            // Once a whole row is endOfMibView every further row would repeat it; §4.2.3 allows
            // stopping after the (i * R)-th binding.
            if all_ended {
                break;
            }
        }
    }

    if out.is_empty() && total > 0 {
        // Something was asked for and not even the first binding fits.
        return Answer::too_big();
    }
    Answer::ok(out)
}

/// SetRequest processing (RFC 3416 §4.2.5) for an agent with nothing writable: the first
/// binding fails, so it alone decides the error, and nothing is changed. A name outside the
/// request's view is `noAccess` (step 1), which says nothing of what exists there.
fn refuse_set(tree: &Tree, view: &View, request: &[VarBind], limits: Limits) -> Answer {
    let Some(first) = request.first() else {
        return Answer::ok(Vec::new());
    };
    // The error response echoes the request's bindings, so it must fit like any other.
    let mut room = Room::new(limits.varbind_bytes);
    let fits = request
        .iter()
        .enumerate()
        .all(|(i, vb)| room.take(vb, request.get(..i).unwrap_or_default()));
    if request.len() > limits.max_varbinds || !fits {
        return Answer::too_big();
    }
    let error_status = if !view.contains(&first.name) {
        ErrorStatus::NoAccess
    } else if implements_in(tree, view, &first.name) {
        // An object exists there, but none is writable (§4.2.5 step 3).
        ErrorStatus::NotWritable
    } else {
        // No such object, and none can be created (§4.2.5 step 7).
        ErrorStatus::NoCreation
    };
    Answer {
        error_status,
        error_index: 1,
        varbinds: request.to_vec(),
    }
}

fn resolve(live: &dyn Resolve, entry: &Entry) -> Value {
    match entry {
        Entry::Value(v) => v.clone(),
        Entry::Live(l) => live.resolve(*l),
    }
}

/// The octets left for bindings.
///
/// Measuring a binding exactly costs a pass over its name's arcs, and a lookup table's names
/// are long (a string index is one arc per character). So bindings are first spent at an upper
/// bound that reads only the name's length ([`ber::varbind_len_bound`]); only when a bound no
/// longer fits are the bindings taken so far measured exactly, and every later one with them.
/// The decisions are those of exact sizes throughout: while the bounds fit, the exact sizes,
/// each at most its bound, fit too.
struct Room {
    /// The octets for bindings in all.
    bytes: usize,
    /// Octets left: after the bounds of the bindings taken until `exact`, after their exact
    /// sizes from then on.
    left: usize,
    exact: bool,
}

impl Room {
    fn new(bytes: usize) -> Room {
        Room {
            bytes,
            left: bytes,
            exact: false,
        }
    }

    /// Spends the size of `vb` if it fits beside `taken`, the bindings this room let in so far.
    fn take(&mut self, vb: &VarBind, taken: &[VarBind]) -> bool {
        if !self.exact {
            if let Some(left) = self.left.checked_sub(ber::varbind_len_bound(vb)) {
                self.left = left;
                return true;
            }
            self.exact = true;
            let used = taken.iter().map(varbind_len).fold(0, usize::saturating_add);
            self.left = self.bytes.saturating_sub(used);
        }
        match self.left.checked_sub(varbind_len(vb)) {
            Some(left) => {
                self.left = left;
                true
            }
            None => false,
        }
    }
}
