//! The object identifiers `dqi-query` reads, and the index encodings of its lookups.
//!
//! DQI-MIB (`mibs/DQI-MIB.txt`): `dqiSwTable` (dqiSoftware 12), the lookup tables
//! `dqiSwByNameTable` (dqiSoftware 14) and `dqiSwByPurlTable` (dqiSoftware 15), `dqiVexTable`
//! (dqiVex 4) and the agent's budget objects (dqiAgent). HOST-RESOURCES-MIB (RFC 2790):
//! `hrSWInstalledName`, which any SNMP agent with a software inventory serves.

use rasn::types::ObjectIdentifier;

/// dqiMIB: netSnmpPlaypen 374.
pub const DQI: [u32; 11] = [1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1];

/// `dqiSwEntry` column `col` (append `.<dqiSwIndex>`).
pub fn sw_column(col: u32) -> Vec<u32> {
    dqi(&[4, 12, 1, col])
}

/// `dqiSwByNameEntry` column `col` (2 version, 3 purl).
pub fn by_name_column(col: u32) -> Vec<u32> {
    dqi(&[4, 14, 1, col])
}

/// `dqiSwByPurlEntry` column `col` (2 version, 3 purl).
pub fn by_purl_column(col: u32) -> Vec<u32> {
    dqi(&[4, 15, 1, col])
}

/// `dqiVexEntry` column `col` (2 state, 3 justification, 4 action, 5 updated, 6 source).
pub fn vex_column(col: u32) -> Vec<u32> {
    dqi(&[6, 4, 1, col])
}

/// A dqiAgent scalar's instance.
pub fn agent_scalar(arc: u32) -> Vec<u32> {
    dqi(&[5, arc, 0])
}

/// `dqiBudgetEntry` column `col` for USM user `user`.
pub fn budget_row(col: u32, user: &[u8]) -> Vec<u32> {
    let mut oid = dqi(&[5, 28, 1, col, 3]);
    push_string(&mut oid, user);
    oid
}

/// dqiSwTable columns, by name.
pub mod sw {
    /// dqiSwName.
    pub const NAME: u32 = 2;
    /// dqiSwVersion.
    pub const VERSION: u32 = 3;
    /// dqiSwSupplier.
    pub const SUPPLIER: u32 = 4;
    /// dqiSwType.
    pub const TYPE: u32 = 5;
    /// dqiSwPurl.
    pub const PURL: u32 = 6;
    /// dqiSwCpe.
    pub const CPE: u32 = 7;
    /// dqiSwHashAlgorithm.
    pub const HASH_ALGORITHM: u32 = 8;
    /// dqiSwHashValue.
    pub const HASH_VALUE: u32 = 9;
    /// dqiSwSupportStatus.
    pub const SUPPORT_STATUS: u32 = 11;
    /// dqiSwEndOfSupport.
    pub const END_OF_SUPPORT: u32 = 12;
    /// dqiSwParent.
    pub const PARENT: u32 = 15;
}

/// hrSWInstalledName (RFC 2790).
pub const HR_SW_INSTALLED_NAME: [u32; 12] = [1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 2, 0];

/// The column OID of hrSWInstalledName (without the trailing index placeholder).
pub fn hr_sw_installed_name() -> Vec<u32> {
    HR_SW_INSTALLED_NAME[..11].to_vec()
}

/// sysDescr.0.
pub const SYS_DESCR: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 1, 0];
/// sysName.0.
pub const SYS_NAME: [u32; 9] = [1, 3, 6, 1, 2, 1, 1, 5, 0];

/// usmStats Report OIDs (RFC 3414 §5).
pub const USM_STATS_UNSUPPORTED_SEC_LEVELS: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 1, 1, 0];
/// usmStatsNotInTimeWindows.0.
pub const USM_STATS_NOT_IN_TIME_WINDOWS: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 1, 2, 0];
/// usmStatsUnknownUserNames.0.
pub const USM_STATS_UNKNOWN_USER_NAMES: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 1, 3, 0];
/// usmStatsUnknownEngineIDs.0.
pub const USM_STATS_UNKNOWN_ENGINE_IDS: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 1, 4, 0];
/// usmStatsWrongDigests.0.
pub const USM_STATS_WRONG_DIGESTS: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 1, 5, 0];
/// usmStatsDecryptionErrors.0.
pub const USM_STATS_DECRYPTION_ERRORS: &[u32] = &[1, 3, 6, 1, 6, 3, 15, 1, 1, 6, 0];

fn dqi(arcs: &[u32]) -> Vec<u32> {
    let mut oid = DQI.to_vec();
    oid.extend_from_slice(arcs);
    oid
}

/// Appends an OCTET STRING index: its length, then one arc per octet (RFC 2578 §7.7).
pub fn push_string(oid: &mut Vec<u32>, bytes: &[u8]) {
    oid.push(u32::try_from(bytes.len()).unwrap_or(u32::MAX));
    oid.extend(bytes.iter().map(|&b| u32::from(b)));
}

/// An [`ObjectIdentifier`] from arcs known to be valid (every OID here starts 1.3).
pub fn oid(arcs: Vec<u32>) -> ObjectIdentifier {
    ObjectIdentifier::new(arcs).unwrap_or_else(|| {
        ObjectIdentifier::new(vec![0, 0]).unwrap_or_else(|| unreachable!("0.0 is an OID"))
    })
}

/// Dotted decimal, for messages.
pub fn dotted(arcs: &[u32]) -> String {
    arcs.iter()
        .map(u32::to_string)
        .collect::<Vec<_>>()
        .join(".")
}

/// The arcs of `oid` after `prefix`, or None when `oid` is not under it.
pub fn suffix<'a>(oid: &'a [u32], prefix: &[u32]) -> Option<&'a [u32]> {
    oid.strip_prefix(prefix)
}
