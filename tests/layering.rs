//! The crate's modules import in one direction: each top-level module only from the modules
//! below it in [`LAYERS`], and no module, at any depth, from a module that imports it back.
//! A module's own submodules are part of it: a submodule may use its parent's items (the
//! type the parent is about), as the parent uses theirs.
//!
//! `cargo test --test layering -- --nocapture` prints the import graph.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// The top-level modules, from the top: each may import only from those after it.
///
/// An event flows down the middle: `layer` finds its spans, the `record` takes its fields
/// (cleaned by `privacy`), `render` writes the lines and `sink` takes them. `render` reads the
/// record, so it sits above it; `escape` is how any value is written into a line, used by
/// privacy's scan, the record's data and the lines alike, so it sits below them all.
const LAYERS: &[&str] = &[
    "builder",
    "guard",
    "usage",
    "report",
    "http",
    "layer",
    "counters",
    "render",
    "record",
    "handoff",
    "privacy",
    "value",
    "otel",
    "escape",
    "sink",
    "filter",
    "macros",
    "action",
    "histogram",
    "fields",
    "config",
];

/// Module path (`http::service`) → the crate modules it names (`http::body`, `privacy`).
fn import_graph() -> BTreeMap<String, BTreeSet<String>> {
    let mut files = Vec::new();
    collect(Path::new("src"), &mut files);
    let modules: BTreeSet<String> = files.iter().map(|(m, _)| m.clone()).collect();
    let mut graph = BTreeMap::new();
    for (module, text) in &files {
        let parent = module.rsplit_once("::").map_or("", |(p, _)| p);
        let mut names = BTreeSet::new();
        for line in code_lines(text) {
            for (prefix, base) in [("crate::", ""), ("super::", parent)] {
                for path in paths_after(line, prefix) {
                    let full = if base.is_empty() { path } else { format!("{base}::{path}") };
                    // The longest module that the path starts with.
                    let parts: Vec<&str> = full.split("::").collect();
                    if let Some(named) = (1..=parts.len())
                        .rev()
                        .map(|n| parts[..n].join("::"))
                        .find(|m| modules.contains(m) && !is_within(module, m))
                    {
                        names.insert(named);
                    }
                }
            }
        }
        graph.insert(module.clone(), names);
    }
    graph
}

/// Every `.rs` file under `dir` but the binaries, as (module path, text).
fn collect(dir: &Path, out: &mut Vec<(String, String)>) {
    for entry in fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if !path.ends_with("bin") {
                collect(&path, out);
            }
            continue;
        }
        let rel = path.strip_prefix("src").unwrap().with_extension("");
        let mut parts: Vec<String> = rel.iter().map(|p| p.to_string_lossy().into_owned()).collect();
        if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
            parts.pop();
        }
        if !parts.is_empty() {
            out.push((parts.join("::"), fs::read_to_string(&path).unwrap()));
        }
    }
}

/// The lines of code before the unit tests, without comments.
fn code_lines(text: &str) -> impl Iterator<Item = &str> {
    let code = text.split("#[cfg(test)]\nmod tests").next().unwrap_or_default();
    code.lines().map(|line| line.split("//").next().unwrap_or_default())
}

/// The paths named after `prefix` in `line`: `crate::a::b` gives `a::b`, and
/// `crate::{a::b, c}` gives both.
fn paths_after(line: &str, prefix: &str) -> Vec<String> {
    let mut paths = Vec::new();
    for (at, _) in line.match_indices(prefix) {
        let rest = &line[at + prefix.len()..];
        if let Some(group) = rest.strip_prefix('{') {
            let group = group.split('}').next().unwrap_or_default();
            paths.extend(group.split(',').map(|p| path_of(p.trim())).filter(|p| !p.is_empty()));
        } else {
            paths.push(path_of(rest));
        }
    }
    paths
}

fn path_of(text: &str) -> String {
    text.split(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == ':'))
        .next()
        .unwrap_or_default()
        .trim_end_matches(':')
        .to_owned()
}

/// Whether `module` is `outer` or inside it.
fn is_within(module: &str, outer: &str) -> bool {
    module == outer || module.starts_with(&format!("{outer}::"))
}

fn top(module: &str) -> &str {
    module.split("::").next().unwrap_or(module)
}

#[test]
fn modules_import_only_from_the_layers_below_them() {
    let graph = import_graph();
    for (module, names) in &graph {
        println!("{module} -> {}", names.iter().cloned().collect::<Vec<_>>().join(", "));
    }
    let rank = |m: &str| LAYERS.iter().position(|l| *l == top(m));
    let mut upward = Vec::new();
    for (module, names) in &graph {
        let Some(from) = rank(module) else { panic!("{module} is not in LAYERS") };
        for name in names {
            let to = rank(name).unwrap_or_else(|| panic!("{name} is not in LAYERS"));
            if top(name) != top(module) && to <= from {
                upward.push(format!("{module} -> {name}"));
            }
        }
    }
    assert!(upward.is_empty(), "imports from a layer above: {upward:#?}");
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let graph = import_graph();
    // Depth-first search for a path from each module back to itself.
    for start in graph.keys() {
        let mut stack: Vec<(String, Vec<String>)> = vec![(start.clone(), vec![start.clone()])];
        let mut seen = BTreeSet::new();
        while let Some((module, path)) = stack.pop() {
            for next in graph.get(&module).into_iter().flatten() {
                assert!(next != start, "a cycle: {} -> {start}", path.join(" -> "));
                if seen.insert(next.clone()) {
                    let mut longer = path.clone();
                    longer.push(next.clone());
                    stack.push((next.clone(), longer));
                }
            }
        }
    }
}

#[test]
fn the_graph_sees_imports_of_every_form() {
    assert_eq!(paths_after("use crate::record::{EventKind, Record};", "crate::"), ["record"]);
    assert_eq!(paths_after("use crate::{a::b, c};", "crate::"), ["a::b", "c"]);
    assert_eq!(paths_after("x = crate::escape::Text::new(s);", "crate::"), ["escape::Text::new"]);
    let graph = import_graph();
    assert!(graph["layer"].contains("record"), "{:?}", graph["layer"]);
    assert!(graph["http::service"].contains("http::future"), "{:?}", graph["http::service"]);
}
