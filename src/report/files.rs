//! Which files a report reads: the active log and its size-rotated backups, oldest first.

use std::fmt;
use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};

use crate::sink::backups::backup_number;

/// The files of one activity log, oldest first: `user_activity.log.N` … `.1`, then
/// `user_activity.log` (the layer's rotation makes `.1` the newest backup). A backup may be
/// gzip-compressed (`.N.gz`, `LOG_COMPRESS=gzip`): it is read decompressed.
///
/// ```no_run
/// use tracing_activity::report::LogFiles;
///
/// let logs = LogFiles::discover("logs/user_activity.log")?;
/// for path in logs.paths() {
///     println!("{}", path.display());
/// }
/// # Ok::<(), tracing_activity::report::ReportError>(())
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LogFiles {
    paths: Vec<PathBuf>,
    /// How many of the first paths are backups found beside the log: one that is gone when the
    /// scan opens it (rotated past the count, or too old) is left out.
    found_backups: usize,
}

impl LogFiles {
    /// The active file at `path` and every backup beside it (`path.1`, `path.2.gz`, …, gaps
    /// allowed), oldest first. A backup both plain and compressed (the moment a compression
    /// puts its file in place) is read once, compressed.
    ///
    /// # Errors
    /// [`ReportError::NotFound`] when neither the file nor any backup exists, and
    /// [`ReportError::Read`] when its directory cannot be listed.
    pub fn discover(path: impl AsRef<Path>) -> Result<Self, ReportError> {
        let path = path.as_ref();
        let not_found = || ReportError::NotFound { path: path.to_owned() };
        let name = path.file_name().and_then(|n| n.to_str()).ok_or_else(not_found)?;
        let dir = match path.parent() {
            Some(dir) if !dir.as_os_str().is_empty() => dir,
            _ => Path::new("."),
        };
        let entries = match dir.read_dir() {
            Ok(entries) => entries,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Err(not_found()),
            Err(source) => return Err(ReportError::Read { path: dir.to_owned(), source }),
        };
        let mut backups: Vec<(u64, bool, PathBuf)> = entries
            .filter_map(Result::ok)
            .filter_map(|entry| {
                let (number, gzip) = backup_number(entry.file_name().to_str()?, name)?;
                Some((number, gzip, entry.path()))
            })
            .collect();
        // The highest number is the oldest; of a plain and a compressed `.N`, the compressed.
        backups.sort_by_key(|(number, gzip, _)| (std::cmp::Reverse(*number), !*gzip));
        backups.dedup_by_key(|(number, _, _)| *number);
        let mut paths: Vec<PathBuf> = backups.into_iter().map(|(_, _, path)| path).collect();
        let found_backups = paths.len();
        if path.exists() {
            paths.push(path.to_owned());
        }
        if paths.is_empty() {
            return Err(not_found());
        }
        Ok(LogFiles { paths, found_backups })
    }

    /// Exactly these files, read in this order.
    pub fn from_paths(paths: impl IntoIterator<Item = impl Into<PathBuf>>) -> Self {
        LogFiles { paths: paths.into_iter().map(Into::into).collect(), found_backups: 0 }
    }

    /// The files, in the order they are read.
    pub fn paths(&self) -> &[PathBuf] {
        &self.paths
    }

    /// Opens every file, so that a rotation during the scan cannot move one away: each is read
    /// up to the length it had when opened. A plain backup compressed since it was found is
    /// read compressed; a found backup deleted since is left out.
    pub(crate) fn open(&self) -> Result<Vec<(File, u64, PathBuf)>, ReportError> {
        self.paths
            .iter()
            .enumerate()
            .filter_map(|(i, path)| match Self::open_one(path) {
                Err(ReportError::NotFound { .. }) if i < self.found_backups => None,
                opened => Some(opened),
            })
            .collect()
    }

    /// Opens `path`, or its compressed copy when a plain backup was compressed since.
    fn open_one(path: &Path) -> Result<(File, u64, PathBuf), ReportError> {
        let (file, path) = match File::open(path) {
            Err(e) if e.kind() == io::ErrorKind::NotFound && !is_gzip(path) => {
                let mut compressed = path.as_os_str().to_owned();
                compressed.push(".gz");
                let compressed = PathBuf::from(compressed);
                (File::open(&compressed).map_err(|_| e), compressed)
            }
            opened => (opened, path.to_owned()),
        };
        let file = file.map_err(|e| match e.kind() {
            io::ErrorKind::NotFound => ReportError::NotFound { path: path.clone() },
            _ => ReportError::Read { path: path.clone(), source: e },
        })?;
        let len = file.metadata().map_err(|source| ReportError::Read { path: path.clone(), source })?.len();
        Ok((file, len, path))
    }
}

/// Whether `path` is a gzip-compressed backup (`user_activity.log.1.gz`).
pub(crate) fn is_gzip(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "gz")
}

/// Why a report could not be made.
#[derive(Debug)]
#[non_exhaustive]
pub enum ReportError {
    /// No log file (nor any backup) at this path.
    NotFound {
        /// The path that was looked for.
        path: PathBuf,
    },
    /// A log file or its directory could not be read.
    Read {
        /// The file or directory.
        path: PathBuf,
        /// The cause.
        source: io::Error,
    },
}

impl fmt::Display for ReportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReportError::NotFound { path } => {
                write!(f, "no activity log at {} (nor any rotated backup of it)", path.display())
            }
            ReportError::Read { path, source } => write!(f, "cannot read {}: {source}", path.display()),
        }
    }
}

impl std::error::Error for ReportError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            ReportError::NotFound { .. } => None,
            ReportError::Read { source, .. } => Some(source),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backups_come_oldest_first_and_strangers_are_left_out() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("user_activity.log");
        for name in [
            "user_activity.log",
            "user_activity.log.1",
            "user_activity.log.2",
            "user_activity.log.10",
            "user_activity.log.x",
            "user_activity.log.1.tmp",
            "user_activity.logs",
            "other.log.3",
        ] {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        let found = LogFiles::discover(&log).unwrap();
        let names: Vec<_> = found.paths().iter().map(|p| p.file_name().unwrap().to_str().unwrap()).collect();
        assert_eq!(
            names,
            ["user_activity.log.10", "user_activity.log.2", "user_activity.log.1", "user_activity.log"]
        );
    }

    #[test]
    fn backups_that_go_or_get_compressed_after_discovery_are_read_as_they_are_now() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("user_activity.log");
        for name in ["user_activity.log", "user_activity.log.1", "user_activity.log.2", "user_activity.log.3"]
        {
            std::fs::write(dir.path().join(name), name).unwrap();
        }
        let found = LogFiles::discover(&log).unwrap();
        // Between the listing and the scan: `.3` is deleted (past the count, or too old) and
        // `.1` is compressed.
        std::fs::remove_file(dir.path().join("user_activity.log.3")).unwrap();
        std::fs::rename(dir.path().join("user_activity.log.1"), dir.path().join("user_activity.log.1.gz"))
            .unwrap();
        let opened: Vec<String> = found
            .open()
            .unwrap()
            .iter()
            .map(|(_, _, p)| p.file_name().unwrap().to_str().unwrap().to_owned())
            .collect();
        assert_eq!(opened, ["user_activity.log.2", "user_activity.log.1.gz", "user_activity.log"]);
        // Files named by the caller are not left out.
        std::fs::remove_file(dir.path().join("user_activity.log.2")).unwrap();
        let named = LogFiles::from_paths([dir.path().join("user_activity.log.2")]);
        assert!(matches!(named.open(), Err(ReportError::NotFound { .. })));
    }

    #[test]
    fn a_missing_log_names_its_path() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("nothing.log");
        let error = LogFiles::discover(&log).unwrap_err();
        assert!(matches!(error, ReportError::NotFound { .. }));
        assert!(error.to_string().contains(&log.display().to_string()), "{error}");
        let error = LogFiles::discover(dir.path().join("missing-dir/a.log")).unwrap_err();
        assert!(matches!(error, ReportError::NotFound { .. }), "{error}");
    }

    #[test]
    fn backups_alone_are_a_log() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("a.log.1"), "").unwrap();
        let found = LogFiles::discover(dir.path().join("a.log")).unwrap();
        assert_eq!(found.paths(), [dir.path().join("a.log.1")]);
    }
}
