//! Client histories read from files, for the linearizability checker: Paxoscope's own JSON Lines
//! format (`jsonl`, docs/history-format.md) and the register logs Jepsen's tests write
//! (`jepsen`). Both are read into the checker's [`HistoryEntry`]s, and every operation keeps
//! where it came from (process, lines, outcome) so that a verdict can point back into the file.
//!
//! # Semantics (both formats)
//!
//! An operation ends `ok` (it took effect and returned what is recorded), `fail` (it did not
//! take effect: it is left out of the check) or `info` (unknown: it may take effect at any
//! instant after its invocation, or never; a read that ended `info` observed nothing and is left
//! out too). A read that returned nothing (`null`, `nil`) saw the initial, empty register.
//!
//! Neither parser needs a general-purpose JSON or EDN library: the page reads files with them.

pub mod jepsen;
pub mod jsonl;

use crate::check::linearizability::{HistoryEntry, KvOp, KvResult, LinFailure};
use std::fmt;

/// A history file's syntax.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    /// One operation per line, as JSON (docs/history-format.md).
    Jsonl,
    /// Jepsen's event maps (`{:process 0, :type :invoke, :f :read, :value nil}`), in EDN.
    Jepsen,
}

impl Format {
    /// The format a text looks like: JSON Lines if its first non-blank characters are `{"`,
    /// else Jepsen's EDN.
    pub fn detect(text: &str) -> Format {
        let mut chars = text.chars().filter(|c| !c.is_whitespace());
        match (chars.next(), chars.next()) {
            (Some('{'), Some('"')) => Format::Jsonl,
            _ => Format::Jepsen,
        }
    }

    /// The model an operation log of this format usually describes: Paxoscope's own histories
    /// span several keys, Jepsen's register tests one register.
    pub fn default_model(self) -> Model {
        match self {
            Format::Jsonl => Model::Kv,
            Format::Jepsen => Model::Register,
        }
    }
}

/// What the operations act on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Model {
    /// One register: every operation acts on [`REGISTER_KEY`], whatever key it names.
    Register,
    /// A map of independent registers: each operation names its key (linearizability is
    /// checked per key).
    Kv,
}

/// The key of every operation under [`Model::Register`].
pub const REGISTER_KEY: &str = "register";

/// An operation's function.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Func {
    Read,
    Write,
    Cas,
}

/// How an operation ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ending {
    /// Took effect, with the recorded result.
    Ok,
    /// Did not take effect.
    Fail,
    /// Unknown (no answer, a timeout, a crash).
    Info,
}

/// One operation of the file, kept for reports and timelines (`fail` ones too).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceOp {
    pub process: u32,
    pub func: Func,
    pub ending: Ending,
    /// The key it acts on (after the model is applied).
    pub key: String,
    /// Lines (1-based) of the invocation and of the completion, if there was one. In the JSON
    /// Lines format both are the operation's line.
    pub invoke_line: usize,
    pub complete_line: Option<usize>,
    /// Times as the checker sees them: milliseconds in the JSON Lines format, the position of
    /// the event in the file in Jepsen's (see [`History::time_unit`]).
    pub invoke_at: u64,
    pub complete_at: Option<u64>,
    /// Read: the value returned (`None`: empty; meaningful when `ok`). Write: the value
    /// written. Cas: the new value.
    pub value: Option<String>,
    /// Cas: the value expected (`None`: empty).
    pub expected: Option<String>,
    /// A cas that failed and said what it found instead (`Some(None)`: empty).
    pub found: Option<Option<String>>,
    /// Index into [`History::entries`], if the operation is checked (not `fail`, not an
    /// unanswered read).
    pub entry: Option<usize>,
}

/// A fault or other event that is not a client operation (Jepsen's `:nemesis` lines).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FaultEvent {
    pub line: usize,
    pub at: u64,
    /// E.g. `:start-partition :info`.
    pub label: String,
}

/// A parsed history file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct History {
    /// What the checker is given.
    pub entries: Vec<HistoryEntry>,
    /// Every client operation, in order of invocation.
    pub ops: Vec<SourceOp>,
    /// `entry_op[i]`: the index in `ops` of `entries[i]`.
    pub entry_op: Vec<usize>,
    pub faults: Vec<FaultEvent>,
    /// `"ms"` or `"event"` (Jepsen: times are positions in the file).
    pub time_unit: &'static str,
}

impl History {
    /// Adds an operation, and its entry when it is checked.
    pub(crate) fn push(&mut self, mut op: SourceOp, id: u64) {
        let entry = checked_entry(&op, id);
        if let Some(entry) = entry {
            op.entry = Some(self.entries.len());
            self.entry_op.push(self.ops.len());
            self.entries.push(entry);
        }
        self.ops.push(op);
    }

    /// Indices in `ops` of the entries on `key`, in history order (the order of
    /// [`LinFailure::ops`]).
    pub fn ops_on(&self, key: &str) -> Vec<usize> {
        self.entries
            .iter()
            .zip(&self.entry_op)
            .filter(|(e, _)| e.op.key() == key)
            .map(|(_, &op)| op)
            .collect()
    }

    /// Names an operation for a report, e.g. `read by p3, lines 12-19, returned 4`.
    pub fn describe(&self, op: usize) -> String {
        let o = &self.ops[op];
        let lines = match o.complete_line {
            Some(c) if c != o.invoke_line => format!("lines {}-{c}", o.invoke_line),
            _ => format!("line {}", o.invoke_line),
        };
        let when = match (self.time_unit, o.complete_at) {
            ("ms", Some(c)) => format!("at {}-{c} ms, {lines}", o.invoke_at),
            ("ms", None) => format!("from {} ms, {lines}", o.invoke_at),
            _ => lines,
        };
        let ending = match o.ending {
            Ending::Ok => "",
            Ending::Fail => ", failed",
            Ending::Info => ", no answer (:info)",
        };
        format!("{} by p{} ({when}){ending}", o.label(), o.process)
    }

    /// The checker's failure told in the file's terms: the longest prefix that can be ordered,
    /// the operations that cannot come next, and the values involved. One line per item.
    pub fn explain(&self, failure: &LinFailure) -> Vec<String> {
        let on_key = self.ops_on(&failure.key);
        let Some(d) = &failure.detail else {
            return vec![failure.explanation.clone()];
        };
        let name = |i: usize| on_key.get(i).map(|&op| self.describe(op));
        let name = |i: usize| name(i).unwrap_or_else(|| format!("operation #{i}"));
        let subject = if failure.key == REGISTER_KEY {
            "the register".to_string()
        } else {
            format!("key {}", failure.key)
        };
        let mut out = vec![format!(
            "The longest prefix that can be ordered has {} of the {} operations on {subject}; \
             after it {subject} holds {}.",
            d.prefix.len(),
            failure.ops.len(),
            show(&d.value_after_prefix),
        )];
        const LAST: usize = 3;
        let skip = d.prefix.len().saturating_sub(LAST);
        if !d.prefix.is_empty() {
            out.push(if skip == 0 {
                "In order:".to_string()
            } else {
                format!("Its last {LAST}, in order:")
            });
        }
        for &i in &d.prefix[skip..] {
            out.push(format!("  {}", name(i)));
        }
        out.push("Cannot be placed next:".to_string());
        for b in &d.blocked {
            let mut line = format!("  {}", name(b.op));
            if let Some(needed) = &b.needs {
                let held: Vec<String> = b.held.iter().map(show).collect();
                let more = if b.held_all { "" } else { " (or more)" };
                if !b.held.contains(needed) && !held.is_empty() {
                    line += &format!(
                        ": it needs {}, but {subject} held {}{more} at every point where it \
                         could be placed",
                        show(needed),
                        or_list(&held),
                    );
                } else {
                    line += &format!(
                        ": it needs {}, but no order of the operations around it leaves that \
                         value there",
                        show(needed)
                    );
                }
            }
            out.push(line);
        }
        out
    }
}

impl SourceOp {
    /// E.g. `read 3`, `write 4`, `cas 1->2`, `cas 1->2 found 3` (keys are not named).
    pub fn label(&self) -> String {
        let value = show(&self.value);
        match self.func {
            Func::Read if self.ending == Ending::Ok => format!("read {value}"),
            Func::Read => "read".to_string(),
            Func::Write => format!("write {value}"),
            Func::Cas => {
                let found = match &self.found {
                    Some(v) => format!(" found {}", show(v)),
                    None => String::new(),
                };
                format!("cas {}->{value}{found}", show(&self.expected))
            }
        }
    }
}

/// The entry the checker is given for an operation, if it may have had an effect or observed
/// a value (see the module documentation). The parsers have checked that a write or a cas has
/// a value to write.
fn checked_entry(op: &SourceOp, id: u64) -> Option<HistoryEntry> {
    let key = op.key.clone();
    let written = || {
        op.value
            .clone()
            .expect("the parser requires a value to write")
    };
    let kv = match op.func {
        Func::Read => KvOp::Get { key },
        Func::Write => KvOp::Put {
            key,
            value: written(),
        },
        Func::Cas => KvOp::Cas {
            key,
            expected: op.expected.clone(),
            value: written(),
        },
    };
    let result = match (op.func, op.ending, &op.found) {
        (Func::Read, Ending::Info, _) => return None,
        // No effect; kept so that reports can name it, as the campaign keeps refused requests.
        (_, Ending::Fail, None) => Some(KvResult::Refused),
        (_, Ending::Info, _) => None,
        (Func::Read, Ending::Ok, _) => Some(KvResult::Value(op.value.clone())),
        (Func::Write, Ending::Ok, _) => Some(KvResult::Ok),
        (Func::Cas, Ending::Ok, _) => Some(KvResult::CasOk),
        (Func::Cas, Ending::Fail, Some(current)) => Some(KvResult::CasFailed {
            current: current.clone(),
        }),
        (_, Ending::Fail, Some(_)) => unreachable!("only a cas reports what it found"),
    };
    Some(HistoryEntry {
        id,
        client: op.process,
        op: kv,
        invoke_ms: op.invoke_at,
        complete_ms: result.as_ref().and(op.complete_at),
        result,
    })
}

/// `a`, `a or b`, `a, b or c`.
fn or_list(items: &[String]) -> String {
    match items {
        [] => "nothing".to_string(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// A register value for people: `3`, or `empty`.
pub fn show(v: &Option<String>) -> String {
    match v {
        Some(s) => s.clone(),
        None => "empty".to_string(),
    }
}

/// Why a history file could not be read, and where (1-based line and column, in characters).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ParseError {
    pub line: usize,
    pub col: usize,
    pub message: String,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.line, self.col, self.message)
    }
}

/// Reads a history file.
pub fn parse(text: &str, format: Format, model: Model) -> Result<History, ParseError> {
    let mut reader = HistoryReader::new(text, format, model);
    while !reader.read(text, usize::MAX)? {}
    reader.finish()
}

/// A history file read a few lines at a time, so that a page can read a large one in slices
/// between which it stays responsive. Reading in any slices gives the same history, or the
/// same error at the same line and column, as [`parse`].
pub struct HistoryReader {
    state: ReaderState,
    /// Lines of the text, and its length in bytes (to catch a caller passing another text).
    lines: usize,
    text_bytes: usize,
    over: bool,
}

enum ReaderState {
    Jsonl(jsonl::Lines),
    Jepsen(jepsen::Events),
}

impl HistoryReader {
    /// A reader of `text` (which every call to [`HistoryReader::read`] passes again).
    pub fn new(text: &str, format: Format, model: Model) -> HistoryReader {
        let state = match format {
            Format::Jsonl => ReaderState::Jsonl(jsonl::Lines::new(model)),
            Format::Jepsen => ReaderState::Jepsen(jepsen::Events::new(model)),
        };
        HistoryReader {
            state,
            lines: text.lines().count(),
            text_bytes: text.len(),
            over: false,
        }
    }

    /// Reads about `max_lines` more lines (at least one); `true` once the text is over.
    pub fn read(&mut self, text: &str, max_lines: usize) -> Result<bool, ParseError> {
        assert_eq!(
            text.len(),
            self.text_bytes,
            "read the text the reader was made for"
        );
        if self.over {
            return Ok(true);
        }
        self.over = match &mut self.state {
            ReaderState::Jsonl(l) => l.read(text, max_lines)?,
            ReaderState::Jepsen(e) => e.read(text, max_lines)?,
        };
        Ok(self.over)
    }

    /// The line reading has reached (1-based), at most [`HistoryReader::lines`].
    pub fn line(&self) -> usize {
        let line = match &self.state {
            ReaderState::Jsonl(l) => l.line(),
            ReaderState::Jepsen(e) => e.line(),
        };
        line.min(self.lines)
    }

    /// Lines in the text.
    pub fn lines(&self) -> usize {
        self.lines
    }

    /// The history, once [`HistoryReader::read`] has said the text is over.
    pub fn finish(self) -> Result<History, ParseError> {
        assert!(self.over, "finish once the whole text is read");
        match self.state {
            ReaderState::Jsonl(l) => Ok(l.finish()),
            ReaderState::Jepsen(e) => e.finish(),
        }
    }
}

/// The explanation of an "undecided" verdict, in the CLI's and the page's words.
pub fn undecided_explanation(max_states: u64) -> String {
    format!(
        "the search budget of {max_states} states ran out before every key was decided, and no \
         key decided so far is violated (raise --max-states)"
    )
}
