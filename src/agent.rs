//! The sans-I/O command responder. SKELETON: the real pipeline lands next.
#![allow(missing_docs, unused_variables)]
use alloc::vec::Vec;
use core::net::SocketAddr;

use crate::mib::Tree;
use crate::stats::{Counter, Counters};
use crate::time::Instant;
use crate::usm::Users;

/// Everything the agent needs, prepared by the driver: keys already localized, the tree built.
#[derive(Debug)]
pub struct Config {
    /// snmpEngineID (RFC 3411 §5), 5 to 32 octets.
    pub engine_id: Vec<u8>,
    /// snmpEngineBoots for this run, already incremented and persisted by the driver.
    pub engine_boots: u32,
    /// The users, keys localized to `engine_id`.
    pub users: Users,
    /// The objects served.
    pub tree: Tree,
    /// The largest message the agent sends or accepts (snmpEngineMaxMessageSize), 484..=65507.
    pub max_message_size: usize,
    /// Seed for privacy salts, from the driver's random source; salts never repeat within a boot.
    pub salt_seed: u64,
}

/// What `handle` did with a datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// `out` holds a Response to send back to the source.
    Response,
    /// `out` holds a Report to send back to the source; the counter says why.
    Report(Counter),
    /// Nothing to send; the counter records why.
    Dropped(Counter),
}

/// The command responder.
#[derive(Debug)]
pub struct Agent {
    config: Config,
    counters: Counters,
    started: Instant,
}

impl Agent {
    /// An agent whose engine (and sysUpTime) starts at `now`.
    pub fn new(config: Config, now: Instant) -> Agent {
        Agent { config, counters: Counters::default(), started: now }
    }

    /// Processes one datagram from `source`, received at `now`; writes any reply into `out`
    /// (cleared first).
    pub fn handle(&mut self, datagram: &[u8], source: SocketAddr, now: Instant, out: &mut Vec<u8>) -> Outcome {
        out.clear();
        self.counters.bump(Counter::SnmpInPkts);
        Outcome::Dropped(Counter::SnmpInAsnParseErrs)
    }

    /// The current snmpEngineBoots; changes when engineTime wraps, and the driver then persists it.
    pub fn engine_boots(&self) -> u32 { self.config.engine_boots }

    /// The engine ID.
    pub fn engine_id(&self) -> &[u8] { &self.config.engine_id }

    /// Replaces the served objects (a new device snapshot), atomically between two datagrams.
    pub fn install_tree(&mut self, tree: Tree) { self.config.tree = tree; }

    /// The protocol counters.
    pub fn counters(&self) -> &Counters { &self.counters }
}
