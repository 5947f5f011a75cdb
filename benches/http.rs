//! Per-request overhead of the middleware, in process: a service answering at once, called
//! directly and its future polled, with no middleware, with ours, and with tower-http's
//! `TraceLayer` at a level where it logs, each with its subscriber writing to `io::sink`.
//!
//! ```text
//! cargo bench --bench http           # criterion timings
//! bash benches/instructions.sh       # instructions per request of every subject, by callgrind
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

/// The `session_id` cookie a browser sends back: one the middleware set, a UUID v7 of
/// 2026-01-01 (the bench's sessions last a century, so it is always kept), so each response
/// sends it again (the session's idle timeout starts over). A fixed id makes every run count
/// the same instructions: the per-thread memory of clean values picks its entry by the text.
/// (1767225600000 ms is 0x019b76daa800.)
const BROWSER_COOKIE: &str = "session_id=019b76da-a800-7d1a-9c3b-2d4f6a8e1c90";

/// How long the bench's sessions last: past any day the bench runs on.
const SESSION_LIFETIME: std::time::Duration = std::time::Duration::from_secs(100 * 365 * 24 * 3600);

fn request() -> Request<String> {
    with_values(
        "/api/users/42/orders?page=2",
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        BROWSER_COOKIE,
    )
}

/// The request with values no request before it had: a new client each time (its user agent and
/// session), on a new page.
fn new_request(n: u64) -> Request<String> {
    with_values(
        &format!("/api/users/{n}/orders?page=2"),
        &format!("Mozilla/5.0 (X11; Linux x86_64) Firefox/128.{n}"),
        &format!("session_id=0b7e6a2c-5f1d-4e8a-9c3b-{n:012}"),
    )
}

fn with_values(uri: &str, user_agent: &str, cookie: &str) -> Request<String> {
    let mut request = Request::get(uri)
        .header("user-agent", user_agent)
        .header("x-user-id", "user123")
        .header("cookie", cookie)
        .body(String::new())
        .unwrap();
    request.extensions_mut().insert("192.168.1.100:5123".parse::<SocketAddr>().unwrap());
    request
}

/// Calls the service once with `request` and polls the response to completion.
fn drive<S, B>(service: &mut S, request: Request<String>)
where
    S: Service<Request<String>, Response = Response<B>>,
    S::Error: std::fmt::Debug,
{
    let future = pin!(service.call(request));
    match future.poll(&mut Context::from_waker(Waker::noop())) {
        Poll::Ready(response) => {
            black_box(response.unwrap());
        }
        Poll::Pending => unreachable!("the app answers at once"),
    }
}

/// About the least a layer under our middleware could do, for the `floor` subject: copy the
/// span's text values into the span, and write one line of the action's text values and the
/// span's to `io::sink`. No masking, no JSON, no narrative, no numbers: what the middleware and
/// `tracing` cost around any layer.
struct Floor;

struct Copied(String);

struct CopyValues<'a>(&'a mut String);

impl tracing::field::Visit for CopyValues<'_> {
    fn record_str(&mut self, field: &tracing::field::Field, value: &str) {
        self.0.push_str(field.name());
        self.0.push('=');
        self.0.push_str(value);
        self.0.push(' ');
    }
    /// Other values (numbers, flags) are left out: formatting them is a layer's choice.
    fn record_debug(&mut self, _: &tracing::field::Field, _: &dyn std::fmt::Debug) {}
}

impl<S> tracing_subscriber::Layer<S> for Floor
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a>,
{
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        id: &tracing::span::Id,
        ctx: tracing_subscriber::layer::Context<'_, S>,
    ) {
        let mut text = String::with_capacity(512);
        attrs.record(&mut CopyValues(&mut text));
        if let Some(span) = ctx.span(id) {
            span.extensions_mut().insert(Copied(text));
        }
    }

    fn on_event(&self, event: &tracing::Event<'_>, ctx: tracing_subscriber::layer::Context<'_, S>) {
        use std::io::Write;
        thread_local!(static LINE: std::cell::RefCell<String> = const { std::cell::RefCell::new(String::new()) });
        LINE.with_borrow_mut(|line| {
            line.clear();
            event.record(&mut CopyValues(line));
            if let Some(scope) = ctx.event_scope(event) {
                for span in scope {
                    if let Some(Copied(text)) = span.extensions().get::<Copied>() {
                        line.push_str(text);
                    }
                }
            }
            line.push('\n');
            let _ = io::sink().write_all(line.as_bytes());
        });
    }
}

/// Calls one service with the request it is given.
trait Drive: FnMut(Request<String>) {}
impl<F: FnMut(Request<String>)> Drive for F {}

/// The service without middleware, with ours under our layer, and with tower-http's under `fmt`.
type Subjects<A, O, T> = (A, O, T, Dispatch, Dispatch, tracing_activity::ActivityGuard, Dispatch);

fn subjects() -> Subjects<impl Drive, impl Drive, impl Drive> {
    let tracing_activity::Activity { layer: activity, guard, .. } = ActivityLayer::builder()
        .config(Config::default())
        .console_writer(io::sink)
        .file_writer(io::sink)
        .build()
        .expect("builds");
    let ours = Dispatch::new(tracing_subscriber::registry().with(activity));
    let mut service = HttpActivityLayer::new(&Config::default())
        .user_id_header(http::HeaderName::from_static("x-user-id"))
        .session_lifetime(SESSION_LIFETIME)
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
    let floor = Dispatch::new(tracing_subscriber::registry().with(Floor));
    let mut app = App;
    (
        move |r| drive(&mut app, r),
        move |r| drive(&mut service, r),
        move |r| drive(&mut traced, r),
        ours,
        fmt,
        guard,
        floor,
    )
}

fn per_request(c: &mut Criterion) {
    let (mut bare, mut ours, mut traced, ours_dispatch, fmt_dispatch, _guard, _) = subjects();
    let mut group = c.benchmark_group("per_request");
    group.bench_function("no middleware", |b| b.iter(|| bare(request())));
    tracing::dispatcher::with_default(&ours_dispatch, || {
        group.bench_function("tracing-activity middleware", |b| b.iter(|| ours(request())))
    });
    tracing::dispatcher::with_default(&fmt_dispatch, || {
        group.bench_function("tower-http TraceLayer + fmt", |b| b.iter(|| traced(request())))
    });
    group.finish();
}

criterion_group!(benches, per_request);

fn main() {
    // `http <subject> <n>`: run one subject n times, for callgrind (benches/instructions.sh). The
    // `-new` subjects send each request with values no earlier request had.
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    // Anything else (criterion's own flags and their values) goes to criterion.
    let run = match args.as_slice() {
        [subject, n]
            if matches!(
                subject.as_str(),
                "none" | "ours" | "trace" | "none-new" | "ours-new" | "floor" | "trace-floor"
            ) =>
        {
            n.parse::<u64>().ok().map(|n| (subject.as_str(), n))
        }
        _ => None,
    };
    if let Some((subject, n)) = run {
        let (mut bare, mut ours, mut traced, ours_dispatch, fmt_dispatch, _guard, floor_dispatch) =
            subjects();
        match subject {
            "none" => (0..n).for_each(|_| bare(request())),
            "none-new" => (0..n).for_each(|i| bare(new_request(i))),
            "ours" => {
                tracing::dispatcher::with_default(&ours_dispatch, || (0..n).for_each(|_| ours(request())))
            }
            // Our middleware, then tower-http's, under the `Floor` layer.
            "floor" => {
                tracing::dispatcher::with_default(&floor_dispatch, || (0..n).for_each(|_| ours(request())))
            }
            "trace-floor" => {
                tracing::dispatcher::with_default(&floor_dispatch, || (0..n).for_each(|_| traced(request())))
            }
            "ours-new" => tracing::dispatcher::with_default(&ours_dispatch, || {
                (0..n).for_each(|i| ours(new_request(i)))
            }),
            _ => tracing::dispatcher::with_default(&fmt_dispatch, || (0..n).for_each(|_| traced(request()))),
        }
        return;
    }
    benches();
    criterion::Criterion::default().configure_from_args().final_summary();
}
