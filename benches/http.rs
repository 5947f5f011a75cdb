//! Per-request overhead of the middleware, in process: a service answering at once, called
//! directly and its future polled, with no middleware, with ours, and with tower-http's
//! `TraceLayer` at a level where it logs, each with its subscriber writing to `io::sink`.
//!
//! ```text
//! cargo bench --bench http
//! ```
//!
//! Ours: `HttpActivityLayer` + `ActivityLayer` (console and JSON lines, masking on). The anchor:
//! `TraceLayer::new_for_http()` with its request and response events at INFO, and
//! `tracing_subscriber::fmt` (full format). The added cost is a row minus the first row.

use std::convert::Infallible;
use std::future::Future;
use std::hint::black_box;
use std::io;
use std::net::SocketAddr;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use criterion::{Criterion, criterion_group};
use http::{Request, Response};
use tower_http::trace::{DefaultMakeSpan, DefaultOnRequest, DefaultOnResponse, TraceLayer};
use tower_layer::Layer;
use tower_service::Service;
use tracing::{Dispatch, Level};
use tracing_activity::http::HttpActivityLayer;
use tracing_activity::{ActivityLayer, Config};
use tracing_subscriber::prelude::*;

#[derive(Clone)]
struct App;

impl<B> Service<Request<B>> for App {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<B>) -> Self::Future {
        std::future::ready(Ok(Response::new(String::new())))
    }
}

fn request() -> Request<String> {
    let mut request = Request::get("/api/users/42/orders?page=2")
        .header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0")
        .header("x-user-id", "user123")
        .header("cookie", "session_id=0b7e6a2c-5f1d-4e8a-9c3b-2d4f6a8e1c90")
        .body(String::new())
        .unwrap();
    request.extensions_mut().insert("192.168.1.100:5123".parse::<SocketAddr>().unwrap());
    request
}

/// Calls the service once and polls the response to completion.
fn drive<S, B>(service: &mut S)
where
    S: Service<Request<String>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
{
    let future = pin!(service.call(request()));
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(response) => {
            black_box(response.unwrap());
        }
        Poll::Pending => unreachable!("the app answers at once"),
    }
}

/// Our middleware under our layer, and tower-http's under `fmt`.
fn subjects()
-> (impl FnMut(), impl FnMut(), impl FnMut(), Dispatch, Dispatch, tracing_activity::ActivityGuard) {
    let (activity, guard) = ActivityLayer::builder()
        .config(Config::default())
        .console_writer(io::sink)
        .file_writer(io::sink)
        .build()
        .expect("builds");
    let ours = Dispatch::new(tracing_subscriber::registry().with(activity));
    let mut service = HttpActivityLayer::new(&Config::default())
        .user_id_header(http::HeaderName::from_static("x-user-id"))
        .layer(App);
    let fmt = Dispatch::new(
        tracing_subscriber::registry()
            .with(tracing_subscriber::fmt::layer().with_ansi(false).with_writer(io::sink)),
    );
    let mut traced = TraceLayer::new_for_http()
        .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
        .on_request(DefaultOnRequest::new().level(Level::INFO))
        .on_response(DefaultOnResponse::new().level(Level::INFO))
        .layer(App);
    let mut app = App;
    (move || drive(&mut app), move || drive(&mut service), move || drive(&mut traced), ours, fmt, guard)
}

fn per_request(c: &mut Criterion) {
    let (mut bare, mut ours, mut traced, ours_dispatch, fmt_dispatch, _guard) = subjects();
    let mut group = c.benchmark_group("per_request");
    group.bench_function("no middleware", |b| b.iter(&mut bare));
    tracing::dispatcher::with_default(&ours_dispatch, || {
        group.bench_function("tracing-activity middleware", |b| b.iter(&mut ours))
    });
    tracing::dispatcher::with_default(&fmt_dispatch, || {
        group.bench_function("tower-http TraceLayer + fmt", |b| b.iter(&mut traced))
    });
    group.finish();
}

criterion_group!(benches, per_request);

fn main() {
    // `http <subject> <n>`: run one subject n times, for callgrind (see BENCHMARKS.md).
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    // Anything else (criterion's own flags and their values) goes to criterion.
    let run = match args.as_slice() {
        [subject, n] if matches!(subject.as_str(), "none" | "ours" | "trace") => {
            n.parse::<u64>().ok().map(|n| (subject.as_str(), n))
        }
        _ => None,
    };
    if let Some((subject, n)) = run {
        let (mut bare, mut ours, mut traced, ours_dispatch, fmt_dispatch, _guard) = subjects();
        match subject {
            "none" => (0..n).for_each(|_| bare()),
            "ours" => tracing::dispatcher::with_default(&ours_dispatch, || (0..n).for_each(|_| ours())),
            _ => tracing::dispatcher::with_default(&fmt_dispatch, || (0..n).for_each(|_| traced())),
        }
        return;
    }
    benches();
    criterion::Criterion::default().configure_from_args().final_summary();
}
