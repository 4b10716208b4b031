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
//! Blocking a flood spread over many addresses takes a window or two, and meanwhile the
//! socket's receive queue fills and the kernel drops every party's datagrams alike. So the task
//! also *samples*: as soon as a queue builds at more than three quarters of the intake ceiling
//! (a socket task drained a batch that arrived that fast, or the kernel drops for want of
//! reading; a fast manager with one request at a time never queues), the program accepts every datagram of the *known* sources (those a
//! user's request was answered from lately and the budget refused nothing: see
//! [`crate::budget::Budget::known_sources`]) and one in `keep` of everyone else's, `keep`
//! chosen so that what is accepted fits the ceiling with room to spare. The queue then no
//! longer overflows, so the managers the agent serves keep every answer, even under a flood
//! from forged, ever-changing addresses that no block can stop; the flood meter counts each
//! sampled datagram for the `keep` it stands for, so its sources are still blocked. The
//! socket tasks measure how fast datagrams arrive from each batch they drain and wake this
//! task when that outruns the ceiling, so sampling starts within milliseconds of a flood, not
//! at the next window. It ends (halving `keep` per window) once the flood is blocked or gone.
//!
//! Each blocked source stays blocked `[budget] block_seconds`; one that still floods is
//! blocked again as soon as it is seen again. When the set changes the task attaches new
//! programs to every socket (attaching replaces the old program atomically). A program the
//! kernel refuses (its `net.core.optmem_max` is too small for the lists) is retried with
//! shorter lists. Safe fallback: where the filter cannot be attached at all (not Linux, no
//! permission, a kernel without socket filters), the task logs it once and stops; the budget's
//! refusals in user space go on as before.

use std::collections::{BTreeMap, VecDeque};
use std::net::{IpAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tokio::sync::watch;

use super::bpf::{Family, MAX_BLOCKED, MAX_KNOWN, Rules, attach, program};
use super::listener::QUEUED_DATAGRAM_OCTETS;
use super::{SUMMARY_INTERVAL, Shared};
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

/// The most a sample keeps out: one datagram in this many accepted.
const MAX_KEEP: u32 = 1024;

/// The shortest span a read rate is measured over: below it the rate is noise.
const MIN_SPAN: Duration = Duration::from_millis(5);

/// How much of unknown sources' traffic the filter accepts: one datagram in `keep`.
#[derive(Debug)]
struct Sampler {
    /// 1 accepts everything.
    keep: u32,
    /// Datagrams a second the sample aims at: three quarters of the intake ceiling, and no
    /// more than half a receive buffer per receive moderation pause, so the receive queue
    /// never fills and a known source's datagram always finds room.
    target: u64,
    /// The datagrams read at the last update, and when.
    last: Option<(u64, Instant)>,
    /// The datagrams read at the ends of the last [`FALL_WINDOWS`] windows, oldest first.
    windows: VecDeque<(u64, Instant)>,
}

/// The windows over which the read rate must stay low before the sample lets more in:
/// reading pauses up to a window long (receive moderation), so a shorter span can see none.
const FALL_WINDOWS: usize = 4;

/// Datagrams a second read between `then` and `now`; 0 over less than [`MIN_SPAN`].
fn read_rate(then: (u64, Instant), now: (u64, Instant)) -> u64 {
    let span = now.1.saturating_since(then.1);
    if span < MIN_SPAN {
        return 0;
    }
    let micros = u128::from(u64::try_from(span.as_micros()).unwrap_or(u64::MAX));
    let rate = u128::from(now.0.saturating_sub(then.0)) * 1_000_000 / micros.max(1);
    u64::try_from(rate).unwrap_or(u64::MAX)
}

impl Sampler {
    /// A sampler for an intake ceiling of `intake_per_second`, sockets that hold `holds`
    /// datagrams each, read after pauses up to `pause` long.
    fn new(intake_per_second: u64, holds: u64, pause: Duration) -> Sampler {
        let pause = u64::try_from(pause.as_micros()).unwrap_or(u64::MAX).max(1);
        let fits = (holds / 2).saturating_mul(1_000_000) / pause;
        Sampler {
            keep: 1,
            target: (intake_per_second.saturating_mul(3) / 4).min(fits).max(1),
            last: None,
            windows: VecDeque::with_capacity(FALL_WINDOWS + 1),
        }
    }

    /// Updates `keep` from `read` (datagrams read in all, so far), the fastest arrival rate
    /// the socket tasks measured since the last update (`burst`, datagrams a second) and the
    /// share read (`scale`: datagrams arrived per datagram read, from the kernel's counters,
    /// which count what the sample leaves out too). What arrives is what was read times
    /// `keep` or `scale`, whichever is more.
    ///
    /// Sampling starts at once, mid-window, when what arrives outruns the target by a quarter
    /// (the ceiling is near). Once sampling, `keep` changes only at the end of a window
    /// (`window_ended`), from the rate read over the whole window: senders are bursty over a
    /// few milliseconds, and the target leaves room in the receive buffer for such bursts. It
    /// rises when the sample let in more than the target by a quarter, and falls, at most by
    /// half, when it let in under half the target over the last [`FALL_WINDOWS`] windows, so
    /// a flood that pauses for a moment does not find the gate open and the program is not
    /// replaced at every wave of a measured rate. Returns whether `keep` changed.
    fn update(
        &mut self,
        read: u64,
        burst: u64,
        scale: u32,
        now: Instant,
        window_ended: bool,
    ) -> bool {
        let short = self.last.map_or(0, |then| read_rate(then, (read, now)));
        if self
            .last
            .is_none_or(|(_, then)| now.saturating_since(then) >= MIN_SPAN)
        {
            self.last = Some((read, now));
        }
        let (mut window, mut long) = (0, None);
        if window_ended {
            if let Some(&previous) = self.windows.back() {
                window = read_rate(previous, (read, now));
            }
            self.windows.push_back((read, now));
            if self.windows.len() > FALL_WINDOWS {
                self.windows.pop_front();
            }
            if let Some(&first) = self.windows.front()
                && self.windows.len() == FALL_WINDOWS
            {
                long = Some(read_rate(first, (read, now)));
            }
        }
        let wanted = |arriving: u64| {
            let wanted = arriving.div_ceil(self.target).clamp(1, u64::from(MAX_KEEP));
            u32::try_from(wanted).unwrap_or(MAX_KEEP)
        };
        let over = |letting_in: u64| letting_in > self.target.saturating_mul(5) / 4;
        let factor = u64::from(self.keep.max(scale));
        let keep = if self.keep == 1 {
            // A high read rate alone is no flood: one fast manager with one request at a
            // time reads fast too, but its datagrams never queue. Only a queue building (a
            // socket task drained a batch at a flood's rate) or the kernel dropping for want
            // of reading (`scale`) starts the sample.
            let measured = match scale > 1 {
                true => short.max(window),
                false => 0,
            };
            let arriving = burst.max(measured).saturating_mul(factor);
            match over(arriving) {
                true => wanted(arriving),
                false => 1,
            }
        } else if !window_ended {
            self.keep
        } else if over(window.saturating_mul(factor) / u64::from(self.keep)) {
            wanted(window.saturating_mul(factor)).max(self.keep)
        } else if let Some(long) = long.filter(|long| *long <= self.target / 2) {
            wanted(long.saturating_mul(factor))
                .max(self.keep / 2)
                .min(self.keep)
        } else {
            self.keep
        };
        let changed = keep != self.keep;
        self.keep = keep;
        changed
    }
}

/// The known sources to accept whole while sampling: the most recently answered first, at
/// most [`MAX_KNOWN`].
fn known_sources(shared: &Shared, now: Instant) -> Vec<SourceKey> {
    let mut known = Vec::new();
    shared
        .agent
        .lock()
        .known_sources(now, |key, answered| known.push((answered, key)));
    known.sort_unstable_by(|a, b| b.cmp(a));
    known.truncate(MAX_KNOWN);
    // In address order, so the same sources make the same program.
    let mut known: Vec<SourceKey> = known.into_iter().map(|(_, key)| key).collect();
    known.sort_unstable();
    known
}

/// Attaches the program for `rules` to `filtered`; if the kernel refuses it, tries again with
/// the known list, then the blocked list, halved, down to none (a socket's programs are
/// charged against `net.core.optmem_max`, as small as 20 KiB on older kernels). Returns the
/// error of the shortest program when even that is refused.
fn attach_fitting(filtered: &Filtered, rules: Rules<'_>, ipv6_prefix: u8) -> std::io::Result<()> {
    let (mut blocked, mut known) = (rules.blocked.len(), rules.known.len());
    loop {
        let fitted = Rules {
            blocked: &rules.blocked[..blocked],
            known: &rules.known[..known],
            keep: rules.keep,
        };
        match attach(
            &filtered.socket,
            &program(filtered.family, fitted, ipv6_prefix),
        ) {
            Ok(()) => return Ok(()),
            Err(e) if blocked + known == 0 => return Err(e),
            Err(e) => {
                tracing::debug!(error = %e, blocked, known, "socket filter refused; shortening it");
                if known > 0 {
                    known /= 2;
                } else {
                    blocked /= 2;
                }
            }
        }
    }
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
    let holds = sockets
        .iter()
        .filter_map(|s| socket2::SockRef::from(&s.socket).recv_buffer_size().ok())
        .min()
        .map_or(u64::MAX, |octets| (octets / QUEUED_DATAGRAM_OCTETS) as u64);
    let mut sampler = Sampler::new(shared.intake_per_second, holds, shared.moderation);
    let mut known: Vec<SourceKey> = Vec::new();
    let mut blocked = Blocked::default();
    let mut scale = 1;
    let mut warned: Option<Instant> = None;
    let mut ticker = tokio::time::interval(WINDOW);
    loop {
        let window_ended = tokio::select! {
            biased;
            _ = stop.changed() => return,
            _ = ticker.tick() => true,
            () = shared.flooding.notified() => false,
        };
        if window_ended {
            scale = share.scale(&shared);
        }
        if scale > 1 {
            tracing::debug!(scale, "the kernel drops for want of reading");
        }
        let now = shared.now();
        let was_sampling = sampler.keep > 1;
        let read = shared.totals.received.load(Ordering::Relaxed);
        let burst = shared.arrivals.swap(0, Ordering::Relaxed);
        let resampled = sampler.update(read, burst, scale, now, window_ended);
        if resampled {
            log_sampling(was_sampling, sampler.keep, now, &mut warned);
        }
        let mut changed = resampled;
        if sampler.keep > 1 && (window_ended || resampled) {
            let now_known = known_sources(&shared, now);
            changed |= now_known != known;
            known = now_known;
        }
        // Each datagram read from an unknown source stands for `keep` sent while sampling.
        let counted = scale.max(sampler.keep.min(MAX_SCALE));
        let mut flooding = Vec::new();
        {
            let mut agent = shared.agent.lock();
            agent.take_flooders(|key| flooding.push(key));
            for key in &flooding {
                agent.note_blocked(*key, now);
            }
            // Only at a window's end: restarting the counts whenever the sample changes would
            // keep a spread flood's sources from ever reaching the threshold.
            if window_ended {
                agent.start_flood_window(at_least, counted);
            }
        }
        changed |= blocked.release(now);
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
        let rules = Rules {
            blocked: &keys,
            known: &known,
            keep: sampler.keep,
        };
        for filtered in &sockets {
            if let Err(e) = attach_fitting(filtered, rules, ipv6_prefix) {
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

/// Logs sampling starting (a warning at most once per [`SUMMARY_INTERVAL`], as a flood that
/// comes and goes would otherwise fill the log) and ending.
fn log_sampling(was_sampling: bool, keep: u32, now: Instant, warned: &mut Option<Instant>) {
    match (was_sampling, keep > 1) {
        (false, true) if warned.is_none_or(|at| now.saturating_since(at) >= SUMMARY_INTERVAL) => {
            *warned = Some(now);
            tracing::warn!(
                keep,
                "datagrams arrive faster than budget.intake: the kernel now accepts every \
                 datagram of the managers answered lately and one in `keep` of everyone else's"
            );
        }
        (true, false) => tracing::debug!("sampling ended: the kernel accepts every datagram again"),
        _ => tracing::debug!(keep, "sampling changed"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn only(blocked: &[SourceKey]) -> Rules<'_> {
        Rules {
            blocked,
            known: &[],
            keep: 1,
        }
    }

    #[test]
    fn sampling_starts_at_once_and_ends_by_halves() {
        let ms = Instant::from_millis;
        // A 10,000/s ceiling aims at 7,500/s.
        let mut s = Sampler::new(10_000, u64::MAX, Duration::from_millis(50));
        assert!(!s.update(0, 0, 1, ms(0), true));
        // 50 read in 10 ms (5,000/s): no sampling.
        assert!(!s.update(50, 0, 1, ms(10), false));
        assert_eq!(s.keep, 1);

        // A socket task saw a batch arrive at 50,000/s: 1 in 7 at once, mid-window.
        assert!(s.update(60, 50_000, 1, ms(12), false));
        assert_eq!(s.keep, 7);
        // Reading 1 in 7 of 50,000/s: steady.
        let mut read = 60;
        let mut at = 50;
        for _ in 0..4 {
            read += 357;
            assert!(!s.update(read, 0, 1, ms(at), true));
            at += 50;
        }
        assert_eq!(s.keep, 7);
        // The kernel's counters say 14 arrive per datagram read (they count what the sample
        // leaves out too): the ceiling is still reached, twice as much arrives.
        read += 357;
        assert!(s.update(read, 0, 14, ms(at), true));
        assert_eq!(s.keep, 14);
        // The flood is blocked: nothing is read. Never mid-window; not while the read rate over
        // the last FALL_WINDOWS windows is high; then by halves, one per window.
        assert!(!s.update(read, 0, 1, ms(at + 10), false));
        at += 50;
        let mut kept = Vec::new();
        for _ in 0..7 {
            s.update(read, 0, 1, ms(at), true);
            kept.push(s.keep);
            at += 50;
        }
        assert_eq!(kept, [14, 7, 3, 1, 1, 1, 1]);
        // Bounded.
        assert!(s.update(read, u64::MAX, 1, ms(at), true));
        assert_eq!(s.keep, MAX_KEEP);
        // Once sampling, a burst within a window changes nothing.
        let mut s = Sampler::new(10_000, u64::MAX, Duration::from_millis(50));
        assert!(s.update(0, 50_000, 1, ms(0), false));
        assert!(!s.update(10, 500_000, 1, ms(10), false));
        assert_eq!(s.keep, 7);
        // A manager walking with one request at a time, read at 20,000/s over a window with
        // nothing queued and nothing dropped: no sampling. Its datagrams never queue.
        let mut s = Sampler::new(10_000, u64::MAX, Duration::from_millis(50));
        assert!(!s.update(0, 0, 1, ms(0), true));
        assert!(!s.update(200, 0, 1, ms(10), false));
        assert!(!s.update(1_000, 0, 1, ms(50), true));
        assert_eq!(s.keep, 1);
        // The same read rate while the kernel drops (twice as much arrives): sampling.
        assert!(s.update(2_000, 0, 2, ms(100), true));
        assert!(s.keep > 1);
        // Half a buffer of 512 datagrams per 50 ms pause: 5,120/s.
        assert_eq!(
            Sampler::new(10_000, 512, Duration::from_millis(50)).target,
            5_120
        );
        assert_eq!(Sampler::new(10_000, 512, Duration::ZERO).target, 7_500);
    }

    #[test]
    fn blocks_end_and_are_bounded() {
        let mut blocked = Blocked::default();
        let at = Instant::from_secs;
        assert!(blocked.block(SourceKey::V4(1), at(10)));
        assert!(!blocked.block(SourceKey::V4(1), at(20)), "extended");
        assert!(!blocked.release(at(19)));
        assert!(blocked.release(at(20)));
        for i in 0..(MAX_BLOCKED as u32 + 50) {
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
        attach(&server, &program(Family::V4, only(&[blocked]), 64)).unwrap();
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
        attach(&server, &program(Family::V4, only(&[]), 64)).unwrap();
        client.send_to(b"queued", to).unwrap();
        let after = kernel_backlog(&[inode]).unwrap();
        assert_eq!(
            (after.dropped, after.queued),
            (before.dropped + 3, before.queued + 1)
        );
    }
}
