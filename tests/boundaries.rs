//! The architecture's rules, checked on the source itself: which layer may name which,
//! and that no two files of `src/` import each other (directly or round a circle).
//!
//! The checker is a small reader of Rust source, not a compiler: it drops comments,
//! strings and character literals, then collects every `use` tree and every path
//! written inline (`crate::x::y`, `super::z`, `reqwest::Client`, `child::f`). Paths are
//! resolved against the module tree of `src/` (one module per file, plus inline `mod`
//! blocks such as `mod tests`), following `pub use` re-exports to the file that defines
//! the item. Macro bodies are read like any other tokens, so a path inside `format!` or
//! `json!` counts too. What it cannot see: a name brought in by a `use` and then
//! written bare — but that `use` is itself seen.
//!
//! **The import graph.** Nodes are the files of `src/` (`main.rs`, the binary, is left
//! out: nothing imports it). There is an edge A → B when A names, through a
//! `crate::`, `super::`, `self::` or child-module path, an item whose definition is in
//! B (after following re-exports). Two things do not make edges:
//! - a `mod x;` declaration: declaring a child is not using it;
//! - a `pub use` in a module of an item of its own descendant: a facade re-exporting
//!   its children is how a folder offers one face; the users are routed past it to the
//!   defining file.
//!
//! A parent that *uses* a child's item (a private `use child::X` and code calling it)
//! and a child that uses the parent's own items is a circle like any other.

// Tests may panic: that is how they fail (the lints guard `src/`).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

mod checker {
    use std::collections::{BTreeMap, BTreeSet};

    /// One token of Rust source, with the 1-based line it starts on.
    #[derive(Clone, Debug, PartialEq)]
    pub enum Tok {
        Ident(String),
        /// `::`
        Path,
        Open,
        Close,
        Comma,
        Semi,
        Star,
        Other(char),
    }

    /// The tokens of `src` that matter for paths: comments, strings (plain, raw, byte)
    /// and character literals are dropped; lifetimes become nothing.
    pub fn lex(src: &str) -> Vec<(Tok, usize)> {
        let c: Vec<char> = src.chars().collect();
        let mut out = Vec::new();
        let (mut i, mut line) = (0usize, 1usize);
        let at = |i: usize| c.get(i).copied().unwrap_or('\0');
        while i < c.len() {
            let ch = c[i];
            if ch == '\n' {
                line += 1;
                i += 1;
            } else if ch.is_whitespace() {
                i += 1;
            } else if ch == '/' && at(i + 1) == '/' {
                while i < c.len() && c[i] != '\n' {
                    i += 1;
                }
            } else if ch == '/' && at(i + 1) == '*' {
                let mut depth = 0;
                while i < c.len() {
                    if c[i] == '/' && at(i + 1) == '*' {
                        depth += 1;
                        i += 2;
                    } else if c[i] == '*' && at(i + 1) == '/' {
                        depth -= 1;
                        i += 2;
                        if depth == 0 {
                            break;
                        }
                    } else {
                        if c[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                }
            } else if ch == '"' {
                i = skip_string(&c, i + 1, &mut line);
            } else if ch == '\'' {
                // A character literal ('a', '\n', '\u{1F600}') or a lifetime ('a).
                if at(i + 1) == '\\' {
                    i += 2;
                    while i < c.len() && c[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else if at(i + 2) == '\'' {
                    i += 3;
                } else {
                    i += 1; // a lifetime: its name lexes as an identifier, harmlessly
                }
            } else if ch.is_alphabetic() || ch == '_' {
                let start = i;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                let word: String = c[start..i].iter().collect();
                let next = at(i);
                if (word == "r" || word == "br") && (next == '"' || next == '#') {
                    if next == '#' && (at(i + 1).is_alphabetic() || at(i + 1) == '_') {
                        // A raw identifier: r#type.
                        i += 1;
                        let s = i;
                        while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                            i += 1;
                        }
                        out.push((Tok::Ident(c[s..i].iter().collect()), line));
                        continue;
                    }
                    let mut hashes = 0;
                    while at(i) == '#' {
                        hashes += 1;
                        i += 1;
                    }
                    i += 1; // the opening quote
                    loop {
                        if i >= c.len() {
                            break;
                        }
                        if c[i] == '"' && (1..=hashes).all(|k| at(i + k) == '#') {
                            i += 1 + hashes;
                            break;
                        }
                        if c[i] == '\n' {
                            line += 1;
                        }
                        i += 1;
                    }
                } else if word == "b" && next == '"' {
                    i = skip_string(&c, i + 1, &mut line);
                } else if word == "b" && next == '\'' {
                    i += 1;
                    if at(i + 1) == '\\' {
                        i += 2;
                    }
                    while i < c.len() && c[i] != '\'' {
                        i += 1;
                    }
                    i += 1;
                } else {
                    out.push((Tok::Ident(word), line));
                }
            } else if ch.is_ascii_digit() {
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
            } else if ch == ':' && at(i + 1) == ':' {
                out.push((Tok::Path, line));
                i += 2;
            } else {
                out.push((
                    match ch {
                        '{' => Tok::Open,
                        '}' => Tok::Close,
                        ',' => Tok::Comma,
                        ';' => Tok::Semi,
                        '*' => Tok::Star,
                        other => Tok::Other(other),
                    },
                    line,
                ));
                i += 1;
            }
        }
        out
    }

    /// Skips a string body from just after its opening quote; returns the index after
    /// the closing quote.
    fn skip_string(c: &[char], mut i: usize, line: &mut usize) -> usize {
        while i < c.len() {
            match c[i] {
                '\\' => i += 2,
                '"' => return i + 1,
                '\n' => {
                    *line += 1;
                    i += 1;
                }
                _ => i += 1,
            }
        }
        i
    }

    /// A path a file names: as written (`super::job::Outcome`), where (line, inline
    /// module it sits in), and whether it is a leaf of a `pub use`.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Named {
        pub segments: Vec<String>,
        pub line: usize,
        /// The inline modules around it (`["tests"]` inside `mod tests { … }`).
        pub inline: Vec<String>,
        pub in_use: bool,
        pub is_pub_use: bool,
        /// For a `use` leaf: the name it brings in (`as` alias or last segment);
        /// `None` for globs and inline paths.
        pub binds: Option<String>,
    }

    /// Every `use` leaf and every inline path of a file, plus the names of the inline
    /// modules it declares (with their nesting).
    pub fn named_paths(src: &str) -> Vec<Named> {
        let toks = lex(src);
        let mut out = Vec::new();
        let mut depth = 0usize;
        // (module name, the depth its `{` opened at)
        let mut inline: Vec<(String, usize)> = Vec::new();
        let ident = |k: usize| match toks.get(k) {
            Some((Tok::Ident(s), _)) => Some(s.as_str()),
            _ => None,
        };
        let mut k = 0;
        while k < toks.len() {
            let (tok, line) = (&toks[k].0, toks[k].1);
            match tok {
                Tok::Open => {
                    depth += 1;
                    k += 1;
                }
                Tok::Close => {
                    depth = depth.saturating_sub(1);
                    if inline.last().is_some_and(|(_, d)| *d == depth) {
                        inline.pop();
                    }
                    k += 1;
                }
                Tok::Ident(w) if w == "mod" => {
                    if let (Some(name), Some((Tok::Open, _))) = (ident(k + 1), toks.get(k + 2)) {
                        inline.push((name.to_owned(), depth));
                        k += 2;
                    } else {
                        k += 1;
                    }
                }
                Tok::Ident(w)
                    if w == "use"
                        && !matches!(toks.get(k.wrapping_sub(1)), Some((Tok::Path, _))) =>
                {
                    let is_pub = is_pub_before(&toks, k);
                    let mut leaves = Vec::new();
                    let mut j = k + 1;
                    if matches!(toks.get(j), Some((Tok::Path, _))) {
                        j += 1; // `use ::std::…`
                    }
                    parse_tree(&toks, &mut j, Vec::new(), &mut leaves);
                    let names: Vec<String> = inline.iter().map(|(n, _)| n.clone()).collect();
                    for (segments, binds) in leaves {
                        out.push(Named {
                            segments,
                            line,
                            inline: names.clone(),
                            in_use: true,
                            is_pub_use: is_pub,
                            binds,
                        });
                    }
                    while j < toks.len() && toks[j].0 != Tok::Semi {
                        j += 1;
                    }
                    k = j + 1;
                }
                Tok::Ident(first) => {
                    let starts_path = !matches!(toks.get(k.wrapping_sub(1)), Some((Tok::Path, _)));
                    let mut segments = vec![first.clone()];
                    let mut j = k + 1;
                    while let (Some((Tok::Path, _)), Some(next)) = (toks.get(j), ident(j + 1)) {
                        segments.push(next.to_owned());
                        j += 2;
                    }
                    if starts_path && segments.len() >= 2 {
                        out.push(Named {
                            segments,
                            line,
                            inline: inline.iter().map(|(n, _)| n.clone()).collect(),
                            in_use: false,
                            is_pub_use: false,
                            binds: None,
                        });
                    }
                    k = j.max(k + 1);
                }
                _ => k += 1,
            }
        }
        out
    }

    /// `pub use`, `pub(crate) use`, `pub(super) use`, `pub(in …) use`.
    fn is_pub_before(toks: &[(Tok, usize)], k: usize) -> bool {
        match k.checked_sub(1).map(|p| &toks[p].0) {
            Some(Tok::Ident(w)) => w == "pub",
            Some(Tok::Other(')')) => {
                let mut p = k - 1;
                while p > 0 && toks[p].0 != Tok::Other('(') {
                    p -= 1;
                }
                matches!(p.checked_sub(1).map(|q| &toks[q].0), Some(Tok::Ident(w)) if w == "pub")
            }
            _ => false,
        }
    }

    /// One use tree from `toks[*j]`: `a::b::{c, d::{e as f, *}, self}`. Pushes each
    /// leaf's full path and the name it binds (`None` for a glob).
    fn parse_tree(
        toks: &[(Tok, usize)],
        j: &mut usize,
        mut prefix: Vec<String>,
        leaves: &mut Vec<(Vec<String>, Option<String>)>,
    ) {
        loop {
            match toks.get(*j).map(|t| &t.0) {
                Some(Tok::Ident(w)) => {
                    *j += 1;
                    if w == "self" && !prefix.is_empty() {
                        // `{self, …}`: the prefix itself.
                    } else {
                        prefix.push(w.clone());
                    }
                    if matches!(toks.get(*j).map(|t| &t.0), Some(Tok::Path)) {
                        *j += 1;
                        continue;
                    }
                    let mut binds = prefix.last().cloned();
                    if matches!(toks.get(*j).map(|t| &t.0), Some(Tok::Ident(a)) if a == "as") {
                        if let Some((Tok::Ident(alias), _)) = toks.get(*j + 1) {
                            binds = Some(alias.clone());
                        }
                        *j += 2;
                    }
                    leaves.push((prefix, binds));
                    return;
                }
                Some(Tok::Star) => {
                    *j += 1;
                    leaves.push((prefix, None));
                    return;
                }
                Some(Tok::Open) => {
                    *j += 1;
                    loop {
                        match toks.get(*j).map(|t| &t.0) {
                            Some(Tok::Close) => {
                                *j += 1;
                                return;
                            }
                            Some(Tok::Comma) => *j += 1,
                            None | Some(Tok::Semi) => return,
                            _ => parse_tree(toks, j, prefix.clone(), leaves),
                        }
                    }
                }
                _ => return,
            }
        }
    }

    /// The modules of a crate: each module path (`["api", "model"]`) and its file.
    #[derive(Debug, Default)]
    pub struct Tree {
        pub files: BTreeMap<Vec<String>, String>,
        pub named: BTreeMap<String, Vec<Named>>,
    }

    /// Where a path leads: the file defining the item, and the absolute path as written.
    #[derive(Clone, Debug, PartialEq)]
    pub struct Resolved {
        pub absolute: Vec<String>,
        pub module: Vec<String>,
        pub file: String,
    }

    impl Tree {
        /// `files`: (path relative to `src/`, source). `lib.rs` is the root.
        pub fn new(files: &[(String, String)]) -> Tree {
            let mut tree = Tree::default();
            for (path, src) in files {
                tree.files.insert(module_of(path), path.clone());
                tree.named.insert(path.clone(), named_paths(src));
            }
            tree
        }

        /// The module a path is written in: the file's module, then its inline ones.
        fn module_at(&self, file: &str, inline: &[String]) -> Vec<String> {
            let mut m = module_of(file);
            m.extend(inline.iter().cloned());
            m
        }

        /// The absolute path (from the crate root) of `segments` written in `file`
        /// inside `inline` modules; `None` for external crates, std, locals and types.
        pub fn absolute(
            &self,
            file: &str,
            inline: &[String],
            segments: &[String],
        ) -> Option<Vec<String>> {
            let here = self.module_at(file, inline);
            let (mut base, rest) = match segments.first()?.as_str() {
                "crate" => (Vec::new(), &segments[1..]),
                "self" => (here.clone(), &segments[1..]),
                "super" => {
                    let mut base = here.clone();
                    let mut n = 0;
                    while segments.get(n).is_some_and(|s| s == "super") {
                        base.pop()?;
                        n += 1;
                    }
                    (base, &segments[n..])
                }
                first => {
                    // A child module written without `self::` (2018 paths).
                    let mut child = here.clone();
                    child.push(first.to_owned());
                    if self.files.contains_key(&child) {
                        (here.clone(), segments)
                    } else {
                        return None;
                    }
                }
            };
            base.extend(rest.iter().cloned());
            Some(base)
        }

        /// The file defining what `absolute` names, following `pub use` re-exports.
        pub fn resolve(&self, absolute: &[String]) -> Option<Resolved> {
            let mut path = absolute.to_vec();
            for _ in 0..8 {
                let k = (0..=path.len())
                    .rev()
                    .find(|k| self.files.contains_key(&path[..*k]))?;
                let module = path[..k].to_vec();
                let file = self.files[&module].clone();
                let Some(item) = path.get(k) else {
                    return Some(Resolved {
                        absolute: absolute.to_vec(),
                        module,
                        file,
                    });
                };
                // Re-exported here? Then the defining file is elsewhere.
                let again = self.named[&file].iter().find(|n| {
                    n.is_pub_use && n.inline.is_empty() && n.binds.as_deref() == Some(item.as_str())
                });
                match again.and_then(|n| self.absolute(&file, &n.inline, &n.segments)) {
                    Some(mut target) => {
                        target.extend(path[k + 1..].iter().cloned());
                        path = target;
                    }
                    None => {
                        return Some(Resolved {
                            absolute: absolute.to_vec(),
                            module,
                            file,
                        })
                    }
                }
            }
            None
        }

        /// Every file-to-file edge: (from, to, line, the path as written). See the
        /// crate docs for what makes an edge.
        pub fn edges(&self) -> Vec<(String, String, usize, String)> {
            let mut out = Vec::new();
            for (file, named) in &self.named {
                let here = module_of(file);
                for n in named {
                    let Some(abs) = self.absolute(file, &n.inline, &n.segments) else {
                        continue;
                    };
                    // A facade re-exporting its own descendants is no edge.
                    if n.is_pub_use && abs.len() > here.len() && abs.starts_with(&here) {
                        continue;
                    }
                    let Some(to) = self.resolve(&abs) else {
                        continue;
                    };
                    if to.file != *file {
                        out.push((file.clone(), to.file, n.line, n.segments.join("::")));
                    }
                }
            }
            out
        }
    }

    /// `api/model.rs` → `["api", "model"]`; `api/mod.rs` → `["api"]`; `lib.rs` → `[]`.
    pub fn module_of(file: &str) -> Vec<String> {
        let trimmed = file.trim_end_matches(".rs");
        let mut parts: Vec<String> = trimmed.split('/').map(str::to_owned).collect();
        if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
            parts.pop();
        }
        parts
    }

    /// The circles of the graph: each strongly connected set of two or more files
    /// (Tarjan), sorted.
    pub fn circles(edges: &[(String, String, usize, String)]) -> Vec<BTreeSet<String>> {
        let mut next: BTreeMap<&str, BTreeSet<&str>> = BTreeMap::new();
        for (a, b, _, _) in edges {
            next.entry(a).or_default().insert(b);
            next.entry(b).or_default();
        }
        let nodes: Vec<&str> = next.keys().copied().collect();
        let mut index: BTreeMap<&str, usize> = BTreeMap::new();
        let mut low: BTreeMap<&str, usize> = BTreeMap::new();
        let mut stack: Vec<&str> = Vec::new();
        let mut on: BTreeSet<&str> = BTreeSet::new();
        let mut out = Vec::new();
        fn visit<'a>(
            v: &'a str,
            next: &BTreeMap<&'a str, BTreeSet<&'a str>>,
            index: &mut BTreeMap<&'a str, usize>,
            low: &mut BTreeMap<&'a str, usize>,
            stack: &mut Vec<&'a str>,
            on: &mut BTreeSet<&'a str>,
            out: &mut Vec<BTreeSet<String>>,
        ) {
            let i = index.len();
            index.insert(v, i);
            low.insert(v, i);
            stack.push(v);
            on.insert(v);
            for &w in &next[v] {
                if !index.contains_key(w) {
                    visit(w, next, index, low, stack, on, out);
                    let lw = low[w];
                    let lv = low.get_mut(v).unwrap();
                    *lv = (*lv).min(lw);
                } else if on.contains(w) {
                    let iw = index[w];
                    let lv = low.get_mut(v).unwrap();
                    *lv = (*lv).min(iw);
                }
            }
            if low[v] == index[v] {
                let mut set = BTreeSet::new();
                while let Some(w) = stack.pop() {
                    on.remove(w);
                    set.insert(w.to_owned());
                    if w == v {
                        break;
                    }
                }
                if set.len() > 1 {
                    out.push(set);
                }
            }
        }
        for v in nodes {
            if !index.contains_key(v) {
                visit(
                    v, &next, &mut index, &mut low, &mut stack, &mut on, &mut out,
                );
            }
        }
        out.sort();
        out
    }
}

use checker::{circles, Tree};

/// A layer and what it must not name.
struct Rule {
    /// Files under this folder of `src/`.
    scope: &'static str,
    /// Modules of the crate it must not reach (by the path as written, or by the file
    /// the item is defined in).
    crate_modules: &'static [&'static str],
    /// Paths of other crates and std it must not name (prefixes: `std::fs` forbids
    /// `std::fs::read` too).
    external: &'static [&'static str],
    why: &'static str,
}

const RULES: &[Rule] = &[
    Rule {
        scope: "api/",
        crate_modules: &["tui", "sandbox", "cli", "connect", "preview"],
        external: &[],
        why: "the client knows no screen, no server and no command line",
    },
    Rule {
        scope: "sandbox/",
        crate_modules: &["tui", "api", "cli", "connect", "preview"],
        external: &[],
        why: "the sandbox is an independent reading of the docs: it shares only the \
              vocabulary with the client, and knows no screen or command line",
    },
    Rule {
        scope: "preview/",
        crate_modules: &["api::client", "connect", "sandbox"],
        external: &["reqwest", "hyper", "axum", "std::net", "tokio::net"],
        why: "the preview turns pictures into cells; it knows no HTTP",
    },
    Rule {
        scope: "tui/",
        crate_modules: &["cli", "sandbox"],
        external: &[],
        why: "the dashboard and the headless commands are siblings: what both need lives \
              below them (api, history, eval), and the dashboard reaches the sandbox only \
              through connect and the client",
    },
    Rule {
        scope: "tui/panes/",
        // The client sends, connect starts servers, the sandbox serves, the history
        // store and run ids read and write the history file, probe and install read
        // and write files: none of it belongs in drawing.
        crate_modules: &[
            "api::client",
            "connect",
            "sandbox",
            "history::HistoryStore",
            "history::RunIds",
            "probe",
            "install",
        ],
        // Files, processes, sockets, HTTP, threads and tasks: a frame must be a pure
        // function of the state (what the runner does off the render path).
        external: &[
            "std::fs",
            "tokio::fs",
            "std::process",
            "tokio::process",
            "std::net",
            "tokio::net",
            "reqwest",
            "hyper",
            "std::thread",
            "tokio::task",
            "tokio::spawn",
            "std::io::stdin",
            "std::io::stdout",
        ],
        why: "panes only draw: no I/O, no state changes",
    },
];

fn starts_with(path: &[String], prefix: &str) -> bool {
    let p: Vec<&str> = prefix.split("::").collect();
    path.len() >= p.len() && path.iter().zip(&p).all(|(a, b)| a == b)
}

/// Every broken rule: `file:line: \`path\` — why (rule)`, with the line's text.
fn violations(tree: &Tree, sources: &BTreeMap<String, String>, rules: &[Rule]) -> Vec<String> {
    let mut out = Vec::new();
    for (file, named) in &tree.named {
        for rule in rules.iter().filter(|r| file.starts_with(r.scope)) {
            for n in named {
                let written = n.segments.join("::");
                let mut broken = None;
                if let Some(abs) = tree.absolute(file, &n.inline, &n.segments) {
                    let defined = tree.resolve(&abs).map(|r| r.module).unwrap_or_default();
                    broken = rule
                        .crate_modules
                        .iter()
                        .find(|m| starts_with(&abs, m) || starts_with(&defined, m))
                        .map(|m| format!("crate::{m}"));
                } else if let Some(x) = rule.external.iter().find(|x| starts_with(&n.segments, x)) {
                    broken = Some((*x).to_owned());
                }
                if let Some(what) = broken {
                    let text = sources[file].lines().nth(n.line - 1).unwrap_or("").trim();
                    out.push(format!(
                        "src/{file}:{}: `{written}` reaches {what}: {} (rule for src/{})\n    {text}",
                        n.line, rule.why, rule.scope
                    ));
                }
            }
        }
    }
    out
}

/// The files of `src/` (relative paths, `/`-separated) and their text; `main.rs` (the
/// binary's root) is left out.
fn read_src() -> BTreeMap<String, String> {
    fn walk(dir: &Path, root: &Path, out: &mut BTreeMap<String, String>) {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, root, out);
            } else if p.extension().is_some_and(|e| e == "rs") {
                let rel = p
                    .strip_prefix(root)
                    .unwrap()
                    .to_string_lossy()
                    .replace('\\', "/");
                if rel != "main.rs" {
                    out.insert(rel, std::fs::read_to_string(&p).unwrap());
                }
            }
        }
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut out = BTreeMap::new();
    walk(&root, &root, &mut out);
    out
}

fn tree_of(sources: &BTreeMap<String, String>) -> Tree {
    let files: Vec<(String, String)> = sources
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    Tree::new(&files)
}

#[test]
fn each_layer_names_only_what_it_may() {
    let sources = read_src();
    let tree = tree_of(&sources);
    assert!(
        tree.files.len() > 50,
        "src/ was not read: {} files",
        tree.files.len()
    );
    let broken = violations(&tree, &sources, RULES);
    assert!(
        broken.is_empty(),
        "{} import(s) break the architecture's rules:\n{}",
        broken.len(),
        broken.join("\n")
    );
}

#[test]
fn no_import_circle_among_src_files() {
    let sources = read_src();
    let tree = tree_of(&sources);
    let edges = tree.edges();
    assert!(
        edges.len() > 100,
        "too few edges to be the real graph: {}",
        edges.len()
    );
    let found = circles(&edges);
    let mut report = Vec::new();
    for circle in &found {
        let mut lines = vec![format!(
            "circle of {} files: {}",
            circle.len(),
            circle
                .iter()
                .map(|f| format!("src/{f}"))
                .collect::<Vec<_>>()
                .join(", ")
        )];
        for (a, b, line, path) in &edges {
            if circle.contains(a) && circle.contains(b) {
                lines.push(format!("    src/{a}:{line} → src/{b} (`{path}`)"));
            }
        }
        report.push(lines.join("\n"));
    }
    assert!(report.is_empty(), "{}", report.join("\n"));
}

// ---- the checker itself, on small in-memory sources ---------------------------------

fn tree_from(files: &[(&str, &str)]) -> (Tree, BTreeMap<String, String>) {
    let sources: BTreeMap<String, String> = files
        .iter()
        .map(|(p, s)| ((*p).to_owned(), (*s).to_owned()))
        .collect();
    (tree_of(&sources), sources)
}

const TOY_RULES: &[Rule] = &[Rule {
    scope: "api/",
    crate_modules: &["tui"],
    external: &["std::fs"],
    why: "toy",
}];

#[test]
fn a_forbidden_use_is_caught_with_its_file_and_line() {
    let (tree, sources) = tree_from(&[
        ("lib.rs", "pub mod api;\npub mod tui;\n"),
        ("api/mod.rs", "pub mod client;\n"),
        ("api/client.rs", "use std::io;\n\nuse crate::tui::App;\n"),
        ("tui/mod.rs", "pub struct App;\n"),
    ]);
    let broken = violations(&tree, &sources, TOY_RULES);
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(
        broken[0].starts_with("src/api/client.rs:3: `crate::tui::App`"),
        "{}",
        broken[0]
    );
    assert!(broken[0].contains("use crate::tui::App;"), "{}", broken[0]);
}

#[test]
fn comments_strings_and_chars_naming_a_module_are_not_uses() {
    let src = r####"
// use crate::tui::App;
/* crate::tui::App /* nested crate::tui */ still comment crate::tui */
/// docs: [`crate::tui::App`]
fn f() -> &'static str {
    let _c = '"';
    let _q = '\'';
    let _s = "crate::tui::App \" crate::tui";
    let _r = r#"crate::tui::App "quoted" "#;
    let _b = b"crate::tui";
    "use crate::tui::App;"
}
"####;
    let (tree, sources) = tree_from(&[
        ("lib.rs", "pub mod api;\npub mod tui;\n"),
        ("api/mod.rs", src),
        ("tui/mod.rs", "pub struct App;\n"),
    ]);
    assert_eq!(violations(&tree, &sources, TOY_RULES), Vec::<String>::new());
    // The same file with one real path after all that is caught, on its line.
    let caught = format!("{src}fn g() {{ crate::tui::App; }}\n");
    let (tree, sources) = tree_from(&[
        ("lib.rs", "pub mod api;\npub mod tui;\n"),
        ("api/mod.rs", &caught),
        ("tui/mod.rs", "pub struct App;\n"),
    ]);
    let broken = violations(&tree, &sources, TOY_RULES);
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(broken[0].starts_with("src/api/mod.rs:13:"), "{}", broken[0]);
}

#[test]
fn multi_line_nested_use_trees_are_read_leaf_by_leaf() {
    let src = "use crate::{\n    a,\n    b::{c, d::{e as f, *}},\n    g::{self, h},\n};\nuse std::{fs, io::Write};\n";
    let named = checker::named_paths(src);
    let leaves: Vec<(String, usize, Option<String>)> = named
        .iter()
        .map(|n| (n.segments.join("::"), n.line, n.binds.clone()))
        .collect();
    let s = |p: &str, l: usize, b: Option<&str>| (p.to_owned(), l, b.map(str::to_owned));
    assert_eq!(
        leaves,
        vec![
            s("crate::a", 1, Some("a")),
            s("crate::b::c", 1, Some("c")),
            s("crate::b::d::e", 1, Some("f")),
            s("crate::b::d", 1, None),
            s("crate::g", 1, Some("g")),
            s("crate::g::h", 1, Some("h")),
            s("std::fs", 6, Some("fs")),
            s("std::io::Write", 6, Some("Write")),
        ]
    );
    // The `std::fs` of a group is caught like a plain `use std::fs`.
    let (tree, sources) = tree_from(&[("lib.rs", "pub mod api;\n"), ("api/mod.rs", src)]);
    let broken = violations(&tree, &sources, TOY_RULES);
    assert_eq!(broken.len(), 1, "{broken:?}");
    assert!(
        broken[0].contains("`std::fs` reaches std::fs"),
        "{}",
        broken[0]
    );
}

#[test]
fn a_re_export_leads_to_the_defining_file_and_hides_nothing() {
    // `api` re-exports the tui's App: naming `crate::api::App` still reaches the tui.
    let (tree, sources) = tree_from(&[
        ("lib.rs", "pub mod api;\npub mod tui;\npub mod face;\n"),
        ("api/mod.rs", "pub mod client;\n"),
        ("face/mod.rs", "pub use crate::tui::App;\n"),
        (
            "api/client.rs",
            "fn f() { let _ = crate::face::App::new(); }\n",
        ),
        ("tui/mod.rs", "pub struct App;\n"),
    ]);
    let broken = violations(&tree, &sources, TOY_RULES);
    assert_eq!(broken.len(), 1, "{broken:?}");
    let edges = tree.edges();
    assert!(
        edges
            .iter()
            .any(|(a, b, _, _)| a == "api/client.rs" && b == "tui/mod.rs"),
        "{edges:?}"
    );
}

#[test]
fn circles_are_found_and_a_facade_or_a_test_module_makes_none() {
    let (tree, _) = tree_from(&[
        ("lib.rs", "pub mod p;\n"),
        // The facade declares and re-exports its children: no edge to them.
        (
            "p/mod.rs",
            "mod a;\nmod b;\nmod c;\npub use a::A;\npub use b::B;\npub struct Shared;\n",
        ),
        // a ↔ b: a circle. c uses the parent's own item: one way only.
        ("p/a.rs", "use super::b::B;\npub struct A;\n"),
        ("p/b.rs", "pub struct B;\nfn f() { let _ = super::a::A; }\n"),
        (
            "p/c.rs",
            "use super::Shared;\nuse super::A;\n#[cfg(test)]\nmod tests {\n    use super::*;\n}\n",
        ),
    ]);
    let edges = tree.edges();
    let has = |a: &str, b: &str| edges.iter().any(|(x, y, _, _)| x == a && y == b);
    assert!(
        has("p/a.rs", "p/b.rs") && has("p/b.rs", "p/a.rs"),
        "{edges:?}"
    );
    assert!(has("p/c.rs", "p/mod.rs"), "{edges:?}");
    // `super::A` is the facade's re-export: it leads to a.rs.
    assert!(has("p/c.rs", "p/a.rs"), "{edges:?}");
    assert!(
        !has("p/mod.rs", "p/a.rs") && !has("p/mod.rs", "p/c.rs"),
        "{edges:?}"
    );
    let found = circles(&edges);
    let want: BTreeSet<String> = ["p/a.rs", "p/b.rs"]
        .iter()
        .map(|s| (*s).to_owned())
        .collect();
    assert_eq!(found, vec![want]);
}

#[test]
fn a_parent_using_its_child_that_uses_the_parent_is_a_circle() {
    let (tree, _) = tree_from(&[
        ("lib.rs", "pub mod p;\n"),
        (
            "p/mod.rs",
            "mod a;\npub struct Slot;\nfn start() { a::run(); }\n",
        ),
        ("p/a.rs", "use super::Slot;\npub fn run() {}\n"),
    ]);
    let found = circles(&tree.edges());
    assert_eq!(found.len(), 1, "{found:?}");
}
