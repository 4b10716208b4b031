//! What a device runs, read the slow way: walking `dqiSwTable`, or, on an agent without the
//! DQI-MIB, `hrSWInstalledTable` (RFC 2790), paced below the device's budget.
//!
//! A walk is a sequence of GetBulk requests over several columns at once; rows are joined by
//! their index. Before walking a DQI device the session reads its own `dqiBudgetTable` row and
//! the agent's GetBulk caps, so it sizes each request to the budget and waits for tokens
//! rather than having requests dropped. `hrSWInstalledName` gives one string per package:
//! `name version` on most agents, `name_version_arch` for the Debian packages net-snmp's
//! `snmpd` lists (`adduser_3.134_all`); both are split into name and version here.

use std::collections::BTreeMap;
use std::fmt;

use rasn::types::ObjectIdentifier;

use super::oids::{self, sw};
use super::session::{Failure, Pacer, Session};
use super::value;
use crate::wire::{VarBind, VarBindValue};

/// How a component's record was obtained.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    /// One lookup in `dqiSwByPurlTable`.
    ByPurl,
    /// One lookup in `dqiSwByNameTable`.
    ByName,
    /// A walk of `dqiSwTable` (the device has no lookup tables, or the question needs all).
    SwTable,
    /// A walk of `hrSWInstalledTable` (no DQI-MIB): name and version parsed from one string.
    HrSwInstalled,
    /// Read from the store, not from the device (`--offline`).
    Store,
}

impl Method {
    /// The name used in records.
    pub fn name(self) -> &'static str {
        match self {
            Method::ByPurl => "dqiSwByPurlTable",
            Method::ByName => "dqiSwByNameTable",
            Method::SwTable => "dqiSwTable-walk",
            Method::HrSwInstalled => "hrSWInstalledTable-walk",
            Method::Store => "store",
        }
    }

    /// The method called `name`.
    pub fn from_name(name: &str) -> Option<Method> {
        [
            Method::ByPurl,
            Method::ByName,
            Method::SwTable,
            Method::HrSwInstalled,
            Method::Store,
        ]
        .into_iter()
        .find(|m| m.name() == name)
    }
}

impl fmt::Display for Method {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// One software component as a device serves it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Component {
    /// dqiSwIndex (hrSWInstalledIndex for the fallback).
    pub index: u32,
    /// The name.
    pub name: String,
    /// The version, verbatim.
    pub version: String,
    /// The purl ("" when none).
    pub purl: String,
    /// The hash as `alg:hex` (`sha256:...`), "" when none.
    pub hash: String,
    /// The supplier.
    pub supplier: String,
    /// The CPE.
    pub cpe: String,
    /// dqiSwType (0 when not read).
    pub sw_type: i64,
    /// dqiSwEndOfSupport as `YYYY-MM-DD`, "" when unknown.
    pub end_of_support: String,
    /// dqiSwParent.
    pub parent: u32,
    /// dqiSwSupportStatus (0 when not read).
    pub support: i64,
}

/// The columns of dqiSwTable read for a record (find, vuln, advisories).
pub const RECORD_COLUMNS: [u32; 5] = [
    sw::NAME,
    sw::VERSION,
    sw::PURL,
    sw::HASH_ALGORITHM,
    sw::HASH_VALUE,
];

/// The columns read to rebuild an SBOM (`inventory`).
pub const SBOM_COLUMNS: [u32; 11] = [
    sw::NAME,
    sw::VERSION,
    sw::SUPPLIER,
    sw::TYPE,
    sw::PURL,
    sw::CPE,
    sw::HASH_ALGORITHM,
    sw::HASH_VALUE,
    sw::SUPPORT_STATUS,
    sw::END_OF_SUPPORT,
    sw::PARENT,
];

/// dqiVexTable columns read with a whole inventory (`advisories`, `inventory`), so the store's
/// latest whole inventory carries what the CycloneDX export needs: dqiVexState,
/// dqiVexJustification, dqiVexAction, dqiVexUpdated, dqiVexDetail and dqiVexSubject.
pub const VEX_COLUMNS: [u32; 6] = [2, 3, 4, 5, 7, 8];

/// The most rows one walk reads, whatever the device claims.
const MAX_ROWS: usize = 1_000_000;
/// GetBulk repetitions when the device does not say its caps.
const DEFAULT_REPETITIONS: u32 = 25;

/// The budget the device grants this user, as far as it says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GrantedBudget {
    /// Whether the device serves its dqiBudget objects (it runs the DQI agent).
    pub dqi: bool,
    /// GetBulk max-repetitions cap.
    pub max_repetitions: u32,
    /// Response varbind cap.
    pub max_varbinds: u32,
    /// Burst (bucket capacity), cost units.
    pub burst: u32,
    /// Cost units charged per request on top of its bindings (`dqiBudgetRequestCost`).
    pub request_cost: u32,
}

/// Reads the device's budget for this session's user and paces the session by it.
pub async fn read_budget(session: &mut Session, user: &[u8]) -> Result<GrantedBudget, Failure> {
    let oids: Vec<ObjectIdentifier> = [
        oids::budget_row(3, user),
        oids::budget_row(4, user),
        oids::budget_row(5, user),
        oids::budget_row(6, user),
        oids::agent_scalar(10),
        oids::agent_scalar(11),
        oids::agent_scalar(38),
    ]
    .into_iter()
    .map(oids::oid)
    .collect();
    let got = session.get(&oids).await?;
    let n = |i: usize| got.get(i).and_then(|vb| value::unsigned(&vb.value));
    let mut budget = GrantedBudget {
        dqi: false,
        max_repetitions: DEFAULT_REPETITIONS,
        max_varbinds: 100,
        burst: 0,
        request_cost: 1,
    };
    if let (Some(cap), Some(varbinds)) = (n(4), n(5)) {
        budget.dqi = true;
        budget.max_repetitions = u32::try_from(cap).unwrap_or(u32::MAX).max(1);
        budget.max_varbinds = u32::try_from(varbinds).unwrap_or(u32::MAX).max(1);
    }
    if let (Some(rate), Some(period), Some(burst), Some(available)) = (n(0), n(1), n(2), n(3))
        && rate > 0
    {
        let seconds = match period {
            2 => 60.0,
            3 => 3600.0,
            _ => 1.0,
        };
        budget.burst = u32::try_from(burst).unwrap_or(u32::MAX);
        // dqiBudgetRequestCost: an agent from before the cost model charges bindings only.
        let request_cost = n(6).unwrap_or(1);
        budget.request_cost = u32::try_from(request_cost).unwrap_or(u32::MAX);
        // This Get was charged before the row was read (its worst case), perhaps after.
        let this_get = (request_cost + oids.len() as u64) as f64;
        session.pacer = Pacer::budget(
            rate as f64 / seconds,
            burst as f64,
            (available as f64 - this_get).max(0.0),
            request_cost as f64,
            f64::from(budget.max_varbinds),
        );
    }
    Ok(budget)
}

/// GetBulk repetitions for `columns` columns within `budget`.
pub fn repetitions(budget: &GrantedBudget, columns: usize) -> u32 {
    let columns = u32::try_from(columns.max(1)).unwrap_or(u32::MAX);
    let mut reps = budget
        .max_repetitions
        .min(budget.max_varbinds / columns)
        .min(50);
    // A request that costs more than the whole bucket would be held past the device's
    // hold time (or charged a full bucket): keep each within it.
    if budget.burst > budget.request_cost {
        reps = reps.min((budget.burst - budget.request_cost) / columns);
    }
    reps.max(1)
}

/// Walks `columns` (full column OIDs) together; returns each row's cells by index suffix.
pub async fn walk(
    session: &mut Session,
    columns: &[Vec<u32>],
    reps: u32,
) -> Result<BTreeMap<Vec<u32>, Vec<Option<VarBindValue>>>, Failure> {
    let mut rows: BTreeMap<Vec<u32>, Vec<Option<VarBindValue>>> = BTreeMap::new();
    let mut cursors: Vec<Option<Vec<u32>>> = columns.iter().cloned().map(Some).collect();
    loop {
        let active: Vec<usize> = (0..columns.len())
            .filter(|&c| cursors[c].is_some())
            .collect();
        if active.is_empty() {
            return Ok(rows);
        }
        let request: Vec<ObjectIdentifier> = active
            .iter()
            .filter_map(|&c| cursors[c].clone())
            .map(oids::oid)
            .collect();
        let got = session.get_bulk(0, reps, &request).await?;
        if got.is_empty() {
            return Err(Failure::Protocol("an empty GetBulk response".into()));
        }
        let mut advanced = vec![false; columns.len()];
        for (i, vb) in got.iter().enumerate() {
            let c = active[i % active.len()];
            let Some(cursor) = &cursors[c] else { continue };
            let name: &[u32] = &vb.name;
            let end = matches!(vb.value, VarBindValue::EndOfMibView);
            match oids::suffix(name, &columns[c]) {
                Some(index) if !end && name > cursor.as_slice() => {
                    let row = rows
                        .entry(index.to_vec())
                        .or_insert_with(|| vec![None; columns.len()]);
                    row[c] = Some(vb.value.clone());
                    cursors[c] = Some(name.to_vec());
                    advanced[c] = true;
                }
                // Out of the column (or a reply that does not move forward): done with it.
                _ => cursors[c] = None,
            }
        }
        for &c in &active {
            if cursors[c].is_some() && !advanced[c] {
                cursors[c] = None;
            }
        }
        if rows.len() > MAX_ROWS {
            return Err(Failure::Protocol(format!("more than {MAX_ROWS} rows")));
        }
    }
}

/// The component of one dqiSwTable row read with `columns` (dqiSwEntry column numbers).
pub fn component(index: u32, columns: &[u32], cells: &[Option<VarBindValue>]) -> Component {
    let mut c = Component {
        index,
        ..Component::default()
    };
    let mut hash_alg = 1;
    for (col, cell) in columns.iter().zip(cells) {
        let Some(v) = cell else { continue };
        match *col {
            sw::NAME => c.name = value::text(v),
            sw::VERSION => c.version = value::text(v),
            sw::SUPPLIER => c.supplier = value::text(v),
            sw::TYPE => c.sw_type = value::integer(v).unwrap_or(0),
            sw::PURL => c.purl = value::text(v),
            sw::CPE => c.cpe = value::text(v),
            sw::HASH_ALGORITHM => hash_alg = value::integer(v).unwrap_or(1),
            sw::HASH_VALUE => c.hash = value::text(v),
            sw::SUPPORT_STATUS => c.support = value::integer(v).unwrap_or(0),
            sw::END_OF_SUPPORT => c.end_of_support = value::date(v).unwrap_or_default(),
            sw::PARENT => {
                c.parent = value::unsigned(v)
                    .and_then(|p| u32::try_from(p).ok())
                    .unwrap_or(0)
            }
            _ => {}
        }
    }
    if !c.hash.is_empty() {
        c.hash = format!("{}:{}", hash_name(hash_alg), c.hash);
    }
    c
}

/// The CycloneDX-style name of a DqiHashAlgorithm value.
pub fn hash_name(alg: i64) -> &'static str {
    match alg {
        2 => "md5",
        3 => "sha1",
        4 => "sha224",
        5 => "sha256",
        6 => "sha384",
        7 => "sha512",
        8 => "sha3-256",
        9 => "sha3-384",
        10 => "sha3-512",
        11 => "blake2b-256",
        12 => "blake2b-384",
        13 => "blake2b-512",
        14 => "blake3",
        15 => "md2",
        16 => "md4",
        17 => "md6",
        18 => "adler32",
        _ => "other",
    }
}

/// Walks dqiSwTable's `columns`; an empty list when the device serves no rows.
pub async fn walk_sw_table(
    session: &mut Session,
    budget: &GrantedBudget,
    columns: &[u32],
) -> Result<Vec<Component>, Failure> {
    let full: Vec<Vec<u32>> = columns.iter().map(|&c| oids::sw_column(c)).collect();
    let rows = walk(session, &full, repetitions(budget, columns.len())).await?;
    Ok(rows
        .into_iter()
        .filter_map(|(index, cells)| match index.as_slice() {
            [i] => Some(component(*i, columns, &cells)),
            _ => None,
        })
        .collect())
}

/// Walks hrSWInstalledName; components with the name and version parsed.
pub async fn walk_hr_sw(
    session: &mut Session,
    budget: &GrantedBudget,
) -> Result<Vec<Component>, Failure> {
    let rows = walk(
        session,
        &[oids::hr_sw_installed_name()],
        repetitions(budget, 1),
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(index, cells)| {
            let [i] = index.as_slice() else { return None };
            let text = value::text(cells.first()?.as_ref()?);
            let (name, version) = split_hr_name(&text);
            Some(Component {
                index: *i,
                name,
                version,
                ..Component::default()
            })
        })
        .collect())
}

/// The length at which net-snmp cuts an hrSWInstalledName (RFC 2790 allows 64 octets; its
/// buffer holds 64 with the terminating NUL): a longer Debian name loses its arch and part of
/// its version.
pub const HR_NAME_CUT: usize = 63;

/// Marks a version cut short with the name that carried it: no scheme orders it, so it is
/// matched as "unknown", never as the version it was cut from.
pub const TRUNCATED: char = '…';

/// Splits an hrSWInstalledName into name and version: net-snmp's Debian form
/// `name_version_arch` (`adduser_3.134_all`), or that form cut at [`HR_NAME_CUT`] octets
/// (`name_vers`: the version kept as far as it goes, marked [`TRUNCATED`]); else
/// `name version` (last space), else `name-version` when what follows the last `-` starts
/// with a digit; else the whole string is the name and the version is empty.
pub fn split_hr_name(text: &str) -> (String, String) {
    let text = text.trim();
    let parts: Vec<&str> = text.split('_').collect();
    let debian = parts.iter().all(|p| !p.is_empty() && !p.contains(' '));
    if parts.len() == 3 && debian {
        return (parts[0].to_string(), parts[1].to_string());
    }
    if parts.len() == 2 && debian && text.len() >= HR_NAME_CUT {
        return (parts[0].to_string(), format!("{}{TRUNCATED}", parts[1]));
    }
    if let Some((name, version)) = text.rsplit_once(' ')
        && !name.trim().is_empty()
        && !version.is_empty()
    {
        return (name.trim().to_string(), version.to_string());
    }
    if let Some((name, version)) = text.rsplit_once('-')
        && !name.is_empty()
        && version.starts_with(|c: char| c.is_ascii_digit())
    {
        return (name.to_string(), version.to_string());
    }
    (text.to_string(), String::new())
}

/// The whole inventory with `columns`: dqiSwTable when the device serves it, else
/// hrSWInstalledTable; [`Failure::NoInventory`] when neither has a row.
pub async fn full(
    session: &mut Session,
    user: &[u8],
    columns: &[u32],
) -> Result<(Vec<Component>, Method, GrantedBudget), Failure> {
    let budget = read_budget(session, user).await?;
    let rows = walk_sw_table(session, &budget, columns).await?;
    if !rows.is_empty() {
        return Ok((rows, Method::SwTable, budget));
    }
    let rows = walk_hr_sw(session, &budget).await?;
    if !rows.is_empty() {
        return Ok((rows, Method::HrSwInstalled, budget));
    }
    Err(Failure::NoInventory(
        "serves neither dqiSwTable (DQI-MIB) nor hrSWInstalledTable".into(),
    ))
}

/// The bindings of a Get, by position, as optional values (absent objects are None).
pub fn present(bindings: &[VarBind]) -> Vec<Option<VarBindValue>> {
    bindings
        .iter()
        .map(|vb| match vb.value {
            VarBindValue::Value(_) => Some(vb.value.clone()),
            _ => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hr_names() {
        let cases = [
            ("adduser_3.134_all", ("adduser", "3.134")),
            (
                "libssl3_3.0.15-1~deb12u1_amd64",
                ("libssl3", "3.0.15-1~deb12u1"),
            ),
            ("snmpd_5.9.3+dfsg-2_amd64", ("snmpd", "5.9.3+dfsg-2")),
            ("OpenSSL 1.1.1w", ("OpenSSL", "1.1.1w")),
            (
                "Microsoft Visual C++ 2015 14.0.24215",
                ("Microsoft Visual C++ 2015", "14.0.24215"),
            ),
            ("busybox-1.36.1", ("busybox", "1.36.1")),
            // Cut at 63 octets by net-snmp: the arch gone, the version marked as cut.
            (
                "prometheus-node-exporter-collectors_0.0~git20230203.6f710f8-1+d",
                (
                    "prometheus-node-exporter-collectors",
                    "0.0~git20230203.6f710f8-1+d…",
                ),
            ),
            ("short_1.0", ("short_1.0", "")),
            ("kernel", ("kernel", "")),
        ];
        for (text, (name, version)) in cases {
            assert_eq!(
                split_hr_name(text),
                (name.to_string(), version.to_string()),
                "{text}"
            );
        }
    }

    #[test]
    fn repetitions_fit_the_budget() {
        let b = GrantedBudget {
            dqi: true,
            max_repetitions: 25,
            max_varbinds: 100,
            burst: 100,
            request_cost: 1,
        };
        assert_eq!(repetitions(&b, 5), 19);
        assert_eq!(repetitions(&b, 1), 25);
        let tight = GrantedBudget { burst: 3, ..b };
        assert_eq!(repetitions(&tight, 5), 1);
        // The cost model: 32 a request, so a bucket of 132 pays 100 bindings a request.
        let costed = GrantedBudget {
            burst: 132,
            request_cost: 32,
            max_varbinds: 1000,
            max_repetitions: 1000,
            ..b
        };
        assert_eq!(repetitions(&costed, 5), 20);
        assert_eq!(repetitions(&costed, 1), 50);
    }
}
