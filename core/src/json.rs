//! A small JSON writer for the exports (docs/trace-format.md): compact text, object keys in
//! byte order, strings escaped as RFC 8259 requires. It writes straight into a `String`, so
//! the playground's wasm carries no general-purpose JSON library.
//!
//! The output is byte for byte what `serde_json` writes for the same value (compact, sorted
//! keys, the same escapes); the tests below hold it to that.
//!
//! ```
//! use paxoscope_core::json::{Json, Object, Tagged};
//! let o = Object::new()
//!     .field("t_ms", 41u64)
//!     .field("node", None::<u8>)
//!     .field("op", Tagged("Get", Object::new().field("key", "k")));
//! assert_eq!(o.to_json(), r#"{"node":null,"op":{"Get":{"key":"k"}},"t_ms":41}"#);
//! ```

use std::fmt::Write as _;
use std::ops::Range;

/// A value that can write itself as JSON text.
pub trait Json {
    /// Appends the JSON text of `self` to `out`.
    fn write_json(&self, out: &mut String);

    /// The JSON text of `self`.
    fn to_json(&self) -> String {
        let mut out = String::new();
        self.write_json(&mut out);
        out
    }
}

/// Appends `s` as a JSON string literal. RFC 8259 section 7 requires escaping the quote, the
/// backslash and the control characters U+0000 to U+001F; the five with a short form (`\b`
/// `\f` `\n` `\r` `\t`) use it, the others `\u00XX`. Everything else, non-ASCII included, is
/// written as it is (the text is UTF-8).
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    let mut start = 0;
    for (i, b) in s.bytes().enumerate() {
        let short = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'\n' => 'n',
            b'\r' => 'r',
            b'\t' => 't',
            0x08 => 'b',
            0x0c => 'f',
            0x00..=0x1f => 'u',
            _ => continue,
        };
        // Every escaped byte is ASCII, so `i` is a char boundary.
        out.push_str(&s[start..i]);
        out.push('\\');
        out.push(short);
        if short == 'u' {
            let _ = write!(out, "{b:04x}");
        }
        start = i + 1;
    }
    out.push_str(&s[start..]);
    out.push('"');
}

impl Json for str {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl Json for String {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl Json for std::rc::Rc<str> {
    fn write_json(&self, out: &mut String) {
        write_str(out, self);
    }
}

impl Json for bool {
    fn write_json(&self, out: &mut String) {
        out.push_str(if *self { "true" } else { "false" });
    }
}

/// Integers as plain JSON numbers (no floats: the exports have none).
macro_rules! json_integer {
    ($($t:ty),*) => {$(
        impl Json for $t {
            fn write_json(&self, out: &mut String) {
                let _ = write!(out, "{self}");
            }
        }
    )*};
}
json_integer!(u8, u32, u64, usize, i64);

/// `None` is `null`.
impl<T: Json> Json for Option<T> {
    fn write_json(&self, out: &mut String) {
        match self {
            Some(v) => v.write_json(out),
            None => out.push_str("null"),
        }
    }
}

impl<T: Json + ?Sized> Json for &T {
    fn write_json(&self, out: &mut String) {
        (**self).write_json(out);
    }
}

/// A slice is an array.
impl<T: Json> Json for [T] {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        for (i, v) in self.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            v.write_json(out);
        }
        out.push(']');
    }
}

impl<T: Json> Json for Vec<T> {
    fn write_json(&self, out: &mut String) {
        self.as_slice().write_json(out);
    }
}

/// A pair is a two-element array (serde's form of a tuple variant's fields).
impl<A: Json, B: Json> Json for (A, B) {
    fn write_json(&self, out: &mut String) {
        out.push('[');
        self.0.write_json(out);
        out.push(',');
        self.1.write_json(out);
        out.push(']');
    }
}

/// An enum variant with data, in serde's externally tagged form: `{"Name":value}`. (A variant
/// without data is just its name as a string.)
pub struct Tagged<T>(pub &'static str, pub T);

impl<T: Json> Json for Tagged<T> {
    fn write_json(&self, out: &mut String) {
        out.push('{');
        write_str(out, self.0);
        out.push(':');
        self.1.write_json(out);
        out.push('}');
    }
}

/// A JSON object under construction. Fields may be added in any order; the object is written
/// with its keys in byte order (what docs/trace-format.md promises), each key once.
#[derive(Default)]
pub struct Object {
    /// Each field's key and the span of its JSON text in `values`, sorted by key.
    fields: Vec<(&'static str, Range<usize>)>,
    values: String,
}

impl Object {
    pub fn new() -> Self {
        Object::default()
    }

    /// Adds the field `key` with this value. A key may be given only once.
    pub fn field(mut self, key: &'static str, value: impl Json) -> Self {
        self.insert(key, &value);
        self
    }

    /// The body of [`Object::field`], not generic, so it exists once in the wasm.
    fn insert(&mut self, key: &'static str, value: &dyn Json) {
        let at = self.fields.partition_point(|(k, _)| *k < key);
        assert!(
            self.fields.get(at).is_none_or(|(k, _)| *k != key),
            "JSON key `{key}` given twice"
        );
        let start = self.values.len();
        value.write_json(&mut self.values);
        self.fields.insert(at, (key, start..self.values.len()));
    }
}

impl Json for Object {
    fn write_json(&self, out: &mut String) {
        out.reserve(self.values.len() + self.fields.len() * 12 + 2);
        out.push('{');
        for (i, (key, span)) in self.fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            write_str(out, key);
            out.push(':');
            out.push_str(&self.values[span.clone()]);
        }
        out.push('}');
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn str_json(s: &str) -> String {
        let mut out = String::new();
        write_str(&mut out, s);
        out
    }

    #[test]
    fn quotes_and_backslashes_are_escaped() {
        assert_eq!(str_json(r#"say "hi""#), r#""say \"hi\"""#);
        assert_eq!(str_json(r"C:\dir\"), r#""C:\\dir\\""#);
        assert_eq!(str_json(r#"\""#), r#""\\\"""#);
        assert_eq!(str_json(""), r#""""#);
        assert_eq!(
            str_json("/ stays"),
            r#""/ stays""#,
            "no need to escape the solidus"
        );
    }

    #[test]
    fn control_characters_are_escaped_short_or_as_u00xx() {
        assert_eq!(str_json("a\nb\rc\td"), r#""a\nb\rc\td""#);
        assert_eq!(str_json("\u{8}\u{c}"), r#""\b\f""#);
        assert_eq!(str_json("\u{0}\u{1}\u{1f}"), r#""\u0000\u0001\u001f""#);
        assert_eq!(
            str_json("\u{7f}"),
            "\"\u{7f}\"",
            "DEL is not a control character to JSON"
        );
        for c in (0u8..0x20).map(char::from) {
            let text = str_json(&c.to_string());
            assert!(
                text.starts_with("\"\\") && !text[1..].contains(c),
                "{c:?}: {text}"
            );
        }
    }

    #[test]
    fn non_ascii_is_written_as_utf8() {
        assert_eq!(str_json("ünï ✓ 🦀"), "\"ünï ✓ 🦀\"");
        assert_eq!(str_json("é\n🦀\"x"), "\"é\\n🦀\\\"x\"");
    }

    #[test]
    fn every_string_reads_back_as_itself_and_as_serde_json_writes_it() {
        let mut all_chars = String::new();
        for c in (0u32..0x300).chain([0x2028, 0x2029, 0xfeff, 0x1f980]) {
            all_chars.extend(char::from_u32(c));
        }
        for s in [
            all_chars.as_str(),
            "",
            "plain",
            "\"\\\"",
            "tab\there",
            "line\u{2028}sep",
        ] {
            let text = str_json(s);
            let back: String = serde_json::from_str(&text).expect("valid JSON");
            assert_eq!(back, s);
            assert_eq!(text, serde_json::to_string(s).unwrap());
        }
    }

    #[test]
    fn numbers_bools_null_and_arrays() {
        assert_eq!(0u64.to_json(), "0");
        assert_eq!(u64::MAX.to_json(), "18446744073709551615");
        assert_eq!((-300i64).to_json(), "-300");
        assert_eq!(i64::MIN.to_json(), "-9223372036854775808");
        assert_eq!(true.to_json(), "true");
        assert_eq!(false.to_json(), "false");
        assert_eq!(None::<u64>.to_json(), "null");
        assert_eq!(Some(7u8).to_json(), "7");
        assert_eq!(Vec::<u8>::new().to_json(), "[]");
        assert_eq!(vec![vec![0u8, 1], vec![2]].to_json(), "[[0,1],[2]]");
        assert_eq!(("All", 20u8).to_json(), r#"["All",20]"#);
        assert_eq!(Tagged("Isolate", 2u8).to_json(), r#"{"Isolate":2}"#);
    }

    #[test]
    fn object_keys_come_out_sorted_whatever_the_order_given() {
        let o = Object::new()
            .field("to", 1u8)
            .field("t_ms", 41u64)
            .field("i", 3u64)
            .field("id", 7u64)
            .field("event", "send")
            .field("node", Some(0u8));
        assert_eq!(
            o.to_json(),
            r#"{"event":"send","i":3,"id":7,"node":0,"t_ms":41,"to":1}"#
        );
        assert_eq!(Object::new().to_json(), "{}");
    }

    #[test]
    #[should_panic(expected = "JSON key `a` given twice")]
    fn a_key_given_twice_is_a_bug() {
        let _ = Object::new()
            .field("a", 1u8)
            .field("b", 2u8)
            .field("a", 3u8);
    }

    #[test]
    fn nested_output_round_trips_through_serde_json_unchanged() {
        let inner = Object::new()
            .field("reason", "mon.1 left \"its\" quorum\n")
            .field("applied", false);
        let o = Object::new()
            .field(
                "writes",
                vec!["Value(2, \"x\")".to_string(), "Commit(1)".into()],
            )
            .field("reply", Tagged("CasDone", inner))
            .field("action", "CrashInCommit")
            .field("pairs", vec![(Tagged("OneWay", (0u8, 1u8)), 300u64)])
            .field("text", "ünï ✓ \u{1}");
        let text = o.to_json();
        let parsed: Value = serde_json::from_str(&text).expect("valid JSON");
        // serde_json writes objects with sorted keys and no spaces: the same text back
        // means the writer's output is already in that canonical form.
        assert_eq!(parsed.to_string(), text);
        assert_eq!(
            parsed["reply"]["CasDone"]["reason"],
            "mon.1 left \"its\" quorum\n"
        );
        assert_eq!(parsed["pairs"][0][0]["OneWay"][1], 1);
    }
}
