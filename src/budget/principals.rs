//! The per-user buckets and the statistics behind the DQI-MIB `dqiBudgetTable`.
//!
//! Built once from the configured user names, sorted for binary search: the table never grows
//! and is never evicted, so no sender can push a user's state out (unlike the source table),
//! and a user's bucket stays exact under any flood.

use alloc::vec::Vec;

use super::config::{BudgetConfig, Work};
use super::fair::Fair;
use super::rate::{Bucket, Rate};
use super::sources::SourceKey;
use crate::time::Instant;

/// One row of the DQI-MIB `dqiBudgetTable`: a user's budget and its use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PrincipalRow<'a> {
    /// The `usmUserName`.
    pub user: &'a [u8],
    /// The configured refill rate, in cost units.
    pub rate: Rate,
    /// The configured capacity, in cost units.
    pub burst: u32,
    /// Cost units available now.
    pub available: u32,
    /// Cost units spent in the current minute (minutes counted from the driver's origin).
    pub used_this_minute: u64,
    /// Cost units spent in the current hour.
    pub used_this_hour: u64,
    /// Requests charged to this user (they passed every budget check).
    pub accepted: u64,
    /// Requests refused for this user.
    pub rejected: u64,
    /// When a request for this user was last refused.
    pub last_rejection: Option<Instant>,
}

/// The users' buckets, sorted by name.
#[derive(Debug)]
pub(super) struct Principals {
    all: Vec<Principal>,
}

#[derive(Debug)]
pub(super) struct Principal {
    name: Vec<u8>,
    pub(super) bucket: Bucket,
    /// The share of each source polling as this user.
    fair: Fair,
    usage: Usage,
    accepted: u64,
    rejected: u64,
    last_rejection: Option<Instant>,
}

impl Principals {
    /// A full bucket for each of `users`, with its own budget from `config.users` if listed.
    pub(super) fn new<U: AsRef<[u8]>>(
        config: &BudgetConfig,
        users: impl IntoIterator<Item = U>,
        now: Instant,
    ) -> Principals {
        let mut all: Vec<Principal> = users
            .into_iter()
            .map(|name| {
                let name = name.as_ref().to_vec();
                let own = config.users.iter().find(|u| u.user == name);
                let (rate, burst) =
                    own.map_or((config.per_user, config.user_burst), |u| (u.rate, u.burst));
                Principal {
                    name,
                    bucket: Bucket::new(rate, burst, now),
                    fair: Fair::new(),
                    usage: Usage::default(),
                    accepted: 0,
                    rejected: 0,
                    last_rejection: None,
                }
            })
            .collect();
        all.sort_by(|a, b| a.name.cmp(&b.name));
        all.dedup_by(|a, b| a.name == b.name);
        Principals { all }
    }

    /// The position of `user`, stable for the table's life.
    pub(super) fn find(&self, user: &[u8]) -> Option<usize> {
        self.all
            .binary_search_by(|p| p.name.as_slice().cmp(user))
            .ok()
    }

    /// The name of the principal at `at`.
    pub(super) fn name(&self, at: usize) -> Option<&[u8]> {
        self.all.get(at).map(|p| p.name.as_slice())
    }

    pub(super) fn get_mut(&mut self, at: usize) -> Option<&mut Principal> {
        self.all.get_mut(at)
    }

    /// The `dqiBudgetTable` rows at `now`.
    pub(super) fn rows(&self, now: Instant) -> impl Iterator<Item = PrincipalRow<'_>> {
        self.all.iter().map(move |p| {
            let (used_this_minute, used_this_hour) = p.usage.at(now);
            PrincipalRow {
                user: &p.name,
                rate: p.bucket.rate(),
                burst: p.bucket.burst(),
                available: p.bucket.available(now),
                used_this_minute,
                used_this_hour,
                accepted: p.accepted,
                rejected: p.rejected,
                last_rejection: p.last_rejection,
            }
        })
    }
}

impl Principal {
    /// How long a request from `key` may wait for this user's units: `hold` (microseconds),
    /// or less for a source using more than its share (see `fair.rs`).
    pub(super) fn limit(&mut self, key: SourceKey, hold: u64, now: Instant) -> u64 {
        self.fair.share(key, now).limit(hold)
    }

    /// The most GetBulk repetitions, up to `most`, whose cost the bucket pays within `limit`
    /// microseconds (see [`Principal::limit`]): `most` itself if it fits (and for requests
    /// other than GetBulk, whose cost does not depend on it), else the largest from 1 that
    /// does. `None` if nothing fits.
    pub(super) fn affordable(
        &self,
        config: &BudgetConfig,
        work: Work,
        most: u32,
        limit: u64,
        now: Instant,
    ) -> Option<u32> {
        let fits =
            |repetitions| self.bucket.wait_micros(now, config.cost(work, repetitions)) <= limit;
        if fits(most) {
            return Some(most);
        }
        if most <= 1 || !fits(1) {
            return None;
        }
        // The wait grows with the repetitions: fits(low) holds, fits(high) does not.
        let (mut low, mut high) = (1, most);
        while high - low > 1 {
            let middle = low + (high - low) / 2;
            if fits(middle) {
                low = middle;
            } else {
                high = middle;
            }
        }
        Some(low)
    }

    /// Takes `cost` (at most a full bucket) as of the instant the bucket pays it, now or
    /// later, and returns what was taken and that instant. Check [`Principal::affordable`]
    /// first: this always charges.
    pub(super) fn charge(&mut self, key: SourceKey, now: Instant, cost: u32) -> (u32, Instant) {
        let at = self.bucket.reserve(now, cost);
        let charged = cost.min(self.bucket.burst());
        self.usage.add(now, charged);
        self.fair.charge(key, now, charged);
        self.accepted = self.accepted.saturating_add(1);
        (charged, at)
    }

    /// Gives back `units` of an earlier charge for a request from `key`.
    pub(super) fn refund(&mut self, key: SourceKey, now: Instant, units: u32) {
        self.bucket.refund(units);
        self.usage.refund(now, units);
        self.fair.refund(key, now, units);
    }

    /// A verified request from `key` the budget refused: the source is active all the same.
    pub(super) fn note_active(&mut self, key: SourceKey, now: Instant) {
        self.fair.charge(key, now, 0);
    }

    pub(super) fn note_rejection(&mut self, now: Instant) {
        self.rejected = self.rejected.saturating_add(1);
        self.last_rejection = Some(now);
    }
}

/// Cost units spent in the current minute and hour: fixed windows counted from the driver's
/// origin, two numbers per user whatever the traffic.
#[derive(Debug, Default)]
struct Usage {
    minute: u64,
    used_minute: u64,
    hour: u64,
    used_hour: u64,
}

impl Usage {
    fn roll(&mut self, now: Instant) {
        let (minute, hour) = (now.secs() / 60, now.secs() / 3600);
        if minute != self.minute {
            self.minute = minute;
            self.used_minute = 0;
        }
        if hour != self.hour {
            self.hour = hour;
            self.used_hour = 0;
        }
    }

    fn add(&mut self, now: Instant, units: u32) {
        self.roll(now);
        self.used_minute = self.used_minute.saturating_add(u64::from(units));
        self.used_hour = self.used_hour.saturating_add(u64::from(units));
    }

    /// Refunds land in the current window; a settle runs in the same `handle` call as its
    /// charge, so it crosses a window boundary at most by microseconds.
    fn refund(&mut self, now: Instant, units: u32) {
        self.roll(now);
        self.used_minute = self.used_minute.saturating_sub(u64::from(units));
        self.used_hour = self.used_hour.saturating_sub(u64::from(units));
    }

    fn at(&self, now: Instant) -> (u64, u64) {
        let minute = if now.secs() / 60 == self.minute {
            self.used_minute
        } else {
            0
        };
        let hour = if now.secs() / 3600 == self.hour {
            self.used_hour
        } else {
            0
        };
        (minute, hour)
    }
}
