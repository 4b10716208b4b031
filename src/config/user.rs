//! The `[[user]]` section: the USM users (RFC 3414 §5), their protocols, the lowest security
//! level each is served at, and their key material, passphrase or localized key.
//!
//! Validation turns each section into a [`UserConfig`]; [`Config::users`] localizes the keys
//! to the engine ID (RFC 3414 §2.6) once, at start-up, the one place keys are built. Key
//! lengths come from [`crate::usm`], which owns the protocols.

use std::fmt;
use std::path::Path;

use serde::Deserialize;
use zeroize::Zeroizing;

use super::validate::Validator;
use super::{Config, ConfigError, Problem, Secret};
use crate::hex::from_hex;
use crate::usm::{AuthKey, AuthProtocol, PrivKey, PrivProtocol, SecurityLevel, User, Users};

/// Passphrases shorter than this are refused (RFC 3414 §11.2).
pub const MIN_PASSPHRASE_CHARS: usize = 8;
/// Passphrases shorter than this are accepted with a warning: eight characters is the RFC's
/// floor, not a strength, and USM keys fall to offline guessing from one captured request.
pub const SHORT_PASSPHRASE_CHARS: usize = 12;
/// `usmUserName` is an `SnmpAdminString (SIZE(1..32))` (RFC 3414 §5).
const MAX_USER_NAME: usize = 32;

pub(super) const AUTH_NAMES: &str = "MD5, SHA, SHA-224, SHA-256, SHA-384, SHA-512";
const PRIV_NAMES: &str = "none, DES, AES-128, AES-192, AES-256, AES-192-C, AES-256-C";
pub(super) const LEVEL_NAMES: &str = "authNoPriv, authPriv";

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
    /// The `[[view]]` this user reads through. Default: everything.
    pub view: Option<String>,
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
    /// The name of the `[[view]]` this user reads through; `None` for everything.
    pub view: Option<String>,
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

impl Config {
    /// The user table, every key localized to `engine_id` (RFC 3414 §2.6). Done once at
    /// start-up; the passphrases are not needed afterwards and go when the `Config` is dropped.
    pub fn users(&self, engine_id: &[u8]) -> Result<Users, ConfigError> {
        let mut users = Vec::with_capacity(self.users.len());
        for (i, u) in self.users.iter().enumerate() {
            users.push(localize(&self.file, Row::user(i), u, engine_id)?);
        }
        Ok(Users::new(users))
    }
}

/// `u`'s keys localized to `engine_id`. The one place keys are built from the configuration:
/// passphrases go through RFC 3414 A.2 here (or, for a notify user's receivers, through
/// `config/notify.rs`'s master keys), and nowhere else.
pub(super) fn localize(
    file: &Path,
    i: Row,
    u: &UserConfig,
    engine_id: &[u8],
) -> Result<User, ConfigError> {
    let rejected = |field: &str, protocol| ConfigError::Invalid {
        file: file.to_path_buf(),
        key: key(i, field),
        problem: Problem::KeyRejected(protocol),
    };
    let auth = match &u.auth_secret {
        KeyMaterial::Password(p) => {
            AuthKey::from_password(u.auth, p.expose().as_bytes(), engine_id)
        }
        KeyMaterial::Localized(k) => {
            AuthKey::from_localized(u.auth, k).map_err(|_| rejected("auth_key", u.auth.name()))?
        }
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

impl Validator<'_> {
    pub(super) fn users(
        &mut self,
        sections: Vec<UserSection>,
    ) -> Result<Vec<UserConfig>, ConfigError> {
        if sections.is_empty() {
            return Err(self.err("user", Problem::AtLeastOne("[[user]]")));
        }
        let mut users: Vec<UserConfig> = Vec::with_capacity(sections.len());
        for (i, section) in sections.into_iter().enumerate() {
            let user = self.user(Row::user(i), section)?;
            if users.iter().any(|u| u.name == user.name) {
                return Err(self.err(key(Row::user(i), "name"), Problem::Duplicate(user.name)));
            }
            users.push(user);
        }
        Ok(users)
    }

    /// One `[[user]]` (or `[[notify_user]]`), its keys checked in the order they are written.
    pub(super) fn user(&mut self, i: Row, u: UserSection) -> Result<UserConfig, ConfigError> {
        let name = self.user_name(i, u.name)?;
        let auth = self.auth_protocol(i, u.auth)?;
        let auth_secret = self.material(
            i,
            ("auth_password", u.auth_password),
            ("auth_key", u.auth_key),
            auth.key_len(),
            auth.name(),
        )?;
        let privacy = self.privacy(i, u.privacy, (u.priv_password, u.priv_key), &auth_secret)?;
        let min_level = self.min_level(i, u.min_security.as_deref(), privacy.is_some())?;
        Ok(UserConfig {
            name,
            auth,
            auth_secret,
            privacy,
            min_level,
            view: u.view,
        })
    }

    /// `name`: present, 1 to 32 octets.
    fn user_name(&self, i: Row, name: Option<String>) -> Result<String, ConfigError> {
        let name = name.ok_or_else(|| self.err(key(i, "name"), Problem::Missing))?;
        if name.is_empty() {
            return Err(self.err(key(i, "name"), Problem::Empty));
        }
        if name.len() > MAX_USER_NAME {
            return Err(self.err(
                key(i, "name"),
                Problem::TooLong {
                    max: MAX_USER_NAME,
                    actual: name.len(),
                },
            ));
        }
        Ok(name)
    }

    /// `auth`: required, never none; MD5 and SHA-1 warned about.
    fn auth_protocol(
        &mut self,
        i: Row,
        auth_name: Option<String>,
    ) -> Result<AuthProtocol, ConfigError> {
        let auth_name = auth_name
            .filter(|name| !name.eq_ignore_ascii_case("none"))
            .ok_or_else(|| self.err(key(i, "auth"), Problem::NoAuthentication))?;
        let auth = AuthProtocol::from_name(&auth_name).ok_or_else(|| {
            self.err(
                key(i, "auth"),
                Problem::UnknownName {
                    value: auth_name,
                    expected: AUTH_NAMES,
                },
            )
        })?;
        if auth.is_weak() {
            self.warn(
                key(i, "auth"),
                format!("{} is weak; prefer SHA-256 or stronger", auth.name()),
            );
        }
        Ok(auth)
    }

    /// `privacy` and its key material: none refuses a privacy secret; otherwise exactly one
    /// of `priv_password` and `priv_key`, a passphrase different from the auth one.
    fn privacy(
        &mut self,
        i: Row,
        priv_name: Option<String>,
        (priv_password, priv_key): (Option<Secret>, Option<Secret>),
        auth_secret: &KeyMaterial,
    ) -> Result<Option<(PrivProtocol, KeyMaterial)>, ConfigError> {
        let priv_name = priv_name.unwrap_or_else(|| "none".to_string());
        if priv_name.eq_ignore_ascii_case("none") {
            for (field, value) in [("priv_password", &priv_password), ("priv_key", &priv_key)] {
                if value.is_some() {
                    return Err(self.err(key(i, field), Problem::NoPrivacy));
                }
            }
            return Ok(None);
        }
        let protocol = PrivProtocol::from_name(&priv_name).ok_or_else(|| {
            self.err(
                key(i, "privacy"),
                Problem::UnknownName {
                    value: priv_name,
                    expected: PRIV_NAMES,
                },
            )
        })?;
        if protocol.is_weak() {
            self.warn(
                key(i, "privacy"),
                format!("{} is weak; prefer AES-128 or stronger", protocol.name()),
            );
        }
        let material = self.material(
            i,
            ("priv_password", priv_password),
            ("priv_key", priv_key),
            protocol.localized_len(),
            protocol.name(),
        )?;
        if let (KeyMaterial::Password(a), KeyMaterial::Password(p)) = (auth_secret, &material)
            && a.expose() == p.expose()
        {
            self.warn(
                key(i, "priv_password"),
                "same as auth_password; use a different passphrase",
            );
        }
        Ok(Some((protocol, material)))
    }

    /// `min_security`: at least authNoPriv, at most what the keys allow; by default the most
    /// they allow.
    fn min_level(
        &self,
        i: Row,
        min_security: Option<&str>,
        has_privacy: bool,
    ) -> Result<SecurityLevel, ConfigError> {
        // Case-insensitive, like the protocol names (`sha-256`): `authpriv` is `authPriv`.
        let normalized = min_security.map(|name| {
            ["authPriv", "authNoPriv", "noAuthNoPriv"]
                .into_iter()
                .find(|level| level.eq_ignore_ascii_case(name.trim()))
                .unwrap_or(name)
        });
        match normalized {
            None if has_privacy => Ok(SecurityLevel::AuthPriv),
            None => Ok(SecurityLevel::AuthNoPriv),
            Some("authPriv") if !has_privacy => {
                Err(self.err(key(i, "min_security"), Problem::LevelAboveKeys("authPriv")))
            }
            Some("authPriv") => Ok(SecurityLevel::AuthPriv),
            Some("authNoPriv") => Ok(SecurityLevel::AuthNoPriv),
            Some("noAuthNoPriv") => Err(self.err(key(i, "min_security"), Problem::LevelBelowAuth)),
            Some(other) => Err(self.err(
                key(i, "min_security"),
                Problem::UnknownName {
                    value: other.to_string(),
                    expected: LEVEL_NAMES,
                },
            )),
        }
    }

    /// Exactly one of a passphrase and a localized hex key.
    fn material(
        &mut self,
        i: Row,
        (password_field, password): (&'static str, Option<Secret>),
        (key_field, hex_key): (&'static str, Option<Secret>),
        key_len: usize,
        protocol: &'static str,
    ) -> Result<KeyMaterial, ConfigError> {
        match (password, hex_key) {
            (Some(_), Some(_)) => {
                Err(self.err(key(i, password_field), Problem::Conflict(key_field)))
            }
            (None, None) => Err(self.err(
                i.to_string(),
                Problem::NeitherSet(password_field, key_field),
            )),
            (Some(password), None) => {
                let chars = password.expose().chars().count();
                if chars < MIN_PASSPHRASE_CHARS {
                    return Err(self.err(key(i, password_field), Problem::PassphraseTooShort));
                }
                if chars < SHORT_PASSPHRASE_CHARS {
                    self.warn(
                        key(i, password_field),
                        format!("shorter than {SHORT_PASSPHRASE_CHARS} characters; easy to guess offline"),
                    );
                }
                Ok(KeyMaterial::Password(password))
            }
            (None, Some(hex)) => {
                let bytes = Zeroizing::new(
                    from_hex(hex.expose().trim())
                        .ok_or_else(|| self.err(key(i, key_field), Problem::NotHex))?,
                );
                if bytes.len() != key_len {
                    return Err(self.err(
                        key(i, key_field),
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

/// One entry of a table of users: `[[user]]`, or `[[notify_user]]`, which has the same keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Row {
    /// `user` or `notify_user`.
    pub(super) table: &'static str,
    /// The entry's index in its table.
    pub(super) index: usize,
}

impl Row {
    /// `[[user]]` number `index`.
    pub(super) const fn user(index: usize) -> Row {
        Row {
            table: "user",
            index,
        }
    }
}

impl fmt::Display for Row {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}[{}]", self.table, self.index)
    }
}

/// The key `user[i].field` (or `notify_user[i].field`), for messages.
fn key(i: Row, field: &str) -> String {
    format!("{i}.{field}")
}
