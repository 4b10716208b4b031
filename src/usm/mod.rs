//! The User-based Security Model (RFC 3414): users, their localized keys, authentication and
//! privacy.
//!
//! - [`incoming`]: processing an incoming message (RFC 3414 §3.2), with [`UsmError`], one
//!   variant per `usmStats` counter.
//! - [`outgoing`]: generating a message (RFC 3414 §3.1): Responses and Reports, and the
//!   notifications of [`crate::notify`].
//! - [`reply`]: opening the reply to a message this engine sent (a manager's request, an
//!   Inform).
//! - [`keys`]: password to key and key localization (RFC 3414 §2.6, A.2), key extension for
//!   AES-192/256.
//! - [`auth`]: HMAC-MD5-96, HMAC-SHA-96 (RFC 3414 §6, §7) and HMAC-SHA-2 (RFC 7860).
//! - [`privacy`]: DES-CBC (RFC 3414 §8), AES-CFB-128 (RFC 3826), AES-192/256 in the
//!   Blumenthal and Reeder key-extension variants.
//!
//! Keys are localized once, when the user table is built at start-up; the request path only
//! uses localized keys, pre-keyed HMAC states and expanded cipher keys.
// Network bytes are handled here: no unwrap, no indexing that can panic (tests excepted).
#![cfg_attr(not(test), deny(clippy::unwrap_used, clippy::indexing_slicing))]

pub mod auth;
pub mod incoming;
pub mod keys;
pub mod outgoing;
pub mod privacy;
pub mod reply;

use alloc::vec::Vec;

pub use auth::{AuthKey, AuthProtocol};
pub use incoming::{ENGINE_MAX, TIME_WINDOW, UsmError};
pub use privacy::{PrivKey, PrivProtocol};

/// A USM security level (RFC 3411 §3.4.3), ordered from weakest to strongest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum SecurityLevel {
    /// No authentication, no privacy.
    NoAuthNoPriv = 1,
    /// Authenticated, not encrypted.
    AuthNoPriv = 2,
    /// Authenticated and encrypted.
    AuthPriv = 3,
}

impl SecurityLevel {
    /// The level named by msgFlags' auth and priv bits; `None` for the invalid priv-without-auth
    /// combination (RFC 3412 §6.4).
    pub const fn from_flags(flags: u8) -> Option<SecurityLevel> {
        match flags & 0x03 {
            0 => Some(SecurityLevel::NoAuthNoPriv),
            1 => Some(SecurityLevel::AuthNoPriv),
            3 => Some(SecurityLevel::AuthPriv),
            _ => None,
        }
    }

    /// The msgFlags auth and priv bits for this level.
    pub const fn flags(self) -> u8 {
        match self {
            SecurityLevel::NoAuthNoPriv => 0,
            SecurityLevel::AuthNoPriv => 1,
            SecurityLevel::AuthPriv => 3,
        }
    }

    /// The name net-snmp and RFC 3411 use.
    pub const fn name(self) -> &'static str {
        match self {
            SecurityLevel::NoAuthNoPriv => "noAuthNoPriv",
            SecurityLevel::AuthNoPriv => "authNoPriv",
            SecurityLevel::AuthPriv => "authPriv",
        }
    }
}

/// One USM user with keys already localized to this agent's engine ID.
#[derive(Debug)]
pub struct User {
    /// `usmUserName` / `msgUserName`.
    pub name: Vec<u8>,
    /// The authentication protocol and localized key. Every DQI user authenticates.
    pub auth: AuthKey,
    /// The privacy protocol and localized key, if the user has one.
    pub privacy: Option<PrivKey>,
    /// The lowest security level at which this user gets data (RFC 3415 `authorizationError`
    /// below it).
    pub min_level: SecurityLevel,
}

impl User {
    /// The strongest level this user's keys support.
    pub fn max_level(&self) -> SecurityLevel {
        if self.privacy.is_some() {
            SecurityLevel::AuthPriv
        } else {
            SecurityLevel::AuthNoPriv
        }
    }
}

/// The configured users, looked up by name on every authenticated request.
#[derive(Debug, Default)]
pub struct Users {
    // Sorted by name for binary search; a handful of users, so a vector beats a map.
    users: Vec<User>,
}

impl Users {
    /// Builds the table; a later user with the same name replaces an earlier one.
    pub fn new(mut users: Vec<User>) -> Users {
        users.reverse();
        users.sort_by(|a, b| a.name.cmp(&b.name));
        users.dedup_by(|later, earlier| later.name == earlier.name);
        Users { users }
    }

    /// The user called `name`.
    pub fn get(&self, name: &[u8]) -> Option<&User> {
        self.users
            .binary_search_by(|u| u.name.as_slice().cmp(name))
            .ok()
            .and_then(|i| self.users.get(i))
    }

    /// All users, sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = &User> {
        self.users.iter()
    }

    /// Number of users.
    pub fn len(&self) -> usize {
        self.users.len()
    }

    /// Whether there are no users.
    pub fn is_empty(&self) -> bool {
        self.users.is_empty()
    }
}
