//! The default of every setting: the `DEFAULT_*` constants and `Config::default`.

use std::path::PathBuf;
use std::time::Duration;

use tracing_subscriber::filter::LevelFilter;

use super::{
    Config, IpCidr, LogCompression, LogFormat, LogRotation, MaskStyle, OverflowPolicy, Secret, UsageInterval,
};

/// Default of `ENVIRONMENT`.
pub const DEFAULT_ENVIRONMENT: &str = "development";
/// Default of `ENABLE_CONSOLE_LOGGING`.
pub const DEFAULT_ENABLE_CONSOLE_LOGGING: bool = true;
/// Default of `ENABLE_FILE_LOGGING`.
pub const DEFAULT_ENABLE_FILE_LOGGING: bool = true;
/// Default of `ENABLE_JSON_LOGGING`.
pub const DEFAULT_ENABLE_JSON_LOGGING: bool = true;
/// Default of `LOG_FORMAT`: the crate's own JSON line.
pub const DEFAULT_LOG_FORMAT: LogFormat = LogFormat::Activity;
/// Default of `USER_ACTIVITY_LOG_PATH`.
pub const DEFAULT_USER_ACTIVITY_LOG_PATH: &str = "logs/user_activity.log";
/// Default of `LOG_FILE_MAX_SIZE`: 10 MiB.
pub const DEFAULT_LOG_FILE_MAX_SIZE: u64 = 10 * 1024 * 1024;
/// Default of `LOG_FILE_BACKUP_COUNT`.
pub const DEFAULT_LOG_FILE_BACKUP_COUNT: u32 = 5;
/// Default of `LOG_ROTATE_EVERY`: rotate by size only.
pub const DEFAULT_LOG_ROTATE_EVERY: LogRotation = LogRotation::Never;
/// Default of `LOG_MAX_AGE`: backups are kept whatever their age.
pub const DEFAULT_LOG_MAX_AGE: Option<Duration> = None;
/// Default of `LOG_COMPRESS`: plain backups.
pub const DEFAULT_LOG_COMPRESS: LogCompression = LogCompression::None;
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
/// Default of [`Config::enable_usage_metrics`]: actions are counted.
pub const DEFAULT_ENABLE_USAGE_METRICS: bool = true;
/// Default of [`Config::usage_db_path`].
pub const DEFAULT_USAGE_DB_PATH: &str = "logs/usage.db";
/// Default of [`Config::usage_flush_interval`]: 10 minutes.
pub const DEFAULT_USAGE_FLUSH_INTERVAL: Duration = Duration::from_secs(10 * 60);
/// Default of [`Config::usage_base_retention_days`].
pub const DEFAULT_USAGE_BASE_RETENTION_DAYS: u32 = 7;
/// Default of [`Config::usage_retention_days`].
pub const DEFAULT_USAGE_RETENTION_DAYS: u32 = 30;
/// Default of [`Config::usage_error_retention_days`].
pub const DEFAULT_USAGE_ERROR_RETENTION_DAYS: u32 = 30;
/// Default of [`Config::usage_max_features`].
pub const DEFAULT_USAGE_MAX_FEATURES: u32 = 100;

impl Default for Config {
    fn default() -> Self {
        Self {
            environment: DEFAULT_ENVIRONMENT.to_owned(),
            enable_console_logging: DEFAULT_ENABLE_CONSOLE_LOGGING,
            enable_file_logging: DEFAULT_ENABLE_FILE_LOGGING,
            enable_json_logging: DEFAULT_ENABLE_JSON_LOGGING,
            log_format: DEFAULT_LOG_FORMAT,
            user_activity_log_path: PathBuf::from(DEFAULT_USER_ACTIVITY_LOG_PATH),
            log_file_max_size: DEFAULT_LOG_FILE_MAX_SIZE,
            log_file_backup_count: DEFAULT_LOG_FILE_BACKUP_COUNT,
            log_rotate_every: DEFAULT_LOG_ROTATE_EVERY,
            log_max_age: DEFAULT_LOG_MAX_AGE,
            log_compress: DEFAULT_LOG_COMPRESS,
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
            enable_usage_metrics: DEFAULT_ENABLE_USAGE_METRICS,
            usage_db_path: Some(PathBuf::from(DEFAULT_USAGE_DB_PATH)),
            usage_database_url: None,
            usage_flush_interval: DEFAULT_USAGE_FLUSH_INTERVAL,
            usage_base_interval: UsageInterval::Hour,
            usage_base_retention_days: DEFAULT_USAGE_BASE_RETENTION_DAYS,
            usage_retention_days: DEFAULT_USAGE_RETENTION_DAYS,
            usage_error_retention_days: DEFAULT_USAGE_ERROR_RETENTION_DAYS,
            usage_max_features: DEFAULT_USAGE_MAX_FEATURES,
        }
    }
}

fn to_strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|&item| item.to_owned()).collect()
}
