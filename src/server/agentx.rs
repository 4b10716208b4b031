//! The AgentX subagent's connection to the master agent (RFC 2741): connect, open a session,
//! register, answer the master's reads, ping, and reconnect with backoff when the master goes.
//!
//! The PDUs and the answers are the sans-I/O [`crate::agentx`]'s; this module owns the stream
//! (a Unix socket or TCP), the session's life (§7.1: Open, Register, Close) and its rate
//! limit. The master did USM and access control, so the agent's own budget sees neither a user
//! nor a source here: the one limit it can still apply is on the session as a whole, a token
//! bucket of bindings (`[agentx] rate` and `burst`). A read over it waits for its tokens when
//! they come within [`MAX_PACE`] (the session is served in order, so this paces the master and,
//! through it, a walk); a read that would wait longer is answered `genErr`, which the master
//! passes on to its manager.

use std::io;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};
use tokio::sync::watch;

use super::Shared;
use crate::agentx::{self, HEADER_LEN, Header, Pdu, PduType, error, reason};
use crate::budget::Bucket;
use crate::config::{AgentxConfig, MasterAddress};
use crate::mib::dqi::DQI_ROOT;

/// The first wait before reconnecting; doubled per failed attempt.
const MIN_BACKOFF: Duration = Duration::from_millis(250);
/// The longest wait before reconnecting.
const MAX_BACKOFF: Duration = Duration::from_secs(30);
/// The longest a read waits for the session's bucket to refill: half of net-snmp's default
/// AgentX timeout (1 s), so that the master still gets its answer.
const MAX_PACE: Duration = Duration::from_millis(500);
/// How long the master may take to answer the subagent's Open, Register or Ping.
const ANSWER_TIMEOUT: Duration = Duration::from_secs(5);

/// What the subagent needs besides the agent.
pub struct Subagent {
    /// `[agentx]`.
    pub config: AgentxConfig,
    /// `o.id` in the Open: the agent's sysObjectID.
    pub id: Vec<u32>,
}

/// Why a session ended.
#[derive(Debug, thiserror::Error)]
enum SessionError {
    #[error("cannot connect to {0}: {1}")]
    Connect(String, #[source] io::Error),
    #[error("connection: {0}")]
    Io(#[from] io::Error),
    #[error("malformed PDU from the master: {0}")]
    Decode(#[from] agentx::DecodeError),
    #[error("the master refused {what} with error {code}")]
    Refused { what: &'static str, code: u16 },
    #[error("the master closed the session (reason {0})")]
    Closed(u8),
    #[error("the master did not answer within {0:?}")]
    Silent(Duration),
}

/// Runs the subagent until `stop`: one session after another, waiting [`MIN_BACKOFF`], doubled
/// per failure up to [`MAX_BACKOFF`], between attempts; a session that got registered resets
/// the wait.
pub(super) async fn run(sub: Subagent, shared: Arc<Shared>, mut stop: watch::Receiver<bool>) {
    let mut backoff = MIN_BACKOFF;
    loop {
        let mut registered = false;
        let ended = session(&sub, &shared, &mut stop, &mut registered).await;
        if *stop.borrow() {
            return;
        }
        if registered {
            backoff = MIN_BACKOFF;
        }
        match ended {
            Ok(()) => return,
            Err(e) => tracing::warn!(
                master = %sub.config.socket,
                error = %e,
                retry_ms = backoff.as_millis() as u64,
                "AgentX session ended"
            ),
        }
        tokio::select! {
            _ = stop.changed() => return,
            () = tokio::time::sleep(backoff) => {}
        }
        backoff = (backoff * 2).min(MAX_BACKOFF);
    }
}

/// A byte stream to the master.
trait Stream: AsyncRead + AsyncWrite + Unpin + Send {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send> Stream for T {}

async fn connect(address: &MasterAddress) -> Result<Box<dyn Stream>, SessionError> {
    let failed = |e| SessionError::Connect(address.to_string(), e);
    Ok(match address {
        #[cfg(unix)]
        MasterAddress::Unix(path) => Box::new(
            tokio::net::UnixStream::connect(path)
                .await
                .map_err(failed)?,
        ),
        #[cfg(not(unix))]
        MasterAddress::Unix(_) => {
            return Err(failed(io::Error::new(
                io::ErrorKind::Unsupported,
                "Unix sockets are not available on this platform",
            )));
        }
        MasterAddress::Tcp(addr) => {
            let stream = tokio::net::TcpStream::connect(addr).await.map_err(failed)?;
            let _ = stream.set_nodelay(true);
            Box::new(stream)
        }
    })
}

/// One session: Open, Register, then the master's requests until it goes or `stop`.
async fn session(
    sub: &Subagent,
    shared: &Shared,
    stop: &mut watch::Receiver<bool>,
    registered: &mut bool,
) -> Result<(), SessionError> {
    let mut conn = Connection {
        stream: connect(&sub.config.socket).await?,
        session_id: 0,
        packet_id: 0,
        out: Vec::with_capacity(1024),
    };
    let open = Pdu::Open {
        timeout: 0,
        id: sub.id.clone(),
        descr: concat!("dqi-agent ", env!("CARGO_PKG_VERSION"))
            .as_bytes()
            .to_vec(),
    };
    let header = conn.call(PduType::Open, &open, "Open").await?;
    conn.session_id = header.session_id;
    let mut subtrees = vec![DQI_ROOT];
    subtrees.extend(sub.config.mirrors.iter().map(|m| m.subtree()));
    for (i, subtree) in subtrees.into_iter().enumerate() {
        let register = Pdu::Register {
            timeout: 0,
            priority: sub.config.priority,
            subtree: subtree.to_vec(),
        };
        match conn.call(PduType::Register, &register, "Register").await {
            Ok(_) => {}
            // A mirror the master serves itself at the same priority is its to serve.
            Err(SessionError::Refused { code, .. }) if i > 0 => {
                tracing::warn!(subtree = %dotted(subtree), code, "AgentX registration refused; the master keeps serving it");
            }
            Err(e) => return Err(e),
        }
    }
    *registered = true;
    tracing::info!(
        master = %sub.config.socket,
        session = conn.session_id,
        "AgentX session open, DQI-MIB registered"
    );

    let mut counts = Counts::default();
    let result = serve(&mut conn, sub, shared, stop, &mut counts).await;
    tracing::info!(
        session = conn.session_id,
        answered = counts.answered,
        paced = counts.paced,
        refused = counts.refused,
        "AgentX session closed"
    );
    result
}

/// Reads answered, paced and refused in one session, for its closing log line.
#[derive(Default)]
struct Counts {
    answered: u64,
    paced: u64,
    refused: u64,
}

/// The registered session: the master's PDUs until it goes or `stop`.
async fn serve(
    conn: &mut Connection,
    sub: &Subagent,
    shared: &Shared,
    stop: &mut watch::Receiver<bool>,
    counts: &mut Counts,
) -> Result<(), SessionError> {
    let now = || shared.now();
    let mut bucket = Bucket::new(sub.config.rate, sub.config.burst, now());
    let idle = sub.config.ping_interval.unwrap_or(Duration::MAX);
    let mut ping_sent = false;
    loop {
        let read = tokio::select! {
            _ = stop.changed() => {
                let _ = conn.send(PduType::Close, 0, 0, &Pdu::Close { reason: reason::SHUTDOWN }).await;
                return Ok(());
            }
            read = tokio::time::timeout(idle.min(Duration::from_secs(86_400)), conn.read()) => read,
        };
        let (header, pdu) = match read {
            Err(_) if ping_sent => return Err(SessionError::Silent(idle)),
            Err(_) => {
                conn.send(PduType::Ping, 0, 0, &Pdu::Ping { context: None })
                    .await?;
                ping_sent = true;
                continue;
            }
            Ok(read) => read?,
        };
        ping_sent = false;
        let pdu = match pdu {
            Ok(pdu) => pdu,
            // The header was sound, so the stream is still in step: refuse the one PDU.
            Err(e) => {
                tracing::debug!(error = %e, "AgentX PDU refused");
                conn.respond(&header, error::PARSE_ERROR, 0, Vec::new())
                    .await?;
                continue;
            }
        };
        match pdu {
            Pdu::Get { .. } | Pdu::GetNext { .. } | Pdu::GetBulk { .. } => {
                let cost = cost(&pdu, &shared.agent.lock()).min(bucket.burst());
                if !bucket.try_take(now(), cost) {
                    // The session is served one PDU at a time, so waiting for the tokens paces
                    // the master as dropping paces a UDP manager; a wait longer than the
                    // master would is refused at once instead.
                    let missing = cost.saturating_sub(bucket.available(now()));
                    let wait = Duration::from_micros(
                        sub.config
                            .rate
                            .micros_per_token()
                            .saturating_mul(u64::from(missing) + 1),
                    );
                    if wait <= MAX_PACE {
                        counts.paced += 1;
                        tokio::time::sleep(wait).await;
                    }
                    if wait > MAX_PACE || !bucket.try_take(now(), cost) {
                        counts.refused += 1;
                        conn.respond(&header, error::GEN_ERR, 1, Vec::new()).await?;
                        continue;
                    }
                }
                let answer = shared.agent.lock().answer_agentx(&pdu, now());
                let (code, index, varbinds) =
                    answer.unwrap_or((error::PROCESSING_ERROR, 0, Vec::new()));
                // Refund what the answer did not use, as the UDP path's settle does.
                bucket.refund(cost.saturating_sub(varbinds.len() as u32));
                counts.answered += 1;
                conn.respond(&header, code, index, varbinds).await?;
            }
            Pdu::Set(PduType::TestSet) => {
                conn.respond(&header, error::NOT_WRITABLE, 1, Vec::new())
                    .await?
            }
            Pdu::Set(PduType::CommitSet) => {
                conn.respond(&header, error::COMMIT_FAILED, 0, Vec::new())
                    .await?
            }
            Pdu::Set(PduType::UndoSet) => {
                conn.respond(&header, error::UNDO_FAILED, 0, Vec::new())
                    .await?
            }
            // CleanupSet has no Response (§7.2.4.4).
            Pdu::Set(_) => {}
            Pdu::Ping { .. } => {
                conn.respond(&header, error::NO_ERROR, 0, Vec::new())
                    .await?
            }
            // The answer to the subagent's own Ping.
            Pdu::Response { .. } => {}
            Pdu::Close { reason } => return Err(SessionError::Closed(reason)),
            _ => {
                conn.respond(&header, error::PROCESSING_ERROR, 0, Vec::new())
                    .await?
            }
        }
    }
}

/// What a read may cost at most, in bindings: the session's bucket is charged this before the
/// work, as the UDP path charges a user.
fn cost(pdu: &Pdu, agent: &crate::agent::Agent) -> u32 {
    let config = agent.budget().config();
    let cap = config.max_response_varbinds.max(1);
    let n = |ranges: &Vec<agentx::SearchRange>| u32::try_from(ranges.len()).unwrap_or(u32::MAX);
    let worst = match pdu {
        Pdu::Get { ranges, .. } | Pdu::GetNext { ranges, .. } => n(ranges),
        Pdu::GetBulk {
            non_repeaters,
            max_repetitions,
            ranges,
            ..
        } => {
            let count = n(ranges);
            let nr = u32::from(*non_repeaters).min(count);
            let m = u32::from(*max_repetitions).min(config.max_repetitions);
            nr.saturating_add(m.saturating_mul(count - nr))
        }
        _ => 0,
    };
    worst.clamp(1, cap)
}

fn dotted(oid: &[u32]) -> String {
    oid.iter().map(u32::to_string).collect::<Vec<_>>().join(".")
}

/// The stream and the session's numbering.
struct Connection {
    stream: Box<dyn Stream>,
    session_id: u32,
    packet_id: u32,
    out: Vec<u8>,
}

impl Connection {
    /// Sends `pdu` and writes it out in one piece.
    async fn send(
        &mut self,
        kind: PduType,
        transaction_id: u32,
        packet_id: u32,
        pdu: &Pdu,
    ) -> io::Result<()> {
        self.out.clear();
        agentx::encode(
            &Header::new(kind, self.session_id, transaction_id, packet_id),
            pdu,
            &mut self.out,
        );
        self.stream.write_all(&self.out).await?;
        self.stream.flush().await
    }

    /// A Response to the master's PDU `to`.
    async fn respond(
        &mut self,
        to: &Header,
        code: u16,
        index: u16,
        varbinds: Vec<agentx::VarBind>,
    ) -> io::Result<()> {
        let response = Pdu::Response {
            sys_uptime: 0,
            error: code,
            index,
            varbinds,
        };
        self.send(
            PduType::Response,
            to.transaction_id,
            to.packet_id,
            &response,
        )
        .await
    }

    /// Reads one PDU: its header, and the body or why the body did not decode. A header that
    /// does not decode loses the stream's framing, so it ends the session.
    async fn read(&mut self) -> Result<(Header, Result<Pdu, agentx::DecodeError>), SessionError> {
        let mut fixed = [0u8; HEADER_LEN];
        self.stream.read_exact(&mut fixed).await?;
        let header = agentx::header(&fixed)?;
        let mut payload = vec![0u8; header.payload_length as usize];
        self.stream.read_exact(&mut payload).await?;
        Ok((header, agentx::decode(&header, &payload)))
    }

    /// Sends the subagent's own `pdu` and waits for the master's Response to it; PDUs in
    /// between are not expected before the session is registered and are dropped.
    async fn call(
        &mut self,
        kind: PduType,
        pdu: &Pdu,
        what: &'static str,
    ) -> Result<Header, SessionError> {
        self.packet_id = self.packet_id.wrapping_add(1);
        let packet_id = self.packet_id;
        self.send(kind, 0, packet_id, pdu).await?;
        let answer = async {
            loop {
                let (header, body) = self.read().await?;
                if header.pdu_type() != Some(PduType::Response) || header.packet_id != packet_id {
                    continue;
                }
                return match body? {
                    Pdu::Response { error: 0, .. } => Ok(header),
                    Pdu::Response { error: code, .. } => Err(SessionError::Refused { what, code }),
                    _ => Err(SessionError::Refused {
                        what,
                        code: error::PROCESSING_ERROR,
                    }),
                };
            }
        };
        tokio::time::timeout(ANSWER_TIMEOUT, answer)
            .await
            .map_err(|_| SessionError::Silent(ANSWER_TIMEOUT))?
    }
}
