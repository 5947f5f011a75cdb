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

mod cache;
pub(crate) mod ip;
mod mask;
mod prefilter;
mod pseudonym;
mod structured;

pub use ip::{INVALID_IP, anonymize_ip};
pub use mask::{BUILT_IN_SENSITIVE_FIELDS, Masker};
pub use pseudonym::{Pseudonymizer, UNKNOWN_USER};

use std::borrow::Cow;
use std::fmt::Write;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use tracing_core::Metadata;

use crate::config::Config;
use crate::escape::Text;
use crate::fields::{
    ACTION_TYPE, CONTEXT_FIELDS, DESCRIPTION, DURATION_MS, IP_ADDRESS_SLOT, MESSAGE, REQUEST_BODY,
    REQUEST_ID_SLOT, RESPONSE_BODY, RESULT, SESSION_FIELDS, SUCCESS, Slot, SlotSet, USER_ID_SLOT,
};
use crate::value::FieldValue;

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
    known_sensitive: SlotSet,
}

/// Where a field goes, and whether its name is sensitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct FieldClass {
    pub(crate) slot: Slot,
    sensitive: bool,
    /// The value is one the HTTP middleware made itself ([`Handoff::own`]): it is not searched
    /// for secrets.
    ///
    /// [`Handoff::own`]: crate::handoff::Handoff::own
    pub(crate) own: bool,
    /// A captured HTTP body (`request_body`, `response_body`): capped by its own limit, not
    /// `MAX_VALUE_LENGTH`.
    pub(crate) body: bool,
}

impl FieldClass {
    /// The field's name is configured as sensitive: its value is masked whole.
    pub(crate) fn sensitive(&self) -> bool {
        self.sensitive
    }
}

/// Suffixes of a field that repeats a sensitive one (`password_confirmation`, `pin_repeat`):
/// such a field is sensitive too, for the masker and its prefilter alike.
const VARIANT_SUFFIXES: [&str; 4] = ["confirmation", "confirm", "repeat", "again"];

/// The next rules' id; 0 is no rules' (see [`Handoff::cleaned_by`](crate::handoff::Handoff::cleaned_by)).
static NEXT_ID: AtomicU64 = AtomicU64::new(1);

/// The smallest number with 13 digits, the shortest card number.
const CARD_MIN: u64 = 1_000_000_000_000;

impl Privacy {
    pub(crate) fn new(config: &Config) -> Self {
        let masker = config
            .mask_sensitive_data
            .then(|| Arc::new(Masker::new(&config.sensitive_fields, config.mask_style)));
        let mut known_sensitive = SlotSet::EMPTY;
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
                known_sensitive.set(Slot::of(name), masker.is_sensitive_name(name));
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

    /// These rules' id, which [`Handoff::cleaned_by`](crate::handoff::Handoff::cleaned_by) names.
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
        let sensitive = match (&self.masker, slot) {
            (None, _) => false,
            (Some(masker), Slot::Other) => masker.is_sensitive_name(name),
            (Some(_), _) => self.known_sensitive.contains(slot),
        };
        FieldClass { slot, sensitive, own: false, body }
    }

    /// The classes of the fields of a span or event with this metadata, in the order of
    /// [`Field::index`](tracing_core::field::Field::index): judged once per callsite and thread.
    pub(crate) fn classes(&self, metadata: &'static Metadata<'static>) -> Rc<[FieldClass]> {
        cache::classes(self.id, metadata, |name| self.classify(name))
    }

    /// The value as it may be logged. Numbers and booleans pass unchanged unless their field is
    /// sensitive (or a number is a card number); text is cleaned into `out` (using `raw` to
    /// render non-string values first) unless it needs no change.
    ///
    /// A text comes back marked [plain](Text) when that is known: found by the masking scan, or
    /// true of the middleware's own values by construction.
    pub(crate) fn clean<'a>(
        &self,
        class: FieldClass,
        value: FieldValue<'a>,
        raw: &'a mut String,
        out: &'a mut String,
    ) -> FieldValue<'a> {
        let masker = self.masker.as_ref();
        // A user id is pseudonymized whatever its type.
        let pseudonymized = class.slot == Slot::Session(USER_ID_SLOT) && self.pseudonymizer.is_some();
        let as_it_is = !class.sensitive && !pseudonymized;
        match value {
            FieldValue::Bool(_) | FieldValue::F64(_) if as_it_is => return value,
            FieldValue::I64(_) | FieldValue::U64(_) | FieldValue::I128(_) | FieldValue::U128(_)
                if as_it_is =>
            {
                // A card number logged as a number is masked like one logged as text.
                let Some(masker) = masker else { return value };
                let small = match value {
                    FieldValue::I64(v) => v.unsigned_abs() < CARD_MIN,
                    FieldValue::U64(v) => v < CARD_MIN,
                    FieldValue::I128(v) => v.unsigned_abs() < u128::from(CARD_MIN),
                    FieldValue::U128(v) => v < u128::from(CARD_MIN),
                    _ => true,
                };
                if small {
                    return value;
                }
                raw.clear();
                value.write_text(raw);
                if raw.len() < 13 || !mask::luhn(raw) {
                    return value;
                }
                out.clear();
                masker.push_mask(raw, out);
                return FieldValue::Str(Text::new(out));
            }
            _ => {}
        }
        let text: &str = match value {
            FieldValue::Str(text) => text.str,
            other => {
                raw.clear();
                other.write_text(raw);
                raw
            }
        };
        FieldValue::Str(self.clean_text(class, text, out))
    }

    /// The longest value logged whole (`MAX_VALUE_LENGTH`), in bytes.
    pub(crate) fn max_len(&self) -> usize {
        self.max_len
    }

    /// [`clean`](Self::clean) of a text value: the text as it may be logged.
    #[inline]
    pub(crate) fn clean_text<'a>(&self, class: FieldClass, text: &'a str, out: &'a mut String) -> Text<'a> {
        let masker = self.masker.as_ref();
        out.clear();
        if let (true, Some(masker)) = (class.sensitive, masker) {
            masker.push_mask(text, out);
            return Text::new(out);
        }
        match (class.slot, &self.pseudonymizer) {
            (Slot::Session(USER_ID_SLOT), Some(p)) if !text.is_empty() => {
                cache::push_pseudonym(self.id, text, out, |out| p.write_pseudonym(text.as_bytes(), out));
                return Text::new(out);
            }
            (Slot::Session(IP_ADDRESS_SLOT), _) if self.anonymize_ip => {
                ip::push_anonymized_ip(text, out);
                return Text::new(out);
            }
            _ => {}
        }
        let masked = match masker {
            Some(masker) if !class.own => self.mask(masker, class, text),
            // The middleware's own values are ids, addresses, methods and status texts.
            _ => Masked { text: Cow::Borrowed(text), plain: class.own },
        };
        if masked.text.len() <= self.max_len || class.body {
            return match masked.text {
                Cow::Borrowed(text) => Text { str: text, plain: masked.plain },
                Cow::Owned(masked) => {
                    out.push_str(&masked);
                    Text::new(out)
                }
            };
        }
        push_capped(out, &masked.text, self.max_len);
        Text::new(out)
    }

    /// [`Masker::mask_text_plain`], answered from this thread's memory of span values recently
    /// found to hold nothing to mask: a client's user agent, session id, user id and pages come
    /// back request after request, and a look-up costs a fraction of the masking pass over them.
    ///
    /// Only span values ([`Slot::Session`], [`Slot::Context`] but the request id, which is new
    /// for each request) of 8 to 512 bytes are remembered, and only when they needed no change.
    fn mask<'t>(&self, masker: &Masker, class: FieldClass, text: &'t str) -> Masked<'t> {
        let repeats = matches!(class.slot, Slot::Session(_) | Slot::Context(_))
            && class.slot != Slot::Context(REQUEST_ID_SLOT)
            && (cache::REMEMBERED_MIN..=cache::REMEMBERED_MAX).contains(&text.len());
        if !repeats {
            return masker.mask_text_plain(text);
        }
        let unremembered = match cache::clean_text(self.id, text) {
            Ok(plain) => return Masked { text: Cow::Borrowed(text), plain },
            Err(unremembered) => unremembered,
        };
        let masked = masker.mask_text_plain(text);
        if let Cow::Borrowed(_) = masked.text {
            unremembered.found_clean(text, masked.plain);
        }
        masked
    }
}

/// A text with its secrets masked, and whether it is known to be [plain](Text).
#[derive(Debug)]
pub(crate) struct Masked<'t> {
    pub(crate) text: Cow<'t, str>,
    pub(crate) plain: bool,
}

/// For the HTTP middleware, which cleans its span's values itself.
#[cfg(feature = "http")]
impl Privacy {
    /// The masker of these rules, `None` when masking is off.
    pub(crate) fn masker(&self) -> Option<&Arc<Masker>> {
        self.masker.as_ref()
    }

    /// A session or context value of the HTTP middleware's span as the activity layer logs it,
    /// and whether it is plain: the middleware cleans its span values itself, so that other
    /// layers (`fmt`, OpenTelemetry) never see more than the activity lines do. `own`: the
    /// middleware made the value itself (see [`Handoff::own`](crate::handoff::Handoff::own)).
    #[inline]
    pub(crate) fn clean_span_value<'a>(&self, slot: Slot, own: bool, text: &'a str) -> Masked<'a> {
        let sensitive = self.masker.is_some() && self.known_sensitive.contains(slot);
        let class = FieldClass { slot, sensitive, own, body: false };
        let mut out = String::new();
        let clean = self.clean_text(class, text, &mut out);
        // `clean_text` answers with the text itself or the whole of `out`.
        let (same, plain) = (std::ptr::eq(clean.str, text), clean.plain);
        Masked { text: if same { Cow::Borrowed(text) } else { Cow::Owned(out) }, plain }
    }
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
    fn capping_cuts_at_a_character_boundary_and_says_how_much() {
        let mut out = String::new();
        push_capped(&mut out, "ééé", 3);
        assert_eq!(out, "é…[truncated 4 bytes]");
    }
}
