//! Tests of the operations (RFC 3416 §4.2) over a small explicit tree.

use super::*;
use crate::mib::Live;
use crate::stats::Counter as StatCounter;
use crate::wire::ber::tlv_len;
use alloc::boxed::Box;
use alloc::vec;

const SYS_DESCR: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 1, 0];
const SYS_UPTIME: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 3, 0];
const SYS_OR_ID: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 9, 1, 2];
const SYS_OR_DESCR: &[u32] = &[1, 3, 6, 1, 2, 1, 1, 9, 1, 3];
const IN_PKTS: &[u32] = &[1, 3, 6, 1, 2, 1, 11, 1, 0];
const ENTERPRISE: &[u32] = &[1, 3, 6, 1, 4, 1, 99999, 1, 0];

const WIDE: Limits = Limits {
    varbind_bytes: 65_000,
    max_repetitions: 1_000,
    max_varbinds: 1_000,
};

/// Fixed answers for the live objects.
struct Fixed;

impl Resolve for Fixed {
    fn resolve(&self, live: Live) -> Value {
        match live {
            Live::SysUpTime => Value::TimeTicks(4242),
            Live::EngineBoots => Value::Integer(7),
            Live::EngineTime => Value::Integer(99),
            Live::Counter(c) => Value::Counter32(c.oid().len() as u32),
            Live::HostUptime => Value::TimeTicks(1234),
            Live::HostDate => Value::octets([7, 234, 11, 22, 20, 0, 0, 0]),
            Live::Budget(_) => Value::Gauge32(0),
            Live::Notify(_) => Value::Counter32(0),
        }
    }
}

fn cat(prefix: &[u32], arcs: &[u32]) -> Vec<u32> {
    let mut v = prefix.to_vec();
    v.extend_from_slice(arcs);
    v
}

fn oid(arcs: &[u32]) -> ObjectIdentifier {
    ObjectIdentifier::new(arcs.to_vec()).expect("valid test OID")
}

fn ask(arcs: &[u32]) -> VarBind {
    VarBind {
        name: oid(arcs),
        value: VarBindValue::Unspecified,
    }
}

fn value(v: Value) -> VarBindValue {
    VarBindValue::Value(syntax(v))
}

/// system: sysDescr.0, sysUpTime.0 (live), sysORTable rows 1..=3 (two columns);
/// snmpInPkts.0 (live) last.
fn tree() -> Tree {
    let mut entries: Vec<(Box<[u32]>, Entry)> = vec![
        (SYS_DESCR.into(), Entry::Value(Value::octets("dqi"))),
        (SYS_UPTIME.into(), Entry::Live(Live::SysUpTime)),
        (
            IN_PKTS.into(),
            Entry::Live(Live::Counter(StatCounter::SnmpInPkts)),
        ),
    ];
    for row in 1..=3 {
        let id = Value::oid(&[1, 3, 6, 1, 6, 3, row]).expect("valid");
        entries.push((cat(SYS_OR_ID, &[row]).into(), Entry::Value(id)));
        entries.push((
            cat(SYS_OR_DESCR, &[row]).into(),
            Entry::Value(Value::octets("m")),
        ));
    }
    Tree::from_entries(entries)
}

fn names(outcome: &Answer) -> Vec<Vec<u32>> {
    outcome.varbinds.iter().map(|vb| vb.name.to_vec()).collect()
}

fn bulk_op(non_repeaters: i64, max_repetitions: i64) -> Operation {
    Operation::GetBulk {
        non_repeaters,
        max_repetitions,
    }
}

/// Sum of the rasn encodings of each binding, checked against the encoded list.
fn encoded_bindings_len(varbinds: &[VarBind]) -> usize {
    let sum = varbinds
        .iter()
        .map(|vb| rasn::ber::encode(vb).expect("encodes").len())
        .sum::<usize>();
    let list = rasn::ber::encode(&varbinds.to_vec()).expect("encodes");
    assert_eq!(
        list.len(),
        tlv_len(sum),
        "the list is one SEQUENCE OF header plus the bindings"
    );
    sum
}

#[test]
fn get_answers_values_and_the_right_exception() {
    // RFC 3416 §4.2.1: exact instance -> value; under a served object type -> noSuchInstance;
    // elsewhere -> noSuchObject.
    let cases: &[(&[u32], VarBindValue)] = &[
        (SYS_DESCR, value(Value::octets("dqi"))),
        (SYS_UPTIME, value(Value::TimeTicks(4242))),
        (IN_PKTS, value(Value::Counter32(9))),
        (&cat(SYS_OR_DESCR, &[2]), value(Value::octets("m"))),
        (&SYS_DESCR[..8], VarBindValue::NoSuchInstance), // sysDescr, no instance arc
        (&cat(&SYS_DESCR[..8], &[1]), VarBindValue::NoSuchInstance), // sysDescr.1
        (&cat(SYS_OR_DESCR, &[9]), VarBindValue::NoSuchInstance), // row 9 of a served column
        (&cat(SYS_DESCR, &[0]), VarBindValue::NoSuchInstance), // sysDescr.0.0
        (ENTERPRISE, VarBindValue::NoSuchObject),
        (
            &[1, 3, 6, 1, 2, 1, 2, 2, 1, 1, 1],
            VarBindValue::NoSuchObject,
        ), // ifIndex.1
        (&[2, 999], VarBindValue::NoSuchObject),
    ];
    for (name, expected) in cases {
        let out = respond(&tree(), &Fixed, Operation::Get, &[ask(name)], WIDE);
        assert_eq!(out.error_status, ErrorStatus::NoError, "{name:?}");
        assert_eq!(out.error_index, 0);
        assert_eq!(names(&out), vec![name.to_vec()], "Get echoes the name");
        assert_eq!(&out.varbinds[0].value, expected, "{name:?}");
    }
}

#[test]
fn get_keeps_one_binding_per_request_binding_in_order() {
    let request = [ask(ENTERPRISE), ask(SYS_DESCR), ask(ENTERPRISE)];
    let out = respond(&tree(), &Fixed, Operation::Get, &request, WIDE);
    let values: Vec<_> = out.varbinds.iter().map(|vb| vb.value.clone()).collect();
    assert_eq!(
        values,
        vec![
            VarBindValue::NoSuchObject,
            value(Value::octets("dqi")),
            VarBindValue::NoSuchObject
        ]
    );
}

#[test]
fn get_next_walks_in_lexicographic_order_to_end_of_mib_view() {
    // RFC 3416 §4.2.2: the first successor; past the end, endOfMibView under the asked name.
    let cases: &[(&[u32], Option<&[u32]>)] = &[
        (&[0, 0], Some(SYS_DESCR)),
        (&[1, 3], Some(SYS_DESCR)),
        (&SYS_DESCR[..8], Some(SYS_DESCR)),
        (SYS_DESCR, Some(SYS_UPTIME)),
        (SYS_UPTIME, Some(&[1, 3, 6, 1, 2, 1, 1, 9, 1, 2, 1])),
        (
            &cat(SYS_OR_ID, &[3]),
            Some(&[1, 3, 6, 1, 2, 1, 1, 9, 1, 3, 1]),
        ),
        (&cat(SYS_OR_DESCR, &[3]), Some(IN_PKTS)),
        (IN_PKTS, None),
        (&[2, 5], None),
    ];
    for (name, expected) in cases {
        let out = respond(&tree(), &Fixed, Operation::GetNext, &[ask(name)], WIDE);
        assert_eq!(out.error_status, ErrorStatus::NoError);
        let vb = &out.varbinds[0];
        match expected {
            Some(next) => {
                assert_eq!(&vb.name.to_vec(), next, "after {name:?}");
                assert!(matches!(vb.value, VarBindValue::Value(_)));
            }
            None => {
                assert_eq!(&vb.name.to_vec(), name);
                assert_eq!(vb.value, VarBindValue::EndOfMibView);
            }
        }
    }
    let out = respond(&tree(), &Fixed, Operation::GetNext, &[ask(SYS_DESCR)], WIDE);
    assert_eq!(
        out.varbinds[0].value,
        value(Value::TimeTicks(4242)),
        "live entries resolve"
    );
}

#[test]
fn get_next_skips_keys_that_are_not_valid_oids() {
    let t = Tree::from_entries(vec![
        (vec![1].into(), Entry::Value(Value::Integer(1))),
        (vec![1, 40].into(), Entry::Value(Value::Integer(1))),
        (vec![1, 3, 1].into(), Entry::Value(Value::Integer(2))),
        (vec![2, u32::MAX].into(), Entry::Value(Value::Integer(3))),
        (vec![3, 1].into(), Entry::Value(Value::Integer(4))),
    ]);
    let out = respond(&t, &Fixed, Operation::GetNext, &[ask(&[0, 0])], WIDE);
    assert_eq!(names(&out), vec![vec![1, 3, 1]]);
    let out = respond(&t, &Fixed, Operation::GetNext, &[ask(&[1, 3, 1])], WIDE);
    assert_eq!(out.varbinds[0].value, VarBindValue::EndOfMibView);
    assert!(encodable_oid(&[2, u32::MAX - 80]).is_some());
}

#[test]
fn get_bulk_parameters() {
    // RFC 3416 §4.2.3: N non-repeaters then M rows of the R repeaters; negative values are
    // zero, N is capped by the binding count, M by the agent's max_repetitions.
    let or_id = |row: u32| cat(SYS_OR_ID, &[row]);
    let or_descr = |row: u32| cat(SYS_OR_DESCR, &[row]);
    let start_id = SYS_OR_ID;
    let start_descr = SYS_OR_DESCR;
    struct Case<'a> {
        what: &'a str,
        n: i64,
        m: i64,
        cap: u32,
        request: Vec<&'a [u32]>,
        expected: Vec<Vec<u32>>,
    }
    let cases = [
        Case {
            what: "one non-repeater, two rows of two columns",
            n: 1,
            m: 2,
            cap: 100,
            request: vec![SYS_DESCR, start_id, start_descr],
            expected: vec![
                SYS_UPTIME.to_vec(),
                or_id(1),
                or_descr(1),
                or_id(2),
                or_descr(2),
            ],
        },
        Case {
            what: "M = 0 gives only the non-repeaters",
            n: 1,
            m: 0,
            cap: 100,
            request: vec![SYS_DESCR, start_id],
            expected: vec![SYS_UPTIME.to_vec()],
        },
        Case {
            what: "N = 0 and M = 0 gives nothing",
            n: 0,
            m: 0,
            cap: 100,
            request: vec![SYS_DESCR],
            expected: vec![],
        },
        Case {
            what: "N above the binding count makes every binding a non-repeater",
            n: 5,
            m: 3,
            cap: 100,
            request: vec![SYS_DESCR, start_id],
            expected: vec![SYS_UPTIME.to_vec(), or_id(1)],
        },
        Case {
            what: "negative N is zero",
            n: -1,
            m: 2,
            cap: 100,
            request: vec![start_id],
            expected: vec![or_id(1), or_id(2)],
        },
        Case {
            what: "negative M is zero",
            n: 1,
            m: -5,
            cap: 100,
            request: vec![SYS_DESCR, start_id],
            expected: vec![SYS_UPTIME.to_vec()],
        },
        Case {
            what: "M capped by the agent",
            n: 0,
            m: 100,
            cap: 2,
            request: vec![start_descr],
            expected: vec![or_descr(1), or_descr(2)],
        },
        Case {
            what: "extreme i64 values",
            n: i64::MIN,
            m: i64::MIN,
            cap: 100,
            request: vec![SYS_DESCR],
            expected: vec![],
        },
    ];
    for case in cases {
        let request: Vec<VarBind> = case.request.iter().map(|n| ask(n)).collect();
        let limits = Limits {
            max_repetitions: case.cap,
            ..WIDE
        };
        let out = respond(&tree(), &Fixed, bulk_op(case.n, case.m), &request, limits);
        assert_eq!(out.error_status, ErrorStatus::NoError, "{}", case.what);
        assert_eq!(names(&out), case.expected, "{}", case.what);
    }
}

#[test]
fn get_bulk_stops_after_a_row_that_is_all_end_of_mib_view() {
    // Row 1: sysORDescr.3 -> snmpInPkts.0, snmpInPkts.0 -> end. Row 2: both end. Stop.
    let request = [ask(&cat(SYS_OR_DESCR, &[3])), ask(IN_PKTS)];
    let out = respond(&tree(), &Fixed, bulk_op(0, 50), &request, WIDE);
    let values: Vec<_> = out.varbinds.iter().map(|vb| vb.value.clone()).collect();
    assert_eq!(
        values,
        vec![
            value(Value::Counter32(9)),
            VarBindValue::EndOfMibView,
            VarBindValue::EndOfMibView,
            VarBindValue::EndOfMibView,
        ]
    );
    // A column that has ended keeps the name it ended on.
    assert_eq!(names(&out)[3], IN_PKTS.to_vec());
}

#[test]
fn get_bulk_huge_m_times_r_does_not_overflow_and_is_capped() {
    let request: Vec<VarBind> = (0..3).map(|_| ask(&[1, 3])).collect();
    for (n, m) in [
        (0, i64::MAX),
        (i64::MAX, i64::MAX),
        (1, i64::from(u32::MAX)),
    ] {
        let limits = Limits {
            max_repetitions: u32::MAX,
            max_varbinds: 10,
            ..WIDE
        };
        let out = respond(&tree(), &Fixed, bulk_op(n, m), &request, limits);
        assert_eq!(out.error_status, ErrorStatus::NoError);
        let expected = if n == i64::MAX { 3 } else { 10 };
        assert_eq!(out.varbinds.len(), expected, "N={n} M={m}");
    }
}

#[test]
fn get_bulk_truncates_to_the_octet_budget() {
    let request = [ask(&[1, 3])];
    let full = respond(&tree(), &Fixed, bulk_op(0, 100), &request, WIDE);
    assert_eq!(
        full.varbinds.len(),
        10,
        "nine instances, then one endOfMibView row"
    );
    let lens: Vec<usize> = full.varbinds.iter().map(varbind_len).collect();
    for keep in 1..full.varbinds.len() {
        let fits: usize = lens[..keep].iter().sum();
        // One octet short of the next binding.
        let budget = fits + lens[keep] - 1;
        let limits = Limits {
            varbind_bytes: budget,
            ..WIDE
        };
        let out = respond(&tree(), &Fixed, bulk_op(0, 100), &request, limits);
        assert_eq!(out.error_status, ErrorStatus::NoError);
        assert_eq!(
            out.varbinds,
            full.varbinds[..keep].to_vec(),
            "budget {budget}"
        );
        assert!(encoded_bindings_len(&out.varbinds) <= budget);
    }
}

#[test]
fn get_bulk_too_big_only_when_the_first_binding_does_not_fit() {
    let request = [ask(SYS_DESCR)];
    let first = varbind_len(&respond(&tree(), &Fixed, bulk_op(0, 1), &request, WIDE).varbinds[0]);
    let limits = Limits {
        varbind_bytes: first - 1,
        ..WIDE
    };
    let out = respond(&tree(), &Fixed, bulk_op(1, 5), &request, limits);
    assert_eq!(out, Answer::too_big());
    let limits = Limits {
        varbind_bytes: first,
        ..WIDE
    };
    let out = respond(&tree(), &Fixed, bulk_op(0, 5), &request, limits);
    assert_eq!(out.varbinds.len(), 1);
    assert_eq!(out.error_status, ErrorStatus::NoError);
    let out = respond(&tree(), &Fixed, bulk_op(0, 5), &[], limits);
    assert_eq!(
        out,
        Answer::ok(Vec::new()),
        "an empty request is not tooBig"
    );
}

#[test]
fn get_and_get_next_too_big_with_an_empty_list() {
    let request = [ask(SYS_DESCR), ask(SYS_UPTIME)];
    for op in [Operation::Get, Operation::GetNext] {
        let full = respond(&tree(), &Fixed, op, &request, WIDE);
        let exact = encoded_bindings_len(&full.varbinds);
        let at = |varbind_bytes| Limits {
            varbind_bytes,
            ..WIDE
        };
        assert_eq!(respond(&tree(), &Fixed, op, &request, at(exact)), full);
        let out = respond(&tree(), &Fixed, op, &request, at(exact - 1));
        assert_eq!(out.error_status, ErrorStatus::TooBig);
        assert_eq!(out.error_index, 0);
        assert!(out.varbinds.is_empty());
        let few = Limits {
            max_varbinds: 1,
            ..WIDE
        };
        assert_eq!(
            respond(&tree(), &Fixed, op, &request, few),
            Answer::too_big()
        );
    }
}

#[test]
fn set_is_refused_and_echoes_the_request() {
    // RFC 3416 §4.2.5: the first binding fails, so it decides the status; index 1.
    let set_value = VarBindValue::Value(syntax(Value::Integer(5)));
    let with = |arcs: &[u32]| VarBind {
        name: oid(arcs),
        value: set_value.clone(),
    };
    let cases: &[(&[&[u32]], ErrorStatus)] = &[
        (&[SYS_DESCR], ErrorStatus::NotWritable),
        (&[&cat(SYS_OR_DESCR, &[9])], ErrorStatus::NotWritable),
        (&[ENTERPRISE], ErrorStatus::NoCreation),
        (&[ENTERPRISE, SYS_DESCR], ErrorStatus::NoCreation),
        (&[SYS_UPTIME, ENTERPRISE], ErrorStatus::NotWritable),
    ];
    for (request_names, status) in cases {
        let request: Vec<VarBind> = request_names.iter().map(|n| with(n)).collect();
        let t = tree();
        let before: Vec<_> = t.iter().map(|(k, e)| (k.to_vec(), e.clone())).collect();
        let out = respond(&t, &Fixed, Operation::Set, &request, WIDE);
        assert_eq!(out.error_status, *status, "{request_names:?}");
        assert_eq!(out.error_index, 1);
        assert_eq!(out.varbinds, request);
        let after: Vec<_> = t.iter().map(|(k, e)| (k.to_vec(), e.clone())).collect();
        assert_eq!(before, after, "nothing changes");
    }
    assert_eq!(
        respond(&tree(), &Fixed, Operation::Set, &[], WIDE),
        Answer::ok(Vec::new())
    );
    let tiny = Limits {
        varbind_bytes: 3,
        ..WIDE
    };
    let out = respond(&tree(), &Fixed, Operation::Set, &[with(SYS_DESCR)], tiny);
    assert_eq!(out, Answer::too_big());
}

/// The no-leak property: over random trees, random views (wild cards included) and random
/// requests of every operation, no response ever carries a value for an instance outside the
/// view; Get of one is `noSuchObject`; GetNext and GetBulk return exactly the view-filtered
/// successors (so they skip excluded subtrees and end in `endOfMibView` past the view); Set of
/// one is `noAccess`.
#[test]
fn no_instance_outside_the_view_ever_leaks() {
    use crate::access::view::tests::{Rng, random_view};
    let mut rng = Rng(0x00de_ad1e_a4ed);
    let prefixed = |rng: &mut Rng, len: u64| cat(&[1, 3], &rng.oid(len, 4));
    for _ in 0..300 {
        let entries = (0..rng.below(80))
            .map(|_| {
                let v = rng.below(1000) as u32;
                let entry = if v.is_multiple_of(7) {
                    Entry::Value(Value::Counter64(u64::from(v)))
                } else {
                    Entry::Value(Value::Gauge32(v))
                };
                (prefixed(&mut rng, 5).into_boxed_slice(), entry)
            })
            .collect();
        let tree = Tree::from_entries(entries);
        let view = random_view(&mut rng, &[1, 3], 4, 4);
        let scope = Scope {
            view: &view,
            skip_counter64: rng.below(2) == 0,
        };
        let filtered_next = |from: &[u32]| {
            tree.iter()
                .find(|(k, e)| {
                    *k > from
                        && view.contains(k)
                        && !(scope.skip_counter64 && matches!(e, Entry::Value(Value::Counter64(_))))
                })
                .map(|(k, _)| k.to_vec())
        };
        for _ in 0..20 {
            let request: Vec<VarBind> = (0..1 + rng.below(4))
                .map(|_| {
                    // Half the names exist, so Get hits instances in and out of the view.
                    let name = match tree.iter().nth(rng.below(tree.len() as u64 + 1) as usize) {
                        Some((k, _)) if rng.below(2) == 0 => k.to_vec(),
                        _ => prefixed(&mut rng, 6),
                    };
                    ask(&name)
                })
                .collect();
            let op = match rng.below(4) {
                0 => Operation::Get,
                1 => Operation::GetNext,
                2 => bulk_op(rng.below(3) as i64, rng.below(6) as i64),
                _ => Operation::Set,
            };
            let out = respond_in(&tree, &Fixed, scope, op, &request, WIDE);
            for vb in &out.varbinds {
                if matches!(vb.value, VarBindValue::Value(_)) && op != Operation::Set {
                    assert!(view.contains(&vb.name), "{view:?} leaked {:?}", vb.name);
                }
            }
            match op {
                Operation::Get => {
                    for (asked, got) in request.iter().zip(&out.varbinds) {
                        if !view.contains(&asked.name) {
                            assert_eq!(got.value, VarBindValue::NoSuchObject);
                        }
                    }
                }
                Operation::GetNext => {
                    for (asked, got) in request.iter().zip(&out.varbinds) {
                        match filtered_next(&asked.name) {
                            Some(want) => assert_eq!(&got.name[..], &want[..]),
                            None => assert_eq!(got.value, VarBindValue::EndOfMibView),
                        }
                    }
                }
                Operation::GetBulk { non_repeaters, .. } => {
                    // Each binding is the filtered successor of the name its column asked
                    // for or last returned, or endOfMibView.
                    let n = (non_repeaters as usize).min(request.len());
                    let mut cursors: Vec<Vec<u32>> =
                        request.iter().map(|vb| vb.name.to_vec()).collect();
                    for (i, got) in out.varbinds.iter().enumerate() {
                        let column = if i < n {
                            i
                        } else {
                            n + (i - n) % (request.len() - n)
                        };
                        match filtered_next(&cursors[column]) {
                            Some(want) => assert_eq!(&got.name[..], &want[..]),
                            None => assert_eq!(got.value, VarBindValue::EndOfMibView),
                        }
                        cursors[column] = got.name.to_vec();
                    }
                }
                Operation::Set => {
                    if !view.contains(&request[0].name) {
                        assert_eq!(out.error_status, ErrorStatus::NoAccess);
                    }
                }
            }
        }
    }
}

/// The room spends upper bounds while they fit and exact sizes after: it must take exactly the
/// bindings that exact sizes alone would take, at every budget around each cumulative size.
#[test]
fn room_decides_as_exact_sizes_do() {
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    for _ in 0..300 {
        let bindings: Vec<VarBind> = (0..1 + next(12))
            .map(|_| {
                let mut arcs = vec![1, 3, 6, 1, 4, 1];
                for _ in 0..next(60) {
                    // Mostly one-octet arcs (a string index), some up to five octets.
                    let arc = match next(10) {
                        0 => u32::MAX - next(1 << 20) as u32,
                        1 => 128 + next(20_000) as u32,
                        _ => next(128) as u32,
                    };
                    arcs.push(arc);
                }
                VarBind {
                    name: ObjectIdentifier::new(arcs).unwrap(),
                    value: VarBindValue::Value(syntax(Value::octets(vec![
                        b'v';
                        next(300) as usize
                    ]))),
                }
            })
            .collect();
        let exact: Vec<usize> = bindings.iter().map(varbind_len).collect();
        let mut budgets = vec![0usize];
        let mut sum = 0;
        for size in &exact {
            sum += size;
            budgets.extend([sum - 1, sum, sum + 1]);
        }
        for bytes in budgets {
            // What exact sizes alone take: the longest prefix whose sizes sum within `bytes`.
            let mut left = bytes;
            let want = exact
                .iter()
                .take_while(|&&size| match left.checked_sub(size) {
                    Some(rest) => {
                        left = rest;
                        true
                    }
                    None => false,
                })
                .count();
            let mut room = Room::new(bytes);
            let got = (0..bindings.len())
                .take_while(|&i| room.take(&bindings[i], &bindings[..i]))
                .count();
            assert_eq!(got, want, "budget {bytes}, sizes {exact:?}");
        }
    }
}
