//! Asking many devices: one task per device, at most `concurrency` at a time, each with its
//! own [`Session`]; Ctrl-C stops the asking and keeps what was answered.
//!
//! What is asked of each device is a [`Plan`]: either lookups in the DQI lookup tables (with a
//! walk as the fallback for devices without them), or a whole inventory. The result of each
//! device is kept as it came ([`DeviceResult`]); matching against the question happens
//! afterwards, offline (`matching.rs`), so answers kept in the store match the same way.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::engines::{Known, KnownEngines};
use super::inventory::{self, Component, Method};
use super::lookup::{self, Key, Vex};
use super::oids;
use super::purl::Purl;
use super::session::{Counters, Failure, Session, Settings};
use super::targets::Target;
use super::value;

/// Which components a question is about, for filtering a walked inventory.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selector {
    /// A component name, any ecosystem (ASCII case-insensitive).
    Name(String),
    /// A purl; with a version, that version only.
    Purl(Purl),
}

impl Selector {
    /// A purl when `text` is one, else a name.
    pub fn parse(text: &str) -> Selector {
        match Purl::parse(text) {
            Some(p) => Selector::Purl(p),
            None => Selector::Name(text.trim().to_string()),
        }
    }

    /// For a component without a purl (a package of `hrSWInstalledTable`): whether its name
    /// is the purl's name (ASCII case-insensitive). Evidence for the analyst, not a match: the
    /// record says `name-only`.
    pub fn matches_name_only(&self, c: &Component) -> bool {
        matches!(self, Selector::Purl(p) if c.purl.is_empty() && c.name.eq_ignore_ascii_case(&p.name))
    }

    /// The lookup-table key.
    pub fn key(&self) -> Key {
        match self {
            // dqiSwByNameKey is the name with ASCII letters lower-cased.
            Selector::Name(n) => Key::Name(n.to_ascii_lowercase()),
            Selector::Purl(p) => Key::Purl(p.key()),
        }
    }

    /// Whether `c` is what the question names.
    pub fn matches(&self, c: &Component) -> bool {
        match self {
            Selector::Name(n) => {
                c.name.eq_ignore_ascii_case(n)
                    || Purl::parse(&c.purl).is_some_and(|p| p.name.eq_ignore_ascii_case(n))
            }
            Selector::Purl(want) => Purl::parse(&c.purl).is_some_and(|p| {
                p.key() == want.key()
                    && want
                        .version
                        .as_ref()
                        .is_none_or(|v| p.version.as_ref() == Some(v) || c.version == *v)
            }),
        }
    }
}

/// What to ask each device.
#[derive(Debug, Clone)]
pub enum Plan {
    /// Look `selectors` up (and the VEX rows of `vuln`); walk and filter where the device has
    /// no lookup tables.
    Lookup {
        /// The components asked about.
        selectors: Vec<Selector>,
        /// The vulnerability whose VEX statements to read.
        vuln: Option<String>,
    },
    /// Read the whole inventory with these dqiSwTable columns (and these dqiVexTable
    /// columns), and the device's sysName and sysDescr.
    Full {
        /// dqiSwEntry column numbers.
        columns: &'static [u32],
        /// dqiVexEntry column numbers (state and justification first); none: no VEX walk.
        vex: &'static [u32],
    },
}

/// Where a device's answer came from: the DQI-MIB, or (a device without it, such as
/// net-snmp's `snmpd`) what was read instead. A device without the DQI-MIB is always listed
/// with this as its reason, never left out silently.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Source {
    /// The DQI-MIB: its lookup tables, `dqiSwTable`, `dqiVexTable`.
    #[default]
    Dqi,
    /// No DQI-MIB: its `hrSWInstalledTable` (RFC 2790), which listed `packages` packages by
    /// name and version only.
    HrSwInstalled {
        /// Rows of hrSWInstalledTable read.
        packages: usize,
    },
    /// No DQI-MIB, and nothing else was read: the question was about VEX statements only.
    NoDqiMib,
}

/// What one device answered.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Answer {
    /// Where the answer came from.
    pub source: Source,
    /// The components read, each with how it was obtained.
    pub components: Vec<(Component, Method)>,
    /// VEX statements read.
    pub vex: Vec<Vex>,
    /// Whether the device serves dqiVexTable.
    pub vex_served: bool,
    /// Whether `components` is the whole inventory (a walk), not just lookup hits.
    pub complete: bool,
    /// sysName, when read.
    pub sys_name: String,
    /// sysDescr, when read.
    pub sys_descr: String,
}

/// One device's outcome.
#[derive(Debug, Clone)]
pub struct DeviceResult {
    /// The target's name.
    pub target: String,
    /// Its address.
    pub address: SocketAddr,
    /// Its engine ID in hex ("" when discovery failed).
    pub engine_id: String,
    /// The answer, or why there is none.
    pub outcome: Result<Answer, Failure>,
    /// Datagrams exchanged.
    pub counters: Counters,
    /// Wall time spent on it.
    pub elapsed: Duration,
    /// Its engine as an authenticated reply confirmed it, for the next run to skip discovery.
    pub engine: Option<Known>,
}

impl DeviceResult {
    /// A result of `target` with nothing answered yet: `outcome`, no datagrams.
    pub fn unasked(target: &Target, outcome: Failure) -> DeviceResult {
        DeviceResult {
            target: target.name.clone(),
            address: target.address,
            engine_id: String::new(),
            outcome: Err(outcome),
            counters: Counters::default(),
            elapsed: Duration::ZERO,
            engine: None,
        }
    }
}

/// Asks one device; `known`: its engine remembered from an earlier run (no discovery).
pub async fn ask(
    target: &Target,
    plan: &Plan,
    settings: Settings,
    known: Option<&Known>,
) -> DeviceResult {
    let started = tokio::time::Instant::now();
    let mut result = DeviceResult::unasked(target, Failure::Interrupted);
    let mut session = match Session::open(target, settings, known).await {
        Ok(s) => s,
        Err(failure) => {
            result.outcome = Err(failure);
            result.elapsed = started.elapsed();
            return result;
        }
    };
    let user = target.credentials.user.as_bytes();
    result.outcome = match plan {
        Plan::Lookup { selectors, vuln } => {
            ask_lookup(&mut session, user, selectors, vuln.as_deref()).await
        }
        Plan::Full { columns, vex } => ask_full(&mut session, user, columns, vex).await,
    };
    // After the questions: a remembered engine may have proved to be another, rediscovered.
    result.engine_id = crate::hex::to_hex(session.engine_id());
    result.counters = session.counters;
    result.engine = session.known();
    result.elapsed = started.elapsed();
    result
}

async fn ask_lookup(
    session: &mut Session,
    user: &[u8],
    selectors: &[Selector],
    vuln: Option<&str>,
) -> Result<Answer, Failure> {
    let keys: Vec<Key> = selectors.iter().map(Selector::key).collect();
    if let Some(found) = lookup::lookup(session, &keys, vuln).await? {
        // A purl with a version asks for that version only: the table's key has none.
        let components = found
            .components
            .into_iter()
            .filter(|(c, _)| selectors.iter().any(|s| s.matches(c) || !is_versioned(s)))
            .collect();
        return Ok(Answer {
            source: if found.dqi {
                Source::Dqi
            } else {
                Source::NoDqiMib
            },
            components,
            vex: found.vex,
            vex_served: found.vex_served,
            ..Answer::default()
        });
    }
    let (all, method, _) = inventory::full(session, user, &inventory::RECORD_COLUMNS).await?;
    // An older DQI has dqiVexTable without the lookup tables: its statements about `vuln`
    // are one more GetBulk under the vulnerability's ID (a plain SNMP agent has none).
    let (vex, vex_served) = match (vuln, method) {
        (Some(_), Method::SwTable) => lookup::lookup(session, &[], vuln)
            .await?
            .map(|f| (f.vex, f.vex_served))
            .unwrap_or_default(),
        _ => (Vec::new(), false),
    };
    Ok(Answer {
        source: source_of(method, all.len()),
        vex,
        vex_served,
        // Packages without purls are kept by name too: a purl question to a plain SNMP agent
        // still shows the packages named like it (`name-only`), beside its `no-purl` record.
        components: all
            .into_iter()
            .filter(|c| {
                selectors
                    .iter()
                    .any(|s| s.matches(c) || s.matches_name_only(c))
            })
            .map(|c| (c, method))
            .collect(),
        complete: false,
        ..Answer::default()
    })
}

/// The source of a walked inventory of `rows` rows.
pub fn source_of(method: Method, rows: usize) -> Source {
    match method {
        Method::HrSwInstalled => Source::HrSwInstalled { packages: rows },
        _ => Source::Dqi,
    }
}

fn is_versioned(s: &Selector) -> bool {
    matches!(s, Selector::Purl(p) if p.version.is_some())
}

async fn ask_full(
    session: &mut Session,
    user: &[u8],
    columns: &[u32],
    vex: &[u32],
) -> Result<Answer, Failure> {
    let system = session
        .get(&[
            oids::oid(oids::SYS_NAME.to_vec()),
            oids::oid(oids::SYS_DESCR.to_vec()),
        ])
        .await?;
    let (all, method, budget) = inventory::full(session, user, columns).await?;
    let mut answer = Answer {
        source: source_of(method, all.len()),
        components: all.into_iter().map(|c| (c, method)).collect(),
        complete: true,
        sys_name: system
            .first()
            .map(|v| value::text(&v.value))
            .unwrap_or_default(),
        sys_descr: system
            .get(1)
            .map(|v| value::text(&v.value))
            .unwrap_or_default(),
        ..Answer::default()
    };
    if !vex.is_empty() && method == Method::SwTable {
        let oids: Vec<_> = vex.iter().map(|&c| oids::vex_column(c)).collect();
        let rows =
            inventory::walk(session, &oids, inventory::repetitions(&budget, oids.len())).await?;
        answer.vex_served = !rows.is_empty();
        for (index, cells) in rows {
            if let Some(v) = vex_row(&index, vex, &cells) {
                answer.vex.push(v);
            }
        }
    }
    Ok(answer)
}

/// One dqiVexTable row: its INDEX { vulnerability ID (length-prefixed), dqiSwIndex } and the
/// cells of `columns`; None for an index that is not one.
fn vex_row(
    index: &[u32],
    columns: &[u32],
    cells: &[Option<crate::wire::VarBindValue>],
) -> Option<Vex> {
    let (&len, rest) = index.split_first()?;
    let len = usize::try_from(len).ok()?;
    let (id, &sw_index) = (rest.get(..len)?, rest.get(len)?);
    let id: Vec<u8> = id
        .iter()
        .map(|&a| u8::try_from(a).unwrap_or(b'?'))
        .collect();
    let cell = |column: u32| {
        columns
            .iter()
            .position(|&c| c == column)
            .and_then(|i| cells.get(i))
            .and_then(|c| c.as_ref())
    };
    let text = |column: u32| cell(column).map(value::text).unwrap_or_default();
    Some(Vex {
        id: String::from_utf8_lossy(&id).into_owned(),
        index: sw_index,
        state: lookup::vex_state(cell(2).and_then(value::integer).unwrap_or(0)).to_string(),
        justification: cell(3)
            .and_then(value::integer)
            .map(lookup::vex_justification)
            .unwrap_or_default()
            .to_string(),
        action: text(4),
        updated: cell(5).and_then(value::rfc3339).unwrap_or_default(),
        detail: text(7),
        subject: text(8),
    })
}

/// Asks every target, at most `concurrency` at once, each keyed at once to its engine in
/// `known` where there is one; `progress` is called after each device with (done, total). Stops asking when `stop` is set (Ctrl-C): devices not yet answered are
/// reported [`Failure::Interrupted`]. Results are in target order.
pub async fn ask_all(
    targets: &[Target],
    known: &KnownEngines,
    plan: Arc<Plan>,
    settings: Settings,
    concurrency: usize,
    stop: Arc<AtomicBool>,
    progress: &(dyn Fn(usize, usize) + Sync),
) -> Vec<DeviceResult> {
    let semaphore = Arc::new(Semaphore::new(concurrency.max(1)));
    let mut tasks = JoinSet::new();
    for (i, target) in targets.iter().enumerate() {
        let target = target.clone();
        let engine = known.get(&target.name).cloned();
        let plan = Arc::clone(&plan);
        let semaphore = Arc::clone(&semaphore);
        let stop = Arc::clone(&stop);
        tasks.spawn(async move {
            let Ok(_permit) = semaphore.acquire_owned().await else {
                return (i, None);
            };
            if stop.load(Ordering::Relaxed) {
                return (i, None);
            }
            (
                i,
                Some(ask(&target, &plan, settings, engine.as_ref()).await),
            )
        });
    }
    let mut results: Vec<Option<DeviceResult>> = vec![None; targets.len()];
    let mut done = 0;
    loop {
        let next = tokio::select! {
            next = tasks.join_next() => next,
            _ = wait_for(&stop) => {
                tasks.abort_all();
                None
            }
        };
        let Some(joined) = next else { break };
        if let Ok((i, Some(result))) = joined {
            results[i] = Some(result);
        }
        done += 1;
        progress(done, targets.len());
    }
    results
        .into_iter()
        .zip(targets)
        .map(|(r, t)| r.unwrap_or_else(|| DeviceResult::unasked(t, Failure::Interrupted)))
        .collect()
}

async fn wait_for(stop: &AtomicBool) {
    while !stop.load(Ordering::Relaxed) {
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
