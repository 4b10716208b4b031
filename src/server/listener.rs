//! One listening UDP socket and the task that drives it: receive, [`Agent::handle`], send.
//!
//! Besides moving datagrams, this module owns the two times the task deliberately does not
//! read: the intake ceiling (`[budget] intake`) and receive moderation (`[budget]
//! moderation_ms`, after a batch that held a refused datagram). In both, the socket is taken
//! out of the runtime's epoll set for the wait. That is the point of waiting: the runtime
//! registers sockets edge-triggered, and an edge-triggered registration wakes the thread for
//! every datagram that arrives, whether or not a task waits for it, so a socket left
//! registered would cost a wake-up per flood datagram however long the task slept. Out of the
//! set, datagrams queue in the kernel at no cost to this process (beyond the receive buffer the
//! kernel drops them, counted in the host's `RcvbufErrors`), and the next read drains them in
//! one batch. A second descriptor for the same socket is kept so that a failed re-registration
//! (epoll out of memory) cannot lose it: the task retries every second instead. What arrives
//! during a pause must fit the socket's receive buffer; a configuration where it may not is
//! warned about at start-up ([`Listener::warn_if_pause_overflows`]).
//!
//! [`Agent::handle`]: crate::agent::Agent::handle

use std::io::{self, ErrorKind};
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::watch;

use super::ReceiveConfig;
use super::{RECEIVE_BUFFER, Shared};
use crate::agent::Outcome;

/// Intake tokens a socket task takes from the shared bucket at once, at most.
const INTAKE_TOKENS: u32 = 16;
/// The first moderation pause: the runtime's timer resolution.
const MIN_PAUSE: Duration = Duration::from_millis(1);
/// How long to wait before retrying a failed re-registration with the runtime.
const RETRY_REGISTER: Duration = Duration::from_secs(1);

/// The kernel's accounting per queued small datagram on Linux (its `truesize`, measured on
/// loopback): what turns a receive buffer size into a datagram count.
const QUEUED_DATAGRAM_OCTETS: usize = 832;

/// How many datagrams a moderation pause (or an intake pause, which is as long) may queue at
/// the intake ceiling, against how many the socket's receive buffer holds. When they do not
/// fit, the kernel drops during each pause, pollers' datagrams with the flood's, below the
/// ceiling: worth a warning at start-up, with the two ways out.
fn pause_overflows(buffer: usize, receive: &ReceiveConfig) -> Option<(u64, u64)> {
    let pause = u64::try_from(receive.moderation.as_micros()).unwrap_or(u64::MAX);
    let queued = receive.intake.tokens_in(pause);
    let holds = (buffer / QUEUED_DATAGRAM_OCTETS) as u64;
    (queued > holds).then_some((queued, holds))
}

/// A bound socket registered with the runtime.
pub(super) struct Listener {
    socket: UdpSocket,
    /// Another descriptor for the same socket, never registered: the way back to it if
    /// leaving or rejoining the epoll set fails part way.
    spare: std::net::UdpSocket,
}

impl Listener {
    /// Registers `socket` (bound, non-blocking) with the current runtime.
    pub(super) fn new(socket: std::net::UdpSocket) -> io::Result<Listener> {
        let spare = socket.try_clone()?;
        Ok(Listener {
            socket: UdpSocket::from_std(socket)?,
            spare,
        })
    }

    /// Warns when a pause at `receive`'s intake ceiling may queue more datagrams than this
    /// socket's receive buffer, as granted, holds.
    pub(super) fn warn_if_pause_overflows(&self, addr: SocketAddr, receive: &ReceiveConfig) {
        let Ok(buffer) = socket2::SockRef::from(&self.socket).recv_buffer_size() else {
            return;
        };
        if let Some((queued, holds)) = pause_overflows(buffer, receive) {
            tracing::warn!(
                %addr,
                queued,
                holds,
                "at budget.intake, a budget.moderation_ms pause may queue more datagrams than \
                 the socket's receive buffer holds; raise net.core.rmem_max (the agent asks for \
                 1 MiB) or lower budget.moderation_ms"
            );
        }
    }

    pub(super) fn local_addr(&self) -> io::Result<SocketAddr> {
        self.socket.local_addr()
    }

    /// Leaves the epoll set for `wait`, then rejoins it. `None` if told to stop meanwhile.
    async fn pause(self, wait: Duration, stop: &mut watch::Receiver<bool>) -> Option<Listener> {
        let Listener { socket, spare } = self;
        let mut parked = match socket.into_std() {
            Ok(socket) => Some(socket),
            Err(e) => {
                tracing::warn!(error = %e, "could not pause the socket; resuming from its spare descriptor");
                None
            }
        };
        let mut wait = wait;
        loop {
            tokio::select! {
                biased;
                _ = stop.changed() => return None,
                () = tokio::time::sleep(wait) => {}
            }
            let socket = match parked.take() {
                Some(socket) => Ok(socket),
                None => spare.try_clone(),
            };
            match socket.and_then(UdpSocket::from_std) {
                Ok(socket) => return Some(Listener { socket, spare }),
                Err(e) => {
                    tracing::error!(error = %e, "could not resume reading the socket; retrying");
                    wait = RETRY_REGISTER;
                }
            }
        }
    }

    /// The next queued datagram; `WouldBlock` when none is.
    fn try_receive(&self, buffer: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
        self.socket.try_recv_from(buffer)
    }

    /// Waits until a datagram may be queued. `false` if told to stop first.
    async fn readable(&self, stop: &mut watch::Receiver<bool>) -> bool {
        tokio::select! {
            biased;
            _ = stop.changed() => false,
            ready = self.socket.readable() => {
                if let Err(e) = ready {
                    tracing::debug!(error = %e, "socket not readable");
                }
                true
            }
        }
    }

    async fn send(&self, datagram: &[u8], to: SocketAddr) -> io::Result<usize> {
        // A full send buffer is rare for replies; fall back to waiting for writability.
        match self.socket.try_send_to(datagram, to) {
            Err(e) if e.kind() == ErrorKind::WouldBlock => self.socket.send_to(datagram, to).await,
            other => other,
        }
    }
}

/// Receive moderation's state for one socket: whether the batch being read (since the socket
/// was last found empty) refused anything, how many datagrams it read, and the current pause.
struct Moderation {
    /// The longest pause (`[budget] moderation_ms`); zero turns moderation off.
    max: Duration,
    pause: Duration,
    refused: bool,
    read: u32,
}

impl Moderation {
    fn new(max: Duration) -> Moderation {
        Moderation {
            max,
            pause: Duration::ZERO,
            refused: false,
            read: 0,
        }
    }

    /// Records one datagram of the current batch and what became of it.
    fn record(&mut self, outcome: &Outcome) {
        self.read = self.read.saturating_add(1);
        self.refused |= matches!(outcome, Outcome::Dropped(_) | Outcome::OverBudget { .. });
    }

    /// The socket was found empty: ends the batch, and says how long to pause before reading
    /// on (`None`: wait for the next datagram at once). A batch that refused a datagram means
    /// a flood may be running, so the next batch is left to queue in the kernel rather than
    /// waking for each datagram of it. The pause doubles while batches keep refusing, up to
    /// `max`, so a stray refusal costs the datagrams behind it a millisecond and a sustained
    /// flood the full interval. Only a batch that read something and refused nothing ends it;
    /// an empty one (nothing arrived during the pause) keeps it for the next refusing batch.
    fn drained(&mut self) -> Option<Duration> {
        let refused = std::mem::take(&mut self.refused);
        let read = std::mem::take(&mut self.read);
        if refused {
            self.pause = (self.pause * 2).max(MIN_PAUSE).min(self.max);
        } else if read > 0 {
            self.pause = Duration::ZERO;
        }
        (refused && !self.pause.is_zero()).then_some(self.pause)
    }
}

/// Serves `listener` until `stop`: one datagram at a time, with a receive buffer and a reply
/// buffer reused for every datagram.
pub(super) async fn run(listener: Listener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut listener = listener;
    let mut datagram = vec![0u8; RECEIVE_BUFFER];
    let mut reply = Vec::with_capacity(shared.max_message_size);
    let mut moderation = Moderation::new(shared.moderation);
    // Intake tokens held for the next datagrams read, taken a few at a time so that the shared
    // bucket's lock and the clock are not paid per datagram.
    let mut tokens = 0u32;
    loop {
        // The intake ceiling: hold a token before reading, so that beyond the ceiling the
        // kernel drops, at no cost to this process. Bounded: each wait ends with a token.
        while tokens == 0 {
            match shared.intake_take(INTAKE_TOKENS) {
                Ok(taken) => tokens = taken,
                Err(wait) => {
                    shared.totals.intake_pauses.fetch_add(1, Ordering::Relaxed);
                    listener = match listener.pause(wait, &mut stop).await {
                        Some(listener) => listener,
                        None => return,
                    };
                }
            }
        }
        // Drain what the kernel has queued without going back to the runtime per datagram.
        let (len, source) = match listener.try_receive(&mut datagram) {
            Ok(received) => received,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                // Drained: pause (receive moderation) or wait for the next datagram.
                if let Some(pause) = moderation.drained() {
                    shared.totals.moderated.fetch_add(1, Ordering::Relaxed);
                    listener = match listener.pause(pause, &mut stop).await {
                        Some(listener) => listener,
                        None => return,
                    };
                } else if !listener.readable(&mut stop).await {
                    return;
                }
                continue;
            }
            Err(e) => {
                // Transient (an ICMP error queued on the socket, memory pressure): keep serving.
                tracing::debug!(error = %e, "receive failed");
                continue;
            }
        };
        tokens = tokens.saturating_sub(1);
        let Some(data) = datagram.get(..len) else {
            continue;
        };
        let outcome = shared.handle(data, source, &mut reply);
        moderation.record(&outcome);
        if matches!(
            outcome,
            Outcome::Response | Outcome::Report(_) | Outcome::OverBudget { reported: true, .. }
        ) && let Err(e) = listener.send(&reply, source).await
        {
            shared.totals.send_errors.fetch_add(1, Ordering::Relaxed);
            tracing::debug!(%source, error = %e, "send failed");
        }
        if *stop.borrow() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pause_must_fit_the_receive_buffer() {
        let mut budget = ReceiveConfig::default();
        // The defaults (2,000/s, 50 ms: 100 datagrams) fit even Linux's default 208 KiB cap,
        // which the kernel doubles.
        assert_eq!(pause_overflows(2 * 212_992, &budget), None);
        budget.intake = "20000/second".parse().unwrap();
        assert_eq!(pause_overflows(2 * 212_992, &budget), Some((1000, 512)));
        assert_eq!(pause_overflows(2 << 20, &budget), None);
        budget.moderation = Duration::ZERO;
        assert_eq!(pause_overflows(0, &budget), None);
    }
}
