//! A scripted user journey, no server needed: every action type, an anonymous visitor, a
//! validation error, a slow and a very slow request, extra data fields.
//!
//! ```text
//! cargo run --example demo
//! ```
//!
//! The narrative goes to the console; the JSON lines go to `USER_ACTIVITY_LOG_PATH`
//! (`logs/user_activity.log` by default). Every variable of the README's table applies, e.g.
//! `ENABLE_EMOJIS=false cargo run --example demo`.

use std::io::{self, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use tracing::{Span, field::Empty, info_span};
use tracing_activity::{
    ActionType, Config, log_auth, log_click, log_download, log_error, log_event, log_form_submission,
    log_navigation, log_search, log_upload, user_action,
};

fn main() -> ExitCode {
    let config = match Config::from_env() {
        Ok(config) => config,
        Err(e) => {
            eprintln!("demo: {e}");
            return ExitCode::FAILURE;
        }
    };
    let log_path = config.user_activity_log_path.clone();
    let file_logging = config.enable_file_logging;
    // The same question of either shape of line: which requests took over a second?
    let slow = match config.log_format {
        tracing_activity::config::LogFormat::Ecs => "select(.event.duration > 1000000000)",
        _ => "select(.action.duration_ms > 1000)",
    };
    let guard = match tracing_activity::ActivityLayer::builder().config(config).try_init() {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("demo: {e}");
            return ExitCode::FAILURE;
        }
    };

    journey();

    guard.flush();
    let stats = guard.stats();
    match where_the_lines_went(stats.file_lines, file_logging.then_some(log_path), slow) {
        Ok(()) => {}
        // The reader has stopped reading (`cargo run --example demo | head -3`): it has what it
        // wanted, so the demo ends as any command-line tool does, quietly.
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("demo: cannot write to standard output: {e}");
            return ExitCode::FAILURE;
        }
    }
    if stats.file_write_errors + stats.console_write_errors > 0 {
        eprintln!("demo: {stats:?}");
        return ExitCode::FAILURE;
    }
    ExitCode::SUCCESS
}

/// Tells where the JSON lines are, on standard output; stops at the first write that fails.
fn where_the_lines_went(file_lines: u64, log_path: Option<PathBuf>, slow: &str) -> io::Result<()> {
    let mut out = io::stdout().lock();
    writeln!(out)?;
    match log_path {
        Some(path) => {
            let shown = std::path::absolute(&path).unwrap_or(path);
            writeln!(out, "{file_lines} activity lines appended to {}", shown.display())?;
            writeln!(out, "try: jq '{slow}' {}", shown.display())?;
        }
        None => writeln!(out, "file logging is off (ENABLE_FILE_LOGGING=false)")?,
    }
    out.flush()
}

/// One request of the journey: a span with the session and the request's context.
fn request(session: &Span, id: u32, method: &str, path: &str) -> Span {
    info_span!(
        parent: session,
        "request",
        request_id = format!("req-{id:04}"),
        method,
        url = format!("http://localhost:8000{path}"),
        current_page = path,
    )
}

fn journey() {
    // A visitor arrives without signing in; the user id is recorded once they log in.
    let session = info_span!(
        "session",
        session_id = "0b7e6a2c-5f1d-4e8a-9c3b-2d4f6a8e1c90",
        user_id = Empty,
        ip_address = "192.168.1.100",
        user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        referrer = "https://www.example.com/",
    );

    request(&session, 1, "GET", "/").in_scope(|| {
        log_navigation!("/");
        log_search!("narrative logging", results_count = 42, filters = "recent");
    });

    request(&session, 2, "POST", "/login").in_scope(|| {
        // Secrets are masked wherever they appear: by field name, and inside text and URLs.
        user_action!(
            ActionType::ApiCall,
            "POST /login?api_key=sk-live-4f9a8b7c6d5e4f3a",
            result = "HTTP 401 UNAUTHORIZED",
            success = false,
            duration_ms = 12.1,
            password = "hunter2hunter2",
        );
        log_auth!("login", success = false, method = "password", reason = "wrong password");
        session.record("user_id", "user123");
        log_auth!("login", success = true, method = "password");
    });

    request(&session, 3, "GET", "/user-queries").in_scope(|| {
        log_navigation!("/user-queries");
        user_action!(
            ActionType::ApiCall,
            "GET /user-queries",
            result = "HTTP 200 SUCCESS",
            duration_ms = 45.32,
            status_code = 200,
        );
    });

    request(&session, 4, "POST", "/user-queries").in_scope(|| {
        log_form_submission!("Create User Query", success = false, validation_errors = ?["query is empty"]);
        log_error!("ValidationError", "Query cannot be empty", field = "query");
        log_click!("submit-button", attempt = 2);
        user_action!(
            ActionType::FormSubmission,
            "Create User Query",
            result = "Query created successfully",
            duration_ms = 87.4,
            query_id = 1042,
            query_length = 37,
        );
    });

    request(&session, 5, "GET", "/reports/monthly.pdf").in_scope(|| {
        user_action!(
            ActionType::Performance,
            "monthly report generation",
            duration_ms = 1830.0,
            rows = 120_000
        );
        log_download!("monthly.pdf", size_bytes = 1_048_576, content_type = "application/pdf");
    });

    request(&session, 6, "POST", "/profile/avatar").in_scope(|| {
        log_upload!("avatar.png", size_bytes = 48_213, content_type = "image/png");
    });

    request(&session, 7, "GET", "/analytics").in_scope(|| {
        user_action!(
            ActionType::ApiCall,
            "GET /analytics",
            result = "HTTP 200 SUCCESS",
            duration_ms = 6204.9,
            status_code = 200,
        );
    });

    request(&session, 8, "POST", "/checkout").in_scope(|| {
        user_action!(
            "checkout",
            "cart with 3 items",
            result = "Paid",
            amount_cents = 4_599,
            currency = "EUR"
        );
        log_event!(
            "billing",
            "create_invoice",
            Some("user123"),
            invoice_lines = 3,
            processing_time_ms = 12.5
        );
    });

    // Someone else, never signed in, from another address.
    let visitor = info_span!(
        "session",
        session_id = "5c1d9e7f-0a2b-4c3d-8e9f-1a2b3c4d5e6f",
        ip_address = "203.0.113.7"
    );
    request(&visitor, 9, "GET", "/pricing").in_scope(|| {
        log_navigation!("/pricing");
        log_click!("start-trial");
    });

    request(&session, 10, "POST", "/logout").in_scope(|| log_auth!("logout"));
}
