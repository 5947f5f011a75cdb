//! The middleware in a small axum app (feature `axum`).
//!
//! ```text
//! cargo run --example axum --features axum   # listens on ACTIVITY_DEMO_ADDR (127.0.0.1:3000)
//! curl -H 'X-User-Id: user123' 'localhost:3000/search?q=rust'
//! curl localhost:3000/users/42/orders
//! ```
//!
//! `Router::layer` takes `HttpActivityLayer` like any tower layer. With the `axum` feature the
//! layer finds the client's address in axum's `ConnectInfo<SocketAddr>` (served with
//! `into_make_service_with_connect_info`) and the matched route (`/users/{id}/orders`) in
//! `MatchedPath`: it is logged as `context.route` and names the feature (`users_orders`).

use std::net::SocketAddr;
use std::process::ExitCode;

use axum::Router;
use axum::extract::{Path, Query};
use axum::http::StatusCode;
use axum::routing::{get, post};
use tracing::Instrument;
use tracing_activity::http::HttpActivityLayer;
use tracing_activity::{ActionType, log_error, log_search, user_action};

#[derive(serde::Deserialize)]
struct Search {
    #[serde(default)]
    q: String,
}

async fn search(Query(search): Query<Search>) -> String {
    log_search!(search.q.as_str(), results_count = 0u64);
    format!("results for {}", search.q)
}

async fn user_orders(Path(id): Path<u64>) -> String {
    // A spawned task leaves the request's span behind unless it takes it along: with
    // `.in_current_span()` its actions carry the request's session and context.
    let export = tokio::spawn(
        async move {
            user_action!(ActionType::Download, "orders export", result = "queued");
        }
        .in_current_span(),
    );
    let _ = export.await;
    format!("orders of user {id}")
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
        Ok(layer) => layer.user_id_header(axum::http::HeaderName::from_static("x-user-id")),
        Err(e) => {
            eprintln!("axum example: {e}");
            return ExitCode::FAILURE;
        }
    };
    let app = Router::new()
        .route("/health", get(|| async { "ok" }))
        .route("/search", get(search))
        .route("/users/{id}/orders", get(user_orders))
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
