//! The AgentX encodings against RFC 2741's own examples and hand-written byte arrays, and the
//! search-range semantics of the answers.

use alloc::vec;
use alloc::vec::Vec;

use super::*;
use crate::mib::{Entry, Live, Resolve, Tree, Value};

const SYS_DESCR_0: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 1, 0];

fn encoded(pdu: &Pdu, kind: PduType) -> Vec<u8> {
    let mut out = Vec::new();
    encode(&Header::new(kind, 7, 8, 9), pdu, &mut out);
    out
}

fn round_trip(bytes: &[u8]) -> (Header, Pdu) {
    let h = header(bytes).expect("header");
    assert_eq!(bytes.len(), HEADER_LEN + h.payload_length as usize);
    let pdu = decode(&h, &bytes[HEADER_LEN..]).expect("body");
    (h, pdu)
}

#[test]
fn oid_uses_the_internet_prefix_as_in_rfc_2741_section_5_1() {
    // §5.1's example: sysDescr.0 is n_subid 4, prefix 2, include 0, then 1.1.1.0.
    let pdu = Pdu::Register {
        timeout: 0,
        priority: 127,
        subtree: SYS_DESCR_0.to_vec(),
    };
    let bytes = encoded(&pdu, PduType::Register);
    #[rustfmt::skip]
    let body: [u8; 24] = [
        0, 127, 0, 0,       // r.timeout, r.priority, r.range_subid, reserved
        4, 2, 0, 0,         // n_subid 4, prefix 2 (1.3.6.1.2), include 0
        0, 0, 0, 1,
        0, 0, 0, 1,
        0, 0, 0, 1,
        0, 0, 0, 0,
    ];
    assert_eq!(&bytes[HEADER_LEN..], &body);
    assert_eq!(round_trip(&bytes).1, pdu);
}

#[test]
fn header_is_network_byte_order_with_the_flag_set() {
    let bytes = encoded(
        &Pdu::Close {
            reason: reason::SHUTDOWN,
        },
        PduType::Close,
    );
    #[rustfmt::skip]
    let expected: [u8; 24] = [
        1, 2, 0x10, 0,      // version 1, Close, NETWORK_BYTE_ORDER
        0, 0, 0, 7,         // sessionID
        0, 0, 0, 8,         // transactionID
        0, 0, 0, 9,         // packetID
        0, 0, 0, 4,         // payload_length
        5, 0, 0, 0,         // reasonShutdown
    ];
    assert_eq!(bytes, expected);
}

#[test]
fn octet_strings_are_padded_to_four_octets() {
    // §5.3: "foo" is length 3, the octets, one octet of padding.
    let pdu = Pdu::Open {
        timeout: 5,
        id: vec![],
        descr: b"foo".to_vec(),
    };
    let bytes = encoded(&pdu, PduType::Open);
    #[rustfmt::skip]
    let body: [u8; 16] = [
        5, 0, 0, 0,         // o.timeout
        0, 0, 0, 0,         // o.id: the null OID
        0, 0, 0, 3,         // o.descr length
        b'f', b'o', b'o', 0,
    ];
    assert_eq!(&bytes[HEADER_LEN..], &body);
    assert_eq!(round_trip(&bytes).1, pdu);
}

#[test]
fn a_little_endian_getnext_from_the_master_decodes() {
    #[rustfmt::skip]
    let bytes: Vec<u8> = vec![
        1, 6, 0, 0,             // GetNext, no NETWORK_BYTE_ORDER: little-endian
        3, 0, 0, 0,             // sessionID 3
        4, 0, 0, 0,
        5, 0, 0, 0,
        20, 0, 0, 0,            // payload_length 20
        2, 4, 1, 0,             // start: 1.3.6.1.4.1.8072, include
        1, 0, 0, 0,
        0x88, 0x1f, 0, 0,
        0, 0, 0, 0,             // end: null
        0, 0, 0, 0,             // the start of a second range, cut short
    ];
    let h = header(&bytes).unwrap();
    assert_eq!((h.session_id, h.transaction_id, h.packet_id), (3, 4, 5));
    // The declared 20 octets hold one range (16) and half of another: truncated.
    assert_eq!(
        decode(&h, &bytes[HEADER_LEN..HEADER_LEN + 20]),
        Err(DecodeError::Truncated)
    );
    let mut fixed = bytes.clone();
    fixed[16] = 16;
    let h = header(&fixed).unwrap();
    let pdu = decode(&h, &fixed[HEADER_LEN..HEADER_LEN + 16]).unwrap();
    assert_eq!(
        pdu,
        Pdu::GetNext {
            context: None,
            ranges: vec![SearchRange {
                start: Oid {
                    subids: vec![1, 3, 6, 1, 4, 1, 8072],
                    include: true
                },
                end: Oid::default(),
            }],
        }
    );
}

#[test]
fn a_response_with_every_value_type_round_trips() {
    let name = vec![1, 3, 6, 1, 4, 1, 8072, 9999, 1];
    let all = [
        Data::Integer(-5),
        Data::OctetString(b"abcde".to_vec()),
        Data::Null,
        Data::ObjectId(vec![1, 3, 6, 1, 6, 3, 10]),
        Data::IpAddress([127, 0, 0, 1]),
        Data::Counter32(u32::MAX),
        Data::Gauge32(7),
        Data::TimeTicks(100),
        Data::Opaque(vec![0x9f, 0x78, 4, 0, 0, 0, 0]),
        Data::Counter64(u64::MAX - 1),
        Data::NoSuchObject,
        Data::NoSuchInstance,
        Data::EndOfMibView,
    ];
    let pdu = Pdu::Response {
        sys_uptime: 0,
        error: 0,
        index: 0,
        varbinds: all
            .iter()
            .map(|data| VarBind {
                name: name.clone(),
                data: data.clone(),
            })
            .collect(),
    };
    assert_eq!(round_trip(&encoded(&pdu, PduType::Response)).1, pdu);
}

#[test]
fn every_truncation_and_corruption_is_an_error_not_a_panic() {
    let pdu = Pdu::GetBulk {
        context: Some(b"ctx".to_vec()),
        non_repeaters: 1,
        max_repetitions: 10,
        ranges: vec![SearchRange {
            start: Oid {
                subids: SYS_DESCR_0.to_vec(),
                include: false,
            },
            end: Oid {
                subids: vec![1, 3, 6, 1, 2, 1, 2],
                include: false,
            },
        }],
    };
    let bytes = encoded(&pdu, PduType::GetBulk);
    assert_eq!(round_trip(&bytes).1, pdu);
    let h = header(&bytes).unwrap();
    for cut in 0..bytes.len() - HEADER_LEN {
        let _ = decode(&h, &bytes[HEADER_LEN..HEADER_LEN + cut]);
    }
    for i in HEADER_LEN..bytes.len() {
        for v in [0x00, 0x7f, 0x80, 0xff] {
            let mut b = bytes.clone();
            b[i] = v;
            let _ = decode(&h, &b[HEADER_LEN..]);
        }
    }
    let mut bad = bytes.clone();
    bad[0] = 2;
    assert_eq!(header(&bad), Err(DecodeError::Version(2)));
    bad = bytes.clone();
    bad[19] |= 1;
    assert!(matches!(header(&bad), Err(DecodeError::PayloadLength(_))));
    assert_eq!(header(&bytes[..19]), Err(DecodeError::Truncated));
}

struct Fixed;

impl Resolve for Fixed {
    fn resolve(&self, _: Live) -> Value {
        Value::TimeTicks(42)
    }
}

fn tree() -> Tree {
    let int = |v| Entry::Value(Value::Integer(v));
    Tree::from_entries(vec![
        (vec![1, 3, 6, 1, 2, 1, 1, 1, 0].into(), int(1)),
        (
            vec![1, 3, 6, 1, 2, 1, 1, 3, 0].into(),
            Entry::Live(Live::SysUpTime),
        ),
        (vec![1, 3, 6, 1, 4, 1, 9, 1, 1].into(), int(11)),
        (vec![1, 3, 6, 1, 4, 1, 9, 1, 2].into(), int(12)),
        (vec![1, 3, 6, 1, 4, 1, 9, 2, 1].into(), int(21)),
    ])
}

fn range(start: &[u32], include: bool, end: &[u32]) -> SearchRange {
    SearchRange {
        start: Oid {
            subids: start.to_vec(),
            include,
        },
        end: Oid {
            subids: end.to_vec(),
            include: false,
        },
    }
}

const LIMITS: Limits = Limits {
    max_repetitions: 25,
    max_varbinds: 100,
};

fn values(pdu: Pdu) -> Vec<(Vec<u32>, Data)> {
    let (error, _, vbs) = answer(&tree(), &Fixed, &pdu, LIMITS).unwrap();
    assert_eq!(error, error::NO_ERROR);
    vbs.into_iter().map(|vb| (vb.name, vb.data)).collect()
}

#[test]
fn get_answers_values_and_both_exceptions() {
    let got = values(Pdu::Get {
        context: None,
        ranges: vec![
            range(&[1, 3, 6, 1, 2, 1, 1, 3, 0], false, &[]),
            range(&[1, 3, 6, 1, 2, 1, 1, 3, 1], false, &[]),
            range(&[1, 3, 6, 1, 4, 1, 77, 1], false, &[]),
        ],
    });
    assert_eq!(got[0].1, Data::TimeTicks(42));
    assert_eq!(got[1].1, Data::NoSuchInstance);
    assert_eq!(got[2].1, Data::NoSuchObject);
}

#[test]
fn getnext_honours_include_and_the_range_end() {
    let a = [1, 3, 6, 1, 4, 1, 9, 1, 1];
    let got = values(Pdu::GetNext {
        context: None,
        ranges: vec![
            range(&a, true, &[]),
            range(&a, false, &[]),
            // The next instance (9.2.1) lies at the end, which is exclusive.
            range(
                &[1, 3, 6, 1, 4, 1, 9, 1, 2],
                false,
                &[1, 3, 6, 1, 4, 1, 9, 2, 1],
            ),
            range(&[1, 3, 6, 1, 4, 1, 9, 2, 1], false, &[]),
        ],
    });
    assert_eq!(got[0], (a.to_vec(), Data::Integer(11)));
    assert_eq!(got[1], (vec![1, 3, 6, 1, 4, 1, 9, 1, 2], Data::Integer(12)));
    assert_eq!(
        got[2],
        (vec![1, 3, 6, 1, 4, 1, 9, 1, 2], Data::EndOfMibView)
    );
    assert_eq!(
        got[3],
        (vec![1, 3, 6, 1, 4, 1, 9, 2, 1], Data::EndOfMibView)
    );
}

#[test]
fn getbulk_walks_rows_within_the_range_and_caps_repetitions() {
    let got = values(Pdu::GetBulk {
        context: None,
        non_repeaters: 1,
        max_repetitions: 10,
        ranges: vec![
            range(&[1, 3, 6, 1, 2, 1, 1], false, &[]),
            range(&[1, 3, 6, 1, 4, 1, 9], false, &[1, 3, 6, 1, 4, 1, 9, 2]),
        ],
    });
    let names: Vec<&[u32]> = got.iter().map(|(n, _)| n.as_slice()).collect();
    assert_eq!(
        names,
        [
            &[1, 3, 6, 1, 2, 1, 1, 1, 0][..],
            &[1, 3, 6, 1, 4, 1, 9, 1, 1],
            &[1, 3, 6, 1, 4, 1, 9, 1, 2],
            &[1, 3, 6, 1, 4, 1, 9, 1, 2],
        ]
    );
    assert_eq!(got[3].1, Data::EndOfMibView);

    let capped = Limits {
        max_repetitions: 2,
        max_varbinds: 100,
    };
    let pdu = Pdu::GetBulk {
        context: None,
        non_repeaters: 0,
        max_repetitions: 60_000,
        ranges: vec![range(&[1, 3], false, &[])],
    };
    let (_, _, vbs) = answer(&tree(), &Fixed, &pdu, capped).unwrap();
    assert_eq!(vbs.len(), 2);
}

#[test]
fn too_many_ranges_are_refused_and_other_pdus_are_not_reads() {
    let many = Pdu::Get {
        context: None,
        ranges: vec![range(&SYS_DESCR_0, false, &[]); 101],
    };
    let (error, index, vbs) = answer(&tree(), &Fixed, &many, LIMITS).unwrap();
    assert_eq!((error, index, vbs.len()), (error::GEN_ERR, 1, 0));
    assert!(answer(&tree(), &Fixed, &Pdu::Ping { context: None }, LIMITS).is_none());
}

#[test]
fn reads_in_another_context_are_unsupported_context_and_the_empty_one_is_default() {
    let ranges = vec![range(&[1, 3, 6, 1, 2, 1, 1, 3, 0], false, &[])];
    let in_context = |context: Option<Vec<u8>>| {
        [
            Pdu::Get {
                context: context.clone(),
                ranges: ranges.clone(),
            },
            Pdu::GetNext {
                context: context.clone(),
                ranges: ranges.clone(),
            },
            Pdu::GetBulk {
                context,
                non_repeaters: 0,
                max_repetitions: 5,
                ranges: ranges.clone(),
            },
        ]
    };
    for pdu in in_context(Some(b"ctx".to_vec())) {
        let got = answer(&tree(), &Fixed, &pdu, LIMITS);
        assert_eq!(
            got,
            Some((error::UNSUPPORTED_CONTEXT, 0, Vec::new())),
            "{pdu:?}"
        );
    }
    for pdu in in_context(Some(Vec::new())) {
        let (error, _, vbs) = answer(&tree(), &Fixed, &pdu, LIMITS).unwrap();
        assert_eq!(error, error::NO_ERROR, "{pdu:?}");
        assert!(!vbs.is_empty());
    }
}
