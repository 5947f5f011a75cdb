//! Live usage counters (feature `metrics`): every action the layer writes is also counted here,
//! on the thread that logs it.
//!
//! Each thread counts into a shard of its own, behind a lock that only the flusher and the
//! Prometheus collector ever take besides it: no lock is shared by the logging threads, and
//! once a shard's maps have grown to the traffic, counting allocates nothing (a failed request
//! keeps its texts). The flusher [`drain`](Counters::drain)s every shard into a [`Batch`] for the
//! store; the Prometheus totals stay in the shards and only grow.
//!
//! What is counted follows the reports' definitions (see `report::Summary`): a *request* is an
//! action with a status code, an *error* a request with status 400 or more, the *feature* is
//! the context's `feature` (else the action's), and an action without a user id is anonymous.

mod batch;
mod labels;
mod shard;

use std::cell::RefCell;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

pub(crate) use batch::Batch;
pub(crate) use labels::OTHER;
pub(crate) use shard::{
    DAY_MICROS, DURATION_BUCKETS, Durations, ErrorAction, FailedRequest, HttpTotals, METHODS,
};

use labels::Labels;

use crate::action::ActionType;
use crate::render::Slowness;
use shard::{PromTotals, Scheme, Shard};

/// One action, as the counters read it: its texts as written in the JSON line.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Counted<'a> {
    /// When, in microseconds since the epoch (the line's `timestamp`).
    pub(crate) at: i64,
    /// The action type, and its name as written.
    pub(crate) action_type: ActionType<'a>,
    pub(crate) event: &'a str,
    /// `None` for an anonymous action.
    pub(crate) user: Option<&'a str>,
    pub(crate) session: Option<&'a str>,
    pub(crate) ip: Option<&'a str>,
    pub(crate) feature: Option<&'a str>,
    pub(crate) method: Option<&'a str>,
    pub(crate) url: Option<&'a str>,
    pub(crate) request_id: Option<&'a str>,
    /// A request's status code.
    pub(crate) status: Option<u16>,
    pub(crate) duration_ms: Option<f64>,
    pub(crate) slowness: Slowness,
    pub(crate) description: &'a str,
    pub(crate) result: &'a str,
}

impl Counted<'_> {
    /// Where a request went: its URL's path without query or fragment, else its description
    /// (as the reports name it).
    pub(crate) fn endpoint(&self) -> String {
        let Some(url) = self.url.filter(|u| !u.is_empty()) else {
            return self.description.to_owned();
        };
        let path = match url.find("://") {
            Some(scheme_end) => {
                let after = &url[scheme_end + 3..];
                after.find('/').map_or("/", |slash| &after[slash..])
            }
            None => url,
        };
        path[..path.find(['?', '#']).unwrap_or(path.len())].to_owned()
    }
}

/// The Prometheus totals since the start, summed over all threads.
#[derive(Debug, Default)]
pub(crate) struct Totals {
    /// Per action type.
    pub(crate) events: Vec<(String, u64)>,
    /// Per (method, feature, status); an empty feature for requests without one.
    pub(crate) http: Vec<((&'static str, String, u16), HttpTotals)>,
}

/// The counters of one layer, shared with its flusher and its Prometheus collector.
#[derive(Debug)]
pub(crate) struct Counters {
    id: u64,
    scheme: Scheme,
    shards: Mutex<Vec<Arc<Mutex<Shard>>>>,
    /// Where actions are counted when a thread's own shard cannot be used (thread teardown,
    /// or counting re-entered itself).
    ended: Arc<Mutex<Shard>>,
    /// The Prometheus totals of the actions drained so far.
    drained: Mutex<PromTotals>,
}

thread_local! {
    /// This thread's shard of each [`Counters`] it counted for, by id.
    static SHARDS: RefCell<Vec<(u64, Arc<Mutex<Shard>>)>> = const { RefCell::new(Vec::new()) };
}

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

fn lock<T>(mutex: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

impl Counters {
    /// Counters with base intervals of `base_seconds`, naming at most `max_features` features
    /// (and as many custom action types).
    pub(crate) fn new(base_seconds: i64, max_features: usize) -> Self {
        Counters {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            scheme: Scheme {
                features: Labels::features(max_features),
                action_types: Labels::action_types(max_features),
                base_micros: base_seconds.max(1) * 1_000_000,
            },
            shards: Mutex::new(Vec::new()),
            ended: Arc::new(Mutex::new(Shard::default())),
            drained: Mutex::new(PromTotals::default()),
        }
    }

    /// Counts `action` in this thread's shard.
    pub(crate) fn count(&self, action: &Counted<'_>) {
        let counted = SHARDS.try_with(|shards| {
            let Ok(mut shards) = shards.try_borrow_mut() else { return false };
            let shard = match shards.iter().position(|(id, _)| *id == self.id) {
                Some(i) => &shards[i].1,
                None => {
                    let shard = Arc::new(Mutex::new(Shard::default()));
                    lock(&self.shards).push(Arc::clone(&shard));
                    // Shards of counters that are gone are let go.
                    shards.retain(|(_, s)| Arc::strong_count(s) > 1);
                    shards.push((self.id, shard));
                    &shards[shards.len() - 1].1
                }
            };
            lock(shard).add(&self.scheme, action);
            true
        });
        // During thread teardown, or when counting re-entered itself: counted in the shared
        // shard instead.
        if counted != Ok(true) {
            lock(&self.ended).add(&self.scheme, action);
        }
    }

    /// Takes what every thread counted since the last drain.
    pub(crate) fn drain(&self) -> Batch {
        let features = self.scheme.features.names();
        let types = self.scheme.action_types.names();
        let mut batch = Batch::default();
        let mut drained = lock(&self.drained);
        let mut shards = lock(&self.shards);
        for shard in shards.iter().chain([&self.ended]) {
            let mut shard = lock(shard);
            drained.add(&shard.actions);
            batch.take(&mut shard, &types, &features);
        }
        // A shard held by no thread any more is empty now: let go.
        shards.retain(|shard| Arc::strong_count(shard) > 1);
        batch
    }

    /// The Prometheus totals so far: those drained, and what the threads counted since.
    pub(crate) fn totals(&self) -> Totals {
        let features = self.scheme.features.names();
        let types = self.scheme.action_types.names();
        let mut sum = lock(&self.drained).clone();
        for shard in lock(&self.shards).iter().chain([&self.ended]) {
            sum.add(&lock(shard).actions);
        }
        let name = |names: &[String], label: u16| names.get(usize::from(label)).cloned().unwrap_or_default();
        let mut http: Vec<_> = sum
            .http
            .iter()
            .map(|(&(method, feature, status), totals)| {
                let method = METHODS.get(usize::from(method)).copied().unwrap_or(OTHER);
                ((method, name(&features, feature), status), *totals)
            })
            .collect();
        http.sort_by(|a, b| a.0.cmp(&b.0));
        let mut events: Vec<_> = sum.events.iter().map(|(&label, &n)| (name(&types, label), n)).collect();
        events.sort();
        Totals { events, http }
    }
}
