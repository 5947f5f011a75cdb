//! [`ActivityLayer`]: the `tracing-subscriber` layer that turns actions into narrative and JSON lines.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;
use std::thread::LocalKey;

use chrono::{DateTime, Utc};
use tracing_core::field::Visit;
use tracing_core::span::{Attributes, Id, Record as SpanValues};
use tracing_core::{Event, Level, Subscriber};
use tracing_subscriber::layer::{Context, Layer};
use tracing_subscriber::registry::{LookupSpan, SpanRef};

use crate::action::ActionType;
use crate::builder::Builder;

use crate::fields::{Slot, SlotSet, TARGET, USER_ID_SLOT};
use crate::privacy::{Handed, Privacy, handed_values};
use crate::record::{EventVisitor, Record, SpanActivity, SpanVisitor, Visitor};
use crate::render::{Action, EventKind, Renderer, Slowness, TimeText};
use crate::sink::Sinks;

/// The time source: UTC now.
pub(crate) type Clock = Arc<dyn Fn() -> DateTime<Utc> + Send + Sync>;

/// The module whose events are the HTTP middleware's actions: their `request_body` and
/// `response_body` are masked by the middleware, which knows their structure.
pub(crate) const MIDDLEWARE_ACTIONS: &str = "tracing_activity::http::action";

/// The action type of an action event that names none.
const UNNAMED_ACTION: &str = "action";
/// The action type of a narrated ordinary event.
const LOG_ACTION: &str = "log";

/// Buffers larger than this are given back after use, so one huge value does not pin memory.
const KEEP_CAPACITY: usize = 64 * 1024;

/// What the layer and its guard share.
pub(crate) struct Shared {
    pub(crate) renderer: Renderer,
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
/// [`Builder::narrate_events`] asks for them too. The session (who) and context (where) of an
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
    shared: Arc<Shared>,
}

impl fmt::Debug for ActivityLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ActivityLayer").field("shared", &self.shared).finish()
    }
}

impl ActivityLayer {
    /// A [`Builder`] with the default configuration; see [`Builder::from_env`] for the environment's.
    pub fn builder() -> Builder {
        Builder::new()
    }

    pub(crate) fn from_shared(shared: Arc<Shared>) -> Self {
        ActivityLayer { shared }
    }

    /// The layer's privacy rules.
    #[cfg(feature = "http")]
    pub(crate) fn privacy(&self) -> &Arc<Privacy> {
        &self.shared.privacy
    }
}

/// The per-thread buffers one event is rendered into.
struct Scratch {
    record: Record,
    time: TimeText,
    narrative: String,
    line: String,
    /// Where event values are rendered and cleaned before they are stored.
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

    fn clear(&mut self) {
        self.record.clear();
        self.narrative.clear();
        self.line.clear();
    }

    fn trim(&mut self) {
        for buf in [&mut self.narrative, &mut self.line, &mut self.raw, &mut self.clean] {
            give_back_if_large(buf);
        }
        if self.record.capacity() > KEEP_CAPACITY {
            self.record = Record::new();
        }
    }
}

/// Frees a buffer that one oversized value made large.
fn give_back_if_large(buf: &mut String) {
    if buf.capacity() > KEEP_CAPACITY {
        *buf = String::new();
    }
}

thread_local! {
    static SCRATCH: RefCell<Scratch> = RefCell::new(Scratch::new());
    static SPAN_BUFFERS: RefCell<[String; 2]> = RefCell::new(Default::default());
}

/// Runs `f` with this thread's buffers in `key`, or fresh ones from `new` when they are in use
/// (a writer that logs) or gone (thread teardown).
fn with_buffers<T>(key: &'static LocalKey<RefCell<T>>, new: fn() -> T, f: impl FnOnce(&mut T)) {
    let mut f = Some(f);
    let _ = key.try_with(|cell| {
        if let Ok(mut buffers) = cell.try_borrow_mut() {
            if let Some(f) = f.take() {
                f(&mut buffers);
            }
        }
    });
    if let Some(f) = f {
        f(&mut new());
    }
}

/// Runs `f` with this thread's scratch buffers, cleared before and trimmed after.
fn with_scratch(f: impl FnOnce(&mut Scratch)) {
    with_buffers(&SCRATCH, Scratch::new, |scratch| {
        scratch.clear();
        f(scratch);
        scratch.trim();
    });
}

/// Classifies span fields into the span's [`SpanActivity`], creating it when the span has
/// activity fields and none yet.
fn store_span_fields<'a, R: LookupSpan<'a>>(
    span: &SpanRef<'a, R>,
    privacy: &Privacy,
    handed: Handed,
    record: impl FnOnce(&mut dyn Visit),
) {
    let classes = privacy.classes(span.metadata());
    let classes = &*classes;
    with_buffers(&SPAN_BUFFERS, <[String; 2]>::default, |buffers| {
        let mut extensions = span.extensions_mut();
        if let Some(activity) = extensions.get_mut::<SpanActivity>() {
            record(&mut Visitor(&mut SpanVisitor { span: activity, privacy, classes, handed, buffers }));
            return;
        }
        let mut activity = SpanActivity::default();
        record(&mut Visitor(&mut SpanVisitor { span: &mut activity, privacy, classes, handed, buffers }));
        if !activity.is_empty() {
            extensions.insert(activity);
        }
        drop(extensions);
        buffers.iter_mut().for_each(give_back_if_large);
    });
}

/// Slow actions are logged at WARN at least.
fn promote(level: Level, slowness: Slowness) -> Level {
    if slowness != Slowness::Normal && level > Level::WARN { Level::WARN } else { level }
}

impl<S> Layer<S> for ActivityLayer
where
    S: Subscriber + for<'a> LookupSpan<'a>,
{
    fn on_new_span(&self, attrs: &Attributes<'_>, id: &Id, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            let handed = handed_values(attrs.metadata());
            store_span_fields(&span, &self.shared.privacy, handed, |visitor| attrs.record(visitor));
        }
    }

    fn on_record(&self, id: &Id, values: &SpanValues<'_>, ctx: Context<'_, S>) {
        if let Some(span) = ctx.span(id) {
            store_span_fields(&span, &self.shared.privacy, Handed::default(), |visitor| {
                values.record(visitor);
            });
        }
    }

    fn on_event(&self, event: &Event<'_>, ctx: Context<'_, S>) {
        let meta = event.metadata();
        let kind = if meta.target() == TARGET {
            EventKind::Action
        } else if self.shared.narrate_events {
            EventKind::Log
        } else {
            return;
        };
        let shared = &*self.shared;
        let max = shared.max_level;
        if max < *meta.level() && max < Level::WARN {
            return; // not shown by any sink, even if a slow duration raised it to WARN
        }
        let classes = shared.privacy.classes(meta);
        with_scratch(|scratch| {
            let Scratch { record, time, narrative, line, raw, clean } = scratch;
            // The middleware's common action is handed over whole, unless a field name is
            // configured as sensitive: then its fields are visited and masked as any event's.
            #[cfg(feature = "http")]
            let handed = crate::http::handed_action(meta).filter(|_| classes.iter().all(|c| !c.sensitive()));
            #[cfg(not(feature = "http"))]
            let handed: Option<()> = None;
            let visit = |record: &mut Record, raw: &mut String, clean: &mut String| {
                event.record(&mut Visitor(&mut EventVisitor {
                    record,
                    privacy: &shared.privacy,
                    classes: &classes,
                    own: handed_values(meta).own,
                    raw,
                    clean,
                    module: meta.module_path(),
                }));
            };
            match handed {
                #[cfg(feature = "http")]
                Some(action) => record.put_http_action(&action),
                _ => visit(record, raw, clean),
            }
            if let Some(scope) = ctx.event_scope(event) {
                for span in scope {
                    if let Some(activity) = span.extensions().get::<SpanActivity>() {
                        record.inherit(activity);
                    }
                }
            }
            // A handed-over action is described from its request span, which cleaned the path
            // already; when this layer does not see that span, its fields are read after all.
            #[cfg(feature = "http")]
            if let Some(action) = handed {
                if !record.describe_request(action.kind == ActionType::Navigation, shared.privacy.max_len()) {
                    visit(record, raw, clean);
                }
            }
            if !shared.track_anonymous_users && record.session.get(USER_ID_SLOT).is_none_or(str::is_empty) {
                return;
            }
            let action_type = match kind {
                EventKind::Log => ActionType::Custom(LOG_ACTION),
                EventKind::Action if record.action_type.is_empty() => ActionType::Custom(UNNAMED_ACTION),
                EventKind::Action => ActionType::from_name(&record.action_type),
            };
            let slowness = shared.renderer.slowness(record.duration_ms);
            let level = promote(*meta.level(), slowness);
            let console = shared.sinks.console.as_ref().filter(|c| c.sink.admits(level));
            let file = shared.sinks.file.as_ref().filter(|f| f.sink.admits(level));
            if console.is_none() && file.is_none() {
                return;
            }
            let success = record.success.unwrap_or(action_type.default_success());
            // The words known to be plain: the crate's own names and results are.
            let mut plain = SlotSet::EMPTY;
            let result = if record.result.is_empty() {
                plain.set(Slot::Result, true);
                action_type.default_result(success)
            } else {
                plain.set(Slot::Result, record.plain.contains(Slot::Result));
                record.result.as_str()
            };
            let (description, description_plain) = record.description();
            plain.set(Slot::Description, description_plain);
            plain.set(
                Slot::ActionType,
                match action_type {
                    ActionType::Custom(name) => {
                        matches!(name, LOG_ACTION | UNNAMED_ACTION) || record.plain.contains(Slot::ActionType)
                    }
                    _ => true,
                },
            );
            match &shared.clock {
                Some(clock) => time.set(clock(), shared.renderer.offset),
                None => time.set_system(shared.renderer.offset),
            }
            let action = Action {
                kind,
                action_type,
                level,
                success,
                description,
                result,
                plain,
                slowness,
                record,
                time,
            };
            let narrative_plain = shared.renderer.narrative(&action, narrative);
            if let Some(console) = console {
                line.clear();
                shared.renderer.console_line(level, console.ansi, narrative, line);
                console.sink.write_line(meta, line.as_bytes());
            }
            if let Some(file) = file {
                line.clear();
                if file.json {
                    shared.renderer.json(&action, narrative, narrative_plain, line);
                } else {
                    shared.renderer.text_file_line(&action, narrative, line);
                }
                file.sink.write_line(meta, line.as_bytes());
            }
        });
    }
}
