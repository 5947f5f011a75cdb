//! Reading the configuration from variables: `Config::from_env`, `Config::from_vars` and the
//! list of variables they know.

use std::collections::HashMap;
use std::path::PathBuf;

use super::names::{
    LOG_QUEUE_SIZE, MAX_VALUE_LENGTH, SESSION_IDLE_TIMEOUT, SESSION_LIFETIME, USAGE_BASE_RETENTION_DAYS,
    USAGE_ERROR_RETENTION_DAYS, USAGE_FLUSH_INTERVAL, USAGE_MAX_FEATURES, USAGE_RETENTION_DAYS,
    USER_ID_HMAC_SECRET, VERY_SLOW_REQUEST_THRESHOLD,
};
use super::parse::{
    parse_bool, parse_cidr, parse_count, parse_field_name, parse_level, parse_list, parse_log_compression,
    parse_log_format, parse_log_rotation, parse_mask_style, parse_max_age, parse_millis, parse_nonzero_size,
    parse_overflow_policy, parse_postgres_url, parse_queue_size, parse_session_time, parse_size,
    parse_skip_path, parse_usage_db_path, parse_usage_interval, parse_value_length,
};
use super::{Config, ConfigError, Secret};

const NO_COLOR: &str = "NO_COLOR";

const EXPECTED_UTF8: &str = "valid UTF-8 text";

/// What an error shows of a value that may be a secret.
const HIDDEN: &str = "(hidden)";

impl Config {
    /// Every variable read, in the order of the module's "Default values"
    /// table. `NO_COLOR` is also read but is a cross-tool convention, so it is
    /// not listed.
    pub const VARIABLES: &'static [&'static str] = &names::<{ READERS.len() }>();

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
        for &(name, read) in READERS {
            read(&vars, name, &mut config)?;
        }
        config.no_color = vars.no_color();

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
}

/// Parses the value of the variable it is given, if any, into its field of a [`Config`].
type Read = fn(&RawVars, &'static str, &mut Config) -> Result<(), ConfigError>;

/// Every variable [`Config::from_vars`] reads except `NO_COLOR`, in the order it reads them, with
/// the parser and the field of each. [`Config::VARIABLES`] is its first column.
const READERS: &[(&str, Read)] = &[
    ("ENVIRONMENT", |vars, name, c| vars.scalar(name, |v| Ok(v.to_owned()), &mut c.environment)),
    ("ENABLE_CONSOLE_LOGGING", |vars, name, c| vars.scalar(name, parse_bool, &mut c.enable_console_logging)),
    ("ENABLE_FILE_LOGGING", |vars, name, c| vars.scalar(name, parse_bool, &mut c.enable_file_logging)),
    ("ENABLE_JSON_LOGGING", |vars, name, c| vars.scalar(name, parse_bool, &mut c.enable_json_logging)),
    ("LOG_FORMAT", |vars, name, c| vars.scalar(name, parse_log_format, &mut c.log_format)),
    ("USER_ACTIVITY_LOG_PATH", |vars, name, c| {
        vars.scalar(name, |v| Ok(PathBuf::from(v)), &mut c.user_activity_log_path)
    }),
    ("LOG_FILE_MAX_SIZE", |vars, name, c| vars.scalar(name, parse_nonzero_size, &mut c.log_file_max_size)),
    ("LOG_FILE_BACKUP_COUNT", |vars, name, c| vars.scalar(name, parse_count, &mut c.log_file_backup_count)),
    ("LOG_ROTATE_EVERY", |vars, name, c| vars.scalar(name, parse_log_rotation, &mut c.log_rotate_every)),
    ("LOG_MAX_AGE", |vars, name, c| vars.scalar(name, parse_max_age, &mut c.log_max_age)),
    ("LOG_COMPRESS", |vars, name, c| vars.scalar(name, parse_log_compression, &mut c.log_compress)),
    (LOG_QUEUE_SIZE, |vars, name, c| vars.scalar(name, parse_queue_size, &mut c.log_queue_size)),
    ("LOG_QUEUE_OVERFLOW", |vars, name, c| {
        vars.scalar(name, parse_overflow_policy, &mut c.log_queue_overflow)
    }),
    ("LOG_FLUSH_TIMEOUT", |vars, name, c| vars.scalar(name, parse_millis, &mut c.log_flush_timeout)),
    ("CONSOLE_LOG_LEVEL", |vars, name, c| vars.scalar(name, parse_level, &mut c.console_log_level)),
    ("FILE_LOG_LEVEL", |vars, name, c| vars.scalar(name, parse_level, &mut c.file_log_level)),
    ("ENABLE_EMOJIS", |vars, name, c| vars.scalar(name, parse_bool, &mut c.enable_emojis)),
    ("ENABLE_USER_INFO", |vars, name, c| vars.scalar(name, parse_bool, &mut c.enable_user_info)),
    ("ENABLE_TIMESTAMPS", |vars, name, c| vars.scalar(name, parse_bool, &mut c.enable_timestamps)),
    ("SLOW_REQUEST_THRESHOLD", |vars, name, c| {
        vars.scalar(name, parse_millis, &mut c.slow_request_threshold)
    }),
    (VERY_SLOW_REQUEST_THRESHOLD, |vars, name, c| {
        vars.scalar(name, parse_millis, &mut c.very_slow_request_threshold)
    }),
    ("MASK_SENSITIVE_DATA", |vars, name, c| vars.scalar(name, parse_bool, &mut c.mask_sensitive_data)),
    ("SENSITIVE_FIELDS", |vars, name, c| vars.list(name, parse_field_name, &mut c.sensitive_fields)),
    ("MASK_STYLE", |vars, name, c| vars.scalar(name, parse_mask_style, &mut c.mask_style)),
    (MAX_VALUE_LENGTH, |vars, name, c| vars.scalar(name, parse_value_length, &mut c.max_value_length)),
    ("LOG_REQUEST_BODY", |vars, name, c| vars.scalar(name, parse_bool, &mut c.log_request_body)),
    ("LOG_RESPONSE_BODY", |vars, name, c| vars.scalar(name, parse_bool, &mut c.log_response_body)),
    ("MAX_REQUEST_BODY_SIZE", |vars, name, c| vars.scalar(name, parse_size, &mut c.max_request_body_size)),
    ("MAX_RESPONSE_BODY_SIZE", |vars, name, c| vars.scalar(name, parse_size, &mut c.max_response_body_size)),
    ("TRACK_ANONYMOUS_USERS", |vars, name, c| vars.scalar(name, parse_bool, &mut c.track_anonymous_users)),
    (USER_ID_HMAC_SECRET, |vars, name, c| {
        vars.scalar(name, |v| Ok(Some(Secret::new(v))), &mut c.user_id_hmac_secret)
    }),
    ("ANONYMIZE_IP", |vars, name, c| vars.scalar(name, parse_bool, &mut c.anonymize_ip)),
    ("TRUSTED_PROXIES", |vars, name, c| vars.list(name, parse_cidr, &mut c.trusted_proxies)),
    ("SKIP_PATHS", |vars, name, c| vars.list(name, parse_skip_path, &mut c.skip_paths)),
    ("SESSION_COOKIE", |vars, name, c| vars.scalar(name, parse_bool, &mut c.session_cookie)),
    ("SESSION_COOKIE_SECURE", |vars, name, c| vars.scalar(name, parse_bool, &mut c.session_cookie_secure)),
    (SESSION_LIFETIME, |vars, name, c| vars.scalar(name, parse_session_time, &mut c.session_lifetime)),
    (SESSION_IDLE_TIMEOUT, |vars, name, c| {
        vars.scalar(name, parse_session_time, &mut c.session_idle_timeout)
    }),
    ("ENABLE_USAGE_METRICS", |vars, name, c| vars.scalar(name, parse_bool, &mut c.enable_usage_metrics)),
    ("USAGE_DB_PATH", |vars, name, c| vars.scalar(name, parse_usage_db_path, &mut c.usage_db_path)),
    // A URL that does not parse is not shown in the error: it may hold a password.
    ("USAGE_DATABASE_URL", |vars, name, c| match vars.value(name).filter(|v| !v.is_empty()) {
        Some(url) => {
            let url = parse_postgres_url(url).map_err(|expected| ConfigError::new(name, HIDDEN, expected))?;
            c.usage_database_url = url;
            Ok(())
        }
        None => Ok(()),
    }),
    (USAGE_FLUSH_INTERVAL, |vars, name, c| {
        vars.scalar(name, parse_session_time, &mut c.usage_flush_interval)
    }),
    ("USAGE_BASE_INTERVAL", |vars, name, c| {
        vars.scalar(name, parse_usage_interval, &mut c.usage_base_interval)
    }),
    (USAGE_BASE_RETENTION_DAYS, |vars, name, c| {
        vars.scalar(name, parse_count, &mut c.usage_base_retention_days)
    }),
    (USAGE_RETENTION_DAYS, |vars, name, c| vars.scalar(name, parse_count, &mut c.usage_retention_days)),
    (USAGE_ERROR_RETENTION_DAYS, |vars, name, c| {
        vars.scalar(name, parse_count, &mut c.usage_error_retention_days)
    }),
    (USAGE_MAX_FEATURES, |vars, name, c| vars.scalar(name, parse_count, &mut c.usage_max_features)),
];

/// The names of [`READERS`], in order: what [`Config::VARIABLES`] lists.
const fn names<const N: usize>() -> [&'static str; N] {
    let mut names = [""; N];
    let mut i = 0;
    while i < N {
        names[i] = READERS[i].0;
        i += 1;
    }
    names
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
