//! Get, GetNext, GetBulk and Set refusal over the MIB tree (RFC 3416 §4.2). SKELETON: replaced by
//! the PDU helper.
#![allow(missing_docs, unused_variables)]
use alloc::vec::Vec;
use rasn_snmp::v2::VarBind;

use crate::mib::{Resolve, Tree};

/// The error-status values of RFC 3416 §3.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u32)]
pub enum ErrorStatus {
    NoError = 0,
    TooBig = 1,
    NoSuchName = 2,
    BadValue = 3,
    ReadOnly = 4,
    GenErr = 5,
    NoAccess = 6,
    WrongType = 7,
    WrongLength = 8,
    WrongEncoding = 9,
    WrongValue = 10,
    NoCreation = 11,
    InconsistentValue = 12,
    ResourceUnavailable = 13,
    CommitFailed = 14,
    UndoFailed = 15,
    AuthorizationError = 16,
    NotWritable = 17,
    InconsistentName = 18,
}

/// The operation requested, with GetBulk's parameters as signed values straight from the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Get,
    GetNext,
    GetBulk {
        non_repeaters: i64,
        max_repetitions: i64,
    },
    Set,
}

/// Caps applied to every response.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Octets available for the encoded VarBind TLVs inside the VarBindList.
    pub varbind_bytes: usize,
    /// Upper bound on GetBulk max-repetitions, applied before any work.
    pub max_repetitions: u32,
    /// Upper bound on the bindings of any response.
    pub max_varbinds: usize,
}

/// A response PDU's contents, before encoding.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub error_status: ErrorStatus,
    pub error_index: u32,
    pub varbinds: Vec<VarBind>,
}

pub fn respond(
    tree: &Tree,
    live: &dyn Resolve,
    op: Operation,
    request: &[VarBind],
    limits: Limits,
) -> Outcome {
    unimplemented!()
}
