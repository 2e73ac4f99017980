//! Scenario ↔ URL fragment (`https://…/#paxoscope+scenario+v1;seed+42;at+20s+isolate+0`).
//!
//! The fragment is the canonical text (`print`, without its final newline), made URL-safe
//! character by character, so it stays readable:
//!
//! | text                                         | fragment                      |
//! |----------------------------------------------|-------------------------------|
//! | space                                        | `+`                           |
//! | newline                                      | `;`                           |
//! | `"`                                          | `'`                           |
//! | `A-Z a-z 0-9 - . _ ~ ! $ & ( ) * , = : @ / ?` | itself                       |
//! | anything else (`+ ; ' % # < > \| \\`, tabs, non-ASCII, …) | `%XX` per UTF-8 byte, upper-case hex |
//!
//! The three stand-ins `+ ; '` are RFC 3986 sub-delimiters, which URL normalisers must not
//! decode or encode, and which the WHATWG URL parser leaves alone in fragments; every other
//! character we emit is unreserved or percent-encoded, so the fragment survives copy and paste
//! and address bars unchanged. `decode_text(encode_text(t)) == t` for every string.
//!
//! Decoding is lenient: a leading `#` is skipped, hex digits may be lower case, and characters
//! that should have been encoded (a raw `|`, `<`, space, `"`, non-ASCII, as browsers sometimes
//! show them) are taken literally. Only `+ ; '` and `%XX` are translated.

use super::ast::{Scenario, MAX_TEXT_BYTES};
use super::parse::{parse, ParseError};
use super::print::print;

/// Longest fragment `from_url_fragment` reads: every byte of a `MAX_TEXT_BYTES` text may need
/// `%XX`, so three times that. The decoded text must still fit in `MAX_TEXT_BYTES`.
pub const MAX_FRAGMENT_BYTES: usize = 3 * MAX_TEXT_BYTES;

/// The URL fragment for a scenario (no leading `#`).
pub fn to_url_fragment(s: &Scenario) -> String {
    let text = print(s);
    encode_text(text.strip_suffix('\n').unwrap_or(&text))
}

/// Reads a fragment made by `to_url_fragment` (or by hand-encoding any scenario text).
/// Decoding errors are reported as line 1 and the character column within `frag`; errors in
/// the decoded scenario carry the line and column of the decoded text.
pub fn from_url_fragment(frag: &str) -> Result<Scenario, ParseError> {
    parse(&decode_text(frag)?)
}

fn is_plain(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || matches!(
            c,
            '-' | '.'
                | '_'
                | '~'
                | '!'
                | '$'
                | '&'
                | '('
                | ')'
                | '*'
                | ','
                | '='
                | ':'
                | '@'
                | '/'
                | '?'
        )
}

/// Any text → URL-safe fragment (see the module docs).
pub fn encode_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / 4);
    for c in text.chars() {
        match c {
            ' ' => out.push('+'),
            '\n' => out.push(';'),
            '"' => out.push('\''),
            c if is_plain(c) => out.push(c),
            c => {
                let mut buf = [0u8; 4];
                for b in c.encode_utf8(&mut buf).bytes() {
                    out.push('%');
                    out.push(hex_digit(b >> 4));
                    out.push(hex_digit(b & 0xF));
                }
            }
        }
    }
    out
}

fn hex_digit(v: u8) -> char {
    char::from(b"0123456789ABCDEF"[usize::from(v & 0xF)])
}

fn hex_value(c: char) -> Option<u8> {
    c.to_digit(16).map(|d| d as u8)
}

/// Fragment → text (see the module docs). A leading `#` is skipped.
pub fn decode_text(frag: &str) -> Result<String, ParseError> {
    if frag.len() > MAX_FRAGMENT_BYTES {
        return Err(ParseError::new(
            1,
            1,
            format!(
                "the URL fragment is {} bytes; the limit is {MAX_FRAGMENT_BYTES} bytes (3 × MAX_TEXT_BYTES)",
                frag.len()
            ),
        ));
    }
    let (body, mut col) = match frag.strip_prefix('#') {
        Some(rest) => (rest, 2),
        None => (frag, 1),
    };
    let mut out = String::with_capacity(body.len());
    let mut chars = body.chars().peekable();
    // Bytes of a run of consecutive %XX escapes, checked as UTF-8 when the run ends.
    let mut run: Vec<u8> = Vec::new();
    let mut run_col = col;
    let flush = |run: &mut Vec<u8>, out: &mut String, run_col: usize| -> Result<(), ParseError> {
        if run.is_empty() {
            return Ok(());
        }
        match std::str::from_utf8(run) {
            Ok(s) => out.push_str(s),
            Err(_) => {
                return Err(ParseError::new(
                    1,
                    run_col,
                    "the URL fragment's %-escapes here do not decode to UTF-8 text",
                ))
            }
        }
        run.clear();
        Ok(())
    };
    while let Some(c) = chars.next() {
        if c == '%' {
            let hi = chars.next().and_then(hex_value);
            let lo = chars.next().and_then(hex_value);
            let (Some(hi), Some(lo)) = (hi, lo) else {
                return Err(ParseError::new(
                    1,
                    col,
                    "bad escape in the URL fragment: expected two hex digits after \"%\"",
                ));
            };
            if run.is_empty() {
                run_col = col;
            }
            run.push(hi << 4 | lo);
            col += 3;
            continue;
        }
        flush(&mut run, &mut out, run_col)?;
        out.push(match c {
            '+' => ' ',
            ';' => '\n',
            '\'' => '"',
            c => c,
        });
        col += 1;
    }
    flush(&mut run, &mut out, run_col)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scenario_url_example() {
        let text = "paxoscope scenario v1\nname \"Leader isolated\"\nseed 42\nat 20s partition 0 1 | 2 3 4\nat 21s cut 1 <-> 2\nat 22s note \"it's 100% \\\"fine\\\" #1\"\n";
        let s = parse(text).unwrap();
        let frag = to_url_fragment(&s);
        assert_eq!(
            frag,
            "paxoscope+scenario+v1;name+'Leader+isolated';seed+42;at+20s+partition+0+1+%7C+2+3+4;\
             at+21s+cut+1+%3C-%3E+2;at+22s+note+'it%27s+100%25+%5C'fine%5C'+%231'"
        );
        assert_eq!(from_url_fragment(&frag), Ok(s.clone()));
        assert_eq!(from_url_fragment(&format!("#{frag}")), Ok(s));
    }

    #[test]
    fn scenario_url_text_round_trip() {
        for t in ["", "a b\nc", "\"'+;%#|<>\\\t\r", "ünïcødé ✓ 𝄞", "%", "a%2"] {
            assert_eq!(decode_text(&encode_text(t)).as_deref(), Ok(t), "{t:?}");
        }
    }

    #[test]
    fn scenario_url_lenient() {
        assert_eq!(decode_text("#a|b%7c%C3%BC ü\"").unwrap(), "a|b|ü ü\"");
        assert_eq!(decode_text("##").unwrap(), "#");
    }

    #[test]
    fn scenario_url_errors() {
        let e = decode_text("ab%4").unwrap_err();
        assert_eq!((e.line, e.col), (1, 3));
        assert!(e.message.contains("two hex digits"), "{e}");
        let e = decode_text("#ab%zz").unwrap_err();
        assert_eq!((e.line, e.col), (1, 4));
        let e = decode_text("x%C3%28").unwrap_err();
        assert_eq!((e.line, e.col), (1, 2));
        assert!(e.message.contains("UTF-8"), "{e}");
        let e = decode_text("x%C3y").unwrap_err();
        assert_eq!((e.line, e.col), (1, 2));
        let big = "a".repeat(MAX_FRAGMENT_BYTES + 1);
        let e = from_url_fragment(&big).unwrap_err();
        assert!(e.message.contains("MAX_TEXT_BYTES"), "{e}");
        let big = "a".repeat(MAX_TEXT_BYTES + 10);
        let e = from_url_fragment(&big).unwrap_err();
        assert!(e.message.contains("MAX_TEXT_BYTES"), "{e}");
        // Errors inside the decoded text point into the text.
        let e = from_url_fragment("paxoscope+scenario+v1;at+soon+crash+1").unwrap_err();
        assert_eq!((e.line, e.col), (2, 4));
    }
}
