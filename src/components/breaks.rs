//! "Break the protocol": one switch per deliberate bug (`Mutation::ALL`) and per "beyond the
//! assumptions" allowance. A switch rewrites the scenario's `break ...` / `allow ...` lines
//! and restarts the run from 0 s, so the reader watches the checker catch what the rule
//! protects against.

use crate::run::RunHandle;
use crate::state::{Action, Dispatch};
use paxoscope_core::scenario::{Allowance, Mutation, Scenario, View};
use yew::prelude::*;

#[derive(Clone, Copy)]
enum Switch {
    /// A mutation, with its name in this protocol's `break` line.
    Break(Mutation, &'static str),
    Allow(Allowance),
}

impl Switch {
    fn name(self) -> &'static str {
        match self {
            Switch::Break(_, name) => name,
            Switch::Allow(a) => a.name(),
        }
    }
    fn line(self) -> String {
        match self {
            Switch::Break(_, name) => format!("break {name}"),
            Switch::Allow(a) => format!("allow {}", a.name()),
        }
    }
    fn is_on(self, s: &Scenario) -> bool {
        match self {
            Switch::Break(m, _) => s.mutations.contains(&m),
            Switch::Allow(a) => s.allowances.contains(&a),
        }
    }
    /// The scenario with this switch flipped, restarting at 0 s and playing.
    fn flipped(self, s: &Scenario, view: View) -> Scenario {
        let mut s = s.clone();
        match self {
            Switch::Break(m, _) => flip(&mut s.mutations, m, &Mutation::ALL),
            Switch::Allow(a) => flip(&mut s.allowances, a, &Allowance::ALL),
        }
        s.view = Some(view);
        s
    }
}

/// `list` with `x` added or removed, in the order of `all` (the order the text format prints).
fn flip<T: PartialEq + Copy>(list: &mut Vec<T>, x: T, all: &[T]) {
    let on = !list.contains(&x);
    *list = all
        .iter()
        .copied()
        .filter(|y| if *y == x { on } else { list.contains(y) })
        .collect();
}

fn allowance_text(a: Allowance) -> &'static str {
    match a {
        Allowance::Reorder => "messages on one link may overtake each other",
        Allowance::Duplicate => "a message may be delivered twice",
    }
}

/// The panel (a plain function, not a component: it keeps no state of its own; the restart
/// message is the playback notice that `Action::Load` sets).
pub fn breaks(
    run: &RunHandle,
    selected: Option<u8>,
    speed_tenths: u32,
    dispatch: &Dispatch,
) -> Html {
    let (mutations, allowances, words) = {
        let run = run.run.borrow();
        let s = run.session.scenario();
        (
            s.mutations.clone(),
            s.allowances.clone(),
            run.session.presentation(),
        )
    };
    let is_on = |sw: Switch| match sw {
        Switch::Break(m, _) => mutations.contains(&m),
        Switch::Allow(a) => allowances.contains(&a),
    };
    let toggle = |sw: Switch| {
        let d = dispatch.clone();
        let view = View {
            t_ms: 0,
            node: selected,
            speed_tenths,
            paused: false,
        };
        let run = run.run.clone();
        Callback::from(move |_: Event| {
            // The running scenario: the base plus every action the user took.
            let scenario = run.borrow().session.scenario().clone();
            let on = !sw.is_on(&scenario);
            let text = format!(
                "Restarted from 0 s {} `{}`.",
                if on { "with" } else { "without" },
                sw.line()
            );
            let flipped = sw.flipped(&scenario, view.clone());
            // A challenge refuses handicaps at level 1 (components/challenge.rs).
            match crate::components::challenge::admit_scenario(&flipped) {
                Ok(()) => d.dispatch(Action::Load(Box::new(flipped), text)),
                Err(e) => d.dispatch(Action::Invalid(crate::state::Area::Playback, e)),
            }
        })
    };
    let row = |sw: Switch, text: &'static str| {
        let id = format!("switch-{}", sw.name());
        html! {
            <li>
                <input type="checkbox" id={id.clone()} checked={is_on(sw)} onchange={toggle(sw)} />
                <label for={id}><code>{ sw.line() }</code>{ format!(": {text}") }</label>
            </li>
        }
    };
    html! {
        <section class="panel breaks" aria-labelledby="breaks-title">
            <h2 id="breaks-title" class="panel-title">{ "Break the protocol" }</h2>
            <p class="small muted">{ "Each switch changes a rule and restarts the run from 0 s, so you can watch the invariant checker catch what the rule protects against." }</p>
            <ul class="switches">
                { for (words.mutations)().into_iter().map(|(m, name, text)| row(Switch::Break(m, name), text)) }
            </ul>
            <h3 class="sub-title">{ if words.needs_fifo { "Beyond the assumptions" } else { "Messenger faults it tolerates" } }</h3>
            <p class="small muted">{ words.messenger }</p>
            <ul class="switches">
                { for Allowance::ALL.iter().map(|a| row(Switch::Allow(*a), allowance_text(*a))) }
            </ul>
        </section>
    }
}
