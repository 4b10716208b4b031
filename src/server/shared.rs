//! [`Shared`]: what every driver task shares: the agent behind its lock, the clock's origin,
//! the state directory for boots, the security events and totals, and the intake bucket.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;

use super::events::Events;
use super::summary::Totals;
use crate::agent::{Agent, Outcome};
use crate::budget::Bucket;
use crate::state::State;
use crate::time::Instant;

/// The fewest datagrams in a drained batch that [`Shared::note_arrivals`] takes a rate from.
pub(super) const MIN_BATCH: u32 = 32;

/// The shortest span [`Shared::note_arrivals`] divides a batch by.
const MIN_SPAN_MICROS: u64 = 10_000;

/// What the socket, refresh, AgentX and filter tasks share.
pub(super) struct Shared {
    /// The protocol core; locked only around `handle`.
    pub(super) agent: Mutex<Agent>,
    /// The origin of the agent's clock.
    pub(super) origin: std::time::Instant,
    /// Where boots are persisted; `None` in tests that need no state directory.
    pub(super) state: Mutex<Option<State>>,
    /// The boots value last persisted, to notice the agent bumping it without taking a lock.
    pub(super) boots: AtomicU32,
    /// Security events since the last summary.
    pub(super) events: Mutex<Events>,
    /// Totals since start.
    pub(super) totals: Totals,
    /// The largest reply, to size each task's reply buffer once.
    pub(super) max_message_size: usize,
    /// The intake ceiling: one token per datagram read, shared by every socket task.
    pub(super) intake: Mutex<Bucket>,
    /// Receive moderation: see [`ReceiveConfig::moderation`].
    pub(super) moderation: Duration,
    /// Answers each socket task holds at once: see [`ReceiveConfig::hold_slots`].
    pub(super) hold_slots: usize,
    /// Wakes the kernel filter's task as soon as the budget flags a flooding source, or a
    /// socket task sees datagrams arrive faster than the filter's sample aims at.
    pub(super) flooding: tokio::sync::Notify,
    /// The intake ceiling in datagrams a second, for the filter's sample.
    pub(super) intake_per_second: u64,
    /// The fastest arrival rate (datagrams a second) a socket task measured since the filter
    /// task last took it: see [`Shared::note_arrivals`].
    pub(super) arrivals: AtomicU64,
}

impl Shared {
    /// The agent's clock: microseconds since start-up on the monotonic clock.
    pub(super) fn now(&self) -> Instant {
        Instant::from_micros(u64::try_from(self.origin.elapsed().as_micros()).unwrap_or(u64::MAX))
    }

    /// sysUpTime now, in hundredths: the agent's uptime starts at the same origin. Wraps like
    /// TimeTicks (RFC 2578 §7.1.8).
    pub(super) fn uptime_ticks(&self) -> u32 {
        (self.now().micros() / 10_000) as u32
    }

    pub(super) fn handle(
        &self,
        datagram: &[u8],
        source: SocketAddr,
        reply: &mut Vec<u8>,
    ) -> Outcome {
        let now = self.now();
        let (outcome, boots, flooding) = {
            let mut agent = self.agent.lock();
            let outcome = agent.handle(datagram, source, now, reply);
            (outcome, agent.engine_boots(), agent.flooders_pending())
        };
        if flooding {
            self.flooding.notify_one();
        }
        self.totals.received.fetch_add(1, Ordering::Relaxed);
        match outcome {
            Outcome::Response | Outcome::Held { .. } => {
                self.totals.responses.fetch_add(1, Ordering::Relaxed);
            }
            Outcome::Report(counter) => {
                self.totals.reports.fetch_add(1, Ordering::Relaxed);
                self.events.lock().record(source.ip(), counter);
            }
            Outcome::Dropped(counter) => {
                self.totals.dropped.fetch_add(1, Ordering::Relaxed);
                self.events.lock().record(source.ip(), counter);
            }
            Outcome::OverBudget { reason, reported } => {
                let total = match reported {
                    true => &self.totals.reports,
                    false => &self.totals.dropped,
                };
                total.fetch_add(1, Ordering::Relaxed);
                self.events.lock().record(source.ip(), reason);
            }
        }
        tracing::debug!(%source, ?outcome, len = datagram.len(), "request");
        if boots != self.boots.load(Ordering::Relaxed) {
            self.persist_boots(boots);
        }
        outcome
    }

    /// A socket task drained `batch` datagrams that all arrived within `span` (the socket was
    /// empty `span` ago): records the rate for the kernel filter's sample, and wakes the filter
    /// task when it outruns three quarters of the intake ceiling (the sample's aim), so that
    /// sampling starts within a batch of a flood's start. Only batches of at least
    /// [`MIN_BATCH`] count: a few datagrams close together say nothing of a rate.
    pub(super) fn note_arrivals(&self, batch: u32, span: Duration) {
        if batch < MIN_BATCH {
            return;
        }
        // A batch that arrived within a few milliseconds is one sender's burst, not a rate.
        let micros = u64::try_from(span.as_micros())
            .unwrap_or(u64::MAX)
            .max(MIN_SPAN_MICROS);
        let rate = u64::from(batch).saturating_mul(1_000_000) / micros;
        self.arrivals.fetch_max(rate, Ordering::Relaxed);
        if rate.saturating_mul(4) > self.intake_per_second.saturating_mul(3) {
            self.flooding.notify_one();
        }
    }

    /// Counts held answers a socket task shed (see [`crate::agent::Outcome::Held`]).
    pub(super) fn note_shed(&self, n: u64) {
        self.agent.lock().note_shed(n);
    }

    /// Takes up to `max` intake tokens (at least one), or says how long until one refills.
    pub(super) fn intake_take(&self, max: u32) -> Result<u32, Duration> {
        let now = self.now();
        let mut intake = self.intake.lock();
        let wanted = intake.available(now).min(max);
        if wanted > 0 && intake.try_take(now, wanted) {
            return Ok(wanted);
        }
        // One token's refill time, at least the timer's 1 ms resolution and the moderation
        // interval, so that a flood held at the ceiling is read in batches, not one datagram
        // per wake-up.
        let micros = intake.rate().micros_per_token();
        Err(Duration::from_micros(micros.max(1000)).max(self.moderation))
    }

    /// Records a boots value the agent moved to. Rare (engineTime wraps after 68 years), so the
    /// blocking write on the socket task is acceptable.
    pub(super) fn persist_boots(&self, boots: u32) {
        let mut state = self.state.lock();
        // Another task may have persisted it while this one waited for the lock.
        if self.boots.load(Ordering::Relaxed) == boots {
            return;
        }
        if let Some(state) = state.as_mut() {
            match state.persist_boots(boots) {
                Ok(()) => tracing::info!(boots, "snmpEngineBoots incremented and persisted"),
                Err(e) => tracing::error!(boots, error = %e, "cannot persist snmpEngineBoots"),
            }
        }
        self.boots.store(boots, Ordering::Relaxed);
    }
}
