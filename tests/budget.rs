//! Scenario tests of the request budget inside the agent: datagrams built by the library's
//! `Manager`, through `Agent::handle`, with explicit time. Each test names the limit it
//! exercises; numbers are read back through the DQI-MIB objects where the MIB serves them.

use std::net::SocketAddr;
use std::time::Duration;

use dqi_agent::agent::{Agent, CoreConfig, Outcome};
use dqi_agent::budget::{
    BudgetConfig, OverBudget, Period, Rate, Rejection, UserBudget, ValidBudget,
};
use dqi_agent::manager::{Manager, testbed};
use dqi_agent::mib::budget::{Column, Receive, Scalar, row_oid};
use dqi_agent::mib::{Entry, Tree, Value};
use dqi_agent::stats::Counter;
use dqi_agent::time::Instant;
use dqi_agent::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol, SecurityLevel, User, Users};
use dqi_agent::wire::{BulkPdu, Pdu, Pdus, VarBind, VarBindValue};
use rasn::types::ObjectIdentifier;
use rasn_smi::v2::{ApplicationSyntax, ObjectSyntax};

const ENGINE_ID: &[u8] = b"\x80\x00\x1f\x88\x04dqi-budget";
const SYS_DESCR: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 1, 0];
/// A column of 100 rows, for GetBulk.
const COLUMN: &[u32] = &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 7, 1, 2];
const T0: Instant = Instant::from_secs(1000);

fn at(ip: &str) -> SocketAddr {
    SocketAddr::new(ip.parse().unwrap(), 50000)
}

fn oid(arcs: &[u32]) -> ObjectIdentifier {
    ObjectIdentifier::new(arcs.to_vec()).unwrap()
}

fn user(name: &str) -> User {
    User {
        name: name.as_bytes().to_vec(),
        auth: AuthKey::from_password(AuthProtocol::Sha1, b"auth-password", ENGINE_ID),
        privacy: Some(PrivKey::from_password(
            PrivProtocol::Aes128,
            AuthProtocol::Sha1,
            b"priv-password",
            ENGINE_ID,
        )),
        min_level: SecurityLevel::AuthPriv,
    }
}

/// Generous everywhere except what a test sets; a request costs 1 unit plus its varbinds, and
/// nothing is held, so a test's arithmetic stays small.
fn roomy() -> BudgetConfig {
    BudgetConfig {
        cache_entries: 32,
        request_cost: 1,
        hold: Duration::ZERO,
        ..BudgetConfig::unlimited()
    }
}

fn rate(count: u32, period: Period) -> Rate {
    Rate::new(count, period).unwrap()
}

/// A budget of its own for `user` (`burst` also sizes the per-source buckets, so tests that
/// limit one user set that user's own).
fn own(user: &str, count: u32, period: Period, burst: u32) -> UserBudget {
    UserBudget {
        user: user.as_bytes().to_vec(),
        rate: rate(count, period),
        burst,
    }
}

/// Users `nms` and `ops` (SHA-1/AES-128, authPriv) and a column of 100 rows.
fn agent(budget: BudgetConfig) -> Agent {
    let mut entries = testbed::standard(&testbed::system("pump"), ENGINE_ID);
    for i in 1..=100u32 {
        let mut name = COLUMN.to_vec();
        name.push(i);
        entries.push((name.into(), Entry::Value(Value::Integer(i as i32))));
    }
    let mut agent = Agent::new(
        CoreConfig {
            engine_id: ENGINE_ID.to_vec(),
            engine_boots: 5,
            users: Users::new(vec![user("nms"), user("ops")]),
            tree: Tree::from_entries(entries),
            max_message_size: 65_507,
            salt_seed: 0x5a17,
            budget: ValidBudget::new(budget).expect("a valid budget"),
            budget_seed: 0xb0d6e7,
        },
        T0,
    );
    // What the server reports of its default receive settings (2,000/s, 50 ms).
    agent.set_receive(Receive {
        intake_per_second: 2000,
        moderation_ms: 50,
    });
    agent
}

fn manager(name: &str, auth_password: &[u8]) -> Manager {
    let mut m = Manager::new(
        name.as_bytes(),
        ENGINE_ID,
        AuthKey::from_password(AuthProtocol::Sha1, auth_password, ENGINE_ID),
        Some(PrivKey::from_password(
            PrivProtocol::Aes128,
            AuthProtocol::Sha1,
            b"priv-password",
            ENGINE_ID,
        )),
    );
    m.boots = 5;
    m
}

/// A manager in time with the agent at `now`.
fn synced(name: &str, a: &Agent, now: Instant) -> Manager {
    let mut m = manager(name, b"auth-password");
    m.time = a.engine_time(now);
    m
}

fn varbinds(names: &[&[u32]]) -> Vec<VarBind> {
    names
        .iter()
        .map(|n| VarBind {
            name: oid(n),
            value: VarBindValue::Unspecified,
        })
        .collect()
}

/// A Get with its own request-id: managers number their requests, and the response cache
/// treats a repeated request-id as a retry.
fn get(request_id: i32, names: &[&[u32]]) -> Pdus {
    Pdus::Get(Pdu {
        request_id,
        error_status: 0,
        error_index: 0,
        varbinds: varbinds(names),
    })
}

fn bulk(request_id: i32, max_repetitions: i64, names: &[&[u32]]) -> Pdus {
    Pdus::GetBulk(BulkPdu {
        request_id,
        non_repeaters: 0,
        max_repetitions,
        varbinds: varbinds(names),
    })
}

fn send(a: &mut Agent, from: SocketAddr, datagram: &[u8], now: Instant) -> (Outcome, Vec<u8>) {
    let mut out = Vec::new();
    let outcome = a.handle(datagram, from, now, &mut out);
    (outcome, out)
}

/// The bindings of the Response to `pdu`, sent by `m` from `from`.
fn ask(a: &mut Agent, m: &mut Manager, from: SocketAddr, pdu: Pdus, now: Instant) -> Vec<VarBind> {
    let (outcome, out) = send(a, from, &m.request(pdu), now);
    assert_eq!(outcome, Outcome::Response);
    match m.open(&out).unwrap().scoped.pdu {
        Pdus::Response(p) => p.varbinds,
        other => panic!("not a Response: {other:?}"),
    }
}

fn number(v: &VarBindValue) -> u64 {
    match v {
        VarBindValue::Value(ObjectSyntax::ApplicationWide(a)) => match a {
            ApplicationSyntax::Counter(c) => u64::from(c.0),
            ApplicationSyntax::Unsigned(g) => u64::from(g.0),
            ApplicationSyntax::Ticks(t) => u64::from(t.0),
            other => panic!("not a number: {other:?}"),
        },
        other => panic!("not a number: {other:?}"),
    }
}

fn available(a: &Agent, user: &[u8], now: Instant) -> u32 {
    a.budget()
        .principals(now)
        .find(|r| r.user == user)
        .unwrap()
        .available
}

const US: &str = "127.0.0.1";
const THEM: &str = "127.0.0.2";

// Per user: the burst is spent at once, then the bucket refills at the rate. Cost unit: a Get
// of one binding costs 1 + 1.
#[test]
fn user_bucket_burst_then_refill() {
    let mut a = agent(BudgetConfig {
        per_user: rate(10, Period::Second),
        burst: 10,
        user_burst: 10,
        ..roomy()
    });
    let mut m = synced("nms", &a, T0);
    for id in 0..5 {
        ask(&mut a, &mut m, at(US), get(id, &[SYS_DESCR]), T0);
    }
    assert_eq!(available(&a, b"nms", T0), 0);
    let (outcome, out) = send(&mut a, at(US), &m.request(get(5, &[SYS_DESCR])), T0);
    assert_eq!(
        outcome,
        Outcome::OverBudget {
            reason: Rejection::PerUser,
            reported: false
        }
    );
    assert!(out.is_empty(), "silent drop by default");
    // 200 ms refill 2 units: one more Get.
    let later = T0 + Duration::from_millis(200);
    ask(&mut a, &mut m, at(US), get(6, &[SYS_DESCR]), later);
    let (outcome, _) = send(&mut a, at(US), &m.request(get(7, &[SYS_DESCR])), later);
    assert!(matches!(outcome, Outcome::OverBudget { .. }));
    // A full second later the whole burst is back, and no more.
    let refilled = later + Duration::from_secs(5);
    assert_eq!(available(&a, b"nms", refilled), 10);
    let counters = a.budget().counters();
    assert_eq!(counters.requests_admitted, 6);
    assert_eq!(counters.rejected(Rejection::PerUser), 2);
}

// Per source, in datagrams no user answers for: one source over its limit does not affect
// another, and a user's own requests (paid from the user's budget) do not spend it.
#[test]
fn sources_are_isolated() {
    let mut a = agent(BudgetConfig {
        per_source: rate(5, Period::Second),
        burst: 5,
        users: vec![own("nms", 1000, Period::Second, 1000)],
        ..roomy()
    });
    let mut m = synced("nms", &a, T0);
    for id in 0..10 {
        ask(&mut a, &mut m, at(US), get(id, &[SYS_DESCR]), T0);
    }
    // Unparseable datagrams are no user's: five spend the source's burst.
    for _ in 0..5 {
        let (outcome, _) = send(&mut a, at(US), b"garbage", T0);
        assert!(matches!(outcome, Outcome::Dropped(_)), "{outcome:?}");
    }
    let (outcome, _) = send(&mut a, at(US), &m.request(get(10, &[SYS_DESCR])), T0);
    assert_eq!(
        outcome,
        Outcome::OverBudget {
            reason: Rejection::PerSource,
            reported: false
        }
    );
    // The same user from another address is a fresh source.
    ask(&mut a, &mut m, at(THEM), get(11, &[SYS_DESCR]), T0);
    // Refused before parsing: snmpInASNParseErrs counts only the five read.
    let (outcome, _) = send(&mut a, at(US), b"garbage", T0);
    assert!(matches!(outcome, Outcome::OverBudget { .. }));
    assert_eq!(a.counters().get(Counter::SnmpInAsnParseErrs), 5);
}

// Per user: one user over budget does not affect another from the same source.
#[test]
fn users_are_isolated() {
    let mut a = agent(BudgetConfig {
        per_user: rate(1, Period::Minute),
        burst: 4,
        user_burst: 4,
        ..roomy()
    });
    let mut nms = synced("nms", &a, T0);
    let mut ops = synced("ops", &a, T0);
    ask(&mut a, &mut nms, at(US), get(1, &[SYS_DESCR]), T0);
    ask(&mut a, &mut nms, at(US), get(2, &[SYS_DESCR]), T0);
    let (outcome, _) = send(&mut a, at(US), &nms.request(get(3, &[SYS_DESCR])), T0);
    assert!(matches!(
        outcome,
        Outcome::OverBudget {
            reason: Rejection::PerUser,
            ..
        }
    ));
    ask(&mut a, &mut ops, at(US), get(4, &[SYS_DESCR]), T0);
    assert_eq!(available(&a, b"ops", T0), 2);
}

// A user's own budget replaces per_user for that user only.
#[test]
fn a_user_budget_of_its_own() {
    let mut a = agent(BudgetConfig {
        per_user: rate(1, Period::Hour),
        burst: 2,
        user_burst: 2,
        users: vec![own("ops", 600, Period::Minute, 50)],
        ..roomy()
    });
    let rows: Vec<(Vec<u8>, u32)> = a
        .budget()
        .principals(T0)
        .map(|r| (r.user.to_vec(), r.burst))
        .collect();
    assert_eq!(rows, [(b"nms".to_vec(), 2), (b"ops".to_vec(), 50)]);
    let mut ops = synced("ops", &a, T0);
    let vbs = ask(
        &mut a,
        &mut ops,
        at(US),
        get(1, &[&row_oid(Column::Rate, b"ops")]),
        T0,
    );
    assert_eq!(number(&vbs[0].value), 600);
}

// GetBulk is charged by its work: the cap on max-repetitions applies before any work, and the
// user pays 1 + the bindings returned.
#[test]
fn getbulk_cost_and_the_max_repetitions_cap() {
    let mut a = agent(BudgetConfig {
        per_user: rate(1, Period::Hour),
        burst: 100,
        user_burst: 100,
        max_repetitions: 5,
        ..roomy()
    });
    let mut m = synced("nms", &a, T0);
    let vbs = ask(&mut a, &mut m, at(US), bulk(1, 50, &[COLUMN]), T0);
    assert_eq!(vbs.len(), 5, "max-repetitions 50 served as 5");
    assert_eq!(available(&a, b"nms", T0), 100 - 6);
    assert_eq!(a.budget().counters().bulk_capped, 1);
    // Within the cap nothing is counted as capped; three repeaters cost 1 + 3 x 4.
    let vbs = ask(
        &mut a,
        &mut m,
        at(US),
        bulk(2, 4, &[COLUMN, COLUMN, COLUMN]),
        T0,
    );
    assert_eq!(vbs.len(), 12);
    assert_eq!(available(&a, b"nms", T0), 94 - 13);
    assert_eq!(a.budget().counters().bulk_capped, 1);
    // A GetBulk the remaining 81 units cannot pay for in full (1 + 20 x 5) is shaped: the
    // four repetitions they pay for are served.
    let vbs = ask(&mut a, &mut m, at(US), bulk(3, 5, &[COLUMN; 20]), T0);
    assert_eq!(vbs.len(), 80);
    assert_eq!(a.budget().counters().bulk_shaped, 1);
    assert_eq!(available(&a, b"nms", T0), 0);
    // One that cannot pay even one repetition is refused whole.
    let (outcome, _) = send(&mut a, at(US), &m.request(bulk(4, 5, &[COLUMN; 20])), T0);
    assert!(matches!(outcome, Outcome::OverBudget { .. }));
}

// The response size cap: no response carries more than max_response_varbinds.
#[test]
fn response_varbinds_are_capped() {
    let mut a = agent(BudgetConfig {
        max_response_varbinds: 7,
        ..roomy()
    });
    let mut m = synced("nms", &a, T0);
    let vbs = ask(&mut a, &mut m, at(US), bulk(1, 10, &[COLUMN, COLUMN]), T0);
    assert_eq!(vbs.len(), 7);
}

// Discovery floods are limited per source: Reports stop after the burst, and resume at the rate.
#[test]
fn discovery_reports_stop_after_the_burst() {
    let mut a = agent(BudgetConfig {
        unauthenticated: rate(10, Period::Second),
        unauthenticated_burst: 20,
        ..roomy()
    });
    let mut d = Manager::discovery();
    let mut reports = 0;
    let mut refused = 0;
    for id in 0..100 {
        match send(&mut a, at(US), &d.request(get(id, &[])), T0).0 {
            Outcome::Report(Counter::UsmStatsUnknownEngineIds) => reports += 1,
            Outcome::OverBudget {
                reason: Rejection::Unauthenticated,
                reported: false,
            } => refused += 1,
            other => panic!("{other:?}"),
        }
    }
    assert_eq!((reports, refused), (20, 80));
    // Every such message is still counted by the standard counter.
    assert_eq!(a.counters().get(Counter::UsmStatsUnknownEngineIds), 100);
    // Another source is not affected; the flooding one gets 10 a second back.
    let (outcome, _) = send(&mut a, at(THEM), &d.request(get(0, &[])), T0);
    assert_eq!(outcome, Outcome::Report(Counter::UsmStatsUnknownEngineIds));
    let later = T0 + Duration::from_secs(1);
    let more = (0..30)
        .filter(|&id| {
            matches!(
                send(&mut a, at(US), &d.request(get(id, &[])), later).0,
                Outcome::Report(_)
            )
        })
        .count();
    assert_eq!(more, 10);
}

// Unknown users are unauthenticated outcomes too.
#[test]
fn unknown_user_flood_is_limited() {
    let mut a = agent(BudgetConfig {
        unauthenticated_burst: 3,
        ..BudgetConfig {
            unauthenticated: rate(1, Period::Hour),
            ..roomy()
        }
    });
    let mut m = manager("mallory", b"auth-password");
    let outcomes: Vec<Outcome> = (0..5)
        .map(|id| send(&mut a, at(US), &m.request(get(id, &[SYS_DESCR])), T0).0)
        .collect();
    assert_eq!(
        outcomes[..3],
        [Outcome::Report(Counter::UsmStatsUnknownUserNames); 3]
    );
    assert!(outcomes[3..].iter().all(|o| matches!(
        o,
        Outcome::OverBudget {
            reason: Rejection::Unauthenticated,
            ..
        }
    )));
}

// A flood of forged digests under a real user's name buys no HMAC once its source's
// unauthenticated budget is spent, and never touches the real user's bucket.
#[test]
fn forged_digests_do_not_spend_the_users_budget() {
    let mut a = agent(BudgetConfig {
        users: vec![own("nms", 1, Period::Hour, 10)],
        unauthenticated: rate(1, Period::Hour),
        unauthenticated_burst: 5,
        ..roomy()
    });
    let mut forger = manager("nms", b"not-the-password");
    forger.time = a.engine_time(T0);
    let outcomes: Vec<Outcome> = (0..200)
        .map(|id| {
            send(
                &mut a,
                at("10.9.9.9"),
                &forger.request(get(id, &[SYS_DESCR])),
                T0,
            )
            .0
        })
        .collect();
    assert!(
        outcomes[..5]
            .iter()
            .all(|o| *o == Outcome::Report(Counter::UsmStatsWrongDigests))
    );
    // Once the source's unauthenticated budget is spent, the next datagrams are refused before
    // their HMAC: no digest computed, so usmStatsWrongDigests stops too.
    assert_eq!(a.counters().get(Counter::UsmStatsWrongDigests), 5);
    assert!(outcomes[5..].iter().all(|o| matches!(
        o,
        Outcome::OverBudget {
            reason: Rejection::Unauthenticated,
            ..
        }
    )));
    assert_eq!(
        available(&a, b"nms", T0),
        10,
        "the real user's bucket is full"
    );
    let mut real = synced("nms", &a, T0);
    ask(&mut a, &mut real, at(US), get(1, &[SYS_DESCR]), T0);
}

// A byte-identical retransmission is answered from the cache: same bytes, nothing recomputed,
// the user not charged again. A retry with a new msgID is re-encoded from the cached response.
#[test]
fn retransmissions_are_answered_from_the_cache() {
    let mut a = agent(BudgetConfig {
        per_user: rate(1, Period::Hour),
        burst: 100,
        user_burst: 100,
        ..roomy()
    });
    let mut m = synced("nms", &a, T0);
    let request = m.request(get(7, &[SYS_DESCR]));
    let (first, reply) = send(&mut a, at(US), &request, T0);
    assert_eq!(first, Outcome::Response);
    assert_eq!(available(&a, b"nms", T0), 98);
    let later = T0 + Duration::from_secs(1);
    let (again, same) = send(&mut a, at(US), &request, later);
    assert_eq!(again, Outcome::Response);
    assert_eq!(same, reply, "the same reply, byte for byte");
    let counters = a.budget().counters();
    assert_eq!((counters.cache_hits, counters.requests_admitted), (1, 1));
    assert_eq!(available(&a, b"nms", later), 98, "not charged again");
    // From another port it is another conversation: not a retransmission.
    let other = SocketAddr::new(at(US).ip(), 50001);
    assert_eq!(send(&mut a, other, &request, later).0, Outcome::Response);
    assert_eq!(a.budget().counters().cache_hits, 1);

    // net-snmp's retry: same request-id and PDU, new msgID and salt. Charged one unit (the
    // request), the MIB not walked: the response is the cached one, for the new msgID.
    let retry = m.request(get(7, &[SYS_DESCR]));
    assert_ne!(retry, request);
    let before = available(&a, b"nms", later);
    let (outcome, out) = send(&mut a, at(US), &retry, later);
    assert_eq!(outcome, Outcome::Response);
    let reply = m.open(&out).unwrap();
    assert_eq!(reply.msg_id, m.msg_id - 1);
    assert_eq!(a.budget().counters().cache_hits, 2);
    assert_eq!(available(&a, b"nms", later), before - 1);
    // The cache forgets after its window.
    let (_, _) = send(&mut a, at(US), &request, T0 + Duration::from_secs(60));
    assert_eq!(a.budget().counters().cache_hits, 2);
}

// Refusals are counted and visible through the DQI-MIB: the scalars and the user's row.
#[test]
fn over_budget_is_counted_and_served() {
    let mut a = agent(BudgetConfig {
        users: vec![own("nms", 1, Period::Hour, 2)],
        ..roomy()
    });
    let mut nms = synced("nms", &a, T0);
    ask(&mut a, &mut nms, at(US), get(1, &[SYS_DESCR]), T0);
    let refused_at = T0 + Duration::from_secs(3);
    for id in 2..5 {
        let (outcome, _) = send(
            &mut a,
            at(US),
            &nms.request(get(id, &[SYS_DESCR])),
            refused_at,
        );
        assert!(matches!(outcome, Outcome::OverBudget { .. }));
    }
    let mut ops = synced("ops", &a, refused_at);
    let names = [
        Scalar::RejectedPrincipal.oid(),
        Scalar::Accepted.oid(),
        Scalar::LastRejection.oid(),
        row_oid(Column::Rejected, b"nms"),
        row_oid(Column::Accepted, b"nms"),
        row_oid(Column::LastRejection, b"nms"),
        row_oid(Column::Available, b"nms"),
        Scalar::UserRate.oid(),
        Scalar::UserPeriod.oid(),
        Scalar::Moderation.oid(),
    ];
    let names: Vec<&[u32]> = names.iter().map(Vec::as_slice).collect();
    let vbs = ask(&mut a, &mut ops, at(US), get(9, &names), refused_at);
    // The driver's receive moderation, as configured (the default 50 ms).
    assert_eq!(number(&vbs[9].value), 50);
    assert_eq!(number(&vbs[0].value), 3);
    assert_eq!(
        number(&vbs[1].value),
        2,
        "nms once, then this request of ops"
    );
    // sysUpTime at the refusal: 3 s after start.
    assert_eq!(number(&vbs[2].value), 300);
    assert_eq!(number(&vbs[3].value), 3);
    assert_eq!(number(&vbs[4].value), 1);
    assert_eq!(number(&vbs[5].value), 300);
    assert_eq!(number(&vbs[6].value), 0);
    // The default per_user of the unlimited test budget: 10^9 per second(1).
    assert_eq!(number(&vbs[7].value), 1_000_000_000);
    assert_eq!(
        vbs[8].value,
        VarBindValue::Value(ObjectSyntax::Simple(rasn_smi::v2::SimpleSyntax::Integer(
            1.into()
        )))
    );
}

// `over_budget = report`: the Report names the DQI-MIB counter that counted the refusal.
#[test]
fn over_budget_report_names_the_counter() {
    let mut a = agent(BudgetConfig {
        users: vec![own("nms", 1, Period::Hour, 2)],
        over_budget: OverBudget::Report,
        ..roomy()
    });
    let mut m = synced("nms", &a, T0);
    ask(&mut a, &mut m, at(US), get(1, &[SYS_DESCR]), T0);
    let (outcome, out) = send(&mut a, at(US), &m.request(get(2, &[SYS_DESCR])), T0);
    assert_eq!(
        outcome,
        Outcome::OverBudget {
            reason: Rejection::PerUser,
            reported: true
        }
    );
    let reply = m.open(&out).unwrap();
    let Pdus::Report(report) = reply.scoped.pdu else {
        panic!("not a Report");
    };
    assert_eq!(
        report.varbinds[0].name,
        oid(&Scalar::RejectedPrincipal.oid())
    );
    assert_eq!(number(&report.varbinds[0].value), 1);
}

// The source table is bounded: a new source evicts the least recently seen one.
#[test]
fn the_source_table_evicts() {
    let mut a = agent(BudgetConfig {
        sources: 2,
        ..roomy()
    });
    let mut d = Manager::discovery();
    for (id, ip) in ["10.0.0.1", "10.0.0.2", "10.0.0.3", "10.0.0.4"]
        .iter()
        .enumerate()
    {
        send(&mut a, at(ip), &d.request(get(id as i32, &[])), T0);
    }
    assert_eq!(a.budget().sources_len(), 2);
    assert_eq!(a.budget().counters().evictions, 2);
    let mut m = synced("nms", &a, T0);
    let names = [Scalar::SourceEntries.oid(), Scalar::SourceEvictions.oid()];
    let names: Vec<&[u32]> = names.iter().map(Vec::as_slice).collect();
    let vbs = ask(&mut a, &mut m, at(US), get(1, &names), T0);
    assert_eq!((number(&vbs[0].value), number(&vbs[1].value)), (2, 3));
}

// Shape, don't starve: over its budget a request is answered once the user's units refill,
// if that is within the hold limit, and refused only beyond it.
#[test]
fn over_budget_requests_are_held_until_the_units_refill() {
    let mut a = agent(BudgetConfig {
        per_user: rate(100, Period::Second),
        user_burst: 10,
        // A lone source may wait half the hold (the rest is for the user's other sources, see
        // `budget/fair.rs`): 100 ms.
        hold: Duration::from_millis(200),
        ..roomy()
    });
    let mut m = synced("nms", &a, T0);
    for id in 0..5 {
        ask(&mut a, &mut m, at(US), get(id, &[SYS_DESCR]), T0);
    }
    // Each Get of one costs 2 units, 20 ms at 100 a second: answered at 20, 40, ... 100 ms.
    for k in 1..=5u64 {
        let id = 4 + k as i32;
        let (outcome, out) = send(&mut a, at(US), &m.request(get(id, &[SYS_DESCR])), T0);
        let until = T0 + Duration::from_millis(20 * k);
        assert_eq!(outcome, Outcome::Held { until }, "request {id}");
        match m.open(&out).unwrap().scoped.pdu {
            Pdus::Response(p) => assert_eq!((p.request_id, p.varbinds.len()), (id, 1)),
            other => panic!("not a Response: {other:?}"),
        }
    }
    // The next would wait 120 ms: refused.
    let (outcome, out) = send(&mut a, at(US), &m.request(get(10, &[SYS_DESCR])), T0);
    assert!(matches!(outcome, Outcome::OverBudget { .. }));
    assert!(out.is_empty());
    let counters = a.budget().counters();
    assert_eq!(
        (counters.held, counters.rejected(Rejection::PerUser)),
        (5, 1)
    );
    // Another user is not held behind nms.
    let mut ops = synced("ops", &a, T0);
    ask(&mut a, &mut ops, at(US), get(11, &[SYS_DESCR]), T0);
}
