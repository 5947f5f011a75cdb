//! One action inside a session span and a request span, rendered into `io::sink`:
//! ours (console line + JSON line), against `tracing_subscriber::fmt` full and `fmt().json()`.
//!
//! ```text
//! cargo bench --bench layer
//! ```
//!
//! Before the timings it prints how many heap allocations one event makes in steady state.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

mod common;

use criterion::{Criterion, criterion_group};
use tracing::Dispatch;
use tracing_activity::{ActivityGuard, ActivityLayer, Config};
use tracing_subscriber::prelude::*;

struct Counting;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: forwards every call to the system allocator unchanged; only counts allocations.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: same contract as the caller's.
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        // SAFETY: same contract as the caller's.
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn ours(config: Config) -> (Dispatch, ActivityGuard) {
    let tracing_activity::Activity { layer, guard, .. } = ActivityLayer::builder()
        .config(config)
        .console_writer(io::sink)
        .file_writer(io::sink)
        .build()
        .expect("builds");
    (Dispatch::new(tracing_subscriber::registry().with(layer)), guard)
}

fn fmt_full() -> Dispatch {
    Dispatch::new(
        tracing_subscriber::registry()
            .with(tracing_subscriber::fmt::layer().with_ansi(false).with_writer(io::sink)),
    )
}

fn fmt_json() -> Dispatch {
    Dispatch::new(
        tracing_subscriber::registry().with(tracing_subscriber::fmt::layer().json().with_writer(io::sink)),
    )
}

/// Masking off, so the privacy rows can be compared with it.
fn privacy_off() -> Config {
    Config::default().mask_sensitive_data(false)
}

/// Every privacy feature on.
fn privacy_all() -> Config {
    Config::default().user_id_hmac_secret(tracing_activity::Secret::new("bench secret")).anonymize_ip(true)
}

fn subjects() -> Vec<(&'static str, Dispatch, Option<ActivityGuard>)> {
    let mut out = Vec::new();
    for (name, config) in [
        ("tracing-activity (console + JSON)", Config::default()),
        ("tracing-activity (JSON only)", Config::default().enable_console_logging(false)),
        (
            "tracing-activity (ECS JSON only)",
            Config::default()
                .enable_console_logging(false)
                .log_format(tracing_activity::config::LogFormat::Ecs),
        ),
        ("tracing-activity, privacy off", privacy_off()),
        ("tracing-activity, masking + HMAC + IP", privacy_all()),
    ] {
        let (dispatch, guard) = ours(config);
        out.push((name, dispatch, Some(guard)));
    }
    out.push(("fmt (full)", fmt_full(), None));
    out.push(("fmt().json()", fmt_json(), None));
    out
}

fn report_allocations() {
    const EVENTS: u64 = 10_000;
    println!("heap allocations per event, steady state ({EVENTS} events after 1,000 warm-up):");
    for (name, dispatch, _guard) in subjects() {
        tracing::dispatcher::with_default(&dispatch, || {
            common::in_session_and_request(|| {
                for _ in 0..1_000 {
                    common::action();
                }
                let before = ALLOCATIONS.load(Ordering::Relaxed);
                for _ in 0..EVENTS {
                    common::action();
                }
                let per_event = (ALLOCATIONS.load(Ordering::Relaxed) - before) as f64 / EVENTS as f64;
                println!("  {name:<36} {per_event:.2}");
            })
        });
    }
}

fn one_action(c: &mut Criterion) {
    let mut group = c.benchmark_group("one_action");
    for (name, dispatch, _guard) in subjects() {
        tracing::dispatcher::with_default(&dispatch, || {
            common::in_session_and_request(|| group.bench_function(name, |b| b.iter(common::action)));
        });
    }
    group.finish();
}

/// A new request span per action (its fields cleaned each time), with a user id, an address
/// and a URL with a query string: what the HTTP middleware does for every request.
fn one_request(c: &mut Criterion) {
    let request = || common::request_span().in_scope(common::action);
    let mut group = c.benchmark_group("one_request");
    for (name, config) in [
        ("tracing-activity, privacy off", privacy_off()),
        ("tracing-activity, masking on (default)", Config::default()),
        ("tracing-activity, masking + HMAC + IP", privacy_all()),
    ] {
        let (dispatch, _guard) = ours(config);
        tracing::dispatcher::with_default(&dispatch, || group.bench_function(name, |b| b.iter(request)));
    }
    tracing::dispatcher::with_default(&fmt_json(), || {
        group.bench_function("fmt().json()", |b| b.iter(request))
    });
    group.finish();
}

criterion_group!(benches, one_action, one_request);

fn main() {
    report_allocations();
    benches();
    criterion::Criterion::default().configure_from_args().final_summary();
}
