//! The reports over about 1 GB of activity logs (1.2 million lines, 2,000 users, 30 days),
//! against DuckDB's `read_ndjson` and jq on the same file, in the same run.
//!
//! ```text
//! pip install duckdb                                  # the anchor (skipped when missing)
//! cargo bench --features report --bench report
//! REPORT_BENCH_JQ=1 cargo bench --features report --bench report     # jq on 100 MB too
//! REPORT_BENCH_JQ=full cargo bench --features report --bench report  # and on 1 GB (minutes)
//! ```
//!
//! The logs are written once by the crate itself (the HTTP middleware and the layer, the
//! handlers' own actions inside the requests) into `target/report-bench/`, and kept for later
//! runs. Criterion times our library calls; `benches/report_duckdb.py` times DuckDB in its own
//! process (median of five, after one warm-up); jq is timed once per command. The split of our
//! time: reading the files alone, reading and parsing every line (a scan that makes no
//! report), and each report. Peak memory is read from `/proc/self/status` (`VmHWM`) of a child
//! process that makes one report.

use std::convert::Infallible;
use std::fs;
use std::future::Future;
use std::io::{BufRead, BufReader, BufWriter, Read, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::pin::pin;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use chrono::{DateTime, TimeDelta, TimeZone, Utc};
use criterion::Criterion;
use http::{Request, Response, StatusCode};
use tower_layer::Layer;
use tower_service::Service;
use tracing_activity::http::HttpActivityLayer;
use tracing_activity::report::{LogFiles, Scan, Window};
use tracing_activity::{
    ActionType, Builder, Config, OverflowPolicy, log_error, log_search, log_upload, user_action,
};
use tracing_subscriber::prelude::*;

/// The generated logs' size, lines, users and days.
const TARGET_BYTES: u64 = 1_000_000_000;
const USERS: u64 = 2_000;
const DAYS: i64 = 30;
/// About how many requests make `TARGET_BYTES` (some add a handler's action).
const REQUESTS: i64 = 1_000_000;

/// The first line's time.
fn origin() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 1, 0, 0, 0).unwrap()
}

/// The window every timed report covers: the whole 30 days.
fn window() -> Window {
    Window::new(origin(), origin() + TimeDelta::days(DAYS + 1))
}

/// A small, fixed pseudo-random sequence (xorshift64*), so every run writes the same logs.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// The application under the middleware: a product with a dozen features, whose handlers log
/// their own actions (searches, uploads, validation errors, failures).
#[derive(Clone)]
struct App;

impl<B> Service<Request<B>> for App {
    type Response = Response<String>;
    type Error = Infallible;
    type Future = std::future::Ready<Result<Response<String>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<B>) -> Self::Future {
        let path = request.uri().path();
        let status = if path.starts_with("/api/search") {
            let query = request.uri().query().unwrap_or_default().trim_start_matches("q=");
            log_search!(query, results_count = query.len() as u64 * 7);
            StatusCode::OK
        } else if path == "/api/user-queries" && request.method() == http::Method::POST {
            if request.headers().contains_key("x-empty") {
                log_error!("ValidationError", "Query cannot be empty", field = "query");
                StatusCode::UNPROCESSABLE_ENTITY
            } else {
                StatusCode::CREATED
            }
        } else if path == "/api/documents/upload" {
            if request.headers().contains_key("x-large") {
                log_error!("PayloadTooLarge", "File too large", limit_bytes = 10_485_760u64);
                StatusCode::PAYLOAD_TOO_LARGE
            } else {
                log_upload!("report.pdf", size_bytes = 48_213u64);
                StatusCode::OK
            }
        } else if path.starts_with("/api/billing") {
            log_error!("UpstreamError", "payment provider timed out", provider = "acme-pay");
            StatusCode::BAD_GATEWAY
        } else if path.starts_with("/api/admin") {
            StatusCode::FORBIDDEN
        } else if path.starts_with("/api/old") {
            StatusCode::NOT_FOUND
        } else {
            if path.starts_with("/api/reports") {
                user_action!(
                    ActionType::Performance,
                    "report rendering",
                    duration_ms = 180.5,
                    rows = 1_200u64
                );
            }
            StatusCode::OK
        };
        let mut response = Response::new(String::new());
        *response.status_mut() = status;
        std::future::ready(Ok(response))
    }
}

const AGENTS: [&str; 5] = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "okhttp/4.12.0",
];

const WORDS: [&str; 8] =
    ["rust", "tracing", "invoice", "quarterly+report", "python+tutorials", "pricing", "api+keys", "export"];

/// One request of the workload: method, path and query, whether it posts JSON, extra headers.
fn pick_request(dice: &mut Dice, n: u64) -> (http::Method, String, bool, Option<&'static str>) {
    use http::Method;
    match dice.below(100) {
        0..=19 => (Method::GET, "/dashboard".into(), false, None),
        20..=34 => (Method::GET, format!("/api/users/{}/orders?page={}", n % 5_000, n % 7), false, None),
        35..=46 => (Method::GET, format!("/api/search?q={}", WORDS[(n % 8) as usize]), false, None),
        47..=54 => {
            (Method::POST, "/api/user-queries".into(), true, (dice.below(10) == 0).then_some("x-empty"))
        }
        55..=61 => (Method::GET, format!("/api/reports/{}/export", n % 300), false, None),
        62..=67 => {
            (Method::POST, "/api/documents/upload".into(), false, (dice.below(12) == 0).then_some("x-large"))
        }
        68..=75 => (Method::GET, "/api/threads".into(), false, None),
        76..=81 => (Method::GET, format!("/api/projects/{}/settings", n % 900), false, None),
        82..=86 => (Method::GET, "/api/notifications".into(), false, None),
        87..=89 => (Method::POST, "/api/billing/charge".into(), true, None),
        90..=92 => (Method::GET, "/api/admin/audit".into(), false, None),
        93..=95 => (Method::GET, "/api/old/export".into(), false, None),
        _ => (Method::GET, "/api/chat/messages".into(), false, None),
    }
}

/// Writes about `TARGET_BYTES` of logs to `path` with the crate's own middleware and layer.
fn generate(path: &Path) {
    let _ = fs::remove_file(path);
    let now = Arc::new(AtomicI64::new(origin().timestamp_micros()));
    let clock = Arc::clone(&now);
    let config = Config::default()
        .enable_console_logging(false)
        .user_activity_log_path(path)
        .log_file_max_size(4 * TARGET_BYTES)
        .log_queue_overflow(OverflowPolicy::Block);
    let tracing_activity::Activity { layer, guard, .. } = Builder::new()
        .config(config.clone())
        .clock(move || Utc.timestamp_micros(clock.load(Ordering::Relaxed)).single().unwrap_or_default())
        .build()
        .expect("the bench's log file opens");
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    let mut service = HttpActivityLayer::new(&config)
        .strip_prefix("/api")
        .user_id_header(http::HeaderName::from_static("x-user-id"))
        .layer(App);
    let mut dice = Dice(0x9e37_79b9_7f4a_7c15);
    // About 1.2 million lines over 30 days: a request every 2.6 s on average.
    let step = (DAYS * 86_400 * 1_000_000 / REQUESTS) as u64;
    let mut sessions: Vec<u64> = (0..USERS).collect();
    let started = Instant::now();
    tracing::dispatcher::with_default(&dispatch, || {
        let mut n = 0u64;
        loop {
            if n % 10_000 == 0 && fs::metadata(path).map_or(0, |m| m.len()) >= TARGET_BYTES {
                break;
            }
            now.fetch_add(dice.below(2 * step) as i64, Ordering::Relaxed);
            let user = dice.below(USERS);
            if dice.below(40) == 0 {
                sessions[user as usize] += USERS;
            }
            let (method, uri, json, extra) = pick_request(&mut dice, n);
            let mut builder = Request::builder()
                .method(method)
                .uri(&uri)
                .header("user-agent", AGENTS[(user % 5) as usize])
                .header(
                    "cookie",
                    format!(
                        "session_id=s-{:08x}-{:04}",
                        sessions[user as usize] * 2_654_435_761 % (1 << 32),
                        user
                    ),
                );
            if dice.below(10) != 0 {
                builder = builder.header("x-user-id", format!("user{user:04}"));
            }
            if json {
                builder = builder.header("content-type", "application/json");
            } else if uri == "/dashboard" {
                builder = builder.header("accept", "text/html");
            }
            if let Some(header) = extra {
                builder = builder.header(header, "1");
            }
            let mut request = builder.body(String::new()).expect("a valid request");
            let peer = SocketAddr::from(([10, (user / 250) as u8, (user % 250) as u8, 7], 40_000));
            request.extensions_mut().insert(peer);
            let future = pin!(service.call(request));
            let _ = future.poll(&mut Context::from_waker(Waker::noop()));
            n += 1;
        }
    });
    let stats = guard.close();
    assert_eq!(stats.file_dropped + stats.file_write_errors, 0, "the bench's logs lost lines");
    eprintln!(
        "report bench: wrote {} lines to {} in {:.1?}",
        stats.file_lines,
        path.display(),
        started.elapsed()
    );
}

/// The first `bytes` of `from` (cut after a whole line) in `to`, made once.
fn prefix(from: &Path, to: &Path, bytes: u64) {
    if fs::metadata(to).is_ok_and(|m| m.len() > bytes / 2) {
        return;
    }
    let mut input = BufReader::new(fs::File::open(from).expect("the generated log"));
    let mut output = BufWriter::new(fs::File::create(to).expect("a prefix file"));
    let mut written = 0;
    let mut line = Vec::new();
    while written < bytes {
        line.clear();
        if input.read_until(b'\n', &mut line).expect("reading the generated log") == 0 {
            break;
        }
        output.write_all(&line).expect("writing a prefix");
        written += line.len() as u64;
    }
    output.flush().expect("writing a prefix");
}

fn logs_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("target/report-bench")
}

fn size_name(bytes: u64) -> String {
    format!("{} MB", bytes / 1_000_000)
}

/// The values the reports read, as `serde_json` would deserialize them (borrowed where it can):
/// the alternative to the report's own line reader, timed beside it.
#[derive(serde::Deserialize)]
#[allow(dead_code)] // read only to be deserialized
struct SerdeLine<'a> {
    #[serde(borrow)]
    timestamp: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    event: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    action: Option<SerdeAction<'a>>,
    #[serde(borrow)]
    session: Option<SerdeSession<'a>>,
    #[serde(borrow)]
    context: Option<SerdeContext<'a>>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct SerdeAction<'a> {
    #[serde(borrow)]
    action_type: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    description: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    result: Option<std::borrow::Cow<'a, str>>,
    duration_ms: Option<f64>,
    #[serde(borrow)]
    slow: Option<std::borrow::Cow<'a, str>>,
    data: Option<SerdeData<'a>>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct SerdeData<'a> {
    status_code: Option<u64>,
    #[serde(borrow)]
    feature: Option<std::borrow::Cow<'a, str>>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct SerdeSession<'a> {
    #[serde(borrow)]
    session_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    user_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    ip_address: Option<std::borrow::Cow<'a, str>>,
}

#[derive(serde::Deserialize)]
#[allow(dead_code)]
struct SerdeContext<'a> {
    #[serde(borrow)]
    request_id: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    url: Option<std::borrow::Cow<'a, str>>,
    #[serde(borrow)]
    feature: Option<std::borrow::Cow<'a, str>>,
}

/// Every line of `bytes` deserialized with `serde_json`; returns how many were JSON.
fn serde_json_lines(bytes: &[u8]) -> usize {
    bytes.split(|&b| b == b'\n').filter(|line| serde_json::from_slice::<SerdeLine<'_>>(line).is_ok()).count()
}

/// Reading the file in 4 MiB blocks, nothing else: the floor of any scan.
fn read_only(path: &Path) -> u64 {
    let mut file = fs::File::open(path).expect("the log");
    let mut buffer = vec![0; 4 << 20];
    let mut total = 0;
    loop {
        match file.read(&mut buffer) {
            Ok(0) => return total,
            Ok(n) => total += n as u64,
            Err(e) => panic!("reading {}: {e}", path.display()),
        }
    }
}

/// In a child process: makes one report and prints the peak resident memory.
fn peak_child(kind: &str, path: &Path) {
    let logs = LogFiles::from_paths([path]);
    let scan = match kind {
        "summary" => Scan::new(window()).summary(),
        _ => Scan::new(window()).usage(),
    };
    let reports = scan.run(&logs).expect("the report");
    std::hint::black_box(reports);
    let status = fs::read_to_string("/proc/self/status").unwrap_or_default();
    let peak = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap_or("VmHWM: unknown");
    println!("{peak}");
}

fn peak_memory(kind: &str, path: &Path) -> String {
    let exe = std::env::current_exe().expect("the bench binary");
    let output = Command::new(exe)
        .env("REPORT_BENCH_PEAK", kind)
        .env("REPORT_BENCH_PEAK_FILE", path)
        .output()
        .expect("the peak-memory child runs");
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .find(|l| l.starts_with("VmHWM:"))
        .map_or_else(|| "unknown".into(), |l| l[6..].trim().to_owned())
}

/// DuckDB's times (seconds) for the summary and usage queries on `path`, or `None` without it.
fn duckdb(path: &Path) -> Option<(f64, f64, f64)> {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches/report_duckdb.py");
    let window = window();
    let output = Command::new("python3")
        .arg(script)
        .arg(path)
        .arg(window.start().to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .arg(window.end().to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .output()
        .ok()?;
    if !output.status.success() {
        eprintln!("report bench: DuckDB skipped: {}", String::from_utf8_lossy(&output.stderr).trim());
        return None;
    }
    let text = String::from_utf8_lossy(&output.stdout);
    let mut times = text.split_whitespace().filter_map(|t| t.parse().ok());
    Some((times.next()?, times.next()?, times.next()?))
}

/// jq's time (seconds) for one of the README's recipes on `path`.
fn jq(program: &Path, path: &Path) -> Option<f64> {
    let window = window();
    let started = Instant::now();
    let status = Command::new("jq")
        .args(["-nR", "--arg", "from"])
        .arg(window.start().to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .args(["--arg", "to"])
        .arg(window.end().to_rfc3339_opts(chrono::SecondsFormat::Micros, true))
        .arg("-f")
        .arg(program)
        .arg(path)
        .stdout(std::process::Stdio::null())
        .status()
        .ok()?;
    status.success().then(|| started.elapsed().as_secs_f64())
}

fn median_seconds(f: impl Fn()) -> f64 {
    let mut times: Vec<f64> = (0..5)
        .map(|_| {
            let started = Instant::now();
            f();
            started.elapsed().as_secs_f64()
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[2]
}

fn main() {
    if let (Ok(kind), Some(file)) =
        (std::env::var("REPORT_BENCH_PEAK"), std::env::var_os("REPORT_BENCH_PEAK_FILE"))
    {
        peak_child(&kind, Path::new(&file));
        return;
    }
    let dir = logs_dir();
    fs::create_dir_all(&dir).expect("target/report-bench");
    let full = dir.join("activity-1gb.log");
    if fs::metadata(&full).map_or(true, |m| m.len() < TARGET_BYTES) {
        generate(&full);
    }
    let sizes = [100_000_000u64, 300_000_000, 1_000_000_000];
    let files: Vec<(u64, PathBuf)> = sizes
        .iter()
        .map(|&bytes| {
            if bytes >= TARGET_BYTES {
                return (fs::metadata(&full).map_or(bytes, |m| m.len()), full.clone());
            }
            let path = dir.join(format!("activity-{}mb.log", bytes / 1_000_000));
            prefix(&full, &path, bytes);
            (fs::metadata(&path).map_or(bytes, |m| m.len()), path)
        })
        .collect();

    let mut criterion = Criterion::default()
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(8))
        .configure_from_args();
    for (bytes, path) in &files {
        let logs = LogFiles::from_paths([path]);
        let mut group = criterion.benchmark_group(format!("report {}", size_name(*bytes)));
        group.throughput(criterion::Throughput::Bytes(*bytes));
        group.bench_function("read only", |b| b.iter(|| read_only(path)));
        group.bench_function("parse only", |b| b.iter(|| Scan::new(window()).run(&logs).unwrap()));
        group.bench_function("summary", |b| b.iter(|| Scan::new(window()).summary().run(&logs).unwrap()));
        group.bench_function("usage", |b| b.iter(|| Scan::new(window()).usage().run(&logs).unwrap()));
        if *bytes < 150_000_000 {
            // Our line reader against serde_json on one thread, the file already in memory.
            let text = fs::read(path).expect("the log");
            group.bench_function("parse only, one thread", |b| {
                b.iter(|| Scan::new(window()).threads(1).run(&logs).unwrap())
            });
            group.bench_function("serde_json parse, one thread", |b| b.iter(|| serde_json_lines(&text)));
        }
        if *bytes >= TARGET_BYTES {
            group.bench_function("summary, one thread", |b| {
                b.iter(|| Scan::new(window()).summary().threads(1).run(&logs).unwrap())
            });
        }
        group.finish();
    }

    // The anchors, and our medians again outside criterion for a like-for-like table.
    println!(
        "\n| file | lines | ours: summary | ours: usage | DuckDB: load + summary | DuckDB: usage | summary ratio | usage ratio |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut ours = Vec::new();
    for (bytes, path) in &files {
        let logs = LogFiles::from_paths([path]);
        let lines = Scan::new(window()).run(&logs).unwrap().lines.read;
        let summary = median_seconds(|| drop(Scan::new(window()).summary().run(&logs).unwrap()));
        let usage = median_seconds(|| drop(Scan::new(window()).usage().run(&logs).unwrap()));
        let (duck_summary, duck_usage, _) = duckdb(path).unwrap_or((f64::NAN, f64::NAN, f64::NAN));
        println!(
            "| {} | {lines} | {summary:.3} s | {usage:.3} s | {duck_summary:.3} s | {duck_usage:.3} s | {:.2}× | {:.2}× |",
            size_name(*bytes),
            summary / duck_summary,
            usage / duck_usage
        );
        ours.push((summary, usage));
    }
    let (_, full_path) = files.last().expect("sizes");
    println!(
        "\npeak memory on {}: summary {}, usage {}",
        size_name(files.last().map_or(0, |f| f.0)),
        peak_memory("summary", full_path),
        peak_memory("usage", full_path)
    );

    let jq_mode = std::env::var("REPORT_BENCH_JQ").unwrap_or_default();
    if !jq_mode.is_empty() {
        let benches = Path::new(env!("CARGO_MANIFEST_DIR")).join("benches");
        for ((bytes, path), (our_summary, our_usage)) in files.iter().zip(ours) {
            if *bytes >= TARGET_BYTES && jq_mode != "full" || *bytes > 150_000_000 && *bytes < TARGET_BYTES {
                continue;
            }
            let summary = jq(&benches.join("report_summary.jq"), path);
            let usage = jq(&benches.join("report_usage.jq"), path);
            let seconds = |t: Option<f64>, ours: f64| {
                t.map_or("failed".into(), |t| format!("{t:.1} s (ratio {:.4}×)", ours / t))
            };
            println!(
                "jq on {}: summary {}, usage {}",
                size_name(*bytes),
                seconds(summary, our_summary),
                seconds(usage, our_usage)
            );
        }
    }
}
