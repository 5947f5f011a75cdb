//! The workload the benchmarks share: a typical request's spans and one action.
#![allow(dead_code)] // each benchmark uses its part

use std::hint::black_box;

use tracing_activity::{ActionType, user_action};

/// Runs `f` inside a session span (5 session fields) and a request span (3 context fields), as
/// inside one request of a signed-in user.
pub fn in_session_and_request<R>(f: impl FnOnce() -> R) -> R {
    let session = tracing::info_span!(
        "session",
        session_id = "0b7e6a2c-5f1d-4e8a-9c3b-2d4f6a8e1c90",
        user_id = "user123",
        ip_address = "192.168.1.100",
        user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        current_page = "/user-queries",
    );
    let request = tracing::info_span!(
        parent: &session,
        "request",
        request_id = "req-789-012",
        method = "GET",
        url = "http://localhost:8000/user-queries",
    );
    request.in_scope(f)
}

/// One request's span with its 7 session and context fields, a user id, an address and a URL
/// with a query string: what the HTTP middleware opens for every request.
pub fn request_span() -> tracing::Span {
    tracing::info_span!(
        "request",
        session_id = "0b7e6a2c-5f1d-4e8a-9c3b-2d4f6a8e1c90",
        user_id = black_box("user123"),
        ip_address = "192.168.1.100",
        user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        request_id = "req-789-012",
        method = "GET",
        url = "http://localhost:8000/user-queries?page=2&sort=recent",
    )
}

/// One API-call action with a result, a duration and one extra field.
#[inline(always)]
pub fn action() {
    user_action!(
        ActionType::ApiCall,
        black_box("GET /user-queries"),
        result = "HTTP 200 SUCCESS",
        success = true,
        duration_ms = black_box(45.32),
        status_code = 200,
    );
}
