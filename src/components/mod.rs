//! The playground's components. Each receives props, renders, and dispatches `Action`s;
//! none of them knows a Paxos rule.
//!
//! Adding a panel: a new file here taking a `RunHandle` (per-frame `state.handle()` or the
//! throttled `state.slow_handle()`) and a `Dispatch`; a new `Action` variant in `state.rs`
//! if it changes anything; a place in `app.rs`'s layout (and a grid area in styles.css).
//! The header takes children for extra buttons (Share, Embed).
pub mod breaks;
pub mod challenge;
pub mod client;
pub mod cluster;
pub mod controls;
pub mod diagram;
pub mod embed;
pub mod export;
pub mod faults;
pub mod header;
pub mod help;
#[cfg(feature = "history-page")]
pub mod history_check;
pub mod inspector;
pub mod invariants;
pub mod log;
pub mod logs;
pub mod narration;
pub mod one_file;
pub mod scores;
pub mod share;
pub mod timeline;
pub mod tour;
#[cfg(not(any(
    feature = "run-linearizability",
    feature = "multi-paxos",
    feature = "history-page"
)))]
pub mod verdict_loader;
pub mod verdicts;
pub mod why_rules;
