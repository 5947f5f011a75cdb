//! What axum tells about a request (feature `axum`): the client's address, from
//! `ConnectInfo<SocketAddr>`, and the route it matched, from `MatchedPath`.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, MatchedPath};
use http::request::Parts;

/// The peer address `into_make_service_with_connect_info::<SocketAddr>()` puts in the request.
pub(crate) fn connect_info_peer(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<ConnectInfo<SocketAddr>>().map(|info| info.0.ip())
}

/// The route template the request matched (`/users/{id}`), known to a layer added with
/// `Router::layer` or `route_layer`.
pub(crate) fn matched_route(parts: &Parts) -> Option<&str> {
    parts.extensions.get::<MatchedPath>().map(MatchedPath::as_str)
}
