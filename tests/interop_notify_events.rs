//! Every notification event against real receivers, decoded by name with the MIBs loaded
//! (`-M mibs -m ALL`): net-snmp's `snmptrapd` receives authenticationFailure,
//! dqiBudgetExhausted naming the refused user, dqiCfgChange, dqiHealthChange and
//! dqiSwEndOfSupportReached as SHA-256/AES-128 Traps, and coldStart or warmStart as restarts
//! alter the configuration or leave it as it was; PyPI's pysnmp receives Traps too (coldStart,
//! then warmStart after a restart). `tests/interop_notify.rs` has the Informs, retries and
//! drops.
#![cfg(feature = "server")]

mod common;

use std::time::{Duration, Instant};

use common::*;

/// A CycloneDX SBOM of one component, log4j-core 2.14.1, supported until `end_of_support`.
fn sbom(end_of_support: &str) -> String {
    format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{{"type":"library","group":"org.apache.logging.log4j","name":"log4j-core","version":"2.14.1","purl":"pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1","properties":[{{"name":"cdx:lifecycle:milestone:endOfSupport","value":"{end_of_support}"}}]}}]}}"#
    )
}

/// The example device's description with its health status and auto-logoff setting replaced.
fn description(status: &str, auto_logoff: u32) -> String {
    let text = std::fs::read_to_string(example("device.toml")).expect("example description");
    for original in ["status = \"ok\"", "auto_logoff_seconds = 300"] {
        assert!(
            text.contains(original),
            "the example changed: no {original}"
        );
    }
    text.replace("status = \"ok\"", &format!("status = \"{status}\""))
        .replace(
            "auto_logoff_seconds = 300",
            &format!("auto_logoff_seconds = {auto_logoff}"),
        )
}

/// `user` with its own request budget: one request an hour after the first.
fn starved(user: &User) -> User {
    User {
        key_lines: Some(format!(
            "auth = \"{}\"\nauth_password = \"{}\"\nprivacy = \"{}\"\npriv_password = \"{}\"\n\
             budget = \"1/hour\"\nbudget_burst = 40",
            user.auth,
            user.auth_password,
            user.privacy.expect("authPriv"),
            user.priv_password
        )),
        ..user.clone()
    }
}

/// The binding of `object` in `log` (`snmptrapd` writes a notification's bindings on one
/// line, separated by tabs): `DQI-MIB::dqiSwName.1 = STRING: log4j-core`.
fn binding<'a>(log: &'a str, object: &str) -> &'a str {
    log.split(['\t', '\n'])
        .find(|b| b.starts_with(object))
        .unwrap_or_else(|| panic!("no {object} in:\n{log}"))
}

#[test]
fn snmptrapd_decodes_the_auth_budget_config_health_and_end_of_support_events() {
    let dir = TestDir::new("notify-events");
    let Some(snmp) = NetSnmp::new() else {
        return;
    };
    let port = loopback_port();
    let Some(trapd) = Trapd::start(&dir, "trapd", port, &trapd_conf("SHA-256", "AES")) else {
        return;
    };
    write_file(&dir.join("device.toml"), &description("ok", 300), 0o600);
    write_file(&dir.join("sbom.cdx.json"), &sbom("2099-12-31"), 0o600);
    let user = User::new("dqi-test", "SHA-256", Some("AES-128"));
    let poller = starved(&User::new("poller", "SHA-256", Some("AES-128")));
    let mut config = Config::new(vec![user.clone(), poller.clone()])
        // Refusals answered with a Report, so each refused snmpget ends at once.
        .with_section(&format!("{ROOMY_BUDGET}over_budget = \"report\"\n"))
        .with_section(
            "[device]\ndescription = \"device.toml\"\nsbom = [\"sbom.cdx.json\"]\nrefresh_seconds = 0\n",
        )
        .with_section(&notify_user("SHA-256", "AES-128"))
        .with_section(&notify_receiver(port, "trap", ""))
        .with_section("[notifications]\nauth_failures = true\nbudget_after_s = 1\n");
    config.engine_id = Some(NOTIFY_ENGINE_ID.to_string());
    let agent = Agent::start(&dir, &config);
    trapd.wait_for("OID: SNMPv2-MIB::coldStart", 1, DELIVERY);

    // A wrong passphrase: authenticationFailure (snmpEnableAuthenTraps is on).
    let wrong = user.with_auth_password("not-the-auth-passphrase");
    let out = snmp.query_unanswered("snmpget", &agent, &wrong, Level::AuthPriv, &[SYS_DESCR]);
    assert!(!out.success(), "{}", out.describe());
    trapd.wait_for("OID: SNMPv2-MIB::authenticationFailure", 1, DELIVERY);

    // The poller is refused for longer than budget_after_s: dqiBudgetExhausted names it.
    let deadline = Instant::now() + DELIVERY;
    let mut polls = 0;
    while !trapd.received().contains("DQI-MIB::dqiBudgetExhausted") {
        assert!(
            Instant::now() < deadline,
            "no dqiBudgetExhausted after {polls} polls"
        );
        snmp.query_unanswered("snmpget", &agent, &poller, Level::AuthPriv, &[SYS_DESCR]);
        polls += 1;
    }
    let log = trapd.wait_for("DQI-MIB::dqiBudgetLastRejection.0", 1, DELIVERY);
    for expected in [
        "DQI-MIB::dqiBudgetNotifyLevel.0 = INTEGER: principal(4)",
        "DQI-MIB::dqiBudgetNotifyPrincipal.0 = STRING: poller",
    ] {
        let object = expected.split(" = ").next().unwrap();
        assert_eq!(binding(&log, object), expected, "{log}");
    }

    // One SIGHUP: the health degrades, a setting changes, log4j-core's support has ended.
    write_file(
        &dir.join("device.toml"),
        &description("degraded", 600),
        0o600,
    );
    write_file(&dir.join("sbom.cdx.json"), &sbom("2020-01-01"), 0o600);
    agent.hangup();
    for kind in [
        "dqiSwInventoryChange",
        "dqiCfgChange",
        "dqiHealthChange",
        "dqiSwEndOfSupportReached",
    ] {
        trapd.wait_for(&format!("OID: DQI-MIB::{kind}"), 1, DELIVERY);
    }
    let log = trapd.received();
    for (object, value) in [
        ("DQI-MIB::dqiHealthStatus.0", "INTEGER: degraded(2)"),
        ("DQI-MIB::dqiCfgChanges.0", "Counter32: 1"),
        ("DQI-MIB::dqiSwPastEndOfSupport.0", "Gauge32: 1"),
    ] {
        assert_eq!(
            binding(&log, object),
            format!("{object} = {value}"),
            "{log}"
        );
    }
    // The row's objects: log4j-core's name, version and date, under its dqiSwIndex.
    for (object, value) in [
        ("DQI-MIB::dqiSwName.", "= STRING: log4j-core"),
        ("DQI-MIB::dqiSwVersion.", "= STRING: 2.14.1"),
        ("DQI-MIB::dqiSwEndOfSupport.", "= STRING: 2020-1-1,0:0:0.0"),
    ] {
        assert!(
            binding(&log, object).ends_with(value),
            "{object} {value}\n{log}"
        );
    }
    // Once per crossing: another SIGHUP with nothing changed sends nothing more.
    agent.hangup();
    std::thread::sleep(Duration::from_secs(1));
    let later = trapd.received();
    assert_eq!(
        later
            .matches("OID: DQI-MIB::dqiSwEndOfSupportReached")
            .count(),
        1,
        "{later}"
    );
    let stderr = agent.stderr();
    assert!(!stderr.contains("notifications dropped"), "{stderr}");
}

#[test]
fn a_restart_with_the_configuration_unaltered_is_a_warm_start() {
    let dir = TestDir::new("notify-warm");
    let port = loopback_port();
    let Some(trapd) = Trapd::start(&dir, "trapd", port, &trapd_conf("SHA-256", "AES")) else {
        return;
    };
    let mut config = device_config("")
        .with_section(&notify_user("SHA-256", "AES-128"))
        .with_section(&notify_receiver(port, "trap", "events = [\"boot\"]\n"));
    config.engine_id = Some(NOTIFY_ENGINE_ID.to_string());
    let cold = "OID: SNMPv2-MIB::coldStart";
    let warm = "OID: SNMPv2-MIB::warmStart";
    // First start: nothing recorded, coldStart.
    let mut agent = Agent::start(&dir, &config);
    trapd.wait_for(cold, 1, DELIVERY);
    // The same configuration: warmStart, and the log says which.
    agent.restart_with(&config);
    trapd.wait_for(warm, 1, DELIVERY);
    assert!(agent.stderr().contains("warmStart"), "{}", agent.stderr());
    // A changed setting: coldStart.
    let mut changed = config.clone();
    changed.location = "Ward 4, bed 2".into();
    agent.restart_with(&changed);
    let log = trapd.wait_for(cold, 2, DELIVERY);
    assert_eq!(log.matches(warm).count(), 1, "{log}");
    // Unaltered again: warmStart.
    agent.restart_with(&changed);
    let log = trapd.wait_for(warm, 2, DELIVERY);
    assert_eq!(log.matches(cold).count(), 2, "{log}");
    // Every start was a new boot all the same: snmpEngineBoots went up each time.
    assert_eq!(agent.discover().boots, 4);
}

#[test]
fn pysnmp_receives_traps() {
    let dir = TestDir::new("notify-pysnmp-trap");
    let Some(python) = pysnmp_venv() else {
        return;
    };
    let port = loopback_port();
    let pysnmp = PysnmpReceiver::start(&python, &dir, port, Some(NOTIFY_ENGINE_ID));
    let mut config = device_config("")
        .with_section(&notify_user("SHA-256", "AES-128"))
        .with_section(&notify_receiver(port, "trap", ""));
    config.engine_id = Some(NOTIFY_ENGINE_ID.to_string());
    let mut agent = Agent::start(&dir, &config);
    // coldStart, then warmStart after a restart: snmpTrapOID.0 = snmpTraps.1, then .2.
    let text = pysnmp.wait_for("1.3.6.1.6.3.1.1.5.1", 1, DELIVERY);
    assert!(
        text.contains("1.3.6.1.6.3.1.1.4.1.0 = 1.3.6.1.6.3.1.1.5.1"),
        "{text}"
    );
    agent.restart_with(&config);
    let text = pysnmp.wait_for("1.3.6.1.6.3.1.1.5.2", 1, DELIVERY);
    assert!(
        text.contains("1.3.6.1.6.3.1.1.4.1.0 = 1.3.6.1.6.3.1.1.5.2"),
        "{text}"
    );
    // Two Traps, each decrypted and verified with the user localized to the agent's engine.
    assert_eq!(text.matches("--").count(), 2, "{text}");
}
