//! The console line: the README's examples byte for byte, the switches, the types, escaping.

mod common;

use common::Harness;
use tracing::Level;
use tracing_activity::{ActionType, Config, log_error, log_event, log_navigation, log_search, user_action};

#[test]
fn readme_examples_come_out_byte_for_byte() {
    let h = Harness::new(Config::default());
    h.run(|| {
        let request = tracing::info_span!("request", user_id = "user123", session_id = "uuid-123-456");
        let _entered = request.enter();
        log_navigation!("/user-queries");
        user_action!(
            ActionType::ApiCall,
            "GET /user-queries",
            result = "HTTP 200 SUCCESS",
            success = true,
            duration_ms = 45.32
        );
    });
    h.clock.set(14, 31, 12);
    h.run(|| {
        let anonymous = tracing::info_span!("request", ip_address = "192.168.1.100");
        let _entered = anonymous.enter();
        user_action!(ActionType::FormSubmission, "Create User Query", result = "Query created successfully");
    });
    h.clock.set(14, 32, 45);
    h.run(|| {
        let request = tracing::info_span!("request", user_id = "user123");
        let _entered = request.enter();
        log_error!("ValidationError", "Query cannot be empty");
    });
    assert_eq!(
        h.console.text(),
        "[INFO] 📍 User user123 navigated to '/user-queries' at 14:30:25 → ✅ Result: Page loaded successfully\n\
         [INFO] 🔌 User user123 made API call to 'GET /user-queries' at 14:30:25 → ✅ Result: HTTP 200 SUCCESS (took 45.32ms)\n\
         [INFO] 📝 Anonymous user from 192.168.1.100 submitted form 'Create User Query' at 14:31:12 → ✅ Result: Query created successfully\n\
         [ERROR] ❌ User user123 encountered error: 'ValidationError: Query cannot be empty' at 14:32:45 → ❌ Result: Error occurred\n"
    );
}

#[test]
fn search_results_are_counted_in_words() {
    let h = Harness::new(Config::default());
    h.run(|| {
        let request = tracing::info_span!("request", user_id = "user123");
        let _entered = request.enter();
        log_search!("rust", results_count = 1);
        log_search!("rust", results_count = 0);
        log_search!("rust", results_count = 2);
        log_search!("rust", results_count = 11u64);
    });
    assert_eq!(
        h.console.text(),
        "[INFO] 🔍 User user123 searched for 'rust' at 14:30:25 → ✅ Result: 1 result\n\
         [INFO] 🔍 User user123 searched for 'rust' at 14:30:25 → ✅ Result: 0 results\n\
         [INFO] 🔍 User user123 searched for 'rust' at 14:30:25 → ✅ Result: 2 results\n\
         [INFO] 🔍 User user123 searched for 'rust' at 14:30:25 → ✅ Result: 11 results\n"
    );
}

#[test]
fn a_usage_event_reads_as_the_user_using_the_function() {
    let h = Harness::new(Config::default());
    h.run(|| log_event!("document_processor", "extract_text", Some("user123"), page_count = 10));
    assert_eq!(
        h.console.text(),
        "[INFO] 🎯 User user123 used 'document_processor.extract_text' at 14:30:25 → ✅ Result: Success\n"
    );
    assert_eq!(h.file.json()[0]["action"]["action_type"], "usage");
}

fn one_line(config: Config, f: impl FnOnce()) -> String {
    let h = Harness::new(config);
    h.run(f);
    let lines = h.console.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    lines[0].clone()
}

fn click_as_user123() {
    let span = tracing::info_span!("request", user_id = "user123");
    let _entered = span.enter();
    user_action!(ActionType::Click, "submit-button", success = false, result = "Button disabled");
}

#[test]
fn switches_remove_their_parts() {
    assert_eq!(
        one_line(Config::default(), click_as_user123),
        "[INFO] 👆 User user123 clicked 'submit-button' at 14:30:25 → ❌ Result: Button disabled"
    );
    assert_eq!(
        one_line(Config::default().enable_emojis(false), click_as_user123),
        "[INFO] User user123 clicked 'submit-button' at 14:30:25 → Result (failed): Button disabled"
    );
    assert_eq!(
        one_line(Config::default().enable_user_info(false), click_as_user123),
        "[INFO] 👆 User clicked 'submit-button' at 14:30:25 → ❌ Result: Button disabled"
    );
    assert_eq!(
        one_line(Config::default().enable_timestamps(false), click_as_user123),
        "[INFO] 👆 User user123 clicked 'submit-button' → ❌ Result: Button disabled"
    );
}

#[test]
fn anonymous_user_without_ip_or_with_empty_id() {
    let line = one_line(Config::default(), || user_action!(ActionType::Search, "rust"));
    assert_eq!(line, "[INFO] 🔍 Anonymous user searched for 'rust' at 14:30:25 → ✅ Result: Success");
    let line = one_line(Config::default(), || {
        user_action!(ActionType::Search, "rust", user_id = "", ip_address = "10.1.2.3")
    });
    assert!(line.contains("🔍 Anonymous user from 10.1.2.3 searched for"), "{line}");
}

#[test]
fn every_type_has_its_emoji_and_phrase() {
    let expected = [
        (ActionType::Navigation, "📍 User u1 navigated to 'x'"),
        (ActionType::Click, "👆 User u1 clicked 'x'"),
        (ActionType::FormSubmission, "📝 User u1 submitted form 'x'"),
        (ActionType::ApiCall, "🔌 User u1 made API call to 'x'"),
        (ActionType::Search, "🔍 User u1 searched for 'x'"),
        (ActionType::Download, "📥 User u1 downloaded 'x'"),
        (ActionType::Upload, "📤 User u1 uploaded 'x'"),
        (ActionType::Auth, "🔐 User u1 performed auth action 'x'"),
        (ActionType::Error, "❌ User u1 encountered error: 'x'"),
        (ActionType::Performance, "⚡ User u1 measured performance of 'x'"),
        (ActionType::Custom("checkout"), "🎯 User u1 performed checkout 'x'"),
        (ActionType::Custom("usage"), "🎯 User u1 used 'x'"),
    ];
    for (ty, start) in expected {
        let line = one_line(Config::default(), || user_action!(level: Level::WARN, ty, "x", user_id = "u1"));
        assert!(line.starts_with(&format!("[WARN] {start} at 14:30:25 → ")), "{ty}: {line}");
    }
}

#[test]
fn slow_and_very_slow_actions_are_flagged_and_raised_to_warn() {
    let config = Config::default()
        .slow_request_threshold(std::time::Duration::from_millis(1000))
        .very_slow_request_threshold(std::time::Duration::from_millis(5000));
    let at =
        |ms: f64| one_line(config.clone(), || user_action!(ActionType::ApiCall, "GET /r", duration_ms = ms));
    assert_eq!(
        at(999.99),
        "[INFO] 🔌 Anonymous user made API call to 'GET /r' at 14:30:25 → ✅ Result: Success (took 999.99ms)"
    );
    assert_eq!(
        at(1000.0),
        "[WARN] 🔌 Anonymous user made API call to 'GET /r' at 14:30:25 → ✅ Result: Success (took 1000.00ms) ⚠️ SLOW"
    );
    assert_eq!(
        at(5000.0),
        "[WARN] 🔌 Anonymous user made API call to 'GET /r' at 14:30:25 → ✅ Result: Success (took 5000.00ms) 🚨 VERY SLOW"
    );
    let line = one_line(config.clone().enable_emojis(false), || {
        user_action!(ActionType::ApiCall, "GET /r", duration_ms = 7000u64)
    });
    assert!(line.ends_with("(took 7000.00ms) [VERY SLOW]"), "{line}");
    let line = one_line(
        config,
        || user_action!(level: Level::ERROR, ActionType::ApiCall, "GET /r", duration_ms = 2000),
    );
    assert!(line.starts_with("[ERROR] "), "an ERROR stays an ERROR: {line}");
}

#[test]
fn hostile_values_never_break_the_line() {
    let nasty = "evil\n[ERROR] forged line\r\u{1b}[2J\u{7}\u{0}\u{7f}\u{85}\u{9b}31m\u{2028}\u{2029}\u{202e}";
    let h = Harness::new(Config::default());
    h.run(|| {
        let span = tracing::info_span!("request", user_id = nasty, ip_address = nasty);
        let _entered = span.enter();
        user_action!(ActionType::Custom(nasty), nasty, result = nasty, extra = nasty, ?nasty);
    });
    let text = h.console.text();
    assert_eq!(text.matches('\n').count(), 1, "{text:?}");
    assert!(text.ends_with('\n'));
    for c in text.trim_end_matches('\n').chars() {
        assert!(
            !c.is_control()
                && !matches!(c, '\u{2028}' | '\u{2029}' | '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}'),
            "{c:?} reached the console: {text:?}"
        );
    }
    assert!(text.contains("evil\\n[ERROR] forged line\\r\\u{1b}[2J"), "{text}");
    // The JSON line is one line and parses back to the original values.
    let json = h.only_json();
    assert_eq!(json["action"]["description"], nasty);
    assert_eq!(json["session"]["user_id"], nasty);
    assert_eq!(h.file.text().matches('\n').count(), 1);
}

#[test]
fn ansi_colours_only_the_level_and_only_when_asked() {
    let h = Harness::with(tracing_activity::Builder::new().with_ansi(true));
    h.run(|| user_action!(level: Level::ERROR, ActionType::Error, "boom"));
    assert!(
        h.console
            .text()
            .starts_with("\u{1b}[1;31m[ERROR]\u{1b}[0m ❌ Anonymous user encountered error: 'boom'")
    );
    let h = Harness::new(Config::default());
    h.run(|| user_action!(ActionType::Click, "x"));
    assert!(!h.console.text().contains('\u{1b}'), "a custom writer gets no colour by default");
}

#[test]
fn description_falls_back_to_the_message_and_type_to_action() {
    let line = one_line(Config::default(), || {
        tracing::info!(target: "user_activity", action_type = "search", user_id = "u9", "cheap flights");
    });
    assert_eq!(line, "[INFO] 🔍 User u9 searched for 'cheap flights' at 14:30:25 → ✅ Result: Success");
    let line = one_line(Config::default(), || tracing::warn!(target: "user_activity", "something happened"));
    assert_eq!(
        line,
        "[WARN] 🎯 Anonymous user performed action 'something happened' at 14:30:25 → ✅ Result: Success"
    );
}
