//! Driving the HTTP middleware in process: an app made of a handler function, called directly
//! and its future polled once.

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use http::{Request, Response};
use http_body::Body;
use tower_layer::Layer;
use tower_service::Service;
use tracing_activity::http::{HttpActivityLayer, RequestBody};

/// What answers a request: its status, headers and body, or a service error.
pub type Handler = fn(&Request<String>) -> Result<Response<String>, String>;

/// An app: answers each request with what its handler says, having read the whole body through
/// the middleware's wrapper.
#[derive(Clone)]
pub struct App(pub Handler);

/// An app whose handler never reads the request body (it sees an empty one).
#[derive(Clone)]
pub struct Unread(pub Handler);

impl Service<Request<RequestBody<String>>> for App {
    type Response = Response<String>;
    type Error = String;
    type Future = std::future::Ready<Result<Response<String>, String>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), String>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<RequestBody<String>>) -> Self::Future {
        std::future::ready((self.0)(&request.map(drain)))
    }
}

impl Service<Request<RequestBody<String>>> for Unread {
    type Response = Response<String>;
    type Error = String;
    type Future = std::future::Ready<Result<Response<String>, String>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), String>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<RequestBody<String>>) -> Self::Future {
        std::future::ready((self.0)(&request.map(|_| String::new())))
    }
}

/// Reads a body that is ready at once (a `String`, through the middleware's wrappers) to its
/// end, frame by frame.
pub fn drain<B: Body<Data = bytes::Bytes>>(body: B) -> String
where
    B::Error: std::fmt::Debug,
{
    let mut body = pin!(body);
    let mut text = Vec::new();
    loop {
        match body.as_mut().poll_frame(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(Some(frame)) => {
                if let Ok(data) = frame.unwrap().into_data() {
                    text.extend_from_slice(&data);
                }
            }
            Poll::Ready(None) => return String::from_utf8(text).unwrap(),
            Poll::Pending => panic!("test bodies are ready at once"),
        }
    }
}

/// Sends `request` from `peer` through `layer` to `app`, under the current subscriber.
pub fn send_with(
    layer: HttpActivityLayer,
    app: App,
    mut request: Request<String>,
    peer: &str,
) -> Result<Response<String>, String> {
    request.extensions_mut().insert(peer.parse::<SocketAddr>().unwrap());
    let mut service = layer.layer(app);
    let future = pin!(service.call(request));
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(result) => result.map(|response| response.map(drain)),
        Poll::Pending => panic!("the test app answers at once"),
    }
}
