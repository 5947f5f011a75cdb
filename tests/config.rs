//! Integration tests of `tracing_activity::config`.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use tracing_activity::config::{self, InvalidCidr, InvalidMaskStyle, MaskStyle, OverflowPolicy};
use tracing_activity::{Config, ConfigError, IpCidr, Secret};
use tracing_subscriber::filter::LevelFilter;

fn parse(vars: &[(&str, &str)]) -> Result<Config, ConfigError> {
    Config::from_vars(vars.iter().copied())
}

#[track_caller]
fn ok(vars: &[(&str, &str)]) -> Config {
    parse(vars).unwrap_or_else(|error| panic!("{vars:?} should parse, got: {error}"))
}

#[track_caller]
fn err(vars: &[(&str, &str)]) -> ConfigError {
    match parse(vars) {
        Ok(config) => panic!("{vars:?} should fail, got: {config:?}"),
        Err(error) => error,
    }
}

#[track_caller]
fn ip(s: &str) -> IpAddr {
    s.parse().unwrap()
}

#[track_caller]
fn cidr(s: &str) -> IpCidr {
    s.parse().unwrap_or_else(|error| panic!("{s:?} should parse: {error}"))
}

fn strings(items: &[&str]) -> Vec<String> {
    items.iter().map(|&item| item.to_owned()).collect()
}

const ALL_VARIABLES: [&str; 47] = [
    "ENVIRONMENT",
    "ENABLE_CONSOLE_LOGGING",
    "ENABLE_FILE_LOGGING",
    "ENABLE_JSON_LOGGING",
    "LOG_FORMAT",
    "USER_ACTIVITY_LOG_PATH",
    "LOG_FILE_MAX_SIZE",
    "LOG_FILE_BACKUP_COUNT",
    "LOG_ROTATE_EVERY",
    "LOG_MAX_AGE",
    "LOG_COMPRESS",
    "LOG_QUEUE_SIZE",
    "LOG_QUEUE_OVERFLOW",
    "LOG_FLUSH_TIMEOUT",
    "CONSOLE_LOG_LEVEL",
    "FILE_LOG_LEVEL",
    "ENABLE_EMOJIS",
    "ENABLE_USER_INFO",
    "ENABLE_TIMESTAMPS",
    "SLOW_REQUEST_THRESHOLD",
    "VERY_SLOW_REQUEST_THRESHOLD",
    "MASK_SENSITIVE_DATA",
    "SENSITIVE_FIELDS",
    "MASK_STYLE",
    "MAX_VALUE_LENGTH",
    "LOG_REQUEST_BODY",
    "LOG_RESPONSE_BODY",
    "MAX_REQUEST_BODY_SIZE",
    "MAX_RESPONSE_BODY_SIZE",
    "TRACK_ANONYMOUS_USERS",
    "USER_ID_HMAC_SECRET",
    "ANONYMIZE_IP",
    "TRUSTED_PROXIES",
    "SKIP_PATHS",
    "SESSION_COOKIE",
    "SESSION_COOKIE_SECURE",
    "SESSION_LIFETIME",
    "SESSION_IDLE_TIMEOUT",
    "ENABLE_USAGE_METRICS",
    "USAGE_DB_PATH",
    "USAGE_DATABASE_URL",
    "USAGE_FLUSH_INTERVAL",
    "USAGE_BASE_INTERVAL",
    "USAGE_BASE_RETENTION_DAYS",
    "USAGE_RETENTION_DAYS",
    "USAGE_ERROR_RETENTION_DAYS",
    "USAGE_MAX_FEATURES",
];

// ---------------------------------------------------------------- defaults

#[test]
fn defaults_from_an_empty_iterator_are_the_documented_values() {
    let config = Config::from_vars(std::iter::empty::<(&str, &str)>()).unwrap();
    assert_eq!(config, Config::default());

    assert_eq!(config.environment, "development");
    assert!(config.enable_console_logging);
    assert!(config.enable_file_logging);
    assert!(config.enable_json_logging);
    assert_eq!(config.user_activity_log_path, PathBuf::from("logs/user_activity.log"));
    assert_eq!(config.log_file_max_size, 10_485_760);
    assert_eq!(config.log_file_backup_count, 5);
    assert_eq!(config.log_queue_size, 16384);
    assert_eq!(config.log_queue_overflow, OverflowPolicy::Drop);
    assert_eq!(config.log_flush_timeout, Duration::from_secs(5));
    assert_eq!(config.console_log_level, LevelFilter::INFO);
    assert_eq!(config.file_log_level, LevelFilter::INFO);
    assert!(config.enable_emojis);
    assert!(config.enable_user_info);
    assert!(config.enable_timestamps);
    assert_eq!(config.slow_request_threshold, Duration::from_millis(1000));
    assert_eq!(config.very_slow_request_threshold, Duration::from_millis(5000));
    assert!(config.mask_sensitive_data);
    assert!(config.sensitive_fields.is_empty());
    assert_eq!(config.mask_style, MaskStyle::Partial);
    assert_eq!(config.max_value_length, 2048);
    assert!(!config.log_request_body);
    assert!(!config.log_response_body);
    assert_eq!(config.max_request_body_size, 1_048_576);
    assert_eq!(config.max_response_body_size, 1_048_576);
    assert!(config.track_anonymous_users);
    assert_eq!(config.user_id_hmac_secret, None);
    assert!(!config.anonymize_ip);
    assert!(config.trusted_proxies.is_empty());
    assert_eq!(config.skip_paths, strings(&["/health", "/metrics"]));
    assert!(config.session_cookie);
    assert!(!config.session_cookie_secure);
    assert_eq!(config.session_lifetime, Duration::from_secs(86_400));
    assert_eq!(config.session_idle_timeout, Duration::from_secs(1_800));
    assert!(!config.no_color);
    assert_eq!(config.validate(), Ok(()));
}

#[test]
fn default_constants_match_the_defaults() {
    let config = Config::default();
    assert_eq!(config.environment, config::DEFAULT_ENVIRONMENT);
    assert_eq!(config.enable_console_logging, config::DEFAULT_ENABLE_CONSOLE_LOGGING);
    assert_eq!(config.enable_file_logging, config::DEFAULT_ENABLE_FILE_LOGGING);
    assert_eq!(config.enable_json_logging, config::DEFAULT_ENABLE_JSON_LOGGING);
    assert_eq!(config.user_activity_log_path, Path::new(config::DEFAULT_USER_ACTIVITY_LOG_PATH));
    assert_eq!(config.log_file_max_size, config::DEFAULT_LOG_FILE_MAX_SIZE);
    assert_eq!(config.log_file_backup_count, config::DEFAULT_LOG_FILE_BACKUP_COUNT);
    assert_eq!(config.log_format, config::DEFAULT_LOG_FORMAT);
    assert_eq!(config.log_rotate_every, config::DEFAULT_LOG_ROTATE_EVERY);
    assert_eq!(config.log_max_age, config::DEFAULT_LOG_MAX_AGE);
    assert_eq!(config.log_compress, config::DEFAULT_LOG_COMPRESS);
    assert_eq!(config.log_queue_size, config::DEFAULT_LOG_QUEUE_SIZE);
    assert_eq!(config.log_queue_overflow, config::DEFAULT_LOG_QUEUE_OVERFLOW);
    assert_eq!(config.log_flush_timeout, config::DEFAULT_LOG_FLUSH_TIMEOUT);
    assert_eq!(config.console_log_level, config::DEFAULT_CONSOLE_LOG_LEVEL);
    assert_eq!(config.file_log_level, config::DEFAULT_FILE_LOG_LEVEL);
    assert_eq!(config.enable_emojis, config::DEFAULT_ENABLE_EMOJIS);
    assert_eq!(config.enable_user_info, config::DEFAULT_ENABLE_USER_INFO);
    assert_eq!(config.enable_timestamps, config::DEFAULT_ENABLE_TIMESTAMPS);
    assert_eq!(config.slow_request_threshold, config::DEFAULT_SLOW_REQUEST_THRESHOLD);
    assert_eq!(config.very_slow_request_threshold, config::DEFAULT_VERY_SLOW_REQUEST_THRESHOLD);
    assert_eq!(config.mask_sensitive_data, config::DEFAULT_MASK_SENSITIVE_DATA);
    assert_eq!(config.sensitive_fields, config::DEFAULT_SENSITIVE_FIELDS);
    assert_eq!(config.mask_style, config::DEFAULT_MASK_STYLE);
    assert_eq!(config.max_value_length, config::DEFAULT_MAX_VALUE_LENGTH);
    assert_eq!(config.log_request_body, config::DEFAULT_LOG_REQUEST_BODY);
    assert_eq!(config.log_response_body, config::DEFAULT_LOG_RESPONSE_BODY);
    assert_eq!(config.max_request_body_size, config::DEFAULT_MAX_REQUEST_BODY_SIZE);
    assert_eq!(config.max_response_body_size, config::DEFAULT_MAX_RESPONSE_BODY_SIZE);
    assert_eq!(config.track_anonymous_users, config::DEFAULT_TRACK_ANONYMOUS_USERS);
    assert_eq!(config.user_id_hmac_secret, config::DEFAULT_USER_ID_HMAC_SECRET);
    assert_eq!(config.anonymize_ip, config::DEFAULT_ANONYMIZE_IP);
    assert_eq!(config.trusted_proxies, config::DEFAULT_TRUSTED_PROXIES);
    assert_eq!(config.skip_paths, config::DEFAULT_SKIP_PATHS);
    assert_eq!(config.session_cookie, config::DEFAULT_SESSION_COOKIE);
    assert_eq!(config.session_cookie_secure, config::DEFAULT_SESSION_COOKIE_SECURE);
    assert_eq!(config.session_lifetime, config::DEFAULT_SESSION_LIFETIME);
    assert_eq!(config.session_idle_timeout, config::DEFAULT_SESSION_IDLE_TIMEOUT);
    assert_eq!(config.no_color, config::DEFAULT_NO_COLOR);
}

#[test]
fn variables_lists_every_variable_once_in_table_order() {
    assert_eq!(Config::VARIABLES, ALL_VARIABLES);
    assert!(!Config::VARIABLES.contains(&"NO_COLOR"));
}

// ------------------------------------------------------ every variable read

#[test]
fn every_variable_sets_its_field() {
    let config = ok(&[
        ("ENVIRONMENT", "staging"),
        ("ENABLE_CONSOLE_LOGGING", "false"),
        ("ENABLE_FILE_LOGGING", "false"),
        ("ENABLE_JSON_LOGGING", "false"),
        ("USER_ACTIVITY_LOG_PATH", "/tmp/activity.log"),
        ("LOG_FILE_MAX_SIZE", "2MB"),
        ("LOG_FILE_BACKUP_COUNT", "0"),
        ("LOG_ROTATE_EVERY", "hourly"),
        ("LOG_MAX_AGE", "7d"),
        ("LOG_QUEUE_SIZE", "100"),
        ("LOG_QUEUE_OVERFLOW", "block"),
        ("LOG_FLUSH_TIMEOUT", "1.5s"),
        ("CONSOLE_LOG_LEVEL", "trace"),
        ("FILE_LOG_LEVEL", "error"),
        ("ENABLE_EMOJIS", "no"),
        ("ENABLE_USER_INFO", "off"),
        ("ENABLE_TIMESTAMPS", "0"),
        ("SLOW_REQUEST_THRESHOLD", "250"),
        ("VERY_SLOW_REQUEST_THRESHOLD", "2s"),
        ("MASK_SENSITIVE_DATA", "false"),
        ("SENSITIVE_FIELDS", "password,token"),
        ("MASK_STYLE", "FULL"),
        ("MAX_VALUE_LENGTH", "4KiB"),
        ("LOG_REQUEST_BODY", "yes"),
        ("LOG_RESPONSE_BODY", "on"),
        ("MAX_REQUEST_BODY_SIZE", "4KiB"),
        ("MAX_RESPONSE_BODY_SIZE", "8KB"),
        ("TRACK_ANONYMOUS_USERS", "false"),
        ("USER_ID_HMAC_SECRET", "s3cret"),
        ("ANONYMIZE_IP", "true"),
        ("TRUSTED_PROXIES", "10.0.0.0/8"),
        ("SKIP_PATHS", "/ping"),
        ("SESSION_COOKIE", "false"),
        ("SESSION_COOKIE_SECURE", "true"),
        ("SESSION_LIFETIME", "8h"),
        ("SESSION_IDLE_TIMEOUT", "15m"),
        ("ENABLE_USAGE_METRICS", "false"),
        ("USAGE_DB_PATH", "/var/lib/app/usage.db"),
        ("USAGE_DATABASE_URL", "postgresql://app:pw@db/usage"),
        ("USAGE_FLUSH_INTERVAL", "30s"),
        ("USAGE_BASE_INTERVAL", "DAY"),
        ("USAGE_BASE_RETENTION_DAYS", "2"),
        ("USAGE_RETENTION_DAYS", "60"),
        ("USAGE_ERROR_RETENTION_DAYS", "14"),
        ("USAGE_MAX_FEATURES", "25"),
        ("NO_COLOR", "1"),
    ]);
    let expected = Config::default()
        .environment("staging")
        .enable_console_logging(false)
        .enable_file_logging(false)
        .enable_json_logging(false)
        .user_activity_log_path("/tmp/activity.log")
        .log_file_max_size(2_000_000)
        .log_file_backup_count(0)
        .log_rotate_every(tracing_activity::config::LogRotation::Hourly)
        .log_max_age(Some(Duration::from_secs(7 * 86_400)))
        .log_queue_size(100)
        .log_queue_overflow(OverflowPolicy::Block)
        .log_flush_timeout(Duration::from_millis(1500))
        .console_log_level(LevelFilter::TRACE)
        .file_log_level(LevelFilter::ERROR)
        .enable_emojis(false)
        .enable_user_info(false)
        .enable_timestamps(false)
        .slow_request_threshold(Duration::from_millis(250))
        .very_slow_request_threshold(Duration::from_secs(2))
        .mask_sensitive_data(false)
        .sensitive_fields(["password", "token"])
        .mask_style(MaskStyle::Full)
        .max_value_length(4096)
        .log_request_body(true)
        .log_response_body(true)
        .max_request_body_size(4096)
        .max_response_body_size(8000)
        .track_anonymous_users(false)
        .user_id_hmac_secret(Secret::new("s3cret"))
        .anonymize_ip(true)
        .trusted_proxies([cidr("10.0.0.0/8")])
        .skip_paths(["/ping"])
        .session_cookie(false)
        .session_cookie_secure(true)
        .session_lifetime(Duration::from_secs(8 * 3600))
        .session_idle_timeout(Duration::from_secs(15 * 60))
        .enable_usage_metrics(false)
        .usage_db_path("/var/lib/app/usage.db")
        .usage_database_url(Secret::new("postgresql://app:pw@db/usage"))
        .usage_flush_interval(Duration::from_secs(30))
        .usage_base_interval(tracing_activity::UsageInterval::Day)
        .usage_base_retention_days(2)
        .usage_retention_days(60)
        .usage_error_retention_days(14)
        .usage_max_features(25)
        .no_color(true);
    assert_eq!(config, expected);
}

#[test]
fn every_variable_with_a_format_rejects_garbage_and_escapes_it() {
    // USAGE_DATABASE_URL is checked, but its value may hold a password: not shown (below).
    let free_form = [
        "ENVIRONMENT",
        "USER_ACTIVITY_LOG_PATH",
        "USER_ID_HMAC_SECRET",
        "USAGE_DB_PATH",
        "USAGE_DATABASE_URL",
    ];
    let garbage = "bad\nvalue\u{1b}[2J";
    for name in Config::VARIABLES.iter().filter(|name| !free_form.contains(name)) {
        let error = err(&[(name, garbage)]);
        assert_eq!(error.variable(), *name);
        assert_eq!(error.value(), garbage);
        let shown = error.to_string();
        assert!(shown.contains(r#""bad\nvalue\u{1b}[2J""#), "{shown}");
        assert!(!shown.contains('\n') && !shown.contains('\u{1b}'), "{shown:?}");
    }
}

#[test]
fn free_form_variables_take_any_value() {
    let config = ok(&[
        ("ENVIRONMENT", "  eu-west-1 / canary  "),
        ("USER_ACTIVITY_LOG_PATH", "C:\\logs\\activity log.jsonl"),
        ("USER_ID_HMAC_SECRET", "  p@ss word=,#!  "),
        ("USAGE_DB_PATH", "D:\\usage data\\usage.db"),
    ]);
    assert_eq!(config.usage_db_path, Some(PathBuf::from("D:\\usage data\\usage.db")));
    assert_eq!(config.environment, "eu-west-1 / canary");
    assert_eq!(config.user_activity_log_path, PathBuf::from("C:\\logs\\activity log.jsonl"));
    assert_eq!(config.user_id_hmac_secret.unwrap().expose(), "p@ss word=,#!");
}

// ------------------------------------------------------------------- errors

#[test]
fn the_spec_examples_name_variable_value_and_expectation() {
    let error = err(&[("LOG_FILE_MAX_SIZE", "banana")]);
    assert_eq!(
        error.to_string(),
        r#"invalid value "banana" for LOG_FILE_MAX_SIZE: expected a size in bytes, such as 10485760, 10MB or 10MiB"#
    );
    assert_eq!(error.variable(), "LOG_FILE_MAX_SIZE");
    assert_eq!(error.value(), "banana");
    assert_eq!(error.expected(), "a size in bytes, such as 10485760, 10MB or 10MiB");

    let shown = err(&[("CONSOLE_LOG_LEVEL", "LOUD")]).to_string();
    for part in ["CONSOLE_LOG_LEVEL", r#""LOUD""#, "trace", "debug", "info", "warn", "error", "off"] {
        assert!(shown.contains(part), "{shown} lacks {part}");
    }

    let shown = err(&[("ENABLE_EMOJIS", "maybe")]).to_string();
    for part in ["ENABLE_EMOJIS", r#""maybe""#, "true", "false", "yes", "no", "on", "off"] {
        assert!(shown.contains(part), "{shown} lacks {part}");
    }
}

#[test]
fn config_error_is_a_std_error() {
    fn load() -> Result<Config, Box<dyn std::error::Error + Send + Sync>> {
        Ok(Config::from_vars([("ENABLE_EMOJIS", "maybe")])?)
    }
    let error = load().unwrap_err();
    assert!(error.to_string().starts_with("invalid value \"maybe\" for ENABLE_EMOJIS"));
    assert!(error.source().is_none());
}

#[test]
fn the_first_bad_variable_in_table_order_is_reported() {
    let error = err(&[("ENABLE_EMOJIS", "maybe"), ("LOG_FILE_MAX_SIZE", "banana")]);
    assert_eq!(error.variable(), "LOG_FILE_MAX_SIZE");
}

#[test]
fn error_values_are_trimmed() {
    let error = err(&[("ENABLE_EMOJIS", "  maybe \t")]);
    assert_eq!(error.value(), "maybe");
}

// ------------------------------------------------------------------ booleans

#[test]
fn booleans_accept_the_documented_spellings_in_any_case() {
    for value in ["true", "TRUE", "True", "1", "yes", "YES", "Yes", "on", "ON", " on "] {
        assert!(ok(&[("LOG_REQUEST_BODY", value)]).log_request_body, "{value:?}");
    }
    for value in ["false", "FALSE", "False", "0", "no", "NO", "No", "off", "OFF", " off "] {
        assert!(!ok(&[("ENABLE_EMOJIS", value)]).enable_emojis, "{value:?}");
    }
}

#[test]
fn booleans_reject_anything_else() {
    for value in ["maybe", "2", "-1", "y", "n", "t", "f", "truee", "yes please", "o n", "\u{ff11}"] {
        let error = err(&[("ENABLE_EMOJIS", value)]);
        assert_eq!((error.variable(), error.value()), ("ENABLE_EMOJIS", value));
    }
}

// -------------------------------------------------------------------- levels

#[test]
fn levels_accept_the_documented_names_in_any_case() {
    let cases = [
        ("trace", LevelFilter::TRACE),
        ("TRACE", LevelFilter::TRACE),
        ("Debug", LevelFilter::DEBUG),
        ("info", LevelFilter::INFO),
        ("WARN", LevelFilter::WARN),
        ("warning", LevelFilter::WARN),
        ("Warning", LevelFilter::WARN),
        ("error", LevelFilter::ERROR),
        ("off", LevelFilter::OFF),
        ("  OFF  ", LevelFilter::OFF),
    ];
    for (value, level) in cases {
        assert_eq!(ok(&[("CONSOLE_LOG_LEVEL", value)]).console_log_level, level, "{value:?}");
        assert_eq!(ok(&[("FILE_LOG_LEVEL", value)]).file_log_level, level, "{value:?}");
    }
}

#[test]
fn levels_reject_anything_else() {
    for value in ["LOUD", "3", "critical", "fatal", "information", "warn ing", "err", "none"] {
        let error = err(&[("FILE_LOG_LEVEL", value)]);
        assert_eq!((error.variable(), error.value()), ("FILE_LOG_LEVEL", value));
    }
}

// --------------------------------------------------------------------- sizes

#[test]
fn ten_megabytes_and_ten_mebibytes_differ() {
    assert_eq!(ok(&[("LOG_FILE_MAX_SIZE", "10MB")]).log_file_max_size, 10_000_000);
    assert_eq!(ok(&[("LOG_FILE_MAX_SIZE", "10MiB")]).log_file_max_size, 10_485_760);
}

#[test]
fn sizes_accept_bytes_and_units_in_any_case() {
    let cases = [
        ("0", 0),
        ("123", 123),
        ("123B", 123),
        ("123 b", 123),
        ("1KB", 1000),
        ("1kb", 1000),
        ("1KiB", 1024),
        ("1 kib", 1024),
        ("10MB", 10_000_000),
        ("10mib", 10_485_760),
        ("10  MiB", 10_485_760),
        ("2GB", 2_000_000_000),
        ("2GiB", 2 * 1024 * 1024 * 1024),
        ("  7 KB  ", 7000),
        ("18446744073709551615", u64::MAX),
    ];
    for (value, bytes) in cases {
        assert_eq!(ok(&[("MAX_REQUEST_BODY_SIZE", value)]).max_request_body_size, bytes, "{value:?}");
        assert_eq!(ok(&[("MAX_RESPONSE_BODY_SIZE", value)]).max_response_body_size, bytes, "{value:?}");
    }
}

#[test]
fn sizes_reject_garbage_negatives_fractions_unknown_units_and_overflow() {
    let bad = [
        "banana",
        "-1",
        "+5",
        "1.5MB",
        "10TB",
        "10 M",
        "10MBs",
        "MB",
        "1 0",
        "18446744073709551616",
        "18446744073709551615KB",
        "17179869184GiB",
    ];
    for value in bad {
        let error = err(&[("MAX_REQUEST_BODY_SIZE", value)]);
        assert_eq!((error.variable(), error.value()), ("MAX_REQUEST_BODY_SIZE", value));
        assert!(error.expected().contains("size in bytes"), "{error}");
    }
}

#[test]
fn the_log_file_max_size_must_be_positive() {
    for value in ["0", "0MB", "0 KiB"] {
        let error = err(&[("LOG_FILE_MAX_SIZE", value)]);
        assert_eq!(error.variable(), "LOG_FILE_MAX_SIZE");
        assert!(error.expected().contains("greater than zero"), "{error}");
    }
    assert_eq!(ok(&[("LOG_FILE_MAX_SIZE", "1")]).log_file_max_size, 1);
}

#[test]
fn the_backup_count_is_a_whole_number_and_may_be_zero() {
    assert_eq!(ok(&[("LOG_FILE_BACKUP_COUNT", "0")]).log_file_backup_count, 0);
    assert_eq!(ok(&[("LOG_FILE_BACKUP_COUNT", " 12 ")]).log_file_backup_count, 12);
    assert_eq!(ok(&[("LOG_FILE_BACKUP_COUNT", "4294967295")]).log_file_backup_count, u32::MAX);
    for value in ["-1", "+1", "1.0", "five", "4294967296", "1e3"] {
        let error = err(&[("LOG_FILE_BACKUP_COUNT", value)]);
        assert_eq!((error.variable(), error.value()), ("LOG_FILE_BACKUP_COUNT", value));
    }
}

// ------------------------------------------------------ background writer

#[test]
fn the_queue_size_is_a_number_of_lines_of_at_least_one() {
    assert_eq!(ok(&[("LOG_QUEUE_SIZE", "1")]).log_queue_size, 1);
    assert_eq!(ok(&[("LOG_QUEUE_SIZE", " 65536 ")]).log_queue_size, 65536);
    assert_eq!(ok(&[("LOG_QUEUE_SIZE", "007")]).log_queue_size, 7);
    let max = usize::MAX.to_string();
    assert_eq!(ok(&[("LOG_QUEUE_SIZE", &max)]).log_queue_size, usize::MAX);

    for value in ["0", "000"] {
        let error = err(&[("LOG_QUEUE_SIZE", value)]);
        assert_eq!(
            error.to_string(),
            format!("invalid value {value:?} for LOG_QUEUE_SIZE: expected a number of lines, at least 1")
        );
    }
    for value in ["-1", "+1", "1.0", "16k", "16KiB", "1e3", "1 000", "lots", "\u{ff11}"] {
        let error = err(&[("LOG_QUEUE_SIZE", value)]);
        assert_eq!((error.variable(), error.value()), ("LOG_QUEUE_SIZE", value));
        assert_eq!(error.expected(), "a number of lines, at least 1");
    }
    let too_many = format!("{}0", usize::MAX);
    let error = err(&[("LOG_QUEUE_SIZE", &too_many)]);
    assert_eq!((error.variable(), error.value()), ("LOG_QUEUE_SIZE", too_many.as_str()));
    assert!(error.expected().contains(&format!("from 1 to {}", usize::MAX)), "{error}");
}

#[test]
fn the_overflow_policy_is_drop_or_block_in_any_case() {
    for value in ["drop", "DROP", "Drop", " dRoP "] {
        assert_eq!(
            ok(&[("LOG_QUEUE_OVERFLOW", value)]).log_queue_overflow,
            OverflowPolicy::Drop,
            "{value:?}"
        );
    }
    for value in ["block", "BLOCK", "Block", "\tblock\t"] {
        assert_eq!(
            ok(&[("LOG_QUEUE_OVERFLOW", value)]).log_queue_overflow,
            OverflowPolicy::Block,
            "{value:?}"
        );
    }
    for value in ["dropped", "blocking", "wait", "true", "0", "drop,block", "d rop", "dro\u{17f}"] {
        let error = err(&[("LOG_QUEUE_OVERFLOW", value)]);
        assert_eq!(
            error.to_string(),
            format!("invalid value {value:?} for LOG_QUEUE_OVERFLOW: expected drop or block")
        );
    }
}

#[test]
fn overflow_policies_parse_display_and_default_to_drop() {
    assert_eq!(OverflowPolicy::default(), OverflowPolicy::Drop);
    for policy in [OverflowPolicy::Drop, OverflowPolicy::Block] {
        assert_eq!(policy.to_string().parse(), Ok(policy));
        assert_eq!(policy.to_string().to_uppercase().parse(), Ok(policy));
    }
    assert_eq!(OverflowPolicy::Drop.to_string(), "drop");
    assert_eq!(OverflowPolicy::Block.to_string(), "block");
    assert_eq!(format!("[{:>6}]", OverflowPolicy::Drop), "[  drop]");

    let error = "wait".parse::<OverflowPolicy>().unwrap_err();
    assert_eq!(error.to_string(), "invalid overflow policy: expected drop or block");
    assert_eq!(" drop".parse::<OverflowPolicy>(), Err(error), "FromStr does not trim");
    assert_eq!("".parse::<OverflowPolicy>(), Err(error));
    let _: &dyn std::error::Error = &error;

    let set: std::collections::HashSet<OverflowPolicy> =
        [OverflowPolicy::Drop, OverflowPolicy::Block, OverflowPolicy::Drop].into_iter().collect();
    assert_eq!(set.len(), 2);
}

#[test]
fn the_flush_timeout_is_parsed_like_the_thresholds() {
    let cases = [
        ("5000", Duration::from_secs(5)),
        ("5000ms", Duration::from_secs(5)),
        ("5s", Duration::from_secs(5)),
        ("10 S", Duration::from_secs(10)),
        ("0", Duration::ZERO),
        ("2.5", Duration::from_micros(2500)),
        ("0.25s", Duration::from_millis(250)),
    ];
    for (value, duration) in cases {
        assert_eq!(ok(&[("LOG_FLUSH_TIMEOUT", value)]).log_flush_timeout, duration, "{value:?}");
    }
    for value in ["-1", "5m", "1e3", "NaN", "inf", "soon", "18446744073709551616s"] {
        let error = err(&[("LOG_FLUSH_TIMEOUT", value)]);
        assert_eq!((error.variable(), error.value()), ("LOG_FLUSH_TIMEOUT", value));
        assert!(error.expected().contains("duration"), "{error}");
    }
    // The flush timeout is independent of the thresholds.
    let config = ok(&[("LOG_FLUSH_TIMEOUT", "1ms"), ("SLOW_REQUEST_THRESHOLD", "2s")]);
    assert_eq!(config.log_flush_timeout, Duration::from_millis(1));
}

// ------------------------------------------------------- masking and values

#[test]
fn the_mask_style_is_partial_or_full_in_any_case() {
    for value in ["partial", "PARTIAL", "Partial", " pArTiAl "] {
        assert_eq!(ok(&[("MASK_STYLE", value)]).mask_style, MaskStyle::Partial, "{value:?}");
    }
    for value in ["full", "FULL", "Full", "\tfull\t"] {
        assert_eq!(ok(&[("MASK_STYLE", value)]).mask_style, MaskStyle::Full, "{value:?}");
    }
    for value in ["partially", "none", "redact", "true", "0", "partial,full", "fu ll", "\u{17f}ull"] {
        let error = err(&[("MASK_STYLE", value)]);
        assert_eq!(
            error.to_string(),
            format!("invalid value {value:?} for MASK_STYLE: expected partial or full")
        );
    }
}

#[test]
fn mask_styles_parse_display_and_default_to_partial() {
    assert_eq!(MaskStyle::default(), MaskStyle::Partial);
    for style in [MaskStyle::Partial, MaskStyle::Full] {
        assert_eq!(style.to_string().parse(), Ok(style));
        assert_eq!(style.to_string().to_uppercase().parse(), Ok(style));
    }
    assert_eq!(MaskStyle::Partial.to_string(), "partial");
    assert_eq!(MaskStyle::Full.to_string(), "full");
    assert_eq!(format!("[{:<6}]", MaskStyle::Full), "[full  ]");

    let error = "redact".parse::<MaskStyle>().unwrap_err();
    assert_eq!(error.to_string(), "invalid mask style: expected partial or full");
    assert_eq!(" full".parse::<MaskStyle>(), Err(error), "FromStr does not trim");
    assert_eq!("".parse::<MaskStyle>(), Err(error));
    let _: InvalidMaskStyle = error;
    let _: &dyn std::error::Error = &error;

    let set: std::collections::HashSet<MaskStyle> =
        [MaskStyle::Partial, MaskStyle::Full, MaskStyle::Partial].into_iter().collect();
    assert_eq!(set.len(), 2);
}

#[test]
fn the_max_value_length_is_a_size_of_at_least_64_bytes() {
    let cases = [
        ("64", 64),
        ("2048", 2048),
        ("2KiB", 2048),
        ("2 kb", 2000),
        (" 1MiB ", 1_048_576),
        ("64B", 64),
        ("18446744073709551615", u64::MAX),
    ];
    for (value, bytes) in cases {
        assert_eq!(ok(&[("MAX_VALUE_LENGTH", value)]).max_value_length, bytes, "{value:?}");
    }
    for value in ["63", "0", "0KiB", "63 B"] {
        let error = err(&[("MAX_VALUE_LENGTH", value)]);
        assert_eq!(
            error.to_string(),
            format!("invalid value {value:?} for MAX_VALUE_LENGTH: expected a size of at least 64 bytes")
        );
    }
    for value in ["banana", "-64", "64.5", "2TB", "18446744073709551616", "1KB0"] {
        let error = err(&[("MAX_VALUE_LENGTH", value)]);
        assert_eq!((error.variable(), error.value()), ("MAX_VALUE_LENGTH", value));
        assert!(error.expected().contains("size in bytes"), "{error}");
    }
}

// ----------------------------------------------------------------- durations

#[test]
fn thresholds_accept_milliseconds_and_seconds() {
    let cases = [
        ("0", Duration::ZERO),
        ("1000", Duration::from_secs(1)),
        ("1000ms", Duration::from_secs(1)),
        ("1000 MS", Duration::from_secs(1)),
        ("1.5s", Duration::from_millis(1500)),
        ("1.5 S", Duration::from_millis(1500)),
        ("10s", Duration::from_secs(10)),
        ("2.25", Duration::from_micros(2250)),
        ("2.25ms", Duration::from_micros(2250)),
        ("0.000001", Duration::from_nanos(1)),
        ("0.0000009", Duration::ZERO),
        ("1.123456789s", Duration::new(1, 123_456_789)),
        ("1.1234567899s", Duration::new(1, 123_456_789)),
        ("18446744073709551615s", Duration::from_secs(u64::MAX)),
    ];
    for (value, duration) in cases {
        let config = ok(&[("SLOW_REQUEST_THRESHOLD", "0"), ("VERY_SLOW_REQUEST_THRESHOLD", value)]);
        assert_eq!(config.very_slow_request_threshold, duration, "{value:?}");
        let config = ok(&[
            ("SLOW_REQUEST_THRESHOLD", value),
            ("VERY_SLOW_REQUEST_THRESHOLD", "18446744073709551615s"),
        ]);
        assert_eq!(config.slow_request_threshold, duration, "{value:?}");
    }
}

#[test]
fn thresholds_reject_nan_infinity_negatives_and_other_forms() {
    let bad = [
        "NaN",
        "nan",
        "inf",
        "-inf",
        "infinity",
        "-5",
        "-5ms",
        "+5",
        "1e3",
        "5.",
        ".5",
        "1.5h",
        "5m",
        "1,5s",
        "ms",
        "s",
        "1 000",
        "5 ms ms",
        "18446744073709551616s",
    ];
    for value in bad {
        let error = err(&[("SLOW_REQUEST_THRESHOLD", value)]);
        assert_eq!((error.variable(), error.value()), ("SLOW_REQUEST_THRESHOLD", value));
        assert!(error.expected().contains("duration"), "{error}");
    }
}

#[test]
fn session_times_take_hours_minutes_seconds_and_milliseconds_of_at_least_a_second() {
    for (value, time) in [
        ("24h", Duration::from_secs(86_400)),
        ("1.5H", Duration::from_secs(5_400)),
        ("30m", Duration::from_secs(1_800)),
        ("30 M", Duration::from_secs(1_800)),
        ("90s", Duration::from_secs(90)),
        ("1000ms", Duration::from_secs(1)),
        ("2500", Duration::from_millis(2500)),
    ] {
        assert_eq!(ok(&[("SESSION_LIFETIME", value)]).session_lifetime, time, "{value:?}");
        assert_eq!(ok(&[("SESSION_IDLE_TIMEOUT", value)]).session_idle_timeout, time, "{value:?}");
    }
    for bad in ["0", "999ms", "0.5s", "0m", "-1h", "h", "m", "1d", "1.5hh", "m5"] {
        for name in ["SESSION_LIFETIME", "SESSION_IDLE_TIMEOUT"] {
            let error = err(&[(name, bad)]);
            assert_eq!((error.variable(), error.value()), (name, bad));
            assert_eq!(error.expected(), "a duration of at least one second, such as 30m or 24h");
        }
    }
    let error = Config::default().session_idle_timeout(Duration::from_millis(10)).validate().unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"invalid value "10" for SESSION_IDLE_TIMEOUT: expected a duration of at least one second, such as 30m or 24h"#
    );
}

#[test]
fn the_very_slow_threshold_must_not_be_below_the_slow_one() {
    let error = err(&[("SLOW_REQUEST_THRESHOLD", "1000"), ("VERY_SLOW_REQUEST_THRESHOLD", "500")]);
    assert_eq!(
        error.to_string(),
        r#"invalid value "500" for VERY_SLOW_REQUEST_THRESHOLD: expected a duration of at least SLOW_REQUEST_THRESHOLD (1000 ms)"#
    );

    let error = err(&[("SLOW_REQUEST_THRESHOLD", "1.5s"), ("VERY_SLOW_REQUEST_THRESHOLD", "1499.9")]);
    assert_eq!(error.value(), "1499.9");
    assert!(error.expected().contains("at least SLOW_REQUEST_THRESHOLD (1500 ms)"), "{error}");

    let error = err(&[("SLOW_REQUEST_THRESHOLD", "2.5ms"), ("VERY_SLOW_REQUEST_THRESHOLD", "1ms")]);
    assert!(error.expected().contains("(2.5 ms)"), "{error}");

    // Only the slow threshold given: the default very-slow one is too low.
    let error = err(&[("SLOW_REQUEST_THRESHOLD", "6s")]);
    assert_eq!(error.variable(), "VERY_SLOW_REQUEST_THRESHOLD");
    assert_eq!(error.value(), "5000ms");
    assert!(error.expected().contains("at least SLOW_REQUEST_THRESHOLD (6000 ms)"), "{error}");
    let error = err(&[("SLOW_REQUEST_THRESHOLD", "6s"), ("VERY_SLOW_REQUEST_THRESHOLD", " ")]);
    assert_eq!(error.value(), "5000ms");

    let equal = ok(&[("SLOW_REQUEST_THRESHOLD", "2s"), ("VERY_SLOW_REQUEST_THRESHOLD", "2000")]);
    assert_eq!(equal.very_slow_request_threshold, equal.slow_request_threshold);
}

// -------------------------------------------------------------- empty values

#[test]
fn empty_scalars_mean_unset_and_empty_lists_mean_empty() {
    for blank in ["", "   ", "\t"] {
        let vars: Vec<(&str, &str)> = Config::VARIABLES.iter().map(|&name| (name, blank)).collect();
        let config = Config::from_vars(vars).unwrap();
        let expected = Config::default()
            .sensitive_fields(Vec::<String>::new())
            .trusted_proxies([])
            .skip_paths(Vec::<String>::new());
        assert_eq!(config, expected, "{blank:?}");
    }
}

#[test]
fn an_empty_value_after_a_real_one_restores_the_default() {
    let config = ok(&[
        ("USER_ID_HMAC_SECRET", "s3cret"),
        ("USER_ID_HMAC_SECRET", ""),
        ("CONSOLE_LOG_LEVEL", "error"),
        ("CONSOLE_LOG_LEVEL", " "),
        ("SKIP_PATHS", "/a"),
        ("SKIP_PATHS", ""),
    ]);
    assert_eq!(config.user_id_hmac_secret, None);
    assert_eq!(config.console_log_level, LevelFilter::INFO);
    assert!(config.skip_paths.is_empty());
}

// --------------------------------------------------------------------- lists

#[test]
fn sensitive_fields_are_trimmed_and_empty_items_dropped() {
    let config = ok(&[("SENSITIVE_FIELDS", " password , token,,api-key.v2 , X_Auth , ")]);
    assert_eq!(config.sensitive_fields, strings(&["password", "token", "api-key.v2", "X_Auth"]));
    assert!(ok(&[("SENSITIVE_FIELDS", " , ,")]).sensitive_fields.is_empty());
}

#[test]
fn sensitive_fields_reject_other_characters_naming_the_item() {
    for item in ["pass word", "naïve", "a/b", "a=b", "x\u{0}"] {
        let value = format!("password,{item},token");
        let error = err(&[("SENSITIVE_FIELDS", &value)]);
        assert_eq!((error.variable(), error.value()), ("SENSITIVE_FIELDS", item));
        assert!(error.expected().contains("ASCII letters, digits"), "{error}");
    }
}

#[test]
fn skip_paths_are_trimmed_and_must_start_with_a_slash() {
    let config = ok(&[("SKIP_PATHS", " /health , /api/v1/ping,, / ")]);
    assert_eq!(config.skip_paths, strings(&["/health", "/api/v1/ping", "/"]));
    assert!(ok(&[("SKIP_PATHS", ",")]).skip_paths.is_empty());

    let error = err(&[("SKIP_PATHS", "/ok, nope")]);
    assert_eq!((error.variable(), error.value()), ("SKIP_PATHS", "nope"));
    assert!(error.expected().contains("starting with '/'"), "{error}");
}

#[test]
fn trusted_proxies_parse_cidrs_and_bare_addresses() {
    let config = ok(&[("TRUSTED_PROXIES", "10.0.0.0/8, ::1 ,192.168.1.7/24,,2001:db8::/32")]);
    assert_eq!(
        config.trusted_proxies,
        [cidr("10.0.0.0/8"), cidr("::1/128"), cidr("192.168.1.0/24"), cidr("2001:db8::/32")]
    );

    for item in ["10.0.0.0/33", "::/129", "10.0.0/8", "proxy.internal", "10.0.0.0/8/8"] {
        let value = format!("127.0.0.1,{item}");
        let error = err(&[("TRUSTED_PROXIES", &value)]);
        assert_eq!((error.variable(), error.value()), ("TRUSTED_PROXIES", item));
        assert!(error.expected().contains("CIDR"), "{error}");
    }
}

// ---------------------------------------------------- duplicates and unknowns

#[test]
fn later_duplicates_win_and_earlier_ones_are_not_checked() {
    let config = ok(&[
        ("ENABLE_EMOJIS", "maybe"),
        ("ENABLE_EMOJIS", "false"),
        ("CONSOLE_LOG_LEVEL", "warn"),
        ("CONSOLE_LOG_LEVEL", "error"),
    ]);
    assert!(!config.enable_emojis);
    assert_eq!(config.console_log_level, LevelFilter::ERROR);

    let error = err(&[("ENABLE_EMOJIS", "false"), ("ENABLE_EMOJIS", "maybe")]);
    assert_eq!(error.value(), "maybe");
}

#[test]
fn unknown_names_are_ignored_and_names_are_case_sensitive() {
    let config = ok(&[
        ("FOO", "bar"),
        ("enable_emojis", "maybe"),
        ("ENABLE_EMOJIS ", "maybe"),
        ("PATH", "/usr/bin"),
        ("no_color", "1"),
    ]);
    assert_eq!(config, Config::default());
}

#[test]
fn from_vars_takes_owned_and_borrowed_pairs() {
    let mut map = HashMap::new();
    map.insert("ANONYMIZE_IP".to_owned(), "true".to_owned());
    assert!(Config::from_vars(&map).unwrap().anonymize_ip);
    assert!(Config::from_vars(map).unwrap().anonymize_ip);
    let owned = vec![("ENVIRONMENT".to_owned(), "qa")];
    assert_eq!(Config::from_vars(owned).unwrap().environment, "qa");
}

// ------------------------------------------------------------------ NO_COLOR

#[test]
fn no_color_follows_the_no_color_convention() {
    assert!(!ok(&[]).no_color);
    assert!(!ok(&[("NO_COLOR", "")]).no_color);
    for value in ["1", "0", "false", "anything", " "] {
        assert!(ok(&[("NO_COLOR", value)]).no_color, "{value:?}");
    }
    assert!(!ok(&[("NO_COLOR", "1"), ("NO_COLOR", "")]).no_color);
}

// ------------------------------------------------------------------- setters

#[test]
fn setters_override_parsed_values() {
    let parsed = ok(&[
        ("ENVIRONMENT", "staging"),
        ("ENABLE_EMOJIS", "false"),
        ("CONSOLE_LOG_LEVEL", "error"),
        ("SKIP_PATHS", "/a"),
        ("USER_ID_HMAC_SECRET", "old"),
        ("NO_COLOR", "1"),
    ]);
    let config = parsed
        .clone()
        .environment(String::from("production"))
        .enable_console_logging(false)
        .enable_file_logging(false)
        .enable_json_logging(false)
        .user_activity_log_path(Path::new("/var/log/a.log"))
        .log_file_max_size(42)
        .log_file_backup_count(7)
        .log_queue_size(3)
        .log_queue_overflow(OverflowPolicy::Block)
        .log_flush_timeout(Duration::ZERO)
        .console_log_level(tracing::Level::DEBUG)
        .file_log_level(LevelFilter::OFF)
        .enable_emojis(true)
        .enable_user_info(false)
        .enable_timestamps(false)
        .slow_request_threshold(Duration::from_millis(10))
        .very_slow_request_threshold(Duration::from_millis(20))
        .mask_sensitive_data(false)
        .sensitive_fields(vec![String::from("pin")])
        .mask_style(MaskStyle::Full)
        .max_value_length(64)
        .log_request_body(true)
        .log_response_body(true)
        .max_request_body_size(1)
        .max_response_body_size(2)
        .track_anonymous_users(false)
        .user_id_hmac_secret(Secret::from("new"))
        .anonymize_ip(true)
        .trusted_proxies(vec![cidr("127.0.0.1")])
        .skip_paths(["/b", "/c"])
        .no_color(false);

    assert_eq!(config.environment, "production");
    assert!(!config.enable_console_logging);
    assert!(!config.enable_file_logging);
    assert!(!config.enable_json_logging);
    assert_eq!(config.user_activity_log_path, Path::new("/var/log/a.log"));
    assert_eq!(config.log_file_max_size, 42);
    assert_eq!(config.log_file_backup_count, 7);
    assert_eq!(config.log_queue_size, 3);
    assert_eq!(config.log_queue_overflow, OverflowPolicy::Block);
    assert_eq!(config.log_flush_timeout, Duration::ZERO);
    assert_eq!(config.console_log_level, LevelFilter::DEBUG);
    assert_eq!(config.file_log_level, LevelFilter::OFF);
    assert!(config.enable_emojis);
    assert!(!config.enable_user_info);
    assert!(!config.enable_timestamps);
    assert_eq!(config.slow_request_threshold, Duration::from_millis(10));
    assert_eq!(config.very_slow_request_threshold, Duration::from_millis(20));
    assert!(!config.mask_sensitive_data);
    assert_eq!(config.sensitive_fields, strings(&["pin"]));
    assert_eq!(config.mask_style, MaskStyle::Full);
    assert_eq!(config.max_value_length, 64);
    assert!(config.log_request_body);
    assert!(config.log_response_body);
    assert_eq!(config.max_request_body_size, 1);
    assert_eq!(config.max_response_body_size, 2);
    assert!(!config.track_anonymous_users);
    assert_eq!(config.user_id_hmac_secret.as_ref().map(Secret::expose), Some("new"));
    assert!(config.anonymize_ip);
    assert_eq!(config.trusted_proxies, [cidr("127.0.0.1/32")]);
    assert_eq!(config.skip_paths, strings(&["/b", "/c"]));
    assert!(!config.no_color);

    assert_eq!(parsed.user_id_hmac_secret(None).user_id_hmac_secret, None);
}

#[test]
fn validate_catches_what_setters_let_through() {
    assert_eq!(Config::default().validate(), Ok(()));
    let cases = [
        (Config::default().environment(" "), "ENVIRONMENT"),
        (Config::default().user_activity_log_path(""), "USER_ACTIVITY_LOG_PATH"),
        (Config::default().log_file_max_size(0), "LOG_FILE_MAX_SIZE"),
        (Config::default().log_queue_size(0), "LOG_QUEUE_SIZE"),
        (
            Config::default().very_slow_request_threshold(Duration::from_millis(500)),
            "VERY_SLOW_REQUEST_THRESHOLD",
        ),
        (Config::default().sensitive_fields(["ok", "not ok"]), "SENSITIVE_FIELDS"),
        (Config::default().max_value_length(63), "MAX_VALUE_LENGTH"),
        (Config::default().max_value_length(0), "MAX_VALUE_LENGTH"),
        (Config::default().skip_paths(["/ok", "health"]), "SKIP_PATHS"),
        (Config::default().user_id_hmac_secret(Secret::new("")), "USER_ID_HMAC_SECRET"),
    ];
    for (config, variable) in cases {
        let error = config.validate().expect_err(variable);
        assert_eq!(error.variable(), variable);
    }

    let error =
        Config::default().very_slow_request_threshold(Duration::from_micros(1500)).validate().unwrap_err();
    assert_eq!(error.value(), "1.5ms");
    assert!(error.expected().contains("(1000 ms)"), "{error}");
    assert_eq!(Config::default().skip_paths(["/ok", "health"]).validate().unwrap_err().value(), "health");
    let error = Config::default().log_queue_size(0).validate().unwrap_err();
    assert_eq!((error.value(), error.expected()), ("0", "a number of lines, at least 1"));
    assert_eq!(Config::default().log_queue_size(1).log_flush_timeout(Duration::ZERO).validate(), Ok(()));
    let error = Config::default().max_value_length(63).validate().unwrap_err();
    assert_eq!(
        error.to_string(),
        r#"invalid value "63" for MAX_VALUE_LENGTH: expected a size of at least 64 bytes"#
    );
    assert_eq!(Config::default().max_value_length(64).validate(), Ok(()));
    assert_eq!(Config::default().max_value_length(u64::MAX).validate(), Ok(()));
}

// ------------------------------------------------------------------- secrets

#[test]
fn secrets_never_show_in_debug_output_or_errors() {
    let secret = Secret::new("hunter2");
    assert_eq!(format!("{secret:?}"), r#"Secret("[REDACTED]")"#);
    assert_eq!(format!("{secret:#?}"), "Secret(\n    \"[REDACTED]\",\n)");
    assert_eq!(secret.expose(), "hunter2");

    let config = ok(&[("USER_ID_HMAC_SECRET", "hunter2")]);
    assert_eq!(config.user_id_hmac_secret.as_ref().map(Secret::expose), Some("hunter2"));
    for shown in [format!("{config:?}"), format!("{config:#?}")] {
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains(r#"Secret("[REDACTED]")"#) || shown.contains("\"[REDACTED]\""), "{shown}");
        assert!(shown.contains("user_id_hmac_secret"), "{shown}");
    }

    let error = Config::default().user_id_hmac_secret(Secret::new("")).validate().unwrap_err();
    assert_eq!(error.value(), "[REDACTED]");
}

#[test]
fn secrets_convert_from_strings() {
    assert_eq!(Secret::from("k"), Secret::new("k"));
    assert_eq!(Secret::from(String::from("k")), Secret::new(String::from("k")));
    assert_ne!(Secret::from("k"), Secret::from("K"));
}

// --------------------------------------------------------------------- CIDRs

#[test]
fn cidrs_parse_mask_and_display() {
    let network = cidr("10.0.0.0/8");
    assert_eq!(network.addr(), ip("10.0.0.0"));
    assert_eq!(network.prefix(), 8);
    assert_eq!(network.to_string(), "10.0.0.0/8");

    assert_eq!(cidr("10.1.2.3/8"), network);
    assert_eq!(cidr("10.1.2.3/8").to_string(), "10.0.0.0/8");
    assert_eq!(cidr("192.168.1.10").to_string(), "192.168.1.10/32");
    assert_eq!(cidr("::1").to_string(), "::1/128");
    assert_eq!(cidr("2001:db8:ffff::1/32").to_string(), "2001:db8::/32");
    assert_eq!(cidr("0.0.0.0/0").to_string(), "0.0.0.0/0");
    assert_eq!(cidr("255.255.255.255/0").to_string(), "0.0.0.0/0");
    assert_eq!(cidr("ffff::/0").to_string(), "::/0");
    assert_eq!(cidr("10.0.0.0/008").prefix(), 8);
}

#[test]
fn cidrs_reject_bad_addresses_and_prefixes() {
    let cases = [
        ("10.0.0.0/33", InvalidCidr::Prefix { max: 32 }),
        ("10.0.0.0/300", InvalidCidr::Prefix { max: 32 }),
        ("10.0.0.0/", InvalidCidr::Prefix { max: 32 }),
        ("10.0.0.0/-1", InvalidCidr::Prefix { max: 32 }),
        ("10.0.0.0/+8", InvalidCidr::Prefix { max: 32 }),
        ("10.0.0.0/ 8", InvalidCidr::Prefix { max: 32 }),
        ("10.0.0.0/8/8", InvalidCidr::Prefix { max: 32 }),
        ("::/129", InvalidCidr::Prefix { max: 128 }),
        ("10.0.0/8", InvalidCidr::Address),
        ("banana", InvalidCidr::Address),
        ("", InvalidCidr::Address),
        ("/8", InvalidCidr::Address),
        (" 10.0.0.0/8", InvalidCidr::Address),
        ("fe80::1%eth0/64", InvalidCidr::Address),
    ];
    for (s, expected) in cases {
        assert_eq!(s.parse::<IpCidr>(), Err(expected), "{s:?}");
    }
    assert!(InvalidCidr::Prefix { max: 32 }.to_string().contains("0 to 32"));
    let _: &dyn std::error::Error = &InvalidCidr::Address;
}

#[test]
fn cidr_new_checks_the_prefix_and_masks_the_address() {
    assert_eq!(IpCidr::new(ip("10.9.8.7"), 16).unwrap(), cidr("10.9.0.0/16"));
    assert_eq!(IpCidr::new(ip("10.9.8.7"), 32).unwrap().addr(), ip("10.9.8.7"));
    assert_eq!(IpCidr::new(ip("10.9.8.7"), 33), Err(InvalidCidr::Prefix { max: 32 }));
    assert_eq!(IpCidr::new(ip("::1"), 128).unwrap().prefix(), 128);
    assert_eq!(IpCidr::new(ip("::1"), 129), Err(InvalidCidr::Prefix { max: 128 }));
}

#[test]
fn cidr_contains() {
    let v4 = cidr("10.0.0.0/8");
    assert!(v4.contains(ip("10.0.0.0")));
    assert!(v4.contains(ip("10.255.255.255")));
    assert!(!v4.contains(ip("11.0.0.0")));
    assert!(!v4.contains(ip("9.255.255.255")));

    let host = cidr("192.168.1.10");
    assert!(host.contains(ip("192.168.1.10")));
    assert!(!host.contains(ip("192.168.1.11")));

    let v6 = cidr("2001:db8::/32");
    assert!(v6.contains(ip("2001:db8:1::1")));
    assert!(!v6.contains(ip("2001:db9::1")));

    let everything_v4 = cidr("0.0.0.0/0");
    assert!(everything_v4.contains(ip("203.0.113.9")));
    assert!(!everything_v4.contains(ip("2001:db8::1")));

    let everything_v6 = cidr("::/0");
    assert!(everything_v6.contains(ip("2001:db8::1")));
    assert!(!everything_v6.contains(ip("203.0.113.9")), "a plain IPv4 address is never in an IPv6 network");
}

#[test]
fn ipv4_mapped_ipv6_addresses_match_ipv4_networks() {
    let network = cidr("10.0.0.0/8");
    assert!(network.contains(ip("::ffff:10.1.2.3")));
    assert!(network.contains(ip("::ffff:a01:203")));
    assert!(!network.contains(ip("::ffff:11.1.2.3")));
    // IPv4-compatible (deprecated) and other IPv6 addresses do not map.
    assert!(!network.contains(ip("::10.1.2.3")));
    assert!(!network.contains(ip("64:ff9b::10.1.2.3")));
    assert!(cidr("127.0.0.1").contains(ip("::ffff:127.0.0.1")));

    // A mapped address still belongs to IPv6 networks that contain it.
    assert!(cidr("::ffff:0:0/96").contains(ip("::ffff:10.1.2.3")));
}

#[test]
fn cidrs_are_hashable_by_network() {
    let set: std::collections::HashSet<IpCidr> =
        ["10.1.2.3/8", "10.0.0.0/8", "10.0.0.0/16"].iter().map(|s| cidr(s)).collect();
    assert_eq!(set.len(), 2);
}

// ---------------------------------------------------------------- .env files

/// The `NAME=value` lines of one of the crate's `.env` files, checking that
/// each is preceded by a `#` comment line and has no inline comment.
fn read_env_file(file: &str) -> Vec<(String, String)> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("config").join(file);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|error| panic!("{}: {error}", path.display()));
    let mut entries = Vec::new();
    let mut after_comment = false;
    for (index, line) in text.lines().enumerate() {
        let at = format!("{file}:{}", index + 1);
        let line = line.trim();
        if line.is_empty() {
            after_comment = false;
        } else if line.starts_with('#') {
            after_comment = true;
        } else {
            let (name, value) = line.split_once('=').unwrap_or_else(|| panic!("{at}: not NAME=value"));
            assert!(after_comment, "{at}: {name} has no comment line above it");
            assert!(!value.contains('#'), "{at}: inline comment after the value");
            entries.push((name.to_owned(), value.to_owned()));
            after_comment = false;
        }
    }
    entries
}

#[track_caller]
fn check_env_file(file: &str) -> Config {
    let entries = read_env_file(file);
    for name in Config::VARIABLES {
        let count = entries.iter().filter(|(key, _)| key == name).count();
        assert_eq!(count, 1, "{file} sets {name} {count} times");
    }
    for (key, _) in &entries {
        assert!(Config::VARIABLES.contains(&key.as_str()), "{file} sets unknown {key}");
    }
    // Gzip backups need the crate feature: without it the file is read as if it said none.
    let entries: Vec<(String, String)> = entries
        .into_iter()
        .map(|(key, value)| match (key.as_str(), cfg!(feature = "gzip")) {
            ("LOG_COMPRESS", false) => (key, "none".to_owned()),
            _ => (key, value),
        })
        .collect();
    Config::from_vars(entries).unwrap_or_else(|error| panic!("{file}: {error}"))
}

#[test]
fn development_env_is_the_defaults_with_debug_on_the_console() {
    let config = check_env_file("development.env");
    assert_eq!(config, Config::default().console_log_level(LevelFilter::DEBUG));
}

#[test]
fn production_env_parses_to_production_settings() {
    let config = check_env_file("production.env");
    assert_eq!(config.environment, "production");
    assert_eq!(config.console_log_level, LevelFilter::WARN);
    assert_eq!(config.file_log_level, LevelFilter::INFO);
    assert!(!config.enable_emojis);
    assert!(config.anonymize_ip);
    assert!(config.mask_sensitive_data);
    assert!(config.enable_json_logging);
    assert!(!config.log_request_body && !config.log_response_body);
    assert!(config.sensitive_fields.iter().any(|field| field == "password"));
    assert_eq!(config.mask_style, MaskStyle::Full, "nothing of a secret is shown");
    assert!(config.max_value_length >= 64);
    assert_eq!(config.user_id_hmac_secret, None, "the secret must come from a secret store");
    assert!(!config.trusted_proxies.is_empty());
    assert!(config.skip_paths.iter().any(|path| path == "/health"));
    assert!(config.log_queue_size > config::DEFAULT_LOG_QUEUE_SIZE, "room for bursts");
    assert_eq!(config.log_queue_overflow, OverflowPolicy::Drop, "a slow disk must not stall requests");
    assert!(config.log_flush_timeout >= config::DEFAULT_LOG_FLUSH_TIMEOUT);
    assert_eq!(config.validate(), Ok(()));
}

// ------------------------------------------------------------------ from_env

/// Set in the environment of the child process that runs the `from_env`
/// checks; the parent never sets its own environment.
const SCENARIO: &str = "TRACING_ACTIVITY_CONFIG_TEST_SCENARIO";

#[test]
fn from_env_reads_the_process_environment() {
    if let Some(scenario) = std::env::var_os(SCENARIO) {
        run_from_env_scenario(scenario.to_str().unwrap());
        return;
    }
    let s = |s: &str| std::ffi::OsString::from(s);
    run_child("empty", vec![]);
    run_child(
        "valid",
        vec![
            (s("LOG_FILE_MAX_SIZE"), s("10MiB")),
            (s("CONSOLE_LOG_LEVEL"), s("warn")),
            (s("USER_ID_HMAC_SECRET"), s("hunter2")),
            (s("NO_COLOR"), s("1")),
            (s("UNRELATED"), s("banana")),
        ],
    );
    run_child("invalid", vec![(s("ENABLE_EMOJIS"), s("maybe"))]);

    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        let bytes = |b: &[u8]| std::ffi::OsString::from_vec(b.to_vec());
        run_child("non-utf8", vec![(s("ENABLE_EMOJIS"), bytes(b"ye\xffs"))]);
        run_child("non-utf8-secret", vec![(s("USER_ID_HMAC_SECRET"), bytes(b"hunter2\xff"))]);
        run_child(
            "non-utf8-ignored",
            vec![
                (s("UNRELATED"), bytes(b"\xff")),
                (bytes(b"ENABLE_EMOJIS\xff"), s("maybe")),
                (s("NO_COLOR"), bytes(b"\xff")),
            ],
        );
    }
}

fn run_child(scenario: &str, vars: Vec<(std::ffi::OsString, std::ffi::OsString)>) {
    let output = std::process::Command::new(std::env::current_exe().unwrap())
        .args(["--exact", "from_env_reads_the_process_environment", "--test-threads=1"])
        .env_clear()
        .env(SCENARIO, scenario)
        .envs(vars)
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("1 passed"),
        "scenario {scenario} failed:\n{stdout}\n{stderr}"
    );
}

fn run_from_env_scenario(scenario: &str) {
    let result = Config::from_env();
    match scenario {
        "empty" => assert_eq!(result.unwrap(), Config::default()),
        "valid" => {
            let config = result.unwrap();
            assert_eq!(config.log_file_max_size, 10_485_760);
            assert_eq!(config.console_log_level, LevelFilter::WARN);
            assert_eq!(config.user_id_hmac_secret.as_ref().map(Secret::expose), Some("hunter2"));
            assert!(config.no_color);
        }
        "invalid" => {
            let error = result.unwrap_err();
            assert_eq!((error.variable(), error.value()), ("ENABLE_EMOJIS", "maybe"));
        }
        "non-utf8" => {
            let error = result.unwrap_err();
            assert_eq!(error.variable(), "ENABLE_EMOJIS");
            assert_eq!(error.value(), "ye\u{fffd}s");
            assert!(error.expected().contains("UTF-8"), "{error}");
        }
        "non-utf8-secret" => {
            let error = result.unwrap_err();
            assert_eq!(error.variable(), "USER_ID_HMAC_SECRET");
            assert_eq!(error.value(), "[REDACTED]");
            assert!(!error.to_string().contains("hunter2") && !format!("{error:?}").contains("hunter2"));
        }
        "non-utf8-ignored" => {
            let config = result.unwrap();
            assert!(config.no_color);
            assert_eq!(config.no_color(false), Config::default());
        }
        other => panic!("unknown scenario {other}"),
    }
}

#[test]
fn log_lifecycle_settings_parse_and_bad_ones_name_their_variable() {
    use tracing_activity::config::{LogCompression, LogRotation};
    assert_eq!(ok(&[("LOG_FORMAT", "ECS")]).log_format, tracing_activity::config::LogFormat::Ecs);
    assert_eq!(ok(&[("LOG_FORMAT", "activity")]).log_format, tracing_activity::config::LogFormat::Activity);
    assert_eq!(err(&[("LOG_FORMAT", "json")]).variable(), "LOG_FORMAT");
    assert_eq!(ok(&[("LOG_ROTATE_EVERY", "Hourly")]).log_rotate_every, LogRotation::Hourly);
    assert_eq!(ok(&[("LOG_ROTATE_EVERY", " daily ")]).log_rotate_every, LogRotation::Daily);
    assert_eq!(ok(&[("LOG_ROTATE_EVERY", "never")]).log_rotate_every, LogRotation::Never);
    let day = Duration::from_secs(86_400);
    assert_eq!(ok(&[("LOG_MAX_AGE", "30d")]).log_max_age, Some(30 * day));
    assert_eq!(ok(&[("LOG_MAX_AGE", "1.5D")]).log_max_age, Some(day * 3 / 2));
    assert_eq!(ok(&[("LOG_MAX_AGE", "12h")]).log_max_age, Some(day / 2));
    assert_eq!(ok(&[("LOG_MAX_AGE", "90m")]).log_max_age, Some(Duration::from_secs(5_400)));
    assert_eq!(ok(&[("LOG_MAX_AGE", "none")]).log_max_age, None);
    assert_eq!(ok(&[("LOG_COMPRESS", "NONE")]).log_compress, LogCompression::None);
    for (vars, variable) in [
        (&[("LOG_ROTATE_EVERY", "weekly")][..], "LOG_ROTATE_EVERY"),
        (&[("LOG_MAX_AGE", "0d")], "LOG_MAX_AGE"),
        (&[("LOG_MAX_AGE", "500ms")], "LOG_MAX_AGE"),
        (&[("LOG_MAX_AGE", "thirty days")], "LOG_MAX_AGE"),
        (&[("LOG_MAX_AGE", "-1d")], "LOG_MAX_AGE"),
        (&[("LOG_COMPRESS", "zstd")], "LOG_COMPRESS"),
    ] {
        assert_eq!(err(vars).variable(), variable, "{vars:?}");
    }
    assert!(err(&[("LOG_ROTATE_EVERY", "weekly")]).to_string().contains("hourly, daily or never"));
    if cfg!(feature = "gzip") {
        assert_eq!(ok(&[("LOG_COMPRESS", "gzip")]).log_compress, LogCompression::Gzip);
    } else {
        let error = err(&[("LOG_COMPRESS", "gzip")]);
        assert!(error.to_string().contains("feature `gzip`"), "{error}");
    }
}

#[test]
fn usage_settings_out_of_range_name_their_variable() {
    for (vars, variable) in [
        (&[("USAGE_FLUSH_INTERVAL", "500ms")][..], "USAGE_FLUSH_INTERVAL"),
        (&[("USAGE_FLUSH_INTERVAL", "25h")], "USAGE_FLUSH_INTERVAL"),
        (&[("USAGE_RETENTION_DAYS", "0")], "USAGE_RETENTION_DAYS"),
        (&[("USAGE_BASE_RETENTION_DAYS", "0")], "USAGE_BASE_RETENTION_DAYS"),
        (&[("USAGE_ERROR_RETENTION_DAYS", "0")], "USAGE_ERROR_RETENTION_DAYS"),
        (&[("USAGE_BASE_RETENTION_DAYS", "40")], "USAGE_RETENTION_DAYS"),
        (&[("USAGE_MAX_FEATURES", "0")], "USAGE_MAX_FEATURES"),
        (&[("USAGE_MAX_FEATURES", "10001")], "USAGE_MAX_FEATURES"),
        (&[("USAGE_BASE_INTERVAL", "week")], "USAGE_BASE_INTERVAL"),
        (&[("USAGE_DATABASE_URL", "mysql://db/usage")], "USAGE_DATABASE_URL"),
    ] {
        assert_eq!(err(vars).variable(), variable, "{vars:?}");
    }
    assert_eq!(ok(&[("USAGE_DB_PATH", "NONE")]).usage_db_path, None);
    assert_eq!(ok(&[("USAGE_FLUSH_INTERVAL", "24h")]).usage_flush_interval, Duration::from_secs(86_400));
    // The URL's password never shows in the configuration's Debug.
    let config = ok(&[("USAGE_DATABASE_URL", "postgres://app:hunter2@db/usage")]);
    assert!(!format!("{config:?}").contains("hunter2"));
    let error = err(&[("USAGE_DATABASE_URL", "mysql://app:hunter2@db/usage")]);
    assert!(!error.to_string().contains("hunter2"), "{error}");
}
