//! The fair share of one user's budget between the sources polling as that user.
//!
//! A user's bucket is one, so without this its units go first come, first served: a source of
//! user U flooding over U's budget keeps the bucket's queue of held requests (see
//! [`super::Bucket::reserve`]) `hold` long, and U's other sources are refused. Here each
//! user remembers up to [`FAIR_SOURCES`] sources that sent it verified requests, with the
//! units each was charged over the current and the previous second, and a source's request
//! may wait for the units to refill only as long as its use allows:
//!
//! | the source's use of the user's budget, against the mean of its active sources | longest wait |
//! |---|---|
//! | below the mean (a newcomer, a polite poller beside a flood) | `hold` |
//! | at or above it, alone | `hold` / 2 |
//! | above it, with other sources active | none: only units there now |
//!
//! So a source using more than its share never queues ahead of the others, and the queue a
//! lone source leaves is at most half the hold, so a newcomer always fits in it. Two sources
//! flooding alike take turns below the mean and share the budget about equally. A source is
//! active while it had a verified request in the current or the previous second.
//!
//! Bounded: [`FAIR_SOURCES`] entries per user, allocated once; a ninth source replaces the one
//! seen least recently (it starts again as a newcomer). Only verified requests are recorded,
//! so forged datagrams carrying the user's name cannot add sources or move the shares.

use alloc::vec::Vec;

use super::sources::SourceKey;
use crate::time::Instant;

/// The sources of one user told apart.
pub const FAIR_SOURCES: usize = 8;

#[derive(Debug, Clone, Copy)]
struct Poller {
    key: SourceKey,
    /// The last second with a verified request from this source.
    last: u64,
    /// The second `used` counts (seconds from the driver's origin).
    second: u64,
    /// Units charged in `second`.
    used: u64,
    /// Units charged in the second before it.
    before: u64,
}

impl Poller {
    /// Brings the counts to `second`.
    fn roll(&mut self, second: u64) {
        if second == self.second {
            return;
        }
        self.before = match second.checked_sub(1) == Some(self.second) {
            true => self.used,
            false => 0,
        };
        self.used = 0;
        self.second = second;
    }

    /// Active: a verified request in this second or the one before.
    fn active(&self, second: u64) -> bool {
        self.last.saturating_add(1) >= second
    }

    /// Units over this second and the one before, as of `second` (rolled).
    fn usage(&self) -> u64 {
        self.used.saturating_add(self.before)
    }
}

/// How long a source's request may wait for its user's units (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Share {
    /// Below the mean: the whole hold.
    Below,
    /// At or above the mean, and the only active source: half the hold.
    Alone,
    /// Above the mean, beside other active sources: no wait.
    Over,
}

impl Share {
    /// The longest wait for a hold of `hold` microseconds.
    pub(super) fn limit(self, hold: u64) -> u64 {
        match self {
            Share::Below => hold,
            Share::Alone => hold / 2,
            Share::Over => 0,
        }
    }
}

/// One user's sources and their use of its budget.
#[derive(Debug)]
pub(super) struct Fair {
    pollers: Vec<Poller>,
}

impl Fair {
    pub(super) fn new() -> Fair {
        Fair {
            pollers: Vec::with_capacity(FAIR_SOURCES),
        }
    }

    /// Where `key` stands among the user's active sources at `now`.
    pub(super) fn share(&mut self, key: SourceKey, now: Instant) -> Share {
        let second = now.secs();
        let (mut active, mut total, mut mine) = (0u64, 0u64, 0u64);
        let mut seen = false;
        for p in &mut self.pollers {
            p.roll(second);
            if p.key == key {
                seen = true;
                mine = p.usage();
            } else if !p.active(second) {
                continue;
            }
            active += 1;
            total = total.saturating_add(p.usage());
        }
        if !seen {
            // A newcomer counts as one more active source, with nothing used.
            active += 1;
        }
        let scaled = mine.saturating_mul(active);
        match (scaled < total, active <= 1) {
            (true, _) => Share::Below,
            (false, true) => Share::Alone,
            (false, false) if scaled > total => Share::Over,
            // Exactly at the mean beside others (all equal, or all idle): take turns like a
            // lone source.
            (false, false) => Share::Alone,
        }
    }

    /// Records `units` charged to a verified request from `key` at `now` (0 for one the user's
    /// budget refused: the source is active all the same).
    pub(super) fn charge(&mut self, key: SourceKey, now: Instant, units: u32) {
        let second = now.secs();
        let at = match self.pollers.iter().position(|p| p.key == key) {
            Some(at) => at,
            None => self.make_room(key, second),
        };
        if let Some(p) = self.pollers.get_mut(at) {
            p.roll(second);
            p.used = p.used.saturating_add(u64::from(units));
            p.last = second;
        }
    }

    /// Gives back `units` of an earlier charge from `key`.
    pub(super) fn refund(&mut self, key: SourceKey, now: Instant, units: u32) {
        let second = now.secs();
        if let Some(p) = self.pollers.iter_mut().find(|p| p.key == key) {
            p.roll(second);
            p.used = p.used.saturating_sub(u64::from(units));
        }
    }

    /// A slot for `key`: a new one while there are fewer than [`FAIR_SOURCES`], else the one
    /// seen least recently, reset.
    fn make_room(&mut self, key: SourceKey, second: u64) -> usize {
        let fresh = Poller {
            key,
            last: second,
            second,
            used: 0,
            before: 0,
        };
        if self.pollers.len() < FAIR_SOURCES {
            self.pollers.push(fresh);
            return self.pollers.len() - 1;
        }
        let oldest = self
            .pollers
            .iter()
            .enumerate()
            .min_by_key(|(_, p)| p.last)
            .map_or(0, |(at, _)| at);
        if let Some(p) = self.pollers.get_mut(oldest) {
            *p = fresh;
        }
        oldest
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: SourceKey = SourceKey::V4(1);
    const B: SourceKey = SourceKey::V4(2);

    fn at(millis: u64) -> Instant {
        Instant::from_millis(10_000 + millis)
    }

    #[test]
    fn a_lone_source_may_wait_half_the_hold_and_a_newcomer_the_whole() {
        let mut fair = Fair::new();
        assert_eq!(fair.share(A, at(0)), Share::Alone, "nobody yet");
        fair.charge(A, at(0), 1000);
        assert_eq!(fair.share(A, at(1)), Share::Alone);
        assert_eq!(fair.share(B, at(1)), Share::Below, "a newcomer");
        assert_eq!(Share::Alone.limit(200_000), 100_000);
        // Once B is active, A (using more) may not queue ahead of it; B may.
        fair.charge(B, at(2), 33);
        assert_eq!(fair.share(A, at(3)), Share::Over);
        assert_eq!(fair.share(B, at(3)), Share::Below);
        assert_eq!(Share::Over.limit(200_000), 0);
    }

    #[test]
    fn use_is_forgotten_after_two_seconds_and_idle_sources_drop_out() {
        let mut fair = Fair::new();
        fair.charge(A, at(0), 1000);
        fair.charge(B, at(0), 10);
        assert_eq!(
            fair.share(A, at(1_500)),
            Share::Over,
            "the second before counts"
        );
        // Two seconds on, B is no longer active: A is alone again.
        fair.charge(A, at(2_100), 5);
        assert_eq!(fair.share(A, at(2_200)), Share::Alone);
        // Refunds come off the source that was charged.
        fair.charge(B, at(2_300), 100);
        fair.refund(B, at(2_300), 100);
        assert_eq!(fair.share(A, at(2_400)), Share::Over);
    }

    #[test]
    fn bounded_and_the_least_recently_seen_is_replaced() {
        let mut fair = Fair::new();
        for n in 0..FAIR_SOURCES as u32 {
            fair.charge(SourceKey::V4(100 + n), at(u64::from(n) * 1000), 10);
        }
        fair.charge(SourceKey::V4(999), at(9_000), 10);
        assert_eq!(fair.pollers.len(), FAIR_SOURCES);
        assert!(fair.pollers.iter().all(|p| p.key != SourceKey::V4(100)));
        assert!(fair.pollers.iter().any(|p| p.key == SourceKey::V4(999)));
    }
}
