//! A node's state diagram, drawn from its protocol's declaration (`Protocol::DECLARATION`):
//! each state as a box at its grid cell, a state that holds a machine (Ceph's `leader` and
//! `peon`) as a group around that machine's boxes, each declared edge drawn as an arrow, the
//! states the node is in lit, and the routes of its last few inputs (the trace's transitions,
//! via `TraceIndex`) traced.

use crate::labels::{fixed, mon};
use crate::run::RunHandle;
use crate::state::{Action, Dispatch};
use paxoscope_core::actor::{Protocol, Rank};
use paxoscope_core::machine::{Declaration, Draw, MachineId, Position, StateId};
use paxoscope_core::protocols::ceph::Ceph;
use paxoscope_core::sorted::SortedSet;
use yew::prelude::*;

const BOX_W: f64 = 104.0;
const BOX_H: f64 = 30.0;
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

/// The grid: box centres `COL_W` and `ROW_H` apart from the first at (`X0`, `Y0`), with an
/// extra `GROUP_GAP_X`/`_Y` where a column or row enters other groups than the one before
/// (room for the group's frame and title).
const X0: f64 = 64.0;
const Y0: f64 = 46.0;
const COL_W: f64 = 116.0;
const ROW_H: f64 = 72.0;
const GROUP_GAP_X: f64 = 16.0;
const GROUP_GAP_Y: f64 = 10.0;
/// A group's frame around its boxes: sides, and the top (which holds its title).
const GROUP_PAD: f64 = 8.0;
const GROUP_PAD_TOP: f64 = 22.0;
/// Width of the embed's half view (`focus`).
const FOCUS_W: f64 = 484.0;

/// One box of the diagram: a state of a machine that holds no other machine.
struct StateBox {
    key: String,
    label: &'static str,
    /// The state that holds its machine, if any (its group).
    group: Option<(MachineId, StateId)>,
    x: f64,
    y: f64,
}

/// A state that holds a machine, drawn as a frame around that machine's boxes.
struct Group {
    state: (MachineId, StateId),
    label: &'static str,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
}

/// The diagram of a declaration, computed once: boxes, groups, arrows, size.
struct Layout {
    boxes: Vec<StateBox>,
    groups: Vec<Group>,
    /// (from key, to key, bend): the declared edges drawn as arrows.
    arrows: Vec<(String, String, f64)>,
    width: f64,
    height: f64,
}

/// The group state a machine's boxes are drawn in: the outermost state it runs within.
fn outer_group(d: &Declaration, m: MachineId) -> Option<(MachineId, StateId)> {
    let mut group = None;
    let mut at = m;
    while let Some(parent) = d.machine(at).within {
        group = Some(parent);
        at = parent.0;
    }
    group
}

/// Pixel centres of grid lines 0..n, given which groups each line holds.
fn grid(
    groups_per_line: &[SortedSet<(MachineId, StateId)>],
    first: f64,
    pitch: f64,
    gap: f64,
) -> Vec<f64> {
    let mut at = first;
    let mut out = Vec::new();
    for (i, g) in groups_per_line.iter().enumerate() {
        if i > 0 {
            at += pitch;
            if *g != groups_per_line[i - 1] && !g.is_empty() {
                at += gap;
            }
        }
        out.push(at);
    }
    out
}

impl Layout {
    fn of(d: &Declaration) -> Layout {
        let mut cells = Vec::new();
        for (mi, m) in d.machines.iter().enumerate() {
            let mid = MachineId(mi as u8);
            for (si, s) in m.states.iter().enumerate() {
                let sid = StateId(si as u8);
                if d.sub_machine(mid, sid).is_none() {
                    cells.push((mid, sid, s, outer_group(d, mid)));
                }
            }
        }
        let cols = cells.iter().map(|c| c.2.col as usize).max().unwrap_or(0) + 1;
        let rows = cells.iter().map(|c| c.2.row as usize).max().unwrap_or(0) + 1;
        let mut col_groups = vec![SortedSet::new(); cols];
        let mut row_groups = vec![SortedSet::new(); rows];
        for (_, _, s, g) in &cells {
            if let Some(g) = g {
                col_groups[s.col as usize].insert(*g);
                row_groups[s.row as usize].insert(*g);
            }
        }
        let xs = grid(&col_groups, X0, COL_W, GROUP_GAP_X);
        let ys = grid(&row_groups, Y0, ROW_H, GROUP_GAP_Y);
        let boxes: Vec<StateBox> = cells
            .iter()
            .map(|(m, s, st, g)| StateBox {
                key: d.key(*m, *s),
                label: st.label,
                group: *g,
                x: xs[st.col as usize],
                y: ys[st.row as usize],
            })
            .collect();
        // Sorted by insertion: no sort instantiated for this one type (bundle size).
        let group_states: SortedSet<(MachineId, StateId)> =
            boxes.iter().filter_map(|b| b.group).collect();
        let groups = group_states
            .iter()
            .map(|g| {
                let inside = boxes.iter().filter(|b| b.group == Some(*g));
                let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
                for b in inside {
                    x0 = x0.min(b.x - BOX_W / 2.0);
                    y0 = y0.min(b.y - BOX_H / 2.0);
                    x1 = x1.max(b.x + BOX_W / 2.0);
                    y1 = y1.max(b.y + BOX_H / 2.0);
                }
                Group {
                    state: *g,
                    label: d.state(g.0, g.1).label,
                    x: x0 - GROUP_PAD,
                    y: y0 - GROUP_PAD_TOP,
                    w: x1 - x0 + 2.0 * GROUP_PAD,
                    h: y1 - y0 + GROUP_PAD_TOP + GROUP_PAD,
                }
            })
            .collect();
        let mut arrows = Vec::new();
        for (mi, m) in d.machines.iter().enumerate() {
            let mid = MachineId(mi as u8);
            for e in m.edges {
                let Draw::Arrow { bend } = e.draw else {
                    continue;
                };
                // An arrow from a group state has no one box to start from: drawn only in words.
                if d.sub_machine(mid, e.from).is_some() {
                    continue;
                }
                arrows.push((d.key(mid, e.from), entry_key(d, mid, e.to), bend as f64));
            }
        }
        let width = xs.last().copied().unwrap_or(X0) + BOX_W / 2.0 + 8.0;
        let height = ys.last().copied().unwrap_or(Y0) + 70.0;
        Layout {
            boxes,
            groups,
            arrows,
            width,
            height,
        }
    }

    fn center(&self, key: &str) -> Option<(f64, f64)> {
        self.boxes.iter().find(|b| b.key == key).map(|b| (b.x, b.y))
    }

    /// Left and right edges of a box, or of the group it is in.
    fn span(&self, key: &str) -> Option<(f64, f64)> {
        let b = self.boxes.iter().find(|b| b.key == key)?;
        let in_group = b.group.and_then(|g| {
            let i = self.group_index(g)?;
            Some((self.groups[i].x, self.groups[i].x + self.groups[i].w))
        });
        Some(in_group.unwrap_or((b.x - BOX_W / 2.0, b.x + BOX_W / 2.0)))
    }

    fn group_index(&self, g: (MachineId, StateId)) -> Option<usize> {
        self.groups.iter().position(|x| x.state == g)
    }

    /// The embed's half view: `FOCUS_W` wide, at the left or the right, whichever shows the
    /// current box (and its group) whole; the left one when both do.
    fn focus_view(&self, current: &str) -> String {
        let (lo, hi) = self.span(current).unwrap_or((0.0, FOCUS_W));
        let left = if hi <= FOCUS_W {
            0.0
        } else {
            (self.width - FOCUS_W).max(0.0).min(lo)
        };
        format!(
            "{} 16 {} {}",
            fixed(left, 0),
            fixed(FOCUS_W, 0),
            fixed(self.height - 16.0, 0)
        )
    }
}

/// The box an arrow into `state` of `machine` ends at: the state itself, or, for a group
/// state, the initial state of the machine within it (further down if that holds one too).
fn entry_key(d: &Declaration, machine: MachineId, state: StateId) -> String {
    let (mut m, mut s) = (machine, state);
    while let Some(sub) = d.sub_machine(m, s) {
        m = sub;
        s = d.machine(sub).initial;
    }
    d.key(m, s)
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
fn edge_path(layout: &Layout, from: &str, to: &str, bend: f64) -> Option<String> {
    let (a, b) = (layout.center(from)?, layout.center(to)?);
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

fn static_edges(layout: &Layout) -> Html {
    layout
        .arrows
        .iter()
        .filter_map(|(f, t, bend)| edge_path(layout, f, t, *bend))
        .map(|d| html! { <path class="edge" d={d} marker-end="url(#arrow)" /> })
        .collect()
}

thread_local! {
    /// The protocol's diagram never changes: laid out once.
    static LAYOUT: std::rc::Rc<Layout> = std::rc::Rc::new(Layout::of(Ceph::DECLARATION));
}

fn layout() -> std::rc::Rc<Layout> {
    LAYOUT.with(|l| l.clone())
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
    let layout = layout();
    let d = Ceph::DECLARATION;
    let status = world.status(p.node);
    // The node's own states, as the protocol reports them; a crashed node stands where it
    // boots (every machine at its initial state).
    let position = match world.node(p.node) {
        Some(n) => Position::of(d, |m| Ceph::state_of(n, m)),
        None => Position::new(d),
    };
    let currents: Vec<String> = position
        .leaves()
        .into_iter()
        .map(|(m, s)| d.key(m, s))
        .collect();
    let current = currents.first().cloned().unwrap_or_default();
    let caption = status.as_ref().map_or("down (crashed)".to_string(), |s| {
        format!("{} · {}", s.role, s.phase)
    });
    let readable = status.as_ref().is_some_and(|s| s.readable);
    let recent = run.index.recent_transitions(p.node, run.events(), RECENT);

    let boxes = layout.boxes.iter().map(|b| {
        let is_current = currents.contains(&b.key);
        let visited = recent.iter().any(|r| r.keys[..r.keys.len() - 1].contains(&b.key));
        html! {
            <g class={classes!("state", is_current.then_some("current"), visited.then_some("visited"))}
               data-state={b.key.clone()} data-current={is_current.then_some("true")}>
                <rect x={fixed(b.x - BOX_W / 2.0, 1)} y={fixed(b.y - BOX_H / 2.0, 1)}
                      width={fixed(BOX_W, 0)} height={fixed(BOX_H, 0)} rx="7" />
                <text x={fixed(b.x, 1)} y={fixed(b.y + 4.0, 1)}>{ b.label }</text>
            </g>
        }
    });
    let groups = layout.groups.iter().map(|g| {
        html! {
            <>
                <rect class={classes!("group", format!("{}-group", g.label))} x={fixed(g.x, 1)} y={fixed(g.y, 1)}
                      width={fixed(g.w, 1)} height={fixed(g.h, 1)} rx="12" />
                <text class="group-label" x={fixed(g.x + 10.0, 1)} y={fixed(g.y + 16.0, 1)}>{ g.label }</text>
            </>
        }
    });
    // The protocol's arrows never change: build them once per diagram.
    let edges = use_memo((), |_| static_edges(&self::layout()));
    let count = recent.len();
    let traced = recent.iter().enumerate().flat_map(|(i, r)| {
        let opacity = 0.35 + 0.65 * (i + 1) as f64 / count as f64;
        let layout = layout.clone();
        r.keys.windows(2).filter_map(move |hop| {
            let d = edge_path(&layout, &hop[0], &hop[1], 16.0)?;
            Some(html! { <path class="edge traced" d={d} opacity={fixed(opacity, 2)} marker-end="url(#arrow-traced)" /> })
        }).collect::<Vec<_>>()
    });
    let lease = html! {
        <g class={classes!("lease-pill", readable.then_some("held"))} data-lease={readable.to_string()}>
            <rect x="608" y="113" width="104" height="30" rx="15" />
            <text x="660" y="132">{ if readable { "lease ✓ reads" } else { "no lease" } }</text>
        </g>
    };
    let dispatch = p.dispatch.clone();
    let node = p.node;
    let select = Callback::from(move |_| dispatch.dispatch(Action::Select(Some(node))));
    let title = format!("{} state diagram: {caption}", mon(p.node));
    let view = if p.focus {
        layout.focus_view(&current)
    } else {
        format!("0 0 {} {}", fixed(layout.width, 0), fixed(layout.height, 0))
    };
    let svg = html! {
        <svg class="diagram-svg" viewBox={view} role="img" aria-label={title.clone()}>
            { for groups }
            { (*edges).clone() }
            { for traced }
            { for boxes }
            { lease }
            if !p.compact {
                <text class="diagram-note" x={fixed(layout.width - 220.0, 0)} y={fixed(layout.height - 14.0, 0)}>{ d.note }</text>
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
    let recent_list = recent.iter().rev().map(|r| {
        html! { <li data-route={r.keys.join(" ")}>{ r.keys.join(" → ") }<span class="muted">{ format!(" at {}", crate::labels::seconds(r.t_ms)) }</span></li> }
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
    fn every_arrow_joins_two_boxes() {
        let layout = Layout::of(Ceph::DECLARATION);
        assert!(!layout.arrows.is_empty());
        for (from, to, _) in &layout.arrows {
            assert!(layout.center(from).is_some(), "{from} has a box");
            assert!(layout.center(to).is_some(), "{to} has a box");
        }
    }

    #[test]
    fn boxes_do_not_overlap_and_groups_hold_their_boxes_only() {
        let layout = Layout::of(Ceph::DECLARATION);
        for (i, a) in layout.boxes.iter().enumerate() {
            for b in &layout.boxes[i + 1..] {
                let apart = (a.x - b.x).abs() >= BOX_W || (a.y - b.y).abs() >= BOX_H;
                assert!(apart, "{} and {} overlap", a.key, b.key);
            }
            for (gi, g) in layout.groups.iter().enumerate() {
                let inside = a.x > g.x && a.x < g.x + g.w && a.y > g.y && a.y < g.y + g.h;
                let member = a.group.and_then(|x| layout.group_index(x)) == Some(gi);
                assert_eq!(inside, member, "{} and group {}", a.key, g.label);
            }
        }
    }
}
