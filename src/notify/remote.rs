//! The receiver of an Inform is the authoritative engine (RFC 3412 §7.1 step 9): this module
//! learns its engine ID, boots and time, and keeps the notify user's keys localized to it.
//!
//! - Discovery (RFC 3414 §4): the first message to an unknown receiver is a probe at
//!   noAuthNoPriv with an empty engine ID and user name; the receiver answers with a
//!   `usmStatsUnknownEngineIDs` Report carrying its engine ID (and, from most engines, its
//!   boots and time). The user's master keys are localized to that engine ID once, here.
//! - Time synchronization (RFC 3414 §3.2 step 7b, §4): an Inform outside the receiver's time
//!   window earns an authenticated `usmStatsNotInTimeWindows` Report with the receiver's boots
//!   and time; only an authenticated Report moves them. Authenticated Responses keep them
//!   current: boots and time advance when larger (step 7b's rule for the non-authoritative
//!   side), and between messages the receiver's time is estimated from `now`.

use alloc::boxed::Box;
use alloc::vec::Vec;

use super::{MasterKeys, Received};
use crate::time::Instant;
use crate::usm::reply::Reply;
use crate::usm::{ENGINE_MAX, User, UsmError};
use crate::wire::Pdu;

/// `usmStats` (RFC 3414 §5): a Report's first binding names one of these counters.
const USM_STATS: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 1];

/// A receiver's engine as this engine knows it.
#[derive(Debug)]
pub struct Remote {
    /// Its snmpEngineID.
    pub engine_id: Vec<u8>,
    /// Its snmpEngineBoots, as last learned.
    pub boots: u32,
    /// Its snmpEngineTime at `learned`.
    pub time: u32,
    /// When `time` was learned, on this engine's clock.
    pub learned: Instant,
    /// The notify user, keys localized to `engine_id`.
    pub(super) user: User,
}

impl Remote {
    /// The receiver's snmpEngineTime estimated at `now`.
    pub fn time_at(&self, now: Instant) -> u32 {
        let elapsed = now.saturating_since(self.learned).as_secs();
        u32::try_from(u64::from(self.time).saturating_add(elapsed))
            .unwrap_or(ENGINE_MAX)
            .min(ENGINE_MAX)
    }

    /// Step 7b for an authenticated message from the receiver: boots and time move forward
    /// only (a replayed old message cannot set them back).
    pub(super) fn observe(&mut self, reply: &Reply, now: Instant) {
        let Some((boots, time)) = boots_and_time(reply) else {
            return;
        };
        if !reply.authenticated() || reply.usm.engine_id.as_ref() != self.engine_id.as_slice() {
            return;
        }
        if boots > self.boots || (boots == self.boots && time > self.time_at(now)) {
            self.boots = boots;
            self.time = time;
            self.learned = now;
        }
    }
}

/// The `usmStats` counter a Report names, if it names one.
pub(super) fn report_error(report: &Pdu) -> Option<UsmError> {
    let name: &[u32] = report.varbinds.first()?.name.as_ref();
    let arc = name.strip_prefix(USM_STATS)?;
    match arc {
        [1, 0] => Some(UsmError::UnsupportedSecLevel),
        [2, 0] => Some(UsmError::NotInTimeWindow),
        [3, 0] => Some(UsmError::UnknownUserName),
        [4, 0] => Some(UsmError::UnknownEngineId),
        [5, 0] => Some(UsmError::WrongDigest),
        [6, 0] => Some(UsmError::DecryptionError),
        _ => None,
    }
}

fn boots_and_time(reply: &Reply) -> Option<(u32, u32)> {
    let boots = u32::try_from(reply.usm.boots).ok()?;
    let time = u32::try_from(reply.usm.time).ok()?;
    (boots <= ENGINE_MAX && time <= ENGINE_MAX).then_some((boots, time))
}

/// A `usmStatsUnknownEngineIDs` Report: the receiver's engine ID, boots and time. A new
/// engine ID gets the keys localized to it; the same one keeps its keys and, since the
/// Report is not authenticated, its boots and time unless none were known.
pub(super) fn discovered(
    remote: &mut Option<Box<Remote>>,
    master: &MasterKeys,
    reply: &Reply,
    now: Instant,
) -> Option<Received> {
    let engine_id = reply.usm.engine_id.as_ref();
    // RFC 3411 SnmpEngineID: 5 to 32 octets.
    if !(5..=32).contains(&engine_id.len()) {
        return None;
    }
    let (boots, time) = boots_and_time(reply)?;
    match remote {
        Some(r) if r.engine_id == engine_id => {
            if r.boots == 0 && r.time == 0 {
                r.boots = boots;
                r.time = time;
                r.learned = now;
            }
        }
        _ => {
            *remote = Some(Box::new(Remote {
                engine_id: engine_id.to_vec(),
                boots,
                time,
                learned: now,
                user: master.localize(engine_id),
            }));
        }
    }
    Some(Received::Discovered)
}

/// An authenticated `usmStatsNotInTimeWindows` Report from the known engine: its boots and
/// time, taken as they are (RFC 3414 §4's second step of discovery).
pub(super) fn synced(
    remote: &mut Option<Box<Remote>>,
    reply: &Reply,
    now: Instant,
) -> Option<Received> {
    let r = remote.as_mut()?;
    if !reply.authenticated() || reply.usm.engine_id.as_ref() != r.engine_id.as_slice() {
        return None;
    }
    let (boots, time) = boots_and_time(reply)?;
    r.boots = boots;
    r.time = time;
    r.learned = now;
    Some(Received::TimeSynced)
}
