//! CycloneDX VEX, spec versions 1.4 to 1.6: `vulnerabilities[]` with `analysis`, inside an SBOM
//! or in a separate VEX BOM.
//!
//! | CycloneDX | statement |
//! |---|---|
//! | `vulnerabilities[].id` (required) | vulnerability ID |
//! | `affects[].ref` | subject: a `bom-ref`; a BOM-Link `urn:cdx:<serial>/<version>#<bom-ref>` by its fragment; a `pkg:` purl by purl. No `affects`: the product (index 0) |
//! | `affects[].versions[]`: `version` or `range` (purl `vers:`), `status` (`affected` by default, `unaffected`, `unknown`) | the subject's rows limited to those versions; unaffected → notAffected, unknown → underInvestigation |
//! | `analysis.state` | `not_affected`, `false_positive` → notAffected; `exploitable` → affected; `resolved`, `resolved_with_pedigree` → fixed; `in_triage` → underInvestigation |
//! | `analysis.justification` | justification (CycloneDX words, kept); without one, `properties[]` `dqi:vexJustification` (a CISA word CycloneDX has none for, as `dqi-query inventory --cyclonedx` writes it) |
//! | `analysis.response[]`, `recommendation`, `workaround` | action: `update, workaround_available: <recommendation>; <workaround>` |
//! | `analysis.detail` | detail |
//! | `analysis.lastUpdated`, else `analysis.firstIssued`, else `updated`, else `published`, else `metadata.timestamp` | date |
//!
//! A vulnerability without `analysis` (a vulnerability disclosure report entry, not a VEX
//! statement) is skipped. Refused: a state or justification outside the CycloneDX lists, a
//! known member of the wrong JSON type, a date that does not parse, a `versions[]` entry with
//! both or neither of `version` and `range`, a range that is no `vers:` range, a status outside
//! the three.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use sha2::{Digest, Sha256};

use super::super::DeviceError;
use super::super::json::{Ctx, Object, item, join, non_empty};
use super::{
    AffectedVersion, Justification, Subject, VersionSpec, VersionStatus, VexDocument, VexFormat,
    VexImport, VexState, VexStatement,
};
use crate::vers::VersRange;

/// Reads the VEX statements of a CycloneDX document already parsed as `root`.
pub(crate) fn read(ctx: &Ctx<'_>, bytes: &[u8], root: &Object) -> Result<VexImport, DeviceError> {
    match ctx.str(root, "bomFormat", "")? {
        Some("CycloneDX") => {}
        Some(other) => return Err(ctx.err("bomFormat", format!("`{other}` is not CycloneDX"))),
        None => return Err(ctx.err("bomFormat", "required field is missing")),
    }
    let document = VexDocument {
        location: ctx.file.to_string(),
        format: VexFormat::CycloneDx,
        id: non_empty(ctx.str(root, "serialNumber", "")?),
        sha256: Sha256::digest(bytes).into(),
    };
    let issued = match root.get("metadata").filter(|v| !v.is_null()) {
        Some(meta) => ctx.date(ctx.object(meta, "metadata")?, "timestamp", "metadata")?,
        None => None,
    };
    let mut statements = Vec::new();
    for (i, v) in ctx.array(root, "vulnerabilities", "")?.iter().enumerate() {
        let path = item("", "vulnerabilities", i);
        let v = ctx.object(v, &path)?;
        let Some(analysis) = v.get("analysis").filter(|a| !a.is_null()) else {
            continue;
        };
        let apath = join(&path, "analysis");
        let analysis = ctx.object(analysis, &apath)?;
        let vuln_id = ctx.required_str(v, "id", &path)?.trim().to_string();
        let Some(word) = ctx.str(analysis, "state", &apath)? else {
            continue;
        };
        let state = state(word).ok_or_else(|| {
            ctx.err(
                &join(&apath, "state"),
                format!("`{word}` is not a CycloneDX analysis state"),
            )
        })?;
        let justification = match ctx.str(analysis, "justification", &apath)? {
            None => cisa_justification(ctx, v, &path)?,
            Some(w) => Justification::parse(w).ok_or_else(|| {
                ctx.err(
                    &join(&apath, "justification"),
                    format!("`{w}` is not a CycloneDX justification"),
                )
            })?,
        };
        let mut responses = Vec::new();
        for (j, r) in ctx.array(analysis, "response", &apath)?.iter().enumerate() {
            let here = item(&apath, "response", j);
            match r.as_str() {
                Some(r) => responses.push(r),
                None => return Err(ctx.err(&here, "expected a string")),
            }
        }
        let action = action(
            &responses,
            &[
                ctx.str(v, "recommendation", &path)?,
                ctx.str(v, "workaround", &path)?,
            ],
        );
        let detail = non_empty(ctx.str(analysis, "detail", &apath)?);
        let updated = ctx
            .date(analysis, "lastUpdated", &apath)?
            .or(ctx.date(analysis, "firstIssued", &apath)?)
            .or(ctx.date(v, "updated", &path)?)
            .or(ctx.date(v, "published", &path)?)
            .or(issued);
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
        let affects = ctx.array(v, "affects", &path)?;
        if affects.is_empty() {
            statements.push(statement);
            continue;
        }
        for (j, a) in affects.iter().enumerate() {
            let here = item(&path, "affects", j);
            let a = ctx.object(a, &here)?;
            statements.push(VexStatement {
                subject: subject(ctx.required_str(a, "ref", &here)?),
                versions: versions(ctx, a, &here)?,
                ..statement.clone()
            });
        }
    }
    Ok(VexImport {
        document,
        statements,
    })
}

/// `properties[]` `dqi:vexJustification` of vulnerability `v`: a CISA justification CycloneDX
/// has no word for (`component_not_present` and two more), as `dqi-query`'s export carries it.
fn cisa_justification(ctx: &Ctx<'_>, v: &Object, path: &str) -> Result<Justification, DeviceError> {
    for (i, p) in ctx.array(v, "properties", path)?.iter().enumerate() {
        let here = item(path, "properties", i);
        let p = ctx.object(p, &here)?;
        if ctx.str(p, "name", &here)? != Some("dqi:vexJustification") {
            continue;
        }
        let word = ctx.required_str(p, "value", &here)?;
        return Justification::parse(word).ok_or_else(|| {
            ctx.err(
                &join(&here, "value"),
                format!("`{word}` is not a VEX justification"),
            )
        });
    }
    Ok(Justification::None)
}

/// `affects[j].versions[]`: each entry a `version` or a `range`, and a `status`.
fn versions(
    ctx: &Ctx<'_>,
    affects: &Object,
    path: &str,
) -> Result<Vec<AffectedVersion>, DeviceError> {
    let mut out = Vec::new();
    for (k, e) in ctx.array(affects, "versions", path)?.iter().enumerate() {
        let here = item(path, "versions", k);
        let e = ctx.object(e, &here)?;
        let spec = match (
            non_empty(ctx.str(e, "version", &here)?),
            non_empty(ctx.str(e, "range", &here)?),
        ) {
            (Some(v), None) => VersionSpec::Exact(v),
            (None, Some(r)) => VersionSpec::Range(VersRange::parse(&r).map_err(|err| {
                ctx.err(
                    &join(&here, "range"),
                    format!("`{r}` is not a vers range: {err}"),
                )
            })?),
            _ => return Err(ctx.err(&here, "give exactly one of `version` and `range`")),
        };
        let status = match ctx.str(e, "status", &here)? {
            None | Some("affected") => VersionStatus::Affected,
            Some("unaffected") => VersionStatus::Unaffected,
            Some("unknown") => VersionStatus::Unknown,
            Some(other) => {
                return Err(ctx.err(
                    &join(&here, "status"),
                    format!("`{other}` is not affected, unaffected or unknown"),
                ));
            }
        };
        out.push(AffectedVersion { spec, status });
    }
    Ok(out)
}

fn state(word: &str) -> Option<VexState> {
    Some(match word {
        "not_affected" | "false_positive" => VexState::NotAffected,
        "exploitable" => VexState::Affected,
        "resolved" | "resolved_with_pedigree" => VexState::Fixed,
        "in_triage" => VexState::UnderInvestigation,
        _ => return None,
    })
}

/// `responses` joined, then the non-empty texts: `update: Upgrade to 4.2.2; Block port 8443`.
pub(super) fn action(responses: &[&str], texts: &[Option<&str>]) -> Option<String> {
    let words = responses.join(", ");
    let texts: Vec<&str> = texts
        .iter()
        .flatten()
        .map(|t| t.trim())
        .filter(|t| !t.is_empty())
        .collect();
    let texts = texts.join("; ");
    match (words.is_empty(), texts.is_empty()) {
        (true, true) => None,
        (false, true) => Some(words),
        (true, false) => Some(texts),
        (false, false) => Some(format!("{words}: {texts}")),
    }
}

/// A ref: BOM-Link fragment, purl or bom-ref.
fn subject(r: &str) -> Subject {
    let r = r.trim();
    if r.starts_with("urn:cdx:")
        && let Some((_, fragment)) = r.split_once('#')
    {
        return Subject::BomRef(percent_decode(fragment));
    }
    if r.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("pkg:")) {
        return Subject::Purl(r.to_string());
    }
    Subject::BomRef(r.to_string())
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = b
            .get(i + 1..i + 3)
            .and_then(|h| core::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b[i], hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i += 3;
            }
            (c, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refs_and_actions() {
        assert_eq!(
            subject("urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg%3Amaven%2Fx"),
            Subject::BomRef("pkg:maven/x".to_string())
        );
        assert_eq!(
            subject("pkg:npm/x@1"),
            Subject::Purl("pkg:npm/x@1".to_string())
        );
        assert_eq!(subject("comp-1"), Subject::BomRef("comp-1".to_string()));
        assert_eq!(
            action(
                &["update", "workaround_available"],
                &[Some("Upgrade"), None, Some(" ")]
            ),
            Some("update, workaround_available: Upgrade".to_string())
        );
        assert_eq!(action(&[], &[None]), None);
        #[cfg(feature = "server")]
        {
            let doc = |props: &str| {
                format!(
                    r#"{{"bomFormat":"CycloneDX","specVersion":"1.6","vulnerabilities":[{{"id":"CVE-1",
                    "analysis":{{"state":"not_affected"}},"affects":[{{"ref":"c1"}}],"properties":{props}}}]}}"#
                )
            };
            let read = |props: &str| {
                super::super::parse(doc(props).as_bytes(), "vex.cdx.json")
                    .map(|i| i.statements[0].justification)
                    .map_err(|e| e.to_string())
            };
            assert_eq!(
                read(r#"[{"name":"dqi:vexJustification","value":"component_not_present"}]"#),
                Ok(Justification::ComponentNotPresent)
            );
            assert_eq!(read("[]"), Ok(Justification::None));
            let refused = read(r#"[{"name":"dqi:vexJustification","value":"because"}]"#);
            assert!(
                refused
                    .as_ref()
                    .is_err_and(|e| e.contains("vulnerabilities[0].properties[0].value")),
                "{refused:?}"
            );
        }
        assert_eq!(
            action(&[], &[Some("a"), Some("b")]),
            Some("a; b".to_string())
        );
    }
}
