//! `Secret`: a string that `Debug` does not show.

use std::fmt;

pub(super) const REDACTED: &str = "[REDACTED]";

/// A secret string: the key user ids are hashed with.
///
/// `Debug` prints `Secret("[REDACTED]")` and there is deliberately no
/// `Display`; call [`Secret::expose`] where the key itself is needed.
///
/// ```
/// let secret = tracing_activity::Secret::new("hunter2");
/// assert_eq!(format!("{secret:?}"), r#"Secret("[REDACTED]")"#);
/// assert_eq!(secret.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `secret`.
    #[must_use]
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself. Keep it out of logs.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Secret").field(&REDACTED).finish()
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Self {
        Self(secret.to_owned())
    }
}
