//! The concierge questions, each answered by one net-snmp `snmpgetnext` after discovery:
//! "do you run log4j-core, which version?" by name (`dqiSwByNameTable`) and by package
//! (`dqiSwByPurlTable`). The agent's own counters prove the request count: `snmpInPkts`
//! (RFC 3418) counts every datagram, `usmStatsUnknownEngineIDs` (RFC 3414 §3.2 step 3) the
//! discovery probe net-snmp sends before the real request.
#![cfg(feature = "server")]

mod common;

use common::*;

const SNMP_IN_PKTS: &str = ".1.3.6.1.2.1.11.1.0";
/// `dqiSwByNameVersion` (dqiSwByNameEntry 2).
const BY_NAME_VERSION: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.14.1.2";
/// `dqiSwByPurlVersion` (dqiSwByPurlEntry 2).
const BY_PURL_VERSION: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.15.1.2";

/// `(snmpInPkts, usmStatsUnknownEngineIDs)`, read in one snmpget.
fn counters(device: &Device) -> (u64, u64) {
    let b = device.snmp.get(
        &device.agent,
        &device.user,
        &[SNMP_IN_PKTS, USM_STATS_UNKNOWN_ENGINE_IDS],
    );
    (
        b[0].number().expect("snmpInPkts"),
        b[1].number().expect("usmStatsUnknownEngineIDs"),
    )
}

/// Runs `ask` and returns `(datagrams, discovery probes)` it cost the agent: the counters'
/// movement around it, less what reading the counters itself costs (measured the same way with
/// nothing in between).
fn cost_of(device: &Device, ask: impl FnOnce()) -> (u64, u64) {
    let a = counters(device);
    let b = counters(device);
    ask();
    let c = counters(device);
    let reading = (b.0 - a.0, b.1 - a.1);
    (c.0 - b.0 - reading.0, c.1 - b.1 - reading.1)
}

/// `.<len>.<octets>` of a non-IMPLIED string index.
fn string_index(s: &str) -> String {
    let mut out = format!(".{}", s.len());
    for b in s.bytes() {
        out.push_str(&format!(".{b}"));
    }
    out
}

#[test]
fn one_getnext_answers_do_you_run_log4j_by_name_and_by_purl() {
    let dir = TestDir::new("concierge-sw");
    let Some(device) = Device::start(&dir, example_device(&dir)) else {
        return;
    };
    let index = device.index_of(LOG4J_PURL);

    // By name, as an operator types it.
    let mut answer = String::new();
    let cost = cost_of(&device, || {
        answer = device.named(
            "snmpgetnext",
            &[],
            &["DQI-MIB::dqiSwByNameVersion.\"log4j-core\""],
        );
    });
    eprintln!("$ snmpgetnext ... 'DQI-MIB::dqiSwByNameVersion.\"log4j-core\"'\n{answer}");
    let want = format!("DQI-MIB::dqiSwByNameVersion.\"log4j-core\".{index} = STRING: 2.14.1");
    assert_eq!(answer.trim(), want);
    assert_eq!(
        cost,
        (2, 1),
        "two datagrams: net-snmp's discovery probe and the one GetNext"
    );

    // By package, ecosystem-exact.
    let key = "pkg:maven/org.apache.logging.log4j/log4j-core";
    let mut answer = String::new();
    let cost = cost_of(&device, || {
        answer = device.named(
            "snmpgetnext",
            &[],
            &[&format!("DQI-MIB::dqiSwByPurlPurl.\"{key}\"")],
        );
    });
    eprintln!("$ snmpgetnext ... 'DQI-MIB::dqiSwByPurlPurl.\"{key}\"'\n{answer}");
    let want = format!("DQI-MIB::dqiSwByPurlPurl.\"{key}\".{index} = STRING: {LOG4J_PURL}");
    assert_eq!(answer.trim(), want);
    assert_eq!(cost, (2, 1));

    // The numeric form gives the same row, and a name the device does not run answers with
    // the next name, which the manager sees is not the one it asked for.
    let numeric = device.snmp.bindings_within(
        "snmpgetnext",
        &device.agent,
        &device.user,
        &[],
        &[&format!("{BY_NAME_VERSION}{}", string_index("log4j-core"))],
        TOOL_TIMEOUT,
    );
    assert_eq!(
        numeric[0].oid,
        format!("{BY_NAME_VERSION}{}.{index}", string_index("log4j-core"))
    );
    assert_eq!(numeric[0].value, "2.14.1");
    let absent = device.snmp.bindings_within(
        "snmpgetnext",
        &device.agent,
        &device.user,
        &[],
        &[&format!(
            "{BY_PURL_VERSION}{}",
            string_index("pkg:maven/x/absent")
        )],
        TOOL_TIMEOUT,
    );
    assert!(
        !absent[0].oid.starts_with(&format!(
            "{BY_PURL_VERSION}{}",
            string_index("pkg:maven/x/absent")
        )),
        "{absent:?}"
    );
}
