//! The `[budget]` section and the per-user `budget` keys: TOML onto [`BudgetConfig`], and the
//! driver's own keys of the section onto [`ReceiveConfig`].
//!
//! One key maps to one field, and an absent key keeps that field's default
//! (the defaults and the arithmetic behind them are in [`crate::budget`]). Rates are written
//! `"N/second"`, `"N/minute"` or `"N/hour"` and parsed by [`Rate`]; counts are converted here
//! and range-checked once, by [`BudgetConfig::validate`] (the ranges are
//! [`crate::budget::limits`]), whose refusal is reported with the file's key. A `[[user]]` may carry `budget` (and `budget_burst`)
//! to replace `per_user` (and `user_burst`) for that user.

use serde::Deserialize;

use super::validate::Validator;
use super::{ConfigError, Problem, UserSection};
use std::time::Duration;

use crate::budget::{
    BudgetConfig, BudgetConfigError, Limit, OverBudget, Rate, USER_BUDGET_BURST, UserBudget,
    ValidBudget, limits,
};
use crate::server::{MAX_MODERATION, ReceiveConfig};

/// The largest intake burst and `block_after` accepted: the budget's own largest burst.
const MAX_BURST: usize = crate::budget::MAX_BURST as usize;
/// The longest receive moderation accepted, in the key's unit.
const MAX_MODERATION_MS: usize = MAX_MODERATION.as_millis() as usize;
/// The most answers held at once per socket.
const MAX_HOLD_SLOTS: usize = 4096;
/// The longest a flooding source is blocked in the kernel at once.
const MAX_BLOCK_SECONDS: usize = 3600;

const OVER_BUDGET_NAMES: &str = "drop, report";

/// `[budget]`: what the agent may spend, per source, per user and in total. Every key is
/// optional; see [`BudgetConfig`] for the defaults.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BudgetSection {
    /// Datagrams admitted from all sources together, e.g. `"200/second"`.
    pub global: Option<String>,
    /// Capacity of the global bucket, in datagrams.
    pub global_burst: Option<i64>,
    /// Datagrams admitted from one source (IPv4 address or IPv6 prefix).
    pub per_source: Option<String>,
    /// Cost units for one user: `request_cost` per request plus 1 per response varbind.
    pub per_user: Option<String>,
    /// Capacity of the per-source bucket, in datagrams.
    pub burst: Option<i64>,
    /// Capacity of the per-user bucket, in cost units.
    pub user_burst: Option<i64>,
    /// Cost units of a request before its response varbinds.
    pub request_cost: Option<i64>,
    /// Milliseconds a request over its user's budget may be held for the units to refill.
    pub hold_ms: Option<i64>,
    /// Answers each socket holds at once (the driver's).
    pub hold_slots: Option<i64>,
    /// Refusals a second that get a source dropped in the kernel; 0 never blocks (the
    /// driver's).
    pub block_after: Option<i64>,
    /// Seconds a flooding source stays dropped in the kernel (the driver's).
    pub block_seconds: Option<i64>,
    /// GetBulk max-repetitions is lowered to this before any work.
    pub max_repetitions: Option<i64>,
    /// No response carries more varbinds than this.
    pub max_response_varbinds: Option<i64>,
    /// `drop` (the default) or `report`.
    pub over_budget: Option<String>,
    /// IPv6 sources sharing this many leading bits are one source.
    pub ipv6_prefix: Option<i64>,
    /// Sources tracked at once.
    pub sources: Option<i64>,
    /// Unauthenticated outcomes (discovery, unknown user, wrong digest, ...) from one source.
    pub unauthenticated: Option<String>,
    /// Capacity of the per-source unauthenticated bucket.
    pub unauthenticated_burst: Option<i64>,
    /// Datagrams read from the sockets at all, per period.
    pub intake: Option<String>,
    /// Capacity of the intake bucket, in datagrams.
    pub intake_burst: Option<i64>,
    /// Milliseconds the server waits, after reading a batch that held a refused datagram,
    /// before it reads again (receive moderation); 0 reads at once.
    pub moderation_ms: Option<i64>,
    /// Replies kept for retransmissions.
    pub cache_entries: Option<i64>,
    /// Octets of requests and replies kept for retransmissions.
    pub cache_bytes: Option<i64>,
    /// Seconds a reply is kept for retransmissions.
    pub cache_window_seconds: Option<i64>,
}

impl Validator<'_> {
    /// Reads `[budget]` (absent: all defaults) and the `budget` keys of `users` into a
    /// [`BudgetConfig`]: rates parsed, numbers converted, nothing range-checked yet (that is
    /// [`Validator::valid_budget`]'s, once every principal is in). The driver's keys
    /// (`intake`, `intake_burst`, `moderation_ms`, ...) are [`Validator::receive`]'s.
    pub(super) fn budget(
        &mut self,
        s: BudgetSection,
        users: &[UserSection],
    ) -> Result<BudgetConfig, ConfigError> {
        let mut c = BudgetConfig::default();
        self.rates(&s, &mut c)?;
        self.counts(&s, &mut c)?;
        c.over_budget = self.over_budget(s.over_budget.as_deref())?;
        c.users = self.user_budgets(users, c.user_burst)?;
        Ok(c)
    }

    /// The one check of the budget's settings ([`BudgetConfig::validate`]), its refusal named
    /// by the file's key: `budget.<key>`, or `user[<i>].budget_burst` for a user's own.
    pub(super) fn valid_budget(
        &self,
        c: BudgetConfig,
        users: &[UserSection],
    ) -> Result<ValidBudget, ConfigError> {
        let user_key = |index: usize, field: &str| {
            let name = c.users.get(index).map(|u| u.user.as_slice());
            match users
                .iter()
                .position(|u| u.name.as_deref().map(str::as_bytes) == name)
            {
                Some(i) => format!("user[{i}].{field}"),
                None => format!("budget.users[{index}]"),
            }
        };
        let range = |value: u64, min: u64, max: u64| Problem::OutOfRange {
            value: i64::try_from(value).unwrap_or(i64::MAX),
            min: usize::try_from(min).unwrap_or(usize::MAX),
            max: usize::try_from(max).unwrap_or(usize::MAX),
        };
        let error = match ValidBudget::new(c.clone()) {
            Ok(valid) => return Ok(valid),
            Err(e) => e,
        };
        Err(match error {
            BudgetConfigError::OutOfRange {
                key,
                value,
                min,
                max,
            } => self.err(format!("budget.{key}"), range(value, min, max)),
            BudgetConfigError::UserBurst {
                index,
                value,
                min,
                max,
            } => self.err(user_key(index, "budget_burst"), range(value, min, max)),
            BudgetConfigError::DuplicateUser { index } => {
                let name = c.users.get(index).map(|u| String::from_utf8_lossy(&u.user));
                let name = name.unwrap_or_default().into_owned();
                self.err(user_key(index, "name"), Problem::Duplicate(name))
            }
        })
    }

    /// The driver's own `[budget]` keys: the intake ceiling, receive moderation, the answers
    /// held and the kernel filter of flooding sources.
    pub(super) fn receive(&self, s: &BudgetSection) -> Result<ReceiveConfig, ConfigError> {
        let mut c = ReceiveConfig::default();
        c.intake = self.rate("intake", s.intake.as_deref(), c.intake)?;
        c.intake_burst = self.number("intake_burst", s.intake_burst, MAX_BURST, c.intake_burst)?;
        if let Some(n) = self.count(
            "budget.moderation_ms",
            s.moderation_ms,
            0,
            MAX_MODERATION_MS,
        )? {
            c.moderation = Duration::from_millis(u64::try_from(n).unwrap_or(0));
        }
        if let Some(n) = self.count("budget.hold_slots", s.hold_slots, 0, MAX_HOLD_SLOTS)? {
            c.hold_slots = n;
        }
        if let Some(n) = self.count("budget.block_after", s.block_after, 0, MAX_BURST)? {
            c.block_after = u32::try_from(n).unwrap_or(u32::MAX);
        }
        let block = s.block_seconds;
        if let Some(n) = self.count("budget.block_seconds", block, 1, MAX_BLOCK_SECONDS)? {
            c.block = Duration::from_secs(u64::try_from(n).unwrap_or(1));
        }
        Ok(c)
    }

    /// `budget.{key}` parsed as a [`Rate`], or `default` when absent.
    fn rate(&self, key: &str, text: Option<&str>, default: Rate) -> Result<Rate, ConfigError> {
        let Some(text) = text else {
            return Ok(default);
        };
        text.trim().parse::<Rate>().map_err(|reason| {
            self.err(
                format!("budget.{key}"),
                Problem::BadRate(text.to_string(), reason),
            )
        })
    }

    fn rates(&self, s: &BudgetSection, c: &mut BudgetConfig) -> Result<(), ConfigError> {
        c.global = self.rate("global", s.global.as_deref(), c.global)?;
        c.per_source = self.rate("per_source", s.per_source.as_deref(), c.per_source)?;
        c.per_user = self.rate("per_user", s.per_user.as_deref(), c.per_user)?;
        let unauthenticated = s.unauthenticated.as_deref();
        c.unauthenticated = self.rate("unauthenticated", unauthenticated, c.unauthenticated)?;
        Ok(())
    }

    /// The numeric keys, each converted to its field's type; their ranges are checked once,
    /// by [`BudgetConfig::validate`].
    fn counts(&self, s: &BudgetSection, c: &mut BudgetConfig) -> Result<(), ConfigError> {
        self.set(limits::BURST, s.burst, &mut c.burst)?;
        self.set(limits::USER_BURST, s.user_burst, &mut c.user_burst)?;
        self.set(limits::GLOBAL_BURST, s.global_burst, &mut c.global_burst)?;
        let unauthenticated = s.unauthenticated_burst;
        self.set(
            limits::UNAUTHENTICATED_BURST,
            unauthenticated,
            &mut c.unauthenticated_burst,
        )?;
        self.set(limits::REQUEST_COST, s.request_cost, &mut c.request_cost)?;
        let repetitions = s.max_repetitions;
        self.set(limits::MAX_REPETITIONS, repetitions, &mut c.max_repetitions)?;
        self.set(
            limits::MAX_RESPONSE_VARBINDS,
            s.max_response_varbinds,
            &mut c.max_response_varbinds,
        )?;
        self.set(limits::IPV6_PREFIX, s.ipv6_prefix, &mut c.ipv6_prefix)?;
        self.set(limits::SOURCES, s.sources, &mut c.sources)?;
        self.set(limits::CACHE_ENTRIES, s.cache_entries, &mut c.cache_entries)?;
        self.set(limits::CACHE_BYTES, s.cache_bytes, &mut c.cache_bytes)?;
        if let Some(ms) = self.convert(limits::HOLD_MS, s.hold_ms)? {
            c.hold = Duration::from_millis(ms);
        }
        let window = s.cache_window_seconds;
        if let Some(secs) = self.convert(limits::CACHE_WINDOW_SECONDS, window)? {
            c.cache_window = Duration::from_secs(secs);
        }
        Ok(())
    }

    /// `n`, when given, into `field`: [`Validator::convert`].
    fn set<T: TryFrom<i64>>(
        &self,
        limit: Limit,
        n: Option<i64>,
        field: &mut T,
    ) -> Result<(), ConfigError> {
        if let Some(value) = self.convert(limit, n)? {
            *field = value;
        }
        Ok(())
    }

    /// `n` as the field's type, `None` when absent. A value the type cannot hold (a negative
    /// count, or one past `u32::MAX`) is outside the key's range, and named so; the range
    /// itself is [`BudgetConfig::validate`]'s to check.
    fn convert<T: TryFrom<i64>>(
        &self,
        limit: Limit,
        n: Option<i64>,
    ) -> Result<Option<T>, ConfigError> {
        let Some(n) = n else {
            return Ok(None);
        };
        let value = T::try_from(n).map_err(|_| {
            let problem = Problem::OutOfRange {
                value: n,
                min: usize::try_from(limit.min).unwrap_or(usize::MAX),
                max: usize::try_from(limit.max).unwrap_or(usize::MAX),
            };
            self.err(format!("budget.{}", limit.key), problem)
        })?;
        Ok(Some(value))
    }

    fn over_budget(&self, text: Option<&str>) -> Result<OverBudget, ConfigError> {
        match text.map(str::trim) {
            None | Some("drop") => Ok(OverBudget::Drop),
            Some("report") => Ok(OverBudget::Report),
            Some(other) => Err(self.err(
                "budget.over_budget",
                Problem::UnknownName {
                    value: other.to_string(),
                    expected: OVER_BUDGET_NAMES,
                },
            )),
        }
    }

    /// The users' own `budget` and `budget_burst` keys; `burst` (`user_burst`) is the default
    /// capacity.
    /// Duplicate user names are reported by the user section.
    fn user_budgets(
        &self,
        users: &[UserSection],
        burst: u32,
    ) -> Result<Vec<UserBudget>, ConfigError> {
        let mut out = Vec::new();
        for (i, user) in users.iter().enumerate() {
            let (Some(name), budget) = (&user.name, &user.budget) else {
                continue;
            };
            let key = |field: &str| format!("user[{i}].{field}");
            let Some(text) = budget else {
                if user.budget_burst.is_some() {
                    return Err(self.err(key("budget_burst"), Problem::Missing));
                }
                continue;
            };
            let rate = text.trim().parse::<Rate>().map_err(|reason| {
                self.err(key("budget"), Problem::BadRate(text.clone(), reason))
            })?;
            let burst = match user.budget_burst {
                None => burst,
                Some(n) => u32::try_from(n).map_err(|_| {
                    let problem = Problem::OutOfRange {
                        value: n,
                        min: 1,
                        max: usize::try_from(USER_BUDGET_BURST.max).unwrap_or(usize::MAX),
                    };
                    self.err(key("budget_burst"), problem)
                })?,
            };
            out.push(UserBudget {
                user: name.as_bytes().to_vec(),
                rate,
                burst,
            });
        }
        Ok(out)
    }

    /// `n` within `min..=max`, or an error naming `key`.
    pub(super) fn count(
        &self,
        key: &str,
        n: Option<i64>,
        min: usize,
        max: usize,
    ) -> Result<Option<usize>, ConfigError> {
        let Some(n) = n else {
            return Ok(None);
        };
        usize::try_from(n)
            .ok()
            .filter(|v| (min..=max).contains(v))
            .map(Some)
            .ok_or_else(|| self.err(key, Problem::OutOfRange { value: n, min, max }))
    }

    /// `budget.{key}` from 1 to `max`, or `default` when absent.
    fn number(
        &self,
        key: &str,
        n: Option<i64>,
        max: usize,
        default: u32,
    ) -> Result<u32, ConfigError> {
        let n = self.count(&format!("budget.{key}"), n, 1, max)?;
        Ok(n.map_or(default, |n| u32::try_from(n).unwrap_or(u32::MAX)))
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;
    use std::time::Duration;

    use super::super::Config;
    use super::super::tests::{MINIMAL as BASE, parse_minimal};
    use crate::budget::{BudgetConfig, OverBudget, Period, Rate};
    use crate::server::ReceiveConfig;

    fn parse(extra: &str) -> Result<BudgetConfig, String> {
        parse_both(extra).map(|(budget, _)| budget)
    }

    /// The core's budget and the driver's receive settings.
    fn parse_both(extra: &str) -> Result<(BudgetConfig, ReceiveConfig), String> {
        parse_minimal(extra)
            .map(|(c, _)| (c.budget.into_inner(), c.receive))
            .map_err(|e| e.to_string())
    }

    fn rate(count: u32, period: Period) -> Rate {
        Rate::new(count, period).unwrap()
    }

    #[test]
    fn absent_section_is_the_defaults() {
        assert_eq!(parse("").unwrap(), BudgetConfig::default());
        assert_eq!(parse("[budget]\n").unwrap(), BudgetConfig::default());
    }

    #[test]
    fn every_key_maps_to_its_field() {
        let (c, receive) = parse_both(
            r#"
[budget]
global = "100/second"
global_burst = 300
per_source = "20/s"
per_user = "3000/minute"
burst = 50
max_repetitions = 10
max_response_varbinds = 60
over_budget = "report"
ipv6_prefix = 56
sources = 64
unauthenticated = "5/second"
unauthenticated_burst = 7
intake = "1000/second"
intake_burst = 100
moderation_ms = 3
cache_entries = 8
cache_bytes = 65536
cache_window_seconds = 2
"#,
        )
        .unwrap();
        assert_eq!(c.global, rate(100, Period::Second));
        assert_eq!(c.global_burst, 300);
        assert_eq!(c.per_source, rate(20, Period::Second));
        assert_eq!(c.per_user, rate(3000, Period::Minute));
        assert_eq!(c.burst, 50);
        assert_eq!(c.max_repetitions, 10);
        assert_eq!(c.max_response_varbinds, 60);
        assert_eq!(c.over_budget, OverBudget::Report);
        assert_eq!(c.ipv6_prefix, 56);
        assert_eq!(c.sources, 64);
        assert_eq!(c.unauthenticated, rate(5, Period::Second));
        assert_eq!(c.unauthenticated_burst, 7);
        assert_eq!(receive.intake, rate(1000, Period::Second));
        assert_eq!(receive.intake_burst, 100);
        assert_eq!(receive.moderation, Duration::from_millis(3));
        assert_eq!(c.cache_entries, 8);
        assert_eq!(c.cache_bytes, 65536);
        assert_eq!(c.cache_window, Duration::from_secs(2));
    }

    #[test]
    fn a_user_may_carry_its_own_budget() {
        let text = BASE.replace(
            "priv_password = \"staple staple staple\"",
            "priv_password = \"staple staple staple\"\nbudget = \"600/minute\"\nbudget_burst = 30",
        );
        let (c, _) = Config::parse(&text, Path::new("a.toml")).unwrap();
        assert_eq!(c.budget.users.len(), 1);
        assert_eq!(c.budget.users[0].user, b"nms");
        assert_eq!(c.budget.users[0].rate, rate(600, Period::Minute));
        assert_eq!(c.budget.users[0].burst, 30);

        let text = BASE.replace("name = \"nms\"", "name = \"nms\"\nbudget = \"often\"");
        let err = Config::parse(&text, Path::new("a.toml")).unwrap_err();
        assert!(
            err.to_string()
                .starts_with("a.toml: user[0].budget: \"often\": "),
            "{err}"
        );
        // A user's own burst is checked with the rest, and named by the user's key.
        let text = BASE.replace(
            "name = \"nms\"",
            "name = \"nms\"\nbudget = \"6/second\"\nbudget_burst = 0",
        );
        let err = Config::parse(&text, Path::new("a.toml")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "a.toml: user[0].budget_burst: 0 is outside 1..=1000000"
        );
        let text = BASE.replace("name = \"nms\"", "name = \"nms\"\nbudget_burst = 3");
        let err = Config::parse(&text, Path::new("a.toml")).unwrap_err();
        assert_eq!(err.to_string(), "a.toml: user[0].budget_burst: missing");
    }

    #[test]
    fn refusals_name_file_and_key() {
        let cases = [
            (
                "global = \"0/second\"",
                "budget.global: \"0/second\": a rate of zero",
            ),
            (
                "per_source = \"50\"",
                "budget.per_source: \"50\": a rate is written",
            ),
            (
                "per_user = \"5/fortnight\"",
                "budget.per_user: \"5/fortnight\": the period",
            ),
            ("burst = 0", "budget.burst: 0 is outside 1..=1000000"),
            (
                "max_repetitions = 0",
                "budget.max_repetitions: 0 is outside 1..=10000",
            ),
            (
                "max_response_varbinds = -1",
                "budget.max_response_varbinds: -1 is outside",
            ),
            (
                "ipv6_prefix = 129",
                "budget.ipv6_prefix: 129 is outside 0..=128",
            ),
            ("sources = 0", "budget.sources: 0 is outside 1..=1048576"),
            (
                "over_budget = \"shout\"",
                "budget.over_budget: unknown value \"shout\"",
            ),
            (
                "cache_window_seconds = 301",
                "budget.cache_window_seconds: 301 is outside",
            ),
            ("hold_ms = 1001", "budget.hold_ms: 1001 is outside 0..=1000"),
            (
                "cache_bytes = 16777217",
                "budget.cache_bytes: 16777217 is outside 0..=16777216",
            ),
            (
                "user_burst = 5000000000",
                "budget.user_burst: 5000000000 is outside 1..=1000000",
            ),
            ("intake_burst = 0", "budget.intake_burst: 0 is outside"),
            (
                "moderation_ms = 1001",
                "budget.moderation_ms: 1001 is outside 0..=1000",
            ),
        ];
        for (line, expected) in cases {
            let err = parse(&format!("[budget]\n{line}\n")).unwrap_err();
            let expected = format!("/etc/dqi/agent.toml: {expected}");
            assert!(err.starts_with(&expected), "{line}: {err}");
        }
        let err = parse("[budget]\nrate = 5\n").unwrap_err();
        assert!(
            err.contains("budget.rate: unknown key; expected one of global, "),
            "{err}"
        );
    }
}
