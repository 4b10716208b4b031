//! `Agent::handle` on well-formed authenticated, encrypted requests (authPriv, SHA-1/AES-128)
//! whose PDU is fuzzed: the operation, the msgMaxSize asked for, GETBULK's non-repeaters and
//! max-repetitions, and the names. Every reply must open (digest, decryption, decoding) with
//! the manager's keys and fit the msgMaxSize of the request.
#![no_main]

use std::cell::RefCell;

use dqi_agent::time::Instant;
use dqi_agent::wire::{BulkPdu, Pdu, Pdus, VarBind, VarBindValue};
use libfuzzer_sys::fuzz_target;
use rasn::types::ObjectIdentifier;

#[path = "common.rs"]
mod common;

thread_local! {
    static PAIR: RefCell<(dqi_agent::agent::Agent, dqi_agent::manager::Manager)> =
        RefCell::new((common::agent(), common::manager()));
}

/// Reads the fuzz input as a request.
struct Input<'a>(&'a [u8]);

impl Input<'_> {
    fn byte(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }

    fn u16(&mut self) -> u16 {
        u16::from_be_bytes([self.byte(), self.byte()])
    }

    fn i32(&mut self) -> i32 {
        i32::from_be_bytes([self.byte(), self.byte(), self.byte(), self.byte()])
    }

    /// Names: each starts at one of a few real prefixes and gets fuzzed arcs.
    fn varbinds(&mut self) -> Vec<VarBind> {
        let count = usize::from(self.byte() % 8);
        (0..count)
            .map(|_| {
                let mut arcs: Vec<u32> = match self.byte() % 4 {
                    0 => vec![1, 3, 6, 1, 2, 1, 1],
                    1 => vec![1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1],
                    2 => vec![1, 3, 6, 1, 6, 3, 15, 1, 1],
                    _ => vec![1, 3],
                };
                for _ in 0..self.byte() % 6 {
                    arcs.push(u32::from(self.u16()) % 300);
                }
                VarBind {
                    name: ObjectIdentifier::new(arcs).unwrap_or_else(|| {
                        ObjectIdentifier::new(vec![1, 3]).expect("a valid OID")
                    }),
                    value: VarBindValue::Unspecified,
                }
            })
            .collect()
    }
}

fuzz_target!(|data: &[u8]| {
    let mut input = Input(data);
    let op = input.byte();
    // msgMaxSize from the RFC 3412 minimum (484) up to the agent's maximum.
    let max_size = 484 + i64::from(input.u16()) % (65_507 - 484 + 1);
    let request_id = input.i32();
    let pdu = match op % 4 {
        0 => Pdus::Get(Pdu { request_id, error_status: 0, error_index: 0, varbinds: input.varbinds() }),
        1 => Pdus::GetNext(Pdu { request_id, error_status: 0, error_index: 0, varbinds: input.varbinds() }),
        2 => Pdus::GetBulk(BulkPdu {
            request_id,
            // Signed on the wire: negative values must be handled too.
            non_repeaters: i64::from(input.byte() as i8),
            max_repetitions: i64::from(input.u16() as i16),
            varbinds: input.varbinds(),
        }),
        _ => Pdus::Set(Pdu { request_id, error_status: 0, error_index: 0, varbinds: input.varbinds() }),
    };
    PAIR.with(|pair| {
        let (agent, manager) = &mut *pair.borrow_mut();
        manager.max_size = max_size;
        let request = manager.request(pdu);
        let mut out = Vec::new();
        let outcome = agent.handle(&request, common::source(), Instant::from_secs(1), &mut out);
        assert!(!out.is_empty(), "an authenticated request is answered: {outcome:?}, {} octets", request.len());
        assert!(out.len() as i64 <= max_size, "reply of {} octets over msgMaxSize {max_size}", out.len());
        if let Err(e) = manager.open(&out) {
            panic!("reply does not open: {e}");
        }
    });
});
