//! The wire form of served values and the exact BER size of a variable binding.
//!
//! [`varbind_len`] lets the responder keep a response within the manager's msgMaxSize and the
//! agent's own maximum (RFC 3416 §4.2.1 to §4.2.3, RFC 3412 §7.1) without encoding it first: it
//! computes the length `rasn::ber::encode` produces, TLV by TLV (X.690 §8.1.3, §8.3, §8.19).

use rasn::types::Integer;
// The v2 names for these (Counter32, Unsigned32, ...) are type aliases of the v1 tuple structs,
// and aliases cannot be used as constructors or patterns.
use rasn_smi::v1::{Counter, Gauge, IpAddress, TimeTicks};
use rasn_smi::v2::{ApplicationSyntax, Counter64, ObjectSyntax, SimpleSyntax};
use rasn_snmp::v2::VarBind;

use crate::mib::Value;
use crate::wire::ber;

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
/// as the response writer ([`crate::wire::ber::response`]) and `rasn::ber::encode` produce it:
/// definite lengths in their shortest form, integers in the fewest two's-complement octets.
/// Saturates instead of overflowing.
pub fn varbind_len(varbind: &VarBind) -> usize {
    ber::varbind_len(varbind)
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use alloc::vec::Vec;
    use rasn::types::ObjectIdentifier;
    use rasn_smi::v2::ToOpaque;
    use rasn_snmp::v2::VarBindValue;

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
