//! The JSON line as an Elastic Common Schema document (`LOG_FORMAT=ecs`), for Elasticsearch,
//! OpenSearch and Kibana without an ingest pipeline.
//!
//! ```json
//! {"@timestamp":"2024-01-15T14:30:25.123456Z","log":{"level":"INFO"},
//!  "message":"🔌 User user123 made API call to 'GET /user-queries' at 14:30:25 → ✅ Result: HTTP 200 SUCCESS (took 45.32ms)",
//!  "ecs":{"version":"9.4.0"},
//!  "event":{"kind":"event","action":"api_call","outcome":"success","duration":45320000},
//!  "user":{"id":"user123"},"client":{"ip":"203.0.113.7"},"user_agent":{"original":"curl/8.5"},
//!  "http":{"request":{"id":"req-789","method":"GET"},"response":{"status_code":200}},
//!  "url":{"original":"/user-queries?page=2","path":"/user-queries","query":"page=2"},
//!  "labels":{"session_id":"s-1"},"service":{"environment":"development"},
//!  "activity":{"kind":"user_action","description":"GET /user-queries","result":"HTTP 200 SUCCESS","data":{}}}
//! ```
//!
//! Every field outside `labels` and `activity` is an ECS field of its published type: a value
//! that would not index as that type goes elsewhere (a client address that is not an IP is
//! `client.address`). The session id, which ECS does not define, is `labels.session_id`; what
//! only this crate writes (description, result, slow flag, current page, route, feature, the
//! action's data and the request's other fields) is under the custom `activity` namespace. An
//! object with nothing to say is left out. The masked, pseudonymized and escaped values are the
//! same as in the `activity` line.

use std::net::IpAddr;

use chrono::{DateTime, Utc};

use super::{Action, Renderer, write_rfc3339};
use crate::escape::Text;
use crate::escape::json::{JsonValue, push_fixed};
use crate::escape::number::{push_i64, push_u64};
use crate::fields::json as key;
use crate::fields::{
    CURRENT_PAGE_SLOT, FEATURE_SLOT, IP_ADDRESS_SLOT, METHOD_SLOT, REFERRER_SLOT, REQUEST_ID_SLOT,
    ROUTE_SLOT, SESSION_ID_SLOT, URL_SLOT, USER_AGENT_SLOT, USER_ID_SLOT,
};
use crate::record::EventKind;

/// The ECS version the documents follow (and are tested against).
pub(crate) const ECS_VERSION: &str = "9.4.0";

impl Renderer {
    /// Writes the ECS document of `action` (with its newline) into `out`.
    pub(crate) fn ecs(&self, action: &Action<'_>, narrative: &str, json_safe: bool, out: &mut String) {
        let record = action.record;
        let session = |slot| record.session.get(slot).filter(|v| !v.str.is_empty());
        let context = |slot| record.context.get(slot).filter(|v| !v.str.is_empty());
        out.push('{');
        push_fixed(out, "@timestamp", |o| JsonValue(o).text(Text::own(action.time.utc())));
        object(out, "log", |o| {
            push_fixed(o, "level", |o| JsonValue(o).text(Text::own(action.level.as_str())))
        });
        push_fixed(out, "message", |o| {
            // Known to hold nothing JSON escapes: copied as it is.
            if json_safe {
                o.push('"');
                o.push_str(narrative);
                o.push('"');
            } else {
                JsonValue(o).str(narrative);
            }
        });
        object(out, "ecs", |o| push_fixed(o, "version", |o| JsonValue(o).text(Text::own(ECS_VERSION))));
        object(out, "event", |o| {
            push_fixed(o, "kind", |o| o.push_str("\"event\""));
            push_fixed(o, "action", |o| JsonValue(o).text(action.type_name));
            let outcome = if action.success { "\"success\"" } else { "\"failure\"" };
            push_fixed(o, "outcome", |o| o.push_str(outcome));
            if let Some(nanos) = record.duration_ms.and_then(nanoseconds) {
                push_fixed(o, "duration", |o| push_i64(o, nanos));
            }
        });
        let user = session(USER_ID_SLOT).or_else(|| self.unknown_user.as_deref().map(Text::new));
        object(out, "user", |o| optional(o, "id", user));
        object(out, "client", |o| match session(IP_ADDRESS_SLOT) {
            Some(ip) if ip.str.parse::<IpAddr>().is_ok() => optional(o, "ip", Some(ip)),
            address => optional(o, "address", address),
        });
        object(out, "user_agent", |o| optional(o, "original", session(USER_AGENT_SLOT)));
        object(out, "http", |o| {
            object(o, "request", |o| {
                optional(o, "id", context(REQUEST_ID_SLOT));
                optional(o, "method", context(METHOD_SLOT));
                optional(o, "referrer", session(REFERRER_SLOT));
            });
            if let Some(status) = record.status_code {
                object(o, "response", |o| push_fixed(o, "status_code", |o| push_u64(o, u64::from(status))));
            }
        });
        if let Some(url) = context(URL_SLOT) {
            let (path, query) = path_and_query(url.str);
            object(out, "url", |o| {
                optional(o, "original", Some(url));
                optional(o, "path", Some(Text { str: path, plain: url.plain }).filter(|p| !p.str.is_empty()));
                optional(o, "query", query.map(|q| Text { str: q, plain: url.plain }));
            });
        }
        if let Some(trace) = &record.trace {
            object(out, "trace", |o| push_fixed(o, "id", |o| JsonValue(o).text(Text::own(trace.trace_id()))));
            object(out, "span", |o| push_fixed(o, "id", |o| JsonValue(o).text(Text::own(trace.span_id()))));
        }
        object(out, "labels", |o| optional(o, "session_id", session(SESSION_ID_SLOT)));
        object(out, "service", |o| self.push_environment(o));
        object(out, "activity", |o| {
            let kind = match action.kind {
                EventKind::Action => "\"user_action\"",
                EventKind::Log => "\"log\"",
            };
            push_fixed(o, "kind", |o| o.push_str(kind));
            push_fixed(o, "description", |o| JsonValue(o).text(action.description));
            push_fixed(o, "result", |o| JsonValue(o).text(action.result));
            if let Some(slow) = action.slowness.json_name() {
                push_fixed(o, "slow", |o| JsonValue(o).text(Text::own(slow)));
            }
            optional(o, "current_page", session(CURRENT_PAGE_SLOT));
            optional(o, "route", context(ROUTE_SLOT));
            optional(o, "feature", context(FEATURE_SLOT));
            push_fixed(o, "data", |o| {
                o.push('{');
                o.push_str(&record.data);
                o.push('}');
            });
            if !record.context_extra.is_empty() {
                push_fixed(o, "context", |o| {
                    o.push('{');
                    o.push_str(&record.context_extra);
                    o.push('}');
                });
            }
        });
        out.push_str("}\n");
    }
}

impl Renderer {
    /// The notice the file gets after `dropped` lines found the queue full, as an ECS document.
    pub(crate) fn ecs_dropped_notice(&self, dropped: u64, now: DateTime<Utc>, text: &str, out: &mut String) {
        out.push('{');
        push_fixed(out, "@timestamp", |o| {
            o.push('"');
            write_rfc3339(o, now);
            o.push('"');
        });
        object(out, "log", |o| push_fixed(o, "level", |o| o.push_str("\"WARN\"")));
        push_fixed(out, "message", |o| JsonValue(o).str(text));
        object(out, "ecs", |o| push_fixed(o, "version", |o| JsonValue(o).text(Text::own(ECS_VERSION))));
        object(out, "event", |o| {
            push_fixed(o, "kind", |o| o.push_str("\"event\""));
            push_fixed(o, "action", |o| JsonValue(o).text(Text::own(key::LINES_DROPPED)));
        });
        object(out, "service", |o| self.push_environment(o));
        object(out, "activity", |o| {
            push_fixed(o, "kind", |o| JsonValue(o).text(Text::own(key::LINES_DROPPED)));
            push_fixed(o, key::DROPPED, |o| push_u64(o, dropped));
        });
        out.push_str("}\n");
    }
}

/// Writes `"name":{…}` with what `members` writes, or nothing when it writes nothing.
fn object(out: &mut String, name: &'static str, members: impl FnOnce(&mut String)) {
    let before = out.len();
    push_fixed(out, name, |o| o.push('{'));
    let inside = out.len();
    members(out);
    if out.len() == inside {
        out.truncate(before);
    } else {
        out.push('}');
    }
}

/// Writes `"name":"value"` when there is a value.
fn optional(out: &mut String, name: &'static str, value: Option<Text<'_>>) {
    if let Some(value) = value {
        push_fixed(out, name, |o| JsonValue(o).text(value));
    }
}

/// Milliseconds as whole nanoseconds (ECS `event.duration`), for a duration that is one.
fn nanoseconds(ms: f64) -> Option<i64> {
    let nanos = (ms * 1e6).round();
    (nanos.is_finite() && nanos >= 0.0 && nanos < i64::MAX as f64).then_some(nanos as i64)
}

/// The path and the query of a URL as the middleware logs it: `http://host/a?b` or `/a?b`.
fn path_and_query(url: &str) -> (&str, Option<&str>) {
    let url = url.split_once('#').map_or(url, |(before, _)| before);
    let (target, query) = match url.split_once('?') {
        Some((target, query)) => (target, Some(query)),
        None => (url, None),
    };
    // `scheme://authority/path`: the path starts at the authority's first `/`.
    let path = match target.split_once("://") {
        Some((scheme, rest)) if is_scheme(scheme) => rest.find('/').map_or("", |at| &rest[at..]),
        _ => target,
    };
    (path, query)
}

/// Whether `s` is a URL scheme (RFC 3986: a letter, then letters, digits, `+`, `-`, `.`).
fn is_scheme(s: &str) -> bool {
    let mut bytes = s.bytes();
    bytes.next().is_some_and(|b| b.is_ascii_alphabetic())
        && bytes.all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_url_is_split_into_its_path_and_query() {
        assert_eq!(path_and_query("http://localhost:8000/a/b?x=1&y=2"), ("/a/b", Some("x=1&y=2")));
        assert_eq!(path_and_query("/search?q=%5BREDACTED%5D#top"), ("/search", Some("q=%5BREDACTED%5D")));
        assert_eq!(path_and_query("https://example.com"), ("", None));
        assert_eq!(path_and_query("/plain"), ("/plain", None));
        assert_eq!(path_and_query("*"), ("*", None));
        // A URL in the query is the query's.
        assert_eq!(path_and_query("/login?next=https://app/dash"), ("/login", Some("next=https://app/dash")));
        assert_eq!(path_and_query("/r?u=http://x"), ("/r", Some("u=http://x")));
        assert_eq!(path_and_query("https://example.com?q=1"), ("", Some("q=1")));
        assert_eq!(path_and_query("/a/b://c"), ("/a/b://c", None));
    }

    #[test]
    fn the_drop_notice_is_an_ecs_document_too() {
        let renderer =
            Renderer::new(&crate::Config::default(), chrono::FixedOffset::east_opt(0).unwrap(), None);
        let mut line = String::new();
        let now = DateTime::from_timestamp(1_705_329_025, 0).unwrap();
        renderer.ecs_dropped_notice(12, now, "12 activity lines dropped: queue full", &mut line);
        let doc: serde_json::Value = serde_json::from_str(&line).unwrap();
        assert!(line.ends_with("}\n"));
        assert_eq!(doc["@timestamp"], "2024-01-15T14:30:25.000000Z");
        assert_eq!(doc["log"]["level"], "WARN");
        assert_eq!(doc["event"]["action"], "lines_dropped");
        assert_eq!(doc["ecs"]["version"], ECS_VERSION);
        assert_eq!(
            (doc["activity"]["kind"].as_str(), doc["activity"]["dropped"].as_u64()),
            (Some("lines_dropped"), Some(12))
        );
    }

    #[test]
    fn durations_are_whole_nanoseconds() {
        assert_eq!(nanoseconds(45.32), Some(45_320_000));
        assert_eq!(nanoseconds(0.0000004), Some(0));
        assert_eq!(nanoseconds(-1.0), None);
        assert_eq!(nanoseconds(f64::NAN), None);
        assert_eq!(nanoseconds(f64::INFINITY), None);
    }
}
