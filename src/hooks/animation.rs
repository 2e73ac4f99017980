//! A requestAnimationFrame loop that runs only while `active` (a paused playground uses no
//! CPU) and skips frames while the tab is hidden. It reports real milliseconds per frame,
//! capped so that a long pause in the browser does not jump the simulation.

use gloo_render::{request_animation_frame, AnimationFrame};
use std::cell::{Cell, RefCell};
use std::rc::Rc;
use yew::prelude::*;

/// Longest real frame the loop reports (ms): after a hidden tab or a stall, time resumes
/// smoothly instead of skipping ahead.
const MAX_FRAME_MS: f64 = 100.0;

struct Loop {
    alive: Cell<bool>,
    last_ts: Cell<Option<f64>>,
    frame: RefCell<Option<AnimationFrame>>,
    on_frame: Callback<f64>,
}

fn schedule(l: Rc<Loop>) {
    let next = l.clone();
    let frame = request_animation_frame(move |ts| {
        if !next.alive.get() {
            return;
        }
        let dt = next
            .last_ts
            .get()
            .map_or(0.0, |last| (ts - last).clamp(0.0, MAX_FRAME_MS));
        next.last_ts.set(Some(ts));
        if !tab_hidden() && dt > 0.0 {
            next.on_frame.emit(dt);
        }
        schedule(next);
    });
    *l.frame.borrow_mut() = Some(frame);
}

fn tab_hidden() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .is_some_and(|d| d.hidden())
}

#[hook]
pub fn use_animation_loop(active: bool, on_frame: Callback<f64>) {
    use_effect_with(active, move |&active| {
        let l = Rc::new(Loop {
            alive: Cell::new(active),
            last_ts: Cell::new(None),
            frame: RefCell::new(None),
            on_frame,
        });
        if active {
            schedule(l.clone());
        }
        move || {
            l.alive.set(false);
            l.frame.borrow_mut().take();
        }
    });
}

thread_local! {
    /// The frame requests of `after_next_paint` in flight (dropping one would cancel it).
    static PAINT_WAITS: RefCell<Vec<AnimationFrame>> = const { RefCell::new(Vec::new()) };
}

/// Runs `f` two animation frames from now: the first frame callback runs as the next frame
/// is produced, the second a frame later, once that one is on screen.
pub fn after_next_paint(f: impl FnOnce() + 'static) {
    let first = request_animation_frame(move |_| {
        // Both requests stay in `PAINT_WAITS` (two small objects, once per page).
        let second = request_animation_frame(move |_| f());
        PAINT_WAITS.with(|w| w.borrow_mut().push(second));
    });
    PAINT_WAITS.with(|w| w.borrow_mut().push(first));
}
