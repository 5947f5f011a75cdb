//! [`ResponseFuture`]: waits for the response and records the request's action.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Instant;

use http::header::HeaderValue;
use http::{Response, StatusCode};
use pin_project_lite::pin_project;
use tracing::{Level, Span};

use super::service::X_REQUEST_ID;
use crate::action::ActionType;

/// What the action of a request in flight needs when it ends.
#[derive(Debug)]
pub(crate) struct Pending {
    pub(crate) start: Instant,
    pub(crate) kind: ActionType<'static>,
    pub(crate) description: String,
    pub(crate) feature: String,
    pub(crate) request_id: String,
}

pin_project! {
    /// The response future of [`HttpActivity`](super::HttpActivity).
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        span: Span,
        // `None` once the action is recorded, or for a request that is not recorded.
        pending: Option<Pending>,
    }

    impl<F> PinnedDrop for ResponseFuture<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(pending) = this.pending.take() {
                let _entered = this.span.enter();
                if std::thread::panicking() {
                    record(&pending, Level::ERROR, "the handler panicked", false, None);
                } else {
                    // Dropped before the response was ready: the client went away.
                    record(&pending, Level::WARN, "client closed the connection before the response", false, None);
                }
            }
        }
    }
}

impl<F> fmt::Debug for ResponseFuture<F> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ResponseFuture").field("pending", &self.pending).finish_non_exhaustive()
    }
}

impl<F> ResponseFuture<F> {
    pub(crate) fn recorded(inner: F, span: Span, pending: Pending) -> Self {
        ResponseFuture { inner, span, pending: Some(pending) }
    }

    pub(crate) fn unrecorded(inner: F) -> Self {
        ResponseFuture { inner, span: Span::none(), pending: None }
    }
}

impl<F, B, E> Future for ResponseFuture<F>
where
    F: Future<Output = Result<Response<B>, E>>,
    E: fmt::Display,
{
    type Output = Result<Response<B>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        let _entered = this.span.enter();
        let mut output = std::task::ready!(this.inner.poll(cx));
        let Some(pending) = this.pending.take() else { return Poll::Ready(output) };
        match &mut output {
            Ok(response) => {
                if let Ok(id) = HeaderValue::from_str(&pending.request_id) {
                    response.headers_mut().insert(X_REQUEST_ID, id);
                }
                let status = response.status();
                let level = match status.as_u16() {
                    500.. => Level::ERROR,
                    400..=499 => Level::WARN,
                    _ => Level::INFO,
                };
                let success = status.as_u16() < 400;
                record(&pending, level, &result_text(status, success), success, Some(status.as_u16()));
            }
            Err(e) => record(&pending, Level::ERROR, &format!("service error: {e}"), false, None),
        }
        Poll::Ready(output)
    }
}

/// `HTTP 200 SUCCESS`, `HTTP 404 NOT FOUND`.
fn result_text(status: StatusCode, success: bool) -> String {
    let reason =
        if success { "SUCCESS".to_owned() } else { status.canonical_reason().unwrap_or("").to_uppercase() };
    format!("HTTP {} {reason}", status.as_u16()).trim_end().to_owned()
}

/// Emits the request's action at `level` (a match over the levels, as `tracing` wants them
/// constant).
fn record(pending: &Pending, level: Level, result: &str, success: bool, status: Option<u16>) {
    let duration_ms = pending.start.elapsed().as_secs_f64() * 1000.0;
    macro_rules! action {
        ($level:expr) => {
            tracing::event!(
                target: "user_activity",
                $level,
                action_type = pending.kind.name(),
                description = pending.description.as_str(),
                result,
                success,
                duration_ms,
                status_code = status,
                feature = pending.feature.as_str(),
            )
        };
    }
    match level {
        Level::ERROR => action!(Level::ERROR),
        Level::WARN => action!(Level::WARN),
        _ => action!(Level::INFO),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_read_like_the_seed() {
        assert_eq!(result_text(StatusCode::OK, true), "HTTP 200 SUCCESS");
        assert_eq!(result_text(StatusCode::CREATED, true), "HTTP 201 SUCCESS");
        assert_eq!(result_text(StatusCode::NOT_FOUND, false), "HTTP 404 NOT FOUND");
        assert_eq!(result_text(StatusCode::INTERNAL_SERVER_ERROR, false), "HTTP 500 INTERNAL SERVER ERROR");
        assert_eq!(result_text(StatusCode::from_u16(599).unwrap(), false), "HTTP 599");
    }
}
