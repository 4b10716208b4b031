//! The driver's own settings: how the sockets are read. They are enforced here, in the driver,
//! and never reach the sans-I/O core (as quinn keeps socket and runtime settings out of
//! quinn-proto); the core only serves what the driver reports of them
//! ([`Receive`], `dqiBudgetIntakeCeiling` and `dqiBudgetModeration`).
//!
//! The TOML keys stay in `[budget]` (`intake`, `intake_burst`, `moderation_ms`), beside the
//! limits they work with; [`crate::config`] checks each once, by key.

use std::time::Duration;

use crate::budget::{Bucket, Period, Rate};
use crate::mib::budget::Receive;
use crate::time::Instant;

/// The longest receive moderation: SNMP managers time out after about a second.
pub const MAX_MODERATION: Duration = Duration::from_secs(1);

/// How the driver reads its sockets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReceiveConfig {
    /// Datagrams per period the server reads from its sockets at all; beyond it the kernel
    /// drops them. Default `10000/second`: above a flood of valid requests four times a user's
    /// default budget (about 2,400 a second), so that such a flood is refused by the user's
    /// budget, which tells its datagrams from another user's, not by the kernel, which cannot.
    pub intake: Rate,
    /// Capacity of the intake bucket, at least 1. Default 1000 (a tenth of a second at the
    /// default rate).
    pub intake_burst: u32,
    /// Receive moderation: after reading a batch of datagrams that held a refused one, the
    /// driver waits before it reads again (1 ms, doubling while batches keep refusing, up to
    /// this), then drains what queued meanwhile, so a flood costs one wake-up per interval
    /// instead of one per datagram. It also paces reading at the intake ceiling. Zero reads at
    /// once. At most [`MAX_MODERATION`]. Default 50 ms.
    pub moderation: Duration,
    /// Answers each socket task holds until their time (see
    /// [`crate::agent::Outcome::Held`]); when full, the oldest is shed. Default 32.
    pub hold_slots: usize,
    /// Datagrams a second from one source that no user answers for (malformed, discovery,
    /// unknown user, wrong digest) that get it dropped in the kernel, before the socket, for
    /// `block` (see `server/filter.rs`). Counted against the share of arriving datagrams the
    /// agent reads, so a flood the intake ceiling samples is judged by what it sends; a request
    /// a user's budget refused counts a twentieth, in full while the kernel drops three quarters of what arrives for want of reading (see `budget/flood.rs`). Zero never blocks, and turns the kernel filter off, its sample included.
    /// Default 200: four times `per_source`'s default rate, far beyond any manager, and more
    /// than a twentieth of what a flood of valid requests four times a user's default budget
    /// is refused (about 1,800 a second, counting 90) from an address other users may share.
    pub block_after: u32,
    /// How long a flooding source stays blocked; blocked again at once if it still floods.
    /// Default 10 s.
    pub block: Duration,
}

impl Default for ReceiveConfig {
    fn default() -> ReceiveConfig {
        ReceiveConfig {
            intake: Rate::at_least_one(10_000, Period::Second),
            intake_burst: 1000,
            moderation: Duration::from_millis(50),
            hold_slots: 32,
            block_after: 200,
            block: Duration::from_secs(10),
        }
    }
}

impl ReceiveConfig {
    /// An intake ceiling far beyond what a host can send, for tests and benchmarks of the rest
    /// of the agent; moderation as by default.
    pub fn unlimited() -> ReceiveConfig {
        const HUGE: u32 = 1_000_000_000;
        ReceiveConfig {
            intake: Rate::at_least_one(HUGE, Period::Second),
            intake_burst: HUGE,
            ..ReceiveConfig::default()
        }
    }

    /// A full intake bucket.
    pub(super) fn intake_bucket(&self, now: Instant) -> Bucket {
        Bucket::new(self.intake, self.intake_burst, now)
    }

    /// What the core serves of these settings.
    pub fn report(&self) -> Receive {
        let gauge = |n: u64| u32::try_from(n).unwrap_or(u32::MAX);
        Receive {
            intake_per_second: gauge(self.intake.tokens_in(1_000_000)),
            moderation_ms: gauge(u64::try_from(self.moderation.as_millis()).unwrap_or(u64::MAX)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_what_the_core_serves_of_them() {
        let c = ReceiveConfig::default();
        assert_eq!(c.intake, "10000/second".parse().unwrap());
        assert_eq!(c.intake_burst, 1000);
        assert_eq!((c.hold_slots, c.block_after), (32, 200));
        assert_eq!(c.block, Duration::from_secs(10));
        assert_eq!(
            c.report(),
            Receive {
                intake_per_second: 10_000,
                moderation_ms: 50
            }
        );
        let per_minute = ReceiveConfig {
            intake: "600/minute".parse().unwrap(),
            moderation: MAX_MODERATION,
            ..c
        };
        assert_eq!(
            per_minute.report(),
            Receive {
                intake_per_second: 10,
                moderation_ms: 1000
            }
        );
    }
}
