//! The sans-I/O command responder: one datagram in, at most one datagram out.
//!
//! [`Agent::handle`] runs the receive path of RFC 3412 §7.2 with the USM's incoming-message
//! steps of RFC 3414 §3.2, then the command responder of RFC 3413 §3.2 and the operations of
//! RFC 3416 §4.2, in cost order: the cheapest check that can reject a datagram runs first, and
//! HMAC, decryption and the MIB only run for a datagram that passed everything before them.
//!
//! The agent owns the protocol counters ([`crate::stats`]) and the engine's boots and time
//! (RFC 3414 §2.2). It never reads a clock, socket, file or random source: the driver passes
//! `now`, the boot count and a salt seed in.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::net::SocketAddr;

use rasn::types::{ObjectIdentifier, OctetString};
use rasn_smi::v2::{ApplicationSyntax, ObjectSyntax};

use crate::access;
use crate::device::date::Timestamp;
use crate::mib::{Live, Resolve, Tree, Value};
use crate::pdu::{self, ErrorStatus, Limits, Operation};
use crate::stats::{Counter, Counters};
use crate::time::Instant;
use crate::usm::{SecurityLevel, User, Users};
use crate::wire::{
    self, BulkPdu, Header, Message, Pdu, Pdus, ScopedPdu, ScopedPduData, UsmParameters, VarBind,
    VarBindValue, flags, locate,
};

/// The largest value of snmpEngineBoots and snmpEngineTime (RFC 3414 §2.2.1): boots latches
/// there, and time wraps to zero, bumping boots.
pub const ENGINE_MAX: u32 = 2_147_483_647;

/// The USM time window, in seconds (RFC 3414 §2.2.3).
pub const TIME_WINDOW: u32 = 150;

/// The largest UDP payload over IPv4, and so the largest useful snmpEngineMaxMessageSize.
pub const MAX_MESSAGE_SIZE: usize = 65_507;

/// An upper bound on everything in a response message except the varbind TLVs, beyond the
/// variable-length fields counted separately (see [`Agent::envelope_bound`]): tags and lengths
/// of every enclosing TLV at their longest, msgID, msgMaxSize, msgFlags, msgSecurityModel,
/// boots, time, privacy parameters, request-id, error-status, error-index, and 7 octets of DES
/// padding.
const ENVELOPE_FIXED: usize = 128;

/// `DateAndTime` for "unknown" (RFC 2579 allows no zero month; HOST-RESOURCES-MIB and the
/// DQI-MIB use this value for dates not known).
const UNKNOWN_DATE: [u8; 8] = [0, 0, 1, 1, 0, 0, 0, 0];

/// Everything the agent needs, prepared by the driver: keys already localized, the tree built.
#[derive(Debug)]
pub struct Config {
    /// snmpEngineID (RFC 3411 §5), 5 to 32 octets.
    pub engine_id: Vec<u8>,
    /// snmpEngineBoots for this run, already incremented and persisted by the driver.
    pub engine_boots: u32,
    /// The users, keys localized to `engine_id`.
    pub users: Users,
    /// The objects served.
    pub tree: Tree,
    /// The largest message the agent sends or accepts (snmpEngineMaxMessageSize), 484..=65507.
    pub max_message_size: usize,
    /// Seed for privacy salts, from the driver's random source; salts never repeat within a boot.
    pub salt_seed: u64,
}

/// What `handle` did with a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `out` holds a Response to send back to the source.
    Response,
    /// `out` holds a Report to send back to the source; the counter says why.
    Report(Counter),
    /// Nothing to send; the counter records why.
    Dropped(Counter),
}

/// The command responder.
#[derive(Debug)]
pub struct Agent {
    engine_id: OctetString,
    boots: u32,
    /// When snmpEngineTime was last zero: start-up, or the last wrap.
    boot_epoch: Instant,
    /// The origin of sysUpTime.
    started: Instant,
    /// Shared so a request can hold its user while the agent's counters change.
    users: Arc<Users>,
    tree: Tree,
    max_message_size: usize,
    /// The next privacy salt; incremented per encryption, so it repeats only after 2^64 messages.
    salt: u64,
    counters: Counters,
    /// Reused for the digest check and for decryption, so the hot path does not allocate them.
    scratch: Vec<u8>,
    /// The driver's report of wall-clock and host time at `Instant::ZERO`.
    clock: Option<Clock>,
}

/// What the driver knows of time beyond its monotonic clock, for the objects that show it
/// (`hrSystemDate`, `hrSystemUptime`). The core reads no clock itself.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Clock {
    /// Microseconds since the Unix epoch (UTC) at the driver's `Instant::ZERO`.
    pub unix_micros_at_origin: u64,
    /// Microseconds the host had been up at the driver's `Instant::ZERO`.
    pub host_uptime_micros_at_origin: u64,
}

/// Why a datagram went no further, and whether that earns a Report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Reject {
    /// Counted and dropped, never answered.
    Drop(Counter),
    /// Counted, answered with a Report carrying the counter when the sender asked for reports.
    Report(Counter),
}

/// What the USM established about an incoming message (RFC 3414 §3.2 step 9's outputs).
struct Incoming<'u> {
    msg_id: i64,
    max_size: usize,
    level: SecurityLevel,
    reportable: bool,
    user_name: OctetString,
    user: Option<&'u User>,
}

impl Agent {
    /// An agent whose engine (and sysUpTime) starts at `now`.
    pub fn new(config: Config, now: Instant) -> Agent {
        Agent {
            engine_id: OctetString::from(config.engine_id),
            boots: config.engine_boots.min(ENGINE_MAX),
            boot_epoch: now,
            started: now,
            users: Arc::new(config.users),
            tree: config.tree,
            max_message_size: config.max_message_size.clamp(484, MAX_MESSAGE_SIZE),
            salt: config.salt_seed,
            counters: Counters::default(),
            scratch: Vec::new(),
            clock: None,
        }
    }

    /// Tells the agent the wall-clock and host time at the driver's origin (`Instant::ZERO`).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = Some(clock);
    }

    /// Processes one datagram from `source`, received at `now`; writes any reply into `out`
    /// (cleared first).
    pub fn handle(
        &mut self,
        datagram: &[u8],
        _source: SocketAddr,
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Outcome {
        out.clear();
        self.tick(now);
        self.counters.bump(Counter::SnmpInPkts);
        match self.process(datagram, now, out) {
            Ok(outcome) => outcome,
            Err(Reject::Drop(counter)) => {
                self.counters.bump(counter);
                out.clear();
                Outcome::Dropped(counter)
            }
            Err(Reject::Report(_)) => unreachable_report(),
        }
    }

    /// The current snmpEngineBoots; changes when engineTime wraps, and the driver then persists it.
    pub fn engine_boots(&self) -> u32 {
        self.boots
    }

    /// The engine ID.
    pub fn engine_id(&self) -> &[u8] {
        &self.engine_id
    }

    /// snmpEngineTime at `now`, in seconds.
    pub fn engine_time(&self, now: Instant) -> u32 {
        u32::try_from(now.saturating_since(self.boot_epoch).as_secs())
            .unwrap_or(u32::MAX)
            .min(ENGINE_MAX)
    }

    /// Replaces the served objects (a new device snapshot), atomically between two datagrams.
    pub fn install_tree(&mut self, tree: Tree) {
        self.tree = tree;
    }

    /// Like [`Agent::install_tree`], but hands the old tree back, so that the driver frees it
    /// after releasing the agent's lock: dropping a large tree takes milliseconds.
    pub fn replace_tree(&mut self, tree: Tree) -> Tree {
        core::mem::replace(&mut self.tree, tree)
    }

    /// The objects served.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The protocol counters.
    pub fn counters(&self) -> &Counters {
        &self.counters
    }

    /// Advances engine time: past 2^31-1 seconds it wraps to zero and boots goes up by one
    /// (RFC 3414 §2.2.1), latching at its own maximum.
    fn tick(&mut self, now: Instant) {
        let elapsed = now.saturating_since(self.boot_epoch).as_secs();
        if elapsed > u64::from(ENGINE_MAX) {
            self.boots = self.boots.saturating_add(1).min(ENGINE_MAX);
            self.boot_epoch = now;
        }
    }

    fn process(
        &mut self,
        datagram: &[u8],
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Result<Outcome, Reject> {
        // RFC 3412 §7.2 steps 1-2: the version first, so v1/v2c never reach the v3 decoder.
        match locate::version(datagram) {
            Some(wire::VERSION_3) => {}
            Some(_) => return Err(Reject::Drop(Counter::SnmpInBadVersions)),
            None => return Err(Reject::Drop(Counter::SnmpInAsnParseErrs)),
        }
        let msg: Message =
            wire::decode_exact(datagram).ok_or(Reject::Drop(Counter::SnmpInAsnParseErrs))?;
        let (level, reportable, max_size) = self.check_header(&msg.header)?;
        // RFC 3414 §3.2 step 1: the security parameters must parse.
        let usm: UsmParameters = wire::decode_exact(&msg.security_parameters)
            .ok_or(Reject::Drop(Counter::SnmpInAsnParseErrs))?;
        let incoming = Incoming {
            msg_id: msg.header.msg_id,
            max_size,
            level,
            reportable,
            user_name: usm.user_name.clone(),
            user: None,
        };
        let users = Arc::clone(&self.users);
        match self.authenticate(&users, datagram, &msg, &usm, incoming, now) {
            Ok((incoming, scoped)) => Ok(self.dispatch(&incoming, scoped, now, out)),
            Err((Reject::Report(counter), incoming, request_id)) => {
                self.counters.bump(counter);
                if !incoming.reportable {
                    return Ok(Outcome::Dropped(counter));
                }
                self.report(&incoming, counter, request_id, now, out);
                if out.is_empty() {
                    Ok(Outcome::Dropped(counter))
                } else {
                    Ok(Outcome::Report(counter))
                }
            }
            Err((drop, _, _)) => Err(drop),
        }
    }

    /// RFC 3412 §7.2 step 3 and §6: security model, msgFlags, msgMaxSize, msgID ranges.
    /// Returns the security level, the reportable flag and the usable response size.
    fn check_header(&self, header: &Header) -> Result<(SecurityLevel, bool, usize), Reject> {
        if header.security_model != wire::SECURITY_MODEL_USM {
            return Err(Reject::Drop(Counter::SnmpUnknownSecurityModels));
        }
        let invalid = Reject::Drop(Counter::SnmpInvalidMsgs);
        let &[flag_byte] = header.flags.as_ref() else {
            return Err(invalid);
        };
        let level = SecurityLevel::from_flags(flag_byte).ok_or(invalid)?;
        if !(0..=i64::from(i32::MAX)).contains(&header.msg_id)
            || !(wire::MIN_MAX_SIZE..=i64::from(i32::MAX)).contains(&header.max_size)
        {
            return Err(invalid);
        }
        let max_size = usize::try_from(header.max_size)
            .unwrap_or(usize::MAX)
            .min(self.max_message_size);
        Ok((level, flag_byte & flags::REPORTABLE != 0, max_size))
    }

    /// RFC 3414 §3.2 steps 3 to 8: engine ID, user, level, digest, time window, decryption.
    /// On failure returns the rejection, what is known of the message for a Report, and the
    /// request-id when the PDU could be read (plaintext messages).
    #[allow(clippy::type_complexity)]
    fn authenticate<'u>(
        &mut self,
        users: &'u Users,
        datagram: &[u8],
        msg: &Message,
        usm: &UsmParameters,
        mut incoming: Incoming<'u>,
        now: Instant,
    ) -> Result<(Incoming<'u>, ScopedPdu), (Reject, Incoming<'u>, i32)> {
        let plain_id = match &msg.data {
            ScopedPduData::Plaintext(s) => s.pdu.request_id(),
            ScopedPduData::Encrypted(_) => 0,
        };
        let (Ok(msg_boots), Ok(msg_time)) = (u32::try_from(usm.boots), u32::try_from(usm.time))
        else {
            return Err((
                Reject::Drop(Counter::SnmpInAsnParseErrs),
                incoming,
                plain_id,
            ));
        };
        if msg_boots > ENGINE_MAX || msg_time > ENGINE_MAX {
            return Err((
                Reject::Drop(Counter::SnmpInAsnParseErrs),
                incoming,
                plain_id,
            ));
        }
        // Step 3: this agent is authoritative; any other engine ID (discovery sends an empty
        // one) earns the unknownEngineID Report that tells the manager ours.
        if usm.engine_id != self.engine_id {
            return Err((
                Reject::Report(Counter::UsmStatsUnknownEngineIds),
                incoming,
                plain_id,
            ));
        }
        // Step 4.
        let Some(user) = users.get(&usm.user_name) else {
            return Err((
                Reject::Report(Counter::UsmStatsUnknownUserNames),
                incoming,
                plain_id,
            ));
        };
        // Step 5.
        if incoming.level > user.max_level() {
            return Err((
                Reject::Report(Counter::UsmStatsUnsupportedSecLevels),
                incoming,
                plain_id,
            ));
        }
        if incoming.level == SecurityLevel::NoAuthNoPriv {
            incoming.user = Some(user);
            return match &msg.data {
                ScopedPduData::Plaintext(s) => Ok((incoming, s.clone())),
                ScopedPduData::Encrypted(_) => Err((
                    Reject::Drop(Counter::SnmpInAsnParseErrs),
                    incoming,
                    plain_id,
                )),
            };
        }
        // Step 6: the digest over the datagram as received, its auth field zeroed in place.
        let Some(range) = locate::auth_params(datagram) else {
            return Err((
                Reject::Drop(Counter::SnmpInAsnParseErrs),
                incoming,
                plain_id,
            ));
        };
        self.scratch.clear();
        self.scratch.extend_from_slice(datagram);
        self.scratch[range].fill(0);
        if !user.auth.verify(&self.scratch, &usm.auth_params) {
            return Err((
                Reject::Report(Counter::UsmStatsWrongDigests),
                incoming,
                plain_id,
            ));
        }
        incoming.user = Some(user);
        // Step 7: the time window, for an authoritative receiver.
        let local_time = self.engine_time(now);
        if self.boots == ENGINE_MAX
            || msg_boots != self.boots
            || msg_time.abs_diff(local_time) > TIME_WINDOW
        {
            // The Report is authenticated, so the manager can trust the boots and time in it
            // (RFC 3414 §3.2 step 7b); never encrypted.
            incoming.level = SecurityLevel::AuthNoPriv;
            return Err((
                Reject::Report(Counter::UsmStatsNotInTimeWindows),
                incoming,
                plain_id,
            ));
        }
        // Step 8: decryption.
        let scoped = match (&msg.data, incoming.level, &user.privacy) {
            (ScopedPduData::Plaintext(s), SecurityLevel::AuthNoPriv, _) => s.clone(),
            (ScopedPduData::Encrypted(cipher), SecurityLevel::AuthPriv, Some(key)) => {
                self.scratch.clear();
                if key
                    .decrypt(
                        msg_boots,
                        msg_time,
                        &usm.priv_params,
                        cipher,
                        &mut self.scratch,
                    )
                    .is_err()
                {
                    incoming.level = SecurityLevel::NoAuthNoPriv;
                    return Err((
                        Reject::Report(Counter::UsmStatsDecryptionErrors),
                        incoming,
                        0,
                    ));
                }
                // A wrong privacy key decrypts to noise: RFC 3412 §7.2 step 2 counts that as a
                // parse error and drops it.
                match wire::decode_prefix::<ScopedPdu>(&self.scratch) {
                    Some(scoped) => scoped,
                    None => return Err((Reject::Drop(Counter::SnmpInAsnParseErrs), incoming, 0)),
                }
            }
            (ScopedPduData::Plaintext(_), SecurityLevel::AuthPriv, _) => {
                incoming.level = SecurityLevel::NoAuthNoPriv;
                return Err((
                    Reject::Report(Counter::UsmStatsDecryptionErrors),
                    incoming,
                    plain_id,
                ));
            }
            _ => {
                return Err((
                    Reject::Drop(Counter::SnmpInAsnParseErrs),
                    incoming,
                    plain_id,
                ));
            }
        };
        Ok((incoming, scoped))
    }

    /// RFC 3412 §7.2 steps 10-13 and the command responder of RFC 3413 §3.2.
    fn dispatch(
        &mut self,
        incoming: &Incoming<'_>,
        scoped: ScopedPdu,
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Outcome {
        let request_id = scoped.pdu.request_id();
        let (operation, varbinds) = match scoped.pdu {
            Pdus::Get(p) => (Operation::Get, p.varbinds),
            Pdus::GetNext(p) => (Operation::GetNext, p.varbinds),
            Pdus::Set(p) => (Operation::Set, p.varbinds),
            Pdus::GetBulk(BulkPdu {
                non_repeaters,
                max_repetitions,
                varbinds,
                ..
            }) => (
                Operation::GetBulk {
                    non_repeaters,
                    max_repetitions,
                },
                varbinds,
            ),
            // Response, Report, Trap and Inform are never answered: this engine sends no
            // requests and receives no notifications.
            Pdus::Response(_) | Pdus::Report(_) | Pdus::Trap(_) | Pdus::Inform(_) => {
                self.counters.bump(Counter::SnmpUnknownPduHandlers);
                return Outcome::Dropped(Counter::SnmpUnknownPduHandlers);
            }
        };
        // contextEngineID names this engine (an empty one is accepted as "the local engine",
        // as several managers send it); any other engine has no handler here.
        if !scoped.context_engine_id.is_empty() && scoped.context_engine_id != self.engine_id {
            return self.refuse(
                incoming,
                Counter::SnmpUnknownPduHandlers,
                request_id,
                now,
                out,
            );
        }
        // Only the default context exists (RFC 3413 §3.2 step 3).
        if !scoped.context_name.is_empty() {
            return self.refuse(incoming, Counter::SnmpUnknownContexts, request_id, now, out);
        }
        let result = match incoming.user {
            Some(user) if access::may_read(user, incoming.level) => {
                let budget = incoming
                    .max_size
                    .saturating_sub(self.envelope_bound(incoming, &scoped.context_name));
                let limits = Limits {
                    varbind_bytes: budget,
                    max_repetitions: u32::MAX,
                    max_varbinds: usize::MAX,
                };
                let live = LiveValues {
                    counters: &self.counters,
                    boots: self.boots,
                    engine_time: self.engine_time(now),
                    uptime: now.saturating_since(self.started).as_millis(),
                    clock: self.clock,
                    now,
                };
                pdu::respond(&self.tree, &live, operation, &varbinds, limits)
            }
            // RFC 3415 §3.2 step 5 via RFC 3413 §3.2 step 4: no data, the request's bindings back.
            _ => pdu::Outcome {
                error_status: ErrorStatus::AuthorizationError,
                error_index: 0,
                varbinds,
            },
        };
        let pdu = Pdus::Response(Pdu {
            request_id,
            error_status: result.error_status as i64,
            error_index: i64::from(result.error_index),
            varbinds: result.varbinds,
        });
        let scoped = ScopedPdu {
            context_engine_id: self.engine_id.clone(),
            context_name: scoped.context_name,
            pdu,
        };
        self.emit(incoming, incoming.level, scoped, now, out);
        if out.len() > incoming.max_size {
            // The bound in `envelope_bound` is conservative, so this cannot happen unless
            // encoding changed; never send more than the manager can receive.
            out.clear();
        }
        if out.is_empty() {
            self.counters.bump(Counter::SnmpSilentDrops);
            Outcome::Dropped(Counter::SnmpSilentDrops)
        } else {
            Outcome::Response
        }
    }

    /// Counts `counter` and answers with a Report carrying it, if the sender asked for reports.
    fn refuse(
        &mut self,
        incoming: &Incoming<'_>,
        counter: Counter,
        request_id: i32,
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Outcome {
        self.counters.bump(counter);
        if !incoming.reportable {
            return Outcome::Dropped(counter);
        }
        self.report(incoming, counter, request_id, now, out);
        if out.is_empty() {
            Outcome::Dropped(counter)
        } else {
            Outcome::Report(counter)
        }
    }

    /// Writes a Report PDU carrying `counter`'s OID and value (RFC 3412 §7.1 step 3, RFC 3414
    /// §3.2). Reports are never encrypted; they are authenticated only when the incoming
    /// message authenticated and the level says so.
    fn report(
        &mut self,
        incoming: &Incoming<'_>,
        counter: Counter,
        request_id: i32,
        now: Instant,
        out: &mut Vec<u8>,
    ) {
        let level = if incoming.user.is_some() && incoming.level >= SecurityLevel::AuthNoPriv {
            SecurityLevel::AuthNoPriv
        } else {
            SecurityLevel::NoAuthNoPriv
        };
        let Some(name) = ObjectIdentifier::new(counter.oid().to_vec()) else {
            return;
        };
        let value = self.counters.get(counter);
        let pdu = Pdus::Report(Pdu {
            request_id,
            error_status: 0,
            error_index: 0,
            varbinds: alloc::vec![VarBind {
                name,
                value: VarBindValue::Value(ObjectSyntax::ApplicationWide(
                    ApplicationSyntax::Counter(rasn_smi::v1::Counter(value)),
                )),
            }],
        });
        let scoped = ScopedPdu {
            context_engine_id: self.engine_id.clone(),
            context_name: OctetString::default(),
            pdu,
        };
        self.emit(incoming, level, scoped, now, out);
    }

    /// Encodes a response-class message at `level`: encrypts at authPriv, then signs the whole
    /// message at authNoPriv and above. Leaves `out` empty if encoding fails.
    fn emit(
        &mut self,
        incoming: &Incoming<'_>,
        level: SecurityLevel,
        scoped: ScopedPdu,
        now: Instant,
        out: &mut Vec<u8>,
    ) {
        out.clear();
        let user = match (level, incoming.user) {
            (SecurityLevel::NoAuthNoPriv, _) => None,
            (_, Some(user)) => Some(user),
            (_, None) => return,
        };
        let boots = self.boots;
        let time = self.engine_time(now);
        let mut priv_params = OctetString::default();
        let data = match (level, user.and_then(|u| u.privacy.as_ref())) {
            (SecurityLevel::AuthPriv, Some(key)) => {
                let Some(plain) = wire::encode(&scoped) else {
                    return;
                };
                let mut cipher = Vec::with_capacity(plain.len() + 8);
                let salt = self.salt;
                self.salt = self.salt.wrapping_add(1);
                let params = key.encrypt(boots, time, salt, &plain, &mut cipher);
                priv_params = OctetString::from(params.to_vec());
                ScopedPduData::Encrypted(OctetString::from(cipher))
            }
            (SecurityLevel::AuthPriv, None) => return,
            _ => ScopedPduData::Plaintext(scoped),
        };
        let digest_len = user.map_or(0, |u| u.auth.protocol().digest_len());
        let usm = UsmParameters {
            engine_id: self.engine_id.clone(),
            boots: i64::from(boots),
            time: i64::from(time),
            user_name: incoming.user_name.clone(),
            auth_params: OctetString::from(alloc::vec![0u8; digest_len]),
            priv_params,
        };
        let Some(security_parameters) = wire::encode(&usm) else {
            return;
        };
        let message = Message {
            version: wire::VERSION_3,
            header: Header {
                msg_id: incoming.msg_id,
                max_size: self.max_message_size as i64,
                flags: OctetString::from(alloc::vec![level.flags()]),
                security_model: wire::SECURITY_MODEL_USM,
            },
            security_parameters: OctetString::from(security_parameters),
            data,
        };
        let Some(bytes) = wire::encode(&message) else {
            return;
        };
        out.extend_from_slice(&bytes);
        if let Some(user) = user {
            let Some(range) = locate::auth_params(out) else {
                out.clear();
                return;
            };
            let mut digest = [0u8; 64];
            let digest = &mut digest[..digest_len];
            user.auth.sign(out, digest);
            out[range].copy_from_slice(digest);
        }
    }

    /// An upper bound on the octets of a response message other than its varbind TLVs.
    fn envelope_bound(&self, incoming: &Incoming<'_>, context_name: &OctetString) -> usize {
        let digest = incoming.user.map_or(0, |u| u.auth.protocol().digest_len());
        ENVELOPE_FIXED
            + 2 * self.engine_id.len()
            + incoming.user_name.len()
            + context_name.len()
            + digest
    }
}

/// `process` answers every Report itself; only drops propagate out of it.
fn unreachable_report() -> Outcome {
    Outcome::Dropped(Counter::SnmpSilentDrops)
}

/// Request-time values of the [`Live`] objects.
struct LiveValues<'a> {
    counters: &'a Counters,
    boots: u32,
    engine_time: u32,
    /// Milliseconds since start-up.
    uptime: u128,
    clock: Option<Clock>,
    now: Instant,
}

impl Resolve for LiveValues<'_> {
    fn resolve(&self, live: Live) -> Value {
        match live {
            // TimeTicks wrap at 2^32 hundredths (RFC 2578 §7.1.8).
            Live::SysUpTime => Value::TimeTicks((self.uptime / 10) as u32),
            Live::EngineBoots => Value::Integer(i32::try_from(self.boots).unwrap_or(i32::MAX)),
            Live::EngineTime => Value::Integer(i32::try_from(self.engine_time).unwrap_or(i32::MAX)),
            Live::Counter(c) => Value::Counter32(self.counters.get(c)),
            Live::HostUptime => {
                let micros = self.clock.map_or(0, |c| c.host_uptime_micros_at_origin);
                Value::TimeTicks((micros.saturating_add(self.now.micros()) / 10_000) as u32)
            }
            Live::HostDate => match self.clock {
                Some(c) => {
                    let unix = c.unix_micros_at_origin.saturating_add(self.now.micros());
                    let mut octets = Timestamp::from_unix_seconds(unix / 1_000_000).date_and_time();
                    // Deci-seconds, then UTC: direction '+', zero hours and minutes (RFC 2579).
                    if let Some(d) = octets.get_mut(7) {
                        *d = ((unix % 1_000_000) / 100_000) as u8;
                    }
                    octets.truncate(8);
                    octets.extend_from_slice(b"+\0\0");
                    Value::octets(octets)
                }
                None => Value::octets(UNKNOWN_DATE),
            },
        }
    }
}
