//! The notification sections: `[[notify]]` receivers, the `[[notify_user]]` users they are sent
//! as, and `[notifications]`, the limits and alarms shared by all receivers.
//!
//! A notify user has the keys of a `[[user]]` (the same keys and rules) but is never a request
//! user: its name must not be a `[[user]]`'s, so a receiver's credentials cannot read the
//! device. Passphrases are turned into master keys once at start-up and localized once per
//! engine: this agent's for Traps, each receiver's when an Inform discovers it (RFC 3414 §2.6,
//! §4). A localized `auth_key`/`priv_key` is localized to this agent and so serves Traps only.

use std::net::SocketAddr;
use std::time::Duration;

use serde::Deserialize;

use super::user::{Row, localize};
use super::validate::Validator;
use super::{ConfigError, KeyMaterial, Problem, Secret, UserConfig, UserSection};
use crate::budget::{Period, Rate};
use crate::notify::{self, AlarmConfig, Class, Classes, Delivery, Keys, MasterKeys};

const KIND_NAMES: &str = "trap, inform";
const EVENT_NAMES: &str = "boot, auth, inventory, config, health, budget";
/// `[[notify]] queue` when not set.
pub(super) const DEFAULT_QUEUE: usize = 16;
/// `[[notify]] timeout_ms` when not set: an Inform's first wait, as net-snmp's default.
pub(super) const DEFAULT_TIMEOUT_MS: u64 = 1000;
/// `[[notify]] retries` when not set.
pub(super) const DEFAULT_RETRIES: u32 = 5;
/// `[notifications] rate` when not set.
pub(super) const DEFAULT_RATE: Rate = Rate::at_least_one(30, Period::Minute);
/// `[notifications] burst` when not set.
pub(super) const DEFAULT_BURST: u32 = 10;

/// One `[[notify]]`: a receiver.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifySection {
    /// The receiver, `"IP:port"` (`"[v6]:port"` for IPv6). Required.
    pub target: Option<String>,
    /// `"trap"` (the default) or `"inform"`.
    pub kind: Option<String>,
    /// The `[[notify_user]]` to send as. Required.
    pub user: Option<String>,
    /// Event classes sent: `boot`, `auth`, `inventory`, `config`, `health`, `budget`. Default:
    /// all.
    pub events: Option<Vec<String>>,
    /// Notifications waiting for this receiver at most, 1 to 1000; the oldest is shed (and
    /// counted as dropped) beyond it. Default 16.
    pub queue: Option<i64>,
    /// An Inform's first wait for its acknowledgement, in milliseconds, 10 to 60000; doubled
    /// per retransmission (at most 64 times it). Default 1000.
    pub timeout_ms: Option<i64>,
    /// Retransmissions of an Inform before it is dropped and counted, 0 to 20. Default 5.
    pub retries: Option<i64>,
}

/// One `[[notify_user]]`: the keys notifications are sent with.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotifyUserSection {
    /// usmUserName, 1 to 32 octets, unique, and not the name of a `[[user]]`.
    pub name: Option<String>,
    /// Authentication protocol, as `[[user]] auth`. Required.
    pub auth: Option<String>,
    /// Authentication passphrase. Exactly one of this and `auth_key`.
    pub auth_password: Option<Secret>,
    /// Authentication key localized to this agent's engine ID, hex: Traps only.
    pub auth_key: Option<Secret>,
    /// Privacy protocol, as `[[user]] privacy`. Default none.
    pub privacy: Option<String>,
    /// Privacy passphrase. Exactly one of this and `priv_key` unless privacy is none.
    pub priv_password: Option<Secret>,
    /// Privacy key localized to this agent's engine ID, hex: Traps only.
    pub priv_key: Option<Secret>,
}

/// `[notifications]`: shared by every receiver; every key optional.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NotificationsSection {
    /// Notifications raised per period across receivers, e.g. `"30/minute"` (the default);
    /// those over it are dropped and counted.
    pub rate: Option<String>,
    /// Notifications raised at once, 1 to 1000. Default 10.
    pub burst: Option<i64>,
    /// Send `authenticationFailure` when a request's digest is wrong (RFC 3418
    /// `snmpEnableAuthenTraps`). Default false.
    #[serde(default)]
    pub auth_failures: bool,
    /// At most one `authenticationFailure` per this many seconds, 1 to 86400. Default 60.
    pub auth_interval_s: Option<i64>,
    /// Seconds the request budget must keep refusing one kind of request before
    /// `dqiBudgetExhausted` is sent, 1 to 86400. Default 30.
    pub budget_after_s: Option<i64>,
}

/// One receiver, validated.
#[derive(Debug, Clone)]
pub struct NotifyTarget {
    /// Where to send.
    pub address: SocketAddr,
    /// Trap or Inform.
    pub delivery: Delivery,
    /// Index into [`NotifyConfig::users`].
    pub user: usize,
    /// The classes sent.
    pub classes: Classes,
    /// Queue length.
    pub queue: usize,
    /// An Inform's first timeout.
    pub timeout: Duration,
    /// An Inform's retransmissions.
    pub retries: u32,
}

/// The notification sections, validated.
#[derive(Debug, Default)]
pub struct NotifyConfig {
    /// `[[notify]]`.
    pub targets: Vec<NotifyTarget>,
    /// `[[notify_user]]`.
    pub users: Vec<UserConfig>,
    /// `[notifications] rate`.
    pub rate: Option<Rate>,
    /// `[notifications] burst`.
    pub burst: u32,
    /// `[notifications]`'s alarms.
    pub alarms: AlarmConfig,
}

impl NotifyConfig {
    /// The notifier's configuration: passphrases turned into master keys once per user (RFC 3414
    /// A.2), localized keys checked; `None` without receivers.
    pub fn notifier(
        &self,
        file: &std::path::Path,
        engine_id: &[u8],
        max_message_size: usize,
        seed: u64,
    ) -> Result<Option<notify::NotifierConfig>, ConfigError> {
        if self.targets.is_empty() {
            return Ok(None);
        }
        // Master keys, computed once per user (a megabyte of hashing each).
        let mut masters: Vec<Option<MasterKeys>> = Vec::with_capacity(self.users.len());
        for u in &self.users {
            let auth_ku = match &u.auth_secret {
                KeyMaterial::Password(p) => u.auth.password_to_key(p.expose().as_bytes()),
                KeyMaterial::Localized(_) => {
                    masters.push(None);
                    continue;
                }
            };
            let privacy = match &u.privacy {
                None => None,
                Some((protocol, KeyMaterial::Password(p))) => {
                    Some((*protocol, u.auth.password_to_key(p.expose().as_bytes())))
                }
                Some((_, KeyMaterial::Localized(_))) => {
                    masters.push(None);
                    continue;
                }
            };
            masters.push(Some(MasterKeys {
                name: u.name.as_bytes().to_vec(),
                auth: u.auth,
                auth_ku,
                privacy,
            }));
        }
        let mut targets = Vec::with_capacity(self.targets.len());
        for t in &self.targets {
            let u = self.users.get(t.user).ok_or_else(|| ConfigError::Invalid {
                file: file.to_path_buf(),
                key: "notify.user".to_string(),
                problem: Problem::Missing,
            })?;
            let keys = match masters.get(t.user).and_then(Option::as_ref) {
                Some(m) => Keys::Master(MasterKeys {
                    name: m.name.clone(),
                    auth: m.auth,
                    auth_ku: m.auth_ku.clone(),
                    privacy: m.privacy.clone(),
                }),
                None => {
                    let row = Row {
                        table: "notify_user",
                        index: t.user,
                    };
                    let mut user = localize(file, row, u, engine_id)?;
                    user.min_level = user.max_level();
                    Keys::Localized(Box::new(user))
                }
            };
            targets.push(notify::Target {
                address: t.address,
                delivery: t.delivery,
                keys,
                classes: t.classes,
                queue: t.queue,
                timeout: t.timeout,
                retries: t.retries,
            });
        }
        Ok(Some(notify::NotifierConfig {
            engine_id: engine_id.to_vec(),
            max_message_size,
            targets,
            rate: self.rate.unwrap_or(DEFAULT_RATE),
            burst: self.burst,
            seed,
            alarms: self.alarms,
        }))
    }
}

impl Validator<'_> {
    /// Validates `[[notify]]`, `[[notify_user]]` and `[notifications]`; `request_users` are the
    /// `[[user]]` names, which a notify user may not take.
    pub(super) fn notify(
        &mut self,
        targets: Vec<NotifySection>,
        users: Vec<NotifyUserSection>,
        settings: Option<NotificationsSection>,
        request_users: &[UserConfig],
    ) -> Result<NotifyConfig, ConfigError> {
        let mut notify_users: Vec<UserConfig> = Vec::with_capacity(users.len());
        for (i, u) in users.into_iter().enumerate() {
            let section = UserSection {
                name: u.name,
                auth: u.auth,
                auth_password: u.auth_password,
                auth_key: u.auth_key,
                privacy: u.privacy,
                priv_password: u.priv_password,
                priv_key: u.priv_key,
                min_security: None,
                budget: None,
                budget_burst: None,
                view: None,
            };
            let user = self.user(
                Row {
                    table: "notify_user",
                    index: i,
                },
                section,
            )?;
            if notify_users.iter().any(|u| u.name == user.name) {
                return Err(self.err(
                    format!("notify_user[{i}].name"),
                    Problem::Duplicate(user.name),
                ));
            }
            if request_users.iter().any(|u| u.name == user.name) {
                return Err(self.err(
                    format!("notify_user[{i}].name"),
                    Problem::RequestUser(user.name),
                ));
            }
            notify_users.push(user);
        }
        let mut out = Vec::with_capacity(targets.len());
        for (i, t) in targets.into_iter().enumerate() {
            out.push(self.notify_target(i, t, &notify_users)?);
        }
        let s = settings.unwrap_or_default();
        let rate = match s.rate {
            None => None,
            Some(text) => Some(text.trim().parse::<Rate>().map_err(|reason| {
                self.err("notifications.rate", Problem::BadRate(text.clone(), reason))
            })?),
        };
        let burst = self
            .count("notifications.burst", s.burst, 1, 1000)?
            .map_or(DEFAULT_BURST, |b| b as u32);
        let defaults = AlarmConfig::default();
        let seconds = |v: Option<usize>, default: Duration| {
            v.map_or(default, |s| Duration::from_secs(s as u64))
        };
        let auth_interval = seconds(
            self.count(
                "notifications.auth_interval_s",
                s.auth_interval_s,
                1,
                86_400,
            )?,
            defaults.auth_interval,
        );
        let budget_after = seconds(
            self.count("notifications.budget_after_s", s.budget_after_s, 1, 86_400)?,
            defaults.budget_after,
        );
        Ok(NotifyConfig {
            targets: out,
            users: notify_users,
            rate,
            burst,
            alarms: AlarmConfig {
                auth_failures: s.auth_failures,
                auth_interval,
                budget_after,
            },
        })
    }

    fn notify_target(
        &mut self,
        i: usize,
        t: NotifySection,
        users: &[UserConfig],
    ) -> Result<NotifyTarget, ConfigError> {
        let key = |field: &str| format!("notify[{i}].{field}");
        let text = t
            .target
            .ok_or_else(|| self.err(key("target"), Problem::Missing))?;
        let address = text
            .trim()
            .parse::<SocketAddr>()
            .map_err(|_| self.err(key("target"), Problem::BadAddress(text.clone())))?;
        let delivery = match t.kind.as_deref().map(str::trim) {
            None | Some("trap") => Delivery::Trap,
            Some("inform") => Delivery::Inform,
            Some(other) => {
                return Err(self.err(
                    key("kind"),
                    Problem::UnknownName {
                        value: other.to_string(),
                        expected: KIND_NAMES,
                    },
                ));
            }
        };
        let name = t
            .user
            .ok_or_else(|| self.err(key("user"), Problem::Missing))?;
        let user = users
            .iter()
            .position(|u| u.name == name)
            .ok_or_else(|| self.err(key("user"), Problem::NoNotifyUser(name.clone())))?;
        if delivery == Delivery::Inform
            && let Some(u) = users.get(user)
            && (matches!(u.auth_secret, KeyMaterial::Localized(_))
                || matches!(u.privacy, Some((_, KeyMaterial::Localized(_)))))
        {
            return Err(self.err(key("kind"), Problem::InformNeedsPassphrases(name)));
        }
        let classes = match t.events {
            None => Classes::ALL,
            Some(names) => {
                let mut classes = Classes::NONE;
                for (j, n) in names.iter().enumerate() {
                    let class = Class::from_name(n.trim()).ok_or_else(|| {
                        self.err(
                            format!("notify[{i}].events[{j}]"),
                            Problem::UnknownName {
                                value: n.clone(),
                                expected: EVENT_NAMES,
                            },
                        )
                    })?;
                    classes = classes.with(class);
                }
                classes
            }
        };
        let queue = self
            .count(&key("queue"), t.queue, 1, 1000)?
            .unwrap_or(DEFAULT_QUEUE);
        let timeout = self
            .count(&key("timeout_ms"), t.timeout_ms, 10, 60_000)?
            .map_or(Duration::from_millis(DEFAULT_TIMEOUT_MS), |ms| {
                Duration::from_millis(ms as u64)
            });
        let retries = self
            .count(&key("retries"), t.retries, 0, 20)?
            .map_or(DEFAULT_RETRIES, |r| r as u32);
        Ok(NotifyTarget {
            address,
            delivery,
            user,
            classes,
            queue,
            timeout,
            retries,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::Config;
    use super::super::tests::MINIMAL;
    use super::*;

    /// The engine ID the Trap keys are localized to, and the user notifications are sent as.
    const ENGINE_ID: &str = "engine_id = \"800000000104647169303031\"\n";
    const NOTIFY_USER: &str = r#"
[[notify_user]]
name = "nms-trap"
auth = "SHA-512"
auth_password = "trap horse battery"
privacy = "AES-256"
priv_password = "trap horse privacy"
"#;

    /// [`MINIMAL`] with [`ENGINE_ID`] in `[agent]`, then [`NOTIFY_USER`] and `more`.
    fn parse(more: &str) -> Result<Config, ConfigError> {
        let state_dir = "state_dir = \"/var/lib/dqi-agent\"\n";
        let base = MINIMAL.replacen(state_dir, &format!("{state_dir}{ENGINE_ID}"), 1);
        assert_ne!(base, MINIMAL, "the state_dir line");
        let text = format!("{base}{NOTIFY_USER}{more}");
        Config::parse(&text, Path::new("agent.toml")).map(|(c, _)| c)
    }

    fn refused(more: &str) -> (String, Problem) {
        match parse(more) {
            Err(ConfigError::Invalid { key, problem, .. }) => (key, problem),
            other => panic!("not refused: {other:?}"),
        }
    }

    #[test]
    fn defaults_and_every_key() {
        let c = parse("[[notify]]\ntarget = \"127.0.0.1:162\"\nuser = \"nms-trap\"\n").unwrap();
        let t = &c.notify.targets[0];
        assert_eq!(t.delivery, Delivery::Trap);
        assert_eq!(t.classes, Classes::ALL);
        assert_eq!(
            (t.queue, t.timeout, t.retries),
            (
                DEFAULT_QUEUE,
                Duration::from_millis(DEFAULT_TIMEOUT_MS),
                DEFAULT_RETRIES
            )
        );
        assert!(!c.notify.alarms.auth_failures);
        let c = parse(
            "[[notify]]\ntarget = \"[::1]:10162\"\nkind = \"inform\"\nuser = \"nms-trap\"\n\
             events = [\"inventory\", \"budget\"]\nqueue = 3\ntimeout_ms = 250\nretries = 2\n\
             [notifications]\nrate = \"5/second\"\nburst = 2\nauth_failures = true\n\
             auth_interval_s = 10\nbudget_after_s = 5\n",
        )
        .unwrap();
        let t = &c.notify.targets[0];
        assert_eq!(t.address, "[::1]:10162".parse().unwrap());
        assert_eq!(t.delivery, Delivery::Inform);
        assert!(t.classes.contains(Class::Inventory) && t.classes.contains(Class::Budget));
        assert!(!t.classes.contains(Class::Boot));
        assert_eq!(
            (t.queue, t.timeout, t.retries),
            (3, Duration::from_millis(250), 2)
        );
        assert_eq!(c.notify.burst, 2);
        assert_eq!(
            c.notify.alarms,
            AlarmConfig {
                auth_failures: true,
                auth_interval: Duration::from_secs(10),
                budget_after: Duration::from_secs(5),
            }
        );
        let n = c
            .notify
            .notifier(&c.file, b"\x80\0\0\0\x01dqi", 1500, 7)
            .unwrap()
            .unwrap();
        assert_eq!(n.targets.len(), 1);
        assert!(matches!(n.targets[0].keys, Keys::Master(_)));
    }

    #[test]
    fn refusals_name_the_key() {
        let (key, problem) = refused("[[notify]]\nuser = \"nms-trap\"\n");
        assert_eq!(
            (key.as_str(), problem),
            ("notify[0].target", Problem::Missing)
        );
        let (key, _) = refused("[[notify]]\ntarget = \"host:162\"\nuser = \"nms-trap\"\n");
        assert_eq!(key, "notify[0].target");
        let (key, problem) = refused("[[notify]]\ntarget = \"127.0.0.1:162\"\nuser = \"nms\"\n");
        assert_eq!(key, "notify[0].user");
        assert_eq!(problem, Problem::NoNotifyUser("nms".into()));
        let (key, _) = refused(
            "[[notify]]\ntarget = \"127.0.0.1:162\"\nuser = \"nms-trap\"\nkind = \"sms\"\n",
        );
        assert_eq!(key, "notify[0].kind");
        let (key, _) = refused(
            "[[notify]]\ntarget = \"127.0.0.1:162\"\nuser = \"nms-trap\"\nevents = [\"boot\", \"x\"]\n",
        );
        assert_eq!(key, "notify[0].events[1]");
        let (key, _) =
            refused("[[notify]]\ntarget = \"127.0.0.1:162\"\nuser = \"nms-trap\"\nretries = 99\n");
        assert_eq!(key, "notify[0].retries");
        let (key, _) = refused("[notifications]\nrate = \"fast\"\n");
        assert_eq!(key, "notifications.rate");
        // A request user's name is refused for a notify user.
        let (key, problem) = refused(
            "[[notify_user]]\nname = \"nms\"\nauth = \"SHA-256\"\nauth_password = \"abcdefghijklmn\"\n",
        );
        assert_eq!(key, "notify_user[1].name");
        assert_eq!(problem, Problem::RequestUser("nms".into()));
        // The user rules apply, named for the notify_user table.
        let (key, problem) = refused(
            "[[notify_user]]\nname = \"weak\"\nauth = \"SHA-256\"\nauth_password = \"short\"\n",
        );
        assert_eq!(key, "notify_user[1].auth_password");
        assert_eq!(problem, Problem::PassphraseTooShort);
    }

    #[test]
    fn localized_keys_serve_traps_only() {
        let key = "11".repeat(32);
        let user = format!(
            "[[notify_user]]\nname = \"keyed\"\nauth = \"SHA-256\"\nauth_key = \"{key}\"\n"
        );
        let c = parse(&format!(
            "{user}[[notify]]\ntarget = \"127.0.0.1:162\"\nuser = \"keyed\"\n"
        ))
        .unwrap();
        let n = c
            .notify
            .notifier(&c.file, b"\x80\0\0\0\x01dqi", 1500, 7)
            .unwrap()
            .unwrap();
        assert!(matches!(n.targets[0].keys, Keys::Localized(_)));
        let (k, problem) = refused(&format!(
            "{user}[[notify]]\ntarget = \"127.0.0.1:162\"\nuser = \"keyed\"\nkind = \"inform\"\n"
        ));
        assert_eq!(k, "notify[0].kind");
        assert_eq!(problem, Problem::InformNeedsPassphrases("keyed".into()));
    }
}
