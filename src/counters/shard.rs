//! One thread's counts: what it counted since the last flush, and its Prometheus totals.
//!
//! Texts (user ids, sessions, IPs) are numbered once per thread, so the counts are keyed by
//! small numbers; features and action types by their [`Label`]. Once the maps have grown to
//! the traffic, counting an action allocates nothing.

use std::collections::HashMap;

use foldhash::fast::RandomState;

use super::Counted;
use super::labels::{Label, Labels, OTHER_LABEL};
use crate::action::ActionType;
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

/// One key of [`Shard::actions`]: the interval, who (user, session and client IP, as one
/// [`Who`] text), what was done, and for a request its method and status code (0 for an action
/// that is not a request).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct ActionKey {
    /// The base interval's start, in microseconds since the epoch.
    pub(crate) interval: i64,
    pub(crate) who: TextId,
    pub(crate) event: Label,
    pub(crate) feature: Label,
    pub(crate) status: u16,
    /// The index in [`METHODS`], its length for another method.
    pub(crate) method: u8,
}

/// The actions of one [`ActionKey`]: how many, the first and the last (the session's time),
/// and the requests' durations for `http_request_duration_seconds`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Tally {
    pub(crate) count: u64,
    pub(crate) first: i64,
    pub(crate) last: i64,
    pub(crate) durations: HttpTotals,
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

/// Who did an action, as one text: the user id, the session id and the client IP, each
/// preceded by its length (or `-` for none) and a `:`. One look-up numbers all three.
pub(crate) struct Who;

impl Who {
    /// Writes `parts` into `out` (cleared first).
    pub(crate) fn write(parts: [Option<&str>; 3], out: &mut String) {
        out.clear();
        for part in parts {
            match part {
                Some(text) => out.push_str(itoa::Buffer::new().format(text.len())),
                None => out.push('-'),
            }
            out.push(':');
            out.push_str(part.unwrap_or_default());
        }
    }

    /// The parts of a text [`write`](Self::write) made.
    pub(crate) fn read(mut text: &str) -> [Option<&str>; 3] {
        let mut parts = [None; 3];
        for part in &mut parts {
            let Some((len, rest)) = text.split_once(':') else { break };
            let n = len.parse::<usize>().ok().filter(|&n| rest.is_char_boundary(n.min(rest.len())));
            let (value, after) = match n {
                Some(n) => rest.split_at(n.min(rest.len())),
                None => ("", rest),
            };
            *part = n.map(|_| value);
            text = after;
        }
        parts
    }
}
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
    /// Where [`Who`] texts are written.
    who: String,
    /// The last action's who and its number: the actions of one request are by one who.
    last_who: Option<([Option<String>; 3], TextId)>,
    // Since the last flush.
    pub(crate) actions: Map<ActionKey, Tally>,
    /// Per (day, feature).
    pub(crate) latency: Map<(i64, Label), Durations>,
    pub(crate) failed: Vec<FailedRequest>,
    pub(crate) error_actions: Vec<ErrorAction>,
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
        let event = match Labels::built_in(action.action_type) {
            Some(label) => label,
            None => self.events.label(&scheme.action_types, action.event),
        };
        let feature = match action.feature {
            Some(feature) if !feature.is_empty() => self.features.label(&scheme.features, feature),
            _ => NO_FEATURE,
        };
        let who = self.who([action.user, action.session, action.ip]);
        let method = match (action.status, action.method) {
            (Some(_), Some(m)) => METHODS.iter().position(|k| *k == m).unwrap_or(METHODS.len()) as u8,
            _ => METHODS.len() as u8,
        };
        let key = ActionKey {
            interval: at.div_euclid(scheme.base_micros) * scheme.base_micros,
            who,
            event,
            feature,
            status: action.status.unwrap_or(0),
            method,
        };
        let tally = self.actions.entry(key).or_insert(Tally {
            count: 0,
            first: at,
            last: at,
            durations: HttpTotals::default(),
        });
        tally.count += 1;
        tally.first = tally.first.min(at);
        tally.last = tally.last.max(at);
        if action.status.is_some() {
            if let Some(ms) = action.duration_ms {
                let seconds = ms / 1000.0;
                let bucket =
                    DURATION_BUCKETS.iter().position(|&b| seconds <= b).unwrap_or(DURATION_BUCKETS.len());
                tally.durations.buckets[bucket] += 1;
                tally.durations.seconds += seconds;
            }
        }
        if action.action_type == ActionType::Error {
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
            let day = at.div_euclid(DAY_MICROS) * DAY_MICROS;
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
        if let (true, Some(user)) = (status >= 400, action.user) {
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

    /// The number of the [`Who`] text of `parts`.
    fn who(&mut self, parts: [Option<&str>; 3]) -> TextId {
        if let Some((last, id)) = &self.last_who {
            if last.iter().zip(parts).all(|(last, part)| last.as_deref() == part) {
                return *id;
            }
        }
        Who::write(parts, &mut self.who);
        let id = self.texts.id(&self.who);
        let (last, last_id) = self.last_who.get_or_insert_with(|| (Default::default(), id));
        for (last, part) in last.iter_mut().zip(parts) {
            match (last.as_mut(), part) {
                (Some(text), Some(part)) => {
                    text.clear();
                    text.push_str(part);
                }
                (_, part) => *last = part.map(str::to_owned),
            }
        }
        *last_id = id;
        id
    }

    /// Empties what was counted since the last flush (keeping the maps' room), and the texts
    /// too when there are many: a new day's users start them again.
    pub(crate) fn clear_since_flush(&mut self) {
        self.actions.clear();
        self.latency.clear();
        self.failed.clear();
        self.error_actions.clear();
        if self.texts.len() > MOST_TEXTS {
            self.texts.clear();
            self.last_who = None;
        }
    }
}

/// A thread keeps at most about this many texts between flushes before it forgets them.
const MOST_TEXTS: usize = 100_000;

/// The Prometheus totals: actions per type, requests and their durations per (method,
/// feature, status).
#[derive(Debug, Default, Clone)]
pub(crate) struct PromTotals {
    pub(crate) events: Map<Label, u64>,
    pub(crate) http: Map<HttpKey, HttpTotals>,
}

impl PromTotals {
    /// Adds the actions of a shard.
    pub(crate) fn add(&mut self, actions: &Map<ActionKey, Tally>) {
        for (key, tally) in actions {
            *self.events.entry(key.event).or_default() += tally.count;
            if key.status == 0 {
                continue;
            }
            let http = self.http.entry((key.method, key.feature, key.status)).or_default();
            http.requests += tally.count;
            http.seconds += tally.durations.seconds;
            for (sum, n) in http.buckets.iter_mut().zip(&tally.durations.buckets) {
                *sum += n;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn who_reads_back_what_was_written() {
        let mut text = String::new();
        for parts in [
            [Some("user123"), Some("0b7e-6a2c"), Some("192.168.1.100")],
            [None, Some("s:1:2"), None],
            [Some(""), None, Some("2001:db8::1")],
            [Some("7:é-ü:9"), Some("-"), Some("1:")],
            [None, None, None],
        ] {
            Who::write(parts, &mut text);
            assert_eq!(Who::read(&text), parts, "{text:?}");
        }
    }
}
