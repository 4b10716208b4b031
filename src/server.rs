//! Tokio UDP driver. SKELETON.
