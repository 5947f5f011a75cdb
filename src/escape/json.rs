//! JSON literals: strings escaped for a line, numbers, and the members of an object.

use std::fmt::{self, Write};

use super::{Escaping, Text};

/// Appends a JSON literal.
pub(crate) struct JsonValue<'a>(pub(crate) &'a mut String);

impl JsonValue<'_> {
    /// A string, escaped.
    pub(crate) fn str(self, s: &str) {
        self.text(Text::new(s));
    }

    /// A string, copied as it is when it is known to be plain.
    pub(crate) fn text(self, text: Text<'_>) {
        self.0.push('"');
        text.push_to_json(self.0);
        self.0.push('"');
    }

    /// A formatted value as a JSON string, escaped as it is written.
    pub(crate) fn quoted(self, value: fmt::Arguments<'_>) -> fmt::Result {
        self.0.push('"');
        let result = Escaping { out: self.0, json: true }.write_fmt(value);
        self.0.push('"');
        result
    }

    pub(crate) fn f64(self, v: f64) {
        super::number::push_json_f64(self.0, v);
    }

    /// `text` as the JSON value it is when it is one (see `json_text::push_compact_json`), else as a
    /// string.
    pub(crate) fn json_or_str(self, text: &str) {
        if !super::json_text::push_compact_json(self.0, text) {
            self.str(text);
        }
    }
}

/// Like [`push_member`] for the crate's own keys, which need no escaping.
pub(crate) fn push_fixed(out: &mut String, name: &'static str, value: impl FnOnce(&mut String)) {
    push_member_text(out, Text::own(name), value);
}

/// Appends `"name":<value>` to the inside of a JSON object, with a comma unless it is the first.
pub(crate) fn push_member(out: &mut String, name: &str, value: impl FnOnce(&mut String)) {
    push_member_text(out, Text::new(name), value);
}

fn push_member_text(out: &mut String, name: Text<'_>, value: impl FnOnce(&mut String)) {
    if !out.is_empty() && !out.ends_with('{') {
        out.push(',');
    }
    out.push('"');
    name.push_to_json(out);
    out.push_str("\":");
    value(out);
}
