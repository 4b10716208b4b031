//! Validation, section by section: a parsed [`ConfigFile`] becomes a [`Config`] or a
//! [`ConfigError`] naming the key, with [`Warning`]s for weak but legal choices.

use std::net::SocketAddr;
use std::path::Path;

use zeroize::Zeroizing;

use super::*;
use crate::mib::Value;

/// Checks one file's sections, collecting warnings as it goes.
pub(super) struct Validator<'a> {
    /// The file, for messages.
    pub(super) file: &'a Path,
    /// Weak choices seen so far.
    pub(super) warnings: Vec<Warning>,
}

impl Validator<'_> {
    pub(super) fn err(&self, key: impl Into<String>, problem: Problem) -> ConfigError {
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

    /// Validates `[agent]`; `listen` may be empty when the agent is an AgentX subagent.
    pub(super) fn agent(
        &mut self,
        a: AgentSection,
        subagent: bool,
    ) -> Result<AgentConfig, ConfigError> {
        if a.listen.is_empty() && !subagent {
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
            core_dumps: a.core_dumps,
        })
    }

    pub(super) fn system(&mut self, s: SystemSection) -> Result<System, ConfigError> {
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
            or_entries: System::standard_or_entries(),
        })
    }

    pub(super) fn users(
        &mut self,
        sections: Vec<UserSection>,
    ) -> Result<Vec<UserConfig>, ConfigError> {
        if sections.is_empty() {
            return Err(self.err("user", Problem::AtLeastOne("[[user]]")));
        }
        let mut users: Vec<UserConfig> = Vec::with_capacity(sections.len());
        for (i, section) in sections.into_iter().enumerate() {
            let user = self.user("user", i, section)?;
            if users.iter().any(|u| u.name == user.name) {
                return Err(self.err(format!("user[{i}].name"), Problem::Duplicate(user.name)));
            }
            users.push(user);
        }
        Ok(users)
    }

    /// One `[[user]]`, or (`table` = `"notify_user"`) one notify user, which shares its keys.
    pub(super) fn user(
        &mut self,
        table: &str,
        i: usize,
        u: UserSection,
    ) -> Result<UserConfig, ConfigError> {
        let key = |field: &str| format!("{table}[{i}].{field}");
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
            (table, i),
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
                (table, i),
                ("priv_password", u.priv_password),
                ("priv_key", u.priv_key),
                priv_key_len(protocol),
                protocol.name(),
            )?;
            if let (KeyMaterial::Password(a), KeyMaterial::Password(p)) = (&auth_secret, &material)
                && a.expose() == p.expose()
            {
                self.warn(
                    key("priv_password"),
                    "same as auth_password; use a different passphrase",
                );
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
        (table, i): (&str, usize),
        (password_field, password): (&'static str, Option<Secret>),
        (key_field, hex_key): (&'static str, Option<Secret>),
        key_len: usize,
        protocol: &'static str,
    ) -> Result<KeyMaterial, ConfigError> {
        let key = |field: &str| format!("{table}[{i}].{field}");
        match (password, hex_key) {
            (Some(_), Some(_)) => Err(self.err(key(password_field), Problem::Conflict(key_field))),
            (None, None) => Err(self.err(
                format!("{table}[{i}]"),
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
