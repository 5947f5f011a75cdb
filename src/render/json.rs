//! The JSON line: one object per action, with the keys of [`crate::fields::json`].
//!
//! ```json
//! {"timestamp":"2024-01-15T14:30:25.123456Z","level":"INFO","event":"user_action",
//!  "narrative":"🔌 User user123 made API call to 'GET /user-queries' at 14:30:25 → ✅ Result: HTTP 200 SUCCESS (took 45.32ms)",
//!  "action":{"action_type":"api_call","description":"GET /user-queries","result":"HTTP 200 SUCCESS",
//!            "success":true,"duration_ms":45.32,"timestamp":"2024-01-15T14:30:25.123456Z","data":{}},
//!  "session":{"session_id":"s-1","user_id":"user123","ip_address":null,"user_agent":null,"current_page":null,"referrer":null},
//!  "context":{"request_id":"req-789-012","method":"GET","url":"http://localhost:8000/user-queries"},
//!  "environment":"development"}
//! ```
//!
//! The keys are fixed: user fields can only appear inside `action.data` (event fields) and
//! `context` (span fields), and there each name is written once, so no object has a key twice.
//! `session` always has its six keys (`null` when unknown); `context` has the keys that are known.
//! `action.duration_ms` is `null` without a duration; `action.slow` is present only when the
//! action reached a threshold.

use std::fmt::{self, Write};

use super::escape::{Escaping, push_json_safe_text, push_json_str_known};
use super::{Action, EventKind, Renderer};
use crate::fields::{Slot, USER_ID_SLOT};

impl Renderer {
    /// Writes the JSON line of `action` (with its newline) into `out`.
    ///
    /// The crate's own keys and punctuation are written as literals (checked against
    /// [`crate::fields::json`] by the tests), so a line is a few dozen copies plus the escaping
    /// of the values.
    ///
    /// `narrative_plain`: the narrative holds no `"`, `\\` or control character (every value in
    /// it was [plain](super::is_plain)), so it is copied without a scan.
    pub(crate) fn json(&self, action: &Action<'_>, narrative: &str, narrative_plain: bool, out: &mut String) {
        let record = action.record;
        let time = action.time.utc();
        out.push_str("{\"timestamp\":\"");
        out.push_str(time);
        out.push_str("\",\"level\":\"");
        out.push_str(action.level.as_str());
        out.push_str(match action.kind {
            EventKind::Action => "\",\"event\":\"user_action\",\"narrative\":\"",
            EventKind::Log => "\",\"event\":\"log\",\"narrative\":\"",
        });
        debug_assert!(!narrative_plain || !narrative.bytes().any(|b| b == b'"' || b == b'\\' || b < 0x20));
        if narrative_plain {
            out.push_str(narrative);
        } else {
            push_json_safe_text(out, narrative);
        }
        let plain = action.plain;
        out.push_str("\",\"action\":{\"action_type\":");
        JsonValue(out).str_known(action.action_type.name(), plain.contains(Slot::ActionType));
        out.push_str(",\"description\":");
        JsonValue(out).str_known(action.description, plain.contains(Slot::Description));
        out.push_str(",\"result\":");
        JsonValue(out).str_known(action.result, plain.contains(Slot::Result));
        out.push_str(if action.success {
            ",\"success\":true,\"duration_ms\":"
        } else {
            ",\"success\":false,\"duration_ms\":"
        });
        match record.duration_ms {
            Some(ms) => JsonValue(out).f64(ms),
            None => out.push_str("null"),
        }
        if let Some(slow) = action.slowness.json_name() {
            out.push_str(",\"slow\":\"");
            out.push_str(slow);
            out.push('"');
        }
        out.push_str(",\"timestamp\":\"");
        out.push_str(time);
        out.push_str("\",\"data\":{");
        out.push_str(&record.data);
        out.push_str("}},\"session\":{");
        for (i, value) in record.session.iter() {
            let (value, plain) = match (i, value) {
                (USER_ID_SLOT, None | Some("")) => (self.unknown_user.as_deref().or(value), false),
                _ => (value, record.plain.contains(Slot::Session(i))),
            };
            out.push_str(SESSION_KEYS[i]);
            match value {
                Some(v) => JsonValue(out).str_known(v, plain),
                None => out.push_str("null"),
            }
        }
        out.push_str("},\"context\":{");
        let mut first = true;
        for (i, value) in record.context.iter() {
            if let Some(v) = value {
                out.push_str(&CONTEXT_KEYS[i][usize::from(first)..]);
                JsonValue(out).str_known(v, record.plain.contains(Slot::Context(i)));
                first = false;
            }
        }
        if !record.context_extra.is_empty() {
            if !first {
                out.push(',');
            }
            out.push_str(&record.context_extra);
        }
        out.push_str("},\"environment\":\"");
        out.push_str(&self.environment_json);
        out.push_str("\"}\n");
    }
}

/// `"session_id":`, `,"user_id":`, ...: the session keys with what goes before them.
const SESSION_KEYS: [&str; 6] = [
    "\"session_id\":",
    ",\"user_id\":",
    ",\"ip_address\":",
    ",\"user_agent\":",
    ",\"current_page\":",
    ",\"referrer\":",
];

/// `,"request_id":`, ...: the context keys with a comma, to be written without it first.
const CONTEXT_KEYS: [&str; 5] =
    [",\"request_id\":", ",\"method\":", ",\"url\":", ",\"route\":", ",\"feature\":"];

/// Appends a JSON literal.
pub(crate) struct JsonValue<'a>(pub(crate) &'a mut String);

impl JsonValue<'_> {
    pub(crate) fn str(self, s: &str) {
        self.str_known(s, false);
    }

    /// [`str`](Self::str), copying `s` without an escaping scan when it is known to be
    /// [plain](crate::render::is_plain).
    pub(crate) fn str_known(self, s: &str, plain: bool) {
        self.0.push('"');
        push_json_str_known(self.0, s, plain);
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
    debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    push_key(out, |out| out.push_str(name));
    value(out);
}

/// Appends `"name":<value>` to the inside of a JSON object, with a comma unless it is the first.
pub(crate) fn push_member(out: &mut String, name: &str, value: impl FnOnce(&mut String)) {
    push_member_known(out, name, false, value);
}

/// [`push_member`], copying the name without an escaping scan when it is known to be
/// [plain](crate::render::is_plain).
pub(crate) fn push_member_known(
    out: &mut String,
    name: &str,
    plain_name: bool,
    value: impl FnOnce(&mut String),
) {
    push_key(out, |out| push_json_str_known(out, name, plain_name));
    value(out);
}

/// Appends `,"name":` (no comma for the first member), the name written by `name`.
fn push_key(out: &mut String, name: impl FnOnce(&mut String)) {
    if !out.is_empty() && !out.ends_with('{') {
        out.push(',');
    }
    out.push('"');
    name(out);
    out.push_str("\":");
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::ActionType;
    use crate::config::Config;
    use crate::fields::{CONTEXT_FIELDS, SESSION_FIELDS, json as key};
    use crate::record::Record;
    use crate::render::{Slowness, TimeText};

    fn keys(value: &serde_json::Value) -> Vec<&str> {
        let mut keys: Vec<&str> = value.as_object().unwrap().keys().map(String::as_str).collect();
        keys.sort_unstable();
        keys
    }

    fn sorted<const N: usize>(mut names: [&'static str; N]) -> Vec<&'static str> {
        names.sort_unstable();
        names.to_vec()
    }

    #[test]
    fn the_literal_keys_are_the_documented_ones() {
        for (literal, name) in SESSION_KEYS.iter().zip(SESSION_FIELDS) {
            assert_eq!(literal.trim_start_matches(','), format!("\"{name}\":"));
        }
        for (literal, name) in CONTEXT_KEYS.iter().zip(CONTEXT_FIELDS) {
            assert_eq!(*literal, format!(",\"{name}\":"));
        }
        let renderer = Renderer::new(&Config::default(), chrono::FixedOffset::east_opt(0).unwrap(), None);
        let record = Record::new();
        let mut time = TimeText::new();
        time.set(chrono::Utc::now(), renderer.offset);
        for (kind, event) in [(EventKind::Action, key::USER_ACTION), (EventKind::Log, key::LOG)] {
            let action = Action {
                kind,
                action_type: ActionType::ApiCall,
                level: tracing_core::Level::INFO,
                success: true,
                description: "d",
                result: "r",
                plain: crate::fields::SlotSet::EMPTY,
                slowness: Slowness::Slow,
                record: &record,
                time: &time,
            };
            let mut line = String::new();
            renderer.json(&action, "n", false, &mut line);
            let value: serde_json::Value = serde_json::from_str(&line).unwrap();
            assert_eq!(
                keys(&value),
                sorted([
                    key::TIMESTAMP,
                    key::LEVEL,
                    key::EVENT,
                    key::NARRATIVE,
                    key::ACTION,
                    key::SESSION,
                    key::CONTEXT,
                    key::ENVIRONMENT
                ])
            );
            assert_eq!(value[key::EVENT], event);
            assert_eq!(
                keys(&value[key::ACTION]),
                sorted([
                    "action_type",
                    "description",
                    "result",
                    "success",
                    "duration_ms",
                    key::SLOW,
                    key::TIMESTAMP,
                    key::DATA
                ])
            );
            assert_eq!(keys(&value[key::SESSION]), sorted(SESSION_FIELDS));
        }
    }
}
