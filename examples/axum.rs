//! The middleware in a small axum app.
//!
//! ```text
//! cargo run --example axum      # listens on ACTIVITY_DEMO_ADDR (127.0.0.1:3000)
//! curl -H 'X-User-Id: user123' 'localhost:3000/search?q=rust'
//! ```
//!
//! `Router::layer` takes `HttpActivityLayer` like any tower layer. axum keeps the peer address
//! in `ConnectInfo<SocketAddr>` (with `into_make_service_with_connect_info`), so the layer is
//! told where to find it.

use std::net::SocketAddr;
use std::process::ExitCode;

use axum::Router;
use axum::extract::{ConnectInfo, Query};
use axum::http::StatusCode;
use axum::routing::{get, post};
use tracing_activity::http::HttpActivityLayer;
use tracing_activity::{log_error, log_search};

#[derive(serde::Deserialize)]
struct Search {
    #[serde(default)]
    q: String,
}

async fn search(Query(search): Query<Search>) -> String {
    log_search!(search.q.as_str(), results_count = 0u64);
    format!("results for {}", search.q)
}

async fn create_query(body: String) -> (StatusCode, &'static str) {
    if body.trim().is_empty() {
        log_error!("ValidationError", "Query cannot be empty", field = "query");
        return (StatusCode::UNPROCESSABLE_ENTITY, "Query cannot be empty");
    }
    (StatusCode::CREATED, "created")
}

#[tokio::main]
async fn main() -> ExitCode {
    let guard = match tracing_activity::try_init() {
        Ok(guard) => guard,
        Err(e) => {
            eprintln!("axum example: {e}");
            return ExitCode::FAILURE;
        }
    };
    let activity = match HttpActivityLayer::from_env() {
        Ok(layer) => layer
            .peer_addr(|parts| parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip()))
            .user_id_header(axum::http::HeaderName::from_static("x-user-id")),
        Err(e) => {
            eprintln!("axum example: {e}");
            return ExitCode::FAILURE;
        }
    };
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/search", get(search))
        .route("/user-queries", post(create_query))
        .layer(activity);

    let addr = std::env::var("ACTIVITY_DEMO_ADDR").unwrap_or_else(|_| "127.0.0.1:3000".to_owned());
    let listener = match tokio::net::TcpListener::bind(&addr).await {
        Ok(listener) => listener,
        Err(e) => {
            eprintln!("axum example: cannot listen on {addr}: {e}");
            return ExitCode::FAILURE;
        }
    };
    println!("listening on http://{}", listener.local_addr().map_or(addr, |a| a.to_string()));
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await;
    drop(guard);
    match served {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("axum example: {e}");
            ExitCode::FAILURE
        }
    }
}
