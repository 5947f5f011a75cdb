//! A JSON text (a captured JSON body) written into a line as the JSON value it is: checked
//! strictly, on one line, its strings escaped as every string of the line is.

use super::push_json_str;

/// How deep arrays and objects may nest, as in `serde_json`.
const MAX_DEPTH: usize = 128;

/// Appends `text` to `out` as one compact JSON value, if it is exactly one valid JSON value
/// (RFC 8259, whitespace around it allowed): whitespace between tokens is dropped, numbers and
/// literals are copied, and strings are decoded and written again through the line's own
/// escaping, so no control, line-separator or bidi character reaches the line raw. Returns
/// `false`, with `out` unchanged, for anything else: a cut, a second value, a lone surrogate,
/// nesting deeper than 128.
pub(crate) fn push_compact_json(out: &mut String, text: &str) -> bool {
    let start = out.len();
    let mut compact = Compact { text, i: 0, out, scratch: String::new() };
    let ok = compact.document().is_some();
    if !ok {
        out.truncate(start);
    }
    ok
}

struct Compact<'t, 'o> {
    text: &'t str,
    i: usize,
    out: &'o mut String,
    /// A string with escapes, decoded.
    scratch: String,
}

impl Compact<'_, '_> {
    fn document(&mut self) -> Option<()> {
        // The containers open around the current value: `{` or `[`.
        let mut open: Vec<u8> = Vec::new();
        'value: loop {
            self.skip_whitespace();
            match self.peek()? {
                container @ (b'{' | b'[') => {
                    self.i += 1;
                    if open.len() == MAX_DEPTH {
                        return None;
                    }
                    self.out.push(char::from(container));
                    self.skip_whitespace();
                    let close = if container == b'{' { b'}' } else { b']' };
                    if self.peek() == Some(close) {
                        self.i += 1;
                        self.out.push(char::from(close));
                    } else {
                        open.push(container);
                        if container == b'{' {
                            self.key()?;
                        }
                        continue 'value;
                    }
                }
                b'"' => self.string()?,
                b't' => self.literal("true")?,
                b'f' => self.literal("false")?,
                b'n' => self.literal("null")?,
                b'-' | b'0'..=b'9' => self.number()?,
                _ => return None,
            }
            // After a value: the next one, or the end of containers, or of the text.
            loop {
                self.skip_whitespace();
                let Some(&container) = open.last() else {
                    return (self.i == self.text.len()).then_some(());
                };
                let next = self.peek()?;
                self.i += 1;
                match (container, next) {
                    (_, b',') => {
                        self.out.push(',');
                        if container == b'{' {
                            self.key()?;
                        }
                        continue 'value;
                    }
                    (b'{', b'}') | (b'[', b']') => {
                        open.pop();
                        self.out.push(char::from(next));
                    }
                    _ => return None,
                }
            }
        }
    }

    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.i).copied()
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.i += 1;
        }
    }

    /// An object's key and its colon.
    fn key(&mut self) -> Option<()> {
        self.skip_whitespace();
        (self.peek()? == b'"').then_some(())?;
        self.string()?;
        self.skip_whitespace();
        (self.peek()? == b':').then_some(())?;
        self.i += 1;
        self.out.push(':');
        Some(())
    }

    fn literal(&mut self, word: &str) -> Option<()> {
        self.text[self.i..].starts_with(word).then_some(())?;
        self.i += word.len();
        self.out.push_str(word);
        Some(())
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, copied.
    fn number(&mut self) -> Option<()> {
        let start = self.i;
        let digits = |this: &mut Self| {
            let from = this.i;
            while matches!(this.peek(), Some(b'0'..=b'9')) {
                this.i += 1;
            }
            (this.i > from).then_some(())
        };
        if self.peek() == Some(b'-') {
            self.i += 1;
        }
        if self.peek() == Some(b'0') {
            self.i += 1;
        } else {
            digits(self)?;
        }
        if self.peek() == Some(b'.') {
            self.i += 1;
            digits(self)?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.i += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.i += 1;
            }
            digits(self)?;
        }
        self.out.push_str(&self.text[start..self.i]);
        Some(())
    }

    /// A string, from its opening quote: decoded, then written through the line's escaping.
    fn string(&mut self) -> Option<()> {
        let bytes = self.text.as_bytes();
        let start = self.i + 1;
        let mut i = start;
        while let Some(&b) = bytes.get(i) {
            match b {
                b'"' | b'\\' => break,
                0..=0x1f => return None,
                _ => i += 1,
            }
        }
        if bytes.get(i)? == &b'"' {
            // No escapes: the common case.
            self.out.push('"');
            push_json_str(self.out, &self.text[start..i]);
            self.out.push('"');
            self.i = i + 1;
            return Some(());
        }
        self.scratch.clear();
        self.scratch.push_str(&self.text[start..i]);
        loop {
            match *bytes.get(i)? {
                b'"' => break,
                b'\\' => {
                    let escaped = *bytes.get(i + 1)?;
                    i += 2;
                    let c = match escaped {
                        b'"' => '"',
                        b'\\' => '\\',
                        b'/' => '/',
                        b'b' => '\u{8}',
                        b'f' => '\u{c}',
                        b'n' => '\n',
                        b'r' => '\r',
                        b't' => '\t',
                        b'u' => {
                            let high = hex4(bytes, i)?;
                            i += 4;
                            if (0xd800..0xdc00).contains(&high) {
                                // A surrogate pair: `\ud83d\ude00`.
                                (bytes.get(i..i + 2)? == b"\\u").then_some(())?;
                                let low = hex4(bytes, i + 2)?;
                                (0xdc00..0xe000).contains(&low).then_some(())?;
                                i += 6;
                                char::from_u32(0x10000 + ((high - 0xd800) << 10) + (low - 0xdc00))?
                            } else {
                                char::from_u32(high)?
                            }
                        }
                        _ => return None,
                    };
                    self.scratch.push(c);
                }
                0..=0x1f => return None,
                _ => {
                    // Up to the next quote or escape, whole characters at a time.
                    let run = bytes[i..].iter().position(|&b| b == b'"' || b == b'\\' || b < 0x20);
                    let end = run.map_or(bytes.len(), |n| i + n);
                    self.scratch.push_str(&self.text[i..end]);
                    i = end;
                }
            }
        }
        self.out.push('"');
        push_json_str(self.out, &self.scratch);
        self.out.push('"');
        self.i = i + 1;
        Some(())
    }
}

/// The four hex digits at `at`, as a number.
fn hex4(bytes: &[u8], at: usize) -> Option<u32> {
    let digits = bytes.get(at..at + 4)?;
    digits.iter().try_fold(0, |n, &d| Some(n << 4 | char::from(d).to_digit(16)?))
}

#[cfg(test)]
mod tests {
    use super::push_compact_json;
    use proptest::prelude::*;

    fn compact(text: &str) -> Option<String> {
        let mut out = String::from("before");
        let ok = push_compact_json(&mut out, text);
        let written = out.strip_prefix("before").unwrap().to_owned();
        assert_eq!(ok, !written.is_empty(), "{text:?}");
        ok.then_some(written)
    }

    #[test]
    fn valid_json_is_written_on_one_line_as_it_reads() {
        for (text, expected) in [
            ("{}", "{}"),
            (" [ ] ", "[]"),
            ("0", "0"),
            ("-12.5e+3", "-12.5e+3"),
            ("true", "true"),
            ("\"hi\"", "\"hi\""),
            (
                "{\n  \"a\": [1, 2.0, {\"b\": null}],\n  \"c\": \"x\"\n}\n",
                r#"{"a":[1,2.0,{"b":null}],"c":"x"}"#,
            ),
            (r#"{"a":1,"a":2}"#, r#"{"a":1,"a":2}"#),
            (r#""tab\tquote\"slash\/é\u00e9\ud83d\ude00""#, "\"tab\\tquote\\\"slash/éé😀\""),
            // Characters a JSON reader accepts raw but a line must not carry raw.
            ("\"\u{202e}evil\u{2028}\"", "\"\\u202eevil\\u2028\""),
            (r#""\u001b\u2028""#, "\"\\u001b\\u2028\""),
            ("\"\u{85}\u{7f}\"", "\"\\u0085\\u007f\""),
        ] {
            assert_eq!(compact(text).as_deref(), Some(expected), "{text:?}");
        }
    }

    #[test]
    fn anything_but_one_valid_value_is_refused() {
        let deep = "[".repeat(129) + &"]".repeat(129);
        let deep_enough = "[".repeat(128) + &"]".repeat(128);
        assert!(compact(&deep_enough).is_some());
        for text in [
            "",
            " ",
            "{",
            "}",
            "[1,]",
            "{\"a\"}",
            "{\"a\":}",
            "{\"a\":1,}",
            "{a:1}",
            "[1 2]",
            "1 2",
            "01",
            "1.",
            ".5",
            "-",
            "1e",
            "+1",
            "tru",
            "nul",
            "True",
            "NaN",
            "\"open",
            "\"a\nb\"",
            r#""\x""#,
            r#""\u12""#,
            r#""\ud83d""#,
            r#""\ude00""#,
            r#""\ud83dx""#,
            "'a'",
            "[1]]",
            "{}{}",
            &deep,
            "{\"a\":1}…[truncated 3 bytes]",
            "\"\u{1b}[2J\"",
            "[image/png, 3 bytes]",
            "user=ann&pin=1",
        ] {
            assert_eq!(compact(text), None, "{text:?}");
        }
    }

    proptest! {
        /// Whatever serde_json writes, pretty or not, reads back as the same value.
        #[test]
        fn serde_json_values_survive(value in json_value()) {
            for text in [serde_json::to_string(&value).unwrap(), serde_json::to_string_pretty(&value).unwrap()] {
                let written = compact(&text).expect("valid JSON");
                prop_assert!(!written.contains('\n'));
                prop_assert_eq!(serde_json::from_str::<serde_json::Value>(&written).unwrap(), value.clone());
            }
        }

        /// Accepted exactly when serde_json accepts it.
        #[test]
        fn the_same_texts_as_serde_json(text in r#"[\[\]{}",:0-9a-z\\. -]{0,24}"#) {
            let theirs = match serde_json::from_str::<serde_json::Value>(&text) {
                Ok(_) => true,
                // RFC 8259 leaves the range of numbers to readers; serde_json's is f64's.
                Err(e) if e.to_string().starts_with("number out of range") => return Ok(()),
                Err(_) => false,
            };
            prop_assert_eq!(compact(&text).is_some(), theirs, "{:?}", text);
        }
    }

    fn json_value() -> impl Strategy<Value = serde_json::Value> {
        use serde_json::Value;
        let leaf = prop_oneof![
            Just(Value::Null),
            any::<bool>().prop_map(Value::Bool),
            any::<i64>().prop_map(Value::from),
            // Eighths: exact in binary, so serde_json's own reading is exact too.
            (-8_000_000i64..8_000_000).prop_map(|n| Value::from(n as f64 / 8.0)),
            any::<String>().prop_map(Value::String),
        ];
        leaf.prop_recursive(4, 32, 6, |inner| {
            prop_oneof![
                prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
                prop::collection::btree_map(any::<String>(), inner, 0..6)
                    .prop_map(|m| Value::Object(m.into_iter().collect())),
            ]
        })
    }
}
