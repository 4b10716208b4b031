//! Prints how long SBOM loading takes: a generated CycloneDX SBOM with N components (default
//! 5,000; nested ten to a group, each with purl, CPE, two hashes, supplier and a lifecycle
//! property), read through the same file source the agent uses, index assignment included.
//!
//! ```text
//! cargo run --release --example sbom_load [N]
//! ```
//!
//! The SBOM is the one `tests/device_data.rs` loads, from the tests' generator.

// The tests' SBOM generators: the same document here and in `tests/device_data.rs`.
#[cfg(feature = "server")]
#[path = "../tests/common/sbom.rs"]
mod sbom;

#[cfg(feature = "server")]
fn main() {
    use dqi_agent::device::{DeviceConfig, DeviceSource, FileSource};
    use std::time::Instant;

    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(5000);
    let dir = std::env::temp_dir().join(format!("dqi-sbom-load-{}", std::process::id()));
    if let Err(e) = std::fs::create_dir_all(&dir) {
        eprintln!("{}: {e}", dir.display());
        std::process::exit(1);
    }
    let path = dir.join("large.cdx.json");
    let text = sbom::large_nested_sbom(n);
    if let Err(e) = std::fs::write(&path, &text) {
        eprintln!("{}: {e}", path.display());
        std::process::exit(1);
    }
    let config = DeviceConfig {
        sbom: vec![path.clone()],
        ..DeviceConfig::default()
    };
    let mut times = Vec::new();
    let mut rows = 0;
    for _ in 0..5 {
        // A fresh source each time: the first load of a process, every index new.
        let source = match FileSource::new(config.clone(), None) {
            Ok(s) => s,
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        };
        let start = Instant::now();
        match source.snapshot() {
            Ok(s) => rows = s.software.rows().len(),
            Err(e) => {
                eprintln!("{e}");
                std::process::exit(1);
            }
        }
        times.push(start.elapsed());
    }
    let _ = std::fs::remove_dir_all(&dir);
    times.sort();
    println!(
        "{n} components ({:.1} MiB): {rows} rows; load min {:?}, median {:?}, max {:?}",
        text.len() as f64 / (1024.0 * 1024.0),
        times[0],
        times[times.len() / 2],
        times[times.len() - 1]
    );
}

#[cfg(not(feature = "server"))]
fn main() {
    eprintln!("sbom_load needs the `server` feature (the file loaders)");
}
