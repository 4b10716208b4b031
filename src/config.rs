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
//! Adding a section (say `[device]`): add a field to [`ConfigFile`] with its `*Section` struct,
//! a validated counterpart on [`Config`], and one `validate_*` function called from
//! [`Config::from_file`].

use std::fmt;
use std::fs::File;
use std::io::Read;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Deserializer};
use zeroize::Zeroizing;

use crate::mib::Value;
use crate::mib::objects::System;
use crate::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol, SecurityLevel, User, Users};

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
}

/// `[agent]`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentSection {
    /// UDP addresses to listen on, `"IP:port"` (`"[v6]:port"` for IPv6); at least one.
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
}

/// A secret string from the file: zeroed when dropped, redacted in `Debug`.
#[derive(Clone, Default)]
pub struct Secret(Zeroizing<String>);

impl Secret {
    /// A secret holding `value`.
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(Zeroizing::new(value.into()))
    }

    fn expose(&self) -> &str {
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
}

/// `[agent]`, validated.
#[derive(Debug, Clone)]
pub struct AgentConfig {
    /// Addresses to bind, at least one.
    pub listen: Vec<SocketAddr>,
    /// The state directory.
    pub state_dir: PathBuf,
    /// The configured engine ID, 5 to 32 octets, neither all zeros nor all 0xff.
    pub engine_id: Option<Vec<u8>>,
    /// snmpEngineMaxMessageSize.
    pub max_message_size: usize,
    /// The log filter, already checked to parse.
    pub log_level: String,
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
        let file = File::open(path).map_err(read_err)?;
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
        let agent = v.agent(parsed.agent)?;
        let system = v.system(parsed.system)?;
        let users = v.users(parsed.user)?;
        let config = Config {
            file: file.to_path_buf(),
            agent,
            system,
            users,
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
    if digits.len() % 2 != 0 {
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

// ---------------------------------------------------------------------------------------------
// Validation, section by section.

struct Validator<'a> {
    file: &'a Path,
    warnings: Vec<Warning>,
}

impl Validator<'_> {
    fn err(&self, key: impl Into<String>, problem: Problem) -> ConfigError {
        ConfigError::Invalid {
            file: self.file.to_path_buf(),
            key: key.into(),
            problem,
        }
    }

    fn warn(&mut self, key: impl Into<String>, message: impl Into<String>) {
        self.warnings.push(Warning {
            file: self.file.to_path_buf(),
            key: key.into(),
            message: message.into(),
        });
    }

    fn agent(&mut self, a: AgentSection) -> Result<AgentConfig, ConfigError> {
        if a.listen.is_empty() {
            return Err(self.err("agent.listen", Problem::AtLeastOne("address")));
        }
        let mut listen = Vec::with_capacity(a.listen.len());
        for (i, text) in a.listen.iter().enumerate() {
            let addr = text.trim().parse::<SocketAddr>().map_err(|_| {
                self.err(
                    format!("agent.listen[{i}]"),
                    Problem::BadAddress(text.clone()),
                )
            })?;
            listen.push(addr);
        }
        if a.state_dir.as_os_str().is_empty() {
            return Err(self.err("agent.state_dir", Problem::Empty));
        }
        let engine_id = match a.engine_id {
            None => None,
            Some(text) => {
                let id = from_hex(text.trim())
                    .ok_or_else(|| self.err("agent.engine_id", Problem::NotHex))?;
                check_engine_id(&id).map_err(|p| self.err("agent.engine_id", p))?;
                Some(id)
            }
        };
        let max_message_size = match a.max_message_size {
            None => DEFAULT_MAX_MESSAGE_SIZE,
            Some(n) => usize::try_from(n)
                .ok()
                .filter(|n| (MIN_MAX_MESSAGE_SIZE..=DEFAULT_MAX_MESSAGE_SIZE).contains(n))
                .ok_or_else(|| {
                    self.err(
                        "agent.max_message_size",
                        Problem::OutOfRange {
                            value: n,
                            min: MIN_MAX_MESSAGE_SIZE,
                            max: DEFAULT_MAX_MESSAGE_SIZE,
                        },
                    )
                })?,
        };
        let log_level = a.log_level.unwrap_or_else(|| DEFAULT_LOG_LEVEL.to_string());
        if tracing_subscriber::EnvFilter::try_new(&log_level).is_err()
            || log_level.trim().is_empty()
        {
            return Err(self.err("agent.log_level", Problem::BadLogLevel(log_level)));
        }
        Ok(AgentConfig {
            listen,
            state_dir: a.state_dir,
            engine_id,
            max_message_size,
            log_level,
        })
    }

    fn system(&mut self, s: SystemSection) -> Result<System, ConfigError> {
        for (key, value) in [
            ("system.description", &s.description),
            ("system.contact", &s.contact),
            ("system.name", &s.name),
            ("system.location", &s.location),
        ] {
            if value.len() > MAX_DISPLAY_STRING {
                return Err(self.err(
                    key,
                    Problem::TooLong {
                        max: MAX_DISPLAY_STRING,
                        actual: value.len(),
                    },
                ));
            }
        }
        let oid_text = s.object_id.unwrap_or_else(|| DEFAULT_OBJECT_ID.to_string());
        let object_id = parse_oid(&oid_text)
            .ok_or_else(|| self.err("system.object_id", Problem::BadOid(oid_text)))?;
        Ok(System {
            description: s.description,
            object_id,
            contact: s.contact,
            name: s.name,
            location: s.location,
            services: SYS_SERVICES,
        })
    }

    fn users(&mut self, sections: Vec<UserSection>) -> Result<Vec<UserConfig>, ConfigError> {
        if sections.is_empty() {
            return Err(self.err("user", Problem::AtLeastOne("[[user]]")));
        }
        let mut users: Vec<UserConfig> = Vec::with_capacity(sections.len());
        for (i, section) in sections.into_iter().enumerate() {
            let user = self.user(i, section)?;
            if users.iter().any(|u| u.name == user.name) {
                return Err(self.err(format!("user[{i}].name"), Problem::Duplicate(user.name)));
            }
            users.push(user);
        }
        Ok(users)
    }

    fn user(&mut self, i: usize, u: UserSection) -> Result<UserConfig, ConfigError> {
        let key = |field: &str| format!("user[{i}].{field}");
        let name = u
            .name
            .ok_or_else(|| self.err(key("name"), Problem::Missing))?;
        if name.is_empty() {
            return Err(self.err(key("name"), Problem::Empty));
        }
        if name.len() > MAX_USER_NAME {
            return Err(self.err(
                key("name"),
                Problem::TooLong {
                    max: MAX_USER_NAME,
                    actual: name.len(),
                },
            ));
        }

        let auth_name = u
            .auth
            .ok_or_else(|| self.err(key("auth"), Problem::NoAuthentication))?;
        if auth_name.eq_ignore_ascii_case("none") {
            return Err(self.err(key("auth"), Problem::NoAuthentication));
        }
        let auth = AuthProtocol::from_name(&auth_name).ok_or_else(|| {
            self.err(
                key("auth"),
                Problem::UnknownName {
                    value: auth_name,
                    expected: AUTH_NAMES,
                },
            )
        })?;
        if auth.is_weak() {
            self.warn(
                key("auth"),
                format!("{} is weak; prefer SHA-256 or stronger", auth.name()),
            );
        }
        let auth_secret = self.material(
            i,
            ("auth_password", u.auth_password),
            ("auth_key", u.auth_key),
            auth_key_len(auth),
            auth.name(),
        )?;

        let priv_name = u.privacy.unwrap_or_else(|| "none".to_string());
        let privacy = if priv_name.eq_ignore_ascii_case("none") {
            for (field, value) in [
                ("priv_password", &u.priv_password),
                ("priv_key", &u.priv_key),
            ] {
                if value.is_some() {
                    return Err(self.err(key(field), Problem::NoPrivacy));
                }
            }
            None
        } else {
            let protocol = PrivProtocol::from_name(&priv_name).ok_or_else(|| {
                self.err(
                    key("privacy"),
                    Problem::UnknownName {
                        value: priv_name,
                        expected: PRIV_NAMES,
                    },
                )
            })?;
            if protocol.is_weak() {
                self.warn(
                    key("privacy"),
                    format!("{} is weak; prefer AES-128 or stronger", protocol.name()),
                );
            }
            let material = self.material(
                i,
                ("priv_password", u.priv_password),
                ("priv_key", u.priv_key),
                priv_key_len(protocol),
                protocol.name(),
            )?;
            if let (KeyMaterial::Password(a), KeyMaterial::Password(p)) = (&auth_secret, &material)
            {
                if a.expose() == p.expose() {
                    self.warn(
                        key("priv_password"),
                        "same as auth_password; use a different passphrase",
                    );
                }
            }
            Some((protocol, material))
        };

        let max_level = if privacy.is_some() {
            SecurityLevel::AuthPriv
        } else {
            SecurityLevel::AuthNoPriv
        };
        let min_level = match u.min_security.as_deref() {
            None => max_level,
            Some("authPriv") if privacy.is_none() => {
                return Err(self.err(key("min_security"), Problem::LevelAboveKeys("authPriv")));
            }
            Some("authPriv") => SecurityLevel::AuthPriv,
            Some("authNoPriv") => SecurityLevel::AuthNoPriv,
            Some("noAuthNoPriv") => {
                return Err(self.err(key("min_security"), Problem::LevelBelowAuth));
            }
            Some(other) => {
                return Err(self.err(
                    key("min_security"),
                    Problem::UnknownName {
                        value: other.to_string(),
                        expected: LEVEL_NAMES,
                    },
                ));
            }
        };
        Ok(UserConfig {
            name,
            auth,
            auth_secret,
            privacy,
            min_level,
        })
    }

    /// Exactly one of a passphrase and a localized hex key.
    fn material(
        &mut self,
        i: usize,
        (password_field, password): (&'static str, Option<Secret>),
        (key_field, hex_key): (&'static str, Option<Secret>),
        key_len: usize,
        protocol: &'static str,
    ) -> Result<KeyMaterial, ConfigError> {
        let key = |field: &str| format!("user[{i}].{field}");
        match (password, hex_key) {
            (Some(_), Some(_)) => Err(self.err(key(password_field), Problem::Conflict(key_field))),
            (None, None) => Err(self.err(
                format!("user[{i}]"),
                Problem::NeitherSet(password_field, key_field),
            )),
            (Some(password), None) => {
                let chars = password.expose().chars().count();
                if chars < MIN_PASSPHRASE_CHARS {
                    return Err(self.err(key(password_field), Problem::PassphraseTooShort));
                }
                if chars < SHORT_PASSPHRASE_CHARS {
                    self.warn(
                        key(password_field),
                        format!("shorter than {SHORT_PASSPHRASE_CHARS} characters; easy to guess offline"),
                    );
                }
                Ok(KeyMaterial::Password(password))
            }
            (None, Some(hex)) => {
                let bytes = Zeroizing::new(
                    from_hex(hex.expose().trim())
                        .ok_or_else(|| self.err(key(key_field), Problem::NotHex))?,
                );
                if bytes.len() != key_len {
                    return Err(self.err(
                        key(key_field),
                        Problem::KeyLength {
                            protocol,
                            expected: key_len,
                            actual: bytes.len(),
                        },
                    ));
                }
                Ok(KeyMaterial::Localized(bytes))
            }
        }
    }
}

/// Dotted decimal, an optional leading dot: at least two arcs, the first 0 to 2 and, under 0 or
/// 1, the second below 40, as BER encodes them (X.690 §8.19.4).
fn parse_oid(text: &str) -> Option<Vec<u32>> {
    let text = text.trim();
    let text = text.strip_prefix('.').unwrap_or(text);
    let arcs = text
        .split('.')
        .map(|arc| arc.parse::<u32>().ok())
        .collect::<Option<Vec<u32>>>()?;
    match arcs[..] {
        [0 | 1, second, ..] if second < 40 => {}
        [2, _, ..] => {}
        _ => return None,
    }
    Value::oid(&arcs)?;
    Some(arcs)
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
fn line_column(text: &str, offset: usize) -> (usize, usize) {
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
mod tests {
    use super::*;

    const GOOD: &str = r#"
[agent]
listen = ["127.0.0.1:1161", "[::1]:1161"]
state_dir = "/var/lib/dqi-agent"

[system]
description = "Infusion pump"
contact = "biomed@example.org"
name = "pump-7"
location = "Ward 3"

[[user]]
name = "nms"
auth = "SHA-256"
auth_password = "correct horse battery"
privacy = "AES-128"
priv_password = "staple staple staple"
"#;

    fn parse(text: &str) -> Result<(Config, Vec<Warning>), ConfigError> {
        Config::parse(text, Path::new("/etc/dqi/agent.toml"))
    }

    /// The error's message, for a config that must be refused.
    fn refused(text: &str) -> String {
        match parse(text) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    /// `GOOD` with the user section's `from` line replaced by `to` (empty `to` removes it).
    fn with(from: &str, to: &str) -> String {
        assert!(GOOD.contains(from), "{from}");
        GOOD.replacen(from, to, 1)
    }

    #[test]
    fn good_config_parses_with_defaults() {
        let (c, warnings) = parse(GOOD).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(
            c.agent.listen,
            [
                "127.0.0.1:1161".parse().unwrap(),
                "[::1]:1161".parse().unwrap()
            ]
        );
        assert_eq!(c.agent.state_dir, Path::new("/var/lib/dqi-agent"));
        assert_eq!(c.agent.engine_id, None);
        assert_eq!(c.agent.max_message_size, 65507);
        assert_eq!(c.agent.log_level, "info");
        assert_eq!(c.system.description, "Infusion pump");
        assert_eq!(c.system.object_id, [1, 3, 6, 1, 4, 1, 8072, 3, 2, 10]);
        assert_eq!(c.system.services, 72);
        let u = &c.users[0];
        assert_eq!(u.name, "nms");
        assert_eq!(u.auth, AuthProtocol::Sha256);
        assert!(matches!(u.auth_secret, KeyMaterial::Password(_)));
        assert!(matches!(
            u.privacy,
            Some((PrivProtocol::Aes128, KeyMaterial::Password(_)))
        ));
        assert_eq!(
            u.min_level,
            SecurityLevel::AuthPriv,
            "privacy configured: must be used"
        );
    }

    #[test]
    fn optional_agent_keys() {
        let text = with(
            "state_dir = \"/var/lib/dqi-agent\"",
            "state_dir = \"/s\"\nengine_id = \"0x80001F8805AABBCCDD\"\nmax_message_size = 1500\nlog_level = \"dqi_agent=debug\"",
        );
        let (c, _) = parse(&text).unwrap();
        assert_eq!(
            c.agent.engine_id.as_deref(),
            Some(&[0x80, 0x00, 0x1f, 0x88, 0x05, 0xaa, 0xbb, 0xcc, 0xdd][..])
        );
        assert_eq!(c.agent.max_message_size, 1500);
        assert_eq!(c.agent.log_level, "dqi_agent=debug");
    }

    #[test]
    fn secrets_never_in_debug_output() {
        let (c, _) = parse(GOOD).unwrap();
        let debug = format!("{c:?}");
        assert!(
            !debug.contains("horse") && !debug.contains("staple"),
            "{debug}"
        );
        let raw: ConfigFile = toml::from_str(GOOD).unwrap();
        assert!(!format!("{raw:?}").contains("horse"));
    }

    #[test]
    fn unknown_keys_refused_with_line_and_no_secret() {
        let msg = refused(&with("auth_password = ", "auth_pasword = "));
        assert!(msg.starts_with("/etc/dqi/agent.toml:15:1: "), "{msg}");
        assert!(msg.contains("unknown field `auth_pasword`"), "{msg}");
        assert!(!msg.contains("horse"), "the line's secret leaked: {msg}");
        assert!(
            refused(&with("[system]", "[system]\nuptime = 3")).contains("unknown field `uptime`")
        );
        assert!(
            refused(&format!("{GOOD}\n[budget]\nrate = 1\n")).contains("unknown field `budget`")
        );
    }

    #[test]
    fn non_string_secret_refused_without_echo() {
        let msg = refused(&with("\"correct horse battery\"", "12345678"));
        assert!(msg.starts_with("/etc/dqi/agent.toml:15:"), "{msg}");
        assert!(msg.contains("a secret must be a quoted string"), "{msg}");
        assert!(!msg.contains("12345678"), "{msg}");
    }

    #[test]
    fn wrong_types_and_missing_sections() {
        let msg = refused(&with(
            "listen = [\"127.0.0.1:1161\", \"[::1]:1161\"]",
            "listen = \"127.0.0.1:1161\"",
        ));
        assert!(msg.starts_with("/etc/dqi/agent.toml:3:"), "{msg}");
        assert!(refused("[system]\ndescription = \"x\"\n").contains("missing field `agent`"));
        assert!(
            refused(&with("description = \"Infusion pump\"\n", ""))
                .contains("missing field `description`")
        );
    }

    #[test]
    fn listen_addresses() {
        assert_eq!(
            refused(&with("[\"127.0.0.1:1161\", \"[::1]:1161\"]", "[]")),
            "/etc/dqi/agent.toml: agent.listen: at least one address is required"
        );
        assert_eq!(
            refused(&with("\"[::1]:1161\"", "\"localhost:1161\"")),
            "/etc/dqi/agent.toml: agent.listen[1]: \"localhost:1161\" is not an IP address and port, \
             such as 127.0.0.1:161 or [::1]:161"
        );
        assert!(refused(&with("\"127.0.0.1:1161\"", "\"127.0.0.1\"")).contains("agent.listen[0]:"));
    }

    #[test]
    fn state_dir_must_not_be_empty() {
        assert_eq!(
            refused(&with("\"/var/lib/dqi-agent\"", "\"\"")),
            "/etc/dqi/agent.toml: agent.state_dir: must not be empty"
        );
    }

    #[test]
    fn engine_id_rules() {
        let engine = |hex: &str| {
            refused(&with(
                "state_dir",
                &format!("engine_id = \"{hex}\"\nstate_dir"),
            ))
        };
        assert_eq!(
            engine("80001f88zz"),
            "/etc/dqi/agent.toml: agent.engine_id: not hexadecimal (an even number of 0-9, a-f digits, optionally after 0x)"
        );
        assert!(
            engine("80001f880").contains("not hexadecimal"),
            "odd digit count"
        );
        assert_eq!(
            engine("80001f88"),
            "/etc/dqi/agent.toml: agent.engine_id: 4 octets; an engine ID has 5 to 32 (RFC 3411)"
        );
        assert!(engine(&"ab".repeat(33)).contains("33 octets"));
        assert!(engine("0000000000").contains("all zeros or all 'ff'H"));
        assert!(engine("ffffffffffff").contains("all zeros or all 'ff'H"));
        // The bounds themselves are fine.
        for len in [5, 32] {
            let text = with(
                "state_dir",
                &format!("engine_id = \"{}\"\nstate_dir", "8a".repeat(len)),
            );
            assert_eq!(
                parse(&text).unwrap().0.agent.engine_id.map(|id| id.len()),
                Some(len)
            );
        }
    }

    #[test]
    fn max_message_size_range() {
        let size = |n: &str| {
            parse(&with(
                "state_dir",
                &format!("max_message_size = {n}\nstate_dir"),
            ))
        };
        assert_eq!(size("484").unwrap().0.agent.max_message_size, 484);
        assert_eq!(size("65507").unwrap().0.agent.max_message_size, 65507);
        for bad in ["483", "65508", "-1"] {
            let msg = size(bad).unwrap_err().to_string();
            assert_eq!(
                msg,
                format!(
                    "/etc/dqi/agent.toml: agent.max_message_size: {bad} is outside 484..=65507"
                )
            );
        }
    }

    #[test]
    fn log_level_must_parse() {
        let msg = refused(&with("state_dir", "log_level = \"loud=[\"\nstate_dir"));
        assert!(
            msg.starts_with("/etc/dqi/agent.toml: agent.log_level: \"loud=[\" is not a log filter"),
            "{msg}"
        );
        assert!(
            refused(&with("state_dir", "log_level = \"\"\nstate_dir")).contains("agent.log_level")
        );
    }

    #[test]
    fn system_strings_and_object_id() {
        let long = "x".repeat(256);
        assert_eq!(
            refused(&with("\"Ward 3\"", &format!("\"{long}\""))),
            "/etc/dqi/agent.toml: system.location: 256 octets; at most 255 allowed"
        );
        let (c, _) = parse(&with(
            "location = \"Ward 3\"",
            "object_id = \".1.3.6.1.4.1.99999.1\"",
        ))
        .unwrap();
        assert_eq!(c.system.object_id, [1, 3, 6, 1, 4, 1, 99999, 1]);
        assert_eq!(c.system.location, "", "defaults to empty");
        for bad in ["1.3.x", "7.1", "1", "", "1.40", "1..3"] {
            let msg = refused(&with(
                "location = \"Ward 3\"",
                &format!("object_id = \"{bad}\""),
            ));
            assert!(
                msg.starts_with("/etc/dqi/agent.toml: system.object_id: "),
                "{bad}: {msg}"
            );
        }
    }

    #[test]
    fn at_least_one_user() {
        let text = GOOD.split("[[user]]").next().unwrap();
        assert_eq!(
            refused(text),
            "/etc/dqi/agent.toml: user: at least one [[user]] is required"
        );
    }

    #[test]
    fn user_name_rules() {
        assert_eq!(
            refused(&with("name = \"nms\"\n", "")),
            "/etc/dqi/agent.toml: user[0].name: missing"
        );
        assert_eq!(
            refused(&with("name = \"nms\"", "name = \"\"")),
            "/etc/dqi/agent.toml: user[0].name: must not be empty"
        );
        assert!(parse(&with("\"nms\"", &format!("\"{}\"", "n".repeat(32)))).is_ok());
        assert_eq!(
            refused(&with("\"nms\"", &format!("\"{}\"", "n".repeat(33)))),
            "/etc/dqi/agent.toml: user[0].name: 33 octets; at most 32 allowed"
        );
        let second =
            "\n[[user]]\nname = \"nms\"\nauth = \"SHA\"\nauth_password = \"another passphrase\"\n";
        assert_eq!(
            refused(&format!("{GOOD}{second}")),
            "/etc/dqi/agent.toml: user[1].name: \"nms\" is also the name of an earlier user"
        );
    }

    #[test]
    fn every_user_authenticates() {
        let expected = "/etc/dqi/agent.toml: user[0].auth: every user must authenticate; set it to one of \
                        MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512";
        assert_eq!(refused(&with("auth = \"SHA-256\"\n", "")), expected);
        assert_eq!(refused(&with("\"SHA-256\"", "\"none\"")), expected);
        assert_eq!(
            refused(&with("\"SHA-256\"", "\"SHA-1024\"")),
            "/etc/dqi/agent.toml: user[0].auth: unknown value \"SHA-1024\"; expected one of \
             MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512"
        );
        assert_eq!(
            refused(&format!("{GOOD}min_security = \"noAuthNoPriv\"\n")),
            "/etc/dqi/agent.toml: user[0].min_security: noAuthNoPriv is not allowed: every user must \
             authenticate; use authNoPriv, authPriv"
        );
    }

    #[test]
    fn passphrase_length() {
        assert_eq!(
            refused(&with("\"correct horse battery\"", "\"1234567\"")),
            "/etc/dqi/agent.toml: user[0].auth_password: shorter than 8 characters (RFC 3414 §11.2)"
        );
        assert!(
            refused(&with("\"staple staple staple\"", "\"short\""))
                .contains("user[0].priv_password: shorter")
        );
        // Characters, not octets: eight two-octet characters pass.
        let (_, warnings) = parse(&with("\"correct horse battery\"", "\"éééééééé\"")).unwrap();
        assert_eq!(warnings.len(), 1);
        assert_eq!(
            warnings[0].to_string(),
            "/etc/dqi/agent.toml: user[0].auth_password: shorter than 12 characters; easy to guess offline"
        );
        let (_, warnings) = parse(&with("\"correct horse battery\"", "\"twelve chars\"")).unwrap();
        assert!(warnings.is_empty(), "{warnings:?}");
    }

    #[test]
    fn exactly_one_of_password_and_key() {
        let hex32 = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
        assert_eq!(
            refused(&with(
                "auth = \"SHA-256\"",
                &format!("auth = \"SHA-256\"\nauth_key = \"{hex32}\"")
            )),
            "/etc/dqi/agent.toml: user[0].auth_password: set either this or auth_key, not both"
        );
        assert_eq!(
            refused(&with("auth_password = \"correct horse battery\"\n", "")),
            "/etc/dqi/agent.toml: user[0]: set auth_password or auth_key"
        );
        assert_eq!(
            refused(&with("priv_password = \"staple staple staple\"\n", "")),
            "/etc/dqi/agent.toml: user[0]: set priv_password or priv_key"
        );
        let (c, _) = parse(&with(
            "auth_password = \"correct horse battery\"",
            &format!("auth_key = \"0x{hex32}\""),
        ))
        .unwrap();
        match &c.users[0].auth_secret {
            KeyMaterial::Localized(k) => assert_eq!(k.len(), 32),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn localized_key_lengths_follow_the_protocol() {
        let auth_key = |proto: &str, octets: usize| {
            parse(&with(
                "auth = \"SHA-256\"\nauth_password = \"correct horse battery\"",
                &format!("auth = \"{proto}\"\nauth_key = \"{}\"", "5a".repeat(octets)),
            ))
        };
        for (proto, len) in [
            ("MD5", 16),
            ("SHA", 20),
            ("SHA-224", 28),
            ("SHA-256", 32),
            ("SHA-384", 48),
            ("SHA-512", 64),
        ] {
            assert!(auth_key(proto, len).is_ok(), "{proto}");
            let msg = auth_key(proto, len - 1).unwrap_err().to_string();
            assert_eq!(
                msg,
                format!(
                    "/etc/dqi/agent.toml: user[0].auth_key: {} octets; a localized {proto} key has {len}",
                    len - 1
                )
            );
        }
        let priv_key = |proto: &str, octets: usize| {
            parse(&with(
                "privacy = \"AES-128\"\npriv_password = \"staple staple staple\"",
                &format!(
                    "privacy = \"{proto}\"\npriv_key = \"{}\"",
                    "a5".repeat(octets)
                ),
            ))
        };
        for (proto, len) in [
            ("DES", 16),
            ("AES-128", 16),
            ("AES-192", 24),
            ("AES-256", 32),
            ("AES-192-C", 24),
            ("AES-256-C", 32),
        ] {
            assert!(priv_key(proto, len).is_ok(), "{proto}");
            assert!(
                priv_key(proto, len + 1)
                    .unwrap_err()
                    .to_string()
                    .contains("user[0].priv_key: ")
            );
        }
        assert!(priv_key("AES-128", 0).is_err());
        let msg = refused(&with(
            "priv_password = \"staple staple staple\"",
            "priv_key = \"not hex at all\"",
        ));
        assert!(
            msg.starts_with("/etc/dqi/agent.toml: user[0].priv_key: not hexadecimal"),
            "{msg}"
        );
        assert!(
            !msg.contains("not hex at all"),
            "a key's text must not be echoed"
        );
    }

    #[test]
    fn privacy_none_takes_no_secret() {
        let msg = refused(&with("\"AES-128\"", "\"none\""));
        assert_eq!(
            msg,
            "/etc/dqi/agent.toml: user[0].priv_password: privacy is none, so this must not be set"
        );
        let (c, _) = parse(&with(
            "privacy = \"AES-128\"\npriv_password = \"staple staple staple\"\n",
            "",
        ))
        .unwrap();
        assert!(c.users[0].privacy.is_none(), "privacy defaults to none");
        assert_eq!(
            c.users[0].min_level,
            SecurityLevel::AuthNoPriv,
            "the strongest the keys allow"
        );
        assert!(
            refused(&with("\"AES-128\"", "\"AES-512\""))
                .contains("user[0].privacy: unknown value \"AES-512\"")
        );
        assert_eq!(
            parse(&with("\"AES-128\"", "\"AES\"")).unwrap().0.users[0]
                .privacy
                .as_ref()
                .map(|p| p.0),
            Some(PrivProtocol::Aes128)
        );
    }

    #[test]
    fn min_security_not_above_the_keys() {
        let no_priv = with(
            "privacy = \"AES-128\"\npriv_password = \"staple staple staple\"\n",
            "min_security = \"authPriv\"\n",
        );
        assert_eq!(
            refused(&no_priv),
            "/etc/dqi/agent.toml: user[0].min_security: authPriv needs a privacy protocol and this user has none"
        );
        let relaxed = format!("{GOOD}min_security = \"authNoPriv\"\n");
        assert_eq!(
            parse(&relaxed).unwrap().0.users[0].min_level,
            SecurityLevel::AuthNoPriv
        );
        assert!(
            refused(&format!("{GOOD}min_security = \"high\"\n"))
                .contains("user[0].min_security: unknown value \"high\"")
        );
    }

    #[test]
    fn weak_choices_warn() {
        let text = with("\"SHA-256\"", "\"MD5\"").replace("\"AES-128\"", "\"DES\"");
        let (_, warnings) = parse(&text).unwrap();
        let keys: Vec<&str> = warnings.iter().map(|w| w.key.as_str()).collect();
        assert_eq!(keys, ["user[0].auth", "user[0].privacy"]);
        assert_eq!(
            warnings[0].to_string(),
            "/etc/dqi/agent.toml: user[0].auth: MD5 is weak; prefer SHA-256 or stronger"
        );
        let same = with("\"staple staple staple\"", "\"correct horse battery\"");
        let (_, warnings) = parse(&same).unwrap();
        assert_eq!(warnings[0].key, "user[0].priv_password");
        assert!(!warnings[0].to_string().contains("horse"));
    }

    #[test]
    fn users_are_localized_into_the_table() {
        let second = "\n[[user]]\nname = \"audit\"\nauth = \"SHA-512\"\nauth_key = \"";
        let text = format!("{GOOD}{second}{}\"\n", "11".repeat(64));
        let (c, _) = parse(&text).unwrap();
        let users = c.users(&[0x80, 0x00, 0x1f, 0x88, 0x05, 1, 2, 3]).unwrap();
        assert_eq!(users.len(), 2);
        let nms = users.get(b"nms").unwrap();
        assert_eq!(nms.auth.protocol(), AuthProtocol::Sha256);
        assert_eq!(
            nms.privacy.as_ref().map(|p| p.protocol()),
            Some(PrivProtocol::Aes128)
        );
        assert_eq!(nms.min_level, SecurityLevel::AuthPriv);
        let audit = users.get(b"audit").unwrap();
        assert_eq!(audit.auth.protocol(), AuthProtocol::Sha512);
        assert!(audit.privacy.is_none());
        assert_eq!(audit.min_level, SecurityLevel::AuthNoPriv);
    }

    #[test]
    fn hex_round_trip() {
        assert_eq!(from_hex("0x00ff10Ab"), Some(vec![0, 0xff, 0x10, 0xab]));
        assert_eq!(to_hex(&[0, 0xff, 0x10, 0xab]), "00ff10ab");
        assert_eq!(from_hex(""), Some(vec![]));
        for bad in ["0", "0g", "+1", "é1"] {
            assert_eq!(from_hex(bad), None, "{bad}");
        }
    }

    #[cfg(unix)]
    mod files {
        use super::*;
        use std::os::unix::fs::PermissionsExt;

        fn write(name: &str, mode: u32) -> PathBuf {
            let dir =
                std::env::temp_dir().join(format!("dqi-config-test-{}-{name}", std::process::id()));
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join("agent.toml");
            std::fs::write(&path, GOOD).unwrap();
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            path
        }

        #[test]
        fn private_file_loads() {
            let path = write("private", 0o600);
            let (c, warnings) = Config::load(&path).unwrap();
            assert!(warnings.is_empty());
            assert_eq!(c.file, path);
            std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
        }

        #[test]
        fn world_readable_file_refused() {
            let path = write("world", 0o644);
            let msg = Config::load(&path).unwrap_err().to_string();
            let shown = path.display();
            assert_eq!(
                msg,
                format!(
                    "{shown}: other users can access it (mode 644) and it holds secrets; run `chmod 600 {shown}`"
                )
            );
            std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
        }

        #[test]
        fn group_readable_file_warns() {
            let path = write("group", 0o640);
            let (_, warnings) = Config::load(&path).unwrap();
            assert_eq!(warnings.len(), 1);
            assert!(
                warnings[0]
                    .message
                    .contains("group can access it (mode 640)"),
                "{}",
                warnings[0]
            );
            std::fs::remove_dir_all(path.parent().unwrap()).unwrap();
        }

        #[test]
        fn missing_file_named() {
            let msg = Config::load(Path::new("/nonexistent/dqi.toml"))
                .unwrap_err()
                .to_string();
            assert!(
                msg.starts_with("/nonexistent/dqi.toml: cannot read: "),
                "{msg}"
            );
        }
    }
}
