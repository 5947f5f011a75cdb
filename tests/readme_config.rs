//! The variable table of the README's `## Configuration` section against the code: it lists
//! exactly the variables in `Config::VARIABLES`, and the default in each row is the code's.
//!
//! Two more variables are read from the environment but documented in the prose under the table,
//! not in it: `RUST_LOG`, the filter `init()` installs (not a `Config` setting), and `NO_COLOR`,
//! the no-color.org convention shared with other tools, which `Config::VARIABLES` leaves out too.

use std::collections::BTreeSet;

use tracing_activity::Config;

const README: &str = include_str!("../README.md");

/// The variables documented under the table instead of in it.
const DOCUMENTED_UNDER_THE_TABLE: [&str; 2] = ["RUST_LOG", "NO_COLOR"];

/// What a row gives as the default.
#[derive(Debug)]
enum Documented {
    /// `` `value` ``: the text of a value that parses to the code's default.
    Value(String),
    /// `(empty)`: the empty list.
    Empty,
    /// `(none)`: no value at all.
    None,
}

/// A row `` | `VAR` | default | meaning | `` of the table.
#[derive(Debug)]
struct Row {
    variable: String,
    default: Documented,
}

/// The README from `## Configuration` to the next `## ` heading.
fn configuration_section() -> &'static str {
    let start = README.find("\n## Configuration\n").expect("the README has a `## Configuration` section");
    let section = &README[start + 1..];
    let end = section[3..].find("\n## ").map_or(section.len(), |end| end + 3);
    &section[..end]
}

/// The rows of the section's `| variable | default | meaning |` table.
fn rows() -> Vec<Row> {
    let section = configuration_section();
    assert!(
        section.lines().any(|line| line.trim() == "| variable | default | meaning |"),
        "the Configuration section has a `| variable | default | meaning |` table"
    );
    let rows: Vec<Row> = section
        .lines()
        .filter(|line| line.starts_with("| `"))
        .map(|line| {
            let cells: Vec<&str> = line[1..].splitn(3, '|').map(str::trim).collect();
            let [variable, default, meaning] = cells[..] else {
                panic!("{line:?} is not a `| variable | default | meaning |` row");
            };
            let variable = variable
                .strip_prefix('`')
                .and_then(|v| v.strip_suffix('`'))
                .unwrap_or_else(|| panic!("{line:?}: the variable is not one `code` span"));
            assert!(!meaning.trim_end_matches('|').trim().is_empty(), "{variable}: the meaning is empty");
            let default = match default {
                "(empty)" => Documented::Empty,
                "(none)" => Documented::None,
                _ => match default.strip_prefix('`').and_then(|d| d.strip_suffix('`')) {
                    Some(value) if !value.contains('`') && !value.trim().is_empty() => {
                        Documented::Value(value.to_owned())
                    }
                    _ => panic!("{variable}: the default {default:?} is not `value`, (empty) or (none)"),
                },
            };
            Row { variable: variable.to_owned(), default }
        })
        .collect();
    assert!(!rows.is_empty(), "the Configuration table has rows");
    rows
}

/// The fields of `config` with the `Debug` text of their values, multi-line values joined on one
/// line.
fn fields(config: &Config) -> Vec<(String, String)> {
    let mut fields: Vec<(String, String)> = Vec::new();
    let debug = format!("{config:#?}");
    // Between `Config {` and `}`: a line indented by four spaces starts a field, deeper ones
    // continue its value.
    let lines = debug.lines().skip(1).take_while(|&line| line != "}");
    for line in lines {
        match line.strip_prefix("    ").and_then(|line| line.split_once(": ")) {
            Some((name, value)) if !name.starts_with(' ') => fields.push((name.to_owned(), value.to_owned())),
            _ => {
                if let Some((_, value)) = fields.last_mut() {
                    value.push_str(line.trim());
                }
            }
        }
    }
    for (_, value) in &mut fields {
        *value = value.trim_end_matches(',').to_owned();
    }
    fields
}

/// The `Debug` text of the field of `config` that `variable` sets: the fields are named like
/// the variables, in lower case.
fn field(config: &Config, variable: &str) -> String {
    let name = variable.to_ascii_lowercase();
    fields(config)
        .into_iter()
        .find_map(|(field, value)| (field == name).then_some(value))
        .unwrap_or_else(|| panic!("Config has no field named like {variable}"))
}

/// The fields that differ between `config` and `default`, for failure messages.
fn differences(config: &Config, default: &Config) -> Vec<String> {
    fields(config)
        .into_iter()
        .zip(fields(default))
        .filter(|(field, default)| field != default)
        .map(|((name, value), (_, default))| format!("{name}: {value} instead of {default}"))
        .collect()
}

#[test]
fn the_table_lists_every_variable_the_config_reads() {
    let rows = rows();
    let in_table: BTreeSet<&str> = rows.iter().map(|row| row.variable.as_str()).collect();
    assert_eq!(in_table.len(), rows.len(), "a variable has more than one row: {rows:#?}");

    let in_code: BTreeSet<&str> = Config::VARIABLES.iter().copied().collect();
    let undocumented: Vec<_> = in_code.difference(&in_table).collect();
    let unknown: Vec<_> = in_table.difference(&in_code).collect();
    assert!(
        undocumented.is_empty() && unknown.is_empty(),
        "README table against Config::VARIABLES: missing rows {undocumented:?}, rows the code does not read {unknown:?}"
    );
}

#[test]
fn rust_log_and_no_color_are_documented_under_the_table() {
    let section = configuration_section();
    for variable in DOCUMENTED_UNDER_THE_TABLE {
        assert!(!Config::VARIABLES.contains(&variable), "{variable} is in Config::VARIABLES");
        assert!(
            !section.lines().any(|line| line.starts_with(&format!("| `{variable}` |"))),
            "{variable} has a row in the table"
        );
        assert!(
            section.contains(&format!("`{variable}`")),
            "the Configuration section does not mention {variable}"
        );
    }
    // `NO_COLOR` is read by `Config::from_vars` all the same.
    assert!(Config::from_vars([("NO_COLOR", "1")]).unwrap().no_color);
}

#[test]
fn the_table_defaults_are_the_code_defaults() {
    let default = Config::default();
    for Row { variable, default: documented } in rows() {
        // An empty value means the default for a scalar and the empty list for a list, so for
        // `(empty)` and `(none)` the field itself must also be empty or absent.
        let value = match &documented {
            Documented::Value(value) => value.as_str(),
            Documented::Empty => {
                assert_eq!(field(&default, &variable), "[]", "{variable} is documented as (empty)");
                ""
            }
            Documented::None => {
                assert_eq!(field(&default, &variable), "None", "{variable} is documented as (none)");
                ""
            }
        };
        let parsed = Config::from_vars([(variable.as_str(), value)])
            .unwrap_or_else(|e| panic!("the README's default of {variable} does not parse: {e}"));
        assert!(
            parsed == default,
            "the README's default of {variable} is {documented:?}, which is not the code's default: {:?}",
            differences(&parsed, &default)
        );
    }
}
