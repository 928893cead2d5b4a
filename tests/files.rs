//! Never lose a file (the "Trust" issue): no output may be one of the run's inputs, every
//! file is replaced atomically, `--errors-out` always speaks of the last run, and the
//! evaluate spool never outlives the process. Each test runs the binary as a user would.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

/// A fresh, empty folder for one test.
fn sandbox(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ntm-files-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).expect("sandbox");
    d
}

/// Copy `from` (relative to the crate) into `dir` as `to`.
fn copy(from: &str, dir: &Path, to: &str) -> PathBuf {
    let p = dir.join(to);
    std::fs::copy(format!("{ROOT}/{from}"), &p).expect("copy fixture");
    p
}

fn ntm(dir: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ntm"))
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .expect("run ntm")
}

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// The names in `dir`, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(dir)
        .expect("read dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    v.sort();
    v
}

/// Exit 2 with one line naming the clash, and `file` byte for byte as it was.
fn assert_refused(o: &Output, file: &Path, before: &[u8], what: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let last = err.lines().last().unwrap_or_default();
    assert!(
        last.starts_with("ntm: error: ") && last.contains(what),
        "expected a refusal naming {what}: {err}"
    );
    assert_eq!(std::fs::read(file).expect("read back"), before, "{err}");
}

#[test]
fn report_refuses_to_write_over_any_input() {
    let d = sandbox("report");
    let data = copy("tests/fixtures/summary/communes.csv", &d, "a.csv");
    let rules = copy("tests/fixtures/summary/ruleset.toml", &d, "rules.toml");
    let targets = copy("tests/fixtures/summary/targets.toml", &d, "targets.toml");
    let hard = d.join("hard.csv");
    std::fs::hard_link(&data, &hard).expect("hard link");
    #[cfg(unix)]
    std::os::unix::fs::symlink(&data, d.join("soft.csv")).expect("symlink");
    let run = |out: &str| {
        ntm(
            &d,
            &[
                "report",
                "--rules",
                "rules.toml",
                "a.csv",
                "--by",
                "district",
                "--targets",
                "targets.toml",
                "-o",
                out,
            ],
        )
    };
    let data_bytes = std::fs::read(&data).expect("read");
    for (out, file, what) in [
        ("a.csv", &data, "data file a.csv"),
        ("./a.csv", &data, "data file a.csv"),
        ("hard.csv", &data, "data file a.csv"),
        ("rules.toml", &rules, "ruleset rules.toml"),
        ("targets.toml", &targets, "targets file targets.toml"),
    ] {
        let before = std::fs::read(file).expect("read");
        assert_refused(&run(out), file, &before, what);
    }
    #[cfg(unix)]
    assert_refused(&run("soft.csv"), &data, &data_bytes, "data file a.csv");
    // A new file is written, and nothing else is left beside it.
    let o = run("report.html");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let html = std::fs::read_to_string(d.join("report.html")).expect("report");
    assert!(html.starts_with("<!DOCTYPE html>"), "{}", &html[..50]);
    let mut want = vec![
        "a.csv",
        "hard.csv",
        "report.html",
        "rules.toml",
        "targets.toml",
    ];
    if cfg!(unix) {
        want.insert(4, "soft.csv");
    }
    assert_eq!(listing(&d), want);
    assert_eq!(std::fs::read(&data).expect("read"), data_bytes);
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn template_refuses_the_ruleset_and_every_base_it_extends() {
    let d = sandbox("template");
    let base = copy("tests/fixtures/check/valid.toml", &d, "valid.toml");
    let ext = copy("tests/fixtures/check/valid-extension.toml", &d, "ext.toml");
    for (file, name) in [(&base, "valid.toml"), (&ext, "ext.toml")] {
        let before = std::fs::read(file).expect("read");
        let o = ntm(&d, &["template", "--rules", "ext.toml", "-o", name]);
        assert_refused(&o, file, &before, &format!("ruleset {name}"));
    }
    let o = ntm(&d, &["template", "--rules", "ext.toml", "-o", "sheet.csv"]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(d.join("sheet.csv").is_file());
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn errors_out_refuses_the_ruleset_a_hard_link_and_the_file_behind_stdin() {
    let d = sandbox("errors-out");
    let data = copy("tests/fixtures/office-a.csv", &d, "a.csv");
    let rules = copy("examples/ruleset.toml", &d, "rules.toml");
    std::fs::hard_link(&data, d.join("hard.csv")).expect("hard link");
    let data_bytes = std::fs::read(&data).expect("read");
    let rules_bytes = std::fs::read(&rules).expect("read");
    let o = ntm(
        &d,
        &[
            "evaluate",
            "--rules",
            "rules.toml",
            "a.csv",
            "--errors-out",
            "rules.toml",
        ],
    );
    assert_refused(&o, &rules, &rules_bytes, "ruleset rules.toml");
    let o = ntm(
        &d,
        &[
            "evaluate",
            "--rules",
            "rules.toml",
            "a.csv",
            "--errors-out",
            "hard.csv",
        ],
    );
    assert_refused(&o, &data, &data_bytes, "data file a.csv");
    // `ntm evaluate - --errors-out a.csv < a.csv` (the file behind standard input is known
    // by its inode: unix only).
    #[cfg(unix)]
    {
        let o = Command::new(env!("CARGO_BIN_EXE_ntm"))
            .args([
                "evaluate",
                "--rules",
                "rules.toml",
                "-",
                "--errors-out",
                "a.csv",
            ])
            .current_dir(&d)
            .stdin(std::fs::File::open(&data).expect("open"))
            .output()
            .expect("run ntm");
        assert_refused(&o, &data, &data_bytes, "standard input");
    }
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn test_bless_refuses_an_expect_file_that_is_the_data() {
    let d = sandbox("bless");
    // A data file that also reads as expected results (it has a `level` column).
    let text =
        std::fs::read_to_string(format!("{ROOT}/examples/ruleset-communes.csv")).expect("read");
    let mut lines = text.lines();
    let mut data_text = format!("{},level\n", lines.next().expect("header"));
    for l in lines {
        data_text.push_str(&format!("{l},none\n"));
    }
    let data = d.join("communes.csv");
    std::fs::write(&data, &data_text).expect("write");
    copy("examples/ruleset.toml", &d, "rules.toml");
    let before = std::fs::read(&data).expect("read");
    let o = ntm(
        &d,
        &[
            "test",
            "--data",
            "communes.csv",
            "--rules",
            "rules.toml",
            "--expect",
            "communes.csv",
            "--bless",
        ],
    );
    assert_refused(&o, &data, &before, "data file communes.csv");
    std::fs::remove_dir_all(&d).ok();
}

/// A ruleset of about 400 KB that `fmt` rewrites (its keys are out of canonical order).
fn large_dirty_ruleset(dir: &Path) -> (PathBuf, Vec<u8>) {
    dirty_ruleset(dir, 8000)
}

/// A ruleset that `fmt` rewrites, with `lines` comment lines of 60 bytes.
fn dirty_ruleset(dir: &Path, lines: usize) -> (PathBuf, Vec<u8>) {
    let mut text =
        std::fs::read_to_string(format!("{ROOT}/tests/fixtures/fmt/dirty.toml")).expect("read");
    for i in 0..lines {
        text.push_str(&format!(
            "# padding comment {i:05} that fmt keeps, so the file stays large\n"
        ));
    }
    let path = dir.join("rules.toml");
    std::fs::write(&path, &text).expect("write");
    (path, text.into_bytes())
}

/// `ntm fmt rules.toml` in `dir` under `sh` with `prelude` (file size limits).
#[cfg(unix)]
fn fmt_under(dir: &Path, prelude: &str) -> Output {
    let script = format!("{prelude}; exec \"$0\" fmt rules.toml");
    Command::new("sh")
        .args(["-c", &script, env!("CARGO_BIN_EXE_ntm")])
        .current_dir(dir)
        .output()
        .expect("run sh")
}

#[cfg(unix)]
#[test]
fn fmt_on_a_full_disk_leaves_the_ruleset_byte_identical() {
    let d = sandbox("fmt-full");
    let (path, before) = large_dirty_ruleset(&d);
    // A file-size limit of 64 KiB makes every write past it fail with EFBIG, as a full disk
    // fails with ENOSPC (SIGXFSZ is ignored, so the write returns the error).
    let o = fmt_under(&d, "trap '' XFSZ; ulimit -f 128");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("cannot write `rules.toml`"),
        "{}",
        stderr(&o)
    );
    assert_eq!(std::fs::read(&path).expect("read"), before);
    assert_eq!(listing(&d), ["rules.toml"], "no temporary file is left");
    // A smaller file fails at the last flush, when the file is committed: the same.
    let (_, small) = dirty_ruleset(&d, 400);
    let o = fmt_under(&d, "trap '' XFSZ; ulimit -f 8");
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert_eq!(std::fs::read(&path).expect("read"), small);
    assert_eq!(listing(&d), ["rules.toml"], "no temporary file is left");
    // Without the limit, it is rewritten.
    let o = fmt_under(&d, "true");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_ne!(std::fs::read(&path).expect("read"), small);
    assert_eq!(listing(&d), ["rules.toml"]);
    std::fs::remove_dir_all(&d).ok();
}

#[cfg(unix)]
#[test]
fn fmt_killed_midway_leaves_the_ruleset_byte_identical() {
    let d = sandbox("fmt-killed");
    let (path, before) = large_dirty_ruleset(&d);
    // SIGXFSZ (not ignored) kills the process in the middle of its write, as a SIGKILL would.
    let o = fmt_under(&d, "ulimit -f 128");
    assert_eq!(o.status.code(), None, "killed by a signal: {}", stderr(&o));
    assert_eq!(std::fs::read(&path).expect("read"), before);
    // A killed process cannot clean up: what it leaves is its hidden temporary file, never a
    // damaged ruleset.
    for name in listing(&d) {
        assert!(
            name == "rules.toml" || name.starts_with(".rules.toml.ntm-tmp-"),
            "{name}"
        );
    }
    std::fs::remove_dir_all(&d).ok();
}

#[test]
fn errors_out_is_rewritten_by_a_run_that_stops_before_reading_data() {
    let d = sandbox("errors-current");
    copy("tests/fixtures/office-a.csv", &d, "a.csv");
    copy("examples/ruleset.toml", &d, "rules.toml");
    copy("tests/fixtures/bad-ruleset.toml", &d, "bad.toml");
    let errors = d.join("errors.csv");
    let read = || std::fs::read_to_string(&errors).expect("errors.csv");
    let evaluate = |extra: &[&str]| {
        let mut args = vec!["evaluate", "a.csv", "--errors-out", "errors.csv"];
        args.extend_from_slice(extra);
        ntm(&d, &args)
    };
    // The first run finds the data's errors.
    let o = evaluate(&["--rules", "rules.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(read().contains(",error,out-of-range,"), "{}", read());
    // A bad ruleset: the file now lists the ruleset's errors, not the old data errors.
    let o = evaluate(&["--rules", "bad.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let text = read();
    assert!(!text.contains("out-of-range"), "{text}");
    assert!(
        text.starts_with(
            "file,line,column,header,value,severity,code,message,expected,message_vi\n"
        )
    );
    assert!(text.contains("bad.toml,"), "{text}");
    // A bad flag value: one row says why nothing was read.
    let o = evaluate(&["--rules", "rules.toml", "--year", "2040"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let text = read();
    assert_eq!(text.lines().count(), 2, "{text}");
    assert!(
        text.contains(",error,not-evaluated,nothing was evaluated: --year 2040"),
        "{text}"
    );
    // A missing ruleset file too.
    let o = evaluate(&["--rules", "missing.toml"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(read().contains("missing.toml"), "{}", read());
    std::fs::remove_dir_all(&d).ok();
}

/// `/proc/PID/fd` entries of `pid` whose link names `needle`.
#[cfg(target_os = "linux")]
fn open_files(pid: u32, needle: &str) -> Vec<(PathBuf, String)> {
    let Ok(dir) = std::fs::read_dir(format!("/proc/{pid}/fd")) else {
        return Vec::new();
    };
    dir.filter_map(|e| {
        let p = e.ok()?.path();
        let link = std::fs::read_link(&p).ok()?.to_string_lossy().into_owned();
        link.contains(needle).then_some((p, link))
    })
    .collect()
}

#[cfg(target_os = "linux")]
#[test]
fn the_evaluate_spool_is_private_and_never_outlives_a_killed_run() {
    use std::io::Write;
    use std::os::unix::fs::PermissionsExt;
    let d = sandbox("spool");
    let tmp = d.join("tmp");
    std::fs::create_dir_all(&tmp).expect("tmp");
    copy("examples/ruleset.toml", &d, "rules.toml");
    let data = std::fs::read(format!("{ROOT}/tests/fixtures/office-a.csv")).expect("read");
    let mut child = Command::new(env!("CARGO_BIN_EXE_ntm"))
        .args(["evaluate", "--rules", "rules.toml", "-", "--format", "csv"])
        .current_dir(&d)
        .env("TMPDIR", &tmp)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn");
    // The header and a row, then standard input stays open: the run is in the middle.
    let mut stdin = child.stdin.take().expect("stdin");
    let head: Vec<&[u8]> = data.split(|&b| b == b'\n').take(2).collect();
    stdin.write_all(&head.join(&b'\n')).expect("write");
    stdin.write_all(b"\n").expect("write");
    stdin.flush().expect("flush");
    let mut spool = Vec::new();
    for _ in 0..1000 {
        spool = open_files(child.id(), "ntm-evaluate-");
        if !spool.is_empty() {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    assert_eq!(spool.len(), 1, "the running process has its spool open");
    let (fd, link) = &spool[0];
    assert!(
        link.ends_with(" (deleted)"),
        "the spool is unlinked: {link}"
    );
    let mode = std::fs::metadata(fd).expect("stat").permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    assert!(listing(&tmp).is_empty(), "{:?}", listing(&tmp));
    child.kill().expect("SIGKILL");
    child.wait().expect("wait");
    drop(stdin);
    assert!(listing(&tmp).is_empty(), "{:?}", listing(&tmp));
    std::fs::remove_dir_all(&d).ok();
}

/// Peak resident memory of a running process, in KiB (`VmHWM`, which only grows).
#[cfg(target_os = "linux")]
fn peak_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

#[cfg(target_os = "linux")]
#[test]
fn memory_stays_bounded_whatever_the_number_of_bad_cells() {
    use std::io::Write;
    let d = sandbox("bad-cells");
    copy("examples/ruleset.toml", &d, "rules.toml");
    // 2.5 MB of rows whose every measure is bad: about 300,000 diagnostics, which took
    // about 170 MB when each was kept until the end.
    let header = std::fs::read_to_string(format!("{ROOT}/examples/ruleset-communes.csv"))
        .expect("read")
        .lines()
        .next()
        .expect("header")
        .to_string();
    let mut data = format!("{header}\n");
    let mut rows = 0u64;
    while data.len() < 2_500_000 {
        rows += 1;
        data.push_str(&format!(
            "{:05},Xã {rows},Huyện A,Hải Dương,2025,abc,x%,?,-1,maybe,q,zz,yy,kk\n",
            10_000 + rows
        ));
    }
    let mut child = Command::new(env!("CARGO_BIN_EXE_ntm"))
        .args([
            "evaluate",
            "--rules",
            "rules.toml",
            "-",
            "--errors-out",
            "errors.csv",
        ])
        .current_dir(&d)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let pid = child.id();
    let mut stdin = child.stdin.take().expect("stdin");
    let writer = std::thread::spawn(move || stdin.write_all(data.as_bytes()));
    let mut peak = 0;
    while child.try_wait().expect("wait").is_none() {
        peak = peak.max(peak_kib(pid).unwrap_or(0));
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    writer.join().expect("writer").expect("write stdin");
    let out = child.wait_with_output().expect("output");
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(peak > 0 && peak < 80 * 1024, "peak memory {peak} KiB");
    // Every diagnostic is in the errors file, and the report counts those not printed.
    let written = std::fs::read_to_string(d.join("errors.csv")).expect("errors.csv");
    let total = written.lines().count() as u64 - 1;
    assert!(total >= 8 * rows, "{total} rows for {rows} data rows");
    assert!(
        err.contains(&format!("… and {} more: ", total - 100)),
        "{err}"
    );
    assert!(err.contains(" error[not-a-number]"), "{err}");
    std::fs::remove_dir_all(&d).ok();
}

/// `-o` streams the CSV formats into its temporary file (issue #14: no spool to copy back):
/// the file written is byte for byte what standard output gets, with every option that
/// shapes a CSV, and a run that fails midway leaves the old file and nothing beside it.
#[test]
fn evaluate_o_writes_what_stdout_gets_and_a_failed_run_leaves_the_old_file() {
    let d = sandbox("o-stream");
    copy("examples/communes.csv", &d, "communes.csv");
    copy("tests/fixtures/good-then-bad.csv", &d, "bad.csv");
    for format in ["csv", "long"] {
        for extra in [
            &[][..],
            &["--bom"][..],
            &["--csv-comments"][..],
            &["--closest", "3"][..],
            &["--all-levels", "--margin", "2%"][..],
        ] {
            let mut args = vec!["evaluate", "communes.csv", "--format", format];
            args.extend_from_slice(extra);
            let stdout = ntm(&d, &args);
            assert_eq!(stdout.status.code(), Some(0), "{}", stderr(&stdout));
            args.extend_from_slice(&["-o", "out.csv"]);
            let file = ntm(&d, &args);
            assert_eq!(file.status.code(), Some(0), "{}", stderr(&file));
            let written = std::fs::read(d.join("out.csv")).expect("written");
            assert_eq!(
                String::from_utf8_lossy(&written),
                String::from_utf8_lossy(&stdout.stdout),
                "{format} {extra:?}"
            );
            assert!(written.len() > 1000, "{format} {extra:?}: a whole output");
        }
        std::fs::write(d.join("out.csv"), "old\n").expect("write");
        let o = ntm(
            &d,
            &["evaluate", "bad.csv", "--format", format, "-o", "out.csv"],
        );
        assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
        assert!(
            stderr(&o).contains("nothing was evaluated"),
            "{}",
            stderr(&o)
        );
        assert_eq!(std::fs::read(d.join("out.csv")).expect("read"), b"old\n");
        assert_eq!(listing(&d), ["bad.csv", "communes.csv", "out.csv"]);
    }
    std::fs::remove_dir_all(&d).ok();
}

/// `data.csv` in `dir`: the second commune of `examples/communes.csv` under `rows` codes
/// (a few MB: a spool larger than every buffer on its way out).
fn many_communes(dir: &Path, rows: usize) {
    let text = std::fs::read_to_string(format!("{ROOT}/examples/communes.csv")).expect("read");
    let mut lines = text.lines();
    let header = lines.next().expect("header");
    let row = lines.next().expect("a row");
    let rest = row
        .strip_prefix("2025,10816,")
        .expect("year and code first");
    let mut data = format!("{header}\n");
    for i in 0..rows {
        data.push_str(&format!("2025,{:05},{rest}\n", 20_000 + i));
    }
    std::fs::write(dir.join("data.csv"), data).expect("write");
}

/// The spooled CSV body is copied to standard output by the kernel when that is a file or a
/// device (issue #14): a regular file (also opened to append) and a pipe get the bytes `-o`
/// writes, which never go through the spool, the head before the body; /dev/null takes it
/// all; a reader closing the pipe early ends the run quietly.
#[test]
fn the_spool_reaches_a_pipe_a_file_and_dev_null_as_o_writes_it() {
    use std::io::Read;
    let d = sandbox("spool-out");
    many_communes(&d, 10_000);
    for (format, extra) in [
        ("csv", &[][..]),
        ("csv", &["--csv-comments"][..]),
        ("long", &["--bom"][..]),
    ] {
        let mut args = vec!["evaluate", "data.csv", "--format", format];
        args.extend_from_slice(extra);
        let mut to_o = args.clone();
        to_o.extend_from_slice(&["-o", "o.csv"]);
        let o = ntm(&d, &to_o);
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let want = std::fs::read(d.join("o.csv")).expect("-o");
        assert!(
            want.len() > 1 << 20,
            "{format} {extra:?}: {} bytes",
            want.len()
        );
        let run = |stdout: Stdio| {
            Command::new(env!("CARGO_BIN_EXE_ntm"))
                .args(&args)
                .current_dir(&d)
                .stdin(Stdio::null())
                .stdout(stdout)
                .output()
                .expect("run ntm")
        };
        let piped = run(Stdio::piped());
        assert_eq!(piped.status.code(), Some(0), "{}", stderr(&piped));
        assert!(piped.stdout == want, "{format} {extra:?}: to a pipe");
        let file = std::fs::File::create(d.join("stdout.txt")).expect("create");
        let o = run(Stdio::from(file));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let got = std::fs::read(d.join("stdout.txt")).expect("read");
        assert!(got == want, "{format} {extra:?}: to a file");
        std::fs::write(d.join("stdout.txt"), "old\n").expect("write");
        let appended = std::fs::OpenOptions::new()
            .append(true)
            .open(d.join("stdout.txt"))
            .expect("open");
        let o = run(Stdio::from(appended));
        assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
        let got = std::fs::read(d.join("stdout.txt")).expect("read");
        assert!(
            got[4..] == want[..] && got.starts_with(b"old\n"),
            "{format} {extra:?}: appended"
        );
        if let Ok(null) = std::fs::File::create("/dev/null") {
            let o = run(Stdio::from(null));
            assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
            assert!(!stderr(&o).contains("error"), "{}", stderr(&o));
        }
    }
    // The reader takes a few bytes and closes the pipe: a closed pipe is not an error.
    let mut child = Command::new(env!("CARGO_BIN_EXE_ntm"))
        .args(["evaluate", "data.csv", "--format", "csv"])
        .current_dir(&d)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = [0u8; 10];
    child
        .stdout
        .take()
        .expect("stdout")
        .read_exact(&mut first)
        .expect("read");
    let o = child.wait_with_output().expect("wait");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(!stderr(&o).contains("error"), "{}", stderr(&o));
    assert_eq!(&first, b"row,file,l");
    std::fs::remove_dir_all(&d).ok();
}
