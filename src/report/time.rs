//! Time in the reports: the window a report covers, the intervals counts are grouped by, and
//! the lines' timestamps read as microseconds since the Unix epoch.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Datelike, NaiveDate, TimeDelta, TimeZone, Utc};

/// Microseconds since the Unix epoch, UTC.
pub(crate) type Micros = i64;

const MICROS_PER_SECOND: i64 = 1_000_000;
const MICROS_PER_HOUR: i64 = 3_600 * MICROS_PER_SECOND;
const MICROS_PER_DAY: i64 = 24 * MICROS_PER_HOUR;

/// The span of time a report covers: from `start` (included) to `end` (excluded).
///
/// ```
/// use tracing_activity::report::Window;
/// let until = "2024-01-15T16:00:00Z".parse().unwrap();
/// let window = Window::hours(2).until(until);
/// assert_eq!(window.start().to_rfc3339(), "2024-01-15T14:00:00+00:00");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Window {
    start: DateTime<Utc>,
    end: DateTime<Utc>,
}

impl Window {
    /// From `start` (included) to `end` (excluded); an `end` before `start` is taken as `start`.
    pub fn new(start: DateTime<Utc>, end: DateTime<Utc>) -> Self {
        Window { start, end: end.max(start) }
    }

    /// The `length` up to now.
    pub fn last(length: TimeDelta) -> Self {
        let end = Utc::now();
        Window::new(end - length, end)
    }

    /// The last `hours` hours, up to now.
    pub fn hours(hours: u32) -> Self {
        Window::last(TimeDelta::hours(i64::from(hours)))
    }

    /// The last `days` days, up to now.
    pub fn days(days: u32) -> Self {
        Window::last(TimeDelta::days(i64::from(days)))
    }

    /// The same length of time, ending at `end`.
    #[must_use]
    pub fn until(self, end: DateTime<Utc>) -> Self {
        Window::new(end - (self.end - self.start), end)
    }

    /// The first instant in the window.
    pub fn start(&self) -> DateTime<Utc> {
        self.start
    }

    /// The first instant after the window.
    pub fn end(&self) -> DateTime<Utc> {
        self.end
    }

    pub(crate) fn micros(&self) -> (Micros, Micros) {
        (self.start.timestamp_micros(), self.end.timestamp_micros())
    }
}

/// The interval counts are grouped by (`--interval`), aligned to UTC.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Interval {
    /// Whole hours.
    #[default]
    Hour,
    /// Whole days.
    Day,
    /// Calendar months.
    Month,
}

impl Interval {
    /// The start of the interval that holds `at`.
    pub(crate) fn start_of(self, at: Micros) -> Micros {
        match self {
            Interval::Hour => at.div_euclid(MICROS_PER_HOUR) * MICROS_PER_HOUR,
            Interval::Day => day_of(at) * MICROS_PER_DAY,
            Interval::Month => {
                let date = date_of(day_of(at));
                let first = date.with_day(1).unwrap_or(date);
                i64::from(first.num_days_from_ce() - UNIX_EPOCH_DAYS_FROM_CE) * MICROS_PER_DAY
            }
        }
    }
}

impl Interval {
    /// The interval's length in seconds; `None` for a month, whose length varies.
    #[cfg(feature = "metrics")]
    pub(crate) fn seconds(self) -> Option<i64> {
        match self {
            Interval::Hour => Some(MICROS_PER_HOUR / MICROS_PER_SECOND),
            Interval::Day => Some(MICROS_PER_DAY / MICROS_PER_SECOND),
            Interval::Month => None,
        }
    }
}

impl FromStr for Interval {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        match s.to_ascii_lowercase().as_str() {
            "hour" | "hourly" => Ok(Interval::Hour),
            "day" | "daily" => Ok(Interval::Day),
            "month" | "monthly" => Ok(Interval::Month),
            _ => Err(format!("invalid interval {s:?}: expected hour, day or month")),
        }
    }
}

impl fmt::Display for Interval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Interval::Hour => "hour",
            Interval::Day => "day",
            Interval::Month => "month",
        })
    }
}

/// 1970-01-01 counted from 0001-01-01 as chrono counts (`num_days_from_ce`).
const UNIX_EPOCH_DAYS_FROM_CE: i32 = 719_163;

/// The day (since the epoch) that holds `at`.
pub(crate) fn day_of(at: Micros) -> i64 {
    at.div_euclid(MICROS_PER_DAY)
}

/// The calendar date of a day since the epoch.
pub(crate) fn date_of(day: i64) -> NaiveDate {
    i32::try_from(day)
        .ok()
        .and_then(|d| d.checked_add(UNIX_EPOCH_DAYS_FROM_CE))
        .and_then(NaiveDate::from_num_days_from_ce_opt)
        .unwrap_or_default()
}

/// A time of the reports as a date and time.
pub(crate) fn to_datetime(at: Micros) -> DateTime<Utc> {
    Utc.timestamp_micros(at).single().unwrap_or_default()
}

/// Reads an RFC 3339 timestamp (`2024-01-15T14:30:25.123456Z`, any fraction, `Z` or an
/// offset) as microseconds since the epoch; digits past the microsecond are cut.
pub(crate) fn parse_timestamp(text: &[u8]) -> Option<Micros> {
    let number = |range: std::ops::Range<usize>| -> Option<i64> {
        let digits = text.get(range)?;
        digits.iter().try_fold(0i64, |n, &d| d.is_ascii_digit().then(|| n * 10 + i64::from(d - b'0')))
    };
    let separators = [(4, b'-'), (7, b'-'), (13, b':'), (16, b':')];
    if separators.iter().any(|&(at, byte)| text.get(at) != Some(&byte))
        || !matches!(text.get(10), Some(b'T' | b't' | b' '))
    {
        return None;
    }
    let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
    let (hour, minute, second) = (number(11..13)?, number(14..16)?, number(17..19)?);
    if !(1..=12).contains(&month)
        || !(1..=days_in_month(year, month)).contains(&day)
        || hour > 23
        || minute > 59
        || second > 60
    {
        return None;
    }
    let mut at = 19;
    let mut micros = 0;
    if text.get(at) == Some(&b'.') {
        at += 1;
        let digits = text[at..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        let kept = digits.min(6);
        micros = number(at..at + kept)? * 10i64.pow(6 - kept as u32);
        at += digits;
    }
    let offset = match text.get(at..)? {
        b"Z" | b"z" => 0,
        [sign @ (b'+' | b'-'), ..] if text.len() == at + 6 && text[at + 3] == b':' => {
            let minutes = number(at + 1..at + 3)? * 60 + number(at + 4..at + 6)?;
            if *sign == b'+' { minutes } else { -minutes }
        }
        _ => return None,
    };
    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset * 60;
    Some(seconds * MICROS_PER_SECOND + micros)
}

fn days_in_month(year: i64, month: i64) -> i64 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        _ => 31,
    }
}

/// Days from 1970-01-01 to a proleptic Gregorian date (H. Hinnant's `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::SecondsFormat;

    fn format(at: Micros) -> String {
        to_datetime(at).to_rfc3339_opts(SecondsFormat::AutoSi, true)
    }

    fn chrono_micros(text: &str) -> Option<i64> {
        DateTime::parse_from_rfc3339(text).ok().map(|t| t.timestamp_micros())
    }

    #[test]
    fn timestamps_read_as_chrono_reads_them() {
        let cases = [
            "2024-01-15T14:30:25.123456Z",
            "2024-01-15T14:30:25Z",
            "2024-01-15T14:30:25.1Z",
            "2024-02-29T00:00:00.000001Z",
            "1969-12-31T23:59:59.999999Z",
            "2000-03-01T12:00:00+02:00",
            "2000-03-01T12:00:00-05:30",
            "2024-01-15t14:30:25z",
            "2100-12-31T23:59:59.5Z",
            "1600-02-29T10:00:00Z",
        ];
        for case in cases {
            assert_eq!(parse_timestamp(case.as_bytes()), chrono_micros(case), "{case}");
        }
        // Nanoseconds are cut to microseconds.
        assert_eq!(
            parse_timestamp(b"2024-01-15T14:30:25.123456789Z"),
            chrono_micros("2024-01-15T14:30:25.123456Z")
        );
    }

    #[test]
    fn every_day_of_four_centuries_matches_chrono() {
        let mut date = NaiveDate::from_ymd_opt(1900, 1, 1).unwrap();
        while date.year() < 2300 {
            let text = format!("{}T00:00:00Z", date.format("%Y-%m-%d"));
            assert_eq!(parse_timestamp(text.as_bytes()), chrono_micros(&text), "{text}");
            date = date.succ_opt().unwrap();
        }
    }

    #[test]
    fn garbage_is_not_a_timestamp() {
        for case in [
            "",
            "2024-01-15",
            "2024-01-15T14:30:25",
            "2024-13-15T14:30:25Z",
            "2023-02-29T14:30:25Z",
            "2024-01-15T24:30:25Z",
            "2024-01-15T14:30:25.Z",
            "2024-01-15T14:30:25+0100",
            "2024-01-15T14:30:25Zjunk",
            "2024-0a-15T14:30:25Z",
        ] {
            assert_eq!(parse_timestamp(case.as_bytes()), None, "{case}");
        }
    }

    #[test]
    fn intervals_start_where_the_calendar_says() {
        let at = parse_timestamp(b"2024-02-29T14:30:25.5Z").unwrap();
        assert_eq!(format(Interval::Hour.start_of(at)), "2024-02-29T14:00:00Z");
        assert_eq!(format(Interval::Day.start_of(at)), "2024-02-29T00:00:00Z");
        assert_eq!(format(Interval::Month.start_of(at)), "2024-02-01T00:00:00Z");
        let before_epoch = parse_timestamp(b"1969-12-31T23:59:59Z").unwrap();
        assert_eq!(format(Interval::Hour.start_of(before_epoch)), "1969-12-31T23:00:00Z");
        assert_eq!(format(Interval::Month.start_of(before_epoch)), "1969-12-01T00:00:00Z");
        assert_eq!(format(at), "2024-02-29T14:30:25.500Z");
    }

    #[test]
    fn a_window_keeps_its_length_when_moved() {
        let end = Utc.with_ymd_and_hms(2024, 1, 15, 16, 0, 0).unwrap();
        let window = Window::days(2).until(end);
        assert_eq!(window.start(), Utc.with_ymd_and_hms(2024, 1, 13, 16, 0, 0).unwrap());
        assert_eq!(window.end(), end);
        assert_eq!(Window::new(end, end - TimeDelta::hours(1)).start(), end);
    }
}
