//! The per-event view of an action: its own fields plus the session and context of its spans.
//!
//! Span fields are classified once, when the span is created or recorded, into a private
//! [`SpanActivity`] kept in the span's extensions. An event's fields are visited into a reusable
//! [`Record`] (one per thread, cleared between events so its buffers keep their capacity), then the
//! ancestors' stored values fill whatever the event left unset, nearest span first.

use std::cell::RefCell;
use std::fmt::{self, Write};

use tracing_core::field::{Field, Visit};

use crate::fields::{CONTEXT_FIELDS, CURRENT_PAGE_SLOT, SESSION_FIELDS, Slot, SlotSet};
use crate::layer::MIDDLEWARE_ACTIONS;
use crate::privacy::{FieldClass, Handed, OwnValues, Privacy};
use crate::render::json::{JsonValue, push_member, push_member_known};
use crate::render::number::{push_i64, push_u64};

/// The data member of an HTTP action's status.
#[cfg(feature = "http")]
const STATUS_CODE: &str = "status_code";

const N_SESSION: usize = SESSION_FIELDS.len();
const N_CONTEXT: usize = CONTEXT_FIELDS.len();

/// One recorded field value, whatever its type.
#[derive(Clone, Copy)]
pub(crate) enum FieldValue<'a> {
    Str(&'a str),
    Bool(bool),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    F64(f64),
    Error(&'a (dyn std::error::Error + 'static)),
    Debug(&'a dyn fmt::Debug),
}

impl FieldValue<'_> {
    /// Appends the value as plain text (for session slots and the action's words).
    pub(crate) fn write_text(self, out: &mut String) {
        let _ = match self {
            FieldValue::Str(s) => {
                out.push_str(s);
                Ok(())
            }
            FieldValue::Bool(v) => {
                out.push_str(if v { "true" } else { "false" });
                Ok(())
            }
            FieldValue::I64(v) => {
                push_i64(out, v);
                Ok(())
            }
            FieldValue::U64(v) => {
                push_u64(out, v);
                Ok(())
            }
            FieldValue::I128(v) => write!(out, "{v}"),
            FieldValue::U128(v) => write!(out, "{v}"),
            FieldValue::F64(v) => write!(out, "{v}"),
            FieldValue::Error(e) => write!(out, "{e}"),
            FieldValue::Debug(d) => write!(out, "{d:?}"),
        };
    }

    /// [`write_json`](Self::write_json), copying a string known to be
    /// [plain](crate::render::is_plain) without an escaping scan.
    fn write_json_known(self, out: &mut String, plain: bool) {
        match self {
            FieldValue::Str(s) => JsonValue(out).str_known(s, plain),
            other => other.write_json(out),
        }
    }

    /// Appends the value as a JSON literal.
    ///
    /// Non-finite floats are `null`; 128-bit integers beyond the 64-bit range are strings, since
    /// JSON readers such as jq and OpenSearch would silently round them as numbers.
    fn write_json(self, out: &mut String) {
        let _ = match self {
            FieldValue::Str(s) => {
                JsonValue(out).str(s);
                Ok(())
            }
            FieldValue::Bool(_) | FieldValue::I64(_) | FieldValue::U64(_) => {
                self.write_text(out);
                Ok(())
            }
            FieldValue::I128(v) if i64::try_from(v).is_ok() => write!(out, "{v}"),
            FieldValue::U128(v) if u64::try_from(v).is_ok() => write!(out, "{v}"),
            FieldValue::I128(v) => write!(out, "\"{v}\""),
            FieldValue::U128(v) => write!(out, "\"{v}\""),
            FieldValue::F64(v) => {
                JsonValue(out).f64(v);
                Ok(())
            }
            FieldValue::Error(e) => JsonValue(out).quoted(format_args!("{e}")),
            FieldValue::Debug(d) => JsonValue(out).quoted(format_args!("{d:?}")),
        };
    }
}

/// Something that takes field values one by one.
pub(crate) trait PutField {
    fn put(&mut self, field: &Field, value: FieldValue<'_>);

    /// A text value: most values are, so a taker may have a shorter way for them.
    fn put_str(&mut self, field: &Field, value: &str) {
        self.put(field, FieldValue::Str(value));
    }
}

/// Adapts a [`PutField`] to `tracing`'s [`Visit`].
pub(crate) struct Visitor<'a, T>(pub(crate) &'a mut T);

impl<T: PutField> Visit for Visitor<'_, T> {
    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.put_str(field, value);
    }
    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.put(field, FieldValue::Bool(value));
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.put(field, FieldValue::I64(value));
    }
    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.put(field, FieldValue::U64(value));
    }
    fn record_i128(&mut self, field: &Field, value: i128) {
        self.0.put(field, FieldValue::I128(value));
    }
    fn record_u128(&mut self, field: &Field, value: u128) {
        self.0.put(field, FieldValue::U128(value));
    }
    fn record_f64(&mut self, field: &Field, value: f64) {
        self.0.put(field, FieldValue::F64(value));
    }
    fn record_error(&mut self, field: &Field, value: &(dyn std::error::Error + 'static)) {
        self.0.put(field, FieldValue::Error(value));
    }
    fn record_debug(&mut self, field: &Field, value: &dyn fmt::Debug) {
        self.0.put(field, FieldValue::Debug(value));
    }
}

/// Up to `N` optional string values, reusing their buffers.
#[derive(Debug)]
pub(crate) struct Slots<const N: usize> {
    values: [String; N],
    set: [bool; N],
}

impl<const N: usize> Slots<N> {
    pub(crate) fn new() -> Self {
        Slots { values: std::array::from_fn(|_| String::new()), set: [false; N] }
    }

    pub(crate) fn clear(&mut self) {
        for (v, s) in self.values.iter_mut().zip(&mut self.set) {
            v.clear();
            *s = false;
        }
    }

    pub(crate) fn get(&self, i: usize) -> Option<&str> {
        self.set[i].then(|| self.values[i].as_str())
    }

    /// The slot's buffer, emptied, marked as set.
    fn overwrite(&mut self, i: usize) -> &mut String {
        self.set[i] = true;
        let v = &mut self.values[i];
        v.clear();
        v
    }

    /// Copies `value` into the slot unless it is already set (leaf wins); whether it did.
    fn fill(&mut self, i: usize, value: &str) -> bool {
        if self.set[i] {
            return false;
        }
        self.overwrite(i).push_str(value);
        true
    }

    fn capacity(&self) -> usize {
        self.values.iter().map(String::capacity).sum()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, Option<&str>)> {
        (0..N).map(|i| (i, self.get(i)))
    }
}

/// A span's activity fields, classified and stored once in its extensions.
///
/// The values' text is kept in one buffer (one allocation per span, however many fields it
/// has); the slots hold where each value is in it.
#[derive(Debug, Default)]
pub(crate) struct SpanActivity {
    /// Every stored value, one after another (see [`SpanActivity::append`] for values recorded
    /// again).
    text: String,
    session: [Option<TextRange>; N_SESSION],
    context: [Option<TextRange>; N_CONTEXT],
    /// Other span fields: name and where their JSON literal is.
    extra: Vec<(&'static str, TextRange)>,
}

/// Where one value is in [`SpanActivity::text`].
#[derive(Debug, Clone, Copy)]
struct TextRange {
    start: u32,
    end: u32,
    /// The value is known to be [plain](crate::render::is_plain).
    plain: bool,
}

impl SpanActivity {
    pub(crate) fn is_empty(&self) -> bool {
        self.ranges().next().is_none()
    }

    fn text_of(&self, range: TextRange) -> &str {
        self.text.get(range.start as usize..range.end as usize).unwrap_or_default()
    }

    /// Appends what `write` writes to the text and returns where it is, or `None` when the text
    /// would outgrow a `u32` (a span's values are capped far below that). `old` is the range the
    /// value replaces, if any: its room is taken back when it is the last value, and the text is
    /// compacted when replaced values make up most of it, so a span recorded in a loop does not
    /// grow.
    fn append(&mut self, old: Option<TextRange>, write: impl FnOnce(&mut String)) -> Option<TextRange> {
        if let Some(old) = old {
            if old.end as usize == self.text.len() {
                self.text.truncate(old.start as usize);
            } else if self.text.len() > COMPACT_OVER && self.text.len() > 2 * self.live_len() {
                self.compact();
            }
        }
        let start = self.text.len();
        if self.text.capacity() == 0 {
            self.text = reused_span_text();
        }
        write(&mut self.text);
        match (u32::try_from(start), u32::try_from(self.text.len())) {
            (Ok(start), Ok(end)) => Some(TextRange { start, end, plain: false }),
            _ => {
                self.text.truncate(start);
                None
            }
        }
    }

    /// Sets a session or context slot to what `write` appends, with whether it is plain;
    /// `false`, doing nothing, for any other slot.
    fn set_slot(&mut self, slot: Slot, plain: bool, write: impl FnOnce(&mut String)) -> bool {
        let old = match slot {
            Slot::Session(i) => self.session[i],
            Slot::Context(i) => self.context[i],
            _ => return false,
        };
        let stored = self.append(old, write).map(|r| TextRange { plain, ..r });
        match slot {
            Slot::Session(i) => self.session[i] = stored,
            Slot::Context(i) => self.context[i] = stored,
            _ => {}
        }
        true
    }

    fn ranges_mut(&mut self) -> impl Iterator<Item = &mut TextRange> {
        self.session
            .iter_mut()
            .chain(&mut self.context)
            .flatten()
            .chain(self.extra.iter_mut().map(|(_, r)| r))
    }

    fn ranges(&self) -> impl Iterator<Item = &TextRange> {
        self.session.iter().chain(&self.context).flatten().chain(self.extra.iter().map(|(_, r)| r))
    }

    /// The bytes of the values in use.
    fn live_len(&self) -> usize {
        self.ranges().map(|r| (r.end - r.start) as usize).sum()
    }

    /// Rewrites the text with only the values in use.
    fn compact(&mut self) {
        let old = std::mem::take(&mut self.text);
        let mut text = String::with_capacity(self.live_len());
        for range in self.ranges_mut() {
            let start = text.len();
            text.push_str(old.get(range.start as usize..range.end as usize).unwrap_or_default());
            // The compacted text is no longer than the old one, whose ranges fit a `u32`.
            *range = TextRange { start: start as u32, end: text.len() as u32, plain: range.plain };
        }
        self.text = text;
    }
}

/// A span's text is compacted only beyond this size.
const COMPACT_OVER: usize = 4096;

/// The room a span's text starts with: enough for a request's session and context.
const SPAN_TEXT_CAPACITY: usize = 256;
/// Texts of closed spans kept per thread for new spans, and the largest kept.
const REUSED_SPAN_TEXTS: usize = 64;
const REUSED_SPAN_TEXT_CAPACITY: usize = 4096;

thread_local! {
    /// The texts of spans closed on this thread, for the next spans made on it: a request's
    /// span then costs no allocation for its values.
    static SPAN_TEXTS: RefCell<Vec<String>> = const { RefCell::new(Vec::new()) };
}

/// An empty text for a new span: a closed span's, or a new one.
fn reused_span_text() -> String {
    let reused = SPAN_TEXTS.try_with(|texts| texts.try_borrow_mut().ok()?.pop());
    reused.ok().flatten().unwrap_or_else(|| String::with_capacity(SPAN_TEXT_CAPACITY))
}

impl Drop for SpanActivity {
    fn drop(&mut self) {
        let capacity = self.text.capacity();
        if capacity == 0 || capacity > REUSED_SPAN_TEXT_CAPACITY {
            return;
        }
        let mut text = std::mem::take(&mut self.text);
        text.clear();
        let _ = SPAN_TEXTS.try_with(|texts| {
            if let Ok(mut texts) = texts.try_borrow_mut() {
                if texts.len() < REUSED_SPAN_TEXTS {
                    texts.push(text);
                }
            }
        });
    }
}

/// The class of `field`, from its callsite's `classes`, marked when its value is one of `own`.
fn class_of(privacy: &Privacy, classes: &[FieldClass], own: OwnValues, field: &Field) -> FieldClass {
    let mut class = match classes.get(field.index()) {
        Some(class) => *class,
        // Only a field of another callsite could be out of range.
        None => privacy.classify(field.name()),
    };
    class.own = own.contains(class.slot);
    class
}

/// Records span fields into a [`SpanActivity`], cleaning each value first.
pub(crate) struct SpanVisitor<'a> {
    pub(crate) span: &'a mut SpanActivity,
    pub(crate) privacy: &'a Privacy,
    /// The classes of the span's fields, by index ([`Privacy::classes`]).
    pub(crate) classes: &'a [FieldClass],
    /// What the HTTP middleware says of the values, when it creates the span.
    pub(crate) handed: Handed,
    /// Where values are rendered and cleaned (reused across spans by the caller).
    pub(crate) buffers: &'a mut [String; 2],
}

impl PutField for SpanVisitor<'_> {
    /// A session or context text goes straight into its slot, cleaned unless the HTTP
    /// middleware cleaned it with these rules already.
    fn put_str(&mut self, field: &Field, value: &str) {
        let class = class_of(self.privacy, self.classes, self.handed.own, field);
        if !matches!(class.slot, Slot::Session(_) | Slot::Context(_)) {
            return self.put(field, FieldValue::Str(value));
        }
        if self.handed.cleaned_by == self.privacy.id() {
            // Cleaned by the middleware with these very rules.
            let plain = self.handed.plain.contains(class.slot);
            self.span.set_slot(class.slot, plain, |out| out.push_str(value));
            return;
        }
        let [_, clean] = &mut *self.buffers;
        let (text, plain) = self.privacy.clean_text(class, value, clean);
        self.span.set_slot(class.slot, plain, |out| out.push_str(text));
    }

    fn put(&mut self, field: &Field, value: FieldValue<'_>) {
        let class = class_of(self.privacy, self.classes, self.handed.own, field);
        let [raw, clean] = &mut *self.buffers;
        let (value, plain) = self.privacy.clean(class, value, raw, clean);
        let span = &mut *self.span;
        if span.set_slot(class.slot, plain, |out| value.write_text(out)) {
            return;
        }
        let i = span.extra.iter().position(|(n, _)| *n == field.name());
        let old = i.map(|i| span.extra[i].1);
        let Some(at) = span.append(old, |out| value.write_json_known(out, plain)) else { return };
        match i {
            Some(i) => span.extra[i].1 = at,
            None => span.extra.push((field.name(), at)),
        }
    }
}

/// Records an event's fields into a [`Record`], cleaning each value first.
pub(crate) struct EventVisitor<'a> {
    pub(crate) record: &'a mut Record,
    pub(crate) privacy: &'a Privacy,
    /// The classes of the event's fields, by index ([`Privacy::classes`]).
    pub(crate) classes: &'a [FieldClass],
    /// The values the HTTP middleware made itself, when it logs the event.
    pub(crate) own: OwnValues,
    pub(crate) raw: &'a mut String,
    pub(crate) clean: &'a mut String,
    /// The module the event comes from: the HTTP middleware's actions carry bodies it has
    /// masked already (by their structure, which the value patterns would undo).
    pub(crate) module: Option<&'static str>,
}

impl PutField for EventVisitor<'_> {
    fn put(&mut self, field: &Field, value: FieldValue<'_>) {
        let class = class_of(self.privacy, self.classes, self.own, field);
        let middleware = self.module == Some(MIDDLEWARE_ACTIONS);
        if class.body && middleware {
            return self.record.body_member(field.name(), class, value);
        }
        let (value, plain) = self.privacy.clean(class, value, self.raw, self.clean);
        if middleware && field.name() == crate::fields::FEATURE {
            // The request's feature is context, as its span has it, and written once.
            return self.record.put_context(crate::fields::FEATURE_SLOT, value, plain);
        }
        self.record.put(field.name(), class, value, plain);
    }
}

/// One action being rendered: the event's fields, then its spans' session and context.
#[derive(Debug)]
pub(crate) struct Record {
    pub(crate) action_type: String,
    pub(crate) description: String,
    pub(crate) message: String,
    pub(crate) result: String,
    pub(crate) success: Option<bool>,
    pub(crate) duration_ms: Option<f64>,
    /// Extra event fields as the inside of a JSON object (`"k":v,"k2":v2`).
    pub(crate) data: String,
    data_names: Vec<&'static str>,
    pub(crate) session: Slots<N_SESSION>,
    pub(crate) context: Slots<N_CONTEXT>,
    /// Other span fields as the inside of a JSON object, nearest span first, each name once.
    pub(crate) context_extra: String,
    context_names: Vec<&'static str>,
    /// The slots whose values are known to be [plain](crate::render::is_plain).
    pub(crate) plain: SlotSet,
}

impl Record {
    pub(crate) fn new() -> Self {
        Record {
            action_type: String::new(),
            description: String::new(),
            message: String::new(),
            result: String::new(),
            success: None,
            duration_ms: None,
            data: String::new(),
            data_names: Vec::new(),
            session: Slots::new(),
            context: Slots::new(),
            context_extra: String::new(),
            context_names: Vec::new(),
            plain: SlotSet::EMPTY,
        }
    }

    pub(crate) fn clear(&mut self) {
        self.action_type.clear();
        self.description.clear();
        self.message.clear();
        self.result.clear();
        self.success = None;
        self.duration_ms = None;
        self.data.clear();
        self.data_names.clear();
        self.session.clear();
        self.context.clear();
        self.context_extra.clear();
        self.context_names.clear();
        self.plain = SlotSet::EMPTY;
    }

    /// The bytes its buffers hold on to.
    pub(crate) fn capacity(&self) -> usize {
        [&self.action_type, &self.description, &self.message, &self.result, &self.data, &self.context_extra]
            .iter()
            .map(|s| s.capacity())
            .sum::<usize>()
            + self.session.capacity()
            + self.context.capacity()
    }

    /// Fills what the event left unset from one span; call nearest span first.
    pub(crate) fn inherit(&mut self, span: &SpanActivity) {
        for (i, v) in span.session.iter().enumerate() {
            if let Some(v) = v {
                if self.session.fill(i, span.text_of(*v)) {
                    self.plain.set(Slot::Session(i), v.plain);
                }
            }
        }
        for (i, v) in span.context.iter().enumerate() {
            if let Some(v) = v {
                if self.context.fill(i, span.text_of(*v)) {
                    self.plain.set(Slot::Context(i), v.plain);
                }
            }
        }
        for (name, value) in &span.extra {
            if !self.context_names.contains(name) {
                self.context_names.push(name);
                push_member(&mut self.context_extra, name, |out| out.push_str(span.text_of(*value)));
            }
        }
    }

    /// The description to show: the `description` field, else the event's message; and whether
    /// it is known to be [plain](crate::render::is_plain).
    pub(crate) fn description(&self) -> (&str, bool) {
        if self.description.is_empty() {
            (&self.message, self.plain.contains(Slot::Message))
        } else {
            (&self.description, self.plain.contains(Slot::Description))
        }
    }

    /// Names what the HTTP middleware's action acted on from its request span, which cleaned
    /// the values once: the description `GET /path` (the path alone for a navigation) from the
    /// span's method and page. `false`, leaving the
    /// record as it was, when the span's values are not here (a layer that does not see the
    /// span) or the description would be longer than `max_len` (the event's own `description`
    /// is then capped as any value).
    #[cfg(feature = "http")]
    pub(crate) fn describe_request(&mut self, navigation: bool, max_len: usize) -> bool {
        use crate::fields::METHOD_SLOT;
        let (Some(page), Some(method)) = (self.session.get(CURRENT_PAGE_SLOT), self.context.get(METHOD_SLOT))
        else {
            return false;
        };
        let method = if navigation { None } else { Some(method) };
        let len = method.map_or(0, |m| m.len() + 1) + page.len();
        if len > max_len || !self.description.is_empty() {
            return false;
        }
        let mut plain = self.plain.contains(Slot::Session(CURRENT_PAGE_SLOT));
        if let Some(method) = method {
            self.description.push_str(method);
            self.description.push(' ');
            plain &= self.plain.contains(Slot::Context(METHOD_SLOT));
        }
        self.description.push_str(page);
        self.plain.set(Slot::Description, plain);
        true
    }

    /// Fills what the HTTP middleware handed over for its action, as visiting the event's fields
    /// would: the words are the middleware's own (plain, not searched), `status_code` goes to
    /// `data`.
    #[cfg(feature = "http")]
    pub(crate) fn put_http_action(&mut self, action: &crate::http::HttpAction) {
        self.action_type.push_str(action.kind.name());
        self.plain.set(Slot::ActionType, true);
        self.result.push_str(action.result);
        self.plain.set(Slot::Result, true);
        self.success = Some(action.success);
        let ms = action.duration_ms;
        self.duration_ms = (ms.is_finite() && ms >= 0.0).then_some(ms);
        if let Some(code) = action.status {
            self.data_names.push(STATUS_CODE);
            push_member_known(&mut self.data, STATUS_CODE, true, |out| push_u64(out, u64::from(code)));
        }
    }

    fn data_member(&mut self, name: &'static str, class: FieldClass, value: FieldValue<'_>, plain: bool) {
        self.push_data(name, class, |out| value.write_json_known(out, plain));
    }

    /// Adds `"name":<value>` to `data`, the value written by `write`, unless `name` is there.
    fn push_data(&mut self, name: &'static str, class: FieldClass, write: impl FnOnce(&mut String)) {
        if self.data_names.contains(&name) {
            return; // the first value of a repeated field name is kept: no key twice
        }
        self.data_names.push(name);
        push_member_known(&mut self.data, name, class.plain_name, write);
    }
}

impl Record {
    /// Sets context slot `i` from an event: only the HTTP middleware's feature.
    fn put_context(&mut self, i: usize, value: FieldValue<'_>, plain: bool) {
        value.write_text(self.context.overwrite(i));
        self.plain.set(Slot::Context(i), plain && matches!(value, FieldValue::Str(_)));
    }

    /// A body the HTTP middleware captured and masked: a JSON body as the JSON value it is,
    /// anything else (a form, a summary, a JSON body cut short) as a string.
    fn body_member(&mut self, name: &'static str, class: FieldClass, value: FieldValue<'_>) {
        self.push_data(name, class, |out| match value {
            FieldValue::Str(text) => JsonValue(out).json_or_str(text),
            other => other.write_json_known(out, false),
        });
    }

    /// Routes one cleaned event field: words and flags to the action, session fields to their
    /// slots, everything else to `data`.
    fn put(&mut self, name: &'static str, class: FieldClass, value: FieldValue<'_>, plain: bool) {
        let slot = class.slot;
        let target = match (slot, value) {
            (Slot::ActionType, _) => &mut self.action_type,
            (Slot::Description, _) => &mut self.description,
            (Slot::Result, _) => &mut self.result,
            (Slot::Message, _) => &mut self.message,
            (Slot::Session(i), _) => self.session.overwrite(i),
            (Slot::Success, FieldValue::Bool(ok)) => {
                self.success = Some(ok);
                return;
            }
            (Slot::Duration, FieldValue::F64(ms)) if ms.is_finite() && ms >= 0.0 => {
                self.duration_ms = Some(ms);
                return;
            }
            (Slot::Duration, FieldValue::U64(ms)) => {
                self.duration_ms = Some(ms as f64);
                return;
            }
            (Slot::Duration, FieldValue::I64(ms)) if ms >= 0 => {
                self.duration_ms = Some(ms as f64);
                return;
            }
            // `elapsed.as_millis()` is a u128.
            (Slot::Duration, FieldValue::U128(ms)) => {
                self.duration_ms = Some(ms as f64);
                return;
            }
            (Slot::Duration, FieldValue::I128(ms)) if ms >= 0 => {
                self.duration_ms = Some(ms as f64);
                return;
            }
            // Context comes from spans only: an event's `method` or `url` is more often the
            // action's own data (an auth method, a downloaded URL) than the request's. A
            // `success` or `duration_ms` of another type is kept as data too.
            _ => return self.data_member(name, class, value, plain),
        };
        target.clear();
        value.write_text(target);
        self.plain.set(slot, plain && matches!(value, FieldValue::Str(_)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_recorded_again_and_again_keep_the_span_small() {
        let mut span = SpanActivity::default();
        for i in 0..10_000 {
            // Two fields in turn: neither is ever the last value when it is replaced.
            span.session[0] = span.append(span.session[0], |o| o.push_str(&format!("session-{i}")));
            span.context[1] = span.append(span.context[1], |o| o.push_str(&format!("method-{i}")));
        }
        assert!(span.text.len() <= 2 * COMPACT_OVER, "{} bytes kept", span.text.len());
        assert_eq!(span.text_of(span.session[0].unwrap()), "session-9999");
        assert_eq!(span.text_of(span.context[1].unwrap()), "method-9999");
        let tenant = span.append(None, |o| o.push_str("\"acme\"")).unwrap();
        span.extra.push(("tenant", tenant));
        span.compact();
        assert_eq!(span.text, "session-9999method-9999\"acme\"");
    }
}
