//! The one streaming pass over the log files.
//!
//! The calling thread reads the files in order, in blocks cut at line ends, and hands each
//! block to a pool of scanning threads (one per core). Each thread reads its blocks' lines and
//! adds the actions inside the window to its own tally; the tallies are merged at the end, so
//! nothing is shared while scanning and the order of lines does not matter. Memory is the
//! blocks in flight (a few per thread) plus the tallies, whatever the size of the files.
//! Gzip backups (`.gz`) are decompressed as they are read.

use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Mutex, PoisonError};

use serde::{Deserialize, Serialize};

use super::files::{LogFiles, ReportError, is_gzip};
use super::line::Line;
use super::time::{Micros, Window, parse_timestamp};
use crate::fields::json as key;

/// The size of a block of lines handed to a scanning thread.
const BLOCK: usize = 4 << 20;

/// A line longer than this is skipped (and counted) rather than held in memory whole. The
/// layer caps its values, so its lines stay far below it.
const MAX_LINE: usize = 64 << 20;

/// What a scanning thread does with each action inside the window.
pub(crate) trait Tally: Send + Sized {
    /// One action at time `at`.
    fn add(&mut self, at: Micros, line: &Line<'_>);
    /// Takes in another thread's tally.
    fn merge(&mut self, other: Self);
}

/// What the scan read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Lines {
    /// Lines read, in or out of the window.
    pub read: u64,
    /// Actions inside the window: what the report counts.
    pub in_window: u64,
    /// Lines that are not JSON (a line torn by a crash, a narrative text line), not an action
    /// (a `lines_dropped` notice) or without a readable timestamp.
    pub skipped: u64,
    /// Of those, lines that are not JSON.
    pub not_json: u64,
    /// Lines the layer reported dropped (the `dropped` of `lines_dropped` notices inside the
    /// window): actions that never reached the file, so the report cannot count them.
    pub dropped: u64,
}

impl Lines {
    fn merge(&mut self, other: Lines) {
        self.read += other.read;
        self.in_window += other.in_window;
        self.skipped += other.skipped;
        self.not_json += other.not_json;
        self.dropped += other.dropped;
    }
}

/// A block of whole lines (the last may lack its newline at the end of a file).
type Block = Vec<u8>;

/// Reads `files` once, adding each action inside `window` to a tally made by `new` on each of
/// `threads` scanning threads, and returns the merged tally.
pub(crate) fn scan<T: Tally>(
    files: &LogFiles,
    window: Window,
    threads: usize,
    new: impl Fn() -> T + Sync,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<(T, Lines), ReportError> {
    let opened = files.open()?;
    let threads = threads.max(1);
    let (blocks, queue) = sync_channel::<Block>(threads * 2);
    let (give_back, spare) = sync_channel::<Block>(threads * 4);
    let queue = Mutex::new(queue);
    let range = window.micros();
    std::thread::scope(|scope| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                let (queue, give_back, new) = (&queue, give_back.clone(), &new);
                scope.spawn(move || {
                    let mut tally = new();
                    let mut lines = Lines::default();
                    while let Some(block) = next_block(queue) {
                        scan_block(&block, range, &mut tally, &mut lines);
                        let _ = give_back.try_send(block);
                    }
                    (tally, lines)
                })
            })
            .collect();
        drop(give_back);
        let read = read_blocks(&opened, &blocks, &spare, progress);
        drop(blocks);
        let mut merged: Option<(T, Lines)> = None;
        for worker in workers {
            // A scanning thread does not panic on any input; should it, the scan fails loudly.
            let (tally, lines) = worker.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            match &mut merged {
                None => merged = Some((tally, lines)),
                Some((all, all_lines)) => {
                    all.merge(tally);
                    all_lines.merge(lines);
                }
            }
        }
        read.map(|skipped_long| {
            let (tally, mut lines) = merged.unwrap_or_else(|| (new(), Lines::default()));
            lines.read += skipped_long;
            lines.skipped += skipped_long;
            lines.not_json += skipped_long;
            (tally, lines)
        })
    })
}

fn next_block(queue: &Mutex<Receiver<Block>>) -> Option<Block> {
    queue.lock().unwrap_or_else(PoisonError::into_inner).recv().ok()
}

/// Reads the files in order into blocks cut after a newline; returns how many lines were too
/// long to keep.
fn read_blocks(
    files: &[(File, u64, PathBuf)],
    blocks: &SyncSender<Block>,
    spare: &Receiver<Block>,
    progress: &(dyn Fn(u64) + Sync),
) -> Result<u64, ReportError> {
    let mut too_long = 0;
    for (file, len, path) in files {
        // Progress is told in bytes of the file as it is on disk, compressed or not.
        let on_disk = Counted { inner: file.take(*len), progress };
        let mut file: Box<dyn Read> = if is_gzip(path) {
            Box::new(flate2::read::MultiGzDecoder::new(std::io::BufReader::with_capacity(1 << 16, on_disk)))
        } else {
            Box::new(on_disk)
        };
        let mut block = Block::with_capacity(BLOCK);
        // Inside a line longer than MAX_LINE: its bytes are dropped up to its newline.
        let mut skipping = false;
        loop {
            // A block grows only while one line is longer than it.
            let want = BLOCK.max(block.len() * 2) - block.len();
            let read = (&mut file)
                .take(want as u64)
                .read_to_end(&mut block)
                .map_err(|source| ReportError::Read { path: path.to_path_buf(), source })?;
            let at_end = read < want;
            if skipping {
                match memchr::memchr(b'\n', &block) {
                    Some(i) => {
                        block.drain(..=i);
                        skipping = false;
                    }
                    None => block.clear(),
                }
            }
            if at_end {
                // What is left is the file's last line, complete or torn.
                if !block.is_empty() && !skipping && blocks.send(block).is_err() {
                    return Ok(too_long);
                }
                break;
            }
            match memchr::memrchr(b'\n', &block) {
                Some(last) => {
                    let mut next = spare.try_recv().unwrap_or_else(|_| Block::with_capacity(BLOCK));
                    next.clear();
                    next.extend_from_slice(&block[last + 1..]);
                    block.truncate(last + 1);
                    if blocks.send(std::mem::replace(&mut block, next)).is_err() {
                        return Ok(too_long);
                    }
                }
                None if block.len() >= MAX_LINE => {
                    too_long += 1;
                    skipping = true;
                    block.clear();
                }
                None => {}
            }
        }
    }
    Ok(too_long)
}

/// A reader that tells how many bytes it has read.
struct Counted<'a, R> {
    inner: R,
    progress: &'a (dyn Fn(u64) + Sync),
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let read = self.inner.read(buf)?;
        (self.progress)(read as u64);
        Ok(read)
    }
}

/// Adds the actions of one block to `tally`.
fn scan_block<T: Tally>(block: &[u8], (first, after): (Micros, Micros), tally: &mut T, lines: &mut Lines) {
    let mut from = 0;
    let ends = memchr::memchr_iter(b'\n', block).chain(std::iter::once(block.len()));
    for end_of_line in ends {
        let line = &block[from..end_of_line];
        from = end_of_line + 1;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        lines.read += 1;
        let Ok(parsed) = Line::parse(line) else {
            lines.skipped += 1;
            lines.not_json += 1;
            continue;
        };
        let Some(at) = parsed.timestamp.and_then(|t| parse_timestamp(t.raw())) else {
            lines.skipped += 1;
            continue;
        };
        if !parsed.is_action() {
            lines.skipped += 1;
            let notice = parsed.event.is_some_and(|e| e.raw() == key::LINES_DROPPED.as_bytes());
            if notice && (first..after).contains(&at) {
                lines.dropped += parsed.dropped().unwrap_or(0);
            }
            continue;
        }
        if (first..after).contains(&at) {
            lines.in_window += 1;
            tally.add(at, &parsed);
        }
    }
}
