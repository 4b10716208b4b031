//! An incoming SNMPv3 message read in place (RFC 3412 §6, RFC 3414 §2.4): the header fields,
//! the USM security parameters and the scopedPDU's data as slices of the datagram.
//!
//! Every request goes through this step before the USM, so it is on the hot path twice over:
//! `rasn`'s generic decoder copies each OCTET STRING it reads (the whole encrypted scopedPDU
//! among them) a few octets at a time, and decodes msgSecurityParameters a second time from
//! that copy. [`read`] copies nothing: it walks the TLVs once, with [`super::ber`]'s reader,
//! and hands back slices, with the place of msgAuthenticationParameters for the digest check
//! (RFC 3414 §3.2 step 6) found on the way. A plaintext scopedPDU is decoded here as well, as
//! the whole message is (RFC 3412 §7.2 step 2), by [`super::decode_scoped_pdu`]'s reader.
//!
//! [`read`] takes the forms engines send: single-octet tags, definite lengths in their shortest
//! form, minimal INTEGERs, primitive strings, nothing after the last field of a SEQUENCE or
//! after the message. For anything else it returns `None` and the caller decodes the datagram
//! with `rasn` ([`Owned`]), so which datagrams are accepted, and what they mean, is exactly as
//! before; a test checks every truncation and single-octet change of real messages against
//! `rasn`'s reading.
// Network bytes are handled here: no unwrap, no indexing that can panic (tests excepted).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::indexing_slicing))]

use core::ops::Range;

use super::ber::{Reader, Step, Stop, offset_in};
use super::{Message, ScopedPdu, ScopedPduData, UsmParameters, VERSION_3};

/// The universal tags of the envelope (X.680 §8.4).
mod tag {
    pub(super) const OCTET_STRING: u8 = 0x04;
    pub(super) const SEQUENCE: u8 = 0x30;
}

/// msgGlobalData (RFC 3412 §6.2 to §6.5), as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header<'a> {
    /// msgID.
    pub msg_id: i64,
    /// msgMaxSize.
    pub max_size: i64,
    /// msgFlags, as received (RFC 3412 §6.4 wants exactly one octet; the caller checks).
    pub flags: &'a [u8],
    /// msgSecurityModel.
    pub security_model: i64,
}

/// `UsmSecurityParameters` (RFC 3414 §2.4), as read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Usm<'a> {
    /// msgAuthoritativeEngineID.
    pub engine_id: &'a [u8],
    /// msgAuthoritativeEngineBoots, as received (range checked by the USM, RFC 3414 §3.2 step 1).
    pub boots: i64,
    /// msgAuthoritativeEngineTime, as received.
    pub time: i64,
    /// msgUserName.
    pub user_name: &'a [u8],
    /// msgAuthenticationParameters.
    pub auth_params: &'a [u8],
    /// msgPrivacyParameters.
    pub priv_params: &'a [u8],
}

impl<'a> From<&'a UsmParameters> for Usm<'a> {
    fn from(params: &'a UsmParameters) -> Usm<'a> {
        Usm {
            engine_id: &params.engine_id,
            boots: params.boots,
            time: params.time,
            user_name: &params.user_name,
            auth_params: &params.auth_params,
            priv_params: &params.priv_params,
        }
    }
}

/// msgData (RFC 3412 §6.7): the plaintext scopedPDU, decoded, or the encrypted one's octets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Data<'a> {
    /// A plaintext ScopedPDU.
    Plaintext(ScopedPdu),
    /// The encryptedPDU's octets.
    Encrypted(&'a [u8]),
}

impl<'a> From<&'a ScopedPduData> for Data<'a> {
    fn from(data: &'a ScopedPduData) -> Data<'a> {
        match data {
            ScopedPduData::Plaintext(scoped) => Data::Plaintext(scoped.clone()),
            ScopedPduData::Encrypted(octets) => Data::Encrypted(octets),
        }
    }
}

/// An SNMPv3 message (msgVersion 3), its parts as slices of the datagram.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received<'a> {
    /// msgGlobalData.
    pub header: Header<'a>,
    /// msgSecurityParameters, decoded; `None` when they are not one `UsmSecurityParameters`
    /// (only from [`Owned`]: the caller checks the header first, RFC 3412 §7.2 step 3 before
    /// RFC 3414 §3.2 step 1, and counts this as a parse error).
    pub usm: Option<Usm<'a>>,
    /// msgData.
    pub data: Data<'a>,
    /// Where msgAuthenticationParameters' contents sit in the datagram, when known (what
    /// [`super::locate::auth_params`] finds).
    pub auth_range: Option<Range<usize>>,
}

/// Reads `datagram` as an SNMPv3 message, in place; `None` when it is not in the forms this
/// reader takes (see the module docs), for the caller to decode it with `rasn` instead.
pub fn read(datagram: &[u8]) -> Option<Received<'_>> {
    read_message(datagram).ok()
}

fn read_message(datagram: &[u8]) -> Step<Received<'_>> {
    let mut outer = Reader(datagram);
    let mut message = Reader(outer.expect(tag::SEQUENCE)?);
    outer.end()?;
    if message.integer()? != VERSION_3 {
        return Err(Stop::Other);
    }
    let mut global = Reader(message.expect(tag::SEQUENCE)?);
    let header = Header {
        msg_id: global.integer()?,
        max_size: global.integer()?,
        flags: global.expect(tag::OCTET_STRING)?,
        security_model: global.integer()?,
    };
    global.end()?;
    let mut parameters = Reader(message.expect(tag::OCTET_STRING)?);
    let mut fields = Reader(parameters.expect(tag::SEQUENCE)?);
    parameters.end()?;
    let usm = Usm {
        engine_id: fields.expect(tag::OCTET_STRING)?,
        boots: fields.integer()?,
        time: fields.integer()?,
        user_name: fields.expect(tag::OCTET_STRING)?,
        auth_params: fields.expect(tag::OCTET_STRING)?,
        priv_params: fields.expect(tag::OCTET_STRING)?,
    };
    fields.end()?;
    let data = match message.0.first() {
        Some(&tag::SEQUENCE) => {
            // The whole TLV, and nothing after it: the scopedPDU reader wants both.
            let scoped = message.0;
            let (pdu, used) = match super::ber::scoped_pdu(scoped) {
                super::ber::Read::Scoped(pdu, used) => (pdu, used),
                _ => return Err(Stop::Other),
            };
            if used != scoped.len() {
                return Err(Stop::Other);
            }
            message = Reader(&[]);
            Data::Plaintext(pdu)
        }
        _ => Data::Encrypted(message.expect(tag::OCTET_STRING)?),
    };
    message.end()?;
    let auth_range = offset_in(datagram, usm.auth_params);
    Ok(Received {
        header,
        usm: Some(usm),
        data,
        auth_range,
    })
}

/// A message `rasn` decoded, for what [`read`] leaves to it: its [`Received`] view borrows
/// from here.
#[derive(Debug)]
pub struct Owned {
    message: Message,
    usm: Option<UsmParameters>,
}

impl Owned {
    /// Decodes `datagram` with `rasn` (no trailing octets), and its msgSecurityParameters if
    /// they are exactly one `UsmSecurityParameters`; `None` if it is not an SNMPv3Message.
    pub fn decode(datagram: &[u8]) -> Option<Owned> {
        let message: Message = super::decode_exact(datagram)?;
        let usm = super::decode_exact(&message.security_parameters);
        Some(Owned { message, usm })
    }

    /// The message's parts, as [`read`] gives them.
    pub fn received(&self) -> Received<'_> {
        let header = &self.message.header;
        Received {
            header: Header {
                msg_id: header.msg_id,
                max_size: header.max_size,
                flags: &header.flags,
                security_model: header.security_model,
            },
            usm: self.usm.as_ref().map(Usm::from),
            data: Data::from(&self.message.data),
            auth_range: None,
        }
    }
}

#[cfg(test)]
mod tests {
    use alloc::vec;
    use alloc::vec::Vec;

    use rasn::types::ObjectIdentifier;

    use super::*;
    use crate::manager::Manager;
    use crate::manager::testbed;
    use crate::wire::{Pdu, Pdus, VarBind, VarBindValue, locate};

    const ENGINE: &[u8] = b"\x80\x00\x1f\x88\x04reader";

    fn getnext(arcs: &[u32]) -> Pdus {
        Pdus::GetNext(Pdu {
            request_id: 0x1234_5678,
            error_status: 0,
            error_index: 0,
            varbinds: vec![VarBind {
                name: ObjectIdentifier::new(arcs.to_vec()).unwrap(),
                value: VarBindValue::Unspecified,
            }],
        })
    }

    /// Real requests at every level, short and long (a 130-arc name crosses the one-octet
    /// length form of every enclosing TLV).
    fn messages() -> Vec<Vec<u8>> {
        let long: Vec<u32> = [1, 3, 6, 1, 4, 1]
            .into_iter()
            .chain((0..124).map(|i| 97 + i % 26))
            .collect();
        let mut out = Vec::new();
        for arcs in [&[1, 3, 6, 1, 2, 1, 1, 1, 0][..], &long] {
            let mut priv_manager = testbed::manager(b"reader", ENGINE);
            out.push(priv_manager.request(getnext(arcs)));
            let (auth, _) = testbed::keys(ENGINE);
            let mut auth_manager = Manager::new(b"reader", ENGINE, auth, None);
            out.push(auth_manager.request(getnext(arcs)));
            out.push(Manager::discovery().request(getnext(arcs)));
        }
        out
    }

    /// What `read` gives must be what `rasn` gives, whenever `read` gives anything.
    fn agrees(datagram: &[u8]) -> bool {
        let fast = read(datagram);
        let owned = Owned::decode(datagram);
        match (&fast, &owned) {
            (None, _) => true,
            (Some(fast), Some(owned)) => {
                let slow = owned.received();
                fast.header == slow.header
                    && fast.usm == slow.usm
                    && fast.data == slow.data
                    && fast.auth_range == locate::auth_params(datagram)
            }
            (Some(_), None) => false,
        }
    }

    #[test]
    fn reads_what_managers_send_as_rasn_does() {
        for datagram in messages() {
            let fast = read(&datagram).expect("a manager's message takes the fast path");
            assert!(agrees(&datagram));
            let range = fast.auth_range.clone().unwrap();
            assert_eq!(&datagram[range], fast.usm.unwrap().auth_params);
        }
    }

    #[test]
    fn every_truncation_and_octet_change_agrees_with_rasn() {
        let mut fast_taken = 0usize;
        for datagram in messages() {
            for n in 0..datagram.len() {
                assert!(agrees(&datagram[..n]), "prefix of {n} octets");
                assert!(read(&datagram[..n]).is_none());
            }
            let mut longer = datagram.clone();
            longer.push(0);
            assert!(read(&longer).is_none(), "trailing octet");
            for i in 0..datagram.len() {
                for b in [
                    0x00, 0x01, 0x02, 0x04, 0x05, 0x06, 0x30, 0x7f, 0x80, 0x81, 0x82, 0xff,
                ] {
                    let mut changed = datagram.clone();
                    changed[i] = b;
                    assert!(agrees(&changed), "octet {i} set to {b:#04x}");
                    fast_taken += usize::from(read(&changed).is_some());
                }
            }
        }
        // Most changes land in values (digest, ciphertext, arcs) and are still read.
        assert!(fast_taken > 1_000, "{fast_taken}");
    }

    #[test]
    fn forms_left_to_rasn_still_decode() {
        let datagram = messages().remove(1);
        assert!(datagram[1] < 0x80, "a short-form outer length");
        // The outer length in a two-octet form where one would do: valid BER, not the
        // shortest form, so the reader leaves it and rasn reads it.
        let mut long_form = vec![0x30, 0x81];
        long_form.extend_from_slice(&datagram[1..]);
        assert!(read(&long_form).is_none());
        let owned = Owned::decode(&long_form).expect("rasn reads it");
        assert_eq!(owned.received().usm, read(&datagram).unwrap().usm);
    }
}
