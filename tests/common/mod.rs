//! Shared test helpers: a capturing writer, a settable clock and a subscriber harness.
#![allow(dead_code, unreachable_pub)]

#[cfg(feature = "http")]
pub mod http;
#[cfg(all(feature = "http", feature = "report"))]
pub mod logs;
#[cfg(all(feature = "http", unix))]
pub mod server;

use std::io;
use std::sync::{Arc, Mutex};

use chrono::{DateTime, FixedOffset, TimeZone, Utc};
use serde_json::Value;
use tracing_activity::{ActivityGuard, ActivityLayer, Builder, Config};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::prelude::*;

/// Collects everything written to it.
#[derive(Clone, Default)]
pub struct Capture(Arc<Mutex<Vec<u8>>>);

impl Capture {
    pub fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).expect("output is UTF-8")
    }

    pub fn lines(&self) -> Vec<String> {
        self.text().lines().map(str::to_owned).collect()
    }

    /// Every line parsed as JSON, failing on invalid JSON or a key written twice.
    pub fn json(&self) -> Vec<Value> {
        self.lines().iter().map(|l| parse_strict(l)).collect()
    }
}

pub struct CaptureWriter(Arc<Mutex<Vec<u8>>>);

impl io::Write for CaptureWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = CaptureWriter;
    fn make_writer(&'a self) -> CaptureWriter {
        CaptureWriter(self.0.clone())
    }
}

/// A clock tests can move.
#[derive(Clone)]
pub struct TestClock(Arc<Mutex<DateTime<Utc>>>);

impl TestClock {
    pub fn at(h: u32, m: u32, s: u32) -> Self {
        Self::at_time(time(h, m, s))
    }
    pub fn at_time(time: DateTime<Utc>) -> Self {
        TestClock(Arc::new(Mutex::new(time)))
    }
    pub fn set(&self, h: u32, m: u32, s: u32) {
        self.set_time(time(h, m, s));
    }
    pub fn set_time(&self, time: DateTime<Utc>) {
        *self.0.lock().unwrap() = time;
    }
    pub fn now(&self) -> DateTime<Utc> {
        *self.0.lock().unwrap()
    }
}

/// 2024-01-15 at h:m:s.123456 UTC, the day of the README's examples.
pub fn time(h: u32, m: u32, s: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 1, 15, h, m, s).unwrap() + chrono::Duration::microseconds(123_456)
}

pub fn utc() -> FixedOffset {
    FixedOffset::east_opt(0).unwrap()
}

/// A layer writing to captures, with a clock set to the README's examples' day.
pub struct Harness {
    pub console: Capture,
    pub file: Capture,
    pub clock: TestClock,
    pub guard: ActivityGuard,
    dispatch: tracing::Dispatch,
}

impl Harness {
    /// A harness with console times in UTC.
    pub fn new(config: Config) -> Self {
        Self::with(Builder::new().config(config).utc_offset(utc()))
    }

    pub fn with(builder: Builder) -> Self {
        let console = Capture::default();
        let file = Capture::default();
        let clock = TestClock::at(14, 30, 25);
        let c = clock.clone();
        let tracing_activity::Activity { layer, guard, .. } = builder
            .console_writer(console.clone())
            .file_writer(file.clone())
            .clock(move || c.now())
            .build()
            .expect("layer builds");
        let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(layer));
        Harness { console, file, clock, guard, dispatch }
    }

    /// Runs `f` with this harness's subscriber as the default.
    pub fn run<R>(&self, f: impl FnOnce() -> R) -> R {
        tracing::dispatcher::with_default(&self.dispatch, f)
    }

    /// The one JSON line written so far.
    pub fn only_json(&self) -> Value {
        let mut lines = self.file.json();
        assert_eq!(lines.len(), 1, "expected one JSON line, got {lines:?}");
        lines.remove(0)
    }
}

pub fn layer_for(config: Config) -> (ActivityLayer, ActivityGuard, Capture, Capture) {
    let console = Capture::default();
    let file = Capture::default();
    let tracing_activity::Activity { layer, guard, .. } = Builder::new()
        .config(config)
        .console_writer(console.clone())
        .file_writer(file.clone())
        .build()
        .unwrap();
    (layer, guard, console, file)
}

/// Parses one JSON value, rejecting any object that has a key twice.
pub fn parse_strict(line: &str) -> Value {
    use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
    use std::fmt;

    struct Strict;
    impl<'de> DeserializeSeed<'de> for Strict {
        type Value = Value;
        fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
            d.deserialize_any(self)
        }
    }
    impl<'de> Visitor<'de> for Strict {
        type Value = Value;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str("JSON")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
            Ok(Value::Bool(v))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_f64<E>(self, v: f64) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_str<E>(self, v: &str) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_string<E>(self, v: String) -> Result<Value, E> {
            Ok(v.into())
        }
        fn visit_unit<E>(self) -> Result<Value, E> {
            Ok(Value::Null)
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
            let mut out = Vec::new();
            while let Some(v) = seq.next_element_seed(Strict)? {
                out.push(v);
            }
            Ok(Value::Array(out))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
            let mut out = serde_json::Map::new();
            while let Some(k) = map.next_key::<String>()? {
                let v = map.next_value_seed(Strict)?;
                if out.insert(k.clone(), v).is_some() {
                    return Err(serde::de::Error::custom(format!("key {k:?} written twice")));
                }
            }
            Ok(Value::Object(out))
        }
    }
    let mut de = serde_json::Deserializer::from_str(line);
    let v = Strict.deserialize(&mut de).unwrap_or_else(|e| panic!("invalid JSON line {line:?}: {e}"));
    de.end().unwrap_or_else(|e| panic!("trailing data in {line:?}: {e}"));
    v
}

/// Only the file at `path`, rotated at `max_size` with `backups` kept; a full queue waits, so
/// every line is written.
pub fn rotated_file(path: &std::path::Path, max_size: u64, backups: u32) -> tracing_activity::Config {
    tracing_activity::Config::default()
        .enable_console_logging(false)
        .user_activity_log_path(path.to_owned())
        .log_file_max_size(max_size)
        .log_file_backup_count(backups)
        .log_queue_overflow(tracing_activity::OverflowPolicy::Block)
}

/// Logs one action for each `seq` of `range`, as logging thread `thread` (both in
/// `action.data`), through `dispatch`.
pub fn emit_numbered(dispatch: &tracing::Dispatch, thread: u64, range: std::ops::Range<u64>) {
    tracing::dispatcher::with_default(dispatch, || {
        for seq in range {
            tracing_activity::user_action!(
                tracing_activity::ActionType::ApiCall,
                "GET /items",
                user_id = "u1",
                thread,
                seq
            );
        }
    });
}
