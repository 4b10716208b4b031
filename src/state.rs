//! State directory. SKELETON.
