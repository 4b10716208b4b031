//! The sans-I/O command responder: one datagram in, at most one datagram out.
//!
//! [`Agent::handle`] runs the receive path of RFC 3412 §7.2 with the USM's incoming-message
//! steps of RFC 3414 §3.2, then the command responder of RFC 3413 §3.2 and the operations of
//! RFC 3416 §4.2, in cost order: the cheapest check that can reject a datagram runs first, and
//! HMAC, decryption and the MIB only run for a datagram that passed everything before them.
//!
//! The agent owns the protocol counters ([`crate::stats`]), the engine's boots and time
//! (RFC 3414 §2.2) and the request [`Budget`]. It never reads a clock, socket, file or random
//! source: the driver passes `now`, the boot count and the seeds in.
//!
//! # Cost order
//!
//! Each step runs only for a datagram every cheaper step let through (the budget's call sites
//! are described in [`crate::budget`]):
//!
//! 1. size: longer than snmpEngineMaxMessageSize, dropped unread;
//! 2. the per-source and global buckets ([`Budget::admit_source`]), before any parsing;
//! 3. the response cache by datagram bytes: a byte-identical retransmission gets the same reply;
//! 4. version, message and header decoding (RFC 3412 §7.2);
//! 5. USM up to the user and level (RFC 3414 §3.2 steps 1-5); every unauthenticated outcome
//!    (discovery, unknown user, unsupported level, wrong digest, outside the time window,
//!    decryption error) is charged to its source ([`Budget::admit_unauthenticated`]) before
//!    its Report, so over the limit it is counted and dropped;
//! 6. before the HMAC: the source's unauthenticated budget and the user's bucket are looked at
//!    ([`Budget::check_principal`]), so a user over budget, or a source sending wrong digests,
//!    costs no HMAC;
//! 7. HMAC, time window, decryption;
//! 8. the user is charged the worst case of the request ([`Budget::admit_principal`]): GetBulk
//!    max-repetitions capped at `max_repetitions` first, the response at
//!    `max_response_varbinds` bindings, and the PDU layer runs with the same caps;
//! 9. the response cache by request: a retry (new msgID, same request) is encoded again from
//!    the cached response, without the MIB;
//! 10. the MIB, then [`Budget::settle`] refunds what the response did not use, and the reply is
//!     remembered for retransmissions.
//!
//! A refusal by the budget is [`Outcome::OverBudget`]: dropped and counted, or, with
//! `over_budget = report`, answered with a Report carrying the DQI-MIB rejection counter
//! (`dqiBudgetRejectedPrincipal` and so on) when the refusal is a user's and the source may
//! still have a Report.

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::net::SocketAddr;

use rasn::types::OctetString;

mod community;
mod live;
mod notify;
mod respond;

use crate::access::Access;
use crate::budget::hash::derive_keys;
use crate::budget::{self, Budget, Rejection, ValidBudget, Work};
use crate::cache::Replies;
use crate::mib::budget::Receive;
use crate::mib::served::{self, AgentObjects, Served};
use crate::mib::{self, Tree};
use crate::stats::{Counter, Counters};
use crate::time::Instant;
use crate::usm::{SecurityLevel, User, Users, UsmError, incoming};
use crate::wire::message::{self, Data, Received, Usm};
use crate::wire::{self, Pdus, ScopedPdu, flags, locate};

pub use crate::usm::{ENGINE_MAX, TIME_WINDOW};

/// The largest UDP payload over IPv4, and so the largest useful snmpEngineMaxMessageSize.
pub const MAX_MESSAGE_SIZE: usize = 65_507;

/// `DateAndTime` for "unknown" (RFC 2579 allows no zero month; HOST-RESOURCES-MIB and the
/// DQI-MIB use this value for dates not known).
const UNKNOWN_DATE: [u8; 8] = [0, 0, 1, 1, 0, 0, 0, 0];

/// Everything the agent needs, prepared by the driver: keys already localized, the tree built.
#[derive(Debug)]
pub struct CoreConfig {
    /// snmpEngineID (RFC 3411 §5), 5 to 32 octets.
    pub engine_id: Vec<u8>,
    /// snmpEngineBoots for this run, already incremented and persisted by the driver.
    pub engine_boots: u32,
    /// The users, keys localized to `engine_id`.
    pub users: Users,
    /// The objects served, but for the agent's own (the budget's), which it adds.
    pub tree: Tree,
    /// The largest message the agent sends or accepts (snmpEngineMaxMessageSize), 484..=65507.
    pub max_message_size: usize,
    /// Seed for privacy salts, from the driver's random source; salts never repeat within a boot.
    pub salt_seed: u64,
    /// The request budget.
    pub budget: ValidBudget,
    /// Seed for the budget's hash keys, from the driver's random source. Separate from
    /// `salt_seed`, which the salts on the wire reveal.
    pub budget_seed: u64,
}

/// What `handle` did with a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Outcome {
    /// `out` holds a Response to send back to the source.
    Response,
    /// `out` holds a Report to send back to the source; the counter says why.
    Report(Counter),
    /// Nothing to send; the counter records why.
    Dropped(Counter),
    /// `out` holds a Response to send back to the source at `until`, not before: the request
    /// was over its user's budget and is answered once the units refill (see
    /// [`crate::budget::Budget::admit_principal`]). The driver keeps the answer and the timer;
    /// one it cannot keep is shed and reported with [`Agent::note_shed`].
    Held {
        /// When to send it.
        until: Instant,
    },
    /// Refused by the request budget and counted there (see [`crate::budget`]). `out` holds a
    /// Report carrying the DQI-MIB rejection counter when `reported`, and is empty otherwise.
    OverBudget {
        /// Which limit refused it.
        reason: Rejection,
        /// Whether `out` holds a Report to send.
        reported: bool,
    },
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
    /// The objects served: the driver's and the agent's own, together.
    tree: Served,
    /// The agent's own objects, added to every tree it serves.
    objects: AgentObjects,
    max_message_size: usize,
    /// The next privacy salt; incremented per encryption, so it repeats only after 2^64 messages.
    salt: u64,
    counters: Counters,
    /// Reused for the digest check and for decryption, so the hot path does not allocate them.
    scratch: Vec<u8>,
    /// The driver's report of wall-clock and host time at `Instant::ZERO`.
    clock: Option<Clock>,
    /// What requests may spend; consulted at every step of the pipeline.
    budget: Budget,
    /// Recent replies, for retransmissions and retries.
    cache: Replies,
    /// When the budget last refused anything, for `dqiBudgetLastRejection`.
    last_rejection: Option<Instant>,
    /// The driver's report of its own receive limits, served in the DQI-MIB.
    receive: Receive,
    /// Each principal's read view (RFC 3415) and the communities (RFC 3584).
    access: Arc<Access>,
    /// The notification originator, when receivers are configured.
    notifier: Option<crate::notify::Notifier>,
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
    /// Refused by the USM: counted, answered with a Report carrying its `usmStats` counter when
    /// the sender asked for reports and the budget allows.
    Usm(UsmError),
    /// Refused by the budget, which counted it.
    OverBudget(Rejection),
}

impl From<incoming::Failure> for Reject {
    fn from(failure: incoming::Failure) -> Reject {
        match failure {
            incoming::Failure::Usm(error) => Reject::Usm(error),
            incoming::Failure::Malformed => Reject::Drop(Counter::SnmpInAsnParseErrs),
        }
    }
}

impl From<UsmError> for Reject {
    fn from(error: UsmError) -> Reject {
        Reject::Usm(error)
    }
}

/// What the USM established about an incoming message (RFC 3414 §3.2 step 9's outputs).
struct Incoming<'a> {
    msg_id: i64,
    max_size: usize,
    level: SecurityLevel,
    reportable: bool,
    /// msgUserName, in the datagram.
    user_name: &'a [u8],
    user: Option<&'a User>,
}

impl Agent {
    /// An agent whose engine (and sysUpTime) starts at `now`.
    pub fn new(config: CoreConfig, now: Instant) -> Agent {
        // The principals: the users, and the others given a budget of their own (the
        // communities, which the driver lists there).
        let principals: Vec<Vec<u8>> = config
            .users
            .iter()
            .map(|u| u.name.clone())
            .chain(config.budget.users.iter().map(|u| u.user.clone()))
            .collect();
        let budget = Budget::new(config.budget, principals, config.budget_seed, now);
        let objects = AgentObjects::new(mib::budget::entries(&budget));
        // The same seed's later keys: the budget's source table takes the first two.
        let [_, _, k2, k3] = derive_keys::<4>(config.budget_seed);
        let cache = Replies::new(budget.config(), [k2, k3]);
        let tree = served::assemble(config.tree.into_entries(), &objects);
        Agent {
            engine_id: OctetString::from(config.engine_id),
            boots: config.engine_boots.min(ENGINE_MAX),
            boot_epoch: now,
            started: now,
            users: Arc::new(config.users),
            tree,
            objects,
            max_message_size: config.max_message_size.clamp(484, MAX_MESSAGE_SIZE),
            salt: config.salt_seed,
            counters: Counters::default(),
            scratch: Vec::new(),
            clock: None,
            budget,
            cache,
            last_rejection: None,
            receive: Receive::default(),
            access: Arc::new(Access::new()),
            notifier: None,
        }
    }

    /// Tells the agent the wall-clock and host time at the driver's origin (`Instant::ZERO`).
    pub fn set_clock(&mut self, clock: Clock) {
        self.clock = Some(clock);
    }

    /// Tells the agent the limits the driver enforces on reading its sockets, which the agent
    /// serves (`dqiBudgetIntakeCeiling`, `dqiBudgetModeration`) but does not enforce.
    pub fn set_receive(&mut self, receive: Receive) {
        self.receive = receive;
    }

    /// Sets each principal's read view (RFC 3415) and the communities (RFC 3584); until then
    /// every user sees everything and SNMPv1/v2c is refused.
    ///
    /// Every community is a principal of the budget, so it needs a bucket from the start: its
    /// [`crate::access::Community::principal`] name must be among `budget.users` in the
    /// [`CoreConfig`] the agent was made with. Otherwise nothing changes and the error is the
    /// position of the first community without one.
    pub fn set_access(&mut self, access: Access) -> Result<(), usize> {
        let unbudgeted = access
            .communities()
            .iter()
            .position(|c| !self.budget.has_principal(c.principal_name()));
        match unbudgeted {
            Some(at) => Err(at),
            None => {
                self.access = Arc::new(access);
                Ok(())
            }
        }
    }

    /// Processes one datagram from `source`, received at `now`; writes any reply into `out`
    /// (cleared first).
    pub fn handle(
        &mut self,
        datagram: &[u8],
        source: SocketAddr,
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Outcome {
        out.clear();
        self.tick(now);
        self.counters.bump(Counter::SnmpInPkts);
        let outcome = match self.process(datagram, source, now, out) {
            Ok(outcome) => outcome,
            // `process` sends its Reports itself; one that reached here unsent is a drop.
            Err(Reject::Usm(error)) => {
                let counter = error.counter();
                self.counters.bump(counter);
                out.clear();
                Outcome::Dropped(counter)
            }
            Err(Reject::Drop(counter)) => {
                self.counters.bump(counter);
                out.clear();
                Outcome::Dropped(counter)
            }
            Err(Reject::OverBudget(reason)) => {
                out.clear();
                Outcome::OverBudget {
                    reason,
                    reported: false,
                }
            }
        };
        if matches!(outcome, Outcome::OverBudget { .. }) {
            self.last_rejection = Some(now);
        }
        self.alarms(&outcome, source, now);
        outcome
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

    /// For the driver's kernel filter: see [`Budget::flooders_pending`].
    pub fn flooders_pending(&self) -> bool {
        self.budget.flooders_pending()
    }

    /// For the driver's kernel filter: see [`Budget::take_flooders`].
    pub fn take_flooders(&mut self, each: impl FnMut(budget::SourceKey)) {
        self.budget.take_flooders(each);
    }

    /// For the driver's kernel filter: see [`Budget::start_flood_window`].
    pub fn start_flood_window(&mut self, at_least: u32, scale: u32) {
        self.budget.start_flood_window(at_least, scale);
    }

    /// For the driver's kernel filter: see [`Budget::known_sources`].
    pub fn known_sources(&mut self, now: Instant, each: impl FnMut(budget::SourceKey, Instant)) {
        self.budget.known_sources(now, each);
    }

    /// For the driver's kernel filter: see [`Budget::note_blocked`].
    pub fn note_blocked(&mut self, key: budget::SourceKey, now: Instant) {
        self.budget.note_blocked(key, now);
    }

    /// Counts `n` held answers (see [`Outcome::Held`]) the driver shed instead of sending.
    pub fn note_shed(&mut self, n: u64) {
        self.budget.note_shed(n);
    }

    /// The request budget, for the driver's log summaries and for tests.
    pub fn budget(&self) -> &Budget {
        &self.budget
    }

    /// For the driver's periodic log summary: see [`Budget::drain_rejections`].
    pub fn drain_rejections(&mut self, each: impl FnMut(budget::SourceKey, u32)) -> u64 {
        self.budget.drain_rejections(each)
    }

    /// The agent's own objects, for the driver to [`served::assemble`] each new tree with.
    pub fn own_objects(&self) -> AgentObjects {
        self.objects.clone()
    }

    /// Replaces the served objects (a new device snapshot), atomically between two datagrams,
    /// and hands the old tree back, so that the driver frees it after releasing the agent's
    /// lock: dropping a large tree takes milliseconds. Only [`served::assemble`] makes a
    /// [`Served`] tree, so the agent's own objects are always in it.
    pub fn replace_tree(&mut self, tree: Served) -> Served {
        core::mem::replace(&mut self.tree, tree)
    }

    /// Answers an AgentX read from the master agent (RFC 2741 §7.2.3) at `now`, over the same
    /// tree and request-time values as [`Agent::handle`], under the budget's GetBulk and
    /// response caps. `None` for a PDU that is not a read. The master did SNMP and USM, so no
    /// protocol counter moves and no user or source is charged here: the driver rate-limits
    /// the session instead.
    pub fn answer_agentx(
        &self,
        pdu: &crate::agentx::Pdu,
        now: Instant,
    ) -> Option<(u16, u16, Vec<crate::agentx::VarBind>)> {
        let config = self.budget.config();
        let limits = crate::agentx::Limits {
            max_repetitions: config.max_repetitions,
            max_varbinds: usize::try_from(config.max_response_varbinds).unwrap_or(usize::MAX),
        };
        let live = self.live_values(now);
        crate::agentx::answer(self.tree.tree(), &live, pdu, limits)
    }

    /// The objects served.
    pub fn tree(&self) -> &Tree {
        self.tree.tree()
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
        source: SocketAddr,
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Result<Outcome, Reject> {
        // Nothing longer than the agent accepts is worth reading, and nothing is cheaper to
        // refuse; it cannot be parsed here, hence the parse-error counter.
        if datagram.len() > self.max_message_size {
            return Err(Reject::Drop(Counter::SnmpInAsnParseErrs));
        }
        // The per-source and global buckets come before any parsing.
        self.budget
            .admit_source(source.ip(), now)
            .map_err(Reject::OverBudget)?;
        // A byte-identical retransmission (a duplicate, a replay, a client resending its
        // buffer) gets the reply already sent: no HMAC, no decryption, no MIB.
        // Hashed once: the reply is remembered under the same key.
        let datagram_key = self.cache.datagram_key(source, datagram);
        if let Some(reply) = self.cache.reply(source, datagram_key, datagram, now) {
            out.extend_from_slice(reply);
            self.budget.count_cache_hit();
            return Ok(Outcome::Response);
        }
        // RFC 3412 §7.2 steps 1-2: the version first, so v1/v2c never reach the v3 decoder.
        match locate::version(datagram) {
            Some(wire::VERSION_3) => {}
            Some(version @ (wire::VERSION_1 | wire::VERSION_2C))
                if !self.access.communities().is_empty() =>
            {
                return self.community(datagram, version, source, now, out);
            }
            Some(_) => return Err(Reject::Drop(Counter::SnmpInBadVersions)),
            None => return Err(Reject::Drop(Counter::SnmpInAsnParseErrs)),
        }
        // Read in place; the forms the reader leaves go to `rasn`, which decides as before.
        let owned;
        let msg = match message::read(datagram) {
            Some(msg) => msg,
            None => {
                owned = message::Owned::decode(datagram)
                    .ok_or(Reject::Drop(Counter::SnmpInAsnParseErrs))?;
                owned.received()
            }
        };
        let (level, reportable, max_size) = self.check_header(&msg.header)?;
        // RFC 3414 §3.2 step 1: the security parameters must parse.
        let usm = msg.usm.ok_or(Reject::Drop(Counter::SnmpInAsnParseErrs))?;
        let mut incoming = Incoming {
            msg_id: msg.header.msg_id,
            max_size,
            level,
            reportable,
            user_name: usm.user_name,
            user: None,
        };
        // What a Report can echo: a plaintext PDU's request-id; an encrypted one's is unread.
        let request_id = match &msg.data {
            Data::Plaintext(s) => s.pdu.request_id(),
            Data::Encrypted(_) => 0,
        };
        let users = Arc::clone(&self.users);
        let request = Request {
            datagram,
            source,
            datagram_key,
        };
        match self.authenticate(&users, &request, msg, &usm, level, now) {
            Ok((user, scoped, plain)) => {
                incoming.user = Some(user);
                Ok(self.dispatch(&request, &incoming, scoped, plain, now, out))
            }
            Err(Reject::OverBudget(reason)) => {
                Ok(self.over_budget(reason, &request, &incoming, request_id, now, out))
            }
            Err(Reject::Usm(error)) => {
                // The usmStats counter counts every such message; the budget decides whether
                // this one also earns a Report (and charges the source for it even when the
                // sender asked for none, so a silent flood still runs out).
                let counter = error.counter();
                self.counters.bump(counter);
                self.budget
                    .admit_unauthenticated(source.ip(), now)
                    .map_err(Reject::OverBudget)?;
                if !incoming.reportable {
                    return Ok(Outcome::Dropped(counter));
                }
                incoming.level = error.report_level();
                if incoming.level >= SecurityLevel::AuthNoPriv {
                    incoming.user = users.get(usm.user_name);
                }
                self.report(&incoming, counter, request_id, now, out);
                if out.is_empty() {
                    Ok(Outcome::Dropped(counter))
                } else {
                    Ok(Outcome::Report(counter))
                }
            }
            Err(drop) => Err(drop),
        }
    }

    /// RFC 3412 §7.2 step 3 and §6: security model, msgFlags, msgMaxSize, msgID ranges.
    /// Returns the security level, the reportable flag and the usable response size.
    fn check_header(
        &self,
        header: &message::Header<'_>,
    ) -> Result<(SecurityLevel, bool, usize), Reject> {
        if header.security_model != wire::SECURITY_MODEL_USM {
            return Err(Reject::Drop(Counter::SnmpUnknownSecurityModels));
        }
        let invalid = Reject::Drop(Counter::SnmpInvalidMsgs);
        let &[flag_byte] = header.flags else {
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

    /// The USM's incoming steps (RFC 3414 §3.2, in [`crate::usm::incoming`]) with the budget's
    /// look before the HMAC. Returns the user, the scopedPDU and, for an encrypted one, the
    /// length of its plaintext encoding at the start of `self.scratch` (the key of the response
    /// cache).
    fn authenticate<'u>(
        &mut self,
        users: &'u Users,
        request: &Request<'_>,
        msg: Received<'_>,
        usm: &Usm<'_>,
        level: SecurityLevel,
        now: Instant,
    ) -> Result<(&'u User, ScopedPdu, Option<incoming::Plaintext>), Reject> {
        let ip = request.source.ip();
        let claimed = incoming::identify(&self.engine_id, users, usm, level)?;
        if level == SecurityLevel::NoAuthNoPriv {
            // Nothing proves the sender is the user, so the answer (authorizationError, as no
            // user may read without authentication) is charged to the source, not the user.
            self.budget
                .admit_unauthenticated(ip, now)
                .map_err(Reject::OverBudget)?;
        } else {
            // Before the HMAC, the budget only looks: a source that has spent its
            // unauthenticated outcomes (a wrong-digest flood) and a user whose bucket will not
            // refill within the hold limit cost no HMAC. An encrypted PDU's size is unknown yet, so it must afford at least
            // the request itself.
            let config = self.budget.config();
            let cost = match &msg.data {
                Data::Plaintext(s) => config.least(work(&s.pdu)),
                Data::Encrypted(_) => config.request_cost,
            };
            self.budget
                .check_unauthenticated(ip, now)
                .and_then(|()| self.budget.check_principal(ip, usm.user_name, cost, now))
                .map_err(Reject::OverBudget)?;
            let (user, datagram, digest) = (claimed.user, request.datagram, usm.auth_params);
            match msg.auth_range {
                Some(at) => {
                    incoming::verify_digest_at(user, datagram, at, digest, &mut self.scratch)?;
                }
                None => incoming::verify_digest(user, datagram, digest, &mut self.scratch)?,
            }
            incoming::check_time_window(&claimed, self.boots, self.engine_time(now))?;
        }
        let (scoped, plain) = incoming::decrypt(
            &claimed,
            level,
            msg.data,
            usm.priv_params,
            &mut self.scratch,
        )?;
        Ok((claimed.user, scoped, plain))
    }
}

/// The datagram being handled and where it came from.
struct Request<'a> {
    datagram: &'a [u8],
    source: SocketAddr,
    /// The response cache's hash of the datagram, made for the lookup before parsing.
    datagram_key: crate::cache::Hashed,
}

/// A request's shape for the budget's estimate (RFC 3416 §4.2.3 for GetBulk).
fn work(pdu: &Pdus) -> Work {
    match pdu {
        Pdus::GetBulk(b) => Work::GetBulk {
            non_repeaters: b.non_repeaters,
            max_repetitions: b.max_repetitions,
            varbinds: b.varbinds.len(),
        },
        Pdus::Get(p)
        | Pdus::GetNext(p)
        | Pdus::Set(p)
        | Pdus::Response(p)
        | Pdus::Report(p)
        | Pdus::Trap(p)
        | Pdus::Inform(p) => Work::Get {
            varbinds: p.varbinds.len(),
        },
    }
}
