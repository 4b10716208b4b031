//! AgentX interop: Debian's net-snmp `snmpd` as the master agent (`master agentx`, a private
//! `agentXSocket` in the test's directory, a private UDP port), `dqi-agent` as its subagent
//! with no UDP listener of its own (`listen = []`), and net-snmp's tools asking the master over
//! SNMPv3 for DQI-MIB objects and the software table. The master is restarted and the
//! subagent must register again by itself.

mod common;

use std::fs::{self, File};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// `dqiAgentVersion`, the first DQI-MIB agent object: the subagent's own version.
const DQI_AGENT_VERSION: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.5.1.0";
/// How long the subagent may take to (re)register after the master is up.
const REGISTER_TIMEOUT: Duration = Duration::from_secs(15);

/// The subagent process, killed when dropped.
struct Subagent {
    child: Child,
    log: std::path::PathBuf,
}

impl Subagent {
    /// Starts `dqi-agent` as a subagent of the master at `socket`, with `extra` TOML appended
    /// to its `[agentx]` section.
    fn start(dir: &TestDir, config: &Config, socket: &Path, extra: &str) -> Subagent {
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
        let toml = format!(
            "{toml}\n\n[agentx]\nsocket = {}\n{extra}",
            toml_str(&socket.to_string_lossy())
        );
        let path = dir.join("subagent.toml");
        write_file(&path, &toml, 0o600);
        let log = dir.join("subagent.stderr");
        let child = Command::new(env!("CARGO_BIN_EXE_dqi-agent"))
            .arg("--config")
            .arg(&path)
            .env_remove("RUST_LOG")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(File::create(&log).expect("log file"))
            .spawn()
            .expect("spawn dqi-agent");
        Subagent { child, log }
    }

    fn log(&self) -> String {
        fs::read_to_string(&self.log).unwrap_or_default()
    }
}

impl Drop for Subagent {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A master `snmpd` with the test's users, serving AgentX on `socket`.
fn start_master(dir: &TestDir, config: &Config, socket: &Path) -> Agent {
    // snmpd reads snmpd.local.conf beside the harness's snmpd.conf (SNMPCONFPATH).
    write_file(
        &dir.join("snmpd.local.conf"),
        &format!(
            "master agentx\nagentXSocket {}\nagentXTimeout 2\n",
            socket.display()
        ),
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

/// A master and, connected to it, a subagent serving the example device, `session` appended
/// to its `[agentx]` section; the subagent registered. Declared before the processes, the
/// directory outlives them.
struct Setup {
    dir: TestDir,
    snmp: NetSnmp,
    user: User,
    master_config: Config,
    socket: std::path::PathBuf,
    master: Agent,
    subagent: Subagent,
}

fn setup(label: &str, session: &str) -> Option<Setup> {
    let snmp = prerequisites()?;
    let dir = TestDir::new(label);
    let user = User::new("dqi-master", "SHA-256", Some("AES-128"));
    let master_config = Config::new(vec![user.clone()]);
    let socket = dir.join("master.sock");
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
