//! The device-data layer against real files: the example infusion pump, index stability across
//! refreshes and restarts, a broken SBOM, and a 5,000-component SBOM.
#![cfg(feature = "server")]

mod common;

use std::path::Path;

use common::{LOG4J_PURL, TestDir, example, example_device_config, large_nested_sbom};

use dqi_agent::device::model::{
    ComponentType, HashAlg, HealthStatus, IssuingAgency, RemoteServiceAccess, SupportStatus,
    Transport,
};
use dqi_agent::device::{
    DeviceConfig, DeviceError, DeviceSnapshot, DeviceSource, FileSource, SoftwareRow, Timestamp,
};

fn example_config() -> DeviceConfig {
    example_device_config(Vec::new(), 300)
}

fn by_name<'a>(s: &'a DeviceSnapshot, name: &str) -> &'a SoftwareRow {
    s.software
        .rows()
        .iter()
        .find(|r| r.name == name)
        .unwrap_or_else(|| panic!("no row {name}"))
}

fn at(text: &str) -> Timestamp {
    Timestamp::parse(text).unwrap()
}

#[test]
fn example_pump_loads_completely() {
    let source = FileSource::new(example_config(), None).unwrap();
    let s = source.snapshot().unwrap();

    let id = &s.identity;
    assert_eq!(id.manufacturer, "Acme Medical Systems, Inc.");
    assert_eq!(
        (id.brand.as_str(), id.model.as_str()),
        ("InfuSafe", "IS-3000")
    );
    assert_eq!(id.serial, "IS3K-24-004217");
    assert_eq!(id.fda_product_code.as_deref(), Some("FRN"));
    let udi = id.udi.as_ref().unwrap();
    assert_eq!(udi.issuing_agency, IssuingAgency::Gs1);
    assert_eq!(udi.di, "00850012345673");
    assert_eq!(udi.manufactured, Some(at("2024-03-14")));
    assert_eq!(s.security_controls.len(), 13);
    let rmot = s
        .security_controls
        .iter()
        .find(|c| c.code == "RMOT")
        .unwrap();
    assert!(rmot.supported && !rmot.enabled);
    assert_eq!(s.health.status, HealthStatus::Ok);
    assert_eq!(
        s.configuration.remote_service,
        RemoteServiceAccess::OnDemand
    );
    assert_eq!(s.configuration.change_count, 7);
    assert_eq!(s.configuration.digest.unwrap()[0], 0x9f);
    assert_eq!(s.services.len(), 7);
    assert!(
        s.services
            .iter()
            .any(|v| v.transport == Transport::BluetoothLe)
    );

    // The CycloneDX subject (metadata.component), 29 CycloneDX components and 7 SPDX packages,
    // zlib listed in both files: 36 rows, indexes 1..=36 in document order on a first load.
    let sw = &s.software;
    assert_eq!(sw.rows().len(), 36);
    assert_eq!(
        sw.rows().iter().map(|r| r.index).collect::<Vec<_>>(),
        (1..=36).collect::<Vec<_>>()
    );
    // The device's own firmware image is a row an advisory for the product can match.
    let pump = sw.row(1).unwrap();
    assert_eq!(
        (pump.name.as_str(), pump.version.as_str(), pump.kind),
        ("InfuSafe 3000", "4.2.1", ComponentType::Device)
    );
    assert_eq!(
        (pump.parent, pump.sbom_ref.as_deref()),
        (0, Some("infusafe-3000"))
    );
    assert_eq!(sw.documents().len(), 2);
    assert_eq!(sw.documents()[0].spec_version, "1.5");
    assert_eq!(
        sw.documents()[0].serial.as_deref(),
        Some("urn:uuid:3e671687-395b-41f5-a30f-a58921a69b79")
    );
    assert_eq!(
        sw.documents()[0].subject,
        Some(("InfuSafe 3000".to_string(), "4.2.1".to_string()))
    );
    assert_eq!(sw.documents()[1].spec_version, "SPDX-2.3");
    assert_eq!(
        sw.sbom_uri(),
        Some("https://acme-medical.example/security/sbom/IS-3000-4.2.1.cdx.json")
    );
    assert!(sw.vex_uri().is_some());

    // The vulnerability question: log4j-core 2.14.1 with its identifiers.
    let log4j = sw
        .rows()
        .iter()
        .find(|r| r.purl.as_deref() == Some(LOG4J_PURL))
        .unwrap();
    assert_eq!(log4j.name, "log4j-core");
    assert_eq!(log4j.version, "2.14.1");
    assert_eq!(
        log4j.supplier.as_deref(),
        Some("Apache Software Foundation")
    );
    assert_eq!(
        log4j.cpe.as_deref(),
        Some("cpe:2.3:a:apache:log4j:2.14.1:*:*:*:*:*:*:*")
    );
    assert_eq!(log4j.kind, ComponentType::Library);
    assert_eq!(log4j.hashes.len(), 3);
    let best = log4j.strongest_hash().unwrap();
    assert_eq!(best.alg, HashAlg::Sha256);
    assert_eq!(
        best.value,
        "8a326d2a159d193f9a0c4c8de83aab1d73a3e7472155314599c44153b256a74e"
    );
    assert_eq!(log4j.support, SupportStatus::Support);
    assert_eq!(log4j.parent, by_name(&s, "infusafe-comms-gateway").index);
    assert_eq!(
        log4j.sbom_ref.as_deref(),
        Some(LOG4J_PURL),
        "bom-ref carried over"
    );
    assert_eq!(log4j.install_date, Some(at("2024-05-02T09:30:00Z")));

    // Nesting three levels: the wlcore driver under the kernel.
    assert_eq!(by_name(&s, "wlcore").parent, by_name(&s, "linux").index);
    assert_eq!(by_name(&s, "linux").parent, 0);
    // SPDX relationships: CONTAINS and a single DEPENDS_ON give parents.
    let fw = by_name(&s, "InfuSafe 3000 motor controller firmware").index;
    assert_eq!(by_name(&s, "FreeRTOS-Kernel").parent, fw);
    assert_eq!(by_name(&s, "Mbed TLS").parent, by_name(&s, "MCUboot").index);
    assert_eq!(
        by_name(&s, "FreeRTOS-Kernel").kind,
        ComponentType::OperatingSystem
    );
    assert_eq!(
        by_name(&s, "Apache Mynewt NimBLE").supplier.as_deref(),
        Some("Apache Software Foundation")
    );
    // zlib is in both files: one row, from the first file, top level there.
    let zlib: Vec<_> = sw.rows().iter().filter(|r| r.name == "zlib").collect();
    assert_eq!(zlib.len(), 1);
    assert_eq!((zlib[0].document, zlib[0].parent), (0, 0));
    assert_eq!(
        zlib[0].hashes.len(),
        1,
        "same synthetic hash in both files, kept once"
    );

    // End of support: slf4j (2022-08-20) and Mbed TLS (2024-09-30) by 2025; by 2027 also
    // OpenSSL 3.0 (2026-09-07), FreeRTOS (2026-11-30) and Linux 5.15 (2026-12-31).
    assert_eq!(sw.past_end_of_support(&at("2025-01-01T00:00:00Z")), 2);
    assert_eq!(sw.past_end_of_support(&at("2026-12-31T23:59:59Z")), 4);
    assert_eq!(sw.past_end_of_support(&at("2027-01-01T00:00:00Z")), 5);
    assert_eq!(
        by_name(&s, "slf4j-api").support,
        SupportStatus::EndOfSupport
    );
}

#[test]
fn indexes_survive_updates_removals_and_restarts() {
    let dir = TestDir::new("stable");
    let sbom = dir.join("sbom.cdx.json");
    let original = std::fs::read_to_string(example("sbom.cdx.json")).unwrap();
    std::fs::write(&sbom, &original).unwrap();
    let state = dir.join("sw-index");
    let config = DeviceConfig {
        description: Some(example("device.toml")),
        sbom: vec![sbom.clone(), example("firmware.spdx.json")],
        refresh_seconds: 0,
        vex: vec![],
        ..DeviceConfig::default()
    };

    let source = FileSource::new(config.clone(), Some(state.clone())).unwrap();
    let first = source.load_at(at("2024-06-01T00:00:00Z")).unwrap();
    let log4j_index = by_name(&first, "log4j-core").index;
    let slf4j_index = by_name(&first, "slf4j-api").index;
    let chrony_index = by_name(&first, "chrony").index;
    assert!(state.exists());

    // Same content, later: digest and last change stay, last refresh moves.
    let same = source.load_at(at("2024-06-02T00:00:00Z")).unwrap();
    assert_eq!(same.software.digest(), first.software.digest());
    assert_eq!(
        same.software.last_change(),
        Some(at("2024-06-01T00:00:00Z"))
    );
    assert_eq!(
        same.software.last_refresh(),
        Some(at("2024-06-02T00:00:00Z"))
    );

    // Update log4j, drop slf4j, add a component; the file order changes too.
    let mut bom: serde_json::Value = serde_json::from_str(&original).unwrap();
    let gateway = bom["components"][1]["components"].as_array_mut().unwrap();
    gateway[0]["version"] = "2.17.1".into();
    gateway[0]["purl"] = "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1".into();
    gateway.retain(|c| c["name"] != "slf4j-api");
    gateway.reverse();
    gateway.push(
        serde_json::json!({"type": "library", "name": "guava", "version": "33.0.0-jre",
        "purl": "pkg:maven/com.google.guava/guava@33.0.0-jre"}),
    );
    std::fs::write(&sbom, serde_json::to_vec(&bom).unwrap()).unwrap();

    // A restart: a new source reading the same state file.
    drop(source);
    let source = FileSource::new(config.clone(), Some(state.clone())).unwrap();
    let updated = source.load_at(at("2024-06-03T00:00:00Z")).unwrap();
    let log4j = by_name(&updated, "log4j-core");
    assert_eq!(
        (log4j.index, log4j.version.as_str()),
        (log4j_index, "2.17.1")
    );
    assert_eq!(by_name(&updated, "chrony").index, chrony_index);
    assert!(updated.software.row(slf4j_index).is_none());
    assert_eq!(
        by_name(&updated, "guava").index,
        37,
        "new index above the high-water mark"
    );
    assert_ne!(updated.software.digest(), first.software.digest());
    assert_eq!(
        updated.software.last_change(),
        Some(at("2024-06-03T00:00:00Z"))
    );

    // Another new component later never takes slf4j's freed index.
    gateway_push(&sbom, "okio", "pkg:maven/com.squareup.okio/okio@3.7.0");
    let again = source.load_at(at("2024-06-04T00:00:00Z")).unwrap();
    assert_eq!(by_name(&again, "okio").index, 38);

    // A broken SBOM: an error naming the file and the JSON path; nothing moves.
    let state_before = std::fs::read(&state).unwrap();
    let mut broken: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&sbom).unwrap()).unwrap();
    broken["components"][3]["hashes"][0]["alg"] = "SHA-257".into();
    broken["components"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({
        "type": "library", "name": "never-indexed", "version": "1"}));
    std::fs::write(&sbom, serde_json::to_vec(&broken).unwrap()).unwrap();
    let error = source.snapshot().map(|_| ()).unwrap_err();
    assert!(error.to_string().starts_with("device.sbom[0]: "), "{error}");
    match error.innermost().clone() {
        DeviceError::Sbom { file, path, reason } => {
            assert_eq!(file, sbom.display().to_string());
            assert_eq!(path, "components[3].hashes[0].alg");
            assert!(reason.contains("SHA-257"), "{reason}");
        }
        other => panic!("expected an SBOM error, got {other:?}"),
    }
    assert_eq!(std::fs::read(&state).unwrap(), state_before);
}

// dqiSwDigest is independent of local indexes: two pumps with the same files report the same
// digest although one numbered its components differently (its index file was first written
// with the SBOMs in the other order).
#[test]
fn identical_units_report_the_same_digest() {
    let dir = TestDir::new("twins");
    let fresh = FileSource::new(example_config(), None)
        .unwrap()
        .snapshot()
        .unwrap();
    let state = dir.join("sw-index");
    let mut reversed = example_config();
    reversed.sbom.reverse();
    FileSource::new(reversed, Some(state.clone()))
        .unwrap()
        .snapshot()
        .unwrap();
    let renumbered = FileSource::new(example_config(), Some(state))
        .unwrap()
        .snapshot()
        .unwrap();
    let log4j = |s: &DeviceSnapshot| by_name(s, "log4j-core").index;
    assert_ne!(log4j(&fresh), log4j(&renumbered));
    assert_eq!(fresh.software.digest(), renumbered.software.digest());
}

fn gateway_push(sbom: &Path, name: &str, purl: &str) {
    let mut bom: serde_json::Value = serde_json::from_slice(&std::fs::read(sbom).unwrap()).unwrap();
    bom["components"][1]["components"]
        .as_array_mut()
        .unwrap()
        .push(serde_json::json!({"type": "library", "name": name, "version": "1", "purl": purl}));
    std::fs::write(sbom, serde_json::to_vec(&bom).unwrap()).unwrap();
}

#[test]
fn corrupt_state_file_is_refused() {
    let dir = TestDir::new("corrupt");
    let state = dir.join("sw-index");
    std::fs::write(
        &state,
        "# dqi-agent software index map v1\nhigh-water 2\n3\tv\tk\n",
    )
    .unwrap();
    match FileSource::new(example_config(), Some(state.clone())) {
        Err(DeviceError::State { file, reason }) => {
            assert_eq!(file, state.display().to_string());
            assert!(reason.starts_with("line 3"), "{reason}");
        }
        other => panic!("expected a state error, got {other:?}"),
    }
}

#[test]
fn broken_description_names_file_and_key() {
    let dir = TestDir::new("desc");
    let path = dir.join("device.toml");
    let text = std::fs::read_to_string(example("device.toml"))
        .unwrap()
        .replace("port = 2575", "port = \"2575\"");
    std::fs::write(&path, text).unwrap();
    let config = DeviceConfig {
        description: Some(path.clone()),
        ..DeviceConfig::default()
    };
    let error = FileSource::new(config, None)
        .unwrap()
        .snapshot()
        .map(|_| ())
        .unwrap_err();
    assert!(
        error.to_string().starts_with("device.description: "),
        "{error}"
    );
    match error.innermost().clone() {
        DeviceError::Description {
            file, key, line, ..
        } => {
            assert_eq!(file, path.display().to_string());
            assert_eq!(key, "service[1].port");
            assert!(line > 0);
        }
        other => panic!("expected a description error, got {other:?}"),
    }
}

#[test]
fn five_thousand_components_load_correctly() {
    let dir = TestDir::new("large");
    let path = dir.join("large.cdx.json");
    std::fs::write(&path, large_nested_sbom(5000)).unwrap();
    let config = DeviceConfig {
        sbom: vec![path],
        ..DeviceConfig::default()
    };
    let s = FileSource::new(config, None).unwrap().snapshot().unwrap();
    let rows = s.software.rows();
    assert_eq!(rows.len(), 5000);
    let r = s.software.row(4243).unwrap();
    assert_eq!(r.name, "component-4242");
    assert_eq!(r.version, "1.4242.0");
    assert_eq!(
        r.parent, 4241,
        "component-4240 heads the group of 4240..=4249"
    );
    assert_eq!(r.supplier.as_deref(), Some("Supplier 42"));
    assert_eq!(r.strongest_hash().unwrap().value, format!("{:064x}", 4242));
    assert_eq!(rows.iter().filter(|r| r.parent == 0).count(), 500);
    assert_eq!(s.software.past_end_of_support(&at("2030-01-02")), 5000);
}
