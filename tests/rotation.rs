//! The size-rotated log file: every line exactly once, never split, exactly N backups, restarts.

mod common;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use common::{emit_numbered, rotated_file};
use serde_json::Value;
use tracing_activity::{ActionType, ActivityGuard, Builder, Config, user_action};
use tracing_subscriber::prelude::*;

fn start(config: Config) -> (tracing::Dispatch, ActivityGuard) {
    let tracing_activity::Activity { layer, guard, .. } =
        Builder::new().config(config).build().expect("builds");
    (tracing::Dispatch::new(tracing_subscriber::registry().with(layer)), guard)
}

/// The active file and its backups, oldest first, as they are on disk.
fn files_oldest_first(path: &Path) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = (1..10_000)
        .map(|n| PathBuf::from(format!("{}.{n}", path.display())))
        .take_while(|p| p.exists())
        .collect();
    files.reverse();
    files.push(path.to_owned());
    files
}

fn backups(path: &Path) -> usize {
    files_oldest_first(path).len() - 1
}

/// Every line of every file, oldest first, checking that each is whole, valid JSON and that no
/// file exceeds `max_size`.
fn read_lines(path: &Path, max_size: u64) -> Vec<Value> {
    let mut out = Vec::new();
    for file in files_oldest_first(path) {
        let text = fs::read_to_string(&file).unwrap();
        assert!(text.len() as u64 <= max_size, "{} holds {} bytes > {max_size}", file.display(), text.len());
        assert!(text.is_empty() || text.ends_with('\n'), "{} ends in a partial line", file.display());
        out.extend(text.lines().map(common::parse_strict));
    }
    out
}

fn seq(line: &Value) -> (u64, u64) {
    let data = &line["action"]["data"];
    (data["thread"].as_u64().unwrap(), data["seq"].as_u64().unwrap())
}

#[test]
fn many_threads_through_rotation_keep_every_line_exactly_once_in_order() {
    const THREADS: u64 = 8;
    const PER_THREAD: u64 = 10_000;
    const MAX: u64 = 256 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");
    let (dispatch, guard) = start(rotated_file(&path, MAX, 1_000));
    std::thread::scope(|s| {
        for t in 0..THREADS {
            let dispatch = &dispatch;
            s.spawn(move || emit_numbered(dispatch, t, 0..PER_THREAD));
        }
    });
    let stats = guard.close();
    assert_eq!(
        (stats.file_lines, stats.file_dropped, stats.file_write_errors, stats.file_unflushed),
        (THREADS * PER_THREAD, 0, 0, 0)
    );

    let lines = read_lines(&path, MAX);
    assert!(backups(&path) > 50, "the test should rotate many times, rotated {}", backups(&path));
    assert_eq!(lines.len() as u64, THREADS * PER_THREAD);
    let mut next: HashMap<u64, u64> = HashMap::new();
    for line in &lines {
        let (thread, seq) = seq(line);
        let expected = next.entry(thread).or_default();
        assert_eq!(seq, *expected, "thread {thread}: lines out of order or missing across files");
        *expected += 1;
    }
    assert!((0..THREADS).all(|t| next[&t] == PER_THREAD));
}

#[test]
fn exactly_n_backups_remain_and_they_hold_the_newest_lines() {
    const MAX: u64 = 16 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");
    let (dispatch, guard) = start(rotated_file(&path, MAX, 3));
    emit_numbered(&dispatch, 0, 0..2_000);
    assert_eq!(guard.close().file_lines, 2_000);
    assert_eq!(backups(&path), 3);
    assert!(!PathBuf::from(format!("{}.4", path.display())).exists());
    let seqs: Vec<u64> = read_lines(&path, MAX).iter().map(|l| seq(l).1).collect();
    assert_eq!(*seqs.last().unwrap(), 1_999, "the newest line is in the active file");
    assert!(seqs.windows(2).all(|w| w[1] == w[0] + 1), "the kept lines are the newest, in order");
    assert!(seqs.len() > 3 * 10, "backups are full files");
}

#[test]
fn no_backups_means_the_file_starts_over() {
    const MAX: u64 = 8 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");
    let (dispatch, guard) = start(rotated_file(&path, MAX, 0));
    emit_numbered(&dispatch, 0, 0..500);
    drop(guard);
    assert_eq!(backups(&path), 0);
    let seqs: Vec<u64> = read_lines(&path, MAX).iter().map(|l| seq(l).1).collect();
    assert_eq!(*seqs.last().unwrap(), 499);
}

#[test]
fn a_restart_appends_and_keeps_exactly_n_backups() {
    const MAX: u64 = 8 * 1024;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");

    let (dispatch, guard) = start(rotated_file(&path, MAX, 2));
    emit_numbered(&dispatch, 0, 0..40);
    drop(guard);
    assert_eq!(backups(&path), 2, "40 lines of ~450 bytes fill more than two 8 KiB files");
    let before: Vec<Vec<u8>> = files_oldest_first(&path).iter().map(|f| fs::read(f).unwrap()).collect();

    // Starting again touches nothing; the first line is appended to the active file.
    let (dispatch, guard) = start(rotated_file(&path, MAX, 2));
    let after_start: Vec<Vec<u8>> = files_oldest_first(&path).iter().map(|f| fs::read(f).unwrap()).collect();
    assert_eq!(before, after_start);
    emit_numbered(&dispatch, 1, 0..1);
    assert_eq!(guard.flush(), 0);
    let active = fs::read(&path).unwrap();
    let old_active = before.last().unwrap();
    assert!(
        old_active.len() as u64 + 1_000 < MAX,
        "the test needs room in the active file: {}",
        old_active.len()
    );
    assert!(active.starts_with(old_active) && active.len() > old_active.len(), "appended, not truncated");
    emit_numbered(&dispatch, 1, 1..100);
    assert_eq!(guard.close().file_lines, 100);
    assert_eq!(backups(&path), 2);
    let lines = read_lines(&path, MAX);
    assert_eq!(seq(lines.last().unwrap()), (1, 99));
}

#[test]
fn an_oversized_line_gets_a_file_of_its_own() {
    const MAX: u64 = 1024;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");
    let (dispatch, guard) = start(rotated_file(&path, MAX, 5));
    tracing::dispatcher::with_default(&dispatch, || {
        user_action!(ActionType::Click, "small", n = 1);
        user_action!(ActionType::Click, "x".repeat(4_000), n = 2);
        user_action!(ActionType::Click, "small", n = 3);
    });
    drop(guard);
    let files = files_oldest_first(&path);
    let counts: Vec<usize> = files.iter().map(|f| fs::read_to_string(f).unwrap().lines().count()).collect();
    assert_eq!(counts, [1, 1, 1], "{files:?}");
    let big = fs::read_to_string(&files[1]).unwrap();
    assert!(big.len() > 4_000 && common::parse_strict(big.trim_end())["action"]["data"]["n"] == 2);
}

#[test]
fn a_deleted_log_file_is_recreated() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");
    let (dispatch, guard) = start(rotated_file(&path, 1 << 20, 2));
    emit_numbered(&dispatch, 0, 0..1);
    assert_eq!(guard.flush(), 0);
    fs::remove_file(&path).unwrap();
    emit_numbered(&dispatch, 0, 1..3);
    assert_eq!(guard.flush(), 0);
    let seqs: Vec<u64> = read_lines(&path, 1 << 20).iter().map(|l| seq(l).1).collect();
    assert_eq!(seqs, [1, 2]);
    assert_eq!(guard.close().file_write_errors, 0);
}

#[cfg(unix)]
#[test]
fn rotated_files_are_not_world_readable() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");
    let (dispatch, guard) = start(rotated_file(&path, 4 * 1024, 3));
    emit_numbered(&dispatch, 0, 0..40);
    drop(guard);
    for file in files_oldest_first(&path) {
        let mode = fs::metadata(&file).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode & 0o007, 0, "{} has mode {mode:o}", file.display());
    }
}

fn backup_path(path: &Path, n: u32) -> PathBuf {
    PathBuf::from(format!("{}.{n}", path.display()))
}

#[test]
fn a_restart_after_a_cut_last_line_keeps_new_lines_whole() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");
    fs::write(&path, "{\"timestamp\":\"2024-01-1").unwrap();
    let (dispatch, guard) = start(rotated_file(&path, 1 << 20, 2));
    emit_numbered(&dispatch, 0, 0..1);
    assert_eq!(guard.close().file_lines, 1);
    let text = fs::read_to_string(&path).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], "{\"timestamp\":\"2024-01-1", "the old fragment is kept, closed by a newline");
    assert_eq!(seq(&common::parse_strict(lines[1])), (0, 0));
}

#[test]
fn a_rotation_with_the_active_file_gone_keeps_the_backup_and_the_lines() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");
    let (dispatch, guard) = start(rotated_file(&path, 2048, 1));
    emit_numbered(&dispatch, 0, 0..20);
    assert_eq!(guard.flush(), 0);
    assert!(backup_path(&path, 1).exists());
    fs::remove_file(&path).unwrap();
    emit_numbered(&dispatch, 0, 20..25);
    assert_eq!(guard.flush(), 0);
    let stats = guard.close();
    let on_disk: Vec<u64> = read_lines(&path, 2048).iter().map(|l| seq(l).1).collect();
    assert!(on_disk.ends_with(&[24]), "the newest line is on disk: {on_disk:?}");
    let lost = 25 - stats.file_lines;
    assert_eq!(lost, 0, "{stats:?}");
    // Lines 20..25 are in the new active file or the backup made from it, never in the deleted one.
    let all: Vec<u64> = [backup_path(&path, 1), path.clone()]
        .iter()
        .flat_map(|f| {
            fs::read_to_string(f)
                .unwrap()
                .lines()
                .map(|l| seq(&common::parse_strict(l)).1)
                .collect::<Vec<_>>()
        })
        .collect();
    for n in 20..25 {
        assert!(all.contains(&n), "line {n} is on disk: {all:?}");
    }
}

#[test]
fn backups_beyond_the_count_are_deleted_even_past_a_gap() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("user_activity.log");
    for n in [1, 2, 4, 5] {
        fs::write(backup_path(&path, n), "{}\n").unwrap();
    }
    let (dispatch, guard) = start(rotated_file(&path, 1024, 2));
    let at_start: Vec<u32> = (1..=6).filter(|&n| backup_path(&path, n).exists()).collect();
    assert_eq!(at_start, [1, 2], "a start prunes to the configured count");
    emit_numbered(&dispatch, 0, 0..20);
    drop(guard);
    let left: Vec<u32> = (1..=6).filter(|&n| backup_path(&path, n).exists()).collect();
    assert_eq!(left, [1, 2]);
}
