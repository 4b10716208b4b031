//! AgentX (RFC 2741), the subagent side, sans I/O: the PDU codec and the answers to the master
//! agent's reads.
//!
//! On a device that already runs a master agent (net-snmp's `snmpd`), the DQI-MIB is served
//! through it: the master does SNMP, USM and views, and forwards the reads under the subtrees
//! this subagent registered. This module owns what crosses that connection; the connection
//! itself (socket, reconnects, the session's rate limit) is the driver's (`server/agentx.rs`).
//!
//! | piece | RFC 2741 | here |
//! |---|---|---|
//! | header, byte order, payload length | §6.1 | [`Header`] |
//! | OIDs with the `1.3.6.1.x` prefix, octet strings, search ranges, varbinds | §5.1 to §5.4 | `codec.rs` |
//! | Open, Register, Ping, Close, Response sent by the subagent | §6.2.1 to §6.2.3, §6.2.13, §6.2.16 | [`encode`] |
//! | what the master sends: Get, GetNext, GetBulk, the Set phases, Response, Close | §6.2 | [`decode`] |
//! | Get, GetNext, GetBulk over search ranges | §7.2.3.1 to §7.2.3.3 | [`answer`] |
//!
//! Every field from the master is bounds-checked: a PDU that does not parse is a [`DecodeError`],
//! never a panic, and the driver answers it with `parseError` or closes the session.

mod answer;
mod codec;
#[cfg(test)]
mod tests;

pub use answer::{Limits, answer};
pub use codec::{DecodeError, decode, encode, header};

use alloc::vec::Vec;

/// The protocol version in every header (RFC 2741 §6.1).
pub const VERSION: u8 = 1;
/// The fixed header's length (RFC 2741 §6.1).
pub const HEADER_LEN: usize = 20;
/// The largest payload accepted from the master: one SNMP message's worth of bindings fits
/// (65507 octets), so anything larger is a broken or hostile peer.
pub const MAX_PAYLOAD: usize = 65_536;
/// OIDs in AgentX carry at most 128 sub-identifiers (RFC 2741 §5.1).
pub const MAX_SUBIDS: usize = 128;

/// `h.flags` bits (RFC 2741 §6.1).
pub mod flags {
    /// The Register is for one instance.
    pub const INSTANCE_REGISTRATION: u8 = 0x01;
    /// A context octet string follows the header.
    pub const NON_DEFAULT_CONTEXT: u8 = 0x08;
    /// Multi-octet fields are big-endian.
    pub const NETWORK_BYTE_ORDER: u8 = 0x10;
}

/// `h.type` values (RFC 2741 §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
#[allow(missing_docs)] // each variant is the RFC 2741 name of its PDU
pub enum PduType {
    Open = 1,
    Close = 2,
    Register = 3,
    Unregister = 4,
    Get = 5,
    GetNext = 6,
    GetBulk = 7,
    TestSet = 8,
    CommitSet = 9,
    UndoSet = 10,
    CleanupSet = 11,
    Notify = 12,
    Ping = 13,
    IndexAllocate = 14,
    IndexDeallocate = 15,
    AddAgentCaps = 16,
    RemoveAgentCaps = 17,
    Response = 18,
}

impl PduType {
    /// The type for an `h.type` octet, `None` for values RFC 2741 does not define.
    pub fn from_u8(value: u8) -> Option<PduType> {
        use PduType::*;
        Some(match value {
            1 => Open,
            2 => Close,
            3 => Register,
            4 => Unregister,
            5 => Get,
            6 => GetNext,
            7 => GetBulk,
            8 => TestSet,
            9 => CommitSet,
            10 => UndoSet,
            11 => CleanupSet,
            12 => Notify,
            13 => Ping,
            14 => IndexAllocate,
            15 => IndexDeallocate,
            16 => AddAgentCaps,
            17 => RemoveAgentCaps,
            18 => Response,
            _ => return None,
        })
    }
}

/// `res.error` values (RFC 2741 §6.2.16), besides the SNMP error-status values (RFC 3416 §3),
/// which a Response to a read or a Set phase may also carry.
#[allow(missing_docs)] // each constant is the RFC 2741 name of its value
pub mod error {
    pub const NO_ERROR: u16 = 0;
    pub const GEN_ERR: u16 = 5;
    pub const NOT_WRITABLE: u16 = 17;
    pub const COMMIT_FAILED: u16 = 14;
    pub const UNDO_FAILED: u16 = 15;
    pub const OPEN_FAILED: u16 = 256;
    pub const NOT_OPEN: u16 = 257;
    pub const UNSUPPORTED_CONTEXT: u16 = 262;
    pub const DUPLICATE_REGISTRATION: u16 = 263;
    pub const UNKNOWN_REGISTRATION: u16 = 264;
    pub const PARSE_ERROR: u16 = 266;
    pub const REQUEST_DENIED: u16 = 267;
    pub const PROCESSING_ERROR: u16 = 268;
}

/// `close.reason` values (RFC 2741 §6.2.2).
#[allow(missing_docs)] // each constant is the RFC 2741 name of its value
pub mod reason {
    pub const OTHER: u8 = 1;
    pub const PARSE_ERROR: u8 = 2;
    pub const PROTOCOL_ERROR: u8 = 3;
    pub const TIMEOUTS: u8 = 4;
    pub const SHUTDOWN: u8 = 5;
    pub const BY_MANAGER: u8 = 6;
}

/// The fixed header of every PDU (RFC 2741 §6.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Header {
    /// `h.type`, as sent (it may be a type this module does not know).
    pub kind: u8,
    /// `h.flags`.
    pub flags: u8,
    /// `h.sessionID`: assigned by the master in its Response to Open.
    pub session_id: u32,
    /// `h.transactionID`: ties the PDUs of one SNMP request together.
    pub transaction_id: u32,
    /// `h.packetID`: a Response carries the packetID of the PDU it answers.
    pub packet_id: u32,
    /// `h.payload_length`: octets after the header, a multiple of 4.
    pub payload_length: u32,
}

impl Header {
    /// A header for a PDU the subagent sends, in network byte order; the length is filled in
    /// by [`encode`].
    pub fn new(kind: PduType, session_id: u32, transaction_id: u32, packet_id: u32) -> Header {
        Header {
            kind: kind as u8,
            flags: flags::NETWORK_BYTE_ORDER,
            session_id,
            transaction_id,
            packet_id,
            payload_length: 0,
        }
    }

    /// The PDU type, `None` for a value RFC 2741 does not define.
    pub fn pdu_type(&self) -> Option<PduType> {
        PduType::from_u8(self.kind)
    }
}

/// An object identifier as AgentX carries it, with the `include` flag of a search range's start
/// (RFC 2741 §5.1).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Oid {
    /// The sub-identifiers, prefix expanded.
    pub subids: Vec<u32>,
    /// `include`: the start of a search range is itself a candidate.
    pub include: bool,
}

impl Oid {
    /// The null OID (no sub-identifiers), which ends an unbounded search range.
    pub fn is_null(&self) -> bool {
        self.subids.is_empty()
    }
}

/// A SearchRange (RFC 2741 §5.2): a read asks about the instances from `start` (inclusive when
/// `start.include`) up to `end` (exclusive; the null OID for no bound).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SearchRange {
    /// The start of the range; for a Get, the instance asked for.
    pub start: Oid,
    /// The end of the range, exclusive; null for no end.
    pub end: Oid,
}

/// A VarBind's value (RFC 2741 §5.4), including the three exceptions.
#[derive(Debug, Clone, PartialEq, Eq)]
#[allow(missing_docs)] // each variant is the SMIv2 type of the same name
pub enum Data {
    Integer(i32),
    OctetString(Vec<u8>),
    Null,
    ObjectId(Vec<u32>),
    IpAddress([u8; 4]),
    Counter32(u32),
    Gauge32(u32),
    TimeTicks(u32),
    Opaque(Vec<u8>),
    Counter64(u64),
    NoSuchObject,
    NoSuchInstance,
    EndOfMibView,
}

/// A VarBind (RFC 2741 §5.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VarBind {
    /// The instance's name.
    pub name: Vec<u32>,
    /// Its value or an exception.
    pub data: Data,
}

/// A PDU body, for the PDUs this subagent sends or receives. Fields are named for RFC 2741 §6.2.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum Pdu {
    /// agentx-Open-PDU (§6.2.1).
    Open {
        /// `o.timeout`, seconds; 0 for the master's default.
        timeout: u8,
        /// `o.id`: the subagent's identifier (its sysObjectID).
        id: Vec<u32>,
        /// `o.descr`: what the subagent is.
        descr: Vec<u8>,
    },
    /// agentx-Close-PDU (§6.2.2).
    Close {
        /// `close.reason`.
        reason: u8,
    },
    /// agentx-Register-PDU (§6.2.3), default context, no range.
    Register {
        /// `r.timeout`, seconds; 0 for the session's.
        timeout: u8,
        /// `r.priority`: lower wins when two sessions register the same subtree; 127 default.
        priority: u8,
        /// `r.subtree`.
        subtree: Vec<u32>,
    },
    /// agentx-Get-PDU (§6.2.5).
    Get {
        /// The context, `None` for the default one.
        context: Option<Vec<u8>>,
        /// One range per binding; only the start counts.
        ranges: Vec<SearchRange>,
    },
    /// agentx-GetNext-PDU (§6.2.6).
    GetNext {
        /// The context, `None` for the default one.
        context: Option<Vec<u8>>,
        /// One range per binding.
        ranges: Vec<SearchRange>,
    },
    /// agentx-GetBulk-PDU (§6.2.7).
    GetBulk {
        /// The context, `None` for the default one.
        context: Option<Vec<u8>>,
        /// Ranges at the head answered once.
        non_repeaters: u16,
        /// Rows for the others.
        max_repetitions: u16,
        /// The ranges.
        ranges: Vec<SearchRange>,
    },
    /// One of the Set phases (§6.2.8 to §6.2.11); this subagent writes nothing, so the body
    /// is not kept.
    Set(PduType),
    /// agentx-Ping-PDU (§6.2.13).
    Ping {
        /// The context, `None` for the default one.
        context: Option<Vec<u8>>,
    },
    /// agentx-Response-PDU (§6.2.16).
    Response {
        /// `res.sysUpTime`, the master's; 0 from a subagent.
        sys_uptime: u32,
        /// `res.error`.
        error: u16,
        /// `res.index`: 1-based binding at fault, 0 when none.
        index: u16,
        /// The bindings.
        varbinds: Vec<VarBind>,
    },
    /// A PDU type the subagent does not act on (Notify, index allocation, agent capabilities,
    /// or an undefined type); its body is not read.
    Other(u8),
}
