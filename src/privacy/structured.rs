//! Masking of structured text field by field: JSON documents and `application/x-www-form-urlencoded`
//! text (form bodies and URL query strings).
//!
//! The value patterns of [`Masker::mask_text`] see `"password": "…"` in JSON, but not a
//! password that is a number, an object, or in a list, nor a form field whose name is
//! percent-encoded (`pass%77ord=…`). These walk the structure instead, decode each name, and mask
//! every value under a [sensitive name](Masker::is_sensitive_name), whole.
//!
//! Both are forgiving: text cut short (a capped body) or not well formed is walked as far as it
//! goes, and a value left unterminated under a sensitive name is masked to its end.

use std::borrow::Cow;

use super::Masker;

impl Masker {
    /// `json` with every value under a sensitive key masked, whatever its type: a string,
    /// number or literal becomes the mask as a JSON string; in an object or array under a
    /// sensitive key, every scalar is masked. Every other value has the secrets it holds masked
    /// as [`mask_text`](Self::mask_text) would (a token in a string, a card number). Keys and
    /// structure are unchanged: valid JSON stays valid.
    ///
    /// ```
    /// use tracing_activity::config::MaskStyle;
    /// use tracing_activity::privacy::Masker;
    ///
    /// let masker = Masker::new(["pin"], MaskStyle::Partial);
    /// assert_eq!(
    ///     masker.mask_json(r#"{"user":"ann","pin":1234,"auth":{"otp":"99"},"tags":["a"]}"#),
    ///     r#"{"user":"ann","pin":"****","auth":{"otp":"****"},"tags":["a"]}"#,
    /// );
    /// ```
    pub fn mask_json<'t>(&self, json: &'t str) -> Cow<'t, str> {
        let b = json.as_bytes();
        let mut edit = Edit::new(json);
        // Open containers: (is an object, everything inside is masked).
        let mut stack: Vec<(bool, bool)> = Vec::new();
        // In an object: whether the next string is a key, and whether the last key is sensitive.
        let mut expect_key = false;
        let mut key_sensitive = false;
        let mut i = 0;
        while i < b.len() {
            let (in_object, inside_masked) = stack.last().copied().unwrap_or((false, false));
            let masked_value = inside_masked || (in_object && !expect_key && key_sensitive);
            match b[i] {
                open @ (b'{' | b'[') => {
                    stack.push((open == b'{', masked_value));
                    expect_key = open == b'{';
                    key_sensitive = false;
                    i += 1;
                }
                b'}' | b']' => {
                    stack.pop();
                    expect_key = false;
                    key_sensitive = false;
                    i += 1;
                }
                b':' => {
                    expect_key = false;
                    i += 1;
                }
                b',' => {
                    expect_key = in_object;
                    key_sensitive = false;
                    i += 1;
                }
                b' ' | b'\t' | b'\r' | b'\n' => i += 1,
                b'"' => {
                    let end = string_end(b, i + 1);
                    let terminated = end <= b.len();
                    let content = if terminated { &json[i + 1..end - 1] } else { &json[i + 1..] };
                    let end = end.min(b.len());
                    if in_object && expect_key {
                        key_sensitive = self.is_sensitive_name(&unescape(content));
                    } else if masked_value {
                        edit.replace(i..end, |out| self.push_json_mask(&unescape(content), out));
                    } else if let Cow::Owned(masked) = self.mask_text(&unescape(content)) {
                        edit.replace(i..end, |out| push_json_string(&masked, out));
                    }
                    i = end;
                }
                _ => {
                    let end = b[i..]
                        .iter()
                        .position(|c| {
                            matches!(
                                c,
                                b',' | b':' | b'{' | b'}' | b'[' | b']' | b'"' | b' ' | b'\t' | b'\r' | b'\n'
                            )
                        })
                        .map_or(b.len(), |n| i + n);
                    if masked_value {
                        edit.replace(i..end, |out| self.push_json_mask(&json[i..end], out));
                    } else if let Cow::Owned(masked) = self.mask_text(&json[i..end]) {
                        edit.replace(i..end, |out| push_json_string(&masked, out));
                    }
                    i = end;
                }
            }
        }
        edit.finish()
    }

    /// `form` (`name=value&name=value`, a form body or a URL query string) with the value of
    /// every field whose name is sensitive masked. Names are compared percent-decoded (`+` is
    /// a space), and a bracketed name (`user[password]`) is sensitive when any part of it is.
    /// Then what [`mask_text`](Self::mask_text) finds in the rest is masked too.
    ///
    /// ```
    /// use tracing_activity::config::MaskStyle;
    /// use tracing_activity::privacy::Masker;
    ///
    /// let masker = Masker::new([] as [&str; 0], MaskStyle::Partial);
    /// assert_eq!(masker.mask_form("q=rust&pass%77ord=hunter22"), "q=rust&pass%77ord=****");
    /// assert_eq!(masker.mask_form("user%5Btoken%5D=abc"), "user%5Btoken%5D=****");
    /// ```
    pub fn mask_form<'t>(&self, form: &'t str) -> Cow<'t, str> {
        match self.mask_form_fields(form) {
            Cow::Borrowed(form) => self.mask_text(form),
            Cow::Owned(masked) => Cow::Owned(self.mask_text(&masked).into_owned()),
        }
    }

    /// [`mask_form`](Self::mask_form) without the value patterns: for a URL's query, which the
    /// activity layer runs them over with the rest of the URL.
    pub(crate) fn mask_form_fields<'t>(&self, form: &'t str) -> Cow<'t, str> {
        // Names written as they are (no escapes, no brackets) are judged by the prefilter's
        // name check at each `=` first: most queries have no sensitive name at all.
        if !form.bytes().any(|b| matches!(b, b'%' | b'+' | b'['))
            && !self.prefilter.may_name_a_secret(form.as_bytes())
        {
            return Cow::Borrowed(form);
        }
        let mut edit = Edit::new(form);
        let mut start = 0;
        for pair in form.split('&') {
            if let Some((name, value)) = pair.split_once('=') {
                if !value.is_empty() && self.is_sensitive_form_name(&percent_decode(name)) {
                    let at = start + name.len() + 1;
                    edit.replace(at..at + value.len(), |out| self.push_mask(value, out));
                }
            }
            start += pair.len() + 1;
        }
        edit.finish()
    }

    /// A form field name is sensitive as a whole, or by any of its bracketed parts.
    fn is_sensitive_form_name(&self, name: &str) -> bool {
        self.is_sensitive_name(name)
            || (name.contains('[')
                && name.split(['[', ']']).any(|part| !part.is_empty() && self.is_sensitive_name(part)))
    }

    /// The mask of `value` as a JSON string, quotes included.
    fn push_json_mask(&self, value: &str, out: &mut String) {
        let mut mask = String::new();
        self.push_mask(value, &mut mask);
        push_json_string(&mask, out);
    }
}

/// `text` as a JSON string, quotes included.
fn push_json_string(text: &str, out: &mut String) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if u32::from(c) < 0x20 => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Copies a text with some byte ranges replaced, allocating only at the first replacement.
pub(super) struct Edit<'t> {
    text: &'t str,
    out: Option<String>,
    copied: usize,
}

impl<'t> Edit<'t> {
    pub(super) fn new(text: &'t str) -> Self {
        Edit { text, out: None, copied: 0 }
    }

    /// Replaces `range` (after every range replaced before) by what `write` appends.
    pub(super) fn replace(&mut self, range: std::ops::Range<usize>, write: impl FnOnce(&mut String)) {
        let out = self.out.get_or_insert_with(|| String::with_capacity(self.text.len()));
        out.push_str(&self.text[self.copied..range.start]);
        write(out);
        self.copied = range.end;
    }

    pub(super) fn finish(self) -> Cow<'t, str> {
        match self.out {
            None => Cow::Borrowed(self.text),
            Some(mut out) => {
                out.push_str(&self.text[self.copied..]);
                Cow::Owned(out)
            }
        }
    }
}

/// The index just past the closing quote of a JSON string whose content starts at `from`, or
/// `b.len() + 1` when the string is not terminated.
fn string_end(b: &[u8], from: usize) -> usize {
    let mut i = from;
    while i < b.len() {
        match b[i] {
            b'\\' => i += 2,
            b'"' => return i + 1,
            _ => i += 1,
        }
    }
    b.len() + 1
}

/// The text of a JSON string's content, escapes decoded (a broken escape is kept as written).
fn unescape(content: &str) -> Cow<'_, str> {
    if !content.contains('\\') {
        return Cow::Borrowed(content);
    }
    let mut out = String::with_capacity(content.len());
    let mut chars = content.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('n') => out.push('\n'),
            Some('t') => out.push('\t'),
            Some('r') => out.push('\r'),
            Some('b') => out.push('\u{8}'),
            Some('f') => out.push('\u{c}'),
            Some('u') => {
                let rest = chars.as_str();
                let unit = |s: &str| {
                    s.get(..4)
                        .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                        .and_then(|h| u16::from_str_radix(h, 16).ok())
                };
                match unit(rest) {
                    Some(high @ 0xD800..=0xDBFF) => {
                        let low = rest.get(4..6).filter(|p| *p == "\\u").and_then(|_| unit(&rest[6..]));
                        match low {
                            Some(low @ 0xDC00..=0xDFFF) => {
                                let code =
                                    0x10000 + ((u32::from(high) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                                out.push(char::from_u32(code).unwrap_or('\u{FFFD}'));
                                chars = rest[10..].chars();
                            }
                            _ => {
                                out.push('\u{FFFD}');
                                chars = rest[4..].chars();
                            }
                        }
                    }
                    Some(unit) => {
                        out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{FFFD}'));
                        chars = rest[4..].chars();
                    }
                    None => out.push_str("\\u"),
                }
            }
            Some(other) => out.push(other),
            None => out.push('\\'),
        }
    }
    Cow::Owned(out)
}

/// `text` percent-decoded, with `+` as a space; invalid UTF-8 is replaced.
pub(crate) fn percent_decode(text: &str) -> Cow<'_, str> {
    if !text.contains(['%', '+']) {
        return Cow::Borrowed(text);
    }
    let b = text.as_bytes();
    let mut bytes = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match b[i] {
            b'%' if i + 2 < b.len() => match (hex(b[i + 1]), hex(b[i + 2])) {
                (Some(h), Some(l)) => {
                    bytes.push((h * 16 + l) as u8);
                    i += 3;
                    continue;
                }
                _ => bytes.push(b'%'),
            },
            b'+' => bytes.push(b' '),
            c => bytes.push(c),
        }
        i += 1;
    }
    Cow::Owned(String::from_utf8_lossy(&bytes).into_owned())
}

#[cfg(test)]
mod tests {
    use crate::config::MaskStyle;
    use crate::privacy::Masker;

    fn masker() -> Masker {
        Masker::new(["pin"], MaskStyle::Partial)
    }

    #[test]
    fn json_values_under_sensitive_keys_are_masked_whatever_their_type() {
        let m = masker();
        let cases = [
            (
                r#"{"email":"a@b.c","password":"hunter2hunter2"}"#,
                r#"{"email":"a@b.c","password":"hu*******r2"}"#,
            ),
            (r#"{"pin":1234,"n":5}"#, r#"{"pin":"****","n":5}"#),
            (r#"{"token":null,"ok":true}"#, r#"{"token":"****","ok":true}"#),
            (
                r#"{"secret":["abc",{"x":1}],"after":"kept"}"#,
                r#"{"secret":["****",{"x":"****"}],"after":"kept"}"#,
            ),
            (r#"[{"apiKey":"k"},{"name":"password"}]"#, r#"[{"apiKey":"****"},{"name":"password"}]"#),
            (r#"{ "pass\u0077ord" : "x" }"#, r#"{ "pass\u0077ord" : "****" }"#),
            (r#"{"a":{"password":"p"},"b":"v"}"#, r#"{"a":{"password":"****"},"b":"v"}"#),
            (r#"{"password":"a\"b"}"#, r#"{"password":"****"}"#),
            (r#""password""#, r#""password""#),
            ("", ""),
        ];
        for (input, expected) in cases {
            assert_eq!(m.mask_json(input), expected, "{input}");
        }
    }

    #[test]
    fn json_cut_short_is_masked_to_its_end() {
        let m = masker();
        assert_eq!(
            m.mask_json(r#"{"user":"ann","password":"hunter2hun"#),
            r#"{"user":"ann","password":"hu*******un""#
        );
        assert_eq!(m.mask_json(r#"{"password":12345"#), r#"{"password":"****""#);
        assert_eq!(m.mask_json(r#"{"passw"#), r#"{"passw"#);
        assert_eq!(m.mask_json(r#"{"password":"\"#), r#"{"password":"****""#);
    }

    #[test]
    fn form_fields_with_sensitive_names_are_masked() {
        let m = masker();
        let cases = [
            ("user=ann&password=hunter22", "user=ann&password=****"),
            ("pass%77ord=hunter22hunter", "pass%77ord=hu*******er"),
            ("api%5Fkey=abc&x=1", "api%5Fkey=****&x=1"),
            ("user[password]=abc&user[name]=ann", "user[password]=****&user[name]=ann"),
            ("password=&a=b", "password=&a=b"),
            ("password", "password"),
            ("a=1&&pin=42&", "a=1&&pin=****&"),
            ("%zz=1&%", "%zz=1&%"),
        ];
        for (input, expected) in cases {
            assert_eq!(m.mask_form(input), expected, "{input}");
        }
    }

    #[test]
    fn percent_decoding() {
        use super::percent_decode;
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(percent_decode("%e2%82%ac"), "€");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%4"), "%4");
        assert_eq!(percent_decode("%ff"), "\u{FFFD}");
    }
}
