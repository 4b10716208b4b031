//! The TOML configuration file: its format, its validation, and the start-up key localization.
//!
//! This module owns everything between the bytes of the file and the values the driver runs
//! with:
//!
//! - [`ConfigFile`] and its sections are the file format, one doc comment per key (the README's
//!   "Configuration reference" says the same for operators). Unknown keys are refused.
//! - [`Config::load`] reads the file (refusing one other users can read, since it holds
//!   secrets), parses it and validates every key into a [`Config`]: once built, a `Config` is
//!   valid by type. Problems come back as a [`ConfigError`] naming the file, the key and what is
//!   wrong; weak but legal choices come back as [`Warning`]s for the caller to log.
//! - [`Config::users`] localizes the users' keys to the engine ID (RFC 3414 §2.6), once, at
//!   start-up. Passphrases live in [`Zeroizing`] buffers and never appear in `Debug` output,
//!   errors or logs.
//!
//! The rules themselves live in `config/validate.rs`, their tests in `config/tests.rs`.
//!
//! The optional `[device]` section (the device description and SBOM files behind the DQI-MIB) is
//! [`crate::device::DeviceConfig`]; its rules live in `config/device.rs`.
//!
//! Adding a section: add a field to [`ConfigFile`] with its `*Section` struct,
//! a validated counterpart on [`Config`], and a `Validator` method in `validate.rs` called from
//! [`Config::from_file`].

use std::fmt;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

use crate::budget::{BudgetConfig, RateError};
use crate::device::DeviceConfig;
use crate::mib::objects::System;
use crate::server::ReceiveConfig;
use crate::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol, SecurityLevel, User, Users};

mod agentx;
mod budget;
mod device;
mod notify;
mod validate;

pub use agentx::{AgentxConfig, AgentxSection, MasterAddress, Mirror};
pub use budget::BudgetSection;
pub use notify::{NotificationsSection, NotifyConfig, NotifySection, NotifyTarget, NotifyUserSection};
use validate::Validator;

/// `snmpEngineMaxMessageSize` when `agent.max_message_size` is not set: the largest UDP payload
/// over IPv4, the value net-snmp advertises for UDP.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 65507;
/// The smallest message every SNMP engine must accept (RFC 3417 §3.2); the lower bound of
/// `agent.max_message_size`.
pub const MIN_MAX_MESSAGE_SIZE: usize = 484;
/// `sysObjectID` when `system.object_id` is not set. Kept in one place so the product's own
/// OID replaces it in one edit.
pub const DEFAULT_OBJECT_ID: &str = "1.3.6.1.4.1.8072.3.2.10";
/// The log filter when neither `agent.log_level` nor `RUST_LOG` is set.
pub const DEFAULT_LOG_LEVEL: &str = "info";
/// Passphrases shorter than this are refused (RFC 3414 §11.2).
pub const MIN_PASSPHRASE_CHARS: usize = 8;
/// Passphrases shorter than this are accepted with a warning: eight characters is the RFC's
/// floor, not a strength, and USM keys fall to offline guessing from one captured request.
pub const SHORT_PASSPHRASE_CHARS: usize = 12;
/// `sysServices`: applications (layer 7) and end-to-end (layer 4), as for a host (RFC 3418).
pub const SYS_SERVICES: i32 = 72;
/// Largest configuration file read; a config is a few kilobytes, anything larger is a mistake.
const MAX_FILE_BYTES: u64 = 1 << 20;
/// `DisplayString` is at most 255 octets (RFC 2579).
const MAX_DISPLAY_STRING: usize = 255;
/// `usmUserName` is an `SnmpAdminString (SIZE(1..32))` (RFC 3414 §5).
const MAX_USER_NAME: usize = 32;

const AUTH_NAMES: &str = "MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512";
const PRIV_NAMES: &str = "none, DES, AES-128, AES-192, AES-256, AES-192-C, AES-256-C";
const LEVEL_NAMES: &str = "authNoPriv, authPriv";

// ---------------------------------------------------------------------------------------------
// The file format.

/// The configuration file as written, before validation.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    /// `[agent]`: where the agent listens and keeps its state.
    pub agent: AgentSection,
    /// `[system]`: the SNMPv2-MIB system group.
    pub system: SystemSection,
    /// `[[user]]`: the USM users, at least one.
    #[serde(default)]
    pub user: Vec<UserSection>,
    /// `[device]`: the device description and SBOM files served under the DQI-MIB. Optional:
    /// without it only the standard objects are served.
    #[serde(default)]
    pub device: Option<DeviceConfig>,
    /// `[budget]`: the request budget; every key optional.
    pub budget: Option<BudgetSection>,
    /// `[agentx]`: serve through the device's master agent as an AgentX subagent. Optional.
    #[serde(default)]
    pub agentx: Option<AgentxSection>,
    /// `[[notify]]`: notification receivers. Optional.
    #[serde(default)]
    pub notify: Vec<NotifySection>,
    /// `[[notify_user]]`: the users notifications are sent as. Optional.
    #[serde(default)]
    pub notify_user: Vec<NotifyUserSection>,
    /// `[notifications]`: the notification rate limit and alarms. Optional.
    #[serde(default)]
    pub notifications: Option<NotificationsSection>,
}

/// `[agent]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSection {
    /// UDP addresses to listen on, `"IP:port"` (`"[v6]:port"` for IPv6); at least one, unless
    /// `[agentx]` is set, when it may be empty.
    pub listen: Vec<String>,
    /// Directory holding the engine ID and the boot counter; created (mode 0700) if missing.
    pub state_dir: PathBuf,
    /// snmpEngineID in hex, 5 to 32 octets. Default: generated once and kept in `state_dir`.
    pub engine_id: Option<String>,
    /// snmpEngineMaxMessageSize, 484 to 65507. Default: 65507.
    pub max_message_size: Option<i64>,
    /// Log filter (`error`, `warn`, `info`, `debug`, `trace`, or a `tracing` directive such as
    /// `dqi_agent=debug`). Default: `info`. The `RUST_LOG` environment variable overrides it.
    pub log_level: Option<String>,
    /// Whether the agent may leave a core dump. Default `false`: the process is marked not
    /// dumpable and its core size limit set to 0, since a core holds every passphrase and key.
    #[serde(default)]
    pub core_dumps: bool,
}

/// `[system]`: the SNMPv2-MIB system group (RFC 3418 §2).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SystemSection {
    /// sysDescr: what the device is.
    pub description: String,
    /// sysContact: who to call about it. Default: empty.
    #[serde(default)]
    pub contact: String,
    /// sysName: its administrative name. Default: empty.
    #[serde(default)]
    pub name: String,
    /// sysLocation: where it is. Default: empty.
    #[serde(default)]
    pub location: String,
    /// sysObjectID, dotted decimal. Default: [`DEFAULT_OBJECT_ID`].
    pub object_id: Option<String>,
}

/// One `[[user]]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UserSection {
    /// usmUserName, 1 to 32 octets, unique.
    pub name: Option<String>,
    /// Authentication protocol: MD5, SHA, SHA-224, SHA-256, SHA-384 or SHA-512. Required.
    pub auth: Option<String>,
    /// Authentication passphrase, 8 characters or more. Exactly one of this and `auth_key`.
    pub auth_password: Option<Secret>,
    /// Authentication key already localized to this engine ID, hex.
    pub auth_key: Option<Secret>,
    /// Privacy protocol: none, DES, AES-128 (or AES), AES-192, AES-256, AES-192-C, AES-256-C.
    /// Default: none.
    pub privacy: Option<String>,
    /// Privacy passphrase. Exactly one of this and `priv_key` unless privacy is none.
    pub priv_password: Option<Secret>,
    /// Privacy key already localized to this engine ID, hex.
    pub priv_key: Option<Secret>,
    /// The lowest security level served to this user: authNoPriv or authPriv. Default: the
    /// strongest level the user's keys allow, so a user with privacy must use it.
    pub min_security: Option<String>,
    /// This user's own budget (`"600/minute"`), replacing `[budget] per_user`.
    pub budget: Option<String>,
    /// This user's own bucket capacity, replacing `[budget] burst`; needs `budget`.
    pub budget_burst: Option<i64>,
}

/// A secret string from the file: zeroed when dropped, redacted in `Debug`.
#[derive(Clone, Default)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// A secret holding `value`.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(value.into()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(..)")
    }
}

impl<'de> Deserialize<'de> for Secret {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Secret, D::Error> {
        // Through `toml::Value` so that a non-string is refused without echoing it: serde's own
        // type error would print `integer 12345678`, a numeric passphrase.
        match toml::Value::deserialize(deserializer)? {
            // The String moves into the Zeroizing box without a copy.
            toml::Value::String(s) => Ok(Secret(Zeroizing::new(s))),
            _ => Err(serde::de::Error::custom("a secret must be a quoted string")),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The validated configuration.

/// A validated configuration.
#[derive(Debug)]
pub struct Config {
    /// The file it came from, for messages.
    pub file: PathBuf,
    /// `[agent]`, validated.
    pub agent: AgentConfig,
    /// `[system]`, validated, ready for [`crate::mib::objects::standard`].
    pub system: System,
    /// `[[user]]`, validated, keys not yet localized.
    pub users: Vec<UserConfig>,
    /// `[device]`, validated, relative paths resolved against the config file's directory;
    /// `None` when the section is absent.
    pub device: Option<DeviceConfig>,
    /// `[budget]` and the users' `budget` keys, validated.
    pub budget: BudgetConfig,
    /// The driver's own keys of `[budget]` (`intake`, `intake_burst`, `moderation_ms`),
    /// validated.
    pub receive: ReceiveConfig,
    /// `[agentx]`, validated; `None` when the section is absent.
    pub agentx: Option<AgentxConfig>,
    /// `[[notify]]`, `[[notify_user]]` and `[notifications]`, validated.
    pub notify: NotifyConfig,
}

/// `[agent]`, validated.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// Addresses to bind; empty only with `[agentx]`.
    pub listen: Vec<SocketAddr>,
    /// The state directory.
    pub state_dir: PathBuf,
    /// The configured engine ID, 5 to 32 octets, neither all zeros nor all 0xff.
    pub engine_id: Option<Vec<u8>>,
    /// snmpEngineMaxMessageSize.
    pub max_message_size: usize,
    /// The log filter, already checked to parse.
    pub log_level: String,
    /// Whether core dumps are allowed (`agent.core_dumps`).
    pub core_dumps: bool,
}

/// One user, validated; keys are localized by [`Config::users`].
#[derive(Debug)]
pub struct UserConfig {
    /// usmUserName.
    pub name: String,
    /// Authentication protocol.
    pub auth: AuthProtocol,
    /// Authentication passphrase or localized key.
    pub auth_secret: KeyMaterial,
    /// Privacy protocol and passphrase or localized key; `None` for no privacy.
    pub privacy: Option<(PrivProtocol, KeyMaterial)>,
    /// The lowest security level served.
    pub min_level: SecurityLevel,
}

/// Where a key comes from.
pub enum KeyMaterial {
    /// A passphrase, to be turned into a key and localized (RFC 3414 A.2).
    Password(Secret),
    /// A key already localized to this engine, of the protocol's length.
    Localized(Zeroizing<Vec<u8>>),
}

impl fmt::Debug for KeyMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            KeyMaterial::Password(_) => f.write_str("Password(..)"),
            KeyMaterial::Localized(_) => f.write_str("Localized(..)"),
        }
    }
}

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
    #[error("{}{}: {message}", file.display(), position(*line, *column))]
    Syntax {
        /// The file.
        file: PathBuf,
        /// 1-based line of the problem; 0 when the parser gave no position.
        line: usize,
        /// 1-based column of the problem; 0 when the parser gave no position.
        column: usize,
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
    /// An engine ID outside RFC 3411's 5..=32 octets.
    #[error("{0} octets; an engine ID has 5 to 32 (RFC 3411)")]
    EngineIdLength(usize),
    /// An engine ID RFC 3411 reserves.
    #[error("all zeros or all 'ff'H is not a valid engine ID (RFC 3411)")]
    EngineIdReserved,
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
    #[error("{0:?} is not a log filter such as info, debug or dqi_agent=trace")]
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

impl Config {
    /// Reads, checks and validates the file at `path`.
    ///
    /// Refuses a file that other users can read or write (Unix), since it holds passphrases or
    /// keys; warns when its group can.
    pub fn load(path: &Path) -> Result<(Config, Vec<Warning>), ConfigError> {
        let read_err = |source| ConfigError::Read {
            file: path.to_path_buf(),
            source,
        };
        // Non-blocking and regular files only: a FIFO here would hang start-up and
        // `--check-config`.
        let file =
            crate::files::open_regular(path, crate::files::Links::Follow).map_err(read_err)?;
        // Permissions come from the opened file, not the path, so a swap cannot slip past.
        let meta = file.metadata().map_err(read_err)?;
        let mut warnings = Vec::new();
        if let Some(warning) = check_permissions(path, &meta)? {
            warnings.push(warning);
        }
        if meta.len() > MAX_FILE_BYTES {
            return Err(ConfigError::TooLarge {
                file: path.to_path_buf(),
            });
        }
        let mut text = Zeroizing::new(String::new());
        file.take(MAX_FILE_BYTES + 1)
            .read_to_string(&mut text)
            .map_err(read_err)?;
        let (config, more) = Config::parse(&text, path)?;
        warnings.extend(more);
        Ok((config, warnings))
    }

    /// Parses and validates `text`, naming `file` in messages; no file access.
    pub fn parse(text: &str, file: &Path) -> Result<(Config, Vec<Warning>), ConfigError> {
        let parsed: ConfigFile = toml::from_str(text).map_err(|e| {
            let (line, column) = e
                .span()
                .map_or((0, 0), |span| line_column(text, span.start));
            ConfigError::Syntax {
                file: file.to_path_buf(),
                line,
                column,
                message: e.message().trim_end().to_string(),
            }
        })?;
        Config::from_file(parsed, file)
    }

    /// Validates an already parsed (or programmatically built) file, naming `file` in messages.
    pub fn from_file(
        parsed: ConfigFile,
        file: &Path,
    ) -> Result<(Config, Vec<Warning>), ConfigError> {
        let mut v = Validator {
            file,
            warnings: Vec::new(),
        };
        let agentx = parsed.agentx.map(|a| v.agentx(a)).transpose()?;
        let agent = v.agent(parsed.agent, agentx.is_some())?;
        let system = v.system(parsed.system)?;
        let section = parsed.budget.unwrap_or_default();
        let receive = v.receive(&section)?;
        let budget = v.budget(section, &parsed.user)?;
        let users = v.users(parsed.user)?;
        let notify = v.notify(
            parsed.notify,
            parsed.notify_user,
            parsed.notifications,
            &users,
        )?;
        let device = v.device(parsed.device)?;
        let config = Config {
            file: file.to_path_buf(),
            agent,
            system,
            users,
            device,
            budget,
            receive,
            agentx,
            notify,
        };
        Ok((config, v.warnings))
    }

    /// The user table, every key localized to `engine_id` (RFC 3414 §2.6). Done once at
    /// start-up; the passphrases are not needed afterwards and go when the `Config` is dropped.
    pub fn users(&self, engine_id: &[u8]) -> Result<Users, ConfigError> {
        let mut users = Vec::with_capacity(self.users.len());
        for (i, u) in self.users.iter().enumerate() {
            users.push(self.localize(i, u, engine_id)?);
        }
        Ok(Users::new(users))
    }

    // The one place keys are built: passphrases go through RFC 3414 A.2 here, and nowhere else.
    fn localize(&self, i: usize, u: &UserConfig, engine_id: &[u8]) -> Result<User, ConfigError> {
        let rejected = |field: &str, protocol| ConfigError::Invalid {
            file: self.file.clone(),
            key: format!("user[{i}].{field}"),
            problem: Problem::KeyRejected(protocol),
        };
        let auth = match &u.auth_secret {
            KeyMaterial::Password(p) => {
                AuthKey::from_password(u.auth, p.expose().as_bytes(), engine_id)
            }
            KeyMaterial::Localized(k) => AuthKey::from_localized(u.auth, k)
                .map_err(|_| rejected("auth_key", u.auth.name()))?,
        };
        let privacy = match &u.privacy {
            None => None,
            Some((protocol, KeyMaterial::Password(p))) => Some(PrivKey::from_password(
                *protocol,
                u.auth,
                p.expose().as_bytes(),
                engine_id,
            )),
            Some((protocol, KeyMaterial::Localized(k))) => Some(
                PrivKey::from_localized(*protocol, k)
                    .map_err(|_| rejected("priv_key", protocol.name()))?,
            ),
        };
        Ok(User {
            name: u.name.as_bytes().to_vec(),
            auth,
            privacy,
            min_level: u.min_level,
        })
    }
}

/// Length of a localized authentication key: the hash's output (RFC 3414 A.2, RFC 7860 §4.2.2).
pub const fn auth_key_len(protocol: AuthProtocol) -> usize {
    match protocol {
        AuthProtocol::Md5 => 16,
        AuthProtocol::Sha1 => 20,
        AuthProtocol::Sha224 => 28,
        AuthProtocol::Sha256 => 32,
        AuthProtocol::Sha384 => 48,
        AuthProtocol::Sha512 => 64,
    }
}

/// Length of a localized privacy key: DES key and pre-IV (RFC 3414 §8.1.1.1), or the AES key
/// (RFC 3826 §3.1.2.1), extended for AES-192/256.
pub const fn priv_key_len(protocol: PrivProtocol) -> usize {
    match protocol {
        PrivProtocol::Des | PrivProtocol::Aes128 => 16,
        PrivProtocol::Aes192 | PrivProtocol::Aes192C => 24,
        PrivProtocol::Aes256 | PrivProtocol::Aes256C => 32,
    }
}

/// Lowercase hex of `bytes`, for engine IDs in logs and the state file. Never for keys.
pub fn to_hex(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(char::from(DIGITS[usize::from(b >> 4)]));
        s.push(char::from(DIGITS[usize::from(b & 0x0f)]));
    }
    s
}

/// Decodes hex (either case, optional `0x` prefix); `None` unless every character is a hex
/// digit and there is an even number of them.
pub fn from_hex(text: &str) -> Option<Vec<u8>> {
    let digits = text
        .strip_prefix("0x")
        .or_else(|| text.strip_prefix("0X"))
        .unwrap_or(text);
    let digits = digits.as_bytes();
    if !digits.len().is_multiple_of(2) {
        return None;
    }
    let nibble = |c: u8| {
        char::from(c)
            .to_digit(16)
            .and_then(|d| u8::try_from(d).ok())
    };
    digits
        .chunks_exact(2)
        .map(|pair| Some(nibble(pair[0])? << 4 | nibble(pair[1])?))
        .collect()
}

/// Checks an engine ID against RFC 3411's SnmpEngineID rules.
pub fn check_engine_id(id: &[u8]) -> Result<(), Problem> {
    if !(5..=32).contains(&id.len()) {
        return Err(Problem::EngineIdLength(id.len()));
    }
    if id.iter().all(|&b| b == 0) || id.iter().all(|&b| b == 0xff) {
        return Err(Problem::EngineIdReserved);
    }
    Ok(())
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

#[cfg(unix)]
fn check_permissions(
    path: &Path,
    meta: &std::fs::Metadata,
) -> Result<Option<Warning>, ConfigError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = meta.permissions().mode() & 0o777;
    if mode & 0o006 != 0 {
        return Err(ConfigError::Exposed {
            file: path.to_path_buf(),
            mode,
        });
    }
    if mode & 0o060 != 0 {
        return Ok(Some(Warning {
            file: path.to_path_buf(),
            key: "(file)".to_string(),
            message: format!(
                "group can access it (mode {mode:03o}) and it holds secrets; consider `chmod 600`"
            ),
        }));
    }
    Ok(None)
}

#[cfg(not(unix))]
fn check_permissions(
    _path: &Path,
    _meta: &std::fs::Metadata,
) -> Result<Option<Warning>, ConfigError> {
    Ok(None)
}

#[cfg(test)]
mod tests;
