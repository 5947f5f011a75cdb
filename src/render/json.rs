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

use super::escape::{Escaping, push_json_str};
use super::{Action, EventKind, Renderer};
use crate::fields::{CONTEXT_FIELDS, SESSION_FIELDS, USER_ID_SLOT, json as key};

impl Renderer {
    /// Writes the JSON line of `action` (with its newline) into `out`.
    pub(crate) fn json(&self, action: &Action<'_>, narrative: &str, out: &mut String) {
        let record = action.record;
        out.push('{');
        push_fixed(out, key::TIMESTAMP, |o| quoted_time(o, action));
        push_fixed(out, key::LEVEL, |o| {
            o.push('"');
            o.push_str(action.level.as_str());
            o.push('"');
        });
        push_fixed(out, key::EVENT, |o| {
            JsonValue(o).str(match action.kind {
                EventKind::Action => key::USER_ACTION,
                EventKind::Log => key::LOG,
            })
        });
        push_fixed(out, key::NARRATIVE, |o| JsonValue(o).str(narrative));

        push_fixed(out, key::ACTION, |o| {
            o.push('{');
            push_fixed(o, "action_type", |o| JsonValue(o).str(action.action_type.name()));
            push_fixed(o, "description", |o| JsonValue(o).str(action.description));
            push_fixed(o, "result", |o| JsonValue(o).str(action.result));
            push_fixed(o, "success", |o| o.push_str(if action.success { "true" } else { "false" }));
            push_fixed(o, "duration_ms", |o| match record.duration_ms {
                Some(ms) => JsonValue(o).f64(ms),
                None => o.push_str("null"),
            });
            if let Some(slow) = action.slowness.json_name() {
                push_fixed(o, key::SLOW, |o| JsonValue(o).str(slow));
            }
            push_fixed(o, "timestamp", |o| quoted_time(o, action));
            push_fixed(o, key::DATA, |o| {
                o.push('{');
                o.push_str(&record.data);
                o.push('}');
            });
            o.push('}');
        });

        push_fixed(out, key::SESSION, |o| {
            o.push('{');
            for (i, value) in record.session.iter() {
                let value = match (i, value) {
                    (USER_ID_SLOT, None | Some("")) => self.unknown_user.as_deref().or(value),
                    _ => value,
                };
                push_fixed(o, SESSION_FIELDS[i], |o| match value {
                    Some(v) => JsonValue(o).str(v),
                    None => o.push_str("null"),
                });
            }
            o.push('}');
        });

        push_fixed(out, key::CONTEXT, |o| {
            o.push('{');
            for (i, value) in record.context.iter() {
                if let Some(v) = value {
                    push_fixed(o, CONTEXT_FIELDS[i], |o| JsonValue(o).str(v));
                }
            }
            if !record.context_extra.is_empty() {
                if !o.ends_with('{') {
                    o.push(',');
                }
                o.push_str(&record.context_extra);
            }
            o.push('}');
        });

        push_fixed(out, key::ENVIRONMENT, |o| {
            o.push('"');
            o.push_str(&self.environment_json);
            o.push('"');
        });
        out.push_str("}\n");
    }
}

fn quoted_time(out: &mut String, action: &Action<'_>) {
    out.push('"');
    out.push_str(action.time.utc());
    out.push('"');
}

/// Appends a JSON literal.
pub(crate) struct JsonValue<'a>(pub(crate) &'a mut String);

impl JsonValue<'_> {
    pub(crate) fn str(self, s: &str) {
        self.0.push('"');
        push_json_str(self.0, s);
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
}

/// Like [`push_member`] for the crate's own keys, which need no escaping.
pub(crate) fn push_fixed(out: &mut String, name: &'static str, value: impl FnOnce(&mut String)) {
    debug_assert!(name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'));
    push_key(out, |out| out.push_str(name));
    value(out);
}

/// Appends `"name":<value>` to the inside of a JSON object, with a comma unless it is the first.
pub(crate) fn push_member(out: &mut String, name: &str, value: impl FnOnce(&mut String)) {
    push_key(out, |out| push_json_str(out, name));
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
