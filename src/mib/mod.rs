//! The managed objects: an ordered OID tree with O(log n) exact and next lookups.
//!
//! The tree is built once from a snapshot (the device data gathered in advance plus the agent's
//! own configuration) and never touched on the request path except to read it. Objects whose
//! value changes per request (uptime, counters, engine time) are stored as a [`Live`] marker and
//! resolved by the agent at the moment of the request, so no device I/O ever happens while a
//! manager waits. Ordering is lexicographic on sub-identifiers, the order GetNext walks
//! (RFC 3416 §4.2.2).

pub mod budget;
pub mod derived;
pub mod dqi;
mod encode;
pub mod entity;
pub mod host;
pub mod names;
pub mod notify;
pub mod objects;
pub mod served;
mod tree;

use rasn::types::{ObjectIdentifier, OctetString};

use crate::stats::Counter;

pub use tree::Tree;

/// A value of one of the SMIv2 base types (RFC 2578 §7.1), as served.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// `INTEGER` / `Integer32`.
    Integer(i32),
    /// `OCTET STRING`; cheap to clone.
    OctetString(OctetString),
    /// `OBJECT IDENTIFIER`.
    ObjectId(ObjectIdentifier),
    /// `IpAddress`.
    IpAddress([u8; 4]),
    /// `Counter32`.
    Counter32(u32),
    /// `Gauge32` / `Unsigned32`.
    Gauge32(u32),
    /// `TimeTicks`, hundredths of a second.
    TimeTicks(u32),
    /// `Counter64`.
    Counter64(u64),
}

impl Value {
    /// An `OCTET STRING` holding a copy of `bytes`.
    pub fn octets(bytes: impl AsRef<[u8]>) -> Value {
        Value::OctetString(OctetString::from(bytes.as_ref()))
    }

    /// An `OBJECT IDENTIFIER` value; `None` when `arcs` is not an OID BER can encode (fewer
    /// than two sub-identifiers, a first arc above 2, or a second arc out of range).
    pub fn oid(arcs: &[u32]) -> Option<Value> {
        objects::encodable_oid(arcs).map(Value::ObjectId)
    }
}

/// An object whose value is computed when a request reads it, from the agent's state and the
/// request's `now`, instead of being fixed in the snapshot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Live {
    /// `sysUpTime`: hundredths of a second since the agent (re)started.
    SysUpTime,
    /// `snmpEngineBoots`.
    EngineBoots,
    /// `snmpEngineTime`: seconds since the last boot increment.
    EngineTime,
    /// One of the protocol counters in [`crate::stats`].
    Counter(Counter),
    /// HOST-RESOURCES-MIB `hrSystemUptime`: hundredths of a second since the host booted, as
    /// the driver reported it with [`crate::agent::Agent::set_clock`].
    HostUptime,
    /// HOST-RESOURCES-MIB `hrSystemDate`: the wall-clock date and time as `DateAndTime`, from
    /// the driver's clock report; the all-zero "unknown" date when the driver gave none.
    HostDate,
    /// A DQI-MIB request-budget object (`dqiAgent` .3 to .28), read from the agent's
    /// [`crate::budget::Budget`] (see [`budget`]).
    Budget(budget::BudgetObject),
    /// A counter of `dqiNotifyTable` (`dqiAgent` .39), read from the agent's notifier (see
    /// [`notify`]).
    Notify(notify::NotifyObject),
}

/// What the tree holds for one object instance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Entry {
    /// A value fixed when the tree was built.
    Value(Value),
    /// A value computed at request time.
    Live(Live),
}

/// Resolves [`Live`] entries at request time. The agent implements it over its counters and
/// clock; tests implement it with fixed numbers.
pub trait Resolve {
    /// The current value of `live`.
    fn resolve(&self, live: Live) -> Value;
}
