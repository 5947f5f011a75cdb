//! `UsageInterval`: the base interval the usage store counts in.

use std::error::Error;
use std::fmt;
use std::str::FromStr;

pub(super) const EXPECTED_USAGE_INTERVAL: &str = "hour or day (also hourly, 1h, daily, 1d)";

/// The interval the usage store counts events in before they are rolled up into days: the
/// `USAGE_BASE_INTERVAL` variable.
///
/// ```
/// use tracing_activity::UsageInterval;
///
/// assert_eq!("1h".parse(), Ok(UsageInterval::Hour));
/// assert_eq!("Daily".parse(), Ok(UsageInterval::Day));
/// assert_eq!(UsageInterval::default().to_string(), "hour");
/// assert_eq!(UsageInterval::Day.seconds(), 86_400);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum UsageInterval {
    /// Whole hours (UTC).
    #[default]
    Hour,
    /// Whole days (UTC).
    Day,
}

impl UsageInterval {
    /// The interval's length in seconds.
    pub const fn seconds(self) -> i64 {
        match self {
            Self::Hour => 3_600,
            Self::Day => 86_400,
        }
    }

    const fn names(self) -> [&'static str; 3] {
        match self {
            Self::Hour => ["hour", "hourly", "1h"],
            Self::Day => ["day", "daily", "1d"],
        }
    }
}

impl FromStr for UsageInterval {
    type Err = InvalidUsageInterval;

    /// Parses `hour`, `hourly`, `1h`, `day`, `daily` or `1d`, in any case.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Hour, Self::Day]
            .into_iter()
            .find(|interval| interval.names().iter().any(|name| s.eq_ignore_ascii_case(name)))
            .ok_or(InvalidUsageInterval(()))
    }
}

impl fmt::Display for UsageInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.names()[0])
    }
}

/// Why a string is not a [`UsageInterval`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidUsageInterval(());

impl fmt::Display for InvalidUsageInterval {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid usage interval: expected {EXPECTED_USAGE_INTERVAL}")
    }
}

impl Error for InvalidUsageInterval {}
