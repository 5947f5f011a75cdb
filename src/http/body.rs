//! [`RequestBody`] and [`ResponseBody`]: bodies that pass every frame through, keeping the
//! first bytes on the way when body capture is on.

use std::pin::Pin;
use std::task::{Context, Poll};

use http_body::{Body, Frame, SizeHint};
use pin_project_lite::pin_project;
use tracing::Span;

use super::action::{Outcome, Pending, record};
use super::capture::{Capture, SharedCapture};

pin_project! {
    /// The request body the wrapped service sees: the client's body, frame for frame.
    ///
    /// With `LOG_REQUEST_BODY` on, the first bytes are kept for the request's action on the
    /// way through; nothing is buffered ahead of the handler. The action's
    /// `data.request_body` (and `data.response_body`, see [`ResponseBody`]) then depends on the
    /// body's `Content-Type`:
    ///
    /// - JSON (`application/json`, `…+json`) and forms (`application/x-www-form-urlencoded`):
    ///   the first `MAX_REQUEST_BODY_SIZE` / `MAX_RESPONSE_BODY_SIZE` bytes, masked field by
    ///   field ([`Masker::mask_json`], [`Masker::mask_form`]); a longer body ends in
    ///   `…[truncated N bytes]`. `MAX_VALUE_LENGTH` does not apply.
    /// - Anything else (binary, multipart, text), and JSON or forms in a charset other than
    ///   UTF-8 or with a `Content-Encoding` (gzip): summarized by type and size,
    ///   `[image/png, 5123 bytes]`, `[application/json, gzip, 880 bytes]`; nothing of it is kept.
    ///
    /// A JSON body kept whole is written in the line as the JSON value it is
    /// (`"request_body":{"email":"ann@example.com","password":"****"}`), so `jq` reads
    /// `.action.data.request_body.email` without `fromjson`; anything else is a string. A body
    /// that stopped before its end when the action was recorded (the client went away, the
    /// handler did not read it all, or has not yet) is marked `…[incomplete]` (`, incomplete]`
    /// in a summary); a request body the handler never read is
    /// `[120 bytes, not read by the handler]` (the size when the request says it). An empty
    /// body adds nothing.
    #[derive(Debug)]
    pub struct RequestBody<B> {
        #[pin]
        inner: B,
        capture: Option<SharedCapture>,
    }
}

impl<B> RequestBody<B> {
    /// `inner`, passed through with nothing kept (to call a wrapped service without the layer,
    /// in tests).
    pub fn new(inner: B) -> Self {
        RequestBody { inner, capture: None }
    }

    pub(crate) fn capturing(inner: B, capture: Option<SharedCapture>) -> Self {
        RequestBody { inner, capture }
    }

    /// The client's body.
    pub fn into_inner(self) -> B {
        self.inner
    }
}

impl<B: Body> Body for RequestBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let mut this = self.project();
        let frame = std::task::ready!(this.inner.as_mut().poll_frame(cx));
        if let Some(shared) = this.capture {
            let mut capture = shared.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
            capture.observe(&frame, this.inner.is_end_stream());
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A response's action that waits for the end of the response body (`LOG_RESPONSE_BODY`).
#[derive(Debug)]
pub(crate) struct Deferred {
    pub(crate) span: Span,
    pub(crate) pending: Pending,
    pub(crate) outcome: Outcome,
    pub(crate) capture: Capture,
}

impl Deferred {
    fn record(self) {
        record(&self.span, &self.pending, &self.outcome, self.capture.describe().as_deref());
    }
}

pin_project! {
    /// The response body the client gets: the service's body, frame for frame.
    ///
    /// With `LOG_RESPONSE_BODY` on, the first bytes are kept on the way (as
    /// [`RequestBody`] says), and the request's action is recorded when the body ends or is
    /// dropped; its `duration_ms` is still the time to the response's head. A body that fails
    /// on the way makes the action a failure at ERROR (`HTTP 200 SUCCESS; the response body
    /// failed`).
    #[derive(Debug)]
    pub struct ResponseBody<B> {
        #[pin]
        inner: B,
        deferred: Option<Deferred>,
    }

    impl<B> PinnedDrop for ResponseBody<B> {
        fn drop(this: Pin<&mut Self>) {
            if let Some(deferred) = this.project().deferred.take() {
                deferred.record();
            }
        }
    }
}

impl<B> ResponseBody<B> {
    /// `inner`, passed through with nothing kept.
    pub fn new(inner: B) -> Self {
        ResponseBody { inner, deferred: None }
    }

    pub(crate) fn deferring(inner: B, deferred: Deferred) -> Self {
        ResponseBody { inner, deferred: Some(deferred) }
    }
}

impl<B: Body> Body for ResponseBody<B> {
    type Data = B::Data;
    type Error = B::Error;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Self::Data>, Self::Error>>> {
        let mut this = self.project();
        let frame = std::task::ready!(this.inner.as_mut().poll_frame(cx));
        if let Some(deferred) = this.deferred.as_mut() {
            if matches!(frame, Some(Err(_))) {
                deferred.outcome.body_failed();
            }
            deferred.capture.observe(&frame, this.inner.is_end_stream());
            if deferred.capture.ended {
                if let Some(deferred) = this.deferred.take() {
                    deferred.record();
                }
            }
        }
        Poll::Ready(frame)
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
