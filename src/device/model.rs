//! The device snapshot: everything the DQI-MIB and its mirrors serve about the device, gathered in
//! advance and never changed once built.
//!
//! The agent shares one [`DeviceSnapshot`] behind an `Arc` and swaps it whole on refresh, so a
//! request sees either the old data or the new, never a mix. Plain data types, `no_std` + `alloc`:
//! an embedder can fill them from code (see [`super::DeviceSource`]); the file loaders fill them
//! from the description TOML and the SBOMs.
//!
//! The software inventory types live in [`super::software`] and are re-exported here, so the
//! whole snapshot is reachable from this module.

use alloc::string::String;
use alloc::vec::Vec;

use super::date::Timestamp;
pub use super::software::{
    ComponentHash, ComponentType, HashAlg, SbomComponent, SbomDocument, SbomFormat, SbomImport,
    Software, SoftwareRow, SupportStatus,
};

/// The whole device as served: identity, security controls, health, configuration, services and
/// software inventory.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct DeviceSnapshot {
    /// Who the device is.
    pub identity: Identity,
    /// MDS2 security capabilities of the model and their state on this unit.
    pub security_controls: Vec<SecurityControl>,
    /// Health inputs the device reports.
    pub health: Health,
    /// Security-relevant configuration facts.
    pub configuration: Configuration,
    /// Listening network services and non-IP interfaces.
    pub services: Vec<Service>,
    /// The software inventory from the SBOMs.
    pub software: Software,
    /// The maker's VEX statements, joined to the software rows.
    pub vex: super::vex::Vex,
}

/// Who the device is: the identity fields an asset inventory and the FDA UDI system carry.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Identity {
    /// Legal manufacturer name.
    pub manufacturer: String,
    /// Brand or trade name (the GUDID "brand name").
    pub brand: String,
    /// Model number (the GUDID "version or model").
    pub model: String,
    /// Catalog (reference) number.
    pub catalog_number: Option<String>,
    /// Serial number of this unit.
    pub serial: String,
    /// Hardware revision.
    pub hardware_revision: Option<String>,
    /// Firmware revision, for entPhysicalFirmwareRev.
    pub firmware_revision: Option<String>,
    /// Main software revision, for entPhysicalSoftwareRev and sysDescr.
    pub software_revision: Option<String>,
    /// The Unique Device Identifier, when the device carries one.
    pub udi: Option<Udi>,
    /// Unit UUID (RFC 9562), lowercase hyphenated text.
    pub uuid: Option<String>,
    /// FDA product code (three letters, e.g. `FRN` for infusion pumps).
    pub fda_product_code: Option<String>,
    /// GMDN term code.
    pub gmdn_code: Option<String>,
    /// The manufacturer's coordinated vulnerability disclosure contact (URI).
    pub vulnerability_disclosure_uri: Option<String>,
    /// Where the model's MDS2 form is published (URI).
    pub mds2_uri: Option<String>,
}

/// A UDI issuing agency accredited by the FDA (21 CFR 830.100).
#[cfg_attr(
    feature = "server",
    derive(serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IssuingAgency {
    /// GS1 (GTIN as device identifier).
    #[cfg_attr(feature = "server", serde(rename = "GS1"))]
    Gs1,
    /// Health Industry Business Communications Council.
    #[cfg_attr(feature = "server", serde(rename = "HIBCC"))]
    Hibcc,
    /// ICCBBA (ISBT 128).
    #[cfg_attr(feature = "server", serde(rename = "ICCBBA"))]
    Iccbba,
}

/// The Unique Device Identifier (21 CFR 801.20): device identifier plus production identifiers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Udi {
    /// The agency whose rules the UDI follows.
    pub issuing_agency: IssuingAgency,
    /// Device identifier (DI), 6 to 23 characters.
    pub di: String,
    /// Lot or batch number.
    pub lot: Option<String>,
    /// Manufacturing date.
    pub manufactured: Option<Timestamp>,
    /// Expiration date.
    pub expiry: Option<Timestamp>,
    /// The human-readable interpretation as printed on the label.
    pub human_readable: Option<String>,
}

/// One MDS2 security capability (ANSI/NEMA HN 1-2019 form section).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityControl {
    /// The MDS2 question ID the row answers (`ALOF-1`, `CSUP-2.3`), or a bare section code
    /// (`ALOF`) for an answer that covers the whole section; see [`MDS2_SECTIONS`].
    pub code: String,
    /// Human-readable name of the capability.
    pub name: String,
    /// Whether the model supports it.
    pub supported: bool,
    /// Whether it is enabled on this unit now.
    pub enabled: bool,
    /// Free-text note (how, limits, compensating controls).
    pub note: Option<String>,
}

/// MDS2 (ANSI/NEMA HN 1-2019) section codes and titles, in form order: the prefix of a question
/// ID. The description file may use other four-letter codes (later form revisions), so this is
/// a reference, not a gate.
pub const MDS2_SECTIONS: &[(&str, &str)] = &[
    ("MPII", "Management of personally identifiable information"),
    ("ALOF", "Automatic logoff"),
    ("AUDT", "Audit controls"),
    ("AUTH", "Authorization"),
    (
        "CNFS",
        "Configuration of security features (HN 1-2013 form)",
    ),
    ("CSUP", "Cybersecurity product upgrades"),
    ("DIDT", "Health data de-identification"),
    ("DTBK", "Data backup and disaster recovery"),
    ("EMRG", "Emergency access"),
    ("IGAU", "Health data integrity and authenticity"),
    ("MLDP", "Malware detection and protection"),
    ("NAUT", "Node authentication"),
    ("CONN", "Connectivity capabilities"),
    ("PAUT", "Person authentication"),
    ("PLOK", "Physical locks"),
    (
        "RDMP",
        "Roadmap for third-party components in device life cycle",
    ),
    ("SBOM", "Software bill of materials"),
    ("SAHD", "System and application hardening"),
    ("SGUD", "Security guidance"),
    ("STCF", "Health data storage confidentiality"),
    ("TXCF", "Transmission confidentiality"),
    ("TXIG", "Transmission integrity"),
    ("RMOT", "Remote service"),
    ("OTHR", "Other security considerations"),
];

/// Overall health status.
#[cfg_attr(
    feature = "server",
    derive(serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HealthStatus {
    /// Working as intended.
    Ok,
    /// Working with reduced function or redundancy.
    Degraded,
    /// Not working.
    Fault,
    /// Taken out of clinical use for service.
    Maintenance,
    /// Not known (no input yet).
    #[default]
    Unknown,
}

/// Outcome of the last power-on or periodic self-test.
#[cfg_attr(
    feature = "server",
    derive(serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SelfTestResult {
    /// Passed.
    Passed,
    /// Failed.
    Failed,
    /// Not run (or no record).
    #[default]
    NotRun,
}

/// Health inputs.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Health {
    /// Overall status.
    pub status: HealthStatus,
    /// Why the status is what it is; empty when ok.
    pub reason: String,
    /// Last self-test outcome.
    pub self_test: SelfTestResult,
    /// When the last self-test ran.
    pub self_test_time: Option<Timestamp>,
}

/// Whether the manufacturer can reach the device remotely for service.
#[cfg_attr(
    feature = "server",
    derive(serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum RemoteServiceAccess {
    /// No remote service path.
    #[default]
    Disabled,
    /// Enabled per session by someone at the device or the hospital.
    OnDemand,
    /// Always reachable.
    Always,
}

/// Where the device gets its time from.
#[cfg_attr(
    feature = "server",
    derive(serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TimeSource {
    /// Not known.
    #[default]
    Unknown,
    /// Set by hand.
    Manual,
    /// NTP or SNTP.
    Ntp,
    /// IEEE 1588 PTP.
    Ptp,
    /// Satellite receiver.
    Gnss,
    /// A host system or gateway the device is attached to.
    Host,
}

/// How software updates reach the device.
#[cfg_attr(
    feature = "server",
    derive(serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UpdatePolicy {
    /// Not known.
    #[default]
    Unknown,
    /// Not updatable in the field.
    None,
    /// Installed by hospital staff.
    Manual,
    /// Installed by a manufacturer service technician.
    ServiceTechnician,
    /// Installed automatically from the manufacturer.
    Automatic,
}

/// Security-relevant configuration facts. Values come from the device; the agent only reports.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Configuration {
    /// When the effective configuration last changed.
    pub last_change: Option<Timestamp>,
    /// How many times the configuration changed since manufacture.
    pub change_count: u32,
    /// SHA-256 of the effective configuration: detects drift without exposing the configuration.
    pub digest: Option<[u8; 32]>,
    /// Remote service access.
    pub remote_service: RemoteServiceAccess,
    /// Whether a factory default credential is still in use.
    pub factory_default_credential: bool,
    /// Automatic logoff after this many idle seconds; 0 when disabled.
    pub auto_logoff_seconds: u32,
    /// Whether stored data is encrypted.
    pub storage_encryption: bool,
    /// Whether audit logging is on.
    pub audit_logging: bool,
    /// Where audit records go (URI or free text).
    pub audit_target: Option<String>,
    /// Time source.
    pub time_source: TimeSource,
    /// Time server address, if any.
    pub time_server: Option<String>,
    /// Whether time is synchronised now.
    pub time_synchronised: bool,
    /// Whether secure boot is enabled.
    pub secure_boot: bool,
    /// How updates are installed.
    pub update_policy: UpdatePolicy,
    /// When software was last updated.
    pub last_update: Option<Timestamp>,
    /// Whether community-based SNMP is enabled on this agent. Filled by the agent from its own
    /// configuration, never from the description file: the device cannot know it.
    pub community_snmp: bool,
}

/// How a service or interface is reached.
#[cfg_attr(
    feature = "server",
    derive(serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Transport {
    /// TCP.
    Tcp,
    /// UDP.
    Udp,
    /// SCTP.
    Sctp,
    /// Bluetooth BR/EDR.
    Bluetooth,
    /// Bluetooth Low Energy.
    BluetoothLe,
    /// USB.
    Usb,
    /// Serial line (RS-232 and the like).
    Serial,
    /// Anything else (infrared, NFC, proprietary).
    Other,
}

/// Whether a service is running.
#[cfg_attr(
    feature = "server",
    derive(serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ServiceState {
    /// Listening or active.
    Enabled,
    /// Present but turned off.
    Disabled,
    /// Started only on request (e.g. for a service session).
    OnDemand,
}

/// How a service authenticates its peer.
#[cfg_attr(
    feature = "server",
    derive(serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AuthKind {
    /// No authentication.
    None,
    /// User name and password.
    Password,
    /// X.509 certificate.
    Certificate,
    /// Pre-shared key.
    SharedKey,
    /// Bearer token.
    Token,
    /// Bluetooth pairing.
    Pairing,
    /// SNMPv3 USM.
    Usm,
    /// Anything else.
    Other,
}

/// How a service protects data in transit.
#[cfg_attr(
    feature = "server",
    derive(serde::Deserialize),
    serde(rename_all = "kebab-case")
)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Encryption {
    /// Cleartext.
    None,
    /// TLS.
    Tls,
    /// DTLS.
    Dtls,
    /// SSH.
    Ssh,
    /// IPsec.
    Ipsec,
    /// Link-layer encryption (Bluetooth, Wi-Fi).
    LinkLayer,
    /// Application-level encryption (e.g. SNMPv3 USM privacy).
    Application,
    /// Anything else.
    Other,
}

/// One listening network service or non-IP interface.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Service {
    /// Name (e.g. `https`, `hl7-mllp`, `bluetooth`).
    pub name: String,
    /// Transport.
    pub transport: Transport,
    /// Bound address (IP address, Bluetooth address, USB port name), if meaningful.
    pub address: Option<String>,
    /// Port for IP transports.
    pub port: Option<u16>,
    /// State.
    pub state: ServiceState,
    /// Peer authentication.
    pub auth: AuthKind,
    /// Encryption in transit.
    pub encryption: Encryption,
    /// Why it exists.
    pub purpose: String,
}
