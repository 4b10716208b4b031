//! Password to key and localization (RFC 3414 §2.6, A.2). SKELETON: the USM helper replaces this.
#![allow(missing_docs)]

// STUB (server branch only): the USM helper's real definitions replace everything below.
/// A localized key of the wrong length for its protocol.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KeyError;
