//! `paxoscope tours`: every guided tour, grouped by protocol, as text or as the tour index
//! page the playground serves (`www/tours.html`, regenerated with `--html`; a test keeps the
//! committed page equal to this output).

use paxoscope_core::presets::{Preset, PRESETS};
use paxoscope_core::scenario::{Action, ProtocolId};
use std::fmt::Write as _;
use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {
    /// Write the tour index page (HTML) instead of a text list.
    #[arg(long)]
    html: bool,
}

pub fn main(args: Args) -> Result<ExitCode, String> {
    let tours = collect()?;
    let text = if args.html {
        html(&tours)
    } else {
        text(&tours)
    };
    print!("{text}");
    Ok(ExitCode::SUCCESS)
}

/// What the index says about one tour, read from its scenario file.
struct Tour {
    preset: &'static Preset,
    protocol: ProtocolId,
    notes: usize,
    last_note_ms: u64,
    ending: String,
}

/// The protocols in the order a learner meets them: the single decree, the log, then Ceph.
const ORDER: [ProtocolId; 3] = [
    ProtocolId::BasicPaxos,
    ProtocolId::MultiPaxos,
    ProtocolId::Ceph,
];

fn collect() -> Result<Vec<Tour>, String> {
    PRESETS.iter().map(read).collect()
}

fn read(preset: &'static Preset) -> Result<Tour, String> {
    let scenario = preset
        .scenario()
        .map_err(|e| format!("tour {}: {} does not parse: {e}", preset.id, preset.file))?;
    let notes: Vec<(u64, &str)> = scenario
        .actions
        .iter()
        .filter_map(|a| match &a.action {
            Action::Note(text) => Some((a.at_ms, text.as_str())),
            _ => None,
        })
        .collect();
    let Some(&(last_note_ms, ending)) = notes.last() else {
        return Err(format!("tour {}: {} has no note", preset.id, preset.file));
    };
    Ok(Tour {
        preset,
        protocol: scenario.protocol,
        notes: notes.len(),
        last_note_ms,
        ending: ending.to_string(),
    })
}

fn in_order(tours: &[Tour]) -> Vec<(ProtocolId, Vec<&Tour>)> {
    ORDER
        .iter()
        .map(|&p| (p, tours.iter().filter(|t| t.protocol == p).collect()))
        .filter(|(_, list): &(ProtocolId, Vec<&Tour>)| !list.is_empty())
        .collect()
}

fn text(tours: &[Tour]) -> String {
    let mut out = String::new();
    for (protocol, list) in in_order(tours) {
        let _ = writeln!(out, "{}", protocol.title());
        for t in list {
            let _ = writeln!(out, "  {:<26} {}", t.preset.id, t.preset.summary);
        }
    }
    out
}

fn seconds(ms: u64) -> String {
    format!("{}.{} s", ms / 1000, (ms % 1000) / 100)
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            _ => out.push(c),
        }
    }
    out
}

fn html(tours: &[Tour]) -> String {
    let mut out = String::from(HEAD);
    let _ = writeln!(
        out,
        "<p class=\"lede\">{} guided tours of the Paxos family. Each one is a scenario that \
         runs in your browser, with notes at the moments that matter; the last note of every \
         tour states how it ends, and a test runs the tour and checks that claim.</p>",
        tours.len()
    );
    for (protocol, list) in in_order(tours) {
        let _ = writeln!(
            out,
            "<h2 id=\"{}\">{}</h2>",
            protocol.name(),
            protocol.title()
        );
        let _ = writeln!(out, "<ol class=\"tours\">");
        for t in list {
            write_tour(&mut out, t);
        }
        let _ = writeln!(out, "</ol>");
    }
    out.push_str(TAIL);
    out
}

fn write_tour(out: &mut String, t: &Tour) {
    let p = t.preset;
    let _ = writeln!(out, "<li id=\"tour-{}\">", p.id);
    let _ = writeln!(
        out,
        "  <a class=\"title\" href=\"index.html#tour={}\">{}</a>",
        p.id,
        escape(p.title)
    );
    let _ = writeln!(
        out,
        "  <p class=\"learn\"><b>What you will learn:</b> {}</p>",
        escape(p.summary)
    );
    if let Some(w) = paxoscope_core::presets::why_rules(p.id) {
        write_steps(out, w);
    } else {
        let _ = writeln!(
            out,
            "  <details><summary>How it ends ({} notes, the last at {})</summary><p>{}</p></details>",
            t.notes,
            seconds(t.last_note_ms),
            escape(&t.ending)
        );
    }
    let _ = writeln!(out, "</li>");
}

/// A why-each-rule tour's steps: the rules in the order they are restored (each one proved by
/// core/tests/why_rules.rs), then safety holds.
fn write_steps(out: &mut String, w: &paxoscope_core::presets::WhyRules) {
    let _ = writeln!(
        out,
        "  <details><summary>How it ends ({} rules restored one at a time, then safety holds)</summary><ol>",
        w.steps.len()
    );
    for s in w.steps {
        let _ = writeln!(
            out,
            "    <li><code>break {}</code> caught by <code>{}</code>: {}</li>",
            s.restores,
            s.caught_by,
            escape(s.rule)
        );
    }
    let _ = writeln!(out, "  </ol></details>");
}

const HEAD: &str = r#"<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <meta name="viewport" content="width=device-width, initial-scale=1">
  <meta name="color-scheme" content="light dark">
  <title>Tours — Paxoscope</title>
  <link rel="icon" href="favicon.svg" type="image/svg+xml">
  <!-- Generated by `paxoscope tours --html > www/tours.html`; do not edit by hand. -->
  <style>
    :root { color-scheme: light dark; --bg: #fbfbf9; --fg: #1d1f21; --muted: #5f6368; --rule: #deded9; --accent: #2f6fde; }
    @media (prefers-color-scheme: dark) { :root { --bg: #15171a; --fg: #e6e6e3; --muted: #9aa0a6; --rule: #33373c; --accent: #7aa7ff; } }
    body { margin: 0; background: var(--bg); color: var(--fg); font: 16px/1.55 system-ui, -apple-system, "Segoe UI", sans-serif; }
    main { max-width: 760px; margin: 0 auto; padding: 28px 20px 56px; }
    h1 { font-size: 1.9rem; margin: 0 0 6px; }
    h2 { font-size: 1.25rem; margin: 1.8em 0 0.4em; border-bottom: 1px solid var(--rule); padding-bottom: 4px; }
    .lede, details { color: var(--muted); }
    a { color: var(--accent); }
    ol.tours { padding-left: 1.4em; }
    ol.tours li { margin: 0 0 1em; }
    a.title { font-weight: 600; font-size: 1.05rem; }
    p.learn { margin: 2px 0; color: var(--fg); }
    details p { margin: 4px 0 0; }
    nav { font-size: 0.95rem; margin-bottom: 18px; }
  </style>
</head>
<body>
<main>
<nav><a href="index.html">← Back to the playground</a></nav>
<h1>Tours</h1>
"#;

const TAIL: &str = "</main>\n</body>\n</html>\n";
