//! The run the playground shows: the core `Session` plus what the UI derives from its trace
//! (an index of state changes, drops and notable events) and the frontier of time travel.
//! Nothing here decides anything about Paxos: it only calls the session's command API.

use crate::browser::real_now_ms;
use crate::index::TraceIndex;
use paxoscope_core::check::Violation;
use paxoscope_core::scenario::{Action, Scenario};
use paxoscope_core::view::RunView;
use std::cell::RefCell;
use std::rc::Rc;

pub struct Run {
    /// The session of whichever protocol the scenario names, seen protocol-neutrally.
    pub session: Box<dyn RunView>,
    pub index: TraceIndex,
    /// The furthest simulated time reached: the end of the time scrubber.
    pub frontier_ms: u64,
    /// The violation this run ran into, kept after a seek back so the UI can jump to it.
    pub violation: Option<Violation>,
    /// Why the scenario's protocol could not run (this build leaves it out), if so.
    pub open_error: Option<String>,
}

impl Run {
    pub fn new(scenario: Scenario) -> Self {
        let (session, open_error) = match paxoscope_core::view::open(scenario) {
            Ok(s) => (s, None),
            // A protocol this build leaves out: the default scenario runs instead, and says why.
            Err(e) => {
                let s = paxoscope_core::view::open(crate::state::default_scenario())
                    .expect("the default protocol is in every build");
                (s, Some(e))
            }
        };
        crate::labels::set_node_word(session.node_word());
        let mut run = Run {
            index: TraceIndex::new(session.declaration()),
            session,
            open_error,
            frontier_ms: 0,
            violation: None,
        };
        run.after_change();
        run
    }

    pub fn now_ms(&self) -> u64 {
        self.session.now_ms()
    }

    pub fn events(&self) -> u64 {
        self.session.events()
    }

    /// True when the playhead stands before the end of what was recorded.
    pub fn is_behind(&self) -> bool {
        self.events() < self.session.known_events()
    }

    /// Run forward to `t_ms` (stops early at a violation).
    pub fn advance_to(&mut self, t_ms: u64) {
        self.session.run_until(t_ms);
        self.after_change();
    }

    /// Run forward toward `t_ms` for at most about `slice_ms` of real time, so that the page
    /// stays responsive however many events a stretch holds. True once the run stands at
    /// `t_ms` or stopped (a violation, the budget); false if it ran out of time first.
    pub fn advance_sliced(&mut self, t_ms: u64, slice_ms: f64) -> bool {
        let done = run_sliced(self.session.as_mut(), t_ms, slice_ms);
        self.after_change();
        done
    }

    /// Why the run stopped short of where it was asked to go: the budget it went over, in
    /// words (which limit, when, and the setting that most likely caused it).
    pub fn budget_stop(&self) -> Option<String> {
        let b = self.session.budget_exceeded()?;
        self.session.stopped().then(|| b.to_string())
    }

    /// One simulator event. False if there is none (or the run stopped at a violation).
    pub fn step(&mut self) -> bool {
        let stepped = self.session.step();
        self.after_change();
        stepped
    }

    /// Back to the state just before the latest event: replay from a snapshot up to the
    /// event before it, so stepping back lands on events, not on whole milliseconds.
    pub fn step_back(&mut self) {
        let target = self.events().saturating_sub(1);
        let t_ms = self.index.time_of_event(&*self.session, target);
        self.session.seek(t_ms.saturating_sub(1));
        while self.events() < target && self.session.step() {}
        self.after_change();
    }

    /// Stand just after the `n`-th event (0: the start): a recorded one is reached from the
    /// snapshot before its millisecond, then event by event, as `step_back` does.
    pub fn seek_event(&mut self, n: u64) {
        if n <= self.session.known_events() {
            let t_ms = self.index.time_of_event(&*self.session, n);
            self.session.seek(t_ms.saturating_sub(1));
        }
        while self.events() < n && self.session.step() {}
        self.after_change();
    }

    pub fn seek(&mut self, t_ms: u64) {
        self.session.seek(t_ms);
        self.after_change();
    }

    /// A user action at the playhead (forks the run when the playhead is in the past).
    pub fn inject(&mut self, action: Action) -> Result<u64, String> {
        let forks = self.is_behind();
        let at = self.session.inject(action)?;
        if forks {
            self.frontier_ms = self.now_ms();
        }
        self.after_change();
        Ok(at)
    }

    fn after_change(&mut self) {
        self.index.sync(&*self.session);
        if !self.is_behind() {
            self.frontier_ms = self.frontier_ms.max(self.now_ms());
        }
        if let Some(v) = self.session.violation() {
            self.violation = Some(v.clone());
        }
    }
}

/// Events run between two reads of the real clock in `run_sliced`: a few milliseconds' worth
/// in the slowest runs we measured.
const EVENTS_BETWEEN_CLOCK_READS: u64 = 512;

/// Run `session` toward `t_ms` for at most about `slice_ms` of real time (`f64::INFINITY`: to
/// the end). True once it stands at `t_ms` or stopped (a violation, the budget); false if it
/// ran out of time first. The page's catch-up (`Run::advance_sliced`) and the exporter module
/// (src/exporter.rs) slice their runs with it.
pub fn run_sliced(session: &mut dyn RunView, t_ms: u64, slice_ms: f64) -> bool {
    let start = real_now_ms();
    let done = loop {
        if session.run_until_at_most(t_ms, EVENTS_BETWEEN_CLOCK_READS) {
            break true;
        }
        if real_now_ms() - start >= slice_ms {
            break false;
        }
    };
    done || session.stopped()
}

/// A shared handle to the run with a revision stamp, so components re-render only when the
/// world changed (the stamp) and never clone the session.
#[derive(Clone)]
pub struct RunHandle {
    pub run: Rc<RefCell<Run>>,
    pub revision: u64,
}

impl PartialEq for RunHandle {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.run, &other.run) && self.revision == other.revision
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use paxoscope_core::actor::Protocol;
    use paxoscope_core::protocols::ceph::declaration::{LEADER, MONITOR};
    use paxoscope_core::protocols::ceph::{Ceph, MonState, PaxosState};
    use paxoscope_core::scenario::parse;

    fn run() -> Run {
        let text = "paxoscope scenario v1\nseed 7\nset latency_ms 100\nset jitter_ms 50\nat 6s isolate 0\n";
        Run::new(parse(text).unwrap())
    }

    #[test]
    fn index_traces_the_election_of_a_new_leader() {
        let mut r = run();
        r.advance_to(40_000);
        let d = Ceph::DECLARATION;
        let t1: Vec<&str> = r
            .index
            .recent_transitions(1, r.events(), 100)
            .iter()
            .flat_map(|t| t.keys[1..].iter().map(String::as_str))
            .collect();
        let electing = d.key(MONITOR, MonState::Electing.id());
        let electing = t1
            .iter()
            .rposition(|s| *s == electing)
            .expect("mon.1 elected");
        // Recovery (collect/last) first; active once the first proposal committed.
        let recovering = d.key(LEADER, PaxosState::Recovering.id());
        let active = d.key(LEADER, PaxosState::Active.id());
        assert_eq!(t1[electing + 1], recovering, "{t1:?}");
        assert!(t1[electing + 1..].contains(&active.as_str()), "{t1:?}");
        assert_eq!(r.session.status(1).unwrap().role, "leader");
        assert_eq!(r.frontier_ms, 40_000);
    }

    #[test]
    fn step_back_restores_the_previous_event_exactly() {
        let mut r = run();
        r.advance_to(3_000);
        // Lease time left depends on the clock, which stands at 3 s before and at the previous
        // event's time after; everything the event changed must be restored.
        let state = |r: &Run| {
            (0..5)
                .map(|n| {
                    let s = r
                        .session
                        .status(n)
                        .map(|s| (s.role, s.phase, s.epoch, s.last_committed, s.leader));
                    let i = r.session.inspect(n);
                    (s, i.durable, i.lists)
                })
                .collect::<Vec<_>>()
        };
        let before = (r.events(), r.now_ms(), state(&r));
        assert!(r.step());
        r.step_back();
        let after = (r.events(), state(&r));
        assert_eq!((before.0, before.2), after);
        assert!(r.now_ms() <= before.1);
        assert!(r.is_behind());
    }

    #[test]
    fn seek_event_stands_just_after_that_event_behind_or_ahead() {
        let mut r = run();
        r.advance_to(8_000);
        let recorded = r.events();
        let statuses = |r: &Run| {
            let s: Vec<_> = (0..5)
                .map(|n| {
                    r.session
                        .status(n)
                        .map(|s| (s.role, s.phase, s.epoch, s.last_committed))
                })
                .collect();
            (r.events(), r.now_ms(), s)
        };
        let middle = recorded / 2;
        r.seek_event(middle);
        assert_eq!(r.events(), middle);
        // The same event reached by stepping from the start: the same world.
        let mut fresh = run();
        while fresh.events() < middle {
            assert!(fresh.step());
        }
        assert_eq!(statuses(&r), statuses(&fresh));
        // Past the recorded run it plays on.
        r.seek_event(recorded + 25);
        assert_eq!(r.events(), recorded + 25);
        assert!(r.now_ms() >= 8_000);
    }

    #[test]
    fn acting_in_the_past_forks_and_reindexes() {
        let mut r = run();
        r.advance_to(30_000);
        let transitions = r.index.transitions.len();
        r.seek(2_000);
        r.inject(Action::Crash(3)).unwrap();
        assert_eq!(r.frontier_ms, 2_000, "the future after the fork is gone");
        assert!(r.index.transitions.len() < transitions);
        assert!(r.index.transitions.iter().all(|t| t.t_ms <= 2_000));
        r.advance_to(2_500);
        assert!(r.session.status(3).is_none(), "mon.3 crashed in the fork");
        let down = r.index.recent_transitions(3, r.events(), 1);
        let init = Ceph::DECLARATION.key(MONITOR, MonState::Init.id());
        assert_eq!(down[0].keys.last(), Some(&init), "{down:?}");
    }
}
