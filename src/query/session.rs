//! One device's conversation: RFC 3414 §4 discovery (or the engine remembered from an earlier
//! run, [`super::engines`]), then authenticated requests through the crate's USM [`Manager`],
//! with a timeout, retries that back off, time-window resynchronisation and pacing below the
//! device's budget.
//!
//! Boots and time are learned from authenticated replies only, and only forwards (RFC 3414
//! §3.2 step 7b); a notInTimeWindow Report is believed only when authenticated by this
//! engine. A session started from a remembered engine that meets an unknownEngineID Report
//! before any authenticated reply (the device at that address was replaced) discovers the
//! engine as a first run would, and sends its request again.
//!
//! Each session owns a UDP socket connected to its device, so an ICMP port unreachable comes
//! back as an error on the next receive ("nothing listening") instead of a long timeout, and
//! replies from anyone else are dropped by the kernel. A retry resends the same datagram (same
//! msgID), which the DQI agent answers from its response cache without charging the budget
//! again. Every datagram sent and received is counted, for the benchmark's "datagrams per
//! device".

use std::fmt;
use std::net::SocketAddr;
use std::time::Duration;

use rasn::types::ObjectIdentifier;
use tokio::net::UdpSocket;
use tokio::time::Instant;

use super::engines::{self, Known};
use super::oids;
use super::targets::Target;
use crate::manager::{Manager, ReplyError};
use crate::wire::{BulkPdu, Pdu, Pdus, VarBind, VarBindValue};

/// How patient a session is.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The first attempt's timeout; each retry doubles it.
    pub timeout: Duration,
    /// Retries after the first attempt.
    pub retries: u32,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            timeout: Duration::from_secs(1),
            retries: 2,
        }
    }
}

/// Why a device could not be asked (or not fully): the reason its record gives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// Nothing answers there (ICMP unreachable, no route).
    Unreachable(String),
    /// No answer within the timeouts and retries.
    Timeout(String),
    /// The device refuses the credentials (a USM Report, or an engine ID that is not the one
    /// the keys are for).
    Refused(String),
    /// The device answers, but serves no software inventory this tool reads.
    NoInventory(String),
    /// A reply this tool cannot use.
    Protocol(String),
    /// The run was interrupted before the device was asked.
    Interrupted,
}

impl Failure {
    /// The short status word of a record: `unreachable`, `timeout`, `refused`,
    /// `no-inventory`, `error`, `interrupted`.
    pub fn status(&self) -> &'static str {
        match self {
            Failure::Unreachable(_) => "unreachable",
            Failure::Timeout(_) => "timeout",
            Failure::Refused(_) => "refused",
            Failure::NoInventory(_) => "no-inventory",
            Failure::Protocol(_) => "error",
            Failure::Interrupted => "interrupted",
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Unreachable(s)
            | Failure::Timeout(s)
            | Failure::Refused(s)
            | Failure::NoInventory(s)
            | Failure::Protocol(s) => f.write_str(s),
            Failure::Interrupted => f.write_str("interrupted before the device answered"),
        }
    }
}

/// Datagrams exchanged with one device.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Sent, retries included.
    pub sent: u32,
    /// Received from the device.
    pub received: u32,
    /// Datagrams of the discovery exchange (included in the two above).
    pub discovery: u32,
    /// The session started from the engine remembered in the store, without discovery.
    pub remembered: bool,
    /// notInTimeWindow Reports the session resynchronised from.
    pub resynchronized: u32,
    /// Discoveries after the remembered engine proved to be another (unknownEngineID).
    pub rediscovered: u32,
}

/// A token bucket mirroring the device's per-user budget, so the session waits instead of
/// having requests held or dropped. Units are the agent's cost units: `dqiBudgetRequestCost`
/// per request plus 1 per varbind in the response, a GetBulk charged its worst case (capped at
/// `dqiBudgetMaxResponseVarbinds`) before it runs and refunded what the response did not use,
/// as the agent charges them.
#[derive(Debug, Clone, Copy)]
pub struct Pacer {
    /// Units per second; `None`: no known budget, do not pace.
    rate: Option<f64>,
    burst: f64,
    tokens: f64,
    at: Instant,
    /// Units charged per request on top of its bindings.
    request_cost: f64,
    /// The most bindings one response carries.
    max_varbinds: f64,
}

impl Pacer {
    fn unlimited() -> Pacer {
        Pacer {
            rate: None,
            burst: 0.0,
            tokens: 0.0,
            at: Instant::now(),
            request_cost: 1.0,
            max_varbinds: f64::INFINITY,
        }
    }

    /// Paces at a fraction below `rate` units a second with `burst` capacity, `available`
    /// units in the bucket now, `request_cost` units per request and at most `max_varbinds`
    /// bindings charged per response.
    pub fn budget(
        rate: f64,
        burst: f64,
        available: f64,
        request_cost: f64,
        max_varbinds: f64,
    ) -> Pacer {
        Pacer {
            // Stay below the device's rate: its clock and ours drift, and others share it.
            rate: Some(rate * 0.9),
            burst,
            tokens: available.min(burst),
            at: Instant::now(),
            request_cost,
            max_varbinds,
        }
    }

    /// What the agent charges up front for a request of `bindings` response bindings at most.
    fn charge(&self, bindings: f64) -> f64 {
        self.request_cost + bindings.min(self.max_varbinds)
    }

    /// Gives back what a request charged `charged` did not use: it returned `bindings`.
    fn refund(&mut self, charged: f64, bindings: usize) {
        if self.rate.is_some() {
            let used = self.charge(bindings as f64);
            self.tokens = (self.tokens + (charged - used).max(0.0)).min(self.burst);
        }
    }

    /// Waits until `cost` units are available, then takes them.
    async fn take(&mut self, cost: f64) {
        let Some(rate) = self.rate.filter(|r| *r > 0.0) else {
            return;
        };
        let now = Instant::now();
        self.tokens = (self.tokens + now.duration_since(self.at).as_secs_f64() * rate)
            .min(self.burst.max(cost));
        self.at = now;
        let cost = cost.min(self.burst.max(1.0));
        if self.tokens < cost {
            let wait = Duration::from_secs_f64((cost - self.tokens) / rate);
            tokio::time::sleep(wait).await;
            self.tokens = cost;
            self.at = Instant::now();
        }
        self.tokens -= cost;
    }

    /// Whether a budget is known.
    pub fn known(&self) -> bool {
        self.rate.is_some()
    }
}

/// An authenticated conversation with one device.
pub struct Session {
    socket: UdpSocket,
    manager: Manager,
    settings: Settings,
    target: Target,
    /// Keyed to a remembered engine that no authenticated reply has confirmed yet.
    unconfirmed: bool,
    /// An authenticated reply from `manager.engine_id` has arrived.
    confirmed: bool,
    /// When `manager.time` was learned, to keep it moving (RFC 3414 §2.3).
    learned_at: Instant,
    learned_time: u32,
    /// Datagrams so far.
    pub counters: Counters,
    /// The pace of requests.
    pub pacer: Pacer,
    buf: Vec<u8>,
}

impl fmt::Debug for Session {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Session")
            .field("engine_id", &crate::hex::to_hex(&self.manager.engine_id))
            .field("counters", &self.counters)
            .finish_non_exhaustive()
    }
}

impl Session {
    /// Opens a session with the device: keyed at once to `known` (its engine remembered from
    /// an earlier run) unless the targets file pins another engine ID, else after discovering
    /// the engine.
    pub async fn open(
        target: &Target,
        settings: Settings,
        known: Option<&Known>,
    ) -> Result<Session, Failure> {
        let local: SocketAddr = match target.address {
            SocketAddr::V4(_) => "0.0.0.0:0".parse().unwrap_or_else(|_| unreachable!()),
            SocketAddr::V6(_) => "[::]:0".parse().unwrap_or_else(|_| unreachable!()),
        };
        let socket = UdpSocket::bind(local)
            .await
            .map_err(|e| Failure::Unreachable(format!("cannot open a socket: {e}")))?;
        socket
            .connect(target.address)
            .await
            .map_err(|e| Failure::Unreachable(format!("cannot reach {}: {e}", target.address)))?;
        let mut session = Session {
            socket,
            manager: Manager::discovery(),
            settings,
            target: target.clone(),
            unconfirmed: false,
            confirmed: false,
            learned_at: Instant::now(),
            learned_time: 0,
            counters: Counters::default(),
            pacer: Pacer::unlimited(),
            buf: vec![0; 65_536],
        };
        // A pinned engine ID wins over a remembered one: a mismatch is discovered and refused.
        let remembered = known.filter(|k| {
            !k.engine_id.is_empty()
                && target
                    .engine_id
                    .as_ref()
                    .is_none_or(|pinned| *pinned == k.engine_id)
        });
        match remembered {
            Some(k) => {
                let (boots, time) = k.estimate(engines::now());
                session.key_to(&k.engine_id, boots, time)?;
                session.unconfirmed = true;
                session.counters.remembered = true;
            }
            None => session.discover().await?,
        }
        Ok(session)
    }

    /// RFC 3414 §4: an unauthenticated request with an empty engine ID draws a Report carrying
    /// the engine ID, boots and time; the session is keyed to that engine.
    async fn discover(&mut self) -> Result<(), Failure> {
        let before = self.counters.sent + self.counters.received;
        let mut probe_manager = Manager::discovery();
        probe_manager.msg_id = self.manager.msg_id;
        let keyed = std::mem::replace(&mut self.manager, probe_manager);
        let probe = Pdus::Get(Pdu {
            request_id: 0,
            error_status: 0,
            error_index: 0,
            varbinds: Vec::new(),
        });
        let report = self.exchange(probe, "discovery").await;
        self.counters.discovery += self.counters.sent + self.counters.received - before;
        let reply = match report {
            Ok(reply) => reply,
            Err(e) => {
                self.manager = keyed;
                return Err(e);
            }
        };
        let engine_id = reply.usm.engine_id.to_vec();
        if engine_id.is_empty() {
            return Err(Failure::Protocol(
                "the discovery Report carries no engine ID".into(),
            ));
        }
        if let Some(pinned) = &self.target.engine_id
            && *pinned != engine_id
        {
            return Err(Failure::Refused(format!(
                "engine ID {} is not the {} the targets file names",
                crate::hex::to_hex(&engine_id),
                crate::hex::to_hex(pinned)
            )));
        }
        let boots = u32::try_from(reply.usm.boots).unwrap_or(0);
        let time = u32::try_from(reply.usm.time).unwrap_or(0);
        self.key_to(&engine_id, boots, time)
    }

    /// Keys the session to `engine_id` at `boots` and `time` (now).
    fn key_to(&mut self, engine_id: &[u8], boots: u32, time: u32) -> Result<(), Failure> {
        let credentials = &self.target.credentials;
        let (auth, privacy) = credentials.keys(engine_id).map_err(Failure::Refused)?;
        let mut manager = Manager::new(credentials.user.as_bytes(), engine_id, auth, privacy);
        manager.boots = boots;
        manager.time = time;
        manager.msg_id = self.manager.msg_id;
        self.learned_time = time;
        self.learned_at = Instant::now();
        self.manager = manager;
        self.confirmed = false;
        Ok(())
    }

    /// The engine as this session knows it, for the next run: only once an authenticated
    /// reply has confirmed it.
    pub fn known(&self) -> Option<Known> {
        if !self.confirmed {
            return None;
        }
        Some(Known {
            engine_id: self.manager.engine_id.clone(),
            boots: self.manager.boots,
            time: self.time_now(),
            learned: engines::now(),
        })
    }

    /// The engine's time now, as estimated from when it was learned.
    fn time_now(&self) -> u32 {
        let elapsed = u32::try_from(self.learned_at.elapsed().as_secs()).unwrap_or(u32::MAX);
        self.learned_time.saturating_add(elapsed)
    }

    /// The device's engine ID.
    pub fn engine_id(&self) -> &[u8] {
        &self.manager.engine_id
    }

    /// A Get of `oids`; the bindings in order.
    pub async fn get(&mut self, oids: &[ObjectIdentifier]) -> Result<Vec<VarBind>, Failure> {
        let pdu = Pdus::Get(Pdu {
            request_id: 0,
            error_status: 0,
            error_index: 0,
            varbinds: oids.iter().map(unspecified).collect(),
        });
        self.pacer.take(self.pacer.charge(oids.len() as f64)).await;
        self.request(pdu).await
    }

    /// A GetBulk: `non_repeaters` GetNext bindings, then `max_repetitions` rows of the rest.
    pub async fn get_bulk(
        &mut self,
        non_repeaters: usize,
        max_repetitions: u32,
        oids: &[ObjectIdentifier],
    ) -> Result<Vec<VarBind>, Failure> {
        let repeaters = oids.len().saturating_sub(non_repeaters);
        let pdu = Pdus::GetBulk(BulkPdu {
            request_id: 0,
            non_repeaters: non_repeaters as i64,
            max_repetitions: i64::from(max_repetitions),
            varbinds: oids.iter().map(unspecified).collect(),
        });
        let worst = self
            .pacer
            .charge(non_repeaters as f64 + repeaters as f64 * f64::from(max_repetitions));
        self.pacer.take(worst).await;
        let bindings = self.request(pdu).await?;
        self.pacer.refund(worst, bindings.len());
        Ok(bindings)
    }

    async fn request(&mut self, pdu: Pdus) -> Result<Vec<VarBind>, Failure> {
        let mut reply = self.exchange(pdu.clone(), "request").await?;
        if self.unconfirmed
            && let Pdus::Report(report) = &reply.scoped.pdu
            && report_oid(report) == Some(oids::USM_STATS_UNKNOWN_ENGINE_IDS)
        {
            // Another engine answers at this address (the device was replaced): discover it
            // as a first run would, and ask again.
            self.unconfirmed = false;
            self.counters.rediscovered += 1;
            self.discover().await?;
            reply = self.exchange(pdu, "request").await?;
        }
        match reply.scoped.pdu {
            Pdus::Response(p) if p.error_status == 0 => Ok(p.varbinds),
            Pdus::Response(p) => Err(Failure::Protocol(format!(
                "the device answered error-status {} at binding {}",
                p.error_status, p.error_index
            ))),
            Pdus::Report(p) => Err(report_failure(&p)),
            _ => Err(Failure::Protocol("the reply is not a Response".into())),
        }
    }

    /// Sends `pdu` and waits for its reply, retrying with a doubling timeout, and once more
    /// after learning the engine's time from a notInTimeWindow Report.
    async fn exchange(
        &mut self,
        mut pdu: Pdus,
        stage: &str,
    ) -> Result<crate::manager::Reply, Failure> {
        let mut resynchronized = false;
        'encode: loop {
            if !self.manager.engine_id.is_empty() {
                self.manager.time = self.time_now();
            }
            let msg_id = self.manager.msg_id;
            set_request_id(&mut pdu, i32::try_from(msg_id).unwrap_or(0));
            let datagram = self.manager.request(pdu.clone());
            if datagram.is_empty() {
                return Err(Failure::Protocol("the request does not encode".into()));
            }
            let mut timeout = self.settings.timeout;
            for _attempt in 0..=self.settings.retries {
                self.counters.sent += 1;
                if let Err(e) = self.socket.send(&datagram).await {
                    return Err(unreachable(e));
                }
                let deadline = Instant::now() + timeout;
                loop {
                    let received =
                        tokio::time::timeout_at(deadline, self.socket.recv(&mut self.buf)).await;
                    let len = match received {
                        Err(_) => break,
                        Ok(Err(e)) => return Err(unreachable(e)),
                        Ok(Ok(len)) => len,
                    };
                    self.counters.received += 1;
                    let reply = match self.manager.open(&self.buf[..len]) {
                        Ok(reply) => reply,
                        Err(ReplyError::Digest) => {
                            return Err(Failure::Refused(
                                "the reply's digest does not verify: wrong authentication key"
                                    .into(),
                            ));
                        }
                        Err(ReplyError::Decrypt) => {
                            return Err(Failure::Refused(
                                "the reply does not decrypt: wrong privacy key".into(),
                            ));
                        }
                        // Garbage or a stale reply: keep waiting for ours.
                        Err(ReplyError::Decode) => continue,
                    };
                    if reply.msg_id != msg_id {
                        continue;
                    }
                    let ours = reply.authenticated()
                        && !self.manager.engine_id.is_empty()
                        && reply.usm.engine_id.as_ref() == self.manager.engine_id.as_slice();
                    if !ours {
                        return Ok(reply);
                    }
                    self.confirmed = true;
                    self.unconfirmed = false;
                    if let Pdus::Report(report) = &reply.scoped.pdu
                        && report_oid(report) == Some(oids::USM_STATS_NOT_IN_TIME_WINDOWS)
                        && !resynchronized
                    {
                        // RFC 3414 §3.2 step 7b and §4: the authenticated Report carries the
                        // engine's boots and time (it rebooted, or the estimate drifted): take
                        // them as they are and send the request again, once.
                        resynchronized = true;
                        self.counters.resynchronized += 1;
                        self.set_clock(&reply);
                        continue 'encode;
                    }
                    self.advance_clock(&reply);
                    return Ok(reply);
                }
                timeout = timeout.saturating_mul(2);
            }
            return Err(Failure::Timeout(format!(
                "no answer to the {stage} after {} tries",
                self.settings.retries + 1
            )));
        }
    }
}

impl Session {
    /// Takes an authenticated reply's boots and time as they are.
    fn set_clock(&mut self, reply: &crate::manager::Reply) {
        self.manager.boots = u32::try_from(reply.usm.boots).unwrap_or(0);
        self.learned_time = u32::try_from(reply.usm.time).unwrap_or(0);
        self.learned_at = Instant::now();
        self.manager.time = self.learned_time;
    }

    /// RFC 3414 §3.2 step 7b: an authenticated reply moves boots and time forwards only.
    fn advance_clock(&mut self, reply: &crate::manager::Reply) {
        let (Ok(boots), Ok(time)) = (
            u32::try_from(reply.usm.boots),
            u32::try_from(reply.usm.time),
        ) else {
            return;
        };
        if boots > self.manager.boots || (boots == self.manager.boots && time > self.time_now()) {
            self.set_clock(reply);
        }
    }
}

fn set_request_id(pdu: &mut Pdus, id: i32) {
    match pdu {
        Pdus::GetBulk(b) => b.request_id = id,
        Pdus::Get(p)
        | Pdus::GetNext(p)
        | Pdus::Response(p)
        | Pdus::Set(p)
        | Pdus::Inform(p)
        | Pdus::Trap(p)
        | Pdus::Report(p) => p.request_id = id,
    }
}

fn unspecified(oid: &ObjectIdentifier) -> VarBind {
    VarBind {
        name: oid.clone(),
        value: VarBindValue::Unspecified,
    }
}

fn unreachable(e: std::io::Error) -> Failure {
    if e.kind() == std::io::ErrorKind::ConnectionRefused {
        Failure::Unreachable("nothing listening (ICMP port unreachable)".into())
    } else {
        Failure::Unreachable(format!("network error: {e}"))
    }
}

fn report_oid(report: &Pdu) -> Option<&[u32]> {
    report.varbinds.first().map(|vb| &vb.name[..])
}

/// The reason a Report gives, in an analyst's words.
fn report_failure(report: &Pdu) -> Failure {
    let oid = report_oid(report).unwrap_or(&[]);
    let reason = match oid {
        o if o == oids::USM_STATS_UNKNOWN_USER_NAMES => "unknown user name",
        o if o == oids::USM_STATS_WRONG_DIGESTS => {
            "wrong digest: the authentication password or key is wrong"
        }
        o if o == oids::USM_STATS_DECRYPTION_ERRORS => {
            "decryption error: the privacy password or key is wrong"
        }
        o if o == oids::USM_STATS_UNSUPPORTED_SEC_LEVELS => {
            "security level not served to this user"
        }
        o if o == oids::USM_STATS_NOT_IN_TIME_WINDOWS => {
            "not in the time window (after resynchronising once, or the Report did not \
             authenticate)"
        }
        o if o == oids::USM_STATS_UNKNOWN_ENGINE_IDS => "unknown engine ID",
        _ => {
            return Failure::Protocol(format!("the device sent a Report ({})", oids::dotted(oid)));
        }
    };
    Failure::Refused(format!("refused the credentials: {reason}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_pacer_charges_and_refunds_as_the_agent_does() {
        // 32 units a request, at most 50 bindings charged (dqiBudgetMaxResponseVarbinds).
        let mut p = Pacer::budget(1000.0, 500.0, 500.0, 32.0, 50.0);
        assert_eq!(p.charge(10.0), 42.0);
        assert_eq!(p.charge(200.0), 82.0, "a GetBulk's worst case is capped");
        p.tokens = 100.0;
        // Charged 82 up front, 20 bindings came back: 30 units return.
        p.refund(82.0, 20);
        assert_eq!(p.tokens, 130.0);
        p.refund(82.0, 0);
        assert_eq!(p.tokens, 180.0);
        // Never above the bucket.
        p.tokens = 490.0;
        p.refund(82.0, 0);
        assert_eq!(p.tokens, 500.0);
        // Without a known budget there is nothing to refund into.
        let mut none = Pacer::unlimited();
        none.refund(82.0, 0);
        assert_eq!(none.tokens, 0.0);
    }
}
