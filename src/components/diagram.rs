//! A node's state diagram, drawn from its protocol's declaration (`Protocol::DECLARATION`):
//! each state as a box at its grid cell, a state that holds a machine (Ceph's `leader` and
//! `peon`) as a group around that machine's boxes, each declared edge drawn as an arrow, the
//! states the node is in lit, and the routes of its last few inputs (the trace's transitions,
//! via `TraceIndex`) traced.

use crate::labels::{fixed, mon, push_escaped};
use crate::run::RunHandle;
use crate::state::{Action, Dispatch};
use paxoscope_core::actor::Rank;
use paxoscope_core::machine::{Declaration, Draw, MachineId, StateId};
use paxoscope_core::sorted::SortedSet;
use std::fmt::Write as _;
use yew::prelude::*;

const BOX_W: f64 = 104.0;
const BOX_H: f64 = 30.0;
/// Arrow heads for every diagram, defined once per page (see `App`). Sized in stroke widths
/// (SVG's default marker units): a traced edge's stroke is about twice a plain one's, so its
/// head is half as many widths, or it would dwarf the boxes in the compact (zoomed) diagram.
pub fn arrow_defs() -> Html {
    Html::from_html_unchecked(AttrValue::Static(
        r#"<svg class="svg-defs" width="0" height="0" aria-hidden="true" focusable="false"><defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head"></path></marker><marker id="arrow-traced" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="3.5" markerHeight="3.5" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head traced"></path></marker></defs></svg>"#,
    ))
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
/// The embed's close-up (`focus`): at most this wide and tall, with this margin round boxes.
const FOCUS_W: f64 = 400.0;
const FOCUS_H: f64 = 250.0;
const FOCUS_PAD: f64 = 14.0;

/// What a group frame stands for: a state that holds a machine (Ceph's `leader`), or, when
/// a node runs several machines side by side (Basic Paxos's roles), one of those machines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum GroupOf {
    State(MachineId, StateId),
    Machine(MachineId),
}

/// One box of the diagram: a state of a machine that holds no other machine.
struct StateBox {
    key: String,
    label: &'static str,
    /// The machine it belongs to.
    machine: MachineId,
    /// The frame it is drawn in, if any (its group).
    group: Option<GroupOf>,
    x: f64,
    y: f64,
}

/// A frame around boxes: a state that holds a machine, or one of several top machines.
struct Group {
    state: GroupOf,
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

/// The top machine `m` runs under, and the outermost state it runs within (if any).
fn top_of(d: &Declaration, m: MachineId) -> (MachineId, Option<(MachineId, StateId)>) {
    let mut group = None;
    let mut at = m;
    while let Some(parent) = d.machine(at).within {
        group = Some(parent);
        at = parent.0;
    }
    (at, group)
}

/// The frame a machine's boxes are drawn in: the outermost state it runs within; with
/// several top machines, the top machine it runs under.
fn outer_group(d: &Declaration, m: MachineId) -> Option<GroupOf> {
    let (top, state) = top_of(d, m);
    if d.top_machines() > 1 {
        Some(GroupOf::Machine(top))
    } else {
        state.map(|(m, s)| GroupOf::State(m, s))
    }
}

/// With several top machines, each gets a band of rows of its own, in declaration order:
/// the first row of each top machine's band.
fn band_rows(d: &Declaration) -> Vec<u8> {
    let mut first = vec![0u8; d.machines.len()];
    if d.top_machines() < 2 {
        return first;
    }
    let mut next = 0u8;
    for (i, m) in d.machines.iter().enumerate() {
        if m.within.is_some() {
            continue;
        }
        first[i] = next;
        let rows = (0..d.machines.len())
            .filter(|j| top_of(d, MachineId(*j as u8)).0 == MachineId(i as u8))
            .flat_map(|j| d.machines[j].states.iter().map(|s| s.row))
            .max()
            .unwrap_or(0);
        next += rows + 1;
    }
    first
}

/// Pixel centres of grid lines 0..n, given which groups each line holds.
fn grid(groups_per_line: &[SortedSet<GroupOf>], first: f64, pitch: f64, gap: f64) -> Vec<f64> {
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
        let bands = band_rows(d);
        // (machine, state, label, group, column, row)
        let mut cells = Vec::new();
        for (mi, m) in d.machines.iter().enumerate() {
            let mid = MachineId(mi as u8);
            let band = bands[top_of(d, mid).0 .0 as usize];
            for (si, s) in m.states.iter().enumerate() {
                let sid = StateId(si as u8);
                if d.sub_machine(mid, sid).is_none() {
                    let at = (s.col as usize, (band + s.row) as usize);
                    cells.push((mid, sid, s.label, outer_group(d, mid), at.0, at.1));
                }
            }
        }
        let cols = cells.iter().map(|c| c.4).max().unwrap_or(0) + 1;
        let rows = cells.iter().map(|c| c.5).max().unwrap_or(0) + 1;
        let mut col_groups = vec![SortedSet::new(); cols];
        let mut row_groups = vec![SortedSet::new(); rows];
        for (_, _, _, g, col, row) in &cells {
            if let Some(g) = g {
                col_groups[*col].insert(*g);
                row_groups[*row].insert(*g);
            }
        }
        let xs = grid(&col_groups, X0, COL_W, GROUP_GAP_X);
        let ys = grid(&row_groups, Y0, ROW_H, GROUP_GAP_Y);
        let boxes: Vec<StateBox> = cells
            .iter()
            .map(|(m, s, label, g, col, row)| StateBox {
                key: d.key(*m, *s),
                label,
                machine: *m,
                group: *g,
                x: xs[*col],
                y: ys[*row],
            })
            .collect();
        // Sorted and without repeats, by insertion (no slice sort instantiated for `GroupOf`).
        let group_states: SortedSet<GroupOf> = boxes.iter().filter_map(|b| b.group).collect();
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
                    label: match *g {
                        GroupOf::State(m, s) => d.state(m, s).label,
                        GroupOf::Machine(m) => d.machine(m).name,
                    },
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

    /// The embed's close-up: the current box and the boxes an arrow joins it to (its
    /// neighbours), framed with a margin; no wider than `FOCUS_W` nor taller than `FOCUS_H`
    /// (centred on the current box when its neighbours spread further), so that its labels
    /// stay readable in a small frame.
    fn focus_view(&self, current: &str) -> String {
        let Some(c) = self.boxes.iter().find(|b| b.key == current) else {
            return format!("0 0 {} {}", fixed(self.width, 0), fixed(self.height, 0));
        };
        let joined = |b: &StateBox| {
            b.key == current
                || self.arrows.iter().any(|(from, to, _)| {
                    (from == current && *to == b.key) || (to == current && *from == b.key)
                })
        };
        let (mx, my) = (BOX_W / 2.0 + FOCUS_PAD, BOX_H / 2.0 + FOCUS_PAD);
        let (mut x0, mut x1, mut y0, mut y1) = (c.x - mx, c.x + mx, c.y - my, c.y + my);
        for b in self.boxes.iter().filter(|b| joined(b)) {
            (x0, x1) = (x0.min(b.x - mx), x1.max(b.x + mx));
            (y0, y1) = (y0.min(b.y - my), y1.max(b.y + my));
        }
        let frame = |lo: f64, hi: f64, centre: f64, max: f64| {
            if hi - lo <= max {
                (lo, hi - lo)
            } else {
                (centre - max / 2.0, max)
            }
        };
        let ((x, w), (y, h)) = (frame(x0, x1, c.x, FOCUS_W), frame(y0, y1, c.y, FOCUS_H));
        format!(
            "{} {} {} {}",
            fixed(x, 0),
            fixed(y, 0),
            fixed(w, 0),
            fixed(h, 0)
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

/// The protocol's arrows, as SVG text.
fn static_edges(layout: &Layout) -> String {
    let mut out = String::new();
    for (f, t, bend) in &layout.arrows {
        if let Some(d) = edge_path(layout, f, t, *bend) {
            let _ = write!(
                out,
                r#"<path class="edge" d="{d}" marker-end="url(#arrow)"></path>"#
            );
        }
    }
    out
}

thread_local! {
    /// A protocol's diagram never changes: laid out once per declaration.
    static LAYOUTS: std::cell::RefCell<Vec<(&'static str, std::rc::Rc<Layout>)>> =
        const { std::cell::RefCell::new(Vec::new()) };
}

fn layout(d: &'static Declaration) -> std::rc::Rc<Layout> {
    LAYOUTS.with(|ls| {
        let mut ls = ls.borrow_mut();
        if let Some((_, l)) = ls.iter().find(|(name, _)| *name == d.name) {
            return l.clone();
        }
        let l = std::rc::Rc::new(Layout::of(d));
        ls.push((d.name, l.clone()));
        l
    })
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
    let world = &*run.session;
    let d = world.declaration();
    let layout = layout(d);
    let status = world.status(p.node);
    // The node's own states, as the protocol reports them; a crashed node stands where it
    // boots (every machine at its initial state).
    let position = world.position(p.node);
    // The machines of roles the node does not play (`state_of` says none) are drawn faded.
    let idle_machines: Vec<MachineId> = (0..d.machines.len())
        .map(|m| MachineId(m as u8))
        .filter(|m| {
            world.is_up(p.node) && d.machine(*m).within.is_none() && !world.plays(p.node, *m)
        })
        .collect();
    let currents: Vec<String> = position
        .leaves()
        .into_iter()
        .map(|(m, s)| d.key(m, s))
        .collect();
    let current = currents.first().cloned().unwrap_or_default();
    // The ring's words: a node outside a quorum shows no consensus phase.
    let brief = world.brief(p.node);
    let caption = match (&status, brief.phase) {
        (None, _) => "down (crashed)".to_string(),
        (Some(s), "") => s.role.to_string(),
        (Some(s), phase) => format!("{} · {phase}", s.role),
    };
    let readable = status.as_ref().is_some_and(|s| s.readable);
    let leases = world.presentation().leases;
    let recent = run.index.recent_transitions(p.node, run.events(), RECENT);

    // The drawing is one SVG string (no `html!` nodes: less wasm); its words are the
    // declaration's and the protocol's, escaped all the same.
    let view = if p.focus {
        layout.focus_view(&current)
    } else {
        format!("0 0 {} {}", fixed(layout.width, 0), fixed(layout.height, 0))
    };
    let title = format!("{} state diagram: {caption}", mon(p.node));
    let mut svg = format!(r#"<svg class="diagram-svg" viewBox="{view}" role="img" aria-label=""#);
    push_escaped(&mut svg, &title);
    svg.push_str(r#"">"#);
    for g in &layout.groups {
        let unplayed = matches!(g.state, GroupOf::Machine(m) if idle_machines.contains(&m));
        svg.push_str(r#"<rect class="group "#);
        push_escaped(&mut svg, g.label);
        let _ = write!(
            svg,
            r#"-group{}" x="{}" y="{}" width="{}" height="{}" rx="12"></rect><text class="group-label" x="{}" y="{}">"#,
            if unplayed { " unplayed" } else { "" },
            fixed(g.x, 1),
            fixed(g.y, 1),
            fixed(g.w, 1),
            fixed(g.h, 1),
            fixed(g.x + 10.0, 1),
            fixed(g.y + 16.0, 1)
        );
        push_escaped(&mut svg, g.label);
        svg.push_str("</text>");
    }
    // The protocol's arrows never change: built once per diagram.
    let edges = use_memo(d.name, move |_| static_edges(&self::layout(d)));
    svg.push_str(&edges);
    let count = recent.len();
    for (i, r) in recent.iter().enumerate() {
        let opacity = fixed(0.35 + 0.65 * (i + 1) as f64 / count as f64, 2);
        for hop in r.keys.windows(2) {
            if let Some(d) = edge_path(&layout, &hop[0], &hop[1], 16.0) {
                let _ = write!(
                    svg,
                    r#"<path class="edge traced" d="{d}" opacity="{opacity}" marker-end="url(#arrow-traced)"></path>"#
                );
            }
        }
    }
    for b in &layout.boxes {
        let is_current = currents.contains(&b.key);
        let visited = recent
            .iter()
            .any(|r| r.keys[..r.keys.len() - 1].contains(&b.key));
        let unplayed = idle_machines.contains(&b.machine);
        svg.push_str(r#"<g class="state"#);
        for (on, class) in [
            (is_current, " current"),
            (visited, " visited"),
            (unplayed, " unplayed"),
        ] {
            if on {
                svg.push_str(class);
            }
        }
        svg.push_str(r#"" data-state=""#);
        push_escaped(&mut svg, &b.key);
        let _ = write!(
            svg,
            r#""{}><rect x="{}" y="{}" width="{}" height="{}" rx="7"></rect><text x="{}" y="{}">"#,
            if is_current {
                r#" data-current="true""#
            } else {
                ""
            },
            fixed(b.x - BOX_W / 2.0, 1),
            fixed(b.y - BOX_H / 2.0, 1),
            fixed(BOX_W, 0),
            fixed(BOX_H, 0),
            fixed(b.x, 1),
            fixed(b.y + 4.0, 1)
        );
        push_escaped(&mut svg, b.label);
        svg.push_str("</text></g>");
    }
    if leases {
        let _ = write!(
            svg,
            r#"<g class="lease-pill{}" data-lease="{readable}"><rect x="608" y="113" width="104" height="30" rx="15"></rect><text x="660" y="132">{}</text></g>"#,
            if readable { " held" } else { "" },
            if readable {
                "lease ✓ reads"
            } else {
                "no lease"
            }
        );
    }
    if !p.compact {
        let _ = write!(
            svg,
            r#"<text class="diagram-note" x="{}" y="{}">"#,
            fixed(layout.width - 220.0, 0),
            fixed(layout.height - 14.0, 0)
        );
        push_escaped(&mut svg, d.note);
        svg.push_str("</text>");
    }
    svg.push_str("</svg>");
    let svg = Html::from_html_unchecked(svg.into());
    let dispatch = p.dispatch.clone();
    let node = p.node;
    let select = Callback::from(move |_| dispatch.dispatch(Action::Select(Some(node))));
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
    use paxoscope_core::actor::Protocol;
    use paxoscope_core::protocols::basic_paxos::BasicPaxos;
    use paxoscope_core::protocols::ceph::Ceph;

    const DECLARATIONS: [&Declaration; 2] = [Ceph::DECLARATION, BasicPaxos::DECLARATION];

    #[test]
    fn every_arrow_joins_two_boxes() {
        for d in DECLARATIONS {
            let layout = Layout::of(d);
            assert!(!layout.arrows.is_empty());
            for (from, to, _) in &layout.arrows {
                assert!(
                    layout.center(from).is_some(),
                    "{}: {from} has a box",
                    d.name
                );
                assert!(layout.center(to).is_some(), "{}: {to} has a box", d.name);
            }
        }
    }

    #[test]
    fn boxes_do_not_overlap_and_groups_hold_their_boxes_only() {
        for d in DECLARATIONS {
            let layout = Layout::of(d);
            for (i, a) in layout.boxes.iter().enumerate() {
                for b in &layout.boxes[i + 1..] {
                    let apart = (a.x - b.x).abs() >= BOX_W || (a.y - b.y).abs() >= BOX_H;
                    assert!(apart, "{}: {} and {} overlap", d.name, a.key, b.key);
                }
                for g in &layout.groups {
                    let inside = a.x > g.x && a.x < g.x + g.w && a.y > g.y && a.y < g.y + g.h;
                    let member = a.group == Some(g.state);
                    assert_eq!(
                        inside, member,
                        "{}: {} and group {}",
                        d.name, a.key, g.label
                    );
                }
            }
        }
    }

    #[test]
    fn each_of_several_machines_gets_a_frame_of_its_own() {
        let layout = Layout::of(BasicPaxos::DECLARATION);
        let names: Vec<&str> = layout.groups.iter().map(|g| g.label).collect();
        assert_eq!(names, ["proposer", "acceptor", "learner"]);
        assert!(layout.boxes.iter().all(|b| b.group.is_some()));
    }
}
