//! One file per subcommand: load → validate → read → evaluate → report.
//!
//! The only place that opens files. Shared here: finding a ruleset by id or path.

pub mod app;
pub mod check;
pub mod choose;
pub mod diff;
pub mod evaluate;
pub mod explain;
pub mod fmt;
pub mod inputs;
pub mod output;
pub mod report;
pub mod rules;
pub mod scan;
pub mod sheet;
pub mod summary;
pub mod template;
pub mod test;

use std::io::Write;

use anyhow::{Context, bail};

use crate::cli::InputArgs;
use crate::data::coerce::DecimalMark;
use crate::data::read::ReadOptions;
use crate::diag::Diagnostic;
use crate::report::write_diagnostics;
use crate::ruleset::load::{Base, load_with_identity};
use crate::ruleset::{Ruleset, builtin};

/// A ruleset's text and how to name it.
pub struct Source {
    /// `builtin:<id>` or the path.
    pub label: String,
    /// Path used in diagnostics.
    pub path: String,
    /// The TOML text.
    pub text: String,
    /// The files read to load it: the ruleset file and every base it extends (none for a
    /// built-in). Filled in by [`load`]; outputs must not be one of them (`cmd::inputs`).
    pub files: Vec<String>,
}

/// Find a ruleset: a built-in id, else a file path. An unreadable file is an error.
pub fn source(spec: &str) -> anyhow::Result<Source> {
    try_source(spec).map_err(|d| match d.help {
        Some(help) => anyhow::anyhow!("{}; {help}", d.message),
        None => anyhow::anyhow!("{}", d.message),
    })
}

/// Find a ruleset: a built-in id, else a file path; an unreadable file is a diagnostic
/// (`unreadable-file`, or `invalid-utf8` for a file that is not UTF-8 text).
pub fn try_source(spec: &str) -> Result<Source, Box<Diagnostic>> {
    if let Some((path, text)) = builtin::get(spec) {
        return Ok(Source {
            label: format!("builtin:{spec}"),
            path: path.to_string(),
            text: text.to_string(),
            files: Vec::new(),
        });
    }
    let text = read_text(spec).map_err(|d| {
        if d.code != "unreadable-file" {
            return d;
        }
        let ids: Vec<&str> = builtin::BUILTIN.iter().map(|(id, _, _)| *id).collect();
        Box::new(d.help(format!(
            "give a ruleset file or a built-in id: `{}`",
            ids.join("`, `")
        )))
    })?;
    Ok(Source {
        label: spec.to_string(),
        path: spec.to_string(),
        text,
        files: vec![spec.to_string()],
    })
}

/// The largest ruleset file read: 16 MiB. The national rulesets are under 100 kB; a larger
/// file is not a ruleset, and `/dev/zero` must not fill memory (docs/data.md, "Limits").
pub const RULESET_LIMIT: u64 = 16 << 20;

/// The most bytes read of a side file: a targets file, reported figures (`--compare`),
/// expected test results, a threshold sheet. Each is a few kB to a few MB; the cap keeps a
/// device or a wrong path (`/dev/zero`) from being read without end (docs/data.md, "Limits").
pub const SIDE_FILE_LIMIT: u64 = 64 << 20;

/// Read at most `limit` bytes of `path`, `what` naming it in errors (`reported figures`):
/// a longer file is an error naming the limit, read no further.
pub fn read_capped(path: &std::path::Path, limit: u64, what: &str) -> anyhow::Result<Vec<u8>> {
    use std::io::Read;
    let context = || format!("reading {what} {}", path.display());
    let mut bytes = Vec::new();
    std::fs::File::open(path)
        .with_context(context)?
        .take(limit + 1)
        .read_to_end(&mut bytes)
        .with_context(context)?;
    if bytes.len() as u64 > limit {
        bail!(
            "{what} {} is larger than {}, the most ntm reads of such a file; it was not read further",
            path.display(),
            crate::data::records::limit_text(limit)
        );
    }
    Ok(bytes)
}

/// [`read_capped`] as UTF-8 text.
pub fn read_capped_text(path: &std::path::Path, limit: u64, what: &str) -> anyhow::Result<String> {
    String::from_utf8(read_capped(path, limit, what)?).map_err(|e| {
        anyhow::anyhow!(
            "{what} {} is not UTF-8 text (at byte {})",
            path.display(),
            e.utf8_error().valid_up_to()
        )
    })
}

/// Read a ruleset file as UTF-8 text, at most [`RULESET_LIMIT`] bytes (`ruleset-too-large`).
pub fn read_text(path: &str) -> Result<String, Box<Diagnostic>> {
    read_text_limited(path, RULESET_LIMIT)
}

fn read_text_limited(path: &str, limit: u64) -> Result<String, Box<Diagnostic>> {
    let read = || -> std::io::Result<Vec<u8>> {
        use std::io::Read;
        let mut bytes = Vec::new();
        std::fs::File::open(path)?
            .take(limit + 1)
            .read_to_end(&mut bytes)?;
        Ok(bytes)
    };
    let bytes = read().map_err(|e| {
        // The same words on every platform, for golden tests and CI logs.
        let why = match e.kind() {
            std::io::ErrorKind::NotFound => "no such file".to_string(),
            std::io::ErrorKind::PermissionDenied => "permission denied".to_string(),
            std::io::ErrorKind::IsADirectory => "is a directory".to_string(),
            _ => e.to_string(),
        };
        Diagnostic::error("unreadable-file", format!("cannot read `{path}`: {why}"))
            .at(path, None, None)
    })?;
    if bytes.len() as u64 > limit {
        return Err(Box::new(
            Diagnostic::error(
                "ruleset-too-large",
                format!(
                    "`{path}` is larger than {}, the most a ruleset file may hold; it was not read further",
                    crate::data::records::limit_text(limit)
                ),
            )
            .at(path, None, None)
            .help("a ruleset is a TOML file of a few hundred kB at most: check the path"),
        ));
    }
    String::from_utf8(bytes).map_err(|e| {
        let (line, col) = crate::diag::line_col(
            &String::from_utf8_lossy(&e.as_bytes()[..e.utf8_error().valid_up_to()]),
            usize::MAX,
        );
        Box::new(
            Diagnostic::error(
                "invalid-utf8",
                format!(
                    "`{path}` is not UTF-8 text (at byte {})",
                    e.utf8_error().valid_up_to()
                ),
            )
            .at(path, Some(line), Some(col)),
        )
    })
}

/// Parse and validate a ruleset's text, following `extends` (a built-in id, else a path
/// relative to the extending file). Prints nothing.
pub fn load_source(src: &Source) -> (Option<Ruleset>, Vec<Diagnostic>) {
    let (rs, diags, _) = load_source_files(src);
    (rs, diags)
}

/// [`load_source`], and the files it read: the source's own and every base file.
pub fn load_source_files(src: &Source) -> (Option<Ruleset>, Vec<Diagnostic>, Vec<String>) {
    let files = std::cell::RefCell::new(src.files.clone());
    let resolve = |spec: &str, from: &str| {
        let base = resolve_base(spec, from);
        if let Ok(b) = &base {
            if builtin::get(spec).is_none() {
                files.borrow_mut().push(b.path.clone());
            }
        }
        base
    };
    let identity = if src.label.starts_with("builtin:") {
        src.label.clone()
    } else {
        identity(&src.path)
    };
    let (rs, diags) = load_with_identity(&src.text, &src.path, &identity, &resolve);
    (rs, diags, files.into_inner())
}

/// What a ruleset file is, however its path is spelled (`a.toml`, `./a.toml`, `../x/a.toml`, a
/// link): its canonical path, or the path itself when it has none.
fn identity(path: &str) -> String {
    std::fs::canonicalize(path)
        .map_or_else(|_| path.to_string(), |p| p.to_string_lossy().into_owned())
}

/// The base named by `extends = SPEC` in the file FROM: a built-in id, else a file path relative
/// to FROM's folder.
pub(crate) fn resolve_base(spec: &str, from: &str) -> Result<Base, String> {
    if let Some((path, text)) = builtin::get(spec) {
        return Ok(Base {
            path: path.to_string(),
            text: text.to_string(),
            identity: format!("builtin:{spec}"),
        });
    }
    let dir = std::path::Path::new(from)
        .parent()
        .unwrap_or(std::path::Path::new(""));
    let path = dir.join(spec).to_string_lossy().replace('\\', "/");
    match read_text(&path) {
        Ok(text) => Ok(Base {
            identity: identity(&path),
            path,
            text,
        }),
        Err(d) => Err(format!("{} (not a built-in id either)", d.message)),
    }
}

/// Load and validate; print its diagnostics. `None` when it has errors.
pub fn load(
    spec: &str,
    err: &mut dyn Write,
) -> anyhow::Result<(Option<Ruleset>, Source, Vec<Diagnostic>)> {
    let mut src = source(spec)?;
    let (rs, diags, files) = load_source_files(&src);
    src.files = files;
    write_diagnostics(err, &diags)?;
    Ok((rs, src, diags))
}

/// What a command that reads communes starts from: the valid ruleset, its source, and the
/// options rows are read with.
pub struct Prepared {
    /// The ruleset.
    pub rs: Ruleset,
    /// Where it came from.
    pub src: Source,
    /// How rows are read.
    pub opts: ReadOptions,
    /// The built-in set chosen by year when `--rules` was not given.
    pub chosen: Option<choose::Choice>,
}

/// Load the ruleset of `input` (printing its diagnostics) and check `--year` against its
/// period. `None` when the ruleset has errors (exit 2).
pub fn prepare(input: &InputArgs, err: &mut dyn Write) -> anyhow::Result<Option<Prepared>> {
    let opts = read_options(input);
    let (spec, chosen) = ruleset_spec(input, &opts, err)?;
    let (rs, src, _) = load(&spec, err)?;
    let Some(rs) = rs else {
        return Ok(None);
    };
    check_period(input, &rs)?;
    Ok(Some(Prepared {
        rs,
        src,
        opts,
        chosen,
    }))
}

/// The ruleset to load: `--rules`, else the built-in set chosen by the assessment year.
///
/// When the year was not read from every input (standard input, a pipe or a device is not
/// read ahead) and no `--year` was given, says on `err` which set was taken and how to pick.
pub fn ruleset_spec(
    input: &InputArgs,
    opts: &ReadOptions,
    err: &mut dyn Write,
) -> anyhow::Result<(String, Option<choose::Choice>)> {
    Ok(match &input.rules.rules {
        Some(spec) => (spec.clone(), None),
        None => {
            let chosen = choose::choose(input, opts)?;
            if input.year.is_none() && !chosen.unread.is_empty() {
                writeln!(
                    err,
                    "ntm: ruleset `{}` chosen by {}: {} is not read ahead for its year; pass --year YEAR or --rules ID|FILE to choose another",
                    chosen.id,
                    chosen.by,
                    crate::text::echo_list(&chosen.unread)
                )?;
            }
            (chosen.id.to_string(), Some(chosen))
        }
    })
}

/// `--year` must lie in the period of ruleset `rs` unless `--allow-out-of-period`.
pub fn check_period(input: &InputArgs, rs: &Ruleset) -> anyhow::Result<()> {
    if let Some(y) = input.year {
        if !input.allow_out_of_period && (y < rs.period.0 || y > rs.period.1) {
            bail!(
                "--year {y} is outside the period {}–{} of ruleset `{}` (pass --allow-out-of-period to assess it anyway)",
                rs.period.0,
                rs.period.1,
                rs.id
            );
        }
    }
    Ok(())
}

/// How rows are read, from the command line.
pub fn read_options(input: &InputArgs) -> ReadOptions {
    ReadOptions {
        year: input.year,
        allow_out_of_period: input.allow_out_of_period,
        allow_missing: input.allow_missing,
        province_set: input.province_set,
        keep: Vec::new(),
        header_row: input.header_row,
        encoding: input.encoding,
        delimiter: input.delimiter,
        sheet: input.sheet.clone(),
        lenient: input.lenient,
        decimal: match (input.decimal_comma, input.decimal_point) {
            (true, _) => DecimalMark::Comma,
            (false, true) => DecimalMark::Point,
            (false, false) => DecimalMark::Auto,
        },
        fraction_percent: input.fraction_percent,
    }
}
