//! The MIB texts and the code agree.
//!
//! A small SMIv2 reader (`smi/mod.rs`) parses `mibs/DQI-MIB.txt` and the IETF modules it and the
//! mirrors rely on (the copies in `mibs/`, the directory smilint uses): OBJECT-TYPE
//! blocks (name, SYNTAX, MAX-ACCESS, INDEX, `::= { parent n }`), OID assignments
//! (OBJECT IDENTIFIER, MODULE-IDENTITY, OBJECT-IDENTITY, the conformance macros) resolved to
//! numbers from `iso`, and TEXTUAL-CONVENTION base types. Against that it proves:
//!
//! - `DQI_ROOT` is the OID of `dqiMIB` as the MIB states it, and the product and compliance
//!   constants are the MIB's;
//! - every instance the agent serves for the example infusion pump, under DQI_ROOT and in the
//!   mirrors, belongs to an object of the MIB with that OID, a compatible type, a value within
//!   the SYNTAX's range or SIZE, a readable access (read-only for DQI-MIB) and a well-formed
//!   instance suffix (`.0` for scalars, the INDEX for columns);
//! - every read-only object of DQI-MIB has a provider (an instance is served), the request
//!   budget's objects included (resolved as the agent resolves them at request time);
//! - the same SYNTAX checks hold for a hostile snapshot whose every string is far too long.
#![cfg(feature = "server")]

use std::collections::BTreeSet;
use std::time::Instant as WallClock;

use dqi_agent::budget::{Budget, ValidBudget};
use dqi_agent::device::model::{
    ComponentHash, ComponentType, HashAlg, SbomDocument, SbomFormat, SoftwareRow, SupportStatus,
};
use dqi_agent::device::{DeviceSnapshot, DeviceSource, FileSource, Software, Timestamp};
use dqi_agent::mib::budget::View;
use dqi_agent::mib::dqi::{
    DQI_BASIC_COMPLIANCE, DQI_FULL_COMPLIANCE, DQI_OR_ID, DQI_PRODUCT_DEMO, DQI_PRODUCT_GENERIC,
    DQI_ROOT, Stamps, UNCHOSEN_OBJECT_ID, system_for,
};
use dqi_agent::mib::objects::{self, Engine, System};
use dqi_agent::mib::served::snapshot_objects;
use dqi_agent::mib::{self, Entry, Live, Tree, Value};
use dqi_agent::notify::Delivery;
use dqi_agent::time::Instant;

mod common;
mod smi;

use common::example_device_config;
use dqi_agent::manager::testbed;
use smi::{Mibs, Tok, check_value, tokenize};

// ---------------------------------------------------------------------------------------------
// The checks
// ---------------------------------------------------------------------------------------------

#[test]
fn dqi_root_and_constants_are_the_mibs() {
    let mib = Mibs::load();
    assert_eq!(
        mib.oid("netSnmpPlaypen"),
        [1, 3, 6, 1, 4, 1, 8072, 9999, 9999]
    );
    let (parent, arcs) = &mib.assignments["dqiMIB"];
    assert_eq!(
        (parent.as_deref(), arcs.as_slice()),
        (Some("netSnmpPlaypen"), &[374][..]),
        "the MIB states its root once, as netSnmpPlaypen 374"
    );
    assert_eq!(mib.oid("dqiMIB"), DQI_ROOT);
    assert_eq!(mib.oid("dqiProductGeneric"), DQI_PRODUCT_GENERIC);
    assert_eq!(mib.oid("dqiProductDemoInfusionPump"), DQI_PRODUCT_DEMO);
    assert_eq!(mib.oid("dqiBasicCompliance"), DQI_BASIC_COMPLIANCE);
    assert_eq!(mib.oid("dqiFullCompliance"), DQI_FULL_COMPLIANCE);
    // The configuration's fallback sysObjectID, which system_for replaces.
    let default: Vec<u32> = dqi_agent::config::DEFAULT_OBJECT_ID
        .split('.')
        .map(|a| a.parse().unwrap())
        .collect();
    assert_eq!(default, UNCHOSEN_OBJECT_ID);
}

#[test]
fn every_served_instance_is_in_the_mibs_and_within_its_syntax() {
    let mib = Mibs::load();
    let snapshot = example();
    let served = served(&snapshot);
    let mut checked = 0;
    for (oid, entry) in served.iter() {
        if let Some(reason) = mib.check_instance(oid, entry) {
            panic!("{}: {reason}", mib.name_of(oid));
        }
        checked += 1;
    }
    assert!(checked > 300, "{checked} instances");

    // sysObjectID and sysORTable point at the MIB's own definitions.
    let sys_object_id = served.get(&[1, 3, 6, 1, 2, 1, 1, 2, 0]);
    assert_eq!(
        sys_object_id,
        Some(&Entry::Value(Value::oid(DQI_PRODUCT_GENERIC).unwrap()))
    );
    let or_id = served.get(&[1, 3, 6, 1, 2, 1, 1, 9, 1, 2, 5]);
    assert_eq!(
        or_id,
        Some(&Entry::Value(
            Value::oid(&mib.oid("dqiBasicCompliance")).unwrap()
        ))
    );
    assert_eq!(DQI_OR_ID, DQI_BASIC_COMPLIANCE);
}

#[test]
fn every_readable_dqi_object_has_a_provider() {
    let mib = Mibs::load();
    let served = served(&example());
    let mut missing = Vec::new();
    let mut readable = 0;
    for (name, object) in mib.objects.iter().filter(|(_, o)| o.module == "DQI-MIB") {
        match object.access.as_str() {
            "read-only" => readable += 1,
            // Index columns are named by the instance; notification payloads are never read.
            "not-accessible" | "accessible-for-notify" => continue,
            other => panic!("{name}: MAX-ACCESS {other}: every DQI-MIB object is read-only"),
        }
        let oid = mib.oid(name);
        let provided = served.next(&oid).is_some_and(|(k, _)| k.starts_with(&oid));
        if !provided {
            missing.push(name.clone());
        }
    }
    assert!(missing.is_empty(), "no instance served for {missing:?}");
    assert!(readable > 100, "{readable} read-only objects parsed");
}

#[test]
fn hostile_values_stay_within_every_syntax() {
    let mib = Mibs::load();
    let snapshot = hostile(example());
    let served = served(&snapshot);
    for (oid, entry) in served.iter() {
        if let Some(reason) = mib.check_instance(oid, entry) {
            panic!("{}: {reason}", mib.name_of(oid));
        }
    }
}

#[test]
fn a_large_inventory_stays_within_every_syntax() {
    let mib = Mibs::load();
    let snapshot = large(5000);
    let entries = snapshot_objects(&snapshot, &stamps());
    let tree = Tree::from_entries(entries.clone());
    assert_eq!(tree.len(), entries.len(), "no duplicates");
    for (oid, entry) in tree.iter() {
        if let Some(reason) = mib.check_instance(oid, entry) {
            panic!("{}: {reason}", mib.name_of(oid));
        }
    }
    // The hrSWInstalledTable mirror is dense: index N is the last.
    assert!(
        tree.get(&[1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 1, 5000])
            .is_some()
    );
    assert!(
        tree.get(&[1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 1, 5001])
            .is_none()
    );
}

/// `cargo test --release --test mib_consistency -- --ignored --nocapture`: the time to turn a
/// 5,000-component snapshot into entries and a tree.
#[test]
#[ignore = "timing; run in release"]
fn timing_5000_components() {
    let snapshot = large(5000);
    let stamps = stamps();
    let mut best = f64::MAX;
    let mut n = 0;
    let mut build_best = f64::MAX;
    for _ in 0..20 {
        let t = WallClock::now();
        let entries = snapshot_objects(&snapshot, &stamps);
        build_best = build_best.min(t.elapsed().as_secs_f64());
        drop(entries);
    }
    println!("snapshot_objects alone: best {:.2} ms", build_best * 1e3);
    for _ in 0..20 {
        let t = WallClock::now();
        let entries = snapshot_objects(&snapshot, &stamps);
        let build = t.elapsed().as_secs_f64();
        n = entries.len();
        let tree = Tree::from_entries(entries);
        let total = t.elapsed().as_secs_f64();
        assert_eq!(tree.len(), n);
        best = best.min(total);
        if best == total {
            println!(
                "snapshot_objects {:.2} ms, with Tree::from_entries {:.2} ms",
                build * 1e3,
                total * 1e3
            );
        }
    }
    println!("5,000 components: {n} instances, best {:.2} ms", best * 1e3);
    if !cfg!(debug_assertions) {
        assert!(best < 0.1, "{best} s");
    }
}

// ---------------------------------------------------------------------------------------------
// Snapshots and the served tree
// ---------------------------------------------------------------------------------------------

fn example() -> DeviceSnapshot {
    let config = example_device_config(vec![common::example("vex.openvex.json")], 300);
    FileSource::new(config, None).unwrap().snapshot().unwrap()
}

fn stamps() -> Stamps {
    Stamps {
        software_changed: 100,
        config_changed: 100,
        health_changed: 100,
        entity_changed: 0,
        refreshed: Timestamp::parse("2026-01-15T10:00:00Z"),
        refresh_failed: false,
        refresh_interval: 300,
        agent_version: env!("CARGO_PKG_VERSION"),
        refreshed_uptime: 90_000,
        config_changes: 1,
        vex_changed: 100,
    }
}

/// What the agent serves from a snapshot: the standard objects with the system group derived
/// from the identity, plus the device entries.
fn served(snapshot: &DeviceSnapshot) -> Tree {
    let base = System {
        object_id: UNCHOSEN_OBJECT_ID.to_vec(),
        ..testbed::system("dqi-agent")
    };
    let engine = Engine {
        engine_id: vec![0x80, 0, 0x1f, 0x88, 4, b'd', b'q', b'i'],
        max_message_size: 1472,
    };
    let mut entries = objects::standard(&system_for(snapshot, &base), &engine);
    let device = snapshot_objects(snapshot, &stamps());
    // The request budget's objects, resolved as the agent resolves them at request time.
    let budget = Budget::new(ValidBudget::default(), ["nms"], 1, Instant::ZERO);
    let view = View {
        budget: &budget,
        now: Instant::ZERO,
        started: Instant::ZERO,
        last_rejection: None,
        receive: Default::default(),
    };
    let budget_entries: Vec<_> = mib::budget::entries(&budget)
        .into_iter()
        .map(|(oid, entry)| match entry {
            Entry::Live(Live::Budget(object)) => {
                (oid, Entry::Value(mib::budget::value(object, &view)))
            }
            other => (oid, other),
        })
        .collect();
    assert!(!budget_entries.is_empty());
    // The notification receivers' table, for one receiver of each kind and family.
    let receivers = [
        ("127.0.0.1:162".parse().unwrap(), Delivery::Trap),
        ("[::1]:10162".parse().unwrap(), Delivery::Inform),
    ];
    let notify_entries = mib::notify::entries(&receivers);
    let n = entries.len() + device.len() + budget_entries.len() + notify_entries.len();
    entries.extend(device);
    entries.extend(budget_entries);
    entries.extend(notify_entries);
    let tree = Tree::from_entries(entries);
    assert_eq!(tree.len(), n, "no OID is served twice");
    tree
}

/// The example with every string made far longer than any object allows, in multi-byte
/// characters, so that every cut and every refusal is exercised.
fn hostile(mut s: DeviceSnapshot) -> DeviceSnapshot {
    let long = |c: &str| c.repeat(700);
    let id = &mut s.identity;
    id.manufacturer = long("é");
    id.brand = long("€");
    id.model = long("m");
    id.catalog_number = Some(long("c"));
    id.serial = long("s");
    id.hardware_revision = Some(long("h"));
    id.firmware_revision = Some(long("f"));
    id.software_revision = Some(long("v"));
    id.gmdn_code = Some(String::from("99999999"));
    id.vulnerability_disclosure_uri = Some(format!("https://{}", long("x")));
    id.mds2_uri = Some(format!("https://{}", long("y")));
    if let Some(udi) = &mut id.udi {
        udi.di = long("1");
        udi.lot = Some(long("l"));
        udi.human_readable = Some(long("(01)"));
    }
    for c in &mut s.security_controls {
        c.note = Some(long("ñ"));
    }
    s.security_controls[0].code = long("A");
    s.health.reason = long("ü");
    let cfg = &mut s.configuration;
    cfg.audit_target = Some(long("t"));
    cfg.time_server = Some(long("n"));
    for svc in &mut s.services {
        svc.name = long("名");
        svc.purpose = long("p");
        svc.address = Some(long("a"));
    }
    let rows: Vec<SoftwareRow> = s
        .software
        .rows()
        .iter()
        .cloned()
        .map(|mut r| {
            r.name = long("ö");
            r.version = long("9");
            r.supplier = Some(long("ß"));
            r.purl = Some(format!("pkg:npm/{}", long("q")));
            r.cpe = Some(long("c"));
            r.sbom_ref = Some(long("r"));
            r.hashes
                .push(ComponentHash::new(HashAlg::Blake3, &"ab".repeat(200)).unwrap());
            r
        })
        .collect();
    let documents = s
        .software
        .documents()
        .iter()
        .cloned()
        .map(|mut d| {
            d.location = long("/d");
            d.spec_version = long("1");
            d.serial = Some(long("u"));
            d
        })
        .collect();
    s.software = Software::new(rows, documents, Some(long("w")), Some(long("x")));
    s
}

/// A snapshot with `n` components, each with every column filled.
fn large(n: u32) -> DeviceSnapshot {
    let mut s = example();
    let rows = (1..=n)
        .map(|i| SoftwareRow {
            index: i,
            name: format!("component-{i}"),
            version: format!("1.{i}.0"),
            supplier: Some(format!("Supplier {}", i % 50)),
            kind: if i % 10 == 1 {
                ComponentType::Application
            } else {
                ComponentType::Library
            },
            purl: Some(format!("pkg:npm/component-{i}@1.{i}.0")),
            cpe: Some(format!(
                "cpe:2.3:a:supplier{}:component-{i}:1.{i}.0:*:*:*:*:*:*:*",
                i % 50
            )),
            hashes: vec![
                ComponentHash::new(HashAlg::Sha1, &format!("{i:040x}")).unwrap(),
                ComponentHash::new(HashAlg::Sha256, &format!("{i:064x}")).unwrap(),
            ],
            install_date: Timestamp::parse("2024-05-02T09:30:00Z"),
            support: SupportStatus::NoAssertion,
            end_of_support: Timestamp::parse("2030-01-01"),
            sbom_ref: Some(format!("c{i}")),
            parent: if i % 10 == 1 { 0 } else { i - (i - 1) % 10 },
            document: 0,
            key: format!("pkg:npm/component-{i}"),
        })
        .collect();
    let document = SbomDocument {
        location: String::from("large.cdx.json"),
        format: SbomFormat::CycloneDx,
        spec_version: String::from("1.6"),
        sha256: [7; 32],
        serial: Some(String::from(
            "urn:uuid:00000000-0000-4000-8000-000000000000",
        )),
        created: Timestamp::parse("2024-06-01T00:00:00Z"),
        subject: None,
        version: 1,
        components: n,
    };
    s.software = Software::new(rows, vec![document], None, None);
    s
}

#[test]
fn the_reader_understands_the_forms_it_meets() {
    let toks = tokenize("a ::= { b 3 } -- c { d 4 }\n x \"--\" -1..2 '0A'H");
    assert_eq!(
        toks[..6].to_vec(),
        [
            Tok::Word("a".into()),
            Tok::Sym("::="),
            Tok::Sym("{"),
            Tok::Word("b".into()),
            Tok::Num(3),
            Tok::Sym("}"),
        ]
    );
    assert_eq!(
        toks[6..].to_vec(),
        [
            Tok::Word("x".into()),
            Tok::Text,
            Tok::Num(-1),
            Tok::Sym(".."),
            Tok::Num(2),
            Tok::Text,
        ]
    );
    let mibs = Mibs::load();
    let admin = mibs.resolve(&mibs.objects["dqiIdManufacturer"].syntax);
    assert_eq!(
        (admin.base.as_str(), admin.size, admin.ranges.as_slice()),
        ("OCTET STRING", true, &[(0, 128)][..])
    );
    let date = mibs.resolve(&mibs.objects["dqiSwInstallDate"].syntax);
    assert_eq!(date.ranges, [(8, 8), (11, 11)]);
    let truth = mibs.resolve(&mibs.objects["dqiCfgSnmpCommunity"].syntax);
    assert_eq!(
        (truth.base.as_str(), truth.named.as_slice()),
        ("INTEGER", &[1, 2][..])
    );
    assert_eq!(
        mibs.oid("dqiSwPurl"),
        [1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 6]
    );
    assert_eq!(
        mibs.oid("entPhysicalUris"),
        [1, 3, 6, 1, 2, 1, 47, 1, 1, 1, 1, 18]
    );
    assert_eq!(
        mibs.oid("hrSWInstalledName"),
        [1, 3, 6, 1, 2, 1, 25, 6, 3, 1, 2]
    );
    assert_eq!(mibs.objects["dqiSwEntry"].index, ["dqiSwIndex"]);
    assert_eq!(
        mibs.objects["dqiBudgetNotifyLevel"].access,
        "accessible-for-notify"
    );
    let hr = mibs.resolve(&mibs.objects["hrSWInstalledName"].syntax);
    assert_eq!(hr.ranges, [(0, 64)]);
    // Wrong values are caught.
    assert!(check_value(&admin, &Value::octets("x".repeat(129))).is_some());
    assert!(check_value(&truth, &Value::Integer(3)).is_some());
    assert!(check_value(&date, &Value::Gauge32(1)).is_some());
    let set: BTreeSet<&str> = mibs.objects.keys().map(String::as_str).collect();
    assert!(set.contains("sysORID") && set.contains("entLastChangeTime"));
}

#[test]
fn the_example_pump_answers_the_vulnerability_question() {
    let mib = Mibs::load();
    let tree = served(&example());
    let column = |name: &str| -> Vec<(u32, Value)> {
        let oid = mib.oid(name);
        tree.iter()
            .filter(|(k, _)| k.len() == oid.len() + 1 && k.starts_with(&oid))
            .map(|(k, e)| match e {
                Entry::Value(v) => (k[oid.len()], v.clone()),
                other => panic!("{name}: {other:?}"),
            })
            .collect()
    };
    let text = |v: &Value| match v {
        Value::OctetString(o) => String::from_utf8(o.to_vec()).unwrap(),
        other => panic!("{other:?}"),
    };
    let purl = "pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1";
    let (index, _) = column("dqiSwPurl")
        .into_iter()
        .find(|(_, v)| text(v) == purl)
        .expect("log4j-core is in dqiSwPurl");
    let cell = |name: &str| {
        let mut oid = mib.oid(name);
        oid.push(index);
        match tree.get(&oid) {
            Some(Entry::Value(v)) => v.clone(),
            other => panic!("{name}.{index}: {other:?}"),
        }
    };
    assert_eq!(text(&cell("dqiSwVersion")), "2.14.1");
    assert_eq!(text(&cell("dqiSwName")), "log4j-core");
    assert_eq!(cell("dqiSwHashAlgorithm"), Value::Integer(5), "sha256");
    assert_eq!(text(&cell("dqiSwHashValue")).len(), 64);
    let names: Vec<String> = column("hrSWInstalledName")
        .iter()
        .map(|(_, v)| text(v))
        .collect();
    assert!(names.iter().any(|n| n == "log4j-core 2.14.1"), "{names:?}");
    // The hrSWInstalledTable mirror is dense, dqiSwTable is not required to be.
    let hr: Vec<u32> = column("hrSWInstalledIndex")
        .iter()
        .map(|(i, _)| *i)
        .collect();
    assert_eq!(hr, (1..=hr.len() as u32).collect::<Vec<_>>());
    assert_eq!(hr.len(), column("dqiSwName").len());
    // dqiSbomTable: the CycloneDX document states version 1; SPDX has none.
    let versions: Vec<Value> = column("dqiSbomVersion")
        .into_iter()
        .map(|(_, v)| v)
        .collect();
    assert_eq!(versions, [Value::Gauge32(1), Value::Gauge32(0)]);
    for (_, v) in column("dqiSbomComponents") {
        assert!(matches!(v, Value::Gauge32(n) if n > 0), "{v:?}");
    }
}
