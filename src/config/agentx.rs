//! The `[agentx]` section: run as an AgentX subagent of the device's master agent (RFC 2741).
//!
//! With the section present the agent connects to the master named by `socket`, registers the
//! DQI-MIB (and the mirrors listed in `mirrors`) and answers the master's reads; `[agent]
//! listen` may then be empty, so that the master's port 161 is the only SNMP port.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use serde::Deserialize;

use super::validate::Validator;
use super::{ConfigError, Problem};
use crate::budget::{BudgetConfig, Rate};

const MIRROR_NAMES: &str = "entity-mib, host-resources-mib";
/// The longest ping interval accepted, in seconds (one hour).
const MAX_PING_SECONDS: usize = 3600;

/// `[agentx]`, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AgentxSection {
    /// The master's socket: a Unix socket path (`"/var/agentx/master"`, or `"unix:/path"`) or
    /// `"tcp:HOST:PORT"` with an IP address (`"tcp:127.0.0.1:705"`). Required.
    pub socket: String,
    /// Further subtrees to register besides the DQI-MIB: `"entity-mib"`, `"host-resources-mib"`.
    /// Default none, because net-snmp's snmpd serves HOST-RESOURCES-MIB itself.
    #[serde(default)]
    pub mirrors: Vec<String>,
    /// `r.priority` of the registrations, 1 to 255, lower wins over another session's
    /// registration of the same subtree. Default 127 (RFC 2741's default).
    pub priority: Option<i64>,
    /// Bindings the master may read per period over the session, e.g. `"6000/minute"` (the
    /// default, as `[budget] per_user`).
    pub rate: Option<String>,
    /// Capacity of the session's bucket, in bindings. Default 100.
    pub burst: Option<i64>,
    /// Seconds between Pings to the master when the session is idle, 0 for none. Default 15.
    pub ping_interval_s: Option<i64>,
}

/// Where the master listens.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MasterAddress {
    /// A Unix stream socket.
    Unix(PathBuf),
    /// A TCP address.
    Tcp(SocketAddr),
}

impl std::fmt::Display for MasterAddress {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MasterAddress::Unix(path) => write!(f, "{}", path.display()),
            MasterAddress::Tcp(addr) => write!(f, "tcp:{addr}"),
        }
    }
}

/// A subtree the subagent can register.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mirror {
    /// ENTITY-MIB (RFC 6933), `1.3.6.1.2.1.47`.
    EntityMib,
    /// HOST-RESOURCES-MIB (RFC 2790), `1.3.6.1.2.1.25`.
    HostResourcesMib,
}

impl Mirror {
    /// The subtree registered.
    pub fn subtree(self) -> &'static [u32] {
        match self {
            Mirror::EntityMib => &[1, 3, 6, 1, 2, 1, 47],
            Mirror::HostResourcesMib => &[1, 3, 6, 1, 2, 1, 25],
        }
    }
}

/// `[agentx]`, validated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AgentxConfig {
    /// The master's socket.
    pub socket: MasterAddress,
    /// Further subtrees to register.
    pub mirrors: Vec<Mirror>,
    /// `r.priority`.
    pub priority: u8,
    /// Bindings per period over the session.
    pub rate: Rate,
    /// Capacity of the session's bucket.
    pub burst: u32,
    /// Pings when idle; `None` for none.
    pub ping_interval: Option<Duration>,
}

impl Validator<'_> {
    /// Validates `[agentx]`.
    pub(super) fn agentx(&mut self, s: AgentxSection) -> Result<AgentxConfig, ConfigError> {
        let err = |key: &str, problem| ConfigError::Invalid {
            file: self.file.to_path_buf(),
            key: format!("agentx.{key}"),
            problem,
        };
        let text = s.socket.trim();
        let socket = if let Some(addr) = text.strip_prefix("tcp:") {
            MasterAddress::Tcp(
                addr.parse()
                    .map_err(|_| err("socket", Problem::BadAddress(addr.to_string())))?,
            )
        } else {
            let path = text.strip_prefix("unix:").unwrap_or(text);
            if !path.starts_with('/') {
                return Err(err("socket", Problem::BadMasterSocket(text.to_string())));
            }
            MasterAddress::Unix(PathBuf::from(path))
        };
        let mut mirrors = Vec::new();
        for (i, name) in s.mirrors.iter().enumerate() {
            let mirror = match name.trim().to_ascii_lowercase().as_str() {
                "entity-mib" => Mirror::EntityMib,
                "host-resources-mib" => Mirror::HostResourcesMib,
                _ => {
                    return Err(err(
                        &format!("mirrors[{i}]"),
                        Problem::UnknownName {
                            value: name.clone(),
                            expected: MIRROR_NAMES,
                        },
                    ));
                }
            };
            if !mirrors.contains(&mirror) {
                mirrors.push(mirror);
            }
        }
        let priority = self
            .count("agentx.priority", s.priority, 1, 255)?
            .map_or(127, |p| p as u8);
        let rate = match s.rate {
            None => BudgetConfig::default().per_user,
            Some(text) => text
                .trim()
                .parse::<Rate>()
                .map_err(|reason| err("rate", Problem::BadRate(text.clone(), reason)))?,
        };
        let burst = self
            .count("agentx.burst", s.burst, 1, 1_000_000)?
            .map_or(BudgetConfig::default().burst, |b| b as u32);
        let ping = self
            .count(
                "agentx.ping_interval_s",
                s.ping_interval_s,
                0,
                MAX_PING_SECONDS,
            )?
            .unwrap_or(15);
        Ok(AgentxConfig {
            socket,
            mirrors,
            priority,
            rate,
            burst,
            ping_interval: (ping > 0).then(|| Duration::from_secs(ping as u64)),
        })
    }
}

#[cfg(test)]
mod tests {
    use std::path::Path;

    use super::super::Config;
    use super::super::tests::MINIMAL;
    use super::*;

    /// [`MINIMAL`] with no listen address (a subagent need not listen) and then `agentx`.
    fn parse(agentx: &str) -> Result<Config, String> {
        let base = MINIMAL.replacen("listen = [\"127.0.0.1:1161\"]", "listen = []", 1);
        assert_ne!(base, MINIMAL, "the listen line");
        Config::parse(&format!("{base}{agentx}"), Path::new("/etc/dqi/agent.toml"))
            .map(|(config, _)| config)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn defaults_and_an_empty_listen_list_with_a_master() {
        let config = parse("[agentx]\nsocket = \"/var/agentx/master\"\n").unwrap();
        assert!(config.agent.listen.is_empty());
        let agentx = config.agentx.unwrap();
        assert_eq!(
            agentx.socket,
            MasterAddress::Unix("/var/agentx/master".into())
        );
        assert_eq!(agentx.priority, 127);
        assert_eq!(agentx.rate, BudgetConfig::default().per_user);
        assert_eq!(agentx.burst, 100);
        assert_eq!(agentx.ping_interval, Some(Duration::from_secs(15)));
        assert!(agentx.mirrors.is_empty());
    }

    #[test]
    fn every_key() {
        let config = parse(
            "[agentx]\nsocket = \"tcp:127.0.0.1:705\"\nmirrors = [\"ENTITY-MIB\", \
             \"host-resources-mib\", \"entity-mib\"]\npriority = 100\nrate = \"50/second\"\n\
             burst = 10\nping_interval_s = 0\n",
        )
        .unwrap();
        let agentx = config.agentx.unwrap();
        assert_eq!(
            agentx.socket,
            MasterAddress::Tcp("127.0.0.1:705".parse().unwrap())
        );
        assert_eq!(
            agentx.mirrors,
            [Mirror::EntityMib, Mirror::HostResourcesMib]
        );
        assert_eq!((agentx.priority, agentx.burst), (100, 10));
        assert_eq!(agentx.rate.to_string(), "50/second");
        assert_eq!(agentx.ping_interval, None);
    }

    #[test]
    fn refusals_name_the_key() {
        let without = parse("");
        assert!(
            without
                .as_ref()
                .is_err_and(|e| e.contains("agent.listen: at least one address")),
            "{without:?}"
        );
        for (text, expected) in [
            (
                "socket = \"master\"",
                "agentx.socket: \"master\" is not an absolute Unix",
            ),
            (
                "socket = \"tcp:localhost:705\"",
                "agentx.socket: \"localhost:705\"",
            ),
            (
                "socket = \"/m\"\nmirrors = [\"if-mib\"]",
                "agentx.mirrors[0]: unknown value \"if-mib\"",
            ),
            (
                "socket = \"/m\"\npriority = 0",
                "agentx.priority: 0 is outside 1..=255",
            ),
            ("socket = \"/m\"\nrate = \"0/second\"", "agentx.rate"),
            (
                "socket = \"/m\"\nping_interval_s = 3601",
                "agentx.ping_interval_s",
            ),
            ("socket = \"/m\"\nport = 705", "agentx.port: unknown key"),
        ] {
            let got = parse(&format!("[agentx]\n{text}\n"));
            assert!(
                got.as_ref().is_err_and(|e| e.contains(expected)),
                "{text}: {got:?}"
            );
        }
    }
}
