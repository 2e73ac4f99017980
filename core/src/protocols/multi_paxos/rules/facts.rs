//! The run's checker: what the run has shown so far (accepts made, values chosen per slot,
//! ids used, configuration changes), fed after every event and checked with the rules of
//! this folder. It checks what happened (messages sent, writes made), not what a node's
//! memory claims; only the applied sequence is read from each running replica.

use super::config::{self, members_at};
use super::{noop, one_value, replicas_agree, unique_ids, Violation};
use crate::actor::Rank;
use crate::protocols::multi_paxos::messages::{Members, Msg, Pid, Slot, Value};
use crate::protocols::multi_paxos::node::chain;
use crate::protocols::multi_paxos::Write;
use std::collections::{BTreeMap, BTreeSet};

#[derive(Clone, Debug, Default)]
pub struct Facts {
    pub initial: Members,
    pub alpha: u64,
    /// Check only what a user would (replicas apply the same commands, the history is
    /// linearizable): the canaries must be caught by these alone.
    pub user_facing_only: bool,
    /// Rules switched off for this run.
    pub disabled: BTreeSet<&'static str>,
    /// Accepts by (slot, id): the value and who accepted it.
    pub votes: BTreeMap<(Slot, Pid), (Value, BTreeSet<Rank>)>,
    /// Per slot: the first id a majority accepted, and its value.
    pub chosen: BTreeMap<Slot, (Pid, Value)>,
    /// The chosen configuration commands.
    pub configs: BTreeMap<Slot, Members>,
    /// Who used each id first.
    pub owners: BTreeMap<Pid, Rank>,
    /// The value each (slot, id) was proposed with.
    pub proposed: BTreeMap<(Slot, Pid), Value>,
    /// `prefix[s]`: the chain of the chosen log's slots 1..=s (as far as all are chosen).
    pub prefix: Vec<u64>,
}

impl Facts {
    pub fn new(initial: Members, alpha: u64) -> Facts {
        Facts {
            initial,
            alpha,
            prefix: vec![0],
            ..Facts::default()
        }
    }

    /// A rule a user would not check directly.
    fn rule(&self, r: Result<(), Violation>) -> Result<(), Violation> {
        if self.user_facing_only {
            Ok(())
        } else {
            self.on(r)
        }
    }

    /// `r`, unless it breaks a rule switched off.
    pub fn on(&self, r: Result<(), Violation>) -> Result<(), Violation> {
        match r {
            Err(v) if self.disabled.contains(v.rule) => Ok(()),
            r => r,
        }
    }

    /// Node `from` sent `msg`.
    pub fn sent(&mut self, from: Rank, msg: &Msg) -> Result<(), Violation> {
        match msg {
            Msg::Prepare { id, .. } => {
                self.rule(unique_ids::check_owner(&self.owners, from, *id))?;
                self.owners.entry(*id).or_insert(from);
            }
            Msg::Accept { id, slot, value } => self.proposes(from, *slot, *id, value)?,
            _ => {}
        }
        Ok(())
    }

    fn proposes(&mut self, from: Rank, slot: Slot, id: Pid, v: &Value) -> Result<(), Violation> {
        self.rule(unique_ids::check_owner(&self.owners, from, id))?;
        self.owners.entry(id).or_insert(from);
        self.rule(unique_ids::check_value(&self.proposed, from, slot, id, v))?;
        self.proposed.entry((slot, id)).or_insert_with(|| v.clone());
        self.rule(noop::check(from, slot, id, v, self.chosen.get(&slot)))
    }

    /// Node `at` wrote `writes` to its disk.
    pub fn persisted(&mut self, at: Rank, writes: &[Write]) -> Result<(), Violation> {
        for w in writes {
            match w {
                Write::Accepted(slot, id, v) => {
                    if id.node == at || self.owners.get(id) == Some(&at) {
                        // The leader's own accept is its proposal too.
                        self.proposes(at, *slot, *id, v)?;
                    }
                    let e = self
                        .votes
                        .entry((*slot, *id))
                        .or_insert_with(|| (v.clone(), BTreeSet::new()));
                    e.1.insert(at);
                    self.maybe_chosen(*slot, *id)?;
                }
                Write::Chosen(slot, v) => {
                    let chosen = self.chosen.get(slot);
                    self.rule(one_value::check_learned(at, *slot, v, chosen))?;
                }
                Write::Promised(_) | Write::MaxRound(_) => {}
            }
        }
        Ok(())
    }

    fn maybe_chosen(&mut self, slot: Slot, id: Pid) -> Result<(), Violation> {
        let members = members_at(self.initial, &self.configs, self.alpha, slot);
        let (v, who) = &self.votes[&(slot, id)];
        if !members.has_majority(who) {
            return Ok(());
        }
        let v = v.clone();
        self.rule(one_value::check_chosen(
            slot,
            self.chosen.get(&slot),
            id,
            &v,
        ))?;
        if self.chosen.contains_key(&slot) {
            return Ok(());
        }
        if let Value::Config(m) = v {
            self.configs.insert(slot, m);
            self.rule(config::check(&self.configs, self.alpha, slot))?;
        }
        self.chosen.insert(slot, (id, v));
        // Extend the chosen log's chain as far as it is contiguous.
        loop {
            let next = self.prefix.len() as Slot;
            let Some((_, v)) = self.chosen.get(&next) else {
                break;
            };
            let last = *self.prefix.last().expect("prefix[0]");
            self.prefix.push(chain(last, next, Some(v)));
        }
        Ok(())
    }

    /// After the event: replica `r` (running) applied 1..=`applied` with chain `digest`.
    pub fn applied(&self, r: Rank, applied: Slot, digest: u64) -> Result<(), Violation> {
        self.on(replicas_agree::check(r, applied, digest, &self.prefix))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn accept(f: &mut Facts, at: Rank, slot: Slot, id: Pid, v: &Value) -> Result<(), Violation> {
        f.persisted(at, &[Write::Accepted(slot, id, v.clone())])
    }

    #[test]
    fn a_majority_of_accepts_chooses_and_extends_the_chain() {
        let mut f = Facts::new(Members::first(3), 3);
        let id = Pid::new(1, 0);
        accept(&mut f, 0, 1, id, &Value::Noop).unwrap();
        assert!(f.chosen.is_empty());
        accept(&mut f, 1, 1, id, &Value::Noop).unwrap();
        assert_eq!(f.chosen[&1], (id, Value::Noop));
        assert_eq!(f.prefix.len(), 2);
        assert!(f.applied(2, 1, f.prefix[1]).is_ok());
        assert!(f.applied(2, 2, 0).is_err());
        let other = Value::Config(Members::first(2));
        let id2 = Pid::new(2, 1);
        accept(&mut f, 1, 1, id2, &other).unwrap();
        let e = accept(&mut f, 2, 1, id2, &other).unwrap_err();
        assert_eq!(e.rule, one_value::RULE);
    }
}
