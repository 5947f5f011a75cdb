//! [`Builder`]: configuration plus writers, clock and switches, into an [`ActivityLayer`].

use std::fmt;
use std::io;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;

use chrono::{DateTime, FixedOffset, Local, Offset, Utc};
use tracing_subscriber::EnvFilter;
use tracing_subscriber::filter::{LevelFilter, Targets};
use tracing_subscriber::fmt::MakeWriter;
use tracing_subscriber::fmt::writer::BoxMakeWriter;
use tracing_subscriber::prelude::*;
use tracing_subscriber::util::TryInitError;

use crate::config::{Config, ConfigError};
#[cfg(feature = "metrics")]
use crate::counters::Counters;
use crate::fields::TARGET;
use crate::guard::ActivityGuard;
#[cfg(feature = "http")]
use crate::http::HttpActivityLayer;
use crate::layer::{ActivityLayer, Clock, Shared};
use crate::privacy::Privacy;
use crate::render::Renderer;
use crate::sink::destination::{Destination, WriterDestination};
use crate::sink::queue::{Notice, Queue};
use crate::sink::rotating::{Policy, RotatingFile};
use crate::sink::{CONSOLE, ConsoleSink, FileLines, FileSink, Sink, Sinks};
#[cfg(feature = "metrics")]
use crate::usage::{SinkLosses, StartError, StoreError, UsageMetrics};

/// Builds an [`ActivityLayer`] from a [`Config`] and the parts the environment cannot say:
/// writers, the clock, colour.
///
/// ```
/// use tracing_activity::{ActivityLayer, Config};
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let activity = ActivityLayer::builder()
///     .config(Config::from_vars([("ENABLE_FILE_LOGGING", "false")])?)
///     .configure(|c| c.enable_emojis(false))
///     .console_writer(std::io::sink)
///     .build()?;
/// # let _ = activity;
/// # Ok(())
/// # }
/// ```
pub struct Builder {
    config: Config,
    console_writer: Option<BoxMakeWriter>,
    file_writer: Option<BoxMakeWriter>,
    background_writer: Option<Box<dyn io::Write + Send>>,
    clock: Option<Clock>,
    utc_offset: Option<FixedOffset>,
    ansi: Option<bool>,
    narrate_events: bool,
}

impl fmt::Debug for Builder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Builder")
            .field("config", &self.config)
            .field("console_writer", &self.console_writer.as_ref().map(|_| "custom"))
            .field("file_writer", &self.file_writer.as_ref().map(|_| "custom"))
            .field("background_writer", &self.background_writer.as_ref().map(|_| "custom"))
            .field("clock", &self.clock.as_ref().map(|_| "custom"))
            .field("utc_offset", &self.utc_offset)
            .field("ansi", &self.ansi)
            .field("narrate_events", &self.narrate_events)
            .finish()
    }
}

impl Default for Builder {
    fn default() -> Self {
        Self::new()
    }
}

impl ActivityLayer {
    /// A [`Builder`] with the default configuration; see [`Builder::from_env`] for the environment's.
    pub fn builder() -> Builder {
        Builder::new()
    }
}

impl Builder {
    /// A builder with [`Config::default`]: console and `logs/user_activity.log`, both at INFO.
    ///
    /// ```
    /// use tracing_activity::{Builder, Config};
    ///
    /// let builder = Builder::new();
    /// assert_eq!(builder.current_config(), &Config::default()); // console and logs/user_activity.log
    /// ```
    pub fn new() -> Self {
        Builder {
            config: Config::default(),
            console_writer: None,
            file_writer: None,
            background_writer: None,
            clock: None,
            utc_offset: None,
            ansi: None,
            narrate_events: false,
        }
    }

    /// A builder with the configuration of the process environment ([`Config::from_env`]).
    ///
    /// ```
    /// // As if the service were started with `ENVIRONMENT=staging`.
    /// unsafe { std::env::set_var("ENVIRONMENT", "staging") };
    ///
    /// let builder = tracing_activity::Builder::from_env()?;
    /// assert_eq!(builder.current_config().environment, "staging");
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    ///
    /// # Errors
    /// A variable with a value that does not parse; the error names it.
    pub fn from_env() -> Result<Self, ConfigError> {
        Ok(Self::new().config(Config::from_env()?))
    }

    /// Replaces the configuration.
    ///
    /// ```
    /// use tracing_activity::{Builder, Config};
    ///
    /// let config = Config::from_vars([("ENVIRONMENT", "staging"), ("ENABLE_EMOJIS", "false")])?;
    /// let builder = Builder::new().config(config.clone());
    /// assert_eq!(builder.current_config(), &config);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn config(self, config: Config) -> Self {
        Builder { config, ..self }
    }

    /// Changes the configuration, for overriding what the environment says:
    /// `.configure(|c| c.console_log_level(LevelFilter::WARN))`.
    ///
    /// ```
    /// use tracing_subscriber::filter::LevelFilter;
    ///
    /// let builder = tracing_activity::Builder::from_env()?
    ///     .configure(|c| c.console_log_level(LevelFilter::WARN)); // whatever CONSOLE_LOG_LEVEL says
    /// assert_eq!(builder.current_config().console_log_level, LevelFilter::WARN);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn configure(self, change: impl FnOnce(Config) -> Config) -> Self {
        Builder { config: change(self.config), ..self }
    }

    /// The configuration as it stands.
    ///
    /// ```
    /// let builder = tracing_activity::Builder::new().configure(|c| c.environment("staging"));
    /// assert_eq!(builder.current_config().environment, "staging");
    /// assert_eq!(builder.current_config().user_activity_log_path.to_str(), Some("logs/user_activity.log"));
    /// ```
    pub fn current_config(&self) -> &Config {
        &self.config
    }

    /// Writes console lines here instead of standard output. Lines are not coloured unless
    /// [`with_ansi(true)`](Self::with_ansi) says so.
    ///
    /// ```
    /// use tracing_subscriber::prelude::*;
    ///
    /// let console = tempfile::NamedTempFile::new()?;
    /// let tracing_activity::Activity { layer, guard, .. } = tracing_activity::Builder::new()
    ///     .configure(|c| c.enable_file_logging(false))
    ///     .console_writer(console.reopen()?)
    ///     .build()?;
    /// let subscriber = tracing_subscriber::registry().with(layer);
    /// tracing::subscriber::with_default(subscriber, || tracing_activity::log_click!("save"));
    /// assert!(std::fs::read_to_string(console.path())?.contains("Anonymous user clicked 'save'"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn console_writer<W>(self, writer: W) -> Self
    where
        W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
    {
        Builder { console_writer: Some(BoxMakeWriter::new(writer)), ..self }
    }

    /// Writes file lines here, on the logging thread, instead of to `USER_ACTIVITY_LOG_PATH`
    /// (still only when `ENABLE_FILE_LOGGING` is on, and as JSON unless `ENABLE_JSON_LOGGING` is
    /// off). Meant for tests and for writers that are already non-blocking; there is no queue,
    /// rotation or drop notice. Replaces a [`background_writer`](Self::background_writer).
    ///
    /// ```
    /// use tracing_subscriber::prelude::*;
    ///
    /// let file = tempfile::NamedTempFile::new()?;
    /// let tracing_activity::Activity { layer, guard, .. } = tracing_activity::Builder::new()
    ///     .console_writer(std::io::sink)
    ///     .file_writer(file.reopen()?)
    ///     .build()?;
    /// let subscriber = tracing_subscriber::registry().with(layer);
    /// tracing::subscriber::with_default(subscriber, || tracing_activity::log_click!("save"));
    /// let line: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(file.path())?)?;
    /// assert_eq!(line["action"]["action_type"], "click");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn file_writer<W>(self, writer: W) -> Self
    where
        W: for<'w> MakeWriter<'w> + Send + Sync + 'static,
    {
        Builder { file_writer: Some(BoxMakeWriter::new(writer)), background_writer: None, ..self }
    }

    /// Writes file lines to `writer` from the background thread, through the same bounded queue
    /// as the log file (`LOG_QUEUE_SIZE`, `LOG_QUEUE_OVERFLOW`, drop notices, write-error counts),
    /// instead of to `USER_ACTIVITY_LOG_PATH`. There is no rotation. A batch of lines is one
    /// `write_all`; the writer is flushed whenever the queue runs empty. Replaces a
    /// [`file_writer`](Self::file_writer).
    ///
    /// ```
    /// use tracing_subscriber::prelude::*;
    ///
    /// let file = tempfile::NamedTempFile::new()?;
    /// let tracing_activity::Activity { layer, guard, .. } = tracing_activity::Builder::new()
    ///     .console_writer(std::io::sink)
    ///     .background_writer(file.reopen()?)
    ///     .build()?;
    /// let subscriber = tracing_subscriber::registry().with(layer);
    /// tracing::subscriber::with_default(subscriber, || tracing_activity::log_click!("save"));
    /// assert_eq!(guard.flush(), 0, "every queued line is written");
    /// assert!(std::fs::read_to_string(file.path())?.contains(r#""action_type":"click""#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn background_writer(self, writer: impl io::Write + Send + 'static) -> Self {
        Builder { background_writer: Some(Box::new(writer)), file_writer: None, ..self }
    }

    /// The source of "now" (default: the system clock). Tests use a fixed time.
    ///
    /// ```
    /// use chrono::{TimeZone, Utc};
    /// use tracing_subscriber::prelude::*;
    ///
    /// let file = tempfile::NamedTempFile::new()?;
    /// let tracing_activity::Activity { layer, guard, .. } = tracing_activity::Builder::new()
    ///     .console_writer(std::io::sink)
    ///     .file_writer(file.reopen()?)
    ///     .clock(|| Utc.with_ymd_and_hms(2024, 1, 15, 14, 30, 25).unwrap())
    ///     .build()?;
    /// let subscriber = tracing_subscriber::registry().with(layer);
    /// tracing::subscriber::with_default(subscriber, || tracing_activity::log_click!("save"));
    /// assert!(std::fs::read_to_string(file.path())?.starts_with(r#"{"timestamp":"2024-01-15T14:30:25"#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn clock(self, now: impl Fn() -> DateTime<Utc> + Send + Sync + 'static) -> Self {
        Builder { clock: Some(Arc::new(now)), ..self }
    }

    /// The offset of console times from UTC (default: the local offset, taken once at build).
    ///
    /// ```
    /// use chrono::{FixedOffset, TimeZone, Utc};
    /// use tracing_subscriber::prelude::*;
    ///
    /// let console = tempfile::NamedTempFile::new()?;
    /// let tracing_activity::Activity { layer, guard, .. } = tracing_activity::Builder::new()
    ///     .configure(|c| c.enable_file_logging(false))
    ///     .console_writer(console.reopen()?)
    ///     .clock(|| Utc.with_ymd_and_hms(2024, 1, 15, 14, 30, 25).unwrap())
    ///     .utc_offset(FixedOffset::east_opt(2 * 3600).unwrap())
    ///     .build()?;
    /// let subscriber = tracing_subscriber::registry().with(layer);
    /// tracing::subscriber::with_default(subscriber, || tracing_activity::log_click!("save"));
    /// assert!(std::fs::read_to_string(console.path())?.contains("clicked 'save' at 16:30:25"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn utc_offset(self, offset: FixedOffset) -> Self {
        Builder { utc_offset: Some(offset), ..self }
    }

    /// Colours the console's level tags (default: only when standard output is a terminal and
    /// `NO_COLOR` is unset, and never for a custom console writer).
    ///
    /// ```
    /// use tracing_subscriber::prelude::*;
    ///
    /// let console = tempfile::NamedTempFile::new()?;
    /// let tracing_activity::Activity { layer, guard, .. } = tracing_activity::Builder::new()
    ///     .configure(|c| c.enable_file_logging(false))
    ///     .console_writer(console.reopen()?)
    ///     .with_ansi(true)
    ///     .build()?;
    /// let subscriber = tracing_subscriber::registry().with(layer);
    /// tracing::subscriber::with_default(subscriber, || tracing_activity::log_click!("save"));
    /// assert!(std::fs::read_to_string(console.path())?.contains("\x1b["), "an ANSI colour code");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn with_ansi(self, ansi: bool) -> Self {
        Builder { ansi: Some(ansi), ..self }
    }

    /// Also narrates ordinary events (any target), as `💬 User u1 logged '<message>'` lines with
    /// `"event":"log"` in JSON (default: off; only `user_activity` events are written).
    ///
    /// ```
    /// use tracing_subscriber::prelude::*;
    ///
    /// let console = tempfile::NamedTempFile::new()?;
    /// let tracing_activity::Activity { layer, guard, .. } = tracing_activity::Builder::new()
    ///     .configure(|c| c.enable_file_logging(false))
    ///     .console_writer(console.reopen()?)
    ///     .narrate_events(true)
    ///     .build()?;
    /// let subscriber = tracing_subscriber::registry().with(layer);
    /// tracing::subscriber::with_default(subscriber, || tracing::info!("cache warmed"));
    /// let text = std::fs::read_to_string(console.path())?;
    /// assert!(text.contains("💬 Anonymous user logged 'cache warmed'"));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn narrate_events(self, narrate: bool) -> Self {
        Builder { narrate_events: narrate, ..self }
    }

    /// Builds the layer, the guard that flushes it and the HTTP middleware, all of one
    /// configuration: see [`Activity`].
    ///
    /// ```
    /// use tracing_subscriber::prelude::*;
    ///
    /// let dir = tempfile::tempdir()?;
    /// let log = dir.path().join("logs/activity.log");
    /// let tracing_activity::Activity { layer, guard, .. } = tracing_activity::Builder::new()
    ///     .configure(|c| c.user_activity_log_path(&log))
    ///     .console_writer(std::io::sink)
    ///     .build()?;
    /// let subscriber = tracing_subscriber::registry().with(layer);
    /// tracing::subscriber::with_default(subscriber, || tracing_activity::log_click!("save"));
    /// assert_eq!(guard.close().file_lines, 1);
    /// assert!(std::fs::read_to_string(&log)?.contains(r#""action_type":"click""#));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`InitError::LogFile`] when the log file cannot be opened or its directory created.
    pub fn build(self) -> Result<Activity, InitError> {
        let config = &self.config;
        config.validate()?;
        let console = config.enable_console_logging.then(|| {
            let (writer, terminal) = match self.console_writer {
                Some(w) => (w, false),
                None => (BoxMakeWriter::new(std::io::stdout), std::io::stdout().is_terminal()),
            };
            ConsoleSink {
                sink: Sink::direct(CONSOLE, writer, config.console_log_level),
                ansi: console_ansi(self.ansi, terminal, config.no_color || no_color_in_env()),
            }
        });
        let offset = self.utc_offset.unwrap_or_else(|| Local::now().offset().fix());
        let privacy = Arc::new(Privacy::new(config));
        let renderer = Renderer::new(config, offset, privacy.unknown_user());
        let file = if !config.enable_file_logging {
            None
        } else if let Some(writer) = self.file_writer {
            Some(Sink::direct("file", writer, config.file_log_level))
        } else {
            let destination: Box<dyn Destination> = match self.background_writer {
                Some(writer) => Box::new(WriterDestination::new(writer)),
                None => {
                    let path = &config.user_activity_log_path;
                    let file = RotatingFile::open(path, Policy::of(config, self.clock.clone()))
                        .map_err(|source| InitError::LogFile { path: path.clone(), source })?;
                    Box::new(file)
                }
            };
            let notice = drop_notice(renderer.clone(), self.clock.clone(), FileLines::of(config));
            let queue = Queue::start(destination, config.log_queue_size, config.log_queue_overflow, notice)
                .map_err(InitError::Worker)?;
            Some(Sink::queued(queue, config.file_log_level))
        }
        .map(|sink| FileSink { sink, lines: FileLines::of(config) });
        let sinks = Sinks { console, file };
        #[cfg(feature = "metrics")]
        let counters = config.enable_usage_metrics.then(|| {
            let max_features = usize::try_from(config.usage_max_features).unwrap_or(usize::MAX);
            Arc::new(Counters::new(config.usage_base_interval.seconds(), max_features))
        });
        let shared = Arc::new(Shared {
            #[cfg(feature = "opentelemetry")]
            dispatch: std::sync::OnceLock::new(),
            renderer,
            #[cfg(feature = "metrics")]
            anonymous_user: privacy.unknown_user(),
            privacy,
            max_level: sinks.max_level(),
            sinks,
            clock: self.clock.clone(),
            narrate_events: self.narrate_events,
            track_anonymous_users: config.track_anonymous_users,
            flush_timeout: config.log_flush_timeout,
            #[cfg(feature = "metrics")]
            counters: counters.clone(),
        });
        #[cfg(feature = "metrics")]
        let usage = match counters {
            Some(counters) => Some(
                UsageMetrics::start(config, counters, sink_losses(&shared), self.clock.clone()).map_err(
                    |e| match e {
                        StartError::Store(e) => InitError::UsageStore(e),
                        StartError::Thread(e) => InitError::Worker(e),
                    },
                )?,
            ),
            None => None,
        };
        Ok(Activity {
            #[cfg(feature = "http")]
            http: HttpActivityLayer::with_privacy(config, Arc::clone(&shared.privacy)),
            layer: ActivityLayer::from_shared(shared.clone()),
            #[cfg(feature = "metrics")]
            guard: ActivityGuard::new(shared).with_usage(usage.clone()),
            #[cfg(not(feature = "metrics"))]
            guard: ActivityGuard::new(shared),
            #[cfg(feature = "metrics")]
            usage,
        })
    }

    /// Installs `registry`, a filter and the [`ActivityLayer`] as the global default subscriber.
    ///
    /// The filter is an `EnvFilter` of `RUST_LOG` when set. Otherwise it is a static
    /// [`Targets`] filter, which keeps no per-span state (an `EnvFilter` takes a lock each time a
    /// span is entered or left); it enables every `user_activity` event (a
    /// slow action logged at DEBUG is raised to WARN, so the layer must see it; the sinks' own
    /// levels decide what is written) and other events and spans at the most verbose of the
    /// sinks' levels, but at least INFO: spans carry the session, so a console at WARN must not
    /// hide the `info_span!`s that say who the user is.
    ///
    /// A `RUST_LOG` of your own should keep the spans that carry session fields enabled:
    /// `RUST_LOG=info,user_activity=trace`, not `RUST_LOG=user_activity=info` (which disables
    /// every span, so every action would read "Anonymous user").
    ///
    /// ```
    /// use tracing_activity::{Builder, InitError};
    ///
    /// let quiet = || Builder::new().configure(|c| c.enable_file_logging(false));
    /// let guard = quiet().console_writer(std::io::sink).try_init()?;
    /// tracing_activity::log_click!("save"); // goes to the global subscriber
    /// assert!(tracing::dispatcher::has_been_set());
    /// assert!(matches!(quiet().try_init(), Err(InitError::Global(_))), "only one global subscriber");
    /// # Ok::<(), InitError>(())
    /// ```
    ///
    /// # Errors
    /// A log file that cannot be opened, a `RUST_LOG` that does not parse, or a global
    /// subscriber that is already set.
    pub fn try_init(self) -> Result<ActivityGuard, InitError> {
        let Activity { layer, guard, .. } = self.build()?;
        // Without RUST_LOG the filter is static: `Targets`, which (unlike `EnvFilter`) keeps no
        // per-span state, so entering and leaving a span costs no lock.
        let (env_filter, targets) = match std::env::var("RUST_LOG") {
            Ok(spec) if !spec.trim().is_empty() => {
                (Some(EnvFilter::try_new(&spec).map_err(|source| InitError::Filter { spec, source })?), None)
            }
            _ => (
                None,
                Some(
                    Targets::new()
                        .with_default(guard.max_level().max(LevelFilter::INFO))
                        .with_target(TARGET, LevelFilter::TRACE),
                ),
            ),
        };
        tracing_subscriber::registry()
            .with(env_filter)
            .with(targets)
            .with(layer)
            .try_init()
            .map_err(InitError::Global)?;
        Ok(guard)
    }

    /// Like [`try_init`](Self::try_init), but panics with the reason if it fails.
    ///
    /// ```
    /// let _guard = tracing_activity::Builder::new()
    ///     .configure(|c| c.enable_file_logging(false))
    ///     .console_writer(std::io::sink)
    ///     .init();
    /// tracing_activity::log_click!("save"); // goes to the global subscriber
    /// assert!(tracing::dispatcher::has_been_set());
    /// ```
    ///
    /// # Panics
    /// When [`try_init`](Self::try_init) returns an error: the message names the variable, the
    /// file or the filter at fault.
    pub fn init(self) -> ActivityGuard {
        expect_started(self.try_init())
    }
}

/// What [`Builder::build`] makes: the layer to add to a subscriber, the guard to keep until the
/// application exits, and the HTTP middleware of the same configuration.
///
/// Move the layer out and keep the rest: the guard then lives as long as `activity`, and
/// dropping it at the end of `main` writes out the queued lines.
///
/// ```
/// use tracing_activity::{Builder, Config};
/// use tracing_subscriber::prelude::*;
///
/// # fn main() -> Result<(), tracing_activity::InitError> {
/// let activity = Builder::new().config(Config::default().enable_file_logging(false)).build()?;
/// let subscriber = tracing_subscriber::registry().with(activity.layer);
/// # #[cfg(feature = "http")]
/// let middleware = activity.http.clone().strip_prefix("/api"); // for tower or axum
/// tracing::subscriber::with_default(subscriber, || tracing_activity::log_click!("save"));
/// assert_eq!(activity.guard.stats().console_lines, 1);
/// # Ok(())
/// # }
/// ```
#[must_use = "dropping it closes the activity log: move the layer out and keep the guard until the application exits"]
#[non_exhaustive]
pub struct Activity {
    /// The layer: `tracing_subscriber::registry().with(activity.layer)`.
    pub layer: ActivityLayer,
    /// Flushes and closes the log when dropped: keep it until the application exits.
    pub guard: ActivityGuard,
    /// The tower middleware for HTTP requests, with the same configuration (skipped paths,
    /// trusted proxies, body capture); set its user id, feature names and prefix on a clone.
    #[cfg(feature = "http")]
    pub http: HttpActivityLayer,
    /// The live usage metrics (feature `metrics`): register them into a Prometheus registry,
    /// read summaries from their store. `None` when `ENABLE_USAGE_METRICS` is off.
    #[cfg(feature = "metrics")]
    pub usage: Option<UsageMetrics>,
}

impl fmt::Debug for Activity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Activity").field("guard", &self.guard).finish_non_exhaustive()
    }
}

/// The guard, or a panic that names why the layer could not start.
pub(crate) fn expect_started(result: Result<ActivityGuard, InitError>) -> ActivityGuard {
    result.unwrap_or_else(|e| panic!("tracing-activity could not start: {e}"))
}

/// `NO_COLOR` set to a non-empty value in the process environment (no-color.org).
fn no_color_in_env() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty())
}

/// The notice the background writer puts in the file after dropping lines.
fn drop_notice(renderer: Renderer, clock: Option<Clock>, lines: FileLines) -> Notice {
    Box::new(move |dropped, out| {
        let now = clock.as_ref().map_or_else(Utc::now, |clock| clock());
        renderer.dropped_notice(dropped, now, lines, out);
    })
}

/// What the sinks lost so far, for the Prometheus metrics: (file lines dropped, console write
/// errors, file write errors).
#[cfg(feature = "metrics")]
fn sink_losses(shared: &Arc<Shared>) -> SinkLosses {
    let shared = Arc::clone(shared);
    Arc::new(move || {
        let sinks = &shared.sinks;
        let console = sinks.console.as_ref().map(|c| c.sink.stats()).unwrap_or_default();
        let file = sinks.file.as_ref().map(|f| f.sink.stats()).unwrap_or_default();
        (file.dropped, console.failed, file.failed)
    })
}

/// Whether console lines are coloured: as asked, else only on a terminal without `NO_COLOR`.
fn console_ansi(asked: Option<bool>, terminal: bool, no_color: bool) -> bool {
    asked.unwrap_or(terminal && !no_color)
}

/// Why the layer could not be built or installed.
#[derive(Debug)]
#[non_exhaustive]
pub enum InitError {
    /// An environment variable has a value that does not parse.
    Config(ConfigError),
    /// The log file or its directory could not be created or opened.
    LogFile {
        /// The configured `USER_ACTIVITY_LOG_PATH`.
        path: PathBuf,
        /// What the operating system said.
        source: std::io::Error,
    },
    /// `RUST_LOG` is not a valid filter.
    Filter {
        /// The value of `RUST_LOG`.
        spec: String,
        /// What is wrong with it.
        source: tracing_subscriber::filter::ParseError,
    },
    /// Another global subscriber is already installed.
    Global(TryInitError),
    /// The background writer's thread could not be started.
    Worker(std::io::Error),
    /// The usage store (`USAGE_DB_PATH` or `USAGE_DATABASE_URL`) could not be opened.
    #[cfg(feature = "metrics")]
    UsageStore(StoreError),
}

impl fmt::Display for InitError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InitError::Config(e) => e.fmt(f),
            InitError::LogFile { path, source } => {
                write!(f, "cannot open the activity log file {}: {source}", path.display())
            }
            InitError::Filter { spec, source } => write!(f, "invalid RUST_LOG {spec:?}: {source}"),
            InitError::Global(e) => write!(f, "cannot install the global subscriber: {e}"),
            InitError::Worker(e) => write!(f, "cannot start the activity log's writer thread: {e}"),
            #[cfg(feature = "metrics")]
            InitError::UsageStore(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for InitError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            InitError::Config(e) => Some(e),
            InitError::LogFile { source, .. } => Some(source),
            InitError::Filter { source, .. } => Some(source),
            InitError::Global(e) => Some(e),
            InitError::Worker(e) => Some(e),
            #[cfg(feature = "metrics")]
            InitError::UsageStore(e) => Some(e),
        }
    }
}

impl From<ConfigError> for InitError {
    fn from(e: ConfigError) -> Self {
        InitError::Config(e)
    }
}

#[cfg(test)]
mod tests {
    use super::console_ansi;

    #[test]
    fn colour_only_on_a_terminal_without_no_color_unless_asked() {
        assert!(console_ansi(None, true, false));
        assert!(!console_ansi(None, true, true), "NO_COLOR wins over a terminal");
        assert!(!console_ansi(None, false, false), "no colour into pipes and files");
        assert!(console_ansi(Some(true), false, true), "an explicit choice wins");
        assert!(!console_ansi(Some(false), true, false));
    }
}
