//! Spec 14.2, contiguity: a node stores every version in `[fc, lc]`, nothing below `fc`, and
//! at most one version above `lc` (exactly `lc + 1`).

use super::facts::Facts;
use super::{broken, Check};
use crate::protocol::Ceph;
use crate::sim::World;
use crate::trace::{TraceEvent, TraceKind};

pub const NAME: &str = "contiguity";

pub fn check(f: &Facts, world: &World<Ceph>, log: &[TraceEvent<Ceph>]) -> Check {
    if !f.step.persists {
        return Ok(());
    }
    for e in log {
        let (TraceKind::Persist(_), Some(r)) = (&e.kind, e.node) else { continue };
        let s = world.durable(r);
        let (fc, lc) = (s.first_committed, s.last_committed);
        if lc > 0 && (fc == 0 || fc > lc) {
            return broken(NAME, r, format!("first_committed {fc} with last_committed {lc}"));
        }
        let lowest = if lc == 0 { 1 } else { fc };
        // The lowest and highest stored versions tell whether any lies outside (cheaper than
        // two range scans); the range finds the one to name.
        let below = s.values.first_key_value().is_some_and(|(v, _)| *v < lowest);
        let above = s.values.last_key_value().is_some_and(|(v, _)| *v > lc + 1);
        let outside = if below { s.values.first_key_value() } else { above.then(|| s.values.range(lc + 2..).next()).flatten() };
        if let Some((v, _)) = outside {
            return broken(NAME, r, format!("stores v{v} outside [{lowest}, {}]", lc + 1));
        }
        let committed = if lc == 0 { 0 } else { (lc - fc + 1) as usize };
        let expected = committed + usize::from(s.values.contains_key(&(lc + 1)));
        if s.values.len() != expected {
            return broken(NAME, r, format!("a gap among versions {fc}..={lc} ({} stored)", s.values.len()));
        }
    }
    Ok(())
}
