#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError { pub line: usize, pub col: usize, pub message: String }
pub fn parse(_text: &str) -> Result<super::Scenario, ParseError> { todo!() }
