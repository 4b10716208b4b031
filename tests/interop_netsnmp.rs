//! Interoperability with net-snmp's command-line tools: the real `dqi-agent` binary on loopback,
//! driven by `snmpget`, `snmpgetnext`, `snmpbulkget`, `snmpwalk`, `snmpbulkwalk` and `snmpset`
//! for every authentication and privacy protocol Debian's net-snmp 5.9 speaks.
//!
//! Every scenario is a function of the agent [`Flavor`]: the `#[ignore]`d `snmpd_*` twins run
//! the same assertions against net-snmp's own `snmpd` (5.9), which validates the harness, the
//! tool invocations and the output parsing independently of our agent:
//!
//! ```text
//! cargo test --release --test interop_netsnmp -- --ignored
//! ```
//!
//! Where the two agents legitimately differ (snmpd answers a Set on an object that does not
//! exist with notWritable, the DQI with noCreation), the scenario says so.

mod common;

use common::*;

/// One user per authentication/privacy combination, so that one agent serves the whole matrix.
/// Names say what they are; net-snmp's spellings of the protocols are in `User::netsnmp_args`.
fn matrix_users() -> Vec<User> {
    let mut users = Vec::new();
    // authNoPriv with each authentication protocol (RFC 3414 HMAC-MD5-96 and HMAC-SHA-96,
    // RFC 7860 HMAC-SHA-2).
    for (name, auth) in [
        ("md5", "MD5"),
        ("sha", "SHA"),
        ("sha224", "SHA-224"),
        ("sha256", "SHA-256"),
        ("sha384", "SHA-384"),
        ("sha512", "SHA-512"),
    ] {
        users.push(User::new(name, auth, None));
    }
    // authPriv. The AES-192/256 users with MD5, SHA-1 and SHA-224 need key extension, where the
    // Blumenthal (`AES-256`) and Reeder (`AES-256-C`) variants give different keys.
    for (name, auth, privacy) in [
        ("sha-aes128", "SHA", "AES-128"),
        ("sha256-aes128", "SHA-256", "AES-128"),
        ("sha512-aes256", "SHA-512", "AES-256"),
        ("md5-des", "MD5", "DES"),
        ("sha-des", "SHA", "DES"),
        ("sha224-aes192", "SHA-224", "AES-192"),
        ("sha384-aes256c", "SHA-384", "AES-256-C"),
        ("md5-aes128", "MD5", "AES-128"),
        ("sha-aes192", "SHA", "AES-192"),
        ("sha-aes256", "SHA", "AES-256"),
        ("sha-aes192c", "SHA", "AES-192-C"),
        ("sha-aes256c", "SHA", "AES-256-C"),
        ("md5-aes256", "MD5", "AES-256"),
        ("md5-aes256c", "MD5", "AES-256-C"),
        ("sha224-aes256", "SHA-224", "AES-256"),
        ("sha224-aes256c", "SHA-224", "AES-256-C"),
        ("sha256-aes256", "SHA-256", "AES-256"),
        ("sha256-aes256c", "SHA-256", "AES-256-C"),
        ("sha384-aes192", "SHA-384", "AES-192"),
        ("sha512-aes192c", "SHA-512", "AES-192-C"),
        ("sha512-des", "SHA-512", "DES"),
    ] {
        users.push(User::new(name, auth, Some(privacy)));
    }
    // A user with privacy keys who may also ask at authNoPriv.
    users
        .push(User::new("sha-aes128-open", "SHA", Some("AES-128")).min_security(Level::AuthNoPriv));
    users
}

/// The user the single-protocol scenarios use.
fn nms() -> User {
    User::new("nms", "SHA-256", Some("AES-128"))
}

/// net-snmp's tools and an agent of `flavor` serving `config` in `dir`; None (skipped, or failed
/// under CI) without the tools.
fn start(flavor: Flavor, dir: &TestDir, config: &Config) -> Option<(NetSnmp, Agent)> {
    let snmp = NetSnmp::new()?;
    Some((snmp, Agent::start_flavor(flavor, dir, config)))
}

/// Asserts that the request `label` failed, returned no data, and that net-snmp said `why`.
fn assert_no_data(out: &ProcessOutput, label: &str, why: &str) {
    assert!(!out.success(), "{label}: must fail\n{}", out.describe());
    assert!(
        out.bindings().is_empty(),
        "{label}: no data\n{}",
        out.describe()
    );
    assert!(
        out.stderr.contains(why),
        "{label}: {why}\n{}",
        out.describe()
    );
}

// ---------------------------------------------------------------------------------------------
// Every combination: get, getnext, getbulk
// ---------------------------------------------------------------------------------------------

fn every_combination(flavor: Flavor) {
    let dir = TestDir::new("matrix");
    let config = Config::new(matrix_users());
    let Some((snmp, agent)) = start(flavor, &dir, &config) else {
        return;
    };

    let mut cases: Vec<(User, Level)> = Vec::new();
    for user in &config.users {
        cases.push((user.clone(), user.level()));
        if user.required_level() == Level::AuthNoPriv && user.level() == Level::AuthPriv {
            cases.push((user.clone(), Level::AuthNoPriv));
        }
    }
    let mut failures = Vec::new();
    for (user, level) in &cases {
        let label = format!(
            "{} ({} / {:?}) at {level:?}",
            user.name, user.auth, user.privacy
        );

        let get = snmp.query("snmpget", &agent, user, *level, &[], &[SYS_DESCR, SYS_NAME]);
        let bindings = get.bindings();
        let want = [
            (SYS_DESCR, config.description.as_str()),
            (SYS_NAME, config.name.as_str()),
        ];
        let ok = get.success()
            && bindings.len() == 2
            && bindings
                .iter()
                .zip(want)
                .all(|(b, (oid, value))| b.oid == oid && b.kind == "STRING" && b.value == value);
        if !ok {
            failures.push(format!("{label}: snmpget\n{}", get.describe()));
            continue;
        }

        let next = snmp.query("snmpgetnext", &agent, user, *level, &[], &[SYS_DESCR]);
        let bindings = next.bindings();
        if !(next.success() && bindings.len() == 1 && bindings[0].oid == SYS_OBJECT_ID) {
            failures.push(format!("{label}: snmpgetnext\n{}", next.describe()));
        }

        let bulk = snmp.query(
            "snmpbulkget",
            &agent,
            user,
            *level,
            &["-Cn0", "-Cr3"],
            &[SYSTEM],
        );
        let oids: Vec<String> = bulk.bindings().into_iter().map(|b| b.oid).collect();
        if !(bulk.success() && oids == [SYS_DESCR, SYS_OBJECT_ID, SYS_UPTIME]) {
            failures.push(format!("{label}: snmpbulkget\n{}", bulk.describe()));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} user/level combinations failed:\n\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n\n")
    );
}

against_both!(
    every_combination,
    every_auth_and_privacy_combination,
    snmpd_every_auth_and_privacy_combination
);

// ---------------------------------------------------------------------------------------------
// Walks, bulk requests, exceptions and the standard objects
// ---------------------------------------------------------------------------------------------

/// What the `operations` scenarios share: one agent, one user, net-snmp's tools.
struct Ops<'a> {
    snmp: &'a NetSnmp,
    agent: &'a Agent,
    user: &'a User,
    level: Level,
    config: &'a Config,
}

impl Ops<'_> {
    /// Runs net-snmp's `tool` as the user at its level with `params` on `oids`.
    fn query(&self, tool: &str, params: &[&str], oids: &[&str]) -> ProcessOutput {
        self.snmp
            .query(tool, self.agent, self.user, self.level, params, oids)
    }
}

fn operations(flavor: Flavor) {
    let dir = TestDir::new("ops");
    let user = nms();
    let config = Config::new(vec![user.clone()]);
    let Some((snmp, agent)) = start(flavor, &dir, &config) else {
        return;
    };
    let ops = Ops {
        snmp: &snmp,
        agent: &agent,
        user: &user,
        level: user.level(),
        config: &config,
    };
    system_walk(&ops);
    usm_stats_bulkwalk(&ops);
    bulk_parameters(&ops);
    exceptions(&ops);
    snmp_engine(&ops);
    counter_groups(&ops);
}

/// snmpwalk of the system group (RFC 3418).
fn system_walk(ops: &Ops<'_>) {
    // snmpwalk of the system group: every RFC 3418 object in lexicographic order, the
    // configured strings verbatim, at least one sysORTable row, and a clean end.
    let walk = ops.query("snmpwalk", &[], &[SYSTEM]);
    assert!(walk.success(), "snmpwalk system\n{}", walk.describe());
    assert!(
        walk.stderr.trim().is_empty(),
        "snmpwalk ends cleanly\n{}",
        walk.describe()
    );
    let bindings = walk.bindings();
    let scalars: Vec<&str> = bindings.iter().take(8).map(|b| b.oid.as_str()).collect();
    assert_eq!(
        scalars,
        [
            SYS_DESCR,
            SYS_OBJECT_ID,
            SYS_UPTIME,
            SYS_CONTACT,
            SYS_NAME,
            SYS_LOCATION,
            SYS_SERVICES,
            SYS_OR_LAST_CHANGE
        ],
        "system scalars in order\n{}",
        walk.describe()
    );
    let kinds: Vec<&str> = bindings.iter().take(8).map(|b| b.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "STRING",
            "OID",
            "Timeticks",
            "STRING",
            "STRING",
            "STRING",
            "INTEGER",
            "Timeticks"
        ],
        "system scalar types\n{}",
        walk.describe()
    );
    assert_eq!(bindings[0].value, ops.config.description);
    assert_eq!(bindings[3].value, ops.config.contact);
    assert_eq!(bindings[4].value, ops.config.name);
    assert_eq!(bindings[5].value, ops.config.location);
    let services = bindings[6].number().expect("sysServices is a number");
    assert!(
        (1..=127).contains(&services),
        "sysServices {services} in 0..127"
    );
    let or_rows: Vec<&Binding> = bindings[8..].iter().collect();
    assert!(
        !or_rows.is_empty() && or_rows.iter().all(|b| oid_under(&b.oid, SYS_OR_TABLE)),
        "sysORTable follows the scalars\n{}",
        walk.describe()
    );
    for pair in bindings.windows(2) {
        assert!(
            oid_arcs(&pair[0].oid) < oid_arcs(&pair[1].oid),
            "walk is in strictly increasing OID order: {} then {}",
            pair[0].oid,
            pair[1].oid
        );
    }
}

/// snmpbulkwalk of usmStats (RFC 3414 §5).
fn usm_stats_bulkwalk(ops: &Ops<'_>) {
    // snmpbulkwalk of usmStats: exactly the six RFC 3414 counters.
    let bulkwalk = ops.query("snmpbulkwalk", &["-Cr10"], &[USM_STATS]);
    assert!(
        bulkwalk.success(),
        "snmpbulkwalk usmStats\n{}",
        bulkwalk.describe()
    );
    assert!(bulkwalk.stderr.trim().is_empty(), "{}", bulkwalk.describe());
    let mut bindings = bulkwalk.bindings();
    // usmStats may be the last objects the agent serves: the walk then ends on endOfMibView,
    // which net-snmp prints as a last line (RFC 3416 §4.2.3).
    if bindings.last().is_some_and(Binding::is_end_of_mib_view) {
        bindings.pop();
    }
    let oids: Vec<&str> = bindings.iter().map(|b| b.oid.as_str()).collect();
    assert_eq!(
        oids,
        [
            USM_STATS_UNSUPPORTED_SEC_LEVELS,
            USM_STATS_NOT_IN_TIME_WINDOWS,
            USM_STATS_UNKNOWN_USER_NAMES,
            USM_STATS_UNKNOWN_ENGINE_IDS,
            USM_STATS_WRONG_DIGESTS,
            USM_STATS_DECRYPTION_ERRORS
        ],
        "the six usmStats counters\n{}",
        bulkwalk.describe()
    );
    assert!(
        bindings.iter().all(|b| b.kind == "Counter32"),
        "{}",
        bulkwalk.describe()
    );
    // Every tool run starts with discovery, so unknownEngineIDs has counted at least ours.
    assert!(
        bindings[3].number().unwrap() >= 1,
        "{}",
        bulkwalk.describe()
    );
}

/// snmpbulkget parameters (RFC 3416 §4.2.3).
fn bulk_parameters(ops: &Ops<'_>) {
    // snmpbulkget: non-repeaters and max-repetitions (RFC 3416 §4.2.3).
    let bulk = |params: &[&str], oids: &[&str]| -> Vec<String> {
        let out = ops.query("snmpbulkget", params, oids);
        assert!(out.success(), "snmpbulkget\n{}", out.describe());
        out.bindings().into_iter().map(|b| b.oid).collect()
    };
    assert_eq!(
        bulk(&["-Cn1", "-Cr3"], &[SYSTEM, USM_STATS]),
        [
            SYS_DESCR,
            USM_STATS_UNSUPPORTED_SEC_LEVELS,
            USM_STATS_NOT_IN_TIME_WINDOWS,
            USM_STATS_UNKNOWN_USER_NAMES
        ],
        "one non-repeater, three repetitions"
    );
    assert_eq!(
        bulk(&["-Cn0", "-Cr2"], &[USM_STATS, SYSTEM]),
        [
            USM_STATS_UNSUPPORTED_SEC_LEVELS,
            SYS_DESCR,
            USM_STATS_NOT_IN_TIME_WINDOWS,
            SYS_OBJECT_ID
        ],
        "two repeaters interleave row by row"
    );
    assert_eq!(
        bulk(&["-Cn1", "-Cr0"], &[SYSTEM, USM_STATS]),
        [SYS_DESCR],
        "max-repetitions 0 returns the non-repeaters only"
    );
    assert_eq!(
        bulk(&["-Cn2", "-Cr5"], &[SYSTEM, USM_STATS]),
        [SYS_DESCR, USM_STATS_UNSUPPORTED_SEC_LEVELS],
        "non-repeaters equal to the varbind count: no repetitions"
    );
    // Repetitions run on past the end of the system group, in lexicographic order: after
    // sysLocation come sysServices, sysORLastChange, the sysORTable columns, then the snmp
    // group, snmpEngine, ... (more than ten objects in all).
    let oids = bulk(&["-Cn0", "-Cr10"], &[SYS_LOCATION]);
    assert_eq!(oids.len(), 10, "ten repetitions: {oids:?}");
    assert_eq!(oids[..2], [SYS_SERVICES, SYS_OR_LAST_CHANGE], "{oids:?}");
    assert!(
        oids.windows(2).all(|w| oid_arcs(&w[0]) < oid_arcs(&w[1])),
        "increasing: {oids:?}"
    );
}

/// Exceptions in Get and GetNext (RFC 3416 §4.2.1, §4.2.2).
fn exceptions(ops: &Ops<'_>) {
    // snmpgetnext and snmpget across the exceptions (RFC 3416 §4.2.1, §4.2.2).
    let out = ops.query(
        "snmpget",
        &[],
        &[".1.3.6.1.2.1.1.1.5", ".1.3.6.1.2.1.1.99.0", SYS_DESCR],
    );
    assert!(out.success(), "{}", out.describe());
    let bindings = out.bindings();
    assert_eq!(bindings.len(), 3, "{}", out.describe());
    assert!(
        bindings[0].is_no_such_instance(),
        "sysDescr.5\n{}",
        out.describe()
    );
    assert!(
        bindings[1].is_no_such_object(),
        "system.99.0\n{}",
        out.describe()
    );
    assert_eq!(bindings[2].value, ops.config.description);
    assert!(
        out.stdout
            .contains("No Such Instance currently exists at this OID")
    );
    assert!(
        out.stdout
            .contains("No Such Object available on this agent at this OID")
    );

    let out = ops.query("snmpgetnext", &[], &[".1.9"]);
    assert!(out.success(), "{}", out.describe());
    let bindings = out.bindings();
    assert!(
        bindings.len() == 1 && bindings[0].is_end_of_mib_view(),
        "getnext past the last object is endOfMibView\n{}",
        out.describe()
    );
}

/// snmpEngine (RFC 3411) against discovery.
fn snmp_engine(ops: &Ops<'_>) {
    // snmpEngine (RFC 3411): the engine ID matches discovery, boots at least 1.
    let discovery = ops.agent.discover();
    assert_eq!(
        discovery.report_oid, USM_STATS_UNKNOWN_ENGINE_IDS,
        "RFC 3414 §3.2 step 3: the discovery Report carries usmStatsUnknownEngineIDs"
    );
    let out = ops.query(
        "snmpget",
        &["-Ox"],
        &[
            SNMP_ENGINE_ID,
            SNMP_ENGINE_BOOTS,
            SNMP_ENGINE_TIME,
            SNMP_ENGINE_MAX_MESSAGE_SIZE,
        ],
    );
    assert!(out.success(), "{}", out.describe());
    let bindings = out.bindings();
    assert_eq!(bindings.len(), 4, "{}", out.describe());
    assert_eq!(
        bindings[0].hex_bytes(),
        discovery.engine_id,
        "{}",
        out.describe()
    );
    let engine_id = &discovery.engine_id;
    assert!(
        (5..=32).contains(&engine_id.len()),
        "RFC 3411: an snmpEngineID is 5 to 32 octets: {}",
        hex(engine_id)
    );
    assert_eq!(bindings[1].number(), Some(discovery.boots as u64));
    assert!(discovery.boots >= 1, "engine boots {}", discovery.boots);
    assert!(bindings[2].number().is_some(), "{}", out.describe());
    let max_size = bindings[3].number().expect("snmpEngineMaxMessageSize");
    assert!(
        (484..=2_147_483_647).contains(&max_size),
        "{}",
        out.describe()
    );
}

/// The protocol counter groups (SNMP-MPD-MIB, SNMPv2-MIB).
fn counter_groups(ops: &Ops<'_>) {
    // SNMP-MPD-MIB snmpMPDStats and the SNMPv2-MIB snmp group counters.
    let out = ops.query("snmpwalk", &[], &[".1.3.6.1.6.3.11.2.1"]);
    let oids: Vec<String> = out.bindings().into_iter().map(|b| b.oid).collect();
    assert_eq!(
        oids,
        [
            ".1.3.6.1.6.3.11.2.1.1.0",
            ".1.3.6.1.6.3.11.2.1.2.0",
            ".1.3.6.1.6.3.11.2.1.3.0"
        ],
        "snmpUnknownSecurityModels, snmpInvalidMsgs, snmpUnknownPDUHandlers\n{}",
        out.describe()
    );
    let out = ops.query("snmpwalk", &[], &[".1.3.6.1.2.1.11"]);
    assert!(out.success(), "{}", out.describe());
    let oids: Vec<String> = out.bindings().into_iter().map(|b| b.oid).collect();
    for (oid, name) in [
        (".1.3.6.1.2.1.11.1.0", "snmpInPkts"),
        (SNMP_IN_BAD_VERSIONS, "snmpInBadVersions"),
        (SNMP_IN_ASN_PARSE_ERRS, "snmpInASNParseErrs"),
        (".1.3.6.1.2.1.11.31.0", "snmpSilentDrops"),
    ] {
        assert!(
            oids.iter().any(|o| o == oid),
            "{name} served\n{}",
            out.describe()
        );
    }
}

against_both!(
    operations,
    walks_bulk_requests_and_standard_objects,
    snmpd_walks_bulk_requests_and_standard_objects
);

// ---------------------------------------------------------------------------------------------
// IPv6
// ---------------------------------------------------------------------------------------------

fn ipv6(flavor: Flavor) {
    if !ipv6_loopback_available() {
        eprintln!("\n*** SKIPPED: no IPv6 loopback on this host ***\n");
        return;
    }
    let dir = TestDir::new("ipv6");
    let user = nms();
    let mut config = Config::new(vec![user.clone()]);
    config.ipv6 = true;
    let Some((snmp, agent)) = start(flavor, &dir, &config) else {
        return;
    };
    let mut args = user.netsnmp_args(user.level());
    args.extend(["-r", "1", "-t", "2", "-On"].map(String::from));
    args.push(format!("udp6:[::1]:{}", agent.port));
    args.push(SYS_DESCR.into());
    let out = snmp.run("snmpget", &args);
    assert!(out.success(), "snmpget over IPv6\n{}", out.describe());
    assert_eq!(
        out.bindings()[0].value,
        config.description,
        "{}",
        out.describe()
    );
    assert_eq!(
        discover(agent.addr_v6()).engine_id,
        agent.discover().engine_id
    );
}

against_both!(ipv6, serves_ipv6_loopback, snmpd_serves_ipv6_loopback);

// ---------------------------------------------------------------------------------------------
// Set is refused and changes nothing
// ---------------------------------------------------------------------------------------------

fn set_refused(flavor: Flavor) {
    let dir = TestDir::new("set");
    let user = nms();
    let config = Config::new(vec![user.clone()]);
    let Some((snmp, agent)) = start(flavor, &dir, &config) else {
        return;
    };
    let level = user.level();

    // An existing read-only object: notWritable (RFC 3416 §4.2.5 step 2).
    let out = snmp.query(
        "snmpset",
        &agent,
        &user,
        level,
        &[],
        &[SYS_DESCR, "s", "tampered"],
    );
    assert!(
        !out.success(),
        "set of sysDescr.0 must fail\n{}",
        out.describe()
    );
    assert!(
        out.stderr
            .contains("Reason: notWritable (That object does not support modification)")
            && out.stderr.contains(&format!("Failed object: {SYS_DESCR}")),
        "notWritable on sysDescr.0\n{}",
        out.describe()
    );

    // Two bindings, the second on a read-only object: error-index is 1-based and names it.
    let out = snmp.query(
        "snmpset",
        &agent,
        &user,
        level,
        &[],
        &[SYS_DESCR, "s", "tampered", SYS_CONTACT, "s", "mallory"],
    );
    assert!(!out.success(), "{}", out.describe());
    assert!(out.stderr.contains("notWritable"), "{}", out.describe());

    // An object that does not exist and never could: noCreation (RFC 3416 §4.2.5 step 3).
    // snmpd answers notWritable here.
    let out = snmp.query(
        "snmpset",
        &agent,
        &user,
        level,
        &[],
        &[".1.3.6.1.2.1.1.99.0", "s", "planted"],
    );
    assert!(!out.success(), "{}", out.describe());
    let expected = match flavor {
        Flavor::Dqi => "Reason: noCreation",
        Flavor::Snmpd => "Reason: notWritable",
    };
    assert!(
        out.stderr.contains(expected),
        "{expected}\n{}",
        out.describe()
    );
    assert!(
        out.stderr.contains("Failed object: .1.3.6.1.2.1.1.99.0"),
        "{}",
        out.describe()
    );

    // Nothing changed.
    let bindings = snmp.get(
        &agent,
        &user,
        &[SYS_DESCR, SYS_CONTACT, ".1.3.6.1.2.1.1.99.0"],
    );
    assert_eq!(bindings[0].value, config.description);
    assert_eq!(bindings[1].value, config.contact);
    assert!(bindings[2].is_no_such_object(), "{:?}", bindings[2]);
}

against_both!(
    set_refused,
    set_is_refused_and_changes_nothing,
    snmpd_set_is_refused_and_changes_nothing
);

// ---------------------------------------------------------------------------------------------
// RFC 3414 failures: wrong digest, unknown user
// ---------------------------------------------------------------------------------------------

fn authentication_failures(flavor: Flavor) {
    let dir = TestDir::new("authfail");
    let user = nms();
    let md5 = User::new("md5-legacy", "MD5", None);
    let config = Config::new(vec![user.clone(), md5.clone()]);
    let Some((snmp, agent)) = start(flavor, &dir, &config) else {
        return;
    };

    // A GET as `attacker` gets no data, net-snmp says `why`, and `counter` counts it once.
    let refused = |attacker: &User, level: Level, label: &str, why: &str, counter: &str| {
        let before = snmp.counter(&agent, &user, counter);
        let out = snmp.query_unanswered("snmpget", &agent, attacker, level, &[SYS_DESCR]);
        assert_no_data(&out, label, why);
        let after = snmp.counter(&agent, &user, counter);
        assert_eq!(after, before + 1, "{label}: {counter} counts the request");
    };

    // Wrong authentication passphrase: RFC 3414 §3.2 step 6, usmStatsWrongDigests and a Report
    // net-snmp prints as an authentication failure. Both at authNoPriv and authPriv.
    for (attacker, level) in [
        (&user, Level::AuthPriv),
        (&user, Level::AuthNoPriv),
        (&md5, Level::AuthNoPriv),
    ] {
        refused(
            &attacker.with_auth_password("not-the-password"),
            level,
            "wrong password",
            "Authentication failure (incorrect password, community or key)",
            USM_STATS_WRONG_DIGESTS,
        );
    }

    // Unknown user: RFC 3414 §3.2 step 4, usmStatsUnknownUserNames.
    let stranger = User {
        name: "mallory".into(),
        ..user.clone()
    };
    refused(
        &stranger,
        Level::AuthPriv,
        "unknown user",
        "Unknown user name",
        USM_STATS_UNKNOWN_USER_NAMES,
    );

    // The other counters did not move for these, and the agent still serves the right user.
    assert_eq!(snmp.counter(&agent, &user, USM_STATS_DECRYPTION_ERRORS), 0);
    assert_eq!(
        snmp.get(&agent, &user, &[SYS_DESCR])[0].value,
        config.description
    );
}

against_both!(
    authentication_failures,
    wrong_password_and_unknown_user_fail_as_rfc3414_says,
    snmpd_wrong_password_and_unknown_user_fail_as_rfc3414_says
);

// ---------------------------------------------------------------------------------------------
// Wrong privacy key
// ---------------------------------------------------------------------------------------------

/// A wrong privacy key with a correct authentication key passes the digest check; CFB and CBC
/// decryption then "succeed" and yield garbage, which is not a ScopedPDU. RFC 3414 §3.2 step 8
/// counts usmStatsDecryptionErrors only when decryption itself fails (privParameters not 8
/// octets, RFC 3826 §3.3.2; DES ciphertext not a multiple of 8 octets, RFC 3414 §8.3.2); the
/// garbage fails the ScopedPDU parse of RFC 3412 §7.2 step 7 instead, which increments
/// snmpInASNParseErrs and drops the message without a Report. net-snmp's snmpd behaves the same.
fn wrong_privacy_key(flavor: Flavor) {
    let dir = TestDir::new("privfail");
    let aes = nms();
    let des = User::new("md5-des", "MD5", Some("DES"));
    let reeder = User::new("sha-aes256c", "SHA", Some("AES-256-C"));
    let config = Config::new(vec![aes.clone(), des.clone(), reeder.clone()]);
    let Some((snmp, agent)) = start(flavor, &dir, &config) else {
        return;
    };

    for (label, attacker) in [
        (
            "AES-128, wrong priv passphrase",
            aes.with_priv_password("not-the-priv-key"),
        ),
        (
            "DES, wrong priv passphrase",
            des.with_priv_password("not-the-priv-key"),
        ),
        // Right passphrase, wrong key extension: Blumenthal where Reeder is configured.
        (
            "AES-256-C user asked with AES-256",
            reeder.with_privacy("AES-256"),
        ),
    ] {
        let parse_errs = snmp.counter(&agent, &aes, SNMP_IN_ASN_PARSE_ERRS);
        let decrypt_errs = snmp.counter(&agent, &aes, USM_STATS_DECRYPTION_ERRORS);
        let out =
            snmp.query_unanswered("snmpget", &agent, &attacker, Level::AuthPriv, &[SYS_DESCR]);
        // Dropped without a Report (RFC 3412 §7.2 step 7).
        assert_no_data(&out, label, "Timeout: No Response from");
        assert_eq!(
            snmp.counter(&agent, &aes, SNMP_IN_ASN_PARSE_ERRS),
            parse_errs + 1,
            "{label}: snmpInASNParseErrs counts the undecipherable ScopedPDU"
        );
        assert_eq!(
            snmp.counter(&agent, &aes, USM_STATS_DECRYPTION_ERRORS),
            decrypt_errs,
            "{label}: usmStatsDecryptionErrors is for decryption that cannot run"
        );
    }
    // The right keys still work, for all three.
    for user in [&aes, &des, &reeder] {
        assert_eq!(
            snmp.get(&agent, user, &[SYS_DESCR])[0].value,
            config.description
        );
    }
}

against_both!(
    wrong_privacy_key,
    wrong_privacy_key_fails_and_is_counted,
    snmpd_wrong_privacy_key_fails_and_is_counted
);

// ---------------------------------------------------------------------------------------------
// Security level below the user's minimum
// ---------------------------------------------------------------------------------------------

fn below_min_security(flavor: Flavor) {
    let dir = TestDir::new("minsec");
    let strict = User::new("strict", "SHA-256", Some("AES-128")).min_security(Level::AuthPriv);
    let default = User::new("default", "SHA", Some("AES-128"));
    let open = User::new("open", "SHA", Some("AES-128")).min_security(Level::AuthNoPriv);
    let auth_only = User::new("authonly", "SHA-512", None);
    let config = Config::new(vec![
        strict.clone(),
        default.clone(),
        open.clone(),
        auth_only.clone(),
    ]);
    let Some((snmp, agent)) = start(flavor, &dir, &config) else {
        return;
    };

    let refused = |user: &User, level: Level, tool: &str, oids: &[&str]| {
        let out = snmp.query_unanswered(tool, &agent, user, level, oids);
        let label = format!("{tool} as {} at {level:?}", user.name);
        // snmpget exits non-zero on an error-status; snmpgetnext and snmpbulkget exit 0.
        if tool == "snmpget" {
            assert!(!out.success(), "{label} must fail\n{}", out.describe());
        }
        assert!(
            out.bindings().is_empty(),
            "{label}: no data\n{}",
            out.describe()
        );
        assert!(
            out.stderr.contains("authorizationError")
                || out.stderr.contains("Unsupported security level"),
            "{label}: authorizationError (RFC 3415 §3.2) or an unsupportedSecLevel Report\n{}",
            out.describe()
        );
    };
    // A user whose min_security is authPriv, explicit or by default, gets nothing at authNoPriv.
    refused(&strict, Level::AuthNoPriv, "snmpget", &[SYS_DESCR]);
    refused(&strict, Level::AuthNoPriv, "snmpgetnext", &[SYSTEM]);
    refused(&strict, Level::AuthNoPriv, "snmpbulkget", &[SYSTEM]);
    refused(&default, Level::AuthNoPriv, "snmpget", &[SYS_DESCR]);
    // Nobody gets anything unauthenticated.
    refused(&strict, Level::NoAuthNoPriv, "snmpget", &[SYS_DESCR]);
    refused(&auth_only, Level::NoAuthNoPriv, "snmpget", &[SYS_DESCR]);
    // A walk at the wrong level returns nothing either.
    let out = snmp.query_unanswered("snmpwalk", &agent, &strict, Level::AuthNoPriv, &[SYSTEM]);
    assert!(
        out.bindings().is_empty(),
        "walk below min_security\n{}",
        out.describe()
    );

    // At their levels all of them are served.
    for (user, level) in [
        (&strict, Level::AuthPriv),
        (&default, Level::AuthPriv),
        (&open, Level::AuthNoPriv),
        (&open, Level::AuthPriv),
        (&auth_only, Level::AuthNoPriv),
    ] {
        let out = snmp.query("snmpget", &agent, user, level, &[], &[SYS_DESCR]);
        assert!(
            out.success(),
            "{} at {level:?}\n{}",
            user.name,
            out.describe()
        );
        assert_eq!(
            out.bindings()[0].value,
            config.description,
            "{}",
            out.describe()
        );
    }
}

against_both!(
    below_min_security,
    below_min_security_gets_no_data,
    snmpd_below_min_security_gets_no_data
);

// ---------------------------------------------------------------------------------------------
// Answered during a flood (receive moderation; the DQI only: snmpd has no request budget)
// ---------------------------------------------------------------------------------------------

/// While a flood of malformed datagrams from another address (127.0.0.3, below the intake
/// ceiling) keeps the agent refusing, it reads in moderated batches; net-snmp's `snmpget`, with
/// a single try and a 1 s timeout (discovery, then the request), is answered every time, and
/// the agent's final log line counts the pauses.
#[test]
fn answered_during_a_flood_that_moderates_reading() {
    use std::net::UdpSocket;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
    use std::thread;
    use std::time::{Duration, Instant};

    let dir = TestDir::new("flood-netsnmp");
    let config = Config::new(vec![nms()]);
    let Some((snmp, mut agent)) = start(Flavor::Dqi, &dir, &config) else {
        return;
    };
    let addr = agent.addr_v4();
    let stop = Arc::new(AtomicBool::new(false));
    let sent = Arc::new(AtomicU64::new(0));
    let flood = {
        let (stop, sent) = (stop.clone(), sent.clone());
        thread::spawn(move || {
            let socket = UdpSocket::bind("127.0.0.3:0").expect("bind 127.0.0.3");
            // About 1,000 a second, bounded in time whatever happens to the test.
            let until = Instant::now() + Duration::from_secs(20);
            while !stop.load(Ordering::Relaxed) && Instant::now() < until {
                if socket.send_to(b"\x30\x03\x02\x01\x00", addr).is_ok() {
                    sent.fetch_add(1, Ordering::Relaxed);
                }
                thread::sleep(Duration::from_millis(1));
            }
        })
    };
    thread::sleep(Duration::from_millis(200));
    let user = nms();
    for i in 0..5 {
        let out = snmp.query_timed(
            "snmpget",
            &agent,
            &user,
            user.level(),
            (0, 1),
            &[],
            &[SYS_NAME],
        );
        assert!(
            out.success(),
            "request {i} during the flood\n{}",
            out.describe()
        );
        assert_eq!(out.bindings()[0].value, config.name, "{}", out.describe());
    }
    stop.store(true, Ordering::Relaxed);
    flood.join().expect("flood thread");
    assert!(sent.load(Ordering::Relaxed) > 100, "the flood ran");
    assert!(
        agent.terminate(Duration::from_secs(5)).is_some(),
        "agent stops"
    );
    let log = agent.stderr();
    let moderated: u64 = log
        .lines()
        .find(|l| l.contains("dqi-agent stopped"))
        .and_then(|l| {
            l.split_whitespace()
                .find_map(|w| w.strip_prefix("moderated="))
        })
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("no moderated= in the final log line:\n{log}"));
    assert!(
        moderated > 0,
        "reading was moderated during the flood:\n{log}"
    );
}
