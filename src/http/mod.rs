//! The HTTP middleware (feature `http`): a tower [`HttpActivityLayer`] that records every
//! request of a hyper, axum or tonic app as a user action.
//!
//! ```
//! use tracing_activity::http::HttpActivityLayer;
//!
//! # fn main() -> Result<(), tracing_activity::ConfigError> {
//! // tower::ServiceBuilder::new().layer(layer).service(app), or axum's Router::layer(layer)
//! let layer = HttpActivityLayer::from_env()?.strip_prefix("/api");
//! # let _ = layer;
//! # Ok(())
//! # }
//! ```
//!
//! See [`HttpActivity`] for what one request records, `examples/server.rs` (hyper, graceful
//! shutdown) and `examples/axum.rs` for whole apps.
//!
//! The wrapped service gets the request with its body as a [`RequestBody<B>`](RequestBody), and
//! the client the response with a [`ResponseBody<B>`](ResponseBody); both pass every frame
//! through unchanged. When `LOG_REQUEST_BODY` / `LOG_RESPONSE_BODY` are on, they keep the first
//! `MAX_REQUEST_BODY_SIZE` / `MAX_RESPONSE_BODY_SIZE` bytes on the way: JSON and form bodies are
//! masked field by field, others summarized by type and size (see [`RequestBody`]).
//!
//! The pieces, each usable on its own:
//!
//! - [`is_valid_id`] and [`generate_id`]: an incoming `X-Request-Id` (or session id) is kept
//!   only if it is at most 128 characters of `[A-Za-z0-9._:-]`; otherwise one is generated.
//! - [`session_id`]: the `session_id` cookie, or the `X-Session-Id` header.
//! - [`client_ip`]: the peer address, or the client named by `X-Forwarded-For` / `Forwarded`
//!   when the peer is a trusted proxy (`TRUSTED_PROXIES`), walking from the right.
//! - [`feature_name`]: the product feature of a path: `/api/users/42/orders` →
//!   `users_orders`.

mod action;
#[cfg(feature = "axum")]
mod axum;
mod body;
mod capture;
mod client_ip;
mod feature;
mod future;
mod layer;
mod request_id;
mod service;
mod session;
mod settings;

pub use body::{RequestBody, ResponseBody};
pub use client_ip::client_ip;
pub use feature::feature_name;
pub use future::ResponseFuture;
pub use layer::HttpActivityLayer;
pub use request_id::{MAX_ID_LENGTH, X_REQUEST_ID, generate_id, is_valid_id};
pub use service::HttpActivity;
pub use session::{SESSION_COOKIE, SESSION_HEADER, session_id};
pub use settings::{FeatureFn, PeerAddrFn, UserIdFn};
