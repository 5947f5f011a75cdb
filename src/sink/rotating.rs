//! The size-rotated log file.
//!
//! `user_activity.log` is the active file. When the next line would push it past
//! `LOG_FILE_MAX_SIZE`, it becomes `user_activity.log.1`, the former `.1` becomes `.2`, and so on
//! up to `.N` (`N` = `LOG_FILE_BACKUP_COUNT`); older files are deleted, so exactly `N` backups
//! remain (none when `N` is 0). Rotation happens between lines: a line is never split across
//! files, and a single line longer than the limit gets a file of its own.
//!
//! A restart appends to the existing active file and counts the bytes already in it; if the last
//! run stopped in the middle of a line, that fragment is closed with a newline first, so the new
//! lines stay whole. Backups beyond the count (left by a run with more backups) are deleted at
//! start and at each rotation. If the active file is removed or renamed behind our back
//! (logrotate, an operator), the writer notices before its next batch and opens a new one at the
//! path; only lines written in the instant between the check and the write could go to the old
//! file. A write that fails is undone (the file is cut back to its last whole line) so no half
//! line is left behind, and retried once on a freshly opened file.

use std::ffi::OsString;
use std::fs::{self, File};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use super::destination::{Destination, Written};
use super::file::open_append;

/// A log file rotated by size, with numbered backups.
#[derive(Debug)]
pub(crate) struct RotatingFile {
    path: PathBuf,
    max_size: u64,
    backups: u32,
    file: File,
    /// Bytes of whole lines in the active file.
    size: u64,
}

impl RotatingFile {
    /// Opens (or creates) the active file, keeping what it holds.
    pub(crate) fn open(path: &Path, max_size: u64, backups: u32) -> io::Result<Self> {
        let mut file = open_append(path)?;
        let mut size = file.metadata()?.len();
        if size > 0 && !ends_with_newline(path, size)? {
            // The last run stopped mid-line: close the fragment so the next line starts whole.
            file.write_all(b"\n")?;
            size += 1;
        }
        let rotating = RotatingFile { path: path.to_owned(), max_size: max_size.max(1), backups, file, size };
        rotating.prune()?;
        Ok(rotating)
    }

    /// The path of backup `n` (`user_activity.log.n`).
    fn backup(&self, n: u32) -> PathBuf {
        let mut name = OsString::from(self.path.as_os_str());
        name.push(format!(".{n}"));
        PathBuf::from(name)
    }

    /// Shifts the backups up by one, makes the active file `.1`, and starts a new active file.
    fn rotate(&mut self) -> io::Result<()> {
        if self.backups == 0 {
            remove_if_present(&self.path)?;
        } else {
            for n in (1..self.backups).rev() {
                let from = self.backup(n);
                if from.exists() {
                    replace(&from, &self.backup(n + 1))?;
                }
            }
            replace(&self.path, &self.backup(1))?;
        }
        self.prune()?;
        self.reopen()
    }

    /// Deletes backups numbered above the count (left by a run with more backups).
    fn prune(&self) -> io::Result<()> {
        let dir = match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let Some(name) = self.path.file_name() else { return Ok(()) };
        let prefix = format!("{}.", name.to_string_lossy());
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let file_name = entry.file_name();
            let number =
                file_name.to_str().and_then(|f| f.strip_prefix(&prefix)).and_then(|n| n.parse::<u64>().ok());
            if number.is_some_and(|n| n > u64::from(self.backups)) {
                remove_if_present(&entry.path())?;
            }
        }
        Ok(())
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
        let (mut start, mut end, mut lines) = (0usize, 0usize, 0usize);
        for &len in lens {
            let len = len as usize;
            let pending = (end - start) as u64;
            if self.size + pending + len as u64 > self.max_size && self.size + pending > 0 {
                written.add(lines, self.append(&bytes[start..end]));
                if let Err(e) = self.rotate() {
                    // Keep the lines: go on appending to the file we have, and say so.
                    written.note_error(e);
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

/// Renames `from` over `to`, replacing it (also on systems where rename does not). A missing
/// `from` (deleted behind our back) is not an error and leaves `to` alone.
fn replace(from: &Path, to: &Path) -> io::Result<()> {
    match fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::NotFound => Ok(()),
        Err(e) if from.exists() && to.exists() => {
            remove_if_present(to)?;
            fs::rename(from, to).map_err(|_| e)
        }
        Err(e) => Err(e),
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

fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}
