//! The run budget (core/src/budget.rs, issue 16): scenarios at the edges of the documented
//! ranges either fit it or stop at it, at the same event every time, with the limit, the time
//! and the setting to blame; and a stopped run still travels back in time and forks.

use paxoscope_core::budget::{Budget, Limit};
use paxoscope_core::scenario::{parse, Action};
use paxoscope_core::session::{Session, MAX_KEPT_BYTES};
use paxoscope_core::sim::world::MAX_EVENTS_PER_SIM_S;

const DAY_MS: u64 = 86_400_000;

fn session(text: &str) -> Session {
    Session::new(parse(text).unwrap_or_else(|e| panic!("{e}: {text}")))
}

#[test]
fn a_day_of_nine_monitors_with_cephs_timings_fits_the_budget() {
    let mut s = session("paxoscope scenario v1\nset monitors 9\nend 86400s\n");
    s.run_until(DAY_MS);
    assert_eq!(s.budget_exceeded(), None);
    assert_eq!(s.now_ms(), DAY_MS);
    let kept = s.kept();
    assert!(
        kept.bytes() < MAX_KEPT_BYTES,
        "{} MiB kept",
        kept.bytes() >> 20
    );
}

#[test]
fn a_burst_of_ten_thousand_requests_in_one_second_fits_the_event_rate() {
    let mut text = String::from("paxoscope scenario v1\nend 20s\n");
    for i in 0..10_000 {
        text.push_str(&format!("at 5s put {} k{} v{i}\n", i % 5, i % 7));
    }
    let mut s = session(&text);
    let mut busiest = 0;
    while s.world().next_event_ms().is_some_and(|t| t <= 20_000) && s.step() {
        busiest = busiest.max(s.world().events_this_second().1);
    }
    assert_eq!(s.budget_exceeded(), None);
    assert!(
        busiest > 10_000 && busiest < MAX_EVENTS_PER_SIM_S,
        "the burst's second has {busiest} events"
    );
    assert_eq!(s.world().clients().len(), 10_000);
}

#[test]
fn a_1_ms_lease_at_zero_latency_stops_at_the_event_rate_in_its_first_millisecond() {
    // Its renewal is 3/5 of 1 ms, 0 ms: the leader renews again and again at one instant.
    let mut s = session(
        "paxoscope scenario v1\nset latency_ms 0\nset jitter_ms 0\nset lease_ms 1\nend 60s\n",
    );
    s.run_until(60_000);
    let b = s.budget_exceeded().expect("the run stopped").clone();
    assert_eq!(b.limit, Limit::EventRate);
    assert!(b.at_ms <= 1, "{b}");
    assert_eq!(b.event, MAX_EVENTS_PER_SIM_S + 1, "{b}");
    assert!(b.cause.starts_with("`set lease_ms 1`"), "{b}");
    assert!(b.cause.contains("every 0 ms"), "{b}");
    assert_eq!(s.now_ms(), b.at_ms, "the run stands where it stopped");
    assert!(s.stopped());
    assert!(!s.step(), "it goes no further");
}

#[test]
fn an_hour_long_delay_under_1_ms_renewals_stops_at_memory_and_blames_the_delay() {
    let mut s =
        session("paxoscope scenario v1\nset lease_renew_ms 1\nat 1s delay * 3600000\nend 86400s\n");
    s.run_until(DAY_MS);
    let b = s.budget_exceeded().expect("the run stopped");
    assert_eq!(b.limit, Limit::Memory);
    assert!(b.what.contains("events are queued"), "{b}");
    assert!(
        b.cause
            .starts_with("`delay ... 3600000`: messages stay in flight for 3600 s"),
        "{b}"
    );
    assert!(b.cause.contains("also `set lease_renew_ms 1`"), "{b}");
    assert!(b.to_string().starts_with("stopped at t="), "{b}");
}

/// 1 ms renewals on five monitors, with a small memory budget so the test is quick.
fn renewals_with_small_budget() -> Session {
    let small = Budget {
        max_kept_bytes: 8 << 20,
        ..Budget::DEFAULT
    };
    session("paxoscope scenario v1\nset lease_renew_ms 1\nend 600s\n").with_budget(small)
}

#[test]
fn the_memory_budget_stops_at_the_same_event_every_time_and_a_seek_replays_up_to_it() {
    let mut a = renewals_with_small_budget();
    a.run_until(600_000);
    let stop = a.budget_exceeded().expect("stopped").clone();
    assert_eq!(stop.limit, Limit::Memory);
    assert!(stop.cause.starts_with("`set lease_renew_ms 1`"), "{stop}");
    let mut b = renewals_with_small_budget();
    b.run_until(600_000);
    assert_eq!(b.budget_exceeded(), Some(&stop));
    assert_eq!(a.trace_hash(), b.trace_hash());

    let hash = a.trace_hash();
    a.seek(stop.at_ms / 2);
    assert!(!a.stopped(), "before the stop, the run can step");
    assert!(a.step());
    a.run_until(600_000);
    assert_eq!(
        a.world().events(),
        stop.event,
        "the replay ends where the run stopped"
    );
    assert_eq!(a.budget_exceeded(), Some(&stop));
    assert_eq!(a.trace_hash(), hash, "replaying records nothing twice");
}

#[test]
fn acting_before_the_stop_forks_a_future_without_it() {
    let mut s = renewals_with_small_budget();
    s.run_until(600_000);
    let stop = s.budget_exceeded().expect("stopped").clone();
    s.seek(stop.at_ms / 2);
    s.inject(Action::Crash(0)).expect("a valid action");
    assert_eq!(
        s.budget_exceeded(),
        None,
        "the stop was in the future thrown away"
    );
    s.run_until(stop.at_ms / 2 + 1_000);
    assert!(s.world().node(0).is_none(), "the fork's crash happened");
}

#[test]
fn running_in_slices_gives_the_run_of_one_call() {
    let text = "paxoscope scenario v1\nset lease_renew_ms 5\nat 2s crash 0\nend 10s\n";
    let mut whole = session(text);
    whole.run_until(10_000);
    let mut sliced = session(text);
    let mut slices = 0;
    while !sliced.run_until_at_most(10_000, 200) {
        slices += 1;
    }
    assert!(slices > 5, "{slices} slices");
    assert_eq!(sliced.now_ms(), 10_000);
    assert_eq!(sliced.trace_hash(), whole.trace_hash());
}
