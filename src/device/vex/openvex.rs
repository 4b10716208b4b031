//! OpenVEX 0.2 (and the 0.0.x drafts, whose `vulnerability` and `products` were plain strings).
//!
//! | OpenVEX | statement |
//! |---|---|
//! | `@context` (`https://openvex.dev/ns...`, required) | |
//! | `@id` | document identity |
//! | `statements[].vulnerability.name` (or the string) | vulnerability ID |
//! | `products[]`: each `subcomponents[]` (`@id` or `identifiers.purl`), else the product itself | subject: a `pkg:` purl by purl, anything else the product (index 0) |
//! | `status` | `not_affected`, `affected`, `fixed`, `under_investigation` |
//! | `justification` | justification (the CISA words) |
//! | `action_statement` | action |
//! | `impact_statement`, else `status_notes` | detail |
//! | statement `last_updated`, else `timestamp`, else the document's | date |

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::super::DeviceError;
use super::super::json::{Ctx, Object, item, join, non_empty};
use super::{Justification, Subject, VexDocument, VexFormat, VexImport, VexState, VexStatement};

/// Reads an OpenVEX document already parsed as `root`.
pub(crate) fn read(ctx: &Ctx<'_>, bytes: &[u8], root: &Object) -> Result<VexImport, DeviceError> {
    let context = ctx.required_str(root, "@context", "")?;
    if !context.starts_with("https://openvex.dev/ns") {
        return Err(ctx.err("@context", format!("`{context}` is not an OpenVEX context")));
    }
    let document = VexDocument {
        location: ctx.file.to_string(),
        format: VexFormat::OpenVex,
        id: non_empty(ctx.str(root, "@id", "")?),
        sha256: Sha256::digest(bytes).into(),
    };
    let issued = ctx
        .date(root, "last_updated", "")?
        .or(ctx.date(root, "timestamp", "")?);
    let mut statements = Vec::new();
    for (i, s) in ctx.array(root, "statements", "")?.iter().enumerate() {
        let path = item("", "statements", i);
        let s = ctx.object(s, &path)?;
        let vuln_id = match s.get("vulnerability") {
            Some(Value::String(id)) => id.trim().to_string(),
            Some(v @ Value::Object(_)) => {
                let vpath = join(&path, "vulnerability");
                let v = ctx.object(v, &vpath)?;
                match ctx.str(v, "name", &vpath)? {
                    Some(name) => name.trim().to_string(),
                    None => ctx.required_str(v, "@id", &vpath)?.trim().to_string(),
                }
            }
            _ => {
                return Err(ctx.err(
                    &join(&path, "vulnerability"),
                    "required: an object with `name`, or a string",
                ));
            }
        };
        let word = ctx.required_str(s, "status", &path)?;
        let state = match word {
            "not_affected" => VexState::NotAffected,
            "affected" => VexState::Affected,
            "fixed" => VexState::Fixed,
            "under_investigation" => VexState::UnderInvestigation,
            other => {
                return Err(ctx.err(
                    &join(&path, "status"),
                    format!("`{other}` is not an OpenVEX status"),
                ));
            }
        };
        let justification = match ctx.str(s, "justification", &path)? {
            None => Justification::None,
            Some(w) => Justification::parse(w).ok_or_else(|| {
                ctx.err(
                    &join(&path, "justification"),
                    format!("`{w}` is not an OpenVEX justification"),
                )
            })?,
        };
        let action = non_empty(ctx.str(s, "action_statement", &path)?);
        let detail = non_empty(ctx.str(s, "impact_statement", &path)?).or(non_empty(ctx.str(
            s,
            "status_notes",
            &path,
        )?));
        let updated = ctx
            .date(s, "last_updated", &path)?
            .or(ctx.date(s, "timestamp", &path)?)
            .or(issued);
        let mut subjects = Vec::new();
        for (j, p) in ctx.array(s, "products", &path)?.iter().enumerate() {
            let here = item(&path, "products", j);
            let p = match p {
                Value::String(id) => {
                    subjects.push(subject(id));
                    continue;
                }
                p => ctx.object(p, &here)?,
            };
            let subs = ctx.array(p, "subcomponents", &here)?;
            if subs.is_empty() {
                subjects.push(component(ctx, p, &here)?);
            }
            for (k, c) in subs.iter().enumerate() {
                let there = item(&here, "subcomponents", k);
                subjects.push(component(ctx, ctx.object(c, &there)?, &there)?);
            }
        }
        let statement = VexStatement {
            vuln_id,
            subject: Subject::Other(String::new()),
            state,
            justification,
            action,
            detail,
            updated,
            versions: Vec::new(),
        };
        super::per_subject(&mut statements, subjects, statement);
    }
    Ok(VexImport {
        document,
        statements,
    })
}

/// A product or subcomponent: its `identifiers.purl`, else its `@id`.
fn component(ctx: &Ctx<'_>, c: &Object, path: &str) -> Result<Subject, DeviceError> {
    if let Some(ids) = c.get("identifiers").filter(|v| !v.is_null()) {
        let ipath = join(path, "identifiers");
        if let Some(purl) = ctx.str(ctx.object(ids, &ipath)?, "purl", &ipath)? {
            return Ok(Subject::Purl(purl.trim().to_string()));
        }
    }
    Ok(subject(ctx.str(c, "@id", path)?.unwrap_or("")))
}

fn subject(id: &str) -> Subject {
    let id = id.trim();
    if id.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("pkg:")) {
        Subject::Purl(id.to_string())
    } else {
        Subject::Other(id.to_string())
    }
}
