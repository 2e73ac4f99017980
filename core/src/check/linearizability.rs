//! Linearizability checker for the key-value service's client history.
//!
//! # What is checked
//!
//! The history is a list of [`HistoryEntry`]s: each is an operation on one key ([`KvOp`]), its
//! invocation time and, if the client got an answer, its completion time and result. It is
//! linearizable when every completed operation can be given a single instant inside its closed
//! interval `[invoke_ms, complete_ms]` so that, executed one by one in the order of those
//! instants, a sequential register map (every key initially absent) returns exactly the recorded
//! results. Operation A therefore precedes B only when `A.complete_ms < B.invoke_ms`; equal
//! timestamps mean "concurrent".
//!
//! An entry with `complete_ms: None` got no answer (the client gave up, crashed, or the run ended):
//! it may have taken effect at any instant after its invocation, or never, and its result (even
//! if one is recorded) is ignored. An incomplete `Get` has no effect and is skipped.
//!
//! # What the caller must pass
//!
//! Every operation. One known to have had no effect (refused before it was proposed: a read
//! refused because the monitor held no lease, a write at a monitor outside any quorum) is
//! passed completed with [`KvResult::Refused`]: it stays in the history (and in the reports)
//! but takes no part in the search. A write answered with an error but possibly applied
//! (timeout, "retry" after the leader was lost mid-proposal) must be passed as incomplete
//! (`complete_ms: None`). `id` and `client` are only used to name entries in reports.
//!
//! A completed entry whose result is missing or of the wrong kind (`Put` → [`KvResult::Ok`],
//! `Get` → [`KvResult::Value`], `Cas` → [`KvResult::CasOk`] or [`KvResult::CasFailed`]; any
//! operation → [`KvResult::Refused`]), or that
//! completes before it is invoked, is malformed: the history is reported not linearizable, with
//! an explanation naming the entry.
//!
//! # Algorithm
//!
//! 1. **P-compositionality.** Linearizability is local: the history is linearizable iff each
//!    per-key sub-history is. The history is partitioned by key and each part checked alone
//!    (smallest first, so a state budget decides as many keys as possible).
//! 2. **Pruning incomplete writes.** An incomplete write of value `v` can only matter to an
//!    operation that observes `v` (a read of `v`, a CAS expecting `v`, a failed CAS reporting `v`)
//!    and that can still come after it. Each incomplete write gets a *deadline*: the latest end of
//!    such an observer (fixpoint, since an observer may itself be an incomplete CAS). A write with
//!    no deadline is dropped; one with a deadline is *optional*: it is linearized somewhere in
//!    `[invoke, deadline]` or dropped, and dropping is free. (If a valid order places it after
//!    its deadline, no operation reads its value before it is overwritten, so deleting it keeps
//!    the order valid.) This bounds the usual blow-up from writes that timed out. Incomplete
//!    writes of the same value (or CAS with the same values) are moreover used in invocation
//!    order: a later one waits until the earlier one is done (see `link_twins`), so `k` lost
//!    writes of one value cost `k + 1` choices instead of `2^k`.
//! 3. **Search** (Wing & Gong, with Lowe's just-in-time linearization as in Porcupine). Calls and
//!    returns form a time-ordered doubly linked list (calls before returns at equal times). The
//!    search walks it: at a call it tries to apply the operation to the current register value;
//!    on success it removes the operation's call and return from the list, pushes an undo frame
//!    and restarts from the head. Reaching the return of an operation not yet linearized is a
//!    dead end (or, for an optional write, its deadline: it is dropped). A dead end pops the last
//!    frame, restores the list and value, and resumes just after that operation's call. A memo of
//!    visited `(set of linearized-or-dropped operations, register value)` pairs, keyed by an
//!    incremental Zobrist hash of the set, prunes every configuration already explored: the
//!    rest of the search depends on nothing else. The memo stores each set exactly but briefly:
//!    as the first return left in the list and which of the few operations spanning it are
//!    done (see `Search::encode`), a word or two instead of one bit per operation of the key.
//!
//! The checker uses no hash-ordered collection and no randomness: reports are deterministic.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// An operation on the key-value service.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvOp {
    /// Unconditional write.
    Put { key: String, value: String },
    /// Read.
    Get { key: String },
    /// Compare-and-swap: writes `value` iff the current value is `expected` (`None` = absent).
    Cas {
        key: String,
        expected: Option<String>,
        value: String,
    },
}

impl KvOp {
    /// The key the operation acts on.
    pub fn key(&self) -> &str {
        match self {
            KvOp::Put { key, .. } | KvOp::Get { key } | KvOp::Cas { key, .. } => key,
        }
    }
}

/// The answer a client received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvResult {
    /// A `Put` was applied.
    Ok,
    /// A `Get` returned this value (`None` = absent).
    Value(Option<String>),
    /// A `Cas` found `expected` and wrote its value.
    CasOk,
    /// A `Cas` found `current` instead of `expected` and wrote nothing.
    CasFailed { current: Option<String> },
    /// Any operation: the service refused it before it could take effect. It had no effect
    /// and observed nothing, so the search leaves it out.
    Refused,
}

/// One client operation. See the module documentation for the meaning of incomplete entries and
/// for what the caller must leave out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct HistoryEntry {
    pub id: u64,
    pub client: u32,
    pub op: KvOp,
    pub invoke_ms: u64,
    /// `None`: no answer; the operation took effect at some instant after `invoke_ms`, or never.
    pub complete_ms: Option<u64>,
    /// Required when `complete_ms` is `Some`; ignored otherwise.
    pub result: Option<KvResult>,
}

/// Why a history is not linearizable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinFailure {
    /// The key whose sub-history has no linearization.
    pub key: String,
    /// Every entry on that key, in history order.
    pub ops: Vec<HistoryEntry>,
    /// Human-readable: the longest linearizable prefix found and the operation that could not
    /// follow it.
    pub explanation: String,
    /// The same account as data, for tools that draw it (indices into `ops`). `None` when the
    /// search never ran (a malformed entry) or met no dead end.
    #[serde(default)]
    pub detail: Option<LinExplanation>,
}

/// Why one key's sub-history has no linearization, as data: the longest prefix the search
/// could order, and the operations that could not come next.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinExplanation {
    /// The longest prefix that can be ordered (indices into [`LinFailure::ops`]), in
    /// linearization order. Incomplete operations dropped by the search are not in it.
    pub prefix: Vec<usize>,
    /// The value of the key after that prefix (`None`: absent).
    pub value_after_prefix: Option<String>,
    /// The operations that could come next in real time but cannot take effect on
    /// `value_after_prefix`. The first is the one whose completion the search reached without
    /// having placed it.
    pub blocked: Vec<BlockedOp>,
}

/// An operation that cannot be placed after the prefix.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BlockedOp {
    /// Index into [`LinFailure::ops`].
    pub op: usize,
    /// The value it needed to find (`Some(None)`: the key absent); `None` for an operation that
    /// needs no particular value.
    pub needs: Option<Option<String>>,
    /// Every value the key held, over the whole search, at a point where the operation could
    /// be placed (sorted, absent first). At most [`HELD_SHOWN`] values; `held_all` says whether
    /// that is all of them.
    pub held: Vec<Option<String>>,
    pub held_all: bool,
}

/// Values recorded per operation for [`BlockedOp::held`].
pub const HELD_SHOWN: usize = 8;

/// The verdict.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum LinOutcome {
    Linearizable,
    NotLinearizable(LinFailure),
    /// The state budget ran out before some key was decided (and no key was found violating).
    Unknown,
}

/// Result of [`check_history`] / [`check_history_with_budget`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LinReport {
    pub outcome: LinOutcome,
    /// Keys whose sub-history was decided (all of them, when the outcome is `Linearizable`).
    pub keys_checked: usize,
    /// Entries on those keys.
    pub ops_checked: usize,
    /// Search configurations visited (memo insertions), over all keys.
    pub states_explored: u64,
}

impl LinReport {
    /// `true` iff the history was proven linearizable.
    pub fn ok(&self) -> bool {
        self.outcome == LinOutcome::Linearizable
    }

    /// The violation, if one was found.
    pub fn failure(&self) -> Option<&LinFailure> {
        match &self.outcome {
            LinOutcome::NotLinearizable(f) => Some(f),
            _ => None,
        }
    }
}

/// Checks `history` with no limit on the search (see the module documentation).
pub fn check_history(history: &[HistoryEntry]) -> LinReport {
    check_history_with_budget(history, u64::MAX)
}

/// Checks `history`, visiting at most `max_states` search configurations in total. Keys are
/// checked smallest first; the first violating key ends the check. If the budget runs out on a
/// key, the remaining keys are still tried with what is left, and the outcome is `Unknown` unless
/// one of them is found violating. This is [`LinCheck`] run to its end in one go.
pub fn check_history_with_budget(history: &[HistoryEntry], max_states: u64) -> LinReport {
    let mut check = LinCheck::new(history, max_states);
    loop {
        if let Some(report) = check.step(history, u64::MAX) {
            return report;
        }
    }
}

/// The search budget `paxoscope check-history` and the history page use unless told otherwise
/// (configurations visited, all keys together). Each one is kept in the memo, so this also
/// bounds the memory used (about 120 MB at worst on one 10,000-operation register).
pub const DEFAULT_MAX_STATES: u64 = 2_000_000;

/// How far a [`LinCheck`] has got.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LinProgress {
    /// Keys decided so far, and in all.
    pub keys_decided: usize,
    pub keys: usize,
    /// Entries placed: those of the keys decided, and the current key's operations in the
    /// order the search is trying (it grows and shrinks as the search backs up).
    pub ops_placed: usize,
    /// Entries in the history.
    pub ops: usize,
    /// Search configurations visited so far (the budget counts these).
    pub states_explored: u64,
}

/// A linearizability check run a bounded number of search steps at a time, so that a caller
/// that must not block (the history page, on the browser's main thread) can run it in slices
/// and drop it to cancel. The verdict does not depend on how the steps are sliced:
/// [`check_history_with_budget`] is one call with no limit.
///
/// The history is not kept: every call of [`LinCheck::step`] is given the same entries as
/// [`LinCheck::new`].
pub struct LinCheck {
    /// Entry indices grouped by key, smallest group first (see [`partition_by_key`]).
    parts: Vec<(String, Vec<usize>)>,
    /// The next part to start.
    next_part: usize,
    /// The part being searched.
    current: Option<KeyRun>,
    report: LinReport,
    /// Some key's budget ran out.
    undecided: bool,
    max_states: u64,
    /// Length of the history given to `new`, to catch a caller passing another one.
    entries: usize,
    finished: bool,
}

/// The search of one key's sub-history, between two steps.
struct KeyRun {
    part: usize,
    /// The problem's interned values (its operations are the search's).
    values: Vec<String>,
    search: Search,
}

impl LinCheck {
    pub fn new(history: &[HistoryEntry], max_states: u64) -> LinCheck {
        let parts = partition_by_key(history)
            .into_iter()
            .map(|(key, members)| (key.to_string(), members))
            .collect();
        LinCheck {
            parts,
            next_part: 0,
            current: None,
            report: LinReport {
                outcome: LinOutcome::Linearizable,
                keys_checked: 0,
                ops_checked: 0,
                states_explored: 0,
            },
            undecided: false,
            max_states,
            entries: history.len(),
            finished: false,
        }
    }

    /// Runs at most about `max_steps` steps of the search (one step handles one call or return
    /// event; starting a key, a few linear passes over its entries, counts as one). Returns the
    /// report once the check is over, and again on every later call.
    pub fn step(&mut self, history: &[HistoryEntry], max_steps: u64) -> Option<LinReport> {
        assert_eq!(
            history.len(),
            self.entries,
            "LinCheck::step is given the history LinCheck::new was given"
        );
        let mut left = max_steps.max(1);
        while !self.finished && left > 0 {
            let Some(run) = &mut self.current else {
                self.start_next_key(history);
                left -= 1;
                continue;
            };
            let before = run.search.steps;
            let outcome = run.search.run(left);
            left = left.saturating_sub(run.search.steps - before);
            if let Some(outcome) = outcome {
                self.finish_key(history, outcome);
            }
        }
        self.finished.then(|| self.report.clone())
    }

    /// The check's progress so far.
    pub fn progress(&self) -> LinProgress {
        let (ops_current, states_current) = self
            .current
            .as_ref()
            .map_or((0, 0), |r| (r.search.placed_entries(), r.search.states));
        LinProgress {
            keys_decided: self.report.keys_checked,
            keys: self.parts.len(),
            ops_placed: self.report.ops_checked + ops_current,
            ops: self.entries,
            states_explored: self.report.states_explored + states_current,
        }
    }

    /// Starts the next key's search, or ends the check when no key is left. A key with a
    /// malformed entry is decided at once.
    fn start_next_key(&mut self, history: &[HistoryEntry]) {
        let part = self.next_part;
        let Some((_, members)) = self.parts.get(part) else {
            if self.undecided && self.report.ok() {
                self.report.outcome = LinOutcome::Unknown;
            }
            self.finished = true;
            return;
        };
        self.next_part += 1;
        let entries: Vec<&HistoryEntry> = members.iter().map(|&i| &history[i]).collect();
        if let Some(msg) = entries.iter().find_map(|e| malformed(e)) {
            self.decide(history, part, KeyVerdict::Violation(msg, None));
            return;
        }
        let problem = Problem::compile(&entries);
        let budget = self.max_states.saturating_sub(self.report.states_explored);
        self.current = Some(KeyRun {
            part,
            values: problem.values,
            search: Search::new(problem.ops, budget),
        });
    }

    /// Turns the finished search of the current key into its verdict.
    fn finish_key(&mut self, history: &[HistoryEntry], outcome: SearchOutcome) {
        let run = self.current.take().expect("a key is being searched");
        let states = run.search.states;
        self.report.states_explored += states;
        let verdict = match outcome {
            SearchOutcome::Linearizable => KeyVerdict::Linearizable,
            SearchOutcome::Exhausted => KeyVerdict::Exhausted,
            SearchOutcome::Violation => {
                let members = &self.parts[run.part].1;
                let entries: Vec<&HistoryEntry> = members.iter().map(|&i| &history[i]).collect();
                let Search {
                    ops, best, tried, ..
                } = run.search;
                let problem = Problem {
                    ops,
                    values: run.values,
                };
                let best = best.as_ref();
                let detail = best.map(|b| structure(&problem, b, &tried));
                let mut text = explain(&entries, &problem, best, states);
                if let Some(d) = &detail {
                    text += &held_sentence(&entries, d);
                }
                KeyVerdict::Violation(text, detail)
            }
        };
        self.decide(history, run.part, verdict);
    }

    /// Records one key's verdict; a violation ends the check.
    fn decide(&mut self, history: &[HistoryEntry], part: usize, verdict: KeyVerdict) {
        let (key, members) = &self.parts[part];
        match verdict {
            KeyVerdict::Linearizable => {}
            KeyVerdict::Exhausted => {
                self.undecided = true;
                return;
            }
            KeyVerdict::Violation(explanation, detail) => {
                self.report.outcome = LinOutcome::NotLinearizable(LinFailure {
                    key: key.clone(),
                    ops: members.iter().map(|&i| history[i].clone()).collect(),
                    explanation,
                    detail,
                });
                self.finished = true;
            }
        }
        self.report.keys_checked += 1;
        self.report.ops_checked += members.len();
    }
}

/// Entry indices grouped by key, groups ordered by (size, key).
fn partition_by_key(history: &[HistoryEntry]) -> Vec<(&str, Vec<usize>)> {
    let mut by_key: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, e) in history.iter().enumerate() {
        by_key.entry(e.op.key()).or_default().push(i);
    }
    let mut parts: Vec<_> = by_key.into_iter().collect();
    parts.sort_by_key(|(key, members)| (members.len(), *key));
    parts
}

enum KeyVerdict {
    Linearizable,
    Violation(String, Option<LinExplanation>),
    Exhausted,
}

/// Describes why a completed entry cannot be interpreted, if it cannot.
fn malformed(e: &HistoryEntry) -> Option<String> {
    let complete = e.complete_ms?;
    let why = if complete < e.invoke_ms {
        "it completes before it is invoked"
    } else {
        match (&e.op, &e.result) {
            (_, None) => "it is completed but has no result",
            (_, Some(KvResult::Refused)) => return None,
            (KvOp::Put { .. }, Some(KvResult::Ok))
            | (KvOp::Get { .. }, Some(KvResult::Value(_)))
            | (KvOp::Cas { .. }, Some(KvResult::CasOk | KvResult::CasFailed { .. })) => {
                return None
            }
            _ => "its result does not match its operation",
        }
    };
    Some(format!(
        "key {:?}: malformed entry {}: {why}",
        e.op.key(),
        describe(e)
    ))
}

// ---------------------------------------------------------------------------------------------
// Compilation of one key's sub-history into search operations.
// ---------------------------------------------------------------------------------------------

/// Register values are interned per key; `ABSENT` is the initial value.
type Val = u32;
const ABSENT: Val = 0;

/// The sequential specification of one operation, on interned values.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Put (completed or not): always applies.
    Write(Val),
    /// Completed get that returned this value.
    Read(Val),
    /// Completed CAS that succeeded.
    CasOk { expected: Val, new: Val },
    /// Completed CAS that failed, reporting `current`.
    CasFailed { expected: Val, current: Val },
    /// Incomplete CAS, linearized only where it would succeed (a failing one is a no-op, which
    /// is the same as dropping it).
    CasMaybe { expected: Val, new: Val },
}

impl Step {
    /// The register value after the operation, if it can return its recorded result in `cur`.
    fn apply(self, cur: Val) -> Option<Val> {
        match self {
            Step::Write(v) => Some(v),
            Step::Read(v) => (cur == v).then_some(cur),
            Step::CasOk { expected, new } | Step::CasMaybe { expected, new } => {
                (cur == expected).then_some(new)
            }
            Step::CasFailed { expected, current } => {
                (cur == current && cur != expected).then_some(cur)
            }
        }
    }

    /// The value the operation requires the register to hold, if any.
    fn observed(self) -> Option<Val> {
        match self {
            Step::Write(_) => None,
            Step::Read(v) | Step::CasFailed { current: v, .. } => Some(v),
            Step::CasOk { expected, .. } | Step::CasMaybe { expected, .. } => Some(expected),
        }
    }

    /// The value written, for operations that may write.
    fn written(self) -> Option<Val> {
        match self {
            Step::Write(v) | Step::CasOk { new: v, .. } | Step::CasMaybe { new: v, .. } => Some(v),
            Step::Read(_) | Step::CasFailed { .. } => None,
        }
    }
}

/// One operation taking part in the search.
#[derive(Clone, Debug)]
struct SearchOp {
    /// Index into the key's entries.
    entry: usize,
    step: Step,
    invoke: u64,
    /// Completion time, or the deadline of an optional (incomplete) write.
    end: u64,
    /// Incomplete write: may be dropped instead of linearized.
    optional: bool,
    /// For an optional operation: the previous optional one (in invocation order) with the
    /// same step, which must be done before this one may be linearized (see [`link_twins`]).
    twin_before: Option<usize>,
}

/// One key's sub-history ready for the search.
struct Problem {
    ops: Vec<SearchOp>,
    /// Interned values: `values[v]` is the text of `v` (`values[ABSENT]` is unused).
    values: Vec<String>,
}

impl Problem {
    /// Interns values, translates entries into steps, and keeps the incomplete writes that can
    /// matter (see [`assign_deadlines`]).
    fn compile(entries: &[&HistoryEntry]) -> Problem {
        let mut interner = Interner::default();
        let mut candidates = Vec::new();
        for (i, e) in entries.iter().enumerate() {
            if let Some(step) = compile_step(e, &mut interner) {
                let end = e.complete_ms.unwrap_or(u64::MAX);
                let optional = e.complete_ms.is_none();
                candidates.push(SearchOp {
                    entry: i,
                    step,
                    invoke: e.invoke_ms,
                    end,
                    optional,
                    twin_before: None,
                });
            }
        }
        let deadlines = assign_deadlines(&candidates, interner.values.len());
        let covered = covered_writes(&candidates, interner.values.len());
        let mut ops: Vec<SearchOp> = candidates
            .into_iter()
            .zip(deadlines)
            .zip(covered)
            .filter_map(|((mut op, deadline), covered)| {
                if op.optional {
                    op.end = deadline?;
                }
                (!covered).then_some(op)
            })
            .collect();
        link_twins(&mut ops);
        Problem {
            ops,
            values: interner.values,
        }
    }
}

#[derive(Default)]
struct Interner {
    ids: BTreeMap<String, Val>,
    values: Vec<String>,
}

impl Interner {
    fn id(&mut self, v: &Option<String>) -> Val {
        let Some(s) = v else { return ABSENT };
        if self.values.is_empty() {
            self.values.push(String::new()); // slot of ABSENT
        }
        if let Some(&id) = self.ids.get(s) {
            return id;
        }
        let id = self.values.len() as Val;
        self.values.push(s.clone());
        self.ids.insert(s.clone(), id);
        id
    }

    fn some(&mut self, s: &str) -> Val {
        self.id(&Some(s.to_string()))
    }
}

/// The step of a (well-formed) entry; `None` for operations without effect or observation
/// (incomplete gets, incomplete CAS writing the value it expects).
fn compile_step(e: &HistoryEntry, interner: &mut Interner) -> Option<Step> {
    let completed = e.complete_ms.is_some();
    if completed && e.result == Some(KvResult::Refused) {
        return None; // no effect, nothing observed
    }
    let step = match (&e.op, e.result.as_ref().filter(|_| completed)) {
        (KvOp::Put { value, .. }, _) => Step::Write(interner.some(value)),
        (KvOp::Get { .. }, None) => return None,
        (KvOp::Get { .. }, Some(KvResult::Value(v))) => Step::Read(interner.id(v)),
        (
            KvOp::Cas {
                expected, value, ..
            },
            result,
        ) => {
            let expected = interner.id(expected);
            let new = interner.some(value);
            match result {
                None if expected == new => return None,
                None => Step::CasMaybe { expected, new },
                Some(KvResult::CasOk) => Step::CasOk { expected, new },
                Some(KvResult::CasFailed { current }) => Step::CasFailed {
                    expected,
                    current: interner.id(current),
                },
                Some(_) => unreachable!("malformed entries are rejected before compilation"),
            }
        }
        (KvOp::Get { .. }, Some(_)) => unreachable!("malformed entries are rejected"),
    };
    Some(step)
}

/// Deadline of every optional operation (`None` for it: drop it; completed operations get their
/// own end, unused). An optional write of `v` is useful only before an observer of `v` that ends
/// at or after the write's invocation; its deadline is the latest such end. Observers may be
/// optional CAS themselves, whose ends are their deadlines: iterate to the (monotone) fixpoint.
fn assign_deadlines(ops: &[SearchOp], n_values: usize) -> Vec<Option<u64>> {
    let mut observers: Vec<Vec<usize>> = vec![Vec::new(); n_values.max(1)];
    for (i, op) in ops.iter().enumerate() {
        if let Some(v) = op.step.observed() {
            observers[v as usize].push(i);
        }
    }
    let mut deadline: Vec<Option<u64>> = ops
        .iter()
        .map(|op| (!op.optional).then_some(op.end))
        .collect();
    let mut changed = true;
    while changed {
        changed = false;
        for (i, op) in ops.iter().enumerate().filter(|(_, op)| op.optional) {
            let v = op.step.written().expect("optional operations write") as usize;
            let latest = observers[v]
                .iter()
                .filter(|&&o| o != i)
                .filter_map(|&o| deadline[o])
                .filter(|&end| end >= op.invoke)
                .max();
            if latest > deadline[i] {
                deadline[i] = latest;
                changed = true;
            }
        }
    }
    deadline
}

/// Completed puts that can be left out of the search without changing the verdict, with the
/// operations that observe their value. A completed put `w` of a value no other operation
/// writes, observed only by completed gets and failed CAS that accept that value, is left out
/// with those observers when the intervals of `w` and of every observer all contain the whole
/// interval of another completed put `x` kept before it (in the order of interval length, then
/// position). Given any valid order of the rest, `w` and then its observers fit at `x`'s
/// instant, just before `x`: that instant lies inside all their intervals, they see `w`'s
/// value, and `x` overwrites it before anything else can look at it. Conversely, leaving them
/// out of a valid order keeps it valid (only they looked at `w`'s value). Left out shortest
/// first, so a put inside a left-out one has, in turn, a kept put inside it. This is what keeps
/// writes that waited long (across elections, say) from multiplying the search: each one's
/// interval spans many short puts, and it is overwritten unseen or seen only by requests that
/// waited with it.
fn covered_writes(ops: &[SearchOp], n_values: usize) -> Vec<bool> {
    let n = n_values.max(1);
    let mut writers = vec![0usize; n];
    let mut observers: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, op) in ops.iter().enumerate() {
        if let Some(v) = op.step.written() {
            writers[v as usize] += 1;
        }
        if let Some(v) = op.step.observed() {
            observers[v as usize].push(i);
        }
    }
    let mut puts: Vec<usize> = (0..ops.len())
        .filter(|&i| !ops[i].optional && matches!(ops[i].step, Step::Write(_)))
        .collect();
    puts.sort_by_key(|&i| (ops[i].end - ops[i].invoke, i));
    let mut covered = vec![false; ops.len()];
    for (k, &i) in puts.iter().enumerate() {
        let Step::Write(v) = ops[i].step else {
            unreachable!("only puts are sorted")
        };
        let seen_by = &observers[v as usize];
        let only_looked_at = seen_by.is_empty()
            || (writers[v as usize] == 1
                && seen_by.iter().all(|&o| {
                    !ops[o].optional
                        && ops[o].step.written().is_none()
                        && ops[o].step.apply(v) == Some(v)
                }));
        if !only_looked_at {
            continue;
        }
        let from = seen_by
            .iter()
            .map(|&o| ops[o].invoke)
            .fold(ops[i].invoke, u64::max);
        let to = seen_by
            .iter()
            .map(|&o| ops[o].end)
            .fold(ops[i].end, u64::min);
        let inside = |&j: &usize| ops[j].invoke >= from && ops[j].end <= to;
        if puts[..k].iter().any(inside) {
            covered[i] = true;
            for &o in seen_by {
                covered[o] = true;
            }
        }
    }
    covered
}

/// Chains the optional operations with the same step (incomplete writes of one value,
/// incomplete CAS with the same expected and new values) in invocation order: one may be
/// linearized only once the one before it is done. This loses no linearization: twins are
/// interchangeable except for their invocation times, and an earlier twin's deadline is at least
/// a later one's (its observers include the later one's), so in any valid order the twins used
/// can be reassigned to the earliest ones, in order, each still inside its window. Without it
/// the search would try every subset of the lost writes of a value; with it, every prefix.
fn link_twins(ops: &mut [SearchOp]) {
    let mut optional: Vec<usize> = (0..ops.len()).filter(|&i| ops[i].optional).collect();
    optional.sort_by_key(|&i| (ops[i].invoke, i));
    let mut last: Vec<(Step, usize)> = Vec::new();
    for i in optional {
        let step = ops[i].step;
        match last.iter_mut().find(|(s, _)| *s == step) {
            Some(slot) => {
                debug_assert!(ops[slot.1].end >= ops[i].end, "earlier twins live longer");
                ops[i].twin_before = Some(slot.1);
                slot.1 = i;
            }
            None => last.push((step, i)),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The search.
// ---------------------------------------------------------------------------------------------

/// Calls and returns in time order, as a doubly linked list whose removals can be undone in LIFO
/// order ("dancing links"). Node 0 is the head sentinel, the last node the tail sentinel.
struct EventList {
    next: Vec<usize>,
    prev: Vec<usize>,
    /// Operation of each event node, and whether the node is its call.
    op_of: Vec<usize>,
    is_call: Vec<bool>,
    call_node: Vec<usize>,
    ret_node: Vec<usize>,
}

const HEAD: usize = 0;

impl EventList {
    /// Orders events by time; at equal times calls come first (intervals are closed), then
    /// returns of completed operations, then deadlines of optional ones.
    fn new(ops: &[SearchOp]) -> EventList {
        let mut events: Vec<(u64, u8, usize)> = Vec::with_capacity(2 * ops.len());
        for (i, op) in ops.iter().enumerate() {
            events.push((op.invoke, 0, i));
            events.push((op.end, 1 + u8::from(op.optional), i));
        }
        events.sort_unstable();
        let n = events.len() + 2;
        let mut list = EventList {
            next: (1..=n).collect(),
            prev: (0..n).map(|i| i.saturating_sub(1)).collect(),
            op_of: vec![usize::MAX; n],
            is_call: vec![false; n],
            call_node: vec![0; ops.len()],
            ret_node: vec![0; ops.len()],
        };
        for (k, &(_, kind, op)) in events.iter().enumerate() {
            let node = k + 1;
            list.op_of[node] = op;
            list.is_call[node] = kind == 0;
            if kind == 0 {
                list.call_node[op] = node;
            } else {
                list.ret_node[op] = node;
            }
        }
        list
    }

    fn first(&self) -> usize {
        self.next[HEAD]
    }

    fn is_empty(&self) -> bool {
        self.first() == self.next.len() - 1
    }

    fn unlink(&mut self, node: usize) {
        let (p, n) = (self.prev[node], self.next[node]);
        self.next[p] = n;
        self.prev[n] = p;
    }

    fn relink(&mut self, node: usize) {
        let (p, n) = (self.prev[node], self.next[node]);
        self.next[p] = node;
        self.prev[n] = node;
    }

    /// Removes an operation's call and return.
    fn lift(&mut self, op: usize) {
        self.unlink(self.call_node[op]);
        self.unlink(self.ret_node[op]);
    }

    /// Undoes the matching [`EventList::lift`] (must be the latest one not yet undone).
    fn unlift(&mut self, op: usize) {
        self.relink(self.ret_node[op]);
        self.relink(self.call_node[op]);
    }
}

/// Set of configurations `(done operations, register value)` already visited, as an
/// open-addressing table over a flat arena of keys (each an exact encoding of the set of done
/// operations, of any length: see [`Search::encode`]). Hashes are supplied by the caller.
struct Memo {
    slots: Vec<u32>,
    hashes: Vec<u64>,
    values: Vec<Val>,
    /// Entry `e`'s key is `arena[starts[e]..starts[e + 1]]`.
    starts: Vec<usize>,
    arena: Vec<u64>,
}

const EMPTY_SLOT: u32 = u32::MAX;

impl Memo {
    fn new() -> Memo {
        Memo {
            slots: vec![EMPTY_SLOT; 64],
            hashes: Vec::new(),
            values: Vec::new(),
            starts: vec![0],
            arena: Vec::new(),
        }
    }

    /// Records the configuration; `false` if it was already present.
    fn insert(&mut self, hash: u64, key: &[u64], value: Val) -> bool {
        if 2 * (self.hashes.len() + 1) > self.slots.len() {
            self.grow();
        }
        let mask = self.slots.len() - 1;
        let mut i = hash as usize & mask;
        loop {
            let slot = self.slots[i];
            if slot == EMPTY_SLOT {
                self.slots[i] = self.hashes.len() as u32;
                self.hashes.push(hash);
                self.values.push(value);
                self.arena.extend_from_slice(key);
                self.starts.push(self.arena.len());
                return true;
            }
            if self.same(slot as usize, hash, key, value) {
                return false;
            }
            i = (i + 1) & mask;
        }
    }

    fn same(&self, entry: usize, hash: u64, key: &[u64], value: Val) -> bool {
        let stored = &self.arena[self.starts[entry]..self.starts[entry + 1]];
        self.hashes[entry] == hash && self.values[entry] == value && stored == key
    }

    fn grow(&mut self) {
        let size = self.slots.len() * 2;
        let mask = size - 1;
        self.slots = vec![EMPTY_SLOT; size];
        for (entry, &hash) in self.hashes.iter().enumerate() {
            let mut i = hash as usize & mask;
            while self.slots[i] != EMPTY_SLOT {
                i = (i + 1) & mask;
            }
            self.slots[i] = entry as u32;
        }
    }
}

/// For every event node `r`, the operations whose call precedes `r` and whose return (or
/// deadline) follows it, in call order: the only ones whose being done a memo key must record
/// when `r` is the first return left in the list (see [`Search::encode`]). Stored flat.
struct Spanning {
    starts: Vec<usize>,
    ops: Vec<u32>,
}

/// Above this many entries in [`Spanning`] (a history with many long-open operations), memo
/// keys fall back to the full bitset of done operations.
const MAX_SPANNING: usize = 1 << 24;

impl Spanning {
    fn new(list: &EventList) -> Option<Spanning> {
        let nodes = list.next.len();
        let mut starts = Vec::with_capacity(nodes + 1);
        let mut ops = Vec::new();
        let mut open: Vec<u32> = Vec::new();
        for node in 0..nodes {
            starts.push(ops.len());
            if node == HEAD || node == nodes - 1 {
                continue;
            }
            let op = list.op_of[node] as u32;
            if list.is_call[node] {
                open.push(op);
            } else {
                open.retain(|&o| o != op);
                ops.extend_from_slice(&open);
                if ops.len() > MAX_SPANNING {
                    return None;
                }
            }
        }
        starts.push(ops.len());
        Some(Spanning { starts, ops })
    }

    fn at(&self, node: usize) -> &[u32] {
        &self.ops[self.starts[node]..self.starts[node + 1]]
    }
}

/// SplitMix64: a fixed pseudo-random function, for Zobrist keys and value mixing.
fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// Undo record of one linearized (or dropped) operation.
struct Frame {
    op: usize,
    prev_value: Val,
    dropped: bool,
}

/// The deepest dead end met: the longest linearizable prefix and the operation that could not
/// follow it.
#[derive(Clone, Debug)]
struct DeadEnd {
    prefix: Vec<usize>,
    value: Val,
    stuck: usize,
    /// Operations that could come next in real time (see [`Search::candidates`]).
    candidates: Vec<usize>,
}

enum SearchOutcome {
    Linearizable,
    Violation,
    Exhausted,
}

/// What to do after handling one event.
enum Next {
    Goto(usize),
    Backtrack,
}

struct OutOfBudget;

struct Search {
    ops: Vec<SearchOp>,
    list: EventList,
    memo: Memo,
    /// `None`: memo keys are the full bitset (see [`MAX_SPANNING`]).
    spanning: Option<Spanning>,
    /// Scratch space for [`Search::encode`].
    key: Vec<u64>,
    pending: Vec<u32>,
    zobrist: Vec<u64>,
    bits: Vec<u64>,
    hash: u64,
    value: Val,
    stack: Vec<Frame>,
    linearized: usize,
    best: Option<DeadEnd>,
    /// Per operation, the register values at which the walk met its call (at most
    /// `HELD_SHOWN + 1`, to know whether there were more), for explanations.
    tried: Vec<Vec<Val>>,
    states: u64,
    budget: u64,
    /// Where the walk stands in `list` between two calls of [`Search::run`].
    cur: usize,
    /// Events handled so far (calls of `at_call` and `at_return`).
    steps: u64,
}

impl Search {
    fn new(ops: Vec<SearchOp>, budget: u64) -> Search {
        let words = ops.len().div_ceil(64).max(1);
        let list = EventList::new(&ops);
        let cur = list.first();
        Search {
            spanning: Spanning::new(&list),
            list,
            memo: Memo::new(),
            key: Vec::new(),
            pending: Vec::new(),
            zobrist: (0..ops.len() as u64).map(splitmix64).collect(),
            bits: vec![0; words],
            hash: 0,
            value: ABSENT,
            stack: Vec::new(),
            linearized: 0,
            best: None,
            tried: vec![Vec::new(); ops.len()],
            ops,
            states: 0,
            budget,
            cur,
            steps: 0,
        }
    }

    /// Entries in the prefix being tried (dropped writes left out).
    fn placed_entries(&self) -> usize {
        self.linearized
    }

    /// Walks the event list until every operation is linearized or dropped (success), the
    /// search space is exhausted (violation), or the budget runs out; or, first, until it has
    /// handled `max_steps` events: then it returns `None`, and the next call goes on from there.
    ///
    /// `cur` never reaches the tail sentinel while the list is non-empty: every remaining call
    /// precedes its own return, so the walk meets a return first.
    fn run(&mut self, max_steps: u64) -> Option<SearchOutcome> {
        for _ in 0..max_steps {
            if self.list.is_empty() {
                return Some(SearchOutcome::Linearizable);
            }
            let cur = self.cur;
            let op = self.list.op_of[cur];
            self.steps += 1;
            let step = if self.list.is_call[cur] {
                self.at_call(op, cur)
            } else {
                self.at_return(op, cur)
            };
            self.cur = match step {
                Err(OutOfBudget) => return Some(SearchOutcome::Exhausted),
                Ok(Next::Goto(node)) => node,
                Ok(Next::Backtrack) => match self.backtrack() {
                    Some(node) => node,
                    None => return Some(SearchOutcome::Violation),
                },
            };
        }
        self.list.is_empty().then_some(SearchOutcome::Linearizable)
    }

    /// Tries to linearize `op` now; on success restarts from the head, else moves on.
    fn at_call(&mut self, op: usize, node: usize) -> Result<Next, OutOfBudget> {
        let tried = &mut self.tried[op];
        if tried.len() <= HELD_SHOWN && !tried.contains(&self.value) {
            tried.push(self.value);
        }
        let twin_pending = self.ops[op]
            .twin_before
            .is_some_and(|t| self.bits[t / 64] & (1 << (t % 64)) == 0);
        if twin_pending {
            return Ok(Next::Goto(self.list.next[node]));
        }
        if let Some(after) = self.ops[op].step.apply(self.value) {
            if self.enter(op, after, false)? {
                return Ok(Next::Goto(self.list.first()));
            }
        }
        Ok(Next::Goto(self.list.next[node]))
    }

    /// `op` reached its end without being linearized: drop it if optional, else dead end.
    fn at_return(&mut self, op: usize, node: usize) -> Result<Next, OutOfBudget> {
        if self.ops[op].optional {
            let following = self.list.next[node];
            if self.enter(op, self.value, true)? {
                return Ok(Next::Goto(following));
            }
            return Ok(Next::Backtrack);
        }
        self.note_dead_end(op);
        Ok(Next::Backtrack)
    }

    /// Marks `op` done with register value `after`, unless that configuration was already
    /// visited. Returns whether the search moved forward.
    fn enter(&mut self, op: usize, after: Val, dropped: bool) -> Result<bool, OutOfBudget> {
        self.toggle(op);
        self.list.lift(op);
        let hash = self.hash ^ splitmix64(u64::from(after) ^ 0xA5A5_5A5A_0F0F_F0F0);
        self.encode();
        if !self.memo.insert(hash, &self.key, after) {
            self.list.unlift(op);
            self.toggle(op);
            return Ok(false);
        }
        if self.states >= self.budget {
            return Err(OutOfBudget);
        }
        self.states += 1;
        self.stack.push(Frame {
            op,
            prev_value: self.value,
            dropped,
        });
        self.value = after;
        self.linearized += usize::from(!dropped);
        Ok(true)
    }

    /// Writes into `self.key` an exact encoding of the set of done operations, far shorter
    /// than its bitset. Let `r` be the first node in the list that is not a call. Every
    /// operation returning before `r` is done (its nodes would be in the list before `r`), and
    /// every done operation was called before `r` (the walk only ever passes calls, and removes
    /// the deadlines it passes). So the set is known from `r` and from which of the operations
    /// spanning `r` are done; the others' calls are exactly the nodes before `r`. The key is
    /// `r` and a bitmask over [`Spanning::at`]`(r)`.
    fn encode(&mut self) {
        self.key.clear();
        let Some(spanning) = &self.spanning else {
            self.key.extend_from_slice(&self.bits);
            return;
        };
        self.pending.clear();
        let tail = self.list.next.len() - 1;
        let mut r = self.list.first();
        while r != tail && self.list.is_call[r] {
            self.pending.push(self.list.op_of[r] as u32);
            r = self.list.next[r];
        }
        self.key.push(r as u64);
        let span = spanning.at(r);
        let base = self.key.len();
        self.key.resize(base + span.len().div_ceil(64), 0);
        // Both are in call order; `pending` also holds the operation returning at `r`, which
        // does not span it.
        let owner = (r != tail).then(|| self.list.op_of[r] as u32);
        let mut p = self
            .pending
            .iter()
            .copied()
            .filter(|&x| Some(x) != owner)
            .peekable();
        for (k, &op) in span.iter().enumerate() {
            if p.next_if_eq(&op).is_none() {
                self.key[base + k / 64] |= 1 << (k % 64);
            }
        }
        debug_assert!(p.next().is_none(), "every pending call spans r");
    }

    /// Undoes frames up to and including the latest linearized operation that changed the
    /// value; returns where to resume (just after its call), or `None` if nothing is left to
    /// undo. An operation that only observes (a get, a failed CAS) and was linearized where it
    /// applied is never tried later instead: whatever could follow a later placement can
    /// follow this one (it changes nothing, its call was already reached, so every operation
    /// that must precede it is done). Without this, many long-waiting observers on one key
    /// make the search try every subset of them.
    fn backtrack(&mut self) -> Option<usize> {
        loop {
            let frame = self.stack.pop()?;
            self.list.unlift(frame.op);
            self.toggle(frame.op);
            self.value = frame.prev_value;
            if frame.dropped {
                continue;
            }
            self.linearized -= 1;
            if self.ops[frame.op].step.written().is_some() {
                return Some(self.list.next[self.list.call_node[frame.op]]);
            }
        }
    }

    fn toggle(&mut self, op: usize) {
        self.bits[op / 64] ^= 1 << (op % 64);
        self.hash ^= self.zobrist[op];
    }

    fn note_dead_end(&mut self, stuck: usize) {
        if self
            .best
            .as_ref()
            .is_some_and(|b| b.prefix.len() >= self.linearized)
        {
            return;
        }
        let prefix = self
            .stack
            .iter()
            .filter(|f| !f.dropped)
            .map(|f| f.op)
            .collect();
        self.best = Some(DeadEnd {
            prefix,
            value: self.value,
            stuck,
            candidates: self.candidates(stuck),
        });
    }

    /// The operations whose calls the walk passes before the return of `stuck`: those that
    /// could come next in real time.
    fn candidates(&self, stuck: usize) -> Vec<usize> {
        let end = self.list.ret_node[stuck];
        let mut found = Vec::new();
        let mut node = self.list.first();
        while node != end && node != self.list.next.len() - 1 {
            if self.list.is_call[node] {
                found.push(self.list.op_of[node]);
            }
            node = self.list.next[node];
        }
        found
    }
}

// ---------------------------------------------------------------------------------------------
// Explanations.
// ---------------------------------------------------------------------------------------------

/// Human-readable account of a violation on one key.
fn explain(
    entries: &[&HistoryEntry],
    problem: &Problem,
    best: Option<&DeadEnd>,
    states: u64,
) -> String {
    let key = entries[0].op.key();
    let mut text = format!(
        "key {key:?}: its {} operations have no linearization ({states} states explored)",
        entries.len()
    );
    let Some(best) = best else { return text };
    let show_value = |v: Val| show(&(v != ABSENT).then(|| problem.values[v as usize].clone()));
    let prefix: Vec<&HistoryEntry> = best
        .prefix
        .iter()
        .map(|&op| entries[problem.ops[op].entry])
        .collect();
    text += &format!(
        ". Longest linearizable prefix: {} operation(s){}, leaving {key:?} = {}",
        prefix.len(),
        list_prefix(&prefix),
        show_value(best.value),
    );
    let stuck = entries[problem.ops[best.stuck].entry];
    text += &format!(". It cannot be followed by {}", describe(stuck));
    if let Some(hint) = observation_hint(entries, stuck) {
        text += &format!(": {hint}");
    }
    text
}

/// The dead end as data: indices translated from search operations to the key's entries.
fn structure(problem: &Problem, best: &DeadEnd, tried: &[Vec<Val>]) -> LinExplanation {
    let value = |v: Val| (v != ABSENT).then(|| problem.values[v as usize].clone());
    let entry = |op: usize| problem.ops[op].entry;
    let mut blocked_ops = vec![best.stuck];
    blocked_ops.extend(
        best.candidates
            .iter()
            .copied()
            .filter(|&op| op != best.stuck && problem.ops[op].step.apply(best.value).is_none()),
    );
    let blocked = blocked_ops
        .into_iter()
        .map(|op| {
            let mut held: Vec<Val> = tried[op].iter().copied().take(HELD_SHOWN).collect();
            held.sort_unstable_by_key(|&v| value(v));
            BlockedOp {
                op: entry(op),
                needs: problem.ops[op].step.observed().map(value),
                held: held.into_iter().map(value).collect(),
                held_all: tried[op].len() <= HELD_SHOWN,
            }
        })
        .collect();
    LinExplanation {
        prefix: best.prefix.iter().map(|&op| entry(op)).collect(),
        value_after_prefix: value(best.value),
        blocked,
    }
}

/// E.g. `. Values: get k ... returned "4", but k held "2" at every point where it could be
/// placed`, for the blocked operations that needed one value and never met it.
fn held_sentence(entries: &[&HistoryEntry], d: &LinExplanation) -> String {
    let key = entries[0].op.key();
    let mut parts = Vec::new();
    for b in &d.blocked {
        let Some(needed) = &b.needs else { continue };
        if b.held.contains(needed) || b.held.is_empty() {
            continue;
        }
        let held: Vec<String> = b.held.iter().map(show).collect();
        let more = if b.held_all { "" } else { " (and more)" };
        parts.push(format!(
            "{} needed {key:?} = {}, but {key:?} held {}{more} at every point where it could be \
             placed",
            describe(entries[b.op]),
            show(needed),
            or_list(&held),
        ));
    }
    if parts.is_empty() {
        return String::new();
    }
    format!(". Values: {}", parts.join("; "))
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The last few operations of a prefix, in linearization order.
fn list_prefix(prefix: &[&HistoryEntry]) -> String {
    const SHOWN: usize = 6;
    if prefix.is_empty() {
        return String::new();
    }
    let skip = prefix.len().saturating_sub(SHOWN);
    let shown: Vec<String> = prefix[skip..].iter().map(|e| describe(e)).collect();
    let ellipsis = if skip > 0 { "…, " } else { "" };
    format!(" ({ellipsis}{})", shown.join("; "))
}

/// Why an operation that needed a specific register value could not get it, when a simple
/// real-time argument shows it.
fn observation_hint(entries: &[&HistoryEntry], stuck: &HistoryEntry) -> Option<String> {
    let wanted = observed_value(stuck)?;
    let writes: Vec<&HistoryEntry> = entries
        .iter()
        .copied()
        .filter(|e| written_value(e).is_some())
        .collect();
    let Some(wanted) = wanted else {
        let before = writes.iter().find(|w| precedes(w, stuck))?;
        return Some(format!(
            "it needs the key absent, but {} completed before it began",
            describe(before)
        ));
    };
    let writers: Vec<&HistoryEntry> = writes
        .iter()
        .copied()
        .filter(|w| written_value(w) == Some(wanted))
        .collect();
    if writers.is_empty() {
        return Some(format!("no operation on this key ever wrote {wanted:?}"));
    }
    if writers.iter().all(|w| precedes(stuck, w)) {
        let earlier: Vec<&str> = writes
            .iter()
            .filter(|w| !precedes(stuck, w))
            .filter_map(|w| written_value(w))
            .collect();
        return Some(format!(
            "every write of {wanted:?} began after it completed; the writes that could precede it \
             wrote {}",
            quote_all(earlier)
        ));
    }
    let overwrite = writes.iter().find(|o| {
        written_value(o) != Some(wanted)
            && precedes(o, stuck)
            && writers.iter().all(|w| precedes(w, o))
    });
    Some(match overwrite {
        Some(o) => format!(
            "every write of {wanted:?} was followed by {}, which completed before it began",
            describe(o)
        ),
        None => format!(
            "{wanted:?} was written by an operation that could precede it, but no order of the \
             operations around it leaves {wanted:?} current at that point"
        ),
    })
}

/// `a` completed before `b` was invoked (so every linearization puts `a` first).
fn precedes(a: &HistoryEntry, b: &HistoryEntry) -> bool {
    a.complete_ms.is_some_and(|c| c < b.invoke_ms)
}

/// The value an entry needed to find (`Some(None)`: absent).
fn observed_value(e: &HistoryEntry) -> Option<Option<&str>> {
    match (&e.op, e.result.as_ref()?) {
        (KvOp::Get { .. }, KvResult::Value(v)) => Some(v.as_deref()),
        (KvOp::Cas { expected, .. }, KvResult::CasOk) => Some(expected.as_deref()),
        (KvOp::Cas { .. }, KvResult::CasFailed { current }) => Some(current.as_deref()),
        _ => None,
    }
}

/// The value an entry may have written.
fn written_value(e: &HistoryEntry) -> Option<&str> {
    let may_write = e.complete_ms.is_none() || e.result == Some(KvResult::CasOk);
    let refused = e.complete_ms.is_some() && e.result == Some(KvResult::Refused);
    match &e.op {
        _ if refused => None,
        KvOp::Put { value, .. } => Some(value),
        KvOp::Cas { value, .. } if may_write => Some(value),
        _ => None,
    }
}

fn quote_all(mut values: Vec<&str>) -> String {
    values.sort_unstable();
    values.dedup();
    if values.is_empty() {
        return "nothing".to_string();
    }
    let quoted: Vec<String> = values.iter().map(|v| format!("{v:?}")).collect();
    quoted.join(", ")
}

fn show(v: &Option<String>) -> String {
    match v {
        Some(s) => format!("{s:?}"),
        None => "absent".to_string(),
    }
}

/// E.g. `get k at [1200,1300] by client 2 (#7) returned "a"`.
fn describe(e: &HistoryEntry) -> String {
    let what = match &e.op {
        KvOp::Put { key, value } => format!("put {key}={value:?}"),
        KvOp::Get { key } => format!("get {key}"),
        KvOp::Cas {
            key,
            expected,
            value,
        } => format!("cas {key} {}->{value:?}", show(expected)),
    };
    let (span, outcome) = match e.complete_ms {
        None => (
            format!("[{},…)", e.invoke_ms),
            " with no answer".to_string(),
        ),
        Some(c) => (
            format!("[{},{c}]", e.invoke_ms),
            describe_result(e.result.as_ref()),
        ),
    };
    format!(
        "{what} at {span} by client {} (#{}){outcome}",
        e.client, e.id
    )
}

fn describe_result(result: Option<&KvResult>) -> String {
    match result {
        None => String::new(),
        Some(KvResult::Ok) => " ok".to_string(),
        Some(KvResult::Value(v)) => format!(" returned {}", show(v)),
        Some(KvResult::CasOk) => " succeeded".to_string(),
        Some(KvResult::CasFailed { current }) => format!(" failed, finding {}", show(current)),
        Some(KvResult::Refused) => " refused (no effect)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn op(step: Step, invoke: u64, end: u64, optional: bool) -> SearchOp {
        SearchOp {
            entry: 0,
            step,
            invoke,
            end,
            optional,
            twin_before: None,
        }
    }

    #[test]
    fn unobserved_incomplete_writes_get_no_deadline() {
        let ops = [
            op(Step::Write(1), 0, u64::MAX, true),  // value 1 read at [5,9]
            op(Step::Write(2), 0, u64::MAX, true),  // value 2 never observed
            op(Step::Write(3), 20, u64::MAX, true), // value 3 read only before it began
            op(Step::Read(1), 5, 9, false),
            op(Step::Read(3), 5, 9, false),
        ];
        let d = assign_deadlines(&ops, 4);
        assert_eq!(d, vec![Some(9), None, None, Some(9), Some(9)]);
    }

    #[test]
    fn deadlines_propagate_through_incomplete_cas_chains() {
        let ops = [
            op(Step::Write(1), 0, u64::MAX, true),
            op(
                Step::CasMaybe {
                    expected: 1,
                    new: 2,
                },
                1,
                u64::MAX,
                true,
            ),
            op(
                Step::CasMaybe {
                    expected: 2,
                    new: 3,
                },
                2,
                u64::MAX,
                true,
            ),
            op(Step::Read(3), 10, 40, false),
            // A cycle of incomplete CAS observed by nobody complete: all dropped.
            op(
                Step::CasMaybe {
                    expected: 5,
                    new: 6,
                },
                0,
                u64::MAX,
                true,
            ),
            op(
                Step::CasMaybe {
                    expected: 6,
                    new: 5,
                },
                0,
                u64::MAX,
                true,
            ),
        ];
        let d = assign_deadlines(&ops, 7);
        assert_eq!(d, vec![Some(40), Some(40), Some(40), Some(40), None, None]);
    }

    #[test]
    fn memo_distinguishes_sets_and_values_even_on_hash_collisions() {
        let mut memo = Memo::new();
        assert!(memo.insert(7, &[1, 0], 0));
        assert!(!memo.insert(7, &[1, 0], 0));
        assert!(memo.insert(7, &[1, 0], 1));
        assert!(memo.insert(7, &[0, 1], 0));
        for i in 0..1000u64 {
            assert!(memo.insert(i % 3, &[i, 5], 2));
        }
        assert!(!memo.insert(2, &[500, 5], 2));
        assert!(!memo.insert(7, &[0, 1], 0));
    }

    #[test]
    fn lift_and_unlift_restore_the_event_list() {
        let ops = [
            op(Step::Write(1), 0, 10, false),
            op(Step::Read(1), 5, 10, false),
            op(Step::Read(1), 10, 20, false),
        ];
        let mut list = EventList::new(&ops);
        let walk = |l: &EventList| {
            let mut v = Vec::new();
            let mut n = l.first();
            while n != l.next.len() - 1 {
                v.push((l.op_of[n], l.is_call[n]));
                n = l.next[n];
            }
            v
        };
        let full = walk(&list);
        // Calls at time 10 come before returns at time 10.
        assert_eq!(
            full,
            vec![
                (0, true),
                (1, true),
                (2, true),
                (0, false),
                (1, false),
                (2, false)
            ]
        );
        list.lift(1);
        list.lift(0);
        assert_eq!(walk(&list), vec![(2, true), (2, false)]);
        list.unlift(0);
        list.unlift(1);
        assert_eq!(walk(&list), full);
        list.lift(0);
        list.lift(1);
        list.lift(2);
        assert!(list.is_empty());
    }
}
