//! Lines per second through the file sink, and the latency one call costs the logging thread.
//!
//! ```text
//! cargo bench --bench file
//! ```
//!
//! Ours: `ActivityLayer` with the console off and the size-rotated JSON file (10 MiB, 5 backups)
//! behind its queue (`LOG_QUEUE_OVERFLOW=block`, so every line is written); with the feature
//! `gzip` (`cargo bench --bench file --features gzip`), also with `LOG_COMPRESS=gzip`. The anchor:
//! tracing-appender's `rolling::never` behind `non_blocking` (lossless mode, so it too writes
//! every line) with `fmt().json()`. Both log the same action inside the same two spans, to a
//! tmpfs file (`/dev/shm`) and to a file on the work disk (`target/`). A measurement runs from the
//! first line until the guard has flushed the last one, so it is sustained throughput.
//!
//! Before the timings it prints per-call latency percentiles seen by the logging thread.

mod common;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{BenchmarkId, Criterion, SamplingMode, Throughput, criterion_group};
use tracing::Dispatch;
use tracing_activity::{ActivityLayer, Config, OverflowPolicy};
use tracing_subscriber::prelude::*;

/// Something that keeps a file sink alive and flushes it when finished.
trait Flush {
    fn finish(self: Box<Self>, expected: u64);
}

impl Flush for tracing_activity::ActivityGuard {
    fn finish(self: Box<Self>, expected: u64) {
        let stats = self.close();
        assert_eq!((stats.file_lines, stats.file_dropped, stats.file_write_errors), (expected, 0, 0));
    }
}

impl Flush for tracing_appender::non_blocking::WorkerGuard {
    fn finish(self: Box<Self>, _expected: u64) {
        drop(self); // flushes every queued line (lossless mode)
    }
}

type Subject = fn(&Path) -> (Dispatch, Box<dyn Flush>);

fn ours(dir: &Path) -> (Dispatch, Box<dyn Flush>) {
    ours_with(dir, |config| config)
}

/// Ours with `LOG_COMPRESS=gzip`: each backup is compressed by a thread of its own.
#[cfg(feature = "gzip")]
fn ours_gzip(dir: &Path) -> (Dispatch, Box<dyn Flush>) {
    ours_with(dir, |config| config.log_compress(tracing_activity::config::LogCompression::Gzip))
}

fn ours_with(dir: &Path, change: impl FnOnce(Config) -> Config) -> (Dispatch, Box<dyn Flush>) {
    let config = Config::default()
        .enable_console_logging(false)
        .user_activity_log_path(dir.join("user_activity.log"))
        .log_queue_overflow(OverflowPolicy::Block)
        .log_flush_timeout(Duration::from_secs(60));
    let config = change(config);
    let tracing_activity::Activity { layer, guard, .. } =
        ActivityLayer::builder().config(config).build().expect("builds");
    (Dispatch::new(tracing_subscriber::registry().with(layer)), Box::new(guard))
}

fn appender(dir: &Path) -> (Dispatch, Box<dyn Flush>) {
    let file = tracing_appender::rolling::never(dir, "user_activity.log");
    let (writer, guard) =
        tracing_appender::non_blocking::NonBlockingBuilder::default().lossy(false).finish(file);
    let layer = tracing_subscriber::fmt::layer().json().with_writer(writer);
    (Dispatch::new(tracing_subscriber::registry().with(layer)), Box::new(guard))
}

const SUBJECTS: &[(&str, Subject)] = &[
    ("tracing-activity", ours),
    #[cfg(feature = "gzip")]
    ("tracing-activity, gzip backups", ours_gzip),
    ("tracing-appender non_blocking + fmt().json()", appender),
];

/// Logs `n` actions inside a session span and a request span.
fn emit(dispatch: &Dispatch, n: u64, mut each: impl FnMut(Duration)) {
    tracing::dispatcher::with_default(dispatch, || {
        common::in_session_and_request(|| {
            for _ in 0..n {
                let start = Instant::now();
                common::action();
                each(start.elapsed());
            }
        });
    });
}

/// The places the file goes: tmpfs and the work disk.
fn targets() -> Vec<(&'static str, PathBuf)> {
    let mut targets = Vec::new();
    if Path::new("/dev/shm").is_dir() {
        targets.push(("tmpfs", PathBuf::from("/dev/shm")));
    }
    let disk = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/bench-files");
    std::fs::create_dir_all(&disk).expect("target/bench-files");
    targets.push(("disk", disk));
    targets
}

fn report_latency() {
    const CALLS: u64 = 200_000;
    println!("per-call latency on the logging thread, {CALLS} calls, file on tmpfs or disk:");
    println!("  {:<48} {:>6} {:>8} {:>8} {:>8} {:>9}", "subject", "file", "p50", "p99", "p99.9", "max");
    for (target, base) in targets() {
        for &(name, subject) in SUBJECTS {
            let dir = tempfile::tempdir_in(&base).expect("temp dir");
            let (dispatch, guard) = subject(dir.path());
            let mut samples = Vec::with_capacity(CALLS as usize);
            emit(&dispatch, CALLS, |d| samples.push(d));
            guard.finish(CALLS);
            samples.sort_unstable();
            let at = |q: f64| samples[((samples.len() - 1) as f64 * q) as usize];
            println!(
                "  {name:<48} {target:>6} {:>8.2?} {:>8.2?} {:>8.2?} {:>9.2?}",
                at(0.50),
                at(0.99),
                at(0.999),
                samples[samples.len() - 1]
            );
        }
    }
}

fn throughput(c: &mut Criterion) {
    let mut group = c.benchmark_group("file_lines_per_second");
    group.sampling_mode(SamplingMode::Flat).sample_size(10).measurement_time(Duration::from_secs(8));
    group.throughput(Throughput::Elements(1));
    for (target, base) in targets() {
        for threads in [1u64, 2] {
            for &(name, subject) in SUBJECTS {
                let id = BenchmarkId::new(format!("{name} / {target}"), format!("{threads} thread(s)"));
                group.bench_function(id, |b| {
                    b.iter_custom(|iters| {
                        let dir = tempfile::tempdir_in(&base).expect("temp dir");
                        let (dispatch, guard) = subject(dir.path());
                        let per_thread = iters.div_ceil(threads);
                        let start = Instant::now();
                        std::thread::scope(|s| {
                            for _ in 0..threads {
                                s.spawn(|| emit(&dispatch, per_thread, |_| {}));
                            }
                        });
                        guard.finish(per_thread * threads);
                        // Per line, as criterion counts one element per iteration.
                        start.elapsed().mul_f64(iters as f64 / (per_thread * threads) as f64)
                    })
                });
            }
        }
    }
    group.finish();
}

criterion_group!(benches, throughput);

fn main() {
    report_latency();
    benches();
    criterion::Criterion::default().configure_from_args().final_summary();
}
