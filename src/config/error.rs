//! Why a configuration is refused ([`ConfigError`], [`Problem`]) and what is legal but weak
//! ([`Warning`]). Messages name the file, the key and, for syntax errors, the line and column;
//! never a value that may be a secret.

use std::fmt;
use std::path::PathBuf;

use super::agent::LOG_LEVELS;
use super::user::{AUTH_NAMES, LEVEL_NAMES, MIN_PASSPHRASE_CHARS};
use crate::budget::RateError;
use crate::hex::EngineIdError;

/// A legal but weak choice, for the caller to log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The file.
    pub file: PathBuf,
    /// The key, e.g. `user[0].auth`.
    pub key: String,
    /// What is weak about it.
    pub message: String,
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}: {}", self.file.display(), self.key, self.message)
    }
}

/// Why a configuration was refused.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file could not be opened or read.
    #[error("{}: cannot read: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The file is larger than any sane configuration.
    #[error("{}: larger than 1 MiB; is this the configuration file?", file.display())]
    TooLarge {
        /// The file.
        file: PathBuf,
    },
    /// Other users can read or write the file, which holds secrets.
    #[error(
        "{}: other users can access it (mode {mode:03o}) and it holds secrets; run `chmod 600 {}`",
        file.display(),
        file.display()
    )]
    Exposed {
        /// The file.
        file: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file is not valid TOML, has an unknown key, or a value of the wrong type.
    #[error("{}{}: {}{message}", file.display(), position(*line, *column), key_prefix(key))]
    Syntax {
        /// The file.
        file: PathBuf,
        /// 1-based line of the problem; 0 when the parser gave no position.
        line: usize,
        /// 1-based column of the problem; 0 when the parser gave no position.
        column: usize,
        /// The key, `agent.listen` or `user[1].auth`; empty when the TOML itself is broken.
        key: String,
        /// The parser's message (never the line's text, which may hold a password).
        message: String,
    },
    /// A key has a value the agent cannot run with.
    #[error("{}: {key}: {problem}", file.display())]
    Invalid {
        /// The file.
        file: PathBuf,
        /// The key, e.g. `user[1].auth_password`.
        key: String,
        /// What is wrong.
        problem: Problem,
    },
}

/// What is wrong with a key's value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Problem {
    /// A required key is absent.
    #[error("missing")]
    Missing,
    /// A list that needs entries is empty.
    #[error("at least one {0} is required")]
    AtLeastOne(&'static str),
    /// The user would not authenticate.
    #[error("every user must authenticate; set it to one of {AUTH_NAMES}")]
    NoAuthentication,
    /// A name that is not one of the accepted values.
    #[error("unknown value {value:?}; expected one of {expected}")]
    UnknownName {
        /// What was written.
        value: String,
        /// The accepted values.
        expected: &'static str,
    },
    /// Not a socket address.
    #[error("{0:?} is not an IP address and port, such as 127.0.0.1:161 or [::1]:161")]
    BadAddress(String),
    /// Not a master agent socket.
    #[error(
        "{0:?} is not an absolute Unix socket path or tcp:IP:PORT, such as /var/agentx/master or tcp:127.0.0.1:705"
    )]
    BadMasterSocket(String),
    /// Not an even number of hex digits.
    #[error("not hexadecimal (an even number of 0-9, a-f digits, optionally after 0x)")]
    NotHex,
    /// An engine ID outside RFC 3411's rules.
    #[error(transparent)]
    EngineId(#[from] EngineIdError),
    /// A localized key of the wrong length.
    #[error("{actual} octets; a localized {protocol} key has {expected}")]
    KeyLength {
        /// The protocol's name.
        protocol: &'static str,
        /// Octets the protocol's key has.
        expected: usize,
        /// Octets given.
        actual: usize,
    },
    /// The key constructor refused the key.
    #[error("not a valid localized {0} key")]
    KeyRejected(&'static str),
    /// A number outside its range.
    #[error("{value} is outside {min}..={max}")]
    OutOfRange {
        /// The value.
        value: i64,
        /// Smallest allowed.
        min: usize,
        /// Largest allowed.
        max: usize,
    },
    /// A string longer than its object allows.
    #[error("{actual} octets; at most {max} allowed")]
    TooLong {
        /// Octets allowed.
        max: usize,
        /// Octets given.
        actual: usize,
    },
    /// An empty string where a value is required.
    #[error("must not be empty")]
    Empty,
    /// Not a dotted-decimal object identifier.
    #[error("{0:?} is not an object identifier such as 1.3.6.1.4.1.8072.3.2.10")]
    BadOid(String),
    /// Not a log filter.
    #[error(
        "{0:?} is not a log level: use one of {LOG_LEVELS}, or a filter such as dqi_agent=debug"
    )]
    BadLogLevel(String),
    /// A passphrase below RFC 3414's minimum.
    #[error("shorter than {MIN_PASSPHRASE_CHARS} characters (RFC 3414 §11.2)")]
    PassphraseTooShort,
    /// Two keys that exclude each other are both set.
    #[error("set either this or {0}, not both")]
    Conflict(&'static str),
    /// Neither of two alternative keys is set.
    #[error("set {0} or {1}")]
    NeitherSet(&'static str, &'static str),
    /// A privacy secret for a user without privacy.
    #[error("privacy is none, so this must not be set")]
    NoPrivacy,
    /// `min_security` asks for more than the keys allow.
    #[error("{0} needs a privacy protocol and this user has none")]
    LevelAboveKeys(&'static str),
    /// `min_security` below authentication.
    #[error("noAuthNoPriv is not allowed: every user must authenticate; use {LEVEL_NAMES}")]
    LevelBelowAuth,
    /// Two users with one name.
    #[error("{0:?} is also the name of an earlier user")]
    Duplicate(String),
    /// Two sections of one kind with one name.
    #[error("{1:?} is also the name of an earlier {0}")]
    DuplicateOf(&'static str, String),
    /// A community string below the minimum.
    #[error("shorter than 8 characters: a community string is a password sent in the clear")]
    CommunityTooShort,
    /// A community string given twice (never echoed).
    #[error("the same community string as community[{0}]")]
    SameCommunity(usize),
    /// Not a source network.
    #[error("{0:?} is not a network such as 10.20.0.0/16, fd00:20::/48 or 192.0.2.7")]
    BadNetwork(String),
    /// A `view` key naming no `[[view]]`.
    #[error("no [[view]] is named {0:?}")]
    UnknownView(String),
    /// A `[[view]]` nothing refers to: most likely a typo in a `view` key.
    #[error("no user or community refers to the view {0:?}; remove it or name it in a `view` key")]
    UnusedView(String),
    /// Not an OID or known MIB name for a view.
    #[error(
        "{0:?} is not an OID (1.3.6.1.2.1.1, `*` arcs for wild cards) or a MIB name the agent knows (such as SNMPv2-MIB::system or DQI-MIB::dqiSoftware)"
    )]
    BadViewOid(String),
    /// A notify user with a request user's name.
    #[error("{0:?} is a [[user]]; a notify user must not be able to make requests")]
    RequestUser(String),
    /// A receiver naming no `[[notify_user]]`.
    #[error("{0:?} is not the name of a [[notify_user]]")]
    NoNotifyUser(String),
    /// An Inform sent as a user with localized keys.
    #[error(
        "inform needs {0:?}'s passphrases (its keys must be localized to the receiver); localized keys serve traps only"
    )]
    InformNeedsPassphrases(String),
    /// Not a rate such as `"50/second"`.
    #[error("{0:?}: {1}")]
    BadRate(String, RateError),
}

/// `key: ` for messages, or nothing when there is no key.
fn key_prefix(key: &str) -> String {
    if key.is_empty() {
        String::new()
    } else {
        format!("{key}: ")
    }
}

/// `:line:column` for messages, or nothing when unknown.
fn position(line: usize, column: usize) -> String {
    if line == 0 {
        String::new()
    } else {
        format!(":{line}:{column}")
    }
}

/// 1-based line and column of byte `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let before = text.get(..offset).unwrap_or(text);
    let line = before.matches('\n').count() + 1;
    let column = before.rfind('\n').map_or(before.chars().count(), |nl| {
        before[nl + 1..].chars().count()
    }) + 1;
    (line, column)
}
