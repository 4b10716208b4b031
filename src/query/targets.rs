//! The targets file: which devices to ask, and with which USM credentials.
//!
//! ```toml
//! [credentials.biomed]
//! user = "dqi-query"
//! auth = "SHA-256"              # MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512
//! auth_password = "..."         # or auth_key: hex, localized to the target's engine_id
//! privacy = "AES-128"           # none, DES, AES-128, AES-192, AES-256, AES-192-C, AES-256-C
//! priv_password = "..."         # or priv_key
//!
//! [[target]]
//! name = "pump-17"
//! address = "10.1.2.3:161"      # "[fe80::1]:161" for IPv6; the port defaults to 161
//! credentials = "biomed"
//! engine_id = "80001f8804..."   # optional; required by credentials holding localized keys
//! ```
//!
//! The vocabulary is the agent's own `[[user]]` section's. The file holds secrets, so one that
//! other users can read or write is refused, as the agent refuses its own configuration. Every
//! error names the file and the key. A passphrase is turned into its master key (RFC 3414
//! A.2, a megabyte of hashing) once per credentials entry, not once per device: each device's
//! keys are then one localization hash away ([`Credentials::keys`]).

use std::collections::BTreeMap;
use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;

use crate::config::{Secret, line_column};
use crate::files::{self, Links, ReadError};
use zeroize::Zeroizing;

use crate::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol};

/// The largest targets file read (a hospital's 50,000 devices fit with room to spare).
const MAX_FILE_BYTES: u64 = 64 << 20;
/// RFC 3414 §11.2's shortest passphrase.
const MIN_PASSPHRASE: usize = 8;
/// The SNMP port when an address gives none.
pub const DEFAULT_PORT: u16 = 161;

/// The file as written.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File_ {
    #[serde(default)]
    credentials: BTreeMap<String, CredentialsSection>,
    #[serde(default)]
    target: Vec<TargetSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CredentialsSection {
    user: Option<String>,
    auth: Option<String>,
    auth_password: Option<Secret>,
    auth_key: Option<Secret>,
    privacy: Option<String>,
    priv_password: Option<Secret>,
    priv_key: Option<Secret>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TargetSection {
    name: Option<String>,
    address: Option<String>,
    credentials: Option<String>,
    engine_id: Option<String>,
}

/// Key material of one protocol.
enum Key {
    /// The master key `Ku` of a passphrase (RFC 3414 A.2.1), localized per engine.
    Master(Zeroizing<Vec<u8>>),
    /// A key already localized to one engine ID.
    Localized(Zeroizing<Vec<u8>>),
}

/// One `[credentials.NAME]` entry, validated, passphrases already turned into master keys.
pub struct Credentials {
    /// The entry's name.
    pub name: String,
    /// usmUserName.
    pub user: String,
    /// The authentication protocol.
    pub auth: AuthProtocol,
    auth_key: Key,
    privacy: Option<(PrivProtocol, Key)>,
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("name", &self.name)
            .field("user", &self.user)
            .field("auth", &self.auth)
            .field("privacy", &self.privacy.as_ref().map(|(p, _)| *p))
            .finish_non_exhaustive()
    }
}

impl Credentials {
    /// The user's keys for the engine `engine_id`; an error (for the device's record) when
    /// the entry holds keys localized to another engine.
    pub fn keys(&self, engine_id: &[u8]) -> Result<(AuthKey, Option<PrivKey>), String> {
        let auth = match &self.auth_key {
            Key::Master(ku) => AuthKey::from_master_key(self.auth, ku, engine_id),
            Key::Localized(k) => {
                AuthKey::from_localized(self.auth, k).map_err(|e| e.to_string())?
            }
        };
        let privacy = match &self.privacy {
            None => None,
            Some((p, Key::Master(ku))) => {
                Some(PrivKey::from_master_key(*p, self.auth, ku, engine_id))
            }
            Some((p, Key::Localized(k))) => {
                Some(PrivKey::from_localized(*p, k).map_err(|e| e.to_string())?)
            }
        };
        Ok((auth, privacy))
    }

    /// Whether the keys are localized to one engine (the target must name it).
    pub fn localized(&self) -> bool {
        matches!(self.auth_key, Key::Localized(_))
            || matches!(self.privacy, Some((_, Key::Localized(_))))
    }
}

/// One device to ask.
#[derive(Debug, Clone)]
pub struct Target {
    /// Its name in the file, used in every output record.
    pub name: String,
    /// Where it listens.
    pub address: SocketAddr,
    /// The credentials to ask with.
    pub credentials: Arc<Credentials>,
    /// The engine ID the file pins, if any: a discovered one that differs is refused.
    pub engine_id: Option<Vec<u8>>,
}

/// A loaded targets file.
#[derive(Debug)]
pub struct Targets {
    /// The file.
    pub file: PathBuf,
    /// The targets, in file order.
    pub targets: Vec<Target>,
}

/// Why a targets file was refused.
#[derive(Debug, thiserror::Error)]
pub enum TargetsError {
    /// Not readable.
    #[error("{}: cannot read: {source}", file.display())]
    Read {
        /// The file.
        file: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// Larger than any targets file should be.
    #[error("{}: larger than 64 MiB; is this the targets file?", file.display())]
    TooLarge {
        /// The file.
        file: PathBuf,
    },
    /// Others can read or write it, and it holds secrets.
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
    /// Not TOML, an unknown key, or a value of the wrong type.
    #[error("{}:{line}:{column}: {message}", file.display())]
    Syntax {
        /// The file.
        file: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// The parser's message, never the line's text (it may hold a passphrase).
        message: String,
    },
    /// A key with a value that cannot be used.
    #[error("{}: {key}: {message}", file.display())]
    Invalid {
        /// The file.
        file: PathBuf,
        /// The key, such as `target[3].credentials` or `credentials.biomed.auth`.
        key: String,
        /// What is wrong.
        message: String,
    },
}

impl Targets {
    /// Reads and validates the file at `path`, refusing it when others can access it.
    pub fn load(path: &Path) -> Result<Targets, TargetsError> {
        let read_err = |source| TargetsError::Read {
            file: path.to_path_buf(),
            source,
        };
        // Opened without blocking and required to be a regular file, as the agent opens its
        // own files: a FIFO named as the targets file would otherwise hang the run.
        let file = files::open_regular(path, Links::Follow).map_err(read_err)?;
        let meta = file.metadata().map_err(read_err)?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o007 != 0 {
                return Err(TargetsError::Exposed {
                    file: path.to_path_buf(),
                    mode,
                });
            }
        }
        let bytes = Zeroizing::new(files::read_bounded(file, MAX_FILE_BYTES).map_err(
            |e| match e {
                ReadError::TooLarge(_) => TargetsError::TooLarge {
                    file: path.to_path_buf(),
                },
                ReadError::Io(source) => read_err(source),
            },
        )?);
        let text = std::str::from_utf8(&bytes).map_err(|e| {
            read_err(std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!(
                    "not UTF-8 text ({})",
                    files::utf8_error_position(&bytes, e.valid_up_to())
                ),
            ))
        })?;
        Targets::parse(text, path)
    }

    /// Parses and validates `text`, naming `file` in errors.
    pub fn parse(text: &str, file: &Path) -> Result<Targets, TargetsError> {
        let parsed: File_ = toml::from_str(text).map_err(|e| {
            let (line, column) = e.span().map_or((0, 0), |s| line_column(text, s.start));
            TargetsError::Syntax {
                file: file.to_path_buf(),
                line,
                column,
                message: e.message().trim_end().to_string(),
            }
        })?;
        let invalid = |key: String, message: String| TargetsError::Invalid {
            file: file.to_path_buf(),
            key,
            message,
        };
        let mut credentials = BTreeMap::new();
        for (name, section) in parsed.credentials {
            let c = credentials_entry(&name, section)
                .map_err(|(key, message)| invalid(format!("credentials.{name}.{key}"), message))?;
            credentials.insert(name, Arc::new(c));
        }
        if parsed.target.is_empty() {
            return Err(invalid(
                "target".into(),
                "no [[target]]: list at least one device".into(),
            ));
        }
        let mut targets = Vec::with_capacity(parsed.target.len());
        let mut names = BTreeMap::new();
        for (i, t) in parsed.target.into_iter().enumerate() {
            let key = |field: &str| format!("target[{i}].{field}");
            let name = t
                .name
                .ok_or_else(|| invalid(key("name"), "missing".into()))?;
            if name.is_empty() {
                return Err(invalid(key("name"), "must not be empty".into()));
            }
            if let Some(first) = names.insert(name.clone(), i) {
                return Err(invalid(
                    key("name"),
                    format!("{name:?} is also the name of target[{first}]"),
                ));
            }
            let address = t
                .address
                .ok_or_else(|| invalid(key("address"), "missing".into()))?;
            let address = parse_address(&address).ok_or_else(|| {
                invalid(
                    key("address"),
                    format!("{address:?} is not an IP address and port, such as 10.1.2.3:161 or [fe80::1]:161"),
                )
            })?;
            let cred_name = t
                .credentials
                .ok_or_else(|| invalid(key("credentials"), "missing".into()))?;
            let creds = credentials.get(&cred_name).ok_or_else(|| {
                invalid(
                    key("credentials"),
                    format!("{cred_name:?} is not a [credentials.*] entry of this file"),
                )
            })?;
            let engine_id = match t.engine_id {
                None => None,
                Some(hex) => Some(
                    crate::hex::from_hex(&hex)
                        .filter(|id| (5..=32).contains(&id.len()))
                        .ok_or_else(|| {
                            invalid(key("engine_id"), "not 5 to 32 octets of hex".into())
                        })?,
                ),
            };
            if creds.localized() && engine_id.is_none() {
                return Err(invalid(
                    key("engine_id"),
                    format!(
                        "missing: credentials {cred_name:?} hold keys localized to one engine, so the target must name it"
                    ),
                ));
            }
            targets.push(Target {
                name,
                address,
                credentials: Arc::clone(creds),
                engine_id,
            });
        }
        Ok(Targets {
            file: file.to_path_buf(),
            targets,
        })
    }
}

/// Validates one credentials entry; errors carry the field name and the message.
fn credentials_entry(
    name: &str,
    s: CredentialsSection,
) -> Result<Credentials, (&'static str, String)> {
    let user = s.user.ok_or(("user", "missing".to_string()))?;
    if user.is_empty() || user.len() > 32 {
        return Err(("user", "a user name has 1 to 32 octets".into()));
    }
    let auth_name = s.auth.ok_or((
        "auth",
        "missing: every user authenticates (MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512)"
            .to_string(),
    ))?;
    let auth = AuthProtocol::from_name(&auth_name).ok_or((
        "auth",
        format!("unknown value {auth_name:?}; expected one of MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512"),
    ))?;
    let auth_key = key_material(
        auth,
        s.auth_password,
        s.auth_key,
        ("auth_password", "auth_key"),
        auth.key_len(),
    )?;
    let privacy = match s.privacy.as_deref() {
        None | Some("none") => {
            if s.priv_password.is_some() {
                return Err((
                    "priv_password",
                    "privacy is none, so this must not be set".into(),
                ));
            }
            if s.priv_key.is_some() {
                return Err((
                    "priv_key",
                    "privacy is none, so this must not be set".into(),
                ));
            }
            None
        }
        Some(p) => {
            let protocol = PrivProtocol::from_name(p).ok_or((
                "privacy",
                format!("unknown value {p:?}; expected one of none, DES, AES-128, AES-192, AES-256, AES-192-C, AES-256-C"),
            ))?;
            let key = key_material(
                auth,
                s.priv_password,
                s.priv_key,
                ("priv_password", "priv_key"),
                protocol.localized_len(),
            )?;
            Some((protocol, key))
        }
    };
    let _ = name;
    Ok(Credentials {
        name: name.to_string(),
        user,
        auth,
        auth_key,
        privacy,
    })
}

fn key_material(
    auth: AuthProtocol,
    password: Option<Secret>,
    key: Option<Secret>,
    (pw_name, key_name): (&'static str, &'static str),
    min_len: usize,
) -> Result<Key, (&'static str, String)> {
    match (password, key) {
        (Some(_), Some(_)) => Err((key_name, format!("set either this or {pw_name}, not both"))),
        (None, None) => Err((pw_name, format!("missing: set {pw_name} or {key_name}"))),
        (Some(p), None) => {
            if p.expose().chars().count() < MIN_PASSPHRASE {
                return Err((
                    pw_name,
                    format!("shorter than {MIN_PASSPHRASE} characters (RFC 3414 §11.2)"),
                ));
            }
            Ok(Key::Master(auth.password_to_key(p.expose().as_bytes())))
        }
        (None, Some(k)) => {
            let bytes = Zeroizing::new(crate::hex::from_hex(k.expose()).ok_or((
                key_name,
                "not hexadecimal (an even number of 0-9, a-f digits)".to_string(),
            ))?);
            if bytes.len() < min_len {
                return Err((
                    key_name,
                    format!(
                        "{} octets; this protocol's localized key has {min_len}",
                        bytes.len()
                    ),
                ));
            }
            Ok(Key::Localized(bytes))
        }
    }
}

/// `IP:port`, `[v6]:port`, or a bare IP (port 161).
pub fn parse_address(text: &str) -> Option<SocketAddr> {
    if let Ok(addr) = text.parse::<SocketAddr>() {
        return Some(addr);
    }
    let bare = text.trim_start_matches('[').trim_end_matches(']');
    bare.parse::<IpAddr>()
        .ok()
        .map(|ip| SocketAddr::new(ip, DEFAULT_PORT))
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
[credentials.biomed]
user = "dqi-query"
auth = "SHA-256"
auth_password = "biomed-auth-pass"
privacy = "AES-128"
priv_password = "biomed-priv-pass"

[[target]]
name = "pump-17"
address = "127.0.0.1:1161"
credentials = "biomed"

[[target]]
name = "monitor-3"
address = "[::1]:1162"
credentials = "biomed"

[[target]]
name = "ct-1"
address = "10.0.0.9"
credentials = "biomed"
"#;

    fn error(text: &str) -> String {
        match Targets::parse(text, Path::new("targets.toml")) {
            Ok(_) => panic!("accepted:\n{text}"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn parses_targets_and_shares_credentials() {
        let t = Targets::parse(GOOD, Path::new("targets.toml")).expect("valid");
        assert_eq!(t.targets.len(), 3);
        assert_eq!(t.targets[1].address, "[::1]:1162".parse().expect("addr"));
        assert_eq!(t.targets[2].address.port(), DEFAULT_PORT);
        assert!(Arc::ptr_eq(
            &t.targets[0].credentials,
            &t.targets[1].credentials
        ));
        // Keys from the master key equal keys from the passphrase, for any engine.
        let engine = [0x80, 0, 0x1f, 0x88, 4, 1, 2, 3];
        let (auth, _) = t.targets[0].credentials.keys(&engine).expect("keys");
        let direct = AuthKey::from_password(AuthProtocol::Sha256, b"biomed-auth-pass", &engine);
        let (mut a, mut b) = ([0u8; 24], [0u8; 24]);
        auth.sign(b"message", &mut a);
        direct.sign(b"message", &mut b);
        assert_eq!(a, b);
        assert!(!format!("{:?}", t.targets[0].credentials).contains("biomed-auth-pass"));
    }

    #[test]
    fn errors_name_the_file_and_key() {
        let cases = [
            (
                GOOD.replace(
                    "credentials = \"biomed\"\n\n[[target]]\nname = \"monitor-3\"",
                    "credentials = \"nurses\"\n\n[[target]]\nname = \"monitor-3\"",
                ),
                "targets.toml: target[0].credentials: \"nurses\" is not a [credentials.*] entry",
            ),
            (
                GOOD.replace("\"[::1]:1162\"", "\"pump.example:161\""),
                "targets.toml: target[1].address: \"pump.example:161\" is not an IP address",
            ),
            (
                GOOD.replace("\"SHA-256\"", "\"SHA-3\""),
                "targets.toml: credentials.biomed.auth: unknown value \"SHA-3\"",
            ),
            (
                GOOD.replace("\"biomed-priv-pass\"", "\"short\""),
                "targets.toml: credentials.biomed.priv_password: shorter than 8",
            ),
            (
                GOOD.replace("name = \"ct-1\"", "name = \"pump-17\""),
                "targets.toml: target[2].name: \"pump-17\" is also the name of target[0]",
            ),
            (
                GOOD.replace(
                    "auth_password = \"biomed-auth-pass\"",
                    "auth_key = \"00112233\"\nauth_password = \"biomed-auth-pass\"",
                ),
                "targets.toml: credentials.biomed.auth_key: set either this or auth_password",
            ),
            (
                GOOD.replace("name = \"ct-1\"", "nmae = \"ct-1\""),
                "targets.toml:20:1: unknown field `nmae`",
            ),
            (
                "[credentials.x]\nuser = \"u\"\nauth = \"SHA\"\nauth_password = \"12345678\"\n"
                    .to_string(),
                "targets.toml: target: no [[target]]",
            ),
        ];
        for (text, want) in cases {
            let got = error(&text);
            assert!(got.starts_with(want), "got {got:?}, want {want:?}");
            assert!(!got.contains("biomed-auth-pass"), "{got}");
        }
    }

    #[test]
    fn localized_keys_need_the_engine_id() {
        let text = GOOD.replace(
            "auth_password = \"biomed-auth-pass\"",
            &format!("auth_key = \"{}\"", "ab".repeat(32)),
        );
        let got = error(&text);
        assert!(
            got.starts_with("targets.toml: target[0].engine_id: missing"),
            "{got}"
        );
    }
}
