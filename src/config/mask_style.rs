//! `MaskStyle`: how the value of a sensitive field is masked.

use std::error::Error;
use std::fmt;
use std::str::FromStr;

pub(super) const EXPECTED_MASK_STYLE: &str = "partial or full";

/// How the value of a sensitive field is masked: the `MASK_STYLE` variable.
///
/// Parses from `partial` or `full` in any case, and displays as `partial` or
/// `full`.
///
/// ```
/// use tracing_activity::config::MaskStyle;
///
/// assert_eq!("FULL".parse(), Ok(MaskStyle::Full));
/// assert_eq!(MaskStyle::default(), MaskStyle::Partial);
/// assert_eq!(MaskStyle::Partial.to_string(), "partial");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MaskStyle {
    /// The default style: a value longer than 8 characters keeps its first 2
    /// and last 2 characters around a fixed `*******` (`mypassword123` becomes
    /// `my*******23`); a value of 8 characters or fewer becomes `****`. The
    /// fixed width never tells the value's length.
    #[default]
    Partial,
    /// Every masked value becomes `[REDACTED]`.
    Full,
}

impl MaskStyle {
    /// The style's name as it is written in `MASK_STYLE`: `partial` or `full`.
    const fn name(self) -> &'static str {
        match self {
            Self::Partial => "partial",
            Self::Full => "full",
        }
    }
}

impl FromStr for MaskStyle {
    type Err = InvalidMaskStyle;

    /// Parses `partial` or `full`, in any case (surrounding whitespace is not
    /// accepted).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Partial, Self::Full]
            .into_iter()
            .find(|style| s.eq_ignore_ascii_case(style.name()))
            .ok_or(InvalidMaskStyle(()))
    }
}

impl fmt::Display for MaskStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Why a string is not a [`MaskStyle`]: it is neither `partial` nor `full`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidMaskStyle(());

impl fmt::Display for InvalidMaskStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid mask style: expected {EXPECTED_MASK_STYLE}")
    }
}

impl Error for InvalidMaskStyle {}
