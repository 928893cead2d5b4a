//! `ntm template`: an empty data sheet with exactly the columns a ruleset reads, as CSV or
//! XLSX bytes. Pure: ruleset in, bytes out.
//!
//! Layout (docs/input.md, "Templates"): a title row, a hint row (unit and accepted values of
//! each column), then the header row; data goes below. The title and hint rows sit above the
//! header, so the reader's header rule passes over them as a title block: nothing in them can
//! be mistaken for data, and a filled template reads back with `ntm evaluate` as it is.

use rust_xlsxwriter::{
    Color, DataValidation, DataValidationRule, Format, FormatBorder, Formula, Workbook, XlsxError,
    utility::column_number_to_name,
};

use crate::lang::Lang;
use crate::ruleset::Ruleset;
use crate::ruleset::model::{MeasureKind, Zoning};

/// One column of a template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Column {
    /// The header (an identity name, or the measure's label in the language).
    pub header: String,
    /// Unit and accepted values.
    pub hint: String,
    /// The measure's kind, for measure columns.
    pub kind: Option<MeasureKind>,
}

/// The columns `rs` reads: identity columns, the zone column, the year, then every measure in
/// ruleset order. Headers are names the reader maps back to the same field.
pub(crate) fn columns(rs: &Ruleset, lang: Lang) -> Vec<Column> {
    let ident = |en: &str, vi: &str, hint_en: &str, hint_vi: &str| Column {
        header: lang.pick(en, vi).to_string(),
        hint: lang.pick(hint_en, hint_vi).to_string(),
        kind: None,
    };
    let mut cols = vec![
        ident(
            "code",
            "Mã xã",
            "commune code, e.g. 10816",
            "mã đơn vị hành chính, ví dụ 10816",
        ),
        ident("name", "Tên xã", "e.g. Xã Hồng Lạc", "ví dụ: Xã Hồng Lạc"),
    ];
    let zones: Vec<&str> = rs.zones.iter().map(|z| z.id.as_str()).collect();
    match rs.zoning {
        Zoning::Region => {
            cols.push(ident(
                "district",
                "Huyện",
                "e.g. Huyện Thanh Hà",
                "ví dụ: Huyện Thanh Hà",
            ));
            cols.push(ident(
                "province",
                "Tỉnh",
                "e.g. Hải Dương (gives the region)",
                "ví dụ: Hải Dương (xác định vùng)",
            ));
            let en = format!("{} (empty: from the province)", zones.join(", "));
            let vi = format!("{} (để trống: theo tỉnh)", zones.join(", "));
            cols.push(ident("region", "Vùng", &en, &vi));
        }
        Zoning::Group => {
            // No district: districts were abolished in July 2025 (two-tier local government).
            cols.push(ident(
                "province",
                "Tỉnh",
                "e.g. Hải Phòng",
                "ví dụ: Hải Phòng",
            ));
            let list = zones.join(", ");
            cols.push(ident("group", "Nhóm", &list, &list));
        }
    }
    let year_en = format!(
        "assessment year {}–{} (empty: {})",
        rs.period.0, rs.period.1, rs.period.1
    );
    let year_vi = format!(
        "năm đánh giá {}–{} (để trống: {})",
        rs.period.0, rs.period.1, rs.period.1
    );
    cols.push(ident("year", "Năm", &year_en, &year_vi));
    for m in &rs.measures {
        let unit = match (lang, &m.unit_vi) {
            (Lang::Vi, Some(vi)) => Some(vi.clone()),
            _ => m.unit.as_deref().map(|u| unit_text(u, lang)),
        };
        let hint = match (m.kind, lang) {
            (MeasureKind::Number, _) => unit.unwrap_or_else(|| lang.pick("number", "số").into()),
            (MeasureKind::Percent, Lang::En) => "% (0–100)".to_string(),
            (MeasureKind::Percent, Lang::Vi) => "% (0–100)".to_string(),
            (MeasureKind::Count, Lang::En) => {
                format!("{} (whole number ≥ 0)", unit.unwrap_or_default())
            }
            (MeasureKind::Count, Lang::Vi) => {
                format!("{} (số nguyên ≥ 0)", unit.unwrap_or_default())
            }
            (MeasureKind::Bool, Lang::En) => "yes / no (empty: no data)".to_string(),
            (MeasureKind::Bool, Lang::Vi) => {
                "Đạt / Không đạt (để trống: chưa có số liệu)".to_string()
            }
        };
        cols.push(Column {
            header: lang.pick(&m.name, &m.name_vi).to_string(),
            hint: hint.trim().to_string(),
            kind: Some(m.kind),
        });
    }
    cols
}

/// A unit in the template's language: the rulesets write units in English.
pub(crate) fn unit_text(unit: &str, lang: Lang) -> String {
    match lang {
        Lang::En => unit.to_string(),
        Lang::Vi => match unit {
            u if u.starts_with('%') => "%".to_string(),
            "million VND/person/year" => "triệu đồng/người/năm".to_string(),
            "houses" => "căn nhà".to_string(),
            "villages" => "thôn".to_string(),
            other => other.to_string(),
        },
    }
}

/// The title row's text.
pub(crate) fn title(rs: &Ruleset, lang: Lang) -> String {
    match lang {
        Lang::En => format!(
            "Commune data — {} ({}; ruleset {}). Enter one commune per row below the header.",
            rs.name, rs.decision, rs.id
        ),
        Lang::Vi => format!(
            "Số liệu xã — {} ({}; bộ tiêu chí {}). Mỗi xã một dòng, dưới dòng tiêu đề.",
            rs.name_vi, rs.decision, rs.id
        ),
    }
}

/// The template as CSV: UTF-8 with a byte-order mark (so Excel reads it as UTF-8), commas, the
/// title and hint rows padded to the full width.
pub(crate) fn csv(rs: &Ruleset, lang: Lang) -> anyhow::Result<Vec<u8>> {
    let cols = columns(rs, lang);
    let mut out = b"\xEF\xBB\xBF".to_vec();
    {
        let mut w = csv::Writer::from_writer(&mut out);
        // Ruleset texts as every CSV of ntm writes them (`excel_safe`).
        let safe = |t: &str| super::csv::excel_safe(t).into_owned();
        let mut title_row = vec![String::new(); cols.len()];
        title_row[0] = safe(&title(rs, lang));
        w.write_record(&title_row)?;
        w.write_record(cols.iter().map(|c| safe(&c.hint)))?;
        w.write_record(cols.iter().map(|c| safe(&c.header)))?;
        w.flush()?;
    }
    Ok(out)
}

/// Rows of the XLSX template ready for data entry (validations and formats reach this far).
const DATA_ROWS: u32 = 2000;

/// The template as an XLSX workbook: one sheet (`Xã` / `Communes`) with the title, hint and
/// header rows frozen above the data, the code column as text (codes keep their leading
/// zeros), and entry checks on yes/no, percent and count columns.
pub(crate) fn xlsx(rs: &Ruleset, lang: Lang) -> Result<Vec<u8>, XlsxError> {
    let cols = columns(rs, lang);
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name(lang.pick("Communes", "Xã"))?;
    let title_fmt = Format::new().set_bold().set_font_size(13);
    let hint_fmt = Format::new()
        .set_italic()
        .set_font_color(Color::RGB(0x595959))
        .set_text_wrap();
    let header_fmt = Format::new()
        .set_bold()
        .set_text_wrap()
        .set_background_color(Color::RGB(0xDDEBF7))
        .set_border(FormatBorder::Thin);
    let text_fmt = Format::new().set_num_format("@");
    ws.write_string_with_format(0, 0, title(rs, lang), &title_fmt)?;
    let (yes, no) = (lang.pick("yes", "Đạt"), lang.pick("no", "Không đạt"));
    for (i, c) in cols.iter().enumerate() {
        let col = i as u16;
        ws.set_column_width(col, if c.kind.is_some() { 22 } else { 16 })?;
        ws.write_string_with_format(1, col, &c.hint, &hint_fmt)?;
        ws.write_string_with_format(2, col, &c.header, &header_fmt)?;
        let check = match c.kind {
            None if i == 0 => {
                ws.set_column_format(col, &text_fmt)?;
                None
            }
            None => None,
            Some(MeasureKind::Bool) => Some(DataValidation::new().allow_list_strings(&[yes, no])?),
            Some(MeasureKind::Percent) => Some(percent_check(col, lang)?),
            Some(MeasureKind::Count) => Some(
                DataValidation::new()
                    .allow_whole_number(DataValidationRule::GreaterThanOrEqualTo(0)),
            ),
            Some(MeasureKind::Number) => None,
        };
        if let Some(check) = check {
            ws.add_data_validation(3, col, DATA_ROWS + 2, col, &check.ignore_blank(true))?;
        }
    }
    ws.set_row_height(1, 45)?;
    ws.set_row_height(2, 45)?;
    ws.set_freeze_panes(3, 0)?;
    wb.save_to_buffer()
}

/// The entry check of a percent column, saying what `ntm` reads (docs/data.md, "Percentages
/// written as fractions"): a cell Excel shows as a percentage (`85%` typed, stored 0.85) is
/// read as shown and must be 0–100 %; any other cell is a percentage 0–100 written without
/// a sign, and a value in (0, 1] there (`0.85`, `1`) is refused, as `ntm` would refuse the
/// column for it (`percent-as-fraction`, `mixed-percent-scale`).
fn percent_check(col: u16, lang: Lang) -> Result<DataValidation, XlsxError> {
    let c = format!("{}4", column_number_to_name(col));
    let rule = format!(
        "AND(ISNUMBER({c}),{c}>=0,IF(LEFT(CELL(\"format\",{c}),1)=\"P\",{c}<=1,OR({c}=0,AND({c}>1,{c}<=100))))"
    );
    DataValidation::new()
        .allow_custom(Formula::new(rule))
        .set_error_title(lang.pick("Percentage", "Tỷ lệ %"))?
        .set_error_message(lang.pick(
            "A percentage from 0 to 100: type 85 or 85%. A value between 0 and 1 such as 0.85 is \
             a fraction: type 85, or 1% for one percent.",
            "Tỷ lệ từ 0 đến 100: nhập 85 hoặc 85%. Giá trị từ 0 đến 1 như 0,85 là phân số: \
             nhập 85, hoặc 1% cho một phần trăm.",
        ))
}

#[cfg(test)]
mod tests;
