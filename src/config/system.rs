//! The `[system]` section: the SNMPv2-MIB system group (RFC 3418 §2).

use serde::Deserialize;

use super::validate::Validator;
use super::{ConfigError, Problem};
use crate::mib::Value;
use crate::mib::objects::System;

/// `sysObjectID` when `system.object_id` is not set. Kept in one place so the product's own
/// OID replaces it in one edit.
pub const DEFAULT_OBJECT_ID: &str = "1.3.6.1.4.1.8072.3.2.10";
/// `sysServices`: applications (layer 7) and end-to-end (layer 4), as for a host (RFC 3418).
pub const SYS_SERVICES: i32 = 72;
/// `DisplayString` is at most 255 octets (RFC 2579).
const MAX_DISPLAY_STRING: usize = 255;

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

impl Validator<'_> {
    /// Validates `[system]`.
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
