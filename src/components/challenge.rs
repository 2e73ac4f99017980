//! Challenge mode ("Can you make it fail?", core/src/challenge.rs): the header's Challenge
//! button, the `#challenge` / `#challenge=2` link, and the banner a challenge run keeps on
//! screen: whether safety holds (the run's checker, the Invariants panel's verdict), the fault
//! budget left, the level's rules, and the best attempts kept as share links (localStorage,
//! the best `KEPT` per protocol and level). The budget itself is the core's: the reducer asks
//! `admit` before it injects, the Break the protocol switches ask `admit_scenario`.

use crate::labels::{push_escaped, seconds};
use crate::page::page_base;
use crate::state::{Action, Dispatch, Playground};
use paxoscope_core::challenge::{self, FaultKind, Level, Score, Tally, BUDGET};
use paxoscope_core::scenario::{to_url_fragment, Action as SimAction, Scenario, View};
use std::fmt::Write as _;
use yew::prelude::*;

/// The fragment of a challenge link: `#challenge` (level 1) or `#challenge=2`.
pub const LINK: &str = "challenge";
/// Best attempts kept per protocol and level.
const KEPT: usize = 5;

/// Whether the running challenge (if `s` is one) takes `a`; `Err` says why not.
pub fn admit(s: &Scenario, a: &SimAction) -> Result<(), String> {
    match challenge::level_of(s) {
        Some(level) => challenge::admit(level, s, a),
        None => Ok(()),
    }
}

/// Whether the challenge `s` (if it is one) may run as it stands (a switch flipped).
pub fn admit_scenario(s: &Scenario) -> Result<(), String> {
    match challenge::level_of(s) {
        Some(level) => challenge::admit_scenario(level, s),
        None => Ok(()),
    }
}

/// Level `number` on `protocol`'s free play, playing from 0 s at 1x.
fn scenario_for(number: u8, protocol: &str) -> Option<Scenario> {
    let mut s = challenge::start(number, &crate::components::tour::free_play(protocol))?;
    s.view = Some(View {
        t_ms: 0,
        node: Some(0),
        speed_tenths: 10,
        paused: false,
    });
    Some(s)
}

/// The playground a `#challenge[=N]` link opens on this page's first protocol, if `frag` is
/// one.
pub fn open_link(frag: &str) -> Option<Playground> {
    let rest = frag.strip_prefix(LINK)?;
    let number = match rest {
        "" => 1,
        _ => rest.strip_prefix('=')?.parse().ok()?,
    };
    let protocol = paxoscope_core::view::protocols()[0].0.name;
    scenario_for(number, protocol).map(|s| Playground::new(s, None))
}

/// Opens level `number` of `protocol`'s challenge (a new history entry).
fn load_level(number: u8, protocol: &'static str, d: &Dispatch) {
    if let Some(s) = scenario_for(number, protocol) {
        crate::hooks::push_history_entry();
        let said = format!(
            "Challenge, level {number}: spend the fault budget; the banner keeps the score."
        );
        d.dispatch(Action::Load(Box::new(s), said));
    }
}

/// The header's button: level 1 of the running protocol.
pub fn challenge_button(protocol: &'static str, dispatch: &Dispatch) -> Html {
    let d = dispatch.clone();
    let start = Callback::from(move |_: MouseEvent| load_level(1, protocol, &d));
    html! {
        <button type="button" class="btn" data-challenge-start="" onclick={start}
                title="Can you make it fail? A fault budget against the checker">{ "Challenge" }</button>
    }
}

/// localStorage key of the best attempts of one protocol and level.
fn key(protocol: &str, level: u8) -> String {
    format!("paxoscope.challenge.{protocol}.{level}")
}

/// A kept attempt: its score, the rule it broke and its share link.
#[derive(Clone, PartialEq)]
struct Attempt {
    score: Score,
    rule: String,
    url: String,
}

fn storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok()?
}

/// The kept attempts, best first (lines `spent violation_ms rule url`; a bad line is skipped).
fn kept(protocol: &str, level: u8) -> Vec<Attempt> {
    let text = storage()
        .and_then(|s| s.get_item(&key(protocol, level)).ok().flatten())
        .unwrap_or_default();
    text.lines()
        .filter_map(|line| {
            let mut f = line.splitn(4, ' ');
            let spent = f.next()?.parse().ok()?;
            let violation_ms = f.next()?.parse().ok()?;
            let (rule, url) = (f.next()?.to_string(), f.next()?.to_string());
            let score = Score {
                spent,
                violation_ms,
            };
            Some(Attempt { score, rule, url })
        })
        .collect()
}

/// Adds `a` to the kept attempts (once per link), keeping the best `KEPT`.
fn keep(protocol: &str, level: u8, a: Attempt) {
    let mut all = kept(protocol, level);
    if all.iter().any(|k| k.url == a.url) {
        return;
    }
    let at = all
        .iter()
        .position(|k| a.score < k.score)
        .unwrap_or(all.len());
    all.insert(at, a);
    all.truncate(KEPT);
    let text: Vec<String> = all
        .iter()
        .map(|a| {
            format!(
                "{} {} {} {}",
                a.score.spent, a.score.violation_ms, a.rule, a.url
            )
        })
        .collect();
    if let Some(s) = storage() {
        let _ = s.set_item(&key(protocol, level), &text.join("\n"));
    }
}

fn budget_text(t: &Tally) -> String {
    let parts: Vec<String> = FaultKind::ALL
        .iter()
        .map(|k| {
            let (used, of) = (t.used[*k as usize], BUDGET[*k as usize]);
            format!("{} {} of {of}", k.plural(), of.saturating_sub(used))
        })
        .collect();
    parts.join(", ")
}

/// The permanent banner of a challenge run (nothing for any other run); `compact` for the
/// embed layout. A plain function, not a component (a component costs about 1.3 KB of wasm):
/// a won attempt is kept when the banner first shows it (`keep` takes a link once).
pub fn challenge_banner(state: &Playground, compact: bool, dispatch: &Dispatch) -> Html {
    // Only a challenge run copies its scenario (the banner renders with every frame).
    let (level, scenario, violation, rules, protocol) = {
        let run = state.run.borrow();
        let level: Option<&'static Level> = challenge::level_of(run.session.scenario());
        let rules = level.map_or(0, |_| {
            run.session.rules().iter().filter(|r| r.checked).count()
        });
        let scenario = level
            .map(|_| run.session.scenario().clone())
            .unwrap_or_default();
        (
            level,
            scenario,
            run.violation.clone(),
            rules,
            run.session.declaration().name,
        )
    };
    // A violation at level 2 is a win: keep it as a share link standing at the violation.
    let won = level.zip(violation.as_ref()).and_then(|(l, v)| {
        let mut at = scenario.clone();
        at.view = Some(View {
            t_ms: v.t_ms,
            node: v.node.or(Some(0)),
            speed_tenths: 10,
            paused: true,
        });
        let url = format!("{}#{}", page_base(), to_url_fragment(&at));
        let score = Score::of(&scenario, v.t_ms);
        (l.handicaps && challenge::admit_scenario(l, &scenario).is_ok()).then(|| Attempt {
            score,
            rule: v.invariant.to_string(),
            url,
        })
    });
    if let (Some(a), Some(l)) = (won, level) {
        keep(protocol, l.number, a);
    }
    let Some(level) = level else {
        return html! {};
    };
    let tally = Tally::of(&scenario);
    let total = challenge::budget_total();
    let verdict = match &violation {
        Some(v) => format!("Safety broken: {} at {}", v.invariant, seconds(v.t_ms)),
        None => format!("Safety holds: 0 of {rules} rules broken"),
    };
    let left = format!("{} of {total} faults left", tally.left());
    let outcome = match (&violation, level.handicaps) {
        (None, false) => "You cannot win this level: Paxos is designed so that you cannot. Try level 2.".to_string(),
        (None, true) => format!("{} handicaps on. Break safety to win.", tally.handicaps),
        (Some(_), true) => format!(
            "You win: {} faults and {} handicaps (score {}, then {}). Kept below as a link.",
            tally.faults(),
            tally.handicaps,
            tally.faults() + tally.handicaps,
            seconds(violation.as_ref().map_or(0, |v| v.t_ms))
        ),
        (Some(_), false) => "A violation inside the assumptions: that is a bug in the protocol or the checker. Share this link!".to_string(),
    };
    let other = if level.number == 1 { 2 } else { 1 };
    let other_label = if other == 2 {
        "Level 2: beyond the assumptions ›"
    } else {
        "‹ Level 1"
    };
    let status = if violation.is_some() {
        "broken"
    } else {
        "holds"
    };
    // The banner's content is one HTML string (less wasm than html! nodes; the words are the
    // checker's and the levels', escaped); its two buttons are taken by one click listener.
    let mut body = String::from(
        r#"<p class="challenge-line" role="status"><strong data-challenge-verdict="">"#,
    );
    push_escaped(&mut body, &verdict);
    let _ = write!(
        body,
        r#"</strong> · <span data-challenge-left="{}">{left}</span>"#,
        tally.left()
    );
    if !compact {
        let _ = write!(
            body,
            r#"<span class="small muted"> (left: {})</span>"#,
            budget_text(&tally)
        );
    }
    body.push_str("</p>");
    if !compact {
        let _ = write!(body, r#"<p class="small">Level {}: "#, level.number);
        push_escaped(&mut body, level.rules);
        body.push_str(r#" <em data-challenge-outcome="">"#);
        push_escaped(&mut body, &outcome);
        let _ = write!(
            body,
            r#"</em></p><div class="buttons"><button type="button" class="btn" data-challenge-level="{other}">{other_label}</button><button type="button" class="btn" data-challenge-leave="">Leave the challenge</button></div>"#
        );
        let best = kept(protocol, level.number);
        if !best.is_empty() {
            let _ = write!(
                body,
                r#"<details class="challenge-best" open=""><summary class="small">Best attempts, level {} ({} kept)</summary><ol class="small">"#,
                level.number,
                best.len()
            );
            for a in &best {
                body.push_str(r#"<li><a href=""#);
                push_escaped(&mut body, &a.url);
                let _ = write!(body, r#"" data-attempt="">score {}: "#, a.score.spent);
                push_escaped(&mut body, &a.rule);
                let _ = write!(body, " at {}</a></li>", seconds(a.score.violation_ms));
            }
            body.push_str("</ol></details>");
        }
    }
    let d = dispatch.clone();
    let click = Callback::from(move |e: MouseEvent| match clicked(&e) {
        Some(Clicked::Level(n)) => load_level(n, protocol, &d),
        Some(Clicked::Leave) => {
            crate::hooks::push_history_entry();
            let s = crate::components::tour::free_play(protocol);
            d.dispatch(Action::Load(Box::new(s), "Free play.".into()))
        }
        None => {}
    });
    let class = format!(
        "challenge-banner challenge-{status}{}",
        if compact { " compact" } else { "" }
    );
    html! {
        <section class={class} aria-label="Challenge" data-challenge={level.number.to_string()} data-safety={status} onclick={click}>
            { Html::from_html_unchecked(body.into()) }
        </section>
    }
}

/// A button of the banner.
enum Clicked {
    Level(u8),
    Leave,
}

/// Which of the banner's buttons the click landed on, if any.
fn clicked(e: &MouseEvent) -> Option<Clicked> {
    use wasm_bindgen::JsCast;
    let el = e.target()?.dyn_into::<web_sys::Element>().ok()?;
    let button = el.closest("button").ok()??;
    if let Some(n) = button.get_attribute("data-challenge-level") {
        return n.parse().ok().map(Clicked::Level);
    }
    button
        .has_attribute("data-challenge-leave")
        .then_some(Clicked::Leave)
}
