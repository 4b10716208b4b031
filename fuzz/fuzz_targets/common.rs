//! What the agent targets share: one agent with one authPriv user over a tree of standard
//! objects and a software table, built once per process (key localization hashes a megabyte).
//! The set-up is the library's own test bed (`dqi_agent::manager::testbed`).
#![allow(dead_code)] // each target uses its own part

use std::net::SocketAddr;

use dqi_agent::agent::Agent;
use dqi_agent::budget::ValidBudget;
use dqi_agent::manager::{Manager, testbed};
use dqi_agent::mib::Tree;

pub const ENGINE_ID: &[u8] = b"\x80\x00\x1f\x88\x04dqi-fuzz";
pub const MAX_MESSAGE_SIZE: usize = testbed::MAX_MESSAGE_SIZE;
pub const USER: &[u8] = b"fuzz";

pub fn source() -> SocketAddr {
    SocketAddr::from(([127, 0, 0, 1], 40_000))
}

pub fn agent() -> Agent {
    let mut entries = testbed::standard(&testbed::system("fuzzed agent"), ENGINE_ID);
    entries.extend(testbed::components(200));
    let users = vec![testbed::user(USER, ENGINE_ID)];
    testbed::agent(ENGINE_ID, users, Tree::from_entries(entries), ValidBudget::unlimited())
}

pub fn manager() -> Manager {
    testbed::manager(USER, ENGINE_ID)
}
