//! The SNMPv3 message on the wire (RFC 3412 §6, RFC 3414 §2.4, RFC 3416 §3).
//!
//! Decoding and encoding go through `rasn`'s BER codec with the types below. They mirror
//! `rasn-snmp`'s v3 types with two deliberate differences: integers that arrive from the wire are
//! `i64` (so out-of-range values are seen and handled, not coerced), and GetBulk's
//! `non-repeaters`/`max-repetitions` are signed, because `rasn-snmp`'s `u32` fields make a
//! negative value from a manager a decode failure where RFC 3416 §4.2.3 wants it treated as 0.
//! Variable bindings reuse `rasn-snmp`'s [`VarBind`].
//!
//! [`locate`] finds `msgAuthenticationParameters` in the raw bytes, for digest checks;
//! [`message`] reads an incoming message in place, without `rasn`, for the forms engines send.
// Network bytes are handled here: no unwrap, no indexing that can panic (tests excepted).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::indexing_slicing))]

pub mod ber;
pub mod locate;
pub mod message;

use alloc::vec::Vec;

use rasn::prelude::*;
pub use rasn_snmp::v2::{VarBind, VarBindValue};

/// `msgVersion` of SNMPv3 (RFC 3412 §6.1).
pub const VERSION_3: i64 = 3;
/// `msgSecurityModel` of the USM (RFC 3411 §5, SnmpSecurityModel 3).
pub const SECURITY_MODEL_USM: i64 = 3;
/// The smallest msgMaxSize any SNMP engine must accept (RFC 3412 §6.3).
pub const MIN_MAX_SIZE: i64 = 484;

/// msgFlags bits (RFC 3412 §6.4).
pub mod flags {
    /// authFlag.
    pub const AUTH: u8 = 0x01;
    /// privFlag.
    pub const PRIV: u8 = 0x02;
    /// reportableFlag.
    pub const REPORTABLE: u8 = 0x04;
}

/// `version` of an SNMPv1 message (RFC 1157 §4).
pub const VERSION_1: i64 = 0;
/// `version` of an SNMPv2c message (RFC 1901 §3).
pub const VERSION_2C: i64 = 1;

/// The SNMPv1 and SNMPv2c `Message` (RFC 1157 §4, RFC 1901 §3): the version, the community
/// string, and the PDU in the clear. SNMPv1's PDUs are a subset of SNMPv2's with the same
/// tags, but for its Trap-PDU, which an agent never receives and so does not decode.
#[derive(AsnType, Debug, Clone, PartialEq, Eq, Decode, Encode)]
pub struct CommunityMessage {
    /// `version`: [`VERSION_1`] or [`VERSION_2C`].
    pub version: i64,
    /// `community`.
    pub community: OctetString,
    /// `data`.
    pub pdu: Pdus,
}

/// `SNMPv3Message` (RFC 3412 §6).
#[derive(AsnType, Debug, Clone, PartialEq, Eq, Decode, Encode)]
pub struct Message {
    /// msgVersion.
    pub version: i64,
    /// msgGlobalData.
    pub header: Header,
    /// msgSecurityParameters: the BER encoding of [`UsmParameters`].
    pub security_parameters: OctetString,
    /// msgData.
    pub data: ScopedPduData,
}

/// `HeaderData` (RFC 3412 §6.2 to §6.5).
#[derive(AsnType, Debug, Clone, PartialEq, Eq, Decode, Encode)]
pub struct Header {
    /// msgID, echoed in the response.
    pub msg_id: i64,
    /// msgMaxSize: the largest message the sender can receive.
    pub max_size: i64,
    /// msgFlags: exactly one octet.
    pub flags: OctetString,
    /// msgSecurityModel.
    pub security_model: i64,
}

/// `ScopedPduData` (RFC 3412 §6.7).
#[derive(AsnType, Debug, Clone, PartialEq, Eq, Decode, Encode)]
#[rasn(choice)]
pub enum ScopedPduData {
    /// A plaintext ScopedPDU.
    Plaintext(ScopedPdu),
    /// An encrypted ScopedPDU.
    Encrypted(OctetString),
}

/// `ScopedPDU` (RFC 3412 §6.8).
#[derive(AsnType, Debug, Clone, PartialEq, Eq, Decode, Encode)]
pub struct ScopedPdu {
    /// contextEngineID.
    pub context_engine_id: OctetString,
    /// contextName.
    pub context_name: OctetString,
    /// The PDU.
    pub pdu: Pdus,
}

/// `UsmSecurityParameters` (RFC 3414 §2.4).
#[derive(AsnType, Debug, Clone, PartialEq, Eq, Decode, Encode)]
pub struct UsmParameters {
    /// msgAuthoritativeEngineID.
    pub engine_id: OctetString,
    /// msgAuthoritativeEngineBoots.
    pub boots: i64,
    /// msgAuthoritativeEngineTime.
    pub time: i64,
    /// msgUserName.
    pub user_name: OctetString,
    /// msgAuthenticationParameters.
    pub auth_params: OctetString,
    /// msgPrivacyParameters.
    pub priv_params: OctetString,
}

/// The PDUs of RFC 3416 §3, by context tag.
#[derive(AsnType, Debug, Clone, PartialEq, Eq, Decode, Encode)]
#[rasn(choice)]
#[allow(missing_docs)] // the variants are RFC 3416's PDU names
pub enum Pdus {
    #[rasn(tag(context, 0))]
    Get(Pdu),
    #[rasn(tag(context, 1))]
    GetNext(Pdu),
    #[rasn(tag(context, 2))]
    Response(Pdu),
    #[rasn(tag(context, 3))]
    Set(Pdu),
    #[rasn(tag(context, 5))]
    GetBulk(BulkPdu),
    #[rasn(tag(context, 6))]
    Inform(Pdu),
    #[rasn(tag(context, 7))]
    Trap(Pdu),
    #[rasn(tag(context, 8))]
    Report(Pdu),
}

/// `PDU` (RFC 3416 §3).
#[derive(AsnType, Debug, Clone, PartialEq, Eq, Decode, Encode)]
pub struct Pdu {
    /// request-id.
    pub request_id: i32,
    /// error-status.
    pub error_status: i64,
    /// error-index.
    pub error_index: i64,
    /// variable-bindings.
    pub varbinds: Vec<VarBind>,
}

/// `BulkPDU` (RFC 3416 §3), with the repetition fields signed as they are on the wire.
#[derive(AsnType, Debug, Clone, PartialEq, Eq, Decode, Encode)]
pub struct BulkPdu {
    /// request-id.
    pub request_id: i32,
    /// non-repeaters.
    pub non_repeaters: i64,
    /// max-repetitions.
    pub max_repetitions: i64,
    /// variable-bindings.
    pub varbinds: Vec<VarBind>,
}

impl Pdus {
    /// The request-id of any PDU.
    pub fn request_id(&self) -> i32 {
        match self {
            Pdus::GetBulk(b) => b.request_id,
            Pdus::Get(p)
            | Pdus::GetNext(p)
            | Pdus::Response(p)
            | Pdus::Set(p)
            | Pdus::Inform(p)
            | Pdus::Trap(p)
            | Pdus::Report(p) => p.request_id,
        }
    }
}

/// Decodes a whole value from `input`, rejecting trailing octets.
pub fn decode_exact<T: Decode>(input: &[u8]) -> Option<T> {
    match rasn::ber::decode_with_remainder::<T>(input) {
        Ok((value, [])) => Some(value),
        _ => None,
    }
}

/// Decodes a value from the start of `input`, ignoring trailing octets (a decrypted DES
/// ScopedPDU carries up to 7 octets of padding, RFC 3414 §8.1.1.2).
pub fn decode_prefix<T: Decode>(input: &[u8]) -> Option<T> {
    rasn::ber::decode_with_remainder::<T>(input)
        .ok()
        .map(|(value, _)| value)
}

/// Decodes a ScopedPDU from the start of `input` (a decrypted one may be followed by padding);
/// the octets it took. The forms managers send are read by [`ber::scoped_pdu`], which also
/// refuses a malformed OBJECT IDENTIFIER; any other form goes to the general decoder.
pub fn decode_scoped_pdu(input: &[u8]) -> Option<(ScopedPdu, usize)> {
    decode_scoped_pdu_named(input).map(|(scoped, used, _)| (scoped, used))
}

/// [`decode_scoped_pdu`], with where the first binding's name's contents sit in `input` when
/// [`ber::scoped_pdu_named`] read it (see [`ber::KnownName`]).
pub fn decode_scoped_pdu_named(
    input: &[u8],
) -> Option<(ScopedPdu, usize, Option<core::ops::Range<usize>>)> {
    match ber::scoped_pdu_named(input) {
        (ber::Read::Scoped(scoped, used), first_name) => Some((scoped, used, first_name)),
        (ber::Read::Malformed, _) => None,
        (ber::Read::Other, _) => rasn::ber::decode_with_remainder::<ScopedPdu>(input)
            .ok()
            .and_then(|(scoped, rest)| Some((scoped, input.len().checked_sub(rest.len())?, None))),
    }
}

/// Encodes `value` to BER; `None` only if the codec refuses the value.
pub fn encode<T: Encode>(value: &T) -> Option<Vec<u8>> {
    rasn::ber::encode(value).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use rasn::types::ObjectIdentifier;

    fn oid(arcs: &[u32]) -> ObjectIdentifier {
        ObjectIdentifier::new(arcs.to_vec()).unwrap()
    }

    #[test]
    fn get_bulk_with_negative_repetitions_decodes() {
        // [5] { request-id 7, non-repeaters -1, max-repetitions -5, { { 1.3.6, NULL } } }
        #[rustfmt::skip]
        let bytes = [
            0xa5, 0x12,
              0x02, 0x01, 0x07,
              0x02, 0x01, 0xff,
              0x02, 0x01, 0xfb,
              0x30, 0x07, 0x30, 0x05, 0x06, 0x01, 0x2b, 0x05, 0x00,
        ];
        // The OID 1.3 alone is "2b"; make it 1.3 as the only arc pair.
        let pdus: Pdus = decode_exact(&bytes).unwrap();
        let Pdus::GetBulk(b) = pdus else {
            panic!("not a GetBulk")
        };
        assert_eq!(
            (b.request_id, b.non_repeaters, b.max_repetitions),
            (7, -1, -5)
        );
        assert_eq!(b.varbinds.len(), 1);
        assert_eq!(b.varbinds[0].value, VarBindValue::Unspecified);
    }

    #[test]
    fn pdu_tags_match_rfc_3416() {
        let pdu = Pdu {
            request_id: 1,
            error_status: 0,
            error_index: 0,
            varbinds: vec![],
        };
        let cases = [
            (Pdus::Get(pdu.clone()), 0xa0),
            (Pdus::GetNext(pdu.clone()), 0xa1),
            (Pdus::Response(pdu.clone()), 0xa2),
            (Pdus::Set(pdu.clone()), 0xa3),
            (Pdus::Inform(pdu.clone()), 0xa6),
            (Pdus::Trap(pdu.clone()), 0xa7),
            (Pdus::Report(pdu.clone()), 0xa8),
        ];
        for (p, tag) in cases {
            let bytes = encode(&p).unwrap();
            assert_eq!(bytes[0], tag, "{p:?}");
            assert_eq!(decode_exact::<Pdus>(&bytes), Some(p));
        }
    }

    #[test]
    fn message_round_trip_and_exact_decoding() {
        let usm = UsmParameters {
            engine_id: OctetString::from_static(b"\x80\x00\x1f\x88\x04dqi"),
            boots: 1,
            time: 2,
            user_name: OctetString::from_static(b"nms"),
            auth_params: OctetString::from(vec![0u8; 12]),
            priv_params: OctetString::from_static(b""),
        };
        let msg = Message {
            version: VERSION_3,
            header: Header {
                msg_id: 42,
                max_size: 1500,
                flags: OctetString::from(vec![flags::AUTH | flags::REPORTABLE]),
                security_model: SECURITY_MODEL_USM,
            },
            security_parameters: encode(&usm).unwrap().into(),
            data: ScopedPduData::Plaintext(ScopedPdu {
                context_engine_id: usm.engine_id.clone(),
                context_name: OctetString::from_static(b""),
                pdu: Pdus::Get(Pdu {
                    request_id: -3,
                    error_status: 0,
                    error_index: 0,
                    varbinds: vec![VarBind {
                        name: oid(&[1, 3, 6, 1, 2, 1, 1, 1, 0]),
                        value: VarBindValue::Unspecified,
                    }],
                }),
            }),
        };
        let bytes = encode(&msg).unwrap();
        assert_eq!(decode_exact::<Message>(&bytes), Some(msg.clone()));
        let range = locate::auth_params(&bytes).unwrap();
        assert_eq!(&bytes[range], &[0u8; 12]);
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert_eq!(decode_exact::<Message>(&trailing), None);
        assert_eq!(decode_prefix::<Message>(&trailing), Some(msg));
    }
}
