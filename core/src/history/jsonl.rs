//! Paxoscope's client-history format: JSON Lines, one operation per line (docs/history-format.md).
//!
//! ```text
//! {"process":3,"f":"read","key":"k0","type":"ok","value":"p12","invoke_ms":1200,"complete_ms":1300}
//! ```
//!
//! The reader is a small JSON parser of its own (objects, arrays, strings, integers, `true`,
//! `false`, `null`), so the page carries no JSON library; it reports the line and column of
//! the first thing it cannot read.

use super::{Ending, Func, History, Model, ParseError, SourceOp, REGISTER_KEY};
use crate::json::{Json, Object};

/// A JSON value, with the column (1-based, in characters) where it starts.
#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    Null,
    Bool(bool),
    /// Integers only: the format has no fractions.
    Int(i128),
    Str(String),
    Array(Vec<(usize, Value)>),
    Object(Vec<(String, usize, Value)>),
}

/// Reads one line of JSON.
struct Reader<'a> {
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    /// Column of the next character.
    col: usize,
}

type Res<T> = Result<T, (usize, String)>;

impl<'a> Reader<'a> {
    fn new(text: &'a str) -> Reader<'a> {
        Reader {
            chars: text.char_indices().peekable(),
            col: 1,
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|&(_, c)| c)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next().map(|(_, c)| c);
        if c.is_some() {
            self.col += 1;
        }
        c
    }

    fn skip_ws(&mut self) {
        while self
            .peek()
            .is_some_and(|c| matches!(c, ' ' | '\t' | '\r' | '\n'))
        {
            self.bump();
        }
    }

    fn expect(&mut self, want: char, context: &str) -> Res<()> {
        self.skip_ws();
        let col = self.col;
        match self.bump() {
            Some(c) if c == want => Ok(()),
            Some(c) => Err((col, format!("expected `{want}` {context}, found `{c}`"))),
            None => Err((
                col,
                format!("expected `{want}` {context}, found the end of the line"),
            )),
        }
    }

    fn value(&mut self, depth: usize) -> Res<(usize, Value)> {
        self.skip_ws();
        let col = self.col;
        if depth > 32 {
            return Err((col, "values nested more than 32 deep".into()));
        }
        let v = match self.peek() {
            None => return Err((col, "expected a value, found the end of the line".into())),
            Some('{') => self.object(depth)?,
            Some('[') => self.array(depth)?,
            Some('"') => Value::Str(self.string()?),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number()?,
            Some(c) if c.is_ascii_alphabetic() => {
                let word = self.word();
                match word.as_str() {
                    "null" => Value::Null,
                    "true" => Value::Bool(true),
                    "false" => Value::Bool(false),
                    _ => return Err((col, format!("unknown word `{word}` (not JSON)"))),
                }
            }
            Some(c) => return Err((col, format!("unexpected `{c}`: expected a JSON value"))),
        };
        Ok((col, v))
    }

    fn word(&mut self) -> String {
        let mut w = String::new();
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
        {
            w.push(c);
            self.bump();
        }
        w
    }

    fn number(&mut self) -> Res<Value> {
        let col = self.col;
        let mut text = String::new();
        while let Some(c) = self
            .peek()
            .filter(|c| c.is_ascii_digit() || matches!(c, '-' | '+' | '.' | 'e' | 'E'))
        {
            text.push(c);
            self.bump();
        }
        match text.parse::<i128>() {
            Ok(n) if text.len() <= 30 => Ok(Value::Int(n)),
            _ if text.contains(['.', 'e', 'E']) => Err((
                col,
                format!("`{text}` is not an integer (times and values are integers or strings)"),
            )),
            _ => Err((col, format!("`{text}` is not a number"))),
        }
    }

    fn string(&mut self) -> Res<String> {
        let start = self.col;
        self.bump(); // the opening quote
        let mut s = String::new();
        loop {
            let col = self.col;
            match self.bump() {
                None => return Err((start, "this string is not closed on its line".into())),
                Some('"') => return Ok(s),
                Some('\\') => s.push(self.escape(col)?),
                Some(c) if (c as u32) < 0x20 => {
                    return Err((col, "control character inside a string".into()))
                }
                Some(c) => s.push(c),
            }
        }
    }

    fn escape(&mut self, col: usize) -> Res<char> {
        Ok(match self.bump() {
            Some('"') => '"',
            Some('\\') => '\\',
            Some('/') => '/',
            Some('b') => '\u{8}',
            Some('f') => '\u{c}',
            Some('n') => '\n',
            Some('r') => '\r',
            Some('t') => '\t',
            Some('u') => {
                let hi = self.hex4(col)?;
                if (0xD800..0xDC00).contains(&hi) {
                    if self.bump() != Some('\\') || self.bump() != Some('u') {
                        return Err((col, "unpaired surrogate in a \\u escape".into()));
                    }
                    let lo = self.hex4(col)?;
                    if !(0xDC00..0xE000).contains(&lo) {
                        return Err((col, "unpaired surrogate in a \\u escape".into()));
                    }
                    let c = 0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00);
                    char::from_u32(c).ok_or((col, "invalid \\u escape".to_string()))?
                } else {
                    char::from_u32(hi).ok_or((col, "invalid \\u escape".to_string()))?
                }
            }
            _ => return Err((col, "unknown escape in a string".into())),
        })
    }

    fn hex4(&mut self, col: usize) -> Res<u32> {
        let mut v = 0;
        for _ in 0..4 {
            let d = self.bump().and_then(|c| c.to_digit(16));
            v = v * 16 + d.ok_or((col, "a \\u escape needs four hex digits".to_string()))?;
        }
        Ok(v)
    }

    fn array(&mut self, depth: usize) -> Res<Value> {
        self.bump();
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(']') {
            self.bump();
            return Ok(Value::Array(items));
        }
        loop {
            items.push(self.value(depth + 1)?);
            self.skip_ws();
            let col = self.col;
            match self.bump() {
                Some(',') => {}
                Some(']') => return Ok(Value::Array(items)),
                _ => return Err((col, "expected `,` or `]` in an array".into())),
            }
        }
    }

    fn object(&mut self, depth: usize) -> Res<Value> {
        self.bump();
        let mut fields: Vec<(String, usize, Value)> = Vec::new();
        self.skip_ws();
        if self.peek() == Some('}') {
            self.bump();
            return Ok(Value::Object(fields));
        }
        loop {
            self.skip_ws();
            let key_col = self.col;
            if self.peek() != Some('"') {
                return Err((key_col, "expected a field name in double quotes".into()));
            }
            let key = self.string()?;
            if fields.iter().any(|(k, _, _)| *k == key) {
                return Err((key_col, format!("field `{key}` given twice")));
            }
            self.expect(':', "after a field name")?;
            let (col, v) = self.value(depth + 1)?;
            fields.push((key, col, v));
            self.skip_ws();
            let col = self.col;
            match self.bump() {
                Some(',') => {}
                Some('}') => return Ok(Value::Object(fields)),
                _ => return Err((col, "expected `,` or `}` in an object".into())),
            }
        }
    }
}

/// A JSON Lines history read a few lines at a time ([`super::HistoryReader`]).
pub(super) struct Lines {
    model: Model,
    /// Byte offset of the next line, and its number less one.
    pos: usize,
    lines_read: usize,
    history: History,
}

impl Lines {
    pub(super) fn new(model: Model) -> Lines {
        Lines {
            model,
            pos: 0,
            lines_read: 0,
            history: History {
                time_unit: "ms",
                ..History::default()
            },
        }
    }

    /// The line reading has reached (1-based).
    pub(super) fn line(&self) -> usize {
        self.lines_read + 1
    }

    /// Reads the next `max_lines` lines (split as [`str::lines`] does); `true` once the text is
    /// over.
    pub(super) fn read(&mut self, text: &str, max_lines: usize) -> Result<bool, ParseError> {
        assert!(max_lines >= 1, "read at least one line at a time");
        for _ in 0..max_lines {
            if self.pos >= text.len() {
                return Ok(true);
            }
            let rest = &text[self.pos..];
            let len = rest.find('\n').map_or(rest.len(), |i| i + 1);
            let mut line = &rest[..len];
            if let Some(l) = line.strip_suffix('\n') {
                line = l.strip_suffix('\r').unwrap_or(l);
            }
            self.pos += len;
            self.lines_read += 1;
            read_line(&mut self.history, line, self.lines_read, self.model)?;
        }
        Ok(self.pos >= text.len())
    }

    /// The history, once [`Lines::read`] has said the text is over.
    pub(super) fn finish(self) -> History {
        debug_assert_eq!(self.history.entries.len(), self.history.entry_op.len());
        self.history
    }
}

/// Reads a JSON Lines history (blank lines are skipped). Operations are given in the order of
/// their lines; the id of each is its `id` field, or else its line number.
pub fn parse(text: &str, model: Model) -> Result<History, ParseError> {
    let mut lines = Lines::new(model);
    while !lines.read(text, usize::MAX)? {}
    Ok(lines.finish())
}

/// Reads line `line_no` into `history` (nothing if it is blank).
fn read_line(
    history: &mut History,
    line: &str,
    line_no: usize,
    model: Model,
) -> Result<(), ParseError> {
    if line.trim().is_empty() {
        return Ok(());
    }
    let at = |(col, message): (usize, String)| ParseError {
        line: line_no,
        col,
        message,
    };
    let mut r = Reader::new(line);
    let (col, v) = r.value(0).map_err(at)?;
    r.skip_ws();
    if r.peek().is_some() {
        return Err(at((r.col, "more text after the operation's object".into())));
    }
    let Value::Object(fields) = v else {
        return Err(at((col, "each line must be one JSON object".into())));
    };
    let (op, id) = operation(&fields, col, line_no, model).map_err(at)?;
    history.push(op, id.unwrap_or(line_no as u64));
    Ok(())
}

/// The fields of one line, looked up by name.
struct Fields<'a> {
    fields: &'a [(String, usize, Value)],
    /// Column of the object, for missing fields.
    col: usize,
}

impl<'a> Fields<'a> {
    fn get(&self, name: &str) -> Option<(usize, &'a Value)> {
        self.fields
            .iter()
            .find(|(k, _, _)| k == name)
            .map(|(_, c, v)| (*c, v))
    }

    fn required(&self, name: &str, why: &str) -> Res<(usize, &'a Value)> {
        self.get(name)
            .ok_or_else(|| (self.col, format!("missing field `{name}` ({why})")))
    }

    fn str_of(&self, name: &str, choices: &[&'static str]) -> Res<(usize, &'static str)> {
        let (col, v) = self.required(name, &format!("one of {}", choices.join(", ")))?;
        let found = match v {
            Value::Str(s) => choices.iter().find(|c| **c == s.as_str()).copied(),
            _ => None,
        };
        found
            .map(|c| (col, c))
            .ok_or_else(|| (col, format!("`{name}` must be one of {}", quoted(choices))))
    }

    fn uint(&self, name: &str, max: u64) -> Res<Option<u64>> {
        let Some((col, v)) = self.get(name) else {
            return Ok(None);
        };
        match v {
            Value::Null => Ok(None),
            Value::Int(n) if (0..=i128::from(max)).contains(n) => Ok(Some(*n as u64)),
            _ => Err((col, format!("`{name}` must be an integer from 0 to {max}"))),
        }
    }
}

fn quoted(choices: &[&str]) -> String {
    let q: Vec<String> = choices.iter().map(|c| format!("\"{c}\"")).collect();
    q.join(", ")
}

/// A register value: a string, an integer (its decimal text), or `null` (empty).
fn register_value(col: usize, v: &Value, what: &str) -> Res<Option<String>> {
    match v {
        Value::Null => Ok(None),
        Value::Str(s) => Ok(Some(s.clone())),
        Value::Int(n) => Ok(Some(n.to_string())),
        _ => Err((col, format!("{what} must be a string, an integer or null"))),
    }
}

/// Interprets one line's object.
fn operation(
    fields: &[(String, usize, Value)],
    col: usize,
    line: usize,
    model: Model,
) -> Res<(SourceOp, Option<u64>)> {
    let f = Fields { fields, col };
    let id = f.uint("id", u64::MAX)?;
    let process = f
        .uint("process", u64::from(u32::MAX))?
        .ok_or((col, "missing field `process` (an integer)".to_string()))? as u32;
    let (_, func) = f.str_of("f", &["read", "write", "cas"])?;
    let (_, ending) = f.str_of("type", &["ok", "fail", "info"])?;
    let func = match func {
        "read" => Func::Read,
        "write" => Func::Write,
        _ => Func::Cas,
    };
    let ending = match ending {
        "ok" => Ending::Ok,
        "fail" => Ending::Fail,
        _ => Ending::Info,
    };
    let key = match model {
        Model::Register => REGISTER_KEY.to_string(),
        Model::Kv => {
            let (kcol, k) = f.required("key", "the kv model checks each key on its own")?;
            register_value(kcol, k, "`key`")?.ok_or((kcol, "`key` must not be null".to_string()))?
        }
    };
    let invoke_at = f
        .uint("invoke_ms", u64::MAX)?
        .ok_or((col, "missing field `invoke_ms` (an integer)".to_string()))?;
    let complete_at = f.uint("complete_ms", u64::MAX)?;
    if complete_at.is_none() && ending != Ending::Info {
        return Err((
            col,
            "an operation that ended \"ok\" or \"fail\" needs `complete_ms`".into(),
        ));
    }
    if let Some(c) = complete_at.filter(|&c| c < invoke_at) {
        let (ccol, _) = f.required("complete_ms", "")?;
        return Err((
            ccol,
            format!("`complete_ms` {c} is before `invoke_ms` {invoke_at}"),
        ));
    }
    let (value, expected) = values(&f, func, ending)?;
    let found = match f.get("current") {
        None => None,
        Some((ccol, _)) if func != Func::Cas || ending != Ending::Fail => {
            return Err((ccol, "`current` belongs only to a cas that failed".into()))
        }
        Some((ccol, v)) => {
            let current = register_value(ccol, v, "`current`")?;
            if current == expected {
                return Err((
                    ccol,
                    "a cas that failed cannot have found the value it expected".into(),
                ));
            }
            Some(current)
        }
    };
    let op = SourceOp {
        process,
        func,
        ending,
        key,
        invoke_line: line,
        complete_line: Some(line),
        invoke_at,
        complete_at,
        value,
        expected,
        found,
        entry: None,
    };
    Ok((op, id))
}

/// `(value, expected)` of an operation from its `value` field.
fn values(f: &Fields, func: Func, ending: Ending) -> Res<(Option<String>, Option<String>)> {
    match func {
        Func::Read => match f.get("value") {
            Some((col, v)) => Ok((register_value(col, v, "a read's `value`")?, None)),
            None if ending == Ending::Ok => Err((
                f.col,
                "missing field `value` (what the read returned; null: the empty register)".into(),
            )),
            None => Ok((None, None)),
        },
        Func::Write => {
            let (col, v) = f.required("value", "the value written")?;
            let value = register_value(col, v, "a write's `value`")?;
            value
                .ok_or((col, "a write needs a value (not null)".into()))
                .map(|v| (Some(v), None))
        }
        Func::Cas => {
            let (col, v) = f.required("value", "[expected, new] for a cas")?;
            let Value::Array(pair) = v else {
                return Err((col, "a cas's `value` must be [expected, new]".into()));
            };
            let [(ecol, e), (ncol, n)] = pair.as_slice() else {
                return Err((col, "a cas's `value` must be [expected, new]".into()));
            };
            let expected = register_value(*ecol, e, "the expected value")?;
            let new = register_value(*ncol, n, "the new value")?
                .ok_or((*ncol, "a cas needs a new value (not null)".to_string()))?;
            Ok((Some(new), expected))
        }
    }
}

/// One operation written as a line of the format (without the newline).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Line<'a> {
    pub id: u64,
    pub process: u32,
    /// The monitor the request went to (Paxoscope's histories; readers ignore it).
    pub node: Option<u8>,
    pub func: Func,
    pub key: &'a str,
    pub ending: Ending,
    /// As [`SourceOp::value`].
    pub value: Option<&'a str>,
    pub expected: Option<&'a str>,
    pub found: Option<Option<&'a str>>,
    pub invoke_ms: u64,
    pub complete_ms: Option<u64>,
}

impl Line<'_> {
    /// The JSON text (keys in byte order).
    pub fn to_json(&self) -> String {
        let func = match self.func {
            Func::Read => "read",
            Func::Write => "write",
            Func::Cas => "cas",
        };
        let ending = match self.ending {
            Ending::Ok => "ok",
            Ending::Fail => "fail",
            Ending::Info => "info",
        };
        let mut o = Object::new()
            .field("id", self.id)
            .field("process", self.process)
            .field("f", func)
            .field("key", self.key)
            .field("type", ending)
            .field("invoke_ms", self.invoke_ms)
            .field("complete_ms", self.complete_ms);
        if let Some(node) = self.node {
            o = o.field("node", node);
        }
        o = match self.func {
            Func::Cas => o.field("value", (self.expected, self.value)),
            _ => o.field("value", self.value),
        };
        if let Some(found) = self.found {
            o = o.field("current", found);
        }
        o.to_json()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_line(text: &str) -> Res<Value> {
        Reader::new(text).value(0).map(|(_, v)| v)
    }

    #[test]
    fn reads_the_json_it_needs() {
        assert_eq!(
            read_line(r#"{"a": [1, -2, null], "b": "x\"\u00e9\ud83e\udd80", "c": true}"#),
            Ok(Value::Object(vec![
                (
                    "a".into(),
                    7,
                    Value::Array(vec![
                        (8, Value::Int(1)),
                        (11, Value::Int(-2)),
                        (15, Value::Null)
                    ])
                ),
                ("b".into(), 27, Value::Str("x\"é🦀".into())),
                ("c".into(), 57, Value::Bool(true)),
            ]))
        );
    }

    #[test]
    fn errors_point_at_the_offending_character() {
        assert_eq!(read_line(r#"{"a": 1.5}"#).unwrap_err().0, 7);
        assert_eq!(read_line(r#"{"a" 1}"#).unwrap_err().0, 6);
        assert_eq!(read_line(r#"{"a": 1, "a": 2}"#).unwrap_err().0, 10);
        assert_eq!(read_line(r#"{"a": "open}"#).unwrap_err().0, 7);
        assert_eq!(read_line(r#"{"é": nul}"#).unwrap_err().0, 7);
    }
}
