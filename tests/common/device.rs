//! An agent serving device data (a `[device]` section), and the net-snmp tools, with every MIB
//! module loaded, to ask it as one user: what the device-data tests share.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use super::*;

/// A `[budget]` that never refuses the tests' own traffic: the device tests walk whole
/// inventories as fast as net-snmp asks, which the default per-user budget (built to slow
/// exactly that down) would stretch to minutes. The budget has tests of its own.
pub const ROOMY_BUDGET: &str = "[budget]
global = \"1000000/second\"
global_burst = 1000000
per_source = \"1000000/second\"
per_user = \"1000000/second\"
burst = 1000000
max_repetitions = 10000
max_response_varbinds = 10000
unauthenticated = \"1000000/second\"
unauthenticated_burst = 1000000
";

/// A file of the repository's example device, `examples/infusion-pump/`.
pub fn example(file: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/infusion-pump")
        .join(file)
}

/// The example device read in process: its description and both SBOMs from
/// `examples/infusion-pump/`, with `vex` and `refresh_seconds` as given.
pub fn example_device_config(
    vex: Vec<PathBuf>,
    refresh_seconds: u64,
) -> dqi_agent::device::DeviceConfig {
    dqi_agent::device::DeviceConfig {
        description: Some(example("device.toml")),
        sbom: vec![example("sbom.cdx.json"), example("firmware.spdx.json")],
        vex,
        refresh_seconds,
        ..Default::default()
    }
}

/// The example device: its files copied into `dir`, and the `[device]` section naming them by
/// paths relative to `dir` (where the agent's config is written, so they resolve there).
pub fn example_device(dir: &TestDir) -> &'static str {
    for file in [
        "device.toml",
        "sbom.cdx.json",
        "firmware.spdx.json",
        "vex.openvex.json",
    ] {
        let text = fs::read_to_string(example(file)).expect("example file");
        write_file(&dir.join(file), &text, 0o600);
    }
    "[device]\ndescription = \"device.toml\"\nsbom = [\"sbom.cdx.json\", \"firmware.spdx.json\"]\nvex = [\"vex.openvex.json\"]\n"
}

/// A device of one SBOM: `sbom` written to `dir/sbom.cdx.json` (mode 0600), and the `[device]`
/// section naming it, read again every `refresh_seconds` (0: only on SIGHUP). Returns the
/// file's path, for the test to change it, and the section.
pub fn sbom_device(dir: &TestDir, sbom: &str, refresh_seconds: u32) -> (PathBuf, String) {
    let path = dir.join("sbom.cdx.json");
    write_file(&path, sbom, 0o600);
    let section =
        format!("[device]\nsbom = [\"sbom.cdx.json\"]\nrefresh_seconds = {refresh_seconds}\n");
    (path, section)
}

/// The agent config of the device tests: one authPriv user, `device` (a `[device]` section, or
/// empty for none) and [`ROOMY_BUDGET`].
pub fn device_config(device: &str) -> Config {
    let config = Config::new(vec![User::new("dqi-test", "SHA-256", Some("AES-128"))]);
    let config = config.with_section(ROOMY_BUDGET);
    if device.is_empty() {
        config
    } else {
        config.with_section(device)
    }
}

/// A running agent with device data and the tools to ask it. Dropped before the test's
/// directory (declare that first).
pub struct Device {
    pub snmp: NetSnmp,
    pub user: User,
    pub agent: Agent,
}

impl Device {
    /// Starts an agent in `dir` with `device` as its `[device]` section (empty: none); None
    /// (test skipped, or failed under CI) without net-snmp's tools and the MIB modules.
    pub fn start(dir: &TestDir, device: &str) -> Option<Device> {
        let snmp = NetSnmp::named()?;
        let config = device_config(device);
        let agent = Agent::start(dir, &config);
        Some(Device {
            snmp,
            user: config.users[0].clone(),
            agent,
        })
    }

    /// One object's value (a STRING unquoted, a number or an enum as digits).
    pub fn value(&self, oid: &str) -> String {
        self.snmp.get(&self.agent, &self.user, &[oid])[0]
            .value
            .clone()
    }

    /// One Counter32, Gauge32, INTEGER or TimeTicks object.
    pub fn number(&self, oid: &str) -> u64 {
        self.snmp.counter(&self.agent, &self.user, oid)
    }

    /// The bindings under `oid`.
    pub fn walk(&self, oid: &str) -> Vec<Binding> {
        self.snmp.walk(&self.agent, &self.user, oid)
    }

    /// `tool` with names and enum labels as the MIBs print them; stdout.
    pub fn named(&self, tool: &str, options: &[&str], oids: &[&str]) -> String {
        self.snmp
            .output(tool, &self.agent, &self.user, options, oids)
    }

    /// The `dqiSwIndex` of the one row whose `dqiSwPurl` is `purl`.
    pub fn index_of(&self, purl: &str) -> u32 {
        let rows = self.walk(SW_PURL);
        let hits: Vec<u32> = rows
            .iter()
            .filter(|b| b.value == purl)
            .map(|b| row_index(&b.oid))
            .collect();
        assert_eq!(hits.len(), 1, "{purl} in {rows:?}");
        hits[0]
    }

    /// Polls (at most 100 times, 100 ms apart) until `oid` reads `want`.
    pub fn poll_until(&self, oid: &str, want: &str) {
        let mut seen = String::new();
        for _ in 0..100 {
            seen = self.value(oid);
            if seen == want {
                return;
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        panic!(
            "{oid} still {seen}, never {want}\n--- agent log ---\n{}",
            self.agent.stderr()
        );
    }
}

/// The last sub-identifier of a numeric OID: the row index of a single-index table.
pub fn row_index(oid: &str) -> u32 {
    *oid_arcs(oid).last().expect("an OID")
}
