//! The `dqi-query` command line: arguments, the run, the output and the exit status.
//!
//! Exit status: 0 nothing found; 1 something found (a component, an affected or unknown
//! version, a VEX "affected"); 2 a usage or configuration error; 3 some devices could not be
//! asked, or serve no DQI-MIB and so could not answer a question about purls (`no-purl`), which
//! wins over 0 and 1 because the answer is incomplete. Ctrl-C stops the asking:
//! what was answered is printed, the devices not yet answered are `interrupted`, and the
//! status is 3.

use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use clap::{Parser, Subcommand, ValueEnum};

use super::cyclonedx;
use super::inventory;
use super::matching;
use super::osv::{self, Advisory};
use super::output::{self, Format, Record};
use super::progress::Progress;
use super::run::{self, DeviceResult, Plan, Selector};
use super::session::Settings;
use super::store::{self, Store};
use super::targets::Targets;
use super::vers::VersRange;
use crate::device::Timestamp;

/// Asks a hospital's devices one question over SNMPv3, and matches their answers against
/// advisories.
#[derive(Debug, Parser)]
#[command(name = "dqi-query", version)]
pub struct Cli {
    /// The targets file: devices and the credentials to ask them with.
    #[arg(long, global = true, default_value = "targets.toml")]
    pub targets: PathBuf,
    /// Output format (default: table on a terminal, jsonl otherwise).
    #[arg(long, global = true, value_enum)]
    pub format: Option<FormatArg>,
    /// Devices asked at the same time.
    #[arg(long, global = true, default_value_t = 64)]
    pub concurrency: usize,
    /// Time to wait for a reply before the first retry ("1s", "500ms"); each retry doubles it.
    #[arg(long, global = true, default_value = "1s", value_parser = parse_duration)]
    pub timeout: Duration,
    /// Retries after a request's first try.
    #[arg(long, global = true, default_value_t = 2)]
    pub retries: u32,
    /// The answers' database (SQLite), where every run is kept [default:
    /// $XDG_DATA_HOME/dqi-query/answers.sqlite3, else ~/.local/share/dqi-query/answers.sqlite3].
    #[arg(long, global = true, value_name = "FILE")]
    pub store: Option<PathBuf>,
    /// Open no store: keep nothing of this run.
    #[arg(long, global = true, conflicts_with_all = ["store", "offline"])]
    pub no_store: bool,
    /// Ask no device: answer from each target's latest whole inventory in the store (kept by
    /// an earlier `advisories` or `inventory` run).
    #[arg(long, global = true)]
    pub offline: bool,
    /// What to ask.
    #[command(subcommand)]
    pub command: Command,
}

/// `--format`.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// Aligned columns.
    Table,
    /// JSON Lines.
    Jsonl,
    /// CSV with a header row.
    Csv,
}

/// The questions.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Which devices run a component: a purl (pkg:maven/org.apache.logging.log4j/log4j-core)
    /// or a name (log4j-core, any ecosystem).
    Find {
        /// A purl, with or without version, or a component name.
        what: String,
        /// Only versions in this purl vers range, e.g. 'vers:maven/>=2.0.0-beta9|<2.15.0'.
        #[arg(long)]
        range: Option<String>,
    },
    /// What each device says about one vulnerability (its VEX statement) and, with --osv,
    /// which of its components the advisory's ranges contain.
    Vuln {
        /// The vulnerability ID: CVE-..., GHSA-..., or any OSV ID or alias.
        id: String,
        /// OSV records: a .json file, a directory of them, or OSV's all.zip.
        #[arg(long)]
        osv: Option<PathBuf>,
    },
    /// Every OSV record in PATH against every device's whole inventory.
    Advisories {
        /// OSV records: a .json file, a directory of them, or OSV's all.zip.
        #[arg(long)]
        osv: PathBuf,
    },
    /// Every device's whole inventory, one record per component; with --cyclonedx, also one
    /// CycloneDX 1.6 JSON document per device.
    Inventory {
        /// Write TARGET.cdx.json for each device answered into this directory (created if
        /// missing; files of the same name are replaced).
        #[arg(long, value_name = "OUTDIR")]
        cyclonedx: Option<PathBuf>,
    },
}

fn parse_duration(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let (number, scale) = if let Some(ms) = text.strip_suffix("ms") {
        (ms, 0.001)
    } else if let Some(s) = text.strip_suffix('s') {
        (s, 1.0)
    } else {
        (text, 1.0)
    };
    let value: f64 = number
        .trim()
        .parse()
        .map_err(|_| format!("{text:?} is not a duration such as 1s or 500ms"))?;
    if !(value > 0.0 && value * scale <= 60.0) {
        return Err(format!(
            "{text:?}: a timeout is more than 0 and at most 60 s"
        ));
    }
    Ok(Duration::from_secs_f64(value * scale))
}

/// Exit status for a usage or configuration error.
pub const EXIT_USAGE: u8 = 2;

/// Runs the command line; the process exit status.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return if e.use_stderr() {
                ExitCode::from(EXIT_USAGE)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    match run(cli) {
        Ok(code) => ExitCode::from(code),
        Err(message) => {
            eprintln!("dqi-query: {message}");
            ExitCode::from(EXIT_USAGE)
        }
    }
}

/// The question, prepared before any device is asked (so configuration errors come first).
enum Question {
    Find {
        selector: Selector,
        range: Option<VersRange>,
    },
    Vuln {
        id: String,
        advisory: Option<Advisory>,
    },
    Advisories(Vec<Advisory>),
    Inventory(Option<PathBuf>),
}

fn prepare(command: &Command) -> Result<Question, String> {
    Ok(match command {
        Command::Find { what, range } => {
            let range = match range {
                None => None,
                Some(text) => {
                    Some(VersRange::parse(text).map_err(|e| format!("--range {text:?}: {e}"))?)
                }
            };
            if what.trim().is_empty() {
                return Err("find: name a component or a purl".into());
            }
            Question::Find {
                selector: Selector::parse(what),
                range,
            }
        }
        Command::Vuln { id, osv } => {
            let advisory = match osv {
                None => None,
                Some(path) => {
                    let all = osv::load(path).map_err(|e| e.to_string())?;
                    let named = all.into_iter().find(|a| a.is_named(id));
                    Some(named.ok_or_else(|| {
                        format!("{}: no OSV record with ID or alias {id}", path.display())
                    })?)
                }
            };
            Question::Vuln {
                id: id.clone(),
                advisory,
            }
        }
        Command::Advisories { osv } => {
            let all = osv::load(osv).map_err(|e| e.to_string())?;
            if all.is_empty() {
                return Err(format!("{}: no OSV records", osv.display()));
            }
            Question::Advisories(all)
        }
        Command::Inventory { cyclonedx } => Question::Inventory(cyclonedx.clone()),
    })
}

impl Question {
    fn plan(&self) -> Plan {
        match self {
            Question::Find { selector, .. } => Plan::Lookup {
                selectors: vec![selector.clone()],
                vuln: None,
            },
            Question::Vuln { id, advisory } => {
                let selectors = advisory
                    .iter()
                    .flat_map(|a| a.purl_keys())
                    .filter_map(|k| super::purl::Purl::parse(&k))
                    .map(Selector::Purl)
                    .collect();
                Plan::Lookup {
                    selectors,
                    vuln: Some(
                        advisory
                            .as_ref()
                            .map_or(id.clone(), |a| a.display_id().to_string()),
                    ),
                }
            }
            Question::Advisories(_) => Plan::Full {
                columns: &inventory::RECORD_COLUMNS,
                vex: &inventory::VEX_COLUMNS,
            },
            // With the VEX rows: the store's latest whole inventory is what `--offline`
            // matches, and it must carry what the device says about each vulnerability.
            Question::Inventory(_) => Plan::Full {
                columns: &inventory::SBOM_COLUMNS,
                vex: &inventory::VEX_COLUMNS,
            },
        }
    }

    fn records(&self, results: &[DeviceResult]) -> Vec<Record> {
        match self {
            Question::Find { selector, range } => matching::find(results, selector, range.as_ref()),
            Question::Vuln { id, advisory } => matching::vuln(results, id, advisory.as_ref()),
            Question::Advisories(all) => matching::advisories(results, all),
            Question::Inventory(_) => matching::inventory(results),
        }
    }
}

fn run(cli: Cli) -> Result<u8, String> {
    let question = prepare(&cli.command)?;
    let targets = Targets::load(&cli.targets).map_err(|e| e.to_string())?;
    let format = match cli.format {
        Some(FormatArg::Table) => Format::Table,
        Some(FormatArg::Jsonl) => Format::Jsonl,
        Some(FormatArg::Csv) => Format::Csv,
        None if std::io::stdout().is_terminal() => Format::Table,
        None => Format::Jsonl,
    };
    let settings = Settings {
        timeout: cli.timeout,
        retries: cli.retries,
    };
    let mut store = if cli.no_store {
        None
    } else {
        let path = match &cli.store {
            Some(path) => path.clone(),
            None => store::default_path().ok_or(
                "no --store given and neither XDG_DATA_HOME nor HOME is set (or give --no-store)",
            )?,
        };
        Some(Store::open(&path)?)
    };
    let now = Timestamp::from_unix_seconds(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs()),
    );
    let stop = Arc::new(AtomicBool::new(false));
    let started = std::time::Instant::now();
    let results = match &store {
        Some(store) if cli.offline => store.latest(&targets.targets)?,
        None if cli.offline => {
            return Err("--offline answers from the store: drop --no-store".into());
        }
        _ => {
            let known = match &store {
                Some(store) => store.engines(&targets.targets)?,
                None => Default::default(),
            };
            ask(&cli, &targets, &known, question.plan(), settings, &stop)?
        }
    };
    let elapsed = started.elapsed();
    if let Some(store) = store.as_mut().filter(|_| !cli.offline) {
        let (command, asked) = cli.command.describe();
        if let Err(e) = store.record(&cyclonedx::iso(&now), command, &asked, &results) {
            eprintln!("dqi-query: warning: this run's answers were not kept: {e}");
        }
    }
    if let Question::Inventory(Some(dir)) = &question {
        let written = cyclonedx::write_all(dir, &results, &now)?;
        eprintln!(
            "dqi-query: {} CycloneDX documents written to {}",
            written.len(),
            dir.display()
        );
    }
    let records = question.records(&results);
    let mut stdout = std::io::stdout().lock();
    output::write(&mut stdout, format, &records).map_err(|e| format!("writing output: {e}"))?;
    let _ = stdout.flush();
    summary(&results, &records, elapsed, stop.load(Ordering::Relaxed));
    Ok(exit_code(&records))
}

/// Asks every target (the live run), with a progress bar when stderr is a terminal and
/// Ctrl-C stopping the asking.
fn ask(
    cli: &Cli,
    targets: &Targets,
    known: &super::engines::KnownEngines,
    plan: Plan,
    settings: Settings,
    stop: &Arc<AtomicBool>,
) -> Result<Vec<DeviceResult>, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("cannot start the runtime: {e}"))?;
    let progress = Progress::new(std::io::stderr().is_terminal(), targets.targets.len());
    let results = runtime.block_on(async {
        let flag = Arc::clone(stop);
        tokio::spawn(async move {
            if tokio::signal::ctrl_c().await.is_ok() {
                flag.store(true, Ordering::Relaxed);
            }
        });
        run::ask_all(
            &targets.targets,
            known,
            Arc::new(plan),
            settings,
            cli.concurrency,
            Arc::clone(stop),
            &|done, _| progress.update(done),
        )
        .await
    });
    progress.finish();
    Ok(results)
}

impl Command {
    /// The command's name and its question, as the store keeps them.
    fn describe(&self) -> (&'static str, String) {
        match self {
            Command::Find { what, range } => (
                "find",
                range
                    .as_ref()
                    .map_or(what.clone(), |r| format!("{what} --range {r}")),
            ),
            Command::Vuln { id, .. } => ("vuln", id.clone()),
            Command::Advisories { osv } => ("advisories", osv.display().to_string()),
            Command::Inventory { .. } => ("inventory", String::new()),
        }
    }
}

/// The exit status of a finished run (see the module docs).
pub fn exit_code(records: &[Record]) -> u8 {
    if records.iter().any(Record::is_failure) {
        3
    } else if records.iter().any(Record::is_finding) {
        1
    } else {
        0
    }
}

fn summary(results: &[DeviceResult], records: &[Record], elapsed: Duration, interrupted: bool) {
    let answered = results.iter().filter(|r| r.outcome.is_ok()).count();
    let without_dqi = results
        .iter()
        .filter(|r| {
            r.outcome
                .as_ref()
                .is_ok_and(|a| a.source != run::Source::Dqi)
        })
        .count();
    let without_dqi = if without_dqi > 0 {
        format!(" ({without_dqi} without DQI-MIB)")
    } else {
        String::new()
    };
    let datagrams: u64 = results
        .iter()
        .map(|r| u64::from(r.counters.sent + r.counters.received))
        .sum();
    let findings = records.iter().filter(|r| r.is_finding()).count();
    eprintln!(
        "dqi-query: {} devices, {answered} answered{without_dqi}, {} not asked; {findings} findings; {datagrams} datagrams; {:.2} s{}",
        results.len(),
        results.len() - answered,
        elapsed.as_secs_f64(),
        if interrupted { " (interrupted)" } else { "" }
    );
}
