//! Throughput benchmark: the real `dqi-agent` server and net-snmp's `snmpd`, side by side.
//!
//! Both agents run on loopback, serve the same USM user (SHA-1 / AES-128, authPriv) and the same
//! system group, and are driven by the same load generator with 16 requests in flight. For each
//! operation (GET of one varbind, GETNEXT, GETBULK of 50) it prints requests per second, p50 and
//! p99 latency, the agent's CPU time per request (from /proc, user + system) and its RSS.
//!
//! Run: `cargo bench --bench throughput` (options: `-- --seconds N`, `--in-flight N`,
//! `--no-snmpd`). Requests are built before the clock starts, each with its own msgID and salt,
//! so the generator spends its time on the socket and the numbers measure the agents.

mod common;

use std::collections::VecDeque;
use std::net::{SocketAddr, UdpSocket};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::{Guard, cpu_time, free_port, rss_kib, scratch_dir, start_agent, write_private};
use dqi_agent::manager::Manager;
use dqi_agent::wire::{BulkPdu, Pdu, Pdus, VarBind, VarBindValue};
use rasn::types::ObjectIdentifier;

const USER: &str = "bench";
const AUTH_PASS: &str = "bench-auth-pass";
const PRIV_PASS: &str = "bench-priv-pass";
const DESCR: &str = "Acme InfuSafe 3000 HW 2.1, software 4.2.0";

struct Options {
    seconds: f64,
    in_flight: usize,
    snmpd: bool,
}

fn options() -> Options {
    let mut o = Options {
        seconds: 3.0,
        in_flight: 16,
        snmpd: true,
    };
    let args: Vec<String> = std::env::args().collect();
    let mut i = 1;
    while i < args.len() {
        match args[i].as_str() {
            "--seconds" => {
                o.seconds = args
                    .get(i + 1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(o.seconds);
                i += 1;
            }
            "--in-flight" => {
                o.in_flight = args
                    .get(i + 1)
                    .and_then(|s| s.parse().ok())
                    .unwrap_or(o.in_flight);
                i += 1;
            }
            "--no-snmpd" => o.snmpd = false,
            _ => {} // cargo bench passes --bench
        }
        i += 1;
    }
    o
}

fn start_dqi(port: u16) -> Guard {
    let dir = scratch_dir("bench", "dqi");
    start_agent(
        &dir,
        &format!(
            r#"[agent]
listen = ["127.0.0.1:{port}"]
state_dir = "{state}"
log_level = "warn"

[system]
description = "{DESCR}"
contact = "security@example.org"
name = "pump-17"
location = "Ward 4"

[[user]]
name = "{USER}"
auth = "SHA"
auth_password = "{AUTH_PASS}"
privacy = "AES-128"
priv_password = "{PRIV_PASS}"

# Throughput, not the budget, is measured here: limits far above what loopback carries, and
# GetBulk served as asked (the flood benchmark measures the default budget).
[budget]
global = "1000000/second"
global_burst = 1000000
per_source = "1000000/second"
per_user = "100000000/second"
burst = 1000000
max_repetitions = 100
intake = "1000000/second"
intake_burst = 1000000
"#,
            state = dir.join("state").display()
        ),
    )
}

fn start_snmpd(port: u16) -> Option<Guard> {
    let dir = scratch_dir("bench", "snmpd");
    let config = dir.join("snmpd.conf");
    write_private(
        &config,
        &format!(
            "createUser {USER} SHA \"{AUTH_PASS}\" AES \"{PRIV_PASS}\"\nrouser {USER} priv\n\
             sysDescr {DESCR}\nsysContact security@example.org\nsysName pump-17\nsysLocation Ward 4\n"
        ),
    );
    let child = Command::new("snmpd")
        .args(["-f", "-Lo", "-C", "-c"])
        .arg(&config)
        .arg(format!("udp:127.0.0.1:{port}"))
        .env("SNMP_PERSISTENT_DIR", dir.join("persist"))
        .env("MIBS", "")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .ok()?;
    Some(Guard(child))
}

fn oid(arcs: &[u32]) -> ObjectIdentifier {
    ObjectIdentifier::new(arcs.to_vec()).expect("valid OID")
}

fn varbinds(name: &[u32]) -> Vec<VarBind> {
    vec![VarBind {
        name: oid(name),
        value: VarBindValue::Unspecified,
    }]
}

#[derive(Clone, Copy)]
enum Op {
    Get,
    GetNext,
    Bulk50,
}

impl Op {
    fn name(self) -> &'static str {
        match self {
            Op::Get => "GET sysDescr.0",
            Op::GetNext => "GETNEXT sysDescr",
            Op::Bulk50 => "GETBULK 50 from mib-2",
        }
    }

    fn pdu(self, request_id: i32) -> Pdus {
        match self {
            Op::Get => Pdus::Get(Pdu {
                request_id,
                error_status: 0,
                error_index: 0,
                varbinds: varbinds(&[1, 3, 6, 1, 2, 1, 1, 1, 0]),
            }),
            Op::GetNext => Pdus::GetNext(Pdu {
                request_id,
                error_status: 0,
                error_index: 0,
                varbinds: varbinds(&[1, 3, 6, 1, 2, 1, 1, 1]),
            }),
            Op::Bulk50 => Pdus::GetBulk(BulkPdu {
                request_id,
                non_repeaters: 0,
                max_repetitions: 50,
                varbinds: varbinds(&[1, 3, 6, 1, 2, 1]),
            }),
        }
    }
}

/// Discovers the engine at `addr` and returns the benchmark user's manager, in time with it.
fn connect(socket: &UdpSocket, addr: SocketAddr) -> Option<Manager> {
    let mut m = common::connect(socket, addr, USER, AUTH_PASS, PRIV_PASS)?;
    m.max_size = 65_507;
    m.salt = 0x5eed;
    Some(m)
}

/// msgID of a v3 message without decrypting it: SEQUENCE { INTEGER version, SEQUENCE {
/// INTEGER msgID, ... } }.
fn msg_id(d: &[u8]) -> Option<i64> {
    fn header(d: &[u8], at: usize) -> Option<(usize, usize)> {
        let first = *d.get(at + 1)?;
        if first < 0x80 {
            Some((at + 2, usize::from(first)))
        } else {
            let n = usize::from(first & 0x7f);
            let len = d
                .get(at + 2..at + 2 + n)?
                .iter()
                .fold(0usize, |a, b| a << 8 | usize::from(*b));
            Some((at + 2 + n, len))
        }
    }
    let (start, _) = header(d, 0)?;
    let (vstart, vlen) = header(d, start)?;
    let (gstart, _) = header(d, vstart + vlen)?;
    let (istart, ilen) = header(d, gstart)?;
    let bytes = d.get(istart..istart + ilen)?;
    Some(bytes.iter().fold(0i64, |a, b| a << 8 | i64::from(*b)))
}

struct Stats {
    requests: u64,
    lost: u64,
    seconds: f64,
    p50: Duration,
    p99: Duration,
    cpu_per_request: Option<Duration>,
    rss_kib: Option<u64>,
    varbinds: usize,
}

/// A UDP echo server on loopback: the ceiling any agent could reach with this load generator.
fn start_echo() -> Option<SocketAddr> {
    let socket = UdpSocket::bind("127.0.0.1:0").ok()?;
    let addr = socket.local_addr().ok()?;
    std::thread::spawn(move || {
        let mut buf = vec![0u8; 65_536];
        while let Ok((n, from)) = socket.recv_from(&mut buf) {
            let _ = socket.send_to(&buf[..n], from);
        }
    });
    Some(addr)
}

/// Drives the agent at `addr` (process `pid`; `None` for the in-process echo ceiling).
fn drive(addr: SocketAddr, pid: Option<u32>, op: Op, o: &Options) -> Option<Stats> {
    let socket = UdpSocket::bind("127.0.0.1:0").ok()?;
    socket
        .set_read_timeout(Some(Duration::from_millis(500)))
        .ok()?;
    let mut m = connect(&socket, addr)?;
    let mut buf = vec![0u8; 65_536];

    // One request to learn the response size and warm up (an echo returns the request).
    socket.send_to(&m.request(op.pdu(1)), addr).ok()?;
    let (n, _) = socket.recv_from(&mut buf).ok()?;
    let varbinds = match m.open(&buf[..n]).ok()?.scoped.pdu {
        Pdus::Response(p) => p.varbinds.len(),
        _ if pid.is_none() => 0,
        _ => return None,
    };

    // Build requests ahead of the clock: unique msgID, request-id and salt for each.
    let budget = ((o.seconds * 150_000.0) as usize).max(10_000);
    let mut pool: VecDeque<(i64, Vec<u8>)> = VecDeque::with_capacity(budget);
    for i in 0..budget {
        let id = m.msg_id;
        pool.push_back((id, m.request(op.pdu(i as i32))));
    }

    let mut sent_at = vec![None::<Instant>; 1 << 20];
    let slot = |id: i64| (id as usize) & ((1 << 20) - 1);
    let mut latencies = Vec::with_capacity(budget);
    let mut lost = 0u64;
    let cpu0 = pid.and_then(cpu_time);
    let start = Instant::now();
    let deadline = start + Duration::from_secs_f64(o.seconds);
    let mut outstanding = 0usize;
    while outstanding < o.in_flight {
        let (id, d) = pool.pop_front()?;
        sent_at[slot(id)] = Some(Instant::now());
        socket.send_to(&d, addr).ok()?;
        outstanding += 1;
    }
    while Instant::now() < deadline && outstanding > 0 {
        match socket.recv_from(&mut buf) {
            Ok((n, _)) => {
                let now = Instant::now();
                if let Some(t) = msg_id(&buf[..n]).and_then(|id| sent_at[slot(id)].take()) {
                    latencies.push(now - t);
                }
                outstanding -= 1;
            }
            Err(_) => {
                // Timed out: count the window as lost and refill it.
                lost += outstanding as u64;
                outstanding = 0;
            }
        }
        while outstanding < o.in_flight {
            let Some((id, d)) = pool.pop_front() else {
                break;
            };
            sent_at[slot(id)] = Some(Instant::now());
            if socket.send_to(&d, addr).is_ok() {
                outstanding += 1;
            }
        }
    }
    let elapsed = start.elapsed().as_secs_f64();
    let cpu1 = pid.and_then(cpu_time);
    latencies.sort_unstable();
    let pct = |p: f64| {
        latencies
            .get(((latencies.len() as f64 - 1.0) * p) as usize)
            .copied()
            .unwrap_or_default()
    };
    let requests = latencies.len() as u64;
    let cpu_per_request = match (cpu0, cpu1) {
        (Some(a), Some(b)) if requests > 0 => Some((b - a) / requests as u32),
        _ => None,
    };
    Some(Stats {
        requests,
        lost,
        seconds: elapsed,
        p50: pct(0.50),
        p99: pct(0.99),
        cpu_per_request,
        rss_kib: pid.and_then(rss_kib),
        varbinds,
    })
}

fn wait_ready(addr: SocketAddr) -> bool {
    let socket = match UdpSocket::bind("127.0.0.1:0") {
        Ok(s) => s,
        Err(_) => return false,
    };
    let _ = socket.set_read_timeout(Some(Duration::from_millis(100)));
    (0..100).any(|_| connect(&socket, addr).is_some())
}

fn main() {
    let o = options();
    println!(
        "dqi-agent throughput: authPriv SHA-1/AES-128, {} in flight, {:.1} s per run, loopback",
        o.in_flight, o.seconds
    );
    let mut agents: Vec<(&str, SocketAddr, Option<Guard>)> = Vec::new();
    let port = free_port();
    let dqi = start_dqi(port);
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
    if !wait_ready(addr) {
        eprintln!("dqi-agent did not answer on {addr}");
        std::process::exit(1);
    }
    agents.push(("dqi-agent", addr, Some(dqi)));
    if o.snmpd {
        let port = free_port();
        match start_snmpd(port) {
            Some(g) => {
                let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
                if wait_ready(addr) {
                    agents.push(("snmpd", addr, Some(g)));
                } else {
                    eprintln!("snmpd did not answer; comparing nothing");
                }
            }
            None => eprintln!("snmpd not found (apt-get install snmpd); comparing nothing"),
        }
    }
    if let Some(addr) = start_echo() {
        agents.push(("UDP echo (ceiling)", addr, None));
    }
    println!(
        "| agent | operation | varbinds | req/s | p50 µs | p99 µs | agent CPU µs/req | RSS MiB | lost |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|");
    for op in [Op::Get, Op::GetNext, Op::Bulk50] {
        for (name, addr, guard) in &agents {
            match drive(*addr, guard.as_ref().map(Guard::pid), op, &o) {
                Some(s) => println!(
                    "| {name} | {} | {} | {:.0} | {:.0} | {:.0} | {} | {} | {} |",
                    op.name(),
                    s.varbinds,
                    s.requests as f64 / s.seconds,
                    s.p50.as_secs_f64() * 1e6,
                    s.p99.as_secs_f64() * 1e6,
                    s.cpu_per_request
                        .map_or("?".into(), |d| format!("{:.1}", d.as_secs_f64() * 1e6)),
                    s.rss_kib
                        .map_or("?".into(), |k| format!("{:.1}", k as f64 / 1024.0)),
                    s.lost,
                ),
                None => println!("| {name} | {} | failed | | | | | | |", op.name()),
            }
        }
    }
}
