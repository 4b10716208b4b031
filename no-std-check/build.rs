//! Links `libdqi.a`, the C library a C embedder links: from `DQI_LIB_DIR` when set, else from
//! `target/ffi/release` beside this directory (where `tests/c_api.rs` builds it:
//! `cargo build --release --manifest-path dqi-ffi/Cargo.toml --target-dir target/ffi`).
//! `DQI_LINK_MAP=PATH` also writes the linker's map there.

use std::path::PathBuf;

fn main() {
    println!("cargo::rerun-if-env-changed=DQI_LIB_DIR");
    let dir = match std::env::var_os("DQI_LIB_DIR") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../target/ffi/release"),
    };
    let library = dir.join("libdqi.a");
    if !library.is_file() {
        println!(
            "cargo::warning={} not found: build it first with `cargo build --release \
             --manifest-path dqi-ffi/Cargo.toml --target-dir target/ffi` (or set DQI_LIB_DIR)",
            library.display()
        );
    }
    println!("cargo::rerun-if-changed={}", library.display());
    println!("cargo::rustc-link-search=native={}", dir.display());
    // A linker map, when asked for: `tests/c_api.rs` reads from it how much of `.text` is the
    // library's.
    println!("cargo::rerun-if-env-changed=DQI_LINK_MAP");
    if let Some(map) = std::env::var_os("DQI_LINK_MAP") {
        println!(
            "cargo::rustc-link-arg=-Wl,-Map={}",
            PathBuf::from(map).display()
        );
    }
}
