//! Jepsen's register histories: one EDN map per event, as Jepsen's etcd and register tests
//! write them.
//!
//! ```text
//! {:process 0, :type :invoke, :f :write, :value 3}
//! {:process 1, :type :invoke, :f :read, :value nil}
//! {:process 0, :type :ok, :f :write, :value 3}
//! {:process 1, :type :ok, :f :read, :value 3}
//! {:process :nemesis, :type :info, :f :start-partition, :value nil}
//! {:process 2, :type :info, :f :cas, :value [1 2]}
//! ```
//!
//! Each process runs one operation at a time: an `:invoke` is paired with the next `:ok`,
//! `:fail` or `:info` of the same process. Times are the events' positions in the file (the
//! order Jepsen recorded them in), so `:time` and `:index` are not needed. `:nemesis` events
//! are kept as faults. An invocation never completed is `:info`.
//!
//! With [`Model::Kv`] an operation's key is its `:key` field, or else (as `jepsen.independent`
//! writes them) its value is a `[key value]` tuple.
//!
//! The reader takes the EDN these files use (maps, vectors, lists, sets, keywords, symbols,
//! integers, floats, strings, `nil`, booleans, tags, `;` comments, commas as whitespace) and
//! also a whole history written as one vector of maps.

use super::{Ending, FaultEvent, Func, History, Model, ParseError, SourceOp, REGISTER_KEY};
use std::collections::BTreeMap;

/// An EDN value.
#[derive(Clone, Debug, PartialEq)]
enum Edn<'a> {
    Nil,
    Bool(bool),
    Int(i128),
    /// Floats, ratios, characters: kept as text, never compared as registers values.
    Other(&'a str),
    Str(String),
    Keyword(&'a str),
    Symbol(&'a str),
    /// Vectors, lists and sets.
    Seq(Vec<Node<'a>>),
    Map(Vec<(Node<'a>, Node<'a>)>),
}

/// A value and where it starts.
#[derive(Clone, Debug, PartialEq)]
struct Node<'a> {
    line: usize,
    col: usize,
    v: Edn<'a>,
}

type Res<T> = Result<T, ParseError>;

fn err<T>(line: usize, col: usize, message: impl Into<String>) -> Res<T> {
    Err(ParseError {
        line,
        col,
        message: message.into(),
    })
}

struct Reader<'a> {
    text: &'a str,
    /// Byte offset in `text` where `chars` starts.
    base: usize,
    chars: std::iter::Peekable<std::str::CharIndices<'a>>,
    line: usize,
    col: usize,
}

impl<'a> Reader<'a> {
    /// A reader of `text` from byte `pos`, which is at `line` and `col`.
    fn resume(text: &'a str, pos: usize, line: usize, col: usize) -> Reader<'a> {
        assert!(
            text.is_char_boundary(pos),
            "byte {pos} is inside a character"
        );
        Reader {
            text,
            base: pos,
            chars: text[pos..].char_indices().peekable(),
            line,
            col,
        }
    }

    fn peek(&mut self) -> Option<char> {
        self.chars.peek().map(|&(_, c)| c)
    }

    /// Byte offset of the next character.
    fn pos(&mut self) -> usize {
        self.chars
            .peek()
            .map_or(self.text.len(), |&(i, _)| self.base + i)
    }

    fn bump(&mut self) -> Option<char> {
        let (_, c) = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }

    /// Skips whitespace, commas and comments; `false` at the end of the text.
    fn skip_ws(&mut self) -> bool {
        loop {
            match self.peek() {
                Some(c) if c.is_whitespace() || c == ',' => {
                    self.bump();
                }
                Some(';') => {
                    while self.peek().is_some_and(|c| c != '\n') {
                        self.bump();
                    }
                }
                Some(_) => return true,
                None => return false,
            }
        }
    }

    fn value(&mut self, depth: usize) -> Res<Node<'a>> {
        if !self.skip_ws() {
            return err(
                self.line,
                self.col,
                "expected a value, found the end of the file",
            );
        }
        let (line, col) = (self.line, self.col);
        if depth > 64 {
            return err(line, col, "values nested more than 64 deep");
        }
        let c = self.peek().expect("skip_ws saw a character");
        let v = match c {
            '{' => {
                self.bump();
                self.map(line, col, depth)?
            }
            '[' | '(' => {
                self.bump();
                Edn::Seq(self.seq(if c == '[' { ']' } else { ')' }, line, col, depth)?)
            }
            '#' => {
                self.bump();
                match self.peek() {
                    Some('{') => {
                        self.bump();
                        Edn::Seq(self.seq('}', line, col, depth)?)
                    }
                    Some('_') => {
                        self.bump();
                        self.value(depth + 1)?; // discarded
                        return self.value(depth);
                    }
                    _ => {
                        self.atom(); // a tag: the value that follows stands for itself
                        return self.value(depth + 1);
                    }
                }
            }
            '"' => self.string(line, col)?,
            '}' | ']' | ')' => return err(line, col, format!("unexpected `{c}`")),
            _ => {
                let text = self.atom();
                if text.is_empty() {
                    return err(line, col, format!("unexpected `{c}`"));
                }
                atom(&text)
            }
        };
        Ok(Node { line, col, v })
    }

    /// A token up to the next delimiter.
    fn atom(&mut self) -> &'a str {
        let start = self.pos();
        if self.peek() == Some('\\') {
            // A character literal, e.g. \a or \space.
            self.bump();
            self.bump();
        }
        while self.peek().is_some_and(|c| {
            !(c.is_whitespace() || matches!(c, ',' | '{' | '}' | '[' | ']' | '(' | ')' | '"' | ';'))
        }) {
            self.bump();
        }
        let end = self.pos();
        &self.text[start..end]
    }

    fn string(&mut self, line: usize, col: usize) -> Res<Edn<'a>> {
        self.bump();
        let mut s = String::new();
        loop {
            match self.bump() {
                None => return err(line, col, "this string is never closed"),
                Some('"') => return Ok(Edn::Str(s)),
                Some('\\') => match self.bump() {
                    Some('n') => s.push('\n'),
                    Some('t') => s.push('\t'),
                    Some('r') => s.push('\r'),
                    Some(c) => s.push(c),
                    None => return err(line, col, "this string is never closed"),
                },
                Some(c) => s.push(c),
            }
        }
    }

    fn seq(&mut self, close: char, line: usize, col: usize, depth: usize) -> Res<Vec<Node<'a>>> {
        let mut items = Vec::new();
        loop {
            if !self.skip_ws() {
                return err(
                    line,
                    col,
                    format!("this collection is never closed with `{close}`"),
                );
            }
            if self.peek() == Some(close) {
                self.bump();
                return Ok(items);
            }
            items.push(self.value(depth + 1)?);
        }
    }

    fn map(&mut self, line: usize, col: usize, depth: usize) -> Res<Edn<'a>> {
        let items = self.seq('}', line, col, depth)?;
        if items.len() % 2 == 1 {
            let last = &items[items.len() - 1];
            return err(last.line, last.col, "this map key has no value");
        }
        let mut pairs = Vec::with_capacity(items.len() / 2);
        let mut it = items.into_iter();
        while let (Some(k), Some(v)) = (it.next(), it.next()) {
            if pairs.iter().any(|(k2, _): &(Node, Node)| k2.v == k.v) {
                return err(k.line, k.col, "this key appears twice in the map");
            }
            pairs.push((k, v));
        }
        Ok(Edn::Map(pairs))
    }
}

/// Interprets a token: `nil`, booleans, integers, keywords, other numbers, symbols.
fn atom(text: &str) -> Edn<'_> {
    match text {
        "nil" => return Edn::Nil,
        "true" => return Edn::Bool(true),
        "false" => return Edn::Bool(false),
        _ => {}
    }
    if let Some(k) = text.strip_prefix(':') {
        return Edn::Keyword(k);
    }
    let digits = text.strip_suffix('N').unwrap_or(text);
    if let Ok(n) = digits.parse::<i128>() {
        return Edn::Int(n);
    }
    let first = text.chars().next();
    let second = text.chars().nth(1);
    let numeric = first.is_some_and(|c| c.is_ascii_digit())
        || (matches!(first, Some('-' | '+')) && second.is_some_and(|c| c.is_ascii_digit()));
    if numeric || text.starts_with('\\') {
        Edn::Other(text)
    } else {
        Edn::Symbol(text)
    }
}

/// One event map.
struct Event<'a> {
    node: &'a Node<'a>,
    fields: &'a [(Node<'a>, Node<'a>)],
}

impl<'a> Event<'a> {
    fn get(&self, key: &str) -> Option<&'a Node<'a>> {
        self.fields
            .iter()
            .find(|(k, _)| matches!(k.v, Edn::Keyword(s) if s == key))
            .map(|(_, v)| v)
    }

    fn keyword(&self, key: &str, choices: &[&'static str]) -> Res<&'static str> {
        let shown: Vec<String> = choices.iter().map(|c| format!(":{c}")).collect();
        let Some(v) = self.get(key) else {
            return err(
                self.node.line,
                self.node.col,
                format!("missing :{key} (one of {})", shown.join(", ")),
            );
        };
        let found = match &v.v {
            Edn::Keyword(s) => choices.iter().find(|c| **c == *s).copied(),
            _ => None,
        };
        match found {
            Some(c) => Ok(c),
            None => err(
                v.line,
                v.col,
                format!(
                    ":{key} must be one of {}, found {}",
                    shown.join(", "),
                    text(&v.v)
                ),
            ),
        }
    }
}

/// An EDN value written back, for messages and labels.
fn text(v: &Edn) -> String {
    match v {
        Edn::Nil => "nil".into(),
        Edn::Bool(b) => b.to_string(),
        Edn::Int(n) => n.to_string(),
        Edn::Other(s) | Edn::Symbol(s) => s.to_string(),
        Edn::Str(s) => format!("{s:?}"),
        Edn::Keyword(k) => format!(":{k}"),
        Edn::Seq(items) => {
            let t: Vec<String> = items.iter().map(|n| text(&n.v)).collect();
            format!("[{}]", t.join(" "))
        }
        Edn::Map(pairs) => {
            let t: Vec<String> = pairs
                .iter()
                .map(|(k, v)| format!("{} {}", text(&k.v), text(&v.v)))
                .collect();
            format!("{{{}}}", t.join(", "))
        }
    }
}

/// A register value: an integer (its decimal text), a string (its content), a keyword
/// (`:name`), or `nil` (empty).
fn register_value(n: &Node, what: &str) -> Res<Option<String>> {
    match &n.v {
        Edn::Nil => Ok(None),
        Edn::Int(i) => Ok(Some(i.to_string())),
        Edn::Str(s) => Ok(Some(s.clone())),
        Edn::Keyword(k) => Ok(Some(format!(":{k}"))),
        other => err(
            n.line,
            n.col,
            format!(
                "{what} must be an integer, a string, a keyword or nil, found {}",
                text(other)
            ),
        ),
    }
}

/// An invocation waiting for its completion. It owns what it keeps, so that reading can stop
/// and resume between two events.
struct Open {
    line: usize,
    col: usize,
    at: u64,
    func: Func,
    key: String,
    /// A write's or a cas's value and expected value, read from the invocation, or what was
    /// wrong with them: reported when the operation ends, where reading the whole file first
    /// would report it.
    written: Res<(Option<String>, Option<String>)>,
}

/// A Jepsen history read a few lines at a time ([`super::HistoryReader`]): the events are
/// interpreted as they are read, and the first error in their meaning is held back until the
/// whole text has been read without a syntax error, so that the error reported is the one
/// reading every event first and then interpreting them gives.
pub(super) struct Events {
    model: Model,
    /// Where reading resumes: byte offset, line and column.
    pos: usize,
    line: usize,
    col: usize,
    /// Position of the next event in the file (the checker's time).
    at: u64,
    open: BTreeMap<u32, Open>,
    done: Vec<(SourceOp, u64)>,
    history: History,
    meaning_error: Option<ParseError>,
}

impl Events {
    pub(super) fn new(model: Model) -> Events {
        Events {
            model,
            pos: 0,
            line: 1,
            col: 1,
            at: 0,
            open: BTreeMap::new(),
            done: Vec::new(),
            history: History {
                time_unit: "event",
                ..History::default()
            },
            meaning_error: None,
        }
    }

    /// The line reading has reached (1-based).
    pub(super) fn line(&self) -> usize {
        self.line
    }

    /// Reads the values that start within the next `max_lines` lines (at least one value);
    /// `true` once the text is over. A value may run over many lines (a history written as one
    /// vector is read in one call).
    pub(super) fn read(&mut self, text: &str, max_lines: usize) -> Res<bool> {
        assert!(max_lines >= 1, "read at least one line at a time");
        let mut r = Reader::resume(text, self.pos, self.line, self.col);
        let stop_line = self.line.saturating_add(max_lines);
        let mut over = false;
        loop {
            if !r.skip_ws() {
                over = true;
                break;
            }
            if r.line >= stop_line {
                break;
            }
            let node = r.value(0)?;
            match &node.v {
                Edn::Map(_) => self.interpret(&node),
                Edn::Seq(items) if items.iter().all(|n| matches!(n.v, Edn::Map(_))) => {
                    items.iter().for_each(|n| self.interpret(n))
                }
                _ => return err(
                    node.line,
                    node.col,
                    "expected an event map like {:process 0, :type :invoke, :f :read, :value nil}",
                ),
            }
        }
        self.pos = r.pos();
        self.line = r.line;
        self.col = r.col;
        Ok(over)
    }

    /// Interprets one event map, unless an earlier event was already wrong.
    fn interpret(&mut self, node: &Node) {
        let at = self.at;
        self.at += 1;
        if self.meaning_error.is_some() {
            return;
        }
        let Edn::Map(fields) = &node.v else {
            unreachable!("only maps are interpreted")
        };
        let ev = Event { node, fields };
        let done = &mut self.done;
        if let Err(e) = event(&ev, at, self.model, &mut self.open, done, &mut self.history) {
            self.meaning_error = Some(e);
        }
    }

    /// The history, once [`Events::read`] has said the text is over.
    pub(super) fn finish(self) -> Res<History> {
        if let Some(e) = self.meaning_error {
            return Err(e);
        }
        let (mut history, mut done) = (self.history, self.done);
        // Invocations never completed: their effect is unknown.
        for (process, o) in self.open {
            done.push(unanswered(process, o)?);
        }
        done.sort_by_key(|(op, _)| op.invoke_at);
        for (op, id) in done {
            history.push(op, id);
        }
        Ok(history)
    }
}

/// Reads a Jepsen history.
pub fn parse(text: &str, model: Model) -> Result<History, ParseError> {
    let mut events = Events::new(model);
    while !events.read(text, usize::MAX)? {}
    events.finish()
}

/// Handles one event: opens or closes an operation, or records a fault.
fn event(
    ev: &Event,
    at: u64,
    model: Model,
    open: &mut BTreeMap<u32, Open>,
    done: &mut Vec<(SourceOp, u64)>,
    history: &mut History,
) -> Res<()> {
    let node = ev.node;
    let Some(p) = ev.get("process") else {
        return err(node.line, node.col, "missing :process");
    };
    let process = match &p.v {
        Edn::Keyword("nemesis") => {
            let f = ev.get("f").map(|f| text(&f.v)).unwrap_or_default();
            let t = ev.get("type").map(|t| text(&t.v)).unwrap_or_default();
            history.faults.push(FaultEvent {
                line: node.line,
                at,
                label: format!("{f} {t}").trim().to_string(),
            });
            return Ok(());
        }
        Edn::Int(n) if (0..=i128::from(u32::MAX)).contains(n) => *n as u32,
        other => {
            return err(
                p.line,
                p.col,
                format!(
                    "`:process` must be an integer or :nemesis, found {}",
                    text(other)
                ),
            )
        }
    };
    let kind = ev.keyword("type", &["invoke", "ok", "fail", "info"])?;
    let func = match ev.keyword("f", &["read", "write", "cas"])? {
        "read" => Func::Read,
        "write" => Func::Write,
        _ => Func::Cas,
    };
    let (key, value) = key_and_value(ev, model)?;
    if kind == "invoke" {
        if let Some(o) = open.get(&process) {
            return err(
                node.line,
                node.col,
                format!(
                    "process {process} invokes again before its operation of line {} completed",
                    o.line
                ),
            );
        }
        let written = written(func, value.as_ref(), node.line, node.col);
        let o = Open {
            line: node.line,
            col: node.col,
            at,
            func,
            key,
            written,
        };
        open.insert(process, o);
        return Ok(());
    }
    let Some(o) = open.remove(&process) else {
        return err(
            node.line,
            node.col,
            format!("process {process} completes an operation it never invoked"),
        );
    };
    if o.func != func || o.key != key {
        return err(
            node.line,
            node.col,
            format!(
                "process {process} completes a different operation from the one it invoked at \
                 line {}",
                o.line
            ),
        );
    }
    let ending = match kind {
        "ok" => Ending::Ok,
        "fail" => Ending::Fail,
        _ => Ending::Info,
    };
    let id = o.at;
    let mut op = operation(process, &o, ending, value.as_ref())?;
    op.complete_line = Some(node.line);
    op.complete_at = Some(at);
    done.push((op, id));
    Ok(())
}

/// An operation whose invocation is the last event of its process.
fn unanswered(process: u32, o: Open) -> Res<(SourceOp, u64)> {
    let id = o.at;
    Ok((operation(process, &o, Ending::Info, None)?, id))
}

/// The key (per the model) and the value without it.
fn key_and_value<'a>(ev: &Event<'a>, model: Model) -> Res<(String, Option<Node<'a>>)> {
    let value = ev.get("value").cloned();
    if model == Model::Register {
        return Ok((REGISTER_KEY.to_string(), value));
    }
    if let Some(k) = ev.get("key") {
        let key = register_value(k, ":key")?.unwrap_or_else(|| "nil".into());
        return Ok((key, value));
    }
    match value {
        Some(Node {
            v: Edn::Seq(pair), ..
        }) if pair.len() == 2 => {
            let key = register_value(&pair[0], "the key of a [key value] tuple")?;
            Ok((key.unwrap_or_else(|| "nil".into()), Some(pair[1].clone())))
        }
        _ => {
            let n = ev.get("value").unwrap_or(ev.node);
            err(
                n.line,
                n.col,
                "with --model kv an event needs :key, or a [key value] tuple as its :value",
            )
        }
    }
}

/// The value a write or a cas writes and the value a cas expects, from the invocation's
/// `:value` (`(None, None)` for a read, which takes its value from its completion).
fn written(
    func: Func,
    value: Option<&Node>,
    line: usize,
    col: usize,
) -> Res<(Option<String>, Option<String>)> {
    let missing = |what: &str| ParseError {
        line,
        col,
        message: format!("this {what} has no :value"),
    };
    match func {
        Func::Read => Ok((None, None)),
        Func::Write => {
            let Some(v) = value else {
                return Err(missing("write"));
            };
            let Some(value) = register_value(v, "a write's :value")? else {
                return err(v.line, v.col, "a write needs a value (not nil)");
            };
            Ok((Some(value), None))
        }
        Func::Cas => {
            let Some(v) = value else {
                return Err(missing("cas"));
            };
            let pair = match &v.v {
                Edn::Seq(items) if items.len() == 2 => items,
                _ => return err(v.line, v.col, "a cas's :value must be [expected new]"),
            };
            let expected = register_value(&pair[0], "the expected value")?;
            let Some(new) = register_value(&pair[1], "the new value")? else {
                return err(
                    pair[1].line,
                    pair[1].col,
                    "a cas needs a new value (not nil)",
                );
            };
            Ok((Some(new), expected))
        }
    }
}

/// Builds the operation from its invocation and its completion's value.
fn operation(
    process: u32,
    o: &Open,
    ending: Ending,
    completion_value: Option<&Node>,
) -> Res<SourceOp> {
    let (value, expected) = match o.func {
        Func::Read => match completion_value {
            Some(v) if ending == Ending::Ok => (register_value(v, "a read's :value")?, None),
            None if ending == Ending::Ok => {
                return err(o.line, o.col, "this read has no :value");
            }
            _ => (None, None),
        },
        Func::Write | Func::Cas => o.written.clone()?,
    };
    Ok(SourceOp {
        process,
        func: o.func,
        ending,
        key: o.key.clone(),
        invoke_line: o.line,
        complete_line: None,
        invoke_at: o.at,
        complete_at: None,
        value,
        expected,
        found: None,
        entry: None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_edn_values() {
        let mut r = Reader::resume(
            "{:a [1 -2 nil], :b \"x\\\"y\", :c #{:k} #_ :gone :d 1.5}",
            0,
            1,
            1,
        );
        let n = r.value(0).unwrap();
        let Edn::Map(pairs) = n.v else { panic!() };
        let shown: Vec<String> = pairs
            .iter()
            .map(|(k, v)| format!("{} {}", text(&k.v), text(&v.v)))
            .collect();
        assert_eq!(
            shown,
            [":a [1 -2 nil]", ":b \"x\\\"y\"", ":c [:k]", ":d 1.5"]
        );
    }

    #[test]
    fn positions_are_line_and_column() {
        let e = parse(
            "{:process 0, :type :invoke, :f :read}\n\n  {:process 0 :type :ok",
            Model::Register,
        )
        .unwrap_err();
        assert_eq!((e.line, e.col), (3, 3));
        let e = parse("{:process 0, :type :start, :f :read}", Model::Register).unwrap_err();
        assert_eq!((e.line, e.col), (1, 20));
    }
}
