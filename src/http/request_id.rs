//! Request and session ids: which incoming ones are believed, and how new ones are made.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::LazyLock;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use http::HeaderName;

/// The header that carries the request id, in and out.
pub const X_REQUEST_ID: &str = "x-request-id";
pub(crate) const X_REQUEST_ID_HEADER: HeaderName = HeaderName::from_static(X_REQUEST_ID);

/// The longest incoming id that is kept.
pub const MAX_ID_LENGTH: usize = 128;

/// Whether an incoming request or session id is kept as it is: 1 to 128 characters of
/// `A-Z a-z 0-9 . _ : -`. Anything else (empty, too long, spaces, quotes, control characters)
/// is replaced by a generated id, so a client cannot forge or flood the logs through it.
///
/// ```
/// use tracing_activity::http::is_valid_id;
///
/// assert!(is_valid_id("req-789-012"));
/// assert!(is_valid_id("0b7e6a2c-5f1d-4e8a-9c3b-2d4f6a8e1c90"));
/// assert!(!is_valid_id("id with spaces"));
/// assert!(!is_valid_id(&"x".repeat(129)));
/// ```
pub fn is_valid_id(id: &str) -> bool {
    is_valid_id_bytes(id.as_bytes())
}

/// [`is_valid_id`] of bytes, before they are known to be text.
pub(crate) fn is_valid_id_bytes(id: &[u8]) -> bool {
    (1..=MAX_ID_LENGTH).contains(&id.len()) && id.iter().all(|&b| is_id_byte(b))
}

/// Whether `b` may be in an incoming id.
pub(crate) fn is_id_byte(b: u8) -> bool {
    ID_BYTES[usize::from(b)]
}

/// The bytes an incoming id may have: `A-Z a-z 0-9 . _ : -`.
const ID_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        table[b] = c.is_ascii_alphanumeric() || matches!(c, b'.' | b'_' | b':' | b'-');
        b += 1;
    }
    table
};

/// A new random id in the shape of a UUID v4 (`0b7e6a2c-5f1d-4e8a-9c3b-2d4f6a8e1c90`).
///
/// Unique within the process (a counter, through a bijective mix) and unpredictable across
/// processes (keyed once with the operating system's randomness through std's `RandomState`);
/// not meant as a secret.
pub fn generate_id() -> String {
    new_id().as_str().to_owned()
}

/// A generated id's text, on the stack.
pub(crate) struct IdText([u8; 36]);

impl IdText {
    pub(crate) fn as_str(&self) -> &str {
        // Only ASCII hex digits and dashes are ever written.
        std::str::from_utf8(&self.0).unwrap_or_default()
    }

    pub(crate) fn into_bytes(self) -> [u8; 36] {
        self.0
    }
}

/// What [`generate_id`] returns, without allocating.
pub(crate) fn new_id() -> IdText {
    let bits = random_bits();
    // Version 4, variant 10xx, as a v4 UUID would have them.
    let bits = (bits & !(0xf << 76)) | (0x4 << 76);
    IdText(uuid_text((bits & !(0x3 << 62)) | (0x2 << 62)))
}

/// 128 random-looking bits, different on every call.
fn random_bits() -> u128 {
    static KEYS: LazyLock<(u64, u64)> = LazyLock::new(|| {
        let key = |state: RandomState| {
            let mut hasher = state.build_hasher();
            hasher.write_u64(0);
            hasher.finish()
        };
        (key(RandomState::new()), key(RandomState::new()))
    });
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let (k0, k1) = *KEYS;
    // From the counter: `mix` is a bijection of each half.
    let high = mix(n ^ k0);
    let low = mix(high ^ k1);
    (u128::from(high) << 64) | u128::from(low)
}

/// A new session id in the shape of a UUID v7 (`0193a1f2-7c4e-7d1a-9c3b-2d4f6a8e1c90`): the
/// first 48 bits are the milliseconds since the Unix epoch at `now`, so the middleware can tell
/// how old a session it started is ([`session_started`]); the rest is as random as [`new_id`]'s.
pub(crate) fn new_session_id(now: SystemTime) -> IdText {
    let millis = now.duration_since(UNIX_EPOCH).map_or(0, |since| since.as_millis() as u64);
    let bits = (u128::from(millis & 0xffff_ffff_ffff) << 80) | (random_bits() & ((1 << 80) - 1));
    // Version 7, variant 10xx.
    let bits = (bits & !(0xf << 76)) | (0x7 << 76);
    let bits = (bits & !(0x3 << 62)) | (0x2 << 62);
    IdText(uuid_text(bits))
}

/// When a session id the middleware made ([`new_session_id`]) was made; `None` for any other id
/// (one the app or the client chose).
pub(crate) fn session_started(id: &str) -> Option<SystemTime> {
    // The shape, the version, the variant and the time are checked; the random digits are
    // whatever they are.
    let bytes = id.as_bytes();
    let shaped = bytes.len() == 36 && [8, 13, 18, 23].iter().all(|&at| bytes[at] == b'-');
    if !shaped || bytes[14] != b'7' || !matches!(bytes[19], b'8' | b'9' | b'a' | b'b') {
        return None;
    }
    let hex = |digits: &[u8]| {
        digits.iter().try_fold(0u64, |n, &d| {
            let digit = match d {
                b'0'..=b'9' => d - b'0',
                b'a'..=b'f' => d - b'a' + 10,
                _ => return None,
            };
            Some(n << 4 | u64::from(digit))
        })
    };
    let millis = hex(&bytes[..8])? << 16 | hex(&bytes[9..13])?;
    UNIX_EPOCH.checked_add(Duration::from_millis(millis))
}

/// `bits` as a UUID is written: 32 hex digits, dashes after the 8th, 12th, 16th and 20th.
fn uuid_text(bits: u128) -> [u8; 36] {
    let high = hex_digits((bits >> 64) as u64);
    let low = hex_digits(bits as u64);
    let mut out = [b'-'; 36];
    out[..8].copy_from_slice(&high[..8]);
    out[9..13].copy_from_slice(&high[8..12]);
    out[14..18].copy_from_slice(&high[12..]);
    out[19..23].copy_from_slice(&low[..4]);
    out[24..].copy_from_slice(&low[4..]);
    out
}

/// The 16 lowercase hex digits of `x`, most significant first, computed for all of them at once
/// in a `u128`: each nibble is spread into a byte of its own, then turned into its digit.
fn hex_digits(x: u64) -> [u8; 16] {
    const fn repeat(byte: u8) -> u128 {
        u128::from_ne_bytes([byte; 16])
    }
    let x = u128::from(x);
    let mut v = ((x & 0xffff_ffff_0000_0000) << 32) | (x & 0xffff_ffff);
    v = ((v & 0x0000_0000_ffff_0000_0000_0000_ffff_0000) << 16)
        | (v & 0x0000_0000_0000_ffff_0000_0000_0000_ffff);
    v = ((v & 0x0000_ff00_0000_ff00_0000_ff00_0000_ff00) << 8)
        | (v & 0x0000_00ff_0000_00ff_0000_00ff_0000_00ff);
    v = ((v & repeat(0xf0)) << 4) | (v & repeat(0x0f));
    // Each byte is now a nibble `n`: its digit is `'0' + n`, and `'a' + n - 10` from 10 on.
    let letters = ((v + repeat(6)) >> 4) & repeat(1);
    (v + repeat(b'0') + letters * u128::from(b'a' - b'0' - 10)).to_be_bytes()
}

/// The SplitMix64 finalizer: a bijection of `u64` that spreads every input bit.
fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_written_as_uuids_are() {
        let mixed = (0..1000).map(|i| (u128::from(mix(i)) << 64) | u128::from(mix(!i)));
        for bits in
            [0, u128::MAX, 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210, 1 << 127, 0xf].into_iter().chain(mixed)
        {
            let hex = format!("{bits:032x}");
            let expected =
                format!("{}-{}-{}-{}-{}", &hex[..8], &hex[8..12], &hex[12..16], &hex[16..20], &hex[20..]);
            assert_eq!(std::str::from_utf8(&uuid_text(bits)).unwrap(), expected);
        }
    }

    #[test]
    fn generated_ids_are_valid_unique_and_uuid_shaped() {
        let ids: std::collections::HashSet<String> = (0..10_000).map(|_| generate_id()).collect();
        assert_eq!(ids.len(), 10_000);
        for id in ids.iter().take(100) {
            assert!(is_valid_id(id));
            let parts: Vec<&str> = id.split('-').collect();
            assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{id}");
            assert!(parts[2].starts_with('4'), "version 4: {id}");
            assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'), "variant: {id}");
        }
    }

    #[test]
    fn session_ids_say_when_they_were_made() {
        let now = UNIX_EPOCH + Duration::from_millis(1_765_000_000_123);
        let ids: std::collections::HashSet<String> =
            (0..1000).map(|_| new_session_id(now).as_str().to_owned()).collect();
        assert_eq!(ids.len(), 1000);
        for id in &ids {
            assert!(is_valid_id(id));
            let parts: Vec<&str> = id.split('-').collect();
            assert_eq!(parts.iter().map(|p| p.len()).collect::<Vec<_>>(), [8, 4, 4, 4, 12], "{id}");
            // The first 48 bits are the milliseconds, as RFC 9562 lays out a UUID v7.
            assert_eq!(format!("{}{}", parts[0], parts[1]), format!("{:012x}", 1_765_000_000_123u64));
            assert!(parts[2].starts_with('7'), "version 7: {id}");
            assert!(matches!(parts[3].as_bytes()[0], b'8' | b'9' | b'a' | b'b'), "variant: {id}");
            assert_eq!(session_started(id), Some(now));
        }
        for other in [
            generate_id().as_str(),
            "s-42",
            "0193a1f2-7c4e-6d1a-9c3b-2d4f6a8e1c90",
            "0193a1f2-7c4e-7d1a-7c3b-2d4f6a8e1c90",
            "0193a1f2-7c4g-7d1a-9c3b-2d4f6a8e1c90",
            "0193a1f2x7c4e-7d1a-9c3b-2d4f6a8e1c90",
        ] {
            assert_eq!(session_started(other), None, "{other}");
        }
    }

    #[test]
    fn only_short_safe_ids_are_kept() {
        for ok in ["a", "req-789-012", "A.b_c:d-e", &"x".repeat(128)] {
            assert!(is_valid_id(ok), "{ok}");
        }
        for bad in ["", " ", "a b", "a\nb", "a\"b", "ä", "a/b", "a;b", &"x".repeat(129), "\u{202e}x"] {
            assert!(!is_valid_id(bad), "{bad:?}");
        }
    }
}
