//! The tree the agent serves, put together in one place.
//!
//! | part | built by | changes |
//! |---|---|---|
//! | system group, `sysORTable`, snmp group, snmpEngine, SNMP-MPD-MIB, usmStats | [`super::objects`] | per snapshot (`sysDescr`) |
//! | HOST-RESOURCES-MIB mirror | [`super::host`] | per snapshot |
//! | ENTITY-MIB mirror | [`super::entity`] | per snapshot |
//! | DQI-MIB device objects | [`super::dqi`] | per snapshot |
//! | DQI-MIB budget objects (`dqiAgent` .3 to .33, `dqiBudgetTable`) | [`super::budget`], as [`AgentObjects`] | never: the agent's own |
//!
//! The driver builds the first four with [`device_objects`] (off the request path: file I/O
//! and parsing happen before it), and [`assemble`] adds the agent's own objects. [`Served`], the
//! only tree the agent accepts after start-up, is made by [`assemble`] alone, so a tree without
//! the budget's objects cannot be installed: the cause of those objects once vanishing after a
//! device refresh.

use alloc::boxed::Box;
use alloc::sync::Arc;
use alloc::vec::Vec;

use super::dqi::{self, Stamps};
use super::encode::Sink;
use super::objects::{self, Engine, System};
use super::{Entry, Tree, entity, host};
use crate::device::DeviceSnapshot;

/// Object instances by OID, in any order (see [`Tree::from_entries`]).
pub type Entries = Vec<(Box<[u32]>, Entry)>;

/// The objects the agent serves of its own, beside the device's: the request budget's
/// (DQI-MIB `dqiAgent` .3 to .33 and `dqiBudgetTable`). Fixed when the agent starts (the table
/// has one row per configured user); cheap to clone.
#[derive(Debug, Clone)]
pub struct AgentObjects(Arc<[(Box<[u32]>, Entry)]>);

impl AgentObjects {
    /// Wraps the agent's own entries.
    pub(crate) fn new(entries: Entries) -> AgentObjects {
        AgentObjects(entries.into())
    }

    /// The entries, to extend (the notification receivers' table joins the budget's).
    pub(crate) fn entries(&self) -> &[(Box<[u32]>, Entry)] {
        &self.0
    }
}

/// A tree with the agent's own objects in it: what the agent serves.
#[derive(Debug, Clone)]
pub struct Served(Tree);

impl Served {
    /// The objects served.
    pub fn tree(&self) -> &Tree {
        &self.0
    }

    /// The entries, to assemble again with more of the agent's own objects.
    pub(crate) fn into_entries(self) -> Entries {
        self.0.into_entries()
    }
}

/// The device's side of the tree: the standard objects for `system` (refined by the snapshot's
/// identity, see [`dqi::system_for`]) and `engine`, and with a `device` snapshot its
/// [`snapshot_objects`].
pub fn device_objects(
    system: &System,
    engine: &Engine,
    device: Option<(&DeviceSnapshot, &Stamps)>,
) -> Entries {
    let Some((snapshot, stamps)) = device else {
        return objects::standard(system, engine);
    };
    let system = dqi::system_for(snapshot, system);
    let mut out = objects::standard(&system, engine);
    // entPhysicalVendorType of the device is its sysObjectID: one product OID for both.
    out.extend(objects_for(snapshot, stamps, &system.object_id));
    out
}

/// Every instance a snapshot gives: the DQI-MIB's device objects (all but the budget's) and
/// their HOST-RESOURCES-MIB and ENTITY-MIB mirrors, in strictly increasing OID order (which
/// [`Tree::from_entries`] does not need, but sorts faster).
///
/// `entPhysicalVendorType` is `dqiProductGeneric` here; [`device_objects`] serves the device's
/// `sysObjectID` there instead.
pub fn snapshot_objects(snapshot: &DeviceSnapshot, stamps: &Stamps) -> Entries {
    objects_for(snapshot, stamps, dqi::DQI_PRODUCT_GENERIC)
}

/// [`snapshot_objects`] with `vendor_type` as `entPhysicalVendorType`.
fn objects_for(snapshot: &DeviceSnapshot, stamps: &Stamps, vendor_type: &[u32]) -> Entries {
    // 15 dqiSwTable columns and 5 hrSWInstalledTable columns per row, ~100 other instances.
    let rows = snapshot.software.rows().len();
    let mut out = Vec::with_capacity(rows * 20 + 128 + snapshot.services.len() * 11);
    let mut sink = Sink::new(&mut out);
    // host (1.3.6.1.2.1.25), entity (.47), then the DQI root under enterprises.
    host::entries(&mut sink, snapshot, stamps);
    entity::entries(&mut sink, snapshot, stamps, vendor_type);
    dqi::entries(&mut sink, snapshot, stamps);
    out
}

/// The tree to serve: `objects` (the device's, from [`device_objects`], or any an embedder
/// chose) with the agent's own added; the agent's replace any entry at the same OID.
pub fn assemble(mut objects: Entries, agent: &AgentObjects) -> Served {
    objects.extend(agent.0.iter().cloned());
    Served(Tree::from_entries(objects))
}

#[cfg(test)]
impl AgentObjects {
    /// No objects of the agent's own, for tests of the device's side.
    pub(crate) fn none() -> AgentObjects {
        AgentObjects::new(Vec::new())
    }
}
