//! Start-up and shutdown: the configuration to a bound [`Server`], in the order that keeps
//! boots and keys safe, and the signals that end it.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use super::{ReceiveConfig, Refresher, RunError, ServedDevice, Server, Subagent, Summary};
use crate::access::Access;
use crate::agent;
use crate::config::Config;
use crate::hex::to_hex;
use crate::mib::Tree;
use crate::mib::objects::Engine;
use crate::mib::served;
use crate::notify::Kind;
use crate::state::{self, PendingBoot, State};
use crate::usm::User;

/// Loads the configuration at `path`, logs its warnings, and runs the agent until SIGINT or
/// SIGTERM. Logging must already be set up.
pub async fn run_file(path: &Path) -> Result<Summary, RunError> {
    let (config, warnings) = Config::load(path)?;
    for warning in &warnings {
        tracing::warn!("{warning}");
    }
    run(config, shutdown_signal(), |_| {}).await
}

/// Runs the agent described by `config` until `shutdown` completes. `ready` is called once
/// with the bound addresses when every socket is bound, before the first datagram is read (the
/// binary prints the demo's banner and notifies systemd there).
///
/// Order matters: the state directory is settled before any socket opens, the boot is counted
/// (snmpEngineBoots incremented and written) once every socket is bound and before the first
/// datagram is read, so a start that cannot bind counts no boot; the passphrases are dropped
/// once the keys are localized.
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()>,
    ready: impl FnOnce(&[SocketAddr]),
) -> Result<Summary, RunError> {
    let Start {
        state,
        agent,
        receive,
        listen,
        device,
        access,
        subagent,
        notifier,
        fingerprint,
        start,
    } = Start::prepare(config)?;
    let started = Started {
        engine_id: agent.engine_id.clone(),
        boots: agent.engine_boots,
        max_message_size: agent.max_message_size,
        users: agent.users.iter().map(user_line).collect(),
    };
    let mut server = Server::bind(&listen, agent, receive, None).await?;
    // Registered before the start-up log line, so a SIGHUP sent once the agent says it started
    // refreshes instead of ending the process.
    server.set_refresher(Refresher::new(device));
    server.set_access(access).map_err(RunError::Unbudgeted)?;
    if let Some(subagent) = subagent {
        tracing::info!(master = %subagent.config.socket, "serving as an AgentX subagent");
        server.set_subagent(subagent);
    }
    if let Some(notifier) = notifier {
        for t in &notifier.targets {
            tracing::info!(target = %t.address, kind = t.delivery.name(), "notification receiver");
        }
        server.set_notifier(notifier, start)?;
    }
    // Last before serving, after everything that can still fail: see `State::prepare`.
    let state = state.count()?;
    state.record_configuration(&fingerprint);
    server.set_state(state);
    started.log(&server.local_addrs(), start);
    // One poll before `ready`: `shutdown_signal` installs its handlers when first polled, and a
    // SIGTERM sent once the agent said it is ready must stop it cleanly, not kill it.
    let mut shutdown = std::pin::pin!(shutdown);
    let stopped = poll_once(shutdown.as_mut()).await;
    ready(&server.local_addrs());
    if stopped {
        // A completed future must not be polled again.
        return server.serve(std::future::ready(())).await;
    }
    server.serve(shutdown).await
}

/// Polls `future` once; whether it completed.
async fn poll_once<F: Future>(mut future: std::pin::Pin<&mut F>) -> bool {
    std::future::poll_fn(|cx| std::task::Poll::Ready(future.as_mut().poll(cx).is_ready())).await
}

/// What start-up settles before any socket opens.
struct Start {
    /// The state directory, this boot not yet counted.
    state: PendingBoot,
    /// The agent's configuration, keys localized.
    agent: agent::CoreConfig,
    /// The driver's own settings.
    receive: ReceiveConfig,
    /// The addresses to bind.
    listen: Vec<SocketAddr>,
    /// The device data, loaded; `None` without `[device]`.
    device: Option<Arc<ServedDevice>>,
    /// Each principal's read view.
    access: Access,
    /// The AgentX master to serve through, if any.
    subagent: Option<Subagent>,
    /// The notification receivers, the notify users' passphrases already hashed; `None`
    /// without `[[notify]]`.
    notifier: Option<crate::notify::NotifierConfig>,
    /// The configuration's fingerprint, recorded once the boot is counted.
    fingerprint: [u8; 32],
    /// coldStart, or warmStart when this engine restarts with its configuration unaltered.
    start: Kind,
}

impl Start {
    /// Settles the state directory, localizes the keys, loads the device data and builds the
    /// tree. `config` and its passphrases are dropped on return.
    fn prepare(config: Config) -> Result<Start, RunError> {
        let state = State::prepare(&config.agent.state_dir, config.agent.engine_id.as_deref())?;
        let fingerprint = config.fingerprint();
        let start = if state.unaltered(&fingerprint) {
            Kind::WarmStart
        } else {
            Kind::ColdStart
        };
        let engine_id = state.engine_id().to_vec();
        let users = config.users(&engine_id)?;
        let salt_seed = state::random_seed()?;
        let budget_seed = state::random_seed()?;
        let max_message_size = config.agent.max_message_size;
        let notifier = config.notify.notifier(
            &config.file,
            &engine_id,
            max_message_size,
            state::random_seed()?,
        )?;
        let engine = Engine {
            engine_id: engine_id.clone(),
            // At most 65507 by validation, so the conversion never saturates.
            max_message_size: i32::try_from(max_message_size).unwrap_or(i32::MAX),
        };
        // Loaded before any socket opens: a broken file at start-up is an error, not a
        // half-served device.
        let device = match &config.device {
            Some(device) => Some(Arc::new(
                ServedDevice::open(
                    device,
                    &config.agent.state_dir,
                    config.system.clone(),
                    engine.clone(),
                )
                .map_err(|source| RunError::Device {
                    file: config.file.clone(),
                    source,
                })?,
            )),
            None => None,
        };
        let tree = match &device {
            Some(device) => device.tree(),
            None => Tree::from_entries(served::device_objects(&config.system, &engine, None)),
        };
        let agent = agent::CoreConfig {
            engine_id,
            engine_boots: state.boots(),
            users,
            tree,
            max_message_size,
            salt_seed,
            budget: config.budget.clone(),
            budget_seed,
        };
        Ok(Start {
            state,
            agent,
            receive: config.receive,
            listen: config.agent.listen.clone(),
            device,
            access: config.access(),
            subagent: config.agentx.clone().map(|agentx| Subagent {
                config: agentx,
                id: config.system.object_id.clone(),
            }),
            notifier,
            fingerprint,
            start,
        })
    }
}

/// What the start-up log lines say, taken before the agent's configuration moves into it.
struct Started {
    engine_id: Vec<u8>,
    boots: u32,
    max_message_size: usize,
    /// One line per user, never a key.
    users: Vec<String>,
}

impl Started {
    /// `dqi-agent started` with the bound addresses and whether the start is a warm one, then
    /// one line per user.
    fn log(&self, addrs: &[SocketAddr], start: Kind) {
        let addrs: Vec<String> = addrs.iter().map(ToString::to_string).collect();
        tracing::info!(
            version = env!("CARGO_PKG_VERSION"),
            listen = %addrs.join(", "),
            engine_id = %to_hex(&self.engine_id),
            boots = self.boots,
            start = start.name(),
            max_message_size = self.max_message_size,
            "dqi-agent started"
        );
        for line in &self.users {
            tracing::info!("user {line}");
        }
    }
}

/// A user's name, protocols and lowest level, for the start-up log.
fn user_line(u: &User) -> String {
    format!(
        "{} (auth {}, privacy {}, min {})",
        String::from_utf8_lossy(&u.name),
        u.auth.protocol().name(),
        u.privacy.as_ref().map_or("none", |p| p.protocol().name()),
        u.min_level.name()
    )
}

/// Completes on SIGINT (Ctrl-C) or SIGTERM. If the handlers cannot be installed it never
/// completes: the agent keeps serving rather than stop on a signal it never received.
pub async fn shutdown_signal() {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{SignalKind, signal};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(term) => term,
            Err(e) => {
                tracing::warn!(error = %e, "cannot handle SIGTERM; stop with SIGINT");
                if tokio::signal::ctrl_c().await.is_err() {
                    std::future::pending::<()>().await;
                }
                return;
            }
        };
        tokio::select! {
            r = tokio::signal::ctrl_c() => if r.is_err() { term.recv().await; },
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    if tokio::signal::ctrl_c().await.is_err() {
        std::future::pending::<()>().await;
    }
}
