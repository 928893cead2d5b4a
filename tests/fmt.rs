//! `ntm fmt` beyond the golden cases: files are rewritten in place, and the built-in rulesets
//! are already in canonical form (so formatting never changes their hash).

use clap::Parser;

/// Run `ntm` in-process; (exit code, stdout, stderr).
fn ntm(args: &[&str]) -> (i32, String, String) {
    let cli = ntm::cli::Cli::try_parse_from(std::iter::once("ntm").chain(args.iter().copied()))
        .expect("arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = ntm::run(cli, &mut out, &mut err).expect("runs") as i32;
    (
        code,
        String::from_utf8(out).expect("utf-8"),
        String::from_utf8(err).expect("utf-8"),
    )
}

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

#[test]
fn fmt_rewrites_a_file_in_place_and_then_check_passes() {
    let dir = std::env::temp_dir().join(format!("ntm-fmt-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let path = dir.join("rules.toml");
    std::fs::copy(format!("{ROOT}/tests/fixtures/fmt/dirty.toml"), &path).expect("copy");
    let p = path.to_str().expect("utf-8 path");

    assert_eq!(ntm(&["fmt", "--check", p]).0, 1);
    assert_eq!(ntm(&["fmt", p]), (0, String::new(), String::new()));
    let clean = std::fs::read_to_string(format!("{ROOT}/tests/fixtures/fmt/clean.toml"))
        .expect("read clean");
    assert_eq!(std::fs::read_to_string(&path).expect("read back"), clean);
    assert_eq!(
        ntm(&["fmt", "--check", "--diff", p]),
        (0, String::new(), String::new())
    );
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn builtin_rulesets_are_in_canonical_form() {
    let mut files = Vec::new();
    for e in std::fs::read_dir(format!("{ROOT}/criteria")).expect("criteria/") {
        let p = e.expect("entry").path();
        // Targets files are not rulesets (`fmt` refuses them: fmt-not-a-ruleset).
        let targets = p
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with("targets-"));
        if p.extension().is_some_and(|x| x == "toml") && !targets {
            files.push(p.to_string_lossy().into_owned());
        }
    }
    assert!(files.len() >= 3, "{files:?}");
    let mut args = vec!["fmt", "--check"];
    args.extend(files.iter().map(String::as_str));
    let (code, out, err) = ntm(&args);
    assert_eq!((code, out.as_str(), err.as_str()), (0, "", ""));
}

/// The README and the golden cases run `examples/ruleset.toml`: it stays canonical, so
/// `ntm fmt --check` passes on the example users copy.
#[test]
fn example_ruleset_is_in_canonical_form() {
    let (code, _, err) = ntm(&["fmt", "--check", &format!("{ROOT}/examples/ruleset.toml")]);
    assert_eq!(code, 0, "{err}");
}
