//! HOST-RESOURCES-MIB (RFC 2790) mirror: `hrSystemUptime` and `hrSystemDate` (resolved per
//! request from the driver's clock), and the software inventory as `hrSWInstalledTable`, so that
//! `snmpwalk ... hrSWInstalledName | grep -i log4j` works on a manager without DQI-MIB.
//!
//! `hrSWInstalledIndex` must run from 1 to the number of pieces of software (its DESCRIPTION), so
//! the mirror numbers rows densely in `dqiSwIndex` order; the stable, sparse index lives in
//! `dqiSwTable` only. A row's position here may therefore change when a component is removed.

use alloc::string::String;

use super::derived::{Stamps, sw_type};
use super::encode::{self, Sink, Table};
use super::{Live, Value, objects};
use crate::device::DeviceSnapshot;

/// `hrSystem`: host (1.3.6.1.2.1.25) 1.
const HR_SYSTEM: &[u32] = &[1, 3, 6, 1, 2, 1, 25, 1];
/// `hrSWInstalled`: host 6.
const HR_SW_INSTALLED: &[u32] = &[1, 3, 6, 1, 2, 1, 25, 6];
/// `hrSWInstalledEntry`: hrSWInstalledTable (hrSWInstalled 3) 1.
pub const HR_SW_INSTALLED_ENTRY: &[u32] = &[1, 3, 6, 1, 2, 1, 25, 6, 3, 1];
/// `hrSWInstalledName`: `InternationalDisplayString (SIZE (0..64))`.
pub const INSTALLED_NAME_MAX: usize = 64;
/// `unknownProduct` (HOST-RESOURCES-MIB: `{ 0 0 }`), the `hrSWInstalledID` of every row: SBOM
/// components have no registered product OID.
const UNKNOWN_PRODUCT: &[u32] = &[0, 0];

pub(crate) fn entries(sink: &mut Sink<'_>, snapshot: &DeviceSnapshot, stamps: &Stamps) {
    sink.live(HR_SYSTEM, 1, Live::HostUptime);
    sink.live(HR_SYSTEM, 2, Live::HostDate);
    // "when an entry was last added, renamed, or deleted": a version change renames the entry
    // (the name carries the version), so the inventory's last content change.
    sink.scalar(
        HR_SW_INSTALLED,
        1,
        Value::TimeTicks(stamps.software_changed),
    );
    // "when the hrSWInstalledTable was last completely updated": the last successful refresh.
    sink.scalar(
        HR_SW_INSTALLED,
        2,
        Value::TimeTicks(stamps.refreshed_uptime),
    );

    let unknown_product = objects::encodable_oid(UNKNOWN_PRODUCT).map(Value::ObjectId);
    let rows = snapshot.software.rows();
    let mut table = Table::new(HR_SW_INSTALLED_ENTRY, 1, 5, rows.len());
    for (row, i) in rows.iter().zip(1u32..) {
        // A 32-bit index beyond Integer32 cannot be served; no inventory comes near it.
        let Ok(index) = i32::try_from(i) else { break };
        table.cell(1, i, Value::Integer(index));
        table.cell(2, i, Value::octets(installed_name(&row.name, &row.version)));
        if let Some(id) = &unknown_product {
            table.cell(3, i, id.clone());
        }
        table.cell(4, i, Value::Integer(installed_type(sw_type(row.kind))));
        table.cell(5, i, encode::date(row.install_date.as_ref()));
    }
    table.finish(sink);
}

/// `hrSWInstalledName`: `"<name> <version>"` in at most 64 octets, made to fit by shortening
/// the name on a UTF-8 character boundary, never the version, which advisories match exactly.
///
/// When the version leaves no room for even one character of the name (a version of 63 octets
/// or more), the name alone is served, cut to 64 octets: a cut version would match the wrong
/// advisories, a missing one matches none, and the exact version stays in `dqiSwVersion`. An
/// empty version gives the name alone; an empty name, the version alone when it fits.
pub fn installed_name(name: &str, version: &str) -> String {
    let name = name.trim();
    if version.is_empty() {
        return String::from(encode::cut(name, INSTALLED_NAME_MAX));
    }
    if name.is_empty() {
        return if version.len() <= INSTALLED_NAME_MAX {
            String::from(version)
        } else {
            String::new()
        };
    }
    let room = INSTALLED_NAME_MAX.saturating_sub(version.len() + 1);
    let short = encode::cut(name, room);
    if short.is_empty() {
        return String::from(encode::cut(name, INSTALLED_NAME_MAX));
    }
    let mut out = String::with_capacity(short.len() + 1 + version.len());
    out.push_str(short.trim_end());
    out.push(' ');
    out.push_str(version);
    out
}

/// `hrSWInstalledType` from a `dqiSwType` value: application(1) as application(4),
/// operatingSystem(6) as operatingSystem(2), deviceDriver(8) as deviceDriver(3), every other
/// type as unknown(1) (DQI-MIB `dqiSwType`).
pub fn installed_type(dqi_type: i32) -> i32 {
    match dqi_type {
        1 => 4,
        6 => 2,
        8 => 3,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mib::dqi::fixture;
    use crate::mib::served::snapshot_objects;
    use crate::mib::{Entry, Tree};
    use alloc::format;
    use alloc::vec::Vec;

    fn cell(t: &Tree, column: u32, row: u32) -> Option<Entry> {
        let mut oid: Vec<u32> = HR_SW_INSTALLED_ENTRY.to_vec();
        oid.extend_from_slice(&[column, row]);
        t.get(&oid).cloned()
    }

    #[test]
    fn name_is_cut_in_the_name_never_in_the_version() {
        assert_eq!(installed_name("log4j-core", "2.14.1"), "log4j-core 2.14.1");
        assert_eq!(installed_name("openssl", ""), "openssl");
        assert_eq!(installed_name("", "1.0"), "1.0");
        // 60 × "ü" (120 octets) with a 7-octet version: 56 octets of name, i.e. 28 characters.
        let n = installed_name(&"ü".repeat(60), "1.2.3-r");
        assert_eq!(n, format!("{} 1.2.3-r", "ü".repeat(28)));
        assert_eq!(n.len(), 64);
        // Room for 55 octets: a three-octet character that would straddle is dropped whole.
        let n = installed_name(&"€".repeat(30), "12.34.56");
        assert_eq!(n, format!("{} 12.34.56", "€".repeat(18)));
        assert!(n.len() <= 64);
        assert!(n.ends_with(" 12.34.56"));
        // Exactly 64 octets fit as they are.
        let name = "n".repeat(56);
        assert_eq!(installed_name(&name, "1.0.0-a"), format!("{name} 1.0.0-a"));
        assert_eq!(
            installed_name(&format!("{name}n"), "1.0.0-a"),
            format!("{name} 1.0.0-a")
        );
        // A version of 63 octets leaves no room for a name character: the name alone.
        let v63 = "9".repeat(63);
        assert_eq!(installed_name("busybox", &v63), "busybox");
        let v62 = "9".repeat(62);
        assert_eq!(installed_name("busybox", &v62), format!("b {v62}"));
        assert_eq!(
            installed_name("€uro", &v62),
            "€uro",
            "no whole character fits"
        );
        assert_eq!(installed_name("", &"9".repeat(65)), "");
    }

    #[test]
    fn dense_index_in_stable_index_order() {
        let s = fixture::snapshot();
        let t = Tree::from_entries(snapshot_objects(&s, &fixture::stamps()));
        // Stable indexes 1, 2, 5, 7, 9, 12 become 1..=6.
        for (row, sw) in (1u32..).zip(s.software.rows()) {
            assert_eq!(
                cell(&t, 1, row),
                Some(Entry::Value(Value::Integer(row as i32)))
            );
            let name = installed_name(&sw.name, &sw.version);
            assert_eq!(cell(&t, 2, row), Some(Entry::Value(Value::octets(name))));
        }
        assert!(cell(&t, 1, 7).is_none());
        assert_eq!(
            cell(&t, 2, 6),
            Some(Entry::Value(Value::octets(
                "Überwachungsdienst für 2024.06.01-build.4711+sha.0123456789ab"
            )))
        );
        let types: Vec<Option<Entry>> = (1..=6).map(|r| cell(&t, 4, r)).collect();
        let expect = [4, 1, 2, 3, 1, 4].map(|v| Some(Entry::Value(Value::Integer(v))));
        assert_eq!(types, expect);
        assert_eq!(
            cell(&t, 3, 1),
            Some(Entry::Value(Value::oid(&[0, 0]).unwrap()))
        );
        assert_eq!(
            cell(&t, 5, 2),
            Some(Entry::Value(Value::octets([0, 0, 1, 1, 0, 0, 0, 0])))
        );
        let scalar = |arc: u32, sub: u32| t.get(&[1, 3, 6, 1, 2, 1, 25, arc, sub, 0]).cloned();
        assert_eq!(scalar(1, 1), Some(Entry::Live(Live::HostUptime)));
        assert_eq!(scalar(1, 2), Some(Entry::Live(Live::HostDate)));
        assert_eq!(scalar(6, 1), Some(Entry::Value(Value::TimeTicks(1200))));
        assert_eq!(scalar(6, 2), Some(Entry::Value(Value::TimeTicks(6000))));
    }
}
