//! One action inside a session span and a request span, rendered into `io::sink`:
//! ours (console line + JSON line), against `tracing_subscriber::fmt` full and `fmt().json()`.
//!
//! ```text
//! cargo bench --bench layer
//! ```
//!
//! Before the timings it prints how many heap allocations one event makes in steady state.

use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::io;
use std::sync::atomic::{AtomicU64, Ordering};

use criterion::{Criterion, criterion_group};
use tracing::Dispatch;
use tracing_activity::{ActionType, ActivityGuard, ActivityLayer, Config, user_action};
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
    let (layer, guard) = ActivityLayer::builder()
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

/// Runs `f` inside the session and request spans of a typical request.
fn in_request<R>(f: impl FnOnce() -> R) -> R {
    let session = tracing::info_span!(
        "session",
        session_id = "0b7e6a2c-5f1d-4e8a-9c3b-2d4f6a8e1c90",
        user_id = "user123",
        ip_address = "192.168.1.100",
        user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
        current_page = "/user-queries",
    );
    let request = tracing::info_span!(
        parent: &session,
        "request",
        request_id = "req-789-012",
        method = "GET",
        url = "http://localhost:8000/user-queries",
    );
    request.in_scope(f)
}

#[inline(always)]
fn action() {
    user_action!(
        ActionType::ApiCall,
        black_box("GET /user-queries"),
        result = "HTTP 200 SUCCESS",
        success = true,
        duration_ms = black_box(45.32),
        status_code = 200,
    );
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
            in_request(|| {
                for _ in 0..1_000 {
                    action();
                }
                let before = ALLOCATIONS.load(Ordering::Relaxed);
                for _ in 0..EVENTS {
                    action();
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
            in_request(|| group.bench_function(name, |b| b.iter(action)));
        });
    }
    group.finish();
}

/// A new request span per action (its fields cleaned each time), with a user id, an address
/// and a URL with a query string: what the HTTP middleware does for every request.
fn one_request(c: &mut Criterion) {
    let request = || {
        let span = tracing::info_span!(
            "request",
            session_id = "0b7e6a2c-5f1d-4e8a-9c3b-2d4f6a8e1c90",
            user_id = black_box("user123"),
            ip_address = "192.168.1.100",
            user_agent = "Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0",
            request_id = "req-789-012",
            method = "GET",
            url = "http://localhost:8000/user-queries?page=2&sort=recent",
        );
        span.in_scope(action);
    };
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
