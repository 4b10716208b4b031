//! Generating an outgoing message: RFC 3414 §3.1, for the Responses and Reports of an
//! authoritative engine, and for the notifications of [`crate::notify`] (a Trap with this
//! engine authoritative, an Inform with its receiver authoritative).
//!
//! [`write()`] takes the ScopedPDU already encoded, encrypts it at authPriv (§3.1 step 4), fills
//! in the security parameters with this engine's ID, boots and time (step 5), then signs the
//! whole message at authNoPriv and above, the digest written over its zeroed placeholder
//! (step 6). The ScopedPDU is never decoded again: a cached response is sent from its bytes.

use alloc::vec::Vec;

use rasn::types::OctetString;

use super::{SecurityLevel, User};
use crate::wire::{self, Header, UsmParameters, locate};

/// Everything about an outgoing message but its ScopedPDU.
#[derive(Debug, Clone, Copy)]
pub struct Outgoing<'a> {
    /// msgAuthoritativeEngineID: this engine's.
    pub engine_id: &'a [u8],
    /// msgAuthoritativeEngineBoots.
    pub boots: u32,
    /// msgAuthoritativeEngineTime.
    pub time: u32,
    /// msgMaxSize: the largest message this engine accepts.
    pub max_size: usize,
    /// msgID, the request's.
    pub msg_id: i64,
    /// msgUserName, the request's.
    pub user_name: &'a [u8],
    /// The user whose keys sign and encrypt; needed above noAuthNoPriv.
    pub user: Option<&'a User>,
    /// The security level of the message.
    pub level: SecurityLevel,
    /// msgFlags' reportableFlag: set for a confirmed-class PDU (an Inform, a discovery probe),
    /// clear for a Response, Report or Trap (RFC 3412 §6.4).
    pub reportable: bool,
}

/// Writes the message carrying the ScopedPDU encoded as `scoped` into `out` (cleared first).
/// `salt` is the engine's privacy salt counter, advanced per encryption so a salt never
/// repeats within a boot. Leaves `out` empty when the level needs a key the user does not
/// have, or a field does not encode.
pub fn write(message: &Outgoing<'_>, scoped: &[u8], salt: &mut u64, out: &mut Vec<u8>) {
    out.clear();
    if write_unsigned(message, scoped, salt, out).is_none() {
        out.clear();
    }
}

fn write_unsigned(
    message: &Outgoing<'_>,
    scoped: &[u8],
    salt: &mut u64,
    out: &mut Vec<u8>,
) -> Option<()> {
    let user = match message.level {
        SecurityLevel::NoAuthNoPriv => None,
        _ => Some(message.user?),
    };
    // Step 4: encrypt the ScopedPDU; msgData becomes an OCTET STRING.
    let mut priv_params = OctetString::default();
    let encrypted;
    let data = if message.level == SecurityLevel::AuthPriv {
        let key = user?.privacy.as_ref()?;
        let mut cipher = Vec::with_capacity(scoped.len() + 8);
        let params = key.encrypt(message.boots, message.time, *salt, scoped, &mut cipher);
        *salt = salt.wrapping_add(1);
        priv_params = OctetString::from(params.to_vec());
        encrypted = wire::encode(&OctetString::from(cipher))?;
        &encrypted
    } else {
        scoped
    };
    // Step 5: the security parameters, the digest a zeroed placeholder of its exact length.
    let digest_len = user.map_or(0, |u| u.auth.protocol().digest_len());
    let params = UsmParameters {
        engine_id: OctetString::from(message.engine_id.to_vec()),
        boots: i64::from(message.boots),
        time: i64::from(message.time),
        user_name: OctetString::from(message.user_name.to_vec()),
        auth_params: OctetString::from(alloc::vec![0u8; digest_len]),
        priv_params,
    };
    let header = Header {
        msg_id: message.msg_id,
        max_size: i64::try_from(message.max_size).unwrap_or(i64::MAX),
        flags: OctetString::from(alloc::vec![
            message.level.flags()
                | if message.reportable {
                    wire::flags::REPORTABLE
                } else {
                    0
                }
        ]),
        security_model: wire::SECURITY_MODEL_USM,
    };
    wire::encode_message(&header, &wire::encode(&params)?, data, out)?;
    // Step 6: sign the whole message, then write the digest over the placeholder.
    if let Some(user) = user {
        let range = locate::auth_params(out).filter(|r| r.len() == digest_len)?;
        let mut digest = [0u8; 64];
        let digest = digest.get_mut(..digest_len)?;
        user.auth.sign(out, digest);
        out.get_mut(range)?.copy_from_slice(digest);
    }
    Some(())
}
