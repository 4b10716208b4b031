//! `dqi-agent`: the Device Query Interface, a read-only SNMPv3 agent for connected medical devices.
//!
//! A hospital's security team asks a device who it is, how it is configured and which software it
//! runs; the device answers from data gathered in advance, two packets per question, through
//! SNMPv3 with the User-based Security Model so that the tools hospitals already run can poll it.
//!
//! # Layout
//!
//! The protocol core does no I/O. [`agent::Agent::handle`] takes one datagram, its source address
//! and the current [`time::Instant`], and writes at most one reply datagram. It never reads a
//! clock, a socket, a file or a random source, so it builds as `#![no_std]` + `alloc`
//! (`cargo build --no-default-features`) and embeds in any network stack.
//!
//! The pipeline runs in cost order, cheapest check first:
//!
//! | step | module | RFC |
//! |---|---|---|
//! | size, per-source and global buckets (before any parsing) | [`budget`] | — |
//! | the response cache by datagram, and later by request | [`cache`] | — |
//! | version, header, msgFlags, msgMaxSize | [`wire`] | RFC 3412 §6, §7.2 |
//! | USM: engine ID, user, level, time window, digest, decryption | [`usm::incoming`] | RFC 3414 §3.2 |
//! | security level required of the user; each principal's MIB view | [`access`] | RFC 3415 §3.2, §5 |
//! | Get, GetNext, GetBulk, Set refusal, response sizing | [`pdu`] | RFC 3416 §4.2 |
//! | the ordered OID tree and the objects served | [`mib`] | RFC 3418, 3411, 3412, 3414 MIBs |
//! | every reply: encrypt, then sign | [`usm::outgoing`] | RFC 3414 §3.1 |
//! | the counters behind `snmp*` and `usmStats*` | [`stats`] | RFC 3418, 3412, 3414 |
//! | the AgentX subagent's PDUs and its answers to the master's reads | [`agentx`] | RFC 2741 |
//! | Traps and Informs: discovery, time sync, retries, queues, rate limit | [`notify`] | RFC 3413 §3.3, 3414 §4, 3416 §4.2.6-7 |
//!
//! The `manager` feature (default) adds `manager`, a minimal USM manager (RFC 3414 §3.1, §4)
//! for the tests, benchmarks, load generators and the `dqi-query` tool. It is a utility beside
//! the agent, not part of it: an embedder builds without it.
//!
//! With the default `server` feature the crate adds the tokio UDP driver (`server`), the TOML
//! configuration (`config`), the state directory holding the engine ID and boot counter
//! (`state`), and the `dqi-agent` binary.
#![cfg_attr(not(feature = "std"), no_std)]
#![forbid(unsafe_code)]
#![warn(missing_docs)]

extern crate alloc;

pub mod access;
pub mod agent;
pub mod agentx;
pub mod budget;
pub mod cache;
pub mod device;
pub mod hex;
#[cfg(feature = "manager")]
pub mod manager;
pub mod mib;
pub mod notify;
pub mod pdu;
pub mod stats;
pub mod time;
pub mod usm;
pub mod vers;
pub mod version;
pub mod wire;

#[cfg(feature = "server")]
pub mod config;
#[cfg(feature = "server")]
pub mod files;
#[cfg(feature = "query")]
pub mod query;
#[cfg(feature = "server")]
pub mod server;
#[cfg(feature = "server")]
pub mod state;
#[cfg(all(test, feature = "std"))]
mod test_dir;
