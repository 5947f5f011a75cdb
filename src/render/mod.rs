//! Rendering one action into its narrative line and its JSON line.
//!
//! Both are written into reusable buffers; nothing here allocates once the buffers have grown
//! to the size of a typical line.

mod ecs;
mod json;
mod narrative;

use std::time::{SystemTime, UNIX_EPOCH};

use chrono::{DateTime, Datelike, FixedOffset, Timelike, Utc};
use tracing_core::Level;

use crate::action::ActionType;
use crate::config::Config;
use crate::escape::json::push_fixed;
use crate::escape::number::push_digits;
use crate::escape::{Text, push_json_str};
use crate::fields::json as key;
use crate::record::{EventKind, Record};
use crate::sink::FileLines;

/// How slow an action was, against the configured thresholds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slowness {
    Normal,
    /// At or over `SLOW_REQUEST_THRESHOLD`.
    Slow,
    /// At or over `VERY_SLOW_REQUEST_THRESHOLD`.
    VerySlow,
}

impl Slowness {
    /// The value of `action.slow` in JSON.
    pub(crate) fn json_name(self) -> Option<&'static str> {
        match self {
            Slowness::Normal => None,
            Slowness::Slow => Some("slow"),
            Slowness::VerySlow => Some("very_slow"),
        }
    }
}

/// One action, resolved: the record plus everything derived from it.
#[derive(Debug)]
pub(crate) struct Action<'a> {
    pub(crate) kind: EventKind,
    pub(crate) action_type: ActionType<'a>,
    /// The type's name as written: a custom type's as the event gave it.
    pub(crate) type_name: Text<'a>,
    /// The event's level, WARN at least when the action was slow.
    pub(crate) level: Level,
    pub(crate) success: bool,
    pub(crate) description: Text<'a>,
    pub(crate) result: Text<'a>,
    pub(crate) slowness: Slowness,
    pub(crate) record: &'a Record,
    pub(crate) time: &'a TimeText,
}

impl<'a> Action<'a> {
    /// The action `record` holds, an event of `kind` at `level`, against `renderer`'s thresholds.
    pub(crate) fn new(
        kind: EventKind,
        level: Level,
        record: &'a Record,
        renderer: &Renderer,
        time: &'a TimeText,
    ) -> Self {
        let (action_type, type_name) = record.action_type(kind);
        let success = record.success.unwrap_or(action_type.default_success());
        let slowness = renderer.slowness(record.duration_ms);
        // Slow actions are logged at WARN at least.
        let level = if slowness != Slowness::Normal && level > Level::WARN { Level::WARN } else { level };
        Action {
            kind,
            action_type,
            type_name,
            level,
            success,
            description: record.description(),
            result: record.result(action_type, success),
            slowness,
            record,
            time,
        }
    }
}

/// The time of one action as text: UTC RFC 3339 and local `HH:MM:SS`.
///
/// Kept per thread: the date, time and local conversion are redone only when the second
/// changes; within a second only the microseconds are written.
#[derive(Debug)]
pub(crate) struct TimeText {
    second: i64,
    /// Microseconds since the epoch.
    micros: i64,
    /// `2024-01-15T14:30:25.123456Z`
    utc: String,
    /// `14:30:25`
    local_hms: String,
}

impl TimeText {
    pub(crate) fn new() -> Self {
        TimeText {
            second: i64::MIN,
            micros: 0,
            utc: String::with_capacity(27),
            local_hms: String::with_capacity(8),
        }
    }

    pub(crate) fn set(&mut self, now: DateTime<Utc>, offset: FixedOffset) {
        self.set_parts(now.timestamp(), now.nanosecond(), offset, || now);
    }

    /// [`set`](Self::set) to the system clock's now, read as seconds and nanoseconds since the
    /// epoch: a date is made only when the second changes.
    pub(crate) fn set_system(&mut self, offset: FixedOffset) {
        let since = SystemTime::now().duration_since(UNIX_EPOCH).ok();
        match since.and_then(|d| Some((i64::try_from(d.as_secs()).ok()?, d.subsec_nanos()))) {
            Some((second, nanos)) => self.set_parts(second, nanos, offset, || {
                DateTime::from_timestamp(second, nanos).unwrap_or_else(Utc::now)
            }),
            // Before 1970 or past i64 seconds: chrono's own reading.
            None => self.set(Utc::now(), offset),
        }
    }

    /// The time `second` (since the epoch) and `nanos`; `now` gives it as a date when the second
    /// is not the one written last.
    fn set_parts(
        &mut self,
        second: i64,
        nanos: u32,
        offset: FixedOffset,
        now: impl FnOnce() -> DateTime<Utc>,
    ) {
        if second != self.second {
            let now = now();
            self.second = second;
            self.utc.clear();
            write_rfc3339(&mut self.utc, now);
            let local = now.with_timezone(&offset);
            self.local_hms.clear();
            push_hms(&mut self.local_hms, local.hour(), local.minute(), local.second());
        }
        self.micros =
            second.saturating_mul(1_000_000).saturating_add(i64::from((nanos / 1_000).min(999_999)));
        self.utc.truncate(RFC3339_SECONDS);
        self.utc.push('.');
        push_digits(&mut self.utc, (nanos / 1_000).min(999_999), 6);
        self.utc.push('Z');
    }

    pub(crate) fn utc(&self) -> &str {
        &self.utc
    }

    /// The time in microseconds since the epoch, as [`utc`](Self::utc) writes it.
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    pub(crate) fn micros(&self) -> i64 {
        self.micros
    }

    pub(crate) fn local_hms(&self) -> &str {
        &self.local_hms
    }
}

/// The length of `2024-01-15T14:30:25`.
const RFC3339_SECONDS: usize = 19;

/// The render settings taken from [`Config`] once, at build time.
#[derive(Debug, Clone)]
pub(crate) struct Renderer {
    pub(crate) emojis: bool,
    pub(crate) user_info: bool,
    pub(crate) timestamps: bool,
    slow_ms: f64,
    very_slow_ms: f64,
    /// The environment's name, already escaped for a JSON string.
    environment_json: String,
    pub(crate) offset: FixedOffset,
    /// The user id written when an action has none (the pseudonym of "unknown"), if any.
    unknown_user: Option<String>,
}

impl Renderer {
    pub(crate) fn new(config: &Config, offset: FixedOffset, unknown_user: Option<String>) -> Self {
        let mut environment_json = String::new();
        push_json_str(&mut environment_json, &config.environment);
        Renderer {
            emojis: config.enable_emojis,
            user_info: config.enable_user_info,
            timestamps: config.enable_timestamps,
            slow_ms: config.slow_request_threshold.as_secs_f64() * 1000.0,
            very_slow_ms: config.very_slow_request_threshold.as_secs_f64() * 1000.0,
            environment_json,
            offset,
            unknown_user,
        }
    }

    pub(crate) fn slowness(&self, duration_ms: Option<f64>) -> Slowness {
        match duration_ms {
            Some(d) if d >= self.very_slow_ms => Slowness::VerySlow,
            Some(d) if d >= self.slow_ms => Slowness::Slow,
            _ => Slowness::Normal,
        }
    }

    /// `[LEVEL] narrative\n`, the level coloured when `ansi` is on.
    pub(crate) fn console_line(&self, level: Level, ansi: bool, narrative: &str, out: &mut String) {
        if ansi {
            out.push_str(level_colour(level));
            out.push('[');
            out.push_str(level.as_str());
            out.push_str("]\x1b[0m ");
        } else {
            out.push('[');
            out.push_str(level.as_str());
            out.push_str("] ");
        }
        out.push_str(narrative);
        out.push('\n');
    }

    /// `2024-01-15T14:30:25.123456Z [LEVEL] narrative\n`: the file's line when JSON is off.
    pub(crate) fn text_file_line(&self, action: &Action<'_>, narrative: &str, out: &mut String) {
        out.push_str(action.time.utc());
        out.push(' ');
        self.console_line(action.level, false, narrative, out);
    }
}

impl Renderer {
    /// The line the file gets after `dropped` lines found the queue full.
    pub(crate) fn dropped_notice(
        &self,
        dropped: u64,
        now: DateTime<Utc>,
        lines: FileLines,
        out: &mut String,
    ) {
        // A rare line: allocating its text is fine.
        let text = format!("{dropped} activity lines dropped: queue full");
        let text = text.as_str();
        match lines {
            FileLines::Text => {
                write_rfc3339(out, now);
                out.push_str(" [WARN] ");
                out.push_str(text);
                out.push('\n');
            }
            FileLines::Activity => self.json_dropped_notice(dropped, now, text, out),
            FileLines::Ecs => self.ecs_dropped_notice(dropped, now, text, out),
        }
    }

    /// `"environment":"…"`, the service's environment, as a member of a JSON object.
    fn push_environment(&self, out: &mut String) {
        push_fixed(out, key::ENVIRONMENT, |o| {
            o.push('"');
            o.push_str(&self.environment_json);
            o.push('"');
        });
    }
}

fn level_colour(level: Level) -> &'static str {
    match level {
        Level::ERROR => "\x1b[1;31m",
        Level::WARN => "\x1b[1;33m",
        Level::INFO => "\x1b[1;32m",
        Level::DEBUG => "\x1b[1;34m",
        _ => "\x1b[1;35m",
    }
}

/// Writes `2024-01-15T14:30:25.123456Z`.
pub(crate) fn write_rfc3339(out: &mut String, t: DateTime<Utc>) {
    // Years outside 0..=9999 cannot be written in RFC 3339; they are clamped.
    push_digits(out, t.year().clamp(0, 9999) as u32, 4);
    out.push('-');
    push_digits(out, t.month(), 2);
    out.push('-');
    push_digits(out, t.day(), 2);
    out.push('T');
    push_hms(out, t.hour(), t.minute(), t.second());
    out.push('.');
    // chrono shows a leap second as second 59 with 1_000_000+ µs; keep six digits.
    push_digits(out, (t.nanosecond() / 1_000).min(999_999), 6);
    out.push('Z');
}

/// Writes `14:30:25`.
pub(crate) fn push_hms(out: &mut String, h: u32, m: u32, s: u32) {
    push_digits(out, h, 2);
    out.push(':');
    push_digits(out, m, 2);
    out.push(':');
    push_digits(out, s, 2);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_system_time_is_written_as_the_clock_reads_it() {
        let offset = FixedOffset::east_opt(2 * 3600).unwrap();
        let mut time = TimeText::new();
        // A time of another second first, so the date is made anew.
        time.set(DateTime::from_timestamp(86_400, 5_000).unwrap(), offset);
        assert_eq!(time.utc(), "1970-01-02T00:00:00.000005Z");
        assert_eq!(time.local_hms(), "02:00:00");
        let before = Utc::now();
        time.set_system(offset);
        let after = Utc::now();
        let written: DateTime<Utc> = time.utc().parse().unwrap();
        let micros = |t: DateTime<Utc>| t.timestamp_micros();
        assert!(micros(before) <= micros(written) && micros(written) <= micros(after), "{written}");
        assert_eq!(time.utc().len(), "2024-01-15T14:30:25.123456Z".len());
        let local = written.with_timezone(&offset);
        assert_eq!(
            time.local_hms(),
            format!("{:02}:{:02}:{:02}", local.hour(), local.minute(), local.second())
        );
    }
}
