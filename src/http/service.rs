//! [`HttpActivity`]: the tower `Service` that opens a request's span and starts its action.

use std::borrow::Cow;
use std::cell::Cell;
use std::fmt;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Instant, SystemTime};

use bytes::Bytes;
use http::HeaderMap;
use http::header::{ACCEPT, CONTENT_TYPE, COOKIE, HeaderName, HeaderValue, REFERER, USER_AGENT};
use http::{Method, Request, Response};
use tower_service::Service;

use super::action::Pending;
use super::body::{RequestBody, ResponseBody};
use super::feature::push_feature_name;
use super::future::ResponseFuture;
use super::request_id::{X_REQUEST_ID_HEADER, new_id};
use super::session::{SESSION_HEADER_NAME, Session, SessionCookie, session_cookie, session_for};
use super::settings::{Settings, UserId};
use super::{client_ip, is_valid_id};
use crate::action::ActionType;
use crate::fields::{
    CURRENT_PAGE_SLOT, FEATURE_SLOT, IP_ADDRESS_SLOT, METHOD_SLOT, REFERRER_SLOT, REQUEST_ID_SLOT,
    ROUTE_SLOT, SESSION_ID_SLOT, Slot, SlotSet, URL_SLOT, USER_AGENT_SLOT, USER_ID_SLOT,
};
use crate::handoff::{Handoff, with_handoff};
use crate::privacy::Privacy;

/// Records one request: made by [`HttpActivityLayer`](super::HttpActivityLayer).
///
/// - The request id is the incoming `X-Request-Id` when [valid](super::is_valid_id), else a new
///   one; the handler sees it in the request's headers and the client gets it back in the
///   response's.
/// - The session id is the `session_id` cookie or `X-Session-Id` header, else a new one, which
///   the browser is told with a `session_id` cookie (see
///   [`session_cookie`](super::HttpActivityLayer::session_cookie)).
/// - The action is a navigation for a `GET` that accepts `text/html`, a form submission for a
///   `POST` with a form or JSON body, and an API call otherwise. Its description is the method
///   and the path as the span logged them (`GET /api/users/42`; the path alone for a
///   navigation), so a secret in the path is masked the same everywhere. Its result reads
///   `HTTP 200 SUCCESS` (`HTTP 404 NOT FOUND`, ...), success is status < 400, 4xx is logged at
///   WARN and 5xx at ERROR; `duration_ms` (to the microsecond) and `status_code` are recorded
///   (the feature is in the context, with the route), and the slow thresholds apply.
/// - A service error is recorded as a failed action at ERROR; a request whose response future
///   is dropped before it is ready (the client went away) as a failed action at WARN.
/// - With body capture on, `request_body` and `response_body` are added to the action's data
///   (see [`RequestBody`]); with response capture, the action is recorded when the response
///   body ends or is dropped.
#[derive(Clone)]
pub struct HttpActivity<S> {
    inner: S,
    settings: Arc<Settings>,
}

impl<S: fmt::Debug> fmt::Debug for HttpActivity<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HttpActivity").field("inner", &self.inner).finish_non_exhaustive()
    }
}

impl<S> HttpActivity<S> {
    pub(crate) fn new(inner: S, settings: Arc<Settings>) -> Self {
        HttpActivity { inner, settings }
    }
}

thread_local! {
    /// The buffer a request's feature name and client IP are written into, per thread.
    static TEXT_BUFFER: Cell<String> = const { Cell::new(String::new()) };
}

/// A text buffer larger than this is not kept.
const MAX_KEPT_TEXTS: usize = 1024;

/// Whether two paths are the same but for trailing slashes (`/health/` is `/health`).
fn same_path(a: &str, b: &str) -> bool {
    fn bare(p: &str) -> &str {
        match p.trim_end_matches('/') {
            "" => "/",
            trimmed => trimmed,
        }
    }
    bare(a) == bare(b)
}

/// Whether `method` is one of HTTP's own, not an extension token the client chose.
fn is_standard(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET
            | Method::POST
            | Method::PUT
            | Method::DELETE
            | Method::HEAD
            | Method::OPTIONS
            | Method::PATCH
            | Method::CONNECT
            | Method::TRACE
    )
}

/// The action type of a request, from its method and its `Accept` and `Content-Type`.
fn action_type(method: &Method, headers: &Found<'_>) -> ActionType<'static> {
    match *method {
        Method::GET if text(headers.accept).unwrap_or_default().contains("text/html") => {
            ActionType::Navigation
        }
        Method::POST
            if ["application/x-www-form-urlencoded", "multipart/form-data", "application/json"]
                .iter()
                .any(|form| {
                    text(headers.content_type)
                        .and_then(|t| t.get(..form.len()))
                        .is_some_and(|t| t.eq_ignore_ascii_case(form))
                }) =>
        {
            ActionType::FormSubmission
        }
        _ => ActionType::ApiCall,
    }
}

/// The headers the middleware reads, found in one pass over the request's headers (the first
/// value of each; the first `session_id` cookie of all `Cookie` headers) rather than looked up
/// one by one.
#[derive(Default)]
struct Found<'a> {
    accept: Option<&'a HeaderValue>,
    content_type: Option<&'a HeaderValue>,
    user_agent: Option<&'a HeaderValue>,
    referer: Option<&'a HeaderValue>,
    session_header: Option<&'a HeaderValue>,
    /// The value of the header `user_id_header` names.
    user_id: Option<&'a HeaderValue>,
    session_cookie: Option<SessionCookie<'a>>,
}

impl<'a> Found<'a> {
    fn scan(headers: &'a HeaderMap, user_id_header: Option<&HeaderName>) -> Self {
        let mut found = Found::default();
        for (name, value) in headers {
            // First: the user id header may be one read for something else too.
            if user_id_header == Some(name) && found.user_id.is_none() {
                found.user_id = Some(value);
            }
            let slot = if name == USER_AGENT {
                &mut found.user_agent
            } else if name == COOKIE {
                if found.session_cookie.is_none() {
                    found.session_cookie = session_cookie(value);
                }
                continue;
            } else if name == ACCEPT {
                &mut found.accept
            } else if name == REFERER {
                &mut found.referer
            } else if name == CONTENT_TYPE {
                &mut found.content_type
            } else if name == SESSION_HEADER_NAME {
                &mut found.session_header
            } else {
                continue;
            };
            if slot.is_none() {
                *slot = Some(value);
            }
        }
        found
    }
}

/// A header value as text, when it is.
fn text(value: Option<&HeaderValue>) -> Option<&str> {
    value.and_then(|v| v.to_str().ok())
}

impl<S, ReqBody, ResBody> Service<Request<ReqBody>> for HttpActivity<S>
where
    S: Service<Request<RequestBody<ReqBody>>, Response = Response<ResBody>>,
    S::Error: fmt::Display,
{
    type Response = Response<ResponseBody<ResBody>>;
    type Error = S::Error;
    type Future = ResponseFuture<S::Future>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Self::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, request: Request<ReqBody>) -> Self::Future {
        let settings = &*self.settings;
        if settings.skip_paths.iter().any(|p| same_path(p, request.uri().path())) {
            return ResponseFuture::unrecorded(self.inner.call(request.map(RequestBody::new)));
        }
        let (mut parts, body) = request.into_parts();
        let privacy = settings.privacy();

        // What the middleware makes itself is logged as it is (see `Handoff::own`).
        let mut own = SlotSet::EMPTY;
        // Kept as the header value: the span reads it as text, the response echoes it. A
        // generated one goes into the request's headers at once, so that the extractors and
        // the handler see the id the request is logged with.
        let request_id =
            match parts.headers.get(X_REQUEST_ID_HEADER).filter(|v| v.to_str().is_ok_and(is_valid_id)) {
                Some(incoming) => incoming.clone(),
                None => {
                    // A generated id is always a valid header value. Owned by its `Bytes`, so the
                    // copy in the request and the one for the response share one allocation.
                    let id = HeaderValue::from_maybe_shared(Bytes::from_owner(new_id().into_bytes()))
                        .unwrap_or(HeaderValue::from_static("-"));
                    parts.headers.insert(X_REQUEST_ID_HEADER, id.clone());
                    own = own.with(Slot::Context(REQUEST_ID_SLOT));
                    id
                }
            };
        let user_id_header = match &settings.user_id {
            Some(UserId::Header(name)) => Some(name),
            _ => None,
        };
        let found = Found::scan(&parts.headers, user_id_header);
        let kind = action_type(&parts.method, &found);
        let cookie_rule = settings.session_cookie.then_some(&settings.cookie_rule);
        let (session, set_cookie) =
            session_for(found.session_cookie, found.session_header, cookie_rule, SystemTime::now());
        if let Session::Started(_) = session {
            own = own.with(Slot::Session(SESSION_ID_SLOT));
        }
        let session = session.id();
        let user = match &settings.user_id {
            Some(UserId::Header(_)) => text(found.user_id).filter(|id| !id.is_empty()).map(Cow::Borrowed),
            Some(UserId::Extract(extract)) => extract(&parts).map(Cow::Owned),
            None => None,
        };
        let ip = (settings.peer_addr)(&parts)
            .map(|peer| client_ip(peer, &parts.headers, &settings.trusted_proxies));
        if ip.is_some() {
            own = own.with(Slot::Session(IP_ADDRESS_SLOT));
        }
        if is_standard(&parts.method) {
            own = own.with(Slot::Context(METHOD_SLOT));
        }
        // The feature name and the client IP, written one after the other into this thread's
        // buffer: they are only read while the span is made, and the buffer is kept for the next
        // request.
        let mut texts = TEXT_BUFFER.try_with(Cell::take).unwrap_or_default();
        texts.clear();
        // The route template the request matched, when the router says (`/users/{id}`): the app's
        // own text, and a better feature name than the path.
        let route = matched_route(&parts);
        if route.is_some() {
            own = own.with(Slot::Context(ROUTE_SLOT));
        }
        match &settings.feature {
            Some(name) => texts.push_str(&name(&parts)),
            None => push_feature_name(
                route.unwrap_or(parts.uri.path()),
                settings.strip_prefix.as_deref(),
                &mut texts,
            ),
        }
        let feature_end = texts.len();
        if let Some(ip) = ip {
            push_ip(&mut texts, ip);
        }
        let (feature, ip_text) = texts.split_at(feature_end);
        let ip = ip.map(|_| ip_text);
        let path = parts.uri.path();

        // The query is masked field by field here (names percent-decoded), before the whole url
        // is cleaned as any value.
        let url = parts.uri.path_and_query().map(|p| match (p.query(), privacy.masker()) {
            (Some(query), Some(masker)) => match masker.mask_form_fields(query) {
                Cow::Borrowed(_) => Cow::Borrowed(p.as_str()),
                Cow::Owned(masked) => Cow::Owned(format!("{}?{masked}", p.path())),
            },
            _ => Cow::Borrowed(p.as_str()),
        });

        // The description and the feature, for the action event's own fields, which the
        // activity layer cleans as any event's (other layers are kept from actions by
        // `filter::not_actions`).
        let method = parts.method.as_str();
        let mut names = String::with_capacity(method.len() + 1 + path.len() + feature.len());
        if kind != ActionType::Navigation {
            names.push_str(method);
            names.push(' ');
        }
        names.push_str(path);
        let description_end = names.len();
        names.push_str(feature);

        // Every value is cleaned here, by the activity layer's rules, before it is recorded:
        // other layers (`fmt`, OpenTelemetry) see the span's values as the activity lines show
        // them, and the activity layer takes them as they are.
        let mut clean = Cleaner { privacy: &privacy, own, plain: SlotSet::EMPTY };
        let session = clean.value(Slot::Session(SESSION_ID_SLOT), session);
        let user = user.as_deref().map(|user| clean.value(Slot::Session(USER_ID_SLOT), user));
        let ip = ip.map(|ip| clean.value(Slot::Session(IP_ADDRESS_SLOT), ip));
        let user_agent =
            text(found.user_agent).map(|agent| clean.value(Slot::Session(USER_AGENT_SLOT), agent));
        let referrer =
            text(found.referer).map(|referrer| clean.value(Slot::Session(REFERRER_SLOT), referrer));
        let url_text = url.as_deref();
        let url = url_text.map(|url| clean.value(Slot::Context(URL_SLOT), url));
        // The page is the url's path: a text cut before its `?` holds no secret that the whole
        // text did not, so a url that needed no change has a page that needs none.
        let page = match (&url, url_text) {
            (Some(Cow::Borrowed(_)), Some(url)) if url.starts_with(path) => {
                clean
                    .plain
                    .set(Slot::Session(CURRENT_PAGE_SLOT), clean.plain.contains(Slot::Context(URL_SLOT)));
                Cow::Borrowed(path)
            }
            _ => clean.value(Slot::Session(CURRENT_PAGE_SLOT), path),
        };
        let request_id_text = request_id.to_str().unwrap_or_default();
        let request_id_clean = clean.value(Slot::Context(REQUEST_ID_SLOT), request_id_text);
        let method = clean.value(Slot::Context(METHOD_SLOT), method);
        let route = route.map(|route| clean.value(Slot::Context(ROUTE_SLOT), route));
        let feature = clean.value(Slot::Context(FEATURE_SLOT), feature);
        let handoff = Handoff { own, cleaned_by: privacy.id(), plain: clean.plain, ..Handoff::default() };
        let span = with_handoff(handoff, || {
            tracing::info_span!(
                "http_request",
                session_id = &*session,
                user_id = user.as_deref(),
                ip_address = ip.as_deref(),
                user_agent = user_agent.as_deref(),
                url = url.as_deref(),
                current_page = &*page,
                referrer = referrer.as_deref(),
                request_id = &*request_id_clean,
                method = &*method,
                route = route.as_deref(),
                feature = &*feature,
            )
        });
        // The cleaned values borrow the request's parts and this thread's text buffer, which are
        // given back below.
        drop((session, user, ip, user_agent, referrer, url, page, request_id_clean, method, route, feature));
        if texts.capacity() <= MAX_KEPT_TEXTS {
            let _ = TEXT_BUFFER.try_with(|buffer| buffer.set(texts));
        }
        if url_text.is_none() {
            // Authority form (CONNECT): the host and port, never a user:password in front.
            if let Some(host) = parts.uri.host() {
                match parts.uri.port_u16() {
                    Some(port) => span.record("url", tracing::field::display(format_args!("{host}:{port}"))),
                    None => span.record("url", host),
                };
            }
        }
        let request_body = settings
            .request_body(&privacy)
            .map(|rule| Arc::new(Mutex::new(rule.start_request(&parts.headers))));
        let body = RequestBody::capturing(body, request_body.clone());
        let pending = Pending {
            start: Instant::now(),
            kind,
            names,
            description_end,
            request_id,
            set_cookie,
            request_body,
            response_body: settings.response_body(&privacy),
        };
        let request = Request::from_parts(parts, body);
        let future = span.in_scope(|| self.inner.call(request));
        ResponseFuture::recorded(future, span, pending)
    }
}

/// Cleans the values of a request's span, noting which are plain.
struct Cleaner<'p> {
    privacy: &'p Privacy,
    own: SlotSet,
    plain: SlotSet,
}

impl Cleaner<'_> {
    #[inline]
    fn value<'t>(&mut self, slot: Slot, text: &'t str) -> Cow<'t, str> {
        let clean = self.privacy.clean_span_value(slot, self.own.contains(slot), text);
        self.plain.set(slot, clean.plain);
        clean.text
    }
}

/// The route template the request matched, from axum's `MatchedPath`.
#[cfg(feature = "axum")]
fn matched_route(parts: &http::request::Parts) -> Option<&str> {
    super::axum::matched_route(parts)
}

/// Without the `axum` feature, no router says.
#[cfg(not(feature = "axum"))]
fn matched_route(_: &http::request::Parts) -> Option<&str> {
    None
}

/// Appends an IP address as std writes it: an IPv4 address (the common case) digit by digit,
/// without `fmt`.
fn push_ip(out: &mut String, ip: IpAddr) {
    match ip {
        IpAddr::V4(v4) => {
            for (i, octet) in v4.octets().into_iter().enumerate() {
                if i > 0 {
                    out.push('.');
                }
                if octet >= 100 {
                    out.push(char::from(b'0' + octet / 100));
                }
                if octet >= 10 {
                    out.push(char::from(b'0' + octet / 10 % 10));
                }
                out.push(char::from(b'0' + octet % 10));
            }
        }
        IpAddr::V6(v6) => {
            use std::fmt::Write as _;
            let _ = write!(out, "{v6}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{push_ip, same_path};

    #[test]
    fn ip_addresses_are_written_as_std_writes_them() {
        for ip in [
            "0.0.0.0",
            "1.2.3.4",
            "10.100.255.9",
            "255.255.255.255",
            "::1",
            "2001:db8::8a2e:370:7334",
            "::ffff:1.2.3.4",
            "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
        ] {
            let parsed: std::net::IpAddr = ip.parse().unwrap();
            let mut text = String::from("before ");
            push_ip(&mut text, parsed);
            assert_eq!(text, format!("before {parsed}"));
        }
    }

    #[test]
    fn paths_compare_without_trailing_slashes() {
        assert!(same_path("/health", "/health/"));
        assert!(same_path("/", "/"));
        assert!(same_path("/", "//"));
        assert!(!same_path("/health", "/healthz"));
        assert!(!same_path("/", "/health"));
    }
}
