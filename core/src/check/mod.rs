//! The checker: safety invariants of the spec (section 14), one per file, and a
//! linearizability check of the client history.
pub mod linearizability;
