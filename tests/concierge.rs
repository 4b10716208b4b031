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

/// `snmpgetnext` of `oid` with the MIBs loaded: its output, and what it cost ([`cost_of`]).
fn getnext(device: &Device, oid: &str) -> (String, (u64, u64)) {
    let mut answer = String::new();
    let cost = cost_of(device, || {
        answer = device.named("snmpgetnext", &[], &[oid]);
    });
    eprintln!("$ snmpgetnext ... '{oid}'\n{answer}");
    (answer, cost)
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
    let (answer, cost) = getnext(&device, "DQI-MIB::dqiSwByNameVersion.\"log4j-core\"");
    let want = format!("DQI-MIB::dqiSwByNameVersion.\"log4j-core\".{index} = STRING: 2.14.1");
    assert_eq!(answer.trim(), want);
    assert_eq!(
        cost,
        (2, 1),
        "two datagrams: net-snmp's discovery probe and the one GetNext"
    );

    // By package, ecosystem-exact.
    let key = "pkg:maven/org.apache.logging.log4j/log4j-core";
    let (answer, cost) = getnext(&device, &format!("DQI-MIB::dqiSwByPurlPurl.\"{key}\""));
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

/// `dqiVexState` (dqiVexEntry 2).
const VEX_STATE: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.6.4.1.2";
/// `dqiVexLastChange`, `dqiVexCount`.
const VEX_LAST_CHANGE: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.6.2.0";
const VEX_COUNT: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.6.1.0";

#[test]
fn one_getnext_answers_are_you_affected_and_sighup_reloads_the_vex() {
    let dir = TestDir::new("concierge-vex");
    let Some(device) = Device::start(&dir, example_device(&dir)) else {
        return;
    };
    let index = device.index_of(LOG4J_PURL);

    let (answer, cost) = getnext(&device, "DQI-MIB::dqiVexState.\"CVE-2021-44228\"");
    assert_eq!(
        answer.trim(),
        format!("DQI-MIB::dqiVexState.\"CVE-2021-44228\".{index} = INTEGER: affected(2)")
    );
    assert_eq!(cost, (2, 1), "discovery, then one GetNext");

    // The not-affected answer and its justification: two columns in the same one request.
    let netty = device.index_of("pkg:maven/io.netty/netty-handler@4.1.94.Final");
    let answer = device.named(
        "snmpgetnext",
        &[],
        &[
            "DQI-MIB::dqiVexState.\"CVE-2023-44487\"",
            "DQI-MIB::dqiVexJustification.\"CVE-2023-44487\"",
        ],
    );
    eprintln!("$ snmpgetnext ... dqiVexState/dqiVexJustification.\"CVE-2023-44487\"\n{answer}");
    let lines: Vec<&str> = answer.lines().map(str::trim).collect();
    assert_eq!(
        lines,
        [
            format!("DQI-MIB::dqiVexState.\"CVE-2023-44487\".{netty} = INTEGER: notAffected(1)"),
            format!(
                "DQI-MIB::dqiVexJustification.\"CVE-2023-44487\".{netty} = INTEGER: vulnerableCodeNotPresent(3)"
            ),
        ]
    );
    assert_eq!(device.value(VEX_COUNT), "2");
    assert_eq!(device.number(VEX_LAST_CHANGE), 0, "since start");

    // The maker ships a fix statement: SIGHUP serves it, and the last change moves.
    let vex = dir.join("vex.openvex.json");
    let text = std::fs::read_to_string(&vex).expect("demo VEX");
    let fixed = text.replacen("\"status\": \"affected\"", "\"status\": \"fixed\"", 1);
    assert_ne!(fixed, text);
    write_file(&vex, &fixed, 0o600);
    device.agent.hangup();
    let instance = format!("{VEX_STATE}{}.{index}", string_index("CVE-2021-44228"));
    device.poll_until(&instance, "3");
    assert_ne!(device.number(VEX_LAST_CHANGE), 0);
    assert_eq!(device.value(SW_REFRESH_STATUS), "1");

    // A broken VEX file keeps the last good statements served, and says so.
    write_file(&vex, "{ not json", 0o600);
    device.agent.hangup();
    device.poll_until(SW_REFRESH_STATUS, "2");
    assert_eq!(device.value(&instance), "3");
    assert!(
        device.agent.stderr().contains("vex.openvex.json"),
        "the log names the file\n{}",
        device.agent.stderr()
    );
}

/// `dqiSwEndOfSupport` (dqiSwEntry 12).
const SW_END_OF_SUPPORT: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.12.1.12";

#[test]
fn an_unknown_end_of_support_is_no_instance_not_year_zero() {
    let dir = TestDir::new("concierge-eos");
    let Some(device) = Device::start(&dir, example_device(&dir)) else {
        return;
    };
    let rows: u64 = device.number(SW_COUNT);
    let dates = device.walk(SW_END_OF_SUPPORT);
    assert!(!dates.is_empty(), "the example states some dates");
    assert!(
        (dates.len() as u64) < rows,
        "{} dates for {rows} rows: the example leaves some unknown",
        dates.len()
    );
    for b in &dates {
        // net-snmp prints DateAndTime as `2032-12-31,0:0:0.0`.
        let year: u32 = b
            .value
            .split('-')
            .next()
            .and_then(|y| y.parse().ok())
            .unwrap_or(0);
        assert!(year > 1970, "{b:?}");
    }
    // A row without a date answers noSuchInstance.
    let dated: Vec<u32> = dates.iter().map(|b| row_index(&b.oid)).collect();
    let undated = device
        .walk(SW_NAME)
        .iter()
        .map(|b| row_index(&b.oid))
        .find(|i| !dated.contains(i))
        .expect("a row without a date");
    let got = device.snmp.query(
        "snmpget",
        &device.agent,
        &device.user,
        device.user.level(),
        &[],
        &[&format!("{SW_END_OF_SUPPORT}.{undated}")],
    );
    let got = got.bindings();
    assert!(got[0].is_no_such_instance(), "{got:?}");
}

/// `dqiSwByNamePurl`, `dqiSwByPurlVersion`'s sibling column `dqiSwByPurlPurl`.
const BY_PURL_PURL: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.15.1.3";

/// The answers to the three questions about log4j-core: `(instance OID, value)` of one
/// numeric `snmpgetnext` each, by name, by purl and by CVE.
fn log4j_answers(device: &Device) -> Vec<(String, String)> {
    let asked = [
        format!("{BY_NAME_VERSION}{}", string_index("log4j-core")),
        format!(
            "{BY_PURL_PURL}{}",
            string_index("pkg:maven/org.apache.logging.log4j/log4j-core")
        ),
        format!("{VEX_STATE}{}", string_index("CVE-2021-44228")),
    ];
    asked
        .iter()
        .map(|oid| {
            let b = device.snmp.bindings_within(
                "snmpgetnext",
                &device.agent,
                &device.user,
                &[],
                &[oid],
                TOOL_TIMEOUT,
            );
            (b[0].oid.clone(), b[0].value.clone())
        })
        .collect()
}

#[test]
fn a_version_change_keeps_the_lookup_rows_on_the_same_index_across_refresh_and_restart() {
    let dir = TestDir::new("concierge-update");
    let section = example_device(&dir);
    let Some(mut device) = Device::start(&dir, section) else {
        return;
    };
    let index = device.index_of(LOG4J_PURL);
    let at = |oid: &str, key: &str| format!("{oid}{}.{index}", string_index(key));
    let before = log4j_answers(&device);
    assert_eq!(
        before,
        [
            (at(BY_NAME_VERSION, "log4j-core"), "2.14.1".to_string()),
            (
                at(
                    BY_PURL_PURL,
                    "pkg:maven/org.apache.logging.log4j/log4j-core"
                ),
                LOG4J_PURL.to_string()
            ),
            (at(VEX_STATE, "CVE-2021-44228"), "2".to_string()),
        ]
    );

    // The update ships: log4j 2.17.1 in the SBOM, and the maker's VEX says fixed for it.
    let updated = "pkg:maven/org.apache.logging.log4j/log4j-core@2.17.1";
    let sbom = dir.join("sbom.cdx.json");
    let text = std::fs::read_to_string(&sbom).expect("SBOM");
    write_file(&sbom, &text.replace("2.14.1", "2.17.1"), 0o600);
    let vex = dir.join("vex.openvex.json");
    let text = std::fs::read_to_string(&vex).expect("VEX");
    let text = text.replace(LOG4J_PURL, updated).replacen(
        "\"status\": \"affected\"",
        "\"status\": \"fixed\"",
        1,
    );
    write_file(&vex, &text, 0o600);
    device.agent.hangup();
    device.poll_until(&at(BY_NAME_VERSION, "log4j-core"), "2.17.1");
    let want = [
        (at(BY_NAME_VERSION, "log4j-core"), "2.17.1".to_string()),
        (
            at(
                BY_PURL_PURL,
                "pkg:maven/org.apache.logging.log4j/log4j-core",
            ),
            updated.to_string(),
        ),
        (at(VEX_STATE, "CVE-2021-44228"), "3".to_string()),
    ];
    assert_eq!(log4j_answers(&device), want, "after the refresh");
    assert_eq!(device.index_of(updated), index);

    // The same answers, at the same OIDs, from a restarted agent (the index map is kept in the
    // state directory).
    device.agent.kill();
    drop(device);
    let device = Device::start(&dir, section).expect("started once already");
    assert_eq!(log4j_answers(&device), want, "after a restart");
}
