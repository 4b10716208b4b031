//! TOML configuration. SKELETON.
