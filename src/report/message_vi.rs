//! The Vietnamese text of a data diagnostic: the `message_vi` column of `--errors-out`, for
//! the office clerk who fixes the file.
//!
//! One sentence per code, in plain Vietnamese, with the column (number and header) and the
//! offending value quoted as the English message quotes them (through [`echo`], in
//! backticks). The text is built from the diagnostic's code, its cell and its place, never
//! from the English wording; details only the English message holds (another file's line,
//! field counts, a sheet's name) stay in `message`. Pure: no I/O.

use crate::diag::Diagnostic;
use crate::text::echo;

/// The Vietnamese message of `d`: `cột 6 \`pct\`: giá trị \`130\` nằm ngoài khoảng cho
/// phép …`. A code with no Vietnamese text of its own (a ruleset's, met before any data was
/// read) gets a general sentence that names the code.
pub(crate) fn message_vi(d: &Diagnostic) -> String {
    let cell = d.cell.as_ref();
    let value = cell
        .map(|c| c.value.as_str())
        .filter(|v| !v.trim().is_empty())
        .map(|v| format!("`{}`", echo(v)));
    let mut out = String::new();
    if let (Some(c), Some(col)) = (cell, d.location.as_ref().and_then(|l| l.column)) {
        out.push_str(&format!("cột {col} `{}`: ", echo(&c.header)));
    }
    match sentence(d.code, value.as_deref()) {
        Some(s) => out.push_str(&s),
        None => out.push_str(&format!(
            "lỗi `{}` (không phải lỗi của một ô số liệu): xem chi tiết ở cột message",
            d.code
        )),
    }
    // `--lenient` turns some errors into warnings; the English message says so at its end
    // (`data::read`), and so does this one.
    if d.message.ends_with("(--lenient)") {
        let what = if d.message.contains("every measure of this row") {
            "mọi chỉ tiêu của dòng này"
        } else {
            "ô này"
        };
        out.push_str(&format!(
            "; {what} được tính là không có số liệu (--lenient)"
        ));
    }
    out
}

/// Whether `code` has a Vietnamese sentence of its own.
#[cfg(test)]
pub(crate) fn has_text(code: &str) -> bool {
    sentence(code, None).is_some()
}

/// The sentence of a code, with the quoted value when the cell has one.
fn sentence(code: &str, v: Option<&str>) -> Option<String> {
    let with = |has: &dyn Fn(&str) -> String, without: &str| match v {
        Some(v) => has(v),
        None => without.to_string(),
    };
    let s = match code {
        "ambiguous-number" => with(
            &|v| format!("giá trị {v} đọc được theo hai cách (dấu chấm hay dấu phẩy là phân cách hàng nghìn hay là dấu thập phân?): hãy ghi rõ, hoặc chạy lại với --decimal-comma hoặc --decimal-point"),
            "một số đọc được theo hai cách (dấu chấm hay dấu phẩy là phân cách hàng nghìn hay là dấu thập phân?): hãy ghi rõ, hoặc chạy lại với --decimal-comma hoặc --decimal-point",
        ),
        "ambiguous-province" => with(
            &|v| format!("tỉnh {v} thuộc hai vùng (hoặc vùng của tỉnh chưa được xác nhận): hãy điền cột vùng (`region`) cho dòng này"),
            "tỉnh thuộc hai vùng (hoặc vùng của tỉnh chưa được xác nhận): hãy điền cột vùng (`region`) cho dòng này",
        ),
        "ambiguous-zone" => with(
            &|v| format!("vùng {v} khớp với hai vùng của bộ tiêu chí khi bỏ dấu: hãy ghi đúng tên vùng, có dấu"),
            "tên vùng khớp với hai vùng của bộ tiêu chí khi bỏ dấu: hãy ghi đúng tên vùng, có dấu",
        ),
        "commune-name-mismatch" => with(
            &|v| format!("tên xã {v} khác với tên của mã xã này trong danh mục đơn vị hành chính chính thức: hãy kiểm tra lại mã xã và tên xã"),
            "tên xã khác với tên của mã xã này trong danh mục đơn vị hành chính chính thức: hãy kiểm tra lại mã xã và tên xã",
        ),
        "conflicting-overrides" => with(
            &|v| format!("các cột đánh dấu diện đặc thù của dòng này (ô {v}) xếp xã vào những vùng khác nhau: chỉ đánh dấu những cột cùng một vùng"),
            "các cột đánh dấu diện đặc thù của dòng này xếp xã vào những vùng khác nhau: chỉ đánh dấu những cột cùng một vùng",
        ),
        "duplicate-code" => with(
            &|v| format!("mã xã {v} đã có ở một dòng khác cho cùng năm đánh giá (xét trên mọi tệp nhập vào): mỗi xã chỉ có một dòng cho mỗi năm"),
            "mã xã đã có ở một dòng khác cho cùng năm đánh giá (xét trên mọi tệp nhập vào): mỗi xã chỉ có một dòng cho mỗi năm",
        ),
        "duplicate-column" => "hai cột có tiêu đề chỉ cùng một trường số liệu: hãy xóa hoặc đổi tên một cột".to_string(),
        "empty-file" => "tệp trống: không có dòng tiêu đề".to_string(),
        "header-not-found" => "không tìm thấy dòng tiêu đề trong 20 dòng có nội dung đầu tiên, hoặc số dòng ghi ở --header-row không đúng".to_string(),
        "invalid-utf8" => "tệp không được lưu theo bảng mã UTF-8 nên phần còn lại của tệp không được đọc: hãy lưu lại tệp dạng \"CSV UTF-8\", hoặc ghi rõ bảng mã bằng --encoding".to_string(),
        "missing-column" => "tệp thiếu cột mà bộ tiêu chí hoặc lệnh cần (cột chỉ tiêu, hoặc cột vùng): hãy thêm cột, hoặc chạy với --allow-missing để coi là không có số liệu".to_string(),
        "missing-zone" => "ô vùng và ô tỉnh của dòng này đều trống: hãy điền vùng hoặc tỉnh của xã".to_string(),
        "mixed-percent-scale" => with(
            &|v| format!("cột này ghi lẫn phân số và phần trăm: {v} không lớn hơn 1 (là phân số, hay là {v} %?), trong khi dòng khác ghi phần trăm lớn hơn 1; hãy ghi cả cột theo cùng một cách"),
            "cột này ghi lẫn phân số và phần trăm: hãy ghi cả cột theo cùng một cách",
        ),
        "no-code-column" => "không tìm thấy cột mã xã: không phát hiện được xã bị trùng, và không đối chiếu được các dòng giữa hai lần nộp".to_string(),
        "no-measure-columns" => "không có cột nào khớp với chỉ tiêu của bộ tiêu chí: tiêu đề cột phải là mã, tên hoặc tên gọi khác của chỉ tiêu (`ntm rules show` liệt kê các tên này)".to_string(),
        "no-rows" => "tệp có dòng tiêu đề nhưng không có dòng số liệu nào".to_string(),
        "not-a-bool" => with(
            &|v| format!("giá trị {v} không phải là câu trả lời có/không: hãy ghi `Đạt` hoặc `Không đạt` (hay `Có`/`Không`, `x`, `1`/`0`)"),
            "ô không phải là câu trả lời có/không: hãy ghi `Đạt` hoặc `Không đạt` (hay `Có`/`Không`, `x`, `1`/`0`)",
        ),
        "not-a-number" => with(
            &|v| format!("giá trị {v} không phải là một số hợp lệ"),
            "ô không phải là một số hợp lệ",
        ),
        "not-a-year" => with(
            &|v| format!("giá trị {v} không phải là một năm (ví dụ `2025`)"),
            "ô năm không phải là một năm (ví dụ `2025`)",
        ),
        "not-evaluated" => "không có xã nào được đánh giá: lý do ở cột message".to_string(),
        "option-ignored" => "một tùy chọn nhập liệu không dùng được cho loại tệp này nên bị bỏ qua (--sheet với tệp CSV; --encoding hoặc --delimiter với bảng tính)".to_string(),
        "out-of-range" => with(
            &|v| format!("giá trị {v} nằm ngoài khoảng cho phép (tỷ lệ phần trăm từ 0 đến 100; không chỉ tiêu nào được âm; số đếm phải là số nguyên)"),
            "giá trị nằm ngoài khoảng cho phép (tỷ lệ phần trăm từ 0 đến 100; không chỉ tiêu nào được âm; số đếm phải là số nguyên)",
        ),
        "percent-as-fraction" => with(
            &|v| format!("mọi giá trị không có dấu `%` của cột này đều từ 0 đến 1 (như {v}): đây là phân số chứ không phải phần trăm? Hãy ghi theo phần trăm, thêm dấu `%`, hoặc chạy với --fraction-percent"),
            "mọi giá trị không có dấu `%` của cột này đều từ 0 đến 1: đây là phân số chứ không phải phần trăm? Hãy ghi theo phần trăm, thêm dấu `%`, hoặc chạy với --fraction-percent",
        ),
        "record-too-large" => "một dòng của tệp CSV dài quá 1 MiB (thường do thiếu dấu ngoặc kép đóng): phần còn lại của tệp không được đọc".to_string(),
        "replaced-characters" => "một số ký tự không giải mã được theo bảng mã của tệp và được thay bằng `\u{FFFD}`: hãy kiểm tra bảng mã (--encoding) hoặc lưu lại tệp dạng \"CSV UTF-8\"".to_string(),
        "too-precise" => with(
            &|v| format!("số {v} có nhiều chữ số hơn mức ntm giữ được chính xác (28 chữ số): số không bị làm tròn mà bị từ chối"),
            "số có nhiều chữ số hơn mức ntm giữ được chính xác (28 chữ số): số không bị làm tròn mà bị từ chối",
        ),
        "unknown-columns" => "tệp có cột mà bộ tiêu chí không biết: các cột này bị bỏ qua".to_string(),
        "unknown-commune-code" => with(
            &|v| format!("{v} không phải là mã xã trong danh mục đơn vị hành chính chính thức"),
            "mã xã không có trong danh mục đơn vị hành chính chính thức",
        ),
        "unknown-province" => with(
            &|v| format!("{v} không phải là tên hoặc mã của một tỉnh trong danh sách tỉnh"),
            "tỉnh không có trong danh sách tỉnh",
        ),
        "unknown-sheet" => "bảng tính không có trang tính (sheet) được chọn: hãy chọn một trang tính có trong tệp bằng --sheet".to_string(),
        "unknown-zone" => with(
            &|v| format!("{v} không phải là vùng mà bộ tiêu chí quy định"),
            "vùng không có trong bộ tiêu chí",
        ),
        "unreadable-csv" => "không đọc được tệp CSV".to_string(),
        "unreadable-workbook" => "tệp có vẻ là bảng tính (Excel, ODS) nhưng không đọc được: tệp có thể bị hỏng, hoặc là loại tệp khác".to_string(),
        "workbook-too-large" => "bảng tính vượt quá giới hạn ntm đọc được (tệp, số ô hoặc lượng chữ quá lớn): hãy lưu riêng trang tính cần đọc, hoặc lưu dạng CSV".to_string(),
        "wrong-field-count" => "số ô của dòng này khác với số cột của dòng tiêu đề (ô có chứa dấu phân cách phải được đặt trong dấu ngoặc kép)".to_string(),
        "year-outside-period" => with(
            &|v| format!("năm {v} nằm ngoài giai đoạn áp dụng của bộ tiêu chí"),
            "năm nằm ngoài giai đoạn áp dụng của bộ tiêu chí",
        ),
        _ => return None,
    };
    Some(s)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A new data code without a Vietnamese sentence fails here.
    #[test]
    fn every_data_code_has_a_vietnamese_message() {
        let missing: Vec<&str> = crate::data::CODES
            .iter()
            .copied()
            .filter(|c| !has_text(c))
            .collect();
        assert!(missing.is_empty(), "no Vietnamese message for {missing:?}");
        assert!(has_text("not-evaluated"));
        assert!(!has_text("unknown-measure"));
    }

    #[test]
    fn the_column_and_value_are_quoted_as_in_english() {
        let d = Diagnostic::error(
            "out-of-range",
            "column 6 `irrigated_area_pct`: `130` is not valid",
        )
        .at("a.csv", Some(4), Some(6))
        .cell("irrigated_area_pct", "130");
        assert_eq!(
            message_vi(&d),
            "cột 6 `irrigated_area_pct`: giá trị `130` nằm ngoài khoảng cho phép (tỷ lệ phần trăm từ 0 đến 100; không chỉ tiêu nào được âm; số đếm phải là số nguyên)"
        );
    }

    #[test]
    fn a_hostile_value_is_escaped_and_shortened() {
        let big = format!("x\u{1b}[2J{}", "9".repeat(10_000));
        let d = Diagnostic::error("not-a-number", "…")
            .at("a.csv", Some(2), Some(3))
            .cell("h\n", &big);
        let text = message_vi(&d);
        assert!(!text.contains('\u{1b}') && !text.contains('\n'), "{text}");
        assert!(
            text.starts_with("cột 3 `h\\n`: giá trị `x\\u{1b}[2J999"),
            "{text}"
        );
        assert!(text.contains("… ("), "{text}");
        assert!(text.len() < 400, "{} bytes", text.len());
    }

    #[test]
    fn row_and_file_problems_have_no_column() {
        let d = Diagnostic::error(
            "wrong-field-count",
            "the row has 11 fields, the header has 10",
        )
        .at("a.csv", Some(6), None);
        assert!(message_vi(&d).starts_with("số ô của dòng này"));
        let d = Diagnostic::error("missing-zone", "…")
            .at("a.csv", Some(6), Some(3))
            .cell("region", "");
        assert_eq!(
            message_vi(&d),
            "cột 3 `region`: ô vùng và ô tỉnh của dòng này đều trống: hãy điền vùng hoặc tỉnh của xã"
        );
    }

    #[test]
    fn lenient_says_what_became_no_data() {
        let d = Diagnostic::warning(
            "not-a-number",
            "column 2 `x`: `abc` is not valid; the cell is read as no data (--lenient)",
        )
        .at("a.csv", Some(2), Some(2))
        .cell("x", "abc");
        assert!(message_vi(&d).ends_with("; ô này được tính là không có số liệu (--lenient)"));
        let d = Diagnostic::warning(
            "wrong-field-count",
            "the row has 3 fields, the header has 4; every measure of this row is read as no data (--lenient)",
        );
        assert!(
            message_vi(&d)
                .ends_with("mọi chỉ tiêu của dòng này được tính là không có số liệu (--lenient)")
        );
    }

    #[test]
    fn other_codes_get_a_general_sentence() {
        let d = Diagnostic::error("unknown-measure", "x");
        assert_eq!(
            message_vi(&d),
            "lỗi `unknown-measure` (không phải lỗi của một ô số liệu): xem chi tiết ở cột message"
        );
    }
}
