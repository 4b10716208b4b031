//! The PROTOS c06-snmpv1 robustness corpus (29,516 malformed requests, CERT CA-2002-03).
//!
//! Every case is an SNMPv1 GetRequest with one anomaly in its values or its BER encoding. The
//! agent serves SNMPv3 only, so each case is fed twice: as it is (it must be counted under
//! snmpInBadVersions or snmpInASNParseErrs and dropped), and with its version rewritten to 3, so
//! the anomalies reach the v3 message decoder. Two runs:
//! - in process, through `Agent::handle`: no panic, nothing sent, every datagram counted;
//! - against the real binary over loopback, in batches: after every batch the agent still
//!   answers an authenticated GET, and its memory stays flat.
//!
//! The corpus is read from `../shared/robustness/protos-c06-snmpv1` (or `DQI_PROTOS_DIR`); it is
//! GPL test data and stays outside the repository.

mod common;

use std::fs;
use std::net::{SocketAddr, UdpSocket};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use common::in_process::request;
use common::{Agent as Process, Config, TestDir, User, run_with_deadline, skip};
use dqi_agent::access::{Access, Community, Network, Versions, View};
use dqi_agent::agent::{Agent, Outcome};
use dqi_agent::budget::{BudgetConfig, UserBudget, ValidBudget};
use dqi_agent::manager::{Manager, testbed};
use dqi_agent::mib::Tree;
use dqi_agent::mib::objects::System;
use dqi_agent::stats::Counter;
use dqi_agent::time::Instant;
use dqi_agent::usm::{
    AuthKey, AuthProtocol, PrivKey, PrivProtocol, SecurityLevel, User as UsmUser,
};
use dqi_agent::wire::{self, CommunityMessage, Pdus};

const SYS_NAME: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 5, 0];

fn corpus_dir() -> PathBuf {
    match std::env::var_os("DQI_PROTOS_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/robustness/protos-c06-snmpv1")
        }
    }
}

/// The corpus's cases, unpacked into `dir`; `None` (test skipped, or failed under CI) when the
/// corpus is not available.
fn cases(dir: &TestDir) -> Option<Vec<Vec<u8>>> {
    let corpus = corpus_dir();
    let archives = ["req-app-testcases.tar.gz", "req-enc-testcases.tar.gz"];
    if !archives.iter().all(|a| corpus.join(a).is_file()) {
        let message = format!(
            "PROTOS corpus not found in {} (set DQI_PROTOS_DIR)",
            corpus.display()
        );
        skip(&message);
        return None;
    }
    let mut out = Vec::new();
    for archive in archives {
        let target = dir.join(archive.trim_end_matches(".tar.gz"));
        fs::create_dir_all(&target).expect("unpack dir");
        let unpack = run_with_deadline(
            Command::new("tar")
                .arg("xzf")
                .arg(corpus.join(archive))
                .arg("-C")
                .arg(&target),
            Duration::from_secs(120),
        );
        assert!(unpack.success(), "tar: {}", unpack.describe());
        let mut names: Vec<PathBuf> = fs::read_dir(target.join("testcases"))
            .expect("testcases dir")
            .map(|e| e.expect("dir entry").path())
            .collect();
        names.sort();
        for name in names {
            out.push(fs::read(&name).expect("read case"));
        }
    }
    assert_eq!(out.len(), 10_601 + 18_915, "the whole corpus");
    Some(out)
}

/// The case with its SNMP version rewritten to 3, when it starts `SEQUENCE { INTEGER 0 ...`.
fn as_v3(case: &[u8]) -> Option<Vec<u8>> {
    let at = match case {
        [0x30, n, 0x02, 0x01, 0x00, ..] if *n < 0x80 => 4,
        [0x30, 0x81, _, 0x02, 0x01, 0x00, ..] => 5,
        [0x30, 0x82, _, _, 0x02, 0x01, 0x00, ..] => 6,
        _ => return None,
    };
    let mut v3 = case.to_vec();
    v3[at] = 3;
    Some(v3)
}

const ENGINE_ID: &[u8] = b"\x80\x00\x1f\x88\x04protos";

/// The agent the corpus is fed to; `principals` are given buckets besides the user's.
fn in_process_agent(principals: Vec<Vec<u8>>) -> Agent {
    // The decoder is under test here, not the budget: every datagram must reach it.
    let mut budget = BudgetConfig::unlimited();
    for user in principals {
        budget.users.push(UserBudget {
            user,
            rate: budget.per_user,
            burst: budget.user_burst,
        });
    }
    let system = System {
        object_id: vec![1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 3, 1],
        name: "protos".into(),
        ..testbed::system("PROTOS target")
    };
    let user = UsmUser {
        name: b"public".to_vec(),
        auth: AuthKey::from_password(AuthProtocol::Sha1, b"public-auth", ENGINE_ID),
        privacy: Some(PrivKey::from_password(
            PrivProtocol::Aes128,
            AuthProtocol::Sha1,
            b"public-priv",
            ENGINE_ID,
        )),
        min_level: SecurityLevel::AuthPriv,
    };
    testbed::agent(
        ENGINE_ID,
        vec![user],
        Tree::from_entries(testbed::standard(&system, ENGINE_ID)),
        ValidBudget::new(budget).expect("a valid budget"),
    )
}

#[test]
fn corpus_through_handle() {
    let dir = TestDir::new("protos-handle");
    let Some(cases) = cases(&dir) else { return };
    let mut agent = in_process_agent(Vec::new());
    let source: SocketAddr = "127.0.0.1:40000".parse().expect("address");
    let mut out = Vec::new();
    let mut fed = 0u32;
    let mut rewritten = 0u32;
    for case in &cases {
        let outcome = agent.handle(case, source, Instant::from_secs(1), &mut out);
        assert!(
            matches!(outcome, Outcome::Dropped(_)),
            "{outcome:?} for {case:02x?}"
        );
        assert!(out.is_empty());
        fed += 1;
        if let Some(v3) = as_v3(case) {
            let outcome = agent.handle(&v3, source, Instant::from_secs(1), &mut out);
            // A v1 body under a v3 version cannot pass the v3 decoder; some anomalies may still
            // parse far enough to be refused later, but nothing may be answered with data.
            assert!(!matches!(outcome, Outcome::Response), "answered {v3:02x?}");
            fed += 1;
            rewritten += 1;
        }
    }
    let c = agent.counters();
    assert_eq!(c.get(Counter::SnmpInPkts), fed);
    let dropped = dropped(&agent);
    assert_eq!(dropped, fed, "every datagram counted exactly once");
    assert!(
        rewritten > 25_000,
        "most cases reached the v3 decoder: {rewritten}"
    );
    assert!(c.get(Counter::SnmpInBadVersions) > 0 && c.get(Counter::SnmpInAsnParseErrs) > 0);
}

/// With a community configured (the corpus's own `public`, from loopback, seeing everything:
/// the core takes any string; only the config file insists on 8 characters), the cases reach
/// the SNMPv1 decoder and the v1 operations: each is answered with a well-formed SNMPv1
/// GetResponse (SNMPv2c for the cases whose version field became 1) or dropped, and counted;
/// nothing panics.
#[test]
fn corpus_with_a_community_through_handle() {
    let dir = TestDir::new("protos-community");
    let Some(cases) = cases(&dir) else { return };
    let mut agent = in_process_agent(vec![Community::principal(0)]);
    let mut access = Access::new();
    access.add_community(Community::new(
        b"public",
        vec![Network::new("127.0.0.0".parse().expect("address"), 8).expect("network")],
        Versions {
            v1: true,
            v2c: true,
        },
        Arc::new(View::everything()),
        Community::principal(0),
    ));
    agent
        .set_access(access)
        .expect("the community has a bucket");
    let source: SocketAddr = "127.0.0.1:40000".parse().expect("address");
    let mut out = Vec::new();
    let mut answered = 0u32;
    for case in &cases {
        match agent.handle(case, source, Instant::from_secs(1), &mut out) {
            Outcome::Response => {
                answered += 1;
                let reply: CommunityMessage = wire::decode_exact(&out).expect("the reply decodes");
                // Some cases' anomaly is the version itself: a v2c request gets a v2c reply.
                let version = wire::locate::version(case).expect("answered, so it has one");
                assert_eq!(reply.version, version, "a reply in the request's version");
                assert!(matches!(reply.pdu, Pdus::Response(_)), "{reply:?}");
            }
            Outcome::Dropped(_) => assert!(out.is_empty()),
            other => panic!("{other:?} for {case:02x?}"),
        }
    }
    let c = agent.counters();
    let fed = u32::try_from(cases.len()).expect("count");
    assert_eq!(c.get(Counter::SnmpInPkts), fed);
    let dropped = dropped(&agent);
    assert_eq!(
        dropped + answered,
        fed,
        "every datagram answered or counted"
    );
    eprintln!(
        "PROTOS with a community: {answered} answered, {dropped} dropped (parse errors {}, bad community names {})",
        c.get(Counter::SnmpInAsnParseErrs),
        c.get(Counter::SnmpInBadCommunityNames)
    );
    assert!(answered > 1_000 && dropped > 1_000);
}

/// The datagrams the agent counted as refused: every counter but snmpInPkts.
fn dropped(agent: &Agent) -> u32 {
    let c = agent.counters();
    Counter::ALL
        .iter()
        .filter(|k| **k != Counter::SnmpInPkts)
        .map(|k| c.get(*k))
        .sum()
}

/// An authenticated GET of sysName.0 through the library's manager; `true` when answered.
fn answers(addr: SocketAddr, user: &User) -> bool {
    let Ok(socket) = UdpSocket::bind("127.0.0.1:0") else {
        return false;
    };
    let _ = socket.set_read_timeout(Some(Duration::from_millis(500)));
    let mut buf = vec![0u8; 65_536];
    let mut probe = Manager::discovery();
    for _ in 0..4 {
        if socket
            .send_to(&probe.request(Pdus::Get(request(1, &[SYS_NAME]))), addr)
            .is_err()
        {
            continue;
        }
        let Ok((n, _)) = socket.recv_from(&mut buf) else {
            continue;
        };
        let Ok(report) = probe.open(&buf[..n]) else {
            continue;
        };
        let mut m = user.manager(&report.usm.engine_id);
        m.learn(&report);
        for _ in 0..4 {
            if socket
                .send_to(&m.request(Pdus::Get(request(2, &[SYS_NAME]))), addr)
                .is_err()
            {
                continue;
            }
            if let Ok((n, _)) = socket.recv_from(&mut buf)
                && let Ok(reply) = m.open(&buf[..n])
            {
                return matches!(reply.scoped.pdu, Pdus::Response(p) if p.error_status == 0);
            }
        }
    }
    false
}

#[test]
fn corpus_against_the_running_agent() {
    let dir = TestDir::new("protos-live");
    let Some(cases) = cases(&dir) else { return };
    let user = User::new("nms", "SHA", Some("AES-128"));
    // The corpus comes from the address the check below asks from, and the decoder is under
    // test: the kernel filter of flooding sources would block that address, so it is off.
    let config = Config::new(vec![user.clone()]).with_section("[budget]\nblock_after = 0\n");
    let agent = Process::start(&dir, &config);
    let addr = agent.addr_v4();
    assert!(answers(addr, &user), "answers before the corpus");
    let rss_before = agent.rss_kib().unwrap_or(0);

    let sender = UdpSocket::bind("127.0.0.1:0").expect("sender socket");
    let mut datagrams: Vec<Vec<u8>> = Vec::with_capacity(cases.len() * 2);
    for case in &cases {
        datagrams.push(case.clone());
        if let Some(v3) = as_v3(case) {
            datagrams.push(v3);
        }
    }
    for (i, batch) in datagrams.chunks(2_000).enumerate() {
        for d in batch {
            // The send may fail for a datagram too large for loopback; that is the kernel's.
            let _ = sender.send_to(d, addr);
        }
        assert!(answers(addr, &user), "still answers after batch {i}");
    }
    let rss_after = agent.rss_kib().unwrap_or(0);
    eprintln!(
        "PROTOS live: {} datagrams, RSS {rss_before} KiB -> {rss_after} KiB",
        datagrams.len()
    );
    assert!(
        rss_after < rss_before + 8 * 1024,
        "memory stays flat: {rss_before} KiB -> {rss_after} KiB"
    );
}
