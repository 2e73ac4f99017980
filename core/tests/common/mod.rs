//! What the tour tests share: a tour played to its end on its own protocol, and a tour's
//! notes. Each test crate uses part of it.
#![allow(dead_code)]

use paxoscope_core::actor::Protocol;
use paxoscope_core::presets::find;
use paxoscope_core::scenario::{Action, Scenario};
use paxoscope_core::session::Session;

/// Tour `id` played to its end on protocol `P` (the tour must be one of `P`'s), without a
/// violation, and its last note.
pub fn play<P: Protocol>(id: &str) -> (Session<P>, String) {
    let p = find(id).unwrap_or_else(|| panic!("no tour {id}"));
    let scenario = p.scenario().unwrap_or_else(|e| panic!("{id}: {e}"));
    assert_eq!(scenario.protocol, P::ID, "{id} is a {} tour", p.protocol);
    let end = scenario.end_ms.expect("a tour has an end");
    let (_, last) = notes(&scenario).pop().expect("a tour narrates");
    let mut s = Session::<P>::open(scenario);
    s.run_until(end);
    assert!(s.violation().is_none(), "{id}: {}", s.violation().unwrap());
    assert_eq!(s.now_ms(), end, "{id} reached its end");
    (s, last)
}

/// A tour's notes in order, with their times.
pub fn notes(scenario: &Scenario) -> Vec<(u64, String)> {
    scenario
        .actions
        .iter()
        .filter_map(|a| match &a.action {
            Action::Note(text) => Some((a.at_ms, text.clone())),
            _ => None,
        })
        .collect()
}
