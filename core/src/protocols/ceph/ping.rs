//! The elector's pings (ceph-elections spec section 7): once a peer has sent us something, we
//! ping it every `ping_timeout / ping_divisor`; each answer credits the link with the time it
//! covers, and a link unanswered for `ping_timeout` is reported dead every `ping_timeout`
//! until the peer sends us something again. Every ping and reply carries the sender's live
//! score table, which the receiver merges.

use super::messages::*;
use super::monitor::{Effect, Monitor, Timer};
use super::store::StoreWrite;
use crate::scenario::Pinging;
use std::rc::Rc;

/// Milliseconds of our clock as Ceph's seconds (`utime_t` differences).
fn seconds(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

impl Monitor {
    /// The pinging gate in force: the scenario's, else the default of our current strategy.
    pub(crate) fn ping_gate(&self) -> Pinging {
        self.config
            .pinging
            .unwrap_or(Pinging::default_for(self.monmap.strategy))
    }

    /// Whether this monitor pings and keeps scores at all.
    pub(crate) fn keeps_scores(&self) -> bool {
        self.ping_gate() != Pinging::Off
    }

    fn ping_check_ms(&self) -> u64 {
        self.config.ping_timeout_ms / self.config.ping_divisor.max(1)
    }

    /// `Elector::begin_peer_ping`: start pinging `peer` unless we already do, or the gate is
    /// closed (Ceph: our last quorum's features lack PINGING).
    pub(crate) fn begin_peer_ping(&mut self, peer: Rank, out: &mut Vec<Effect>) {
        if peer == self.rank || peer >= self.n() || self.elector.live_pinging.contains(peer) {
            return;
        }
        match self.ping_gate() {
            Pinging::Off => return,
            Pinging::Quorum if !self.quorum_pinging => return,
            Pinging::Quorum | Pinging::Boot => {}
        }
        let persist = self.tracker.report_live_connection(peer, 0.0);
        self.persist_scores_if(persist.0, out);
        self.elector.live_pinging.insert(peer);
        self.elector.dead_pinging.remove(peer);
        self.elector.peer_acked_ping.insert(peer, self.now_ms);
        self.send_peer_ping(peer, out);
        let t = self.ping_check_ms();
        self.set_timer(Timer::PingCheck(peer), t, out);
    }

    /// `Elector::send_peer_ping`: a PING stamped with our clock, carrying our live table.
    fn send_peer_ping(&mut self, peer: Rank, out: &mut Vec<Effect>) {
        let ping = Ping {
            op: PingOp::Ping,
            stamp_ms: self.now_ms,
            tracker: Rc::new(self.tracker.clone()),
        };
        self.elector.peer_sent_ping.insert(peer, self.now_ms);
        self.send(peer, Msg::Ping(ping), out);
    }

    /// `Elector::ping_check`: dead if unanswered for `ping_timeout`; else ping again once the
    /// newest ping was answered.
    pub(crate) fn ping_check(&mut self, peer: Rank, out: &mut Vec<Effect>) {
        if !self.elector.live_pinging.contains(peer) {
            return;
        }
        let now = self.now_ms;
        let acked = self
            .elector
            .peer_acked_ping
            .get(&peer)
            .copied()
            .unwrap_or(0);
        let sent = self.elector.peer_sent_ping.get(&peer).copied().unwrap_or(0);
        if acked + self.config.ping_timeout_ms < now {
            self.report_dead(peer, now - acked, out);
            out.push(Effect::Note(format!(
                "no ping answer from mon.{peer} for {} ms: link dead",
                now - acked
            )));
            self.begin_dead_ping(peer, out);
            return;
        }
        if acked == sent {
            self.send_peer_ping(peer, out);
        }
        let t = self.ping_check_ms();
        self.set_timer(Timer::PingCheck(peer), t, out);
    }

    /// The link to `peer` was dead for `dead_ms` since its last answer: tell the tracker, save
    /// the scores if it asks, and count the next report from now.
    fn report_dead(&mut self, peer: Rank, dead_ms: u64, out: &mut Vec<Effect>) {
        let persist = self.tracker.report_dead_connection(peer, seconds(dead_ms));
        self.persist_scores_if(persist.0, out);
        self.elector.peer_acked_ping.insert(peer, self.now_ms);
    }

    /// `Elector::begin_dead_ping`: stop pinging, report the link dead every `ping_timeout`.
    fn begin_dead_ping(&mut self, peer: Rank, out: &mut Vec<Effect>) {
        if self.elector.dead_pinging.contains(peer) {
            return;
        }
        self.elector.live_pinging.remove(peer);
        self.elector.dead_pinging.insert(peer);
        let t = self.config.ping_timeout_ms;
        self.set_timer(Timer::DeadPing(peer), t, out);
    }

    /// `Elector::dead_ping`: one more dead report, until the peer is live again.
    pub(crate) fn dead_ping(&mut self, peer: Rank, out: &mut Vec<Effect>) {
        if !self.elector.dead_pinging.contains(peer) {
            return;
        }
        let now = self.now_ms;
        let acked = self
            .elector
            .peer_acked_ping
            .get(&peer)
            .copied()
            .unwrap_or(now);
        self.report_dead(peer, now.saturating_sub(acked), out);
        let t = self.config.ping_timeout_ms;
        self.set_timer(Timer::DeadPing(peer), t, out);
    }

    /// `Elector::handle_ping`, in any monitor state.
    pub(crate) fn handle_ping(&mut self, from: Rank, p: &Ping, out: &mut Vec<Effect>) {
        self.begin_peer_ping(from, out);
        self.tracker.receive_peer_report(&p.tracker);
        match p.op {
            PingOp::Ping => {
                let reply = Ping {
                    op: PingOp::Reply,
                    stamp_ms: p.stamp_ms,
                    tracker: Rc::new(self.tracker.clone()),
                };
                self.send(from, Msg::Ping(reply), out);
            }
            PingOp::Reply => self.ping_reply(from, p.stamp_ms, out),
        }
    }

    fn ping_reply(&mut self, from: Rank, stamp_ms: u64, out: &mut Vec<Effect>) {
        let previous = self
            .elector
            .peer_acked_ping
            .get(&from)
            .copied()
            .unwrap_or(0);
        let newest = self.elector.peer_sent_ping.get(&from).copied().unwrap_or(0);
        if newest != 0 && stamp_ms > newest {
            return; // a stamp newer than any ping we sent: dropped
        }
        if stamp_ms > previous {
            let persist = self
                .tracker
                .report_live_connection(from, seconds(stamp_ms - previous));
            self.persist_scores_if(persist.0, out);
            self.elector.peer_acked_ping.insert(from, stamp_ms);
        }
        if self.now_ms.saturating_sub(stamp_ms) > self.ping_check_ms() {
            self.send_peer_ping(from, out); // a slow answer: ping again at once
        }
    }

    /// `persist_connectivity_scores`, when the tracker asked for it.
    fn persist_scores_if(&mut self, asked: bool, out: &mut Vec<Effect>) {
        if asked {
            let t = Rc::new(self.tracker.clone());
            self.persist(vec![StoreWrite::ConnectivityScores(t)], out);
        }
    }
}
