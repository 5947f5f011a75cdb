//! The parsers of variable values: booleans, levels, sizes, counts, durations and lists. Each
//! returns, on failure, what a valid value looks like.

use std::path::PathBuf;
use std::time::Duration;

use tracing_subscriber::filter::LevelFilter;

use super::log_file::{EXPECTED_LOG_COMPRESSION, EXPECTED_LOG_FORMAT, EXPECTED_LOG_ROTATION};
use super::mask_style::EXPECTED_MASK_STYLE;
use super::overflow_policy::EXPECTED_OVERFLOW_POLICY;
use super::usage_interval::EXPECTED_USAGE_INTERVAL;
use super::{
    IpCidr, LogCompression, LogFormat, LogRotation, MaskStyle, OverflowPolicy, Secret, UsageInterval,
};

/// The smallest `MAX_VALUE_LENGTH`, in bytes.
pub(super) const MIN_VALUE_LENGTH: u64 = 64;

const EXPECTED_BOOL: &str = "a boolean: true, false, 1, 0, yes, no, on or off";
const EXPECTED_LEVEL: &str = "a level: trace, debug, info, warn, error or off";
const EXPECTED_SIZE: &str = "a size in bytes, such as 10485760, 10MB or 10MiB";
const EXPECTED_SIZE_IN_RANGE: &str = "a size in bytes no larger than 18446744073709551615";
pub(super) const EXPECTED_NONZERO_SIZE: &str = "a size greater than zero, such as 10485760, 10MB or 10MiB";
const EXPECTED_MILLIS: &str = "a duration in milliseconds, such as 1000, 1000ms or 1.5s";
pub(super) const EXPECTED_SESSION_TIME: &str = "a duration of at least one second, such as 30m or 24h";
const EXPECTED_MILLIS_IN_RANGE: &str = "a duration no longer than 18446744073709551615 seconds";
const EXPECTED_COUNT: &str = "a whole number from 0 to 4294967295";
pub(super) const EXPECTED_QUEUE_SIZE: &str = "a number of lines, at least 1";
const EXPECTED_QUEUE_SIZE_IN_RANGE: &str = match usize::BITS {
    64 => "a number of lines from 1 to 18446744073709551615",
    32 => "a number of lines from 1 to 4294967295",
    _ => "a number of lines from 1 to 65535",
};

pub(super) const EXPECTED_VALUE_LENGTH: &str = "a size of at least 64 bytes";
const EXPECTED_FIELD_NAME: &str =
    "comma-separated field names made of ASCII letters, digits, '_', '-' and '.'";
const EXPECTED_CIDR: &str =
    "comma-separated IP addresses or CIDR networks, such as 10.0.0.0/8, ::1/128 or 192.168.1.10";
const EXPECTED_PATH: &str = "comma-separated paths starting with '/', such as /health,/metrics";

/// Parses a boolean: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, in any
/// case. The error is what was expected.
pub(super) fn parse_bool(value: &str) -> Result<bool, &'static str> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(EXPECTED_BOOL),
    }
}

/// Parses a level filter: `trace`, `debug`, `info`, `warn`/`warning`,
/// `error` or `off`, in any case. The error is what was expected.
pub(super) fn parse_level(value: &str) -> Result<LevelFilter, &'static str> {
    match value.trim().to_ascii_lowercase().as_str() {
        "trace" => Ok(LevelFilter::TRACE),
        "debug" => Ok(LevelFilter::DEBUG),
        "info" => Ok(LevelFilter::INFO),
        "warn" | "warning" => Ok(LevelFilter::WARN),
        "error" => Ok(LevelFilter::ERROR),
        "off" => Ok(LevelFilter::OFF),
        _ => Err(EXPECTED_LEVEL),
    }
}

/// Parses a size in bytes: digits, then optionally (after optional
/// whitespace) `B`, `KB`, `MB`, `GB` (powers of 1000) or `KiB`, `MiB`, `GiB`
/// (powers of 1024), in any case. The error is what was expected.
pub(super) fn parse_size(value: &str) -> Result<u64, &'static str> {
    let value = value.trim();
    let digits_end = value.find(|c: char| !c.is_ascii_digit()).unwrap_or(value.len());
    let (number, unit) = value.split_at(digits_end);
    if number.is_empty() {
        return Err(EXPECTED_SIZE);
    }
    let multiplier: u64 = match unit.trim_start().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "kib" => 1024,
        "mib" => 1024 * 1024,
        "gib" => 1024 * 1024 * 1024,
        _ => return Err(EXPECTED_SIZE),
    };
    number.parse::<u64>().ok().and_then(|number| number.checked_mul(multiplier)).ok_or(EXPECTED_SIZE_IN_RANGE)
}

/// [`parse_size`], rejecting zero.
pub(super) fn parse_nonzero_size(value: &str) -> Result<u64, &'static str> {
    match parse_size(value)? {
        0 => Err(EXPECTED_NONZERO_SIZE),
        size => Ok(size),
    }
}

/// [`parse_size`], rejecting sizes below 64 bytes.
pub(super) fn parse_value_length(value: &str) -> Result<u64, &'static str> {
    match parse_size(value)? {
        size if size < MIN_VALUE_LENGTH => Err(EXPECTED_VALUE_LENGTH),
        size => Ok(size),
    }
}

/// Parses a whole number from 0 to `u32::MAX` (digits only, no sign). The
/// error is what was expected.
pub(super) fn parse_count(value: &str) -> Result<u32, &'static str> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EXPECTED_COUNT);
    }
    value.parse().map_err(|_| EXPECTED_COUNT)
}

/// Parses a queue size: a number of lines from 1 to `usize::MAX` (digits
/// only, no sign). The error is what was expected.
pub(super) fn parse_queue_size(value: &str) -> Result<usize, &'static str> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EXPECTED_QUEUE_SIZE);
    }
    match value.parse::<usize>() {
        Ok(0) => Err(EXPECTED_QUEUE_SIZE),
        Ok(size) => Ok(size),
        Err(_) => Err(EXPECTED_QUEUE_SIZE_IN_RANGE),
    }
}

/// Parses an overflow policy: `drop` or `block`, in any case. The error is
/// what was expected.
pub(super) fn parse_overflow_policy(value: &str) -> Result<OverflowPolicy, &'static str> {
    value.trim().parse().map_err(|_| EXPECTED_OVERFLOW_POLICY)
}

/// Parses a mask style: `partial` or `full`, in any case. The error is what
/// was expected.
pub(super) fn parse_mask_style(value: &str) -> Result<MaskStyle, &'static str> {
    value.trim().parse().map_err(|_| EXPECTED_MASK_STYLE)
}

/// Parses a non-negative number of milliseconds, whole or decimal,
/// optionally followed (after optional whitespace) by `ms` or `s` in any
/// case: `1000`, `1000ms`, `1.5s`. Digits beyond nanosecond precision are
/// dropped. The error is what was expected.
pub(super) fn parse_millis(value: &str) -> Result<Duration, &'static str> {
    const NANOS_PER_MILLI: u128 = 1_000_000;
    const NANOS_PER_SEC: u128 = 1_000_000_000;

    let value = value.trim().to_ascii_lowercase();
    let (number, nanos_per_unit) = if let Some(number) = value.strip_suffix("ms") {
        (number, NANOS_PER_MILLI)
    } else if let Some(number) = value.strip_suffix('s') {
        (number, NANOS_PER_SEC)
    } else {
        (value.as_str(), NANOS_PER_MILLI)
    };
    let number = number.trim_end();
    let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !all_digits(fraction) {
        return Err(EXPECTED_MILLIS);
    }

    // Nine fractional digits are exact to the nanosecond even in seconds.
    let fraction = &fraction[..fraction.len().min(9)];
    let scale = 10u128.pow(fraction.len() as u32);
    let fraction: u128 = fraction.parse().map_err(|_| EXPECTED_MILLIS)?;
    let nanos = whole
        .parse::<u128>()
        .ok()
        .and_then(|whole| whole.checked_mul(nanos_per_unit))
        .and_then(|nanos| nanos.checked_add(fraction * nanos_per_unit / scale))
        .ok_or(EXPECTED_MILLIS_IN_RANGE)?;
    let secs = u64::try_from(nanos / NANOS_PER_SEC).map_err(|_| EXPECTED_MILLIS_IN_RANGE)?;
    let subsec_nanos = (nanos % NANOS_PER_SEC) as u32; // < 1e9, fits
    Ok(Duration::new(secs, subsec_nanos))
}

/// Parses a session time: what [`parse_millis`] takes, or a number of minutes (`30m`) or hours
/// (`24h`), in any case. The error is what was expected.
pub(super) fn parse_session_time(value: &str) -> Result<Duration, &'static str> {
    let value = value.trim();
    let lower = value.to_ascii_lowercase();
    let minutes_or_hours = if lower.ends_with('h') {
        Some(3600)
    } else if lower.ends_with('m') && !lower.ends_with("ms") {
        Some(60)
    } else {
        None
    };
    let time = match minutes_or_hours {
        None => parse_millis(value),
        Some(seconds) => parse_millis(&format!("{}s", value[..value.len() - 1].trim_end()))
            .and_then(|number| number.checked_mul(seconds).ok_or(EXPECTED_MILLIS_IN_RANGE)),
    };
    time.map_err(|_| EXPECTED_SESSION_TIME)
}

pub(super) const EXPECTED_MAX_AGE: &str =
    "a duration of at least one second, such as 30d, 12h or 90m, or none";

/// Parses `LOG_MAX_AGE`: a number of days (`30d`), or what [`parse_session_time`] takes; `none`
/// keeps backups whatever their age.
pub(super) fn parse_max_age(value: &str) -> Result<Option<Duration>, &'static str> {
    let value = value.trim();
    if value.eq_ignore_ascii_case("none") {
        return Ok(None);
    }
    let age = match value.strip_suffix(['d', 'D']) {
        Some(days) => {
            parse_session_time(&format!("{}h", days.trim_end())).ok().and_then(|hours| hours.checked_mul(24))
        }
        None => parse_session_time(value).ok(),
    };
    age.filter(|age| *age >= Duration::from_secs(1)).map(Some).ok_or(EXPECTED_MAX_AGE)
}

/// Parses `LOG_FORMAT`.
pub(super) fn parse_log_format(value: &str) -> Result<LogFormat, &'static str> {
    value.trim().parse().map_err(|_| EXPECTED_LOG_FORMAT)
}

/// Parses `LOG_ROTATE_EVERY`.
pub(super) fn parse_log_rotation(value: &str) -> Result<LogRotation, &'static str> {
    value.trim().parse().map_err(|_| EXPECTED_LOG_ROTATION)
}

/// Parses `LOG_COMPRESS`.
pub(super) fn parse_log_compression(value: &str) -> Result<LogCompression, &'static str> {
    value.trim().parse().map_err(|_| EXPECTED_LOG_COMPRESSION)
}

/// Splits a comma-separated list, trims the items, drops empty ones and
/// parses the rest with `parse_item`. The error is the offending item and
/// what was expected.
pub(super) fn parse_list<T>(
    value: &str,
    mut parse_item: impl FnMut(&str) -> Result<T, &'static str>,
) -> Result<Vec<T>, (&str, &'static str)> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| parse_item(item).map_err(|expected| (item, expected)))
        .collect()
}

/// A `SENSITIVE_FIELDS` item: ASCII letters, digits, `_`, `-` and `.`.
pub(super) fn parse_field_name(item: &str) -> Result<String, &'static str> {
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if !item.is_empty() && item.chars().all(valid) { Ok(item.to_owned()) } else { Err(EXPECTED_FIELD_NAME) }
}

/// A `TRUSTED_PROXIES` item.
pub(super) fn parse_cidr(item: &str) -> Result<IpCidr, &'static str> {
    item.parse().map_err(|_| EXPECTED_CIDR)
}

/// A `SKIP_PATHS` item: starts with `/`.
pub(super) fn parse_skip_path(item: &str) -> Result<String, &'static str> {
    if item.starts_with('/') { Ok(item.to_owned()) } else { Err(EXPECTED_PATH) }
}

/// Milliseconds with as many decimals as needed: `1000`, `1500.25`.
pub(super) fn format_millis(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    let (millis, rest) = (nanos / 1_000_000, nanos % 1_000_000);
    if rest == 0 {
        millis.to_string()
    } else {
        let decimals = format!("{rest:06}");
        format!("{millis}.{}", decimals.trim_end_matches('0'))
    }
}

/// Parses `USAGE_BASE_INTERVAL`.
pub(super) fn parse_usage_interval(value: &str) -> Result<UsageInterval, &'static str> {
    value.parse().map_err(|_| EXPECTED_USAGE_INTERVAL)
}

/// Parses `USAGE_DB_PATH`: a path, or `none` for no store.
pub(super) fn parse_usage_db_path(value: &str) -> Result<Option<PathBuf>, &'static str> {
    Ok((!value.eq_ignore_ascii_case("none")).then(|| PathBuf::from(value)))
}

pub(super) const EXPECTED_POSTGRES_URL: &str = "a PostgreSQL URL (postgres://user:password@host/database)";

/// Parses `USAGE_DATABASE_URL`: a `postgres://` or `postgresql://` URL.
pub(super) fn parse_postgres_url(value: &str) -> Result<Option<Secret>, &'static str> {
    let lower = value.to_ascii_lowercase();
    if lower.starts_with("postgres://") || lower.starts_with("postgresql://") {
        Ok(Some(Secret::new(value)))
    } else {
        Err(EXPECTED_POSTGRES_URL)
    }
}
