//! The log file's `LogFormat`, `LogRotation` and `LogCompression`: what its JSON lines look
//! like, when it is rotated besides its size, and how its backups are stored.

use std::error::Error;
use std::fmt;
use std::str::FromStr;

pub(super) const EXPECTED_LOG_FORMAT: &str = "activity or ecs";
pub(super) const EXPECTED_LOG_ROTATION: &str = "hourly, daily or never";
pub(super) const EXPECTED_LOG_COMPRESSION: &str = "gzip or none";

/// The shape of the log file's JSON lines (the `LOG_FORMAT` variable).
///
/// ```
/// use tracing_activity::config::LogFormat;
///
/// assert_eq!("ECS".parse(), Ok(LogFormat::Ecs));
/// assert_eq!(LogFormat::default(), LogFormat::Activity);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LogFormat {
    /// The crate's own line: `action`, `session` and `context` blocks, read by the reports.
    #[default]
    Activity,
    /// An Elastic Common Schema document: `@timestamp`, `log.level`, `message`, `event.*`,
    /// `user.id`, `client.ip`, `http.*`, `url.*`, the rest under `activity` and `labels`, for
    /// Elasticsearch, OpenSearch and Kibana without an ingest pipeline.
    Ecs,
}

impl LogFormat {
    const ALL: [Self; 2] = [Self::Activity, Self::Ecs];

    const fn name(self) -> &'static str {
        match self {
            Self::Activity => "activity",
            Self::Ecs => "ecs",
        }
    }
}

/// When the log file is rotated whatever its size (the `LOG_ROTATE_EVERY` variable): at the
/// first line written after each UTC hour or day begins, or never. Rotation by size
/// (`LOG_FILE_MAX_SIZE`) goes on beside it, whichever comes first.
///
/// ```
/// use tracing_activity::config::LogRotation;
///
/// assert_eq!("Daily".parse(), Ok(LogRotation::Daily));
/// assert_eq!(LogRotation::default(), LogRotation::Never);
/// assert_eq!(LogRotation::Hourly.to_string(), "hourly");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LogRotation {
    /// By size only.
    #[default]
    Never,
    /// At each UTC hour.
    Hourly,
    /// At each UTC midnight.
    Daily,
}

impl LogRotation {
    const ALL: [Self; 3] = [Self::Never, Self::Hourly, Self::Daily];

    const fn name(self) -> &'static str {
        match self {
            Self::Never => "never",
            Self::Hourly => "hourly",
            Self::Daily => "daily",
        }
    }

    /// The length of a period in microseconds, `None` for [`Never`](Self::Never).
    pub(crate) const fn period_micros(self) -> Option<i64> {
        match self {
            Self::Never => None,
            Self::Hourly => Some(3_600_000_000),
            Self::Daily => Some(86_400_000_000),
        }
    }
}

/// How rotated backups are stored (the `LOG_COMPRESS` variable).
///
/// With [`Gzip`](Self::Gzip) (crate feature `gzip`), each backup is compressed in a thread of
/// its own once it is rotated out (`user_activity.log.1.gz`), so the writer never waits for it.
///
/// ```
/// use tracing_activity::config::LogCompression;
///
/// assert_eq!("GZIP".parse(), Ok(LogCompression::Gzip));
/// assert_eq!(LogCompression::default(), LogCompression::None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum LogCompression {
    /// Backups are plain copies.
    #[default]
    None,
    /// Backups are gzip files.
    Gzip,
}

impl LogCompression {
    const ALL: [Self; 2] = [Self::None, Self::Gzip];

    const fn name(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Gzip => "gzip",
        }
    }
}

macro_rules! named {
    ($type:ty, $expected:ident) => {
        impl FromStr for $type {
            type Err = InvalidLogSetting;

            /// Parses the setting's name, in any case.
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|value| s.eq_ignore_ascii_case(value.name()))
                    .ok_or(InvalidLogSetting($expected))
            }
        }

        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.pad(self.name())
            }
        }
    };
}

named!(LogFormat, EXPECTED_LOG_FORMAT);
named!(LogRotation, EXPECTED_LOG_ROTATION);
named!(LogCompression, EXPECTED_LOG_COMPRESSION);

/// Why a string is not a [`LogFormat`], a [`LogRotation`] or a [`LogCompression`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidLogSetting(&'static str);

impl fmt::Display for InvalidLogSetting {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid log setting: expected {}", self.0)
    }
}

impl Error for InvalidLogSetting {}
