//! CSAF 2.0, VEX profile (`document.category` `csaf_vex`, OASIS CSAF 2.0 §4.5).
//!
//! | CSAF | statement |
//! |---|---|
//! | `document.csaf_version` (`2.0`, required) | |
//! | `document.tracking.id` | document identity |
//! | `document.tracking.current_release_date` | date of every statement |
//! | `product_tree`: `branches[]` (recursively), `full_product_names[]`, `relationships[].full_product_name` | product ID → purl (`product_identification_helper.purl`; for a relationship, that of its `product_reference`, the component) or name |
//! | `product_groups[]` | group ID → product IDs |
//! | `vulnerabilities[].cve`, else `ids[0].text` | vulnerability ID |
//! | `product_status`: `known_not_affected`; `known_affected`, `first_affected`, `last_affected`; `fixed`, `first_fixed`; `under_investigation` | one statement per product: notAffected, affected, fixed, underInvestigation |
//! | `flags[].label` for the product (or its group) | justification |
//! | `remediations[]` for the product: `category: details` | action |
//! | `threats[]` with category `impact` for the product | detail |
//!
//! A product with a purl is joined by purl; one without is the product as a whole (index 0).

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde_json::Value;
use sha2::{Digest, Sha256};

use super::super::DeviceError;
use super::super::json::{Ctx, Object, item, join, non_empty};
use super::{Justification, Subject, VexDocument, VexFormat, VexImport, VexState, VexStatement};

/// The `product_status` lists read, and the state each gives.
const STATUS_LISTS: [(&str, VexState); 7] = [
    ("known_not_affected", VexState::NotAffected),
    ("known_affected", VexState::Affected),
    ("first_affected", VexState::Affected),
    ("last_affected", VexState::Affected),
    ("fixed", VexState::Fixed),
    ("first_fixed", VexState::Fixed),
    ("under_investigation", VexState::UnderInvestigation),
];

/// Reads a CSAF 2.0 document already parsed as `root`.
pub(crate) fn read(ctx: &Ctx<'_>, bytes: &[u8], root: &Object) -> Result<VexImport, DeviceError> {
    let doc = root
        .get("document")
        .ok_or_else(|| ctx.err("document", "required field is missing"))?;
    let doc = ctx.object(doc, "document")?;
    let version = ctx.required_str(doc, "csaf_version", "document")?;
    if version != "2.0" {
        return Err(ctx.err(
            "document.csaf_version",
            format!("CSAF {version} is not supported (2.0)"),
        ));
    }
    let (id, issued) = match doc.get("tracking").filter(|v| !v.is_null()) {
        Some(t) => {
            let t = ctx.object(t, "document.tracking")?;
            (
                non_empty(ctx.str(t, "id", "document.tracking")?),
                ctx.date(t, "current_release_date", "document.tracking")?,
            )
        }
        None => (None, None),
    };
    let document = VexDocument {
        location: ctx.file.to_string(),
        format: VexFormat::Csaf,
        id,
        sha256: Sha256::digest(bytes).into(),
    };
    let (products, groups) = match root.get("product_tree").filter(|v| !v.is_null()) {
        Some(t) => product_tree(ctx, ctx.object(t, "product_tree")?)?,
        None => (BTreeMap::new(), BTreeMap::new()),
    };
    let mut statements = Vec::new();
    for (i, v) in ctx.array(root, "vulnerabilities", "")?.iter().enumerate() {
        let path = item("", "vulnerabilities", i);
        let v = ctx.object(v, &path)?;
        let vuln_id = match ctx.str(v, "cve", &path)? {
            Some(cve) => cve.trim().to_string(),
            None => first_id(ctx, v, &path)?,
        };
        let Some(status) = v.get("product_status").filter(|s| !s.is_null()) else {
            continue;
        };
        let spath = join(&path, "product_status");
        let status = ctx.object(status, &spath)?;
        let notes = Notes::read(ctx, v, &path, &groups)?;
        for (list, state) in STATUS_LISTS {
            for product in ids(ctx, status, list, &spath)? {
                let subject = match products.get(product) {
                    Some(Product { purl: Some(p), .. }) => Subject::Purl(p.clone()),
                    Some(Product { name, .. }) => Subject::Other(name.clone()),
                    None => Subject::Other(product.to_string()),
                };
                statements.push(VexStatement {
                    vuln_id: vuln_id.clone(),
                    subject,
                    state,
                    justification: notes.flags.get(product).copied().unwrap_or_default(),
                    action: notes.remediations.get(product).cloned(),
                    detail: notes.impacts.get(product).cloned(),
                    updated: issued,
                    versions: Vec::new(),
                });
            }
        }
    }
    Ok(VexImport {
        document,
        statements,
    })
}

#[derive(Debug, Default)]
struct Product {
    name: String,
    purl: Option<String>,
}

type Products = BTreeMap<String, Product>;
type Groups = BTreeMap<String, Vec<String>>;

fn product_tree(ctx: &Ctx<'_>, tree: &Object) -> Result<(Products, Groups), DeviceError> {
    let mut products = Products::new();
    branches(ctx, tree, "product_tree", &mut products)?;
    for (i, p) in ctx
        .array(tree, "full_product_names", "product_tree")?
        .iter()
        .enumerate()
    {
        let here = item("product_tree", "full_product_names", i);
        full_product_name(ctx, ctx.object(p, &here)?, &here, &mut products)?;
    }
    // Relationships name a component installed on a product: the statement is about the
    // component, so its purl is the `product_reference`'s.
    for (i, r) in ctx
        .array(tree, "relationships", "product_tree")?
        .iter()
        .enumerate()
    {
        let here = item("product_tree", "relationships", i);
        let r = ctx.object(r, &here)?;
        let reference = ctx.required_str(r, "product_reference", &here)?;
        let Some(fpn) = r.get("full_product_name") else {
            continue;
        };
        let fpath = join(&here, "full_product_name");
        let fpn = ctx.object(fpn, &fpath)?;
        let id = ctx.required_str(fpn, "product_id", &fpath)?;
        let name = ctx.str(fpn, "name", &fpath)?.unwrap_or(id).to_string();
        let purl = products.get(reference).and_then(|p| p.purl.clone());
        products.insert(id.to_string(), Product { name, purl });
    }
    let mut groups = Groups::new();
    for (i, g) in ctx
        .array(tree, "product_groups", "product_tree")?
        .iter()
        .enumerate()
    {
        let here = item("product_tree", "product_groups", i);
        let g = ctx.object(g, &here)?;
        let id = ctx.required_str(g, "group_id", &here)?;
        let members = ids(ctx, g, "product_ids", &here)?
            .into_iter()
            .map(str::to_string)
            .collect();
        groups.insert(id.to_string(), members);
    }
    Ok((products, groups))
}

fn branches(
    ctx: &Ctx<'_>,
    node: &Object,
    path: &str,
    out: &mut Products,
) -> Result<(), DeviceError> {
    for (i, b) in ctx.array(node, "branches", path)?.iter().enumerate() {
        let here = item(path, "branches", i);
        let b = ctx.object(b, &here)?;
        if let Some(p) = b.get("product") {
            let ppath = join(&here, "product");
            full_product_name(ctx, ctx.object(p, &ppath)?, &ppath, out)?;
        }
        branches(ctx, b, &here, out)?;
    }
    Ok(())
}

fn full_product_name(
    ctx: &Ctx<'_>,
    p: &Object,
    path: &str,
    out: &mut Products,
) -> Result<(), DeviceError> {
    let id = ctx.required_str(p, "product_id", path)?;
    let name = ctx.str(p, "name", path)?.unwrap_or(id).to_string();
    let purl = match p
        .get("product_identification_helper")
        .filter(|v| !v.is_null())
    {
        Some(h) => {
            let hpath = join(path, "product_identification_helper");
            non_empty(ctx.str(ctx.object(h, &hpath)?, "purl", &hpath)?)
        }
        None => None,
    };
    out.insert(id.to_string(), Product { name, purl });
    Ok(())
}

/// The strings of the array `key`.
fn ids<'v>(
    ctx: &Ctx<'_>,
    obj: &'v Object,
    key: &str,
    path: &str,
) -> Result<Vec<&'v str>, DeviceError> {
    ctx.array(obj, key, path)?
        .iter()
        .enumerate()
        .map(|(i, v)| match v {
            Value::String(s) => Ok(s.as_str()),
            _ => Err(ctx.err(&item(path, key, i), "expected a string")),
        })
        .collect()
}

fn first_id(ctx: &Ctx<'_>, v: &Object, path: &str) -> Result<String, DeviceError> {
    let ids = ctx.array(v, "ids", path)?;
    let Some(first) = ids.first() else {
        return Err(ctx.err(&join(path, "cve"), "a vulnerability needs `cve` or `ids`"));
    };
    let here = item(path, "ids", 0);
    Ok(ctx
        .required_str(ctx.object(first, &here)?, "text", &here)?
        .trim()
        .to_string())
}

/// Per product: the justification flag, remediation text and impact statement of one
/// vulnerability.
struct Notes {
    flags: BTreeMap<String, Justification>,
    remediations: BTreeMap<String, String>,
    impacts: BTreeMap<String, String>,
}

impl Notes {
    fn read(ctx: &Ctx<'_>, v: &Object, path: &str, groups: &Groups) -> Result<Notes, DeviceError> {
        let mut notes = Notes {
            flags: BTreeMap::new(),
            remediations: BTreeMap::new(),
            impacts: BTreeMap::new(),
        };
        for (i, f) in ctx.array(v, "flags", path)?.iter().enumerate() {
            let here = item(path, "flags", i);
            let f = ctx.object(f, &here)?;
            let label = ctx.required_str(f, "label", &here)?;
            let j = Justification::parse(label).ok_or_else(|| {
                ctx.err(
                    &join(&here, "label"),
                    format!("`{label}` is not a CSAF flag label"),
                )
            })?;
            for p in members(ctx, f, &here, groups)? {
                notes.flags.insert(p, j);
            }
        }
        for (i, r) in ctx.array(v, "remediations", path)?.iter().enumerate() {
            let here = item(path, "remediations", i);
            let r = ctx.object(r, &here)?;
            let category = ctx.required_str(r, "category", &here)?;
            let details = ctx.str(r, "details", &here)?.unwrap_or("").trim();
            let text = if details.is_empty() {
                category.to_string()
            } else {
                format!("{category}: {details}")
            };
            for p in members(ctx, r, &here, groups)? {
                let entry = notes.remediations.entry(p).or_default();
                if !entry.is_empty() {
                    entry.push_str("; ");
                }
                entry.push_str(&text);
            }
        }
        for (i, t) in ctx.array(v, "threats", path)?.iter().enumerate() {
            let here = item(path, "threats", i);
            let t = ctx.object(t, &here)?;
            if ctx.str(t, "category", &here)? != Some("impact") {
                continue;
            }
            let details = ctx.required_str(t, "details", &here)?.trim().to_string();
            for p in members(ctx, t, &here, groups)? {
                notes.impacts.insert(p, details.clone());
            }
        }
        Ok(notes)
    }
}

/// `product_ids` plus the members of `group_ids`.
fn members(
    ctx: &Ctx<'_>,
    obj: &Object,
    path: &str,
    groups: &Groups,
) -> Result<Vec<String>, DeviceError> {
    let mut out: Vec<String> = ids(ctx, obj, "product_ids", path)?
        .into_iter()
        .map(str::to_string)
        .collect();
    for g in ids(ctx, obj, "group_ids", path)? {
        out.extend(groups.get(g).into_iter().flatten().cloned());
    }
    Ok(out)
}
