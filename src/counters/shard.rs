//! One thread's counts: what it counted since the last flush, and its Prometheus totals.
//!
//! Texts (user ids, sessions, IPs) are numbered once per thread, so the counts are keyed by
//! small numbers; features and action types by their [`Label`]. Once the maps have grown to
//! the traffic, counting an action allocates nothing.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use super::Counted;
use super::labels::{Label, Labels, OTHER_LABEL};
use crate::histogram::Histogram;
use crate::render::Slowness;

pub(crate) type Map<K, V> = HashMap<K, V, RandomState>;

/// The number of a text in this thread's [`Texts`]; [`NONE`] for no text.
pub(crate) type TextId = u32;
pub(crate) const NONE: TextId = TextId::MAX;

/// A feature label meaning "no feature".
pub(crate) const NO_FEATURE: Label = Label::MAX;

/// Microseconds in a day.
pub(crate) const DAY_MICROS: i64 = 86_400_000_000;

/// The upper bounds of the `http_request_duration_seconds` buckets (Prometheus' defaults).
pub(crate) const DURATION_BUCKETS: [f64; 11] =
    [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0];

/// The methods `http_requests_total` names; any other is `OTHER`.
pub(crate) const METHODS: [&str; 9] =
    ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "CONNECT", "TRACE"];

/// One key of [`Shard::actions`]: the interval, what was done, by whom, from where, and the
/// status code of a request (0 for an action that is not one).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ActionKey {
    /// The base interval's start, in microseconds since the epoch.
    pub(crate) interval: i64,
    pub(crate) event: Label,
    pub(crate) feature: Label,
    pub(crate) user: TextId,
    pub(crate) ip: TextId,
    pub(crate) status: u16,
}

/// The durations and slow flags of one feature's requests in one day.
#[derive(Debug, Default)]
pub(crate) struct Durations {
    pub(crate) histogram: Histogram,
    pub(crate) slow: u64,
    pub(crate) very_slow: u64,
}

/// A request with status 400 or more, of a user.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FailedRequest {
    pub(crate) at: i64,
    pub(crate) user: String,
    pub(crate) code: u16,
    pub(crate) endpoint: String,
    pub(crate) request_id: Option<String>,
    pub(crate) result: String,
}

/// An `error` action logged in a request: its description names the request's error.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ErrorAction {
    pub(crate) request_id: String,
    pub(crate) at: i64,
    pub(crate) description: String,
}

/// One `http_requests_total` and `http_request_duration_seconds` series.
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct HttpTotals {
    pub(crate) requests: u64,
    /// Requests with a duration, per bucket of [`DURATION_BUCKETS`] (not cumulative), and the
    /// ones over the last bound.
    pub(crate) buckets: [u64; DURATION_BUCKETS.len() + 1],
    pub(crate) seconds: f64,
}

/// The key of one [`HttpTotals`]: method (index in [`METHODS`], its length for another),
/// feature, status.
pub(crate) type HttpKey = (u8, Label, u16);

/// Texts numbered once: looking a known text up allocates nothing.
#[derive(Debug, Default)]
pub(crate) struct Texts {
    ids: Map<Box<str>, TextId>,
    list: Vec<Box<str>>,
}

impl Texts {
    pub(crate) fn id(&mut self, text: &str) -> TextId {
        if let Some(&id) = self.ids.get(text) {
            return id;
        }
        let id = TextId::try_from(self.list.len()).unwrap_or(NONE - 1).min(NONE - 1);
        self.list.push(text.into());
        self.ids.insert(text.into(), id);
        id
    }

    pub(crate) fn text(&self, id: TextId) -> &str {
        self.list.get(id as usize).map_or("", |t| t)
    }

    pub(crate) fn len(&self) -> usize {
        self.list.len()
    }

    pub(crate) fn clear(&mut self) {
        self.ids.clear();
        self.list.clear();
    }
}

/// The labels this thread was given, by text, so the shared set is asked once per text.
#[derive(Debug, Default)]
struct KnownLabels(Map<Box<str>, Label>);

/// Texts beyond this many are not remembered per thread (they are asked of the shared set
/// each time): a flood of random paths cannot grow a thread's memory without end.
const MOST_KNOWN_LABELS: usize = 4096;

impl KnownLabels {
    fn label(&mut self, labels: &Labels, text: &str) -> Label {
        if let Some(&label) = self.0.get(text) {
            return label;
        }
        let label = labels.label(text);
        if label != OTHER_LABEL || self.0.len() < MOST_KNOWN_LABELS {
            self.0.insert(text.into(), label);
        }
        label
    }
}

/// What one thread counted.
#[derive(Debug, Default)]
pub(crate) struct Shard {
    pub(crate) texts: Texts,
    features: KnownLabels,
    events: KnownLabels,
    // Since the last flush.
    pub(crate) actions: Map<ActionKey, u64>,
    /// First and last action of each (day, user, session).
    pub(crate) sessions: Map<(i64, TextId, TextId), (i64, i64)>,
    /// Per (day, feature).
    pub(crate) latency: Map<(i64, Label), Durations>,
    pub(crate) failed: Vec<FailedRequest>,
    pub(crate) error_actions: Vec<ErrorAction>,
    // Since the start: the Prometheus totals.
    pub(crate) events_total: Vec<u64>,
    pub(crate) http: Map<HttpKey, HttpTotals>,
}

/// The names every shard counts by, and the base interval.
#[derive(Debug)]
pub(crate) struct Scheme {
    pub(crate) features: Labels,
    pub(crate) action_types: Labels,
    pub(crate) base_micros: i64,
}

impl Shard {
    /// Counts one action.
    pub(crate) fn add(&mut self, scheme: &Scheme, action: &Counted<'_>) {
        let at = action.at;
        let day = at.div_euclid(DAY_MICROS) * DAY_MICROS;
        let event = self.events.label(&scheme.action_types, action.event);
        let feature = match action.feature {
            Some(feature) if !feature.is_empty() => self.features.label(&scheme.features, feature),
            _ => NO_FEATURE,
        };
        let user = action.user.map_or(NONE, |u| self.texts.id(u));
        let ip = action.ip.filter(|ip| !ip.is_empty()).map_or(NONE, |ip| self.texts.id(ip));
        let key = ActionKey {
            interval: at.div_euclid(scheme.base_micros) * scheme.base_micros,
            event,
            feature,
            user,
            ip,
            status: action.status.unwrap_or(0),
        };
        *self.actions.entry(key).or_default() += 1;
        if let Some(total) = self.events_total.get_mut(usize::from(event)) {
            *total += 1;
        } else {
            self.events_total.resize(usize::from(event) + 1, 0);
            self.events_total[usize::from(event)] = 1;
        }
        if let (Some(_), Some(session)) = (action.user, action.session.filter(|s| !s.is_empty())) {
            let session = self.texts.id(session);
            let span = self.sessions.entry((day, user, session)).or_insert((at, at));
            span.0 = span.0.min(at);
            span.1 = span.1.max(at);
        }
        if action.is_error_action {
            if let Some(request_id) = action.request_id.filter(|r| !r.is_empty()) {
                self.error_actions.push(ErrorAction {
                    request_id: request_id.to_owned(),
                    at,
                    description: action.description.to_owned(),
                });
            }
        }
        let Some(status) = action.status else { return };
        if feature != NO_FEATURE {
            let durations = self.latency.entry((day, feature)).or_default();
            if let Some(ms) = action.duration_ms {
                durations.histogram.add(ms);
            }
            match action.slowness {
                Slowness::Normal => {}
                Slowness::Slow => durations.slow += 1,
                Slowness::VerySlow => durations.very_slow += 1,
            }
        }
        if status >= 400 {
            if let Some(user) = action.user {
                self.failed.push(FailedRequest {
                    at,
                    user: user.to_owned(),
                    code: status,
                    endpoint: action.endpoint(),
                    request_id: action.request_id.filter(|r| !r.is_empty()).map(str::to_owned),
                    result: action.result.to_owned(),
                });
            }
        }
        let method =
            action.method.and_then(|m| METHODS.iter().position(|k| *k == m)).unwrap_or(METHODS.len());
        let http = self.http.entry((method as u8, feature, status)).or_default();
        http.requests += 1;
        if let Some(ms) = action.duration_ms {
            let seconds = ms / 1000.0;
            let bucket =
                DURATION_BUCKETS.iter().position(|&b| seconds <= b).unwrap_or(DURATION_BUCKETS.len());
            http.buckets[bucket] += 1;
            http.seconds += seconds;
        }
    }

    /// Empties what was counted since the last flush (keeping the maps' room), and the texts
    /// too when there are many: a new day's users start them again.
    pub(crate) fn clear_since_flush(&mut self) {
        self.actions.clear();
        self.sessions.clear();
        self.latency.clear();
        self.failed.clear();
        self.error_actions.clear();
        if self.texts.len() > MOST_TEXTS {
            self.texts.clear();
        }
    }
}

/// A thread keeps at most about this many texts between flushes before it forgets them.
const MOST_TEXTS: usize = 100_000;
