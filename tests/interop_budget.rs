//! The default request budget against the managers it exists to serve: an agent serving a
//! 1,115-component npm inventory (a generated `cyclonedx-npm`-style CycloneDX file), read whole
//! at the DEFAULT budget by net-snmp's `snmpbulkwalk` (its default options), by Prometheus'
//! `snmp_exporter` (Debian's `prometheus-snmp-exporter`, with the module shipped in
//! `contrib/snmp_exporter/`) and by pysnmp's bulk walk (PyPI, in a venv this test makes under
//! `target/`). Each must finish in time with zero timeouts or retries, counted by the client
//! itself, and the agent must have refused none of their requests.
#![cfg(feature = "server")]

mod common;

use std::fs;
use std::io::{Read, Write};
use std::net::{Ipv4Addr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;

/// Components in the inventory: the npm SBOM of issue 8.
const COMPONENTS: usize = 1_115;
/// Software rows served: the components and the application itself (`metadata.component`).
const ROWS: usize = COMPONENTS + 1;
/// dqiSwName, one per component.
const SW_NAME: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.4.12.1.2";
/// hrSWInstalledName, one per component (the mirror).
const HR_SW_INSTALLED_NAME: &str = ".1.3.6.1.2.1.25.6.3.1.2";
/// dqiBudgetRejectedPrincipal.0: requests the per-user budget refused.
const REJECTED_PRINCIPAL: &str = ".1.3.6.1.4.1.8072.9999.9999.374.1.5.22.0";

/// The user of the shipped snmp_exporter module (`contrib/snmp_exporter/generator.yml`), so
/// that the scrape runs the module exactly as shipped.
fn exporter_user() -> User {
    User::new("prometheus", "SHA-256", Some("AES-128"))
        .with_auth_password("change-this-auth-password")
        .with_priv_password("change-this-priv-password")
}

/// An agent with the default budget (no `[budget]` section) serving the npm inventory.
fn inventory_agent(dir: &TestDir) -> (Agent, User) {
    fs::write(dir.join("npm.cdx.json"), npm_sbom(COMPONENTS)).expect("write the SBOM");
    fs::set_permissions(
        dir.join("npm.cdx.json"),
        std::os::unix::fs::PermissionsExt::from_mode(0o600),
    )
    .expect("chmod the SBOM");
    let user = exporter_user();
    let config =
        Config::new(vec![user.clone()]).with_section("[device]\nsbom = [\"npm.cdx.json\"]\n");
    (Agent::start(dir, &config), user)
}

/// How many requests the per-user budget refused so far.
fn refused(snmp: &NetSnmp, agent: &Agent, user: &User) -> u64 {
    snmp.counter(agent, user, REJECTED_PRINCIPAL)
}

#[test]
fn snmpbulkwalk_with_its_defaults_reads_the_inventory_within_15_s_without_a_timeout() {
    let dir = TestDir::new("budget-bulkwalk");
    let Some(snmp) = NetSnmp::new() else {
        return;
    };
    let (agent, user) = inventory_agent(&dir);
    // net-snmp's defaults: max-repetitions 10, 1 s timeout, 5 retries. `-d` prints every
    // datagram sent and received, so a retry shows as a send without its answer.
    let mut args = user.netsnmp_args(user.level());
    args.extend(["-One".into(), "-d".into(), agent.target(), ".1".into()]);
    let started = Instant::now();
    let out = snmp.run_within("snmpbulkwalk", &args, Duration::from_secs(120));
    let took = started.elapsed();
    assert!(out.success(), "{}", out.describe());
    let text = format!("{}\n{}", out.stdout, out.stderr);
    let sent = text.lines().filter(|l| l.starts_with("Sending ")).count();
    let received = text.lines().filter(|l| l.starts_with("Received ")).count();
    let rows: Vec<&str> = out
        .stdout
        .lines()
        .filter(|l| l.starts_with(".1.3.6.1"))
        .collect();
    let column = |prefix: &str| {
        rows.iter()
            .filter(|l| oid_under(l.split(' ').next().unwrap_or(""), prefix))
            .count()
    };
    let refusals = refused(&snmp, &agent, &user);
    eprintln!(
        "BULKWALK {COMPONENTS} components at the default budget: {} varbinds, {sent} datagrams \
         sent, {received} received, in {took:.2?}; dqiBudgetRejectedPrincipal {refusals}",
        rows.len()
    );
    assert_eq!(column(SW_NAME), ROWS);
    assert_eq!(column(HR_SW_INSTALLED_NAME), ROWS);
    assert_eq!(
        sent, received,
        "every datagram answered: no timeout, no retry"
    );
    assert_eq!(
        refusals, 0,
        "the budget refused none of the walk's requests"
    );
    assert!(took <= Duration::from_secs(15), "the walk took {took:?}");
}

#[test]
fn snmp_exporter_scrapes_the_inventory_within_10_s_without_a_retry() {
    let dir = TestDir::new("budget-exporter");
    if !require_programs(&["prometheus-snmp-exporter"], "prometheus-snmp-exporter") {
        return;
    }
    let Some(snmp) = NetSnmp::new() else {
        return;
    };
    let (agent, user) = inventory_agent(&dir);
    let module = Path::new(env!("CARGO_MANIFEST_DIR")).join("contrib/snmp_exporter/snmp.yml");
    let port = {
        let listener = TcpListener::bind((Ipv4Addr::LOCALHOST, 0)).expect("bind a TCP port");
        listener.local_addr().expect("local address").port()
    };
    let listen = format!("127.0.0.1:{port}");
    let log = fs::File::create(dir.join("exporter.log")).expect("exporter log");
    let mut exporter = Command::new(find_program("prometheus-snmp-exporter").expect("installed"))
        .arg(format!("--config.file={}", module.display()))
        .arg(format!("--web.listen-address={listen}"))
        .stdout(Stdio::null())
        .stderr(log)
        .spawn()
        .expect("start prometheus-snmp-exporter");
    let scrape = format!("/snmp?module=dqi_software&target={}", agent.addr_v4());
    let started = Instant::now();
    let body = http_get(&listen, &scrape, Duration::from_secs(60));
    let took = started.elapsed();
    let _ = exporter.kill();
    let _ = exporter.wait();
    let body = body.unwrap_or_else(|e| {
        let log = fs::read_to_string(dir.join("exporter.log")).unwrap_or_default();
        panic!("scrape failed: {e}\n{log}")
    });
    let metric = |name: &str| -> Option<f64> {
        body.lines()
            .find(|l| l.starts_with(name) && l[name.len()..].starts_with(' '))
            .and_then(|l| l.rsplit(' ').next())
            .and_then(|v| v.parse().ok())
    };
    let rows = |name: &str| {
        body.lines()
            .filter(|l| l.starts_with(&format!("{name}{{")))
            .count()
    };
    let retried = metric("snmp_scrape_packets_retried");
    let sent = metric("snmp_scrape_packets_sent");
    let duration = metric("snmp_scrape_duration_seconds");
    let refusals = refused(&snmp, &agent, &user);
    eprintln!(
        "SNMP_EXPORTER scrape of dqiSwTable + hrSWInstalledTable ({COMPONENTS} components) at \
         the default budget: {took:.2?} wall, snmp_scrape_duration_seconds {duration:?}, \
         packets sent {sent:?}, retried {retried:?}; dqiBudgetRejectedPrincipal {refusals}"
    );
    assert_eq!(rows("dqiSwName"), ROWS, "every dqiSwTable row scraped");
    assert_eq!(rows("hrSWInstalledName"), ROWS);
    assert_eq!(retried, Some(0.0), "snmp_scrape_packets_retried");
    assert_eq!(refusals, 0);
    assert!(took < Duration::from_secs(10), "the scrape took {took:?}");
}

#[test]
fn pysnmp_bulk_walks_the_inventory_without_a_timeout() {
    let dir = TestDir::new("budget-pysnmp");
    let Some(python) = pysnmp_venv() else {
        return;
    };
    let Some(snmp) = NetSnmp::new() else {
        return;
    };
    let (agent, user) = inventory_agent(&dir);
    let script = dir.join("walk.py");
    fs::write(&script, PYSNMP_WALK).expect("write the script");
    let addr = agent.addr_v4();
    let started = Instant::now();
    let out = run_with_deadline(
        Command::new(&python).arg(&script).args([
            addr.ip().to_string(),
            addr.port().to_string(),
            user.name.clone(),
            user.auth_password.clone(),
            user.priv_password.clone(),
        ]),
        Duration::from_secs(120),
    );
    let took = started.elapsed();
    assert!(out.success(), "{}", out.describe());
    let fields: Vec<u64> = out
        .stdout
        .split_whitespace()
        .filter_map(|w| w.parse().ok())
        .collect();
    let &[varbinds, names, errors] = fields.as_slice() else {
        panic!("unexpected output: {}", out.describe());
    };
    let refusals = refused(&snmp, &agent, &user);
    eprintln!(
        "PYSNMP bulk walk ({COMPONENTS} components, max-repetitions 25, timeout 1 s, no \
         retries) at the default budget: {varbinds} varbinds in {took:.2?}, {errors} errors; \
         dqiBudgetRejectedPrincipal {refusals}"
    );
    assert_eq!(errors, 0, "{}", out.stderr);
    assert_eq!(names, ROWS as u64, "every dqiSwName");
    assert_eq!(refusals, 0);
}

/// A bulk walk of the whole tree with pysnmp's asyncio API: authPriv SHA-256 / AES-128,
/// max-repetitions 25, a 1 s timeout and no retry, so a single unanswered request is an error.
/// Prints the varbinds, the dqiSwName rows and the errors.
const PYSNMP_WALK: &str = r#"
import asyncio, sys
from pysnmp.hlapi.v3arch.asyncio import (
    SnmpEngine, UsmUserData, UdpTransportTarget, ContextData, ObjectType, ObjectIdentity,
    bulk_walk_cmd, usmHMAC192SHA256AuthProtocol, usmAesCfb128Protocol,
)

SW_NAME = (1, 3, 6, 1, 4, 1, 8072, 9999, 9999, 374, 1, 4, 12, 1, 2)

async def main(host, port, user, auth, priv):
    engine = SnmpEngine()
    target = await UdpTransportTarget.create((host, int(port)), timeout=1, retries=0)
    usm = UsmUserData(user, auth, priv, authProtocol=usmHMAC192SHA256AuthProtocol,
                      privProtocol=usmAesCfb128Protocol)
    varbinds = names = errors = 0
    async for indication, status, index, binds in bulk_walk_cmd(
            engine, usm, target, ContextData(), 0, 25, ObjectType(ObjectIdentity("1.3.6.1")),
            lexicographicMode=True):
        if indication or status:
            errors += 1
            print(indication or status.prettyPrint(), file=sys.stderr)
            break
        for name, _ in binds:
            varbinds += 1
            if tuple(name)[:len(SW_NAME)] == SW_NAME:
                names += 1
    engine.close_dispatcher()
    print(varbinds, names, errors)

asyncio.run(main(*sys.argv[1:6]))
"#;

/// The body of `GET path` from the HTTP server at `addr`, waiting up to `limit` for it to
/// listen and answer.
fn http_get(addr: &str, path: &str, limit: Duration) -> Result<String, String> {
    let deadline = Instant::now() + limit;
    let mut stream = loop {
        match TcpStream::connect(addr) {
            Ok(stream) => break stream,
            Err(e) if Instant::now() > deadline => return Err(format!("connect: {e}")),
            Err(_) => std::thread::sleep(Duration::from_millis(50)),
        }
    };
    stream
        .set_read_timeout(Some(limit))
        .map_err(|e| e.to_string())?;
    write!(stream, "GET {path} HTTP/1.0\r\nHost: {addr}\r\n\r\n").map_err(|e| e.to_string())?;
    let mut response = String::new();
    stream
        .read_to_string(&mut response)
        .map_err(|e| e.to_string())?;
    let (head, body) = response
        .split_once("\r\n\r\n")
        .ok_or_else(|| format!("no HTTP header: {response}"))?;
    if !head.starts_with("HTTP/1.0 200") && !head.starts_with("HTTP/1.1 200") {
        return Err(format!("{head}\n{body}"));
    }
    Ok(body.to_string())
}
