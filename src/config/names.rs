//! The names of the variables that the reader, the rules of `Config::validate` and `ConfigError`
//! all refer to. The others are written where they are read.

pub(super) const LOG_QUEUE_SIZE: &str = "LOG_QUEUE_SIZE";
pub(super) const VERY_SLOW_REQUEST_THRESHOLD: &str = "VERY_SLOW_REQUEST_THRESHOLD";
pub(super) const USER_ID_HMAC_SECRET: &str = "USER_ID_HMAC_SECRET";
pub(super) const MAX_VALUE_LENGTH: &str = "MAX_VALUE_LENGTH";
pub(super) const SESSION_LIFETIME: &str = "SESSION_LIFETIME";
pub(super) const SESSION_IDLE_TIMEOUT: &str = "SESSION_IDLE_TIMEOUT";
pub(super) const USAGE_FLUSH_INTERVAL: &str = "USAGE_FLUSH_INTERVAL";
pub(super) const USAGE_BASE_RETENTION_DAYS: &str = "USAGE_BASE_RETENTION_DAYS";
pub(super) const USAGE_RETENTION_DAYS: &str = "USAGE_RETENTION_DAYS";
pub(super) const USAGE_ERROR_RETENTION_DAYS: &str = "USAGE_ERROR_RETENTION_DAYS";
pub(super) const USAGE_MAX_FEATURES: &str = "USAGE_MAX_FEATURES";
