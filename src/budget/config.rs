//! The budget's settings: plain values with documented defaults, validated once.
//!
//! The TOML `[budget]` table maps one key to one field; [`BudgetConfig::default`] is what an
//! absent key means. The arithmetic behind the defaults is in the [module docs](super).

use alloc::vec::Vec;
use core::time::Duration;

use super::rate::{Period, Rate};
use super::sources::MAX_SOURCES;
use crate::pdu;

/// What the agent does with a request over budget.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OverBudget {
    /// Count it and send nothing (the default). The manager times out and retries later, which
    /// is the back-pressure a walk needs, and a flood earns no traffic at all.
    #[default]
    Drop,
    /// Count it and, if the request is reportable, answer with an unauthenticated Report whose
    /// varbind is the DQI-MIB rejection counter for the reason. The manager learns why at once
    /// (net-snmp prints an error and stops instead of retrying). Each such Report is charged to
    /// the source's unauthenticated bucket, so a flood still cannot buy Report traffic.
    Report,
}

/// A budget of its own for one user, replacing `per_user` and `user_burst` for that user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserBudget {
    /// The `usmUserName`.
    pub user: Vec<u8>,
    /// The user's refill rate, in cost units.
    pub rate: Rate,
    /// The user's bucket capacity, in cost units.
    pub burst: u32,
}

/// The request budget's settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BudgetConfig {
    /// Datagrams per period admitted from all sources together. Default `200/second`.
    pub global: Rate,
    /// Datagrams per period admitted from one source (IPv4 address or IPv6 prefix).
    /// Default `50/second`.
    pub per_source: Rate,
    /// Cost units per period for one USM user. Default `20000/second`: see the cost model in
    /// the [module docs](super).
    pub per_user: Rate,
    /// Capacity of the per-source bucket, in datagrams. Default 100.
    pub burst: u32,
    /// Capacity of the per-user bucket, in cost units. Default 4000 (a fifth of a second at
    /// the default `per_user`).
    pub user_burst: u32,
    /// The cost units a request costs before its response varbinds (a varbind costs 1).
    /// Default 32: on the development machine a served request costs the agent about as much
    /// CPU as 32 response varbinds.
    pub request_cost: u32,
    /// The longest a verified request over its user's budget is held for the units to refill
    /// before it is answered; beyond it the request is shed (see [`OverBudget`]). Zero holds
    /// nothing. At most [`MAX_HOLD`]. Default 200 ms, well under the 1 s timeout of common
    /// managers. Shared between a user's sources: a lone source may wait half of it, one
    /// using more than its share beside others none (see the budget's `fair.rs`).
    pub hold: Duration,
    /// Capacity of the global bucket, in datagrams. Default 400: four per-source bursts, so
    /// one source spending its burst at once cannot empty the global bucket for the others.
    pub global_burst: u32,
    /// Users with a budget of their own. Default none.
    pub users: Vec<UserBudget>,
    /// IPv6 sources sharing this many leading bits share a per-source bucket. Default 64.
    pub ipv6_prefix: u8,
    /// GetBulk max-repetitions is lowered to this before any work. Default 25.
    pub max_repetitions: u32,
    /// No response carries more varbinds than this. Default 100.
    pub max_response_varbinds: u32,
    /// What happens to a request over budget. Default [`OverBudget::Drop`].
    pub over_budget: OverBudget,
    /// Sources tracked at once; more evict the least recently seen. Default 1024.
    pub sources: usize,
    /// Unauthenticated outcomes (discovery, unknown engine or user, wrong digest, outside the
    /// time window) per period from one source. Default `10/second`.
    pub unauthenticated: Rate,
    /// Capacity of the per-source unauthenticated bucket. Default 20.
    pub unauthenticated_burst: u32,
    /// Replies kept for retransmissions. Default 32.
    pub cache_entries: usize,
    /// Octets of requests and replies kept for retransmissions. Default 256 KiB.
    pub cache_bytes: usize,
    /// How long a reply is kept for retransmissions. Default 5 s.
    pub cache_window: Duration,
}

/// A setting the budget cannot work with.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BudgetConfigError {
    /// A burst of zero would refuse everything.
    #[error("budget: a burst must be at least 1")]
    ZeroBurst,
    /// `ipv6_prefix` above 128.
    #[error("budget: ipv6_prefix must be 0 to 128")]
    Ipv6Prefix,
    /// `max_repetitions` or `max_response_varbinds` of zero would answer nothing.
    #[error("budget: max_repetitions and max_response_varbinds must be at least 1")]
    ZeroCap,
    /// `sources` outside 1 to 2^20.
    #[error("budget: sources must be 1 to 1048576")]
    Sources,
    /// The same user listed twice in `users`.
    #[error("budget: user listed twice")]
    DuplicateUser,
    /// `hold` above [`MAX_HOLD`]: the manager would have timed out.
    #[error("budget: hold must be at most 1 second")]
    Hold,
}

/// The longest hold: SNMP managers time out after about a second.
pub const MAX_HOLD: Duration = Duration::from_secs(1);

impl Default for BudgetConfig {
    fn default() -> BudgetConfig {
        BudgetConfig {
            global: rate(200, Period::Second),
            per_source: rate(50, Period::Second),
            per_user: rate(20_000, Period::Second),
            burst: 100,
            user_burst: 4000,
            request_cost: 32,
            hold: Duration::from_millis(200),
            global_burst: 400,
            users: Vec::new(),
            ipv6_prefix: 64,
            max_repetitions: 25,
            max_response_varbinds: 100,
            over_budget: OverBudget::Drop,
            sources: 1024,
            unauthenticated: rate(10, Period::Second),
            unauthenticated_burst: 20,
            cache_entries: 32,
            cache_bytes: 256 * 1024,
            cache_window: Duration::from_secs(5),
        }
    }
}

impl BudgetConfig {
    /// A budget that never refuses: every rate and burst far beyond what a host can send, no
    /// GetBulk or response cap beyond the message size. For tests and benchmarks of the rest of
    /// the agent, and for embedders that limit elsewhere; the response cache is as by default.
    pub fn unlimited() -> BudgetConfig {
        const HUGE: u32 = 1_000_000_000;
        let huge = rate(HUGE, Period::Second);
        BudgetConfig {
            global: huge,
            per_source: huge,
            per_user: huge,
            burst: HUGE,
            user_burst: HUGE,
            global_burst: HUGE,
            max_repetitions: u32::MAX,
            max_response_varbinds: u32::MAX,
            unauthenticated: huge,
            unauthenticated_burst: HUGE,
            ..BudgetConfig::default()
        }
    }

    /// Checks the settings; [`Budget::new`](super::Budget::new) clamps what this refuses, so
    /// the core never fails, but an operator should hear about a mistake at start-up.
    pub fn validate(&self) -> Result<(), BudgetConfigError> {
        let bursts = [
            self.burst,
            self.user_burst,
            self.global_burst,
            self.unauthenticated_burst,
        ];
        if bursts.contains(&0) || self.users.iter().any(|u| u.burst == 0) {
            return Err(BudgetConfigError::ZeroBurst);
        }
        if self.ipv6_prefix > 128 {
            return Err(BudgetConfigError::Ipv6Prefix);
        }
        if self.max_repetitions == 0 || self.max_response_varbinds == 0 {
            return Err(BudgetConfigError::ZeroCap);
        }
        if !(1..=MAX_SOURCES).contains(&self.sources) {
            return Err(BudgetConfigError::Sources);
        }
        if self.hold > MAX_HOLD {
            return Err(BudgetConfigError::Hold);
        }
        for (i, user) in self.users.iter().enumerate() {
            if self.users[..i]
                .iter()
                .any(|earlier| earlier.user == user.user)
            {
                return Err(BudgetConfigError::DuplicateUser);
            }
        }
        Ok(())
    }

    /// GetBulk max-repetitions as the agent should run it: a negative value from the wire is 0
    /// (RFC 3416 §4.2.3), anything above `max_repetitions` is lowered to it. Pass the result to
    /// the PDU layer, so the work done is the work charged.
    pub fn repetitions(&self, max_repetitions: i64) -> u32 {
        let wanted = u32::try_from(max_repetitions.max(0)).unwrap_or(u32::MAX);
        wanted.min(self.max_repetitions)
    }

    /// The most a request can cost, in cost units, before it runs: see [`Work`].
    pub fn estimate(&self, work: Work) -> u32 {
        self.cost(work, self.most_repetitions(work))
    }

    /// The least `work` can cost: a GetBulk with one repetition (or none, if it asks for none).
    /// What the user must afford, within the hold limit, before its HMAC is worth computing.
    pub fn least(&self, work: Work) -> u32 {
        self.cost(work, self.most_repetitions(work).min(1))
    }

    /// The repetitions a GetBulk runs with at most: its max-repetitions, capped (0 for others).
    pub fn most_repetitions(&self, work: Work) -> u32 {
        match work {
            Work::Get { .. } => 0,
            Work::GetBulk {
                max_repetitions, ..
            } => self.repetitions(max_repetitions),
        }
    }

    /// The most `work` can cost when a GetBulk runs with `repetitions` (ignored for the others).
    pub fn cost(&self, work: Work, repetitions: u32) -> u32 {
        let varbinds = match work {
            Work::Get { varbinds } => u32::try_from(varbinds).unwrap_or(u32::MAX),
            Work::GetBulk {
                non_repeaters,
                varbinds,
                ..
            } => {
                // N + M × R, counted as the work counts it.
                let repetitions = usize::try_from(repetitions).unwrap_or(usize::MAX);
                let (_, most) = pdu::bulk_bindings(non_repeaters, repetitions, varbinds);
                u32::try_from(most).unwrap_or(u32::MAX)
            }
        };
        self.request_cost
            .saturating_add(varbinds.min(self.max_response_varbinds))
    }

    /// What a request that produced `varbinds` response bindings cost.
    pub fn actual(&self, varbinds: usize) -> u32 {
        let varbinds = u32::try_from(varbinds).unwrap_or(u32::MAX);
        self.request_cost
            .saturating_add(varbinds.min(self.max_response_varbinds))
    }

    /// The hold limit in microseconds.
    pub fn hold_micros(&self) -> u64 {
        u64::try_from(self.hold.as_micros()).unwrap_or(u64::MAX)
    }
}

/// A request's shape, as far as its cost goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Work {
    /// Get, GetNext (and a refused Set): at most one response binding per request binding.
    Get {
        /// Bindings in the request.
        varbinds: usize,
    },
    /// GetBulk: at most N + M × R response bindings (RFC 3416 §4.2.3), M capped first.
    GetBulk {
        /// non-repeaters as received (negative counts as 0).
        non_repeaters: i64,
        /// max-repetitions as received (negative counts as 0, the cap applies).
        max_repetitions: i64,
        /// Bindings in the request.
        varbinds: usize,
    },
}

/// A rate from the non-zero constants of the defaults.
const fn rate(count: u32, period: Period) -> Rate {
    Rate::at_least_one(count, period)
}
