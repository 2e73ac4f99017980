//! Keeps docs/scenario-format.md honest: every ```scenario block parses and round-trips, and
//! every example in the ```scenario-errors block produces exactly the error shown.

use paxoscope_core::scenario::*;

const DOC: &str = include_str!("../../docs/scenario-format.md");

/// The bodies of the fenced blocks tagged `tag`.
fn blocks(tag: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in DOC.lines() {
        match &mut cur {
            None if line.trim_end() == format!("```{tag}") => cur = Some(String::new()),
            Some(body) if line.trim_end() == "```" => {
                out.push(std::mem::take(body));
                cur = None;
            }
            Some(body) => {
                body.push_str(line);
                body.push('\n');
            }
            None => {}
        }
    }
    out
}

#[test]
fn scenario_doc_examples_parse_and_round_trip() {
    let examples = blocks("scenario");
    assert!(examples.len() >= 4, "found {} examples", examples.len());
    for text in examples {
        let s = parse(&text).unwrap_or_else(|e| panic!("{e}\n{text}"));
        assert_eq!(s.validate(), Ok(()));
        assert_eq!(parse(&print(&s)), Ok(s.clone()));
        assert_eq!(from_url_fragment(&to_url_fragment(&s)), Ok(s));
    }
}

#[test]
fn scenario_doc_error_examples_are_exact() {
    let block = blocks("scenario-errors");
    assert_eq!(block.len(), 1);
    let lines: Vec<&str> = block[0].lines().collect();
    assert!(lines.len() >= 40 && lines.len() & 1 == 0);
    for pair in lines.chunks(2) {
        let input = pair[0].replace('⏎', "\n");
        let expected = pair[1]
            .strip_prefix("→ ")
            .expect("error line starts with →");
        match parse(&input) {
            Ok(s) => panic!("{input:?} parsed: {s:?}"),
            Err(e) => assert_eq!(e.to_string(), expected, "input {input:?}"),
        }
    }
}
