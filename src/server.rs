//! The tokio UDP driver: sockets, the clock, persistence and logs around the sans-I/O agent.
//!
//! The protocol lives in [`crate::agent::Agent`]; this module only moves datagrams. It owns:
//!
//! - start-up ([`run`], [`run_file`]): load the config, settle the engine ID and boot counter in
//!   the state directory (before any socket opens), localize the keys, load the device snapshot
//!   (`[device]`), build the MIB tree, bind;
//! - the device data while running ([`ServedDevice`], in `server/refresh.rs`): refresh on the interval
//!   and on SIGHUP off the request path, one atomic tree swap, the last good snapshot kept when
//!   a file breaks;
//! - the sockets ([`Server::bind`]): every listen address, IPv6 sockets `IPV6_V6ONLY` so one port
//!   serves both families, one task per socket doing receive, `handle`, send
//!   (`server/listener.rs`, which also owns receive moderation and the intake pause);
//! - the clock: a monotonic [`std::time::Instant`] taken at start-up is the origin of the
//!   agent's [`Instant`]; the wall clock and host uptime at that origin go to the agent for
//!   `hrSystemDate` and `hrSystemUptime` (`server/clock.rs`);
//! - persistence of snmpEngineBoots when the agent bumps it (engineTime wrap);
//! - the intake ceiling (`[budget] intake`): each socket task takes a token from one shared
//!   bucket before it reads a datagram, and when the bucket is empty it stops reading until a
//!   token refills, so beyond the ceiling the kernel's receive queue overflows and drops
//!   datagrams, well-behaved pollers' included. That bounds the agent's CPU under a flood from
//!   spoofed sources, which the per-source buckets cannot;
//! - logs: a start-up summary, security events (Reports, drops and budget refusals) summarised
//!   per interval and per source address, and a final summary on SIGINT or SIGTERM. Never a key
//!   or a password, and never one line per request unless the level is `debug`.
//!
//! One file per concern: `start.rs` (the configuration to a running server, the signals),
//! `socket.rs` (socket set-up), `shared.rs` (what the tasks share), `listener.rs` (the socket
//! task), `events.rs` (security events per source), `summary.rs` (totals and their logs),
//! `refresh.rs`, `agentx.rs`, `filter.rs` (the kernel filter), `clock.rs`, `receive.rs` (the
//! driver's own settings); the root holds [`Server`] and [`RunError`].

use std::future::Future;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::AtomicU32;
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::agent::{self, Agent};
use crate::config::ConfigError;
use crate::state::{State, StateError};
use crate::time::Instant;

mod agentx;
mod bpf;
mod clock;
mod events;
mod filter;
mod listener;
mod notify;
mod receive;
mod refresh;
mod shared;
mod socket;
mod start;
mod summary;

pub use agentx::Subagent;
pub use bpf::{MAX_BLOCKED, MAX_KNOWN};
pub use events::MAX_TRACKED_SOURCES;
use events::{Events, log_events};
use listener::Listener;
pub use receive::{MAX_MODERATION, ReceiveConfig};
pub use refresh::{Refresher, SOFTWARE_INDEX_FILE, ServedDevice};
use shared::Shared;
use socket::udp_socket;
pub use start::{run, run_file, shutdown_signal};
pub use summary::{Monitor, SUMMARY_INTERVAL, Summary};
use summary::{Totals, summary_loop};

/// The receive buffer: any UDP payload fits, so no datagram is silently truncated.
const RECEIVE_BUFFER: usize = 65536;

/// Why the agent did not start or stopped abnormally.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RunError {
    /// The configuration was refused.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The state directory could not be used.
    #[error(transparent)]
    State(#[from] StateError),
    /// A listen address could not be bound.
    #[error("cannot listen on {addr}: {source}{}", bind_hint(*addr, source))]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The device description, an SBOM or a VEX file could not be loaded at start-up. Shown as
    /// `--check-config` shows it: the configuration file, the `[device]` key, its file, why.
    #[error("{}: {source}", file.display())]
    Device {
        /// The configuration file whose `[device]` section named the file.
        file: std::path::PathBuf,
        /// What went wrong, wrapped in the key that named the file.
        #[source]
        source: crate::device::DeviceError,
    },
    /// A community has no bucket in the request budget (the configuration gives every one a
    /// bucket, so this is a bug).
    #[error("community[{0}] has no request budget")]
    Unbudgeted(usize),
    /// A socket task ended without being asked to (a panic in the agent).
    #[error("a socket task stopped unexpectedly: {0}")]
    TaskFailed(String),
}

/// What to do about a bind failure an operator commonly meets.
fn bind_hint(addr: SocketAddr, error: &io::Error) -> &'static str {
    match error.kind() {
        io::ErrorKind::PermissionDenied if addr.port() < 1024 => {
            "; ports below 1024 need root or CAP_NET_BIND_SERVICE (the packaged systemd unit \
             grants it; `setcap cap_net_bind_service=+ep` on the binary does too)"
        }
        io::ErrorKind::AddrInUse => {
            "; another process holds this port (for 161 usually snmpd: stop it, choose another \
             port, or serve through it with [agentx])"
        }
        io::ErrorKind::AddrNotAvailable => "; no interface of this host has that address",
        _ => "",
    }
}

impl RunError {
    /// The process exit status for this error: 2 for a bad configuration or device data file (as
    /// for a bad command line), 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Config(_) | RunError::Device { .. } => 2,
            _ => 1,
        }
    }
}

/// The bound sockets and the agent they feed.
pub struct Server {
    /// One per listen address.
    sockets: Vec<Listener>,
    /// Other descriptors of the sockets, for the kernel filter of flooding sources.
    filtered: Vec<filter::Filtered>,
    /// `[budget] block_after` and `block_seconds`, for the kernel filter.
    block: (u32, Duration),
    /// What the socket tasks share.
    shared: Arc<Shared>,
    /// The device refresh task's inputs; `None` serves a fixed tree and leaves SIGHUP alone.
    refresher: Option<Refresher>,
    /// The AgentX master to serve through, besides (or instead of) the sockets.
    subagent: Option<Subagent>,
    /// The notification sockets, when receivers are configured.
    notify: Option<notify::Sockets>,
}

impl Server {
    /// Binds every address in `listen` and builds the agent from `config`, its clock starting
    /// now; the sockets are read as `receive` says. With `state`, boots bumps are persisted
    /// there. Must run inside a tokio runtime.
    pub async fn bind(
        listen: &[SocketAddr],
        config: agent::CoreConfig,
        receive: ReceiveConfig,
        state: Option<State>,
    ) -> Result<Server, RunError> {
        let mut sockets = Vec::with_capacity(listen.len());
        let mut filtered = Vec::new();
        for &addr in listen {
            let socket = udp_socket(addr).map_err(|source| RunError::Bind { addr, source })?;
            // Best effort: without a second descriptor this socket is not filtered.
            if let Ok(other) = socket.try_clone() {
                filtered.push(filter::Filtered::new(other));
            }
            let socket = Listener::new(socket).map_err(|source| RunError::Bind { addr, source })?;
            socket.warn_if_pause_overflows(addr, &receive);
            sockets.push(socket);
        }
        let origin = std::time::Instant::now();
        let boots = config.engine_boots;
        let max_message_size = config.max_message_size;
        let intake = Mutex::new(receive.intake_bucket(Instant::ZERO));
        let moderation = receive.moderation;
        let hold_slots = receive.hold_slots;
        let block = (receive.block_after, receive.block);
        let mut agent = Agent::new(config, Instant::ZERO);
        agent.set_clock(clock::host_clock());
        agent.set_receive(receive.report());
        let shared = Arc::new(Shared {
            agent: Mutex::new(agent),
            origin,
            state: Mutex::new(state),
            boots: AtomicU32::new(boots),
            events: Mutex::new(Events::default()),
            totals: Totals::default(),
            max_message_size,
            intake,
            moderation,
            hold_slots,
            flooding: tokio::sync::Notify::new(),
            intake_per_second: receive.intake.tokens_in(1_000_000),
            arrivals: std::sync::atomic::AtomicU64::new(0),
        });
        Ok(Server {
            sockets,
            filtered,
            block,
            shared,
            refresher: None,
            subagent: None,
            notify: None,
        })
    }

    /// Refreshes the device data while serving: on `refresher`'s interval and on SIGHUP.
    pub fn set_refresher(&mut self, refresher: Refresher) {
        self.refresher = Some(refresher);
    }

    /// Where boots bumps are persisted from now on (bound with none, the agent counts its boot
    /// once the sockets are bound: see [`crate::state::State::prepare`]).
    pub fn set_state(&self, state: State) {
        *self.shared.state.lock() = Some(state);
    }

    /// Sets each principal's read view and the communities (see [`Agent::set_access`]); the
    /// error is the position of a community the budget has no bucket for.
    pub fn set_access(&self, access: crate::access::Access) -> Result<(), usize> {
        self.shared.agent.lock().set_access(access)
    }

    /// Serves through an AgentX master agent too (RFC 2741), reconnecting when it goes.
    pub fn set_subagent(&mut self, subagent: Subagent) {
        self.subagent = Some(subagent);
    }

    /// Sends notifications as `config` says, starting now with `start` (coldStart, or
    /// warmStart when the configuration is known unaltered: see
    /// [`crate::state::PendingBoot::unaltered`]): binds the notification sockets and hands the
    /// notifier to the agent.
    pub fn set_notifier(
        &mut self,
        config: crate::notify::NotifierConfig,
        start: crate::notify::Kind,
    ) -> Result<(), RunError> {
        let any = SocketAddr::from(([0, 0, 0, 0], 0));
        let sockets = notify::Sockets::bind(config.targets.iter().map(|t| t.address))
            .map_err(|source| RunError::Bind { addr: any, source })?;
        let now = self.shared.now();
        let notifier = crate::notify::Notifier::new(config, now)
            .map_err(|e| RunError::TaskFailed(e.to_string()))?;
        let mut agent = self.shared.agent.lock();
        agent.set_notifier(notifier);
        agent.notify(start, now);
        self.notify = Some(sockets);
        Ok(())
    }

    /// The bound addresses (with the ports the system chose for port 0).
    pub fn local_addrs(&self) -> Vec<SocketAddr> {
        self.sockets
            .iter()
            .filter_map(|s| s.local_addr().ok())
            .collect()
    }

    /// A handle on the totals that outlives [`Server::serve`]'s move.
    pub fn monitor(&self) -> Monitor {
        Monitor {
            shared: self.shared.clone(),
        }
    }

    /// Serves until `shutdown` completes, then stops receiving, logs the pending security events
    /// and a final summary, and returns the totals.
    pub async fn serve(self, shutdown: impl Future<Output = ()>) -> Result<Summary, RunError> {
        let (stop, stopped) = watch::channel(false);
        let mut tasks = JoinSet::new();
        for socket in self.sockets {
            tasks.spawn(listener::run(socket, self.shared.clone(), stopped.clone()));
        }
        if let Some(refresher) = self.refresher {
            tasks.spawn(refresh::run(
                refresher,
                self.shared.clone(),
                stopped.clone(),
            ));
        }
        if let Some(subagent) = self.subagent {
            tasks.spawn(agentx::run(subagent, self.shared.clone(), stopped.clone()));
        }
        if let Some(sockets) = self.notify {
            tasks.spawn(notify::run(sockets, self.shared.clone(), stopped.clone()));
        }
        let (block_after, block) = self.block;
        tasks.spawn(filter::run(
            self.filtered,
            self.shared.clone(),
            block_after,
            block,
            stopped.clone(),
        ));
        tasks.spawn(summary_loop(self.shared.clone(), stopped));
        let failure = tokio::select! {
            () = shutdown => None,
            // Tasks only end when told to, so any end here is a failure.
            Some(ended) = tasks.join_next() => Some(match ended {
                Ok(()) => "ended".to_string(),
                Err(e) => e.to_string(),
            }),
        };
        let _ = stop.send(true);
        while tasks.join_next().await.is_some() {}
        log_events(&mut self.shared.events.lock());
        let summary = self.shared.totals.snapshot();
        summary.log_stopped(self.shared.origin.elapsed());
        match failure {
            None => Ok(summary),
            Some(reason) => Err(RunError::TaskFailed(reason)),
        }
    }
}

#[cfg(test)]
mod tests;
