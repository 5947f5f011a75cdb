//! The masking prefilter: one pass over a value that proves most values hold nothing the value
//! patterns could find, so they never reach the regex, and that tells in the same pass whether
//! the value is plain (see [`Text`](crate::escape::Text)).
//!
//! It looks for what every pattern needs:
//!
//! - a `=` or `:` right after a sensitive name (allowing what the pattern allows between
//!   them: a backslash, a quote, spaces, and `[name]` / `%5Bname%5D` brackets);
//! - `://` with an `@` after it (URL credentials);
//! - a word that starts like a secret: 13 digits with at most single spaces or dashes between
//!   them (a card), `bearer`, `basic`, `eyJ`, `sk-`, `sk_`, `gh`, `AKIA`, `AIza` or `xox`.
//!   Every other pattern starts at a word boundary, so only word starts are looked at.
//!
//! Cards are judged last, and only when the text has 12 digits that follow a digit, a space
//! or a dash. The bytes are read in pairs, eight pairs at a time, from a table that marks the
//! pairs to look at closer and the bytes that need escaping.

use super::VARIANT_SUFFIXES;

/// The quick look of one masker: its sensitive names, reversed, as the name check compares them.
#[derive(Debug, Clone)]
pub(crate) struct Prefilter {
    /// The names without `_`, reversed. `None` when a name has a character other than
    /// `[a-z0-9_]`, and the prefilter stops looking at names.
    names: Option<NameIndex>,
}

impl Prefilter {
    /// The prefilter of the sensitive `names` (normalized, see `normalize`).
    pub(super) fn new(names: &[String]) -> Self {
        let reversed = names
            .iter()
            .map(|n| {
                let plain = n.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
                let reversed: Vec<u8> = n.bytes().rev().filter(|&b| b != b'_').collect();
                (plain && reversed.len() <= NAME_WINDOW).then_some(reversed)
            })
            .collect::<Option<Vec<_>>>()
            .and_then(NameIndex::new);
        Prefilter { names: reversed }
    }

    /// Scans `s` once: whether it may hold a secret, and whether it is plain (known only when
    /// the scan reaches the end: `false` when it stops early at a possible secret).
    pub(super) fn scan(&self, s: &[u8]) -> Scan {
        // Eight pairs at a time, the byte pairs are added up from a table: most text has no
        // separator, no candidate pair and too few digits for a card, which this proves without
        // a branch per byte. Only the pairs of a chunk with a candidate are looked at one by one.
        const SECRET: Scan = Scan { may_hold_secret: true, plain: false };
        let Some(&first) = s.first() else { return Scan { may_hold_secret: false, plain: true } };
        // The start of the text is a word boundary: as if a space came before it.
        let mut digit_pairs = 0;
        let mut escapes = 0;
        let mut start = 0;
        let mut sum = pair_weight(b' ', first);
        let mut end = 1;
        loop {
            escapes |= sum & ESCAPE_PAIRS;
            let look = sum & !ESCAPE_PAIRS;
            // A chunk without a candidate pair sums its digit pairs alone (fewer than
            // `PAIR_LOOK`): only the rare chunk with one needs them taken apart.
            if look < PAIR_LOOK {
                digit_pairs += look;
            } else if self.looks_closer(s, start, end) {
                return SECRET;
            } else {
                digit_pairs += look % PAIR_LOOK;
            }
            // The pairs ending at `end..end + 8`, from the nine bytes before and in them.
            let Some(window) = s.get(end - 1..end + 8) else { break };
            let w: &[u8; 9] = window.try_into().unwrap_or(&[b' '; 9]);
            sum = (0..8).map(|k| pair_weight(w[k], w[k + 1])).sum();
            (start, end) = (end, end + 8);
        }
        // The last few pairs.
        let rest = &s[end - 1..];
        sum = rest.windows(2).map(|w| pair_weight(w[0], w[1])).sum();
        escapes |= sum & ESCAPE_PAIRS;
        let sum = sum & !ESCAPE_PAIRS;
        if (sum >= PAIR_LOOK && self.looks_closer(s, end, s.len()))
            || (digit_pairs + sum % PAIR_LOOK >= CARD_PAIRS && has_card_run(s))
        {
            return SECRET;
        }
        Scan { may_hold_secret: false, plain: escapes == 0 }
    }

    /// Looks at each flagged byte of `s[start..end]`.
    #[cold]
    fn looks_closer(&self, s: &[u8], start: usize, end: usize) -> bool {
        (start..end).any(|i| {
            let previous = if i == 0 { b' ' } else { s[i - 1] };
            pair_weight(previous, s[i]) & !ESCAPE_PAIRS >= PAIR_LOOK && self.looks_secret_at(s, i)
        })
    }

    /// Whether a `=` in `s` follows what may be a sensitive name (the prefilter's name check).
    pub(super) fn may_name_a_secret(&self, s: &[u8]) -> bool {
        s.iter().enumerate().any(|(i, &b)| b == b'=' && self.name_may_end_at(&s[..i]))
    }

    /// The closer look of [`scan`](Self::scan) at a separator or at a word that starts with a
    /// candidate byte.
    #[cold]
    fn looks_secret_at(&self, s: &[u8], i: usize) -> bool {
        match s[i] {
            b @ (b'=' | b':') => {
                self.name_may_end_at(&s[..i])
                    || (b == b':' && s[i + 1..].starts_with(b"//") && s[i..].contains(&b'@'))
            }
            // The second byte of a candidate pair: the word may start one byte before.
            _ => starts_word(s, i - 1) && starts_like_a_secret(&s[i - 1..]),
        }
    }

    /// Whether `before` (the text before a `=` or `:`) may end with a sensitive name and what the
    /// pattern allows between a name and its separator.
    pub(super) fn name_may_end_at(&self, before: &[u8]) -> bool {
        let Some(reversed) = &self.names else { return true };
        let mut end = before.len();
        while end > 0 && matches!(before[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        if end > 0 && matches!(before[end - 1], b'"' | b'\'') {
            end -= 1;
        }
        if end > 0 && before[end - 1] == b'\\' {
            end -= 1;
        }
        let before = &before[..end];
        let before = match before {
            [rest @ .., b']'] => rest,
            [rest @ .., b'%', b'5', b'd' | b'D'] => rest,
            _ => before,
        };
        // Most words end in two letters no name ends with (read last first).
        let mut tail = before.iter().rev().filter(|b| !matches!(b, b'_' | b'.' | b'-'));
        if let (Some(a), Some(b)) = (tail.next(), tail.next()) {
            if a.is_ascii_alphabetic()
                && b.is_ascii_alphanumeric()
                && !reversed.may_start(a.to_ascii_lowercase(), b.to_ascii_lowercase())
            {
                return false;
            }
        }
        // The name's letters and digits, last first, lowercased; separators are skipped as the
        // pattern lets them be anywhere in a name.
        let mut word = [0u8; NAME_WINDOW];
        let mut len = 0;
        for &b in before.iter().rev() {
            match b {
                b'_' | b'.' | b'-' => {}
                b if b.is_ascii_alphanumeric() && len < word.len() => {
                    word[len] = b.to_ascii_lowercase();
                    len += 1;
                }
                _ => break,
            }
        }
        let word = &word[..len];
        let matches = |word: &[u8]| reversed.any_starts(word);
        if matches(word) {
            return true;
        }
        let word = &word[word.iter().take_while(|b| b.is_ascii_digit()).count()..];
        matches(word)
            || VARIANT_SUFFIXES.iter().any(|suffix| {
                let suffix = suffix.as_bytes();
                word.len() > suffix.len()
                    && word.iter().zip(suffix.iter().rev()).all(|(a, b)| a == b)
                    && matches(&word[suffix.len()..])
            })
    }
}

/// Whether the word at the start of `word` may begin a token shape.
fn starts_like_a_secret(word: &[u8]) -> bool {
    let starts = |prefix: &[u8]| word.starts_with(prefix);
    match word[0] {
        b'b' | b'B' => {
            let word_is = |w: &[u8]| word.get(..w.len()).is_some_and(|r| r.eq_ignore_ascii_case(w));
            word_is(b"bearer") || word_is(b"basic")
        }
        b'e' => starts(b"eyJ"),
        b's' => starts(b"sk-") || starts(b"sk_"),
        b'g' => starts(b"gh") || starts(b"github_pat_"),
        b'A' => starts(b"AKIA") || starts(b"AIza"),
        b'x' => starts(b"xox"),
        _ => false,
    }
}

/// The most letters and digits of a name the prefilter compares; a longer configured name
/// turns the name check off.
const NAME_WINDOW: usize = 48;

const OTHER: u8 = 0;
/// Part of a word (`[A-Za-z0-9_]`, as the regex's ASCII `\b` sees it).
const WORD: u8 = 1;
/// A name/value separator (`=`, `:`).
const SEPARATOR: u8 = 2;

/// Each byte's class bits.
const CLASSES: [u8; 256] = {
    let mut table = [OTHER; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' {
            table[b] = WORD;
        }
        b += 1;
    }
    table[b'=' as usize] = SEPARATOR;
    table[b':' as usize] = SEPARATOR;
    table
};

/// The [`PAIRS`] entry of a byte and the byte before it.
#[inline(always)]
fn pair_weight(previous: u8, byte: u8) -> u32 {
    u32::from(PAIRS[usize::from(previous) | usize::from(byte) << 8])
}

/// Whether a word starts at `s[i]`: nothing before it, or a byte that is not part of a word.
fn starts_word(s: &[u8], i: usize) -> bool {
    i == 0 || CLASSES[usize::from(s[i - 1])] & WORD == 0
}

/// Whether a word of `s` starts with a card-like run: 13 digits with at most single spaces or
/// dashes between them.
fn has_card_run(s: &[u8]) -> bool {
    (0..s.len())
        .any(|i| s[i].is_ascii_digit() && starts_word(s, i) && digit_run(&s[i..]).0 > CARD_PAIRS as usize)
}

/// The fewest digit pairs of a card number: one for each of its digits after the first.
const CARD_PAIRS: u32 = 12;

/// In [`PAIRS`]: a pair to look at closer; more than the digits of eight bytes, and eight of
/// them less than [`ESCAPE`].
const PAIR_LOOK: u32 = 15;
/// In [`PAIRS`]: a pair whose second byte is not [plain](crate::escape::is_plain).
const ESCAPE: u32 = 128;
/// The bits of a sum of eight pair weights that only [`ESCAPE`] pairs set.
const ESCAPE_PAIRS: u32 = !(ESCAPE - 1);

/// What [`Prefilter::scan`] finds.
pub(super) struct Scan {
    pub(super) may_hold_secret: bool,
    /// Every byte is plain.
    pub(super) plain: bool,
}

/// Whether `first` and `second` may begin a token the value patterns find (see
/// [`starts_like_a_secret`]): `be`/`ba` (bearer, basic, any case), `ey`, `sk`, `gh`, `gi`, `AK`,
/// `AI` and `xo`.
const fn candidate_pair(first: u8, second: u8) -> bool {
    match first {
        b'b' | b'B' => matches!(second, b'e' | b'E' | b'a' | b'A'),
        b'e' => second == b'y',
        b's' => second == b'k',
        b'g' => matches!(second, b'h' | b'i'),
        b'A' => matches!(second, b'K' | b'I'),
        b'x' => second == b'o',
        _ => false,
    }
}

/// For each pair of bytes (`previous | byte << 8`, see [`pair_weight`]): [`ESCAPE`] when the
/// second byte is not plain, [`PAIR_LOOK`] for a separator (`=`, `:`) or the second byte of a
/// [`candidate_pair`], 1 for a digit after a digit, a space or a dash (a card's 13 digits make at
/// least 12 such pairs), 0 otherwise.
static PAIRS: [u8; 65536] = {
    let mut table = [0u8; 65536];
    let mut i = 0;
    while i < 65536 {
        let (previous, byte) = ((i & 0xff) as u8, (i >> 8) as u8);
        table[i] = if !crate::escape::is_plain_byte(byte) {
            ESCAPE as u8
        } else if CLASSES[byte as usize] & SEPARATOR != 0 || candidate_pair(previous, byte) {
            PAIR_LOOK as u8
        } else if byte.is_ascii_digit() && (previous.is_ascii_digit() || matches!(previous, b' ' | b'-')) {
            1
        } else {
            0
        };
        i += 1;
    }
    table
};

/// The digits at the start of `s` with at most single spaces or dashes between them: how many
/// digits, and how many bytes they span.
fn digit_run(s: &[u8]) -> (usize, usize) {
    let (mut digits, mut end) = (0, 0);
    let mut i = 0;
    while let Some(&b) = s.get(i) {
        if b.is_ascii_digit() {
            digits += 1;
            end = i + 1;
        } else if !(end == i && (b == b' ' || b == b'-')) {
            break;
        }
        i += 1;
    }
    (digits, end.max(1))
}

/// Reversed names grouped by their first byte (the name's last letter), so a word is compared
/// only with the names that end like it.
#[derive(Debug, Clone)]
struct NameIndex {
    names: Vec<Vec<u8>>,
    /// For each byte, the range of `names` that start with it.
    buckets: Box<[(u8, u8); 256]>,
    /// The first two bytes of every name and reversed variant suffix, as bits of a pair table:
    /// a word that starts otherwise (most words) is told apart with one look-up.
    starts: Box<[u64; 1024]>,
}

impl NameIndex {
    /// `None` when there are too many names to index, or an empty one.
    fn new(mut names: Vec<Vec<u8>>) -> Option<Self> {
        if names.len() > usize::from(u8::MAX) || names.iter().any(Vec::is_empty) {
            return None;
        }
        names.sort();
        let mut buckets = Box::new([(0, 0); 256]);
        for (i, name) in names.iter().enumerate() {
            let bucket = &mut buckets[usize::from(name[0])];
            if bucket.0 == bucket.1 {
                bucket.0 = i as u8;
            }
            bucket.1 = i as u8 + 1;
        }
        let mut starts = Box::new([0u64; 1024]);
        let mut mark = |a: u8, b: u8| {
            let i = usize::from(a) << 8 | usize::from(b);
            starts[i / 64] |= 1 << (i % 64);
        };
        for name in &names {
            match name.as_slice() {
                [a] => (0..=u8::MAX).for_each(|b| mark(*a, b)),
                [a, b, ..] => mark(*a, *b),
                [] => {}
            }
        }
        for suffix in VARIANT_SUFFIXES {
            let mut reversed = suffix.bytes().rev();
            if let (Some(a), Some(b)) = (reversed.next(), reversed.next()) {
                mark(a, b);
            }
        }
        Some(NameIndex { names, buckets, starts })
    }

    /// Whether a word starting with `a`, `b` may start with a name or a variant suffix.
    fn may_start(&self, a: u8, b: u8) -> bool {
        let i = usize::from(a) << 8 | usize::from(b);
        self.starts[i / 64] & (1 << (i % 64)) != 0
    }

    /// Whether `word` starts with one of the names.
    fn any_starts(&self, word: &[u8]) -> bool {
        let Some(&first) = word.first() else { return false };
        let (from, to) = self.buckets[usize::from(first)];
        self.names[usize::from(from)..usize::from(to)].iter().any(|name| word.starts_with(name))
    }
}
