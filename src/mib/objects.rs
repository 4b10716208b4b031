//! The standard objects every SNMPv3 agent serves, as tree entries.
//!
//! This module owns the instance OIDs and values of the IETF MIB objects the agent implements,
//! the ones a manager reads to learn what the agent is and how its SNMP engine is doing:
//!
//! | objects | OID | defined in |
//! |---|---|---|
//! | system group: `sysDescr` .. `sysORLastChange`, `sysORTable` | 1.3.6.1.2.1.1 | SNMPv2-MIB, RFC 3418 §2 |
//! | snmp group: `snmpIn*`, `snmpEnableAuthenTraps`, `snmpSilentDrops`, `snmpProxyDrops` | 1.3.6.1.2.1.11 | SNMPv2-MIB, RFC 3418 §2 |
//! | `snmpEngine`: ID, boots, time, max message size | 1.3.6.1.6.3.10.2.1 | SNMP-FRAMEWORK-MIB, RFC 3411 §5 |
//! | `snmpMPDStats` | 1.3.6.1.6.3.11.2.1 | SNMP-MPD-MIB, RFC 3412 §5 |
//! | `snmpUnavailableContexts`, `snmpUnknownContexts` | 1.3.6.1.6.3.12.1 | SNMP-TARGET-MIB, RFC 3413 §4.1.3 |
//! | `usmStats` | 1.3.6.1.6.3.15.1.1 | SNMP-USER-BASED-SM-MIB, RFC 3414 §5 |
//!
//! Values that change while the agent runs (`sysUpTime`, engine boots and time, every counter)
//! are [`Entry::Live`] markers the agent resolves per request; the rest is fixed when the tree is
//! built. The counters' OIDs live with the counters in [`crate::stats`], so that each counter is
//! declared once.

use alloc::borrow::Cow;
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use rasn::types::ObjectIdentifier;

use super::{Entry, Live, Value};
use crate::stats::Counter;

/// `system` (SNMPv2-MIB, RFC 3418 §2): mib-2 1.
const SYSTEM: [u32; 7] = [1, 3, 6, 1, 2, 1, 1];
/// `sysOREntry`: sysORTable 1, itself system 9.
const SYS_OR_ENTRY: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 9, 1];
/// `snmpEnableAuthenTraps.0`: snmp (mib-2 11) 30.
const SNMP_ENABLE_AUTHEN_TRAPS: [u32; 9] = [1, 3, 6, 1, 2, 1, 11, 30, 0];
/// `snmpEngine` (SNMP-FRAMEWORK-MIB, RFC 3411 §5): snmpFrameworkMIBObjects 1.
const SNMP_ENGINE: [u32; 9] = [1, 3, 6, 1, 6, 3, 10, 2, 1];

/// `snmpEnableAuthenTraps` value `disabled(2)`: this agent sends no notifications.
const AUTHEN_TRAPS_DISABLED: i32 = 2;
/// DisplayString's `SIZE (0..255)` (SNMPv2-TC, RFC 2579).
const DISPLAY_STRING_MAX: usize = 255;
/// `zeroDotZero` (SNMPv2-SMI): the conventional "no identifier" value for an OID object.
const ZERO_DOT_ZERO: [u32; 2] = [0, 0];

/// The SNMPv2-MIB system group's configured values (RFC 3418 §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    /// `sysDescr`: what the device is, hardware and software; cut to 255 octets.
    pub description: String,
    /// `sysObjectID`: the vendor's authoritative identification of the device; served as
    /// `zeroDotZero` (0.0) when it is not a valid OBJECT IDENTIFIER.
    pub object_id: Vec<u32>,
    /// `sysContact`: who to ask about the device; cut to 255 octets.
    pub contact: String,
    /// `sysName`: the device's administratively assigned name; cut to 255 octets.
    pub name: String,
    /// `sysLocation`: where the device is; cut to 255 octets.
    pub location: String,
    /// `sysServices`: the sum of 2^(layer-1) over the layers the device serves, 0..=127
    /// (values outside are clamped).
    pub services: i32,
    /// The `sysORTable` rows, in row order from `sysORIndex` 1: `(sysORID, sysORDescr)`, one per
    /// MIB module the agent implements. [`System::standard_or_entries`] gives the IETF modules of
    /// this crate; a product appends its own modules' rows.
    pub or_entries: Vec<(Vec<u32>, String)>,
}

impl System {
    /// The `sysORTable` rows for the IETF MIB modules served by [`standard`].
    ///
    /// RFC 3418 says a `sysORID` is "an authoritative identification of a capabilities
    /// statement". Where the agent meets a module's MODULE-COMPLIANCE in full, the row names that
    /// statement; where it serves only part of the mandatory groups, the row names the module
    /// identity instead, so that no row claims more than the agent does:
    ///
    /// - SNMPv2-MIB: `snmpMIB` (1.3.6.1.6.3.1), because `snmpBasicComplianceRev2` also mandates
    ///   `snmpSetGroup` and the notification groups, which a read-only agent without
    ///   notifications lacks.
    /// - SNMP-FRAMEWORK-MIB: `snmpFrameworkMIBCompliance` (1.3.6.1.6.3.10.3.1.1), met by
    ///   `snmpEngineGroup`.
    /// - SNMP-MPD-MIB: `snmpMPDCompliance` (1.3.6.1.6.3.11.3.1.1), met by `snmpMPDGroup`.
    /// - SNMP-USER-BASED-SM-MIB: `snmpUsmMIB` (1.3.6.1.6.3.15), because `usmMIBCompliance`
    ///   mandates the `usmUserTable`, which is not served.
    pub fn standard_or_entries() -> Vec<(Vec<u32>, String)> {
        let row = |oid: &[u32], descr: &str| (oid.to_vec(), String::from(descr));
        vec![
            row(
                &[1, 3, 6, 1, 6, 3, 1],
                "The MIB module for SNMP entities (SNMPv2-MIB, RFC 3418)",
            ),
            row(
                &[1, 3, 6, 1, 6, 3, 10, 3, 1, 1],
                "The SNMP Management Architecture MIB (SNMP-FRAMEWORK-MIB, RFC 3411)",
            ),
            row(
                &[1, 3, 6, 1, 6, 3, 11, 3, 1, 1],
                "The MIB for Message Processing and Dispatching (SNMP-MPD-MIB, RFC 3412)",
            ),
            row(
                &[1, 3, 6, 1, 6, 3, 15],
                "The management information definitions for the SNMP User-based Security Model \
                 (SNMP-USER-BASED-SM-MIB, RFC 3414)",
            ),
        ]
    }
}

/// The SNMP-FRAMEWORK-MIB snmpEngine group's fixed values (RFC 3411 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    /// `snmpEngineID`: the engine's administratively unique identifier, 5 to 32 octets.
    pub engine_id: Vec<u8>,
    /// `snmpEngineMaxMessageSize`: the largest message the engine sends or accepts, in octets.
    pub max_message_size: i32,
}

/// Every standard object instance: system group and sysORTable, snmp group counters,
/// snmpEngine, SNMP-MPD-MIB stats, snmpUnavailableContexts/snmpUnknownContexts, usmStats.
///
/// The entries come in OID order, though [`super::Tree::from_entries`] does not need them to.
pub fn standard(system: &System, engine: &Engine) -> Vec<(Box<[u32]>, Entry)> {
    let mut out: Vec<(Box<[u32]>, Entry)> = Vec::new();
    let mut add = |oid: Vec<u32>, entry: Entry| out.push((oid.into_boxed_slice(), entry));

    let scalar = |arc: u32| extend(&SYSTEM, &[arc, 0]);
    let object_id = encodable_oid(&system.object_id)
        .unwrap_or_else(|| ObjectIdentifier::new_unchecked(Cow::Borrowed(&ZERO_DOT_ZERO)));
    add(scalar(1), Entry::Value(display_string(&system.description)));
    add(scalar(2), Entry::Value(Value::ObjectId(object_id)));
    add(scalar(3), Entry::Live(Live::SysUpTime));
    add(scalar(4), Entry::Value(display_string(&system.contact)));
    add(scalar(5), Entry::Value(display_string(&system.name)));
    add(scalar(6), Entry::Value(display_string(&system.location)));
    add(
        scalar(7),
        Entry::Value(Value::Integer(system.services.clamp(0, 127))),
    );
    // The rows are fixed when the tree is built, so they last changed at start-up: time 0.
    add(scalar(8), Entry::Value(Value::TimeTicks(0)));

    // sysORTable, column by column so that the entries stay in OID order. A row whose sysORID is
    // not a valid OBJECT IDENTIFIER is left out (with its index) rather than served half-empty.
    let rows = system
        .or_entries
        .iter()
        .zip(1u32..)
        .filter_map(|((oid, descr), index)| {
            Some((index, Value::ObjectId(encodable_oid(oid)?), descr))
        });
    for (index, oid, _) in rows.clone() {
        add(extend(&SYS_OR_ENTRY, &[2, index]), Entry::Value(oid));
    }
    for (index, _, descr) in rows.clone() {
        add(
            extend(&SYS_OR_ENTRY, &[3, index]),
            Entry::Value(display_string(descr)),
        );
    }
    for (index, _, _) in rows {
        add(
            extend(&SYS_OR_ENTRY, &[4, index]),
            Entry::Value(Value::TimeTicks(0)),
        );
    }

    for counter in Counter::ALL {
        add(counter.oid().to_vec(), Entry::Live(Live::Counter(counter)));
    }
    add(
        SNMP_ENABLE_AUTHEN_TRAPS.to_vec(),
        Entry::Value(Value::Integer(AUTHEN_TRAPS_DISABLED)),
    );

    let engine_scalar = |arc: u32| extend(&SNMP_ENGINE, &[arc, 0]);
    add(
        engine_scalar(1),
        Entry::Value(Value::octets(&engine.engine_id)),
    );
    add(engine_scalar(2), Entry::Live(Live::EngineBoots));
    add(engine_scalar(3), Entry::Live(Live::EngineTime));
    add(
        engine_scalar(4),
        Entry::Value(Value::Integer(engine.max_message_size)),
    );

    // snmpEnableAuthenTraps (.30) sorts between the snmp group's counters; a sorted list lets
    // callers and tests read the result in walk order.
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

/// `arcs` as an OBJECT IDENTIFIER that BER can encode (X.690 §8.19.4): two arcs at least, the
/// first at most 2, the second at most 39 under 0 and 1, and `40 * first + second` within the
/// `u32` rasn packs it into. `ObjectIdentifier::new` checks only part of this (it accepts a lone
/// arc, and `2.x` for any `x`), and an OID that fails to encode would fail the whole response.
pub(crate) fn encodable_oid(arcs: &[u32]) -> Option<ObjectIdentifier> {
    match arcs {
        [0 | 1, second, ..] if *second < 40 => {}
        [2, second, ..] if *second <= u32::MAX - 80 => {}
        _ => return None,
    }
    ObjectIdentifier::new(arcs.to_vec())
}

/// `prefix` followed by `arcs`.
fn extend(prefix: &[u32], arcs: &[u32]) -> Vec<u32> {
    let mut oid = Vec::with_capacity(prefix.len() + arcs.len());
    oid.extend_from_slice(prefix);
    oid.extend_from_slice(arcs);
    oid
}

/// A DisplayString value: at most 255 octets, cut at a character boundary so that what is served
/// stays valid UTF-8.
fn display_string(text: &str) -> Value {
    let mut end = text.len().min(DISPLAY_STRING_MAX);
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    Value::octets(&text.as_bytes()[..end])
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mib::Tree;

    fn system() -> System {
        System {
            description: String::from("DQI test device"),
            object_id: vec![1, 3, 6, 1, 4, 1, 99999, 1],
            contact: String::from("biomed@example.org"),
            name: String::from("pump-7"),
            location: String::from("ward 3"),
            services: 72,
            or_entries: System::standard_or_entries(),
        }
    }

    fn engine() -> Engine {
        Engine {
            engine_id: vec![0x80, 0, 0x1f, 0x88, 4, b'd', b'q', b'i'],
            max_message_size: 1472,
        }
    }

    fn tree() -> Tree {
        Tree::from_entries(standard(&system(), &engine()))
    }

    fn value(v: Value) -> Option<Entry> {
        Some(Entry::Value(v))
    }

    fn oid(arcs: &[u32]) -> Value {
        Value::oid(arcs).expect("valid")
    }

    /// Instance OIDs written out in full, each checked by hand against its `::= { parent n }`
    /// chain in the IETF MIB modules (SNMPv2-MIB, SNMP-FRAMEWORK-MIB).
    #[test]
    fn serves_the_scalars_at_their_mib_oids() {
        let t = tree();
        let cases: &[(&str, &[u32], Option<Entry>)] = &[
            (
                "sysDescr.0",
                &[1, 3, 6, 1, 2, 1, 1, 1, 0],
                value(Value::octets("DQI test device")),
            ),
            (
                "sysObjectID.0",
                &[1, 3, 6, 1, 2, 1, 1, 2, 0],
                value(oid(&[1, 3, 6, 1, 4, 1, 99999, 1])),
            ),
            (
                "sysUpTime.0",
                &[1, 3, 6, 1, 2, 1, 1, 3, 0],
                Some(Entry::Live(Live::SysUpTime)),
            ),
            (
                "sysContact.0",
                &[1, 3, 6, 1, 2, 1, 1, 4, 0],
                value(Value::octets("biomed@example.org")),
            ),
            (
                "sysName.0",
                &[1, 3, 6, 1, 2, 1, 1, 5, 0],
                value(Value::octets("pump-7")),
            ),
            (
                "sysLocation.0",
                &[1, 3, 6, 1, 2, 1, 1, 6, 0],
                value(Value::octets("ward 3")),
            ),
            (
                "sysServices.0",
                &[1, 3, 6, 1, 2, 1, 1, 7, 0],
                value(Value::Integer(72)),
            ),
            (
                "sysORLastChange.0",
                &[1, 3, 6, 1, 2, 1, 1, 8, 0],
                value(Value::TimeTicks(0)),
            ),
            (
                "snmpEnableAuthenTraps.0",
                &[1, 3, 6, 1, 2, 1, 11, 30, 0],
                value(Value::Integer(2)),
            ),
            (
                "snmpEngineID.0",
                &[1, 3, 6, 1, 6, 3, 10, 2, 1, 1, 0],
                value(Value::octets(engine().engine_id)),
            ),
            (
                "snmpEngineBoots.0",
                &[1, 3, 6, 1, 6, 3, 10, 2, 1, 2, 0],
                Some(Entry::Live(Live::EngineBoots)),
            ),
            (
                "snmpEngineTime.0",
                &[1, 3, 6, 1, 6, 3, 10, 2, 1, 3, 0],
                Some(Entry::Live(Live::EngineTime)),
            ),
            (
                "snmpEngineMaxMessageSize.0",
                &[1, 3, 6, 1, 6, 3, 10, 2, 1, 4, 0],
                value(Value::Integer(1472)),
            ),
        ];
        for (name, arcs, expected) in cases {
            assert_eq!(t.get(arcs), expected.as_ref(), "{name}");
        }
    }

    #[test]
    fn sys_or_table_has_one_row_per_module() {
        let t = tree();
        // sysOREntry = 1.3.6.1.2.1.1.9.1; columns sysORID 2, sysORDescr 3, sysORUpTime 4.
        let ids: &[&[u32]] = &[
            &[1, 3, 6, 1, 6, 3, 1],           // SNMPv2-MIB::snmpMIB
            &[1, 3, 6, 1, 6, 3, 10, 3, 1, 1], // SNMP-FRAMEWORK-MIB::snmpFrameworkMIBCompliance
            &[1, 3, 6, 1, 6, 3, 11, 3, 1, 1], // SNMP-MPD-MIB::snmpMPDCompliance
            &[1, 3, 6, 1, 6, 3, 15],          // SNMP-USER-BASED-SM-MIB::snmpUsmMIB
        ];
        for (row, id) in (1u32..).zip(ids) {
            let column = |c: u32| [1, 3, 6, 1, 2, 1, 1, 9, 1, c, row];
            assert_eq!(t.get(&column(2)), value(oid(id)).as_ref(), "sysORID.{row}");
            assert!(
                matches!(t.get(&column(3)), Some(Entry::Value(Value::OctetString(s))) if !s.is_empty()),
                "sysORDescr.{row}"
            );
            assert_eq!(
                t.get(&column(4)),
                value(Value::TimeTicks(0)).as_ref(),
                "sysORUpTime.{row}"
            );
        }
        assert!(
            t.get(&[1, 3, 6, 1, 2, 1, 1, 9, 1, 2, 5]).is_none(),
            "four rows only"
        );
        assert!(
            !t.has_subtree(&[1, 3, 6, 1, 2, 1, 1, 9, 1, 1]),
            "sysORIndex is not-accessible"
        );
    }

    #[test]
    fn sys_or_rows_are_an_input() {
        let mut s = system();
        s.or_entries
            .push((vec![1, 3, 6, 1, 4, 1, 99999, 2, 1], String::from("DQI-MIB")));
        s.or_entries
            .insert(0, (vec![7], String::from("not an OID: left out")));
        let t = Tree::from_entries(standard(&s, &engine()));
        assert!(t.get(&[1, 3, 6, 1, 2, 1, 1, 9, 1, 2, 1]).is_none());
        assert!(t.get(&[1, 3, 6, 1, 2, 1, 1, 9, 1, 3, 1]).is_none());
        assert_eq!(
            t.get(&[1, 3, 6, 1, 2, 1, 1, 9, 1, 2, 6]),
            value(oid(&[1, 3, 6, 1, 4, 1, 99999, 2, 1])).as_ref()
        );
        assert_eq!(
            t.get(&[1, 3, 6, 1, 2, 1, 1, 9, 1, 3, 6]),
            value(Value::octets("DQI-MIB")).as_ref()
        );
        s.or_entries.clear();
        let t = Tree::from_entries(standard(&s, &engine()));
        assert!(
            !t.has_subtree(&[1, 3, 6, 1, 2, 1, 1, 9]),
            "an empty sysORTable has no instances"
        );
    }

    #[test]
    fn every_counter_is_served_live_at_its_oid() {
        let t = tree();
        for c in Counter::ALL {
            assert_eq!(
                t.get(c.oid()),
                Some(&Entry::Live(Live::Counter(c))),
                "{}",
                c.name()
            );
        }
        // Spot checks of the counters' own table against the MIB modules.
        let spots: &[(Counter, &[u32])] = &[
            (Counter::SnmpInPkts, &[1, 3, 6, 1, 2, 1, 11, 1, 0]),
            (Counter::SnmpSilentDrops, &[1, 3, 6, 1, 2, 1, 11, 31, 0]),
            (
                Counter::SnmpInvalidMsgs,
                &[1, 3, 6, 1, 6, 3, 11, 2, 1, 2, 0],
            ),
            (
                Counter::SnmpUnknownContexts,
                &[1, 3, 6, 1, 6, 3, 12, 1, 5, 0],
            ),
            (
                Counter::UsmStatsDecryptionErrors,
                &[1, 3, 6, 1, 6, 3, 15, 1, 1, 6, 0],
            ),
        ];
        for (c, arcs) in spots {
            assert_eq!(c.oid(), *arcs, "{}", c.name());
        }
    }

    #[test]
    fn entries_are_unique_and_in_oid_order() {
        let entries = standard(&system(), &engine());
        assert!(
            entries.windows(2).all(|w| w[0].0 < w[1].0),
            "produced strictly increasing"
        );
        let t = Tree::from_entries(entries.clone());
        assert_eq!(t.len(), entries.len(), "no duplicates");
        let walked: Vec<&[u32]> = t.iter().map(|(k, _)| k).collect();
        assert!(walked.windows(2).all(|w| w[0] < w[1]));
        // 8 system scalars, 4 rows of 3 columns, the counters, snmpEnableAuthenTraps, 4 engine.
        assert_eq!(t.len(), 8 + 12 + Counter::ALL.len() + 1 + 4);
        // A GetNext walk from the root visits them all, in the same order.
        let mut cursor: Vec<u32> = Vec::new();
        let mut steps = 0;
        while let Some((k, _)) = t.next(&cursor) {
            assert!(k > cursor.as_slice());
            cursor = k.to_vec();
            steps += 1;
        }
        assert_eq!(steps, t.len());
        assert!(entries.iter().all(|(k, _)| encodable_oid(k).is_some()));
    }

    #[test]
    fn configured_values_are_kept_within_their_syntax() {
        let mut s = system();
        s.description = "é".repeat(200); // 400 octets of two-octet characters
        s.object_id = vec![9, 9];
        s.services = 1000;
        let t = Tree::from_entries(standard(&s, &engine()));
        match t.get(&[1, 3, 6, 1, 2, 1, 1, 1, 0]) {
            Some(Entry::Value(Value::OctetString(d))) => {
                assert_eq!(d.len(), 254, "cut to 255 octets at a character boundary");
                assert!(core::str::from_utf8(d).is_ok());
            }
            other => panic!("sysDescr.0: {other:?}"),
        }
        assert_eq!(
            t.get(&[1, 3, 6, 1, 2, 1, 1, 2, 0]),
            value(oid(&[0, 0])).as_ref(),
            "zeroDotZero"
        );
        assert_eq!(
            t.get(&[1, 3, 6, 1, 2, 1, 1, 7, 0]),
            value(Value::Integer(127)).as_ref()
        );
        s.services = -4;
        let t = Tree::from_entries(standard(&s, &engine()));
        assert_eq!(
            t.get(&[1, 3, 6, 1, 2, 1, 1, 7, 0]),
            value(Value::Integer(0)).as_ref()
        );
    }

    #[test]
    fn encodable_oid_follows_x690() {
        assert!(encodable_oid(&[1, 3]).is_some());
        assert!(encodable_oid(&[0, 39]).is_some());
        assert!(encodable_oid(&[2, u32::MAX - 80]).is_some());
        for bad in [
            &[][..],
            &[1],
            &[1, 40],
            &[0, 40],
            &[3, 1],
            &[2, u32::MAX - 79],
        ] {
            assert!(encodable_oid(bad).is_none(), "{bad:?}");
        }
    }
}
