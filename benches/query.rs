//! `dqi-query find` over a fleet of 1,000 devices on loopback, against the way an NMS answers
//! the same question today (walking `hrSWInstalledTable` on every device).
//!
//! The fleet is 1,000 `Agent`s in this process, each on its own loopback address
//! (127.0.1.1 to 127.0.4.232, one port), each with its own engine ID and a 1,000-component
//! inventory (log4j-core among them: a real-world-sized SBOM), each served by its own task on a
//! 2-thread tokio runtime. The query side is the library `dqi-query` runs
//! (`query::run::ask_all`), concurrency 256.
//!
//! `find` runs twice: cold (discovery first, as on a first run or with `--no-store`), then warm
//! (each engine's ID, boots and time remembered from the cold run, as `--store` keeps them, so
//! no discovery).
//!
//! Printed: wall time of each pass, datagrams per device (sent + received, retries included),
//! with discovery (2) counted separately, and the ratios. Targets (issue 11): 1,000 devices in
//! under 5 s, at most 4 datagrams per device after discovery, at least 20x fewer than the walk.
//!
//! Run: `cargo bench --bench query` (about 50 s of wall time on 2 cores, most of it building
//! the fleet, and 4.4 GB of memory). `DQI_BENCH_DEVICES` and `DQI_BENCH_COMPONENTS` change the
//! fleet: the walk's datagrams grow with the inventory (2 per 25 components), the lookup's do
//! not, so `DQI_BENCH_COMPONENTS=60` shows how little the lookup saves on a small inventory.

#[path = "../tests/common/sbom.rs"]
mod sbom;

use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant as WallInstant};

use dqi_agent::agent::{Agent, CoreConfig};
use dqi_agent::budget::ValidBudget;
use dqi_agent::device::DeviceConfig;
use dqi_agent::device::source::FileSource;
use dqi_agent::mib::Tree;
use dqi_agent::mib::dqi::Stamps;
use dqi_agent::mib::objects::{Engine, System};
use dqi_agent::mib::served;
use dqi_agent::query::engines::KnownEngines;
use dqi_agent::query::inventory;
use dqi_agent::query::oids;
use dqi_agent::query::run::{self, Plan, Selector};
use dqi_agent::query::session::{Session, Settings};
use dqi_agent::query::targets::Targets;
use dqi_agent::time::Instant;
use dqi_agent::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol, SecurityLevel, User, Users};
use tokio::net::UdpSocket;

const DEFAULT_DEVICES: usize = 1000;
const DEFAULT_COMPONENTS: usize = 1000;
const CONCURRENCY: usize = 256;
const AUTH_PASS: &[u8] = b"bench-auth-pass";
const PRIV_PASS: &[u8] = b"bench-priv-pass";

/// `name` from the environment, else `default`.
fn setting(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn address(i: usize) -> IpAddr {
    // 127.0.1.1 onwards: clear of 127.0.0.1, where other tests and engineers run agents.
    let n = 256 + 1 + i;
    IpAddr::V4(Ipv4Addr::new(127, 0, (n / 256) as u8, (n % 256) as u8))
}

fn engine_id(i: usize) -> Vec<u8> {
    let mut id = vec![0x80, 0x00, 0x1f, 0x88, 0x04];
    id.extend_from_slice(b"bench-");
    id.extend_from_slice(&(i as u32).to_be_bytes());
    id
}

/// The device's objects, built once from a generated SBOM through the agent's own importer.
fn device_entries(dir: &Path, components: usize) -> (dqi_agent::device::DeviceSnapshot, System) {
    let sbom = dir.join("sbom.cdx.json");
    std::fs::write(&sbom, sbom::large_flat_sbom(components)).expect("write SBOM");
    let source = FileSource::new(
        DeviceConfig {
            sbom: vec![sbom],
            ..DeviceConfig::default()
        },
        None,
    )
    .expect("source");
    let snapshot = source
        .load_at(dqi_agent::device::source::now_utc())
        .expect("snapshot");
    let system = System {
        description: "bench device".into(),
        object_id: vec![1, 3, 6, 1, 4, 1, 8072, 3, 2, 10],
        contact: String::new(),
        name: "bench".into(),
        location: String::new(),
        services: 72,
        or_entries: System::standard_or_entries(),
    };
    (snapshot, system)
}

fn agent(i: usize, snapshot: &dqi_agent::device::DeviceSnapshot, system: &System) -> Agent {
    let engine_id = engine_id(i);
    let engine = Engine {
        engine_id: engine_id.clone(),
        max_message_size: 65_507,
    };
    let entries = served::device_objects(system, &engine, Some((snapshot, &Stamps::default())));
    let auth = AuthKey::from_password(AuthProtocol::Sha256, AUTH_PASS, &engine_id);
    let privacy = PrivKey::from_password(
        PrivProtocol::Aes128,
        AuthProtocol::Sha256,
        PRIV_PASS,
        &engine_id,
    );
    Agent::new(
        CoreConfig {
            engine_id,
            engine_boots: 1,
            users: Users::new(vec![User {
                name: b"bench".to_vec(),
                auth,
                privacy: Some(privacy),
                min_level: SecurityLevel::AuthPriv,
            }]),
            tree: Tree::from_entries(entries),
            max_message_size: 65_507,
            salt_seed: i as u64 + 1,
            budget: ValidBudget::default(),
            budget_seed: i as u64 + 7,
        },
        Instant::ZERO,
    )
}

async fn serve(mut agent: Agent, socket: UdpSocket, origin: WallInstant) {
    let mut buf = vec![0u8; 65_536];
    let mut out = Vec::with_capacity(65_536);
    loop {
        let Ok((n, from)) = socket.recv_from(&mut buf).await else {
            continue;
        };
        let now = Instant::from_micros(origin.elapsed().as_micros() as u64);
        agent.handle(&buf[..n], from, now, &mut out);
        if !out.is_empty() {
            let _ = socket.send_to(&out, from).await;
        }
    }
}

fn targets_text(port: u16, devices: usize) -> String {
    let mut text = format!(
        "[credentials.bench]\nuser = \"bench\"\nauth = \"SHA-256\"\nauth_password = \"{}\"\nprivacy = \"AES-128\"\npriv_password = \"{}\"\n",
        String::from_utf8_lossy(AUTH_PASS),
        String::from_utf8_lossy(PRIV_PASS)
    );
    for i in 0..devices {
        text.push_str(&format!(
            "[[target]]\nname = \"dev-{i:04}\"\naddress = \"{}\"\ncredentials = \"bench\"\n",
            SocketAddr::new(address(i), port)
        ));
    }
    text
}

fn main() {
    let dir = std::env::temp_dir().join(format!("dqi-bench-query-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("scratch dir");
    let devices = setting("DQI_BENCH_DEVICES", DEFAULT_DEVICES);
    let components = setting("DQI_BENCH_COMPONENTS", DEFAULT_COMPONENTS);
    let (snapshot, system) = device_entries(&dir, components);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    let origin = WallInstant::now();
    // One port for every address: find one free on the first address, bind it on all.
    let port = std::net::UdpSocket::bind(SocketAddr::new(address(0), 0))
        .and_then(|s| s.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let built = WallInstant::now();
    runtime.block_on(async {
        for i in 0..devices {
            let socket = UdpSocket::bind(SocketAddr::new(address(i), port))
                .await
                .unwrap_or_else(|e| panic!("bind {}: {e}", address(i)));
            tokio::spawn(serve(agent(i, &snapshot, &system), socket, origin));
        }
    });
    eprintln!(
        "fleet: {devices} agents ({components} components each) up in {:.2?}",
        built.elapsed()
    );

    let targets = Targets::parse(
        &targets_text(port, devices),
        Path::new("bench-targets.toml"),
    )
    .expect("targets")
    .targets;
    let settings = Settings::default();
    let stop = Arc::new(AtomicBool::new(false));

    // 1. dqi-query find: lookup tables, one GetBulk and one Get per device after discovery;
    // cold (discovery), then warm (the engines the cold pass learned, as the store keeps them).
    let plan = Arc::new(Plan::Lookup {
        selectors: vec![Selector::parse(
            "pkg:maven/org.apache.logging.log4j/log4j-core",
        )],
        vuln: None,
    });
    let mut known = KnownEngines::new();
    let mut find_per_device = [0.0; 2];
    for (pass, label) in ["cold: discovery", "warm: engines from the store"]
        .iter()
        .enumerate()
    {
        let started = WallInstant::now();
        let results = runtime.block_on(run::ask_all(
            &targets,
            &known,
            Arc::clone(&plan),
            settings,
            CONCURRENCY,
            Arc::clone(&stop),
            &|_, _| {},
        ));
        let wall = started.elapsed();
        let found = results
            .iter()
            .filter(|r| r.outcome.as_ref().is_ok_and(|a| !a.components.is_empty()))
            .count();
        let failed = results.iter().filter(|r| r.outcome.is_err()).count();
        let remembered = results.iter().filter(|r| r.counters.remembered).count();
        let total: u64 = results
            .iter()
            .map(|r| u64::from(r.counters.sent + r.counters.received))
            .sum();
        let discovery: u64 = results
            .iter()
            .map(|r| u64::from(r.counters.discovery))
            .sum();
        find_per_device[pass] = total as f64 / devices as f64;
        println!(
            "find ({label}): {devices} devices in {:.2} s; {found} found log4j-core, {failed} failed, \
             {remembered} without discovery; {:.2} datagrams per device, {:.2} after discovery",
            wall.as_secs_f64(),
            find_per_device[pass],
            (total - discovery) as f64 / devices as f64,
        );
        known = results
            .into_iter()
            .filter_map(|r| Some((r.target, r.engine?)))
            .collect();
    }

    // 2. The NMS way: discovery, then walk hrSWInstalledName (GetBulk, 25 repetitions) and
    // grep the names.
    let started = WallInstant::now();
    let walked = runtime.block_on(async {
        let semaphore = Arc::new(tokio::sync::Semaphore::new(CONCURRENCY));
        let mut tasks = tokio::task::JoinSet::new();
        for target in targets.clone() {
            let semaphore = Arc::clone(&semaphore);
            tasks.spawn(async move {
                let _permit = semaphore.acquire_owned().await.ok()?;
                let mut session = Session::open(&target, settings, None).await.ok()?;
                let rows = inventory::walk(&mut session, &[oids::hr_sw_installed_name()], 25)
                    .await
                    .ok()?;
                let c = session.counters;
                Some((rows.len(), c.sent + c.received, c.discovery))
            });
        }
        let mut out = Vec::new();
        while let Some(r) = tasks.join_next().await {
            out.push(r.ok().flatten());
        }
        out
    });
    let walk_wall = started.elapsed();
    let ok: Vec<(usize, u32, u32)> = walked.iter().flatten().copied().collect();
    let walk_total: u64 = ok.iter().map(|r| u64::from(r.1)).sum();
    let walk_discovery: u64 = ok.iter().map(|r| u64::from(r.2)).sum();
    let rows: usize = ok.iter().map(|r| r.0).sum();
    let walk_after = (walk_total - walk_discovery) as f64 / ok.len().max(1) as f64;
    println!(
        "walk hrSWInstalledName: {} devices in {:.2} s; {rows} rows; {:.2} datagrams per device, {walk_after:.2} after discovery",
        ok.len(),
        walk_wall.as_secs_f64(),
        walk_total as f64 / ok.len().max(1) as f64
    );
    // Each side counted in all (discovery included): the walk as an NMS does it on each poll.
    let walk_per_device = walk_total as f64 / ok.len().max(1) as f64;
    for (pass, label) in ["cold find", "warm find"].iter().enumerate() {
        let ratio = walk_per_device / find_per_device[pass].max(f64::MIN_POSITIVE);
        println!(
            "ratio, {label}: the walk sends {ratio:.1}x the datagrams in all ({walk_per_device:.2} vs {:.2}); target >= 20x: {}",
            find_per_device[pass],
            if ratio >= 20.0 { "met" } else { "not met" }
        );
    }
    // Had the NMS remembered engines too: both sides after discovery.
    println!(
        "ratio, warm find against a walk without discovery: {:.1}x ({walk_after:.2} vs {:.2})",
        walk_after / find_per_device[1].max(f64::MIN_POSITIVE),
        find_per_device[1]
    );
    let _ = std::fs::remove_dir_all(&dir);
    // The serving tasks run forever: leave without waiting for them.
    runtime.shutdown_timeout(Duration::from_millis(100));
}
