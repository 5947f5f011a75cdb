//! With `tracing-opentelemetry` in the subscriber, each line carries the trace and span ids of
//! the OpenTelemetry span it was logged in: the ids the SDK exports for that span.
#![cfg(feature = "opentelemetry")]

mod common;

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::trace::{InMemorySpanExporter, SdkTracerProvider};
use serde_json::Value;
use tracing_activity::config::LogFormat;
use tracing_activity::{ActionType, Builder, Config, user_action};
use tracing_subscriber::prelude::*;

/// Logs the [`journey`] through the OpenTelemetry layer and ours; returns our lines and the
/// spans the SDK exported (name, trace id, span id).
fn run(format: LogFormat, ours_first: bool) -> (Vec<Value>, Vec<(String, String, String)>) {
    let exporter = InMemorySpanExporter::default();
    let provider = SdkTracerProvider::builder().with_simple_exporter(exporter.clone()).build();
    let file = tempfile::NamedTempFile::new().unwrap();
    let config = Config::default()
        .enable_console_logging(false)
        .user_activity_log_path(file.path())
        .log_format(format);
    let activity = Builder::new().config(config).build().unwrap();
    let tracer = provider.tracer("test");
    // Either order of the two layers.
    if ours_first {
        let otel = tracing_opentelemetry::layer().with_tracer(tracer);
        journey(tracing_subscriber::registry().with(activity.layer).with(otel));
    } else {
        let otel = tracing_opentelemetry::layer().with_tracer(tracer);
        journey(tracing_subscriber::registry().with(otel).with(activity.layer));
    }
    activity.guard.close();
    provider.force_flush().unwrap();
    let spans = exporter
        .get_finished_spans()
        .unwrap()
        .into_iter()
        .map(|s| {
            (s.name.to_string(), s.span_context.trace_id().to_string(), s.span_context.span_id().to_string())
        })
        .collect();
    let lines = std::fs::read_to_string(file.path()).unwrap().lines().map(common::parse_strict).collect();
    (lines, spans)
}

/// A checkout inside two nested spans and one action outside any span.
fn journey(subscriber: impl tracing::Subscriber + Send + Sync + 'static) {
    tracing::subscriber::with_default(subscriber, || {
        user_action!(ActionType::Click, "outside any span");
        let request = tracing::info_span!("request", user_id = "ann", session_id = "s-1");
        let _request = request.enter();
        user_action!(ActionType::Navigation, "/cart");
        {
            let payment = tracing::info_span!("payment");
            let _payment = payment.enter();
            user_action!(ActionType::FormSubmission, "pay", success = false);
        }
        user_action!(ActionType::Click, "back in the request");
    });
}

fn span<'a>(spans: &'a [(String, String, String)], name: &str) -> (&'a str, &'a str) {
    let (_, trace, span) = spans.iter().find(|s| s.0 == name).unwrap_or_else(|| panic!("no {name} span"));
    (trace, span)
}

#[test]
fn activity_lines_carry_the_ids_of_their_opentelemetry_span() {
    for ours_first in [false, true] {
        let (lines, spans) = run(LogFormat::Activity, ours_first);
        check_ids(&lines, &spans);
    }
}

fn check_ids(lines: &[Value], spans: &[(String, String, String)]) {
    assert_eq!(lines.len(), 4);
    let ids = |line: &Value| {
        (line["trace_id"].as_str().map(str::to_owned), line["span_id"].as_str().map(str::to_owned))
    };
    assert_eq!(ids(&lines[0]), (None, None), "no span, no trace");
    let (request, payment) = (span(spans, "request"), span(spans, "payment"));
    assert_eq!(request.0, payment.0, "one trace");
    let owned = |(t, s): (&str, &str)| (Some(t.to_owned()), Some(s.to_owned()));
    assert_eq!(ids(&lines[1]), owned(request));
    assert_eq!(ids(&lines[2]), owned(payment));
    assert_eq!(ids(&lines[3]), owned(request));
    assert!(
        request.0.len() == 32 && request.1.len() == 16 && request.0.bytes().all(|b| b.is_ascii_hexdigit())
    );
}

#[test]
fn ecs_lines_carry_them_as_trace_id_and_span_id() {
    let (lines, spans) = run(LogFormat::Ecs, false);
    assert!(lines[0].get("trace").is_none() && lines[0].get("span").is_none());
    let payment = span(&spans, "payment");
    assert_eq!(lines[2]["trace"]["id"], payment.0);
    assert_eq!(lines[2]["span"]["id"], payment.1);
}

#[test]
fn without_the_opentelemetry_layer_lines_have_no_ids() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let activity = Builder::new()
        .config(Config::default().enable_console_logging(false).user_activity_log_path(file.path()))
        .build()
        .unwrap();
    tracing::subscriber::with_default(tracing_subscriber::registry().with(activity.layer), || {
        let _span = tracing::info_span!("request", user_id = "ann").entered();
        user_action!(ActionType::Click, "save");
    });
    activity.guard.close();
    let line = common::parse_strict(std::fs::read_to_string(file.path()).unwrap().trim_end());
    assert!(line.get("trace_id").is_none() && line.get("span_id").is_none(), "{line}");
}
