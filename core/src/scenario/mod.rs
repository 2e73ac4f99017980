//! Scenario text format: see docs/scenario-format.md.
pub mod ast;
pub mod parse;
pub mod print;

pub use ast::*;
pub use parse::{parse, ParseError};
pub use print::print;
