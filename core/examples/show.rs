//! Print the important events of a scenario file: cargo run --example show -- FILE [FROM_MS]
use paxoscope_core::session::Session;
use paxoscope_core::trace::TraceKind;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let from: u64 = std::env::args()
        .nth(2)
        .map(|a| a.parse().unwrap())
        .unwrap_or(0);
    let text = std::fs::read_to_string(path).unwrap();
    let sc = paxoscope_core::scenario::parse(&text).unwrap_or_else(|e| panic!("{e}"));
    let end = sc.end_ms.unwrap_or(60_000);
    let mut s = Session::new(sc);
    s.run_until(end);
    for e in s.trace().iter().filter(|e| e.t_ms >= from) {
        let show = match &e.kind {
            TraceKind::Transition(_)
            | TraceKind::Note(_)
            | TraceKind::Action(_)
            | TraceKind::ClientReply { .. }
            | TraceKind::Crash
            | TraceKind::Boot => true,
            TraceKind::Timer(t) => !matches!(
                format!("{t:?}").as_str(),
                "LeaseRenew" | "Propose" | "CommitWrite"
            ),
            _ => false,
        };
        if show {
            println!("{}", e.to_text());
        }
    }
    println!(
        "violation: {:?}\nfindings: {:?}",
        s.violation(),
        s.checker().findings()
    );
}
