//! `dqi-query`: the hospital side. Asks many devices one question over SNMPv3 (through the
//! crate's USM [`manager`](crate::manager)), and matches their answers against advisories.
//!
//! | module | owns |
//! |---|---|
//! | `targets` | the targets file: devices, credentials, master keys |
//! | `session` | one device's conversation: discovery (RFC 3414 §4), retries, pacing |
//! | `engines` | each device's engine ID, boots and time remembered across runs (RFC 3414 §2.3) |
//! | `lookup` | the DQI lookup tables and VEX rows: one GetBulk and one Get |
//! | `cyclonedx` | `inventory --cyclonedx`: one CycloneDX 1.6 document per device |
//! | `inventory` | the walks: `dqiSwTable`, `hrSWInstalledTable` (RFC 2790), the budget |
//! | `run` | many devices at once, bounded concurrency, Ctrl-C |
//! | `progress` | the progress bar on a terminal (indicatif) |
//! | `store` | `--store`: every answer in SQLite, and `--offline` |
//! | `purl` | package URLs; `vers:` ranges and version order per ecosystem are [`crate::vers`] and
//! [`crate::version`] (shared with the agent's VEX reader), re-exported here |
//! | `osv`, `osv_zip` | OSV records: reading and matching |
//! | `matching`, `output` | records, and the table, JSON Lines and CSV formats |
//! | `cli` | the command line and exit status |

pub mod cli;
pub mod cyclonedx;
pub mod engines;
pub mod inventory;
pub mod lookup;
pub mod matching;
pub mod oids;
pub mod osv;
pub mod osv_zip;
pub mod output;
pub mod progress;
pub mod purl;
pub mod run;
pub mod session;
pub mod store;
pub mod targets;
pub mod value;

pub use crate::{vers, version};
