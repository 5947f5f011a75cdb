//! The action of one request: what is known when it starts ([`Pending`]), how it ended
//! ([`Outcome`]), and the event that records both.

use std::borrow::Cow;
use std::time::Instant;

use http::{HeaderValue, StatusCode};
use tracing::{Level, Span};

use super::capture::{Capture, CaptureRule, SharedCapture};
use crate::action::ActionType;
use crate::fields::{STATUS_CODE, Slot, SlotSet};
use crate::handoff::{HandedAction, Handoff, with_handoff};

/// What the action of a request in flight needs when it ends.
#[derive(Debug)]
pub(crate) struct Pending {
    pub(crate) start: Instant,
    pub(crate) kind: ActionType<'static>,
    /// The description (`GET /path`, the path alone for a navigation) followed by the feature
    /// name, for the event's fields: the activity layer reads them only when it cannot take
    /// both from the request span.
    pub(crate) names: String,
    /// Where the description ends in `names`.
    pub(crate) description_end: usize,
    /// The request id, for the response's `X-Request-Id`.
    pub(crate) request_id: HeaderValue,
    /// The `session_id` cookie for the response, when the middleware keeps the session.
    pub(crate) set_cookie: Option<HeaderValue>,
    /// The request body as it streams to the handler, when `LOG_REQUEST_BODY` is on.
    pub(crate) request_body: Option<SharedCapture>,
    /// How to keep the response body, when `LOG_RESPONSE_BODY` is on: the action then waits for
    /// the end of the response body.
    pub(crate) response_body: Option<CaptureRule>,
}

/// How a request ended.
#[derive(Debug)]
pub(crate) struct Outcome {
    pub(crate) level: Level,
    pub(crate) result: Cow<'static, str>,
    /// The result is the middleware's own text (`HTTP 200 SUCCESS`), with no error message in it.
    pub(crate) own_result: bool,
    pub(crate) success: bool,
    pub(crate) status: Option<u16>,
    /// Milliseconds from the request to its response (or error, or abandonment).
    pub(crate) duration_ms: f64,
}

impl Pending {
    pub(crate) fn description(&self) -> &str {
        self.names.get(..self.description_end).unwrap_or_default()
    }

    pub(crate) fn feature(&self) -> &str {
        self.names.get(self.description_end..).unwrap_or_default()
    }
}

impl Outcome {
    /// A failed request that has no status: a service error, a client gone, a panic.
    pub(crate) fn failed(pending: &Pending, level: Level, result: Cow<'static, str>) -> Self {
        Outcome {
            level,
            result,
            own_result: false,
            success: false,
            status: None,
            duration_ms: elapsed_ms(pending),
        }
    }

    /// A response: 4xx at WARN, 5xx at ERROR, success below 400.
    pub(crate) fn of_status(pending: &Pending, status: StatusCode) -> Self {
        let level = match status.as_u16() {
            500.. => Level::ERROR,
            400..=499 => Level::WARN,
            _ => Level::INFO,
        };
        let success = status.as_u16() < 400;
        Outcome {
            level,
            result: result_text(status, success),
            own_result: true,
            success,
            status: Some(status.as_u16()),
            duration_ms: elapsed_ms(pending),
        }
    }
}

impl Outcome {
    /// The response body failed after the head was sent: the request failed after all.
    pub(crate) fn body_failed(&mut self) {
        const NOTE: &str = "; the response body failed";
        if !self.result.ends_with(NOTE) {
            self.result.to_mut().push_str(NOTE);
        }
        self.success = false;
        self.level = Level::ERROR;
    }
}

fn elapsed_ms(pending: &Pending) -> f64 {
    // To the microsecond: `12.345`, written by its own digits (see `push_json_f64`).
    pending.start.elapsed().as_micros() as f64 / 1000.0
}

/// `HTTP 200 SUCCESS`, `HTTP 404 NOT FOUND`: without allocating for the common statuses.
fn result_text(status: StatusCode, success: bool) -> Cow<'static, str> {
    let common = match (status.as_u16(), success) {
        (200, true) => "HTTP 200 SUCCESS",
        (201, true) => "HTTP 201 SUCCESS",
        (202, true) => "HTTP 202 SUCCESS",
        (204, true) => "HTTP 204 SUCCESS",
        (206, true) => "HTTP 206 SUCCESS",
        (301, true) => "HTTP 301 SUCCESS",
        (302, true) => "HTTP 302 SUCCESS",
        (303, true) => "HTTP 303 SUCCESS",
        (304, true) => "HTTP 304 SUCCESS",
        (307, true) => "HTTP 307 SUCCESS",
        (308, true) => "HTTP 308 SUCCESS",
        (400, false) => "HTTP 400 BAD REQUEST",
        (401, false) => "HTTP 401 UNAUTHORIZED",
        (403, false) => "HTTP 403 FORBIDDEN",
        (404, false) => "HTTP 404 NOT FOUND",
        (405, false) => "HTTP 405 METHOD NOT ALLOWED",
        (409, false) => "HTTP 409 CONFLICT",
        (422, false) => "HTTP 422 UNPROCESSABLE ENTITY",
        (429, false) => "HTTP 429 TOO MANY REQUESTS",
        (500, false) => "HTTP 500 INTERNAL SERVER ERROR",
        (502, false) => "HTTP 502 BAD GATEWAY",
        (503, false) => "HTTP 503 SERVICE UNAVAILABLE",
        (504, false) => "HTTP 504 GATEWAY TIMEOUT",
        _ => return Cow::Owned(spelled_result(status, success)),
    };
    Cow::Borrowed(common)
}

/// [`result_text`] spelled out.
fn spelled_result(status: StatusCode, success: bool) -> String {
    let reason = if success { Some("SUCCESS") } else { status.canonical_reason() };
    let mut text = String::with_capacity(40);
    text.push_str("HTTP ");
    text.push_str(status.as_str());
    if let Some(reason) = reason {
        text.push(' ');
        text.extend(reason.chars().map(|c| c.to_ascii_uppercase()));
    }
    text
}

/// Emits the request's action in `span`, with the bodies captured so far (a match over the
/// levels, as `tracing` wants them constant).
///
/// The activity layer takes the description and the feature from the request span when it
/// can (`GET /path` from its method and page, already cleaned there), so the path is searched
/// for secrets once per request; the event carries them too, for other layers and for an
/// activity layer that does not see the span.
///
/// The event is logged inside the span, entered, rather than naming it as its parent: a layer
/// whose own filter leaves the span out then still finds the nearest span it keeps, and a
/// disabled span leaves the event to the current span.
pub(crate) fn record(span: &Span, pending: &Pending, outcome: &Outcome, response_body: Option<&str>) {
    let _entered = span.enter();
    record_entered(pending, outcome, response_body);
}

/// [`record`], with the request's span entered already (the response future's poll keeps it
/// entered from the inner poll to the action, rather than entering it twice).
pub(crate) fn record_entered(pending: &Pending, outcome: &Outcome, response_body: Option<&str>) {
    let request_body = pending.request_body.as_ref().and_then(Capture::describe_shared);
    let request_body = request_body.as_deref();
    let Outcome { level, result, own_result, success, status, duration_ms } = outcome;
    let mut own = SlotSet::EMPTY.with(Slot::ActionType);
    if *own_result {
        own = own.with(Slot::Result);
    }
    // The common action, an HTTP status with no bodies, is also handed to the activity layer as
    // values, so the layer need not visit and clean the event's fields.
    let action = match result {
        Cow::Borrowed(result) if *own_result && request_body.is_none() && response_body.is_none() => {
            Some(HandedAction {
                kind: pending.kind,
                result,
                success: *success,
                duration_ms: *duration_ms,
                data: status.map(|code| (STATUS_CODE, u64::from(code))),
            })
        }
        _ => None,
    };
    let handoff = Handoff { own, request_action: true, action, ..Handoff::default() };
    macro_rules! action {
        ($level:expr) => {
            tracing::event!(
                target: "user_activity",
                $level,
                action_type = pending.kind.name(),
                description = pending.description(),
                result = &**result,
                success,
                duration_ms,
                status_code = status,
                feature = pending.feature(),
                request_body,
                response_body,
            )
        };
    }
    with_handoff(handoff, || match *level {
        Level::ERROR => action!(Level::ERROR),
        Level::WARN => action!(Level::WARN),
        _ => action!(Level::INFO),
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A file writer into a shared buffer.
    #[derive(Clone, Default)]
    struct Lines(std::sync::Arc<std::sync::Mutex<Vec<u8>>>);

    impl std::io::Write for Lines {
        fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(bytes);
            Ok(bytes.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_middlewares_own_values_are_not_searched_for_secrets() {
        use tracing_subscriber::prelude::*;
        // A generated id whose digits pass the card check, as about 2 in 10,000 do.
        let id = "40906353-8765-4375-a02e-a0a1631ea25c";
        let config = crate::Config::default();
        let masker = crate::privacy::Masker::new(config.sensitive_fields.iter(), config.mask_style);
        assert_ne!(masker.mask_text(id), id, "the id looks like a card number");

        let lines = Lines::default();
        let file = lines.clone();
        let crate::Activity { layer, guard: _guard, .. } = crate::ActivityLayer::builder()
            .config(config.enable_console_logging(false))
            .file_writer(move || file.clone())
            .build()
            .unwrap();
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), || {
            for own in [SlotSet::EMPTY, SlotSet::EMPTY.with(Slot::Context(0))] {
                let handoff = Handoff { own, ..Handoff::default() };
                let span = with_handoff(handoff, || tracing::info_span!("http_request", request_id = id));
                let _entered = span.enter();
                with_handoff(handoff, || crate::user_action!(ActionType::ApiCall, "GET /x"));
            }
        });
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        let ids: Vec<serde_json::Value> = text
            .lines()
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["context"]["request_id"].clone())
            .collect();
        assert_eq!(ids.len(), 2);
        assert_ne!(ids[0], id, "a client's value is masked");
        assert_eq!(ids[1], id, "the middleware's own id is logged as it is");
    }

    /// The file lines of `log`, run under an activity layer (console off, clock fixed).
    fn file_lines(config: crate::Config, log: impl FnOnce()) -> Vec<String> {
        use tracing_subscriber::prelude::*;
        let lines = Lines::default();
        let file = lines.clone();
        let noon = chrono::DateTime::parse_from_rfc3339("2026-01-01T12:00:00Z").unwrap().to_utc();
        let crate::Activity { layer, guard: _guard, .. } = crate::ActivityLayer::builder()
            .config(config.enable_console_logging(false))
            .file_writer(move || file.clone())
            .clock(move || noon)
            .build()
            .unwrap();
        tracing::subscriber::with_default(tracing_subscriber::registry().with(layer), log);
        let text = String::from_utf8(lines.0.lock().unwrap().clone()).unwrap();
        text.lines().map(str::to_owned).collect()
    }

    #[test]
    fn a_handed_over_action_is_logged_as_its_fields_would_be() {
        let pending = Pending {
            start: Instant::now(),
            kind: ActionType::Navigation,
            names: "/docsdocs".to_owned(),
            description_end: 5,
            request_id: HeaderValue::from_static("r-1"),
            set_cookie: None,
            request_body: None,
            response_body: None,
        };
        // A static result is handed over; the same text owned is not, and is read from the fields.
        let log = || {
            let span =
                tracing::info_span!("http_request", method = "GET", current_page = "/docs", feature = "docs");
            for result in [Cow::Borrowed("HTTP 404 NOT FOUND"), Cow::Owned("HTTP 404 NOT FOUND".to_owned())] {
                let outcome = Outcome {
                    level: Level::WARN,
                    result,
                    own_result: true,
                    success: false,
                    status: Some(404),
                    duration_ms: 12.5,
                };
                record(&span, &pending, &outcome, None);
            }
        };
        let lines = file_lines(crate::Config::default(), log);
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0], lines[1]);
        let line: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert_eq!(line["level"], "WARN");
        assert_eq!(line["action"]["action_type"], "navigation");
        assert_eq!(line["action"]["description"], "/docs");
        assert_eq!(line["action"]["result"], "HTTP 404 NOT FOUND");
        assert_eq!(line["action"]["success"], false);
        assert_eq!(line["action"]["duration_ms"], 12.5);
        assert_eq!(line["action"]["data"], serde_json::json!({"status_code": 404}));
        assert_eq!(line["context"]["feature"], "docs");

        // A field name configured as sensitive is masked on the handed-over action too.
        let config = crate::Config::default().sensitive_fields(["status_code".to_owned()]);
        let lines = file_lines(config, log);
        let line: serde_json::Value = serde_json::from_str(&lines[0]).unwrap();
        assert_ne!(line["action"]["data"]["status_code"], 404);
    }

    #[test]
    fn a_failed_response_body_fails_the_request_once() {
        let pending = Pending {
            start: Instant::now(),
            kind: ActionType::ApiCall,
            names: String::new(),
            description_end: 0,
            request_id: HeaderValue::from_static("r-1"),
            set_cookie: None,
            request_body: None,
            response_body: None,
        };
        let mut outcome = Outcome::of_status(&pending, StatusCode::OK);
        outcome.body_failed();
        outcome.body_failed();
        assert_eq!(outcome.result, "HTTP 200 SUCCESS; the response body failed");
        assert_eq!((outcome.success, outcome.level), (false, Level::ERROR));
    }

    #[test]
    fn results_name_the_status_code_and_its_reason() {
        assert_eq!(result_text(StatusCode::OK, true), "HTTP 200 SUCCESS");
        assert_eq!(result_text(StatusCode::CREATED, true), "HTTP 201 SUCCESS");
        assert_eq!(result_text(StatusCode::NOT_FOUND, false), "HTTP 404 NOT FOUND");
        assert_eq!(result_text(StatusCode::INTERNAL_SERVER_ERROR, false), "HTTP 500 INTERNAL SERVER ERROR");
        assert_eq!(result_text(StatusCode::from_u16(599).unwrap(), false), "HTTP 599");
    }

    #[test]
    fn common_results_read_as_spelled_out() {
        let mut common = 0;
        for code in 100..=999 {
            let status = StatusCode::from_u16(code).unwrap();
            let success = code < 400;
            let text = result_text(status, success);
            assert_eq!(text, spelled_result(status, success), "{code}");
            common += usize::from(matches!(text, Cow::Borrowed(_)));
        }
        assert_eq!(common, 23, "every common status has its text ready");
    }
}
