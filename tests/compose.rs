//! The layer among others: EnvFilter, fmt, per-sink levels, ordinary events, anonymous users.

mod common;

use common::{Capture, Harness, layer_for};
use tracing::Level;
use tracing_activity::{ActionType, Builder, Config, user_action};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::{EnvFilter, prelude::*};

#[test]
fn composes_with_env_filter_and_fmt() {
    let (activity, _guard, console, file) = layer_for(Config::default());
    let fmt_out = Capture::default();
    let subscriber = tracing_subscriber::registry()
        .with(EnvFilter::new("info,noisy=off"))
        .with(activity)
        .with(tracing_subscriber::fmt::layer().with_ansi(false).with_writer(fmt_out.clone()));
    tracing::subscriber::with_default(subscriber, || {
        let span = tracing::info_span!("request", user_id = "user123");
        let _e = span.enter();
        tracing::info!("an ordinary event");
        tracing::debug!(target: "user_activity", action_type = "click", "filtered out by EnvFilter");
        user_action!(ActionType::Click, "submit-button");
    });
    assert_eq!(console.lines().len(), 1, "{:?}", console.lines());
    assert!(console.text().contains("👆 User user123 clicked 'submit-button'"));
    assert_eq!(file.json().len(), 1);
    let fmt_text = fmt_out.text();
    assert!(fmt_text.contains("an ordinary event"), "{fmt_text}");
    assert!(
        fmt_text.contains("action_type=\"click\"") && fmt_text.contains("user_id=\"user123\""),
        "fmt sees actions too: {fmt_text}"
    );
    assert!(!fmt_text.contains("filtered out"));
}

#[test]
fn each_sink_has_its_own_level() {
    let h = Harness::new(
        Config::default().console_log_level(LevelFilter::WARN).file_log_level(LevelFilter::DEBUG),
    );
    h.run(|| {
        user_action!(level: Level::DEBUG, ActionType::Click, "debug");
        user_action!(ActionType::Click, "info");
        user_action!(level: Level::WARN, ActionType::Click, "warn");
        user_action!(level: Level::TRACE, ActionType::Click, "trace");
        user_action!(ActionType::ApiCall, "slow info", duration_ms = 1200);
    });
    let console: Vec<_> = h.console.lines();
    assert_eq!(console.len(), 2, "{console:?}");
    assert!(console[0].contains("'warn'") && console[1].contains("'slow info'"));
    let file: Vec<_> =
        h.file.json().iter().map(|l| l["action"]["description"].as_str().unwrap().to_owned()).collect();
    assert_eq!(file, ["debug", "info", "warn", "slow info"]);
    assert_eq!(h.guard.stats().console_lines, 2);
    assert_eq!(h.guard.stats().file_lines, 4);
}

#[test]
fn disabled_sinks_write_nothing() {
    let h = Harness::new(Config::default().enable_console_logging(false));
    h.run(|| user_action!(ActionType::Click, "x"));
    assert_eq!(h.console.text(), "");
    assert_eq!(h.file.json().len(), 1);
    let h = Harness::new(Config::default().enable_file_logging(false));
    h.run(|| user_action!(ActionType::Click, "x"));
    assert_eq!(h.file.text(), "");
    assert_eq!(h.console.lines().len(), 1);
}

#[test]
fn ordinary_events_are_ignored_unless_narrated() {
    let h = Harness::new(Config::default());
    h.run(|| tracing::info!(user_id = "u1", "cache warmed"));
    assert_eq!(h.console.text(), "");
    assert_eq!(h.file.text(), "");

    let h = Harness::with(Builder::new().narrate_events(true).utc_offset(common::utc()));
    h.run(|| tracing::info!(user_id = "u1", entries = 42, "cache warmed"));
    assert_eq!(h.console.text(), "[INFO] 💬 User u1 logged 'cache warmed' at 14:30:25\n");
    let line = h.only_json();
    assert_eq!(line["event"], "log");
    assert_eq!(line["action"]["data"]["entries"], 42);
}

#[test]
fn anonymous_actions_can_be_left_out() {
    let h = Harness::new(Config::default().track_anonymous_users(false));
    h.run(|| {
        user_action!(ActionType::Click, "anonymous", ip_address = "10.0.0.1");
        user_action!(ActionType::Click, "empty id", user_id = "");
        user_action!(ActionType::Click, "known", user_id = "u1");
    });
    let lines = h.console.lines();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(lines[0].contains("'known'"));
}

/// Every value a layer is given, as text: span fields (at creation and recorded later) and
/// event fields.
#[cfg(feature = "http")]
#[derive(Clone, Default)]
struct Everything(std::sync::Arc<std::sync::Mutex<String>>);

#[cfg(feature = "http")]
impl<S: tracing::Subscriber> tracing_subscriber::Layer<S> for Everything {
    fn on_new_span(
        &self,
        attrs: &tracing::span::Attributes<'_>,
        _: &tracing::span::Id,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        attrs.record(&mut self.clone());
    }
    fn on_record(
        &self,
        _: &tracing::span::Id,
        values: &tracing::span::Record<'_>,
        _: tracing_subscriber::layer::Context<'_, S>,
    ) {
        values.record(&mut self.clone());
    }
    fn on_event(&self, event: &tracing::Event<'_>, _: tracing_subscriber::layer::Context<'_, S>) {
        event.record(&mut self.clone());
    }
}

#[cfg(feature = "http")]
impl tracing::field::Visit for Everything {
    fn record_debug(&mut self, field: &tracing::field::Field, value: &dyn std::fmt::Debug) {
        use std::fmt::Write;
        let _ = writeln!(self.0.lock().unwrap(), "{}={value:?}", field.name());
    }
}

/// The recommended setup, `fmt` and any other layer beside the activity layer with
/// `not_actions()`, and the middleware of the same `Activity`: the secrets of a request and of
/// the actions its handler logs reach no other layer, which still sees the request's span as
/// the activity lines show it.
#[cfg(feature = "http")]
#[test]
fn no_secret_reaches_the_other_layers() {
    use common::http::{App, send_with};
    use http::{Request, Response};
    use tracing_activity::filter::not_actions;
    use tracing_activity::privacy::Pseudonymizer;
    use tracing_activity::{log_search, user_action};

    const JWT: &str =
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U";
    const CARD: &str = "4111111111111111";
    let secrets = [
        JWT,
        CARD,
        "hunter2hunter2",
        "qtoken12345678",
        "sk-live-abcdefghij",
        "ann@example.com",
        "203.0.113.77",
    ];

    fn handler(_: &Request<String>) -> Result<Response<String>, String> {
        log_search!("rust", password = "hunter2hunter2", api_key = "sk-live-abcdefghij");
        user_action!(ActionType::Auth, "login failed: password=hunter2hunter2");
        tracing::info!("the handler ran");
        Ok(Response::new(String::new()))
    }

    let config = Config::default()
        .user_id_hmac_secret(tracing_activity::Secret::from("pepper"))
        .anonymize_ip(true)
        .log_request_body(true);
    let file = Capture::default();
    let activity = Builder::new()
        .config(config)
        .console_writer(std::io::sink)
        .file_writer(file.clone())
        .build()
        .unwrap();
    let fmt_out = Capture::default();
    let everything = Everything::default();
    let subscriber = tracing_subscriber::registry()
        .with(activity.layer)
        .with(
            tracing_subscriber::fmt::layer()
                .with_ansi(false)
                .with_writer(fmt_out.clone())
                .with_filter(not_actions()),
        )
        .with(everything.clone().with_filter(not_actions()));
    let middleware = activity
        .http
        .clone()
        .user_id(|parts| parts.headers.get("x-user").and_then(|v| v.to_str().ok()).map(str::to_owned));
    let request = Request::post(format!("/api/reset/{JWT}?token=qtoken12345678&card={CARD}"))
        .header("x-user", "ann@example.com")
        .header("user-agent", format!("agent card {CARD}"))
        .header("referer", "https://app.example/login?password=hunter2hunter2")
        .header("content-type", "application/json")
        .body(r#"{"password":"hunter2hunter2"}"#.to_owned())
        .unwrap();
    tracing::subscriber::with_default(subscriber, || {
        send_with(middleware, App(handler), request, "203.0.113.77:5000").unwrap();
    });

    let fmt_text = fmt_out.text();
    let seen = everything.0.lock().unwrap().clone();
    let lines = file.json();
    assert_eq!(lines.len(), 3, "two actions of the handler and the request's: {lines:?}");
    // In any case: a feature name is lowercased.
    let (fmt_lower, seen_lower, file_lower) =
        (fmt_text.to_lowercase(), seen.to_lowercase(), file.text().to_lowercase());
    for secret in secrets.map(str::to_lowercase) {
        assert!(!fmt_lower.contains(&secret), "{secret} reached fmt: {fmt_text}");
        assert!(!seen_lower.contains(&secret), "{secret} reached another layer: {seen}");
        assert!(!file_lower.contains(&secret), "{secret} reached the file");
    }
    // The other layers saw the request's span, with the values of the activity lines.
    let pseudonym = Pseudonymizer::new("pepper").pseudonym("ann@example.com");
    let request_line = &lines[2];
    assert_eq!(request_line["session"]["user_id"], pseudonym.as_str());
    assert_eq!(request_line["session"]["ip_address"], "203.0.113.0");
    for field in ["user_id", "ip_address", "user_agent", "referrer", "current_page"] {
        let value = request_line["session"][field].as_str().unwrap();
        assert!(seen.contains(&format!("{field}={value:?}")), "{field}={value:?} not in {seen}");
    }
    let url = request_line["context"]["url"].as_str().unwrap();
    assert!(seen.contains(&format!("url={url:?}")), "{url} not in {seen}");
    assert!(fmt_text.contains("the handler ran") && fmt_text.contains(&pseudonym), "{fmt_text}");
    assert!(!fmt_text.contains("user_activity"), "no action reached fmt: {fmt_text}");
}
