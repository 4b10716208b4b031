//! The Debian package's parts, checked without building or installing it (no root, no
//! cargo-deb): `[package.metadata.deb]` in Cargo.toml names files that exist and puts them where
//! the unit, the man page and the banner say; the shipped configuration refuses to run until its
//! passphrases are filled in and passes `--check-config` once they are; the systemd unit has the
//! privileges and sandbox the issue asks for and, where `systemd-analyze` is installed, verifies;
//! the binary tells systemd it is ready (`Type=notify`) only once its sockets are bound.
//!
//! `.ci/package` builds the real package, verifies the unit and installs it with `dpkg -i`.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::net::{Ipv4Addr, SocketAddr, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::*;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn read(path: &str) -> String {
    std::fs::read_to_string(repo().join(path)).unwrap_or_else(|e| panic!("read {path}: {e}"))
}

/// `[package.metadata.deb]`'s assets: (source, target, mode).
fn assets() -> Vec<(String, String, String)> {
    let manifest: toml::Table = toml::from_str(&read("Cargo.toml")).expect("Cargo.toml parses");
    let deb = &manifest["package"]["metadata"]["deb"];
    deb["assets"]
        .as_array()
        .expect("assets is a list")
        .iter()
        .map(|asset| {
            let parts: Vec<String> = asset
                .as_array()
                .expect("an asset is [source, target, mode]")
                .iter()
                .map(|p| p.as_str().expect("asset strings").to_string())
                .collect();
            assert_eq!(parts.len(), 3, "{parts:?}");
            (parts[0].clone(), parts[1].clone(), parts[2].clone())
        })
        .collect()
}

/// Where asset `source` is installed (a target ending in `/` is a directory).
fn installed(source: &str) -> String {
    let (_, target, _) = assets()
        .into_iter()
        .find(|(s, _, _)| s == source)
        .unwrap_or_else(|| panic!("{source} is not packaged"));
    let file = Path::new(source).file_name().expect("file name");
    let target = if target.ends_with('/') {
        format!("{target}{}", file.to_string_lossy())
    } else {
        target
    };
    format!("/{target}")
}

/// The unit's `[Service]` and `[Unit]` keys, each with every value it is given.
fn unit() -> BTreeMap<String, Vec<String>> {
    let mut keys: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for line in read("debian/dqi-agent.service").lines() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with('[') {
            continue;
        }
        let (key, value) = line
            .split_once('=')
            .unwrap_or_else(|| panic!("not key=value: {line}"));
        keys.entry(key.to_string())
            .or_default()
            .push(value.to_string());
    }
    keys
}

fn one<'a>(unit: &'a BTreeMap<String, Vec<String>>, key: &str) -> &'a str {
    match unit.get(key).map(Vec::as_slice) {
        Some([value]) => value,
        other => panic!("{key}: expected one value, got {other:?}"),
    }
}

/// The shipped configuration with the operator's two passphrases filled in, as `.ci/package`
/// does with `sed`.
fn filled_in(text: &str) -> String {
    let filled = text
        .replace(
            "auth_password = \"\"",
            "auth_password = \"an operator's auth passphrase\"",
        )
        .replace(
            "priv_password = \"\"",
            "priv_password = \"an operator's priv passphrase\"",
        );
    assert_ne!(filled, text, "the shipped config has no empty passphrases");
    filled
}

#[test]
fn every_asset_exists_and_the_pieces_agree() {
    let assets = assets();
    for (source, target, mode) in &assets {
        assert!(
            !target.starts_with('/'),
            "{target}: relative to / in cargo-deb"
        );
        assert!(
            ["644", "755", "600"].contains(&mode.as_str()),
            "{source}: mode {mode}"
        );
        if source.starts_with("target/") {
            continue;
        }
        if let Some(prefix) = source.strip_suffix("*.txt") {
            let count = std::fs::read_dir(repo().join(prefix))
                .expect("glob directory")
                .filter(|e| {
                    e.as_ref()
                        .is_ok_and(|e| e.path().extension().is_some_and(|x| x == "txt"))
                })
                .count();
            assert!(count > 10, "{source} matches {count} files");
        } else {
            assert!(repo().join(source).is_file(), "{source} does not exist");
        }
    }
    // The binary, from `cargo deb --profile dist` (cargo-deb maps target/release there).
    assert_eq!(installed("target/release/dqi-agent"), "/usr/bin/dqi-agent");
    // The configuration: owner-only, where the unit and the man page look.
    let config = assets
        .iter()
        .find(|(s, _, _)| s == "debian/agent.toml")
        .expect("the default configuration is packaged");
    assert_eq!(config.1, "etc/dqi-agent/agent.toml");
    assert_eq!(config.2, "600", "it holds passphrases");
    // Every generated man page is packaged.
    for page in std::fs::read_dir(repo().join("docs/man")).expect("docs/man") {
        let name = page
            .expect("entry")
            .file_name()
            .to_string_lossy()
            .into_owned();
        assert_eq!(
            installed(&format!("docs/man/{name}")),
            format!("/usr/share/man/man1/{name}")
        );
    }
    // The MIBs where the demo's banner and the man page send net-snmp (`-M`).
    let mibs = assets
        .iter()
        .find(|(s, _, _)| s == "mibs/*.txt")
        .expect("the MIBs are packaged");
    assert_eq!(mibs.1, "usr/share/snmp/mibs/dqi-agent/");
    assert!(read("src/cli/demo.rs").contains("\"/usr/share/snmp/mibs/dqi-agent\""));
    assert!(read("src/cli/help.rs").contains("/usr/share/snmp/mibs/dqi-agent "));

    let unit = unit();
    assert_eq!(
        one(&unit, "ExecStart"),
        format!(
            "/usr/bin/dqi-agent --config {}",
            installed("debian/agent.toml")
        )
    );
    // The shipped state_dir is the unit's StateDirectory=, which systemd makes for the user.
    let shipped: toml::Table = toml::from_str(&read("debian/agent.toml")).expect("parses");
    assert_eq!(
        shipped["agent"]["state_dir"].as_str(),
        Some(format!("/var/lib/{}", one(&unit, "StateDirectory")).as_str())
    );
    // The service's user is the one sysusers.d makes.
    let sysusers = read("debian/dqi-agent.sysusers");
    let user_line = sysusers
        .lines()
        .find(|l| l.starts_with("u "))
        .expect("a u line");
    assert_eq!(
        user_line.split_whitespace().nth(1),
        Some(one(&unit, "User"))
    );
    // The postinst hands the configuration to that user, and keeps the debhelper token.
    let postinst = read("debian/postinst");
    assert!(postinst.contains("#DEBHELPER#"), "{postinst}");
    assert!(
        postinst.contains("chown dqi-agent:dqi-agent /etc/dqi-agent/agent.toml"),
        "{postinst}"
    );
}

#[test]
fn unit_grants_port_161_and_sandboxes_the_rest() {
    let unit = unit();
    for (key, want) in [
        ("Type", "notify"),
        ("User", "dqi-agent"),
        ("Group", "dqi-agent"),
        ("StateDirectory", "dqi-agent"),
        ("StateDirectoryMode", "0700"),
        ("AmbientCapabilities", "CAP_NET_BIND_SERVICE"),
        ("CapabilityBoundingSet", "CAP_NET_BIND_SERVICE"),
        ("NoNewPrivileges", "yes"),
        ("ProtectSystem", "strict"),
        ("ProtectHome", "yes"),
        ("PrivateTmp", "yes"),
        ("PrivateDevices", "yes"),
        ("RestrictAddressFamilies", "AF_INET AF_INET6 AF_UNIX"),
        ("ExecReload", "/bin/kill -HUP $MAINPID"),
        ("RestartPreventExitStatus", "2"),
        ("LimitCORE", "0"),
    ] {
        assert_eq!(one(&unit, key), want, "{key}");
    }
    let memory = one(&unit, "MemoryMax");
    let mebibytes: u64 = memory
        .strip_suffix('M')
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("MemoryMax={memory}: expected a size in M"));
    assert!((16..=512).contains(&mebibytes), "MemoryMax={memory}");
}

#[test]
fn shipped_config_refuses_to_run_until_the_passphrases_are_filled_in() {
    let dir = TestDir::new("shipped-default-config");
    let config = dir.join("agent.toml");
    let shipped = read("debian/agent.toml");

    write_file(&config, &shipped, 0o600);
    let out = check_config(&config);
    assert_eq!(out.code(), Some(2), "{}", out.describe());
    assert!(
        out.stderr.contains("user[0].auth_password"),
        "names the key to fill in: {}",
        out.describe()
    );

    write_file(&config, &filled_in(&shipped), 0o600);
    let out = check_config(&config);
    assert!(out.success(), "{}", out.describe());
    assert!(
        out.stdout
            .contains("OK (2 listen address(es), 1 user(s), no [device], 0 warning(s))"),
        "{}",
        out.describe()
    );
    assert!(out.stderr.trim().is_empty(), "{}", out.describe());
}

/// `systemd-analyze verify` on the unit as packaged, but for the binary's path (this build's,
/// since /usr/bin/dqi-agent is only there once the package is installed).
#[test]
fn systemd_analyze_verifies_the_unit() {
    if !require_programs(&["systemd-analyze"], "systemd") {
        return;
    }
    let dir = TestDir::new("unit-verify");
    let unit = read("debian/dqi-agent.service").replace(
        "ExecStart=/usr/bin/dqi-agent",
        &format!("ExecStart={}", env!("CARGO_BIN_EXE_dqi-agent")),
    );
    let path = dir.join("dqi-agent.service");
    write_file(&path, &unit, 0o644);
    let out = run_with_deadline(
        Command::new("systemd-analyze")
            .args(["verify", "--man=no"])
            .arg(&path),
        Duration::from_secs(60),
    );
    assert!(out.success(), "{}", out.describe());
    // verify reports problems on stderr without failing for some of them; a clean unit has none
    // about itself.
    let own: Vec<&str> = out
        .stderr
        .lines()
        .filter(|l| l.contains("dqi-agent.service"))
        .collect();
    assert!(own.is_empty(), "{}", out.describe());
}

/// With `$NOTIFY_SOCKET` set, as systemd sets it for `Type=notify`, the agent sends `READY=1`
/// once its sockets are bound (the port is taken when it arrives), then `STOPPING=1` on SIGTERM.
#[test]
fn ready_is_notified_once_the_sockets_are_bound() {
    let dir = TestDir::new("sd-notify");
    let socket_path = dir.join("notify");
    let systemd = UnixDatagram::bind(&socket_path).expect("bind the fake systemd socket");
    systemd
        .set_read_timeout(Some(START_TIMEOUT))
        .expect("timeout");
    let port = free_udp_port(Ipv4Addr::LOCALHOST.into());
    let mut child = demo_command(port)
        .env("NOTIFY_SOCKET", &socket_path)
        .spawn()
        .expect("spawn the demo");
    let stdout = child.stdout.take().expect("stdout");
    let mut buf = [0u8; 512];
    let ready = systemd.recv(&mut buf).map(|n| buf[..n].to_vec());
    let port_taken = UdpSocket::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).is_err();
    // The banner, printed in the same place, comes after the bind too.
    let first_line = BufReader::new(stdout).lines().next();
    let _ = Command::new("kill").arg(child.id().to_string()).status();
    let stopping = systemd.recv(&mut buf).map(|n| buf[..n].to_vec());
    let status = wait_with_deadline(&mut child, Duration::from_secs(10));
    if status.is_none() {
        let _ = child.kill();
        let _ = child.wait();
    }
    assert_eq!(ready.expect("READY=1 within the start timeout"), b"READY=1");
    assert!(port_taken, "READY=1 came before port {port} was bound");
    assert!(
        first_line.is_some_and(|l| l.is_ok_and(|l| l.starts_with("dqi-agent DEMO"))),
        "the banner"
    );
    assert_eq!(stopping.expect("STOPPING=1 on SIGTERM"), b"STOPPING=1");
    assert!(status.is_some_and(|s| s.success()), "{status:?}");
}

/// The way `.ci/package` fills the shipped configuration into; kept in step with `filled_in`.
#[test]
fn ci_fills_in_the_passphrases_the_same_way() {
    let script = read(".ci/package");
    for key in ["auth_password", "priv_password"] {
        assert!(
            script.contains(&format!("s/^{key} = \"\"/{key} = ")),
            ".ci/package fills {key}:\n{script}"
        );
    }
}
