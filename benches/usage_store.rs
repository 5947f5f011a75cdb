//! The usage store's summaries of a busy month: 10 million actions of 2,000 users over 50
//! features in 30 days, counted through the layer and flushed to SQLite once per simulated
//! hour, then the 30-day `summary`, `usage` and `counts` read back.
//!
//! ```text
//! cargo bench --features metrics --bench usage_store            # builds the store once, then times
//! ACTIONS=1000000 cargo bench --features metrics --bench usage_store
//! ```
//!
//! The traffic: each user has 8 features of their own (of 50) and comes back every day in one
//! or two sessions; 9 of 10 actions are requests (GET, POST), 2 % of them fail, durations are
//! spread from 1 ms to 2 s; the rest are clicks. The store is kept in
//! `target/usage-bench/` and made again when the action count changes.

use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Instant;

use chrono::{DateTime, Duration, TimeZone, Utc};
use tracing_activity::report::{Interval, Window};
use tracing_activity::usage::UsageStore;
use tracing_activity::{ActionType, Builder, Config, user_action};
use tracing_subscriber::prelude::*;

const USERS: u64 = 2_000;
const FEATURES: u64 = 50;
const DAYS: i64 = 30;

/// A small fixed pseudo-random sequence, so each run makes the same store.
struct Dice(u64);

impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % n
    }
}

fn start() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

fn build(path: &PathBuf, actions: u64) {
    let _ = std::fs::remove_file(path);
    let clock = Arc::new(AtomicI64::new(start().timestamp_micros()));
    let now = Arc::clone(&clock);
    let activity = Builder::new()
        .config(
            Config::default()
                .enable_console_logging(false)
                .enable_file_logging(false)
                .usage_db_path(path)
                .usage_flush_interval(std::time::Duration::from_secs(86_400))
                .usage_retention_days(60)
                .usage_base_retention_days(60),
        )
        .clock(move || Utc.timestamp_micros(now.load(Ordering::Relaxed)).unwrap())
        .build()
        .expect("the store opens");
    let usage = activity.usage.clone().expect("usage metrics are on");
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(activity.layer));
    let features: Vec<String> = (0..FEATURES).map(|f| format!("feature_{f:02}")).collect();
    let users: Vec<String> = (0..USERS).map(|u| format!("user-{u:04}")).collect();
    let mut dice = Dice(0x2545_f491_4f6c_dd1d);
    let hours = DAYS as u64 * 24;
    let per_hour = actions / hours;
    let began = Instant::now();
    tracing::dispatcher::with_default(&dispatch, || {
        for hour in 0..hours {
            for i in 0..per_hour {
                let at = start()
                    + Duration::hours(hour as i64)
                    + Duration::microseconds((i * 3_600_000_000 / per_hour) as i64);
                clock.store(at.timestamp_micros(), Ordering::Relaxed);
                let u = dice.below(USERS);
                let day = hour / 24;
                let session = format!("s-{u}-{day}-{}", dice.below(2));
                let feature = &features[((u * 7 + dice.below(8) * 13) % FEATURES) as usize];
                let ip = format!("10.{}.{}.{}", u % 7, u % 200, u % 250);
                let span = tracing::info_span!(
                    "request",
                    session_id = session.as_str(),
                    user_id = users[u as usize].as_str(),
                    ip_address = ip.as_str(),
                    method = "GET",
                    url = "/api/x",
                    feature = feature.as_str(),
                );
                let _entered = span.enter();
                if dice.below(10) == 0 {
                    tracing_activity::log_click!("save");
                    continue;
                }
                let status: u64 =
                    if dice.below(50) == 0 { [404, 500, 422][dice.below(3) as usize] } else { 200 };
                let ms = (1 + dice.below(40)) as f64 * (1 + dice.below(50)) as f64;
                user_action!(
                    ActionType::ApiCall,
                    "GET /api/x",
                    result = "HTTP",
                    success = status < 400,
                    status_code = status,
                    duration_ms = ms,
                );
            }
            usage.flush().expect("the store takes the hour's counts");
        }
    });
    drop(activity.guard);
    eprintln!("made the store: {} actions in {:.1} s", per_hour * hours, began.elapsed().as_secs_f64());
}

/// The median of `runs` timings of `f`, in milliseconds.
fn time(runs: usize, mut f: impl FnMut()) -> f64 {
    let mut ms: Vec<f64> = (0..runs)
        .map(|_| {
            let began = Instant::now();
            f();
            began.elapsed().as_secs_f64() * 1000.0
        })
        .collect();
    ms.sort_by(f64::total_cmp);
    ms[runs / 2]
}

fn main() {
    if std::env::args().any(|a| a == "--list") {
        return;
    }
    let actions: u64 = std::env::var("ACTIONS").ok().and_then(|a| a.parse().ok()).unwrap_or(10_000_000);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/usage-bench");
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(format!("usage-{actions}.db"));
    if !path.exists() {
        build(&path, actions);
    }
    let store = UsageStore::open(&path).unwrap();
    let window = Window::days(DAYS as u32).until(start() + Duration::days(DAYS));
    let summary = store.summary(window).unwrap();
    eprintln!(
        "{} active users, {} requests, {} errors, {} features",
        summary.active_users,
        summary.total_requests,
        summary.total_errors,
        summary.top_features.len()
    );
    let bytes: u64 = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().starts_with(&format!("usage-{actions}.db")))
        .filter_map(|e| e.metadata().ok())
        .map(|m| m.len())
        .sum();
    println!("store of {actions} actions in {DAYS} days: {:.1} MiB", bytes as f64 / (1 << 20) as f64);
    println!("summary, 30 days: {:.1} ms (median of 5)", time(5, || drop(store.summary(window).unwrap())));
    println!("usage, 30 days:   {:.1} ms", time(5, || drop(store.usage(window).unwrap())));
    println!("counts per day:   {:.1} ms", time(5, || drop(store.counts(window, Interval::Day).unwrap())));
}
