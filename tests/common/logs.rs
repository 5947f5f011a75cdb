//! Activity logs written by the crate itself (the HTTP middleware and the layer, through size
//! rotation, with a clock the test sets), and the reports' figures computed from them
//! independently: plain code over the parsed lines, sharing nothing with `report`.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::convert::Infallible;
use std::future::Future;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::task::{Context, Poll, Waker};

use chrono::{DateTime, Datelike, TimeZone, Timelike, Utc};
use http::{Request, Response, StatusCode};
use serde_json::{Value, json};
use tower_layer::Layer;
use tower_service::Service;
use tracing_activity::http::{HttpActivity, HttpActivityLayer};
use tracing_activity::{
    ActionType, ActivityGuard, Builder, Config, OverflowPolicy, Stats, log_error, log_search, user_action,
};
use tracing_subscriber::prelude::*;

/// The app behind the middleware: its handlers log their own actions.
#[derive(Clone)]
pub struct App;

impl<B> Service<Request<B>> for App {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let path = request.uri().path().to_owned();
        let status = match path.as_str() {
            "/api/search" => {
                log_search!("rust tracing", results_count = 3u64);
                StatusCode::OK
            }
            "/api/user-queries" if request.headers().contains_key("x-empty") => {
                log_error!("ValidationError", "Query cannot be empty", field = "query");
                StatusCode::UNPROCESSABLE_ENTITY
            }
            "/api/billing" => {
                log_error!("UpstreamError", "payment provider timed out");
                StatusCode::BAD_GATEWAY
            }
            p if p.starts_with("/api/old") => StatusCode::NOT_FOUND,
            "/api/admin" => StatusCode::FORBIDDEN,
            _ => StatusCode::OK,
        };
        let mut response = Response::new(String::new());
        *response.status_mut() = status;
        std::future::ready(Ok(response))
    }
}

/// A small fixed pseudo-random sequence, so each run writes the same logs.
pub struct Dice(pub u64);

impl Dice {
    pub fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

const USERS: [&str; 5] = ["ann", "bob", "carol", "dave", "eve"];

/// Requests of five users and anonymous visitors between `from` and `to`, with errors
/// (some with an error action in the same request), handler actions, plain actions outside any
/// request, and request-shaped actions with durations up to very slow.
pub fn traffic(
    writer: &mut LogWriter,
    dice: &mut Dice,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    requests: usize,
) {
    type Route = (&'static str, &'static str, &'static [(&'static str, &'static str)]);
    let routes: [Route; 9] = [
        ("GET", "/api/search?q=rust", &[]),
        ("GET", "/api/users/42/orders?page=2", &[]),
        ("POST", "/api/user-queries", &[("content-type", "application/json")]),
        ("POST", "/api/user-queries", &[("content-type", "application/json"), ("x-empty", "1")]),
        ("GET", "/api/billing", &[]),
        ("GET", "/api/old/page?token=secret", &[]),
        ("GET", "/api/admin", &[]),
        ("GET", "/dashboard", &[("accept", "text/html")]),
        ("GET", "/api/threads", &[]),
    ];
    let span = u64::try_from((to - from).num_seconds()).unwrap_or(1).max(1);
    for n in 0..requests {
        let at = from + chrono::Duration::seconds(dice.below(span) as i64);
        let who = dice.below(USERS.len() as u64 + 1) as usize;
        let user = USERS.get(who).copied();
        let session = format!("s-{}-{}", user.unwrap_or("anon"), dice.below(3));
        let ip = [10, 0, (who % 3) as u8, 1 + dice.below(4) as u8];
        let (method, uri, headers) = routes[dice.below(routes.len() as u64) as usize];
        writer.request_with(at, method, uri, user, &session, ip, headers);
        if n % 7 == 0 {
            writer.click(at + chrono::Duration::seconds(5), user, &session);
        }
        if n % 5 == 0 {
            // Durations from 0.05 ms to about 7 s: every histogram range, and the slow flags.
            let ms = [0.05, 3.217, 48.5, 180.25, 999.999, 1_000.0, 2_345.678, 5_000.0, 7_123.4][n / 5 % 9];
            let feature = ["reports", "exports"][n % 2];
            let status = if n % 3 == 0 { 500 } else { 200 };
            writer.timed_request(
                at,
                feature,
                user,
                &session,
                &format!("req-{n}"),
                status,
                ms * (1.0 + (n % 11) as f64 / 10.0),
            );
        }
    }
}

/// Writes activity logs at times the test chooses.
pub struct LogWriter {
    clock: Arc<AtomicI64>,
    dispatch: tracing::Dispatch,
    guard: ActivityGuard,
    service: HttpActivity<App>,
    pub path: PathBuf,
}

/// The test's base day: 2024-01-15 00:00 UTC.
pub fn day(hour: u32, minute: u32, second: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 15, 0, 0, 0).unwrap()
        + chrono::Duration::seconds(i64::from(hour) * 3600 + i64::from(minute) * 60 + i64::from(second))
}

impl LogWriter {
    /// A writer into `path`, rotated every `max_size` bytes (all backups kept).
    pub fn new(path: &Path, max_size: u64, change: impl FnOnce(Config) -> Config) -> Self {
        let config = change(
            Config::default()
                .enable_console_logging(false)
                .user_activity_log_path(path)
                .log_file_max_size(max_size)
                .log_file_backup_count(1_000)
                .log_queue_overflow(OverflowPolicy::Block),
        );
        let clock = Arc::new(AtomicI64::new(day(0, 0, 0).timestamp_micros()));
        let now = Arc::clone(&clock);
        let tracing_activity::Activity { layer, guard, .. } = Builder::new()
            .config(config.clone())
            .clock(move || Utc.timestamp_micros(now.load(Ordering::SeqCst)).unwrap())
            .build()
            .expect("the test's log opens");
        let service = HttpActivityLayer::new(&config)
            .strip_prefix("/api")
            .user_id_header(http::HeaderName::from_static("x-user-id"))
            .layer(App);
        LogWriter {
            clock,
            dispatch: tracing::Dispatch::new(tracing_subscriber::registry().with(layer)),
            guard,
            service,
            path: path.to_owned(),
        }
    }

    pub fn set_time(&self, at: DateTime<Utc>) {
        self.clock.store(at.timestamp_micros(), Ordering::SeqCst);
    }

    /// One request through the middleware at `at`.
    pub fn request(
        &mut self,
        at: DateTime<Utc>,
        method: &str,
        uri: &str,
        user: Option<&str>,
        session: &str,
        ip: [u8; 4],
    ) {
        self.request_with(at, method, uri, user, session, ip, &[]);
    }

    #[allow(clippy::too_many_arguments)]
    pub fn request_with(
        &mut self,
        at: DateTime<Utc>,
        method: &str,
        uri: &str,
        user: Option<&str>,
        session: &str,
        ip: [u8; 4],
        headers: &[(&str, &str)],
    ) {
        self.set_time(at);
        let mut builder = Request::builder()
            .method(method)
            .uri(uri)
            .header("cookie", format!("session_id={session}"))
            .header("user-agent", "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0");
        if let Some(user) = user {
            builder = builder.header("x-user-id", user);
        }
        for (name, value) in headers {
            builder = builder.header(*name, *value);
        }
        let mut request = builder.body(String::new()).unwrap();
        request.extensions_mut().insert(SocketAddr::from((ip, 40_000)));
        tracing::dispatcher::with_default(&self.dispatch, || {
            let future = pin!(self.service.call(request));
            assert!(future.poll(&mut Context::from_waker(Waker::noop())).is_ready());
        });
    }

    /// A request-shaped action with a chosen duration (what a middleware of the app's own would
    /// log): an API call with `status_code` and `duration_ms` in a request span with a feature.
    #[allow(clippy::too_many_arguments)]
    pub fn timed_request(
        &self,
        at: DateTime<Utc>,
        feature: &str,
        user: Option<&str>,
        session: &str,
        request_id: &str,
        status: u16,
        duration_ms: f64,
    ) {
        self.set_time(at);
        tracing::dispatcher::with_default(&self.dispatch, || {
            let span = tracing::info_span!(
                "request",
                session_id = session,
                user_id = user,
                ip_address = "10.0.0.9",
                request_id = request_id,
                method = "GET",
                url = format!("/api/{feature}?page=1").as_str(),
                feature = feature,
            );
            let _entered = span.enter();
            user_action!(
                ActionType::ApiCall,
                format!("GET /api/{feature}").as_str(),
                result = format!("HTTP {status}").as_str(),
                success = status < 400,
                status_code = u64::from(status),
                duration_ms = duration_ms,
            );
        });
    }

    /// A plain action of the app, outside any request.
    pub fn click(&self, at: DateTime<Utc>, user: Option<&str>, session: &str) {
        self.set_time(at);
        tracing::dispatcher::with_default(&self.dispatch, || {
            let span =
                tracing::info_span!("session", session_id = session, user_id = user, ip_address = "10.0.0.8");
            let _entered = span.enter();
            tracing_activity::log_click!("save-button", current_page = "/settings");
        });
    }

    pub fn close(self) -> Stats {
        self.guard.close()
    }
}

/// The active file and its backups, oldest first (`.N` … `.1`, then the file itself).
pub fn files_oldest_first(path: &Path) -> Vec<PathBuf> {
    let mut numbered: Vec<(u32, PathBuf)> = std::fs::read_dir(path.parent().unwrap())
        .unwrap()
        .filter_map(|e| {
            let e = e.unwrap();
            let name = e.file_name().into_string().unwrap();
            let n = name
                .strip_prefix(path.file_name().unwrap().to_str().unwrap())?
                .strip_prefix('.')?
                .parse()
                .ok()?;
            Some((n, e.path()))
        })
        .collect();
    numbered.sort_by_key(|(n, _)| std::cmp::Reverse(*n));
    let mut files: Vec<PathBuf> = numbered.into_iter().map(|(_, p)| p).collect();
    if path.exists() {
        files.push(path.to_owned());
    }
    files
}

/// Every line of the log, in file order.
pub fn all_lines(path: &Path) -> Vec<String> {
    files_oldest_first(path)
        .iter()
        .flat_map(|f| {
            String::from_utf8_lossy(&std::fs::read(f).unwrap()).lines().map(str::to_owned).collect::<Vec<_>>()
        })
        .collect()
}

/// What the reports count: the actions in `[from, to)`, and how many lines are not actions.
pub struct Parsed {
    pub actions: Vec<Value>,
    pub skipped: u64,
    pub not_json: u64,
}

pub fn parse(lines: &[String], from: DateTime<Utc>, to: DateTime<Utc>) -> Parsed {
    let mut actions = Vec::new();
    let (mut skipped, mut not_json) = (0, 0);
    for line in lines.iter().filter(|l| !l.trim().is_empty()) {
        let value: Value = match serde_json::from_str(line) {
            Ok(v @ Value::Object(_)) => v,
            _ => {
                skipped += 1;
                not_json += 1;
                continue;
            }
        };
        let Some(at) = value["timestamp"].as_str().and_then(|t| DateTime::parse_from_rfc3339(t).ok()) else {
            skipped += 1;
            continue;
        };
        if value["event"] != "user_action" {
            skipped += 1;
            continue;
        }
        let at = at.with_timezone(&Utc);
        if at >= from && at < to {
            actions.push(value);
        }
    }
    Parsed { actions, skipped, not_json }
}

fn time_of(action: &Value) -> DateTime<Utc> {
    DateTime::parse_from_rfc3339(action["timestamp"].as_str().unwrap()).unwrap().with_timezone(&Utc)
}

fn user_of<'a>(action: &'a Value, anonymous: &[String]) -> Option<&'a str> {
    action["session"]["user_id"].as_str().filter(|u| !u.is_empty() && !anonymous.iter().any(|a| a == u))
}

fn feature_of(action: &Value) -> Option<&str> {
    action["context"]["feature"]
        .as_str()
        .or(action["action"]["data"]["feature"].as_str())
        .filter(|f| !f.is_empty())
}

/// The summary's figures (all but latency), as the report's JSON.
pub fn summary(parsed: &Parsed, from: DateTime<Utc>, to: DateTime<Utc>, anonymous: &[String]) -> Value {
    let actions = &parsed.actions;
    let mut users: BTreeMap<&str, (u64, BTreeSet<&str>, Vec<Value>)> = BTreeMap::new();
    // (user, session) → first and last action.
    type Span = (DateTime<Utc>, DateTime<Utc>);
    let mut sessions: HashMap<(&str, &str), Span> = HashMap::new();
    let mut features: BTreeMap<&str, u64> = BTreeMap::new();
    let mut codes: BTreeMap<String, u64> = BTreeMap::new();
    let (mut requests, mut errors) = (0, 0);
    // The first error action of each request.
    let mut error_actions: HashMap<&str, (DateTime<Utc>, &str)> = HashMap::new();
    for a in actions.iter().filter(|a| a["action"]["action_type"] == "error") {
        if let Some(id) = a["context"]["request_id"].as_str() {
            let entry =
                error_actions.entry(id).or_insert((time_of(a), a["action"]["description"].as_str().unwrap()));
            if time_of(a) < entry.0 {
                *entry = (time_of(a), a["action"]["description"].as_str().unwrap());
            }
        }
    }
    for a in actions {
        let user = user_of(a, anonymous);
        if let Some(user) = user {
            users.entry(user).or_default();
            if let Some(session) = a["session"]["session_id"].as_str() {
                let t = time_of(a);
                let span = sessions.entry((user, session)).or_insert((t, t));
                span.0 = span.0.min(t);
                span.1 = span.1.max(t);
            }
        }
        let Some(code) = a["action"]["data"]["status_code"].as_u64() else { continue };
        requests += 1;
        let feature = feature_of(a);
        if let Some(f) = feature {
            *features.entry(f).or_default() += 1;
        }
        if let Some(user) = user {
            let entry = users.get_mut(user).unwrap();
            entry.0 += 1;
            entry.1.extend(feature);
        }
        if code >= 400 {
            errors += 1;
            *codes.entry(code.to_string()).or_default() += 1;
            if let Some(user) = user {
                let url = a["context"]["url"].as_str().unwrap();
                let message = a["context"]["request_id"]
                    .as_str()
                    .and_then(|id| error_actions.get(id))
                    .map_or(a["action"]["result"].as_str().unwrap(), |e| e.1);
                users.get_mut(user).unwrap().2.push(json!({
                    "endpoint": url.split(['?', '#']).next().unwrap(),
                    "error": message,
                    "timestamp": time_of(a),
                    "code": code,
                }));
            }
        }
    }
    let mut minutes: HashMap<&str, f64> = HashMap::new();
    for ((user, _), (first, last)) in &sessions {
        *minutes.entry(user).or_default() += (*last - *first).num_microseconds().unwrap() as f64 / 60e6;
    }
    let mut user_rows: Vec<(u64, &str, Value)> = users
        .iter()
        .map(|(user, (count, features, errors))| {
            let mut errors = errors.clone();
            errors.sort_by_key(|e| {
                (
                    time_of(e),
                    e["code"].as_u64(),
                    e["endpoint"].as_str().map(str::to_owned),
                    e["error"].as_str().map(str::to_owned),
                )
            });
            let row = json!({
                "user_id": user,
                "requests_count": count,
                "errors_count": errors.len(),
                "features_used": features,
                "total_time_minutes": (minutes.get(user).copied().unwrap_or(0.0) * 100.0).round() / 100.0,
                "errors": errors,
            });
            (*count, *user, row)
        })
        .collect();
    user_rows.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
    let mut top: Vec<(&str, u64)> = features.into_iter().collect();
    top.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    json!({
        "period_start": from,
        "period_end": to,
        "active_users": users.len(),
        "total_requests": requests,
        "total_errors": errors,
        "users": user_rows.into_iter().map(|r| r.2).collect::<Vec<_>>(),
        "top_features": top.into_iter().map(|(name, count)| json!({"name": name, "count": count})).collect::<Vec<_>>(),
        "error_breakdown": codes,
        "skipped_lines": parsed.skipped,
    })
}

/// Per feature: the requests' durations, sorted, and the slow and very slow counts.
pub fn durations(parsed: &Parsed) -> BTreeMap<String, (Vec<f64>, u64, u64)> {
    let mut out: BTreeMap<String, (Vec<f64>, u64, u64)> = BTreeMap::new();
    for a in &parsed.actions {
        if a["action"]["data"]["status_code"].as_u64().is_none() {
            continue;
        }
        let Some(feature) = feature_of(a) else { continue };
        let entry = out.entry(feature.to_owned()).or_default();
        if let Some(ms) = a["action"]["duration_ms"].as_f64() {
            entry.0.push(ms);
        }
        match a["action"]["slow"].as_str() {
            Some("slow") => entry.1 += 1,
            Some("very_slow") => entry.2 += 1,
            _ => {}
        }
    }
    for (values, _, _) in out.values_mut() {
        values.sort_by(f64::total_cmp);
    }
    out
}

/// The nearest-rank percentile of sorted `values`.
pub fn percentile(values: &[f64], p: f64) -> f64 {
    let rank = ((p * values.len() as f64).ceil() as usize).clamp(1, values.len());
    values[rank - 1]
}

/// The usage matrix, as the report's JSON `summary`.
pub fn usage(parsed: &Parsed, anonymous: &[String]) -> Value {
    let mut matrix: BTreeMap<String, BTreeMap<String, u64>> = BTreeMap::new();
    for a in &parsed.actions {
        let kind = a["action"]["action_type"].as_str().unwrap_or("action").to_owned();
        let user = user_of(a, anonymous).unwrap_or("anonymous").to_owned();
        *matrix.entry(kind).or_default().entry(user).or_default() += 1;
    }
    json!(matrix)
}

/// The counts per hour: events, intervals and days, as the report's JSON.
pub fn counts_per_hour(parsed: &Parsed, anonymous: &[String]) -> Value {
    let hour =
        |t: DateTime<Utc>| t.with_minute(0).unwrap().with_second(0).unwrap().with_nanosecond(0).unwrap();
    let mut events: BTreeMap<(DateTime<Utc>, String, Option<String>), u64> = BTreeMap::new();
    let mut intervals: BTreeMap<DateTime<Utc>, (u64, BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    let mut days: BTreeMap<String, (BTreeSet<String>, BTreeSet<String>)> = BTreeMap::new();
    for a in &parsed.actions {
        let t = time_of(a);
        let kind = a["action"]["action_type"].as_str().unwrap_or("action").to_owned();
        *events.entry((hour(t), kind, feature_of(a).map(str::to_owned))).or_default() += 1;
        let interval = intervals.entry(hour(t)).or_default();
        interval.0 += 1;
        let day = days.entry(format!("{:04}-{:02}-{:02}", t.year(), t.month(), t.day())).or_default();
        if let Some(user) = user_of(a, anonymous) {
            interval.1.insert(user.to_owned());
            day.0.insert(user.to_owned());
        }
        if let Some(ip) = a["session"]["ip_address"].as_str().filter(|ip| !ip.is_empty()) {
            interval.2.insert(ip.to_owned());
            day.1.insert(ip.to_owned());
        }
    }
    json!({
        "events": events.iter().map(|((start, event, category), count)| json!({
            "start": start, "event": event, "category": category, "count": count,
        })).collect::<Vec<_>>(),
        "intervals": intervals.iter().map(|(start, (n, users, ips))| json!({
            "start": start, "events": n, "users": users.len(), "ips": ips.len(),
        })).collect::<Vec<_>>(),
        "days": days.iter().filter(|(_, (u, i))| !u.is_empty() || !i.is_empty()).map(|(day, (users, ips))| json!({
            "day": day, "users": users.len(), "ips": ips.len(),
        })).collect::<Vec<_>>(),
    })
}

/// Asserts that two JSON values are equal, naming the first path where they differ.
#[track_caller]
pub fn assert_same(got: &Value, expected: &Value) {
    fn first_difference(got: &Value, expected: &Value, path: &str) -> Option<String> {
        match (got, expected) {
            (Value::Object(a), Value::Object(b)) => {
                let (mine, theirs): (BTreeSet<&String>, BTreeSet<&String>) =
                    (a.keys().collect(), b.keys().collect());
                if mine != theirs {
                    return Some(format!("at {path}: keys {mine:?}, expected {theirs:?}"));
                }
                let keys: BTreeSet<&String> = a.keys().chain(b.keys()).collect();
                keys.into_iter().find_map(|k| {
                    let null = Value::Null;
                    first_difference(
                        a.get(k).unwrap_or(&null),
                        b.get(k).unwrap_or(&null),
                        &format!("{path}.{k}"),
                    )
                })
            }
            (Value::Array(a), Value::Array(b)) if a.len() == b.len() => a
                .iter()
                .zip(b)
                .enumerate()
                .find_map(|(i, (x, y))| first_difference(x, y, &format!("{path}[{i}]"))),
            _ if got == expected => None,
            _ => {
                let cut = |v: &Value| v.to_string().chars().take(600).collect::<String>();
                Some(format!("at {path}:\n     got {}\nexpected {}", cut(got), cut(expected)))
            }
        }
    }
    if let Some(difference) = first_difference(got, expected, "") {
        panic!("reports differ {difference}");
    }
}
