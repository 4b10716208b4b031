//! What a new operator sees when a configuration is wrong (issue 13's rough edges): each
//! refusal names the configuration file and the key, in the README's words, through the real
//! binary's `--check-config` (and `--config` where start-up is what fails).

mod common;

use std::path::PathBuf;

use common::*;

/// A configuration in `dir` with `extra` appended: one user, one loopback address, the state
/// directory inside `dir`.
fn config(dir: &TestDir, extra: &str) -> PathBuf {
    let path = dir.join("agent.toml");
    let text = format!(
        "[agent]\nlisten = [\"127.0.0.1:{port}\"]\nstate_dir = {state}\n\n\
         [system]\ndescription = \"operator errors\"\n\n\
         [[user]]\nname = \"nms\"\nauth = \"SHA-256\"\nauth_password = \"operator-auth-pass\"\n\
         {extra}",
        port = free_udp_port(std::net::Ipv4Addr::LOCALHOST.into()),
        state = toml_str(&dir.join("state").display().to_string()),
    );
    write_file(&path, &text, 0o600);
    path
}

fn check(path: &std::path::Path) -> ProcessOutput {
    run_agent_binary(&["--check-config".as_ref(), path.as_os_str()])
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
    let line = refused(&check(&path));
    assert!(
        line.starts_with(&format!(
            "dqi-agent: {}: device.sbom[0]: {}: ",
            path.display(),
            dir.join("dev/sbom.cdx.jsn").display()
        )),
        "{line}"
    );
    assert!(line.contains("No such file or directory"), "{line}");
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
        refused(&check(&path)),
        format!(
            "dqi-agent: {}: device.sbom[0]: {}: at `$`: neither a CycloneDX SBOM (no \
             `bomFormat`) nor an SPDX SBOM (no `spdxVersion`)",
            path.display(),
            dir.join("other.json").display()
        )
    );
    let path = config(&dir, "\n[device]\nsbom = [\"vex.json\"]\n");
    let line = refused(&check(&path));
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
