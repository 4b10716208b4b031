//! The device file parsers (SBOM by content, CycloneDX, SPDX, VEX, the description TOML) on any
//! bytes: an error or a result, never a panic, and time linear in the input (a generous bound
//! per byte; libFuzzer's `-timeout` catches the rest).
#![no_main]

use std::time::{Duration, Instant};

use dqi_agent::device::{Limits, cyclonedx, description, source, spdx, vex};
use libfuzzer_sys::fuzz_target;

/// Far above what the parsers take (about 0.1 µs a byte), so only superlinear work trips it.
const PER_BYTE: Duration = Duration::from_micros(20);
const BASE: Duration = Duration::from_millis(100);

fuzz_target!(|data: &[u8]| {
    let limits = Limits::default();
    let started = Instant::now();
    let _ = source::parse_sbom(data, "fuzz.json", &limits);
    let _ = cyclonedx::parse(data, "fuzz.cdx.json");
    let _ = spdx::parse(data, "fuzz.spdx.json");
    let _ = vex::parse(data, "fuzz.vex.json");
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = description::parse(text, "fuzz.toml");
    }
    let elapsed = started.elapsed();
    let bound = BASE + PER_BYTE * u32::try_from(data.len()).unwrap_or(u32::MAX);
    assert!(elapsed <= bound, "{} bytes took {elapsed:?} (bound {bound:?})", data.len());
});
