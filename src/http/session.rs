//! The session id of a request: the `session_id` cookie or the `X-Session-Id` header.

use http::HeaderMap;
use http::header::{COOKIE, HeaderName};

use super::request_id::is_valid_id;

/// The cookie that carries the session id.
pub const SESSION_COOKIE: &str = "session_id";
/// The header that carries the session id when there is no cookie.
pub const SESSION_HEADER: &str = "x-session-id";
const SESSION_HEADER_NAME: HeaderName = HeaderName::from_static(SESSION_HEADER);

/// The request's session id, if it carries a valid one ([`is_valid_id`](super::is_valid_id)):
/// the `session_id` cookie first, then the `X-Session-Id` header.
///
/// The value is logged as it is: where a session id is also the credential that authenticates
/// the session, treat the activity log as holding credentials, or send a separate id.
///
/// ```
/// use tracing_activity::http::session_id;
///
/// let mut headers = http::HeaderMap::new();
/// headers.insert("cookie", "theme=dark; session_id=s-42".parse().unwrap());
/// assert_eq!(session_id(&headers), Some("s-42"));
/// ```
pub fn session_id(headers: &HeaderMap) -> Option<&str> {
    // On bytes: only the cookie found needs to be text.
    let from_cookie = headers.get_all(COOKIE).iter().find_map(|value| {
        value.as_bytes().split(|&b| b == b';').find_map(|cookie| {
            let at = cookie.iter().position(|&b| b == b'=')?;
            (cookie[..at].trim_ascii() == SESSION_COOKIE.as_bytes()).then(|| &cookie[at + 1..])
        })
    });
    let from_cookie =
        from_cookie.and_then(|v| std::str::from_utf8(v).ok()).map(|v| v.trim_ascii().trim_matches('"'));
    from_cookie.filter(|id| is_valid_id(id)).or_else(|| {
        headers
            .get(SESSION_HEADER_NAME)
            .and_then(|v| v.to_str().ok())
            .map(str::trim_ascii)
            .filter(|id| is_valid_id(id))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookie_first_then_header_and_only_valid_ids() {
        let mut h = HeaderMap::new();
        assert_eq!(session_id(&h), None);
        h.insert(SESSION_HEADER, "hdr-1".parse().unwrap());
        assert_eq!(session_id(&h), Some("hdr-1"));
        h.insert(COOKIE, "a=1; session_id=\"ck-2\"; b=2".parse().unwrap());
        assert_eq!(session_id(&h), Some("ck-2"));
        h.insert(COOKIE, "session_id=bad value".parse().unwrap());
        assert_eq!(session_id(&h), Some("hdr-1"), "an invalid cookie gives way to the header");
        h.remove(SESSION_HEADER);
        assert_eq!(session_id(&h), None);
    }
}
