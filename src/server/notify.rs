//! The notification driver: moves the agent's notification datagrams to the network and the
//! receivers' answers back (see [`crate::notify`] for what is sent when).
//!
//! One task owns one UDP socket per address family the receivers use, bound to an ephemeral
//! port, apart from the listening sockets so that an Inform's Response never queues behind
//! requests. It sends what [`Agent::poll_notifications`] writes, feeds every datagram that
//! arrives to [`Agent::notification_reply`], and sleeps until
//! [`Agent::next_notification`] or at most [`IDLE`]: events raised inside `handle` (an
//! authentication failure, a budget streak) and by a refresh go out within that time.
//!
//! [`Agent::poll_notifications`]: crate::agent::Agent::poll_notifications
//! [`Agent::notification_reply`]: crate::agent::Agent::notification_reply
//! [`Agent::next_notification`]: crate::agent::Agent::next_notification

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::UdpSocket;
use tokio::sync::watch;

use super::Shared;
use crate::notify::{Counters, Datagram, Received};

/// The longest sleep between two polls of the agent's notifications.
pub(super) const IDLE: Duration = Duration::from_millis(200);
/// The largest answer read: an Inform's Response echoes the Inform's bindings.
const BUFFER: usize = 65536;

/// The driver's sockets, one per address family in use.
pub(super) struct Sockets {
    v4: Option<UdpSocket>,
    v6: Option<UdpSocket>,
}

impl Sockets {
    /// Binds an ephemeral port for each family among `targets`. Must run inside a tokio
    /// runtime.
    pub(super) fn bind(targets: impl Iterator<Item = SocketAddr>) -> io::Result<Sockets> {
        let (mut v4, mut v6) = (false, false);
        for t in targets {
            if t.is_ipv4() {
                v4 = true;
            } else {
                v6 = true;
            }
        }
        let open = |addr: &str| -> io::Result<UdpSocket> {
            let std = std::net::UdpSocket::bind(addr)?;
            std.set_nonblocking(true)?;
            UdpSocket::from_std(std)
        };
        Ok(Sockets {
            v4: v4.then(|| open("0.0.0.0:0")).transpose()?,
            v6: v6.then(|| open("[::]:0")).transpose()?,
        })
    }

    async fn send(&self, d: &Datagram) -> io::Result<usize> {
        let socket = if d.to.is_ipv4() { &self.v4 } else { &self.v6 };
        match socket {
            Some(s) => s.send_to(&d.bytes, d.to).await,
            None => Err(io::Error::from(io::ErrorKind::AddrNotAvailable)),
        }
    }
}

/// Logs each receiver whose dropped count moved since the last look: a notification that will
/// never arrive is worth a line in the device's log, once per change.
fn log_drops(seen: &mut Vec<Counters>, now: &[(SocketAddr, Counters)]) {
    seen.resize(now.len(), Counters::default());
    for ((to, c), before) in now.iter().zip(seen.iter_mut()) {
        if c.dropped != before.dropped {
            tracing::warn!(
                %to,
                dropped = c.dropped,
                sent = c.sent,
                acknowledged = c.acknowledged,
                retried = c.retried,
                "notifications dropped (rate limit, full queue or inform unacknowledged)"
            );
        }
        *before = *c;
    }
}

async fn recv(socket: Option<&UdpSocket>, buf: &mut [u8]) -> io::Result<(usize, SocketAddr)> {
    match socket {
        Some(s) => s.recv_from(buf).await,
        None => std::future::pending().await,
    }
}

/// The notification task: until `stop` changes.
pub(super) async fn run(sockets: Sockets, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut out = Vec::new();
    let mut buf4 = vec![0u8; BUFFER];
    let mut buf6 = vec![0u8; BUFFER];
    let mut seen: Vec<Counters> = Vec::new();
    loop {
        let now = shared.now();
        let (next, counters) = {
            let mut agent = shared.agent.lock();
            agent.poll_notifications(now, &mut out);
            let counters: Vec<(SocketAddr, Counters)> = agent
                .notifier()
                .map(|n| n.counters().collect())
                .unwrap_or_default();
            (agent.next_notification(now), counters)
        };
        log_drops(&mut seen, &counters);
        for d in out.drain(..) {
            match sockets.send(&d).await {
                Ok(_) => tracing::debug!(to = %d.to, bytes = d.bytes.len(), "notification sent"),
                Err(e) => tracing::debug!(to = %d.to, error = %e, "notification not sent"),
            }
        }
        let wait = next.map_or(IDLE, |at| at.saturating_since(shared.now()).min(IDLE));
        let received = tokio::select! {
            biased;
            _ = stop.changed() => return,
            r = recv(sockets.v4.as_ref(), &mut buf4) => r.ok().map(|(n, from)| (from, buf4.get(..n))),
            r = recv(sockets.v6.as_ref(), &mut buf6) => r.ok().map(|(n, from)| (from, buf6.get(..n))),
            () = tokio::time::sleep(wait) => None,
        };
        if let Some((from, Some(bytes))) = received {
            let now = shared.now();
            let outcome = shared.agent.lock().notification_reply(from, bytes, now);
            match outcome {
                Received::Acknowledged => tracing::debug!(%from, "inform acknowledged"),
                Received::Discovered | Received::TimeSynced => {
                    tracing::debug!(%from, ?outcome, "inform receiver's engine learned");
                }
                other => tracing::debug!(%from, outcome = ?other, "notification answer ignored"),
            }
        }
    }
}
