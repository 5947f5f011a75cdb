//! The HTML report: one self-contained page (no script, no external stylesheet, font or
//! image) with the summary's and the counts' figures as inline SVG charts and tables.

use std::collections::HashMap;
use std::fmt::Write;

use chrono::{DateTime, Months, TimeDelta, Utc};

use super::counts::Counts;
use super::summary::Summary;
use super::svg::{Bar, bar_chart, escape, grouped_bar_chart, line_chart, number};
use super::time::Interval;

/// The colour of each chart, so that a look (or a test) can tell them apart.
pub(crate) mod colors {
    /// Active users over time.
    pub(crate) const USERS: &str = "#2563eb";
    /// Requests per feature.
    pub(crate) const FEATURES: &str = "#0d9488";
    /// Client errors (4xx).
    pub(crate) const CLIENT_ERRORS: &str = "#d97706";
    /// Server errors (5xx).
    pub(crate) const SERVER_ERRORS: &str = "#dc2626";
    /// Latency percentiles: p50, p95, p99.
    pub(crate) const LATENCY: [&str; 3] = ["#c4b5fd", "#8b5cf6", "#5b21b6"];
}

/// The most rows of the features, latency and users shown; the JSON reports have them all.
const FEATURE_ROWS: usize = 15;
const USER_ROWS: usize = 500;

const STYLE: &str = "\
body{margin:0;background:#f3f4f6;color:#111827;font:14px/1.45 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif}\
main{max-width:1080px;margin:0 auto;padding:24px}\
h1{font-size:24px;margin:0 0 4px}h2{font-size:16px;margin:0 0 12px}\
.period{color:#4b5563;margin:0 0 20px}\
.cards{display:flex;gap:12px;flex-wrap:wrap;margin-bottom:16px}\
.card{background:#fff;border-radius:8px;padding:12px 16px;min-width:130px;box-shadow:0 1px 2px rgba(0,0,0,.06)}\
.card b{display:block;font-size:22px}.card span{color:#6b7280}\
section{background:#fff;border-radius:8px;padding:16px;margin-bottom:16px;box-shadow:0 1px 2px rgba(0,0,0,.06);overflow-x:auto}\
.pair{display:grid;grid-template-columns:1fr 1fr;gap:16px}.pair section{margin-bottom:0}.pair{margin-bottom:16px}\
.legend span{display:inline-block;margin-right:14px;color:#374151}.legend i{display:inline-block;width:10px;height:10px;border-radius:2px;margin-right:5px}\
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:6px 8px;border-bottom:1px solid #e5e7eb;vertical-align:top}\
th{color:#4b5563;font-weight:600}td.n{text-align:right;font-variant-numeric:tabular-nums}\
.id{font-family:ui-monospace,monospace;overflow-wrap:anywhere;min-width:8em;max-width:260px}\
.err{color:#b91c1c;font-size:12px}.note{color:#6b7280;font-size:12px;margin:8px 0 0}";

/// The HTML report of `summary` and `counts` (of the same window): cards with the totals,
/// active users over time, top features, errors by status, latency per feature and the users.
/// Every text from the logs is escaped.
pub fn html(summary: &Summary, counts: &Counts) -> String {
    let mut page = String::with_capacity(64 * 1024);
    let period = format!("{} → {} UTC", when(summary.period_start), when(summary.period_end));
    let _ = write!(
        page,
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>Activity report, {}</title><style>{STYLE}</style></head><body><main>\
         <h1>Activity report</h1><p class=\"period\">{} · made {}</p>",
        escape(&period),
        escape(&period),
        when(Utc::now())
    );
    cards(&mut page, summary);
    let _ = write!(
        page,
        "<section id=\"active-users\"><h2>Active users per {}</h2>{}</section>",
        counts.interval,
        line_chart(&active_users(counts), 1032, 240, colors::USERS)
    );
    page.push_str("<div class=\"pair\">");
    let features: Vec<Bar> = summary
        .top_features
        .iter()
        .take(FEATURE_ROWS)
        .map(|f| Bar {
            label: f.name.clone(),
            value: f.count as f64,
            text: f.count.to_string(),
            color: colors::FEATURES,
        })
        .collect();
    let _ = write!(
        page,
        "<section id=\"top-features\"><h2>Top features (requests)</h2>{}</section>",
        bar_chart(features, 500, "no requests in this window")
    );
    let errors: Vec<Bar> = summary
        .error_breakdown
        .iter()
        .map(|(code, &n)| Bar {
            label: format!("HTTP {code}"),
            value: n as f64,
            text: n.to_string(),
            color: if code.starts_with('5') { colors::SERVER_ERRORS } else { colors::CLIENT_ERRORS },
        })
        .collect();
    let _ = write!(
        page,
        "<section id=\"errors\"><h2>Errors by status</h2>{}</section></div>",
        bar_chart(errors, 500, "no failed requests in this window")
    );
    latency(&mut page, summary);
    users(&mut page, summary);
    let _ = write!(
        page,
        "<p class=\"note\">{} lines skipped (not activity JSON). Made by tracing-activity's activity-report.</p></main></body></html>",
        summary.skipped_lines
    );
    page
}

fn when(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%d %H:%M").to_string()
}

fn cards(page: &mut String, summary: &Summary) {
    let rate = if summary.total_requests == 0 {
        "–".to_owned()
    } else {
        format!("{:.1} %", summary.total_errors as f64 * 100.0 / summary.total_requests as f64)
    };
    let slow: u64 = summary.latency.iter().map(|l| l.slow + l.very_slow).sum();
    page.push_str("<div class=\"cards\">");
    for (value, label) in [
        (summary.active_users.to_string(), "active users"),
        (summary.total_requests.to_string(), "requests"),
        (summary.total_errors.to_string(), "failed requests"),
        (rate, "error rate"),
        (slow.to_string(), "slow requests"),
        (summary.top_features.len().to_string(), "features used"),
    ] {
        let _ = write!(page, "<div class=\"card\"><b>{}</b><span>{label}</span></div>", escape(&value));
    }
    page.push_str("</div>");
}

/// Distinct users per interval, every interval of the window shown (zero when quiet).
fn active_users(counts: &Counts) -> Vec<(String, f64)> {
    let seen: HashMap<DateTime<Utc>, u64> = counts.intervals.iter().map(|i| (i.start, i.users)).collect();
    let multi_day = counts.period_end - counts.period_start > TimeDelta::days(1);
    let label = |at: DateTime<Utc>| match counts.interval {
        Interval::Hour if multi_day => at.format("%m-%d %H:00").to_string(),
        Interval::Hour => at.format("%H:00").to_string(),
        Interval::Day => at.format("%m-%d").to_string(),
        Interval::Month => at.format("%Y-%m").to_string(),
    };
    let Some(mut at) = interval_start(counts.interval, counts.period_start) else { return Vec::new() };
    let mut points = Vec::new();
    while at < counts.period_end && points.len() < 5_000 {
        points.push((label(at), seen.get(&at).copied().unwrap_or(0) as f64));
        at = match counts.interval {
            Interval::Hour => at + TimeDelta::hours(1),
            Interval::Day => at + TimeDelta::days(1),
            Interval::Month => match at.checked_add_months(Months::new(1)) {
                Some(next) => next,
                None => break,
            },
        };
    }
    points
}

fn interval_start(interval: Interval, at: DateTime<Utc>) -> Option<DateTime<Utc>> {
    Some(super::time::to_datetime(interval.start_of(at.timestamp_micros())))
}

fn latency(page: &mut String, summary: &Summary) {
    let rows: Vec<(String, Vec<Bar>)> = summary
        .latency
        .iter()
        .filter(|l| l.requests > 0)
        .take(FEATURE_ROWS)
        .map(|l| {
            let bars = [l.p50_ms, l.p95_ms, l.p99_ms]
                .into_iter()
                .zip(["p50", "p95", "p99"])
                .zip(colors::LATENCY)
                .map(|((ms, name), color)| Bar {
                    label: format!("{}, {name}", l.feature),
                    value: ms,
                    text: format!("{name} {} ms", number(ms)),
                    color,
                })
                .collect();
            (l.feature.clone(), bars)
        })
        .collect();
    page.push_str(
        "<section id=\"latency\"><h2>Latency per feature (slowest p95 first)</h2><p class=\"legend\">",
    );
    for (name, color) in ["p50", "p95", "p99"].into_iter().zip(colors::LATENCY) {
        let _ = write!(page, "<span><i style=\"background:{color}\"></i>{name}</span>");
    }
    let _ = write!(page, "</p>{}", grouped_bar_chart(&rows, 1032, "no request durations in this window"));
    let slow: Vec<String> = summary
        .latency
        .iter()
        .filter(|l| l.slow + l.very_slow > 0)
        .map(|l| format!("{}: {} slow, {} very slow", escape(&l.feature), l.slow, l.very_slow))
        .collect();
    if !slow.is_empty() {
        let _ = write!(page, "<p class=\"note\">{}</p>", slow.join(" · "));
    }
    page.push_str("</section>");
}

fn users(page: &mut String, summary: &Summary) {
    page.push_str(
        "<section id=\"users\"><h2>Users</h2><table><thead><tr><th>user</th><th>requests</th><th>errors</th>\
         <th>time (min)</th><th>features used</th><th>latest errors</th></tr></thead><tbody>",
    );
    if summary.users.is_empty() {
        page.push_str("<tr><td colspan=\"6\">no signed-in users in this window</td></tr>");
    }
    for user in summary.users.iter().take(USER_ROWS) {
        let features: Vec<_> = user.features_used.iter().map(|f| escape(f)).collect();
        let latest: Vec<String> = user
            .errors
            .iter()
            .rev()
            .take(3)
            .map(|e| {
                format!(
                    "{} {} {}: {}",
                    e.timestamp.format("%H:%M:%S"),
                    e.code,
                    escape(&e.endpoint),
                    escape(&e.error)
                )
            })
            .collect();
        let _ = write!(
            page,
            "<tr><td class=\"id\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td>{}</td><td class=\"err\">{}</td></tr>",
            escape(&user.user_id),
            user.requests_count,
            user.errors_count,
            number(user.total_time_minutes),
            features.join(", "),
            latest.join("<br>")
        );
    }
    page.push_str("</tbody></table>");
    if summary.users.len() > USER_ROWS {
        let _ = write!(
            page,
            "<p class=\"note\">The {USER_ROWS} most active of {} users; the summary report lists them all.</p>",
            summary.users.len()
        );
    }
    page.push_str("</section>");
}
