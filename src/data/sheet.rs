//! Workbook bytes (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`) → the records of one worksheet.
//!
//! Each record is one spreadsheet row, positioned at the row number Excel shows, with one cell
//! per column from column A, so diagnostics point where the user looks. Cells become the text
//! the row reader would have read from a CSV export (see [`cell_text`]); giving them meaning
//! is `read`'s job. Pure: bytes in, records out. A workbook is loaded whole.

use std::io::Cursor;

use calamine::{Data, Range, Reader, SheetType, SheetVisible, Sheets, open_workbook_auto_from_rs};

use crate::data::read::RecordSource;
use crate::diag::Diagnostic;
use crate::text::{fold, nfc, suggest};

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
    range: Range<Data>,
    next: usize,
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
                let listed = format!("its sheets are `{}`", names.join("`, `"));
                Diagnostic::error("unknown-sheet", format!("the workbook has no sheet `{w}`"))
                    .at(path, None, None)
                    .help({
                        let key = fold(w);
                        let alike: Vec<&str> =
                            names.iter().copied().filter(|n| fold(n) == key).collect();
                        if alike.len() > 1 {
                            format!(
                                "`{w}` could be `{}` (ignoring case and diacritics): name one exactly; {listed}",
                                alike.join("` or `")
                            )
                        } else if let Some(near) = suggest::closest(w, names.iter().copied()) {
                            format!("did you mean `{near}`? {listed}")
                        } else {
                            listed
                        }
                    })
            }
            None => Diagnostic::error("unknown-sheet", "the workbook has no visible worksheet")
                .at(path, None, None)
                .help(format!("name one with --sheet: `{}`", names.join("`, `"))),
        }));
    };
    let range = book.worksheet_range(&name).map_err(|e| unreadable(&e))?;
    Ok(SheetRecords {
        sheet: name,
        format,
        sheets: sheets.into_iter().map(|(n, _)| n).collect(),
        range,
        next: 0,
    })
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

    fn read_record(&mut self, rec: &mut csv::ByteRecord) -> csv::Result<bool> {
        let Some((row0, col0)) = self.range.start() else {
            return Ok(false);
        };
        let (height, width) = self.range.get_size();
        if self.next >= height {
            return Ok(false);
        }
        rec.clear();
        for _ in 0..col0 {
            rec.push_field(b"");
        }
        for c in 0..width {
            match self.range.get((self.next, c)) {
                Some(cell) => rec.push_field(cell_text(cell).as_bytes()),
                None => rec.push_field(b""),
            }
        }
        let mut pos = csv::Position::new();
        let row = u64::from(row0) + self.next as u64 + 1;
        pos.set_line(row).set_record(self.next as u64);
        rec.set_position(Some(pos));
        self.next += 1;
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
