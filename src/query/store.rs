//! `--store FILE`: every answer kept in an embedded SQLite database (rusqlite, SQLite bundled),
//! so that a new advisory is matched against the last answers with `--offline` without asking
//! a single device, and "what changed since last week" is one SQL query.
//!
//! Schema (`PRAGMA user_version` 3; every text column is `NOT NULL`, "" when unknown):
//!
//! | table | columns | one row per |
//! |---|---|---|
//! | `runs` | `id` (key), `started` (UTC, `2026-12-05T11:50:00Z`), `command` (`find`, `vuln`, `advisories`, `inventory`), `question` | run |
//! | `devices` | `run`, `target`, `address`, `engine_id`, `status` (`answered` or the record's failure status), `reason`, `complete` (1: the whole inventory was read), `vex_served`, `sys_name`, `sys_descr`, `datagrams` | target asked in a run |
//! | `components` | `run`, `target`, `sw_index`, `name`, `version`, `purl`, `hash` (`alg:hex`), `supplier`, `cpe`, `sw_type`, `end_of_support` (`YYYY-MM-DD`), `parent`, `support`, `method` | component a device answered with |
//! | `vex` | `run`, `target`, `vuln_id`, `sw_index`, `state`, `justification`, `action`, `updated` (RFC 3339), `detail`, `subject` (the last four read with whole inventories only, "" for lookups) | VEX statement read |
//! | `engines` | `target` (key), `address`, `engine_id` (hex), `boots`, `time`, `learned` (seconds since the Unix epoch, UTC, when the engine's time was `time`) | target whose engine an authenticated reply confirmed (the latest) |
//!
//! `engines` lets a run skip discovery (RFC 3414 §4): each target is asked at once with the
//! remembered engine ID, boots and the time estimated from `learned` ([`super::engines`]), as
//! long as its address is the one remembered and the targets file pins no other engine ID.
//! An older store is upgraded in place when opened, keeping every row: version 1 gains the
//! `engines` table, version 2 the `vex` columns `action`, `updated`, `detail` and `subject`
//! ("" in the rows kept).
//!
//! `--offline` answers from the latest run in which each target's whole inventory was read
//! (`advisories` or `inventory`); a target the store holds no such answer for is reported
//! `no-inventory`. Lookups (`find`, `vuln` online) are stored too, as history, but are not
//! whole inventories.
//!
//! The file is created with mode 0600 in a directory created 0700: it lists what every device
//! runs, which is worth keeping from other users.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{Connection, params};

use super::engines::{Known, KnownEngines};
use super::inventory::{Component, Method};
use super::lookup::Vex;
use super::run::{Answer, DeviceResult, Source, source_of};
use super::session::Failure;
use super::targets::Target;

const SCHEMA_VERSION: i64 = 3;

/// Version 1: the answers.
const SCHEMA_V1: &str = "
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY,
    started TEXT NOT NULL,
    command TEXT NOT NULL,
    question TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS devices (
    run INTEGER NOT NULL REFERENCES runs(id),
    target TEXT NOT NULL,
    address TEXT NOT NULL,
    engine_id TEXT NOT NULL,
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    complete INTEGER NOT NULL,
    vex_served INTEGER NOT NULL,
    sys_name TEXT NOT NULL,
    sys_descr TEXT NOT NULL,
    datagrams INTEGER NOT NULL,
    PRIMARY KEY (run, target)
);
CREATE TABLE IF NOT EXISTS components (
    run INTEGER NOT NULL,
    target TEXT NOT NULL,
    sw_index INTEGER NOT NULL,
    name TEXT NOT NULL,
    version TEXT NOT NULL,
    purl TEXT NOT NULL,
    hash TEXT NOT NULL,
    supplier TEXT NOT NULL,
    cpe TEXT NOT NULL,
    sw_type INTEGER NOT NULL,
    end_of_support TEXT NOT NULL,
    parent INTEGER NOT NULL,
    support INTEGER NOT NULL,
    method TEXT NOT NULL,
    FOREIGN KEY (run, target) REFERENCES devices(run, target)
);
CREATE INDEX IF NOT EXISTS components_by_run ON components(run, target);
CREATE TABLE IF NOT EXISTS vex (
    run INTEGER NOT NULL,
    target TEXT NOT NULL,
    vuln_id TEXT NOT NULL,
    sw_index INTEGER NOT NULL,
    state TEXT NOT NULL,
    justification TEXT NOT NULL,
    FOREIGN KEY (run, target) REFERENCES devices(run, target)
);
CREATE INDEX IF NOT EXISTS vex_by_run ON vex(run, target);
";

/// Version 2 adds the engines remembered to skip discovery.
const SCHEMA_V2: &str = "
CREATE TABLE IF NOT EXISTS engines (
    target TEXT PRIMARY KEY,
    address TEXT NOT NULL,
    engine_id TEXT NOT NULL,
    boots INTEGER NOT NULL,
    time INTEGER NOT NULL,
    learned INTEGER NOT NULL
);
";

/// Version 3 adds the VEX columns the CycloneDX export carries.
const SCHEMA_V3: &str = "
ALTER TABLE vex ADD COLUMN action TEXT NOT NULL DEFAULT '';
ALTER TABLE vex ADD COLUMN updated TEXT NOT NULL DEFAULT '';
ALTER TABLE vex ADD COLUMN detail TEXT NOT NULL DEFAULT '';
ALTER TABLE vex ADD COLUMN subject TEXT NOT NULL DEFAULT '';
";

/// An open store.
pub struct Store {
    connection: Connection,
    path: PathBuf,
}

/// The default store: `$XDG_DATA_HOME/dqi-query/answers.sqlite3`, else
/// `$HOME/.local/share/dqi-query/answers.sqlite3`; `None` when neither is set.
pub fn default_path() -> Option<PathBuf> {
    let data = std::env::var_os("XDG_DATA_HOME")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("HOME")
                .filter(|v| !v.is_empty())
                .map(|h| PathBuf::from(h).join(".local/share"))
        })?;
    Some(data.join("dqi-query").join("answers.sqlite3"))
}

impl Store {
    /// Opens (creating when missing) the store at `path`.
    pub fn open(path: &Path) -> Result<Store, String> {
        let err = |e: &dyn std::fmt::Display| format!("store {}: {e}", path.display());
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            let mut builder = std::fs::DirBuilder::new();
            builder.recursive(true);
            #[cfg(unix)]
            std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
            builder.create(dir).map_err(|e| err(&e))?;
        }
        // Created 0600 before SQLite opens it (SQLite would create it under the umask).
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        options.open(path).map_err(|e| err(&e))?;
        let connection = Connection::open(path).map_err(|e| err(&e))?;
        connection
            .busy_timeout(Duration::from_secs(5))
            .map_err(|e| err(&e))?;
        let version: i64 = connection
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| err(&e))?;
        if version > SCHEMA_VERSION {
            return Err(err(&format!(
                "schema version {version} is newer than this dqi-query's ({SCHEMA_VERSION})"
            )));
        }
        // Each step adds tables (IF NOT EXISTS) or columns (once: by the version), all in one
        // transaction with the new version.
        let v3 = if version < 3 { SCHEMA_V3 } else { "" };
        connection
            .execute_batch(&format!(
                "BEGIN; {SCHEMA_V1} {SCHEMA_V2} {v3} PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;"
            ))
            .map_err(|e| err(&e))?;
        Ok(Store {
            connection,
            path: path.to_path_buf(),
        })
    }

    fn err(&self, e: &dyn std::fmt::Display) -> String {
        format!("store {}: {e}", self.path.display())
    }

    /// Keeps the results of one run, in one transaction; the run's ID.
    pub fn record(
        &mut self,
        started: &str,
        command: &str,
        question: &str,
        results: &[DeviceResult],
    ) -> Result<i64, String> {
        let path = self.path.clone();
        let err = |e: rusqlite::Error| format!("store {}: {e}", path.display());
        let tx = self.connection.transaction().map_err(err)?;
        tx.execute(
            "INSERT INTO runs (started, command, question) VALUES (?1, ?2, ?3)",
            params![started, command, question],
        )
        .map_err(err)?;
        let run = tx.last_insert_rowid();
        {
            let mut device = tx
                .prepare(
                    "INSERT OR REPLACE INTO devices (run, target, address, engine_id, status, \
                     reason, complete, vex_served, sys_name, sys_descr, datagrams) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
                )
                .map_err(err)?;
            let mut component = tx
                .prepare(
                    "INSERT INTO components (run, target, sw_index, name, version, purl, hash, \
                     supplier, cpe, sw_type, end_of_support, parent, support, method) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                )
                .map_err(err)?;
            let mut vex = tx
                .prepare(
                    "INSERT INTO vex (run, target, vuln_id, sw_index, state, justification, \
                     action, updated, detail, subject) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(err)?;
            let mut engine = tx
                .prepare(
                    "INSERT OR REPLACE INTO engines (target, address, engine_id, boots, time, \
                     learned) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .map_err(err)?;
            for d in results {
                if let Some(k) = &d.engine {
                    engine
                        .execute(params![
                            d.target,
                            d.address.to_string(),
                            crate::hex::to_hex(&k.engine_id),
                            k.boots,
                            k.time,
                            i64::try_from(k.learned).unwrap_or(i64::MAX),
                        ])
                        .map_err(err)?;
                }
                let datagrams = i64::from(d.counters.sent) + i64::from(d.counters.received);
                let (status, reason, answer) = match &d.outcome {
                    Ok(a) => ("answered".to_string(), String::new(), Some(a)),
                    Err(f) => (f.status().to_string(), f.to_string(), None),
                };
                let empty = Answer::default();
                let a = answer.unwrap_or(&empty);
                device
                    .execute(params![
                        run,
                        d.target,
                        d.address.to_string(),
                        d.engine_id,
                        status,
                        reason,
                        a.complete,
                        a.vex_served,
                        a.sys_name,
                        a.sys_descr,
                        datagrams,
                    ])
                    .map_err(err)?;
                for (c, method) in &a.components {
                    component
                        .execute(params![
                            run,
                            d.target,
                            c.index,
                            c.name,
                            c.version,
                            c.purl,
                            c.hash,
                            c.supplier,
                            c.cpe,
                            c.sw_type,
                            c.end_of_support,
                            c.parent,
                            c.support,
                            method.name(),
                        ])
                        .map_err(err)?;
                }
                for v in &a.vex {
                    vex.execute(params![
                        run,
                        d.target,
                        v.id,
                        v.index,
                        v.state,
                        v.justification,
                        v.action,
                        v.updated,
                        v.detail,
                        v.subject
                    ])
                    .map_err(err)?;
                }
            }
        }
        tx.commit().map_err(err)?;
        Ok(run)
    }

    /// The engines remembered for `targets`, by target name: those at the address the target
    /// has now (another address may be another device).
    pub fn engines(&self, targets: &[Target]) -> Result<KnownEngines, String> {
        let read = || -> Result<KnownEngines, rusqlite::Error> {
            let mut statement = self.connection.prepare(
                "SELECT address, engine_id, boots, time, learned FROM engines WHERE target = ?1",
            )?;
            let mut known = KnownEngines::new();
            for t in targets {
                let row = statement.query_row(params![t.name], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, i64>(2)?,
                        r.get::<_, i64>(3)?,
                        r.get::<_, i64>(4)?,
                    ))
                });
                let (address, engine_id, boots, time, learned) = match row {
                    Ok(row) => row,
                    Err(rusqlite::Error::QueryReturnedNoRows) => continue,
                    Err(e) => return Err(e),
                };
                // A row that does not read back (edited by hand) is ignored: discovery.
                let (Some(engine_id), Ok(boots), Ok(time), Ok(learned)) = (
                    crate::hex::from_hex(&engine_id),
                    u32::try_from(boots),
                    u32::try_from(time),
                    u64::try_from(learned),
                ) else {
                    continue;
                };
                if address == t.address.to_string() {
                    known.insert(
                        t.name.clone(),
                        Known {
                            engine_id,
                            boots,
                            time,
                            learned,
                        },
                    );
                }
            }
            Ok(known)
        };
        read().map_err(|e| self.err(&e))
    }

    /// Each target's latest whole inventory, as a result answered from the store
    /// ([`Method::Store`]); a target without one is `no-inventory`. In target order.
    pub fn latest(&self, targets: &[Target]) -> Result<Vec<DeviceResult>, String> {
        let mut out = Vec::with_capacity(targets.len());
        for t in targets {
            out.push(self.latest_of(t).map_err(|e| self.err(&e))?);
        }
        Ok(out)
    }

    fn latest_of(&self, t: &Target) -> Result<DeviceResult, rusqlite::Error> {
        let mut result = DeviceResult::unasked(
            t,
            Failure::NoInventory(
                "the store holds no whole inventory of this device: ask it once with \
                 `advisories` or `inventory`"
                    .into(),
            ),
        );
        let found = self
            .connection
            .prepare(
                "SELECT run, engine_id, vex_served, sys_name, sys_descr FROM devices \
                 WHERE target = ?1 AND complete = 1 ORDER BY run DESC LIMIT 1",
            )?
            .query_row(params![t.name], |r| {
                Ok((
                    r.get::<_, i64>(0)?,
                    r.get::<_, String>(1)?,
                    r.get::<_, bool>(2)?,
                    r.get::<_, String>(3)?,
                    r.get::<_, String>(4)?,
                ))
            });
        let (run, engine_id, vex_served, sys_name, sys_descr) = match found {
            Ok(row) => row,
            Err(rusqlite::Error::QueryReturnedNoRows) => return Ok(result),
            Err(e) => return Err(e),
        };
        let mut statement = self.connection.prepare(
            "SELECT sw_index, name, version, purl, hash, supplier, cpe, sw_type, \
             end_of_support, parent, support, method FROM components \
             WHERE run = ?1 AND target = ?2 ORDER BY sw_index",
        )?;
        let components = statement
            .query_map(params![run, t.name], |r| {
                Ok((
                    Component {
                        index: r.get(0)?,
                        name: r.get(1)?,
                        version: r.get(2)?,
                        purl: r.get(3)?,
                        hash: r.get(4)?,
                        supplier: r.get(5)?,
                        cpe: r.get(6)?,
                        sw_type: r.get(7)?,
                        end_of_support: r.get(8)?,
                        parent: r.get(9)?,
                        support: r.get(10)?,
                    },
                    r.get::<_, String>(11)?,
                ))
            })?
            .collect::<Result<Vec<_>, _>>()?;
        // A device without the DQI-MIB was walked by hrSWInstalledTable: it still says so.
        let source = match components.first() {
            Some((_, method)) if components.iter().all(|(_, m)| m == method) => {
                Method::from_name(method).map_or(Source::Dqi, |m| source_of(m, components.len()))
            }
            _ => Source::Dqi,
        };
        let components = components
            .into_iter()
            .map(|(c, _)| (c, Method::Store))
            .collect();
        let mut statement = self.connection.prepare(
            "SELECT vuln_id, sw_index, state, justification, action, updated, detail, subject \
             FROM vex WHERE run = ?1 AND target = ?2 ORDER BY vuln_id, sw_index",
        )?;
        let vex = statement
            .query_map(params![run, t.name], |r| {
                Ok(Vex {
                    id: r.get(0)?,
                    index: r.get(1)?,
                    state: r.get(2)?,
                    justification: r.get(3)?,
                    action: r.get(4)?,
                    updated: r.get(5)?,
                    detail: r.get(6)?,
                    subject: r.get(7)?,
                })
            })?
            .collect::<Result<Vec<_>, _>>()?;
        result.engine_id = engine_id;
        result.outcome = Ok(Answer {
            source,
            components,
            vex,
            vex_served,
            complete: true,
            sys_name,
            sys_descr,
        });
        Ok(result)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_dir::TempDir;

    #[test]
    fn a_version_1_store_gains_the_engines_table_and_keeps_its_answers() {
        let dir = TempDir::new("store-v1");
        let path = dir.join("answers.sqlite3");
        {
            let old = Connection::open(&path).expect("open");
            old.execute_batch(SCHEMA_V1).expect("version 1 schema");
            old.execute_batch(
                "INSERT INTO runs VALUES (1, '2026-11-28T09:00:00Z', 'inventory', '');
                 INSERT INTO devices VALUES (1, 'pump', '127.0.0.1:161', '80001f8804aa', \
                 'answered', '', 1, 0, 'pump', 'Acme pump', 8);
                 INSERT INTO components VALUES (1, 'pump', 1, 'log4j-core', '2.14.1', \
                 'pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1', '', '', '', 4, '', 0, \
                 0, 'dqiSwTable');
                 INSERT INTO vex VALUES (1, 'pump', 'CVE-2021-44228', 1, 'affected', '');
                 PRAGMA user_version = 1;",
            )
            .expect("version 1 rows");
        }
        let store = Store::open(&path).expect("a version 1 store opens");
        let version: i64 = store
            .connection
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .expect("version");
        assert_eq!(version, 3);
        let kept: (String, String, i64) = store
            .connection
            .query_row(
                "SELECT d.engine_id, c.version, d.datagrams FROM devices d \
                 JOIN components c USING (run, target)",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .expect("the version 1 rows");
        assert_eq!(kept, ("80001f8804aa".into(), "2.14.1".into(), 8));
        let engines: i64 = store
            .connection
            .query_row("SELECT count(*) FROM engines", [], |r| r.get(0))
            .expect("the engines table");
        assert_eq!(engines, 0);
        let vex: (String, String, String) = store
            .connection
            .query_row("SELECT vuln_id, state, action FROM vex", [], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .expect("the version 1 VEX row, with the version 3 columns");
        assert_eq!(
            vex,
            ("CVE-2021-44228".into(), "affected".into(), String::new())
        );
        drop(store);
        // Opening again changes nothing (the columns are not added twice).
        Store::open(&path).expect("a version 3 store opens");
    }

    #[test]
    fn engines_are_remembered_per_target_at_its_address() {
        use super::super::targets::Targets;
        let dir = TempDir::new("store-engines");
        let mut store = Store::open(&dir.join("answers.sqlite3")).expect("open");
        let file = "[credentials.c]\nuser = \"u\"\nauth = \"SHA-256\"\nauth_password = \"password1\"\n\
                    [[target]]\nname = \"pump\"\naddress = \"127.0.0.1:1161\"\ncredentials = \"c\"\n\
                    [[target]]\nname = \"ct\"\naddress = \"127.0.0.1:2161\"\ncredentials = \"c\"\n";
        let targets = Targets::parse(file, Path::new("targets.toml"))
            .expect("targets")
            .targets;
        let known = Known {
            engine_id: vec![0x80, 0, 0x1f, 0x88, 4, 1],
            boots: 3,
            time: 500,
            learned: 1_700_000_000,
        };
        let mut results: Vec<DeviceResult> = targets
            .iter()
            .map(|t| DeviceResult::unasked(t, Failure::Interrupted))
            .collect();
        results[0].engine = Some(known.clone());
        store
            .record("2026-12-05T19:00:00Z", "find", "x", &results)
            .expect("record");
        let got = store.engines(&targets).expect("engines");
        assert_eq!(got.len(), 1);
        assert_eq!(got.get("pump"), Some(&known));
        // The same name at another address may be another device: not remembered.
        let moved = Targets::parse(
            &file.replace("127.0.0.1:1161", "127.0.0.2:1161"),
            Path::new("targets.toml"),
        )
        .expect("targets")
        .targets;
        assert!(store.engines(&moved).expect("engines").is_empty());
        // A row edited by hand into something that does not read back is not used: the
        // target is discovered as on a first run.
        for edit in [
            "UPDATE engines SET engine_id = 'not hex'",
            "UPDATE engines SET engine_id = '80001f880401', boots = -1",
            "UPDATE engines SET boots = 3, time = 4294967296",
        ] {
            store.connection.execute(edit, []).expect("edit");
            assert!(
                store.engines(&targets).expect("engines").is_empty(),
                "{edit}"
            );
        }
    }
}
