//! The client's address: the peer, or what trusted proxies say.
//!
//! `X-Forwarded-For` and `Forwarded` are believed only when the connection comes from a proxy
//! in `TRUSTED_PROXIES`. Then the chain of addresses is walked from the right (the nearest hop)
//! past every trusted proxy, and the first address that is not one is the client: a client can
//! put anything at the left of the header, but not past a proxy that appends what it saw.

use std::net::IpAddr;

use http::HeaderMap;
use http::header::FORWARDED;

use crate::config::IpCidr;
use crate::privacy::ip::parse;

/// The `X-Forwarded-For` header.
const X_FORWARDED_FOR: &str = "x-forwarded-for";

/// The client's address for a request that arrived from `peer`.
///
/// ```
/// use tracing_activity::IpCidr;
/// use tracing_activity::http::client_ip;
///
/// let trusted: Vec<IpCidr> = vec!["10.0.0.0/8".parse().unwrap()];
/// let mut headers = http::HeaderMap::new();
/// headers.insert("x-forwarded-for", "1.2.3.4, 203.0.113.7, 10.0.0.3".parse().unwrap());
///
/// // Through two trusted proxies: the first untrusted address from the right.
/// assert_eq!(client_ip("10.0.0.2".parse().unwrap(), &headers, &trusted), "203.0.113.7".parse::<std::net::IpAddr>().unwrap());
/// // From an untrusted peer the header is ignored.
/// assert_eq!(client_ip("198.51.100.9".parse().unwrap(), &headers, &trusted), "198.51.100.9".parse::<std::net::IpAddr>().unwrap());
/// ```
pub fn client_ip(peer: IpAddr, headers: &HeaderMap, trusted: &[IpCidr]) -> IpAddr {
    let is_trusted = |ip: IpAddr| trusted.iter().any(|cidr| cidr.contains(ip));
    let peer = peer.to_canonical();
    if !is_trusted(peer) {
        return peer;
    }
    let hops = forwarded_hops(headers);
    let mut client = peer;
    for hop in hops.iter().rev() {
        if !is_trusted(client) {
            break;
        }
        match hop.and_then(parse) {
            Some(ip) => client = ip.to_canonical(),
            // An address a trusted proxy could not name: the last known hop is as far as we see.
            None => break,
        }
    }
    client
}

/// The hops the headers list, leftmost first: `X-Forwarded-For`'s when that header is present
/// (what common proxies append to), otherwise `Forwarded`'s `for=` values, across repeated
/// headers. An unreadable value is `None`. A `Forwarded` header next to `X-Forwarded-For` is
/// ignored: a proxy that only appends to `X-Forwarded-For` passes a client's `Forwarded` through
/// untouched, and believing it would let the client choose its address.
fn forwarded_hops(headers: &HeaderMap) -> Vec<Option<&str>> {
    if !headers.contains_key(X_FORWARDED_FOR) && headers.contains_key(FORWARDED) {
        headers
            .get_all(FORWARDED)
            .iter()
            .flat_map(|value| value.to_str().ok().map_or_else(|| vec![None], for_values))
            .collect()
    } else {
        headers
            .get_all(X_FORWARDED_FOR)
            .iter()
            .flat_map(|value| match value.to_str() {
                Ok(list) => list.split(',').map(|hop| Some(hop.trim())).collect(),
                Err(_) => vec![None],
            })
            .collect()
    }
}

/// The `for=` parameter of each element of a `Forwarded` value (RFC 7239), quotes removed.
fn for_values(value: &str) -> Vec<Option<&str>> {
    value
        .split(',')
        .map(|element| {
            element.split(';').find_map(|pair| {
                let (name, value) = pair.split_once('=')?;
                name.trim().eq_ignore_ascii_case("for").then(|| value.trim().trim_matches('"'))
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for (name, value) in pairs {
            map.append(*name, value.parse().unwrap());
        }
        map
    }

    #[test]
    fn proxies_are_believed_only_when_trusted() {
        let trusted: Vec<IpCidr> = vec!["10.0.0.0/8".parse().unwrap(), "::1/128".parse().unwrap()];
        let xff = headers(&[("x-forwarded-for", "6.6.6.6, 203.0.113.7, 10.1.1.1")]);
        for (peer, headers, expected) in [
            // A spoofed header from an untrusted peer is ignored.
            ("198.51.100.9", xff.clone(), "198.51.100.9"),
            // Through trusted proxies: the right-most untrusted address.
            ("10.0.0.2", xff.clone(), "203.0.113.7"),
            ("::1", headers(&[("x-forwarded-for", "2001:db8::5")]), "2001:db8::5"),
            // Repeated headers form one list.
            (
                "10.0.0.2",
                headers(&[("x-forwarded-for", "6.6.6.6"), ("x-forwarded-for", "203.0.113.8")]),
                "203.0.113.8",
            ),
            // Ports and brackets are dropped.
            ("10.0.0.2", headers(&[("x-forwarded-for", "203.0.113.9:4711")]), "203.0.113.9"),
            // Garbage stops the walk at the last known hop.
            ("10.0.0.2", headers(&[("x-forwarded-for", "203.0.113.7, not-an-ip")]), "10.0.0.2"),
            // Every hop trusted: the left-most.
            ("10.0.0.2", headers(&[("x-forwarded-for", "10.9.9.9")]), "10.9.9.9"),
            // No header: the peer.
            ("10.0.0.2", HeaderMap::new(), "10.0.0.2"),
            // Forwarded alone is read; next to X-Forwarded-For it is ignored (a client could send it
            // through a proxy that appends only to X-Forwarded-For).
            (
                "10.0.0.2",
                headers(&[("forwarded", "for=6.6.6.6, for=\"[2001:db8::7]:4711\";proto=https")]),
                "2001:db8::7",
            ),
            (
                "10.0.0.2",
                headers(&[("forwarded", "for=6.6.6.6"), ("x-forwarded-for", "203.0.113.9")]),
                "203.0.113.9",
            ),
            // An IPv4-mapped peer is written as IPv4.
            ("::ffff:203.0.113.7", HeaderMap::new(), "203.0.113.7"),
            ("10.0.0.2", headers(&[("forwarded", "proto=https;for=203.0.113.4")]), "203.0.113.4"),
            ("10.0.0.2", headers(&[("forwarded", "for=unknown")]), "10.0.0.2"),
        ] {
            assert_eq!(client_ip(ip(peer), &headers, &trusted), ip(expected), "{peer} {headers:?}");
        }
    }
}
