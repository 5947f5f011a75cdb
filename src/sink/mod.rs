//! Where finished lines go: the console and the log file.
//!
//! A sink takes whole lines and has its own level (`CONSOLE_LOG_LEVEL`, `FILE_LOG_LEVEL`). A line
//! goes either straight to a writer on the logging thread (the console, or a writer given to
//! [`Builder::file_writer`](crate::Builder::file_writer)), or into the bounded [`queue`] that a
//! background thread drains into the size-rotated file ([`rotating`]). Nothing here panics, and
//! every line that does not reach its destination is counted.
//!
//! What goes wrong is told on stderr with [`notice`], which, unlike `eprintln!`, cannot panic
//! when stderr is closed or its reader has gone. A console whose reader has gone (`| head`) is
//! only counted: the reader has read all it wanted, as for any command-line tool.

pub(crate) mod backups;
#[cfg(feature = "gzip")]
pub(crate) mod compress;
pub(crate) mod destination;
pub(crate) mod file;
pub(crate) mod queue;
pub(crate) mod rotating;

use std::fmt;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::Duration;

use tracing_core::{Level, Metadata};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::BoxMakeWriter;

use queue::Queue;

/// One destination for lines, with its level.
#[derive(Debug)]
pub(crate) struct Sink {
    pub(crate) level: LevelFilter,
    output: Output,
}

#[derive(Debug)]
enum Output {
    Direct(Direct),
    Queued(Queue),
}

/// Writes one line to stderr, or nothing if stderr cannot be written to; never panics.
pub(crate) fn notice(message: fmt::Arguments<'_>) {
    let _ = writeln!(io::stderr().lock(), "{message}");
}

/// A writer called on the logging thread, one `write_all` per line.
struct Direct {
    name: &'static str,
    writer: BoxMakeWriter,
    lines: AtomicU64,
    errors: AtomicU64,
    /// Of the errors, the lines written after the reader of the console's pipe went away.
    reader_gone: AtomicU64,
    reported: AtomicBool,
}

impl fmt::Debug for Direct {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Direct")
            .field("name", &self.name)
            .field("lines", &self.lines)
            .field("errors", &self.errors)
            .field("reader_gone", &self.reader_gone)
            .finish_non_exhaustive()
    }
}

impl Direct {
    fn failed(&self, error: &io::Error) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if self.name == CONSOLE && error.kind() == io::ErrorKind::BrokenPipe {
            self.reader_gone.fetch_add(1, Ordering::Relaxed);
            return;
        }
        if !self.reported.swap(true, Ordering::Relaxed) {
            notice(format_args!(
                "tracing-activity: cannot write to the {} log: {error}; later failures are counted",
                self.name
            ));
        }
    }
}

/// What a sink has done so far.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct SinkStats {
    pub(crate) written: u64,
    pub(crate) failed: u64,
    pub(crate) dropped: u64,
    pub(crate) queued: u64,
    /// Of `failed`, the console lines written after the reader of its pipe went away.
    pub(crate) reader_gone: u64,
}

/// The name of the console sink.
pub(crate) const CONSOLE: &str = "console";

impl Sink {
    /// A sink writing on the logging thread.
    pub(crate) fn direct(name: &'static str, writer: BoxMakeWriter, level: LevelFilter) -> Self {
        Sink {
            level,
            output: Output::Direct(Direct {
                name,
                writer,
                lines: AtomicU64::new(0),
                errors: AtomicU64::new(0),
                reader_gone: AtomicU64::new(0),
                reported: AtomicBool::new(false),
            }),
        }
    }

    /// A sink feeding a background writer.
    pub(crate) fn queued(queue: Queue, level: LevelFilter) -> Self {
        Sink { level, output: Output::Queued(queue) }
    }

    /// Whether this sink takes lines of `level`.
    #[inline]
    pub(crate) fn admits(&self, level: Level) -> bool {
        self.level >= level
    }

    /// Writes or queues one whole line.
    pub(crate) fn write_line(&self, meta: &Metadata<'_>, line: &[u8]) {
        match &self.output {
            Output::Direct(d) => match d.writer.make_writer_for(meta).write_all(line) {
                Ok(()) => {
                    d.lines.fetch_add(1, Ordering::Relaxed);
                }
                Err(e) => d.failed(&e),
            },
            Output::Queued(q) => q.push(line),
        }
    }

    /// Writes out what is buffered or queued, waiting at most `timeout`; returns the number of
    /// lines still queued then.
    pub(crate) fn flush(&self, timeout: Duration) -> u64 {
        match &self.output {
            Output::Direct(d) => {
                if let Err(e) = d.writer.make_writer().flush() {
                    d.failed(&e);
                }
                0
            }
            Output::Queued(q) => q.flush(timeout),
        }
    }

    /// Flushes and stops a background writer (at most `timeout`); returns the lines not written.
    pub(crate) fn close(&self, timeout: Duration) -> u64 {
        match &self.output {
            Output::Direct(_) => self.flush(timeout),
            Output::Queued(q) => q.close(timeout),
        }
    }

    pub(crate) fn stats(&self) -> SinkStats {
        match &self.output {
            Output::Direct(d) => SinkStats {
                written: d.lines.load(Ordering::Relaxed),
                failed: d.errors.load(Ordering::Relaxed),
                reader_gone: d.reader_gone.load(Ordering::Relaxed),
                ..SinkStats::default()
            },
            Output::Queued(q) => {
                let c = q.counters();
                SinkStats {
                    written: c.written.load(Ordering::Relaxed),
                    failed: c.failed.load(Ordering::Relaxed),
                    dropped: c.dropped.load(Ordering::Relaxed),
                    queued: q.queued(),
                    reader_gone: 0,
                }
            }
        }
    }
}

/// The console and file sinks of one layer.
#[derive(Debug)]
pub(crate) struct Sinks {
    pub(crate) console: Option<ConsoleSink>,
    pub(crate) file: Option<FileSink>,
}

/// The console: narrative lines, coloured when `ansi` is on.
#[derive(Debug)]
pub(crate) struct ConsoleSink {
    pub(crate) sink: Sink,
    pub(crate) ansi: bool,
}

/// The log file and the lines it takes.
#[derive(Debug)]
pub(crate) struct FileSink {
    pub(crate) sink: Sink,
    pub(crate) lines: FileLines,
}

/// What the log file's lines are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum FileLines {
    /// Timestamped narrative lines (`ENABLE_JSON_LOGGING=false`).
    Text,
    /// The crate's JSON line.
    Activity,
    /// An ECS document (`LOG_FORMAT=ecs`).
    Ecs,
}

impl FileLines {
    pub(crate) fn of(config: &crate::Config) -> Self {
        match (config.enable_json_logging, config.log_format) {
            (false, _) => FileLines::Text,
            (true, crate::config::LogFormat::Activity) => FileLines::Activity,
            (true, crate::config::LogFormat::Ecs) => FileLines::Ecs,
        }
    }
}

impl Sinks {
    /// The most verbose level any sink takes.
    pub(crate) fn max_level(&self) -> LevelFilter {
        let c = self.console.as_ref().map_or(LevelFilter::OFF, |c| c.sink.level);
        let f = self.file.as_ref().map_or(LevelFilter::OFF, |f| f.sink.level);
        c.max(f)
    }
}
