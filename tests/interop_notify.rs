//! Notifications against real receivers: net-snmp's `snmptrapd` (Debian `snmptrapd`) with
//! every MIB module loaded, and PyPI's pysnmp as a second Inform receiver. authPriv with
//! SHA-256/AES-128 and SHA-512/AES-256: coldStart at start-up as a Trap and an Inform, then
//! `DQI-MIB::dqiSwInventoryChange` after a SIGHUP that changes the SBOM; an Inform to a receiver
//! that starts late is delivered after retries; one to a receiver that never answers is dropped
//! and counted, while polling goes on.
#![cfg(feature = "server")]

mod common;

use std::time::{Duration, Instant};

use common::*;

const ENGINE_ID: &str = NOTIFY_ENGINE_ID;
/// `dqiNotifyEntry` (`dqiAgent` 39 1): `.column.receiver`.
const NOTIFY_ENTRY: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.5.39.1";
const SENT: u32 = 6;
const ACKNOWLEDGED: u32 = 7;
const RETRIED: u32 = 8;
const DROPPED: u32 = 9;

fn notify_counter(column: u32, receiver: u32) -> String {
    format!("{NOTIFY_ENTRY}.{column}.{receiver}")
}

/// The device's SBOM: jackson-core and log4j-core `log4j`, whose file hashes start with `hash`.
fn inventory(log4j: &str, hash: char) -> String {
    maven_sbom(&[("jackson-core", "2.12.3", 'a'), ("log4j-core", log4j, hash)])
}

/// A Trap and an Inform for coldStart, then for the SBOM change, decoded by name.
fn trap_and_inform_after_sighup(label: &str, (auth, privacy): (&str, &str), netsnmp_privacy: &str) {
    let dir = TestDir::new(label);
    let port = loopback_port();
    let Some(trapd) = Trapd::start(&dir, "trapd", port, &trapd_conf(auth, netsnmp_privacy)) else {
        return;
    };
    let (sbom, section) = sbom_device(&dir, &inventory("2.14.1", 'b'), 0);
    let mut config = device_config(&section)
        .with_section(&notify_user(auth, privacy))
        .with_section(&notify_receiver(port, "trap", ""))
        .with_section(&notify_receiver(port, "inform", ""));
    config.engine_id = Some(ENGINE_ID.to_string());
    let agent = Agent::start(&dir, &config);

    // coldStart, once as a Trap and once as an Inform.
    let log = trapd.wait_for(
        "SNMPv2-MIB::snmpTrapOID.0 = OID: SNMPv2-MIB::coldStart",
        2,
        DELIVERY,
    );
    assert!(!log.contains("DQI-MIB::dqiSwInventoryChange"), "{log}");

    // The SBOM changes; SIGHUP: the inventory change with its digest and last change, named.
    write_file(&sbom, &inventory("2.17.1", 'c'), 0o600);
    agent.hangup();
    let log = trapd.wait_for("OID: DQI-MIB::dqiSwInventoryChange", 2, DELIVERY);
    for object in [
        "DQI-MIB::dqiSwLastChange.0",
        "DQI-MIB::dqiSwCount.0 = Gauge32: 2",
        "DQI-MIB::dqiSwDigest.0",
    ] {
        assert_eq!(log.matches(object).count(), 2, "{object} in both:\n{log}");
    }
    let stderr = agent.stderr();
    assert!(!stderr.contains("notifications dropped"), "{stderr}");
}

#[test]
fn snmptrapd_decodes_traps_and_informs_sha256_aes128() {
    trap_and_inform_after_sighup("notify-sha256", ("SHA-256", "AES-128"), "AES");
}

#[test]
fn snmptrapd_decodes_traps_and_informs_sha512_aes256() {
    trap_and_inform_after_sighup("notify-sha512", ("SHA-512", "AES-256"), "AES-256");
}

#[test]
fn a_late_receiver_gets_the_inform_and_a_silent_one_is_dropped_while_polling_goes_on() {
    let dir = TestDir::new("notify-late");
    let Some(snmp) = NetSnmp::new() else {
        return;
    };
    if !require_programs(&["snmptrapd"], "snmptrapd") {
        return;
    }
    let late = loopback_port();
    let silent = loopback_port();
    let mut config = device_config("")
        .with_section(&notify_user("SHA-256", "AES-128"))
        // Backoff from 300 ms: sent at 0, retried at 0.3, 0.9, 2.1, 4.5, 9.3 s.
        .with_section(&notify_receiver(
            late,
            "inform",
            "timeout_ms = 300\nretries = 5\n",
        ))
        // Nothing ever listens here: sent at 0, retried at 0.1 and 0.3 s, dropped at 0.7 s.
        .with_section(&notify_receiver(
            silent,
            "inform",
            "timeout_ms = 100\nretries = 2\n",
        ));
    config.engine_id = Some(ENGINE_ID.to_string());
    let started = Instant::now();
    let agent = Agent::start(&dir, &config);
    let user = config.users[0].clone();

    // Polling answers while both Informs are outstanding.
    let got = snmp.get(&agent, &user, &[SYS_DESCR]);
    assert_eq!(got[0].value, config.description);

    // The silent receiver's Inform is dropped, and the agent says so.
    let deadline = Instant::now() + DELIVERY;
    while !agent.stderr().contains("notifications dropped") {
        assert!(
            Instant::now() < deadline,
            "no drop logged:\n{}",
            agent.stderr()
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let stderr = agent.stderr();
    let line = stderr
        .lines()
        .find(|l| l.contains("notifications dropped"))
        .unwrap();
    assert!(line.contains(&format!("127.0.0.1:{silent}")), "{line}");
    assert!(
        line.contains("dropped=1") && line.contains("retried=2") && line.contains("acknowledged=0"),
        "{line}"
    );
    // And dqiNotifyTable counts it: receiver 2 sent 1, retried 2, dropped 1, none acknowledged.
    let count = |column, receiver| snmp.counter(&agent, &user, &notify_counter(column, receiver));
    assert_eq!(
        [SENT, RETRIED, DROPPED, ACKNOWLEDGED].map(|c| count(c, 2)),
        [1, 2, 1, 0]
    );

    // The late receiver starts after the first retries; the Inform still arrives.
    let wait = Duration::from_millis(1500).saturating_sub(started.elapsed());
    std::thread::sleep(wait);
    let Some(trapd) = Trapd::start(&dir, "trapd", late, &trapd_conf("SHA-256", "AES")) else {
        return;
    };
    trapd.wait_for("SNMPv2-MIB::coldStart", 1, DELIVERY);
    // Polling is still answered.
    let got = snmp.get(&agent, &user, &[SYS_DESCR]);
    assert_eq!(got[0].value, config.description);
    assert!(
        !agent.stderr().contains(&format!("to=127.0.0.1:{late}")),
        "the late receiver's Inform was not dropped:\n{}",
        agent.stderr()
    );
    // Receiver 1: one Inform, retransmitted before the receiver was up, then acknowledged.
    let deadline = Instant::now() + DELIVERY;
    while count(ACKNOWLEDGED, 1) == 0 {
        assert!(Instant::now() < deadline, "dqiNotifyAcknowledged.1 stays 0");
        std::thread::sleep(Duration::from_millis(50));
    }
    assert_eq!(count(SENT, 1), 1);
    assert!(count(RETRIED, 1) >= 2, "retried {}", count(RETRIED, 1));
    assert_eq!(count(DROPPED, 1), 0);
}

#[test]
fn pysnmp_acknowledges_an_inform() {
    let dir = TestDir::new("notify-pysnmp");
    let Some(python) = pysnmp_venv() else {
        return;
    };
    let port = loopback_port();
    let pysnmp = PysnmpReceiver::start(&python, &dir, port, None);
    let mut config = device_config("")
        .with_section(&notify_user("SHA-256", "AES-128"))
        .with_section(&notify_receiver(
            port,
            "inform",
            "timeout_ms = 500\nretries = 5\n",
        ));
    config.engine_id = Some(ENGINE_ID.to_string());
    let agent = Agent::start(&dir, &config);
    // coldStart: 1.3.6.1.6.3.1.1.5.1 as snmpTrapOID.0's value.
    let text = pysnmp.wait_for("1.3.6.1.6.3.1.1.5.1", 1, DELIVERY);
    drop(pysnmp);
    assert!(
        text.contains("1.3.6.1.6.3.1.1.4.1.0 = 1.3.6.1.6.3.1.1.5.1"),
        "{text}"
    );
    // Acknowledged at once: no retransmission reached the receiver, nothing was dropped.
    assert_eq!(text.matches("--").count(), 1, "{text}");
    assert!(
        !agent.stderr().contains("notifications dropped"),
        "{}",
        agent.stderr()
    );
}
