//! Print a scenario's trace (quick debugging aid): cargo run --example trace -- UNTIL_MS FROM_MS
use paxoscope_core::scenario::*;
use paxoscope_core::session::Session;
fn main() {
    let args: Vec<u64> = std::env::args()
        .skip(1)
        .map(|a| a.parse().unwrap())
        .collect();
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
        at_ms: 20_000,
        action: Action::Isolate(0),
    });
    let mut sess = Session::new(s);
    sess.run_until(args[0]);
    for e in sess.trace().iter().filter(|e| e.t_ms >= args[1]) {
        if !matches!(e.kind, paxoscope_core::trace::TraceKind::Deliver { .. }) {
            println!("{}", e.to_text());
        }
    }
    println!("{:?}", sess.violation());
}
