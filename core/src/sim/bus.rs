//! The simulated messenger: one directed session per pair of nodes, each with its own state
//! (cut, loss, extra delay) and FIFO order, as Ceph's lossless mon-to-mon sessions give.

use crate::actor::Rank;
use crate::scenario::LinkSel;
use serde::{Deserialize, Serialize};

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Link {
    /// No message gets through (partition or one-way cut); in-flight ones are lost too.
    pub cut: bool,
    /// Percentage of messages dropped at send time.
    pub loss_pct: u8,
    /// Extra one-way delay on top of the base latency.
    pub extra_delay_ms: u64,
    /// Arrival time of the last message scheduled on this link: FIFO never delivers before it.
    pub last_arrival_ms: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bus {
    n: u8,
    links: Vec<Link>,
}

impl Bus {
    pub fn new(n: u8) -> Self {
        Bus {
            n,
            links: vec![Link::default(); n as usize * n as usize],
        }
    }

    pub fn link(&self, from: Rank, to: Rank) -> &Link {
        &self.links[from as usize * self.n as usize + to as usize]
    }

    pub fn link_mut(&mut self, from: Rank, to: Rank) -> &mut Link {
        &mut self.links[from as usize * self.n as usize + to as usize]
    }

    /// The directed links a selector names.
    pub fn select(&self, sel: LinkSel) -> Vec<(Rank, Rank)> {
        match sel {
            LinkSel::All => self.pairs().collect(),
            LinkSel::OneWay(a, b) => vec![(a, b)],
            LinkSel::Both(a, b) => vec![(a, b), (b, a)],
        }
    }

    fn pairs(&self) -> impl Iterator<Item = (Rank, Rank)> + '_ {
        (0..self.n).flat_map(move |a| (0..self.n).filter(move |b| *b != a).map(move |b| (a, b)))
    }

    /// Cut every link between different groups; nodes in no group form one more group.
    pub fn partition(&mut self, groups: &[Vec<Rank>]) {
        let group_of = |r: Rank| {
            groups
                .iter()
                .position(|g| g.contains(&r))
                .unwrap_or(usize::MAX)
        };
        for (a, b) in self.pairs().collect::<Vec<_>>() {
            self.link_mut(a, b).cut = group_of(a) != group_of(b);
        }
    }

    pub fn isolate(&mut self, node: Rank) {
        for other in (0..self.n).filter(|o| *o != node) {
            self.link_mut(node, other).cut = true;
            self.link_mut(other, node).cut = true;
        }
    }

    pub fn set_cut(&mut self, sel: LinkSel, cut: bool) {
        for (a, b) in self.select(sel) {
            self.link_mut(a, b).cut = cut;
        }
    }

    /// Restore links: no cut, no loss, no extra delay (FIFO bookkeeping is kept).
    pub fn heal(&mut self, sel: Option<LinkSel>) {
        let pairs = match sel {
            Some(s) => self.select(s),
            None => self.pairs().collect(),
        };
        for (a, b) in pairs {
            let l = self.link_mut(a, b);
            l.cut = false;
            l.loss_pct = 0;
            l.extra_delay_ms = 0;
        }
    }

    pub fn set_loss(&mut self, sel: LinkSel, pct: u8) {
        for (a, b) in self.select(sel) {
            self.link_mut(a, b).loss_pct = pct.min(100);
        }
    }

    pub fn set_delay(&mut self, sel: LinkSel, ms: u64) {
        for (a, b) in self.select(sel) {
            self.link_mut(a, b).extra_delay_ms = ms;
        }
    }

    /// Every directed link that is cut, for the UI.
    pub fn cut_links(&self) -> Vec<(Rank, Rank)> {
        self.pairs()
            .filter(|(a, b)| self.link(*a, *b).cut)
            .collect()
    }

    pub fn all_healthy(&self) -> bool {
        self.links
            .iter()
            .all(|l| !l.cut && l.loss_pct == 0 && l.extra_delay_ms == 0)
    }
}
