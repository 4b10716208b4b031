//! Rates as operators write them (`"50/second"`) and the token bucket that enforces one.
//!
//! The bucket keeps its level in exact fixed point: one token is `period` units, where `period`
//! is the rate's period in microseconds, so one elapsed microsecond adds exactly `count` units.
//! Refill never rounds, never drifts and needs no floating point, whether the rate is
//! `"2000/second"` or `"1/hour"`.

use core::fmt;
use core::str::FromStr;

use crate::time::Instant;

/// The period of a [`Rate`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Period {
    /// `second`, `seconds`, `sec`, `s`.
    Second,
    /// `minute`, `minutes`, `min`, `m`.
    Minute,
    /// `hour`, `hours`, `h`.
    Hour,
}

impl Period {
    /// The period's length in microseconds.
    pub const fn micros(self) -> u64 {
        match self {
            Period::Second => 1_000_000,
            Period::Minute => 60_000_000,
            Period::Hour => 3_600_000_000,
        }
    }

    /// The canonical name, as [`Rate`]'s `Display` writes it.
    pub const fn name(self) -> &'static str {
        match self {
            Period::Second => "second",
            Period::Minute => "minute",
            Period::Hour => "hour",
        }
    }

    fn parse(unit: &str) -> Option<Period> {
        const NAMES: [(&str, Period); 11] = [
            ("second", Period::Second),
            ("seconds", Period::Second),
            ("sec", Period::Second),
            ("s", Period::Second),
            ("minute", Period::Minute),
            ("minutes", Period::Minute),
            ("min", Period::Minute),
            ("m", Period::Minute),
            ("hour", Period::Hour),
            ("hours", Period::Hour),
            ("h", Period::Hour),
        ];
        NAMES
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(unit))
            .map(|&(_, period)| period)
    }
}

/// A positive number of tokens per [`Period`]: `"3000/minute"`.
///
/// Parsing is the only way to build one from text, and it refuses zero, so a `Rate` in hand is
/// always usable ("parse, don't validate").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Rate {
    count: u32,
    period: Period,
}

/// Why a rate string was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum RateError {
    /// No `/` separating the count from the period.
    #[error("a rate is written N/second, N/minute or N/hour")]
    MissingSlash,
    /// The count is not a decimal number that fits in 32 bits.
    #[error("the count before '/' must be a whole number from 1 to 4294967295")]
    BadCount,
    /// The count is zero: a bucket that never refills would refuse everything forever.
    #[error("a rate of zero would refuse everything; remove the limit or give a positive count")]
    Zero,
    /// The period is not one of the accepted names.
    #[error("the period after '/' must be second (s), minute (min) or hour (h)")]
    BadPeriod,
}

impl Rate {
    /// `count` tokens per `period`; `None` for a count of zero.
    pub const fn new(count: u32, period: Period) -> Option<Rate> {
        if count == 0 {
            None
        } else {
            Some(Rate { count, period })
        }
    }

    /// `count` tokens per `period`, a count of zero raised to one: for constants.
    pub const fn at_least_one(count: u32, period: Period) -> Rate {
        let count = if count == 0 { 1 } else { count };
        Rate { count, period }
    }

    /// Tokens added per period.
    pub const fn count(self) -> u32 {
        self.count
    }

    /// The period.
    pub const fn period(self) -> Period {
        self.period
    }

    /// Microseconds between two tokens (the period over the count), rounded down.
    pub const fn micros_per_token(self) -> u64 {
        // Never zero: every constructor keeps the count at least one.
        self.period.micros() / self.count as u64
    }

    /// Whole tokens added over `micros` microseconds, rounded down.
    pub fn tokens_in(self, micros: u64) -> u64 {
        let tokens = u128::from(micros) * u128::from(self.count) / u128::from(self.period.micros());
        u64::try_from(tokens).unwrap_or(u64::MAX)
    }
}

impl FromStr for Rate {
    type Err = RateError;

    fn from_str(text: &str) -> Result<Rate, RateError> {
        let (count, unit) = text.split_once('/').ok_or(RateError::MissingSlash)?;
        let count = count.trim();
        // `u32::from_str` would accept a leading '+'; only plain digits are a count here.
        if count.is_empty() || !count.bytes().all(|b| b.is_ascii_digit()) {
            return Err(RateError::BadCount);
        }
        let count: u32 = count.parse().map_err(|_| RateError::BadCount)?;
        let period = Period::parse(unit.trim()).ok_or(RateError::BadPeriod)?;
        Rate::new(count, period).ok_or(RateError::Zero)
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.count, self.period.name())
    }
}

/// A token bucket: holds up to `burst` tokens, refills at a [`Rate`], and is asked with explicit
/// time.
///
/// A request that costs more than a full bucket is charged a full bucket instead, so a burst
/// configured below the largest request slows such requests down rather than refusing them
/// forever.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bucket {
    rate: Rate,
    /// The capacity in whole tokens (at least 1).
    burst: u32,
    /// Fill level in units of `1 / period_micros` token: exact under any refill interval.
    level: u128,
    /// When `level` was last brought up to date.
    updated: Instant,
}

impl Bucket {
    /// A full bucket of `burst` tokens (at least 1) refilling at `rate`, as of `now`.
    pub fn new(rate: Rate, burst: u32, now: Instant) -> Bucket {
        let burst = burst.max(1);
        let mut bucket = Bucket {
            rate,
            burst,
            level: 0,
            updated: now,
        };
        bucket.level = bucket.capacity();
        bucket
    }

    /// The refill rate.
    pub fn rate(&self) -> Rate {
        self.rate
    }

    /// The capacity in tokens.
    pub fn burst(&self) -> u32 {
        self.burst
    }

    /// Whole tokens available at `now`.
    pub fn available(&self, now: Instant) -> u32 {
        let tokens = self.level_at(now) / self.unit();
        u32::try_from(tokens).unwrap_or(u32::MAX)
    }

    /// Whether the bucket is full at `now`: it then carries no history, and forgetting it loses
    /// nothing (the source table's eviction relies on this).
    pub fn is_full(&self, now: Instant) -> bool {
        self.level_at(now) >= self.capacity()
    }

    /// Whether `cost` tokens (at most a full bucket) could be taken at `now`, without taking them.
    pub fn can_take(&self, now: Instant, cost: u32) -> bool {
        self.level_at(now) >= self.units(cost)
    }

    /// Takes `cost` tokens (at most a full bucket) if available at `now`; takes nothing otherwise.
    pub fn try_take(&mut self, now: Instant, cost: u32) -> bool {
        self.refill(now);
        let units = self.units(cost);
        if self.level >= units {
            self.level -= units;
            true
        } else {
            false
        }
    }

    /// Microseconds from `now` until `cost` tokens (at most a full bucket) can be taken, after
    /// the tokens already promised by [`Bucket::reserve`]: 0 when they can be taken now.
    pub fn wait_micros(&self, now: Instant, cost: u32) -> u64 {
        let from = self.updated.max(now);
        let ahead = u64::try_from(from.saturating_since(now).as_micros()).unwrap_or(u64::MAX);
        let level = self.level_at(from);
        let units = self.units(cost);
        if level >= units {
            return ahead;
        }
        // The level grows by `count` per microsecond; round up so the tokens are there.
        let count = u128::from(self.rate.count);
        let micros = (units - level).div_ceil(count);
        ahead.saturating_add(u64::try_from(micros).unwrap_or(u64::MAX))
    }

    /// Takes `cost` tokens (at most a full bucket) as of the instant they are available, now
    /// or later (see [`Bucket::wait_micros`]), and returns that instant. Until then the bucket
    /// owes them: it refills only from that instant on, so later requests queue behind this
    /// one, first come first served. Bound the wait before calling: this always reserves.
    pub fn reserve(&mut self, now: Instant, cost: u32) -> Instant {
        let wait = self.wait_micros(now, cost);
        let at = now + core::time::Duration::from_micros(wait);
        self.refill(at);
        self.level = self.level.saturating_sub(self.units(cost));
        at
    }

    /// Gives back `tokens` taken earlier, never beyond a full bucket.
    pub fn refund(&mut self, tokens: u32) {
        let units = u128::from(tokens).saturating_mul(self.unit());
        self.level = self.level.saturating_add(units).min(self.capacity());
    }

    /// One token, in level units.
    fn unit(&self) -> u128 {
        u128::from(self.rate.period.micros())
    }

    fn capacity(&self) -> u128 {
        u128::from(self.burst).saturating_mul(self.unit())
    }

    /// `cost` tokens in level units, capped at a full bucket.
    fn units(&self, cost: u32) -> u128 {
        u128::from(cost.min(self.burst)).saturating_mul(self.unit())
    }

    /// The level at `now`: the last level plus what the time since earned. Time going
    /// backwards (a driver bug or a clock step) earns nothing, so it cannot mint tokens.
    fn level_at(&self, now: Instant) -> u128 {
        if now <= self.updated {
            return self.level;
        }
        let elapsed = now.saturating_since(self.updated).as_micros();
        let added = elapsed.saturating_mul(u128::from(self.rate.count));
        self.level.saturating_add(added).min(self.capacity())
    }

    /// Brings the level up to `now`; an earlier `now` keeps the later instant.
    fn refill(&mut self, now: Instant) {
        if now > self.updated {
            self.level = self.level_at(now);
            self.updated = now;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rate(text: &str) -> Rate {
        text.parse().unwrap()
    }

    #[test]
    fn parses_every_spelling() {
        assert_eq!(rate("50/second"), Rate::new(50, Period::Second).unwrap());
        assert_eq!(rate("50/s"), rate("50/second"));
        assert_eq!(
            rate(" 3000 / Minute "),
            Rate::new(3000, Period::Minute).unwrap()
        );
        assert_eq!(rate("3000/min"), rate("3000/minute"));
        assert_eq!(rate("7/h"), Rate::new(7, Period::Hour).unwrap());
        assert_eq!(rate("7/hours"), rate("7/hour"));
        assert_eq!(rate("4294967295/s").count(), u32::MAX);
    }

    #[test]
    fn refuses_zero_and_garbage() {
        let err = |text: &str| text.parse::<Rate>().unwrap_err();
        assert_eq!(err("0/second"), RateError::Zero);
        assert_eq!(err("000/minute"), RateError::Zero);
        assert_eq!(err("50"), RateError::MissingSlash);
        assert_eq!(err(""), RateError::MissingSlash);
        assert_eq!(err("/second"), RateError::BadCount);
        assert_eq!(err("-5/second"), RateError::BadCount);
        assert_eq!(err("+5/second"), RateError::BadCount);
        assert_eq!(err("1.5/second"), RateError::BadCount);
        assert_eq!(err("4294967296/second"), RateError::BadCount);
        assert_eq!(err("5/fortnight"), RateError::BadPeriod);
        assert_eq!(err("5/"), RateError::BadPeriod);
        assert_eq!(err("5/second/s"), RateError::BadPeriod);
    }

    #[test]
    fn displays_canonically() {
        assert_eq!(alloc::format!("{}", rate("3000/min")), "3000/minute");
        assert_eq!(Rate::new(0, Period::Hour), None);
    }

    #[test]
    fn burst_then_refill() {
        let t0 = Instant::from_secs(100);
        let mut bucket = Bucket::new(rate("10/second"), 5, t0);
        for _ in 0..5 {
            assert!(bucket.try_take(t0, 1));
        }
        assert!(!bucket.try_take(t0, 1), "burst spent");
        // 10/second: one token per 100 ms, not before.
        assert!(!bucket.try_take(Instant::from_micros(100_099_999), 1));
        assert!(bucket.try_take(Instant::from_millis(100_100), 1));
        assert!(!bucket.try_take(Instant::from_millis(100_100), 1));
        // A long idle period refills to the burst and no further.
        assert_eq!(bucket.available(Instant::from_secs(1000)), 5);
        assert!(bucket.is_full(Instant::from_secs(1000)));
    }

    #[test]
    fn slow_rates_accumulate_exactly() {
        // 1/hour checked every millisecond: a rounding refill would never reach one token.
        let mut bucket = Bucket::new(rate("1/hour"), 1, Instant::ZERO);
        assert!(bucket.try_take(Instant::ZERO, 1));
        let mut now = Instant::ZERO;
        let mut taken_at = None;
        for ms in 1..=3_600_000u64 {
            now = Instant::from_millis(ms);
            if bucket.try_take(now, 1) {
                taken_at = Some(now);
                break;
            }
        }
        assert_eq!(
            taken_at,
            Some(Instant::from_secs(3600)),
            "last checked {now:?}"
        );
    }

    #[test]
    fn cost_is_capped_at_a_full_bucket_and_refunds_cap_too() {
        let t0 = Instant::ZERO;
        let mut bucket = Bucket::new(rate("1/second"), 10, t0);
        assert!(
            bucket.try_take(t0, 500),
            "a full bucket pays for any single request"
        );
        assert_eq!(bucket.available(t0), 0);
        assert!(!bucket.can_take(t0, 1));
        bucket.refund(4);
        assert_eq!(bucket.available(t0), 4);
        bucket.refund(u32::MAX);
        assert_eq!(bucket.available(t0), 10);
    }

    #[test]
    fn time_going_backwards_mints_nothing() {
        let mut bucket = Bucket::new(rate("1/second"), 1, Instant::from_secs(10));
        assert!(bucket.try_take(Instant::from_secs(10), 1));
        assert!(!bucket.try_take(Instant::from_secs(5), 1));
        assert!(!bucket.try_take(Instant::from_millis(10_999), 1));
        assert!(bucket.try_take(Instant::from_secs(11), 1));
    }

    #[test]
    fn extreme_values_saturate() {
        let mut bucket = Bucket::new(rate("4294967295/second"), u32::MAX, Instant::ZERO);
        assert!(bucket.try_take(Instant::from_micros(u64::MAX), u32::MAX));
        assert_eq!(bucket.available(Instant::from_micros(u64::MAX)), 0);
        assert_eq!(Bucket::new(rate("1/s"), 0, Instant::ZERO).burst(), 1);
        assert_eq!(rate("1/hour").tokens_in(u64::MAX), 5_124_095_576);
    }

    #[test]
    fn reservations_queue_first_come_first_served() {
        let t0 = Instant::ZERO;
        let ms = |n: u64| Instant::from_millis(n);
        let mut bucket = Bucket::new(rate("100/second"), 10, t0);
        assert_eq!(bucket.wait_micros(t0, 10), 0);
        assert_eq!(bucket.reserve(t0, 10), t0, "a full bucket pays at once");
        // Empty: 5 tokens take 50 ms to refill; the next 5 queue behind them.
        assert_eq!(bucket.wait_micros(t0, 5), 50_000);
        assert_eq!(bucket.reserve(t0, 5), ms(50));
        assert_eq!(bucket.wait_micros(t0, 5), 100_000);
        assert_eq!(bucket.reserve(ms(20), 5), ms(100));
        // While owed, nothing can be taken; once paid off, the bucket refills as before.
        assert!(!bucket.try_take(ms(99), 1));
        assert_eq!(bucket.wait_micros(ms(100), 1), 10_000);
        assert!(bucket.try_take(ms(110), 1));
        assert_eq!(bucket.wait_micros(ms(300), 10), 0);
        // A cost beyond the burst waits for a full bucket, never forever.
        let mut small = Bucket::new(rate("1/second"), 2, t0);
        assert_eq!(small.reserve(t0, 2), t0);
        assert_eq!(small.wait_micros(t0, 1_000), 2_000_000);
    }
}
