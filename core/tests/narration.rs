//! Narration from the events (issue 20): for known tours, the sentence an event says appears
//! at the playhead once it happened, with the numbers the run itself carries, is gone again
//! after seeking back before it, and a seek gives the same narration as a fresh run.

mod common;

use paxoscope_core::presets::find;
use paxoscope_core::protocols::basic_paxos::{BasicPaxos, Msg as BpMsg};
use paxoscope_core::protocols::ceph::messages::{Msg, PaxosOp};
use paxoscope_core::protocols::ceph::{Ceph, Timer};
use paxoscope_core::protocols::multi_paxos::MultiPaxos;
use paxoscope_core::session::Session;
use paxoscope_core::trace::TraceKind;
use paxoscope_core::view::RunView;

/// Sentences shown by the page's panel are the last few; the tests read more to be sure an
/// event's sentence is among those said since it.
const MOST: usize = 6;

fn said(s: &dyn RunView) -> Vec<String> {
    s.narration(MOST).into_iter().map(|x| x.text).collect()
}

fn has(s: &dyn RunView, sentence: &str) -> bool {
    said(s).iter().any(|t| t == sentence)
}

/// A session of tour `id` standing just after event `event` (by time: the event's time).
fn ceph_at(id: &str, t_ms: u64) -> Session<Ceph> {
    let scenario = find(id).unwrap().scenario().unwrap();
    let mut s = Session::<Ceph>::open(scenario);
    s.run_until(t_ms);
    s
}

#[test]
fn ceph_says_the_crash_the_lease_expiry_and_the_refused_collect_with_the_runs_numbers() {
    let (mut s, _) = common::play::<Ceph>("leader-fails");
    let trace = s.trace().to_vec();
    // The leader's crash, from the scenario.
    let crash = trace
        .iter()
        .find(|e| matches!(e.kind, TraceKind::Crash))
        .expect("leader-fails crashes the leader");
    let crashed = format!(
        "mon.{} crashed: it loses its memory, only its store survives",
        crash.node.unwrap()
    );
    // The first peon whose lease timer fires afterwards.
    let lease = trace
        .iter()
        .find(|e| matches!(e.kind, TraceKind::Timer(Timer::Lease)))
        .expect("a peon's lease runs out");
    let expired = format!(
        "lease expired: mon.{} heard no LEASE from the leader, stops serving reads",
        lease.node.unwrap()
    );
    // The restarted monitor's COLLECT, refused by a peon that promised more.
    let refusal = trace
        .iter()
        .position(|e| matches!(&e.kind, TraceKind::Note(n) if n.starts_with("refuse collect")))
        .expect("the restarted mon.0 collects with a pn below the promise");
    let delivered = trace[..refusal]
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            TraceKind::Deliver { from, msg, .. } => match &**msg {
                Msg::Paxos(p) if p.op == PaxosOp::Collect => Some((e.node.unwrap(), *from, p.pn)),
                _ => None,
            },
            _ => None,
        })
        .expect("the refused COLLECT was delivered");
    let (r, from, pn) = delivered;
    let got = format!(
        "mon.{r} got COLLECT pn {pn} from mon.{from}: the new leader asks for a promise and for what mon.{r} accepted"
    );
    let TraceKind::Note(note) = &trace[refusal].kind else {
        unreachable!()
    };
    let refused = format!("mon.{r}: {note}");

    s.seek(trace[refusal].t_ms);
    assert!(has(&s, &got), "{got:?} in {:#?}", said(&s));
    assert!(has(&s, &refused), "{refused:?} in {:#?}", said(&s));

    s.seek(lease.t_ms);
    assert!(has(&s, &expired), "{expired:?} in {:#?}", said(&s));
    assert!(!said(&s).contains(&refused), "said before it happened");

    // Seeking back before the expiry: it is not said yet; the crash is.
    s.seek(crash.t_ms);
    assert!(has(&s, &crashed), "{crashed:?} in {:#?}", said(&s));
    assert!(!has(&s, &expired), "the expiry is said before it happened");
    // Time travel and a fresh run agree.
    assert_eq!(
        s.narration(MOST),
        ceph_at("leader-fails", crash.t_ms).narration(MOST)
    );
}

#[test]
fn ceph_says_each_client_answer_with_its_version() {
    let (s, _) = common::play::<Ceph>("leader-fails");
    let last = s
        .world()
        .clients()
        .iter()
        .filter(|c| c.reply.is_some())
        .max_by_key(|c| c.complete_ms)
        .unwrap()
        .clone();
    let mut s = s;
    s.seek(last.complete_ms.unwrap());
    let answer = format!(
        "mon.{} answers request {}: {}",
        last.node,
        last.id,
        paxoscope_core::protocols::ceph::wording::client_reply(last.reply.as_ref().unwrap())
    );
    assert!(has(&s, &answer), "{answer:?} in {:#?}", said(&s));
}

#[test]
fn basic_paxos_says_who_refused_which_proposal_and_what_it_promised() {
    let (mut s, _) = common::play::<BasicPaxos>("bp-dueling");
    let trace = s.trace().to_vec();
    let (t, sentence) = trace
        .iter()
        .find_map(|e| match &e.kind {
            TraceKind::Deliver { from, msg, .. } => match &**msg {
                BpMsg::Nack { n, promised } => Some((
                    e.t_ms,
                    format!(
                        "node.{from} refused {n}: it promised {promised}, so node.{}'s round cannot win",
                        e.node.unwrap()
                    ),
                )),
                _ => None,
            },
            _ => None,
        })
        .expect("dueling proposers are refused");
    s.seek(t);
    assert!(has(&s, &sentence), "{sentence:?} in {:#?}", said(&s));
    s.seek(t - 1);
    assert!(!has(&s, &sentence), "said before it happened");
}

#[test]
fn multi_paxos_says_the_slots_chosen() {
    let (s, _) = common::play::<MultiPaxos>("mp-leader-change");
    let last = s
        .trace()
        .iter()
        .rev()
        .find_map(|e| match &e.kind {
            TraceKind::Deliver { from, msg, .. } => match &**msg {
                paxoscope_core::protocols::multi_paxos::messages::Msg::Commit { slot, .. } => {
                    Some(format!(
                        "node.{} learns from node.{from} that slot {slot} is chosen",
                        e.node.unwrap()
                    ))
                }
                _ => None,
            },
            _ => None,
        })
        .expect("Multi-Paxos chooses slots");
    let narrated = s.narration(50);
    assert!(narrated.len() <= 50 && !narrated.is_empty());
    // Oldest first, each at or before the playhead.
    assert!(narrated.windows(2).all(|w| w[0].event <= w[1].event));
    assert!(narrated.iter().all(|x| x.t_ms <= s.now_ms()));
    assert!(
        narrated.iter().any(|x| x.text == last),
        "{last:?} in {narrated:#?}"
    );
}

/// The playground runs windowed sessions (older entries re-derived on demand): narration reads
/// what they keep, and says what a session keeping the whole trace says, at every playhead.
#[test]
fn a_windowed_run_narrates_as_a_full_one_does() {
    let scenario = find("leader-fails").unwrap().scenario().unwrap();
    let mut full = Session::<Ceph>::open(scenario.clone());
    let mut windowed = Session::<Ceph>::open(scenario).windowed();
    for t_ms in [500, 5_000, 12_000, 20_000, 40_000] {
        full.run_until(t_ms);
        windowed.run_until(t_ms);
        assert_eq!(
            windowed.narration(MOST),
            full.narration(MOST),
            "at {t_ms} ms"
        );
    }
    // And after a seek back, which keeps the window from the snapshot before the playhead.
    full.seek(9_000);
    windowed.seek(9_000);
    assert_eq!(
        windowed.narration(MOST),
        full.narration(MOST),
        "after seeking to 9000 ms"
    );
}
