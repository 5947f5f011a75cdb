//! Distinct users and client IPs per day, without keeping who they were.
//!
//! Each UTC day has a random salt, kept in the store while the day is open. A user id or an
//! IP seen that day is kept only as the first 8 bytes of HMAC-SHA256(salt, value), so writers
//! of one store count the same user once. When the day has ended (and one flush interval more,
//! for the other writers' last counts), the day's distinct counts are written and the hashes
//! and the salt are deleted: from then on nothing in the store links the counts to a person.
//! While the day is open, whoever can read the store and knows a candidate value can test it
//! against the hashes; IPv4 addresses are few enough to try them all.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::io::Read;

use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

use super::db::{Db, DbError, Value};
use crate::escape::number::write_hex;

/// What a hash is of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    User = 0,
    Ip = 1,
}

/// The salts of the open days this writer has used, by day (seconds since the epoch).
#[derive(Debug, Default)]
pub(crate) struct Salts(HashMap<i64, Vec<u8>>);

impl Salts {
    /// The salt of `day`, made and stored when the day has none yet. Two writers making one
    /// at once both read back the one that was stored first.
    pub(crate) fn of(&mut self, db: &mut dyn Db, day: i64) -> Result<&[u8], DbError> {
        let salt = match self.0.entry(day) {
            Entry::Occupied(known) => known.into_mut(),
            Entry::Vacant(new) => {
                let fresh = to_hex(&random_bytes());
                db.exec(
                    "INSERT INTO usage_salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING",
                    &[Value::Int(day), Value::Text(&fresh)],
                )?;
                let mut stored = None;
                db.query("SELECT salt FROM usage_salts WHERE day = $1", &[Value::Int(day)], &mut |row| {
                    stored = Some(row.text(0))
                })?;
                let salt = stored.ok_or_else(|| DbError(format!("the salt of day {day} was not stored")))?;
                new.insert(salt.into_bytes())
            }
        };
        Ok(salt)
    }

    /// Forgets the salt of `day`.
    pub(crate) fn forget(&mut self, day: i64) {
        self.0.remove(&day);
    }
}

/// The hash `value` of `kind` is kept as, under `salt`.
pub(crate) fn hash(salt: &[u8], kind: Kind, value: &str) -> i64 {
    let mut mac = <Hmac<Sha256> as KeyInit>::new_from_slice(salt)
        .unwrap_or_else(|_| unreachable!("HMAC takes keys of any length"));
    mac.update(&[kind as u8]);
    mac.update(value.as_bytes());
    let digest = mac.finalize().into_bytes();
    let mut first = [0u8; 8];
    first.copy_from_slice(&digest[..8]);
    i64::from_be_bytes(first)
}

/// A session id as the store keeps it: hashed, so the store holds no live session cookie.
pub(crate) fn session_hash(session: &str) -> String {
    use sha2::Digest;
    to_hex(&Sha256::digest(session.as_bytes())[..12])
}

/// 32 bytes from the system's random source.
fn random_bytes() -> [u8; 32] {
    let mut bytes = [0u8; 32];
    if std::fs::File::open("/dev/urandom").and_then(|mut f| f.read_exact(&mut bytes)).is_err() {
        // No /dev/urandom (not a Unix): the standard library's random hash keys.
        use std::hash::{BuildHasher, Hasher};
        for chunk in bytes.chunks_mut(8) {
            let mut hasher = std::collections::hash_map::RandomState::new().build_hasher();
            hasher.write_u128(
                std::time::SystemTime::now()
                    .duration_since(std::time::UNIX_EPOCH)
                    .map_or(0, |d| d.as_nanos()),
            );
            chunk.copy_from_slice(&hasher.finish().to_le_bytes());
        }
    }
    bytes
}

fn to_hex(bytes: &[u8]) -> String {
    let mut hex = vec![0; bytes.len() * 2];
    write_hex(bytes, &mut hex);
    String::from_utf8(hex).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_value_hashes_alike_under_one_salt_and_apart_under_another() {
        let (a, b) = (random_bytes(), random_bytes());
        assert_ne!(a, b);
        assert_eq!(hash(&a, Kind::User, "user123"), hash(&a, Kind::User, "user123"));
        assert_ne!(hash(&a, Kind::User, "user123"), hash(&b, Kind::User, "user123"));
        assert_ne!(hash(&a, Kind::User, "10.0.0.1"), hash(&a, Kind::Ip, "10.0.0.1"));
        assert_eq!(session_hash("s1").len(), 24);
    }
}
