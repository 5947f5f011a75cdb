//! The HTTP middleware, driven in process: a tower service called directly, its future polled.
#![cfg(feature = "http")]

mod common;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::pin;
use std::task::{Context, Poll, Waker};
use std::time::Duration;

use common::Harness;
use common::http::{App, Unread, drain, send_with};
use http::{Request, Response, StatusCode};
use serde_json::Value;
use tower_layer::Layer;
use tower_service::Service;
use tracing_activity::http::{HttpActivityLayer, RequestBody, is_valid_id};
use tracing_activity::{ActionType, Config, IpCidr, user_action};

fn ok(_: &Request<String>) -> Result<Response<String>, String> {
    Ok(Response::new("ok".to_owned()))
}

fn layer() -> HttpActivityLayer {
    HttpActivityLayer::new(&Config::default())
        .trusted_proxies(["10.0.0.0/8".parse::<IpCidr>().unwrap()])
        .strip_prefix("/api")
        .user_id(|parts| parts.headers.get("x-user-id").and_then(|v| v.to_str().ok()).map(str::to_owned))
}

/// Sends `request` from `peer` through the middleware around `app`; returns the response, its
/// body read to the end.
fn send(app: App, request: Request<String>, peer: &str) -> Result<Response<String>, String> {
    send_with(layer(), app, request, peer)
}

fn get(uri: &str) -> http::request::Builder {
    Request::get(uri)
}

#[test]
fn a_secret_in_the_path_is_masked_wherever_the_path_is_logged() {
    let h = Harness::new(Config::default());
    h.run(|| {
        send(App(ok), get("/api/cards/4111111111111111/pin").body(String::new()).unwrap(), "203.0.113.7:1")
    })
    .unwrap();
    let line = h.only_json();
    let page = line["session"]["current_page"].as_str().unwrap().to_owned();
    assert_ne!(page, "/api/cards/4111111111111111/pin");
    assert!(page.starts_with("/api/cards/") && page.ends_with("/pin"), "{page}");
    assert_eq!(line["action"]["description"], format!("GET {page}"));
    assert_eq!(line["context"]["url"], page.as_str());
    assert_eq!(line["action"]["data"].get("feature"), None, "the feature is context, written once");
    assert_eq!(line["context"]["feature"], "cards_pin");
    assert!(!h.file.text().contains("4111111111111111"));
    assert!(!h.console.text().contains("4111111111111111"));
}

#[test]
fn a_request_is_one_action_with_session_and_context() {
    let h = Harness::new(Config::default());
    let response = h
        .run(|| {
            send(
                App(ok),
                get("/api/users/42/orders?page=2&token=s3cr3tt0k3n")
                    .header("x-user-id", "user123")
                    .header("user-agent", "curl/8.5")
                    .header("referer", "/home")
                    .header("cookie", "session_id=s-77")
                    .body(String::new())
                    .unwrap(),
                "203.0.113.7:5123",
            )
        })
        .unwrap();
    let line = h.only_json();
    let id = response.headers()["x-request-id"].to_str().unwrap();
    assert!(is_valid_id(id));
    assert_eq!(line["action"]["action_type"], "api_call");
    assert_eq!(line["action"]["description"], "GET /api/users/42/orders");
    assert_eq!(line["action"]["result"], "HTTP 200 SUCCESS");
    assert_eq!(line["action"]["success"], true);
    let ms = line["action"]["duration_ms"].as_f64().expect("a numeric duration");
    assert_eq!((ms * 1000.0).round() / 1000.0, ms, "to the microsecond: {ms}");
    assert_eq!(line["action"]["data"]["status_code"], 200);
    assert_eq!(line["action"]["data"].get("feature"), None, "the feature is context, written once");
    assert_eq!(line["context"]["feature"], "users_orders");
    assert_eq!(
        line["session"],
        serde_json::json!({"session_id": "s-77", "user_id": "user123", "ip_address": "203.0.113.7",
            "user_agent": "curl/8.5", "current_page": "/api/users/42/orders", "referrer": "/home"})
    );
    assert_eq!(line["context"]["request_id"], id);
    assert_eq!(line["context"]["method"], "GET");
    assert_eq!(line["context"]["url"], "/api/users/42/orders?page=2&token=s3*******3n");
    assert!(!h.file.text().contains("s3cr3tt0k3n"));
}

#[test]
fn skipped_paths_pass_through_unrecorded() {
    let h = Harness::new(Config::default());
    let response = h.run(|| send(App(ok), get("/health").body(String::new()).unwrap(), "1.2.3.4:1")).unwrap();
    assert_eq!(response.body(), "ok");
    assert!(response.headers().get("x-request-id").is_none());
    assert_eq!(h.file.text(), "");
}

#[test]
fn request_ids_are_kept_only_when_safe() {
    let h = Harness::new(Config::default());
    // The handler answers the request id it sees.
    fn id_seen(request: &Request<String>) -> Result<Response<String>, String> {
        Ok(Response::new(request.headers()["x-request-id"].to_str().unwrap().to_owned()))
    }
    let echo = |id: &str| {
        let request = get("/x").header("x-request-id", id).body(String::new()).unwrap();
        let response = h.run(|| send(App(id_seen), request, "1.2.3.4:1")).unwrap();
        let echoed = response.headers()["x-request-id"].to_str().unwrap().to_owned();
        assert_eq!(response.body(), &echoed, "the handler sees the id the client gets");
        echoed
    };
    assert_eq!(echo("req-789-012"), "req-789-012");
    for bad in ["has spaces", &"x".repeat(129), "quote\"d"] {
        let generated = echo(bad);
        assert_ne!(generated, bad);
        assert_eq!(generated.len(), 36, "a generated UUID-shaped id: {generated}");
    }
    let ids: Vec<Value> = h.file.json().iter().map(|l| l["context"]["request_id"].clone()).collect();
    assert_eq!(ids[0], "req-789-012");
}

#[test]
fn forwarded_addresses_are_believed_only_from_trusted_proxies() {
    let h = Harness::new(Config::default());
    let request = || get("/x").header("x-forwarded-for", "6.6.6.6, 203.0.113.9").body(String::new()).unwrap();
    h.run(|| send(App(ok), request(), "198.51.100.1:80")).unwrap();
    h.run(|| send(App(ok), request(), "10.0.0.2:80")).unwrap();
    let ips: Vec<Value> = h.file.json().iter().map(|l| l["session"]["ip_address"].clone()).collect();
    assert_eq!(ips, ["198.51.100.1", "203.0.113.9"], "a spoofed header from an untrusted peer is ignored");
}

#[test]
fn status_decides_success_and_level_and_errors_are_recorded() {
    let h = Harness::new(Config::default());
    h.run(|| {
        send(
            App(|_| Ok(Response::builder().status(404).body(String::new()).unwrap())),
            get("/missing").body(String::new()).unwrap(),
            "1.2.3.4:1",
        )
        .unwrap();
        send(
            App(|_| Ok(Response::builder().status(StatusCode::BAD_GATEWAY).body(String::new()).unwrap())),
            get("/up").body(String::new()).unwrap(),
            "1.2.3.4:1",
        )
        .unwrap();
        send(
            App(|_| Err("database unreachable".to_owned())),
            get("/db").body(String::new()).unwrap(),
            "1.2.3.4:1",
        )
        .unwrap_err();
    });
    let summary: Vec<(Value, Value, Value)> = h
        .file
        .json()
        .iter()
        .map(|l| (l["level"].clone(), l["action"]["result"].clone(), l["action"]["success"].clone()))
        .collect();
    assert_eq!(
        summary,
        [
            ("WARN".into(), "HTTP 404 NOT FOUND".into(), false.into()),
            ("ERROR".into(), "HTTP 502 BAD GATEWAY".into(), false.into()),
            ("ERROR".into(), "service error: database unreachable".into(), false.into()),
        ]
    );
}

#[test]
fn pages_and_forms_are_told_apart_from_api_calls() {
    let h = Harness::new(Config::default());
    h.run(|| {
        send(
            App(ok),
            get("/user-queries").header("accept", "text/html,*/*").body(String::new()).unwrap(),
            "1.2.3.4:1",
        )
        .unwrap();
        send(
            App(ok),
            Request::post("/user-queries")
                .header("content-type", "application/json")
                .body("{}".to_owned())
                .unwrap(),
            "1.2.3.4:1",
        )
        .unwrap();
        send(App(ok), Request::delete("/user-queries/3").body(String::new()).unwrap(), "1.2.3.4:1").unwrap();
    });
    let kinds: Vec<(Value, Value)> = h
        .file
        .json()
        .iter()
        .map(|l| (l["action"]["action_type"].clone(), l["action"]["description"].clone()))
        .collect();
    assert_eq!(
        kinds,
        [
            ("navigation".into(), "/user-queries".into()),
            ("form_submission".into(), "POST /user-queries".into()),
            ("api_call".into(), "DELETE /user-queries/3".into()),
        ]
    );
}

#[test]
fn actions_the_handler_logs_carry_the_request() {
    let h = Harness::new(Config::default());
    h.run(|| {
        send(
            App(|_| {
                user_action!(ActionType::Search, "rust tracing", results_count = 3);
                Ok(Response::new(String::new()))
            }),
            get("/search?q=rust")
                .header("x-user-id", "u9")
                .header("x-request-id", "r-1")
                .body(String::new())
                .unwrap(),
            "1.2.3.4:1",
        )
        .unwrap();
    });
    let lines = h.file.json();
    assert_eq!(lines.len(), 2);
    assert_eq!(lines[0]["action"]["action_type"], "search");
    assert_eq!(lines[0]["session"]["user_id"], "u9");
    assert_eq!(lines[0]["context"]["request_id"], "r-1");
    assert_eq!(lines[0]["context"]["feature"], "search");
}

#[test]
fn slow_requests_are_flagged() {
    let config = Config::default()
        .slow_request_threshold(Duration::from_millis(1))
        .very_slow_request_threshold(Duration::from_millis(1));
    let h = Harness::new(config);
    h.run(|| {
        send(
            App(|_| {
                std::thread::sleep(Duration::from_millis(5));
                Ok(Response::new(String::new()))
            }),
            get("/slow").body(String::new()).unwrap(),
            "1.2.3.4:1",
        )
        .unwrap()
    });
    let line = h.only_json();
    assert_eq!(line["action"]["slow"], "very_slow");
    assert_eq!(line["level"], "WARN");
}

/// An app whose response never comes.
#[derive(Clone)]
struct Never;

impl Service<Request<RequestBody<String>>> for Never {
    type Response = Response<String>;
    type Error = String;
    type Future = std::future::Pending<Result<Response<String>, String>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), String>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, _: Request<RequestBody<String>>) -> Self::Future {
        std::future::pending()
    }
}

#[test]
fn a_client_that_goes_away_is_recorded() {
    let h = Harness::new(Config::default());
    h.run(|| {
        let mut service = layer().layer(Never);
        let mut future = Box::pin(service.call(get("/report").body(String::new()).unwrap()));
        assert!(future.as_mut().poll(&mut Context::from_waker(Waker::noop())).is_pending());
        drop(future);
    });
    let line = h.only_json();
    assert_eq!(line["level"], "WARN");
    assert_eq!(line["action"]["result"], "client closed the connection before the response");
    assert_eq!(line["action"]["success"], false);
}

/// The one JSON line for one request from `peer`.
fn one(request: http::request::Builder, peer: &str) -> (Harness, Value) {
    let h = Harness::new(Config::default());
    h.run(|| send(App(ok), request.body(String::new()).unwrap(), peer)).unwrap();
    let line = h.file.json().pop().unwrap_or(Value::Null);
    (h, line)
}

#[test]
fn a_clients_forwarded_header_does_not_beat_the_proxys_x_forwarded_for() {
    let request = get("/x").header("forwarded", "for=6.6.6.6").header("x-forwarded-for", "203.0.113.9");
    let (_, line) = one(request, "10.0.0.2:80");
    assert_eq!(line["session"]["ip_address"], "203.0.113.9");
    let (_, line) = one(get("/x"), "[::ffff:203.0.113.7]:1");
    assert_eq!(line["session"]["ip_address"], "203.0.113.7", "a dual-stack peer is written as IPv4");
}

#[test]
fn skip_paths_ignore_a_trailing_slash_and_the_query() {
    for uri in ["/health/", "/health?x=1", "/metrics"] {
        let (h, _) = one(get(uri), "1.2.3.4:1");
        assert_eq!(h.file.text(), "", "{uri}");
    }
    let (h, _) = one(get("/healthz"), "1.2.3.4:1");
    assert_ne!(h.file.text(), "", "only the path itself is skipped");
}

#[test]
fn secrets_in_url_shapes_are_masked() {
    for uri in [
        "/login?user[password]=hunter22hunter22",
        "/login?user%5Bpassword%5D=hunter22hunter22",
        "/login?token=part1,hunter22hunter22",
    ] {
        let (h, _) = one(get(uri), "1.2.3.4:1");
        assert!(!h.file.text().contains("hunter22hunter22"), "{uri}: {}", h.file.text());
    }
    let connect =
        Request::builder().method(http::Method::CONNECT).uri("ann:hunter22hunter22@example.com:443");
    let (h, line) = one(connect, "1.2.3.4:1");
    assert!(!h.file.text().contains("hunter22"), "{line}");
    assert_eq!(line["context"]["url"], "example.com:443");
}

#[test]
fn media_types_are_compared_without_case_and_sessions_fall_back_to_the_header() {
    let (_, line) = one(Request::post("/q").header("content-type", "Application/JSON"), "1.2.3.4:1");
    assert_eq!(line["action"]["action_type"], "form_submission");
    let (_, line) = one(get("/x").header("cookie", "session_id=").header("x-session-id", "s-1"), "1.2.3.4:1");
    assert_eq!(line["session"]["session_id"], "s-1");
}

/// An app whose handler panics.
#[derive(Clone)]
struct Panics;

struct PanicFuture;

impl Future for PanicFuture {
    type Output = Result<Response<String>, String>;
    fn poll(self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<Self::Output> {
        panic!("handler bug")
    }
}

impl Service<Request<RequestBody<String>>> for Panics {
    type Response = Response<String>;
    type Error = String;
    type Future = PanicFuture;
    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), String>> {
        Poll::Ready(Ok(()))
    }
    fn call(&mut self, _: Request<RequestBody<String>>) -> PanicFuture {
        PanicFuture
    }
}

#[test]
fn a_panicking_handler_is_not_a_client_that_went_away() {
    let h = Harness::new(Config::default());
    h.run(|| {
        let _ = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            let mut service = layer().layer(Panics);
            let mut future = Box::pin(service.call(get("/p").body(String::new()).unwrap()));
            let _ = future.as_mut().poll(&mut Context::from_waker(Waker::noop()));
        }));
    });
    let line = h.only_json();
    assert_eq!(
        (line["level"].clone(), line["action"]["result"].clone()),
        ("ERROR".into(), "the handler panicked".into())
    );
}

/// The app answers with the body it was sent, as JSON.
fn echo(request: &Request<String>) -> Result<Response<String>, String> {
    Ok(Response::builder().header("content-type", "application/json").body(request.body().clone()).unwrap())
}

fn post(uri: &str, content_type: &str, body: &str) -> Request<String> {
    Request::post(uri).header("content-type", content_type).body(body.to_owned()).unwrap()
}

const LOGIN: &str = r#"{"email":"ann@example.com","password":"hunter2hunter2","profile":{"pin":4321}}"#;

#[test]
fn bodies_are_not_captured_by_default() {
    let h = Harness::new(Config::default());
    let response = h.run(|| send(App(echo), post("/login", "application/json", LOGIN), "1.2.3.4:1")).unwrap();
    assert_eq!(response.body(), LOGIN, "the body passes through unchanged");
    let line = h.only_json();
    assert_eq!(line["action"]["data"].get("request_body"), None);
    assert_eq!(line["action"]["data"].get("response_body"), None);
    assert!(!h.file.text().contains("ann@example.com"));
}

fn capturing() -> HttpActivityLayer {
    layer().log_request_body(true).log_response_body(true)
}

#[test]
fn json_bodies_are_captured_masked_field_by_field() {
    // The privacy settings are the activity layer's, whatever the middleware was made from.
    let h = Harness::new(Config::default().sensitive_fields(vec!["pin".to_owned()]));
    let body_layer =
        HttpActivityLayer::new(&Config::default().mask_sensitive_data(false)).log_request_body(true);
    let response =
        h.run(|| send_with(body_layer, App(echo), post("/login", "application/json", LOGIN), "1.2.3.4:1"));
    assert_eq!(response.unwrap().body(), LOGIN, "the handler and the client see the body unchanged");
    let line = h.only_json();
    // Written as the JSON value it is, masked field by field: no `fromjson` needed.
    assert_eq!(
        line["action"]["data"]["request_body"],
        serde_json::json!({"email": "ann@example.com", "password": "hu*******r2", "profile": {"pin": "****"}})
    );
    assert!(h.file.text().contains(r#""request_body":{"email":"ann@example.com","#), "{}", h.file.text());
    assert!(!h.file.text().contains("hunter2"));
    assert!(!h.file.text().contains("4321"));
}

#[test]
fn a_request_body_the_handler_never_reads_is_marked_unread() {
    let h = Harness::new(Config::default());
    let mut request = post("/login", "application/json", LOGIN);
    request.headers_mut().insert("content-length", LOGIN.len().into());
    let response = h.run(|| {
        let mut service = layer().log_request_body(true).layer(Unread(ok));
        let future = pin!(service.call(request));
        match future.poll(&mut Context::from_waker(Waker::noop())) {
            Poll::Ready(result) => result,
            Poll::Pending => panic!("the app answers at once"),
        }
    });
    assert!(response.is_ok());
    let line = h.only_json();
    assert_eq!(
        line["action"]["data"]["request_body"],
        format!("[{} bytes, not read by the handler]", LOGIN.len())
    );
}

#[test]
fn captured_bodies_are_capped_by_their_own_limit() {
    // Bodies are capped by MAX_REQUEST_BODY_SIZE / MAX_RESPONSE_BODY_SIZE, not MAX_VALUE_LENGTH.
    let h = Harness::new(Config::default().max_value_length(64));
    let big = format!(r#"{{"items":[{}]}}"#, vec!["\"abcdefghij\""; 100].join(","));
    let layer = capturing().max_request_body_size(200).max_response_body_size(100);
    h.run(|| send_with(layer, App(echo), post("/items", "application/json", &big), "1.2.3.4:1")).unwrap();
    let line = h.only_json();
    let request = line["action"]["data"]["request_body"].as_str().unwrap();
    assert_eq!(request, format!("{}…[truncated {} bytes]", &big[..200], big.len() - 200));
    let response = line["action"]["data"]["response_body"].as_str().unwrap();
    assert_eq!(response, format!("{}…[truncated {} bytes]", &big[..100], big.len() - 100));
}

#[test]
fn forms_and_queries_are_masked_by_decoded_name() {
    let h = Harness::new(Config::default());
    let form = post(
        "/signup?user=ann&pass%77ord=qwertyuiop",
        "application/x-www-form-urlencoded",
        "user=ann&pass%77ord=hunter22&user%5Btoken%5D=abc",
    );
    h.run(|| send_with(capturing(), App(ok), form, "1.2.3.4:1")).unwrap();
    let line = h.only_json();
    assert_eq!(line["action"]["data"]["request_body"], "user=ann&pass%77ord=****&user%5Btoken%5D=****");
    assert_eq!(line["context"]["url"], "/signup?user=ann&pass%77ord=qw*******op");
    assert!(!h.file.text().contains("hunter22"));
    assert!(!h.file.text().contains("qwertyuiop"));
}

#[test]
fn other_bodies_are_summarized_by_type_and_size() {
    let h = Harness::new(Config::default());
    let upload = post("/upload", "image/png; name=cat", &"x".repeat(5000));
    h.run(|| send_with(capturing(), App(ok), upload, "1.2.3.4:1")).unwrap();
    let line = h.only_json();
    assert_eq!(line["action"]["data"]["request_body"], "[image/png, 5000 bytes]");
    // The `ok` handler answers text without a content type.
    assert_eq!(line["action"]["data"]["response_body"], "[2 bytes]");
}

#[test]
fn with_response_capture_the_action_waits_for_the_end_of_the_body() {
    let h = Harness::new(Config::default());
    h.run(|| {
        let mut request = post("/login", "application/json", LOGIN);
        request.extensions_mut().insert("1.2.3.4:1".parse::<SocketAddr>().unwrap());
        let mut service = capturing().layer(App(echo));
        let future = pin!(service.call(request));
        let Poll::Ready(Ok(response)) = future.poll(&mut Context::from_waker(Waker::noop())) else {
            panic!("the test app answers at once")
        };
        assert_eq!(h.file.text(), "", "no action before the body is sent");
        assert_eq!(drain(response.into_body()), LOGIN);
    });
    let line = h.only_json();
    assert_eq!(line["action"]["result"], "HTTP 200 SUCCESS");
    assert_eq!(
        line["action"]["data"]["response_body"],
        serde_json::json!({"email": "ann@example.com", "password": "hu*******r2", "profile": {"pin": 4321}})
    );
}

#[test]
fn a_response_body_dropped_before_its_end_is_recorded_as_incomplete() {
    let h = Harness::new(Config::default());
    h.run(|| {
        let mut service = capturing().layer(App(echo));
        let future = pin!(service.call(post("/login", "application/json", LOGIN)));
        let Poll::Ready(Ok(response)) = future.poll(&mut Context::from_waker(Waker::noop())) else {
            panic!("the test app answers at once")
        };
        drop(response);
    });
    let line = h.only_json();
    assert_eq!(line["action"]["result"], "HTTP 200 SUCCESS");
    assert_eq!(line["action"]["data"].get("response_body"), None, "nothing was sent");
    assert_eq!(line["action"]["data"]["request_body"]["email"], "ann@example.com");
}

#[test]
fn with_its_span_filtered_out_the_action_keeps_the_current_span() {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let (layer, _guard, _console, file) = common::layer_for(Config::default());
    // The middleware's spans are off; its actions (target `user_activity`) are on.
    let filter =
        Targets::new().with_default(LevelFilter::TRACE).with_target("tracing_activity", LevelFilter::OFF);
    let subscriber = tracing_subscriber::registry().with(filter).with(layer);
    tracing::subscriber::with_default(subscriber, || {
        let outer = tracing::info_span!("connection", user_id = "u-outer");
        outer.in_scope(|| send(App(ok), get("/docs").body(String::new()).unwrap(), "203.0.113.7:1")).unwrap();
    });
    let lines = file.json();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["action"]["result"], "HTTP 200 SUCCESS");
    assert_eq!(lines[0]["session"]["user_id"], "u-outer", "the action is in the current span");
    assert_eq!(lines[0]["action"]["description"], "GET /docs", "named by the event itself");
    assert_eq!(lines[0]["context"]["feature"], "docs", "the event's feature is the request's context");
    assert_eq!(lines[0]["action"]["data"].get("feature"), None);
}

#[test]
fn a_layer_filtered_to_leave_the_span_out_still_names_the_action() {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::prelude::*;
    let (layer, _guard, _console, file) = common::layer_for(Config::default());
    // Only the activity layer leaves the middleware's spans out; another layer keeps them.
    let filter =
        Targets::new().with_default(LevelFilter::TRACE).with_target("tracing_activity", LevelFilter::OFF);
    let subscriber = tracing_subscriber::registry()
        .with(layer.with_filter(filter))
        .with(tracing_subscriber::fmt::layer().with_writer(std::io::sink));
    tracing::subscriber::with_default(subscriber, || {
        let outer = tracing::info_span!("connection", user_id = "u-outer");
        outer
            .in_scope(|| send(App(ok), get("/api/docs").body(String::new()).unwrap(), "203.0.113.7:1"))
            .unwrap();
    });
    let lines = file.json();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert_eq!(lines[0]["session"]["user_id"], "u-outer", "the nearest span this layer keeps");
    assert_eq!(lines[0]["action"]["description"], "GET /api/docs");
    assert_eq!(lines[0]["context"]["feature"], "docs");
    assert_eq!(lines[0]["action"]["data"].get("feature"), None);
}

#[test]
fn the_description_follows_its_own_field_settings() {
    let line_of = |config: Config, request: Request<String>| {
        let h = Harness::new(config);
        h.run(|| send(App(ok), request, "203.0.113.7:1")).unwrap();
        h.only_json()
    };
    // A sensitive `description` is masked, though the page it is made of is not.
    let line = line_of(
        Config::default().sensitive_fields(["description".to_owned()]),
        get("/api/users/alice/orders").body(String::new()).unwrap(),
    );
    assert_eq!(line["session"]["current_page"], "/api/users/alice/orders");
    assert!(!line["action"]["description"].as_str().unwrap().contains("alice"), "{line}");
    // A sensitive `action_type` does not turn a navigation into `GET /path`.
    let line = line_of(
        Config::default().sensitive_fields(["action_type".to_owned()]),
        get("/docs").header("accept", "text/html").body(String::new()).unwrap(),
    );
    assert_eq!(line["action"]["description"], "/docs");
    // A long path is capped in the description as any value is: at MAX_VALUE_LENGTH bytes.
    let path = format!("/{}", "p".repeat(80));
    let line = line_of(Config::default().max_value_length(64), get(&path).body(String::new()).unwrap());
    let description = line["action"]["description"].as_str().unwrap();
    let kept = description.split('…').next().unwrap();
    assert_eq!(kept, &format!("GET {path}")[..64], "{description}");
    assert!(description.ends_with(&format!("[truncated {} bytes]", 4 + path.len() - 64)), "{description}");
}

#[test]
fn extractors_see_a_generated_request_id_and_any_header_can_name_the_user() {
    let h = Harness::new(Config::default());
    // The feature closure sees the id the request is logged with.
    let layer = HttpActivityLayer::new(&Config::default())
        .feature_name(|parts| format!("has-id-{}", parts.headers.contains_key("x-request-id")))
        .user_id_header(http::header::REFERER);
    h.run(|| {
        send_with(
            layer,
            App(ok),
            get("/x").header("referer", "u-ref").body(String::new()).unwrap(),
            "203.0.113.7:1",
        )
    })
    .unwrap();
    let line = h.only_json();
    assert_eq!(line["context"]["feature"], "has-id-true");
    assert_eq!(line["session"]["user_id"], "u-ref", "a header also read as the referrer");
    assert_eq!(line["session"]["referrer"], "u-ref");
}

#[test]
fn the_user_can_be_a_header_read_in_place() {
    let by_header = || {
        HttpActivityLayer::new(&Config::default()).user_id_header(http::HeaderName::from_static("x-user-id"))
    };
    let user_of = |value: Option<&[u8]>| {
        let h = Harness::new(Config::default());
        let mut request = get("/docs");
        if let Some(value) = value {
            request = request.header("x-user-id", http::HeaderValue::from_bytes(value).unwrap());
        }
        h.run(|| send_with(by_header(), App(ok), request.body(String::new()).unwrap(), "203.0.113.7:1"))
            .unwrap();
        h.only_json()["session"]["user_id"].clone()
    };
    assert_eq!(user_of(Some(b"u-42")), "u-42");
    let anonymous = user_of(None);
    assert_ne!(anonymous, "u-42");
    assert_eq!(user_of(Some(b"")), anonymous, "an empty header is no user");
    assert_eq!(user_of(Some("\u{e9}ve".as_bytes())), anonymous, "a header that is not text is no user");
}
