//! The rules a whole `Config` must follow: `Config::validate`.

use std::time::Duration;

use super::names::{
    LOG_QUEUE_SIZE, MAX_VALUE_LENGTH, SESSION_IDLE_TIMEOUT, SESSION_LIFETIME, USAGE_BASE_RETENTION_DAYS,
    USAGE_ERROR_RETENTION_DAYS, USAGE_FLUSH_INTERVAL, USAGE_MAX_FEATURES, USAGE_RETENTION_DAYS,
    USER_ID_HMAC_SECRET, VERY_SLOW_REQUEST_THRESHOLD,
};
use super::parse::{
    EXPECTED_MAX_AGE, EXPECTED_NONZERO_SIZE, EXPECTED_QUEUE_SIZE, EXPECTED_SESSION_TIME,
    EXPECTED_VALUE_LENGTH, MIN_VALUE_LENGTH, format_millis, parse_field_name, parse_skip_path,
};
use super::{Config, ConfigError, LogCompression};

const EXPECTED_NON_EMPTY: &str = "a non-empty value";
const EXPECTED_GZIP_FEATURE: &str = "none: this build has no gzip (the crate feature `gzip` adds it)";

impl Config {
    /// Checks the rules the parsers enforce that the setters cannot:
    /// `ENVIRONMENT` and `USER_ACTIVITY_LOG_PATH` are not empty,
    /// `LOG_FILE_MAX_SIZE` and `LOG_QUEUE_SIZE` are not zero, `LOG_MAX_AGE` is at least a
    /// second, `LOG_COMPRESS=gzip` needs the crate feature `gzip`,
    /// `VERY_SLOW_REQUEST_THRESHOLD` is at least `SLOW_REQUEST_THRESHOLD`,
    /// every sensitive field name and skip path is well formed,
    /// `MAX_VALUE_LENGTH` is at least 64, a secret, when present, is not
    /// empty, and `SESSION_LIFETIME` and `SESSION_IDLE_TIMEOUT` are at least
    /// one second, and the usage settings are in range (flush interval from one second to a
    /// day, retention days at least 1 with the base retention at most the daily one, 1 to
    /// 10000 features).
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
        if self.log_max_age.is_some_and(|age| age < Duration::from_secs(1)) {
            let age = self.log_max_age.map(format_millis).unwrap_or_default();
            return Err(ConfigError::new("LOG_MAX_AGE", format!("{age}ms"), EXPECTED_MAX_AGE));
        }
        if self.log_compress == LogCompression::Gzip && !cfg!(feature = "gzip") {
            return Err(ConfigError::new("LOG_COMPRESS", "gzip", EXPECTED_GZIP_FEATURE));
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
        if !(Duration::from_secs(1)..=Duration::from_secs(86_400)).contains(&self.usage_flush_interval) {
            return Err(ConfigError::new(
                USAGE_FLUSH_INTERVAL,
                format_millis(self.usage_flush_interval),
                "a duration from one second to one day",
            ));
        }
        for (variable, days) in [
            (USAGE_BASE_RETENTION_DAYS, self.usage_base_retention_days),
            (USAGE_RETENTION_DAYS, self.usage_retention_days),
            (USAGE_ERROR_RETENTION_DAYS, self.usage_error_retention_days),
        ] {
            if days == 0 {
                return Err(ConfigError::new(variable, "0", "a number of days, at least 1"));
            }
        }
        if self.usage_base_retention_days > self.usage_retention_days {
            return Err(ConfigError::new(
                USAGE_RETENTION_DAYS,
                self.usage_retention_days.to_string(),
                format!("at least USAGE_BASE_RETENTION_DAYS ({} days)", self.usage_base_retention_days),
            ));
        }
        if !(1..=10_000).contains(&self.usage_max_features) {
            return Err(ConfigError::new(
                USAGE_MAX_FEATURES,
                self.usage_max_features.to_string(),
                "a number of features from 1 to 10000",
            ));
        }
        Ok(())
    }
}
