//! `dqiIdentity` (DQI-MIB dqiObjects 1): who the device is, its UDI, and `dqiSecControlTable`,
//! the MDS2 security capabilities and their state on this unit.

use super::IDENTITY;
use crate::device::DeviceSnapshot;
use crate::device::model::{IssuingAgency, SecurityControl};
use crate::mib::Value;
use crate::mib::encode::{self, Sink, Table};

/// `dqiSecControlEntry`: dqiSecControlTable (dqiIdentity 18) 1.
const SEC_CONTROL_ENTRY: [u32; super::R + 4] = super::under(&[1, 1, 18, 1]);

/// `dqiSecControlSection` values, from the MDS2 (ANSI/NEMA HN 1-2019) section codes in the form's
/// order; a code outside the list is other(99).
const SECTIONS: [&str; 22] = [
    "MPII", "ALOF", "AUDT", "AUTH", "CSUP", "DIDT", "DTBK", "EMRG", "IGAU", "MLDP", "NAUT", "CONN",
    "PAUT", "PLOK", "RDMP", "SBOM", "SAHD", "SGUD", "STCF", "TXCF", "TXIG", "RMOT",
];
/// `dqiSecControlSection` other(99).
const SECTION_OTHER: i32 = 99;

pub(super) fn entries(sink: &mut Sink<'_>, snapshot: &DeviceSnapshot) {
    let id = &snapshot.identity;
    let udi = id.udi.as_ref();
    let at = &IDENTITY;
    sink.scalar(at, 1, encode::text(&id.manufacturer, 128));
    sink.scalar(at, 2, encode::text(&id.brand, 128));
    sink.scalar(at, 3, encode::ident(&id.model, 64, "dqiIdModelNumber", 0));
    let catalog = id.catalog_number.as_deref();
    sink.scalar(
        at,
        4,
        encode::opt_ident(catalog, 64, "dqiIdCatalogNumber", 0),
    );
    sink.scalar(at, 5, encode::ident(&id.serial, 64, "dqiIdSerialNumber", 0));
    let hardware = id.hardware_revision.as_deref();
    sink.scalar(
        at,
        6,
        encode::opt_ident(hardware, 64, "dqiIdHardwareRevision", 0),
    );
    sink.scalar(at, 7, Value::Integer(issuer(udi.map(|u| u.issuing_agency))));
    let di = udi.map(|u| u.di.as_str());
    sink.scalar(
        at,
        8,
        encode::opt_ident(di, 23, "dqiUdiDeviceIdentifier", 0),
    );
    let lot = udi.and_then(|u| u.lot.as_deref());
    sink.scalar(at, 9, encode::opt_ident(lot, 64, "dqiUdiLotNumber", 0));
    sink.scalar(
        at,
        10,
        encode::date(udi.and_then(|u| u.manufactured.as_ref())),
    );
    sink.scalar(at, 11, encode::date(udi.and_then(|u| u.expiry.as_ref())));
    let printed = udi.and_then(|u| u.human_readable.as_deref());
    sink.scalar(at, 12, encode::opt_ident(printed, 255, "dqiUdiString", 0));
    let uuid = id.uuid.as_deref().and_then(encode::uuid_octets);
    sink.scalar(
        at,
        13,
        Value::octets(uuid.as_ref().map_or(&[][..], |u| &u[..])),
    );
    let code = id.fda_product_code.as_deref();
    sink.scalar(at, 14, encode::opt_ident(code, 8, "dqiIdFdaProductCode", 0));
    sink.scalar(at, 15, Value::Gauge32(gmdn(id.gmdn_code.as_deref())));
    let contact = id.vulnerability_disclosure_uri.as_deref();
    sink.scalar(
        at,
        16,
        encode::opt_ident(contact, 255, "dqiIdVulnContactUri", 0),
    );
    let mds2 = id.mds2_uri.as_deref();
    sink.scalar(at, 17, encode::opt_ident(mds2, 1024, "dqiIdMds2Uri", 0));

    let controls = &snapshot.security_controls;
    let mut table = Table::new(&SEC_CONTROL_ENTRY, 2, 6, controls.len());
    for (control, index) in controls.iter().zip(1u32..) {
        sec_control(&mut table, control, index);
    }
    table.finish(sink);
}

/// `dqiUdiIssuer`: none(1) without a UDI; gs1(2), hibcc(3), iccbba(4).
fn issuer(agency: Option<IssuingAgency>) -> i32 {
    match agency {
        None => 1,
        Some(IssuingAgency::Gs1) => 2,
        Some(IssuingAgency::Hibcc) => 3,
        Some(IssuingAgency::Iccbba) => 4,
    }
}

/// `dqiIdGmdnCode`, `Unsigned32 (0..999999)`: the code as a number; 0 when absent or not a
/// number in range (GMDN term codes are five or six digits).
fn gmdn(code: Option<&str>) -> u32 {
    code.map(str::trim)
        .filter(|c| !c.is_empty() && c.bytes().all(|b| b.is_ascii_digit()))
        .and_then(|c| c.parse::<u32>().ok())
        .filter(|&n| n <= 999_999)
        .unwrap_or(0)
}

/// `dqiSecControlSection` for an MDS2 code: its first four letters (a code may carry a question
/// number, `ALOF-1`) looked up in [`SECTIONS`].
fn section(code: &str) -> i32 {
    let prefix = code.get(..4).unwrap_or(code);
    SECTIONS
        .iter()
        .zip(1i32..)
        .find(|(s, _)| s.eq_ignore_ascii_case(prefix))
        .map_or(SECTION_OTHER, |(_, n)| n)
}

// One dqiSecControlTable row. The code is the row's identity (SIZE (1..16)): a row whose code
// cannot be served whole is left out rather than served under an empty or cut code.
fn sec_control(table: &mut Table<'_>, c: &SecurityControl, index: u32) {
    if c.code.len() > 16 {
        encode::too_long("dqiSecControlCode", index, c.code.len(), 16);
        return;
    }
    if c.code.is_empty() {
        return;
    }
    // notApplicable(3) when the model does not support the capability; the unit's state
    // otherwise. The snapshot always states both, so unknown(4) is not produced.
    let enabled = match (c.supported, c.enabled) {
        (false, _) => 3,
        (true, true) => 1,
        (true, false) => 2,
    };
    table.cell(2, index, Value::Integer(section(&c.code)));
    table.cell(3, index, Value::octets(&c.code));
    table.cell(4, index, Value::Integer(if c.supported { 1 } else { 2 }));
    table.cell(5, index, Value::Integer(enabled));
    table.cell(6, index, encode::opt_text(c.note.as_deref(), 255));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mib::Tree;
    use crate::mib::dqi::fixture;
    use crate::mib::dqi::fixture::value_at as get;
    use crate::mib::served::snapshot_objects;
    use alloc::string::ToString;

    #[test]
    fn identity_scalars() {
        let s = fixture::snapshot();
        let t = Tree::from_entries(snapshot_objects(&s, &fixture::stamps()));
        let id = |arc: u32| get(&t, &[1, 1, arc, 0]);
        assert_eq!(id(1), Some(Value::octets("Acme Medical Systems, Inc.")));
        assert_eq!(id(5), Some(Value::octets("IS3K-24-004217")));
        assert_eq!(id(7), Some(Value::Integer(2)), "gs1");
        assert_eq!(id(8), Some(Value::octets("00850012345673")));
        assert_eq!(
            id(10),
            Some(Value::octets([0x07, 0xe8, 3, 14, 0, 0, 0, 0])),
            "a date without a zone: 8 octets"
        );
        let uuid = [
            0x6f, 0x1c, 0x2e, 0x0a, 0x8d, 0x4b, 0x4f, 0x2e, 0x9a, 0x57, 0x3c, 0x1d, 0x0b, 0x7e,
            0x5a, 0x92,
        ];
        assert_eq!(id(13), Some(Value::octets(uuid)));
        assert_eq!(id(15), Some(Value::Gauge32(13215)));

        let mut bare = s.clone();
        bare.identity.udi = None;
        bare.identity.uuid = None;
        bare.identity.gmdn_code = Some("GMDN-1".to_string());
        bare.identity.serial = "S".repeat(65);
        let t = Tree::from_entries(snapshot_objects(&bare, &fixture::stamps()));
        let id = |arc: u32| get(&t, &[1, 1, arc, 0]);
        assert_eq!(id(7), Some(Value::Integer(1)), "none");
        assert_eq!(id(8), Some(Value::octets("")));
        assert_eq!(
            id(10),
            Some(Value::octets([0, 0, 1, 1, 0, 0, 0, 0])),
            "unknown"
        );
        assert_eq!(id(11), Some(Value::octets([0, 0, 1, 1, 0, 0, 0, 0])));
        assert_eq!(id(13), Some(Value::octets("")), "UUIDorZero: zero-length");
        assert_eq!(id(15), Some(Value::Gauge32(0)));
        assert_eq!(id(5), Some(Value::octets("")), "a serial is never cut");
    }

    #[test]
    fn security_control_rows() {
        let s = fixture::snapshot();
        let t = Tree::from_entries(snapshot_objects(&s, &fixture::stamps()));
        let cell = |col: u32, row: u32| get(&t, &[1, 1, 18, 1, col, row]);
        assert_eq!(cell(2, 1), Some(Value::Integer(2)), "ALOF is alof(2)");
        assert_eq!(cell(3, 1), Some(Value::octets("ALOF")));
        assert_eq!(cell(5, 1), Some(Value::Integer(1)), "enabled");
        assert_eq!(cell(4, 2), Some(Value::Integer(2)), "MLDP not supported");
        assert_eq!(cell(5, 2), Some(Value::Integer(3)), "notApplicable");
        assert_eq!(
            cell(5, 3),
            Some(Value::Integer(2)),
            "RMOT supported, disabled"
        );
        assert_eq!(cell(2, 4), Some(Value::Integer(99)), "CNFS is other(99)");
        assert_eq!(cell(6, 2), Some(Value::octets("")));
        assert_eq!(cell(2, 5), None);
        assert_eq!(section("TXCF-2"), 20);
        assert_eq!(section("rmot"), 22);
        assert_eq!(section("X"), 99);
    }
}
