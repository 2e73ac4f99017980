//! The paired tours "Multi-Paxos beside Ceph" (mp-vs-ceph, ceph-vs-mp): one fault schedule
//! played by both protocols. The figures their notes and docs/protocols.md state come from the
//! runs: this test measures both and asserts each note's claim and the table.

use paxoscope_core::actor::Protocol;
use paxoscope_core::presets::find;
use paxoscope_core::protocols::ceph::{Ceph, ClientReply};
use paxoscope_core::protocols::multi_paxos::MultiPaxos;
use paxoscope_core::scenario::{Action, ConfigKey, Scenario, TimedAction};
use paxoscope_core::session::Session;
use paxoscope_core::trace::TraceKind;

/// What one protocol did on the shared schedule.
#[derive(Debug)]
struct Figures {
    /// The writes of the burst before the crash (all answered `Written`).
    writes: u64,
    /// Messages the burst added, against the same run without it, up to the crash.
    messages: u64,
    /// From the first write of the burst to the last answer.
    burst_ms: u64,
    /// From the leader's crash to the first commit after it (a live node's last committed
    /// version or applied slot goes up).
    recovery_ms: u64,
    /// How the writes sent during the recovery were answered.
    after: Vec<String>,
}

fn scenario(id: &str) -> Scenario {
    find(id)
        .unwrap_or_else(|| panic!("no tour {id}"))
        .scenario()
        .unwrap_or_else(|e| panic!("{id}: {e}"))
}

fn crash_ms(s: &Scenario) -> (u64, u8) {
    s.actions
        .iter()
        .find_map(|a| match &a.action {
            Action::Crash(n) => Some((a.at_ms, *n)),
            _ => None,
        })
        .expect("the schedule crashes the leader")
}

fn is_burst(a: &TimedAction, crash: u64) -> bool {
    matches!(a.action, Action::Put { .. }) && a.at_ms < crash
}

fn sends<P: Protocol>(s: &Session<P>, until_ms: u64) -> u64 {
    s.trace()
        .iter()
        .filter(|e| e.t_ms < until_ms && matches!(e.kind, TraceKind::Send { .. }))
        .count() as u64
}

fn committed<P: Protocol>(s: &Session<P>) -> u64 {
    let w = s.world();
    (0..w.n())
        .filter_map(|r| w.status(r).map(|st| st.last_committed))
        .max()
        .unwrap_or(0)
}

fn measure<P: Protocol>(id: &str) -> Figures {
    measure_scenario::<P>(id, scenario(id))
}

fn measure_scenario<P: Protocol>(id: &str, sc: Scenario) -> Figures {
    let (crash, crashed) = crash_ms(&sc);
    let end = sc.end_ms.expect("a tour has an end");
    let mut quiet = sc.clone();
    quiet.actions.retain(|a| !is_burst(a, crash));
    let mut base = Session::<P>::open(quiet);
    base.run_until(crash);
    let mut s = Session::<P>::open(sc);
    s.run_until(crash - 1);
    let leader = (0..s.world().n())
        .find(|r| s.world().status(*r).is_some_and(|st| st.role == "leader"))
        .expect("a leader before the crash");
    let before = committed(&s);
    let mut t = crash;
    while committed(&s) <= before {
        assert!(t < end, "{id}: nothing committed after the crash");
        t += 1;
        s.run_until(t);
    }
    let recovery_ms = t - crash;
    s.run_until(end);
    assert!(s.violation().is_none(), "{id}: {}", s.violation().unwrap());
    let clients = s.world().clients();
    let burst: Vec<_> = clients.iter().filter(|c| c.invoke_ms < crash).collect();
    for c in &burst {
        assert!(
            matches!(c.reply, Some(ClientReply::Written { .. })),
            "{id}: req {} {:?}",
            c.id,
            c.reply
        );
    }
    let first = burst.iter().map(|c| c.invoke_ms).min().expect("a burst");
    let last = burst
        .iter()
        .filter_map(|c| c.complete_ms)
        .max()
        .expect("answered");
    let after = clients
        .iter()
        .filter(|c| c.invoke_ms > crash)
        .map(|c| match &c.reply {
            Some(ClientReply::Written { .. }) => "written".to_string(),
            Some(ClientReply::Retry { .. }) => "retry".to_string(),
            other => format!("{other:?}"),
        })
        .collect();
    assert_eq!(leader, crashed, "{id}: the schedule crashes the leader");
    Figures {
        writes: burst.len() as u64,
        messages: sends(&s, crash) - sends(&base, crash),
        burst_ms: last - first,
        recovery_ms,
        after,
    }
}

impl Figures {
    /// Messages per write, to one decimal.
    fn per_write(&self) -> String {
        format!("{:.1}", self.messages as f64 / self.writes as f64)
    }
    fn per_write_tenths(&self) -> u64 {
        (self.messages * 10 + self.writes / 2) / self.writes
    }
    fn all_after(&self, answer: &str) -> bool {
        !self.after.is_empty() && self.after.iter().all(|a| a == answer)
    }
}

/// The tour's notes, in time order.
fn notes(id: &str) -> Vec<String> {
    let mut v: Vec<(u64, String)> = scenario(id)
        .actions
        .into_iter()
        .filter_map(|a| match a.action {
            Action::Note(t) => Some((a.at_ms, t)),
            _ => None,
        })
        .collect();
    v.sort();
    v.into_iter().map(|(_, t)| t).collect()
}

fn claims(note: &str, parts: &[String]) {
    for p in parts {
        assert!(
            note.contains(p.as_str()),
            "the note should say {p:?}: {note}"
        );
    }
}

#[test]
fn each_tour_states_both_protocols_figures_as_measured() {
    let mp = measure::<MultiPaxos>("mp-vs-ceph");
    let ceph = measure::<Ceph>("ceph-vs-mp");
    assert_eq!(mp.writes, ceph.writes, "the same burst");
    let burst = |f: &Figures| {
        vec![
            format!("answered within {} ms", f.burst_ms),
            format!("added {} messages, {} per write", f.messages, f.per_write()),
        ]
    };
    let (m, c) = (notes("mp-vs-ceph"), notes("ceph-vs-mp"));
    // Multi-Paxos sends one slot per write; Ceph batches what queues behind its one value.
    assert!(
        mp.per_write_tenths() > ceph.per_write_tenths(),
        "{mp:?} {ceph:?}"
    );
    claims(&m[1], &burst(&mp));
    claims(
        &m[1],
        &[format!(
            "Ceph, on the same burst, sends {} per write",
            ceph.per_write()
        )],
    );
    claims(&c[1], &burst(&ceph));
    claims(
        &c[1],
        &[format!(
            "Multi-Paxos with α = 3 sends {} per write",
            mp.per_write()
        )],
    );
    // The recovery: Multi-Paxos's leader timeout against Ceph's lease, election and collect.
    assert!(mp.recovery_ms < ceph.recovery_ms, "{mp:?} {ceph:?}");
    assert!(
        mp.all_after("written") && ceph.all_after("written"),
        "{mp:?} {ceph:?}"
    );
    let mp_after = format!(
        "came {} ms after it, and both writes sent during the change were answered",
        mp.recovery_ms
    );
    // Ceph's peons hold the writes across the election and forward them to the new leader.
    let ceph_after = format!(
        "came {} ms after it, and both writes sent during the change waited for it",
        ceph.recovery_ms
    );
    claims(&m[3], &[mp_after, format!("On Ceph the same crash took {} ms to the next commit, and both writes waited that long", ceph.recovery_ms)]);
    claims(&c[3], &[ceph_after, format!("On Multi-Paxos the same crash took {} ms to the next commit, and both writes were answered.", mp.recovery_ms)]);
}

/// The table of docs/protocols.md, measured: the two tours and Multi-Paxos again with group
/// commit on (the same schedule).
#[test]
fn the_docs_table_is_the_measured_one() {
    let mp = measure::<MultiPaxos>("mp-vs-ceph");
    let mut sc = scenario("mp-vs-ceph");
    sc.overrides.push((ConfigKey::GroupCommit, 1));
    let grouped = measure_scenario::<MultiPaxos>("mp-vs-ceph + group commit", sc);
    let ceph = measure::<Ceph>("ceph-vs-mp");
    let row = |name: &str, f: &Figures| {
        format!(
            "| {name} | {} | {} | {} ms | {} ms | {} |\n",
            f.messages,
            f.per_write(),
            f.burst_ms,
            f.recovery_ms,
            f.after.join(", ")
        )
    };
    let table = String::from(
        "| protocol | messages for 5 writes | per write | burst answered in | crash to next commit | writes sent during it |\n|---|---|---|---|---|---|\n",
    ) + &row("Multi-Paxos, α = 3", &mp)
        + &row("Multi-Paxos, α = 3, group commit", &grouped)
        + &row("Ceph's monitor Paxos (α = 1)", &ceph);
    let docs = include_str!("../../docs/protocols.md");
    assert!(
        docs.contains(&table),
        "docs/protocols.md should hold the measured table:\n{table}"
    );
}
