//! Scenario tests of the sans-I/O core: hand-built datagrams through `Agent::handle` with
//! explicit time. Each test names the RFC step it exercises.

mod common;

use std::net::SocketAddr;
use std::time::Duration;

use common::in_process::oid;
use dqi_agent::agent::{Agent, CoreConfig, ENGINE_MAX, Outcome};
use dqi_agent::budget::{BudgetConfig, ValidBudget};
use dqi_agent::manager::Manager;
use dqi_agent::mib::objects::{self, Engine, System};
use dqi_agent::mib::{Entry, Tree, Value};
use dqi_agent::stats::Counter;
use dqi_agent::time::Instant;
use dqi_agent::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol, SecurityLevel, User, Users};
use dqi_agent::wire::{
    self, BulkPdu, Header, Message, Pdu, Pdus, UsmParameters, VarBind, VarBindValue, flags, locate,
};
use rasn::types::OctetString;
use rasn_smi::v2::{ApplicationSyntax, ObjectSyntax, SimpleSyntax};

const ENGINE_ID: &[u8] = b"\x80\x00\x1f\x88\x04dqi-test";
const SYS_DESCR: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 1, 0];
const DESCRIPTION: &str = "Acme InfuSafe 3000 HW 2.1, software 4.2.0";
const START: Instant = Instant::from_secs(1000);

fn source() -> SocketAddr {
    "127.0.0.1:50000".parse().unwrap()
}

fn user(name: &str, auth: AuthProtocol, privacy: Option<PrivProtocol>, min: SecurityLevel) -> User {
    User {
        name: name.as_bytes().to_vec(),
        auth: AuthKey::from_password(auth, b"auth-password", ENGINE_ID),
        privacy: privacy.map(|p| PrivKey::from_password(p, auth, b"priv-password", ENGINE_ID)),
        min_level: min,
    }
}

/// An agent with three users: `nms` (SHA/AES-128, authPriv required), `ro` (SHA-256, no
/// privacy) and `lax` (SHA/AES-128 with authNoPriv allowed), and a few extra table rows.
fn agent_with(boots: u32, max_message_size: usize) -> Agent {
    // These scenarios test the protocol, not the budget (see tests/budget.rs).
    let budget = BudgetConfig {
        cache_entries: 0,
        ..BudgetConfig::unlimited()
    };
    agent_with_budget(boots, max_message_size, budget)
}

fn agent_with_budget(boots: u32, max_message_size: usize, budget: BudgetConfig) -> Agent {
    let system = System {
        description: DESCRIPTION.into(),
        object_id: vec![1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 1],
        contact: "security@example.org".into(),
        name: "pump-17".into(),
        location: "Ward 4".into(),
        services: 72,
        or_entries: System::standard_or_entries(),
    };
    let engine = Engine {
        engine_id: ENGINE_ID.to_vec(),
        max_message_size: max_message_size as i32,
    };
    let mut entries = objects::standard(&system, &engine);
    // A column of 100 rows with 60-octet values, to exercise response sizing.
    for i in 1..=100u32 {
        entries.push((
            vec![1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 7, 1, 2, i].into(),
            Entry::Value(Value::octets([b'x'; 60])),
        ));
    }
    Agent::new(
        CoreConfig {
            engine_id: ENGINE_ID.to_vec(),
            engine_boots: boots,
            users: Users::new(vec![
                user(
                    "nms",
                    AuthProtocol::Sha1,
                    Some(PrivProtocol::Aes128),
                    SecurityLevel::AuthPriv,
                ),
                user("ro", AuthProtocol::Sha256, None, SecurityLevel::AuthNoPriv),
                user(
                    "lax",
                    AuthProtocol::Sha1,
                    Some(PrivProtocol::Aes128),
                    SecurityLevel::AuthNoPriv,
                ),
            ]),
            tree: Tree::from_entries(entries),
            max_message_size,
            salt_seed: 0x0123_4567_89ab_cdef,
            budget: ValidBudget::new(budget).expect("a valid budget"),
            budget_seed: 3,
        },
        START,
    )
}

fn agent() -> Agent {
    agent_with(5, 65_507)
}

fn manager(name: &str, auth: AuthProtocol, privacy: Option<PrivProtocol>) -> Manager {
    let mut m = Manager::new(
        name.as_bytes(),
        ENGINE_ID,
        AuthKey::from_password(auth, b"auth-password", ENGINE_ID),
        privacy.map(|p| PrivKey::from_password(p, auth, b"priv-password", ENGINE_ID)),
    );
    m.boots = 5;
    m
}

fn nms() -> Manager {
    manager("nms", AuthProtocol::Sha1, Some(PrivProtocol::Aes128))
}

/// Opens a reply, asserting what every reply must satisfy: decodes, digest verifies, not
/// reportable, contextEngineID is ours. Returns its msgFlags, USM parameters and PDU.
fn open(m: &Manager, bytes: &[u8]) -> (u8, UsmParameters, Pdus) {
    let reply = m.open(bytes).expect("reply opens");
    assert_eq!(
        reply.flags & flags::REPORTABLE,
        0,
        "replies are not reportable"
    );
    assert_eq!(reply.msg_id, m.msg_id - 1, "msgID echoed");
    assert_eq!(reply.scoped.context_engine_id.as_ref(), ENGINE_ID);
    (reply.flags, reply.usm, reply.scoped.pdu)
}

/// The request-id of every request built here.
const ID: i32 = 99;

fn get(names: &[&[u32]]) -> Pdus {
    Pdus::Get(common::in_process::request(ID, names))
}

fn pdu(names: &[&[u32]]) -> Pdu {
    common::in_process::request(ID, names)
}

fn bulk(non_repeaters: i64, max_repetitions: i64, names: &[&[u32]]) -> Pdus {
    Pdus::GetBulk(BulkPdu {
        request_id: ID,
        non_repeaters,
        max_repetitions,
        varbinds: pdu(names).varbinds,
    })
}

fn response(pdus: Pdus) -> Pdu {
    match pdus {
        Pdus::Response(p) => p,
        other => panic!("expected a Response, got {other:?}"),
    }
}

fn report(pdus: Pdus) -> Pdu {
    match pdus {
        Pdus::Report(p) => p,
        other => panic!("expected a Report, got {other:?}"),
    }
}

fn string(v: &VarBindValue) -> Vec<u8> {
    match v {
        VarBindValue::Value(ObjectSyntax::Simple(SimpleSyntax::String(s))) => s.to_vec(),
        other => panic!("not a string: {other:?}"),
    }
}

fn counter(v: &VarBindValue) -> u32 {
    match v {
        VarBindValue::Value(ObjectSyntax::ApplicationWide(ApplicationSyntax::Counter(c))) => c.0,
        other => panic!("not a Counter32: {other:?}"),
    }
}

fn run(agent: &mut Agent, datagram: &[u8], now: Instant) -> (Outcome, Vec<u8>) {
    let mut out = Vec::new();
    let outcome = agent.handle(datagram, source(), now, &mut out);
    (outcome, out)
}

/// Discovery and time sync as a manager does it, then one GET; returns the manager in sync.
fn synced(agent: &mut Agent, mut m: Manager, now: Instant) -> Manager {
    m.boots = agent.engine_boots();
    m.time = agent.engine_time(now);
    m
}

// RFC 3414 §3.2 step 3, §4: discovery earns a Report carrying engine ID, boots and time.
#[test]
fn discovery_reports_unknown_engine_id_with_boots_and_time() {
    let mut a = agent();
    let mut m = Manager::discovery();
    let now = START + Duration::from_secs(42);
    let (outcome, out) = run(&mut a, &m.request(get(&[])), now);
    assert_eq!(outcome, Outcome::Report(Counter::UsmStatsUnknownEngineIds));
    let (flags_, usm, pdus) = open(&m, &out);
    assert_eq!(flags_, 0, "noAuthNoPriv report");
    assert_eq!(usm.engine_id.as_ref(), ENGINE_ID);
    assert_eq!((usm.boots, usm.time), (5, 42));
    let r = report(pdus);
    assert_eq!(
        r.varbinds[0].name,
        oid(Counter::UsmStatsUnknownEngineIds.oid())
    );
    assert_eq!(counter(&r.varbinds[0].value), 1);
    assert_eq!(a.counters().get(Counter::UsmStatsUnknownEngineIds), 1);
}

// RFC 3412 §7.2 step 7 / §6.4: no Report unless the reportable flag is set.
#[test]
fn no_report_without_reportable_flag() {
    let mut a = agent();
    let mut m = Manager::discovery();
    m.flags = 0;
    let (outcome, out) = run(&mut a, &m.request(get(&[])), START);
    assert_eq!(outcome, Outcome::Dropped(Counter::UsmStatsUnknownEngineIds));
    assert!(out.is_empty());
    assert_eq!(a.counters().get(Counter::UsmStatsUnknownEngineIds), 1);
}

// RFC 3414 §3.2 step 4.
#[test]
fn unknown_user_name() {
    let mut a = agent();
    let mut m = manager("mallory", AuthProtocol::Sha1, None);
    let (outcome, out) = run(&mut a, &m.request(get(&[SYS_DESCR])), START);
    assert_eq!(outcome, Outcome::Report(Counter::UsmStatsUnknownUserNames));
    let (flags_, _, pdus) = open(&m, &out);
    assert_eq!(flags_, 0);
    assert_eq!(
        report(pdus).varbinds[0].name,
        oid(Counter::UsmStatsUnknownUserNames.oid())
    );
}

// RFC 3414 §3.2 step 5: authPriv asked of a user without a privacy key.
#[test]
fn unsupported_security_level() {
    let mut a = agent();
    let mut m = manager("ro", AuthProtocol::Sha256, Some(PrivProtocol::Aes128));
    let (outcome, _) = run(&mut a, &m.request(get(&[SYS_DESCR])), START);
    assert_eq!(
        outcome,
        Outcome::Report(Counter::UsmStatsUnsupportedSecLevels)
    );
}

// RFC 3414 §3.2 step 6: a wrong password gives a wrong digest.
#[test]
fn wrong_digest() {
    let mut a = agent();
    let mut m = nms();
    m.auth = Some(AuthKey::from_password(
        AuthProtocol::Sha1,
        b"not-the-password",
        ENGINE_ID,
    ));
    let (outcome, out) = run(&mut a, &m.request(get(&[SYS_DESCR])), START);
    assert_eq!(outcome, Outcome::Report(Counter::UsmStatsWrongDigests));
    let (flags_, _, _) = open(&m, &out);
    assert_eq!(flags_, 0, "unauthenticated report");
    assert_eq!(a.counters().get(Counter::UsmStatsWrongDigests), 1);
}

// CVE-2008-0960: a truncated digest must not pass.
#[test]
fn short_digest_is_wrong_digest() {
    let mut a = agent();
    let mut m = nms();
    let good = m.request(get(&[SYS_DESCR]));
    let msg: Message = wire::decode_exact(&good).unwrap();
    let usm: UsmParameters = wire::decode_exact(&msg.security_parameters).unwrap();
    for len in [0usize, 1, 11] {
        let usm = UsmParameters {
            auth_params: OctetString::from(usm.auth_params[..len].to_vec()),
            ..usm.clone()
        };
        let forged = Message {
            security_parameters: wire::encode(&usm).unwrap().into(),
            ..msg.clone()
        };
        let (outcome, _) = run(&mut a, &wire::encode(&forged).unwrap(), START);
        assert_eq!(
            outcome,
            Outcome::Report(Counter::UsmStatsWrongDigests),
            "{len}-octet digest"
        );
    }
}

// RFC 3414 §3.2 step 7: the 150-second window, both edges, and boots.
#[test]
fn time_window_edges() {
    let now = START + Duration::from_secs(1000);
    for (offset, inside) in [
        (0i64, true),
        (150, true),
        (-150, true),
        (151, false),
        (-151, false),
    ] {
        let mut a = agent();
        let mut m = synced(&mut a, nms(), now);
        m.time = (i64::from(m.time) + offset) as u32;
        let (outcome, out) = run(&mut a, &m.request(get(&[SYS_DESCR])), now);
        if inside {
            assert_eq!(outcome, Outcome::Response, "offset {offset}");
        } else {
            assert_eq!(
                outcome,
                Outcome::Report(Counter::UsmStatsNotInTimeWindows),
                "offset {offset}"
            );
            let (flags_, usm, _) = open(&m, &out);
            assert_eq!(flags_, flags::AUTH, "authenticated, not encrypted");
            assert_eq!((usm.boots, usm.time), (5, 1000));
        }
    }
    let mut a = agent();
    let mut m = synced(&mut a, nms(), now);
    m.boots = 4;
    let (outcome, _) = run(&mut a, &m.request(get(&[SYS_DESCR])), now);
    assert_eq!(outcome, Outcome::Report(Counter::UsmStatsNotInTimeWindows));
}

// RFC 3414 §2.2.1: engineTime wraps past 2^31-1 and bumps boots; boots latches at its maximum
// and then nothing authenticates (§3.2 step 7a).
#[test]
fn boots_wrap_and_latch() {
    let mut a = agent();
    let later = START + Duration::from_secs(u64::from(ENGINE_MAX) + 1);
    let mut m = Manager::discovery();
    let (_, out) = run(&mut a, &m.request(get(&[])), later);
    let (_, usm, _) = open(&m, &out);
    assert_eq!((usm.boots, usm.time), (6, 0));
    assert_eq!(a.engine_boots(), 6);

    let mut a = agent_with(ENGINE_MAX, 65_507);
    let mut m = synced(&mut a, nms(), START);
    let (outcome, _) = run(&mut a, &m.request(get(&[SYS_DESCR])), START);
    assert_eq!(outcome, Outcome::Report(Counter::UsmStatsNotInTimeWindows));
}

// RFC 3414 §3.2 step 8: privParameters of the wrong length cannot be decrypted.
#[test]
fn decryption_error() {
    let mut a = agent();
    let mut m = synced(&mut a, nms(), START);
    let good = m.request(get(&[SYS_DESCR]));
    let msg: Message = wire::decode_exact(&good).unwrap();
    let mut usm: UsmParameters = wire::decode_exact(&msg.security_parameters).unwrap();
    usm.priv_params = OctetString::from_static(b"1234567");
    let forged = Message {
        security_parameters: wire::encode(&usm).unwrap().into(),
        ..msg
    };
    let mut bytes = wire::encode(&forged).unwrap();
    let range = locate::auth_params(&bytes).unwrap();
    bytes[range.clone()].fill(0);
    let mut digest = vec![0u8; 12];
    m.auth.as_ref().unwrap().sign(&bytes, &mut digest);
    bytes[range].copy_from_slice(&digest);
    let (outcome, _) = run(&mut a, &bytes, START);
    assert_eq!(outcome, Outcome::Report(Counter::UsmStatsDecryptionErrors));
}

// A wrong privacy key decrypts to noise: a parse error, dropped (RFC 3412 §7.2).
#[test]
fn wrong_privacy_key_is_a_parse_error() {
    let mut a = agent();
    let mut m = synced(&mut a, nms(), START);
    m.privacy = Some(PrivKey::from_password(
        PrivProtocol::Aes128,
        AuthProtocol::Sha1,
        b"wrong-priv-password",
        ENGINE_ID,
    ));
    let (outcome, out) = run(&mut a, &m.request(get(&[SYS_DESCR])), START);
    assert_eq!(outcome, Outcome::Dropped(Counter::SnmpInAsnParseErrs));
    assert!(out.is_empty());
}

#[test]
fn authpriv_get_returns_the_description() {
    let mut a = agent();
    let now = START + Duration::from_secs(7);
    let mut m = synced(&mut a, nms(), now);
    let (outcome, out) = run(&mut a, &m.request(get(&[SYS_DESCR])), now);
    assert_eq!(outcome, Outcome::Response);
    let (flags_, usm, pdus) = open(&m, &out);
    assert_eq!(flags_, flags::AUTH | flags::PRIV);
    assert_eq!(usm.user_name.as_ref(), b"nms");
    let p = response(pdus);
    assert_eq!((p.request_id, p.error_status, p.error_index), (99, 0, 0));
    assert_eq!(string(&p.varbinds[0].value), DESCRIPTION.as_bytes());
}

#[test]
fn salts_never_repeat() {
    let mut a = agent();
    let mut m = synced(&mut a, nms(), START);
    let mut seen = std::collections::HashSet::new();
    for _ in 0..200 {
        let (_, out) = run(&mut a, &m.request(get(&[SYS_DESCR])), START);
        let (_, usm, _) = open(&m, &out);
        assert!(seen.insert(usm.priv_params.to_vec()), "salt reused");
    }
}

// RFC 3415 §3.2 / RFC 3413 §3.2 step 4: below the user's minimum level, no data.
#[test]
fn below_min_security_is_authorization_error() {
    let mut a = agent();
    let mut m = synced(&mut a, nms(), START);
    m.flags = flags::REPORTABLE | flags::AUTH;
    let (outcome, out) = run(&mut a, &m.request(get(&[SYS_DESCR])), START);
    assert_eq!(outcome, Outcome::Response);
    let p = response(open(&m, &out).2);
    assert_eq!(p.error_status, 16, "authorizationError");
    assert_eq!(p.varbinds[0].value, VarBindValue::Unspecified);

    // The same level is fine for a user whose minimum allows it.
    let mut lax = synced(
        &mut a,
        manager("lax", AuthProtocol::Sha1, Some(PrivProtocol::Aes128)),
        START,
    );
    lax.flags = flags::REPORTABLE | flags::AUTH;
    let (_, out) = run(&mut a, &lax.request(get(&[SYS_DESCR])), START);
    let p = response(open(&lax, &out).2);
    assert_eq!(p.error_status, 0);
    assert_eq!(string(&p.varbinds[0].value), DESCRIPTION.as_bytes());
}

// RFC 3413 §3.2 step 3: only the default context exists.
#[test]
fn unknown_context() {
    let mut a = agent();
    let mut m = synced(&mut a, nms(), START);
    let req = m.request_in_context(get(&[SYS_DESCR]), b"vlan-7");
    let (outcome, out) = run(&mut a, &req, START);
    assert_eq!(outcome, Outcome::Report(Counter::SnmpUnknownContexts));
    let (flags_, _, pdus) = open(&m, &out);
    assert_eq!(flags_, flags::AUTH);
    assert_eq!(
        report(pdus).varbinds[0].name,
        oid(Counter::SnmpUnknownContexts.oid())
    );
}

// RFC 3412 §7.2 steps 1-3 and §6: version, flags, size and model checks.
#[test]
fn header_checks() {
    let mut a = agent();
    // SNMPv2c GET sysDescr.0, community "public".
    let v2c = [
        0x30, 0x26, 0x02, 0x01, 0x01, 0x04, 0x06, b'p', b'u', b'b', b'l', b'i', b'c', 0xa0, 0x19,
        0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x0e, 0x30, 0x0c, 0x06, 0x08,
        0x2b, 0x06, 0x01, 0x02, 0x01, 0x01, 0x01, 0x00, 0x05, 0x00,
    ];
    assert_eq!(
        run(&mut a, &v2c, START).0,
        Outcome::Dropped(Counter::SnmpInBadVersions)
    );
    assert_eq!(
        run(&mut a, b"\x30\x02\x05\x00", START).0,
        Outcome::Dropped(Counter::SnmpInAsnParseErrs)
    );

    let mut m = synced(&mut a, nms(), START);
    m.flags = flags::REPORTABLE | flags::PRIV;
    assert_eq!(
        run(&mut a, &m.request(get(&[SYS_DESCR])), START).0,
        Outcome::Dropped(Counter::SnmpInvalidMsgs)
    );

    let mut m = synced(&mut a, nms(), START);
    m.max_size = 483;
    assert_eq!(
        run(&mut a, &m.request(get(&[SYS_DESCR])), START).0,
        Outcome::Dropped(Counter::SnmpInvalidMsgs)
    );

    let mut m = synced(&mut a, nms(), START);
    let msg: Message = wire::decode_exact(&m.request(get(&[SYS_DESCR]))).unwrap();
    let other_model = Message {
        header: Header {
            security_model: 2,
            ..msg.header.clone()
        },
        ..msg
    };
    assert_eq!(
        run(&mut a, &wire::encode(&other_model).unwrap(), START).0,
        Outcome::Dropped(Counter::SnmpUnknownSecurityModels)
    );
    assert_eq!(a.counters().get(Counter::SnmpInPkts), 5);
    assert_eq!(a.counters().get(Counter::SnmpInvalidMsgs), 2);
}

// RFC 3412 §7.2: Response, Report, Trap and Inform are never answered.
#[test]
fn response_class_pdus_are_never_answered() {
    let mut a = agent();
    for pdus in [
        Pdus::Response(pdu(&[SYS_DESCR])),
        Pdus::Report(pdu(&[SYS_DESCR])),
        Pdus::Trap(pdu(&[SYS_DESCR])),
        Pdus::Inform(pdu(&[SYS_DESCR])),
    ] {
        let mut m = synced(&mut a, nms(), START);
        let (outcome, out) = run(&mut a, &m.request(pdus), START);
        assert!(matches!(outcome, Outcome::Dropped(_)));
        assert!(out.is_empty());
    }
}

// The counters the agent keeps are the ones it serves.
#[test]
fn usm_stats_are_served() {
    let mut a = agent();
    let mut d = Manager::discovery();
    run(&mut a, &d.request(get(&[])), START);
    run(&mut a, &d.request(get(&[])), START);
    let mut m = synced(&mut a, nms(), START);
    let (_, out) = run(
        &mut a,
        &m.request(get(&[Counter::UsmStatsUnknownEngineIds.oid()])),
        START,
    );
    let p = response(open(&m, &out).2);
    assert_eq!(counter(&p.varbinds[0].value), 2);
}

// RFC 3416 §4.2.3: negative repetition fields count as zero.
#[test]
fn get_bulk_negative_fields() {
    let mut a = agent();
    let mut m = synced(&mut a, nms(), START);
    let (outcome, out) = run(
        &mut a,
        &m.request(bulk(-1, -7, &[SYS_DESCR, SYS_DESCR])),
        START,
    );
    assert_eq!(outcome, Outcome::Response);
    let p = response(open(&m, &out).2);
    assert_eq!(p.error_status, 0);
    assert!(p.varbinds.is_empty(), "N=0 and M=0: nothing to return");

    let (_, out) = run(
        &mut a,
        &m.request(bulk(1, -7, &[&[1, 3, 6, 1, 2, 1, 1], SYS_DESCR])),
        START,
    );
    let p = response(open(&m, &out).2);
    assert_eq!(p.varbinds.len(), 1, "only the non-repeater");
    assert_eq!(p.varbinds[0].name, oid(SYS_DESCR));
}

// RFC 3416 §4.2.3: a GetBulk response is truncated to the manager's msgMaxSize, never tooBig
// while the first binding fits.
#[test]
fn get_bulk_fits_msg_max_size() {
    let column: &[u32] = &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 7, 1, 2];
    for max in [484i64, 600, 1500] {
        let mut a = agent();
        let mut m = synced(&mut a, nms(), START);
        m.max_size = max;
        let (outcome, out) = run(&mut a, &m.request(bulk(0, 100, &[column])), START);
        assert_eq!(outcome, Outcome::Response);
        assert!(out.len() <= max as usize, "{} > {max}", out.len());
        let p = response(open(&m, &out).2);
        assert_eq!(p.error_status, 0);
        assert!(!p.varbinds.is_empty());
        assert!(p.varbinds.len() < 100, "{max}: truncated");
    }
}

// RFC 3416 §4.2.1: a Get whose response cannot fit is tooBig with no bindings.
#[test]
fn get_too_big() {
    let mut a = agent();
    let mut m = synced(&mut a, nms(), START);
    m.max_size = 484;
    let names: Vec<Vec<u32>> = (1..=10u32)
        .map(|i| vec![1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 7, 1, 2, i])
        .collect();
    let refs: Vec<&[u32]> = names.iter().map(|n| n.as_slice()).collect();
    let (_, out) = run(&mut a, &m.request(get(&refs)), START);
    assert!(out.len() <= 484);
    let p = response(open(&m, &out).2);
    assert_eq!((p.error_status, p.error_index), (1, 0));
    assert!(p.varbinds.is_empty());
}

// Set is refused and changes nothing.
#[test]
fn set_is_refused() {
    let mut a = agent();
    let mut m = synced(&mut a, nms(), START);
    let mut set = pdu(&[SYS_DESCR]);
    set.varbinds[0].value = VarBindValue::Value(ObjectSyntax::Simple(SimpleSyntax::String(
        OctetString::from_static(b"pwned"),
    )));
    let (_, out) = run(&mut a, &m.request(Pdus::Set(set)), START);
    let p = response(open(&m, &out).2);
    assert_eq!((p.error_status, p.error_index), (17, 1), "notWritable");
    let (_, out) = run(&mut a, &m.request(get(&[SYS_DESCR])), START);
    assert_eq!(
        string(&response(open(&m, &out).2).varbinds[0].value),
        DESCRIPTION.as_bytes()
    );
}

/// A small deterministic generator, so the mutation test is reproducible.
struct XorShift(u64);

impl XorShift {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
}

// No panic, and no reply larger than allowed, on truncated or mutated input.
#[test]
fn mutated_datagrams_never_panic() {
    let mut a = agent();
    let mut m = synced(&mut a, nms(), START);
    let mut ro = synced(&mut a, manager("ro", AuthProtocol::Sha256, None), START);
    let seeds = vec![
        m.request(get(&[SYS_DESCR])),
        m.request(bulk(1, 10, &[SYS_DESCR, &[1, 3, 6, 1, 2, 1, 1]])),
        ro.request(Pdus::GetNext(pdu(&[&[1, 3, 6]]))),
        Manager::discovery().request(get(&[])),
    ];
    let mut rng = XorShift(0x9e37_79b9_7f4a_7c15);
    let mut answered = 0;
    for seed in &seeds {
        for n in 0..seed.len() {
            run(&mut a, &seed[..n], START);
        }
        for _ in 0..5000 {
            let mut d = seed.clone();
            for _ in 0..=(rng.next() % 4) {
                let i = (rng.next() as usize) % d.len();
                match rng.next() % 4 {
                    0 => d[i] = rng.next() as u8,
                    1 => d[i] ^= 1 << (rng.next() % 8),
                    2 => {
                        d.remove(i);
                    }
                    _ => d.insert(i, rng.next() as u8),
                }
                if d.is_empty() {
                    break;
                }
            }
            let (outcome, out) = run(&mut a, &d, START);
            assert!(out.len() <= 65_507);
            if outcome != Outcome::Dropped(Counter::SnmpInAsnParseErrs) {
                answered += 1;
            }
        }
    }
    // The agent still works afterwards.
    let (outcome, _) = run(&mut a, &m.request(get(&[SYS_DESCR])), START);
    assert_eq!(outcome, Outcome::Response);
    assert!(answered > 0);
}

const TRAP_RECEIVER: &str = "127.0.0.1:9162";

/// A notifier sending every class as Traps to [`TRAP_RECEIVER`] as `nms-trap` (SHA-256, with
/// `privacy` if given), `rate` per minute with `burst`, and `alarms`.
fn trap_notifier(
    privacy: Option<PrivProtocol>,
    queue: usize,
    burst: u32,
    alarms: dqi_agent::notify::AlarmConfig,
) -> dqi_agent::notify::Notifier {
    use dqi_agent::budget::{Period, Rate};
    use dqi_agent::notify::{
        Classes, Delivery, Keys, MasterKeys, Notifier, NotifierConfig, Target,
    };
    let auth = AuthProtocol::Sha256;
    let master = MasterKeys {
        name: b"nms-trap".to_vec(),
        auth,
        auth_ku: auth.password_to_key(b"trap-auth-password"),
        privacy: privacy.map(|p| (p, auth.password_to_key(b"trap-priv-password"))),
    };
    Notifier::new(
        NotifierConfig {
            engine_id: ENGINE_ID.to_vec(),
            max_message_size: 1500,
            targets: vec![Target {
                address: TRAP_RECEIVER.parse().unwrap(),
                delivery: Delivery::Trap,
                keys: Keys::Master(master),
                classes: Classes::ALL,
                queue,
                timeout: Duration::from_secs(1),
                retries: 0,
            }],
            rate: Rate::new(u32::max(burst, 1) * 10, Period::Minute).unwrap(),
            burst,
            seed: 42,
            alarms,
        },
        START,
    )
    .unwrap()
}

/// The bindings of each Trap `a` sends at `at`, opened with `nms-trap`'s keys (no privacy).
fn traps(a: &mut Agent, at: Instant) -> Vec<Vec<VarBind>> {
    let mut out = Vec::new();
    a.poll_notifications(at, &mut out);
    let key = AuthKey::from_password(AuthProtocol::Sha256, b"trap-auth-password", ENGINE_ID);
    out.iter()
        .map(|d| {
            let reply = dqi_agent::usm::reply::open(&d.bytes, Some(&key), None).unwrap();
            let Pdus::Trap(trap) = reply.scoped.pdu else {
                panic!("not a Trap")
            };
            trap.varbinds
        })
        .collect()
}

/// The last arc of a Trap's snmpTrapOID.0.
fn trap_kind(bindings: &[VarBind]) -> u32 {
    let VarBindValue::Value(ObjectSyntax::Simple(SimpleSyntax::ObjectId(id))) = &bindings[1].value
    else {
        panic!("no snmpTrapOID")
    };
    *id.last().unwrap()
}

// Notifications from `handle`: a wrong digest raises authenticationFailure when asked for, at
// most once per interval, as a Trap with this engine authoritative; the receivers' counters
// are served in dqiNotifyTable.
#[test]
fn a_wrong_digest_raises_one_authentication_failure_trap() {
    use dqi_agent::notify::AlarmConfig;
    let mut a = agent();
    let auth = AuthProtocol::Sha256;
    let receiver: SocketAddr = TRAP_RECEIVER.parse().unwrap();
    let alarms = AlarmConfig {
        auth_failures: true,
        ..AlarmConfig::default()
    };
    let notifier = trap_notifier(Some(PrivProtocol::Aes128), 4, 10, alarms);
    a.set_notifier(notifier);
    // dqiNotifySent.1 is served.
    let sent: Vec<u32> = [1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 39, 1, 6, 1].to_vec();
    assert!(a.tree().get(&sent).is_some());

    let mut m = nms();
    m.auth = Some(AuthKey::from_password(
        AuthProtocol::Sha1,
        b"not-the-password",
        ENGINE_ID,
    ));
    for i in 0..3 {
        let (outcome, _) = run(
            &mut a,
            &m.request(get(&[SYS_DESCR])),
            START + Duration::from_secs(i),
        );
        assert_eq!(outcome, Outcome::Report(Counter::UsmStatsWrongDigests));
    }
    let mut out = Vec::new();
    a.poll_notifications(START + Duration::from_secs(3), &mut out);
    assert_eq!(
        out.len(),
        1,
        "one trap for three failures within the interval"
    );
    assert_eq!(out[0].to, receiver);
    // The receiver, holding the user localized to this engine, opens it.
    let trap_user = AuthKey::from_password(auth, b"trap-auth-password", ENGINE_ID);
    let privacy =
        PrivKey::from_password(PrivProtocol::Aes128, auth, b"trap-priv-password", ENGINE_ID);
    let reply =
        dqi_agent::usm::reply::open(&out[0].bytes, Some(&trap_user), Some(&privacy)).unwrap();
    assert_eq!(reply.usm.engine_id.as_ref(), ENGINE_ID);
    assert_eq!(reply.usm.boots, 5);
    let Pdus::Trap(trap) = reply.scoped.pdu else {
        panic!("not a Trap")
    };
    assert_eq!(
        trap.varbinds[1].value,
        VarBindValue::Value(ObjectSyntax::Simple(SimpleSyntax::ObjectId(oid(&[
            1, 3, 6, 1, 6, 3, 1, 1, 5, 5
        ]))))
    );
    assert_eq!(a.notifier().unwrap().counters().next().unwrap().1.sent, 1);
}

// Notifications from a refresh: each watched object that changes between the old tree and the
// new raises its notification once; a refresh that changes nothing raises none.
#[test]
fn a_refresh_raises_the_changes_it_made() {
    use dqi_agent::mib::served;
    use dqi_agent::notify::AlarmConfig;
    let dqi = |arcs: &[u32]| -> Box<[u32]> {
        let mut oid = vec![1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1];
        oid.extend_from_slice(arcs);
        oid.into()
    };
    let tree = |digest: u8, health: i32, refresh: i32| {
        vec![
            (dqi(&[4, 5, 0]), Entry::Value(Value::octets([digest; 32]))),
            (dqi(&[2, 1, 0]), Entry::Value(Value::Integer(health))),
            (dqi(&[4, 3, 0]), Entry::Value(Value::Integer(refresh))),
        ]
    };
    let mut a = agent();
    let notifier = trap_notifier(None, 16, 100, AlarmConfig::default());
    a.set_notifier(notifier);
    let own = a.own_objects();
    let trap_oids = |a: &mut Agent, at: Instant| -> Vec<u32> {
        traps(a, at).iter().map(|b| trap_kind(b)).collect()
    };
    // The first tree replaces one without these objects: the inventory and health "change".
    a.refreshed(served::assemble(tree(1, 1, 1), &own), START);
    assert_eq!(trap_oids(&mut a, START), vec![1, 3]);
    // Nothing changed: nothing sent.
    a.refreshed(served::assemble(tree(1, 1, 1), &own), START);
    assert!(trap_oids(&mut a, START).is_empty());
    // The inventory and the health change: dqiSwInventoryChange (1), dqiHealthChange (3).
    a.refreshed(served::assemble(tree(2, 2, 1), &own), START);
    assert_eq!(trap_oids(&mut a, START), vec![1, 3]);
    // The refresh fails (serving the previous data): dqiRefreshFailure (6), once.
    a.refreshed(served::assemble(tree(2, 2, 2), &own), START);
    assert_eq!(trap_oids(&mut a, START), vec![6]);
    a.refreshed(served::assemble(tree(2, 2, 2), &own), START);
    assert!(trap_oids(&mut a, START).is_empty());
    // Readable again: no failure notification for the recovery.
    a.refreshed(served::assemble(tree(2, 2, 1), &own), START);
    assert!(trap_oids(&mut a, START).is_empty());
}

// dqiBudgetExhausted names what was refused: a user's streak of refusals that lasted
// `budget_after` names that user in dqiBudgetNotifyPrincipal, at level perUser(4).
#[test]
fn a_budget_streak_names_the_refused_user() {
    use dqi_agent::budget::{Period, Rate};
    use dqi_agent::notify::AlarmConfig;
    // `ro` affords one request a minute after its first.
    let budget = BudgetConfig {
        per_user: Rate::new(1, Period::Minute).unwrap(),
        user_burst: 40,
        cache_entries: 0,
        ..BudgetConfig::unlimited()
    };
    let mut a = agent_with_budget(5, 65_507, budget);
    let alarms = AlarmConfig {
        budget_after: Duration::from_secs(2),
        ..AlarmConfig::default()
    };
    a.set_notifier(trap_notifier(None, 16, 10, alarms));
    let mut m = manager("ro", AuthProtocol::Sha256, None);
    let mut refused = 0;
    for tenth in 0..=30 {
        let at = START + Duration::from_millis(100 * tenth);
        let (outcome, _) = run(&mut a, &m.request(get(&[SYS_DESCR])), at);
        refused += usize::from(matches!(outcome, Outcome::OverBudget { .. }));
        m.msg_id += 1;
    }
    assert!(refused >= 29, "refused {refused}");
    let sent = traps(&mut a, START + Duration::from_secs(3));
    assert_eq!(sent.len(), 1, "one notification for the streak");
    let b = &sent[0];
    assert_eq!(trap_kind(b), 4, "dqiBudgetExhausted");
    // dqiBudgetNotifyLevel, AddressType, Address, Principal, then dqiBudgetLastRejection.
    let named: Vec<u32> = b[2..6].iter().map(|v| v.name[12]).collect();
    assert_eq!(named, [29, 30, 31, 32]);
    assert_eq!(
        b[2].value,
        VarBindValue::Value(ObjectSyntax::Simple(SimpleSyntax::Integer(4.into())))
    );
    assert_eq!(string(&b[5].value), b"ro");
    // The per-user level names no source.
    assert_eq!(string(&b[4].value), b"");
}

// dqiSwEndOfSupportReached: one per component that crossed its date, carrying the row's
// name, version and date and the new dqiSwPastEndOfSupport; beyond the notification rate
// limit the rest are dropped and counted, not built.
#[test]
fn each_component_past_its_end_of_support_is_notified_once_within_the_limit() {
    use dqi_agent::mib::served;
    use dqi_agent::notify::AlarmConfig;
    let dqi = |arcs: &[u32]| -> Box<[u32]> {
        let mut oid = vec![1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1];
        oid.extend_from_slice(arcs);
        oid.into()
    };
    let row = |column: u32, index: u32| dqi(&[4, 12, 1, column, index]);
    let date = vec![0x07, 0xe9, 12, 31, 0, 0, 0, 0];
    let mut entries = vec![(dqi(&[4, 6, 0]), Entry::Value(Value::Gauge32(2)))];
    for index in [7, 9] {
        entries.push((row(2, index), Entry::Value(Value::octets(b"log4j-core"))));
        entries.push((row(3, index), Entry::Value(Value::octets(b"2.14.1"))));
        entries.push((row(12, index), Entry::Value(Value::octets(&date))));
    }
    let mut a = agent();
    // A burst of three notifications.
    a.set_notifier(trap_notifier(None, 16, 3, AlarmConfig::default()));
    let own = a.own_objects();
    a.refreshed(served::assemble(entries, &own), START);
    traps(&mut a, START);
    assert_eq!(a.ended_support(&[7], START), 1);
    let sent = traps(&mut a, START);
    assert_eq!(sent.len(), 1);
    let b = &sent[0];
    assert_eq!(trap_kind(b), 5, "dqiSwEndOfSupportReached");
    let names: Vec<Vec<u32>> = b[2..].iter().map(|v| v.name.to_vec()).collect();
    assert_eq!(
        names,
        [row(2, 7), row(3, 7), row(12, 7), dqi(&[4, 6, 0])].map(|o| o.to_vec())
    );
    assert_eq!(string(&b[2].value), b"log4j-core");
    assert_eq!(string(&b[4].value), date);
    let VarBindValue::Value(ObjectSyntax::ApplicationWide(ApplicationSyntax::Unsigned(past))) =
        &b[5].value
    else {
        panic!("not a Gauge32: {:?}", b[5].value)
    };
    assert_eq!(past.0, 2);
    // A clock jump ends a thousand components' support at once: the burst left (two) goes
    // out, the rest are counted as dropped.
    let dropped = |a: &Agent| a.notifier().unwrap().counters().next().unwrap().1.dropped;
    let before = dropped(&a);
    let many: Vec<u32> = (1..=1000).collect();
    assert_eq!(a.ended_support(&many, START), 2);
    assert_eq!(traps(&mut a, START).len(), 2);
    assert_eq!(dropped(&a) - before, 998);
}
