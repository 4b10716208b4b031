//! In-process cost of `Agent::handle`, without sockets: what an embedder pays per request.
//!
//! Run: `cargo bench --bench core`. Prints nanoseconds per request for authPriv SHA-1/AES-128
//! GET, GETNEXT and GETBULK of 1, 10 and 50 repetitions, and for the cheapest rejections; then
//! the cost model the default budget is built on: a request's fixed cost and one response
//! varbind's (the GETBULK slope), and their ratio (`request_cost`).

use std::net::SocketAddr;
use std::time::Instant as WallClock;

use dqi_agent::agent::Agent;
use dqi_agent::budget::ValidBudget;
use dqi_agent::manager::{Manager, testbed};
use dqi_agent::mib::Tree;
use dqi_agent::time::Instant;
use dqi_agent::wire::{BulkPdu, Pdu, Pdus, VarBind, VarBindValue};
use rasn::types::ObjectIdentifier;

const ENGINE_ID: &[u8] = b"\x80\x00\x1f\x88\x04dqi-bench";

/// One user, `bench`, over the standard objects and 1,000 `dqiSwName` rows.
fn agent() -> Agent {
    let system = testbed::system("Acme InfuSafe 3000 HW 2.1, software 4.2.0");
    let mut entries = testbed::standard(&system, ENGINE_ID);
    entries.extend(testbed::components(1000));
    let users = vec![testbed::user(b"bench", ENGINE_ID)];
    testbed::agent(
        ENGINE_ID,
        users,
        Tree::from_entries(entries),
        ValidBudget::unlimited(),
    )
}

fn pdu(op: &str, id: i32) -> Pdus {
    let vb = |arcs: &[u32]| {
        vec![VarBind {
            name: ObjectIdentifier::new(arcs.to_vec()).expect("oid"),
            value: VarBindValue::Unspecified,
        }]
    };
    let p = |varbinds| Pdu {
        request_id: id,
        error_status: 0,
        error_index: 0,
        varbinds,
    };
    match op {
        "get" => Pdus::Get(p(vb(&[1, 3, 6, 1, 2, 1, 1, 1, 0]))),
        "getnext" => Pdus::GetNext(p(vb(&[1, 3, 6, 1, 2, 1, 1, 1]))),
        bulk => Pdus::GetBulk(BulkPdu {
            request_id: id,
            non_repeaters: 0,
            max_repetitions: bulk
                .strip_prefix("getbulk")
                .and_then(|n| n.parse().ok())
                .unwrap_or(50),
            varbinds: vb(&[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 2]),
        }),
    }
}

fn main() {
    let source: SocketAddr = "127.0.0.1:40000".parse().expect("address");
    let n = 20_000;
    println!("| request | ns per handle() | reply octets |");
    println!("|---|---:|---:|");
    let mut per_request = Vec::new();
    for op in ["get", "getnext", "getbulk1", "getbulk10", "getbulk50"] {
        let mut a = agent();
        let mut m = testbed::manager(b"bench", ENGINE_ID);
        let requests: Vec<Vec<u8>> = (0..n).map(|i| m.request(pdu(op, i))).collect();
        let mut out = Vec::with_capacity(65_536);
        let start = WallClock::now();
        let mut bytes = 0;
        for r in &requests {
            a.handle(r, source, Instant::from_secs(1), &mut out);
            bytes = out.len();
        }
        let ns = start.elapsed().as_nanos() / n as u128;
        println!("| authPriv {op} | {ns} | {bytes} |");
        per_request.push(ns as f64);
    }
    // The GETBULK slope is one more response varbind; what a 1-repetition GETBULK costs beyond
    // its one varbind is the request's fixed cost.
    let varbind = (per_request[4] - per_request[2]) / 49.0;
    let fixed = per_request[2] - varbind;
    println!(
        "\ncost model (in process): {fixed:.0} ns per request, {varbind:.0} ns per response \
         varbind, ratio {:.1}",
        fixed / varbind
    );
    let mut a = agent();
    let mut d = Manager::discovery();
    let requests: Vec<Vec<u8>> = (0..n).map(|i| d.request(pdu("get", i))).collect();
    let mut out = Vec::with_capacity(65_536);
    let start = WallClock::now();
    for r in &requests {
        a.handle(r, source, Instant::from_secs(1), &mut out);
    }
    println!(
        "| discovery (Report) | {} | {} |",
        start.elapsed().as_nanos() / n as u128,
        out.len()
    );
}
