//! The engine across restarts, and the config file the binary refuses.
//!
//! RFC 3414 §2.2.2: snmpEngineBoots counts the (re)initialisations of the engine since its
//! snmpEngineID was last configured, and must increase on every start, or a manager's cached
//! boots/time would let old messages replay. The engine ID itself stays: managers have localized
//! keys for it. Both are read twice, from the discovery Report (RFC 3414 §4) and from the
//! SNMP-FRAMEWORK-MIB objects, with the `snmp2` client, so this file needs no external tool.
//!
//! The config checks use `--config` and `--check-config` and expect exit status 2 with a message
//! naming the file and the key.

mod common;

use std::ffi::OsStr;
use std::os::unix::process::ExitStatusExt;
use std::time::Duration;

use common::snmp2_client::*;
use common::*;

/// The engine ID and boots, from the discovery Report and from the MIB objects, which agree.
fn engine(agent: &Agent, user: &User) -> (Vec<u8>, i64) {
    let discovery = agent.discover();
    assert_eq!(
        discovery.report_oid, USM_STATS_UNKNOWN_ENGINE_IDS,
        "{discovery:?}"
    );
    let mut session = session(agent, user, None).expect("discovery with snmp2");
    let response = get(&mut session, &[SNMP_ENGINE_ID, SNMP_ENGINE_BOOTS]).expect("GET engine");
    assert_eq!(response.error_status, 0, "{response:?}");
    assert_eq!(
        response.bindings[0].1,
        Owned::Bytes(discovery.engine_id.clone()),
        "snmpEngineID.0 is the engine ID discovery reports"
    );
    assert_eq!(
        response.bindings[1].1,
        Owned::Integer(discovery.boots),
        "snmpEngineBoots.0 is the boots discovery reports"
    );
    (discovery.engine_id, discovery.boots)
}

fn restart(flavor: Flavor) {
    let dir = TestDir::new("restart");
    let user = User::new("nms", "SHA-256", Some("AES-128"));
    let config = Config::new(vec![user.clone()]);

    let mut first = Agent::start_flavor(flavor, &dir, &config);
    let (engine_id, boots) = engine(&first, &user);
    assert!(boots >= 1, "snmpEngineBoots starts at 1 or more: {boots}");
    assert!(
        (5..=32).contains(&engine_id.len()),
        "RFC 3411: 5 to 32 octets: {}",
        hex(&engine_id)
    );
    // SIGTERM is a graceful shutdown: the process exits by itself, promptly.
    let status = first.terminate(Duration::from_secs(5));
    let status = status.expect("the agent exits within 5 s of SIGTERM");
    assert!(
        status.signal().is_none(),
        "graceful shutdown on SIGTERM, not death by the signal: {}",
        describe_status(&status)
    );
    drop(first);

    let mut second = Agent::start_flavor(flavor, &dir, &config);
    let (engine_id_2, boots_2) = engine(&second, &user);
    assert_eq!(
        hex(&engine_id_2),
        hex(&engine_id),
        "the engine ID persists in state_dir"
    );
    assert_eq!(
        boots_2,
        boots + 1,
        "snmpEngineBoots increments on every start"
    );

    if flavor == Flavor::Dqi {
        // Boots are written before the socket opens, so even a killed agent has counted.
        second.kill();
        let third = Agent::start_flavor(flavor, &dir, &config);
        let (engine_id_3, boots_3) = engine(&third, &user);
        assert_eq!(hex(&engine_id_3), hex(&engine_id));
        assert_eq!(
            boots_3,
            boots + 2,
            "a start after SIGKILL increments boots too"
        );
    }
}

against_both!(
    |flavor| on_big_stack(restart, flavor),
    restart_increments_boots_and_keeps_engine_id,
    snmpd_restart_increments_boots_and_keeps_engine_id
);

fn configured_engine_id(flavor: Flavor) {
    let dir = TestDir::new("engine-id");
    let user = User::new("nms", "SHA", Some("AES-128"));
    let mut config = Config::new(vec![user.clone()]);
    // RFC 3411 format: enterprise 8072 with the high bit, format 4 (text), "dqi-test".
    let engine_id = "80001f8804".to_string() + &hex(b"dqi-test");
    config.engine_id = Some(engine_id.clone());
    let agent = Agent::start_flavor(flavor, &dir, &config);
    let (reported, _) = engine(&agent, &user);
    assert_eq!(
        hex(&reported),
        engine_id,
        "engine_id from the config is used"
    );
}

against_both!(
    |flavor| on_big_stack(configured_engine_id, flavor),
    engine_id_from_config_is_used,
    snmpd_engine_id_from_config_is_used
);

// ---------------------------------------------------------------------------------------------
// Config files the binary refuses
// ---------------------------------------------------------------------------------------------

/// A valid config for these checks. The port is ephemeral; a check that wrongly starts serving
/// is killed by [`run_agent_binary`]'s deadline and fails.
fn valid_toml(dir: &TestDir) -> String {
    let config = Config::new(vec![User::new("nms", "SHA-256", Some("AES-128"))]);
    config.to_toml(free_udp_port([127, 0, 0, 1].into()), &dir.join("state"))
}

/// Writes `toml` to a file named `name` with `mode`, runs `args` + the file, and returns the
/// output.
fn run_with_config(dir: &TestDir, name: &str, toml: &str, mode: u32, flag: &str) -> ProcessOutput {
    let path = dir.join(name);
    write_file(&path, toml, mode);
    run_agent_binary(&[OsStr::new(flag), path.as_os_str()])
}

/// Asserts exit status 2 and a message naming the file and every one of `words`.
fn assert_refused(out: &ProcessOutput, file: &str, words: &[&str]) {
    assert_eq!(
        out.code(),
        Some(2),
        "a bad config exits with status 2\n{}",
        out.describe()
    );
    let all = format!("{}{}", out.stderr, out.stdout);
    assert!(
        all.contains(file),
        "the message names the file {file}\n{}",
        out.describe()
    );
    for word in words {
        assert!(
            all.contains(word),
            "the message names {word}\n{}",
            out.describe()
        );
    }
}

#[test]
fn check_config_accepts_a_good_config() {
    let dir = TestDir::new("check-good");
    let out = run_with_config(
        &dir,
        "good.toml",
        &valid_toml(&dir),
        0o600,
        "--check-config",
    );
    assert!(
        out.success(),
        "--check-config on a good config exits 0\n{}",
        out.describe()
    );
}

#[test]
fn world_readable_config_is_refused() {
    let dir = TestDir::new("perms");
    for (name, mode) in [
        ("world-readable.toml", 0o644),
        ("other-readable.toml", 0o604),
    ] {
        let out = run_with_config(&dir, name, &valid_toml(&dir), mode, "--config");
        assert_refused(&out, name, &[]);
        let out = run_with_config(&dir, name, &valid_toml(&dir), mode, "--check-config");
        assert_refused(&out, name, &[]);
    }
}

#[test]
fn unknown_key_is_refused() {
    let dir = TestDir::new("unknown-key");
    let toml = valid_toml(&dir).replace("[system]\n", "[system]\nfavourite_colour = \"teal\"\n");
    let out = run_with_config(&dir, "unknown-key.toml", &toml, 0o600, "--config");
    assert_refused(&out, "unknown-key.toml", &["favourite_colour"]);
    let out = run_with_config(&dir, "unknown-key.toml", &toml, 0o600, "--check-config");
    assert_refused(&out, "unknown-key.toml", &["favourite_colour"]);

    let toml = valid_toml(&dir).replace("[[user]]\n", "[[user]]\nauth_passwd = \"typo-typo\"\n");
    let out = run_with_config(&dir, "user-typo.toml", &toml, 0o600, "--check-config");
    assert_refused(&out, "user-typo.toml", &["auth_passwd"]);
}

#[test]
fn short_passphrases_are_refused() {
    let dir = TestDir::new("short-pass");
    let good = valid_toml(&dir);
    let toml = good.replace(
        "auth_password = \"nms-auth-pass\"",
        "auth_password = \"seven77\"",
    );
    assert_ne!(toml, good, "the replacement applied");
    let out = run_with_config(&dir, "short-auth.toml", &toml, 0o600, "--check-config");
    assert_refused(&out, "short-auth.toml", &["auth_password"]);

    let toml = good.replace(
        "priv_password = \"nms-priv-pass\"",
        "priv_password = \"seven77\"",
    );
    assert_ne!(toml, good, "the replacement applied");
    let out = run_with_config(&dir, "short-priv.toml", &toml, 0o600, "--config");
    assert_refused(&out, "short-priv.toml", &["priv_password"]);

    // Eight characters is enough (RFC 3414 §11.2).
    let toml = good.replace(
        "auth_password = \"nms-auth-pass\"",
        "auth_password = \"eight888\"",
    );
    let out = run_with_config(&dir, "eight.toml", &toml, 0o600, "--check-config");
    assert!(
        out.success(),
        "an 8-character passphrase is accepted\n{}",
        out.describe()
    );
}

#[test]
fn other_bad_values_are_refused() {
    let dir = TestDir::new("bad-values");
    let good = valid_toml(&dir);
    for (name, from, to, key) in [
        (
            "bad-auth.toml",
            "auth = \"SHA-256\"",
            "auth = \"SHA-3\"",
            "auth",
        ),
        (
            "bad-priv.toml",
            "privacy = \"AES-128\"",
            "privacy = \"ROT13\"",
            "privacy",
        ),
        (
            "bad-listen.toml",
            "listen = [",
            "listen = [\"not-an-address\", ",
            "listen",
        ),
    ] {
        let toml = good.replace(from, to);
        assert_ne!(toml, good, "{name}: the replacement applied");
        let out = run_with_config(&dir, name, &toml, 0o600, "--check-config");
        assert_refused(&out, name, &[key]);
    }
    // A config that is not TOML at all.
    let out = run_with_config(&dir, "garbage.toml", "[agent\nlisten = ", 0o600, "--config");
    assert_refused(&out, "garbage.toml", &[]);
    // A file that does not exist.
    let missing = dir.join("missing.toml");
    let out = run_agent_binary(&[OsStr::new("--config"), missing.as_os_str()]);
    assert_refused(&out, "missing.toml", &[]);
}
