//! Workbook bytes (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) → the records of one worksheet.
//!
//! Each record is one spreadsheet row, positioned at the row number Excel shows, with one cell
//! per column from column A, so diagnostics point where the user looks. Cells become the text
//! the row reader would have read from a CSV export (see [`cell_text`]), a cell shown as a
//! percentage as the percentage Excel shows (`0.855` in a `0.0%` cell is `85.5%`); giving
//! them meaning is `read`'s job. Pure: bytes in, records out.
//!
//! Workbooks are hostile until bounded (docs/input.md, "Workbooks"): a zip's parts are sized
//! before calamine unpacks them, every cell reference of an `.xlsx` is checked against
//! Excel's grid before calamine parses it (module `xlsx`), and only the cells present are kept
//! (never rows × columns of a declared range), up to [`MAX_CELLS`] cells and
//! [`MAX_TEXT`] bytes of text; past any limit, `workbook-too-large`.

mod ods;
mod xlsx;

use std::io::Cursor;

use calamine::{
    Data, Dimensions, Range, Reader, SheetType, SheetVisible, Sheets, open_workbook_auto_from_rs,
};

use crate::data::read::RecordSource;
use crate::diag::Diagnostic;
use crate::text::{fold, nfc, suggest};

pub use xlsx::{MAX_COLUMNS, MAX_ROWS, MAX_UNPACKED, is_percent_format};

/// Most non-empty cells ntm keeps of one worksheet (a province of 11,000 communes × 100
/// columns is 1.1 million).
pub const MAX_CELLS: usize = 5_000_000;
/// Most bytes of cell text ntm keeps of one worksheet (a shared string may be repeated in
/// every cell).
pub const MAX_TEXT: usize = 256 * 1024 * 1024;
/// Most fields ntm hands the row reader: rows holding a cell × the sheet's width (a sheet
/// with one cell in column XFD on every row would otherwise be 16,384 fields a row).
pub const MAX_FIELDS: u64 = 64_000_000;

/// Do the first bytes of a file, or its name, say it is a workbook?
pub fn is_workbook(name: &str, head: &[u8]) -> bool {
    let ext = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    matches!(
        ext.as_deref(),
        Some("xlsx" | "xlsm" | "xlsb" | "xls" | "ods")
    ) || head.starts_with(b"PK\x03\x04")
        || head.starts_with(b"\xD0\xCF\x11\xE0")
}

/// One worksheet's rows.
#[derive(Debug)]
pub struct SheetRecords {
    /// The worksheet's name.
    pub sheet: String,
    /// `xlsx`, `xlsb`, `xls` or `ods`.
    pub format: &'static str,
    /// Every sheet of the workbook, in order.
    pub sheets: Vec<String>,
    /// The non-empty cells, by row then column (0-based).
    cells: Vec<SheetCell>,
    /// Fields of every record: the last column holding a cell, from column A.
    width: usize,
    next: usize,
}

/// A `workbook-too-large` diagnostic at `path` (with the sheet, when known) and the cell.
fn too_large(path: &str, sheet: Option<&str>, t: xlsx::TooLarge) -> Box<Diagnostic> {
    let at = match sheet {
        Some(s) => format!("{path}[{s}]"),
        None => path.to_string(),
    };
    let (line, col) = match &t.cell {
        // A position past any integer is named in the message only.
        Some((_, Some((r, c)))) if *r < u64::from(u32::MAX) && *c < u64::from(u32::MAX) => {
            (Some(r + 1), Some(c + 1))
        }
        _ => (None, None),
    };
    if t.code != "workbook-too-large" {
        return Box::new(
            Diagnostic::error(t.code, t.message)
                .at(&at, line, col)
                .help("the workbook is damaged or was not written by a spreadsheet program: open it in Excel and save it again, or save it as CSV"),
        );
    }
    Box::new(
        Diagnostic::error("workbook-too-large", t.message)
            .at(&at, line, col)
            .help(format!(
                "ntm reads worksheets within Excel's grid ({MAX_ROWS} rows × {MAX_COLUMNS} columns) \
                 of at most {MAX_CELLS} cells, {} MB of text and {} MB unpacked; save the sheet \
                 alone, or as CSV",
                MAX_TEXT / (1024 * 1024),
                MAX_UNPACKED / (1024 * 1024)
            )),
    )
}

/// Open the worksheet `wanted` (by name after NFC, exactly or else ignoring case; the first
/// visible worksheet when `None`) of the workbook `bytes`. `path` names the file in diagnostics.
pub fn open(
    bytes: &[u8],
    wanted: Option<&str>,
    path: &str,
) -> Result<SheetRecords, Box<Diagnostic>> {
    let unreadable = |e: &dyn std::fmt::Display| {
        Box::new(
            Diagnostic::error(
                "unreadable-workbook",
                format!("the file is not a workbook that can be read: {e}"),
            )
            .at(path, None, None)
            .help(not_a_workbook_help(bytes)),
        )
    };
    // Every zipped format (.xlsx, .xlsm, .xlsb, .ods): sized before calamine unpacks it.
    if bytes.starts_with(b"PK") {
        xlsx::check_zip(bytes).map_err(|t| too_large(path, None, t))?;
        // An .ods: the grid its repeated rows and columns would make, before calamine makes it.
        ods::check(bytes, MAX_CELLS as u64).map_err(|t| too_large(path, None, t))?;
    }
    let mut book = open_workbook_auto_from_rs(Cursor::new(bytes)).map_err(|e| unreadable(&e))?;
    let format = match &book {
        Sheets::Xls(_) => "xls",
        Sheets::Xlsx(_) => "xlsx",
        Sheets::Xlsb(_) => "xlsb",
        Sheets::Ods(_) => "ods",
    };
    let sheets: Vec<(String, bool)> = book
        .sheets_metadata()
        .iter()
        .map(|s| {
            let shown = s.typ == SheetType::WorkSheet && s.visible == SheetVisible::Visible;
            (s.name.clone(), shown)
        })
        .collect();
    let name = match wanted {
        Some(w) => {
            // Exactly, else ignoring case as Excel does (it allows no two sheets that differ
            // only in case).
            let w = nfc(w);
            let lower = w.to_lowercase();
            sheets
                .iter()
                .find(|(n, _)| nfc(n) == w)
                .or_else(|| sheets.iter().find(|(n, _)| nfc(n).to_lowercase() == lower))
                .or_else(|| {
                    // As headers are matched (`--sheet Xa` is "Xã"), when only one sheet is.
                    let key = fold(&w);
                    let mut folded = sheets.iter().filter(|(n, _)| fold(n) == key);
                    folded.next().filter(|_| folded.next().is_none())
                })
                .map(|(n, _)| n.clone())
        }
        // Hidden sheets often hold lookup lists: the default is the first one a user sees.
        None => sheets
            .iter()
            .find(|(_, shown)| *shown)
            .map(|(n, _)| n.clone()),
    };
    let Some(name) = name else {
        let names: Vec<&str> = sheets.iter().map(|(n, _)| n.as_str()).collect();
        return Err(Box::new(match wanted {
            Some(w) => {
                let listed = format!("its sheets are {}", crate::text::echo_list(&names));
                Diagnostic::error("unknown-sheet", format!("the workbook has no sheet `{}`", crate::text::echo(w)))
                    .at(path, None, None)
                    .help({
                        let key = fold(w);
                        let alike: Vec<&str> =
                            names.iter().copied().filter(|n| fold(n) == key).collect();
                        if alike.len() > 1 {
                            format!(
                                "`{}` could be `{}` (ignoring case and diacritics): name one exactly; {listed}",
                                crate::text::echo(w),
                                alike
                                    .iter()
                                    .map(|n| crate::text::echo(n))
                                    .collect::<Vec<_>>()
                                    .join("` or `")
                            )
                        } else if let Some(near) = suggest::closest(w, names.iter().copied()) {
                            format!("did you mean `{}`? {listed}", crate::text::echo(near))
                        } else {
                            listed
                        }
                    })
            }
            None => Diagnostic::error("unknown-sheet", "the workbook has no visible worksheet")
                .at(path, None, None)
                .help(format!(
                    "name one with --sheet: {}",
                    crate::text::echo_list(&names)
                )),
        }));
    };
    let too_large = |t| too_large(path, Some(&name), t);
    let mut cells = Cells::default();
    match &mut book {
        Sheets::Xlsx(x) => {
            // References checked and percent cells found before calamine parses the sheet.
            let scan = xlsx::scan_sheet(bytes, &name)
                .map_err(too_large)?
                .unwrap_or_default();
            let mut reader = match x.worksheet_cells_reader(&name) {
                Ok(reader) => reader,
                // A chart sheet holds no cells, as calamine's ranges have it.
                Err(calamine::XlsxError::NotAWorksheet(_)) => {
                    return Ok(SheetRecords {
                        sheet: name,
                        format,
                        sheets: sheets.into_iter().map(|(n, _)| n).collect(),
                        cells: Vec::new(),
                        width: 0,
                        next: 0,
                    });
                }
                Err(e) => return Err(unreadable(&e)),
            };
            check_dimensions(reader.dimensions()).map_err(too_large)?;
            let mut n = 0usize;
            while let Some(cell) = reader.next_cell().map_err(|e| unreadable(&e))? {
                let percent = scan.percent.get(n).copied().unwrap_or(false);
                n += 1;
                cells
                    .push(
                        cell.get_position(),
                        &Data::from(cell.get_value().clone()),
                        percent,
                    )
                    .map_err(too_large)?;
            }
        }
        Sheets::Xlsb(x) => {
            let mut reader = x
                .worksheet_cells_reader(&name)
                .map_err(|e| unreadable(&e))?;
            check_dimensions(reader.dimensions()).map_err(too_large)?;
            while let Some(cell) = reader.next_cell().map_err(|e| unreadable(&e))? {
                cells
                    .push(
                        cell.get_position(),
                        &Data::from(cell.get_value().clone()),
                        false,
                    )
                    .map_err(too_large)?;
            }
        }
        // calamine reads .xls and .ods sheets whole, as ranges.
        Sheets::Xls(_) | Sheets::Ods(_) => {
            let range: Range<Data> = book.worksheet_range(&name).map_err(|e| unreadable(&e))?;
            if let (Some(start), Some(end)) = (range.start(), range.end()) {
                check_dimensions(Dimensions { start, end }).map_err(too_large)?;
            }
            for (r, c, v) in range.used_cells() {
                let (r0, c0) = range.start().unwrap_or_default();
                let pos = (r0 + r as u32, c0 + c as u32);
                cells.push(pos, v, false).map_err(too_large)?;
            }
        }
    }
    let (cells, width) = cells.finish().map_err(too_large)?;
    Ok(SheetRecords {
        sheet: name,
        format,
        sheets: sheets.into_iter().map(|(n, _)| n).collect(),
        cells,
        width,
        next: 0,
    })
}

/// A declared dimension within Excel's grid.
fn check_dimensions(d: Dimensions) -> Result<(), xlsx::TooLarge> {
    let (r, c) = d.end;
    if r >= MAX_ROWS || c >= MAX_COLUMNS || d.start.0 > r || d.start.1 > c {
        return Err(xlsx::TooLarge {
            code: "workbook-too-large",
            message: format!(
                "the sheet declares cells up to row {} column {}, outside Excel's grid ({MAX_ROWS} rows × {MAX_COLUMNS} columns)",
                u64::from(r) + 1,
                u64::from(c) + 1
            ),
            cell: Some((String::new(), Some((u64::from(r), u64::from(c))))),
        });
    }
    Ok(())
}

/// A non-empty cell: 0-based row and column, and its text.
type SheetCell = (u32, u32, String);

/// The non-empty cells of a sheet as they are read, within the limits.
#[derive(Debug, Default)]
struct Cells {
    cells: Vec<SheetCell>,
    text: usize,
}

impl Cells {
    fn push(
        &mut self,
        (row, col): (u32, u32),
        value: &Data,
        percent: bool,
    ) -> Result<(), xlsx::TooLarge> {
        if row >= MAX_ROWS || col >= MAX_COLUMNS {
            return Err(xlsx::TooLarge {
                code: "workbook-too-large",
                message: format!(
                    "a cell at row {} column {} is outside Excel's grid ({MAX_ROWS} rows × {MAX_COLUMNS} columns)",
                    u64::from(row) + 1,
                    u64::from(col) + 1
                ),
                cell: Some((String::new(), Some((u64::from(row), u64::from(col))))),
            });
        }
        if matches!(value, Data::Empty) {
            return Ok(());
        }
        let text =
            if percent { percent_text(value) } else { None }.unwrap_or_else(|| cell_text(value));
        if text.is_empty() {
            return Ok(());
        }
        self.text = self.text.saturating_add(text.len());
        if self.cells.len() >= MAX_CELLS || self.text > MAX_TEXT {
            return Err(xlsx::TooLarge {
                code: "workbook-too-large",
                message: format!(
                    "the sheet holds more than {MAX_CELLS} cells or {} MB of text, more than ntm reads",
                    MAX_TEXT / (1024 * 1024)
                ),
                cell: Some((String::new(), Some((u64::from(row), u64::from(col))))),
            });
        }
        self.cells.push((row, col, text));
        Ok(())
    }

    /// The cells by row and column, and the width of a record.
    fn finish(mut self) -> Result<(Vec<SheetCell>, usize), xlsx::TooLarge> {
        self.cells.sort_by_key(|&(r, c, _)| (r, c));
        // A cell given twice: the last one, as a range keeps it.
        self.cells.dedup_by(|later, earlier| {
            if (later.0, later.1) == (earlier.0, earlier.1) {
                std::mem::swap(&mut later.2, &mut earlier.2);
                true
            } else {
                false
            }
        });
        let width = self.cells.iter().map(|&(_, c, _)| c as usize + 1).max();
        let width = width.unwrap_or(0);
        let mut rows = 0u64;
        let mut last = None;
        for &(r, _, _) in &self.cells {
            if last != Some(r) {
                rows += 1;
                last = Some(r);
            }
        }
        if rows.saturating_mul(width as u64) > MAX_FIELDS {
            return Err(xlsx::TooLarge::new(format!(
                "the sheet's {rows} rows × {width} columns are more than the {MAX_FIELDS} fields ntm reads"
            )));
        }
        Ok((self.cells, width))
    }
}

/// A number in a cell formatted as a percentage, as Excel shows it: `0.855` → `85.5%`, `1`
/// → `100%`. The stored value is read as Excel displays it at full precision
/// ([`excel_number`]) and its decimal point moved two places in the text: nothing is rounded
/// by the scaling. `None` for a cell that is not a number.
fn percent_text(value: &Data) -> Option<String> {
    let text = match value {
        Data::Float(f) if f.is_finite() => excel_number(*f),
        Data::Int(i) => i.to_string(),
        _ => return None,
    };
    Some(format!("{}%", times_100(&text)))
}

/// Plain decimal text × 100, by moving the point: `0.855` → `85.5`, `-1` → `-100`.
fn times_100(text: &str) -> String {
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (int, frac) = digits.split_once('.').unwrap_or((digits, ""));
    let frac = format!("{frac:0<2}");
    let (moved, rest) = frac.split_at(2);
    let int = format!("{int}{moved}");
    let int = int.trim_start_matches('0');
    let int = if int.is_empty() { "0" } else { int };
    let rest = rest.trim_end_matches('0');
    let sign = if int == "0" && rest.is_empty() {
        ""
    } else {
        sign
    };
    if rest.is_empty() {
        format!("{sign}{int}")
    } else {
        format!("{sign}{int}.{rest}")
    }
}

/// What to do about bytes that are not a workbook, by what they start with.
fn not_a_workbook_help(bytes: &[u8]) -> String {
    let start = bytes
        .iter()
        .skip_while(|b| b.is_ascii_whitespace() || **b == 0xEF || **b == 0xBB || **b == 0xBF)
        .copied()
        .next();
    let signed = bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"\xD0\xCF\x11\xE0");
    if start == Some(b'<') {
        "the file is an HTML or XML page saved with a spreadsheet name (web portals export \
         such .xls files): open it in Excel and save it as .xlsx or CSV"
            .to_string()
    } else if !signed {
        "the file has no workbook signature: if it is CSV or tab-separated text, give it a \
         .csv or .txt name"
            .to_string()
    } else {
        "ntm reads .xlsx, .xlsm, .xlsb, .xls and .ods workbooks, and CSV files; the file may \
         be damaged or password-protected"
            .to_string()
    }
}

impl RecordSource for SheetRecords {
    /// Cells are read as text, which is UTF-8.
    fn known_utf8(&self) -> bool {
        true
    }

    /// The next row holding a cell, as wide as the widest row. Rows without cells are not
    /// records: the row reader passes over blank rows anyway.
    fn read_record(&mut self, rec: &mut csv::ByteRecord) -> csv::Result<bool> {
        let Some(&(row, _, _)) = self.cells.get(self.next) else {
            return Ok(false);
        };
        rec.clear();
        let mut col = 0usize;
        while let Some((r, c, text)) = self.cells.get(self.next) {
            if *r != row {
                break;
            }
            for _ in col..*c as usize {
                rec.push_field(b"");
            }
            rec.push_field(text.as_bytes());
            col = *c as usize + 1;
            self.next += 1;
        }
        for _ in col..self.width {
            rec.push_field(b"");
        }
        let mut pos = csv::Position::new();
        pos.set_line(u64::from(row) + 1).set_record(u64::from(row));
        rec.set_position(Some(pos));
        Ok(true)
    }
}

/// A cell as text, the way the row reader reads CSV cells:
/// - text as it is; a whole number without decimals (`85`);
/// - other numbers with at most 15 significant digits, as Excel displays them at full
///   precision, without exponent or trailing zeros ([`excel_number`]: `0.85`, never
///   `0.8500000000000001`);
/// - TRUE/FALSE as `yes`/`no`;
/// - a date as `2025-06-30` (with ` 12:30:00` when it has a time), an error as Excel shows
///   it (`#DIV/0!`): in a measure column, both are rejected as not a number, at their cell.
pub fn cell_text(cell: &Data) -> String {
    match cell {
        Data::Empty => String::new(),
        Data::String(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        Data::Float(f) => excel_number(*f),
        Data::Bool(b) => if *b { "yes" } else { "no" }.to_string(),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, mo, d, h, mi, s, _) = dt.to_ymd_hms_milli();
            if (h, mi, s) == (0, 0, 0) {
                format!("{y:04}-{mo:02}-{d:02}")
            } else {
                format!("{y:04}-{mo:02}-{d:02} {h:02}:{mi:02}:{s:02}")
            }
        }
        Data::DateTime(dt) => format!("duration {}", excel_number(dt.as_f64())),
        Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Error(e) => e.to_string(),
    }
}

/// Significant digits Excel keeps and shows.
const EXCEL_DIGITS: usize = 15;

/// `x` as plain decimal text with at most 15 significant digits: `85`, `0.85`, `1234.5`,
/// `0.3` for 0.1 + 0.2. Non-finite values (which no workbook stores) print as Rust does.
pub fn excel_number(x: f64) -> String {
    if !x.is_finite() {
        return x.to_string();
    }
    if x == 0.0 {
        return "0".to_string();
    }
    let sci = format!("{:.*e}", EXCEL_DIGITS - 1, x.abs());
    let Some((mantissa, exp)) = sci.split_once('e') else {
        return x.to_string();
    };
    let Ok(exp) = exp.parse::<i64>() else {
        return x.to_string();
    };
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let digits = digits.trim_end_matches('0');
    // value = 0.<digits> × 10^point
    let point = exp + 1;
    let mut out = String::with_capacity(digits.len() + 8);
    if x < 0.0 {
        out.push('-');
    }
    let len = digits.len() as i64;
    if point <= 0 {
        out.push_str("0.");
        out.extend(std::iter::repeat_n('0', (-point) as usize));
        out.push_str(digits);
    } else if point >= len {
        out.push_str(digits);
        out.extend(std::iter::repeat_n('0', (point - len) as usize));
    } else {
        let (int, frac) = digits.split_at(point as usize);
        out.push_str(int);
        out.push('.');
        out.push_str(frac);
    }
    out
}

#[cfg(test)]
mod tests;
