//! The device facts a snapshot carries besides identity, software and VEX: health (DQI-MIB
//! `dqiHealth`), the security-relevant configuration (`dqiConfig`), the network services and
//! non-IP interfaces (`dqiServiceTable`), and the hashes of a software row (`dqiSwHashAlgorithm`
//! and `dqiSwHashValue`). The same model the `dqi-agent` binary reads from its description
//! file, so a C embedder serves the same objects.
//!
//! Times are Unix seconds (UTC); a negative value means unknown, and the MIB's date objects are
//! then empty, as for a description file that gives no date.

use alloc::string::String;
use core::ffi::c_char;
use core::fmt::Write;

use dqi_core::device::Timestamp;
use dqi_core::device::model::{
    AuthKind, Configuration, Encryption, Health, HealthStatus, RemoteServiceAccess, SelfTestResult,
    Service, ServiceState, TimeSource, Transport, UpdatePolicy,
};
use dqi_core::device::software::{ComponentHash, HashAlg, SupportStatus};

use crate::dqi_result::{self, *};
use crate::{bytes, code, dqi_snapshot, text};

/// Overall health (`dqiHealthStatus`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_health_status {
    /// Working as intended.
    DQI_HEALTH_OK = 1,
    /// Working with reduced function or redundancy.
    DQI_HEALTH_DEGRADED = 2,
    /// Not working.
    DQI_HEALTH_FAULT = 3,
    /// Taken out of clinical use for service.
    DQI_HEALTH_MAINTENANCE = 4,
    /// Not known.
    DQI_HEALTH_UNKNOWN = 5,
}

/// The last self-test's outcome (`dqiHealthSelfTest`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_self_test {
    /// Passed.
    DQI_SELF_TEST_PASSED = 1,
    /// Failed.
    DQI_SELF_TEST_FAILED = 3,
    /// Not run, or no record.
    DQI_SELF_TEST_NOT_RUN = 4,
}

/// Whether the manufacturer can reach the device remotely for service (`dqiCfgRemoteService`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_remote_service {
    /// No remote service path.
    DQI_REMOTE_DISABLED = 1,
    /// Enabled per session by someone at the device or the hospital.
    DQI_REMOTE_ON_DEMAND = 2,
    /// Always reachable.
    DQI_REMOTE_ALWAYS = 3,
}

/// Where the device gets its time (`dqiCfgTimeSource`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_time_source {
    /// Not known.
    DQI_TIME_UNKNOWN = 1,
    /// Set by hand.
    DQI_TIME_MANUAL = 2,
    /// NTP or SNTP.
    DQI_TIME_NTP = 3,
    /// IEEE 1588 PTP.
    DQI_TIME_PTP = 5,
    /// A satellite receiver.
    DQI_TIME_GNSS = 6,
    /// A host system or gateway the device is attached to.
    DQI_TIME_HOST = 7,
}

/// How software updates reach the device (`dqiCfgUpdatePolicy`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_update_policy {
    /// Not updatable in the field.
    DQI_UPDATE_NONE = 1,
    /// Installed by a manufacturer service technician.
    DQI_UPDATE_SERVICE_TECHNICIAN = 2,
    /// Installed by hospital staff.
    DQI_UPDATE_MANUAL = 3,
    /// Installed automatically from the manufacturer.
    DQI_UPDATE_AUTOMATIC = 4,
    /// Not known.
    DQI_UPDATE_UNKNOWN = 5,
}

/// The security-relevant configuration, as [`dqi_snapshot_set_configuration`] takes it. The
/// strings may be NULL; a time below 0 is unknown.
#[repr(C)]
pub struct dqi_configuration {
    /// When the effective configuration last changed (`dqiCfgLastChangeDate`).
    pub last_change: i64,
    /// SHA-256 of the effective configuration, 32 octets, or NULL (`dqiCfgDigest`, in hex):
    /// detects drift without exposing the configuration.
    pub digest: *const u8,
    /// Remote service access.
    pub remote_service: dqi_remote_service,
    /// A factory default credential is still in use.
    pub factory_default_credential: bool,
    /// Automatic logoff after this many idle seconds; 0 when disabled.
    pub auto_logoff_seconds: u32,
    /// Stored data is encrypted.
    pub storage_encryption: bool,
    /// Audit logging is on.
    pub audit_logging: bool,
    /// Where audit records go (a URI or free text), at most 255 octets; served only while
    /// logging is on.
    pub audit_target: *const c_char,
    /// The time source.
    pub time_source: dqi_time_source,
    /// The time server's address or name, at most 255 octets.
    pub time_server: *const c_char,
    /// Time is synchronized now.
    pub time_synchronised: bool,
    /// Secure boot is enabled.
    pub secure_boot: bool,
    /// How updates are installed.
    pub update_policy: dqi_update_policy,
    /// When software was last updated (`dqiCfgLastUpdate`).
    pub last_update: i64,
}

/// How a service or interface is reached (`dqiServiceTransport`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_transport {
    /// Anything else (infrared, NFC, proprietary).
    DQI_TRANSPORT_OTHER = 1,
    /// TCP.
    DQI_TRANSPORT_TCP = 2,
    /// UDP.
    DQI_TRANSPORT_UDP = 3,
    /// SCTP.
    DQI_TRANSPORT_SCTP = 4,
    /// Bluetooth BR/EDR.
    DQI_TRANSPORT_BLUETOOTH = 5,
    /// Bluetooth Low Energy.
    DQI_TRANSPORT_BLUETOOTH_LE = 6,
    /// USB.
    DQI_TRANSPORT_USB = 7,
    /// A serial line.
    DQI_TRANSPORT_SERIAL = 8,
}

/// Whether a service runs (`dqiServiceState`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_service_state {
    /// Listening or active.
    DQI_SERVICE_ENABLED = 1,
    /// Present but turned off.
    DQI_SERVICE_DISABLED = 2,
    /// Started only on request (a service session).
    DQI_SERVICE_ON_DEMAND = 3,
}

/// How a service authenticates its peer (`dqiServiceAuth`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_service_auth {
    /// No authentication.
    DQI_AUTH_KIND_NONE = 1,
    /// User name and password.
    DQI_AUTH_KIND_PASSWORD = 2,
    /// X.509 certificate.
    DQI_AUTH_KIND_CERTIFICATE = 3,
    /// Pre-shared key.
    DQI_AUTH_KIND_SHARED_KEY = 4,
    /// Bearer token.
    DQI_AUTH_KIND_TOKEN = 5,
    /// Bluetooth pairing.
    DQI_AUTH_KIND_PAIRING = 6,
    /// SNMPv3 USM.
    DQI_AUTH_KIND_USM = 7,
    /// Anything else.
    DQI_AUTH_KIND_OTHER = 8,
}

/// How a service protects data in transit (`dqiServiceEncryption`).
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_encryption {
    /// Cleartext.
    DQI_ENCRYPTION_NONE = 1,
    /// TLS.
    DQI_ENCRYPTION_TLS = 2,
    /// DTLS.
    DQI_ENCRYPTION_DTLS = 3,
    /// SSH.
    DQI_ENCRYPTION_SSH = 4,
    /// IPsec.
    DQI_ENCRYPTION_IPSEC = 5,
    /// Link-layer encryption (Bluetooth, Wi-Fi).
    DQI_ENCRYPTION_LINK_LAYER = 6,
    /// Application-level encryption (SNMPv3 USM privacy).
    DQI_ENCRYPTION_APPLICATION = 7,
    /// Anything else.
    DQI_ENCRYPTION_OTHER = 8,
}

/// A network service or non-IP interface, as [`dqi_snapshot_add_service`] takes it. `name` is
/// required; `address` and `purpose` may be NULL.
#[repr(C)]
pub struct dqi_service {
    /// Its name (`https`, `hl7-mllp`, `bluetooth`), at most 64 octets.
    pub name: *const c_char,
    /// The transport.
    pub transport: dqi_transport,
    /// The bound IP address for TCP, UDP and SCTP; for another transport, the port or radio it
    /// names (`RS-232 (rear panel)`, a Bluetooth address).
    pub address: *const c_char,
    /// The port for IP transports; 0 for none.
    pub port: u16,
    /// Whether it runs.
    pub state: dqi_service_state,
    /// How it authenticates its peer.
    pub auth: dqi_service_auth,
    /// How it protects data in transit.
    pub encryption: dqi_encryption,
    /// Why it exists, at most 255 octets.
    pub purpose: *const c_char,
}

/// A time from Unix seconds; `None` below 0.
pub(crate) fn time(seconds: i64) -> Option<Timestamp> {
    u64::try_from(seconds)
        .ok()
        .map(Timestamp::from_unix_seconds)
}

/// A string of at most `max` octets.
pub(crate) fn bounded(s: Option<String>, max: usize) -> Result<Option<String>, dqi_result> {
    match s {
        Some(s) if s.len() > max => Err(DQI_INVALID_ARGUMENT),
        s => Ok(s),
    }
}

/// Sets the health facts: the status, why (at most 255 octets; NULL or empty when ok), the last
/// self-test's outcome and when it ran (Unix seconds, below 0 for unknown). Served as dqiHealth;
/// dqiHealthLastChange moves when the status or reason differ from the installed snapshot's.
///
/// # Safety
/// `snapshot` came from [`crate::dqi_snapshot_new`]; `reason` is NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_snapshot_set_health(
    snapshot: *mut dqi_snapshot,
    status: dqi_health_status,
    reason: *const c_char,
    self_test: dqi_self_test,
    self_test_time: i64,
) -> dqi_result {
    // SAFETY: a snapshot from `dqi_snapshot_new`, not yet freed.
    let Some(s) = (unsafe { snapshot.as_mut() }) else {
        return DQI_NULL_POINTER;
    };
    code((|| {
        // SAFETY: the caller's contract.
        let reason = bounded(unsafe { text(reason)? }, 255)?;
        use dqi_health_status::*;
        use dqi_self_test::*;
        s.snapshot.health = Health {
            status: match status {
                DQI_HEALTH_OK => HealthStatus::Ok,
                DQI_HEALTH_DEGRADED => HealthStatus::Degraded,
                DQI_HEALTH_FAULT => HealthStatus::Fault,
                DQI_HEALTH_MAINTENANCE => HealthStatus::Maintenance,
                DQI_HEALTH_UNKNOWN => HealthStatus::Unknown,
            },
            reason: reason.unwrap_or_default(),
            self_test: match self_test {
                DQI_SELF_TEST_PASSED => SelfTestResult::Passed,
                DQI_SELF_TEST_FAILED => SelfTestResult::Failed,
                DQI_SELF_TEST_NOT_RUN => SelfTestResult::NotRun,
            },
            self_test_time: time(self_test_time),
        };
        Ok(())
    })())
}

/// Sets the security-relevant configuration facts (dqiConfig). dqiCfgLastChange moves, and
/// dqiCfgChanges counts one, when they or the services differ from the installed snapshot's.
/// dqiCfgSnmpCommunity is always false: the library has no community-based SNMP.
///
/// # Safety
/// `snapshot` came from [`crate::dqi_snapshot_new`]; `config` points to a filled
/// [`dqi_configuration`] whose strings are NULL or NUL-terminated and whose digest is NULL or
/// 32 readable octets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_snapshot_set_configuration(
    snapshot: *mut dqi_snapshot,
    config: *const dqi_configuration,
) -> dqi_result {
    // SAFETY: a snapshot from `dqi_snapshot_new`, not yet freed; a configuration from the caller.
    let (Some(s), Some(c)) = (unsafe { snapshot.as_mut() }, unsafe { config.as_ref() }) else {
        return DQI_NULL_POINTER;
    };
    code((|| {
        let digest = if c.digest.is_null() {
            None
        } else {
            let mut d = [0u8; 32];
            // SAFETY: the caller's contract: 32 readable octets.
            d.copy_from_slice(unsafe { bytes(c.digest, 32)? });
            Some(d)
        };
        // SAFETY: the caller's contract.
        let (audit_target, time_server) = unsafe { (text(c.audit_target)?, text(c.time_server)?) };
        use dqi_remote_service::*;
        use dqi_time_source::*;
        use dqi_update_policy::*;
        s.snapshot.configuration = Configuration {
            last_change: time(c.last_change),
            change_count: 0,
            digest,
            remote_service: match c.remote_service {
                DQI_REMOTE_DISABLED => RemoteServiceAccess::Disabled,
                DQI_REMOTE_ON_DEMAND => RemoteServiceAccess::OnDemand,
                DQI_REMOTE_ALWAYS => RemoteServiceAccess::Always,
            },
            factory_default_credential: c.factory_default_credential,
            auto_logoff_seconds: c.auto_logoff_seconds,
            storage_encryption: c.storage_encryption,
            audit_logging: c.audit_logging,
            audit_target: bounded(audit_target, 255)?,
            time_source: match c.time_source {
                DQI_TIME_UNKNOWN => TimeSource::Unknown,
                DQI_TIME_MANUAL => TimeSource::Manual,
                DQI_TIME_NTP => TimeSource::Ntp,
                DQI_TIME_PTP => TimeSource::Ptp,
                DQI_TIME_GNSS => TimeSource::Gnss,
                DQI_TIME_HOST => TimeSource::Host,
            },
            time_server: bounded(time_server, 255)?,
            time_synchronised: c.time_synchronised,
            secure_boot: c.secure_boot,
            update_policy: match c.update_policy {
                DQI_UPDATE_NONE => UpdatePolicy::None,
                DQI_UPDATE_SERVICE_TECHNICIAN => UpdatePolicy::ServiceTechnician,
                DQI_UPDATE_MANUAL => UpdatePolicy::Manual,
                DQI_UPDATE_AUTOMATIC => UpdatePolicy::Automatic,
                DQI_UPDATE_UNKNOWN => UpdatePolicy::Unknown,
            },
            last_update: time(c.last_update),
            community_snmp: false,
        };
        Ok(())
    })())
}

/// Adds a network service or non-IP interface; rows are numbered (dqiServiceIndex) 1, 2, ...
/// in the order added.
///
/// # Safety
/// `snapshot` came from [`crate::dqi_snapshot_new`]; `service` points to a [`dqi_service`]
/// whose strings are NULL or NUL-terminated.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_snapshot_add_service(
    snapshot: *mut dqi_snapshot,
    service: *const dqi_service,
) -> dqi_result {
    // SAFETY: a snapshot from `dqi_snapshot_new`, not yet freed; a service from the caller.
    let (Some(s), Some(v)) = (unsafe { snapshot.as_mut() }, unsafe { service.as_ref() }) else {
        return DQI_NULL_POINTER;
    };
    code((|| {
        // SAFETY: the caller's contract.
        let [name, address, purpose] =
            unsafe { [text(v.name)?, text(v.address)?, text(v.purpose)?] };
        let name = bounded(name, 64)?.ok_or(DQI_NULL_POINTER)?;
        if name.is_empty() {
            return Err(DQI_INVALID_ARGUMENT);
        }
        use dqi_encryption::*;
        use dqi_service_auth::*;
        use dqi_service_state::*;
        use dqi_transport::*;
        s.snapshot.services.push(Service {
            name,
            transport: match v.transport {
                DQI_TRANSPORT_OTHER => Transport::Other,
                DQI_TRANSPORT_TCP => Transport::Tcp,
                DQI_TRANSPORT_UDP => Transport::Udp,
                DQI_TRANSPORT_SCTP => Transport::Sctp,
                DQI_TRANSPORT_BLUETOOTH => Transport::Bluetooth,
                DQI_TRANSPORT_BLUETOOTH_LE => Transport::BluetoothLe,
                DQI_TRANSPORT_USB => Transport::Usb,
                DQI_TRANSPORT_SERIAL => Transport::Serial,
            },
            address: bounded(address, 255)?,
            port: (v.port != 0).then_some(v.port),
            state: match v.state {
                DQI_SERVICE_ENABLED => ServiceState::Enabled,
                DQI_SERVICE_DISABLED => ServiceState::Disabled,
                DQI_SERVICE_ON_DEMAND => ServiceState::OnDemand,
            },
            auth: match v.auth {
                DQI_AUTH_KIND_NONE => AuthKind::None,
                DQI_AUTH_KIND_PASSWORD => AuthKind::Password,
                DQI_AUTH_KIND_CERTIFICATE => AuthKind::Certificate,
                DQI_AUTH_KIND_SHARED_KEY => AuthKind::SharedKey,
                DQI_AUTH_KIND_TOKEN => AuthKind::Token,
                DQI_AUTH_KIND_PAIRING => AuthKind::Pairing,
                DQI_AUTH_KIND_USM => AuthKind::Usm,
                DQI_AUTH_KIND_OTHER => AuthKind::Other,
            },
            encryption: match v.encryption {
                DQI_ENCRYPTION_NONE => Encryption::None,
                DQI_ENCRYPTION_TLS => Encryption::Tls,
                DQI_ENCRYPTION_DTLS => Encryption::Dtls,
                DQI_ENCRYPTION_SSH => Encryption::Ssh,
                DQI_ENCRYPTION_IPSEC => Encryption::Ipsec,
                DQI_ENCRYPTION_LINK_LAYER => Encryption::LinkLayer,
                DQI_ENCRYPTION_APPLICATION => Encryption::Application,
                DQI_ENCRYPTION_OTHER => Encryption::Other,
            },
            purpose: bounded(purpose, 255)?.unwrap_or_default(),
        });
        Ok(())
    })())
}

/// Adds a hash of the software row added last: `algorithm` as CycloneDX or SPDX names it
/// (`SHA-256`, `SHA3-512`, `BLAKE2b-256`, `MD5`), `digest` the raw octets, as many as the
/// algorithm makes. A row may have several; dqiSwHashAlgorithm and dqiSwHashValue serve the
/// strongest. `DQI_INVALID_ARGUMENT` for an unknown algorithm, a wrong length or no row yet.
///
/// # Safety
/// `snapshot` came from [`crate::dqi_snapshot_new`]; `algorithm` is NUL-terminated; `digest`
/// points to `len` octets.
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_snapshot_add_software_hash(
    snapshot: *mut dqi_snapshot,
    algorithm: *const c_char,
    digest: *const u8,
    len: usize,
) -> dqi_result {
    // SAFETY: a snapshot from `dqi_snapshot_new`, not yet freed.
    let Some(s) = (unsafe { snapshot.as_mut() }) else {
        return DQI_NULL_POINTER;
    };
    code((|| {
        // SAFETY: the caller's contract.
        let name = unsafe { text(algorithm)? }.ok_or(DQI_NULL_POINTER)?;
        // SAFETY: the caller's contract.
        let digest = unsafe { bytes(digest, len)? };
        let alg = HashAlg::parse(&name).ok_or(DQI_INVALID_ARGUMENT)?;
        let mut hex = String::with_capacity(digest.len() * 2);
        for octet in digest {
            let _ = write!(hex, "{octet:02x}");
        }
        let hash = ComponentHash::new(alg, &hex).ok_or(DQI_INVALID_ARGUMENT)?;
        let row = s.rows.last_mut().ok_or(DQI_INVALID_ARGUMENT)?;
        if !row.hashes.contains(&hash) {
            row.hashes.push(hash);
            row.hashes.sort();
        }
        Ok(())
    })())
}

/// A software row's level of support (`dqiSwSupportStatus`): SPDX 3's `SupportType`.
#[repr(C)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum dqi_support {
    /// Under active development.
    DQI_SUPPORT_DEVELOPMENT = 1,
    /// Actively maintained.
    DQI_SUPPORT_SUPPORTED = 2,
    /// In production, support not stated.
    DQI_SUPPORT_DEPLOYED = 3,
    /// Security fixes only, or best effort.
    DQI_SUPPORT_LIMITED = 4,
    /// No longer maintained by its supplier.
    DQI_SUPPORT_END_OF_SUPPORT = 5,
    /// Never supported, used as is.
    DQI_SUPPORT_NONE = 6,
    /// Nothing stated (the default).
    DQI_SUPPORT_NO_ASSERTION = 7,
}

/// Sets the support facts of the software row added last: its level of support, its
/// end-of-support date and its install date (Unix seconds, below 0 for unknown), served as
/// dqiSwSupportStatus, dqiSwEndOfSupport and dqiSwInstallDate (a row with an end-of-support
/// date and no stated level reads endOfSupport, as from an SBOM). `DQI_INVALID_ARGUMENT` when
/// no row was added yet.
///
/// # Safety
/// `snapshot` came from [`crate::dqi_snapshot_new`].
#[unsafe(no_mangle)]
pub unsafe extern "C" fn dqi_snapshot_set_software_support(
    snapshot: *mut dqi_snapshot,
    support: dqi_support,
    end_of_support: i64,
    install_date: i64,
) -> dqi_result {
    // SAFETY: a snapshot from `dqi_snapshot_new`, not yet freed.
    let Some(s) = (unsafe { snapshot.as_mut() }) else {
        return DQI_NULL_POINTER;
    };
    let Some(row) = s.rows.last_mut() else {
        return DQI_INVALID_ARGUMENT;
    };
    use dqi_support::*;
    row.support = match support {
        DQI_SUPPORT_DEVELOPMENT => SupportStatus::Development,
        DQI_SUPPORT_SUPPORTED => SupportStatus::Support,
        DQI_SUPPORT_DEPLOYED => SupportStatus::Deployed,
        DQI_SUPPORT_LIMITED => SupportStatus::LimitedSupport,
        DQI_SUPPORT_END_OF_SUPPORT => SupportStatus::EndOfSupport,
        DQI_SUPPORT_NONE => SupportStatus::NoSupport,
        DQI_SUPPORT_NO_ASSERTION => SupportStatus::NoAssertion,
    };
    row.end_of_support = time(end_of_support);
    row.install_date = time(install_date);
    DQI_OK
}
