//! The budget's settings: plain values with documented defaults, validated once.
//!
//! The TOML `[budget]` table maps one key to one field; [`BudgetConfig::default`] is what an
//! absent key means. The arithmetic behind the defaults is in the [module docs](super).
//! Every range is in [`limits`] and checked in one place, [`BudgetConfig::validate`]; the
//! agent takes the settings only as a [`ValidBudget`], so it neither checks nor clamps them.

use alloc::vec::Vec;
use core::time::Duration;

use super::rate::{Period, Rate};
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

/// A setting the budget cannot work with, named by its `[budget]` key.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BudgetConfigError {
    /// A numeric setting outside its [`Limit`].
    #[error("budget.{key}: {value} is outside {min}..={max}")]
    OutOfRange {
        /// The setting's `[budget]` key.
        key: &'static str,
        /// The value given, in the key's unit.
        value: u64,
        /// Smallest allowed.
        min: u64,
        /// Largest allowed.
        max: u64,
    },
    /// The burst of `users[index]` outside [`USER_BUDGET_BURST`].
    #[error("budget: the burst of users[{index}] is {value}, outside {min}..={max}")]
    UserBurst {
        /// The position in [`BudgetConfig::users`].
        index: usize,
        /// The burst given.
        value: u64,
        /// Smallest allowed.
        min: u64,
        /// Largest allowed.
        max: u64,
    },
    /// `users[index]` names a user listed before it.
    #[error("budget: users[{index}] is listed twice")]
    DuplicateUser {
        /// The position of the second listing in [`BudgetConfig::users`].
        index: usize,
    },
}

/// The accepted range of one numeric setting, by its `[budget]` key and in that key's unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    /// The `[budget]` key.
    pub key: &'static str,
    /// Smallest allowed.
    pub min: u64,
    /// Largest allowed.
    pub max: u64,
}

impl Limit {
    const fn new(key: &'static str, min: u64, max: u64) -> Limit {
        Limit { key, min, max }
    }

    /// `value` if it lies within the range, else the error naming the key.
    pub fn check(self, value: u64) -> Result<u64, BudgetConfigError> {
        if (self.min..=self.max).contains(&value) {
            Ok(value)
        } else {
            Err(BudgetConfigError::OutOfRange {
                key: self.key,
                value,
                min: self.min,
                max: self.max,
            })
        }
    }
}

/// The largest burst: far above any useful value, small enough that no bucket arithmetic
/// comes near its limits.
pub const MAX_BURST: u64 = 1_000_000;
/// GetBulk max-repetitions and response varbinds above this are no cap at all (no response
/// holds 10,000 bindings).
pub const MAX_CAP: u64 = 10_000;
/// The longest hold: SNMP managers time out after about a second.
pub const MAX_HOLD: Duration = Duration::from_secs(1);

/// The range of a user's own burst (`budget_burst` of a `[[user]]`).
pub const USER_BUDGET_BURST: Limit = Limit::new("budget_burst", 1, MAX_BURST);

/// Every numeric setting's range: the one place the budget's values are checked
/// ([`BudgetConfig::validate`]); the configuration file's errors quote them.
pub mod limits {
    use super::{Limit, MAX_BURST, MAX_CAP, MAX_HOLD};
    use crate::budget::sources::MAX_SOURCES;

    /// `burst`.
    pub const BURST: Limit = Limit::new("burst", 1, MAX_BURST);
    /// `user_burst`.
    pub const USER_BURST: Limit = Limit::new("user_burst", 1, MAX_BURST);
    /// `global_burst`.
    pub const GLOBAL_BURST: Limit = Limit::new("global_burst", 1, MAX_BURST);
    /// `unauthenticated_burst`.
    pub const UNAUTHENTICATED_BURST: Limit = Limit::new("unauthenticated_burst", 1, MAX_BURST);
    /// `request_cost`.
    pub const REQUEST_COST: Limit = Limit::new("request_cost", 1, MAX_CAP);
    /// `max_repetitions`.
    pub const MAX_REPETITIONS: Limit = Limit::new("max_repetitions", 1, MAX_CAP);
    /// `max_response_varbinds`.
    pub const MAX_RESPONSE_VARBINDS: Limit = Limit::new("max_response_varbinds", 1, MAX_CAP);
    /// `hold_ms`, in milliseconds.
    pub const HOLD_MS: Limit = Limit::new("hold_ms", 0, MAX_HOLD.as_millis() as u64);
    /// `ipv6_prefix`, in bits.
    pub const IPV6_PREFIX: Limit = Limit::new("ipv6_prefix", 0, 128);
    /// `sources`.
    pub const SOURCES: Limit = Limit::new("sources", 1, MAX_SOURCES as u64);
    /// `cache_entries`.
    pub const CACHE_ENTRIES: Limit = Limit::new("cache_entries", 0, 4096);
    /// `cache_bytes` (16 MiB at most).
    pub const CACHE_BYTES: Limit = Limit::new("cache_bytes", 0, 16 << 20);
    /// `cache_window_seconds`: a retransmission comes within seconds.
    pub const CACHE_WINDOW_SECONDS: Limit = Limit::new("cache_window_seconds", 0, 300);
}

/// Budget settings that passed [`BudgetConfig::validate`]: the only form the agent takes, so
/// it never checks or clamps them again. Read the settings through `Deref`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ValidBudget(BudgetConfig);

impl ValidBudget {
    /// `config`, checked once.
    pub fn new(config: BudgetConfig) -> Result<ValidBudget, BudgetConfigError> {
        config.validate()?;
        Ok(ValidBudget(config))
    }

    /// [`BudgetConfig::unlimited`], which is valid (a test checks it).
    pub fn unlimited() -> ValidBudget {
        ValidBudget(BudgetConfig::unlimited())
    }

    /// The settings, to change and validate again.
    pub fn into_inner(self) -> BudgetConfig {
        self.0
    }
}

impl Default for ValidBudget {
    /// [`BudgetConfig::default`], which is valid (a test checks it).
    fn default() -> ValidBudget {
        ValidBudget(BudgetConfig::default())
    }
}

impl core::ops::Deref for ValidBudget {
    type Target = BudgetConfig;

    fn deref(&self) -> &BudgetConfig {
        &self.0
    }
}

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
    /// A budget that never refuses: every rate far beyond what a host can send, every burst
    /// and cap at its largest valid value (no GetBulk or response cap beyond the message size).
    /// For tests and benchmarks of the rest of the agent, and for embedders that limit
    /// elsewhere; the response cache is as by default.
    pub fn unlimited() -> BudgetConfig {
        let huge = rate(1_000_000_000, Period::Second);
        // Both constants fit a u32.
        let (burst, cap) = (MAX_BURST as u32, MAX_CAP as u32);
        BudgetConfig {
            global: huge,
            per_source: huge,
            per_user: huge,
            burst,
            user_burst: burst,
            global_burst: burst,
            max_repetitions: cap,
            max_response_varbinds: cap,
            unauthenticated: huge,
            unauthenticated_burst: burst,
            ..BudgetConfig::default()
        }
    }

    /// Checks every setting against its [`limits`] entry and the users' own budgets, naming
    /// the first key that is wrong. The one check there is: [`ValidBudget::new`] runs it, the
    /// configuration file's loader reports its errors, and the agent takes only a
    /// [`ValidBudget`].
    pub fn validate(&self) -> Result<(), BudgetConfigError> {
        let millis = |d: Duration| u64::try_from(d.as_micros().div_ceil(1000)).unwrap_or(u64::MAX);
        let secs = |d: Duration| d.as_secs().saturating_add(u64::from(d.subsec_nanos() > 0));
        let settings = [
            (limits::BURST, u64::from(self.burst)),
            (limits::USER_BURST, u64::from(self.user_burst)),
            (limits::GLOBAL_BURST, u64::from(self.global_burst)),
            (
                limits::UNAUTHENTICATED_BURST,
                u64::from(self.unauthenticated_burst),
            ),
            (limits::REQUEST_COST, u64::from(self.request_cost)),
            (limits::MAX_REPETITIONS, u64::from(self.max_repetitions)),
            (
                limits::MAX_RESPONSE_VARBINDS,
                u64::from(self.max_response_varbinds),
            ),
            (limits::HOLD_MS, millis(self.hold)),
            (limits::IPV6_PREFIX, u64::from(self.ipv6_prefix)),
            (limits::SOURCES, self.sources as u64),
            (limits::CACHE_ENTRIES, self.cache_entries as u64),
            (limits::CACHE_BYTES, self.cache_bytes as u64),
            (limits::CACHE_WINDOW_SECONDS, secs(self.cache_window)),
        ];
        for (limit, value) in settings {
            limit.check(value)?;
        }
        for (index, user) in self.users.iter().enumerate() {
            let value = u64::from(user.burst);
            USER_BUDGET_BURST
                .check(value)
                .map_err(|_| BudgetConfigError::UserBurst {
                    index,
                    value,
                    min: USER_BUDGET_BURST.min,
                    max: USER_BUDGET_BURST.max,
                })?;
            if self.users[..index].iter().any(|u| u.user == user.user) {
                return Err(BudgetConfigError::DuplicateUser { index });
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
