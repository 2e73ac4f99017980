//! Words and numbers as the page shows them: client fates, times and speeds. Presentation
//! only; a protocol's own words come from its `view::Presentation`.

use paxoscope_core::client::{ClientOp, ClientReply};
use paxoscope_core::sim::world::ClientRecord;

/// A client request's fate for `data-fate`, and a sentence for people. `committed` is the
/// answer the run's committed state holds for it (`RunView::committed_answer`): a write told
/// to retry may still commit, and its row then says so, with the version.
pub fn fate(
    rec: &ClientRecord,
    forwarded: bool,
    committed: Option<&ClientReply>,
) -> (&'static str, String) {
    match (&rec.reply, committed) {
        (Some(ClientReply::Retry { reason }), Some(c @ ClientReply::Written { .. }))
        | (Some(ClientReply::Retry { reason }), Some(c @ ClientReply::CasDone { .. })) => (
            "retry-committed",
            format!("retry: {reason}; then {}", reply_text(c, Some(&rec.op))),
        ),
        _ => fate_as_answered(rec, forwarded),
    }
}

fn fate_as_answered(rec: &ClientRecord, forwarded: bool) -> (&'static str, String) {
    match &rec.reply {
        None if forwarded => ("forwarded", "forwarded to the leader, waiting".into()),
        None => ("pending", "pending".into()),
        Some(ClientReply::Written { version }) => ("committed", format!("committed at v{version}")),
        Some(ClientReply::CasDone {
            applied: true,
            version,
            ..
        }) => ("committed", format!("committed at v{version} (applied)")),
        Some(ClientReply::CasDone {
            applied: false,
            current,
            version,
        }) => (
            "committed",
            format!(
                "committed at v{version}, not applied: value was {}",
                current.as_deref().unwrap_or("absent")
            ),
        ),
        // A put answered with a value (Basic Paxos: the value chosen, which may be another's).
        Some(r @ ClientReply::Value { .. }) if matches!(rec.op, ClientOp::Put { .. }) => (
            "answered",
            format!("answered: {}", reply_text(r, Some(&rec.op))),
        ),
        Some(ClientReply::Value { value, version }) => (
            "read",
            format!(
                "read {} at v{version}",
                value.as_deref().unwrap_or("(absent)")
            ),
        ),
        Some(ClientReply::Refused { reason }) => ("refused", format!("refused: {reason}")),
        Some(ClientReply::Retry { reason }) => ("retry", format!("retry: {reason}")),
    }
}

/// A reply in words; `op` is the request it answers, when known (a put answered with a value
/// is Basic Paxos telling its client the value chosen, not a read).
pub fn reply_text(reply: &ClientReply, op: Option<&ClientOp>) -> String {
    match reply {
        ClientReply::Value { value, .. } if matches!(op, Some(ClientOp::Put { .. })) => {
            format!("the value is {}", value.as_deref().unwrap_or("(absent)"))
        }
        ClientReply::Written { version } => format!("committed at v{version}"),
        ClientReply::CasDone {
            applied, version, ..
        } => {
            format!(
                "compare-and-set committed at v{version}{}",
                if *applied { "" } else { ", not applied" }
            )
        }
        ClientReply::Value { value, .. } => {
            format!("read {}", value.as_deref().unwrap_or("(absent)"))
        }
        ClientReply::Refused { reason } => format!("refused: {reason}"),
        ClientReply::Retry { reason } => format!("retry: {reason}"),
    }
}

pub fn op_text(op: &ClientOp) -> String {
    match op {
        ClientOp::Put { key, value } => format!("put {key}={value}"),
        ClientOp::Get { key } => format!("get {key}"),
        ClientOp::Cas {
            key,
            expected,
            value,
        } => {
            format!(
                "cas {key}: {} → {value}",
                expected.as_deref().unwrap_or("absent")
            )
        }
    }
}

/// `12.345 s`
pub fn seconds(t_ms: u64) -> String {
    format!("{}.{:03} s", t_ms / 1000, t_ms % 1000)
}

/// `x` with `places` decimals (0..=3), like `{:.N}` but with integer formatting only: the
/// playground's wasm then carries no float-to-decimal code (several KB). Halves round away from
/// zero; a value that rounds to zero prints without a sign.
pub fn fixed(x: f64, places: u32) -> String {
    debug_assert!(places <= 3, "fixed() supports at most 3 decimals");
    let (sign, whole, frac) = paxoscope_core::decimal::split(x, places);
    if places == 0 {
        format!("{sign}{whole}")
    } else {
        format!("{sign}{whole}.{frac:0width$}", width = places as usize)
    }
}

/// `10x`, `0.3x`
pub fn speed_text(tenths: u32) -> String {
    if tenths.is_multiple_of(10) {
        format!("{}x", tenths / 10)
    } else {
        format!("{}.{}x", tenths / 10, tenths % 10)
    }
}

/// The speed slider is logarithmic: position 0..=300 maps to 0.1x..=100x.
pub fn speed_from_slider(pos: f64) -> u32 {
    (math::pow(10.0, pos.clamp(0.0, 300.0) / 100.0).round() as u32).clamp(1, 1000)
}

pub fn slider_from_speed(tenths: u32) -> f64 {
    math::log10(tenths.max(1) as f64) * 100.0
}

thread_local! {
    /// What the running protocol calls its nodes (`RunView::node_word`): `Run::new` sets it.
    static NODE_WORD: std::cell::Cell<&'static str> = const { std::cell::Cell::new("mon") };
}

/// The running protocol's word for a node (`mon`, `node`), for the names `mon` writes.
pub fn set_node_word(word: &'static str) {
    NODE_WORD.with(|w| w.set(word));
}

/// `mon.3` (Ceph), `node.3` (Basic Paxos).
pub fn mon(rank: u8) -> String {
    format!("{}.{rank}", NODE_WORD.with(|w| w.get()))
}

/// One log line: entry `i` of the run's trace. Like `TraceEvent::to_text`, but store writes,
/// client requests and replies and user actions are described in words, not in Rust's debug
/// form.
pub fn trace_line(run: &dyn paxoscope_core::view::RunView, i: usize) -> String {
    use paxoscope_core::view::EntryKind;
    let e = run.entry(i);
    let what = match &e.kind {
        EntryKind::Persist => format!("persist {}", run.persist_text(i)),
        EntryKind::ClientRequest { req_id, op } => {
            format!("client request {req_id}: {}", op_text(op))
        }
        EntryKind::ClientReply { req_id, reply } => {
            let op = run
                .clients()
                .iter()
                .find(|c| c.id == *req_id)
                .map(|c| &c.op);
            format!("client reply {req_id}: {}", reply_text(reply, op))
        }
        EntryKind::Action(a) => format!("action: {}", crate::state::describe_action(a)),
        _ => return run.text(i),
    };
    let node = e.node.map(mon).unwrap_or_else(|| "world".into());
    let seconds = format!("{}.{:03}", e.t_ms / 1000, e.t_ms % 1000);
    format!("{seconds:>9}s {node:<6} {what}")
}

/// sin, cos, pow and log10 from the browser's `Math` in the wasm (Rust's own f64 versions
/// link about 10 KB of libm code into it); Rust's natively, for the tests.
pub mod math {
    #[cfg(target_arch = "wasm32")]
    pub use js_sys::Math::{cos, log10, pow, sin};
    #[cfg(not(target_arch = "wasm32"))]
    pub fn cos(x: f64) -> f64 {
        x.cos()
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub fn sin(x: f64) -> f64 {
        x.sin()
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub fn pow(x: f64, y: f64) -> f64 {
        x.powf(y)
    }
    #[cfg(not(target_arch = "wasm32"))]
    pub fn log10(x: f64) -> f64 {
        x.log10()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fixed_matches_float_formatting() {
        for x in [
            0.0, 1.26, -3.10559, 44.0, 52.0, 263.96, -180.04, 99.999, 0.004, 1234.5678,
        ] {
            for places in 0..=3u32 {
                let want = format!("{x:.*}", places as usize);
                // `{:.N}` rounds exact halves to even and keeps "-0.0"; `fixed` does neither,
                // so these values stay away from those edges.
                assert_eq!(fixed(x, places), want, "x={x} places={places}");
            }
        }
    }

    #[test]
    fn a_retry_that_committed_later_says_both() {
        let rec = ClientRecord {
            id: 1,
            node: 0,
            op: ClientOp::Put {
                key: "k".into(),
                value: "v".into(),
            },
            invoke_ms: 5_000,
            complete_ms: Some(25_000),
            reply: Some(ClientReply::Retry {
                reason: "out".into(),
            }),
        };
        let (code, text) = fate(&rec, false, Some(&ClientReply::Written { version: 3 }));
        assert_eq!(code, "retry-committed");
        assert_eq!(text, "retry: out; then committed at v3");
        // Not committed (yet): the answer the client got.
        assert_eq!(fate(&rec, false, None).0, "retry");
    }

    #[test]
    fn seconds_has_three_decimals() {
        assert_eq!(seconds(0), "0.000 s");
        assert_eq!(seconds(12_345), "12.345 s");
        assert_eq!(seconds(7), "0.007 s");
    }

    #[test]
    fn speed_slider_is_logarithmic_and_round_trips() {
        assert_eq!(speed_from_slider(0.0), 1);
        assert_eq!(speed_from_slider(100.0), 10);
        assert_eq!(speed_from_slider(200.0), 100);
        assert_eq!(speed_from_slider(300.0), 1000);
        assert_eq!(speed_from_slider(-5.0), 1);
        for tenths in [1, 3, 10, 25, 100, 1000] {
            assert_eq!(speed_from_slider(slider_from_speed(tenths)), tenths);
        }
        assert_eq!(speed_text(100), "10x");
        assert_eq!(speed_text(3), "0.3x");
    }
}

/// `text` cut to `max` characters with an ellipsis.
pub fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut s: String = text.chars().take(max - 1).collect();
    s.push('…');
    s
}

/// Appends one `<option>` per node (`value` its rank, text its name), `selected` marked: the
/// node pickers of the panels' HTML strings.
pub fn push_node_options(out: &mut String, n: u8, selected: u8) {
    use std::fmt::Write as _;
    for r in 0..n {
        let _ = write!(
            out,
            r#"<option value="{r}"{}>{}</option>"#,
            if r == selected { " selected" } else { "" },
            mon(r)
        );
    }
}

/// Appends `text` to the HTML `out` as text or as a quoted attribute's value: `&`, `<`, `>`
/// and `"` escaped. The panels written as one HTML string (`Html::from_html_unchecked`) put
/// every word that comes from a run or a user through this.
pub fn push_escaped(out: &mut String, text: &str) {
    let mut start = 0;
    for (i, b) in text.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            _ => continue,
        };
        out.push_str(&text[start..i]);
        out.push_str(entity);
        start = i + 1;
    }
    out.push_str(&text[start..]);
}

#[cfg(test)]
mod escape_tests {
    use super::push_escaped;

    #[test]
    fn html_text_is_escaped_and_the_rest_kept() {
        let mut out = String::from("<dd>");
        push_escaped(&mut out, r#"v5 = ["a<b" & 'c'] → ok"#);
        assert_eq!(out, r#"<dd>v5 = [&quot;a&lt;b&quot; &amp; 'c'] → ok"#);
        let mut plain = String::new();
        push_escaped(&mut plain, "mon.3 holds the lease");
        assert_eq!(plain, "mon.3 holds the lease");
    }
}
