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
//! - `USER_ACTIVITY_LOG_PATH`: the log file.
//! - `LOG_FILE_MAX_SIZE`: the size at which the log file is rotated; must be
//!   greater than zero.
//! - `LOG_FILE_BACKUP_COUNT`: how many rotated files are kept (`0` keeps none).
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
//! | `USER_ACTIVITY_LOG_PATH` | `logs/user_activity.log` | [`user_activity_log_path`](Config::user_activity_log_path) |
//! | `LOG_FILE_MAX_SIZE` | `10485760` (10 MiB) | [`log_file_max_size`](Config::log_file_max_size) |
//! | `LOG_FILE_BACKUP_COUNT` | `5` | [`log_file_backup_count`](Config::log_file_backup_count) |
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
//! | `NO_COLOR` | (unset: colors on) | [`no_color`](Config::no_color) |

use std::collections::HashMap;
use std::error::Error;
use std::fmt;
use std::net::IpAddr;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use tracing_subscriber::filter::LevelFilter;

/// Default of `ENVIRONMENT`.
pub const DEFAULT_ENVIRONMENT: &str = "development";
/// Default of `ENABLE_CONSOLE_LOGGING`.
pub const DEFAULT_ENABLE_CONSOLE_LOGGING: bool = true;
/// Default of `ENABLE_FILE_LOGGING`.
pub const DEFAULT_ENABLE_FILE_LOGGING: bool = true;
/// Default of `ENABLE_JSON_LOGGING`.
pub const DEFAULT_ENABLE_JSON_LOGGING: bool = true;
/// Default of `USER_ACTIVITY_LOG_PATH`.
pub const DEFAULT_USER_ACTIVITY_LOG_PATH: &str = "logs/user_activity.log";
/// Default of `LOG_FILE_MAX_SIZE`: 10 MiB.
pub const DEFAULT_LOG_FILE_MAX_SIZE: u64 = 10 * 1024 * 1024;
/// Default of `LOG_FILE_BACKUP_COUNT`.
pub const DEFAULT_LOG_FILE_BACKUP_COUNT: u32 = 5;
/// Default of `LOG_QUEUE_SIZE`: 16384 lines.
pub const DEFAULT_LOG_QUEUE_SIZE: usize = 16384;
/// Default of `LOG_QUEUE_OVERFLOW`: drop lines rather than wait.
pub const DEFAULT_LOG_QUEUE_OVERFLOW: OverflowPolicy = OverflowPolicy::Drop;
/// Default of `LOG_FLUSH_TIMEOUT`: five seconds.
pub const DEFAULT_LOG_FLUSH_TIMEOUT: Duration = Duration::from_millis(5000);
/// Default of `CONSOLE_LOG_LEVEL`.
pub const DEFAULT_CONSOLE_LOG_LEVEL: LevelFilter = LevelFilter::INFO;
/// Default of `FILE_LOG_LEVEL`.
pub const DEFAULT_FILE_LOG_LEVEL: LevelFilter = LevelFilter::INFO;
/// Default of `ENABLE_EMOJIS`.
pub const DEFAULT_ENABLE_EMOJIS: bool = true;
/// Default of `ENABLE_USER_INFO`.
pub const DEFAULT_ENABLE_USER_INFO: bool = true;
/// Default of `ENABLE_TIMESTAMPS`.
pub const DEFAULT_ENABLE_TIMESTAMPS: bool = true;
/// Default of `SLOW_REQUEST_THRESHOLD`: one second.
pub const DEFAULT_SLOW_REQUEST_THRESHOLD: Duration = Duration::from_millis(1000);
/// Default of `VERY_SLOW_REQUEST_THRESHOLD`: five seconds.
pub const DEFAULT_VERY_SLOW_REQUEST_THRESHOLD: Duration = Duration::from_millis(5000);
/// Default of `MASK_SENSITIVE_DATA`.
pub const DEFAULT_MASK_SENSITIVE_DATA: bool = true;
/// Default of `SENSITIVE_FIELDS`: none.
pub const DEFAULT_SENSITIVE_FIELDS: &[&str] = &[];
/// Default of `MASK_STYLE`: keep the first and last two characters of long
/// values.
pub const DEFAULT_MASK_STYLE: MaskStyle = MaskStyle::Partial;
/// Default of `MAX_VALUE_LENGTH`: 2048 bytes (2 KiB).
pub const DEFAULT_MAX_VALUE_LENGTH: u64 = 2048;
/// Default of `LOG_REQUEST_BODY`.
pub const DEFAULT_LOG_REQUEST_BODY: bool = false;
/// Default of `LOG_RESPONSE_BODY`.
pub const DEFAULT_LOG_RESPONSE_BODY: bool = false;
/// Default of `MAX_REQUEST_BODY_SIZE`: 1 MiB.
pub const DEFAULT_MAX_REQUEST_BODY_SIZE: u64 = 1024 * 1024;
/// Default of `MAX_RESPONSE_BODY_SIZE`: 1 MiB.
pub const DEFAULT_MAX_RESPONSE_BODY_SIZE: u64 = 1024 * 1024;
/// Default of `TRACK_ANONYMOUS_USERS`.
pub const DEFAULT_TRACK_ANONYMOUS_USERS: bool = true;
/// Default of `USER_ID_HMAC_SECRET`: no secret, user ids are logged as given.
pub const DEFAULT_USER_ID_HMAC_SECRET: Option<Secret> = None;
/// Default of `ANONYMIZE_IP`.
pub const DEFAULT_ANONYMIZE_IP: bool = false;
/// Default of `TRUSTED_PROXIES`: none.
pub const DEFAULT_TRUSTED_PROXIES: &[IpCidr] = &[];
/// Default of `SKIP_PATHS`.
pub const DEFAULT_SKIP_PATHS: &[&str] = &["/health", "/metrics"];
/// Default of `SESSION_COOKIE`: the HTTP middleware keeps browsers' sessions with a cookie.
pub const DEFAULT_SESSION_COOKIE: bool = true;
/// Default of `SESSION_COOKIE_SECURE`: the cookie is sent over plain HTTP too.
pub const DEFAULT_SESSION_COOKIE_SECURE: bool = false;
/// Default of `SESSION_LIFETIME`: 24 hours.
pub const DEFAULT_SESSION_LIFETIME: Duration = Duration::from_secs(24 * 3600);
/// Default of `SESSION_IDLE_TIMEOUT`: 30 minutes.
pub const DEFAULT_SESSION_IDLE_TIMEOUT: Duration = Duration::from_secs(30 * 60);
/// Default of [`Config::no_color`] (read from `NO_COLOR`): colors on.
pub const DEFAULT_NO_COLOR: bool = false;

const NO_COLOR: &str = "NO_COLOR";
const LOG_QUEUE_SIZE: &str = "LOG_QUEUE_SIZE";
const VERY_SLOW_REQUEST_THRESHOLD: &str = "VERY_SLOW_REQUEST_THRESHOLD";
const USER_ID_HMAC_SECRET: &str = "USER_ID_HMAC_SECRET";
const MAX_VALUE_LENGTH: &str = "MAX_VALUE_LENGTH";
const SESSION_LIFETIME: &str = "SESSION_LIFETIME";
const SESSION_IDLE_TIMEOUT: &str = "SESSION_IDLE_TIMEOUT";
/// The smallest `MAX_VALUE_LENGTH`, in bytes.
const MIN_VALUE_LENGTH: u64 = 64;
const REDACTED: &str = "[REDACTED]";

const EXPECTED_BOOL: &str = "a boolean: true, false, 1, 0, yes, no, on or off";
const EXPECTED_LEVEL: &str = "a level: trace, debug, info, warn, error or off";
const EXPECTED_SIZE: &str = "a size in bytes, such as 10485760, 10MB or 10MiB";
const EXPECTED_SIZE_IN_RANGE: &str = "a size in bytes no larger than 18446744073709551615";
const EXPECTED_NONZERO_SIZE: &str = "a size greater than zero, such as 10485760, 10MB or 10MiB";
const EXPECTED_MILLIS: &str = "a duration in milliseconds, such as 1000, 1000ms or 1.5s";
const EXPECTED_SESSION_TIME: &str = "a duration of at least one second, such as 30m or 24h";
const EXPECTED_MILLIS_IN_RANGE: &str = "a duration no longer than 18446744073709551615 seconds";
const EXPECTED_COUNT: &str = "a whole number from 0 to 4294967295";
const EXPECTED_QUEUE_SIZE: &str = "a number of lines, at least 1";
const EXPECTED_QUEUE_SIZE_IN_RANGE: &str = match usize::BITS {
    64 => "a number of lines from 1 to 18446744073709551615",
    32 => "a number of lines from 1 to 4294967295",
    _ => "a number of lines from 1 to 65535",
};
const EXPECTED_OVERFLOW_POLICY: &str = "drop or block";
const EXPECTED_MASK_STYLE: &str = "partial or full";
const EXPECTED_VALUE_LENGTH: &str = "a size of at least 64 bytes";
const EXPECTED_FIELD_NAME: &str =
    "comma-separated field names made of ASCII letters, digits, '_', '-' and '.'";
const EXPECTED_CIDR: &str =
    "comma-separated IP addresses or CIDR networks, such as 10.0.0.0/8, ::1/128 or 192.168.1.10";
const EXPECTED_PATH: &str = "comma-separated paths starting with '/', such as /health,/metrics";
const EXPECTED_UTF8: &str = "valid UTF-8 text";
const EXPECTED_NON_EMPTY: &str = "a non-empty value";

/// The configuration of the activity layer.
///
/// Build it with [`Config::from_env`], [`Config::from_vars`] or
/// [`Config::default`], then adjust it with the setters, which share the
/// fields' names. The [module documentation](self) describes the variables,
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
    /// The log file (`USER_ACTIVITY_LOG_PATH`, default `logs/user_activity.log`).
    pub user_activity_log_path: PathBuf,
    /// The size in bytes at which the log file is rotated; never zero
    /// (`LOG_FILE_MAX_SIZE`, default 10485760, that is 10 MiB).
    pub log_file_max_size: u64,
    /// How many rotated log files are kept; `0` keeps none
    /// (`LOG_FILE_BACKUP_COUNT`, default `5`).
    pub log_file_backup_count: u32,
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
}

impl Default for Config {
    fn default() -> Self {
        Self {
            environment: DEFAULT_ENVIRONMENT.to_owned(),
            enable_console_logging: DEFAULT_ENABLE_CONSOLE_LOGGING,
            enable_file_logging: DEFAULT_ENABLE_FILE_LOGGING,
            enable_json_logging: DEFAULT_ENABLE_JSON_LOGGING,
            user_activity_log_path: PathBuf::from(DEFAULT_USER_ACTIVITY_LOG_PATH),
            log_file_max_size: DEFAULT_LOG_FILE_MAX_SIZE,
            log_file_backup_count: DEFAULT_LOG_FILE_BACKUP_COUNT,
            log_queue_size: DEFAULT_LOG_QUEUE_SIZE,
            log_queue_overflow: DEFAULT_LOG_QUEUE_OVERFLOW,
            log_flush_timeout: DEFAULT_LOG_FLUSH_TIMEOUT,
            console_log_level: DEFAULT_CONSOLE_LOG_LEVEL,
            file_log_level: DEFAULT_FILE_LOG_LEVEL,
            enable_emojis: DEFAULT_ENABLE_EMOJIS,
            enable_user_info: DEFAULT_ENABLE_USER_INFO,
            enable_timestamps: DEFAULT_ENABLE_TIMESTAMPS,
            slow_request_threshold: DEFAULT_SLOW_REQUEST_THRESHOLD,
            very_slow_request_threshold: DEFAULT_VERY_SLOW_REQUEST_THRESHOLD,
            mask_sensitive_data: DEFAULT_MASK_SENSITIVE_DATA,
            sensitive_fields: to_strings(DEFAULT_SENSITIVE_FIELDS),
            mask_style: DEFAULT_MASK_STYLE,
            max_value_length: DEFAULT_MAX_VALUE_LENGTH,
            log_request_body: DEFAULT_LOG_REQUEST_BODY,
            log_response_body: DEFAULT_LOG_RESPONSE_BODY,
            max_request_body_size: DEFAULT_MAX_REQUEST_BODY_SIZE,
            max_response_body_size: DEFAULT_MAX_RESPONSE_BODY_SIZE,
            track_anonymous_users: DEFAULT_TRACK_ANONYMOUS_USERS,
            user_id_hmac_secret: DEFAULT_USER_ID_HMAC_SECRET,
            anonymize_ip: DEFAULT_ANONYMIZE_IP,
            trusted_proxies: DEFAULT_TRUSTED_PROXIES.to_vec(),
            skip_paths: to_strings(DEFAULT_SKIP_PATHS),
            session_cookie: DEFAULT_SESSION_COOKIE,
            session_cookie_secure: DEFAULT_SESSION_COOKIE_SECURE,
            session_lifetime: DEFAULT_SESSION_LIFETIME,
            session_idle_timeout: DEFAULT_SESSION_IDLE_TIMEOUT,
            no_color: DEFAULT_NO_COLOR,
        }
    }
}

fn to_strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|&item| item.to_owned()).collect()
}

impl Config {
    /// Every variable read, in the order of the module's "Default values"
    /// table. `NO_COLOR` is also read but is a cross-tool convention, so it is
    /// not listed.
    pub const VARIABLES: &'static [&'static str] = &[
        "ENVIRONMENT",
        "ENABLE_CONSOLE_LOGGING",
        "ENABLE_FILE_LOGGING",
        "ENABLE_JSON_LOGGING",
        "USER_ACTIVITY_LOG_PATH",
        "LOG_FILE_MAX_SIZE",
        "LOG_FILE_BACKUP_COUNT",
        LOG_QUEUE_SIZE,
        "LOG_QUEUE_OVERFLOW",
        "LOG_FLUSH_TIMEOUT",
        "CONSOLE_LOG_LEVEL",
        "FILE_LOG_LEVEL",
        "ENABLE_EMOJIS",
        "ENABLE_USER_INFO",
        "ENABLE_TIMESTAMPS",
        "SLOW_REQUEST_THRESHOLD",
        VERY_SLOW_REQUEST_THRESHOLD,
        "MASK_SENSITIVE_DATA",
        "SENSITIVE_FIELDS",
        "MASK_STYLE",
        MAX_VALUE_LENGTH,
        "LOG_REQUEST_BODY",
        "LOG_RESPONSE_BODY",
        "MAX_REQUEST_BODY_SIZE",
        "MAX_RESPONSE_BODY_SIZE",
        "TRACK_ANONYMOUS_USERS",
        USER_ID_HMAC_SECRET,
        "ANONYMIZE_IP",
        "TRUSTED_PROXIES",
        "SKIP_PATHS",
        "SESSION_COOKIE",
        "SESSION_COOKIE_SECURE",
        SESSION_LIFETIME,
        SESSION_IDLE_TIMEOUT,
    ];

    /// Reads the configuration from the process environment.
    ///
    /// Parses like [`Config::from_vars`]. Variables whose name is not valid
    /// UTF-8 are ignored; a known variable whose value is not valid UTF-8 is
    /// an error (except `NO_COLOR`, which only needs to be non-empty).
    ///
    /// ```
    /// // As if the service were started with `ENVIRONMENT=staging LOG_FILE_MAX_SIZE=1MiB`.
    /// unsafe { std::env::set_var("ENVIRONMENT", "staging") };
    /// unsafe { std::env::set_var("LOG_FILE_MAX_SIZE", "1MiB") };
    ///
    /// let config = tracing_activity::Config::from_env()?;
    /// assert_eq!((config.environment.as_str(), config.log_file_max_size), ("staging", 1024 * 1024));
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Returns the first variable (in [`Config::VARIABLES`] order) whose value
    /// is not valid, or a threshold error, as described for
    /// [`Config::from_vars`].
    pub fn from_env() -> Result<Self, ConfigError> {
        let mut vars = Vec::new();
        for (name, value) in std::env::vars_os() {
            let Some(name) = name.to_str().and_then(known_name) else {
                continue;
            };
            let value = match value.into_string() {
                Ok(value) => value,
                Err(value) if name == NO_COLOR => value.to_string_lossy().into_owned(),
                Err(value) => {
                    return Err(ConfigError::new(name, value.to_string_lossy(), EXPECTED_UTF8));
                }
            };
            vars.push((name, value));
        }
        Self::from_vars(vars)
    }

    /// Reads the configuration from `(name, value)` pairs instead of the
    /// process environment.
    ///
    /// Unknown names are ignored; when a name occurs more than once the last
    /// value wins (earlier ones are not even checked). Names not given keep
    /// their defaults.
    ///
    /// ```
    /// use tracing_activity::Config;
    ///
    /// let vars = [("ENVIRONMENT", "staging"), ("LOG_FILE_MAX_SIZE", "1MiB"), ("HOME", "/root")];
    /// let config = Config::from_vars(vars)?; // HOME is not one of Config::VARIABLES: ignored
    /// assert_eq!((config.environment.as_str(), config.log_file_max_size), ("staging", 1024 * 1024));
    ///
    /// let error = Config::from_vars([("ENABLE_EMOJIS", "maybe")]).unwrap_err();
    /// assert_eq!((error.variable(), error.value()), ("ENABLE_EMOJIS", "maybe"));
    /// # Ok::<(), tracing_activity::ConfigError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] for the first variable, in
    /// [`Config::VARIABLES`] order, whose value does not parse, or when the
    /// resulting configuration fails [`Config::validate`] (for example
    /// `VERY_SLOW_REQUEST_THRESHOLD` below `SLOW_REQUEST_THRESHOLD`).
    pub fn from_vars<I, K, V>(vars: I) -> Result<Self, ConfigError>
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let vars = RawVars::new(vars);
        let mut config = Self::default();
        let c = &mut config;

        vars.scalar("ENVIRONMENT", |v| Ok(v.to_owned()), &mut c.environment)?;
        vars.scalar("ENABLE_CONSOLE_LOGGING", parse_bool, &mut c.enable_console_logging)?;
        vars.scalar("ENABLE_FILE_LOGGING", parse_bool, &mut c.enable_file_logging)?;
        vars.scalar("ENABLE_JSON_LOGGING", parse_bool, &mut c.enable_json_logging)?;
        vars.scalar("USER_ACTIVITY_LOG_PATH", |v| Ok(PathBuf::from(v)), &mut c.user_activity_log_path)?;
        vars.scalar("LOG_FILE_MAX_SIZE", parse_nonzero_size, &mut c.log_file_max_size)?;
        vars.scalar("LOG_FILE_BACKUP_COUNT", parse_count, &mut c.log_file_backup_count)?;
        vars.scalar(LOG_QUEUE_SIZE, parse_queue_size, &mut c.log_queue_size)?;
        vars.scalar("LOG_QUEUE_OVERFLOW", parse_overflow_policy, &mut c.log_queue_overflow)?;
        vars.scalar("LOG_FLUSH_TIMEOUT", parse_millis, &mut c.log_flush_timeout)?;
        vars.scalar("CONSOLE_LOG_LEVEL", parse_level, &mut c.console_log_level)?;
        vars.scalar("FILE_LOG_LEVEL", parse_level, &mut c.file_log_level)?;
        vars.scalar("ENABLE_EMOJIS", parse_bool, &mut c.enable_emojis)?;
        vars.scalar("ENABLE_USER_INFO", parse_bool, &mut c.enable_user_info)?;
        vars.scalar("ENABLE_TIMESTAMPS", parse_bool, &mut c.enable_timestamps)?;
        vars.scalar("SLOW_REQUEST_THRESHOLD", parse_millis, &mut c.slow_request_threshold)?;
        vars.scalar(VERY_SLOW_REQUEST_THRESHOLD, parse_millis, &mut c.very_slow_request_threshold)?;
        vars.scalar("MASK_SENSITIVE_DATA", parse_bool, &mut c.mask_sensitive_data)?;
        vars.list("SENSITIVE_FIELDS", parse_field_name, &mut c.sensitive_fields)?;
        vars.scalar("MASK_STYLE", parse_mask_style, &mut c.mask_style)?;
        vars.scalar(MAX_VALUE_LENGTH, parse_value_length, &mut c.max_value_length)?;
        vars.scalar("LOG_REQUEST_BODY", parse_bool, &mut c.log_request_body)?;
        vars.scalar("LOG_RESPONSE_BODY", parse_bool, &mut c.log_response_body)?;
        vars.scalar("MAX_REQUEST_BODY_SIZE", parse_size, &mut c.max_request_body_size)?;
        vars.scalar("MAX_RESPONSE_BODY_SIZE", parse_size, &mut c.max_response_body_size)?;
        vars.scalar("TRACK_ANONYMOUS_USERS", parse_bool, &mut c.track_anonymous_users)?;
        vars.scalar(USER_ID_HMAC_SECRET, |v| Ok(Some(Secret::new(v))), &mut c.user_id_hmac_secret)?;
        vars.scalar("ANONYMIZE_IP", parse_bool, &mut c.anonymize_ip)?;
        vars.list("TRUSTED_PROXIES", parse_cidr, &mut c.trusted_proxies)?;
        vars.list("SKIP_PATHS", parse_skip_path, &mut c.skip_paths)?;
        vars.scalar("SESSION_COOKIE", parse_bool, &mut c.session_cookie)?;
        vars.scalar("SESSION_COOKIE_SECURE", parse_bool, &mut c.session_cookie_secure)?;
        vars.scalar(SESSION_LIFETIME, parse_session_time, &mut c.session_lifetime)?;
        vars.scalar(SESSION_IDLE_TIMEOUT, parse_session_time, &mut c.session_idle_timeout)?;
        c.no_color = vars.no_color();

        config.validate().map_err(|mut error| {
            // Show a duration as it was written rather than normalized.
            if [VERY_SLOW_REQUEST_THRESHOLD, SESSION_LIFETIME, SESSION_IDLE_TIMEOUT].contains(&error.variable)
            {
                let written = vars.value(error.variable);
                if let Some(written) = written.filter(|written| !written.is_empty()) {
                    written.clone_into(&mut error.value);
                }
            }
            error
        })?;
        Ok(config)
    }

    /// Checks the rules the parsers enforce that the setters cannot:
    /// `ENVIRONMENT` and `USER_ACTIVITY_LOG_PATH` are not empty,
    /// `LOG_FILE_MAX_SIZE` and `LOG_QUEUE_SIZE` are not zero,
    /// `VERY_SLOW_REQUEST_THRESHOLD` is at least `SLOW_REQUEST_THRESHOLD`,
    /// every sensitive field name and skip path is well formed,
    /// `MAX_VALUE_LENGTH` is at least 64, a secret, when present, is not
    /// empty, and `SESSION_LIFETIME` and `SESSION_IDLE_TIMEOUT` are at least
    /// one second.
    ///
    /// [`Config::from_env`] and [`Config::from_vars`] already call this; call
    /// it again after using setters if their values are not trusted.
    ///
    /// ```
    /// use std::time::Duration;
    ///
    /// // The default very-slow threshold (5 s) is now below the slow one.
    /// let config = tracing_activity::Config::default().slow_request_threshold(Duration::from_secs(10));
    /// assert_eq!(config.validate().unwrap_err().variable(), "VERY_SLOW_REQUEST_THRESHOLD");
    /// assert!(config.very_slow_request_threshold(Duration::from_secs(30)).validate().is_ok());
    /// ```
    ///
    /// # Errors
    ///
    /// Returns a [`ConfigError`] naming the variable of the first field that
    /// breaks a rule.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.environment.trim().is_empty() {
            return Err(ConfigError::new("ENVIRONMENT", &*self.environment, EXPECTED_NON_EMPTY));
        }
        if self.user_activity_log_path.as_os_str().is_empty() {
            return Err(ConfigError::new("USER_ACTIVITY_LOG_PATH", "", EXPECTED_NON_EMPTY));
        }
        if self.log_file_max_size == 0 {
            return Err(ConfigError::new("LOG_FILE_MAX_SIZE", "0", EXPECTED_NONZERO_SIZE));
        }
        if self.log_queue_size == 0 {
            return Err(ConfigError::new(LOG_QUEUE_SIZE, "0", EXPECTED_QUEUE_SIZE));
        }
        if self.very_slow_request_threshold < self.slow_request_threshold {
            return Err(ConfigError::new(
                VERY_SLOW_REQUEST_THRESHOLD,
                format!("{}ms", format_millis(self.very_slow_request_threshold)),
                format!(
                    "a duration of at least SLOW_REQUEST_THRESHOLD ({} ms)",
                    format_millis(self.slow_request_threshold)
                ),
            ));
        }
        for field in &self.sensitive_fields {
            parse_field_name(field)
                .map_err(|expected| ConfigError::new("SENSITIVE_FIELDS", &**field, expected))?;
        }
        if self.max_value_length < MIN_VALUE_LENGTH {
            return Err(ConfigError::new(
                MAX_VALUE_LENGTH,
                self.max_value_length.to_string(),
                EXPECTED_VALUE_LENGTH,
            ));
        }
        for path in &self.skip_paths {
            parse_skip_path(path).map_err(|expected| ConfigError::new("SKIP_PATHS", &**path, expected))?;
        }
        if self.user_id_hmac_secret.as_ref().is_some_and(|secret| secret.expose().is_empty()) {
            return Err(ConfigError::new(USER_ID_HMAC_SECRET, "", EXPECTED_NON_EMPTY));
        }
        for (variable, time) in
            [(SESSION_LIFETIME, self.session_lifetime), (SESSION_IDLE_TIMEOUT, self.session_idle_timeout)]
        {
            if time < Duration::from_secs(1) {
                return Err(ConfigError::new(variable, format_millis(time), EXPECTED_SESSION_TIME));
            }
        }
        Ok(())
    }

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
}

/// The known variables given to [`Config::from_vars`], last value winning.
struct RawVars(HashMap<&'static str, String>);

impl RawVars {
    fn new<I, K, V>(vars: I) -> Self
    where
        I: IntoIterator<Item = (K, V)>,
        K: AsRef<str>,
        V: AsRef<str>,
    {
        let map = vars
            .into_iter()
            .filter_map(|(name, value)| Some((known_name(name.as_ref())?, value.as_ref().to_owned())))
            .collect();
        Self(map)
    }

    /// The trimmed value of `name`, if it was given.
    fn value(&self, name: &'static str) -> Option<&str> {
        debug_assert!(known_name(name).is_some(), "{name} is not in Config::VARIABLES");
        self.0.get(name).map(|value| value.trim())
    }

    /// Parses a scalar variable into `field`; an absent or empty value leaves
    /// `field` as it is.
    fn scalar<T>(
        &self,
        name: &'static str,
        parse: impl FnOnce(&str) -> Result<T, &'static str>,
        field: &mut T,
    ) -> Result<(), ConfigError> {
        if let Some(value) = self.value(name).filter(|value| !value.is_empty()) {
            *field = parse(value).map_err(|expected| ConfigError::new(name, value, expected))?;
        }
        Ok(())
    }

    /// Parses a list variable into `field`; an empty value is the empty list
    /// and an absent one leaves `field` as it is.
    fn list<T>(
        &self,
        name: &'static str,
        parse_item: impl FnMut(&str) -> Result<T, &'static str>,
        field: &mut Vec<T>,
    ) -> Result<(), ConfigError> {
        if let Some(value) = self.value(name) {
            *field = parse_list(value, parse_item)
                .map_err(|(item, expected)| ConfigError::new(name, item, expected))?;
        }
        Ok(())
    }

    /// The no-color.org rule: present and not empty, whatever the value.
    fn no_color(&self) -> bool {
        self.0.get(NO_COLOR).is_some_and(|value| !value.is_empty())
    }
}

/// The static spelling of a variable this module reads.
fn known_name(name: &str) -> Option<&'static str> {
    Config::VARIABLES.iter().copied().chain([NO_COLOR]).find(|&known| known == name)
}

/// Parses a boolean: `true`/`false`, `1`/`0`, `yes`/`no`, `on`/`off`, in any
/// case. The error is what was expected.
pub(crate) fn parse_bool(value: &str) -> Result<bool, &'static str> {
    match value.trim().to_ascii_lowercase().as_str() {
        "true" | "1" | "yes" | "on" => Ok(true),
        "false" | "0" | "no" | "off" => Ok(false),
        _ => Err(EXPECTED_BOOL),
    }
}

/// Parses a level filter: `trace`, `debug`, `info`, `warn`/`warning`,
/// `error` or `off`, in any case. The error is what was expected.
pub(crate) fn parse_level(value: &str) -> Result<LevelFilter, &'static str> {
    match value.trim().to_ascii_lowercase().as_str() {
        "trace" => Ok(LevelFilter::TRACE),
        "debug" => Ok(LevelFilter::DEBUG),
        "info" => Ok(LevelFilter::INFO),
        "warn" | "warning" => Ok(LevelFilter::WARN),
        "error" => Ok(LevelFilter::ERROR),
        "off" => Ok(LevelFilter::OFF),
        _ => Err(EXPECTED_LEVEL),
    }
}

/// Parses a size in bytes: digits, then optionally (after optional
/// whitespace) `B`, `KB`, `MB`, `GB` (powers of 1000) or `KiB`, `MiB`, `GiB`
/// (powers of 1024), in any case. The error is what was expected.
pub(crate) fn parse_size(value: &str) -> Result<u64, &'static str> {
    let value = value.trim();
    let digits_end = value.find(|c: char| !c.is_ascii_digit()).unwrap_or(value.len());
    let (number, unit) = value.split_at(digits_end);
    if number.is_empty() {
        return Err(EXPECTED_SIZE);
    }
    let multiplier: u64 = match unit.trim_start().to_ascii_lowercase().as_str() {
        "" | "b" => 1,
        "kb" => 1000,
        "mb" => 1000 * 1000,
        "gb" => 1000 * 1000 * 1000,
        "kib" => 1024,
        "mib" => 1024 * 1024,
        "gib" => 1024 * 1024 * 1024,
        _ => return Err(EXPECTED_SIZE),
    };
    number.parse::<u64>().ok().and_then(|number| number.checked_mul(multiplier)).ok_or(EXPECTED_SIZE_IN_RANGE)
}

/// [`parse_size`], rejecting zero.
fn parse_nonzero_size(value: &str) -> Result<u64, &'static str> {
    match parse_size(value)? {
        0 => Err(EXPECTED_NONZERO_SIZE),
        size => Ok(size),
    }
}

/// [`parse_size`], rejecting sizes below 64 bytes.
fn parse_value_length(value: &str) -> Result<u64, &'static str> {
    match parse_size(value)? {
        size if size < MIN_VALUE_LENGTH => Err(EXPECTED_VALUE_LENGTH),
        size => Ok(size),
    }
}

/// Parses a whole number from 0 to `u32::MAX` (digits only, no sign). The
/// error is what was expected.
pub(crate) fn parse_count(value: &str) -> Result<u32, &'static str> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EXPECTED_COUNT);
    }
    value.parse().map_err(|_| EXPECTED_COUNT)
}

/// Parses a queue size: a number of lines from 1 to `usize::MAX` (digits
/// only, no sign). The error is what was expected.
pub(crate) fn parse_queue_size(value: &str) -> Result<usize, &'static str> {
    let value = value.trim();
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(EXPECTED_QUEUE_SIZE);
    }
    match value.parse::<usize>() {
        Ok(0) => Err(EXPECTED_QUEUE_SIZE),
        Ok(size) => Ok(size),
        Err(_) => Err(EXPECTED_QUEUE_SIZE_IN_RANGE),
    }
}

/// Parses an overflow policy: `drop` or `block`, in any case. The error is
/// what was expected.
pub(crate) fn parse_overflow_policy(value: &str) -> Result<OverflowPolicy, &'static str> {
    value.trim().parse().map_err(|_| EXPECTED_OVERFLOW_POLICY)
}

/// Parses a mask style: `partial` or `full`, in any case. The error is what
/// was expected.
pub(crate) fn parse_mask_style(value: &str) -> Result<MaskStyle, &'static str> {
    value.trim().parse().map_err(|_| EXPECTED_MASK_STYLE)
}

/// Parses a non-negative number of milliseconds, whole or decimal,
/// optionally followed (after optional whitespace) by `ms` or `s` in any
/// case: `1000`, `1000ms`, `1.5s`. Digits beyond nanosecond precision are
/// dropped. The error is what was expected.
pub(crate) fn parse_millis(value: &str) -> Result<Duration, &'static str> {
    const NANOS_PER_MILLI: u128 = 1_000_000;
    const NANOS_PER_SEC: u128 = 1_000_000_000;

    let value = value.trim().to_ascii_lowercase();
    let (number, nanos_per_unit) = if let Some(number) = value.strip_suffix("ms") {
        (number, NANOS_PER_MILLI)
    } else if let Some(number) = value.strip_suffix('s') {
        (number, NANOS_PER_SEC)
    } else {
        (value.as_str(), NANOS_PER_MILLI)
    };
    let number = number.trim_end();
    let (whole, fraction) = number.split_once('.').unwrap_or((number, "0"));
    let all_digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !all_digits(whole) || !all_digits(fraction) {
        return Err(EXPECTED_MILLIS);
    }

    // Nine fractional digits are exact to the nanosecond even in seconds.
    let fraction = &fraction[..fraction.len().min(9)];
    let scale = 10u128.pow(fraction.len() as u32);
    let fraction: u128 = fraction.parse().map_err(|_| EXPECTED_MILLIS)?;
    let nanos = whole
        .parse::<u128>()
        .ok()
        .and_then(|whole| whole.checked_mul(nanos_per_unit))
        .and_then(|nanos| nanos.checked_add(fraction * nanos_per_unit / scale))
        .ok_or(EXPECTED_MILLIS_IN_RANGE)?;
    let secs = u64::try_from(nanos / NANOS_PER_SEC).map_err(|_| EXPECTED_MILLIS_IN_RANGE)?;
    let subsec_nanos = (nanos % NANOS_PER_SEC) as u32; // < 1e9, fits
    Ok(Duration::new(secs, subsec_nanos))
}

/// Parses a session time: what [`parse_millis`] takes, or a number of minutes (`30m`) or hours
/// (`24h`), in any case. The error is what was expected.
fn parse_session_time(value: &str) -> Result<Duration, &'static str> {
    let value = value.trim();
    let lower = value.to_ascii_lowercase();
    let minutes_or_hours = if lower.ends_with('h') {
        Some(3600)
    } else if lower.ends_with('m') && !lower.ends_with("ms") {
        Some(60)
    } else {
        None
    };
    let time = match minutes_or_hours {
        None => parse_millis(value),
        Some(seconds) => parse_millis(&format!("{}s", value[..value.len() - 1].trim_end()))
            .and_then(|number| number.checked_mul(seconds).ok_or(EXPECTED_MILLIS_IN_RANGE)),
    };
    time.map_err(|_| EXPECTED_SESSION_TIME)
}

/// Splits a comma-separated list, trims the items, drops empty ones and
/// parses the rest with `parse_item`. The error is the offending item and
/// what was expected.
pub(crate) fn parse_list<T>(
    value: &str,
    mut parse_item: impl FnMut(&str) -> Result<T, &'static str>,
) -> Result<Vec<T>, (&str, &'static str)> {
    value
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
        .map(|item| parse_item(item).map_err(|expected| (item, expected)))
        .collect()
}

/// A `SENSITIVE_FIELDS` item: ASCII letters, digits, `_`, `-` and `.`.
fn parse_field_name(item: &str) -> Result<String, &'static str> {
    let valid = |c: char| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.');
    if !item.is_empty() && item.chars().all(valid) { Ok(item.to_owned()) } else { Err(EXPECTED_FIELD_NAME) }
}

/// A `TRUSTED_PROXIES` item.
fn parse_cidr(item: &str) -> Result<IpCidr, &'static str> {
    item.parse().map_err(|_| EXPECTED_CIDR)
}

/// A `SKIP_PATHS` item: starts with `/`.
fn parse_skip_path(item: &str) -> Result<String, &'static str> {
    if item.starts_with('/') { Ok(item.to_owned()) } else { Err(EXPECTED_PATH) }
}

/// Milliseconds with as many decimals as needed: `1000`, `1500.25`.
fn format_millis(duration: Duration) -> String {
    let nanos = duration.as_nanos();
    let (millis, rest) = (nanos / 1_000_000, nanos % 1_000_000);
    if rest == 0 {
        millis.to_string()
    } else {
        let decimals = format!("{rest:06}");
        format!("{millis}.{}", decimals.trim_end_matches('0'))
    }
}

/// A configuration variable with a value that could not be used.
///
/// Its `Display` reads like
/// `invalid value "banana" for LOG_FILE_MAX_SIZE: expected a size in bytes, such as 10485760, 10MB or 10MiB`;
/// the value is escaped as in Rust's `{:?}`, so control characters cannot
/// forge log or terminal output. The value of `USER_ID_HMAC_SECRET` is never
/// kept: it reads `[REDACTED]`.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct ConfigError {
    variable: &'static str,
    value: String,
    expected: String,
}

impl ConfigError {
    /// An error for `variable`; the value of `USER_ID_HMAC_SECRET` is
    /// replaced by `[REDACTED]`.
    pub(crate) fn new(variable: &'static str, value: impl Into<String>, expected: impl Into<String>) -> Self {
        let value = if variable == USER_ID_HMAC_SECRET { REDACTED.to_owned() } else { value.into() };
        Self { variable, value, expected: expected.into() }
    }

    /// The variable's name, such as `LOG_FILE_MAX_SIZE`.
    #[must_use]
    pub fn variable(&self) -> &str {
        self.variable
    }

    /// The offending value, trimmed; for a list, the offending item. For
    /// `USER_ID_HMAC_SECRET` it is `[REDACTED]`.
    #[must_use]
    pub fn value(&self) -> &str {
        &self.value
    }

    /// What a valid value looks like, such as
    /// `a size in bytes, such as 10485760, 10MB or 10MiB`.
    #[must_use]
    pub fn expected(&self) -> &str {
        &self.expected
    }
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid value {:?} for {}: expected {}", self.value, self.variable, self.expected)
    }
}

impl Error for ConfigError {}

/// A secret string: the key user ids are hashed with.
///
/// `Debug` prints `Secret("[REDACTED]")` and there is deliberately no
/// `Display`; call [`Secret::expose`] where the key itself is needed.
///
/// ```
/// let secret = tracing_activity::Secret::new("hunter2");
/// assert_eq!(format!("{secret:?}"), r#"Secret("[REDACTED]")"#);
/// assert_eq!(secret.expose(), "hunter2");
/// ```
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    /// Wraps `secret`.
    #[must_use]
    pub fn new(secret: impl Into<String>) -> Self {
        Self(secret.into())
    }

    /// The secret itself. Keep it out of logs.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Secret").field(&REDACTED).finish()
    }
}

impl From<String> for Secret {
    fn from(secret: String) -> Self {
        Self(secret)
    }
}

impl From<&str> for Secret {
    fn from(secret: &str) -> Self {
        Self(secret.to_owned())
    }
}

/// What the log file's background writer does with a line that finds its
/// queue (of `LOG_QUEUE_SIZE` lines) full: the `LOG_QUEUE_OVERFLOW` variable.
///
/// Parses from `drop` or `block` in any case, and displays as `drop` or
/// `block`.
///
/// ```
/// use tracing_activity::config::OverflowPolicy;
///
/// assert_eq!("Block".parse(), Ok(OverflowPolicy::Block));
/// assert_eq!(OverflowPolicy::default(), OverflowPolicy::Drop);
/// assert_eq!(OverflowPolicy::Drop.to_string(), "drop");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum OverflowPolicy {
    /// The line is dropped and counted; once there is room again a notice
    /// line, `N activity lines dropped: queue full`, is written into the
    /// file. The application never waits on the disk.
    #[default]
    Drop,
    /// The logging thread waits for room. Nothing is dropped, but a slow disk
    /// slows the application down.
    Block,
}

impl OverflowPolicy {
    /// The policy's name as it is written in `LOG_QUEUE_OVERFLOW`: `drop` or
    /// `block`.
    const fn name(self) -> &'static str {
        match self {
            Self::Drop => "drop",
            Self::Block => "block",
        }
    }
}

impl FromStr for OverflowPolicy {
    type Err = InvalidOverflowPolicy;

    /// Parses `drop` or `block`, in any case (surrounding whitespace is not
    /// accepted).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Drop, Self::Block]
            .into_iter()
            .find(|policy| s.eq_ignore_ascii_case(policy.name()))
            .ok_or(InvalidOverflowPolicy(()))
    }
}

impl fmt::Display for OverflowPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Why a string is not an [`OverflowPolicy`]: it is neither `drop` nor
/// `block`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidOverflowPolicy(());

impl fmt::Display for InvalidOverflowPolicy {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid overflow policy: expected {EXPECTED_OVERFLOW_POLICY}")
    }
}

impl Error for InvalidOverflowPolicy {}

/// How the value of a sensitive field is masked: the `MASK_STYLE` variable.
///
/// Parses from `partial` or `full` in any case, and displays as `partial` or
/// `full`.
///
/// ```
/// use tracing_activity::config::MaskStyle;
///
/// assert_eq!("FULL".parse(), Ok(MaskStyle::Full));
/// assert_eq!(MaskStyle::default(), MaskStyle::Partial);
/// assert_eq!(MaskStyle::Partial.to_string(), "partial");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum MaskStyle {
    /// The default style: a value longer than 8 characters keeps its first 2
    /// and last 2 characters around a fixed `*******` (`mypassword123` becomes
    /// `my*******23`); a value of 8 characters or fewer becomes `****`. The
    /// fixed width never tells the value's length.
    #[default]
    Partial,
    /// Every masked value becomes `[REDACTED]`.
    Full,
}

impl MaskStyle {
    /// The style's name as it is written in `MASK_STYLE`: `partial` or `full`.
    const fn name(self) -> &'static str {
        match self {
            Self::Partial => "partial",
            Self::Full => "full",
        }
    }
}

impl FromStr for MaskStyle {
    type Err = InvalidMaskStyle;

    /// Parses `partial` or `full`, in any case (surrounding whitespace is not
    /// accepted).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        [Self::Partial, Self::Full]
            .into_iter()
            .find(|style| s.eq_ignore_ascii_case(style.name()))
            .ok_or(InvalidMaskStyle(()))
    }
}

impl fmt::Display for MaskStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.name())
    }
}

/// Why a string is not a [`MaskStyle`]: it is neither `partial` nor `full`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InvalidMaskStyle(());

impl fmt::Display for InvalidMaskStyle {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "invalid mask style: expected {EXPECTED_MASK_STYLE}")
    }
}

impl Error for InvalidMaskStyle {}

/// An IP network in CIDR notation, such as `10.0.0.0/8` or `2001:db8::/32`.
///
/// The address is masked to the prefix (`10.1.2.3/8` is `10.0.0.0/8`). Parsing
/// accepts a bare address as a single host (`/32` or `/128`); `Display`
/// always shows the prefix.
///
/// ```
/// use std::net::IpAddr;
/// use tracing_activity::IpCidr;
///
/// let network: IpCidr = "10.0.0.0/8".parse().unwrap();
/// assert!(network.contains("10.20.30.40".parse::<IpAddr>().unwrap()));
/// assert!(network.contains("::ffff:10.20.30.40".parse::<IpAddr>().unwrap()));
/// assert!(!network.contains("192.168.1.1".parse::<IpAddr>().unwrap()));
/// assert_eq!(network.to_string(), "10.0.0.0/8");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct IpCidr {
    addr: IpAddr,
    prefix: u8,
}

impl IpCidr {
    /// The network of `addr` with a `prefix`-bit mask; host bits of `addr`
    /// are cleared.
    ///
    /// # Errors
    ///
    /// Returns [`InvalidCidr`] if `prefix` is over 32 for an IPv4 address or
    /// over 128 for an IPv6 address.
    pub fn new(addr: IpAddr, prefix: u8) -> Result<Self, InvalidCidr> {
        let max = max_prefix(addr);
        if prefix > max {
            return Err(InvalidCidr::Prefix { max });
        }
        let addr = match addr {
            IpAddr::V4(v4) => IpAddr::V4((u32::from(v4) & mask_u32(prefix)).into()),
            IpAddr::V6(v6) => IpAddr::V6((u128::from(v6) & mask_u128(prefix)).into()),
        };
        Ok(Self { addr, prefix })
    }

    /// The network address (host bits cleared).
    #[must_use]
    pub const fn addr(&self) -> IpAddr {
        self.addr
    }

    /// The prefix length in bits.
    #[must_use]
    pub const fn prefix(&self) -> u8 {
        self.prefix
    }

    /// Whether `ip` is in this network. An IPv4-mapped IPv6 address
    /// (`::ffff:a.b.c.d`, as reported by dual-stack sockets) is in an IPv4
    /// network when `a.b.c.d` is; a plain IPv4 address is never in an IPv6
    /// network.
    #[must_use]
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, ip) {
            (IpAddr::V4(network), IpAddr::V4(ip)) => {
                u32::from(ip) & mask_u32(self.prefix) == u32::from(network)
            }
            (IpAddr::V4(_), IpAddr::V6(ip)) => {
                ip.to_ipv4_mapped().is_some_and(|ip| self.contains(IpAddr::V4(ip)))
            }
            (IpAddr::V6(network), IpAddr::V6(ip)) => {
                u128::from(ip) & mask_u128(self.prefix) == u128::from(network)
            }
            (IpAddr::V6(_), IpAddr::V4(_)) => false,
        }
    }
}

fn max_prefix(addr: IpAddr) -> u8 {
    if addr.is_ipv4() { 32 } else { 128 }
}

fn mask_u32(prefix: u8) -> u32 {
    u32::MAX.checked_shl(32 - u32::from(prefix)).unwrap_or(0)
}

fn mask_u128(prefix: u8) -> u128 {
    u128::MAX.checked_shl(128 - u32::from(prefix)).unwrap_or(0)
}

impl FromStr for IpCidr {
    type Err = InvalidCidr;

    /// Parses `address/prefix` or a bare address (a single host).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (addr, prefix) = match s.split_once('/') {
            Some((addr, prefix)) => (addr, Some(prefix)),
            None => (s, None),
        };
        let addr: IpAddr = addr.parse().map_err(|_| InvalidCidr::Address)?;
        let prefix = match prefix {
            None => max_prefix(addr),
            Some(prefix) if !prefix.is_empty() && prefix.bytes().all(|b| b.is_ascii_digit()) => {
                prefix.parse().map_err(|_| InvalidCidr::Prefix { max: max_prefix(addr) })?
            }
            Some(_) => {
                return Err(InvalidCidr::Prefix { max: max_prefix(addr) });
            }
        };
        Self::new(addr, prefix)
    }
}

impl fmt::Display for IpCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.prefix)
    }
}

/// Why an [`IpCidr`] could not be made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum InvalidCidr {
    /// The address part is not an IPv4 or IPv6 address.
    Address,
    /// The prefix is not a number from 0 to `max`.
    Prefix {
        /// 32 for IPv4, 128 for IPv6.
        max: u8,
    },
}

impl fmt::Display for InvalidCidr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Address => f.write_str("invalid IP network: the address is not an IP address"),
            Self::Prefix { max } => {
                write!(f, "invalid IP network: the prefix length must be a number from 0 to {max}")
            }
        }
    }
}

impl Error for InvalidCidr {}
