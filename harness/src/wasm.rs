//! The browser's entry points. Every function returns JSON text; numbers that may exceed
//! 2^53 (trace hashes) are hex strings.

use crate::measure;
use serde_json::json;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    /// `performance.now()`: milliseconds, sub-millisecond resolution in Chromium.
    #[wasm_bindgen(js_namespace = performance, js_name = now)]
    fn performance_now() -> f64;
}

fn clock() -> f64 {
    performance_now()
}

/// Trace hashes of `determinism_scenario(seed)` for `start..start + count`, as a JSON array of
/// 16-digit hex strings.
#[wasm_bindgen]
pub fn trace_hashes(start: u32, count: u32) -> String {
    let hashes: Vec<String> = measure::trace_hashes(start as u64, count as u64)
        .into_iter()
        .map(|h| format!("{h:016x}"))
        .collect();
    json!(hashes).to_string()
}

/// Trace hashes of campaign seeds `start..start + count`, each run as the campaign runs it
/// (`measure::campaign_trace_hash`), as a JSON array of 16-digit hex strings.
#[wasm_bindgen]
pub fn campaign_trace_hashes(start: u32, count: u32) -> String {
    let hashes: Vec<String> = measure::campaign_trace_hashes(start as u64, count as u64)
        .into_iter()
        .map(|h| format!("{h:016x}"))
        .collect();
    json!(hashes).to_string()
}

/// Throughput of each engine over `target_events` events of the steady load (JSON array).
#[wasm_bindgen]
pub fn bench_events(target_events: u32) -> String {
    measure::warm_up(&clock);
    let table = measure::throughput_table(target_events as u64, measure::THROUGHPUT_RUNS, &clock);
    json!(table).to_string()
}

/// One run of each engine, no warm-up (JSON array): a round of the paired wasm/native
/// comparison, which alternates these with native rounds (tests/e2e/wasm-harness.mjs).
#[wasm_bindgen]
pub fn bench_round(target_events: u32) -> String {
    json!(measure::throughput_table(target_events as u64, 1, &clock)).to_string()
}

/// Seek latency over a recorded run of `events` events (JSON object).
#[wasm_bindgen]
pub fn seek_latency(events: u32, seeks: u32, snapshot_every: u32) -> String {
    measure::seek_latency(events as u64, seeks as usize, snapshot_every as u64, &clock)
        .to_json()
        .to_string()
}

/// Seeds per second of the stand-in campaign (JSON object).
#[wasm_bindgen]
pub fn campaign_stand_in(seeds: u32) -> String {
    measure::campaign_stand_in(seeds as u64, &clock).to_string()
}
