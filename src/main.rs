//! The `dqi-agent` binary: runs an agent from a config file, checks a config file, or, with no
//! arguments, runs a loopback-only demo serving the example infusion pump
//! (`examples/infusion-pump/`, compiled in).
//!
//! Exit status: 0 after a clean shutdown or a good `--check-config`; 2 for a bad configuration
//! or command line; 1 when the agent cannot start (state directory, listen address) or fails.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::Parser;
use dqi_agent::config::Config;
use dqi_agent::device::{DeviceConfig, DeviceSource, FileSource};
use dqi_agent::server;

mod cli;

use cli::demo::{self, DEMO_PORT};
use cli::process;

/// Device Query Interface: a read-only SNMPv3 agent (USM) for medical devices.
///
/// With no arguments, runs a loopback-only demo on port 1161 and prints how to query it.
#[derive(Debug, Parser)]
#[command(
    name = "dqi-agent",
    version,
    args_conflicts_with_subcommands = true,
    // `--help` covers it, and every subcommand gets its own man page.
    disable_help_subcommand = true,
    after_long_help = cli::help::AFTER_LONG_HELP
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,

    /// Run the agent configured by FILE (TOML; see the README's configuration reference).
    #[arg(long, value_name = "FILE", conflicts_with = "check_config")]
    config: Option<PathBuf>,

    /// Validate FILE and exit: parse, check every key, localize the keys. Opens no socket and
    /// leaves the state directory alone.
    #[arg(long, value_name = "FILE")]
    check_config: Option<PathBuf>,

    /// The demo's UDP port instead of 1161 (for tests, which must not take a fixed port).
    #[arg(long, value_name = "PORT", hide = true, conflicts_with_all = ["config", "check_config"])]
    demo_port: Option<u16>,
}

/// Commands besides running the agent.
#[derive(Debug, clap::Subcommand)]
enum Command {
    LocalizeKey(cli::localize_key::LocalizeKey),
}

/// The engine ID `--check-config` localizes keys to when the file sets none (RFC 3411 format 4,
/// text "check"): localization is what is checked, not the resulting keys.
const CHECK_ENGINE_ID: &[u8] = &[0x80, 0x00, 0x1f, 0x88, 0x04, b'c', b'h', b'e', b'c', b'k'];

fn main() -> ExitCode {
    // Before any passphrase is read: a core of this process would hold them all.
    let core_limit = process::forbid_core_dumps();
    dqi_agent::device::memory::set_release(process::release_free_memory);
    let cli = Cli::parse();
    if let Some(Command::LocalizeKey(args)) = &cli.command {
        return cli::localize_key::run(args);
    }
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
        None => match demo::demo_config(cli.demo_port.unwrap_or(DEMO_PORT)) {
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
    // Printed once the sockets are bound, so a demo that cannot bind prints no credentials.
    let banner = demo_dir
        .as_ref()
        .map(|dir| demo::banner(&config, dir, demo::mib_dir().as_deref()));
    let status = serve(config, banner);
    if let Some(dir) = demo_dir {
        // The demo's engine ID and boots are throwaway, like its credentials.
        let _ = std::fs::remove_dir_all(dir);
    }
    status
}

fn serve(config: Config, banner: Option<String>) -> ExitCode {
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
    let ready = |_: &[std::net::SocketAddr]| {
        if let Some(banner) = banner {
            println!("{banner}");
        }
        cli::systemd::notify("READY=1");
    };
    let result = runtime.block_on(server::run(config, server::shutdown_signal(), ready));
    cli::systemd::notify("STOPPING=1");
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
            // The configuration file, then the `[device]` key, the file it names and the reason.
            eprintln!("dqi-agent: {}: {e}", path.display());
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cli::demo::DEMO_USER;
    use clap::CommandFactory;

    #[test]
    fn cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    /// The man pages under `docs/man/` are what the CLI definition generates (`cli::man`);
    /// `DQI_UPDATE_MAN=1` rewrites them instead of failing.
    #[test]
    fn man_pages_match_the_cli() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/man");
        let pages = cli::man::pages(Cli::command());
        assert_eq!(
            pages
                .iter()
                .map(|(name, _)| name.as_str())
                .collect::<Vec<_>>(),
            ["dqi-agent.1", "dqi-agent-localize-key.1"]
        );
        let update = std::env::var_os("DQI_UPDATE_MAN").is_some();
        for (name, text) in pages {
            let path = dir.join(&name);
            if update {
                std::fs::write(&path, &text).unwrap();
            }
            let checked_in = std::fs::read_to_string(&path).unwrap_or_default();
            assert!(
                checked_in == text,
                "docs/man/{name} is not what the CLI generates; regenerate it with \
                 `DQI_UPDATE_MAN=1 cargo test --release --bin dqi-agent man_pages`"
            );
        }
    }

    #[test]
    fn man_page_carries_the_help_text() {
        let page = &cli::man::pages(Cli::command())[0].1;
        for section in [
            "SYNOPSIS",
            "OPTIONS",
            "EXIT STATUS",
            "SIGNALS",
            "FILES",
            "ENVIRONMENT",
        ] {
            assert!(
                page.contains(&format!(".SH {section}\n"))
                    || page.contains(&format!(".SH \"{section}\"\n")),
                "{section} missing:\n{page}"
            );
        }
        assert!(page.contains("check\\-config"), "{page}");
        assert!(page.contains("/etc/dqi\\-agent/agent.toml"), "{page}");
        assert!(page.contains("localize\\-key"), "{page}");
        assert!(!page.contains(".SH EXTRA"), "{page}");
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
        let keys = Cli::try_parse_from([
            "dqi-agent",
            "localize-key",
            "--engine-id",
            "8000000001",
            "--auth",
            "SHA",
        ])
        .unwrap();
        assert!(matches!(keys.command, Some(Command::LocalizeKey(_))));
        let mixed = Cli::try_parse_from(["dqi-agent", "--config", "a", "localize-key"]);
        assert_eq!(mixed.unwrap_err().exit_code(), 2);
        let both = Cli::try_parse_from(["dqi-agent", "--config", "a", "--check-config", "b"]);
        assert_eq!(
            both.unwrap_err().exit_code(),
            2,
            "usage errors exit 2, like bad configs"
        );
    }

    #[test]
    fn demo_config_is_valid_and_loopback_only() {
        let (config, dir) = demo::demo_config(DEMO_PORT).unwrap();
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
