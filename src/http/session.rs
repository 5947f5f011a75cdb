//! The session id of a request: the `session_id` cookie or the `X-Session-Id` header.

use http::header::{COOKIE, HeaderName};
use http::{HeaderMap, HeaderValue};

use super::request_id::{MAX_ID_LENGTH, is_id_byte, is_valid_id, is_valid_id_bytes};

/// The cookie that carries the session id.
pub const SESSION_COOKIE: &str = "session_id";
/// The header that carries the session id when there is no cookie.
pub const SESSION_HEADER: &str = "x-session-id";
pub(crate) const SESSION_HEADER_NAME: HeaderName = HeaderName::from_static(SESSION_HEADER);

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
    let cookie = headers.get_all(COOKIE).iter().find_map(session_cookie);
    session_of(cookie, headers.get(SESSION_HEADER_NAME))
}

/// The first `session_id` cookie of a `Cookie` header: its value, and how many of its first
/// bytes are id bytes.
pub(crate) type SessionCookie<'a> = (&'a [u8], usize);

/// The `session_id` cookie of one `Cookie` header, if it has one.
pub(crate) fn session_cookie(header: &HeaderValue) -> Option<SessionCookie<'_>> {
    // On bytes: only the cookie found needs to be text.
    cookie_value(header.as_bytes(), SESSION_COOKIE.as_bytes())
}

/// The session id from the first `session_id` cookie, if valid, else from the `X-Session-Id`
/// header, if valid.
pub(crate) fn session_of<'a>(
    cookie: Option<SessionCookie<'a>>,
    header: Option<&'a HeaderValue>,
) -> Option<&'a str> {
    cookie
        .and_then(|(value, id_bytes)| cookie_id(value, id_bytes))
        .or_else(|| header.and_then(|v| v.to_str().ok()).map(str::trim_ascii).filter(|id| is_valid_id(id)))
}

/// A cookie value as a session id, without the spaces and quotes around it, if it is a valid
/// id: checked on bytes, so only a valid id is turned into text. `id_bytes` says how many of its
/// first bytes are id bytes: all of them, the common case, leaves only the length to check.
fn cookie_id(value: &[u8], id_bytes: usize) -> Option<&str> {
    let id = if id_bytes == value.len() {
        (1..=MAX_ID_LENGTH).contains(&value.len()).then_some(value)?
    } else {
        let mut id = value.trim_ascii();
        while let [b'"', rest @ ..] = id {
            id = rest;
        }
        while let [rest @ .., b'"'] = id {
            id = rest;
        }
        is_valid_id_bytes(id).then_some(id)?
    };
    std::str::from_utf8(id).ok()
}

/// The value of the first cookie called `name` in a `Cookie` header (`a=1; name=value; b=2`),
/// and how many of its first bytes are id bytes, in one pass over the header up to the end of
/// that value.
fn cookie_value<'a>(header: &'a [u8], name: &[u8]) -> Option<(&'a [u8], usize)> {
    let mut rest = header;
    loop {
        rest = rest.trim_ascii_start();
        if let Some(value) =
            rest.strip_prefix(name).and_then(|after| after.trim_ascii_start().strip_prefix(b"="))
        {
            let id_bytes = value.iter().position(|&b| !is_id_byte(b)).unwrap_or(value.len());
            let end =
                value[id_bytes..].iter().position(|&b| b == b';').map_or(value.len(), |at| id_bytes + at);
            return Some((&value[..end], id_bytes.min(end)));
        }
        rest = &rest[rest.iter().position(|&b| b == b';')? + 1..];
    }
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
        h.insert(COOKIE, "a=1;session_id = s-3 ;b".parse().unwrap());
        assert_eq!(session_id(&h), Some("s-3"), "spaces around the value are not part of it");
        h.insert(COOKIE, format!("session_id={}", "x".repeat(129)).parse().unwrap());
        assert_eq!(session_id(&h), Some("hdr-1"), "too long an id gives way to the header");
        h.insert(COOKIE, "session_id=bad value".parse().unwrap());
        assert_eq!(session_id(&h), Some("hdr-1"), "an invalid cookie gives way to the header");
        h.remove(SESSION_HEADER);
        assert_eq!(session_id(&h), None);
    }

    #[test]
    fn the_cookie_is_found_among_others() {
        for (header, value) in [
            ("session_id=s-1", Some("s-1")),
            ("a=1; session_id=s-2; b=2", Some("s-2")),
            ("a=1;session_id = s-3 ;b", Some(" s-3 ")),
            ("session_idx=1; session_id=s-4", Some("s-4")),
            ("xsession_id=1", None),
            ("a=session_id=2", None),
            ("session_id", None),
            ("a; b;", None),
            ("", None),
            ("session_id=", Some("")),
        ] {
            assert_eq!(
                cookie_value(header.as_bytes(), b"session_id").map(|(v, _)| v),
                value.map(str::as_bytes),
                "{header}"
            );
        }
    }
}
