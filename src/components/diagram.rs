//! A monitor's state diagram: the monitor states and the leader's and peon's Paxos phases as
//! boxes, the transitions the protocol really makes (monitor.rs, election.rs, paxos.rs,
//! lease.rs) as arrows, the current state lit and the last few transitions traced.
//! The layout is fixed and hand-made.

use crate::labels::{fixed, mon, state_id, DOWN};
use crate::run::RunHandle;
use crate::state::{Action, Dispatch};
use paxoscope_core::actor::Rank;
use yew::prelude::*;

const BOX_W: f64 = 104.0;
const BOX_H: f64 = 30.0;
const COLS: [f64; 6] = [64.0, 180.0, 296.0, 412.0, 544.0, 660.0];
const ROWS: [f64; 3] = [46.0, 128.0, 200.0];
const VIEW: &str = "0 0 720 270";
/// Arrow heads for every diagram, defined once per page (see `App`).
pub fn arrow_defs() -> Html {
    html! {
        <svg class="svg-defs" width="0" height="0" aria-hidden="true" focusable="false">
            <defs>
                <marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
                </marker>
                <marker id="arrow-traced" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse">
                    <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head traced" />
                </marker>
            </defs>
        </svg>
    }
}

/// Transitions traced in the large diagram (and listed under it).
const RECENT: usize = 4;

struct StateBox {
    id: &'static str,
    label: &'static str,
    col: usize,
    row: usize,
}

const BOXES: [StateBox; 14] = [
    StateBox {
        id: "synchronizing",
        label: "synchronizing",
        col: 0,
        row: 0,
    },
    StateBox {
        id: "probing",
        label: "probing",
        col: 1,
        row: 0,
    },
    StateBox {
        id: "electing",
        label: "electing",
        col: 2,
        row: 0,
    },
    StateBox {
        id: DOWN,
        label: "down",
        col: 5,
        row: 0,
    },
    StateBox {
        id: "leader-recovering",
        label: "recovering",
        col: 0,
        row: 1,
    },
    StateBox {
        id: "leader-updating-previous",
        label: "updating-prev",
        col: 1,
        row: 1,
    },
    StateBox {
        id: "leader-writing-previous",
        label: "writing-prev",
        col: 2,
        row: 1,
    },
    StateBox {
        id: "leader-active",
        label: "active",
        col: 0,
        row: 2,
    },
    StateBox {
        id: "leader-updating",
        label: "updating",
        col: 1,
        row: 2,
    },
    StateBox {
        id: "leader-writing",
        label: "writing",
        col: 2,
        row: 2,
    },
    StateBox {
        id: "leader-refresh",
        label: "refresh",
        col: 3,
        row: 2,
    },
    StateBox {
        id: "peon-recovering",
        label: "recovering",
        col: 4,
        row: 1,
    },
    StateBox {
        id: "peon-active",
        label: "active",
        col: 4,
        row: 2,
    },
    StateBox {
        id: "peon-updating",
        label: "updating",
        col: 5,
        row: 2,
    },
];

/// (from, to, bend): the protocol's transitions. `bend` curves the arrow (px, sideways) so
/// that pairs of opposite arrows and long arrows stay apart from boxes.
const EDGES: [(&str, &str, f64); 17] = [
    ("probing", "synchronizing", 8.0), // probe.rs: a peer is too far ahead
    ("synchronizing", "probing", 8.0), // sync.rs: synced, bootstrap again
    ("probing", "electing", 0.0),      // probe.rs / election.rs: a majority outside quorum
    ("electing", "leader-recovering", 0.0), // election.rs: victory → leader_init → collect
    ("electing", "peon-recovering", 0.0), // election.rs: lose → peon_init
    (DOWN, "probing", -40.0),          // restart: boot from the store, bootstrap
    ("leader-recovering", "leader-active", 0.0), // finish_recovery, nothing pending
    ("leader-recovering", "leader-updating-previous", 0.0), // an uncommitted value found
    ("leader-updating-previous", "leader-writing-previous", 0.0), // every accept: commit_start
    ("leader-writing-previous", "leader-refresh", 0.0), // commit_finish
    ("leader-active", "leader-updating", 8.0), // propose_pending → begin
    ("leader-updating", "leader-writing", 0.0), // every accept: commit_start
    ("leader-writing", "leader-refresh", 0.0), // commit write durable: commit_finish
    ("leader-refresh", "leader-active", -34.0), // finish_round, in the same step (see `route`)
    ("peon-recovering", "peon-active", 8.0), // handle_lease
    ("peon-active", "peon-recovering", 8.0), // handle_collect
    ("peon-active", "peon-updating", 8.0), // handle_begin; back on the next lease
];
const BACK_EDGE: (&str, &str, f64) = ("peon-updating", "peon-active", 8.0);

/// Every arrow of the diagram: `EDGES` and `BACK_EDGE`.
fn all_edges() -> impl Iterator<Item = &'static (&'static str, &'static str, f64)> {
    EDGES.iter().chain(std::iter::once(&BACK_EDGE))
}

/// The boxes a recorded transition went through, `from` first and `to` last. The trace records a
/// monitor's state before and after each step, and some states are left in the step that
/// entered them: commit_finish enters refresh and finish_round leaves it at once, so the trace
/// says writing → active (or → updating, when a proposal was waiting). The shortest chain of
/// the diagram's arrows from `from` to `to` shows the states passed on the way; a transition
/// with no such chain (a bootstrap, a crash) is drawn straight.
fn route(from: &'static str, to: &'static str) -> Vec<&'static str> {
    const MAX_HOPS: usize = 3;
    // Breadth-first over at most MAX_HOPS arrows; each path is short, so keep them whole.
    let mut paths = vec![vec![from]];
    for _ in 0..MAX_HOPS {
        let mut longer = Vec::new();
        for path in &paths {
            let last = *path.last().expect("paths are never empty");
            for &(_, t, _) in all_edges().filter(|(f, _, _)| *f == last) {
                if path.contains(&t) {
                    continue;
                }
                let mut next = path.clone();
                next.push(t);
                if t == to {
                    return next;
                }
                longer.push(next);
            }
        }
        paths = longer;
    }
    vec![from, to]
}

fn center(id: &str) -> Option<(f64, f64)> {
    BOXES
        .iter()
        .find(|b| b.id == id)
        .map(|b| (COLS[b.col], ROWS[b.row]))
}

/// Where the ray from a box's centre towards `toward` leaves the box.
fn box_exit(c: (f64, f64), toward: (f64, f64)) -> (f64, f64) {
    let (dx, dy) = (toward.0 - c.0, toward.1 - c.1);
    let sx = if dx.abs() > 1e-6 {
        (BOX_W / 2.0 + 3.0) / dx.abs()
    } else {
        f64::INFINITY
    };
    let sy = if dy.abs() > 1e-6 {
        (BOX_H / 2.0 + 3.0) / dy.abs()
    } else {
        f64::INFINITY
    };
    let s = sx.min(sy).min(1.0);
    (c.0 + dx * s, c.1 + dy * s)
}

/// A (possibly curved) arrow path between two boxes.
fn edge_path(from: &str, to: &str, bend: f64) -> Option<String> {
    let (a, b) = (center(from)?, center(to)?);
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    // Control point: the midpoint pushed sideways (to the right of the direction of travel).
    let ctrl = (
        (a.0 + b.0) / 2.0 - dy / len * bend,
        (a.1 + b.1) / 2.0 + dx / len * bend,
    );
    let (p0, p1) = (box_exit(a, ctrl), box_exit(b, ctrl));
    Some(format!(
        "M {} {} Q {} {} {} {}",
        fixed(p0.0, 1),
        fixed(p0.1, 1),
        fixed(ctrl.0, 1),
        fixed(ctrl.1, 1),
        fixed(p1.0, 1),
        fixed(p1.1, 1)
    ))
}

fn static_edges() -> Html {
    all_edges()
        .filter_map(|(f, t, bend)| edge_path(f, t, *bend))
        .map(|d| html! { <path class="edge" d={d} marker-end="url(#arrow)" /> })
        .collect()
}

#[derive(Properties, PartialEq)]
pub struct DiagramProps {
    pub run: RunHandle,
    pub node: Rank,
    /// Small: no labels or list, for the row of all monitors.
    #[prop_or_default]
    pub compact: bool,
    /// Only the half the monitor is in (the embed's narrow column): the leader's phases with
    /// the monitor states, or the peon's with `down`, each drawn larger.
    #[prop_or_default]
    pub focus: bool,
    pub dispatch: Dispatch,
}

#[component]
pub fn Diagram(p: &DiagramProps) -> Html {
    let run = p.run.run.borrow();
    let world = run.session.world();
    let status = world.status(p.node);
    let current = status.as_ref().map_or(DOWN, |s| state_id(s.role, s.phase));
    let caption = status.as_ref().map_or("down (crashed)".to_string(), |s| {
        format!("{} · {}", s.role, s.phase)
    });
    let readable = status.as_ref().is_some_and(|s| s.readable);
    let recent = run.index.recent_transitions(p.node, run.events(), RECENT);
    let routes: Vec<Vec<&str>> = recent.iter().map(|t| route(t.from, t.to)).collect();

    let boxes = BOXES.iter().map(|b| {
        let (cx, cy) = (COLS[b.col], ROWS[b.row]);
        let is_current = b.id == current;
        let visited = routes.iter().any(|r| r[..r.len() - 1].contains(&b.id));
        html! {
            <g class={classes!("state", is_current.then_some("current"), visited.then_some("visited"))}
               data-state={b.id} data-current={is_current.then_some("true")}>
                <rect x={fixed(cx - BOX_W / 2.0, 1)} y={fixed(cy - BOX_H / 2.0, 1)}
                      width={fixed(BOX_W, 0)} height={fixed(BOX_H, 0)} rx="7" />
                <text x={fixed(cx, 1)} y={fixed(cy + 4.0, 1)}>{ b.label }</text>
            </g>
        }
    });
    // The protocol's arrows never change: build them once per diagram.
    let edges = use_memo((), |_| static_edges());
    let count = routes.len();
    let traced = routes.iter().enumerate().flat_map(|(i, r)| {
        let opacity = 0.35 + 0.65 * (i + 1) as f64 / count as f64;
        r.windows(2).filter_map(move |hop| {
            let d = edge_path(hop[0], hop[1], 16.0)?;
            Some(html! { <path class="edge traced" d={d} opacity={fixed(opacity, 2)} marker-end="url(#arrow-traced)" /> })
        })
    });
    let lease = html! {
        <g class={classes!("lease-pill", readable.then_some("held"))} data-lease={readable.to_string()}>
            <rect x="608" y="113" width="104" height="30" rx="15" />
            <text x="660" y="132">{ if readable { "lease ✓ reads" } else { "no lease" } }</text>
        </g>
    };
    let d = p.dispatch.clone();
    let node = p.node;
    let select = Callback::from(move |_| d.dispatch(Action::Select(Some(node))));
    let title = format!("{} state diagram: {caption}", mon(p.node));
    let view = match (p.focus, current.starts_with("peon") || current == DOWN) {
        (false, _) => VIEW,
        (true, false) => "0 16 482 254",
        (true, true) => "236 16 484 254",
    };
    let svg = html! {
        <svg class="diagram-svg" viewBox={view} role="img" aria-label={title.clone()}>
            <rect class="group leader-group" x="6" y="92" width="470" height="170" rx="12" />
            <text class="group-label" x="16" y="108">{ "leader" }</text>
            <rect class="group peon-group" x="486" y="92" width="230" height="140" rx="12" />
            <text class="group-label" x="496" y="108">{ "peon" }</text>
            { (*edges).clone() }
            { for traced }
            { for boxes }
            { lease }
            if !p.compact {
                <text class="diagram-note" x="500" y="256">{ "any state → probing on bootstrap; → down on crash" }</text>
            }
        </svg>
    };
    if p.compact {
        return html! {
            <button type="button" class={classes!("diagram", "compact")} data-diagram-node={p.node.to_string()}
                    onclick={select} aria-label={format!("Select {}; {caption}", mon(p.node))}>
                { svg }
                <span class="diagram-caption"><strong>{ mon(p.node) }</strong>{ format!(" {caption}") }</span>
            </button>
        };
    }
    let recent_list = recent.iter().zip(&routes).rev().map(|(t, r)| {
        html! { <li data-route={r.join(" ")}>{ r.join(" → ") }<span class="muted">{ format!(" at {}", crate::labels::seconds(t.t_ms)) }</span></li> }
    });
    html! {
        <div class="diagram large" data-diagram-node={p.node.to_string()}>
            <h3 class="sub-title">{ format!("{} state diagram", mon(p.node)) }
                <span class="muted small">{ format!(" · now {caption}") }</span></h3>
            { svg }
            <ol class="recent" aria-label="Latest transitions, newest first">{ for recent_list }</ol>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_commit_passes_through_refresh_on_its_way_to_active() {
        assert_eq!(
            route("leader-writing", "leader-active"),
            ["leader-writing", "leader-refresh", "leader-active"]
        );
        assert_eq!(
            route("leader-writing-previous", "leader-updating"),
            [
                "leader-writing-previous",
                "leader-refresh",
                "leader-active",
                "leader-updating"
            ]
        );
    }

    #[test]
    fn a_transition_with_its_own_arrow_or_none_is_drawn_straight() {
        assert_eq!(route("probing", "electing"), ["probing", "electing"]);
        // A bootstrap has no arrow (the diagram's note says any state can bootstrap).
        assert_eq!(
            route("leader-active", "probing"),
            ["leader-active", "probing"]
        );
    }

    #[test]
    fn every_arrow_joins_two_boxes() {
        for (from, to, _) in all_edges() {
            assert!(center(from).is_some(), "{from} has a box");
            assert!(center(to).is_some(), "{to} has a box");
        }
    }
}
