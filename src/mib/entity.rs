//! ENTITY-MIB (RFC 6933) mirror: one `entPhysicalTable` row for the device as a whole, and
//! `entLastChangeTime`, so inventory tools that know nothing of DQI-MIB (LibreNMS, Observium,
//! Zabbix and Checkmk templates, Netdisco) list the device with its serial, model, manufacturer,
//! revisions, manufacturing date, UUID and UDI.
//!
//! | column | value |
//! |---|---|
//! | `entPhysicalDescr` | `"<manufacturer> <brand> <model>"` |
//! | `entPhysicalVendorType` | the device's `sysObjectID` (its product OID), `dqiProductGeneric` unless configured |
//! | `entPhysicalContainedIn`, `entPhysicalParentRelPos` | 0, -1: the root |
//! | `entPhysicalClass` | chassis(3) |
//! | `entPhysicalName` | `"<brand> <model>"` |
//! | `entPhysicalHardwareRev`/`FirmwareRev`/`SoftwareRev` | the identity's revisions; firmware falls back to the first top-level firmware row, software to [`software_version`] |
//! | `entPhysicalSerialNum` | the serial when it fits 32 octets, else zero-length (never cut) |
//! | `entPhysicalMfgName`, `entPhysicalModelName` | manufacturer, model |
//! | `entPhysicalAlias`, `entPhysicalAssetID` | zero-length: the agent is read-only, so a manager cannot set them |
//! | `entPhysicalIsFRU` | false(2) |
//! | `entPhysicalMfgDate` | the UDI manufacturing date, else `'0000000000000000'H`, the ENTITY-MIB's own unknown value |
//! | `entPhysicalUris` | the UDI as a GS1 Digital Link URI (GS1 UDIs) and `urn:uuid:` of the unit UUID, space-separated |
//! | `entPhysicalUUID` | the unit UUID, 16 octets, or zero-length |

use alloc::format;
use alloc::string::String;

use super::derived::{ROOT_INDEX, Stamps, software_version};
use super::encode::{self, ADMIN_STRING_MAX, Sink};
use super::{Value, objects};
use crate::device::DeviceSnapshot;
use crate::device::model::{ComponentType, IssuingAgency, Udi};

/// `entPhysicalEntry`: ENTITY-MIB entityPhysical (1.3.6.1.2.1.47.1.1) entPhysicalTable 1.
pub const ENT_PHYSICAL_ENTRY: &[u32] = &[1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1];
/// `entityGeneral` (1.3.6.1.2.1.47.1.4): `entLastChangeTime` is its arc 1.
const ENTITY_GENERAL: &[u32] = &[1, 3, 6, 1, 2, 1, 47, 1, 4];
/// `IANAPhysicalClass` chassis(3).
const CLASS_CHASSIS: i32 = 3;
/// `entPhysicalMfgDate` when unknown: ENTITY-MIB's `'0000000000000000'H`.
const ENTITY_UNKNOWN_DATE: [u8; 8] = [0; 8];
/// `entPhysicalSerialNum`: SIZE (0..32).
const SERIAL_MAX: usize = 32;
/// The GS1 resolver domain of canonical GS1 Digital Link URIs (GS1 Digital Link standard 1.4).
const GS1_RESOLVER: &str = "https://id.gs1.org";

/// The row and `entLastChangeTime`; `vendor_type` is the product OID (`entPhysicalVendorType`).
pub(crate) fn entries(
    sink: &mut Sink<'_>,
    snapshot: &DeviceSnapshot,
    stamps: &Stamps,
    vendor_type: &[u32],
) {
    let id = &snapshot.identity;
    let i = ROOT_INDEX as u32;
    let e = ENT_PHYSICAL_ENTRY;
    let descr = join(&[&id.manufacturer, &id.brand, &id.model]);
    let name = join(&[&id.brand, &id.model]);
    let vendor = objects::encodable_oid(vendor_type).map(Value::ObjectId);
    let hardware = id.hardware_revision.as_deref();
    let software = software_version(snapshot);
    let mfg_date = id.udi.as_ref().and_then(|u| u.manufactured.as_ref());
    let uuid = id.uuid.as_deref().and_then(encode::uuid_octets);

    sink.cell(e, 2, i, encode::text(&descr, ADMIN_STRING_MAX));
    if let Some(vendor) = vendor {
        sink.cell(e, 3, i, vendor);
    }
    sink.cell(e, 4, i, Value::Integer(0));
    sink.cell(e, 5, i, Value::Integer(CLASS_CHASSIS));
    sink.cell(e, 6, i, Value::Integer(-1));
    sink.cell(e, 7, i, encode::text(&name, ADMIN_STRING_MAX));
    let rev = |s: Option<&str>, object: &str| encode::opt_ident(s, ADMIN_STRING_MAX, object, i);
    sink.cell(e, 8, i, rev(hardware, "entPhysicalHardwareRev"));
    sink.cell(
        e,
        9,
        i,
        rev(firmware_version(snapshot), "entPhysicalFirmwareRev"),
    );
    sink.cell(e, 10, i, rev(software, "entPhysicalSoftwareRev"));
    let serial = encode::ident(&id.serial, SERIAL_MAX, "entPhysicalSerialNum", i);
    sink.cell(e, 11, i, serial);
    sink.cell(e, 12, i, encode::text(&id.manufacturer, ADMIN_STRING_MAX));
    let model = encode::ident(&id.model, ADMIN_STRING_MAX, "entPhysicalModelName", i);
    sink.cell(e, 13, i, model);
    sink.cell(e, 14, i, Value::octets([]));
    sink.cell(e, 15, i, Value::octets([]));
    sink.cell(e, 16, i, encode::truth(false));
    let mfg = mfg_date.map_or_else(|| ENTITY_UNKNOWN_DATE.to_vec(), |d| d.date_and_time());
    sink.cell(e, 17, i, Value::octets(mfg));
    sink.cell(e, 18, i, Value::octets(uris(snapshot)));
    sink.cell(
        e,
        19,
        i,
        Value::octets(uuid.as_ref().map_or(&[][..], |u| &u[..])),
    );

    sink.scalar(ENTITY_GENERAL, 1, Value::TimeTicks(stamps.entity_changed));
}

/// The firmware revision: the identity's, else the version of the first top-level firmware
/// component of the inventory.
pub fn firmware_version(snapshot: &DeviceSnapshot) -> Option<&str> {
    snapshot
        .identity
        .firmware_revision
        .as_deref()
        .filter(|s| !s.is_empty())
        .or_else(|| {
            snapshot
                .software
                .rows()
                .iter()
                .find(|r| r.parent == 0 && r.kind == ComponentType::Firmware)
                .map(|r| r.version.as_str())
                .filter(|v| !v.is_empty())
        })
}

/// `entPhysicalUris`: the GS1 Digital Link URI of a GS1 UDI, then `urn:uuid:` of the unit UUID,
/// separated by a space; zero-length when there is neither.
pub fn uris(snapshot: &DeviceSnapshot) -> String {
    let id = &snapshot.identity;
    let mut out = String::new();
    if let Some(link) = id
        .udi
        .as_ref()
        .and_then(|u| gs1_digital_link(u, &id.serial))
    {
        out.push_str(&link);
    }
    if let Some(uuid) = id
        .uuid
        .as_deref()
        .filter(|u| encode::uuid_octets(u).is_some())
    {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str("urn:uuid:");
        out.push_str(&uuid.to_ascii_lowercase());
    }
    out
}

/// The UDI as a canonical GS1 Digital Link URI (GS1 Digital Link standard: URI syntax):
/// `https://id.gs1.org/01/<GTIN-14>[/10/<lot>][/21/<serial>][?11=<YYMMDD>&17=<YYMMDD>]`. The
/// GTIN is the device identifier (8, 12, 13 or 14 digits, padded to 14); key qualifiers in the
/// order the standard fixes (10 before 21), the dates as query attributes, every value
/// percent-encoded outside RFC 3986's unreserved characters. `None` unless the UDI follows GS1
/// and its DI is a GTIN.
pub fn gs1_digital_link(udi: &Udi, serial: &str) -> Option<String> {
    if udi.issuing_agency != IssuingAgency::Gs1 {
        return None;
    }
    let di = udi.di.trim();
    if !matches!(di.len(), 8 | 12 | 13 | 14) || !di.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut out = format!("{GS1_RESOLVER}/01/{di:0>14}");
    if let Some(lot) = udi.lot.as_deref().filter(|l| !l.is_empty()) {
        out.push_str("/10/");
        percent_encode(&mut out, lot);
    }
    if !serial.is_empty() {
        out.push_str("/21/");
        percent_encode(&mut out, serial);
    }
    let mut separator = '?';
    for (ai, date) in [("11", udi.manufactured), ("17", udi.expiry)] {
        if let Some(d) = date {
            let yy = d.year() % 100;
            out.push_str(&format!(
                "{separator}{ai}={yy:02}{:02}{:02}",
                d.month(),
                d.day()
            ));
            separator = '&';
        }
    }
    Some(out)
}

fn percent_encode(out: &mut String, value: &str) {
    for b in value.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
}

/// The non-empty parts joined by single spaces.
fn join(parts: &[&str]) -> String {
    let mut out = String::new();
    for p in parts.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mib::dqi::{DQI_PRODUCT_GENERIC, fixture};
    use crate::mib::served::snapshot_objects;
    use crate::mib::{Entry, Tree};
    use alloc::string::ToString;
    use alloc::vec::Vec;

    fn cell(t: &Tree, column: u32) -> Option<Value> {
        let mut oid: Vec<u32> = ENT_PHYSICAL_ENTRY.to_vec();
        oid.extend_from_slice(&[column, 1]);
        match t.get(&oid) {
            Some(Entry::Value(v)) => Some(v.clone()),
            _ => None,
        }
    }

    #[test]
    fn one_root_row() {
        let s = fixture::snapshot();
        let t = Tree::from_entries(snapshot_objects(&s, &fixture::stamps()));
        let text = |c: u32| match cell(&t, c) {
            Some(Value::OctetString(o)) => String::from_utf8(o.to_vec()).unwrap(),
            other => panic!("column {c}: {other:?}"),
        };
        assert_eq!(text(2), "Acme Medical Systems, Inc. InfuSafe IS-3000");
        assert_eq!(cell(&t, 3), Value::oid(DQI_PRODUCT_GENERIC));
        assert_eq!(cell(&t, 4), Some(Value::Integer(0)));
        assert_eq!(cell(&t, 5), Some(Value::Integer(3)));
        assert_eq!(cell(&t, 6), Some(Value::Integer(-1)));
        assert_eq!(text(7), "InfuSafe IS-3000");
        assert_eq!(
            (text(8), text(9), text(10)),
            ("C2".into(), "1.9.3".into(), "4.2.1".into())
        );
        assert_eq!(text(11), "IS3K-24-004217");
        assert_eq!(
            (text(12), text(13)),
            ("Acme Medical Systems, Inc.".into(), "IS-3000".into())
        );
        assert_eq!((text(14), text(15)), (String::new(), String::new()));
        assert_eq!(cell(&t, 16), Some(Value::Integer(2)));
        assert_eq!(
            cell(&t, 17),
            Some(Value::octets([0x07, 0xe8, 3, 14, 0, 0, 0, 0]))
        );
        assert_eq!(
            text(18),
            "https://id.gs1.org/01/00850012345673/10/L2403A/21/IS3K-24-004217?11=240314&17=340313 \
             urn:uuid:6f1c2e0a-8d4b-4f2e-9a57-3c1d0b7e5a92"
        );
        assert!(matches!(cell(&t, 19), Some(Value::OctetString(o)) if o.len() == 16));
        assert!(cell(&t, 1).is_none(), "entPhysicalIndex is not-accessible");
        assert_eq!(
            t.get(&[1, 3, 6, 1, 2, 1, 47, 1, 4, 1, 0]),
            Some(&Entry::Value(Value::TimeTicks(0)))
        );
        let next = t.next(&[1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 2, 1]).unwrap().0;
        assert_eq!(
            next,
            [1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 3, 1],
            "exactly one row"
        );
    }

    #[test]
    fn unknowns_and_limits() {
        let mut s = fixture::snapshot();
        s.identity.serial = "S".repeat(33);
        s.identity.udi = None;
        s.identity.uuid = None;
        s.identity.firmware_revision = None;
        let t = Tree::from_entries(snapshot_objects(&s, &fixture::stamps()));
        assert_eq!(
            cell(&t, 11),
            Some(Value::octets("")),
            "a serial is never cut"
        );
        assert_eq!(cell(&t, 17), Some(Value::octets([0; 8])));
        assert_eq!(cell(&t, 18), Some(Value::octets("")));
        assert_eq!(cell(&t, 19), Some(Value::octets("")));
        assert_eq!(
            cell(&t, 9),
            Some(Value::octets("1.9.3")),
            "the motor-fw row"
        );
        s.identity.serial = "S".repeat(32);
        let t = Tree::from_entries(snapshot_objects(&s, &fixture::stamps()));
        assert_eq!(cell(&t, 11), Some(Value::octets("S".repeat(32))));
    }

    #[test]
    fn digital_link_only_for_gs1_gtins() {
        let s = fixture::snapshot();
        let mut udi = s.identity.udi.clone().unwrap();
        udi.lot = Some("A B/1".to_string());
        udi.manufactured = None;
        udi.di = "850012345673".to_string();
        assert_eq!(
            gs1_digital_link(&udi, "").unwrap(),
            "https://id.gs1.org/01/00850012345673/10/A%20B%2F1?17=340313"
        );
        udi.di = "B123ABC12345".to_string();
        assert!(gs1_digital_link(&udi, "x").is_none(), "not a GTIN");
        udi.di = "00850012345673".to_string();
        udi.issuing_agency = IssuingAgency::Hibcc;
        assert!(gs1_digital_link(&udi, "x").is_none());
    }
}
