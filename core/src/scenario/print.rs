pub fn print(_s: &super::Scenario) -> String { todo!() }
