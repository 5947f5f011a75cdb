//! Where finished lines go: the console and the log file.
//!
//! A sink takes whole lines: one line is one `write_all`, so a line is never interleaved with
//! another or split. Each sink has its own level (`CONSOLE_LOG_LEVEL`, `FILE_LOG_LEVEL`). A write
//! that fails is counted and reported on stderr (the first failure of each sink, then a count on
//! flush), never panics and never stops the application.

pub(crate) mod file;

use std::fmt;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use tracing_core::{Level, Metadata};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::BoxMakeWriter;

/// One destination for lines.
pub(crate) struct Sink {
    name: &'static str,
    writer: BoxMakeWriter,
    pub(crate) level: LevelFilter,
    lines: AtomicU64,
    errors: AtomicU64,
    reported: AtomicBool,
}

impl fmt::Debug for Sink {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Sink")
            .field("name", &self.name)
            .field("level", &self.level)
            .field("lines", &self.lines)
            .field("errors", &self.errors)
            .finish_non_exhaustive()
    }
}

impl Sink {
    pub(crate) fn new(name: &'static str, writer: BoxMakeWriter, level: LevelFilter) -> Self {
        Sink {
            name,
            writer,
            level,
            lines: AtomicU64::new(0),
            errors: AtomicU64::new(0),
            reported: AtomicBool::new(false),
        }
    }

    /// Whether this sink takes lines of `level`.
    #[inline]
    pub(crate) fn admits(&self, level: Level) -> bool {
        self.level >= level
    }

    /// Writes one whole line.
    pub(crate) fn write_line(&self, meta: &Metadata<'_>, line: &[u8]) {
        let mut writer = self.writer.make_writer_for(meta);
        match writer.write_all(line) {
            Ok(()) => {
                self.lines.fetch_add(1, Ordering::Relaxed);
            }
            Err(e) => self.failed(&e),
        }
    }

    fn failed(&self, error: &std::io::Error) {
        self.errors.fetch_add(1, Ordering::Relaxed);
        if !self.reported.swap(true, Ordering::Relaxed) {
            eprintln!(
                "tracing-activity: cannot write to the {} log: {error}; later failures are counted",
                self.name
            );
        }
    }

    /// Flushes buffered output; reports failures counted since the first report.
    pub(crate) fn flush(&self) {
        if let Err(e) = self.writer.make_writer().flush() {
            self.failed(&e);
        }
        let errors = self.errors.load(Ordering::Relaxed);
        if errors > 1 {
            eprintln!("tracing-activity: {errors} lines could not be written to the {} log", self.name);
        }
    }

    pub(crate) fn lines_written(&self) -> u64 {
        self.lines.load(Ordering::Relaxed)
    }

    pub(crate) fn write_errors(&self) -> u64 {
        self.errors.load(Ordering::Relaxed)
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

/// The log file: JSON lines, or timestamped narrative lines when `json` is off.
#[derive(Debug)]
pub(crate) struct FileSink {
    pub(crate) sink: Sink,
    pub(crate) json: bool,
}

impl Sinks {
    /// The most verbose level any sink takes.
    pub(crate) fn max_level(&self) -> LevelFilter {
        let c = self.console.as_ref().map_or(LevelFilter::OFF, |c| c.sink.level);
        let f = self.file.as_ref().map_or(LevelFilter::OFF, |f| f.sink.level);
        c.max(f)
    }

    pub(crate) fn flush(&self) {
        if let Some(c) = &self.console {
            c.sink.flush();
        }
        if let Some(f) = &self.file {
            f.sink.flush();
        }
    }
}
