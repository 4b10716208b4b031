//! SPDX 2.3 JSON import (SPDX 2.2 documents read the same way).
//!
//! What is read (SPDX 2.3 specification section numbers):
//!
//! | SPDX | row / document |
//! |---|---|
//! | `spdxVersion` (§6.1) | [`SbomDocument::spec_version`](super::model::SbomDocument::spec_version); must be `SPDX-2.x` |
//! | `documentNamespace` (§6.5) | [`SbomDocument::serial`](super::model::SbomDocument::serial) |
//! | `creationInfo.created` (§6.9) | [`SbomDocument::created`](super::model::SbomDocument::created) |
//! | `packages[]` (§7) | one row each, in document order |
//! | `name` (§7.1), `SPDXID` (§7.2), `versionInfo` (§7.3) | name, SBOM reference, version verbatim |
//! | `supplier` (§7.5), else `originator` (§7.6) | supplier, without the `Organization: ` / `Person: ` prefix and a trailing `(email)`; `NOASSERTION` is none |
//! | `checksums[]` (§7.10) | hashes (all kept) |
//! | `externalRefs[]` (§7.21) `PACKAGE-MANAGER` `purl` | purl (the first) |
//! | `externalRefs[]` `SECURITY` `cpe23Type` | CPE 2.3 (the first) |
//! | `primaryPackagePurpose` (§7.24) | type: `APPLICATION`, `FRAMEWORK`, `LIBRARY`, `CONTAINER`, `OPERATING-SYSTEM`, `DEVICE`, `FIRMWARE`, `FILE` map to the CycloneDX type of that name; `SOURCE`, `ARCHIVE`, `INSTALL`, `OTHER` and none to `other` |
//! | `validUntilDate` (§7.27) | end-of-support date |
//! | `relationships[]` (§11) | parent links, by the rule below |
//!
//! SPDX 2.3 has no level-of-support field, so support status stays `noAssertion`.
//!
//! Parent rule: `A CONTAINS B` and `B CONTAINED_BY A` make A a *container* of B; `A DEPENDS_ON
//! B` and `B DEPENDENCY_OF A` make A a *dependent* of B (both ends must be packages of this
//! document). B's parent is its container when it has exactly one; with no container, its
//! dependent when it has exactly one; otherwise B is top level. A package that several others
//! share has no single parent to show, and guessing one would mislead.
//!
//! Refused: not JSON, not SPDX 2, `packages` or `relationships` not arrays, a package without
//! `name` or `SPDXID`, two packages with one `SPDXID`, a checksum algorithm not in §7.10, a checksum that is not hex of the
//! algorithm's length, a date that does not parse. Unknown members are ignored.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::DeviceError;
use super::json::{self, Ctx, HashFields, Object, import, item, join, non_empty};
use super::limits::Limits;
use super::model::{ComponentType, SbomComponent, SbomFormat, SbomImport, SupportStatus};

/// `checksums[]` with `algorithm` and `checksumValue` (§7.10).
const CHECKSUMS: HashFields = HashFields {
    array: "checksums",
    alg: "algorithm",
    value: "checksumValue",
    list: "an SPDX 2.3 checksum algorithm",
};

/// Reads an SPDX 2.3 JSON document under the default [`Limits`]. `location` names the file in
/// errors and in the record.
pub fn parse(bytes: &[u8], location: &str) -> Result<SbomImport, DeviceError> {
    parse_with(bytes, location, &Limits::default())
}

/// Reads an SPDX 2.3 JSON document under `limits`.
pub fn parse_with(
    bytes: &[u8],
    location: &str,
    limits: &Limits,
) -> Result<SbomImport, DeviceError> {
    json::read(bytes, location, limits, |ctx, root| {
        from_root(ctx, bytes, root)
    })
}

/// The import of the document `bytes`, already parsed as `root`.
pub(crate) fn from_root(
    ctx: &Ctx<'_>,
    bytes: &[u8],
    root: &Object,
) -> Result<SbomImport, DeviceError> {
    let spec_version = ctx.required_str(root, "spdxVersion", "")?;
    if !spec_version.starts_with("SPDX-2.") {
        return Err(ctx.err(
            "spdxVersion",
            format!("`{spec_version}` is not supported (SPDX 2.x JSON)"),
        ));
    }
    // SPDX has no document revision: `version` stays 0.
    let format = SbomFormat::Spdx;
    let mut document = ctx.document(bytes, root, format, spec_version, "documentNamespace")?;
    if let Some(ci) = root.get("creationInfo").filter(|v| !v.is_null()) {
        let ci = ctx.object(ci, "creationInfo")?;
        document.created = ctx.date(ci, "created", "creationInfo")?;
    }

    let packages = ctx.array(root, "packages", "")?;
    let max = ctx.limits.max_components;
    if packages.len() > max {
        return Err(ctx.over(
            format!("{} packages", packages.len()),
            "max_components",
            max,
        ));
    }
    let mut components = Vec::with_capacity(packages.len());
    let mut by_id: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, v) in packages.iter().enumerate() {
        let here = item("", "packages", i);
        let obj = ctx.object(v, &here)?;
        let id = ctx.required_str(obj, "SPDXID", &here)?;
        // §7.2: an SPDXID identifies one element. Two packages sharing one would make every
        // relationship naming it ambiguous, and readers resolve that differently.
        if let Some(first) = by_id.insert(id, i) {
            return Err(ctx.err(
                &join(&here, "SPDXID"),
                format!("`{id}` is also the SPDXID of packages[{first}]"),
            ));
        }
        components.push(package(ctx, obj, &here)?);
    }
    let relationships = ctx.array(root, "relationships", "")?;
    let max = ctx.limits.max_relationships;
    if relationships.len() > max {
        return Err(ctx.over(
            format!("{} relationships", relationships.len()),
            "max_relationships",
            max,
        ));
    }

    let mut containers = alloc::vec![Candidate::None; components.len()];
    let mut dependents = alloc::vec![Candidate::None; components.len()];
    for (i, v) in relationships.iter().enumerate() {
        let here = item("", "relationships", i);
        let rel = ctx.object(v, &here)?;
        let a = ctx.required_str(rel, "spdxElementId", &here)?;
        let kind = ctx.required_str(rel, "relationshipType", &here)?;
        let b = ctx.required_str(rel, "relatedSpdxElement", &here)?;
        let (Some(&a), Some(&b)) = (by_id.get(a), by_id.get(b)) else {
            continue; // the document, a file, or an external element: not a package link
        };
        match kind {
            "CONTAINS" => containers[b].add(a),
            "CONTAINED_BY" => containers[a].add(b),
            "DEPENDS_ON" => dependents[b].add(a),
            "DEPENDENCY_OF" => dependents[a].add(b),
            _ => {}
        }
    }
    for (pos, c) in components.iter_mut().enumerate() {
        c.parent = match (containers[pos], dependents[pos]) {
            (Candidate::One(p), _) | (Candidate::None, Candidate::One(p)) if p != pos => Some(p),
            _ => None,
        };
    }
    Ok(import(document, components))
}

/// Reads an SPDX 2.3 JSON document from a file under `limits`.
pub fn load(path: &std::path::Path, limits: &Limits) -> Result<SbomImport, DeviceError> {
    super::source::read_with(
        path,
        limits.max_file_bytes,
        "max_file_bytes",
        |bytes, location| parse_with(bytes, location, limits),
    )
}

/// How many distinct packages claim a package as container (or dependent).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Candidate {
    None,
    One(usize),
    Many,
}

impl Candidate {
    fn add(&mut self, p: usize) {
        *self = match *self {
            Candidate::None => Candidate::One(p),
            Candidate::One(q) if q == p => Candidate::One(q),
            _ => Candidate::Many,
        };
    }
}

fn package(ctx: &Ctx<'_>, obj: &Object, path: &str) -> Result<SbomComponent, DeviceError> {
    let name = ctx.required_str(obj, "name", path)?;
    if name.trim().is_empty() {
        return Err(ctx.err(&join(path, "name"), "package name is empty"));
    }
    let supplier = match agent(ctx.str(obj, "supplier", path)?) {
        Some(s) => Some(s),
        None => agent(ctx.str(obj, "originator", path)?),
    };
    let hashes = ctx.hashes(obj, path, &CHECKSUMS)?;
    let (mut purl, mut cpe) = (None, None);
    for (i, r) in ctx.array(obj, "externalRefs", path)?.iter().enumerate() {
        let here = item(path, "externalRefs", i);
        let r = ctx.object(r, &here)?;
        let category = ctx.str(r, "referenceCategory", &here)?.unwrap_or("");
        let kind = ctx.str(r, "referenceType", &here)?.unwrap_or("");
        let slot = match (category, kind) {
            ("PACKAGE-MANAGER" | "PACKAGE_MANAGER", "purl") => &mut purl,
            ("SECURITY", "cpe23Type") => &mut cpe,
            _ => continue,
        };
        if slot.is_none() {
            *slot = non_empty(ctx.str(r, "referenceLocator", &here)?);
        }
    }
    let kind = match ctx.str(obj, "primaryPackagePurpose", path)? {
        Some("APPLICATION") => ComponentType::Application,
        Some("FRAMEWORK") => ComponentType::Framework,
        Some("LIBRARY") => ComponentType::Library,
        Some("CONTAINER") => ComponentType::Container,
        Some("OPERATING-SYSTEM") => ComponentType::OperatingSystem,
        Some("DEVICE") => ComponentType::Device,
        Some("FIRMWARE") => ComponentType::Firmware,
        Some("FILE") => ComponentType::File,
        _ => ComponentType::Other,
    };
    let version = ctx.str(obj, "versionInfo", path)?.unwrap_or("");
    Ok(SbomComponent {
        name: name.trim().to_string(),
        group: None,
        version: version.to_string(),
        supplier,
        kind,
        purl,
        cpe,
        hashes,
        install_date: None,
        support: SupportStatus::NoAssertion,
        end_of_support: ctx.date(obj, "validUntilDate", path)?,
        sbom_ref: non_empty(ctx.str(obj, "SPDXID", path)?),
        parent: None,
    })
}

// `Organization: Acme Medical (psirt@acme.example)` -> `Acme Medical`; `NOASSERTION` -> none.
fn agent(text: Option<&str>) -> Option<String> {
    let t = text?.trim();
    if t == "NOASSERTION" || t == "NONE" {
        return None;
    }
    let t = t
        .strip_prefix("Organization:")
        .or_else(|| t.strip_prefix("Person:"))
        .or_else(|| t.strip_prefix("Tool:"))
        .unwrap_or(t)
        .trim();
    // §7.5: the optional email follows in parentheses; a parenthesis without `@` (or empty)
    // is part of the name, like "ACME (Europe)".
    let t = match (t.strip_suffix(')'), t.rfind('(')) {
        (Some(inner), Some(open)) if inner[open + 1..].contains('@') || open + 1 == inner.len() => {
            t[..open].trim_end()
        }
        _ => t,
    };
    non_empty(Some(t))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::model::HashAlg;

    const DOC: &str = r#"{
      "spdxVersion": "SPDX-2.3", "SPDXID": "SPDXRef-DOCUMENT", "name": "fw",
      "documentNamespace": "https://example.org/spdx/fw-1",
      "creationInfo": {"created": "2024-03-01T12:00:00Z", "creators": ["Tool: x"]},
      "packages": [
        {"SPDXID": "SPDXRef-image", "name": "image", "versionInfo": "4.2.1",
         "supplier": "Organization: Acme Medical (psirt@acme.example)",
         "primaryPackagePurpose": "FIRMWARE"},
        {"SPDXID": "SPDXRef-rtos", "name": "FreeRTOS-Kernel", "versionInfo": "10.5.1",
         "supplier": "NOASSERTION", "originator": "Organization: Amazon Web Services",
         "validUntilDate": "2026-12-31T00:00:00Z",
         "checksums": [{"algorithm": "SHA256", "checksumValue": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"}],
         "externalRefs": [
           {"referenceCategory": "SECURITY", "referenceType": "cpe23Type",
            "referenceLocator": "cpe:2.3:o:amazon:freertos:10.5.1:*:*:*:*:*:*:*"},
           {"referenceCategory": "PACKAGE-MANAGER", "referenceType": "purl",
            "referenceLocator": "pkg:github/freertos/freertos-kernel@10.5.1"}]},
        {"SPDXID": "SPDXRef-shared", "name": "shared", "versionInfo": "1"},
        {"SPDXID": "SPDXRef-dep", "name": "dep", "versionInfo": "1"}
      ],
      "relationships": [
        {"spdxElementId": "SPDXRef-DOCUMENT", "relationshipType": "DESCRIBES", "relatedSpdxElement": "SPDXRef-image"},
        {"spdxElementId": "SPDXRef-image", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-rtos"},
        {"spdxElementId": "SPDXRef-image", "relationshipType": "CONTAINS", "relatedSpdxElement": "SPDXRef-shared"},
        {"spdxElementId": "SPDXRef-shared", "relationshipType": "CONTAINED_BY", "relatedSpdxElement": "SPDXRef-rtos"},
        {"spdxElementId": "SPDXRef-dep", "relationshipType": "DEPENDENCY_OF", "relatedSpdxElement": "SPDXRef-rtos"}
      ]}"#;

    #[test]
    fn packages_refs_and_parents() {
        let import = parse(DOC.as_bytes(), "fw.spdx.json").unwrap();
        assert_eq!(
            import.document.serial.as_deref(),
            Some("https://example.org/spdx/fw-1")
        );
        assert_eq!(import.document.spec_version, "SPDX-2.3");
        let [image, rtos, shared, dep] = &import.components[..] else {
            panic!("four packages expected");
        };
        assert_eq!(image.supplier.as_deref(), Some("Acme Medical"));
        assert_eq!(image.kind, ComponentType::Firmware);
        assert_eq!(
            rtos.supplier.as_deref(),
            Some("Amazon Web Services"),
            "originator fallback"
        );
        assert_eq!(
            rtos.purl.as_deref(),
            Some("pkg:github/freertos/freertos-kernel@10.5.1")
        );
        assert!(rtos.cpe.as_deref().unwrap().starts_with("cpe:2.3:o:amazon"));
        assert_eq!(rtos.hashes[0].alg, HashAlg::Sha256);
        assert_eq!(rtos.hashes[0].value, "a".repeat(64));
        assert_eq!(rtos.end_of_support.unwrap().year(), 2026);
        assert_eq!(rtos.sbom_ref.as_deref(), Some("SPDXRef-rtos"));
        assert_eq!(image.parent, None);
        assert_eq!(rtos.parent, Some(0));
        assert_eq!(shared.parent, None, "two containers: no single parent");
        assert_eq!(dep.parent, Some(1), "one dependent and no container");
    }

    #[test]
    fn broken_input_names_the_path() {
        let path = |json: &str| match parse(json.as_bytes(), "x") {
            Err(DeviceError::Sbom { path, .. }) => path,
            other => panic!("{other:?}"),
        };
        assert_eq!(path(r#"{"spdxVersion":"SPDX-3.0"}"#), "spdxVersion");
        assert_eq!(
            path(r#"{"spdxVersion":"SPDX-2.3","packages":{}}"#),
            "packages"
        );
        assert_eq!(
            path(r#"{"spdxVersion":"SPDX-2.3","packages":[{"name":"a"}]}"#),
            "packages[0].SPDXID"
        );
        assert_eq!(
            path(
                r#"{"spdxVersion":"SPDX-2.3","packages":[{"name":"a","SPDXID":"x","checksums":[{"algorithm":"CRC","checksumValue":"00"}]}]}"#
            ),
            "packages[0].checksums[0].algorithm"
        );
        assert_eq!(
            path(
                r#"{"spdxVersion":"SPDX-2.3","packages":[{"name":"a","SPDXID":"x","validUntilDate":"someday"}]}"#
            ),
            "packages[0].validUntilDate"
        );
    }

    // Regression (issue 12 #9): 1,000 packages sharing one SPDXID were accepted.
    #[test]
    fn a_repeated_spdxid_is_refused() {
        let packages: Vec<String> = (0..1000)
            .map(|i| format!(r#"{{"SPDXID":"SPDXRef-same","name":"p{i}"}}"#))
            .collect();
        let json = format!(
            r#"{{"spdxVersion":"SPDX-2.3","packages":[{}]}}"#,
            packages.join(",")
        );
        match parse(json.as_bytes(), "x") {
            Err(DeviceError::Sbom { path, reason, .. }) => {
                assert_eq!(path, "packages[1].SPDXID");
                assert_eq!(reason, "`SPDXRef-same` is also the SPDXID of packages[0]");
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn relationship_count_is_limited() {
        let rel = r#"{"spdxElementId":"a","relationshipType":"CONTAINS","relatedSpdxElement":"b"}"#;
        let json = format!(
            r#"{{"spdxVersion":"SPDX-2.3","packages":[],"relationships":[{}]}}"#,
            [rel; 3].join(",")
        );
        let limits = Limits {
            max_relationships: 2,
            ..Limits::default()
        };
        assert_eq!(
            parse_with(json.as_bytes(), "x", &limits)
                .unwrap_err()
                .to_string(),
            "x: 3 relationships, over the limit `[device.limits] max_relationships = 2`"
        );
    }

    #[test]
    fn agents() {
        assert_eq!(
            agent(Some("Person: Jane Doe (jane@x.org)")).as_deref(),
            Some("Jane Doe")
        );
        assert_eq!(
            agent(Some("Organization: ACME (Europe)")).as_deref(),
            Some("ACME (Europe)")
        );
        assert_eq!(
            agent(Some("Organization: ACME ()")).as_deref(),
            Some("ACME")
        );
        assert_eq!(agent(Some("NOASSERTION")), None);
    }
}
