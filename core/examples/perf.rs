//! Quick throughput probe: cargo run --profile bench-native --example perf -- SIM_SECONDS RECORD(0/1)
use paxoscope_core::scenario::*;
use paxoscope_core::session::Session;
fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
    let secs = args[0];
    let mut s = Scenario::default();
    for i in 0..secs * 5 {
        let node = (i % 5) as u8;
        let action = if i % 3 == 0 {
            Action::Get {
                node,
                key: format!("k{}", i % 7),
            }
        } else {
            Action::Put {
                node,
                key: format!("k{}", i % 7),
                value: format!("v{i}"),
            }
        };
        s.actions.push(TimedAction {
            at_ms: 1000 + i * 200,
            action,
        });
    }
    if args.get(2) == Some(&1) {
        let t0 = std::time::Instant::now();
        let mut w: paxoscope_core::sim::World<paxoscope_core::protocol::Ceph> =
            paxoscope_core::sim::World::new(&s);
        while w.next_event_ms().is_some_and(|t| t <= secs * 1000) {
            w.step();
            w.step_log.clear();
        }
        let el = t0.elapsed().as_secs_f64();
        println!(
            "world only: events {} = {:.0} events/s",
            w.events(),
            w.events() as f64 / el
        );
        return;
    }
    let t0 = std::time::Instant::now();
    let mut sess = Session::with_options(s, args[1] == 1, if args[1] == 1 { 5000 } else { 0 });
    sess.run_until(secs * 1000);
    let el = t0.elapsed().as_secs_f64();
    let ev = sess.world().events();
    println!(
        "events {ev} in {el:.3}s = {:.0} events/s; sim/wall = {:.0}x; trace {} violation {:?}",
        ev as f64 / el,
        secs as f64 / el,
        sess.trace().len(),
        sess.violation().map(|v| v.to_string())
    );
}
#[allow(dead_code)]
fn world_only() {}
