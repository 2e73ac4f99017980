//! What the Basic Paxos and Multi-Paxos campaigns share (`protocols/*/campaign.rs`): the
//! checked run after a plan's heal until the service is live again, the search for a canary's
//! first failing seed, and what a seed's outcome tells the CLI's summary ([`SeedOutcome`]).
//! Each protocol keeps its own fault schedule, checks and liveness condition.

use crate::actor::Protocol;
use crate::sim::world::World;
use std::collections::BTreeSet;

/// What the campaign's summary reads from any family protocol's seed outcome.
pub trait SeedOutcome {
    fn seed(&self) -> u64;
    fn events(&self) -> u64;
    fn classes(&self) -> &BTreeSet<&'static str>;
    /// Time from the heal until the service was live again.
    fn liveness_ms(&self) -> Option<u64>;
    fn failure(&self) -> Option<&str>;
}

/// How a checked run ended: the first violation or the liveness failure, or the time from
/// the heal until the service was live.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ending {
    pub failure: Option<String>,
    pub liveness_ms: Option<u64>,
}

/// When a checked run stops waiting: liveness is judged from `live_from_ms` on, and fails
/// once nothing happens before `heal_ms + bound_ms`.
#[derive(Clone, Copy, Debug)]
pub struct Deadline {
    pub heal_ms: u64,
    pub live_from_ms: u64,
    pub bound_ms: u64,
}

/// Step `w`, checking after every event (`check`, from the state before the first step on,
/// keeping what it learns in `facts`), until a check fails, `live` holds from `live_from_ms`
/// on, or the deadline passes; `live` says why the service is not live yet when it is not.
pub fn check_until_live<P: Protocol, F>(
    w: &mut World<P>,
    facts: &mut F,
    d: Deadline,
    check: impl Fn(&World<P>, &mut F) -> Result<(), String>,
    live: impl Fn(&World<P>, &F) -> Result<(), String>,
) -> Ending {
    assert!(
        d.live_from_ms >= d.heal_ms,
        "liveness is judged after the heal"
    );
    let deadline_ms = d.heal_ms + d.bound_ms;
    loop {
        if let Err(v) = check(w, facts) {
            let failure = Some(format!("at {} ms: {v}", w.now_ms()));
            return Ending {
                failure,
                liveness_ms: None,
            };
        }
        if w.now_ms() >= d.live_from_ms && live(w, facts).is_ok() {
            return Ending {
                failure: None,
                liveness_ms: Some(w.now_ms() - d.heal_ms),
            };
        }
        if w.next_event_ms().is_none_or(|t| t > deadline_ms) || !w.step() {
            let why = live(w, facts).err().unwrap_or_default();
            let failure = Some(format!(
                "liveness: {} ms after the heal at {} ms, {why}",
                d.bound_ms, d.heal_ms
            ));
            return Ending {
                failure,
                liveness_ms: None,
            };
        }
    }
}

/// The first seed of `start..start + budget` whose run (`failure_of`) breaks a safety check,
/// with that failure; a liveness failure does not count (a canary is a safety bug).
pub fn first_caught(
    start: u64,
    budget: u64,
    failure_of: impl Fn(u64) -> Option<String>,
) -> Option<(u64, String)> {
    (start..start + budget).find_map(|seed| {
        failure_of(seed)
            .filter(|f| !f.starts_with("liveness"))
            .map(|f| (seed, f))
    })
}
