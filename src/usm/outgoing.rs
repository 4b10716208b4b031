//! Generating an outgoing message: RFC 3414 §3.1, for the Responses and Reports of an
//! authoritative engine, and for the notifications of [`crate::notify`] (a Trap with this
//! engine authoritative, an Inform with its receiver authoritative).
//!
//! [`write()`] takes the ScopedPDU already encoded, encrypts it at authPriv (§3.1 step 4), fills
//! in the security parameters with this engine's ID, boots and time (step 5), then signs the
//! whole message at authNoPriv and above, the digest written over its zeroed placeholder
//! (step 6). The ScopedPDU is never decoded again: a cached response is sent from its bytes.

use alloc::vec::Vec;
use core::ops::Range;

use super::{SecurityLevel, User};
use crate::wire;
use crate::wire::ber::{self, MessageHead};

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
    let privacy = match message.level {
        SecurityLevel::AuthPriv => Some(user?.privacy.as_ref()?),
        _ => None,
    };
    let digest_len = user.map_or(0, |u| u.auth.protocol().digest_len());
    // msgData's length is known before encrypting (the cipher fixes it), so the message is
    // written once, front to back, with the digest and the salt as zeroed placeholders.
    let data = privacy.map_or(scoped.len(), |key| key.ciphertext_len(scoped.len()));
    let reportable = if message.reportable {
        wire::flags::REPORTABLE
    } else {
        0
    };
    let head = MessageHead {
        msg_id: message.msg_id,
        max_size: i64::try_from(message.max_size).unwrap_or(i64::MAX),
        flags: message.level.flags() | reportable,
        security_model: wire::SECURITY_MODEL_USM,
        engine_id: message.engine_id,
        boots: i64::from(message.boots),
        time: i64::from(message.time),
        user_name: message.user_name,
        auth_len: digest_len,
        priv_len: if privacy.is_some() {
            PRIV_PARAMS_LEN
        } else {
            0
        },
    };
    // Step 5: the security parameters, written with the header.
    let places = ber::message_head(out, &head, data, privacy.is_some());
    match privacy {
        // Step 4: the ScopedPDU encrypted in place as msgData, its salt in msgPrivacyParameters.
        Some(key) => {
            let start = out.len();
            let params = key.encrypt(message.boots, message.time, *salt, scoped, out);
            *salt = salt.wrapping_add(1);
            fill(out, places.privacy, &params)?;
            (out.len() - start == data).then_some(())?;
        }
        None => out.extend_from_slice(scoped),
    }
    // Step 6: sign the whole message, then write the digest over the placeholder.
    if let Some(user) = user {
        let mut digest = [0u8; 64];
        let digest = digest.get_mut(..digest_len)?;
        user.auth.sign(out, digest);
        fill(out, places.auth, digest)?;
    }
    Some(())
}

/// msgPrivacyParameters' octets for every privacy protocol (RFC 3414 §8.1.1.1, RFC 3826 §3.1.2.1).
const PRIV_PARAMS_LEN: usize = 8;

/// Writes `value` over the placeholder at `range` of `out`; `None` if their lengths differ.
fn fill(out: &mut [u8], range: Range<usize>, value: &[u8]) -> Option<()> {
    let place = out.get_mut(range)?;
    (place.len() == value.len()).then(|| place.copy_from_slice(value))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::usm::auth::{AuthKey, AuthProtocol};
    use crate::usm::privacy::{PrivKey, PrivProtocol};
    use crate::wire::{Header, Message, Pdu, Pdus, ScopedPdu, ScopedPduData, UsmParameters};
    use alloc::vec;
    use rasn::types::OctetString;

    /// The whole message as `rasn` encodes it from the same parts, signed as this module signed
    /// it before it wrote the message itself: the reference the writer must match byte for byte.
    fn through_rasn(message: &Outgoing<'_>, scoped: &[u8], salt: u64) -> Vec<u8> {
        let user = message
            .user
            .filter(|_| message.level != SecurityLevel::NoAuthNoPriv);
        let mut priv_params = OctetString::default();
        let data = if message.level == SecurityLevel::AuthPriv {
            let key = user.unwrap().privacy.as_ref().unwrap();
            let mut cipher = Vec::new();
            let params = key.encrypt(message.boots, message.time, salt, scoped, &mut cipher);
            priv_params = OctetString::from(params.to_vec());
            ScopedPduData::Encrypted(OctetString::from(cipher))
        } else {
            ScopedPduData::Plaintext(wire::decode_exact(scoped).unwrap())
        };
        let digest_len = user.map_or(0, |u| u.auth.protocol().digest_len());
        let params = UsmParameters {
            engine_id: OctetString::from(message.engine_id.to_vec()),
            boots: i64::from(message.boots),
            time: i64::from(message.time),
            user_name: OctetString::from(message.user_name.to_vec()),
            auth_params: OctetString::from(vec![0u8; digest_len]),
            priv_params,
        };
        let reportable = if message.reportable {
            wire::flags::REPORTABLE
        } else {
            0
        };
        let header = Header {
            msg_id: message.msg_id,
            max_size: i64::try_from(message.max_size).unwrap(),
            flags: OctetString::from(vec![message.level.flags() | reportable]),
            security_model: wire::SECURITY_MODEL_USM,
        };
        let mut out = wire::encode(&Message {
            version: wire::VERSION_3,
            header,
            security_parameters: OctetString::from(wire::encode(&params).unwrap()),
            data,
        })
        .unwrap();
        if let Some(user) = user {
            let range = wire::locate::auth_params(&out).unwrap();
            let mut digest = vec![0u8; digest_len];
            user.auth.sign(&out, &mut digest);
            out[range].copy_from_slice(&digest);
        }
        out
    }

    /// A Report ScopedPDU of exactly `len` octets (at least 30), sized by its context name.
    fn scoped_pdu(len: usize) -> Vec<u8> {
        let with_name = |name: usize| {
            wire::encode(&ScopedPdu {
                context_engine_id: OctetString::from_static(b"\x80\x00\x1f\x88\x04dqi"),
                context_name: OctetString::from(vec![b'c'; name]),
                pdu: Pdus::Report(Pdu {
                    request_id: 9,
                    error_status: 0,
                    error_index: 0,
                    varbinds: vec![],
                }),
            })
            .unwrap()
        };
        // The name's and the outer lengths' octets grow with it: take the first that fits.
        (len.saturating_sub(40)..len)
            .map(with_name)
            .find(|s| s.len() == len)
            .unwrap()
    }

    fn user(auth: AuthProtocol, privacy: Option<PrivProtocol>, engine_id: &[u8]) -> User {
        User {
            name: b"u".to_vec(),
            auth: AuthKey::from_password(auth, b"authpassphrase", engine_id),
            privacy: privacy.map(|p| PrivKey::from_password(p, auth, b"privpassphrase", engine_id)),
            min_level: SecurityLevel::AuthNoPriv,
        }
    }

    /// Every level, digest and cipher, with lengths on both sides of each BER length-form
    /// boundary (127/128, 255/256 octets) in each field, writes what `rasn` writes.
    #[test]
    fn writes_what_rasn_writes() {
        let keys = [
            (AuthProtocol::Md5, Some(PrivProtocol::Des)),
            (AuthProtocol::Sha1, Some(PrivProtocol::Aes128)),
            (AuthProtocol::Sha256, Some(PrivProtocol::Aes192)),
            (AuthProtocol::Sha512, Some(PrivProtocol::Aes256C)),
            (AuthProtocol::Sha224, None),
        ];
        let levels = [
            SecurityLevel::NoAuthNoPriv,
            SecurityLevel::AuthNoPriv,
            SecurityLevel::AuthPriv,
        ];
        let engine_ids: [&[u8]; 2] = [&[0x80, 0, 0x1f, 0x88, 4, 1], &[0x80; 32]];
        let names = [0usize, 1, 32, 200];
        let scoped_lens = [30usize, 100, 113, 127, 128, 250, 255, 256, 1000, 70_000];
        let numbers = [(0i64, 0u32), (127, 128), (0x7fff_ffff, u32::MAX), (-1, 255)];
        let mut cases = 0;
        for &(auth, privacy) in &keys {
            for engine_id in engine_ids {
                let u = user(auth, privacy, engine_id);
                for level in levels {
                    if level == SecurityLevel::AuthPriv && privacy.is_none() {
                        continue;
                    }
                    for (i, &name_len) in names.iter().enumerate() {
                        let name = vec![b'n'; name_len];
                        for (j, &len) in scoped_lens.iter().enumerate() {
                            let scoped = scoped_pdu(len);
                            let (msg_id, n) = numbers[(i + j) % numbers.len()];
                            let message = Outgoing {
                                engine_id,
                                boots: n,
                                time: n.wrapping_mul(3),
                                max_size: [484, 65_507, 2_147_483_647][j % 3],
                                msg_id,
                                user_name: &name,
                                user: Some(&u),
                                level,
                                reportable: (i + j) % 2 == 0,
                            };
                            let mut salt = 41 + j as u64;
                            let mut out = vec![0xee; 3];
                            write(&message, &scoped, &mut salt, &mut out);
                            assert_eq!(
                                out,
                                through_rasn(&message, &scoped, 41 + j as u64),
                                "{auth:?} {privacy:?} {level:?} name {name_len} scoped {len}"
                            );
                            let encrypted = level == SecurityLevel::AuthPriv;
                            assert_eq!(salt, 41 + j as u64 + u64::from(encrypted));
                            cases += 1;
                        }
                    }
                }
            }
        }
        assert!(cases > 1000, "{cases}");
    }

    /// A level the user's keys cannot reach writes nothing.
    #[test]
    fn a_missing_key_writes_nothing() {
        let engine_id = [0x80, 0, 0x1f, 0x88, 4, 1];
        let u = user(AuthProtocol::Sha1, None, &engine_id);
        let message = Outgoing {
            engine_id: &engine_id,
            boots: 1,
            time: 2,
            max_size: 65_507,
            msg_id: 3,
            user_name: b"u",
            user: Some(&u),
            level: SecurityLevel::AuthPriv,
            reportable: false,
        };
        let mut out = vec![1, 2, 3];
        write(&message, b"scoped", &mut 0, &mut out);
        assert!(out.is_empty());
        let anonymous = Outgoing {
            user: None,
            level: SecurityLevel::AuthNoPriv,
            ..message
        };
        write(&anonymous, b"scoped", &mut 0, &mut out);
        assert!(out.is_empty());
    }
}
