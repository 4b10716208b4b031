//! One listening UDP socket and the task that drives it: receive, [`Agent::handle`], send.
//!
//! Besides moving datagrams, this module keeps the answers the core holds until the user's
//! units refill ([`Outcome::Held`]: a bounded queue per socket, oldest shed first, each sent
//! when due), and owns the two times the task deliberately does not read: the intake ceiling (`[budget] intake`) and receive moderation (`[budget]
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

use std::collections::VecDeque;
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
use crate::time::Instant;

/// Intake tokens a socket task takes from the shared bucket at once, at most.
const INTAKE_TOKENS: u32 = 16;
/// The first moderation pause: the runtime's timer resolution.
const MIN_PAUSE: Duration = Duration::from_millis(1);
/// How long to wait before retrying a failed re-registration with the runtime.
const RETRY_REGISTER: Duration = Duration::from_secs(1);

/// The kernel's accounting per queued small datagram on Linux (its `truesize`, measured on
/// loopback): what turns a receive buffer size into a datagram count.
pub(super) const QUEUED_DATAGRAM_OCTETS: usize = 832;

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

    /// Waits until a datagram may be queued, or `within` has passed (a held answer is due).
    /// `false` if told to stop first.
    async fn readable_within(
        &self,
        within: Option<Duration>,
        stop: &mut watch::Receiver<bool>,
    ) -> bool {
        let due = async {
            match within {
                Some(wait) => tokio::time::sleep(wait).await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            _ = stop.changed() => false,
            () = due => true,
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

/// Answers held until their time ([`Outcome::Held`]), in arrival order, at most `slots`.
struct Holding {
    slots: usize,
    queue: VecDeque<Held>,
}

/// One held answer.
struct Held {
    until: Instant,
    to: SocketAddr,
    reply: Vec<u8>,
}

impl Holding {
    fn new(slots: usize) -> Holding {
        Holding {
            slots,
            queue: VecDeque::with_capacity(slots),
        }
    }

    /// Keeps `reply` for `to` until `until`. Returns how many held answers were shed to make
    /// room: the oldest go first, as their managers are the likeliest to have given up.
    fn hold(&mut self, until: Instant, to: SocketAddr, reply: &[u8]) -> u64 {
        let mut shed = 0;
        while self.queue.len() >= self.slots.max(1) {
            self.queue.pop_front();
            shed += 1;
        }
        if self.slots == 0 {
            return shed + 1;
        }
        self.queue.push_back(Held {
            until,
            to,
            reply: reply.to_vec(),
        });
        shed
    }

    /// The earliest instant an answer is due, if any is held.
    fn next_due(&self) -> Option<Instant> {
        self.queue.iter().map(|held| held.until).min()
    }

    /// Takes the first answer due at `now`.
    fn take_due(&mut self, now: Instant) -> Option<Held> {
        let at = self.queue.iter().position(|held| held.until <= now)?;
        self.queue.remove(at)
    }
}

/// Sends every held answer due by now; returns how long until the next one is (`None`: none
/// held).
async fn release(listener: &Listener, holding: &mut Holding, shared: &Shared) -> Option<Duration> {
    loop {
        let now = shared.now();
        match holding.take_due(now) {
            Some(held) => {
                if let Err(e) = listener.send(&held.reply, held.to).await {
                    shared.totals.send_errors.fetch_add(1, Ordering::Relaxed);
                    tracing::debug!(source = %held.to, error = %e, "send failed");
                }
            }
            None => return holding.next_due().map(|due| due.saturating_since(now)),
        }
    }
}

/// Serves `listener` until `stop`: one datagram at a time, with a receive buffer and a reply
/// buffer reused for every datagram.
pub(super) async fn run(listener: Listener, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut listener = listener;
    let mut datagram = vec![0u8; RECEIVE_BUFFER];
    let mut reply = Vec::with_capacity(shared.max_message_size);
    let mut moderation = Moderation::new(shared.moderation);
    let mut holding = Holding::new(shared.hold_slots);
    // Intake tokens held for the next datagrams read, taken a few at a time so that the shared
    // bucket's lock and the clock are not paid per datagram.
    let mut tokens = 0u32;
    // The datagrams read since the socket was last found empty, and when that was: what
    // arrived meanwhile, for the kernel filter's sample.
    let mut batch = 0u32;
    let mut empty_at = std::time::Instant::now();
    loop {
        // The intake ceiling: hold a token before reading, so that beyond the ceiling the
        // kernel drops, at no cost to this process. Bounded: each wait ends with a token.
        while tokens == 0 {
            match shared.intake_take(INTAKE_TOKENS) {
                Ok(taken) => tokens = taken,
                Err(wait) => {
                    shared.totals.intake_pauses.fetch_add(1, Ordering::Relaxed);
                    // Reading at the ceiling: the filter task sees whether to sample.
                    shared.flooding.notify_one();
                    listener = match listener.pause(wait, &mut stop).await {
                        Some(listener) => listener,
                        None => return,
                    };
                }
            }
        }
        // Held answers go out when due, between datagrams as while waiting for them.
        let next_due = match holding.queue.is_empty() {
            true => None,
            false => release(&listener, &mut holding, &shared).await,
        };
        // Drain what the kernel has queued without going back to the runtime per datagram.
        let (len, source) = match listener.try_receive(&mut datagram) {
            Ok(received) => received,
            Err(e) if e.kind() == ErrorKind::WouldBlock => {
                let now = std::time::Instant::now();
                shared.note_arrivals(std::mem::take(&mut batch), now - empty_at);
                empty_at = now;
                // Drained: pause (receive moderation) or wait for the next datagram, never past
                // the next held answer's time.
                if let Some(pause) = moderation.drained() {
                    shared.totals.moderated.fetch_add(1, Ordering::Relaxed);
                    let pause = next_due.map_or(pause, |due| pause.min(due));
                    listener = match listener.pause(pause, &mut stop).await {
                        Some(listener) => listener,
                        None => return,
                    };
                } else if !listener.readable_within(next_due, &mut stop).await {
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
        batch = batch.saturating_add(1);
        let Some(data) = datagram.get(..len) else {
            continue;
        };
        let outcome = shared.handle(data, source, &mut reply);
        moderation.record(&outcome);
        if let Outcome::Held { until } = outcome {
            let shed = holding.hold(until, source, &reply);
            if shed > 0 {
                shared.note_shed(shed);
            }
        }
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
        // The defaults (10,000/s, 50 ms: 500 datagrams) fit even Linux's default 208 KiB cap,
        // which the kernel doubles (512 datagrams).
        assert_eq!(pause_overflows(2 * 212_992, &budget), None);
        budget.intake = "20000/second".parse().unwrap();
        assert_eq!(pause_overflows(2 * 212_992, &budget), Some((1000, 512)));
        assert_eq!(pause_overflows(2 << 20, &budget), None);
        budget.moderation = Duration::ZERO;
        assert_eq!(pause_overflows(0, &budget), None);
    }

    #[test]
    fn held_answers_are_bounded_and_released_when_due() {
        let to: SocketAddr = "127.0.0.1:9".parse().unwrap();
        let ms = Instant::from_millis;
        let mut holding = Holding::new(2);
        assert_eq!(holding.hold(ms(30), to, b"a"), 0);
        assert_eq!(holding.hold(ms(10), to, b"b"), 0);
        assert_eq!(holding.next_due(), Some(ms(10)));
        // Full: the oldest ("a") is shed for the newest.
        assert_eq!(holding.hold(ms(20), to, b"c"), 1);
        assert!(holding.take_due(ms(9)).is_none());
        let due: Vec<Vec<u8>> = std::iter::from_fn(|| holding.take_due(ms(25)))
            .map(|held| held.reply)
            .collect();
        assert_eq!(due, [b"b".to_vec(), b"c".to_vec()]);
        assert_eq!(holding.next_due(), None);
        // No slots: every answer is shed.
        assert_eq!(Holding::new(0).hold(ms(1), to, b"d"), 1);
    }
}
