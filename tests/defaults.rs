//! The documented defaults are the code's defaults: the README's table and the config module's.

use tracing_activity::Config;

/// `(variable, default)` for each table row of the form `` | `NAME` | default | … ``.
fn table_rows(text: &str) -> Vec<(String, String)> {
    text.lines()
        .map(|l| l.trim_start_matches("//!").trim())
        .filter_map(|l| {
            let cells: Vec<&str> = l.strip_prefix('|')?.split('|').map(str::trim).collect();
            let name = cells.first()?.strip_prefix('`')?.strip_suffix('`')?;
            if !name.bytes().all(|b| b.is_ascii_uppercase() || b == b'_') {
                return None;
            }
            let default = cells.get(1)?;
            let default = match default.strip_prefix('`') {
                Some(rest) => rest.split('`').next().unwrap_or_default(),
                None => "", // (empty), (none), (unset…)
            };
            Some((name.to_owned(), default.to_owned()))
        })
        .collect()
}

fn check(source: &str, text: &str) {
    let rows = table_rows(text);
    for name in Config::VARIABLES {
        assert_eq!(rows.iter().filter(|(n, _)| n == name).count(), 1, "{source}: {name} must have one row");
    }
    for (name, default) in &rows {
        assert!(Config::VARIABLES.contains(&name.as_str()) || name == "NO_COLOR", "{source}: unknown {name}");
        let parsed = Config::from_vars([(name.as_str(), default.as_str())])
            .unwrap_or_else(|e| panic!("{source}: the documented default of {name} does not parse: {e}"));
        assert_eq!(parsed, Config::default(), "{source}: {name}={default:?} is not the code's default");
    }
}

#[test]
fn readme_table_matches_the_code() {
    check("README.md", include_str!("../README.md"));
}

#[test]
fn config_module_table_matches_the_code() {
    check("src/config/mod.rs", include_str!("../src/config/mod.rs"));
}
