//! The request budget: what the agent may spend, per source, per user and in total, whatever
//! arrives on the wire.
//!
//! A medical device's clinical function comes first, so the agent's CPU, memory and traffic are
//! bounded by policy. [`Budget`] owns the token buckets, the fixed-size table of sources, the
//! per-user buckets with the statistics the DQI-MIB serves (the response cache, which saves
//! work rather than limiting it, is [`crate::cache`]). Like the rest of the core it does no I/O
//! and reads no clock: every call takes `now`.
//!
//! | file | holds |
//! |---|---|
//! | `rate.rs` | [`Rate`] (`"50/second"`) and the fixed-point token [`Bucket`] |
//! | `config.rs` | [`BudgetConfig`] and its defaults, the cost estimate |
//! | `sources.rs` | [`SourceKey`] (IPv6 by prefix) and the bounded, segmented-LRU [`SourceTable`] |
//! | `principals.rs` | the per-user buckets and their `dqiBudgetTable` rows |
//! | `flood.rs` | the flood meter: which sources the driver's kernel filter should drop |
//! | `fair.rs` | the fair share of a user's budget between the sources polling as the user |
//! | `hash.rs` | SipHash-2-4 (the source table) and SipHash-1-3 (the response cache), keyed by the driver's seed |
//!
//! # The cost unit
//!
//! The three levels guard different work, so they count in the unit of that work:
//!
//! - **global** and **per source** count *datagrams*. They run before anything is known about
//!   the sender, and guard what every datagram costs before authentication: the parse and at
//!   most one HMAC.
//! - **per user** counts *cost units*: **`request_cost` (default 32) per request, plus 1 per
//!   varbind in the response** (at most `max_response_varbinds`). One unit is about the CPU
//!   one response varbind costs the agent; a request's fixed work (HMAC, decryption, encoding,
//!   encryption, the datagram's system calls) costs about as much as 32 varbinds (measured:
//!   see the README's cost model). A Get of one object costs 33; a GetBulk returning 10
//!   bindings costs 42. A datagram that turns out to be a known user's request (answered from
//!   the user's budget, or refused by it) is taken off its source's and the global count, so
//!   a user's traffic, however heavy, never spends another user's per-source or global budget.
//!
//! A GetBulk's cost is known only after it runs, so the user is charged the worst case first,
//! `request_cost + min(N + min(M, max_repetitions) × R, max_response_varbinds)` (RFC 3416
//! §4.2.3), and [`Budget::settle`] refunds what the response did not use. The charge never
//! exceeds a full bucket (see [`Bucket`]), so a burst below the largest request slows it down
//! rather than refusing it forever.
//!
//! # Shape, don't starve
//!
//! A verified request the user's bucket cannot pay now is not dropped if the units refill
//! within `hold` (default 200 ms): the bucket reserves them ([`Bucket::reserve`]), the
//! request runs at once, and [`Charge::at`] tells the agent when the answer may go; the driver
//! keeps it until then (a bounded number per socket, oldest shed first, counted). Later
//! requests of the same user queue behind it. A GetBulk whose full answer would wait longer
//! is run with the most repetitions, at least one, that refill in time. So a manager sending
//! one request at a time is slowed to the user's rate, never timed out, while it stays under
//! that rate; a flood over it is refused before its HMAC once the queue is `hold` long.
//!
//! # The defaults and a full inventory walk
//!
//! A 1,115-component inventory is about 25,000 varbinds; `snmpbulkwalk` at its default
//! max-repetitions of 10 reads it in 2,500 requests of 42 units, 105,000 units in all. At
//! `per_user = "20000/second"` after the burst of 4,000 that is about **5 s**, every request
//! answered within a few milliseconds of its arrival. The walk's datagrams are the user's, so
//! `per_source` and `global` do not slow it.

//! # Call sites, in cost order
//!
//! The agent asks the budget at each step, cheapest first, and drops (counted, see
//! [`BudgetCounters`]) at the first refusal:
//!
//! 1. [`Budget::admit_source`]: for every datagram, before parsing. Per-source bucket, then
//!    global, one datagram each. A source over its own limit does not drain the global bucket.
//! 2. the response cache by datagram ([`crate::cache::Replies::reply`]): the datagram's bytes
//!    seen from this source within the cache window? Send the cached reply; nothing is parsed,
//!    verified or computed ([`Budget::count_cache_hit`] counts it).
//! 3. [`Budget::admit_unauthenticated`]: before every unauthenticated outcome's Report or drop
//!    (unknown engine ID, i.e. discovery; unknown user; unsupported level; wrong digest; not
//!    in the time window). A refusal means: no Report, only the counter.
//! 4. [`Budget::check_unauthenticated`] and [`Budget::check_principal`]: once the user name is
//!    read and known, *before* the HMAC. They only look: a source that recently spent its
//!    unauthenticated budget gets no more HMACs, and a user with an empty bucket costs none.
//!    Neither charges anything, so forged datagrams carrying a valid user name cannot drain
//!    that user's bucket; the user's bucket only pays for requests that verified. The
//!    trade-off: while the real user is over budget, forged and real datagrams are dropped
//!    alike (cheaply), which is the intent. Pass `request_cost` as the cost for an encrypted
//!    PDU, [`BudgetConfig::least`] when the PDU is in plaintext.
//! 5. [`Budget::admit_principal`]: after the digest verified and the PDU was decrypted and
//!    parsed, charge the worst-case estimate; the source is promoted in the source table (it
//!    proved it holds a key). Run the PDU with [`BudgetConfig::repetitions`] as its GetBulk cap
//!    and `max_response_varbinds` as its varbind cap, so the work done is the work charged.
//! 6. the response cache by request ([`crate::cache::Replies::response`]): same user, level
//!    and plaintext scopedPDU from this source recently? Send the cached response scopedPDU
//!    for the new msgID instead of walking the MIB, and settle with 0 varbinds: a retry costs
//!    its user one unit.
//! 7. [`Budget::settle`]: refund the unused estimate once the response is built; then the
//!    cache keeps it for retries and retransmissions. Only
//!    Responses to verified requests are remembered, never Reports, so forged traffic cannot
//!    churn the cache.
//!
//! A request over budget beyond the hold is dropped, or answered per [`OverBudget`]; a Report sent for it is
//! an unauthenticated outcome like any other, and passes step 3 first.
//!
//! Two limits are the driver's, not the core's, and configured there
//! (`crate::server::ReceiveConfig` with the default `server` feature): the intake ceiling
//! (`[budget] intake`): it reads at most that many datagrams per
//! second and leaves the rest to the kernel, which then drops well-behaved pollers' datagrams
//! too. It is the last line that bounds CPU under a flood from spoofed sources, which the
//! per-source buckets cannot stop (each spoofed address starts with a full bucket).
//!
//! Receive moderation (`[budget] moderation_ms`): once a batch of datagrams held a
//! refused one, it lets the next batch queue in the kernel for up to that long before reading
//! on, so a flood costs one wake-up per interval rather than one per datagram. The refusals
//! above make a flood datagram cheap to judge; moderation makes it cheap to receive.
//!
//! # Visibility
//!
//! [`Budget::config`] (the configured budget), [`Budget::counters`] (admitted, rejected by
//! [`Rejection`], capped, cache hits, evictions) and [`Budget::principals`] (the
//! `dqiBudgetTable` rows) are read-only views for the DQI-MIB. [`Budget::drain_rejections`]
//! gives the driver one line per refused source per log interval, never one per datagram.
//!
//! # Memory
//!
//! Fixed at construction, whatever arrives: the source table holds at most `sources` entries
//! (segmented LRU, see [`SourceTable`]), the users are those configured, the cache is bounded in
//! entries and bytes. Nothing queues.

mod config;
mod fair;
mod flood;
pub(crate) mod hash;
mod principals;
mod rate;
mod sources;
#[cfg(test)]
mod tests;

use core::net::IpAddr;
use core::time::Duration;

pub use config::{
    BudgetConfig, BudgetConfigError, Limit, MAX_BURST, MAX_CAP, MAX_HOLD, OverBudget,
    USER_BUDGET_BURST, UserBudget, ValidBudget, Work, limits,
};
pub use fair::FAIR_SOURCES;
pub use flood::{FULL_SCALE, MAX_SCALE, MIN_SEEN};
pub use principals::PrincipalRow;
pub use rate::{Bucket, Period, Rate, RateError};
pub use sources::{MAX_SOURCES, SourceKey, SourceTable};

use flood::{Meter, Watch};
use principals::Principals;

use crate::time::Instant;

/// Why the budget refused a datagram: one DQI-MIB rejection counter each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Rejection {
    /// All sources together are over `global`.
    Global,
    /// This source is over `per_source`.
    PerSource,
    /// The user is over its budget (or has none: a name the budget was not built with).
    PerUser,
    /// This source is over its budget of unauthenticated outcomes.
    Unauthenticated,
}

impl Rejection {
    /// Every reason, in counter order.
    pub const ALL: [Rejection; 4] = [
        Rejection::Global,
        Rejection::PerSource,
        Rejection::PerUser,
        Rejection::Unauthenticated,
    ];

    /// The name used in logs and the MIB.
    pub const fn name(self) -> &'static str {
        match self {
            Rejection::Global => "global",
            Rejection::PerSource => "per_source",
            Rejection::PerUser => "per_user",
            Rejection::Unauthenticated => "unauthenticated",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

/// What the budget admitted and refused, for the DQI-MIB agent objects. Counters only grow.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BudgetCounters {
    /// Datagrams that passed the per-source and global buckets.
    pub datagrams_admitted: u64,
    /// Verified requests charged to their user.
    pub requests_admitted: u64,
    /// Unauthenticated outcomes allowed their Report.
    pub unauthenticated_admitted: u64,
    /// GetBulk requests whose max-repetitions was lowered to the cap.
    pub bulk_capped: u64,
    /// GetBulk requests answered with fewer repetitions than asked (at least one), because
    /// the user's units would not refill for more within the hold limit.
    pub bulk_shaped: u64,
    /// Verified requests whose answer was held until the user's units refilled.
    pub held: u64,
    /// Held answers the driver shed (its slots were full) instead of sending.
    pub shed: u64,
    /// Replies sent again from the response cache, by datagram or by request.
    pub cache_hits: u64,
    /// Sources evicted from the table to make room for new ones.
    pub evictions: u64,
    /// Evictions that forgot a bucket not yet refilled (the table was under pressure).
    pub lossy_evictions: u64,
    rejected: [u64; 4],
}

impl BudgetCounters {
    /// Datagrams refused for `reason`.
    pub fn rejected(&self, reason: Rejection) -> u64 {
        self.rejected[reason.index()]
    }

    /// Datagrams refused for any reason.
    pub fn rejected_total(&self) -> u64 {
        self.rejected
            .iter()
            .fold(0, |sum, n| sum.saturating_add(*n))
    }
}

/// A charge made by [`Budget::admit_principal`], to settle once the response is known.
#[derive(Debug, PartialEq, Eq)]
pub struct Charge {
    principal: usize,
    source: SourceKey,
    charged: u32,
    repetitions: u32,
    at: Instant,
}

impl Charge {
    /// Cost units charged.
    pub fn charged(&self) -> u32 {
        self.charged
    }

    /// The GetBulk repetitions paid for: run the request with at most these (0 for others).
    pub fn repetitions(&self) -> u32 {
        self.repetitions
    }

    /// When the answer may be sent: `now` for at once, later when it is held until the
    /// user's units refill (never beyond the hold limit).
    pub fn at(&self) -> Instant {
        self.at
    }
}

/// How long after its last answered request a source stays known (see
/// [`Budget::known_sources`]): ten minutes, longer than any poller's interval.
pub const KNOWN_FOR: Duration = Duration::from_secs(600);
/// How long a source must have been answered before it is known: one second, so the first
/// requests of a flood of valid requests, answered before its user's budget runs out, do not
/// make its sources known.
pub const PROVEN_AFTER: Duration = Duration::from_secs(1);
/// How long a refusal keeps a source from being known: two seconds.
pub const CLEAN_FOR: Duration = Duration::from_secs(2);

/// The request budget. See the [module docs](self) for the call sites.
#[derive(Debug)]
pub struct Budget {
    config: ValidBudget,
    global: Bucket,
    sources: SourceTable<SourceState>,
    /// Fixed at construction: never evicted, never grown.
    principals: Principals,
    counters: BudgetCounters,
    /// Rejections counted against sources evicted before [`Budget::drain_rejections`] ran.
    rejections_of_evicted: u64,
    /// The flood meter's current window (see [`Budget::start_flood_window`]).
    watch: Watch,
    /// The principal of the latest per-user refusal, for `dqiBudgetExhausted`.
    last_refused: Option<usize>,
}

/// What the budget knows about one source.
#[derive(Debug)]
struct SourceState {
    datagrams: Bucket,
    unauthenticated: Bucket,
    /// Rejections since the last [`Budget::drain_rejections`], for a log line per source.
    rejected: u32,
    /// Datagrams no user answers for in the current window, for the driver's kernel filter.
    flood: Meter,
    /// When a user's request from it was last answered, and when the budget last refused one
    /// of its datagrams: what makes it a *known* source (see [`Budget::known_sources`]).
    answered: Option<Instant>,
    refused: Option<Instant>,
    /// When its answered requests began (the first answered after none for [`KNOWN_FOR`]):
    /// a source is known only from [`PROVEN_AFTER`] later.
    first_answered: Option<Instant>,
    /// When the driver last blocked it in the kernel: a flood's source, never known again
    /// within [`KNOWN_FOR`].
    blocked: Option<Instant>,
    /// Datagrams of this known source admitted while the global bucket was empty, so not
    /// charged to it: [`Budget::attribute`] gives these back to no one.
    unpaid_global: u32,
}

impl SourceState {
    /// The budget refused one of this source's datagrams for the source's own doing (its own
    /// bucket, its unauthenticated outcomes, its user's budget).
    fn note_rejection(&mut self, now: Instant) {
        self.refused = Some(now);
        self.note_refused_by_all();
    }

    /// The budget refused one of this source's datagrams because all sources together are
    /// over the global limit: counted, but not held against the source being known.
    fn note_refused_by_all(&mut self) {
        self.rejected = self.rejected.saturating_add(1);
        self.flood.note_refused();
    }

    /// Whether the source is known at `now`: see [`Budget::known_sources`].
    fn is_known(&self, now: Instant) -> bool {
        let recent = self
            .answered
            .is_some_and(|answered| now.saturating_since(answered) <= KNOWN_FOR);
        let proven = self
            .first_answered
            .is_some_and(|first| now.saturating_since(first) >= PROVEN_AFTER);
        let clean = self
            .refused
            .is_none_or(|refused| now.saturating_since(refused) > CLEAN_FOR);
        let never_blocked = self
            .blocked
            .is_none_or(|blocked| now.saturating_since(blocked) > KNOWN_FOR);
        recent && proven && clean && never_blocked
    }

    fn is_full(&self, now: Instant) -> bool {
        self.datagrams.is_full(now) && self.unauthenticated.is_full(now)
    }
}

impl Budget {
    /// A budget for `users` (the configured USM user names) as of `now`, every bucket full.
    ///
    /// `seed` keys the hashes of the source table; take it from the
    /// driver's random source, so senders cannot predict collisions. The settings were
    /// checked once, when the [`ValidBudget`] was made, and are used as they are.
    pub fn new<U: AsRef<[u8]>>(
        config: ValidBudget,
        users: impl IntoIterator<Item = U>,
        seed: u64,
        now: Instant,
    ) -> Budget {
        let principals = Principals::new(&config, users, now);
        let [k0, k1] = hash::derive_keys::<2>(seed);
        Budget {
            global: Bucket::new(config.global, config.global_burst, now),
            sources: SourceTable::new(config.sources, [k0, k1]),
            principals,
            counters: BudgetCounters::default(),
            rejections_of_evicted: 0,
            watch: Watch::default(),
            last_refused: None,
            config,
        }
    }

    /// The settings in force.
    pub fn config(&self) -> &BudgetConfig {
        &self.config
    }

    /// What was admitted and refused so far.
    pub fn counters(&self) -> &BudgetCounters {
        &self.counters
    }

    /// Sources tracked now (never more than `config().sources`).
    pub fn sources_len(&self) -> usize {
        self.sources.len()
    }

    /// Step 1, every datagram before parsing: one datagram from the per-source bucket, then
    /// one from the global bucket.
    pub fn admit_source(&mut self, source: IpAddr, now: Instant) -> Result<(), Rejection> {
        let key = self.key(source);
        let mut watch = self.watch;
        let state = self.source(key, now);
        // The earlier datagrams' fate is settled by now: judge them, then count this one.
        state.flood.check(&mut watch);
        state.flood.charge(&watch);
        let admitted = state.datagrams.try_take(now, 1);
        if !admitted {
            state.note_rejection(now);
        }
        self.watch.pending |= watch.pending;
        if !admitted {
            return Err(self.reject(Rejection::PerSource));
        }
        if !self.global.try_take(now, 1) {
            // A known source is bounded by its own bucket: a flood from many other sources
            // that drains the global bucket must not refuse the managers the agent serves.
            if let Some(state) = self.sources.peek_mut(key) {
                if state.is_known(now) {
                    state.unpaid_global = state.unpaid_global.saturating_add(1);
                    self.counters.datagrams_admitted =
                        self.counters.datagrams_admitted.saturating_add(1);
                    return Ok(());
                }
                // The source's datagram bought nothing; give it back so only the global
                // limit bit.
                state.datagrams.refund(1);
                state.note_refused_by_all();
            }
            return Err(self.reject(Rejection::Global));
        }
        self.counters.datagrams_admitted = self.counters.datagrams_admitted.saturating_add(1);
        Ok(())
    }

    /// Step 3, before each unauthenticated outcome's Report: charges the source's
    /// unauthenticated bucket. On `Err`, count the outcome's own counter and send nothing.
    pub fn admit_unauthenticated(&mut self, source: IpAddr, now: Instant) -> Result<(), Rejection> {
        let key = self.key(source);
        let state = self.source(key, now);
        if state.unauthenticated.try_take(now, 1) {
            self.counters.unauthenticated_admitted =
                self.counters.unauthenticated_admitted.saturating_add(1);
            Ok(())
        } else {
            state.note_rejection(now);
            Err(self.reject(Rejection::Unauthenticated))
        }
    }

    /// Step 4, before an HMAC: refuses a source that has no unauthenticated outcome left, so a
    /// stream of wrong digests stops buying HMACs. Charges nothing.
    pub fn check_unauthenticated(&mut self, source: IpAddr, now: Instant) -> Result<(), Rejection> {
        let key = self.key(source);
        match self.sources.peek_mut(key) {
            Some(state) if !state.unauthenticated.can_take(now, 1) => {
                state.note_rejection(now);
                Err(self.reject(Rejection::Unauthenticated))
            }
            _ => Ok(()),
        }
    }

    /// Step 4, before an HMAC: refuses if `user` cannot pay `cost` (the least the request
    /// can cost: see [`BudgetConfig::least`]) within the hold limit. Charges nothing, so a
    /// forged datagram carrying the name cannot drain the user's bucket. A refusal is the
    /// user's, so the datagram is taken off its source's and the global count.
    pub fn check_principal(
        &mut self,
        source: IpAddr,
        user: &[u8],
        cost: u32,
        now: Instant,
    ) -> Result<(), Rejection> {
        let hold = self.config.hold_micros();
        let key = self.key(source);
        let found = self.principals.find(user);
        let affordable = found
            .and_then(|at| self.principals.get_mut(at))
            .map(|principal| {
                principal.bucket.wait_micros(now, cost) <= principal.limit(key, hold, now)
            });
        match affordable {
            Some(true) => Ok(()),
            Some(false) => {
                self.attribute(source, true);
                Err(self.reject_principal(source, found, now))
            }
            None => Err(self.reject_principal(source, found, now)),
        }
    }

    /// Step 5, after the digest verified and the PDU was read: charges `user` for `work` and
    /// marks the source as proven. Settle the returned charge with the response.
    ///
    /// Shapes rather than starves: a request the bucket cannot pay now is still admitted if
    /// the units refill within the hold limit ([`Charge::at`] says when to answer), and a
    /// GetBulk whose full max-repetitions would wait longer is run with the most repetitions
    /// (at least one) that refill in time ([`Charge::repetitions`]). Waiting briefly for a full
    /// answer is preferred to a smaller answer now, because every request costs
    /// `request_cost` on top of its varbinds: a walk paid in small answers pays that more
    /// often. Refused only when not even that fits.
    pub fn admit_principal(
        &mut self,
        source: IpAddr,
        user: &[u8],
        work: Work,
        now: Instant,
    ) -> Result<Charge, Rejection> {
        let found = self.principals.find(user);
        let key = self.key(source);
        let config = &self.config;
        let most = config.most_repetitions(work);
        let planned = found
            .and_then(|at| self.principals.get_mut(at))
            .and_then(|principal| {
                let limit = principal.limit(key, config.hold_micros(), now);
                let Some(repetitions) = principal.affordable(config, work, most, limit, now) else {
                    principal.note_active(key, now);
                    return None;
                };
                let (charged, at) = principal.charge(key, now, config.cost(work, repetitions));
                Some((repetitions, charged, at))
            });
        let (Some(principal), Some((repetitions, charged, at))) = (found, planned) else {
            if found.is_some() {
                self.attribute(source, true);
            }
            return Err(self.reject_principal(source, found, now));
        };
        let counters = &mut self.counters;
        if let Work::GetBulk {
            max_repetitions, ..
        } = work
        {
            if max_repetitions > i64::from(self.config.max_repetitions) {
                counters.bulk_capped = counters.bulk_capped.saturating_add(1);
            }
            if repetitions < most {
                counters.bulk_shaped = counters.bulk_shaped.saturating_add(1);
            }
        }
        if at > now {
            counters.held = counters.held.saturating_add(1);
        }
        counters.requests_admitted = counters.requests_admitted.saturating_add(1);
        self.attribute(source, false);
        self.sources.promote(key);
        if let Some(state) = self.sources.peek_mut(key) {
            let lapsed = state
                .answered
                .is_none_or(|answered| now.saturating_since(answered) > KNOWN_FOR);
            if lapsed {
                state.first_answered = Some(now);
            }
            state.answered = Some(now);
        }
        Ok(Charge {
            principal,
            source: key,
            charged,
            repetitions,
            at,
        })
    }

    /// Counts `n` held answers the driver shed instead of sending.
    pub fn note_shed(&mut self, n: u64) {
        self.counters.shed = self.counters.shed.saturating_add(n);
    }

    /// Step 7: the response carried `response_varbinds` bindings; refunds the rest of the
    /// estimate. A response larger than its estimate (impossible when the PDU layer used the
    /// caps) is not charged more.
    pub fn settle(&mut self, charge: Charge, response_varbinds: usize, now: Instant) {
        let actual = self.config.actual(response_varbinds);
        let refund = charge.charged.saturating_sub(actual);
        if let Some(principal) = self.principals.get_mut(charge.principal) {
            principal.refund(charge.source, now, refund);
        }
    }

    /// Counts a reply sent again from the response cache ([`crate::cache`]): the budget's
    /// statistics show what the cache saved.
    pub fn count_cache_hit(&mut self) {
        self.counters.cache_hits = self.counters.cache_hits.saturating_add(1);
    }

    /// The name of the principal (a USM user, or `community[N]`) whose bucket refused a request
    /// last: what `dqiBudgetExhausted` names for a per-user streak. Always a configured name,
    /// never one read from the wire.
    pub fn last_refused_principal(&self) -> Option<&[u8]> {
        self.principals.name(self.last_refused?)
    }

    /// Whether `name` is a principal with a bucket.
    pub fn has_principal(&self, name: &[u8]) -> bool {
        self.principals.find(name).is_some()
    }

    /// The `dqiBudgetTable` rows as of `now`, sorted by user name.
    pub fn principals(&self, now: Instant) -> impl Iterator<Item = PrincipalRow<'_>> {
        self.principals.rows(now)
    }

    /// For the driver's periodic log summary: calls `each` once per source refused since the
    /// last call, with how many times, and resets the counts. Returns the rejections of
    /// sources evicted since the last call, which have no key left to report. Call it once per
    /// log interval, so logs grow by at most one line per tracked source per interval.
    pub fn drain_rejections(&mut self, mut each: impl FnMut(SourceKey, u32)) -> u64 {
        for (key, state) in self.sources.iter_mut() {
            if state.rejected > 0 {
                each(key, state.rejected);
                state.rejected = 0;
            }
        }
        core::mem::take(&mut self.rejections_of_evicted)
    }

    /// Takes a datagram that turned out to be a known user's request (paid from, or refused
    /// by, that user's budget: `refused`) off its source's and the global count: those count
    /// datagrams no user answers for. So one user's flood, however valid, cannot spend the
    /// per-source or global budget of another user polling from the same address or from
    /// elsewhere. The flood meter counts a refused one a twentieth, in full while sampled (see `flood.rs`).
    fn attribute(&mut self, source: IpAddr, refused: bool) {
        let key = self.key(source);
        let watch = self.watch;
        let mut paid_global = true;
        if let Some(state) = self.sources.peek_mut(key) {
            state.datagrams.refund(1);
            state.flood.attribute(&watch, refused);
            if state.unpaid_global > 0 {
                state.unpaid_global -= 1;
                paid_global = false;
            }
        }
        if paid_global {
            self.global.refund(1);
        }
    }

    /// For the driver's kernel filter: whether a source was found flooding since the last
    /// [`Budget::take_flooders`]. Cheap: the driver asks after every datagram.
    pub fn flooders_pending(&self) -> bool {
        self.watch.pending
    }

    /// For the driver's kernel filter: calls `each` for every source found flooding since the
    /// last call: one whose datagrams no user answers for reached the window's threshold (see
    /// [`Budget::start_flood_window`] and `flood.rs`). Its datagrams are better dropped before
    /// they reach the agent at all.
    pub fn take_flooders(&mut self, mut each: impl FnMut(SourceKey)) {
        for (key, state) in self.sources.iter_mut() {
            if state.flood.take_flag() {
                each(key);
            }
        }
        self.watch.pending = false;
    }

    /// For the driver's kernel filter: starts a new window of the flood meter, in which a
    /// source that sent `at_least` datagrams no user answers for is flagged (a request refused
    /// by its user's budget counts a twentieth, in full when `scale` is at least [`FULL_SCALE`];
    /// zero flags none), each datagram the agent read
    /// standing for `scale` sent (the inverse of the share of arriving datagrams the driver
    /// read, 1 to [`MAX_SCALE`]). Call [`Budget::take_flooders`] first: the counts start
    /// again.
    pub fn start_flood_window(&mut self, at_least: u32, scale: u32) {
        self.watch.start(at_least, scale);
        for (_, state) in self.sources.iter_mut() {
            state.flood.reset();
        }
    }

    /// For the driver's kernel filter: calls `each` with every *known* source and when a
    /// request from it was last answered. A source is known while a user's request from it was
    /// answered within [`KNOWN_FOR`] and its answers began at least [`PROVEN_AFTER`] ago, it
    /// was not blocked in the kernel within [`KNOWN_FOR`]
    /// ([`Budget::note_blocked`]), and the budget refused none of its datagrams within
    /// [`CLEAN_FOR`] for its own doing (a refusal by the global bucket, which all sources
    /// share, does not count): a manager polling within its budget, never a flood's source (its
    /// datagrams are refused) nor a forged one (it was never answered). Under a flood the
    /// filter accepts every datagram of the known sources and samples the others, and the
    /// global bucket never refuses a known source (its own bucket bounds it), so the managers
    /// the agent serves keep their answers whatever the flood's addresses.
    pub fn known_sources(&mut self, now: Instant, mut each: impl FnMut(SourceKey, Instant)) {
        for (key, state) in self.sources.iter_mut() {
            if let Some(answered) = state.answered.filter(|_| state.is_known(now)) {
                each(key, answered);
            }
        }
    }

    /// For the driver's kernel filter: `key` was found flooding and is now dropped in the
    /// kernel. It is not known (see [`Budget::known_sources`]) for [`KNOWN_FOR`], however
    /// clean it looks while its datagrams no longer arrive.
    pub fn note_blocked(&mut self, key: SourceKey, now: Instant) {
        if let Some(state) = self.sources.peek_mut(key) {
            state.blocked = Some(now);
        }
    }

    fn key(&self, source: IpAddr) -> SourceKey {
        SourceKey::new(source, self.config.ipv6_prefix)
    }

    /// The state of `key`, created full (and another source evicted) if absent.
    fn source(&mut self, key: SourceKey, now: Instant) -> &mut SourceState {
        let config = &self.config;
        let (state, evicted) = self.sources.entry(key, || SourceState {
            datagrams: Bucket::new(config.per_source, config.burst, now),
            unauthenticated: Bucket::new(config.unauthenticated, config.unauthenticated_burst, now),
            rejected: 0,
            flood: Meter::default(),
            answered: None,
            refused: None,
            first_answered: None,
            blocked: None,
            unpaid_global: 0,
        });
        if let Some(evicted) = evicted {
            let counters = &mut self.counters;
            counters.evictions = counters.evictions.saturating_add(1);
            if !evicted.value.is_full(now) {
                counters.lossy_evictions = counters.lossy_evictions.saturating_add(1);
            }
            self.rejections_of_evicted = self
                .rejections_of_evicted
                .saturating_add(u64::from(evicted.value.rejected));
        }
        state
    }

    fn reject_principal(&mut self, source: IpAddr, at: Option<usize>, now: Instant) -> Rejection {
        if let Some(principal) = at.and_then(|at| self.principals.get_mut(at)) {
            principal.note_rejection(now);
            self.last_refused = at;
        }
        let key = self.key(source);
        if let Some(state) = self.sources.peek_mut(key) {
            state.note_rejection(now);
        }
        self.reject(Rejection::PerUser)
    }

    /// Counts a refusal and returns its reason.
    fn reject(&mut self, reason: Rejection) -> Rejection {
        let count = &mut self.counters.rejected[reason.index()];
        *count = count.saturating_add(1);
        reason
    }
}
