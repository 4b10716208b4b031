//! Notification origination: SNMPv3 Traps and Informs (RFC 3413 §3.3, RFC 3416 §4.2.6 and
//! §4.2.7), without I/O.
//!
//! [`Notifier`] owns the receivers (`[[notify]]` in the configuration) and everything a
//! notification needs between the event and the wire:
//!
//! - [`Notifier::notify`] takes one notification (its bindings built by [`bindings`]) and queues
//!   it for every receiver subscribed to its [`Class`]. A notification rate limit (a token
//!   bucket) comes first, so a flapping input cannot make a medical device flood the network;
//!   each receiver's queue is fixed in length and sheds its oldest entry when full. Both
//!   refusals are counted as `dropped`.
//! - [`Notifier::poll`] writes the datagrams due at `now`: a Trap at once, with this engine
//!   authoritative (its engine ID, boots and time; the user's keys localized to this engine
//!   once, at start-up); an Inform with the receiver authoritative (RFC 3412 §7.1 step 9,
//!   RFC 3414 §3.1), which first needs the receiver's engine ID, boots and time: see
//!   [`remote`] for the discovery (RFC 3414 §4) and time synchronization. One Inform per
//!   receiver is in flight; it is retransmitted with exponential backoff until acknowledged or
//!   out of retries, then dropped and counted.
//! - [`Notifier::receive`] consumes what comes back from a receiver: the Report that answers
//!   discovery, an authenticated `notInTimeWindow` Report, and the Response that acknowledges
//!   an Inform.
//! - [`Notifier::next_wakeup`] tells the driver when to call [`Notifier::poll`] next.
//!
//! The core reads no clock and owns no socket: `now` comes in, [`Datagram`]s go out. Messages
//! are written by [`crate::usm::outgoing`] and replies opened by [`crate::usm::reply`], the same
//! code the agent's Responses and the manager use.
// Replies come from the network: no unwrap, no indexing that can panic (tests excepted).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::indexing_slicing))]

pub mod alarm;
pub mod event;
pub mod remote;
#[cfg(test)]
mod tests;

use alloc::boxed::Box;
use alloc::collections::VecDeque;
use alloc::vec::Vec;
use core::fmt;
use core::net::SocketAddr;
use core::time::Duration;

use rasn::types::OctetString;
use zeroize::Zeroizing;

pub use alarm::{AlarmConfig, Alarms};
pub use event::{Class, Classes, Kind};
pub use remote::Remote;

use crate::budget::{Bucket, Rate};
use crate::mib::Value;
use crate::mib::objects::encodable_oid;
use crate::pdu::syntax;
use crate::time::Instant;
use crate::usm::reply::{self, ReplyError};
use crate::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol, User, UsmError, outgoing};
use crate::wire::{self, Pdu, Pdus, ScopedPdu, VarBind, VarBindValue};

/// Transmissions' backoff doubles at most this many times: `timeout << 6` is the longest wait.
const MAX_BACKOFF_SHIFT: u32 = 6;
/// Discoveries and time synchronizations one Inform may go through before it waits for its
/// timeout instead: a receiver answering every Inform with a Report cannot keep the agent
/// sending.
const MAX_SYNCS: u8 = 3;

/// How a receiver gets its notifications.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delivery {
    /// SNMPv2-Trap: unconfirmed, this engine authoritative.
    Trap,
    /// InformRequest: confirmed, the receiver authoritative; retried until acknowledged.
    Inform,
}

impl Delivery {
    /// The name in `[[notify]] kind`.
    pub const fn name(self) -> &'static str {
        match self {
            Delivery::Trap => "trap",
            Delivery::Inform => "inform",
        }
    }
}

/// A notify user's master keys (RFC 3414 §2.6 Ku: the passphrases through
/// [`AuthProtocol::password_to_key`]), kept so the keys can be localized once to each engine
/// the user talks to: this one for Traps, each receiver's for Informs.
pub struct MasterKeys {
    /// `msgUserName`.
    pub name: Vec<u8>,
    /// Authentication protocol.
    pub auth: AuthProtocol,
    /// Ku of the authentication passphrase.
    pub auth_ku: Zeroizing<Vec<u8>>,
    /// Privacy protocol and Ku of the privacy passphrase (hashed with `auth`'s function).
    pub privacy: Option<(PrivProtocol, Zeroizing<Vec<u8>>)>,
}

impl fmt::Debug for MasterKeys {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKeys")
            .field("name", &self.name)
            .field("auth", &self.auth)
            .field("privacy", &self.privacy.as_ref().map(|(p, _)| p))
            .finish_non_exhaustive()
    }
}

impl MasterKeys {
    /// The user with keys localized to `engine_id`, at the strongest level its keys allow.
    pub fn localize(&self, engine_id: &[u8]) -> User {
        let auth = AuthKey::from_master_key(self.auth, &self.auth_ku, engine_id);
        let privacy = self
            .privacy
            .as_ref()
            .map(|(p, ku)| PrivKey::from_master_key(*p, self.auth, ku, engine_id));
        let mut user = User {
            name: self.name.clone(),
            auth,
            privacy,
            min_level: crate::usm::SecurityLevel::AuthNoPriv,
        };
        user.min_level = user.max_level();
        user
    }
}

/// A notify user's keys.
#[derive(Debug)]
#[non_exhaustive]
pub enum Keys {
    /// Master keys: for Traps and Informs.
    Master(MasterKeys),
    /// Keys already localized to this engine's ID: for Traps only, since an Inform needs keys
    /// localized to its receiver.
    Localized(Box<User>),
}

/// One receiver, as configured.
#[derive(Debug)]
pub struct Target {
    /// Where to send.
    pub address: SocketAddr,
    /// Trap or Inform.
    pub delivery: Delivery,
    /// The notify user.
    pub keys: Keys,
    /// The classes of events sent there.
    pub classes: Classes,
    /// Notifications waiting at most (at least 1); the oldest is shed beyond it.
    pub queue: usize,
    /// An Inform's first wait for its acknowledgement; doubled per retransmission.
    pub timeout: Duration,
    /// Retransmissions of an Inform before it is dropped.
    pub retries: u32,
}

/// The notifier's configuration.
#[derive(Debug)]
pub struct NotifierConfig {
    /// snmpEngineID of this engine (the Traps' authoritative engine, every notification's
    /// contextEngineID).
    pub engine_id: Vec<u8>,
    /// msgMaxSize to advertise.
    pub max_message_size: usize,
    /// The receivers.
    pub targets: Vec<Target>,
    /// Notifications accepted per period, across receivers.
    pub rate: Rate,
    /// Notifications accepted at once.
    pub burst: u32,
    /// Seed for privacy salts and message IDs, from the driver's random source.
    pub seed: u64,
    /// When refusals become notifications.
    pub alarms: AlarmConfig,
}

/// Why a configuration cannot run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NotifierConfigError {
    /// An Inform target's user has only keys localized to this engine.
    #[error("target {0}: an inform needs the user's passphrases, not localized keys")]
    InformNeedsPassphrases(usize),
}

/// This engine's boots and time when [`Notifier::poll`] runs: a Trap carries them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Local {
    /// snmpEngineBoots.
    pub boots: u32,
    /// snmpEngineTime, seconds.
    pub time: u32,
}

/// A datagram for the driver to send.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Datagram {
    /// The receiver.
    pub to: SocketAddr,
    /// The message.
    pub bytes: Vec<u8>,
}

/// One receiver's counters, served read-only in the DQI-MIB (`dqiNotifyTable`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counters {
    /// Notifications sent (an Inform once, however often retransmitted).
    pub sent: u32,
    /// Informs acknowledged by a Response.
    pub acknowledged: u32,
    /// Inform retransmissions after a timeout.
    pub retried: u32,
    /// Notifications never delivered: over the rate limit, shed from a full queue, an Inform
    /// out of retries, or a message that could not be written.
    pub dropped: u32,
}

/// What [`Notifier::receive`] did with a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Received {
    /// A Response acknowledged the Inform in flight.
    Acknowledged,
    /// A Report gave the receiver's engine ID; the Inform goes out at the next poll.
    Discovered,
    /// An authenticated Report gave the receiver's boots and time; the Inform goes out again at
    /// the next poll.
    TimeSynced,
    /// A Report refused the Inform (unknown user, wrong digest...); it waits for its timeout.
    Refused(Option<UsmError>),
    /// Not from a receiver this engine informs, or answering nothing in flight.
    Unexpected,
    /// It did not decode, verify or decrypt.
    Unreadable(ReplyError),
}

/// One notification waiting for a receiver.
#[derive(Debug, Clone)]
struct Pending {
    bindings: Vec<VarBind>,
}

/// The Inform in flight to a receiver.
#[derive(Debug)]
struct Flight {
    pending: Pending,
    request_id: i32,
    /// Every msgID it went out with: a late answer to an earlier transmission still counts.
    msg_ids: Vec<i64>,
    /// Retransmissions after a timeout so far.
    tries: u32,
    deadline: Instant,
    /// Send again at the next poll, without counting a retry (after discovery or time sync).
    resend: bool,
    syncs: u8,
}

#[derive(Debug)]
enum Session {
    /// The user's keys localized to this engine.
    Trap(Box<User>),
    /// The master keys, and the receiver's engine once discovered.
    Inform {
        master: MasterKeys,
        remote: Option<Box<Remote>>,
        flight: Option<Flight>,
    },
}

#[derive(Debug)]
struct Receiver {
    address: SocketAddr,
    classes: Classes,
    capacity: usize,
    timeout: Duration,
    retries: u32,
    session: Session,
    queue: VecDeque<Pending>,
    counters: Counters,
}

/// The notification originator: see the [module](self) documentation.
#[derive(Debug)]
pub struct Notifier {
    engine_id: Vec<u8>,
    max_size: usize,
    receivers: Vec<Receiver>,
    limit: Bucket,
    salt: u64,
    next_id: u32,
    rate_limited: u32,
    alarms: Alarms,
}

/// The bindings of a notification (RFC 3416 §4.2.6): `sysUpTime.0` = `uptime` (hundredths of
/// a second), `snmpTrapOID.0` = `kind`'s OID, then `objects`.
pub fn bindings(kind: Kind, uptime: u32, objects: Vec<VarBind>) -> Vec<VarBind> {
    let mut out = Vec::with_capacity(objects.len() + 2);
    let fixed = [
        (event::SYS_UP_TIME_0, Some(Value::TimeTicks(uptime))),
        (event::SNMP_TRAP_OID_0, Value::oid(kind.trap_oid())),
    ];
    for (name, value) in fixed {
        if let (Some(name), Some(value)) = (encodable_oid(name), value) {
            out.push(VarBind {
                name,
                value: VarBindValue::Value(syntax(value)),
            });
        }
    }
    out.extend(objects);
    out
}

impl Notifier {
    /// The notifier for `config`, its rate limit full at `now`. Localizes Trap users' master
    /// keys to this engine, once.
    pub fn new(config: NotifierConfig, now: Instant) -> Result<Notifier, NotifierConfigError> {
        let mut receivers = Vec::with_capacity(config.targets.len());
        for (i, target) in config.targets.into_iter().enumerate() {
            let session = match (target.delivery, target.keys) {
                (Delivery::Trap, Keys::Master(master)) => {
                    Session::Trap(Box::new(master.localize(&config.engine_id)))
                }
                (Delivery::Trap, Keys::Localized(user)) => Session::Trap(user),
                (Delivery::Inform, Keys::Master(master)) => Session::Inform {
                    master,
                    remote: None,
                    flight: None,
                },
                (Delivery::Inform, Keys::Localized(_)) => {
                    return Err(NotifierConfigError::InformNeedsPassphrases(i));
                }
            };
            receivers.push(Receiver {
                address: target.address,
                classes: target.classes,
                capacity: target.queue.max(1),
                timeout: target.timeout,
                retries: target.retries,
                session,
                queue: VecDeque::new(),
                counters: Counters::default(),
            });
        }
        Ok(Notifier {
            engine_id: config.engine_id,
            max_size: config.max_message_size,
            receivers,
            limit: Bucket::new(config.rate, config.burst, now),
            salt: config.seed,
            // msgIDs and request-ids start somewhere the wire does not predict.
            next_id: (config.seed >> 32) as u32,
            rate_limited: 0,
            alarms: Alarms::new(config.alarms),
        })
    }

    /// Whether any receiver subscribes to `class`: lets the caller skip building a
    /// notification nobody gets.
    pub fn wants(&self, class: Class) -> bool {
        self.receivers.iter().any(|r| r.classes.contains(class))
    }

    /// Queues the notification `kind` with `bindings` (from [`bindings`]) for every receiver
    /// subscribed to its class. Returns `false` when the rate limit refused it (counted as
    /// dropped at each such receiver).
    pub fn notify(&mut self, kind: Kind, bindings: Vec<VarBind>, now: Instant) -> bool {
        let class = kind.class();
        if !self.wants(class) {
            return true;
        }
        if !self.limit.try_take(now, 1) {
            self.rate_limited = self.rate_limited.wrapping_add(1);
            for r in self
                .receivers
                .iter_mut()
                .filter(|r| r.classes.contains(class))
            {
                r.counters.dropped = r.counters.dropped.wrapping_add(1);
            }
            return false;
        }
        let pending = Pending { bindings };
        for r in self
            .receivers
            .iter_mut()
            .filter(|r| r.classes.contains(class))
        {
            if r.queue.len() >= r.capacity {
                r.queue.pop_front();
                r.counters.dropped = r.counters.dropped.wrapping_add(1);
            }
            r.queue.push_back(pending.clone());
        }
        true
    }

    /// Writes into `out` the datagrams due at `now`, this engine at `local` boots and time.
    pub fn poll(&mut self, now: Instant, local: Local, out: &mut Vec<Datagram>) {
        let mut ids = Ids {
            next: &mut self.next_id,
        };
        let mut wire = Wire {
            engine_id: &self.engine_id,
            max_size: self.max_size,
            salt: &mut self.salt,
        };
        for r in &mut self.receivers {
            r.poll(now, local, &mut wire, &mut ids, out);
        }
    }

    /// Consumes a datagram from `from` received at `now`: a Report or Response to an Inform.
    pub fn receive(&mut self, from: SocketAddr, datagram: &[u8], now: Instant) -> Received {
        let Some(r) = self
            .receivers
            .iter_mut()
            .find(|r| r.address == from && matches!(r.session, Session::Inform { .. }))
        else {
            return Received::Unexpected;
        };
        r.receive(datagram, now)
    }

    /// When [`Notifier::poll`] has something to do next: `now` when notifications wait, an
    /// Inform's deadline, or `None` when idle.
    pub fn next_wakeup(&self, now: Instant) -> Option<Instant> {
        self.receivers.iter().filter_map(|r| r.wakeup(now)).min()
    }

    /// Each receiver's address and counters, in configuration order.
    pub fn counters(&self) -> impl Iterator<Item = (SocketAddr, Counters)> + '_ {
        self.receivers.iter().map(|r| (r.address, r.counters))
    }

    /// The alarms that turn refusals into notifications.
    pub fn alarms(&mut self) -> &mut Alarms {
        &mut self.alarms
    }

    /// Each receiver's address and delivery, in configuration order.
    pub fn receivers(&self) -> impl Iterator<Item = (SocketAddr, Delivery)> + '_ {
        self.receivers.iter().map(|r| {
            let delivery = match r.session {
                Session::Trap(_) => Delivery::Trap,
                Session::Inform { .. } => Delivery::Inform,
            };
            (r.address, delivery)
        })
    }

    /// Notifications the rate limit refused.
    pub fn rate_limited(&self) -> u32 {
        self.rate_limited
    }

    /// The number of receivers.
    pub fn len(&self) -> usize {
        self.receivers.len()
    }

    /// Whether there are no receivers.
    pub fn is_empty(&self) -> bool {
        self.receivers.is_empty()
    }

    /// The engine of receiver `index` as last learned (`None` for a Trap receiver or before
    /// discovery): for logs and tests.
    pub fn remote(&self, index: usize) -> Option<&Remote> {
        match &self.receivers.get(index)?.session {
            Session::Inform { remote, .. } => remote.as_deref(),
            Session::Trap(_) => None,
        }
    }
}

/// msgIDs and request-ids: 1 to 2^31-1, in sequence from a seeded start.
struct Ids<'a> {
    next: &'a mut u32,
}

impl Ids<'_> {
    fn take(&mut self) -> i32 {
        *self.next = self.next.wrapping_add(1);
        // Never 0, never negative.
        i32::try_from(*self.next & 0x7fff_ffff).unwrap_or(1).max(1)
    }
}

/// What every message this engine writes shares.
struct Wire<'a> {
    engine_id: &'a [u8],
    max_size: usize,
    salt: &'a mut u64,
}

impl Wire<'_> {
    /// The ScopedPDU of a notification: contextEngineID this engine's, default context.
    fn scoped(&self, pdu: Pdus) -> Option<Vec<u8>> {
        wire::encode(&ScopedPdu {
            context_engine_id: OctetString::from(self.engine_id.to_vec()),
            context_name: OctetString::default(),
            pdu,
        })
    }

    fn write(&mut self, message: &outgoing::Outgoing<'_>, scoped: &[u8]) -> Option<Vec<u8>> {
        let mut out = Vec::new();
        outgoing::write(message, scoped, self.salt, &mut out);
        (!out.is_empty()).then_some(out)
    }
}

fn pdu(request_id: i32, bindings: Vec<VarBind>) -> Pdu {
    Pdu {
        request_id,
        error_status: 0,
        error_index: 0,
        varbinds: bindings,
    }
}

impl Receiver {
    fn wakeup(&self, now: Instant) -> Option<Instant> {
        match &self.session {
            Session::Trap(_) => (!self.queue.is_empty()).then_some(now),
            Session::Inform {
                flight: Some(f), ..
            } => Some(if f.resend { now } else { f.deadline }),
            Session::Inform { flight: None, .. } => (!self.queue.is_empty()).then_some(now),
        }
    }

    fn drop_one(&mut self) {
        self.counters.dropped = self.counters.dropped.wrapping_add(1);
    }

    fn poll(
        &mut self,
        now: Instant,
        local: Local,
        wire: &mut Wire<'_>,
        ids: &mut Ids<'_>,
        out: &mut Vec<Datagram>,
    ) {
        match &mut self.session {
            Session::Trap(user) => {
                while let Some(pending) = self.queue.pop_front() {
                    let msg_id = i64::from(ids.take());
                    let request_id = ids.take();
                    let message = outgoing::Outgoing {
                        engine_id: wire.engine_id,
                        boots: local.boots,
                        time: local.time,
                        max_size: wire.max_size,
                        msg_id,
                        user_name: &user.name,
                        user: Some(user),
                        level: user.max_level(),
                        reportable: false,
                    };
                    let bytes = wire
                        .scoped(Pdus::Trap(pdu(request_id, pending.bindings)))
                        .and_then(|scoped| wire.write(&message, &scoped));
                    match bytes {
                        Some(bytes) => {
                            self.counters.sent = self.counters.sent.wrapping_add(1);
                            out.push(Datagram {
                                to: self.address,
                                bytes,
                            });
                        }
                        None => self.counters.dropped = self.counters.dropped.wrapping_add(1),
                    }
                }
            }
            Session::Inform { flight, .. } => {
                if let Some(f) = flight
                    && !f.resend
                    && now >= f.deadline
                {
                    if f.tries >= self.retries {
                        // Out of retries: dropped, and the receiver's engine forgotten, since
                        // a receiver that stopped answering may come back as a new engine.
                        *flight = None;
                        self.forget();
                        self.drop_one();
                    } else {
                        f.tries += 1;
                        f.resend = true;
                        self.counters.retried = self.counters.retried.wrapping_add(1);
                    }
                }
                self.transmit(now, wire, ids, out);
            }
        }
    }

    fn forget(&mut self) {
        if let Session::Inform { remote, .. } = &mut self.session {
            *remote = None;
        }
    }

    /// Starts the next Inform if none is in flight, and sends the one in flight if due.
    fn transmit(
        &mut self,
        now: Instant,
        wire: &mut Wire<'_>,
        ids: &mut Ids<'_>,
        out: &mut Vec<Datagram>,
    ) {
        let Session::Inform { remote, flight, .. } = &mut self.session else {
            return;
        };
        if flight.is_none()
            && let Some(pending) = self.queue.pop_front()
        {
            self.counters.sent = self.counters.sent.wrapping_add(1);
            *flight = Some(Flight {
                pending,
                request_id: ids.take(),
                msg_ids: Vec::new(),
                tries: 0,
                deadline: now,
                resend: true,
                syncs: 0,
            });
        }
        let Some(f) = flight else { return };
        if !f.resend {
            return;
        }
        f.resend = false;
        let shift = f.tries.min(MAX_BACKOFF_SHIFT);
        f.deadline = now + self.timeout.saturating_mul(1 << shift);
        let msg_id = ids.take();
        let bytes = match remote {
            // RFC 3414 §4: noAuthNoPriv, empty engine ID and user name, no bindings; the
            // receiver answers with a usmStatsUnknownEngineIDs Report carrying its engine ID.
            None => wire
                .scoped(Pdus::Get(pdu(f.request_id, Vec::new())))
                .and_then(|scoped| {
                    let probe = outgoing::Outgoing {
                        engine_id: &[],
                        boots: 0,
                        time: 0,
                        max_size: wire.max_size,
                        msg_id: i64::from(msg_id),
                        user_name: &[],
                        user: None,
                        level: crate::usm::SecurityLevel::NoAuthNoPriv,
                        reportable: true,
                    };
                    wire.write(&probe, &scoped)
                }),
            Some(remote) => wire
                .scoped(Pdus::Inform(pdu(f.request_id, f.pending.bindings.clone())))
                .and_then(|scoped| {
                    let message = outgoing::Outgoing {
                        engine_id: &remote.engine_id,
                        boots: remote.boots,
                        time: remote.time_at(now),
                        max_size: wire.max_size,
                        msg_id: i64::from(msg_id),
                        user_name: &remote.user.name,
                        user: Some(&remote.user),
                        level: remote.user.max_level(),
                        reportable: true,
                    };
                    wire.write(&message, &scoped)
                }),
        };
        match bytes {
            Some(bytes) => {
                f.msg_ids.push(i64::from(msg_id));
                out.push(Datagram {
                    to: self.address,
                    bytes,
                });
            }
            None => {
                *flight = None;
                self.drop_one();
            }
        }
    }

    fn receive(&mut self, datagram: &[u8], now: Instant) -> Received {
        let Session::Inform {
            master,
            remote,
            flight: Some(f),
        } = &mut self.session
        else {
            return Received::Unexpected;
        };
        let user = remote.as_ref().map(|r| &r.user);
        let reply = match reply::open(
            datagram,
            user.map(|u| &u.auth),
            user.and_then(|u| u.privacy.as_ref()),
        ) {
            Ok(reply) => reply,
            Err(e) => return Received::Unreadable(e),
        };
        if !f.msg_ids.contains(&reply.msg_id) {
            return Received::Unexpected;
        }
        match &reply.scoped.pdu {
            Pdus::Report(report) => {
                let error = remote::report_error(report);
                let learned = match error {
                    Some(UsmError::UnknownEngineId) => {
                        remote::discovered(remote, master, &reply, now)
                    }
                    Some(UsmError::NotInTimeWindow) => remote::synced(remote, &reply, now),
                    _ => None,
                };
                match learned {
                    Some(outcome) if f.syncs < MAX_SYNCS => {
                        f.syncs += 1;
                        f.resend = true;
                        outcome
                    }
                    _ => Received::Refused(error),
                }
            }
            Pdus::Response(response) if response.request_id == f.request_id => {
                // Only a Response at the Inform's level acknowledges it (RFC 3412 §7.2
                // step 12): authenticated, and encrypted when the Inform was.
                let Some(rem) = remote.as_mut() else {
                    return Received::Unexpected;
                };
                let level = rem.user.max_level().flags();
                if reply.flags & level != level {
                    return Received::Unexpected;
                }
                rem.observe(&reply, now);
                if let Session::Inform { flight, .. } = &mut self.session {
                    *flight = None;
                }
                self.counters.acknowledged = self.counters.acknowledged.wrapping_add(1);
                Received::Acknowledged
            }
            _ => Received::Unexpected,
        }
    }
}
