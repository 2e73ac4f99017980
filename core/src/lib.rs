//! paxoscope-core: Ceph's monitor Paxos as a sans-IO state machine (`protocol`), a deterministic
//! simulator that drives five of them over a modelled messenger (`sim`), the scenario text
//! format (`scenario`), the recorded trace (`trace`), the invariant checker (`check`), the
//! exports of a run (`export`: trace JSON, mermaid diagrams), the fault campaign (`campaign`)
//! and an exhaustive explorer of the real handlers for three monitors (`model`).
//!
//! Nothing here touches the OS clock, OS randomness or hash-ordered collections, so the same
//! scenario yields the same trace natively and in wasm.

pub mod actor;
pub mod budget;
pub mod campaign;
pub mod challenge;
pub mod check;
pub mod client;
pub mod decimal;
pub mod export;
pub mod history;
pub mod json;
pub mod machine;
pub mod model;
pub mod narrate;
pub mod presets;
pub mod protocols;
pub mod ranks;
pub mod scenario;
pub mod session;
pub mod shared_map;
pub mod sim;
pub mod sorted;
pub mod trace;
pub mod verdict;
pub mod view;
