//! paxoscope-harness: the core's benchmark workloads and determinism scenarios in one place,
//! so that `paxoscope bench` (native) and the wasm build loaded in headless Chromium run the
//! very same code. Natively it is an ordinary library; on wasm32 it also exports
//! `trace_hashes`, `campaign_trace_hashes`, `bench_events`, `seek_latency` and `campaign_stand_in` via wasm-bindgen
//! (see `wasm.rs`), each returning JSON text.

pub mod measure;
pub mod unchanged;
pub mod workloads;

#[cfg(target_arch = "wasm32")]
mod wasm;
