//! The middleware under plain `axum::serve` (feature `axum`): the client IP from axum's
//! `ConnectInfo`, the route template from `MatchedPath`, and the request span in spawned tasks.
#![cfg(feature = "axum")]

mod common;

use std::net::SocketAddr;

use axum::Router;
use axum::routing::get;
use common::Harness;
use serde_json::Value;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tracing::Instrument;
use tracing_activity::http::HttpActivityLayer;
use tracing_activity::{Config, log_search};

async fn orders() -> &'static str {
    // A task spawned with the request's span carries the request's session and context...
    tokio::spawn(async { log_search!("kept", results_count = 1u64) }.in_current_span()).await.unwrap();
    // ...one spawned without it does not.
    tokio::spawn(async { log_search!("left behind", results_count = 2u64) }).await.unwrap();
    "orders"
}

/// Serves `app` as the axum docs do, sends one GET for `path` from 127.0.0.1, and returns the
/// response's head.
async fn serve_and_get(app: Router, path: &str) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let server = tokio::spawn(
        axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).into_future(),
    );
    let mut client = tokio::net::TcpStream::connect(addr).await.unwrap();
    let request = format!("GET {path} HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n");
    client.write_all(request.as_bytes()).await.unwrap();
    let mut response = String::new();
    client.read_to_string(&mut response).await.unwrap();
    server.abort();
    response
}

#[test]
fn plain_axum_serve_logs_the_client_ip_the_route_and_its_feature() {
    let h = Harness::new(Config::default());
    let response = h.run(|| {
        let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        // No `peer_addr` closure: the layer finds axum's `ConnectInfo` itself.
        let app = Router::new()
            .route("/users/{id}/orders", get(orders))
            .layer(HttpActivityLayer::new(&Config::default()));
        runtime.block_on(serve_and_get(app, "/users/42/orders?page=2"))
    });
    assert!(response.starts_with("HTTP/1.1 200"), "{response}");

    let lines = h.file.json();
    let by_query = |query: &str| -> &Value {
        lines
            .iter()
            .find(|l| l["action"]["description"] == query)
            .unwrap_or_else(|| panic!("{query}: {lines:?}"))
    };
    let request =
        lines.iter().find(|l| l["action"]["action_type"] == "api_call").expect("the request's action");
    assert_eq!(request["session"]["ip_address"], "127.0.0.1");
    assert_eq!(request["context"]["route"], "/users/{id}/orders");
    assert_eq!(request["context"]["feature"], "users_orders");
    assert_eq!(request["context"]["url"], "/users/42/orders?page=2");
    assert_eq!(request["action"]["description"], "GET /users/42/orders");

    let kept = by_query("kept");
    assert_eq!(kept["context"]["request_id"], request["context"]["request_id"]);
    assert_eq!(kept["session"]["session_id"], request["session"]["session_id"]);
    assert_eq!(kept["context"]["route"], "/users/{id}/orders");
    let left_behind = by_query("left behind");
    assert!(left_behind["context"].get("request_id").is_none(), "{left_behind}");
}
