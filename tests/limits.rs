//! Endless and huge inputs stop at a documented limit (docs/data.md, "Limits") with a located
//! error and exit 2, instead of filling memory or reading forever. The binary is run as a user
//! runs it, on bounded generated inputs or on `/dev/zero` and `/dev/urandom` with a timeout.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// Run `ntm ARGS` with `stdin` written to its standard input; kill it after 60 s (the test
/// then fails: the input was not bounded).
fn ntm(args: &[&str], stdin: &[u8]) -> Output {
    ntm_fed(args, stdin, &[])
}

/// [`ntm`], and after `stdin`, `then` written again and again until ntm stops reading: an
/// endless stream.
fn ntm_fed(args: &[&str], stdin: &[u8], then: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ntm"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ntm");
    let mut input = child.stdin.take().expect("stdin");
    let (bytes, then) = (stdin.to_vec(), then.to_vec());
    // ntm may stop reading before the end: a broken pipe is expected then.
    let writer = std::thread::spawn(move || {
        if input.write_all(&bytes).is_err() || then.is_empty() {
            return;
        }
        while input.write_all(&then).is_ok() {}
    });
    let start = Instant::now();
    while child.try_wait().expect("wait").is_none() {
        if start.elapsed() > Duration::from_secs(60) {
            let _ = child.kill();
            panic!("ntm {args:?} did not stop within 60 s");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().expect("output");
    let _ = writer.join();
    out
}

fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ntm-limits-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    dir
}

#[test]
fn two_mib_of_nul_bytes_on_standard_input_is_record_too_large() {
    let out = ntm(
        &["evaluate", "--rules", "examples/ruleset.toml", "-"],
        &vec![0u8; 2 << 20],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("<stdin>:1: error[record-too-large]: the record starting at line 1")
            && err.contains("1 MiB (1048576 bytes)"),
        "{err}"
    );
}

#[test]
fn a_long_quoted_cell_is_record_too_large_at_its_line() {
    // A quote never closed on line 4: everything after it is one cell.
    let mut csv =
        b"code,name,province,income_per_capita\n10816,A,Hai Duong,56\n\n10825,\"B".to_vec();
    csv.extend(std::iter::repeat_n(b"x,y\n".as_slice(), 300_000).flatten());
    let out = ntm(
        &[
            "evaluate",
            "--rules",
            "examples/ruleset.toml",
            "--allow-missing",
            "-",
        ],
        &csv,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("<stdin>:4: error[record-too-large]"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn dev_zero_as_data_stops_at_the_record_limit() {
    // With a ruleset, and without: choosing the built-in set by year reads the data ahead,
    // which must not read an endless device either (it reads regular files only).
    for args in [
        &["evaluate", "--rules", "examples/ruleset.toml", "/dev/zero"][..],
        &["evaluate", "/dev/zero"][..],
        &["evaluate", "--year", "2025", "/dev/zero"][..],
    ] {
        let out = ntm(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("/dev/zero:1: error[record-too-large]"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_huge_record_in_a_regular_file_is_record_too_large_when_the_set_is_chosen_by_year() {
    // The read ahead for the year column caps records as the row reader does.
    let dir = temp_dir("choose-huge");
    let data = dir.join("data.csv");
    let mut bytes = b"code,year\n".to_vec();
    bytes.resize(bytes.len() + (3 << 20), 0);
    std::fs::write(&data, &bytes).expect("write");
    let out = ntm(&["evaluate", data.to_str().expect("path")], b"");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains(":2: error[record-too-large]"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn dev_urandom_stops_at_the_first_invalid_utf8() {
    let out = ntm(
        &[
            "evaluate",
            "--rules",
            "examples/ruleset.toml",
            "/dev/urandom",
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[invalid-utf8]"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn invalid_utf8_stops_reading_a_stream_there() {
    // A bad byte, then good rows without end: ntm stops reading at the bad row.
    let out = ntm_fed(
        &[
            "evaluate",
            "--rules",
            "examples/ruleset.toml",
            "--allow-missing",
            "-",
        ],
        b"code,name,province,income_per_capita\n10816,\xff,Hai Duong,56\n",
        &b"1,A,Hai Duong,5\n".repeat(4096),
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("<stdin>:2:2: error[invalid-utf8]"),
        "{}",
        stderr(&out)
    );
}

#[cfg(unix)]
#[test]
fn dev_zero_as_ruleset_is_ruleset_too_large() {
    for args in [
        vec!["evaluate", "--rules", "/dev/zero", "examples/communes.csv"],
        vec!["check", "/dev/zero"],
    ] {
        let out = ntm(&args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("is larger than 16 MiB (16777216 bytes)"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}

#[test]
fn a_ruleset_over_16_mib_is_ruleset_too_large_and_extends_of_one_too() {
    let dir = temp_dir("big-ruleset");
    let big = dir.join("big.toml");
    // Valid TOML comments, 17 MiB.
    let line = "# padding padding padding padding padding padding padding padding\n";
    let text = line.repeat((17 << 20) / line.len() + 1);
    std::fs::write(&big, text).expect("write");
    let out = ntm(&["check", big.to_str().expect("path")], b"");
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[ruleset-too-large]"),
        "{}",
        stderr(&out)
    );
    let ext = dir.join("ext.toml");
    std::fs::write(
        &ext,
        "[ruleset]\nid = \"x\"\nextends = \"big.toml\"\nname = \"X\"\nname_vi = \"X\"\ndecision = \"none\"\n",
    )
    .expect("write");
    let out = ntm(&["check", ext.to_str().expect("path")], b"");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[unknown-base]") && stderr(&out).contains("larger than 16 MiB"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// An extending ruleset named `id` whose base is `base`.
fn extension(id: &str, base: &str) -> String {
    format!(
        "[ruleset]\nid = \"{id}\"\nextends = \"{base}\"\nname = \"X\"\nname_vi = \"X\"\ndecision = \"none\"\n"
    )
}

#[test]
fn a_chain_of_nine_ruleset_files_loads() {
    // 9 files on the built-in base: rejected as `extends-cycle` when the limit was 8.
    let dir = temp_dir("chain-of-nine");
    for i in 1..=9 {
        let base = if i == 9 {
            "ntm-2021-2025".to_string()
        } else {
            format!("{}.toml", i + 1)
        };
        std::fs::write(
            dir.join(format!("{i}.toml")),
            extension(&format!("c{i}"), &base),
        )
        .expect("write");
    }
    let top = dir.join("1.toml");
    let out = ntm(
        &[
            "check",
            "--today",
            "2024-06-01",
            top.to_str().expect("path"),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_cycle_is_found_by_identity_however_the_path_is_spelled() {
    let dir = temp_dir("cycle");
    let name = dir.file_name().and_then(|n| n.to_str()).expect("dir name");
    // a.toml → ../<dir>/./b.toml → a.toml: the same two files, spelled three ways.
    std::fs::write(
        dir.join("a.toml"),
        extension("a", &format!("../{name}/./b.toml")),
    )
    .expect("write");
    std::fs::write(dir.join("b.toml"), extension("b", "a.toml")).expect("write");
    let top = dir.join("a.toml");
    let out = ntm(&["check", top.to_str().expect("path")], b"");
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("error[extends-cycle]"), "{err}");
    // Found at once: the chain named is the two files, not a walk to a depth limit.
    assert_eq!(err.matches(".toml` → `").count(), 2, "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

#[cfg(unix)]
#[test]
fn an_endless_workbook_stops_at_the_workbook_limit() {
    // A name ending in .xlsx is read as a workbook, which is loaded whole: `/dev/zero` under
    // that name grew without bound.
    let dir = temp_dir("endless-workbook");
    let book = dir.join("book.xlsx");
    let _ = std::fs::remove_file(&book);
    std::os::unix::fs::symlink("/dev/zero", &book).expect("symlink");
    let out = ntm(
        &[
            "evaluate",
            "--rules",
            "examples/ruleset.toml",
            book.to_str().expect("path"),
        ],
        b"",
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[workbook-too-large]")
            && stderr(&out).contains("256 MiB (268435456 bytes)"),
        "{}",
        stderr(&out)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_cell_over_the_record_limit_is_not_echoed() {
    // A 1.5 MiB cell in a measure column was echoed whole into stderr (`not-a-number`).
    let mut csv = b"name,province,income_per_capita\nXa A,Hai Duong,".to_vec();
    csv.extend(std::iter::repeat_n(b'x', 3 << 19));
    csv.push(b'\n');
    let out = ntm(
        &[
            "evaluate",
            "--rules",
            "examples/ruleset.toml",
            "--allow-missing",
            "-",
        ],
        &csv,
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("<stdin>:2: error[record-too-large]"),
        "{}",
        stderr(&out)
    );
    assert!(
        out.stderr.len() < 4096,
        "{} bytes on stderr",
        out.stderr.len()
    );
}

#[cfg(unix)]
#[test]
fn side_files_on_dev_zero_stop_at_their_limit() {
    // Targets, reported figures, expected results and threshold sheets are read capped, as
    // rulesets are: an endless device is refused, never read to the end.
    for args in [
        &[
            "summary",
            "--rules",
            "examples/ruleset.toml",
            "--compare",
            "/dev/zero",
            "examples/ruleset-communes.csv",
        ][..],
        &[
            "summary",
            "--rules",
            "examples/ruleset.toml",
            "--targets",
            "/dev/zero",
            "examples/ruleset-communes.csv",
        ][..],
        &[
            "test",
            "--rules",
            "examples/ruleset.toml",
            "--data",
            "examples/ruleset-communes.csv",
            "--expect",
            "/dev/zero",
        ][..],
        &[
            "rules",
            "import",
            "/dev/zero",
            "-o",
            "/tmp/ntm-never-written.toml",
        ][..],
        &["check", "/dev/zero"][..],
    ] {
        let out = ntm(args, b"");
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out).contains("larger than"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
}
