//! Request-time values of the [`Live`] objects: counters, engine time, the host clock and the
//! DQI-MIB budget objects, resolved from the agent's state at the moment a request reads them.

use super::{Clock, UNKNOWN_DATE};
use crate::device::date::Timestamp;
use crate::mib::{self, Live, Resolve, Value};
use crate::stats::Counters;
use crate::time::Instant;

/// Request-time values of the [`Live`] objects.
pub(super) struct LiveValues<'a> {
    pub(super) counters: &'a Counters,
    pub(super) boots: u32,
    pub(super) engine_time: u32,
    /// Milliseconds since start-up.
    pub(super) uptime: u128,
    pub(super) clock: Option<Clock>,
    pub(super) now: Instant,
    pub(super) budget: mib::budget::View<'a>,
    pub(super) notifier: Option<&'a crate::notify::Notifier>,
}

impl super::Agent {
    /// The request-time values as of `now`, for one request.
    pub(super) fn live_values(&self, now: Instant) -> LiveValues<'_> {
        LiveValues {
            counters: &self.counters,
            boots: self.boots,
            engine_time: self.engine_time(now),
            uptime: now.saturating_since(self.started).as_millis(),
            clock: self.clock,
            now,
            budget: mib::budget::View {
                budget: &self.budget,
                now,
                started: self.started,
                last_rejection: self.last_rejection,
                receive: self.receive,
            },
            notifier: self.notifier.as_ref(),
        }
    }
}

impl Resolve for LiveValues<'_> {
    fn resolve(&self, live: Live) -> Value {
        match live {
            // TimeTicks wrap at 2^32 hundredths (RFC 2578 §7.1.8).
            Live::SysUpTime => Value::TimeTicks((self.uptime / 10) as u32),
            Live::EngineBoots => Value::Integer(i32::try_from(self.boots).unwrap_or(i32::MAX)),
            Live::EngineTime => Value::Integer(i32::try_from(self.engine_time).unwrap_or(i32::MAX)),
            Live::Counter(c) => Value::Counter32(self.counters.get(c)),
            Live::HostUptime => {
                let micros = self.clock.map_or(0, |c| c.host_uptime_micros_at_origin);
                Value::TimeTicks((micros.saturating_add(self.now.micros()) / 10_000) as u32)
            }
            Live::HostDate => match self.clock {
                Some(c) => {
                    let unix = c.unix_micros_at_origin.saturating_add(self.now.micros());
                    let mut octets = Timestamp::from_unix_seconds(unix / 1_000_000).date_and_time();
                    // Deci-seconds, then UTC: direction '+', zero hours and minutes (RFC 2579).
                    if let Some(d) = octets.get_mut(7) {
                        *d = ((unix % 1_000_000) / 100_000) as u8;
                    }
                    octets.truncate(8);
                    octets.extend_from_slice(b"+\0\0");
                    Value::octets(octets)
                }
                None => Value::octets(UNKNOWN_DATE),
            },
            Live::Budget(object) => mib::budget::value(object, &self.budget),
            Live::Notify(object) => mib::notify::value(object, self.notifier),
        }
    }
}
