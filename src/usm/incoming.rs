//! Processing an incoming message: RFC 3414 §3.2, at an authoritative engine.
//!
//! The steps run in the RFC's order, split where the agent's pipeline puts its request budget
//! between them (see [`crate::agent`]): [`identify`] (steps 1 to 5: parameters, engine ID, user,
//! level) is cheap; the budget then looks before [`verify_digest`] (step 6, the HMAC) so that a
//! flood of wrong digests costs no HMAC; [`check_time_window`] (step 7) and [`decrypt`] (step 8)
//! follow.
//!
//! Each refusal is a [`UsmError`], one variant per `usmStats` counter (RFC 3414 §5), so an error
//! is the Report to send; what is not the USM's to report (unparseable parameters, a plaintext
//! that does not decode) is [`Failure::Malformed`], counted as `snmpInASNParseErrs` and dropped
//! (RFC 3412 §7.2 step 2).

use alloc::vec::Vec;
use core::ops::Range;

use super::{SecurityLevel, User, Users};
use crate::stats::Counter;
use crate::wire::message::{Data, Usm};
use crate::wire::{self, ScopedPdu, locate};

/// The largest value of snmpEngineBoots and snmpEngineTime (RFC 3414 §2.2.1): boots latches
/// there, and time wraps to zero, bumping boots.
pub const ENGINE_MAX: u32 = 2_147_483_647;

/// The USM time window, in seconds (RFC 3414 §2.2.3).
pub const TIME_WINDOW: u32 = 150;

/// Why the USM refused an incoming message: each variant is the `usmStats` counter it
/// increments and reports (RFC 3414 §3.2, §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UsmError {
    /// Step 3: msgAuthoritativeEngineID is not this engine's (discovery sends an empty one).
    UnknownEngineId,
    /// Step 4: no such user.
    UnknownUserName,
    /// Step 5: the user's keys do not support the requested level.
    UnsupportedSecLevel,
    /// Step 6: the digest does not match.
    WrongDigest,
    /// Step 7: outside the time window.
    NotInTimeWindow,
    /// Step 8: the message cannot be decrypted (or should have been encrypted and was not).
    DecryptionError,
}

impl UsmError {
    /// The `usmStats` counter this error increments and reports.
    pub const fn counter(self) -> Counter {
        match self {
            UsmError::UnknownEngineId => Counter::UsmStatsUnknownEngineIds,
            UsmError::UnknownUserName => Counter::UsmStatsUnknownUserNames,
            UsmError::UnsupportedSecLevel => Counter::UsmStatsUnsupportedSecLevels,
            UsmError::WrongDigest => Counter::UsmStatsWrongDigests,
            UsmError::NotInTimeWindow => Counter::UsmStatsNotInTimeWindows,
            UsmError::DecryptionError => Counter::UsmStatsDecryptionErrors,
        }
    }

    /// The security level of the Report: authenticated (never encrypted) for a message outside
    /// the time window, whose digest was good, so the manager can trust the boots and time in it
    /// (step 7b); unauthenticated for everything else.
    pub const fn report_level(self) -> SecurityLevel {
        match self {
            UsmError::NotInTimeWindow => SecurityLevel::AuthNoPriv,
            _ => SecurityLevel::NoAuthNoPriv,
        }
    }
}

/// Why an incoming message went no further in the USM.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// A USM refusal: counted in `usmStats` and answered with a Report when the sender asked.
    Usm(UsmError),
    /// The security parameters or the decrypted ScopedPDU do not parse: `snmpInASNParseErrs`,
    /// dropped.
    Malformed,
}

impl From<UsmError> for Failure {
    fn from(error: UsmError) -> Failure {
        Failure::Usm(error)
    }
}

/// What steps 1 to 5 established: the user the message claims to come from, and the engine
/// boots and time it carries (not yet checked against the window).
#[derive(Debug, Clone, Copy)]
pub struct Claimed<'u> {
    /// The user named by msgUserName, at a level its keys support.
    pub user: &'u User,
    /// msgAuthoritativeEngineBoots.
    pub boots: u32,
    /// msgAuthoritativeEngineTime.
    pub time: u32,
}

/// Steps 1 to 5: the parameters' ranges, the engine ID (this engine is authoritative), the
/// user, and whether the user's keys support `level`.
pub fn identify<'u>(
    engine_id: &[u8],
    users: &'u Users,
    params: &Usm<'_>,
    level: SecurityLevel,
) -> Result<Claimed<'u>, Failure> {
    // Step 1: boots and time are 0..2^31-1 (RFC 3414 §2.4).
    let (Ok(boots), Ok(time)) = (u32::try_from(params.boots), u32::try_from(params.time)) else {
        return Err(Failure::Malformed);
    };
    if boots > ENGINE_MAX || time > ENGINE_MAX {
        return Err(Failure::Malformed);
    }
    if params.engine_id != engine_id {
        return Err(UsmError::UnknownEngineId.into());
    }
    let user = users
        .get(params.user_name)
        .ok_or(UsmError::UnknownUserName)?;
    if level > user.max_level() {
        return Err(UsmError::UnsupportedSecLevel.into());
    }
    Ok(Claimed { user, boots, time })
}

/// Step 6: the digest over `datagram` as received, its msgAuthenticationParameters zeroed in
/// place (never a re-encoding: BER allows several encodings of one value). `scratch` is reused
/// so the hot path does not allocate.
pub fn verify_digest(
    user: &User,
    datagram: &[u8],
    received: &[u8],
    scratch: &mut Vec<u8>,
) -> Result<(), Failure> {
    let range = locate::auth_params(datagram).ok_or(Failure::Malformed)?;
    verify_digest_at(user, datagram, range, received, scratch)
}

/// [`verify_digest`] with msgAuthenticationParameters' place in `datagram` already known (from
/// [`crate::wire::message::read`]).
pub fn verify_digest_at(
    user: &User,
    datagram: &[u8],
    range: Range<usize>,
    received: &[u8],
    scratch: &mut Vec<u8>,
) -> Result<(), Failure> {
    scratch.clear();
    scratch.extend_from_slice(datagram);
    scratch.get_mut(range).ok_or(Failure::Malformed)?.fill(0);
    if user.auth.verify(scratch, received) {
        Ok(())
    } else {
        Err(UsmError::WrongDigest.into())
    }
}

/// Step 7, for an authoritative receiver: the message's boots must equal ours (and ours must
/// not have latched at [`ENGINE_MAX`]), its time within [`TIME_WINDOW`] of ours.
pub fn check_time_window(
    claimed: &Claimed<'_>,
    local_boots: u32,
    local_time: u32,
) -> Result<(), UsmError> {
    if local_boots == ENGINE_MAX
        || claimed.boots != local_boots
        || claimed.time.abs_diff(local_time) > TIME_WINDOW
    {
        return Err(UsmError::NotInTimeWindow);
    }
    Ok(())
}

/// Where an encrypted ScopedPDU's plaintext sits in the scratch buffer [`decrypt`] wrote it to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plaintext {
    /// The length of its encoding at the start of the buffer (without DES padding: what a
    /// retry repeats exactly).
    pub len: usize,
    /// Where its first binding's name's contents sit, when the hot path's reader read it
    /// ([`crate::wire::ber::KnownName`]).
    pub first_name: Option<Range<usize>>,
}

/// Step 8: the ScopedPDU, as sent below authPriv, decrypted into `scratch` at authPriv. Returns
/// it with, for an encrypted one, where its plaintext is in `scratch`.
pub fn decrypt(
    claimed: &Claimed<'_>,
    level: SecurityLevel,
    data: Data<'_>,
    priv_params: &[u8],
    scratch: &mut Vec<u8>,
) -> Result<(ScopedPdu, Option<Plaintext>), Failure> {
    match (data, level, &claimed.user.privacy) {
        (Data::Plaintext(s), SecurityLevel::NoAuthNoPriv | SecurityLevel::AuthNoPriv, _) => {
            Ok((s, None))
        }
        (Data::Encrypted(cipher), SecurityLevel::AuthPriv, Some(key)) => {
            scratch.clear();
            key.decrypt(claimed.boots, claimed.time, priv_params, cipher, scratch)
                .map_err(|_| UsmError::DecryptionError)?;
            // A wrong privacy key decrypts to noise: RFC 3412 §7.2 step 2 counts that as a
            // parse error and drops it.
            let (scoped, len, first_name) =
                wire::decode_scoped_pdu_named(scratch).ok_or(Failure::Malformed)?;
            Ok((scoped, Some(Plaintext { len, first_name })))
        }
        (Data::Plaintext(_), SecurityLevel::AuthPriv, _) => Err(UsmError::DecryptionError.into()),
        _ => Err(Failure::Malformed),
    }
}
