//! One field value as `tracing` gives it, and the visitor that hands values over one by one.

use std::fmt::{self, Write};

use tracing_core::field::{Field, Visit};

use crate::escape::Text;
use crate::escape::json::JsonValue;
use crate::escape::number::{push_i64, push_u64};

/// One recorded field value, whatever its type. A text carries whether it is known to be plain
/// (see [`Text`]): as `tracing` gives it, it is not; cleaned by the privacy rules, it may be.
#[derive(Clone, Copy)]
pub(crate) enum FieldValue<'a> {
    Str(Text<'a>),
    Bool(bool),
    I64(i64),
    U64(u64),
    I128(i128),
    U128(u128),
    F64(f64),
    Error(&'a (dyn std::error::Error + 'static)),
    Debug(&'a dyn fmt::Debug),
}

impl<'a> FieldValue<'a> {
    /// Appends the value as plain text (for session slots and the action's words).
    pub(crate) fn write_text(self, out: &mut String) {
        let _ = match self {
            FieldValue::Str(text) => {
                out.push_str(text.str);
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

    /// The value as a text, when it is one.
    pub(crate) fn as_text(self) -> Option<Text<'a>> {
        match self {
            FieldValue::Str(text) => Some(text),
            _ => None,
        }
    }

    /// Appends the value as a JSON literal.
    ///
    /// Non-finite floats are `null`; 128-bit integers beyond the 64-bit range are strings, since
    /// JSON readers such as jq and OpenSearch would silently round them as numbers.
    pub(crate) fn write_json(self, out: &mut String) {
        let _ = match self {
            FieldValue::Str(text) => {
                JsonValue(out).text(text);
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
        self.put(field, FieldValue::Str(Text::new(value)));
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
