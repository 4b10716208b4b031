//! CycloneDX JSON import, spec versions 1.2 to 1.6 (and later 1.x, which only add fields).
//!
//! What is read (CycloneDX 1.6 JSON schema names):
//!
//! | CycloneDX | row / document |
//! |---|---|
//! | `bomFormat` | must be `"CycloneDX"` |
//! | `specVersion` | [`SbomDocument::spec_version`](super::model::SbomDocument::spec_version); must be `1.2` or later 1.x |
//! | `serialNumber` | [`SbomDocument::serial`](super::model::SbomDocument::serial) |
//! | `metadata.timestamp` | [`SbomDocument::created`](super::model::SbomDocument::created) |
//! | `metadata.component` | the first row, top level (the document's subject, usually the device's firmware or application image); its name and version also [`SbomDocument::subject`](super::model::SbomDocument::subject) |
//! | `components[]`, nested `components[]` | one row each, in document order; nesting sets the parent |
//! | `name` (required), `group`, `version`, `type` | name, group, version verbatim, type |
//! | `supplier.name`, else `manufacturer.name` (1.6), else `publisher` | supplier |
//! | `purl`, `cpe`, `bom-ref` | purl, CPE, SBOM reference |
//! | `hashes[].alg`, `hashes[].content` | hashes (all kept) |
//! | `properties[]` named in [`END_OF_SUPPORT_PROPERTIES`] | end-of-support date |
//! | `properties[]` named in [`SUPPORT_LEVEL_PROPERTIES`] | support status |
//!
//! Unknown members are ignored: SBOM generators add their own. A document is refused when it is
//! not JSON, not CycloneDX, when `components` is not an array, a component has no `name`, a
//! known member has the wrong JSON type, a hash algorithm is not in the CycloneDX list or its
//! value is not hex of the right length, or a lifecycle date does not parse. An unknown `type`
//! is kept as [`ComponentType::Other`] (a later spec may add types).

use alloc::format;
use alloc::string::ToString;
use alloc::vec::Vec;

use super::DeviceError;
use super::json::{self, Ctx, HashFields, Object, import, item, join, non_empty};
use super::limits::Limits;
use super::model::{ComponentType, SbomComponent, SbomFormat, SbomImport, SupportStatus};

/// Component property names read as the end-of-support date, highest priority first:
/// the CycloneDX property taxonomy's `cdx:lifecycle` milestone, its `cdx:fda` namespace (the FDA
/// premarket guidance §V.A.4(b) element), and the `cle:eos` key some generators emit after the
/// ECMA-428 Common Lifecycle Enumeration.
pub const END_OF_SUPPORT_PROPERTIES: &[&str] = &[
    "cdx:lifecycle:milestone:endOfSupport",
    "cdx:fda:end-of-support-date",
    "cle:eos",
];

/// Component property names read as the level of support, highest priority first. Values are
/// the FDA guidance phrases or SPDX 3 `SupportType` names ([`SupportStatus::parse`]); other free
/// text leaves the status `noAssertion`.
pub const SUPPORT_LEVEL_PROPERTIES: &[&str] = &["cdx:fda:level-of-support", "cle:supportLevel"];

/// `hashes[]` with `alg` and `content` (CycloneDX 1.6 `hash-alg`).
const HASHES: HashFields = HashFields {
    array: "hashes",
    alg: "alg",
    value: "content",
    list: "a CycloneDX hash algorithm",
};

/// Reads a CycloneDX JSON SBOM under the default [`Limits`]. `location` names the file in errors
/// and in the document record.
pub fn parse(bytes: &[u8], location: &str) -> Result<SbomImport, DeviceError> {
    parse_with(bytes, location, &Limits::default())
}

/// Reads a CycloneDX JSON SBOM under `limits`.
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
    match ctx.str(root, "bomFormat", "")? {
        Some("CycloneDX") => {}
        Some(other) => return Err(ctx.err("bomFormat", format!("`{other}` is not CycloneDX"))),
        None => return Err(ctx.err("bomFormat", "required field is missing")),
    }
    let spec_version = ctx.required_str(root, "specVersion", "")?;
    if !supported_spec(spec_version) {
        return Err(ctx.err(
            "specVersion",
            format!("CycloneDX {spec_version} is not supported (JSON SBOMs are 1.2 and later 1.x)"),
        ));
    }
    let format = SbomFormat::CycloneDx;
    let mut document = ctx.document(bytes, root, format, spec_version, "serialNumber")?;
    document.version = bom_version(ctx, root)?;
    let mut components = Vec::new();
    if let Some(meta) = root.get("metadata").filter(|v| !v.is_null()) {
        let meta = ctx.object(meta, "metadata")?;
        document.created = ctx.date(meta, "timestamp", "metadata")?;
        // The subject is software the device runs (its firmware or application image, whose
        // version advisories name), so it is a row like any other, first and top level; its
        // own nested components are its children. Listed again in `components`, it merges into
        // this row (same identity key and version).
        if let Some(c) = meta.get("component").filter(|v| !v.is_null()) {
            let path = "metadata.component";
            let obj = ctx.object(c, path)?;
            let subject = component(ctx, obj, path, None)?;
            count(ctx, &components)?;
            document.subject = Some((subject.name.clone(), subject.version.clone()));
            components.push(subject);
            walk(ctx, obj, path, Some(0), 2, &mut components)?;
        }
    }
    walk(ctx, root, "", None, 1, &mut components)?;
    Ok(import(document, components))
}

/// Reads a CycloneDX JSON SBOM from a file under `limits`.
pub fn load(path: &std::path::Path, limits: &Limits) -> Result<SbomImport, DeviceError> {
    super::source::read_with(
        path,
        limits.max_file_bytes,
        "max_file_bytes",
        |bytes, location| parse_with(bytes, location, limits),
    )
}

/// The document's `version` (an integer, 1 or more in CycloneDX 1.2 to 1.6), 1 when absent.
fn bom_version(ctx: &Ctx<'_>, root: &Object) -> Result<u32, DeviceError> {
    match root.get("version") {
        None | Some(serde_json::Value::Null) => Ok(1),
        Some(v) => v
            .as_u64()
            .and_then(|n| u32::try_from(n).ok())
            .ok_or_else(|| ctx.err("version", format!("expected an integer, found {v}"))),
    }
}

fn supported_spec(v: &str) -> bool {
    match v.split_once('.') {
        Some(("1", minor)) => minor.parse::<u32>().is_ok_and(|m| m >= 2),
        _ => false,
    }
}

// Pre-order walk of `parent_obj.components`, so rows keep document order and a parent always
// precedes its children. `level` is the nesting of these components (1 at the top), bounded by
// `[device.limits] max_nesting`; the recursion is bounded by it too.
fn walk(
    ctx: &Ctx<'_>,
    parent_obj: &Object,
    path: &str,
    parent: Option<usize>,
    level: usize,
    out: &mut Vec<SbomComponent>,
) -> Result<(), DeviceError> {
    let list = ctx.array(parent_obj, "components", path)?;
    if list.is_empty() {
        return Ok(());
    }
    if level > ctx.limits.max_nesting {
        return Err(ctx.err(
            &join(path, "components"),
            format!(
                "components nest {level} levels deep, over the limit `[device.limits] max_nesting = {}`",
                ctx.limits.max_nesting
            ),
        ));
    }
    for (i, v) in list.iter().enumerate() {
        let here = item(path, "components", i);
        let obj = ctx.object(v, &here)?;
        let component = component(ctx, obj, &here, parent)?;
        count(ctx, out)?;
        let position = out.len();
        out.push(component);
        walk(ctx, obj, &here, Some(position), level + 1, out)?;
    }
    Ok(())
}

// Refuses one more component beyond `[device.limits] max_components`.
fn count(ctx: &Ctx<'_>, so_far: &[SbomComponent]) -> Result<(), DeviceError> {
    let max = ctx.limits.max_components;
    if so_far.len() >= max {
        return Err(ctx.over(format!("more than {max} components"), "max_components", max));
    }
    Ok(())
}

fn component(
    ctx: &Ctx<'_>,
    obj: &Object,
    path: &str,
    parent: Option<usize>,
) -> Result<SbomComponent, DeviceError> {
    let name = ctx.required_str(obj, "name", path)?;
    if name.trim().is_empty() {
        return Err(ctx.err(&join(path, "name"), "component name is empty"));
    }
    let kind = ctx
        .str(obj, "type", path)?
        .map_or(ComponentType::Other, ComponentType::from_cyclonedx);
    let mut supplier = None;
    for key in ["supplier", "manufacturer"] {
        if supplier.is_none()
            && let Some(v) = obj.get(key).filter(|v| !v.is_null())
        {
            let entity = ctx.object(v, &join(path, key))?;
            supplier = non_empty(ctx.str(entity, "name", &join(path, key))?);
        }
    }
    if supplier.is_none() {
        supplier = non_empty(ctx.str(obj, "publisher", path)?);
    }
    let hashes = ctx.hashes(obj, path, &HASHES)?;
    let (support, end_of_support) = lifecycle(ctx, obj, path)?;
    Ok(SbomComponent {
        name: name.trim().to_string(),
        group: non_empty(ctx.str(obj, "group", path)?),
        version: ctx.str(obj, "version", path)?.unwrap_or("").to_string(),
        supplier,
        kind,
        purl: non_empty(ctx.str(obj, "purl", path)?),
        cpe: non_empty(ctx.str(obj, "cpe", path)?),
        hashes,
        install_date: None,
        support,
        end_of_support,
        sbom_ref: non_empty(ctx.str(obj, "bom-ref", path)?),
        parent,
    })
}

// Support level and end of support from `properties`, by the priority of the name lists.
fn lifecycle(
    ctx: &Ctx<'_>,
    obj: &Object,
    path: &str,
) -> Result<(SupportStatus, Option<super::Timestamp>), DeviceError> {
    let mut eos: Option<(usize, super::Timestamp)> = None;
    let mut support: Option<(usize, SupportStatus)> = None;
    for (i, p) in ctx.array(obj, "properties", path)?.iter().enumerate() {
        let here = item(path, "properties", i);
        let p = ctx.object(p, &here)?;
        let Some(name) = ctx.str(p, "name", &here)? else {
            continue;
        };
        if let Some(rank) = END_OF_SUPPORT_PROPERTIES.iter().position(|n| *n == name) {
            let value = ctx.required_str(p, "value", &here)?;
            let date = ctx.parse_date(value, &join(&here, "value"))?;
            if eos.is_none_or(|(r, _)| rank < r) {
                eos = Some((rank, date));
            }
        } else if let Some(rank) = SUPPORT_LEVEL_PROPERTIES.iter().position(|n| *n == name) {
            let status = ctx
                .str(p, "value", &here)?
                .and_then(SupportStatus::parse)
                .unwrap_or(SupportStatus::NoAssertion);
            if support.is_none_or(|(r, _)| rank < r) {
                support = Some((rank, status));
            }
        }
    }
    Ok((
        support.map_or(SupportStatus::NoAssertion, |(_, s)| s),
        eos.map(|(_, d)| d),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::index::IndexMap;
    use crate::device::inventory::combine;

    fn err_path(json: &str) -> String {
        match parse(json.as_bytes(), "t.cdx.json") {
            Err(DeviceError::Sbom { path, .. }) => path,
            other => panic!("expected an SBOM error, got {other:?}"),
        }
    }

    #[test]
    fn nested_components_become_parent_links() {
        let json = r#"{"bomFormat":"CycloneDX","specVersion":"1.4","serialNumber":"urn:uuid:1",
          "metadata":{"timestamp":"2024-03-14T09:00:00Z","component":{"type":"device","name":"Pump","version":"4"}},
          "components":[
            {"type":"application","name":"app","version":"1","unknownField":{"x":1},
             "components":[{"type":"library","name":"inner","version":"2",
                            "components":[{"type":"library","name":"deep"}]}]},
            {"type":"quantum-thing","name":"other","version":"3"}]}"#;
        let import = parse(json.as_bytes(), "t.cdx.json").unwrap();
        let names: Vec<_> = import.components.iter().map(|c| c.name.as_str()).collect();
        assert_eq!(names, ["Pump", "app", "inner", "deep", "other"]);
        let parents: Vec<_> = import.components.iter().map(|c| c.parent).collect();
        assert_eq!(parents, [None, None, Some(1), Some(2), None]);
        assert_eq!(import.components[0].kind, ComponentType::Device);
        assert_eq!(import.components[4].kind, ComponentType::Other);
        assert_eq!(
            import.components[3].version, "",
            "1.6 allows a component without version"
        );
        assert_eq!(import.document.components, 5, "the subject counts");
        assert_eq!(import.document.subject, Some(("Pump".into(), "4".into())));
        assert_eq!(import.document.serial.as_deref(), Some("urn:uuid:1"));
        assert_eq!(import.document.created.unwrap().hour(), 9);
    }

    // The subject is a row with everything a component carries; its own nested components are
    // its children; without metadata there is no subject row.
    #[test]
    fn metadata_component_is_the_first_row() {
        let json = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"component":
          {"type":"firmware","name":"pump-fw","version":"4.2.1","bom-ref":"fw",
           "cpe":"cpe:2.3:o:acme:pump_firmware:4.2.1:*:*:*:*:*:*:*",
           "components":[{"type":"library","name":"boot","version":"1"}]}},
          "components":[{"type":"library","name":"zlib","version":"1.3.1"}]}"#;
        let import = parse(json.as_bytes(), "t").unwrap();
        let fw = &import.components[0];
        assert_eq!(
            (fw.name.as_str(), fw.kind),
            ("pump-fw", ComponentType::Firmware)
        );
        assert_eq!(
            fw.cpe.as_deref(),
            Some("cpe:2.3:o:acme:pump_firmware:4.2.1:*:*:*:*:*:*:*")
        );
        assert_eq!((fw.sbom_ref.as_deref(), fw.parent), (Some("fw"), None));
        let parents: Vec<_> = import
            .components
            .iter()
            .map(|c| (c.name.as_str(), c.parent))
            .collect();
        assert_eq!(
            parents,
            [("pump-fw", None), ("boot", Some(0)), ("zlib", None)]
        );
        assert_eq!(
            import.document.subject,
            Some(("pump-fw".into(), "4.2.1".into()))
        );

        // Listed again among the components, the subject is still one row.
        let twice = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"component":
          {"type":"firmware","name":"pump-fw","version":"4.2.1"}},
          "components":[{"type":"firmware","name":"pump-fw","version":"4.2.1","bom-ref":"fw"}]}"#;
        let import = parse(twice.as_bytes(), "t").unwrap();
        let rows = combine(&[import], &mut IndexMap::new(), None).unwrap();
        assert_eq!(rows.len(), 1);
        assert_eq!(
            rows[0].sbom_ref.as_deref(),
            None,
            "the first occurrence makes the row"
        );

        let bare = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"timestamp":"2024-01-01"},
          "components":[{"name":"zlib"}]}"#;
        let import = parse(bare.as_bytes(), "t").unwrap();
        assert_eq!(
            (import.components.len(), import.document.subject),
            (1, None)
        );
        assert_eq!(
            err_path(
                r#"{"bomFormat":"CycloneDX","specVersion":"1.5","metadata":{"component":{"version":"1"}}}"#
            ),
            "metadata.component.name"
        );
    }

    // Regression (issue 12 #9): a repeated member was accepted, the last one winning, so the
    // agent served an inventory other readers of the same file do not see.
    #[test]
    fn repeated_members_are_refused() {
        let json = r#"{"bomFormat":"CycloneDX","specVersion":"1.5",
          "components":[{"name":"a"}],"components":[{"name":"b"}]}"#;
        match parse(json.as_bytes(), "t") {
            Err(DeviceError::Sbom { path, reason, .. }) => {
                assert_eq!(path, "components");
                assert!(reason.starts_with("the name appears twice"), "{reason}");
            }
            other => panic!("{other:?}"),
        }
        let inner = r#"{"bomFormat":"CycloneDX","specVersion":"1.5",
          "components":[{"name":"a","version":"1","version":"2"}]}"#;
        assert_eq!(err_path(inner), "components[0].version");
    }

    // Regression (issue 12 #9): NUL and other control characters were served verbatim.
    #[test]
    fn control_characters_in_read_strings_are_refused() {
        for (field, value) in [
            ("name", r"a\u0000b"),
            ("version", r"1\u001b[31m"),
            ("purl", r"pkg:npm/a@1\n"),
            ("group", r"\u0085x"),
        ] {
            let json = format!(
                r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{{"name":"n","{field}":"{value}"}}]}}"#
            );
            let json = json.replacen(r#""name":"n","name""#, r#""name""#, 1);
            match parse(json.as_bytes(), "t") {
                Err(DeviceError::Sbom { path, reason, .. }) => {
                    assert_eq!(path, format!("components[0].{field}"), "{json} {reason}");
                    assert!(reason.starts_with("control character U+"), "{reason}");
                }
                other => panic!("{field}: {json}: {other:?}"),
            }
        }
        // Text the agent does not read may hold line breaks (descriptions, licences).
        let fine = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{"name":"n","description":"two\nlines"}]}"#;
        assert!(parse(fine.as_bytes(), "t").is_ok());
        let long = format!(
            r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{{"name":"{}"}}]}}"#,
            "x".repeat(5000)
        );
        match parse(long.as_bytes(), "t") {
            Err(DeviceError::Sbom { reason, .. }) => assert_eq!(
                reason,
                "5000 bytes, over the limit `[device.limits] max_string_bytes = 4096`"
            ),
            other => panic!("{other:?}"),
        }
    }

    fn nested(levels: usize) -> String {
        let mut json = String::from(r#"{"name":"leaf"}"#);
        for _ in 1..levels {
            json = format!(r#"{{"name":"n","components":[{json}]}}"#);
        }
        format!(r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","components":[{json}]}}"#)
    }

    // Regression (issue 12 #10): the nesting limit was serde_json's 128 JSON levels, 63 levels
    // of components, while the code said 128. It is now `max_nesting`, with the path.
    #[test]
    fn component_nesting_is_limited_as_documented() {
        let limits = Limits::default();
        let ok = parse(nested(limits.max_nesting).as_bytes(), "t").unwrap();
        assert_eq!(ok.components.len(), limits.max_nesting);
        let path = err_path(&nested(limits.max_nesting + 1));
        assert_eq!(
            path,
            format!("{}components", "components[0].".repeat(limits.max_nesting))
        );
        let most = Limits {
            max_nesting: crate::device::limits::MAX_NESTING_CEILING,
            ..Limits::default()
        };
        let deepest = nested(most.max_nesting);
        assert_eq!(
            parse_with(deepest.as_bytes(), "t", &most)
                .unwrap()
                .components
                .len(),
            most.max_nesting,
            "the highest max_nesting is reachable"
        );
    }

    #[test]
    fn lifecycle_properties_by_priority() {
        let json = r#"{"bomFormat":"CycloneDX","specVersion":"1.6","components":[
          {"type":"library","name":"a","properties":[
            {"name":"cle:eos","value":"2030-01-01"},
            {"name":"cdx:lifecycle:milestone:endOfSupport","value":"2027-06-30"},
            {"name":"cdx:fda:level-of-support","value":"actively maintained"},
            {"name":"something:else","value":"ignored"}]},
          {"type":"library","name":"b","properties":[{"name":"cdx:fda:level-of-support","value":"we try"}]}]}"#;
        let import = parse(json.as_bytes(), "t").unwrap();
        let a = &import.components[0];
        assert_eq!(a.end_of_support, Timestamp::parse("2027-06-30"));
        assert_eq!(a.support, SupportStatus::Support);
        assert_eq!(import.components[1].support, SupportStatus::NoAssertion);
    }

    use super::super::Timestamp;

    #[test]
    fn broken_input_names_the_path() {
        assert_eq!(err_path("not json"), "$");
        assert_eq!(
            err_path(r#"{"bomFormat":"SPDX","specVersion":"1.5"}"#),
            "bomFormat"
        );
        assert_eq!(
            err_path(r#"{"bomFormat":"CycloneDX","specVersion":"1.1"}"#),
            "specVersion"
        );
        let base = r#"{"bomFormat":"CycloneDX","specVersion":"1.5","components":"#;
        assert_eq!(err_path(&format!("{base}{{}}}}")), "components");
        assert_eq!(
            err_path(&format!(r#"{base}[{{"name":"a"}},{{"version":"1"}}]}}"#)),
            "components[1].name"
        );
        assert_eq!(
            err_path(&format!(
                r#"{base}[{{"name":"a","components":[{{"name":"b","hashes":[{{"alg":"CRC32","content":"00"}}]}}]}}]}}"#
            )),
            "components[0].components[0].hashes[0].alg"
        );
        assert_eq!(
            err_path(&format!(
                r#"{base}[{{"name":"a","hashes":[{{"alg":"SHA-256","content":"abc"}}]}}]}}"#
            )),
            "components[0].hashes[0].content"
        );
        assert_eq!(
            err_path(&format!(
                r#"{base}[{{"name":"a","properties":[{{"name":"cdx:fda:end-of-support-date","value":"soon"}}]}}]}}"#
            )),
            "components[0].properties[0].value"
        );
        assert_eq!(
            err_path(&format!(r#"{base}[{{"name":5}}]}}"#)),
            "components[0].name"
        );
    }
}
