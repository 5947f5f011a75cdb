//! The example server (`cargo run --example server`) as a process on `127.0.0.1:0`, with a
//! plain TCP client.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

/// The example's binary, built by `cargo test` next to this test's.
pub fn server_binary() -> PathBuf {
    let deps = std::env::current_exe().unwrap().parent().unwrap().to_owned();
    deps.parent().unwrap().join("examples/server")
}

pub struct Server {
    pub child: Child,
    pub addr: String,
}

impl Server {
    pub fn start(log: &Path) -> Server {
        Self::start_with(log, &[])
    }

    pub fn start_with(log: &Path, env: &[(&str, &str)]) -> Server {
        let mut child = Command::new(server_binary())
            .env_clear()
            .env("ACTIVITY_DEMO_ADDR", "127.0.0.1:0")
            .env("USER_ACTIVITY_LOG_PATH", log)
            .env("ENABLE_CONSOLE_LOGGING", "false")
            // The usage store (feature `metrics`) beside the log, not in the working directory.
            .env("USAGE_DB_PATH", log.with_file_name("usage.db"))
            .envs(env.iter().copied())
            .stdout(Stdio::piped())
            .spawn()
            .expect("the example server was built by cargo test");
        let mut first = String::new();
        BufReader::new(child.stdout.as_mut().unwrap()).read_line(&mut first).unwrap();
        let addr = first.trim().strip_prefix("listening on http://").expect(&first).to_owned();
        Server { child, addr }
    }

    /// Sends one request; returns the status, the headers (lowercased names) and the body.
    pub fn send(&self, head: &str, body: &str) -> (u16, Vec<(String, String)>, String) {
        let mut stream = TcpStream::connect(&self.addr).unwrap();
        stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        let request = format!(
            "{head}\r\nHost: test\r\nConnection: close\r\nContent-Length: {}\r\n\r\n{body}",
            body.len()
        );
        stream.write_all(request.as_bytes()).unwrap();
        let mut response = String::new();
        stream.read_to_string(&mut response).unwrap();
        let (head, body) = response.split_once("\r\n\r\n").unwrap_or((&response, ""));
        let mut lines = head.lines();
        let status = lines.next().unwrap().split(' ').nth(1).unwrap().parse().unwrap();
        let headers = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_owned()))
            .collect();
        (status, headers, body.to_owned())
    }

    /// SIGTERM, then the exit status.
    pub fn stop(mut self) -> std::process::ExitStatus {
        let pid = self.child.id().to_string();
        Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        self.child.wait().unwrap()
    }
}

impl Drop for Server {
    /// A test that fails leaves no server behind.
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn header<'a>(headers: &'a [(String, String)], name: &str) -> Option<&'a str> {
    headers.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str())
}
