//! MIB names a configuration may use instead of numeric OIDs (a `[[view]]`'s `include` and
//! `exclude`): `MODULE::name`, or the bare name, optionally followed by `.arcs`.
//!
//! The table holds the groups, tables and objects of the modules the agent serves: every
//! definition in DQI-MIB, and the groups and tables of SNMPv2-SMI, SNMPv2-MIB,
//! HOST-RESOURCES-MIB, ENTITY-MIB, SNMP-FRAMEWORK-MIB, SNMP-MPD-MIB, SNMP-TARGET-MIB and
//! SNMP-USER-BASED-SM-MIB that it serves objects under. `tests/view_names.rs` checks every row
//! against the module texts in `mibs/`. No MIB file is read at run time.

use alloc::vec::Vec;

/// `(module, name, OID)` rows, sorted by module then OID.
pub const NAMES: &[(&str, &str, &[u32])] = &[
    ("SNMPv2-SMI", "internet", &[1, 3, 6, 1]),
    ("SNMPv2-SMI", "mgmt", &[1, 3, 6, 1, 2]),
    ("SNMPv2-SMI", "mib-2", &[1, 3, 6, 1, 2, 1]),
    ("SNMPv2-SMI", "enterprises", &[1, 3, 6, 1, 4, 1]),
    ("SNMPv2-SMI", "private", &[1, 3, 6, 1, 4]),
    ("SNMPv2-SMI", "snmpV2", &[1, 3, 6, 1, 6]),
    ("SNMPv2-SMI", "snmpModules", &[1, 3, 6, 1, 6, 3]),
    ("SNMPv2-MIB", "system", &[1, 3, 6, 1, 2, 1, 1]),
    ("SNMPv2-MIB", "sysDescr", &[1, 3, 6, 1, 2, 1, 1, 1]),
    ("SNMPv2-MIB", "sysObjectID", &[1, 3, 6, 1, 2, 1, 1, 2]),
    ("SNMPv2-MIB", "sysUpTime", &[1, 3, 6, 1, 2, 1, 1, 3]),
    ("SNMPv2-MIB", "sysContact", &[1, 3, 6, 1, 2, 1, 1, 4]),
    ("SNMPv2-MIB", "sysName", &[1, 3, 6, 1, 2, 1, 1, 5]),
    ("SNMPv2-MIB", "sysLocation", &[1, 3, 6, 1, 2, 1, 1, 6]),
    ("SNMPv2-MIB", "sysServices", &[1, 3, 6, 1, 2, 1, 1, 7]),
    ("SNMPv2-MIB", "sysORLastChange", &[1, 3, 6, 1, 2, 1, 1, 8]),
    ("SNMPv2-MIB", "sysORTable", &[1, 3, 6, 1, 2, 1, 1, 9]),
    ("SNMPv2-MIB", "snmp", &[1, 3, 6, 1, 2, 1, 11]),
    ("SNMPv2-MIB", "snmpInPkts", &[1, 3, 6, 1, 2, 1, 11, 1]),
    (
        "SNMPv2-MIB",
        "snmpEnableAuthenTraps",
        &[1, 3, 6, 1, 2, 1, 11, 30],
    ),
    ("SNMPv2-MIB", "snmpSilentDrops", &[1, 3, 6, 1, 2, 1, 11, 31]),
    ("SNMPv2-MIB", "snmpProxyDrops", &[1, 3, 6, 1, 2, 1, 11, 32]),
    ("SNMPv2-MIB", "snmpMIB", &[1, 3, 6, 1, 6, 3, 1]),
    ("HOST-RESOURCES-MIB", "host", &[1, 3, 6, 1, 2, 1, 25]),
    ("HOST-RESOURCES-MIB", "hrSystem", &[1, 3, 6, 1, 2, 1, 25, 1]),
    (
        "HOST-RESOURCES-MIB",
        "hrSystemUptime",
        &[1, 3, 6, 1, 2, 1, 25, 1, 1],
    ),
    (
        "HOST-RESOURCES-MIB",
        "hrSystemDate",
        &[1, 3, 6, 1, 2, 1, 25, 1, 2],
    ),
    (
        "HOST-RESOURCES-MIB",
        "hrSWInstalled",
        &[1, 3, 6, 1, 2, 1, 25, 6],
    ),
    (
        "HOST-RESOURCES-MIB",
        "hrSWInstalledLastChange",
        &[1, 3, 6, 1, 2, 1, 25, 6, 1],
    ),
    (
        "HOST-RESOURCES-MIB",
        "hrSWInstalledLastUpdateTime",
        &[1, 3, 6, 1, 2, 1, 25, 6, 2],
    ),
    (
        "HOST-RESOURCES-MIB",
        "hrSWInstalledTable",
        &[1, 3, 6, 1, 2, 1, 25, 6, 3],
    ),
    (
        "HOST-RESOURCES-MIB",
        "hrSWInstalledEntry",
        &[1, 3, 6, 1, 2, 1, 25, 6, 3, 1],
    ),
    (
        "HOST-RESOURCES-MIB",
        "hrSWInstalledIndex",
        &[1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 1],
    ),
    (
        "HOST-RESOURCES-MIB",
        "hrSWInstalledName",
        &[1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 2],
    ),
    (
        "HOST-RESOURCES-MIB",
        "hrSWInstalledID",
        &[1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 3],
    ),
    (
        "HOST-RESOURCES-MIB",
        "hrSWInstalledType",
        &[1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 4],
    ),
    (
        "HOST-RESOURCES-MIB",
        "hrSWInstalledDate",
        &[1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 5],
    ),
    ("ENTITY-MIB", "entityMIB", &[1, 3, 6, 1, 2, 1, 47]),
    ("ENTITY-MIB", "entityMIBObjects", &[1, 3, 6, 1, 2, 1, 47, 1]),
    (
        "ENTITY-MIB",
        "entityPhysical",
        &[1, 3, 6, 1, 2, 1, 47, 1, 1],
    ),
    (
        "ENTITY-MIB",
        "entPhysicalTable",
        &[1, 3, 6, 1, 2, 1, 47, 1, 1, 1],
    ),
    (
        "ENTITY-MIB",
        "entPhysicalEntry",
        &[1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1],
    ),
    (
        "SNMP-FRAMEWORK-MIB",
        "snmpFrameworkMIB",
        &[1, 3, 6, 1, 6, 3, 10],
    ),
    (
        "SNMP-FRAMEWORK-MIB",
        "snmpEngine",
        &[1, 3, 6, 1, 6, 3, 10, 2, 1],
    ),
    (
        "SNMP-FRAMEWORK-MIB",
        "snmpEngineID",
        &[1, 3, 6, 1, 6, 3, 10, 2, 1, 1],
    ),
    (
        "SNMP-FRAMEWORK-MIB",
        "snmpEngineBoots",
        &[1, 3, 6, 1, 6, 3, 10, 2, 1, 2],
    ),
    (
        "SNMP-FRAMEWORK-MIB",
        "snmpEngineTime",
        &[1, 3, 6, 1, 6, 3, 10, 2, 1, 3],
    ),
    (
        "SNMP-FRAMEWORK-MIB",
        "snmpEngineMaxMessageSize",
        &[1, 3, 6, 1, 6, 3, 10, 2, 1, 4],
    ),
    ("SNMP-MPD-MIB", "snmpMPDMIB", &[1, 3, 6, 1, 6, 3, 11]),
    (
        "SNMP-MPD-MIB",
        "snmpMPDStats",
        &[1, 3, 6, 1, 6, 3, 11, 2, 1],
    ),
    ("SNMP-TARGET-MIB", "snmpTargetMIB", &[1, 3, 6, 1, 6, 3, 12]),
    (
        "SNMP-TARGET-MIB",
        "snmpTargetObjects",
        &[1, 3, 6, 1, 6, 3, 12, 1],
    ),
    (
        "SNMP-TARGET-MIB",
        "snmpUnavailableContexts",
        &[1, 3, 6, 1, 6, 3, 12, 1, 4],
    ),
    (
        "SNMP-TARGET-MIB",
        "snmpUnknownContexts",
        &[1, 3, 6, 1, 6, 3, 12, 1, 5],
    ),
    (
        "SNMP-USER-BASED-SM-MIB",
        "snmpUsmMIB",
        &[1, 3, 6, 1, 6, 3, 15],
    ),
    (
        "SNMP-USER-BASED-SM-MIB",
        "usmStats",
        &[1, 3, 6, 1, 6, 3, 15, 1, 1],
    ),
    (
        "DQI-MIB",
        "dqiMIB",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374],
    ),
    (
        "DQI-MIB",
        "dqiNotifications",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 0],
    ),
    (
        "DQI-MIB",
        "dqiObjects",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1],
    ),
    (
        "DQI-MIB",
        "dqiConformance",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2],
    ),
    (
        "DQI-MIB",
        "dqiProducts",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 3],
    ),
    (
        "DQI-MIB",
        "dqiIdentity",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1],
    ),
    (
        "DQI-MIB",
        "dqiHealth",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 2],
    ),
    (
        "DQI-MIB",
        "dqiConfig",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3],
    ),
    (
        "DQI-MIB",
        "dqiSoftware",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4],
    ),
    (
        "DQI-MIB",
        "dqiAgent",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5],
    ),
    (
        "DQI-MIB",
        "dqiVex",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 6],
    ),
    (
        "DQI-MIB",
        "dqiProductGeneric",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 3, 1],
    ),
    (
        "DQI-MIB",
        "dqiProductDemoInfusionPump",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 3, 2],
    ),
    (
        "DQI-MIB",
        "dqiIdManufacturer",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 1],
    ),
    (
        "DQI-MIB",
        "dqiIdBrandName",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 2],
    ),
    (
        "DQI-MIB",
        "dqiIdModelNumber",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 3],
    ),
    (
        "DQI-MIB",
        "dqiIdCatalogNumber",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 4],
    ),
    (
        "DQI-MIB",
        "dqiIdSerialNumber",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 5],
    ),
    (
        "DQI-MIB",
        "dqiIdHardwareRevision",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 6],
    ),
    (
        "DQI-MIB",
        "dqiUdiIssuer",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 7],
    ),
    (
        "DQI-MIB",
        "dqiUdiDeviceIdentifier",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 8],
    ),
    (
        "DQI-MIB",
        "dqiUdiLotNumber",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 9],
    ),
    (
        "DQI-MIB",
        "dqiUdiManufacturingDate",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 10],
    ),
    (
        "DQI-MIB",
        "dqiUdiExpirationDate",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 11],
    ),
    (
        "DQI-MIB",
        "dqiUdiString",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 12],
    ),
    (
        "DQI-MIB",
        "dqiIdUuid",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 13],
    ),
    (
        "DQI-MIB",
        "dqiIdFdaProductCode",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 14],
    ),
    (
        "DQI-MIB",
        "dqiIdGmdnCode",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 15],
    ),
    (
        "DQI-MIB",
        "dqiIdVulnContactUri",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 16],
    ),
    (
        "DQI-MIB",
        "dqiIdMds2Uri",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 17],
    ),
    (
        "DQI-MIB",
        "dqiSecControlTable",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 18],
    ),
    (
        "DQI-MIB",
        "dqiSecControlEntry",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 18, 1],
    ),
    (
        "DQI-MIB",
        "dqiSecControlIndex",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 18, 1, 1],
    ),
    (
        "DQI-MIB",
        "dqiSecControlSection",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 18, 1, 2],
    ),
    (
        "DQI-MIB",
        "dqiSecControlCode",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 18, 1, 3],
    ),
    (
        "DQI-MIB",
        "dqiSecControlSupported",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 18, 1, 4],
    ),
    (
        "DQI-MIB",
        "dqiSecControlEnabled",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 18, 1, 5],
    ),
    (
        "DQI-MIB",
        "dqiSecControlNote",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 1, 18, 1, 6],
    ),
    (
        "DQI-MIB",
        "dqiHealthStatus",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 2, 1],
    ),
    (
        "DQI-MIB",
        "dqiHealthReason",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 2, 2],
    ),
    (
        "DQI-MIB",
        "dqiHealthLastChange",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 2, 3],
    ),
    (
        "DQI-MIB",
        "dqiSelfTestResult",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 2, 4],
    ),
    (
        "DQI-MIB",
        "dqiSelfTestTime",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 2, 5],
    ),
    (
        "DQI-MIB",
        "dqiCfgLastChange",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 1],
    ),
    (
        "DQI-MIB",
        "dqiCfgLastChangeDate",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 2],
    ),
    (
        "DQI-MIB",
        "dqiCfgChanges",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 3],
    ),
    (
        "DQI-MIB",
        "dqiCfgDigest",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 4],
    ),
    (
        "DQI-MIB",
        "dqiCfgRemoteService",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 5],
    ),
    (
        "DQI-MIB",
        "dqiCfgDefaultCredential",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 6],
    ),
    (
        "DQI-MIB",
        "dqiCfgAutoLogoff",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 7],
    ),
    (
        "DQI-MIB",
        "dqiCfgStorageEncryption",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 8],
    ),
    (
        "DQI-MIB",
        "dqiCfgAuditLogging",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 9],
    ),
    (
        "DQI-MIB",
        "dqiCfgAuditTarget",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 10],
    ),
    (
        "DQI-MIB",
        "dqiCfgTimeSource",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 11],
    ),
    (
        "DQI-MIB",
        "dqiCfgTimeServer",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 12],
    ),
    (
        "DQI-MIB",
        "dqiCfgTimeSynchronized",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 13],
    ),
    (
        "DQI-MIB",
        "dqiCfgSecureBoot",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 14],
    ),
    (
        "DQI-MIB",
        "dqiCfgUpdatePolicy",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 15],
    ),
    (
        "DQI-MIB",
        "dqiCfgLastUpdate",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 16],
    ),
    (
        "DQI-MIB",
        "dqiCfgSnmpCommunity",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 17],
    ),
    (
        "DQI-MIB",
        "dqiServiceTable",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 18],
    ),
    (
        "DQI-MIB",
        "dqiServiceEntry",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 18, 1],
    ),
    (
        "DQI-MIB",
        "dqiServiceIndex",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 18, 1, 1],
    ),
    (
        "DQI-MIB",
        "dqiServiceName",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 18, 1, 2],
    ),
    (
        "DQI-MIB",
        "dqiServiceTransport",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 18, 1, 3],
    ),
    (
        "DQI-MIB",
        "dqiServiceDirection",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 18, 1, 4],
    ),
    (
        "DQI-MIB",
        "dqiServiceAddressType",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 18, 1, 5],
    ),
    (
        "DQI-MIB",
        "dqiServiceAddress",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 18, 1, 6],
    ),
    (
        "DQI-MIB",
        "dqiServicePort",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 18, 1, 7],
    ),
    (
        "DQI-MIB",
        "dqiServiceInterface",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 18, 1, 8],
    ),
    (
        "DQI-MIB",
        "dqiServiceState",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 18, 1, 9],
    ),
    (
        "DQI-MIB",
        "dqiServiceAuth",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 18, 1, 10],
    ),
    (
        "DQI-MIB",
        "dqiServiceEncryption",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 18, 1, 11],
    ),
    (
        "DQI-MIB",
        "dqiServicePurpose",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 3, 18, 1, 12],
    ),
    (
        "DQI-MIB",
        "dqiSwLastChange",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 1],
    ),
    (
        "DQI-MIB",
        "dqiSwLastRefresh",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 2],
    ),
    (
        "DQI-MIB",
        "dqiSwRefreshStatus",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 3],
    ),
    (
        "DQI-MIB",
        "dqiSwCount",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 4],
    ),
    (
        "DQI-MIB",
        "dqiSwDigest",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 5],
    ),
    (
        "DQI-MIB",
        "dqiSwPastEndOfSupport",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 6],
    ),
    (
        "DQI-MIB",
        "dqiSwSbomUri",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 7],
    ),
    (
        "DQI-MIB",
        "dqiSwSbomFormat",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 8],
    ),
    (
        "DQI-MIB",
        "dqiSwSbomDigest",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 9],
    ),
    (
        "DQI-MIB",
        "dqiSwSbomSerial",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 10],
    ),
    (
        "DQI-MIB",
        "dqiSwVexUri",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 11],
    ),
    (
        "DQI-MIB",
        "dqiSwTable",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12],
    ),
    (
        "DQI-MIB",
        "dqiSwEntry",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1],
    ),
    (
        "DQI-MIB",
        "dqiSwIndex",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 1],
    ),
    (
        "DQI-MIB",
        "dqiSwName",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 2],
    ),
    (
        "DQI-MIB",
        "dqiSwVersion",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 3],
    ),
    (
        "DQI-MIB",
        "dqiSwSupplier",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 4],
    ),
    (
        "DQI-MIB",
        "dqiSwType",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 5],
    ),
    (
        "DQI-MIB",
        "dqiSwPurl",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 6],
    ),
    (
        "DQI-MIB",
        "dqiSwCpe",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 7],
    ),
    (
        "DQI-MIB",
        "dqiSwHashAlgorithm",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 8],
    ),
    (
        "DQI-MIB",
        "dqiSwHashValue",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 9],
    ),
    (
        "DQI-MIB",
        "dqiSwInstallDate",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 10],
    ),
    (
        "DQI-MIB",
        "dqiSwSupportStatus",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 11],
    ),
    (
        "DQI-MIB",
        "dqiSwEndOfSupport",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 12],
    ),
    (
        "DQI-MIB",
        "dqiSwSbomRef",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 13],
    ),
    (
        "DQI-MIB",
        "dqiSwSbomDocument",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 14],
    ),
    (
        "DQI-MIB",
        "dqiSwParent",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 15],
    ),
    (
        "DQI-MIB",
        "dqiSwEntPhysicalIndex",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 16],
    ),
    (
        "DQI-MIB",
        "dqiSbomTable",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 13],
    ),
    (
        "DQI-MIB",
        "dqiSbomEntry",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 13, 1],
    ),
    (
        "DQI-MIB",
        "dqiSbomIndex",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 13, 1, 1],
    ),
    (
        "DQI-MIB",
        "dqiSbomFileName",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 13, 1, 2],
    ),
    (
        "DQI-MIB",
        "dqiSbomFormat",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 13, 1, 3],
    ),
    (
        "DQI-MIB",
        "dqiSbomSpecVersion",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 13, 1, 4],
    ),
    (
        "DQI-MIB",
        "dqiSbomSerial",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 13, 1, 5],
    ),
    (
        "DQI-MIB",
        "dqiSbomVersion",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 13, 1, 6],
    ),
    (
        "DQI-MIB",
        "dqiSbomCreated",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 13, 1, 7],
    ),
    (
        "DQI-MIB",
        "dqiSbomDigest",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 13, 1, 8],
    ),
    (
        "DQI-MIB",
        "dqiSbomComponents",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 13, 1, 9],
    ),
    (
        "DQI-MIB",
        "dqiSwByNameTable",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 14],
    ),
    (
        "DQI-MIB",
        "dqiSwByNameEntry",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 14, 1],
    ),
    (
        "DQI-MIB",
        "dqiSwByNameKey",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 14, 1, 1],
    ),
    (
        "DQI-MIB",
        "dqiSwByNameVersion",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 14, 1, 2],
    ),
    (
        "DQI-MIB",
        "dqiSwByNamePurl",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 14, 1, 3],
    ),
    (
        "DQI-MIB",
        "dqiSwByPurlTable",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 15],
    ),
    (
        "DQI-MIB",
        "dqiSwByPurlEntry",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 15, 1],
    ),
    (
        "DQI-MIB",
        "dqiSwByPurlKey",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 15, 1, 1],
    ),
    (
        "DQI-MIB",
        "dqiSwByPurlVersion",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 15, 1, 2],
    ),
    (
        "DQI-MIB",
        "dqiSwByPurlPurl",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 15, 1, 3],
    ),
    (
        "DQI-MIB",
        "dqiAgentVersion",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 1],
    ),
    (
        "DQI-MIB",
        "dqiAgentRefreshInterval",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 2],
    ),
    (
        "DQI-MIB",
        "dqiBudgetGlobalRate",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 3],
    ),
    (
        "DQI-MIB",
        "dqiBudgetGlobalPeriod",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 4],
    ),
    (
        "DQI-MIB",
        "dqiBudgetSourceRate",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 5],
    ),
    (
        "DQI-MIB",
        "dqiBudgetSourcePeriod",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 6],
    ),
    (
        "DQI-MIB",
        "dqiBudgetUserRate",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 7],
    ),
    (
        "DQI-MIB",
        "dqiBudgetUserPeriod",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 8],
    ),
    (
        "DQI-MIB",
        "dqiBudgetBurst",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 9],
    ),
    (
        "DQI-MIB",
        "dqiBudgetMaxRepetitions",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 10],
    ),
    (
        "DQI-MIB",
        "dqiBudgetMaxResponseVarbinds",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 11],
    ),
    (
        "DQI-MIB",
        "dqiBudgetOverAction",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 12],
    ),
    (
        "DQI-MIB",
        "dqiBudgetIntakeCeiling",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 13],
    ),
    (
        "DQI-MIB",
        "dqiBudgetModeration",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 33],
    ),
    (
        "DQI-MIB",
        "dqiBudgetHold",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 34],
    ),
    (
        "DQI-MIB",
        "dqiBudgetHeld",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 35],
    ),
    (
        "DQI-MIB",
        "dqiBudgetShed",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 36],
    ),
    (
        "DQI-MIB",
        "dqiBudgetBulkShaped",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 37],
    ),
    (
        "DQI-MIB",
        "dqiBudgetRequestCost",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 38],
    ),
    (
        "DQI-MIB",
        "dqiBudgetSourcePrefix6",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 14],
    ),
    (
        "DQI-MIB",
        "dqiBudgetSourceCapacity",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 15],
    ),
    (
        "DQI-MIB",
        "dqiBudgetSourceEntries",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 16],
    ),
    (
        "DQI-MIB",
        "dqiBudgetSourceEvictions",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 17],
    ),
    (
        "DQI-MIB",
        "dqiBudgetAccepted",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 18],
    ),
    (
        "DQI-MIB",
        "dqiBudgetRejectedIntake",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 19],
    ),
    (
        "DQI-MIB",
        "dqiBudgetRejectedGlobal",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 20],
    ),
    (
        "DQI-MIB",
        "dqiBudgetRejectedSource",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 21],
    ),
    (
        "DQI-MIB",
        "dqiBudgetRejectedPrincipal",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 22],
    ),
    (
        "DQI-MIB",
        "dqiBudgetRejectedUnauth",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 23],
    ),
    (
        "DQI-MIB",
        "dqiBudgetRejectedRetransmit",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 24],
    ),
    (
        "DQI-MIB",
        "dqiBudgetCacheAnswers",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 25],
    ),
    (
        "DQI-MIB",
        "dqiBudgetBulkCapped",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 26],
    ),
    (
        "DQI-MIB",
        "dqiBudgetLastRejection",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 27],
    ),
    (
        "DQI-MIB",
        "dqiBudgetTable",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 28],
    ),
    (
        "DQI-MIB",
        "dqiBudgetEntry",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 28, 1],
    ),
    (
        "DQI-MIB",
        "dqiBudgetSecModel",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 28, 1, 1],
    ),
    (
        "DQI-MIB",
        "dqiBudgetSecName",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 28, 1, 2],
    ),
    (
        "DQI-MIB",
        "dqiBudgetPrincipalRate",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 28, 1, 3],
    ),
    (
        "DQI-MIB",
        "dqiBudgetPrincipalPeriod",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 28, 1, 4],
    ),
    (
        "DQI-MIB",
        "dqiBudgetPrincipalBurst",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 28, 1, 5],
    ),
    (
        "DQI-MIB",
        "dqiBudgetPrincipalAvailable",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 28, 1, 6],
    ),
    (
        "DQI-MIB",
        "dqiBudgetPrincipalUsedMinute",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 28, 1, 7],
    ),
    (
        "DQI-MIB",
        "dqiBudgetPrincipalUsedHour",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 28, 1, 8],
    ),
    (
        "DQI-MIB",
        "dqiBudgetPrincipalAccepted",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 28, 1, 9],
    ),
    (
        "DQI-MIB",
        "dqiBudgetPrincipalRejected",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 28, 1, 10],
    ),
    (
        "DQI-MIB",
        "dqiBudgetPrincipalLastRejection",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 28, 1, 11],
    ),
    (
        "DQI-MIB",
        "dqiBudgetNotifyLevel",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 29],
    ),
    (
        "DQI-MIB",
        "dqiBudgetNotifyAddressType",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 30],
    ),
    (
        "DQI-MIB",
        "dqiBudgetNotifyAddress",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 31],
    ),
    (
        "DQI-MIB",
        "dqiBudgetNotifyPrincipal",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 5, 32],
    ),
    (
        "DQI-MIB",
        "dqiVexCount",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 6, 1],
    ),
    (
        "DQI-MIB",
        "dqiVexLastChange",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 6, 2],
    ),
    (
        "DQI-MIB",
        "dqiVexDigest",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 6, 3],
    ),
    (
        "DQI-MIB",
        "dqiVexTable",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 6, 4],
    ),
    (
        "DQI-MIB",
        "dqiVexEntry",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 6, 4, 1],
    ),
    (
        "DQI-MIB",
        "dqiVexVulnId",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 6, 4, 1, 1],
    ),
    (
        "DQI-MIB",
        "dqiVexState",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 6, 4, 1, 2],
    ),
    (
        "DQI-MIB",
        "dqiVexJustification",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 6, 4, 1, 3],
    ),
    (
        "DQI-MIB",
        "dqiVexAction",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 6, 4, 1, 4],
    ),
    (
        "DQI-MIB",
        "dqiVexUpdated",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 6, 4, 1, 5],
    ),
    (
        "DQI-MIB",
        "dqiVexSource",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 6, 4, 1, 6],
    ),
    (
        "DQI-MIB",
        "dqiVexDetail",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 6, 4, 1, 7],
    ),
    (
        "DQI-MIB",
        "dqiVexUnmatched",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 6, 5],
    ),
    (
        "DQI-MIB",
        "dqiSwInventoryChange",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 0, 1],
    ),
    (
        "DQI-MIB",
        "dqiCfgChange",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 0, 2],
    ),
    (
        "DQI-MIB",
        "dqiHealthChange",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 0, 3],
    ),
    (
        "DQI-MIB",
        "dqiBudgetExhausted",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 0, 4],
    ),
    (
        "DQI-MIB",
        "dqiSwEndOfSupportReached",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 0, 5],
    ),
    (
        "DQI-MIB",
        "dqiCompliances",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 1],
    ),
    (
        "DQI-MIB",
        "dqiGroups",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2],
    ),
    (
        "DQI-MIB",
        "dqiBasicCompliance",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 1, 1],
    ),
    (
        "DQI-MIB",
        "dqiFullCompliance",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 1, 2],
    ),
    (
        "DQI-MIB",
        "dqiIdentityGroup",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2, 1],
    ),
    (
        "DQI-MIB",
        "dqiSecControlGroup",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2, 2],
    ),
    (
        "DQI-MIB",
        "dqiHealthGroup",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2, 3],
    ),
    (
        "DQI-MIB",
        "dqiConfigGroup",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2, 4],
    ),
    (
        "DQI-MIB",
        "dqiServiceGroup",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2, 5],
    ),
    (
        "DQI-MIB",
        "dqiSoftwareGroup",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2, 6],
    ),
    (
        "DQI-MIB",
        "dqiSbomGroup",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2, 7],
    ),
    (
        "DQI-MIB",
        "dqiAgentGroup",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2, 8],
    ),
    (
        "DQI-MIB",
        "dqiBudgetGroup",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2, 9],
    ),
    (
        "DQI-MIB",
        "dqiNotifyObjectsGroup",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2, 10],
    ),
    (
        "DQI-MIB",
        "dqiNotificationGroup",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2, 11],
    ),
    (
        "DQI-MIB",
        "dqiSwLookupGroup",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2, 12],
    ),
    (
        "DQI-MIB",
        "dqiVexGroup",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2, 13],
    ),
    (
        "DQI-MIB",
        "dqiBudgetShapingGroup",
        &[1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 2, 2, 14],
    ),
];

/// The OID of `text`: `MODULE::name` or `name`, then optionally `.n.n...` (as in
/// `SNMPv2-MIB::sysDescr.0`). `None` when the name is unknown or the suffix is not numeric.
pub fn resolve(text: &str) -> Option<Vec<u32>> {
    let (module, rest) = match text.split_once("::") {
        Some((module, rest)) => (Some(module), rest),
        None => (None, text),
    };
    let (name, suffix) = rest.split_once('.').unwrap_or((rest, ""));
    let (_, _, oid) = NAMES
        .iter()
        .find(|(m, n, _)| *n == name && module.is_none_or(|module| module == *m))?;
    let mut oid = oid.to_vec();
    if !suffix.is_empty() {
        for arc in suffix.split('.') {
            oid.push(arc.parse().ok()?);
        }
    }
    Some(oid)
}
