//! The classic BPF programs of the kernel filter (`SO_ATTACH_FILTER`, Linux's
//! `Documentation/networking/filter.rst`): drop the datagrams of the blocked sources before
//! they are queued on the socket, accept everything else.
//!
//! A socket is IPv4 or IPv6 only (IPv6 sockets are `IPV6_V6ONLY`, see `socket.rs`), so each
//! family has its own program, reading the source address from the network header
//! (`SKF_NET_OFF`, before the UDP header): the IPv4 source is the word at offset 12; the IPv6
//! source the four words at offsets 8 to 20 (RFC 8200 §3), of which only those within the
//! budget's `ipv6_prefix` are compared (a partly covered word is masked first), since the
//! budget groups an IPv6 host's addresses by prefix.
//!
//! Every blocked source ends in its own `ret 0`, so every conditional jump stays a few
//! instructions long, far within the 8-bit offsets, whatever the list's length.

use std::io;
use std::net::UdpSocket;

use crate::budget::SourceKey;

/// The most sources dropped in the kernel at once: every one is a few comparisons per
/// datagram. Beyond it, the sources found first stay blocked and the others are refused in
/// user space.
pub(super) const MAX_BLOCKED: usize = 64;

// Classic BPF opcodes and offsets (linux/filter.h, linux/bpf_common.h): a stable kernel ABI.
/// `BPF_LD | BPF_W | BPF_ABS` (0x00 | 0x00 | 0x20): load a 32-bit word at an offset.
const BPF_LD_W_ABS: u16 = 0x20;
/// `BPF_ALU | BPF_AND | BPF_K` (0x04 | 0x50 | 0x00): AND the accumulator with a constant.
const BPF_ALU_AND_K: u16 = 0x54;
/// `BPF_JMP | BPF_JEQ | BPF_K` (0x05 | 0x10 | 0x00): jump if equal to the constant.
const BPF_JMP_JEQ_K: u16 = 0x15;
/// `BPF_RET | BPF_K` (0x06 | 0x00): return the constant (bytes to accept, 0 drops).
const BPF_RET_K: u16 = 0x06;
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

/// The program for a socket of `family` that drops datagrams from `blocked` (those of that
/// family, at most [`MAX_BLOCKED`]: the rest are ignored) and accepts everything else. IPv6
/// sources are compared on their first `ipv6_prefix` bits.
pub(super) fn program(family: Family, blocked: &[SourceKey], ipv6_prefix: u8) -> Vec<Instruction> {
    let mut code = Vec::new();
    let ours = blocked.iter().filter(|key| match family {
        Family::V4 => matches!(key, SourceKey::V4(_)),
        Family::V6 => matches!(key, SourceKey::V6(_)),
    });
    for key in ours.take(MAX_BLOCKED) {
        let words = words(*key, ipv6_prefix);
        if words.is_empty() {
            // A zero-bit prefix matches every IPv6 source: drop them all.
            code.push(ret(DROP));
            return code;
        }
        // Per word: load, mask (if partial), compare; a mismatch jumps past this source's
        // remaining instructions and its `ret 0`, to the next source.
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
                // At most 4 × 3 + 1 instructions per source: always fits.
                jf: u8::try_from(remaining).unwrap_or(u8::MAX),
                k: value,
            });
        }
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

    /// Runs `code` on an IPv4 or IPv6 source as the kernel would, far enough to check the
    /// jumps: returns what the program returns.
    fn run(code: &[Instruction], source: IpAddr) -> u32 {
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
                BPF_LD_W_ABS => {
                    let at = (i.k as i32 - SKF_NET_OFF) as usize;
                    a = u32::from_be_bytes(header[at..at + 4].try_into().unwrap());
                }
                BPF_ALU_AND_K => a &= i.k,
                BPF_JMP_JEQ_K => pc += usize::from(if a == i.k { i.jt } else { i.jf }),
                BPF_RET_K => return i.k,
                other => panic!("unexpected opcode {other:#x}"),
            }
        }
    }

    #[test]
    fn the_ipv4_program_drops_only_the_blocked_sources() {
        let blocked = [key("127.0.0.2", 64), key("127.0.0.3", 64), key("::1", 64)];
        let code = program(Family::V4, &blocked, 64);
        assert_eq!(
            code.len(),
            2 * 3 + 1,
            "the IPv6 source is not in the IPv4 program"
        );
        let ip = |s: &str| s.parse::<IpAddr>().unwrap();
        assert_eq!(run(&code, ip("127.0.0.2")), DROP);
        assert_eq!(run(&code, ip("127.0.0.3")), DROP);
        assert_eq!(run(&code, ip("127.0.0.4")), ACCEPT);
        let many: Vec<SourceKey> = (0..200u32).map(SourceKey::V4).collect();
        assert_eq!(program(Family::V4, &many, 64).len(), MAX_BLOCKED * 3 + 1);
        assert_eq!(program(Family::V4, &[], 64), [ret(ACCEPT)]);
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
            let code = program(Family::V6, &blocked, prefix);
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
            program(Family::V6, &[key("::1", 0)], 0),
            [ret(DROP)],
            "a /0 source is everyone"
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
        attach(&server, &program(Family::V4, &[blocked], 64)).unwrap();
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
        attach(&server, &program(Family::V4, &[], 64)).unwrap();
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
            attach(&server, &program(Family::V6, &[key("::1", prefix)], prefix)).unwrap();
            client.send_to(b"flood", to).unwrap();
            assert!(server.recv_from(&mut buf).is_err(), "::1/{prefix} dropped");
        }
        // Another prefix blocked: ::1 is accepted.
        let other = key("2001:db8::1", 64);
        attach(&server, &program(Family::V6, &[other], 64)).unwrap();
        client.send_to(b"poll", to).unwrap();
        let (n, from) = server.recv_from(&mut buf).unwrap();
        assert_eq!(
            (&buf[..n], from),
            (&b"poll"[..], client.local_addr().unwrap())
        );
    }
}
