//! `paxoscope`: the native front door to paxoscope-core. Each subcommand lives in its own
//! module; this file only parses arguments and dispatches.

use clap::{Parser, Subcommand};
use std::process::ExitCode;

mod basic_paxos;
mod bench;
mod campaign;
mod check_history;
mod export;
mod family;
mod model;
mod multi_paxos;
mod run;
mod seeds;
mod tours;

#[derive(Parser)]
#[command(
    name = "paxoscope",
    version,
    about = "Ceph monitor Paxos on a deterministic simulator"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Run one scenario and print its trace (text or JSON Lines).
    Run(run::Args),
    /// Random fault schedules over many seeds: safety, then liveness after a heal.
    Campaign(campaign::Args),
    /// Export a run: trace JSON, a mermaid sequence diagram, a mermaid state diagram.
    Export(export::Args),
    /// Simulator throughput and the other benchmark figures.
    Bench(bench::Args),
    /// Exhaustive exploration of the real handlers for three monitors.
    ModelCheck(model::Args),
    /// Is a client history (Paxoscope JSON Lines or a Jepsen log) linearizable? Exit 0 yes,
    /// 1 no, 2 unreadable, 3 undecided.
    CheckHistory(check_history::Args),
    /// Every guided tour by protocol; `--html` writes the tour index page (www/tours.html).
    Tours(tours::Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Run(a) => run::main(a),
        Command::Campaign(a) => campaign::main(a),
        Command::Export(a) => export::main(a),
        Command::Bench(a) => bench::main(a),
        Command::ModelCheck(a) => model::main(a),
        Command::CheckHistory(a) => check_history::main(a),
        Command::Tours(a) => tours::main(a),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("paxoscope: {e}");
            ExitCode::from(2)
        }
    }
}
