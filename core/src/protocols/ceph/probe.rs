//! Probing (spec 7.2 and 7.3): find out who is there, whether a quorum exists and whether
//! we are too far behind to join without a sync.

use super::messages::*;
use super::monitor::{Effect, MonState, Monitor, Timer};
use crate::sorted::SortedSet;

impl Monitor {
    pub(crate) fn handle_probe(&mut self, from: Rank, p: &Probe, out: &mut Vec<Effect>) {
        match p.op {
            ProbeOp::Probe => self.handle_probe_probe(from, out),
            ProbeOp::Reply => self.handle_probe_reply(from, p, out),
        }
    }

    fn handle_probe_probe(&mut self, from: Rank, out: &mut Vec<Effect>) {
        self.begin_peer_ping(from, out);
        let quorum = if self.is_leader() || self.is_peon() {
            self.quorum.clone()
        } else {
            SortedSet::new()
        };
        let reply = Probe {
            op: ProbeOp::Reply,
            has_ever_joined: self.store.joined,
            quorum,
            first_committed: self.fc(),
            last_committed: self.lc(),
        };
        self.send(from, Msg::Probe(reply), out);
    }

    fn handle_probe_reply(&mut self, from: Rank, p: &Probe, out: &mut Vec<Effect>) {
        if self.state != MonState::Probing {
            return;
        }
        if self.needs_sync(p) {
            self.start_sync(from, out);
            return;
        }
        if !p.quorum.is_empty() {
            out.push(Effect::Note(format!(
                "mon.{from} reports quorum {:?}: call an election to join",
                p.quorum
            )));
            self.start_election(out);
            return;
        }
        self.outside_quorum.insert(from);
        if self.outside_quorum.len() >= self.config.majority()
            && self.outside_quorum.contains(&self.rank)
        {
            out.push(Effect::Note(format!(
                "{} monitors outside any quorum (majority {}): call an election",
                self.outside_quorum.len(),
                self.config.majority()
            )));
            self.start_election(out);
        }
    }

    /// Full sync if what we need was trimmed away; recent sync if too far behind (7.3 step 2).
    fn needs_sync(&self, p: &Probe) -> bool {
        let lc = self.lc();
        let full = lc < p.first_committed && p.first_committed > 1;
        let recent = lc + self.config.max_join_drift < p.last_committed;
        full || recent
    }

    pub(crate) fn start_sync(&mut self, provider: Rank, out: &mut Vec<Effect>) {
        self.cancel_timer(Timer::Probe, out);
        self.set_state(MonState::Synchronizing, out);
        self.sync_provider = Some(provider);
        out.push(Effect::Note(format!(
            "too far behind (lc {}): sync from mon.{provider}",
            self.lc()
        )));
        self.send(
            provider,
            Msg::Sync(Sync::GetCookieRecent {
                last_committed: self.lc(),
            }),
            out,
        );
        let t = self.config.sync_timeout_ms;
        self.set_timer(Timer::Sync, t, out);
    }
}
