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

use alloc::vec::Vec;

use rasn::types::{Integer, IntegerType, ObjectIdentifier};
// The v2 names for these (Counter32, Unsigned32, ...) are type aliases of the v1 tuple structs,
// and aliases cannot be used as constructors or patterns.
use rasn_smi::v1::{Counter, Gauge, IpAddress, TimeTicks};
use rasn_smi::v2::{ApplicationSyntax, Counter64, ObjectSyntax, SimpleSyntax};
use rasn_snmp::v2::{VarBind, VarBindValue};

use crate::mib::objects::encodable_oid;
use crate::mib::{Entry, Resolve, Tree, Value};

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
pub struct Outcome {
    /// The error-status field.
    pub error_status: ErrorStatus,
    /// The error-index field: 1-based position of the binding at fault, 0 when none is.
    pub error_index: u32,
    /// The variable-bindings field.
    pub varbinds: Vec<VarBind>,
}

impl Outcome {
    /// A successful response carrying `varbinds`.
    fn ok(varbinds: Vec<VarBind>) -> Outcome {
        Outcome {
            error_status: ErrorStatus::NoError,
            error_index: 0,
            varbinds,
        }
    }

    /// `tooBig` with an empty list: the alternate Response-PDU of RFC 3416 §4.2.1 to §4.2.3.
    fn too_big() -> Outcome {
        Outcome {
            error_status: ErrorStatus::TooBig,
            error_index: 0,
            varbinds: Vec::new(),
        }
    }
}

/// Answers `request` with operation `op` over `tree`, resolving [`Entry::Live`] objects through
/// `live`, within `limits`.
///
/// Never panics and never allocates in proportion to anything but the bindings it returns, which
/// `limits` bound.
pub fn respond(
    tree: &Tree,
    live: &dyn Resolve,
    op: Operation,
    request: &[VarBind],
    limits: Limits,
) -> Outcome {
    match op {
        Operation::Get => one_to_one(request, limits, |vb| get(tree, live, &vb.name)),
        Operation::GetNext => one_to_one(request, limits, |vb| next(tree, live, &vb.name)),
        Operation::GetBulk {
            non_repeaters,
            max_repetitions,
        } => bulk(tree, live, request, non_repeaters, max_repetitions, limits),
        Operation::Set => refuse_set(tree, request, limits),
    }
}

/// The wire form of a served value (RFC 3416 §3, `ObjectSyntax`).
pub fn syntax(value: Value) -> ObjectSyntax {
    match value {
        Value::Integer(v) => ObjectSyntax::Simple(SimpleSyntax::Integer(Integer::from(v))),
        Value::OctetString(v) => ObjectSyntax::Simple(SimpleSyntax::String(v)),
        Value::ObjectId(v) => ObjectSyntax::Simple(SimpleSyntax::ObjectId(v)),
        Value::IpAddress(v) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::Address(IpAddress(v.into())))
        }
        Value::Counter32(v) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::Counter(Counter(v)))
        }
        Value::Gauge32(v) => ObjectSyntax::ApplicationWide(ApplicationSyntax::Unsigned(Gauge(v))),
        Value::TimeTicks(v) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::Ticks(TimeTicks(v)))
        }
        Value::Counter64(v) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::BigCounter(Counter64(v)))
        }
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
    if tree.has_subtree(name) {
        return true;
    }
    match name.split_last() {
        Some((_, parent)) if !parent.is_empty() => tree.has_subtree(parent),
        _ => false,
    }
}

/// The exact number of octets BER gives `varbind` (tag, length and contents of the SEQUENCE),
/// as `rasn::ber::encode` produces it: definite lengths in their shortest form, integers in the
/// fewest two's-complement octets. Saturates instead of overflowing.
pub fn varbind_len(varbind: &VarBind) -> usize {
    let name = tlv_len(oid_content_len(&varbind.name));
    tlv_len(name.saturating_add(varbind_value_len(&varbind.value)))
}

/// Get, GetNext and Set responses carry exactly one binding per request binding, so either all
/// of them fit or the response is `tooBig` with an empty list.
fn one_to_one(
    request: &[VarBind],
    limits: Limits,
    mut answer: impl FnMut(&VarBind) -> VarBind,
) -> Outcome {
    if request.len() > limits.max_varbinds {
        return Outcome::too_big();
    }
    let mut budget = Budget::new(limits.varbind_bytes);
    let mut out = Vec::with_capacity(request.len());
    for vb in request {
        let answer = answer(vb);
        if !budget.take(&answer) {
            return Outcome::too_big();
        }
        out.push(answer);
    }
    Outcome::ok(out)
}

/// GetRequest processing of one binding (RFC 3416 §4.2.1).
fn get(tree: &Tree, live: &dyn Resolve, name: &ObjectIdentifier) -> VarBind {
    let value = match tree.get(name) {
        Some(entry) => VarBindValue::Value(syntax(resolve(live, entry))),
        None if implements(tree, name) => VarBindValue::NoSuchInstance,
        None => VarBindValue::NoSuchObject,
    };
    VarBind {
        name: name.clone(),
        value,
    }
}

/// GetNextRequest processing of one binding (RFC 3416 §4.2.2): the first served instance after
/// `name`, or `endOfMibView` under the requested name.
fn next(tree: &Tree, live: &dyn Resolve, name: &ObjectIdentifier) -> VarBind {
    let mut cursor: &[u32] = name;
    while let Some((key, entry)) = tree.next(cursor) {
        // A key that is not an encodable OBJECT IDENTIFIER cannot be sent; skipping it keeps the
        // walk going rather than ending the MIB view early. The tree's builders never make one.
        if let Some(oid) = encodable_oid(key) {
            return VarBind {
                name: oid,
                value: VarBindValue::Value(syntax(resolve(live, entry))),
            };
        }
        cursor = key;
    }
    VarBind {
        name: name.clone(),
        value: VarBindValue::EndOfMibView,
    }
}

/// GetBulkRequest processing (RFC 3416 §4.2.3).
fn bulk(
    tree: &Tree,
    live: &dyn Resolve,
    request: &[VarBind],
    non_repeaters: i64,
    max_repetitions: i64,
    limits: Limits,
) -> Outcome {
    let count = request.len();
    // Negative values count as zero (§4.2.3); N is at most the number of bindings.
    let n = usize::try_from(non_repeaters.max(0)).map_or(count, |n| n.min(count));
    // The agent's cap applies before any work, so a huge M costs nothing.
    let m = max_repetitions.clamp(0, i64::from(limits.max_repetitions));
    let m = usize::try_from(m).unwrap_or(usize::MAX);
    let r = count.saturating_sub(n);
    // N + M * R with checked arithmetic: the product overflowed in net-snmp (CVE-2008-4309).
    let total = m
        .checked_mul(r)
        .and_then(|mr| mr.checked_add(n))
        .unwrap_or(usize::MAX)
        .min(limits.max_varbinds);

    let mut out = Vec::with_capacity(total.min(256));
    let mut budget = Budget::new(limits.varbind_bytes);
    // Appends `vb` if it fits both caps; false ends the response (truncation, §4.2.3 reason 1).
    let mut push = |out: &mut Vec<VarBind>, vb: VarBind| -> bool {
        if out.len() >= total || !budget.take(&vb) {
            return false;
        }
        out.push(vb);
        true
    };

    let (head, repeaters) = request.split_at(n);
    let mut complete = true;
    for vb in head {
        if !push(&mut out, next(tree, live, &vb.name)) {
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
                let vb = next(tree, live, cursor);
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
        return Outcome::too_big();
    }
    Outcome::ok(out)
}

/// SetRequest processing (RFC 3416 §4.2.5) for an agent with nothing writable: the first
/// binding fails, so it alone decides the error, and nothing is changed.
fn refuse_set(tree: &Tree, request: &[VarBind], limits: Limits) -> Outcome {
    let Some(first) = request.first() else {
        return Outcome::ok(Vec::new());
    };
    // The error response echoes the request's bindings, so it must fit like any other.
    let mut budget = Budget::new(limits.varbind_bytes);
    if request.len() > limits.max_varbinds || !request.iter().all(|vb| budget.take(vb)) {
        return Outcome::too_big();
    }
    let error_status = if implements(tree, &first.name) {
        // An object exists there, but none is writable (§4.2.5 step 3).
        ErrorStatus::NotWritable
    } else {
        // No such object, and none can be created (§4.2.5 step 7).
        ErrorStatus::NoCreation
    };
    Outcome {
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
struct Budget {
    left: usize,
}

impl Budget {
    fn new(bytes: usize) -> Budget {
        Budget { left: bytes }
    }

    /// Spends the size of `vb` if it fits.
    fn take(&mut self, vb: &VarBind) -> bool {
        match self.left.checked_sub(varbind_len(vb)) {
            Some(left) => {
                self.left = left;
                true
            }
            None => false,
        }
    }
}

/// Tag (all tags here are below 31, so one octet), length octets, then `content` octets.
fn tlv_len(content: usize) -> usize {
    1usize
        .saturating_add(length_octets(content))
        .saturating_add(content)
}

/// X.690 §8.1.3: the short form below 128, else one octet plus the big-endian length.
fn length_octets(len: usize) -> usize {
    if len < 0x80 {
        1
    } else {
        1 + unsigned_octets(len as u64)
    }
}

/// Octets of `v` without leading zero octets (at least one).
fn unsigned_octets(v: u64) -> usize {
    let bits = u64::BITS - v.leading_zeros();
    (bits.div_ceil(8) as usize).max(1)
}

/// Contents of an INTEGER holding the non-negative `v`: two's complement needs a leading zero
/// octet when the top bit is set (0xFFFF_FFFF takes five octets).
fn non_negative_integer_len(v: u64) -> usize {
    let bits = u64::BITS - v.leading_zeros() + 1;
    bits.div_ceil(8) as usize
}

/// Contents of an OBJECT IDENTIFIER (X.690 §8.19): the first two arcs share one
/// sub-identifier, each sub-identifier in base 128. Computed in `u64` so that `2.x` with a
/// large `x` cannot overflow.
fn oid_content_len(arcs: &[u32]) -> usize {
    let base128 = |v: u64| ((u64::BITS - v.leading_zeros()).div_ceil(7) as usize).max(1);
    match arcs {
        [first, second, rest @ ..] => {
            let head = u64::from(*first) * 40 + u64::from(*second);
            rest.iter().fold(base128(head), |sum, arc| {
                sum.saturating_add(base128(u64::from(*arc)))
            })
        }
        // Not a valid OID; the one octet rasn would write for a lone arc.
        [only] => base128(u64::from(*only)),
        [] => 0,
    }
}

fn varbind_value_len(value: &VarBindValue) -> usize {
    match value {
        VarBindValue::Value(syntax) => tlv_len(syntax_content_len(syntax)),
        // NULL and the three [n] IMPLICIT NULL exceptions: tag and a zero length.
        VarBindValue::Unspecified
        | VarBindValue::NoSuchObject
        | VarBindValue::NoSuchInstance
        | VarBindValue::EndOfMibView => 2,
    }
}

fn syntax_content_len(syntax: &ObjectSyntax) -> usize {
    match syntax {
        ObjectSyntax::Simple(SimpleSyntax::Integer(v)) => v.to_signed_bytes_be().1,
        ObjectSyntax::Simple(SimpleSyntax::String(v)) => v.len(),
        ObjectSyntax::Simple(SimpleSyntax::ObjectId(v)) => oid_content_len(v),
        ObjectSyntax::ApplicationWide(app) => match app {
            ApplicationSyntax::Address(_) => 4,
            ApplicationSyntax::Counter(Counter(v))
            | ApplicationSyntax::Ticks(TimeTicks(v))
            | ApplicationSyntax::Unsigned(Gauge(v)) => non_negative_integer_len(u64::from(*v)),
            ApplicationSyntax::Arbitrary(v) => v.as_ref().len(),
            ApplicationSyntax::BigCounter(Counter64(v)) => non_negative_integer_len(*v),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mib::Live;
    use crate::stats::Counter as StatCounter;
    use alloc::boxed::Box;
    use alloc::vec;
    use rasn_smi::v2::ToOpaque;

    const SYS_DESCR: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 1, 0];
    const SYS_UPTIME: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 3, 0];
    const SYS_OR_ID: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 9, 1, 2];
    const SYS_OR_DESCR: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 9, 1, 3];
    const IN_PKTS: &[u32] = &[1, 3, 6, 1, 2, 1, 11, 1, 0];
    const ENTERPRISE: &[u32] = &[1, 3, 6, 1, 4, 1, 99999, 1, 0];

    const WIDE: Limits = Limits {
        varbind_bytes: 65_000,
        max_repetitions: 1_000,
        max_varbinds: 1_000,
    };

    /// Fixed answers for the live objects.
    struct Fixed;

    impl Resolve for Fixed {
        fn resolve(&self, live: Live) -> Value {
            match live {
                Live::SysUpTime => Value::TimeTicks(4242),
                Live::EngineBoots => Value::Integer(7),
                Live::EngineTime => Value::Integer(99),
                Live::Counter(c) => Value::Counter32(c.oid().len() as u32),
            }
        }
    }

    fn cat(prefix: &[u32], arcs: &[u32]) -> Vec<u32> {
        let mut v = prefix.to_vec();
        v.extend_from_slice(arcs);
        v
    }

    fn oid(arcs: &[u32]) -> ObjectIdentifier {
        ObjectIdentifier::new(arcs.to_vec()).expect("valid test OID")
    }

    fn ask(arcs: &[u32]) -> VarBind {
        VarBind {
            name: oid(arcs),
            value: VarBindValue::Unspecified,
        }
    }

    fn value(v: Value) -> VarBindValue {
        VarBindValue::Value(syntax(v))
    }

    /// system: sysDescr.0, sysUpTime.0 (live), sysORTable rows 1..=3 (two columns);
    /// snmpInPkts.0 (live) last.
    fn tree() -> Tree {
        let mut entries: Vec<(Box<[u32]>, Entry)> = vec![
            (SYS_DESCR.into(), Entry::Value(Value::octets("dqi"))),
            (SYS_UPTIME.into(), Entry::Live(Live::SysUpTime)),
            (
                IN_PKTS.into(),
                Entry::Live(Live::Counter(StatCounter::SnmpInPkts)),
            ),
        ];
        for row in 1..=3 {
            let id = Value::oid(&[1, 3, 6, 1, 6, 3, row]).expect("valid");
            entries.push((cat(SYS_OR_ID, &[row]).into(), Entry::Value(id)));
            entries.push((
                cat(SYS_OR_DESCR, &[row]).into(),
                Entry::Value(Value::octets("m")),
            ));
        }
        Tree::from_entries(entries)
    }

    fn names(outcome: &Outcome) -> Vec<Vec<u32>> {
        outcome.varbinds.iter().map(|vb| vb.name.to_vec()).collect()
    }

    fn bulk_op(non_repeaters: i64, max_repetitions: i64) -> Operation {
        Operation::GetBulk {
            non_repeaters,
            max_repetitions,
        }
    }

    /// Sum of the rasn encodings of each binding, checked against the encoded list.
    fn encoded_bindings_len(varbinds: &[VarBind]) -> usize {
        let sum = varbinds
            .iter()
            .map(|vb| rasn::ber::encode(vb).expect("encodes").len())
            .sum::<usize>();
        let list = rasn::ber::encode(&varbinds.to_vec()).expect("encodes");
        assert_eq!(
            list.len(),
            tlv_len(sum),
            "the list is one SEQUENCE OF header plus the bindings"
        );
        sum
    }

    #[test]
    fn get_answers_values_and_the_right_exception() {
        // RFC 3416 §4.2.1: exact instance -> value; under a served object type -> noSuchInstance;
        // elsewhere -> noSuchObject.
        let cases: &[(&[u32], VarBindValue)] = &[
            (SYS_DESCR, value(Value::octets("dqi"))),
            (SYS_UPTIME, value(Value::TimeTicks(4242))),
            (IN_PKTS, value(Value::Counter32(9))),
            (&cat(SYS_OR_DESCR, &[2]), value(Value::octets("m"))),
            (&SYS_DESCR[..8], VarBindValue::NoSuchInstance), // sysDescr, no instance arc
            (&cat(&SYS_DESCR[..8], &[1]), VarBindValue::NoSuchInstance), // sysDescr.1
            (&cat(SYS_OR_DESCR, &[9]), VarBindValue::NoSuchInstance), // row 9 of a served column
            (&cat(SYS_DESCR, &[0]), VarBindValue::NoSuchInstance), // sysDescr.0.0
            (ENTERPRISE, VarBindValue::NoSuchObject),
            (
                &[1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 1],
                VarBindValue::NoSuchObject,
            ), // ifIndex.1
            (&[2, 999], VarBindValue::NoSuchObject),
        ];
        for (name, expected) in cases {
            let out = respond(&tree(), &Fixed, Operation::Get, &[ask(name)], WIDE);
            assert_eq!(out.error_status, ErrorStatus::NoError, "{name:?}");
            assert_eq!(out.error_index, 0);
            assert_eq!(names(&out), vec![name.to_vec()], "Get echoes the name");
            assert_eq!(&out.varbinds[0].value, expected, "{name:?}");
        }
    }

    #[test]
    fn get_keeps_one_binding_per_request_binding_in_order() {
        let request = [ask(ENTERPRISE), ask(SYS_DESCR), ask(ENTERPRISE)];
        let out = respond(&tree(), &Fixed, Operation::Get, &request, WIDE);
        let values: Vec<_> = out.varbinds.iter().map(|vb| vb.value.clone()).collect();
        assert_eq!(
            values,
            vec![
                VarBindValue::NoSuchObject,
                value(Value::octets("dqi")),
                VarBindValue::NoSuchObject
            ]
        );
    }

    #[test]
    fn get_next_walks_in_lexicographic_order_to_end_of_mib_view() {
        // RFC 3416 §4.2.2: the first successor; past the end, endOfMibView under the asked name.
        let cases: &[(&[u32], Option<&[u32]>)] = &[
            (&[0, 0], Some(SYS_DESCR)),
            (&[1, 3], Some(SYS_DESCR)),
            (&SYS_DESCR[..8], Some(SYS_DESCR)),
            (SYS_DESCR, Some(SYS_UPTIME)),
            (SYS_UPTIME, Some(&[1, 3, 6, 1, 2, 1, 1, 9, 1, 2, 1])),
            (
                &cat(SYS_OR_ID, &[3]),
                Some(&[1, 3, 6, 1, 2, 1, 1, 9, 1, 3, 1]),
            ),
            (&cat(SYS_OR_DESCR, &[3]), Some(IN_PKTS)),
            (IN_PKTS, None),
            (&[2, 5], None),
        ];
        for (name, expected) in cases {
            let out = respond(&tree(), &Fixed, Operation::GetNext, &[ask(name)], WIDE);
            assert_eq!(out.error_status, ErrorStatus::NoError);
            let vb = &out.varbinds[0];
            match expected {
                Some(next) => {
                    assert_eq!(&vb.name.to_vec(), next, "after {name:?}");
                    assert!(matches!(vb.value, VarBindValue::Value(_)));
                }
                None => {
                    assert_eq!(&vb.name.to_vec(), name);
                    assert_eq!(vb.value, VarBindValue::EndOfMibView);
                }
            }
        }
        let out = respond(&tree(), &Fixed, Operation::GetNext, &[ask(SYS_DESCR)], WIDE);
        assert_eq!(
            out.varbinds[0].value,
            value(Value::TimeTicks(4242)),
            "live entries resolve"
        );
    }

    #[test]
    fn get_next_skips_keys_that_are_not_valid_oids() {
        let t = Tree::from_entries(vec![
            (vec![1].into(), Entry::Value(Value::Integer(1))),
            (vec![1, 40].into(), Entry::Value(Value::Integer(1))),
            (vec![1, 3, 1].into(), Entry::Value(Value::Integer(2))),
            (vec![2, u32::MAX].into(), Entry::Value(Value::Integer(3))),
            (vec![3, 1].into(), Entry::Value(Value::Integer(4))),
        ]);
        let out = respond(&t, &Fixed, Operation::GetNext, &[ask(&[0, 0])], WIDE);
        assert_eq!(names(&out), vec![vec![1, 3, 1]]);
        let out = respond(&t, &Fixed, Operation::GetNext, &[ask(&[1, 3, 1])], WIDE);
        assert_eq!(out.varbinds[0].value, VarBindValue::EndOfMibView);
        assert!(encodable_oid(&[2, u32::MAX - 80]).is_some());
    }

    #[test]
    fn get_bulk_parameters() {
        // RFC 3416 §4.2.3: N non-repeaters then M rows of the R repeaters; negative values are
        // zero, N is capped by the binding count, M by the agent's max_repetitions.
        let or_id = |row: u32| cat(SYS_OR_ID, &[row]);
        let or_descr = |row: u32| cat(SYS_OR_DESCR, &[row]);
        let start_id = SYS_OR_ID;
        let start_descr = SYS_OR_DESCR;
        struct Case<'a> {
            what: &'a str,
            n: i64,
            m: i64,
            cap: u32,
            request: Vec<&'a [u32]>,
            expected: Vec<Vec<u32>>,
        }
        let cases = [
            Case {
                what: "one non-repeater, two rows of two columns",
                n: 1,
                m: 2,
                cap: 100,
                request: vec![SYS_DESCR, start_id, start_descr],
                expected: vec![
                    SYS_UPTIME.to_vec(),
                    or_id(1),
                    or_descr(1),
                    or_id(2),
                    or_descr(2),
                ],
            },
            Case {
                what: "M = 0 gives only the non-repeaters",
                n: 1,
                m: 0,
                cap: 100,
                request: vec![SYS_DESCR, start_id],
                expected: vec![SYS_UPTIME.to_vec()],
            },
            Case {
                what: "N = 0 and M = 0 gives nothing",
                n: 0,
                m: 0,
                cap: 100,
                request: vec![SYS_DESCR],
                expected: vec![],
            },
            Case {
                what: "N above the binding count makes every binding a non-repeater",
                n: 5,
                m: 3,
                cap: 100,
                request: vec![SYS_DESCR, start_id],
                expected: vec![SYS_UPTIME.to_vec(), or_id(1)],
            },
            Case {
                what: "negative N is zero",
                n: -1,
                m: 2,
                cap: 100,
                request: vec![start_id],
                expected: vec![or_id(1), or_id(2)],
            },
            Case {
                what: "negative M is zero",
                n: 1,
                m: -5,
                cap: 100,
                request: vec![SYS_DESCR, start_id],
                expected: vec![SYS_UPTIME.to_vec()],
            },
            Case {
                what: "M capped by the agent",
                n: 0,
                m: 100,
                cap: 2,
                request: vec![start_descr],
                expected: vec![or_descr(1), or_descr(2)],
            },
            Case {
                what: "extreme i64 values",
                n: i64::MIN,
                m: i64::MIN,
                cap: 100,
                request: vec![SYS_DESCR],
                expected: vec![],
            },
        ];
        for case in cases {
            let request: Vec<VarBind> = case.request.iter().map(|n| ask(n)).collect();
            let limits = Limits {
                max_repetitions: case.cap,
                ..WIDE
            };
            let out = respond(&tree(), &Fixed, bulk_op(case.n, case.m), &request, limits);
            assert_eq!(out.error_status, ErrorStatus::NoError, "{}", case.what);
            assert_eq!(names(&out), case.expected, "{}", case.what);
        }
    }

    #[test]
    fn get_bulk_stops_after_a_row_that_is_all_end_of_mib_view() {
        // Row 1: sysORDescr.3 -> snmpInPkts.0, snmpInPkts.0 -> end. Row 2: both end. Stop.
        let request = [ask(&cat(SYS_OR_DESCR, &[3])), ask(IN_PKTS)];
        let out = respond(&tree(), &Fixed, bulk_op(0, 50), &request, WIDE);
        let values: Vec<_> = out.varbinds.iter().map(|vb| vb.value.clone()).collect();
        assert_eq!(
            values,
            vec![
                value(Value::Counter32(9)),
                VarBindValue::EndOfMibView,
                VarBindValue::EndOfMibView,
                VarBindValue::EndOfMibView,
            ]
        );
        // A column that has ended keeps the name it ended on.
        assert_eq!(names(&out)[3], IN_PKTS.to_vec());
    }

    #[test]
    fn get_bulk_huge_m_times_r_does_not_overflow_and_is_capped() {
        let request: Vec<VarBind> = (0..3).map(|_| ask(&[1, 3])).collect();
        for (n, m) in [
            (0, i64::MAX),
            (i64::MAX, i64::MAX),
            (1, i64::from(u32::MAX)),
        ] {
            let limits = Limits {
                max_repetitions: u32::MAX,
                max_varbinds: 10,
                ..WIDE
            };
            let out = respond(&tree(), &Fixed, bulk_op(n, m), &request, limits);
            assert_eq!(out.error_status, ErrorStatus::NoError);
            let expected = if n == i64::MAX { 3 } else { 10 };
            assert_eq!(out.varbinds.len(), expected, "N={n} M={m}");
        }
    }

    #[test]
    fn get_bulk_truncates_to_the_octet_budget() {
        let request = [ask(&[1, 3])];
        let full = respond(&tree(), &Fixed, bulk_op(0, 100), &request, WIDE);
        assert_eq!(
            full.varbinds.len(),
            10,
            "nine instances, then one endOfMibView row"
        );
        let lens: Vec<usize> = full.varbinds.iter().map(varbind_len).collect();
        for keep in 1..full.varbinds.len() {
            let fits: usize = lens[..keep].iter().sum();
            // One octet short of the next binding.
            let budget = fits + lens[keep] - 1;
            let limits = Limits {
                varbind_bytes: budget,
                ..WIDE
            };
            let out = respond(&tree(), &Fixed, bulk_op(0, 100), &request, limits);
            assert_eq!(out.error_status, ErrorStatus::NoError);
            assert_eq!(
                out.varbinds,
                full.varbinds[..keep].to_vec(),
                "budget {budget}"
            );
            assert!(encoded_bindings_len(&out.varbinds) <= budget);
        }
    }

    #[test]
    fn get_bulk_too_big_only_when_the_first_binding_does_not_fit() {
        let request = [ask(SYS_DESCR)];
        let first =
            varbind_len(&respond(&tree(), &Fixed, bulk_op(0, 1), &request, WIDE).varbinds[0]);
        let limits = Limits {
            varbind_bytes: first - 1,
            ..WIDE
        };
        let out = respond(&tree(), &Fixed, bulk_op(1, 5), &request, limits);
        assert_eq!(out, Outcome::too_big());
        let limits = Limits {
            varbind_bytes: first,
            ..WIDE
        };
        let out = respond(&tree(), &Fixed, bulk_op(0, 5), &request, limits);
        assert_eq!(out.varbinds.len(), 1);
        assert_eq!(out.error_status, ErrorStatus::NoError);
        let out = respond(&tree(), &Fixed, bulk_op(0, 5), &[], limits);
        assert_eq!(
            out,
            Outcome::ok(Vec::new()),
            "an empty request is not tooBig"
        );
    }

    #[test]
    fn get_and_get_next_too_big_with_an_empty_list() {
        let request = [ask(SYS_DESCR), ask(SYS_UPTIME)];
        for op in [Operation::Get, Operation::GetNext] {
            let full = respond(&tree(), &Fixed, op, &request, WIDE);
            let exact = encoded_bindings_len(&full.varbinds);
            let at = |varbind_bytes| Limits {
                varbind_bytes,
                ..WIDE
            };
            assert_eq!(respond(&tree(), &Fixed, op, &request, at(exact)), full);
            let out = respond(&tree(), &Fixed, op, &request, at(exact - 1));
            assert_eq!(out.error_status, ErrorStatus::TooBig);
            assert_eq!(out.error_index, 0);
            assert!(out.varbinds.is_empty());
            let few = Limits {
                max_varbinds: 1,
                ..WIDE
            };
            assert_eq!(
                respond(&tree(), &Fixed, op, &request, few),
                Outcome::too_big()
            );
        }
    }

    #[test]
    fn set_is_refused_and_echoes_the_request() {
        // RFC 3416 §4.2.5: the first binding fails, so it decides the status; index 1.
        let set_value = VarBindValue::Value(syntax(Value::Integer(5)));
        let with = |arcs: &[u32]| VarBind {
            name: oid(arcs),
            value: set_value.clone(),
        };
        let cases: &[(&[&[u32]], ErrorStatus)] = &[
            (&[SYS_DESCR], ErrorStatus::NotWritable),
            (&[&cat(SYS_OR_DESCR, &[9])], ErrorStatus::NotWritable),
            (&[ENTERPRISE], ErrorStatus::NoCreation),
            (&[ENTERPRISE, SYS_DESCR], ErrorStatus::NoCreation),
            (&[SYS_UPTIME, ENTERPRISE], ErrorStatus::NotWritable),
        ];
        for (request_names, status) in cases {
            let request: Vec<VarBind> = request_names.iter().map(|n| with(n)).collect();
            let t = tree();
            let before: Vec<_> = t.iter().map(|(k, e)| (k.to_vec(), e.clone())).collect();
            let out = respond(&t, &Fixed, Operation::Set, &request, WIDE);
            assert_eq!(out.error_status, *status, "{request_names:?}");
            assert_eq!(out.error_index, 1);
            assert_eq!(out.varbinds, request);
            let after: Vec<_> = t.iter().map(|(k, e)| (k.to_vec(), e.clone())).collect();
            assert_eq!(before, after, "nothing changes");
        }
        assert_eq!(
            respond(&tree(), &Fixed, Operation::Set, &[], WIDE),
            Outcome::ok(Vec::new())
        );
        let tiny = Limits {
            varbind_bytes: 3,
            ..WIDE
        };
        let out = respond(&tree(), &Fixed, Operation::Set, &[with(SYS_DESCR)], tiny);
        assert_eq!(out, Outcome::too_big());
    }

    #[test]
    fn syntax_uses_the_smi_tags() {
        // RFC 2578 §7.1 / RFC 3416 §3: universal 2, 4, 6; application 0, 1, 2, 3, 6.
        let cases = [
            (Value::Integer(-3), 0x02),
            (Value::octets("x"), 0x04),
            (Value::oid(&[1, 3, 6]).expect("valid"), 0x06),
            (Value::IpAddress([10, 0, 0, 1]), 0x40),
            (Value::Counter32(1), 0x41),
            (Value::Gauge32(1), 0x42),
            (Value::TimeTicks(1), 0x43),
            (Value::Counter64(1), 0x46),
        ];
        for (v, tag) in cases {
            let bytes = rasn::ber::encode(&syntax(v.clone())).expect("encodes");
            assert_eq!(bytes[0], tag, "{v:?}");
        }
        let ip = rasn::ber::encode(&syntax(Value::IpAddress([10, 0, 0, 1]))).expect("encodes");
        assert_eq!(ip, [0x40, 4, 10, 0, 0, 1]);
    }

    #[test]
    fn varbind_len_matches_rasn_for_every_kind() {
        let long_oid: Vec<u32> = [2, 999]
            .into_iter()
            .chain((0..126).map(|i| u32::MAX - i))
            .collect();
        let mut values: Vec<VarBindValue> = vec![
            VarBindValue::Unspecified,
            VarBindValue::NoSuchObject,
            VarBindValue::NoSuchInstance,
            VarBindValue::EndOfMibView,
        ];
        for v in [
            0,
            1,
            127,
            128,
            255,
            256,
            -1,
            -128,
            -129,
            32_767,
            -32_769,
            i32::MIN,
            i32::MAX,
        ] {
            values.push(value(Value::Integer(v)));
        }
        for v in [
            0,
            0x7f,
            0x80,
            0xff,
            0x7fff,
            0x8000,
            0x7fff_ffff,
            0x8000_0000,
            u32::MAX,
        ] {
            values.push(value(Value::Counter32(v)));
            values.push(value(Value::Gauge32(v)));
            values.push(value(Value::TimeTicks(v)));
        }
        for v in [
            0,
            1,
            0x80,
            u64::from(u32::MAX),
            1 << 55,
            1 << 56,
            (1 << 63) - 1,
            1 << 63,
            u64::MAX,
        ] {
            values.push(value(Value::Counter64(v)));
        }
        for n in [0, 1, 127, 128, 200, 255, 256, 65_535, 65_536, 70_000] {
            values.push(value(Value::octets(vec![b'a'; n])));
        }
        for arcs in [
            &[0, 0][..],
            &[1, 3],
            &[2, 999, 3],
            &[1, 3, 6, 1, 4, 1, 0x7f, 0x80, 0x3fff, 0x4000],
            &long_oid,
        ] {
            values.push(value(Value::oid(arcs).expect("valid")));
        }
        values.push(value(Value::IpAddress([192, 0, 2, 1])));
        // Bindings that only arrive in requests (echoed by Set): wide integers, Opaque.
        values.push(VarBindValue::Value(ObjectSyntax::Simple(
            SimpleSyntax::Integer(Integer::from(i128::MIN)),
        )));
        values.push(VarBindValue::Value(ObjectSyntax::Simple(
            SimpleSyntax::Integer(Integer::from(u64::MAX)),
        )));
        let opaque = 12_345u32.to_opaque().expect("encodes");
        values.push(VarBindValue::Value(ObjectSyntax::ApplicationWide(
            ApplicationSyntax::Arbitrary(opaque),
        )));

        for name in [&[1, 3][..], SYS_DESCR, &long_oid] {
            for v in &values {
                let vb = VarBind {
                    name: oid(name),
                    value: v.clone(),
                };
                let encoded = rasn::ber::encode(&vb).expect("encodes");
                assert_eq!(varbind_len(&vb), encoded.len(), "{:?}", vb.value);
            }
        }
    }
}
