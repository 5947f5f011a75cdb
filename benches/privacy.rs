//! The cost of privacy, in instructions: a workload to run under callgrind, whose counts do not
//! move with the load of a shared machine the way timings do.
//!
//! ```text
//! bash benches/instructions.sh   # builds this bench, runs `privacy <mode> <shape> <n>` under
//!                                # callgrind, prints instructions per action as a table
//! ```
//!
//! Modes: `off` (MASK_SENSITIVE_DATA=false), `masking` (the default), `all` (masking, user ids
//! pseudonymized, IPs anonymized), `counting` (masking, and every action counted for the usage
//! metrics: build with `--features metrics`). Shapes: `action` (one span for all actions, as inside one
//! request) and `request` (a new span per action, its fields cleaned each time, as the HTTP
//! middleware does). Run plainly (`cargo bench --bench privacy`) it prints the time per action
//! of each combination instead.

mod common;

use std::time::Instant;

use tracing_activity::{ActivityLayer, Config, Secret};
use tracing_subscriber::prelude::*;

fn config(mode: &str) -> Config {
    // Usage counting only in its own mode (it needs the `metrics` feature), without a store.
    let base = Config::default().enable_usage_metrics(mode == "counting").no_usage_store();
    match mode {
        "off" => base.mask_sensitive_data(false),
        "all" => base.user_id_hmac_secret(Secret::new("bench secret")).anonymize_ip(true),
        _ => base,
    }
}

/// Logs `n` actions in `shape`; returns the seconds it took.
fn run(mode: &str, shape: &str, n: u64) -> f64 {
    let tracing_activity::Activity { layer, guard, .. } = ActivityLayer::builder()
        .config(config(mode))
        .console_writer(std::io::sink)
        .file_writer(std::io::sink)
        .build()
        .expect("builds");
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
    let start = Instant::now();
    tracing::dispatcher::with_default(&dispatch, || {
        if shape == "request" {
            (0..n).for_each(|_| common::request_span().in_scope(common::action));
        } else {
            common::request_span().in_scope(|| (0..n).for_each(|_| common::action()));
        }
    });
    let seconds = start.elapsed().as_secs_f64();
    drop(guard);
    seconds
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with("--")).collect();
    if let [mode, shape, n] = args.as_slice() {
        run(mode, shape, n.parse().expect("a count"));
        return;
    }
    const N: u64 = 200_000;
    println!(
        "time per action ({N} actions; timings move with machine load, see the doc comment for instructions):"
    );
    for shape in ["action", "request"] {
        let modes: &[&str] = if cfg!(feature = "metrics") {
            &["off", "masking", "all", "counting"]
        } else {
            &["off", "masking", "all"]
        };
        for &mode in modes {
            run(mode, shape, N / 10); // warm up
            let ns = run(mode, shape, N) * 1e9 / N as f64;
            println!("  {shape:<8} {mode:<8} {ns:>8.0} ns");
        }
    }
}
