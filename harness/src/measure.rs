//! Measurements that run the same way natively and in wasm. The caller passes its clock
//! (`Instant` natively, `performance.now()` in the browser) as a function returning
//! milliseconds, so this crate itself never reads a clock.

use crate::workloads::{determinism_scenario, load_scenario_for_events};
use paxoscope_core::budget::Budget;
use paxoscope_core::campaign::{self, Beyond, PlanOptions};
use paxoscope_core::protocols::ceph::Ceph;
use paxoscope_core::scenario::Mutation;
use paxoscope_core::session::Session;
use paxoscope_core::sim::rng::{SimRng, Stream};
use paxoscope_core::sim::World;
use serde_json::{json, Value as Json};

/// Milliseconds from some fixed origin, monotonic.
pub type Clock<'a> = &'a dyn Fn() -> f64;

/// The seed of every benchmark run (any seed would do; one keeps runs comparable).
pub const BENCH_SEED: u64 = 7;

/// What runs the events.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Engine {
    /// The simulator alone: no checker, no trace, no hash.
    World,
    /// A session as the campaign runs it: checker and trace hash, no recording, no snapshots.
    SessionUnrecorded,
    /// A session as the playground runs it: checker, hash, recorded trace and a time-travel
    /// snapshot every `UI_SNAPSHOT_EVERY` events.
    SessionRecorded,
    /// Not the simulator: the minimal discrete-event loop (`floor_loop`), the most events per
    /// second this machine runs through a time-ordered queue at all, measured in the same run
    /// as the engines so their figures can be read against it.
    Floor,
}

/// The budget of the benchmark runs: they are a million recorded events on purpose (about
/// 480 MB, over the default `MAX_KEPT_BYTES`), so only the event-rate limit stays.
pub const BENCH_BUDGET: Budget = Budget {
    max_run_events: 1 << 40,
    max_kept_bytes: 1 << 40,
    ..Budget::DEFAULT
};

/// `Session::new`'s snapshot interval, the one the playground uses.
pub const UI_SNAPSHOT_EVERY: u64 = 2_000;

impl Engine {
    pub const ALL: [Engine; 3] = [
        Engine::SessionRecorded,
        Engine::SessionUnrecorded,
        Engine::World,
    ];
    pub fn name(self) -> &'static str {
        match self {
            Engine::World => "world",
            Engine::SessionUnrecorded => "session-unrecorded",
            Engine::SessionRecorded => "session-recorded",
            Engine::Floor => "floor",
        }
    }
    pub fn describe(self) -> &'static str {
        match self {
            Engine::World => "World alone (no checker, no trace)",
            Engine::SessionUnrecorded => "Session, checker on, trace hashed but not recorded",
            Engine::SessionRecorded => {
                "Session, checker on, trace recorded, snapshot every 2000 events"
            }
            Engine::Floor => "minimal discrete-event loop (binary heap, 64 pending events)",
        }
    }
}

/// One throughput run.
#[derive(Clone, Debug)]
pub struct Throughput {
    pub engine: Engine,
    pub events: u64,
    pub sim_ms: u64,
    pub wall_ms: f64,
    /// Trace entries recorded (0 unless recording).
    pub trace_entries: usize,
    pub hash: u64,
}

impl Throughput {
    pub fn events_per_s(&self) -> f64 {
        self.events as f64 / (self.wall_ms / 1000.0)
    }
    /// How many times faster than real time the simulation ran.
    pub fn sim_per_wall(&self) -> f64 {
        self.sim_ms as f64 / self.wall_ms
    }
    pub fn to_json(&self) -> Json {
        json!({
            "engine": self.engine.name(),
            "events": self.events,
            "sim_ms": self.sim_ms,
            "wall_ms": round3(self.wall_ms),
            "events_per_s": self.events_per_s().round() as u64,
            "sim_per_wall": self.sim_per_wall().round() as u64,
            "trace_entries": self.trace_entries,
            "hash": format!("{:016x}", self.hash),
        })
    }
}

/// Run the steady client load (`workloads::load_scenario`) for `events` simulator events.
/// Building the world is inside the timing; the trace hash is read at the end, inside it too.
pub fn throughput(engine: Engine, events: u64, now: Clock) -> Throughput {
    let scenario = load_scenario_for_events(BENCH_SEED, events);
    let t0 = now();
    let (sim_ms, trace_entries, hash) = match engine {
        Engine::Floor => {
            let (sim_ms, hash) = floor_loop(events);
            (sim_ms, 0, hash)
        }
        Engine::World => {
            let mut w: World<Ceph> = World::new(&scenario);
            while w.events() < events && w.step() {}
            (w.now_ms(), 0, 0)
        }
        Engine::SessionUnrecorded | Engine::SessionRecorded => {
            let recorded = engine == Engine::SessionRecorded;
            let mut s = Session::with_options(
                scenario,
                recorded,
                if recorded { UI_SNAPSHOT_EVERY } else { 0 },
            )
            .with_budget(BENCH_BUDGET);
            if recorded {
                // As the playground records: a window of the trace (`Session::windowed`).
                s = s.windowed();
            }
            while s.world().events() < events && s.step() {}
            assert!(
                s.violation().is_none(),
                "the bench load broke an invariant: {:?}",
                s.violation()
            );
            (s.now_ms(), s.trace_len(), s.trace_hash())
        }
    };
    let wall_ms = now() - t0;
    Throughput {
        engine,
        events,
        sim_ms,
        wall_ms,
        trace_entries,
        hash,
    }
}

/// Events the floor loop keeps pending: about what the simulator's queue holds under the bench's
/// load (timers and messages in flight of five monitors).
pub const FLOOR_PENDING: u64 = 64;

/// The floor: a minimal discrete-event loop over `events` events. A binary heap holds
/// `FLOOR_PENDING` events keyed (time, ordinal); each step pops the earliest, advances the
/// clock to it and schedules one follow-up 1 to 64 ms later from a xorshift generator. No
/// protocol, no checker, no allocation after the start: what any event-driven simulator
/// pays per event at least on this machine. Returns the simulated ms reached and a checksum
/// of the payloads (so the loop cannot be optimised away).
pub fn floor_loop(events: u64) -> (u64, u64) {
    use std::cmp::Reverse;
    use std::collections::BinaryHeap;
    let mut rng: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = move || {
        rng ^= rng << 13;
        rng ^= rng >> 7;
        rng ^= rng << 17;
        rng
    };
    let mut queue = BinaryHeap::with_capacity(FLOOR_PENDING as usize + 1);
    for seq in 0..FLOOR_PENDING {
        queue.push(Reverse((next() % 64, seq, seq)));
    }
    let (mut now_ms, mut sum) = (0, 0u64);
    for seq in FLOOR_PENDING..FLOOR_PENDING + events {
        let Reverse((t_ms, _, payload)) = queue.pop().expect("the loop keeps events pending");
        assert!(t_ms >= now_ms, "time runs forward");
        now_ms = t_ms;
        sum = sum.wrapping_mul(31).wrapping_add(payload);
        queue.push(Reverse((now_ms + 1 + next() % 64, seq, seq)));
    }
    (now_ms, sum)
}

/// How many times each engine's throughput run is repeated; the median run is reported.
/// Wall time on a shared VM swings by tens of percent between identical runs, and the native
/// and wasm figures are taken minutes apart, so one run per engine makes their ratio noise.
pub const THROUGHPUT_RUNS: usize = 5;

/// Every engine's throughput over `events` events, `runs` times, engines interleaved (so a
/// slow spell of the machine hits each engine alike), then the floor (`Engine::Floor`) run
/// the same way: per engine, the median run's figures plus `runs_events_per_s`, the events
/// per second of every run in order.
pub fn throughput_table(events: u64, runs: usize, now: Clock) -> Vec<Json> {
    assert!(runs > 0, "at least one run");
    let engines: Vec<Engine> = Engine::ALL.into_iter().chain([Engine::Floor]).collect();
    let mut by_engine: Vec<Vec<Throughput>> = vec![Vec::new(); engines.len()];
    for _ in 0..runs {
        for (i, e) in engines.iter().enumerate() {
            by_engine[i].push(throughput(*e, events, now));
        }
    }
    by_engine.into_iter().map(median_with_runs).collect()
}

fn median_with_runs(runs: Vec<Throughput>) -> Json {
    let rates: Vec<u64> = runs
        .iter()
        .map(|t| t.events_per_s().round() as u64)
        .collect();
    let mut sorted = runs;
    sorted.sort_by(|a, b| a.wall_ms.total_cmp(&b.wall_ms));
    let mut j = sorted[sorted.len() / 2].to_json();
    j["runs_events_per_s"] = json!(rates);
    j
}

/// A short run of every engine, not reported: lets a JIT (wasm) or the CPU's caches and
/// frequency settle before the measured runs.
pub fn warm_up(now: Clock) {
    for e in Engine::ALL {
        throughput(e, 20_000, now);
    }
}

/// Seek latency over a recorded run of `events` events.
#[derive(Clone, Debug)]
pub struct SeekFigures {
    pub events: u64,
    pub sim_ms: u64,
    pub snapshot_every: u64,
    pub seeks: usize,
    /// Time to record the run itself (with checker and snapshots).
    pub record_wall_ms: f64,
    pub p50_ms: f64,
    pub p95_ms: f64,
    pub max_ms: f64,
}

impl SeekFigures {
    pub fn to_json(&self) -> Json {
        json!({
            "events": self.events,
            "sim_ms": self.sim_ms,
            "snapshot_every": self.snapshot_every,
            "seeks": self.seeks,
            "record_wall_ms": round3(self.record_wall_ms),
            "p50_ms": round3(self.p50_ms),
            "p95_ms": round3(self.p95_ms),
            "max_ms": round3(self.max_ms),
        })
    }
}

/// Record the load for `events` events (as the playground would, snapshots every
/// `snapshot_every` events), then seek to `seeks` random points of it (uniform over the
/// run's simulated time, drawn from a fixed seed) and time each seek.
pub fn seek_latency(events: u64, seeks: usize, snapshot_every: u64, now: Clock) -> SeekFigures {
    let scenario = load_scenario_for_events(BENCH_SEED, events);
    let t0 = now();
    let mut s = Session::with_options(scenario, true, snapshot_every)
        .with_budget(BENCH_BUDGET)
        .windowed();
    while s.world().events() < events && s.step() {}
    assert_eq!(
        s.world().events(),
        events,
        "the recorded run reached its size"
    );
    let record_wall_ms = now() - t0;
    let end_ms = s.now_ms();
    let mut rng = SimRng::new(BENCH_SEED, Stream::Clients);
    let mut times: Vec<f64> = (0..seeks)
        .map(|_| {
            let t = rng.below(end_ms + 1);
            let t0 = now();
            s.seek(t);
            let dt = now() - t0;
            assert_eq!(s.now_ms(), t, "seek lands where it was asked");
            dt
        })
        .collect();
    times.sort_by(f64::total_cmp);
    SeekFigures {
        events,
        sim_ms: end_ms,
        snapshot_every,
        seeks,
        record_wall_ms,
        p50_ms: percentile(&times, 50.0),
        p95_ms: percentile(&times, 95.0),
        max_ms: times.last().copied().unwrap_or(0.0),
    }
}

/// Seeds per second of a stand-in campaign: one `determinism_scenario` run (30 s simulated,
/// faulted, checker on, not recorded) per seed.
pub fn campaign_stand_in(seeds: u64, now: Clock) -> Json {
    let t0 = now();
    let mut events = 0;
    let mut violations = 0;
    for seed in 0..seeds {
        let mut s = Session::with_options(determinism_scenario(seed), false, 0);
        s.run_until(crate::workloads::DETERMINISM_END_MS);
        events += s.world().events();
        violations += usize::from(s.violation().is_some());
    }
    let wall_ms = now() - t0;
    json!({
        "kind": "stand-in: one 30 s faulted Session run per seed (determinism_scenario), not `paxoscope campaign`",
        "seeds": seeds,
        "events": events,
        "violations": violations,
        "wall_ms": round3(wall_ms),
        "seeds_per_s": round3(seeds as f64 / (wall_ms / 1000.0)),
    })
}

/// The trace hash of `determinism_scenario(seed)` run to its end, for each seed.
pub fn trace_hashes(start: u64, count: u64) -> Vec<u64> {
    (start..start + count).map(trace_hash_of_seed).collect()
}

pub fn trace_hash_of_seed(seed: u64) -> u64 {
    let mut s = Session::with_options(determinism_scenario(seed), false, 0);
    s.run_until(crate::workloads::DETERMINISM_END_MS);
    s.trace_hash()
}

/// The trace hash of campaign seed `seed` run exactly as `paxoscope campaign` runs it (its own
/// fault schedule, workload, heal and liveness phase: `campaign::trial::run`), with the
/// options `campaign_hash_options` picks for the seed.
pub fn campaign_trace_hash(seed: u64) -> u64 {
    let plan = campaign::plan(seed, &campaign_hash_options(seed));
    let (_, session) = campaign::trial::run(&plan.trial, false);
    session.trace_hash()
}

pub fn campaign_trace_hashes(start: u64, count: u64) -> Vec<u64> {
    (start..start + count).map(campaign_trace_hash).collect()
}

/// The campaign options of a determinism seed, in turn: the default campaign (five monitors),
/// three monitors, seven monitors with every way beyond the assumptions (reordering,
/// duplicates, large skew: the simulator's third random stream), and five monitors with a
/// deliberate bug (the mutation canaries), so every campaign mode is compared across targets.
pub fn campaign_hash_options(seed: u64) -> PlanOptions {
    let mut opts = PlanOptions::default();
    match seed % 4 {
        0 => {}
        1 => opts.monitors = 3,
        2 => {
            opts.monitors = 7;
            opts.beyond = Beyond::ALL.into_iter().collect();
        }
        _ => opts.mutation = Some(Mutation::ALL[(seed / 4) as usize % Mutation::ALL.len()]),
    }
    opts
}

/// Nearest-rank percentile of sorted values.
pub fn percentile(sorted: &[f64], pct: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let rank = ((pct / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

fn round3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percentile_is_nearest_rank() {
        let v: Vec<f64> = (1..=100).map(f64::from).collect();
        assert_eq!(percentile(&v, 50.0), 50.0);
        assert_eq!(percentile(&v, 95.0), 95.0);
        assert_eq!(percentile(&[3.0], 95.0), 3.0);
    }

    #[test]
    fn trace_hashes_repeat_and_differ_between_seeds() {
        let a = trace_hashes(0, 4);
        assert_eq!(a, trace_hashes(0, 4));
        let distinct: std::collections::BTreeSet<_> = a.iter().collect();
        assert!(distinct.len() > 1, "seeds give different runs: {a:x?}");
    }

    #[test]
    fn campaign_hashes_repeat_and_differ_between_seeds_and_modes() {
        let a = campaign_trace_hashes(0, 4);
        assert_eq!(a, campaign_trace_hashes(0, 4));
        let distinct: std::collections::BTreeSet<_> = a.iter().collect();
        assert_eq!(
            distinct.len(),
            4,
            "each seed and mode is its own run: {a:x?}"
        );
        let modes: Vec<PlanOptions> = (0..4).map(campaign_hash_options).collect();
        assert_eq!(modes[1].monitors, 3);
        assert!(modes[2].beyond.contains(&Beyond::Reorder));
        assert!(modes[3].mutation.is_some());
    }

    #[test]
    fn throughput_runs_reach_their_event_target_with_the_same_hash_recorded_or_not() {
        let fake_clock = || 0.0;
        let rec = throughput(Engine::SessionRecorded, 5_000, &fake_clock);
        let unrec = throughput(Engine::SessionUnrecorded, 5_000, &fake_clock);
        assert_eq!(rec.events, 5_000);
        assert_eq!(rec.hash, unrec.hash);
        assert!(rec.trace_entries > 5_000);
    }

    #[test]
    fn the_floor_loop_runs_forward_and_is_the_same_every_time() {
        let (t_small, sum_small) = floor_loop(1_000);
        let (t_big, sum_big) = floor_loop(100_000);
        // Each event schedules the next 1-64 ms later: 100,000 events span well over 1 ms each
        // on average, 1,000 events far less time than 100,000.
        assert!(t_big > 100_000 / FLOOR_PENDING, "the clock moved: {t_big}");
        assert!(t_small < t_big, "{t_small} < {t_big}");
        assert_eq!(floor_loop(100_000), (t_big, sum_big), "deterministic");
        assert_ne!(sum_small, sum_big);
        let fake_clock = || 0.0;
        let row = throughput(Engine::Floor, 2_000, &fake_clock);
        assert_eq!((row.events, row.trace_entries), (2_000, 0));
    }
}
