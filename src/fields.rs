//! The field names the layer understands, and the keys of the JSON line, in one place.
//!
//! # Event fields (an action)
//!
//! An event whose target is [`TARGET`] (`user_activity`) is an action. Its fields mean:
//!
//! | field | type | meaning |
//! |---|---|---|
//! | `action_type` | string | [`ActionType`](crate::ActionType) name; missing: `action` |
//! | `description` | any | what was acted on; missing: the event's message |
//! | `result` | any | the outcome in words; missing: a default for the type |
//! | `success` | bool | missing: `true`, except for errors |
//! | `duration_ms` | number | milliseconds the action took; drives the slow flags |
//! | session fields | any | override the spans' session for this action |
//! | `request_body`, `response_body` | string | a captured HTTP body (see [`crate::http`]); to `action.data`, capped by `MAX_REQUEST_BODY_SIZE` / `MAX_RESPONSE_BODY_SIZE` instead of `MAX_VALUE_LENGTH` |
//! | anything else | any | goes to `action.data` under its own name |
//!
//! Context fields (`method`, `url`, ...) of an event go to `action.data` like any other field:
//! the context block describes the request, which the spans carry.
//!
//! # Span fields (who and where)
//!
//! The nearest enclosing span that has a field wins (leaf wins); an event's own session fields win
//! over all spans.
//!
//! - Session: `session_id`, `user_id`, `ip_address`, `user_agent`, `current_page`, `referrer`.
//! - Context: `request_id`, `method`, `url`, `route`, `feature`; any other span field is added to
//!   `context` under its own name.

/// The target of action events.
pub const TARGET: &str = "user_activity";

/// Event field: the action type's name.
pub const ACTION_TYPE: &str = "action_type";
/// Event field: what was acted on.
pub const DESCRIPTION: &str = "description";
/// Event field: the outcome in words.
pub const RESULT: &str = "result";
/// Event field: whether the action succeeded.
pub const SUCCESS: &str = "success";
/// Event field: how long the action took, in milliseconds.
pub const DURATION_MS: &str = "duration_ms";
/// Event field: a captured request body, masked and capped by the middleware.
pub const REQUEST_BODY: &str = "request_body";
/// Event field: a captured response body, masked and capped by the middleware.
pub const RESPONSE_BODY: &str = "response_body";
/// The field `tracing` gives an event's message; used as the description when none is given.
pub const MESSAGE: &str = "message";

/// Session field: the session's id.
pub const SESSION_ID: &str = "session_id";
/// Session field: the user's id; absent for an anonymous user.
pub const USER_ID: &str = "user_id";
/// Session field: the client's IP address.
pub const IP_ADDRESS: &str = "ip_address";
/// Session field: the client's user agent.
pub const USER_AGENT: &str = "user_agent";
/// Session field: the page the user is on.
pub const CURRENT_PAGE: &str = "current_page";
/// Session field: the page the user came from.
pub const REFERRER: &str = "referrer";

/// Context field: the request's id.
pub const REQUEST_ID: &str = "request_id";
/// Context field: the HTTP method.
pub const METHOD: &str = "method";
/// Context field: the requested URL.
pub const URL: &str = "url";
/// Context field: the matched route pattern.
pub const ROUTE: &str = "route";
/// Context field: the product feature the request belongs to.
pub const FEATURE: &str = "feature";

/// The data field of a request's action that holds its HTTP status code.
pub(crate) const STATUS_CODE: &str = "status_code";

/// The session fields, in the order they are written.
pub const SESSION_FIELDS: [&str; 6] = {
    let mut fields = [""; 6];
    fields[SESSION_ID_SLOT] = SESSION_ID;
    fields[USER_ID_SLOT] = USER_ID;
    fields[IP_ADDRESS_SLOT] = IP_ADDRESS;
    fields[USER_AGENT_SLOT] = USER_AGENT;
    fields[CURRENT_PAGE_SLOT] = CURRENT_PAGE;
    fields[REFERRER_SLOT] = REFERRER;
    fields
};
/// The named context fields, in the order they are written.
pub const CONTEXT_FIELDS: [&str; 5] = {
    let mut fields = [""; 5];
    fields[REQUEST_ID_SLOT] = REQUEST_ID;
    fields[METHOD_SLOT] = METHOD;
    fields[URL_SLOT] = URL;
    fields[ROUTE_SLOT] = ROUTE;
    fields[FEATURE_SLOT] = FEATURE;
    fields
};

// Where each field is in its block, as [`Slot::Session`] and [`Slot::Context`] name it.
pub(crate) const SESSION_ID_SLOT: usize = 0;
pub(crate) const USER_ID_SLOT: usize = 1;
pub(crate) const IP_ADDRESS_SLOT: usize = 2;
pub(crate) const USER_AGENT_SLOT: usize = 3;
pub(crate) const CURRENT_PAGE_SLOT: usize = 4;
pub(crate) const REFERRER_SLOT: usize = 5;
pub(crate) const REQUEST_ID_SLOT: usize = 0;
pub(crate) const METHOD_SLOT: usize = 1;
pub(crate) const URL_SLOT: usize = 2;
pub(crate) const ROUTE_SLOT: usize = 3;
pub(crate) const FEATURE_SLOT: usize = 4;

/// Keys of the JSON line.
pub mod json {
    /// Top level: when the line was written, UTC RFC 3339 with microseconds.
    pub const TIMESTAMP: &str = "timestamp";
    /// Top level: `TRACE`, `DEBUG`, `INFO`, `WARN` or `ERROR`, after slow-action promotion.
    pub const LEVEL: &str = "level";
    /// Top level: [`USER_ACTION`] for actions, [`LOG`] for narrated ordinary events.
    pub const EVENT: &str = "event";
    /// Top level: the narrative line (without level and colour).
    pub const NARRATIVE: &str = "narrative";
    /// Top level: the action block.
    pub const ACTION: &str = "action";
    /// Top level: the session block.
    pub const SESSION: &str = "session";
    /// Top level: the context block.
    pub const CONTEXT: &str = "context";
    /// Top level: the configured `ENVIRONMENT`.
    pub const ENVIRONMENT: &str = "environment";
    /// Action block: extra event fields.
    pub const DATA: &str = "data";
    /// Action block: `"slow"` or `"very_slow"` when the duration reached a threshold; absent otherwise.
    pub const SLOW: &str = "slow";
    /// The `event` of an action.
    pub const USER_ACTION: &str = "user_action";
    /// The `event` of a narrated ordinary event.
    pub const LOG: &str = "log";
    /// The `event` of the notice written after lines were dropped (queue full).
    pub const LINES_DROPPED: &str = "lines_dropped";
    /// In a [`LINES_DROPPED`] notice: how many lines were dropped.
    pub const DROPPED: &str = "dropped";
}

/// Where a span or event field belongs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Slot {
    Session(usize),
    Context(usize),
    ActionType,
    Description,
    Result,
    Success,
    Duration,
    Message,
    Other,
}

impl Slot {
    /// The slot's place among the names the layer knows: session fields, context fields, then
    /// the action's words and flags; `None` for [`Slot::Other`].
    #[inline]
    pub(crate) const fn index(self) -> Option<usize> {
        const S: usize = SESSION_FIELDS.len();
        const C: usize = S + CONTEXT_FIELDS.len();
        Some(match self {
            Slot::Session(i) => i,
            Slot::Context(i) => S + i,
            Slot::ActionType => C,
            Slot::Description => C + 1,
            Slot::Result => C + 2,
            Slot::Success => C + 3,
            Slot::Duration => C + 4,
            Slot::Message => C + 5,
            Slot::Other => return None,
        })
    }

    pub(crate) fn of(name: &str) -> Slot {
        match name {
            ACTION_TYPE => Slot::ActionType,
            DESCRIPTION => Slot::Description,
            RESULT => Slot::Result,
            SUCCESS => Slot::Success,
            DURATION_MS => Slot::Duration,
            MESSAGE => Slot::Message,
            _ => {
                if let Some(i) = SESSION_FIELDS.iter().position(|f| *f == name) {
                    Slot::Session(i)
                } else if let Some(i) = CONTEXT_FIELDS.iter().position(|f| *f == name) {
                    Slot::Context(i)
                } else {
                    Slot::Other
                }
            }
        }
    }
}

/// A set of [`Slot`]s (never [`Slot::Other`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct SlotSet(u32);

impl SlotSet {
    pub(crate) const EMPTY: SlotSet = SlotSet(0);
    /// How many slots there are ([`Slot::index`]).
    pub(crate) const SLOTS: usize = SESSION_FIELDS.len() + CONTEXT_FIELDS.len() + 6;

    #[inline]
    fn bit(slot: Slot) -> u32 {
        slot.index().map_or(0, |i| 1 << i)
    }

    /// `self` with `slot` added.
    #[must_use]
    #[inline]
    pub(crate) fn with(self, slot: Slot) -> Self {
        SlotSet(self.0 | Self::bit(slot))
    }

    /// Adds `slot` when `member`, removes it otherwise.
    #[inline]
    pub(crate) fn set(&mut self, slot: Slot, member: bool) {
        *self = if member { self.with(slot) } else { SlotSet(self.0 & !Self::bit(slot)) };
    }

    #[inline]
    pub(crate) fn contains(self, slot: Slot) -> bool {
        self.0 & Self::bit(slot) != 0
    }
}

const _: () = assert!(SlotSet::SLOTS <= 32);
