//! The driver end to end on loopback: bind, serve, moderation, shutdown, boots persistence.

use tokio::net::UdpSocket;

use super::*;
use std::sync::atomic::Ordering;

use crate::mib::Tree;
use crate::mib::objects::Engine;
use crate::state;
use crate::usm::Users;

fn agent_config() -> agent::CoreConfig {
    agent::CoreConfig {
        engine_id: vec![0x80, 0x00, 0x1f, 0x88, 0x04, b't', b'e', b's', b't'],
        engine_boots: 1,
        users: Users::default(),
        tree: Tree::default(),
        max_message_size: 1500,
        salt_seed: 7,
        budget: crate::budget::ValidBudget::default(),
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
    let device = ServedDevice::with_source(Box::new(source), 1, system, engine).unwrap();
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
    let request =
        crate::manager::Manager::discovery().request(crate::wire::Pdus::Get(crate::wire::Pdu {
            request_id: 1,
            error_status: 0,
            error_index: 0,
            varbinds: Vec::new(),
        }));
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
    assert!(
        err.to_string()
            .ends_with("(for 161 usually snmpd: stop it, choose another port, or serve through it with [agentx])"),
        "{err}"
    );
    assert_eq!(err.exit_code(), 1);
}

#[test]
fn a_privileged_port_refused_names_the_capability() {
    let denied = RunError::Bind {
        addr: "0.0.0.0:161".parse().unwrap(),
        source: io::Error::from(io::ErrorKind::PermissionDenied),
    };
    assert!(
        denied
            .to_string()
            .contains("ports below 1024 need root or CAP_NET_BIND_SERVICE"),
        "{denied}"
    );
    let high = RunError::Bind {
        addr: "0.0.0.0:1161".parse().unwrap(),
        source: io::Error::from(io::ErrorKind::PermissionDenied),
    };
    assert!(!high.to_string().contains("CAP_NET_BIND_SERVICE"), "{high}");
}

#[tokio::test]
async fn a_boots_bump_is_persisted_once() {
    let dir = crate::test_dir::TempDir::new("server-boots");
    let state = State::open(dir.path(), None).unwrap();
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
    assert_eq!(State::open(dir.path(), None).unwrap().boots(), 10);
}
