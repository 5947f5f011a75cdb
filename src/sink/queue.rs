//! Off-thread delivery: a bounded queue of whole lines and the worker thread that writes them.
//!
//! The logging thread formats a line and copies it into the queue's buffer under a short lock;
//! the worker swaps the whole buffer out and writes it in as few `write` calls as rotation
//! allows. Both buffers keep their capacity, so steady state allocates nothing.
//!
//! Nothing is lost silently:
//! - With [`OverflowPolicy::Drop`] a line that finds the queue full is dropped and counted, and a
//!   notice ("N activity lines dropped: queue full") is written into the file as soon as the
//!   worker has made room. With [`OverflowPolicy::Block`] the logging thread waits for room.
//! - A failed write is counted (its lines are lost), reported on stderr once per burst of
//!   failures, and the destination recovers (reopens) on its own; the worker never panics.
//! - Closing waits up to the flush timeout and reports how many lines were still queued.
//! - Lines logged after the queue is closed (its guard dropped) are counted as dropped and
//!   reported once on stderr.

use std::io;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use super::destination::{Destination, Written};
use crate::config::OverflowPolicy;

/// Bytes and lines each of the two buffers starts with, so that ordinary traffic never grows them.
const INITIAL_BYTES: usize = 256 << 10;
const INITIAL_LINES: usize = 1024;
/// After writing a batch smaller than a full one, the worker lingers up to this long for more
/// lines before it writes again, so that a steady stream is written in few large `write`s and
/// the worker is not woken for every line. Loggers cut it short when a full batch is waiting, a
/// flush or close cuts it short at once, and nobody ever waits for room because of it.
const LINGER: Duration = Duration::from_millis(10);
/// A full batch: this many lines (at most half the queue) or half of [`INITIAL_BYTES`], so
/// the loggers have room to go on while the worker wakes before the buffers would grow.
const FULL_BATCH_LINES: usize = INITIAL_LINES / 2;
const FULL_BATCH_BYTES: usize = INITIAL_BYTES / 2;
/// Buffers larger than this are given back after a burst.
const KEEP_CAPACITY: usize = 4 << 20;
/// The queue also counts as full when it holds this many bytes, so a flood of huge values
/// cannot make it grow without bound (one line alone is always let in).
pub(crate) const MAX_QUEUE_BYTES: usize = 64 << 20;

/// Formats the notice line for `n` dropped lines into the buffer (with its newline).
pub(crate) type Notice = Box<dyn Fn(u64, &mut String) + Send>;

/// Counters readable at any time.
#[derive(Debug, Default)]
pub(crate) struct Counters {
    /// Lines accepted into the queue.
    pub(crate) accepted: AtomicU64,
    /// Lines written by the worker.
    pub(crate) written: AtomicU64,
    /// Lines dropped: queue full, or logged after close.
    pub(crate) dropped: AtomicU64,
    /// Lines lost to write errors.
    pub(crate) failed: AtomicU64,
    /// Drop notices written into the file.
    pub(crate) notices: AtomicU64,
}

struct State {
    buf: Vec<u8>,
    lens: Vec<u32>,
    /// Dropped since the last notice was handed to the worker.
    dropped_since_notice: u64,
    /// Lines the worker has finished with (written or failed).
    processed: u64,
    closed: bool,
    worker_alive: bool,
    /// The worker is asleep on `has_lines`: only then does a logger pay for a wake-up call.
    worker_waiting: bool,
    /// The worker is lingering on `has_lines` for a fuller batch: a logger wakes it only when a
    /// full batch is waiting.
    lingering: bool,
    /// Loggers waiting on `has_room` (block policy) and flushers waiting on `progress`: the
    /// worker only calls the wake-up it is waited on for.
    blocked: usize,
    flushers: usize,
}

struct Shared {
    state: Mutex<State>,
    /// The worker waits here for lines.
    has_lines: Condvar,
    /// Blocked loggers wait here for room.
    has_room: Condvar,
    /// Flushers wait here for `processed` to move.
    progress: Condvar,
    capacity: usize,
    /// Lines in a full batch ([`FULL_BATCH_LINES`], at most half the capacity).
    full_batch: usize,
    /// How long the worker lingers after a small batch ([`LINGER`]).
    linger: Duration,
    policy: OverflowPolicy,
    counters: Counters,
    closed_reported: AtomicBool,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether the lines waiting in `st` make a full batch.
    fn holds_full_batch(&self, st: &State) -> bool {
        st.lens.len() >= self.full_batch || st.buf.len() >= FULL_BATCH_BYTES
    }
}

/// The logging side of the queue.
pub(crate) struct Queue {
    shared: Arc<Shared>,
    worker: Mutex<Option<JoinHandle<()>>>,
    name: String,
}

impl std::fmt::Debug for Queue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Queue")
            .field("destination", &self.name)
            .field("capacity", &self.shared.capacity)
            .field("policy", &self.shared.policy)
            .field("counters", &self.shared.counters)
            .finish()
    }
}

impl Queue {
    /// Starts the worker thread writing to `destination`.
    pub(crate) fn start(
        destination: Box<dyn Destination>,
        capacity: usize,
        policy: OverflowPolicy,
        notice: Notice,
    ) -> io::Result<Queue> {
        Self::start_lingering(destination, capacity, policy, notice, LINGER)
    }

    /// [`start`](Self::start) with the worker lingering up to `linger` after a small batch.
    fn start_lingering(
        destination: Box<dyn Destination>,
        capacity: usize,
        policy: OverflowPolicy,
        notice: Notice,
        linger: Duration,
    ) -> io::Result<Queue> {
        let shared = Arc::new(Shared {
            state: Mutex::new(State {
                buf: Vec::with_capacity(INITIAL_BYTES),
                lens: Vec::with_capacity(INITIAL_LINES),
                dropped_since_notice: 0,
                processed: 0,
                closed: false,
                worker_alive: true,
                worker_waiting: false,
                lingering: false,
                blocked: 0,
                flushers: 0,
            }),
            has_lines: Condvar::new(),
            has_room: Condvar::new(),
            progress: Condvar::new(),
            capacity: capacity.max(1),
            full_batch: (capacity / 2).clamp(1, FULL_BATCH_LINES),
            linger,
            policy,
            counters: Counters::default(),
            closed_reported: AtomicBool::new(false),
        });
        let name = destination.describe();
        let worker_shared = shared.clone();
        let worker = thread::Builder::new()
            .name("tracing-activity-writer".to_owned())
            .spawn(move || Worker::new(worker_shared, destination, notice).run())?;
        Ok(Queue { shared, worker: Mutex::new(Some(worker)), name })
    }

    pub(crate) fn counters(&self) -> &Counters {
        &self.shared.counters
    }

    /// Lines accepted but not yet written or failed.
    pub(crate) fn queued(&self) -> u64 {
        let st = self.shared.lock();
        self.shared.counters.accepted.load(Ordering::Relaxed) - st.processed
    }

    /// Queues one whole line, or drops and counts it (queue full under `Drop`, or closed).
    pub(crate) fn push(&self, line: &[u8]) {
        let shared = &*self.shared;
        let Ok(len) = u32::try_from(line.len()) else {
            shared.counters.dropped.fetch_add(1, Ordering::Relaxed);
            return;
        };
        let mut st = shared.lock();
        loop {
            if st.closed || !st.worker_alive {
                drop(st);
                shared.counters.dropped.fetch_add(1, Ordering::Relaxed);
                if !shared.closed_reported.swap(true, Ordering::Relaxed) {
                    super::notice(format_args!(
                        "tracing-activity: an activity line was logged after the log {} was closed \
                         (its guard was dropped); it and any later ones are dropped and counted",
                        self.name
                    ));
                }
                return;
            }
            let full = st.lens.len() >= shared.capacity
                || (!st.buf.is_empty() && st.buf.len() + line.len() > MAX_QUEUE_BYTES);
            if !full {
                break;
            }
            match shared.policy {
                OverflowPolicy::Block => {
                    if std::mem::take(&mut st.lingering) {
                        shared.has_lines.notify_one();
                    }
                    st.blocked += 1;
                    st = shared.has_room.wait(st).unwrap_or_else(PoisonError::into_inner);
                    st.blocked -= 1;
                }
                _ => {
                    st.dropped_since_notice += 1;
                    shared.counters.dropped.fetch_add(1, Ordering::Relaxed);
                    // A full queue ends the worker's linger at once.
                    if std::mem::take(&mut st.lingering) {
                        shared.has_lines.notify_one();
                    }
                    return;
                }
            }
        }
        st.buf.extend_from_slice(line);
        st.lens.push(len);
        shared.counters.accepted.fetch_add(1, Ordering::Relaxed);
        let full = shared.holds_full_batch(&st);
        let wake = std::mem::take(&mut st.worker_waiting) || (full && std::mem::take(&mut st.lingering));
        drop(st);
        if wake {
            shared.has_lines.notify_one();
        }
    }

    /// Waits until every line accepted so far is written or failed, for at most `timeout`.
    /// Returns how many of them were still queued when it stopped waiting.
    pub(crate) fn flush(&self, timeout: Duration) -> u64 {
        let shared = &*self.shared;
        let deadline = Instant::now() + timeout;
        let mut st = shared.lock();
        let target = shared.counters.accepted.load(Ordering::Relaxed);
        if std::mem::take(&mut st.lingering) || st.dropped_since_notice > 0 {
            shared.has_lines.notify_one();
        }
        st.flushers += 1;
        while st.processed < target && st.worker_alive {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            st = shared.progress.wait_timeout(st, left).unwrap_or_else(PoisonError::into_inner).0;
        }
        st.flushers -= 1;
        target.saturating_sub(st.processed)
    }

    /// Stops accepting lines, lets the worker write what is queued, and waits for it at most
    /// `timeout`. Returns how many lines were not written in time. Closing twice is harmless.
    pub(crate) fn close(&self, timeout: Duration) -> u64 {
        let deadline = Instant::now() + timeout;
        {
            let mut st = self.shared.lock();
            st.closed = true;
            st.lingering = false;
        }
        self.shared.has_lines.notify_all();
        self.shared.has_room.notify_all();
        let unflushed = self.flush(timeout);
        // The worker exits once it has seen the queue closed and empty (after a last flush of
        // the destination): wait for that too, but not past the deadline.
        let mut st = self.shared.lock();
        st.flushers += 1;
        while st.worker_alive {
            let left = deadline.saturating_duration_since(Instant::now());
            if left.is_zero() {
                break;
            }
            st = self.shared.progress.wait_timeout(st, left).unwrap_or_else(PoisonError::into_inner).0;
        }
        st.flushers -= 1;
        let exited = !st.worker_alive;
        drop(st);
        if exited {
            let worker = self.worker.lock().unwrap_or_else(PoisonError::into_inner).take();
            if let Some(worker) = worker {
                let _ = worker.join(); // returns at once: the thread has ended
            }
        }
        unflushed
    }
}

/// Marks the worker gone when its thread ends, however it ends, so nobody waits for it.
struct Alive(Arc<Shared>);

impl Drop for Alive {
    fn drop(&mut self) {
        self.0.lock().worker_alive = false;
        self.0.has_room.notify_all();
        self.0.progress.notify_all();
    }
}

struct Worker {
    alive: Alive,
    destination: Box<dyn Destination>,
    notice: Notice,
    batch: Vec<u8>,
    lens: Vec<u32>,
    notice_line: String,
    /// Dropped lines not yet announced in the file.
    unannounced: u64,
    /// Whether the last write failed.
    in_burst: bool,
    /// Lines lost in the current burst of write errors.
    burst_lost: u64,
}

impl Worker {
    fn new(shared: Arc<Shared>, destination: Box<dyn Destination>, notice: Notice) -> Self {
        Worker {
            alive: Alive(shared),
            destination,
            notice,
            batch: Vec::with_capacity(INITIAL_BYTES),
            lens: Vec::with_capacity(INITIAL_LINES),
            notice_line: String::new(),
            unannounced: 0,
            in_burst: false,
            burst_lost: 0,
        }
    }

    fn run(mut self) {
        loop {
            let shared = self.alive.0.clone();
            {
                let mut st = shared.lock();
                while st.lens.is_empty() && st.dropped_since_notice == 0 && !st.closed {
                    st.worker_waiting = true;
                    st = shared.has_lines.wait(st).unwrap_or_else(PoisonError::into_inner);
                }
                st.worker_waiting = false;
                std::mem::swap(&mut st.buf, &mut self.batch);
                std::mem::swap(&mut st.lens, &mut self.lens);
                self.unannounced += std::mem::take(&mut st.dropped_since_notice);
                if st.blocked > 0 {
                    shared.has_room.notify_all();
                }
            }

            let lines = self.lens.len();
            if lines > 0 {
                let written = self.destination.write_lines(&self.batch, &self.lens);
                self.account(&written);
            }
            if self.unannounced > 0 {
                self.announce_drops();
            }
            if shared.lock().lens.is_empty() {
                if let Err(e) = self.destination.flush() {
                    self.report_error(&e, 0);
                }
            }
            self.batch.clear();
            self.lens.clear();
            if self.batch.capacity() > KEEP_CAPACITY {
                self.batch = Vec::with_capacity(INITIAL_BYTES);
                self.lens = Vec::with_capacity(INITIAL_LINES);
            }
            let mut st = shared.lock();
            st.processed += lines as u64;
            if st.flushers > 0 {
                shared.progress.notify_all();
            }
            if st.closed && st.lens.is_empty() && st.dropped_since_notice == 0 {
                return;
            }
            // Never while someone waits (loggers blocked for room, a flush), nor when a full batch
            // is already waiting (the queue filled while the last batch was written).
            if lines < shared.full_batch
                && !shared.holds_full_batch(&st)
                && st.flushers == 0
                && st.blocked == 0
                && !st.closed
            {
                let until = Instant::now() + shared.linger;
                st.lingering = true;
                while st.lingering {
                    let left = until.saturating_duration_since(Instant::now());
                    if left.is_zero() {
                        break;
                    }
                    st = shared.has_lines.wait_timeout(st, left).unwrap_or_else(PoisonError::into_inner).0;
                }
                st.lingering = false;
            }
        }
    }

    fn account(&mut self, written: &Written) {
        let counters = &self.alive.0.counters;
        counters.written.fetch_add(written.lines as u64, Ordering::Relaxed);
        counters.failed.fetch_add(written.failed as u64, Ordering::Relaxed);
        match &written.error {
            Some(e) => self.report_error(e, written.failed as u64),
            None if self.in_burst => {
                super::notice(format_args!(
                    "tracing-activity: writing to {} again; {} activity lines were lost to write errors",
                    self.destination.describe(),
                    self.burst_lost
                ));
                self.in_burst = false;
                self.burst_lost = 0;
            }
            None => {}
        }
    }

    /// Reports the first error of a burst on stderr; later ones are only counted.
    fn report_error(&mut self, error: &io::Error, lost: u64) {
        if !self.in_burst {
            self.in_burst = true;
            super::notice(format_args!(
                "tracing-activity: cannot write to {}: {error}; lines are counted as lost until it recovers",
                self.destination.describe()
            ));
        }
        self.burst_lost += lost;
    }

    /// Writes the "N activity lines dropped" notice; keeps the count for next time if it fails.
    fn announce_drops(&mut self) {
        self.notice_line.clear();
        (self.notice)(self.unannounced, &mut self.notice_line);
        let len = u32::try_from(self.notice_line.len()).unwrap_or(u32::MAX);
        let written = self.destination.write_lines(self.notice_line.as_bytes(), &[len]);
        if written.lines == 1 {
            self.unannounced = 0;
            self.alive.0.counters.notices.fetch_add(1, Ordering::Relaxed);
        }
        if let Some(e) = &written.error {
            self.report_error(e, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::mpsc;

    /// Records each batch's line count; its first write waits for the test's go-ahead.
    struct Gated {
        first: Option<mpsc::Receiver<()>>,
        writing: mpsc::Sender<usize>,
    }

    impl Destination for Gated {
        fn write_lines(&mut self, _bytes: &[u8], lens: &[u32]) -> Written {
            let _ = self.writing.send(lens.len());
            if let Some(go) = self.first.take() {
                let _ = go.recv();
            }
            Written { lines: lens.len(), failed: 0, error: None }
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
        fn describe(&self) -> String {
            "gated".to_owned()
        }
    }

    fn gated_queue(
        capacity: usize,
        policy: OverflowPolicy,
    ) -> (Queue, mpsc::Sender<()>, mpsc::Receiver<usize>) {
        let (go, gate) = mpsc::channel();
        let (writing, batches) = mpsc::channel();
        // A linger far longer than any scheduling delay: a worker that lingers when it must not
        // is seen, not guessed at.
        let queue = Queue::start_lingering(
            Box::new(Gated { first: Some(gate), writing }),
            capacity,
            policy,
            Box::new(|_, _: &mut String| {}),
            Duration::from_secs(30),
        )
        .unwrap();
        (queue, go, batches)
    }

    #[test]
    fn a_queue_that_filled_during_a_small_write_is_written_at_once() {
        let (queue, go, batches) = gated_queue(8, OverflowPolicy::Drop);
        queue.push(b"first\n");
        assert_eq!(batches.recv().unwrap(), 1, "the worker writes the first line alone");
        for _ in 0..8 {
            queue.push(b"more\n");
        }
        go.send(()).unwrap();
        // The batch just written was small, but a full one waits: no linger.
        assert_eq!(batches.recv_timeout(Duration::from_secs(10)), Ok(8));
        assert_eq!(queue.counters().dropped.load(Ordering::Relaxed), 0);
        assert_eq!(queue.close(Duration::from_secs(10)), 0);
    }

    #[test]
    fn a_line_refused_by_a_full_queue_ends_the_linger() {
        let (queue, go, batches) = gated_queue(4, OverflowPolicy::Drop);
        queue.push(b"first\n");
        assert_eq!(batches.recv().unwrap(), 1);
        go.send(()).unwrap();
        // The worker now lingers (a small batch written, nothing waiting).
        let lingering = || queue.shared.lock().lingering;
        let deadline = Instant::now() + Duration::from_secs(10);
        while !lingering() && Instant::now() < deadline {
            thread::yield_now();
        }
        assert!(lingering());
        {
            // Fill the queue without waking the worker, as if the lines had come while it was
            // deciding to linger; the fifth, refused, must wake it.
            let mut st = queue.shared.lock();
            for _ in 0..4 {
                st.buf.extend_from_slice(b"x\n");
                st.lens.push(2);
            }
            queue.shared.counters.accepted.fetch_add(4, Ordering::Relaxed);
        }
        queue.push(b"refused\n");
        assert_eq!(queue.counters().dropped.load(Ordering::Relaxed), 1);
        assert_eq!(batches.recv_timeout(Duration::from_secs(10)), Ok(4), "woken by the refused line");
        queue.close(Duration::from_secs(10));
    }
}
