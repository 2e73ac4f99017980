//! Quick random-fault smoke over many seeds (the real campaign lives in `campaign`).
use paxoscope_core::scenario::*;
use paxoscope_core::session::Session;
use paxoscope_core::sim::rng::{SimRng, Stream};
fn main() {
    let args: Vec<u64> = std::env::args().skip(1).map(|a| a.parse().unwrap()).collect();
    let (start, count) = (args[0], args[1]);
    let mut fails = 0;
    let mut findings = 0;
    for seed in start..start + count {
        let mut r = SimRng::new(seed, Stream::Faults);
        let mut s = Scenario { seed, ..Scenario::default() };
        if let Ok(m) = std::env::var("MUTATION") { s.mutations.push(Mutation::from_name(&m).expect("mutation name")); }
        let n = 5u8;
        for _ in 0..r.range(3, 25) {
            let t = r.range(1, 60_000);
            let node = r.below(n as u64) as u8;
            let other = ((node as u64 + r.range(1, 4)) % 5) as u8;
            let a = match r.below(12) { 7 => Action::Skew(node, 0), v => match v {
                0 => Action::Crash(node),
                1 => Action::Restart(node),
                2 => Action::Isolate(node),
                3 => Action::Heal(None),
                4 => Action::Partition(vec![vec![node, other]]),
                5 => Action::Cut(LinkSel::OneWay(node, other)),
                6 => Action::Loss(LinkSel::Both(node, other), r.range(5, 50) as u8),
                8 => { s.actions.push(TimedAction { at_ms: t + r.range(1, 1000), action: Action::Resume(node) }); Action::Pause(node) }
                9 => Action::CrashInCommit,
                10 => Action::Skew(node, r.range(0, 100) as i64 - 50),
                _ => Action::Delay(LinkSel::Both(node, other), r.range(0, 300)),
            }};
            s.actions.push(TimedAction { at_ms: t, action: a });
        }
        for i in 0..r.range(0, 40) {
            let t = r.range(1, 70_000);
            let node = r.below(5) as u8;
            let key = format!("k{}", r.below(3));
            let a = match r.below(3) { 0 => Action::Get { node, key }, 1 => Action::Put { node, key, value: format!("v{i}") }, _ => Action::Cas { node, key, expected: None, value: format!("c{i}") } };
            s.actions.push(TimedAction { at_ms: t, action: a });
        }
        s.actions.push(TimedAction { at_ms: 70_000, action: Action::Heal(None) });
        for node in 0..5 { s.actions.push(TimedAction { at_ms: 70_000, action: Action::Restart(node) }); s.actions.push(TimedAction { at_ms: 70_000, action: Action::Resume(node) }); s.actions.push(TimedAction { at_ms: 70_000, action: Action::Skew(node, 0) }); }
        s.actions.sort_by_key(|a| a.at_ms);
        let mut sess = Session::with_options(s, count == 1, 0);
        sess.run_until(110_000);
        let w = sess.world();
        let leaders = (0..5).filter(|r| w.status(*r).is_some_and(|s| s.role == "leader")).count();
        let active = (0..5).filter(|r| w.status(*r).is_some_and(|s| s.phase == "active")).count();
        if let Some(f) = sess.checker().findings().first() { findings += 1; if count < 3000 && std::env::var("FINDINGS").is_ok() { println!("finding seed {seed}: {f}"); } }
        if let Some(v) = sess.violation() {
            fails += 1; println!("seed {seed}: {v}");
            if count == 1 {
                for a in sess.scenario().actions.iter().filter(|a| a.at_ms <= v.t_ms) { println!("  {a:?}"); }
                for e in sess.trace().iter().filter(|e| e.t_ms + 15000 >= v.t_ms && !matches!(e.kind, paxoscope_core::trace::TraceKind::Deliver{..})) { println!("{}", e.to_text()); }
                let m = w.node(0).unwrap();
                println!("mon0 state {:?} {:?} quorum {:?} lease_expire {} now_ms {} local {} paused {}", m.state, m.paxos.state, m.quorum, m.paxos.lease_expire_ms, m.now_ms, w.slot(0).clock.local_ms(w.now_ms()), w.slot(0).paused);
            }
        } else if leaders != 1 || active != 5 {
            fails += 1; println!("seed {seed}: liveness: {leaders} leaders, {active} active: {:?}", (0..5).map(|r| w.status(r).map(|s| (s.role, s.phase, s.epoch))).collect::<Vec<_>>());
        }
    }
    println!("{} passed, {fails} failed, {findings} timing findings", count - fails);
}
