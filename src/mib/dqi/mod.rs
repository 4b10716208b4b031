//! DQI-MIB (`mibs/DQI-MIB.txt`): the device snapshot as served object instances, and the mirrors
//! of the same facts into the MIBs every NMS already reads.
//!
//! The DQI-MIB's device objects come from one [`DeviceSnapshot`] plus what the refresher knows
//! beyond it ([`Stamps`]); [`system_for`] derives the SNMPv2-MIB system group from the
//! identity. Both run off the request path, once per refresh, called by
//! [`super::served::device_objects`], which puts them beside the mirrors below.
//!
//! | subtree | module | MIB |
//! |---|---|---|
//! | `dqiIdentity` (incl. `dqiSecControlTable`) | [`identity`] | DQI-MIB |
//! | `dqiHealth`, `dqiAgentVersion`, `dqiAgentRefreshInterval` | here | DQI-MIB |
//! | `dqiConfig` (incl. `dqiServiceTable`) | [`config`] | DQI-MIB |
//! | `dqiSoftware` (incl. `dqiSwTable`, `dqiSbomTable`) | [`software`] | DQI-MIB |
//! | `dqiSwByNameTable`, `dqiSwByPurlTable` | [`lookup`] | DQI-MIB |
//! | `dqiVex` (incl. `dqiVexTable`) | [`vex`] | DQI-MIB |
//!
//! The mirrors of the same facts into the MIBs every NMS already reads, `entPhysicalTable`'s
//! root row ([`super::entity`], ENTITY-MIB) and `hrSWInstalled*` ([`super::host`],
//! HOST-RESOURCES-MIB), read this module's constants; it does not build them.
//!
//! Every OID here is derived from [`DQI_ROOT`], the one place the code names the module's root.
//! The request-budget objects (`dqiBudget*`) are not produced here: they are the agent's own
//! ([`super::served::AgentObjects`]), [`super::Live`] entries read from its budget.

pub mod config;
pub mod identity;
pub mod lookup;
pub mod software;
pub mod vex;

pub use super::derived::{Stamps, software_version};

use alloc::format;
use alloc::string::String;

use super::Value;
use super::encode::{self, ADMIN_STRING_MAX, Sink};
use super::objects::System;
use crate::device::DeviceSnapshot;
use crate::device::model::{HealthStatus, SelfTestResult};

/// The root of DQI-MIB, `dqiMIB`: netSnmpPlaypen.374 (1.3.6.1.4.1.8072.9999.9999.374).
///
/// A test shared space, not an assigned number: it MUST move to an IANA Private Enterprise Number
/// before production (see `mibs/README.md`). The MIB states it once (`::= { netSnmpPlaypen 374 }`);
/// this is its one statement in code, and `tests/mib_consistency.rs` checks that they agree.
pub const DQI_ROOT: &[u32] = &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374];

const R: usize = DQI_ROOT.len();

/// `DQI_ROOT` followed by `arcs`, evaluated at compile time. `N` must be the total length; a
/// wrong `N` fails the build.
pub(crate) const fn under<const N: usize>(arcs: &[u32]) -> [u32; N] {
    assert!(N == R + arcs.len(), "OID length");
    let mut out = [0u32; N];
    let mut i = 0;
    while i < R {
        out[i] = DQI_ROOT[i];
        i += 1;
    }
    let mut j = 0;
    while j < arcs.len() {
        out[R + j] = arcs[j];
        j += 1;
    }
    out
}

/// `dqiProductGeneric` (dqiProducts 1): `sysObjectID` and `entPhysicalVendorType` of a device
/// whose configuration names no product OID of its own.
pub const DQI_PRODUCT_GENERIC: &[u32] = &under::<{ R + 2 }>(&[3, 1]);
/// `dqiProductDemoInfusionPump` (dqiProducts 2): `sysObjectID` of the demonstration mode only.
pub const DQI_PRODUCT_DEMO: &[u32] = &under::<{ R + 2 }>(&[3, 2]);
/// `dqiBasicCompliance` (dqiCompliances 1): the capabilities statement named in `sysORTable`.
pub const DQI_BASIC_COMPLIANCE: &[u32] = &under::<{ R + 3 }>(&[2, 1, 1]);
/// `dqiFullCompliance` (dqiCompliances 2). Not claimed: it mandates `dqiNotificationGroup`, and
/// this agent sends no notifications (see [`DQI_OR_ID`]).
pub const DQI_FULL_COMPLIANCE: &[u32] = &under::<{ R + 3 }>(&[2, 1, 2]);

/// The `sysORID` of DQI-MIB's `sysORTable` row. The row names the compliance statement the agent
/// meets in full, as [`System::standard_or_entries`] does for the IETF modules: the basic one,
/// whose mandatory groups (identity, software, agent, budget) are served, and whose optional
/// groups the agent serves too, except the notifications. `dqiFullCompliance` also mandates
/// `dqiNotificationGroup`; switch to [`DQI_FULL_COMPLIANCE`] when the agent sends them.
pub const DQI_OR_ID: &[u32] = DQI_BASIC_COMPLIANCE;
/// The `sysORDescr` of DQI-MIB's row.
pub const DQI_OR_DESCR: &str = "DQI-MIB: medical device identity, health, configuration and \
                                software inventory (dqiBasicCompliance)";

/// `dqiIdentity`: dqiObjects 1.
pub(crate) const IDENTITY: [u32; R + 2] = under(&[1, 1]);
/// `dqiHealth`: dqiObjects 2.
pub(crate) const HEALTH: [u32; R + 2] = under(&[1, 2]);
/// `dqiConfig`: dqiObjects 3.
pub(crate) const CONFIG: [u32; R + 2] = under(&[1, 3]);
/// `dqiSoftware`: dqiObjects 4.
pub(crate) const SOFTWARE: [u32; R + 2] = under(&[1, 4]);
/// `dqiAgent`: dqiObjects 5.
pub(crate) const AGENT: [u32; R + 2] = under(&[1, 5]);

/// The `sysObjectID` net-snmp and this agent's configuration fall back to when
/// `system.object_id` is not set (`crate::config::DEFAULT_OBJECT_ID`, netSnmpAgentOIDs.10): a
/// value nobody chose for the device, which [`system_for`] replaces with [`DQI_PRODUCT_GENERIC`].
pub const UNCHOSEN_OBJECT_ID: &[u32] = &[1, 3, 6, 1, 4, 1, 8072, 3, 2, 10];

/// Every DQI-MIB instance under dqiIdentity, dqiHealth, dqiConfig, dqiSoftware,
/// `dqiAgentVersion` and `dqiAgentRefreshInterval`, in OID order, scalars by arc and tables
/// column by column.
pub(crate) fn entries(sink: &mut Sink<'_>, snapshot: &DeviceSnapshot, stamps: &Stamps) {
    identity::entries(sink, snapshot);
    health(sink, snapshot, stamps);
    config::entries(sink, snapshot, stamps);
    software::entries(sink, snapshot, stamps);
    agent(sink, stamps);
    vex::entries(sink, snapshot, stamps);
}

/// The system group for this device: `base` (from the agent configuration) with
///
/// - `sysDescr` built from the identity as
///   `"<manufacturer> <model> HW <hardware revision>, software <version>"`, an absent revision or
///   version written `unknown` so the shape never changes (see [`sys_descr`]); `base`'s
///   description is kept when the snapshot names neither manufacturer nor model;
/// - `sysObjectID` [`DQI_PRODUCT_GENERIC`] unless the configuration chose one: a configured value
///   is kept, except the empty OID, `zeroDotZero` and [`UNCHOSEN_OBJECT_ID`], which the
///   configuration serves when `system.object_id` is not set (the demo sets
///   [`DQI_PRODUCT_DEMO`] explicitly);
/// - DQI-MIB's `sysORTable` row ([`DQI_OR_ID`]) appended to `base.or_entries`, once.
pub fn system_for(snapshot: &DeviceSnapshot, base: &System) -> System {
    let mut system = base.clone();
    let id = &snapshot.identity;
    if !id.manufacturer.is_empty() || !id.model.is_empty() {
        system.description = sys_descr(snapshot);
    }
    let unchosen = matches!(system.object_id.as_slice(), [] | [0, 0])
        || system.object_id == UNCHOSEN_OBJECT_ID;
    if unchosen {
        system.object_id = DQI_PRODUCT_GENERIC.to_vec();
    }
    if !system.or_entries.iter().any(|(oid, _)| oid == DQI_OR_ID) {
        system
            .or_entries
            .push((DQI_OR_ID.to_vec(), String::from(DQI_OR_DESCR)));
    }
    system
}

/// `"<manufacturer> <model> HW <hardware revision>, software <version>"`, at most 255 octets.
///
/// The software version is [`software_version`]. When the whole is longer than `sysDescr` allows,
/// the manufacturer is shortened (on a character boundary), so the model and revisions, which
/// parsers match on, stay whole.
pub fn sys_descr(snapshot: &DeviceSnapshot) -> String {
    let id = &snapshot.identity;
    let hardware = id.hardware_revision.as_deref().filter(|s| !s.is_empty());
    let tail = format!(
        " {} HW {}, software {}",
        id.model,
        hardware.unwrap_or("unknown"),
        software_version(snapshot).unwrap_or("unknown")
    );
    let room = ADMIN_STRING_MAX.saturating_sub(tail.len());
    let mut out = String::from(encode::cut(&id.manufacturer, room));
    out.push_str(&tail);
    String::from(encode::cut(&out, ADMIN_STRING_MAX))
}

// dqiHealth (DQI-MIB dqiObjects 2).
fn health(sink: &mut Sink<'_>, snapshot: &DeviceSnapshot, stamps: &Stamps) {
    let h = &snapshot.health;
    let status = match h.status {
        HealthStatus::Ok => 1,
        HealthStatus::Degraded => 2,
        HealthStatus::Fault => 3,
        HealthStatus::Maintenance => 4,
        HealthStatus::Unknown => 5,
    };
    let self_test = match h.self_test {
        SelfTestResult::Passed => 1,
        SelfTestResult::Failed => 3,
        SelfTestResult::NotRun => 4,
    };
    sink.scalar(&HEALTH, 1, Value::Integer(status));
    sink.scalar(&HEALTH, 2, encode::text(&h.reason, 255));
    sink.scalar(&HEALTH, 3, Value::TimeTicks(stamps.health_changed));
    sink.scalar(&HEALTH, 4, Value::Integer(self_test));
    sink.scalar(&HEALTH, 5, encode::date(h.self_test_time.as_ref()));
}

// dqiAgentVersion and dqiAgentRefreshInterval (dqiAgent 1, 2).
fn agent(sink: &mut Sink<'_>, stamps: &Stamps) {
    sink.scalar(
        &AGENT,
        1,
        encode::ident(stamps.agent_version, 64, "dqiAgentVersion", 0),
    );
    sink.scalar(&AGENT, 2, Value::Gauge32(stamps.refresh_interval));
}

#[cfg(test)]
pub(crate) mod fixture;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mib::objects::{self, Engine};
    use crate::mib::served::snapshot_objects;
    use crate::mib::{Entry, Tree};
    use alloc::string::ToString;
    use alloc::vec;

    #[test]
    fn oids_derive_from_the_root() {
        assert_eq!(
            DQI_PRODUCT_GENERIC,
            [1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 3, 1]
        );
        assert_eq!(
            DQI_PRODUCT_DEMO,
            [1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 3, 2]
        );
        assert_eq!(
            DQI_BASIC_COMPLIANCE,
            [1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 1, 1]
        );
        assert_eq!(&SOFTWARE[..R], DQI_ROOT);
        assert_eq!(&SOFTWARE[R..], [1, 4]);
    }

    #[test]
    fn sys_descr_has_a_fixed_shape() {
        let s = fixture::snapshot();
        assert_eq!(
            sys_descr(&s),
            "Acme Medical Systems, Inc. IS-3000 HW C2, software 4.2.1"
        );
        let mut bare = s.clone();
        bare.identity.hardware_revision = None;
        bare.identity.software_revision = None;
        // Falls back to the SBOM's subject version.
        assert_eq!(
            sys_descr(&bare),
            "Acme Medical Systems, Inc. IS-3000 HW unknown, software 4.2.0-sbom"
        );
        bare.software = Default::default();
        assert_eq!(
            sys_descr(&bare),
            "Acme Medical Systems, Inc. IS-3000 HW unknown, software unknown"
        );
        // A manufacturer too long for sysDescr is shortened, the model and versions are not.
        let mut long = s.clone();
        long.identity.manufacturer = "é".repeat(200);
        let d = sys_descr(&long);
        assert!(d.len() <= 255);
        assert!(d.ends_with(" IS-3000 HW C2, software 4.2.1"), "{d}");
        assert!(d.starts_with("éé"));
    }

    fn base() -> System {
        System {
            description: "configured".to_string(),
            object_id: UNCHOSEN_OBJECT_ID.to_vec(),
            contact: "c".to_string(),
            name: "n".to_string(),
            location: "l".to_string(),
            services: 72,
            or_entries: System::standard_or_entries(),
        }
    }

    #[test]
    fn system_for_the_device() {
        let s = fixture::snapshot();
        let sys = system_for(&s, &base());
        assert_eq!(sys.description, sys_descr(&s));
        assert_eq!(sys.object_id, DQI_PRODUCT_GENERIC);
        assert_eq!(sys.or_entries.len(), 5);
        assert_eq!(sys.or_entries[4].0, DQI_OR_ID);
        assert_eq!(
            system_for(&s, &sys).or_entries.len(),
            5,
            "the row is added once"
        );
        let mut chosen = base();
        chosen.object_id = vec![1, 3, 6, 1, 4, 1, 99999, 7];
        assert_eq!(
            system_for(&s, &chosen).object_id,
            [1, 3, 6, 1, 4, 1, 99999, 7]
        );
        chosen.object_id = DQI_PRODUCT_DEMO.to_vec();
        assert_eq!(system_for(&s, &chosen).object_id, DQI_PRODUCT_DEMO);
        let sys = system_for(&DeviceSnapshot::default(), &base());
        assert_eq!(sys.description, "configured", "no identity: kept");
    }

    /// entPhysicalVendorType is the product OID the device serves as sysObjectID, generic or
    /// configured.
    #[test]
    fn the_entity_vendor_type_is_the_sys_object_id() {
        let s = fixture::snapshot();
        let engine = Engine {
            engine_id: vec![0x80, 0, 0x1f, 0x88, 4, b'd', b'q', b'i'],
            max_message_size: 1472,
        };
        let mut chosen = base();
        for (configured, served) in [
            (UNCHOSEN_OBJECT_ID.to_vec(), DQI_PRODUCT_GENERIC.to_vec()),
            (DQI_PRODUCT_DEMO.to_vec(), DQI_PRODUCT_DEMO.to_vec()),
            (
                vec![1, 3, 6, 1, 4, 1, 99999, 7],
                vec![1, 3, 6, 1, 4, 1, 99999, 7],
            ),
        ] {
            chosen.object_id = configured;
            let tree = Tree::from_entries(crate::mib::served::device_objects(
                &chosen,
                &engine,
                Some((&s, &fixture::stamps())),
            ));
            let value = |oid: &[u32]| match tree.get(oid) {
                Some(Entry::Value(v)) => v.clone(),
                other => panic!("{oid:?}: {other:?}"),
            };
            let vendor_type = value(&[1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 3, 1]);
            assert_eq!(value(&[1, 3, 6, 1, 2, 1, 1, 2, 0]), vendor_type);
            assert_eq!(Some(vendor_type), Value::oid(&served));
        }
    }

    #[test]
    fn entries_form_a_valid_tree_with_the_standard_objects() {
        let s = fixture::snapshot();
        let stamps = fixture::stamps();
        let device = snapshot_objects(&s, &stamps);
        assert!(
            device.windows(2).all(|w| w[0].0 < w[1].0),
            "produced in OID order"
        );
        let engine = Engine {
            engine_id: vec![0x80, 0, 0x1f, 0x88, 4, b'd', b'q', b'i'],
            max_message_size: 1472,
        };
        let standard = objects::standard(&system_for(&s, &base()), &engine);
        let mut all = standard.clone();
        all.extend(device.iter().cloned());
        let tree = Tree::from_entries(all);
        assert_eq!(
            tree.len(),
            standard.len() + device.len(),
            "no OID is served twice"
        );
        for (oid, _) in tree.iter() {
            assert!(objects::encodable_oid(oid).is_some(), "{oid:?}");
        }
        for (oid, entry) in &device {
            if let Entry::Value(Value::OctetString(o)) = entry {
                assert!(o.len() <= 1024, "{oid:?}: {} octets", o.len());
            }
        }
    }
}
