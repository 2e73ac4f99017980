//! The client workload of one seed: puts, gets and compare-and-sets on a few keys, each sent to
//! a random monitor at a random time of the fault phase (open loop: a client does not wait
//! for an answer before the next one starts). Every written value is unique, so a read names
//! the write it saw and the linearizability check has no ambiguity to hide behind.

use crate::client::Text;
use crate::scenario::{Action, NodeRef, TimedAction};
use crate::sim::rng::{SimRng, Stream};
use std::collections::BTreeMap;

/// One seed in this many is heavy.
pub const HEAVY_ONE_IN: u64 = 10;
/// Operations of a heavy seed, and of an ordinary one.
pub const HEAVY_OPS: (u64, u64) = (1_000, 1_600);
pub const LIGHT_OPS: (u64, u64) = (0, 80);
/// Keys of an ordinary seed (`k0`, `k1`, ...) and of a heavy one. A heavy seed spreads its
/// writes over more keys so that few writes per key overlap in one batch: the
/// linearizability search is exponential in the writes that overlap on one key.
pub const LIGHT_KEYS: (u64, u64) = (1, 3);
pub const HEAVY_KEYS: (u64, u64) = (4, 8);
/// No client operation before the first quorum had a moment to form.
pub const FIRST_OP_MS: u64 = 300;

pub struct Workload {
    pub heavy: bool,
    /// Sorted by time.
    pub actions: Vec<TimedAction>,
}

/// Whether a seed is heavy: the first draw of its client stream.
pub fn is_heavy(seed: u64) -> bool {
    SimRng::new(seed, Stream::Clients).below(HEAVY_ONE_IN) == 0
}

pub fn generate(seed: u64, n: u8, until_ms: u64) -> Workload {
    let mut rng = SimRng::new(seed, Stream::Clients);
    let heavy = rng.below(HEAVY_ONE_IN) == 0;
    let (ops, keys) = if heavy {
        (HEAVY_OPS, HEAVY_KEYS)
    } else {
        (LIGHT_OPS, LIGHT_KEYS)
    };
    let count = rng.range(ops.0, ops.1);
    let keys = rng.range(keys.0, keys.1);
    let mut times: Vec<u64> = (0..count)
        .map(|_| rng.range(FIRST_OP_MS, until_ms.max(FIRST_OP_MS + 1) - 1))
        .collect();
    times.sort_unstable();
    // Values written so far per key (in time order), so a CAS can expect a plausible one.
    let mut written: BTreeMap<Text, Vec<Text>> = BTreeMap::new();
    let actions = times
        .into_iter()
        .enumerate()
        .map(|(i, at_ms)| {
            let node = rng.below(n as u64) as NodeRef;
            let key: Text = format!("k{}", rng.below(keys)).into();
            TimedAction {
                at_ms,
                action: client_op(&mut rng, i, node, key, &mut written),
            }
        })
        .collect();
    Workload { heavy, actions }
}

fn client_op(
    rng: &mut SimRng,
    i: usize,
    node: NodeRef,
    key: Text,
    written: &mut BTreeMap<Text, Vec<Text>>,
) -> Action {
    match rng.below(10) {
        0..=3 => Action::Get { node, key },
        4..=7 => {
            let value: Text = format!("p{i}").into();
            written.entry(key.clone()).or_default().push(value.clone());
            Action::Put { node, key, value }
        }
        _ => {
            let history = written.entry(key.clone()).or_default();
            let expected = match rng.below(4) {
                0 | 1 => history.last().cloned(),
                2 => None,
                _ if history.is_empty() => None,
                _ => Some(history[rng.below(history.len() as u64) as usize].clone()),
            };
            let value: Text = format!("c{i}").into();
            history.push(value.clone());
            Action::Cas {
                node,
                key,
                expected,
                value,
            }
        }
    }
}
