//! Compares the run budget's memory estimate with what the process really used (how the
//! weights in core/src/budget.rs were measured): runs a scenario file as `paxoscope run` does
//! (recorded, a snapshot every 2,000 events) up to a time, then prints the counts, the
//! estimate, the peak resident memory (VmHWM, Linux) and whether the budget stopped the run.
//!
//! `cargo run --release -p paxoscope-harness --example budget_probe -- FILE UNTIL_MS`

use paxoscope_core::scenario::parse;
use paxoscope_core::session::Session;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, file, until] = args.as_slice() else {
        eprintln!("usage: budget_probe FILE UNTIL_MS");
        std::process::exit(2);
    };
    let text = std::fs::read_to_string(file).expect("a readable scenario file");
    let scenario = parse(&text).unwrap_or_else(|e| panic!("{file}: {e}"));
    let until_ms: u64 = until.parse().expect("UNTIL_MS is a number");
    let baseline_kb = vm_hwm_kb();
    let mut s = Session::new(scenario);
    s.run_until(until_ms);
    let kept = s.kept();
    let used_kb = vm_hwm_kb().saturating_sub(baseline_kb);
    println!(
        "t_ms {} events {} trace {} clients {} snapshots {} snapshot_mib {} queued {} stored {} \
         checker {} estimate_mib {} peak_rss_mib {} estimate/rss {:.2}",
        s.now_ms(),
        s.world().events(),
        kept.trace_entries,
        kept.client_records,
        kept.snapshots,
        kept.snapshot_bytes >> 20,
        kept.live.queued_events,
        kept.live.stored_entries,
        kept.live.checker_entries,
        kept.bytes() >> 20,
        used_kb >> 10,
        kept.bytes() as f64 / (used_kb.max(1) * 1024) as f64
    );
    if let Some(b) = s.budget_exceeded() {
        println!("{b}");
    }
}

/// Peak resident set size of this process so far, in KiB (0 where /proc is missing).
fn vm_hwm_kb() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}
