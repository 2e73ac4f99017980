//! Scenario text format: see docs/scenario-format.md.
pub mod ast;
pub mod parse;
pub mod print;
pub mod url;
pub mod validate;

pub mod protocol;

pub use ast::*;
pub use parse::{parse, ParseError};
pub use print::print;
pub use protocol::{ProtocolId, DEFAULT_PROPOSERS};
pub use url::{from_url_fragment, to_url_fragment};
pub use validate::{DEFAULT_MONITORS, MAX_DELAY_MS, MAX_DRIFT_PPM, MAX_SKEW_MS};
