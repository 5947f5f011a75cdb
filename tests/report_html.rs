//! The HTML report in a real headless Chromium: self-contained, its charts drawn, hostile
//! texts shown as text, no console errors.
#![cfg(all(feature = "http", feature = "report"))]

mod common;

use std::path::Path;
use std::process::Command;

use common::logs::{LogWriter, day};
use tracing_activity::report::{Interval, LogFiles, Scan, Window};

const HOSTILE_USER: &str = "<script>document.title='pwned'</script><img src=x onerror=alert(1)>";

fn chromium() -> Option<&'static str> {
    ["chromium", "chromium-browser", "google-chrome"]
        .into_iter()
        .find(|name| Command::new(name).arg("--version").output().is_ok_and(|o| o.status.success()))
}

/// Headless Chromium as the CI machine runs it: no sandbox (root), no network of its own.
fn headless(browser: &str, profile: &Path) -> Command {
    let mut command = Command::new(browser);
    command.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--hide-scrollbars",
        "--enable-logging=stderr",
        "--v=0",
    ]);
    command.arg(format!("--user-data-dir={}", profile.display()));
    command
}

/// A morning of traffic: several users, a hostile user id, errors of both kinds, timed requests.
fn report_page(dir: &Path) -> String {
    let path = dir.join("user_activity.log");
    let mut writer = LogWriter::new(&path, 16 * 1024, |c| c);
    let users = ["ann", "bob", "carol", HOSTILE_USER];
    for n in 0..240u32 {
        let at = day(8 + n / 60, n % 60, n % 7);
        let user = users[(n % 4) as usize];
        let session = format!("s-{}", n % 6);
        let uri =
            ["/api/search", "/api/threads", "/api/old/x", "/api/billing", "/dashboard"][(n % 5) as usize];
        writer.request(at, "GET", uri, Some(user), &session, [10, 0, (n % 3) as u8, 1]);
        if n % 4 == 0 {
            let feature = ["reports", "exports", "<b>bold</b>"][(n % 3) as usize];
            writer.timed_request(
                at,
                feature,
                Some(user),
                &session,
                &format!("r{n}"),
                200,
                f64::from(n % 40) * 37.5,
            );
        }
    }
    writer.close();
    let window = Window::new(day(8, 0, 0), day(12, 0, 0));
    let reports =
        Scan::new(window).summary().counts(Interval::Hour).run(&LogFiles::discover(&path).unwrap()).unwrap();
    tracing_activity::report::html(reports.summary.as_ref().unwrap(), reports.counts.as_ref().unwrap())
}

#[test]
fn the_page_loads_nothing_from_outside_and_escapes_what_the_logs_say() {
    let dir = tempfile::tempdir().unwrap();
    let page = report_page(dir.path());
    assert!(page.starts_with("<!DOCTYPE html>"));
    for outside in
        ["<script", "<link", "<img", "<iframe", "src=\"", "href=\"", "url(", "@import", "@font-face"]
    {
        assert!(!page.contains(outside), "the page has {outside:?}");
    }
    // The only address is the SVG namespace, which is never fetched.
    assert_eq!(page.matches("http").count(), page.matches("xmlns=\"http://www.w3.org/2000/svg\"").count());
    assert!(page.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));
    assert!(page.contains("&lt;b&gt;bold&lt;/b&gt;"));
    for id in ["active-users", "top-features", "errors", "latency", "users"] {
        assert!(page.contains(&format!("<section id=\"{id}\"")), "{id}");
    }
}

/// Pixels within a small distance of `color` (`#rrggbb`) in an RGBA image.
fn count_color(pixels: &[u8], channels: usize, color: &str) -> usize {
    let want: Vec<i32> =
        (0..3).map(|i| i32::from_str_radix(&color[1 + 2 * i..3 + 2 * i], 16).unwrap()).collect();
    pixels.chunks_exact(channels).filter(|p| (0..3).all(|i| (i32::from(p[i]) - want[i]).abs() <= 6)).count()
}

#[test]
fn chromium_draws_every_chart_and_reports_no_console_error() {
    let Some(browser) = chromium() else {
        assert!(std::env::var_os("CI").is_none(), "CI must have chromium installed (.ci/run installs it)");
        eprintln!("chromium is not installed: skipping the HTML rendering test");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let page = dir.path().join("report.html");
    std::fs::write(&page, report_page(dir.path())).unwrap();
    let url = format!("file://{}", page.display());

    let shot = dir.path().join("report.png");
    let output = headless(browser, &dir.path().join("profile"))
        .arg("--window-size=1120,2200")
        .arg(format!("--screenshot={}", shot.display()))
        .arg(&url)
        .output()
        .expect("chromium runs");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(shot.exists(), "no screenshot: {log}");
    assert!(!log.contains(":CONSOLE("), "the page logged to the console: {log}");
    // To look at it: REPORT_HTML_SCREENSHOT=/tmp/report.png cargo test --all-features --test report_html
    if let Some(keep) = std::env::var_os("REPORT_HTML_SCREENSHOT") {
        std::fs::copy(&shot, keep).unwrap();
    }

    // What the browser made of the page: the hostile user id is text, not an element.
    let dom =
        headless(browser, &dir.path().join("profile-dom")).arg("--dump-dom").arg(&url).output().unwrap();
    let dom = String::from_utf8_lossy(&dom.stdout);
    assert!(dom.contains("<title>Activity report"), "{dom}");
    assert!(!dom.contains("<script") && !dom.contains("<img"), "{dom}");

    let decoder = png::Decoder::new(std::io::BufReader::new(std::fs::File::open(&shot).unwrap()));
    let mut reader = decoder.read_info().unwrap();
    let mut pixels = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut pixels).unwrap();
    let channels = info.color_type.samples();
    let pixels = &pixels[..info.buffer_size()];
    // Each chart's own colour (html.rs), in enough pixels to be its bars or line.
    for (chart, color, at_least) in [
        ("active users line", "#2563eb", 500),
        ("top features bars", "#0d9488", 1_000),
        ("client error bars", "#d97706", 300),
        ("server error bars", "#dc2626", 300),
        ("latency p99 bars", "#5b21b6", 500),
    ] {
        let found = count_color(pixels, channels, color);
        assert!(found >= at_least, "{chart}: {found} pixels of {color}");
    }
    let blank = pixels.chunks_exact(channels).filter(|p| p[..3] == [0xf3, 0xf4, 0xf6]).count();
    assert!(blank < pixels.len() / channels, "the page is all background");
}
