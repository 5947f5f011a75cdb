//! The session of a request: the `session_id` cookie or the `X-Session-Id` header, and the
//! `session_id` cookie the middleware sets to keep a browser's session across requests.

use std::time::{Duration, SystemTime};

use http::header::{COOKIE, HeaderName, SET_COOKIE};
use http::{HeaderMap, HeaderValue};

use crate::escape::number::push_u64;

use super::request_id::{
    IdText, MAX_ID_LENGTH, is_id_byte, is_valid_id, is_valid_id_bytes, new_session_id, session_started,
};

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
fn session_of<'a>(cookie: Option<SessionCookie<'a>>, header: Option<&'a HeaderValue>) -> Option<&'a str> {
    cookie.and_then(|(value, id_bytes)| cookie_id(value, id_bytes)).or_else(|| header.and_then(header_id))
}

/// How the middleware keeps a browser's session: the `session_id` cookie it sets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct CookieRule {
    /// Sent over HTTPS only.
    pub(crate) secure: bool,
    /// The longest a session lasts, however busy.
    pub(crate) lifetime: Duration,
    /// A session without a request for this long ends: the browser forgets the cookie.
    pub(crate) idle_timeout: Duration,
}

impl CookieRule {
    /// The `Set-Cookie` value that keeps session `id` for `max_age` more (whole seconds, at
    /// least one).
    fn set_cookie(&self, id: &str, max_age: Duration) -> Option<HeaderValue> {
        // Written piece by piece: `format!` would cost as much as the rest of the session.
        let mut cookie = String::with_capacity(SET_COOKIE_LENGTH + id.len());
        cookie.push_str(SESSION_COOKIE);
        cookie.push('=');
        cookie.push_str(id);
        cookie.push_str("; Path=/; Max-Age=");
        push_u64(&mut cookie, max_age.as_secs().max(1));
        cookie.push_str("; HttpOnly; SameSite=Lax");
        if self.secure {
            cookie.push_str("; Secure");
        }
        HeaderValue::try_from(cookie).ok()
    }
}

/// The longest `Set-Cookie` value but for the id: `session_id=; Path=/; Max-Age=` and 20 digits,
/// `; HttpOnly; SameSite=Lax; Secure`.
const SET_COOKIE_LENGTH: usize = 30 + 20 + 33;

/// The session of one request.
pub(crate) enum Session<'a> {
    /// The one the request names.
    Kept(&'a str),
    /// One the middleware starts: the request names none, or the one its cookie names has
    /// outlived its lifetime.
    Started(IdText),
}

impl Session<'_> {
    pub(crate) fn id(&self) -> &str {
        match self {
            Session::Kept(id) => id,
            Session::Started(id) => id.as_str(),
        }
    }
}

/// The session of a request and, with a cookie `rule`, the cookie that tells the browser about
/// it, at `now`.
///
/// - No valid session id in the request: a new session, and a cookie for it.
/// - A `session_id` cookie of a session the middleware started: the cookie again, so its idle
///   timeout starts over, never past the session's lifetime; past the lifetime, a new session.
/// - Any other session id (an app's own cookie, the `X-Session-Id` of an API client): kept as it
///   is, and no cookie.
pub(crate) fn session_for<'a>(
    cookie: Option<SessionCookie<'a>>,
    header: Option<&'a HeaderValue>,
    rule: Option<&CookieRule>,
    now: SystemTime,
) -> (Session<'a>, Option<HeaderValue>) {
    let start = |rule: Option<&CookieRule>| {
        let id = new_session_id(now);
        let cookie = rule.and_then(|rule| rule.set_cookie(id.as_str(), rule.idle_timeout.min(rule.lifetime)));
        (Session::Started(id), cookie)
    };
    if let Some(id) = cookie.and_then(|(value, id_bytes)| cookie_id(value, id_bytes)) {
        let (Some(rule), Some(started)) = (rule, session_started(id)) else {
            return (Session::Kept(id), None);
        };
        let age = now.duration_since(started).unwrap_or_default();
        return match rule.lifetime.checked_sub(age).filter(|left| !left.is_zero()) {
            Some(left) => (Session::Kept(id), rule.set_cookie(id, rule.idle_timeout.min(left))),
            None => start(Some(rule)),
        };
    }
    match header.and_then(header_id) {
        Some(id) => (Session::Kept(id), None),
        None => start(rule),
    }
}

/// Whether a response sets the `session_id` cookie itself: the app manages its sessions.
pub(crate) fn sets_session_cookie(headers: &HeaderMap) -> bool {
    headers.get_all(SET_COOKIE).iter().any(|value| {
        let value = value.as_bytes().trim_ascii_start();
        value
            .strip_prefix(SESSION_COOKIE.as_bytes())
            .is_some_and(|rest| rest.trim_ascii_start().starts_with(b"="))
    })
}

/// An `X-Session-Id` header as a session id, if it is a valid one.
fn header_id(header: &HeaderValue) -> Option<&str> {
    header.to_str().ok().map(str::trim_ascii).filter(|id| is_valid_id(id))
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

    const RULE: CookieRule = CookieRule {
        secure: false,
        lifetime: Duration::from_secs(24 * 3600),
        idle_timeout: Duration::from_secs(1800),
    };

    /// The session and the `Set-Cookie` for a request with this `Cookie` and `X-Session-Id`.
    fn session(
        cookie: Option<&str>,
        header: Option<&str>,
        rule: Option<&CookieRule>,
        now: SystemTime,
    ) -> (String, bool, Option<String>) {
        let cookie = cookie.map(|c| HeaderValue::from_str(c).unwrap());
        let header = header.map(|h| HeaderValue::from_str(h).unwrap());
        let found = cookie.as_ref().and_then(session_cookie);
        let (session, set) = session_for(found, header.as_ref(), rule, now);
        let started = matches!(session, Session::Started(_));
        (session.id().to_owned(), started, set.map(|v| v.to_str().unwrap().to_owned()))
    }

    #[test]
    fn a_new_session_gets_a_cookie_that_the_next_requests_keep() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_765_000_000);
        let (id, started, set) = session(None, None, Some(&RULE), now);
        assert!(started);
        assert_eq!(set.unwrap(), format!("session_id={id}; Path=/; Max-Age=1800; HttpOnly; SameSite=Lax"));

        // Ten minutes later the browser sends it back: same session, idle timeout restarted.
        let later = now + Duration::from_secs(600);
        let (again, started, set) =
            session(Some(&format!("theme=dark; session_id={id}")), None, Some(&RULE), later);
        assert_eq!((again.as_str(), started), (id.as_str(), false));
        assert_eq!(set.unwrap(), format!("session_id={id}; Path=/; Max-Age=1800; HttpOnly; SameSite=Lax"));

        // Near the end of its lifetime the cookie lives only as long as the session has left.
        let near_end = now + RULE.lifetime - Duration::from_secs(90);
        let (again, _, set) = session(Some(&format!("session_id={id}")), None, Some(&RULE), near_end);
        assert_eq!(again, id);
        assert!(set.unwrap().contains("; Max-Age=90;"));

        // Past it, a new session begins.
        let past = now + RULE.lifetime;
        let (new, started, set) = session(Some(&format!("session_id={id}")), None, Some(&RULE), past);
        assert!(started);
        assert_ne!(new, id);
        assert!(set.unwrap().starts_with(&format!("session_id={new};")));

        let secure = CookieRule { secure: true, ..RULE };
        let (_, _, set) = session(None, None, Some(&secure), now);
        assert!(set.unwrap().ends_with("; HttpOnly; SameSite=Lax; Secure"));
    }

    #[test]
    fn sessions_the_middleware_did_not_start_are_left_alone() {
        let now = SystemTime::now();
        // An app's own cookie, an API client's header: kept, no cookie.
        assert_eq!(session(Some("session_id=app-7"), None, Some(&RULE), now), ("app-7".into(), false, None));
        assert_eq!(session(None, Some("api-9"), Some(&RULE), now), ("api-9".into(), false, None));
        // With cookies off: a new session has none.
        let (_, started, set) = session(None, None, None, now);
        assert!(started && set.is_none());
        // An invalid cookie counts as none.
        let (id, started, set) = session(Some("session_id=a b"), None, Some(&RULE), now);
        assert!(started && set.unwrap().contains(&id));
    }

    #[test]
    fn a_response_that_sets_the_cookie_itself_is_recognized() {
        let mut headers = HeaderMap::new();
        headers.append(SET_COOKIE, "theme=dark".parse().unwrap());
        assert!(!sets_session_cookie(&headers));
        headers.append(SET_COOKIE, "session_idx=1".parse().unwrap());
        assert!(!sets_session_cookie(&headers));
        headers.append(SET_COOKIE, "session_id =app-1; Path=/".parse().unwrap());
        assert!(sets_session_cookie(&headers));
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
