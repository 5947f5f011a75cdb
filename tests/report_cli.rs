//! The `activity-report` command as a user runs it: its output, files, exit codes and messages.
#![cfg(all(feature = "http", feature = "report"))]

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use common::logs::{LogWriter, day};
use serde_json::Value;
use tracing_activity::privacy::Pseudonymizer;
use tracing_activity::report::{Interval, LogFiles, Scan, Window};

fn command() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_activity-report"));
    command.env_remove("USER_ACTIVITY_LOG_PATH").env_remove("USER_ID_HMAC_SECRET");
    command
}

fn run(args: &[&str], dir: &Path) -> Output {
    command().args(args).current_dir(dir).output().expect("activity-report runs")
}

fn json(output: &Output) -> Value {
    assert!(
        output.status.success() || output.status.code() == Some(1),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout)
        .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stdout)))
}

/// Logs in `dir/logs/user_activity.log` (the default path), rotated, with a torn last line;
/// `grace` fails six times within ten minutes.
fn logs(dir: &Path, change: impl FnOnce(tracing_activity::Config) -> tracing_activity::Config) -> PathBuf {
    let path = dir.join("logs/user_activity.log");
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    let mut writer = LogWriter::new(&path, 8 * 1024, change);
    for n in 0..120u32 {
        let user = [Some("ann"), Some("bob"), None][(n % 3) as usize];
        let uri = ["/api/search", "/api/threads", "/api/old/x"][(n % 3) as usize];
        writer.request(
            day(14, n / 4, n % 60),
            "GET",
            uri,
            user,
            &format!("s{}", n % 5),
            [10, 0, 0, (n % 9) as u8],
        );
    }
    for minute in 0..6 {
        writer.request(day(14, 40 + minute, 0), "GET", "/api/billing", Some("grace"), "sg", [10, 1, 1, 1]);
    }
    writer.close();
    let mut file = std::fs::OpenOptions::new().append(true).open(&path).unwrap();
    std::io::Write::write_all(&mut file, b"{\"timestamp\":\"2024-01-15T14:59:00.000000Z\",\"lev").unwrap();
    path
}

const UNTIL: &str = "2024-01-15T15:00:00Z";

fn library(path: &Path, scan: impl FnOnce(Scan) -> Scan) -> tracing_activity::report::Reports {
    let window = Window::new(day(13, 0, 0), day(15, 0, 0));
    scan(Scan::new(window)).run(&LogFiles::discover(path).unwrap()).unwrap()
}

#[test]
fn each_subcommand_prints_what_the_library_computes() {
    let dir = tempfile::tempdir().unwrap();
    let path = logs(dir.path(), |c| c);
    assert!(common::logs::files_oldest_first(&path).len() >= 3);

    // LOG defaults to logs/user_activity.log in the working directory.
    let summary = json(&run(&["summary", "--hours", "2", "--until", UNTIL], dir.path()));
    let expected = library(&path, |s| s.summary()).summary.unwrap();
    assert_eq!(summary, serde_json::to_value(&expected).unwrap());
    assert_eq!(summary["period_start"], "2024-01-15T13:00:00Z");
    assert_eq!(summary["skipped_lines"], 1);

    let usage = json(&run(&["usage", "--days", "1", "--until", UNTIL, path.to_str().unwrap()], dir.path()));
    let expected = Scan::new(Window::new(day(15, 0, 0) - chrono::Duration::days(1), day(15, 0, 0)))
        .usage()
        .run(&LogFiles::discover(&path).unwrap())
        .unwrap()
        .usage
        .unwrap();
    assert_eq!(usage["summary"], serde_json::to_value(&expected.summary).unwrap());
    assert!(usage["generated_at"].is_string());
    assert_eq!(usage["summary"]["api_call"]["anonymous"], 40);

    let counts = json(&run(&["counts", "--hours", "2", "--until", UNTIL, "--interval", "hour"], dir.path()));
    let expected = library(&path, |s| s.counts(Interval::Hour)).counts.unwrap();
    assert_eq!(counts, serde_json::to_value(&expected).unwrap());
    assert_eq!(counts["interval"], "hour");
}

#[test]
fn the_environment_names_the_log_and_the_pseudonym_secret() {
    let dir = tempfile::tempdir().unwrap();
    let secret = "cli-secret";
    let path = logs(dir.path(), |c| c.user_id_hmac_secret(tracing_activity::Secret::new(secret)));
    let output = command()
        .args(["summary", "--hours", "2", "--until", UNTIL])
        .env("USER_ACTIVITY_LOG_PATH", &path)
        .env("USER_ID_HMAC_SECRET", secret)
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    let summary = json(&output);
    let pseudonyms = Pseudonymizer::new(secret);
    let ids: Vec<&str> =
        summary["users"].as_array().unwrap().iter().map(|u| u["user_id"].as_str().unwrap()).collect();
    let mut expected =
        vec![pseudonyms.pseudonym("ann"), pseudonyms.pseudonym("bob"), pseudonyms.pseudonym("grace")];
    expected.sort();
    let mut sorted: Vec<String> = ids.iter().map(|s| s.to_string()).collect();
    sorted.sort();
    // Anonymous requests carry the pseudonym of "unknown": not a user.
    assert_eq!(sorted, expected);
    assert_eq!(summary["active_users"], 3);
}

#[test]
fn alerts_exit_1_when_one_fires_and_0_when_none_does() {
    let dir = tempfile::tempdir().unwrap();
    let path = logs(dir.path(), |c| c);
    let log = path.to_str().unwrap();
    let fired = run(&["alerts", "--hours", "1", "--until", UNTIL, log], dir.path());
    assert_eq!(fired.status.code(), Some(1), "{}", String::from_utf8_lossy(&fired.stderr));
    let alerts = json(&fired);
    assert_eq!(alerts["fired"], true);
    let kinds: Vec<&str> =
        alerts["alerts"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap()).collect();
    assert!(kinds.contains(&"user_errors") && kinds.contains(&"error_rate"), "{kinds:?}");
    let stderr = String::from_utf8_lossy(&fired.stderr);
    assert!(stderr.contains("ALERT: user grace had 6 failed requests within 10 minutes"), "{stderr}");

    let calm = run(
        &["alerts", "--hours", "1", "--until", UNTIL, "--max-error-rate", "90", "--user-errors", "7", log],
        dir.path(),
    );
    assert_eq!(calm.status.code(), Some(0), "{}", String::from_utf8_lossy(&calm.stderr));
    assert_eq!(json(&calm)["fired"], false);
}

#[test]
fn out_writes_the_report_to_a_file_and_html_is_one_page() {
    let dir = tempfile::tempdir().unwrap();
    let path = logs(dir.path(), |c| c);
    let out = dir.path().join("reports/usage_report.json");
    let output =
        run(&["summary", "--hours", "2", "--until", UNTIL, "--out", out.to_str().unwrap()], dir.path());
    assert!(output.status.success());
    assert!(output.stdout.is_empty());
    let written: Value = serde_json::from_slice(&std::fs::read(&out).unwrap()).unwrap();
    assert_eq!(written, serde_json::to_value(library(&path, |s| s.summary()).summary.unwrap()).unwrap());
    assert!(!dir.path().join("reports/usage_report.json.partial").exists());

    let page = run(&["html", "--hours", "2", "--until", UNTIL], dir.path());
    assert!(page.status.success());
    let page = String::from_utf8(page.stdout).unwrap();
    assert!(page.starts_with("<!DOCTYPE html>") && page.ends_with("</html>"));
}

#[test]
fn a_missing_log_and_bad_arguments_exit_2_with_a_clear_message() {
    let dir = tempfile::tempdir().unwrap();
    let missing = run(&["summary", "missing/user_activity.log"], dir.path());
    assert_eq!(missing.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&missing.stderr);
    assert!(stderr.contains("missing/user_activity.log"), "{stderr}");
    assert!(missing.stdout.is_empty());

    let both = run(&["summary", "--hours", "1", "--days", "1"], dir.path());
    assert_eq!(both.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&both.stderr).contains("cannot be used with"));

    let bad_time = run(&["usage", "--until", "yesterday"], dir.path());
    assert_eq!(bad_time.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_time.stderr).contains("RFC 3339"));

    let bad_interval = run(&["counts", "--interval", "week"], dir.path());
    assert_eq!(bad_interval.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_interval.stderr).contains("hour, day or month"));
}

#[test]
fn a_stderr_whose_reader_has_gone_loses_the_message_not_the_exit_code() {
    let dir = tempfile::tempdir().unwrap();
    let mut child = command()
        .args(["summary", "missing/user_activity.log"])
        .current_dir(dir.path())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // The reader goes before the command has its message to write: the write fails (EPIPE).
    drop(child.stderr.take());
    assert_eq!(child.wait().unwrap().code(), Some(2), "not a panic (101)");
}

#[test]
fn skipped_lines_are_said_on_stderr_and_no_progress_bar_is_drawn_into_a_pipe() {
    let dir = tempfile::tempdir().unwrap();
    logs(dir.path(), |c| c);
    let output = run(&["summary", "--hours", "2", "--until", UNTIL], dir.path());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("skipped 1 of"), "{stderr}");
    assert!(stderr.contains("1 not JSON"), "{stderr}");
    assert!(!stderr.contains('\u{1b}') && !stderr.contains('█') && !stderr.contains('\r'), "{stderr:?}");
}

/// The README's jq recipes (`benches/report_usage.jq`, `benches/report_summary.jq`) give the
/// same figures as the reports.
#[test]
fn the_jq_recipes_agree_with_the_reports() {
    if !Command::new("jq").arg("--version").output().is_ok_and(|o| o.status.success()) {
        assert!(std::env::var_os("CI").is_none(), "CI must have jq installed (.ci/run installs it)");
        eprintln!("jq is not installed: skipping the jq recipes");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let path = logs(dir.path(), |c| c);
    let files: Vec<PathBuf> = common::logs::files_oldest_first(&path);
    let jq = |program: &str| -> Value {
        let output = Command::new("jq")
            .args([
                "-nR",
                "--arg",
                "from",
                "2024-01-15T13:00:00Z",
                "--arg",
                "to",
                "2024-01-15T15:00:00Z",
                "-f",
            ])
            .arg(Path::new(env!("CARGO_MANIFEST_DIR")).join("benches").join(program))
            .args(&files)
            .output()
            .unwrap();
        // Lines read raw and parsed one by one (`fromjson?`), so the torn last line is skipped.
        serde_json::from_slice(&output.stdout)
            .unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&output.stderr)))
    };
    let reports = library(&path, |s| s.summary().usage());
    let usage = jq("report_usage.jq");
    assert_eq!(usage["summary"], serde_json::to_value(&reports.usage.unwrap().summary).unwrap());
    let summary = jq("report_summary.jq");
    let ours = serde_json::to_value(reports.summary.unwrap()).unwrap();
    for key in ["active_users", "total_requests", "total_errors", "top_features", "error_breakdown"] {
        assert_eq!(summary[key], ours[key], "{key}");
    }
    let mut jq_users: Vec<Value> = summary["users"].as_array().unwrap().clone();
    jq_users.sort_by_key(|u| u["user_id"].as_str().unwrap().to_owned());
    let mut our_users: Vec<Value> = ours["users"].as_array().unwrap().clone();
    our_users.sort_by_key(|u| u["user_id"].as_str().unwrap().to_owned());
    for (theirs, mine) in jq_users.iter().zip(&our_users) {
        for key in ["user_id", "requests_count", "errors_count", "features_used"] {
            assert_eq!(theirs[key], mine[key], "{key}");
        }
    }
    assert_eq!(jq_users.len(), our_users.len());
}

#[test]
fn gzip_backups_are_read_as_the_plain_ones_were() {
    let dir = tempfile::tempdir().unwrap();
    let path = logs(dir.path(), |c| c);
    let args = ["summary", "--hours", "2", "--until", UNTIL];
    let plain = json(&run(&args, dir.path()));
    // Compressed by the system's gzip, as `LOG_COMPRESS=gzip` or logrotate would leave them.
    let backups: Vec<PathBuf> =
        common::logs::files_oldest_first(&path).into_iter().filter(|f| *f != path).collect();
    assert!(backups.len() >= 2);
    for backup in &backups {
        assert!(Command::new("gzip").arg(backup).status().unwrap().success());
    }
    assert!(backups.iter().all(|b| !b.exists() && PathBuf::from(format!("{}.gz", b.display())).exists()));
    assert_eq!(json(&run(&args, dir.path())), plain);
}
