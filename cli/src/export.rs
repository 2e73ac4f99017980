//! `paxoscope export` (not written yet).

use std::process::ExitCode;

#[derive(clap::Args)]
pub struct Args {}

pub fn main(_args: Args) -> Result<ExitCode, String> {
    Err("`export` is not implemented yet".into())
}
