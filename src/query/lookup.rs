//! The short path: the DQI lookup tables answer "do you run X?" in one GetBulk, and the rows
//! found are completed with one Get.
//!
//! `dqiSwByNameTable` (dqiSoftware 14) and `dqiSwByPurlTable` (dqiSoftware 15) are indexed by
//! `{ key (length-prefixed OCTET STRING), dqiSwIndex }` with columns 2 (version) and 3 (purl);
//! `dqiVexTable` (dqiVex 4) by `{ vulnerability ID, dqiSwIndex }` with columns 2 (state) and 3
//! (justification). A GetBulk starting at `<column>.<len>.<key>` walks the rows of that key
//! first; rows past the key are dropped by prefix. One non-repeater GetNext on the bare
//! column tells whether the device has the table at all: if what follows is outside it, the
//! device predates the tables and the caller walks instead. A question of VEX rows only has
//! no key to look up: one more probe, on `dqiSwName`, then tells whether the device serves the
//! DQI-MIB at all (a plain SNMP agent must still be listed as such).
//!
//! Datagrams after discovery: one GetBulk and one Get (the Get only when a row matched).

use std::collections::BTreeMap;

use rasn::types::ObjectIdentifier;

use super::inventory::{Component, Method, RECORD_COLUMNS};
use super::oids::{self, sw};
use super::session::{Failure, Session};
use super::value;
use crate::wire::VarBindValue;

/// Rows read per key: a device rarely carries more than a few copies of one package.
pub const ROWS_PER_KEY: u32 = 8;

/// Which lookup table a key goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Key {
    /// A name in `dqiSwByNameTable`.
    Name(String),
    /// A version-less purl key in `dqiSwByPurlTable`.
    Purl(String),
}

impl Key {
    fn column(&self, col: u32) -> Vec<u32> {
        match self {
            Key::Name(_) => oids::by_name_column(col),
            Key::Purl(_) => oids::by_purl_column(col),
        }
    }

    fn bytes(&self) -> &[u8] {
        match self {
            Key::Name(k) | Key::Purl(k) => k.as_bytes(),
        }
    }

    /// `<column>.<len>.<key>`: the start of this key's rows.
    fn start(&self, col: u32) -> Vec<u32> {
        let mut oid = self.column(col);
        oids::push_string(&mut oid, self.bytes());
        oid
    }

    fn method(&self) -> Method {
        match self {
            Key::Name(_) => Method::ByName,
            Key::Purl(_) => Method::ByPurl,
        }
    }
}

/// One device VEX statement (a `dqiVexTable` row). The text columns are read with whole
/// inventories only (`advisories`, `inventory`: the CycloneDX export), not by lookups; "" when
/// not read or not given.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Vex {
    /// The vulnerability ID.
    pub id: String,
    /// dqiSwIndex, 0 for the product as a whole.
    pub index: u32,
    /// `not_affected`, `affected`, `fixed`, `under_investigation` (CycloneDX/OpenVEX words).
    pub state: String,
    /// The justification in the OpenVEX/CISA words ("" when none).
    pub justification: String,
    /// dqiVexAction: what the maker says to do.
    pub action: String,
    /// dqiVexUpdated as RFC 3339 (`2026-11-30T09:00:00Z`, or with the served UTC offset).
    pub updated: String,
    /// dqiVexDetail: why, in the maker's words.
    pub detail: String,
    /// dqiVexSubject: what the statement names, as its document names it.
    pub subject: String,
}

/// The name of a dqiVexState value.
pub fn vex_state(state: i64) -> &'static str {
    match state {
        1 => "not_affected",
        2 => "affected",
        3 => "fixed",
        4 => "under_investigation",
        _ => "unknown",
    }
}

/// The name of a dqiVexJustification value (OpenVEX, CISA and CycloneDX words).
pub fn vex_justification(value: i64) -> &'static str {
    match value {
        2 => "component_not_present",
        3 => "vulnerable_code_not_present",
        4 => "vulnerable_code_not_in_execute_path",
        5 => "vulnerable_code_cannot_be_controlled_by_adversary",
        6 => "inline_mitigations_already_exist",
        7 => "requires_configuration",
        8 => "requires_dependency",
        9 => "requires_environment",
        10 => "protected_by_compiler",
        11 => "protected_at_runtime",
        12 => "protected_at_perimeter",
        13 => "protected_by_mitigating_control",
        _ => "",
    }
}

/// What a lookup found.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// Components matching any key, with their name, version, purl and hash.
    pub components: Vec<(Component, Method)>,
    /// VEX statements for the vulnerability asked about.
    pub vex: Vec<Vex>,
    /// Whether the device serves the VEX table.
    pub vex_served: bool,
    /// Whether the device serves dqiSwTable (the DQI-MIB) at all.
    pub dqi: bool,
}

/// Looks `keys` up (and, with `vuln`, the device's VEX rows for it). `Ok(None)` when the
/// device has no lookup tables: the caller falls back to a walk.
pub async fn lookup(
    session: &mut Session,
    keys: &[Key],
    vuln: Option<&str>,
) -> Result<Option<Found>, Failure> {
    // Non-repeaters: the presence probes. Repeaters: two columns per key, then the VEX rows.
    let mut probes = vec![oids::by_name_column(2), oids::by_purl_column(2)];
    if vuln.is_some() {
        probes.push(oids::vex_column(2));
    }
    // With no key to look up, the lookup tables cannot tell a DQI device: ask dqiSwTable.
    let sw_probe = keys.is_empty().then_some(probes.len());
    if sw_probe.is_some() {
        probes.push(oids::sw_column(sw::NAME));
    }
    let mut repeaters: Vec<Vec<u32>> = Vec::new();
    for key in keys {
        repeaters.push(key.start(2));
        repeaters.push(key.start(3));
    }
    let vex_start = vuln.map(|id| {
        let mut state = oids::vex_column(2);
        oids::push_string(&mut state, id.as_bytes());
        let mut just = oids::vex_column(3);
        oids::push_string(&mut just, id.as_bytes());
        (state, just)
    });
    if let Some((state, just)) = &vex_start {
        repeaters.push(state.clone());
        repeaters.push(just.clone());
    }
    let request: Vec<ObjectIdentifier> = probes
        .iter()
        .chain(repeaters.iter())
        .cloned()
        .map(oids::oid)
        .collect();
    let got = session
        .get_bulk(probes.len(), ROWS_PER_KEY, &request)
        .await?;
    let under = |i: usize, prefix: &[u32]| {
        got.get(i).is_some_and(|vb| {
            !matches!(vb.value, VarBindValue::EndOfMibView) && vb.name.starts_with(prefix)
        })
    };
    let has_name = under(0, &oids::by_name_column(2));
    let has_purl = under(1, &oids::by_purl_column(2));
    let needed = keys.iter().all(|k| match k {
        Key::Name(_) => has_name,
        Key::Purl(_) => has_purl,
    });
    if !needed {
        return Ok(None);
    }
    let dqi = match sw_probe {
        Some(i) => under(i, &oids::sw_column(sw::NAME)),
        None => has_name || has_purl,
    };
    let vex_served = vuln.is_some() && under(2, &oids::vex_column(2));
    let rows = &got[probes.len().min(got.len())..];
    let width = repeaters.len();
    // (key position, dqiSwIndex) -> (version, purl)
    let mut hits: BTreeMap<(usize, u32), (String, String)> = BTreeMap::new();
    let mut vex: BTreeMap<u32, (i64, i64)> = BTreeMap::new();
    for (i, vb) in rows.iter().enumerate() {
        let col = i % width;
        let prefix = &repeaters[col];
        let Some(rest) = oids::suffix(&vb.name, prefix) else {
            continue;
        };
        let [index] = rest else { continue };
        if matches!(vb.value, VarBindValue::EndOfMibView) {
            continue;
        }
        if col < keys.len() * 2 {
            let entry = hits.entry((col / 2, *index)).or_default();
            if col.is_multiple_of(2) {
                entry.0 = value::text(&vb.value);
            } else {
                entry.1 = value::text(&vb.value);
            }
        } else {
            let entry = vex.entry(*index).or_insert((0, 0));
            let number = value::integer(&vb.value).unwrap_or(0);
            if col == keys.len() * 2 {
                entry.0 = number;
            } else {
                entry.1 = number;
            }
        }
    }
    let mut found = Found {
        vex_served,
        dqi,
        vex: vex
            .into_iter()
            .map(|(index, (state, justification))| Vex {
                id: vuln.unwrap_or_default().to_string(),
                index,
                state: vex_state(state).to_string(),
                justification: vex_justification(justification).to_string(),
                ..Vex::default()
            })
            .collect(),
        ..Found::default()
    };
    if hits.is_empty() {
        return Ok(Some(found));
    }
    // One Get completes the rows: name and hash from dqiSwTable.
    let indexes: Vec<u32> = {
        let mut v: Vec<u32> = hits.keys().map(|(_, i)| *i).collect();
        v.dedup();
        v.sort_unstable();
        v.dedup();
        v
    };
    let detail_cols = [RECORD_COLUMNS[0], RECORD_COLUMNS[3], RECORD_COLUMNS[4]];
    let mut request = Vec::new();
    for &index in &indexes {
        for &col in &detail_cols {
            let mut oid = oids::sw_column(col);
            oid.push(index);
            request.push(oids::oid(oid));
        }
    }
    let details = session.get(&request).await?;
    let cells = super::inventory::present(&details);
    for ((key_pos, index), (version, purl)) in hits {
        let at = indexes.iter().position(|i| *i == index).unwrap_or(0) * detail_cols.len();
        let row = cells.get(at..at + detail_cols.len()).unwrap_or(&[]);
        let mut component = super::inventory::component(index, &detail_cols, row);
        component.version = version;
        component.purl = purl;
        found.components.push((component, keys[key_pos].method()));
    }
    Ok(Some(found))
}
