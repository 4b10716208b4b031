//! The sans-I/O command responder. SKELETON.
