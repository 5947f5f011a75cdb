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

use chrono::{DateTime, Utc};

use super::{Action, Renderer, write_rfc3339};
use crate::escape::json::{JsonValue, push_fixed};
use crate::escape::number::push_u64;
use crate::escape::{Text, push_json_str};
use crate::fields::USER_ID_SLOT;
use crate::fields::json as key;
use crate::record::EventKind;

impl Renderer {
    /// Writes the JSON line of `action` (with its newline) into `out`.
    ///
    /// The crate's own keys and punctuation are written as literals (checked against
    /// [`crate::fields::json`] by the tests), so a line is a few dozen copies plus the escaping
    /// of the values.
    ///
    /// `narrative` is the action's narrative line; `json_safe`: it holds no `"`, `\\` or
    /// control character (every value in it was [plain](Text)), so it is copied without a scan.
    pub(crate) fn json(&self, action: &Action<'_>, narrative: &str, json_safe: bool, out: &mut String) {
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
        if json_safe {
            out.push_str(narrative);
        } else {
            push_json_str(out, narrative);
        }
        out.push_str("\",\"action\":{\"action_type\":");
        JsonValue(out).text(action.type_name);
        out.push_str(",\"description\":");
        JsonValue(out).text(action.description);
        out.push_str(",\"result\":");
        JsonValue(out).text(action.result);
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
            let unknown_user = i == USER_ID_SLOT && value.is_none_or(|v| v.str.is_empty());
            let value =
                if unknown_user { self.unknown_user.as_deref().map(Text::new).or(value) } else { value };
            out.push_str(SESSION_KEYS[i]);
            match value {
                Some(v) => JsonValue(out).text(v),
                None => out.push_str("null"),
            }
        }
        out.push_str("},\"context\":{");
        let mut first = true;
        for (i, value) in record.context.iter() {
            if let Some(v) = value {
                out.push_str(&CONTEXT_KEYS[i][usize::from(first)..]);
                JsonValue(out).text(v);
                first = false;
            }
        }
        if !record.context_extra.is_empty() {
            if !first {
                out.push(',');
            }
            out.push_str(&record.context_extra);
        }
        out.push('}');
        if let Some(trace) = &record.trace {
            out.push_str(",\"trace_id\":\"");
            out.push_str(trace.trace_id());
            out.push_str("\",\"span_id\":\"");
            out.push_str(trace.span_id());
            out.push('"');
        }
        out.push_str(",\"environment\":\"");
        out.push_str(&self.environment_json);
        out.push_str("\"}\n");
    }
}

impl Renderer {
    /// The notice the file gets after `dropped` lines found the queue full.
    pub(crate) fn json_dropped_notice(&self, dropped: u64, now: DateTime<Utc>, text: &str, out: &mut String) {
        out.push('{');
        push_fixed(out, key::TIMESTAMP, |o| {
            o.push('"');
            write_rfc3339(o, now);
            o.push('"');
        });
        push_fixed(out, key::LEVEL, |o| o.push_str("\"WARN\""));
        push_fixed(out, key::EVENT, |o| JsonValue(o).str(key::LINES_DROPPED));
        push_fixed(out, key::NARRATIVE, |o| JsonValue(o).str(text));
        push_fixed(out, key::DROPPED, |o| push_u64(o, dropped));
        self.push_environment(out);
        out.push_str("}\n");
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::action::ActionType;
    use crate::config::Config;
    use crate::escape::Text;
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
                type_name: Text::new("api_call"),
                level: tracing_core::Level::INFO,
                success: true,
                description: Text::new("d"),
                result: Text::new("r"),
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
