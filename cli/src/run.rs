//! `paxoscope run` (not written yet).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn main(_args: Args) -> Result<ExitCode, String> {
    Err("`run` is not implemented yet".into())
}
