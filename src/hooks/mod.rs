//! Hooks that connect the playground state to the browser: the animation loop, keyboard
//! shortcuts and the URL fragment.
mod animation;
mod host;
mod keyboard;
mod url;

pub use animation::{after_next_paint, use_animation_loop};
pub use host::host_api;
pub use keyboard::use_shortcuts;
pub use url::{initial_playground, push_history_entry, use_open_on_hashchange, use_url_sync};
