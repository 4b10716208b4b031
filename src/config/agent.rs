//! The `[agent]` section: where the agent listens, where it keeps its state, its engine ID,
//! message size and log filter.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::validate::Validator;
use super::{ConfigError, Problem};
use crate::hex::{check_engine_id, from_hex};

/// `snmpEngineMaxMessageSize` when `agent.max_message_size` is not set: the largest UDP payload
/// over IPv4, the value net-snmp advertises for UDP.
pub const DEFAULT_MAX_MESSAGE_SIZE: usize = 65507;
/// The smallest message every SNMP engine must accept (RFC 3417 §3.2); the lower bound of
/// `agent.max_message_size`.
pub const MIN_MAX_MESSAGE_SIZE: usize = 484;
/// The log filter when neither `agent.log_level` nor `RUST_LOG` is set.
pub const DEFAULT_LOG_LEVEL: &str = "info";

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

impl Validator<'_> {
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
                check_engine_id(&id).map_err(|e| self.err("agent.engine_id", e.into()))?;
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
        if !is_log_filter(&log_level) {
            return Err(self.err("agent.log_level", Problem::BadLogLevel(log_level)));
        }
        // Relative to the configuration file's directory, like the `[device]` paths: never to
        // the working directory, which differs between a shell and a service manager.
        let state_dir = self
            .file
            .parent()
            .unwrap_or(Path::new(""))
            .join(&a.state_dir);
        Ok(AgentConfig {
            listen,
            state_dir,
            engine_id,
            max_message_size,
            log_level,
            core_dumps: a.core_dumps,
        })
    }
}

/// The level names a log filter may use, alone or after `target=`.
pub(super) const LOG_LEVELS: &str = "error, warn, info, debug, trace, off";

/// Whether `text` is a log filter that logs what it says: comma-separated directives, each a
/// level (`warn`) or `target=level` (`dqi_agent=debug`). `tracing` itself reads a bare word
/// that is no level (`warning`, `verbose`) as a target name, which matches nothing, so the
/// agent would log nothing at all, not even errors; such a word is refused here.
fn is_log_filter(text: &str) -> bool {
    let is_level = |word: &str| {
        LOG_LEVELS
            .split(", ")
            .any(|level| level.eq_ignore_ascii_case(word.trim()))
    };
    !text.trim().is_empty()
        && tracing_subscriber::EnvFilter::try_new(text).is_ok()
        && text.split(',').all(|directive| {
            match directive.rsplit_once('=') {
                // Span and field filters (`[span{f=1}]`) are left to `tracing`'s own parser.
                Some((target, level)) => {
                    target.contains('[') || level.contains(['}', ']']) || is_level(level)
                }
                None => directive.contains('[') || is_level(directive),
            }
        })
}

#[cfg(test)]
mod tests {
    use super::is_log_filter;

    #[test]
    fn levels_and_targeted_levels_are_log_filters() {
        for good in [
            "info",
            "WARN",
            "debug",
            "off",
            "dqi_agent=debug",
            "warn,dqi_agent::server=trace",
            "dqi_agent[refresh]=debug",
        ] {
            assert!(is_log_filter(good), "{good}");
        }
    }

    #[test]
    fn words_that_log_nothing_are_not() {
        for bad in [
            "warning",
            "verbose",
            "",
            " ",
            "info,warning",
            "dqi_agent=loud",
        ] {
            assert!(!is_log_filter(bad), "{bad:?}");
        }
    }
}
