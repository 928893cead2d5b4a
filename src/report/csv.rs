//! CSV output of `evaluate`: one row per commune, the header on the first line.
//!
//! Plain CSV, read by Excel, pandas or Python's `csv.DictReader` with no option: the
//! provenance goes to `--meta FILE` (JSON). Under `--csv-comments` it also comes first as `#`
//! lines ([`write_provenance`]; skip them with `pandas.read_csv(..., comment="#")`). Text from
//! the input is neutralised for spreadsheets ([`excel_safe`]). Also the `--errors-out` file
//! ([`write_errors_csv`]).

use std::borrow::Cow;
use std::io::Write;

use super::cell;
use crate::data::read::Note;
use crate::diag::{Diagnostic, Severity};
use crate::record::{CommuneRecord, Meta};
use crate::text::escape_controls;

/// The UTF-8 byte-order mark `--bom` writes first, for Excel.
pub const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Text from the input or a ruleset as a CSV cell: the one function every CSV that ntm writes
/// (evaluate, long, summary, `--errors-out`, template) passes its text through.
///
/// Control characters are first written as visible escapes ([`escape_controls`]: `\u{1b}`,
/// `\n`), so a cell never carries an ESC sequence to a terminal that shows the file. Then a
/// cell starting with `=`, `+`, `-` or `@` (OWASP's CSV injection list; a leading tab or
/// carriage return is already an escape by then) is a formula to Excel, so it gets a
/// leading `'` (shown as text, not as part of the value). A number (`-5`, `+1,5`) is left as
/// it is.
pub fn excel_safe(s: &str) -> Cow<'_, str> {
    match escape_controls(s) {
        Cow::Borrowed(s) => neutralise(s),
        Cow::Owned(e) => Cow::Owned(neutralise(&e).into_owned()),
    }
}

/// A `'` before a formula-leading cell that is not a number.
fn neutralise(s: &str) -> Cow<'_, str> {
    if formula_leading(s) {
        Cow::Owned(format!("'{s}"))
    } else {
        Cow::Borrowed(s)
    }
}

/// Whether a spreadsheet would take `s` for a formula: it starts with `=`, `+`, `-`, `@`, a
/// tab or a carriage return, and is not a number (`-5`, `+1,5`). CSV cells then get a
/// leading `'` ([`excel_safe`]); xlsx cells a quote prefix (`report::xlsx`).
pub fn formula_leading(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return false;
    };
    if !matches!(first, '=' | '+' | '-' | '@' | '\t' | '\r') {
        return false;
    }
    let rest = &s[first.len_utf8()..];
    let number = matches!(first, '+' | '-')
        && rest.bytes().any(|b| b.is_ascii_digit())
        && rest
            .bytes()
            .all(|b| b.is_ascii_digit() || b == b'.' || b == b',');
    !number
}

/// The notes of a commune in one cell: `code column `value`: message; …`.
pub fn notes_cell(notes: &[Note]) -> String {
    let mut out = String::new();
    for n in notes {
        if !out.is_empty() {
            out.push_str("; ");
        }
        out.push_str(n.code);
        out.push_str(": ");
        out.push_str(&n.message);
    }
    out
}

/// Column names, in order.
pub const HEADER: [&str; 24] = [
    "row",
    "file",
    "line",
    "code",
    "name",
    "district",
    "province",
    "zone",
    "zone_source",
    "year",
    "level",
    "next_level",
    "criteria_met",
    "criteria_total",
    "indicators_met",
    "indicators_total",
    "unverified",
    "missing_criteria",
    "missing_detail",
    "borderline",
    "to_next_indicators",
    "to_next_no_data",
    "to_next_shortfall_pct",
    "notes",
];

/// CSV output, one commune at a time (issue #7): the header is written by [`write_csv_head`].
///
/// Rows are assembled in a buffer kept from row to row, field by field as the `csv` crate
/// would write them (`cell::push_csv_field`), and handed to the writer in blocks.
pub struct CsvSink<'w> {
    rows: cell::Blocks<'w>,
    scratch: Scratch,
}

/// The text of a row's composite cells, kept from row to row so writing allocates nothing.
#[derive(Default)]
struct Scratch {
    missing: String,
    detail: String,
    borderline: String,
    num: String,
}

/// An optional text from the input, neutralised for spreadsheets.
fn text(s: &Option<String>) -> Cow<'_, str> {
    excel_safe(s.as_deref().unwrap_or(""))
}

impl<'w> CsvSink<'w> {
    /// Rows only: for a body written before its head is known (see [`write_csv_head`]).
    pub fn body(out: &'w mut dyn Write) -> Self {
        CsvSink {
            rows: cell::Blocks::new(out),
            scratch: Scratch::default(),
        }
    }
}

/// The head of CSV output: the header row, after the `#` provenance lines of `comments`
/// (`--csv-comments`) when given.
pub fn write_csv_head(out: &mut dyn Write, comments: Option<&Meta>) -> anyhow::Result<()> {
    if let Some(meta) = comments {
        write_provenance(out, meta)?;
    }
    let mut w = csv::Writer::from_writer(out);
    w.write_record(HEADER)?;
    w.flush()?;
    Ok(())
}

/// The `#` provenance lines a CSV output starts with under `--csv-comments` (the `csv` and
/// `long` formats, and `summary`'s CSV).
pub fn write_provenance(out: &mut dyn Write, meta: &Meta) -> anyhow::Result<()> {
    let chosen = match &meta.ruleset_chosen_by {
        Some(by) => format!(", chosen by {by}"),
        None => String::new(),
    };
    writeln!(
        out,
        "# ntm {} ruleset {} sha256 {} ({}{})",
        meta.ntm_version,
        escape_controls(&meta.ruleset_id),
        meta.ruleset_sha256,
        escape_controls(&meta.ruleset_source),
        escape_controls(&chosen)
    )?;
    for i in &meta.inputs {
        // A newline in a path would start a data row.
        writeln!(
            out,
            "# input {} sha256 {} rows {}",
            escape_controls(&i.path),
            i.sha256,
            i.rows
        )?;
    }
    writeln!(
        out,
        "# communes {} unverified_verdicts {} notes {}",
        meta.communes, meta.unverified_verdicts, meta.notes
    )?;
    Ok(())
}

impl CsvSink<'_> {
    /// Write one commune's row.
    pub fn write(&mut self, c: &CommuneRecord) -> anyhow::Result<()> {
        // Fields are written from buffers kept across rows, without `fmt` and without the
        // `csv` crate's per-field state: they were a visible share of the time on large
        // files (issue #7).
        let Scratch {
            missing,
            detail,
            borderline,
            num,
        } = &mut self.scratch;
        missing.clear();
        for (i, m) in c.missing.iter().enumerate() {
            if i > 0 {
                missing.push(';');
            }
            missing.push_str(&m.level);
            missing.push(':');
            missing.push_str(&m.criterion);
        }
        detail.clear();
        for m in &c.missing {
            for i in &m.indicators {
                if !detail.is_empty() {
                    detail.push_str("; ");
                }
                detail.push_str(&m.level);
                detail.push(':');
                detail.push_str(&i.id);
                detail.push(' ');
                i.describe_into(&c.zone, detail);
            }
        }
        borderline.clear();
        for (i, b) in c.borderline.iter().enumerate() {
            if i > 0 {
                borderline.push_str("; ");
            }
            b.describe_into(borderline);
        }
        let notes = if c.notes.is_empty() {
            Cow::Borrowed("")
        } else {
            Cow::Owned(notes_cell(&c.notes))
        };
        num.clear();
        if let Some(t) = &c.to_next {
            cell::push_int(num, t.indicators);
            num.push(',');
            cell::push_int(num, t.no_data);
            num.push(',');
            cell::push_decimal(num, t.shortfall_pct);
        } else {
            num.push_str(",,");
        }
        let buf = &mut self.rows.buf;
        let mut int = itoa::Buffer::new();
        let field = |buf: &mut Vec<u8>, f: &str| {
            cell::push_csv_field(buf, f.as_bytes());
            buf.push(b',');
        };
        // Numbers and fixed words hold nothing that needs quoting.
        buf.extend_from_slice(int.format(c.row).as_bytes());
        buf.push(b',');
        field(buf, &excel_safe(&c.file));
        buf.extend_from_slice(int.format(c.line).as_bytes());
        buf.push(b',');
        field(buf, &text(&c.code));
        field(buf, &text(&c.name));
        field(buf, &text(&c.district));
        field(buf, &text(&c.province));
        field(buf, &c.zone);
        field(buf, &c.zone_source);
        buf.extend_from_slice(int.format(c.year).as_bytes());
        buf.push(b',');
        field(buf, c.level.as_deref().unwrap_or(""));
        field(buf, c.next_level.as_deref().unwrap_or(""));
        for n in [
            c.criteria_met,
            c.criteria_total,
            c.indicators_met,
            c.indicators_total,
        ] {
            buf.extend_from_slice(int.format(n).as_bytes());
            buf.push(b',');
        }
        buf.extend_from_slice(if c.unverified { b"true," } else { b"false," });
        field(buf, missing);
        field(buf, detail);
        field(buf, borderline);
        buf.extend_from_slice(num.as_bytes());
        buf.push(b',');
        cell::push_csv_field(buf, excel_safe(&notes).as_bytes());
        buf.push(b'\n');
        self.rows.row_done()?;
        Ok(())
    }

    /// Hand what is buffered to the writer and flush it.
    pub fn finish(mut self) -> anyhow::Result<()> {
        self.rows.finish()?;
        Ok(())
    }
}

/// Columns of the `--errors-out` file.
pub const ERRORS_HEADER: [&str; 10] = [
    "file",
    "line",
    "column",
    "header",
    "value",
    "severity",
    "code",
    "message",
    "expected",
    "message_vi",
];

/// The `--errors-out` file: one row per data diagnostic (errors, and the warnings of cells
/// `--lenient` read as no data or codes not in the official lists), in input order, for
/// the office that sent the data. `expected` is the diagnostic's help without its leading
/// "expected ". `message_vi` says the same in Vietnamese
/// (`report::message_vi`), whatever `--lang` is: the columns are a contract.
pub fn write_errors_csv(out: &mut dyn Write, diags: &[Diagnostic]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(&mut *out);
    w.write_record(ERRORS_HEADER)?;
    w.flush()?;
    drop(w);
    write_errors_rows(out, diags)
}

/// The rows of [`write_errors_csv`] without its header: `--errors-out` is written in
/// batches as the diagnostics are found.
pub fn write_errors_rows(out: &mut dyn Write, diags: &[Diagnostic]) -> anyhow::Result<()> {
    let mut w = csv::Writer::from_writer(out);
    for d in diags {
        let (file, line, column) = match &d.location {
            Some(l) => (
                l.path.as_str(),
                l.line.map(|n| n.to_string()).unwrap_or_default(),
                l.column.map(|n| n.to_string()).unwrap_or_default(),
            ),
            None => ("", String::new(), String::new()),
        };
        let (header, value) = match &d.cell {
            Some(c) => (c.header.as_str(), c.value.as_str()),
            None => ("", ""),
        };
        let help = d.help.as_deref().unwrap_or("");
        let expected = help.strip_prefix("expected ").unwrap_or(help);
        let severity = match d.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        w.write_record([
            excel_safe(file).as_ref(),
            &line,
            &column,
            excel_safe(header).as_ref(),
            excel_safe(value).as_ref(),
            severity,
            d.code,
            excel_safe(&d.message).as_ref(),
            excel_safe(expected).as_ref(),
            excel_safe(&super::message_vi::message_vi(d)).as_ref(),
        ])?;
    }
    w.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formulas_are_neutralised_and_numbers_are_not() {
        for (cell, want) in [
            ("=1+2", "'=1+2"),
            ("+cmd|' /C calc'!A0", "'+cmd|' /C calc'!A0"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\tx", "\\tx"),
            ("\rx", "\\rx"),
            ("=\u{1b}[2J", "'=\\u{1b}[2J"),
            ("a\nb", "a\\nb"),
            ("-", "'-"),
            ("-5", "-5"),
            ("+1,5", "+1,5"),
            ("-1.234,5", "-1.234,5"),
            ("Xã Hồng Lạc", "Xã Hồng Lạc"),
            ("a=b", "a=b"),
            ("", ""),
        ] {
            assert_eq!(excel_safe(cell), want, "{cell:?}");
        }
    }

    #[test]
    fn errors_csv_has_one_row_per_diagnostic_with_cell_and_expectation() {
        let diags = vec![
            Diagnostic::error("out-of-range", "column 5 `pct`: `130` is not valid")
                .at("a.csv", Some(3), Some(5))
                .cell("pct", "130")
                .help("expected a percentage between 0 and 100"),
            Diagnostic::warning("wrong-field-count", "the row has 3 fields")
                .at("a.csv", Some(4), None)
                .help("12 fields"),
            Diagnostic::error("not-a-number", "column 2 `x`: `=1+1` is not valid")
                .at("b.csv", Some(2), Some(2))
                .cell("x", "=1+1"),
        ];
        let mut out = Vec::new();
        write_errors_csv(&mut out, &diags).expect("writes");
        let text = String::from_utf8(out).expect("utf-8");
        assert_eq!(
            text,
            "file,line,column,header,value,severity,code,message,expected,message_vi\n\
             a.csv,3,5,pct,130,error,out-of-range,column 5 `pct`: `130` is not valid,a percentage between 0 and 100,\
             cột 5 `pct`: giá trị `130` nằm ngoài khoảng cho phép (tỷ lệ phần trăm từ 0 đến 100; không chỉ tiêu nào được âm; số đếm phải là số nguyên)\n\
             a.csv,4,,,,warning,wrong-field-count,the row has 3 fields,12 fields,\
             số ô của dòng này khác với số cột của dòng tiêu đề (ô có chứa dấu phân cách phải được đặt trong dấu ngoặc kép)\n\
             b.csv,2,2,x,'=1+1,error,not-a-number,column 2 `x`: `=1+1` is not valid,,\
             cột 2 `x`: giá trị `=1+1` không phải là một số hợp lệ\n"
        );
    }
}
