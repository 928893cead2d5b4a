//! Plain CSV (issue #15): every CSV `ntm` writes reads with no option in a CSV reader (the
//! header is the first line, the first record a commune or a figure), the provenance goes to
//! `--meta FILE`, and the `#` lines come back only under `--csv-comments`.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const RULES: &str = "examples/ruleset.toml";
const DATA: &str = "examples/ruleset-communes.csv";

fn ntm(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ntm"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run ntm")
}

/// A fresh, empty folder for one test.
fn sandbox(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ntm-plain-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("sandbox");
    d
}

/// `out` read as a CSV reader reads by default: the first line is the header.
fn default_reader(out: &[u8]) -> csv::Reader<&[u8]> {
    csv::Reader::from_reader(out)
}

#[test]
fn evaluate_csv_reads_with_a_default_csv_reader() {
    let o = ntm(
        Path::new(ROOT),
        &["evaluate", "--rules", RULES, DATA, "--format", "csv"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut rdr = default_reader(&o.stdout);
    let header = rdr.headers().expect("a header").clone();
    assert_eq!(header.get(0), Some("row"), "{header:?}");
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    let first = rdr
        .records()
        .next()
        .expect("a record")
        .expect("a CSV record");
    assert_eq!(&first[col("row")], "1");
    assert_eq!(&first[col("code")], "10816");
    assert_eq!(&first[col("name")], "Xã Hồng Lạc");
    assert_eq!(&first[col("level")], "standard");
    assert_eq!(rdr.records().count(), 3, "the other three communes");
}

#[test]
fn long_and_summary_csv_read_with_a_default_csv_reader() {
    let o = ntm(
        Path::new(ROOT),
        &["evaluate", "--rules", RULES, DATA, "--format", "long"],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut rdr = default_reader(&o.stdout);
    let header = rdr.headers().expect("a header").clone();
    assert_eq!(header.get(0), Some("row"), "{header:?}");
    let code = header.iter().position(|h| h == "code").expect("code");
    let first = rdr
        .records()
        .next()
        .expect("a record")
        .expect("a CSV record");
    assert_eq!(&first[code], "10816");

    let o = ntm(
        Path::new(ROOT),
        &[
            "summary", "--rules", RULES, DATA, "--by", "district", "--format", "csv",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let mut rdr = default_reader(&o.stdout);
    let header = rdr.headers().expect("a header").clone();
    assert_eq!(
        header.iter().collect::<Vec<_>>(),
        ["scope", "group", "level", "figure", "item", "value"]
    );
    let first = rdr
        .records()
        .next()
        .expect("a record")
        .expect("a CSV record");
    assert_eq!(
        first.iter().collect::<Vec<_>>(),
        ["total", "", "", "communes", "", "4"]
    );
}

#[test]
fn csv_comments_bring_the_provenance_lines_back_before_the_header() {
    let o = ntm(
        Path::new(ROOT),
        &[
            "evaluate",
            "--rules",
            RULES,
            DATA,
            "--format",
            "csv",
            "--csv-comments",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let text = String::from_utf8(o.stdout.clone()).expect("UTF-8");
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines[0].starts_with("# ntm "), "{text}");
    assert!(lines[1].starts_with("# input examples/ruleset-communes.csv sha256 "));
    assert_eq!(lines[2], "# communes 4 unverified_verdicts 4 notes 0");
    assert!(lines[3].starts_with("row,file,line,code,"), "{text}");
    // As documented: a reader told to skip `#` lines gets the same records as the plain CSV.
    let plain = ntm(
        Path::new(ROOT),
        &["evaluate", "--rules", RULES, DATA, "--format", "csv"],
    );
    let skip: Vec<csv::StringRecord> = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(o.stdout.as_slice())
        .records()
        .collect::<Result<_, _>>()
        .expect("records");
    let want: Vec<csv::StringRecord> = default_reader(&plain.stdout)
        .records()
        .collect::<Result<_, _>>()
        .expect("records");
    assert_eq!(skip, want);
}

#[test]
fn meta_file_is_the_meta_of_json_output_whatever_the_format() {
    let dir = sandbox("meta");
    let rules = format!("{ROOT}/{RULES}");
    let data = format!("{ROOT}/{DATA}");
    let json = ntm(
        &dir,
        &["evaluate", "--rules", &rules, &data, "--format", "json"],
    );
    assert!(json.status.success());
    let doc: serde_json::Value = serde_json::from_slice(&json.stdout).expect("JSON");
    for format in ["csv", "long", "table", "json", "ndjson"] {
        let name = format!("meta-{format}.json");
        let o = ntm(
            &dir,
            &[
                "evaluate", "--rules", &rules, &data, "--format", format, "--meta", &name,
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        let text = std::fs::read_to_string(dir.join(&name)).expect("the --meta file");
        let meta: serde_json::Value = serde_json::from_str(&text).expect("JSON");
        assert_eq!(meta, doc["meta"], "{format}");
        assert!(text.ends_with("}\n"), "{text}");
    }
    let o = ntm(
        &dir,
        &[
            "summary",
            "--rules",
            &rules,
            &data,
            "--format",
            "csv",
            "--meta",
            "summary.json",
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let summary: serde_json::Value = serde_json::from_slice(
        &ntm(
            &dir,
            &["summary", "--rules", &rules, &data, "--format", "json"],
        )
        .stdout,
    )
    .expect("JSON");
    let text = std::fs::read_to_string(dir.join("summary.json")).expect("the --meta file");
    let meta: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(meta, summary["meta"]);
    let explain = |extra: &[&str]| {
        let mut args = vec!["explain", "--rules", &rules, &data, "--commune", "10816"];
        args.extend_from_slice(extra);
        ntm(&dir, &args)
    };
    let o = explain(&["--meta", "explain.json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let doc: serde_json::Value =
        serde_json::from_slice(&explain(&["--format", "json"]).stdout).expect("JSON");
    let text = std::fs::read_to_string(dir.join("explain.json")).expect("the --meta file");
    let meta: serde_json::Value = serde_json::from_str(&text).expect("JSON");
    assert_eq!(meta, doc["meta"]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn a_failed_run_leaves_the_meta_file_as_it_was() {
    let dir = sandbox("failed");
    let rules = format!("{ROOT}/{RULES}");
    std::fs::write(
        dir.join("bad.csv"),
        "code,name,year,income_per_capita\n1,A,2025,abc\n",
    )
    .expect("data");
    std::fs::write(dir.join("meta.json"), "old\n").expect("seed");
    let o = ntm(
        &dir,
        &[
            "evaluate",
            "--rules",
            &rules,
            "bad.csv",
            "--format",
            "csv",
            "--meta",
            "meta.json",
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.stdout.is_empty());
    assert_eq!(
        std::fs::read_to_string(dir.join("meta.json")).expect("meta"),
        "old\n"
    );
    // No temporary file is left beside it.
    let mut names: Vec<String> = std::fs::read_dir(&dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["bad.csv", "meta.json"]);
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn meta_refuses_standard_output_and_another_output() {
    let dir = sandbox("refuse");
    let rules = format!("{ROOT}/{RULES}");
    let data = format!("{ROOT}/{DATA}");
    let o = ntm(&dir, &["evaluate", "--rules", &rules, &data, "--meta", "-"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--meta -: standard output"));
    // A folder is refused before anything is read or written.
    std::fs::create_dir_all(dir.join("sub")).expect("a folder");
    let o = ntm(
        &dir,
        &["evaluate", "--rules", &rules, &data, "--meta", "sub"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--meta sub is a folder"));
    assert!(o.stdout.is_empty());
    let o = ntm(
        &dir,
        &[
            "evaluate",
            "--rules",
            &rules,
            &data,
            "--meta",
            "x.csv",
            "--errors-out",
            "./x.csv",
        ],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&o.stderr).contains("is the same file as --errors-out ./x.csv"),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(o.stdout.is_empty());
    std::fs::remove_dir_all(&dir).ok();
}

/// Python's `csv.DictReader`, when python3 is installed: the keys are the header's names.
#[test]
fn python_dict_reader_reads_the_first_commune() {
    let Ok(mut py) = Command::new("python3")
        .args([
            "-c",
            "import csv, sys\n\
             r = next(csv.DictReader(sys.stdin))\n\
             print(r['row'], r['code'], r['name'])",
        ])
        .env("PYTHONIOENCODING", "utf-8")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
    else {
        return;
    };
    let o = ntm(
        Path::new(ROOT),
        &["evaluate", "--rules", RULES, DATA, "--format", "csv"],
    );
    py.stdin
        .take()
        .expect("stdin")
        .write_all(&o.stdout)
        .expect("write");
    let done = py.wait_with_output().expect("python3 runs");
    assert!(done.status.success());
    assert_eq!(
        String::from_utf8_lossy(&done.stdout),
        "1 10816 Xã Hồng Lạc\n"
    );
}
