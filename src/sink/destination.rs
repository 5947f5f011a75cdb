//! Where the background writer puts lines: any `io::Write`, or the rotating file.

use std::io::{self, Write};

/// Where the worker writes.
pub(crate) trait Destination: Send + 'static {
    /// Writes whole lines: `bytes` is their concatenation, `lens` their lengths in order.
    fn write_lines(&mut self, bytes: &[u8], lens: &[u32]) -> Written;
    /// Pushes buffered bytes down; called when the queue has run empty.
    fn flush(&mut self) -> io::Result<()>;
    /// Names the destination in stderr reports.
    fn describe(&self) -> String;
}

/// What became of the lines handed to [`Destination::write_lines`].
#[derive(Debug, Default)]
pub(crate) struct Written {
    pub(crate) lines: usize,
    pub(crate) failed: usize,
    pub(crate) error: Option<io::Error>,
}

impl Written {
    pub(crate) fn add(&mut self, lines: usize, result: io::Result<()>) {
        match result {
            Ok(()) => self.lines += lines,
            Err(e) => {
                self.failed += lines;
                self.note_error(e);
            }
        }
    }

    pub(crate) fn note_error(&mut self, e: io::Error) {
        self.error.get_or_insert(e);
    }
}

/// Any `io::Write` as a destination: each batch is written whole, and after an error the
/// write is retried once from where it stopped, so a line is not written twice. If a line is
/// left cut (the retry failed too), the next batch starts with a newline, so the lines after it
/// stay whole.
pub(crate) struct WriterDestination<W> {
    writer: W,
    cut_line: bool,
}

impl<W> WriterDestination<W> {
    pub(crate) fn new(writer: W) -> Self {
        WriterDestination { writer, cut_line: false }
    }
}

impl<W: Write + Send + 'static> Destination for WriterDestination<W> {
    fn write_lines(&mut self, bytes: &[u8], lens: &[u32]) -> Written {
        let mut written = Written::default();
        if self.cut_line {
            if let Err(e) = self.writer.write_all(b"\n") {
                written.failed = lens.len();
                written.note_error(e);
                return written;
            }
            self.cut_line = false;
        }
        let mut pos = 0;
        if let Err(first) = write_from(&mut self.writer, bytes, &mut pos) {
            written.note_error(first);
            if write_from(&mut self.writer, bytes, &mut pos).is_ok() {
                written.error = None; // recovered: nothing lost
            }
        }
        // Lines wholly written count as written; the rest (a cut line included) as lost.
        let mut end = 0;
        for &len in lens {
            let start = end;
            end += len as usize;
            if end <= pos {
                written.lines += 1;
            } else {
                written.failed += 1;
                self.cut_line |= start < pos;
            }
        }
        written
    }

    fn flush(&mut self) -> io::Result<()> {
        self.writer.flush()
    }

    fn describe(&self) -> String {
        "the background writer".to_owned()
    }
}

/// Writes `bytes[*pos..]`, advancing `pos` past what was written, even when it fails.
fn write_from(writer: &mut impl Write, bytes: &[u8], pos: &mut usize) -> io::Result<()> {
    while *pos < bytes.len() {
        match writer.write(&bytes[*pos..]) {
            Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
            Ok(n) => *pos += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(())
}
