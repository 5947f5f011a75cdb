//! Each macro's action, as the JSON line shows it.

mod common;

use common::Harness;
use serde_json::{Value, json};
use tracing_activity::{
    ActionType, Config, log_auth, log_click, log_download, log_error, log_event, log_form_submission,
    log_navigation, log_search, log_upload, user_action,
};

fn actions(f: impl FnOnce()) -> Vec<Value> {
    let h = Harness::new(Config::default());
    h.run(f);
    h.file.json()
}

fn summary(line: &Value) -> Value {
    json!([
        line["level"],
        line["action"]["action_type"],
        line["action"]["description"],
        line["action"]["success"],
        line["action"]["result"]
    ])
}

#[test]
fn helpers_produce_their_action_types() {
    let lines = actions(|| {
        log_click!("submit-button", current_page = "/create-item");
        log_navigation!("/dashboard");
        log_search!("python tutorials", results_count = 150);
        log_search!("rust");
        log_form_submission!("Contact Form", success = true);
        log_form_submission!("Contact Form", success = false, validation_errors = ?["email is required"]);
        log_upload!("avatar.png", size_bytes = 48_213);
        log_download!("report.pdf");
        log_auth!("login", success = false, method = "password");
        log_auth!("logout");
        log_error!("ValidationError", String::from("Query cannot be empty"), field = "query");
    });
    let got: Vec<Value> = lines.iter().map(summary).collect();
    assert_eq!(
        got,
        vec![
            json!(["INFO", "click", "submit-button", true, "Success"]),
            json!(["INFO", "navigation", "/dashboard", true, "Page loaded successfully"]),
            json!(["INFO", "search", "python tutorials", true, "150 results"]),
            json!(["INFO", "search", "rust", true, "Success"]),
            json!(["INFO", "form_submission", "Contact Form", true, "Success"]),
            json!(["WARN", "form_submission", "Contact Form", false, "Failed"]),
            json!(["INFO", "upload", "avatar.png", true, "Success"]),
            json!(["INFO", "download", "report.pdf", true, "Success"]),
            json!(["WARN", "auth", "login", false, "Failed"]),
            json!(["INFO", "auth", "logout", true, "Success"]),
            json!(["ERROR", "error", "ValidationError: Query cannot be empty", false, "Error occurred"]),
        ]
    );
    assert_eq!(lines[0]["session"]["current_page"], "/create-item");
    assert_eq!(lines[2]["action"]["data"], json!({"results_count": 150}));
    assert_eq!(lines[5]["action"]["data"], json!({"validation_errors": "[\"email is required\"]"}));
    assert_eq!(lines[6]["action"]["data"], json!({"size_bytes": 48213}));
    assert_eq!(lines[8]["action"]["data"], json!({"method": "password"}));
    assert_eq!(
        lines[10]["action"]["data"],
        json!({"error_type": "ValidationError", "error_message": "Query cannot be empty", "field": "query"})
    );
}

#[test]
fn log_event_is_a_usage_action_of_module_and_func() {
    let lines = actions(|| {
        log_event!(
            "document_processor",
            "extract_text",
            Some("user123"),
            document_type = "pdf",
            page_count = 10,
            processing_time_ms = 250.5,
            success = true
        );
        log_event!("search", "query", None::<&str>, hits = 0);
        let owned = String::from("user7");
        log_event!("export", "csv", owned);
    });
    assert_eq!(lines[0]["action"]["action_type"], "usage");
    assert_eq!(lines[0]["action"]["description"], "document_processor.extract_text");
    assert_eq!(lines[0]["session"]["user_id"], "user123");
    assert_eq!(lines[0]["action"]["success"], true);
    assert_eq!(
        lines[0]["action"]["data"],
        json!({"module": "document_processor", "func": "extract_text", "document_type": "pdf", "page_count": 10, "processing_time_ms": 250.5})
    );
    assert_eq!(lines[1]["session"]["user_id"], Value::Null);
    assert_eq!(lines[2]["session"]["user_id"], "user7");
}

#[test]
fn plain_tracing_events_with_the_same_names_work_the_same() {
    let by_macro = actions(|| {
        user_action!(
            ActionType::Search,
            "q",
            result = "3 results",
            duration_ms = 12.5,
            user_id = "u1",
            page = 2
        )
    });
    let by_hand = actions(
        || tracing::info!(target: "user_activity", action_type = "search", description = "q", result = "3 results", duration_ms = 12.5, user_id = "u1", page = 2),
    );
    assert_eq!(by_macro, by_hand);
    assert_eq!(tracing_activity::TARGET, "user_activity");
}

#[test]
fn action_types_can_be_named_by_string() {
    let lines = actions(|| {
        user_action!("checkout", "cart 42");
        user_action!(String::from("api_call"), "GET /");
        user_action!(ActionType::from_name("upload"), "f");
    });
    let types: Vec<_> = lines.iter().map(|l| l["action"]["action_type"].clone()).collect();
    assert_eq!(types, [json!("checkout"), json!("api_call"), json!("upload")]);
}
