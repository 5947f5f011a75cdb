//! `OverflowPolicy`: what the log file's writer does when its queue is full.

use std::error::Error;
use std::fmt;
use std::str::FromStr;

pub(super) const EXPECTED_OVERFLOW_POLICY: &str = "drop or block";

/// What the log file's background writer does with a line that finds its
/// queue (of `LOG_QUEUE_SIZE` lines) full: the `LOG_QUEUE_OVERFLOW` variable.
///
/// Parses from `drop` or `block` in any case, and displays as `drop` or
/// `block`.
///
/// ```
/// use tracing_activity::config::OverflowPolicy;
///
/// assert_eq!("Block".parse(), Ok(OverflowPolicy::Block));
/// assert_eq!(OverflowPolicy::default(), OverflowPolicy::Drop);
/// assert_eq!(OverflowPolicy::Drop.to_string(), "drop");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OverflowPolicy {
    /// The line is dropped and counted; once there is room again a notice
    /// line, `N activity lines dropped: queue full`, is written into the
    /// file. The application never waits on the disk.
    #[default]
    Drop,
    /// The logging thread waits for room. Nothing is dropped, but a slow disk
    /// slows the application down.
    Block,
}

impl OverflowPolicy {
    /// The policy's name as it is written in `LOG_QUEUE_OVERFLOW`: `drop` or
    /// `block`.
    const fn name(self) -> &'static str {
        match self {
            Self::Drop => "drop",
            Self::Block => "block",
        }
    }
}

impl FromStr for OverflowPolicy {
    type Err = InvalidOverflowPolicy;

    /// Parses `drop` or `block`, in any case (surrounding whitespace is not
    /// accepted).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Drop, Self::Block]
            .into_iter()
            .find(|policy| s.eq_ignore_ascii_case(policy.name()))
            .ok_or(InvalidOverflowPolicy(()))
    }
}

impl fmt::Display for OverflowPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Why a string is not an [`OverflowPolicy`]: it is neither `drop` nor
/// `block`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidOverflowPolicy(());

impl fmt::Display for InvalidOverflowPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid overflow policy: expected {EXPECTED_OVERFLOW_POLICY}")
    }
}

impl Error for InvalidOverflowPolicy {}
