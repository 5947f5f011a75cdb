//! The example server (`cargo run --example server`) as a user runs it: a real process on
//! `127.0.0.1:0`, real TCP clients, the JSON log file it writes, and SIGTERM to stop it.
#![cfg(all(feature = "http", unix))]

mod common;

use std::io::Write;
use std::net::TcpStream;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use common::server::{Server, header};
use serde_json::Value;

fn lines(log: &Path) -> Vec<Value> {
    std::fs::read_to_string(log).unwrap().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

#[test]
fn the_example_server_records_every_request_and_stops_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("user_activity.log");
    let server = Server::start(&log);

    let (status, _, body) = server.send("GET /health HTTP/1.1", "");
    assert_eq!((status, body.as_str()), (200, "ok"));

    let (status, headers, _) = server.send(
        "GET /search?q=rust%20tracing HTTP/1.1\r\nX-User-Id: user123\r\nX-Request-Id: r-1\r\nX-Forwarded-For: 6.6.6.6",
        "",
    );
    assert_eq!(status, 200);
    assert_eq!(header(&headers, "x-request-id"), Some("r-1"));

    let (_, headers, _) = server.send("GET /user-queries HTTP/1.1\r\nX-Request-Id: bad id!", "");
    let generated = header(&headers, "x-request-id").unwrap().to_owned();
    assert_ne!(generated, "bad id!");

    let (status, _, _) =
        server.send("POST /user-queries HTTP/1.1\r\nContent-Type: application/json", r#"{"query": ""}"#);
    assert_eq!(status, 422);
    let (status, _, body) = server.send(
        "POST /login HTTP/1.1\r\nContent-Type: application/json",
        r#"{"email": "ann@example.com", "password": "hunter2hunter2"}"#,
    );
    assert!(status == 200 && body.contains("token"), "{status} {body}");
    let (status, _, _) = server.send("GET /fail HTTP/1.1", "");
    assert_eq!(status, 500);
    let (status, _, _) = server.send("GET /download/report.pdf?token=abcdefghijkl HTTP/1.1", "");
    assert_eq!(status, 200);

    // Stopped while a slow request is in flight: it still gets its answer, and its line.
    let slow = std::thread::scope(|s| {
        let slow = s.spawn(|| server.send("GET /slow?ms=1200 HTTP/1.1", ""));
        std::thread::sleep(Duration::from_millis(300));
        let pid = server.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        slow.join().unwrap()
    });
    assert_eq!(slow.0, 200, "a request in flight finishes after SIGTERM");
    let status = server.stop();
    assert!(status.success(), "exit status {status:?}");

    let lines = lines(&log);
    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("hunter2hunter2"), "bodies are not captured");
    assert!(!text.contains("abcdefghijkl"), "query secrets are masked");
    assert!(lines.iter().all(|l| l["context"]["url"] != "/health"), "skip paths are not logged");

    let by_description =
        |d: &str| lines.iter().filter(|l| l["action"]["description"] == d).collect::<Vec<_>>();
    let search = by_description("rust tracing");
    assert_eq!(search.len(), 1, "the handler's search action");
    assert_eq!(search[0]["session"]["user_id"], "user123");
    assert_eq!(search[0]["context"]["request_id"], "r-1");
    assert_eq!(
        search[0]["session"]["ip_address"], "127.0.0.1",
        "X-Forwarded-For from an untrusted peer is ignored"
    );
    let api = by_description("GET /search");
    assert_eq!(api[0]["action"]["result"], "HTTP 200 SUCCESS");
    assert_eq!(api[0]["context"]["feature"], "search");
    assert_eq!(api[0]["action"]["data"].get("feature"), None);

    assert_eq!(by_description("GET /user-queries")[0]["context"]["request_id"], generated.as_str());
    assert_eq!(by_description("ValidationError: Query cannot be empty").len(), 1);
    let form = by_description("POST /user-queries");
    assert_eq!(
        (form[0]["level"].clone(), form[0]["action"]["action_type"].clone()),
        ("WARN".into(), "form_submission".into())
    );
    assert_eq!(by_description("GET /fail")[0]["level"], "ERROR");
    let slow_line = by_description("GET /slow");
    assert_eq!(slow_line[0]["action"]["slow"], "slow");
    assert_eq!(
        by_description("GET /download/report.pdf")[0]["context"]["url"],
        "/download/report.pdf?token=ab*******kl"
    );
}

#[test]
fn behind_a_trusted_proxy_pages_forms_early_drops_and_very_slow_requests() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("user_activity.log");
    let server = Server::start_with(
        &log,
        &[("TRUSTED_PROXIES", "127.0.0.1/32"), ("VERY_SLOW_REQUEST_THRESHOLD", "1100")],
    );

    // The peer (127.0.0.1) is a trusted proxy now: the right-most untrusted hop is the client.
    server
        .send("GET /user-queries HTTP/1.1\r\nAccept: text/html\r\nX-Forwarded-For: 6.6.6.6, 203.0.113.9", "");
    server.send("POST /user-queries HTTP/1.1\r\nContent-Type: application/json", r#"{"query": "rust"}"#);
    server.send("GET /slow?ms=1200 HTTP/1.1", "");
    // A client that goes away while its request is being handled.
    {
        let mut stream = TcpStream::connect(&server.addr).unwrap();
        stream.write_all(b"GET /slow?ms=800 HTTP/1.1\r\nHost: test\r\n\r\n").unwrap();
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(300));
    assert!(server.stop().success());

    let lines = lines(&log);
    let by_description =
        |d: &str| lines.iter().filter(|l| l["action"]["description"] == d).cloned().collect::<Vec<_>>();
    let page = &by_description("/user-queries")[0];
    assert_eq!(page["action"]["action_type"], "navigation");
    assert_eq!(page["session"]["ip_address"], "203.0.113.9");
    let form = &by_description("POST /user-queries")[0];
    assert_eq!(
        (form["action"]["action_type"].clone(), form["action"]["result"].clone()),
        ("form_submission".into(), "HTTP 201 SUCCESS".into())
    );
    let slow = by_description("GET /slow");
    assert!(slow.iter().any(|l| l["action"]["slow"] == "very_slow"), "{slow:?}");
    assert!(
        slow.iter().any(|l| l["action"]["result"] == "client closed the connection before the response"),
        "the dropped request is recorded: {slow:?}"
    );
}

#[test]
fn bodies_are_captured_masked_and_capped_when_asked() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("user_activity.log");
    let server = Server::start_with(
        &log,
        &[
            ("LOG_REQUEST_BODY", "true"),
            ("LOG_RESPONSE_BODY", "true"),
            ("MAX_REQUEST_BODY_SIZE", "64"),
            ("MAX_RESPONSE_BODY_SIZE", "1KiB"),
        ],
    );
    let login = r#"{"email": "ann@example.com", "password": "hunter2hunter2"}"#;
    let (status, _, body) = server.send("POST /login HTTP/1.1\r\nContent-Type: application/json", login);
    assert_eq!(status, 200);
    let token = serde_json::from_str::<Value>(&body).unwrap()["token"].as_str().unwrap().to_owned();
    let long = format!(r#"{{"query": "{}"}}"#, "q".repeat(200));
    let (status, _, body) =
        server.send("POST /user-queries HTTP/1.1\r\nContent-Type: application/json", &long);
    assert_eq!(status, 201);
    assert!(body.contains(&"q".repeat(200)), "the handler read the whole body: {body}");
    let upload = vec!["x"; 3000].concat();
    let (status, _, _) =
        server.send("POST /upload HTTP/1.1\r\nContent-Type: application/octet-stream", &upload);
    assert_eq!(status, 200);
    assert!(server.stop().success());

    let text = std::fs::read_to_string(&log).unwrap();
    assert!(!text.contains("hunter2hunter2"), "the password is masked");
    assert!(!text.contains(&token), "the token in the response is masked");
    let lines = lines(&log);
    let action = |d: &str| lines.iter().find(|l| l["action"]["description"] == d).unwrap()["action"].clone();
    let login = action("POST /login");
    // JSON bodies are JSON values in the line, masked field by field.
    assert_eq!(
        login["data"]["request_body"],
        serde_json::json!({"email": "ann@example.com", "password": "hu*******r2"})
    );
    let token_shown = login["data"]["response_body"]["token"].as_str().unwrap();
    assert_ne!(token_shown, token);
    let created = action("POST /user-queries");
    assert_eq!(
        created["data"]["request_body"],
        format!("{}…[truncated {} bytes]", &long[..64], long.len() - 64),
        "capped at MAX_REQUEST_BODY_SIZE"
    );
    assert_eq!(action("POST /upload")["data"]["request_body"], "[application/octet-stream, 3000 bytes]");
}

/// Waits until the log holds `n` lines (the file sink writes within milliseconds).
#[cfg(feature = "report")]
fn wait_for_lines(log: &Path, n: usize) {
    for _ in 0..500 {
        if std::fs::read_to_string(log).is_ok_and(|t| t.lines().count() >= n) {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("the log never reached {n} lines");
}

#[cfg(feature = "report")]
#[test]
fn usage_reports_are_for_the_admin_and_agree_with_the_library() {
    use tracing_activity::report::{LogFiles, Window};

    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("user_activity.log");
    let report = dir.path().join("out/usage_report.json");

    // Without ADMIN_TOKEN the admin routes do not exist; health is public.
    let server = Server::start(&log);
    assert_eq!(server.send("GET /api/usage/summary HTTP/1.1\r\nAuthorization: Bearer x", "").0, 404);
    let (status, _, body) = server.send("GET /api/usage/health HTTP/1.1", "");
    assert_eq!(status, 200);
    let health: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(
        health,
        serde_json::json!({"status": "healthy", "service": "usage-tracking", "repository": "available"})
    );
    assert!(server.stop().success());
    // A fresh start: the usage store (feature `metrics`) outlives the log, so it goes too.
    std::fs::remove_file(&log).unwrap();
    let _ = std::fs::remove_file(log.with_file_name("usage.db"));

    let server = Server::start_with(
        &log,
        &[("ADMIN_TOKEN", "s3cret-admin"), ("USAGE_REPORT_PATH", report.to_str().unwrap())],
    );
    for (user, path) in
        [("ann", "/search?q=a"), ("ann", "/fail"), ("bob", "/user-queries"), ("bob", "/nowhere")]
    {
        server.send(&format!("GET {path} HTTP/1.1\r\nX-User-Id: {user}"), "");
    }
    server.send("GET /user-queries HTTP/1.1", "");
    // Four recorded requests plus the search action, and the anonymous request.
    wait_for_lines(&log, 6);
    let before =
        tracing_activity::report::summary(&LogFiles::discover(&log).unwrap(), Window::hours(2)).unwrap();
    assert_eq!((before.active_users, before.total_requests, before.total_errors), (2, 5, 2));

    for auth in ["", "\r\nAuthorization: Bearer wrong", "\r\nAuthorization: s3cret-admin"] {
        let (status, _, _) = server.send(&format!("GET /api/usage/summary?hours=2 HTTP/1.1{auth}"), "");
        assert_eq!(status, 401, "{auth:?}");
    }
    // The refused requests are requests too; the summary is computed before its own is logged.
    wait_for_lines(&log, 9);
    let expected =
        tracing_activity::report::summary(&LogFiles::discover(&log).unwrap(), Window::hours(2)).unwrap();
    assert_eq!(expected.error_breakdown.get("401"), Some(&3));
    let admin = "\r\nAuthorization: Bearer s3cret-admin";
    let (status, headers, body) = server.send(&format!("GET /api/usage/summary?hours=2 HTTP/1.1{admin}"), "");
    assert_eq!(status, 200, "{body}");
    // With the live usage metrics the summary comes from their store, and agrees with the logs.
    let source = if cfg!(feature = "metrics") { "store" } else { "logs" };
    assert_eq!(header(&headers, "x-usage-source"), Some(source));
    let mut summary: Value = serde_json::from_str(&body).unwrap();
    let mut expected = serde_json::to_value(&expected).unwrap();
    for value in [&mut summary, &mut expected] {
        let object = value.as_object_mut().unwrap();
        object.remove("period_start");
        object.remove("period_end");
    }
    assert_eq!(summary, expected);
    assert_eq!(server.send(&format!("GET /api/usage/summary?hours=0 HTTP/1.1{admin}"), "").0, 400);

    let (status, _, body) =
        server.send(&format!("POST /api/usage/generate-report?hours=2 HTTP/1.1{admin}"), "");
    assert_eq!(status, 200, "{body}");
    let answer: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(answer["status"], "success");
    assert_eq!(answer["report_path"], report.display().to_string());
    let written: Value = serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    for key in ["active_users", "total_requests", "total_errors"] {
        assert_eq!(answer["summary"][key], written[key], "{key}");
    }
    // The report counts the admin's own summary requests too (two of them 400 or 401).
    assert!(written["total_requests"].as_u64().unwrap() > 5);
    assert!(answer["summary"]["period"].as_str().unwrap().contains(" -> "));
    assert!(server.stop().success());
}

/// One request by `curl`, keeping cookies in `jar` as a browser does when `jar` is given, with
/// extra `headers`; returns the response's headers (lowercased names).
fn curl(server: &Server, path: &str, jar: Option<&Path>, headers: &[&str]) -> Vec<(String, String)> {
    let mut command = Command::new("curl");
    command.args(["--silent", "--show-error", "--output", "/dev/null", "--dump-header", "-"]);
    if let Some(jar) = jar {
        command.arg("--cookie-jar").arg(jar).arg("--cookie").arg(jar);
    }
    for header in headers {
        command.args(["--header", header]);
    }
    let output = command.arg(format!("http://{}{path}", server.addr)).output().expect("curl is installed");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
        .collect()
}

#[test]
fn a_browser_that_keeps_cookies_stays_in_one_session_until_it_idles_out() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("user_activity.log");
    let jar = dir.path().join("cookies.txt");
    let server = Server::start_with(&log, &[("SESSION_IDLE_TIMEOUT", "2s")]);

    let browsing: Vec<_> = ["/user-queries", "/search?q=rust", "/user-queries"]
        .iter()
        .map(|p| curl(&server, p, Some(&jar), &[]))
        .collect();
    let first_cookie = header(&browsing[0], "set-cookie").expect("a new session sets its cookie").to_owned();
    let parts: Vec<&str> = first_cookie.split("; ").collect();
    let id = parts[0].strip_prefix("session_id=").unwrap().to_owned();
    assert_eq!(parts[1..], ["Path=/", "Max-Age=2", "HttpOnly", "SameSite=Lax"]);
    // Each later request slides the idle timeout: the same cookie again.
    assert_eq!(header(&browsing[2], "set-cookie"), Some(first_cookie.as_str()));
    // curl marks the cookies that scripts may not read.
    assert!(std::fs::read_to_string(&jar).unwrap().contains("#HttpOnly_127.0.0.1\tFALSE\t/\tFALSE\t"));

    // Idle for longer than the timeout: the browser forgot the cookie, a new session starts.
    std::thread::sleep(Duration::from_millis(3100));
    let after_idle = curl(&server, "/user-queries", Some(&jar), &[]);
    // A client that keeps no cookies, and an API client that names its session.
    let no_jar: Vec<_> = (0..2).map(|_| curl(&server, "/user-queries", None, &[])).collect();
    let api = curl(&server, "/user-queries", None, &["X-Session-Id: api-client-7"]);
    assert_eq!(header(&api, "set-cookie"), None, "a session the client names is its own");
    assert!(server.stop().success());

    let session_of = |headers: &[(String, String)]| {
        let request_id = header(headers, "x-request-id").unwrap();
        let sessions: std::collections::BTreeSet<String> = lines(&log)
            .iter()
            .filter(|line| line["context"]["request_id"] == request_id)
            .map(|line| line["session"]["session_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(sessions.len(), 1, "one session per request: {sessions:?}");
        sessions.into_iter().next().unwrap()
    };
    for headers in &browsing {
        assert_eq!(session_of(headers), id, "three requests, one session");
    }
    let new = session_of(&after_idle);
    assert_ne!(new, id);
    assert_eq!(header(&after_idle, "set-cookie").unwrap(), first_cookie.replace(&id, &new));
    assert_ne!(session_of(&no_jar[0]), session_of(&no_jar[1]));
    assert_eq!(session_of(&api), "api-client-7");
}
