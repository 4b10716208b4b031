//! The loopback demo: with no arguments the binary serves the example infusion pump
//! (`examples/infusion-pump/`, compiled in) on 127.0.0.1 and ::1 with one public demo user, and
//! prints how to query it.

use std::path::{Path, PathBuf};

use dqi_agent::config::{
    AgentSection, Config, ConfigFile, Secret, SystemSection, UserSection, Warning,
};
use dqi_agent::device::DeviceConfig;

pub(crate) const DEMO_USER: &str = "dqi-demo";
const DEMO_AUTH_PASSWORD: &str = "dqi-demo-auth";
const DEMO_PRIV_PASSWORD: &str = "dqi-demo-priv";
pub(crate) const DEMO_PORT: u16 = 1161;
/// `dqiProductDemoInfusionPump` (DQI-MIB dqiProducts 2): the sysObjectID only the demo serves.
const DEMO_OBJECT_ID: &str = "1.3.6.1.4.1.8072.9999.9999.374.3.2";

/// The demo device, compiled in so the binary alone shows a complete device. Written to the
/// demo's private directory at start and read back through the same loaders as any
/// configuration's files, so the demo exercises the real path (and SIGHUP re-reads them).
const DEMO_FILES: [(&str, &str); 4] = [
    (
        "device.toml",
        include_str!("../../examples/infusion-pump/device.toml"),
    ),
    (
        "sbom.cdx.json",
        include_str!("../../examples/infusion-pump/sbom.cdx.json"),
    ),
    (
        "firmware.spdx.json",
        include_str!("../../examples/infusion-pump/firmware.spdx.json"),
    ),
    (
        "vex.openvex.json",
        include_str!("../../examples/infusion-pump/vex.openvex.json"),
    ),
];

/// The demo's configuration: loopback only, a fresh private state directory, one documented
/// user, and the example infusion pump as the device, its files written into that directory.
pub(crate) fn demo_config(port: u16) -> Result<(Config, PathBuf), String> {
    let dir = std::env::temp_dir().join(format!("dqi-agent-demo-{}", std::process::id()));
    // A leftover from an earlier process with the same PID would hold a stale engine.
    let _ = std::fs::remove_dir_all(&dir);
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder
        .create(&dir)
        .map_err(|e| format!("{}: {e}", dir.display()))?;
    let device = write_demo_device(&dir)?;

    let mut listen = vec![format!("127.0.0.1:{port}")];
    // Hosts with IPv6 disabled still get the IPv4 demo.
    if std::net::UdpSocket::bind("[::1]:0").is_ok() {
        listen.push(format!("[::1]:{port}"));
    }
    let file = ConfigFile {
        agent: AgentSection {
            listen,
            state_dir: dir.clone(),
            engine_id: None,
            max_message_size: None,
            log_level: None,
            core_dumps: false,
        },
        system: SystemSection {
            // Replaced by the description built from the device identity; kept for the case
            // the identity is empty.
            description: "Acme InfuSafe IS-3000 infusion pump (fictional demo device)".to_string(),
            contact: "Clinical Engineering, ext. 4242 (demo)".to_string(),
            name: "infusafe-demo-01".to_string(),
            location: "Demo Ward, Bed 7".to_string(),
            object_id: Some(DEMO_OBJECT_ID.to_string()),
        },
        user: vec![UserSection {
            name: Some(DEMO_USER.to_string()),
            auth: Some("SHA-256".to_string()),
            auth_password: Some(Secret::new(DEMO_AUTH_PASSWORD)),
            auth_key: None,
            privacy: Some("AES-128".to_string()),
            priv_password: Some(Secret::new(DEMO_PRIV_PASSWORD)),
            priv_key: None,
            min_security: None,
            budget: None,
            budget_burst: None,
            view: None,
        }],
        device: Some(device),
        budget: None,
        agentx: None,
        view: Vec::new(),
        community: Vec::new(),
        notify: Vec::new(),
        notify_user: Vec::new(),
        notifications: None,
    };
    let (config, warnings) =
        Config::from_file(file, Path::new("<demo>")).map_err(|e| e.to_string())?;
    debug_assert!(
        warnings.is_empty(),
        "{:?}",
        warnings.iter().map(Warning::to_string).collect::<Vec<_>>()
    );
    Ok((config, dir))
}

/// Writes the compiled-in example device files into `dir` (owner-only) and returns the
/// `[device]` section naming them.
fn write_demo_device(dir: &Path) -> Result<DeviceConfig, String> {
    let mut paths = Vec::with_capacity(DEMO_FILES.len());
    for (name, text) in DEMO_FILES {
        let path = dir.join(name);
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let written = options
            .open(&path)
            .and_then(|mut f| std::io::Write::write_all(&mut f, text.as_bytes()));
        written.map_err(|e| format!("{}: {e}", path.display()))?;
        paths.push(path);
    }
    // The description first, then the SBOMs; VEX documents are told by name.
    let (vex, mut paths): (Vec<_>, Vec<_>) = paths
        .into_iter()
        .partition(|p| p.to_string_lossy().ends_with(".openvex.json"));
    let description = (!paths.is_empty()).then(|| paths.remove(0));
    Ok(DeviceConfig {
        description,
        sbom: paths,
        vex,
        ..DeviceConfig::default()
    })
}

/// Where the MIB files are, as the banner should spell it for net-snmp's `-M`: the source
/// tree's `mibs/` when the demo runs from a checkout, else the directory the Debian package
/// installs. None when neither holds DQI-MIB.
pub(crate) fn mib_dir() -> Option<String> {
    [("mibs", "mibs"), (INSTALLED_MIB_DIR, INSTALLED_MIB_DIR)]
        .into_iter()
        .find(|(dir, _)| Path::new(dir).join("DQI-MIB.txt").is_file())
        .map(|(_, spelled)| spelled.to_string())
}

/// Where the Debian package puts DQI-MIB and the IETF modules it imports (one directory, so
/// `-M` names it alone; see `mibs/README.md`).
pub(crate) const INSTALLED_MIB_DIR: &str = "/usr/share/snmp/mibs/dqi-agent";

/// The banner printed once the demo's sockets are bound: what it is, its credentials, and
/// commands that work as printed (the first needs no MIB files; the others need `mib_dir`).
pub(crate) fn banner(config: &Config, dir: &Path, mib_dir: Option<&str>) -> String {
    let listen: Vec<String> = config
        .agent
        .listen
        .iter()
        .map(ToString::to_string)
        .collect();
    let target = config
        .agent
        .listen
        .iter()
        .find(|a| a.is_ipv4())
        .or(config.agent.listen.first())
        .map_or_else(String::new, ToString::to_string);
    let user = format!(
        "-v3 -l authPriv -u {DEMO_USER} -a SHA-256 -A {DEMO_AUTH_PASSWORD} -x AES -X {DEMO_PRIV_PASSWORD}"
    );
    let named = match mib_dir {
        Some(mibs) => format!(
            "With names (the MIB files in {mibs}; net-snmp needs no others):
  snmpwalk {user} -M {mibs} -m ALL {target} DQI-MIB::dqiIdentity
  snmptable {user} -M {mibs} -m ALL -Cf '|' {target} DQI-MIB::dqiSwTable"
        ),
        None => "With names: add -M DIR -m ALL, DIR being mibs/ of the source tree (DQI-MIB and \
                 the IETF modules it imports)."
            .to_string(),
    };
    format!(
        "\
dqi-agent DEMO: a fictional infusion pump, on loopback only ({listen}).
Not a configured agent: run `dqi-agent --config FILE` for that.
The device (identity, configuration, services, SBOMs with log4j-core 2.14.1, the maker's VEX)
is the example in examples/infusion-pump/, copied to {dir};
edit the files there and send SIGHUP to re-read them.
State (engine ID, boots, software index) is kept there too and removed on exit.

Demo user:  {DEMO_USER}
  authentication  SHA-256, passphrase {DEMO_AUTH_PASSWORD}
  privacy         AES-128, passphrase {DEMO_PRIV_PASSWORD}

Try (the system group, numeric OIDs, no MIB files needed):
  snmpwalk {user} {target} 1.3.6.1.2.1.1
{named}

Stop with Ctrl-C.",
        listen = listen.join(", "),
        dir = dir.display(),
    )
}
