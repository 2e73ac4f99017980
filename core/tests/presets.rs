//! Every guided tour parses, plays to its end, and tells the truth about its run. Each note is
//! tied to the event it explains: 1 ms after a protocol event, or at the time of the scripted
//! action it introduces; and the facts it states (who wins which epoch, pns, versions, replies,
//! timers) are checked against the run. A note no check ties to an event fails its tour's test.
//! When the protocol's timing or rules change, these tests fail and the tour must be re-timed
//! (core/presets/*.scenario; `paxoscope run --preset ID` prints the run to re-time from).

mod common;

use paxoscope_core::presets::{find, PRESETS};
use paxoscope_core::protocols::ceph::declaration::{LEADER, MONITOR};
use paxoscope_core::protocols::ceph::{
    Ceph, ClientOp, ClientReply, Election, ElectionOp, MonState, Msg, Paxos, PaxosOp, PaxosState,
    ProbeOp, StoreWrite, Sync, Timer, ValueOp,
};
use paxoscope_core::scenario::{print, Action};
use paxoscope_core::session::Session;
use paxoscope_core::sorted::SortedSet;
use paxoscope_core::trace::{TraceEvent, TraceKind};
use paxoscope_core::view::EntryKind;
use std::collections::BTreeSet;

type Event = TraceEvent<Ceph>;

/// A tour played to its end, with a tally of which notes a check has tied to an event.
struct Tour {
    id: &'static str,
    s: Session,
    notes: Vec<(u64, String)>,
    checked: BTreeSet<usize>,
}

impl Tour {
    fn play(id: &'static str) -> Tour {
        let p = find(id).unwrap_or_else(|| panic!("no preset {id}"));
        let scenario = p.scenario().unwrap_or_else(|e| panic!("{id}: {e}"));
        let end = scenario.end_ms.expect("every tour has an end");
        let notes = common::notes(&scenario);
        let mut s = Session::new(scenario);
        s.run_until(end);
        Tour {
            id,
            s,
            notes,
            checked: BTreeSet::new(),
        }
    }

    /// The first event at or after `from_ms` for which `f` gives something: its time and that.
    fn find<T>(&self, from_ms: u64, what: &str, f: impl Fn(&Event) -> Option<T>) -> (u64, T) {
        self.s
            .trace()
            .iter()
            .filter(|e| e.t_ms >= from_ms)
            .find_map(|e| f(e).map(|v| (e.t_ms, v)))
            .unwrap_or_else(|| panic!("{}: no {what} at or after {from_ms} ms", self.id))
    }

    /// Time of the first event at or after `from_ms` that matches.
    fn at(&self, from_ms: u64, what: &str, pred: impl Fn(&Event) -> bool) -> u64 {
        self.find(from_ms, what, |e| pred(e).then_some(())).0
    }

    /// Time of the last event in `from_ms..to_ms` that matches.
    fn last(&self, from_ms: u64, to_ms: u64, what: &str, pred: impl Fn(&Event) -> bool) -> u64 {
        let hits = self
            .s
            .trace()
            .iter()
            .filter(|e| (from_ms..to_ms).contains(&e.t_ms) && pred(e));
        hits.map(|e| e.t_ms)
            .last()
            .unwrap_or_else(|| panic!("{}: no {what} in {from_ms}..{to_ms} ms", self.id))
    }

    /// Every event in `from_ms..to_ms` for which `f` gives something.
    fn all<T>(&self, from_ms: u64, to_ms: u64, f: impl Fn(&Event) -> Option<T>) -> Vec<(u64, T)> {
        let in_range = self
            .s
            .trace()
            .iter()
            .filter(|e| (from_ms..to_ms).contains(&e.t_ms));
        in_range.filter_map(|e| f(e).map(|v| (e.t_ms, v))).collect()
    }

    /// The first election message of kind `op` from `by` (anyone when `None`) at or after
    /// `from_ms`: its time, sender and content.
    fn election(&self, from_ms: u64, by: Option<u8>, op: ElectionOp) -> (u64, (u8, Election)) {
        self.find(from_ms, &format!("{op:?}"), |e| {
            election(e, by, op).map(|(f, _, m)| (f, m.clone()))
        })
    }

    /// The first Paxos message of kind `op` from `by` (anyone when `None`) at or after `from_ms`.
    fn paxos(&self, from_ms: u64, by: Option<u8>, op: PaxosOp) -> (u64, Paxos) {
        self.find(from_ms, &format!("{op:?}"), |e| paxos(e, by, op).cloned())
    }

    /// The ranks that ACKed `leader` in `from_ms..to_ms`.
    fn acks_to(&self, from_ms: u64, to_ms: u64, leader: u8) -> SortedSet<u8> {
        let acks = self.all(from_ms, to_ms, |e| {
            election(e, None, ElectionOp::Ack)
                .filter(|(_, to, _)| *to == leader)
                .map(|(f, ..)| f)
        });
        acks.into_iter().map(|(_, f)| f).collect()
    }

    /// The note explaining a protocol event comes 1 ms after it. Notes are queued when the
    /// scenario loads, so a note at the event's own millisecond would be processed, and shown
    /// when stepping, just before the event it explains.
    fn note(&mut self, needle: &str, event_ms: u64) {
        self.note_exactly_at(needle, event_ms + 1, "1 ms after the event it explains");
    }

    /// A note about a scripted action (crash, put, heal, ...) shares the action's time; it is
    /// written after the action, so it is also processed after it.
    fn note_with_action(&mut self, needle: &str, action_ms: u64) {
        self.note_exactly_at(needle, action_ms, "with the action it explains");
    }

    /// A note about the event that stops the run (a violation) shares its time: a note 1 ms
    /// later would never be reached, so the reader would never see it.
    fn note_at_stop(&mut self, needle: &str, stop_ms: u64) {
        self.note_exactly_at(
            needle,
            stop_ms,
            "at the stop it explains (the run ends there)",
        );
    }

    fn note_exactly_at(&mut self, needle: &str, want_ms: u64, why: &str) {
        let hits: Vec<usize> = (0..self.notes.len())
            .filter(|i| self.notes[*i].1.contains(needle))
            .collect();
        assert_eq!(
            hits.len(),
            1,
            "{}: exactly one note should say {needle:?}",
            self.id
        );
        let (note_ms, text) = &self.notes[hits[0]];
        assert_eq!(
            *note_ms, want_ms,
            "{}: the note should come at {want_ms} ms, {why}: {text:?}",
            self.id
        );
        self.checked.insert(hits[0]);
    }

    /// Every note was tied to an event by some check.
    fn all_notes_checked(&self) {
        for (i, (t, text)) in self.notes.iter().enumerate() {
            assert!(
                self.checked.contains(&i),
                "{}: the note at {t} ms is not checked against the run: {text:?}",
                self.id
            );
        }
    }

    fn reply(&self, req: u64) -> Option<ClientReply> {
        self.s.world().clients()[req as usize - 1].reply.clone()
    }
    fn lc(&self, r: u8) -> u64 {
        self.s.world().durable(r).last_committed
    }
    fn kv(&self, r: u8, key: &str) -> Option<String> {
        self.s.world().durable(r).kv.get(key).map(|v| v.to_string())
    }
}

/// `5151` → `"5.151 s"`, the way the notes write times.
fn secs(ms: u64) -> String {
    format!("{}.{:03} s", ms / 1000, ms % 1000)
}

fn sent(e: &Event) -> Option<(u8, u8, &Msg)> {
    match &e.kind {
        TraceKind::Send { to, msg, .. } => Some((e.node?, *to, msg)),
        _ => None,
    }
}
/// A Paxos message of kind `op` sent by `from` (any sender when `None`).
fn paxos(e: &Event, from: Option<u8>, op: PaxosOp) -> Option<&Paxos> {
    match sent(e)? {
        (f, _, Msg::Paxos(p)) if p.op == op && from.is_none_or(|r| r == f) => Some(p),
        _ => None,
    }
}
/// An election message of kind `op` sent by `from` (any sender when `None`), with its target.
fn election(e: &Event, from: Option<u8>, op: ElectionOp) -> Option<(u8, u8, &Election)> {
    match sent(e)? {
        (f, to, Msg::Election(m)) if m.op == op && from.is_none_or(|r| r == f) => Some((f, to, m)),
        _ => None,
    }
}
fn probe_reply(e: &Event) -> bool {
    matches!(sent(e), Some((_, _, Msg::Probe(p))) if p.op == ProbeOp::Reply)
}
fn timer(e: &Event, node: Option<u8>, t: Timer) -> bool {
    matches!(e.kind, TraceKind::Timer(x) if x == t) && node.is_none_or(|r| e.node == Some(r))
}
/// `node` (any when `None`) enters monitor state `role` (leader, peon, probing, ...).
fn enters_role(e: &Event, node: Option<u8>, role: MonState) -> bool {
    matches!(e.kind, TraceKind::Transition(t) if t.machine == MONITOR && t.to == role.id())
        && node.is_none_or(|r| e.node == Some(r))
}
/// `node` enters Paxos phase `phase` (updating, writing, ...), as leader or peon.
fn enters_phase(e: &Event, node: u8, phase: PaxosState) -> bool {
    matches!(e.kind, TraceKind::Transition(t) if t.machine != MONITOR && t.to == phase.id())
        && e.node == Some(node)
}
fn client_reply(e: &Event, req: u64) -> Option<&ClientReply> {
    match &e.kind {
        TraceKind::ClientReply { req_id, reply } if *req_id == req => Some(reply),
        _ => None,
    }
}
fn delivered(e: &Event, node: u8, kind: &str) -> bool {
    matches!(&e.kind, TraceKind::Deliver { msg, .. } if msg.kind() == kind) && e.node == Some(node)
}
fn quorum(ranks: &[u8]) -> SortedSet<u8> {
    ranks.iter().copied().collect()
}
/// The versions a Paxos message carries.
fn versions(p: &Paxos) -> Vec<u64> {
    p.values.keys().copied().collect()
}
/// Does the value at `v` in this message carry a client put of `key = value`?
fn carries_put(p: &Paxos, v: u64, key: &str, value: &str) -> bool {
    p.values.get(&v).is_some_and(|val| {
        val.ops.iter().any(|op| {
            matches!(op, ValueOp::Client(r) if r.op == ClientOp::Put { key: key.into(), value: value.into() })
        })
    })
}
fn is_bookkeeping(p: &Paxos, v: u64) -> bool {
    p.values.get(&v).is_some_and(|val| {
        val.ops
            .iter()
            .any(|op| matches!(op, ValueOp::Bookkeeping { .. }))
    })
}

#[test]
fn every_tour_parses_round_trips_and_narrates() {
    for p in PRESETS {
        let s = p.scenario().unwrap_or_else(|e| panic!("{}: {e}", p.id));
        assert!(s.name.is_some(), "{} has a title", p.id);
        assert!(s.end_ms.is_some(), "{} has an end", p.id);
        let notes = s
            .actions
            .iter()
            .filter(|a| matches!(a.action, Action::Note(_)))
            .count();
        assert!(
            notes >= 2,
            "{} narrates its key steps ({notes} notes)",
            p.id
        );
        assert_eq!(
            paxoscope_core::scenario::parse(&print(&s)).unwrap(),
            s,
            "{}",
            p.id
        );
        let view = s
            .view
            .as_ref()
            .unwrap_or_else(|| panic!("{} sets a view", p.id));
        assert!(
            view.speed_tenths <= 5,
            "{}: at {}x a 20-30 ms message is hard to follow",
            p.id,
            view.speed_tenths as f64 / 10.0
        );
        // A tour opens at or before its first note: the reader starts at note 1, not in the
        // middle of the story.
        let first_note_ms = s
            .actions
            .iter()
            .find(|a| matches!(a.action, Action::Note(_)))
            .map(|a| a.at_ms)
            .expect("a tour narrates");
        assert!(
            view.t_ms <= first_note_ms,
            "{} opens at {} ms, after its first note at {first_note_ms} ms",
            p.id,
            view.t_ms
        );
    }
}

#[test]
fn every_note_of_every_tour_is_reached_before_its_run_stops() {
    // A note scheduled after the run stopped (at its end, or at a violation) is never shown.
    // Every protocol's tours, through the page's own window on a run (`view::open`).
    for p in PRESETS {
        let scenario = p.scenario().unwrap_or_else(|e| panic!("{}: {e}", p.id));
        let end = scenario.end_ms.expect("every tour has an end");
        let written: Vec<u64> = scenario
            .actions
            .iter()
            .filter(|a| matches!(a.action, Action::Note(_)))
            .map(|a| a.at_ms)
            .collect();
        let mut run = paxoscope_core::view::open(scenario).expect("every protocol is built");
        // As the page reads them: the entries of each slice while its window keeps them.
        let (mut read, mut shown) = (0, Vec::new());
        loop {
            let done = run.run_until_at_most(end, 500);
            let kept = run.resident();
            assert!(
                kept.start <= read,
                "{}: entries {read}.. were read in time",
                p.id
            );
            for i in read..run.trace_len() {
                let e = run.entry(i);
                if matches!(e.kind, EntryKind::Action(Action::Note(_))) {
                    shown.push(e.t_ms);
                }
            }
            read = run.trace_len();
            if done {
                break;
            }
        }
        assert_eq!(
            shown,
            written,
            "{}: every note is in the run (it stopped at {} ms{})",
            p.id,
            run.now_ms(),
            run.violation()
                .map_or(String::new(), |v| format!(", {}", v.invariant))
        );
        // The last note is where the page's "next" button ends: at or before the stop.
        assert!(
            written.last().is_some_and(|t| *t <= run.now_ms()),
            "{}",
            p.id
        );
    }
}

#[test]
fn every_tour_without_a_break_line_plays_to_its_end_without_a_violation() {
    // Ceph's tours (the Basic Paxos ones: core/tests/basic_tours.rs). A tour that switches a
    // bug on is about its violation (break-majority; the why-each-rule tour, proved step by
    // step in core/tests/why_rules.rs).
    let ceph = PRESETS.iter().filter(|p| p.protocol == "ceph");
    let intact =
        |p: &&paxoscope_core::presets::Preset| p.scenario().is_ok_and(|s| s.mutations.is_empty());
    for p in ceph.filter(intact) {
        let t = Tour::play(p.id);
        assert!(
            t.s.violation().is_none(),
            "{}: {}",
            p.id,
            t.s.violation().unwrap()
        );
        assert_eq!(
            t.s.now_ms(),
            t.s.scenario().end_ms.unwrap(),
            "{} reached its end",
            p.id
        );
    }
}

#[test]
fn startup_tour() {
    let mut t = Tour::play("startup");
    let probe = t.at(0, "PROBE", |e| {
        matches!(sent(e), Some((_, _, Msg::Probe(_))))
    });
    assert_eq!(probe, 0);
    t.note_with_action("sends PROBE to every peer", probe);
    let sent_at: std::collections::BTreeMap<u64, u64> = t
        .all(0, 12_000, |e| match e.kind {
            TraceKind::Send { id, .. } => Some(id),
            _ => None,
        })
        .into_iter()
        .map(|(t_ms, id)| (id, t_ms))
        .collect();
    let hops = t.all(0, 12_000, |e| match e.kind {
        TraceKind::Deliver { id, .. } => Some(id),
        _ => None,
    });
    assert!(
        hops.iter()
            .all(|(at, id)| (20..=30).contains(&(at - sent_at[id]))),
        "every hop takes 20 to 30 ms"
    );
    t.note(
        "The first PROBE replies",
        t.at(0, "probe reply", probe_reply),
    );
    let (first_propose, (proposer, m)) = t.election(0, None, ElectionOp::Propose);
    assert_eq!(m.epoch, 1, "first boot proposes at epoch 1");
    t.note(
        &format!("mon.{proposer} has replies from two peers"),
        first_propose,
    );
    let replies = t.all(0, first_propose + 1, |e| {
        delivered(e, proposer, "probe_reply").then_some(())
    });
    assert_eq!(
        replies.len(),
        2,
        "mon.{proposer} calls the election on two replies"
    );
    let proposers = t.all(0, 1_000, |e| {
        election(e, None, ElectionOp::Propose).map(|(f, ..)| f)
    });
    let last_to_propose = proposers.iter().map(|(t_ms, _)| *t_ms).max().unwrap();
    let ranks: BTreeSet<u8> = proposers.iter().map(|(_, f)| *f).collect();
    assert_eq!(ranks.len(), 5, "every monitor proposes");
    assert!(
        last_to_propose - first_propose <= 4,
        "the others within 4 ms"
    );
    let acks = t.all(0, 1_000, |e| {
        election(e, None, ElectionOp::Ack).map(|(f, to, _)| (f, to))
    });
    assert_eq!(acks.len(), 4, "{acks:?}");
    assert!(
        acks.iter().all(|(_, (_, to))| *to == 0),
        "every ACK goes to mon.0: {acks:?}"
    );
    let first_ack = acks[0].0;
    t.note("send their ACK to mon.0", first_ack);
    let (victory, (_, v)) = t.election(0, Some(0), ElectionOp::Victory);
    assert_eq!((v.epoch, v.quorum.clone()), (2, quorum(&[0, 1, 2, 3, 4])));
    let (_, collect) = t.paxos(victory, Some(0), PaxosOp::Collect);
    assert_eq!(collect.pn, 100);
    t.note(
        "epoch 2, quorum {0,1,2,3,4}. It persists last_pn = 100",
        victory,
    );
    let (last, l) = t.paxos(0, None, PaxosOp::Last);
    assert_eq!(
        (l.pn, l.uncommitted_pn, l.values.len()),
        (100, 0, 0),
        "a plain promise of pn 100"
    );
    t.note("Each peon promises pn 100", last);
    let (begin, b) = t.paxos(0, Some(0), PaxosOp::Begin);
    assert_eq!((b.pn, versions(&b)), (100, vec![1]));
    let (lease, l) = t.paxos(0, Some(0), PaxosOp::Lease);
    assert_eq!(lease, begin, "the first lease goes out with BEGIN v1");
    assert_eq!(
        t.at(0, "recovery done", |e| enters_phase(
            e,
            0,
            PaxosState::Updating
        )),
        begin
    );
    t.note(
        &format!("grants leases (valid until {})", secs(l.lease_timestamp_ms)),
        begin,
    );
    t.note(
        "on BEGIN drops it again",
        t.at(0, "ACCEPT", |e| paxos(e, None, PaxosOp::Accept).is_some()),
    );
    let writing = t.at(0, "writing", |e| enters_phase(e, 0, PaxosState::Writing));
    assert_eq!(
        writing,
        t.last(0, writing + 1, "ACCEPT delivered", |e| delivered(
            e, 0, "accept"
        )),
        "the commit waits for the last ACCEPT"
    );
    t.note(
        &format!("The last ACCEPT arrived at {}", secs(writing)),
        writing,
    );
    let (commit, c) = t.paxos(0, Some(0), PaxosOp::Commit);
    let (_, l) = t.paxos(commit, Some(0), PaxosOp::Lease);
    assert_eq!(c.last_committed, 1);
    // The note at writing + 1 ms says the leader is already active again: the write took 1 ms.
    assert_eq!(commit, writing + 1, "the commit write takes 1 ms");
    let active = t.at(writing, "leader active", |e| {
        enters_phase(e, 0, PaxosState::Active)
    });
    assert_eq!(active, commit, "mon.0 is active once the COMMIT is sent");
    let first_commit_in = t.at(commit, "COMMIT delivered", |e| {
        (1..5).any(|r| delivered(e, r, "commit"))
    });
    assert!(
        first_commit_in > commit + 1,
        "the peons still show lc 0 at the next note"
    );
    t.note(
        &format!(
            "Behind each COMMIT travels a new LEASE, valid until {}. The peons still show lc 0",
            secs(l.lease_timestamp_ms)
        ),
        commit,
    );
    t.note(
        "All five are active at lc 1",
        t.last(commit, 1_000, "peon active", |e| {
            enters_phase_any(e, PaxosState::Active)
        }),
    );
    let renew = t.at(1_000, "lease renewal", |e| {
        timer(e, Some(0), Timer::LeaseRenew)
    });
    assert_eq!(renew, commit + 3_000, "renewal 3 s after the last lease");
    let (_, l) = t.paxos(renew, Some(0), PaxosOp::Lease);
    t.note(
        &format!(
            "Lease renewal: LEASE to every peon (now valid until {})",
            secs(l.lease_timestamp_ms)
        ),
        renew,
    );
    for r in 0..5 {
        assert!(
            t.s.world().status(r).unwrap().readable,
            "mon.{r} readable at the end"
        );
        assert_eq!(t.lc(r), 1);
    }
    t.all_notes_checked();
}

fn enters_phase_any(e: &Event, phase: PaxosState) -> bool {
    (0..5).any(|r| enters_phase(e, r, phase))
}

#[test]
fn leader_fails_tour() {
    let mut t = Tour::play("leader-fails");
    t.note_with_action("A client writes color = blue", 5_000);
    let fwd = t.at(5_000, "FORWARD delivered", |e| delivered(e, 0, "forward"));
    let (begin, b) = t.paxos(5_000, Some(0), PaxosOp::Begin);
    assert_eq!(
        (begin, b.pn, versions(&b)),
        (fwd, 100, vec![2]),
        "proposed at once"
    );
    t.note("it proposes at once: BEGIN v2 with pn 100", begin);
    let (written, r) = t.find(5_000, "reply", |e| client_reply(e, 1).cloned());
    assert_eq!(r, ClientReply::Written { version: 2 });
    t.note("Written v2", written);
    // The crash, the read under the lease and the refused read.
    let renew = t.last(5_000, 10_000, "renewal", |e| {
        timer(e, Some(0), Timer::LeaseRenew)
    });
    let (_, l) = t.paxos(renew, Some(0), PaxosOp::Lease);
    t.note_with_action(
        &format!(
            "renewal at {}, valid until {}",
            secs(renew),
            secs(l.lease_timestamp_ms)
        ),
        10_000,
    );
    assert!(
        matches!(t.reply(2), Some(ClientReply::Value { value: Some(ref v), version: 2 }) if &**v == "blue"),
        "{:?}",
        t.reply(2)
    );
    t.note_with_action("mon.3 answers the read locally (blue, v2)", 11_000);
    assert!(
        matches!(t.reply(3), Some(ClientReply::Refused { .. })),
        "{:?}",
        t.reply(3)
    );
    assert!(l.lease_timestamp_ms < 14_000);
    t.note_with_action(
        &format!("The lease ran out at {}", secs(l.lease_timestamp_ms)),
        14_000,
    );
    let lease_out = t.at(10_000, "lease timeout", |e| timer(e, None, Timer::Lease));
    let lease_in = t.last(5_000, 10_000, "LEASE at mon.3", |e| {
        delivered(e, 3, "lease")
    });
    assert_eq!(
        lease_out,
        t.at(10_000, "mon.3 lease timeout", |e| timer(
            e,
            Some(3),
            Timer::Lease
        )),
        "mon.3 is first"
    );
    assert_eq!(lease_out, lease_in + 10_000);
    let timeouts = t.all(10_000, 20_000, |e| {
        timer(e, None, Timer::Lease).then_some(e.node)
    });
    assert_eq!(timeouts.len(), 4, "every peon times out: {timeouts:?}");
    assert!(
        timeouts[3].0 - lease_out <= 10,
        "the others follow within 10 ms: {timeouts:?}"
    );
    t.note(
        &format!(
            "mon.3's lease timer fires (its last LEASE arrived at {})",
            secs(lease_in)
        ),
        lease_out,
    );
    let (elect, (by, m)) = t.election(10_000, None, ElectionOp::Propose);
    assert_eq!(m.epoch, 3);
    t.note(&format!("mon.{by} calls an election at epoch 3"), elect);
    let victory1 = t.election(10_000, Some(1), ElectionOp::Victory).0;
    let last_ack = t.last(10_000, victory1, "ACK to mon.1", |e| {
        election(e, None, ElectionOp::Ack).is_some_and(|(_, to, _)| to == 1)
    });
    let acks_to_1 = t.acks_to(10_000, victory1, 1);
    assert_eq!(acks_to_1, quorum(&[2, 3, 4]));
    let mon4_acks: Vec<u8> = t
        .all(10_000, victory1, |e| {
            election(e, Some(4), ElectionOp::Ack).map(|(_, to, _)| to)
        })
        .into_iter()
        .map(|(_, to)| to)
        .collect();
    assert_eq!(
        mon4_acks,
        vec![3, 2, 1],
        "mon.4 re-ACKs for each lower rank"
    );
    t.note("mon.4 first deferred to mon.3, then mon.2", last_ack);
    let (_, (_, v)) = t.election(10_000, Some(1), ElectionOp::Victory);
    assert_eq!((v.epoch, v.quorum.clone()), (4, quorum(&[1, 2, 3, 4])));
    assert!(
        timer_at(&t, victory1, 1, Timer::Election),
        "won on its timer"
    );
    let (_, c) = t.paxos(victory1, Some(1), PaxosOp::Collect);
    assert_eq!(c.pn, 201);
    t.note(
        "mon.1 wins epoch 4 with quorum {1,2,3,4}. Its pn is 201",
        victory1,
    );
    let (begin3, b) = t.paxos(victory1, Some(1), PaxosOp::Begin);
    assert!(is_bookkeeping(&b, 3));
    t.note("proposes its post-election bookkeeping write as v3", begin3);
    let (commit3, c) = t.paxos(victory1, Some(1), PaxosOp::Commit);
    assert_eq!(c.last_committed, 3);
    t.note("mon.1 commits v3", commit3);
    // A write through the new leader waits the 50 ms gathering window.
    t.note_with_action("A write at mon.4 is forwarded to the new leader", 30_000);
    let fwd = t.at(30_000, "FORWARD at mon.1", |e| delivered(e, 1, "forward"));
    let propose = t.at(30_000, "propose timer", |e| {
        timer(e, Some(1), Timer::Propose)
    });
    assert_eq!(propose, fwd + 50);
    let (_, b) = t.paxos(propose, Some(1), PaxosOp::Begin);
    assert_eq!((b.pn, versions(&b)), (201, vec![4]));
    t.note("BEGIN v4 with pn 201", propose);
    let (w, r) = t.find(30_000, "reply", |e| client_reply(e, 4).cloned());
    assert_eq!(r, ClientReply::Written { version: 4 });
    t.note("mon.4's client hears Written v4", w);
    // mon.0 returns and leads again.
    t.note_with_action("mon.0 restarts from its store (lc 2, epoch 2)", 35_000);
    let (p3, (_, m)) = t.election(35_000, Some(0), ElectionOp::Propose);
    assert_eq!(m.epoch, 3);
    t.note("calls an election to join it, at epoch 3", p3);
    let (p5, (_, _, m)) = t.find(p3, "PROPOSE", |e| {
        election(e, None, ElectionOp::Propose)
            .filter(|(f, ..)| *f != 0)
            .map(|(f, to, m)| (f, to, m.clone()))
    });
    assert_eq!(m.epoch, 5);
    let mon1_down = t.at(p3, "mon.1 steps down", |e| {
        enters_role(e, Some(1), MonState::Electing)
    });
    assert!(p5 <= mon1_down);
    t.note(
        "start a new election at epoch 5; mon.1 steps down",
        mon1_down,
    );
    let (p7, (_, m)) = t.election(p5, Some(0), ElectionOp::Propose);
    assert_eq!(m.epoch, 7);
    t.note("PROPOSE at epoch 7, to which everyone will defer", p7);
    let (v8, (_, v)) = t.election(35_000, Some(0), ElectionOp::Victory);
    assert_eq!((v.epoch, v.quorum.clone()), (8, quorum(&[0, 1, 2, 3, 4])));
    let (_, c) = t.paxos(v8, Some(0), PaxosOp::Collect);
    assert_eq!(c.pn, 200);
    t.note("mon.0 wins epoch 8 at once. It collects with pn 200", v8);
    let (refuse, l) = t.paxos(v8, None, PaxosOp::Last);
    assert_eq!((l.pn, versions(&l)), (201, vec![3, 4]));
    t.note("they refuse pn 200. Their LAST carries v3 and v4", refuse);
    let (again, c) = t.paxos(refuse, Some(0), PaxosOp::Collect);
    assert_eq!((c.pn, c.last_committed), (300, 4));
    t.note("collects again with pn 300", again);
    let (commit5, c) = t.paxos(again, Some(0), PaxosOp::Commit);
    assert_eq!(c.last_committed, 5);
    assert!(is_bookkeeping(&c, 5));
    t.note("commits its bookkeeping write v5 and leads again", commit5);
    assert!(t.s.world().status(0).unwrap().leader == Some(0));
    assert!((0..5).all(|r| t.lc(r) == 5 && t.kv(r, "color").as_deref() == Some("green")));
    t.all_notes_checked();
}

fn timer_at(t: &Tour, at_ms: u64, node: u8, which: Timer) -> bool {
    t.s.trace()
        .iter()
        .any(|e| e.t_ms == at_ms && timer(e, Some(node), which))
}

#[test]
fn mid_update_tour() {
    let mut t = Tour::play("mid-update");
    let (begin, b) = t.paxos(10_000, Some(0), PaxosOp::Begin);
    assert_eq!((begin, b.pn, versions(&b)), (10_000, 100, vec![2]));
    assert!(carries_put(&b, 2, "k", "v"));
    t.note(
        "persists the value as uncommitted v2 (pending_pn 100)",
        begin,
    );
    t.note(
        "Each peon stores v2",
        t.at(begin, "ACCEPT", |e| {
            paxos(e, None, PaxosOp::Accept).is_some()
        }),
    );
    let writing = t.at(begin, "writing", |e| {
        enters_phase(e, 0, PaxosState::Writing)
    });
    let crash = t.at(begin, "crash", |e| {
        matches!(e.kind, TraceKind::Crash) && e.node == Some(0)
    });
    assert_eq!(writing, crash, "the leader dies as its commit write starts");
    assert!(
        t.all(begin, 40_000, |e| paxos(e, Some(0), PaxosOp::Commit)
            .map(|_| ()))
            .is_empty(),
        "no COMMIT ever leaves"
    );
    assert_eq!(t.reply(1), None, "the client never hears back");
    t.note("The last ACCEPT arrives", crash);
    t.note(
        "The peons' lease timers fire",
        t.at(crash, "lease timeout", |e| timer(e, None, Timer::Lease)),
    );
    let victory = t.election(crash, Some(1), ElectionOp::Victory).0;
    let acks = t.acks_to(crash, victory, 1);
    assert_eq!(acks, quorum(&[2, 3, 4]));
    t.note(
        "has ACKs from mon.2, mon.3 and mon.4",
        t.last(crash, victory, "ACK", |e| {
            election(e, None, ElectionOp::Ack).is_some()
        }),
    );
    let (_, (_, v)) = t.election(crash, Some(1), ElectionOp::Victory);
    assert_eq!((v.epoch, v.quorum.clone()), (4, quorum(&[1, 2, 3, 4])));
    assert!(timer_at(&t, victory, 1, Timer::Election));
    let (_, c) = t.paxos(victory, Some(1), PaxosOp::Collect);
    assert_eq!(c.pn, 201);
    t.note(
        "wins epoch 4 with quorum {1,2,3,4} and sends COLLECT with pn 201",
        victory,
    );
    let lasts = t.all(victory, 30_000, |e| paxos(e, None, PaxosOp::Last).cloned());
    assert_eq!(lasts.len(), 3);
    for (_, l) in &lasts {
        assert_eq!(
            (l.uncommitted_pn, versions(l)),
            (100, vec![2]),
            "every LAST carries the uncommitted v2"
        );
        assert!(carries_put(l, 2, "k", "v"));
    }
    t.note("Each LAST reports the uncommitted v2", lasts[0].0);
    let again = t.at(victory, "updating-previous", |e| {
        enters_phase(e, 1, PaxosState::UpdatingPrevious)
    });
    let (_, b) = t.paxos(again, Some(1), PaxosOp::Begin);
    assert_eq!((b.pn, versions(&b)), (201, vec![2]));
    assert!(carries_put(&b, 2, "k", "v"));
    t.note("re-proposes the old v2 under its own pn 201", again);
    let (commit, c) = t.paxos(again, Some(1), PaxosOp::Commit);
    assert!(c.last_committed == 2 && carries_put(&c, 2, "k", "v"));
    let (next, b) = t.paxos(commit, Some(1), PaxosOp::Begin);
    assert!(next == commit && is_bookkeeping(&b, 3));
    t.note("v2 committed with k = v", commit);
    assert!(
        matches!(t.reply(2), Some(ClientReply::Value { value: Some(ref v), .. }) if &**v == "v"),
        "{:?}",
        t.reply(2)
    );
    for r in 1..5 {
        assert_eq!(t.kv(r, "k").as_deref(), Some("v"), "mon.{r}");
    }
    t.note_with_action("mon.1 reads k = v", 30_000);
    t.all_notes_checked();
}

#[test]
fn minority_tour() {
    let mut t = Tour::play("minority");
    t.note_with_action("The network splits", 10_000);
    let (begin, b) = t.paxos(14_000, Some(0), PaxosOp::Begin);
    assert_eq!((begin, versions(&b)), (14_000, vec![2]));
    t.note("proposes the write at once as v2", begin);
    let accept = t.at(begin, "ACCEPT", |e| {
        paxos(e, Some(1), PaxosOp::Accept).is_some()
    });
    t.note("mon.1 accepts, but commit needs", accept);
    assert!(
        t.all(begin, 50_000, |e| paxos(e, Some(0), PaxosOp::Commit)
            .map(|_| ()))
            .is_empty(),
        "the minority never commits"
    );
    t.note(
        "The majority side's lease timers fire",
        t.at(begin, "lease timeout", |e| timer(e, None, Timer::Lease)),
    );
    let t1 = t.at(begin, "mon.1 lease timeout", |e| {
        timer(e, Some(1), Timer::Lease)
    });
    let lease1 = t.last(10_000, t1, "LEASE at mon.1", |e| delivered(e, 1, "lease"));
    assert!(lease1 > 12_000 && t1 == lease1 + 10_000);
    let (join, (_, m)) = t.election(t1, Some(1), ElectionOp::Propose);
    assert_eq!(m.epoch, 3);
    t.note(
        &format!("mon.1's lease timer fired too, at {}", secs(t1)),
        join,
    );
    let left = t.at(t1, "mon.0 leaves", |e| {
        enters_role(e, Some(0), MonState::Electing)
    });
    t.note("its write waits at mon.0", left);
    // Out of quorum for 2 × mon_lease, mon.0 closes its client sessions (Ceph's tick).
    let (trim, r) = t.find(left, "reply", |e| client_reply(e, 1).cloned());
    assert!(matches!(r, ClientReply::Retry { .. }), "{r:?}");
    assert_eq!(trim, left + 2 * 5_000);
    assert!(timer_at(&t, trim, 0, Timer::SessionTrim));
    t.note("out of quorum for 10 s", trim);
    let (win, (_, v)) = t.election(begin, Some(2), ElectionOp::Victory);
    assert_eq!((v.epoch, v.quorum.clone()), (4, quorum(&[2, 3, 4])));
    let (_, c) = t.paxos(win, Some(2), PaxosOp::Collect);
    assert_eq!(c.pn, 202);
    t.note("wins epoch 4 with quorum {2,3,4} and pn 202", win);
    let rounds = t.all(t1, 50_000, |e| {
        timer(e, Some(0), Timer::Election).then_some(())
    });
    assert!(
        rounds.len() >= 4 && rounds.windows(2).all(|w| w[1].0 - w[0].0 == 5_000),
        "{rounds:?}"
    );
    assert!(
        t.all(t1, 50_000, |e| election(e, Some(0), ElectionOp::Victory)
            .map(|_| ()))
            .is_empty(),
        "the minority never wins"
    );
    t.note("The minority keeps electing every 5 s", rounds[0].0);
    t.note_with_action("forwarded to the majority's leader mon.2", 40_000);
    let (w, r) = t.find(40_000, "reply", |e| client_reply(e, 2).cloned());
    assert_eq!(r, ClientReply::Written { version: 3 });
    t.note("mon.3's client hears Written v3", w);
    t.note_with_action("Heal. Nothing happens", 50_000);
    let (p, (_, m)) = t.election(50_000, Some(0), ElectionOp::Propose);
    assert!(timer_at(&t, p, 0, Timer::Election));
    assert_eq!(m.epoch, 17);
    t.note("proposes at epoch 17", p);
    let (win, (_, v)) = t.election(p, Some(0), ElectionOp::Victory);
    assert_eq!((v.epoch, v.quorum.len()), (18, 5));
    let (_, c) = t.paxos(win, Some(0), PaxosOp::Collect);
    assert_eq!(c.pn, 200);
    t.note("mon.0 wins epoch 18 at once", win);
    let (refuse, l) = t.find(win, "refusal", |e| {
        paxos(e, None, PaxosOp::Last)
            .filter(|l| l.pn == 202)
            .cloned()
    });
    assert_eq!(versions(&l), vec![2, 3]);
    t.note(
        "mon.0 collects with pn 200, but the majority promised 202",
        refuse,
    );
    let (again, c) = t.paxos(refuse, Some(0), PaxosOp::Collect);
    assert_eq!((c.pn, c.last_committed), (300, 3));
    t.note("collects again with pn 300", again);
    let (_, stale) = t.paxos(win, Some(1), PaxosOp::Last);
    assert_eq!((stale.uncommitted_pn, versions(&stale)), (100, vec![2]));
    assert!(carries_put(&stale, 2, "k", "from-the-minority"));
    let heard = t.at(again, "mon.1's LAST at mon.0", |e| {
        delivered(e, 0, "last") && matches!(e.kind, TraceKind::Deliver { from: 1, .. })
    });
    let (catch_up, c) = t.paxos(heard, Some(0), PaxosOp::Commit);
    assert_eq!((catch_up, versions(&c)), (heard, vec![2, 3]));
    t.note(
        "mon.1's LAST still offers the minority's uncommitted v2 (pn 100)",
        heard,
    );
    let (commit4, c) = t.find(again, "COMMIT v4", |e| {
        paxos(e, Some(0), PaxosOp::Commit)
            .filter(|c| c.last_committed == 4)
            .cloned()
    });
    assert!(is_bookkeeping(&c, 4));
    assert!(!carries_put(&c, 4, "k", "from-the-minority"));
    let applied = t.last(commit4, 60_000, "peon active", |e| {
        enters_phase_any(e, PaxosState::Active)
    });
    t.note("bookkeeping v4 committed on all five", applied);
    for r in 0..5 {
        assert_eq!(
            (t.lc(r), t.kv(r, "k").as_deref()),
            (4, Some("from-the-majority")),
            "mon.{r}"
        );
    }
    t.all_notes_checked();
}

#[test]
fn lease_tour() {
    let mut t = Tour::play("lease");
    let last_lease = t.last(0, 10_000, "LEASE at mon.4", |e| delivered(e, 4, "lease"));
    let renew = t.last(0, 10_000, "renewal", |e| {
        timer(e, Some(0), Timer::LeaseRenew)
    });
    let (_, l) = t.paxos(renew, Some(0), PaxosOp::Lease);
    t.note(
        &format!(
            "This LEASE, sent at {} and valid until {}",
            secs(renew),
            secs(l.lease_timestamp_ms)
        ),
        last_lease,
    );
    t.note_with_action("mon.4 is cut off from everyone", 10_000);
    assert_eq!(
        t.reply(1),
        Some(ClientReply::Value {
            value: None,
            version: 1
        })
    );
    t.note_with_action(
        &format!("its lease runs until {}", secs(l.lease_timestamp_ms)),
        12_000,
    );
    let renew2 = t.at(10_000, "renewal", |e| timer(e, Some(0), Timer::LeaseRenew));
    assert!(
        t.all(renew2, renew2 + 1, |e| matches!(
            &e.kind,
            TraceKind::Drop {
                to: 4,msg,
                ..
            } if msg.kind() == "lease"
        )
        .then_some(()))
            .len()
            == 1
    );
    t.note("The next renewal cannot reach mon.4", renew2);
    assert!(
        matches!(t.reply(2), Some(ClientReply::Refused { .. })),
        "{:?}",
        t.reply(2)
    );
    assert!(
        matches!(t.reply(3), Some(ClientReply::Value { .. })),
        "{:?}",
        t.reply(3)
    );
    t.note_with_action(
        &format!("mon.4's lease expired at {}", secs(l.lease_timestamp_ms)),
        16_000,
    );
    let out = t.at(10_000, "lease timeout", |e| timer(e, Some(4), Timer::Lease));
    assert_eq!(out, last_lease + 10_000);
    let probes = t.all(out, 30_000, |e| {
        timer(e, Some(4), Timer::Probe).then_some(())
    });
    assert!(
        probes.len() >= 4 && probes.windows(2).all(|w| w[1].0 - w[0].0 == 2_000),
        "{probes:?}"
    );
    t.note("mon.4's lease timer fires, 10 s after its last LEASE", out);
    let ack_out = t.at(10_000, "lease-ack timeout", |e| {
        timer(e, Some(0), Timer::LeaseAck)
    });
    assert_eq!(ack_out, renew2 + 10_000);
    t.note(
        &format!("the renewal of {} went unacked", secs(renew2)),
        ack_out,
    );
    let (win, (_, v)) = t.election(ack_out, Some(0), ElectionOp::Victory);
    assert_eq!((v.epoch, v.quorum.clone()), (4, quorum(&[0, 1, 2, 3])));
    assert!(timer_at(&t, win, 0, Timer::Election));
    t.note(
        "mon.0 wins epoch 4 on its election timer with quorum {0,1,2,3}",
        win,
    );
    let (commit, c) = t.paxos(win, Some(0), PaxosOp::Commit);
    assert!(c.last_committed == 2 && is_bookkeeping(&c, 2));
    t.note("commits its bookkeeping write v2", commit);
    assert_eq!(t.s.world().node(4).unwrap().state, MonState::Probing);
    t.all_notes_checked();
}

#[test]
fn sync_tour() {
    let mut t = Tour::play("sync");
    t.note_with_action("mon.4 goes down", 5_000);
    let missed = t.at(5_000, "renewal", |e| timer(e, Some(0), Timer::LeaseRenew));
    let ack_out = t.at(5_000, "lease-ack timeout", |e| {
        timer(e, Some(0), Timer::LeaseAck)
    });
    assert_eq!(ack_out, missed + 10_000);
    t.note(
        &format!("armed at the renewal of {}", secs(missed)),
        ack_out,
    );
    let (win, (_, v)) = t.election(ack_out, Some(0), ElectionOp::Victory);
    assert_eq!((v.epoch, v.quorum.clone()), (4, quorum(&[0, 1, 2, 3])));
    let (_, c) = t.paxos(win, Some(0), PaxosOp::Collect);
    assert_eq!(c.pn, 200);
    let (_, b) = t.paxos(win, Some(0), PaxosOp::Begin);
    assert!(is_bookkeeping(&b, 2));
    t.note("wins epoch 4 with quorum {0,1,2,3} and pn 200", win);
    let versions_written: Vec<u64> = (1..=14)
        .map(|req| match t.reply(req) {
            Some(ClientReply::Written { version }) => version,
            other => panic!("write {req}: {other:?}"),
        })
        .collect();
    assert_eq!(
        versions_written,
        (3..=16).collect::<Vec<_>>(),
        "each write in its own version"
    );
    let proposals = t.all(25_000, 45_000, |e| {
        timer(e, Some(0), Timer::Propose).then_some(())
    });
    assert_eq!(proposals[0].0, 25_000, "the first is proposed at once");
    let puts: Vec<u64> =
        t.s.scenario()
            .actions
            .iter()
            .filter(|a| matches!(a.action, Action::Put { .. }))
            .map(|a| a.at_ms)
            .collect();
    let waits: Vec<u64> = proposals
        .iter()
        .zip(&puts)
        .skip(1)
        .map(|((p, _), put)| p - put)
        .collect();
    assert_eq!(
        waits,
        vec![50; 13],
        "each later write waits the 50 ms gathering window"
    );
    t.note_with_action(
        "Fourteen writes, 1.2 s apart, each in its own version (v3 to v16)",
        25_000,
    );
    t.note_with_action("mon.4 restarts from its store at lc 1", 45_000);
    let (ask, (provider, m)) = t.find(45_000, "sync request", |e| match sent(e) {
        Some((4, to, Msg::Sync(s))) => Some((to, s.clone())),
        _ => None,
    });
    assert!(
        matches!(m, Sync::GetCookieRecent { last_committed: 1 }),
        "{m:?}"
    );
    assert_eq!(
        ask,
        t.at(45_000, "synchronizing", |e| enters_role(
            e,
            Some(4),
            MonState::Synchronizing
        ))
    );
    t.note(
        &format!("mon.{provider}'s probe reply says lc 16: 15 versions ahead"),
        ask,
    );
    let (chunk, c) = t.find(ask, "LAST_CHUNK", |e| match sent(e) {
        Some((_, 4, Msg::Sync(Sync::LastChunk { values, .. }))) => {
            Some(values.keys().copied().collect::<Vec<_>>())
        }
        _ => None,
    });
    assert_eq!(c, (2..=16).collect::<Vec<_>>());
    let applied = t.at(chunk, "back to probing", |e| {
        enters_role(e, Some(4), MonState::Probing)
    });
    t.note("The last sync chunk carries v2 to v16", applied);
    let (join, (_, m)) = t.election(applied, Some(4), ElectionOp::Propose);
    assert_eq!(m.epoch, 3);
    t.note("calls an election to join it, at epoch 3", join);
    let (e5, (_, _, m)) = t.find(join, "PROPOSE", |e| {
        election(e, None, ElectionOp::Propose)
            .filter(|(f, ..)| *f != 4)
            .map(|(f, to, m)| (f, to, m.clone()))
    });
    assert_eq!(m.epoch, 5);
    t.note("start a new election at epoch 5", e5);
    let (win, (_, v)) = t.election(join, Some(0), ElectionOp::Victory);
    assert_eq!((v.epoch, v.quorum.len()), (6, 5));
    let (_, c) = t.paxos(win, Some(0), PaxosOp::Collect);
    assert_eq!(c.pn, 300);
    t.note(
        "mon.0 wins epoch 6 at once with all five and collects with pn 300",
        win,
    );
    let (commit, _) = t.find(win, "COMMIT v17", |e| {
        paxos(e, Some(0), PaxosOp::Commit)
            .filter(|c| c.last_committed == 17)
            .cloned()
    });
    let done = t.last(commit, 60_000, "peon active", |e| {
        enters_phase_any(e, PaxosState::Active)
    });
    t.note("The bookkeeping write v17 is committed on all five", done);
    assert!((0..5).all(|r| t.lc(r) == 17));
    t.all_notes_checked();
}

#[test]
fn one_way_tour() {
    let mut t = Tour::play("one-way");
    t.note_with_action("Messages from mon.2 to the leader are lost", 10_000);
    let dropped = t.at(10_000, "lost LEASE_ACK", |e| {
        matches!(
            &e.kind,
            TraceKind::Drop {
                from: 2,
                to: 0,msg,
                ..
            } if msg.kind() == "lease_ack"
        )
    });
    let renew = t.at(10_000, "renewal", |e| timer(e, Some(0), Timer::LeaseRenew));
    t.note(
        &format!("its LEASE_ACK for the {} renewal is lost", secs(renew)),
        dropped,
    );
    let ack_out = t.at(10_000, "lease-ack timeout", |e| {
        timer(e, Some(0), Timer::LeaseAck)
    });
    assert_eq!(ack_out, renew + 10_000);
    t.note(
        "The leader's lease-ack timer fires: mon.2 has not acked",
        ack_out,
    );
    let lost_ack = t.at(ack_out, "lost ACK", |e| {
        matches!(
            &e.kind,
            TraceKind::Drop {
                from: 2,
                to: 0,msg,
                ..
            } if msg.kind() == "ack"
        )
    });
    t.note("its ACK is lost too", lost_ack);
    // Each cycle: mon.0 wins without mon.2, mon.2's timer fires, everybody elects again.
    let wins = t.all(ack_out, 45_000, |e| {
        election(e, Some(0), ElectionOp::Victory).map(|(_, _, m)| (m.epoch, m.quorum.clone()))
    });
    let mut cycles: Vec<(u64, u64)> = wins
        .iter()
        .map(|(t_ms, (epoch, q))| {
            assert_eq!(q, &quorum(&[0, 1, 3, 4]), "mon.2 is always left out");
            (*t_ms, *epoch)
        })
        .collect();
    cycles.dedup();
    assert_eq!(
        cycles.iter().map(|c| c.1).collect::<Vec<_>>(),
        vec![4, 10, 16],
        "elections repeat"
    );
    let pns: Vec<u64> = cycles
        .iter()
        .map(|(w, _)| {
            t.find(*w, "COLLECT", |e| {
                paxos(e, Some(0), PaxosOp::Collect).map(|c| c.pn)
            })
            .1
        })
        .collect();
    assert_eq!(pns, vec![200, 300, 400]);
    assert!(
        cycles
            .windows(2)
            .all(|w| (6_000..6_200).contains(&(w[1].0 - w[0].0))),
        "{cycles:?}"
    );
    t.note("quorum {0,1,3,4}, epoch 4, pn 200", cycles[0].0);
    let flap = t.at(cycles[0].0, "mon.2's timer", |e| {
        timer(e, Some(2), Timer::Election)
    });
    let (_, (_, m)) = t.election(flap, Some(2), ElectionOp::Propose);
    assert_eq!(m.epoch, 5);
    t.note(
        "mon.2's election timer fires. It has been in a quorum before",
        flap,
    );
    let (p7, (_, m)) = t.election(flap, Some(1), ElectionOp::Propose);
    assert_eq!(m.epoch, 7);
    let (p9, (_, m)) = t.election(p7, Some(0), ElectionOp::Propose);
    assert_eq!(m.epoch, 9);
    let lost_again = t.at(p9, "lost ACK", |e| {
        matches!(
            &e.kind,
            TraceKind::Drop {
                from: 2,
                to: 0,msg,
                ..
            } if msg.kind() == "ack"
        )
    });
    t.note(
        "mon.1 outranks mon.2 and ran for itself (epoch 7)",
        lost_again,
    );
    t.note(
        "mon.0 wins epoch 10 on its timer, again without mon.2, and needs a fresh pn: 300",
        cycles[1].0,
    );
    t.note("mon.0 wins epoch 16 with pn 400", cycles[2].0);
    t.all_notes_checked();
}

#[test]
fn two_leaders_tour() {
    let mut t = Tour::play("two-leaders");
    t.note_with_action("Messages from mon.0 to mon.2 now take 400 ms longer", 3_000);
    t.note_with_action("The leader crashes.", 5_000);
    let probing = t.at(5_000, "mon.1's lease timeout", |e| {
        timer(e, Some(1), Timer::Lease)
    });
    let mon2_timeout =
        t.s.trace()
            .iter()
            .find(|e| e.t_ms >= 5_000 && timer(e, Some(2), Timer::Lease));
    assert!(
        mon2_timeout.is_none(),
        "mon.2 must still be a peon when mon.1's PROPOSE comes"
    );
    t.note(
        "mon.1's lease timer fires: it bootstraps and probes",
        probing,
    );
    t.note_with_action("mon.0 restarts from its store (epoch 2)", 13_250);
    let (p0, (_, m)) = t.election(13_250, Some(0), ElectionOp::Propose);
    assert_eq!(m.epoch, 3);
    t.note("so mon.0 calls an election at epoch 3", p0);
    // mon.0's PROPOSE arrives at mon.1 while it probes, and changes nothing there.
    let dropped = t.at(p0, "mon.0's PROPOSE at mon.1", |e| {
        e.node == Some(1) && delivered(e, 1, "propose")
    });
    assert_eq!(
        epoch_before(&t, 1, dropped + 1),
        Some(2),
        "mon.1 ignored it"
    );
    t.note(
        "mon.0's PROPOSE reaches mon.1 while mon.1 is still probing",
        dropped,
    );
    let (p1, (_, m)) = t.election(p0, Some(1), ElectionOp::Propose);
    assert_eq!(m.epoch, 3, "the same epoch");
    assert!(p1 > dropped);
    t.note("so mon.1 calls an election too, at the same epoch 3", p1);
    let ack1 = t.at(p1, "mon.2's ACK to mon.1", |e| {
        election(e, Some(2), ElectionOp::Ack).is_some_and(|(_, to, _)| to == 1)
    });
    t.note("mon.2 joins epoch 3 and ACKs mon.1", ack1);
    let ack0 = t.at(p1, "mon.2's ACK to mon.0", |e| {
        election(e, Some(2), ElectionOp::Ack).is_some_and(|(_, to, _)| to == 0)
    });
    assert!(ack0 > ack1);
    t.note("so mon.2 ACKs again, now for mon.0", ack0);
    let (w0, (_, v0)) = t.election(ack0, Some(0), ElectionOp::Victory);
    let (w1, (_, v1)) = t.election(ack0, Some(1), ElectionOp::Victory);
    assert_eq!((v0.epoch, v0.quorum.clone()), (4, quorum(&[0, 2])));
    assert_eq!((v1.epoch, v1.quorum.clone()), (4, quorum(&[1, 2])));
    assert_eq!(t.paxos(w0, Some(0), PaxosOp::Collect).1.pn, 200);
    assert_eq!(t.paxos(w1, Some(1), PaxosOp::Collect).1.pn, 201);
    t.note(
        "mon.0 wins epoch 4 with quorum {0,2} and collects with pn 200",
        w0,
    );
    t.note(
        "it also wins epoch 4, with quorum {1,2}, collecting with pn 201",
        w1,
    );
    // Who left recovery as leader of epoch 4: mon.1 only.
    let leaves_recovery = |e: &Event| {
        matches!(e.kind, TraceKind::Transition(x) if x.machine == LEADER
            && x.from == PaxosState::Recovering.id()
            && x.to != PaxosState::Recovering.id())
    };
    let recovered_in_4 = |r: u8| {
        t.s.trace().iter().any(|e| {
            e.node == Some(r) && leaves_recovery(e) && epoch_before(&t, r, e.t_ms + 1) == Some(4)
        })
    };
    let (mon0_recovered_in_4, mon1_recovered_in_4) = (recovered_in_4(0), recovered_in_4(1));
    let left = t.at(w1, "mon.1 leaving recovery", |e| {
        e.node == Some(1) && leaves_recovery(e)
    });
    let (_, b) = t.paxos(left, Some(1), PaxosOp::Begin);
    assert_eq!((b.pn, versions(&b)), (201, vec![2]));
    t.note("mon.1 leaves recovery and proposes v2 with pn 201", left);
    let restart = t.at(left, "mon.2's new election", |e| {
        election(e, Some(2), ElectionOp::Propose).is_some()
    });
    t.note(
        "mon.0's VICTORY reaches mon.2, already a peon of epoch 4",
        restart,
    );
    let (w8, (_, v8)) = t.election(restart, Some(0), ElectionOp::Victory);
    assert_eq!((v8.epoch, v8.quorum.clone()), (8, quorum(&[0, 1, 2])));
    assert_eq!(t.paxos(w8, Some(0), PaxosOp::Collect).1.pn, 300);
    t.note("wins epoch 8 at once: every monitor ACKed", w8);
    // The claim of the last note: v2 is mon.1's value, re-proposed; two winners of epoch 4,
    // one of which left recovery; and the run breaks no invariant.
    let (_, again) = t.paxos(w8, Some(0), PaxosOp::Begin);
    assert_eq!((again.pn, versions(&again)), (300, vec![2]));
    assert_eq!(again.values.get(&2), b.values.get(&2), "mon.1's v2 itself");
    let (v3_at, _) = t.find(w8, "COMMIT of v3", |e| {
        paxos(e, Some(0), PaxosOp::Commit)
            .filter(|c| c.last_committed == 3)
            .map(|c| c.pn)
    });
    t.note("only mon.1 left recovery in it", v3_at);
    assert!(mon1_recovered_in_4 && !mon0_recovered_in_4);
    assert!(t.s.violation().is_none(), "{:?}", t.s.violation());
    assert!((0..3).all(|r| t.lc(r) == 3));
    t.all_notes_checked();
}

#[test]
fn no_quorum_tour() {
    let mut t = Tour::play("no-quorum");
    t.note_with_action("Three of five monitors crash", 10_000);
    let renew = t.at(10_000, "renewal", |e| timer(e, Some(0), Timer::LeaseRenew));
    let ack_out = t.at(10_000, "lease-ack timeout", |e| {
        timer(e, Some(0), Timer::LeaseAck)
    });
    assert_eq!(ack_out, renew + 10_000);
    let (ack, (_, m)) = t.election(ack_out, Some(1), ElectionOp::Ack);
    assert_eq!(m.epoch, 3);
    let text = format!(
        "timer fired at {}: the renewal of {} went unacked",
        secs(ack_out),
        secs(renew)
    );
    t.note(&text, ack);
    let again = t.at(ack_out, "election timeout", |e| {
        timer(e, Some(0), Timer::Election)
    });
    let (_, (_, m)) = t.election(again, Some(0), ElectionOp::Propose);
    assert_eq!(m.epoch, 5);
    t.note(
        "two ACKs of five: not a majority. It starts again at epoch 5",
        again,
    );
    assert!(
        matches!(t.reply(1), Some(ClientReply::Refused { .. })),
        "{:?}",
        t.reply(1)
    );
    t.note_with_action("The write is refused", 30_000);
    t.note_with_action("One restart makes three monitors up", 40_000);
    let (p3, (_, m)) = t.election(40_000, Some(4), ElectionOp::Propose);
    assert_eq!(m.epoch, 3);
    for r in [0, 1] {
        assert_eq!(epoch_before(&t, r, p3), Some(9), "mon.{r} is at epoch 9");
    }
    t.note("mon.0 and mon.1 are already at epoch 9", p3);
    let (ack, (_, m)) = t.election(p3, Some(4), ElectionOp::Ack);
    assert_eq!(m.epoch, 11);
    t.note("mon.0's next round (epoch 11) reaches mon.4", ack);
    let (win, (_, v)) = t.election(ack, Some(0), ElectionOp::Victory);
    assert_eq!((v.epoch, v.quorum.clone()), (12, quorum(&[0, 1, 4])));
    assert!(timer_at(&t, win, 0, Timer::Election));
    let (_, c) = t.paxos(win, Some(0), PaxosOp::Collect);
    assert_eq!(c.pn, 200);
    t.note("it wins epoch 12 with quorum {0,1,4} and pn 200", win);
    let (commit, c) = t.paxos(win, Some(0), PaxosOp::Commit);
    assert!(c.last_committed == 2 && is_bookkeeping(&c, 2));
    t.note("commits its bookkeeping write v2", commit);
    assert_eq!(
        t.at(55_000, "propose", |e| timer(e, Some(0), Timer::Propose)),
        55_000
    );
    t.note("A new write is proposed at once", 55_000);
    let (w, r) = t.find(55_000, "reply", |e| client_reply(e, 2).cloned());
    assert_eq!(r, ClientReply::Written { version: 3 });
    t.note("It commits as v3 on {0,1,4}", w);
    t.all_notes_checked();
}

#[test]
fn slow_clock_tour() {
    let mut t = Tour::play("beyond-clock");
    t.note_with_action("gets a clock that runs at half speed", 1_000);
    let renew = t.at(5_000, "renewal", |e| timer(e, Some(0), Timer::LeaseRenew));
    let before = t.last(0, 5_000, "renewal", |e| {
        timer(e, Some(0), Timer::LeaseRenew)
    });
    assert_eq!(renew - before, 6_000, "3 s on a half-speed clock");
    let (_, l) = t.paxos(renew, Some(0), PaxosOp::Lease);
    t.note(
        &format!(
            "The expiry stamped on this LEASE, {}",
            secs(l.lease_timestamp_ms)
        ),
        renew,
    );
    // Before the cut: the slow leader's lease stamps end early on the peons' clocks, while the
    // leader by its own clock still holds its lease.
    let mut early = Session::new(t.s.scenario().clone());
    early.run_until(8_000);
    assert!(
        early.world().status(0).unwrap().readable,
        "the slow leader still holds its lease"
    );
    assert!(
        !early.world().status(1).unwrap().readable,
        "the peons' lease already ran out"
    );
    t.note_with_action("The leader is cut off", 10_000);
    let (out, node) = t.find(10_000, "lease timeout", |e| {
        if timer(e, None, Timer::Lease) {
            e.node
        } else {
            None
        }
    });
    assert_eq!(
        out,
        t.last(0, 10_000, "LEASE", |e| delivered(e, node, "lease")) + 10_000,
        "10 s after the last LEASE"
    );
    t.note("The peons' lease timers fire", out);
    let (win, (_, v)) = t.election(out, Some(1), ElectionOp::Victory);
    assert_eq!((v.epoch, v.quorum.clone()), (4, quorum(&[1, 2, 3, 4])));
    let (_, c) = t.paxos(win, Some(1), PaxosOp::Collect);
    assert_eq!(c.pn, 201);
    t.note(
        "mon.1 wins epoch 4 on its election timer with quorum {1,2,3,4} and pn 201",
        win,
    );
    let finding = &t.s.checker().findings()[0];
    assert_eq!(
        (finding.invariant.as_str(), finding.node),
        ("read-fresh-across-epochs", Some(0))
    );
    let (commit2, _) = t.find(win, "COMMIT v2", |e| {
        paxos(e, Some(1), PaxosOp::Commit)
            .filter(|c| c.last_committed == 2)
            .cloned()
    });
    assert_eq!(finding.t_ms, commit2, "flagged when epoch 4 commits");
    t.note(
        "The checker records a timing finding: read-fresh-across-epochs",
        commit2,
    );
    t.note_with_action("A client writes k = new at mon.1", 30_000);
    let (commit3, c) = t.paxos(30_000, Some(1), PaxosOp::Commit);
    assert!(c.last_committed == 3 && carries_put(&c, 3, "k", "new"));
    t.note("mon.1 commits k = new as v3", commit3);
    let get = t.s.world().clients().iter().find(|c| c.node == 0).unwrap();
    assert_eq!(
        get.reply,
        Some(ClientReply::Value {
            value: None,
            version: 1
        }),
        "a stale read"
    );
    t.note_with_action("answers a read with its old state (k unset, lc 1)", 31_000);
    let ack_out = t.at(10_000, "lease-ack timeout", |e| {
        timer(e, Some(0), Timer::LeaseAck)
    });
    let armed = t.at(10_000, "first unacked renewal", |e| {
        timer(e, Some(0), Timer::LeaseRenew)
    });
    assert_eq!(ack_out - armed, 20_000, "10 s on the slow clock");
    t.note(
        &format!("20 s in real time after it was armed at {}", secs(armed)),
        ack_out,
    );
    t.all_notes_checked();
}

#[test]
fn broken_protocol_tour() {
    let mut t = Tour::play("break-majority");
    t.note_with_action("deliberate bug", 0);
    let (begin, b) = t.paxos(0, Some(0), PaxosOp::Begin);
    assert_eq!(versions(&b), vec![1]);
    t.note("BEGIN v1 to all four peons", begin);
    let v =
        t.s.violation()
            .expect("commit on a majority is caught")
            .clone();
    assert_eq!(v.invariant, "commit-needs-every-accept");
    let accepted: SortedSet<u8> = t
        .all(begin, v.t_ms + 1, |e| match &e.kind {
            TraceKind::Deliver { from, msg, .. } if msg.kind() == "accept" && e.node == Some(0) => {
                Some(*from)
            }
            _ => None,
        })
        .into_iter()
        .map(|(_, f)| f)
        .collect();
    assert_eq!(
        accepted,
        quorum(&[1, 2]),
        "the leader's own plus two: three of five"
    );
    t.note_at_stop("ACCEPTs from mon.1 and mon.2 arrive", v.t_ms);
    t.all_notes_checked();
}

#[test]
fn walkthrough_tour() {
    let mut t = Tour::play("walkthrough");
    t.note_with_action("Client write A at peon mon.2", 10_000);
    let fwd = t.at(10_000, "FORWARD", |e| delivered(e, 0, "forward"));
    let (begin, b) = t.paxos(10_000, Some(0), PaxosOp::Begin);
    assert_eq!((begin, versions(&b)), (fwd, vec![2]));
    t.note("proposes at once: BEGIN v2", begin);
    let (a_done, r) = t.find(10_000, "reply A", |e| client_reply(e, 1).cloned());
    assert_eq!(r, ClientReply::Written { version: 2 });
    t.note("v2 committed after every member accepted", a_done);
    let (commit2, _) = t.paxos(10_000, Some(0), PaxosOp::Commit);
    t.note_with_action(
        &format!("only 0.4 s after the last commit ({})", secs(commit2)),
        10_500,
    );
    let propose = t.at(10_500, "propose", |e| timer(e, Some(0), Timer::Propose));
    assert_eq!(propose, commit2 + 1_000, "paxos_propose_interval");
    let (commit3, _) = t.paxos(propose, Some(0), PaxosOp::Commit);
    assert_eq!(commit3 - propose, 55);
    t.note(
        "1 s after the last commit: BEGIN v3. It commits 55 ms later",
        propose,
    );
    let renew = t.last(0, 20_000, "renewal", |e| {
        timer(e, Some(0), Timer::LeaseRenew)
    });
    let (_, l) = t.paxos(renew, Some(0), PaxosOp::Lease);
    t.note_with_action(
        &format!(
            "renewal at {}, so they stay readable until {}",
            secs(renew),
            secs(l.lease_timestamp_ms)
        ),
        20_000,
    );
    let out = t.at(20_000, "lease timeout", |e| timer(e, None, Timer::Lease));
    t.note(
        "The peons' lease timers fire 10 s after their last LEASE",
        out,
    );
    let win = t.election(out, Some(1), ElectionOp::Victory).0;
    let acks = t.acks_to(out, win, 1);
    assert_eq!(acks, quorum(&[2, 3, 4]));
    t.note(
        "mon.1 has ACKs from mon.2, mon.3 and mon.4",
        t.last(out, win, "ACK to mon.1", |e| {
            election(e, None, ElectionOp::Ack).is_some_and(|(_, to, _)| to == 1)
        }),
    );
    let ack_out = t.at(20_000, "lease-ack timeout", |e| {
        timer(e, Some(0), Timer::LeaseAck)
    });
    assert!(
        t.all(20_000, win, |e| paxos(e, None, PaxosOp::Commit).map(|_| ()))
            .is_empty(),
        "nothing committed while mon.0 was readable"
    );
    t.note("Behind the cut, mon.0 kept renewing its own lease", ack_out);
    let (_, (_, v)) = t.election(out, Some(1), ElectionOp::Victory);
    assert_eq!((v.epoch, v.quorum.clone()), (4, quorum(&[1, 2, 3, 4])));
    let (_, c) = t.paxos(win, Some(1), PaxosOp::Collect);
    assert_eq!(c.pn, 201);
    t.note("It wins epoch 4 with quorum {1,2,3,4} and pn 201", win);
    let (commit4, c) = t.paxos(win, Some(1), PaxosOp::Commit);
    assert!(c.last_committed == 4 && is_bookkeeping(&c, 4));
    t.note("bookkeeping write as v4", commit4);
    t.note_with_action("Client write C at mon.3", 35_000);
    let fwd = t.at(35_000, "FORWARD", |e| delivered(e, 1, "forward"));
    let (begin5, b) = t.paxos(35_000, Some(1), PaxosOp::Begin);
    assert_eq!((begin5 - fwd, versions(&b)), (50, vec![5]));
    t.note("waited only the 50 ms gathering window: BEGIN v5", begin5);
    let (c_done, r) = t.find(35_000, "reply C", |e| client_reply(e, 3).cloned());
    assert_eq!(r, ClientReply::Written { version: 5 });
    t.note("mon.3's client hears Written v5", c_done);
    t.note_with_action("Heal. mon.0 is still probing", 40_000);
    let (p3, (_, m)) = t.election(40_000, Some(0), ElectionOp::Propose);
    assert_eq!(m.epoch, 3);
    t.note("calls an election to join it, at epoch 3", p3);
    let (p5, (_, _, m)) = t.find(p3, "PROPOSE", |e| {
        election(e, None, ElectionOp::Propose)
            .filter(|(f, ..)| *f != 0)
            .map(|(f, to, m)| (f, to, m.clone()))
    });
    assert_eq!(m.epoch, 5);
    t.note("each starts an election at epoch 5", p5);
    let (p7, (_, m)) = t.election(p5, Some(0), ElectionOp::Propose);
    assert_eq!(m.epoch, 7);
    t.note("PROPOSE at epoch 7, to which everyone will defer", p7);
    let (win8, (_, v)) = t.election(p7, Some(0), ElectionOp::Victory);
    assert_eq!((v.epoch, v.quorum.len()), (8, 5));
    let (_, c) = t.paxos(win8, Some(0), PaxosOp::Collect);
    assert_eq!(c.pn, 200);
    t.note("mon.0 wins epoch 8 at once and collects with pn 200", win8);
    let (refuse, l) = t.paxos(win8, None, PaxosOp::Last);
    assert_eq!((l.pn, versions(&l)), (201, vec![4, 5]));
    t.note("Their LAST carries v4 and v5", refuse);
    let (again, c) = t.paxos(refuse, Some(0), PaxosOp::Collect);
    assert_eq!((c.pn, c.last_committed), (300, 5));
    t.note("collects again with pn 300", again);
    let (commit6, c) = t.paxos(again, Some(0), PaxosOp::Commit);
    assert!(c.last_committed == 6 && is_bookkeeping(&c, 6));
    t.note("commits its bookkeeping write v6 and leads again", commit6);
    t.all_notes_checked();
}

/// The last election epoch `node` persisted before `ms`.
fn epoch_before(t: &Tour, node: u8, ms: u64) -> Option<u64> {
    let epochs = t.all(0, ms, |e| match &e.kind {
        TraceKind::Persist(writes) if e.node == Some(node) => writes.iter().find_map(|w| match w {
            StoreWrite::ElectionEpoch(epoch) => Some(*epoch),
            _ => None,
        }),
        _ => None,
    });
    epochs.last().map(|(_, epoch)| *epoch)
}
