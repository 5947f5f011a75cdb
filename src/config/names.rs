//! The names of the variables that the reader, the rules of `Config::validate` and `ConfigError`
//! all refer to. The others are written where they are read.

pub(super) const LOG_QUEUE_SIZE: &str = "LOG_QUEUE_SIZE";
pub(super) const VERY_SLOW_REQUEST_THRESHOLD: &str = "VERY_SLOW_REQUEST_THRESHOLD";
pub(super) const USER_ID_HMAC_SECRET: &str = "USER_ID_HMAC_SECRET";
pub(super) const MAX_VALUE_LENGTH: &str = "MAX_VALUE_LENGTH";
pub(super) const SESSION_LIFETIME: &str = "SESSION_LIFETIME";
pub(super) const SESSION_IDLE_TIMEOUT: &str = "SESSION_IDLE_TIMEOUT";
