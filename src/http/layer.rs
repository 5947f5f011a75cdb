//! [`HttpActivityLayer`]: the tower `Layer` and its settings.

use std::fmt;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use http::HeaderName;
use http::request::Parts;
use tower_layer::Layer;

use super::service::HttpActivity;
use super::session::CookieRule;
use super::settings::{Settings, UserId};
use crate::config::{Config, ConfigError, IpCidr};
use crate::privacy::Privacy;

/// A tower [`Layer`] that records every HTTP request as a user action.
///
/// Each request not in `SKIP_PATHS` gets a span with the session (`session_id`, `user_id`,
/// `ip_address`, `user_agent`, `current_page`, `referrer`) and context (`request_id`, `method`,
/// `url`, `feature`) fields, so actions the handler logs inside it carry them too; when the
/// response is ready, one action says how it went (see [`HttpActivity`]).
///
/// A task the handler starts with `tokio::spawn` runs outside that span: take it along with
/// [`tracing::Instrument::in_current_span`] so that the task's actions carry the request's
/// session and context. With the `axum` feature, the client IP comes from axum's
/// `ConnectInfo<SocketAddr>` and the route template from `MatchedPath` (`context.route`, and
/// the feature name) without configuration.
///
/// ```
/// use tracing_activity::http::HttpActivityLayer;
/// use tracing_activity::Config;
///
/// let layer = HttpActivityLayer::new(&Config::default())
///     .strip_prefix("/api")
///     .user_id(|parts| {
///         parts.headers.get("x-user-id").and_then(|v| v.to_str().ok()).map(str::to_owned)
///     });
/// # let _ = layer;
/// ```
#[derive(Clone)]
pub struct HttpActivityLayer {
    pub(crate) settings: Arc<Settings>,
}

impl fmt::Debug for HttpActivityLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = &self.settings;
        f.debug_struct("HttpActivityLayer")
            .field("skip_paths", &s.skip_paths)
            .field("trusted_proxies", &s.trusted_proxies)
            .field("strip_prefix", &s.strip_prefix)
            .field(
                "user_id",
                &s.user_id.as_ref().map(|u| match u {
                    UserId::Header(name) => name.as_str(),
                    UserId::Extract(_) => "custom",
                }),
            )
            .field("feature", &s.feature.as_ref().map(|_| "custom"))
            .field("log_request_body", &s.log_request_body)
            .field("log_response_body", &s.log_response_body)
            .field("max_request_body_size", &s.max_request_body_size)
            .field("max_response_body_size", &s.max_response_body_size)
            .field("session_cookie", &s.session_cookie)
            .field("cookie_rule", &s.cookie_rule)
            .finish_non_exhaustive()
    }
}

/// The default peer address: a `SocketAddr` (or `IpAddr`) in the request's extensions, where a
/// hyper accept loop puts it, or, with the `axum` feature, axum's `ConnectInfo<SocketAddr>`.
fn peer_from_extensions(parts: &Parts) -> Option<IpAddr> {
    let peer = parts.extensions.get::<SocketAddr>().map(SocketAddr::ip);
    let peer = peer.or_else(|| parts.extensions.get::<IpAddr>().copied());
    #[cfg(feature = "axum")]
    let peer = peer.or_else(|| super::axum::connect_info_peer(parts));
    peer
}

impl HttpActivityLayer {
    /// A layer with `SKIP_PATHS`, `TRUSTED_PROXIES`, masking (`MASK_SENSITIVE_DATA`,
    /// `SENSITIVE_FIELDS`, `MASK_STYLE`), body capture (`LOG_REQUEST_BODY`,
    /// `LOG_RESPONSE_BODY`, `MAX_REQUEST_BODY_SIZE`, `MAX_RESPONSE_BODY_SIZE`) and the session
    /// cookie (`SESSION_COOKIE`, `SESSION_COOKIE_SECURE`, `SESSION_LIFETIME`,
    /// `SESSION_IDLE_TIMEOUT`) from `config`, no user id extractor, and feature names from the
    /// path.
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::get};
    /// use tower_service::Service;
    /// use tracing_activity::{Config, http::HttpActivityLayer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let layer = HttpActivityLayer::new(&Config::default());
    /// let mut app = Router::new().route("/users/{id}", get(|| async { "Ann" })).layer(layer);
    /// let response = app.call(http::Request::get("/users/42").body(Body::empty())?).await?;
    /// assert!(response.headers().contains_key("x-request-id"), "recorded: the client gets its request id");
    /// # Ok(())
    /// # }
    /// ```
    pub fn new(config: &Config) -> Self {
        Self::with_privacy(config, Arc::new(Privacy::new(config)))
    }

    /// [`new`](Self::new), with privacy rules already made of `config`.
    pub(crate) fn with_privacy(config: &Config, privacy: Arc<Privacy>) -> Self {
        let size = |bytes: u64| usize::try_from(bytes).unwrap_or(usize::MAX);
        HttpActivityLayer {
            settings: Arc::new(Settings {
                skip_paths: config.skip_paths.clone(),
                trusted_proxies: config.trusted_proxies.clone(),
                strip_prefix: None,
                user_id: None,
                feature: None,
                peer_addr: Arc::new(peer_from_extensions),
                privacy,
                log_request_body: config.log_request_body,
                log_response_body: config.log_response_body,
                max_request_body_size: size(config.max_request_body_size),
                max_response_body_size: size(config.max_response_body_size),
                session_cookie: config.session_cookie,
                cookie_rule: CookieRule {
                    secure: config.session_cookie_secure,
                    lifetime: config.session_lifetime.max(Duration::from_secs(1)),
                    idle_timeout: config.session_idle_timeout.max(Duration::from_secs(1)),
                },
            }),
        }
    }

    /// [`new`](Self::new) with the configuration of the process environment.
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::get};
    /// use tower_service::Service;
    /// use tracing_activity::http::HttpActivityLayer;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// // As if the service were started with `SKIP_PATHS=/ping`.
    /// unsafe { std::env::set_var("SKIP_PATHS", "/ping") };
    ///
    /// let layer = HttpActivityLayer::from_env()?;
    /// let mut app = Router::new().route("/ping", get(|| async { "pong" })).layer(layer);
    /// let response = app.call(http::Request::get("/ping").body(Body::empty())?).await?;
    /// assert!(!response.headers().contains_key("x-request-id"), "passed through unrecorded");
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// A variable with a value that does not parse.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self::new(&Config::from_env()?))
    }

    fn with(mut self, change: impl FnOnce(&mut Settings)) -> Self {
        change(Arc::make_mut(&mut self.settings));
        self
    }

    /// Requests whose path is one of these are passed through unrecorded (default:
    /// `SKIP_PATHS`, `/health` and `/metrics`).
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::get};
    /// use tower_service::Service;
    /// use tracing_activity::{Config, http::HttpActivityLayer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let layer = HttpActivityLayer::new(&Config::default()).skip_paths(["/ping"]);
    /// let mut app = Router::new()
    ///     .route("/ping", get(|| async { "pong" }))
    ///     .route("/health", get(|| async { "ok" }))
    ///     .layer(layer);
    /// let ping = app.call(http::Request::get("/ping").body(Body::empty())?).await?;
    /// assert!(!ping.headers().contains_key("x-request-id"), "passed through unrecorded");
    /// let health = app.call(http::Request::get("/health").body(Body::empty())?).await?;
    /// assert!(health.headers().contains_key("x-request-id"), "no longer skipped: the list is replaced");
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn skip_paths<I>(self, paths: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        self.with(|s| s.skip_paths = paths.into_iter().map(Into::into).collect())
    }

    /// Peers whose `X-Forwarded-For` and `Forwarded` headers are believed (default:
    /// `TRUSTED_PROXIES`, none).
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::get};
    /// use tower_service::Service;
    /// use tracing_activity::Builder;
    /// use tracing_subscriber::{prelude::*, registry};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let log = tempfile::NamedTempFile::new()?; // the JSON lines
    /// let activity = Builder::new().console_writer(std::io::sink).file_writer(log.reopen()?).build()?;
    /// let _default = tracing::subscriber::set_default(registry().with(activity.layer));
    ///
    /// let layer = activity.http.trusted_proxies(["10.0.0.0/8".parse()?]);
    /// let mut app = Router::new().route("/", get(|| async { "" })).layer(layer);
    /// let request = http::Request::get("/").header("x-forwarded-for", "203.0.113.7")
    ///     .extension(std::net::SocketAddr::from(([10, 0, 0, 1], 443))) // the load balancer
    ///     .body(Body::empty())?;
    /// app.call(request).await?;
    /// assert!(std::fs::read_to_string(log.path())?.contains(r#""ip_address":"203.0.113.7""#));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn trusted_proxies(self, proxies: impl IntoIterator<Item = IpCidr>) -> Self {
        self.with(|s| s.trusted_proxies = proxies.into_iter().collect())
    }

    /// A path prefix left out of feature names (`/api`: `/api/users/42` is `users`).
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::get};
    /// use tower_service::Service;
    /// use tracing_activity::Builder;
    /// use tracing_subscriber::{prelude::*, registry};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let log = tempfile::NamedTempFile::new()?; // the JSON lines
    /// let activity = Builder::new().console_writer(std::io::sink).file_writer(log.reopen()?).build()?;
    /// let _default = tracing::subscriber::set_default(registry().with(activity.layer));
    ///
    /// let layer = activity.http.strip_prefix("/api");
    /// let mut app = Router::new().route("/api/users/{id}", get(|| async { "Ann" })).layer(layer);
    /// app.call(http::Request::get("/api/users/42").body(Body::empty())?).await?;
    /// assert!(std::fs::read_to_string(log.path())?.contains(r#""feature":"users""#));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn strip_prefix(self, prefix: impl Into<String>) -> Self {
        self.with(|s| s.strip_prefix = Some(prefix.into()))
    }

    /// How to find the user of a request (default: none, every request is anonymous).
    /// Replaces a [`user_id_header`](Self::user_id_header).
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::get};
    /// use tower_service::Service;
    /// use tracing_activity::Builder;
    /// use tracing_subscriber::{prelude::*, registry};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let log = tempfile::NamedTempFile::new()?; // the JSON lines
    /// let activity = Builder::new().console_writer(std::io::sink).file_writer(log.reopen()?).build()?;
    /// let _default = tracing::subscriber::set_default(registry().with(activity.layer));
    ///
    /// #[derive(Clone)]
    /// struct CurrentUser(String); // put in the request by an authentication layer in front
    ///
    /// let layer = activity.http.user_id(|parts| parts.extensions.get::<CurrentUser>().map(|u| u.0.clone()));
    /// let mut app = Router::new().route("/", get(|| async { "" })).layer(layer);
    /// app.call(http::Request::get("/").extension(CurrentUser("u42".into())).body(Body::empty())?).await?;
    /// assert!(std::fs::read_to_string(log.path())?.contains(r#""user_id":"u42""#));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn user_id(self, extract: impl Fn(&Parts) -> Option<String> + Send + Sync + 'static) -> Self {
        self.with(|s| s.user_id = Some(UserId::Extract(Arc::new(extract))))
    }

    /// The user of a request is the value of this header (behind a proxy that authenticates
    /// users and says who they are), read in place without a copy. A request without it, with
    /// an empty one, or with one that is not visible ASCII is anonymous. Replaces a
    /// [`user_id`](Self::user_id) closure.
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::get};
    /// use tower_service::Service;
    /// use tracing_activity::Builder;
    /// use tracing_subscriber::{prelude::*, registry};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let log = tempfile::NamedTempFile::new()?; // the JSON lines
    /// let activity = Builder::new().console_writer(std::io::sink).file_writer(log.reopen()?).build()?;
    /// let _default = tracing::subscriber::set_default(registry().with(activity.layer));
    ///
    /// let layer = activity.http.user_id_header(http::HeaderName::from_static("x-user-id"));
    /// let mut app = Router::new().route("/", get(|| async { "" })).layer(layer);
    /// app.call(http::Request::get("/").header("x-user-id", "u42").body(Body::empty())?).await?;
    /// assert!(std::fs::read_to_string(log.path())?.contains(r#""user_id":"u42""#));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn user_id_header(self, name: HeaderName) -> Self {
        self.with(|s| s.user_id = Some(UserId::Header(name)))
    }

    /// How to name a request's feature (default: [`feature_name`](super::feature_name) of the
    /// route template when the `axum` feature knows it, else of the path, without the
    /// [`strip_prefix`](Self::strip_prefix)).
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::get};
    /// use tower_service::Service;
    /// use tracing_activity::Builder;
    /// use tracing_subscriber::{prelude::*, registry};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let log = tempfile::NamedTempFile::new()?; // the JSON lines
    /// let activity = Builder::new().console_writer(std::io::sink).file_writer(log.reopen()?).build()?;
    /// let _default = tracing::subscriber::set_default(registry().with(activity.layer));
    ///
    /// let layer = activity.http.feature_name(|parts| {
    ///     if parts.uri.path().starts_with("/cart") { "checkout" } else { "catalog" }.to_owned()
    /// });
    /// let mut app = Router::new().route("/cart/items", get(|| async { "" })).layer(layer);
    /// app.call(http::Request::get("/cart/items").body(Body::empty())?).await?;
    /// assert!(std::fs::read_to_string(log.path())?.contains(r#""feature":"checkout""#));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn feature_name(self, name: impl Fn(&Parts) -> String + Send + Sync + 'static) -> Self {
        self.with(|s| s.feature = Some(Arc::new(name)))
    }

    /// How to find the connection's peer address (default: a `SocketAddr` or `IpAddr` in the
    /// request's extensions, and with the `axum` feature the `ConnectInfo<SocketAddr>` of
    /// axum's `into_make_service_with_connect_info::<SocketAddr>()`).
    ///
    /// ```
    /// use axum::{Router, body::Body, extract::ConnectInfo, routing::get};
    /// use std::net::SocketAddr;
    /// use tower_service::Service;
    /// use tracing_activity::Builder;
    /// use tracing_subscriber::{prelude::*, registry};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let log = tempfile::NamedTempFile::new()?; // the JSON lines
    /// let activity = Builder::new().console_writer(std::io::sink).file_writer(log.reopen()?).build()?;
    /// let _default = tracing::subscriber::set_default(registry().with(activity.layer));
    ///
    /// let layer = activity.http.peer_addr(|parts| {
    ///     parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.ip())
    /// });
    /// let mut app = Router::new().route("/", get(|| async { "" })).layer(layer);
    /// let peer = ConnectInfo(SocketAddr::from(([192, 0, 2, 10], 50000))); // as axum puts it there
    /// app.call(http::Request::get("/").extension(peer).body(Body::empty())?).await?;
    /// assert!(std::fs::read_to_string(log.path())?.contains(r#""ip_address":"192.0.2.10""#));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn peer_addr(self, find: impl Fn(&Parts) -> Option<IpAddr> + Send + Sync + 'static) -> Self {
        self.with(|s| s.peer_addr = Arc::new(find))
    }
}

impl HttpActivityLayer {
    /// Whether request bodies are kept (default: `LOG_REQUEST_BODY`, off). JSON and form bodies
    /// are masked field by field, others summarized; see [`RequestBody`](super::RequestBody).
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::post};
    /// use tower_service::Service;
    /// use tracing_activity::Builder;
    /// use tracing_subscriber::{prelude::*, registry};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let log = tempfile::NamedTempFile::new()?; // the JSON lines
    /// let activity = Builder::new().console_writer(std::io::sink).file_writer(log.reopen()?).build()?;
    /// let _default = tracing::subscriber::set_default(registry().with(activity.layer));
    ///
    /// let layer = activity.http.log_request_body(true);
    /// let mut app = Router::new().route("/login", post(|_body: String| async { "" })); // reads the body
    /// let request = http::Request::post("/login").header("content-type", "application/json")
    ///     .body(Body::from(r#"{"password":"hunter2"}"#))?;
    /// app.layer(layer).call(request).await?;
    /// assert!(std::fs::read_to_string(log.path())?.contains(r#""request_body":{"password":"****"}"#));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn log_request_body(self, on: bool) -> Self {
        self.with(|s| s.log_request_body = on)
    }

    /// Whether response bodies are kept (default: `LOG_RESPONSE_BODY`, off); the action is then
    /// recorded when the response body ends. See [`ResponseBody`](super::ResponseBody).
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::get};
    /// use tower_service::Service;
    /// use tracing_activity::Builder;
    /// use tracing_subscriber::{prelude::*, registry};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let log = tempfile::NamedTempFile::new()?; // the JSON lines
    /// let activity = Builder::new().console_writer(std::io::sink).file_writer(log.reopen()?).build()?;
    /// let _default = tracing::subscriber::set_default(registry().with(activity.layer));
    ///
    /// let layer = activity.http.log_response_body(true);
    /// let mut app = Router::new().route("/", get(|| async { axum::Json([1, 2, 3]) })).layer(layer);
    /// let response = app.call(http::Request::get("/").body(Body::empty())?).await?;
    /// axum::body::to_bytes(Body::new(response.into_body()), usize::MAX).await?; // the client reads it
    /// assert!(std::fs::read_to_string(log.path())?.contains(r#""response_body":[1,2,3]"#));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn log_response_body(self, on: bool) -> Self {
        self.with(|s| s.log_response_body = on)
    }

    /// The most bytes of a request body kept (default: `MAX_REQUEST_BODY_SIZE`, 1 MiB).
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::post};
    /// use tower_service::Service;
    /// use tracing_activity::Builder;
    /// use tracing_subscriber::{prelude::*, registry};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let log = tempfile::NamedTempFile::new()?; // the JSON lines
    /// let activity = Builder::new().console_writer(std::io::sink).file_writer(log.reopen()?).build()?;
    /// let _default = tracing::subscriber::set_default(registry().with(activity.layer));
    ///
    /// let layer = activity.http.log_request_body(true).max_request_body_size(16);
    /// let mut app = Router::new().route("/notes", post(|_body: String| async { "" })); // reads the body
    /// let request = http::Request::post("/notes").header("content-type", "application/json")
    ///     .body(Body::from(r#"{"note":"Dear diary, today I learned tower"}"#))?;
    /// app.layer(layer).call(request).await?;
    /// assert!(std::fs::read_to_string(log.path())?.contains("Dear di…[truncated 28 bytes]"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn max_request_body_size(self, bytes: usize) -> Self {
        self.with(|s| s.max_request_body_size = bytes)
    }

    /// The most bytes of a response body kept (default: `MAX_RESPONSE_BODY_SIZE`, 1 MiB).
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::get};
    /// use tower_service::Service;
    /// use tracing_activity::Builder;
    /// use tracing_subscriber::{prelude::*, registry};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let log = tempfile::NamedTempFile::new()?; // the JSON lines
    /// let activity = Builder::new().console_writer(std::io::sink).file_writer(log.reopen()?).build()?;
    /// let _default = tracing::subscriber::set_default(registry().with(activity.layer));
    ///
    /// let layer = activity.http.log_response_body(true).max_response_body_size(4);
    /// let mut app = Router::new().route("/", get(|| async { axum::Json([1, 2, 3, 4, 5]) })).layer(layer);
    /// let response = app.call(http::Request::get("/").body(Body::empty())?).await?;
    /// axum::body::to_bytes(Body::new(response.into_body()), usize::MAX).await?;
    /// assert!(std::fs::read_to_string(log.path())?.contains(r#""response_body":"[1,2…[truncated"#));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn max_response_body_size(self, bytes: usize) -> Self {
        self.with(|s| s.max_response_body_size = bytes)
    }
}

/// Sessions across requests: the `session_id` cookie.
///
/// When a request names no session (no valid `session_id` cookie or `X-Session-Id` header), the
/// middleware starts one and tells the browser with
/// `Set-Cookie: session_id=…; Path=/; Max-Age=…; HttpOnly; SameSite=Lax` (and `; Secure` when
/// configured), so its next requests log the same `session_id`. Each later request with that
/// cookie sends it again, so the idle timeout counts from the last request; a session past its
/// lifetime is replaced by a new one. Sessions the middleware did not start (an app's own
/// `session_id` cookie, an API client's `X-Session-Id`) are kept as they are, and a response
/// that sets a `session_id` cookie itself is left alone.
impl HttpActivityLayer {
    /// Whether the middleware sets the `session_id` cookie for the sessions it starts (default:
    /// `SESSION_COOKIE`, on). Off, every request without a session id of its own is a session
    /// of one request.
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::get};
    /// use tower_service::Service;
    /// use tracing_activity::{Config, http::HttpActivityLayer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let layer = HttpActivityLayer::new(&Config::default()).session_cookie(false);
    /// let mut app = Router::new().route("/", get(|| async { "" })).layer(layer);
    /// let response = app.call(http::Request::get("/").body(Body::empty())?).await?;
    /// assert!(response.headers().get("set-cookie").is_none()); // a new session, but no cookie
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn session_cookie(self, on: bool) -> Self {
        self.with(|s| s.session_cookie = on)
    }

    /// Whether the session cookie is marked `Secure`, sent over HTTPS only (default:
    /// `SESSION_COOKIE_SECURE`, off).
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::get};
    /// use tower_service::Service;
    /// use tracing_activity::{Config, http::HttpActivityLayer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let layer = HttpActivityLayer::new(&Config::default()).session_cookie_secure(true);
    /// let mut app = Router::new().route("/", get(|| async { "" })).layer(layer);
    /// let response = app.call(http::Request::get("/").body(Body::empty())?).await?;
    /// let cookie = response.headers()["set-cookie"].to_str()?;
    /// assert!(cookie.starts_with("session_id=") && cookie.ends_with("; HttpOnly; SameSite=Lax; Secure"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn session_cookie_secure(self, secure: bool) -> Self {
        self.with(|s| s.cookie_rule.secure = secure)
    }

    /// The longest a session lasts, however busy; then a new one starts (default:
    /// `SESSION_LIFETIME`, 24 hours; at least one second).
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::get};
    /// use tower_service::Service;
    /// use tracing_activity::{Config, http::HttpActivityLayer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let layer = HttpActivityLayer::new(&Config::default()).session_lifetime(std::time::Duration::from_secs(600));
    /// let mut app = Router::new().route("/", get(|| async { "" })).layer(layer);
    /// let response = app.call(http::Request::get("/").body(Body::empty())?).await?;
    /// // A new session's cookie lasts no longer than the session may.
    /// assert!(response.headers()["set-cookie"].to_str()?.contains("; Max-Age=600;"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn session_lifetime(self, lifetime: Duration) -> Self {
        self.with(|s| s.cookie_rule.lifetime = lifetime.max(Duration::from_secs(1)))
    }

    /// How long a session lasts without a request (default: `SESSION_IDLE_TIMEOUT`, 30
    /// minutes; at least one second).
    ///
    /// ```
    /// use axum::{Router, body::Body, routing::get};
    /// use tower_service::Service;
    /// use tracing_activity::{Config, http::HttpActivityLayer};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let layer = HttpActivityLayer::new(&Config::default()).session_idle_timeout(std::time::Duration::from_secs(300));
    /// let mut app = Router::new().route("/", get(|| async { "" })).layer(layer);
    /// let response = app.call(http::Request::get("/").body(Body::empty())?).await?;
    /// // The browser forgets the cookie after five minutes without a request.
    /// assert!(response.headers()["set-cookie"].to_str()?.contains("; Max-Age=300;"));
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn session_idle_timeout(self, idle_timeout: Duration) -> Self {
        self.with(|s| s.cookie_rule.idle_timeout = idle_timeout.max(Duration::from_secs(1)))
    }
}

impl<S> Layer<S> for HttpActivityLayer {
    type Service = HttpActivity<S>;

    fn layer(&self, inner: S) -> HttpActivity<S> {
        HttpActivity::new(inner, self.settings.clone())
    }
}
