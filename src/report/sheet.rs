//! Renders the threshold sheet of `ntm rules sheet` as CSV or XLSX bytes.
//!
//! XLSX: one protected sheet with a frozen header where only the entry columns (official
//! value, decision, annex, item, page) are unlocked, an entry check on the value by the
//! measure's kind, and a hidden, protected `ntm` sheet identifying the ruleset (id, SHA-256,
//! language, scope) so `rules import` can tell a sheet of another ruleset. CSV: the same
//! identification on a first `#` line.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, Format, FormatBorder, Workbook, XlsxError,
};

use crate::lang::Lang;
use crate::ruleset::model::MeasureKind;
use crate::ruleset::sheet::{self, Ident, PAGE, RefRow, RowCheck, VALUE};

/// Name of the hidden identification sheet.
pub(crate) const IDENT_SHEET: &str = "ntm";

/// Name of the data sheet.
pub(crate) fn data_sheet(lang: Lang) -> &'static str {
    lang.pick("Thresholds", "Ngưỡng")
}

/// The `#` identification line of the CSV sheet (without the newline).
pub(crate) fn ident_line(ident: &Ident) -> String {
    let pairs: Vec<String> = ident
        .pairs()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect();
    format!("# {}", pairs.join(" "))
}

/// A cell bound for a spreadsheet: text that a spreadsheet would run as a formula gets a
/// leading apostrophe in CSV (no ruleset text starts so, but a ruleset file is input too).
fn csv_safe(s: &str) -> String {
    match s.chars().next() {
        Some('=' | '+' | '-' | '@') if s.parse::<f64>().is_err() => format!("'{s}"),
        _ => s.to_string(),
    }
}

/// The sheet as CSV (UTF-8 with a byte-order mark, for spreadsheet programs).
pub(crate) fn csv(rows: &[RefRow], ident: &Ident, lang: Lang) -> anyhow::Result<Vec<u8>> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    out.extend_from_slice(ident_line(ident).as_bytes());
    out.extend_from_slice(b"\r\n");
    {
        let mut w = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .from_writer(&mut out);
        w.write_record(sheet::headers(lang))?;
        for r in rows {
            w.write_record(sheet::full_cells(r).iter().map(|c| csv_safe(c)))?;
        }
        w.flush()?;
    }
    Ok(out)
}

/// The sheet as an XLSX workbook.
pub(crate) fn xlsx(rows: &[RefRow], ident: &Ident, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let mut wb = Workbook::new();
    let header_fmt = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin);
    let entry_head_fmt = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0xFFF2CC))
        .set_border(FormatBorder::Thin);
    let entry_fmt = Format::new()
        .set_unlocked()
        .set_background_color(Color::RGB(0xFFFBEA))
        .set_border(FormatBorder::Thin);
    let text_fmt = Format::new().set_num_format("@");
    let ws = wb.add_worksheet();
    ws.set_name(data_sheet(lang))?;
    let heads = sheet::headers(lang);
    for (i, h) in heads.iter().enumerate() {
        let col = i as u16;
        let entry = (VALUE..=PAGE).contains(&i);
        let width = match i {
            2 | 4 => 40.0,
            17 | 18 => 50.0,
            12 => 28.0,
            _ => 12.0,
        };
        ws.set_column_width(col, width)?;
        if entry {
            ws.set_column_format(col, &entry_fmt)?;
            ws.write_string_with_format(0, col, *h, &entry_head_fmt)?;
        } else {
            ws.write_string_with_format(0, col, *h, &header_fmt)?;
        }
    }
    for (ri, r) in rows.iter().enumerate() {
        let row = ri as u32 + 1;
        for (ci, c) in sheet::full_cells(r).iter().enumerate() {
            if (VALUE..=PAGE).contains(&ci) {
                continue;
            }
            // Reference cells are text, so they read back exactly as written.
            ws.write_string_with_format(row, ci as u16, c, &text_fmt)?;
        }
    }
    // Entry checks on the value column, one per run of rows of the same kind.
    let mut start = 0;
    while start < rows.len() {
        let kind = rows[start].check;
        let mut end = start;
        while end + 1 < rows.len() && rows[end + 1].check == kind {
            end += 1;
        }
        let check = match kind {
            RowCheck::Number(MeasureKind::Percent) => Some(
                DataValidation::new().allow_decimal_number(DataValidationRule::Between(0.0, 100.0)),
            ),
            RowCheck::Number(MeasureKind::Count) => Some(
                DataValidation::new()
                    .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0)),
            ),
            RowCheck::Number(MeasureKind::Number | MeasureKind::Bool) => Some(
                DataValidation::new()
                    .allow_decimal_number(DataValidationRule::GreaterThanOrEqualTo(0.0)),
            ),
            RowCheck::Yes | RowCheck::None => Some(
                DataValidation::new().allow_list_strings(&[sheet::requirement_word(kind, lang)])?,
            ),
        };
        if let Some(check) = check {
            let check = check.ignore_blank(true).set_error_message(lang.pick(
                "Enter the value in the measure's unit (95 for 95 %); a yes/no row takes its requirement",
                "Nhập giá trị theo đơn vị của chỉ tiêu (95 nghĩa là 95 %); dòng đạt/không đạt nhập đúng yêu cầu",
            ))?;
            ws.add_data_validation(
                start as u32 + 1,
                VALUE as u16,
                end as u32 + 1,
                VALUE as u16,
                &check,
            )?;
        }
        start = end + 1;
    }
    ws.set_freeze_panes(1, 0)?;
    ws.set_row_height(0, 45)?;
    ws.protect();
    let id = wb.add_worksheet();
    id.set_name(IDENT_SHEET)?;
    for (i, (k, v)) in ident.pairs().into_iter().enumerate() {
        id.write_string(i as u32, 0, k)?;
        id.write_string(i as u32, 1, v)?;
    }
    id.set_hidden(true);
    id.protect();
    wb.save_to_buffer()
}

#[cfg(test)]
mod tests {
    use super::csv_safe;

    #[test]
    fn formula_like_text_is_defused_numbers_are_not() {
        assert_eq!(csv_safe("=1+1"), "'=1+1");
        assert_eq!(csv_safe("-5"), "-5");
        assert_eq!(csv_safe(">="), ">=");
    }
}
