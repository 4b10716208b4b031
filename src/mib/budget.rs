//! The DQI-MIB request-budget objects: `dqiAgent` .3 to .27 and `dqiBudgetTable` (.28).
//!
//! This module owns their OIDs, their SMIv2 types (as `mibs/DQI-MIB.txt` defines them) and how
//! each is read from a [`Budget`]. Every object is a [`Live`] entry: the tree holds only its
//! OID, and the agent resolves it from its budget at the moment of the request, so a GET shows
//! the buckets as they are, that request's own charge included.
//!
//! `dqiBudgetTable` is indexed by `{ dqiBudgetSecModel, dqiBudgetSecName }`: the security model
//! (3, USM, RFC 3411 §5) then the user name as a variable-length string, which an index that
//! is not `IMPLIED` encodes as its length followed by one sub-identifier per octet (RFC 2578
//! §7.7). Counters are `Counter32` and wrap at 2^32 (RFC 2578 §7.1.6); gauges latch at their
//! maximum (§7.1.7); `TimeStamp` is the `sysUpTime` of the event, 0 for none (RFC 2579).

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::{Entry, Live, Value};
use crate::budget::{Budget, OverBudget, Period, Rate, Rejection};
use crate::time::Instant;

/// `dqiAgent`: 1.3.6.1.4.1.8072.9999.9999.374.1.5 (`dqiObjects` 5 under `netSnmpPlaypen` 374).
pub const DQI_AGENT: [u32; 12] = [1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5];
/// `dqiBudgetTable`'s arc under `dqiAgent`.
const TABLE: u32 = 28;
/// `dqiBudgetEntry`'s arc under the table.
const ENTRY: u32 = 1;
/// `dqiBudgetSecModel` of a USM user (RFC 3411 §5, `SnmpSecurityModel`).
pub const SEC_MODEL_USM: u32 = 3;
/// `dqiBudgetSecModel` of a community (SNMPv2c, RFC 3411 §5); its budget principal's name is
/// a zero octet and then the security name (see [`crate::access::Community::principal`]).
pub const SEC_MODEL_COMMUNITY: u32 = 2;

/// A `dqiAgent` budget scalar; the discriminant is its arc under `dqiAgent`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is its MIB object's name without the `dqiBudget` prefix
pub enum Scalar {
    GlobalRate = 3,
    GlobalPeriod = 4,
    SourceRate = 5,
    SourcePeriod = 6,
    UserRate = 7,
    UserPeriod = 8,
    Burst = 9,
    MaxRepetitions = 10,
    MaxResponseVarbinds = 11,
    OverAction = 12,
    IntakeCeiling = 13,
    SourcePrefix6 = 14,
    SourceCapacity = 15,
    SourceEntries = 16,
    SourceEvictions = 17,
    Accepted = 18,
    RejectedIntake = 19,
    RejectedGlobal = 20,
    RejectedSource = 21,
    RejectedPrincipal = 22,
    RejectedUnauth = 23,
    RejectedRetransmit = 24,
    CacheAnswers = 25,
    BulkCapped = 26,
    LastRejection = 27,
    Moderation = 33,
    Hold = 34,
    Held = 35,
    Shed = 36,
    BulkShaped = 37,
    RequestCost = 38,
}

impl Scalar {
    /// Every scalar, in OID order.
    pub const ALL: [Scalar; 31] = [
        Scalar::GlobalRate,
        Scalar::GlobalPeriod,
        Scalar::SourceRate,
        Scalar::SourcePeriod,
        Scalar::UserRate,
        Scalar::UserPeriod,
        Scalar::Burst,
        Scalar::MaxRepetitions,
        Scalar::MaxResponseVarbinds,
        Scalar::OverAction,
        Scalar::IntakeCeiling,
        Scalar::SourcePrefix6,
        Scalar::SourceCapacity,
        Scalar::SourceEntries,
        Scalar::SourceEvictions,
        Scalar::Accepted,
        Scalar::RejectedIntake,
        Scalar::RejectedGlobal,
        Scalar::RejectedSource,
        Scalar::RejectedPrincipal,
        Scalar::RejectedUnauth,
        Scalar::RejectedRetransmit,
        Scalar::CacheAnswers,
        Scalar::BulkCapped,
        Scalar::LastRejection,
        Scalar::Moderation,
        Scalar::Hold,
        Scalar::Held,
        Scalar::Shed,
        Scalar::BulkShaped,
        Scalar::RequestCost,
    ];

    /// The instance OID (`.0`).
    pub fn oid(self) -> Vec<u32> {
        let mut oid = DQI_AGENT.to_vec();
        oid.extend_from_slice(&[self as u32, 0]);
        oid
    }

    /// The counter of refusals for `reason`.
    pub const fn rejected(reason: Rejection) -> Scalar {
        match reason {
            Rejection::Global => Scalar::RejectedGlobal,
            Rejection::PerSource => Scalar::RejectedSource,
            Rejection::PerUser => Scalar::RejectedPrincipal,
            Rejection::Unauthenticated => Scalar::RejectedUnauth,
        }
    }

    /// The MIB descriptor, for logs.
    pub const fn name(self) -> &'static str {
        match self {
            Scalar::GlobalRate => "dqiBudgetGlobalRate",
            Scalar::GlobalPeriod => "dqiBudgetGlobalPeriod",
            Scalar::SourceRate => "dqiBudgetSourceRate",
            Scalar::SourcePeriod => "dqiBudgetSourcePeriod",
            Scalar::UserRate => "dqiBudgetUserRate",
            Scalar::UserPeriod => "dqiBudgetUserPeriod",
            Scalar::Burst => "dqiBudgetBurst",
            Scalar::MaxRepetitions => "dqiBudgetMaxRepetitions",
            Scalar::MaxResponseVarbinds => "dqiBudgetMaxResponseVarbinds",
            Scalar::OverAction => "dqiBudgetOverAction",
            Scalar::IntakeCeiling => "dqiBudgetIntakeCeiling",
            Scalar::SourcePrefix6 => "dqiBudgetSourcePrefix6",
            Scalar::SourceCapacity => "dqiBudgetSourceCapacity",
            Scalar::SourceEntries => "dqiBudgetSourceEntries",
            Scalar::SourceEvictions => "dqiBudgetSourceEvictions",
            Scalar::Accepted => "dqiBudgetAccepted",
            Scalar::RejectedIntake => "dqiBudgetRejectedIntake",
            Scalar::RejectedGlobal => "dqiBudgetRejectedGlobal",
            Scalar::RejectedSource => "dqiBudgetRejectedSource",
            Scalar::RejectedPrincipal => "dqiBudgetRejectedPrincipal",
            Scalar::RejectedUnauth => "dqiBudgetRejectedUnauth",
            Scalar::RejectedRetransmit => "dqiBudgetRejectedRetransmit",
            Scalar::CacheAnswers => "dqiBudgetCacheAnswers",
            Scalar::BulkCapped => "dqiBudgetBulkCapped",
            Scalar::LastRejection => "dqiBudgetLastRejection",
            Scalar::Moderation => "dqiBudgetModeration",
            Scalar::Hold => "dqiBudgetHold",
            Scalar::Held => "dqiBudgetHeld",
            Scalar::Shed => "dqiBudgetShed",
            Scalar::BulkShaped => "dqiBudgetBulkShaped",
            Scalar::RequestCost => "dqiBudgetRequestCost",
        }
    }
}

/// A readable `dqiBudgetEntry` column; the discriminant is its arc under the entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is its MIB object's name without the `dqiBudgetPrincipal` prefix
pub enum Column {
    Rate = 3,
    Period = 4,
    Burst = 5,
    Available = 6,
    UsedMinute = 7,
    UsedHour = 8,
    Accepted = 9,
    Rejected = 10,
    LastRejection = 11,
}

impl Column {
    /// Every readable column, in OID order (1 and 2 are the not-accessible index columns).
    pub const ALL: [Column; 9] = [
        Column::Rate,
        Column::Period,
        Column::Burst,
        Column::Available,
        Column::UsedMinute,
        Column::UsedHour,
        Column::Accepted,
        Column::Rejected,
        Column::LastRejection,
    ];
}

/// One budget object, as a [`Live`] entry names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BudgetObject {
    /// A scalar.
    Scalar(Scalar),
    /// A column of the `row`-th principal in [`Budget::principals`] order (sorted by name,
    /// fixed when the budget is built).
    Principal {
        /// Position in [`Budget::principals`].
        row: usize,
        /// The column.
        column: Column,
    },
}

/// What the agent knows beyond the [`Budget`] itself, for the values that need it.
#[derive(Debug, Clone, Copy)]
pub struct View<'a> {
    /// The budget.
    pub budget: &'a Budget,
    /// The request's time.
    pub now: Instant,
    /// The origin of `sysUpTime`, for `TimeStamp` values.
    pub started: Instant,
    /// When the agent last refused a request for any budget reason.
    pub last_rejection: Option<Instant>,
    /// What the driver reported of how it reads its sockets.
    pub receive: Receive,
}

/// What the driver reports of the two limits it enforces itself, on reading its sockets, for
/// `dqiBudgetIntakeCeiling` and `dqiBudgetModeration`: the core serves them but neither knows
/// nor enforces them (with the `server` feature they are `crate::server::ReceiveConfig`'s).
/// Zero, "none", until the driver reports.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Receive {
    /// Datagrams read per second at most (`dqiBudgetIntakeCeiling`).
    pub intake_per_second: u32,
    /// The longest receive moderation pause, in milliseconds (`dqiBudgetModeration`, 0..1000).
    pub moderation_ms: u32,
}

/// The tree entries of every budget object of `budget`: the scalars, then one row per
/// principal.
pub fn entries(budget: &Budget) -> Vec<(Box<[u32]>, Entry)> {
    let mut out: Vec<(Box<[u32]>, Entry)> = Scalar::ALL
        .iter()
        .map(|&s| {
            let entry = match s {
                // This driver never reads a datagram only to discard it (it stops reading, and
                // the kernel drops), and retransmissions are answered from the cache, never
                // dropped: both counters stay 0, served for the MIB's completeness.
                Scalar::RejectedIntake | Scalar::RejectedRetransmit => {
                    Entry::Value(Value::Counter32(0))
                }
                _ => Entry::Live(Live::Budget(BudgetObject::Scalar(s))),
            };
            (s.oid().into_boxed_slice(), entry)
        })
        .collect();
    for (row, principal) in budget.principals(Instant::ZERO).enumerate() {
        for column in Column::ALL {
            out.push((
                row_oid(column, principal.user).into_boxed_slice(),
                Entry::Live(Live::Budget(BudgetObject::Principal { row, column })),
            ));
        }
    }
    out
}

/// The instance OID of `column` for USM user `user`:
/// `dqiBudgetEntry.column.3.len.octets...`.
pub fn row_oid(column: Column, user: &[u8]) -> Vec<u32> {
    let (model, user) = match user.split_first() {
        Some((0, name)) => (SEC_MODEL_COMMUNITY, name),
        _ => (SEC_MODEL_USM, user),
    };
    let mut oid = DQI_AGENT.to_vec();
    oid.extend_from_slice(&[TABLE, ENTRY, column as u32, model]);
    // User names are at most 32 octets (SnmpAdminString (SIZE (1..32))), so this never
    // saturates.
    oid.push(u32::try_from(user.len()).unwrap_or(u32::MAX));
    oid.extend(user.iter().map(|&b| u32::from(b)));
    oid
}

/// The current value of `object`.
pub fn value(object: BudgetObject, view: &View<'_>) -> Value {
    match object {
        BudgetObject::Scalar(s) => scalar(s, view),
        BudgetObject::Principal { row, column } => principal(row, column, view),
    }
}

fn scalar(s: Scalar, view: &View<'_>) -> Value {
    let config = view.budget.config();
    let counters = view.budget.counters();
    match s {
        Scalar::GlobalRate => Value::Gauge32(config.global.count()),
        Scalar::GlobalPeriod => period(config.global),
        Scalar::SourceRate => Value::Gauge32(config.per_source.count()),
        Scalar::SourcePeriod => period(config.per_source),
        Scalar::UserRate => Value::Gauge32(config.per_user.count()),
        Scalar::UserPeriod => period(config.per_user),
        Scalar::Burst => Value::Gauge32(config.burst),
        Scalar::MaxRepetitions => Value::Gauge32(config.max_repetitions),
        Scalar::MaxResponseVarbinds => Value::Gauge32(config.max_response_varbinds),
        Scalar::OverAction => Value::Integer(match config.over_budget {
            OverBudget::Drop => 1,
            OverBudget::Report => 2,
        }),
        Scalar::IntakeCeiling => Value::Gauge32(view.receive.intake_per_second),
        Scalar::SourcePrefix6 => Value::Gauge32(u32::from(config.ipv6_prefix)),
        Scalar::SourceCapacity => Value::Gauge32(gauge(config.sources as u64)),
        Scalar::SourceEntries => Value::Gauge32(gauge(view.budget.sources_len() as u64)),
        Scalar::SourceEvictions => counter(counters.evictions),
        Scalar::Accepted => counter(counters.requests_admitted),
        Scalar::RejectedGlobal => counter(counters.rejected(Rejection::Global)),
        Scalar::RejectedSource => counter(counters.rejected(Rejection::PerSource)),
        Scalar::RejectedPrincipal => counter(counters.rejected(Rejection::PerUser)),
        Scalar::RejectedUnauth => counter(counters.rejected(Rejection::Unauthenticated)),
        Scalar::CacheAnswers => counter(counters.cache_hits),
        Scalar::BulkCapped => counter(counters.bulk_capped),
        Scalar::LastRejection => timestamp(view.last_rejection, view.started),
        Scalar::Moderation => Value::Gauge32(view.receive.moderation_ms),
        Scalar::Hold => Value::Gauge32(gauge(
            u64::try_from(config.hold.as_millis())
                .unwrap_or(u64::MAX)
                .min(1000),
        )),
        Scalar::Held => counter(counters.held),
        Scalar::Shed => counter(counters.shed),
        Scalar::BulkShaped => counter(counters.bulk_shaped),
        Scalar::RequestCost => Value::Gauge32(config.request_cost),
        Scalar::RejectedIntake | Scalar::RejectedRetransmit => Value::Counter32(0),
    }
}

fn principal(row: usize, column: Column, view: &View<'_>) -> Value {
    let Some(p) = view.budget.principals(view.now).nth(row) else {
        // Rows are fixed with the budget, so this happens only for a tree built from another
        // budget; a zero keeps the walk going.
        return Value::Gauge32(0);
    };
    match column {
        Column::Rate => Value::Gauge32(p.rate.count()),
        Column::Period => period(p.rate),
        Column::Burst => Value::Gauge32(p.burst),
        Column::Available => Value::Gauge32(p.available),
        Column::UsedMinute => Value::Gauge32(gauge(p.used_this_minute)),
        Column::UsedHour => Value::Gauge32(gauge(p.used_this_hour)),
        Column::Accepted => counter(p.accepted),
        Column::Rejected => counter(p.rejected),
        Column::LastRejection => timestamp(p.last_rejection, view.started),
    }
}

/// `DqiRatePeriod`: second(1), minute(2), hour(3).
fn period(rate: Rate) -> Value {
    Value::Integer(match rate.period() {
        Period::Second => 1,
        Period::Minute => 2,
        Period::Hour => 3,
    })
}

/// A `Counter32` shows the low 32 bits of the count: it wraps (RFC 2578 §7.1.6).
fn counter(n: u64) -> Value {
    Value::Counter32(n as u32)
}

/// A `Gauge32` latches at its maximum (RFC 2578 §7.1.7).
fn gauge(n: u64) -> u32 {
    u32::try_from(n).unwrap_or(u32::MAX)
}

/// `TimeStamp`: `sysUpTime` (hundredths of a second since `started`) at `at`, 0 for never.
fn timestamp(at: Option<Instant>, started: Instant) -> Value {
    let ticks = at.map_or(0, |at| at.saturating_since(started).as_millis() / 10);
    // TimeTicks wrap at 2^32 hundredths (RFC 2578 §7.1.8).
    Value::TimeTicks(ticks as u32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::budget::ValidBudget;

    #[test]
    fn oids_follow_the_mib() {
        assert_eq!(
            Scalar::GlobalRate.oid(),
            [1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 3, 0]
        );
        assert_eq!(Scalar::LastRejection.oid()[12], 27);
        // 3 to 27 and 33 to 38 without a gap; 28 is the table, 29 to 32 the notification
        // objects.
        let moderation = Scalar::ALL.len() - 6;
        for pair in Scalar::ALL[..moderation].windows(2) {
            assert_eq!(pair[0] as u32 + 1, pair[1] as u32);
        }
        for pair in Scalar::ALL[moderation..].windows(2) {
            assert_eq!(pair[0] as u32 + 1, pair[1] as u32);
        }
        assert_eq!(Scalar::ALL[moderation], Scalar::Moderation);
        assert_eq!(Scalar::Moderation.oid()[12], 33);
        assert_eq!(Scalar::RequestCost.oid()[12], 38);
        assert_eq!(
            row_oid(Column::Available, b"nms"),
            [
                1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 28, 1, 6, 3, 3, 110, 109, 115
            ]
        );
    }

    #[test]
    fn entries_cover_scalars_and_one_row_per_user() {
        let budget = Budget::new(ValidBudget::default(), [&b"b"[..], b"a"], 1, Instant::ZERO);
        let entries = entries(&budget);
        assert_eq!(entries.len(), Scalar::ALL.len() + 2 * Column::ALL.len());
        let view = View {
            budget: &budget,
            now: Instant::ZERO,
            started: Instant::ZERO,
            last_rejection: None,
            receive: Receive {
                intake_per_second: 2000,
                moderation_ms: 50,
            },
        };
        // Row 0 is "a": sorted by name.
        let (oid, entry) = &entries[Scalar::ALL.len()];
        assert_eq!(oid.last(), Some(&u32::from(b'a')));
        let Entry::Live(Live::Budget(object)) = entry else {
            panic!("not live: {entry:?}");
        };
        assert_eq!(value(*object, &view), Value::Gauge32(20_000));
        let global = BudgetObject::Scalar(Scalar::GlobalPeriod);
        assert_eq!(value(global, &view), Value::Integer(1));
        let last = BudgetObject::Scalar(Scalar::LastRejection);
        assert_eq!(value(last, &view), Value::TimeTicks(0));
        let moderation = BudgetObject::Scalar(Scalar::Moderation);
        assert_eq!(value(moderation, &view), Value::Gauge32(50));
        let hold = BudgetObject::Scalar(Scalar::Hold);
        assert_eq!(value(hold, &view), Value::Gauge32(200));
        let cost = BudgetObject::Scalar(Scalar::RequestCost);
        assert_eq!(value(cost, &view), Value::Gauge32(32));
    }
}
