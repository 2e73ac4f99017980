//! Sync (spec 7.4), modelled as one request and one last chunk (spec 15 allows it). A
//! requester whose next version the provider still stores gets a "recent" sync (the versions
//! it lacks); one whose needed versions were trimmed gets a "full" sync (a store snapshot).

use super::messages::*;
use super::monitor::{Effect, MonState, Monitor, Timer};
use super::store::{Snapshot, StoreWrite, Value};
use crate::sorted::SortedMap;
use std::rc::Rc;

impl Monitor {
    pub(crate) fn handle_sync(&mut self, from: Rank, s: &Sync, out: &mut Vec<Effect>) {
        match s {
            Sync::GetCookieRecent { last_committed } => {
                self.provide_sync(from, *last_committed, out)
            }
            Sync::LastChunk { values, .. } => {
                if self.accept_sync_reply(from, out) {
                    self.apply_recent_sync(values, out);
                    self.finish_sync(from, out);
                }
            }
            Sync::FullChunk(snapshot) => {
                if self.accept_sync_reply(from, out) {
                    out.push(Effect::Note(format!(
                        "full sync: install versions {}..={}",
                        snapshot.first_committed, snapshot.last_committed
                    )));
                    self.persist(vec![StoreWrite::InstallSnapshot(snapshot.clone())], out);
                    self.finish_sync(from, out);
                }
            }
            Sync::NoCookie => {
                if self.accept_sync_reply(from, out) {
                    out.push(Effect::Note(format!(
                        "mon.{from} refused to sync us: bootstrap"
                    )));
                    self.bootstrap(out);
                }
            }
        }
    }

    fn provide_sync(&mut self, to: Rank, their_lc: Version, out: &mut Vec<Effect>) {
        if self.state == MonState::Synchronizing || self.lc() <= their_lc {
            self.send(to, Msg::Sync(Sync::NoCookie), out);
            return;
        }
        let reply = if their_lc + 1 < self.fc() {
            Sync::FullChunk(Box::new(Snapshot {
                first_committed: self.fc(),
                last_committed: self.lc(),
                values: self
                    .committed_values(self.fc(), self.lc())
                    .into_iter()
                    .collect(),
                kv: self.store.kv.clone(),
                kv_version: self.store.kv_version,
                applied: self.store.applied.clone(),
            }))
        } else {
            Sync::LastChunk {
                first_committed: self.fc(),
                last_committed: self.lc(),
                values: self.committed_values(their_lc + 1, self.lc()),
            }
        };
        self.send(to, Msg::Sync(reply), out);
    }

    fn accept_sync_reply(&mut self, from: Rank, out: &mut Vec<Effect>) -> bool {
        if self.state != MonState::Synchronizing || self.sync_provider != Some(from) {
            return false;
        }
        self.cancel_timer(Timer::Sync, out);
        true
    }

    fn apply_recent_sync(&mut self, values: &SortedMap<Version, Rc<Value>>, out: &mut Vec<Effect>) {
        let mut next = self.lc() + 1;
        while let Some(v) = values.get(&next) {
            self.persist(
                vec![StoreWrite::Value(next, v.clone()), StoreWrite::Commit(next)],
                out,
            );
            next += 1;
        }
    }

    fn finish_sync(&mut self, from: Rank, out: &mut Vec<Effect>) {
        out.push(Effect::Note(format!(
            "sync from mon.{from} done: lc {}",
            self.lc()
        )));
        self.bootstrap(out);
    }
}
