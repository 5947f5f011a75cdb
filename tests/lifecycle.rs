//! The log file's lifecycle: rotation by time (an injected clock), retention by age (file
//! times set in the past), gzip backups under load and after a crash, and reports over them.
//! Compressed files are read back with the system's `gzip -dc`, not with the crate's code.

mod common;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use chrono::{DateTime, TimeZone, Utc};
use common::{TestClock, emit_numbered, rotated_file};
use serde_json::Value;
use tracing_activity::config::LogRotation;
use tracing_activity::{ActivityGuard, Builder, Config};
use tracing_subscriber::prelude::*;

fn start(config: Config, clock: Option<&TestClock>) -> (tracing::Dispatch, ActivityGuard) {
    let mut builder = Builder::new().config(config);
    if let Some(clock) = clock.cloned() {
        builder = builder.clock(move || clock.now());
    }
    let tracing_activity::Activity { layer, guard, .. } = builder.build().expect("builds");
    (tracing::Dispatch::new(tracing_subscriber::registry().with(layer)), guard)
}

fn backup(path: &Path, suffix: &str) -> PathBuf {
    PathBuf::from(format!("{}{suffix}", path.display()))
}

/// A file's text: gzip files through the system's `gzip -dc`.
fn text_of(file: &Path) -> String {
    if file.extension().is_some_and(|e| e == "gz") {
        let out = std::process::Command::new("gzip").arg("-dc").arg(file).output().expect("gzip runs");
        assert!(
            out.status.success(),
            "gzip -dc {}: {}",
            file.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    } else {
        fs::read_to_string(file).unwrap()
    }
}

/// The lines of the active file and of every backup, plain or compressed, oldest first.
fn all_lines(path: &Path) -> Vec<Value> {
    let mut files = Vec::new();
    for n in 1..10_000 {
        let (plain, gz) = (backup(path, &format!(".{n}")), backup(path, &format!(".{n}.gz")));
        match (plain.exists(), gz.exists()) {
            (false, false) => break,
            (true, true) => panic!("backup {n} is both plain and compressed"),
            (true, false) => files.push(plain),
            (false, true) => files.push(gz),
        }
    }
    files.reverse();
    files.push(path.to_owned());
    files.iter().flat_map(|f| text_of(f).lines().map(common::parse_strict).collect::<Vec<_>>()).collect()
}

fn seqs(lines: &[Value]) -> Vec<u64> {
    lines.iter().map(|l| l["action"]["data"]["seq"].as_u64().unwrap()).collect()
}

fn utc(h: u32, m: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, 14, h, m, 0).unwrap()
}

#[test]
fn hourly_rotation_starts_a_file_at_each_utc_hour() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");
    let clock = TestClock::at_time(utc(10, 0));
    let config = rotated_file(&path, 10 << 20, 5).log_rotate_every(LogRotation::Hourly);
    let (dispatch, guard) = start(config, Some(&clock));
    let hours: [(DateTime<Utc>, std::ops::Range<u64>); 4] =
        [(utc(10, 0), 0..3), (utc(10, 59), 3..5), (utc(11, 0), 5..9), (utc(13, 30), 9..10)];
    for (at, seqs) in hours {
        clock.set_time(at);
        emit_numbered(&dispatch, 0, seqs);
        guard.flush();
    }
    guard.close();
    let file_seqs = |suffix: &str| {
        seqs(&text_of(&backup(&path, suffix)).lines().map(common::parse_strict).collect::<Vec<_>>())
    };
    assert_eq!(file_seqs(".2"), [0, 1, 2, 3, 4], "10:00 to 10:59");
    assert_eq!(file_seqs(".1"), [5, 6, 7, 8], "11:00");
    assert_eq!(file_seqs(""), [9], "13:30: no file for the hour without lines");
    assert!(!backup(&path, ".3").exists());
}

#[test]
fn daily_rotation_and_size_rotation_whichever_comes_first() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");
    let clock = TestClock::at_time(utc(23, 0));
    let config = rotated_file(&path, 4 * 1024, 100).log_rotate_every(LogRotation::Daily);
    let (dispatch, guard) = start(config, Some(&clock));
    emit_numbered(&dispatch, 0, 0..100);
    guard.flush();
    let before_midnight = fs::read_dir(dir.path()).unwrap().count();
    assert!(before_midnight > 3, "size rotated within the day: {before_midnight} files");
    clock.set_time(utc(23, 0) + chrono::Duration::hours(2));
    emit_numbered(&dispatch, 0, 100..101);
    guard.close();
    let active = seqs(&text_of(&path).lines().map(common::parse_strict).collect::<Vec<_>>());
    assert_eq!(active, [100], "the new day starts a file of its own");
    assert_eq!(fs::read_dir(dir.path()).unwrap().count(), before_midnight + 1);
    assert_eq!(seqs(&all_lines(&path)), (0..101).collect::<Vec<_>>());
}

#[test]
fn a_restart_in_a_new_hour_rotates_the_last_hours_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");
    fs::write(&path, "{\"event\":\"old\"}\n").unwrap();
    let hour_ago = SystemTime::now() - Duration::from_secs(3_700);
    fs::File::options().write(true).open(&path).unwrap().set_modified(hour_ago).unwrap();
    let (dispatch, guard) =
        start(rotated_file(&path, 10 << 20, 5).log_rotate_every(LogRotation::Hourly), None);
    emit_numbered(&dispatch, 0, 0..1);
    guard.close();
    assert_eq!(text_of(&backup(&path, ".1")), "{\"event\":\"old\"}\n");
    assert_eq!(seqs(&text_of(&path).lines().map(common::parse_strict).collect::<Vec<_>>()), [0]);
}

fn set_age(file: &Path, days: u64) {
    let then = SystemTime::now() - Duration::from_secs(days * 86_400);
    fs::File::options().write(true).open(file).unwrap().set_modified(then).unwrap();
}

#[test]
fn backups_older_than_the_max_age_are_deleted_and_younger_ones_kept() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");
    for (suffix, days) in [(".1", 2), (".2.gz", 29), (".3", 31), (".4.gz", 45)] {
        fs::write(backup(&path, suffix), "x\n").unwrap();
        set_age(&backup(&path, suffix), days);
    }
    let config = rotated_file(&path, 10 << 20, 10).log_max_age(Some(Duration::from_secs(30 * 86_400)));
    let (_dispatch, guard) = start(config, None);
    let left = |suffixes: &[&str]| suffixes.iter().map(|s| backup(&path, s).exists()).collect::<Vec<_>>();
    assert_eq!(left(&[".1", ".2.gz", ".3", ".4.gz"]), [true, true, false, false]);
    drop(guard);
}

#[test]
fn the_max_age_is_checked_again_as_time_passes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");
    fs::write(backup(&path, ".1"), "x\n").unwrap();
    set_age(&backup(&path, ".1"), 1);
    let clock = TestClock::at_time(Utc::now());
    let config = rotated_file(&path, 10 << 20, 10).log_max_age(Some(Duration::from_secs(2 * 86_400)));
    let (dispatch, guard) = start(config, Some(&clock));
    emit_numbered(&dispatch, 0, 0..1);
    guard.flush();
    assert!(backup(&path, ".1").exists(), "a day old, the max age two days");
    clock.set_time(Utc::now() + chrono::Duration::days(2));
    emit_numbered(&dispatch, 0, 1..2);
    guard.close();
    assert!(!backup(&path, ".1").exists(), "three days old by the clock");
    assert_eq!(seqs(&all_lines(&path)), [0, 1]);
}

#[cfg(feature = "gzip")]
mod gzip {
    use super::*;
    use tracing_activity::config::LogCompression;

    /// Waits until no plain backup is left (the compressing thread is behind the writer).
    fn wait_compressed(path: &Path, backups: u32) {
        let deadline = std::time::Instant::now() + Duration::from_secs(60);
        while (1..=backups).any(|n| backup(path, &format!(".{n}")).exists()) {
            assert!(std::time::Instant::now() < deadline, "backups still plain after 60 s");
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    #[test]
    fn under_load_every_line_is_once_in_the_plain_and_compressed_files() {
        const THREADS: u64 = 4;
        const PER_THREAD: u64 = 10_000;
        const MAX: u64 = 128 * 1024;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("user_activity.log");
        let (dispatch, guard) =
            start(rotated_file(&path, MAX, 1_000).log_compress(LogCompression::Gzip), None);
        std::thread::scope(|s| {
            for t in 0..THREADS {
                let dispatch = &dispatch;
                s.spawn(move || emit_numbered(dispatch, t, 0..PER_THREAD));
            }
        });
        let stats = guard.close();
        assert_eq!((stats.file_lines, stats.file_write_errors), (THREADS * PER_THREAD, 0));
        let lines = all_lines(&path);
        let gz = fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().path().extension().is_some_and(|x| x == "gz"))
            .count();
        assert!(gz > 20, "most backups are compressed by the end: {gz}");
        assert_eq!(lines.len() as u64, THREADS * PER_THREAD);
        let mut next: HashMap<u64, u64> = HashMap::new();
        for line in &lines {
            let data = &line["action"]["data"];
            let (thread, seq) = (data["thread"].as_u64().unwrap(), data["seq"].as_u64().unwrap());
            let expected = next.entry(thread).or_default();
            assert_eq!(seq, *expected, "thread {thread}: lines out of order or missing across files");
            *expected += 1;
        }
        let unfinished = fs::read_dir(dir.path())
            .unwrap()
            .filter(|e| e.as_ref().unwrap().file_name().to_string_lossy().contains(".compressing"));
        assert_eq!(unfinished.count(), 0, "no file left half compressed");
    }

    #[test]
    fn a_compressed_backup_keeps_its_time_and_number_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("user_activity.log");
        let (dispatch, guard) =
            start(rotated_file(&path, 8 * 1024, 3).log_compress(LogCompression::Gzip), None);
        emit_numbered(&dispatch, 0, 0..200);
        guard.flush();
        wait_compressed(&path, 3);
        guard.close();
        let compressed: Vec<bool> = (1..=4).map(|n| backup(&path, &format!(".{n}.gz")).exists()).collect();
        assert_eq!(compressed, [true, true, true, false], "three backups, all compressed");
        assert_eq!(seqs(&all_lines(&path)).last(), Some(&199));
        let newest = fs::metadata(backup(&path, ".1.gz")).unwrap();
        let age = SystemTime::now().duration_since(newest.modified().unwrap()).unwrap();
        assert!(age < Duration::from_secs(60), "a backup's time is when its lines were written");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            assert_eq!(newest.permissions().mode() & 0o777, 0o640);
        }
    }

    #[test]
    fn what_a_crash_during_compression_left_is_cleared_at_start() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("user_activity.log");
        let gzip = |text: &str, to: &Path| {
            let plain = dir.path().join("plain");
            fs::write(&plain, text).unwrap();
            let out = std::process::Command::new("gzip").arg("-c").arg(&plain).output().unwrap();
            fs::write(to, out.stdout).unwrap();
        };
        // `.1` was rotated but not compressed; `.2.gz` was put in place but its plain `.2` not
        // yet deleted; the compression of `.3` was cut short.
        fs::write(backup(&path, ".1"), "{\"n\":1}\n").unwrap();
        fs::write(backup(&path, ".2"), "{\"n\":2}\n").unwrap();
        gzip("{\"n\":2}\n", &backup(&path, ".2.gz"));
        gzip("{\"n\":3}\n", &backup(&path, ".3.gz"));
        fs::write(backup(&path, ".compressing-4242"), b"\x1f\x8b torn").unwrap();
        let (_dispatch, guard) =
            start(rotated_file(&path, 10 << 20, 5).log_compress(LogCompression::Gzip), None);
        wait_compressed(&path, 5);
        drop(guard);
        assert!(!backup(&path, ".compressing-4242").exists());
        let texts: Vec<String> = (1..=3).map(|n| text_of(&backup(&path, &format!(".{n}.gz")))).collect();
        assert_eq!(texts, ["{\"n\":1}\n", "{\"n\":2}\n", "{\"n\":3}\n"]);
    }

    #[cfg(feature = "report")]
    #[test]
    fn reports_read_compressed_backups_as_the_plain_ones() {
        use tracing_activity::report::{LogFiles, Scan, Window};
        let dir = tempfile::tempdir().unwrap();
        let (plain, gz) =
            (dir.path().join("plain/user_activity.log"), dir.path().join("gz/user_activity.log"));
        for (path, compress) in [(&plain, LogCompression::None), (&gz, LogCompression::Gzip)] {
            let (dispatch, guard) = start(rotated_file(path, 16 * 1024, 50).log_compress(compress), None);
            emit_numbered(&dispatch, 0, 0..500);
            guard.flush();
            if compress == LogCompression::Gzip {
                wait_compressed(path, 50);
            }
            guard.close();
        }
        let files = LogFiles::discover(&gz).unwrap();
        assert!(
            files.paths().len() > 5
                && files.paths()[..files.paths().len() - 1]
                    .iter()
                    .all(|p| p.extension().is_some_and(|e| e == "gz"))
        );
        let window =
            Window::new(Utc::now() - chrono::Duration::hours(1), Utc::now() + chrono::Duration::hours(1));
        let report = |path: &Path| {
            let reports =
                Scan::new(window).summary().usage().run(&LogFiles::discover(path).unwrap()).unwrap();
            let mut usage = serde_json::to_value(reports.usage.unwrap()).unwrap();
            usage.as_object_mut().unwrap().remove("generated_at");
            (serde_json::to_value(reports.summary.unwrap()).unwrap(), usage, reports.lines.in_window)
        };
        let (summary, usage, lines) = report(&gz);
        assert_eq!(lines, 500);
        assert_eq!((summary, usage, lines), report(&plain));
    }
}
