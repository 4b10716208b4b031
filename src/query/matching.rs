//! Turning device answers into records: which components answer the question, the advisories
//! and ranges that match them, and what the device's own VEX statements say.
//!
//! Pure functions of the answers, so the same records come from a live run and from the store
//! (`--offline`).

use super::inventory::{Component, Method};
use super::lookup::Vex;
use super::osv::{Advisory, Verdict};
use super::output::Record;
use super::run::{Answer, DeviceResult, Selector, Source};
use super::vers::{Contains, VersRange};

/// The record of a device that could not be asked (or answered nothing usable).
pub fn failure_record(d: &DeviceResult) -> Option<Record> {
    let failure = d.outcome.as_ref().err()?;
    Some(Record {
        status: failure.status().to_string(),
        reason: failure.to_string(),
        ..device(d)
    })
}

fn device(d: &DeviceResult) -> Record {
    Record {
        target: d.target.clone(),
        address: d.address.to_string(),
        engine_id: d.engine_id.clone(),
        ..Record::default()
    }
}

/// The record listing a device that serves no DQI-MIB, so that it is never left out silently:
/// what was read instead, and, when the question needs purls (`without_purl` says what that
/// costs), that it could not be answered from names and versions (`no-purl`, which counts as a
/// device not answered). `None` for a DQI device.
fn no_dqi(d: &DeviceResult, answer: &Answer, without_purl: Option<&str>) -> Option<Record> {
    let (status, reason, method) = match (answer.source, without_purl) {
        (Source::Dqi, _) => return None,
        (Source::HrSwInstalled { packages }, None) => (
            "no-dqi-mib",
            format!(
                "serves no DQI-MIB: answered from hrSWInstalledTable (RFC 2790), {packages} \
                 packages, name and version split from hrSWInstalledName; no purl, hash or VEX"
            ),
            Method::HrSwInstalled.name(),
        ),
        (Source::HrSwInstalled { packages }, Some(cost)) => (
            "no-purl",
            format!(
                "serves no DQI-MIB: its hrSWInstalledTable (RFC 2790) lists {packages} packages \
                 by name and version only, without purls: {cost}"
            ),
            Method::HrSwInstalled.name(),
        ),
        (Source::NoDqiMib, _) => (
            "no-dqi-mib",
            "serves no DQI-MIB (no dqiSwTable): it makes no VEX statement".to_string(),
            "",
        ),
    };
    Some(Record {
        status: status.into(),
        reason,
        method: method.into(),
        ..device(d)
    })
}

fn component(d: &DeviceResult, c: &Component, method: Method) -> Record {
    Record {
        sw_index: Some(c.index),
        name: c.name.clone(),
        version: c.version.clone(),
        purl: c.purl.clone(),
        hash: c.hash.clone(),
        method: method.name().to_string(),
        ..device(d)
    }
}

/// `find`: the components that answer `selector`, within `range` when given. Out-of-range
/// components are left out; those whose version the range's scheme cannot order are kept as
/// `unknown`. A package without a purl (a device without the DQI-MIB) whose name is the asked
/// purl's name is listed as `name-only`, its version not compared (its scheme is the
/// packager's, not the purl's): evidence to look at, beside the device's `no-purl` record.
pub fn find(
    results: &[DeviceResult],
    selector: &Selector,
    range: Option<&VersRange>,
) -> Vec<Record> {
    let mut out = Vec::new();
    for d in results {
        let Ok(answer) = &d.outcome else {
            out.extend(failure_record(d));
            continue;
        };
        let cost = matches!(selector, Selector::Purl(_))
            .then_some("a purl cannot be matched (ask by name)");
        out.extend(no_dqi(d, answer, cost));
        for (c, method) in &answer.components {
            if selector.matches_name_only(c) {
                out.push(Record {
                    status: "name-only".into(),
                    reason: "no purl: the package's name is the purl's name; its version is not \
                             compared"
                        .into(),
                    ..component(d, c, *method)
                });
                continue;
            }
            if !selector.matches(c) && answer.complete {
                continue;
            }
            let (status, ranges) = match range {
                None => ("found", Vec::new()),
                Some(r) => match r.contains(&c.version) {
                    Contains::Yes => ("in-range", vec![r.text.clone()]),
                    Contains::Unknown => ("unknown", vec![r.text.clone()]),
                    Contains::No => continue,
                },
            };
            out.push(Record {
                status: status.to_string(),
                ranges,
                ..component(d, c, *method)
            });
        }
    }
    out
}

/// The VEX statement of the device about `c` for one of `ids`.
fn vex_for<'a>(answer: &'a Answer, index: u32, ids: &[&str]) -> Option<&'a Vex> {
    answer
        .vex
        .iter()
        .find(|v| v.index == index && ids.iter().any(|id| v.id.eq_ignore_ascii_case(id)))
}

fn disagreement(vex: &Vex, verdict: &Verdict) -> String {
    match (vex.state.as_str(), verdict) {
        ("not_affected" | "fixed", Verdict::Affected(_)) => format!(
            "the device states {} but its version is in an affected range",
            vex.state
        ),
        ("affected", Verdict::NotAffected) => {
            "the device states affected but its version is outside every affected range".into()
        }
        _ => String::new(),
    }
}

/// `vuln`: for the vulnerability `id`, every component the advisory names (with its version
/// match) and every VEX statement the device makes about it, flagging where they disagree.
pub fn vuln(results: &[DeviceResult], id: &str, advisory: Option<&Advisory>) -> Vec<Record> {
    let mut ids: Vec<&str> = vec![id];
    if let Some(a) = advisory {
        ids.push(&a.id);
        ids.extend(a.aliases.iter().map(String::as_str));
    }
    let mut out = Vec::new();
    for d in results {
        let Ok(answer) = &d.outcome else {
            out.extend(failure_record(d));
            continue;
        };
        out.extend(no_dqi(
            d,
            answer,
            advisory.map(|_| "the advisory's ranges cannot be matched; it makes no VEX statement"),
        ));
        let mut covered = Vec::new();
        for (c, method) in &answer.components {
            let verdict = advisory.and_then(|a| a.verdict(&c.purl, &c.version));
            let vex = vex_for(answer, c.index, &ids);
            if verdict.is_none() && vex.is_none() {
                continue;
            }
            covered.push(c.index);
            let mut r = Record {
                advisories: advisory.map(|a| vec![a.id.clone()]).unwrap_or_default(),
                ..component(d, c, *method)
            };
            set_verdict(&mut r, verdict.as_ref());
            if let Some(v) = vex {
                set_vex(&mut r, v);
                if let Some(verdict) = &verdict {
                    r.disagreement = disagreement(v, verdict);
                }
            }
            out.push(r);
        }
        // Statements about the product as a whole, or a component the answer did not carry.
        for v in &answer.vex {
            if covered.contains(&v.index) || !ids.iter().any(|id| v.id.eq_ignore_ascii_case(id)) {
                continue;
            }
            let mut r = Record {
                sw_index: Some(v.index),
                status: "vex".into(),
                method: if v.index == 0 {
                    "dqiVexTable (product)".into()
                } else {
                    "dqiVexTable".into()
                },
                ..device(d)
            };
            set_vex(&mut r, v);
            out.push(r);
        }
    }
    out
}

fn set_verdict(r: &mut Record, verdict: Option<&Verdict>) {
    match verdict {
        Some(Verdict::Affected(ranges)) => {
            r.status = "affected".into();
            r.ranges = ranges.clone();
        }
        Some(Verdict::Unknown(ranges)) => {
            r.status = "unknown".into();
            r.ranges = ranges.clone();
        }
        Some(Verdict::NotAffected) => r.status = "not-affected".into(),
        None => r.status = "vex".into(),
    }
}

fn set_vex(r: &mut Record, v: &Vex) {
    r.vex_state = v.state.clone();
    r.vex_justification = v.justification.clone();
}

/// `advisories`: every component affected (or of unknown status) by any of `advisories`, one
/// record per component listing the advisories and ranges that match it.
pub fn advisories(results: &[DeviceResult], advisories: &[Advisory]) -> Vec<Record> {
    let mut out = Vec::new();
    for d in results {
        let Ok(answer) = &d.outcome else {
            out.extend(failure_record(d));
            continue;
        };
        out.extend(no_dqi(
            d,
            answer,
            Some("OSV records name purls and cannot be matched"),
        ));
        for (c, method) in &answer.components {
            if c.purl.is_empty() {
                continue;
            }
            let mut r = component(d, c, *method);
            let mut affected = false;
            for a in advisories {
                let (ranges, is_affected) = match a.verdict(&c.purl, &c.version) {
                    Some(Verdict::Affected(ranges)) => (ranges, true),
                    Some(Verdict::Unknown(ranges)) => (ranges, false),
                    _ => continue,
                };
                affected |= is_affected;
                r.advisories.push(a.display_id().to_string());
                r.ranges.extend(ranges);
                let mut ids: Vec<&str> = vec![&a.id];
                ids.extend(a.aliases.iter().map(String::as_str));
                if let Some(v) = vex_for(answer, c.index, &ids) {
                    if !r.vex_state.is_empty() {
                        r.vex_state.push(';');
                        r.vex_justification.push(';');
                    }
                    r.vex_state
                        .push_str(&format!("{}={}", a.display_id(), v.state));
                    r.vex_justification.push_str(&v.justification);
                }
            }
            if r.advisories.is_empty() {
                continue;
            }
            r.status = if affected { "affected" } else { "unknown" }.into();
            out.push(r);
        }
    }
    out
}

/// `inventory`: every component of every device answered, as `listed`.
pub fn inventory(results: &[DeviceResult]) -> Vec<Record> {
    let mut out = Vec::new();
    for d in results {
        match &d.outcome {
            Err(_) => out.extend(failure_record(d)),
            Ok(answer) => {
                out.extend(no_dqi(d, answer, None));
                out.extend(answer.components.iter().map(|(c, method)| Record {
                    status: "listed".to_string(),
                    ..component(d, c, *method)
                }));
            }
        }
    }
    out
}
