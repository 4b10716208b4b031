//! The standard objects every agent serves. SKELETON: replaced by the PDU helper.
#![allow(missing_docs, unused_variables)]
use alloc::boxed::Box;
use alloc::string::String;
use alloc::vec::Vec;

use super::Entry;

/// The SNMPv2-MIB system group's configured values (RFC 3418 §2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct System {
    pub description: String,
    pub object_id: Vec<u32>,
    pub contact: String,
    pub name: String,
    pub location: String,
    pub services: i32,
}

/// The SNMP-FRAMEWORK-MIB snmpEngine group's fixed values (RFC 3411 §5).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Engine {
    pub engine_id: Vec<u8>,
    pub max_message_size: i32,
}

/// Every standard object instance: system group and sysORTable, snmp group counters,
/// snmpEngine, SNMP-MPD-MIB stats, snmpUnavailableContexts/snmpUnknownContexts, usmStats.
pub fn standard(system: &System, engine: &Engine) -> Vec<(Box<[u32]>, Entry)> {
    Vec::new()
}
