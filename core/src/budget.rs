//! Every run has a budget, so that no scenario, however valid, can make a run grow without
//! limit: a most events per simulated second (`sim::world::MAX_EVENTS_PER_SIM_S`), a most
//! events in all (`session::MAX_RUN_EVENTS`) and a most memory kept
//! (`session::MAX_KEPT_BYTES`). A run that goes over stops at that event with a
//! [`BudgetExceeded`] saying which limit, when, and which setting of the scenario most likely
//! caused it. docs/scenario-format.md ("Run budget") lists the limits.
//!
//! Memory is not read from the operating system: it is estimated from counts (trace entries,
//! client records, queued events, stored versions, the checker's records, each snapshot's
//! copy of them) with the per-item weights below, so the same scenario stops at the same event
//! natively and in wasm. The weights were measured natively on 64-bit (see
//! `harness/examples/budget_probe.rs`); wasm32's pointers are half as wide, so there the
//! estimate is on the safe side. For the playground's windowed run under the bench's client
//! load, the estimate is 0.98 to 1.09 times the bytes a counting allocator sees from 10^5 to
//! 10^7 events (`paxoscope bench --only growth`, column `estimate_over_live`; 0.70 at 10^4,
//! where the trace window's entries weigh more than 160 bytes each).

use crate::protocols::ceph::config::Config;
use crate::scenario::{Action, ConfigKey, Scenario};
use crate::session::{
    MAX_KEPT_BYTES, MAX_RUN_EVENTS, MAX_WINDOWED_KEPT_BYTES, MEMORY_CHECK_EVERY_EVENTS,
};
use crate::sim::world::{config_for, MAX_EVENTS_PER_SIM_S};

/// The limits a session enforces. Every front end uses `Budget::DEFAULT`; only benchmarks
/// that measure deliberately large runs (a million recorded events) raise it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Budget {
    pub max_events_per_sim_s: u64,
    pub max_run_events: u64,
    pub max_kept_bytes: u64,
}

impl Budget {
    pub const DEFAULT: Budget = Budget {
        max_events_per_sim_s: MAX_EVENTS_PER_SIM_S,
        max_run_events: MAX_RUN_EVENTS,
        max_kept_bytes: MAX_KEPT_BYTES,
    };
    /// A windowed session's (`Session::windowed`, the playground): the same, with
    /// `MAX_WINDOWED_KEPT_BYTES` kept.
    pub const WINDOWED: Budget = Budget {
        max_kept_bytes: MAX_WINDOWED_KEPT_BYTES,
        ..Budget::DEFAULT
    };
}

impl Default for Budget {
    fn default() -> Self {
        Budget::DEFAULT
    }
}

/// Estimated bytes per trace entry kept: the entry itself plus its share of the messages,
/// store writes and client strings it holds.
pub const TRACE_ENTRY_BYTES: u64 = 160;
/// Estimated bytes per client request record (the UI's list and the linearizability check).
pub const CLIENT_RECORD_BYTES: u64 = 160;
/// Estimated bytes per queued event (a message in flight, an armed timer): its slot, its heap
/// entry and its share of the message.
pub const QUEUED_EVENT_BYTES: u64 = 160;
/// Estimated bytes per item a durable store holds (a version, a key), copied by every snapshot.
pub const STORED_ENTRY_BYTES: u64 = 24;
/// Estimated bytes per record the checker keeps about past elections and proposals.
pub const CHECKER_ENTRY_BYTES: u64 = 64;
/// Estimated bytes of a world and checker besides the items above (nodes, links, counters).
pub const WORLD_BASE_BYTES: u64 = 16 * 1024;

/// Which limit a run went over.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    /// More than `MAX_EVENTS_PER_SIM_S` events within one whole simulated second.
    EventRate,
    /// More than `MAX_RUN_EVENTS` events in the whole run.
    Events,
    /// More than the budget's estimated bytes kept (trace, snapshots, clients, queue):
    /// `MAX_KEPT_BYTES`, or `MAX_WINDOWED_KEPT_BYTES` for a windowed run.
    Memory,
}

impl Limit {
    /// The constant that sets it, as the docs and messages name it.
    pub fn constant(self) -> &'static str {
        match self {
            Limit::EventRate => "MAX_EVENTS_PER_SIM_S",
            Limit::Events => "MAX_RUN_EVENTS",
            Limit::Memory => "MAX_KEPT_BYTES",
        }
    }
}

/// Why a run stopped before its end although no invariant broke.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BudgetExceeded {
    pub limit: Limit,
    /// Simulated time of the event that went over.
    pub at_ms: u64,
    /// That event's number: the run stands just after it.
    pub event: u64,
    /// What went over, with the figures: "100001 events between 12 s and 13 s".
    pub what: String,
    /// The constant that set the limit, as the docs name it (`MAX_RUN_EVENTS`).
    pub constant: &'static str,
    /// The setting of the scenario that most likely caused it, in words a user can act on.
    pub cause: String,
}

impl std::fmt::Display for BudgetExceeded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "stopped at t={}.{:03} s: {} ({}); most likely cause: {}",
            self.at_ms / 1000,
            self.at_ms % 1000,
            self.what,
            self.constant,
            self.cause
        )
    }
}

/// What a world and its checker hold that grows with the run (each snapshot copies it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WorldSize {
    pub queued_events: u64,
    /// Items in every monitor's durable store (versions, keys).
    pub stored_entries: u64,
    /// The checker's records of past elections and proposals.
    pub checker_entries: u64,
}

impl WorldSize {
    pub fn bytes(&self) -> u64 {
        WORLD_BASE_BYTES
            + self.queued_events * QUEUED_EVENT_BYTES
            + self.stored_entries * STORED_ENTRY_BYTES
            + self.checker_entries * CHECKER_ENTRY_BYTES
    }
}

/// What a run keeps, counted: the memory estimate and its parts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Kept {
    pub trace_entries: u64,
    pub client_records: u64,
    pub live: WorldSize,
    pub snapshots: u64,
    /// The estimated bytes of every snapshot together (each counted when it was taken).
    pub snapshot_bytes: u64,
}

impl Kept {
    pub fn trace_bytes(&self) -> u64 {
        self.trace_entries * TRACE_ENTRY_BYTES
    }
    pub fn bytes(&self) -> u64 {
        self.trace_bytes()
            + self.client_records * CLIENT_RECORD_BYTES
            + self.live.bytes()
            + self.snapshot_bytes
    }

    /// The parts of the estimate, for the message.
    pub fn describe(&self) -> String {
        format!(
            "the trace holds {} entries (~{} MiB), {} time-travel snapshots ~{} MiB, {} events \
             are queued and the stores hold {} items",
            self.trace_entries,
            mib(self.trace_bytes()),
            self.snapshots,
            mib(self.snapshot_bytes),
            self.live.queued_events,
            self.live.stored_entries
        )
    }
}

fn mib(bytes: u64) -> u64 {
    bytes.div_ceil(1 << 20)
}

/// One suspect: the scenario line (`set lease_renew_ms 1`) and why it costs.
struct Cause {
    line: String,
    why: String,
}

/// Suspects named after the first, at most.
const MORE_CAUSES: usize = 3;

/// The setting of `scenario` that most likely made a run go over `limit`, in words: the first
/// suspect with its reason, then up to `MORE_CAUSES` more by their lines. Ranked by what was
/// measured to blow runs up (docs/scenario-format.md, "Run budget"): a timer shorter than a
/// message's round trip fires again and again, most of all the lease renewal, which sends a
/// message to every peon and gets an ack back each time (a renewal of 0 ms never lets time
/// pass at all); a large burst of client requests; nine monitors multiply every broadcast;
/// zero latency lets a whole exchange happen in one millisecond. For memory, first what the
/// estimate says dominates: long delays keep messages queued, large `paxos_min`/`trim_min`
/// keep every version in every store, a long run keeps a long trace.
pub fn likely_cause(scenario: &Scenario, limit: Limit, kept: &Kept) -> String {
    let config = config_for(scenario);
    let mut causes = Vec::new();
    // Memory held mostly outside the trace (snapshots, queue, stores) points at what makes a
    // world big; a large trace at what makes many events, as for the other limits.
    let world_heavy = kept.bytes() - kept.trace_bytes() >= kept.trace_bytes();
    if limit == Limit::Memory && world_heavy {
        causes.extend(memory_causes(scenario, &config, kept));
    }
    causes.extend(timing_causes(scenario, &config));
    causes.extend(burst_cause(scenario));
    if config.monitors >= 7 {
        causes.push(Cause {
            line: format!("set monitors {}", config.monitors),
            why: format!("every broadcast goes to {} peers", config.monitors - 1),
        });
    }
    if config.latency_ms == 0 && config.jitter_ms == 0 {
        causes.push(Cause {
            line: "set latency_ms 0".into(),
            why: "with no jitter, a whole exchange of messages happens within one millisecond"
                .into(),
        });
    }
    if limit != Limit::EventRate {
        causes.push(length_cause(scenario, limit));
    }
    if limit == Limit::Memory && !world_heavy {
        causes.extend(memory_causes(scenario, &config, kept));
    }
    if causes.is_empty() {
        return "no setting stands out: the scenario's own actions ask for this much work".into();
    }
    let first = causes.remove(0);
    let mut text = format!("`{}`: {}", first.line, first.why);
    let mut more: Vec<String> = Vec::new();
    for c in &causes {
        let line = format!("`{}`", c.line);
        if c.line != first.line && !more.contains(&line) && more.len() < MORE_CAUSES {
            more.push(line);
        }
    }
    if !more.is_empty() {
        text.push_str(&format!("; also {}", more.join(", ")));
    }
    text
}

/// A timing setting and what it makes the monitors do.
struct Timing {
    key: ConfigKey,
    value_ms: u64,
    default_ms: u64,
    what: &'static str,
}

/// Timers shorter than a message's round trip (or than a tenth of Ceph's default), most
/// explosive first: the order of `timings` follows the measured event rates.
fn timing_causes(scenario: &Scenario, config: &Config) -> Vec<Cause> {
    let d = Config::default();
    let round_trip_ms = 2 * (config.latency_ms + config.jitter_ms);
    let timing = |key, value_ms, default_ms, what| Timing {
        key,
        value_ms,
        default_ms,
        what,
    };
    let timings = [
        timing(
            ConfigKey::LeaseRenewMs,
            config.lease_renew_ms,
            d.lease_renew_ms,
            "the leader renews its lease, a message to every peon and an ack back, every",
        ),
        timing(
            ConfigKey::LeaseAckTimeoutMs,
            config.lease_ack_timeout_ms,
            d.lease_ack_timeout_ms,
            "the leader calls an election unless every lease ack is back within",
        ),
        timing(
            ConfigKey::ElectionTimeoutMs,
            config.election_timeout_ms,
            d.election_timeout_ms,
            "an election starts over, proposing to every monitor, every",
        ),
        timing(
            ConfigKey::ProbeTimeoutMs,
            config.probe_timeout_ms,
            d.probe_timeout_ms,
            "a probing monitor probes every monitor again every",
        ),
        timing(
            ConfigKey::LeaseMs,
            config.lease_ms,
            d.lease_ms,
            "a lease lasts",
        ),
        timing(
            ConfigKey::AcceptTimeoutMs,
            config.accept_timeout_ms,
            d.accept_timeout_ms,
            "the leader gives up waiting for accepts after",
        ),
        timing(
            ConfigKey::ProposeIntervalMs,
            config.propose_interval_ms,
            d.propose_interval_ms,
            "the leader proposes every",
        ),
        timing(
            ConfigKey::SyncTimeoutMs,
            config.sync_timeout_ms,
            d.sync_timeout_ms,
            "a syncing monitor asks again every",
        ),
    ];
    timings
        .iter()
        .filter(|t| t.value_ms <= round_trip_ms || t.value_ms * 10 < t.default_ms)
        .filter_map(|t| {
            let (key, written) = written_as(scenario, t.key)?;
            let follows = if key == t.key {
                String::new()
            } else {
                format!(" (`{}` follows `{}`)", t.key.name(), key.name())
            };
            Some(Cause {
                line: format!("set {} {written}", key.name()),
                why: format!(
                    "{} {} ms{follows}, where Ceph's default is {} ms and a message's round \
                     trip here takes up to {round_trip_ms} ms",
                    t.what, t.value_ms, t.default_ms
                ),
            })
        })
        .collect()
}

/// The line of the scenario whose value `key` has: its own or, for the lease-derived timings,
/// a later `lease_ms`, which rescales them by Ceph's factors (`Config::set`). None when neither
/// is written (the value is Ceph's default).
fn written_as(scenario: &Scenario, key: ConfigKey) -> Option<(ConfigKey, u64)> {
    let derived = matches!(
        key,
        ConfigKey::LeaseRenewMs | ConfigKey::LeaseAckTimeoutMs | ConfigKey::AcceptTimeoutMs
    );
    scenario
        .overrides
        .iter()
        .rev()
        .find(|(k, _)| *k == key || (derived && *k == ConfigKey::LeaseMs))
        .copied()
}

/// Client requests scripted within one simulated second from which on they are a suspect.
const BURST_REQUESTS: usize = 1_000;

/// The busiest simulated second of scripted client requests, if it is a large burst.
fn burst_cause(scenario: &Scenario) -> Option<Cause> {
    let is_client = |a: &Action| {
        matches!(
            a,
            Action::Put { .. } | Action::Get { .. } | Action::Cas { .. }
        )
    };
    let mut per_second: Vec<(u64, usize)> = Vec::new();
    for a in scenario.actions.iter().filter(|a| is_client(&a.action)) {
        let second = a.at_ms / 1000;
        match per_second.last_mut() {
            Some((s, n)) if *s == second => *n += 1,
            _ => per_second.push((second, 1)),
        }
    }
    let (second, n) = per_second
        .into_iter()
        .max_by_key(|(s, n)| (*n, u64::MAX - s))?;
    (n >= BURST_REQUESTS).then(|| Cause {
        line: format!("at {second}s put/get/cas ... ({n} times)"),
        why: format!(
            "{n} client requests are scripted between {second} s and {} s",
            second + 1
        ),
    })
}

/// What in the scenario keeps memory: long delays, stores that never trim.
fn memory_causes(scenario: &Scenario, config: &Config, kept: &Kept) -> Vec<Cause> {
    let mut causes = Vec::new();
    let longest_delay_ms = scenario
        .actions
        .iter()
        .filter_map(|a| match a.action {
            Action::Delay(_, ms) => Some(ms),
            _ => None,
        })
        .max()
        .unwrap_or(0);
    let queue_heavy = kept.live.queued_events * QUEUED_EVENT_BYTES * 4 >= kept.bytes();
    if longest_delay_ms >= 60_000 || (queue_heavy && longest_delay_ms > 0) {
        causes.push(Cause {
            line: format!("delay ... {longest_delay_ms}"),
            why: format!(
                "messages stay in flight for {} s; {} events are queued now",
                longest_delay_ms / 1000,
                kept.live.queued_events
            ),
        });
    }
    let d = Config::default();
    if config.paxos_min > 10 * d.paxos_min || config.trim_min > 10 * d.trim_min {
        let key = if config.paxos_min > 10 * d.paxos_min {
            ("paxos_min", config.paxos_min)
        } else {
            ("trim_min", config.trim_min)
        };
        causes.push(Cause {
            line: format!("set {} {}", key.0, key.1),
            why: format!(
                "the stores keep nearly every version ({} items now) and every time-travel \
                 snapshot copies them",
                kept.live.stored_entries
            ),
        });
    }
    causes
}

/// The run's length, as the cause of its total events or of the trace it keeps.
fn length_cause(scenario: &Scenario, limit: Limit) -> Cause {
    let why = if limit == Limit::Memory {
        "time-travel snapshots and client records are kept for the whole run (and the whole trace, outside the playground)"
    } else {
        "every event up to there is simulated"
    };
    Cause {
        line: match scenario.end_ms {
            Some(end) => format!("end {}s", end / 1000),
            None => "the time the run was asked to reach".into(),
        },
        why: why.into(),
    }
}

/// Where a run stands after a new event, for [`Budget::exceeded`]: plain numbers, so the check
/// is one function shared by every protocol's `Session` instead of a copy per protocol.
#[derive(Clone, Copy, Debug)]
pub struct Progress {
    /// Events processed so far.
    pub events: u64,
    /// The current whole simulated second and the events in it so far.
    pub second: u64,
    pub in_second: u64,
    pub now_ms: u64,
}

impl Budget {
    /// The constant that sets `limit` in this budget, for messages: a windowed run's memory
    /// limit is `MAX_WINDOWED_KEPT_BYTES`, not `MAX_KEPT_BYTES`.
    fn constant(&self, limit: Limit) -> &'static str {
        match limit {
            Limit::Memory if self.max_kept_bytes == MAX_WINDOWED_KEPT_BYTES => {
                "MAX_WINDOWED_KEPT_BYTES"
            }
            _ => limit.constant(),
        }
    }

    /// The limit this event went over, if any: the event rate first, then the run's events,
    /// then (every `MEMORY_CHECK_EVERY_EVENTS` events) the memory estimate. `kept` counts
    /// what the run keeps; it is only asked for when needed (it walks the stores).
    #[inline]
    pub fn exceeded(
        &self,
        scenario: &Scenario,
        at: Progress,
        kept: &dyn Fn() -> Kept,
    ) -> Option<BudgetExceeded> {
        // Nearly every event is under both counts and not at a memory check: answered here,
        // inlined into the session's step, without a call.
        let within = at.in_second <= self.max_events_per_sim_s
            && at.events <= self.max_run_events
            && at.events % MEMORY_CHECK_EVERY_EVENTS != 0;
        if within {
            return None;
        }
        self.exceeded_at(scenario, at, kept)
    }

    /// `exceeded` for an event over a count or at a memory check.
    fn exceeded_at(
        &self,
        scenario: &Scenario,
        at: Progress,
        kept: &dyn Fn() -> Kept,
    ) -> Option<BudgetExceeded> {
        let (limit, what) = if at.in_second > self.max_events_per_sim_s {
            let what = rate_what(self.max_events_per_sim_s, at.second, at.in_second);
            (Limit::EventRate, what)
        } else if at.events > self.max_run_events {
            let what = format!("more than {} events in the run", self.max_run_events);
            (Limit::Events, what)
        } else if at.events % MEMORY_CHECK_EVERY_EVENTS == 0 {
            let kept = kept();
            if kept.bytes() <= self.max_kept_bytes {
                return None;
            }
            let what = format!(
                "more than {} MiB kept (estimated {} MiB: {})",
                self.max_kept_bytes >> 20,
                kept.bytes() >> 20,
                kept.describe()
            );
            (Limit::Memory, what)
        } else {
            return None;
        };
        Some(BudgetExceeded {
            limit,
            at_ms: at.now_ms,
            event: at.events,
            what,
            constant: self.constant(limit),
            cause: likely_cause(scenario, limit, &kept()),
        })
    }
}

/// The figures of an event rate over the limit, for `BudgetExceeded::what`.
pub fn rate_what(limit: u64, second: u64, events: u64) -> String {
    format!(
        "more than {limit} events within one simulated second ({events} between {second} s and \
         {} s)",
        second + 1
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::parse;

    /// A memory stop names the constant of the budget that stopped it: the page's windowed
    /// runs have their own.
    #[test]
    fn a_memory_stop_names_its_budgets_constant() {
        let s = Scenario::default();
        let at = Progress {
            events: MEMORY_CHECK_EVERY_EVENTS,
            second: 0,
            in_second: 1,
            now_ms: 500,
        };
        let kept = || Kept {
            trace_entries: 8 * (MAX_WINDOWED_KEPT_BYTES / TRACE_ENTRY_BYTES),
            ..Kept::default()
        };
        for (budget, constant) in [
            (Budget::DEFAULT, "MAX_KEPT_BYTES"),
            (Budget::WINDOWED, "MAX_WINDOWED_KEPT_BYTES"),
        ] {
            let stop = budget
                .exceeded(&s, at, &kept)
                .expect("over the memory budget");
            assert_eq!((stop.limit, stop.constant), (Limit::Memory, constant));
            assert!(
                stop.to_string().contains(&format!("({constant})")),
                "{stop}"
            );
        }
    }

    fn cause_of(text: &str, limit: Limit) -> String {
        let s = parse(text).unwrap_or_else(|e| panic!("{e}"));
        likely_cause(&s, limit, &Kept::default())
    }

    #[test]
    fn a_lease_derived_timing_is_blamed_on_the_line_that_set_it_last() {
        let later_lease = "paxoscope scenario v1\nset lease_renew_ms 5\nset lease_ms 1\n";
        let c = cause_of(later_lease, Limit::EventRate);
        assert!(c.starts_with("`set lease_ms 1`: the leader renews"), "{c}");
        assert!(c.contains("(`lease_renew_ms` follows `lease_ms`)"), "{c}");
        let later_renew = "paxoscope scenario v1\nset lease_ms 1\nset lease_renew_ms 5\n";
        let c = cause_of(later_renew, Limit::EventRate);
        assert!(c.starts_with("`set lease_renew_ms 5`"), "{c}");
    }

    #[test]
    fn cephs_defaults_leave_only_the_length_or_the_actions_to_blame() {
        let c = cause_of("paxoscope scenario v1\nend 86400s\n", Limit::Events);
        assert_eq!(c, "`end 86400s`: every event up to there is simulated");
        let c = cause_of("paxoscope scenario v1\n", Limit::EventRate);
        assert!(c.starts_with("no setting stands out"), "{c}");
    }

    #[test]
    fn a_burst_of_requests_is_found_in_its_second() {
        let mut text = String::from("paxoscope scenario v1\nat 1s put 0 k v\n");
        for _ in 0..1_200 {
            text.push_str("at 7300ms get 1 k\n");
        }
        let c = cause_of(&text, Limit::EventRate);
        assert!(
            c.starts_with("`at 7s put/get/cas ... (1200 times)`: 1200 client requests"),
            "{c}"
        );
    }

    #[test]
    fn at_most_three_more_suspects_are_named_each_once() {
        let text = "paxoscope scenario v1\nset monitors 9\nset latency_ms 0\nset jitter_ms 0\n\
                    set lease_ms 1\nset election_timeout_ms 1\nset probe_timeout_ms 1\n";
        let c = cause_of(text, Limit::EventRate);
        let also = c.split("; also ").nth(1).expect("more suspects");
        assert_eq!(
            also,
            "`set election_timeout_ms 1`, `set probe_timeout_ms 1`, `set monitors 9`"
        );
    }
}
