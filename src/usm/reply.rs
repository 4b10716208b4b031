//! Opening a reply at the engine that sent a request: RFC 3414 §3.2 from the non-authoritative
//! side, for a manager's Responses and Reports and for the Responses and Reports to an
//! agent's Informs.
//!
//! The sender already holds the keys the reply must carry (localized to the authoritative
//! engine it asked), so there is no user table here: [`open`] checks the digest when the reply
//! is authenticated, in constant time over the received bytes with the digest zeroed, and
//! decrypts it when it is encrypted. Matching the reply to the request (msgID, request-id) and
//! learning boots and time are the caller's.

use alloc::vec::Vec;

use super::{AuthKey, PrivKey};
use crate::wire::{self, Message, ScopedPdu, ScopedPduData, UsmParameters, flags, locate};

/// Why a reply could not be opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// The message or its security parameters did not decode.
    #[error("reply does not decode")]
    Decode,
    /// The reply is authenticated but its digest does not verify (or no key to check it).
    #[error("reply digest does not verify")]
    Digest,
    /// The reply is encrypted and does not decrypt to a ScopedPDU.
    #[error("reply does not decrypt")]
    Decrypt,
}

/// An opened reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// msgID, echoing the request's.
    pub msg_id: i64,
    /// The reply's msgFlags.
    pub flags: u8,
    /// The authoritative engine's parameters as the reply carries them.
    pub usm: UsmParameters,
    /// The decrypted ScopedPDU.
    pub scoped: ScopedPdu,
}

impl Reply {
    /// Whether the reply's digest was checked (msgFlags authFlag): only then may its boots and
    /// time be believed (RFC 3414 §3.2 step 7b).
    pub fn authenticated(&self) -> bool {
        self.flags & flags::AUTH != 0
    }
}

/// Opens `bytes` with the keys of the request it answers: `auth` checks an authenticated
/// reply's digest, `privacy` decrypts an encrypted one. A reply that claims a level the keys do
/// not cover is refused.
pub fn open(
    bytes: &[u8],
    auth: Option<&AuthKey>,
    privacy: Option<&PrivKey>,
) -> Result<Reply, ReplyError> {
    let msg: Message = wire::decode_exact(bytes).ok_or(ReplyError::Decode)?;
    let flags = *msg.header.flags.first().ok_or(ReplyError::Decode)?;
    let usm: UsmParameters =
        wire::decode_exact(&msg.security_parameters).ok_or(ReplyError::Decode)?;
    if flags & flags::AUTH != 0 {
        let auth = auth.ok_or(ReplyError::Digest)?;
        let range = locate::auth_params(bytes).ok_or(ReplyError::Decode)?;
        let mut zeroed = bytes.to_vec();
        zeroed.get_mut(range).ok_or(ReplyError::Decode)?.fill(0);
        if !auth.verify(&zeroed, &usm.auth_params) {
            return Err(ReplyError::Digest);
        }
    }
    let scoped = match msg.data {
        ScopedPduData::Plaintext(s) => s,
        ScopedPduData::Encrypted(cipher) => {
            // An encrypted reply must also be authenticated (RFC 3412 §6.4).
            if flags & flags::AUTH == 0 {
                return Err(ReplyError::Decrypt);
            }
            let key = privacy.ok_or(ReplyError::Decrypt)?;
            let boots = u32::try_from(usm.boots).map_err(|_| ReplyError::Decode)?;
            let time = u32::try_from(usm.time).map_err(|_| ReplyError::Decode)?;
            let mut plain = Vec::new();
            key.decrypt(boots, time, &usm.priv_params, &cipher, &mut plain)
                .map_err(|_| ReplyError::Decrypt)?;
            wire::decode_prefix(&plain).ok_or(ReplyError::Decrypt)?
        }
    };
    Ok(Reply {
        msg_id: msg.header.msg_id,
        flags,
        usm,
        scoped,
    })
}
