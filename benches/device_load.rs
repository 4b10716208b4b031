//! How device-data loading grows with hostile inventories (issue 12): it must grow linearly.
//!
//! Run: `cargo bench --bench device_load` (sizes 50k, 100k, 200k, 500k), or with sizes:
//! `cargo bench --bench device_load -- 50000 100000`. Each case runs in a child process of its
//! own, so the peak memory printed (`VmHWM`) is that case's alone. Three cases:
//!
//! - `same-key first`: N components sharing one identity key (same purl, versions 0..N), the
//!   first start (every index new, the index file written);
//! - `same-key restart`: the same file again with that index file present (the case that was
//!   quadratic in `IndexMap::assign`);
//! - `hashes`: N copies of one component, each with its own SHA-256 (the case that was
//!   quadratic in the hash merge).
//!
//! Each time is what start-up takes before serving: reading the index file, the SBOM, building
//! the snapshot, saving the index and building the served tree. The limits are lifted
//! ([`Limits::unbounded`]) to measure the code; with the default limits every case above
//! 20,000 components is refused at once by `[device.limits] max_components`.

use std::path::Path;
use std::process::Command;
use std::time::Instant;

use dqi_agent::device::{DeviceConfig, Limits};
use dqi_agent::server::ServedDevice;

mod common;

const ENGINE_ID: &[u8] = b"\x80\x00\x1f\x88\x04bench";

const SIZES: [usize; 4] = [50_000, 100_000, 200_000, 500_000];

fn main() {
    let args: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    if args.first().map(String::as_str) == Some("--case") {
        return child(
            &args[1],
            args[2].parse().expect("size"),
            Path::new(&args[3]),
        );
    }
    let sizes: Vec<usize> = if args.is_empty() {
        SIZES.to_vec()
    } else {
        args.iter().filter_map(|a| a.parse().ok()).collect()
    };
    println!(
        "{:>9} | {:>30} | {:>30} | {:>30}",
        "N", "same-key first", "same-key restart", "hashes"
    );
    for n in sizes {
        let dir = std::env::temp_dir().join(format!("dqi-device-load-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("temp dir");
        let cells: Vec<String> = ["first", "restart", "hashes"]
            .iter()
            .map(|case| run_child(case, n, &dir))
            .collect();
        println!(
            "{n:>9} | {:>30} | {:>30} | {:>30}",
            cells[0], cells[1], cells[2]
        );
        let _ = std::fs::remove_dir_all(&dir);
    }
}

// Runs one case in a child process; "1.23 s, 456 MiB".
fn run_child(case: &str, n: usize, dir: &Path) -> String {
    let exe = std::env::current_exe().expect("own path");
    let out = Command::new(exe)
        .args(["--case", case, &n.to_string()])
        .arg(dir)
        .output()
        .expect("run the case");
    if !out.status.success() {
        return format!("failed ({})", out.status);
    }
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

fn child(case: &str, n: usize, dir: &Path) {
    let sbom = dir.join(format!("{case}.cdx.json"));
    let text = match case {
        "first" | "restart" => same_key(n),
        _ => distinct_hashes(n),
    };
    if case != "restart" || !sbom.exists() {
        std::fs::write(&sbom, text).expect("write the SBOM");
    }
    // The restart case reads the SBOM and index file the first case left.
    let sbom = if case == "restart" {
        dir.join("first.cdx.json")
    } else {
        sbom
    };
    let state = dir.join(if case == "hashes" {
        "state-hashes"
    } else {
        "state"
    });
    std::fs::create_dir_all(&state).expect("state dir");
    let config = DeviceConfig {
        sbom: vec![sbom],
        refresh_seconds: 0,
        limits: Limits::unbounded(),
        ..DeviceConfig::default()
    };
    let start = Instant::now();
    let device = ServedDevice::open(
        &config,
        &state,
        common::system("bench"),
        common::engine(ENGINE_ID),
    )
    .expect("load");
    let tree = device.tree();
    let elapsed = start.elapsed();
    assert!(tree.len() > 100, "the tree holds the device");
    println!(
        "{:.2} s ({:.2} s CPU), {} MiB",
        elapsed.as_secs_f64(),
        common::cpu_time(std::process::id()).map_or(0.0, |d| d.as_secs_f64()),
        peak_mib()
    );
}

fn same_key(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"type":"library","name":"libfoo","version":"1.{i}","purl":"pkg:generic/acme/libfoo@1.{i}"}}"#
            )
        })
        .collect();
    document(&items)
}

fn distinct_hashes(n: usize) -> String {
    let items: Vec<String> = (0..n)
        .map(|i| {
            format!(
                r#"{{"type":"library","name":"zlib","version":"1.3.1","purl":"pkg:generic/zlib@1.3.1","hashes":[{{"alg":"SHA-256","content":"{i:064x}"}}]}}"#
            )
        })
        .collect();
    document(&items)
}

fn document(items: &[String]) -> String {
    format!(
        r#"{{"bomFormat":"CycloneDX","specVersion":"1.5","version":1,"components":[{}]}}"#,
        items.join(",")
    )
}

// The process's peak resident memory, MiB (Linux; 0 elsewhere).
fn peak_mib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.split_whitespace().next()?.parse::<u64>().ok())
        })
        .map_or(0, |kib| kib / 1024)
}
