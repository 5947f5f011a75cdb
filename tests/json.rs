//! The JSON line: schema, fixed keys, leaf-wins session and context, data fields, types.

mod common;

use common::Harness;
use serde_json::json;
use tracing_activity::{ActionType, Config, user_action};

#[test]
fn schema_matches_the_design() {
    let h = Harness::new(Config::default().environment("staging".to_owned()));
    h.run(|| {
        let session = tracing::info_span!(
            "session",
            session_id = "uuid-123-456",
            user_id = "user123",
            ip_address = "192.168.1.100",
            user_agent = "Mozilla/5.0",
            current_page = "/user-queries"
        );
        let _s = session.enter();
        let request = tracing::info_span!(
            "request",
            request_id = "req-789-012",
            method = "GET",
            url = "http://localhost:8000/user-queries"
        );
        let _r = request.enter();
        user_action!(
            ActionType::ApiCall,
            "GET /user-queries",
            result = "HTTP 200 SUCCESS",
            success = true,
            duration_ms = 45.32
        );
    });
    let line = h.only_json();
    let narrative = "🔌 User user123 made API call to 'GET /user-queries' at 14:30:25 → ✅ Result: HTTP 200 SUCCESS (took 45.32ms)";
    assert_eq!(
        line,
        json!({
            "timestamp": "2024-01-15T14:30:25.123456Z",
            "level": "INFO",
            "event": "user_action",
            "narrative": narrative,
            "action": {
                "action_type": "api_call",
                "description": "GET /user-queries",
                "result": "HTTP 200 SUCCESS",
                "success": true,
                "duration_ms": 45.32,
                "timestamp": "2024-01-15T14:30:25.123456Z",
                "data": {}
            },
            "session": {
                "session_id": "uuid-123-456",
                "user_id": "user123",
                "ip_address": "192.168.1.100",
                "user_agent": "Mozilla/5.0",
                "current_page": "/user-queries",
                "referrer": null
            },
            "context": {
                "request_id": "req-789-012",
                "method": "GET",
                "url": "http://localhost:8000/user-queries"
            },
            "environment": "staging"
        })
    );
    assert_eq!(h.console.text(), format!("[INFO] {narrative}\n"), "console and JSON tell the same story");
}

#[test]
fn nearest_span_wins_and_the_event_wins_over_spans() {
    let h = Harness::new(Config::default());
    h.run(|| {
        let outer = tracing::info_span!(
            "outer",
            user_id = "outer-user",
            session_id = "s-outer",
            tenant = "acme",
            request_id = "r-outer"
        );
        let _o = outer.enter();
        let inner =
            tracing::info_span!("inner", user_id = "inner-user", tenant = "globex", route = "/items/{id}");
        let _i = inner.enter();
        user_action!(ActionType::Click, "x");
        user_action!(ActionType::Click, "y", session_id = "s-event", method = "POST");
    });
    let lines = h.file.json();
    assert_eq!(lines[0]["session"]["user_id"], "inner-user");
    assert_eq!(lines[0]["session"]["session_id"], "s-outer");
    assert_eq!(
        lines[0]["context"],
        json!({"request_id": "r-outer", "route": "/items/{id}", "tenant": "globex"})
    );
    assert_eq!(lines[1]["session"]["session_id"], "s-event");
    assert_eq!(lines[1]["context"].get("method"), None, "an event's context-named field is data");
    assert_eq!(lines[1]["action"]["data"]["method"], "POST");
}

#[test]
fn fields_recorded_later_reach_later_actions() {
    let h = Harness::new(Config::default());
    h.run(|| {
        let span = tracing::info_span!("request", user_id = tracing::field::Empty, attempt = 1);
        let _e = span.enter();
        user_action!(ActionType::Auth, "login");
        span.record("user_id", "user42");
        span.record("attempt", 2);
        user_action!(ActionType::Navigation, "/home");
    });
    let lines = h.file.json();
    assert_eq!(lines[0]["session"]["user_id"], serde_json::Value::Null);
    assert_eq!(lines[0]["context"]["attempt"], 1);
    assert_eq!(lines[1]["session"]["user_id"], "user42");
    assert_eq!(lines[1]["context"]["attempt"], 2);
}

#[derive(Debug)]
#[allow(dead_code)]
struct Cart {
    items: u32,
}

#[test]
fn extra_fields_go_to_data_with_their_types() {
    let h = Harness::new(Config::default());
    let err = std::io::Error::other("disk \"full\"");
    h.run(|| {
        user_action!(
            ActionType::Custom("checkout"),
            "cart",
            count = 3u64,
            delta = -2i64,
            big = 340282366920938463463374607431768211455u128,
            small128 = 7i128,
            ratio = 0.5,
            nan = f64::NAN,
            paid = true,
            note = "a \"quoted\"\nline",
            cart = ?Cart { items: 3 },
            shown = %"display",
            error = &err as &(dyn std::error::Error + 'static),
        );
    });
    let line = h.only_json();
    assert_eq!(line["action"]["action_type"], "checkout");
    assert_eq!(
        line["action"]["data"],
        json!({
            "count": 3,
            "delta": -2,
            "big": "340282366920938463463374607431768211455",
            "small128": 7,
            "ratio": 0.5,
            "nan": null,
            "paid": true,
            "note": "a \"quoted\"\nline",
            "cart": "Cart { items: 3 }",
            "shown": "display",
            "error": "disk \"full\""
        })
    );
}

#[test]
fn user_fields_never_overwrite_fixed_keys() {
    let h = Harness::new(Config::default());
    h.run(|| {
        let span = tracing::info_span!(
            "r",
            timestamp = "span-ts",
            level = "span-level",
            narrative = "n",
            action = "a",
            user_id = "u1"
        );
        let _e = span.enter();
        user_action!(
            ActionType::Click,
            "real",
            timestamp = "fake",
            level = "DEBUG",
            event = "forged",
            narrative = "forged",
            session = "forged",
            environment = "forged",
            data = "nested",
            slow = "no",
        );
    });
    // parse_strict (inside json()) fails on any key written twice.
    let line = h.only_json();
    assert_eq!(line["timestamp"], "2024-01-15T14:30:25.123456Z");
    assert_eq!(line["level"], "INFO");
    assert_eq!(line["event"], "user_action");
    assert_eq!(line["environment"], "development");
    assert_eq!(line["session"]["user_id"], "u1");
    assert_eq!(line["action"]["description"], "real");
    assert_eq!(line["action"]["data"]["timestamp"], "fake");
    assert_eq!(line["action"]["data"]["data"], "nested");
    assert_eq!(line["action"].get("slow"), None);
    assert_eq!(line["context"]["timestamp"], "span-ts");
}

#[test]
fn repeated_field_names_are_written_once() {
    let h = Harness::new(Config::default());
    h.run(|| {
        let outer = tracing::info_span!("outer", tenant = "a");
        let _o = outer.enter();
        let inner = tracing::info_span!("inner", tenant = "b");
        let _i = inner.enter();
        user_action!(ActionType::Click, "x", n = 1, n = 2);
    });
    let line = h.only_json();
    assert_eq!(line["action"]["data"]["n"], 1);
    assert_eq!(line["context"]["tenant"], "b");
}

#[test]
fn slow_flag_is_in_action_slow() {
    let h = Harness::new(Config::default());
    h.run(|| {
        user_action!(ActionType::ApiCall, "fast", duration_ms = 10);
        user_action!(ActionType::ApiCall, "slow", duration_ms = 1500);
        user_action!(ActionType::ApiCall, "very", duration_ms = 6000.5);
    });
    let lines = h.file.json();
    assert_eq!(lines[0]["action"].get("slow"), None);
    assert_eq!(lines[0]["level"], "INFO");
    assert_eq!(lines[1]["action"]["slow"], "slow");
    assert_eq!(lines[1]["level"], "WARN");
    assert_eq!(lines[2]["action"]["slow"], "very_slow");
    assert_eq!(lines[2]["action"]["duration_ms"], 6000.5);
    assert_eq!(lines[2]["level"], "WARN");
}

#[test]
fn file_can_hold_narrative_text_instead_of_json() {
    let h = Harness::new(Config::default().enable_json_logging(false));
    h.run(|| user_action!(ActionType::Download, "report.pdf", user_id = "u1"));
    assert_eq!(
        h.file.text(),
        "2024-01-15T14:30:25.123456Z [INFO] 📥 User u1 downloaded 'report.pdf' at 14:30:25 → ✅ Result: Success\n"
    );
}

#[test]
fn errors_default_to_failure_and_others_to_success() {
    let h = Harness::new(Config::default());
    h.run(|| {
        user_action!(ActionType::Error, "boom");
        user_action!(ActionType::Upload, "a.png");
        user_action!(ActionType::Upload, "b.png", success = false);
    });
    let lines = h.file.json();
    assert_eq!(
        (lines[0]["action"]["success"].clone(), lines[0]["action"]["result"].clone()),
        (json!(false), json!("Error occurred"))
    );
    assert_eq!(
        (lines[1]["action"]["success"].clone(), lines[1]["action"]["result"].clone()),
        (json!(true), json!("Success"))
    );
    assert_eq!(
        (lines[2]["action"]["success"].clone(), lines[2]["action"]["result"].clone()),
        (json!(false), json!("Failed"))
    );
    assert_eq!(lines[0]["action"]["duration_ms"], serde_json::Value::Null);
}

#[test]
fn durations_of_any_integer_type_count() {
    let h = Harness::new(Config::default());
    let elapsed = std::time::Duration::from_millis(1_250);
    h.run(|| {
        user_action!(ActionType::ApiCall, "u128", duration_ms = elapsed.as_millis());
        user_action!(ActionType::ApiCall, "i32", duration_ms = 12i32);
        user_action!(ActionType::ApiCall, "negative", duration_ms = -5);
    });
    let lines = h.file.json();
    assert_eq!(lines[0]["action"]["duration_ms"], 1250.0);
    assert_eq!(lines[0]["action"]["slow"], "slow");
    assert_eq!(lines[1]["action"]["duration_ms"], 12.0);
    assert_eq!(lines[2]["action"]["duration_ms"], serde_json::Value::Null);
    assert_eq!(lines[2]["action"]["data"]["duration_ms"], -5, "a negative duration is kept as data");
}

#[test]
fn console_time_is_local_and_json_time_is_utc() {
    let h = Harness::with(
        tracing_activity::Builder::new().utc_offset(chrono::FixedOffset::east_opt(2 * 3600).unwrap()),
    );
    h.run(|| user_action!(ActionType::Click, "x"));
    assert!(h.console.text().contains("clicked 'x' at 16:30:25 →"), "{}", h.console.text());
    let line = h.only_json();
    assert_eq!(line["timestamp"], "2024-01-15T14:30:25.123456Z");
    assert!(line["narrative"].as_str().unwrap().contains(" at 16:30:25 "));
}
