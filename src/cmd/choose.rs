//! The built-in ruleset to use when `--rules` is not given: the one whose period holds the
//! assessment year (`--year`, else the data's `year` column, else today's year).
//!
//! Reads the data once ahead of the real pass (regular files only: not standard input, a pipe
//! or a device) for the years and to check that the data has the chosen set's columns; prints
//! nothing: the caller reports.
//!
//! Start-up matters (a province's file is evaluated in a few milliseconds): the choice by
//! year takes the periods from `builtin::PERIODS`, and a built-in set is parsed and validated
//! only when its columns must be compared with the data's header (issue #14).

use std::cell::OnceCell;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::bail;

use crate::cli::InputArgs;
use crate::data::columns::{Ident, map_headers};
use crate::data::read::{ReadOptions, YearFrom};
use crate::ruleset::open::Opened;
use crate::ruleset::{Ruleset, builtin};

/// Which built-in ruleset was chosen and why.
#[derive(Debug)]
pub struct Choice {
    /// The built-in id.
    pub id: &'static str,
    /// Why, for `meta` and stderr: `--year 2026`, `year column 2025`, `today 2026-12-02`.
    pub by: String,
    /// Inputs that were not read ahead for their years (standard input, pipes, devices).
    pub unread: Vec<String>,
    /// The chosen set, when the choice already opened it (parsed and validated), so the
    /// command need not open it again (`cmd::load_chosen`).
    pub opened: Option<Box<Opened>>,
}

/// The built-in rulesets, each opened (parsed and validated, as `cmd::load` opens a set) on
/// first use only.
struct Builtins {
    sets: [OnceCell<Option<Opened>>; builtin::BUILTIN.len()],
}

impl Builtins {
    fn new() -> Self {
        Builtins {
            sets: std::array::from_fn(|_| OnceCell::new()),
        }
    }

    /// The built-in set `id`, parsed now if it was not yet; `None` if it does not load.
    fn get(&self, id: &str) -> Option<&Ruleset> {
        let i = builtin::BUILTIN.iter().position(|(i, _, _)| *i == id)?;
        self.sets[i]
            .get_or_init(|| crate::ruleset::open(id, &super::Disk).ok())
            .as_ref()?
            .ruleset
            .as_ref()
    }

    /// The set `id` as opened, if it was.
    fn take(self, id: &str) -> Option<Opened> {
        let i = builtin::BUILTIN.iter().position(|(i, _, _)| *i == id)?;
        self.sets.into_iter().nth(i)?.into_inner()?
    }

    /// The ids of the sets parsed so far.
    #[cfg(test)]
    fn parsed(&self) -> Vec<&'static str> {
        builtin::BUILTIN
            .iter()
            .zip(&self.sets)
            .filter(|(_, cell)| cell.get().is_some())
            .map(|((id, _, _), _)| *id)
            .collect()
    }

    /// Every built-in set, oldest first, each parsed only when the iteration reaches it.
    fn all(&self) -> impl DoubleEndedIterator<Item = (&'static str, &Ruleset)> {
        builtin::BUILTIN
            .iter()
            .filter_map(|(id, _, _)| Some((*id, self.get(id)?)))
    }
}

/// The built-in set whose period holds `year`.
fn holding(year: i32) -> Option<&'static str> {
    builtin::PERIODS
        .iter()
        .find(|(_, (from, to))| *from <= year && year <= *to)
        .map(|(id, _)| *id)
}

fn periods() -> String {
    builtin::PERIODS
        .iter()
        .map(|(id, (from, to))| format!("`{id}` {from}–{to}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Today's date: `NTM_TODAY` (YYYY-MM-DD, for tests) or the system clock.
fn today() -> anyhow::Result<(i32, u32, u32)> {
    match std::env::var("NTM_TODAY") {
        Ok(t) => super::check::parse_date(&t)
            .ok_or_else(|| anyhow::anyhow!("NTM_TODAY `{t}` is not a date YYYY-MM-DD")),
        Err(_) => Ok(super::check::system_today()),
    }
}

/// What a read ahead saw: the years of the `year` column (with a row count each) and
/// whether a measure column of the ruleset is missing.
struct Seen {
    years: BTreeMap<i32, usize>,
    missing_columns: bool,
}

/// The header and `year` cells of a plain UTF-8 CSV file, read without coercing a measure
/// cell: `None` when the file is not one (a workbook, another encoding, no header found in
/// the first 20 rows), and the full reader must be used.
struct Light {
    header: Vec<String>,
    years: BTreeMap<i32, usize>,
    /// The header's line, as the parser counts lines.
    line: u64,
    /// Without the years ([`Ahead::Header`]): the year of the first record after the
    /// header whose `year` cell is one.
    first_year: Option<i32>,
}

/// How far [`light`] reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ahead {
    /// Every record's year.
    Years,
    /// The header, and the first year after it.
    Header,
}

/// `first` is tried first for a header, then each built-in set (parsed only if reached).
fn light(
    path: &Path,
    first: &Ruleset,
    sets: &Builtins,
    input: &InputArgs,
    ahead: Ahead,
) -> Option<Light> {
    let mut file = std::io::BufReader::new(std::fs::File::open(path).ok()?);
    let mut head = [0u8; 8];
    let n = {
        use std::io::BufRead;
        let buf = file.fill_buf().ok()?;
        let n = buf.len().min(8);
        head[..n].copy_from_slice(&buf[..n]);
        n
    };
    if crate::data::sheet::is_workbook(&path.to_string_lossy(), &head[..n])
        || head.starts_with(b"\xFF\xFE")
        || head.starts_with(b"\xFE\xFF")
    {
        return None;
    }
    // Records capped as the row reader caps them: a record over the limit ends the light
    // read, and the full reader reports it.
    let mut rdr = crate::data::records::csv_records(file, input.delimiter.unwrap_or(b','));
    let mut rec = csv::ByteRecord::new();
    let text = |rec: &csv::ByteRecord| -> Option<Vec<String>> {
        rec.iter()
            .map(|c| {
                std::str::from_utf8(c)
                    .ok()
                    .map(|s| crate::text::nfc(s.trim_start_matches('\u{feff}')))
            })
            .collect()
    };
    // The header: --header-row, else the first of 20 rows that names a measure.
    let mut row = 0u64;
    let (header, year_col, line) = loop {
        if !rdr.read_byte_record(&mut rec).ok()? || row >= 20 {
            return None;
        }
        row += 1;
        if input.header_row.is_some_and(|h| h != row) {
            continue;
        }
        let cells = text(&rec)?;
        let mut candidates = std::iter::once(first).chain(sets.all().map(|(_, rs)| rs));
        let found = candidates.find_map(|rs| {
            let (cols, _) = map_headers(&cells, rs, true, "", row);
            cols.measures
                .iter()
                .any(Option::is_some)
                .then(|| cols.ident(Ident::Year))
        });
        if let Some(year_col) = found {
            break (
                cells,
                year_col,
                rec.position().map_or(row, csv::Position::line),
            );
        }
        if input.header_row.is_some() {
            return None;
        }
    };
    let mut years = BTreeMap::new();
    let year_of = |rec: &csv::ByteRecord, col: usize| -> Option<Option<i32>> {
        let cell = rec.get(col).and_then(|c| std::str::from_utf8(c).ok())?;
        Some(
            cell.trim()
                .parse::<i32>()
                .ok()
                .filter(|y| (1900..=2100).contains(y)),
        )
    };
    if ahead == Ahead::Header {
        let mut first_year = None;
        if let Some(col) = year_col {
            while first_year.is_none() && rdr.read_byte_record(&mut rec).ok()? {
                first_year = year_of(&rec, col)?;
            }
        }
        return Some(Light {
            header,
            years,
            line,
            first_year,
        });
    }
    if let Some(col) = year_col {
        // The shortcut without the parser, over the file from its start; else the parser.
        let delimiter = input.delimiter.unwrap_or(b',');
        // A large file in two halves, one on each core (nothing else runs yet).
        let open_at = |offset: u64| -> std::io::Result<std::fs::File> {
            use std::io::Seek as _;
            let mut f = std::fs::File::open(path)?;
            if offset > 0 {
                f.seek(std::io::SeekFrom::Start(offset))?;
            }
            Ok(f)
        };
        if let Ok(Some(counted)) = std::fs::metadata(path).and_then(|m| {
            crate::data::year_scan::scan_years_split(open_at, m.len(), delimiter, row, col)
        }) {
            return Some(Light {
                header,
                years: counted,
                line,
                first_year: None,
            });
        }
        while rdr.read_byte_record(&mut rec).ok()? {
            if let Some(y) = year_of(&rec, col)? {
                *years.entry(y).or_insert(0) += 1;
            }
        }
    }
    Some(Light {
        header,
        years,
        line,
        first_year: None,
    })
}

/// Whether `header` lacks a required measure column of `rs`.
fn lacks_columns(header: &[String], rs: &Ruleset) -> bool {
    let (_, diags) = map_headers(header, rs, false, "", 1);
    diags.iter().any(|d| d.code == "missing-column")
}

/// What the data says: from the light read of every file when each is a plain CSV, else
/// from the full reader.
fn read_ahead(
    files: &[PathBuf],
    rs: &Ruleset,
    sets: &Builtins,
    opts: &ReadOptions,
    input: &InputArgs,
) -> anyhow::Result<(Seen, Option<Vec<Vec<String>>>)> {
    let lights: Option<Vec<Light>> = files
        .iter()
        .map(|f| light(f, rs, sets, input, Ahead::Years))
        .collect();
    if let Some(lights) = lights {
        let mut years = BTreeMap::new();
        for l in &lights {
            for (y, n) in &l.years {
                *years.entry(*y).or_insert(0) += n;
            }
        }
        let missing_columns = lights.iter().any(|l| lacks_columns(&l.header, rs));
        let headers = lights.into_iter().map(|l| l.header).collect();
        return Ok((
            Seen {
                years,
                missing_columns,
            },
            Some(headers),
        ));
    }
    Ok((full_read_ahead(files, rs, opts)?, None))
}

fn full_read_ahead(files: &[PathBuf], rs: &Ruleset, opts: &ReadOptions) -> anyhow::Result<Seen> {
    let names = super::scan::display_names(files);
    let mut ahead = opts.clone();
    ahead.year = None;
    ahead.allow_missing = true;
    ahead.allow_out_of_period = true;
    ahead.lenient = true;
    let (years, _, diags) =
        super::scan::scan(files, &names, rs, &ahead, false, None, |batches, _| {
            let mut years = BTreeMap::new();
            for row in batches.flatten() {
                if row.year_from == YearFrom::Column {
                    *years.entry(row.year).or_insert(0) += 1;
                }
            }
            Ok(years)
        })?;
    let missing_columns = diags.kept().iter().any(|d| d.code == "missing-column")
        || diags.more().any(|(_, code, _)| code == "missing-column");
    Ok(Seen {
        years,
        missing_columns,
    })
}

/// Choose the built-in ruleset for `input` (whose `--rules` is not given).
pub(crate) fn choose(input: &InputArgs, opts: &ReadOptions) -> anyhow::Result<Choice> {
    let sets = Builtins::new();
    let mut choice = choose_from(&sets, input, opts)?;
    choice.opened = sets.take(choice.id).map(Box::new);
    Ok(choice)
}

/// The regular files among `input`'s: only those are read ahead. Standard input, a pipe
/// (`<(…)`) or a device can be read once, or never ends (`/dev/zero`); for those the set in
/// force today is used, and the real pass reports a year outside its period.
fn regular_files(input: &InputArgs) -> Vec<PathBuf> {
    input
        .files
        .iter()
        .filter(|p| p.as_os_str() != "-" && std::fs::metadata(p).is_ok_and(|m| m.is_file()))
        .cloned()
        .collect()
}

fn choose_from(sets: &Builtins, input: &InputArgs, opts: &ReadOptions) -> anyhow::Result<Choice> {
    let files = regular_files(input);
    // Whether the chosen set's columns are missing, when the read ahead already tells.
    let mut probed: Option<bool> = None;
    // The files' headers, when the light read could take them.
    let mut headers: Option<Vec<Vec<String>>> = None;
    let (id, by) = if let Some(y) = input.year {
        let Some(id) = holding(y) else {
            bail!(
                "no built-in ruleset covers --year {y} (built in: {}); pass --rules ID|FILE, with --allow-out-of-period to assess {y} against another period's set",
                periods()
            );
        };
        (id, format!("--year {y}"))
    } else {
        // The `year` column does not depend on the ruleset it is read with.
        let probe = sets
            .get(builtin::DEFAULT_ID)
            .ok_or_else(|| anyhow::anyhow!("the default ruleset does not load"))?;
        let seen = if files.is_empty() {
            None
        } else {
            let (seen, h) = read_ahead(&files, probe, sets, opts, input)?;
            headers = h;
            Some(seen)
        };
        let years = seen.as_ref().map(|s| s.years.clone()).unwrap_or_default();
        let (id, by) = by_years(&years)?;
        if by_set_of(&years).len() == 1 && id == builtin::DEFAULT_ID {
            // The read ahead was with this very set: its columns are known.
            probed = seen.map(|s| s.missing_columns);
        }
        (id, by)
    };
    check_columns(sets, id, &by, &files, headers, probed, opts, input)?;
    Ok(Choice {
        id,
        by,
        unread: unread(input, &files),
        opened: None,
    })
}

/// The years of the `year` column grouped by the built-in set whose period holds them;
/// an error for a year in no set's period.
fn by_set_of(years: &BTreeMap<i32, usize>) -> BTreeMap<&'static str, Vec<(i32, usize)>> {
    let mut by_set: BTreeMap<&str, Vec<(i32, usize)>> = BTreeMap::new();
    for (&y, &n) in years {
        if let Some(id) = holding(y) {
            by_set.entry(id).or_default().push((y, n));
        }
    }
    by_set
}

/// The set the years of the `year` column choose, and why (`year column 2024, 2025`); today's
/// set when there are none. An error when a year is in no set's period, or when the years
/// span two sets' periods.
fn by_years(years: &BTreeMap<i32, usize>) -> anyhow::Result<(&'static str, String)> {
    if let Some(y) = years.keys().find(|y| holding(**y).is_none()) {
        bail!(
            "year {y} of the `year` column is in no built-in ruleset's period (built in: {}); pass --rules ID|FILE",
            periods()
        );
    }
    let by_set = by_set_of(years);
    match by_set.len() {
        0 => {
            let (y, m, d) = today()?;
            let Some(id) = holding(y).or_else(|| builtin::PERIODS.last().map(|(id, _)| *id)) else {
                bail!("no built-in ruleset");
            };
            Ok((id, format!("today {y:04}-{m:02}-{d:02}")))
        }
        1 => {
            let (id, ys) = by_set.iter().next().expect("one set");
            let list: Vec<String> = ys.iter().map(|(y, _)| y.to_string()).collect();
            Ok((*id, format!("year column {}", list.join(", "))))
        }
        _ => {
            let parts: Vec<String> = by_set
                .iter()
                .map(|(id, ys)| {
                    let rows: usize = ys.iter().map(|(_, n)| n).sum();
                    let list: Vec<String> = ys.iter().map(|(y, _)| y.to_string()).collect();
                    format!("{} ({rows} row(s), `{id}`)", list.join(", "))
                })
                .collect();
            bail!(
                "the `year` column spans the periods of two rulesets: {}; split the file by period and evaluate each part (its rows of one period, with --rules of that period), or pass --rules ID|FILE with --allow-out-of-period to assess every row against one set",
                parts.join(" and ")
            );
        }
    }
}

/// The data must have the chosen set's columns; if it has another set's, say which.
/// `headers` are the files' headers when the light read took them; `probed` whether the
/// chosen set's columns are missing, when the read ahead already tells.
#[allow(clippy::too_many_arguments)]
fn check_columns(
    sets: &Builtins,
    id: &'static str,
    by: &str,
    files: &[PathBuf],
    mut headers: Option<Vec<Vec<String>>>,
    probed: Option<bool>,
    opts: &ReadOptions,
    input: &InputArgs,
) -> anyhow::Result<()> {
    if files.is_empty() || input.allow_missing {
        return Ok(());
    }
    let chosen = sets
        .get(id)
        .ok_or_else(|| anyhow::anyhow!("built-in ruleset `{id}` does not load"))?;
    if headers.is_none() && probed.is_none() {
        // --year: the files were not read yet.
        headers = read_ahead(files, chosen, sets, opts, input)?.1;
    }
    let lacks = |rs: &Ruleset| -> anyhow::Result<bool> {
        Ok(match &headers {
            Some(hs) => hs.iter().any(|h| lacks_columns(h, rs)),
            None => full_read_ahead(files, rs, opts)?.missing_columns,
        })
    };
    // Known from the read ahead when it was made with the chosen set (its headers
    // against the same set: the same answer), else asked now.
    let missing = match probed {
        Some(m) => m,
        None => lacks(chosen)?,
    };
    if missing {
        for (other, rs) in sets.all().rev() {
            if other == id || lacks(rs)? {
                continue;
            }
            bail!(
                "the data lacks measure columns of `{id}` (chosen by {by}) but has every column of built-in ruleset `{other}` ({}–{}); pass --year {} or --rules {other}",
                rs.period.0,
                rs.period.1,
                rs.period.1
            );
        }
    }
    Ok(())
}

/// The inputs that were not read ahead, as they are named.
fn unread(input: &InputArgs, files: &[PathBuf]) -> Vec<String> {
    input
        .files
        .iter()
        .filter(|p| !files.contains(p))
        .map(|p| {
            if p.as_os_str() == "-" {
                super::scan::STDIN_NAME.to_string()
            } else {
                p.display().to_string()
            }
        })
        .collect()
}

/// How many rows have each year: a pass counts its rows' years in batches, merged in order.
#[derive(Debug, Default)]
pub(crate) struct YearCount {
    /// (year, rows), in the order the years first came; few (one in most files).
    years: Vec<(i32, usize)>,
}

impl YearCount {
    /// Count a row of `year`.
    #[inline]
    pub(crate) fn add(&mut self, year: i32) {
        match self.years.iter_mut().rev().find(|(y, _)| *y == year) {
            Some((_, n)) => *n += 1,
            None => self.years.push((year, 1)),
        }
    }

    /// Count `other`'s rows too.
    pub(crate) fn merge(&mut self, other: &YearCount) {
        for &(year, n) in &other.years {
            match self.years.iter_mut().find(|(y, _)| *y == year) {
                Some((_, m)) => *m += n,
                None => self.years.push((year, n)),
            }
        }
    }

    /// The counts by year.
    pub(crate) fn into_map(self) -> BTreeMap<i32, usize> {
        let mut map = BTreeMap::new();
        for (y, n) in self.years {
            *map.entry(y).or_insert(0) += n;
        }
        map
    }
}

/// A built-in set guessed from the first year of the data, for a pass that counts every
/// row's year itself instead of reading the files ahead (`evaluate` of large files, issue
/// #14): [`Guess::confirm`] then says whether [`choose`] would have chosen the same set.
#[derive(Debug)]
pub(crate) struct Guess {
    /// The guessed set.
    pub(crate) id: &'static str,
    /// Its ruleset, opened.
    pub(crate) opened: Option<Box<Opened>>,
    /// Each file's header, and its line, as the light read found them.
    headers: Vec<Vec<String>>,
    lines: Vec<u64>,
}

/// The least data for which a guess is worth it: below this, reading the years ahead is a
/// few milliseconds (`year_scan::SPLIT_MIN`).
pub(crate) const GUESS_MIN: u64 = crate::data::year_scan::SPLIT_MIN;

/// Guess the built-in set for `input` (no `--rules`, no `--year`) from the first year of its
/// first file that has one: only when every input is a regular plain CSV file whose header
/// the light read finds, together of [`GUESS_MIN`] bytes or more. `None`: choose as usual.
pub(crate) fn guess(input: &InputArgs) -> Option<Guess> {
    if input.year.is_some() || input.files.is_empty() {
        return None;
    }
    let files = regular_files(input);
    if files.len() != input.files.len() {
        return None;
    }
    let size: u64 = files
        .iter()
        .map(|f| std::fs::metadata(f).map_or(0, |m| m.len()))
        .sum();
    if size < GUESS_MIN {
        return None;
    }
    let sets = Builtins::new();
    let probe = sets.get(builtin::DEFAULT_ID)?;
    let lights: Vec<Light> = files
        .iter()
        .map(|f| light(f, probe, &sets, input, Ahead::Header))
        .collect::<Option<_>>()?;
    let year = lights.iter().find_map(|l| l.first_year)?;
    let id = holding(year)?;
    // The set is opened now, as `choose` hands it on.
    sets.get(id)?;
    let opened = sets.take(id).map(Box::new);
    let (headers, lines) = lights.into_iter().map(|l| (l.header, l.line)).unzip();
    Some(Guess {
        id,
        opened,
        headers,
        lines,
    })
}

impl Guess {
    /// What [`choose`] chooses for `input`, from `years`, the count of every row's year read
    /// from the `year` column by a pass with the guessed set that found no error, and
    /// `header_lines`, each file's header line in that pass: `None` unless it is the guessed
    /// set. The light read counts the years of every record after the header it found; a
    /// pass without error turned each record after the same header into one row (a blank
    /// record has no year), with the year the light read parses, so the counts are the same.
    pub(crate) fn confirm(
        &self,
        input: &InputArgs,
        opts: &ReadOptions,
        years: &BTreeMap<i32, usize>,
        header_lines: &[Option<u64>],
    ) -> Option<Choice> {
        if header_lines.len() != self.lines.len()
            || header_lines
                .iter()
                .zip(&self.lines)
                .any(|(found, light)| *found != Some(*light))
        {
            return None;
        }
        let (id, by) = by_years(years).ok()?;
        if id != self.id {
            return None;
        }
        let files = regular_files(input);
        let sets = Builtins::new();
        check_columns(
            &sets,
            id,
            &by,
            &files,
            Some(self.headers.clone()),
            None,
            opts,
            input,
        )
        .ok()?;
        Some(Choice {
            id,
            by,
            unread: Vec::new(),
            opened: None,
        })
    }
}

#[cfg(test)]
mod tests;
