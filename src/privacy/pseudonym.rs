//! Keyed pseudonyms for user ids: hex HMAC-SHA256(secret, id).
//!
//! The same id gives the same pseudonym across threads, processes and restarts as long as the
//! secret stays the same, so one user's journey can still be followed; without the secret the
//! pseudonym cannot be turned back into the id, nor recomputed from a guessed one.

use std::fmt;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use crate::config::Secret;
use crate::escape::number::write_hex;

/// The id whose pseudonym stands for a missing user id.
pub const UNKNOWN_USER: &str = "unknown";

/// Turns user ids into hex HMAC-SHA256 pseudonyms.
///
/// ```
/// use tracing_activity::privacy::Pseudonymizer;
///
/// let pseudonyms = Pseudonymizer::new("a secret from the vault");
/// let p = pseudonyms.pseudonym("user123");
/// assert_eq!(p.len(), 64);
/// assert_eq!(p, pseudonyms.pseudonym("user123"));
/// assert_ne!(p, pseudonyms.pseudonym("user124"));
/// // To follow one user in the logs: jq 'select(.session.user_id == "<p>")'
/// ```
#[derive(Clone)]
pub struct Pseudonymizer {
    /// The MAC keyed with the secret, cloned for each id.
    keyed: Hmac<Sha256>,
}

impl fmt::Debug for Pseudonymizer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Pseudonymizer { key: [REDACTED] }")
    }
}

impl Pseudonymizer {
    /// A pseudonymizer keyed with `key` (any length; HMAC hashes long keys).
    pub fn new(key: impl AsRef<[u8]>) -> Self {
        // HMAC takes keys of any length, so this cannot fail; an empty key is refused by
        // configuration before it gets here.
        let keyed = <Hmac<Sha256> as KeyInit>::new_from_slice(key.as_ref())
            .unwrap_or_else(|_| unreachable!("HMAC accepts keys of every length"));
        Pseudonymizer { keyed }
    }

    /// A pseudonymizer keyed with `USER_ID_HMAC_SECRET`.
    pub fn from_secret(secret: &Secret) -> Self {
        Self::new(secret.expose())
    }

    /// The pseudonym of `id`: 64 lowercase hex digits.
    pub fn pseudonym(&self, id: impl AsRef<[u8]>) -> String {
        let mut out = String::with_capacity(64);
        self.write_pseudonym(id.as_ref(), &mut out);
        out
    }

    /// Appends the pseudonym of `id` to `out`.
    pub(crate) fn write_pseudonym(&self, id: &[u8], out: &mut String) {
        let mut mac = self.keyed.clone();
        mac.update(id);
        let mut hex = [0u8; 64];
        write_hex(&mac.finalize().into_bytes(), &mut hex);
        out.push_str(std::str::from_utf8(&hex).unwrap_or_default());
    }
}
