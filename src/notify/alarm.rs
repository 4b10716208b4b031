//! When a refusal becomes a notification: `authenticationFailure` at most once per interval
//! (RFC 3418 `snmpEnableAuthenTraps`, off unless configured), and `dqiBudgetExhausted` once per
//! streak of budget refusals that has lasted longer than a threshold: a device being flooded
//! says so once, not once per refused request.

use core::time::Duration;

use crate::budget::Rejection;
use crate::time::Instant;

/// A streak ends after this long without a refusal of its kind.
pub const STREAK_GAP: Duration = Duration::from_secs(10);

/// The alarms' settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AlarmConfig {
    /// Send `authenticationFailure` (`snmpEnableAuthenTraps`).
    pub auth_failures: bool,
    /// At most one `authenticationFailure` per this interval.
    pub auth_interval: Duration,
    /// Refusals of one kind for this long make a `dqiBudgetExhausted`.
    pub budget_after: Duration,
}

impl Default for AlarmConfig {
    fn default() -> AlarmConfig {
        AlarmConfig {
            auth_failures: false,
            auth_interval: Duration::from_secs(60),
            budget_after: Duration::from_secs(30),
        }
    }
}

#[derive(Debug, Clone, Copy, Default)]
struct Streak {
    since: Option<Instant>,
    last: Instant,
    notified: bool,
}

/// The alarms' state.
#[derive(Debug)]
pub struct Alarms {
    config: AlarmConfig,
    last_auth: Option<Instant>,
    streaks: [Streak; Rejection::ALL.len()],
}

impl Alarms {
    /// Alarms with `config`, nothing seen yet.
    pub fn new(config: AlarmConfig) -> Alarms {
        Alarms {
            config,
            last_auth: None,
            streaks: [Streak::default(); Rejection::ALL.len()],
        }
    }

    /// A request failed authentication at `now`: whether to send `authenticationFailure`.
    pub fn auth_failure(&mut self, now: Instant) -> bool {
        if !self.config.auth_failures {
            return false;
        }
        if let Some(last) = self.last_auth
            && now.saturating_since(last) < self.config.auth_interval
        {
            return false;
        }
        self.last_auth = Some(now);
        true
    }

    /// The budget refused a request for `reason` at `now`: whether to send
    /// `dqiBudgetExhausted` (once per streak, when it has lasted `budget_after`).
    pub fn refused(&mut self, reason: Rejection, now: Instant) -> bool {
        let index = Rejection::ALL.iter().position(|r| *r == reason);
        let Some(streak) = index.and_then(|i| self.streaks.get_mut(i)) else {
            return false;
        };
        let continues = streak
            .since
            .is_some_and(|_| now.saturating_since(streak.last) <= STREAK_GAP);
        if !continues {
            *streak = Streak {
                since: Some(now),
                last: now,
                notified: false,
            };
        }
        streak.last = now;
        let lasted = streak
            .since
            .is_some_and(|since| now.saturating_since(since) >= self.config.budget_after);
        if lasted && !streak.notified {
            streak.notified = true;
            return true;
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn auth_failures_are_off_unless_asked_and_then_limited() {
        let mut off = Alarms::new(AlarmConfig::default());
        assert!(!off.auth_failure(Instant::ZERO));
        let mut on = Alarms::new(AlarmConfig {
            auth_failures: true,
            ..AlarmConfig::default()
        });
        assert!(on.auth_failure(Instant::from_secs(1)));
        assert!(!on.auth_failure(Instant::from_secs(30)));
        assert!(on.auth_failure(Instant::from_secs(61)));
    }

    #[test]
    fn a_streak_longer_than_the_threshold_notifies_once() {
        let mut a = Alarms::new(AlarmConfig {
            budget_after: Duration::from_secs(20),
            ..AlarmConfig::default()
        });
        let mut fired = 0;
        for s in 0..=60 {
            fired += usize::from(a.refused(Rejection::PerSource, Instant::from_secs(s)));
            if s == 19 {
                assert_eq!(fired, 0);
            }
        }
        assert_eq!(fired, 1);
        // Other kinds have their own streaks; a pause longer than the gap starts a new one.
        assert!(!a.refused(Rejection::PerUser, Instant::from_secs(60)));
        let later = 60 + STREAK_GAP.as_secs() + 1;
        for s in later..later + 20 {
            assert!(!a.refused(Rejection::PerSource, Instant::from_secs(s)));
        }
        assert!(a.refused(Rejection::PerSource, Instant::from_secs(later + 20)));
        // Short bursts never notify.
        let mut b = Alarms::new(AlarmConfig::default());
        for s in (0..300).step_by(15) {
            assert!(!b.refused(Rejection::Global, Instant::from_secs(s)));
        }
    }
}
