//! A minimal BER walk over the raw datagram, for what must not go through a decode/re-encode
//! round trip.
//!
//! The USM digest is computed over the message exactly as received, with
//! `msgAuthenticationParameters` replaced by zeros (RFC 3414 §3.2 step 6, §6.3.2, §7.3.2).
//! BER allows several encodings of one value, so re-encoding a decoded message could change the
//! bytes and break (or forge) the digest. This walker finds the octets of that field in place.
//! It understands only definite lengths (SNMP forbids indefinite ones, RFC 3417 §8) and returns
//! `None` on any mismatch rather than guessing.

use core::ops::Range;

/// The universal tags the walk needs.
const SEQUENCE: u8 = 0x30;
const INTEGER: u8 = 0x02;
const OCTET_STRING: u8 = 0x04;

/// One TLV: its tag, and the range of its contents within the input.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Tlv {
    tag: u8,
    contents: Range<usize>,
}

/// Reads the TLV starting at `at`. Single-octet tags only (every tag SNMP's envelope uses).
fn tlv(input: &[u8], at: usize) -> Option<Tlv> {
    let tag = *input.get(at)?;
    if tag & 0x1f == 0x1f {
        return None; // high tag number form: not part of an SNMP envelope
    }
    let first = *input.get(at.checked_add(1)?)?;
    let (len, header) = if first < 0x80 {
        (usize::from(first), 2usize)
    } else {
        let n = usize::from(first & 0x7f);
        // 0x80 is the indefinite form (forbidden); more than 4 length octets cannot fit a datagram.
        if n == 0 || n > 4 {
            return None;
        }
        let start = at.checked_add(2)?;
        let bytes = input.get(start..start.checked_add(n)?)?;
        let len = bytes.iter().try_fold(0usize, |acc, b| {
            acc.checked_mul(256)?.checked_add(usize::from(*b))
        })?;
        (len, 2 + n)
    };
    let start = at.checked_add(header)?;
    let end = start.checked_add(len)?;
    if end > input.len() {
        return None;
    }
    Some(Tlv {
        tag,
        contents: start..end,
    })
}

/// The SNMP version field of any SNMP message (v1, v2c and v3 share the outer layout:
/// `SEQUENCE { INTEGER version, ... }`, RFC 3412 §6.1). `None` if the datagram does not start
/// that way or the integer does not fit an `i64`.
pub fn version(datagram: &[u8]) -> Option<i64> {
    let outer = tlv(datagram, 0)?;
    if outer.tag != SEQUENCE {
        return None;
    }
    let v = tlv(datagram, outer.contents.start)?;
    if v.tag != INTEGER || v.contents.is_empty() || v.contents.len() > 8 {
        return None;
    }
    let bytes = datagram.get(v.contents)?;
    let negative = bytes.first()? & 0x80 != 0;
    let init: i64 = if negative { -1 } else { 0 };
    Some(bytes.iter().fold(init, |acc, b| (acc << 8) | i64::from(*b)))
}

/// The byte range of the `msgAuthenticationParameters` contents in a v3 message:
/// `SEQUENCE { version, msgGlobalData SEQUENCE, msgSecurityParameters OCTET STRING {
/// SEQUENCE { engineID, boots, time, userName, authParams, privParams } }, msgData }`
/// (RFC 3412 §6, RFC 3414 §2.4).
pub fn auth_params(message: &[u8]) -> Option<Range<usize>> {
    let outer = tlv(message, 0)?;
    if outer.tag != SEQUENCE || outer.contents.end != message.len() {
        return None;
    }
    let version = tlv(message, outer.contents.start)?;
    let global = expect(message, version.contents.end, SEQUENCE)?;
    let sec = expect(message, global.contents.end, OCTET_STRING)?;
    let usm = expect(message, sec.contents.start, SEQUENCE)?;
    if usm.contents.end != sec.contents.end {
        return None;
    }
    let engine = expect(message, usm.contents.start, OCTET_STRING)?;
    let boots = expect(message, engine.contents.end, INTEGER)?;
    let time = expect(message, boots.contents.end, INTEGER)?;
    let user = expect(message, time.contents.end, OCTET_STRING)?;
    let auth = expect(message, user.contents.end, OCTET_STRING)?;
    if auth.contents.end > usm.contents.end {
        return None;
    }
    Some(auth.contents)
}

fn expect(input: &[u8], at: usize, tag: u8) -> Option<Tlv> {
    tlv(input, at).filter(|t| t.tag == tag)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;

    /// A v3 GET at authNoPriv, as net-snmp's snmpget sends it (user "u", 12-octet SHA-1 digest).
    #[rustfmt::skip]
    const MSG: &[u8] = &[
        0x30, 0x4a,                                     // Message
          0x02, 0x01, 0x03,                             //   msgVersion 3
          0x30, 0x0e,                                   //   msgGlobalData
            0x02, 0x02, 0x12, 0x34,                     //     msgID
            0x02, 0x02, 0x05, 0xdc,                     //     msgMaxSize 1500
            0x04, 0x01, 0x05,                           //     msgFlags auth|reportable
            0x02, 0x01, 0x03,                           //     msgSecurityModel USM
          0x04, 0x22,                                   //   msgSecurityParameters
            0x30, 0x20,
              0x04, 0x05, 0x80, 0x00, 0x1f, 0x88, 0x04, //     engineID
              0x02, 0x01, 0x01,                         //     boots
              0x02, 0x01, 0x10,                         //     time
              0x04, 0x01, 0x75,                         //     userName "u"
              0x04, 0x0c, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, // authParams
              0x04, 0x00,                               //     privParams
          0x30, 0x11,                                   //   ScopedPDU
            0x04, 0x00, 0x04, 0x00,
            0xa0, 0x0b, 0x02, 0x01, 0x01, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00, 0x30, 0x00,
    ];

    #[test]
    fn finds_auth_params() {
        let r = auth_params(MSG).unwrap();
        assert_eq!(&MSG[r], &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    }

    #[test]
    fn version_of_v3_and_v2c() {
        assert_eq!(version(MSG), Some(3));
        assert_eq!(version(&[0x30, 0x03, 0x02, 0x01, 0x01]), Some(1));
        assert_eq!(version(&[0x30, 0x03, 0x02, 0x01, 0xff]), Some(-1));
        assert_eq!(version(&[0x30, 0x03, 0x04, 0x01, 0x01]), None);
        assert_eq!(version(&[]), None);
    }

    #[test]
    fn every_truncation_is_rejected_without_panic() {
        for n in 0..MSG.len() {
            assert_eq!(auth_params(&MSG[..n]), None, "prefix of {n} octets");
        }
    }

    #[test]
    fn trailing_bytes_and_indefinite_lengths_are_rejected() {
        let mut longer = MSG.to_vec();
        longer.push(0);
        assert_eq!(auth_params(&longer), None);
        let mut indefinite = MSG.to_vec();
        indefinite[1] = 0x80;
        assert_eq!(auth_params(&indefinite), None);
    }

    #[test]
    fn long_form_lengths() {
        // The same message with the outer length in the two-octet long form.
        let mut long = vec![0x30, 0x81, 0x4a];
        long.extend_from_slice(&MSG[2..]);
        let r = auth_params(&long).unwrap();
        assert_eq!(&long[r], &[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    }

    #[test]
    fn every_single_byte_mutation_is_safe() {
        for i in 0..MSG.len() {
            for b in [0x00, 0x7f, 0x80, 0x81, 0x84, 0xff] {
                let mut m = MSG.to_vec();
                m[i] = b;
                if let Some(r) = auth_params(&m) {
                    assert!(r.end <= m.len());
                }
                let _ = version(&m);
            }
        }
    }
}
