//! What the DQI-MIB tree and its mirrors (HOST-RESOURCES-MIB `hrSWInstalledTable`, ENTITY-MIB
//! `entPhysicalTable`) derive alike from one snapshot: the refresher's change stamps, the
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
