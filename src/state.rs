//! The playground's one state (a Yew `Reducible`) and the `Action` enum naming everything a
//! user can do. Components render from `Playground` and dispatch `Action`s; the reducer turns
//! them into calls on the session (`run.rs`). No Paxos rule lives here.

use crate::labels::mon;
use crate::run::{Run, RunHandle};
use paxoscope_core::actor::Rank;
use paxoscope_core::scenario::{
    validate::MAX_SPEED_TENTHS, Action as SimAction, Scenario, TimedAction, View,
};
use paxoscope_core::sorted::SortedSet;
use std::cell::RefCell;
use std::rc::Rc;
use yew::prelude::*;

/// Where a piece of feedback belongs, so it shows next to the control that caused it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Area {
    Faults,
    /// The clock-skew field of the Faults panel: its errors show under the field.
    Skew,
    Client,
    Playback,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Notice {
    pub area: Area,
    pub text: String,
    pub is_error: bool,
}

impl Notice {
    /// Appends the notice as a paragraph of a panel's HTML string (its text escaped); an error
    /// is an alert.
    pub fn push_html(&self, out: &mut String) {
        out.push_str(if self.is_error {
            r#"<p class="notice error" role="alert">"#
        } else {
            r#"<p class="notice">"#
        });
        crate::labels::push_escaped(out, &self.text);
        out.push_str("</p>");
    }
}

/// Which log rows to show.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct LogFilter {
    pub node: Option<Rank>,
    /// A message family (`election`, ...), or `faults` / `states` / `clients`.
    pub family: Option<String>,
}

#[derive(Clone)]
pub struct Playground {
    pub run: Rc<RefCell<Run>>,
    /// Bumped whenever the world changes (events ran, seek, inject, reset).
    pub revision: u64,
    /// `revision` as the slow panels (the log, the lanes, the client operations' timeline) see
    /// it: while playing it catches up at most every `SLOW_PANEL_MS` (`SLOW_PANEL_FAST_MS`
    /// above 10x), so frames stay cheap.
    slow: Lagging,
    /// The same for the side panels (inspector, faults, client, scores, invariants), staggered
    /// by half of `SLOW_PANEL_MS` from `slow`: no frame rebuilds every panel at once (at 100x
    /// that frame cost about twice an ordinary one; docs/performance.md, "Frames at 100x").
    side: Lagging,
    /// `revision` as the state diagrams see it: every frame up to `DIAGRAM_EVERY_FRAME_TENTHS`
    /// (10x, where a one-round-trip phase still shows for a frame or two); faster, at most
    /// every `DIAGRAM_MS` (at 100x a monitor changes state several times a frame, and five
    /// diagrams repainted on every frame cost more than the cluster itself).
    diagrams: Lagging,
    /// The scenario loaded at start; Reset and New seed begin from it.
    pub base: Rc<Scenario>,
    /// Playhead in simulated ms, with a fraction so that slow playback animates smoothly.
    pub playhead_ms: f64,
    pub playing: bool,
    pub speed_tenths: u32,
    pub selected: Option<Rank>,
    /// Monitors picked for the next partition (group A; the rest is group B).
    pub group: SortedSet<Rank>,
    pub hovered_msg: Option<u64>,
    pub help_open: bool,
    pub log_filter: LogFilter,
    pub notice: Option<Notice>,
    /// What was wrong with the URL's scenario, if anything.
    pub url_error: Option<String>,
    /// The latest notable event, for the polite live region.
    pub announcement: String,
    /// Bumped when the scenario (seed or actions) changes, so the URL is rewritten.
    pub scenario_revision: u64,
    /// False until the first picture of the cluster is on screen: the other panels wait.
    pub panels: bool,
    /// Bumped when a verdict checked outside the page's wasm came (the shipped page's checker
    /// module, components/verdict_loader.rs): the Client operations panel is drawn again.
    pub verdict_revision: u32,
    /// A link's playhead the run is still catching up with, a slice per frame.
    pub catching_up: Option<CatchUp>,
    /// A first visit's welcome is on screen (page.rs, `first_visit`).
    pub welcome: bool,
    /// What Undo restores, newest last: the run before each injected action or Reset.
    pub undo: Rc<Vec<UndoPoint>>,
}

/// The run as it stood before an action Undo can take back.
pub struct UndoPoint {
    /// What is undone, for the button's title and the notice (`isolate mon.0`, `Reset`).
    pub what: String,
    /// The scenario with the user's actions so far, and where the playhead stood.
    scenario: Scenario,
    base: Rc<Scenario>,
    t_ms: u64,
    selected: Option<Rank>,
}

impl UndoPoint {
    fn clone_point(&self) -> UndoPoint {
        UndoPoint {
            what: self.what.clone(),
            scenario: self.scenario.clone(),
            base: self.base.clone(),
            t_ms: self.t_ms,
            selected: self.selected,
        }
    }
}

/// Undo keeps this many steps back.
const UNDO_DEPTH: usize = 20;

/// The page runs toward a link's playhead in slices of real time, one a frame, so that a
/// heavy run (every value in range, tens of thousands of events a simulated second) never
/// freezes the tab; it shows its progress and can be cancelled.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CatchUp {
    /// Where the link's view stands (simulated ms).
    pub target_ms: u64,
    /// Play on once there (the link said `playing`).
    pub resume: bool,
}

/// Real ms of simulation per frame while catching up or playing: well under the 100 ms that
/// makes a task "long", with room left in the frame for rendering.
const SLICE_MS: f64 = 30.0;

#[allow(dead_code)] // Play, Pause and DismissNotice are for tours and embeds built on this.
pub enum Action {
    /// A rendered frame: real milliseconds since the previous one.
    Tick(f64),
    /// Stop catching up with a link's playhead: stay where the run stands, paused.
    CancelCatchUp,
    Play,
    Pause,
    TogglePlay,
    Step,
    StepBack,
    /// Time travel to this simulated time.
    Seek(u64),
    /// Stand just after the run's n-th event (the host-page API's `seek-event`).
    SeekEvent(u64),
    SetSpeed(u32),
    Reset,
    NewSeed(u64),
    Select(Option<Rank>),
    ToggleGroup(Rank),
    /// A fault or client request through `Session::inject`; the area shows its feedback.
    Inject(SimAction, Area),
    /// Feedback from a form that rejected its input before anything was sent.
    Invalid(Area, String),
    DismissNotice,
    DismissUrlError,
    Hover(Option<u64>),
    ToggleHelp,
    CloseHelp,
    SetLogFilter(LogFilter),
    /// The cluster's first frame is on screen: render the other panels too.
    ShowPanels,
    /// A linearizability verdict checked outside the page's wasm came: draw it.
    VerdictCame,
    /// Replace the whole scenario (a tour, a "break the protocol" switch): a new run standing
    /// where the scenario's `view` says (or at 0, playing); the text goes to the live region.
    Load(Box<Scenario>, String),
    /// Replace the whole playground with one a new link opened (its notice, if any, says
    /// what was wrong with the link).
    Open(Box<Playground>),
    /// A tour reached its end: drop the end and play on from here as free play.
    KeepPlaying,
    /// Take back the last injected action or Reset.
    Undo,
    /// The welcome was answered: play freely (true) or wait for a tour to load.
    DismissWelcome(bool),
}

/// Free play opens at 0.2x: a message (100-150 ms on the default links) crosses in about half a
/// second of real time, so the start-up election (about 1.2 simulated seconds) can be watched.
pub const DEFAULT_SPEED_TENTHS: u32 = 2;

/// Real ms between updates of the slow panels while playing, up to 10x.
const SLOW_PANEL_MS: f64 = 400.0;
/// The same above 10x, where the log moves on by 40 simulated seconds or more between two
/// updates anyway: a frame that rebuilds panels comes half as often.
const SLOW_PANEL_FAST_MS: f64 = 800.0;
/// Real ms between updates of the state diagrams while playing faster than 10x.
const DIAGRAM_MS: f64 = 100.0;
/// Up to this speed (tenths) the state diagrams follow every frame.
const DIAGRAM_EVERY_FRAME_TENTHS: u32 = 100;

/// A revision that follows `Playground::revision` at most every so many real ms.
#[derive(Clone, Copy, Default, PartialEq)]
struct Lagging {
    revision: u64,
    wait_ms: f64,
}

impl Lagging {
    /// A view that starts `offset_ms` into its wait (so it catches up that much earlier than
    /// one that starts at 0).
    fn offset(revision: u64, offset_ms: f64) -> Lagging {
        Lagging {
            revision,
            wait_ms: offset_ms,
        }
    }

    /// `dt_ms` real ms passed; catch up with `revision` if `every_ms` passed or `now`.
    fn follow(&mut self, revision: u64, dt_ms: f64, every_ms: f64, now: bool) {
        self.wait_ms += dt_ms;
        if now || self.wait_ms >= every_ms {
            *self = Lagging {
                revision,
                wait_ms: 0.0,
            };
        }
    }
}

/// The scenario shown when the URL has none: the first protocol's free play (Ceph: five
/// monitors and nothing scripted). Everything in it is in the URL, so readers can change it.
pub fn default_scenario() -> Scenario {
    let (_, words) = paxoscope_core::view::protocols()[0];
    paxoscope_core::scenario::parse(words.default_scenario).expect("the default scenario parses")
}

impl Playground {
    /// A playground for `scenario`, standing where its `view` line says (or at 0, playing).
    pub fn new(scenario: Scenario, url_error: Option<String>) -> Self {
        let view = scenario.view.clone();
        let mut base = scenario;
        base.view = None;
        let mut run = Run::new(base.clone());
        let url_error = url_error.or_else(|| run.open_error.take());
        let (t_ms, selected, speed, playing) = match &view {
            Some(v) => (v.t_ms, v.node, v.speed_tenths, !v.paused),
            None => (0, Some(0), DEFAULT_SPEED_TENTHS, true),
        };
        // A cheap link is there after the first slice; a heavy one catches up frame by frame.
        let caught_up = t_ms == 0 || run.advance_sliced(t_ms, SLICE_MS);
        let catching_up = (!caught_up).then_some(CatchUp {
            target_ms: t_ms,
            resume: playing,
        });
        let playing = playing && caught_up;
        let playhead_ms = run.now_ms() as f64;
        let mut p = Playground {
            run: Rc::new(RefCell::new(run)),
            revision: 0,
            slow: Lagging::default(),
            side: Lagging::offset(0, SLOW_PANEL_MS / 2.0),
            diagrams: Lagging::default(),
            base: Rc::new(base),
            playhead_ms,
            playing,
            speed_tenths: speed.clamp(1, MAX_SPEED_TENTHS),
            selected: selected.or(Some(0)),
            group: SortedSet::new(),
            hovered_msg: None,
            help_open: false,
            log_filter: LogFilter::default(),
            notice: None,
            url_error,
            announcement: String::new(),
            scenario_revision: 0,
            panels: false,
            verdict_revision: 0,
            catching_up,
            welcome: false,
            undo: Rc::new(Vec::new()),
        };
        p.stop_if_over_budget();
        p
    }

    /// If the run went over its budget, pause and say which limit, when, and why.
    fn stop_if_over_budget(&mut self) {
        let Some(why) = self.run.borrow().budget_stop() else {
            return;
        };
        self.playing = false;
        self.catching_up = None;
        self.playhead_ms = self.run.borrow().now_ms() as f64;
        self.announcement = format!("The run {why}");
        self.notice = Some(Notice {
            area: Area::Playback,
            text: self.announcement.clone(),
            is_error: true,
        });
    }

    /// One frame's slice of catching up with a link's playhead.
    fn catch_up_slice(&mut self, c: CatchUp) {
        let done = self.run.borrow_mut().advance_sliced(c.target_ms, SLICE_MS);
        self.playhead_ms = self.run.borrow().now_ms() as f64;
        self.revision += 1;
        self.stop_if_over_budget();
        if done && self.catching_up.is_some() {
            self.catching_up = None;
            self.playing = c.resume && self.run.borrow().session.violation().is_none();
            self.announcement = format!("Caught up: {}", crate::labels::seconds(c.target_ms));
            self.catch_up();
        }
    }

    pub fn handle(&self) -> RunHandle {
        RunHandle {
            run: self.run.clone(),
            revision: self.revision,
        }
    }

    /// The scenario and the view, as the URL stores them (while catching up, the view the
    /// page is on its way to).
    pub fn scenario_with_view(&self) -> Scenario {
        let mut s = self.run.borrow().session.scenario().clone();
        let (t_ms, playing) = match self.catching_up {
            Some(c) => (c.target_ms, c.resume),
            None => (self.playhead_ms as u64, self.playing),
        };
        s.view = Some(View {
            t_ms,
            node: self.selected,
            speed_tenths: self.speed_tenths,
            paused: !playing,
        });
        s
    }

    /// The slow panels' view of the run.
    pub fn slow_handle(&self) -> RunHandle {
        RunHandle {
            run: self.run.clone(),
            revision: self.slow.revision,
        }
    }

    /// The side panels' view of the run (`side`).
    pub fn side_handle(&self) -> RunHandle {
        RunHandle {
            run: self.run.clone(),
            revision: self.side.revision,
        }
    }

    /// The state diagrams' view of the run.
    pub fn diagram_handle(&self) -> RunHandle {
        RunHandle {
            run: self.run.clone(),
            revision: self.diagrams.revision,
        }
    }

    /// Every lagging view catches up with the world now.
    fn catch_up(&mut self) {
        self.slow.follow(self.revision, 0.0, 0.0, true);
        self.side = Lagging::offset(self.revision, SLOW_PANEL_MS / 2.0);
        self.diagrams.follow(self.revision, 0.0, 0.0, true);
    }

    /// `next` in this playground's place: a new run, with revisions that move on from this
    /// one's (so every panel and the URL see the change) and the panels shown as they are.
    fn replaced_by(&self, mut next: Playground) -> Playground {
        next.revision = self.revision + 1;
        next.scenario_revision = self.scenario_revision + 1;
        next.panels = self.panels;
        next.welcome = self.welcome;
        next.undo = self.undo.clone();
        next
    }

    /// The world changed because of a user action: every panel updates now.
    fn changed(&mut self) {
        self.revision += 1;
        self.catch_up();
    }

    /// Advance by `dt_ms` real milliseconds at the current speed.
    fn tick(&mut self, dt_ms: f64) {
        if !self.playing {
            return;
        }
        let mut target = self.playhead_ms + dt_ms * self.speed_tenths as f64 / 10.0;
        // A link may stand past the end (kept playing): then the end is behind it.
        let end = self.end_ms().filter(|e| self.playhead_ms < *e as f64);
        if let Some(end) = end {
            target = target.min(end as f64);
        }
        let mut run = self.run.borrow_mut();
        let before = run.events();
        if !run.advance_sliced(target as u64, SLICE_MS) {
            // More events than a frame can run: play on as fast as the page can.
            target = run.now_ms() as f64;
        }
        let after = run.events();
        if let Some(v) = run.session.violation() {
            self.playing = false;
            self.playhead_ms = run.now_ms() as f64;
            self.announcement = format!(
                "Invariant {} broken at {}",
                v.invariant,
                crate::labels::seconds(v.t_ms)
            );
        } else {
            self.playhead_ms = target;
            if end.is_some_and(|e| target >= e as f64) {
                self.playing = false;
                self.announcement = "The scenario has reached its end.".into();
                self.notice = Some(Notice {
                    area: Area::Playback,
                    text: self.at_end_text(),
                    is_error: false,
                });
            }
        }
        if let Some(text) = run.index.announcement_between(before, after) {
            self.announcement = text;
        }
        drop(run);
        if after != before {
            self.revision += 1;
        }
        self.stop_if_over_budget();
        let stopped = !self.playing;
        let slow_ms = if self.speed_tenths <= DIAGRAM_EVERY_FRAME_TENTHS {
            SLOW_PANEL_MS
        } else {
            SLOW_PANEL_FAST_MS
        };
        self.slow.follow(self.revision, dt_ms, slow_ms, stopped);
        self.side.follow(self.revision, dt_ms, slow_ms, stopped);
        let every_frame = stopped || self.speed_tenths <= DIAGRAM_EVERY_FRAME_TENTHS;
        self.diagrams
            .follow(self.revision, dt_ms, DIAGRAM_MS, every_frame);
    }

    /// Remember the run as it stands, so Undo can come back to it after `what`.
    fn push_undo(&mut self, what: String) {
        let point = UndoPoint {
            what,
            scenario: self.run.borrow().session.scenario().clone(),
            base: self.base.clone(),
            t_ms: self.playhead_ms as u64,
            selected: self.selected,
        };
        // The previous state shares the stack, so it is copied (a few scenarios at most).
        let mut stack: Vec<UndoPoint> = self.undo.iter().map(UndoPoint::clone_point).collect();
        if stack.len() >= UNDO_DEPTH {
            stack.remove(0);
        }
        stack.push(point);
        self.undo = Rc::new(stack);
    }

    /// Back to the run before the latest action or Reset, paused where it stood.
    fn undo(self) -> Playground {
        let mut stack: Vec<UndoPoint> = self.undo.iter().map(UndoPoint::clone_point).collect();
        let Some(point) = stack.pop() else {
            let mut s = self;
            s.notice = Some(Notice {
                area: Area::Playback,
                text: "Nothing to undo: no action injected or Reset yet.".into(),
                is_error: false,
            });
            return s;
        };
        let mut scenario = point.scenario;
        scenario.view = Some(View {
            t_ms: point.t_ms,
            node: point.selected,
            speed_tenths: self.speed_tenths,
            paused: true,
        });
        let mut next = self.replaced_by(Playground::new(scenario, None));
        next.base = point.base;
        next.undo = Rc::new(stack);
        let text = format!(
            "Undone: {} (back at {}).",
            point.what,
            crate::labels::seconds(point.t_ms)
        );
        next.announcement = text.clone();
        next.notice = Some(Notice {
            area: Area::Playback,
            text,
            is_error: false,
        });
        next
    }

    /// Did the run stop for good (a violation, or over its budget)?
    pub fn stopped(&self) -> bool {
        self.run.borrow().session.stopped()
    }

    /// The scenario's end, if the playhead has not been taken past it ("keep playing").
    pub fn end_ms(&self) -> Option<u64> {
        self.base.end_ms
    }

    /// The playhead stands at the scenario's end: Play and Step do not go on past it.
    pub fn at_end(&self) -> bool {
        self.end_ms().is_some_and(|e| self.playhead_ms >= e as f64)
    }

    /// What Play and Step say at the end, so they never silently do nothing.
    fn at_end_text(&self) -> String {
        let end = crate::labels::seconds(self.end_ms().unwrap_or(0));
        format!("The scenario ends at {end}: pick the next tour, Keep playing from here, or Reset to watch it again.")
    }

    fn rebuild(&mut self, scenario: Scenario) {
        self.run = Rc::new(RefCell::new(Run::new(scenario)));
        self.playhead_ms = 0.0;
        self.notice = None;
        self.hovered_msg = None;
        self.scenario_revision += 1;
        self.changed();
    }

    fn inject(&mut self, action: SimAction, area: Area) {
        let challenge =
            crate::components::challenge::admit(self.run.borrow().session.scenario(), &action);
        if let Err(e) = challenge.and_then(|_| check_action(&self.base, &action)) {
            self.notice = Some(Notice {
                area,
                text: e,
                is_error: true,
            });
            return;
        }
        let forks = self.run.borrow().is_behind();
        let before = self.undo.clone();
        self.push_undo(describe_action(&action));
        let result = self.run.borrow_mut().inject(action.clone());
        if result.is_err() {
            self.undo = before;
        }
        match result {
            Ok(at_ms) => {
                // Run the action now (it is due at the next ms), so every panel, the slow ones
                // too, shows its effect at once: Crash turns into Restart before a second click.
                let now = {
                    let mut run = self.run.borrow_mut();
                    run.advance_to(at_ms);
                    run.now_ms() as f64
                };
                self.playhead_ms = self.playhead_ms.max(now);
                let mut text = format!(
                    "{} at {}",
                    describe_action(&action),
                    crate::labels::seconds(at_ms)
                );
                if forks {
                    text = format!(
                        "Acted in the past: {text}. The recorded future after this moment was dropped \
                         (Undo, or Ctrl+Z, brings it back)."
                    );
                }
                self.announcement = text.clone();
                self.notice = Some(Notice {
                    area,
                    text,
                    is_error: false,
                });
                self.scenario_revision += 1;
                self.changed();
            }
            Err(e) => {
                self.notice = Some(Notice {
                    area,
                    text: e,
                    is_error: true,
                })
            }
        }
    }

    fn seek(&mut self, t_ms: u64) {
        self.run.borrow_mut().seek(t_ms);
        self.playhead_ms = self.run.borrow().now_ms() as f64;
        self.changed();
    }

    fn step(&mut self, back: bool) {
        self.playing = false;
        if !back && self.at_end() {
            self.notice = Some(Notice {
                area: Area::Playback,
                text: self.at_end_text(),
                is_error: false,
            });
            return;
        }
        {
            let mut run = self.run.borrow_mut();
            if back {
                run.step_back();
            } else if !run.step() {
                drop(run);
                self.notice = Some(Notice {
                    area: Area::Playback,
                    text: "Nothing left to step: the run stopped.".into(),
                    is_error: false,
                });
                return;
            }
        }
        let run = self.run.borrow();
        self.playhead_ms = run.now_ms() as f64;
        if !back {
            if let Some(text) = run
                .index
                .announcement_between(run.events() - 1, run.events())
            {
                self.announcement = text;
            }
        }
        drop(run);
        self.changed();
    }
}

/// Validate a user action the way the scenario format does, for the run's protocol (Basic
/// Paxos refuses `cas`), so the URL stays parseable.
fn check_action(base: &Scenario, action: &SimAction) -> Result<(), String> {
    let probe = Scenario {
        protocol: base.protocol,
        proposers: base.proposers,
        overrides: base.overrides.clone(),
        actions: vec![TimedAction {
            at_ms: 0,
            action: action.clone(),
        }],
        ..Scenario::default()
    };
    probe.validate()
}

pub fn describe_action(a: &SimAction) -> String {
    match a {
        SimAction::Partition(groups) => {
            let gs: Vec<String> = groups
                .iter()
                .map(|g| {
                    g.iter()
                        .map(|r| r.to_string())
                        .collect::<Vec<_>>()
                        .join(" ")
                })
                .collect();
            format!("partition {}", gs.join(" | "))
        }
        SimAction::Isolate(r) => format!("isolate {}", mon(*r)),
        SimAction::Cut(sel) => format!("cut {}", link_text(sel)),
        SimAction::Heal(None) => "heal all links".into(),
        SimAction::Heal(Some(sel)) => format!("heal {}", link_text(sel)),
        SimAction::Crash(r) => format!("crash {}", mon(*r)),
        SimAction::Restart(r) => format!("restart {}", mon(*r)),
        SimAction::AddServer(r) => format!("add {} to the configuration", mon(*r)),
        SimAction::RemoveServer(r) => format!("remove {} from the configuration", mon(*r)),
        SimAction::Pause(r) => format!("pause {}", mon(*r)),
        SimAction::Resume(r) => format!("resume {}", mon(*r)),
        SimAction::Skew(r, ms) => format!("skew {} by {ms} ms", mon(*r)),
        SimAction::Put { node, key, value } => format!("put {key}={value} via {}", mon(*node)),
        SimAction::Get { node, key } => format!("get {key} via {}", mon(*node)),
        SimAction::Cas { node, key, .. } => format!("compare-and-set {key} via {}", mon(*node)),
        SimAction::Loss(sel, pct) => format!("lose {pct}% on {}", link_text(sel)),
        SimAction::Delay(sel, ms) => format!("delay {} by {ms} ms", link_text(sel)),
        SimAction::CrashInCommit => "crash the next leader mid-commit".into(),
        SimAction::Drift(r, ppm) => format!("drift {}'s clock by {ppm} ppm", mon(*r)),
        SimAction::Note(text) => format!("note: {text}"),
        SimAction::Election(s) => format!("switch to the {} election strategy", s.name()),
        SimAction::Disallow(ranks) if ranks.is_empty() => "allow every leader".into(),
        SimAction::Disallow(ranks) => {
            let names: Vec<String> = ranks.iter().map(|r| mon(*r)).collect();
            format!("disallow {} as leader", names.join(", "))
        }
    }
}

fn link_text(sel: &paxoscope_core::scenario::LinkSel) -> String {
    use paxoscope_core::scenario::LinkSel;
    match sel {
        LinkSel::All => "every link".into(),
        LinkSel::OneWay(a, b) => format!("{} → {}", mon(*a), mon(*b)),
        LinkSel::Both(a, b) => format!("{} ↔ {}", mon(*a), mon(*b)),
    }
}

impl Action {
    /// Does this action play, seek, step or change the run (so that a catch-up ends)?
    fn moves_the_run(&self) -> bool {
        matches!(
            self,
            Action::Play
                | Action::Pause
                | Action::TogglePlay
                | Action::Step
                | Action::StepBack
                | Action::Seek(_)
                | Action::SeekEvent(_)
                | Action::Reset
                | Action::NewSeed(_)
                | Action::Inject(..)
                | Action::Undo
        )
    }
}

impl Reducible for Playground {
    type Action = Action;

    fn reduce(self: Rc<Self>, action: Action) -> Rc<Self> {
        let mut s = (*self).clone();
        if action.moves_the_run() {
            // The user took over: catching up with the link's playhead ends here.
            s.catching_up = None;
        }
        match action {
            Action::Tick(dt) => match s.catching_up {
                Some(c) => s.catch_up_slice(c),
                None if s.playing => s.tick(dt),
                None => return self,
            },
            Action::CancelCatchUp => {
                s.catching_up = None;
                s.playing = false;
                s.announcement = format!(
                    "Stopped catching up at {}: press Play to go on from there.",
                    crate::labels::seconds(s.playhead_ms as u64)
                );
                s.changed();
            }
            Action::Play | Action::TogglePlay if !s.playing && (s.at_end() || s.stopped()) => {
                s.notice = Some(Notice {
                    area: Area::Playback,
                    text: match s.run.borrow().session.violation() {
                        Some(v) => format!(
                            "The checker stopped the run at {} ({}): step back or seek to look at the steps before it.",
                            crate::labels::seconds(v.t_ms),
                            v.invariant
                        ),
                        None => s.at_end_text(),
                    },
                    is_error: false,
                });
            }
            Action::Play => s.playing = s.run.borrow().session.violation().is_none(),
            Action::Pause => s.playing = false,
            Action::TogglePlay => {
                s.playing = !s.playing && s.run.borrow().session.violation().is_none();
            }
            Action::Step => s.step(false),
            Action::StepBack => s.step(true),
            Action::Seek(t) => s.seek(t),
            Action::SeekEvent(n) => {
                s.run.borrow_mut().seek_event(n);
                s.playhead_ms = s.run.borrow().now_ms() as f64;
                s.changed();
            }
            Action::SetSpeed(t) => s.speed_tenths = t.clamp(1, MAX_SPEED_TENTHS),
            Action::Reset => {
                s.push_undo("Reset".into());
                let base = (*s.base).clone();
                s.rebuild(base);
                s.playing = false;
                s.announcement = "Reset to the start of the scenario.".into();
            }
            Action::NewSeed(seed) => {
                let mut base = (*s.base).clone();
                base.seed = seed;
                s.base = Rc::new(base.clone());
                s.rebuild(base);
                s.announcement = format!("New run with seed {seed}.");
            }
            Action::Select(r) => {
                // A skew error was about the monitor selected before.
                if s.selected != r && s.notice.as_ref().is_some_and(|n| n.area == Area::Skew) {
                    s.notice = None;
                }
                s.selected = r;
            }
            Action::ToggleGroup(r) => {
                if !s.group.remove(&r) {
                    s.group.insert(r);
                }
            }
            Action::Inject(a, area) => s.inject(a, area),
            Action::Invalid(area, text) => {
                s.notice = Some(Notice {
                    area,
                    text,
                    is_error: true,
                })
            }
            Action::DismissNotice => s.notice = None,
            Action::DismissUrlError => s.url_error = None,
            Action::Hover(id) => {
                if s.hovered_msg == id {
                    return self;
                }
                s.hovered_msg = id;
            }
            Action::ToggleHelp => s.help_open = !s.help_open,
            Action::CloseHelp => {
                s.help_open = false;
                if s.welcome {
                    // Escape answers the welcome too: stay, paused, on free play.
                    crate::page::remember_welcomed();
                    s.welcome = false;
                }
            }
            Action::SetLogFilter(f) => s.log_filter = f,
            Action::ShowPanels => s.panels = true,
            Action::VerdictCame => s.verdict_revision = s.verdict_revision.wrapping_add(1),
            Action::Load(scenario, said) => {
                let mut next = s.replaced_by(Playground::new(*scenario, None));
                next.notice = Some(Notice {
                    area: Area::Playback,
                    text: said.clone(),
                    is_error: false,
                });
                next.announcement = said;
                s = next;
            }
            Action::Open(opened) => s = s.replaced_by(*opened),
            Action::Undo => s = s.undo(),
            Action::DismissWelcome(play) => {
                crate::page::remember_welcomed();
                s.welcome = false;
                s.playing = play && !s.stopped();
            }
            Action::KeepPlaying => {
                let mut base = (*s.base).clone();
                base.end_ms = None;
                s.base = Rc::new(base);
                s.playing = !s.stopped();
                s.notice = None;
                s.announcement = "Free play from here: the tour's end is lifted.".into();
            }
        }
        if !s.playing && s.catching_up.is_none() {
            // Paused (or stopped): the slow panels show the world as it stands, not as it
            // was at their last throttled update.
            s.catch_up();
        }
        Rc::new(s)
    }
}

impl PartialEq for Playground {
    fn eq(&self, o: &Self) -> bool {
        Rc::ptr_eq(&self.run, &o.run)
            && self.revision == o.revision
            && self.slow == o.slow
            && self.side == o.side
            && self.diagrams == o.diagrams
            && self.playhead_ms == o.playhead_ms
            && self.playing == o.playing
            && self.speed_tenths == o.speed_tenths
            && self.selected == o.selected
            && self.group == o.group
            && self.hovered_msg == o.hovered_msg
            && self.help_open == o.help_open
            && self.log_filter == o.log_filter
            && self.notice == o.notice
            && self.url_error == o.url_error
            && self.announcement == o.announcement
            && self.panels == o.panels
            && self.catching_up == o.catching_up
            && self.welcome == o.welcome
            && Rc::ptr_eq(&self.undo, &o.undo)
    }
}

/// How components send actions.
pub type Dispatch = UseReducerDispatcher<Playground>;
