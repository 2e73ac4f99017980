//! `paxoscope bench`: the simulator's speed and memory, natively. The workloads live in
//! paxoscope-harness, which the wasm build runs too (scripts/bench.sh compares them).
//!
//! Figures: events per second for the World alone and for a Session with the checker (trace
//! recorded or not), simulated time over wall time, cost growth (time and memory for 10^4,
//! 10^5 and 10^6 events), seek latency over a 10^6-event run, and campaign seeds per second.
//! Memory comes from a counting global allocator installed in this binary (below).

use paxoscope_harness::measure::{self, Engine, Throughput};
use serde_json::{json, Value as Json};
use std::alloc::{GlobalAlloc, Layout, System};
use std::process::ExitCode;
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering::Relaxed};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Args {
    /// Print one JSON object instead of the human-readable report.
    #[arg(long)]
    json: bool,
    /// Only print the trace hashes of the determinism scenario for seeds START..START+COUNT
    /// (one 16-digit hex hash per line; a JSON array with --json).
    #[arg(long, num_args = 2, value_names = ["START", "COUNT"])]
    hashes: Option<Vec<u64>>,
    /// Only print the trace hashes of campaign seeds START..START+COUNT, each run as
    /// `paxoscope campaign` runs it, in the mode the harness picks per seed (default, three
    /// monitors, seven beyond the assumptions, a mutation canary).
    #[arg(long, num_args = 2, value_names = ["START", "COUNT"], conflicts_with = "hashes")]
    campaign_hashes: Option<Vec<u64>>,
    /// Events per throughput run and the largest growth run.
    #[arg(long, default_value_t = 1_000_000)]
    events: u64,
    /// Random seeks timed over the recorded run.
    #[arg(long, default_value_t = 200)]
    seeks: usize,
    /// Snapshot interval (events) of the run the seeks travel in.
    #[arg(long, default_value_t = measure::UI_SNAPSHOT_EVERY)]
    snapshot_every: u64,
    /// Seeds of the campaign measurement.
    #[arg(long, default_value_t = 200)]
    seeds: u64,
    /// Only one run of each engine (after the short warm-up), as a JSON array: a round of the paired
    /// wasm/native comparison (tests/e2e/wasm-harness.mjs alternates it with wasm rounds).
    #[arg(long)]
    round: bool,
    /// Only the cost-growth table (`growth`) or the seek latencies (`seek`), as the full
    /// report prints them: reproduces one section of docs/performance.md quickly.
    #[arg(long, value_parser = ["growth", "seek"])]
    only: Option<String>,
    /// With the growth table: where each row's bytes go (what one more snapshot would copy,
    /// the client history, the scenario), counted with the allocator after the run.
    #[arg(long)]
    breakdown: bool,
}

// ----- a counting allocator: live and peak bytes of the whole process -----

struct Counting;

// Counting is switched on only around the growth runs: a locked read-modify-write on every
// allocation would otherwise be part of the throughput figures (and of every `campaign`,
// which runs in this binary too). Signed, because a window may free what was allocated
// before it.
static COUNTING: AtomicBool = AtomicBool::new(false);
static LIVE: AtomicIsize = AtomicIsize::new(0);
static PEAK: AtomicIsize = AtomicIsize::new(0);

fn grew(bytes: usize) {
    if COUNTING.load(Relaxed) {
        let live = LIVE.fetch_add(bytes as isize, Relaxed) + bytes as isize;
        PEAK.fetch_max(live, Relaxed);
    }
}

fn shrank(bytes: usize) {
    if COUNTING.load(Relaxed) {
        LIVE.fetch_sub(bytes as isize, Relaxed);
    }
}

// SAFETY: every call forwards to the system allocator unchanged; the counters are only
// bookkeeping.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = unsafe { System.alloc_zeroed(layout) };
        if !p.is_null() {
            grew(layout.size());
        }
        p
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) };
        shrank(layout.size());
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = unsafe { System.realloc(ptr, layout, new_size) };
        if !p.is_null() {
            shrank(layout.size());
            grew(new_size);
        }
        p
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

/// Start counting: from now on, bytes allocated and the peak are relative to zero.
fn start_counting() {
    LIVE.store(0, Relaxed);
    PEAK.store(0, Relaxed);
    COUNTING.store(true, Relaxed);
}
/// Stop counting; returns (live, peak) bytes since `start_counting`.
fn stop_counting() -> (usize, usize) {
    COUNTING.store(false, Relaxed);
    let clamp = |b: isize| usize::try_from(b).unwrap_or(0);
    (clamp(LIVE.load(Relaxed)), clamp(PEAK.load(Relaxed)))
}

// ----- the report -----

pub fn main(args: Args) -> Result<ExitCode, String> {
    if let Some(h) = &args.hashes {
        print_hashes(&measure::trace_hashes(h[0], h[1]), args.json);
        return Ok(ExitCode::SUCCESS);
    }
    if let Some(h) = &args.campaign_hashes {
        print_hashes(&measure::campaign_trace_hashes(h[0], h[1]), args.json);
        return Ok(ExitCode::SUCCESS);
    }
    if args.events < 10_000 {
        return Err(format!(
            "--events {} is too small: the growth runs need at least 10000",
            args.events
        ));
    }
    if args.seeks == 0 || args.seeds == 0 || args.snapshot_every == 0 {
        return Err("--seeks, --seeds and --snapshot-every must be at least 1".into());
    }
    let origin = Instant::now();
    let clock = move || origin.elapsed().as_secs_f64() * 1000.0;
    if args.round {
        // A fresh process: the short warm-up runs first, as the page's harness has had its.
        measure::warm_up(&clock);
        let round = measure::throughput_table(args.events, 1, &clock);
        println!("{}", Json::Array(round));
        return Ok(ExitCode::SUCCESS);
    }
    measure::warm_up(&clock);
    if let Some(part) = &args.only {
        let report = if part == "growth" {
            json!({ "growth": growth(args.events, args.breakdown, &clock) })
        } else {
            let seek = measure::seek_latency(args.events, args.seeks, args.snapshot_every, &clock);
            json!({ "seek": seek.to_json() })
        };
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
        return Ok(ExitCode::SUCCESS);
    }
    let report = json!({
        "throughput": measure::throughput_table(args.events, measure::THROUGHPUT_RUNS, &clock),
        "growth": growth(args.events, args.breakdown, &clock),
        "seek": measure::seek_latency(args.events, args.seeks, args.snapshot_every, &clock).to_json(),
        "campaign": measure::campaign_stand_in(args.seeds, &clock),
    });
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&report).map_err(|e| e.to_string())?
        );
    } else {
        print_report(&report);
    }
    Ok(ExitCode::SUCCESS)
}

fn print_hashes(hashes: &[u64], as_json: bool) {
    let hashes: Vec<String> = hashes.iter().map(|h| format!("{h:016x}")).collect();
    if as_json {
        println!("{}", json!(hashes));
    } else {
        for h in hashes {
            println!("{h}");
        }
    }
}

/// Time and memory of recorded runs of 10^4, 10^5, ... up to `max_events`.
fn growth(max_events: u64, breakdown: bool, clock: measure::Clock) -> Json {
    let mut sizes = vec![];
    let mut n = 10_000;
    while n <= max_events {
        sizes.push(n);
        n *= 10;
    }
    let rows: Vec<Json> = sizes
        .iter()
        .map(|n| growth_row(*n, breakdown, clock))
        .collect();
    let verdict = growth_verdict(&rows);
    json!({ "engine": Engine::SessionRecorded.name(), "rows": rows, "verdict": verdict })
}

fn growth_row(events: u64, breakdown: bool, clock: measure::Clock) -> Json {
    use paxoscope_core::session::Session;
    let scenario =
        paxoscope_harness::workloads::load_scenario_for_events(measure::BENCH_SEED, events);
    start_counting();
    let t0 = clock();
    let mut s = Session::with_options(scenario, true, measure::UI_SNAPSHOT_EVERY)
        .with_budget(measure::BENCH_BUDGET)
        .windowed();
    while s.world().events() < events && s.step() {}
    assert_eq!(
        s.world().events(),
        events,
        "the growth run reached its size"
    );
    let wall_ms = clock() - t0;
    let (live, peak) = stop_counting();
    let entries = s.trace_len();
    let kept = s.kept();
    let t = Throughput {
        engine: Engine::SessionRecorded,
        events,
        sim_ms: s.now_ms(),
        wall_ms,
        trace_entries: entries,
        hash: s.trace_hash(),
    };
    let parts = if breakdown {
        bytes_breakdown(&s)
    } else {
        Json::Null
    };
    drop(s);
    json!({
        "breakdown": parts,
        "events": events,
        "trace_entries": entries,
        "wall_ms": (wall_ms * 1000.0).round() / 1000.0,
        "events_per_s": t.events_per_s().round() as u64,
        "ns_per_event": (wall_ms * 1e6 / events as f64).round() as u64,
        "live_bytes": live,
        "peak_bytes": peak,
        "bytes_per_event": (live as f64 / events as f64).round() as u64,
        "bytes_per_trace_entry": (live as f64 / entries.max(1) as f64).round() as u64,
        // What the session keeps, counted (the run budget's estimate, `budget::Kept`).
        "kept": {
            "window_entries": kept.trace_entries,
            "snapshots": kept.snapshots,
            "snapshot_bytes_estimate": kept.snapshot_bytes,
            "client_records": kept.client_records,
            "stored_entries": kept.live.stored_entries,
            "checker_entries": kept.live.checker_entries,
            "estimate_bytes": kept.bytes(),
            // The run budget's estimate over the bytes counted (budget.rs: it should stay
            // near 1, on the safe side).
            "estimate_over_live": (kept.bytes() as f64 / live.max(1) as f64 * 100.0).round() / 100.0,
        },
    })
}

/// Bytes the allocator counts while `f` builds a value (kept alive until counted).
fn counted<T>(f: impl FnOnce() -> T) -> usize {
    start_counting();
    let kept = f();
    let (live, _) = stop_counting();
    drop(kept);
    live
}

/// Where a run's bytes go, each part counted as the allocator sees a copy of it made now:
/// the world and the checker are what the next snapshot would copy (less what it would
/// share), the client records and the scenario's actions what the run keeps once.
fn bytes_breakdown(s: &paxoscope_core::session::Session) -> Json {
    let world = counted(|| s.world().clone());
    let records = counted(|| s.world().clients().to_vec());
    let slots: Vec<usize> = (0..s.world().n())
        .map(|r| counted(|| s.world().slot(r).clone()))
        .collect();
    let unanswered = s
        .world()
        .clients()
        .iter()
        .filter(|c| c.complete_ms.is_none())
        .count();
    json!({
        "next_snapshot_world": world.saturating_sub(records),
        "next_snapshot_checker": counted(|| s.checker().clone()),
        "monitor_slots": slots,
        "client_records": records,
        "unanswered_requests": unanswered,
        "scenario": counted(|| s.scenario().clone()),
    })
}

/// Linear (or better) when, between the two largest sizes, memory per event grows by less
/// than a quarter and time per event by less than double (wall time is noisy on a shared
/// machine; a quadratic cost would grow both about tenfold). Smaller sizes are still filling
/// bounded state (stores up to their trim limit), which raises the per-event cost once and
/// then stops; the ratios of every step are printed so this can be seen.
fn growth_verdict(rows: &[Json]) -> String {
    let per = |r: &Json, k: &str| r[k].as_f64().unwrap_or(0.0);
    let ratios: Vec<(f64, f64)> = rows
        .windows(2)
        .map(|w| {
            (
                per(&w[1], "ns_per_event") / per(&w[0], "ns_per_event").max(1.0),
                per(&w[1], "bytes_per_event") / per(&w[0], "bytes_per_event").max(1.0),
            )
        })
        .collect();
    let Some(&(time, mem)) = ratios.last() else {
        return "one size only: no verdict".into();
    };
    let steps: Vec<String> = ratios
        .iter()
        .map(|(t, m)| format!("time x{t:.2} memory x{m:.2}"))
        .collect();
    format!(
        "{}: per event, each tenfold size costs {}",
        if time < 1.25 && mem < 1.25 {
            "linear or better"
        } else {
            "WORSE than linear"
        },
        steps.join(", then ")
    )
}

fn print_report(r: &Json) {
    println!(
        "paxoscope bench (native, steady client load, seed {})",
        measure::BENCH_SEED
    );
    println!("\nthroughput");
    for t in r["throughput"].as_array().into_iter().flatten() {
        println!(
            "  {:<20} {:>9} events in {:>9.1} ms = {:>10} events/s, {:>7}x real time",
            t["engine"].as_str().unwrap_or(""),
            t["events"],
            t["wall_ms"].as_f64().unwrap_or(0.0),
            t["events_per_s"],
            t["sim_per_wall"]
        );
    }
    let g = &r["growth"];
    println!("\ncost growth ({})", g["engine"].as_str().unwrap_or(""));
    println!(
        "  {:>9} {:>10} {:>12} {:>9} {:>13} {:>13} {:>8}",
        "events", "entries", "events/s", "ns/event", "live bytes", "peak bytes", "B/event"
    );
    for row in g["rows"].as_array().into_iter().flatten() {
        println!(
            "  {:>9} {:>10} {:>12} {:>9} {:>13} {:>13} {:>8}",
            row["events"],
            row["trace_entries"],
            row["events_per_s"],
            row["ns_per_event"],
            row["live_bytes"],
            row["peak_bytes"],
            row["bytes_per_event"]
        );
    }
    println!("  {}", g["verdict"].as_str().unwrap_or(""));
    let s = &r["seek"];
    println!(
        "\nseek: {} random seeks in a {}-event run ({} ms simulated, snapshot every {} events): p50 {} ms, p95 {} ms, max {} ms",
        s["seeks"], s["events"], s["sim_ms"], s["snapshot_every"], s["p50_ms"], s["p95_ms"], s["max_ms"]
    );
    let c = &r["campaign"];
    println!(
        "\ncampaign: {} seeds/s ({} seeds, {} events, {} violations; {})",
        c["seeds_per_s"],
        c["seeds"],
        c["events"],
        c["violations"],
        c["kind"].as_str().unwrap_or("")
    );
}
