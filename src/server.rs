//! The tokio UDP driver: sockets, the clock, persistence and logs around the sans-I/O agent.
//!
//! The protocol lives in [`crate::agent::Agent`]; this module only moves datagrams. It owns:
//!
//! - start-up ([`run`], [`run_file`]): load the config, settle the engine ID and boot counter in
//!   the state directory (before any socket opens), localize the keys, load the device snapshot
//!   (`[device]`), build the MIB tree, bind;
//! - the device data while running ([`Device`], in `server/refresh.rs`): refresh on the interval
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
//!   per interval and per source address, and a final summary on SIGINT or SIGTERM. Never a key or a password,
//!   and never one line per request unless the level is `debug`.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::future::Future;
use std::io;
use std::net::{IpAddr, SocketAddr};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU32, AtomicU64, Ordering};
use std::time::Duration;

use parking_lot::Mutex;
use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::agent::{self, Agent, Outcome};
use crate::budget::{Bucket, Rejection};
use crate::config::{Config, ConfigError};
use crate::hex::to_hex;
use crate::mib::Tree;
use crate::mib::budget::Scalar;
use crate::mib::objects::Engine;
use crate::mib::served;
use crate::state::{self, State, StateError};
use crate::stats::Counter;
use crate::time::Instant;

mod agentx;
mod clock;
mod filter;
mod listener;
mod receive;
mod refresh;

pub use agentx::Subagent;
use listener::Listener;
pub use receive::{MAX_MODERATION, ReceiveConfig};
pub use refresh::{Device, Refresher, SOFTWARE_INDEX_FILE};

/// How often security events are summarised in the log.
pub const SUMMARY_INTERVAL: Duration = Duration::from_secs(60);
/// Sources tracked one by one per interval; events from further sources are counted together as
/// "other", so a spoofed flood cannot grow memory or the log without bound.
pub const MAX_TRACKED_SOURCES: usize = 1024;
/// The receive buffer: any UDP payload fits, so no datagram is silently truncated.
const RECEIVE_BUFFER: usize = 65536;
/// Kernel socket receive buffer asked for, to absorb bursts while a task is busy.
const SOCKET_RECEIVE_BUFFER: usize = 1 << 20;

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
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        /// The address.
        addr: SocketAddr,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The device description or an SBOM could not be loaded at start-up.
    #[error("device data: {0}")]
    Device(#[from] crate::device::DeviceError),
    /// A socket task ended without being asked to (a panic in the agent).
    #[error("a socket task stopped unexpectedly: {0}")]
    TaskFailed(String),
}

impl RunError {
    /// The process exit status for this error: 2 for a bad configuration or device data file (as
    /// for a bad command line), 1 for everything else.
    pub fn exit_code(&self) -> i32 {
        match self {
            RunError::Config(_) | RunError::Device(_) => 2,
            _ => 1,
        }
    }
}

/// What the server did, for the final log line and for tests.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Summary {
    /// Datagrams received.
    pub received: u64,
    /// Responses sent.
    pub responses: u64,
    /// Reports sent.
    pub reports: u64,
    /// Datagrams dropped without a reply.
    pub dropped: u64,
    /// Replies the socket refused to send.
    pub send_errors: u64,
    /// Times a socket task paused reading because the intake ceiling was reached.
    pub intake_pauses: u64,
    /// Times a socket task paused reading (receive moderation) after a batch that refused a
    /// datagram, instead of waking for the next datagram at once.
    pub moderated: u64,
    /// Times the kernel filter of flooding sources was replaced (a source blocked or released).
    pub kernel_filters: u64,
}

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
/// Order matters: the state directory is settled (boots incremented and written) before any
/// socket opens, and the passphrases are dropped once the keys are localized.
pub async fn run(
    config: Config,
    shutdown: impl Future<Output = ()>,
    ready: impl FnOnce(&[SocketAddr]),
) -> Result<Summary, RunError> {
    let state = State::open(&config.agent.state_dir, config.agent.engine_id.as_deref())?;
    let engine_id = state.engine_id().to_vec();
    let users = config.users(&engine_id)?;
    let salt_seed = state::salt_seed()?;
    let budget_seed = state::salt_seed()?;
    let budget = config.budget.clone();
    let receive = config.receive;
    let max_message_size = config.agent.max_message_size;
    let engine = Engine {
        engine_id: engine_id.clone(),
        // At most 65507 by validation, so the conversion never saturates.
        max_message_size: i32::try_from(max_message_size).unwrap_or(i32::MAX),
    };
    // Loaded before any socket opens: a broken file at start-up is an error, not a half-served
    // device.
    let device = match &config.device {
        Some(device) => Some(Arc::new(Device::open(
            device,
            &config.agent.state_dir,
            config.system.clone(),
            engine.clone(),
        )?)),
        None => None,
    };
    let tree = match &device {
        Some(device) => device.tree(),
        None => Tree::from_entries(served::device_objects(&config.system, &engine, None)),
    };
    let listen = config.agent.listen.clone();
    let access = config.access();
    let subagent = config.agentx.clone().map(|agentx| Subagent {
        config: agentx,
        id: config.system.object_id.clone(),
    });
    drop(config);

    let user_lines: Vec<String> = users
        .iter()
        .map(|u| {
            format!(
                "{} (auth {}, privacy {}, min {})",
                String::from_utf8_lossy(&u.name),
                u.auth.protocol().name(),
                u.privacy.as_ref().map_or("none", |p| p.protocol().name()),
                u.min_level.name()
            )
        })
        .collect();
    let boots = state.boots();
    let agent_config = agent::Config {
        engine_id: engine_id.clone(),
        engine_boots: boots,
        users,
        tree,
        max_message_size,
        salt_seed,
        budget,
        budget_seed,
    };
    let mut server = Server::bind(&listen, agent_config, receive, Some(state)).await?;
    // Registered before the start-up log line, so a SIGHUP sent once the agent says it started
    // refreshes instead of ending the process.
    server.set_refresher(Refresher::new(device));
    server.set_access(access);
    if let Some(subagent) = subagent {
        tracing::info!(master = %subagent.config.socket, "serving as an AgentX subagent");
        server.set_subagent(subagent);
    }
    let addrs: Vec<String> = server
        .local_addrs()
        .iter()
        .map(ToString::to_string)
        .collect();
    tracing::info!(
        version = env!("CARGO_PKG_VERSION"),
        listen = %addrs.join(", "),
        engine_id = %to_hex(&engine_id),
        boots,
        max_message_size,
        "dqi-agent started"
    );
    for line in &user_lines {
        tracing::info!("user {line}");
    }
    ready(&server.local_addrs());
    server.serve(shutdown).await
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

/// The bound sockets and the agent they feed.
pub struct Server {
    /// One per listen address.
    sockets: Vec<Listener>,
    /// Other descriptors of the IPv4 sockets, for the kernel filter of flooding sources.
    filtered: Vec<std::net::UdpSocket>,
    /// `[budget] block_after` and `block_seconds`, for the kernel filter.
    block: (u32, Duration),
    /// What the socket tasks share.
    shared: Arc<Shared>,
    /// The device refresh task's inputs; `None` serves a fixed tree and leaves SIGHUP alone.
    refresher: Option<Refresher>,
    /// The AgentX master to serve through, besides (or instead of) the sockets.
    subagent: Option<Subagent>,
}

/// A view of a running server's totals, for tests and monitoring.
#[derive(Clone)]
pub struct Monitor {
    shared: Arc<Shared>,
}

impl Monitor {
    /// The totals so far.
    pub fn summary(&self) -> Summary {
        self.shared.totals.snapshot()
    }
}

struct Shared {
    /// The protocol core; locked only around `handle`.
    agent: Mutex<Agent>,
    /// The origin of the agent's clock.
    origin: std::time::Instant,
    /// Where boots are persisted; `None` in tests that need no state directory.
    state: Mutex<Option<State>>,
    /// The boots value last persisted, to notice the agent bumping it without taking a lock.
    boots: AtomicU32,
    /// Security events since the last summary.
    events: Mutex<Events>,
    /// Totals since start.
    totals: Totals,
    /// The largest reply, to size each task's reply buffer once.
    max_message_size: usize,
    /// The intake ceiling: one token per datagram read, shared by every socket task.
    intake: Mutex<Bucket>,
    /// Receive moderation: see [`ReceiveConfig::moderation`].
    moderation: Duration,
    /// Answers each socket task holds at once: see [`ReceiveConfig::hold_slots`].
    hold_slots: usize,
}

impl Server {
    /// Binds every address in `listen` and builds the agent from `config`, its clock starting
    /// now; the sockets are read as `receive` says. With `state`, boots bumps are persisted
    /// there. Must run inside a tokio runtime.
    pub async fn bind(
        listen: &[SocketAddr],
        config: agent::Config,
        receive: ReceiveConfig,
        state: Option<State>,
    ) -> Result<Server, RunError> {
        let mut sockets = Vec::with_capacity(listen.len());
        let mut filtered = Vec::new();
        for &addr in listen {
            let socket = udp_socket(addr).map_err(|source| RunError::Bind { addr, source })?;
            // Best effort: without a second descriptor this socket is not filtered.
            if addr.is_ipv4()
                && let Ok(other) = socket.try_clone()
            {
                filtered.push(other);
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
        });
        Ok(Server {
            sockets,
            filtered,
            block,
            shared,
            refresher: None,
            subagent: None,
        })
    }

    /// Refreshes the device data while serving: on `refresher`'s interval and on SIGHUP.
    pub fn set_refresher(&mut self, refresher: Refresher) {
        self.refresher = Some(refresher);
    }

    /// Sets each principal's read view (see [`Agent::set_access`]).
    pub fn set_access(&self, access: crate::access::Access) {
        self.shared.agent.lock().set_access(access);
    }

    /// Serves through an AgentX master agent too (RFC 2741), reconnecting when it goes.
    pub fn set_subagent(&mut self, subagent: Subagent) {
        self.subagent = Some(subagent);
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
        tracing::info!(
            uptime_s = self.shared.origin.elapsed().as_secs(),
            received = summary.received,
            responses = summary.responses,
            reports = summary.reports,
            dropped = summary.dropped,
            send_errors = summary.send_errors,
            moderated = summary.moderated,
            intake_pauses = summary.intake_pauses,
            kernel_filters = summary.kernel_filters,
            "dqi-agent stopped"
        );
        match failure {
            None => Ok(summary),
            Some(reason) => Err(RunError::TaskFailed(reason)),
        }
    }
}

/// A UDP socket bound to `addr`, IPv6 sockets limited to IPv6 so that `0.0.0.0:161` and
/// `[::]:161` can both be listened on.
fn udp_socket(addr: SocketAddr) -> io::Result<std::net::UdpSocket> {
    use socket2::{Domain, Protocol, Socket, Type};
    let socket = Socket::new(Domain::for_address(addr), Type::DGRAM, Some(Protocol::UDP))?;
    if addr.is_ipv6() {
        socket.set_only_v6(true)?;
    }
    // Best effort: a smaller buffer only means earlier drops under a burst.
    let _ = socket.set_recv_buffer_size(SOCKET_RECEIVE_BUFFER);
    socket.set_nonblocking(true)?;
    socket.bind(&addr.into())?;
    Ok(socket.into())
}

impl Shared {
    /// The agent's clock: microseconds since start-up on the monotonic clock.
    fn now(&self) -> Instant {
        Instant::from_micros(u64::try_from(self.origin.elapsed().as_micros()).unwrap_or(u64::MAX))
    }

    /// sysUpTime now, in hundredths: the agent's uptime starts at the same origin. Wraps like
    /// TimeTicks (RFC 2578 §7.1.8).
    fn uptime_ticks(&self) -> u32 {
        (self.now().micros() / 10_000) as u32
    }

    fn handle(&self, datagram: &[u8], source: SocketAddr, reply: &mut Vec<u8>) -> Outcome {
        let now = self.now();
        let (outcome, boots) = {
            let mut agent = self.agent.lock();
            let outcome = agent.handle(datagram, source, now, reply);
            (outcome, agent.engine_boots())
        };
        self.totals.received.fetch_add(1, Ordering::Relaxed);
        match outcome {
            Outcome::Response | Outcome::Held { .. } => {
                self.totals.responses.fetch_add(1, Ordering::Relaxed);
            }
            Outcome::Report(counter) => {
                self.totals.reports.fetch_add(1, Ordering::Relaxed);
                self.events.lock().record(source.ip(), counter);
            }
            Outcome::Dropped(counter) => {
                self.totals.dropped.fetch_add(1, Ordering::Relaxed);
                self.events.lock().record(source.ip(), counter);
            }
            Outcome::OverBudget { reason, reported } => {
                let total = match reported {
                    true => &self.totals.reports,
                    false => &self.totals.dropped,
                };
                total.fetch_add(1, Ordering::Relaxed);
                self.events.lock().record(source.ip(), reason);
            }
        }
        tracing::debug!(%source, ?outcome, len = datagram.len(), "request");
        if boots != self.boots.load(Ordering::Relaxed) {
            self.persist_boots(boots);
        }
        outcome
    }

    /// Counts held answers a socket task shed (see [`crate::agent::Outcome::Held`]).
    fn note_shed(&self, n: u64) {
        self.agent.lock().note_shed(n);
    }

    /// Takes up to `max` intake tokens (at least one), or says how long until one refills.
    fn intake_take(&self, max: u32) -> Result<u32, Duration> {
        let now = self.now();
        let mut intake = self.intake.lock();
        let wanted = intake.available(now).min(max);
        if wanted > 0 && intake.try_take(now, wanted) {
            return Ok(wanted);
        }
        // One token's refill time, at least the timer's 1 ms resolution and the moderation
        // interval, so that a flood held at the ceiling is read in batches, not one datagram
        // per wake-up.
        let micros = intake.rate().micros_per_token();
        Err(Duration::from_micros(micros.max(1000)).max(self.moderation))
    }

    /// Records a boots value the agent moved to. Rare (engineTime wraps after 68 years), so the
    /// blocking write on the socket task is acceptable.
    fn persist_boots(&self, boots: u32) {
        let mut state = self.state.lock();
        // Another task may have persisted it while this one waited for the lock.
        if self.boots.load(Ordering::Relaxed) == boots {
            return;
        }
        if let Some(state) = state.as_mut() {
            match state.persist_boots(boots) {
                Ok(()) => tracing::info!(boots, "snmpEngineBoots incremented and persisted"),
                Err(e) => tracing::error!(boots, error = %e, "cannot persist snmpEngineBoots"),
            }
        }
        self.boots.store(boots, Ordering::Relaxed);
    }
}

#[derive(Default)]
struct Totals {
    received: AtomicU64,
    responses: AtomicU64,
    reports: AtomicU64,
    dropped: AtomicU64,
    send_errors: AtomicU64,
    intake_pauses: AtomicU64,
    moderated: AtomicU64,
    /// Times the kernel filter of flooding sources was replaced.
    kernel_filters: AtomicU64,
}

impl Totals {
    fn snapshot(&self) -> Summary {
        Summary {
            received: self.received.load(Ordering::Relaxed),
            responses: self.responses.load(Ordering::Relaxed),
            reports: self.reports.load(Ordering::Relaxed),
            dropped: self.dropped.load(Ordering::Relaxed),
            send_errors: self.send_errors.load(Ordering::Relaxed),
            intake_pauses: self.intake_pauses.load(Ordering::Relaxed),
            moderated: self.moderated.load(Ordering::Relaxed),
            kernel_filters: self.kernel_filters.load(Ordering::Relaxed),
        }
    }
}

async fn summary_loop(shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut interval = tokio::time::interval(SUMMARY_INTERVAL);
    interval.tick().await; // the first tick is immediate
    let mut pauses = 0;
    loop {
        tokio::select! {
            _ = stop.changed() => return,
            _ = interval.tick() => {}
        }
        let mut events = std::mem::take(&mut *shared.events.lock());
        log_events(&mut events);
        // One line per interval, however long the ceiling held.
        let now = shared.totals.intake_pauses.load(Ordering::Relaxed);
        if now > pauses {
            tracing::warn!(
                pauses = now - pauses,
                "intake ceiling reached: reading paused, the kernel dropped what did not fit"
            );
        }
        pauses = now;
    }
}

/// Security events by source address, since the last summary.
#[derive(Default)]
struct Events {
    by_source: HashMap<IpAddr, Tally>,
    /// Events from sources beyond [`MAX_TRACKED_SOURCES`].
    other: Tally,
}

/// One kind of security event: a protocol counter, or a budget refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Event {
    Protocol(Counter),
    Budget(Rejection),
}

impl From<Counter> for Event {
    fn from(counter: Counter) -> Event {
        Event::Protocol(counter)
    }
}

impl From<Rejection> for Event {
    fn from(reason: Rejection) -> Event {
        Event::Budget(reason)
    }
}

impl Event {
    /// The MIB object that counts it, e.g. `usmStatsWrongDigests`, `dqiBudgetRejectedSource`.
    fn name(self) -> &'static str {
        match self {
            Event::Protocol(counter) => counter.name(),
            Event::Budget(reason) => Scalar::rejected(reason).name(),
        }
    }
}

/// Counts by event, in first-seen order; a source rarely trips more than two or three.
#[derive(Default)]
struct Tally {
    counts: Vec<(Event, u64)>,
}

impl Tally {
    fn add(&mut self, event: impl Into<Event>) {
        let event = event.into();
        match self.counts.iter_mut().find(|(c, _)| *c == event) {
            Some((_, n)) => *n += 1,
            None => self.counts.push((event, 1)),
        }
    }

    fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }

    /// Whether any event is more than routine protocol traffic: discovery (unknownEngineID) and
    /// time synchronisation (notInTimeWindow) Reports start every manager's session.
    fn is_alarming(&self) -> bool {
        self.counts.iter().any(|(c, _)| {
            !matches!(
                c,
                Event::Protocol(
                    Counter::UsmStatsUnknownEngineIds | Counter::UsmStatsNotInTimeWindows
                )
            )
        })
    }

    /// `name=count` pairs, e.g. `usmStatsWrongDigests=12 usmStatsUnknownUserNames=3`.
    fn describe(&self) -> String {
        let mut s = String::new();
        for (i, (counter, n)) in self.counts.iter().enumerate() {
            let sep = if i == 0 { "" } else { " " };
            let _ = write!(s, "{sep}{}={n}", counter.name());
        }
        s
    }
}

impl Events {
    fn record(&mut self, source: IpAddr, event: impl Into<Event>) {
        if self.by_source.len() < MAX_TRACKED_SOURCES || self.by_source.contains_key(&source) {
            self.by_source.entry(source).or_default().add(event);
        } else {
            self.other.add(event);
        }
    }
}

/// Logs and clears `events`: one line per source, `warn` when anything beyond routine
/// discovery happened, `debug` otherwise.
fn log_events(events: &mut Events) {
    let mut sources: Vec<(&IpAddr, &Tally)> = events.by_source.iter().collect();
    sources.sort_by_key(|(ip, _)| **ip);
    for (ip, tally) in sources {
        if tally.is_alarming() {
            tracing::warn!(source = %ip, events = %tally.describe(), "security events");
        } else {
            tracing::debug!(source = %ip, events = %tally.describe(), "discovery");
        }
    }
    if !events.other.is_empty() {
        tracing::warn!(
            source = "other",
            events = %events.other.describe(),
            "security events from sources beyond the first {MAX_TRACKED_SOURCES}"
        );
    }
    *events = Events::default();
}

#[cfg(test)]
mod tests {
    use tokio::net::UdpSocket;

    use super::*;
    use crate::usm::Users;

    fn agent_config() -> agent::Config {
        agent::Config {
            engine_id: vec![0x80, 0x00, 0x1f, 0x88, 0x04, b't', b'e', b's', b't'],
            engine_boots: 1,
            users: Users::default(),
            tree: Tree::default(),
            max_message_size: 1500,
            salt_seed: 7,
            budget: crate::budget::BudgetConfig::default(),
            budget_seed: 11,
        }
    }

    fn ipv6_available() -> bool {
        std::net::UdpSocket::bind("[::1]:0").is_ok()
    }

    async fn wait_for(monitor: &Monitor, received: u64) -> Summary {
        for _ in 0..500 {
            let s = monitor.summary();
            if s.received >= received {
                return s;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        panic!(
            "server did not receive {received} datagrams: {:?}",
            monitor.summary()
        );
    }

    /// A device source whose refreshes block until the test lets them go.
    struct Stuck {
        calls: std::sync::atomic::AtomicUsize,
        release: std::sync::Mutex<std::sync::mpsc::Receiver<()>>,
    }

    impl crate::device::DeviceSource for Stuck {
        fn snapshot(&self) -> Result<crate::device::DeviceSnapshot, crate::device::DeviceError> {
            if self.calls.fetch_add(1, Ordering::SeqCst) > 0 {
                let release = self.release.lock().unwrap_or_else(|p| p.into_inner());
                let _ = release.recv_timeout(Duration::from_secs(120));
            }
            Ok(crate::device::DeviceSnapshot::default())
        }
    }

    // Regression (issue 12 #4): SIGTERM during a refresh ended the agent only when the refresh
    // ended (a FIFO: never; a 21 s parse: 21 s). Shutdown now abandons the refresh.
    #[tokio::test(flavor = "multi_thread", worker_threads = 1)]
    async fn shutdown_does_not_wait_for_a_refresh() {
        let (release, released) = std::sync::mpsc::channel();
        let source = Stuck {
            calls: std::sync::atomic::AtomicUsize::new(0),
            release: std::sync::Mutex::new(released),
        };
        let system = crate::mib::objects::System {
            description: "stuck".into(),
            object_id: vec![1, 3, 6, 1, 4, 1, 8072, 3, 2, 10],
            contact: String::new(),
            name: String::new(),
            location: String::new(),
            services: 72,
            or_entries: crate::mib::objects::System::standard_or_entries(),
        };
        let engine = Engine {
            engine_id: agent_config().engine_id,
            max_message_size: 1500,
        };
        // Refreshed every second; every refresh after the start-up load blocks.
        let device = Device::with_source(Box::new(source), 1, system, engine).unwrap();
        let listen = ["127.0.0.1:0".parse().unwrap()];
        let mut server = Server::bind(&listen, agent_config(), ReceiveConfig::default(), None)
            .await
            .unwrap();
        server.set_refresher(Refresher::new(Some(Arc::new(device))));
        let shutdown = tokio::time::sleep(Duration::from_millis(2500));
        let served = tokio::time::timeout(Duration::from_secs(30), server.serve(shutdown)).await;
        // Let the abandoned refresh go, so the test's runtime can end.
        let _ = release.send(());
        assert!(served.is_ok(), "serve() waited for the stuck refresh");
    }

    #[tokio::test]
    async fn serves_loopback_v4_and_v6_and_shuts_down() {
        let mut listen: Vec<SocketAddr> = vec!["127.0.0.1:0".parse().unwrap()];
        if ipv6_available() {
            listen.push("[::1]:0".parse().unwrap());
        }
        let server = Server::bind(&listen, agent_config(), ReceiveConfig::default(), None)
            .await
            .unwrap();
        let addrs = server.local_addrs();
        assert_eq!(addrs.len(), listen.len());
        assert!(addrs.iter().all(|a| a.port() != 0));
        let monitor = server.monitor();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let serving = tokio::spawn(server.serve(async {
            let _ = stopped.await;
        }));

        // Not SNMP: the agent drops it without a reply, and the driver counts it.
        for addr in &addrs {
            let client = UdpSocket::bind(if addr.is_ipv6() {
                "[::1]:0"
            } else {
                "127.0.0.1:0"
            })
            .await
            .unwrap();
            client.send_to(b"\x30\x03\x02\x01", addr).await.unwrap();
        }
        let summary = wait_for(&monitor, addrs.len() as u64).await;
        assert_eq!(summary.dropped, addrs.len() as u64);
        assert_eq!(summary.responses + summary.reports, 0);

        stop.send(()).unwrap();
        let summary = serving.await.unwrap().unwrap();
        assert_eq!(summary.received, addrs.len() as u64);
    }

    // The moderation tests speak through the library's manager.
    /// A server on 127.0.0.1 with `moderation`, serving until the returned sender fires.
    #[cfg(feature = "manager")]
    async fn moderated_server(
        moderation: Duration,
    ) -> (SocketAddr, Monitor, tokio::sync::oneshot::Sender<()>) {
        let receive = ReceiveConfig {
            moderation,
            ..ReceiveConfig::default()
        };
        let listen = ["127.0.0.1:0".parse().unwrap()];
        let server = Server::bind(&listen, agent_config(), receive, None)
            .await
            .unwrap();
        let addr = server.local_addrs()[0];
        let monitor = server.monitor();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        tokio::spawn(server.serve(async {
            let _ = stopped.await;
        }));
        (addr, monitor, stop)
    }

    /// Sends a discovery request from `client` and waits (at most 5 s) for the Report.
    #[cfg(feature = "manager")]
    async fn discover(client: &UdpSocket, addr: SocketAddr) {
        let request = crate::manager::Manager::discovery().request(crate::wire::Pdus::Get(
            crate::wire::Pdu {
                request_id: 1,
                error_status: 0,
                error_index: 0,
                varbinds: Vec::new(),
            },
        ));
        client.send_to(&request, addr).await.unwrap();
        let mut buf = [0u8; 1500];
        tokio::time::timeout(Duration::from_secs(5), client.recv_from(&mut buf))
            .await
            .expect("a Report to the discovery request")
            .unwrap();
    }

    #[cfg(feature = "manager")]
    #[tokio::test]
    async fn refusals_moderate_reading_until_a_clean_batch() {
        let (addr, monitor, stop) = moderated_server(Duration::from_millis(20)).await;
        let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        for _ in 0..3 {
            client.send_to(b"\x30\x03\x02\x01", addr).await.unwrap();
        }
        wait_for(&monitor, 3).await;
        // The batch refused everything: once drained, the task pauses before reading on.
        for _ in 0..500 {
            if monitor.summary().moderated > 0 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let paused = monitor.summary().moderated;
        assert!(paused > 0, "{:?}", monitor.summary());
        // A request during or after the pause is still answered, and batches that refuse
        // nothing end the moderation: no further pauses.
        discover(&client, addr).await;
        let after = monitor.summary().moderated;
        discover(&client, addr).await;
        discover(&client, addr).await;
        let summary = monitor.summary();
        assert_eq!(summary.moderated, after, "{summary:?}");
        assert_eq!(summary.reports, 3);
        stop.send(()).unwrap();
    }

    #[cfg(feature = "manager")]
    #[tokio::test]
    async fn zero_moderation_never_pauses() {
        let (addr, monitor, stop) = moderated_server(Duration::ZERO).await;
        let client = UdpSocket::bind("127.0.0.1:0").await.unwrap();
        for _ in 0..20 {
            client.send_to(b"\x30\x03\x02\x01", addr).await.unwrap();
        }
        let summary = wait_for(&monitor, 20).await;
        assert_eq!(summary.dropped, 20);
        discover(&client, addr).await;
        assert_eq!(monitor.summary().moderated, 0);
        stop.send(()).unwrap();
    }

    #[tokio::test]
    async fn bind_failure_names_the_address() {
        let taken = std::net::UdpSocket::bind("127.0.0.1:0").unwrap();
        let addr = taken.local_addr().unwrap();
        let err = Server::bind(&[addr], agent_config(), ReceiveConfig::default(), None)
            .await
            .err()
            .unwrap();
        assert!(
            err.to_string()
                .starts_with(&format!("cannot listen on {addr}: ")),
            "{err}"
        );
        assert_eq!(err.exit_code(), 1);
    }

    #[test]
    fn ipv6_sockets_leave_the_ipv4_port_free() {
        if std::net::UdpSocket::bind("[::]:0").is_err() {
            return; // no IPv6 in this environment
        }
        let v6 = udp_socket("[::]:0".parse().unwrap()).unwrap();
        let port = v6.local_addr().unwrap().port();
        // Without IPV6_V6ONLY the v6 wildcard would hold the v4 port too.
        udp_socket(SocketAddr::from(([0, 0, 0, 0], port))).unwrap();
    }

    #[test]
    fn events_are_tallied_per_source_and_bounded() {
        let mut events = Events::default();
        let ip = |n: u32| IpAddr::from(std::net::Ipv4Addr::from(0x0a00_0000 + n));
        for n in 0..(MAX_TRACKED_SOURCES as u32 + 10) {
            events.record(ip(n), Counter::UsmStatsWrongDigests);
        }
        events.record(ip(0), Counter::UsmStatsWrongDigests);
        events.record(ip(0), Counter::UsmStatsUnknownUserNames);
        assert_eq!(events.by_source.len(), MAX_TRACKED_SOURCES);
        assert_eq!(
            events.by_source[&ip(0)].describe(),
            "usmStatsWrongDigests=2 usmStatsUnknownUserNames=1"
        );
        assert_eq!(events.other.describe(), "usmStatsWrongDigests=10");
        // A tracked source keeps being tracked once the map is full.
        events.record(ip(5), Counter::UsmStatsDecryptionErrors);
        assert!(
            events.by_source[&ip(5)]
                .describe()
                .ends_with("usmStatsDecryptionErrors=1")
        );
        log_events(&mut events);
        assert!(events.by_source.is_empty() && events.other.is_empty());
    }

    #[test]
    fn discovery_is_routine_other_events_alarm() {
        let mut tally = Tally::default();
        tally.add(Counter::UsmStatsUnknownEngineIds);
        tally.add(Counter::UsmStatsNotInTimeWindows);
        assert!(!tally.is_alarming());
        tally.add(Counter::UsmStatsUnknownUserNames);
        assert!(tally.is_alarming());
    }

    #[tokio::test]
    async fn a_boots_bump_is_persisted_once() {
        let dir =
            std::env::temp_dir().join(format!("dqi-server-test-{}-boots", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let state = State::open(&dir, None).unwrap();
        let server = Server::bind(
            &["127.0.0.1:0".parse().unwrap()],
            agent_config(),
            ReceiveConfig::default(),
            Some(state),
        )
        .await
        .unwrap();
        server.shared.persist_boots(9);
        assert_eq!(server.shared.boots.load(Ordering::Relaxed), 9);
        let text = std::fs::read_to_string(dir.join(state::STATE_FILE)).unwrap();
        assert!(text.contains("boots = 9\n"), "{text}");
        assert_eq!(State::open(&dir, None).unwrap().boots(), 10);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
