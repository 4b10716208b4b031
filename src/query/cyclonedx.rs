//! `inventory --cyclonedx OUTDIR`: one CycloneDX 1.6 JSON document per device, rebuilt from
//! what the device serves, for Dependency-Track, `grype sbom:` or the agent's own importer.
//!
//! | CycloneDX 1.6 | from |
//! |---|---|
//! | `serialNumber` | a name-based UUID (RFC 9562 version 5) of the engine ID, address and time |
//! | `metadata.timestamp` | when the device was asked (UTC) |
//! | `metadata.tools.components[]` | `dqi-query` and its version |
//! | `metadata.component` (`type` `device`, `bom-ref` `device`) | the target's name, `sysName` as `description`'s first part with `sysDescr`; `properties[]` `dqi:address`, `dqi:engineId`, `dqi:method` |
//! | `components[]`, nested under their parent (`dqiSwParent`) | one per `dqiSwTable` row (or `hrSWInstalledTable` row: name and version only) |
//! | `type` | `dqiSwType` (CycloneDX order); `library` when not served |
//! | `bom-ref` | `dqi-sw-<dqiSwIndex>` |
//! | `name`, `version`, `purl`, `cpe`, `supplier.name` | the row's columns; empty ones left out |
//! | `hashes[]` | `dqiSwHashAlgorithm` (CycloneDX `alg` spelling) and `dqiSwHashValue` |
//! | `properties[]` `cdx:lifecycle:milestone:endOfSupport`, `cdx:fda:level-of-support` | `dqiSwEndOfSupport` (when known), `dqiSwSupportStatus` (when stated) |
//! | `properties[]` `dqi:swIndex` | the row's index on the device |
//! | `vulnerabilities[]`, one per statement (rows alike but for their component share one) | `dqiVexTable` |
//! | `id` | `dqiVexVulnId` |
//! | `analysis.state` | `dqiVexState`: notAffected `not_affected`, affected `exploitable`, fixed `resolved`, underInvestigation `in_triage` |
//! | `analysis.justification` | `dqiVexJustification` in CycloneDX words (`code_not_present`, `code_not_reachable`, `requires_*`, `protected_*`); the three CISA words CycloneDX lacks (`component_not_present`, `vulnerable_code_cannot_be_controlled_by_adversary`, `inline_mitigations_already_exist`) in `properties[]` `dqi:vexJustification` instead |
//! | `analysis.response[]`, `recommendation` | `dqiVexAction`: its leading CycloneDX response words (`update, workaround_available: ...`), then the rest |
//! | `analysis.detail` | `dqiVexDetail` |
//! | `analysis.lastUpdated`, `updated` | `dqiVexUpdated` (when served) |
//! | `affects[].ref` | the component's `bom-ref` (`dqi-sw-<dqiSwIndex>`); for a statement about something the SBOM does not hold (index above 2147483647), `dqiVexSubject`; none for the product as a whole (index 0) |
//!
//! The property names are those the agent reads back (`device::cyclonedx`,
//! `device::vex::cyclonedx`), so an exported document imports into the agent with the same
//! rows: the same components, and the same VEX rows but for `dqiVexSource` (the export's
//! serial number) and `dqiVexSubject` (the export's `bom-ref`s).

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha1::{Digest, Sha1};

use super::inventory::{Component, Method};
use super::lookup::Vex;
use super::run::{Answer, DeviceResult};
use crate::device::Timestamp;
use crate::device::software::{ComponentType, HashAlg, SupportStatus};

/// The CycloneDX types in `dqiSwType` order (1 to 13; 100 is `other`).
const TYPES: [ComponentType; 13] = [
    ComponentType::Application,
    ComponentType::Framework,
    ComponentType::Library,
    ComponentType::Container,
    ComponentType::Platform,
    ComponentType::OperatingSystem,
    ComponentType::Device,
    ComponentType::DeviceDriver,
    ComponentType::Firmware,
    ComponentType::File,
    ComponentType::MachineLearningModel,
    ComponentType::Data,
    ComponentType::CryptographicAsset,
];

/// `dqiSwSupportStatus` values 1 to 6 (7 is noAssertion: nothing stated).
const SUPPORT: [SupportStatus; 6] = [
    SupportStatus::Development,
    SupportStatus::Support,
    SupportStatus::Deployed,
    SupportStatus::LimitedSupport,
    SupportStatus::EndOfSupport,
    SupportStatus::NoSupport,
];

/// RFC 9562 namespace for URLs, the name space of the serial numbers.
const NAMESPACE_URL: [u8; 16] = [
    0x6b, 0xa7, 0xb8, 0x11, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8,
];

/// The file name for `target`: its name with every character outside `A-Z a-z 0-9 . _ -`
/// replaced by `_` (a leading dot too), then `.cdx.json`.
pub fn file_name(target: &str) -> String {
    let mut name: String = target
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-') {
                c
            } else {
                '_'
            }
        })
        .collect();
    if name.is_empty() || name.starts_with('.') {
        name.insert(0, '_');
    }
    name.push_str(".cdx.json");
    name
}

/// An RFC 9562 version 5 UUID of `name` in the URL name space, as a `urn:uuid:`.
fn serial(name: &str) -> String {
    let mut h = Sha1::new();
    h.update(NAMESPACE_URL);
    h.update(name.as_bytes());
    let digest = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&digest[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "urn:uuid:{}-{}-{}-{}-{}",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

/// `2026-12-05T11:50:00Z`.
pub fn iso(t: &Timestamp) -> String {
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        t.year(),
        t.month(),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    )
}

fn component_type(sw_type: i64) -> &'static str {
    match sw_type {
        0 => ComponentType::Library.as_str(),
        n => usize::try_from(n - 1)
            .ok()
            .and_then(|i| TYPES.get(i))
            .copied()
            .unwrap_or(ComponentType::Other)
            .as_str(),
    }
}

fn property(name: &str, value: &str) -> Value {
    json!({ "name": name, "value": value })
}

fn component(c: &Component) -> Value {
    let mut o = serde_json::Map::new();
    o.insert("type".into(), component_type(c.sw_type).into());
    o.insert("bom-ref".into(), format!("dqi-sw-{}", c.index).into());
    if !c.supplier.is_empty() {
        o.insert("supplier".into(), json!({ "name": c.supplier }));
    }
    o.insert("name".into(), c.name.clone().into());
    for (key, text) in [("version", &c.version), ("purl", &c.purl), ("cpe", &c.cpe)] {
        if !text.is_empty() {
            o.insert(key.into(), text.clone().into());
        }
    }
    if let Some((alg, hex)) = c.hash.split_once(':')
        && let Some(alg) = HashAlg::parse(alg)
        && !hex.is_empty()
    {
        o.insert(
            "hashes".into(),
            json!([{ "alg": alg.as_str(), "content": hex.to_ascii_lowercase() }]),
        );
    }
    let mut properties = vec![property("dqi:swIndex", &c.index.to_string())];
    if !c.end_of_support.is_empty() {
        properties.push(property(
            "cdx:lifecycle:milestone:endOfSupport",
            &c.end_of_support,
        ));
    }
    if let Some(level) = usize::try_from(c.support - 1)
        .ok()
        .and_then(|i| SUPPORT.get(i))
    {
        properties.push(property("cdx:fda:level-of-support", level.as_str()));
    }
    o.insert("properties".into(), properties.into());
    Value::Object(o)
}

/// The components nested under their parents: a row whose parent is not served (or is itself,
/// or would close a loop) is at the top level.
fn nested(components: &[(Component, Method)]) -> Vec<Value> {
    let by_index: BTreeMap<u32, &Component> =
        components.iter().map(|(c, _)| (c.index, c)).collect();
    let mut children: BTreeMap<u32, Vec<&Component>> = BTreeMap::new();
    let mut top = Vec::new();
    for (c, _) in components {
        if c.parent != 0 && c.parent != c.index && by_index.contains_key(&c.parent) {
            children.entry(c.parent).or_default().push(c);
        } else {
            top.push(c);
        }
    }
    // Each component is emitted once, from the top: a loop among parents leaves its members
    // unreached, and they are added at the top level.
    let mut emitted = BTreeSet::new();
    let mut out: Vec<Value> = top
        .iter()
        .map(|c| subtree(c, &children, &mut emitted))
        .collect();
    for (c, _) in components {
        if !emitted.contains(&c.index) {
            let mut loose = (*c).clone();
            loose.parent = 0;
            out.push(subtree(&loose, &children, &mut emitted));
        }
    }
    out
}

fn subtree(
    c: &Component,
    children: &BTreeMap<u32, Vec<&Component>>,
    emitted: &mut BTreeSet<u32>,
) -> Value {
    emitted.insert(c.index);
    let mut value = component(c);
    let mut kids = Vec::new();
    for k in children.get(&c.index).into_iter().flatten() {
        if !emitted.contains(&k.index) {
            kids.push(subtree(k, children, emitted));
        }
    }
    if !kids.is_empty()
        && let Value::Object(o) = &mut value
    {
        o.insert("components".into(), kids.into());
    }
    value
}

/// CycloneDX `analysis.response` values (1.6).
const RESPONSES: [&str; 5] = [
    "can_not_fix",
    "will_not_fix",
    "update",
    "rollback",
    "workaround_available",
];

/// `dqiVexState` (in dqi-query's words) as a CycloneDX `analysis.state`.
fn analysis_state(state: &str) -> &'static str {
    match state {
        "not_affected" => "not_affected",
        "affected" => "exploitable",
        "fixed" => "resolved",
        _ => "in_triage",
    }
}

/// `dqiVexJustification` as a CycloneDX `analysis.justification`; None for the CISA words
/// CycloneDX has no value for.
fn analysis_justification(justification: &str) -> Option<&str> {
    match justification {
        "vulnerable_code_not_present" => Some("code_not_present"),
        "vulnerable_code_not_in_execute_path" => Some("code_not_reachable"),
        "requires_configuration"
        | "requires_dependency"
        | "requires_environment"
        | "protected_by_compiler"
        | "protected_at_runtime"
        | "protected_at_perimeter"
        | "protected_by_mitigating_control" => Some(justification),
        _ => None,
    }
}

/// `dqiVexAction` split as the agent joined it: leading response words (before `: `, or the
/// whole text), then the recommendation.
fn split_action(action: &str) -> (Vec<&str>, &str) {
    let (head, rest) = action.split_once(": ").unwrap_or((action, ""));
    let words: Vec<&str> = head.split(", ").collect();
    if !head.is_empty() && words.iter().all(|w| RESPONSES.contains(w)) {
        (words, rest)
    } else {
        (Vec::new(), action)
    }
}

/// The `vulnerabilities` of the device's VEX rows: statements alike but for their component
/// share one entry, in the order of the rows.
fn vulnerabilities(vex: &[Vex]) -> Vec<Value> {
    let mut groups: Vec<(&Vex, Vec<String>)> = Vec::new();
    for v in vex {
        let subject = match v.index {
            0 => None,
            i if i > 0x7fff_ffff => Some(v.subject.clone()).filter(|s| !s.is_empty()),
            i => Some(format!("dqi-sw-{i}")),
        };
        let alike = |g: &&mut (&Vex, Vec<String>)| {
            let w = g.0;
            (w.id.as_str(), &w.state, &w.justification, &w.action)
                == (v.id.as_str(), &v.state, &v.justification, &v.action)
                && (&w.updated, &w.detail) == (&v.updated, &v.detail)
                && (w.index == 0) == subject.is_none()
        };
        match (groups.iter_mut().find(alike), subject) {
            (Some(g), Some(s)) => g.1.push(s),
            (_, subject) => groups.push((v, subject.into_iter().collect())),
        }
    }
    groups
        .into_iter()
        .map(|(v, refs)| {
            let mut analysis = serde_json::Map::new();
            analysis.insert("state".into(), analysis_state(&v.state).into());
            if let Some(j) = analysis_justification(&v.justification) {
                analysis.insert("justification".into(), j.into());
            }
            let (responses, recommendation) = split_action(&v.action);
            if !responses.is_empty() {
                analysis.insert("response".into(), responses.into());
            }
            if !v.detail.is_empty() {
                analysis.insert("detail".into(), v.detail.clone().into());
            }
            if !v.updated.is_empty() {
                analysis.insert("lastUpdated".into(), v.updated.clone().into());
            }
            let mut o = serde_json::Map::new();
            o.insert("id".into(), v.id.clone().into());
            if !v.updated.is_empty() {
                o.insert("updated".into(), v.updated.clone().into());
            }
            if !recommendation.is_empty() {
                o.insert("recommendation".into(), recommendation.into());
            }
            o.insert("analysis".into(), Value::Object(analysis));
            if !refs.is_empty() {
                let affects: Vec<Value> = refs.iter().map(|r| json!({ "ref": r })).collect();
                o.insert("affects".into(), affects.into());
            }
            if !v.justification.is_empty() && analysis_justification(&v.justification).is_none() {
                o.insert(
                    "properties".into(),
                    json!([property("dqi:vexJustification", &v.justification)]),
                );
            }
            Value::Object(o)
        })
        .collect()
}

/// The CycloneDX 1.6 document of one device's answer, asked at `asked`.
pub fn document(d: &DeviceResult, answer: &Answer, asked: &Timestamp) -> Value {
    let method = answer
        .components
        .first()
        .map_or("", |(_, m)| m.name())
        .to_string();
    let mut description = answer.sys_name.clone();
    if !answer.sys_descr.is_empty() {
        if !description.is_empty() {
            description.push_str(": ");
        }
        description.push_str(&answer.sys_descr);
    }
    let mut device = serde_json::Map::new();
    device.insert("type".into(), "device".into());
    device.insert("bom-ref".into(), "device".into());
    device.insert("name".into(), d.target.clone().into());
    if !description.is_empty() {
        device.insert("description".into(), description.into());
    }
    device.insert(
        "properties".into(),
        json!([
            property("dqi:address", &d.address.to_string()),
            property("dqi:engineId", &d.engine_id),
            property("dqi:method", &method),
        ]),
    );
    let time = iso(asked);
    let mut doc = json!({
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": serial(&format!("dqi-query:{}:{}:{time}", d.engine_id, d.address)),
        "version": 1,
        "metadata": {
            "timestamp": time,
            "tools": { "components": [ {
                "type": "application",
                "name": "dqi-query",
                "version": env!("CARGO_PKG_VERSION"),
            } ] },
            "component": Value::Object(device),
        },
        "components": nested(&answer.components),
    });
    if !answer.vex.is_empty() {
        doc["vulnerabilities"] = vulnerabilities(&answer.vex).into();
    }
    doc
}

/// Writes one document per answered device into `dir` (created if missing); the paths
/// written, in target order. A name two targets share after sanitising gets `-2`, `-3`...
pub fn write_all(
    dir: &Path,
    results: &[DeviceResult],
    asked: &Timestamp,
) -> Result<Vec<PathBuf>, String> {
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: cannot create: {e}", dir.display()))?;
    let mut written = Vec::new();
    let mut used = BTreeSet::new();
    for d in results {
        let Ok(answer) = &d.outcome else { continue };
        let base = file_name(&d.target);
        let mut name = base.clone();
        let mut n = 1;
        while !used.insert(name.clone()) {
            n += 1;
            name = format!("{}-{n}.cdx.json", base.trim_end_matches(".cdx.json"));
        }
        let path = dir.join(&name);
        let mut text = serde_json::to_string_pretty(&document(d, answer, asked))
            .map_err(|e| format!("{}: {e}", path.display()))?;
        text.push('\n');
        std::fs::write(&path, text)
            .map_err(|e| format!("{}: cannot write: {e}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(index: u32, parent: u32) -> (Component, Method) {
        (
            Component {
                index,
                parent,
                name: format!("c{index}"),
                ..Component::default()
            },
            Method::SwTable,
        )
    }

    fn names(v: &[Value]) -> Vec<String> {
        v.iter()
            .map(|c| {
                let kids = c["components"]
                    .as_array()
                    .map(|k| names(k))
                    .unwrap_or_default();
                let name = c["name"].as_str().unwrap_or_default();
                if kids.is_empty() {
                    name.to_string()
                } else {
                    format!("{name}({})", kids.join(","))
                }
            })
            .collect()
    }

    #[test]
    fn parents_nest_and_loops_do_not_hang() {
        let tree = nested(&[c(1, 0), c(2, 1), c(3, 2), c(4, 9), c(5, 6), c(6, 5)]);
        assert_eq!(names(&tree), ["c1(c2(c3))", "c4", "c5(c6)"]);
    }

    #[test]
    fn serial_is_a_version_5_uuid_and_names_are_safe() {
        let s = serial("x");
        assert_eq!(s.len(), "urn:uuid:".len() + 36);
        assert_eq!(&s[23..24], "5", "{s}");
        assert!(matches!(&s[28..29], "8" | "9" | "a" | "b"), "{s}");
        assert_eq!(s, serial("x"));
        assert_ne!(s, serial("y"));
        assert_eq!(file_name("ICU bed 3/pump"), "ICU_bed_3_pump.cdx.json");
        assert_eq!(file_name("../x"), "_.._x.cdx.json");
        assert_eq!(file_name(""), "_.cdx.json");
    }

    #[test]
    fn vex_rows_map_to_cyclonedx_vulnerabilities() {
        let row = |id: &str, index: u32, state: &str, justification: &str, action: &str| Vex {
            id: id.into(),
            index,
            state: state.into(),
            justification: justification.into(),
            action: action.into(),
            updated: "2026-11-30T09:00:00Z".into(),
            detail: String::new(),
            subject: "pkg:npm/x@1".into(),
        };
        let got = vulnerabilities(&[
            row(
                "CVE-1",
                3,
                "affected",
                "",
                "update, rollback: Install 4.2.2.",
            ),
            row(
                "CVE-1",
                5,
                "affected",
                "",
                "update, rollback: Install 4.2.2.",
            ),
            row(
                "CVE-1",
                0,
                "affected",
                "",
                "update, rollback: Install 4.2.2.",
            ),
            row("CVE-2", 4, "not_affected", "component_not_present", ""),
            row(
                "CVE-3",
                0x8000_0001,
                "fixed",
                "",
                "vendor_fix: Install the update.",
            ),
            row(
                "CVE-4",
                2,
                "under_investigation",
                "protected_at_runtime",
                "update",
            ),
        ]);
        let upd = "2026-11-30T09:00:00Z";
        assert_eq!(
            Value::from(got),
            json!([
                { "id": "CVE-1", "updated": upd, "recommendation": "Install 4.2.2.",
                  "analysis": { "state": "exploitable", "response": ["update", "rollback"], "lastUpdated": upd },
                  "affects": [{ "ref": "dqi-sw-3" }, { "ref": "dqi-sw-5" }] },
                { "id": "CVE-1", "updated": upd, "recommendation": "Install 4.2.2.",
                  "analysis": { "state": "exploitable", "response": ["update", "rollback"], "lastUpdated": upd } },
                { "id": "CVE-2", "updated": upd,
                  "analysis": { "state": "not_affected", "lastUpdated": upd },
                  "affects": [{ "ref": "dqi-sw-4" }],
                  "properties": [{ "name": "dqi:vexJustification", "value": "component_not_present" }] },
                { "id": "CVE-3", "updated": upd, "recommendation": "vendor_fix: Install the update.",
                  "analysis": { "state": "resolved", "lastUpdated": upd },
                  "affects": [{ "ref": "pkg:npm/x@1" }] },
                { "id": "CVE-4", "updated": upd,
                  "analysis": { "state": "in_triage", "justification": "protected_at_runtime", "response": ["update"], "lastUpdated": upd },
                  "affects": [{ "ref": "dqi-sw-2" }] },
            ])
        );
    }

    #[test]
    fn rows_map_to_cyclonedx_fields() {
        let row = Component {
            index: 7,
            name: "log4j-core".into(),
            version: "2.14.1".into(),
            purl: "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1".into(),
            hash: "sha256:AB".into(),
            supplier: "Apache".into(),
            cpe: "cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*".into(),
            sw_type: 3,
            end_of_support: "2030-01-01".into(),
            parent: 0,
            support: 5,
        };
        let v = component(&row);
        assert_eq!(v["type"], "library");
        assert_eq!(v["bom-ref"], "dqi-sw-7");
        assert_eq!(v["supplier"]["name"], "Apache");
        assert_eq!(v["hashes"][0]["alg"], "SHA-256");
        assert_eq!(v["hashes"][0]["content"], "ab");
        assert_eq!(v["properties"][1]["value"], "2030-01-01");
        assert_eq!(v["properties"][2]["value"], "endOfSupport");
        assert_eq!(component_type(9), "firmware");
        assert_eq!(component_type(100), "other");
    }
}
