//! One file per subcommand: load → validate → read → evaluate → report.
//!
//! The only place that opens files. Shared here: reading ruleset files ([`Disk`], for
//! `ruleset::open`) and preparing the ruleset and read options of a command.

pub mod app;

/// The codes `ntm diff` adds to those of rulesets and data (docs/diff.md lists them).
pub use diff::CODES as DIFF_CODES;
/// The chunk a data file is read in (tests put a character across its boundary).
pub use scan::CHUNK;
pub(crate) mod check;
pub(crate) mod choose;
pub(crate) mod diff;
pub(crate) mod evaluate;
pub(crate) mod explain;
pub(crate) mod fmt;
pub(crate) mod inputs;
pub(crate) mod meta;
pub(crate) mod output;
pub(crate) mod report;
pub(crate) mod rules;
pub(crate) mod scan;
pub(crate) mod sheet;
pub(crate) mod summary;
pub(crate) mod template;
pub(crate) mod test;

use std::io::Write;

use anyhow::{Context, bail};

use crate::cli::InputArgs;
use crate::data::coerce::DecimalMark;
use crate::data::read::ReadOptions;
use crate::diag::Diagnostic;
use crate::report::write_diagnostics;
use crate::ruleset::{Files, Ruleset, Source};

/// The files on disk, as rulesets read them: bounded by [`RULESET_LIMIT`].
pub struct Disk;

impl Files for Disk {
    fn read(&self, path: &str) -> Result<String, Box<Diagnostic>> {
        read_text(path)
    }

    fn identity(&self, path: &str) -> String {
        std::fs::canonicalize(path)
            .map_or_else(|_| path.to_string(), |p| p.to_string_lossy().into_owned())
    }
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

/// Open ruleset `spec` (`ruleset::open`) from disk and print its diagnostics. `None` when it
/// has errors; `Err` when it cannot be read.
pub fn load(
    spec: &str,
    err: &mut dyn Write,
) -> anyhow::Result<(Option<Ruleset>, Source, Vec<Diagnostic>)> {
    let opened = crate::ruleset::open(spec, &Disk).map_err(|d| match d.help {
        Some(help) => anyhow::anyhow!("{}; {help}", d.message),
        None => anyhow::anyhow!("{}", d.message),
    })?;
    write_diagnostics(err, &opened.diags)?;
    Ok((opened.ruleset, opened.source, opened.diags))
}

/// [`load`], unless the choice of a built-in set already opened it: then its diagnostics
/// are printed and the set is used as opened (start-up, issue #14).
pub fn load_chosen(
    spec: &str,
    chosen: &mut Option<choose::Choice>,
    err: &mut dyn Write,
) -> anyhow::Result<(Option<Ruleset>, Source, Vec<Diagnostic>)> {
    match chosen.as_mut().and_then(|c| c.opened.take()) {
        Some(opened) if opened.source.label == format!("builtin:{spec}") => {
            write_diagnostics(err, &opened.diags)?;
            Ok((opened.ruleset, opened.source, opened.diags))
        }
        _ => load(spec, err),
    }
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
    let (spec, mut chosen) = ruleset_spec(input, &opts, err)?;
    let (rs, src, _) = load_chosen(&spec, &mut chosen, err)?;
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
    if let Some(y) = input.year
        && !input.allow_out_of_period
        && (y < rs.period.0 || y > rs.period.1)
    {
        bail!(
            "--year {y} is outside the period {}–{} of ruleset `{}` (pass --allow-out-of-period to assess it anyway)",
            rs.period.0,
            rs.period.1,
            rs.id
        );
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
