//! The concierge's costs for a 5,000-component inventory with 500 VEX statements: a lookup
//! GETNEXT (`dqiSwByNameTable`, `dqiSwByPurlTable`, `dqiVexTable`) against a GETNEXT on
//! `dqiSwTable`, in process through `Agent::handle` (authPriv SHA-1/AES-128, no sockets); the
//! heap the lookup tables and the VEX table add to the served tree; and the load time of the
//! files with and without the VEX document.
//!
//! Run: `cargo bench --bench concierge`. Prints a Markdown table. With `CONCIERGE_PROBE=k` it
//! only handles 1,000 requests of the table's k-th question, for an instruction count under
//! `valgrind --tool=callgrind --toggle-collect='dqi_agent::agent::Agent::handle'` (README). Memory is counted by a
//! counting global allocator (live bytes before and after building each tree), so it is the
//! heap the tree holds, not RSS.

use std::alloc::{GlobalAlloc, Layout, System as SystemAlloc};
use std::net::SocketAddr;
use std::sync::atomic::{AtomicIsize, Ordering};
use std::time::Instant as WallClock;

use dqi_agent::agent::Agent;
use dqi_agent::budget::ValidBudget;
use dqi_agent::device::{DeviceConfig, DeviceSnapshot, FileSource, Timestamp};
use dqi_agent::manager::testbed;
use dqi_agent::mib::dqi::{DQI_ROOT, Stamps};
use dqi_agent::mib::objects::Engine;
use dqi_agent::mib::served;
use dqi_agent::mib::{Entry, Tree};
use dqi_agent::time::Instant;
use dqi_agent::wire::{Pdu, Pdus, VarBind, VarBindValue};
use rasn::types::ObjectIdentifier;

mod common;

struct Counting;

static LIVE: AtomicIsize = AtomicIsize::new(0);

// SAFETY: every call is forwarded to the system allocator unchanged; only a counter is kept.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: the caller's contract is passed on as is.
        unsafe { SystemAlloc.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size() as isize, Ordering::Relaxed);
        // SAFETY: as above.
        unsafe { SystemAlloc.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOC: Counting = Counting;

const COMPONENTS: usize = 5000;
const STATEMENTS: usize = 500;
const ENGINE_ID: &[u8] = b"\x80\x00\x1f\x88\x04dqi-bench";

fn sbom() -> String {
    let mut components = Vec::with_capacity(COMPONENTS);
    for i in 1..=COMPONENTS {
        components.push(format!(
            r#"{{"type":"library","name":"component-{i}","version":"1.{i}.0","purl":"pkg:npm/component-{i}@1.{i}.0","bom-ref":"c{i}","supplier":{{"name":"Supplier {s}"}},"hashes":[{{"alg":"SHA-256","content":"{i:064x}"}}]}}"#,
            s = i % 50
        ));
    }
    format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{}]}}"#,
        components.join(",")
    )
}

fn openvex() -> String {
    let states = ["not_affected", "affected", "fixed", "under_investigation"];
    let mut statements = Vec::with_capacity(STATEMENTS);
    for i in 1..=STATEMENTS {
        let c = i * 10;
        let state = states[i % 4];
        let extra = match state {
            "not_affected" => r#","justification":"vulnerable_code_not_in_execute_path""#,
            "affected" => r#","action_statement":"Update to the next release.""#,
            _ => "",
        };
        statements.push(format!(
            r#"{{"vulnerability":{{"name":"CVE-2099-{i:05}"}},"products":[{{"@id":"pkg:npm/component-{c}@1.{c}.0"}}],"status":"{state}"{extra},"timestamp":"2024-06-01T00:00:00Z"}}"#
        ));
    }
    format!(
        r#"{{"@context":"https://openvex.dev/ns/v0.2.0","@id":"https://example.org/vex/1","timestamp":"2024-06-01T00:00:00Z","statements":[{}]}}"#,
        statements.join(",")
    )
}

fn stamps() -> Stamps {
    Stamps {
        refresh_interval: 300,
        agent_version: "bench",
        ..Stamps::default()
    }
}

fn entries(snapshot: &DeviceSnapshot) -> Vec<(Box<[u32]>, Entry)> {
    let engine = Engine {
        engine_id: ENGINE_ID.to_vec(),
        max_message_size: 65_507,
    };
    let system = testbed::system("bench");
    served::device_objects(&system, &engine, Some((snapshot, &stamps())))
}

fn agent(tree: Tree) -> Agent {
    let users = vec![testbed::user(b"bench", ENGINE_ID)];
    testbed::agent(ENGINE_ID, users, tree, ValidBudget::unlimited())
}

fn under(arcs: &[u32]) -> Vec<u32> {
    let mut oid = DQI_ROOT.to_vec();
    oid.extend_from_slice(arcs);
    oid
}

fn string_index(oid: &mut Vec<u32>, key: &str) {
    oid.push(key.len() as u32);
    oid.extend(key.bytes().map(u32::from));
}

fn getnext(oid: &[u32], id: i32) -> Pdus {
    Pdus::GetNext(Pdu {
        request_id: id,
        error_status: 0,
        error_index: 0,
        varbinds: vec![VarBind {
            name: ObjectIdentifier::new(oid.to_vec()).expect("oid"),
            value: VarBindValue::Unspecified,
        }],
    })
}

/// Checks once that a GETNEXT on `asked` lands on `want`; the reply's size.
fn check_getnext(tree: &Tree, asked: &[u32], want: &[u32]) -> usize {
    let mut a = agent(tree.clone());
    let mut m = testbed::manager(b"bench", ENGINE_ID);
    let source: SocketAddr = "127.0.0.1:40000".parse().expect("address");
    let mut out = Vec::with_capacity(65_536);
    a.handle(
        &m.request(getnext(asked, 0)),
        source,
        Instant::from_secs(1),
        &mut out,
    );
    let reply = m.open(&out).expect("a reply");
    let answered = match &reply.scoped.pdu {
        Pdus::Response(p) => p.varbinds[0].name.to_vec(),
        other => panic!("{other:?}"),
    };
    assert_eq!(answered, want, "the GETNEXT lands on the row asked for");
    out.len()
}

/// Nanoseconds per `handle()` of a GETNEXT on each of `asked`: the best of 7 rounds of 4,000
/// each, the questions taking turns within a round so that a busy moment of the shared
/// machine falls on all of them alike. Each request is first copied into one receive buffer,
/// as the driver's `recvmsg` leaves it: handled from the 4,000 buffers made in advance, every
/// request would start with cache misses on its own bytes, which the first reader of its
/// head and tail (the response cache's hash) would pay, more for a longer request.
fn time_getnexts(tree: &Tree, asked: &[&[u32]]) -> Vec<u128> {
    let n = 4_000;
    let source: SocketAddr = "127.0.0.1:40000".parse().expect("address");
    let mut out = Vec::with_capacity(65_536);
    let mut received: Vec<u8> = Vec::with_capacity(65_536);
    let mut best = vec![u128::MAX; asked.len()];
    for _ in 0..7 {
        for (oid, best) in asked.iter().zip(&mut best) {
            let mut m = testbed::manager(b"bench", ENGINE_ID);
            let requests: Vec<Vec<u8>> = (0..n).map(|i| m.request(getnext(oid, i))).collect();
            let mut a = agent(tree.clone());
            let start = WallClock::now();
            for r in &requests {
                received.clear();
                received.extend_from_slice(r);
                a.handle(&received, source, Instant::from_secs(1), &mut out);
            }
            *best = (*best).min(start.elapsed().as_nanos() / n as u128);
        }
    }
    best
}

/// The tree of the entries `make` builds, and the heap bytes it holds (everything else `make`
/// allocated is freed by then).
fn tree_bytes(make: impl FnOnce() -> Vec<(Box<[u32]>, Entry)>) -> (Tree, isize) {
    let before = LIVE.load(Ordering::Relaxed);
    let tree = Tree::from_entries(make());
    (tree, LIVE.load(Ordering::Relaxed) - before)
}

/// Nanoseconds per `Tree::next` on each of `asked` (the lookup alone, without the message
/// work): the best of 5 rounds of 200,000, taking turns as [`time_getnexts`] does.
fn time_nexts(tree: &Tree, asked: &[&[u32]]) -> Vec<f64> {
    let n = 200_000;
    let mut best = vec![f64::MAX; asked.len()];
    for _ in 0..5 {
        for (oid, best) in asked.iter().zip(&mut best) {
            let start = WallClock::now();
            let mut hits = 0usize;
            for _ in 0..n {
                hits += std::hint::black_box(tree.next(std::hint::black_box(oid)))
                    .map_or(0, |(o, _)| o.len());
            }
            assert!(hits > 0);
            *best = best.min(start.elapsed().as_nanos() as f64 / n as f64);
        }
    }
    best
}

/// Requests handled in the `CONCIERGE_PROBE` mode.
const PROBE_REQUESTS: usize = 1000;

/// The probe `CONCIERGE_PROBE` names (0 to 4, in the table's order), if set: the bench then only
/// handles that probe's requests, for `valgrind --tool=callgrind --toggle-collect=...handle`.
fn callgrind_probe() -> Option<usize> {
    std::env::var("CONCIERGE_PROBE").ok()?.parse().ok()
}

fn median_ms(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn main() {
    let dir = common::scratch_dir("concierge", "files");
    let sbom_path = dir.join("big.cdx.json");
    let vex_path = dir.join("big.openvex.json");
    common::write_private(&sbom_path, &sbom());
    common::write_private(&vex_path, &openvex());
    let config = |vex: bool| DeviceConfig {
        sbom: vec![sbom_path.clone()],
        vex: if vex { vec![vex_path.clone()] } else { vec![] },
        ..DeviceConfig::default()
    };
    let now = Timestamp::parse("2026-01-01T00:00:00Z").expect("date");
    let load = |vex: bool| {
        let times: Vec<f64> = (0..5)
            .map(|_| {
                let source = FileSource::new(config(vex), None).expect("source");
                let t = WallClock::now();
                let s = source.load_at(now).expect("load");
                assert_eq!(s.software.rows().len(), COMPONENTS);
                t.elapsed().as_secs_f64() * 1000.0
            })
            .collect();
        median_ms(times)
    };
    let (load_plain, load_vex) = match callgrind_probe() {
        Some(_) => (0.0, 0.0),
        None => (load(false), load(true)),
    };
    let snapshot = FileSource::new(config(true), None)
        .expect("source")
        .load_at(now)
        .expect("load");
    assert_eq!(snapshot.vex.rows().len(), STATEMENTS);

    // Memory: the full tree, and the same without the lookup tables, without dqiVex.
    let by_name = under(&[1, 4, 14]);
    let by_purl = under(&[1, 4, 15]);
    let vex = under(&[1, 6]);
    let sw_table = under(&[1, 4, 12]);
    let all = entries(&snapshot);
    let count = |p: &[u32]| all.iter().filter(|(o, _)| o.starts_with(p)).count();
    let (n_name, n_purl, n_vex, n_sw) = (
        count(&by_name),
        count(&by_purl),
        count(&vex),
        count(&sw_table),
    );
    let without = |drop: &[&[u32]]| -> Vec<(Box<[u32]>, Entry)> {
        entries(&snapshot)
            .into_iter()
            .filter(|(o, _)| !drop.iter().any(|p| o.starts_with(p)))
            .collect()
    };
    drop(all);
    let (bare, bare_bytes) = tree_bytes(|| without(&[&by_name, &by_purl, &vex]));
    drop(bare);
    let (no_vex, no_vex_bytes) = tree_bytes(|| without(&[&vex]));
    drop(no_vex);
    let (tree, full_bytes) = tree_bytes(|| entries(&snapshot));

    // GETNEXT costs, each on the 2,500th component (or the 250th statement).
    let target = 2500u32;
    let index = snapshot
        .software
        .rows()
        .iter()
        .find(|r| r.name == format!("component-{target}"))
        .expect("row")
        .index;
    // dqiSwVersion, the value the lookups' first column serves; dqiSwPurl, the column a
    // manager walks without them (the walk the lookups replace).
    let sw_cell = |column: u32, row: u32| under(&[1, 4, 12, 1, column, row]);
    let (sw_asked, sw_want) = (sw_cell(3, index - 1), sw_cell(3, index));
    let (purl_col_asked, purl_col_want) = (sw_cell(6, index - 1), sw_cell(6, index));
    let mut name_asked = under(&[1, 4, 14, 1, 2]);
    string_index(&mut name_asked, &format!("component-{target}"));
    let mut name_want = name_asked.clone();
    name_want.push(index);
    let mut purl_asked = under(&[1, 4, 15, 1, 2]);
    string_index(&mut purl_asked, &format!("pkg:npm/component-{target}"));
    let mut purl_want = purl_asked.clone();
    purl_want.push(index);
    let mut vex_asked = under(&[1, 6, 4, 1, 2]);
    string_index(&mut vex_asked, "CVE-2099-00250");
    let mut vex_want = vex_asked.clone();
    vex_want.push(index);

    println!(
        "{COMPONENTS} components, {STATEMENTS} VEX statements; tree of {} instances",
        tree.len()
    );
    println!();
    println!(
        "| GETNEXT (authPriv, in process) | answers | ns per handle() | reply octets | ns per Tree::next |"
    );
    println!("|---|---|---:|---:|---:|");
    let probes: [(&str, &[u32], &[u32]); 5] = [
        ("dqiSwVersion.(i-1)", &sw_asked, &sw_want),
        ("dqiSwPurl.(i-1)", &purl_col_asked, &purl_col_want),
        (
            "dqiSwByNameVersion.\"component-2500\"",
            &name_asked,
            &name_want,
        ),
        (
            "dqiSwByPurlVersion.\"pkg:npm/component-2500\"",
            &purl_asked,
            &purl_want,
        ),
        ("dqiVexState.\"CVE-2099-00250\"", &vex_asked, &vex_want),
    ];
    let sizes: Vec<usize> = probes
        .iter()
        .map(|(_, asked, want)| check_getnext(&tree, asked, want))
        .collect();
    let asked: Vec<&[u32]> = probes.iter().map(|p| p.1).collect();
    if let Some(probe) = callgrind_probe() {
        // `CONCIERGE_PROBE=k`: only probe k's requests, for an instruction count of `handle`.
        let mut m = testbed::manager(b"bench", ENGINE_ID);
        let requests: Vec<Vec<u8>> = (0..PROBE_REQUESTS)
            .map(|i| m.request(getnext(asked[probe], i as i32)))
            .collect();
        let mut a = agent(tree.clone());
        let source: SocketAddr = "127.0.0.1:40000".parse().expect("address");
        let mut out = Vec::with_capacity(65_536);
        for r in &requests {
            a.handle(r, source, Instant::from_secs(1), &mut out);
        }
        println!(
            "{}: {PROBE_REQUESTS} requests, {} octets each",
            probes[probe].0,
            requests[0].len()
        );
        let _ = std::fs::remove_dir_all(&dir);
        return;
    }
    let handle_ns = time_getnexts(&tree, &asked);
    let next_ns = time_nexts(&tree, &asked);
    for (i, (label, _, _)) in probes.iter().enumerate() {
        let (ns, size, next) = (handle_ns[i], sizes[i], next_ns[i]);
        println!("| {label} | row {index} | {ns} | {size} | {next:.0} |");
    }
    println!();
    println!("| served tree | instances | heap bytes |");
    println!("|---|---:|---:|");
    println!(
        "| without lookup tables and dqiVex | {} | {bare_bytes} |",
        tree.len() - n_name - n_purl - n_vex
    );
    println!(
        "| + dqiSwByNameTable, dqiSwByPurlTable | +{} | +{} |",
        n_name + n_purl,
        no_vex_bytes - bare_bytes
    );
    println!(
        "| + dqiVex ({STATEMENTS} rows) | +{n_vex} | +{} |",
        full_bytes - no_vex_bytes
    );
    println!("| (dqiSwTable alone: {n_sw} instances) | | |");
    println!();
    println!("| load (median of 5, fresh source) | ms |");
    println!("|---|---:|");
    println!("| SBOM only | {load_plain:.1} |");
    println!("| SBOM + {STATEMENTS}-statement OpenVEX | {load_vex:.1} |");
    let _ = std::fs::remove_dir_all(&dir);
}
