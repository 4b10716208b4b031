//! The DQI-MIB notification receivers' table, `dqiNotifyTable` (`dqiAgent` 39): one row per
//! `[[notify]]` receiver, in configuration order (`dqiNotifyIndex` 1, 2, ...), with where it is,
//! how it is sent to, and the counters of [`crate::notify::Counters`] (RFC 2578 `Counter32`,
//! wrapping at 2^32). The address columns are fixed at start-up; the counters are [`Live`]
//! entries, read from the agent's notifier when a request reads them.

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::net::SocketAddr;

use super::budget::DQI_AGENT;
use super::{Entry, Live, Value};
use crate::notify::{Delivery, Notifier};

/// `dqiNotifyTable`'s arc under `dqiAgent`.
const TABLE: u32 = 39;
/// `dqiNotifyEntry`'s arc under the table.
const ENTRY: u32 = 1;

/// A counter column of `dqiNotifyTable`; the discriminant is its column number.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    /// `dqiNotifySent`.
    Sent = 6,
    /// `dqiNotifyAcknowledged`.
    Acknowledged = 7,
    /// `dqiNotifyRetried`.
    Retried = 8,
    /// `dqiNotifyDropped`.
    Dropped = 9,
}

/// One counter of one receiver: what a [`Live::Notify`] entry reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NotifyObject {
    /// The receiver's position in the configuration, from 0.
    pub row: u16,
    /// Which counter.
    pub column: Column,
}

fn instance(column: u32, index: u32) -> Box<[u32]> {
    let mut oid = DQI_AGENT.to_vec();
    oid.extend_from_slice(&[TABLE, ENTRY, column, index]);
    oid.into_boxed_slice()
}

/// The table's entries for `receivers` (address and delivery of each, in order), columns in
/// order so the tree sorts them as a walk reads them.
pub fn entries(receivers: &[(SocketAddr, Delivery)]) -> Vec<(Box<[u32]>, Entry)> {
    let mut out = Vec::new();
    let rows = receivers.iter().zip(1u32..).take(usize::from(u16::MAX));
    for ((address, delivery), index) in rows.clone() {
        // InetAddressType ipv4(1), ipv6(2) (RFC 4001).
        let (kind, octets) = match address {
            SocketAddr::V4(a) => (1, a.ip().octets().to_vec()),
            SocketAddr::V6(a) => (2, a.ip().octets().to_vec()),
        };
        let delivery = match delivery {
            Delivery::Trap => 1,
            Delivery::Inform => 2,
        };
        out.push((instance(2, index), Entry::Value(Value::Integer(kind))));
        out.push((instance(3, index), Entry::Value(Value::octets(octets))));
        out.push((
            instance(4, index),
            Entry::Value(Value::Gauge32(u32::from(address.port()))),
        ));
        out.push((instance(5, index), Entry::Value(Value::Integer(delivery))));
    }
    for column in [
        Column::Sent,
        Column::Acknowledged,
        Column::Retried,
        Column::Dropped,
    ] {
        for (_, index) in rows.clone() {
            let row = u16::try_from(index - 1).unwrap_or(u16::MAX);
            out.push((
                instance(column as u32, index),
                Entry::Live(Live::Notify(NotifyObject { row, column })),
            ));
        }
    }
    out
}

/// The value of `object` from `notifier`; 0 when there is no such receiver.
pub fn value(object: NotifyObject, notifier: Option<&Notifier>) -> Value {
    let counters = notifier
        .and_then(|n| n.counters().nth(usize::from(object.row)))
        .map(|(_, c)| c)
        .unwrap_or_default();
    Value::Counter32(match object.column {
        Column::Sent => counters.sent,
        Column::Acknowledged => counters.acknowledged,
        Column::Retried => counters.retried,
        Column::Dropped => counters.dropped,
    })
}
