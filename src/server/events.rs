//! Security events (Reports, drops and budget refusals) tallied per source address between
//! summaries, bounded in sources, and logged one line per source.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::net::IpAddr;

use crate::budget::Rejection;
use crate::mib::budget::Scalar;
use crate::stats::Counter;

/// Sources tracked one by one per interval; events from further sources are counted together as
/// "other", so a spoofed flood cannot grow memory or the log without bound.
pub const MAX_TRACKED_SOURCES: usize = 1024;

/// Security events by source address, since the last summary.
#[derive(Default)]
pub(super) struct Events {
    by_source: HashMap<IpAddr, Tally>,
    /// Events from sources beyond [`MAX_TRACKED_SOURCES`].
    other: Tally,
}

/// One kind of security event: a protocol counter, or a budget refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Event {
    Protocol(Counter),
    Budget(Rejection),
}

impl From<Counter> for Event {
    fn from(counter: Counter) -> Event {
        Event::Protocol(counter)
    }
}

impl From<Rejection> for Event {
    fn from(reason: Rejection) -> Event {
        Event::Budget(reason)
    }
}

impl Event {
    /// The MIB object that counts it, e.g. `usmStatsWrongDigests`, `dqiBudgetRejectedSource`.
    fn name(self) -> &'static str {
        match self {
            Event::Protocol(counter) => counter.name(),
            Event::Budget(reason) => Scalar::rejected(reason).name(),
        }
    }
}

/// Counts by event, in first-seen order; a source rarely trips more than two or three.
#[derive(Default)]
struct Tally {
    counts: Vec<(Event, u64)>,
}

impl Tally {
    fn add(&mut self, event: impl Into<Event>) {
        let event = event.into();
        match self.counts.iter_mut().find(|(c, _)| *c == event) {
            Some((_, n)) => *n += 1,
            None => self.counts.push((event, 1)),
        }
    }

    fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// How much these events need an operator: discovery (unknownEngineID) and time
    /// synchronisation (notInTimeWindow) Reports start every manager's session and need
    /// nothing; requests over budget are the budget doing its job under routine polling (the
    /// dqiBudget counters tell whether to raise it); anything else (wrong digests, unknown
    /// users, decryption errors) is a security event to look at.
    fn severity(&self) -> Severity {
        let mut severity = Severity::Routine;
        for (event, _) in &self.counts {
            match event {
                Event::Protocol(
                    Counter::UsmStatsUnknownEngineIds | Counter::UsmStatsNotInTimeWindows,
                ) => {}
                Event::Budget(_) => severity = severity.max(Severity::OverBudget),
                Event::Protocol(_) => return Severity::Security,
            }
        }
        severity
    }

    /// `name=count` pairs, e.g. `usmStatsWrongDigests=12 usmStatsUnknownUserNames=3`.
    fn describe(&self) -> String {
        let mut s = String::new();
        for (i, (counter, n)) in self.counts.iter().enumerate() {
            let sep = if i == 0 { "" } else { " " };
            let _ = write!(s, "{sep}{}={n}", counter.name());
        }
        s
    }
}

impl Events {
    pub(super) fn record(&mut self, source: IpAddr, event: impl Into<Event>) {
        if self.by_source.len() < MAX_TRACKED_SOURCES || self.by_source.contains_key(&source) {
            self.by_source.entry(source).or_default().add(event);
        } else {
            self.other.add(event);
        }
    }
}

/// Logs and clears `events`: one line per source, `warn` when anything beyond routine
/// discovery happened, `debug` otherwise.
pub(super) fn log_events(events: &mut Events) {
    let mut sources: Vec<(&IpAddr, &Tally)> = events.by_source.iter().collect();
    sources.sort_by_key(|(ip, _)| **ip);
    for (ip, tally) in sources {
        log_tally(&ip.to_string(), tally);
    }
    if !events.other.is_empty() {
        log_tally(
            &format!("other (sources beyond the first {MAX_TRACKED_SOURCES})"),
            &events.other,
        );
    }
    *events = Events::default();
}

/// How loudly a source's events are logged: [`Tally::severity`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Severity {
    /// Discovery and time synchronisation: `debug`.
    Routine,
    /// Requests refused by the budget, nothing worse: `info`.
    OverBudget,
    /// Failed authentication, unknown users, undecryptable requests: `warn`.
    Security,
}

fn log_tally(source: &str, tally: &Tally) {
    let events = tally.describe();
    match tally.severity() {
        Severity::Security => tracing::warn!(source, events = %events, "security events"),
        Severity::OverBudget => tracing::info!(source, events = %events, "requests over budget"),
        Severity::Routine => tracing::debug!(source, events = %events, "discovery"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_tallied_per_source_and_bounded() {
        let mut events = Events::default();
        let ip = |n: u32| IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + n));
        for n in 0..(MAX_TRACKED_SOURCES as u32 + 10) {
            events.record(ip(n), Counter::UsmStatsWrongDigests);
        }
        events.record(ip(0), Counter::UsmStatsWrongDigests);
        events.record(ip(0), Counter::UsmStatsUnknownUserNames);
        assert_eq!(events.by_source.len(), MAX_TRACKED_SOURCES);
        assert_eq!(
            events.by_source[&ip(0)].describe(),
            "usmStatsWrongDigests=2 usmStatsUnknownUserNames=1"
        );
        assert_eq!(events.other.describe(), "usmStatsWrongDigests=10");
        // A tracked source keeps being tracked once the map is full.
        events.record(ip(5), Counter::UsmStatsDecryptionErrors);
        assert!(
            events.by_source[&ip(5)]
                .describe()
                .ends_with("usmStatsDecryptionErrors=1")
        );
        log_events(&mut events);
        assert!(events.by_source.is_empty() && events.other.is_empty());
    }

    #[test]
    fn discovery_is_routine_budget_is_info_other_events_alarm() {
        let mut tally = Tally::default();
        tally.add(Counter::UsmStatsUnknownEngineIds);
        tally.add(Counter::UsmStatsNotInTimeWindows);
        assert_eq!(tally.severity(), Severity::Routine);
        // Routine polling over its budget, as issue 13 saw it: not a warning.
        tally.add(Rejection::PerUser);
        assert_eq!(tally.severity(), Severity::OverBudget);
        tally.add(Counter::UsmStatsUnknownUserNames);
        assert_eq!(tally.severity(), Severity::Security);
    }
}
