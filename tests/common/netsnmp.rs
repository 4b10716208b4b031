//! net-snmp's command-line tools: isolated runs, numeric output, and its parser.

use std::fs;
use std::process::Command;
use std::time::Duration;

use super::*;

/// net-snmp's command-line tools, isolated from the user's and the system's net-snmp config.
pub struct NetSnmp {
    /// An empty directory used as SNMPCONFPATH and SNMP_PERSISTENT_DIR, so that no
    /// `~/.snmp/snmp.conf` or `/etc/snmp/snmp.conf` changes what the tools send or print.
    home: TestDir,
    /// `-M`/`-m` when the MIB modules load cleanly, else `-m ""` (numeric OIDs only).
    mib_args: Vec<String>,
    /// Whether every module (`-m ALL` over the repository's and the IETF directories) loads,
    /// so that the tools print DQI-MIB, ENTITY-MIB and HOST-RESOURCES-MIB names.
    all_mibs: bool,
}

impl NetSnmp {
    /// The tools, or None (test skipped) when they are missing outside CI.
    pub fn new() -> Option<NetSnmp> {
        if !require_programs(&NETSNMP_TOOLS, "snmp") {
            return None;
        }
        let home = TestDir::new("netsnmp-home");
        // The tools (snmptranslate included) create this on first use and say so on stderr;
        // create it beforehand so that a clean run prints nothing there.
        fs::create_dir_all(home.join("cert_indexes")).expect("create cert_indexes");
        let (mib_args, all_mibs) = mib_args(&home);
        Some(NetSnmp {
            home,
            mib_args,
            all_mibs,
        })
    }

    /// The tools with every MIB module loaded, for tests that assert on names (`DQI-MIB::...`);
    /// None (test skipped, or failed under CI) when the modules do not load cleanly.
    pub fn named() -> Option<NetSnmp> {
        let snmp = NetSnmp::new()?;
        if snmp.all_mibs {
            return Some(snmp);
        }
        skip(&format!(
            "the MIB modules in {} and {} do not load cleanly (set DQI_IETF_MIBS)",
            repo_mib_dir().display(),
            ietf_mib_dir().display()
        ));
        None
    }

    /// Runs `tool` with `args` as given (plus the MIB arguments), bounded by [`TOOL_TIMEOUT`].
    pub fn run(&self, tool: &str, args: &[String]) -> ProcessOutput {
        self.run_within(tool, args, TOOL_TIMEOUT)
    }

    /// As [`NetSnmp::run`], killed after `limit`: the one place the tools are started.
    pub fn run_within(&self, tool: &str, args: &[String], limit: Duration) -> ProcessOutput {
        let program = find_program(tool).unwrap_or_else(|| panic!("{tool} not installed"));
        let mut command = Command::new(program);
        command.args(&self.mib_args).args(args);
        run_with_deadline(netsnmp_env(&mut command, self.home.path()), limit)
    }

    /// Runs `tool` against `agent` as `user` at `level`, with one retry and 2 s timeouts,
    /// numeric OIDs (`-On`) and enums (`-Oe`), then `extra` and `oids`.
    pub fn query(
        &self,
        tool: &str,
        agent: &Agent,
        user: &User,
        level: Level,
        extra: &[&str],
        oids: &[&str],
    ) -> ProcessOutput {
        self.query_timed(tool, agent, user, level, (1, 2), extra, oids)
    }

    /// As [`NetSnmp::query`], for requests expected to get no answer: no retry, 1 s timeout.
    pub fn query_unanswered(
        &self,
        tool: &str,
        agent: &Agent,
        user: &User,
        level: Level,
        oids: &[&str],
    ) -> ProcessOutput {
        self.query_timed(tool, agent, user, level, (0, 1), &[], oids)
    }

    #[allow(clippy::too_many_arguments)]
    pub fn query_timed(
        &self,
        tool: &str,
        agent: &Agent,
        user: &User,
        level: Level,
        (retries, timeout): (u32, u32),
        extra: &[&str],
        oids: &[&str],
    ) -> ProcessOutput {
        let args = request_args(agent, user, level, (retries, timeout), "-One", extra, oids);
        self.run(tool, &args)
    }

    /// Runs `tool` against `agent` as `user` at the user's level (one retry, 2 s timeouts) with
    /// `options` as given, so that names and enum labels print as the MIBs say; fails the test
    /// unless the tool succeeds with nothing on stderr (a MIB parse error, "Wrong Type", a
    /// timeout all land there). Returns stdout.
    pub fn output(
        &self,
        tool: &str,
        agent: &Agent,
        user: &User,
        options: &[&str],
        oids: &[&str],
    ) -> String {
        let args = request_args(agent, user, user.level(), (1, 2), "", options, oids);
        clean(self.run(tool, &args)).stdout
    }

    /// Runs `tool` against `agent` as `user` at the user's level with numeric output and
    /// `options`, killed after `limit`; fails the test unless it succeeds with nothing on
    /// stderr. Returns the bindings, without the endOfMibView line that ends a walk of the last
    /// objects.
    pub fn bindings_within(
        &self,
        tool: &str,
        agent: &Agent,
        user: &User,
        options: &[&str],
        oids: &[&str],
        limit: Duration,
    ) -> Vec<Binding> {
        let args = request_args(agent, user, user.level(), (1, 2), "-One", options, oids);
        let mut bindings = clean(self.run_within(tool, &args, limit)).bindings();
        if bindings.last().is_some_and(Binding::is_end_of_mib_view) {
            bindings.pop();
        }
        bindings
    }

    /// `snmpwalk` of `oid` as `user`: the bindings under it, failing the test on any error.
    pub fn walk(&self, agent: &Agent, user: &User, oid: &str) -> Vec<Binding> {
        self.bindings_within("snmpwalk", agent, user, &[], &[oid], TOOL_TIMEOUT)
    }

    /// GETs `oids` as `user` at the user's own level and returns the bindings, failing the test
    /// on any error.
    pub fn get(&self, agent: &Agent, user: &User, oids: &[&str]) -> Vec<Binding> {
        let out = self.query("snmpget", agent, user, user.level(), &[], oids);
        assert!(out.success(), "snmpget failed\n{}", out.describe());
        let bindings = out.bindings();
        assert_eq!(
            bindings.len(),
            oids.len(),
            "one binding per OID\n{}",
            out.describe()
        );
        bindings
    }

    /// Reads one Counter32/INTEGER object as `user`.
    pub fn counter(&self, agent: &Agent, user: &User, oid: &str) -> u64 {
        let bindings = self.get(agent, user, &[oid]);
        bindings[0].number().unwrap_or_else(|| {
            panic!("{oid} is not a number: {:?}", bindings[0]);
        })
    }
}

/// `command`, a net-snmp program, reading its configuration and keeping its persistent files in
/// `home` only, and taking no MIB list from the environment: only what the test's own files and
/// arguments say.
pub fn netsnmp_env<'c>(command: &'c mut Command, home: &Path) -> &'c mut Command {
    command
        .env("SNMPCONFPATH", home)
        .env("SNMP_PERSISTENT_DIR", home)
        .env_remove("MIBS")
        .env_remove("MIBDIRS")
}

/// The security, retry and output arguments of one request to `agent`, then `extra`, the
/// target and `oids`. `format` is `-One` for numeric output, or empty.
fn request_args(
    agent: &Agent,
    user: &User,
    level: Level,
    (retries, timeout): (u32, u32),
    format: &str,
    extra: &[&str],
    oids: &[&str],
) -> Vec<String> {
    let mut args = user.netsnmp_args(level);
    args.extend([
        "-r".into(),
        retries.to_string(),
        "-t".into(),
        timeout.to_string(),
    ]);
    if !format.is_empty() {
        args.push(format.into());
    }
    args.extend(extra.iter().map(|s| s.to_string()));
    args.push(agent.target());
    args.extend(oids.iter().map(|s| s.to_string()));
    args
}

/// `out`, after failing the test unless the tool succeeded with nothing on stderr but the
/// directories net-snmp announces creating in its persistent directory.
fn clean(out: ProcessOutput) -> ProcessOutput {
    let complaints = out
        .stderr
        .lines()
        .any(|l| !l.trim().is_empty() && !l.starts_with("Created directory:"));
    assert!(
        out.success() && !complaints,
        "a clean run was expected\n{}",
        out.describe()
    );
    out
}

/// The `-M`/`-m` arguments, and whether they load every module: all modules of the repository's
/// and the IETF directories (`-m ALL`) if they load without a single warning, else the standard
/// modules the interop tests name, else `-m ""`, numeric OIDs only. A warning would land on the
/// stderr of every tool run, where the tests look for errors.
fn mib_args(home: &TestDir) -> (Vec<String>, bool) {
    let ietf = ietf_mib_dir();
    let local = repo_mib_dir();
    let dirs = format!("{}:{}", local.display(), ietf.display());
    let standard = "SNMPv2-MIB:SNMP-FRAMEWORK-MIB:SNMP-MPD-MIB:SNMP-USER-BASED-SM-MIB";
    let mut candidates = Vec::new();
    if local.join("DQI-MIB.txt").is_file() {
        candidates.push("ALL".to_string());
    }
    candidates.push(standard.to_string());
    if let Some(snmptranslate) = find_program("snmptranslate") {
        for modules in candidates {
            let mut command = Command::new(&snmptranslate);
            command.args(["-M", &dirs, "-m", &modules, "-On", "SNMPv2-MIB::sysDescr.0"]);
            let out = run_with_deadline(netsnmp_env(&mut command, home.path()), TOOL_TIMEOUT);
            if out.success() && out.stderr.trim().is_empty() && out.stdout.trim() == SYS_DESCR {
                let all = modules == "ALL";
                return (vec!["-M".into(), dirs, "-m".into(), modules], all);
            }
            eprintln!(
                "note: MIB modules {modules} do not load cleanly:\n{}",
                out.stderr.trim()
            );
        }
    }
    eprintln!(
        "note: IETF MIB modules not usable from {} (set DQI_IETF_MIBS); numeric OIDs only",
        ietf.display()
    );
    (vec!["-m".into(), String::new()], false)
}

/// One variable binding as net-snmp printed it with `-On`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Binding {
    /// Numeric OID with its leading dot, e.g. `.1.3.6.1.2.1.1.1.0`.
    pub oid: String,
    /// `STRING`, `Hex-STRING`, `INTEGER`, `Counter32`, `Timeticks`, `OID`, ...; empty for the
    /// exceptions (noSuchObject, noSuchInstance, endOfMibView), whose text is in `value`.
    pub kind: String,
    /// The value text, with a STRING's quotes removed.
    pub value: String,
}

impl Binding {
    /// The value of a Counter32, Gauge32, INTEGER or Timeticks (`(12345) 0:02:03.45`).
    pub fn number(&self) -> Option<u64> {
        let first = self.value.split_whitespace().next()?;
        first
            .trim_start_matches('(')
            .trim_end_matches(')')
            .parse()
            .ok()
    }

    /// The octets of a `Hex-STRING` (or a STRING printed in hex with `-Ox`).
    pub fn hex_bytes(&self) -> Vec<u8> {
        let digits: Vec<u8> = self.value.bytes().filter(u8::is_ascii_hexdigit).collect();
        digits
            .chunks(2)
            .map(|pair| u8::from_str_radix(std::str::from_utf8(pair).unwrap(), 16).unwrap())
            .collect()
    }

    pub fn is_no_such_instance(&self) -> bool {
        self.kind.is_empty() && self.value.starts_with("No Such Instance")
    }

    pub fn is_no_such_object(&self) -> bool {
        self.kind.is_empty() && self.value.starts_with("No Such Object")
    }

    pub fn is_end_of_mib_view(&self) -> bool {
        self.kind.is_empty()
            && self
                .value
                .starts_with("No more variables left in this MIB View")
    }
}

/// Parses `-On` output: a binding starts on a line `.1.3... = ...`; other lines continue the
/// value (long Hex-STRINGs wrap).
pub fn parse_bindings(stdout: &str) -> Vec<Binding> {
    let mut bindings: Vec<Binding> = Vec::new();
    for line in stdout.lines() {
        let starts_binding = line.starts_with('.')
            && line
                .split_once(" = ")
                .is_some_and(|(oid, _)| oid[1..].split('.').all(|a| a.parse::<u32>().is_ok()));
        if starts_binding {
            let (oid, rest) = line.split_once(" = ").unwrap();
            let (kind, value) = match rest.split_once(": ") {
                Some((kind, value)) if !kind.contains(' ') || kind == "Hex-STRING" => {
                    (kind.to_string(), value.to_string())
                }
                _ => (String::new(), rest.to_string()),
            };
            bindings.push(Binding {
                oid: oid.to_string(),
                kind,
                value,
            });
        } else if let Some(last) = bindings.last_mut() {
            last.value.push('\n');
            last.value.push_str(line);
        }
    }
    for binding in &mut bindings {
        if binding.kind == "STRING" {
            let v = binding.value.trim_end_matches('\n');
            if v.len() >= 2 && v.starts_with('"') && v.ends_with('"') {
                binding.value = v[1..v.len() - 1].replace("\\\"", "\"");
            }
        }
    }
    bindings
}

/// Parses a numeric OID (`.1.3.6` or `1.3.6`) into its arcs.
pub fn oid_arcs(oid: &str) -> Vec<u32> {
    oid.trim_start_matches('.')
        .split('.')
        .map(|a| {
            a.parse()
                .unwrap_or_else(|_| panic!("not a numeric OID: {oid}"))
        })
        .collect()
}

/// Whether `oid` lies strictly under `prefix` (both numeric).
pub fn oid_under(oid: &str, prefix: &str) -> bool {
    let (oid, prefix) = (oid_arcs(oid), oid_arcs(prefix));
    oid.len() > prefix.len() && oid.starts_with(&prefix)
}
