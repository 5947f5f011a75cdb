//! The rotated log file.
//!
//! `user_activity.log` is the active file. When the next line would push it past
//! `LOG_FILE_MAX_SIZE`, or with `LOG_ROTATE_EVERY` when a line is written in a new UTC hour or
//! day, it becomes `user_activity.log.1`, the former `.1` becomes `.2`, and so on up to `.N`
//! (`N` = `LOG_FILE_BACKUP_COUNT`); older files are deleted, so at most `N` backups remain
//! (none when `N` is 0), and with `LOG_MAX_AGE` those last written longer ago go too (at start,
//! at each rotation and once an hour). With `LOG_COMPRESS=gzip` each backup is then compressed
//! in a thread of its own ([`compress`](super::compress)). Rotation happens between lines: a
//! line is never split across files, and a single line longer than the limit gets a file of
//! its own.
//!
//! A restart appends to the existing active file and counts the bytes already in it; if the last
//! run stopped in the middle of a line, that fragment is closed with a newline first, so the new
//! lines stay whole. If the active file is removed or renamed behind our back
//! (logrotate, an operator), the writer notices before its next batch and opens a new one at the
//! path; only lines written in the instant between the check and the write could go to the old
//! file. A write that fails is undone (the file is cut back to its last whole line) so no half
//! line is left behind, and retried once on a freshly opened file.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use chrono::{DateTime, Utc};

use super::backups::{Backups, same_file};
#[cfg(feature = "gzip")]
use super::compress::Compressor;
use super::destination::{Destination, Written};
use super::file::open_append;
use crate::config::{Config, LogRotation};

/// The source of "now" (the builder's clock, `Utc::now` by default).
type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// How often backups are checked for their age when nothing rotates.
const AGE_CHECK_MICROS: i64 = 3_600_000_000;

/// When the log file is rotated and how long its backups are kept.
#[derive(Clone)]
pub(crate) struct Policy {
    pub(crate) max_size: u64,
    pub(crate) backups: u32,
    pub(crate) every: LogRotation,
    pub(crate) max_age: Option<Duration>,
    #[cfg(feature = "gzip")]
    pub(crate) compress: crate::config::LogCompression,
    /// Now, for rotation by time and retention by age.
    pub(crate) clock: Clock,
}

impl Policy {
    pub(crate) fn of(config: &Config, clock: Option<Clock>) -> Self {
        Policy {
            max_size: config.log_file_max_size.max(1),
            backups: config.log_file_backup_count,
            every: config.log_rotate_every,
            max_age: config.log_max_age,
            #[cfg(feature = "gzip")]
            compress: config.log_compress,
            clock: clock.unwrap_or_else(|| Arc::new(Utc::now)),
        }
    }
}

/// A log file rotated by size and time, with numbered backups.
pub(crate) struct RotatingFile {
    path: PathBuf,
    policy: Policy,
    backups: Arc<Backups>,
    #[cfg(feature = "gzip")]
    compressor: Option<Compressor>,
    file: File,
    /// Bytes of whole lines in the active file.
    size: u64,
    /// The rotation period (`LOG_ROTATE_EVERY`) of the active file's lines, as a number.
    period: i64,
    /// When backups are next checked for their age (microseconds since the epoch).
    next_age_check: i64,
}

impl std::fmt::Debug for RotatingFile {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("RotatingFile")
            .field("path", &self.path)
            .field("size", &self.size)
            .finish_non_exhaustive()
    }
}

impl RotatingFile {
    /// Opens (or creates) the active file, keeping what it holds; clears what a crash left
    /// among the backups and compresses those left plain.
    pub(crate) fn open(path: &Path, policy: Policy) -> io::Result<Self> {
        let mut file = open_append(path)?;
        let metadata = file.metadata()?;
        let mut size = metadata.len();
        let now = (policy.clock)();
        // A file with lines belongs to the period it was last written in (read before the
        // newline below touches it).
        let written = match size {
            0 => now,
            _ => metadata.modified().map(DateTime::<Utc>::from).unwrap_or(now),
        };
        if size > 0 && !ends_with_newline(path, size)? {
            // The last run stopped mid-line: close the fragment so the next line starts whole.
            file.write_all(b"\n")?;
            size += 1;
        }
        let backups = Arc::new(Backups::new(path, policy.backups));
        let plain = backups.recover(&backups.lock())?;
        #[cfg(feature = "gzip")]
        let compressor = match policy.compress {
            crate::config::LogCompression::Gzip if policy.backups > 0 => {
                Some(Compressor::start(Arc::clone(&backups))?)
            }
            _ => None,
        };
        let mut rotating = RotatingFile {
            path: path.to_owned(),
            period: period_of(policy.every, written),
            policy,
            backups,
            #[cfg(feature = "gzip")]
            compressor,
            file,
            size,
            next_age_check: i64::MIN,
        };
        rotating.prune(now)?;
        let rotations = *rotating.backups.lock();
        for number in plain {
            rotating.compress(number, rotations);
        }
        Ok(rotating)
    }

    /// Hands backup `number` to the compressor, when backups are compressed.
    fn compress(&self, number: u64, rotations: u64) {
        #[cfg(feature = "gzip")]
        if let Some(compressor) = &self.compressor {
            compressor.compress(number, rotations);
        }
        // Without the feature, `LOG_COMPRESS=gzip` is refused by `Config::validate`.
        #[cfg(not(feature = "gzip"))]
        let _ = (number, rotations);
    }

    /// Deletes backups past the count and, with `LOG_MAX_AGE`, those too old at `now`.
    fn prune(&mut self, now: DateTime<Utc>) -> io::Result<()> {
        self.next_age_check = now.timestamp_micros().saturating_add(AGE_CHECK_MICROS);
        let max_age = self.policy.max_age.map(|age| (age, SystemTime::from(now)));
        self.backups.prune(&self.backups.lock(), max_age)
    }

    /// Shifts the backups up by one, makes the active file `.1`, and starts a new active file.
    /// When the path no longer names the file written (moved away, or a new file could not be
    /// opened after the last rotation), only a new file is opened: the backups stay as they are.
    fn rotate(&mut self, now: DateTime<Utc>) -> io::Result<()> {
        if !same_file(&self.file, &self.path) {
            return self.reopen();
        }
        let rotations = {
            let mut renaming = self.backups.lock();
            self.backups.rotate(&mut renaming)?;
            *renaming
        };
        // The new file first: lines must not go on into the backup whatever happens next. Only
        // then is `.1` compressed: while it is still written, a copy would miss lines (when the
        // new file cannot be opened, `.1` stays plain until the next start).
        self.reopen()?;
        if self.policy.backups > 0 {
            self.compress(1, rotations);
        }
        self.prune(now)
    }

    /// Opens the file at the path again (new or existing) and takes its size.
    fn reopen(&mut self) -> io::Result<()> {
        self.file = open_append(&self.path)?;
        self.size = self.file.metadata()?.len();
        Ok(())
    }

    /// Reopens when the path no longer names the file we write (deleted or moved away). One
    /// `stat` per batch, on the writer thread.
    fn follow_path(&mut self) -> io::Result<()> {
        if !same_file(&self.file, &self.path) {
            self.reopen()?;
        }
        Ok(())
    }

    /// Appends whole lines; on failure, cuts the file back to its last whole line and retries
    /// once on a reopened file.
    fn append(&mut self, bytes: &[u8]) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        let first = match self.file.write_all(bytes) {
            Ok(()) => {
                self.size += bytes.len() as u64;
                return Ok(());
            }
            Err(e) => e,
        };
        // Undo a partial write, then try once more on a fresh handle.
        let _ = self.file.set_len(self.size);
        if self.reopen().is_err() {
            return Err(first);
        }
        match self.file.write_all(bytes) {
            Ok(()) => {
                self.size += bytes.len() as u64;
                Ok(())
            }
            Err(e) => {
                let _ = self.file.set_len(self.size);
                Err(e)
            }
        }
    }
}

impl Destination for RotatingFile {
    fn write_lines(&mut self, bytes: &[u8], lens: &[u32]) -> Written {
        let mut written = Written::default();
        if let Err(e) = self.follow_path() {
            written.note_error(e);
        }
        // A batch's lines were logged within moments of each other: the batch is written in
        // the period it is written in. A clock that steps back does not rotate.
        let now = (self.policy.clock)();
        let period = period_of(self.policy.every, now);
        // A rotation that fails is tried again with the next batch, not with each line of this
        // one: each try moves the backups.
        let mut may_rotate = true;
        if period > self.period {
            match if self.size > 0 { self.rotate(now) } else { Ok(()) } {
                Ok(()) => self.period = period,
                Err(e) => {
                    written.note_error(e);
                    may_rotate = false;
                }
            }
        } else if now.timestamp_micros() >= self.next_age_check && self.policy.max_age.is_some() {
            if let Err(e) = self.prune(now) {
                written.note_error(e);
            }
        }
        let (mut start, mut end, mut lines) = (0usize, 0usize, 0usize);
        for &len in lens {
            let len = len as usize;
            let pending = (end - start) as u64;
            if may_rotate
                && self.size + pending + len as u64 > self.policy.max_size
                && self.size + pending > 0
            {
                written.add(lines, self.append(&bytes[start..end]));
                if let Err(e) = self.rotate(now) {
                    // Keep the lines: go on appending to the file we have, and say so.
                    written.note_error(e);
                    may_rotate = false;
                }
                (start, lines) = (end, 0);
            }
            end += len;
            lines += 1;
        }
        written.add(lines, self.append(&bytes[start..end]));
        written
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }

    fn describe(&self) -> String {
        self.path.display().to_string()
    }
}

/// Whether the file at `path`, `size` bytes long, ends with a newline.
fn ends_with_newline(path: &Path, size: u64) -> io::Result<bool> {
    use std::io::{Read, Seek, SeekFrom};
    let mut file = File::open(path)?;
    file.seek(SeekFrom::Start(size - 1))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)?;
    Ok(last[0] == b'\n')
}

/// The number of the rotation period that holds `at` (0 when rotating by size only).
fn period_of(every: LogRotation, at: DateTime<Utc>) -> i64 {
    every.period_micros().map_or(0, |period| at.timestamp_micros().div_euclid(period))
}

#[cfg(test)]
mod tests {
    use std::fs;
    use std::sync::atomic::{AtomicI64, Ordering};

    use chrono::TimeZone;

    use super::*;

    fn policy(every: LogRotation, clock: Arc<AtomicI64>) -> Policy {
        Policy {
            max_size: 1 << 20,
            backups: 3,
            every,
            max_age: None,
            #[cfg(feature = "gzip")]
            compress: crate::config::LogCompression::None,
            clock: Arc::new(move || Utc.timestamp_micros(clock.load(Ordering::Relaxed)).unwrap()),
        }
    }

    fn line(file: &mut RotatingFile, text: &str) {
        let written = file.write_lines(text.as_bytes(), &[text.len() as u32]);
        assert_eq!((written.lines, written.failed), (1, 0), "{:?}", written.error);
    }

    fn read(path: &Path, suffix: &str) -> Option<String> {
        fs::read_to_string(format!("{}{suffix}", path.display())).ok()
    }

    #[test]
    fn a_rotation_with_the_file_gone_opens_a_new_one_and_moves_no_backup() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let clock = Arc::new(AtomicI64::new(0));
        let mut file = RotatingFile::open(&path, policy(LogRotation::Never, clock)).unwrap();
        fs::write(format!("{}.1", path.display()), "one\n").unwrap();
        line(&mut file, "x\n");
        // The path no longer names the file written (moved away, or never reopened).
        fs::remove_file(&path).unwrap();
        file.rotate(Utc::now()).unwrap();
        line(&mut file, "y\n");
        assert_eq!(read(&path, ".1").as_deref(), Some("one\n"), "the backups stay as they are");
        assert_eq!(read(&path, ".2"), None);
        assert_eq!(read(&path, "").as_deref(), Some("y\n"));
    }

    #[test]
    fn a_clock_that_steps_back_does_not_rotate() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        let hour = 3_600_000_000;
        let clock = Arc::new(AtomicI64::new(10 * hour + 1));
        let mut file = RotatingFile::open(&path, policy(LogRotation::Hourly, Arc::clone(&clock))).unwrap();
        line(&mut file, "10:00\n");
        clock.store(10 * hour - 1, Ordering::Relaxed);
        line(&mut file, "09:59\n");
        clock.store(10 * hour + 2, Ordering::Relaxed);
        line(&mut file, "10:00 again\n");
        assert_eq!(read(&path, ".1"), None, "no rotation back and forth");
        clock.store(11 * hour, Ordering::Relaxed);
        line(&mut file, "11:00\n");
        assert_eq!(read(&path, ".1").as_deref(), Some("10:00\n09:59\n10:00 again\n"));
    }

    #[test]
    fn a_torn_file_of_an_earlier_hour_is_rotated_at_the_first_line() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.log");
        fs::write(&path, "{\"torn").unwrap();
        let hour_ago = std::time::SystemTime::now() - Duration::from_secs(3_700);
        fs::File::options().write(true).open(&path).unwrap().set_modified(hour_ago).unwrap();
        let clock = Arc::new(AtomicI64::new(Utc::now().timestamp_micros()));
        let mut file = RotatingFile::open(&path, policy(LogRotation::Hourly, clock)).unwrap();
        line(&mut file, "new\n");
        assert_eq!(read(&path, ".1").as_deref(), Some("{\"torn\n"));
        assert_eq!(read(&path, "").as_deref(), Some("new\n"));
    }
}
