//! `LOG_FORMAT=ecs`: each line is an Elastic Common Schema document whose fields have the
//! published ECS types (tests/ecs/fields.json, from elastic/ecs v9.4.0's `ecs_flat.yml`), and
//! which says what the `activity` line of the same action says, field by field.
#![cfg(all(feature = "http", feature = "report"))]

mod common;

use std::collections::BTreeMap;
use std::net::IpAddr;
use std::path::Path;

use common::logs::{Dice, LogWriter, day, traffic};
use serde_json::Value;
use tracing_activity::config::LogFormat;
use tracing_activity::{ActionType, Builder, Config, user_action};
use tracing_subscriber::prelude::*;

/// The published type (and allowed values) of every ECS field of the field sets written.
fn ecs_fields() -> (String, BTreeMap<String, Value>) {
    let text =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ecs/fields.json")).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    let fields = doc["fields"].as_object().unwrap().iter().map(|(k, v)| (k.clone(), v.clone())).collect();
    (doc["version"].as_str().unwrap().to_owned(), fields)
}

/// The document's fields as dotted names, down to `labels` and the custom `activity`
/// namespace, which are returned whole.
fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, Value>) {
    for (key, value) in value.as_object().unwrap() {
        let name = if prefix.is_empty() { key.clone() } else { format!("{prefix}.{key}") };
        match value {
            Value::Object(_) if name != "labels" && name != "activity" => flatten(&name, value, out),
            _ => drop(out.insert(name, value.clone())),
        }
    }
}

/// Checks each field of an ECS line against its published type; returns the fields.
fn check_types(line: &str, fields: &BTreeMap<String, Value>) -> BTreeMap<String, Value> {
    let doc = common::parse_strict(line);
    let mut flat = BTreeMap::new();
    flatten("", &doc, &mut flat);
    for (name, value) in &flat {
        match name.as_str() {
            "activity" => assert!(value.is_object(), "{line}"),
            "labels" => {
                for (key, label) in value.as_object().unwrap() {
                    assert!(!key.contains('.') && label.is_string(), "label {key}: {label} in {line}");
                }
            }
            _ => {
                let field = fields.get(name).unwrap_or_else(|| panic!("{name} is not an ECS field: {line}"));
                let ok = match field["type"].as_str().unwrap() {
                    "date" => value.as_str().is_some_and(|s| chrono::DateTime::parse_from_rfc3339(s).is_ok()),
                    "keyword" | "wildcard" | "match_only_text" | "text" => value.is_string(),
                    "long" => value.is_i64(),
                    "ip" => value.as_str().is_some_and(|s| s.parse::<IpAddr>().is_ok()),
                    other => panic!("{name}: type {other} not checked"),
                };
                assert!(ok, "{name} = {value} is not a {}: {line}", field["type"]);
                if let Some(allowed) = field.get("allowed_values") {
                    assert!(allowed.as_array().unwrap().contains(value), "{name} = {value} not allowed");
                }
            }
        }
    }
    for required in ["@timestamp", "ecs.version", "message", "log.level", "event.kind"] {
        assert!(flat.contains_key(required), "{required} missing: {line}");
    }
    flat
}

fn lines(path: &Path) -> Vec<String> {
    common::logs::files_oldest_first(path)
        .iter()
        .flat_map(|f| std::fs::read_to_string(f).unwrap().lines().map(str::to_owned).collect::<Vec<_>>())
        .collect()
}

/// The same traffic written once in each format.
fn both_formats(dir: &Path) -> (Vec<String>, Vec<String>) {
    let mut out = Vec::new();
    for format in [LogFormat::Activity, LogFormat::Ecs] {
        let path = dir.join(format!("{format}/user_activity.log"));
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        let mut writer = LogWriter::new(&path, 1 << 20, |c| c.log_format(format).anonymize_ip(true));
        traffic(&mut writer, &mut Dice(0x2545_f491_4f6c_dd1d), day(9, 0, 0), day(17, 0, 0), 300);
        writer.close();
        out.push(lines(&path));
    }
    let ecs = out.pop().unwrap();
    (out.pop().unwrap(), ecs)
}

#[test]
fn every_field_has_its_published_ecs_type_and_says_what_the_activity_line_says() {
    let (version, fields) = ecs_fields();
    let dir = tempfile::tempdir().unwrap();
    let (activity, ecs) = both_formats(dir.path());
    assert_eq!(activity.len(), ecs.len());
    assert!(ecs.len() > 300);
    let (mut requests, mut durations, mut queries) = (0, 0, 0);
    for (plain, line) in activity.iter().zip(&ecs) {
        let a = common::parse_strict(plain);
        let e = check_types(line, &fields);
        let get = |name: &str| e.get(name).cloned().unwrap_or(Value::Null);
        let (action, session, context) = (&a["action"], &a["session"], &a["context"]);
        assert_eq!(get("ecs.version"), version);
        assert_eq!(get("@timestamp"), a["timestamp"]);
        assert_eq!(get("log.level"), a["level"]);
        // The middleware times each request itself, so the two runs' durations differ: the
        // ECS line's message and duration agree with each other to the message's two decimals,
        // and the rest of the message is the activity line's.
        let message = get("message");
        let message = message.as_str().unwrap();
        let untimed = |m: &str| m.rsplit_once(" (took ").map_or(m.to_owned(), |(text, _)| text.to_owned());
        assert_eq!(untimed(message), untimed(a["narrative"].as_str().unwrap()));
        if let Some((_, took)) = message.rsplit_once(" (took ") {
            let ms: f64 = took.split("ms)").next().unwrap().parse().unwrap();
            let nanos = get("event.duration").as_i64().unwrap();
            assert!((ms - nanos as f64 / 1e6).abs() <= 0.005 + 1e-9, "{message} against {nanos} ns");
        }
        assert_eq!(get("event.kind"), "event");
        assert_eq!(get("event.action"), action["action_type"]);
        assert_eq!(get("event.outcome"), if action["success"] == true { "success" } else { "failure" });
        assert_eq!(get("event.duration").is_i64(), action["duration_ms"].is_f64());
        durations += usize::from(action["duration_ms"].is_f64());
        assert_eq!(get("user.id"), session["user_id"]);
        assert_eq!(get("client.ip"), session["ip_address"]);
        assert_eq!(get("user_agent.original"), session["user_agent"]);
        assert_eq!(get("http.request.method"), context.get("method").cloned().unwrap_or(Value::Null));
        assert_eq!(
            get("http.response.status_code"),
            action["data"].get("status_code").cloned().unwrap_or(Value::Null)
        );
        assert_eq!(get("labels")["session_id"], session["session_id"]);
        assert_eq!(get("service.environment"), a["environment"]);
        let custom = get("activity");
        assert_eq!(custom["description"], action["description"]);
        assert_eq!(custom["result"], action["result"]);
        assert_eq!(custom["data"], action["data"]);
        assert_eq!(custom.get("slow"), action.get("slow"));
        assert_eq!(custom.get("feature"), context.get("feature"));
        assert_eq!(custom.get("route"), context.get("route"));
        assert_eq!(custom["kind"], a["event"]);
        // The request id is made per request, so the two runs differ: each line has its own.
        assert_eq!(e.contains_key("http.request.id"), context.get("request_id").is_some());
        match context.get("url").and_then(Value::as_str) {
            Some(url) => {
                requests += 1;
                assert_eq!(get("url.original"), url);
                // The path and query as http's own URI parser reads them.
                let uri: http::Uri = url.parse().unwrap();
                assert_eq!(get("url.path"), uri.path());
                assert_eq!(get("url.query").as_str(), uri.query());
                queries += usize::from(uri.query().is_some());
            }
            None => assert!(!e.keys().any(|k| k.starts_with("url.")), "{line}"),
        }
    }
    assert!(requests > 200 && durations > 50 && queries > 50, "{requests} {durations} {queries}");
    // Masked query values stay masked.
    assert!(ecs.iter().all(|l| !l.contains("token=secret")));
}

#[test]
fn odd_values_go_where_their_type_fits_and_hostile_text_stays_escaped() {
    let (_, fields) = ecs_fields();
    let file = tempfile::NamedTempFile::new().unwrap();
    let config = Config::default()
        .enable_console_logging(false)
        .user_activity_log_path(file.path())
        .log_format(LogFormat::Ecs);
    let activity = Builder::new().config(config).build().unwrap();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(activity.layer));
    tracing::dispatcher::with_default(&dispatch, || {
        let session = tracing::info_span!(
            "session",
            session_id = "s-\"1\"",
            user_id = "ann\nfake",
            ip_address = "unknown",
            user_agent = "curl/8.5 \u{1b}[31m",
            current_page = "/checkout",
            referrer = "https://example.com/?a=1",
        );
        let _session = session.enter();
        user_action!(
            ActionType::FormSubmission,
            "bought \"x\"\r\n{\"level\":\"ERROR\"}",
            success = false,
            order = 7
        );
    });
    tracing::dispatcher::with_default(&dispatch, || {
        let ipv6 = tracing::info_span!("session", ip_address = "2001:db8::7", user_id = "bob");
        let _s = ipv6.enter();
        user_action!(ActionType::Auth, "signed in", duration_ms = 12.5);
    });
    drop(dispatch);
    activity.guard.close();
    let text = std::fs::read_to_string(file.path()).unwrap();
    let docs: Vec<_> = text.lines().map(|l| check_types(l, &fields)).collect();
    assert_eq!(docs.len(), 2, "{text}");
    let first = &docs[0];
    assert_eq!(first["client.address"], "unknown", "not an IP: not client.ip");
    assert!(!first.contains_key("client.ip"));
    assert_eq!(first["event.outcome"], "failure");
    assert_eq!(first["user.id"], "ann\nfake");
    assert_eq!(first["http.request.referrer"], "https://example.com/?a=1");
    assert_eq!(first["activity"]["current_page"], "/checkout");
    assert_eq!(first["activity"]["data"]["order"], 7);
    assert_eq!(first["labels"]["session_id"], "s-\"1\"");
    assert!(!first.contains_key("event.duration") && !first.contains_key("http.response.status_code"));
    assert_eq!(docs[1]["client.ip"], "2001:db8::7");
    assert_eq!(docs[1]["event.duration"], 12_500_000);
}

/// `value` with `latency` sorted by feature and its timings (which the middleware measures
/// anew in each run) left out.
fn without_timings(mut summary: Value) -> Value {
    let latency = summary["latency"].as_array_mut().unwrap();
    for feature in latency.iter_mut() {
        for timing in ["p50_ms", "p95_ms", "p99_ms", "max_ms"] {
            feature.as_object_mut().unwrap().remove(timing);
        }
    }
    latency.sort_by(|a, b| a["feature"].as_str().cmp(&b["feature"].as_str()));
    summary
}

#[test]
fn the_reports_read_ecs_logs_as_activity_logs() {
    use tracing_activity::report::{Interval, LogFiles, Scan, Window};
    let dir = tempfile::tempdir().unwrap();
    both_formats(dir.path());
    let window = Window::new(day(8, 0, 0), day(18, 0, 0));
    let reports = |format: &str| {
        let logs = LogFiles::discover(dir.path().join(format!("{format}/user_activity.log"))).unwrap();
        let reports = Scan::new(window).summary().usage().counts(Interval::Hour).run(&logs).unwrap();
        assert_eq!(reports.lines.skipped, 0, "{format}");
        let mut usage = serde_json::to_value(reports.usage.unwrap()).unwrap();
        usage.as_object_mut().unwrap().remove("generated_at");
        let summary = without_timings(serde_json::to_value(reports.summary.unwrap()).unwrap());
        (reports.lines.in_window, summary, usage, serde_json::to_value(reports.counts.unwrap()).unwrap())
    };
    let (activity, ecs) = (reports("activity"), reports("ecs"));
    assert!(activity.0 > 300);
    assert!(activity.1["total_errors"].as_u64().unwrap() > 10);
    assert_eq!(ecs, activity);
}
