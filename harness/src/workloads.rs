//! The scenarios the benchmarks and the determinism check run. Both the native CLI and the
//! wasm build call these same constructors, so "the same seed" means the same scenario on
//! both sides.

use paxoscope_core::client::Text;
use paxoscope_core::scenario::{Action, ConfigKey, LinkSel, Scenario, TimedAction};
use paxoscope_core::sim::rng::{SimRng, Stream};

/// Client operations of the steady load arrive this often (simulated ms).
pub const LOAD_OP_INTERVAL_MS: u64 = 200;
/// Keys the load writes and reads (few keys: the key-value state stays small).
const LOAD_KEYS: u64 = 7;
/// Simulated events per simulated second of the steady load, measured (about 40; rounded
/// down so a run sized with it always reaches its event target before its actions end).
const LOAD_EVENTS_PER_SIM_S: u64 = 30;

/// A healthy five-monitor cluster under steady client load: from t = 1 s, one operation every
/// 200 ms, round-robin over the monitors, two puts for every get, on seven keys.
/// `sim_ms` is how long the load lasts; the cluster keeps renewing leases afterwards.
pub fn load_scenario(seed: u64, sim_ms: u64) -> Scenario {
    let mut s = Scenario {
        seed,
        name: Some("bench: steady client load".into()),
        ..Scenario::default()
    };
    let ops = sim_ms.saturating_sub(1000) / LOAD_OP_INTERVAL_MS;
    s.actions = (0..ops)
        .map(|i| {
            let node = (i % 5) as u8;
            let key: Text = format!("k{}", i % LOAD_KEYS).into();
            let action = if i % 3 == 0 {
                Action::Get { node, key }
            } else {
                Action::Put {
                    node,
                    key,
                    value: format!("v{i}").into(),
                }
            };
            TimedAction {
                at_ms: 1000 + i * LOAD_OP_INTERVAL_MS,
                action,
            }
        })
        .collect();
    s.end_ms = Some(sim_ms);
    s
}

/// The load scenario long enough to produce at least `events` simulator events.
pub fn load_scenario_for_events(seed: u64, events: u64) -> Scenario {
    load_scenario(seed, 2_000 + events * 1000 / LOAD_EVENTS_PER_SIM_S)
}

/// How long a determinism run lasts (simulated).
pub const DETERMINISM_END_MS: u64 = 30_000;

/// A faulted 30 s run drawn from `seed`: link jitter, client operations every 250 ms on
/// random monitors, and a fault every 1.5-4 s (partitions, isolations, one-way cuts, lossy or
/// slow links, crashes with a later restart, clock skew), all healed and restarted at 24 s so
/// the run ends in a working cluster. Everything stays inside Ceph's assumptions.
pub fn determinism_scenario(seed: u64) -> Scenario {
    let mut rng = SimRng::new(seed, Stream::Faults);
    let mut actions = Vec::new();
    let mut at = |t: u64, action: Action| actions.push(TimedAction { at_ms: t, action });
    for i in 0..(DETERMINISM_END_MS - 2_000) / 250 {
        let node = rng.below(5) as u8;
        let key: Text = format!("k{}", rng.below(4)).into();
        let t = 800 + i * 250;
        match rng.below(4) {
            0 => at(t, Action::Get { node, key }),
            1 => at(
                t,
                Action::Cas {
                    node,
                    key,
                    expected: None,
                    value: format!("c{i}").into(),
                },
            ),
            _ => at(
                t,
                Action::Put {
                    node,
                    key,
                    value: format!("v{i}").into(),
                },
            ),
        }
    }
    let mut t = 2_000 + rng.below(2_000);
    while t < 22_000 {
        let a = rng.below(5) as u8;
        let b = (a + 1 + rng.below(4) as u8) % 5;
        match rng.below(7) {
            0 => at(t, Action::Partition(vec![vec![a, b]])),
            1 => at(t, Action::Isolate(a)),
            2 => at(t, Action::Cut(LinkSel::OneWay(a, b))),
            3 => at(
                t,
                Action::Loss(LinkSel::Both(a, b), 10 + rng.below(40) as u8),
            ),
            4 => at(t, Action::Delay(LinkSel::All, rng.below(200))),
            5 => {
                at(t, Action::Crash(a));
                at(t + 1_000 + rng.below(5_000), Action::Restart(a));
            }
            _ => at(t, Action::Skew(a, rng.below(400) as i64 - 200)),
        }
        if rng.chance_pct(40) {
            at(t + 500 + rng.below(1_500), Action::Heal(None));
        }
        t += 1_500 + rng.below(2_500);
    }
    at(24_000, Action::Heal(None));
    for r in 0..5 {
        at(24_000, Action::Restart(r));
    }
    // Scenario actions are kept in time order (stable for equal times), as the parser does.
    actions.sort_by_key(|a| a.at_ms);
    Scenario {
        seed,
        name: Some(format!("determinism seed {seed}")),
        overrides: vec![(ConfigKey::JitterMs, 4)],
        actions,
        end_ms: Some(DETERMINISM_END_MS),
        ..Scenario::default()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn determinism_scenarios_differ_by_seed_and_survive_a_print_parse_round_trip() {
        let a = determinism_scenario(1);
        let b = determinism_scenario(2);
        assert_ne!(a.actions, b.actions);
        let text = paxoscope_core::scenario::print(&a);
        let back = paxoscope_core::scenario::parse(&text).expect("a generated scenario parses");
        assert_eq!(back, a);
    }

    #[test]
    fn load_scenario_is_time_ordered_and_sized_by_events() {
        let s = load_scenario_for_events(1, 10_000);
        assert!(s.actions.windows(2).all(|w| w[0].at_ms <= w[1].at_ms));
        assert!(s.end_ms.unwrap() >= 10_000 * 1000 / LOAD_EVENTS_PER_SIM_S);
    }
}
