use paxoscope_core::protocols::basic_paxos::BasicPaxos;
use paxoscope_core::scenario::parse;
use paxoscope_core::sim::World;
use paxoscope_core::trace::TraceKind;

fn run(text: &str, end: u64, print: bool) -> (Vec<String>, usize) {
    let s = parse(text).unwrap();
    let mut w: World<BasicPaxos> = World::new(&s);
    let mut lines = Vec::new();
    let mut prepares = 0;
    while w.next_event_ms().is_some_and(|t| t <= end) && w.step() {
        for e in &w.step_log {
            if let TraceKind::Send { msg, .. } = &e.kind {
                if msg.kind() == "prepare" {
                    prepares += 1;
                }
            }
            if print {
                lines.push(e.to_text());
            }
        }
    }
    (lines, prepares)
}

#[test]
fn scratch() {
    let text = std::env::var("BP_SCENARIO").unwrap();
    let text = std::fs::read_to_string(text).unwrap();
    let end: u64 = std::env::var("BP_END").unwrap().parse().unwrap();
    if let Ok(seeds) = std::env::var("BP_GRID") {
        let mut best = Vec::new();
        for seed in 0..seeds.parse::<u64>().unwrap() {
            for d in (0..600).step_by(10) {
                let t = text
                    .replace("seed 1\n", &format!("seed {seed}\n"))
                    .replace("at 500ms put 1", &format!("at {}ms put 1", 500 + d));
                let (_, p) = run(&t, end, false);
                best.push((p, seed, d));
            }
        }
        best.sort();
        for b in best.iter().rev().take(10) {
            println!("grid {b:?}");
        }
        return;
    }
    if let Ok(seeds) = std::env::var("BP_SEEDS") {
        for seed in 0..seeds.parse::<u64>().unwrap() {
            let t = text.replace("seed 1\n", &format!("seed {seed}\n"));
            let (_, p) = run(&t, end, false);
            println!("seed {seed}: {p} prepares");
        }
        return;
    }
    for l in run(&text, end, true).0 {
        println!("{l}");
    }
}
