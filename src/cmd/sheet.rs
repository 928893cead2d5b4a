//! `ntm rules sheet` and `ntm rules import`: a ruleset's thresholds out to a workbook an office
//! fills in, and the filled workbook back in as a ruleset that extends the one it was made from.
//!
//! The files: reading the sheet (xlsx through calamine, or CSV), writing the outputs. The row
//! model is `ruleset::sheet`, the rendering `report::sheet`, the written TOML `ruleset::import`.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::Path;

use anyhow::{Context, bail};
use calamine::{Data, Reader, open_workbook_auto_from_rs};

use super::inputs::Inputs;
use crate::Exit;
use crate::cli::{ImportArgs, SheetArgs, TemplateFormat};
use crate::diag::{Diagnostic, has_errors};
use crate::report::sheet as render;
use crate::report::write_diagnostics;
use crate::ruleset::builtin;
use crate::ruleset::import::{Header, ruleset_toml};
use crate::ruleset::load::{Base, load_with};
use crate::ruleset::sheet::{self, Cell, Ident, Scope};

/// Largest sheet `rules import` reads (a full 2021–2025 sheet is about 100 KB).
const MAX_SHEET_BYTES: u64 = 16 * 1024 * 1024;
/// Most data rows `rules import` reads.
const MAX_ROWS: usize = 100_000;

/// Write `bytes` to `path`: the one place these commands write a file.
pub(crate) fn write_output(path: &Path, bytes: &[u8]) -> anyhow::Result<()> {
    super::output::write_file(path, bytes).with_context(|| format!("writing {}", path.display()))
}

/// Run `ntm rules sheet`.
pub(crate) fn sheet(
    args: &SheetArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let (rs, src, _) = super::load(&args.rules, err)?;
    let Some(rs) = rs else {
        return Ok(Exit::Invalid);
    };
    let zone = match &args.zone {
        None => None,
        Some(z) => match rs.find_zone(z) {
            Some(i) => Some(i),
            None => {
                let ids: Vec<&str> = rs.zones.iter().map(|z| z.id.as_str()).collect();
                bail!(
                    "`{z}` is not a zone of `{}`: expected one of `{}`",
                    rs.id,
                    ids.join("`, `")
                );
            }
        },
    };
    let scope = Scope {
        zone,
        year: args.year,
    };
    let rows = sheet::rows(&rs, scope, args.lang);
    let ident = Ident::new(&rs, scope, args.lang);
    let to_file = args.output.as_ref().filter(|p| p.as_os_str() != "-");
    if let Some(path) = to_file {
        let mut inputs = Inputs::default();
        inputs.add_ruleset(&src.files);
        inputs.check("-o", path)?;
    }
    let format = args.format.unwrap_or_else(|| {
        let xlsx = to_file
            .and_then(|p| p.extension())
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        if xlsx {
            TemplateFormat::Xlsx
        } else {
            TemplateFormat::Csv
        }
    });
    let bytes = match format {
        TemplateFormat::Csv => render::csv(&rows, &ident, args.lang)?,
        TemplateFormat::Xlsx => {
            if to_file.is_none() {
                bail!("an xlsx sheet needs -o FILE (a workbook is not written to a terminal)");
            }
            render::xlsx(&rows, &ident, args.lang).context("writing the XLSX sheet")?
        }
    };
    match to_file {
        None => out.write_all(&bytes)?,
        Some(path) => {
            write_output(path, &bytes)?;
            writeln!(
                err,
                "ntm: wrote {} ({} threshold rows of ruleset `{}`)",
                path.display(),
                rows.len(),
                rs.id
            )?;
        }
    }
    Ok(Exit::Success)
}

/// What a sheet file holds: its identification pairs, its header and its data rows.
struct SheetFile {
    ident: BTreeMap<String, String>,
    header: Vec<String>,
    /// 1-based row (CSV: line) and cells.
    rows: Vec<(u64, Vec<Cell>)>,
}

impl SheetFile {
    fn new(ident: BTreeMap<String, String>) -> Self {
        SheetFile {
            ident,
            header: Vec::new(),
            rows: Vec::new(),
        }
    }

    /// Take row `number` of sheet `name`: the header when `is_header`, else one of at most
    /// [`MAX_ROWS`] rows (more is an error).
    fn push(
        &mut self,
        name: &str,
        number: u64,
        cells: Vec<Cell>,
        is_header: bool,
    ) -> anyhow::Result<()> {
        if is_header {
            self.header = cells.iter().map(Cell::text).collect();
        } else if self.rows.len() == MAX_ROWS {
            bail!("{name} has more than {MAX_ROWS} rows; a threshold sheet has far fewer");
        } else {
            self.rows.push((number, cells));
        }
        Ok(())
    }
}

/// Read a sheet file: an xlsx workbook written by `rules sheet`, or its CSV form.
fn read_sheet(path: &Path, name: &str) -> anyhow::Result<SheetFile> {
    let meta = std::fs::metadata(path).with_context(|| format!("reading sheet {name}"))?;
    if meta.len() > MAX_SHEET_BYTES {
        bail!(
            "sheet {name} is {} bytes; a threshold sheet is far smaller (limit {MAX_SHEET_BYTES})",
            meta.len()
        );
    }
    let bytes = super::read_capped(path, MAX_SHEET_BYTES, "sheet")?;
    if crate::data::sheet::is_workbook(name, &bytes[..bytes.len().min(8)]) {
        read_xlsx(bytes, name)
    } else {
        read_csv(&bytes, name)
    }
}

fn data_cell(d: &Data) -> Cell {
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Number(*f),
        Data::Int(i) => Cell::Number(*i as f64),
        Data::Bool(b) => Cell::Text(b.to_string()),
        other => Cell::Text(other.to_string()),
    }
}

fn read_xlsx(bytes: Vec<u8>, name: &str) -> anyhow::Result<SheetFile> {
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes))
        .map_err(|e| anyhow::anyhow!("{name} is not a readable workbook: {e}"))?;
    let names = book.sheet_names();
    if !names.iter().any(|n| n == render::IDENT_SHEET) {
        bail!(
            "{name} has no `{}` sheet: it is not a threshold sheet written by `ntm rules sheet`",
            render::IDENT_SHEET
        );
    }
    let id_range = book
        .worksheet_range(render::IDENT_SHEET)
        .map_err(|e| anyhow::anyhow!("reading {name}: {e}"))?;
    let mut ident = BTreeMap::new();
    for row in id_range.rows().take(32) {
        let k = row.first().map(|c| data_cell(c).text()).unwrap_or_default();
        let v = row.get(1).map(|c| data_cell(c).text()).unwrap_or_default();
        ident.insert(k, v);
    }
    let data_name = names
        .iter()
        .find(|n| *n != render::IDENT_SHEET)
        .cloned()
        .ok_or_else(|| anyhow::anyhow!("{name} has no data sheet"))?;
    let range = book
        .worksheet_range(&data_name)
        .map_err(|e| anyhow::anyhow!("reading {name}: {e}"))?;
    let (first_row, _) = range.start().unwrap_or((0, 0));
    let mut file = SheetFile::new(ident);
    for (i, row) in range.rows().enumerate() {
        let number = u64::from(first_row) + i as u64 + 1;
        let cells: Vec<Cell> = row.iter().take(64).map(data_cell).collect();
        file.push(name, number, cells, number == 1)?;
    }
    Ok(file)
}

fn read_csv(bytes: &[u8], name: &str) -> anyhow::Result<SheetFile> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes).map_err(|e| {
        anyhow::anyhow!(
            "{name} is not UTF-8 text (at byte {}); save the sheet as CSV UTF-8 or keep the xlsx",
            e.valid_up_to()
        )
    })?;
    let (first, rest) = text.split_once('\n').unwrap_or((text, ""));
    // A spreadsheet program that saves the CSV again pads the one-cell first row with
    // delimiters and may quote it.
    let first = first
        .trim_end_matches(['\r', ',', ';', '\t'])
        .trim_matches('"');
    let Some(pairs) = first.strip_prefix("# ") else {
        bail!(
            "{name} does not start with the `# format={}` line of `ntm rules sheet`",
            sheet::FORMAT
        );
    };
    let mut ident = BTreeMap::new();
    for pair in pairs.split(' ').take(32) {
        if let Some((k, v)) = pair.split_once('=') {
            ident.insert(k.to_string(), v.to_string());
        }
    }
    let header_line = rest.lines().next().unwrap_or("");
    let delimiter = if header_line.matches(';').count() > header_line.matches(',').count() {
        b';'
    } else {
        b','
    };
    let mut rdr = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .has_headers(false)
        .flexible(true)
        .from_reader(rest.as_bytes());
    let mut file = SheetFile::new(ident);
    for (i, rec) in rdr.records().enumerate() {
        let rec = rec.with_context(|| format!("reading sheet {name}"))?;
        // The sheet's row as a spreadsheet program shows it: the `#` line is row 1.
        let number = i as u64 + 2;
        let cells: Vec<Cell> = rec
            .iter()
            .take(64)
            .map(|c| {
                // `report::sheet::csv` defuses formula-like text with an apostrophe.
                let c = c.strip_prefix('\'').unwrap_or(c);
                if c.is_empty() {
                    Cell::Empty
                } else {
                    Cell::Text(c.to_string())
                }
            })
            .collect();
        file.push(name, number, cells, i == 0)?;
    }
    Ok(file)
}

/// Run `ntm rules import`.
pub(crate) fn import(
    args: &ImportArgs,
    _out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let name = args.sheet.display().to_string();
    let mut inputs = Inputs::default();
    inputs.add(&args.sheet, format!("sheet {name}"));
    inputs.check("-o", &args.output)?;
    let file = read_sheet(&args.sheet, &name)?;
    let ident = match Ident::from_pairs(&file.ident) {
        Ok(i) => i,
        Err(why) => {
            let d =
                Diagnostic::error("sheet-layout", format!("{name}: {why}")).at(&name, None, None);
            write_diagnostics(err, &[d])?;
            return Ok(Exit::Invalid);
        }
    };
    // Without --rules, only a built-in id named in the sheet is followed: a sheet must not
    // make ntm read a file it names.
    let spec = match &args.rules {
        Some(spec) => spec.clone(),
        None if builtin::get(&ident.ruleset).is_some() => ident.ruleset.clone(),
        None => {
            let d = Diagnostic::error(
                "sheet-of-another-ruleset",
                format!(
                    "{name} was made from ruleset `{}`, which is not built in",
                    sheet::short(&ident.ruleset)
                ),
            )
            .at(&name, None, None)
            .help("pass the ruleset file the sheet was made from: --rules FILE");
            write_diagnostics(err, &[d])?;
            return Ok(Exit::Invalid);
        }
    };
    let (base, src, _) = super::load(&spec, err)?;
    inputs.add_ruleset(&src.files);
    inputs.check("-o", &args.output)?;
    let Some(base) = base else {
        return Ok(Exit::Invalid);
    };
    if base.id != ident.ruleset || base.sha256 != ident.sha256 {
        let d = Diagnostic::error(
            "sheet-of-another-ruleset",
            format!(
                "{name} was made from ruleset `{}` (sha256 {}), not from `{}` (sha256 {}) read from {}",
                sheet::short(&ident.ruleset),
                sheet::short(&short_sha(&ident.sha256)),
                base.id,
                short_sha(&base.sha256),
                src.label
            ),
        )
        .at(&name, None, None)
        .help("import against the ruleset the sheet was made from (--rules FILE), or make a new sheet with `ntm rules sheet` and copy the entries over");
        write_diagnostics(err, &[d])?;
        return Ok(Exit::Invalid);
    }
    let (scope, lang) = match ident.scope(&base) {
        Ok(x) => x,
        Err(why) => {
            let d =
                Diagnostic::error("sheet-layout", format!("{name}: {why}")).at(&name, None, None);
            write_diagnostics(err, &[d])?;
            return Ok(Exit::Invalid);
        }
    };
    let heads = sheet::headers(lang);
    if file.header.iter().map(String::as_str).collect::<Vec<_>>() != heads {
        let d = Diagnostic::error(
            "sheet-layout",
            format!(
                "{name}: the header row is not the one `ntm rules sheet` wrote (expected `{}`)",
                heads.join("`, `")
            ),
        )
        .at(&name, Some(1), None)
        .help("keep the columns as written: only fill in the official value and its source");
        write_diagnostics(err, &[d])?;
        return Ok(Exit::Invalid);
    }
    let expected = sheet::rows(&base, scope, lang);
    let (entered, diags) = sheet::read_filled(&expected, &file.rows, lang, &name);
    write_diagnostics(err, &diags)?;
    if has_errors(&diags) {
        writeln!(err, "ntm: nothing was written")?;
        return Ok(Exit::Invalid);
    }
    if entered.is_empty() {
        bail!("{name} has no official value entered; nothing to import");
    }
    let extends = if builtin::get(&spec).is_some() {
        spec.clone()
    } else {
        relative_base(&spec, &args.output)
    };
    let header = Header {
        id: args
            .id
            .clone()
            .unwrap_or_else(|| format!("{}-official", base.id)),
        name: args
            .name
            .clone()
            .unwrap_or_else(|| format!("Official thresholds on {}", base.name)),
        name_vi: args
            .name_vi
            .clone()
            .unwrap_or_else(|| format!("Ngưỡng chính thức trên {}", base.name_vi)),
        extends,
        sheet: args
            .sheet
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| name.clone()),
    };
    let text = ruleset_toml(&base, &header, &entered);
    // The written file must load without error, as `ntm check` would read it.
    let out_path = args.output.to_string_lossy().replace('\\', "/");
    let (rs, diags) = load_with(&text, &out_path, &|spec: &str, _from: &str| {
        if let Some((path, text)) = builtin::get(spec) {
            return Ok(Base {
                path: path.to_string(),
                text: text.to_string(),
                identity: format!("builtin:{spec}"),
            });
        }
        Ok(Base {
            path: src.path.clone(),
            text: src.text.clone(),
            identity: src.path.clone(),
        })
    });
    let errors: Vec<Diagnostic> = diags.into_iter().filter(Diagnostic::is_error).collect();
    if rs.is_none() || !errors.is_empty() {
        write_diagnostics(err, &errors)?;
        writeln!(err, "ntm: nothing was written")?;
        return Ok(Exit::Invalid);
    }
    write_output(&args.output, text.as_bytes())?;
    writeln!(
        err,
        "ntm: wrote {} ({} official value(s) over {} indicator(s), extending `{}`)",
        args.output.display(),
        entered.len(),
        {
            let mut inds: Vec<_> = entered
                .iter()
                .map(|e| (e.at.level, e.at.criterion, e.at.indicator))
                .collect();
            inds.dedup();
            inds.len()
        },
        base.id
    )?;
    Ok(Exit::Success)
}

fn short_sha(s: &str) -> String {
    s.chars().take(12).collect()
}

/// `extends` for a base file: its path relative to the written file's folder when it is in
/// the same folder, else as given.
fn relative_base(spec: &str, output: &Path) -> String {
    let base = Path::new(spec);
    let out_dir = output.parent().filter(|d| !d.as_os_str().is_empty());
    match (
        base.canonicalize(),
        out_dir.map_or_else(std::env::current_dir, Path::canonicalize),
    ) {
        (Ok(b), Ok(d)) if b.parent() == Some(d.as_path()) => b
            .file_name()
            .map(|f| f.to_string_lossy().into_owned())
            .unwrap_or_else(|| spec.to_string()),
        _ => spec.replace('\\', "/"),
    }
}
