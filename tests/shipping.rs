//! The shipping configurations in config/ (Vector, Fluent Bit, Promtail, Alloy; one per log
//! format) parse, tail the file the crate writes (and only it: its backups are the same
//! lines), keep checkpoints, and name only fields that every line the crate writes has, as Loki
//! labels only fields of few values.

mod common;

use std::path::{Path, PathBuf};

use serde_json::Value;
use tracing_activity::config::LogFormat;
use tracing_activity::{ActionType, Builder, Config, log_error, user_action};
use tracing_subscriber::prelude::*;
use yaml_rust2::{Yaml, YamlLoader};

fn config_file(path: &str) -> String {
    std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("config").join(path)).unwrap()
}

/// Lines of each kind the crate writes in `format`: actions in and out of a request, an error,
/// a plain event, with and without a user.
fn lines(format: LogFormat) -> Vec<Value> {
    let file = tempfile::NamedTempFile::new().unwrap();
    let config = Config::default()
        .enable_console_logging(false)
        .user_activity_log_path(file.path())
        .log_format(format);
    let activity = Builder::new().config(config).build().unwrap();
    let dispatch = tracing::Dispatch::new(tracing_subscriber::registry().with(activity.layer));
    tracing::dispatcher::with_default(&dispatch, || {
        user_action!(ActionType::Click, "save");
        let span = tracing::info_span!(
            "request",
            user_id = "ann",
            session_id = "s-1",
            method = "GET",
            url = "/a?b=1"
        );
        let _span = span.enter();
        user_action!(ActionType::ApiCall, "GET /a", status_code = 200u64, duration_ms = 3.5);
        log_error!("ValidationError", "bad input");
        tracing::info!(target: tracing_activity::TARGET, "a plain event");
    });
    drop(dispatch);
    activity.guard.close();
    std::fs::read_to_string(file.path()).unwrap().lines().map(common::parse_strict).collect()
}

/// The value at a dotted path (`log.level`; `"@timestamp"` quoted as JMESPath quotes it).
fn at<'a>(line: &'a Value, path: &str) -> &'a Value {
    if let Some(key) = path.strip_prefix('"').and_then(|p| p.strip_suffix('"')) {
        return &line[key];
    }
    path.split('.').fold(line, |value, key| &value[key])
}

/// Checks that every line of `format` has a text at each of `fields`, and that none of the
/// label fields names who or where.
fn check_fields(tool: &str, format: LogFormat, fields: &[String], labels: &[String]) {
    assert!(!fields.is_empty() && !labels.is_empty(), "{tool}: nothing found");
    for line in lines(format) {
        for field in fields {
            assert!(at(&line, field).is_string(), "{tool} ({format}): no text at {field} in {line}");
        }
    }
    for label in labels {
        for who in ["user", "session", "ip", "client", "url", "request", "trace", "span"] {
            assert!(!label.contains(who), "{tool} ({format}): label {label} has one value per {who}");
        }
    }
}

/// The file a configuration tails must be the crate's log file, exactly: no glob that would take
/// in the rotated backups as well.
fn check_path(tool: &str, path: &str) {
    let name = Config::default().user_activity_log_path.file_name().unwrap().to_owned();
    let path = PathBuf::from(path);
    assert_eq!(path.file_name(), Some(name.as_os_str()), "{tool}: tails {}", path.display());
    assert!(path.is_absolute() && !path.to_string_lossy().contains('*'), "{tool}: {}", path.display());
}

const FORMATS: [(LogFormat, &str); 2] = [(LogFormat::Activity, "activity"), (LogFormat::Ecs, "ecs")];

#[test]
fn vector_configs_ship_the_fields_the_crate_writes() {
    for (format, name) in FORMATS {
        let text = config_file(&format!("vector/{name}.toml"));
        let config: toml::Table = text.parse().unwrap_or_else(|e| panic!("vector/{name}.toml: {e}"));
        assert!(config["data_dir"].is_str(), "checkpoints kept in data_dir");
        let source = &config["sources"]["activity"];
        assert_eq!(source["type"].as_str(), Some("file"));
        let include = source["include"].as_array().unwrap();
        assert_eq!(include.len(), 1);
        check_path("vector", include[0].as_str().unwrap());
        let sinks = config["sinks"].as_table().unwrap();
        assert_eq!(sinks["opensearch"]["type"].as_str(), Some("opensearch"));
        assert_eq!(sinks["loki"]["type"].as_str(), Some("loki"));
        // The timestamp the remap reads, and the fields the Loki labels take.
        let remap = config["transforms"]["activity_parsed"]["source"].as_str().unwrap();
        let timestamp = remap.split("parse_timestamp!(.").nth(1).unwrap().split(',').next().unwrap();
        let mut labels = Vec::new();
        for (label, value) in sinks["loki"]["labels"].as_table().unwrap() {
            let value = value.as_str().unwrap();
            if let Some(field) = value.strip_prefix("{{ ").and_then(|v| v.strip_suffix(" }}")) {
                labels.push(field.to_owned());
            } else {
                assert!(!value.contains("{{"), "label {label}: {value}");
            }
        }
        let mut fields = labels.clone();
        fields.push(timestamp.to_owned());
        check_fields("vector", format, &fields, &labels);
    }
}

fn yaml(path: &str) -> Yaml {
    let mut docs = YamlLoader::load_from_str(&config_file(path)).unwrap_or_else(|e| panic!("{path}: {e}"));
    assert_eq!(docs.len(), 1, "{path}");
    docs.remove(0)
}

fn text(value: &Yaml) -> String {
    match value {
        Yaml::String(s) => s.clone(),
        Yaml::Integer(n) => n.to_string(),
        Yaml::Boolean(b) => b.to_string(),
        other => panic!("not a scalar: {other:?}"),
    }
}

#[test]
fn fluent_bit_configs_ship_the_fields_the_crate_writes() {
    for (format, name) in FORMATS {
        let config = yaml(&format!("fluent-bit/{name}.yaml"));
        let input = &config["pipeline"]["inputs"][0];
        assert_eq!(text(&input["name"]), "tail");
        check_path("fluent-bit", &text(&input["path"]));
        assert!(!text(&input["db"]).is_empty(), "checkpoints kept in db");
        let parser =
            config["parsers"].as_vec().unwrap().iter().find(|p| text(&p["name"]) == text(&input["parser"]));
        let parser = parser.expect("the input's parser is defined");
        assert_eq!(text(&parser["format"]), "json");
        let outputs = config["pipeline"]["outputs"].as_vec().unwrap();
        let names: Vec<String> = outputs.iter().map(|o| text(&o["name"])).collect();
        assert_eq!(names, ["opensearch", "loki"]);
        // `labels: key=value, key=$field, key=$object['field']`
        let loki = &outputs[1];
        let mut labels = Vec::new();
        for pair in text(&loki["labels"]).split(',') {
            let (_, value) = pair.trim().split_once('=').unwrap();
            if let Some(accessor) = value.strip_prefix('$') {
                labels.push(accessor.replace("['", ".").replace("']", ""));
            }
        }
        let mut fields = labels.clone();
        fields.push(format!("\"{}\"", text(&parser["time_key"])));
        check_fields("fluent-bit", format, &fields, &labels);
    }
}

#[test]
fn promtail_configs_ship_the_fields_the_crate_writes() {
    for (format, name) in FORMATS {
        let config = yaml(&format!("promtail/{name}.yaml"));
        assert!(!text(&config["positions"]["filename"]).is_empty(), "checkpoints kept in positions");
        let scrape = &config["scrape_configs"][0];
        check_path("promtail", &text(&scrape["static_configs"][0]["labels"]["__path__"]));
        let stages = scrape["pipeline_stages"].as_vec().unwrap();
        let stage = |name: &str| stages.iter().find(|s| !s[name].is_badvalue()).map(|s| &s[name]).unwrap();
        let expressions = stage("json")["expressions"].as_hash().unwrap();
        let expression = |key: &str| text(&expressions[&Yaml::String(key.to_owned())]);
        let labels: Vec<String> =
            stage("labels").as_hash().unwrap().keys().map(|k| expression(&text(k))).collect();
        let mut fields = labels.clone();
        fields.push(expression(&text(&stage("timestamp")["source"])));
        check_fields("promtail", format, &fields, &labels);
    }
}

/// The `name = "value"` pairs of an Alloy object literal (`{a = "x", b = "y"}`), values
/// unescaped.
fn alloy_pairs(object: &str) -> Vec<(String, String)> {
    let pair = regex::Regex::new(r#"(\w+)\s*=\s*"((?:[^"\\]|\\.)*)""#).unwrap();
    pair.captures_iter(object).map(|c| (c[1].to_owned(), c[2].replace("\\\"", "\""))).collect()
}

/// The text between the braces of `block {` in an Alloy file (blocks here do not nest braces
/// in the parts read).
fn alloy_block<'a>(text: &'a str, start: &str) -> &'a str {
    let from = text.find(start).unwrap_or_else(|| panic!("no {start}")) + start.len();
    let open = from + text[from..].find('{').unwrap() + 1;
    let close = open + text[open..].find('}').unwrap();
    &text[open..close]
}

#[test]
fn alloy_configs_ship_the_fields_the_crate_writes() {
    // A target map quotes its keys: `{"__path__" = "…", …}`.
    let path_target = regex::Regex::new(r#""__path__"\s*=\s*"([^"]+)""#).unwrap();
    for (format, name) in FORMATS {
        let text = config_file(&format!("alloy/{name}.alloy"));
        for block in ["local.file_match", "loki.source.file", "loki.process", "loki.write"] {
            assert!(text.contains(&format!("{block} \"")), "alloy/{name}.alloy has no {block}");
        }
        let path = path_target.captures(&text).map(|c| c[1].to_owned());
        check_path("alloy", &path.expect("a __path__ target"));
        let expressions = alloy_pairs(alloy_block(&text, "expressions = "));
        let expression =
            |key: &str| expressions.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone()).unwrap();
        let labels: Vec<String> =
            alloy_pairs(alloy_block(&text, "values = ")).iter().map(|(k, _)| expression(k)).collect();
        let timestamp = alloy_pairs(alloy_block(&text, "stage.timestamp"));
        let mut fields = labels.clone();
        fields.push(expression(&timestamp.iter().find(|(k, _)| k == "source").unwrap().1));
        check_fields("alloy", format, &fields, &labels);
    }
}
