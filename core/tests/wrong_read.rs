//! A read the run's linearizability check flags (issue 20, "the read that saw the wrong
//! value"): the "beyond the assumptions: a slow clock" tour ends with the old leader, sure of
//! its lease by its slow clock, answering a read with the state it held before the new leader
//! committed a write. Checked on the run, to its end: the history is not linearizable, and
//! what cannot be placed is the tour's read, which saw a value the key could not hold then.
//! Nothing here names a request, a time or a value: the tour's text and its run say them.

use paxoscope_core::presets::find;
use paxoscope_core::scenario::Action;
use paxoscope_core::verdict::{explain, linearizability};

#[test]
fn the_slow_clock_tour_ends_with_a_read_the_check_flags() {
    let s = find("beyond-clock")
        .expect("a tour")
        .scenario()
        .expect("parses");
    // The tour's one read and one write, as its text gives them.
    let mut gets = s.actions.iter().filter_map(|a| match &a.action {
        Action::Get { key, .. } => Some(key.to_string()),
        _ => None,
    });
    let (key, None) = (gets.next().expect("the tour reads"), gets.next()) else {
        panic!("one read");
    };
    let written: Vec<String> = s
        .actions
        .iter()
        .filter_map(|a| match &a.action {
            Action::Put { key: k, value, .. } if k.to_string() == key => Some(value.to_string()),
            _ => None,
        })
        .collect();
    let [written] = written.as_slice() else {
        panic!("one write to {key}");
    };
    let end = s.end_ms.expect("the tour has an end");
    let mut run = paxoscope_core::view::open(s.clone()).expect("built");
    run.run_until(end);
    assert!(run.violation().is_none(), "no rule stops the run");
    let why = explain(&linearizability(&*run)).expect("the history is not linearizable");
    assert_eq!(why.key, key);
    let read = why.wrong_read.expect("what cannot be placed is a read");
    assert_eq!(
        why.unplaceable.first(),
        Some(&read),
        "the read is the first request that cannot be placed"
    );
    // The write is ordered before it, and the account says what the read saw instead.
    assert!(!why.ordered.is_empty() && !why.ordered.contains(&read));
    let said = why.sentences.join(" ");
    assert!(
        said.contains(&format!("The read {read} saw"))
            && said.contains(&format!("could only hold {written}")),
        "{said}"
    );
}
