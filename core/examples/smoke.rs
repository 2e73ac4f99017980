use paxoscope_core::scenario::*;
use paxoscope_core::session::Session;
fn main() {
    let mut s = Scenario::default();
    s.actions.push(TimedAction {
        at_ms: 10_000,
        action: Action::Put {
            node: 2,
            key: "a".into(),
            value: "1".into(),
        },
    });
    s.actions.push(TimedAction {
        at_ms: 10_500,
        action: Action::Put {
            node: 0,
            key: "b".into(),
            value: "2".into(),
        },
    });
    s.actions.push(TimedAction {
        at_ms: 20_000,
        action: Action::Isolate(0),
    });
    s.actions.push(TimedAction {
        at_ms: 35_000,
        action: Action::Put {
            node: 3,
            key: "c".into(),
            value: "3".into(),
        },
    });
    s.actions.push(TimedAction {
        at_ms: 40_000,
        action: Action::Heal(None),
    });
    s.actions.push(TimedAction {
        at_ms: 50_000,
        action: Action::Get {
            node: 4,
            key: "c".into(),
        },
    });
    let until: u64 = std::env::args()
        .nth(1)
        .map(|a| a.parse().unwrap())
        .unwrap_or(60_000);
    let mut sess = Session::new(s);
    let t0 = std::time::Instant::now();
    sess.run_until(until);
    let el = t0.elapsed();
    println!(
        "events {} trace {} in {:?}; violation {:?}",
        sess.world().events(),
        sess.trace().len(),
        el,
        sess.violation()
    );
    for r in 0..5 {
        println!("{:?}", sess.world().status(r));
    }
    for c in sess.world().clients() {
        println!("{:?}", c);
    }
    println!("hash {:016x}", sess.trace_hash());
}
