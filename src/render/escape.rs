//! Escaping that keeps one action on one line and makes log injection impossible.
//!
//! Console and narrative text: every control character (C0, DEL, C1), the Unicode line and
//! paragraph separators (U+2028, U+2029) and the bidirectional controls (U+202A–U+202E,
//! U+2066–U+2069) are written visibly as `\n`, `\r`, `\t` or `\u{…}`. Nothing a user supplies can
//! start a new line, move the cursor or send a terminal escape sequence.
//!
//! JSON strings: the escapes JSON requires (`"`, `\`, C0) plus DEL, C1, U+2028/U+2029 and the
//! bidirectional controls as `\u` escapes, so the file is safe to `cat` as well as to parse.
//!
//! Both write into a `String` without allocating beyond its growth, and take the fast path of a
//! single `push_str` when a value has nothing to escape.

use std::fmt::{self, Write};

/// Whether `c` must be escaped in output: control characters, line separators, bidi controls.
#[inline]
pub(crate) fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// Whether any byte of `s` may start an unsafe character (a quick over-approximation).
#[inline]
fn may_need_escape(s: &str, json: bool) -> bool {
    // 0xC2 leads U+0080..U+00BF (C1 lives there), 0xE2 leads U+2000..U+2FFF (separators, bidi).
    s.bytes().any(|b| b < 0x20 || b == 0x7f || b == 0xc2 || b == 0xe2 || (json && (b == b'"' || b == b'\\')))
}

/// Appends `s` to `out` with unsafe characters written visibly (`\n`, `\u{1b}`).
pub(crate) fn push_text(out: &mut String, s: &str) {
    if !may_need_escape(s, false) {
        out.push_str(s);
        return;
    }
    let mut start = 0;
    for (i, c) in s.char_indices() {
        if is_unsafe_char(c) {
            out.push_str(&s[start..i]);
            match c {
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\t' => out.push_str("\\t"),
                _ => {
                    let _ = write!(out, "\\u{{{:x}}}", c as u32);
                }
            }
            start = i + c.len_utf8();
        }
    }
    out.push_str(&s[start..]);
}

/// Appends `s` to `out` as the inside of a JSON string (no surrounding quotes).
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    if !may_need_escape(s, true) {
        out.push_str(s);
        return;
    }
    let mut start = 0;
    for (i, c) in s.char_indices() {
        let esc: Option<&str> = match c {
            '"' => Some("\\\""),
            '\\' => Some("\\\\"),
            '\n' => Some("\\n"),
            '\r' => Some("\\r"),
            '\t' => Some("\\t"),
            _ => None,
        };
        if esc.is_none() && !is_unsafe_char(c) {
            continue;
        }
        out.push_str(&s[start..i]);
        match esc {
            Some(e) => out.push_str(e),
            None => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
        }
        start = i + c.len_utf8();
    }
    out.push_str(&s[start..]);
}

/// A `fmt::Write` adapter that escapes everything written through it.
///
/// Used to format `Debug` and `Display` values straight into an output buffer.
pub(crate) struct Escaping<'a> {
    pub(crate) out: &'a mut String,
    pub(crate) json: bool,
}

impl Write for Escaping<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.json {
            push_json_str(self.out, s);
        } else {
            push_text(self.out, s);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(s: &str) -> String {
        let mut out = String::new();
        push_text(&mut out, s);
        out
    }

    fn json(s: &str) -> String {
        let mut out = String::new();
        push_json_str(&mut out, s);
        out
    }

    #[test]
    fn text_escapes_every_control_character_visibly() {
        assert_eq!(text("a\nb\rc\td"), "a\\nb\\rc\\td");
        assert_eq!(text("\u{1b}[31mred"), "\\u{1b}[31mred");
        assert_eq!(text("x\u{7f}\u{85}\u{9b}y"), "x\\u{7f}\\u{85}\\u{9b}y");
        assert_eq!(text("a\u{2028}b\u{2029}c\u{202e}d\u{2067}"), "a\\u{2028}b\\u{2029}c\\u{202e}d\\u{2067}");
        for c in (0u32..0x20).chain(0x7f..0xa0) {
            let c = char::from_u32(c).unwrap();
            let out = text(&format!("<{c}>"));
            assert!(out.chars().all(|c| !c.is_control()), "{c:?} passed through: {out:?}");
        }
    }

    #[test]
    fn text_keeps_ordinary_unicode_and_quotes() {
        assert_eq!(text("café → ✅ 'q' \"x\" \\"), "café → ✅ 'q' \"x\" \\");
        assert_eq!(text("\u{2022}\u{20ac}"), "\u{2022}\u{20ac}");
    }

    #[test]
    fn json_output_parses_back_to_the_input() {
        let nasty = "q\"uote\\ \n\r\t\u{0}\u{1b}[2J\u{7f}\u{85}\u{2028}\u{2029}\u{202e} ✅";
        let escaped = json(nasty);
        assert!(!escaped.contains('\u{2028}') && !escaped.contains('\u{85}') && !escaped.contains('\n'));
        let parsed: String = serde_json::from_str(&format!("\"{escaped}\"")).unwrap();
        assert_eq!(parsed, nasty);
    }
}
