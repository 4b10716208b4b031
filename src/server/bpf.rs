//! The classic BPF programs of the kernel filter (`SO_ATTACH_FILTER`, Linux's
//! `Documentation/networking/filter.rst`): drop the datagrams of the blocked sources before
//! they are queued on the socket, accept every datagram of the known sources (managers the
//! agent answered lately), and, while a flood is being sampled, accept only one in `keep` of
//! the others (the kernel's random number, `SKF_AD_RANDOM`).
//!
//! A socket is IPv4 or IPv6 only (IPv6 sockets are `IPV6_V6ONLY`, see `socket.rs`, so the
//! kernel never hands an IPv6 socket an IPv4-mapped source), so each family has its own
//! program, reading the source address from the network header (`SKF_NET_OFF`, before the UDP
//! header): the IPv4 source is the word at offset 12; the IPv6 source the four words at
//! offsets 8 to 20 (RFC 8200 §3), of which only those within the budget's `ipv6_prefix` are
//! compared (a partly covered word is masked first), since the budget groups an IPv6 host's
//! addresses by prefix.
//!
//! Every listed source ends in its own `ret`, so every conditional jump stays a few
//! instructions long, far within the 8-bit offsets, whatever the lists' length.

use std::io;
use std::net::UdpSocket;

use crate::budget::SourceKey;

/// The most sources dropped in the kernel at once. Every one costs a few comparisons per
/// datagram (3 instructions for IPv4, at most 10 for IPv6). Beyond it, the
/// sources found first stay blocked until their block ends, the others are refused in user
/// space (and, while the filter samples a flood, sampled like every unknown source).
pub const MAX_BLOCKED: usize = 256;

/// The most known sources accepted whole while a flood is sampled: the most recently
/// answered first. Beyond it, the others are sampled like unknown sources.
pub const MAX_KNOWN: usize = 64;

/// The most instructions one source takes: four address words, each loaded and compared,
/// the last one masked too, and its `ret`.
const PER_SOURCE: usize = 4 * 2 + 1 + 1;

/// The kernel's limit on a classic BPF program (`BPF_MAXINSNS`).
const BPF_MAXINSNS: usize = 4096;

// The longest program (every list full, IPv6, the sampling tail) fits the kernel's limit.
const _: () = assert!((MAX_BLOCKED + MAX_KNOWN) * PER_SOURCE + SAMPLE_TAIL <= BPF_MAXINSNS);

// Classic BPF opcodes and offsets (linux/filter.h, linux/bpf_common.h): a stable kernel ABI.
/// `BPF_LD | BPF_W | BPF_ABS` (0x00 | 0x00 | 0x20): load a 32-bit word at an offset.
const BPF_LD_W_ABS: u16 = 0x20;
/// `BPF_ALU | BPF_AND | BPF_K` (0x04 | 0x50 | 0x00): AND the accumulator with a constant.
const BPF_ALU_AND_K: u16 = 0x54;
/// `BPF_JMP | BPF_JEQ | BPF_K` (0x05 | 0x10 | 0x00): jump if equal to the constant.
const BPF_JMP_JEQ_K: u16 = 0x15;
/// `BPF_JMP | BPF_JGT | BPF_K` (0x05 | 0x20 | 0x00): jump if greater than the constant.
const BPF_JMP_JGT_K: u16 = 0x25;
/// `BPF_RET | BPF_K` (0x06 | 0x00): return the constant (bytes to accept, 0 drops).
const BPF_RET_K: u16 = 0x06;
/// Loading from here gives the kernel's ancillary data (`SKF_AD_OFF`) ...
const SKF_AD_OFF: i32 = -0x1000;
/// ... of which this is a fresh random number (`SKF_AD_RANDOM`, Linux 3.14).
const SKF_AD_RANDOM: i32 = 56;
/// The sampling tail's length: load the random number, compare, drop, accept.
const SAMPLE_TAIL: usize = 4;
/// Negative offsets from here address the network header (`SKF_NET_OFF`).
const SKF_NET_OFF: i32 = -0x0010_0000;
/// The IPv4 source address in the network header.
const IPV4_SOURCE: i32 = 12;
/// The IPv6 source address in the network header.
const IPV6_SOURCE: i32 = 8;
/// "Accept the whole datagram."
const ACCEPT: u32 = u32::MAX;
const DROP: u32 = 0;

/// One instruction, as the kernel's `struct sock_filter` has it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Instruction {
    code: u16,
    jt: u8,
    jf: u8,
    k: u32,
}

const fn load(offset: i32) -> Instruction {
    Instruction {
        code: BPF_LD_W_ABS,
        jt: 0,
        jf: 0,
        k: (SKF_NET_OFF + offset) as u32,
    }
}

const fn ret(k: u32) -> Instruction {
    Instruction {
        code: BPF_RET_K,
        jt: 0,
        jf: 0,
        k,
    }
}

/// The address family a socket serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Family {
    V4,
    V6,
}

/// The words of a source to compare, each with its mask: `(offset, mask, value)`.
fn words(key: SourceKey, ipv6_prefix: u8) -> Vec<(i32, u32, u32)> {
    match key {
        SourceKey::V4(address) => vec![(IPV4_SOURCE, u32::MAX, address)],
        SourceKey::V6(address) => {
            let prefix = u32::from(ipv6_prefix.min(128));
            let bytes = address.to_be_bytes();
            (0..4u32)
                .filter(|word| word * 32 < prefix)
                .map(|word| {
                    let covered = (prefix - word * 32).min(32);
                    let mask = u32::MAX.checked_shl(32 - covered).unwrap_or(0);
                    let at = (word * 4) as usize;
                    let value = u32::from_be_bytes([
                        bytes[at],
                        bytes[at + 1],
                        bytes[at + 2],
                        bytes[at + 3],
                    ]);
                    (IPV6_SOURCE + (word * 4) as i32, mask, value & mask)
                })
                .collect()
        }
    }
}

/// What a program does: drop `blocked`, accept `known` whole, and accept one datagram in
/// `keep` of every other source (1 accepts them all).
#[derive(Debug, Clone, Copy)]
pub(super) struct Rules<'a> {
    pub(super) blocked: &'a [SourceKey],
    pub(super) known: &'a [SourceKey],
    pub(super) keep: u32,
}

/// Appends the instructions that return `verdict` for `key`'s datagrams and fall through for
/// everyone else's. `false` if the key matches every source (a zero-bit IPv6 prefix): then
/// only its `ret` was appended.
fn match_source(
    code: &mut Vec<Instruction>,
    key: SourceKey,
    ipv6_prefix: u8,
    verdict: u32,
) -> bool {
    let words = words(key, ipv6_prefix);
    if words.is_empty() {
        code.push(ret(verdict));
        return false;
    }
    // Per word: load, mask (if partial), compare; a mismatch jumps past this source's
    // remaining instructions and its `ret`, to the next source.
    let mut remaining: usize = words
        .iter()
        .map(|(_, mask, _)| if *mask == u32::MAX { 2 } else { 3 })
        .sum::<usize>()
        + 1;
    for (offset, mask, value) in words {
        code.push(load(offset));
        remaining -= 1;
        if mask != u32::MAX {
            code.push(Instruction {
                code: BPF_ALU_AND_K,
                jt: 0,
                jf: 0,
                k: mask,
            });
            remaining -= 1;
        }
        remaining -= 1;
        code.push(Instruction {
            code: BPF_JMP_JEQ_K,
            jt: 0,
            // At most PER_SOURCE instructions per source: always fits.
            jf: u8::try_from(remaining).unwrap_or(u8::MAX),
            k: value,
        });
    }
    code.push(ret(verdict));
    true
}

/// The program for a socket of `family` that follows `rules` for the sources of that family
/// (at most [`MAX_BLOCKED`] blocked and [`MAX_KNOWN`] known: the rest are ignored). IPv6
/// sources are compared on their first `ipv6_prefix` bits.
pub(super) fn program(family: Family, rules: Rules<'_>, ipv6_prefix: u8) -> Vec<Instruction> {
    let ours = |key: &&SourceKey| match family {
        Family::V4 => matches!(key, SourceKey::V4(_)),
        Family::V6 => matches!(key, SourceKey::V6(_)),
    };
    let mut code = Vec::new();
    for key in rules.blocked.iter().filter(ours).take(MAX_BLOCKED) {
        if !match_source(&mut code, *key, ipv6_prefix, DROP) {
            return code;
        }
    }
    if rules.keep > 1 {
        for key in rules.known.iter().filter(ours).take(MAX_KNOWN) {
            if !match_source(&mut code, *key, ipv6_prefix, ACCEPT) {
                return code;
            }
        }
        // Accept when the random number is at most 2^32 / keep: one in `keep`.
        code.push(Instruction {
            code: BPF_LD_W_ABS,
            jt: 0,
            jf: 0,
            k: (SKF_AD_OFF + SKF_AD_RANDOM) as u32,
        });
        code.push(Instruction {
            code: BPF_JMP_JGT_K,
            jt: 0,
            jf: 1,
            k: u32::MAX / rules.keep,
        });
        code.push(ret(DROP));
    }
    code.push(ret(ACCEPT));
    code
}

/// Attaches `code` to `socket` (`SO_ATTACH_FILTER`, through socket2), replacing any program
/// attached before. The kernel validates the program before it runs it.
#[cfg(any(target_os = "linux", target_os = "android"))]
pub(super) fn attach(socket: &UdpSocket, code: &[Instruction]) -> io::Result<()> {
    let filters: Vec<socket2::SockFilter> = code
        .iter()
        .map(|i| socket2::SockFilter::new(i.code, i.jt, i.jf, i.k))
        .collect();
    socket2::SockRef::from(socket).attach_filter(&filters)
}

/// Elsewhere there is no socket filter: the caller falls back to refusing in user space.
#[cfg(not(any(target_os = "linux", target_os = "android")))]
pub(super) fn attach(_socket: &UdpSocket, _code: &[Instruction]) -> io::Result<()> {
    Err(io::Error::from(io::ErrorKind::Unsupported))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::net::IpAddr;
    use std::time::Duration;

    fn key(ip: &str, prefix: u8) -> SourceKey {
        SourceKey::new(ip.parse::<IpAddr>().unwrap(), prefix)
    }

    /// Rules that only block.
    fn only(blocked: &[SourceKey]) -> Rules<'_> {
        Rules {
            blocked,
            known: &[],
            keep: 1,
        }
    }

    /// Runs `code` on an IPv4 or IPv6 source as the kernel would, far enough to check the
    /// jumps: returns what the program returns.
    fn run(code: &[Instruction], source: IpAddr) -> u32 {
        run_with(code, source, 0)
    }

    /// [`run`], with `random` as the kernel's random number.
    fn run_with(code: &[Instruction], source: IpAddr, random: u32) -> u32 {
        let header: Vec<u8> = match source {
            IpAddr::V4(v4) => {
                let mut h = vec![0x45; 20];
                h[12..16].copy_from_slice(&v4.octets());
                h
            }
            IpAddr::V6(v6) => {
                let mut h = vec![0x60; 40];
                h[8..24].copy_from_slice(&v6.octets());
                h
            }
        };
        let (mut pc, mut a) = (0usize, 0u32);
        loop {
            let i = code[pc];
            pc += 1;
            match i.code {
                BPF_LD_W_ABS if i.k == (SKF_AD_OFF + SKF_AD_RANDOM) as u32 => a = random,
                BPF_LD_W_ABS => {
                    let at = (i.k as i32 - SKF_NET_OFF) as usize;
                    a = u32::from_be_bytes(header[at..at + 4].try_into().unwrap());
                }
                BPF_ALU_AND_K => a &= i.k,
                BPF_JMP_JEQ_K => pc += usize::from(if a == i.k { i.jt } else { i.jf }),
                BPF_JMP_JGT_K => pc += usize::from(if a > i.k { i.jt } else { i.jf }),
                BPF_RET_K => return i.k,
                other => panic!("unexpected opcode {other:#x}"),
            }
        }
    }

    #[test]
    fn the_ipv4_program_drops_only_the_blocked_sources() {
        let blocked = [key("127.0.0.2", 64), key("127.0.0.3", 64), key("::1", 64)];
        let code = program(Family::V4, only(&blocked), 64);
        assert_eq!(
            code.len(),
            2 * 3 + 1,
            "the IPv6 source is not in the IPv4 program"
        );
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(run(&code, ip("127.0.0.2")), DROP);
        assert_eq!(run(&code, ip("127.0.0.3")), DROP);
        assert_eq!(run(&code, ip("127.0.0.4")), ACCEPT);
        let many: Vec<SourceKey> = (0..300u32).map(SourceKey::V4).collect();
        assert_eq!(
            program(Family::V4, only(&many), 64).len(),
            MAX_BLOCKED * 3 + 1
        );
        assert_eq!(program(Family::V4, only(&[]), 64), [ret(ACCEPT)]);
    }

    #[test]
    fn the_ipv6_program_compares_the_prefix() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        for prefix in [128u8, 64, 60, 48, 17, 1] {
            let blocked = [
                key("2001:db8:1:2::7", prefix),
                key("2001:db8:ffff:1::1", prefix),
                key("192.0.2.1", prefix),
            ];
            let code = program(Family::V6, only(&blocked), prefix);
            for source in ["2001:db8:1:2::7", "2001:db8:ffff:1::1"] {
                assert_eq!(run(&code, ip(source)), DROP, "{source}/{prefix}");
            }
            // Another host in the same prefix is the same source to the budget.
            let neighbour = ip("2001:db8:1:2:abcd::9");
            let same = key("2001:db8:1:2:abcd::9", prefix) == blocked[0];
            let expect = if same { DROP } else { ACCEPT };
            assert_eq!(run(&code, neighbour), expect, "/{prefix}");
            // Outside every blocked prefix.
            let outside = ip("2001:db9::1");
            let same = [blocked[0], blocked[1]].contains(&key("2001:db9::1", prefix));
            let expect = if same { DROP } else { ACCEPT };
            assert_eq!(run(&code, outside), expect, "/{prefix}");
            assert!(code.iter().all(|i| i.jt == 0 && i.jf <= 13));
        }
        // A zero prefix blocks every IPv6 source.
        assert_eq!(
            program(Family::V6, only(&[key("::1", 0)]), 0),
            [ret(DROP)],
            "a /0 source is everyone"
        );
    }

    #[test]
    fn a_sampled_flood_keeps_the_known_sources_whole() {
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        let blocked = [key("127.0.0.2", 64)];
        let known = [key("127.0.0.3", 64), key("::1", 64)];
        let rules = |keep| Rules {
            blocked: &blocked,
            known: &known,
            keep,
        };
        // Not sampling: the known list is left out, everyone unblocked is accepted.
        let code = program(Family::V4, rules(1), 64);
        assert_eq!(code.len(), 3 + 1);
        assert_eq!(run_with(&code, ip("127.0.0.9"), u32::MAX), ACCEPT);
        // One in eight: a random number at most 2^32 / 8 accepts, a larger one drops.
        let code = program(Family::V4, rules(8), 64);
        assert_eq!(code.len(), 3 + 3 + SAMPLE_TAIL);
        let threshold = u32::MAX / 8;
        for random in [0, threshold / 2, threshold] {
            assert_eq!(run_with(&code, ip("127.0.0.9"), random), ACCEPT);
        }
        for random in [threshold + 1, u32::MAX / 2, u32::MAX] {
            assert_eq!(run_with(&code, ip("127.0.0.9"), random), DROP);
            assert_eq!(run_with(&code, ip("127.0.0.3"), random), ACCEPT, "known");
        }
        assert_eq!(run_with(&code, ip("127.0.0.2"), 0), DROP, "blocked");
        // The IPv6 known source is in the IPv6 program.
        let code = program(Family::V6, rules(8), 64);
        assert_eq!(run_with(&code, ip("::1"), u32::MAX), ACCEPT);
        assert_eq!(run_with(&code, ip("::2:0:0:0:1"), u32::MAX), DROP);
        // Full lists: the longest program fits the kernel's limit.
        let many: Vec<SourceKey> = (0..1000u128)
            .map(|i| SourceKey::V6((0x2001_0db8 << 96) | (i << 8)))
            .collect();
        let full = Rules {
            blocked: &many,
            known: &many,
            keep: 8,
        };
        let code = program(Family::V6, full, 121);
        assert_eq!(
            code.len(),
            (MAX_BLOCKED + MAX_KNOWN) * PER_SOURCE + SAMPLE_TAIL
        );
        assert!(code.len() <= BPF_MAXINSNS);
    }

    /// The kernel samples: while one datagram in `keep` is accepted, an unknown source gets
    /// about that share through, a known one all of it.
    #[test]
    fn the_kernel_samples_unknown_sources_and_keeps_known_ones() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        server
            .set_read_timeout(Some(Duration::from_millis(100)))
            .unwrap();
        let to = server.local_addr().unwrap();
        let known = [key("127.0.0.3", 64)];
        let rules = Rules {
            blocked: &[],
            known: &known,
            keep: 4,
        };
        attach(&server, &program(Family::V4, rules, 64)).unwrap();
        let stranger = UdpSocket::bind("127.0.0.2:0").unwrap();
        let manager = UdpSocket::bind("127.0.0.3:0").unwrap();
        let (mut strangers, mut managers) = (0, 0);
        let mut buf = [0u8; 16];
        for _ in 0..10 {
            // A batch at a time, well within the receive buffer.
            for _ in 0..40 {
                stranger.send_to(b"s", to).unwrap();
                manager.send_to(b"m", to).unwrap();
            }
            while let Ok((n, _)) = server.recv_from(&mut buf) {
                match &buf[..n] {
                    b"s" => strangers += 1,
                    _ => managers += 1,
                }
            }
        }
        assert_eq!(managers, 400, "every datagram of a known source");
        // One in four of 400: 100 expected; 60..=140 is more than six standard deviations.
        assert!(
            (60..=140).contains(&strangers),
            "{strangers} of 400 sampled"
        );
    }

    /// The kernel runs the program: a blocked source's datagram never reaches the socket,
    /// another's does. Needs 127.0.0.2 and 127.0.0.3 (Linux routes all of 127/8 to loopback).
    #[test]
    fn the_kernel_drops_a_blocked_ipv4_sources_datagrams() {
        let server = UdpSocket::bind("127.0.0.1:0").unwrap();
        server
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let to = server.local_addr().unwrap();
        let blocked = key("127.0.0.2", 64);
        attach(&server, &program(Family::V4, only(&[blocked]), 64)).unwrap();
        let flood = UdpSocket::bind("127.0.0.2:0").unwrap();
        let allowed = UdpSocket::bind("127.0.0.3:0").unwrap();
        flood.send_to(b"flood", to).unwrap();
        allowed.send_to(b"poll", to).unwrap();
        let mut buf = [0u8; 16];
        let (n, from) = server.recv_from(&mut buf).unwrap();
        assert_eq!(
            (&buf[..n], from),
            (&b"poll"[..], allowed.local_addr().unwrap())
        );
        assert!(server.recv_from(&mut buf).is_err(), "the flood was dropped");
        // An empty list accepts everyone again.
        attach(&server, &program(Family::V4, only(&[]), 64)).unwrap();
        flood.send_to(b"back", to).unwrap();
        let (n, _) = server.recv_from(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"back");
    }

    /// The same on `::1`, the one IPv6 loopback address: blocked by its /128 and by its /64,
    /// accepted when another prefix is blocked. Skips where the host has no IPv6 loopback.
    #[test]
    fn the_kernel_drops_a_blocked_ipv6_sources_datagrams() {
        let Ok(server) = UdpSocket::bind("[::1]:0") else {
            eprintln!("SKIP: no ::1 on this host");
            return;
        };
        server
            .set_read_timeout(Some(Duration::from_millis(200)))
            .unwrap();
        let to = server.local_addr().unwrap();
        let client = UdpSocket::bind("[::1]:0").unwrap();
        let mut buf = [0u8; 16];
        for prefix in [128u8, 64] {
            attach(
                &server,
                &program(Family::V6, only(&[key("::1", prefix)]), prefix),
            )
            .unwrap();
            client.send_to(b"flood", to).unwrap();
            assert!(server.recv_from(&mut buf).is_err(), "::1/{prefix} dropped");
        }
        // Another prefix blocked: ::1 is accepted.
        let other = key("2001:db8::1", 64);
        attach(&server, &program(Family::V6, only(&[other]), 64)).unwrap();
        client.send_to(b"poll", to).unwrap();
        let (n, from) = server.recv_from(&mut buf).unwrap();
        assert_eq!(
            (&buf[..n], from),
            (&b"poll"[..], client.local_addr().unwrap())
        );
    }
}
