//! `Agent::handle` on raw bytes: any datagram is answered with a message that decodes and fits
//! the agent's maximum message size, or dropped; never a panic.
#![no_main]

use std::cell::RefCell;

use dqi_agent::time::Instant;
use dqi_agent::wire::{self, Message};
use libfuzzer_sys::fuzz_target;

#[path = "common.rs"]
mod common;

thread_local! {
    static AGENT: RefCell<dqi_agent::agent::Agent> = RefCell::new(common::agent());
}

fuzz_target!(|data: &[u8]| {
    AGENT.with(|agent| {
        let mut out = Vec::new();
        agent
            .borrow_mut()
            .handle(data, common::source(), Instant::from_secs(1), &mut out);
        if !out.is_empty() {
            assert!(out.len() <= common::MAX_MESSAGE_SIZE, "reply of {} octets", out.len());
            assert!(wire::decode_exact::<Message>(&out).is_some(), "reply does not decode");
        }
    });
});
