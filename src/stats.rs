//! The protocol counters the agent keeps and serves.
//!
//! Every datagram the agent drops or answers with a Report moves exactly one of these, so an
//! operator can see from the MIB what arrived and why it was refused. Each counter is a
//! `Counter32` that wraps at 2^32 (RFC 2578 §7.1.6).
//!
//! | counter | object | defined in |
//! |---|---|---|
//! | `snmpIn*`, `snmpSilentDrops`, `snmpProxyDrops` | 1.3.6.1.2.1.11 | RFC 3418 §2 |
//! | `snmpUnknownSecurityModels`, `snmpInvalidMsgs`, `snmpUnknownPDUHandlers` | 1.3.6.1.6.3.11.2.1 | RFC 3412 §5 |
//! | `snmpUnavailableContexts`, `snmpUnknownContexts` | 1.3.6.1.6.3.12.1 | RFC 3413 §4.1.3 |
//! | `usmStats*` | 1.3.6.1.6.3.15.1.1 | RFC 3414 §5 |

/// One protocol counter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[allow(missing_docs)] // each variant is named after the MIB object it serves, listed in `ALL`
pub enum Counter {
    SnmpInPkts,
    SnmpInBadVersions,
    SnmpInBadCommunityNames,
    SnmpInBadCommunityUses,
    SnmpInAsnParseErrs,
    SnmpSilentDrops,
    SnmpProxyDrops,
    SnmpUnknownSecurityModels,
    SnmpInvalidMsgs,
    SnmpUnknownPduHandlers,
    SnmpUnavailableContexts,
    SnmpUnknownContexts,
    UsmStatsUnsupportedSecLevels,
    UsmStatsNotInTimeWindows,
    UsmStatsUnknownUserNames,
    UsmStatsUnknownEngineIds,
    UsmStatsWrongDigests,
    UsmStatsDecryptionErrors,
}

impl Counter {
    /// Every counter, in the order of its object's OID.
    pub const ALL: [Counter; 18] = [
        Counter::SnmpInPkts,
        Counter::SnmpInBadVersions,
        Counter::SnmpInBadCommunityNames,
        Counter::SnmpInBadCommunityUses,
        Counter::SnmpInAsnParseErrs,
        Counter::SnmpSilentDrops,
        Counter::SnmpProxyDrops,
        Counter::SnmpUnknownSecurityModels,
        Counter::SnmpInvalidMsgs,
        Counter::SnmpUnknownPduHandlers,
        Counter::SnmpUnavailableContexts,
        Counter::SnmpUnknownContexts,
        Counter::UsmStatsUnsupportedSecLevels,
        Counter::UsmStatsNotInTimeWindows,
        Counter::UsmStatsUnknownUserNames,
        Counter::UsmStatsUnknownEngineIds,
        Counter::UsmStatsWrongDigests,
        Counter::UsmStatsDecryptionErrors,
    ];

    /// The instance OID (scalar, ending in `.0`) of the object that serves this counter.
    pub const fn oid(self) -> &'static [u32] {
        match self {
            Counter::SnmpInPkts => &[1, 3, 6, 1, 2, 1, 11, 1, 0],
            Counter::SnmpInBadVersions => &[1, 3, 6, 1, 2, 1, 11, 3, 0],
            Counter::SnmpInBadCommunityNames => &[1, 3, 6, 1, 2, 1, 11, 4, 0],
            Counter::SnmpInBadCommunityUses => &[1, 3, 6, 1, 2, 1, 11, 5, 0],
            Counter::SnmpInAsnParseErrs => &[1, 3, 6, 1, 2, 1, 11, 6, 0],
            Counter::SnmpSilentDrops => &[1, 3, 6, 1, 2, 1, 11, 31, 0],
            Counter::SnmpProxyDrops => &[1, 3, 6, 1, 2, 1, 11, 32, 0],
            Counter::SnmpUnknownSecurityModels => &[1, 3, 6, 1, 6, 3, 11, 2, 1, 1, 0],
            Counter::SnmpInvalidMsgs => &[1, 3, 6, 1, 6, 3, 11, 2, 1, 2, 0],
            Counter::SnmpUnknownPduHandlers => &[1, 3, 6, 1, 6, 3, 11, 2, 1, 3, 0],
            Counter::SnmpUnavailableContexts => &[1, 3, 6, 1, 6, 3, 12, 1, 4, 0],
            Counter::SnmpUnknownContexts => &[1, 3, 6, 1, 6, 3, 12, 1, 5, 0],
            Counter::UsmStatsUnsupportedSecLevels => &[1, 3, 6, 1, 6, 3, 15, 1, 1, 1, 0],
            Counter::UsmStatsNotInTimeWindows => &[1, 3, 6, 1, 6, 3, 15, 1, 1, 2, 0],
            Counter::UsmStatsUnknownUserNames => &[1, 3, 6, 1, 6, 3, 15, 1, 1, 3, 0],
            Counter::UsmStatsUnknownEngineIds => &[1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0],
            Counter::UsmStatsWrongDigests => &[1, 3, 6, 1, 6, 3, 15, 1, 1, 5, 0],
            Counter::UsmStatsDecryptionErrors => &[1, 3, 6, 1, 6, 3, 15, 1, 1, 6, 0],
        }
    }

    /// The MIB object's descriptor, for logs.
    pub const fn name(self) -> &'static str {
        match self {
            Counter::SnmpInPkts => "snmpInPkts",
            Counter::SnmpInBadVersions => "snmpInBadVersions",
            Counter::SnmpInBadCommunityNames => "snmpInBadCommunityNames",
            Counter::SnmpInBadCommunityUses => "snmpInBadCommunityUses",
            Counter::SnmpInAsnParseErrs => "snmpInASNParseErrs",
            Counter::SnmpSilentDrops => "snmpSilentDrops",
            Counter::SnmpProxyDrops => "snmpProxyDrops",
            Counter::SnmpUnknownSecurityModels => "snmpUnknownSecurityModels",
            Counter::SnmpInvalidMsgs => "snmpInvalidMsgs",
            Counter::SnmpUnknownPduHandlers => "snmpUnknownPDUHandlers",
            Counter::SnmpUnavailableContexts => "snmpUnavailableContexts",
            Counter::SnmpUnknownContexts => "snmpUnknownContexts",
            Counter::UsmStatsUnsupportedSecLevels => "usmStatsUnsupportedSecLevels",
            Counter::UsmStatsNotInTimeWindows => "usmStatsNotInTimeWindows",
            Counter::UsmStatsUnknownUserNames => "usmStatsUnknownUserNames",
            Counter::UsmStatsUnknownEngineIds => "usmStatsUnknownEngineIDs",
            Counter::UsmStatsWrongDigests => "usmStatsWrongDigests",
            Counter::UsmStatsDecryptionErrors => "usmStatsDecryptionErrors",
        }
    }

    const fn index(self) -> usize {
        self as usize
    }
}

/// The values of every [`Counter`].
#[derive(Debug, Clone, Default)]
pub struct Counters {
    values: [u32; Counter::ALL.len()],
}

impl Counters {
    /// Adds one, wrapping at 2^32 as a `Counter32` does.
    pub fn bump(&mut self, counter: Counter) {
        let v = &mut self.values[counter.index()];
        *v = v.wrapping_add(1);
    }

    /// The current value.
    pub fn get(&self, counter: Counter) -> u32 {
        self.values[counter.index()]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn all_lists_every_variant_in_declaration_order() {
        for (i, c) in Counter::ALL.iter().enumerate() {
            assert_eq!(c.index(), i);
        }
    }

    #[test]
    fn oids_are_scalars_in_ascending_order() {
        for pair in Counter::ALL.windows(2) {
            assert!(pair[0].oid() < pair[1].oid(), "{:?} !< {:?}", pair[0], pair[1]);
        }
        assert!(Counter::ALL.iter().all(|c| c.oid().last() == Some(&0)));
    }

    #[test]
    fn counters_wrap() {
        let mut c = Counters::default();
        c.values[Counter::SnmpInPkts.index()] = u32::MAX;
        c.bump(Counter::SnmpInPkts);
        assert_eq!(c.get(Counter::SnmpInPkts), 0);
        assert_eq!(c.get(Counter::SnmpInvalidMsgs), 0);
    }
}
