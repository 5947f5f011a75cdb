//! [`ResponseFuture`]: waits for the response and records the request's action.

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::task::{Context, Poll};

use http::header::SET_COOKIE;
use http::{HeaderValue, Response};
use pin_project_lite::pin_project;
use tracing::{Level, Span};

use super::action::{Outcome, Pending, record, record_entered};
use super::body::{Deferred, ResponseBody};
use super::request_id::X_REQUEST_ID_HEADER;
use super::session::sets_session_cookie;

pin_project! {
    /// The response future of [`HttpActivity`](super::HttpActivity).
    pub struct ResponseFuture<F> {
        #[pin]
        inner: F,
        span: Span,
        // `None` once the action is recorded (or handed to the response body), or for a
        // request that is not recorded.
        pending: Option<Pending>,
    }

    impl<F> PinnedDrop for ResponseFuture<F> {
        fn drop(this: Pin<&mut Self>) {
            let this = this.project();
            if let Some(pending) = this.pending.take() {
                let (level, result) = if std::thread::panicking() {
                    (Level::ERROR, "the handler panicked")
                } else {
                    // Dropped before the response was ready: the client went away.
                    (Level::WARN, "client closed the connection before the response")
                };
                let outcome = Outcome::failed(&pending, level, result.into());
                record(this.span, &pending, &outcome, None);
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
    type Output = Result<Response<ResponseBody<B>>, E>;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let this = self.project();
        // Entered until the action is logged, so that it is entered once.
        let _entered = this.span.enter();
        let output = std::task::ready!(this.inner.poll(cx));
        let Some(mut pending) = this.pending.take() else {
            return Poll::Ready(output.map(|response| response.map(ResponseBody::new)));
        };
        Poll::Ready(match output {
            Ok(mut response) => {
                let id = std::mem::replace(&mut pending.request_id, HeaderValue::from_static(""));
                response.headers_mut().insert(X_REQUEST_ID_HEADER, id);
                if let Some(cookie) = pending.set_cookie.take() {
                    if !sets_session_cookie(response.headers()) {
                        response.headers_mut().append(SET_COOKIE, cookie);
                    }
                }
                let outcome = Outcome::of_status(&pending, response.status());
                match pending.response_body.take() {
                    None => {
                        record_entered(&pending, &outcome, None);
                        Ok(response.map(ResponseBody::new))
                    }
                    Some(rule) => {
                        let capture = rule.start(response.headers());
                        let deferred = Deferred { span: this.span.clone(), pending, outcome, capture };
                        Ok(response.map(|body| ResponseBody::deferring(body, deferred)))
                    }
                }
            }
            Err(e) => {
                let outcome = Outcome::failed(&pending, Level::ERROR, format!("service error: {e}").into());
                record_entered(&pending, &outcome, None);
                Err(e)
            }
        })
    }
}
