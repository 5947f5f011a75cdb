//! What the middleware needs to know, shared by every service it wraps.

use std::net::IpAddr;
use std::sync::Arc;

use http::HeaderName;
use http::request::Parts;

use super::capture::CaptureRule;
use super::session::CookieRule;
use crate::config::IpCidr;
use crate::layer::ActivityLayer;
use crate::privacy::Privacy;

/// Picks the user id out of a request (the authenticated user), or `None` for an anonymous one.
pub type UserIdFn = Arc<dyn Fn(&Parts) -> Option<String> + Send + Sync>;
/// Names the feature a request belongs to.
pub type FeatureFn = Arc<dyn Fn(&Parts) -> String + Send + Sync>;
/// Finds the address of the connection's peer.
pub type PeerAddrFn = Arc<dyn Fn(&Parts) -> Option<IpAddr> + Send + Sync>;

/// Where the user id of a request comes from.
#[derive(Clone)]
pub(crate) enum UserId {
    /// A header's value, read in place.
    Header(HeaderName),
    Extract(UserIdFn),
}

/// What the middleware needs to know, shared by every service it wraps.
#[derive(Clone)]
pub(crate) struct Settings {
    pub(crate) skip_paths: Vec<String>,
    pub(crate) trusted_proxies: Vec<IpCidr>,
    pub(crate) strip_prefix: Option<String>,
    pub(crate) user_id: Option<UserId>,
    pub(crate) feature: Option<FeatureFn>,
    pub(crate) peer_addr: PeerAddrFn,
    /// The privacy rules of the configuration the layer was made from, for a subscriber with
    /// no [`ActivityLayer`] (see [`Settings::privacy`]).
    pub(crate) privacy: Arc<Privacy>,
    pub(crate) log_request_body: bool,
    pub(crate) log_response_body: bool,
    pub(crate) max_request_body_size: usize,
    pub(crate) max_response_body_size: usize,
    /// Whether the `session_id` cookie is set for the sessions the middleware starts.
    pub(crate) session_cookie: bool,
    pub(crate) cookie_rule: CookieRule,
}

impl Settings {
    /// The privacy rules a request is cleaned by: those of the [`ActivityLayer`] of the current
    /// subscriber, so that the request's values read the same in its span, in the action and in
    /// every line; the layer's own configuration's when the subscriber has none.
    pub(crate) fn privacy(&self) -> Arc<Privacy> {
        tracing::dispatcher::get_default(|dispatch| {
            dispatch.downcast_ref::<ActivityLayer>().map(|layer| Arc::clone(&layer.shared.privacy))
        })
        .unwrap_or_else(|| Arc::clone(&self.privacy))
    }

    pub(crate) fn request_body(&self, privacy: &Privacy) -> Option<CaptureRule> {
        self.log_request_body
            .then(|| CaptureRule { limit: self.max_request_body_size, masker: privacy.masker().cloned() })
    }

    pub(crate) fn response_body(&self, privacy: &Privacy) -> Option<CaptureRule> {
        self.log_response_body
            .then(|| CaptureRule { limit: self.max_response_body_size, masker: privacy.masker().cloned() })
    }
}
