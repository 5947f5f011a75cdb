//! An HTTP server recorded by the middleware: every request is an action, and handlers add
//! their own (search, login, validation errors, uploads, downloads).
//!
//! ```text
//! cargo run --example server                  # listens on ACTIVITY_DEMO_ADDR (127.0.0.1:3000)
//! curl -H 'X-User-Id: user123' 'localhost:3000/search?q=rust'
//! ```
//!
//! Routes: `GET /health`, `GET|POST /user-queries`, `POST /login`, `GET /search?q=`,
//! `POST /upload`, `GET /download/{name}`, `GET /slow?ms=`, `GET /fail`, and with the `report`
//! feature the usage reports over the server's own log: `GET /api/usage/summary?hours=2`,
//! `POST /api/usage/generate-report?hours=2` (for `Authorization: Bearer $ADMIN_TOKEN`) and
//! `GET /api/usage/health`.
//!
//! With the `metrics` feature (`cargo run --example server --features metrics`) there is also
//! `GET /metrics`: the live usage metrics in the OpenMetrics text format, for Prometheus to
//! scrape (a `SKIP_PATHS` path, so scrapes are not recorded; 404 with `ENABLE_USAGE_METRICS`
//! off). The two report routes then answer from the usage store (`USAGE_DB_PATH`), saved first
//! so that they count the latest requests; their `x-usage-source` header says `store`, or
//! `logs` when they read the log files.
//!
//! The user is whoever `X-User-Id` names. Configured only by the environment (the README's
//! table). Ctrl-C or SIGTERM stops accepting, lets requests in flight finish, flushes the log
//! (and the usage counts) and exits 0.
//! `ACTIVITY_DEMO_MIDDLEWARE=off` serves the same routes without the middleware, to measure
//! what it costs under load (BENCHMARKS.md).

use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::process::ExitCode;
use std::task::{Context, Poll};
use std::time::Duration;

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use hyper::server::conn::http1;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::TokioIo;
use hyper_util::server::graceful::GracefulShutdown;
use hyper_util::service::TowerToHyperService;
use tower_layer::Layer;
use tower_service::Service;
use tracing_activity::http::HttpActivityLayer;
use tracing_activity::{ActionType, log_auth, log_download, log_error, log_search, log_upload, user_action};

type Body = Full<Bytes>;

/// The routes.
#[derive(Clone)]
struct App;

/// What the routes need of a request body: hyper's `Incoming`, or the middleware's
/// `RequestBody<Incoming>` around it.
trait RequestBody: hyper::body::Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static {}
impl<B: hyper::body::Body<Data = Bytes, Error: Into<BoxError>> + Send + 'static> RequestBody for B {}

type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl<B: RequestBody> Service<Request<B>> for App {
    type Response = Response<Body>;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response<Body>, Infallible>> + Send>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        // The middleware's span is current here; keep it for the handler's own actions.
        let span = tracing::Span::current();
        Box::pin(tracing::Instrument::instrument(route(request), span))
    }
}

fn reply(status: StatusCode, content_type: &str, body: impl Into<Bytes>) -> Response<Body> {
    Response::builder()
        .status(status)
        .header("content-type", content_type)
        .body(Full::new(body.into()))
        .unwrap_or_else(|_| Response::new(Full::new(Bytes::new())))
}

fn json(status: StatusCode, value: serde_json::Value) -> Response<Body> {
    reply(status, "application/json", value.to_string())
}

fn query_param<'a, B>(request: &'a Request<B>, name: &str) -> Option<&'a str> {
    request.uri().query()?.split('&').find_map(|pair| {
        let (key, value) = pair.split_once('=')?;
        (key == name).then_some(value)
    })
}

async fn route(request: Request<impl RequestBody>) -> Result<Response<Body>, Infallible> {
    let method = request.method().clone();
    let path = request.uri().path().to_owned();
    let response = match (&method, path.as_str()) {
        (&Method::GET, "/health") => reply(StatusCode::OK, "text/plain", "ok"),
        (&Method::GET, "/user-queries") => {
            json(StatusCode::OK, serde_json::json!([{"id": 1, "query": "rust tracing"}]))
        }
        (&Method::POST, "/user-queries") => {
            let body = read_json(request).await;
            match body.get("query").and_then(|q| q.as_str()).filter(|q| !q.trim().is_empty()) {
                Some(query) => json(StatusCode::CREATED, serde_json::json!({"id": 2, "query": query})),
                None => {
                    log_error!("ValidationError", "Query cannot be empty", field = "query");
                    json(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        serde_json::json!({"error": "Query cannot be empty"}),
                    )
                }
            }
        }
        (&Method::POST, "/login") => {
            let body = read_json(request).await;
            let email = body.get("email").and_then(|e| e.as_str()).unwrap_or_default();
            let ok = !email.is_empty()
                && body.get("password").and_then(|p| p.as_str()).is_some_and(|p| !p.is_empty());
            log_auth!("login", success = ok, method = "password");
            if ok {
                json(StatusCode::OK, serde_json::json!({"token": tracing_activity::http::generate_id()}))
            } else {
                json(StatusCode::UNAUTHORIZED, serde_json::json!({"error": "invalid credentials"}))
            }
        }
        (&Method::GET, "/search") => {
            let query = percent_decode(query_param(&request, "q").unwrap_or_default());
            log_search!(query.as_str(), results_count = 0u64);
            json(StatusCode::OK, serde_json::json!({"query": query, "results": []}))
        }
        (&Method::POST, "/upload") => {
            // At most MAX_UPLOAD bytes are read; a larger upload is cut off there.
            let body = http_body_util::Limited::new(request.into_body(), MAX_UPLOAD);
            let bytes = body.collect().await.map(|b| b.to_bytes().len()).unwrap_or(0);
            log_upload!("upload", size_bytes = bytes as u64);
            json(StatusCode::OK, serde_json::json!({"received": bytes}))
        }
        (&Method::GET, p) if p.starts_with("/download/") => {
            let name = p.trim_start_matches("/download/");
            log_download!(name, size_bytes = 11u64);
            reply(StatusCode::OK, "application/octet-stream", "hello world")
        }
        (&Method::GET, "/slow") => {
            let ms = query_param(&request, "ms").and_then(|m| m.parse().ok()).unwrap_or(1_500u64);
            tokio::time::sleep(Duration::from_millis(ms.min(60_000))).await;
            user_action!(ActionType::Performance, "slow endpoint", duration_ms = ms);
            reply(StatusCode::OK, "text/plain", "done")
        }
        (&Method::GET, "/fail") => reply(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", "failed"),
        #[cfg(feature = "metrics")]
        (&Method::GET, "/metrics") => metrics::route(),
        (_, p) if p.starts_with("/api/usage/") => {
            // The head alone (the body is not read), which the reports' blocking scan can outlive.
            let mut head = Request::new(());
            *head.method_mut() = method.clone();
            *head.uri_mut() = request.uri().clone();
            *head.headers_mut() = request.headers().clone();
            usage::route(&head).await
        }
        _ => reply(StatusCode::NOT_FOUND, "text/plain", "not found"),
    };
    Ok(response)
}

/// The usage reports over the server's own log files, computed by the same library call as
/// `activity-report` (`tracing_activity::report`).
#[cfg(feature = "report")]
mod usage {
    use std::path::PathBuf;

    use hyper::header::HeaderValue;
    use hyper::{Method, Request, Response, StatusCode};
    use serde_json::json;
    use tracing_activity::Config;
    use tracing_activity::privacy::Pseudonymizer;
    use tracing_activity::report::{LogFiles, Scan, Summary, Window};

    use super::{Body, json, query_param};

    /// Where `generate-report` writes (`USAGE_REPORT_PATH`, default `reports/usage_report.json`).
    fn report_path() -> PathBuf {
        std::env::var_os("USAGE_REPORT_PATH")
            .filter(|p| !p.is_empty())
            .map_or_else(|| PathBuf::from("reports/usage_report.json"), PathBuf::from)
    }

    /// Whether the request carries `Authorization: Bearer $ADMIN_TOKEN`, compared in constant time.
    fn is_admin<B>(request: &Request<B>, token: &str) -> bool {
        let given = request
            .headers()
            .get(hyper::header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        given.len() == token.len()
            && given.bytes().zip(token.bytes()).fold(0, |diff, (a, b)| diff | (a ^ b)) == 0
    }

    /// `?hours=N`, 1 to 720, default 2.
    fn hours<B>(request: &Request<B>) -> Result<u32, String> {
        match query_param(request, "hours") {
            None => Ok(2),
            Some(text) => text
                .parse()
                .ok()
                .filter(|h| (1..=720).contains(h))
                .ok_or_else(|| format!("hours must be a whole number from 1 to 720, not {text:?}")),
        }
    }

    /// The summary of the last `hours`, and where it comes from (`x-usage-source`): the usage
    /// store when the usage metrics have one (feature `metrics`), else the log this server
    /// writes.
    async fn summary(hours: u32) -> Result<(Summary, &'static str), String> {
        #[cfg(feature = "metrics")]
        if let Some((usage, store)) = super::metrics::usage_store() {
            let summary = tokio::task::spawn_blocking(move || {
                // Saved first, so that the summary counts the latest requests too.
                usage.flush()?;
                store.summary(Window::hours(hours))
            });
            return summary
                .await
                .map_err(|e| e.to_string())?
                .map(|s| (s, "store"))
                .map_err(|e| e.to_string());
        }
        let config = Config::from_env().map_err(|e| e.to_string())?;
        tokio::task::spawn_blocking(move || {
            let logs = LogFiles::discover(&config.user_activity_log_path).map_err(|e| e.to_string())?;
            let mut scan = Scan::new(Window::hours(hours)).summary();
            if let Some(secret) = &config.user_id_hmac_secret {
                scan = scan.pseudonymized(&Pseudonymizer::from_secret(secret));
            }
            let reports = scan.run(&logs).map_err(|e| e.to_string())?;
            let summary = reports.summary.ok_or_else(|| "no summary".to_owned())?;
            Ok((summary, "logs"))
        })
        .await
        .map_err(|e| e.to_string())?
    }

    /// `response`, saying where its summary came from.
    fn from_source(mut response: Response<Body>, source: &'static str) -> Response<Body> {
        response.headers_mut().insert("x-usage-source", HeaderValue::from_static(source));
        response
    }

    pub(super) async fn route(request: &Request<()>) -> hyper::Response<Body> {
        let path = request.uri().path();
        if (request.method(), path) == (&Method::GET, "/api/usage/health") {
            let config = Config::from_env();
            let readable =
                config.as_ref().is_ok_and(|c| LogFiles::discover(&c.user_activity_log_path).is_ok());
            return json(
                StatusCode::OK,
                json!({
                    "status": if readable { "healthy" } else { "degraded" },
                    "service": "usage-tracking",
                    "repository": if readable { "available" } else { "unavailable" },
                }),
            );
        }
        let admin = match (request.method(), path) {
            (&Method::GET, "/api/usage/summary") | (&Method::POST, "/api/usage/generate-report") => {
                std::env::var("ADMIN_TOKEN").ok().filter(|t| !t.is_empty())
            }
            _ => return json(StatusCode::NOT_FOUND, json!({"error": "not found"})),
        };
        // Without ADMIN_TOKEN the reports do not exist; with it, they are for the admin only.
        let Some(token) = admin else { return json(StatusCode::NOT_FOUND, json!({"error": "not found"})) };
        if !is_admin(request, &token) {
            return json(StatusCode::UNAUTHORIZED, json!({"error": "an admin bearer token is required"}));
        }
        let hours = match hours(request) {
            Ok(hours) => hours,
            Err(message) => return json(StatusCode::BAD_REQUEST, json!({"error": message})),
        };
        let (summary, source) = match summary(hours).await {
            Ok(found) => found,
            Err(message) => return json(StatusCode::SERVICE_UNAVAILABLE, json!({"error": message})),
        };
        if request.method() == Method::GET {
            let answer = json(StatusCode::OK, serde_json::to_value(&summary).unwrap_or_default());
            return from_source(answer, source);
        }
        let path = report_path();
        let written = serde_json::to_vec_pretty(&summary).map_err(|e| e.to_string()).and_then(|bytes| {
            if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
                std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
            }
            std::fs::write(&path, bytes).map_err(|e| format!("cannot write {}: {e}", path.display()))
        });
        match written {
            Ok(()) => {
                let answer = json!({
                    "status": "success",
                    "report_path": path.display().to_string(),
                    "summary": {
                        "active_users": summary.active_users,
                        "total_requests": summary.total_requests,
                        "total_errors": summary.total_errors,
                        "period": format!("{} -> {}", summary.period_start.to_rfc3339(), summary.period_end.to_rfc3339()),
                    },
                });
                from_source(json(StatusCode::OK, answer), source)
            }
            Err(message) => json(StatusCode::INTERNAL_SERVER_ERROR, json!({"error": message})),
        }
    }
}

/// Without the `report` feature the usage routes are not there.
#[cfg(not(feature = "report"))]
mod usage {
    use hyper::{Request, StatusCode};

    use super::{Body, json};

    pub(super) async fn route(_: &Request<()>) -> hyper::Response<Body> {
        let hint = "the usage reports need the report feature: cargo run --example server --features report";
        json(StatusCode::NOT_FOUND, serde_json::json!({"error": hint}))
    }
}

/// The live usage metrics (feature `metrics`): `GET /metrics` for Prometheus, and the store the
/// usage summary answers from.
#[cfg(feature = "metrics")]
mod metrics {
    use std::sync::OnceLock;

    use hyper::{Response, StatusCode};
    use prometheus_client::registry::Registry;
    use tracing_activity::ActivityGuard;
    use tracing_activity::usage::{UsageMetrics, UsageStore};

    use super::{Body, reply};

    /// The usage metrics, and the registry they are registered into.
    static METRICS: OnceLock<(UsageMetrics, Registry)> = OnceLock::new();

    /// What OpenMetrics text is served as.
    const OPENMETRICS: &str = "application/openmetrics-text; version=1.0.0; charset=utf-8";

    /// Keeps the usage metrics of the layer `guard` belongs to, registered for `/metrics`.
    pub(super) fn keep(guard: &ActivityGuard) {
        if let Some(usage) = guard.usage() {
            let mut registry = Registry::default();
            usage.register(&mut registry);
            let _ = METRICS.set((usage.clone(), registry));
        }
    }

    /// The usage metrics and their store, when they have one (`USAGE_DB_PATH` is not `none`).
    pub(super) fn usage_store() -> Option<(&'static UsageMetrics, &'static UsageStore)> {
        let (usage, _) = METRICS.get()?;
        Some((usage, usage.store()?))
    }

    /// `GET /metrics`: the registry as OpenMetrics text, read from the counters now.
    pub(super) fn route() -> Response<Body> {
        let Some((_, registry)) = METRICS.get() else {
            return reply(
                StatusCode::NOT_FOUND,
                "text/plain",
                "no usage metrics: ENABLE_USAGE_METRICS is off",
            );
        };
        let mut text = String::new();
        match prometheus_client::encoding::text::encode(&mut text, registry) {
            Ok(()) => reply(StatusCode::OK, OPENMETRICS, text),
            Err(_) => reply(StatusCode::INTERNAL_SERVER_ERROR, "text/plain", "cannot encode the metrics"),
        }
    }
}

/// The most of an upload or JSON body the example reads.
const MAX_UPLOAD: usize = 16 << 20;

/// `rust%20tracing+logs` → `rust tracing logs` (invalid escapes are kept as they are).
fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                match u8::from_str_radix(std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("zz"), 16) {
                    Ok(byte) => {
                        out.push(byte);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

async fn read_json(request: Request<impl RequestBody>) -> serde_json::Value {
    match http_body_util::Limited::new(request.into_body(), MAX_UPLOAD).collect().await {
        Ok(body) => serde_json::from_slice(&body.to_bytes()).unwrap_or(serde_json::Value::Null),
        Err(_) => serde_json::Value::Null,
    }
}

/// Puts the connection's peer address into each request, where the middleware looks for it.
#[derive(Clone)]
struct WithPeer<S> {
    inner: S,
    peer: SocketAddr,
}

impl<S, B> Service<Request<B>> for WithPeer<S>
where
    S: Service<Request<B>>,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = S::Future;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> S::Future {
        request.extensions_mut().insert(self.peer);
        self.inner.call(request)
    }
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => return std::future::pending().await,
        };
        tokio::select! {
            _ = ctrl_c => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

#[tokio::main]
async fn main() -> ExitCode {
    let guard = match tracing_activity::try_init() {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("server: {e}");
            return ExitCode::FAILURE;
        }
    };
    // With the `metrics` feature the layer's usage metrics are kept, for `/metrics`.
    #[cfg(feature = "metrics")]
    metrics::keep(&guard);
    let middleware = match HttpActivityLayer::from_env() {
        Ok(layer) => layer.user_id_header(hyper::header::HeaderName::from_static("x-user-id")),
        Err(e) => {
            eprintln!("server: {e}");
            return ExitCode::FAILURE;
        }
    };
    let recorded = std::env::var("ACTIVITY_DEMO_MIDDLEWARE").map_or(true, |v| v != "off");
    let addr = std::env::var("ACTIVITY_DEMO_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("server: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    let local = listener.local_addr().map_or(addr, |a| a.to_string());
    println!("listening on http://{local}");

    let graceful = GracefulShutdown::new();
    let mut signal = std::pin::pin!(shutdown_signal());
    loop {
        tokio::select! {
            accepted = listener.accept() => {
                let Ok((stream, peer)) = accepted else { continue };
                let io = TokioIo::new(stream);
                if recorded {
                    let service = WithPeer { inner: middleware.layer(App), peer };
                    let connection = http1::Builder::new().serve_connection(io, TowerToHyperService::new(service));
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        let _ = connection.await;
                    });
                } else {
                    let connection = http1::Builder::new().serve_connection(io, TowerToHyperService::new(App));
                    let connection = graceful.watch(connection);
                    tokio::spawn(async move {
                        let _ = connection.await;
                    });
                }
            }
            () = &mut signal => break,
        }
    }
    drop(listener);
    println!("shutting down: finishing requests in flight");
    if tokio::time::timeout(Duration::from_secs(30), graceful.shutdown()).await.is_err() {
        eprintln!("server: requests still running after 30 s; stopping anyway");
    }
    let stats = guard.close();
    println!(
        "activity log: {} lines written, {} dropped, {} lost",
        stats.file_lines,
        stats.file_dropped,
        stats.file_write_errors + stats.file_unflushed
    );
    ExitCode::SUCCESS
}
