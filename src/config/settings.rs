//! The `Config` type: its fields and the setters named like them.

use std::path::PathBuf;
use std::time::Duration;

use tracing_subscriber::filter::LevelFilter;

use super::{
    IpCidr, LogCompression, LogFormat, LogRotation, MaskStyle, OverflowPolicy, Secret, UsageInterval,
};

/// The configuration of the activity layer.
///
/// Build it with [`Config::from_env`], [`Config::from_vars`] or
/// [`Config::default`], then adjust it with the setters, which share the
/// fields' names. The [module documentation](crate::config) describes the variables,
/// how they are parsed and their defaults.
///
/// The `Debug` output never shows the HMAC secret.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct Config {
    /// The deployment name (`ENVIRONMENT`, default `development`).
    pub environment: String,
    /// Whether narrative lines are written to the console
    /// (`ENABLE_CONSOLE_LOGGING`, default `true`).
    pub enable_console_logging: bool,
    /// Whether entries are written to the log file
    /// (`ENABLE_FILE_LOGGING`, default `true`).
    pub enable_file_logging: bool,
    /// Whether log file lines are JSON (`true`) or narrative text (`false`)
    /// (`ENABLE_JSON_LOGGING`, default `true`).
    pub enable_json_logging: bool,
    /// The shape of the JSON lines (`LOG_FORMAT`, default [`LogFormat::Activity`]).
    pub log_format: LogFormat,
    /// The log file (`USER_ACTIVITY_LOG_PATH`, default `logs/user_activity.log`).
    pub user_activity_log_path: PathBuf,
    /// The size in bytes at which the log file is rotated; never zero
    /// (`LOG_FILE_MAX_SIZE`, default 10485760, that is 10 MiB).
    pub log_file_max_size: u64,
    /// How many rotated log files are kept; `0` keeps none
    /// (`LOG_FILE_BACKUP_COUNT`, default `5`).
    pub log_file_backup_count: u32,
    /// When the log file is also rotated whatever its size
    /// (`LOG_ROTATE_EVERY`, default [`LogRotation::Never`]).
    pub log_rotate_every: LogRotation,
    /// Backups last written longer ago than this are deleted; `None` keeps them
    /// (`LOG_MAX_AGE`, such as `30d` or `12h`, default none).
    pub log_max_age: Option<Duration>,
    /// How backups are stored (`LOG_COMPRESS`, default [`LogCompression::None`]).
    pub log_compress: LogCompression,
    /// How many lines may wait for the log file's background writer; never
    /// zero (`LOG_QUEUE_SIZE`, default `16384`).
    pub log_queue_size: usize,
    /// What happens to a line that finds the writer's queue full
    /// (`LOG_QUEUE_OVERFLOW`, default [`OverflowPolicy::Drop`]).
    pub log_queue_overflow: OverflowPolicy,
    /// How long dropping the guard (or an explicit flush) waits for queued
    /// lines to be written before giving up and reporting how many were not;
    /// zero does not wait (`LOG_FLUSH_TIMEOUT`, default 5000 ms).
    pub log_flush_timeout: Duration,
    /// The most verbose level written to the console
    /// (`CONSOLE_LOG_LEVEL`, default `INFO`).
    pub console_log_level: LevelFilter,
    /// The most verbose level written to the log file
    /// (`FILE_LOG_LEVEL`, default `INFO`).
    pub file_log_level: LevelFilter,
    /// Whether narrative lines start with an emoji
    /// (`ENABLE_EMOJIS`, default `true`).
    pub enable_emojis: bool,
    /// Whether narrative lines name the user
    /// (`ENABLE_USER_INFO`, default `true`).
    pub enable_user_info: bool,
    /// Whether narrative lines carry a timestamp
    /// (`ENABLE_TIMESTAMPS`, default `true`).
    pub enable_timestamps: bool,
    /// Requests taking at least this long are reported as slow
    /// (`SLOW_REQUEST_THRESHOLD`, default 1000 ms).
    pub slow_request_threshold: Duration,
    /// Requests taking at least this long are reported as very slow; never
    /// below `slow_request_threshold`
    /// (`VERY_SLOW_REQUEST_THRESHOLD`, default 5000 ms).
    pub very_slow_request_threshold: Duration,
    /// Whether the values of sensitive fields are masked
    /// (`MASK_SENSITIVE_DATA`, default `true`).
    pub mask_sensitive_data: bool,
    /// Names of fields treated as sensitive
    /// (`SENSITIVE_FIELDS`, default empty).
    pub sensitive_fields: Vec<String>,
    /// How masked values are shown (`MASK_STYLE`, default
    /// [`MaskStyle::Partial`]).
    pub mask_style: MaskStyle,
    /// The most bytes of any one value supplied by users (a field value, a
    /// description, a URL) that are logged; longer values are cut at a
    /// character boundary and marked with `…[truncated N bytes]`. Never below
    /// 64 (`MAX_VALUE_LENGTH`, default 2048, that is 2 KiB).
    pub max_value_length: u64,
    /// Whether request bodies are logged (`LOG_REQUEST_BODY`, default `false`).
    pub log_request_body: bool,
    /// Whether response bodies are logged (`LOG_RESPONSE_BODY`, default `false`).
    pub log_response_body: bool,
    /// The most bytes of a request body that are logged
    /// (`MAX_REQUEST_BODY_SIZE`, default 1048576, that is 1 MiB).
    pub max_request_body_size: u64,
    /// The most bytes of a response body that are logged
    /// (`MAX_RESPONSE_BODY_SIZE`, default 1048576, that is 1 MiB).
    pub max_response_body_size: u64,
    /// Whether activity of users who are not signed in is logged
    /// (`TRACK_ANONYMOUS_USERS`, default `true`).
    pub track_anonymous_users: bool,
    /// The key user ids are hashed with (HMAC) before logging; `None` logs
    /// them as given (`USER_ID_HMAC_SECRET`, default none).
    pub user_id_hmac_secret: Option<Secret>,
    /// Whether client IP addresses are truncated before logging
    /// (`ANONYMIZE_IP`, default `false`).
    pub anonymize_ip: bool,
    /// Networks whose forwarding headers are believed
    /// (`TRUSTED_PROXIES`, default empty).
    pub trusted_proxies: Vec<IpCidr>,
    /// Request paths that are not logged
    /// (`SKIP_PATHS`, default `/health` and `/metrics`).
    pub skip_paths: Vec<String>,
    /// Whether the HTTP middleware sets the `session_id` cookie for the sessions it starts,
    /// so a browser's requests share one session (`SESSION_COOKIE`, default `true`).
    pub session_cookie: bool,
    /// Whether that cookie is marked `Secure`, sent over HTTPS only
    /// (`SESSION_COOKIE_SECURE`, default `false`).
    pub session_cookie_secure: bool,
    /// The longest a session lasts, however busy; then a new one starts
    /// (`SESSION_LIFETIME`, default 24 hours).
    pub session_lifetime: Duration,
    /// A session with no request for this long ends: the browser forgets the cookie
    /// (`SESSION_IDLE_TIMEOUT`, default 30 minutes).
    pub session_idle_timeout: Duration,
    /// Whether console output is left uncolored (`NO_COLOR` present with a
    /// non-empty value, default `false`).
    pub no_color: bool,
    /// Whether the layer counts every action it writes in the live usage counters: Prometheus
    /// metrics and the rollup store (`ENABLE_USAGE_METRICS`, default `true`; only with the
    /// `metrics` feature).
    pub enable_usage_metrics: bool,
    /// The SQLite file of the usage rollup store (`USAGE_DB_PATH`, default `logs/usage.db`;
    /// `none`: no store, the counters feed only Prometheus). Directories are created.
    pub usage_db_path: Option<PathBuf>,
    /// A PostgreSQL store shared by many instances, used instead of the SQLite file
    /// (`USAGE_DATABASE_URL`, `postgres://user:password@host/db`, default none; feature
    /// `postgres`). A secret: it holds the password.
    pub usage_database_url: Option<Secret>,
    /// How often the counts are saved to the store (`USAGE_FLUSH_INTERVAL`, default 10 minutes,
    /// from one second to one day). A crash loses at most this much.
    pub usage_flush_interval: Duration,
    /// The interval the store counts events in before they are rolled up into days
    /// (`USAGE_BASE_INTERVAL`, `hour` or `day`, default `hour`).
    pub usage_base_interval: UsageInterval,
    /// Days after which base-interval counts are rolled up into daily counts
    /// (`USAGE_BASE_RETENTION_DAYS`, default 7).
    pub usage_base_retention_days: u32,
    /// Days after which daily counts are rolled up into monthly counts
    /// (`USAGE_RETENTION_DAYS`, default 30).
    pub usage_retention_days: u32,
    /// Days each failed request is kept (`USAGE_ERROR_RETENTION_DAYS`, default 30).
    pub usage_error_retention_days: u32,
    /// Feature names (and custom action types) counted by name; later ones count as `other`,
    /// so random paths cannot make Prometheus series without end (`USAGE_MAX_FEATURES`,
    /// default 100, from 1 to 10000).
    pub usage_max_features: u32,
}

impl Config {
    /// Sets the deployment name (`ENVIRONMENT`, default `development`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().environment("staging");
    /// assert_eq!(config.environment, "staging");
    /// assert_eq!(config, Config::from_vars([("ENVIRONMENT", "staging")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn environment(self, environment: impl Into<String>) -> Self {
        Self { environment: environment.into(), ..self }
    }

    /// Sets whether narrative lines are written to the console
    /// (`ENABLE_CONSOLE_LOGGING`, default `true`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().enable_console_logging(false);
    /// assert!(!config.enable_console_logging);
    /// assert_eq!(config, Config::from_vars([("ENABLE_CONSOLE_LOGGING", "false")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn enable_console_logging(self, enable_console_logging: bool) -> Self {
        Self { enable_console_logging, ..self }
    }

    /// Sets whether entries are written to the log file
    /// (`ENABLE_FILE_LOGGING`, default `true`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().enable_file_logging(false);
    /// assert!(!config.enable_file_logging);
    /// assert_eq!(config, Config::from_vars([("ENABLE_FILE_LOGGING", "false")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn enable_file_logging(self, enable_file_logging: bool) -> Self {
        Self { enable_file_logging, ..self }
    }

    /// Sets whether log file lines are JSON (`true`) or narrative text
    /// (`false`) (`ENABLE_JSON_LOGGING`, default `true`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().enable_json_logging(false);
    /// assert!(!config.enable_json_logging); // the file gets the narrative lines
    /// assert_eq!(config, Config::from_vars([("ENABLE_JSON_LOGGING", "false")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn enable_json_logging(self, enable_json_logging: bool) -> Self {
        Self { enable_json_logging, ..self }
    }

    /// Sets the shape of the log file's JSON lines: the crate's own, or an Elastic Common
    /// Schema document (`LOG_FORMAT`, default [`LogFormat::Activity`]). The console and
    /// narrative text lines are the same in both.
    ///
    /// ```
    /// use tracing_activity::Config;
    /// use tracing_activity::config::LogFormat;
    ///
    /// let config = Config::default().log_format(LogFormat::Ecs);
    /// assert_eq!(config, Config::from_vars([("LOG_FORMAT", "ecs")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn log_format(self, log_format: LogFormat) -> Self {
        Self { log_format, ..self }
    }

    /// Sets the log file (`USER_ACTIVITY_LOG_PATH`, default
    /// `logs/user_activity.log`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().user_activity_log_path("/var/log/shop/activity.log");
    /// assert_eq!(config.user_activity_log_path.to_str(), Some("/var/log/shop/activity.log"));
    /// assert_eq!(config, Config::from_vars([("USER_ACTIVITY_LOG_PATH", "/var/log/shop/activity.log")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn user_activity_log_path(self, user_activity_log_path: impl Into<PathBuf>) -> Self {
        Self { user_activity_log_path: user_activity_log_path.into(), ..self }
    }

    /// Sets the size in bytes at which the log file is rotated; zero is
    /// rejected by [`Config::validate`] (`LOG_FILE_MAX_SIZE`, default
    /// 10485760, that is 10 MiB).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().log_file_max_size(50 * 1024 * 1024);
    /// assert_eq!(config.log_file_max_size, 52_428_800);
    /// assert_eq!(config, Config::from_vars([("LOG_FILE_MAX_SIZE", "50MiB")])?);
    /// let zero = Config::default().log_file_max_size(0);
    /// assert_eq!(zero.validate().unwrap_err().variable(), "LOG_FILE_MAX_SIZE");
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn log_file_max_size(self, log_file_max_size: u64) -> Self {
        Self { log_file_max_size, ..self }
    }

    /// Sets how many rotated log files are kept; `0` keeps none
    /// (`LOG_FILE_BACKUP_COUNT`, default `5`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().log_file_backup_count(2);
    /// assert_eq!(config.log_file_backup_count, 2);
    /// assert_eq!(config, Config::from_vars([("LOG_FILE_BACKUP_COUNT", "2")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn log_file_backup_count(self, log_file_backup_count: u32) -> Self {
        Self { log_file_backup_count, ..self }
    }

    /// Sets when the log file is also rotated whatever its size: at each UTC hour or day
    /// (`LOG_ROTATE_EVERY`, default [`LogRotation::Never`]). The backups are numbered as for
    /// rotation by size, `.1` the newest.
    ///
    /// ```
    /// use tracing_activity::Config;
    /// use tracing_activity::config::LogRotation;
    ///
    /// let config = Config::default().log_rotate_every(LogRotation::Daily);
    /// assert_eq!(config, Config::from_vars([("LOG_ROTATE_EVERY", "daily")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn log_rotate_every(self, log_rotate_every: LogRotation) -> Self {
        Self { log_rotate_every, ..self }
    }

    /// Sets how old a backup may be: one last written longer ago is deleted, at start, at each
    /// rotation and once an hour (`LOG_MAX_AGE`, default none). `LOG_FILE_BACKUP_COUNT` still
    /// bounds how many are kept.
    ///
    /// ```
    /// use std::time::Duration;
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().log_max_age(Some(Duration::from_secs(30 * 86_400)));
    /// assert_eq!(config, Config::from_vars([("LOG_MAX_AGE", "30d")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn log_max_age(self, log_max_age: Option<Duration>) -> Self {
        Self { log_max_age, ..self }
    }

    /// Sets how backups are stored: with [`LogCompression::Gzip`] (crate feature `gzip`) each
    /// backup becomes `user_activity.log.N.gz`, compressed off the writer's thread
    /// (`LOG_COMPRESS`, default [`LogCompression::None`]).
    ///
    /// ```
    /// use tracing_activity::Config;
    /// use tracing_activity::config::LogCompression;
    ///
    /// let config = Config::default().log_compress(LogCompression::Gzip);
    /// # #[cfg(feature = "gzip")] // without it, `LOG_COMPRESS=gzip` is an error
    /// assert_eq!(config, Config::from_vars([("LOG_COMPRESS", "gzip")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn log_compress(self, log_compress: LogCompression) -> Self {
        Self { log_compress, ..self }
    }

    /// Sets how many lines may wait for the log file's background writer;
    /// zero is rejected by [`Config::validate`] (`LOG_QUEUE_SIZE`, default
    /// `16384`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().log_queue_size(1024);
    /// assert_eq!(config.log_queue_size, 1024);
    /// assert_eq!(config, Config::from_vars([("LOG_QUEUE_SIZE", "1024")])?);
    /// let zero = Config::default().log_queue_size(0);
    /// assert_eq!(zero.validate().unwrap_err().variable(), "LOG_QUEUE_SIZE");
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn log_queue_size(self, log_queue_size: usize) -> Self {
        Self { log_queue_size, ..self }
    }

    /// Sets what happens to a line that finds the writer's queue full
    /// (`LOG_QUEUE_OVERFLOW`, default [`OverflowPolicy::Drop`]).
    ///
    /// ```
    /// use tracing_activity::{Config, OverflowPolicy};
    ///
    /// let config = Config::default().log_queue_overflow(OverflowPolicy::Block);
    /// assert_eq!(config.log_queue_overflow, OverflowPolicy::Block); // wait, never drop
    /// assert_eq!(config, Config::from_vars([("LOG_QUEUE_OVERFLOW", "block")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn log_queue_overflow(self, log_queue_overflow: OverflowPolicy) -> Self {
        Self { log_queue_overflow, ..self }
    }

    /// Sets how long dropping the guard (or an explicit flush) waits for
    /// queued lines to be written; zero does not wait (`LOG_FLUSH_TIMEOUT`,
    /// default 5000 ms).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().log_flush_timeout(Duration::from_millis(500));
    /// assert_eq!(config.log_flush_timeout, Duration::from_millis(500));
    /// assert_eq!(config, Config::from_vars([("LOG_FLUSH_TIMEOUT", "0.5s")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn log_flush_timeout(self, log_flush_timeout: Duration) -> Self {
        Self { log_flush_timeout, ..self }
    }

    /// Sets the most verbose level written to the console; accepts a
    /// [`LevelFilter`] or a [`tracing::Level`] (`CONSOLE_LOG_LEVEL`, default
    /// `INFO`).
    ///
    /// ```
    /// use tracing::Level;
    /// use tracing_activity::Config;
    /// use tracing_subscriber::filter::LevelFilter;
    ///
    /// let config = Config::default().console_log_level(Level::WARN);
    /// assert_eq!(config.console_log_level, LevelFilter::WARN);
    /// assert_eq!(config, Config::from_vars([("CONSOLE_LOG_LEVEL", "warn")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn console_log_level(self, console_log_level: impl Into<LevelFilter>) -> Self {
        Self { console_log_level: console_log_level.into(), ..self }
    }

    /// Sets the most verbose level written to the log file; accepts a
    /// [`LevelFilter`] or a [`tracing::Level`] (`FILE_LOG_LEVEL`, default
    /// `INFO`).
    ///
    /// ```
    /// use tracing_activity::Config;
    /// use tracing_subscriber::filter::LevelFilter;
    ///
    /// let config = Config::default().file_log_level(LevelFilter::DEBUG);
    /// assert_eq!(config.file_log_level, LevelFilter::DEBUG);
    /// assert_eq!(config, Config::from_vars([("FILE_LOG_LEVEL", "debug")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn file_log_level(self, file_log_level: impl Into<LevelFilter>) -> Self {
        Self { file_log_level: file_log_level.into(), ..self }
    }

    /// Sets whether narrative lines start with an emoji (`ENABLE_EMOJIS`,
    /// default `true`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().enable_emojis(false);
    /// assert!(!config.enable_emojis);
    /// assert_eq!(config, Config::from_vars([("ENABLE_EMOJIS", "false")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn enable_emojis(self, enable_emojis: bool) -> Self {
        Self { enable_emojis, ..self }
    }

    /// Sets whether narrative lines name the user (`ENABLE_USER_INFO`,
    /// default `true`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().enable_user_info(false);
    /// assert!(!config.enable_user_info);
    /// assert_eq!(config, Config::from_vars([("ENABLE_USER_INFO", "false")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn enable_user_info(self, enable_user_info: bool) -> Self {
        Self { enable_user_info, ..self }
    }

    /// Sets whether narrative lines carry a timestamp (`ENABLE_TIMESTAMPS`,
    /// default `true`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().enable_timestamps(false);
    /// assert!(!config.enable_timestamps);
    /// assert_eq!(config, Config::from_vars([("ENABLE_TIMESTAMPS", "false")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn enable_timestamps(self, enable_timestamps: bool) -> Self {
        Self { enable_timestamps, ..self }
    }

    /// Sets the duration from which a request is reported as slow
    /// (`SLOW_REQUEST_THRESHOLD`, default 1000 ms).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().slow_request_threshold(Duration::from_millis(250));
    /// assert_eq!(config.slow_request_threshold, Duration::from_millis(250));
    /// assert_eq!(config, Config::from_vars([("SLOW_REQUEST_THRESHOLD", "250ms")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn slow_request_threshold(self, slow_request_threshold: Duration) -> Self {
        Self { slow_request_threshold, ..self }
    }

    /// Sets the duration from which a request is reported as very slow; a
    /// value below the slow threshold is rejected by [`Config::validate`]
    /// (`VERY_SLOW_REQUEST_THRESHOLD`, default 5000 ms).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().very_slow_request_threshold(Duration::from_secs(2));
    /// assert_eq!(config.very_slow_request_threshold, Duration::from_secs(2));
    /// assert_eq!(config, Config::from_vars([("VERY_SLOW_REQUEST_THRESHOLD", "2s")])?);
    /// let below_slow = Config::default().very_slow_request_threshold(Duration::from_millis(500));
    /// assert_eq!(below_slow.validate().unwrap_err().variable(), "VERY_SLOW_REQUEST_THRESHOLD");
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn very_slow_request_threshold(self, very_slow_request_threshold: Duration) -> Self {
        Self { very_slow_request_threshold, ..self }
    }

    /// Sets whether the values of sensitive fields are masked
    /// (`MASK_SENSITIVE_DATA`, default `true`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().mask_sensitive_data(false);
    /// assert!(!config.mask_sensitive_data);
    /// assert_eq!(config, Config::from_vars([("MASK_SENSITIVE_DATA", "false")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn mask_sensitive_data(self, mask_sensitive_data: bool) -> Self {
        Self { mask_sensitive_data, ..self }
    }

    /// Replaces the names of fields treated as sensitive
    /// (`SENSITIVE_FIELDS`, default empty).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().sensitive_fields(["password", "card_number"]);
    /// assert_eq!(config.sensitive_fields, ["password", "card_number"]);
    /// assert_eq!(config, Config::from_vars([("SENSITIVE_FIELDS", "password, card_number")])?);
    /// let spaced = Config::default().sensitive_fields(["card number"]);
    /// assert_eq!(spaced.validate().unwrap_err().variable(), "SENSITIVE_FIELDS");
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn sensitive_fields<I>(self, sensitive_fields: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        Self { sensitive_fields: sensitive_fields.into_iter().map(Into::into).collect(), ..self }
    }

    /// Sets how masked values are shown (`MASK_STYLE`, default
    /// [`MaskStyle::Partial`]).
    ///
    /// ```
    /// use tracing_activity::{Config, MaskStyle};
    ///
    /// let config = Config::default().mask_style(MaskStyle::Full);
    /// assert_eq!(config.mask_style, MaskStyle::Full); // [REDACTED]
    /// assert_eq!(config, Config::from_vars([("MASK_STYLE", "full")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn mask_style(self, mask_style: MaskStyle) -> Self {
        Self { mask_style, ..self }
    }

    /// Sets the most bytes of any one value supplied by users that are
    /// logged; a value below 64 is rejected by [`Config::validate`]
    /// (`MAX_VALUE_LENGTH`, default 2048, that is 2 KiB).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().max_value_length(256);
    /// assert_eq!(config.max_value_length, 256);
    /// assert_eq!(config, Config::from_vars([("MAX_VALUE_LENGTH", "256")])?);
    /// let too_short = Config::default().max_value_length(10);
    /// assert_eq!(too_short.validate().unwrap_err().variable(), "MAX_VALUE_LENGTH");
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn max_value_length(self, max_value_length: u64) -> Self {
        Self { max_value_length, ..self }
    }

    /// Sets whether request bodies are logged (`LOG_REQUEST_BODY`, default
    /// `false`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().log_request_body(true);
    /// assert!(config.log_request_body);
    /// assert_eq!(config, Config::from_vars([("LOG_REQUEST_BODY", "true")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn log_request_body(self, log_request_body: bool) -> Self {
        Self { log_request_body, ..self }
    }

    /// Sets whether response bodies are logged (`LOG_RESPONSE_BODY`, default
    /// `false`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().log_response_body(true);
    /// assert!(config.log_response_body);
    /// assert_eq!(config, Config::from_vars([("LOG_RESPONSE_BODY", "true")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn log_response_body(self, log_response_body: bool) -> Self {
        Self { log_response_body, ..self }
    }

    /// Sets the most bytes of a request body that are logged
    /// (`MAX_REQUEST_BODY_SIZE`, default 1048576, that is 1 MiB).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().max_request_body_size(64 * 1024);
    /// assert_eq!(config.max_request_body_size, 65_536);
    /// assert_eq!(config, Config::from_vars([("MAX_REQUEST_BODY_SIZE", "64KiB")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn max_request_body_size(self, max_request_body_size: u64) -> Self {
        Self { max_request_body_size, ..self }
    }

    /// Sets the most bytes of a response body that are logged
    /// (`MAX_RESPONSE_BODY_SIZE`, default 1048576, that is 1 MiB).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().max_response_body_size(64 * 1024);
    /// assert_eq!(config.max_response_body_size, 65_536);
    /// assert_eq!(config, Config::from_vars([("MAX_RESPONSE_BODY_SIZE", "64KiB")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn max_response_body_size(self, max_response_body_size: u64) -> Self {
        Self { max_response_body_size, ..self }
    }

    /// Sets whether activity of users who are not signed in is logged
    /// (`TRACK_ANONYMOUS_USERS`, default `true`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().track_anonymous_users(false);
    /// assert!(!config.track_anonymous_users); // only signed-in users' actions are logged
    /// assert_eq!(config, Config::from_vars([("TRACK_ANONYMOUS_USERS", "false")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn track_anonymous_users(self, track_anonymous_users: bool) -> Self {
        Self { track_anonymous_users, ..self }
    }

    /// Sets or, with `None`, clears the key user ids are hashed with
    /// (`USER_ID_HMAC_SECRET`, default none).
    ///
    /// ```
    /// use tracing_activity::{Config, Secret};
    ///
    /// let config = Config::default().user_id_hmac_secret(Secret::new("k3y-from-the-vault"));
    /// assert_eq!(config.user_id_hmac_secret.as_ref().map(Secret::expose), Some("k3y-from-the-vault"));
    /// assert!(!format!("{config:?}").contains("k3y"), "never shown by Debug");
    /// assert_eq!(config.user_id_hmac_secret(None), Config::default());
    /// ```
    #[must_use]
    pub fn user_id_hmac_secret(self, user_id_hmac_secret: impl Into<Option<Secret>>) -> Self {
        Self { user_id_hmac_secret: user_id_hmac_secret.into(), ..self }
    }

    /// Sets whether client IP addresses are truncated before logging
    /// (`ANONYMIZE_IP`, default `false`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().anonymize_ip(true);
    /// assert!(config.anonymize_ip);
    /// assert_eq!(config, Config::from_vars([("ANONYMIZE_IP", "true")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn anonymize_ip(self, anonymize_ip: bool) -> Self {
        Self { anonymize_ip, ..self }
    }

    /// Replaces the networks whose forwarding headers are believed
    /// (`TRUSTED_PROXIES`, default empty).
    ///
    /// ```
    /// use tracing_activity::{Config, IpCidr};
    ///
    /// let config = Config::default().trusted_proxies(["10.0.0.0/8".parse::<IpCidr>()?]);
    /// assert!(config.trusted_proxies[0].contains("10.1.2.3".parse()?));
    /// assert_eq!(config, Config::from_vars([("TRUSTED_PROXIES", "10.0.0.0/8")])?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn trusted_proxies(self, trusted_proxies: impl IntoIterator<Item = IpCidr>) -> Self {
        Self { trusted_proxies: trusted_proxies.into_iter().collect(), ..self }
    }

    /// Replaces the request paths that are not logged; each should start
    /// with `/` (`SKIP_PATHS`, default `/health` and `/metrics`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().skip_paths(["/health", "/ready"]);
    /// assert_eq!(config.skip_paths, ["/health", "/ready"]); // /metrics is logged now
    /// assert_eq!(config, Config::from_vars([("SKIP_PATHS", "/health,/ready")])?);
    /// let relative = Config::default().skip_paths(["ready"]);
    /// assert_eq!(relative.validate().unwrap_err().variable(), "SKIP_PATHS");
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn skip_paths<I>(self, skip_paths: I) -> Self
    where
        I: IntoIterator,
        I::Item: Into<String>,
    {
        Self { skip_paths: skip_paths.into_iter().map(Into::into).collect(), ..self }
    }

    /// Sets whether the HTTP middleware sets the `session_id` cookie for the sessions it
    /// starts (`SESSION_COOKIE`, default `true`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().session_cookie(false);
    /// assert!(!config.session_cookie); // API only: every request without an id is its own session
    /// assert_eq!(config, Config::from_vars([("SESSION_COOKIE", "false")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn session_cookie(self, session_cookie: bool) -> Self {
        Self { session_cookie, ..self }
    }

    /// Sets whether the session cookie is marked `Secure`, sent over HTTPS only
    /// (`SESSION_COOKIE_SECURE`, default `false`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().session_cookie_secure(true); // behind HTTPS
    /// assert!(config.session_cookie_secure);
    /// assert_eq!(config, Config::from_vars([("SESSION_COOKIE_SECURE", "true")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn session_cookie_secure(self, session_cookie_secure: bool) -> Self {
        Self { session_cookie_secure, ..self }
    }

    /// Sets the longest a session lasts; below one second is rejected by
    /// [`Config::validate`] (`SESSION_LIFETIME`, default 24 hours).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().session_lifetime(Duration::from_secs(8 * 3600));
    /// assert_eq!(config, Config::from_vars([("SESSION_LIFETIME", "8h")])?);
    /// let instant = Config::default().session_lifetime(Duration::from_millis(10));
    /// assert_eq!(instant.validate().unwrap_err().variable(), "SESSION_LIFETIME");
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn session_lifetime(self, session_lifetime: Duration) -> Self {
        Self { session_lifetime, ..self }
    }

    /// Sets how long a session lasts without a request; below one second is rejected by
    /// [`Config::validate`] (`SESSION_IDLE_TIMEOUT`, default 30 minutes).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().session_idle_timeout(Duration::from_secs(15 * 60));
    /// assert_eq!(config.session_idle_timeout, Duration::from_secs(900));
    /// assert_eq!(config, Config::from_vars([("SESSION_IDLE_TIMEOUT", "15m")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn session_idle_timeout(self, session_idle_timeout: Duration) -> Self {
        Self { session_idle_timeout, ..self }
    }

    /// Sets whether console output is left uncolored (`NO_COLOR` present with
    /// a non-empty value, default `false`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().no_color(true);
    /// assert!(config.no_color);
    /// assert_eq!(config, Config::from_vars([("NO_COLOR", "1")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn no_color(self, no_color: bool) -> Self {
        Self { no_color, ..self }
    }

    /// Sets whether actions are counted for the usage metrics (`ENABLE_USAGE_METRICS`, default
    /// `true`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().enable_usage_metrics(false);
    /// assert_eq!(config, Config::from_vars([("ENABLE_USAGE_METRICS", "false")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn enable_usage_metrics(self, enable_usage_metrics: bool) -> Self {
        Self { enable_usage_metrics, ..self }
    }

    /// Sets the SQLite file of the usage store (`USAGE_DB_PATH`, default `logs/usage.db`).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().usage_db_path("/var/lib/app/usage.db");
    /// assert_eq!(config, Config::from_vars([("USAGE_DB_PATH", "/var/lib/app/usage.db")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn usage_db_path(self, path: impl Into<PathBuf>) -> Self {
        Self { usage_db_path: Some(path.into()), ..self }
    }

    /// Keeps no usage store (`USAGE_DB_PATH=none`): the counters feed Prometheus only.
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().no_usage_store();
    /// assert_eq!(config.usage_db_path, None);
    /// assert_eq!(config, Config::from_vars([("USAGE_DB_PATH", "none")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn no_usage_store(self) -> Self {
        Self { usage_db_path: None, ..self }
    }

    /// Sets the PostgreSQL store (`USAGE_DATABASE_URL`, default none).
    ///
    /// ```
    /// use tracing_activity::{Config, Secret};
    ///
    /// let url = "postgres://app:pw@db.internal/usage";
    /// let config = Config::default().usage_database_url(Secret::new(url));
    /// assert_eq!(config, Config::from_vars([("USAGE_DATABASE_URL", url)])?);
    /// assert!(!format!("{config:?}").contains("pw@"));
    /// assert!(Config::from_vars([("USAGE_DATABASE_URL", "mysql://x")]).is_err());
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn usage_database_url(self, url: Secret) -> Self {
        Self { usage_database_url: Some(url), ..self }
    }

    /// Sets how often counts are saved to the store (`USAGE_FLUSH_INTERVAL`, default `10m`).
    ///
    /// ```
    /// use std::time::Duration;
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().usage_flush_interval(Duration::from_secs(60));
    /// assert_eq!(config, Config::from_vars([("USAGE_FLUSH_INTERVAL", "1m")])?);
    /// assert!(Config::from_vars([("USAGE_FLUSH_INTERVAL", "2ms")]).is_err());
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn usage_flush_interval(self, usage_flush_interval: Duration) -> Self {
        Self { usage_flush_interval, ..self }
    }

    /// Sets the store's base interval (`USAGE_BASE_INTERVAL`, default `hour`).
    ///
    /// ```
    /// use tracing_activity::{Config, UsageInterval};
    ///
    /// let config = Config::default().usage_base_interval(UsageInterval::Day);
    /// assert_eq!(config, Config::from_vars([("USAGE_BASE_INTERVAL", "daily")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn usage_base_interval(self, usage_base_interval: UsageInterval) -> Self {
        Self { usage_base_interval, ..self }
    }

    /// Sets the days before base-interval counts become daily ones
    /// (`USAGE_BASE_RETENTION_DAYS`, default 7).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().usage_base_retention_days(2);
    /// assert_eq!(config, Config::from_vars([("USAGE_BASE_RETENTION_DAYS", "2")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn usage_base_retention_days(self, usage_base_retention_days: u32) -> Self {
        Self { usage_base_retention_days, ..self }
    }

    /// Sets the days before daily counts become monthly ones (`USAGE_RETENTION_DAYS`,
    /// default 30).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().usage_retention_days(90);
    /// assert_eq!(config, Config::from_vars([("USAGE_RETENTION_DAYS", "90")])?);
    /// // Base counts must not outlive the daily ones.
    /// assert!(Config::from_vars([("USAGE_RETENTION_DAYS", "3")]).is_err());
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn usage_retention_days(self, usage_retention_days: u32) -> Self {
        Self { usage_retention_days, ..self }
    }

    /// Sets the days failed requests are kept (`USAGE_ERROR_RETENTION_DAYS`, default 30).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().usage_error_retention_days(7);
    /// assert_eq!(config, Config::from_vars([("USAGE_ERROR_RETENTION_DAYS", "7")])?);
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn usage_error_retention_days(self, usage_error_retention_days: u32) -> Self {
        Self { usage_error_retention_days, ..self }
    }

    /// Sets how many feature names are counted by name (`USAGE_MAX_FEATURES`, default 100).
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let config = Config::default().usage_max_features(20);
    /// assert_eq!(config, Config::from_vars([("USAGE_MAX_FEATURES", "20")])?);
    /// assert!(Config::from_vars([("USAGE_MAX_FEATURES", "0")]).is_err());
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    #[must_use]
    pub fn usage_max_features(self, usage_max_features: u32) -> Self {
        Self { usage_max_features, ..self }
    }
}
