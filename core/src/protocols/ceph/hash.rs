//! The trace hash's view of Ceph's messages and store writes: every field, so that the hash
//! of a run covers what the monitors said and wrote, not only when and to whom
//! (`trace::ContentHash`; docs/trace-format.md lists the words). An enum writes its variant's
//! position (declaration order, from 0) and then its fields in declaration order.

use super::connection::ConnectionTracker;
use super::messages::{
    ClientOp, ClientReply, ClientRequest, Election, ElectionOp, Msg, Paxos, PaxosOp, PingOp, Probe,
    ProbeOp, Sync,
};
use super::store::{Snapshot, StoreWrite, Value, ValueOp};
use super::versions::Versions;
use crate::scenario::ElectionStrategy;
use crate::trace::{ContentHash, TraceHasher};

/// Writes a variant's position, then each listed field's content.
macro_rules! variant {
    ($h:expr, $pos:expr $(, $field:expr)*) => {{
        $h.write_u64($pos);
        $( ContentHash::hash_into($field, $h); )*
    }};
}

impl ContentHash for Msg {
    fn hash_into(&self, h: &mut TraceHasher) {
        match self {
            Msg::Probe(p) => variant!(h, 0, p),
            Msg::Election(e) => variant!(h, 1, e),
            Msg::Paxos(p) => variant!(h, 2, p),
            Msg::Sync(s) => variant!(h, 3, s),
            Msg::Forward { epoch, req } => variant!(h, 4, epoch, req),
            Msg::ForwardReply { req_id, reply } => variant!(h, 5, req_id, reply),
            Msg::Ping(p) => {
                h.write_u64(6);
                h.write_u64(matches!(p.op, PingOp::Reply) as u64);
                h.write_u64(p.stamp_ms);
                p.tracker.as_ref().hash_into(h);
            }
        }
    }
}

impl ContentHash for Probe {
    fn hash_into(&self, h: &mut TraceHasher) {
        let op = match self.op {
            ProbeOp::Probe => 0,
            ProbeOp::Reply => 1,
        };
        h.write_u64(op);
        h.write_bool(self.has_ever_joined);
        self.quorum.hash_into(h);
        h.write_u64(self.first_committed);
        h.write_u64(self.last_committed);
    }
}

impl ContentHash for Election {
    fn hash_into(&self, h: &mut TraceHasher) {
        let op = match self.op {
            ElectionOp::Propose => 0,
            ElectionOp::Ack => 1,
            ElectionOp::Nak => 2,
            ElectionOp::Victory => 3,
        };
        h.write_u64(op);
        h.write_u64(self.epoch);
        self.quorum.hash_into(h);
        // Written only when present, so that a classic run without pings hashes as it did
        // before strategies existed.
        if self.strategy != ElectionStrategy::Classic {
            h.write_u64(self.strategy as u64);
        }
        if let Some(t) = &self.scoring {
            h.write_u64(1);
            t.as_ref().hash_into(h);
        }
        if let Some(t) = &self.sharing {
            h.write_u64(2);
            t.as_ref().hash_into(h);
        }
    }
}

impl ContentHash for ConnectionTracker {
    fn hash_into(&self, h: &mut TraceHasher) {
        h.write_u64(u64::from(self.rank));
        h.write_u64(self.epoch);
        h.write_u64(self.version);
        for (reporter, r) in self.peer_reports.iter() {
            h.write_u64(u64::from(*reporter));
            h.write_u64(r.epoch);
            h.write_u64(r.epoch_version);
            for (peer, score) in r.history.iter() {
                h.write_u64(u64::from(*peer));
                h.write_u64(score.to_bits());
                h.write_bool(r.current.get(peer).copied().unwrap_or(false));
            }
        }
    }
}

impl ContentHash for Paxos {
    fn hash_into(&self, h: &mut TraceHasher) {
        let op = match self.op {
            PaxosOp::Collect => 0,
            PaxosOp::Last => 1,
            PaxosOp::Begin => 2,
            PaxosOp::Accept => 3,
            PaxosOp::Commit => 4,
            PaxosOp::Lease => 5,
            PaxosOp::LeaseAck => 6,
        };
        h.write_u64(op);
        h.write_u64(self.epoch);
        h.write_u64(self.first_committed);
        h.write_u64(self.last_committed);
        h.write_u64(self.pn);
        h.write_u64(self.uncommitted_pn);
        h.write_u64(self.lease_timestamp_ms);
        self.values.hash_into(h);
    }
}

impl ContentHash for Sync {
    fn hash_into(&self, h: &mut TraceHasher) {
        match self {
            Sync::GetCookieRecent { last_committed } => variant!(h, 0, last_committed),
            Sync::LastChunk {
                first_committed,
                last_committed,
                values,
            } => variant!(h, 1, first_committed, last_committed, values),
            Sync::FullChunk(snapshot) => variant!(h, 2, snapshot),
            Sync::NoCookie => variant!(h, 3),
        }
    }
}

impl ContentHash for Snapshot {
    fn hash_into(&self, h: &mut TraceHasher) {
        h.write_u64(self.first_committed);
        h.write_u64(self.last_committed);
        self.values.hash_into(h);
        self.kv.hash_into(h);
        h.write_u64(self.kv_version);
        for (id, (v, reply)) in self.applied.iter() {
            h.write_u64(*id);
            h.write_u64(*v);
            reply.hash_into(h);
        }
    }
}

impl ContentHash for Versions {
    fn hash_into(&self, h: &mut TraceHasher) {
        h.write_u64(self.len() as u64);
        for (v, value) in self.iter() {
            h.write_u64(*v);
            value.hash_into(h);
        }
    }
}

impl ContentHash for Value {
    fn hash_into(&self, h: &mut TraceHasher) {
        self.ops.hash_into(h);
    }
}

impl ContentHash for ValueOp {
    fn hash_into(&self, h: &mut TraceHasher) {
        match self {
            ValueOp::InitialState => variant!(h, 0),
            ValueOp::SetFirstCommitted(v) => variant!(h, 1, v),
            ValueOp::Bookkeeping { epoch, leader } => variant!(h, 2, epoch, leader),
            ValueOp::Client(req) => variant!(h, 3, req),
            ValueOp::Trim { to } => variant!(h, 4, to),
        }
    }
}

impl ContentHash for ClientRequest {
    fn hash_into(&self, h: &mut TraceHasher) {
        h.write_u64(self.id);
        h.write_u64(u64::from(self.origin));
        self.op.hash_into(h);
    }
}

impl ContentHash for ClientOp {
    fn hash_into(&self, h: &mut TraceHasher) {
        match self {
            ClientOp::Put { key, value } => variant!(h, 0, key, value),
            ClientOp::Get { key } => variant!(h, 1, key),
            ClientOp::Cas {
                key,
                expected,
                value,
            } => variant!(h, 2, key, expected, value),
        }
    }
}

impl ContentHash for ClientReply {
    fn hash_into(&self, h: &mut TraceHasher) {
        match self {
            ClientReply::Written { version } => variant!(h, 0, version),
            ClientReply::Value { value, version } => variant!(h, 1, value, version),
            ClientReply::CasDone {
                applied,
                current,
                version,
            } => variant!(h, 2, applied, current, version),
            ClientReply::Refused { reason } => variant!(h, 3, reason),
            ClientReply::Retry { reason } => variant!(h, 4, reason),
        }
    }
}

impl ContentHash for StoreWrite {
    fn hash_into(&self, h: &mut TraceHasher) {
        match self {
            StoreWrite::LastPn(pn) => variant!(h, 0, pn),
            StoreWrite::AcceptedPn(pn) => variant!(h, 1, pn),
            StoreWrite::Value(v, value) => variant!(h, 2, v, value),
            StoreWrite::Pending { version, pn } => variant!(h, 3, version, pn),
            StoreWrite::Commit(v) => variant!(h, 4, v),
            StoreWrite::ElectionEpoch(e) => variant!(h, 5, e),
            StoreWrite::Joined => variant!(h, 6),
            StoreWrite::InstallSnapshot(snapshot) => variant!(h, 7, snapshot),
            StoreWrite::ConnectivityScores(t) => variant!(h, 8, t.as_ref()),
            StoreWrite::Monmap(m) => {
                h.write_u64(9);
                h.write_u64(m.strategy as u64);
                m.disallowed_leaders.hash_into(h);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::rc::Rc;

    fn hash_of(c: &impl ContentHash) -> u64 {
        let mut h = TraceHasher::default();
        c.hash_into(&mut h);
        h.finish()
    }

    fn put(id: u64, value: &str) -> Rc<Value> {
        Rc::new(Value {
            ops: vec![ValueOp::Client(ClientRequest {
                id,
                origin: 1,
                op: ClientOp::Put {
                    key: "k".into(),
                    value: value.into(),
                },
            })],
        })
    }

    fn begin(value: Rc<Value>) -> Msg {
        let mut p = Paxos::new(PaxosOp::Begin, 4);
        p.pn = 100;
        p.last_committed = 3;
        p.values.insert(4, value);
        Msg::Paxos(p)
    }

    #[test]
    fn two_begins_that_differ_only_in_the_value_they_carry_hash_differently() {
        assert_eq!(hash_of(&begin(put(7, "a"))), hash_of(&begin(put(7, "a"))));
        assert_ne!(hash_of(&begin(put(7, "a"))), hash_of(&begin(put(7, "b"))));
        assert_ne!(hash_of(&begin(put(7, "a"))), hash_of(&begin(put(8, "a"))));
    }

    #[test]
    fn store_writes_hash_their_contents() {
        let a = StoreWrite::Value(4, put(7, "a"));
        let b = StoreWrite::Value(4, put(7, "b"));
        assert_ne!(hash_of(&a), hash_of(&b));
        assert_ne!(
            hash_of(&StoreWrite::LastPn(5)),
            hash_of(&StoreWrite::AcceptedPn(5)),
            "the variant is hashed, not only the number"
        );
        assert_ne!(
            hash_of(&StoreWrite::Commit(5)),
            hash_of(&StoreWrite::Commit(6))
        );
    }

    #[test]
    fn lease_timestamps_and_quorums_are_hashed() {
        let lease = |ts| {
            let mut p = Paxos::new(PaxosOp::Lease, 2);
            p.lease_timestamp_ms = ts;
            Msg::Paxos(p)
        };
        assert_ne!(hash_of(&lease(5_000)), hash_of(&lease(5_001)));
        let victory = |q: &[u8]| {
            Msg::Election(Election::new(
                ElectionOp::Victory,
                2,
                q.iter().copied().collect(),
            ))
        };
        assert_ne!(hash_of(&victory(&[0, 1, 2])), hash_of(&victory(&[0, 1, 3])));
    }

    #[test]
    fn strategies_and_score_tables_are_hashed_only_when_present() {
        use crate::protocols::ceph::connection::ConnectionTracker;
        let classic = Msg::Election(Election::new(ElectionOp::Propose, 3, Default::default()));
        let mut e = Election::new(ElectionOp::Propose, 3, Default::default());
        e.strategy = crate::scenario::ElectionStrategy::Connectivity;
        let connectivity = Msg::Election(e.clone());
        assert_ne!(hash_of(&classic), hash_of(&connectivity));
        let mut t = ConnectionTracker::new(1, 43_200, 10);
        e.scoring = Some(Rc::new(t.clone()));
        let with_table = hash_of(&Msg::Election(e.clone()));
        assert_ne!(with_table, hash_of(&connectivity));
        let _ = t.report_dead_connection(0, 1.0);
        e.scoring = Some(Rc::new(t));
        assert_ne!(
            hash_of(&Msg::Election(e)),
            with_table,
            "a score change shows"
        );
    }
}
