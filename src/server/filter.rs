//! Floods shed in the kernel: the task that keeps each socket's classic BPF filter (`bpf.rs`)
//! dropping the datagrams of the sources the budget found flooding, before they are queued on
//! the socket, so they cost this process nothing and the intake ceiling is left for floods
//! from forged, ever-changing addresses.
//!
//! The budget's flood meter (`budget/flood.rs`) counts, per source, the datagrams no user
//! answers for, in windows of [`WINDOW`]. At the start of each window this task gives it the
//! threshold (`[budget] block_after` a second) and the *scale*: while the intake ceiling is
//! reached, the agent reads only part of what arrives and the kernel drops the rest, so the
//! task measures the share read over the last window (datagrams read against the socket's
//! kernel drop counter, `/proc/net/udp` and `/proc/net/udp6`) and every datagram read counts
//! for the ones it stands for. A source crossing the threshold is flagged at once, and the
//! socket tasks wake this task at once ([`Shared::flooding`]), so a flood from one source is
//! dropped in the kernel a few milliseconds after it starts and a flood spread over many
//! addresses within a window or two.
//!
//! Each blocked source stays blocked `[budget] block_seconds`; one that still floods is
//! blocked again as soon as it is seen again. When the set changes the task attaches new
//! programs to every socket (attaching replaces the old program atomically). Safe fallback:
//! where the filter cannot be attached (not Linux, no permission, a kernel without socket
//! filters), the task logs it once and stops; the budget's refusals in user space go on as
//! before.

use std::collections::{BTreeMap, VecDeque};
use std::net::{IpAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::watch;

use super::Shared;
use super::bpf::{Family, MAX_BLOCKED, attach, program};
use super::listener::QUEUED_DATAGRAM_OCTETS;
use crate::budget::{MAX_SCALE, SourceKey};
use crate::time::Instant;

/// The flood meter's window: how often the share read is measured and the counts start again.
const WINDOW: Duration = Duration::from_millis(50);

/// A socket to filter, with what identifies its line in `/proc/net/udp{,6}`.
pub(super) struct Filtered {
    socket: UdpSocket,
    family: Family,
    /// The socket's inode: `None` where it cannot be read (the share read is then taken as
    /// whole).
    inode: Option<u64>,
}

impl Filtered {
    /// `socket`, bound.
    pub(super) fn new(socket: UdpSocket) -> Filtered {
        let family = match socket.local_addr().map(|a| a.ip()) {
            Ok(IpAddr::V6(_)) => Family::V6,
            _ => Family::V4,
        };
        let inode = inode(&socket);
        Filtered {
            socket,
            family,
            inode,
        }
    }
}

#[cfg(unix)]
fn inode(socket: &UdpSocket) -> Option<u64> {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::MetadataExt;
    let fd = socket.as_raw_fd();
    std::fs::metadata(format!("/proc/self/fd/{fd}"))
        .ok()
        .map(|m| m.ino())
}

#[cfg(not(unix))]
fn inode(_socket: &UdpSocket) -> Option<u64> {
    None
}

/// What the kernel did with datagrams for the sockets with `inodes`, from their lines in
/// `/proc/net/udp{,6}`: datagrams it dropped (receive queue full, or their filter's drops: the
/// last column), and datagrams queued now (the `rx_queue` octets over what the kernel accounts
/// for a small datagram).
fn kernel_backlog(inodes: &[u64]) -> Option<Backlog> {
    let mut total = Backlog::default();
    let mut found = false;
    for file in ["/proc/net/udp", "/proc/net/udp6"] {
        let Ok(text) = std::fs::read_to_string(file) else {
            continue;
        };
        for line in text.lines().skip(1) {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let inode = fields.get(9).and_then(|f| f.parse::<u64>().ok());
            if !inode.is_some_and(|i| inodes.contains(&i)) {
                continue;
            }
            let drops = fields.last().and_then(|f| f.parse::<u64>().ok());
            let queued = fields
                .get(4)
                .and_then(|f| f.split_once(':'))
                .and_then(|(_, rx)| u64::from_str_radix(rx, 16).ok())
                .map(|octets| octets / QUEUED_DATAGRAM_OCTETS as u64);
            if let (Some(drops), Some(queued)) = (drops, queued) {
                total.dropped = total.dropped.saturating_add(drops);
                total.queued = total.queued.saturating_add(queued);
                found = true;
            }
        }
    }
    found.then_some(total)
}

/// See [`kernel_backlog`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Backlog {
    dropped: u64,
    queued: u64,
}

/// One measurement of the share read.
#[derive(Debug, Clone, Copy)]
struct Reading {
    read: u64,
    backlog: Backlog,
    pauses: u64,
    /// The ratio measured at this reading.
    scale: u32,
}

/// The share of arriving datagrams the agent read, measured over the last [`SPAN`] windows.
struct Share {
    inodes: Vec<u64>,
    /// The last measurements, oldest first.
    last: VecDeque<Reading>,
}

/// The windows the share is measured over, and the scale kept: an intake pause is as long as
/// a window (it is at least receive moderation's 50 ms), so the agent reads in one window what
/// queued in the one before, and one window alone would see either the pause or the reading.
const SPAN: usize = 2;

impl Share {
    /// The scale for the next window: datagrams that arrived (read, dropped by the kernel, or
    /// queued meanwhile) per datagram read over the last [`SPAN`] windows, the largest of the
    /// last [`SPAN`] such measurements, 1 to [`MAX_SCALE`]. It is 1 unless the intake ceiling
    /// was reached within the span (only then does the kernel drop for want of reading: a
    /// receive moderation pause at the ceiling fits the receive buffer, see `listener.rs`), so
    /// the drops of the filter itself, which the same counter counts, do not inflate it while
    /// the flood is held in the kernel.
    fn scale(&mut self, shared: &Shared) -> u32 {
        let read = shared.totals.received.load(Ordering::Relaxed);
        let pauses = shared.totals.intake_pauses.load(Ordering::Relaxed);
        // Read the counter only while datagrams arrive: an agent that read nothing and did
        // not pause over the whole span is idle, and reads no file.
        let quiet = self.last.len() == SPAN
            && self
                .last
                .iter()
                .all(|r| r.read == read && r.pauses == pauses);
        let backlog = match quiet {
            true => None,
            false => kernel_backlog(&self.inodes),
        };
        let Some(backlog) = backlog else {
            self.last.clear();
            return 1;
        };
        if self.last.len() == SPAN {
            self.last.pop_front();
        }
        let scale = match self.last.front() {
            Some(first) if first.pauses != pauses => {
                let arrived = read
                    .saturating_sub(first.read)
                    .saturating_add(backlog.dropped.saturating_sub(first.backlog.dropped))
                    .saturating_add(backlog.queued)
                    .saturating_sub(first.backlog.queued);
                ratio(read.saturating_sub(first.read), arrived)
            }
            _ => 1,
        };
        let kept = self.last.iter().map(|r| r.scale).max().unwrap_or(1);
        self.last.push_back(Reading {
            read,
            backlog,
            pauses,
            scale,
        });
        scale.max(kept)
    }
}

/// Datagrams `arrived` per datagram `read`, rounded up, 1 to [`MAX_SCALE`].
fn ratio(read: u64, arrived: u64) -> u32 {
    let scale = arrived.div_ceil(read.max(1));
    u32::try_from(scale.clamp(1, u64::from(MAX_SCALE))).unwrap_or(MAX_SCALE)
}

/// The sources blocked now, each until when.
#[derive(Debug, Default)]
struct Blocked {
    until: BTreeMap<SourceKey, Instant>,
}

impl Blocked {
    /// Blocks `key` until `until` (extending a block already in force); whether it is new.
    fn block(&mut self, key: SourceKey, until: Instant) -> bool {
        if !self.until.contains_key(&key) && self.until.len() >= MAX_BLOCKED {
            return false;
        }
        self.until.insert(key, until).is_none()
    }

    /// Releases the blocks that ended by `now`; whether any did.
    fn release(&mut self, now: Instant) -> bool {
        let before = self.until.len();
        self.until.retain(|_, until| *until > now);
        self.until.len() != before
    }

    fn keys(&self) -> Vec<SourceKey> {
        self.until.keys().copied().collect()
    }
}

/// Keeps the kernel filter of `sockets` up to date until `stop`. Like every server task it
/// ends only when told to: with nothing to filter, or when the filter cannot be attached, it
/// waits for `stop`.
pub(super) async fn run(
    sockets: Vec<Filtered>,
    shared: Arc<Shared>,
    block_after: u32,
    block: Duration,
    mut stop: watch::Receiver<bool>,
) {
    if !sockets.is_empty() && block_after > 0 {
        filter(sockets, shared, block_after, block, &mut stop).await;
    }
    while !*stop.borrow_and_update() {
        if stop.changed().await.is_err() {
            return;
        }
    }
}

/// The filter's loop; returns when told to stop or when the filter cannot be attached.
async fn filter(
    sockets: Vec<Filtered>,
    shared: Arc<Shared>,
    block_after: u32,
    block: Duration,
    stop: &mut watch::Receiver<bool>,
) {
    // Datagrams per window that mean `block_after` a second.
    let at_least = (u64::from(block_after) * WINDOW.as_millis() as u64 / 1000).max(1);
    let at_least = u32::try_from(at_least).unwrap_or(u32::MAX);
    let ipv6_prefix = shared.agent.lock().budget().config().ipv6_prefix;
    let mut share = Share {
        inodes: sockets.iter().filter_map(|s| s.inode).collect(),
        last: VecDeque::with_capacity(SPAN),
    };
    let mut blocked = Blocked::default();
    let mut ticker = tokio::time::interval(WINDOW);
    loop {
        let window_ended = tokio::select! {
            biased;
            _ = stop.changed() => return,
            _ = ticker.tick() => true,
            () = shared.flooding.notified() => false,
        };
        let scale = if window_ended {
            share.scale(&shared)
        } else {
            1
        };
        if scale > 1 {
            tracing::debug!(scale, "the kernel drops for want of reading");
        }
        let now = shared.now();
        let mut flooding = Vec::new();
        {
            let mut agent = shared.agent.lock();
            agent.take_flooders(|key| flooding.push(key));
            if window_ended {
                agent.start_flood_window(at_least, scale);
            }
        }
        let mut changed = blocked.release(now);
        for key in flooding {
            if blocked.block(key, now + block) {
                changed = true;
                tracing::warn!(
                    source = %key.ip(),
                    seconds = block.as_secs(),
                    "source sent more than budget.block_after datagrams a second that no user \
                     answers for: its datagrams are dropped in the kernel"
                );
            }
        }
        if !changed {
            continue;
        }
        let keys = blocked.keys();
        for filtered in &sockets {
            let code = program(filtered.family, &keys, ipv6_prefix);
            if let Err(e) = attach(&filtered.socket, &code) {
                tracing::warn!(
                    error = %e,
                    "cannot attach a socket filter; flooding sources are refused in user space only"
                );
                return;
            }
        }
        shared.totals.kernel_filters.fetch_add(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_end_and_are_bounded() {
        let mut blocked = Blocked::default();
        let at = Instant::from_secs;
        assert!(blocked.block(SourceKey::V4(1), at(10)));
        assert!(!blocked.block(SourceKey::V4(1), at(20)), "extended");
        assert!(!blocked.release(at(19)));
        assert!(blocked.release(at(20)));
        for i in 0..100u32 {
            blocked.block(SourceKey::V4(i), at(30));
        }
        assert!(!blocked.block(SourceKey::V6(7), at(30)), "full");
        assert_eq!(blocked.keys().len(), MAX_BLOCKED);
    }

    #[test]
    fn the_scale_is_what_arrived_per_datagram_read() {
        assert_eq!(ratio(1000, 1000), 1);
        assert_eq!(ratio(1000, 0), 1, "never below one");
        assert_eq!(ratio(1000, 5000), 5);
        assert_eq!(ratio(1000, 5001), 6, "rounded up");
        assert_eq!(ratio(0, 0), 1);
        assert_eq!(ratio(0, 50_000), MAX_SCALE);
        assert_eq!(ratio(10, 1_000_000), MAX_SCALE);
    }

    /// The drop counter and queue of a socket are found by its inode: a datagram its filter
    /// drops is counted, and so is one queued.
    #[test]
    fn the_kernel_backlog_is_read_for_the_socket() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        let filtered = Filtered::new(server.try_clone().unwrap());
        let Some(inode) = filtered.inode else {
            eprintln!("SKIP: no /proc/self/fd here");
            return;
        };
        let Some(before) = kernel_backlog(&[inode]) else {
            eprintln!("SKIP: no /proc/net/udp here");
            return;
        };
        let blocked = SourceKey::new("127.0.0.1".parse().unwrap(), 64);
        attach(&server, &program(Family::V4, &[blocked], 64)).unwrap();
        let client = UdpSocket::bind("127.0.0.1:0").unwrap();
        let to = server.local_addr().unwrap();
        for _ in 0..3 {
            client.send_to(b"x", to).unwrap();
        }
        let after = kernel_backlog(&[inode]).unwrap();
        assert_eq!(
            (after.dropped, after.queued),
            (before.dropped + 3, before.queued)
        );
        attach(&server, &program(Family::V4, &[], 64)).unwrap();
        client.send_to(b"queued", to).unwrap();
        let after = kernel_backlog(&[inode]).unwrap();
        assert_eq!(
            (after.dropped, after.queued),
            (before.dropped + 3, before.queued + 1)
        );
    }
}
