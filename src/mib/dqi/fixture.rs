//! A device snapshot built in code for the unit tests of the DQI-MIB objects and mirrors: the
//! example infusion pump in brief, plus the awkward cases (a long version, a multi-byte name).

use alloc::string::{String, ToString};
use alloc::vec;

use alloc::vec::Vec;

use super::{DQI_ROOT, Stamps};
use crate::device::model::{
    AuthKind, ComponentHash, ComponentType, Configuration, Encryption, HashAlg, Health,
    HealthStatus, Identity, IssuingAgency, RemoteServiceAccess, SbomDocument, SbomFormat,
    SecurityControl, SelfTestResult, Service, ServiceState, Software, SoftwareRow, SupportStatus,
    TimeSource, Transport, Udi, UpdatePolicy,
};
use crate::device::{DeviceSnapshot, Timestamp};
use crate::mib::{Entry, Tree, Value};

/// The fixed value served at `DQI_ROOT.arcs`, if any.
pub(crate) fn value_at(tree: &Tree, arcs: &[u32]) -> Option<Value> {
    let mut oid: Vec<u32> = DQI_ROOT.to_vec();
    oid.extend_from_slice(arcs);
    match tree.get(&oid) {
        Some(Entry::Value(v)) => Some(v.clone()),
        _ => None,
    }
}

pub(crate) fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).expect("valid date")
}

fn s(text: &str) -> Option<String> {
    Some(text.to_string())
}

/// A software row with only the required fields set.
pub(crate) fn row(index: u32, name: &str, version: &str, kind: ComponentType) -> SoftwareRow {
    SoftwareRow::bare(index, name, version, kind)
}

pub(crate) fn hash(alg: HashAlg, fill: char) -> ComponentHash {
    let len = alg.hex_len().unwrap_or(64);
    ComponentHash::new(alg, &fill.to_string().repeat(len)).expect("valid hash")
}

pub(crate) fn snapshot() -> DeviceSnapshot {
    let mut app = row(1, "infusafe-pump-app", "4.2.1", ComponentType::Application);
    app.supplier = s("Acme Medical Systems, Inc.");
    app.purl = s("pkg:generic/acme-medical/infusafe-pump-app@4.2.1");
    app.hashes = vec![hash(HashAlg::Sha1, 'a'), hash(HashAlg::Sha256, 'b')];
    app.install_date = Some(at("2024-05-02T09:30:00Z"));
    app.support = SupportStatus::Support;
    app.end_of_support = Some(at("2031-12-31"));
    app.sbom_ref = s("pkg:generic/acme-medical/infusafe-pump-app@4.2.1");

    let mut log4j = row(2, "log4j-core", "2.14.1", ComponentType::Library);
    log4j.purl = s("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1");
    log4j.cpe = s("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*");
    log4j.hashes = vec![hash(HashAlg::Sha512, 'c'), hash(HashAlg::Md5, 'd')];
    log4j.parent = 1;
    // A date and no stated level: served as endOfSupport(5), and past at the refresh time.
    log4j.end_of_support = Some(at("2023-12-31"));

    let mut linux = row(5, "linux", "6.1.55-rt15", ComponentType::OperatingSystem);
    linux.support = SupportStatus::NoSupport;
    linux.document = 1;

    let driver = row(7, "wl18xx", "8.9.0.0.90", ComponentType::DeviceDriver);
    let firmware = row(9, "motor-fw", "1.9.3", ComponentType::Firmware);
    // Multi-byte name, and a version that forces the name to be shortened in the mirror.
    let long = row(
        12,
        "Überwachungsdienst für Infusionsprotokolle",
        "2024.06.01-build.4711+sha.0123456789ab",
        ComponentType::Application,
    );

    let documents = vec![
        SbomDocument {
            location: "/etc/dqi-agent/sbom.cdx.json".to_string(),
            format: SbomFormat::CycloneDx,
            spec_version: "1.5".to_string(),
            sha256: [0x11; 32],
            serial: s("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79"),
            created: Some(at("2024-05-02T08:00:00Z")),
            subject: Some(("InfuSafe 3000".to_string(), "4.2.0-sbom".to_string())),
            version: 3,
            components: 4,
        },
        SbomDocument {
            location: "firmware.spdx.json".to_string(),
            format: SbomFormat::Spdx,
            spec_version: "SPDX-2.3".to_string(),
            sha256: [0x22; 32],
            serial: None,
            created: None,
            subject: None,
            version: 0,
            components: 2,
        },
    ];
    let mut software = Software::new(
        vec![app, log4j, linux, driver, firmware, long],
        documents,
        s("https://acme-medical.example/security/sbom/IS-3000-4.2.1.cdx.json"),
        s("https://acme-medical.example/security/vex/IS-3000.cdx.json"),
    );
    software.settle(None, at("2024-06-03T06:05:00Z"));

    DeviceSnapshot {
        identity: Identity {
            manufacturer: "Acme Medical Systems, Inc.".to_string(),
            brand: "InfuSafe".to_string(),
            model: "IS-3000".to_string(),
            catalog_number: s("IS3000-US-01"),
            serial: "IS3K-24-004217".to_string(),
            hardware_revision: s("C2"),
            firmware_revision: s("1.9.3"),
            software_revision: s("4.2.1"),
            udi: Some(Udi {
                issuing_agency: IssuingAgency::Gs1,
                di: "00850012345673".to_string(),
                lot: s("L2403A"),
                manufactured: Some(at("2024-03-14")),
                expiry: Some(at("2034-03-13")),
                human_readable: s(
                    "(01)00850012345673(11)240314(17)340313(10)L2403A(21)IS3K-24-004217",
                ),
            }),
            uuid: s("6f1c2e0a-8d4b-4f2e-9a57-3c1d0b7e5a92"),
            fda_product_code: s("FRN"),
            gmdn_code: s("13215"),
            vulnerability_disclosure_uri: s("https://acme-medical.example/security/disclosure"),
            mds2_uri: s("https://acme-medical.example/security/mds2/IS-3000-4.2.pdf"),
        },
        security_controls: vec![
            SecurityControl {
                code: "ALOF".to_string(),
                name: "Automatic logoff".to_string(),
                supported: true,
                enabled: true,
                note: s("Locks after 5 minutes idle."),
            },
            SecurityControl {
                code: "MLDP".to_string(),
                name: "Malware detection and protection".to_string(),
                supported: false,
                enabled: false,
                note: None,
            },
            SecurityControl {
                code: "RMOT".to_string(),
                name: "Remote service".to_string(),
                supported: true,
                enabled: false,
                note: None,
            },
            SecurityControl {
                code: "CNFS".to_string(),
                name: "Configuration of security features".to_string(),
                supported: true,
                enabled: true,
                note: None,
            },
        ],
        health: Health {
            status: HealthStatus::Degraded,
            reason: "battery end of life".to_string(),
            self_test: SelfTestResult::Passed,
            self_test_time: Some(at("2024-06-03T06:00:12Z")),
        },
        configuration: Configuration {
            last_change: Some(at("2024-05-28T14:02:00Z")),
            change_count: 7,
            digest: Some([0x9f; 32]),
            remote_service: RemoteServiceAccess::OnDemand,
            factory_default_credential: false,
            auto_logoff_seconds: 300,
            storage_encryption: true,
            audit_logging: true,
            audit_target: s("syslog+tls://siem.hospital.example:6514"),
            time_source: TimeSource::Ntp,
            time_server: s("ntp1.hospital.example"),
            time_synchronised: true,
            secure_boot: true,
            update_policy: UpdatePolicy::ServiceTechnician,
            last_update: Some(at("2024-05-02T09:30:00Z")),
            community_snmp: false,
        },
        services: vec![
            Service {
                name: "drug-library-sync".to_string(),
                transport: Transport::Tcp,
                address: s("0.0.0.0"),
                port: Some(8443),
                state: ServiceState::Enabled,
                auth: AuthKind::Certificate,
                encryption: Encryption::Tls,
                purpose: "Drug library downloads".to_string(),
            },
            Service {
                name: "dqi-snmp".to_string(),
                transport: Transport::Udp,
                address: s("::"),
                port: Some(161),
                state: ServiceState::Enabled,
                auth: AuthKind::Usm,
                encryption: Encryption::Application,
                purpose: "This agent".to_string(),
            },
            Service {
                name: "ntp-client".to_string(),
                transport: Transport::Udp,
                address: s("ntp1.hospital.example"),
                port: Some(123),
                state: ServiceState::Enabled,
                auth: AuthKind::None,
                encryption: Encryption::None,
                purpose: String::new(),
            },
            Service {
                name: "usb-service".to_string(),
                transport: Transport::Usb,
                address: s("service port (rear panel)"),
                port: None,
                state: ServiceState::OnDemand,
                auth: AuthKind::Password,
                encryption: Encryption::None,
                purpose: "Depot service".to_string(),
            },
        ],
        software,
        vex: Default::default(),
    }
}

pub(crate) fn stamps() -> Stamps {
    Stamps {
        software_changed: 1200,
        config_changed: 300,
        health_changed: 4500,
        entity_changed: 0,
        refreshed: Some(at("2024-06-03T06:05:00Z")),
        refresh_failed: false,
        refresh_interval: 300,
        agent_version: "0.1.0",
        refreshed_uptime: 6000,
        config_changes: 2,
        vex_changed: 0,
    }
}
