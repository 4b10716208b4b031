//! The driver's totals: counted by the tasks, summarised every [`SUMMARY_INTERVAL`] with the
//! security events, read through a [`Monitor`], and logged once more at shutdown.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use tokio::sync::watch;

use super::events::log_events;
use super::shared::Shared;

/// How often security events are summarised in the log.
pub const SUMMARY_INTERVAL: Duration = Duration::from_secs(60);

/// What the server did, for the final log line and for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Datagrams received.
    pub received: u64,
    /// Responses sent.
    pub responses: u64,
    /// Reports sent.
    pub reports: u64,
    /// Datagrams dropped without a reply.
    pub dropped: u64,
    /// Replies the socket refused to send.
    pub send_errors: u64,
    /// Times a socket task paused reading because the intake ceiling was reached.
    pub intake_pauses: u64,
    /// Times a socket task paused reading (receive moderation) after a batch that refused a
    /// datagram, instead of waking for the next datagram at once.
    pub moderated: u64,
    /// Times the kernel filter of flooding sources was replaced (a source blocked or released).
    pub kernel_filters: u64,
}

/// A view of a running server's totals, for tests and monitoring.
#[derive(Clone)]
pub struct Monitor {
    pub(super) shared: Arc<Shared>,
}

impl Monitor {
    /// The totals so far.
    pub fn summary(&self) -> Summary {
        self.shared.totals.snapshot()
    }
}

/// Totals since start, counted without a lock.
#[derive(Default)]
pub(super) struct Totals {
    pub(super) received: AtomicU64,
    pub(super) responses: AtomicU64,
    pub(super) reports: AtomicU64,
    pub(super) dropped: AtomicU64,
    pub(super) send_errors: AtomicU64,
    pub(super) intake_pauses: AtomicU64,
    pub(super) moderated: AtomicU64,
    /// Times the kernel filter of flooding sources was replaced.
    pub(super) kernel_filters: AtomicU64,
}

impl Summary {
    /// The final log line, at shutdown, after `uptime`.
    pub(super) fn log_stopped(&self, uptime: Duration) {
        tracing::info!(
            uptime_s = uptime.as_secs(),
            received = self.received,
            responses = self.responses,
            reports = self.reports,
            dropped = self.dropped,
            send_errors = self.send_errors,
            moderated = self.moderated,
            intake_pauses = self.intake_pauses,
            kernel_filters = self.kernel_filters,
            "dqi-agent stopped"
        );
    }
}

impl Totals {
    pub(super) fn snapshot(&self) -> Summary {
        Summary {
            received: self.received.load(Ordering::Relaxed),
            responses: self.responses.load(Ordering::Relaxed),
            reports: self.reports.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            send_errors: self.send_errors.load(Ordering::Relaxed),
            intake_pauses: self.intake_pauses.load(Ordering::Relaxed),
            moderated: self.moderated.load(Ordering::Relaxed),
            kernel_filters: self.kernel_filters.load(Ordering::Relaxed),
        }
    }
}

/// Logs the security events and any intake pauses every [`SUMMARY_INTERVAL`] until `stop`.
pub(super) async fn summary_loop(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(SUMMARY_INTERVAL);
    interval.tick().await; // the first tick is immediate
    let mut pauses = 0;
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = interval.tick() => {}
        }
        let mut events = std::mem::take(&mut *shared.events.lock());
        log_events(&mut events);
        // One line per interval, however long the ceiling held.
        let now = shared.totals.intake_pauses.load(Ordering::Relaxed);
        if now > pauses {
            tracing::warn!(
                pauses = now - pauses,
                "intake ceiling reached: reading paused, the kernel dropped what did not fit"
            );
        }
        pauses = now;
    }
}
