//! A hospital-sized loopback fleet: ten `dqi-agent` processes, each with its own engine ID and a
//! generated SBOM of 150 to 1,500 components (npm, Maven, PyPI, Go and Cargo purls, hashes,
//! suppliers, CPEs), VEX in four forms (OpenVEX, CSAF, a CycloneDX VEX document and the
//! `vulnerabilities` of the SBOM itself), three of them older DQI devices without the lookup
//! tables; beside them a port with nothing listening and a target with wrong credentials.
//!
//! The expected records come from the generator's plan ([`PLAN`]: which device holds which
//! log4j-core and npm versions, at which position, and what its maker's VEX says) and from the
//! advisory table below, written by hand from the OSV fixtures' README, never from what
//! dqi-query prints.

use std::collections::BTreeSet;
use std::net::Ipv4Addr;
use std::path::PathBuf;

use dqi_agent::device::{DeviceConfig, DeviceSource, FileSource};
use serde_json::Value;

use super::common::*;
use super::{USER, WITHOUT_LOOKUP_TABLES, assert_schema_valid, lines, osv_fixtures, query, set};

/// A package the advisories name, placed in a device's SBOM by the plan.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Notable {
    Log4jCore,
    Lodash,
    Minimist,
    BabelTraverse,
}

impl Notable {
    /// (CycloneDX group, name, purl without version, supplier).
    fn identity(self) -> (&'static str, &'static str, &'static str, &'static str) {
        match self {
            Notable::Log4jCore => (
                "org.apache.logging.log4j",
                "log4j-core",
                "pkg:maven/org.apache.logging.log4j/log4j-core",
                "The Apache Software Foundation",
            ),
            Notable::Lodash => ("", "lodash", "pkg:npm/lodash", "OpenJS Foundation"),
            Notable::Minimist => ("", "minimist", "pkg:npm/minimist", "James Halliday"),
            Notable::BabelTraverse => (
                "@babel",
                "traverse",
                "pkg:npm/%40babel/traverse",
                "The Babel Team",
            ),
        }
    }
}

/// What a maker's VEX says, in the DQI-MIB's words (as dqi-query reports them).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum State {
    Affected,
    NotAffected(&'static str),
    Fixed,
    UnderInvestigation,
}

impl State {
    fn words(self) -> (&'static str, &'static str) {
        match self {
            State::Affected => ("affected", ""),
            State::NotAffected(why) => ("not_affected", why),
            State::Fixed => ("fixed", ""),
            State::UnderInvestigation => ("under_investigation", ""),
        }
    }
}

/// The form a device's VEX comes in.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum VexForm {
    None,
    OpenVex,
    Csaf,
    CycloneDxVex,
    /// `vulnerabilities` inside the SBOM itself.
    InSbom,
}

/// One device of the plan.
struct Planned {
    name: &'static str,
    /// Components in its SBOM, notable ones included.
    size: usize,
    /// Weights of npm, Maven, PyPI, Go and Cargo among the filler components.
    mix: [u32; 5],
    /// The advisories' packages it holds, each at a position fixed by the plan.
    notable: &'static [(Notable, &'static str)],
    vex: VexForm,
    /// (vulnerability, package, version, statement).
    statements: &'static [(&'static str, Notable, &'static str, State)],
    /// An older DQI: its user's view leaves the lookup tables out.
    older: bool,
}

const LOG4SHELL: &str = "CVE-2021-44228";

/// Every device's own software version (its SBOM's `metadata.component`, dqiSwIndex 1).
const DEVICE_VERSION: &str = "2026.11";

/// The fleet. Sizes are those of real device SBOMs: a PACS gateway's Java stack, a pump's
/// touch-screen UI (npm), a lab analyser's Python and Go services.
const PLAN: &[Planned] = &[
    Planned {
        name: "pacs-gw-01",
        size: 1500,
        mix: [2, 10, 1, 1, 0],
        notable: &[(Notable::Log4jCore, "2.14.1")],
        vex: VexForm::InSbom,
        statements: &[(LOG4SHELL, Notable::Log4jCore, "2.14.1", State::Affected)],
        older: false,
    },
    Planned {
        name: "infusion-02",
        size: 420,
        mix: [6, 4, 0, 0, 1],
        notable: &[(Notable::Log4jCore, "2.16.0"), (Notable::Minimist, "1.2.6")],
        vex: VexForm::OpenVex,
        statements: &[(LOG4SHELL, Notable::Log4jCore, "2.16.0", State::Fixed)],
        older: false,
    },
    Planned {
        name: "monitor-03",
        size: 800,
        mix: [1, 8, 2, 1, 0],
        notable: &[(Notable::Log4jCore, "2.12.1")],
        vex: VexForm::Csaf,
        statements: &[(
            LOG4SHELL,
            Notable::Log4jCore,
            "2.12.1",
            State::NotAffected("vulnerable_code_not_in_execute_path"),
        )],
        older: true,
    },
    Planned {
        name: "ventilator-04",
        size: 260,
        mix: [10, 0, 0, 0, 2],
        notable: &[
            (Notable::Lodash, "4.17.20"),
            (Notable::Minimist, "1.2.5"),
            (Notable::BabelTraverse, "7.23.2"),
        ],
        vex: VexForm::None,
        statements: &[],
        older: false,
    },
    Planned {
        name: "mri-05",
        size: 1200,
        mix: [3, 6, 3, 2, 1],
        notable: &[
            (Notable::Log4jCore, "2.17.1"),
            (Notable::Log4jCore, "2.0-beta9"),
        ],
        vex: VexForm::CycloneDxVex,
        statements: &[(
            LOG4SHELL,
            Notable::Log4jCore,
            "2.0-beta9",
            State::UnderInvestigation,
        )],
        older: false,
    },
    Planned {
        name: "lab-analyzer-06",
        size: 640,
        mix: [0, 0, 6, 4, 3],
        notable: &[],
        vex: VexForm::None,
        statements: &[],
        older: true,
    },
    Planned {
        name: "ultrasound-07",
        size: 330,
        mix: [8, 1, 0, 0, 1],
        notable: &[
            (Notable::BabelTraverse, "8.0.0-alpha.3"),
            (Notable::Lodash, "4.17.21"),
        ],
        vex: VexForm::OpenVex,
        statements: &[(
            "CVE-2023-45133",
            Notable::BabelTraverse,
            "8.0.0-alpha.3",
            State::NotAffected("vulnerable_code_not_present"),
        )],
        older: false,
    },
    Planned {
        name: "nurse-call-08",
        size: 150,
        mix: [0, 5, 0, 0, 0],
        notable: &[(Notable::Log4jCore, "2.3.1")],
        vex: VexForm::None,
        statements: &[],
        older: true,
    },
    Planned {
        name: "dialysis-09",
        size: 1000,
        mix: [5, 5, 1, 1, 1],
        notable: &[(Notable::Log4jCore, "2.15.0"), (Notable::Lodash, "4.17.15")],
        vex: VexForm::Csaf,
        statements: &[(LOG4SHELL, Notable::Log4jCore, "2.15.0", State::Affected)],
        older: false,
    },
    Planned {
        name: "badge-reader-10",
        size: 210,
        mix: [0, 0, 0, 3, 5],
        notable: &[],
        vex: VexForm::None,
        statements: &[],
        older: false,
    },
];

/// What the OSV fixtures (tests/data/osv/README.md) say of a package version: (CVE, the
/// matching range as a purl `vers:`), in the fixtures' file order. Written out by hand.
fn advisories_for(notable: Notable, version: &str) -> &'static [(&'static str, &'static str)] {
    const C45046: &str = "CVE-2021-45046";
    const C44832: &str = "CVE-2021-44832";
    const C45105: &str = "CVE-2021-45105";
    match (notable, version) {
        (Notable::Log4jCore, "2.14.1") => &[
            (C45046, "vers:maven/>=2.13.0|<2.16.0"),
            (C44832, "vers:maven/>=2.13.0|<2.17.1"),
            (LOG4SHELL, "vers:maven/>=2.13.0|<2.15.0"),
            (C45105, "vers:maven/>=2.13.0|<2.17.0"),
        ],
        (Notable::Log4jCore, "2.16.0") => &[
            (C44832, "vers:maven/>=2.13.0|<2.17.1"),
            (C45105, "vers:maven/>=2.13.0|<2.17.0"),
        ],
        (Notable::Log4jCore, "2.15.0") => &[
            (C45046, "vers:maven/>=2.13.0|<2.16.0"),
            (C44832, "vers:maven/>=2.13.0|<2.17.1"),
            (C45105, "vers:maven/>=2.13.0|<2.17.0"),
        ],
        (Notable::Log4jCore, "2.12.1") => &[
            (C45046, "vers:maven/<2.12.2"),
            (C44832, "vers:maven/>=2.4|<2.12.4"),
            (LOG4SHELL, "vers:maven/>=2.4|<2.12.2"),
            (C45105, "vers:maven/>=2.4.0|<2.12.3"),
        ],
        // Maven orders 2.0-beta9 before 2.0, after 2.0-beta7.
        (Notable::Log4jCore, "2.0-beta9") => &[
            (C45046, "vers:maven/<2.12.2"),
            (C44832, "vers:maven/>=2.0-beta7|<2.3.2"),
            (LOG4SHELL, "vers:maven/<2.3.1"),
            (C45105, "vers:maven/<2.3.1"),
        ],
        // The Java 6 line: fixed for Log4Shell in 2.3.1, not for 45046 and 44832.
        (Notable::Log4jCore, "2.3.1") => &[
            (C45046, "vers:maven/<2.12.2"),
            (C44832, "vers:maven/>=2.0-beta7|<2.3.2"),
        ],
        (Notable::Log4jCore, "2.17.1") => &[],
        (Notable::Lodash, "4.17.20" | "4.17.15") => &[("CVE-2021-23337", "vers:npm/<4.17.21")],
        (Notable::Lodash, "4.17.21") => &[],
        (Notable::Minimist, "1.2.5") => &[("CVE-2021-44906", "vers:npm/>=1.0.0|<1.2.6")],
        (Notable::Minimist, "1.2.6") => &[],
        (Notable::BabelTraverse, "7.23.2") => &[],
        (Notable::BabelTraverse, "8.0.0-alpha.3") => {
            &[("CVE-2023-45133", "vers:npm/>=8.0.0-alpha.0|<8.0.0-alpha.4")]
        }
        other => panic!("no expectation written for {other:?}"),
    }
}

/// One generated component.
#[derive(Clone, Debug)]
struct Component {
    group: String,
    name: String,
    version: String,
    purl: String,
    supplier: String,
    cpe: Option<String>,
    /// (CycloneDX alg, lowercase hex), strongest last.
    hashes: Vec<(&'static str, String)>,
    notable: Option<Notable>,
}

impl Component {
    /// The hash the DQI-MIB serves (SHA-256 before SHA-512 before SHA-1), as `alg:hex`.
    fn served_hash(&self) -> String {
        ["SHA-256", "SHA-512", "SHA-1"]
            .iter()
            .find_map(|want| self.hashes.iter().find(|(alg, _)| alg == want))
            .map(|(alg, hex)| format!("{}:{hex}", alg.to_lowercase().replace('-', "")))
            .unwrap_or_default()
    }
}

/// SplitMix64: a deterministic stream per device.
struct Rng(u64);

impl Rng {
    fn for_device(name: &str) -> Rng {
        // FNV-1a of the name.
        Rng(name.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
            (h ^ b as u64).wrapping_mul(0x100_0000_01b3)
        }))
    }

    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }

    fn hex(&mut self, digits: usize) -> String {
        let mut s = String::new();
        while s.len() < digits {
            s.push_str(&format!("{:016x}", self.next()));
        }
        s.truncate(digits);
        s
    }

    fn uuid(&mut self) -> String {
        let h = self.hex(32);
        format!(
            "{}-{}-4{}-8{}-{}",
            &h[..8],
            &h[8..12],
            &h[13..16],
            &h[17..20],
            &h[20..32]
        )
    }

    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len() as u64) as usize]
    }
}

/// Name stems per ecosystem; a filler component is two stems joined, so that no filler name
/// is one the advisories name (none of these pairs is `lodash`, `minimist`, `traverse` or
/// `log4j-core`).
const NPM_STEMS: [&str; 24] = [
    "react", "dom", "redux", "saga", "axios", "retry", "chalk", "ansi", "yargs", "parser", "ws",
    "socket", "uuid", "semver", "debug", "glob", "stream", "buffer", "color", "string", "date",
    "fns", "intl", "format",
];
const NPM_SCOPES: [&str; 6] = ["@types", "@jest", "@aws-sdk", "@smithy", "@emotion", "@mui"];
const MAVEN_GROUPS: [(&str, &str); 8] = [
    ("org.springframework", "VMware, Inc."),
    ("com.fasterxml.jackson.core", "FasterXML"),
    ("io.netty", "The Netty Project"),
    ("org.apache.commons", "The Apache Software Foundation"),
    ("org.hibernate.orm", "Red Hat, Inc."),
    ("com.google.guava", "Google LLC"),
    ("org.eclipse.jetty", "Eclipse Foundation"),
    ("ca.uhn.hapi.fhir", "University Health Network"),
];
const MAVEN_STEMS: [&str; 24] = [
    "spring",
    "beans",
    "context",
    "web",
    "jackson",
    "databind",
    "annotations",
    "netty",
    "codec",
    "handler",
    "commons",
    "lang3",
    "text",
    "io",
    "hibernate",
    "orm",
    "guava",
    "jetty",
    "server",
    "servlet",
    "hapi",
    "fhir",
    "structures",
    "base",
];
const PYPI_STEMS: [&str; 20] = [
    "numpy",
    "pandas",
    "scipy",
    "requests",
    "urllib3",
    "certifi",
    "pydicom",
    "flask",
    "werkzeug",
    "jinja",
    "click",
    "attrs",
    "pytz",
    "dateutil",
    "six",
    "idna",
    "charset",
    "normalizer",
    "cryptography",
    "cffi",
];
const GO_MODULES: [&str; 10] = [
    "github.com/prometheus",
    "github.com/grpc-ecosystem",
    "golang.org/x",
    "google.golang.org",
    "github.com/spf13",
    "github.com/sirupsen",
    "go.uber.org",
    "github.com/gorilla",
    "k8s.io",
    "github.com/golang",
];
const CARGO_STEMS: [&str; 20] = [
    "tokio",
    "serde",
    "json",
    "hyper",
    "rustls",
    "ring",
    "bytes",
    "futures",
    "tracing",
    "subscriber",
    "clap",
    "derive",
    "regex",
    "syntax",
    "rand",
    "chacha",
    "uuid",
    "time",
    "macros",
    "util",
];

/// The `i`-th filler component of a device, unique within it: two stems chosen by `i`.
fn filler(rng: &mut Rng, ecosystem: usize, i: usize) -> Component {
    let stems = |list: &[&str]| {
        let n = list.len();
        format!("{}-{}-{i}", list[i % n], list[(i / n + 3 * i + 5) % n])
    };
    let mut hashes = Vec::new();
    let mut cpe = None;
    let (group, name, version, purl, supplier) = match ecosystem {
        0 => {
            let name = stems(&NPM_STEMS);
            let version = format!(
                "{}.{}.{}{}",
                rng.below(12),
                rng.below(40),
                rng.below(20),
                if rng.below(25) == 0 { "-rc.1" } else { "" }
            );
            let scope = (rng.below(3) == 0).then(|| rng.pick(&NPM_SCOPES));
            hashes.push(("SHA-512", rng.hex(128)));
            match scope {
                Some(scope) => (
                    scope.to_string(),
                    name.clone(),
                    version.clone(),
                    format!("pkg:npm/%40{}/{name}@{version}", &scope[1..]),
                    format!("{scope} maintainers"),
                ),
                None => (
                    String::new(),
                    name.clone(),
                    version.clone(),
                    format!("pkg:npm/{name}@{version}"),
                    "npm community".to_string(),
                ),
            }
        }
        1 => {
            let (group, supplier) = MAVEN_GROUPS[rng.below(MAVEN_GROUPS.len() as u64) as usize];
            let name = stems(&MAVEN_STEMS);
            let version = format!(
                "{}.{}.{}{}",
                rng.below(7),
                rng.below(20),
                rng.below(30),
                ["", "", ".Final", "-jre", ".RELEASE"][rng.below(5) as usize]
            );
            hashes.push(("SHA-1", rng.hex(40)));
            hashes.push(("SHA-256", rng.hex(64)));
            let vendor = group.rsplit('.').next().unwrap_or(group);
            cpe = Some(format!("cpe:2.3:a:{vendor}:{name}:{version}:*:*:*:*:*:*:*"));
            let purl = format!("pkg:maven/{group}/{name}@{version}");
            (group.to_string(), name, version, purl, supplier.to_string())
        }
        2 => {
            let name = stems(&PYPI_STEMS);
            let version = format!(
                "{}.{}{}",
                rng.below(5),
                rng.below(30),
                ["", ".post1", ".1", "rc2"][rng.below(4) as usize]
            );
            hashes.push(("SHA-256", rng.hex(64)));
            let purl = format!("pkg:pypi/{name}@{version}");
            (
                String::new(),
                name,
                version,
                purl,
                "PyPI maintainers".into(),
            )
        }
        3 => {
            let module = format!(
                "{}/{}",
                rng.pick(&GO_MODULES),
                stems(&CARGO_STEMS).replace('-', "")
            );
            let version = format!("v{}.{}.{}", rng.below(3), rng.below(60), rng.below(10));
            // Some Go SBOMs carry no hash for modules.
            if rng.below(4) != 0 {
                hashes.push(("SHA-256", rng.hex(64)));
            }
            let purl = format!("pkg:golang/{module}@{version}");
            (
                String::new(),
                module,
                version,
                purl,
                "Go module authors".into(),
            )
        }
        _ => {
            let name = stems(&CARGO_STEMS).replace('-', "_");
            let version = format!("{}.{}.{}", rng.below(2), rng.below(30), rng.below(15));
            hashes.push(("SHA-256", rng.hex(64)));
            let purl = format!("pkg:cargo/{name}@{version}");
            (
                String::new(),
                name,
                version,
                purl,
                "crates.io authors".into(),
            )
        }
    };
    Component {
        group,
        name,
        version,
        purl,
        supplier,
        cpe,
        hashes,
        notable: None,
    }
}

fn notable(rng: &mut Rng, which: Notable, version: &str) -> Component {
    let (group, name, purl, supplier) = which.identity();
    let (hashes, cpe) = match which {
        Notable::Log4jCore => (
            vec![("SHA-1", rng.hex(40)), ("SHA-256", rng.hex(64))],
            Some(format!("cpe:2.3:a:apache:log4j:{version}:*:*:*:*:*:*:*")),
        ),
        _ => (vec![("SHA-512", rng.hex(128))], None),
    };
    Component {
        group: group.into(),
        name: name.into(),
        version: version.into(),
        purl: format!("{purl}@{version}"),
        supplier: supplier.into(),
        cpe,
        hashes,
        notable: Some(which),
    }
}

/// The components of `device`, in SBOM order (dqiSwIndex = position + 1): fillers drawn by the
/// mix, the notable packages at evenly spread positions.
fn components(device: &Planned) -> Vec<Component> {
    let mut rng = Rng::for_device(device.name);
    let total: u32 = device.mix.iter().sum();
    let slots = device.notable.len() + 1;
    let mut out = Vec::with_capacity(device.size);
    let mut next_notable = 0;
    for i in 0..device.size {
        if next_notable < device.notable.len() && i == (next_notable + 1) * device.size / slots {
            let (which, version) = device.notable[next_notable];
            out.push(notable(&mut rng, which, version));
            next_notable += 1;
            continue;
        }
        let mut pick = rng.below(total as u64) as u32;
        let ecosystem = device
            .mix
            .iter()
            .position(|&w| {
                if pick < w {
                    true
                } else {
                    pick -= w;
                    false
                }
            })
            .unwrap_or(0);
        out.push(filler(&mut rng, ecosystem, i));
    }
    out
}

fn json_component(c: &Component) -> Value {
    let mut v = serde_json::json!({
        "type": "library",
        "bom-ref": c.purl,
        "name": c.name,
        "version": c.version,
        "supplier": { "name": c.supplier },
        "purl": c.purl,
    });
    if !c.group.is_empty() {
        v["group"] = c.group.clone().into();
    }
    if let Some(cpe) = &c.cpe {
        v["cpe"] = cpe.clone().into();
    }
    if !c.hashes.is_empty() {
        v["hashes"] = c
            .hashes
            .iter()
            .map(|(alg, hex)| serde_json::json!({ "alg": alg, "content": hex }))
            .collect();
    }
    v
}

fn purl_of(which: Notable, version: &str) -> String {
    format!("{}@{version}", which.identity().2)
}

/// Why a product is not affected, as an OpenVEX statement gives it (dqiVexDetail).
const IMPACT: &str = "The affected code is not built into this product.";

/// When every device's VEX statements were made (each form's document date).
const VEX_DATE: &str = "2026-11-30T09:00:00Z";

/// The `vulnerabilities` the CycloneDX export of `m` must carry: one per planned statement,
/// in CycloneDX words, its component by bom-ref, what to do and why as the form says it.
fn exported_vulnerabilities(m: &Running) -> Value {
    let all: Vec<Value> = m
        .plan
        .statements
        .iter()
        .map(|(id, which, version, state)| {
            let index = m
                .notables()
                .find(|(_, c, n)| n == which && c.version == *version)
                .map(|(i, _, _)| i)
                .expect("the statement's component is in the plan");
            let mut analysis = serde_json::json!({ "lastUpdated": VEX_DATE });
            let mut v = serde_json::json!({
                "id": id,
                "updated": VEX_DATE,
                "affects": [{ "ref": format!("dqi-sw-{index}") }],
            });
            match state {
                State::Affected => {
                    analysis["state"] = "exploitable".into();
                    match m.plan.vex {
                        VexForm::InSbom | VexForm::CycloneDxVex => {
                            analysis["response"] = serde_json::json!(["update"]);
                        }
                        VexForm::OpenVex => {
                            v["recommendation"] = "Install the vendor update.".into();
                        }
                        VexForm::Csaf => {
                            v["recommendation"] = "vendor_fix: Install the vendor update.".into();
                        }
                        VexForm::None => unreachable!("a statement without a document"),
                    }
                }
                State::NotAffected(why) => {
                    analysis["state"] = "not_affected".into();
                    analysis["justification"] = match *why {
                        "vulnerable_code_not_present" => "code_not_present",
                        "vulnerable_code_not_in_execute_path" => "code_not_reachable",
                        other => panic!("no CycloneDX word planned for {other}"),
                    }
                    .into();
                    if m.plan.vex == VexForm::OpenVex {
                        analysis["detail"] = IMPACT.into();
                    }
                }
                State::Fixed => analysis["state"] = "resolved".into(),
                State::UnderInvestigation => analysis["state"] = "in_triage".into(),
            }
            v["analysis"] = analysis;
            v
        })
        .collect();
    if all.is_empty() {
        Value::Null
    } else {
        all.into()
    }
}

/// The VEX rows the agent's importer makes of `config`'s documents, each with its component's
/// name, version and purl in place of its index (the export renumbers the rows) and without
/// the source and subject (the export's own serial number and bom-refs).
fn imported_vex(config: DeviceConfig) -> BTreeSet<String> {
    let snapshot = FileSource::new(config, None)
        .expect("source")
        .snapshot()
        .expect("the documents import");
    let rows = snapshot.software.rows();
    snapshot
        .vex
        .rows()
        .iter()
        .map(|v| {
            let c = rows
                .iter()
                .find(|r| r.index == v.index)
                .expect("a statement about a component");
            let s = &v.statement;
            format!(
                "{} | {} {} {:?} | {:?} | {:?} | {:?} | {:?} | {:?}",
                v.vuln_id,
                c.name,
                c.version,
                c.purl,
                s.state,
                s.justification,
                s.action,
                s.detail,
                s.updated
            )
        })
        .collect()
}

/// CycloneDX `vulnerabilities[]` for the device's statements.
fn cyclonedx_vulnerabilities(device: &Planned) -> Value {
    device
        .statements
        .iter()
        .map(|(id, which, version, state)| {
            let analysis = match state {
                State::Affected => {
                    serde_json::json!({ "state": "exploitable", "response": ["update"] })
                }
                State::NotAffected(why) => serde_json::json!({
                    "state": "not_affected",
                    "justification": match *why {
                        "vulnerable_code_not_present" => "code_not_present",
                        "vulnerable_code_not_in_execute_path" => "code_not_reachable",
                        other => other,
                    }
                }),
                State::Fixed => serde_json::json!({ "state": "resolved" }),
                State::UnderInvestigation => serde_json::json!({ "state": "in_triage" }),
            };
            serde_json::json!({
                "id": id,
                "source": { "name": "NVD" },
                "analysis": analysis,
                "affects": [{ "ref": purl_of(*which, version) }]
            })
        })
        .collect()
}

fn sbom(device: &Planned, comps: &[Component]) -> String {
    let mut doc = serde_json::json!({
        "$schema": "http://cyclonedx.org/schema/bom-1.6.schema.json",
        "bomFormat": "CycloneDX",
        "specVersion": "1.6",
        "serialNumber": format!("urn:uuid:{}", Rng::for_device(device.name).uuid()),
        "version": 1,
        "metadata": {
            "timestamp": "2026-11-30T09:00:00Z",
            "component": {
                "type": "device",
                "name": device.name,
                "version": DEVICE_VERSION,
                "bom-ref": device.name
            },
            "supplier": { "name": "Acme Medical Systems, Inc." }
        },
        "components": comps.iter().map(json_component).collect::<Vec<_>>(),
    });
    if device.vex == VexForm::InSbom {
        doc["vulnerabilities"] = cyclonedx_vulnerabilities(device);
    }
    doc.to_string()
}

/// The device's VEX document in its form, with its file name.
fn vex_document(device: &Planned) -> Option<(&'static str, String)> {
    let doc = match device.vex {
        VexForm::None | VexForm::InSbom => return None,
        VexForm::OpenVex => (
            "vex.openvex.json",
            serde_json::json!({
                "@context": "https://openvex.dev/ns/v0.2.0",
                "@id": format!("https://acme-medical.example/vex/{}.json", device.name),
                "author": "Acme Medical Systems Product Security",
                "timestamp": "2026-11-30T09:00:00Z",
                "version": 1,
                "statements": device.statements.iter().map(|(id, which, version, state)| {
                    let (status, why) = state.words();
                    let mut s = serde_json::json!({
                        "vulnerability": { "name": id },
                        "products": [{ "@id": purl_of(*which, version) }],
                        "status": status,
                    });
                    if !why.is_empty() {
                        s["justification"] = why.into();
                        s["impact_statement"] = IMPACT.into();
                    }
                    if *state == State::Affected {
                        s["action_statement"] = "Install the vendor update.".into();
                    }
                    s
                }).collect::<Vec<_>>()
            }),
        ),
        VexForm::Csaf => {
            let products: Vec<Value> = device
                .statements
                .iter()
                .enumerate()
                .map(|(i, (_, which, version, _))| {
                    serde_json::json!({
                        "product_id": format!("P{i}"),
                        "name": format!("{} {version}", which.identity().1),
                        "product_identification_helper": { "purl": purl_of(*which, version) }
                    })
                })
                .collect();
            let vulnerabilities: Vec<Value> = device
                .statements
                .iter()
                .enumerate()
                .map(|(i, (id, _, _, state))| {
                    let product = format!("P{i}");
                    let status = match state {
                        State::Affected => "known_affected",
                        State::NotAffected(_) => "known_not_affected",
                        State::Fixed => "fixed",
                        State::UnderInvestigation => "under_investigation",
                    };
                    let mut v = serde_json::json!({
                        "cve": id,
                        "product_status": { status: [product] },
                    });
                    if let State::NotAffected(why) = state {
                        v["flags"] =
                            serde_json::json!([{ "label": why, "product_ids": [product] }]);
                    }
                    if *state == State::Affected {
                        v["remediations"] = serde_json::json!([{
                            "category": "vendor_fix",
                            "details": "Install the vendor update.",
                            "product_ids": [product]
                        }]);
                    }
                    v
                })
                .collect();
            (
                "vex.csaf.json",
                serde_json::json!({
                    "document": {
                        "category": "csaf_vex",
                        "csaf_version": "2.0",
                        "title": format!("{}: VEX", device.name),
                        "publisher": {
                            "category": "vendor",
                            "name": "Acme Medical Systems, Inc.",
                            "namespace": "https://acme-medical.example"
                        },
                        "tracking": {
                            "id": format!("ACME-VEX-{}", device.name),
                            "status": "final",
                            "version": "1",
                            "initial_release_date": "2026-11-30T09:00:00Z",
                            "current_release_date": "2026-11-30T09:00:00Z",
                            "revision_history": [{ "date": "2026-11-30T09:00:00Z", "number": "1", "summary": "Initial." }]
                        }
                    },
                    "product_tree": { "full_product_names": products },
                    "vulnerabilities": vulnerabilities
                }),
            )
        }
        VexForm::CycloneDxVex => (
            "vex.cdx.json",
            serde_json::json!({
                "bomFormat": "CycloneDX",
                "specVersion": "1.6",
                "version": 1,
                "metadata": { "timestamp": "2026-11-30T09:00:00Z" },
                "vulnerabilities": cyclonedx_vulnerabilities(device)
            }),
        ),
    };
    Some((doc.0, doc.1.to_string()))
}

/// The dqiSwIndex of the component at `position` in the SBOM: the device itself
/// (`metadata.component`) is row 1, its components follow in document order.
fn index_of(position: usize) -> usize {
    position + 2
}

/// A running fleet member: its plan, its components, its agent (dropped before its files).
struct Running {
    plan: &'static Planned,
    components: Vec<Component>,
    agent: Agent,
    _dir: TestDir,
}

impl Running {
    fn address(&self) -> String {
        format!("127.0.0.1:{}", self.agent.port)
    }

    /// (dqiSwIndex, component) of the notable packages.
    fn notables(&self) -> impl Iterator<Item = (usize, &Component, Notable)> {
        self.components
            .iter()
            .enumerate()
            .filter_map(|(i, c)| c.notable.map(|n| (index_of(i), c, n)))
    }

    /// The device's VEX statement about (`id`, component), in dqi-query's words.
    fn statement(&self, id: &str, c: &Component) -> Option<(&'static str, &'static str)> {
        self.plan
            .statements
            .iter()
            .find(|(sid, which, version, _)| {
                *sid == id && c.notable == Some(*which) && c.version == *version
            })
            .map(|(_, _, _, state)| state.words())
    }

    fn method(&self, lookup: &str) -> &'static str {
        match (self.plan.older, lookup) {
            (true, _) => "dqiSwTable-walk",
            (false, "name") => "dqiSwByNameTable",
            (false, _) => "dqiSwByPurlTable",
        }
    }
}

fn start(plan: &'static Planned) -> Running {
    let components = components(plan);
    let dir = TestDir::new(&format!("qf-{}", plan.name));
    write_file(&dir.join("sbom.cdx.json"), &sbom(plan, &components), 0o600);
    let mut section = "[device]\nsbom = [\"sbom.cdx.json\"]\n".to_string();
    if let Some((file, text)) = vex_document(plan) {
        write_file(&dir.join(file), &text, 0o600);
        section.push_str(&format!("vex = [\"{file}\"]\n"));
    }
    let mut config = device_config(&section);
    if plan.older {
        config.users = vec![User::new(USER, "SHA-256", Some("AES-128")).viewing("older-dqi")];
        config = config.with_section(WITHOUT_LOOKUP_TABLES);
    }
    Running {
        plan,
        components,
        agent: Agent::start(&dir, &config),
        _dir: dir,
    }
}

/// The targets file: every member, then "ghost" (nothing listening) and "wrong-creds" (the
/// first member, with a wrong passphrase).
fn targets(dir: &TestDir, fleet: &[Running], ghost: u16) -> PathBuf {
    let user = User::new(USER, "SHA-256", Some("AES-128"));
    let mut text = format!(
        "[credentials.biomed]\nuser = \"{USER}\"\nauth = \"SHA-256\"\nauth_password = \"{}\"\nprivacy = \"AES-128\"\npriv_password = \"{}\"\n\n\
         [credentials.stale]\nuser = \"{USER}\"\nauth = \"SHA-256\"\nauth_password = \"not-the-password\"\nprivacy = \"AES-128\"\npriv_password = \"{}\"\n",
        user.auth_password, user.priv_password, user.priv_password
    );
    let mut add = |name: &str, port: u16, credentials: &str| {
        text.push_str(&format!(
            "\n[[target]]\nname = \"{name}\"\naddress = \"127.0.0.1:{port}\"\ncredentials = \"{credentials}\"\n"
        ));
    };
    for m in fleet {
        add(m.plan.name, m.agent.port, "biomed");
    }
    add("ghost", ghost, "biomed");
    add("wrong-creds", fleet[0].agent.port, "stale");
    let path = dir.join("targets.toml");
    write_file(&path, &text, 0o600);
    path
}

const COMPONENT: [&str; 8] = [
    "target", "address", "status", "sw_index", "name", "version", "purl", "hash",
];

fn component_line(m: &Running, status: &str, index: usize, c: &Component) -> String {
    format!(
        "{} | {} | {status} | {index} | {} | {} | {} | {}",
        m.plan.name,
        m.address(),
        c.name,
        c.version,
        c.purl,
        c.served_hash()
    )
}

#[test]
fn a_fleet_of_real_world_sized_sboms_answers_exactly_what_its_plan_holds() {
    if NetSnmp::named().is_none() {
        return;
    }
    let started = std::time::Instant::now();
    let fleet: Vec<Running> = PLAN.iter().map(start).collect();
    let sizes: Vec<usize> = fleet.iter().map(|m| m.components.len()).collect();
    let total: usize = sizes.iter().sum();
    eprintln!(
        "fleet: {} agents, {total} components ({sizes:?}), started in {:?}",
        fleet.len(),
        started.elapsed()
    );
    // Each its own engine ID.
    let engines: BTreeSet<Vec<u8>> = fleet.iter().map(|m| m.agent.discover().engine_id).collect();
    assert_eq!(engines.len(), fleet.len());

    let run = TestDir::new("qf-run");
    let ghost = free_udp_port(Ipv4Addr::LOCALHOST.into());
    let targets = targets(&run, &fleet, ghost);
    let not_asked = set(&[
        format!(
            "ghost | 127.0.0.1:{ghost} | unreachable | nothing listening (ICMP port unreachable)"
        ),
        format!(
            "wrong-creds | {} | refused | refused the credentials: wrong digest: the authentication password or key is wrong",
            fleet[0].address()
        ),
    ]);
    let failure_fields = ["target", "address", "status", "reason"];
    let split = |records: &[Value]| -> (Vec<Value>, Vec<Value>) {
        records
            .iter()
            .cloned()
            .partition(|r| !r["sw_index"].is_null())
    };
    let osv = osv_fixtures();
    let osv = osv.to_str().expect("utf-8 path");
    let summary = |stderr: &str, findings: usize| {
        assert!(
            stderr.contains(&format!(
                "12 devices, 10 answered, 2 not asked; {findings} findings"
            )),
            "{stderr}"
        );
    };

    // 1. find by purl within the Log4Shell range: the log4j-core copies in it.
    let range = "vers:maven/>=2.0.0-beta9|<2.15.0";
    let (code, records, stderr) = query(
        &targets,
        &[
            "find",
            "pkg:maven/org.apache.logging.log4j/log4j-core",
            "--range",
            range,
        ],
    );
    assert_eq!(code, 3, "{stderr}");
    let in_range = ["2.14.1", "2.12.1", "2.0-beta9", "2.3.1"];
    let mut want = BTreeSet::new();
    for m in &fleet {
        for (index, c, which) in m.notables() {
            if which == Notable::Log4jCore && in_range.contains(&c.version.as_str()) {
                want.insert(format!(
                    "{} | {range} | {}",
                    component_line(m, "in-range", index, c),
                    m.method("purl")
                ));
            }
        }
    }
    assert_eq!(want.len(), 4);
    let (found, failed) = split(&records);
    let mut fields = COMPONENT.to_vec();
    fields.extend(["ranges", "method"]);
    assert_eq!(lines(&found, &fields), want);
    assert_eq!(lines(&failed, &failure_fields), not_asked);
    summary(&stderr, 4);

    // 2. find by name, any ecosystem: every lodash, wherever it is.
    let (code, records, stderr) = query(&targets, &["find", "lodash"]);
    assert_eq!(code, 3, "{stderr}");
    let mut want = BTreeSet::new();
    for m in &fleet {
        for (index, c, which) in m.notables() {
            if which == Notable::Lodash {
                want.insert(format!(
                    "{} | {}",
                    component_line(m, "found", index, c),
                    m.method("name")
                ));
            }
        }
    }
    assert_eq!(want.len(), 3);
    let (found, failed) = split(&records);
    let mut fields = COMPONENT.to_vec();
    fields.push("method");
    assert_eq!(lines(&found, &fields), want);
    assert_eq!(lines(&failed, &failure_fields), not_asked);

    // 3. vuln with OSV: each log4j-core against Log4Shell's ranges, beside its maker's VEX,
    // and where the two disagree.
    let (code, records, stderr) = query(&targets, &["vuln", LOG4SHELL, "--osv", osv]);
    assert_eq!(code, 3, "{stderr}");
    let mut want = BTreeSet::new();
    for m in &fleet {
        for (index, c, which) in m.notables() {
            if which != Notable::Log4jCore {
                continue;
            }
            let range = advisories_for(which, &c.version)
                .iter()
                .find(|(id, _)| *id == LOG4SHELL)
                .map(|(_, r)| *r);
            let (vex_state, why) = m.statement(LOG4SHELL, c).unwrap_or(("", ""));
            let disagreement = match (vex_state, range) {
                ("not_affected" | "fixed", Some(_)) => {
                    format!("the device states {vex_state} but its version is in an affected range")
                }
                ("affected", None) => {
                    "the device states affected but its version is outside every affected range"
                        .to_string()
                }
                _ => String::new(),
            };
            want.insert(format!(
                "{} | GHSA-jfh8-c2jp-5v3q | {} | {vex_state} | {why} | {disagreement} | {}",
                component_line(
                    m,
                    if range.is_some() {
                        "affected"
                    } else {
                        "not-affected"
                    },
                    index,
                    c
                ),
                range.unwrap_or(""),
                m.method("purl")
            ));
        }
    }
    assert_eq!(want.len(), 7);
    let (found, failed) = split(&records);
    let mut fields = COMPONENT.to_vec();
    fields.extend([
        "advisories",
        "ranges",
        "vex_state",
        "vex_justification",
        "disagreement",
        "method",
    ]);
    let got = lines(&found, &fields);
    // Both kinds of disagreement are in the plan.
    assert_eq!(
        got.iter()
            .filter(|l| l.contains("the device states"))
            .count(),
        2,
        "{got:#?}"
    );
    assert_eq!(got, want);
    assert_eq!(lines(&failed, &failure_fields), not_asked);

    // 4. vuln without OSV: the makers' statements alone, from dqiVexTable.
    let (code, records, stderr) = query(&targets, &["vuln", LOG4SHELL]);
    assert_eq!(code, 3, "{stderr}");
    let mut want = BTreeSet::new();
    for m in &fleet {
        for (index, c, _) in m.notables() {
            if let Some((state, why)) = m.statement(LOG4SHELL, c) {
                want.insert(format!(
                    "{} | 127.0.0.1:{} | vex | {index} | {state} | {why} | dqiVexTable",
                    m.plan.name, m.agent.port
                ));
            }
        }
    }
    assert_eq!(want.len(), 5);
    let (found, failed) = split(&records);
    assert_eq!(
        lines(
            &found,
            &[
                "target",
                "address",
                "status",
                "sw_index",
                "vex_state",
                "vex_justification",
                "method"
            ]
        ),
        want
    );
    assert_eq!(lines(&failed, &failure_fields), not_asked);

    // 5. advisories: every OSV record against every whole inventory.
    let (code, records, stderr) = query(&targets, &["advisories", "--osv", osv]);
    assert_eq!(code, 3, "{stderr}");
    let mut want = BTreeSet::new();
    for m in &fleet {
        for (index, c, which) in m.notables() {
            let hits = advisories_for(which, &c.version);
            if hits.is_empty() {
                continue;
            }
            let ids: Vec<&str> = hits.iter().map(|(id, _)| *id).collect();
            let ranges: Vec<&str> = hits.iter().map(|(_, r)| *r).collect();
            let vex: Vec<String> = hits
                .iter()
                .filter_map(|(id, _)| m.statement(id, c).map(|(s, _)| format!("{id}={s}")))
                .collect();
            want.insert(format!(
                "{} | {} | {} | {} | dqiSwTable-walk",
                component_line(m, "affected", index, c),
                ids.join(" "),
                ranges.join(" "),
                vex.join(";"),
            ));
        }
    }
    assert_eq!(want.len(), 10);
    let (found, failed) = split(&records);
    let mut fields = COMPONENT.to_vec();
    fields.extend(["advisories", "ranges", "vex_state", "method"]);
    assert_eq!(lines(&found, &fields), want);
    assert_eq!(lines(&failed, &failure_fields), not_asked);
    summary(&stderr, 10);
    let advisories_want = want;

    // 6. inventory: every component of every device, as generated; one CycloneDX document
    // per device with each component's purl, CPE, hashes and supplier.
    let out = run.join("sboms");
    let (code, records, stderr) = query(
        &targets,
        &["inventory", "--cyclonedx", out.to_str().expect("path")],
    );
    assert_eq!(code, 3, "{stderr}");
    let want: BTreeSet<String> = fleet
        .iter()
        .flat_map(|m| {
            let device = format!(
                "{} | {} | listed | 1 | {} | {DEVICE_VERSION} |  |  | dqiSwTable-walk",
                m.plan.name,
                m.address(),
                m.plan.name
            );
            m.components
                .iter()
                .enumerate()
                .map(move |(i, c)| {
                    format!(
                        "{} | dqiSwTable-walk",
                        component_line(m, "listed", index_of(i), c)
                    )
                })
                .chain([device])
        })
        .collect();
    assert_eq!(want.len(), total + fleet.len());
    let (listed, failed) = split(&records);
    let mut fields = COMPONENT.to_vec();
    fields.push("method");
    let got = lines(&listed, &fields);
    assert_eq!(got.len(), listed.len(), "no record twice");
    assert_eq!(
        got.difference(&want).take(5).collect::<Vec<_>>(),
        Vec::<&String>::new()
    );
    assert_eq!(
        want.difference(&got).take(5).collect::<Vec<_>>(),
        Vec::<&String>::new()
    );
    assert_eq!(lines(&failed, &failure_fields), not_asked);
    for m in &fleet {
        let path = out.join(format!("{}.cdx.json", m.plan.name));
        let doc: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).expect("document")).expect("JSON");
        assert_eq!(doc["metadata"]["component"]["name"], m.plan.name);
        let got: BTreeSet<String> = doc["components"]
            .as_array()
            .expect("components")
            .iter()
            .map(|c| {
                let hashes: Vec<String> = c["hashes"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|h| {
                        format!(
                            "{}:{}",
                            h["alg"].as_str().unwrap_or(""),
                            h["content"].as_str().unwrap_or("")
                        )
                    })
                    .collect();
                format!(
                    "{} {} {} {} {} {}",
                    c["name"].as_str().unwrap_or(""),
                    c["version"].as_str().unwrap_or(""),
                    c["purl"].as_str().unwrap_or(""),
                    c["cpe"].as_str().unwrap_or(""),
                    c["supplier"]["name"].as_str().unwrap_or(""),
                    hashes.join(",")
                )
            })
            .collect();
        let want: BTreeSet<String> = m
            .components
            .iter()
            .map(|c| {
                let hash = c.served_hash();
                let hash = match hash.split_once(':') {
                    Some((alg, hex)) => format!(
                        "{}:{hex}",
                        match alg {
                            "sha256" => "SHA-256",
                            "sha512" => "SHA-512",
                            "sha1" => "SHA-1",
                            other => other,
                        }
                    ),
                    None => String::new(),
                };
                format!(
                    "{} {} {} {} {} {hash}",
                    c.name,
                    c.version,
                    c.purl,
                    c.cpe.as_deref().unwrap_or(""),
                    c.supplier
                )
            })
            .collect();
        // The device's own row (dqiSwIndex 1) is a component too, of type device.
        let mut want = want;
        want.insert(format!("{} {DEVICE_VERSION}    ", m.plan.name));
        assert_eq!(got.len(), m.components.len() + 1, "{}", m.plan.name);
        for (a, b) in [(&got, &want), (&want, &got)] {
            assert_eq!(
                a.difference(b).take(3).collect::<Vec<_>>(),
                Vec::<&String>::new(),
                "{}",
                m.plan.name
            );
        }
        // The device's VEX, exactly as planned; and the agent's importer reads the export
        // back into the same dqiVexTable rows as it made of the maker's own documents.
        assert_eq!(
            doc["vulnerabilities"],
            exported_vulnerabilities(m),
            "{}",
            m.plan.name
        );
        let dir = m._dir.path();
        let original = DeviceConfig {
            sbom: vec![dir.join("sbom.cdx.json")],
            vex: vex_document(m.plan)
                .map(|(file, _)| dir.join(file))
                .into_iter()
                .collect(),
            ..DeviceConfig::default()
        };
        let exported = DeviceConfig {
            sbom: vec![path.clone()],
            ..DeviceConfig::default()
        };
        let want = imported_vex(original);
        assert_eq!(want.len(), m.plan.statements.len(), "{}", m.plan.name);
        assert_eq!(imported_vex(exported), want, "{}", m.plan.name);
    }
    // 7. The same advisories offline, from the store the inventory run filled (VEX included),
    // without a datagram; the two targets never answered have no inventory there.
    let (code, records, stderr) = query(&targets, &["advisories", "--osv", osv, "--offline"]);
    assert_eq!(code, 3, "{stderr}");
    let (found, failed) = split(&records);
    let mut fields = COMPONENT.to_vec();
    fields.extend(["advisories", "ranges", "vex_state"]);
    let offline_want: BTreeSet<String> = advisories_want
        .iter()
        .map(|l| {
            l.strip_suffix(" | dqiSwTable-walk")
                .expect("method")
                .to_string()
        })
        .collect();
    assert_eq!(lines(&found, &fields), offline_want);
    assert!(found.iter().all(|r| r["method"] == "store"));
    assert_eq!(
        lines(&failed, &["target", "status"]),
        set(&[
            "ghost | no-inventory".into(),
            "wrong-creds | no-inventory".into()
        ])
    );
    assert!(stderr.contains("; 0 datagrams;"), "{stderr}");

    // The largest document against the official CycloneDX 1.6 schema.
    assert_schema_valid(
        &out.join("pacs-gw-01.cdx.json"),
        fleet[0].components.len() + 1,
        "pacs-gw-01",
        &run,
    );
    eprintln!("fleet test: {:?} in all", started.elapsed());
}
