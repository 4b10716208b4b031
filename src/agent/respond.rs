//! The response side of the command responder: dispatching a verified request to the MIB
//! (RFC 3412 §7.2 steps 10-13, RFC 3413 §3.2, RFC 3416 §4.2) with the user's charge around the
//! work, the response cache, the over-budget action and Reports (RFC 3412 §7.1, RFC 3414 §3.2).
//! Every reply is written by the USM's outgoing procedure ([`crate::usm::outgoing`]).

use alloc::vec::Vec;

use rasn::types::{ObjectIdentifier, OctetString};
use rasn_smi::v2::{ApplicationSyntax, ObjectSyntax};

use super::{Agent, Incoming, Outcome, Request, work};
use crate::access;
use crate::budget::{self, OverBudget, Rejection};
use crate::cache::Hashed;
use crate::mib::budget::Scalar;
use crate::pdu::{self, ErrorStatus, Limits, Operation};
use crate::stats::Counter;
use crate::time::Instant;
use crate::usm::SecurityLevel;
use crate::usm::incoming::Plaintext;
use crate::usm::outgoing::{self, Outgoing};
use crate::wire::ber::KnownName;
use crate::wire::{self, BulkPdu, Pdu, Pdus, ScopedPdu, VarBind, VarBindValue};

/// An upper bound on everything in a response message except the varbind TLVs, beyond the
/// variable-length fields counted separately (see [`Agent::envelope_bound`]): tags and lengths
/// of every enclosing TLV at their longest, msgID, msgMaxSize, msgFlags, msgSecurityModel,
/// boots, time, privacy parameters, request-id, error-status, error-index, and 7 octets of DES
/// padding.
pub(super) const ENVELOPE_FIXED: usize = 128;

/// The operation a request PDU asks for, and its bindings.
fn operation(pdu: Pdus) -> (Operation, Vec<VarBind>) {
    match pdu {
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
        Pdus::Get(p) => (Operation::Get, p.varbinds),
        Pdus::GetNext(p) => (Operation::GetNext, p.varbinds),
        Pdus::Set(p) => (Operation::Set, p.varbinds),
        // Refused before the work by `dispatch`.
        Pdus::Response(p) | Pdus::Report(p) | Pdus::Trap(p) | Pdus::Inform(p) => {
            (Operation::Get, p.varbinds)
        }
    }
}

/// A Response due at `until` is held when that is later than `now`.
pub(super) fn held(outcome: Outcome, until: Instant, now: Instant) -> Outcome {
    match outcome {
        Outcome::Response if until > now => Outcome::Held { until },
        other => other,
    }
}

impl Agent {
    /// RFC 3412 §7.2 steps 10-13 and the command responder of RFC 3413 §3.2, with the user's
    /// charge around the work and the response cache for retries.
    pub(super) fn dispatch(
        &mut self,
        request: &Request<'_>,
        incoming: &Incoming<'_>,
        scoped: ScopedPdu,
        plain: Option<Plaintext>,
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Outcome {
        let request_id = scoped.pdu.request_id();
        // Response, Report, Trap and Inform are never answered: this engine sends no requests
        // and receives no notifications. Nothing is spent on them, so nothing is charged.
        if matches!(
            scoped.pdu,
            Pdus::Response(_) | Pdus::Report(_) | Pdus::Trap(_) | Pdus::Inform(_)
        ) {
            self.counters.bump(Counter::SnmpUnknownPduHandlers);
            return Outcome::Dropped(Counter::SnmpUnknownPduHandlers);
        }
        // Only a verified request is charged to its user (an unauthenticated one was charged
        // to its source already), and only its response is remembered: forged traffic can
        // neither drain a user's bucket nor churn the cache.
        let verified = incoming.level >= SecurityLevel::AuthNoPriv;
        let charge = match self.charge(verified, request, incoming, &scoped.pdu, now) {
            Ok(charge) => charge,
            Err(reason) => {
                return self.over_budget(reason, request, incoming, request_id, now, out);
            }
        };
        // When the answer may go: later than now when it is held for the user's units.
        let (until, repetitions) = charge
            .as_ref()
            .map_or((now, u32::MAX), |c| (c.at(), c.repetitions()));
        // A retry (new msgID, same plaintext request) is answered from the response made for
        // the first copy: encoded again for this msgID, the MIB untouched.
        // The decrypted request is taken from the scratch buffer, not copied, and the buffer
        // given back below.
        let first_name = plain.as_ref().and_then(|p| p.first_name.clone());
        let key = match plain {
            _ if !verified => None,
            Some(Plaintext { len, .. }) if len <= self.scratch.len() => {
                let mut plaintext = core::mem::take(&mut self.scratch);
                plaintext.truncate(len);
                Some(plaintext)
            }
            Some(_) => None,
            None => wire::encode(&scoped),
        };
        // Hashed once, for the lookup here and for remembering the response.
        let key = key.map(|bytes| {
            let level = incoming.level.flags();
            let hash = self
                .cache
                .request_key(request.source, incoming.user_name, level, &bytes);
            (bytes, hash)
        });
        if let Some(bytes) = key
            .as_ref()
            .and_then(|(key, hash)| self.cached(request, incoming, key, *hash, now))
        {
            self.budget.count_cache_hit();
            self.settle(charge, 0, now);
            let outcome = self.respond(request, incoming, &bytes, None, now, out);
            self.give_back(key);
            return held(outcome, until, now);
        }
        if let Some(counter) = self.context_refusal(&scoped) {
            self.settle(charge, 0, now);
            return self.refuse(incoming, counter, request_id, now, out);
        }
        let context_name = scoped.context_name;
        let (operation, varbinds) = operation(scoped.pdu);
        let result = self.answer(
            incoming,
            &context_name,
            operation,
            &varbinds,
            repetitions,
            now,
        );
        self.settle(charge, result.varbinds.len(), now);
        // The request's first name, as received, for a reply name that begins with it (the
        // plaintext is the cache key's buffer, where it was decrypted).
        let known = first_name
            .zip(key.as_ref())
            .and_then(|(at, (plaintext, _))| plaintext.get(at))
            .zip(varbinds.first())
            .map(|(octets, vb)| KnownName {
                arcs: &vb.name,
                octets,
            });
        let Some(bytes) = self.encode_response(request_id, context_name, result, known) else {
            self.counters.bump(Counter::SnmpSilentDrops);
            return Outcome::Dropped(Counter::SnmpSilentDrops);
        };
        let remembered = key.as_ref().map(|(bytes, hash)| (bytes.as_slice(), *hash));
        let outcome = self.respond(request, incoming, &bytes, remembered, now, out);
        self.give_back(key);
        held(outcome, until, now)
    }

    /// Returns the request key's buffer as the scratch buffer, so the next request decrypts
    /// into it without allocating.
    fn give_back(&mut self, key: Option<(Vec<u8>, Hashed)>) {
        if let Some((buffer, _)) = key
            && buffer.capacity() > self.scratch.capacity()
        {
            self.scratch = buffer;
        }
    }

    /// The user's charge for a verified request, the worst case of its work; `None` for an
    /// unverified one, charged to its source already.
    fn charge(
        &mut self,
        verified: bool,
        request: &Request<'_>,
        incoming: &Incoming<'_>,
        pdu: &Pdus,
        now: Instant,
    ) -> Result<Option<budget::Charge>, Rejection> {
        if !verified {
            return Ok(None);
        }
        let work = work(pdu);
        self.budget
            .admit_principal(request.source.ip(), incoming.user_name, work, now)
            .map(Some)
    }

    /// The response remembered for an earlier copy of this plaintext request by this user at
    /// this level, if any.
    fn cached(
        &mut self,
        request: &Request<'_>,
        incoming: &Incoming<'_>,
        key: &[u8],
        hash: Hashed,
        now: Instant,
    ) -> Option<Vec<u8>> {
        let level = incoming.level.flags();
        self.cache
            .response(request.source, hash, (incoming.user_name, level, key), now)
            .map(<[u8]>::to_vec)
    }

    /// The counter refusing a request for another engine's context or a named context, if it
    /// is one (RFC 3413 §3.2 step 3).
    fn context_refusal(&self, scoped: &ScopedPdu) -> Option<Counter> {
        // contextEngineID names this engine (an empty one is accepted as "the local engine",
        // as several managers send it); any other engine has no handler here.
        if !scoped.context_engine_id.is_empty() && scoped.context_engine_id != self.engine_id {
            return Some(Counter::SnmpUnknownPduHandlers);
        }
        // Only the default context exists.
        if !scoped.context_name.is_empty() {
            return Some(Counter::SnmpUnknownContexts);
        }
        None
    }

    /// The operation on the MIB, under the caps the user was charged for, or the
    /// authorizationError a user without read access gets.
    fn answer(
        &self,
        incoming: &Incoming<'_>,
        context_name: &OctetString,
        operation: Operation,
        varbinds: &[VarBind],
        repetitions: u32,
        now: Instant,
    ) -> pdu::Answer {
        match incoming.user {
            Some(user) if access::may_read(user, incoming.level) => {
                let room = incoming
                    .max_size
                    .saturating_sub(self.envelope_bound(incoming, context_name));
                // The caps the user was charged for are the caps the work runs under.
                let config = self.budget.config();
                let limits = Limits {
                    varbind_bytes: room,
                    max_repetitions: config.max_repetitions.min(repetitions),
                    max_varbinds: usize::try_from(config.max_response_varbinds)
                        .unwrap_or(usize::MAX),
                };
                let live = self.live_values(now);
                let scope = pdu::Scope {
                    view: self.access.user_view(&user.name),
                    skip_counter64: false,
                };
                pdu::respond_in(self.tree.tree(), &live, scope, operation, varbinds, limits)
            }
            // RFC 3415 §3.2 step 5 via RFC 3413 §3.2 step 4: no data, the request's bindings back.
            _ => pdu::Answer {
                error_status: ErrorStatus::AuthorizationError,
                error_index: 0,
                varbinds: varbinds.to_vec(),
            },
        }
    }

    /// The response ScopedPDU carrying `result`, encoded.
    fn encode_response(
        &self,
        request_id: i32,
        context_name: OctetString,
        result: pdu::Answer,
        known: Option<KnownName<'_>>,
    ) -> Option<Vec<u8>> {
        let pdu = (
            request_id,
            result.error_status as i64,
            i64::from(result.error_index),
        );
        Some(wire::ber::response_knowing(
            &self.engine_id,
            &context_name,
            pdu,
            &result.varbinds,
            known,
        ))
    }

    /// Sends the response ScopedPDU encoded as `bytes` and remembers it for retransmissions: by
    /// the datagram's bytes, and by `key` (the plaintext request) for retries.
    fn respond(
        &mut self,
        request: &Request<'_>,
        incoming: &Incoming<'_>,
        bytes: &[u8],
        key: Option<(&[u8], Hashed)>,
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Outcome {
        self.emit(incoming, incoming.level, bytes, now, out);
        if out.len() > incoming.max_size {
            // The bound in `envelope_bound` is conservative, so this cannot happen unless
            // encoding changed; never send more than the manager can receive.
            out.clear();
        }
        if out.is_empty() {
            self.counters.bump(Counter::SnmpSilentDrops);
            return Outcome::Dropped(Counter::SnmpSilentDrops);
        }
        // Only responses to verified requests are remembered, so forged traffic cannot churn
        // the cache.
        if let Some((key, hash)) = key {
            let level = incoming.level.flags();
            self.cache.remember_response(
                request.source,
                hash,
                (incoming.user_name, level, key),
                bytes,
                now,
            );
        }
        if incoming.level >= SecurityLevel::AuthNoPriv {
            self.cache.remember_reply(
                request.source,
                request.datagram_key,
                request.datagram,
                out,
                now,
            );
        }
        Outcome::Response
    }

    /// Refunds what the response did not use of a user's charge.
    pub(super) fn settle(&mut self, charge: Option<budget::Charge>, varbinds: usize, now: Instant) {
        if let Some(charge) = charge {
            self.budget.settle(charge, varbinds, now);
        }
    }

    /// The configured action for a request the budget refused: count and drop, or, with
    /// `over_budget = report` and a user's refusal, a Report naming the DQI-MIB counter that
    /// counted it (charged to the source's unauthenticated budget like any Report).
    pub(super) fn over_budget(
        &mut self,
        reason: Rejection,
        request: &Request<'_>,
        incoming: &Incoming<'_>,
        request_id: i32,
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Outcome {
        let refused = Outcome::OverBudget {
            reason,
            reported: false,
        };
        if self.budget.config().over_budget != OverBudget::Report
            || reason != Rejection::PerUser
            || !incoming.reportable
            || self
                .budget
                .admit_unauthenticated(request.source.ip(), now)
                .is_err()
        {
            return refused;
        }
        let scalar = Scalar::rejected(reason);
        // Counter32 shows the low 32 bits (RFC 2578 §7.1.6).
        let value = self.budget.counters().rejected(reason) as u32;
        self.report_with(incoming, &scalar.oid(), value, request_id, now, out);
        if out.is_empty() {
            refused
        } else {
            Outcome::OverBudget {
                reason,
                reported: true,
            }
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
    pub(super) fn report(
        &mut self,
        incoming: &Incoming<'_>,
        counter: Counter,
        request_id: i32,
        now: Instant,
        out: &mut Vec<u8>,
    ) {
        let value = self.counters.get(counter);
        self.report_with(incoming, counter.oid(), value, request_id, now, out);
    }

    /// Writes a Report PDU carrying the `Counter32` at `oid` with `value`.
    fn report_with(
        &mut self,
        incoming: &Incoming<'_>,
        oid: &[u32],
        value: u32,
        request_id: i32,
        now: Instant,
        out: &mut Vec<u8>,
    ) {
        let level = if incoming.user.is_some() && incoming.level >= SecurityLevel::AuthNoPriv {
            SecurityLevel::AuthNoPriv
        } else {
            SecurityLevel::NoAuthNoPriv
        };
        let Some(name) = ObjectIdentifier::new(oid.to_vec()) else {
            return;
        };
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
        out.clear();
        if let Some(bytes) = wire::encode(&scoped) {
            self.emit(incoming, level, &bytes, now, out);
        }
    }

    /// Writes the response-class message carrying the ScopedPDU encoded as `scoped`, at `level`
    /// (RFC 3414 §3.1, in [`outgoing`]). Leaves `out` empty if that fails.
    fn emit(
        &mut self,
        incoming: &Incoming<'_>,
        level: SecurityLevel,
        scoped: &[u8],
        now: Instant,
        out: &mut Vec<u8>,
    ) {
        let message = Outgoing {
            engine_id: &self.engine_id,
            boots: self.boots,
            time: self.engine_time(now),
            max_size: self.max_message_size,
            msg_id: incoming.msg_id,
            user_name: incoming.user_name,
            user: incoming.user,
            level,
            reportable: false,
        };
        outgoing::write(&message, scoped, &mut self.salt, out);
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
