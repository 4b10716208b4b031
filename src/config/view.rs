//! The `[[view]]` sections and the users' `view` keys: named MIB views (RFC 3415 view tree
//! families, [`crate::access::view`]) and who reads through which.
//!
//! ```toml
//! [[view]]
//! name = "inventory"
//! include = ["SNMPv2-MIB::system", "1.3.6.1.2.1.25.6", "DQI-MIB::dqiSoftware"]
//! exclude = ["DQI-MIB::dqiAgent", "1.3.6.1.2.1.2.2.1.*.1"]
//! ```
//!
//! An entry is a numeric OID (`1.3.6.1.2.1.1`, a leading dot allowed) or a MIB name the agent
//! knows ([`crate::mib::names`]: `MODULE::name` or `name`), either followed by more arcs; an arc
//! written `*` is a wild card (a `0` bit of `vacmViewTreeFamilyMask`). A user without `view`
//! sees everything. A view no user names, and a `view` naming no `[[view]]`, are refused.

use std::collections::BTreeMap;
use std::sync::Arc;

use serde::Deserialize;

use super::validate::Validator;
use super::{Config, ConfigError, Problem};
use crate::access::{Access, Family, MAX_MASK_OCTETS, View};
use crate::mib::names;

/// The most sub-identifiers a view subtree may have: a mask covers 16 octets of 8 arcs.
const MAX_SUBTREE_ARCS: usize = MAX_MASK_OCTETS * 8;

/// One `[[view]]`, as written.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ViewSection {
    /// The name users (and communities) refer to it by. Required, unique.
    pub name: Option<String>,
    /// Subtrees in the view: OIDs or MIB names, `*` arcs as wild cards.
    #[serde(default)]
    pub include: Vec<String>,
    /// Subtrees taken out of it; a more specific `include` puts part back.
    #[serde(default)]
    pub exclude: Vec<String>,
}

/// The validated views, by name.
#[derive(Debug, Clone, Default)]
pub struct ViewsConfig {
    /// Each view by its name.
    pub views: BTreeMap<String, Arc<View>>,
}

impl Validator<'_> {
    /// Validates the `[[view]]` sections; `used` lists every `(key, view name)` reference (the
    /// users' and communities' `view` keys), each of which must name a view, and every view
    /// must be named by one.
    pub(super) fn views(
        &mut self,
        sections: Vec<ViewSection>,
        used: &[(String, String)],
    ) -> Result<ViewsConfig, ConfigError> {
        let mut views = BTreeMap::new();
        let mut order = Vec::new();
        for (i, section) in sections.into_iter().enumerate() {
            let key = |field: &str| format!("view[{i}].{field}");
            let name = section
                .name
                .ok_or_else(|| self.err(key("name"), Problem::Missing))?;
            if name.trim().is_empty() {
                return Err(self.err(key("name"), Problem::Empty));
            }
            let mut families = Vec::new();
            for (field, list, included) in [
                ("include", &section.include, true),
                ("exclude", &section.exclude, false),
            ] {
                for (j, text) in list.iter().enumerate() {
                    let family = parse_family(text, included).ok_or_else(|| {
                        self.err(
                            format!("view[{i}].{field}[{j}]"),
                            Problem::BadViewOid(text.clone()),
                        )
                    })?;
                    families.push(family);
                }
            }
            if section.include.is_empty() {
                self.warn(
                    key("include"),
                    "empty: this view holds nothing, so its users get only noSuchObject and endOfMibView",
                );
            }
            order.push(name.clone());
            if views
                .insert(name.clone(), Arc::new(View::new(families)))
                .is_some()
            {
                return Err(self.err(key("name"), Problem::DuplicateOf("view", name)));
            }
        }
        // A reference to no view first: it says more than the view it left unused.
        for (key, name) in used {
            if !views.contains_key(name) {
                return Err(self.err(key.clone(), Problem::UnknownView(name.clone())));
            }
        }
        for (i, name) in order.into_iter().enumerate() {
            if !used.iter().any(|(_, v)| *v == name) {
                return Err(self.err(format!("view[{i}].name"), Problem::UnusedView(name)));
            }
        }
        Ok(ViewsConfig { views })
    }
}

/// One `include` or `exclude` entry as a family, `None` when it is neither an OID nor a known
/// name followed by arcs, or is longer than a mask can cover.
fn parse_family(text: &str, included: bool) -> Option<Family> {
    let text = text.trim();
    let numeric = text.starts_with(|c: char| c.is_ascii_digit() || c == '.');
    let (mut subtree, rest) = if numeric {
        (Vec::new(), text.strip_prefix('.').unwrap_or(text))
    } else {
        // The name runs to the first dot after any `MODULE::`.
        let start = text.find("::").map_or(0, |at| at + 2);
        let end = text
            .get(start..)?
            .find('.')
            .map_or(text.len(), |at| start + at);
        let rest = text.get(end..)?;
        let rest = match rest.strip_prefix('.') {
            Some("") => return None,
            Some(arcs) => arcs,
            None => rest,
        };
        (names::resolve(text.get(..end)?)?, rest)
    };
    let mut wild = Vec::new();
    if !rest.is_empty() {
        for arc in rest.split('.') {
            if arc == "*" {
                wild.push(subtree.len());
                subtree.push(0);
            } else {
                subtree.push(arc.parse().ok()?);
            }
        }
    }
    if subtree.is_empty() || subtree.len() > MAX_SUBTREE_ARCS {
        return None;
    }
    let mut mask = vec![0xffu8; wild.last().map_or(0, |&last| last / 8 + 1)];
    for at in wild {
        *mask.get_mut(at / 8)? &= !(0x80u8 >> (at % 8));
    }
    Family::new(&subtree, &mask, included)
}

impl Config {
    /// Each principal's read view and the communities, for
    /// [`crate::agent::Agent::set_access`].
    pub fn access(&self) -> Access {
        let mut access = Access::new();
        for user in &self.users {
            if let Some(view) = user.view.as_ref().and_then(|v| self.views.views.get(v)) {
                access.set_user_view(user.name.as_bytes(), Arc::clone(view));
            }
        }
        self.add_communities(&mut access);
        access
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_parse_as_oids_names_and_wild_cards() {
        let f = parse_family("DQI-MIB::dqiSoftware", true).unwrap();
        assert_eq!(f.subtree(), [1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4]);
        let f = parse_family("sysDescr.0", false).unwrap();
        assert_eq!(f.subtree(), [1, 3, 6, 1, 2, 1, 1, 1, 0]);
        assert!(!f.included());
        let f = parse_family(".1.3.6.1.2.1.25.6", true).unwrap();
        assert_eq!(f.subtree(), [1, 3, 6, 1, 2, 1, 25, 6]);
        let f = parse_family("HOST-RESOURCES-MIB::hrSWInstalledEntry.*.7", true).unwrap();
        assert!(f.matches(&[1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 2, 7]));
        assert!(!f.matches(&[1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 2, 8]));
        for bad in [
            "",
            "NO-SUCH-MIB::system",
            "SNMPv2-MIB::noSuchName",
            "1.3.x",
            "1..3",
            "sysDescr.",
            "DQI-MIB::",
        ] {
            assert!(parse_family(bad, true).is_none(), "{bad:?} accepted");
        }
    }
}
