//! `dqi-agent localize-key` (issue 13): the keys it prints are RFC 3414's and net-snmp's, it reads
//! passphrases from standard input only, and a configuration holding its output instead of
//! passphrases serves net-snmp's tools using those passphrases.

mod common;

use std::io::Write as _;
use std::process::{Command, Stdio};
use std::time::Duration;

use common::*;

/// The engine ID net-snmp 5.9.3's snmpd chose when the keys in `src/usm/keys.rs` and
/// `src/usm/privacy.rs` were taken from its `usmUser` lines (passphrase "maplesyrup").
const NET_SNMP_ENGINE: &str = "80001f8880ac01ae0a1046036b00000000";

/// Runs `localize-key` with `args`, `input` on its standard input.
fn localize(args: &[&str], input: &str) -> ProcessOutput {
    let mut child = Command::new(env!("CARGO_BIN_EXE_dqi-agent"))
        .arg("localize-key")
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn localize-key");
    let mut stdin = child.stdin.take().expect("stdin");
    // A refused command line exits before reading: the pipe may be closed.
    let _ = stdin.write_all(input.as_bytes());
    drop(stdin);
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    while child.try_wait().expect("wait").is_none() {
        assert!(std::time::Instant::now() < deadline, "localize-key hangs");
        std::thread::sleep(Duration::from_millis(10));
    }
    let out = child.wait_with_output().expect("output");
    ProcessOutput {
        command: format!("dqi-agent localize-key {}", args.join(" ")),
        status: out.status,
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// The value of `key = "..."` in the printed lines.
fn value(out: &ProcessOutput, key: &str) -> String {
    let prefix = format!("{key} = \"");
    out.stdout
        .lines()
        .find_map(|l| l.strip_prefix(&prefix)?.strip_suffix('"'))
        .unwrap_or_else(|| panic!("no {key}\n{}", out.describe()))
        .to_string()
}

#[test]
fn rfc3414_a3_vectors() {
    // RFC 3414 A.3.1 (MD5) and A.3.2 (SHA-1): "maplesyrup" localized to 00..02.
    let md5 = localize(
        &["--engine-id", "000000000000000000000002", "--auth", "MD5"],
        "maplesyrup\n",
    );
    assert!(md5.success(), "{}", md5.describe());
    assert_eq!(
        value(&md5, "auth_key"),
        "0x526f5eed9fcce26f8964c2930787d82b"
    );
    assert!(!md5.stdout.contains("priv_key"), "{}", md5.stdout);
    let sha = localize(
        &["--engine-id", "0x000000000000000000000002", "--auth", "sha"],
        "maplesyrup\n",
    );
    assert_eq!(
        value(&sha, "auth_key"),
        "0x6695febc9288e36282235fc7151f128497b38f3f"
    );
    assert_eq!(value(&sha, "auth"), "SHA");
}

#[test]
fn net_snmp_keys() {
    // Keys net-snmp 5.9.3 itself stored for "maplesyrup" under NET_SNMP_ENGINE.
    let cases = [
        (
            "SHA-256",
            "AES-128",
            "13e5255546c3dc77d97391cde25dfc71795b479b105ba37fb39667dfea9f723c",
            "13e5255546c3dc77d97391cde25dfc71",
        ),
        (
            "SHA",
            "AES-256",
            "e5f22132a3ff1a8ec2c51cae02e344c180f74cb6",
            "e5f22132a3ff1a8ec2c51cae02e344c180f74cb65e57c0e974ce99e02be227b2",
        ),
        (
            "MD5",
            "DES",
            "20cfd52f5c3d048048fa99c69d5a7a9c",
            "20cfd52f5c3d048048fa99c69d5a7a9c",
        ),
    ];
    for (auth, privacy, auth_key, priv_key) in cases {
        let out = localize(
            &[
                "--engine-id",
                NET_SNMP_ENGINE,
                "--auth",
                auth,
                "--privacy",
                privacy,
            ],
            "maplesyrup\nmaplesyrup\n",
        );
        assert!(out.success(), "{}", out.describe());
        assert_eq!(value(&out, "auth_key"), format!("0x{auth_key}"), "{auth}");
        assert_eq!(
            value(&out, "priv_key"),
            format!("0x{priv_key}"),
            "{privacy}"
        );
        assert_eq!(value(&out, "privacy"), privacy);
    }
}

#[test]
fn passphrases_only_from_stdin() {
    let args = ["--engine-id", NET_SNMP_ENGINE, "--auth", "SHA-256"];
    // No passphrase: a clear error, not a key of nothing.
    let empty = localize(&args, "");
    assert_eq!(empty.code(), Some(2), "{}", empty.describe());
    assert!(
        empty
            .stderr
            .contains("no authentication passphrase on standard input"),
        "{}",
        empty.describe()
    );
    assert!(empty.stdout.is_empty());
    // The privacy passphrase is the second line.
    let privacy = localize(
        &[
            "--engine-id",
            NET_SNMP_ENGINE,
            "--auth",
            "SHA-256",
            "--privacy",
            "AES",
        ],
        "long enough\n",
    );
    assert!(
        privacy
            .stderr
            .contains("no privacy passphrase on standard input"),
        "{}",
        privacy.describe()
    );
    let short = localize(&args, "short\n");
    assert!(
        short.stderr.contains("shorter than 8 characters"),
        "{}",
        short.describe()
    );
    // There is no option that takes a passphrase.
    let argv = localize(
        &[
            "--engine-id",
            NET_SNMP_ENGINE,
            "--auth",
            "SHA-256",
            "--auth-password",
            "maplesyrup",
        ],
        "maplesyrup\n",
    );
    assert_eq!(argv.code(), Some(2), "{}", argv.describe());
    assert!(!argv.stdout.contains("auth_key"), "{}", argv.describe());
}

#[test]
fn printed_keys_serve_net_snmp_with_the_passphrases() {
    let Some(snmp) = NetSnmp::new() else {
        return;
    };
    let engine = "80001f8804646169";
    let mut users = Vec::new();
    for (name, auth, privacy) in [
        ("keyed-sha256", "SHA-256", "AES-128"),
        ("keyed-sha1-aes256c", "SHA", "AES-256-C"),
        ("keyed-sha512", "SHA-512", "AES-256"),
    ] {
        let mut user = User::new(name, auth, Some(privacy));
        let out = localize(
            &["--engine-id", engine, "--auth", auth, "--privacy", privacy],
            &format!("{}\n{}\n", user.auth_password, user.priv_password),
        );
        assert!(out.success(), "{}", out.describe());
        user.key_lines = Some(out.stdout);
        users.push(user);
    }
    let mut config = Config::new(users.clone());
    config.engine_id = Some(engine.to_string());
    let dir = TestDir::new("localize-key");
    let agent = Agent::start(&dir, &config);
    let written = std::fs::read_to_string(&agent.config_path).expect("read config");
    assert!(
        !written.contains("_password"),
        "the config holds a passphrase:\n{written}"
    );
    for user in &users {
        let got = snmp.get(&agent, user, &["1.3.6.1.2.1.1.5.0"]);
        assert_eq!(got[0].value, config.name, "{}", user.name);
    }
}
