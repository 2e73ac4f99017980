//! Text → Scenario. The grammar is in docs/scenario-format.md.
//!
//! The parser never panics and never overflows on any input: numbers are parsed digit by digit
//! with checked arithmetic, user text is only ever sliced at char boundaries found by
//! `char_indices`, and columns count characters (not bytes), 1-based.
//!
//! Node ranks are checked against the scenario's monitor count, which a `set monitors` line
//! anywhere in the file decides (a pre-pass finds it), so errors still come out in line order.

use crate::client::Text;
use std::borrow::Cow;
use std::fmt;

use super::ast::*;
use super::print::HEADER;
use super::protocol::ProtocolId;
use super::validate::*;

/// Where and what: `line` and `col` are 1-based, `col` counts characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl ParseError {
    pub fn new(line: usize, col: usize, message: impl Into<String>) -> Self {
        ParseError {
            line,
            col,
            message: message.into(),
        }
    }
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}, col {}: {}", self.line, self.col, self.message)
    }
}

impl std::error::Error for ParseError {}

/// Directives, in the order the error message lists them.
pub const DIRECTIVES: [&str; 13] = [
    "protocol",
    "proposers",
    "name",
    "seed",
    "set",
    "allow",
    "break",
    "election",
    "disallow",
    "pinging",
    "end",
    "view",
    "at",
];

/// Actions after `at TIME`, in the order the error message lists them.
pub const ACTIONS: [&str; 21] = [
    "partition",
    "isolate",
    "cut",
    "heal",
    "loss",
    "delay",
    "crash",
    "crash-in-commit",
    "restart",
    "add-server",
    "remove-server",
    "pause",
    "resume",
    "skew",
    "drift",
    "put",
    "get",
    "cas",
    "note",
    "election",
    "disallow",
];

const TIME_FORMS: &str = "a time like 20000, 20000ms, 20s or 1.5s";
const LINK_FORMS: &str = "a link: *, A -> B or A <-> B";
const LINK_FORMS_SPACED: &str = "a link: *, A -> B or A <-> B (with spaces around the arrow)";
const WORD_CHARS: &str = "letters, digits and _ . : / -";

// ---------------------------------------------------------------------------------------------
// Tokens

#[derive(Debug)]
struct Tok<'a> {
    /// Bare tokens: the source text. Quoted tokens: the decoded string.
    text: Cow<'a, str>,
    /// The source text, quotes and escapes included (for messages).
    raw: &'a str,
    col: usize,
    end_col: usize,
    quoted: bool,
}

impl Tok<'_> {
    fn is(&self, word: &str) -> bool {
        !self.quoted && self.text == word
    }
    fn bare(&self) -> Option<&str> {
        if self.quoted {
            None
        } else {
            Some(&self.text)
        }
    }
}

struct Line<'a> {
    no: usize,
    toks: Vec<Tok<'a>>,
    /// Column just after the last token: where "found end of line" points.
    end_col: usize,
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\t' || c == '\r'
}

/// Shows user text in a message: at most 40 characters, control characters as `U+XXXX`.
fn show(s: &str) -> String {
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i == 40 {
            out.push('…');
            break;
        }
        if c.is_control() {
            out.push_str(&format!("U+{:04X}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

fn found(t: &Tok) -> String {
    if t.quoted {
        format!("the quoted string {}", show(t.raw))
    } else {
        format!("\"{}\"", show(t.raw))
    }
}

fn tokenize(no: usize, line: &str) -> Result<Line<'_>, ParseError> {
    let mut toks = Vec::new();
    let mut it = line.char_indices().peekable();
    // Column of the character `it.peek()` would return.
    let mut col = 1usize;
    loop {
        while let Some(&(_, c)) = it.peek() {
            if !is_space(c) {
                break;
            }
            it.next();
            col += 1;
        }
        let Some(&(start, first)) = it.peek() else {
            break;
        };
        if first == '#' {
            break;
        }
        let tok_col = col;
        if first == '"' {
            it.next();
            col += 1;
            let mut s = String::new();
            loop {
                match it.next() {
                    None => {
                        return Err(ParseError::new(
                            no,
                            tok_col,
                            "unterminated string: missing the closing quote",
                        ))
                    }
                    Some((_, '"')) => {
                        col += 1;
                        break;
                    }
                    Some((_, '\\')) => {
                        let esc_col = col;
                        col += 1;
                        match it.next() {
                            Some((_, c @ ('"' | '\\'))) => {
                                s.push(c);
                                col += 1;
                            }
                            Some((_, c)) => {
                                return Err(ParseError::new(
                                    no,
                                    esc_col,
                                    format!(
                                        "unknown escape \"\\{}\" in a string (only \\\" and \\\\ are allowed)",
                                        show(c.encode_utf8(&mut [0; 4]))
                                    ),
                                ))
                            }
                            None => {
                                return Err(ParseError::new(
                                    no,
                                    tok_col,
                                    "unterminated string: missing the closing quote",
                                ))
                            }
                        }
                    }
                    Some((_, c)) if c.is_control() => {
                        return Err(ParseError::new(
                            no,
                            col,
                            format!(
                                "control character U+{:04X} is not allowed in a string",
                                c as u32
                            ),
                        ))
                    }
                    Some((_, c)) => {
                        s.push(c);
                        col += 1;
                    }
                }
            }
            let end = it.peek().map_or(line.len(), |&(b, _)| b);
            if let Some(&(_, c)) = it.peek() {
                if !is_space(c) && c != '#' {
                    return Err(ParseError::new(
                        no,
                        col,
                        "expected a space after the closing quote",
                    ));
                }
            }
            toks.push(Tok {
                text: Cow::Owned(s),
                raw: line.get(start..end).unwrap_or(""),
                col: tok_col,
                end_col: col,
                quoted: true,
            });
        } else {
            while let Some(&(_, c)) = it.peek() {
                if is_space(c) || c == '#' || c == '"' {
                    break;
                }
                it.next();
                col += 1;
            }
            let end = it.peek().map_or(line.len(), |&(b, _)| b);
            if let Some(&(_, '"')) = it.peek() {
                return Err(ParseError::new(
                    no,
                    col,
                    "expected a space before the opening quote",
                ));
            }
            let text = line.get(start..end).unwrap_or("");
            toks.push(Tok {
                text: Cow::Borrowed(text),
                raw: text,
                col: tok_col,
                end_col: col,
                quoted: false,
            });
        }
    }
    let end_col = toks.last().map_or(1, |t| t.end_col);
    Ok(Line { no, toks, end_col })
}

// ---------------------------------------------------------------------------------------------
// Numbers and times

enum Num {
    Ok(u64),
    Overflow,
    Bad,
}

/// ASCII digits only (at least one), checked arithmetic.
fn digits(s: &str) -> Num {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return Num::Bad;
    }
    let mut v: u64 = 0;
    for b in s.bytes() {
        match v
            .checked_mul(10)
            .and_then(|v| v.checked_add(u64::from(b - b'0')))
        {
            Some(x) => v = x,
            None => return Num::Overflow,
        }
    }
    Num::Ok(v)
}

/// Optional sign then digits; `None` when malformed or beyond `±limit`.
fn signed(s: &str, limit: i64) -> Option<i64> {
    let (neg, d) = match s.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    match digits(d) {
        Num::Ok(v) if v <= limit.unsigned_abs() => {
            let v = v as i64; // v <= i64::MAX because limit is an i64
            Some(if neg { -v } else { v })
        }
        _ => None,
    }
}

enum TimeErr {
    Syntax,
    TooPrecise,
    TooLarge,
}

/// `20000`, `20000ms`, `20s`, `1.5s` (at most 3 decimals) → ms. No upper limit here except u64.
fn time_ms(s: &str) -> Result<u64, TimeErr> {
    let num = |n: Num| match n {
        Num::Ok(v) => Ok(v),
        Num::Overflow => Err(TimeErr::TooLarge),
        Num::Bad => Err(TimeErr::Syntax),
    };
    if let Some(d) = s.strip_suffix("ms") {
        return num(digits(d));
    }
    if let Some(d) = s.strip_suffix('s') {
        let (int, frac) = match d.split_once('.') {
            Some((i, f)) => (i, Some(f)),
            None => (d, None),
        };
        let secs = num(digits(int))?;
        let frac_ms = match frac {
            None => 0,
            Some(f) => {
                let Num::Ok(fv) = digits(f) else {
                    return Err(TimeErr::Syntax);
                };
                match f.len() {
                    1 => fv * 100,
                    2 => fv * 10,
                    3 => fv,
                    _ => return Err(TimeErr::TooPrecise),
                }
            }
        };
        return secs
            .checked_mul(1000)
            .and_then(|v| v.checked_add(frac_ms))
            .ok_or(TimeErr::TooLarge);
    }
    num(digits(s))
}

/// `mon.2` or `2` → Some(2) (any size); `None` when it does not look like a node at all.
fn node_syntax(t: &Tok) -> Option<Num> {
    let s = t.bare()?;
    let d = s.strip_prefix("mon.").unwrap_or(s);
    match digits(d) {
        Num::Bad => None,
        n => Some(n),
    }
}

fn node_range(n: u8) -> String {
    if n <= 1 {
        "0".to_string()
    } else {
        format!("0-{}", n - 1)
    }
}

fn set_value(key: ConfigKey, t: &Tok) -> Result<u64, String> {
    let (lo, hi) = key.range();
    match t.bare().map(digits) {
        Some(Num::Ok(v)) if v >= lo && v <= hi => Ok(v),
        Some(Num::Ok(_)) | Some(Num::Overflow) => Err(format!(
            "{} must be between {lo} and {hi}, found {}",
            key.name(),
            found(t)
        )),
        _ => Err(format!(
            "expected a whole number {lo}-{hi} for {}, found {}",
            key.name(),
            found(t)
        )),
    }
}

// ---------------------------------------------------------------------------------------------
// Cursor over one line's tokens

struct Cur<'l, 'a> {
    line: &'l Line<'a>,
    pos: usize,
}

impl<'l, 'a> Cur<'l, 'a> {
    fn peek(&self) -> Option<&'l Tok<'a>> {
        self.line.toks.get(self.pos)
    }
    fn next(&mut self, expected: &str) -> Result<&'l Tok<'a>, ParseError> {
        match self.line.toks.get(self.pos) {
            Some(t) => {
                self.pos += 1;
                Ok(t)
            }
            None => Err(ParseError::new(
                self.line.no,
                self.line.end_col,
                format!("expected {expected}, found end of line"),
            )),
        }
    }
    fn err(&self, t: &Tok, message: impl Into<String>) -> ParseError {
        ParseError::new(self.line.no, t.col, message)
    }
    fn expected(&self, t: &Tok, what: &str) -> ParseError {
        self.err(t, format!("expected {what}, found {}", found(t)))
    }
    /// The next token must be the keyword `kw`.
    fn keyword(&mut self, kw: &str) -> Result<(), ParseError> {
        let what = format!("\"{kw}\"");
        let t = self.next(&what)?;
        if t.is(kw) {
            Ok(())
        } else {
            Err(self.expected(t, &what))
        }
    }
    /// Nothing may follow `what`.
    fn finish(&self, what: &str) -> Result<(), ParseError> {
        match self.peek() {
            None => Ok(()),
            Some(t) => Err(self.err(
                t,
                format!(
                    "unexpected {} after {what} (expected end of line)",
                    found(t)
                ),
            )),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The parser

struct Parser {
    s: Scenario,
    monitors: u8,
    /// The protocol the `protocol` line names, wherever it is (`prescan_protocol`): the other
    /// lines are checked against it.
    protocol: ProtocolId,
    protocol_line: Option<usize>,
    proposers_line: Option<usize>,
    header_line: usize,
    name_line: Option<usize>,
    seed_line: Option<usize>,
    end_line: Option<usize>,
    view_line: Option<usize>,
    set_lines: Vec<(ConfigKey, usize)>,
    allow_lines: Vec<(Allowance, usize)>,
    break_lines: Vec<(Mutation, usize)>,
    election_line: Option<usize>,
    disallow_line: Option<usize>,
    pinging_line: Option<usize>,
}

/// Reads a scenario. Errors carry the 1-based line and character column of the problem.
pub fn parse(text: &str) -> Result<Scenario, ParseError> {
    if text.len() > MAX_TEXT_BYTES {
        return Err(ParseError::new(
            1,
            1,
            format!(
                "the scenario is {} bytes; the limit is {MAX_TEXT_BYTES} bytes (MAX_TEXT_BYTES)",
                text.len()
            ),
        ));
    }
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let lines: Vec<Result<Line, ParseError>> = text
        .split('\n')
        .enumerate()
        .map(|(i, l)| tokenize(i + 1, l))
        .collect();
    let mut p = Parser {
        s: Scenario::default(),
        monitors: prescan_monitors(&lines),
        protocol: prescan_protocol(&lines),
        protocol_line: None,
        proposers_line: None,
        header_line: 0,
        name_line: None,
        seed_line: None,
        end_line: None,
        view_line: None,
        set_lines: Vec::new(),
        allow_lines: Vec::new(),
        break_lines: Vec::new(),
        election_line: None,
        disallow_line: None,
        pinging_line: None,
    };
    for line in &lines {
        let line = line.as_ref().map_err(Clone::clone)?;
        if line.toks.is_empty() {
            continue;
        }
        if p.header_line == 0 {
            header(line)?;
            p.header_line = line.no;
        } else {
            p.directive(line)?;
        }
    }
    if p.header_line == 0 {
        return Err(ParseError::new(
            1,
            1,
            format!("empty scenario: expected the header \"{HEADER}\""),
        ));
    }
    if let (Some(line), ElectionStrategy::Classic) = (p.disallow_line, p.s.election) {
        return Err(ParseError::new(
            line,
            1,
            "disallowed leaders need `election disallow` or `election connectivity` (the \
             classic strategy ignores them, and Ceph refuses to set them under it)",
        ));
    }
    crate::sorted::sort_by_u64_pair(&mut p.s.actions, |a| (a.at_ms, 0));
    Ok(p.s)
}

/// The monitor count a well-formed `set monitors N` line anywhere in the file sets (first one
/// wins; a second one is an error anyway), else the default. If the file parses, this is the
/// count the parsed scenario has.
fn prescan_monitors(lines: &[Result<Line, ParseError>]) -> u8 {
    for line in lines.iter().flatten() {
        if let [a, b, c] = line.toks.as_slice() {
            if a.is("set") && b.is("monitors") {
                if let Ok(v) = set_value(ConfigKey::Monitors, c) {
                    return v as u8;
                }
            }
        }
    }
    DEFAULT_MONITORS
}

/// The protocol a well-formed `protocol NAME` line anywhere in the file names (first one
/// wins), else Ceph's. If the file parses, this is the parsed scenario's protocol.
fn prescan_protocol(lines: &[Result<Line, ParseError>]) -> ProtocolId {
    for line in lines.iter().flatten() {
        if let [a, b] = line.toks.as_slice() {
            if let (true, Some(p)) = (a.is("protocol"), b.bare().and_then(ProtocolId::from_name)) {
                return p;
            }
        }
    }
    ProtocolId::default()
}

fn header(line: &Line) -> Result<(), ParseError> {
    let mut c = Cur { line, pos: 0 };
    let t = c.next("the header")?;
    if !t.is("paxoscope") {
        return Err(c.err(
            t,
            format!("expected the header \"{HEADER}\" first, found {}", found(t)),
        ));
    }
    c.keyword("scenario")?;
    let t = c.next("a version like v1")?;
    let Some(d) = t.bare().and_then(|s| s.strip_prefix('v')) else {
        return Err(c.expected(t, "a version like v1"));
    };
    match digits(d) {
        Num::Ok(v) if u64::from(FORMAT_VERSION) == v => {}
        Num::Ok(_) | Num::Overflow => {
            return Err(c.err(
                t,
                format!(
                    "unsupported scenario version {} (this build reads v{FORMAT_VERSION})",
                    show(d)
                ),
            ))
        }
        Num::Bad => return Err(c.expected(t, "a version like v1")),
    }
    c.finish("the header")
}

impl Parser {
    fn directive(&mut self, line: &Line) -> Result<(), ParseError> {
        let mut c = Cur { line, pos: 0 };
        let t = c.next("a directive")?;
        let no = line.no;
        let dup = |c: &Cur, what: &str, prev: Option<usize>| match prev {
            Some(l) => Err(c.err(
                t,
                format!("{what} is already given on line {l} (at most once)"),
            )),
            None => Ok(()),
        };
        let protocol = self.protocol;
        match t.bare().unwrap_or("") {
            "protocol" => {
                dup(&c, "protocol", self.protocol_line)?;
                let what = format!("a protocol ({})", ProtocolId::names());
                let t = c.next(&what)?;
                let Some(p) = t.bare().and_then(ProtocolId::from_name) else {
                    return Err(c.err(
                        t,
                        format!(
                            "unknown protocol {} (expected one of: {})",
                            found(t),
                            ProtocolId::names()
                        ),
                    ));
                };
                debug_assert_eq!(p, protocol, "the prescan found the same line");
                self.s.protocol = p;
                self.protocol_line = Some(no);
                c.finish("the protocol")
            }
            "proposers" => {
                dup(&c, "proposers", self.proposers_line)?;
                let Some((lo, hi)) = protocol.proposer_range() else {
                    return Err(c.err(
                        t,
                        format!(
                            "proposers is a Basic Paxos setting; this scenario's protocol is \
                             {protocol} (add `protocol basic-paxos` to run Basic Paxos)"
                        ),
                    ));
                };
                let what = format!("a number of proposers {lo}-{hi}");
                let v = c.next(&what)?;
                match v.bare().map(digits) {
                    Some(Num::Ok(n)) if (u64::from(lo)..=u64::from(hi)).contains(&n) => {
                        self.s.proposers = Some(n as u8)
                    }
                    Some(Num::Ok(_) | Num::Overflow) => {
                        return Err(c.err(
                            v,
                            format!("{protocol} runs {lo}-{hi} proposers, found {}", found(v)),
                        ))
                    }
                    _ => return Err(c.expected(v, &what)),
                }
                self.proposers_line = Some(no);
                c.finish("the number of proposers")
            }
            "name" => {
                dup(&c, "name", self.name_line)?;
                let t = c.next("a quoted name like \"Leader isolated\"")?;
                if !t.quoted {
                    return Err(c.expected(t, "a quoted name like \"Leader isolated\""));
                }
                self.s.name = Some(self.text(&c, t, "name")?);
                self.name_line = Some(no);
                c.finish("the name")
            }
            "seed" => {
                dup(&c, "seed", self.seed_line)?;
                let t = c.next("a seed (a whole number)")?;
                self.s.seed = match t.bare().map(digits) {
                    Some(Num::Ok(v)) => v,
                    Some(Num::Overflow) => {
                        return Err(c.err(
                            t,
                            format!("the seed must be at most {}, found {}", u64::MAX, found(t)),
                        ))
                    }
                    _ => return Err(c.expected(t, "a seed (a whole number)")),
                };
                self.seed_line = Some(no);
                c.finish("the seed")
            }
            "set" => {
                let t = c.next("a config key")?;
                let Some(key) = t.bare().and_then(ConfigKey::from_name) else {
                    let names: Vec<&str> = protocol.settings().iter().map(|k| k.name()).collect();
                    return Err(c.err(
                        t,
                        format!(
                            "unknown config key {} (expected one of: {})",
                            found(t),
                            names.join(", ")
                        ),
                    ));
                };
                if let Some((_, l)) = self.set_lines.iter().find(|(k, _)| *k == key) {
                    return Err(c.err(
                        t,
                        format!("{} is already set on line {l} (at most once)", key.name()),
                    ));
                }
                if !protocol.reads(key) {
                    let names: Vec<&str> = protocol.settings().iter().map(|k| k.name()).collect();
                    return Err(c.err(
                        t,
                        format!(
                            "{}; a {protocol} scenario may set: {}",
                            protocol.not_ours(key),
                            names.join(", ")
                        ),
                    ));
                }
                let (lo, hi) = key.range();
                let v = c.next(&format!("a whole number {lo}-{hi} for {}", key.name()))?;
                let value = set_value(key, v).map_err(|m| c.err(v, m))?;
                let (min_nodes, max_nodes) = protocol.node_range();
                let nodes = u64::from(min_nodes)..=u64::from(max_nodes);
                if key == ConfigKey::Monitors && !nodes.contains(&value) {
                    return Err(c.err(
                        v,
                        format!(
                            "{protocol} runs {min_nodes}-{max_nodes} nodes (monitors), found {value}"
                        ),
                    ));
                }
                self.s.overrides.push((key, value));
                self.set_lines.push((key, no));
                c.finish("the value")
            }
            "allow" => {
                let t = c.next("an allowance")?;
                let Some(a) = t.bare().and_then(Allowance::from_name) else {
                    let names: Vec<&str> = Allowance::ALL.iter().map(|a| a.name()).collect();
                    return Err(c.err(
                        t,
                        format!(
                            "unknown allowance {} (expected one of: {})",
                            found(t),
                            names.join(", ")
                        ),
                    ));
                };
                if let Some((_, l)) = self.allow_lines.iter().find(|(x, _)| *x == a) {
                    return Err(c.err(
                        t,
                        format!("allow {} is already given on line {l}", a.name()),
                    ));
                }
                self.s.allowances.push(a);
                self.allow_lines.push((a, no));
                c.finish("the allowance")
            }
            "break" => {
                let t = c.next("a mutation")?;
                let Some(m) = t.bare().and_then(|n| protocol.mutation_from_name(n)) else {
                    let names: Vec<&str> = protocol
                        .mutations()
                        .into_iter()
                        .filter_map(|m| protocol.mutation_name(m))
                        .collect();
                    let whose = match protocol {
                        ProtocolId::Ceph => String::new(),
                        p => format!(" of {p}"),
                    };
                    return Err(c.err(
                        t,
                        format!(
                            "unknown mutation{whose} {} (expected one of: {})",
                            found(t),
                            names.join(", ")
                        ),
                    ));
                };
                if let Some((_, l)) = self.break_lines.iter().find(|(x, _)| *x == m) {
                    return Err(c.err(t, format!("break {} is already given on line {l}", t.text)));
                }
                self.s.mutations.push(m);
                self.break_lines.push((m, no));
                c.finish("the mutation")
            }
            "election" | "disallow" | "pinging" if protocol != ProtocolId::Ceph => Err(c.err(
                t,
                format!(
                    "{} is a Ceph election setting; this scenario's protocol is {protocol}",
                    t.text
                ),
            )),
            "election" => {
                dup(&c, "election", self.election_line)?;
                self.s.election = self.strategy(&mut c)?;
                self.election_line = Some(no);
                c.finish("the strategy")
            }
            "disallow" => {
                dup(&c, "disallow", self.disallow_line)?;
                let ranks = self.disallowed(&mut c, false)?;
                self.s.disallowed = ranks;
                self.disallow_line = Some(no);
                Ok(())
            }
            "pinging" => {
                dup(&c, "pinging", self.pinging_line)?;
                let names: Vec<&str> = Pinging::ALL.iter().map(|p| p.name()).collect();
                let what = format!("when pinging starts ({})", names.join(", "));
                let t = c.next(&what)?;
                let Some(p) = t.bare().and_then(Pinging::from_name) else {
                    return Err(c.expected(t, &what));
                };
                self.s.pinging = Some(p);
                self.pinging_line = Some(no);
                c.finish("the pinging switch")
            }
            "end" => {
                dup(&c, "end", self.end_line)?;
                let t = c.next(TIME_FORMS)?;
                let end = self.time(&c, t)?;
                if end == 0 {
                    return Err(c.err(t, "the run length must be at least 1ms, found \"0\""));
                }
                self.s.end_ms = Some(end);
                self.end_line = Some(no);
                c.finish("the run length")
            }
            "view" => {
                dup(&c, "view", self.view_line)?;
                c.keyword("t")?;
                let t = c.next(TIME_FORMS)?;
                let t_ms = self.time(&c, t)?;
                c.keyword("node")?;
                let what = format!("a node rank {} or - for none", node_range(self.monitors));
                let t = c.next(&what)?;
                let node = if t.is("-") {
                    None
                } else {
                    Some(self.node_or(&c, t, &what)?)
                };
                c.keyword("speed")?;
                let what = "a speed from 0.1 to 100.0 with at most one decimal, like 1.0";
                let t = c.next(what)?;
                let speed_tenths = speed(t).ok_or_else(|| c.expected(t, what))?;
                let what = "\"playing\" or \"paused\"";
                let t = c.next(what)?;
                let paused = match t.bare() {
                    Some("playing") => false,
                    Some("paused") => true,
                    _ => return Err(c.expected(t, what)),
                };
                self.s.view = Some(View {
                    t_ms,
                    node,
                    speed_tenths,
                    paused,
                });
                self.view_line = Some(no);
                c.finish("the view")
            }
            "at" => {
                let t_at = t;
                let t = c.next(TIME_FORMS)?;
                let at_ms = self.time(&c, t)?;
                if self.s.actions.len() >= MAX_ACTIONS {
                    return Err(c.err(
                        t_at,
                        format!("too many actions: the limit is {MAX_ACTIONS} (MAX_ACTIONS)"),
                    ));
                }
                let t_action = c.peek();
                let action = self.action(&mut c)?;
                if let (Some(why), Some(t)) = (protocol.refuses(&action), t_action) {
                    return Err(c.err(t, format!("{why}; this scenario's protocol is {protocol}")));
                }
                self.s.actions.push(TimedAction { at_ms, action });
                Ok(())
            }
            "paxoscope" => Err(c.err(
                t,
                format!(
                    "the header may appear only once (it is on line {})",
                    self.header_line
                ),
            )),
            _ => Err(c.err(
                t,
                format!(
                    "unknown directive {} (expected one of: {})",
                    found(t),
                    DIRECTIVES.join(", ")
                ),
            )),
        }
    }

    /// `classic`, `disallow` or `connectivity`.
    fn strategy(&self, c: &mut Cur) -> Result<ElectionStrategy, ParseError> {
        let names: Vec<&str> = ElectionStrategy::ALL.iter().map(|s| s.name()).collect();
        let what = format!("an election strategy ({})", names.join(", "));
        let t = c.next(&what)?;
        t.bare()
            .and_then(ElectionStrategy::from_name)
            .ok_or_else(|| c.expected(t, &what))
    }

    /// `NODE {NODE}` to the end of the line (or `-` for none, where `none_ok`): ascending,
    /// without repeats, leaving at least one monitor allowed.
    fn disallowed(&self, c: &mut Cur, none_ok: bool) -> Result<Vec<NodeRef>, ParseError> {
        let first = c.peek();
        if none_ok && first.is_some_and(|t| t.is("-")) {
            c.next("-")?;
            c.finish("-")?;
            return Ok(Vec::new());
        }
        let mut ranks = vec![self.node(c)?];
        while c.peek().is_some() {
            ranks.push(self.node(c)?);
        }
        ranks.sort_unstable();
        ranks.dedup();
        super::validate::check_disallowed(&ranks, self.monitors).map_err(|m| {
            let t = first.expect("at least one node was read");
            c.err(t, m)
        })?;
        Ok(ranks)
    }

    fn action(&mut self, c: &mut Cur) -> Result<Action, ParseError> {
        let t = c.next("an action")?;
        let name = t.bare().unwrap_or("");
        let action = match name {
            "election" => Action::Election(self.strategy(c)?),
            "disallow" => Action::Disallow(self.disallowed(c, true)?),
            "partition" => self.partition(c)?,
            "isolate" => Action::Isolate(self.node(c)?),
            "cut" => Action::Cut(self.link(c)?),
            "heal" => Action::Heal(if c.peek().is_some() {
                Some(self.link(c)?)
            } else {
                None
            }),
            "loss" => {
                let l = self.link(c)?;
                let what = "a loss percentage 0-100";
                let t = c.next(what)?;
                let p = t
                    .bare()
                    .map(|s| s.strip_suffix('%').unwrap_or(s))
                    .map(digits);
                match p {
                    Some(Num::Ok(p)) if p <= 100 => Action::Loss(l, p as u8),
                    _ => return Err(c.expected(t, what)),
                }
            }
            "delay" => {
                let l = self.link(c)?;
                let what = format!("a delay in ms from 0 to {MAX_DELAY_MS} (MAX_DELAY_MS)");
                let t = c.next(&what)?;
                match t.bare().map(time_ms) {
                    Some(Ok(ms)) if ms <= MAX_DELAY_MS => Action::Delay(l, ms),
                    _ => return Err(c.expected(t, &what)),
                }
            }
            "crash" => Action::Crash(self.node(c)?),
            "crash-in-commit" => Action::CrashInCommit,
            "restart" => Action::Restart(self.node(c)?),
            "add-server" => Action::AddServer(self.node(c)?),
            "remove-server" => Action::RemoveServer(self.node(c)?),
            "pause" => Action::Pause(self.node(c)?),
            "resume" => Action::Resume(self.node(c)?),
            "skew" => {
                let n = self.node(c)?;
                let what = format!(
                    "a clock offset in ms from -{MAX_SKEW_MS} to {MAX_SKEW_MS} (MAX_SKEW_MS)"
                );
                let t = c.next(&what)?;
                Action::Skew(
                    n,
                    t.bare()
                        .and_then(|s| signed(s, MAX_SKEW_MS))
                        .ok_or_else(|| c.expected(t, &what))?,
                )
            }
            "drift" => {
                let n = self.node(c)?;
                let what =
                    format!("a clock rate error in ppm from -{MAX_DRIFT_PPM} to {MAX_DRIFT_PPM} (MAX_DRIFT_PPM)");
                let t = c.next(&what)?;
                Action::Drift(
                    n,
                    t.bare()
                        .and_then(|s| signed(s, MAX_DRIFT_PPM))
                        .ok_or_else(|| c.expected(t, &what))?,
                )
            }
            "put" => {
                let node = self.node(c)?;
                let key = self.key(c)?;
                let value = self.value(c, false)?.unwrap_or_default();
                Action::Put { node, key, value }
            }
            "get" => {
                let node = self.node(c)?;
                let key = self.key(c)?;
                Action::Get { node, key }
            }
            "cas" => {
                let node = self.node(c)?;
                let key = self.key(c)?;
                let expected = self.value(c, true)?;
                let value = self.value(c, false)?.unwrap_or_default();
                Action::Cas {
                    node,
                    key,
                    expected,
                    value,
                }
            }
            "note" => {
                let what = "a quoted note like \"the leader steps down\"";
                let t = c.next(what)?;
                if !t.quoted {
                    return Err(c.expected(t, what));
                }
                Action::Note(self.text(c, t, "note")?)
            }
            _ => {
                return Err(c.err(
                    t,
                    format!(
                        "unknown action {} (expected one of: {})",
                        found(t),
                        ACTIONS.join(", ")
                    ),
                ))
            }
        };
        c.finish(&format!("the {name} action"))?;
        Ok(action)
    }

    fn time(&self, c: &Cur, t: &Tok) -> Result<u64, ParseError> {
        let r = match t.bare() {
            Some(s) => time_ms(s),
            None => Err(TimeErr::Syntax),
        };
        match r {
            Ok(ms) if ms <= MAX_TIME_MS => Ok(ms),
            Ok(_) | Err(TimeErr::TooLarge) => Err(c.err(
                t,
                format!(
                    "the time {} is beyond the limit of {}s (MAX_TIME_MS = {MAX_TIME_MS} ms)",
                    found(t),
                    MAX_TIME_MS / 1000
                ),
            )),
            Err(TimeErr::TooPrecise) => Err(c.err(
                t,
                format!(
                    "a time has at most 3 decimals (whole milliseconds), found {}",
                    found(t)
                ),
            )),
            Err(TimeErr::Syntax) => Err(c.expected(t, TIME_FORMS)),
        }
    }

    fn node(&self, c: &mut Cur) -> Result<NodeRef, ParseError> {
        let what = format!("a node rank {}", node_range(self.monitors));
        let t = c.next(&what)?;
        self.node_or(c, t, &what)
    }

    /// `t` must be a node; if it does not look like one, the message says `expected {what}`.
    fn node_or(&self, c: &Cur, t: &Tok, what: &str) -> Result<NodeRef, ParseError> {
        let n = self.monitors;
        match node_syntax(t) {
            Some(Num::Ok(v)) if v < u64::from(n) => Ok(v as NodeRef),
            Some(_) => Err(c.err(
                t,
                format!(
                    "expected a node rank {}, found {} (the scenario has {n} monitor{}; `set monitors` changes that)",
                    node_range(n),
                    found(t),
                    if n == 1 { "" } else { "s" }
                ),
            )),
            None => Err(c.expected(t, what)),
        }
    }

    fn link(&self, c: &mut Cur) -> Result<LinkSel, ParseError> {
        let t = c.next(LINK_FORMS)?;
        if t.is("*") {
            return Ok(LinkSel::All);
        }
        let a = self.node_or(
            c,
            t,
            if t.text.contains("->") {
                LINK_FORMS_SPACED
            } else {
                LINK_FORMS
            },
        )?;
        let what = format!("\"->\" or \"<->\" after node {a}");
        let arrow = c.next(&what)?;
        let both = match arrow.bare() {
            Some("->") => false,
            Some("<->") => true,
            _ => return Err(c.expected(arrow, &what)),
        };
        let what = format!("a node rank {}", node_range(self.monitors));
        let tb = c.next(&what)?;
        let b = self.node_or(c, tb, &what)?;
        if a == b {
            return Err(c.err(
                tb,
                format!(
                    "expected a node other than {a} (a link joins two different nodes), found {}",
                    found(tb)
                ),
            ));
        }
        Ok(if both {
            LinkSel::Both(a, b)
        } else {
            LinkSel::OneWay(a, b)
        })
    }

    fn partition(&self, c: &mut Cur) -> Result<Action, ParseError> {
        let what = format!("a node rank {}", node_range(self.monitors));
        let mut groups: Vec<Vec<NodeRef>> = vec![Vec::new()];
        let mut seen = [false; 256];
        while let Some(t) = c.peek() {
            c.pos += 1;
            if t.is("|") {
                if groups.last().is_some_and(Vec::is_empty) {
                    return Err(c.err(
                        t,
                        format!("expected a node before \"|\", found {}", found(t)),
                    ));
                }
                groups.push(Vec::new());
                continue;
            }
            let hint = if t.text.contains('|') {
                " (with spaces around \"|\")"
            } else {
                ""
            };
            let v = self.node_or(c, t, &format!("{what} or \"|\"{hint}"))?;
            if seen[usize::from(v)] {
                return Err(c.err(
                    t,
                    format!("node {v} appears more than once in the partition"),
                ));
            }
            seen[usize::from(v)] = true;
            if let Some(g) = groups.last_mut() {
                g.push(v);
            }
        }
        if groups.last().is_some_and(Vec::is_empty) {
            let where_ = if groups.len() == 1 {
                ""
            } else {
                " after \"|\""
            };
            return Err(ParseError::new(
                c.line.no,
                c.line.end_col,
                format!("expected {what}{where_}, found end of line"),
            ));
        }
        Ok(Action::Partition(groups))
    }

    fn key(&self, c: &mut Cur) -> Result<Text, ParseError> {
        let what = format!("a key ({WORD_CHARS})");
        let t = c.next(&what)?;
        match t.bare() {
            Some(s) if is_word(s) => {
                if s.len() > MAX_KEY_LEN {
                    return Err(c.err(
                        t,
                        format!("the key is {} characters long; the limit is {MAX_KEY_LEN} (MAX_KEY_LEN)", s.len()),
                    ));
                }
                Ok(s.into())
            }
            _ => Err(c.expected(t, &what)),
        }
    }

    /// A value: a bare word or a quoted string. With `dash_absent`, a bare `-` means "absent".
    fn value(&self, c: &mut Cur, dash_absent: bool) -> Result<Option<Text>, ParseError> {
        let what = if dash_absent {
            format!("the old value (a word of {WORD_CHARS}; a quoted string; or - for absent)")
        } else {
            format!("a value (a word of {WORD_CHARS}; or a quoted string)")
        };
        let t = c.next(&what)?;
        if dash_absent && t.is("-") {
            return Ok(None);
        }
        if !t.quoted && !is_word(&t.text) {
            return Err(c.expected(t, &what));
        }
        let len = t.text.chars().count();
        if len > MAX_KEY_LEN {
            return Err(c.err(
                t,
                format!(
                    "the value is {len} characters long; the limit is {MAX_KEY_LEN} (MAX_KEY_LEN)"
                ),
            ));
        }
        Ok(Some(Text::from(&*t.text)))
    }

    /// A quoted name or note (control characters were already refused by the tokenizer).
    fn text(&self, c: &Cur, t: &Tok, what: &str) -> Result<String, ParseError> {
        let len = t.text.chars().count();
        if len > MAX_NOTE_LEN {
            return Err(
                c.err(t, format!("the {what} is {len} characters long; the limit is {MAX_NOTE_LEN} (MAX_NOTE_LEN)"))
            );
        }
        Ok(t.text.to_string())
    }
}

/// `1`, `1.0`, `0.5`, `100` → tenths within `MIN_SPEED_TENTHS..=MAX_SPEED_TENTHS`.
fn speed(t: &Tok) -> Option<u32> {
    let s = t.bare()?;
    let (int, frac) = match s.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (s, None),
    };
    let Num::Ok(i) = digits(int) else { return None };
    let f = match frac {
        None => 0,
        Some(f) if f.len() == 1 => match digits(f) {
            Num::Ok(v) => v,
            _ => return None,
        },
        Some(_) => return None,
    };
    let tenths = i.checked_mul(10)?.checked_add(f)?;
    if tenths >= u64::from(MIN_SPEED_TENTHS) && tenths <= u64::from(MAX_SPEED_TENTHS) {
        Some(tenths as u32)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FULL: &str = r#"# A comment before the header
paxoscope scenario v1          # header
name "Leader isolated"
seed 42
set lease_ms 5000
allow reorder
break commit-on-majority
end 60s
view t 41200 node 2 speed 1.0 paused

at 20s partition 0 1 | 2 3 4
at 20000 isolate 0
at 20000ms cut 0 -> 1
at 21s cut 1 <-> 2
at 40s heal
at 40s heal 0 -> 1
at 1.5s loss * 20
at 2s delay 0 <-> 3 300
at 25s crash 2
at 25s crash-in-commit
at 30s restart 2
at 31s pause 3
at 32s resume 3
at 33s skew 2 -300
at 33s drift 2 500
at 10s put 3 k v
at 10s get mon.3 k
at 10s cas 3 k - v2
at 10s note "mon.0 commits"
"#;

    fn err(text: &str) -> ParseError {
        match parse(text) {
            Ok(s) => panic!("expected an error, parsed {s:?}"),
            Err(e) => e,
        }
    }

    /// `err(text)` and checks line, col and that the message contains every part.
    fn check(text: &str, line: usize, col: usize, parts: &[&str]) {
        let e = err(text);
        assert_eq!((e.line, e.col), (line, col), "{e}");
        for p in parts {
            assert!(
                e.message.contains(p),
                "message {:?} lacks {:?}",
                e.message,
                p
            );
        }
    }

    const H: &str = "paxoscope scenario v1\n";

    fn with_header(body: &str) -> String {
        format!("{H}{body}")
    }

    fn action(line: &str) -> Action {
        let s = parse(&with_header(line)).unwrap_or_else(|e| panic!("{line}: {e}"));
        assert_eq!(s.actions.len(), 1);
        s.actions[0].action.clone()
    }

    #[test]
    fn scenario_full_example() {
        let s = parse(FULL).unwrap();
        assert_eq!(s.name.as_deref(), Some("Leader isolated"));
        assert_eq!(s.seed, 42);
        assert_eq!(s.overrides, vec![(ConfigKey::LeaseMs, 5000)]);
        assert_eq!(s.allowances, vec![Allowance::Reorder]);
        assert_eq!(s.mutations, vec![Mutation::CommitOnMajority]);
        assert_eq!(s.end_ms, Some(60_000));
        assert_eq!(
            s.view,
            Some(View {
                t_ms: 41_200,
                node: Some(2),
                speed_tenths: 10,
                paused: true
            })
        );
        assert_eq!(s.actions.len(), 19);
        let times: Vec<u64> = s.actions.iter().map(|a| a.at_ms).collect();
        let mut sorted = times.clone();
        sorted.sort();
        assert_eq!(times, sorted);
        // Stable: the three 20000 ms actions keep their written order.
        let at20: Vec<&Action> = s
            .actions
            .iter()
            .filter(|a| a.at_ms == 20_000)
            .map(|a| &a.action)
            .collect();
        assert_eq!(
            at20,
            vec![
                &Action::Partition(vec![vec![0, 1], vec![2, 3, 4]]),
                &Action::Isolate(0),
                &Action::Cut(LinkSel::OneWay(0, 1))
            ]
        );
        assert_eq!(
            s.actions[0],
            TimedAction {
                at_ms: 1500,
                action: Action::Loss(LinkSel::All, 20)
            }
        );
        let printed = crate::scenario::print(&s);
        assert_eq!(parse(&printed), Ok(s.clone()));
        assert_eq!(crate::scenario::print(&parse(&printed).unwrap()), printed);
        assert!(s.validate().is_ok());
    }

    #[test]
    fn scenario_defaults() {
        let s = parse("paxoscope scenario v1").unwrap();
        assert_eq!(s, Scenario::default());
        assert_eq!(s.seed, 1);
        // Comments, blank lines, CRLF, tabs, a BOM and `#` right after a token.
        let s =
            parse("\u{feff}# hi\r\n\r\n\tpaxoscope  scenario\tv1# c\r\n  seed 7#x\r\n").unwrap();
        assert_eq!(s.seed, 7);
    }

    #[test]
    fn scenario_election_lines() {
        let s = parse(&with_header(
            "election connectivity\ndisallow 3 1 3\npinging boot",
        ))
        .unwrap();
        assert_eq!(s.election, ElectionStrategy::Connectivity);
        assert_eq!(s.disallowed, vec![1, 3], "sorted, repeats dropped");
        assert_eq!(s.pinging, Some(Pinging::Boot));
        let s = parse(&with_header("disallow 0\nelection disallow")).unwrap();
        assert_eq!(
            (s.election, s.disallowed.clone()),
            (ElectionStrategy::Disallow, vec![0])
        );
        assert_eq!(
            parse(H).unwrap().election,
            ElectionStrategy::Classic,
            "classic by default"
        );
        assert_eq!(
            action("at 5s election disallow"),
            Action::Election(ElectionStrategy::Disallow)
        );
        assert_eq!(action("at 5s disallow 2 0"), Action::Disallow(vec![0, 2]));
        assert_eq!(action("at 5s disallow -"), Action::Disallow(vec![]));
        check(
            &with_header("set monitors 3\ndisallow 1"),
            3,
            1,
            &["disallowed leaders need `election disallow` or `election connectivity`"],
        );
        check(
            &with_header("election classic\ndisallow 1"),
            3,
            1,
            &["need `election disallow`"],
        );
        check(
            &with_header("election connectivity\nset monitors 3\ndisallow 0 1 2"),
            4,
            10,
            &["no allowed leader"],
        );
        check(
            &with_header("election paxos"),
            2,
            10,
            &["an election strategy (classic, disallow, connectivity)"],
        );
        check(
            &with_header("election disallow\nelection classic"),
            3,
            1,
            &["already given on line 2"],
        );
        check(&with_header("disallow 7"), 2, 10, &["0-4"]);
        check(
            &with_header("at 1s disallow 0 1 2 3 4"),
            2,
            16,
            &["no allowed leader"],
        );
        check(&with_header("pinging always"), 2, 9, &["off, quorum, boot"]);
        check(
            &with_header("protocol basic-paxos\nelection connectivity"),
            3,
            1,
            &["Ceph election setting", "basic-paxos"],
        );
        check(
            &with_header("protocol basic-paxos\nat 1s election disallow"),
            3,
            7,
            &["Ceph's monmap"],
        );
    }

    #[test]
    fn scenario_directives() {
        let s = parse(&with_header("name \"a \\\"b\\\" \\\\ # ü\"")).unwrap();
        assert_eq!(s.name.as_deref(), Some("a \"b\" \\ # ü"));
        let s = parse(&with_header("name \"\"")).unwrap();
        assert_eq!(s.name.as_deref(), Some(""));
        let s = parse(&with_header("seed 18446744073709551615")).unwrap();
        assert_eq!(s.seed, u64::MAX);
        let s = parse(&with_header(
            "set monitors 3\nset latency_ms 0\nset lease_ms 3600000",
        ))
        .unwrap();
        assert_eq!(
            s.overrides,
            vec![
                (ConfigKey::Monitors, 3),
                (ConfigKey::LatencyMs, 0),
                (ConfigKey::LeaseMs, 3_600_000)
            ]
        );
        assert_eq!(s.monitor_count(), 3);
        for k in ConfigKey::ALL {
            let (lo, hi) = k.range();
            let owner = ProtocolId::owner_of(k);
            let protocol = match owner {
                ProtocolId::Ceph => String::new(),
                p => format!("protocol {p}\n"),
            };
            for v in [lo, hi] {
                let text = with_header(&format!("{protocol}set {} {v}", k.name()));
                let s = parse(&text).unwrap();
                assert_eq!(s.overrides, vec![(k, v)]);
            }
        }
        for a in Allowance::ALL {
            assert_eq!(
                parse(&with_header(&format!("allow {}", a.name())))
                    .unwrap()
                    .allowances,
                vec![a]
            );
        }
        for m in Mutation::ALL {
            assert_eq!(
                parse(&with_header(&format!("break {}", m.name())))
                    .unwrap()
                    .mutations,
                vec![m]
            );
        }
        assert_eq!(parse(&with_header("end 1")).unwrap().end_ms, Some(1));
        assert_eq!(
            parse(&with_header("end 86400s")).unwrap().end_ms,
            Some(MAX_TIME_MS)
        );
        let v = parse(&with_header("view t 0 node - speed 100 playing"))
            .unwrap()
            .view
            .unwrap();
        assert_eq!(
            v,
            View {
                t_ms: 0,
                node: None,
                speed_tenths: 1000,
                paused: false
            }
        );
        let v = parse(&with_header("view t 1.5s node mon.4 speed 0.1 paused"))
            .unwrap()
            .view
            .unwrap();
        assert_eq!(
            v,
            View {
                t_ms: 1500,
                node: Some(4),
                speed_tenths: 1,
                paused: true
            }
        );
    }

    #[test]
    fn scenario_times() {
        for (t, ms) in [
            ("0", 0),
            ("20000", 20_000),
            ("20000ms", 20_000),
            ("20s", 20_000),
            ("1.5s", 1500),
            ("1.05s", 1050),
            ("0.001s", 1),
            ("007s", 7000),
            ("86400000", MAX_TIME_MS),
            ("86400.000s", MAX_TIME_MS),
        ] {
            let s = parse(&with_header(&format!("at {t} heal"))).unwrap();
            assert_eq!(s.actions[0].at_ms, ms, "{t}");
        }
    }

    #[test]
    fn scenario_actions() {
        use Action::*;
        assert_eq!(action("at 0 partition 0"), Partition(vec![vec![0]]));
        assert_eq!(
            action("at 0 partition 4 0 | mon.1 | 2"),
            Partition(vec![vec![4, 0], vec![1], vec![2]])
        );
        assert_eq!(action("at 0 isolate mon.4"), Isolate(4));
        assert_eq!(action("at 0 cut *"), Cut(LinkSel::All));
        assert_eq!(action("at 0 cut 3 -> 0"), Cut(LinkSel::OneWay(3, 0)));
        assert_eq!(action("at 0 cut 3 <-> mon.0"), Cut(LinkSel::Both(3, 0)));
        assert_eq!(action("at 0 heal"), Heal(None));
        assert_eq!(action("at 0 heal *"), Heal(Some(LinkSel::All)));
        assert_eq!(action("at 0 heal 1 <-> 2"), Heal(Some(LinkSel::Both(1, 2))));
        assert_eq!(
            action("at 0 loss 0 -> 1 100"),
            Loss(LinkSel::OneWay(0, 1), 100)
        );
        assert_eq!(action("at 0 loss * 0%"), Loss(LinkSel::All, 0));
        assert_eq!(action("at 0 delay * 0"), Delay(LinkSel::All, 0));
        assert_eq!(
            action("at 0 delay 0 -> 1 1.5s"),
            Delay(LinkSel::OneWay(0, 1), 1500)
        );
        assert_eq!(
            action("at 0 delay 0 -> 1 3600000"),
            Delay(LinkSel::OneWay(0, 1), MAX_DELAY_MS)
        );
        assert_eq!(action("at 0 crash 0"), Crash(0));
        assert_eq!(action("at 0 crash-in-commit"), CrashInCommit);
        assert_eq!(action("at 0 restart 1"), Restart(1));
        assert_eq!(action("at 0 pause 2"), Pause(2));
        assert_eq!(action("at 0 resume 3"), Resume(3));
        assert_eq!(action("at 0 skew 2 -300"), Skew(2, -300));
        assert_eq!(action("at 0 skew 2 +300"), Skew(2, 300));
        assert_eq!(action("at 0 skew 2 -86400000"), Skew(2, -MAX_SKEW_MS));
        assert_eq!(action("at 0 drift 2 500000"), Drift(2, MAX_DRIFT_PPM));
        assert_eq!(action("at 0 drift 2 -0"), Drift(2, 0));
        assert_eq!(
            action("at 0 put 3 a.b/c:d-e_F9 v"),
            Put {
                node: 3,
                key: "a.b/c:d-e_F9".into(),
                value: "v".into()
            }
        );
        assert_eq!(
            action("at 0 put 3 k \"two words \\\"q\\\"\""),
            Put {
                node: 3,
                key: "k".into(),
                value: "two words \"q\"".into()
            }
        );
        assert_eq!(
            action("at 0 put 3 k \"\""),
            Put {
                node: 3,
                key: "k".into(),
                value: "".into()
            }
        );
        assert_eq!(
            action("at 0 put 3 k -"),
            Put {
                node: 3,
                key: "k".into(),
                value: "-".into()
            }
        );
        assert_eq!(
            action("at 0 get mon.3 k"),
            Get {
                node: 3,
                key: "k".into()
            }
        );
        assert_eq!(
            action("at 0 cas 3 k - v2"),
            Cas {
                node: 3,
                key: "k".into(),
                expected: None,
                value: "v2".into()
            }
        );
        assert_eq!(
            action("at 0 cas 3 k \"-\" -"),
            Cas {
                node: 3,
                key: "k".into(),
                expected: Some("-".into()),
                value: "-".into()
            }
        );
        assert_eq!(
            action("at 0 note \"mon.0 commits # not a comment\""),
            Note("mon.0 commits # not a comment".into())
        );
        // `set monitors` after the actions that need it.
        let s = parse(&with_header("at 0 crash 8\nset monitors 9")).unwrap();
        assert_eq!(s.actions[0].action, Crash(8));
    }

    #[test]
    fn scenario_error_header() {
        check(
            "",
            1,
            1,
            &[
                "empty scenario",
                "expected the header \"paxoscope scenario v1\"",
            ],
        );
        check("# only a comment\n\n", 1, 1, &["empty scenario"]);
        check(
            "\n\nseed 4",
            3,
            1,
            &["expected the header \"paxoscope scenario v1\" first, found \"seed\""],
        );
        check(
            "paxoscope scenario v2",
            1,
            20,
            &["unsupported scenario version 2 (this build reads v1)"],
        );
        check(
            "paxoscope scenario v99999999999999999999999",
            1,
            20,
            &["unsupported scenario version 9999"],
        );
        check(
            "paxoscope scenario 1",
            1,
            20,
            &["expected a version like v1, found \"1\""],
        );
        check(
            "paxoscope scenario",
            1,
            19,
            &["expected a version like v1, found end of line"],
        );
        check(
            "paxoscope scene v1",
            1,
            11,
            &["expected \"scenario\", found \"scene\""],
        );
        check(
            "paxoscope scenario v1 extra",
            1,
            23,
            &["unexpected \"extra\" after the header"],
        );
        check(
            &with_header("paxoscope scenario v1"),
            2,
            1,
            &["header may appear only once (it is on line 1)"],
        );
    }

    #[test]
    fn scenario_error_directives() {
        check(
            "paxoscope scenario v1\nsed 4",
            2,
            1,
            &["unknown directive \"sed\" (expected one of: protocol, proposers, name, seed, set, allow, break, election, disallow, pinging, end, view, at)"],
        );
        check(
            &with_header("\"name\" \"x\""),
            2,
            1,
            &["unknown directive the quoted string \"name\""],
        );
        check(
            &with_header("name x"),
            2,
            6,
            &["expected a quoted name", "found \"x\""],
        );
        check(
            &with_header("name \"a\"\nname \"b\""),
            3,
            1,
            &["name is already given on line 2"],
        );
        check(
            &with_header("name \"a\" \"b\""),
            2,
            10,
            &["unexpected the quoted string \"b\" after the name"],
        );
        check(
            &with_header(&format!("name \"{}\"", "é".repeat(1001))),
            2,
            6,
            &["1001 characters", "MAX_NOTE_LEN"],
        );
        check(
            &with_header("seed -1"),
            2,
            6,
            &["expected a seed (a whole number), found \"-1\""],
        );
        check(
            &with_header("seed 18446744073709551616"),
            2,
            6,
            &["at most 18446744073709551615"],
        );
        check(
            &with_header("seed 1\nseed 2"),
            3,
            1,
            &["seed is already given on line 2"],
        );
        check(
            &with_header("seed"),
            2,
            5,
            &["expected a seed (a whole number), found end of line"],
        );
        check(
            &with_header("set lease 5"),
            2,
            5,
            &["unknown config key \"lease\" (expected one of: monitors, lease_ms, lease_renew_ms,", "commit_write_ms)"],
        );
        check(
            &with_header("set lease_ms 0"),
            2,
            14,
            &["lease_ms must be between 1 and 3600000, found \"0\""],
        );
        check(
            &with_header("set monitors 10"),
            2,
            14,
            &["monitors must be between 1 and 9"],
        );
        check(
            &with_header("set lease_ms 99999999999999999999999"),
            2,
            14,
            &["between 1 and 3600000"],
        );
        check(
            &with_header("set lease_ms 5s"),
            2,
            14,
            &["expected a whole number 1-3600000 for lease_ms, found \"5s\""],
        );
        check(
            &with_header("set lease_ms"),
            2,
            13,
            &["expected a whole number 1-3600000 for lease_ms, found end of line"],
        );
        check(
            &with_header("set lease_ms 1\nset lease_ms 2"),
            3,
            5,
            &["lease_ms is already set on line 2"],
        );
        check(
            &with_header("allow chaos"),
            2,
            7,
            &["unknown allowance \"chaos\" (expected one of: reorder, duplicate)"],
        );
        check(
            &with_header("allow reorder\nallow reorder"),
            3,
            7,
            &["allow reorder is already given on line 2"],
        );
        check(
            &with_header("break all"),
            2,
            7,
            &[
                "unknown mutation \"all\" (expected one of: commit-on-majority,",
                "peon-commits-own-value)",
            ],
        );
        check(
            &with_header("break pn-not-unique\nbreak pn-not-unique"),
            3,
            7,
            &["already given on line 2"],
        );
        check(&with_header("end 0"), 2, 5, &["at least 1ms"]);
        check(
            &with_header("end 1s\nend 2s"),
            3,
            1,
            &["end is already given on line 2"],
        );
        check(
            &with_header("end 60s 70s"),
            2,
            9,
            &["unexpected \"70s\" after the run length"],
        );
        check(
            &with_header("view t 1s node 9 speed 1 paused"),
            2,
            16,
            &["expected a node rank 0-4, found \"9\""],
        );
        check(
            &with_header("view t 1s node x speed 1 paused"),
            2,
            16,
            &["expected a node rank 0-4 or - for none, found \"x\""],
        );
        check(
            &with_header("view 1s"),
            2,
            6,
            &["expected \"t\", found \"1s\""],
        );
        check(
            &with_header("view t 1s node - speed 0 paused"),
            2,
            24,
            &["expected a speed from 0.1 to 100.0", "found \"0\""],
        );
        check(
            &with_header("view t 1s node - speed 100.1 paused"),
            2,
            24,
            &["expected a speed"],
        );
        check(
            &with_header("view t 1s node - speed 1.25 paused"),
            2,
            24,
            &["at most one decimal"],
        );
        check(
            &with_header("view t 1s node - speed 1.0 stopped"),
            2,
            28,
            &["expected \"playing\" or \"paused\", found \"stopped\""],
        );
        check(
            &with_header("view t 1s node - speed 1.0"),
            2,
            27,
            &["expected \"playing\" or \"paused\", found end of line"],
        );
        check(
            &with_header("view t 0 node - speed 1 paused\nview t 0 node - speed 1 paused"),
            3,
            1,
            &["view is already given on line 2"],
        );
    }

    #[test]
    fn scenario_error_times() {
        check(
            &with_header("at soon crash 1"),
            2,
            4,
            &["expected a time like 20000, 20000ms, 20s or 1.5s, found \"soon\""],
        );
        for bad in [
            "1e999s", "1.5", "1.5ms", ".5s", "1.s", "-1s", "1m", "s", "ms", "1h",
        ] {
            let e = err(&with_header(&format!("at {bad} heal")));
            assert_eq!((e.line, e.col), (2, 4), "{bad}: {e}");
            assert!(e.message.contains("expected a time like"), "{bad}: {e}");
        }
        check(
            &with_header("at 1.2345s heal"),
            2,
            4,
            &["at most 3 decimals", "\"1.2345s\""],
        );
        check(
            &with_header("at 86401s heal"),
            2,
            4,
            &["beyond the limit of 86400s (MAX_TIME_MS"],
        );
        check(&with_header("at 86400001 heal"), 2, 4, &["MAX_TIME_MS"]);
        check(
            &with_header("at 99999999999999999999999s heal"),
            2,
            4,
            &["MAX_TIME_MS"],
        );
        check(
            &with_header("at 18446744073709551615s heal"),
            2,
            4,
            &["MAX_TIME_MS"],
        );
        check(
            &with_header("at"),
            2,
            3,
            &["expected a time like", "found end of line"],
        );
    }

    #[test]
    fn scenario_error_nodes() {
        check(
            "paxoscope scenario v1\nat 1s crash 2\nat 2s crash 7",
            3,
            13,
            &["expected a node rank 0-4, found \"7\"", "5 monitors"],
        );
        check(
            &with_header("at 1s crash mon.5"),
            2,
            13,
            &["expected a node rank 0-4, found \"mon.5\""],
        );
        check(
            &with_header("at 1s crash 99999999999999999999999"),
            2,
            13,
            &["expected a node rank 0-4"],
        );
        check(
            &with_header("at 1s crash two"),
            2,
            13,
            &["expected a node rank 0-4, found \"two\""],
        );
        check(
            &with_header("at 1s crash"),
            2,
            12,
            &["expected a node rank 0-4, found end of line"],
        );
        check(
            &with_header("at 1s crash 1 2"),
            2,
            15,
            &["unexpected \"2\" after the crash action"],
        );
        // `set monitors` later in the file decides, whichever order.
        check(
            &with_header("at 1s crash 3\nset monitors 3"),
            2,
            13,
            &["expected a node rank 0-2, found \"3\"", "3 monitors"],
        );
        check(
            &with_header("set monitors 1\nat 1s crash 1"),
            3,
            13,
            &["expected a node rank 0, found \"1\"", "1 monitor;"],
        );
        check(
            &with_header("at 1s crash 6\nset monitors 9\nset monitors 8"),
            4,
            5,
            &["monitors is already set on line 3"],
        );
    }

    #[test]
    fn scenario_error_actions() {
        check(
            &with_header("at 1s crsh 1"),
            2,
            7,
            &["unknown action \"crsh\" (expected one of: partition, isolate, cut, heal, loss, delay, crash, crash-in-commit,", "note, election, disallow)"],
        );
        check(
            &with_header("at 1s"),
            2,
            6,
            &["expected an action, found end of line"],
        );
        check(
            &with_header("at 1s partition"),
            2,
            16,
            &["expected a node rank 0-4, found end of line"],
        );
        check(
            &with_header("at 1s partition 0 |"),
            2,
            20,
            &["expected a node rank 0-4 after \"|\", found end of line"],
        );
        check(
            &with_header("at 1s partition | 0"),
            2,
            17,
            &["expected a node before \"|\""],
        );
        check(
            &with_header("at 1s partition 0 | | 1"),
            2,
            21,
            &["expected a node before \"|\""],
        );
        check(
            &with_header("at 1s partition 0 1 | 2 mon.1"),
            2,
            25,
            &["node 1 appears more than once"],
        );
        check(
            &with_header("at 1s partition 0 0"),
            2,
            19,
            &["node 0 appears more than once"],
        );
        check(
            &with_header("at 1s partition 0|1"),
            2,
            17,
            &["expected a node rank 0-4 or \"|\" (with spaces around \"|\"), found \"0|1\""],
        );
        check(
            &with_header("at 1s cut"),
            2,
            10,
            &["expected a link: *, A -> B or A <-> B, found end of line"],
        );
        check(
            &with_header("at 1s cut 0->1"),
            2,
            11,
            &["expected a link: *, A -> B or A <-> B (with spaces around the arrow), found \"0->1\""],
        );
        check(
            &with_header("at 1s cut 0 1"),
            2,
            13,
            &["expected \"->\" or \"<->\" after node 0, found \"1\""],
        );
        check(
            &with_header("at 1s cut 0 ->"),
            2,
            15,
            &["expected a node rank 0-4, found end of line"],
        );
        check(
            &with_header("at 1s cut 2 <-> mon.2"),
            2,
            17,
            &["expected a node other than 2 (a link joins two different nodes)"],
        );
        check(
            &with_header("at 1s cut 0 -> 7"),
            2,
            16,
            &["expected a node rank 0-4, found \"7\""],
        );
        check(
            &with_header("at 1s cut * *"),
            2,
            13,
            &["unexpected \"*\" after the cut action"],
        );
        check(
            &with_header("at 1s heal 0"),
            2,
            13,
            &["expected \"->\" or \"<->\" after node 0, found end of line"],
        );
        check(
            &with_header("at 1s loss * 101"),
            2,
            14,
            &["expected a loss percentage 0-100, found \"101\""],
        );
        check(
            &with_header("at 1s loss *"),
            2,
            13,
            &["expected a loss percentage 0-100, found end of line"],
        );
        check(
            &with_header("at 1s delay * 3600001"),
            2,
            15,
            &["expected a delay in ms from 0 to 3600000 (MAX_DELAY_MS)"],
        );
        check(
            &with_header("at 1s delay * x"),
            2,
            15,
            &["expected a delay in ms"],
        );
        check(
            &with_header("at 1s skew 1 86400001"),
            2,
            14,
            &["clock offset", "MAX_SKEW_MS", "found \"86400001\""],
        );
        check(&with_header("at 1s skew 1 --1"), 2, 14, &["clock offset"]);
        check(
            &with_header("at 1s skew 1 -9223372036854775808"),
            2,
            14,
            &["clock offset"],
        );
        check(
            &with_header("at 1s drift 1 500001"),
            2,
            15,
            &["clock rate error in ppm", "MAX_DRIFT_PPM"],
        );
        check(
            &with_header("at 1s put 1 k"),
            2,
            14,
            &["expected a value", "found end of line"],
        );
        check(
            &with_header("at 1s put 1 \"k\" v"),
            2,
            13,
            &["expected a key (letters, digits and _ . : / -), found the quoted string \"k\""],
        );
        check(
            &with_header("at 1s put 1 k=1 v"),
            2,
            13,
            &["expected a key", "found \"k=1\""],
        );
        check(
            &with_header(&format!("at 1s put 1 {} v", "k".repeat(65))),
            2,
            13,
            &["the key is 65 characters long; the limit is 64 (MAX_KEY_LEN)"],
        );
        check(
            &with_header(&format!("at 1s put 1 k {}", "v".repeat(65))),
            2,
            15,
            &["the value is 65 characters long", "MAX_KEY_LEN"],
        );
        check(
            &with_header(&format!("at 1s put 1 k \"{}\"", "ü".repeat(65))),
            2,
            15,
            &["the value is 65 characters long"],
        );
        check(
            &with_header("at 1s put 1 k v=1"),
            2,
            15,
            &["expected a value", "found \"v=1\""],
        );
        check(
            &with_header("at 1s get 1 k v"),
            2,
            15,
            &["unexpected \"v\" after the get action"],
        );
        check(
            &with_header("at 1s cas 1 k"),
            2,
            14,
            &["or - for absent", "found end of line"],
        );
        check(
            &with_header("at 1s cas 1 k -"),
            2,
            16,
            &["expected a value", "found end of line"],
        );
        check(
            &with_header("at 1s note hello"),
            2,
            12,
            &["expected a quoted note", "found \"hello\""],
        );
        check(
            &with_header(&format!("at 1s note \"{}\"", "x".repeat(1001))),
            2,
            12,
            &["the note is 1001 characters long; the limit is 1000 (MAX_NOTE_LEN)"],
        );
        check(
            &with_header("at 1s crash-in-commit 1"),
            2,
            23,
            &["unexpected \"1\" after the crash-in-commit action"],
        );
    }

    #[test]
    fn scenario_error_strings() {
        check(&with_header("name \"abc"), 2, 6, &["unterminated string"]);
        check(&with_header("name \"abc\\"), 2, 6, &["unterminated string"]);
        check(
            &with_header("name \"a\\nb\""),
            2,
            8,
            &["unknown escape \"\\n\"", "only \\\" and \\\\"],
        );
        check(
            &with_header("name \"a\tb\""),
            2,
            8,
            &["control character U+0009"],
        );
        check(
            &with_header("name \"ab\"x"),
            2,
            10,
            &["expected a space after the closing quote"],
        );
        check(
            &with_header("at 1s put 1 k v\"x\""),
            2,
            16,
            &["expected a space before the opening quote"],
        );
        // Columns count characters, not bytes.
        check(
            &with_header("name \"ééé\" ü"),
            2,
            12,
            &["unexpected \"ü\" after the name"],
        );
        check(
            &with_header("at 1s note \"日本語\" 🎉x"),
            2,
            18,
            &["unexpected \"🎉x\""],
        );
        // Control characters outside strings are shown, not echoed.
        check(
            &with_header("at 1s crash \u{1}"),
            2,
            13,
            &["found \"U+0001\""],
        );
    }

    #[test]
    fn scenario_error_limits() {
        let big = format!("{H}{}", "#".repeat(MAX_TEXT_BYTES));
        check(&big, 1, 1, &["the limit is 262144 bytes (MAX_TEXT_BYTES)"]);
        let mut text = String::from(H);
        for _ in 0..MAX_ACTIONS {
            text.push_str("at 0 heal\n");
        }
        assert_eq!(parse(&text).unwrap().actions.len(), MAX_ACTIONS);
        text.push_str("at 0 heal\n");
        check(
            &text,
            MAX_ACTIONS + 2,
            1,
            &["too many actions: the limit is 10000 (MAX_ACTIONS)"],
        );
    }

    #[test]
    fn scenario_error_display() {
        let e = err("paxoscope scenario v1\nat 1s crash 7");
        assert_eq!(e.to_string(), format!("line 2, col 13: {}", e.message));
        let boxed: Box<dyn std::error::Error> = Box::new(e);
        assert!(boxed
            .to_string()
            .starts_with("line 2, col 13: expected a node rank 0-4, found \"7\""));
    }

    #[test]
    fn scenario_error_found_is_truncated() {
        let e = err(&with_header(&format!("at 1s crash {}", "x".repeat(500))));
        assert!(e.message.len() < 200, "{e}");
        assert!(e.message.contains('…'));
    }
}
