//! The cluster view: monitors on a ring, links (cut ones dashed and marked), messages moving
//! along the links by virtual time, recent drops falling off, and a lease arc per monitor.

use crate::labels::math::{cos, sin};
use crate::labels::{fixed, mon, push_escaped, shorten};
use crate::run::RunHandle;
use crate::state::{Action, Dispatch};
use paxoscope_core::actor::Rank;
use paxoscope_core::sorted::SortedSet;
use std::f64::consts::PI;
use std::fmt::Write;
use wasm_bindgen::JsCast;
use yew::prelude::*;

/// The drawing's viewBox: the ring plus room for labels (cropped at the sides so that
/// narrow screens get larger monitors).
const VIEW_X0: f64 = 80.0;
const VIEW_W: f64 = 480.0;
const VIEW_H: f64 = 536.0;
/// `VIEW_X0 0 VIEW_W VIEW_H`.
const VIEW_BOX: &str = "80 0 480 536";
/// The embed's viewBox: the monitors, their lease arcs and the crown, nothing under them.
const COMPACT_VIEW: &str = "92 2 456 466";
/// Messages sent together on one link queue up this far apart instead of overlapping.
const QUEUE_PX: f64 = 13.0;
const CENTER: (f64, f64) = (320.0, 264.0);
const RING_R: f64 = 180.0;
const NODE_R: f64 = 44.0;
const LEASE_R: f64 = 52.0;
/// Messages in opposite directions travel side by side, this far from the link's axis.
const LANE_PX: f64 = 7.0;
/// Above this many messages in flight their kind labels are hidden to stay readable.
const MAX_LABELLED: usize = 8;
/// How long (real ms) a dropped message stays visible as it falls.
const DROP_SHOW_REAL_MS: f64 = 900.0;
const MAX_DROPS_SHOWN: usize = 12;
/// Only the newest drops carry a text label, so a burst stays readable.
const DROPS_LABELLED: usize = 2;
/// A drop is drawn this far along its link (0..1) from the end that dropped it: clear of
/// that node's circle and of the lines written under it.
const DROP_ALONG: [f64; 4] = [0.25, 0.35, 0.45, 0.55];
/// Longest drop label ("collect (link cut)"), in viewBox px.
const DROP_LABEL_PX: f64 = 110.0;
/// How far a dropped message falls as it fades, in viewBox px.
const DROP_FALL_PX: f64 = 40.0;

pub struct ClusterProps {
    pub run: RunHandle,
    pub playhead_ms: f64,
    pub speed_tenths: u32,
    pub selected: Option<Rank>,
    pub group: SortedSet<Rank>,
    pub hovered: Option<u64>,
    /// The embed's frame: the ring cropped to the monitors (their lines under them are hidden).
    pub compact: bool,
    /// What goes right under the ring (the narration of the latest events), above the
    /// messages in flight and the legend.
    pub under: Html,
    pub dispatch: Dispatch,
}

pub fn node_pos(rank: Rank, n: u8) -> (f64, f64) {
    let a = -PI / 2.0 + rank as f64 * 2.0 * PI / n as f64;
    (CENTER.0 + RING_R * cos(a), CENTER.1 + RING_R * sin(a))
}

/// Point `t` (0..1) of the way along the lane from `a` to `b`, outside both node circles.
fn lane_point(a: (f64, f64), b: (f64, f64), t: f64) -> (f64, f64) {
    queued_point(a, b, t, 0.0)
}

/// Like `lane_point`, moved `back_px` back towards `a` (for messages queued behind others).
fn queued_point(a: (f64, f64), b: (f64, f64), t: f64, back_px: f64) -> (f64, f64) {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt().max(1.0);
    let (ux, uy) = (dx / len, dy / len);
    let start = (a.0 + ux * (NODE_R + 8.0), a.1 + uy * (NODE_R + 8.0));
    let end = (b.0 - ux * (NODE_R + 8.0), b.1 - uy * (NODE_R + 8.0));
    let (nx, ny) = (-uy * LANE_PX, ux * LANE_PX);
    (
        start.0 + (end.0 - start.0) * t + nx - ux * back_px,
        start.1 + (end.1 - start.1) * t + ny - uy * back_px,
    )
}

/// The lease indicator is drawn as up to this many arcs of equal angle: as the lease runs
/// down, only the arc holding its end changes, so a frame repaints that piece of the ring
/// instead of the whole circle (software raster pays for every pixel it redraws).
const LEASE_PIECES: usize = 8;

/// The lease indicator as SVG `<path>`s: `fraction` of a full circle, clockwise from the
/// top, as `LEASE_PIECES` arcs (the full ones first, each always the same path).
fn arc_paths(r: f64, fraction: f64) -> Vec<String> {
    let f = fraction.clamp(0.0, 1.0);
    let piece = 1.0 / LEASE_PIECES as f64;
    let point = |at: f64| {
        let a = -PI / 2.0 + at * 2.0 * PI;
        (r * cos(a), r * sin(a))
    };
    (0..LEASE_PIECES)
        .map(|i| i as f64 * piece)
        .take_while(|start| *start < f)
        .map(|start| {
            let ((x0, y0), (x1, y1)) = (point(start), point(f.min(start + piece)));
            format!(
                r#"<path class="lease-arc" d="M {} {} A {rr} {rr} 0 0 1 {} {}"/>"#,
                fixed(x0, 1),
                fixed(y0, 1),
                fixed(x1, 1),
                fixed(y1, 1),
                rr = fixed(r, 1)
            )
        })
        .collect()
}

/// The shape of each message family, in order (`family_shape`); the last is for any other.
const SHAPES: [&str; 8] = [
    r#"<circle r="4.5"/>"#,
    r#"<polygon points="0,-7 7,0 0,7 -7,0"/>"#,
    r#"<rect x="-5.5" y="-5.5" width="11" height="11"/>"#,
    r#"<polygon points="0,-7 6.5,5 -6.5,5"/>"#,
    r#"<polygon points="0,-7.5 2,-2.5 7.2,-2.3 3.2,1 4.5,6.2 0,3.2 -4.5,6.2 -3.2,1 -7.2,-2.3 -2,-2.5"/>"#,
    r#"<circle r="5" class="hollow"/>"#,
    r#"<polygon points="-6,0 -3,-5.5 3,-5.5 6,0 3,5.5 -3,5.5"/>"#,
    r#"<rect x="-6" y="-4" width="12" height="8" rx="2"/>"#,
];

/// A distinct shape per message family (the protocol's `families` in order: the i-th family
/// gets the i-th shape), so colour is never the only cue; SVG markup.
pub fn family_shape(families: &[(&str, &str)], family: &str) -> &'static str {
    let i = families.iter().position(|f| f.0 == family);
    SHAPES[i.unwrap_or(SHAPES.len() - 1).min(SHAPES.len() - 1)]
}

/// The closest element around the event's `target` (or related target) carrying `attr`, and
/// that attribute's value as a number.
fn attr_number(target: Option<web_sys::EventTarget>, attr: &str) -> Option<u64> {
    let el = target?.dyn_into::<web_sys::Element>().ok()?;
    let found = el.closest(&format!("[{attr}]")).ok()??;
    found.get_attribute(attr)?.parse().ok()
}

/// The ring's listeners, delegated to the `<svg>`: a node (`data-node`) clicked selects it
/// (shift-click adds it to the group or takes it out), Enter or Space on a focused node
/// selects it; a message (`data-msg-id`) under the pointer is the hovered one.
fn ring_listeners(
    dispatch: &Dispatch,
) -> (
    Callback<MouseEvent>,
    Callback<KeyboardEvent>,
    Callback<MouseEvent>,
) {
    let d = dispatch.clone();
    let click = Callback::from(move |e: MouseEvent| {
        if let Some(r) = attr_number(e.target(), "data-node") {
            let r = r as Rank;
            d.dispatch(if e.shift_key() {
                Action::ToggleGroup(r)
            } else {
                Action::Select(Some(r))
            });
        }
    });
    let d = dispatch.clone();
    let key = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            if let Some(r) = attr_number(e.target(), "data-node") {
                e.prevent_default();
                e.stop_propagation();
                d.dispatch(Action::Select(Some(r as Rank)));
            }
        }
    });
    // `mouseover` and `mouseout` (they bubble, unlike enter and leave): moving between the
    // parts of one message changes nothing.
    let d = dispatch.clone();
    let hover = Callback::from(move |e: MouseEvent| {
        let id = attr_number(e.target(), "data-msg-id");
        if id.is_none() || id == attr_number(e.related_target(), "data-msg-id") {
            return;
        }
        let over = e.type_() == "mouseover";
        d.dispatch(Action::Hover(if over { id } else { None }));
    });
    (click, key, hover)
}

/// The links, each cut direction marked, as SVG markup.
fn push_links(out: &mut String, world: &dyn paxoscope_core::view::RunView, n: u8) {
    out.push_str(r#"<g class="links">"#);
    for (a, b) in (0..n).flat_map(|a| (a + 1..n).map(move |b| (a, b))) {
        let (pa, pb) = (node_pos(a, n), node_pos(b, n));
        let (ab, ba) = (world.link(a, b).cut, world.link(b, a).cut);
        let class = match (ab, ba) {
            (false, false) => "link",
            (true, true) => "link cut",
            _ => "link cut-one-way",
        };
        let _ = write!(
            out,
            r#"<g><line class="{class}" x1="{}" y1="{}" x2="{}" y2="{}"/>"#,
            fixed(pa.0, 1),
            fixed(pa.1, 1),
            fixed(pb.0, 1),
            fixed(pb.1, 1)
        );
        // A one-way cut also gets an arrowhead pointing the blocked way, before the ✕.
        let one_way = ab != ba;
        if ab {
            push_cut_mark(out, pa, pb, one_way);
        }
        if ba {
            push_cut_mark(out, pb, pa, one_way);
        }
        out.push_str("</g>");
    }
    out.push_str("</g>");
}

/// A ✕ near the receiving end of a cut direction `from → to` says which way is blocked; a
/// one-way cut's arrowhead points the blocked way.
fn push_cut_mark(out: &mut String, from: (f64, f64), to: (f64, f64), one_way: bool) {
    let (x, y) = (
        from.0 + (to.0 - from.0) * 0.72,
        from.1 + (to.1 - from.1) * 0.72,
    );
    if one_way {
        let len = ((to.0 - from.0).powi(2) + (to.1 - from.1).powi(2))
            .sqrt()
            .max(1.0);
        let (ux, uy) = ((to.0 - from.0) / len, (to.1 - from.1) / len);
        let (ax, ay) = (
            from.0 + (to.0 - from.0) * 0.58,
            from.1 + (to.1 - from.1) * 0.58,
        );
        out.push_str(r#"<polygon class="cut-arrow" aria-hidden="true" points=""#);
        for (i, (along, side)) in [(9.0, 0.0), (-7.0, 7.0), (-7.0, -7.0)]
            .into_iter()
            .enumerate()
        {
            let _ = write!(
                out,
                "{}{},{}",
                if i == 0 { "" } else { " " },
                fixed(ax + ux * along - uy * side, 1),
                fixed(ay + uy * along + ux * side, 1)
            );
        }
        out.push_str(r#""/>"#);
    }
    let _ = write!(
        out,
        r#"<text class="cut-mark" x="{}" y="{}" aria-hidden="true">✕</text>"#,
        fixed(x, 1),
        fixed(y, 1)
    );
}

/// The ring (a plain function: it re-renders every frame anyway, so a component's memo buys
/// nothing and costs about 1.3 KB of wasm). The links, drops, messages, the pieces of each
/// node's drawing and the list and legend under the ring are SVG/HTML strings (every word from
/// a run escaped), each parsed again only when it changed; the node lines that count down are
/// text nodes. The nodes' own `<g>`s stay nodes so that a focused node keeps its focus as its
/// drawing changes, and the ring's listeners are delegated to the `<svg>` (`ring_listeners`).
pub fn cluster(p: &ClusterProps) -> Html {
    let run = p.run.run.borrow();
    let world = &*run.session;
    let n = world.nodes();
    let families = world.presentation().families;
    let now = p.playhead_ms;
    let events = run.events();

    // The links, the drops and the messages are three strings: each is parsed again only
    // when it changed (the links hardly ever do).
    let mut links = String::new();
    push_links(&mut links, world, n);

    let in_flight = world.in_flight();
    let labelled = in_flight.len() <= MAX_LABELLED;
    let mut hovered_card = None;
    // Per directed link: the progress of the previous message and how many queue behind it.
    let mut queue: Vec<((Rank, Rank), f64, f64)> = Vec::new();
    let mut by_send = in_flight.iter().collect::<Vec<_>>();
    // The shared sort (core/src/sorted.rs), not a stable sort instantiated for this type.
    paxoscope_core::sorted::sort_by_u64_pair(&mut by_send, |m| (m.id, 0));
    let mut messages = String::from(r#"<g class="messages">"#);
    for m in by_send {
        let span = (m.arrive_ms - m.sent_ms).max(1) as f64;
        let t = ((now - m.sent_ms as f64) / span).clamp(0.0, 1.0);
        let back = match queue.iter_mut().find(|q| q.0 == (m.from, m.to)) {
            Some(q) if (q.1 - t).abs() < 0.05 => {
                q.2 += 1.0;
                q.2
            }
            Some(q) => {
                (q.1, q.2) = (t, 0.0);
                0.0
            }
            None => {
                queue.push(((m.from, m.to), t, 0.0));
                0.0
            }
        };
        let (x, y) = queued_point(node_pos(m.from, n), node_pos(m.to, n), t, back * QUEUE_PX);
        if p.hovered == Some(m.id) {
            hovered_card = Some((x, y, m));
        }
        // Not in the tab order (a moving target that vanishes): the list under the ring
        // gives the keyboard and screen readers the same messages.
        let _ = write!(
            messages,
            r#"<g class="msg fam-{}" transform="translate({} {})" role="img" data-msg="{}" data-msg-id="{}" aria-label=""#,
            m.family,
            fixed(x, 1),
            fixed(y, 1),
            m.kind,
            m.id
        );
        push_escaped(
            &mut messages,
            &format!("{} {} → {}: {}", m.kind, mon(m.from), mon(m.to), m.summary),
        );
        messages.push_str(r#""><circle class="hit" r="11"/>"#);
        messages.push_str(family_shape(families, m.family));
        if labelled {
            let _ = write!(
                messages,
                r#"<text class="msg-label" y="-10">{}</text>"#,
                m.kind
            );
        }
        messages.push_str("</g>");
    }
    messages.push_str("</g>");

    let window_ms = (DROP_SHOW_REAL_MS * p.speed_tenths as f64 / 10.0).max(1.0);
    let mut drops = String::from(r#"<g class="drops">"#);
    let recent = run.index.recent_drops(events, now, window_ms);
    for (i, d) in recent.into_iter().take(MAX_DROPS_SHOWN).enumerate() {
        let labelled = i < DROPS_LABELLED;
        push_drop(&mut drops, d, labelled, now, window_ms, families, n);
    }
    drops.push_str("</g>");

    let nodes = (0..n).map(|r| node_view(p, r, n, now));

    let card = hovered_card.map(|(x, y, m)| {
        let style = format!(
            "left:{}%;top:{}%",
            fixed((x - VIEW_X0) / VIEW_W * 100.0, 1),
            fixed(y / VIEW_H * 100.0, 1)
        );
        // Upper half: the card hangs below the message, so it does not cover the top monitor.
        let class = if y < CENTER.1 {
            "msg-card below"
        } else {
            "msg-card"
        };
        let mut text = format!("<strong>{} → {}</strong><code>", mon(m.from), mon(m.to));
        push_escaped(&mut text, &m.summary);
        let _ = write!(
            text,
            r#"</code><span class="muted">sent {} · arrives {}</span>"#,
            crate::labels::seconds(m.sent_ms),
            crate::labels::seconds(m.arrive_ms)
        );
        html! {
            <div {class} {style} role="status">{ Html::from_html_unchecked(text.into()) }</div>
        }
    });

    let (onclick, onkeydown, hover) = ring_listeners(&p.dispatch);
    let title = format!(
        r#"<h2 id="cluster-title" class="panel-title">Cluster<span class="muted small"> · {} messages in flight</span></h2>"#,
        in_flight.len()
    );
    let view_box = if p.compact { COMPACT_VIEW } else { VIEW_BOX };
    let mut under = String::new();
    push_legend(
        &mut under,
        families,
        world.presentation().leases,
        world.presentation().meta_legend,
    );
    html! {
        <section class="panel cluster-panel" aria-labelledby="cluster-title">
            { Html::from_html_unchecked(title.into()) }
            <div class="cluster-wrap">
                <svg id="cluster" viewBox={view_box} role="group"
                     aria-label={format!("{} nodes on a ring; select one to inspect it and act on it", n)}
                     {onclick} {onkeydown} onmouseover={hover.clone()} onmouseout={hover}>
                    { Html::from_html_unchecked(links.into()) }
                    { Html::from_html_unchecked(drops.into()) }
                    { Html::from_html_unchecked(messages.into()) }
                    // Nodes last: their state lines (with a halo) stay readable over a message
                    // or a falling drop passing under them.
                    <g class="nodes">{ for nodes }</g>
                </svg>
                { for card }
            </div>
            { p.under.clone() }
            { flight_list(&in_flight) }
            { Html::from_html_unchecked(under.into()) }
        </section>
    }
}

/// An SVG `transform` moving to `(x, y)`, to a tenth of a viewBox px.
fn translate(x: f64, y: f64) -> String {
    format!("translate({} {})", fixed(x, 1), fixed(y, 1))
}

/// A dropped message falling as it fades, as SVG markup.
fn push_drop(
    out: &mut String,
    d: &crate::index::DropMark,
    labelled: bool,
    now: f64,
    window_ms: f64,
    families: &[(&str, &str)],
    n: u8,
) {
    let age = ((now - d.t_ms as f64) / window_ms).clamp(0.0, 1.0);
    let (x, y, label_left) = drop_point(d.from, d.to, d.at_sender, n);
    // The message falls; its label stays where it was dropped, off the nodes' lines.
    let _ = write!(
        out,
        r#"<g class="drop fam-{}" aria-hidden="true" transform="{}" opacity="{}"><g transform="translate(0 {})">{}<text class="drop-x" x="0" y="1">✕</text></g>"#,
        d.family,
        translate(x, y),
        fixed(1.0 - age, 2),
        fixed(age * DROP_FALL_PX, 1),
        family_shape(families, d.family)
    );
    if labelled {
        let (label_x, label_class) = if label_left {
            ("-10", "drop-mark run-left")
        } else {
            ("10", "drop-mark")
        };
        let _ = write!(
            out,
            r#"<text class="{label_class}" x="{label_x}" y="4">{} ({})</text>"#,
            d.kind, d.reason
        );
    }
    out.push_str("</g>");
}

/// A node: its `<g>` (focusable, with the data attributes tests and scripts read) around its
/// drawing, in pieces that a frame replaces only when they changed.
fn node_view(p: &ClusterProps, r: Rank, n: u8, now: f64) -> Html {
    let run = p.run.run.borrow();
    let world = &*run.session;
    let (x, y) = node_pos(r, n);
    let status = world.status(r);
    let paused = world.paused(r);
    let lease_ms = world.lease_ms().max(1);
    let selected = p.selected == Some(r);
    let in_group = p.group.contains(&r);
    // A crashed node shows what its durable store says.
    let brief = world.brief(r);
    let (role, phase, epoch, lc) = (brief.role, brief.phase, brief.epoch, brief.last_committed);
    let meta_legend = world.presentation().meta_legend;
    // Lease time left on the node's own clock at the playhead, in ms.
    let lease_left = world.lease_left_at(r, now as u64);
    let leads = status.as_ref().is_some_and(|s| s.leader == Some(r));
    let fraction = lease_left as f64 / lease_ms as f64;
    let lease_text = if lease_left > 0 {
        format!("lease {} s", fixed(lease_left as f64 / 1000.0, 1))
    } else {
        String::new()
    };
    let phase_words = if phase.is_empty() {
        String::new()
    } else {
        format!("{phase}, ")
    };
    // At a glance: isolated (every link cut both ways), what it waits for and until when, and
    // (with leases) whether it may serve reads.
    let isolated = status.is_some()
        && (0..n)
            .filter(|o| *o != r)
            .all(|o| world.link(r, o).cut && world.link(o, r).cut);
    let leases = world.presentation().leases;
    let readable = status.as_ref().is_some_and(|s| s.readable);
    let wait = world.waiting(r);
    let wait_text = wait.as_ref().map(|w| match w.until_ms {
        Some(at) => format!(
            "waiting for {}, timeout in {} s",
            w.what,
            fixed(at.saturating_sub(now as u64) as f64 / 1000.0, 1)
        ),
        None => format!("waiting for {}", w.what),
    });
    // Two short lines on the ring, "waits · 6.0 s" over what it waits for, cut to the room the
    // node has before its neighbour's lines; the tooltip says it all.
    let room_chars = (glance_room_px(x, n) / GLANCE_CHAR_PX) as usize;
    let glance = if isolated {
        Some(("isolated".to_string(), String::new()))
    } else {
        wait.as_ref().map(|w| {
            let head = match w.until_ms {
                Some(at) => format!(
                    "waits · {} s",
                    fixed(at.saturating_sub(now as u64) as f64 / 1000.0, 1)
                ),
                None => "waits".to_string(),
            };
            (head, shorten(&w.what, room_chars.max(GLANCE_MIN_CHARS)))
        })
    };
    // Reads are a question only for a node in a consensus phase (not probing or electing).
    let in_phase = status.is_some() && !phase.is_empty();
    let reads_text = match (leases && in_phase, readable, lease_left > 0) {
        (false, ..) => lease_text.clone(),
        (true, true, _) => format!("reads ✓ · {lease_text}"),
        (true, false, true) => format!("no reads · {lease_text}"),
        (true, false, false) => "no reads: lease expired".to_string(),
    };
    let aria = format!(
        "{}: {role}, {phase_words}{}{}{}{}{}{}{}",
        mon(r),
        brief.meta,
        if lease_left > 0 {
            format!(", {lease_text} left")
        } else {
            String::new()
        },
        if paused { ", paused" } else { "" },
        if isolated { ", isolated" } else { "" },
        match (leases && in_phase, readable) {
            (true, true) => ", may serve reads",
            (true, false) => ", lease expired: no reads",
            _ => "",
        },
        wait_text
            .as_ref()
            .map_or(String::new(), |t| format!(", {t}")),
        if selected { ", selected" } else { "" },
    );
    let class = format!(
        "node role-{role}{}{}{}",
        if selected { " selected" } else { "" },
        if paused { " paused" } else { "" },
        if in_group { " in-group" } else { "" }
    );

    let meta_y = NODE_R + 30.0;
    // The drawing as pieces, each an SVG string or a text node, so that a frame rebuilds only
    // the pieces that changed (an unchanged string costs a comparison; a changed one is
    // parsed again, its elements styled, laid out and painted anew): the lease arcs one by
    // one (only the one holding the lease's end moves), the epoch and lease lines, which
    // change with every commit and every frame, as text nodes (rewritten in place).
    let head = format!(
        r#"<circle class="focus-ring" r="{}"/><circle class="lease-track" r="{}"/>"#,
        fixed(LEASE_R + 7.0, 0),
        fixed(LEASE_R, 0)
    );
    // One list (Yew matches an unkeyed list from its end): the piece holding the lease's end
    // first, so that the full pieces keep their places as the lease runs down.
    let arcs = if lease_left > 0 {
        arc_paths(LEASE_R, fraction)
    } else {
        Vec::new()
    };
    let mut body = format!(r#"<circle class="node-body" r="{}"/>"#, fixed(NODE_R, 0));
    if leads {
        body.push_str(r#"<polygon class="crown" points="-13,-62 -13,-74 -6.5,-67 0,-76 6.5,-67 13,-74 13,-62"/>"#);
    }
    let _ = write!(
        body,
        r#"<text class="node-name" y="-12">{}</text><text class="node-role" y="5">{}</text><text class="node-phase" y="20">{}</text>"#,
        mon(r),
        if paused { "paused" } else { role },
        if status.is_none() {
            "store kept"
        } else {
            phase
        },
    );
    let mut legend = String::new();
    if !meta_legend.is_empty() {
        legend.push_str("<title>");
        push_escaped(&mut legend, meta_legend);
        legend.push_str("</title>");
    }
    let lease_class = if leases && in_phase && !readable {
        "node-lease no-reads"
    } else {
        "node-lease"
    };
    let mut tail = String::new();
    if let Some((head, what)) = glance {
        // The glance line is the longest: on the ring's sides it runs inwards, not off the edge.
        let (glance_x, glance_anchor) = match x - CENTER.0 {
            dx if dx < -GLANCE_SIDE_PX => (-NODE_R, " run-right"),
            dx if dx > GLANCE_SIDE_PX => (NODE_R, " run-left"),
            _ => (0.0, ""),
        };
        let gx = fixed(glance_x, 0);
        let _ = write!(
            tail,
            r#"<text class="node-glance{}{glance_anchor}" y="{}" x="{gx}""#,
            if isolated { " isolated" } else { "" },
            fixed(meta_y + 30.0, 0)
        );
        if let Some(w) = &wait {
            tail.push_str(r#" data-waiting=""#);
            push_escaped(&mut tail, &w.what);
            tail.push('"');
        }
        if isolated {
            tail.push_str(r#" data-isolated="""#);
        }
        tail.push('>');
        push_escaped(&mut tail, &head);
        if !what.is_empty() {
            let _ = write!(tail, r#"<tspan class="glance-what" x="{gx}" dy="14">"#);
            push_escaped(&mut tail, &what);
            tail.push_str("</tspan>");
        }
        tail.push_str("<title>");
        if isolated {
            tail.push_str("every link to and from this node is cut");
        } else {
            push_escaped(&mut tail, wait_text.as_deref().unwrap_or_default());
        }
        tail.push_str("</title></text>");
    }
    if in_group {
        tail.push_str(r#"<text class="group-badge" x="34" y="-34">A</text>"#);
    }
    let svg = |markup: String| Html::from_html_unchecked(markup.into());
    html! {
        <g key={format!("n{r}")} {class} data-node={r.to_string()} data-monitor-state={role}
           data-paxos-state={phase} data-epoch={epoch.to_string()} data-last-committed={lc.to_string()}
           transform={translate(x, y)} tabindex="0" role="button"
           aria-pressed={selected.to_string()} aria-label={aria}>
            { svg(head) }
            { arcs.into_iter().rev().map(svg).collect::<Html>() }
            { svg(body) }
            <text class="node-meta" y={fixed(meta_y, 0)}>{ brief.meta.clone() }{ svg(legend) }</text>
            <text class={lease_class} y={fixed(meta_y + 15.0, 0)} data-readable={readable.to_string()}>{ reads_text }</text>
            { svg(tail) }
        </g>
    }
}

/// Width of one character of a glance line (11 px bold), in viewBox px: a little over the
/// average, so that a cut line never reaches its neighbour's.
const GLANCE_CHAR_PX: f64 = 7.0;
/// Shortest cut of a glance line: below this the words say nothing (the tooltip has them all).
const GLANCE_MIN_CHARS: usize = 12;
/// Space kept between two nodes' glance lines, in viewBox px.
const GLANCE_GAP_PX: f64 = 12.0;

/// How wide a node's glance lines may run, in viewBox px. A node on the ring's side writes
/// inwards from its outer edge and meets its mirror image (rank `n - r`) at the ring's axis; a
/// node near the axis writes centred and has the distance to its neighbours (the chord) and
/// to the drawing's edges.
fn glance_room_px(x: f64, n: u8) -> f64 {
    let dx = x - CENTER.0;
    if dx.abs() > GLANCE_SIDE_PX {
        return dx.abs() + NODE_R - GLANCE_GAP_PX;
    }
    let chord = 2.0 * RING_R * sin(PI / n.max(2) as f64);
    let edges = 2.0 * (x - VIEW_X0).min(VIEW_X0 + VIEW_W - x);
    chord.min(edges) - GLANCE_GAP_PX
}

/// A node further than this from the ring's vertical axis writes its glance lines inwards.
const GLANCE_SIDE_PX: f64 = 60.0;

/// Where a message dropped on the link `from → to` is drawn, and whether its label runs to
/// the left: near the end that dropped it, moved along the link (the label preferably running
/// away from the ring's axis) until neither the drop nor its label lands on a node or on the
/// lines written under one.
fn drop_point(from: Rank, to: Rank, at_sender: bool, n: u8) -> (f64, f64, bool) {
    let (a, b) = (node_pos(from, n), node_pos(to, n));
    let clear = |(x, y): (f64, f64), left: bool| {
        let label = if left {
            (x - 10.0 - DROP_LABEL_PX, x + 6.0)
        } else {
            (x - 6.0, x + 10.0 + DROP_LABEL_PX)
        };
        let apart = |(l, r): (f64, f64), (top, bottom): (f64, f64)| {
            label.1 < l || label.0 > r || y + 8.0 < top || y - 8.0 > bottom
        };
        (0..n).map(|r| node_pos(r, n)).all(|node| {
            let circle = apart(
                (node.0 - LEASE_R, node.0 + LEASE_R),
                (node.1 - LEASE_R, node.1 + LEASE_R),
            );
            circle
                && apart(
                    text_span(node, n),
                    (node.1 + NODE_R + 12.0, node.1 + NODE_R + 82.0),
                )
        })
    };
    let point = |along: f64| lane_point(a, b, if at_sender { along } else { 1.0 - along });
    let candidates = DROP_ALONG.into_iter().map(point).flat_map(|p| {
        let outward = p.0 < CENTER.0;
        [(p, outward), (p, !outward)]
    });
    let ((x, y), left) = candidates
        .clone()
        .find(|(p, left)| clear(*p, *left))
        .unwrap_or_else(|| candidates.take(1).next().expect("DROP_ALONG is not empty"));
    (x, y, left)
}

/// The horizontal span of the lines written under the node at `pos`: its epoch and reads
/// lines, centred, and its glance lines (`glance_room_px`), which run inwards on the sides.
fn text_span(pos: (f64, f64), n: u8) -> (f64, f64) {
    let room = glance_room_px(pos.0, n);
    let centred = (pos.0 - 95.0, pos.0 + 95.0);
    match pos.0 - CENTER.0 {
        dx if dx < -GLANCE_SIDE_PX => (centred.0, centred.1.max(pos.0 - NODE_R + room)),
        dx if dx > GLANCE_SIDE_PX => (centred.0.min(pos.0 + NODE_R - room), centred.1),
        _ => (
            centred.0.min(pos.0 - room / 2.0),
            centred.1.max(pos.0 + room / 2.0),
        ),
    }
}

/// Longest list of messages in flight written out under the ring.
const LISTED: usize = 24;

/// The messages in flight as a list (collapsed): what the keyboard and screen readers use
/// instead of the moving shapes. The `<details>` and its `<summary>` stay nodes (the list's
/// open state and the summary's focus survive a frame); the list is one HTML string.
fn flight_list(in_flight: &[paxoscope_core::view::Flight]) -> Html {
    let mut items = String::from(r#"<ul class="small">"#);
    for m in in_flight.iter().take(LISTED) {
        items.push_str("<li>");
        push_escaped(
            &mut items,
            &format!(
                "{} {} → {}: {}, arrives {}",
                m.kind,
                mon(m.from),
                mon(m.to),
                m.summary,
                crate::labels::seconds(m.arrive_ms)
            ),
        );
        items.push_str("</li>");
    }
    if in_flight.len() > LISTED {
        let _ = write!(items, "<li>… and {} more</li>", in_flight.len() - LISTED);
    }
    items.push_str("</ul>");
    html! {
        <details class="flight-list">
            <summary class="small">{ format!("Messages in flight ({})", in_flight.len()) }</summary>
            { Html::from_html_unchecked(items.into()) }
        </details>
    }
}

/// The legend as HTML: a shape per message family, the cut link, the lease arc (if the
/// protocol holds leases) and what the line under a node abbreviates (`meta`).
fn push_legend(out: &mut String, families: &[(&str, &str)], leases: bool, meta: &str) {
    out.push_str(r#"<ul class="legend" aria-label="Message families">"#);
    for (fam, label) in families {
        let _ = write!(
            out,
            r#"<li><svg class="legend-shape fam-{fam}" viewBox="-9 -9 18 18" aria-hidden="true">{}</svg>"#,
            family_shape(families, fam)
        );
        push_escaped(out, label);
        out.push_str("</li>");
    }
    out.push_str(r#"<li><span class="legend-line cut" aria-hidden="true"></span>cut link (an arrow and ✕ mark a one-way cut's blocked direction)</li>"#);
    if leases {
        out.push_str(r#"<li><span class="legend-arc" aria-hidden="true"></span>lease left</li>"#);
    }
    if !meta.is_empty() {
        out.push_str(r#"<li class="legend-meta">"#);
        push_escaped(out, meta);
        out.push_str("</li>");
    }
    out.push_str("</ul>");
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn view_box_is_the_drawing_s_bounds() {
        assert_eq!(VIEW_BOX, format!("{VIEW_X0} 0 {VIEW_W} {VIEW_H}"));
    }
}
