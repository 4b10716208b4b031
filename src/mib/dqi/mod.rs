//! STAND-IN for the DQI-MIB tree builder (branch `dqimib` writes the real one).
//!
//! Only the interface is fixed here: [`DQI_ROOT`], [`Stamps`], [`device_entries`] and
//! [`system_for`], so that the refresh driver and its integration tests run before the real
//! builder lands. It serves a small subset with the real OIDs and types: a few identity scalars,
//! the software scalars, some `dqiSwTable` columns, `dqiAgentVersion` and
//! `dqiAgentRefreshInterval`, four `entPhysicalTable` columns of the root row, and
//! `hrSWInstalledName`. Replace this directory whole with the real one at merge (the real
//! builder lives at the same path, `src/mib/dqi/mod.rs`, so the merge shows the conflict).

use alloc::boxed::Box;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use super::objects::System;
use super::{Entry, Value};
use crate::device::Timestamp;
use crate::device::model::{DeviceSnapshot, HashAlg};

/// `dqiMIB` (DQI-MIB's MODULE-IDENTITY): netSnmpPlaypen (1.3.6.1.4.1.8072.9999.9999) 374.
pub const DQI_ROOT: &[u32] = &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374];

/// What the driver knows about the snapshot beyond its content: when parts of it last changed
/// (sysUpTime hundredths at the change; 0 = unchanged since the agent started), and how the last
/// refresh went.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stamps {
    /// `dqiSwLastChange`, `hrSWInstalledLastChange`.
    pub software_changed: u32,
    /// `dqiCfgLastChange`.
    pub config_changed: u32,
    /// `dqiHealthLastChange`.
    pub health_changed: u32,
    /// `entLastChangeTime`.
    pub entity_changed: u32,
    /// `dqiSwLastRefresh`: when the sources were last read completely.
    pub refreshed: Option<Timestamp>,
    /// `dqiSwRefreshStatus`: failedServingPrevious(2) when true.
    pub refresh_failed: bool,
    /// `dqiAgentRefreshInterval`, seconds.
    pub refresh_interval: u32,
    /// `dqiAgentVersion`.
    pub agent_version: &'static str,
    /// sysUpTime of the last successful refresh (0 = the start-up load), for
    /// `hrSWInstalledLastUpdateTime` (TimeTicks). Not served by the stand-in.
    pub refreshed_uptime: u32,
    /// Refreshes that found the configuration different since start, for `dqiCfgChanges`. Not
    /// served by the stand-in.
    pub config_changes: u32,
}

/// `dqiSoftware` (dqiObjects 4).
const SOFTWARE: [u32; 2] = [1, 4];
/// `dqiSwEntry`.
const SW_ENTRY: [u32; 4] = [1, 4, 12, 1];
/// `hrSWInstalledEntry` (HOST-RESOURCES-MIB).
const HR_SW_INSTALLED_ENTRY: [u32; 11] = [1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 2];
/// `entPhysicalEntry` (ENTITY-MIB).
const ENT_PHYSICAL_ENTRY: [u32; 11] = [1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1];
/// DateAndTime "unknown".
const UNKNOWN_DATE: [u8; 8] = [0, 0, 1, 1, 0, 0, 0, 0];

/// The DQI-MIB objects and the HOST-RESOURCES/ENTITY mirrors for `snapshot` (stand-in subset).
pub fn device_entries(snapshot: &DeviceSnapshot, stamps: &Stamps) -> Vec<(Box<[u32]>, Entry)> {
    let mut out: Vec<(Box<[u32]>, Entry)> = Vec::new();
    let mut dqi = |arcs: &[u32], value: Value| {
        let oid: Vec<u32> = DQI_ROOT.iter().chain(arcs).copied().collect();
        out.push((oid.into_boxed_slice(), Entry::Value(value)));
    };
    let id = &snapshot.identity;
    dqi(&[1, 1, 1, 0], Value::octets(&id.manufacturer));
    dqi(&[1, 1, 2, 0], Value::octets(&id.brand));
    dqi(&[1, 1, 3, 0], Value::octets(&id.model));
    dqi(&[1, 1, 5, 0], Value::octets(&id.serial));

    let sw = &snapshot.software;
    let scalar = |n: u32| [SOFTWARE[0], SOFTWARE[1], n, 0];
    dqi(&scalar(1), Value::TimeTicks(stamps.software_changed));
    dqi(
        &scalar(2),
        Value::octets(
            stamps
                .refreshed
                .map_or(UNKNOWN_DATE.to_vec(), |t| t.date_and_time()),
        ),
    );
    dqi(
        &scalar(3),
        Value::Integer(if stamps.refresh_failed { 2 } else { 1 }),
    );
    dqi(
        &scalar(4),
        Value::Gauge32(u32::try_from(sw.rows().len()).unwrap_or(u32::MAX)),
    );
    dqi(&scalar(5), Value::octets(hex(sw.digest())));
    for row in sw.rows() {
        let col = |c: u32| {
            [
                SW_ENTRY[0],
                SW_ENTRY[1],
                SW_ENTRY[2],
                SW_ENTRY[3],
                c,
                row.index,
            ]
        };
        dqi(&col(2), Value::octets(&row.name));
        dqi(&col(3), Value::octets(&row.version));
        dqi(
            &col(4),
            Value::octets(row.supplier.as_deref().unwrap_or_default()),
        );
        dqi(
            &col(6),
            Value::octets(row.purl.as_deref().unwrap_or_default()),
        );
        let hash = row.strongest_hash();
        dqi(
            &col(8),
            Value::Integer(hash.map_or(1, |h| hash_alg_number(h.alg))),
        );
        dqi(
            &col(9),
            Value::octets(hash.map_or("", |h| h.value.as_str())),
        );
    }
    dqi(&[1, 5, 1, 0], Value::octets(stamps.agent_version));
    dqi(&[1, 5, 2, 0], Value::Gauge32(stamps.refresh_interval));

    let mut add = |prefix: &[u32], tail: &[u32], value: Value| {
        let oid: Vec<u32> = prefix.iter().chain(tail).copied().collect();
        out.push((oid.into_boxed_slice(), Entry::Value(value)));
    };
    add(
        &ENT_PHYSICAL_ENTRY,
        &[2, 1],
        Value::octets(format!("{} {}", id.brand, id.model)),
    );
    add(&ENT_PHYSICAL_ENTRY, &[11, 1], Value::octets(&id.serial));
    add(
        &ENT_PHYSICAL_ENTRY,
        &[12, 1],
        Value::octets(&id.manufacturer),
    );
    add(&ENT_PHYSICAL_ENTRY, &[13, 1], Value::octets(&id.model));
    for (n, row) in (1u32..).zip(sw.rows()) {
        add(
            &HR_SW_INSTALLED_ENTRY,
            &[n],
            Value::octets(format!("{} {}", row.name, row.version)),
        );
    }
    out
}

/// The system group for `snapshot`: sysDescr from the identity when there is one (stand-in: no
/// product sysObjectID, no sysORTable row).
pub fn system_for(snapshot: &DeviceSnapshot, base: &System) -> System {
    let id = &snapshot.identity;
    let mut system = base.clone();
    if !id.manufacturer.is_empty() {
        system.description = format!(
            "{} {} {} serial {}",
            id.manufacturer, id.brand, id.model, id.serial
        );
    }
    system
}

fn hash_alg_number(alg: HashAlg) -> i32 {
    match alg {
        HashAlg::Md5 => 2,
        HashAlg::Sha1 => 3,
        HashAlg::Sha224 => 4,
        HashAlg::Sha256 => 5,
        HashAlg::Sha384 => 6,
        HashAlg::Sha512 => 7,
        HashAlg::Sha3_256 => 8,
        HashAlg::Sha3_384 => 9,
        HashAlg::Sha3_512 => 10,
        HashAlg::Blake2b256 => 11,
        HashAlg::Blake2b384 => 12,
        HashAlg::Blake2b512 => 13,
        HashAlg::Blake3 => 14,
        HashAlg::Md2 => 15,
        HashAlg::Md4 => 16,
        HashAlg::Md6 => 17,
        HashAlg::Adler32 => 18,
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
