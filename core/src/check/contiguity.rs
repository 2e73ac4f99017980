//! Spec 14.2, contiguity: a node stores every version in `[fc, lc]`, nothing below `fc`, and
//! at most one version above `lc` (exactly `lc + 1`).

use super::{broken, Check};
use crate::protocols::ceph::Ceph;
use crate::sim::World;
use crate::trace::{TraceEvent, TraceKind};

pub const NAME: &str = "contiguity";

/// Called only for a step that persisted something.
pub fn check(world: &World<Ceph>, log: &[TraceEvent<Ceph>]) -> Check {
    for e in log {
        let (TraceKind::Persist(_), Some(r)) = (&e.kind, e.node) else {
            continue;
        };
        let s = world.durable(r);
        let (fc, lc) = (s.first_committed, s.last_committed);
        if lc > 0 && (fc == 0 || fc > lc) {
            return broken(
                NAME,
                r,
                format!("first_committed {fc} with last_committed {lc}"),
            );
        }
        let lowest = if lc == 0 { 1 } else { fc };
        // The lowest and highest stored versions tell whether any lies outside (cheaper than
        // two range scans); the range finds the one to name.
        let first = s.values.first_key_value().map(|(v, _)| *v);
        let last = s.values.last_key_value().map(|(v, _)| *v);
        let outside = if first.is_some_and(|v| v < lowest) {
            first
        } else if last.is_some_and(|v| v > lc + 1) {
            s.values.range(lc + 2..).next().map(|(v, _)| *v)
        } else {
            None
        };
        if let Some(v) = outside {
            return broken(
                NAME,
                r,
                format!("stores v{v} outside [{lowest}, {}]", lc + 1),
            );
        }
        // Nothing is stored above lc + 1, so lc + 1 is stored exactly when it is the last.
        let committed = if lc == 0 { 0 } else { (lc - fc + 1) as usize };
        let expected = committed + usize::from(last == Some(lc + 1));
        if s.values.len() != expected {
            return broken(
                NAME,
                r,
                format!(
                    "a gap among versions {fc}..={lc} ({} stored)",
                    s.values.len()
                ),
            );
        }
    }
    Ok(())
}
