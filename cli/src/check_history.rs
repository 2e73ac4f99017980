//! `paxoscope check-history FILE`: is a client history linearizable? Reads Paxoscope's JSON
//! Lines history (docs/history-format.md) or a Jepsen register log, runs the linearizability
//! checker, prints the operation count, the time taken and, for a history that is not
//! linearizable, why; the last line is the verdict.
//!
//! Exit status: 0 `linearizable`, 1 `not linearizable`, 2 the file cannot be read (printed as
//! `FILE:LINE:COL: what was wrong`), 3 `undecided` (the search budget ran out first).

pub use paxoscope_core::check::linearizability::DEFAULT_MAX_STATES;
use paxoscope_core::check::linearizability::{check_history_with_budget, LinOutcome};
use paxoscope_core::history::{self, Ending, History};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

/// Exit status of an undecided check.
pub const EXIT_UNDECIDED: u8 = 3;

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// Paxoscope's JSON Lines history (docs/history-format.md).
    Jsonl,
    /// Jepsen's event maps: {:process 0, :type :invoke, :f :read, :value nil}.
    Jepsen,
}

#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// One register: keys are ignored.
    Register,
    /// Independent registers, one per key, checked one by one.
    Kv,
}

#[derive(clap::Args)]
pub struct Args {
    /// The history file (`-` for standard input).
    pub file: PathBuf,
    /// The file's format. Default: JSON Lines if it starts with `{"`, else Jepsen.
    #[arg(long, value_enum)]
    pub format: Option<Format>,
    /// What the operations act on. Default: `kv` for JSON Lines, `register` for Jepsen.
    #[arg(long, value_enum)]
    pub model: Option<Model>,
    /// Search budget (configurations visited); past it the verdict is `undecided`.
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MAX_STATES)]
    pub max_states: u64,
}

pub fn main(args: Args) -> Result<ExitCode, String> {
    let name = args.file.display().to_string();
    let text = read(&args.file)?;
    let format = match args.format {
        Some(Format::Jsonl) => history::Format::Jsonl,
        Some(Format::Jepsen) => history::Format::Jepsen,
        None => history::Format::detect(&text),
    };
    let model = match args.model {
        Some(Model::Register) => history::Model::Register,
        Some(Model::Kv) => history::Model::Kv,
        None => format.default_model(),
    };
    let started = Instant::now();
    let parsed = match history::parse(&text, format, model) {
        Ok(h) => h,
        Err(e) => {
            eprintln!("{name}:{e}");
            return Ok(ExitCode::from(2));
        }
    };
    let parse_ms = started.elapsed().as_secs_f64() * 1e3;
    println!("{name}: {}", counts(&parsed));
    let started = Instant::now();
    let report = check_history_with_budget(&parsed.entries, args.max_states);
    let check_ms = started.elapsed().as_secs_f64() * 1e3;
    println!(
        "checked in {check_ms:.1} ms (read in {parse_ms:.1} ms; {} search states; {} key(s) decided)",
        report.states_explored, report.keys_checked
    );
    match &report.outcome {
        LinOutcome::Linearizable => {
            println!("linearizable");
            Ok(ExitCode::SUCCESS)
        }
        LinOutcome::NotLinearizable(failure) => {
            for line in parsed.explain(failure) {
                println!("{line}");
            }
            println!("not linearizable");
            Ok(ExitCode::from(1))
        }
        LinOutcome::Unknown => {
            println!("{}", history::undecided_explanation(args.max_states));
            println!("undecided");
            Ok(ExitCode::from(EXIT_UNDECIDED))
        }
    }
}

fn read(path: &std::path::Path) -> Result<String, String> {
    if path.as_os_str() == "-" {
        let mut s = String::new();
        std::io::Read::read_to_string(&mut std::io::stdin(), &mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        return Ok(s);
    }
    std::fs::read_to_string(path).map_err(|e| format!("cannot read `{}`: {e}", path.display()))
}

/// E.g. `10234 operations by 12 processes (233 :fail, 120 :info), 10001 checked; 4 faults`.
fn counts(h: &History) -> String {
    let count = |e: Ending| h.ops.iter().filter(|o| o.ending == e).count();
    let processes: std::collections::BTreeSet<u32> = h.ops.iter().map(|o| o.process).collect();
    let keys: std::collections::BTreeSet<&str> = h.entries.iter().map(|e| e.op.key()).collect();
    let mut s = format!(
        "{} operations by {} processes ({} ok, {} fail, {} info), {} checked on {} key(s)",
        h.ops.len(),
        processes.len(),
        count(Ending::Ok),
        count(Ending::Fail),
        count(Ending::Info),
        h.entries.len(),
        keys.len(),
    );
    if !h.faults.is_empty() {
        s += &format!("; {} nemesis events", h.faults.len());
    }
    s
}
