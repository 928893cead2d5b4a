//! ARCHITECTURE.md and CONTRIBUTING.md cannot rot silently: every `src/…` path they name
//! exists, and the code map names every module of `src/` (each top-level module and each
//! file of a module directory, tests aside).

use std::collections::BTreeSet;
use std::path::Path;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn read(name: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(name)).expect("the doc is in the repository")
}

/// Every code span of `text` that is a path under `src/` (placeholders such as
/// `src/report/<format>.rs` left out).
fn src_paths(text: &str) -> BTreeSet<String> {
    text.split('`')
        .skip(1)
        .step_by(2)
        .filter(|s| s.starts_with("src/") && !s.contains(['<', ' ', '*']))
        .map(str::to_string)
        .collect()
}

/// The named paths that do not exist under `root`.
fn missing(root: &Path, named: &BTreeSet<String>) -> Vec<String> {
    named
        .iter()
        .filter(|p| !root.join(p.trim_end_matches('/')).exists())
        .cloned()
        .collect()
}

/// The modules a code map must name: `src/x.rs` or `src/x/` for each top-level module, and
/// `src/x/y.rs` for each file of a module directory (its `tests.rs` and `*_tests.rs` aside;
/// deeper files, such as `src/data/sheet/xlsx.rs`, may be named but need not be).
fn modules(root: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let entries = |dir: &Path| -> Vec<std::fs::DirEntry> {
        let mut v: Vec<_> = std::fs::read_dir(dir)
            .expect("src/ is readable")
            .map(|e| e.expect("a directory entry"))
            .collect();
        v.sort_by_key(std::fs::DirEntry::file_name);
        v
    };
    for top in entries(&root.join("src")) {
        let name = top.file_name().to_string_lossy().into_owned();
        if top.path().is_dir() {
            // `src/x/` beside `src/x.rs` holds the submodules of `x`, not a module of its own.
            if !root.join(format!("src/{name}.rs")).exists() {
                out.push(format!("src/{name}/"));
            }
            for file in entries(&top.path()) {
                let f = file.file_name().to_string_lossy().into_owned();
                let is_test = f == "tests.rs" || f.ends_with("_tests.rs");
                if file.path().is_file() && f.ends_with(".rs") && !is_test {
                    out.push(format!("src/{name}/{f}"));
                }
            }
        } else if name.ends_with(".rs") {
            out.push(format!("src/{name}"));
        }
    }
    out
}

/// The modules `doc` does not name (a directory counts as named by any path inside it).
fn unnamed(modules: &[String], doc: &str) -> Vec<String> {
    let named = src_paths(doc);
    modules
        .iter()
        .filter(|m| {
            !named
                .iter()
                .any(|n| n == *m || n.starts_with(m.as_str()) && m.ends_with('/'))
        })
        .cloned()
        .collect()
}

#[test]
fn every_src_path_in_architecture_and_contributing_exists() {
    for doc in ["ARCHITECTURE.md", "CONTRIBUTING.md"] {
        let named = src_paths(&read(doc));
        assert!(!named.is_empty(), "{doc} names no src/ path");
        let gone = missing(Path::new(ROOT), &named);
        assert!(
            gone.is_empty(),
            "{doc} names paths that do not exist: {gone:?}"
        );
    }
}

#[test]
fn the_code_map_names_every_module() {
    let modules = modules(Path::new(ROOT));
    assert!(modules.iter().any(|m| m == "src/eval.rs"));
    let left_out = unnamed(&modules, &read("ARCHITECTURE.md"));
    assert!(
        left_out.is_empty(),
        "ARCHITECTURE.md's code map does not name {left_out:?}: add a line saying its one job"
    );
}

#[test]
fn the_checks_see_a_renamed_and_a_new_module() {
    let named = src_paths("`src/eval.rs`, `src/evaluation.rs` and `src/report/<format>.rs`");
    assert_eq!(missing(Path::new(ROOT), &named), ["src/evaluation.rs"]);
    let modules = [
        "src/eval.rs".to_string(),
        "src/cmd/".to_string(),
        "src/new.rs".to_string(),
    ];
    assert_eq!(
        unnamed(&modules, "`src/eval.rs`, `src/cmd/scan.rs`"),
        ["src/new.rs"]
    );
}

#[test]
fn readme_links_architecture_and_contributing() {
    let readme = read("README.md");
    let dev = readme
        .split("\n## Development")
        .nth(1)
        .expect("README has a Development section");
    for doc in ["ARCHITECTURE.md", "CONTRIBUTING.md"] {
        assert!(
            dev.contains(&format!("]({doc})")),
            "README's Development section links {doc}"
        );
    }
}
