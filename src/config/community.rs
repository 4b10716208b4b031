//! The `[[community]]` sections: SNMPv1 and SNMPv2c, off unless one is configured, read-only,
//! from the listed source networks only, through a view (RFC 3584's community-based security
//! model, [`crate::access::community`]).
//!
//! ```toml
//! [[community]]
//! name = "legacy-nms-ro"                      # the community string: a secret
//! sources = ["10.20.0.0/16", "fd00:20::/48"]  # required; no default of "anywhere"
//! view = "inventory"                          # required
//! # versions = ["v2c"]                        # default ["v1", "v2c"]
//! ```
//!
//! The community string is a [`Secret`]: never in `Debug` output, errors or logs (an error
//! about it names its key only). Each community is a principal of the request budget, with
//! `[budget] per_user` and `user_burst`, shown in `dqiBudgetTable` as `community[N]`.

use std::net::IpAddr;
use std::sync::Arc;

use serde::Deserialize;

use super::validate::Validator;
use super::{Config, ConfigError, Problem, Secret};
use crate::access::{Access, Community, Network, Versions};
use crate::budget::{BudgetConfig, UserBudget};

/// Community strings shorter than this are refused: `public` and other guessable defaults.
pub const MIN_COMMUNITY_CHARS: usize = 8;

/// One `[[community]]`, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CommunitySection {
    /// The community string, 8 characters or more. Required; a secret.
    pub name: Option<Secret>,
    /// The networks requests may come from, `"10.20.0.0/16"`, `"fd00:20::/48"` or a single
    /// address. Required, at least one.
    pub sources: Option<Vec<String>>,
    /// The `[[view]]` its requests read through. Required.
    pub view: Option<String>,
    /// The versions it may be used with: `"v1"`, `"v2c"`. Default both.
    pub versions: Option<Vec<String>>,
}

/// One community, validated.
#[derive(Debug)]
pub struct CommunityConfig {
    /// The community string.
    pub secret: Secret,
    /// The source networks.
    pub sources: Vec<Network>,
    /// The view's name.
    pub view: String,
    /// The versions enabled.
    pub versions: Versions,
}

impl Validator<'_> {
    /// Validates the `[[community]]` sections, and gives each a budget in `budget` (the
    /// default per-user rate and burst) as its own principal.
    pub(super) fn communities(
        &mut self,
        sections: Vec<CommunitySection>,
        budget: &mut BudgetConfig,
    ) -> Result<Vec<CommunityConfig>, ConfigError> {
        let mut out: Vec<CommunityConfig> = Vec::with_capacity(sections.len());
        for (i, section) in sections.into_iter().enumerate() {
            let key = |field: &str| format!("community[{i}].{field}");
            let secret = section
                .name
                .ok_or_else(|| self.err(key("name"), Problem::Missing))?;
            if secret.expose().chars().count() < MIN_COMMUNITY_CHARS {
                return Err(self.err(key("name"), Problem::CommunityTooShort));
            }
            if let Some(j) = out
                .iter()
                .position(|c| c.secret.expose() == secret.expose())
            {
                return Err(self.err(key("name"), Problem::SameCommunity(j)));
            }
            let texts = section
                .sources
                .ok_or_else(|| self.err(key("sources"), Problem::Missing))?;
            if texts.is_empty() {
                return Err(self.err(key("sources"), Problem::AtLeastOne("source network")));
            }
            let mut sources = Vec::with_capacity(texts.len());
            for (j, text) in texts.iter().enumerate() {
                let network = parse_network(text).ok_or_else(|| {
                    self.err(
                        format!("community[{i}].sources[{j}]"),
                        Problem::BadNetwork(text.clone()),
                    )
                })?;
                if network.prefix() == 0 {
                    self.warn(
                        format!("community[{i}].sources[{j}]"),
                        "admits every address: anyone who learns the community string can read",
                    );
                }
                sources.push(network);
            }
            let view = section
                .view
                .ok_or_else(|| self.err(key("view"), Problem::Missing))?;
            let versions = self.versions(i, section.versions)?;
            budget.users.push(UserBudget {
                user: Community::principal(i),
                rate: budget.per_user,
                burst: budget.user_burst,
            });
            out.push(CommunityConfig {
                secret,
                sources,
                view,
                versions,
            });
        }
        if !out.is_empty() {
            self.warn(
                "community",
                "SNMPv1/v2c community strings travel in the clear: anyone on the path can read \
                 one and use it from an allowed source; prefer SNMPv3 users",
            );
        }
        Ok(out)
    }

    fn versions(&self, i: usize, texts: Option<Vec<String>>) -> Result<Versions, ConfigError> {
        let Some(texts) = texts else {
            return Ok(Versions {
                v1: true,
                v2c: true,
            });
        };
        if texts.is_empty() {
            return Err(self.err(
                format!("community[{i}].versions"),
                Problem::AtLeastOne("version"),
            ));
        }
        let mut versions = Versions {
            v1: false,
            v2c: false,
        };
        for (j, text) in texts.into_iter().enumerate() {
            match text.to_ascii_lowercase().as_str() {
                "v1" => versions.v1 = true,
                "v2c" => versions.v2c = true,
                _ => {
                    return Err(self.err(
                        format!("community[{i}].versions[{j}]"),
                        Problem::UnknownName {
                            value: text,
                            expected: "v1, v2c",
                        },
                    ));
                }
            }
        }
        Ok(versions)
    }
}

/// `ADDRESS/PREFIX` or a single `ADDRESS`; `None` when it is neither, or has host bits set
/// beyond the prefix (`10.20.1.0/16` is more likely a typo than a choice).
fn parse_network(text: &str) -> Option<Network> {
    let text = text.trim();
    let (addr, prefix) = match text.split_once('/') {
        Some((addr, prefix)) => (
            addr.parse::<IpAddr>().ok()?,
            Some(prefix.parse::<u8>().ok()?),
        ),
        None => (text.parse::<IpAddr>().ok()?, None),
    };
    let bits = if addr.is_ipv4() { 32 } else { 128 };
    let network = Network::new(addr, prefix.unwrap_or(bits))?;
    // The address must be the network's first: it contains itself, and nothing below it
    // with the host bits cleared differs.
    let cleared = match addr {
        IpAddr::V4(a) => {
            let mask = u32::MAX
                .checked_shl(32 - u32::from(network.prefix()))
                .unwrap_or(0);
            IpAddr::from((u32::from(a) & mask).to_be_bytes())
        }
        IpAddr::V6(a) => {
            let mask = u128::MAX
                .checked_shl(128 - u32::from(network.prefix()))
                .unwrap_or(0);
            IpAddr::from((u128::from(a) & mask).to_be_bytes())
        }
    };
    (cleared == addr).then_some(network)
}

impl Config {
    /// Adds the communities to `access`, each with its view.
    pub(super) fn add_communities(&self, access: &mut Access) {
        for (i, c) in self.communities.iter().enumerate() {
            let Some(view) = self.views.views.get(&c.view) else {
                continue; // validation refuses an unknown view
            };
            access.add_community(Community::new(
                c.secret.expose().as_bytes(),
                c.sources.clone(),
                c.versions,
                Arc::clone(view),
                Community::principal(i),
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn networks_parse() {
        assert_eq!(parse_network("10.20.0.0/16").unwrap().prefix(), 16);
        assert_eq!(parse_network("fd00:20::/48").unwrap().prefix(), 48);
        assert_eq!(parse_network("192.0.2.7").unwrap().prefix(), 32);
        assert_eq!(parse_network("::1").unwrap().prefix(), 128);
        assert_eq!(parse_network("0.0.0.0/0").unwrap().prefix(), 0);
        for bad in [
            "10.20.1.0/16",
            "10.0.0.0/33",
            "fd00::/129",
            "10.0.0/8",
            "example.org/8",
            "10.0.0.0/",
            "",
        ] {
            assert!(parse_network(bad).is_none(), "{bad:?}");
        }
    }
}
