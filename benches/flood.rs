//! Flood benchmark: what a flood costs the real `dqi-agent` server, and what a well-behaved
//! poller still gets, with the default request budget.
//!
//! Three parts:
//!
//! 1. Paced floods. The agent runs on loopback (127.0.0.1) with the default `[budget]` and two
//!    users: `flood`, whose name the floods use, and `good`, a well-behaved poller that sends
//!    one authPriv GET every 100 ms from 127.0.0.2 (well inside its budget) for 1.2 s before
//!    the floods (a manager that was polling before) and during each flood.
//!    For each of the five kinds of flood, at 50,000 datagrams a second from one source
//!    (127.0.0.1) and then spread over 64 (127.0.0.10 to .73), sent for a bounded time by
//!    paced sender threads, it prints the agent's CPU share of one core, its RSS before and
//!    after, the CPU per flood datagram
//!    against the CPU per served authPriv request (measured first on a second agent whose
//!    budget never refuses, paced at the default global rate, the fastest the default budget
//!    serves anyone, and at the poller's 100 ms), and the poller's answer
//!    rate and p99 latency.
//! 2. Queued floods: each single-source flood queued at the socket while the agent is stopped,
//!    then drained back to back, against valid GETs served the same way: the marginal cost of
//!    one more datagram, with no wake-ups in it.
//! 3. `Agent::handle` alone, in process.
//!
//! CPU is the scheduler's on-CPU time of every agent thread (/proc/PID/task/*/schedstat, in
//! nanoseconds). Run: `cargo bench --bench flood` (options: `-- --seconds N` per flood, default
//! 5). Loopback only; every child process is killed on exit. Numbers on a shared machine are
//! noisy: read them as orders of magnitude.

mod common;

use std::fs;
use std::net::{SocketAddr, UdpSocket};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::thread;
use std::time::{Duration, Instant};

use common::{Guard, free_port, scratch_dir, start_agent};
use dqi_agent::agent::Agent;
use dqi_agent::budget::{BudgetConfig, ValidBudget};
use dqi_agent::manager::{Manager, testbed};
use dqi_agent::mib::Tree;
use dqi_agent::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol, SecurityLevel, User};
use dqi_agent::wire::Pdus;

const AUTH_PASS: &str = "flood-auth-pass";
const PRIV_PASS: &str = "flood-priv-pass";
const SYS_DESCR: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 1, 0];
/// The poller's period: 10 GETs a second, well inside its budget.
const POLL_EVERY: Duration = Duration::from_millis(100);
/// How long the poller waits for an answer before counting the request unanswered.
const POLL_TIMEOUT: Duration = Duration::from_secs(1);
/// A budget that never refuses, for the baseline agent.
const UNLIMITED: &str = r#"
[budget]
global = "1000000/second"
global_burst = 1000000
per_source = "1000000/second"
per_user = "1000000/second"
burst = 1000000
unauthenticated = "1000000/second"
unauthenticated_burst = 1000000
intake = "1000000/second"
intake_burst = 1000000
"#;

/// The value after `--name` on the command line.
fn option(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}

fn seconds() -> f64 {
    option("--seconds")
        .and_then(|s| s.parse().ok())
        .unwrap_or(5.0)
}

/// `--quick`: the paced floods only, without the baselines (their ratio columns show 0), the
/// queued floods or the in-process part.
fn quick() -> bool {
    std::env::args().any(|a| a == "--quick")
}

/// Whether to run `flood` from `count` sources: `--kind WORD` keeps the kinds whose name holds
/// it, `--sources N` the one source count.
fn selected(flood: Flood, count: usize) -> bool {
    option("--kind").is_none_or(|word| flood.name().contains(word.as_str()))
        && option("--sources").is_none_or(|n| n.parse() == Ok(count))
}

fn start(name: &str, port: u16, budget: &str) -> Guard {
    let dir = scratch_dir("flood", name);
    let user = |name: &str| {
        format!(
            "[[user]]\nname = \"{name}\"\nauth = \"SHA\"\nauth_password = \"{AUTH_PASS}\"\n\
             privacy = \"AES-128\"\npriv_password = \"{PRIV_PASS}\"\n\n"
        )
    };
    start_agent(
        &dir,
        &format!(
            "[agent]\nlisten = [\"127.0.0.1:{port}\"]\nstate_dir = \"{}\"\nlog_level = \"{}\"\n\n\
             [system]\ndescription = \"flood bench\"\n\n{}{}{budget}",
            dir.join("state").display(),
            // `--log warn` shows when sources are blocked in the kernel.
            option("--log").unwrap_or_else(|| "error".into()),
            user("flood"),
            user("good"),
        ),
    )
}

fn get(request_id: i32) -> Pdus {
    common::get(request_id, SYS_DESCR)
}

/// Discovers the engine from `socket` and returns a manager for `user`, in time with it.
fn connect(socket: &UdpSocket, addr: SocketAddr, user: &str, auth: &str) -> Option<Manager> {
    common::connect(socket, addr, user, auth, PRIV_PASS)
}

/// CPU time of a process: on-CPU nanoseconds from the scheduler where it tells them,
/// otherwise user + system in clock ticks; zero if /proc cannot tell.
fn cpu_time(pid: u32) -> Duration {
    common::run_time(pid)
        .or_else(|| common::cpu_time(pid))
        .unwrap_or_default()
}

/// The interval between requests at the default global rate: with the default budget the agent
/// serves no faster than this, to all sources together.
fn fastest_served() -> Duration {
    Duration::from_micros(BudgetConfig::default().global.micros_per_token())
}

fn rss_mib(pid: u32) -> f64 {
    common::rss_kib(pid).map_or(0.0, |kib| kib as f64 / 1024.0)
}

/// CPU per served authPriv GET, on an agent that never refuses: sequential requests for
/// `seconds`, each sent when the last was answered and, with `pace`, no sooner than `pace`
/// after the last was sent (so the agent wakes for each, as it does for a paced flood).
fn baseline(seconds: f64, pace: Option<Duration>) -> Option<(Duration, u64)> {
    let port = free_port();
    let agent = start("baseline", port, UNLIMITED);
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().ok()?;
    let socket = UdpSocket::bind("127.0.0.1:0").ok()?;
    socket
        .set_read_timeout(Some(Duration::from_millis(200)))
        .ok()?;
    let mut m = (0..50).find_map(|_| connect(&socket, addr, "good", AUTH_PASS))?;
    let requests: Vec<Vec<u8>> = (0..200_000).map(|i| m.request(get(i))).collect();
    let mut buf = vec![0u8; 65_536];
    let pid = agent.pid();
    let cpu0 = cpu_time(pid);
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let mut served = 0u64;
    let mut next = Instant::now();
    for request in &requests {
        if Instant::now() >= deadline {
            break;
        }
        if let Some(pace) = pace {
            let now = Instant::now();
            if next > now {
                thread::sleep(next - now);
            }
            next += pace;
        }
        socket.send_to(request, addr).ok()?;
        if socket.recv_from(&mut buf).is_ok() {
            served += 1;
        }
    }
    let cpu = cpu_time(pid).saturating_sub(cpu0);
    (served > 0).then(|| (cpu / u32::try_from(served).unwrap_or(u32::MAX), served))
}

#[derive(Clone, Copy)]
enum Flood {
    Valid,
    WrongDigest,
    UnknownUser,
    Malformed,
    Discovery,
}

/// Datagrams per second each flood offers, from one source or spread over 64.
const FLOOD_RATE: u64 = 50_000;

impl Flood {
    fn name(self) -> &'static str {
        match self {
            Flood::Valid => "valid authPriv GETs over budget",
            Flood::WrongDigest => "wrong digest",
            Flood::UnknownUser => "unknown user",
            Flood::Malformed => "malformed datagrams",
            Flood::Discovery => "discovery requests",
        }
    }

    /// Datagrams per second offered.
    fn rate(self) -> u64 {
        FLOOD_RATE
    }

    /// Sender threads, each from its own loopback address (127.0.0.1 for one source).
    fn sources(self, count: usize) -> Vec<String> {
        match count {
            1 => vec!["127.0.0.1".to_string()],
            n => (10..10 + n).map(|i| format!("127.0.0.{i}")).collect(),
        }
    }

    /// Distinct datagrams to cycle through.
    fn datagrams(self, engine: &Manager, count: usize) -> Vec<Vec<u8>> {
        let keyed = |user: &str, auth: &str| {
            let mut m = Manager::new(
                user.as_bytes(),
                &engine.engine_id,
                AuthKey::from_password(AuthProtocol::Sha1, auth.as_bytes(), &engine.engine_id),
                Some(PrivKey::from_password(
                    PrivProtocol::Aes128,
                    AuthProtocol::Sha1,
                    PRIV_PASS.as_bytes(),
                    &engine.engine_id,
                )),
            );
            m.boots = engine.boots;
            m.time = engine.time;
            m
        };
        let mut m = match self {
            Flood::Valid => keyed("flood", AUTH_PASS),
            Flood::WrongDigest => keyed("flood", "not-the-password"),
            Flood::UnknownUser => keyed("mallory", AUTH_PASS),
            Flood::Discovery => Manager::discovery(),
            Flood::Malformed => {
                // A SEQUENCE that starts like a v3 message and then is noise, varying per
                // datagram so nothing can be matched whole.
                return (0..count)
                    .map(|i| {
                        let mut d = vec![0x30, 0x40, 0x02, 0x01, 0x03, 0x30, 0x3b];
                        d.extend(
                            (0..59u32)
                                .map(|j| (i as u32).wrapping_mul(31).wrapping_add(j * 7) as u8),
                        );
                        d
                    })
                    .collect();
            }
        };
        (0..count).map(|i| m.request(get(i as i32))).collect()
    }
}

/// Sends `datagrams` in a loop from `ip` to `addr` at `rate` a second until `stop`.
fn sender(
    ip: String,
    addr: SocketAddr,
    datagrams: Arc<Vec<Vec<u8>>>,
    offset: usize,
    rate: u64,
    stop: Arc<AtomicBool>,
    sent: Arc<AtomicU64>,
) -> thread::JoinHandle<()> {
    thread::spawn(move || {
        let Ok(socket) = UdpSocket::bind(format!("{ip}:0")) else {
            return;
        };
        // Paced in 1 ms slots: each slot sends what the rate allows up to its end.
        let start = Instant::now();
        let mut n = 0u64;
        let mut i = offset;
        while !stop.load(Ordering::Relaxed) {
            let due = (start.elapsed().as_micros() as u64).saturating_mul(rate) / 1_000_000;
            while n < due {
                let d = &datagrams[i % datagrams.len()];
                let _ = socket.send_to(d, addr);
                i += 1;
                n += 1;
            }
            thread::sleep(Duration::from_millis(1));
        }
        sent.fetch_add(n, Ordering::Relaxed);
    })
}

struct Polled {
    sent: u64,
    answered: u64,
    p99: Duration,
    /// When the unanswered polls were sent, from the flood's start.
    lost: Vec<Duration>,
}

/// The well-behaved poller: one GET every `POLL_EVERY` from 127.0.0.2 until `until`.
fn poll(m: &mut Manager, socket: &UdpSocket, addr: SocketAddr, until: Instant) -> Polled {
    let mut buf = vec![0u8; 65_536];
    let mut latencies = Vec::new();
    let mut sent = 0u64;
    let mut lost = Vec::new();
    let start = Instant::now();
    let mut next = start;
    while next < until {
        let now = Instant::now();
        if next > now {
            thread::sleep(next - now);
        }
        next += POLL_EVERY;
        let request = m.request(get(sent as i32 + 1_000_000));
        let id = m.msg_id - 1;
        let t = Instant::now();
        if socket.send_to(&request, addr).is_err() {
            continue;
        }
        sent += 1;
        let deadline = t + POLL_TIMEOUT;
        let answered = latencies.len();
        while Instant::now() < deadline {
            let Ok((n, _)) = socket.recv_from(&mut buf) else {
                continue;
            };
            // Stale answers to earlier, timed-out requests are skipped by msgID.
            if m.open(&buf[..n]).is_ok_and(|r| r.msg_id == id) {
                latencies.push(t.elapsed());
                break;
            }
        }
        if latencies.len() == answered {
            lost.push(t.saturating_duration_since(start));
        }
    }
    latencies.sort_unstable();
    let p99 = latencies
        .get((latencies.len().saturating_sub(1) as f64 * 0.99) as usize)
        .copied()
        .unwrap_or_default();
    Polled {
        sent,
        answered: latencies.len() as u64,
        p99,
        lost,
    }
}

/// The agent's own work per datagram, in process (no sockets, no runtime): `handle()` for
/// served authPriv GETs on a budget that never refuses, and for each flood's datagrams on the
/// default budget, all at one instant (so nothing refills: a burst's worth pass, the rest are
/// refused). What separates the two from the socket numbers is the driver's wake-up cost.
fn in_process() {
    const ENGINE: &[u8] = b"\x80\x00\x1f\x88\x04flood-bench";
    let agent = |budget: BudgetConfig| {
        let user = |name: &str| User {
            name: name.as_bytes().to_vec(),
            auth: AuthKey::from_password(AuthProtocol::Sha1, AUTH_PASS.as_bytes(), ENGINE),
            privacy: Some(PrivKey::from_password(
                PrivProtocol::Aes128,
                AuthProtocol::Sha1,
                PRIV_PASS.as_bytes(),
                ENGINE,
            )),
            min_level: SecurityLevel::AuthPriv,
        };
        let objects = testbed::standard(&testbed::system("flood bench"), ENGINE);
        let users = vec![user("flood"), user("good")];
        let budget = ValidBudget::new(budget).expect("a valid budget");
        testbed::agent(ENGINE, users, Tree::from_entries(objects), budget)
    };
    let now = dqi_agent::time::Instant::from_secs(1);
    let engine = Manager {
        engine_id: ENGINE.to_vec(),
        boots: 1,
        time: 1,
        ..Manager::discovery()
    };
    let time = |a: &mut Agent, datagrams: &[Vec<u8>], sources: usize| {
        let mut out = Vec::new();
        let start = Instant::now();
        for (i, d) in datagrams.iter().enumerate() {
            let ip = std::net::Ipv4Addr::new(127, 0, 0, 10 + (i % sources) as u8);
            a.handle(d, SocketAddr::from((ip, 40000)), now, &mut out);
        }
        start.elapsed().as_secs_f64() * 1e9 / datagrams.len() as f64
    };
    let served = time(
        &mut agent(BudgetConfig::unlimited()),
        &Flood::Valid.datagrams(&engine, 20_000),
        1,
    );
    println!();
    println!(
        "In process, `Agent::handle` alone (no sockets, no runtime): a served authPriv GET costs {served:.0} ns."
    );
    println!();
    println!("| flood (20,000 datagrams at one instant) | ns per datagram | vs served request |");
    println!("|---|---:|---:|");
    for flood in FLOODS {
        let sources = 1;
        let ns = time(
            &mut agent(BudgetConfig::default()),
            &flood.datagrams(&engine, 20_000),
            sources,
        );
        println!("| {} | {ns:.0} | {:.2} |", flood.name(), ns / served);
    }
}

/// Datagrams the kernel dropped for the UDP socket bound to 127.0.0.1:`port` because its
/// receive queue was full: the last column of its line in /proc/net/udp.
fn socket_drops(port: u16) -> Option<u64> {
    udp_line(port)?.split_whitespace().last()?.parse().ok()
}

/// Octets queued for the UDP socket bound to 127.0.0.1:`port` (rx_queue in /proc/net/udp).
fn rx_queue(port: u16) -> Option<u64> {
    let line = udp_line(port)?;
    let queues = line.split_whitespace().nth(4)?;
    u64::from_str_radix(queues.split_once(':')?.1, 16).ok()
}

fn udp_line(port: u16) -> Option<String> {
    let text = fs::read_to_string("/proc/net/udp").ok()?;
    let local = format!("0100007F:{port:04X}");
    text.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(local.as_str()))
        .map(str::to_string)
}

/// Stops (`-STOP`) or resumes (`-CONT`) a process.
fn signal(pid: u32, which: &str) {
    let _ = std::process::Command::new("kill")
        .args([which, &pid.to_string()])
        .status();
}

/// Rounds and datagrams per round of the queued floods.
const ROUNDS: usize = 100;
const PER_ROUND: usize = 1000;

/// `flood` queued at a fresh agent with `budget` and drained back to back: each round stops
/// the agent, queues `PER_ROUND` datagrams at its socket, resumes it and waits until it has
/// read them all. The agent's CPU per datagram read, and how many it read.
fn queue(flood: Flood, budget: &str) -> Option<(f64, u64)> {
    let port = free_port();
    let agent = start("queued", port, budget);
    let pid = agent.pid();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().ok()?;
    let socket = UdpSocket::bind("127.0.0.2:0").ok()?;
    socket
        .set_read_timeout(Some(Duration::from_millis(50)))
        .ok()?;
    let good = (0..50).find_map(|_| connect(&socket, addr, "good", AUTH_PASS))?;
    let engine = Manager {
        time: good.time,
        boots: good.boots,
        engine_id: good.engine_id.clone(),
        ..Manager::discovery()
    };
    let datagrams = flood.datagrams(&engine, ROUNDS * PER_ROUND);
    let sender = UdpSocket::bind("127.0.0.1:0").ok()?;
    let drops0 = socket_drops(port)?;
    let cpu0 = cpu_time(pid);
    let mut sent = 0u64;
    for round in datagrams.chunks(PER_ROUND) {
        signal(pid, "-STOP");
        for d in round {
            if sender.send_to(d, addr).is_ok() {
                sent += 1;
            }
        }
        signal(pid, "-CONT");
        // Bounded: a second per round at most (a moderation pause is far shorter).
        let until = Instant::now() + Duration::from_secs(1);
        while rx_queue(port)? > 0 && Instant::now() < until {
            thread::sleep(Duration::from_micros(200));
        }
    }
    let cpu = cpu_time(pid).saturating_sub(cpu0).as_secs_f64();
    let read = sent.saturating_sub(socket_drops(port)?.saturating_sub(drops0));
    Some((cpu / read.max(1) as f64, read))
}

/// The single-source floods queued and drained back to back (no wake-up per datagram, no
/// idling between them), with the intake ceiling raised and the kernel filter off, so that the
/// agent reads them all: the
/// agent's CPU per datagram, against valid authPriv GETs served the same way on a budget
/// that never refuses. This is the marginal cost of one more datagram in a flood.
fn queued() {
    // Without the kernel filter (`block_after = 0`): it would block the one source after the
    // first round, and sample a burst of 1,000 datagrams from a source not yet known, so the
    // agent would read only part of what is queued.
    let unfiltered = format!("{UNLIMITED}block_after = 0\n");
    let Some((served, served_read)) = queue(Flood::Valid, &unfiltered) else {
        eprintln!("the queued baseline did not run");
        return;
    };
    let raised = "[budget]\nintake = \"1000000/second\"\nintake_burst = 1000000\nblock_after = 0\n";
    println!();
    println!(
        "Queued single-source floods ({ROUNDS} rounds of {PER_ROUND} datagrams queued while the \
         agent is stopped, then drained back to back; intake ceiling raised), against valid \
         authPriv GETs served the same way ({served_read} read, {:.2} µs each):",
        served * 1e6
    );
    println!();
    println!("| flood | read by the agent | agent CPU µs per datagram | vs served request |");
    println!("|---|---:|---:|---:|");
    for flood in FLOODS.iter() {
        if let Some((per, read)) = queue(*flood, raised) {
            println!(
                "| {} | {read} | {:.2} | {:.2} |",
                flood.name(),
                per * 1e6,
                per / served
            );
        }
    }
}

const FLOODS: [Flood; 5] = [
    Flood::Valid,
    Flood::WrongDigest,
    Flood::UnknownUser,
    Flood::Malformed,
    Flood::Discovery,
];

fn main() {
    let seconds = seconds();
    println!("dqi-agent flood benchmark: default [budget], {seconds:.0} s per flood, loopback");
    let skipped = Some((Duration::ZERO, 0));
    let baselines = match quick() {
        true => (skipped, skipped, skipped),
        false => (
            baseline(seconds.min(3.0), None),
            baseline(seconds, Some(fastest_served())),
            baseline(seconds.max(10.0), Some(POLL_EVERY)),
        ),
    };
    let (Some((busy_cpu, busy)), Some((served_cpu, served)), Some((polled_cpu, polled))) =
        baselines
    else {
        eprintln!("the baseline agent did not answer");
        std::process::exit(1);
    };
    println!(
        "baseline, served authPriv GETs: back to back {busy} at {:.1} µs agent CPU each; \
         paced at {} ms (the default global rate, the fastest the default budget serves) \
         {served} at {:.1} µs each; \
         at the poller's pace ({} ms) {polled} at {:.1} µs each",
        busy_cpu.as_secs_f64() * 1e6,
        fastest_served().as_millis(),
        served_cpu.as_secs_f64() * 1e6,
        POLL_EVERY.as_millis(),
        polled_cpu.as_secs_f64() * 1e6,
    );

    let port = free_port();
    let agent = start("flood", port, "");
    let pid = agent.pid();
    let addr: SocketAddr = format!("127.0.0.1:{port}").parse().expect("address");
    let poller = UdpSocket::bind("127.0.0.2:0").expect("bind 127.0.0.2");
    poller
        .set_read_timeout(Some(Duration::from_millis(50)))
        .expect("timeout");
    let Some(mut good) = (0..50).find_map(|_| connect(&poller, addr, "good", AUTH_PASS)) else {
        eprintln!("dqi-agent did not answer on {addr}");
        std::process::exit(1);
    };
    let engine = Manager {
        time: good.time,
        boots: good.boots,
        engine_id: good.engine_id.clone(),
        ..Manager::discovery()
    };
    // The poller was polling before the floods, as a manager does: two GETs a second and a
    // bit apart make its address a known source (see `Budget::known_sources`), which the
    // kernel filter keeps whole while it samples a flood.
    let warm = poll(&mut good, &poller, addr, Instant::now() + POLL_EVERY * 12);
    println!(
        "warm-up: the poller polled {} times over {} ms before the floods, {} answered",
        warm.sent,
        (POLL_EVERY * 12).as_millis(),
        warm.answered
    );

    println!(
        "| flood | sources | offered/s | sent | agent CPU % of a core | CPU µs per flood datagram | vs served, global-rate pace | vs served, poller's pace | RSS MiB before → after | poller answered | poller p99 ms |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    let runs = FLOODS
        .iter()
        .flat_map(|&flood| [(flood, 1), (flood, 64)])
        .filter(|&(flood, count)| selected(flood, count));
    for (flood, count) in runs {
        let datagrams = Arc::new(flood.datagrams(&engine, 20_000));
        // Let the buckets refill between floods.
        thread::sleep(Duration::from_secs(2));
        let rss0 = rss_mib(pid);
        let cpu0 = cpu_time(pid);
        let stop = Arc::new(AtomicBool::new(false));
        let sent = Arc::new(AtomicU64::new(0));
        let sources = flood.sources(count);
        let per_thread = flood.rate() / sources.len() as u64;
        // Two threads per core at most: spread the sources over a few threads' sockets.
        let threads: Vec<_> = sources
            .iter()
            .enumerate()
            .map(|(i, ip)| {
                sender(
                    ip.clone(),
                    addr,
                    datagrams.clone(),
                    i * 311,
                    per_thread,
                    stop.clone(),
                    sent.clone(),
                )
            })
            .collect();
        let started = Instant::now();
        if option("--log").is_some() {
            eprintln!(
                "{} from {count} starts at {:?}",
                flood.name(),
                std::time::SystemTime::now()
            );
        }
        let polled = poll(
            &mut good,
            &poller,
            addr,
            started + Duration::from_secs_f64(seconds),
        );
        stop.store(true, Ordering::Relaxed);
        for t in threads {
            let _ = t.join();
        }
        let wall = started.elapsed().as_secs_f64();
        let cpu = cpu_time(pid).saturating_sub(cpu0).as_secs_f64();
        let rss1 = rss_mib(pid);
        let sent = sent.load(Ordering::Relaxed);
        let per = if sent > 0 { cpu / sent as f64 } else { 0.0 };
        let ratio = |base: Duration| match base.is_zero() {
            true => 0.0,
            false => per / base.as_secs_f64(),
        };
        println!(
            "| {} | {count} | {} | {sent} | {:.2} | {:.2} | {:.2} | {:.2} | {rss0:.1} → {rss1:.1} | {}/{} ({:.1}%) | {:.2} |",
            flood.name(),
            flood.rate(),
            100.0 * cpu / wall,
            per * 1e6,
            ratio(served_cpu),
            ratio(polled_cpu),
            polled.answered,
            polled.sent,
            100.0 * polled.answered as f64 / polled.sent.max(1) as f64,
            polled.p99.as_secs_f64() * 1e3,
        );
        if !polled.lost.is_empty() {
            eprintln!(
                "  unanswered polls sent at {:?} into the flood",
                polled.lost
            );
        }
    }
    drop(agent);
    if !quick() {
        queued();
        in_process();
    }
}
