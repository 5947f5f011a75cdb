//! Gzip compression of rotated backups (`LOG_COMPRESS=gzip`), in a thread of its own so that
//! the writer never waits for it.
//!
//! A backup is compressed into `user_activity.log.compressing-<pid>`, synced to disk, given
//! the backup's modification time (which retention by age reads), and only then renamed to
//! `.N.gz`, after which the plain `.N` is deleted. A crash at any point leaves the plain
//! backup, or the complete compressed one (and perhaps the plain one beside it, deleted at the
//! next start): never a torn `.gz`. Whatever fails, the plain backup stays. At shutdown the
//! compression under way is abandoned (the next start does it again), so closing never waits
//! for it.

use std::fs::{self, File, OpenOptions};
use std::io::{self, BufReader, BufWriter, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{self, Sender};
use std::thread::{self, JoinHandle};

use flate2::Compression;
use flate2::write::GzEncoder;

use super::backups::{Backups, remove_if_present, same_file};
use super::notice;

/// The compressing thread of one log file.
#[derive(Debug)]
pub(crate) struct Compressor {
    jobs: Option<Sender<Job>>,
    closing: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

/// Backup `number` as it was named after `rotations` rotations.
#[derive(Debug, Clone, Copy)]
struct Job {
    number: u64,
    rotations: u64,
}

impl Job {
    /// The job's backup's number now, after `rotations`; `None` once it is past the count.
    fn number_now(self, rotations: u64, count: u32) -> Option<u64> {
        let number = self.number + rotations.saturating_sub(self.rotations);
        (number <= u64::from(count)).then_some(number)
    }
}

impl Compressor {
    pub(crate) fn start(backups: Arc<Backups>) -> io::Result<Self> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let closing = Arc::new(AtomicBool::new(false));
        let stop = Arc::clone(&closing);
        let thread = thread::Builder::new().name("activity-gzip".into()).spawn(move || {
            // Told once per run of failures; a backup that cannot be compressed stays plain.
            let mut told = false;
            for job in queue {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                match compress(&backups, job, &stop) {
                    Ok(()) => told = false,
                    Err(_) if stop.load(Ordering::Relaxed) => break,
                    Err(e) if !told => {
                        told = true;
                        notice(format_args!(
                            "tracing-activity: cannot compress a backup of {}: {e}; it stays plain",
                            backups.plain(job.number).display()
                        ));
                    }
                    Err(_) => {}
                }
            }
        })?;
        Ok(Compressor { jobs: Some(jobs), closing, thread: Some(thread) })
    }

    /// Compresses backup `number` (as named after `rotations` rotations) when the thread comes
    /// to it.
    pub(crate) fn compress(&self, number: u64, rotations: u64) {
        if let Some(jobs) = &self.jobs {
            let _ = jobs.send(Job { number, rotations });
        }
    }
}

impl Drop for Compressor {
    /// Abandons the compression under way and those waiting: they are done at the next start.
    fn drop(&mut self) {
        self.closing.store(true, Ordering::Relaxed);
        drop(self.jobs.take());
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

fn compress(backups: &Backups, job: Job, stop: &AtomicBool) -> io::Result<()> {
    let (source, modified) = {
        let renaming = backups.lock();
        let Some(number) = job.number_now(*renaming, backups.count()) else { return Ok(()) };
        let source = match File::open(backups.plain(number)) {
            Ok(file) => file,
            Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
            Err(e) => return Err(e),
        };
        let modified = source.metadata()?.modified()?;
        (source, modified)
    };
    let temp = backups.compressing();
    let written = write_gzip(Stoppable { file: &source, stop }, &temp, modified);
    let renaming = backups.lock();
    let number = job.number_now(*renaming, backups.count());
    // Put in place only while the plain backup is still the file compressed (not deleted for
    // its age, nor replaced).
    match (written, number) {
        (Ok(()), Some(number)) if same_file(&source, &backups.plain(number)) => {
            // A plain rename: should the compressed file be gone, the backup stays plain.
            fs::rename(&temp, backups.gzip(number))?;
            remove_if_present(&backups.plain(number))
        }
        (written, _) => {
            remove_if_present(&temp)?;
            written
        }
    }
}

/// A backup read for compression, until the compressor is told to stop.
struct Stoppable<'a> {
    file: &'a File,
    stop: &'a AtomicBool,
}

impl Read for Stoppable<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.stop.load(Ordering::Relaxed) {
            return Err(io::Error::other("the log is closing"));
        }
        self.file.read(buf)
    }
}

/// Writes `source` gzip-compressed to `temp`, synced, with the modification time `modified`.
fn write_gzip(
    source: Stoppable<'_>,
    temp: &std::path::Path,
    modified: std::time::SystemTime,
) -> io::Result<()> {
    let mut options = OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o640);
    }
    let mut encoder = GzEncoder::new(BufWriter::new(options.open(temp)?), Compression::default());
    io::copy(&mut BufReader::new(source), &mut encoder)?;
    let out = encoder.finish()?.into_inner().map_err(io::IntoInnerError::into_error)?;
    out.sync_all()?;
    out.set_modified(modified)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_job_follows_its_backup_up_the_numbers() {
        let job = Job { number: 1, rotations: 4 };
        assert_eq!(job.number_now(4, 3), Some(1));
        assert_eq!(job.number_now(6, 3), Some(3));
        assert_eq!(job.number_now(7, 3), None);
    }
}
