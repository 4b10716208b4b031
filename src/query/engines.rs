//! What `dqi-query` remembers of each device's SNMP engine between runs, so a later run skips
//! discovery: the engine's snmpEngineID, snmpEngineBoots and snmpEngineTime, and the local
//! (UTC) time they were learned.
//!
//! RFC 3414 §2.3: a non-authoritative engine keeps, for each authoritative engine it talks
//! to, that engine's boots and an estimate of its time that moves with the local clock; §3.2
//! step 7b: it updates them only from authenticated messages, and only forwards. With them the
//! first request of a run is sent authenticated at once, where discovery (§4) would cost a
//! probe and its Report first. net-snmp keeps the same data in memory for a process's life;
//! the store (`engines` table) keeps it across runs. When the remembered values are wrong the
//! session recovers ([`super::session`]): a notInTimeWindow Report (the device rebooted, or its
//! clock drifted) resynchronises once from the Report's authenticated boots and time; an
//! unknownEngineID Report (another engine at that address: the device was replaced) falls back
//! to full discovery.

use std::collections::HashMap;

/// snmpEngineTime's largest value (RFC 3414 §2.2.1: 2^31 - 1).
const MAX_TIME: u64 = 0x7fff_ffff;

/// One device's engine as last learned from an authenticated reply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Known {
    /// snmpEngineID.
    pub engine_id: Vec<u8>,
    /// snmpEngineBoots.
    pub boots: u32,
    /// snmpEngineTime at `learned`.
    pub time: u32,
    /// When `time` was the engine's time: seconds since the Unix epoch, UTC.
    pub learned: u64,
}

impl Known {
    /// The engine's boots and estimated time at `now` (seconds since the Unix epoch): the
    /// time moves with the local clock since it was learned (a clock set back moves it not at
    /// all). An estimate outside the engine's window draws a notInTimeWindow Report, from
    /// which the session resynchronises.
    pub fn estimate(&self, now: u64) -> (u32, u32) {
        let time = u64::from(self.time)
            .saturating_add(now.saturating_sub(self.learned))
            .min(MAX_TIME);
        (self.boots, u32::try_from(time).unwrap_or(u32::MAX))
    }
}

/// Remembered engines by target name.
pub type KnownEngines = HashMap<String, Known>;

/// Seconds since the Unix epoch now (0 for a clock before 1970).
pub fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_estimate_moves_with_the_local_clock_and_stops_at_the_maximum() {
        let k = Known {
            engine_id: vec![0x80, 0, 0, 0, 1],
            boots: 7,
            time: 1000,
            learned: 1_700_000_000,
        };
        assert_eq!(k.estimate(1_700_000_000), (7, 1000));
        assert_eq!(k.estimate(1_700_000_090), (7, 1090));
        // A local clock set back does not move the engine's time backwards.
        assert_eq!(k.estimate(1_600_000_000), (7, 1000));
        let late = Known {
            time: 0x7fff_fff0,
            ..k
        };
        assert_eq!(late.estimate(1_700_001_000), (7, 0x7fff_ffff));
    }
}
