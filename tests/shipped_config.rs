//! The configurations the project ships pass `--check-config` as a user receives them:
//! `examples/agent.toml` (with the example device beside it), copied owner-only as its header
//! says.

mod common;

use std::path::Path;

use common::*;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// Copies the example configuration and the example device it names into `dir`, mode 0600.
fn install_example(dir: &TestDir) -> std::path::PathBuf {
    let device = dir.join("infusion-pump");
    std::fs::create_dir_all(&device).expect("create device dir");
    for entry in std::fs::read_dir(repo().join("examples/infusion-pump")).expect("read example") {
        let path = entry.expect("entry").path();
        let text = std::fs::read_to_string(&path).expect("read example file");
        let name = path
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        write_file(&device.join(name), &text, 0o600);
    }
    let config = dir.join("agent.toml");
    let text = std::fs::read_to_string(repo().join("examples/agent.toml")).expect("read example");
    write_file(&config, &text, 0o600);
    config
}

#[test]
fn example_config_passes_check_config() {
    let dir = TestDir::new("example-config");
    let config = install_example(&dir);
    let out = check_config(&config);
    assert!(out.success(), "{}", out.describe());
    assert!(
        out.stdout
            .contains("OK (2 listen address(es), 1 user(s), device with "),
        "{}",
        out.describe()
    );
    assert!(out.stdout.contains(", 0 warning(s))"), "{}", out.describe());
    assert!(out.stderr.trim().is_empty(), "{}", out.describe());
}

#[test]
fn example_config_is_refused_world_readable() {
    let dir = TestDir::new("example-config-mode");
    let config = install_example(&dir);
    std::fs::set_permissions(&config, std::os::unix::fs::PermissionsExt::from_mode(0o644))
        .expect("chmod");
    let out = check_config(&config);
    assert_eq!(out.code(), Some(2), "{}", out.describe());
    assert!(out.stderr.contains("chmod 600"), "{}", out.describe());
}
