//! Configuration read from environment variables.
//!
//! [`Config::from_env`] reads the process environment and [`Config::from_vars`]
//! reads any list of `(name, value)` pairs (handy for tests and for `.env`
//! files loaded by other means). Both parse strictly: a value that does not
//! make sense is a [`ConfigError`] naming the variable, the value and what was
//! expected, never a silent fallback to the default. Variables this module
//! does not know are ignored. After loading, the `#[must_use]` setters (one
//! per field, named like the field) override individual values.
//!
//! ```
//! # fn main() -> Result<(), tracing_activity::ConfigError> {
//! use tracing_subscriber::filter::LevelFilter;
//!
//! let config = tracing_activity::Config::from_vars([("LOG_FILE_MAX_SIZE", "10MiB"), ("CONSOLE_LOG_LEVEL", "warn")])?
//!     .enable_emojis(false);
//!
//! assert_eq!(config.log_file_max_size, 10 * 1024 * 1024);
//! assert_eq!(config.console_log_level, LevelFilter::WARN);
//! assert!(!config.enable_emojis);
//! # Ok(())
//! # }
//! ```
//!
//! # Variables
//!
//! - `ENVIRONMENT`: the deployment name (`development`, `production`, ...),
//!   recorded in every entry. Any non-empty string.
//! - `ENABLE_CONSOLE_LOGGING`, `ENABLE_FILE_LOGGING`: turn the console output
//!   and the log file on or off.
//! - `ENABLE_JSON_LOGGING`: when true each line of the log file is a JSON
//!   object; when false it is the same narrative text as the console.
//! - `LOG_FORMAT`: the shape of the JSON lines, `activity` (the crate's own) or `ecs` (an
//!   Elastic Common Schema document; see [`LogFormat`]).
//! - `USER_ACTIVITY_LOG_PATH`: the log file.
//! - `LOG_FILE_MAX_SIZE`: the size at which the log file is rotated; must be
//!   greater than zero.
//! - `LOG_FILE_BACKUP_COUNT`: how many rotated files are kept (`0` keeps none).
//! - `LOG_ROTATE_EVERY`: `hourly`, `daily` or `never`: the log file is also rotated at each
//!   UTC hour or day (see [`LogRotation`]).
//! - `LOG_MAX_AGE`: backups last written longer ago than this are deleted: a number of days
//!   (`30d`), hours (`12h`), minutes (`90m`) or what `LOG_FLUSH_TIMEOUT` takes; at least one
//!   second.
//! - `LOG_COMPRESS`: `gzip` or `none`: backups are gzip files (crate feature `gzip`; see
//!   [`LogCompression`]).
//! - `LOG_QUEUE_SIZE`: how many lines may wait for the log file's background
//!   writer; must be at least 1.
//! - `LOG_QUEUE_OVERFLOW`: what happens to a line that finds that queue full,
//!   `drop` or `block` (see [`OverflowPolicy`]).
//! - `LOG_FLUSH_TIMEOUT`: how long dropping the guard (or an explicit flush)
//!   waits for queued lines to be written before giving up and reporting how
//!   many were not; `0` does not wait.
//! - `CONSOLE_LOG_LEVEL`, `FILE_LOG_LEVEL`: the most verbose level written to
//!   the console and to the file.
//! - `ENABLE_EMOJIS`, `ENABLE_USER_INFO`, `ENABLE_TIMESTAMPS`: what the
//!   narrative lines contain.
//! - `SLOW_REQUEST_THRESHOLD`, `VERY_SLOW_REQUEST_THRESHOLD`: requests taking
//!   at least this long are flagged as slow / very slow. The very-slow
//!   threshold must not be lower than the slow one.
//! - `MASK_SENSITIVE_DATA`: mask the values of sensitive fields.
//! - `SENSITIVE_FIELDS`: comma-separated names of fields treated as sensitive;
//!   each made of ASCII letters, digits, `_`, `-` and `.`.
//! - `MASK_STYLE`: how a masked value is shown, `partial` (`my*******23`) or
//!   `full` (`[REDACTED]`) (see [`MaskStyle`]).
//! - `MAX_VALUE_LENGTH`: the most bytes of any one value supplied by users (a
//!   field value, a description, a URL) that are logged; longer values are cut
//!   at a character boundary and marked with `…[truncated N bytes]`. Must be
//!   at least 64.
//! - `LOG_REQUEST_BODY`, `LOG_RESPONSE_BODY`: include bodies in the log.
//! - `MAX_REQUEST_BODY_SIZE`, `MAX_RESPONSE_BODY_SIZE`: the most of a body
//!   that is logged.
//! - `TRACK_ANONYMOUS_USERS`: log activity of users who are not signed in.
//! - `USER_ID_HMAC_SECRET`: when set, user ids are logged as an HMAC keyed
//!   with this secret instead of in clear. It is never shown by `Debug` or in
//!   errors (see [`Secret`]).
//! - `ANONYMIZE_IP`: truncate client IP addresses before logging them.
//! - `TRUSTED_PROXIES`: comma-separated networks ([`IpCidr`]) whose
//!   forwarding headers are believed, such as `10.0.0.0/8,::1/128`; a bare
//!   address means a single host (`/32` or `/128`).
//! - `SKIP_PATHS`: comma-separated request paths that are not logged; each
//!   must start with `/`.
//! - `SESSION_COOKIE`, `SESSION_COOKIE_SECURE`: the HTTP middleware sets the
//!   `session_id` cookie for the sessions it starts, and marks it `Secure`.
//! - `SESSION_LIFETIME`, `SESSION_IDLE_TIMEOUT`: the longest a session lasts,
//!   and how long one lasts without a request; `h`, `m`, `s` or `ms`, at
//!   least one second.
//! - `NO_COLOR`: the [no-color.org](https://no-color.org) convention: when
//!   present with a non-empty value (any value, even blanks) console output is
//!   not colored. It is not in [`Config::VARIABLES`].
//!
//! # Parsing rules
//!
//! - Values are trimmed of surrounding whitespace.
//! - An empty value for a scalar variable means "unset": the default applies.
//!   An empty value for a list variable (`SENSITIVE_FIELDS`,
//!   `TRUSTED_PROXIES`, `SKIP_PATHS`) means the empty list. An empty
//!   `USER_ID_HMAC_SECRET` means no secret.
//! - Booleans: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, in any case.
//! - Levels: `trace`, `debug`, `info`, `warn` (or `warning`), `error`, `off`,
//!   in any case.
//! - Sizes: a whole number of bytes, optionally followed (with or without a
//!   space) by a unit, in any case: `B`, `KB`, `MB`, `GB` (powers of 1000) or
//!   `KiB`, `MiB`, `GiB` (powers of 1024). `10MB` is 10 000 000 bytes, `10MiB`
//!   is 10 485 760. Negative numbers, fractions and sizes beyond `u64` are
//!   errors. `MAX_VALUE_LENGTH` must be at least 64 bytes.
//! - Durations (the thresholds and `LOG_FLUSH_TIMEOUT`): a non-negative number of milliseconds,
//!   whole or decimal, optionally followed by `ms` or `s`: `1000`, `1000ms`
//!   and `1.5s` are all accepted; `NaN`, `inf`, exponents and negative numbers
//!   are not. Precision beyond a nanosecond is dropped.
//! - Session times (`SESSION_LIFETIME`, `SESSION_IDLE_TIMEOUT`): a duration as above, or a
//!   number of minutes (`30m`) or hours (`24h`, `1.5h`); at least one second.
//! - Counts (`LOG_FILE_BACKUP_COUNT`): a whole number from 0 to 4294967295.
//! - Queue sizes (`LOG_QUEUE_SIZE`): a whole number of lines, digits only,
//!   from 1 to `usize::MAX`.
//! - Overflow policies (`LOG_QUEUE_OVERFLOW`): `drop` or `block`, in any case.
//! - Mask styles (`MASK_STYLE`): `partial` or `full`, in any case.
//! - The usage store's base interval (`USAGE_BASE_INTERVAL`): `hour` or `day` (also `hourly`,
//!   `1h`, `daily`, `1d`), in any case; its flush interval (`USAGE_FLUSH_INTERVAL`) a session
//!   time, from one second to one day; its file (`USAGE_DB_PATH`) a path, or `none` for no
//!   store; its PostgreSQL URL (`USAGE_DATABASE_URL`) starts with `postgres://` or
//!   `postgresql://`; retention days (`USAGE_*_RETENTION_DAYS`) are at least 1, and the base
//!   retention at most `USAGE_RETENTION_DAYS`; `USAGE_MAX_FEATURES` is from 1 to 10000.
//! - Lists: items separated by commas, each trimmed; empty items are dropped.
//! - When a name occurs more than once, the last occurrence wins.
//! - [`Config::from_env`] ignores variables whose name is not valid UTF-8;
//!   a known variable whose value is not valid UTF-8 is an error (except
//!   `NO_COLOR`, whose value does not matter).
//!
//! # Default values
//!
//! | Variable | Default | Field |
//! |---|---|---|
//! | `ENVIRONMENT` | `development` | [`environment`](Config::environment) |
//! | `ENABLE_CONSOLE_LOGGING` | `true` | [`enable_console_logging`](Config::enable_console_logging) |
//! | `ENABLE_FILE_LOGGING` | `true` | [`enable_file_logging`](Config::enable_file_logging) |
//! | `ENABLE_JSON_LOGGING` | `true` | [`enable_json_logging`](Config::enable_json_logging) |
//! | `LOG_FORMAT` | `activity` | [`log_format`](Config::log_format) |
//! | `USER_ACTIVITY_LOG_PATH` | `logs/user_activity.log` | [`user_activity_log_path`](Config::user_activity_log_path) |
//! | `LOG_FILE_MAX_SIZE` | `10485760` (10 MiB) | [`log_file_max_size`](Config::log_file_max_size) |
//! | `LOG_FILE_BACKUP_COUNT` | `5` | [`log_file_backup_count`](Config::log_file_backup_count) |
//! | `LOG_ROTATE_EVERY` | `never` | [`log_rotate_every`](Config::log_rotate_every) |
//! | `LOG_MAX_AGE` | (none) | [`log_max_age`](Config::log_max_age) |
//! | `LOG_COMPRESS` | `none` | [`log_compress`](Config::log_compress) |
//! | `LOG_QUEUE_SIZE` | `16384` | [`log_queue_size`](Config::log_queue_size) |
//! | `LOG_QUEUE_OVERFLOW` | `drop` | [`log_queue_overflow`](Config::log_queue_overflow) |
//! | `LOG_FLUSH_TIMEOUT` | `5000ms` | [`log_flush_timeout`](Config::log_flush_timeout) |
//! | `CONSOLE_LOG_LEVEL` | `info` | [`console_log_level`](Config::console_log_level) |
//! | `FILE_LOG_LEVEL` | `info` | [`file_log_level`](Config::file_log_level) |
//! | `ENABLE_EMOJIS` | `true` | [`enable_emojis`](Config::enable_emojis) |
//! | `ENABLE_USER_INFO` | `true` | [`enable_user_info`](Config::enable_user_info) |
//! | `ENABLE_TIMESTAMPS` | `true` | [`enable_timestamps`](Config::enable_timestamps) |
//! | `SLOW_REQUEST_THRESHOLD` | `1000ms` | [`slow_request_threshold`](Config::slow_request_threshold) |
//! | `VERY_SLOW_REQUEST_THRESHOLD` | `5000ms` | [`very_slow_request_threshold`](Config::very_slow_request_threshold) |
//! | `MASK_SENSITIVE_DATA` | `true` | [`mask_sensitive_data`](Config::mask_sensitive_data) |
//! | `SENSITIVE_FIELDS` | (empty) | [`sensitive_fields`](Config::sensitive_fields) |
//! | `MASK_STYLE` | `partial` | [`mask_style`](Config::mask_style) |
//! | `MAX_VALUE_LENGTH` | `2048` (2 KiB) | [`max_value_length`](Config::max_value_length) |
//! | `LOG_REQUEST_BODY` | `false` | [`log_request_body`](Config::log_request_body) |
//! | `LOG_RESPONSE_BODY` | `false` | [`log_response_body`](Config::log_response_body) |
//! | `MAX_REQUEST_BODY_SIZE` | `1048576` (1 MiB) | [`max_request_body_size`](Config::max_request_body_size) |
//! | `MAX_RESPONSE_BODY_SIZE` | `1048576` (1 MiB) | [`max_response_body_size`](Config::max_response_body_size) |
//! | `TRACK_ANONYMOUS_USERS` | `true` | [`track_anonymous_users`](Config::track_anonymous_users) |
//! | `USER_ID_HMAC_SECRET` | (none) | [`user_id_hmac_secret`](Config::user_id_hmac_secret) |
//! | `ANONYMIZE_IP` | `false` | [`anonymize_ip`](Config::anonymize_ip) |
//! | `TRUSTED_PROXIES` | (empty) | [`trusted_proxies`](Config::trusted_proxies) |
//! | `SKIP_PATHS` | `/health,/metrics` | [`skip_paths`](Config::skip_paths) |
//! | `SESSION_COOKIE` | `true` | [`session_cookie`](Config::session_cookie) |
//! | `SESSION_COOKIE_SECURE` | `false` | [`session_cookie_secure`](Config::session_cookie_secure) |
//! | `SESSION_LIFETIME` | `24h` | [`session_lifetime`](Config::session_lifetime) |
//! | `SESSION_IDLE_TIMEOUT` | `30m` | [`session_idle_timeout`](Config::session_idle_timeout) |
//! | `ENABLE_USAGE_METRICS` | `true` | [`enable_usage_metrics`](Config::enable_usage_metrics) |
//! | `USAGE_DB_PATH` | `logs/usage.db` | [`usage_db_path`](Config::usage_db_path) |
//! | `USAGE_DATABASE_URL` | (none) | [`usage_database_url`](Config::usage_database_url) |
//! | `USAGE_FLUSH_INTERVAL` | `10m` | [`usage_flush_interval`](Config::usage_flush_interval) |
//! | `USAGE_BASE_INTERVAL` | `hour` | [`usage_base_interval`](Config::usage_base_interval) |
//! | `USAGE_BASE_RETENTION_DAYS` | `7` | [`usage_base_retention_days`](Config::usage_base_retention_days) |
//! | `USAGE_RETENTION_DAYS` | `30` | [`usage_retention_days`](Config::usage_retention_days) |
//! | `USAGE_ERROR_RETENTION_DAYS` | `30` | [`usage_error_retention_days`](Config::usage_error_retention_days) |
//! | `USAGE_MAX_FEATURES` | `100` | [`usage_max_features`](Config::usage_max_features) |
//! | `NO_COLOR` | (unset: colors on) | [`no_color`](Config::no_color) |

mod cidr;
mod defaults;
mod error;
mod log_file;
mod mask_style;
mod names;
mod overflow_policy;
mod parse;
mod secret;
mod usage_interval;

// The inherent impl blocks of `Config`, declared in the order rustdoc lists them: the variables
// and how they are read, the rules, then the setters.
mod env;
mod validate;

mod settings;

pub use cidr::{InvalidCidr, IpCidr};
pub use defaults::*;
pub use error::ConfigError;
pub use log_file::{InvalidLogSetting, LogCompression, LogFormat, LogRotation};
pub use mask_style::{InvalidMaskStyle, MaskStyle};
pub use overflow_policy::{InvalidOverflowPolicy, OverflowPolicy};
pub use secret::Secret;
pub use settings::Config;
pub use usage_interval::{InvalidUsageInterval, UsageInterval};
