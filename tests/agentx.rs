//! AgentX interop: Debian's net-snmp `snmpd` as the master agent (`master agentx`, a private
//! `agentXSocket` in the test's directory, a private UDP port), `dqi-agent` as its subagent
//! with no UDP listener of its own (`listen = []`), and net-snmp's tools asking the master over
//! SNMPv3 for DQI-MIB objects and the software table. The master is restarted and the
//! subagent must register again by itself. A second master listens for AgentX on TCP (a
//! private loopback port) and the subagent registers the ENTITY-MIB and HOST-RESOURCES-MIB
//! mirrors with it. A scripted master over TCP checks the answer to a read in a context the
//! subagent does not serve (`unsupportedContext`, RFC 2741 §7.2.2).

mod common;

use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::time::{Duration, Instant};

use common::*;
use dqi_agent::agentx::{self, HEADER_LEN, Header, Pdu, PduType};

/// `dqiAgentVersion`, the first DQI-MIB agent object: the subagent's own version.
const DQI_AGENT_VERSION: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.5.1.0";
/// How long the subagent may take to (re)register after the master is up.
const REGISTER_TIMEOUT: Duration = Duration::from_secs(15);

/// The subagent process, killed when dropped.
struct Subagent {
    process: LoggedChild,
}

impl Subagent {
    /// Starts `dqi-agent` as a subagent of the master at `socket` (a Unix socket path or
    /// `tcp:127.0.0.1:PORT`), with `extra` TOML appended to its `[agentx]` section.
    fn start(dir: &TestDir, config: &Config, socket: &str, extra: &str) -> Subagent {
        let state_dir = dir.join("dqi-state");
        fs::create_dir_all(&state_dir).expect("state dir");
        let toml = config.to_toml(0, &state_dir);
        // The harness always listens somewhere; a subagent need not.
        let toml = toml
            .lines()
            .map(|l| {
                if l.starts_with("listen = ") {
                    "listen = []"
                } else {
                    l
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let toml = format!("{toml}\n\n[agentx]\nsocket = {}\n{extra}", toml_str(socket));
        let path = dir.join("subagent.toml");
        write_file(&path, &toml, 0o600);
        let process = LoggedChild::spawn(
            &mut agent_command(&path),
            dir.join("subagent.log"),
            "dqi-agent",
        );
        Subagent { process }
    }

    fn log(&self) -> String {
        self.process.log()
    }
}

/// A master `snmpd` with the test's users, serving AgentX on `socket` (as `agentXSocket`
/// takes it: a path, or `tcp:127.0.0.1:PORT`).
fn start_master(dir: &TestDir, config: &Config, socket: &str) -> Agent {
    // snmpd reads snmpd.local.conf beside the harness's snmpd.conf (SNMPCONFPATH).
    write_file(
        &dir.join("snmpd.local.conf"),
        &format!("master agentx\nagentXSocket {socket}\nagentXTimeout 2\n"),
        0o600,
    );
    Agent::start_flavor(Flavor::Snmpd, dir, config)
}

/// Polls the master until the subagent's registration answers `dqiAgentVersion`.
fn wait_registered(snmp: &NetSnmp, master: &Agent, user: &User, subagent: &Subagent) {
    let deadline = Instant::now() + REGISTER_TIMEOUT;
    loop {
        let out = snmp.query_timed(
            "snmpget",
            master,
            user,
            user.level(),
            (0, 1),
            &[],
            &[DQI_AGENT_VERSION],
        );
        if out.success() && out.bindings().first().is_some_and(|b| b.kind == "STRING") {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "the subagent did not register with the master within {REGISTER_TIMEOUT:?}\n{}\n--- subagent log ---\n{}",
            out.describe(),
            subagent.log()
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

fn prerequisites() -> Option<NetSnmp> {
    if !require_programs(&["snmpd"], "snmpd") || !require_programs(&NETSNMP_TOOLS, "snmp") {
        return None;
    }
    NetSnmp::new()
}

/// A master, its subagent and what the test needs to query them. Declared before the
/// processes, the directory outlives them.
struct Setup {
    dir: TestDir,
    snmp: NetSnmp,
    user: User,
    master_config: Config,
    socket: String,
    master: Agent,
    subagent: Subagent,
}

/// A free TCP port on loopback, for a master's AgentX listener.
fn free_tcp_port() -> u16 {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind an ephemeral port");
    listener.local_addr().expect("local address").port()
}

/// [`setup_on`] with the master listening for AgentX on a Unix socket in the test's directory.
fn setup(label: &str, session: &str) -> Option<Setup> {
    setup_on(label, None, session)
}

/// A master and, connected to it, a subagent serving the example device, `session` appended
/// to its `[agentx]` section; the subagent registered. The master's AgentX socket is `socket`
/// when given (`tcp:...`).
fn setup_on(label: &str, socket: Option<String>, session: &str) -> Option<Setup> {
    setup_with(label, socket, session, Vec::new())
}

/// As [`setup_on`], `snmpd_args` added to the master's command line.
fn setup_with(
    label: &str,
    socket: Option<String>,
    session: &str,
    snmpd_args: Vec<String>,
) -> Option<Setup> {
    let snmp = prerequisites()?;
    let dir = TestDir::new(label);
    let user = User::new("dqi-master", "SHA-256", Some("AES-128"));
    let mut master_config = Config::new(vec![user.clone()]);
    master_config.snmpd_args = snmpd_args;
    let socket = socket.unwrap_or_else(|| dir.join("master.sock").to_string_lossy().into_owned());
    let master = start_master(&dir, &master_config, &socket);
    let device = example_device(&dir);
    let local_user = User::new("unused-locally", "SHA-256", Some("AES-128"));
    let sub_config = Config::new(vec![local_user]).with_section(device);
    let subagent = Subagent::start(&dir, &sub_config, &socket, session);
    wait_registered(&snmp, &master, &user, &subagent);
    Some(Setup {
        dir,
        snmp,
        user,
        master_config,
        socket,
        master,
        subagent,
    })
}

#[test]
fn the_master_serves_the_dqi_mib_and_the_subagent_comes_back_after_a_master_restart() {
    // A roomy session rate, so the walks below are not paced; the limit has its own test.
    let Some(Setup {
        dir,
        snmp,
        user,
        master_config,
        socket,
        mut master,
        subagent,
    }) = setup("agentx", "rate = \"100000/second\"\nburst = 100000\n")
    else {
        return;
    };

    // Scalars and the software table, through the master's SNMPv3.
    let got = snmp.get(&master, &user, &[DQI_AGENT_VERSION, SW_COUNT]);
    assert_eq!(got[0].value, env!("CARGO_PKG_VERSION"));
    let rows = got[1].number().expect("dqiSwCount is a number");
    assert!(rows > 0, "{got:?}");
    let names = snmp.walk(&master, &user, SW_NAME);
    assert_eq!(names.len() as u64, rows, "one dqiSwName per row: {names:?}");
    assert!(names.iter().all(|b| oid_under(&b.oid, SW_NAME)));
    let purls = snmp.walk(&master, &user, SW_PURL);
    assert!(
        purls.iter().any(|b| b.value.contains(LOG4J_PURL)),
        "the vulnerable component is in the table: {purls:?}"
    );
    // GetBulk through the master walks the same rows.
    let bulk = snmp.bindings_within(
        "snmpbulkwalk",
        &master,
        &user,
        &["-Cr10"],
        &[SW_NAME],
        TOOL_TIMEOUT,
    );
    assert_eq!(
        bulk.iter().map(|b| &b.value).collect::<Vec<_>>(),
        names.iter().map(|b| &b.value).collect::<Vec<_>>()
    );
    // Outside the registration the master answers from its own MIBs, and a Set on a DQI
    // object reaches the subagent, which writes nothing.
    let set = snmp.query(
        "snmpset",
        &master,
        &user,
        user.level(),
        &[],
        &[DQI_AGENT_VERSION, "s", "changed"],
    );
    assert!(!set.success(), "{}", set.describe());
    assert!(
        set.stderr.contains("notWritable"),
        "the subagent refuses the TestSet\n{}",
        set.describe()
    );

    // The master goes away and comes back (with a new UDP port, the same AgentX socket).
    master.terminate(Duration::from_secs(5));
    drop(master);
    let master = start_master(&dir, &master_config, &socket);
    wait_registered(&snmp, &master, &user, &subagent);
    let again = snmp.walk(&master, &user, SW_NAME);
    assert_eq!(again.len(), names.len());
    let log = subagent.log();
    assert!(
        log.matches("DQI-MIB registered").count() >= 2,
        "the subagent logs both registrations\n{log}"
    );
}

#[test]
fn a_session_over_its_rate_gets_gen_err() {
    // Four bindings, then one a minute: far beyond what the subagent waits for. The
    // registration probe spends one of the four.
    let Some(Setup {
        snmp,
        user,
        master,
        subagent: _subagent,
        dir: _dir,
        ..
    }) = setup("agentx-rate", "rate = \"1/minute\"\nburst = 4\n")
    else {
        return;
    };
    let mut refused = None;
    for attempt in 1..=6 {
        let out = snmp.query(
            "snmpget",
            &master,
            &user,
            user.level(),
            &[],
            &[DQI_AGENT_VERSION],
        );
        if !out.success() || !out.stderr.is_empty() {
            refused = Some((attempt, out));
            break;
        }
    }
    let (attempt, out) = refused.expect("the session's bucket runs out");
    assert!(attempt <= 4, "refused only after {attempt} reads");
    assert!(
        out.stderr.contains("genError") || out.stdout.contains("genError"),
        "{}",
        out.describe()
    );
}

/// net-snmp's HOST-RESOURCES-MIB modules that the mirror replaces, for `snmpd -I`.
const HR_MODULES_LEFT_OUT: &str = "-hr_system,hr_swinst,hrSWInstalledTable";

/// `entPhysicalSerialNum` (ENTITY-MIB), a column the master does not serve itself.
const ENT_PHYSICAL_SERIAL_NUM: &str = ".1.3.6.1.2.1.47.1.1.1.1.11";

#[test]
fn over_tcp_the_subagent_registers_the_mirrors_with_the_master() {
    let port = free_tcp_port();
    let Some(Setup {
        snmp,
        user,
        master,
        subagent,
        dir: _dir,
        ..
    }) = setup_with(
        "agentx-tcp",
        Some(format!("tcp:127.0.0.1:{port}")),
        "rate = \"100000/second\"\nburst = 100000\nmirrors = [\"entity-mib\", \"host-resources-mib\"]\n",
        // snmpd serves hrSystem and hrSWInstalled itself (the host's dpkg packages), and its
        // own, more specific registrations would win over the mirror's: this master leaves
        // them out, as a device whose software table is the SBOM's would.
        vec!["-I".into(), HR_MODULES_LEFT_OUT.into()],
    )
    else {
        return;
    };
    let got = snmp.get(&master, &user, &[DQI_AGENT_VERSION, SW_COUNT]);
    assert_eq!(got[0].value, env!("CARGO_PKG_VERSION"));
    // ENTITY-MIB through the master: the unit's serial number from the example device.
    let serials = snmp.walk(&master, &user, ENT_PHYSICAL_SERIAL_NUM);
    assert!(
        serials.iter().any(|b| b.value.contains("IS3K-24-004217")),
        "entPhysicalSerialNum through the master: {serials:?}"
    );
    // HOST-RESOURCES-MIB's software table through the master: the SBOM's rows.
    let installed = snmp.walk(&master, &user, HR_SW_INSTALLED_NAME);
    let names: Vec<&str> = installed.iter().map(|b| b.value.as_str()).collect();
    assert!(
        names.iter().any(|n| n.contains("log4j-core")) && names.len() < 50,
        "hrSWInstalledName through the master is the SBOM's: {names:?}"
    );
    let log = subagent.log();
    assert!(
        log.contains(&format!("tcp:127.0.0.1:{port}")) && log.contains("DQI-MIB registered"),
        "the subagent names its TCP master\n{log}"
    );
}

/// A scripted master: one connection over TCP, read and written PDU by PDU with the crate's own
/// codec.
struct ScriptedMaster {
    stream: TcpStream,
}

impl ScriptedMaster {
    fn read(&mut self) -> (Header, Pdu) {
        let mut fixed = [0u8; HEADER_LEN];
        self.stream.read_exact(&mut fixed).expect("a PDU header");
        let header = agentx::header(&fixed).expect("a sound header");
        let mut body = vec![0u8; header.payload_length as usize];
        self.stream.read_exact(&mut body).expect("the PDU body");
        let pdu = agentx::decode(&header, &body).expect("a sound body");
        (header, pdu)
    }

    fn send(&mut self, kind: PduType, session: u32, packet: u32, pdu: &Pdu) {
        let mut out = Vec::new();
        agentx::encode(&Header::new(kind, session, 7, packet), pdu, &mut out);
        self.stream.write_all(&out).expect("write a PDU");
    }

    /// Answers the subagent's next PDU (its Open or a Register) with success.
    fn accept_next(&mut self, expected: PduType, session: u32) -> Pdu {
        let (header, pdu) = self.read();
        assert_eq!(header.pdu_type(), Some(expected), "{pdu:?}");
        let ok = Pdu::Response {
            sys_uptime: 0,
            error: agentx::error::NO_ERROR,
            index: 0,
            varbinds: Vec::new(),
        };
        self.send(PduType::Response, session, header.packet_id, &ok);
        pdu
    }

    /// Sends a Get of `name` in `context` and returns the Response's error and bindings.
    fn get(
        &mut self,
        session: u32,
        packet: u32,
        context: Option<&[u8]>,
        name: &[u32],
    ) -> (u16, Vec<agentx::VarBind>) {
        let get = Pdu::Get {
            context: context.map(<[u8]>::to_vec),
            ranges: vec![agentx::SearchRange {
                start: agentx::Oid {
                    subids: name.to_vec(),
                    include: false,
                },
                end: agentx::Oid::default(),
            }],
        };
        self.send(PduType::Get, session, packet, &get);
        loop {
            let (header, pdu) = self.read();
            if let Pdu::Response {
                error, varbinds, ..
            } = pdu
                && header.packet_id == packet
            {
                return (error, varbinds);
            }
        }
    }
}

#[test]
fn a_read_in_a_context_the_subagent_does_not_serve_is_unsupported_context() {
    let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("listen");
    let port = listener.local_addr().expect("address").port();
    let dir = TestDir::new("agentx-context");
    let config = Config::new(vec![User::new(
        "unused-locally",
        "SHA-256",
        Some("AES-128"),
    )])
    .with_section(example_device(&dir));
    let subagent = Subagent::start(&dir, &config, &format!("tcp:127.0.0.1:{port}"), "");
    listener.set_nonblocking(true).expect("nonblocking");
    let deadline = Instant::now() + REGISTER_TIMEOUT;
    let stream = loop {
        match listener.accept() {
            Ok((stream, _)) => break stream,
            Err(_) if Instant::now() < deadline => std::thread::sleep(Duration::from_millis(50)),
            Err(e) => panic!("the subagent did not connect: {e}\n{}", subagent.log()),
        }
    };
    stream.set_nonblocking(false).expect("blocking");
    stream
        .set_read_timeout(Some(REGISTER_TIMEOUT))
        .expect("timeout");
    let mut master = ScriptedMaster { stream };
    const SESSION: u32 = 4242;
    assert!(matches!(
        master.accept_next(PduType::Open, SESSION),
        Pdu::Open { .. }
    ));
    let Pdu::Register { subtree, .. } = master.accept_next(PduType::Register, SESSION) else {
        panic!("a Register");
    };
    let name: Vec<u32> = DQI_AGENT_VERSION[1..]
        .split('.')
        .map(|s| s.parse().expect("a number"))
        .collect();
    assert!(name.starts_with(&subtree), "{subtree:?}");

    let (error, varbinds) = master.get(SESSION, 1, Some(b"other-context"), &name);
    assert_eq!(error, agentx::error::UNSUPPORTED_CONTEXT, "{varbinds:?}");
    assert!(varbinds.is_empty());
    // The default context, on the same session: answered.
    let (error, varbinds) = master.get(SESSION, 2, None, &name);
    assert_eq!(error, agentx::error::NO_ERROR);
    assert_eq!(
        varbinds[0].data,
        agentx::Data::OctetString(env!("CARGO_PKG_VERSION").as_bytes().to_vec())
    );
}
