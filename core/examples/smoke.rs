use paxoscope_core::protocol::Ceph;
use paxoscope_core::scenario::*;
use paxoscope_core::sim::World;
fn main() {
    let mut s = Scenario::default();
    s.actions.push(TimedAction { at_ms: 10_000, action: Action::Put { node: 2, key: "a".into(), value: "1".into() } });
    s.actions.push(TimedAction { at_ms: 10_500, action: Action::Put { node: 0, key: "b".into(), value: "2".into() } });
    s.actions.push(TimedAction { at_ms: 20_000, action: Action::Isolate(0) });
    s.actions.push(TimedAction { at_ms: 35_000, action: Action::Put { node: 3, key: "c".into(), value: "3".into() } });
    s.actions.push(TimedAction { at_ms: 40_000, action: Action::Heal(None) });
    let until: u64 = std::env::args().nth(1).map(|a| a.parse().unwrap()).unwrap_or(45_000);
    let mut w: World<Ceph> = World::new(&s);
    let verbose = std::env::args().nth(2).is_some();
    while w.next_event_ms().is_some_and(|t| t <= until) {
        w.step();
        for e in &w.step_log {
            let skip = matches!(e.kind, paxoscope_core::trace::TraceKind::Deliver{..});
            if verbose || !skip { println!("{}", e.to_text()); }
        }
    }
    for r in 0..5 { println!("{:?}", w.status(r)); }
    for c in w.clients() { println!("{:?}", c); }
}
