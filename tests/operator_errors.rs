//! What a new operator sees when a configuration is wrong (issue 13's rough edges): each
//! refusal names the configuration file and the key, in the README's words, through the real
//! binary's `--check-config` (and `--config` where start-up is what fails).

mod common;

use std::path::PathBuf;

use common::*;

/// `agent.toml` in `dir` with `extra` appended: one authNoPriv user, one loopback address, the
/// state directory inside `dir`.
fn config(dir: &TestDir, extra: &str) -> PathBuf {
    Config::new(vec![User::new("nms", "SHA-256", None)])
        .with_section(extra)
        .write_unstarted(dir, "agent.toml")
}

/// The one line the refusal prints, asserted whole up to the OS's own wording.
fn refused(out: &ProcessOutput) -> String {
    assert_eq!(out.code(), Some(2), "{}", out.describe());
    assert!(out.stdout.is_empty(), "{}", out.describe());
    out.stderr.trim_end().to_string()
}

#[test]
fn a_missing_sbom_names_the_config_file_the_key_and_the_file() {
    let dir = TestDir::new("missing-sbom");
    let path = config(&dir, "\n[device]\nsbom = [\"dev/sbom.cdx.jsn\"]\n");
    let line = refused(&check_config(&path));
    assert!(
        line.starts_with(&format!(
            "dqi-agent: {}: device.sbom[0]: {}: ",
            path.display(),
            dir.join("dev/sbom.cdx.jsn").display()
        )),
        "{line}"
    );
    assert!(line.contains("No such file or directory"), "{line}");
    // Starting with it says the same: the configuration file first, then the key and its file.
    let out = run_agent_binary(&["--config".as_ref(), path.as_os_str()]);
    assert_eq!(out.code(), Some(2), "{}", out.describe());
    assert!(
        out.stderr.contains(&format!(
            "{}: device.sbom[0]: {}: No such file or directory",
            path.display(),
            dir.join("dev/sbom.cdx.jsn").display()
        )),
        "{}",
        out.describe()
    );
}

#[test]
fn a_json_file_that_is_no_sbom_says_so() {
    let dir = TestDir::new("not-an-sbom");
    write_file(&dir.join("other.json"), "{\"hello\": 1}", 0o600);
    write_file(
        &dir.join("vex.json"),
        "{\"@context\": \"https://openvex.dev/ns/v0.2.0\", \"statements\": []}",
        0o600,
    );
    let path = config(&dir, "\n[device]\nsbom = [\"other.json\"]\n");
    assert_eq!(
        refused(&check_config(&path)),
        format!(
            "dqi-agent: {}: device.sbom[0]: {}: at `$`: neither a CycloneDX SBOM (no \
             `bomFormat`) nor an SPDX SBOM (no `spdxVersion`)",
            path.display(),
            dir.join("other.json").display()
        )
    );
    let path = config(&dir, "\n[device]\nsbom = [\"vex.json\"]\n");
    let line = refused(&check_config(&path));
    assert!(
        line.ends_with("it looks like an OpenVEX document: list it under device.vex"),
        "{line}"
    );
}

#[test]
fn a_file_as_state_dir_is_named_at_start_up() {
    let dir = TestDir::new("state-file");
    let path = config(&dir, "");
    write_file(&dir.join("state"), "not a directory", 0o600);
    let out = run_agent_binary(&["--config".as_ref(), path.as_os_str()]);
    assert_eq!(out.code(), Some(1), "{}", out.describe());
    assert!(
        out.stderr.contains(&format!(
            "{}: agent.state_dir is a regular file, not a directory",
            dir.join("state").display()
        )),
        "{}",
        out.describe()
    );
}

#[test]
fn an_unknown_log_level_is_refused_with_the_valid_ones() {
    let dir = TestDir::new("log-level");
    for word in ["warning", "verbose"] {
        let path = config(&dir, "");
        let text = std::fs::read_to_string(&path)
            .expect("read")
            .replace("[system]", &format!("log_level = \"{word}\"\n\n[system]"));
        write_file(&path, &text, 0o600);
        assert_eq!(
            refused(&check_config(&path)),
            format!(
                "dqi-agent: {}: agent.log_level: \"{word}\" is not a log level: use one of \
                 error, warn, info, debug, trace, off, or a filter such as dqi_agent=debug",
                path.display()
            )
        );
    }
}

#[test]
fn type_errors_and_missing_keys_name_the_key() {
    let dir = TestDir::new("type-errors");
    let path = config(&dir, "");
    let base = std::fs::read_to_string(&path).expect("read");
    let cases = [
        (
            base.replacen("listen = [", "listen = \"127.0.0.1:1162\"\n#", 1),
            "agent.listen: expected a list in brackets, such as [\"0.0.0.0:161\"], found the \
             string \"127.0.0.1:1162\"",
        ),
        (
            format!("{base}\n[device]\nrefresh_seconds = \"300\"\n"),
            "device.refresh_seconds: expected a whole number, without quotes, found the string \
             \"300\"",
        ),
    ];
    for (text, wanted) in cases {
        write_file(&path, &text, 0o600);
        let line = refused(&check_config(&path));
        assert!(line.ends_with(wanted), "{line}");
        assert!(
            line.starts_with(&format!("dqi-agent: {}:", path.display())),
            "{line}"
        );
    }
    let no_state_dir: String = base
        .lines()
        .filter(|l| !l.starts_with("state_dir"))
        .map(|l| format!("{l}\n"))
        .collect();
    write_file(&path, &no_state_dir, 0o600);
    assert_eq!(
        refused(&check_config(&path)),
        format!(
            "dqi-agent: {}: agent.state_dir: missing: this key is required",
            path.display()
        )
    );
}

#[test]
fn min_security_is_case_insensitive_like_the_protocols() {
    let dir = TestDir::new("min-security");
    let user = User {
        key_lines: Some(
            "auth = \"sha-256\"\nauth_password = \"operator-auth-pass\"\n\
             privacy = \"aes-128\"\npriv_password = \"operator-priv-pass\"\n\
             min_security = \"authpriv\""
                .into(),
        ),
        ..User::new("nms", "SHA-256", None)
    };
    let path = Config::new(vec![user]).write_unstarted(&dir, "agent.toml");
    let out = check_config(&path);
    assert!(out.success(), "{}", out.describe());
}

/// Run from another directory, a relative `state_dir` is made beside the configuration file.
#[test]
fn a_relative_state_dir_is_beside_the_config_file() {
    let dir = TestDir::new("relative-state");
    let elsewhere = TestDir::new("relative-state-cwd");
    let path = config(&dir, "");
    let text = std::fs::read_to_string(&path).expect("read");
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("state_dir") {
                "state_dir = \"state-rel\"\n".to_string()
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    write_file(&path, &text, 0o600);
    let mut child = agent_command(&path)
        .current_dir(elsewhere.path())
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("spawn the agent");
    let engine = dir.join("state-rel/engine");
    let deadline = std::time::Instant::now() + START_TIMEOUT;
    while !engine.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = std::process::Command::new("kill")
        .arg(child.id().to_string())
        .status();
    if wait_with_deadline(&mut child, std::time::Duration::from_secs(10)).is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert!(engine.exists(), "no {}", engine.display());
    assert!(
        !elsewhere.join("state-rel").exists(),
        "made in the working directory"
    );
}

/// A start that cannot bind counts no boot (the boot is counted once the sockets are bound, see
/// `State::prepare`), and the busy port's message says what usually holds it.
#[test]
fn a_busy_port_counts_no_boot_and_says_why() {
    let dir = TestDir::new("busy-port");
    let path = config(&dir, "");
    let text = std::fs::read_to_string(&path).expect("read");
    let taken = std::net::UdpSocket::bind("127.0.0.1:0").expect("bind");
    let port = taken.local_addr().expect("addr").port();
    let text: String = text
        .lines()
        .map(|l| {
            if l.starts_with("listen") {
                format!("listen = [\"127.0.0.1:{port}\"]\n")
            } else {
                format!("{l}\n")
            }
        })
        .collect();
    write_file(&path, &text, 0o600);
    for _ in 0..2 {
        let out = run_agent_binary(&["--config".as_ref(), path.as_os_str()]);
        assert_eq!(out.code(), Some(1), "{}", out.describe());
        assert!(
            out.stderr.contains(&format!(
                "cannot listen on 127.0.0.1:{port}: Address already in use (os error 98); \
                 another process holds this port"
            )),
            "{}",
            out.describe()
        );
    }
    assert!(
        !dir.join("state/engine").exists(),
        "a start that served nothing wrote snmpEngineBoots"
    );
    drop(taken);
}
