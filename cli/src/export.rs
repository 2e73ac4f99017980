//! `paxoscope export`: play a scenario (same options as `run`) and write one export of it:
//! the trace as JSON Lines, a mermaid sequence diagram of a time window, a mermaid state
//! diagram of one monitor's phase history, or the client history (for `check-history`). The formats are built in paxoscope-core's
//! `export` module, which the web UI uses too.
//!
//! A violation does not stop the export (the run up to it is often what one wants to
//! draw); it is reported on stderr and the exit status stays 0 once the output is written.

use crate::run::{check_time, play, ScenarioArgs};
use paxoscope_core::export::{
    history_json_lines, sequence_diagram, state_diagram, trace_json_lines, SequenceOptions,
    Summary, DEFAULT_MAX_LINES,
};
use paxoscope_core::protocols::{with_protocol, ForProtocol};
use paxoscope_core::scenario::Scenario;
use std::io::Write;
use std::process::ExitCode;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// The trace events in the window as JSON Lines (docs/trace-format.md).
    Trace,
    /// A mermaid `sequenceDiagram` of the window.
    Sequence,
    /// A mermaid `stateDiagram-v2` of one monitor (`--node`).
    State,
    /// The whole run's client history as JSON Lines (docs/history-format.md), for
    /// `paxoscope check-history`; the window options do not apply.
    History,
}

#[derive(clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub scenario: ScenarioArgs,
    /// What to export.
    #[arg(long, value_enum)]
    pub what: What,
    /// Start of the window, in simulated ms (default 0).
    #[arg(long, value_name = "A")]
    pub from_ms: Option<u64>,
    /// End of the window, in simulated ms (default the end of the run).
    #[arg(long, value_name = "B")]
    pub to_ms: Option<u64>,
    /// The monitor whose state diagram to draw (`--what state`).
    #[arg(long, value_name = "N", default_value_t = 0)]
    pub node: u8,
    /// Sequence diagram: arrows and notes kept before the rest is summarised in one note.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_LINES)]
    pub max_lines: usize,
    /// Write here instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub out: Option<std::path::PathBuf>,
}

/// The window [from, to] and how long to run: a `--to-ms` past the scenario's end lengthens
/// the run, unless `--until-ms` fixed its length.
fn window(args: &Args, scenario: &Scenario) -> Result<(u64, u64, u64), String> {
    let from_ms = args.from_ms.unwrap_or(0);
    check_time("--from-ms", from_ms)?;
    let mut until_ms = args.scenario.until_ms(scenario)?;
    if let Some(to) = args.to_ms {
        check_time("--to-ms", to)?;
        if to > until_ms && args.scenario.until_ms.is_some() {
            return Err(format!(
                "--to-ms {to} is past the end of the run (--until-ms {until_ms})"
            ));
        }
        until_ms = until_ms.max(to);
    }
    let to_ms = args.to_ms.unwrap_or(until_ms);
    if from_ms > to_ms {
        return Err(format!(
            "--from-ms {from_ms} is after the end of the window ({to_ms} ms)"
        ));
    }
    Ok((from_ms, to_ms, until_ms))
}

pub fn main(args: Args) -> Result<ExitCode, String> {
    if args.max_lines == 0 {
        return Err("--max-lines must be at least 1".into());
    }
    let scenario = args.scenario.load()?;
    let window = window(&args, &scenario)?;
    with_protocol(scenario, Export { args, window })
}

/// Play the scenario and write the export, for any protocol.
struct Export {
    args: Args,
    /// From, to, and how long to run (`window`).
    window: (u64, u64, u64),
}

impl ForProtocol for Export {
    type Output = Result<ExitCode, String>;
    fn run<P: Summary>(self, scenario: Scenario) -> Self::Output {
        export::<P>(&self.args, scenario, self.window)
    }
}

fn export<P: Summary>(
    args: &Args,
    scenario: Scenario,
    (from_ms, to_ms, until_ms): (u64, u64, u64),
) -> Result<ExitCode, String> {
    let session = play::<P>(scenario, until_ms);
    let monitors = session.world().n();
    let text = match args.what {
        What::Trace => {
            let in_window: Vec<_> = session
                .trace()
                .iter()
                .filter(|e| (from_ms..=to_ms).contains(&e.t_ms))
                .cloned()
                .collect();
            trace_json_lines(&in_window)
        }
        What::Sequence => {
            let opts = SequenceOptions {
                from_ms,
                to_ms,
                monitors,
                max_lines: args.max_lines,
            };
            sequence_diagram(session.trace(), &opts)
        }
        What::State => {
            if args.node >= monitors {
                return Err(format!(
                    "--node {} is out of range: this scenario has {n}.0 to {n}.{}",
                    args.node,
                    monitors - 1,
                    n = P::NODE
                ));
            }
            state_diagram(session.trace(), args.node, from_ms, to_ms)
        }
        What::History => history_json_lines(session.world().clients()),
    };
    write_output(args.out.as_deref(), &text)?;
    if let Some(b) = session.budget_exceeded() {
        eprintln!("paxoscope: {b}");
        return Ok(ExitCode::from(2));
    }
    if let Some(v) = session.violation() {
        eprintln!(
            "paxoscope: note: the run stopped at a violation: {v} (seed {})",
            v.seed
        );
    }
    Ok(ExitCode::SUCCESS)
}

fn write_output(path: Option<&std::path::Path>, text: &str) -> Result<(), String> {
    match path {
        Some(p) => {
            std::fs::write(p, text).map_err(|e| format!("cannot write `{}`: {e}", p.display()))
        }
        None => {
            let mut out = std::io::stdout().lock();
            match out.write_all(text.as_bytes()).and_then(|_| out.flush()) {
                Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                    Err(format!("cannot write the output: {e}"))
                }
                _ => Ok(()),
            }
        }
    }
}
