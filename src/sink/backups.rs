//! The rotated backups beside the log file: `user_activity.log.1` (the newest) up to `.N`,
//! each plain or gzip-compressed (`.1.gz`).
//!
//! Backups are renamed only under one lock, taken by the writer to rotate and by the
//! compressor to put a compressed file in place of a plain one; the writer never waits for a
//! compression, only for a few renames. Each rotation moves every backup one number up, and
//! the lock counts the rotations, so a compression started before some finds its backup that
//! many numbers higher (or gone past `.N`).

use std::fs::{self, File};
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime};

/// What the files being compressed are named after: `user_activity.log.compressing-<pid>`.
const COMPRESSING: &str = ".compressing-";

/// The backups of one log file.
#[derive(Debug)]
pub(crate) struct Backups {
    /// The active file.
    path: PathBuf,
    /// How many are kept (`LOG_FILE_BACKUP_COUNT`).
    count: u32,
    /// Rotations so far.
    rotations: Mutex<u64>,
}

/// The backup lock, held while backups are renamed; it holds the number of rotations so far.
pub(crate) type Renaming<'a> = MutexGuard<'a, u64>;

/// A backup on disk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Backup {
    pub(crate) number: u64,
    pub(crate) gzip: bool,
    pub(crate) path: PathBuf,
}

impl Backups {
    pub(crate) fn new(path: &Path, count: u32) -> Self {
        Backups { path: path.to_owned(), count, rotations: Mutex::new(0) }
    }

    #[cfg(feature = "gzip")]
    pub(crate) fn count(&self) -> u32 {
        self.count
    }

    /// Takes the backup lock.
    pub(crate) fn lock(&self) -> Renaming<'_> {
        self.rotations.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// `user_activity.log.n`, plain.
    pub(crate) fn plain(&self, n: u64) -> PathBuf {
        self.with_suffix(&format!(".{n}"))
    }

    /// `user_activity.log.n.gz`.
    pub(crate) fn gzip(&self, n: u64) -> PathBuf {
        self.with_suffix(&format!(".{n}.gz"))
    }

    /// Where this process compresses a backup before it takes its place: never read as a
    /// backup, and no other process's.
    #[cfg(feature = "gzip")]
    pub(crate) fn compressing(&self) -> PathBuf {
        self.with_suffix(&format!("{COMPRESSING}{}", std::process::id()))
    }

    fn with_suffix(&self, suffix: &str) -> PathBuf {
        let mut name = self.path.clone().into_os_string();
        name.push(suffix);
        PathBuf::from(name)
    }

    /// The directory the files are in.
    fn dir(&self) -> &Path {
        match self.path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        }
    }

    /// The backups on disk, in any order.
    pub(crate) fn on_disk(&self, _renaming: &Renaming<'_>) -> io::Result<Vec<Backup>> {
        let Some(name) = self.path.file_name().and_then(|n| n.to_str()) else { return Ok(Vec::new()) };
        let mut found = Vec::new();
        for entry in fs::read_dir(self.dir())? {
            let entry = entry?;
            let file_name = entry.file_name();
            let Some((number, gzip)) = file_name.to_str().and_then(|f| backup_number(f, name)) else {
                continue;
            };
            found.push(Backup { number, gzip, path: entry.path() });
        }
        Ok(found)
    }

    /// Deletes the oldest backup (`.N`, plain or compressed), moves every other one number up
    /// and makes the active file `.1`; with no backups kept, deletes the active file.
    pub(crate) fn rotate(&self, renaming: &mut Renaming<'_>) -> io::Result<()> {
        if self.count == 0 {
            return remove_if_present(&self.path);
        }
        let oldest = u64::from(self.count);
        remove_if_present(&self.plain(oldest))?;
        remove_if_present(&self.gzip(oldest))?;
        for n in (1..oldest).rev() {
            for (from, to) in [(self.plain(n), self.plain(n + 1)), (self.gzip(n), self.gzip(n + 1))] {
                if from.exists() {
                    replace(&from, &to)?;
                }
            }
        }
        replace(&self.path, &self.plain(1))?;
        **renaming += 1;
        Ok(())
    }

    /// Deletes the backups past the count (left by a run that kept more), and, with `max_age`,
    /// those last written before `now - max_age`.
    pub(crate) fn prune(
        &self,
        renaming: &Renaming<'_>,
        max_age: Option<(Duration, SystemTime)>,
    ) -> io::Result<()> {
        let oldest = max_age.and_then(|(age, now)| now.checked_sub(age));
        for backup in self.on_disk(renaming)? {
            let too_old = || match (oldest, fs::metadata(&backup.path).and_then(|m| m.modified())) {
                (Some(oldest), Ok(modified)) => modified < oldest,
                _ => false,
            };
            if backup.number > u64::from(self.count) || too_old() {
                remove_if_present(&backup.path)?;
            }
        }
        Ok(())
    }

    /// Clears what a crash during a compression left: unfinished files, and a plain backup
    /// beside its finished compressed copy. Returns the plain backups left, oldest first.
    pub(crate) fn recover(&self, renaming: &Renaming<'_>) -> io::Result<Vec<u64>> {
        let unfinished = self.with_suffix(COMPRESSING);
        let unfinished = unfinished.file_name().and_then(|n| n.to_str()).unwrap_or(COMPRESSING);
        for entry in fs::read_dir(self.dir())? {
            let entry = entry?;
            if entry.file_name().to_str().is_some_and(|name| name.starts_with(unfinished)) {
                remove_if_present(&entry.path())?;
            }
        }
        let backups = self.on_disk(renaming)?;
        let mut plain = Vec::new();
        for backup in backups.iter().filter(|b| !b.gzip) {
            if backups.iter().any(|b| b.gzip && b.number == backup.number) {
                // The compressed copy is put in place whole (a rename) before the plain file goes.
                remove_if_present(&backup.path)?;
            } else if backup.number <= u64::from(self.count) {
                plain.push(backup.number);
            }
        }
        plain.sort_unstable_by(|a, b| b.cmp(a));
        Ok(plain)
    }
}

/// The number of a backup's file name, and whether it is compressed: `name.3` or `name.3.gz`.
pub(crate) fn backup_number(file_name: &str, name: &str) -> Option<(u64, bool)> {
    let suffix = file_name.strip_prefix(name)?.strip_prefix('.')?;
    let (digits, gzip) = match suffix.strip_suffix(".gz") {
        Some(digits) => (digits, true),
        None => (suffix, false),
    };
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((digits.parse().ok()?, gzip))
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

pub(crate) fn remove_if_present(path: &Path) -> io::Result<()> {
    match fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
        _ => Ok(()),
    }
}

/// Whether `path` still names the open `file`.
#[cfg(unix)]
pub(crate) fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), fs::metadata(path)) {
        (Ok(a), Ok(b)) => a.dev() == b.dev() && a.ino() == b.ino(),
        _ => false,
    }
}

#[cfg(not(unix))]
pub(crate) fn same_file(_file: &File, path: &Path) -> bool {
    path.exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_rotation_pushes_out_the_oldest_whichever_its_form() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("user_activity.log");
        let backups = Backups::new(&path, 3);
        // `.3` is compressed, `.2` not yet: after the rotation `.3` must be the former `.2`.
        for (suffix, text) in [("", "active"), (".1", "one"), (".2", "two"), (".3.gz", "three")] {
            fs::write(backups.with_suffix(suffix), text).unwrap();
        }
        backups.rotate(&mut backups.lock()).unwrap();
        let read = |suffix: &str| fs::read_to_string(backups.with_suffix(suffix)).ok();
        assert_eq!(read(".1").as_deref(), Some("active"));
        assert_eq!(read(".2").as_deref(), Some("one"));
        assert_eq!(read(".3").as_deref(), Some("two"));
        assert_eq!((read(".3.gz"), read(".4"), read("")), (None, None, None));
        assert_eq!(*backups.lock(), 1, "one rotation counted");
    }

    #[test]
    fn backup_names_are_a_number_and_maybe_gz() {
        let name = "user_activity.log";
        assert_eq!(backup_number("user_activity.log.1", name), Some((1, false)));
        assert_eq!(backup_number("user_activity.log.12.gz", name), Some((12, true)));
        for other in [
            "user_activity.log",
            "user_activity.log.gz",
            "user_activity.log.compressing",
            "user_activity.log.1.gz.tmp",
            "user_activity.log.+1",
            "user_activity.log.1a",
            "other.log.1",
        ] {
            assert_eq!(backup_number(other, name), None, "{other}");
        }
    }
}
