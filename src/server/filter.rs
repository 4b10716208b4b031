//! Floods shed in the kernel: a classic BPF socket filter (`SO_ATTACH_FILTER`, Linux's
//! `Documentation/networking/filter.rst`) that drops the datagrams of the sources the budget
//! found flooding, before they are queued on the socket, so they cost this process nothing and
//! the intake ceiling is left for floods from forged, ever-changing addresses.
//!
//! Every `INTERVAL` the task asks the budget which sources were refused at least
//! `[budget] block_after` times a second ([`Agent::drain_flooders`]), keeps each blocked for
//! `[budget] block_seconds`, and when the set changes attaches a new program to every IPv4
//! socket (attaching replaces the old program atomically). A blocked source that still floods
//! is blocked again within an interval of its release. The program compares the IPv4 source
//! address (read at `SKF_NET_OFF + 12`, before the UDP header) with at most `MAX_BLOCKED`
//! addresses. Safe fallback: where the filter cannot be attached (not Linux, no permission, a
//! kernel without socket filters), the task logs it once and stops; the budget's refusals in
//! user space go on as before. IPv6 sources are refused in user space only.
//!
//! [`Agent::drain_flooders`]: crate::agent::Agent::drain_flooders

use std::collections::BTreeMap;
use std::io;
use std::net::{Ipv4Addr, UdpSocket};
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;

use super::Shared;
use crate::budget::SourceKey;
use crate::time::Instant;

/// How often the budget is asked for flooding sources.
const INTERVAL: Duration = Duration::from_millis(200);
/// The most sources dropped in the kernel at once: every one is one comparison per datagram,
/// and a conditional jump reaches at most 255 instructions ahead. Beyond it, the sources
/// found first stay blocked and the others are refused in user space.
pub(super) const MAX_BLOCKED: usize = 64;

// Classic BPF opcodes and offsets (linux/filter.h, linux/bpf_common.h): a stable kernel ABI.
/// `BPF_LD | BPF_W | BPF_ABS` (0x00 | 0x00 | 0x20): load a 32-bit word at an offset.
const BPF_LD_W_ABS: u16 = 0x20;
/// `BPF_JMP | BPF_JEQ | BPF_K` (0x05 | 0x10 | 0x00): jump if equal to the constant.
const BPF_JMP_JEQ_K: u16 = 0x15;
/// `BPF_RET | BPF_K` (0x06 | 0x00): return the constant (bytes to accept, 0 drops).
const BPF_RET_K: u16 = 0x06;
/// Negative offsets from here address the network header (`SKF_NET_OFF`).
const SKF_NET_OFF: i32 = -0x0010_0000;
/// The IPv4 source address in the network header.
const IPV4_SOURCE: i32 = 12;
/// "Accept the whole datagram."
const ACCEPT: u32 = u32::MAX;
const DROP: u32 = 0;

/// One instruction, as the kernel's `struct sock_filter` has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Instruction {
    code: u16,
    jt: u8,
    jf: u8,
    k: u32,
}

/// The program that drops datagrams from `blocked` (at most [`MAX_BLOCKED`], the rest
/// ignored) and accepts everything else.
fn program(blocked: &[Ipv4Addr]) -> Vec<Instruction> {
    let blocked = &blocked[..blocked.len().min(MAX_BLOCKED)];
    let n = blocked.len();
    let mut code = Vec::with_capacity(n + 3);
    code.push(Instruction {
        code: BPF_LD_W_ABS,
        jt: 0,
        jf: 0,
        k: (SKF_NET_OFF + IPV4_SOURCE) as u32,
    });
    for (i, address) in blocked.iter().enumerate() {
        // From instruction i + 1, the drop is at n + 2: jump over the rest and the accept.
        let to_drop = u8::try_from(n - i).unwrap_or(u8::MAX);
        code.push(Instruction {
            code: BPF_JMP_JEQ_K,
            jt: to_drop,
            jf: 0,
            k: u32::from(*address),
        });
    }
    code.push(Instruction {
        code: BPF_RET_K,
        jt: 0,
        jf: 0,
        k: ACCEPT,
    });
    code.push(Instruction {
        code: BPF_RET_K,
        jt: 0,
        jf: 0,
        k: DROP,
    });
    code
}

/// Attaches `code` to `socket` (`SO_ATTACH_FILTER`, through socket2), replacing any program
/// attached before. The kernel validates the program before it runs it.
#[cfg(any(target_os = "linux", target_os = "android"))]
fn attach(socket: &UdpSocket, code: &[Instruction]) -> io::Result<()> {
    let filters: Vec<socket2::SockFilter> = code
        .iter()
        .map(|i| socket2::SockFilter::new(i.code, i.jt, i.jf, i.k))
        .collect();
    socket2::SockRef::from(socket).attach_filter(&filters)
}

/// Elsewhere there is no socket filter: the caller falls back to refusing in user space.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn attach(_socket: &UdpSocket, _code: &[Instruction]) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

/// The sources blocked now, each until when.
#[derive(Debug, Default)]
struct Blocked {
    until: BTreeMap<Ipv4Addr, Instant>,
}

impl Blocked {
    /// Blocks `address` until `until` (extending a block already in force); whether it is new.
    fn block(&mut self, address: Ipv4Addr, until: Instant) -> bool {
        if !self.until.contains_key(&address) && self.until.len() >= MAX_BLOCKED {
            return false;
        }
        self.until.insert(address, until).is_none()
    }

    /// Releases the blocks that ended by `now`; whether any did.
    fn release(&mut self, now: Instant) -> bool {
        let before = self.until.len();
        self.until.retain(|_, until| *until > now);
        self.until.len() != before
    }

    fn addresses(&self) -> Vec<Ipv4Addr> {
        self.until.keys().copied().collect()
    }
}

/// Keeps the kernel filter of `sockets` (the IPv4 ones) up to date until `stop`. Like every
/// server task it ends only when told to: with nothing to filter, or when the filter cannot be
/// attached, it waits for `stop`.
pub(super) async fn run(
    sockets: Vec<UdpSocket>,
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
    sockets: Vec<UdpSocket>,
    shared: Arc<Shared>,
    block_after: u32,
    block: Duration,
    stop: &mut watch::Receiver<bool>,
) {
    // Refusals per interval that mean `block_after` a second.
    let at_least = (u64::from(block_after) * INTERVAL.as_millis() as u64 / 1000).max(1);
    let at_least = u32::try_from(at_least).unwrap_or(u32::MAX);
    let mut blocked = Blocked::default();
    let mut ticker = tokio::time::interval(INTERVAL);
    loop {
        tokio::select! {
            biased;
            _ = stop.changed() => return,
            _ = ticker.tick() => {}
        }
        let now = shared.now();
        let mut flooding = Vec::new();
        shared.agent.lock().drain_flooders(at_least, |key| {
            if let SourceKey::V4(address) = key {
                flooding.push(Ipv4Addr::from(address));
            }
        });
        let mut changed = blocked.release(now);
        for address in flooding {
            if blocked.block(address, now + block) {
                changed = true;
                tracing::warn!(
                    source = %address,
                    seconds = block.as_secs(),
                    "source refused more than budget.block_after times a second: its datagrams \
                     are dropped in the kernel"
                );
            }
        }
        if !changed {
            continue;
        }
        let code = program(&blocked.addresses());
        for socket in &sockets {
            if let Err(e) = attach(socket, &code) {
                tracing::warn!(
                    error = %e,
                    "cannot attach a socket filter; flooding sources are refused in user space only"
                );
                return;
            }
        }
        shared
            .totals
            .kernel_filters
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_program_drops_only_the_blocked_sources() {
        let a = Ipv4Addr::new(127, 0, 0, 2);
        let b = Ipv4Addr::new(127, 0, 0, 3);
        let code = program(&[a, b]);
        assert_eq!(code.len(), 5);
        assert_eq!((code[1].k, code[1].jt), (u32::from(a), 2));
        assert_eq!((code[2].k, code[2].jt), (u32::from(b), 1));
        assert_eq!((code[3].k, code[4].k), (ACCEPT, DROP));
        let many: Vec<Ipv4Addr> = (0..200u32).map(Ipv4Addr::from).collect();
        assert_eq!(program(&many).len(), MAX_BLOCKED + 3);
    }

    #[test]
    fn blocks_end_and_are_bounded() {
        let mut blocked = Blocked::default();
        let at = Instant::from_secs;
        assert!(blocked.block(Ipv4Addr::new(10, 0, 0, 1), at(10)));
        assert!(
            !blocked.block(Ipv4Addr::new(10, 0, 0, 1), at(20)),
            "extended"
        );
        assert!(!blocked.release(at(19)));
        assert!(blocked.release(at(20)));
        for i in 0..100u32 {
            blocked.block(Ipv4Addr::from(i), at(30));
        }
        assert_eq!(blocked.addresses().len(), MAX_BLOCKED);
    }

    /// The kernel runs the program: a blocked source's datagram never reaches the socket,
    /// another's does. Needs 127.0.0.2 and 127.0.0.3 (Linux routes all of 127/8 to loopback).
    #[test]
    fn the_kernel_drops_a_blocked_sources_datagrams() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        server
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let to = server.local_addr().unwrap();
        attach(&server, &program(&[Ipv4Addr::new(127, 0, 0, 2)])).unwrap();
        let blocked = UdpSocket::bind("127.0.0.2:0").unwrap();
        let allowed = UdpSocket::bind("127.0.0.3:0").unwrap();
        blocked.send_to(b"flood", to).unwrap();
        allowed.send_to(b"poll", to).unwrap();
        let mut buf = [0u8; 16];
        let (n, from) = server.recv_from(&mut buf).unwrap();
        assert_eq!(
            (&buf[..n], from),
            (&b"poll"[..], allowed.local_addr().unwrap())
        );
        assert!(server.recv_from(&mut buf).is_err(), "the flood was dropped");
        // An empty list accepts everyone again.
        attach(&server, &program(&[])).unwrap();
        blocked.send_to(b"back", to).unwrap();
        let (n, _) = server.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"back");
    }
}
