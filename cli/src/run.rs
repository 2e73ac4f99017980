//! `paxoscope run`: play one scenario and print its trace, as the readable log or as JSON
//! Lines, followed by a summary of where the run ended. Exit status 1 when the checker found
//! a violation, 2 on bad input (main.rs turns an `Err` into 2) and when the run went over its
//! budget (core/src/budget.rs): it then prints what it ran, and on stderr which limit, when,
//! and the setting that most likely caused it.
//!
//! The scenario options (`--scenario`, `--preset`, `--seed`, `--until-ms`) are shared with
//! `paxoscope export` through [`ScenarioArgs`].

use paxoscope_core::export::{summary_json, Summary};
use paxoscope_core::presets::{self, PRESETS};
use paxoscope_core::protocols::{with_protocol, ForProtocol};
use paxoscope_core::scenario::{self, Action, ProtocolId, Scenario, TimedAction, MAX_TIME_MS};
use paxoscope_core::session::Session;
use serde_json::Value as Json;
use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

/// How long a run lasts when neither `--until-ms` nor the scenario's `end` says.
pub const DEFAULT_RUN_MS: u64 = 60_000;

/// Which scenario to play, and for how long.
#[derive(clap::Args, Debug, Clone)]
pub struct ScenarioArgs {
    /// A scenario file, scenario text (starting with `paxoscope scenario`), or a playground
    /// URL or fragment (`#paxoscope+scenario+v1;...`). Default: five monitors starting up.
    #[arg(long, value_name = "FILE_OR_TEXT", conflicts_with = "preset")]
    pub scenario: Option<String>,
    /// A guided tour by id (`startup`, `leader-fails`, ...).
    #[arg(long, value_name = "ID")]
    pub preset: Option<String>,
    /// Override the scenario's seed.
    #[arg(long, value_name = "N")]
    pub seed: Option<u64>,
    /// Run until this simulated time (ms); default the scenario's `end`, else 60 s.
    #[arg(long, value_name = "T")]
    pub until_ms: Option<u64>,
    /// The protocol: `ceph`, `basic-paxos` or `multi-paxos`. A scenario says its own (`protocol
    /// basic-paxos`; none means ceph): this must agree with it. Without `--scenario` and
    /// `--preset`, the default scenario of this protocol.
    #[arg(long, value_name = "NAME")]
    pub protocol: Option<ProtocolId>,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// The readable log, then a summary block.
    Text,
    /// JSON Lines: one object per trace event, then `{"summary": {...}}`.
    Json,
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

impl ScenarioArgs {
    /// The scenario these options name, with `--seed` applied.
    pub fn load(&self) -> Result<Scenario, String> {
        let wanted = self.protocol;
        let (mut s, from) = match (&self.scenario, &self.preset) {
            (Some(arg), _) => (scenario_from_arg(arg)?, "the scenario"),
            (None, Some(id)) => (preset_scenario(id)?, "the preset"),
            (None, None) => (default_scenario_for(wanted.unwrap_or_default()), ""),
        };
        if let Some(p) = wanted.filter(|p| *p != s.protocol) {
            let says = match s.protocol {
                ProtocolId::Ceph => "ceph (it has no `protocol` line)".to_string(),
                other => format!("`protocol {other}`"),
            };
            return Err(format!(
                "--protocol {p} disagrees with {from}, which runs {says}: drop --protocol or \
                 change the scenario's `protocol` line"
            ));
        }
        if let Some(seed) = self.seed {
            s.seed = seed;
        }
        Ok(s)
    }

    /// The time the run stops at: `--until-ms`, else the scenario's `end`, else 60 s.
    pub fn until_ms(&self, s: &Scenario) -> Result<u64, String> {
        let t = self.until_ms.or(s.end_ms).unwrap_or(DEFAULT_RUN_MS);
        check_time("--until-ms", t)?;
        Ok(t)
    }
}

/// A time option must stay within what a scenario may ask for (24 h).
pub fn check_time(option: &str, t_ms: u64) -> Result<(), String> {
    if t_ms > MAX_TIME_MS {
        return Err(format!(
            "{option} {t_ms} is out of range: at most {MAX_TIME_MS} (24 h of simulated time)"
        ));
    }
    Ok(())
}

/// Five monitors with empty stores starting up, seed 1, nothing scripted.
pub fn default_scenario() -> Scenario {
    Scenario::default()
}

/// The scenario a protocol runs when none is given: Ceph's five monitors starting up; Basic
/// Paxos's five nodes where proposers 0 and 1 propose `A` and `B` at the same moment (1 s);
/// Multi-Paxos's five replicas where clients write three keys through nodes 0, 1 and 2 at 2 s,
/// once a leader is elected, and read one back at 3 s.
pub fn default_scenario_for(protocol: ProtocolId) -> Scenario {
    match protocol {
        ProtocolId::Ceph => default_scenario(),
        ProtocolId::BasicPaxos => {
            let put = |node: u8, value: &str| TimedAction {
                at_ms: 1_000,
                action: Action::Put {
                    node,
                    key: "x".into(),
                    value: value.into(),
                },
            };
            Scenario {
                protocol,
                actions: vec![put(0, "A"), put(1, "B")],
                ..Scenario::default()
            }
        }
        ProtocolId::MultiPaxos => {
            let at = |at_ms: u64, action: Action| TimedAction { at_ms, action };
            let put = |node: u8, key: &str, value: &str| Action::Put {
                node,
                key: key.into(),
                value: value.into(),
            };
            Scenario {
                protocol,
                actions: vec![
                    at(2_000, put(0, "a", "1")),
                    at(2_000, put(1, "b", "2")),
                    at(2_000, put(2, "c", "3")),
                    at(
                        3_000,
                        Action::Get {
                            node: 4,
                            key: "a".into(),
                        },
                    ),
                ],
                ..Scenario::default()
            }
        }
    }
}

fn preset_scenario(id: &str) -> Result<Scenario, String> {
    let Some(p) = presets::find(id) else {
        let ids: Vec<&str> = PRESETS.iter().map(|p| p.id).collect();
        return Err(format!(
            "unknown preset `{id}`; valid ids: {}",
            ids.join(", ")
        ));
    };
    p.scenario().map_err(|e| format!("preset `{id}`: {e}"))
}

/// `--scenario`: scenario text, a URL or fragment, or a file path, in that order of guessing.
fn scenario_from_arg(arg: &str) -> Result<Scenario, String> {
    let trimmed = arg.trim_start();
    if trimmed.starts_with("paxoscope scenario") {
        return scenario::parse(arg).map_err(|e| format!("scenario text: {e}"));
    }
    if trimmed.contains("://") && !trimmed.contains('#') {
        return Err(format!(
            "the URL `{trimmed}` has no `#` fragment holding a scenario"
        ));
    }
    if let Some(frag) = url_fragment(trimmed) {
        return scenario::from_url_fragment(frag)
            .map_err(|e| format!("scenario URL fragment: {e}"));
    }
    let text = std::fs::read_to_string(arg).map_err(|e| {
        format!("cannot read scenario file `{arg}`: {e} (pass a file, scenario text starting with `paxoscope scenario`, or a playground URL)")
    })?;
    scenario::parse(&text).map_err(|e| format!("{arg}: {e}"))
}

/// The fragment part of a playground URL (`https://host/#paxoscope+scenario+v1;...`), a bare
/// `#...` fragment, or a fragment pasted without its `#`.
fn url_fragment(arg: &str) -> Option<&str> {
    if arg.starts_with('#') || arg.starts_with("paxoscope+scenario") {
        return Some(arg);
    }
    if arg.contains("://") {
        return arg.find('#').map(|i| &arg[i..]);
    }
    None
}

/// Build the session of protocol `P` and run it to `until_ms` (or to a violation).
pub fn play<P: Summary>(scenario: Scenario, until_ms: u64) -> Session<P> {
    let mut session = Session::<P>::open(scenario);
    session.run_until(until_ms);
    session
}

pub fn main(args: Args) -> Result<ExitCode, String> {
    let scenario = args.scenario.load()?;
    let until_ms = args.scenario.until_ms(&scenario)?;
    let format = args.format;
    with_protocol(scenario, Output { until_ms, format })
}

/// Play the scenario and print it, for any protocol.
struct Output {
    until_ms: u64,
    format: Format,
}

impl ForProtocol for Output {
    type Output = Result<ExitCode, String>;
    fn run<P: Summary>(self, scenario: Scenario) -> Self::Output {
        print_run(&play::<P>(scenario, self.until_ms), self.format)
    }
}

fn print_run<P: Summary>(session: &Session<P>, format: Format) -> Result<ExitCode, String> {
    let summary = summary_json(session);
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = match format {
        Format::Text => {
            let parsed: Json = serde_json::from_str(&summary)
                .map_err(|e| format!("internal error: the summary is not JSON ({e}): {summary}"))?;
            write_text(&mut out, session, &parsed)
        }
        Format::Json => write_json(&mut out, session, &summary),
    }
    .and_then(|_| out.flush());
    match written {
        // `paxoscope run | head` closes the pipe early; that is not an error.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => {}
        Err(e) => return Err(format!("cannot write the output: {e}")),
        Ok(()) => {}
    }
    Ok(report_stop(session))
}

/// Exit status 1 and a sentence on stderr if the checker stopped the run, 2 if its budget did.
pub fn report_stop<P: Summary>(session: &Session<P>) -> ExitCode {
    if let Some(b) = session.budget_exceeded() {
        eprintln!("paxoscope: {b}");
        return ExitCode::from(2);
    }
    match session.violation() {
        Some(v) => {
            eprintln!("paxoscope: violation: {v} (seed {})", v.seed);
            ExitCode::from(1)
        }
        None => ExitCode::SUCCESS,
    }
}

/// The trace's JSON Lines, then `{"summary":...}` (`summary` is JSON text).
fn write_json<P: Summary>(
    out: &mut impl Write,
    session: &Session<P>,
    summary: &str,
) -> io::Result<()> {
    for e in session.trace() {
        writeln!(out, "{}", e.to_json())?;
    }
    writeln!(out, "{{\"summary\":{summary}}}")
}

fn write_text<P: Summary>(
    out: &mut impl Write,
    session: &Session<P>,
    summary: &Json,
) -> io::Result<()> {
    for e in session.trace() {
        writeln!(out, "{}", e.to_text())?;
    }
    out.write_all(summary_text(summary).as_bytes())
}

/// The summary block of the text format, read from the same JSON the `json` format prints.
pub fn summary_text(s: &Json) -> String {
    let mut out = String::new();
    let t_ms = s["t_ms"].as_u64().unwrap_or(0);
    out.push_str(&format!(
        "--- summary at {}.{:03}s: seed {}, {} trace events, trace hash {}\n",
        t_ms / 1000,
        t_ms % 1000,
        s["seed"],
        s["events"],
        s["trace_hash"].as_str().unwrap_or("?")
    ));
    for m in s["monitors"].as_array().into_iter().flatten() {
        out.push_str(&monitor_text(m));
    }
    for n in s["nodes"].as_array().into_iter().flatten() {
        out.push_str(&node_text(n));
    }
    if s.get("leader").is_some() {
        // Ceph's summary names no protocol; the others' nodes are `node.N`.
        let node = if s["protocol"].is_string() {
            "node"
        } else {
            "mon"
        };
        let leader = match s["leader"].as_u64() {
            Some(r) => format!("{node}.{r}"),
            None => "none".into(),
        };
        out.push_str(&format!("leader: {leader}\n"));
    }
    if let (Some(won), Some(rate)) = (s["elections"].as_u64(), s["elections_per_minute"].as_str()) {
        out.push_str(&format!("elections: {won} won ({rate} per minute)\n"));
    }
    if s.get("chosen").is_some() {
        let chosen = s["chosen"].as_str().unwrap_or("none");
        out.push_str(&format!("chosen: {chosen}\n"));
    }
    let violation = match &s["violation"] {
        Json::Null => "none".to_string(),
        v => violation_text(v),
    };
    out.push_str(&format!("violation: {violation}\n"));
    let findings: Vec<String> = s["timing_findings"]
        .as_array()
        .into_iter()
        .flatten()
        .map(violation_text)
        .collect();
    if findings.is_empty() {
        out.push_str("timing findings: none\n");
    } else {
        out.push_str("timing findings:\n");
        for f in findings {
            out.push_str(&format!("  {f}\n"));
        }
    }
    out
}

/// `mon.0  leader/active        epoch 2   fc 1    lc 1     leader mon.0  readable`
fn monitor_text(m: &Json) -> String {
    let state = m["state"].as_str().unwrap_or("?");
    let leader = m["leader"]
        .as_u64()
        .map(|r| format!("  leader mon.{r}"))
        .unwrap_or_default();
    let readable = if m["readable"] == true {
        "  readable"
    } else {
        ""
    };
    let num = |k: &str| m[k].as_u64().unwrap_or(0);
    let line = format!(
        "mon.{:<2} {state:<20} epoch {:<3} fc {:<4} lc {:<4}{leader}{readable}",
        num("rank"),
        num("epoch"),
        num("first_committed"),
        num("last_committed")
    );
    format!("{}\n", line.trim_end())
}

/// `node.2  proposer+acceptor+learner proposer/accepting  promised 1.0  accepted 1.0 A  learned A`
fn node_text(n: &Json) -> String {
    let text = |k: &str| n[k].as_str().map(str::to_string);
    let mut line = format!(
        "node.{:<2} {:<26} {:<24}",
        n["rank"].as_u64().unwrap_or(0),
        text("roles").unwrap_or_else(|| "down".into()),
        text("state").unwrap_or_default()
    );
    if let Some(p) = text("promised") {
        line += &format!("  promised {p}");
    }
    if let (Some(an), Some(av)) = (text("accepted_n"), text("accepted_v")) {
        line += &format!("  accepted {an} {av}");
    }
    if let Some(l) = text("learned") {
        line += &format!("  learned {l}");
    }
    // Multi-Paxos: the log.
    if let Some(a) = n["applied"].as_u64() {
        line += &format!("  applied {a}");
    }
    if let Some(f) = n["first_unchosen"].as_u64() {
        line += &format!("  first unchosen {f}");
    }
    format!("{}\n", line.trim_end())
}

fn violation_text(v: &Json) -> String {
    let node = v["node"]
        .as_u64()
        .map(|n| format!(" mon.{n}"))
        .unwrap_or_default();
    format!(
        "`{}` at {} ms{node} (event {}, seed {}): {}",
        v["invariant"].as_str().unwrap_or("?"),
        v["t_ms"],
        v["event"],
        v["seed"],
        v["detail"].as_str().unwrap_or("")
    )
}
