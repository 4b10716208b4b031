//! What the DQI-MIB tree and its mirrors (HOST-RESOURCES-MIB `hrSWInstalledTable`, ENTITY-MIB
//! `entPhysicalTable`) derive alike from one snapshot: the refresher's change stamps (and when
//! each part changed, [`Changed`]), the
//! device's main software version, a component's type code and the root entity's index. Kept
//! apart so that `mib/dqi`, `mib/host` and `mib/entity` each import from here and never from one
//! another.

use crate::device::model::ComponentType;
use crate::device::{DeviceSnapshot, Timestamp};

/// The `entPhysicalIndex` of the one row, the device itself (`dqiSwEntPhysicalIndex` of every
/// software row).
pub const ROOT_INDEX: i32 = 1;

/// What the refresher knows beyond the snapshot: when things changed, in `sysUpTime` terms, and
/// how the last refresh went. Filled by the refresher, read by [`super::served::snapshot_objects`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Stamps {
    /// sysUpTime (TimeTicks) when the software inventory content last changed (0 = since start).
    pub software_changed: u32,
    /// sysUpTime when the configuration facts last changed.
    pub config_changed: u32,
    /// sysUpTime when the health status last changed.
    pub health_changed: u32,
    /// sysUpTime when the physical entity data last changed (entLastChangeTime).
    pub entity_changed: u32,
    /// Wall-clock time of the last refresh attempt that succeeded.
    pub refreshed: Option<Timestamp>,
    /// The last refresh failed and the agent serves the previous snapshot.
    pub refresh_failed: bool,
    /// The configured refresh interval in seconds (dqiAgentRefreshInterval).
    pub refresh_interval: u32,
    /// Agent version string (dqiAgentVersion).
    pub agent_version: &'static str,
    /// sysUpTime of the last refresh that succeeded (0 = the load at start-up), for
    /// `hrSWInstalledLastUpdateTime`, which is TimeTicks, not a date. Added to the agreed shape:
    /// only the refresher knows it.
    pub refreshed_uptime: u32,
    /// How many refreshes found the configuration (dqiConfig scalars or dqiServiceTable)
    /// different since the agent started, for the Counter32 `dqiCfgChanges`. Added to the agreed
    /// shape: the MIB counts changes the agent observed, not the device's own lifetime count.
    pub config_changes: u32,
    /// sysUpTime when the VEX statements (`dqiVexDigest`) last changed (`dqiVexLastChange`).
    pub vex_changed: u32,
}

/// `sysUpTime` (hundredths) at which each part of the served snapshot last changed; 0 = not
/// since the agent started. The refresher and the C API's snapshot installs keep one.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Changed {
    /// The software inventory (`dqiSwLastChange`).
    pub software: u32,
    /// The configuration facts or services (`dqiCfgLastChange`).
    pub config: u32,
    /// The health status or reason (`dqiHealthLastChange`).
    pub health: u32,
    /// The identity (`entLastChangeTime`).
    pub entity: u32,
    /// The VEX statements (`dqiVexLastChange`).
    pub vex: u32,
}

impl Changed {
    /// The stamps after `old` became `new` at sysUpTime `uptime`: each moves only when its
    /// content changed.
    pub fn after(self, old: &DeviceSnapshot, new: &DeviceSnapshot, uptime: u32) -> Changed {
        // A change in the agent's first 10 ms must still read as a change, not as "since start".
        let at = uptime.max(1);
        let stamp = |moved: bool, before: u32| if moved { at } else { before };
        Changed {
            software: stamp(
                old.software.digest() != new.software.digest(),
                self.software,
            ),
            // dqiCfgLastChange covers dqiConfig and dqiServiceTable.
            config: stamp(
                old.configuration != new.configuration || old.services != new.services,
                self.config,
            ),
            // dqiHealthLastChange covers dqiHealthStatus and dqiHealthReason.
            health: stamp(
                old.health.status != new.health.status || old.health.reason != new.health.reason,
                self.health,
            ),
            // entLastChangeTime: the root entity's row comes from the identity.
            entity: stamp(old.identity != new.identity, self.entity),
            vex: stamp(old.vex.digest() != new.vex.digest(), self.vex),
        }
    }
}

/// The device's main software version, for `sysDescr` and `entPhysicalSoftwareRev`: the
/// description's `software_revision`, else the version of the component the first SBOM describes
/// (CycloneDX `metadata.component`, the device image), else none.
pub fn software_version(snapshot: &DeviceSnapshot) -> Option<&str> {
    snapshot
        .identity
        .software_revision
        .as_deref()
        .filter(|s| !s.is_empty())
        .or_else(|| {
            snapshot
                .software
                .documents()
                .iter()
                .filter_map(|d| d.subject.as_ref())
                .map(|(_, version)| version.as_str())
                .find(|v| !v.is_empty())
        })
}

/// `dqiSwType` value of a component type: CycloneDX 1.6 order from application(1); a type this
/// agent does not know is other(100).
pub fn sw_type(kind: ComponentType) -> i32 {
    match kind {
        ComponentType::Application => 1,
        ComponentType::Framework => 2,
        ComponentType::Library => 3,
        ComponentType::Container => 4,
        ComponentType::Platform => 5,
        ComponentType::OperatingSystem => 6,
        ComponentType::Device => 7,
        ComponentType::DeviceDriver => 8,
        ComponentType::Firmware => 9,
        ComponentType::File => 10,
        ComponentType::MachineLearningModel => 11,
        ComponentType::Data => 12,
        ComponentType::CryptographicAsset => 13,
        ComponentType::Other => 100,
    }
}
