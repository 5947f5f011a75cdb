//! The per-event view of an action: its own fields plus the session and context of its spans.
//!
//! Span fields are classified once, when the span is created or recorded, into a private
//! [`SpanActivity`] kept in the span's extensions. An event's fields are visited into a reusable
//! [`Record`] (one per thread, cleared between events so its buffers keep their capacity), then the
//! ancestors' stored values fill whatever the event left unset, nearest span first.

use crate::otel::TraceIds;
use tracing_core::field::Field;

use crate::action::ActionType;
use crate::escape::json::{JsonValue, push_member};
use crate::escape::number::push_u64;
use crate::escape::{Text, TextBuf};
use crate::fields::{
    CONTEXT_FIELDS, CURRENT_PAGE_SLOT, FEATURE, FEATURE_SLOT, METHOD_SLOT, SESSION_FIELDS, STATUS_CODE, Slot,
};
use crate::handoff::{HandedAction, Handoff};
use crate::privacy::{FieldClass, Privacy};
use crate::value::{FieldValue, PutField};

const N_SESSION: usize = SESSION_FIELDS.len();
const N_CONTEXT: usize = CONTEXT_FIELDS.len();

/// Whether the line is an action or an ordinary event narrated on request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum EventKind {
    Action,
    Log,
}

/// The action type of an action event that names none.
const UNNAMED_ACTION: &str = "action";
/// The action type of a narrated ordinary event.
const LOG_ACTION: &str = "log";

/// Up to `N` optional text values, reusing their buffers.
#[derive(Debug)]
pub(crate) struct Slots<const N: usize> {
    values: [TextBuf; N],
    set: [bool; N],
}

impl<const N: usize> Slots<N> {
    pub(crate) fn new() -> Self {
        Slots { values: std::array::from_fn(|_| TextBuf::default()), set: [false; N] }
    }

    pub(crate) fn clear(&mut self) {
        for (v, s) in self.values.iter_mut().zip(&mut self.set) {
            v.clear();
            *s = false;
        }
    }

    pub(crate) fn get(&self, i: usize) -> Option<Text<'_>> {
        self.set[i].then(|| self.values[i].as_text())
    }

    /// Sets slot `i` unless it is already set (leaf wins).
    fn fill(&mut self, i: usize, text: Text<'_>) {
        if !self.set[i] {
            self.set[i] = true;
            self.values[i].set(text);
        }
    }

    fn capacity(&self) -> usize {
        self.values.iter().map(TextBuf::capacity).sum()
    }

    pub(crate) fn iter(&self) -> impl Iterator<Item = (usize, Option<Text<'_>>)> {
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
    /// The value is known to be [plain](Text).
    plain: bool,
}

impl SpanActivity {
    pub(crate) fn is_empty(&self) -> bool {
        self.ranges().next().is_none()
    }

    fn text_of(&self, range: TextRange) -> Text<'_> {
        let str = self.text.get(range.start as usize..range.end as usize).unwrap_or_default();
        Text { str, plain: range.plain }
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
            self.text = String::with_capacity(SPAN_TEXT_CAPACITY);
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

    /// Sets a session or context slot to what `write` appends, with whether it is
    /// [plain](Text); `false`, doing nothing, for any other slot.
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
/// The class of `field`, from its callsite's `classes`, marked when its value is one of `own`.
fn class_of(
    privacy: &Privacy,
    classes: &[FieldClass],
    own: crate::fields::SlotSet,
    field: &Field,
) -> FieldClass {
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
    pub(crate) handoff: Handoff,
    /// Where values are rendered and cleaned.
    pub(crate) buffers: (&'a mut String, &'a mut String),
}

impl PutField for SpanVisitor<'_> {
    /// A session or context text goes straight into its slot, cleaned unless the HTTP
    /// middleware cleaned it with these rules already.
    fn put_str(&mut self, field: &Field, value: &str) {
        let class = class_of(self.privacy, self.classes, self.handoff.own, field);
        if !matches!(class.slot, Slot::Session(_) | Slot::Context(_)) {
            return self.put(field, FieldValue::Str(Text::new(value)));
        }
        let text = if self.handoff.cleaned_by == self.privacy.id() {
            Text { str: value, plain: self.handoff.plain.contains(class.slot) }
        } else {
            self.privacy.clean_text(class, value, self.buffers.1)
        };
        self.span.set_slot(class.slot, text.plain, |out| out.push_str(text.str));
    }

    fn put(&mut self, field: &Field, value: FieldValue<'_>) {
        let class = class_of(self.privacy, self.classes, self.handoff.own, field);
        let (raw, clean) = &mut self.buffers;
        let value = self.privacy.clean(class, value, raw, clean);
        let span = &mut *self.span;
        let plain = value.as_text().is_some_and(|text| text.plain);
        if span.set_slot(class.slot, plain, |out| value.write_text(out)) {
            return;
        }
        let i = span.extra.iter().position(|(n, _)| *n == field.name());
        let old = i.map(|i| span.extra[i].1);
        let Some(at) = span.append(old, |out| value.write_json(out)) else { return };
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
    /// What the HTTP middleware says of the event, when it logs it.
    pub(crate) handoff: Handoff,
    pub(crate) raw: &'a mut String,
    pub(crate) clean: &'a mut String,
}

impl PutField for EventVisitor<'_> {
    fn put(&mut self, field: &Field, value: FieldValue<'_>) {
        let class = class_of(self.privacy, self.classes, self.handoff.own, field);
        let request_action = self.handoff.request_action;
        if class.body && request_action {
            return self.record.body_member(field.name(), value);
        }
        let value = self.privacy.clean(class, value, self.raw, self.clean);
        if request_action && field.name() == crate::fields::FEATURE {
            // The request's feature is context, as its span has it, and written once.
            return self.record.context.set_value(FEATURE_SLOT, value);
        }
        self.record.put(field.name(), class, value);
    }
}

/// One action being rendered: the event's fields, then its spans' session and context.
#[derive(Debug)]
pub(crate) struct Record {
    action_type: TextBuf,
    description: TextBuf,
    message: TextBuf,
    result: TextBuf,
    pub(crate) success: Option<bool>,
    pub(crate) duration_ms: Option<f64>,
    /// A numeric `status_code` data field: the action is a request's.
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    pub(crate) status_code: Option<u16>,
    /// A `feature` data field, as written.
    data_feature: TextBuf,
    /// Extra event fields as the inside of a JSON object (`"k":v,"k2":v2`).
    pub(crate) data: String,
    data_names: Vec<&'static str>,
    pub(crate) session: Slots<N_SESSION>,
    pub(crate) context: Slots<N_CONTEXT>,
    /// Other span fields as the inside of a JSON object, nearest span first, each name once.
    pub(crate) context_extra: String,
    context_names: Vec<&'static str>,
    /// The OpenTelemetry trace the action happens in (feature `opentelemetry`).
    pub(crate) trace: Option<TraceIds>,
}

impl Record {
    pub(crate) fn new() -> Self {
        Record {
            action_type: TextBuf::default(),
            description: TextBuf::default(),
            message: TextBuf::default(),
            result: TextBuf::default(),
            success: None,
            duration_ms: None,
            status_code: None,
            data_feature: TextBuf::default(),
            data: String::new(),
            data_names: Vec::new(),
            session: Slots::new(),
            context: Slots::new(),
            context_extra: String::new(),
            context_names: Vec::new(),
            trace: None,
        }
    }

    pub(crate) fn clear(&mut self) {
        for text in [
            &mut self.action_type,
            &mut self.description,
            &mut self.message,
            &mut self.result,
            &mut self.data_feature,
        ] {
            text.clear();
        }
        self.success = None;
        self.duration_ms = None;
        self.status_code = None;
        self.data.clear();
        self.data_names.clear();
        self.session.clear();
        self.context.clear();
        self.context_extra.clear();
        self.context_names.clear();
        self.trace = None;
    }

    /// The bytes its buffers hold on to.
    pub(crate) fn capacity(&self) -> usize {
        [&self.action_type, &self.description, &self.message, &self.result]
            .iter()
            .map(|t| t.capacity())
            .sum::<usize>()
            + self.data.capacity()
            + self.context_extra.capacity()
            + self.session.capacity()
            + self.context.capacity()
    }

    /// Fills what the event left unset from one span; call nearest span first.
    pub(crate) fn inherit(&mut self, span: &SpanActivity) {
        for (i, v) in span.session.iter().enumerate() {
            if let Some(v) = v {
                self.session.fill(i, span.text_of(*v));
            }
        }
        for (i, v) in span.context.iter().enumerate() {
            if let Some(v) = v {
                self.context.fill(i, span.text_of(*v));
            }
        }
        for (name, value) in &span.extra {
            if !self.context_names.contains(name) {
                self.context_names.push(name);
                push_member(&mut self.context_extra, name, |out| out.push_str(span.text_of(*value).str));
            }
        }
    }

    /// The action's type, and its name as written.
    pub(crate) fn action_type(&self, kind: EventKind) -> (ActionType<'_>, Text<'_>) {
        let ty = match kind {
            EventKind::Log => ActionType::Custom(LOG_ACTION),
            EventKind::Action if self.action_type.is_empty() => ActionType::Custom(UNNAMED_ACTION),
            EventKind::Action => ActionType::from_name(self.action_type.as_text().str),
        };
        let name = match ty {
            ActionType::Custom(name) if !matches!(name, LOG_ACTION | UNNAMED_ACTION) => {
                self.action_type.as_text()
            }
            _ => Text::own(ty.name()),
        };
        (ty, name)
    }

    /// The outcome in words: the `result` field, else the type's default.
    pub(crate) fn result(&self, ty: ActionType<'_>, success: bool) -> Text<'_> {
        if self.result.is_empty() { Text::own(ty.default_result(success)) } else { self.result.as_text() }
    }

    /// The description to show: the `description` field, else the event's message.
    pub(crate) fn description(&self) -> Text<'_> {
        if self.description.is_empty() { self.message.as_text() } else { self.description.as_text() }
    }

    /// Names what the HTTP middleware's action acted on from its request span, which cleaned
    /// the values once: the description `GET /path` (the path alone for a navigation) from the
    /// span's method and page. `false`, leaving the record as it was, when the span's values are
    /// not here (a layer that does not see the span) or the description would be longer than
    /// `max_len` (the event's own `description` is then capped as any value).
    pub(crate) fn describe_request(&mut self, navigation: bool, max_len: usize) -> bool {
        let (Some(page), Some(method)) = (self.session.get(CURRENT_PAGE_SLOT), self.context.get(METHOD_SLOT))
        else {
            return false;
        };
        let method = if navigation { None } else { Some(method) };
        let len = method.map_or(0, |m| m.str.len() + 1) + page.str.len();
        if len > max_len || !self.description.is_empty() {
            return false;
        }
        if let Some(method) = method {
            self.description.push(method);
            self.description.push(Text::own(" "));
        }
        self.description.push(page);
        true
    }

    /// Fills what the HTTP middleware handed over for its action, as visiting the event's fields
    /// would: the words are the middleware's own (plain, not searched).
    pub(crate) fn put_handed(&mut self, action: &HandedAction) {
        self.action_type.set(Text::own(action.kind.name()));
        self.result.set(Text::own(action.result));
        self.success = Some(action.success);
        let ms = action.duration_ms;
        self.duration_ms = (ms.is_finite() && ms >= 0.0).then_some(ms);
        if let Some((name, n)) = action.data {
            self.note_data(name, FieldValue::U64(n));
            self.push_data(name, |out| push_u64(out, n));
        }
    }

    /// The feature and the status code, kept from the data fields of those names (the first of
    /// each, as in `data`): the usage counters read them.
    fn note_data(&mut self, name: &'static str, value: FieldValue<'_>) {
        match (name, value) {
            (STATUS_CODE, FieldValue::U64(n)) if self.status_code.is_none() => {
                self.status_code = u16::try_from(n).ok();
            }
            (STATUS_CODE, FieldValue::I64(n)) if self.status_code.is_none() => {
                self.status_code = u16::try_from(n).ok();
            }
            (FEATURE, FieldValue::Str(text)) if self.data_feature.is_empty() => self.data_feature.set(text),
            _ => {}
        }
    }

    /// The feature: the spans' `feature`, else the event's own.
    #[cfg_attr(not(feature = "metrics"), allow(dead_code))]
    pub(crate) fn feature(&self) -> Option<Text<'_>> {
        self.context
            .get(FEATURE_SLOT)
            .or_else(|| (!self.data_feature.is_empty()).then(|| self.data_feature.as_text()))
    }

    /// Adds `"name":<value>` to `data`, the value written by `write`, unless `name` is there.
    fn push_data(&mut self, name: &'static str, write: impl FnOnce(&mut String)) {
        if self.data_names.contains(&name) {
            return; // the first value of a repeated field name is kept: no key twice
        }
        self.data_names.push(name);
        push_member(&mut self.data, name, write);
    }

    /// A body the HTTP middleware captured and masked: a JSON body as the JSON value it is,
    /// anything else (a form, a summary, a JSON body cut short) as a string.
    fn body_member(&mut self, name: &'static str, value: FieldValue<'_>) {
        self.push_data(name, |out| match value {
            FieldValue::Str(text) => JsonValue(out).json_or_str(text.str),
            other => other.write_json(out),
        });
    }

    /// Routes one cleaned event field: words and flags to the action, session fields to their
    /// slots, everything else to `data`.
    fn put(&mut self, name: &'static str, class: FieldClass, value: FieldValue<'_>) {
        let target = match (class.slot, value) {
            (Slot::ActionType, _) => &mut self.action_type,
            (Slot::Description, _) => &mut self.description,
            (Slot::Result, _) => &mut self.result,
            (Slot::Message, _) => &mut self.message,
            (Slot::Session(i), _) => return self.session.set_value(i, value),
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
            _ => {
                self.note_data(name, value);
                return self.push_data(name, |out| value.write_json(out));
            }
        };
        set_text(target, value);
    }
}

impl<const N: usize> Slots<N> {
    /// Sets slot `i` to a cleaned value, as text.
    fn set_value(&mut self, i: usize, value: FieldValue<'_>) {
        self.set[i] = true;
        set_text(&mut self.values[i], value);
    }
}

/// Sets `target` to `value` as text.
fn set_text(target: &mut TextBuf, value: FieldValue<'_>) {
    match value.as_text() {
        Some(text) => target.set(text),
        None => value.write_text(target.overwrite()),
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
        assert_eq!(span.text_of(span.session[0].unwrap()).str, "session-9999");
        assert_eq!(span.text_of(span.context[1].unwrap()).str, "method-9999");
        let tenant = span.append(None, |o| o.push_str("\"acme\"")).unwrap();
        span.extra.push(("tenant", tenant));
        span.compact();
        assert_eq!(span.text, "session-9999method-9999\"acme\"");
    }
}
