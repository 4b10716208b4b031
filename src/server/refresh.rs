//! The device snapshot while the agent runs: the first load at start-up, the refresh on the
//! interval and on SIGHUP, and the atomic swap of the served tree.
//!
//! This module owns [`ServedDevice`] (the data source, the last good snapshot and the `sysUpTime` at
//! which each part of it last changed) and the refresh task. The order of a refresh is what makes
//! it safe to run beside requests:
//!
//! 1. on a blocking thread (`spawn_blocking`), never on a socket task: read every file through
//!    the [`DeviceSource`], compare with the last good snapshot to move the change stamps, and
//!    build the whole tree with [`served::assemble`]: standard, device and the agent's own
//!    (budget) objects together;
//! 2. on the refresh task: swap the new tree into the agent under its lock, one pointer-sized
//!    move, so a request sees either the old tree or the new one, never a mix, and never waits
//!    for a file; the old tree is freed after the lock is released.
//!
//! A refresh that fails (a file missing, a JSON path or TOML key the loader refuses) keeps the
//! last good snapshot and rebuilds its tree with `dqiSwRefreshStatus` =
//! `failedServingPrevious(2)`, so the stale data is visible from the network. The error (file,
//! key or JSON path, reason) is logged once when it appears, not again while the same error
//! repeats, and the recovery is logged when a later refresh succeeds.

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::watch;

use super::Shared;
use crate::device::model::DeviceSnapshot;
use crate::device::source::summary;
use crate::device::{DeviceConfig, DeviceError, DeviceSource, FileSource};
use crate::mib::Tree;
use crate::mib::derived::Changed;
use crate::mib::dqi::Stamps;
use crate::mib::objects::{Engine, System};
use crate::mib::served::{self, AgentObjects, Entries, Served};

/// The software index map's file in the state directory: the stable `dqiSwIndex` bindings.
pub const SOFTWARE_INDEX_FILE: &str = "software-index";

/// The device data the agent serves, and what it takes to rebuild the tree from it.
pub struct ServedDevice {
    /// Where snapshots come from: the files of `[device]`, or an embedder's source.
    source: Box<dyn DeviceSource + Send + Sync>,
    /// The configured system group, before the identity refines it.
    base: System,
    /// The engine objects, fixed for the run.
    engine: Engine,
    /// `[device] refresh_seconds`; 0 refreshes only on SIGHUP.
    refresh_seconds: u64,
    /// The last good snapshot and its stamps; touched only at start-up and by the refresh task.
    last: Mutex<Last>,
}

/// The last good snapshot, when each part of it last changed, and how the latest attempt went.
struct Last {
    snapshot: DeviceSnapshot,
    changed: Changed,
    /// The latest refresh failed and `snapshot` is older than the files.
    failed: bool,
    /// The error text last logged, so a repeating failure is logged once.
    error: Option<String>,
    /// sysUpTime of the last successful read; 0 for the start-up load.
    refreshed_uptime: u32,
    /// Refreshes that found the configuration facts or services changed since start
    /// (`dqiCfgChanges`, a Counter32: wraps).
    config_changes: u32,
}

impl ServedDevice {
    /// Opens the files of `config` (paths already resolved) with the index map kept in
    /// `state_dir`, and loads the first snapshot. Any error is a start-up error.
    pub fn open(
        config: &DeviceConfig,
        state_dir: &Path,
        base: System,
        engine: Engine,
    ) -> Result<ServedDevice, DeviceError> {
        let source = FileSource::new(config.clone(), Some(state_dir.join(SOFTWARE_INDEX_FILE)))?;
        ServedDevice::with_source(Box::new(source), config.refresh_seconds, base, engine)
    }

    /// A device fed by `source` (an embedder's data), refreshed every `refresh_seconds` (0: only
    /// on SIGHUP). Loads the first snapshot now.
    pub fn with_source(
        source: Box<dyn DeviceSource + Send + Sync>,
        refresh_seconds: u64,
        base: System,
        engine: Engine,
    ) -> Result<ServedDevice, DeviceError> {
        let mut snapshot = source.snapshot()?;
        // The agent has no community-based SNMP: what dqiCfgSnmpCommunity reports is the agent's
        // own fact, never the description file's.
        snapshot.configuration.community_snmp = false;
        tracing::info!("device: {}", summary(&snapshot));
        Ok(ServedDevice {
            source,
            base,
            engine,
            refresh_seconds,
            last: Mutex::new(Last {
                snapshot,
                changed: Changed::default(),
                failed: false,
                error: None,
                refreshed_uptime: 0,
                config_changes: 0,
            }),
        })
    }

    /// The device's objects for the last good snapshot (for the agent's first tree; later
    /// ones come from [`ServedDevice::refresh`]).
    pub fn tree(&self) -> Tree {
        Tree::from_entries(self.objects(&self.last.lock()))
    }

    /// Seconds between refreshes; 0 when only SIGHUP refreshes.
    pub fn refresh_seconds(&self) -> u64 {
        self.refresh_seconds
    }

    /// Reads the source again and returns the tree to serve, with the agent's own objects: the
    /// new snapshot's, or on failure the last good one's marked `failedServingPrevious`; and the
    /// `dqiSwIndex` of each component whose end-of-support date passed since the last good
    /// read ([`crate::device::Software::ended_support`]), for `dqiSwEndOfSupportReached`.
    /// `uptime` is sysUpTime now, in hundredths, the value a change is stamped with. Blocking:
    /// file I/O and parsing.
    pub fn refresh(&self, uptime: u32, agent: &AgentObjects) -> (Served, Vec<u32>) {
        let result = self.source.snapshot();
        let mut last = self.last.lock();
        let mut ended = Vec::new();
        match result {
            Ok(mut snapshot) => {
                snapshot.configuration.community_snmp = false;
                ended = snapshot.software.ended_support(&last.snapshot.software);
                let changed = last.changed.after(&last.snapshot, &snapshot, uptime);
                if last.failed {
                    tracing::info!("device data readable again; serving the new snapshot");
                }
                if changed.software != last.changed.software {
                    tracing::info!("device software changed: {}", summary(&snapshot));
                } else {
                    tracing::debug!("device data refreshed: {}", summary(&snapshot));
                }
                let config_changes = if changed.config == last.changed.config {
                    last.config_changes
                } else {
                    last.config_changes.wrapping_add(1)
                };
                *last = Last {
                    snapshot,
                    changed,
                    failed: false,
                    error: None,
                    refreshed_uptime: uptime,
                    config_changes,
                };
            }
            Err(e) => {
                let text = e.to_string();
                if last.error.as_deref() == Some(text.as_str()) {
                    tracing::debug!(error = %text, "device data refresh still failing");
                } else {
                    tracing::error!(
                        error = %text,
                        "device data refresh failed; serving the previous snapshot"
                    );
                }
                last.failed = true;
                last.error = Some(text);
            }
        }
        (served::assemble(self.objects(&last), agent), ended)
    }

    /// The device's objects for `last`.
    fn objects(&self, last: &Last) -> Entries {
        let stamps = Stamps {
            software_changed: last.changed.software,
            config_changed: last.changed.config,
            health_changed: last.changed.health,
            entity_changed: last.changed.entity,
            refreshed: last.snapshot.software.last_refresh(),
            refresh_failed: last.failed,
            refresh_interval: u32::try_from(self.refresh_seconds).unwrap_or(u32::MAX),
            agent_version: env!("CARGO_PKG_VERSION"),
            refreshed_uptime: last.refreshed_uptime,
            config_changes: last.config_changes,
            vex_changed: last.changed.vex,
        };
        served::device_objects(&self.base, &self.engine, Some((&last.snapshot, &stamps)))
    }
}

/// What the refresh task needs: the device (if `[device]` is configured) and the SIGHUP stream,
/// registered before the agent reports that it started so that an early SIGHUP is not fatal.
pub struct Refresher {
    device: Option<Arc<ServedDevice>>,
    #[cfg(unix)]
    hangup: Option<tokio::signal::unix::Signal>,
}

impl Refresher {
    /// Registers the SIGHUP handler (Unix) and returns the refresher for `device`. Must run
    /// inside a tokio runtime. Without a device, SIGHUP is logged and otherwise ignored rather
    /// than ending the agent, as it would by default.
    pub fn new(device: Option<Arc<ServedDevice>>) -> Refresher {
        #[cfg(unix)]
        let hangup = {
            use tokio::signal::unix::{SignalKind, signal};
            match signal(SignalKind::hangup()) {
                Ok(s) => Some(s),
                Err(e) => {
                    tracing::warn!(error = %e, "cannot handle SIGHUP; device data refreshes only on the interval");
                    None
                }
            }
        };
        Refresher {
            device,
            #[cfg(unix)]
            hangup,
        }
    }
}

/// The refresh task: waits for the interval or SIGHUP, refreshes on a blocking thread, swaps the
/// tree in. Ends when `stop` changes, at once, even while a refresh runs (the refresh thread is
/// abandoned; the binary shuts its runtime down without waiting for blocking threads).
pub(super) async fn run(
    mut refresher: Refresher,
    shared: Arc<Shared>,
    mut stop: watch::Receiver<bool>,
) {
    let period = refresher
        .device
        .as_ref()
        .map(|d| d.refresh_seconds())
        .filter(|&s| s > 0)
        .map(Duration::from_secs);
    let own_objects = shared.agent.lock().own_objects();
    let mut interval = period.map(|p| {
        // The first tick is one period after start: the start-up load is the first read.
        let mut i = tokio::time::interval_at(tokio::time::Instant::now() + p, p);
        // A refresh slower than the period delays the next one instead of bunching them.
        i.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        i
    });
    loop {
        let cause = tokio::select! {
            biased;
            _ = stop.changed() => return,
            () = hangup(&mut refresher) => "SIGHUP",
            () = tick(&mut interval) => "interval",
        };
        let Some(device) = refresher.device.clone() else {
            tracing::info!("{cause}: no [device] section, nothing to reload");
            continue;
        };
        // An operator's SIGHUP always gets a line, even when nothing changed; the interval's
        // refreshes are logged only when something did.
        if cause == "SIGHUP" {
            tracing::info!("SIGHUP: re-reading the [device] files");
        } else {
            tracing::debug!("refreshing device data ({cause})");
        }
        let uptime = shared.uptime_ticks();
        let agent = own_objects.clone();
        let refreshing = tokio::task::spawn_blocking(move || device.refresh(uptime, &agent));
        // Shutdown never waits for a refresh: a slow or stuck read (a huge file, a hung network
        // file system) is abandoned, its thread left to end with the process.
        let refreshed = tokio::select! {
            biased;
            _ = stop.changed() => {
                tracing::info!("stopping during a device data refresh; the refresh is abandoned");
                return;
            }
            refreshed = refreshing => refreshed,
        };
        match refreshed {
            Ok((tree, ended)) => {
                let now = shared.now();
                let old = {
                    let mut agent = shared.agent.lock();
                    let old = agent.refreshed(tree, now);
                    agent.ended_support(&ended, now);
                    old
                };
                if !ended.is_empty() {
                    tracing::info!(
                        components = ended.len(),
                        "device software reached its end-of-support date"
                    );
                }
                // Freed outside the lock and off the socket thread (a large tree takes
                // milliseconds to drop), then the freed pages go back to the system so an
                // inventory that shrank does not keep the old one's memory.
                tokio::task::spawn_blocking(move || {
                    drop(old);
                    crate::device::memory::release();
                });
            }
            // A panic in a loader: the previous tree stays, and so does the agent.
            Err(e) => tracing::error!(error = %e, "device data refresh stopped unexpectedly"),
        }
    }
}

async fn tick(interval: &mut Option<tokio::time::Interval>) {
    match interval {
        Some(i) => {
            i.tick().await;
        }
        None => std::future::pending().await,
    }
}

#[cfg(unix)]
async fn hangup(refresher: &mut Refresher) {
    match refresher.hangup.as_mut() {
        Some(s) => {
            if s.recv().await.is_none() {
                // The signal driver is gone; nothing more will arrive.
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending().await,
    }
}

#[cfg(not(unix))]
async fn hangup(_refresher: &mut Refresher) {
    std::future::pending().await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::device::StaticSource;
    use crate::mib::{Entry, Value, dqi};
    use std::sync::atomic::{AtomicUsize, Ordering};

    /// A source whose answers the test scripts: `Ok` snapshots or errors, in turn.
    struct Scripted {
        answers: Vec<Result<DeviceSnapshot, DeviceError>>,
        next: AtomicUsize,
    }

    impl DeviceSource for Scripted {
        fn snapshot(&self) -> Result<DeviceSnapshot, DeviceError> {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            self.answers[i.min(self.answers.len() - 1)].clone()
        }
    }

    fn base() -> System {
        System {
            description: "base".into(),
            object_id: vec![1, 3, 6, 1, 4, 1, 8072, 3, 2, 10],
            contact: String::new(),
            name: String::new(),
            location: String::new(),
            services: 72,
            or_entries: System::standard_or_entries(),
        }
    }

    fn engine() -> Engine {
        Engine {
            engine_id: vec![0x80, 0, 0x1f, 0x88, 4, b'x'],
            max_message_size: 1500,
        }
    }

    fn snapshot(serial: &str, health: &str) -> DeviceSnapshot {
        let mut s = DeviceSnapshot::default();
        s.identity.manufacturer = "Acme".into();
        s.identity.serial = serial.into();
        s.health.reason = health.into();
        s.configuration.community_snmp = true;
        s
    }

    fn dqi_oid(arcs: &[u32]) -> Vec<u32> {
        dqi::DQI_ROOT.iter().chain(arcs).copied().collect()
    }

    fn refresh_status(tree: &Tree) -> Option<&Entry> {
        tree.get(&dqi_oid(&[1, 4, 3, 0]))
    }

    /// The device's tree after a refresh at `uptime`, without the agent's own objects.
    fn refreshed(device: &ServedDevice, uptime: u32) -> Tree {
        device
            .refresh(uptime, &AgentObjects::none())
            .0
            .tree()
            .clone()
    }

    #[test]
    fn stamps_move_only_with_content() {
        let a = snapshot("1", "");
        let c0 = Changed::default();
        assert_eq!(c0.after(&a, &a.clone(), 500), c0);
        let b = snapshot("2", "");
        let c1 = c0.after(&a, &b, 500);
        assert_eq!(c1, Changed { entity: 500, ..c0 });
        let c = snapshot("2", "fan");
        let c2 = c1.after(&b, &c, 0);
        assert_eq!(
            c2.health, 1,
            "a change at sysUpTime 0 still reads as a change"
        );
        assert_eq!(c2.entity, 500);
        assert_eq!((c2.software, c2.config), (0, 0));
    }

    #[test]
    fn a_failed_refresh_serves_the_previous_snapshot_marked() {
        let source = Scripted {
            answers: vec![
                Ok(snapshot("1", "")),
                Err(DeviceError::Sbom {
                    file: "a.json".into(),
                    path: "components[3].hashes[0].alg".into(),
                    reason: "unknown algorithm".into(),
                }),
                Ok(snapshot("2", "")),
            ],
            next: AtomicUsize::new(0),
        };
        let device = ServedDevice::with_source(Box::new(source), 0, base(), engine()).unwrap();
        let serial = dqi_oid(&[1, 1, 5, 0]);
        let first = device.tree();
        assert_eq!(
            refresh_status(&first),
            Some(&Entry::Value(Value::Integer(1)))
        );

        let failed = refreshed(&device, 700);
        assert_eq!(
            refresh_status(&failed),
            Some(&Entry::Value(Value::Integer(2)))
        );
        assert_eq!(failed.get(&serial), first.get(&serial), "old data kept");
        assert_eq!(failed.len(), first.len());

        let recovered = refreshed(&device, 900);
        assert_eq!(
            refresh_status(&recovered),
            Some(&Entry::Value(Value::Integer(1)))
        );
        assert_eq!(
            recovered.get(&serial),
            Some(&Entry::Value(Value::octets("2")))
        );
        assert!(
            !device.last.lock().snapshot.configuration.community_snmp,
            "the agent, not the source, says whether community SNMP is on"
        );
        let last = device.last.lock();
        assert_eq!(last.changed.entity, 900);
        assert_eq!(last.refreshed_uptime, 900);
        assert_eq!(last.config_changes, 0);
    }

    #[test]
    fn configuration_changes_are_counted() {
        let mut changed = snapshot("1", "");
        changed.configuration.change_count = 8;
        let source = Scripted {
            answers: vec![
                Ok(snapshot("1", "")),
                Ok(changed.clone()),
                Ok(changed),
                Ok(snapshot("1", "")),
            ],
            next: AtomicUsize::new(0),
        };
        let device = ServedDevice::with_source(Box::new(source), 0, base(), engine()).unwrap();
        for uptime in [100, 200, 300] {
            refreshed(&device, uptime);
        }
        let last = device.last.lock();
        assert_eq!(last.config_changes, 2, "changed, same, changed back");
        assert_eq!(last.changed.config, 300);
        assert_eq!(last.refreshed_uptime, 300);
    }

    #[test]
    fn the_tree_holds_standard_and_device_objects() {
        let device = ServedDevice::with_source(
            Box::new(StaticSource(snapshot("7", ""))),
            300,
            base(),
            engine(),
        )
        .unwrap();
        let tree = device.tree();
        assert!(
            tree.get(&[1, 3, 6, 1, 2, 1, 1, 3, 0]).is_some(),
            "sysUpTime"
        );
        assert!(tree.has_subtree(dqi::DQI_ROOT));
        assert_eq!(device.refresh_seconds(), 300);
    }

    #[test]
    fn a_broken_source_at_start_up_is_an_error() {
        let source = Scripted {
            answers: vec![Err(DeviceError::Io {
                file: "/nowhere/device.toml".into(),
                reason: "No such file or directory".into(),
            })],
            next: AtomicUsize::new(0),
        };
        let err = ServedDevice::with_source(Box::new(source), 0, base(), engine())
            .err()
            .unwrap();
        assert_eq!(
            err.to_string(),
            "/nowhere/device.toml: No such file or directory"
        );
    }
}
