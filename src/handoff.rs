//! What the HTTP middleware tells the activity layer about the one span or event it is creating.
//!
//! The middleware records a request through `tracing`'s public span and event macros, so every
//! layer sees it as it sees any span or event. What the middleware knows beyond the values has no
//! place in that interface: that it made some values itself (a generated id holds no secret),
//! that it cleaned them already by the activity layer's privacy rules, that its action's words
//! are its own. So it travels beside the call: [`with_handoff`] sets a [`Handoff`] on this thread
//! for the span or event made inside it, and the activity layer reads it with [`handoff_for`]
//! while it records that span or event. Only the crate's own callsites are read, so nothing else
//! made meanwhile (a span of the app, an event of another layer) is taken for the middleware's.
//!
//! A layer that reads nothing here would still log every request, only with more work: it
//! would search the middleware's own values for secrets and clean values again.

use std::cell::Cell;

use tracing_core::Metadata;

use crate::action::ActionType;
use crate::fields::SlotSet;

/// What the producer of one span or event says of its values.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct Handoff {
    /// The slots whose values the producer made itself: an id it generated, the client address
    /// it formatted, a standard method, the action type, a result such as `HTTP 200 SUCCESS`.
    /// Such values hold no secret, so they are not searched for one: a generated id whose digits
    /// happen to pass the card check is logged as the id the client was sent. A sensitive field
    /// name still masks them, and `user_id` and `ip_address` are still pseudonymized and
    /// anonymized. They are plain text too.
    pub(crate) own: SlotSet,
    /// The [id](crate::privacy::Privacy::id) of the privacy rules that cleaned the span's session
    /// and context values already (0: none did): a layer with those rules takes them as they are.
    pub(crate) cleaned_by: u64,
    /// Of the values cleaned already, the slots whose values are plain.
    pub(crate) plain: SlotSet,
    /// The event is the action of a request: its `request_body` and `response_body` were masked
    /// by their structure already (which the value patterns would undo), and its `feature` is
    /// the request's, context as the span has it.
    pub(crate) request_action: bool,
    /// The action's words and numbers as values, for the common action: the layer takes them
    /// instead of visiting the event's fields (unless a field name is configured as sensitive).
    pub(crate) action: Option<HandedAction>,
}

/// An action as its producer knows it: what the layer would otherwise read back from the
/// event's `action_type`, `result`, `success`, `duration_ms` and one numeric data field.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct HandedAction {
    pub(crate) kind: ActionType<'static>,
    /// The producer's own result text.
    pub(crate) result: &'static str,
    pub(crate) success: bool,
    pub(crate) duration_ms: f64,
    /// A data member, such as `status_code`.
    pub(crate) data: Option<(&'static str, u64)>,
}

thread_local! {
    static HANDOFF: Cell<Option<Handoff>> = const { Cell::new(None) };
}

/// The crate's own callsites, the only ones a handoff is read for.
const OWN_MODULES: &str = "tracing_activity::";

/// Runs `f`, which creates one span or event, with `handoff` said of it; what was set before is
/// put back afterwards, even if `f` panics.
#[cfg(feature = "http")]
pub(crate) fn with_handoff<R>(handoff: Handoff, f: impl FnOnce() -> R) -> R {
    struct Restore(Option<Handoff>);
    impl Drop for Restore {
        fn drop(&mut self) {
            let _ = HANDOFF.try_with(|cell| cell.set(self.0));
        }
    }
    let _restore = HANDOFF.try_with(|cell| Restore(cell.replace(Some(handoff)))).ok();
    f()
}

/// What is handed over with the span or event of `metadata`, being created now.
pub(crate) fn handoff_for(metadata: &Metadata<'_>) -> Handoff {
    let handoff = HANDOFF.try_with(Cell::get).ok().flatten();
    match handoff {
        Some(handoff) if metadata.module_path().is_some_and(|m| m.starts_with(OWN_MODULES)) => handoff,
        _ => Handoff::default(),
    }
}
