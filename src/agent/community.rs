//! SNMPv1 and SNMPv2c requests from configured communities (RFC 3584 §5.2.1, read-only): the
//! community-based security model's incoming steps, the budget's charge to the community as a
//! principal, the operations in the community's view, and the reply in the same version.
//!
//! Nothing is answered unless a `[[community]]` is configured; without one, v1/v2c datagrams
//! are counted under `snmpInBadVersions` as before. A string no community has is counted under
//! `snmpInBadCommunityNames`, a known one from another source or in a version it is not enabled
//! for under `snmpInBadCommunityUses`; both are dropped (no authenticationFailure trap: the
//! agent sends none) and charged to the source's unauthenticated budget like the USM's
//! refusals, so a guessing flood runs out of it and is then refused before any comparison.
//! An SNMPv1 request gets SNMPv1 semantics ([`crate::pdu::v1`]); a GetBulk in an SNMPv1
//! message is a parse error (RFC 3584 §4.2.1: SNMPv1 has no such PDU).

use alloc::sync::Arc;
use alloc::vec::Vec;
use core::net::SocketAddr;

use super::respond::{ENVELOPE_FIXED, held};
use super::{Agent, Outcome, Reject, work};
use crate::access::{Refusal, community};
use crate::pdu::{self, Limits, Operation, Scope};
use crate::stats::Counter;
use crate::time::Instant;
use crate::wire::{self, BulkPdu, CommunityMessage, Pdu, Pdus};

impl Agent {
    /// Handles an SNMPv1 (`version` 0) or SNMPv2c (1) datagram.
    pub(super) fn community(
        &mut self,
        datagram: &[u8],
        version: i64,
        source: SocketAddr,
        now: Instant,
        out: &mut Vec<u8>,
    ) -> Result<Outcome, Reject> {
        let parse_error = Reject::Drop(Counter::SnmpInAsnParseErrs);
        let msg: CommunityMessage = wire::decode_exact(datagram).ok_or(parse_error)?;
        let ip = source.ip();
        // A source that has spent its unauthenticated outcomes (a guessing flood) is refused
        // before its string is compared.
        self.budget
            .check_unauthenticated(ip, now)
            .map_err(Reject::OverBudget)?;
        let access = Arc::clone(&self.access);
        let admitted = match community::admit(access.communities(), &msg.community, ip, version) {
            Ok(admitted) => admitted,
            Err(refusal) => {
                let counter = match refusal {
                    Refusal::BadName => Counter::SnmpInBadCommunityNames,
                    Refusal::BadUse => Counter::SnmpInBadCommunityUses,
                };
                self.counters.bump(counter);
                self.budget
                    .admit_unauthenticated(ip, now)
                    .map_err(Reject::OverBudget)?;
                return Ok(Outcome::Dropped(counter));
            }
        };
        let v1 = version == wire::VERSION_1;
        let work = work(&msg.pdu);
        let (request_id, operation, varbinds) = match msg.pdu {
            Pdus::Get(p) => (p.request_id, Operation::Get, p.varbinds),
            Pdus::GetNext(p) => (p.request_id, Operation::GetNext, p.varbinds),
            Pdus::Set(p) => (p.request_id, Operation::Set, p.varbinds),
            Pdus::GetBulk(BulkPdu {
                request_id,
                non_repeaters,
                max_repetitions,
                varbinds,
            }) if !v1 => (
                request_id,
                Operation::GetBulk {
                    non_repeaters,
                    max_repetitions,
                },
                varbinds,
            ),
            // SNMPv1 has only Get, GetNext, GetResponse, Set and Trap.
            Pdus::GetBulk(_) | Pdus::Inform(_) | Pdus::Trap(_) | Pdus::Report(_) if v1 => {
                return Err(parse_error);
            }
            _ => return Err(Reject::Drop(Counter::SnmpUnknownPduHandlers)),
        };
        let charge = self
            .budget
            .admit_principal(ip, admitted.principal, work, now)
            .map_err(Reject::OverBudget)?;
        let config = self.budget.config();
        let limits = Limits {
            varbind_bytes: self
                .max_message_size
                .saturating_sub(ENVELOPE_FIXED + msg.community.len()),
            max_repetitions: config.max_repetitions.min(charge.repetitions()),
            max_varbinds: usize::try_from(config.max_response_varbinds).unwrap_or(usize::MAX),
        };
        let until = charge.at();
        let result = if operation == Operation::Set {
            pdu::v1::refuse_write(&varbinds)
        } else {
            let scope = Scope {
                view: admitted.view,
                skip_counter64: v1,
            };
            let live = self.live_values(now);
            pdu::respond_in(self.tree.tree(), &live, scope, operation, &varbinds, limits)
        };
        let result = if v1 {
            pdu::v1::response(result, &varbinds)
        } else {
            result
        };
        self.settle(Some(charge), result.varbinds.len(), now);
        let reply = CommunityMessage {
            version,
            community: msg.community,
            pdu: Pdus::Response(Pdu {
                request_id,
                error_status: i64::from(result.error_status.code()),
                error_index: i64::from(result.error_index),
                varbinds: result.varbinds,
            }),
        };
        match wire::encode(&reply) {
            Some(bytes) if bytes.len() <= self.max_message_size => {
                *out = bytes;
                Ok(held(Outcome::Response, until, now))
            }
            // Only an SNMPv1 error echoing an oversized request can get here.
            _ => Err(Reject::Drop(Counter::SnmpSilentDrops)),
        }
    }
}
