//! Prints how long SBOM loading takes: a generated CycloneDX SBOM with N components (default
//! 5,000; nested ten to a group, each with purl, CPE, two hashes, supplier and a lifecycle
//! property), read through the same file source the agent uses, index assignment included.
//!
//! ```text
//! cargo run --release --example sbom_load [N]
//! ```

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
    let text = generate(n);
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

#[cfg(feature = "server")]
fn generate(n: usize) -> String {
    let mut out = String::from(
        r#"{"bomFormat":"CycloneDX","specVersion":"1.6","version":1,"metadata":{"timestamp":"2024-06-01T00:00:00Z"},"components":["#,
    );
    let component = |i: usize| {
        format!(
            r#""type":"library","bom-ref":"c{i}","name":"component-{i}","version":"1.{i}.0","supplier":{{"name":"Supplier {s}"}},"purl":"pkg:npm/component-{i}@1.{i}.0","cpe":"cpe:2.3:a:supplier{s}:component-{i}:1.{i}.0:*:*:*:*:*:*:*","hashes":[{{"alg":"SHA-1","content":"{i:040x}"}},{{"alg":"SHA-256","content":"{i:064x}"}}],"properties":[{{"name":"cdx:lifecycle:milestone:endOfSupport","value":"2030-01-01"}}]"#,
            s = i % 50
        )
    };
    let mut i = 0;
    while i < n {
        if i > 0 {
            out.push(',');
        }
        out.push('{');
        out.push_str(&component(i));
        let children = (n - i - 1).min(9);
        out.push_str(r#","components":["#);
        for k in 1..=children {
            if k > 1 {
                out.push(',');
            }
            out.push('{');
            out.push_str(&component(i + k));
            out.push('}');
        }
        out.push_str("]}");
        i += children + 1;
    }
    out.push_str("]}");
    out
}

#[cfg(not(feature = "server"))]
fn main() {
    eprintln!("sbom_load needs the `server` feature (the file loaders)");
}
