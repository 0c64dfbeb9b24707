//! Core's modules form layers, each importing only those at or below its own (DESIGN.md, "Parts"),
//! and no two files import each other in a circle. This test reads every `crate::…`, `super::…`,
//! `self::…` and child-module path in `core/src` — in `use` lines, inside braces, and inline in
//! code — resolves each to the file that defines it, and fails naming the file and the path when
//! a module reaches a layer above its own or files form a circle. Test modules (`#[cfg(test)]`)
//! are left out: they may use anything. The layer table below is the one place to say where a new
//! module belongs. A second test plants an upward import in a small fixture tree and asserts that
//! the check finds it; a third keeps every "now" on the one clock.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::{Path, PathBuf};

/// Core's layers, lowest first, with the top-level modules in each. `(root)` is `lib.rs` itself
/// (the `Services` bundle and the crate's re-exports).
const LAYERS: &[(&str, &[&str])] = &[
    ("values", &["hour", "time", "mapping", "error"]),
    (
        "storage",
        &["(root)", "db", "entities", "sql", "events_root", "queue"],
    ),
    (
        "ledger",
        &[
            "ingest",
            "ledger",
            "accounts",
            "tenants",
            "mappings",
            "ingestion",
        ],
    ),
    (
        "services",
        &[
            "browse", "channels", "notify", "obsolete", "rollouts", "signals",
        ],
    ),
    ("pipeline", &["pipeline"]),
    ("jobs", &["jobs"]),
    ("testing", &["testing"]),
];

#[test]
fn core_modules_import_only_their_own_layer_and_below() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let report = check(&src, LAYERS);
    assert!(
        report.upward.is_empty() && report.unknown.is_empty(),
        "layer violations:\n{}\n{}",
        report.upward.join("\n"),
        report.unknown.join("\n")
    );
    assert!(report.files > 50, "read only {} files", report.files);
    assert!(report.edges > 200, "found only {} imports", report.edges);
}

#[test]
fn no_two_files_of_core_import_each_other_in_a_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let report = check(&src, LAYERS);
    assert!(
        report.cycles.is_empty(),
        "import circles between files:\n{}",
        report.cycles.join("\n")
    );
}

#[test]
fn a_planted_upward_import_and_a_circle_are_found() {
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/layers_fixture/src");
    let layers: &[(&str, &[&str])] = &[
        ("values", &["(root)", "hour"]),
        ("services", &["report", "report_more"]),
    ];
    let report = check(&fixture, layers);
    assert_eq!(
        report.upward,
        vec![
            "hour.rs: `crate::report_more::{deep::Thing}` reaches layer services from layer values",
            "hour.rs: `crate::report::summary` reaches layer services from layer values",
        ],
        "{report:#?}"
    );
    assert_eq!(
        report.cycles,
        vec!["report/a.rs → report/b.rs → report/a.rs"],
        "{report:#?}"
    );
}

#[test]
fn every_now_goes_through_the_clock() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    for dir in ["core/src", "server/src", "app/src"] {
        for file in rust_files(&root.join(dir)) {
            let text = strip(&fs::read_to_string(&file).unwrap_or_default());
            let shipped = without_tests(&text);
            if file.ends_with("core/src/time.rs") {
                continue;
            }
            for needle in ["Utc::now", "SystemTime::now", "Local::now"] {
                if shipped.contains(needle) {
                    found.push(format!("{}: {needle}", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "read the time from the services' clock (blueprint_core::time):\n{}",
        found.join("\n")
    );
}

#[test]
fn every_transaction_starts_through_begin_write() {
    // A bare `begin()` is a deferred transaction on SQLite: one that reads before it writes fails
    // with "database is locked" when another connection wrote in between (core/src/db.rs).
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut found = Vec::new();
    for dir in ["core/src", "server/src", "app/src"] {
        for file in rust_files(&root.join(dir)) {
            let text = strip(&fs::read_to_string(&file).unwrap_or_default());
            let shipped = compact(&without_tests(&text));
            for needle in [".begin()", ".transaction(", ".begin_with_config("] {
                if shipped.contains(needle) {
                    found.push(format!("{}: {needle}", file.display()));
                }
            }
        }
    }
    assert!(
        found.is_empty(),
        "start transactions with blueprint_core::db::begin_write:\n{}",
        found.join("\n")
    );
}

#[derive(Debug, Default)]
struct Report {
    files: usize,
    edges: usize,
    upward: Vec<String>,
    unknown: Vec<String>,
    cycles: Vec<String>,
}

/// Reads the tree under `src` and checks it against `layers`.
fn check(src: &Path, layers: &[(&str, &[&str])]) -> Report {
    let files: BTreeMap<String, String> = rust_files(src)
        .into_iter()
        .map(|path| {
            let rel = path
                .strip_prefix(src)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            let text = without_tests(&strip(&fs::read_to_string(&path).unwrap()));
            (rel, text)
        })
        .collect();
    let tree = Tree { files: &files };
    let aliases = tree.root_aliases();
    let layer_of = |file: &str| -> Option<usize> {
        let top = top_module(file);
        layers
            .iter()
            .position(|(_, modules)| modules.contains(&top.as_str()))
    };
    let mut report = Report {
        files: files.len(),
        ..Report::default()
    };
    let mut graph: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (file, text) in &files {
        let Some(own) = layer_of(file) else {
            report.unknown.push(format!(
                "{file}: module `{}` is in no layer of the table",
                top_module(file)
            ));
            continue;
        };
        let mut seen = BTreeSet::new();
        for path in paths_in(text, &tree.children(file)) {
            let Some(target) = tree.resolve(file, &path.segments, &aliases) else {
                continue;
            };
            if target == *file {
                continue;
            }
            report.edges += 1;
            graph
                .entry(file.clone())
                .or_default()
                .insert(target.clone());
            let Some(theirs) = layer_of(&target) else {
                continue;
            };
            if theirs > own && seen.insert(path.text.clone()) {
                report.upward.push(format!(
                    "{file}: `{}` reaches layer {} from layer {}",
                    path.text, layers[theirs].0, layers[own].0
                ));
            }
        }
    }
    report.cycles = cycles(&graph);
    report
}

fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in fs::read_dir(&dir).into_iter().flatten().flatten() {
            let path = entry.path();
            if path.is_dir() {
                stack.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The top-level module a file belongs to (`(root)` for lib.rs).
fn top_module(file: &str) -> String {
    let first = file.split('/').next().unwrap_or(file);
    match first.strip_suffix(".rs") {
        Some("lib") => "(root)".into(),
        Some(name) => name.into(),
        None => first.into(),
    }
}

/// The module path of a file: `a/b.rs` and `a/b/mod.rs` are `[a, b]`, `lib.rs` is `[]`.
fn module_path(file: &str) -> Vec<String> {
    let mut parts: Vec<String> = file
        .trim_end_matches(".rs")
        .split('/')
        .map(String::from)
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

struct Tree<'a> {
    files: &'a BTreeMap<String, String>,
}

impl Tree<'_> {
    fn file_of(&self, module: &[String]) -> Option<String> {
        if module.is_empty() {
            return Some("lib.rs".into());
        }
        let base = module.join("/");
        [format!("{base}.rs"), format!("{base}/mod.rs")]
            .into_iter()
            .find(|f| self.files.contains_key(f))
    }

    /// The modules a file declares (`mod x;`), whose paths it may use unprefixed.
    fn children(&self, file: &str) -> BTreeSet<String> {
        let module = module_path(file);
        let mut out = BTreeSet::new();
        for word in self.files[file].split(';') {
            let words: Vec<&str> = word.split_whitespace().collect();
            if let Some(i) = words.iter().position(|w| *w == "mod")
                && let Some(name) = words.get(i + 1)
                && words.len() == i + 2
            {
                let mut child = module.clone();
                child.push((*name).to_owned());
                if self.file_of(&child).is_some() {
                    out.insert((*name).to_owned());
                }
            }
        }
        out
    }

    /// `lib.rs`'s re-exports: a name at the crate root → the module path that defines it.
    fn root_aliases(&self) -> BTreeMap<String, Vec<String>> {
        let mut out = BTreeMap::new();
        if let Some(text) = self.files.get("lib.rs") {
            for path in paths_in(text, &self.children("lib.rs")) {
                if path.in_use
                    && let Some(name) = path.segments.last()
                {
                    out.insert(name.clone(), path.segments.clone());
                }
            }
        }
        out
    }

    /// The file that defines what `segments` (as written in `file`) names.
    fn resolve(
        &self,
        file: &str,
        segments: &[String],
        aliases: &BTreeMap<String, Vec<String>>,
    ) -> Option<String> {
        let own = module_path(file);
        let (mut module, rest) = match segments.first()?.as_str() {
            "crate" => (Vec::new(), &segments[1..]),
            "self" => (own.clone(), &segments[1..]),
            "super" => {
                let mut module = own.clone();
                let mut rest = segments;
                while rest.first().is_some_and(|s| s == "super") {
                    module.pop();
                    rest = &rest[1..];
                }
                (module, rest)
            }
            _ => (own.clone(), segments),
        };
        if module.is_empty()
            && let Some(first) = rest.first()
            && self.file_of(std::slice::from_ref(first)).is_none()
            && let Some(target) = aliases.get(first)
        {
            return self.resolve("lib.rs", target, &BTreeMap::new());
        }
        for segment in rest {
            module.push(segment.clone());
            if self.file_of(&module).is_none() {
                module.pop();
                break;
            }
        }
        self.file_of(&module)
    }
}

#[derive(Debug)]
struct ModPath {
    segments: Vec<String>,
    /// As written, for messages.
    text: String,
    in_use: bool,
}

/// Every module path in a file: the leaves of `use` trees, and `crate::`/`super::`/`self::` or
/// child-module paths inline in code.
fn paths_in(text: &str, children: &BTreeSet<String>) -> Vec<ModPath> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if starts_word(text, i, "use") {
            let end = text[i..].find(';').map_or(text.len(), |e| i + e);
            let tree = &text[i + 3..end];
            let mut leaves = Vec::new();
            expand(tree, &mut Vec::new(), &mut leaves);
            for leaf in leaves {
                let first = leaf.first().map(String::as_str).unwrap_or_default();
                if matches!(first, "crate" | "super" | "self") || children.contains(first) {
                    out.push(ModPath {
                        text: compact(tree),
                        segments: leaf,
                        in_use: true,
                    });
                }
            }
            i = end;
            continue;
        }
        if let Some(path) = inline_path(text, i, children) {
            i += path.text.len();
            out.push(path);
            continue;
        }
        i += 1;
    }
    out
}

/// A path such as `crate::notify::notify_run` starting at `i`.
fn inline_path(text: &str, i: usize, children: &BTreeSet<String>) -> Option<ModPath> {
    let prev = text[..i].chars().next_back();
    if prev.is_some_and(|c| c.is_alphanumeric() || c == '_' || c == ':') {
        return None;
    }
    let rest = &text[i..];
    let end = rest
        .find(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
        .unwrap_or(rest.len());
    let written = rest[..end].trim_end_matches(':');
    let segments: Vec<String> = written.split("::").map(String::from).collect();
    let first = segments.first()?.as_str();
    let known = matches!(first, "crate" | "super" | "self") || children.contains(first);
    (known && segments.len() > 1).then(|| ModPath {
        segments,
        text: written.to_owned(),
        in_use: false,
    })
}

fn starts_word(text: &str, i: usize, word: &str) -> bool {
    text[i..].starts_with(word)
        && text[..i]
            .chars()
            .next_back()
            .is_none_or(|c| !(c.is_alphanumeric() || c == '_'))
        && text[i + word.len()..].starts_with(char::is_whitespace)
}

fn compact(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Expands a use tree (`a::{b, c::{d, e}}`) into its leaf paths.
fn expand(tree: &str, prefix: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    let tree = tree.trim();
    let (head, group) = match tree.find('{') {
        Some(open) => (
            &tree[..open],
            Some(&tree[open + 1..tree.rfind('}').unwrap_or(tree.len())]),
        ),
        None => (tree, None),
    };
    let head = head.split(" as ").next().unwrap_or(head);
    let added: Vec<String> = head
        .split("::")
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(String::from)
        .collect();
    let depth = prefix.len();
    prefix.extend(added);
    match group {
        None => {
            if prefix.last().is_some_and(|s| s == "self") {
                prefix.pop();
            }
            if !prefix.is_empty() {
                out.push(prefix.clone());
            }
        }
        Some(group) => {
            for part in split_top(group) {
                expand(part, prefix, out);
            }
        }
    }
    prefix.truncate(depth);
}

/// Splits a brace group at its top-level commas.
fn split_top(group: &str) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut start) = (0, 0);
    for (i, c) in group.char_indices() {
        match c {
            '{' => depth += 1,
            '}' => depth -= 1,
            ',' if depth == 0 => {
                parts.push(&group[start..i]);
                start = i + 1;
            }
            _ => {}
        }
    }
    parts.push(&group[start..]);
    parts.into_iter().filter(|p| !p.trim().is_empty()).collect()
}

/// The source without comments, string and character literals (so a path in a message or a
/// comment is not an import).
fn strip(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        let next = chars.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < chars.len() {
                if chars[i] == '/' && chars.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if chars[i] == '*' && chars.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if c == 'r'
            && (next == Some('#') || next == Some('"'))
            && raw_string_end(&chars, i).is_some()
        {
            i = raw_string_end(&chars, i).unwrap_or(i + 1);
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < chars.len() && chars[i] != '"' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' && (next == Some('\\') || chars.get(i + 2) == Some(&'\'')) {
            i += 1;
            while i < chars.len() && chars[i] != '\'' {
                i += if chars[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("' '");
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

/// Where a raw string (`r"…"`, `r#"…"#`) starting at `i` ends, if one starts there.
fn raw_string_end(chars: &[char], i: usize) -> Option<usize> {
    if i > 0 && (chars[i - 1].is_alphanumeric() || chars[i - 1] == '_') {
        return None;
    }
    let mut j = i + 1;
    let mut hashes = 0;
    while chars.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    if chars.get(j) != Some(&'"') {
        return None;
    }
    j += 1;
    while j < chars.len() {
        if chars[j] == '"' && (0..hashes).all(|k| chars.get(j + 1 + k) == Some(&'#')) {
            return Some(j + 1 + hashes);
        }
        j += 1;
    }
    Some(chars.len())
}

/// The source without items marked `#[cfg(test)]` (test modules and test-only imports).
fn without_tests(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("#[cfg(test)]") {
        out.push_str(&rest[..at]);
        let after = &rest[at + "#[cfg(test)]".len()..];
        let brace = after.find('{');
        let semi = after.find(';');
        rest = match (brace, semi) {
            (Some(b), Some(s)) if s < b => &after[s + 1..],
            (Some(b), _) => {
                let mut depth = 0;
                let mut end = after.len();
                for (i, c) in after[b..].char_indices() {
                    match c {
                        '{' => depth += 1,
                        '}' => {
                            depth -= 1;
                            if depth == 0 {
                                end = b + i + 1;
                                break;
                            }
                        }
                        _ => {}
                    }
                }
                &after[end..]
            }
            (None, Some(s)) => &after[s + 1..],
            (None, None) => "",
        };
    }
    out.push_str(rest);
    out
}

/// Every circle of the file graph, each once, as `a → b → a`.
fn cycles(graph: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    let mut tarjan = Tarjan::default();
    for v in graph.keys() {
        if !tarjan.index.contains_key(v) {
            tarjan.visit(v, graph);
        }
    }
    let mut out = Vec::new();
    for component in tarjan.components.into_iter().filter(|c| c.len() > 1) {
        let members: BTreeSet<&String> = component.iter().copied().collect();
        let start = *members.iter().next().unwrap();
        out.push(shortest_loop(start, &members, graph).join(" → "));
    }
    out.sort();
    out
}

/// Tarjan's strongly connected components: each component of more than one file is a circle.
#[derive(Default)]
struct Tarjan<'a> {
    index: BTreeMap<&'a String, usize>,
    low: BTreeMap<&'a String, usize>,
    on_stack: BTreeSet<&'a String>,
    stack: Vec<&'a String>,
    components: Vec<Vec<&'a String>>,
    next: usize,
}

impl<'a> Tarjan<'a> {
    fn visit(&mut self, v: &'a String, graph: &'a BTreeMap<String, BTreeSet<String>>) {
        self.index.insert(v, self.next);
        self.low.insert(v, self.next);
        self.next += 1;
        self.stack.push(v);
        self.on_stack.insert(v);
        for w in graph.get(v).into_iter().flatten() {
            if !self.index.contains_key(w) {
                self.visit(w, graph);
                let low = self.low[v].min(self.low[w]);
                self.low.insert(v, low);
            } else if self.on_stack.contains(w) {
                let low = self.low[v].min(self.index[w]);
                self.low.insert(v, low);
            }
        }
        if self.low[v] == self.index[v] {
            let mut component = Vec::new();
            while let Some(w) = self.stack.pop() {
                self.on_stack.remove(w);
                component.push(w);
                if w == v {
                    break;
                }
            }
            self.components.push(component);
        }
    }
}

/// The shortest path from `start` back to itself inside one component.
fn shortest_loop<'a>(
    start: &'a String,
    members: &BTreeSet<&'a String>,
    graph: &'a BTreeMap<String, BTreeSet<String>>,
) -> Vec<String> {
    let mut previous: BTreeMap<&String, &String> = BTreeMap::new();
    let mut queue = std::collections::VecDeque::from([start]);
    while let Some(v) = queue.pop_front() {
        for w in graph.get(v).into_iter().flatten() {
            if !members.contains(w) {
                continue;
            }
            if w == start {
                let mut path = vec![start.clone()];
                let mut at = v;
                while at != start {
                    path.push(at.clone());
                    at = previous[at];
                }
                path.push(start.clone());
                let last = path.len() - 1;
                path[1..last].reverse();
                return path;
            }
            if !previous.contains_key(w) {
                previous.insert(w, v);
                queue.push_back(w);
            }
        }
    }
    vec![start.clone()]
}
