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
//!   start-up. Passphrases live in [`Zeroizing`](zeroize::Zeroizing) buffers and never appear
//!   in `Debug` output, errors or logs.
//!
//! One file per concern: `load.rs` reads the file and checks its permissions; `error.rs` holds
//! [`ConfigError`], [`Problem`] and [`Warning`]; `secret.rs` the [`Secret`] type;
//! `fingerprint.rs` [`Config::fingerprint`], which decides between coldStart and warmStart;
//! each section has its own file with its format, its validated form and its rules (`agent.rs`, `system.rs`,
//! `user.rs` with the key material, `view.rs` the MIB views, `budget.rs`, `agentx.rs`, `device.rs`, whose validated form
//! is [`crate::device::DeviceConfig`]). The tests are in `config/tests.rs`.
//!
//! Adding a section: a new file under `src/config/` with its `*Section` struct, its validated
//! counterpart and a `Validator` method; then a field on [`ConfigFile`] and [`Config`] and a
//! call in [`Config::from_file`].

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::budget::ValidBudget;
use crate::device::DeviceConfig;
use crate::mib::objects::System;
use crate::server::ReceiveConfig;

mod agent;
mod agentx;
mod budget;
mod community;
mod device;
mod error;
mod fingerprint;
mod load;
mod notify;
mod secret;
mod syntax;
mod system;
mod user;
mod validate;
mod view;

pub use agent::{
    AgentConfig, AgentSection, DEFAULT_LOG_LEVEL, DEFAULT_MAX_MESSAGE_SIZE, MIN_MAX_MESSAGE_SIZE,
};
pub use agentx::{AgentxConfig, AgentxSection, MasterAddress, Mirror};
pub use budget::BudgetSection;
pub use community::{CommunityConfig, CommunitySection, MIN_COMMUNITY_CHARS};
pub(crate) use error::line_column;
pub use error::{ConfigError, Problem, Warning};
pub use notify::{
    NotificationsSection, NotifyConfig, NotifySection, NotifyTarget, NotifyUserSection,
};
pub use secret::Secret;
pub use system::{DEFAULT_OBJECT_ID, SYS_SERVICES, SystemSection};
pub use user::{
    KeyMaterial, MIN_PASSPHRASE_CHARS, SHORT_PASSPHRASE_CHARS, UserConfig, UserSection,
};
use validate::Validator;
pub use view::{ViewSection, ViewsConfig};

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
    /// `[[view]]`: named MIB views (RFC 3415) for the users' `view` keys.
    #[serde(default)]
    pub view: Vec<ViewSection>,
    /// `[[community]]`: SNMPv1/v2c communities, read-only (RFC 3584). None by default.
    #[serde(default)]
    pub community: Vec<CommunitySection>,
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
    pub budget: ValidBudget,
    /// The driver's own keys of `[budget]` (`intake`, `intake_burst`, `moderation_ms`),
    /// validated.
    pub receive: ReceiveConfig,
    /// `[agentx]`, validated; `None` when the section is absent.
    pub agentx: Option<AgentxConfig>,
    /// `[[view]]`, validated.
    pub views: ViewsConfig,
    /// `[[community]]`, validated.
    pub communities: Vec<CommunityConfig>,
    /// `[[notify]]`, `[[notify_user]]` and `[notifications]`, validated.
    pub notify: NotifyConfig,
}

impl Config {
    /// Parses and validates `text`, naming `file` in messages; no file access.
    pub fn parse(text: &str, file: &Path) -> Result<(Config, Vec<Warning>), ConfigError> {
        let parsed = syntax::parse(text, file)?;
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
        let mut budget = v.budget(section, &parsed.user)?;
        let communities = v.communities(parsed.community, &mut budget)?;
        let budget = v.valid_budget(budget, &parsed.user)?;
        let used: Vec<(String, String)> = parsed
            .user
            .iter()
            .enumerate()
            .filter_map(|(i, u)| Some((format!("user[{i}].view"), u.view.clone()?)))
            .chain(
                communities
                    .iter()
                    .enumerate()
                    .map(|(i, c)| (format!("community[{i}].view"), c.view.clone())),
            )
            .collect();
        let users = v.users(parsed.user)?;
        let views = v.views(parsed.view, &used)?;
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
            views,
            communities,
            notify,
        };
        Ok((config, v.warnings))
    }
}

#[cfg(test)]
mod tests;
