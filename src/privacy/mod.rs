//! Privacy: masking, pseudonymized user ids, anonymized IPs, capped values.
//!
//! Every value is cleaned once, where it enters: span fields when the span is created or
//! recorded, event fields when the event is logged. So the console, the JSON line and the file
//! always agree, and a span's values are not cleaned again for each action inside it.
//!
//! In order, for one value:
//!
//! 1. A field with a [sensitive name](Masker::is_sensitive_name) is masked whole
//!    (`MASK_SENSITIVE_DATA`, `SENSITIVE_FIELDS`, `MASK_STYLE`).
//! 2. `user_id` becomes its [pseudonym](Pseudonymizer) when `USER_ID_HMAC_SECRET` is set; an
//!    action without a user id is then written with the pseudonym of `"unknown"`.
//! 3. `ip_address` is [anonymized](anonymize_ip) when `ANONYMIZE_IP` is on.
//! 4. Any other text has the secrets it contains masked ([`Masker::mask_text`]), except the
//!    values the HTTP middleware made itself: a generated request or session id, the client IP
//!    it formatted, a standard method, the action type and a result such as `HTTP 200 SUCCESS`.
//!    A generated id is logged exactly as the client gets it, even when its digits happen to
//!    pass the card check.
//!    Span values the pass left unchanged are remembered per thread and layer (the last 64 of
//!    8 to 512 bytes): a returning client's user agent or session id is looked up, not
//!    searched again.
//! 5. Text longer than `MAX_VALUE_LENGTH` bytes is cut at a character boundary and marked
//!    `…[truncated N bytes]` (captured HTTP bodies are capped by the middleware instead, by
//!    `MAX_REQUEST_BODY_SIZE` / `MAX_RESPONSE_BODY_SIZE`).
//!
//! Escaping for the console and JSON happens later, when lines are written
//! (the renderer's rules): nothing here needs to worry about control characters.

pub(crate) mod ip;
mod mask;
mod pseudonym;
mod structured;

pub use ip::{INVALID_IP, anonymize_ip};
pub use mask::{BUILT_IN_SENSITIVE_FIELDS, Masker};
pub use pseudonym::{Pseudonymizer, UNKNOWN_USER};

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::fmt::Write;
use std::hash::{BuildHasherDefault, Hasher};
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
#[cfg(feature = "http")]
use std::thread::LocalKey;

use tracing_core::Metadata;

use crate::config::Config;
use crate::fields::{
    ACTION_TYPE, CONTEXT_FIELDS, DESCRIPTION, DURATION_MS, IP_ADDRESS_SLOT, MESSAGE, REQUEST_BODY,
    REQUEST_ID_SLOT, RESPONSE_BODY, RESULT, SESSION_FIELDS, SUCCESS, Slot, SlotSet, USER_ID_SLOT,
};
use crate::record::FieldValue;

/// The privacy rules of one layer.
#[derive(Debug)]
pub(crate) struct Privacy {
    /// Tells these rules apart from other layers' (per-thread caches, values cleaned already).
    id: u64,
    masker: Option<Arc<Masker>>,
    pseudonymizer: Option<Pseudonymizer>,
    anonymize_ip: bool,
    max_len: usize,
    /// Whether each of the names the layer knows (see [`known`]) is sensitive, judged once.
    known_sensitive: [bool; SlotSet::SLOTS],
}

/// Where a field goes, and whether its name is sensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldClass {
    pub(crate) slot: Slot,
    sensitive: bool,
    /// The value is one the crate made itself ([`OwnValues`]): it is not searched for secrets.
    pub(crate) own: bool,
    /// The name is [plain](crate::render::is_plain): written into JSON without an escaping scan.
    pub(crate) plain_name: bool,
    /// A captured HTTP body (`request_body`, `response_body`): capped by its own limit, not
    /// `MAX_VALUE_LENGTH`.
    pub(crate) body: bool,
}

impl FieldClass {
    /// The field's name is configured as sensitive: its value is masked whole.
    #[cfg(feature = "http")]
    pub(crate) fn sensitive(&self) -> bool {
        self.sensitive
    }
}

/// A fast hasher for `(layer, address, length)` keys of `'static` field names.
#[derive(Default)]
struct NameHasher(u64);

impl Hasher for NameHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
    fn finish(&self) -> u64 {
        self.0
    }
}

type ClassCache = HashMap<(u64, usize), Rc<[FieldClass]>, BuildHasherDefault<NameHasher>>;

thread_local! {
    /// The classes of a callsite's fields, per layer, keyed by the callsite's metadata address:
    /// each callsite's names are judged once per thread.
    static CALLSITE_CLASSES: RefCell<ClassCache> = RefCell::new(ClassCache::default());
}

/// The next rules' id; 0 is no rules' (see [`Handed::cleaned_by`]).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The smallest number with 13 digits, the shortest card number.
const CARD_MIN: u64 = 1_000_000_000_000;

impl Privacy {
    pub(crate) fn new(config: &Config) -> Self {
        let masker = config
            .mask_sensitive_data
            .then(|| Arc::new(Masker::new(&config.sensitive_fields, config.mask_style)));
        let mut known_sensitive = [false; SlotSet::SLOTS];
        if let Some(masker) = &masker {
            let names = SESSION_FIELDS.iter().chain(&CONTEXT_FIELDS).chain(&[
                ACTION_TYPE,
                DESCRIPTION,
                RESULT,
                SUCCESS,
                DURATION_MS,
                MESSAGE,
            ]);
            for name in names {
                if let Some(i) = Slot::of(name).index() {
                    known_sensitive[i] = masker.is_sensitive_name(name);
                }
            }
        }
        Privacy {
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
            known_sensitive,
            masker,
            pseudonymizer: config.user_id_hmac_secret.as_ref().map(Pseudonymizer::from_secret),
            anonymize_ip: config.anonymize_ip,
            max_len: usize::try_from(config.max_value_length).unwrap_or(usize::MAX),
        }
    }

    /// The masker of these rules, `None` when masking is off.
    #[cfg(feature = "http")]
    pub(crate) fn masker(&self) -> Option<&Arc<Masker>> {
        self.masker.as_ref()
    }

    /// These rules' id, which [`Handed::cleaned_by`] names.
    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    /// The user id written for an action without one: the pseudonym of `"unknown"` when user
    /// ids are pseudonymized.
    pub(crate) fn unknown_user(&self) -> Option<String> {
        self.pseudonymizer.as_ref().map(|p| p.pseudonym(UNKNOWN_USER))
    }

    /// Where the field `name` goes and whether it is masked whole.
    pub(crate) fn classify(&self, name: &str) -> FieldClass {
        let slot = Slot::of(name);
        let body = matches!(name, REQUEST_BODY | RESPONSE_BODY);
        let sensitive = match (&self.masker, slot.index()) {
            (None, _) => false,
            (Some(_), Some(i)) => self.known_sensitive[i],
            (Some(masker), None) => masker.is_sensitive_name(name),
        };
        FieldClass { slot, sensitive, own: false, plain_name: crate::render::is_plain(name), body }
    }

    /// The classes of the fields of a span or event with this metadata, in the order of
    /// [`Field::index`](tracing_core::field::Field::index): judged once per callsite and thread.
    pub(crate) fn classes(&self, metadata: &'static Metadata<'static>) -> Rc<[FieldClass]> {
        let key = (self.id, std::ptr::from_ref(metadata) as usize);
        let cached = CALLSITE_CLASSES.try_with(|cache| cache.try_borrow().ok()?.get(&key).cloned());
        if let Ok(Some(classes)) = cached {
            return classes;
        }
        let classes: Rc<[FieldClass]> = metadata.fields().iter().map(|f| self.classify(f.name())).collect();
        let _ = CALLSITE_CLASSES.try_with(|cache| {
            if let Ok(mut cache) = cache.try_borrow_mut() {
                cache.insert(key, Rc::clone(&classes));
            }
        });
        classes
    }

    /// The value as it may be logged. Numbers and booleans pass unchanged unless their field is
    /// sensitive (or a number is a card number); text is cleaned into `out` (using `raw` to
    /// render non-string values first) unless it needs no change.
    ///
    /// The flag tells whether the text is known to be [plain](crate::render::is_plain), so the
    /// lines copy it without an escaping scan: found by the masking prefilter's pass, or true of
    /// the middleware's own values by construction. `false` says nothing.
    pub(crate) fn clean<'a>(
        &self,
        class: FieldClass,
        value: FieldValue<'a>,
        raw: &'a mut String,
        out: &'a mut String,
    ) -> (FieldValue<'a>, bool) {
        let masker = self.masker.as_ref();
        // A user id is pseudonymized whatever its type.
        let pseudonymized = class.slot == Slot::Session(USER_ID_SLOT) && self.pseudonymizer.is_some();
        let plain = !class.sensitive && !pseudonymized;
        match value {
            FieldValue::Bool(_) | FieldValue::F64(_) if plain => return (value, false),
            FieldValue::I64(_) | FieldValue::U64(_) | FieldValue::I128(_) | FieldValue::U128(_) if plain => {
                // A card number logged as a number is masked like one logged as text.
                let Some(masker) = masker else { return (value, false) };
                let small = match value {
                    FieldValue::I64(v) => v.unsigned_abs() < CARD_MIN,
                    FieldValue::U64(v) => v < CARD_MIN,
                    FieldValue::I128(v) => v.unsigned_abs() < u128::from(CARD_MIN),
                    FieldValue::U128(v) => v < u128::from(CARD_MIN),
                    _ => true,
                };
                if small {
                    return (value, false);
                }
                raw.clear();
                value.write_text(raw);
                if raw.len() < 13 || !mask::luhn(raw) {
                    return (value, false);
                }
                out.clear();
                masker.push_mask(raw, out);
                return (FieldValue::Str(out), false);
            }
            _ => {}
        }
        let text: &str = match value {
            FieldValue::Str(s) => s,
            other => {
                raw.clear();
                other.write_text(raw);
                raw
            }
        };
        let (text, plain) = self.clean_text(class, text, out);
        (FieldValue::Str(text), plain)
    }

    /// The longest value logged whole (`MAX_VALUE_LENGTH`), in bytes.
    #[cfg(feature = "http")]
    pub(crate) fn max_len(&self) -> usize {
        self.max_len
    }

    /// [`clean`](Self::clean) of a text value: the text as it may be logged, and whether it is
    /// known to be plain.
    #[inline]
    pub(crate) fn clean_text<'a>(
        &self,
        class: FieldClass,
        text: &'a str,
        out: &'a mut String,
    ) -> (&'a str, bool) {
        let masker = self.masker.as_ref();
        out.clear();
        if let (true, Some(masker)) = (class.sensitive, masker) {
            masker.push_mask(text, out);
            return (out, false);
        }
        match (class.slot, &self.pseudonymizer) {
            (Slot::Session(USER_ID_SLOT), Some(p)) if !text.is_empty() => {
                self.push_pseudonym(p, text, out);
                return (out, false);
            }
            (Slot::Session(IP_ADDRESS_SLOT), _) if self.anonymize_ip => {
                ip::push_anonymized_ip(text, out);
                return (out, false);
            }
            _ => {}
        }
        let (masked, plain) = match masker {
            Some(masker) if !class.own => self.mask_remembered(masker, class, text),
            // The middleware's own values are ids, addresses, methods and status texts.
            _ => (Cow::Borrowed(text), class.own),
        };
        if masked.len() <= self.max_len || class.body {
            return match masked {
                Cow::Borrowed(text) => (text, plain),
                Cow::Owned(masked) => {
                    out.push_str(&masked);
                    (out, false)
                }
            };
        }
        push_capped(out, &masked, self.max_len);
        (out, false)
    }
}

#[cfg(feature = "http")]
impl Privacy {
    /// A session or context value of the HTTP middleware's span as the activity layer logs it,
    /// and whether it is plain: the middleware cleans its span values itself, so that other
    /// layers (`fmt`, OpenTelemetry) never see more than the activity lines do. `own`: the
    /// middleware made the value itself (see [`OwnValues`]).
    #[inline]
    pub(crate) fn clean_span_value<'a>(&self, slot: Slot, own: bool, text: &'a str) -> (Cow<'a, str>, bool) {
        let sensitive = self.masker.is_some() && slot.index().is_some_and(|i| self.known_sensitive[i]);
        let class = FieldClass { slot, sensitive, own, plain_name: true, body: false };
        let mut out = String::new();
        let (clean, plain) = self.clean_text(class, text, &mut out);
        // `clean_text` answers with the text itself or the whole of `out`.
        if std::ptr::eq(clean, text) { (Cow::Borrowed(text), plain) } else { (Cow::Owned(out), plain) }
    }
}

impl Privacy {
    /// [`Masker::mask_text_plain`], answered from this thread's memory of span values recently
    /// found to hold nothing to mask: a client's user agent, session id, user id and pages come
    /// back request after request, and a look-up costs a fraction of the masking pass over them.
    ///
    /// Only span values ([`Slot::Session`], [`Slot::Context`] but the request id, which is new
    /// for each request) of [`REMEMBERED_MIN`]..=[`REMEMBERED_MAX`] bytes are remembered, and only
    /// when they needed no change. The memory is per layer: another layer's rules may differ.
    fn mask_remembered<'t>(&self, masker: &Masker, class: FieldClass, text: &'t str) -> (Cow<'t, str>, bool) {
        let repeats = matches!(class.slot, Slot::Session(_) | Slot::Context(_))
            && class.slot != Slot::Context(REQUEST_ID_SLOT)
            && (REMEMBERED_MIN..=REMEMBERED_MAX).contains(&text.len());
        if !repeats {
            return masker.mask_text_plain(text);
        }
        let hash = text_hash(self.id, text.as_bytes());
        let at = (hash >> (64 - REMEMBERED_BITS)) as usize;
        let remembered = CLEAN_TEXTS.try_with(|texts| {
            let texts = texts.try_borrow().ok()?;
            let entry = &texts[at];
            (entry.hash == hash && entry.layer == self.id && entry.text == text).then_some(entry.plain)
        });
        if let Ok(Some(plain)) = remembered {
            return (Cow::Borrowed(text), plain);
        }
        let (masked, plain) = masker.mask_text_plain(text);
        if let Cow::Borrowed(_) = masked {
            let _ = CLEAN_TEXTS.try_with(|texts| {
                if let Ok(mut texts) = texts.try_borrow_mut() {
                    texts[at].saw(self.id, hash, text, plain);
                }
            });
        }
        (masked, plain)
    }

    /// Appends the pseudonym of `id`, from this thread's cache of recent ids when it is there:
    /// the same users come back request after request, and an HMAC costs far more than a look-up.
    fn push_pseudonym(&self, pseudonymizer: &Pseudonymizer, id: &str, out: &mut String) {
        let slot = (text_hash(self.id, id.as_bytes()) >> (64 - PSEUDONYM_BITS)) as usize;
        let hit = RECENT_PSEUDONYMS.try_with(|cache| {
            if id.len() > CACHED_ID_MAX {
                return None;
            }
            let mut cache = cache.try_borrow_mut().ok()?;
            let entry = &mut cache[slot];
            if entry.layer != self.id || entry.id != id || entry.pseudonym.is_empty() {
                entry.layer = self.id;
                entry.id.clear();
                entry.id.push_str(id);
                entry.pseudonym.clear();
                pseudonymizer.write_pseudonym(id.as_bytes(), &mut entry.pseudonym);
            }
            out.push_str(&entry.pseudonym);
            Some(())
        });
        if !matches!(hit, Ok(Some(()))) {
            pseudonymizer.write_pseudonym(id.as_bytes(), out);
        }
    }
}

/// Slots whose values, in the span or event being created, the HTTP middleware made itself:
/// an id it generated, the client IP it formatted from an address, a standard method, the action
/// type and a result such as `HTTP 200 SUCCESS`.
///
/// Such values hold no secret, so they are not searched for one: a generated id whose digits
/// happen to look like a card number is logged as the id the client was sent, not masked. A
/// sensitive field name still masks them, and `user_id` and `ip_address` are still pseudonymized
/// and anonymized. They are plain text too (printable ASCII without `"` or `\`), so the lines
/// copy them without an escaping scan.
pub(crate) type OwnValues = SlotSet;

/// What the HTTP middleware tells the activity layer about the values of the one span or event
/// it is creating (see [`with_handed_values`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Handed {
    /// The values it made itself.
    pub(crate) own: OwnValues,
    /// The [id](Privacy::id) of the rules that cleaned the values already (0: none did): a layer
    /// with those rules logs them as they are.
    pub(crate) cleaned_by: u64,
    /// Of values cleaned already, the slots whose values are plain.
    pub(crate) plain: SlotSet,
}

thread_local! {
    /// What [`with_handed_values`] says of the span or event being created on this thread.
    static HANDED: Cell<Handed> = const {
        Cell::new(Handed { own: SlotSet::EMPTY, cleaned_by: 0, plain: SlotSet::EMPTY })
    };
}

/// The module under which the HTTP middleware creates its spans and events.
const MIDDLEWARE_MODULES: &str = "tracing_activity::http";

/// Runs `f`, which creates one span or event of the HTTP middleware, with `handed` said of its
/// values.
#[cfg(feature = "http")]
pub(crate) fn with_handed_values<R>(handed: Handed, f: impl FnOnce() -> R) -> R {
    with_handed_over(&HANDED, handed, f)
}

/// Runs `f`, which creates one span or event of the HTTP middleware, with the values of `own`'s
/// slots marked as the middleware's own (see [`OwnValues`]).
#[cfg(feature = "http")]
pub(crate) fn with_own_values<R>(own: OwnValues, f: impl FnOnce() -> R) -> R {
    with_handed_values(Handed { own, ..Handed::default() }, f)
}

/// Runs `f` with this thread's `key` set to `value`, and puts the value before back afterwards,
/// even if `f` panics: how the HTTP middleware tells the activity layer what it knows about the
/// one span or event `f` creates.
#[cfg(feature = "http")]
pub(crate) fn with_handed_over<T: Copy + 'static, R>(
    key: &'static LocalKey<Cell<T>>,
    value: T,
    f: impl FnOnce() -> R,
) -> R {
    struct Restore<T: Copy + 'static>(&'static LocalKey<Cell<T>>, T);
    impl<T: Copy + 'static> Drop for Restore<T> {
        fn drop(&mut self) {
            let _ = self.0.try_with(|cell| cell.set(self.1));
        }
    }
    let _restore = key.try_with(|cell| Restore(key, cell.replace(value))).ok();
    f()
}

/// What is handed over with the span or event with this metadata, being created now: only for
/// the middleware's callsites.
pub(crate) fn handed_values(metadata: &Metadata<'_>) -> Handed {
    let handed = HANDED.try_with(Cell::get).unwrap_or_default();
    if handed != Handed::default()
        && metadata.module_path().is_some_and(|m| m.starts_with(MIDDLEWARE_MODULES))
    {
        handed
    } else {
        Handed::default()
    }
}

/// How many span values each thread remembers as clean (direct-mapped, by hash), as a power of
/// two; and the shortest and longest remembered.
const REMEMBERED_BITS: u32 = 6;
const REMEMBERED_MIN: usize = 8;
const REMEMBERED_MAX: usize = 512;

/// A span value found to need no masking, and whether it is plain.
///
/// A text is copied in only the second time in a row that its hash is seen here: a value that
/// never comes back (a new page, a one-off client) costs its hash and no copy.
#[derive(Default)]
struct CleanText {
    hash: u64,
    layer: u64,
    text: String,
    plain: bool,
    /// The hash of the last text seen here that was not remembered.
    seen: u64,
}

impl CleanText {
    fn saw(&mut self, layer: u64, hash: u64, text: &str, plain: bool) {
        if std::mem::replace(&mut self.seen, hash) != hash {
            return;
        }
        self.hash = hash;
        self.layer = layer;
        self.text.clear();
        self.text.push_str(text);
        self.plain = plain;
    }
}

thread_local! {
    static CLEAN_TEXTS: RefCell<[CleanText; 1 << REMEMBERED_BITS]> =
        RefCell::new(std::array::from_fn(|_| CleanText::default()));
}

/// A hash of `bytes` eight at a time (the last eight read whole even where they overlap the
/// word before; fewer than eight as one word padded with zeros), for picking an entry of a
/// per-thread cache ([`CLEAN_TEXTS`], [`RECENT_PSEUDONYMS`]) by its high bits, the well-mixed
/// ones.
fn text_hash(seed: u64, bytes: &[u8]) -> u64 {
    let mut hasher = NameHasher(seed ^ bytes.len() as u64);
    if bytes.len() < 8 {
        let mut w = [0; 8];
        w[..bytes.len()].copy_from_slice(bytes);
        hasher.write_u64(u64::from_le_bytes(w));
        return hasher.finish();
    }
    let word = |at: usize| {
        let mut w = [0; 8];
        w.copy_from_slice(&bytes[at..at + 8]);
        u64::from_le_bytes(w)
    };
    let mut at = 0;
    while at + 8 < bytes.len() {
        hasher.write_u64(word(at));
        at += 8;
    }
    hasher.write_u64(word(bytes.len() - 8));
    hasher.finish()
}

/// Pseudonyms of recently seen user ids, per thread (direct-mapped), for ids up to 256 bytes.
const PSEUDONYM_BITS: u32 = 6;
const PSEUDONYM_CACHE: usize = 1 << PSEUDONYM_BITS;
const CACHED_ID_MAX: usize = 256;

#[derive(Default)]
struct CachedPseudonym {
    layer: u64,
    id: String,
    pseudonym: String,
}

thread_local! {
    static RECENT_PSEUDONYMS: RefCell<[CachedPseudonym; PSEUDONYM_CACHE]> =
        RefCell::new(std::array::from_fn(|_| CachedPseudonym::default()));
}

/// Appends `text` cut to at most `max` bytes at a character boundary, with a marker saying how
/// much was left out.
fn push_capped(out: &mut String, text: &str, max: usize) {
    let mut cut = max.min(text.len());
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    out.push_str(&text[..cut]);
    let _ = write!(out, "…[truncated {} bytes]", text.len() - cut);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_text_hash_reads_every_byte_of_any_length_up_to_the_longest_remembered() {
        assert_ne!(text_hash(7, b"ab"), text_hash(7, b"ab\0"), "short texts are not their zero padding");
        assert_ne!(text_hash(7, b""), text_hash(7, b"\0"));
        for len in 1..=REMEMBERED_MAX {
            let text = vec![b'a'; len];
            let hash = text_hash(7, &text);
            assert_eq!(hash, text_hash(7, &text.clone()), "{len}");
            assert_ne!(hash, text_hash(8, &text), "the layer is part of the hash ({len})");
            for at in [0, len / 2, len - 1] {
                let mut other = text.clone();
                other[at] = b'b';
                assert_ne!(hash, text_hash(7, &other), "a change at {at} of {len}");
            }
        }
    }

    #[test]
    fn capping_cuts_at_a_character_boundary_and_says_how_much() {
        let mut out = String::new();
        push_capped(&mut out, "ééé", 3);
        assert_eq!(out, "é…[truncated 4 bytes]");
    }
}
