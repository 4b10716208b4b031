//! The agent as notification originator: its events become notifications in its
//! [`Notifier`], their objects read from the tree it serves, as a Get would read them.
//!
//! [`Agent::handle`] raises `authenticationFailure` and `dqiBudgetExhausted` itself (through
//! the [`crate::notify::Alarms`]); the driver raises the others ([`Agent::notify`]) and moves the
//! datagrams: [`Agent::poll_notifications`] out, [`Agent::notification_reply`] in, at
//! [`Agent::next_notification`].

use alloc::vec::Vec;
use core::net::SocketAddr;

use rasn::types::ObjectIdentifier;

use super::{Agent, Outcome};
use crate::access::View;
use crate::budget::Rejection;
use crate::mib::objects::encodable_oid;
use crate::mib::served::{self, AgentObjects, Served};
use crate::mib::{Entry, Value};
use crate::notify::{self, Datagram, Kind, Local, Notifier, Received, event};
use crate::pdu::{Scope, syntax};
use crate::stats::Counter;
use crate::time::Instant;
use crate::wire::{VarBind, VarBindValue};

/// `dqiSwRefreshStatus` `failedServingPrevious(2)`.
const REFRESH_FAILED: i32 = 2;

impl Agent {
    /// Sends notifications through `notifier` from now on, and serves its receivers'
    /// counters (`dqiNotifyTable`) in this tree and every later one.
    pub fn set_notifier(&mut self, notifier: Notifier) {
        let receivers: Vec<_> = notifier.receivers().collect();
        let table = crate::mib::notify::entries(&receivers);
        let mut own = self.objects.entries().to_vec();
        own.extend(table.iter().cloned());
        self.objects = AgentObjects::new(own);
        let old = core::mem::replace(&mut self.tree, served::assemble(Vec::new(), &self.objects));
        // The device's objects of the tree served so far, now with the table beside them.
        self.tree = served::assemble(old.into_entries(), &AgentObjects::new(table));
        self.notifier = Some(notifier);
    }

    /// The notifier, for its counters.
    pub fn notifier(&self) -> Option<&Notifier> {
        self.notifier.as_ref()
    }

    /// Raises the notification `kind` at `now`, its objects read from the served tree.
    /// Returns `false` when nobody subscribes to it or the rate limit refused it.
    pub fn notify(&mut self, kind: Kind, now: Instant) -> bool {
        self.notify_with(kind, Vec::new(), &[], now)
    }

    /// Raises `kind` with `first` (accessible-for-notify values from the event), then the
    /// instances `read` and `kind`'s own objects, both read from the served tree as a Get
    /// would read them.
    fn notify_with(
        &mut self,
        kind: Kind,
        first: Vec<VarBind>,
        read: &[&[u32]],
        now: Instant,
    ) -> bool {
        if !self
            .notifier
            .as_ref()
            .is_some_and(|n| n.wants(kind.class()))
        {
            return false;
        }
        let mut objects = first;
        {
            let live = self.live_values(now);
            // A notify user reads nothing; the notification's own objects are all in view.
            let everything = View::everything();
            let scope = Scope {
                view: &everything,
                skip_counter64: false,
            };
            for oid in read.iter().copied().chain(kind.objects()) {
                if let Some(name) = ObjectIdentifier::new(oid.to_vec()) {
                    objects.push(crate::pdu::get(self.tree.tree(), &live, scope, &name));
                }
            }
        }
        let uptime = (now.saturating_since(self.started).as_millis() / 10) as u32;
        let bindings = notify::bindings(kind, uptime, objects);
        self.notifier
            .as_mut()
            .is_some_and(|n| n.notify(kind, bindings, now))
    }

    /// Raises `dqiSwEndOfSupportReached` at `now` for each dqiSwTable row in `rows` (their
    /// `dqiSwIndex`): the components whose end-of-support date passed between the previous
    /// read of the device data and the one now served, as
    /// [`crate::device::Software::ended_support`] finds them. Call it after
    /// [`Agent::refreshed`], so the row objects and `dqiSwPastEndOfSupport` are the new tree's.
    ///
    /// Once the rate limit refuses one, the rest are refused (and counted as dropped) without
    /// being built: a clock that jumps years ahead costs no more than the limit lets through.
    /// Returns how many were queued.
    pub fn ended_support(&mut self, rows: &[u32], now: Instant) -> usize {
        let mut queued = 0;
        let mut refused = false;
        for &index in rows {
            if refused {
                if let Some(n) = self.notifier.as_mut() {
                    n.notify(Kind::EndOfSupport, Vec::new(), now);
                }
                continue;
            }
            let objects = event::sw_row_objects(index);
            let read = objects.each_ref().map(|oid| &oid[..]);
            if self.notify_with(Kind::EndOfSupport, Vec::new(), &read, now) {
                queued += 1;
            } else {
                // Nobody subscribes, or the limit is spent until time moves.
                refused = true;
            }
        }
        queued
    }

    /// Replaces the served objects after a device refresh at `now`, as
    /// [`Agent::replace_tree`], and raises the notifications the refresh calls for: an
    /// inventory, configuration or health change (their objects differ between the old tree
    /// and the new), or a refresh that failed (`dqiSwRefreshStatus` became
    /// `failedServingPrevious`). Returns the old tree for the driver to free.
    pub fn refreshed(&mut self, tree: Served, now: Instant) -> Served {
        let old = self.replace_tree(tree);
        for kind in Kind::REFRESH {
            let changed = kind
                .watched()
                .iter()
                .any(|oid| old.tree().get(oid) != self.tree.tree().get(oid));
            let failed = self
                .tree
                .tree()
                .get(kind.watched().first().copied().unwrap_or(&[]))
                == Some(&Entry::Value(Value::Integer(REFRESH_FAILED)));
            if changed && (kind != Kind::RefreshFailure || failed) {
                self.notify(kind, now);
            }
        }
        old
    }

    /// Writes into `out` the notification datagrams due at `now`.
    pub fn poll_notifications(&mut self, now: Instant, out: &mut Vec<Datagram>) {
        let local = Local {
            boots: self.boots,
            time: self.engine_time(now),
        };
        if let Some(n) = self.notifier.as_mut() {
            n.poll(now, local, out);
        }
    }

    /// Consumes a datagram from a notification receiver (an Inform's Report or Response).
    pub fn notification_reply(
        &mut self,
        from: SocketAddr,
        datagram: &[u8],
        now: Instant,
    ) -> Received {
        match self.notifier.as_mut() {
            Some(n) => n.receive(from, datagram, now),
            None => Received::Unexpected,
        }
    }

    /// When [`Agent::poll_notifications`] has work next; `None` when idle.
    pub fn next_notification(&self, now: Instant) -> Option<Instant> {
        self.notifier.as_ref().and_then(|n| n.next_wakeup(now))
    }

    /// After [`Agent::handle`]: raises the alarms an outcome calls for.
    pub(super) fn alarms(&mut self, outcome: &Outcome, source: SocketAddr, now: Instant) {
        let Some(n) = self.notifier.as_mut() else {
            return;
        };
        match *outcome {
            Outcome::Report(Counter::UsmStatsWrongDigests)
            | Outcome::Dropped(Counter::UsmStatsWrongDigests)
                if n.alarms().auth_failure(now) =>
            {
                self.notify(Kind::AuthenticationFailure, now);
            }
            Outcome::OverBudget { reason, .. } if n.alarms().refused(reason, now) => {
                let principal = match reason {
                    Rejection::PerUser => self.budget.last_refused_principal().unwrap_or(&[]),
                    _ => &[],
                };
                let first = budget_objects(reason, source, principal);
                self.notify_with(Kind::BudgetExhausted, first, &[], now);
            }
            _ => {}
        }
    }
}

/// dqiBudgetExhausted's accessible-for-notify objects: which limit, the source when the limit is
/// per source, and the principal (a configured name, at most 32 octets as `SnmpAdminString
/// (SIZE (0..32))` allows) when it is per user.
fn budget_objects(reason: Rejection, source: SocketAddr, principal: &[u8]) -> Vec<VarBind> {
    let level = match reason {
        Rejection::Global => 2,
        Rejection::PerSource => 3,
        Rejection::PerUser => 4,
        Rejection::Unauthenticated => 5,
    };
    let per_source = matches!(reason, Rejection::PerSource | Rejection::Unauthenticated);
    let (address_type, address) = match source {
        _ if !per_source => (0, Vec::new()),
        SocketAddr::V4(a) => (1, a.ip().octets().to_vec()),
        SocketAddr::V6(a) => (2, a.ip().octets().to_vec()),
    };
    let values = [
        (&event::BUDGET_NOTIFY_LEVEL[..], Value::Integer(level)),
        (
            &event::BUDGET_NOTIFY_ADDRESS_TYPE,
            Value::Integer(address_type),
        ),
        (&event::BUDGET_NOTIFY_ADDRESS, Value::octets(address)),
        (
            &event::BUDGET_NOTIFY_PRINCIPAL,
            Value::octets(principal.get(..32).unwrap_or(principal)),
        ),
    ];
    values
        .into_iter()
        .filter_map(|(oid, value)| {
            Some(VarBind {
                name: encodable_oid(oid)?,
                value: VarBindValue::Value(syntax(value)),
            })
        })
        .collect()
}
