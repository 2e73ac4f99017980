//! One throughput run, for profilers: `probe ENGINE EVENTS` (ENGINE: world, session-unrecorded,
//! session-recorded, floor); prints events/s.
use paxoscope_harness::measure::{throughput, Engine};
fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let engine = Engine::ALL
        .into_iter()
        .chain([Engine::Floor])
        .find(|e| e.name() == args.first().map(String::as_str).unwrap_or(""))
        .unwrap_or(Engine::SessionUnrecorded);
    let events = args
        .get(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(1_000_000);
    let t0 = std::time::Instant::now();
    let clock = move || t0.elapsed().as_secs_f64() * 1000.0;
    let t = throughput(engine, events, &clock);
    println!(
        "{}: {:.0} events/s ({} events, {:.1} ms)",
        engine.name(),
        t.events_per_s(),
        t.events,
        t.wall_ms
    );
}
