//! Every guided tour parses, plays to its end, and ends the way its narration says.

use paxoscope_core::presets::{find, PRESETS};
use paxoscope_core::protocol::ClientReply;
use paxoscope_core::scenario::{print, Action};
use paxoscope_core::session::Session;

fn play(id: &str) -> Session {
    let p = find(id).unwrap_or_else(|| panic!("no preset {id}"));
    let scenario = p.scenario().unwrap_or_else(|e| panic!("{id}: {e}"));
    let end = scenario.end_ms.expect("every tour has an end");
    let mut s = Session::new(scenario);
    s.run_until(end);
    s
}

#[test]
fn every_tour_parses_round_trips_and_narrates() {
    for p in PRESETS {
        let s = p.scenario().unwrap_or_else(|e| panic!("{}: {e}", p.id));
        assert!(s.name.is_some(), "{} has a title", p.id);
        assert!(s.end_ms.is_some(), "{} has an end", p.id);
        let notes = s.actions.iter().filter(|a| matches!(a.action, Action::Note(_))).count();
        assert!(notes >= 2, "{} narrates its key steps ({notes} notes)", p.id);
        assert_eq!(paxoscope_core::scenario::parse(&print(&s)).unwrap(), s, "{}", p.id);
    }
}

#[test]
fn every_tour_except_the_broken_one_plays_to_its_end_without_a_violation() {
    for p in PRESETS.iter().filter(|p| p.id != "break-majority") {
        let s = play(p.id);
        assert!(s.violation().is_none(), "{}: {}", p.id, s.violation().unwrap());
        assert_eq!(s.now_ms(), s.scenario().end_ms.unwrap(), "{} reached its end", p.id);
    }
}

#[test]
fn the_broken_protocol_tour_is_stopped_by_the_checker() {
    let s = play("break-majority");
    let v = s.violation().expect("commit on a majority is caught");
    assert_eq!(v.invariant, "commit-needs-every-accept");
}

#[test]
fn the_slow_clock_tour_shows_a_stale_read() {
    let s = play("beyond-clock");
    assert_eq!(s.checker().findings()[0].invariant, "read-fresh-across-epochs");
    let get = s.world().clients().iter().find(|c| c.node == 0).unwrap();
    assert!(matches!(get.reply, Some(ClientReply::Value { value: None, .. })), "{:?}", get.reply);
}

#[test]
fn tours_reach_the_outcomes_they_narrate() {
    let s = play("mid-update");
    for r in 1..5 {
        assert_eq!(s.world().durable(r).kv.get("k").map(String::as_str), Some("v"));
    }
    let s = play("sync");
    assert_eq!(s.world().durable(4).last_committed, s.world().durable(0).last_committed);
    let s = play("no-quorum");
    let replies: Vec<_> = s.world().clients().iter().map(|c| c.reply.clone()).collect();
    assert!(matches!(replies[0], Some(ClientReply::Refused { .. })));
    assert!(matches!(replies[1], Some(ClientReply::Written { .. })));
}
