//! Opening the activity log file.
//!
//! The file at `USER_ACTIVITY_LOG_PATH` is opened for appending, its directories created first.
//! A new file is readable and writable by its owner and readable by its group only (mode `0640`
//! on Unix): activity logs hold personal data.

use std::fs::{self, File, OpenOptions};
use std::io;
use std::path::Path;

/// Opens `path` for appending, creating it and its parent directories.
pub(crate) fn open_append(path: &Path) -> io::Result<File> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let mut options = OpenOptions::new();
    options.append(true).create(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o640);
    }
    options.open(path)
}
