//! The `dqi-agent` binary: runs an agent from a config file, checks a config file, or, with no
//! arguments, runs a loopback-only demo serving the example infusion pump
//! (`examples/infusion-pump/`, compiled in).
//!
//! Exit status: 0 after a clean shutdown or a good `--check-config`; 2 for a bad configuration
//! or command line; 1 when the agent cannot start (state directory, listen address) or fails.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use dqi_agent::config::{
    AgentSection, Config, ConfigFile, Secret, SystemSection, UserSection, Warning,
};
use dqi_agent::device::{DeviceConfig, DeviceSource, FileSource};
use dqi_agent::server;

/// Device Query Interface: a read-only SNMPv3 agent (USM) for medical devices.
///
/// With no arguments, runs a loopback-only demo on port 1161 and prints how to query it.
#[derive(Debug, Parser)]
#[command(name = "dqi-agent", version)]
struct Cli {
    /// Run the agent configured by FILE (TOML; see the README's configuration reference).
    #[arg(long, value_name = "FILE", conflicts_with = "check_config")]
    config: Option<PathBuf>,

    /// Validate FILE and exit: parse, check every key, localize the keys. Opens no socket and
    /// leaves the state directory alone.
    #[arg(long, value_name = "FILE")]
    check_config: Option<PathBuf>,
}

/// The engine ID `--check-config` localizes keys to when the file sets none (RFC 3411 format 4,
/// text "check"): localization is what is checked, not the resulting keys.
const CHECK_ENGINE_ID: &[u8] = &[0x80, 0x00, 0x1f, 0x88, 0x04, b'c', b'h', b'e', b'c', b'k'];

const DEMO_USER: &str = "dqi-demo";
const DEMO_AUTH_PASSWORD: &str = "dqi-demo-auth";
const DEMO_PRIV_PASSWORD: &str = "dqi-demo-priv";
const DEMO_PORT: u16 = 1161;
/// The DQI-MIB root, for the banner's example walk.
const DQI_ROOT_TEXT: &str = "1.3.6.1.4.1.8072.9999.9999.374";
/// `dqiProductDemoInfusionPump` (DQI-MIB dqiProducts 2): the sysObjectID only the demo serves.
const DEMO_OBJECT_ID: &str = "1.3.6.1.4.1.8072.9999.9999.374.3.2";

/// The demo device, compiled in so the binary alone shows a complete device. Written to the
/// demo's private directory at start and read back through the same loaders as any
/// configuration's files, so the demo exercises the real path (and SIGHUP re-reads them).
const DEMO_FILES: [(&str, &str); 4] = [
    (
        "device.toml",
        include_str!("../examples/infusion-pump/device.toml"),
    ),
    (
        "sbom.cdx.json",
        include_str!("../examples/infusion-pump/sbom.cdx.json"),
    ),
    (
        "firmware.spdx.json",
        include_str!("../examples/infusion-pump/firmware.spdx.json"),
    ),
    (
        "vex.openvex.json",
        include_str!("../examples/infusion-pump/vex.openvex.json"),
    ),
];

fn main() -> ExitCode {
    // Before any passphrase is read: a core of this process would hold them all.
    let core_limit = process::forbid_core_dumps();
    dqi_agent::device::memory::set_release(process::release_free_memory);
    let cli = Cli::parse();
    if let Some(path) = cli.check_config {
        return check_config(&path);
    }
    let (config, warnings, demo_dir) = match cli.config {
        Some(path) => match Config::load(&path) {
            Ok((config, warnings)) => (config, warnings, None),
            Err(e) => {
                eprintln!("dqi-agent: {e}");
                return ExitCode::from(2);
            }
        },
        None => match demo_config() {
            Ok((config, dir)) => (config, Vec::new(), Some(dir)),
            Err(e) => {
                eprintln!("dqi-agent: cannot set up the demo: {e}");
                return ExitCode::from(1);
            }
        },
    };
    init_logging(&config.agent.log_level);
    match core_limit {
        Err(e) => tracing::warn!("cannot disable core dumps: {e}"),
        Ok(original) if config.agent.core_dumps => {
            if let Err(e) = process::allow_core_dumps(original) {
                tracing::warn!("agent.core_dumps: cannot allow core dumps: {e}");
            } else {
                tracing::warn!(
                    "agent.core_dumps = true: a core dump of the agent holds its passphrases and keys"
                );
            }
        }
        Ok(_) => {}
    }
    for warning in &warnings {
        tracing::warn!("{warning}");
    }
    if let Some(dir) = &demo_dir {
        print_demo_banner(&config, dir);
    }
    let status = serve(config);
    if let Some(dir) = demo_dir {
        // The demo's engine ID and boots are throwaway, like its credentials.
        let _ = std::fs::remove_dir_all(dir);
    }
    status
}

fn serve(config: Config) -> ExitCode {
    // One thread: the agent is one state machine behind one lock, so more workers would only
    // add cross-thread wake-ups per datagram. Blocking work (snapshot refresh) has its own pool.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the async runtime");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(server::run(config, server::shutdown_signal()));
    // Dropping a runtime waits for its blocking threads; a refresh abandoned at shutdown (a slow
    // read) must not hold the exit up, so they are left to end with the process.
    runtime.shutdown_background();
    match result {
        Ok(_) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!("{e}");
            ExitCode::from(u8::try_from(e.exit_code()).unwrap_or(1))
        }
    }
}

fn check_config(path: &Path) -> ExitCode {
    let (config, warnings) = match Config::load(path) {
        Ok(loaded) => loaded,
        Err(e) => {
            eprintln!("dqi-agent: {e}");
            return ExitCode::from(2);
        }
    };
    for warning in &warnings {
        eprintln!("dqi-agent: warning: {warning}");
    }
    let engine_id = config.agent.engine_id.as_deref().unwrap_or(CHECK_ENGINE_ID);
    let users = match config.users(engine_id) {
        Ok(users) => users,
        Err(e) => {
            eprintln!("dqi-agent: {e}");
            return ExitCode::from(2);
        }
    };
    let device = match check_device(config.device.as_ref()) {
        Ok(device) => device,
        Err(e) => {
            eprintln!("dqi-agent: device data: {e}");
            return ExitCode::from(2);
        }
    };
    println!(
        "{}: OK ({} listen address(es), {} user(s), {device}, {} warning(s))",
        path.display(),
        config.agent.listen.len(),
        users.len(),
        warnings.len()
    );
    ExitCode::SUCCESS
}

/// Reads the `[device]` files as the agent would, with the software index kept in memory, so the
/// state directory is left alone. Returns a short description for the OK line.
fn check_device(device: Option<&DeviceConfig>) -> Result<String, String> {
    let Some(device) = device else {
        return Ok("no [device]".to_string());
    };
    let source = FileSource::new(device.clone(), None).map_err(|e| e.to_string())?;
    let snapshot = source.snapshot().map_err(|e| e.to_string())?;
    Ok(format!(
        "device with {} software row(s)",
        snapshot.software.rows().len()
    ))
}

/// The process-wide protections the library cannot set itself (it has no unsafe code).
mod process {
    /// The core size limit before [`forbid_core_dumps`] lowered it.
    #[derive(Debug, Clone, Copy)]
    pub struct CoreLimit(libc::rlimit);

    /// Marks the process not dumpable (`PR_SET_DUMPABLE` 0: no core, and no ptrace or
    /// `/proc/<pid>/mem` access by other processes of the same user) and sets `RLIMIT_CORE` to
    /// 0, so a crash cannot write the passphrases and keys in memory to disk.
    pub fn forbid_core_dumps() -> std::io::Result<CoreLimit> {
        let mut original = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit writes one rlimit through a valid pointer to a local.
        if unsafe { libc::getrlimit(libc::RLIMIT_CORE, &mut original) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        let zero = libc::rlimit {
            rlim_cur: 0,
            rlim_max: original.rlim_max,
        };
        // SAFETY: setrlimit reads one rlimit through a valid pointer to a local.
        if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &zero) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        set_dumpable(false)?;
        Ok(CoreLimit(original))
    }

    /// Undoes [`forbid_core_dumps`] (`agent.core_dumps = true`).
    pub fn allow_core_dumps(original: CoreLimit) -> std::io::Result<()> {
        // SAFETY: setrlimit reads one rlimit through a valid pointer.
        if unsafe { libc::setrlimit(libc::RLIMIT_CORE, &original.0) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        set_dumpable(true)
    }

    #[cfg(target_os = "linux")]
    fn set_dumpable(on: bool) -> std::io::Result<()> {
        // SAFETY: PR_SET_DUMPABLE takes one integer argument and touches no memory.
        if unsafe { libc::prctl(libc::PR_SET_DUMPABLE, libc::c_ulong::from(on), 0, 0, 0) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
        Ok(())
    }

    #[cfg(not(target_os = "linux"))]
    fn set_dumpable(_on: bool) -> std::io::Result<()> {
        Ok(())
    }

    /// Hands the allocator's free pages back to the system (glibc keeps them otherwise), after
    /// a refresh freed the previous tree.
    pub fn release_free_memory() {
        #[cfg(all(target_os = "linux", target_env = "gnu"))]
        // SAFETY: malloc_trim only walks the allocator's own free lists.
        unsafe {
            libc::malloc_trim(0);
        }
    }
}

/// Logs to stderr at the configured level; `RUST_LOG`, when set and valid, overrides it.
fn init_logging(level: &str) {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    // Fails only if a subscriber is already installed, in which case that one logs.
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .try_init();
}

/// The demo's configuration: loopback only, a fresh private state directory, one documented
/// user, and the example infusion pump as the device, its files written into that directory.
fn demo_config() -> Result<(Config, PathBuf), String> {
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

    let mut listen = vec![format!("127.0.0.1:{DEMO_PORT}")];
    // Hosts with IPv6 disabled still get the IPv4 demo.
    if std::net::UdpSocket::bind("[::1]:0").is_ok() {
        listen.push(format!("[::1]:{DEMO_PORT}"));
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
        }],
        device: Some(device),
        budget: None,
        agentx: None,
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

fn print_demo_banner(config: &Config, dir: &Path) {
    let listen: Vec<String> = config
        .agent
        .listen
        .iter()
        .map(ToString::to_string)
        .collect();
    println!(
        "\
dqi-agent DEMO: a fictional infusion pump, on loopback only ({listen}).
Not a configured agent: run `dqi-agent --config FILE` for that.
The device (identity, configuration, services, SBOMs with log4j-core 2.14.1) is the example in
examples/infusion-pump/, copied to {dir}; edit the files there and send SIGHUP to re-read them.
State (engine ID, boots, software index) is kept there too and removed on exit.

Demo user:  {DEMO_USER}
  authentication  SHA-256, passphrase {DEMO_AUTH_PASSWORD}
  privacy         AES-128, passphrase {DEMO_PRIV_PASSWORD}

Try:
  snmpwalk -v3 -l authPriv -u {DEMO_USER} -a SHA-256 -A {DEMO_AUTH_PASSWORD} -x AES -X {DEMO_PRIV_PASSWORD} 127.0.0.1:{DEMO_PORT} system
  snmpwalk -v3 -l authPriv -u {DEMO_USER} -a SHA-256 -A {DEMO_AUTH_PASSWORD} -x AES -X {DEMO_PRIV_PASSWORD} 127.0.0.1:{DEMO_PORT} {DQI_ROOT_TEXT}
  (with names: add -M +mibs -m ALL, run from the source tree)

Stop with Ctrl-C.",
        listen = listen.join(", "),
        dir = dir.display(),
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn modes_parse() {
        let none = Cli::try_parse_from(["dqi-agent"]).unwrap();
        assert!(
            none.config.is_none() && none.check_config.is_none(),
            "no arguments: the demo"
        );
        let run = Cli::try_parse_from(["dqi-agent", "--config", "/etc/dqi.toml"]).unwrap();
        assert_eq!(run.config.as_deref(), Some(Path::new("/etc/dqi.toml")));
        let check = Cli::try_parse_from(["dqi-agent", "--check-config", "a.toml"]).unwrap();
        assert_eq!(check.check_config.as_deref(), Some(Path::new("a.toml")));
        let both = Cli::try_parse_from(["dqi-agent", "--config", "a", "--check-config", "b"]);
        assert_eq!(
            both.unwrap_err().exit_code(),
            2,
            "usage errors exit 2, like bad configs"
        );
    }

    #[test]
    fn demo_config_is_valid_and_loopback_only() {
        let (config, dir) = demo_config().unwrap();
        assert!(
            config
                .agent
                .listen
                .iter()
                .all(|a| a.ip().is_loopback() && a.port() == DEMO_PORT)
        );
        assert_eq!(config.users.len(), 1);
        assert_eq!(config.users[0].name, DEMO_USER);
        // The compiled-in example device, written out and read back through the real loaders.
        let device = config.device.as_ref().expect("the demo serves a device");
        assert!(
            device
                .description
                .as_ref()
                .is_some_and(|p| p.starts_with(&dir))
        );
        assert_eq!(device.sbom.len(), 2);
        let loaded = check_device(Some(device)).unwrap();
        assert!(loaded.starts_with("device with "), "{loaded}");
        assert!(!loaded.starts_with("device with 0 "), "{loaded}");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(
                std::fs::metadata(&dir).unwrap().permissions().mode() & 0o777,
                0o700
            );
        }
        std::fs::remove_dir_all(dir).unwrap();
    }
}
