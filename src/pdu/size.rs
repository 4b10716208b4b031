//! The wire form of served values and the exact BER size of a variable binding.
//!
//! [`varbind_len`] lets the responder keep a response within the manager's msgMaxSize and the
//! agent's own maximum (RFC 3416 §4.2.1 to §4.2.3, RFC 3412 §7.1) without encoding it first: it
//! computes the length `rasn::ber::encode` produces, TLV by TLV (X.690 §8.1.3, §8.3, §8.19).

use rasn::types::{Integer, IntegerType};
// The v2 names for these (Counter32, Unsigned32, ...) are type aliases of the v1 tuple structs,
// and aliases cannot be used as constructors or patterns.
use rasn_smi::v1::{Counter, Gauge, IpAddress, TimeTicks};
use rasn_smi::v2::{ApplicationSyntax, Counter64, ObjectSyntax, SimpleSyntax};
use rasn_snmp::v2::{VarBind, VarBindValue};

use crate::mib::Value;

/// The wire form of a served value (RFC 3416 §3, `ObjectSyntax`).
pub fn syntax(value: Value) -> ObjectSyntax {
    match value {
        Value::Integer(v) => ObjectSyntax::Simple(SimpleSyntax::Integer(Integer::from(v))),
        Value::OctetString(v) => ObjectSyntax::Simple(SimpleSyntax::String(v)),
        Value::ObjectId(v) => ObjectSyntax::Simple(SimpleSyntax::ObjectId(v)),
        Value::IpAddress(v) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::Address(IpAddress(v.into())))
        }
        Value::Counter32(v) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::Counter(Counter(v)))
        }
        Value::Gauge32(v) => ObjectSyntax::ApplicationWide(ApplicationSyntax::Unsigned(Gauge(v))),
        Value::TimeTicks(v) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::Ticks(TimeTicks(v)))
        }
        Value::Counter64(v) => {
            ObjectSyntax::ApplicationWide(ApplicationSyntax::BigCounter(Counter64(v)))
        }
    }
}

/// The exact number of octets BER gives `varbind` (tag, length and contents of the SEQUENCE),
/// as `rasn::ber::encode` produces it: definite lengths in their shortest form, integers in the
/// fewest two's-complement octets. Saturates instead of overflowing.
pub fn varbind_len(varbind: &VarBind) -> usize {
    let name = tlv_len(oid_content_len(&varbind.name));
    tlv_len(name.saturating_add(varbind_value_len(&varbind.value)))
}

/// Tag (all tags here are below 31, so one octet), length octets, then `content` octets.
pub(super) fn tlv_len(content: usize) -> usize {
    1usize
        .saturating_add(length_octets(content))
        .saturating_add(content)
}

/// X.690 §8.1.3: the short form below 128, else one octet plus the big-endian length.
fn length_octets(len: usize) -> usize {
    if len < 0x80 {
        1
    } else {
        1 + unsigned_octets(len as u64)
    }
}

/// Octets of `v` without leading zero octets (at least one).
fn unsigned_octets(v: u64) -> usize {
    let bits = u64::BITS - v.leading_zeros();
    (bits.div_ceil(8) as usize).max(1)
}

/// Contents of an INTEGER holding the non-negative `v`: two's complement needs a leading zero
/// octet when the top bit is set (0xFFFF_FFFF takes five octets).
fn non_negative_integer_len(v: u64) -> usize {
    let bits = u64::BITS - v.leading_zeros() + 1;
    bits.div_ceil(8) as usize
}

/// Contents of an OBJECT IDENTIFIER (X.690 §8.19): the first two arcs share one
/// sub-identifier, each sub-identifier in base 128. Computed in `u64` so that `2.x` with a
/// large `x` cannot overflow.
fn oid_content_len(arcs: &[u32]) -> usize {
    let base128 = |v: u64| ((u64::BITS - v.leading_zeros()).div_ceil(7) as usize).max(1);
    match arcs {
        [first, second, rest @ ..] => {
            let head = u64::from(*first) * 40 + u64::from(*second);
            // One octet per arc plus one per further 7 bits: branch-free, so a long
            // string-indexed OID costs little more than a short one. A slice of `u32`s cannot
            // hold enough arcs for the sum to overflow.
            let extra = |arc: &u32| {
                usize::from(*arc >= 1 << 7)
                    + usize::from(*arc >= 1 << 14)
                    + usize::from(*arc >= 1 << 21)
                    + usize::from(*arc >= 1 << 28)
            };
            base128(head) + rest.len() + rest.iter().map(extra).sum::<usize>()
        }
        // Not a valid OID; the one octet rasn would write for a lone arc.
        [only] => base128(u64::from(*only)),
        [] => 0,
    }
}

fn varbind_value_len(value: &VarBindValue) -> usize {
    match value {
        VarBindValue::Value(syntax) => tlv_len(syntax_content_len(syntax)),
        // NULL and the three [n] IMPLICIT NULL exceptions: tag and a zero length.
        VarBindValue::Unspecified
        | VarBindValue::NoSuchObject
        | VarBindValue::NoSuchInstance
        | VarBindValue::EndOfMibView => 2,
    }
}

fn syntax_content_len(syntax: &ObjectSyntax) -> usize {
    match syntax {
        ObjectSyntax::Simple(SimpleSyntax::Integer(v)) => v.to_signed_bytes_be().1,
        ObjectSyntax::Simple(SimpleSyntax::String(v)) => v.len(),
        ObjectSyntax::Simple(SimpleSyntax::ObjectId(v)) => oid_content_len(v),
        ObjectSyntax::ApplicationWide(app) => match app {
            ApplicationSyntax::Address(_) => 4,
            ApplicationSyntax::Counter(Counter(v))
            | ApplicationSyntax::Ticks(TimeTicks(v))
            | ApplicationSyntax::Unsigned(Gauge(v)) => non_negative_integer_len(u64::from(*v)),
            ApplicationSyntax::Arbitrary(v) => v.as_ref().len(),
            ApplicationSyntax::BigCounter(Counter64(v)) => non_negative_integer_len(*v),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use rasn::types::ObjectIdentifier;
    use rasn_smi::v2::ToOpaque;

    const SYS_DESCR: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 1, 0];

    fn oid(arcs: &[u32]) -> ObjectIdentifier {
        ObjectIdentifier::new(arcs.to_vec()).expect("valid test OID")
    }

    fn value(v: Value) -> VarBindValue {
        VarBindValue::Value(syntax(v))
    }

    #[test]
    fn syntax_uses_the_smi_tags() {
        // RFC 2578 §7.1 / RFC 3416 §3: universal 2, 4, 6; application 0, 1, 2, 3, 6.
        let cases = [
            (Value::Integer(-3), 0x02),
            (Value::octets("x"), 0x04),
            (Value::oid(&[1, 3, 6]).expect("valid"), 0x06),
            (Value::IpAddress([10, 0, 0, 1]), 0x40),
            (Value::Counter32(1), 0x41),
            (Value::Gauge32(1), 0x42),
            (Value::TimeTicks(1), 0x43),
            (Value::Counter64(1), 0x46),
        ];
        for (v, tag) in cases {
            let bytes = rasn::ber::encode(&syntax(v.clone())).expect("encodes");
            assert_eq!(bytes[0], tag, "{v:?}");
        }
        let ip = rasn::ber::encode(&syntax(Value::IpAddress([10, 0, 0, 1]))).expect("encodes");
        assert_eq!(ip, [0x40, 4, 10, 0, 0, 1]);
    }

    #[test]
    fn varbind_len_matches_rasn_for_every_kind() {
        let long_oid: Vec<u32> = [2, 999]
            .into_iter()
            .chain((0..126).map(|i| u32::MAX - i))
            .collect();
        let mut values: Vec<VarBindValue> = vec![
            VarBindValue::Unspecified,
            VarBindValue::NoSuchObject,
            VarBindValue::NoSuchInstance,
            VarBindValue::EndOfMibView,
        ];
        for v in [
            0,
            1,
            127,
            128,
            255,
            256,
            -1,
            -128,
            -129,
            32_767,
            -32_769,
            i32::MIN,
            i32::MAX,
        ] {
            values.push(value(Value::Integer(v)));
        }
        for v in [
            0,
            0x7f,
            0x80,
            0xff,
            0x7fff,
            0x8000,
            0x7fff_ffff,
            0x8000_0000,
            u32::MAX,
        ] {
            values.push(value(Value::Counter32(v)));
            values.push(value(Value::Gauge32(v)));
            values.push(value(Value::TimeTicks(v)));
        }
        for v in [
            0,
            1,
            0x80,
            u64::from(u32::MAX),
            1 << 55,
            1 << 56,
            (1 << 63) - 1,
            1 << 63,
            u64::MAX,
        ] {
            values.push(value(Value::Counter64(v)));
        }
        for n in [0, 1, 127, 128, 200, 255, 256, 65_535, 65_536, 70_000] {
            values.push(value(Value::octets(vec![b'a'; n])));
        }
        for arcs in [
            &[0, 0][..],
            &[1, 3],
            &[2, 999, 3],
            &[1, 3, 6, 1, 4, 1, 0x7f, 0x80, 0x3fff, 0x4000],
            &long_oid,
        ] {
            values.push(value(Value::oid(arcs).expect("valid")));
        }
        values.push(value(Value::IpAddress([192, 0, 2, 1])));
        // Bindings that only arrive in requests (echoed by Set): wide integers, Opaque.
        values.push(VarBindValue::Value(ObjectSyntax::Simple(
            SimpleSyntax::Integer(Integer::from(i128::MIN)),
        )));
        values.push(VarBindValue::Value(ObjectSyntax::Simple(
            SimpleSyntax::Integer(Integer::from(u64::MAX)),
        )));
        let opaque = 12_345u32.to_opaque().expect("encodes");
        values.push(VarBindValue::Value(ObjectSyntax::ApplicationWide(
            ApplicationSyntax::Arbitrary(opaque),
        )));

        for name in [&[1, 3][..], SYS_DESCR, &long_oid] {
            for v in &values {
                let vb = VarBind {
                    name: oid(name),
                    value: v.clone(),
                };
                let encoded = rasn::ber::encode(&vb).expect("encodes");
                assert_eq!(varbind_len(&vb), encoded.len(), "{:?}", vb.value);
            }
        }
    }
}
