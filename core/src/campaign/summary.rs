//! Totals over many seeds: pass/fail, how many seeds exercised each fault class and reached
//! each protocol path, client operations and linearizability checks, recovery times.

use super::{FaultClass, ProtocolPath, SeedReport};
use std::collections::BTreeMap;

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Summary {
    pub seeds: u64,
    pub failed: u64,
    pub failures_by_kind: BTreeMap<&'static str, u64>,
    /// Seeds that applied at least one action of each class (every class is listed).
    pub class_seeds: BTreeMap<FaultClass, u64>,
    /// Seeds whose run went through each path (every path is listed).
    pub path_seeds: BTreeMap<ProtocolPath, u64>,
    pub heavy_seeds: u64,
    pub client_ops: u64,
    /// Seeds whose history was checked, the operations in those histories, and checks that
    /// ran out of budget before deciding.
    pub lin_checks: u64,
    pub lin_ops: u64,
    pub lin_undecided: u64,
    /// Seeds with a broken timing claim (read freshness across epochs), reported not failed.
    pub finding_seeds: u64,
    /// Seeds whose history was linearizable only without the reads the lease timing argument
    /// does not cover (reported, not failed; see `Outcome::stale_reads`).
    pub stale_read_seeds: u64,
    /// Longest and total time from the heal to liveness, over the seeds that got there, and
    /// the seed of the longest (the first, if several).
    pub max_live_after_ms: u64,
    pub slowest_seed: Option<u64>,
    pub sum_live_after_ms: u64,
    pub live_seeds: u64,
    pub events: u64,
    pub simulated_ms: u64,
    /// Requests the service probe sent after the heal, over every seed.
    pub probe_requests: u64,
    /// Requests left unanswered because the network dropped their forward or its answer.
    pub lost_requests: u64,
}

impl Summary {
    pub fn new() -> Self {
        Summary {
            class_seeds: FaultClass::ALL.iter().map(|c| (*c, 0)).collect(),
            path_seeds: ProtocolPath::ALL.iter().map(|p| (*p, 0)).collect(),
            ..Summary::default()
        }
    }

    pub fn passed(&self) -> u64 {
        self.seeds - self.failed
    }

    pub fn add(&mut self, r: &SeedReport) {
        let o = &r.outcome;
        self.seeds += 1;
        if let Some(f) = &o.failure {
            self.failed += 1;
            *self.failures_by_kind.entry(f.kind()).or_default() += 1;
        }
        for c in &r.classes {
            *self.class_seeds.entry(*c).or_default() += 1;
        }
        for p in &o.paths {
            *self.path_seeds.entry(*p).or_default() += 1;
        }
        self.heavy_seeds += r.heavy as u64;
        self.client_ops += o.client_ops as u64;
        if o.lin.ran {
            self.lin_checks += 1;
            self.lin_ops += o.lin.ops as u64;
            self.lin_undecided += o.lin.undecided as u64;
        }
        self.finding_seeds += !o.findings.is_empty() as u64;
        self.stale_read_seeds += o.stale_read_finding.is_some() as u64;
        if let Some(ms) = o.live_after_ms {
            self.live_seeds += 1;
            self.sum_live_after_ms += ms;
            if self.slowest_seed.is_none() || ms > self.max_live_after_ms {
                self.max_live_after_ms = ms;
                self.slowest_seed = Some(r.seed);
            }
        }
        self.events += o.events;
        self.probe_requests += o.probe_requests as u64;
        self.lost_requests += o.lost_requests as u64;
        self.simulated_ms += o.ended_ms;
    }
}
