//! [`ActivityLayer`]: the `tracing-subscriber` layer that turns actions into narrative and JSON lines.
//!
//! One event, top to bottom:
//!
//! 1. [`on_event`](Layer::on_event) decides whether the event is written (an action, or an
//!    ordinary event when those are narrated, at a level a sink takes);
//! 2. the event's fields go into this thread's [`Record`], each cleaned by the [`Privacy`]
//!    rules as it enters (`record`, `privacy`);
//! 3. the record fills in the session and context from the event's spans, whose values were
//!    cleaned and stored once when the span was made ([`SpanActivity`]);
//! 4. the renderer writes the narrative and JSON lines (`render`, escaping in `escape`);
//! 5. the sinks take the lines: the console, and the file directly or through the background
//!    queue (`sink`).
//!
//! The HTTP middleware creates its spans and events through `tracing` like any code; what it
//! knows of their values beyond that comes through [`handoff`](crate::handoff).

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

use chrono::{DateTime, Utc};
use tracing_core::field::Visit;
use tracing_core::span::{Attributes, Id, Record as SpanValues};
use tracing_core::{Event, Level, Metadata, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::{LookupSpan, SpanRef};

use crate::action::ActionType;
#[cfg(feature = "metrics")]
use crate::counters::{Counted, Counters};
#[cfg(feature = "metrics")]
use crate::fields::{IP_ADDRESS_SLOT, METHOD_SLOT, REQUEST_ID_SLOT, SESSION_ID_SLOT, URL_SLOT};
use crate::fields::{TARGET, USER_ID_SLOT};
use crate::handoff::{Handoff, handoff_for};
use crate::privacy::Privacy;
use crate::record::{EventKind, EventVisitor, Record, SpanActivity, SpanVisitor};
use crate::render::{Action, Renderer, TimeText};
use crate::sink::{FileLines, Sinks};
use crate::value::Visitor;

/// The time source: UTC now.
pub(crate) type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// Buffers larger than this are given back after use, so one huge value does not pin memory.
const KEEP_CAPACITY: usize = 64 * 1024;

/// What the layer and its guard share.
pub(crate) struct Shared {
    pub(crate) renderer: Renderer,
    /// The subscriber the layer was registered with, to ask `tracing-opentelemetry` for the
    /// trace of each action.
    #[cfg(feature = "opentelemetry")]
    pub(crate) dispatch: std::sync::OnceLock<tracing::dispatcher::WeakDispatch>,
    /// Shared with the HTTP middleware, which cleans its span's values by these rules.
    pub(crate) privacy: Arc<Privacy>,
    pub(crate) sinks: Sinks,
    /// A clock set by the builder; `None` for the system clock, read without making a date for
    /// each action (see `TimeText::set_system`).
    pub(crate) clock: Option<Clock>,
    pub(crate) narrate_events: bool,
    pub(crate) track_anonymous_users: bool,
    /// How long flushing and closing wait for the background writer.
    pub(crate) flush_timeout: std::time::Duration,
    /// The most verbose level any sink takes, fixed at build.
    pub(crate) max_level: tracing_subscriber::filter::LevelFilter,
    /// The usage counters every action is counted in, when they are on.
    #[cfg(feature = "metrics")]
    pub(crate) counters: Option<Arc<Counters>>,
    /// The user id that means "no user" (the pseudonym of `unknown`), not counted as a user.
    #[cfg(feature = "metrics")]
    pub(crate) anonymous_user: Option<String>,
}

impl fmt::Debug for Shared {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Shared")
            .field("renderer", &self.renderer)
            .field("privacy", &self.privacy)
            .field("sinks", &self.sinks)
            .field("narrate_events", &self.narrate_events)
            .field("track_anonymous_users", &self.track_anonymous_users)
            .field("flush_timeout", &self.flush_timeout)
            .finish_non_exhaustive()
    }
}

/// A [`Layer`] that writes every user action as a narrative console line and a JSON line.
///
/// Events whose target is `user_activity` (what [`user_action!`](crate::user_action) and the
/// helper macros emit) are actions; other events are left to other layers unless
/// [`Builder::narrate_events`](crate::Builder::narrate_events) asks for them too. The session (who) and context (where) of an
/// action come from the fields of its enclosing spans, nearest first, and from the event itself.
///
/// Build one with [`ActivityLayer::builder`]; it composes with any subscriber built on
/// [`tracing_subscriber::registry()`]:
///
/// ```
/// use tracing_subscriber::{EnvFilter, prelude::*};
/// use tracing_activity::{ActivityLayer, Config, filter::not_actions};
///
/// # fn main() -> Result<(), tracing_activity::InitError> {
/// let activity = ActivityLayer::builder()
///     .config(Config::default().enable_file_logging(false))
///     .build()?;
/// let subscriber = tracing_subscriber::registry()
///     .with(EnvFilter::new("info"))
///     .with(activity.layer)
///     // Other layers would print the actions' fields unmasked: keep actions out of them.
///     .with(tracing_subscriber::fmt::layer().with_filter(not_actions()));
/// tracing::subscriber::with_default(subscriber, || {
///     tracing_activity::log_click!("submit-button");
/// });
/// # Ok(())
/// # }
/// ```
pub struct ActivityLayer {
    pub(crate) shared: Arc<Shared>,
}

impl fmt::Debug for ActivityLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActivityLayer").field("shared", &self.shared).finish()
    }
}

impl ActivityLayer {
    pub(crate) fn from_shared(shared: Arc<Shared>) -> Self {
        ActivityLayer { shared }
    }
}

/// This thread's buffers: one event or span is taken in and rendered in them.
struct Scratch {
    record: Record,
    time: TimeText,
    narrative: String,
    line: String,
    /// Where values are rendered and cleaned before they are stored.
    raw: String,
    clean: String,
}

impl Scratch {
    fn new() -> Self {
        Scratch {
            record: Record::new(),
            time: TimeText::new(),
            narrative: String::new(),
            line: String::new(),
            raw: String::new(),
            clean: String::new(),
        }
    }

    /// Gives back what one oversized value made large.
    fn trim(&mut self) {
        for buf in [&mut self.narrative, &mut self.line, &mut self.raw, &mut self.clean] {
            if buf.capacity() > KEEP_CAPACITY {
                *buf = String::new();
            }
        }
        if self.record.capacity() > KEEP_CAPACITY {
            self.record = Record::new();
        }
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::new());
}

/// Runs `f` with this thread's buffers, or fresh ones when they are in use (a value whose
/// `Debug` logs, a writer that logs) or gone (thread teardown); trimmed after.
fn with_scratch(f: impl FnOnce(&mut Scratch)) {
    let mut f = Some(f);
    let _ = SCRATCH.try_with(|cell| {
        if let (Ok(mut scratch), Some(f)) = (cell.try_borrow_mut(), f.take()) {
            f(&mut scratch);
            scratch.trim();
        }
    });
    if let Some(f) = f {
        f(&mut Scratch::new());
    }
}

impl Shared {
    /// Whether an event of `metadata` is written: an action, or an ordinary event when those are
    /// narrated, at a level some sink takes (or might, once a slow duration raises it to WARN).
    /// Actions are always taken while the usage counters count them, whatever the sinks' levels.
    fn kind_of(&self, metadata: &Metadata<'_>) -> Option<EventKind> {
        let kind = if metadata.target() == TARGET {
            EventKind::Action
        } else if self.narrate_events {
            EventKind::Log
        } else {
            return None;
        };
        #[cfg(feature = "metrics")]
        if kind == EventKind::Action && self.counters.is_some() {
            return Some(kind);
        }
        let max = self.max_level;
        (max >= *metadata.level() || max >= Level::WARN).then_some(kind)
    }

    /// Takes a span's fields into its [`SpanActivity`], creating it when the span has activity
    /// fields and none yet.
    fn store_span_fields<'a, R: LookupSpan<'a>>(
        &self,
        span: &SpanRef<'a, R>,
        handoff: Handoff,
        record: impl FnOnce(&mut dyn Visit),
    ) {
        let classes = self.privacy.classes(span.metadata());
        with_scratch(|scratch| {
            let privacy = &*self.privacy;
            let buffers = (&mut scratch.raw, &mut scratch.clean);
            let mut extensions = span.extensions_mut();
            let mut new = None;
            let span = match extensions.get_mut::<SpanActivity>() {
                Some(span) => span,
                None => new.insert(SpanActivity::default()),
            };
            record(&mut Visitor(&mut SpanVisitor { span, privacy, classes: &classes, handoff, buffers }));
            if let Some(span) = new.filter(|span| !span.is_empty()) {
                extensions.insert(span);
            }
        });
    }

    /// Renders `action` and hands its lines to the sinks that take its level.
    fn write(&self, action: &Action<'_>, metadata: &Metadata<'_>, narrative: &mut String, line: &mut String) {
        let level = action.level;
        let console = self.sinks.console.as_ref().filter(|c| c.sink.admits(level));
        let file = self.sinks.file.as_ref().filter(|f| f.sink.admits(level));
        if console.is_none() && file.is_none() {
            return;
        }
        let json_safe = self.renderer.narrative(action, narrative);
        if let Some(console) = console {
            line.clear();
            self.renderer.console_line(level, console.ansi, narrative, line);
            console.sink.write_line(metadata, line.as_bytes());
        }
        if let Some(file) = file {
            line.clear();
            match file.lines {
                FileLines::Activity => self.renderer.json(action, narrative, json_safe, line),
                FileLines::Ecs => self.renderer.ecs(action, narrative, json_safe, line),
                FileLines::Text => self.renderer.text_file_line(action, narrative, line),
            }
            file.sink.write_line(metadata, line.as_bytes());
        }
    }
}

#[cfg(feature = "metrics")]
impl Shared {
    /// Counts an action in the usage counters, as its JSON line reads.
    fn count(&self, action: &Action<'_>) {
        fn text(t: Option<crate::escape::Text<'_>>) -> Option<&str> {
            t.map(|t| t.str).filter(|s| !s.is_empty())
        }
        let Some(counters) = &self.counters else { return };
        if action.kind != EventKind::Action {
            return;
        }
        let record = action.record;
        let user =
            text(record.session.get(USER_ID_SLOT)).filter(|u| self.anonymous_user.as_deref() != Some(*u));
        counters.count(&Counted {
            at: action.time.micros(),
            action_type: action.action_type,
            event: action.type_name.str,
            user,
            session: text(record.session.get(SESSION_ID_SLOT)),
            ip: text(record.session.get(IP_ADDRESS_SLOT)),
            feature: text(record.feature()),
            method: text(record.context.get(METHOD_SLOT)),
            url: text(record.context.get(URL_SLOT)),
            request_id: text(record.context.get(REQUEST_ID_SLOT)),
            status: record.status_code,
            duration_ms: record.duration_ms,
            slowness: action.slowness,
            description: action.description.str,
            result: action.result.str,
        });
    }
}

impl<S> Layer<S> for ActivityLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    #[cfg(feature = "opentelemetry")]
    fn on_register_dispatch(&self, subscriber: &tracing::Dispatch) {
        let _ = self.shared.dispatch.set(subscriber.downgrade());
    }

    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            let handoff = handoff_for(attrs.metadata());
            self.shared.store_span_fields(&span, handoff, |visitor| attrs.record(visitor));
        }
    }

    fn on_record(&self, id: &Id, values: &SpanValues<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            self.shared.store_span_fields(&span, Handoff::default(), |visitor| values.record(visitor));
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let meta = event.metadata();
        let shared = &*self.shared;
        let Some(kind) = shared.kind_of(meta) else { return };
        let handoff = handoff_for(meta);
        let classes = shared.privacy.classes(meta);
        with_scratch(|scratch| {
            let Scratch { record, time, narrative, line, raw, clean } = scratch;
            record.clear();
            narrative.clear();
            let privacy = &*shared.privacy;
            let mut visit = |record: &mut Record| {
                let classes = &classes;
                event.record(&mut Visitor(&mut EventVisitor {
                    record,
                    privacy,
                    classes,
                    handoff,
                    raw,
                    clean,
                }));
            };
            // The middleware's common action is handed over as values, unless a field name is
            // configured as sensitive: then its fields are visited and masked as any event's.
            let handed = handoff.action.filter(|_| classes.iter().all(|c| !c.sensitive()));
            match &handed {
                Some(action) => record.put_handed(action),
                None => visit(record),
            }
            if let Some(scope) = ctx.event_scope(event) {
                for span in scope {
                    if let Some(activity) = span.extensions().get::<SpanActivity>() {
                        record.inherit(activity);
                    }
                }
            }
            #[cfg(feature = "opentelemetry")]
            if let Some(span) = ctx.event_span(event) {
                record.trace = crate::otel::of_span(shared.dispatch.get(), &span.id());
            }
            // A handed-over action is described from its request span, which cleaned the path
            // already; when this layer does not see that span, its fields are read after all.
            if let Some(action) = handed {
                if !record.describe_request(action.kind == ActionType::Navigation, privacy.max_len()) {
                    visit(record);
                }
            }
            if !shared.track_anonymous_users
                && record.session.get(USER_ID_SLOT).is_none_or(|u| u.str.is_empty())
            {
                return;
            }
            match &shared.clock {
                Some(clock) => time.set(clock(), shared.renderer.offset),
                None => time.set_system(shared.renderer.offset),
            }
            let action = Action::new(kind, *meta.level(), record, &shared.renderer, time);
            #[cfg(feature = "metrics")]
            shared.count(&action);
            shared.write(&action, meta, narrative, line);
        });
    }
}
