//! The flusher: a background thread that saves the counts to the store every
//! `USAGE_FLUSH_INTERVAL`, when asked, and a last time at shutdown.
//!
//! A write that fails (the disk is full, the database is down) keeps its counts, which are
//! added to the next flush's: they are lost only if the process ends before a write succeeds.
//! A crash loses what was counted since the last flush: at most one flush interval.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc::{self, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::JoinHandle;
use std::time::Duration;

use super::store::{Retention, StoreError, UsageStore};
use crate::counters::{Batch, Counters};
use crate::layer::Clock;
use crate::sink::notice;

enum Command {
    Flush(Sender<Result<(), StoreError>>),
    Stop(Sender<Result<(), StoreError>>),
}

/// What the flusher did, for `usage_flushes_total` and the guard.
#[derive(Debug, Default)]
pub(crate) struct FlushStats {
    pub(crate) flushes: AtomicU64,
    pub(crate) failures: AtomicU64,
}

/// The flusher thread's handle.
#[derive(Debug)]
pub(crate) struct Flusher {
    commands: Mutex<Option<Sender<Command>>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    pub(crate) stats: Arc<FlushStats>,
    /// The store's name, for errors.
    store: String,
}

/// What the flusher thread owns.
struct Worker {
    counters: Arc<Counters>,
    store: Arc<UsageStore>,
    retention: Retention,
    clock: Option<Clock>,
    pending: Batch,
    stats: Arc<FlushStats>,
    told: bool,
}

impl Flusher {
    /// Starts the thread.
    pub(crate) fn start(
        counters: Arc<Counters>,
        store: Arc<UsageStore>,
        interval: Duration,
        retention: Retention,
        clock: Option<Clock>,
    ) -> std::io::Result<Self> {
        let (commands, inbox) = mpsc::channel();
        let name = store.name().to_owned();
        let stats = Arc::new(FlushStats::default());
        let mut worker = Worker {
            counters,
            store,
            retention,
            clock,
            pending: Batch::default(),
            stats: Arc::clone(&stats),
            told: false,
        };
        let thread = std::thread::Builder::new().name("usage-flush".into()).spawn(move || {
            loop {
                match inbox.recv_timeout(interval) {
                    Err(RecvTimeoutError::Timeout) => {
                        let _ = worker.flush();
                    }
                    Ok(Command::Flush(done)) => {
                        let _ = done.send(worker.flush());
                    }
                    Ok(Command::Stop(done)) => {
                        let _ = done.send(worker.flush());
                        return;
                    }
                    Err(RecvTimeoutError::Disconnected) => {
                        let _ = worker.flush();
                        return;
                    }
                }
            }
        })?;
        Ok(Flusher {
            commands: Mutex::new(Some(commands)),
            thread: Mutex::new(Some(thread)),
            stats,
            store: name,
        })
    }

    /// Saves the counts now, waiting at most `timeout`.
    pub(crate) fn flush(&self, timeout: Duration) -> Result<(), StoreError> {
        self.ask(Command::Flush, timeout)
    }

    /// Saves the counts a last time and ends the thread, waiting at most `timeout`. Later calls
    /// do nothing.
    pub(crate) fn stop(&self, timeout: Duration) -> Result<(), StoreError> {
        let result = self.ask(Command::Stop, timeout);
        self.commands.lock().unwrap_or_else(PoisonError::into_inner).take();
        if result.is_ok() {
            if let Some(thread) = self.thread.lock().unwrap_or_else(PoisonError::into_inner).take() {
                let _ = thread.join();
            }
        }
        result
    }

    fn ask(
        &self,
        command: fn(Sender<Result<(), StoreError>>) -> Command,
        timeout: Duration,
    ) -> Result<(), StoreError> {
        let (done, reply) = mpsc::channel();
        let sent = match &*self.commands.lock().unwrap_or_else(PoisonError::into_inner) {
            Some(commands) => commands.send(command(done)).is_ok(),
            None => return Ok(()),
        };
        if !sent {
            return Err(StoreError::new(&self.store, "the usage flusher has stopped".into()));
        }
        match reply.recv_timeout(timeout) {
            Ok(result) => result,
            Err(_) => Err(StoreError::new(&self.store, format!("no answer within {timeout:?}"))),
        }
    }
}

impl Worker {
    fn flush(&mut self) -> Result<(), StoreError> {
        self.pending.absorb(self.counters.drain());
        let now = match &self.clock {
            Some(clock) => clock().timestamp_micros(),
            None => chrono::Utc::now().timestamp_micros(),
        };
        match self.store.write(&self.pending, now, self.retention) {
            Ok(()) => {
                self.pending = Batch::default();
                self.stats.flushes.fetch_add(1, Ordering::Relaxed);
                self.told = false;
                Ok(())
            }
            Err(e) => {
                self.stats.failures.fetch_add(1, Ordering::Relaxed);
                if !self.told {
                    notice(format_args!("{e}; the counts are kept and written with the next flush"));
                    self.told = true;
                }
                Err(e)
            }
        }
    }
}
