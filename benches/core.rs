//! In-process cost of `Agent::handle`, without sockets: what an embedder pays per request.
//!
//! Run: `cargo bench --bench core`. Prints nanoseconds per request for authPriv SHA-1/AES-128
//! GET, GETNEXT and GETBULK of 1, 10 and 50 repetitions, and for the cheapest rejections; then
//! the cost model the default budget is built on: a request's fixed cost and one response
//! varbind's (the GETBULK slope), and their ratio (`request_cost`).

use std::net::SocketAddr;
use std::time::Instant as WallClock;

use dqi_agent::agent::{Agent, CoreConfig};
use dqi_agent::budget::BudgetConfig;
use dqi_agent::manager::Manager;
use dqi_agent::mib::objects::{self, Engine, System};
use dqi_agent::mib::{Entry, Tree, Value};
use dqi_agent::time::Instant;
use dqi_agent::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol, SecurityLevel, User, Users};
use dqi_agent::wire::{BulkPdu, Pdu, Pdus, VarBind, VarBindValue};
use rasn::types::ObjectIdentifier;

const ENGINE_ID: &[u8] = b"\x80\x00\x1f\x88\x04dqi-bench";

fn keys() -> (AuthKey, PrivKey) {
    (
        AuthKey::from_password(AuthProtocol::Sha1, b"bench-auth-pass", ENGINE_ID),
        PrivKey::from_password(
            PrivProtocol::Aes128,
            AuthProtocol::Sha1,
            b"bench-priv-pass",
            ENGINE_ID,
        ),
    )
}

fn agent() -> Agent {
    let system = System {
        description: "Acme InfuSafe 3000 HW 2.1, software 4.2.0".into(),
        object_id: vec![1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 3, 2],
        contact: "security@example.org".into(),
        name: "pump-17".into(),
        location: "Ward 4".into(),
        services: 72,
        or_entries: System::standard_or_entries(),
    };
    let engine = Engine {
        engine_id: ENGINE_ID.to_vec(),
        max_message_size: 65_507,
    };
    let mut entries = objects::standard(&system, &engine);
    for i in 1..=1000u32 {
        entries.push((
            vec![1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 2, i].into(),
            Entry::Value(Value::octets(format!("component-{i}"))),
        ));
    }
    let (auth, privacy) = keys();
    Agent::new(
        CoreConfig {
            engine_id: ENGINE_ID.to_vec(),
            engine_boots: 1,
            users: Users::new(vec![User {
                name: b"bench".to_vec(),
                auth,
                privacy: Some(privacy),
                min_level: SecurityLevel::AuthPriv,
            }]),
            tree: Tree::from_entries(entries),
            max_message_size: 65_507,
            salt_seed: 1,
            budget: BudgetConfig::unlimited(),
            budget_seed: 2,
        },
        Instant::ZERO,
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
        let (auth, privacy) = keys();
        let mut m = Manager::new(b"bench", ENGINE_ID, auth, Some(privacy));
        m.boots = 1;
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
