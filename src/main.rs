//! The `dqi-agent` binary. SKELETON.
fn main() {}
