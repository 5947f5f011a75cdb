//! `ConfigError`: a variable whose value could not be used.

use std::error::Error;
use std::fmt;

use super::names::USER_ID_HMAC_SECRET;
use super::secret::REDACTED;

/// A configuration variable with a value that could not be used.
///
/// Its `Display` reads like
/// `invalid value "banana" for LOG_FILE_MAX_SIZE: expected a size in bytes, such as 10485760, 10MB or 10MiB`;
/// the value is escaped as in Rust's `{:?}`, so control characters cannot
/// forge log or terminal output. The value of `USER_ID_HMAC_SECRET` is never
/// kept: it reads `[REDACTED]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigError {
    pub(super) variable: &'static str,
    pub(super) value: String,
    expected: String,
}

impl ConfigError {
    /// An error for `variable`; the value of `USER_ID_HMAC_SECRET` is
    /// replaced by `[REDACTED]`.
    pub(crate) fn new(variable: &'static str, value: impl Into<String>, expected: impl Into<String>) -> Self {
        let value = if variable == USER_ID_HMAC_SECRET { REDACTED.to_owned() } else { value.into() };
        Self { variable, value, expected: expected.into() }
    }

    /// The variable's name, such as `LOG_FILE_MAX_SIZE`.
    #[must_use]
    pub fn variable(&self) -> &str {
        self.variable
    }

    /// The offending value, trimmed; for a list, the offending item. For
    /// `USER_ID_HMAC_SECRET` it is `[REDACTED]`.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// What a valid value looks like, such as
    /// `a size in bytes, such as 10485760, 10MB or 10MiB`.
    #[must_use]
    pub fn expected(&self) -> &str {
        &self.expected
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid value {:?} for {}: expected {}", self.value, self.variable, self.expected)
    }
}

impl Error for ConfigError {}
