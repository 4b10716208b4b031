//! Scenarios with explicit time: a Trap as this engine's message, and Informs through
//! discovery, time synchronization, retransmission, expiry and a receiver's reboot, against a
//! receiver written here from the crate's USM procedures (RFC 3414 §3.2 at the receiver).

use alloc::vec;
use alloc::vec::Vec;
use core::net::SocketAddr;
use core::time::Duration;

use rasn::types::OctetString;

use super::*;
use crate::budget::Period;
use crate::usm::incoming::{self, Failure};
use crate::usm::{SecurityLevel, Users};
use crate::wire::{Message, UsmParameters, flags};

const AGENT_ENGINE: &[u8] = b"\x80\x00\x1f\x88\x04agent";
const RECEIVER_ENGINE: &[u8] = b"\x80\x00\x1f\x88\x04trapd";
const AUTH_PASS: &[u8] = b"notify-auth-pass";
const PRIV_PASS: &[u8] = b"notify-priv-pass";

fn addr() -> SocketAddr {
    "127.0.0.1:9162".parse().unwrap()
}

fn master(auth: AuthProtocol, privacy: PrivProtocol) -> MasterKeys {
    MasterKeys {
        name: b"nms-trap".to_vec(),
        auth,
        auth_ku: auth.password_to_key(AUTH_PASS),
        privacy: Some((privacy, auth.password_to_key(PRIV_PASS))),
    }
}

fn target(delivery: Delivery, queue: usize, retries: u32) -> Target {
    Target {
        address: addr(),
        delivery,
        keys: Keys::Master(master(AuthProtocol::Sha256, PrivProtocol::Aes128)),
        classes: Classes::ALL,
        queue,
        timeout: Duration::from_secs(1),
        retries,
    }
}

fn notifier(targets: Vec<Target>, rate: u32) -> Notifier {
    Notifier::new(
        NotifierConfig {
            engine_id: AGENT_ENGINE.to_vec(),
            max_message_size: 65_507,
            targets,
            rate: Rate::new(rate, Period::Minute).unwrap(),
            burst: rate,
            seed: 0x1234_5678_9abc_def0,
            alarms: AlarmConfig::default(),
        },
        Instant::ZERO,
    )
    .unwrap()
}

const LOCAL: Local = Local { boots: 3, time: 42 };

/// A notification receiver: an authoritative engine (for Informs) that answers discovery,
/// checks the time window and acknowledges, or a Trap receiver with this agent's engine ID.
struct Receiver {
    engine_id: Vec<u8>,
    users: Users,
    boots: u32,
    /// snmpEngineTime at `Instant::ZERO`.
    time_at_zero: u32,
    /// Whether the discovery Report carries boots and time (net-snmp's do; RFC 3414 §4 lets
    /// them be learned from the second Report instead).
    time_in_discovery: bool,
    /// Every notification PDU accepted.
    got: Vec<Pdus>,
    scratch: Vec<u8>,
}

impl Receiver {
    fn new(engine_id: &[u8], boots: u32, time_at_zero: u32) -> Receiver {
        let keys = master(AuthProtocol::Sha256, PrivProtocol::Aes128);
        Receiver {
            engine_id: engine_id.to_vec(),
            users: Users::new(vec![keys.localize(engine_id)]),
            boots,
            time_at_zero,
            time_in_discovery: true,
            got: Vec::new(),
            scratch: Vec::new(),
        }
    }

    fn time(&self, now: Instant) -> u32 {
        self.time_at_zero + u32::try_from(now.secs()).unwrap()
    }

    /// RFC 3414 §3.2 at the receiver, then RFC 3413 §4's acknowledgement of an Inform.
    fn handle(&mut self, bytes: &[u8], now: Instant) -> Option<Vec<u8>> {
        let msg: Message = wire::decode_exact(bytes)?;
        let msg_flags = msg.header.flags[0];
        let level = SecurityLevel::from_flags(msg_flags)?;
        let params: UsmParameters = wire::decode_exact(&msg.security_parameters)?;
        let claimed =
            match incoming::identify(&self.engine_id, &self.users, &(&params).into(), level) {
                Ok(claimed) => claimed,
                Err(Failure::Usm(UsmError::UnknownEngineId)) => {
                    if msg_flags & flags::REPORTABLE == 0 {
                        // A Trap for another engine: nothing to report to.
                        return None;
                    }
                    let (boots, time) = if self.time_in_discovery {
                        (self.boots, self.time(now))
                    } else {
                        (0, 0)
                    };
                    return self.report(
                        UsmError::UnknownEngineId,
                        &params,
                        msg.header.msg_id,
                        None,
                        (boots, time),
                    );
                }
                Err(_) => return None,
            };
        incoming::verify_digest(claimed.user, bytes, &params.auth_params, &mut self.scratch)
            .ok()?;
        let user = claimed.user;
        if incoming::check_time_window(&claimed, self.boots, self.time(now)).is_err() {
            let time = (self.boots, self.time(now));
            let user = self.users.get(&user.name).unwrap();
            let report = Self::report_bytes(
                &self.engine_id,
                UsmError::NotInTimeWindow,
                &params,
                msg.header.msg_id,
                Some(user),
                time,
            );
            return Some(report);
        }
        let (scoped, _) = incoming::decrypt(
            &claimed,
            level,
            (&msg.data).into(),
            &params.priv_params,
            &mut self.scratch,
        )
        .ok()?;
        let pdu = scoped.pdu.clone();
        self.got.push(pdu.clone());
        let Pdus::Inform(inform) = pdu else {
            return None;
        };
        let response = wire::encode(&ScopedPdu {
            context_engine_id: scoped.context_engine_id,
            context_name: scoped.context_name,
            pdu: Pdus::Response(inform),
        })?;
        let user = self.users.get(&params.user_name).unwrap();
        let message = outgoing::Outgoing {
            engine_id: &self.engine_id,
            boots: self.boots,
            time: self.time(now),
            max_size: 65_507,
            msg_id: msg.header.msg_id,
            user_name: &params.user_name,
            user: Some(user),
            level,
            reportable: false,
        };
        let mut out = Vec::new();
        outgoing::write(&message, &response, &mut 99, &mut out);
        Some(out)
    }

    fn report(
        &self,
        error: UsmError,
        params: &UsmParameters,
        msg_id: i64,
        user: Option<&User>,
        time: (u32, u32),
    ) -> Option<Vec<u8>> {
        Some(Self::report_bytes(
            &self.engine_id,
            error,
            params,
            msg_id,
            user,
            time,
        ))
    }

    fn report_bytes(
        engine_id: &[u8],
        error: UsmError,
        params: &UsmParameters,
        msg_id: i64,
        user: Option<&User>,
        (boots, time): (u32, u32),
    ) -> Vec<u8> {
        let counter = error.counter();
        let scoped = wire::encode(&ScopedPdu {
            context_engine_id: OctetString::from(engine_id.to_vec()),
            context_name: OctetString::default(),
            pdu: Pdus::Report(pdu(
                0,
                vec![VarBind {
                    name: encodable_oid(counter.oid()).unwrap(),
                    value: VarBindValue::Value(syntax(Value::Counter32(1))),
                }],
            )),
        })
        .unwrap();
        let message = outgoing::Outgoing {
            engine_id,
            boots,
            time,
            max_size: 65_507,
            msg_id,
            user_name: &params.user_name,
            user,
            level: error.report_level(),
            reportable: false,
        };
        let mut out = Vec::new();
        outgoing::write(&message, &scoped, &mut 7, &mut out);
        out
    }
}

/// The bindings of a received notification PDU.
fn bindings_of(pdu: &Pdus) -> &[VarBind] {
    match pdu {
        Pdus::Trap(p) | Pdus::Inform(p) => &p.varbinds,
        other => panic!("not a notification: {other:?}"),
    }
}

fn cold_start(n: &mut Notifier, uptime: u32, now: Instant) -> bool {
    n.notify(
        Kind::ColdStart,
        bindings(Kind::ColdStart, uptime, Vec::new()),
        now,
    )
}

/// Polls at `now` and delivers everything to `receiver` and its answers back, until quiet.
/// Returns the number of datagrams the notifier sent.
fn exchange(n: &mut Notifier, receiver: &mut Receiver, now: Instant) -> usize {
    let mut sent = 0;
    for _ in 0..10 {
        let mut out = Vec::new();
        n.poll(now, LOCAL, &mut out);
        if out.is_empty() {
            return sent;
        }
        sent += out.len();
        for d in out {
            assert_eq!(d.to, addr());
            if let Some(answer) = receiver.handle(&d.bytes, now) {
                n.receive(addr(), &answer, now);
            }
        }
    }
    panic!("no end to the exchange");
}

#[test]
fn a_trap_is_authoritative_here_and_encrypted() {
    let mut n = notifier(vec![target(Delivery::Trap, 4, 0)], 10);
    assert!(cold_start(&mut n, 1234, Instant::ZERO));
    let mut out = Vec::new();
    n.poll(Instant::ZERO, LOCAL, &mut out);
    assert_eq!(out.len(), 1);
    // The agent's own engine is authoritative: a receiver knowing it accepts the Trap at boots
    // and time `LOCAL`, with no discovery.
    let mut trapd = Receiver::new(AGENT_ENGINE, LOCAL.boots, LOCAL.time);
    assert_eq!(
        trapd.handle(&out[0].bytes, Instant::ZERO),
        None,
        "a Trap is never answered"
    );
    assert_eq!(trapd.got.len(), 1);
    let Pdus::Trap(_) = &trapd.got[0] else {
        panic!("not a Trap")
    };
    let b = bindings_of(&trapd.got[0]);
    assert_eq!(b.len(), 2);
    let up: &[u32] = b[0].name.as_ref();
    assert_eq!(up, event::SYS_UP_TIME_0);
    assert_eq!(
        b[0].value,
        VarBindValue::Value(syntax(Value::TimeTicks(1234)))
    );
    assert_eq!(
        b[1].value,
        VarBindValue::Value(syntax(Value::oid(event::COLD_START).unwrap()))
    );
    // authPriv: the message is encrypted, not reportable.
    let msg: Message = wire::decode_exact(&out[0].bytes).unwrap();
    assert_eq!(msg.header.flags[0], flags::AUTH | flags::PRIV);
    assert!(matches!(msg.data, wire::ScopedPduData::Encrypted(_)));
    assert_eq!(n.counters().next().unwrap().1.sent, 1);
    assert_eq!(n.next_wakeup(Instant::ZERO), None);
}

#[test]
fn a_trap_receiver_with_another_engine_id_refuses_it() {
    let mut n = notifier(vec![target(Delivery::Trap, 4, 0)], 10);
    cold_start(&mut n, 1, Instant::ZERO);
    let mut out = Vec::new();
    n.poll(Instant::ZERO, LOCAL, &mut out);
    let mut other = Receiver::new(RECEIVER_ENGINE, 1, 1);
    other.handle(&out[0].bytes, Instant::ZERO);
    assert!(other.got.is_empty());
}

#[test]
fn an_inform_discovers_the_receiver_then_is_acknowledged() {
    let mut n = notifier(vec![target(Delivery::Inform, 4, 3)], 10);
    let mut trapd = Receiver::new(RECEIVER_ENGINE, 7, 5000);
    let t0 = Instant::from_secs(100);
    cold_start(&mut n, 10_000, t0);
    assert_eq!(n.next_wakeup(t0), Some(t0));
    // The probe, then the Inform.
    assert_eq!(exchange(&mut n, &mut trapd, t0), 2);
    let (_, c) = n.counters().next().unwrap();
    assert_eq!(
        c,
        Counters {
            sent: 1,
            acknowledged: 1,
            retried: 0,
            dropped: 0
        }
    );
    let remote = n.remote(0).unwrap();
    assert_eq!(remote.engine_id, RECEIVER_ENGINE);
    assert_eq!((remote.boots, remote.time_at(t0)), (7, 5100));
    assert_eq!(trapd.got.len(), 1);
    assert_eq!(bindings_of(&trapd.got[0]).len(), 2);
    assert_eq!(n.next_wakeup(t0), None);

    // The next Inform goes straight out with the receiver's time, estimated 200 s later.
    let t1 = Instant::from_secs(300);
    cold_start(&mut n, 30_000, t1);
    assert_eq!(exchange(&mut n, &mut trapd, t1), 1);
    assert_eq!(n.remote(0).unwrap().time_at(t1), 5300);
    assert_eq!(n.counters().next().unwrap().1.acknowledged, 2);
}

#[test]
fn without_time_in_discovery_the_time_window_report_synchronizes() {
    let mut n = notifier(vec![target(Delivery::Inform, 4, 3)], 10);
    let mut trapd = Receiver::new(RECEIVER_ENGINE, 2, 90_000);
    trapd.time_in_discovery = false;
    let t = Instant::from_secs(5);
    cold_start(&mut n, 500, t);
    // Probe; Inform at boots 0 time 0 refused with an authenticated notInTimeWindow Report;
    // Inform again at the receiver's boots and time, acknowledged.
    assert_eq!(exchange(&mut n, &mut trapd, t), 3);
    let remote = n.remote(0).unwrap();
    assert_eq!((remote.boots, remote.time_at(t)), (2, 90_005));
    let (_, c) = n.counters().next().unwrap();
    assert_eq!((c.sent, c.acknowledged, c.retried), (1, 1, 0));
    assert_eq!(trapd.got.len(), 1);
}

#[test]
fn a_rebooted_receiver_is_synchronized_again() {
    let mut n = notifier(vec![target(Delivery::Inform, 4, 3)], 10);
    let mut trapd = Receiver::new(RECEIVER_ENGINE, 1, 100);
    cold_start(&mut n, 1, Instant::ZERO);
    exchange(&mut n, &mut trapd, Instant::ZERO);
    // The receiver restarts: boots 2, time from 0 at t = 50 s.
    trapd.boots = 2;
    trapd.time_at_zero = 0;
    let t = Instant::from_secs(50);
    cold_start(&mut n, 2, t);
    assert_eq!(
        exchange(&mut n, &mut trapd, t),
        2,
        "refused once, then accepted"
    );
    assert_eq!(n.remote(0).unwrap().boots, 2);
    assert_eq!(n.counters().next().unwrap().1.acknowledged, 2);
}

#[test]
fn an_unanswered_inform_backs_off_then_is_dropped_and_counted() {
    let mut n = notifier(vec![target(Delivery::Inform, 4, 2)], 10);
    cold_start(&mut n, 1, Instant::ZERO);
    let mut times = Vec::new();
    let mut now = Instant::ZERO;
    while let Some(at) = n.next_wakeup(now) {
        now = at;
        let mut out = Vec::new();
        n.poll(now, LOCAL, &mut out);
        if !out.is_empty() {
            times.push(now.secs());
        }
        assert!(times.len() < 10);
    }
    // Sent at 0, retried after 1 s and after 2 s more; dropped 4 s after that.
    assert_eq!(times, vec![0, 1, 3]);
    assert_eq!(now.secs(), 7);
    let (_, c) = n.counters().next().unwrap();
    assert_eq!(
        c,
        Counters {
            sent: 1,
            acknowledged: 0,
            retried: 2,
            dropped: 1
        }
    );
    assert!(n.remote(0).is_none());
}

#[test]
fn a_receiver_that_starts_late_gets_the_inform_after_retries() {
    let mut n = notifier(vec![target(Delivery::Inform, 4, 4)], 10);
    let mut trapd = Receiver::new(RECEIVER_ENGINE, 1, 1);
    cold_start(&mut n, 1, Instant::ZERO);
    // Nothing listens for the first two transmissions.
    let mut out = Vec::new();
    n.poll(Instant::ZERO, LOCAL, &mut out);
    n.poll(Instant::from_secs(1), LOCAL, &mut out);
    assert_eq!(out.len(), 2);
    // Then the receiver is up.
    let t = Instant::from_secs(3);
    assert_eq!(exchange(&mut n, &mut trapd, t), 2);
    let (_, c) = n.counters().next().unwrap();
    assert_eq!((c.sent, c.acknowledged, c.retried, c.dropped), (1, 1, 2, 0));
    assert_eq!(trapd.got.len(), 1);
}

#[test]
fn a_full_queue_sheds_its_oldest_and_the_rate_limit_holds() {
    let mut n = notifier(vec![target(Delivery::Inform, 2, 0)], 4);
    for uptime in 1..=3 {
        assert!(cold_start(&mut n, uptime, Instant::ZERO));
    }
    assert_eq!(n.counters().next().unwrap().1.dropped, 1, "the oldest shed");
    assert!(cold_start(&mut n, 4, Instant::ZERO));
    assert!(!cold_start(&mut n, 5, Instant::ZERO), "over the rate limit");
    assert_eq!(n.rate_limited(), 1);
    // Queue of 2 after shedding 1 and 2; the rate-limited 5th counted too.
    assert_eq!(n.counters().next().unwrap().1.dropped, 3);
    // The newest two are delivered, in order.
    let mut trapd = Receiver::new(RECEIVER_ENGINE, 1, 1);
    exchange(&mut n, &mut trapd, Instant::ZERO);
    let ups: Vec<_> = trapd
        .got
        .iter()
        .map(|p| bindings_of(p)[0].value.clone())
        .collect();
    assert_eq!(
        ups,
        vec![
            VarBindValue::Value(syntax(Value::TimeTicks(3))),
            VarBindValue::Value(syntax(Value::TimeTicks(4)))
        ]
    );
}

#[test]
fn answers_from_elsewhere_or_to_nothing_are_ignored() {
    let mut n = notifier(vec![target(Delivery::Inform, 4, 3)], 10);
    let mut trapd = Receiver::new(RECEIVER_ENGINE, 1, 1);
    cold_start(&mut n, 1, Instant::ZERO);
    let mut out = Vec::new();
    n.poll(Instant::ZERO, LOCAL, &mut out);
    let report = trapd.handle(&out[0].bytes, Instant::ZERO).unwrap();
    let elsewhere: SocketAddr = "127.0.0.2:9162".parse().unwrap();
    assert_eq!(
        n.receive(elsewhere, &report, Instant::ZERO),
        Received::Unexpected
    );
    assert!(matches!(
        n.receive(addr(), &report[..report.len() - 1], Instant::ZERO),
        Received::Unreadable(_)
    ));
    assert_eq!(
        n.receive(addr(), &report, Instant::ZERO),
        Received::Discovered
    );
    // The same Report again changes nothing it should not, and cannot loop forever.
    for _ in 0..5 {
        n.receive(addr(), &report, Instant::ZERO);
    }
    assert!(matches!(
        n.receive(addr(), &report, Instant::ZERO),
        Received::Refused(_)
    ));
    // A Response whose digest is wrong does not acknowledge.
    let mut out = Vec::new();
    n.poll(Instant::ZERO, LOCAL, &mut out);
    let mut response = trapd.handle(&out[0].bytes, Instant::ZERO).unwrap();
    let last = response.len() - 1;
    response[last] ^= 1;
    assert!(matches!(
        n.receive(addr(), &response, Instant::ZERO),
        Received::Unreadable(_)
    ));
    assert_eq!(n.counters().next().unwrap().1.acknowledged, 0);
}

#[test]
fn an_inform_needs_master_keys() {
    let user = master(AuthProtocol::Sha256, PrivProtocol::Aes128).localize(AGENT_ENGINE);
    let mut t = target(Delivery::Inform, 1, 1);
    t.keys = Keys::Localized(Box::new(user));
    let err = Notifier::new(
        NotifierConfig {
            engine_id: AGENT_ENGINE.to_vec(),
            max_message_size: 1500,
            targets: vec![t],
            rate: Rate::new(1, Period::Second).unwrap(),
            burst: 1,
            seed: 1,
            alarms: AlarmConfig::default(),
        },
        Instant::ZERO,
    )
    .unwrap_err();
    assert_eq!(err, NotifierConfigError::InformNeedsPassphrases(0));
}

#[test]
fn sha512_aes256_informs_too() {
    let keys = master(AuthProtocol::Sha512, PrivProtocol::Aes256);
    let mut t = target(Delivery::Inform, 4, 1);
    t.keys = Keys::Master(keys);
    let mut n = notifier(vec![t], 10);
    let mut trapd = Receiver::new(RECEIVER_ENGINE, 1, 1);
    trapd.users = Users::new(vec![
        master(AuthProtocol::Sha512, PrivProtocol::Aes256).localize(RECEIVER_ENGINE),
    ]);
    cold_start(&mut n, 1, Instant::ZERO);
    exchange(&mut n, &mut trapd, Instant::ZERO);
    assert_eq!(n.counters().next().unwrap().1.acknowledged, 1);
}
