//! The safety rules of spec section 14, as the explorer checks them: state predicates over a
//! whole model state (`check_state`), and step rules over one monitor's `handle` call
//! (`check_send`, `check_handled`). The names are the simulator checker's (`check::INVARIANTS`),
//! plus `acknowledged-write-committed` and, per compare-and-set answer, the campaign's
//! client-facing `linearizability`.
//!
//! The simulator's checker (`check/`) is written against `World` and a trace; the model has
//! neither, so the rules are restated here over the model's state. Like the checker, they look
//! at what really happened (durable stores, messages on the wire, deliveries recorded in the
//! ghost variables) rather than at the protocol's own counters.

use super::state::{Ghost, State, N};
use crate::actor::Rank;
use crate::check::{Broken, Check};
use crate::protocols::ceph::messages::{ElectionOp, Msg, PaxosOp, Pn, Sync, Version};
use crate::protocols::ceph::store::ValueOp;
use crate::protocols::ceph::{MonState, Monitor, PaxosState, Store, Value};
use std::collections::BTreeMap;
use std::rc::Rc;

pub const AGREEMENT: &str = "agreement";
pub const CONTIGUITY: &str = "contiguity";
pub const MONOTONIC: &str = "monotonic-commit";
pub const COMMIT_ALL: &str = "commit-needs-every-accept";
pub const RECOVERY_ALL: &str = "recovery-needs-every-last";
pub const ONE_VALUE: &str = "one-value-in-flight";
pub const PN_SHAPE: &str = "pn-shape-and-freshness";
pub const PROMISES: &str = "promises-kept";
pub const PERSIST: &str = "persist-before-send";
pub const UNCOMMITTED: &str = "uncommitted-value-adopted";
pub const PARITY: &str = "epoch-parity";
pub const FILTER: &str = "epoch-filter";
pub const ACKED: &str = "acknowledged-write-committed";
/// The campaign's client-facing check, restated per answer: a committed compare-and-set got
/// the answer the sequential key-value spec gives it at its place in the commit order.
pub const LINEARIZABLE: &str = "linearizability";
pub const READ_FRESH: &str = crate::check::reads::WITHIN;
pub const READ_LEASE: &str = crate::check::reads::UNDER_LEASE;
pub const READS_SERVED: &str = crate::check::service::READS_SERVED;
pub const WRITES_TAKEN: &str = crate::check::service::WRITES_TAKEN;
pub const TIMEOUT_BOOTSTRAPS: &str = crate::check::timeouts::NAME;
pub const LEADER: &str = crate::check::epochs::LEADER;
/// Two monitors leading one epoch: Ceph allows it (docs/campaign.md), so the explorer reports
/// its first instance as a finding, not a violation.
pub const TWO_WINNERS: &str = "two-leaders-in-one-epoch";
pub const NEVER_LEADS: &str = crate::check::elections::NEVER_LEADS;
pub const DEFERS_TO_BETTER: &str = crate::check::elections::DEFERS_TO_BETTER;
pub const SCORES_IN_RANGE: &str = crate::check::elections::SCORES_IN_RANGE;

/// Every rule checked in every state or step, in the order of the report.
pub const CHECKED: [&str; 23] = [
    AGREEMENT,
    CONTIGUITY,
    MONOTONIC,
    COMMIT_ALL,
    RECOVERY_ALL,
    ONE_VALUE,
    PN_SHAPE,
    PROMISES,
    PERSIST,
    UNCOMMITTED,
    PARITY,
    FILTER,
    LEADER,
    READ_FRESH,
    READ_LEASE,
    READS_SERVED,
    WRITES_TAKEN,
    TIMEOUT_BOOTSTRAPS,
    ACKED,
    LINEARIZABLE,
    NEVER_LEADS,
    DEFERS_TO_BETTER,
    SCORES_IN_RANGE,
];

fn broken(invariant: &'static str, node: Rank, detail: String) -> Check {
    Err(Broken {
        invariant,
        node: Some(node),
        detail,
    })
}

// ------------------------------------------------------------------ state predicates

/// Every state predicate, first failure first.
pub fn check_state(s: &State) -> Check {
    agreement(s)?;
    contiguity(s)?;
    one_value(s)?;
    pn_shape(s)?;
    epoch_parity(s)?;
    read_fresh(s)
}

/// Values known committed: every store's `[fc, lc]`, and the committed part of messages in
/// flight (COMMIT, LAST, sync chunks), since a receiver may commit them.
fn committed_claims(s: &State) -> Vec<(Rank, Version, &Rc<Value>)> {
    let mut out = Vec::new();
    for (r, m) in s.monitors.iter().enumerate() {
        out.extend(store_committed(&m.store).map(|(v, val)| (r as Rank, v, val)));
    }
    for (from, _, msg) in s.in_flight() {
        out.extend(msg_committed(msg).map(|(v, val)| (from, v, val)));
    }
    out
}

/// A store's committed values, `[fc, lc]`.
fn store_committed(st: &Store) -> impl Iterator<Item = (Version, &Rc<Value>)> {
    let from = st.first_committed.max(1);
    let to = st.last_committed;
    let range = (from <= to).then(|| st.values.range(from..=to));
    range.into_iter().flatten().map(|(v, val)| (*v, val))
}

/// The committed part of a message on the wire (COMMIT, LAST, sync chunks): a receiver may
/// commit it.
fn msg_committed(msg: &Msg) -> Box<dyn Iterator<Item = (Version, &Rc<Value>)> + '_> {
    let claims: Box<dyn Iterator<Item = (&Version, &Rc<Value>)>> = match msg {
        Msg::Paxos(p) if matches!(p.op, PaxosOp::Commit | PaxosOp::Last) => {
            Box::new(p.values.range(..=p.last_committed))
        }
        Msg::Sync(Sync::LastChunk {
            last_committed,
            values,
            ..
        }) => Box::new(values.range(..=*last_committed)),
        Msg::Sync(Sync::FullChunk(snap)) => Box::new(snap.values.range(..=snap.last_committed)),
        _ => Box::new(std::iter::empty()),
    };
    Box::new(claims.map(|(v, val)| (*v, val)))
}

/// Spec 14.1: one value per committed version, in stores and on the wire.
pub fn agreement(s: &State) -> Check {
    // A handful of versions: a linear search beats a map (this runs in every state).
    let mut chosen: Vec<(Version, Rank, &Rc<Value>)> = Vec::with_capacity(16);
    for (r, v, val) in committed_claims(s) {
        match chosen
            .iter()
            .find(|(cv, ..)| *cv == v)
            .map(|(_, o, f)| (*o, *f))
        {
            Some((other, first)) if !Rc::ptr_eq(first, val) && first != val => {
                return broken(
                    AGREEMENT,
                    r,
                    format!(
                        "v{v} committed as [{}] by mon.{r} but as [{}] by mon.{other}",
                        val.describe(),
                        first.describe()
                    ),
                );
            }
            Some(_) => {}
            None => chosen.push((v, r, val)),
        }
    }
    Ok(())
}

/// Spec 14.2: a store holds exactly `[fc, lc]` and possibly `lc + 1`.
pub fn contiguity(s: &State) -> Check {
    for (r, m) in s.monitors.iter().enumerate() {
        if let Err(detail) = store_contiguous(&m.store) {
            return broken(CONTIGUITY, r as Rank, detail);
        }
    }
    Ok(())
}

fn store_contiguous(st: &Store) -> Result<(), String> {
    let (fc, lc) = (st.first_committed, st.last_committed);
    if lc > 0 && (fc == 0 || fc > lc) {
        return Err(format!("first_committed {fc} with last_committed {lc}"));
    }
    let lowest = if lc == 0 { 1 } else { fc };
    if let Some((v, _)) = st
        .values
        .range(..lowest)
        .next()
        .or_else(|| st.values.range(lc + 2..).next())
    {
        return Err(format!("stores v{v} outside [{lowest}, {}]", lc + 1));
    }
    let committed = if lc == 0 { 0 } else { (lc - fc + 1) as usize };
    let expected = committed + usize::from(st.values.contains_key(&(lc + 1)));
    if st.values.len() != expected {
        return Err(format!(
            "a gap among versions {fc}..={lc} ({} stored)",
            st.values.len()
        ));
    }
    Ok(())
}

/// Spec 14.6: a BEGIN proposes exactly `lc + 1`, and one (pn, version) names one value, in
/// every store's pending value and every BEGIN on the wire.
pub fn one_value(s: &State) -> Check {
    let mut proposed: BTreeMap<(Pn, Version), (Rank, &Rc<Value>)> = BTreeMap::new();
    let mut claims: Vec<(Rank, Pn, Version, &Rc<Value>)> = Vec::new();
    for (r, m) in s.monitors.iter().enumerate() {
        if let Some((pn, v, val)) = store_pending(&m.store) {
            claims.push((r as Rank, pn, v, val));
        }
    }
    for (from, _, msg) in s.in_flight() {
        if let Some((pn, v, val)) = begin_claim(from, msg)? {
            claims.push((from, pn, v, val));
        }
    }
    for (r, pn, v, val) in claims {
        match proposed.get(&(pn, v)) {
            Some((other, first)) if !Rc::ptr_eq(first, val) && *first != val => {
                return broken(
                    ONE_VALUE,
                    r,
                    format!(
                        "pn {pn} proposes v{v} as [{}] at mon.{r} and as [{}] at mon.{other}",
                        val.describe(),
                        first.describe()
                    ),
                );
            }
            Some(_) => {}
            None => {
                proposed.insert((pn, v), (r, val));
            }
        }
    }
    Ok(())
}

/// A store's pending value (pn, version, value), if it holds one at `lc + 1`.
fn store_pending(st: &Store) -> Option<(Pn, Version, &Rc<Value>)> {
    if st.pending_v != st.last_committed + 1 {
        return None;
    }
    let val = st.values.get(&st.pending_v)?;
    Some((st.pending_pn, st.pending_v, val))
}

/// A BEGIN's proposal (pn, version, value); broken if it does not propose exactly `lc + 1`.
#[allow(clippy::type_complexity)]
fn begin_claim(from: Rank, msg: &Msg) -> Result<Option<(Pn, Version, &Rc<Value>)>, Broken> {
    let Msg::Paxos(p) = msg else { return Ok(None) };
    if p.op != PaxosOp::Begin {
        return Ok(None);
    }
    let versions: Vec<Version> = p.values.keys().copied().collect();
    if versions != [p.last_committed + 1] {
        return Err(Broken {
            invariant: ONE_VALUE,
            node: Some(from),
            detail: format!(
                "BEGIN at lc {} carries versions {versions:?}",
                p.last_committed
            ),
        });
    }
    let (v, val) = p.values.iter().next().expect("checked above");
    Ok(Some((p.pn, *v, val)))
}

/// Spec 14.7, shape: a pn's low two digits are its proposer's rank. A monitor's own `last_pn`
/// and every COLLECT/BEGIN carry their proposer's rank; every pn anywhere names some rank.
pub fn pn_shape(s: &State) -> Check {
    for (r, m) in s.monitors.iter().enumerate() {
        monitor_pn_shape(r as Rank, m)?;
    }
    for (from, _, msg) in s.in_flight() {
        msg_pn_shape(from, msg)?;
    }
    Ok(())
}

fn valid_pn(pn: Pn) -> bool {
    pn == 0 || ((pn % 100) as usize) < N
}

fn monitor_pn_shape(r: Rank, m: &Monitor) -> Check {
    let st = &m.store;
    if st.last_pn != 0 && st.last_pn % 100 != r as Pn {
        return broken(
            PN_SHAPE,
            r,
            format!("own last_pn {} does not end in rank {r}", st.last_pn),
        );
    }
    for (what, pn) in [
        ("accepted_pn", st.accepted_pn),
        ("pending_pn", st.pending_pn),
        ("promise", m.paxos.accepted_pn),
    ] {
        if !valid_pn(pn) {
            return broken(PN_SHAPE, r, format!("{what} {pn} names no rank"));
        }
    }
    Ok(())
}

fn msg_pn_shape(from: Rank, msg: &Msg) -> Check {
    let Msg::Paxos(p) = msg else { return Ok(()) };
    let own = matches!(p.op, PaxosOp::Collect | PaxosOp::Begin);
    if (own && p.pn % 100 != from as Pn) || !valid_pn(p.pn) || !valid_pn(p.uncommitted_pn) {
        return broken(
            PN_SHAPE,
            from,
            format!("{} from mon.{from} carries pn {}", p.op_name(), p.pn),
        );
    }
    Ok(())
}

/// Spec 14.11: leaders and peons sit at even epochs; PROPOSE and ACK carry odd epochs, VICTORY
/// and Paxos messages even ones.
pub fn epoch_parity(s: &State) -> Check {
    for (r, m) in s.monitors.iter().enumerate() {
        if s.up[r] && matches!(m.state, MonState::Leader | MonState::Peon) && m.epoch % 2 == 1 {
            return broken(
                PARITY,
                r as Rank,
                format!("{} at odd epoch {}", m.state.name(), m.epoch),
            );
        }
    }
    for (from, _, msg) in s.in_flight() {
        msg_parity(from, msg)?;
    }
    Ok(())
}

/// The monitors' half of `epoch_parity`: every running leader and peon at an even epoch.
pub fn monitors_at_even_epochs(s: &State) -> bool {
    (0..N).all(|r| {
        let m = &s.monitors[r];
        !(s.up[r] && matches!(m.state, MonState::Leader | MonState::Peon) && m.epoch % 2 == 1)
    })
}

fn msg_parity(from: Rank, msg: &Msg) -> Check {
    let (odd_expected, epoch) = match msg {
        Msg::Election(e) if e.op != ElectionOp::Nak => (
            matches!(e.op, ElectionOp::Propose | ElectionOp::Ack),
            e.epoch,
        ),
        Msg::Paxos(p) => (false, p.epoch),
        _ => return Ok(()),
    };
    if (epoch % 2 == 1) != odd_expected {
        let what = msg.summary();
        return broken(PARITY, from, format!("{what} carries epoch {epoch}"));
    }
    Ok(())
}

/// What the state predicates need of one monitor (`memo::Cache::state_holds`).
pub fn monitor_facts(m: &Monitor) -> super::memo::MonitorFacts {
    let ok_alone = store_contiguous(&m.store).is_ok() && monitor_pn_shape(m.rank, m).is_ok();
    super::memo::MonitorFacts {
        ok_alone,
        committed: store_committed(&m.store)
            .map(|(v, val)| (v, val.clone()))
            .collect(),
        pending: store_pending(&m.store).map(|(pn, v, val)| (pn, v, val.clone())),
    }
}

/// What the state predicates need of one message from `from` on the wire.
pub fn msg_facts(from: Rank, msg: &Msg) -> super::memo::MsgFacts {
    let begin = begin_claim(from, msg);
    let ok_alone =
        begin.is_ok() && msg_pn_shape(from, msg).is_ok() && msg_parity(from, msg).is_ok();
    super::memo::MsgFacts {
        ok_alone,
        committed: msg_committed(msg)
            .map(|(v, val)| (v, val.clone()))
            .collect(),
        begin: begin
            .ok()
            .flatten()
            .map(|(pn, v, val)| (pn, v, val.clone())),
    }
}

/// Spec 14.14 (`check::reads::behind_in_epoch`): a running monitor that could answer a read
/// now holds the latest commit of its epoch (the highest lc of that epoch's running leaders
/// and peons).
pub fn read_fresh(s: &State) -> Check {
    let in_quorum =
        |r: usize| s.up[r] && matches!(s.monitors[r].state, MonState::Leader | MonState::Peon);
    for r in (0..N).filter(|r| in_quorum(*r)) {
        let m = &s.monitors[r];
        if !m.is_readable_at(super::state::T0_MS) {
            continue;
        }
        let latest = (0..N)
            .filter(|o| in_quorum(*o) && s.monitors[*o].epoch == m.epoch)
            .map(|o| s.monitors[o].store.last_committed)
            .max()
            .unwrap_or(0);
        if let Some(detail) =
            crate::check::reads::behind_in_epoch(m.epoch, m.store.last_committed, latest)
        {
            return broken(READ_FRESH, r as Rank, detail);
        }
    }
    Ok(())
}

/// Spec 10.5 (`check::reads::unleased_read`): monitor `r` answered a read with a value; it
/// held what that needs (the model's clock reads `T0_MS`).
pub fn read_under_lease(r: Rank, m: &Monitor) -> Check {
    match crate::check::reads::unleased_read(m, super::state::T0_MS) {
        Some(detail) => broken(READ_LEASE, r, detail),
        None => Ok(()),
    }
}

/// The service's duty (`check::service::refused_servable_read`): monitor `r` refused a read;
/// it held nothing that would have let it serve one (the model's clock reads `T0_MS`).
pub fn read_refusal(r: Rank, m: &Monitor) -> Check {
    match crate::check::service::refused_servable_read(m, super::state::T0_MS) {
        Some(detail) => broken(READS_SERVED, r, detail),
        None => Ok(()),
    }
}

/// The service's duty (`check::service::refused_write_in_quorum`): monitor `r`, as it stands
/// after the step, refused a write; it is outside any quorum.
pub fn write_refusal(r: Rank, m: &Monitor) -> Check {
    match crate::check::service::refused_write_in_quorum(m) {
        Some(detail) => broken(WRITES_TAKEN, r, detail),
        None => Ok(()),
    }
}

/// Spec 1.3 (`check::timeouts::still_leading`): monitor `r` has just handled `timer`; a
/// leader's Paxos timeout must have sent it back to bootstrap.
pub fn timeout_bootstraps(r: Rank, timer: crate::protocols::ceph::Timer, m: &Monitor) -> Check {
    match crate::check::timeouts::still_leading(timer, m) {
        Some(detail) => broken(TIMEOUT_BOOTSTRAPS, r, detail),
        None => Ok(()),
    }
}

/// Spec 14.13 as the spec words it: no two running monitors lead the same epoch, and no peon
/// follows someone other than its epoch's running leader. Ceph does not guarantee this (a
/// monitor may ack two proposers of one epoch), so the explorer reports it as a finding.
pub fn two_winners(s: &State) -> Check {
    let up = |r: usize| s.up[r];
    for a in (0..N).filter(|r| up(*r)) {
        let ma = &s.monitors[a];
        if ma.state != MonState::Leader {
            continue;
        }
        for b in (0..N).filter(|r| up(*r) && *r != a) {
            let mb = &s.monitors[b];
            if mb.epoch != ma.epoch {
                continue;
            }
            if mb.state == MonState::Leader {
                return broken(
                    TWO_WINNERS,
                    b as Rank,
                    format!("mon.{a} and mon.{b} both lead epoch {}", ma.epoch),
                );
            }
            if mb.state == MonState::Peon && mb.leader != Some(a as Rank) {
                return broken(
                    TWO_WINNERS,
                    b as Rank,
                    format!(
                        "mon.{b} is a peon of epoch {} following mon.{:?} while mon.{a} leads it",
                        ma.epoch, mb.leader
                    ),
                );
            }
        }
    }
    Ok(())
}

// ------------------------------------------------------------------ step rules

/// Rules about one message leaving monitor `r`, given its store as it stood when the message
/// left (`durable`: the transactions before the send in the same step applied). Updates the
/// ghost bookkeeping that later rules need. The two halves: `check_send_durable` (the store
/// alone) and `record_send` (the ghost), which the explorer's memo calls apart.
pub fn check_send(r: Rank, durable: &Store, msg: &Msg, ghost: &mut Ghost) -> Check {
    check_send_durable(r, durable, msg)?;
    record_send(r, msg, &collect_report(durable, msg), ghost)
}

/// The rules about a message leaving that look only at the sender's durable store.
pub fn check_send_durable(r: Rank, durable: &Store, msg: &Msg) -> Check {
    persist_before_send(r, durable, msg)?;
    match msg {
        Msg::Paxos(p)
            if p.op == PaxosOp::Collect && (durable.last_pn < p.pn || p.pn % 100 != r as Pn) =>
        {
            broken(
                PN_SHAPE,
                r,
                format!("COLLECT pn {} is not this monitor's fresh pn", p.pn),
            )
        }
        _ => Ok(()),
    }
}

/// For a COLLECT, the sender's own uncommitted value when it left (it counts as a report to
/// itself); nothing for any other message.
pub fn collect_report(durable: &Store, msg: &Msg) -> Vec<(Pn, Version, Rc<Value>)> {
    match msg {
        Msg::Paxos(p) if p.op == PaxosOp::Collect => own_report(durable),
        _ => Vec::new(),
    }
}

/// The rules about a message leaving that need the ghost, and its bookkeeping. `own_report`:
/// `collect_report` of the message.
pub fn record_send(
    r: Rank,
    msg: &Msg,
    own_report: &[(Pn, Version, Rc<Value>)],
    ghost: &mut Ghost,
) -> Check {
    let Msg::Paxos(p) = msg else { return Ok(()) };
    match p.op {
        PaxosOp::Collect => {
            if ghost.collect != Some((p.epoch, p.pn)) {
                ghost.collect = Some((p.epoch, p.pn));
                ghost.lasts.clear();
                ghost.reports = own_report.to_vec();
                ghost.first_begin_unchecked = true;
            }
        }
        PaxosOp::Last => {
            if p.pn < ghost.max_promise {
                return broken(
                    PROMISES,
                    r,
                    format!(
                        "LAST promises pn {} below an earlier promise {}",
                        p.pn, ghost.max_promise
                    ),
                );
            }
            ghost.max_promise = p.pn;
        }
        PaxosOp::Accept if p.pn < ghost.max_promise => {
            return broken(
                PROMISES,
                r,
                format!(
                    "ACCEPT for pn {} below its promise {}",
                    p.pn, ghost.max_promise
                ),
            );
        }
        PaxosOp::Begin => {
            if std::mem::take(&mut ghost.first_begin_unchecked) {
                adopted_reported_value(r, p, &ghost.reports)?;
                ghost.reports.clear();
            }
            let key = Some((p.epoch, p.pn, p.last_committed));
            if ghost.begin != key {
                ghost.begin = key;
                ghost.accepts.clear();
            }
        }
        _ => {}
    }
    Ok(())
}

/// The leader's own uncommitted value counts as a report to itself.
fn own_report(st: &Store) -> Vec<(Pn, Version, Rc<Value>)> {
    let v = st.last_committed + 1;
    match st.values.get(&v) {
        Some(val) if st.pending_v == v => vec![(st.pending_pn, v, val.clone())],
        _ => Vec::new(),
    }
}

/// Spec 14.10: the first BEGIN after recovery re-proposes the reported uncommitted value
/// with the highest pn for its version, if any was reported.
fn adopted_reported_value(
    r: Rank,
    p: &crate::protocols::ceph::Paxos,
    reports: &[(Pn, Version, Rc<Value>)],
) -> Check {
    let v = p.last_committed + 1;
    let candidates: Vec<_> = reports.iter().filter(|(_, ver, _)| *ver == v).collect();
    let Some(best) = candidates.iter().map(|(pn, _, _)| *pn).max() else {
        return Ok(());
    };
    let sent = p.values.get(&v);
    if candidates
        .iter()
        .any(|(pn, _, val)| *pn == best && sent.is_some_and(|s| **s == **val))
    {
        return Ok(());
    }
    broken(
        UNCOMMITTED,
        r,
        format!("first BEGIN after recovery proposes a new v{v} although v{v} (pn {best}) was reported uncommitted"),
    )
}

/// Spec 14.9: a message leaves only after the write it depends on is durable.
pub fn persist_before_send(r: Rank, s: &Store, msg: &Msg) -> Check {
    match crate::check::persist_before_send::unpersisted_send(s, msg) {
        Some(detail) => broken(PERSIST, r, detail),
        None => Ok(()),
    }
}

/// A Paxos message as it was delivered, for the step rules.
#[derive(Clone, Debug)]
pub struct Delivered {
    pub from: Rank,
    pub op: PaxosOp,
    pub epoch: u64,
    pub pn: Pn,
    pub lc: Version,
    /// LAST only: the uncommitted value it reported.
    pub report: Option<(Pn, Version, Rc<Value>)>,
}

impl Delivered {
    pub fn of(from: Rank, msg: &Msg) -> Option<Delivered> {
        let p = msg.paxos()?;
        let v = p.last_committed + 1;
        let report = match p.values.get(&v) {
            Some(val) if p.op == PaxosOp::Last && p.uncommitted_pn > 0 => {
                Some((p.uncommitted_pn, v, val.clone()))
            }
            _ => None,
        };
        Some(Delivered {
            from,
            op: p.op,
            epoch: p.epoch,
            pn: p.pn,
            lc: p.last_committed,
            report,
        })
    }

    /// Record a LAST or ACCEPT that reached the leader it answers.
    pub fn record(&self, ghost: &mut Ghost) {
        match self.op {
            PaxosOp::Last if ghost.collect == Some((self.epoch, self.pn)) => {
                ghost.lasts.insert(self.from);
                if let Some(rep) = &self.report {
                    if !ghost.reports.contains(rep) {
                        ghost.reports.push(rep.clone());
                        ghost.reports.sort();
                    }
                }
            }
            PaxosOp::Accept if ghost.begin == Some((self.epoch, self.pn, self.lc)) => {
                ghost.accepts.insert(self.from);
            }
            _ => {}
        }
    }
}

/// Rules about one `handle` call of monitor `r`, from `before` to `after`.
pub fn check_handled(
    r: Rank,
    before: &Monitor,
    after: &Monitor,
    delivered: Option<&Delivered>,
    sent_paxos: bool,
    ghost: &mut Ghost,
) -> Check {
    check_handled_alone(r, before, after, delivered, sent_paxos)?;
    every_member(r, before, after, ghost)?;
    crate::check::elections::check_handled(r, before, after)?;
    if after.state != MonState::Leader {
        ghost.forget_leadership();
    }
    Ok(())
}

/// The first rules of `check_handled`, which look at the monitor and its input alone: durable
/// counters never go back, and the epoch filter.
pub fn check_handled_alone(
    r: Rank,
    before: &Monitor,
    after: &Monitor,
    delivered: Option<&Delivered>,
    sent_paxos: bool,
) -> Check {
    durable_monotone(r, &before.store, &after.store)?;
    if let Some(d) = delivered {
        epoch_filter(r, before, after, d, sent_paxos)?;
    }
    Ok(())
}

/// Spec 14.3 and the durable halves of 14.8 and 14.11: lc, the promise and the epoch never go back.
pub fn durable_monotone(r: Rank, before: &Store, after: &Store) -> Check {
    if after.last_committed < before.last_committed {
        return broken(
            MONOTONIC,
            r,
            format!(
                "last_committed went back from {} to {}",
                before.last_committed, after.last_committed
            ),
        );
    }
    if after.accepted_pn < before.accepted_pn {
        return broken(
            PROMISES,
            r,
            format!(
                "persisted accepted_pn went back from {} to {}",
                before.accepted_pn, after.accepted_pn
            ),
        );
    }
    if after.election_epoch < before.election_epoch {
        return broken(
            PARITY,
            r,
            format!(
                "durable epoch went back from {} to {}",
                before.election_epoch, after.election_epoch
            ),
        );
    }
    Ok(())
}

/// Spec 14.12: a Paxos message from another epoch, or to a peon from someone other than its
/// leader, changes nothing durable and sends nothing (or, from a newer epoch, makes it probe).
fn epoch_filter(
    r: Rank,
    before: &Monitor,
    after: &Monitor,
    d: &Delivered,
    sent_paxos: bool,
) -> Check {
    let foreign_epoch = d.epoch != before.epoch;
    let not_my_leader = before.state == MonState::Peon && before.leader != Some(d.from);
    if !(foreign_epoch || not_my_leader) {
        return Ok(());
    }
    let (b, a) = (&before.store, &after.store);
    let bootstrapped = after.state == MonState::Probing && d.epoch > before.epoch;
    let unchanged = a.last_committed == b.last_committed
        && a.accepted_pn == b.accepted_pn
        && a.values.len() == b.values.len();
    if bootstrapped || (unchanged && !sent_paxos) {
        return Ok(());
    }
    broken(
        FILTER,
        r,
        format!(
            "processed {:?} from mon.{} at epoch {} while at epoch {}",
            d.op, d.from, d.epoch, before.epoch
        ),
    )
}

/// Spec 14.4 and 14.5: a leader leaves recovery only with a LAST from every quorum member,
/// and starts a commit only with an ACCEPT from every quorum member, as delivered.
/// (Needs the ghost: `check_handled` calls it between the rules on the monitor alone.)
pub fn every_member(r: Rank, before: &Monitor, after: &Monitor, ghost: &mut Ghost) -> Check {
    let stays_leader = before.state == MonState::Leader
        && after.state == MonState::Leader
        && before.epoch == after.epoch;
    if !stays_leader || after.quorum.len() < 2 {
        return Ok(());
    }
    let missing = |got: &crate::ranks::RankSet| -> Vec<Rank> {
        after
            .quorum
            .iter()
            .copied()
            .filter(|q| *q != r && !got.contains(*q))
            .collect()
    };
    let writing = |s: PaxosState| matches!(s, PaxosState::Writing | PaxosState::WritingPrevious);
    if before.paxos.state == PaxosState::Recovering && after.paxos.state != PaxosState::Recovering {
        let pn = after.paxos.accepted_pn;
        let absent = if ghost.collect == Some((after.epoch, pn)) {
            missing(&ghost.lasts)
        } else {
            missing(&Default::default())
        };
        if !absent.is_empty() {
            return broken(
                RECOVERY_ALL,
                r,
                format!("left recovery (pn {pn}) without a LAST from {absent:?}"),
            );
        }
        ghost.lasts.clear();
    }
    if writing(after.paxos.state) && !writing(before.paxos.state) {
        let key = Some((
            after.epoch,
            after.paxos.accepted_pn,
            after.store.last_committed,
        ));
        let absent = if ghost.begin == key {
            missing(&ghost.accepts)
        } else {
            missing(&Default::default())
        };
        if !absent.is_empty() {
            let v = after.store.last_committed + 1;
            return broken(
                COMMIT_ALL,
                r,
                format!(
                    "commits v{v} without an ACCEPT from {absent:?} (quorum {:?})",
                    after.quorum
                ),
            );
        }
        ghost.accepts.clear();
    }
    Ok(())
}

/// A client was told its put committed at `version`: some store has it committed there.
pub fn acknowledged_write(r: Rank, s: &State, req_id: u64, version: Version) -> Check {
    let holds = s.monitors.iter().any(|m| {
        m.store.last_committed >= version
            && m.store.values.get(&version).is_some_and(|val| {
                val.ops
                    .iter()
                    .any(|op| matches!(op, ValueOp::Client(req) if req.id == req_id))
            })
    });
    if holds {
        return Ok(());
    }
    broken(
        ACKED,
        r,
        format!("write {req_id} acknowledged at v{version}, which no store has committed with it"),
    )
}

/// A compare-and-set `req_id` was answered (`applied`, having found `current`) as committed at
/// `version`. In the commit order (one value per version, `agreement`) its answer must be the
/// sequential one: `current` is what the committed operations before `version` left in its
/// key, and it applied if and only if that is the value it expected. Judged on a store that
/// holds every version up to `version` (an untrimmed one; the model's runs never trim).
pub fn cas_answer(
    r: Rank,
    s: &State,
    req_id: u64,
    applied: bool,
    current: Option<&str>,
    version: Version,
) -> Check {
    let Some((store, op)) = s.monitors.iter().find_map(|m| {
        let store = &m.store;
        let full = store.first_committed <= 1 && store.last_committed >= version;
        full.then(|| committed_request(store, version, req_id))
            .flatten()
            .map(|op| (store, op))
    }) else {
        return Ok(()); // no store holds its history: `acknowledged-write-committed` judges
    };
    let crate::client::ClientOp::Cas { key, expected, .. } = op else {
        return broken(
            LINEARIZABLE,
            r,
            format!("request {req_id} answered as a compare-and-set is not one"),
        );
    };
    let before = value_before(store, key, version, req_id);
    if before.as_deref() != current {
        return broken(
            LINEARIZABLE,
            r,
            format!(
                "cas {req_id} at v{version} reports {key} = {} but the versions before it leave {}",
                current.unwrap_or("absent"),
                before.as_deref().unwrap_or("absent")
            ),
        );
    }
    if applied != (expected.as_deref() == current) {
        return broken(
            LINEARIZABLE,
            r,
            format!(
                "cas {req_id} at v{version} expected {} and found {}, yet answered applied={applied}",
                expected.as_deref().unwrap_or("absent"),
                current.unwrap_or("absent")
            ),
        );
    }
    Ok(())
}

/// The client operation `req_id` committed at `version` in `store`.
fn committed_request(
    store: &Store,
    version: Version,
    req_id: u64,
) -> Option<&crate::client::ClientOp> {
    store
        .values
        .get(&version)?
        .ops
        .iter()
        .find_map(|op| match op {
            ValueOp::Client(req) if req.id == req_id => Some(&req.op),
            _ => None,
        })
}

/// The value of `key` just before request `req_id` (committed at `version`): the committed
/// operations of versions 1 to `version`, in order and up to that request (a version may batch
/// several), applied with the sequential key-value spec (a put writes; a compare-and-set writes
/// if its expected value is the current one).
fn value_before(store: &Store, key: &str, version: Version, req_id: u64) -> Option<Rc<str>> {
    use crate::client::ClientOp;
    let mut x: Option<Rc<str>> = None;
    for v in 1..=version {
        let Some(value) = store.values.get(&v) else {
            continue;
        };
        for op in &value.ops {
            let ValueOp::Client(req) = op else { continue };
            if req.id == req_id {
                return x;
            }
            match &req.op {
                ClientOp::Put { key: k, value } if &**k == key => x = Some(value.clone()),
                ClientOp::Cas {
                    key: k,
                    expected,
                    value,
                } if &**k == key && *expected == x => x = Some(value.clone()),
                _ => {}
            }
        }
    }
    x
}

/// The step took leader `before` out of recovery, in the same epoch.
pub fn left_recovery(before: &Monitor, after: &Monitor) -> bool {
    before.state == MonState::Leader
        && after.state == MonState::Leader
        && before.epoch == after.epoch
        && before.paxos.state == PaxosState::Recovering
        && after.paxos.state != PaxosState::Recovering
}

/// Spec 14.13 as Ceph guarantees it (`check::epochs::second_recovered_leader`): monitor `r`
/// just left recovery as leader of `epoch`; no other monitor did in that epoch, in any of its
/// lives (`Ghost::recovered`).
pub fn one_leader_recovers(r: Rank, epoch: u64, ghosts: &[Rc<Ghost>]) -> Check {
    let first = (0..N)
        .filter(|o| *o != r as usize)
        .find(|o| ghosts[*o].recovered.contains(&epoch))
        .map(|o| o as Rank);
    match crate::check::epochs::second_recovered_leader(epoch, r, first) {
        Some(detail) => broken(LEADER, r, detail),
        None => Ok(()),
    }
}
