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

pub(crate) mod json;
mod json_text;
pub(crate) mod number;

use std::fmt::{self, Write};

/// Whether `c` must be escaped in output: control characters, line separators, bidi controls.
#[cfg(test)]
fn is_unsafe_char(c: char) -> bool {
    matches!(c,
        '\u{0}'..='\u{1f}' | '\u{7f}'..='\u{9f}' | '\u{2028}' | '\u{2029}'
        | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// What a scan stops at.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Scan {
    /// Console and narrative text: control characters, line separators, bidi controls.
    Text,
    /// A JSON string: [`Scan::Text`]'s characters plus `"` and `\`.
    Json,
}

/// Finds the next character of `s` at or after byte `i` that `scan` must escape: its byte
/// index, its length in bytes and the character.
///
/// Works on bytes: ASCII is checked directly, and only the lead bytes of C1 (`0xC2`) and of the
/// U+2000 block (`0xE2`) look further, so emoji and other text cost one comparison per byte.
#[inline]
fn find_unsafe(s: &[u8], mut i: usize, scan: Scan) -> Option<(usize, usize, char)> {
    let table = match scan {
        Scan::Text => &TEXT_STOPS,
        Scan::Json => &JSON_STOPS,
    };
    loop {
        i = skip_plain(s, i, scan);
        let b = *s.get(i)?;
        if table[usize::from(b)] {
            match b {
                0xc2 => {
                    // U+0080..U+00BF is 0xC2 followed by the code point's own low byte.
                    if let Some(&n @ 0x80..=0x9f) = s.get(i + 1) {
                        return Some((i, 2, char::from(n)));
                    }
                }
                0xe2 => {
                    if let (Some(&b1), Some(&b2)) = (s.get(i + 1), s.get(i + 2)) {
                        let cp = 0x2000 | (u32::from(b1 & 0x3f) << 6) | u32::from(b2 & 0x3f);
                        if matches!(cp, 0x2028 | 0x2029 | 0x202a..=0x202e | 0x2066..=0x2069) {
                            return Some((i, 3, char::from_u32(cp).unwrap_or('\u{fffd}')));
                        }
                    }
                }
                _ => return Some((i, 1, char::from(b))),
            }
        }
        i += 1;
    }
}

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGHS: u64 = 0x8080_8080_8080_8080;

/// Skips, eight bytes at a time, bytes that need no escaping; stops at the first byte that may
/// (a control byte; for text and JSON also DEL and any non-ASCII byte; for JSON `"` and `\`), or
/// at the end.
#[inline]
fn skip_plain(s: &[u8], mut i: usize, scan: Scan) -> usize {
    /// High bit set in each byte of `x` that is zero (exact for the lowest such byte).
    #[inline]
    fn zero_bytes(x: u64) -> u64 {
        x.wrapping_sub(ONES) & !x & HIGHS
    }
    #[inline]
    fn flagged(w: u64, scan: Scan) -> u64 {
        // Bytes below 0x20.
        let mut flagged = w.wrapping_sub(ONES * 0x20) & !w & HIGHS;
        // DEL, or the high bit set.
        flagged |= zero_bytes(w ^ (ONES * 0x7f)) | (w & HIGHS);
        if scan == Scan::Json {
            flagged |= zero_bytes(w ^ (ONES * u64::from(b'"'))) | zero_bytes(w ^ (ONES * u64::from(b'\\')));
        }
        flagged
    }
    while let Some(chunk) = s.get(i..i + 8) {
        let flagged = flagged(u64::from_le_bytes(chunk.try_into().unwrap_or_default()), scan);
        if flagged != 0 {
            return i + (flagged.trailing_zeros() / 8) as usize;
        }
        i += 8;
    }
    // The last few bytes, padded with plain ones, in one more step.
    let rest = s.get(i..).unwrap_or_default();
    if rest.is_empty() {
        return i;
    }
    let mut padded = [b'a'; 8];
    padded[..rest.len()].copy_from_slice(rest);
    match flagged(u64::from_le_bytes(padded), scan) {
        0 => s.len(),
        flagged => i + (flagged.trailing_zeros() / 8) as usize,
    }
}

/// Bytes that stop the scan: C0, DEL, and the lead bytes of C1 (`0xC2`) and U+2xxx (`0xE2`).
static TEXT_STOPS: [bool; 256] = stops(false);
/// [`TEXT_STOPS`] plus `"` and `\`.
static JSON_STOPS: [bool; 256] = stops(true);
const fn stops(json: bool) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 0x20 {
        table[b] = true;
        b += 1;
    }
    table[0x7f] = true;
    table[0xc2] = true;
    table[0xe2] = true;
    if json {
        table[b'"' as usize] = true;
        table[b'\\' as usize] = true;
    }
    table
}

/// Appends `s` to `out`, writing each character `find_unsafe` reports through `escape`.
#[inline]
fn push_escaped(out: &mut String, s: &str, scan: Scan, escape: fn(&mut String, char)) {
    let bytes = s.as_bytes();
    let mut start = 0;
    while let Some((i, len, c)) = find_unsafe(bytes, start, scan) {
        out.push_str(&s[start..i]);
        escape(out, c);
        start = i + len;
    }
    out.push_str(&s[start..]);
}

/// Whether `b` is written as it is in console text and in a JSON string alike: printable ASCII
/// (space to `~`) but `"` and `\`.
pub(crate) const fn is_plain_byte(b: u8) -> bool {
    matches!(b, b' '..=b'~') && b != b'"' && b != b'\\'
}

/// Whether every byte of `s` is [plain](is_plain_byte): such text needs no escaping anywhere.
pub(crate) fn is_plain(s: &str) -> bool {
    s.bytes().all(is_plain_byte)
}

/// A text to write into a line, and whether it is known to be [plain](is_plain).
///
/// Plain text is copied into the console line and into a JSON string without an escaping scan.
/// The masking scan finds this out in the same pass as it looks for secrets
/// ([`Privacy`](crate::privacy)), and the text keeps the answer on its way to the lines: through
/// a span, the record and the narrative. `plain: false` means not known, not "needs escaping".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Text<'a> {
    pub(crate) str: &'a str,
    pub(crate) plain: bool,
}

impl<'a> Text<'a> {
    /// A text not known to be plain: it is escaped as it is written.
    pub(crate) const fn new(str: &'a str) -> Self {
        Text { str, plain: false }
    }

    /// The crate's own word or name, which is plain.
    pub(crate) fn own(str: &'a str) -> Self {
        debug_assert!(is_plain(str), "not plain: {str:?}");
        Text { str, plain: true }
    }

    /// Appends the text escaped for the console and the narrative ([`push_text`]).
    pub(crate) fn push_to_text(self, out: &mut String) {
        self.copy_or(out, push_text);
    }

    /// Appends the text as the inside of a JSON string ([`push_json_str`]).
    pub(crate) fn push_to_json(self, out: &mut String) {
        self.copy_or(out, push_json_str);
    }

    /// Copies the text when it is plain, else appends it through `escape`.
    #[inline]
    fn copy_or(self, out: &mut String, escape: fn(&mut String, &str)) {
        debug_assert!(!self.plain || is_plain(self.str), "not plain: {:?}", self.str);
        if self.plain {
            out.push_str(self.str);
        } else {
            escape(out, self.str);
        }
    }
}

/// A [`Text`] kept in a reusable buffer.
#[derive(Debug, Default)]
pub(crate) struct TextBuf {
    buf: String,
    plain: bool,
}

impl TextBuf {
    pub(crate) fn as_text(&self) -> Text<'_> {
        Text { str: &self.buf, plain: self.plain }
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.buf.is_empty()
    }

    pub(crate) fn clear(&mut self) {
        self.buf.clear();
        self.plain = false;
    }

    /// Replaces the text with `text`.
    pub(crate) fn set(&mut self, text: Text<'_>) {
        self.buf.clear();
        self.buf.push_str(text.str);
        self.plain = text.plain;
    }

    /// The buffer, emptied, to write a text not known to be plain into.
    pub(crate) fn overwrite(&mut self) -> &mut String {
        self.clear();
        &mut self.buf
    }

    /// Appends `text`: the whole is plain when both parts are.
    pub(crate) fn push(&mut self, text: Text<'_>) {
        self.plain = (self.buf.is_empty() || self.plain) && text.plain;
        self.buf.push_str(text.str);
    }

    pub(crate) fn capacity(&self) -> usize {
        self.buf.capacity()
    }
}

/// Appends `s` to `out` with unsafe characters written visibly (`\n`, `\u{1b}`).
pub(crate) fn push_text(out: &mut String, s: &str) {
    push_escaped(out, s, Scan::Text, |out, c| match c {
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        _ => {
            let _ = write!(out, "\\u{{{:x}}}", u32::from(c));
        }
    });
}

/// Appends `s` to `out` as the inside of a JSON string (no surrounding quotes).
pub(crate) fn push_json_str(out: &mut String, s: &str) {
    push_escaped(out, s, Scan::Json, push_json_escape);
}

/// The JSON escape of one character.
fn push_json_escape(out: &mut String, c: char) {
    match c {
        '"' => out.push_str("\\\""),
        '\\' => out.push_str("\\\\"),
        '\n' => out.push_str("\\n"),
        '\r' => out.push_str("\\r"),
        '\t' => out.push_str("\\t"),
        _ => {
            let _ = write!(out, "\\u{:04x}", u32::from(c));
        }
    }
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
    fn byte_scan_agrees_with_the_character_rule() {
        // Every code point from U+0000 to U+30FF, alone and between other text.
        for cp in 0..0x3100u32 {
            let Some(c) = char::from_u32(cp) else { continue };
            let s = format!("é{c}✅ and then some plain text {c} after it");
            let found = find_unsafe(s.as_bytes(), 0, Scan::Text).map(|(_, _, c)| c);
            assert_eq!(found, is_unsafe_char(c).then_some(c), "U+{cp:04X}");
        }
    }

    #[test]
    fn every_stop_is_found_at_every_offset() {
        // The eight-byte skip must find a stop whatever its position in a word.
        for stop in ["\n", "\u{1b}", "\u{7f}", "\u{85}", "\u{2028}", "\u{202e}"] {
            for at in 0..20 {
                let s = format!("{}{stop}{}", "a".repeat(at), "b".repeat(9));
                let found = find_unsafe(s.as_bytes(), 0, Scan::Text).map(|(i, _, c)| (i, c));
                assert_eq!(found, Some((at, stop.chars().next().unwrap())), "{stop:?} at {at}");
            }
        }
        for at in 0..20 {
            let s = format!("{}\"{}", "a".repeat(at), "b".repeat(9));
            assert_eq!(find_unsafe(s.as_bytes(), 0, Scan::Json).map(|(i, ..)| i), Some(at));
            assert_eq!(find_unsafe(s.as_bytes(), 0, Scan::Text), None, "a quote is fine in text");
        }
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
