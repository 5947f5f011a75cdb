//! The live usage metrics as an operator sees them: a real Prometheus scrapes the example
//! server's `GET /metrics`, and PromQL through its HTTP API returns the counts of the
//! requests the test sent.
#![cfg(all(feature = "metrics", feature = "http", unix))]

mod common;

use std::collections::BTreeMap;
use std::net::TcpListener;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::server::{Server, header};
use serde_json::Value;

/// A Prometheus server on 127.0.0.1 scraping one target every second.
struct Prometheus {
    child: Child,
    api: String,
}

impl Prometheus {
    /// `None` when Prometheus is not installed (outside CI, which installs it).
    fn start(dir: &Path, target: &str) -> Option<Prometheus> {
        let found = Command::new("prometheus").arg("--version").output().is_ok_and(|o| o.status.success());
        if !found {
            assert!(
                std::env::var_os("CI").is_none(),
                "CI must have prometheus installed (.ci/run installs it)"
            );
            eprintln!("prometheus is not installed: skipping the scrape test");
            return None;
        }
        let config = dir.join("prometheus.yml");
        std::fs::write(
            &config,
            format!(
                "global:\n  scrape_interval: 1s\nscrape_configs:\n  - job_name: activity\n    \
                 static_configs:\n      - targets: ['{target}']\n"
            ),
        )
        .unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config.display()))
            .arg(format!("--storage.tsdb.path={}", dir.join("tsdb").display()))
            .arg(format!("--web.listen-address=127.0.0.1:{port}"))
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(dir.join("prometheus.log")).unwrap())
            .spawn()
            .unwrap();
        Some(Prometheus { child, api: format!("http://127.0.0.1:{port}/api/v1") })
    }

    /// The result of an instant PromQL query: each series' labels and value, or `None` while
    /// Prometheus is not answering yet.
    fn query(&self, promql: &str) -> Option<Vec<(BTreeMap<String, String>, f64)>> {
        let output = Command::new("curl")
            .args(["-s", "-G", "--max-time", "5", "--data-urlencode"])
            .arg(format!("query={promql}"))
            .arg(format!("{}/query", self.api))
            .output()
            .expect("curl is installed (.ci/run installs it)");
        let answer: Value = serde_json::from_slice(&output.stdout).ok()?;
        assert_eq!(answer["status"], "success", "{promql}: {answer}");
        let series = answer["data"]["result"].as_array()?.iter().map(|s| {
            let labels = s["metric"].as_object().unwrap();
            let labels = labels.iter().map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned())).collect();
            (labels, s["value"][1].as_str().unwrap().parse().unwrap())
        });
        Some(series.collect())
    }

    /// Waits until `promql` returns `want` (Prometheus scrapes every second), and fails with
    /// what it last returned after 60 s.
    fn wait_for(&self, promql: &str, want: &BTreeMap<String, f64>, label: &str) {
        let start = Instant::now();
        let mut last = None;
        while start.elapsed() < Duration::from_secs(60) {
            if let Some(series) = self.query(promql) {
                let got: BTreeMap<String, f64> = series
                    .into_iter()
                    .map(|(labels, v)| (labels.get(label).cloned().unwrap_or_default(), v))
                    .collect();
                if &got == want {
                    return;
                }
                last = Some(got);
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        panic!("{promql}: wanted {want:?}, Prometheus last returned {last:?}");
    }
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn expected(pairs: &[(&str, u32)]) -> BTreeMap<String, f64> {
    pairs.iter().map(|&(k, n)| (k.to_owned(), f64::from(n))).collect()
}

#[test]
fn prometheus_scrapes_the_example_server_and_promql_returns_the_requests_sent() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(&dir.path().join("user_activity.log"));
    let Some(prometheus) = Prometheus::start(dir.path(), &server.addr) else { return };

    // What the test sends, counted here: 3 searches by ann, 2 failures and a page by bob, one
    // unknown path, and a scrape of its own that the middleware skips.
    let sent =
        [("ann", "/search?q=a", 3), ("bob", "/fail", 2), ("bob", "/user-queries", 1), ("ann", "/nowhere", 1)];
    for (user, path, times) in sent {
        for _ in 0..times {
            server.send(&format!("GET {path} HTTP/1.1\r\nX-User-Id: {user}"), "");
        }
    }
    let (status, headers, body) = server.send("GET /metrics HTTP/1.1", "");
    assert_eq!(status, 200);
    assert!(header(&headers, "content-type").unwrap().starts_with("application/openmetrics-text"));
    assert!(body.ends_with("# EOF\n"), "OpenMetrics text ends with # EOF");

    prometheus.wait_for(
        "sum by (status) (http_requests_total{job=\"activity\"})",
        &expected(&[("200", 4), ("500", 2), ("404", 1)]),
        "status",
    );
    prometheus.wait_for(
        "sum by (feature) (http_requests_total{job=\"activity\"})",
        &expected(&[("search", 3), ("fail", 2), ("user-queries", 1), ("nowhere", 1)]),
        "feature",
    );
    // Every request is an API call; the search route also records a search action.
    prometheus.wait_for(
        "usage_events_total{job=\"activity\"}",
        &expected(&[("api_call", 7), ("search", 3)]),
        "event_type",
    );
    // The histogram counts every request, each below the highest finite bucket.
    prometheus.wait_for(
        "sum by (feature) (http_request_duration_seconds_count{job=\"activity\"})",
        &expected(&[("search", 3), ("fail", 2), ("user-queries", 1), ("nowhere", 1)]),
        "feature",
    );
    prometheus.wait_for(
        "sum(http_request_duration_seconds_bucket{job=\"activity\",le=\"10.0\"})",
        &expected(&[("", 7)]),
        "",
    );
    prometheus.wait_for("activity_lines_dropped_total{job=\"activity\"}", &expected(&[("", 0)]), "");
    assert!(server.stop().success());
}

#[test]
fn random_paths_fold_into_other_past_the_feature_limit() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start_with(&dir.path().join("user_activity.log"), &[("USAGE_MAX_FEATURES", "20")]);
    // A client probing 200 paths no route knows, each its own would-be feature.
    let mut seed = 0x9e37_79b9_u32;
    for _ in 0..200 {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        server.send(&format!("GET /probe{seed:08x}/x HTTP/1.1"), "");
    }
    let (status, _, body) = server.send("GET /metrics HTTP/1.1", "");
    assert_eq!(status, 200);
    let mut features = BTreeMap::new();
    for line in body.lines().filter(|l| l.starts_with("http_requests_total{")) {
        let feature = line.split("feature=\"").nth(1).unwrap().split('"').next().unwrap().to_owned();
        let count: u64 = line.rsplit(' ').next().unwrap().parse().unwrap();
        *features.entry(feature).or_insert(0) += count;
    }
    assert!(features.len() <= 21, "{} feature labels: {features:?}", features.len());
    assert!(features.contains_key("other"), "{features:?}");
    assert_eq!(features.values().sum::<u64>(), 200);
    let histograms = body.lines().filter(|l| l.starts_with("http_request_duration_seconds_count{")).count();
    assert!(histograms <= 21, "{histograms} latency histograms");
    assert!(server.stop().success());
}
