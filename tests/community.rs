//! SNMPv1 and SNMPv2c through `[[community]]` (RFC 3584, read-only), in process through
//! `Agent::handle` with hand-built messages, and against the real binary with the `snmp`
//! crate's v2c client and net-snmp's `-v1`/`-v2c` tools: the allowed source and community are
//! answered within the view; another community, another source, another version and
//! everything outside the view are refused as the RFCs say, and counted.
#![cfg(feature = "server")]

mod common;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use common::in_process::request;
use common::{Agent as Process, Config, NetSnmp, ROOMY_BUDGET, TestDir, User};
use dqi_agent::access::{Access, Community, Family, Network, Versions, View};
use dqi_agent::agent::{Agent, Outcome};
use dqi_agent::budget::{BudgetConfig, Rejection, UserBudget, ValidBudget};
use dqi_agent::manager::testbed;
use dqi_agent::mib::objects::System;
use dqi_agent::mib::{Entry, Tree, Value};
use dqi_agent::stats::Counter;
use dqi_agent::time::Instant;
use dqi_agent::wire::{self, BulkPdu, CommunityMessage, Pdu, Pdus, VarBindValue};
use rasn::types::OctetString;
use rasn_smi::v2::{ApplicationSyntax, ObjectSyntax};

/// The request-id of every request built here.
const ID: i32 = 42;
const RO: &[u8] = b"legacy-nms-ro";
const OTHER: &[u8] = b"remote-nms-ro";
const SYS_DESCR: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 1, 0];
const SYS_NAME: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 5, 0];
const SNMP_IN_PKTS: &[u32] = &[1, 3, 6, 1, 2, 1, 11, 1, 0];
/// Under the view: a Counter64, then an Integer32.
const BIG: &[u32] = &[1, 3, 6, 1, 4, 1, 99999, 1, 0];
const SMALL: &[u32] = &[1, 3, 6, 1, 4, 1, 99999, 2, 0];
/// Past the view's end: something the tree serves that the view leaves out.
const AFTER: &[u32] = &[1, 3, 6, 1, 4, 1, 99999, 9, 0];

fn local() -> SocketAddr {
    "127.0.0.1:40000".parse().unwrap()
}

/// The view of both communities: the system group and `99999.1` to `99999.2`.
fn view() -> Arc<View> {
    Arc::new(View::new(vec![
        Family::new(&[1, 3, 6, 1, 2, 1, 1], &[], true).unwrap(),
        Family::new(&[1, 3, 6, 1, 4, 1, 99999], &[], true).unwrap(),
        Family::new(&[1, 3, 6, 1, 4, 1, 99999, 9], &[], false).unwrap(),
    ]))
}

/// An agent with two communities: `RO` from 127.0.0.0/8 in v1 and v2c, `OTHER` from
/// 10.0.0.0/8 in v2c only; both charged as principals with `per_user` units.
fn agent(budget: BudgetConfig) -> Agent {
    let system = System {
        object_id: vec![1, 3, 6, 1, 4, 1, 99999],
        name: "pump-7".into(),
        ..testbed::system("community target")
    };
    let engine_id = b"\x80\x00\x1f\x88\x04v1v2c";
    let mut entries = testbed::standard(&system, engine_id);
    entries.push((BIG.into(), Entry::Value(Value::Counter64(1 << 40))));
    entries.push((SMALL.into(), Entry::Value(Value::Integer(7))));
    entries.push((AFTER.into(), Entry::Value(Value::Integer(9))));
    let mut budget = budget;
    for i in 0..2 {
        budget.users.push(UserBudget {
            user: Community::principal(i),
            rate: budget.per_user,
            burst: budget.user_burst,
        });
    }
    let mut agent = testbed::agent(
        engine_id,
        Vec::new(),
        Tree::from_entries(entries),
        ValidBudget::new(budget).expect("a valid budget"),
    );
    let mut access = Access::new();
    let both = Versions {
        v1: true,
        v2c: true,
    };
    let v2c = Versions {
        v1: false,
        v2c: true,
    };
    let net = |a: &str, p| Network::new(a.parse().unwrap(), p).unwrap();
    access.add_community(Community::new(
        RO,
        vec![net("127.0.0.0", 8)],
        both,
        view(),
        Community::principal(0),
    ));
    access.add_community(Community::new(
        OTHER,
        vec![net("10.0.0.0", 8)],
        v2c,
        view(),
        Community::principal(1),
    ));
    agent.set_access(access).unwrap();
    agent
}

fn message(version: i64, community: &[u8], pdu: Pdus) -> Vec<u8> {
    wire::encode(&CommunityMessage {
        version,
        community: OctetString::from(community.to_vec()),
        pdu,
    })
    .unwrap()
}

/// Sends `pdu` and returns the Response's PDU, failing unless it was answered.
fn ask(agent: &mut Agent, version: i64, pdu: Pdus) -> Pdu {
    let mut out = Vec::new();
    let outcome = agent.handle(
        &message(version, RO, pdu),
        local(),
        Instant::from_secs(1),
        &mut out,
    );
    assert_eq!(outcome, Outcome::Response);
    let reply: CommunityMessage = wire::decode_exact(&out).unwrap();
    assert_eq!(reply.version, version);
    assert_eq!(&reply.community[..], RO);
    match reply.pdu {
        Pdus::Response(p) => {
            assert_eq!(p.request_id, ID);
            p
        }
        other => panic!("not a Response: {other:?}"),
    }
}

fn names(p: &Pdu) -> Vec<Vec<u32>> {
    p.varbinds.iter().map(|vb| vb.name.to_vec()).collect()
}

#[test]
fn without_a_community_v1_and_v2c_are_bad_versions() {
    let mut agent = agent(BudgetConfig::unlimited());
    agent.set_access(Access::new()).unwrap();
    let mut out = Vec::new();
    for version in [0, 1] {
        let datagram = message(version, RO, Pdus::Get(request(ID, &[SYS_DESCR])));
        let outcome = agent.handle(&datagram, local(), Instant::from_secs(1), &mut out);
        assert_eq!(outcome, Outcome::Dropped(Counter::SnmpInBadVersions));
        assert!(out.is_empty());
    }
}

#[test]
fn v2c_reads_within_the_view_and_refuses_writes() {
    let mut agent = agent(BudgetConfig::unlimited());
    let p = ask(
        &mut agent,
        1,
        Pdus::Get(request(ID, &[SYS_NAME, SNMP_IN_PKTS, AFTER])),
    );
    assert_eq!(p.error_status, 0);
    assert!(matches!(p.varbinds[0].value, VarBindValue::Value(_)));
    assert_eq!(p.varbinds[1].value, VarBindValue::NoSuchObject);
    assert_eq!(p.varbinds[2].value, VarBindValue::NoSuchObject);
    // GetNext: the Counter64 is a value in v2c; past the view, endOfMibView.
    let p = ask(
        &mut agent,
        1,
        Pdus::GetNext(request(ID, &[&[1, 3, 6, 1, 4, 1, 99999], SMALL])),
    );
    assert_eq!(names(&p), [BIG.to_vec(), SMALL.to_vec()]);
    assert!(matches!(
        p.varbinds[0].value,
        VarBindValue::Value(ObjectSyntax::ApplicationWide(
            ApplicationSyntax::BigCounter(_)
        ))
    ));
    assert_eq!(p.varbinds[1].value, VarBindValue::EndOfMibView);
    // GetBulk walks only the view.
    let bulk = Pdus::GetBulk(BulkPdu {
        request_id: ID,
        non_repeaters: 0,
        max_repetitions: 100,
        varbinds: request(ID, &[&[1, 3]]).varbinds,
    });
    let p = ask(&mut agent, 1, bulk);
    let walked = names(&p);
    let view = view();
    assert!(walked.len() > 8, "{walked:?}");
    assert!(walked.iter().all(|n| view.contains(n)), "{walked:?}");
    assert_eq!(p.varbinds.last().unwrap().value, VarBindValue::EndOfMibView);
    // Set: noAccess, the request's bindings back.
    let p = ask(&mut agent, 1, Pdus::Set(request(ID, &[SYS_NAME])));
    assert_eq!((p.error_status, p.error_index), (6, 1));
    assert_eq!(names(&p), [SYS_NAME.to_vec()]);
    // Every request was charged to the community as a principal.
    let accepted = agent
        .budget()
        .principals(Instant::from_secs(1))
        .find(|row| row.user == Community::principal(0).as_slice())
        .map(|row| row.accepted);
    assert_eq!(accepted, Some(4));
}

#[test]
fn v1_gets_v1_semantics() {
    let mut agent = agent(BudgetConfig::unlimited());
    let p = ask(&mut agent, 0, Pdus::Get(request(ID, &[SYS_NAME])));
    assert_eq!(p.error_status, 0);
    // An exception anywhere: noSuchName at its index, the request echoed.
    let p = ask(
        &mut agent,
        0,
        Pdus::Get(request(ID, &[SYS_NAME, SNMP_IN_PKTS])),
    );
    assert_eq!((p.error_status, p.error_index), (2, 2));
    assert_eq!(p.varbinds, request(ID, &[SYS_NAME, SNMP_IN_PKTS]).varbinds);
    // Counter64 does not exist for SNMPv1: Get is noSuchName, GetNext skips it.
    let p = ask(&mut agent, 0, Pdus::Get(request(ID, &[BIG])));
    assert_eq!((p.error_status, p.error_index), (2, 1));
    let p = ask(
        &mut agent,
        0,
        Pdus::GetNext(request(ID, &[&[1, 3, 6, 1, 4, 1, 99999]])),
    );
    assert_eq!((p.error_status, names(&p)), (0, vec![SMALL.to_vec()]));
    // GetNext past the end of the view: noSuchName.
    let p = ask(&mut agent, 0, Pdus::GetNext(request(ID, &[SMALL])));
    assert_eq!((p.error_status, p.error_index), (2, 1));
    assert_eq!(names(&p), [SMALL.to_vec()]);
    // Set: noAccess is noSuchName in SNMPv1 (RFC 3584 §4.4).
    let p = ask(&mut agent, 0, Pdus::Set(request(ID, &[SYS_NAME])));
    assert_eq!((p.error_status, p.error_index), (2, 1));
    // GetBulk does not exist in SNMPv1.
    let mut out = Vec::new();
    let bulk = Pdus::GetBulk(BulkPdu {
        request_id: 1,
        non_repeaters: 0,
        max_repetitions: 5,
        varbinds: request(ID, &[SYS_NAME]).varbinds,
    });
    let outcome = agent.handle(
        &message(0, RO, bulk),
        local(),
        Instant::from_secs(1),
        &mut out,
    );
    assert_eq!(outcome, Outcome::Dropped(Counter::SnmpInAsnParseErrs));
}

#[test]
fn other_communities_sources_and_versions_are_dropped_and_counted() {
    let mut agent = agent(BudgetConfig::unlimited());
    let mut out = Vec::new();
    let at = Instant::from_secs(1);
    let get = || Pdus::Get(request(ID, &[SYS_NAME]));
    let cases: [(&[u8], i64, &str, Counter); 5] = [
        (
            b"legacy-nms-rw",
            1,
            "127.0.0.1:1",
            Counter::SnmpInBadCommunityNames,
        ),
        (
            b"public",
            0,
            "127.0.0.1:1",
            Counter::SnmpInBadCommunityNames,
        ),
        (RO, 1, "192.0.2.1:1", Counter::SnmpInBadCommunityUses),
        (OTHER, 1, "127.0.0.1:1", Counter::SnmpInBadCommunityUses),
        (OTHER, 0, "10.1.2.3:1", Counter::SnmpInBadCommunityUses),
    ];
    for (community, version, source, counter) in cases {
        let before = agent.counters().get(counter);
        let datagram = message(version, community, get());
        let outcome = agent.handle(&datagram, source.parse().unwrap(), at, &mut out);
        assert_eq!(outcome, Outcome::Dropped(counter), "{source}");
        assert!(out.is_empty());
        assert_eq!(agent.counters().get(counter), before + 1);
    }
    // The other community from its own network, in its version, is answered.
    let datagram = message(1, OTHER, get());
    let outcome = agent.handle(&datagram, "10.1.2.3:1".parse().unwrap(), at, &mut out);
    assert_eq!(outcome, Outcome::Response);
}

#[test]
fn guessing_runs_out_of_the_sources_unauthenticated_budget() {
    let mut agent = agent(BudgetConfig::default());
    let mut out = Vec::new();
    let mut refused = 0;
    for i in 0..200u32 {
        let guess = format!("guess-{i:04}");
        let datagram = message(1, guess.as_bytes(), Pdus::Get(request(ID, &[SYS_NAME])));
        match agent.handle(
            &datagram,
            local(),
            Instant::from_millis(u64::from(i)),
            &mut out,
        ) {
            Outcome::Dropped(Counter::SnmpInBadCommunityNames) => {}
            Outcome::OverBudget {
                reason: Rejection::Unauthenticated | Rejection::PerSource,
                reported: false,
            } => refused += 1,
            other => panic!("{other:?}"),
        }
        assert!(out.is_empty());
    }
    assert!(
        refused > 100,
        "a guessing flood is cut off: {refused} of 200 refused"
    );
}

// ---------------------------------------------------------------------------------------------
// Against the real binary.

const VIEWS: &str = r#"
[[view]]
name = "system-only"
include = ["SNMPv2-MIB::system"]
exclude = ["SNMPv2-MIB::sysORTable"]

[[community]]
name = "legacy-nms-ro"
sources = ["127.0.0.0/8"]
view = "system-only"

[[community]]
name = "remote-nms-ro"
sources = ["10.0.0.0/8"]
view = "system-only"
versions = ["v2c"]
"#;

fn netsnmp_args(agent: &Process, version: &str, community: &str, oids: &[&str]) -> Vec<String> {
    let mut args: Vec<String> = [version, "-c", community, "-On", "-t", "1", "-r", "0"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    args.push(agent.target());
    args.extend(oids.iter().map(|s| s.to_string()));
    args
}

#[test]
fn net_snmp_and_the_snmp_crate_over_loopback() {
    let Some(snmp) = NetSnmp::new() else { return };
    let dir = TestDir::new("community");
    let user = User::new("auditor", "SHA-256", Some("AES-128"));
    let config = Config::new(vec![user.clone()])
        .with_section(ROOMY_BUDGET)
        .with_section(VIEWS);
    let mut agent = Process::start(&dir, &config);
    assert!(
        agent
            .stderr()
            .contains("community strings travel in the clear"),
        "the start-up warning:\n{}",
        agent.stderr()
    );
    assert!(
        !agent.stderr().contains("legacy-nms-ro"),
        "the string is never logged"
    );

    // Allowed community and source: answered within the view, in both versions.
    let mut walked = Vec::new();
    for version in ["-v1", "-v2c"] {
        let args = netsnmp_args(&agent, version, "legacy-nms-ro", &[".1.3.6.1.2.1.1.5.0"]);
        let out = snmp.run("snmpget", &args);
        assert!(out.success(), "{}", out.describe());
        assert_eq!(out.bindings()[0].value, config.name);
        let args = netsnmp_args(&agent, version, "legacy-nms-ro", &[".1"]);
        let out = snmp.run("snmpwalk", &args);
        assert!(out.success(), "{}", out.describe());
        let oids: Vec<String> = out
            .bindings()
            .into_iter()
            .filter(|b| !b.is_end_of_mib_view())
            .map(|b| b.oid)
            .collect();
        assert!(
            oids.iter()
                .all(|o| o.starts_with(".1.3.6.1.2.1.1.") && !o.starts_with(".1.3.6.1.2.1.1.9.")),
            "{version} walked outside the view: {oids:?}"
        );
        walked.push(oids);
    }
    assert_eq!(walked[0], walked[1], "v1 and v2c walk the same view");
    assert!(walked[0].len() >= 7, "{:?}", walked[0]);
    let args = netsnmp_args(&agent, "-v2c", "legacy-nms-ro", &[".1"]);
    let out = snmp.run("snmpbulkwalk", &args);
    assert!(out.success(), "{}", out.describe());
    let bulk: Vec<String> = out
        .bindings()
        .into_iter()
        .filter(|b| !b.is_end_of_mib_view())
        .map(|b| b.oid)
        .collect();
    assert_eq!(bulk, walked[1], "GetBulk walks the same view");

    // Outside the view: v2c noSuchObject, v1 noSuchName; v1 GetNext past the end noSuchName.
    let out = snmp.run(
        "snmpget",
        &netsnmp_args(&agent, "-v2c", "legacy-nms-ro", &[".1.3.6.1.2.1.11.1.0"]),
    );
    assert!(out.bindings()[0].is_no_such_object(), "{}", out.describe());
    let out = snmp.run(
        "snmpget",
        &netsnmp_args(&agent, "-v1", "legacy-nms-ro", &[".1.3.6.1.2.1.11.1.0"]),
    );
    assert!(out.stderr.contains("noSuchName"), "{}", out.describe());
    let last = walked[0].last().unwrap().clone();
    let out = snmp.run(
        "snmpgetnext",
        &netsnmp_args(&agent, "-v1", "legacy-nms-ro", &[&last]),
    );
    assert!(out.stderr.contains("noSuchName"), "{}", out.describe());
    // Set: noAccess in v2c, noSuchName in v1.
    for (version, reason) in [("-v2c", "noAccess"), ("-v1", "noSuchName")] {
        let mut args = netsnmp_args(&agent, version, "legacy-nms-ro", &[".1.3.6.1.2.1.1.5.0"]);
        args.extend(["s".to_string(), "renamed".to_string()]);
        let out = snmp.run("snmpset", &args);
        assert!(
            !out.success() && out.stderr.contains(reason),
            "{}",
            out.describe()
        );
    }

    // Another community, another source (the second community is for 10.0.0.0/8 only), and
    // v1 for a v2c-only community: no answer.
    for (version, community) in [
        ("-v2c", "legacy-nms-rw"),
        ("-v1", "public"),
        ("-v2c", "remote-nms-ro"),
        ("-v1", "remote-nms-ro"),
    ] {
        let args = netsnmp_args(&agent, version, community, &[".1.3.6.1.2.1.1.5.0"]);
        let out = snmp.run("snmpget", &args);
        assert!(
            !out.success() && out.stderr.contains("Timeout"),
            "{version} {community}: {}",
            out.describe()
        );
    }
    let names = snmp.counter(&agent, &user, ".1.3.6.1.2.1.11.4.0");
    let uses = snmp.counter(&agent, &user, ".1.3.6.1.2.1.11.5.0");
    assert_eq!(
        (names, uses),
        (2, 2),
        "snmpInBadCommunityNames, snmpInBadCommunityUses"
    );

    // The `snmp` crate's SNMPv2c client: answered for the right community, not for another.
    let addr = agent.addr_v4();
    let timeout = Some(Duration::from_secs(1));
    let mut session = snmp::SyncSession::new(addr, b"legacy-nms-ro", timeout, 1).unwrap();
    let response = session.get(&[1, 3, 6, 1, 2, 1, 1, 5, 0]).unwrap();
    let (name, value) = response.varbinds.clone().next().unwrap();
    assert_eq!(name.to_string(), "1.3.6.1.2.1.1.5.0");
    assert!(
        matches!(value, snmp::Value::OctetString(s) if s == config.name.as_bytes()),
        "{value:?}"
    );
    let response = session.getnext(&[1, 3, 6, 1, 2, 1, 1, 1, 0]).unwrap();
    let (name, _) = response.varbinds.clone().next().unwrap();
    assert_eq!(name.to_string(), "1.3.6.1.2.1.1.2.0");
    // Past the view the crate cannot decode endOfMibView (it has no variant for it); whatever
    // it makes of the answer, it is no object after the view.
    if let Ok(response) = session.getnext(&[1, 3, 6, 1, 2, 1, 1, 9]) {
        for (name, value) in response.varbinds.clone() {
            assert_eq!(name.to_string(), "1.3.6.1.2.1.1.9", "{value:?}");
        }
    }
    let mut wrong = snmp::SyncSession::new(addr, b"legacy-nms-rw", timeout, 1).unwrap();
    assert!(wrong.get(&[1, 3, 6, 1, 2, 1, 1, 5, 0]).is_err());

    // The refusals are logged (at the latest when the agent stops), by counter and source, and
    // no community string, the configured ones or the guesses, is in the log.
    agent.terminate(Duration::from_secs(10));
    let log = agent.stderr();
    assert!(log.contains("snmpInBadCommunityNames="), "{log}");
    assert!(log.contains("snmpInBadCommunityUses="), "{log}");
    for string in ["legacy-nms-ro", "legacy-nms-rw", "remote-nms-ro"] {
        assert!(!log.contains(string), "{string} is in the log:\n{log}");
    }
}
