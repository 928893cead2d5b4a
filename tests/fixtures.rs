//! The real-world input fixtures of tests/fixtures/input/, made here so they are reproducible:
//! a test fails when a committed file differs from what this code makes.
//! Write them anew with `NTM_WRITE_FIXTURES=1 cargo test --test integration fixtures`.
//!
//! All hold the same three communes for examples/ruleset.toml, with Vietnamese headers, as
//! offices send them: an Excel "CSV (semicolon)" export with a BOM, an Excel "Unicode text"
//! export (UTF-16 LE, tabs), a workbook with a title block above the header on a sheet "Xã",
//! a CSV in decomposed Unicode (NFD), and a Windows-1258 CSV.

use std::path::Path;

use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Formula, Workbook};
use unicode_normalization::UnicodeNormalization;

/// The header, as an office writes it (labels and aliases of examples/ruleset.toml).
pub const HEADER: [&str; 14] = [
    "Mã xã",
    "Tên xã",
    "Huyện",
    "Tỉnh",
    "Năm",
    "Thu nhập bình quân đầu người",
    "Tưới tiêu chủ động",
    "Suy dinh dưỡng thấp còi",
    "Nhà tạm dột nát",
    "Quy hoạch",
    "Thôn thông minh",
    "Lĩnh vực nổi trội: du lịch",
    "Lĩnh vực nổi trội: sản xuất",
    "ĐBKK",
];

/// Three communes; numbers with a decimal comma, as a Vietnamese-locale Excel writes them.
pub const ROWS: [[&str; 14]; 3] = [
    [
        "10816",
        "Xã Hồng Lạc",
        "Huyện Thanh Hà",
        "Hải Dương",
        "2025",
        "61,2",
        "85",
        "12",
        "0",
        "Đạt",
        "0",
        "",
        "",
        "",
    ],
    [
        "10825",
        "Xã Tân Việt",
        "Huyện Thanh Hà",
        "Hải Dương",
        "2025",
        "80",
        "95,5",
        "12",
        "0",
        "Đạt",
        "2",
        "x",
        "",
        "",
    ],
    [
        "32137",
        "Xã Tân Hưng",
        "Huyện Cái Nước",
        "Cà Mau",
        "2025",
        "",
        "95",
        "12,5",
        "1",
        "Không đạt",
        "1",
        "",
        "",
        "x",
    ],
];

fn lines(delimiter: &str, quote_commas: bool) -> Vec<String> {
    let cell = |c: &str| {
        if quote_commas && c.contains(',') {
            format!("\"{c}\"")
        } else {
            c.to_string()
        }
    };
    std::iter::once(HEADER.map(cell).join(delimiter))
        .chain(ROWS.iter().map(|r| r.map(cell).join(delimiter)))
        .collect()
}

/// Excel "CSV (semicolon)" in a Vietnamese locale: UTF-8 BOM, `;`, decimal commas, CRLF.
pub fn excel_semicolon() -> Vec<u8> {
    let mut out = b"\xEF\xBB\xBF".to_vec();
    for l in lines(";", false) {
        out.extend(l.as_bytes());
        out.extend(b"\r\n");
    }
    out
}

/// `text` in UTF-16 with a byte-order mark, little- or big-endian.
pub fn to_utf16(text: &str, little_endian: bool) -> Vec<u8> {
    let mut out = if little_endian {
        vec![0xFF, 0xFE]
    } else {
        vec![0xFE, 0xFF]
    };
    for u in text.encode_utf16() {
        out.extend(if little_endian {
            u.to_le_bytes()
        } else {
            u.to_be_bytes()
        });
    }
    out
}

/// Excel "Unicode text": UTF-16 LE with a BOM, tab-separated, CRLF.
pub fn unicode_text() -> Vec<u8> {
    to_utf16(&(lines("\t", false).join("\r\n") + "\r\n"), true)
}

/// The Unicode text export with one damaged character: an unpaired UTF-16 surrogate in place
/// of the `ệ` of "Xã Tân Việt" (a truncated copy, a bad conversion).
pub fn damaged_unicode_text() -> Vec<u8> {
    let text = lines("\t", false).join("\r\n") + "\r\n";
    let marked = text.replacen("Việt", "Vi\u{E000}t", 1);
    let mut bytes = to_utf16(&marked, true);
    let at = bytes
        .chunks(2)
        .position(|u| u == [0x00, 0xE0])
        .expect("marker");
    bytes[2 * at + 1] = 0xD8;
    bytes
}

/// Comma-separated UTF-8 with every header and name decomposed (NFD), as some macOS tools
/// write it.
pub fn decomposed() -> Vec<u8> {
    let text: String = lines(",", true).join("\n") + "\n";
    text.nfd().collect::<String>().into_bytes()
}

/// The tone marks Windows-1258 writes as combining characters after the letter.
const TONES: [char; 5] = ['\u{300}', '\u{301}', '\u{303}', '\u{309}', '\u{323}'];

/// Windows-1258, `;`, CRLF.
pub fn windows_1258() -> Vec<u8> {
    to_windows_1258(&(lines(";", false).join("\r\n") + "\r\n"))
}

/// `text` in Windows-1258: letters with circumflex, breve or horn are single bytes, tone marks
/// follow as combining bytes.
pub fn to_windows_1258(text: &str) -> Vec<u8> {
    let mut split = String::new();
    for c in text.nfc() {
        let parts: String = c.to_string().nfd().collect();
        let base: String = parts.chars().filter(|c| !TONES.contains(c)).collect();
        split.extend(base.nfc());
        split.extend(parts.chars().filter(|c| TONES.contains(c)));
    }
    let (bytes, _, unmappable) = encoding_rs::WINDOWS_1258.encode(&split);
    assert!(!unmappable, "text not representable in windows-1258");
    bytes.into_owned()
}

/// A workbook whose first sheet is instructions and whose sheet "Xã" has a title block above
/// the header (row 4); numbers are numeric cells, one flag a TRUE cell, one cell a formula
/// error.
pub fn title_block(error_cell: bool) -> Vec<u8> {
    let mut wb = Workbook::new();
    let when = ExcelDateTime::from_ymd(2025, 7, 1).expect("date");
    wb.set_properties(&DocProperties::new().set_creation_datetime(&when));
    let bold = Format::new().set_bold();
    let notes = wb.add_worksheet();
    notes.set_name("Hướng dẫn").expect("name");
    notes
        .write_string(0, 0, "Nhập số liệu vào sheet Xã")
        .expect("write");
    let ws = wb.add_worksheet();
    ws.set_name("Xã").expect("name");
    ws.write_string_with_format(
        0,
        0,
        "BÁO CÁO KẾT QUẢ THỰC HIỆN BỘ TIÊU CHÍ XÃ NÔNG THÔN MỚI",
        &bold,
    )
    .expect("write");
    ws.write_string(1, 0, "Tỉnh Hải Dương, Cà Mau — năm 2025")
        .expect("write");
    for (c, h) in HEADER.iter().enumerate() {
        ws.write_string_with_format(3, c as u16, *h, &bold)
            .expect("write");
    }
    for (r, row) in ROWS.iter().enumerate() {
        let r = r as u32 + 4;
        for (c, v) in row.iter().enumerate() {
            let c = c as u16;
            let number = v.replace(',', ".").parse::<f64>();
            match (c, *v, number) {
                (_, "", _) => {}
                // The commune code stays text, as offices key it.
                (0, v, _) => {
                    ws.write_string(r, c, v).expect("write");
                }
                (_, "x", _) => {
                    ws.write_boolean(r, c, true).expect("write");
                }
                (_, _, Ok(n)) => {
                    ws.write_number(r, c, n).expect("write");
                }
                (_, v, Err(_)) => {
                    ws.write_string(r, c, v).expect("write");
                }
            }
        }
    }
    if error_cell {
        // A formula as Excel saves it: the formula and its cached result.
        ws.write_formula(5, 6, Formula::new("=1/0").set_result("#DIV/0!"))
            .expect("write");
    }
    wb.save_to_buffer().expect("save")
}

/// The same communes as an OpenDocument spreadsheet (LibreOffice `.ods`), sheet "Xã", numbers
/// as float cells, written by hand: a zip of `mimetype`, `META-INF/manifest.xml` and
/// `content.xml`.
pub fn open_document() -> Vec<u8> {
    use std::io::Write;
    let esc = |t: &str| {
        t.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
    };
    let mut rows = String::new();
    let cell = |v: &str, numeric: bool| match (v, numeric) {
        ("", _) => "<table:table-cell/>".to_string(),
        (v, true) => format!(
            r#"<table:table-cell office:value-type="float" office:value="{n}"><text:p>{v}</text:p></table:table-cell>"#,
            n = v.replace(',', ".")
        ),
        (v, false) => format!(
            r#"<table:table-cell office:value-type="string"><text:p>{}</text:p></table:table-cell>"#,
            esc(v)
        ),
    };
    rows.push_str("<table:table-row>");
    for h in HEADER {
        rows.push_str(&cell(h, false));
    }
    rows.push_str("</table:table-row>");
    for r in ROWS {
        rows.push_str("<table:table-row>");
        for (c, v) in r.iter().enumerate() {
            let numeric = c > 0 && v.replace(',', ".").parse::<f64>().is_ok();
            rows.push_str(&cell(v, numeric));
        }
        rows.push_str("</table:table-row>");
    }
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Xã">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default());
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in [
        ("mimetype", "application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", manifest),
        ("content.xml", content.as_str()),
    ] {
        z.start_file(name, stored).expect("zip entry");
        z.write_all(text.as_bytes()).expect("zip write");
    }
    z.finish().expect("zip").into_inner()
}

/// Trust issue, Excel percent cells: one clerk typed `100%` (stored as 1, shown as 100 %),
/// another `100` in the same column; `0.855` shown as `85.5%`. Read as Excel shows them, both
/// communes have 100 % irrigated area.
pub fn percent_cells() -> Vec<u8> {
    let mut wb = Workbook::new();
    let when = ExcelDateTime::from_ymd(2025, 7, 1).expect("date");
    wb.set_properties(&DocProperties::new().set_creation_datetime(&when));
    let whole = Format::new().set_num_format("0%");
    let one = Format::new().set_num_format("0.0%");
    let ws = wb.add_worksheet();
    ws.set_name("Xã").expect("name");
    let header = [
        "code",
        "name",
        "province",
        "year",
        "income_per_capita",
        "irrigated_area_pct",
        "stunting_under5_pct",
        "temporary_houses",
        "general_plan_approved",
        "smart_villages",
    ];
    for (c, h) in header.iter().enumerate() {
        ws.write_string(0, c as u16, *h).expect("write");
    }
    for (r, (code, name, irrigated, stunting)) in [
        ("10816", "Xã Hồng Lạc", (1.0, true), (0.12, true)),
        ("10825", "Xã Tân Việt", (100.0, false), (0.855, true)),
    ]
    .into_iter()
    .enumerate()
    {
        let r = r as u32 + 1;
        ws.write_string(r, 0, code).expect("write");
        ws.write_string(r, 1, name).expect("write");
        ws.write_string(r, 2, "Hải Dương").expect("write");
        ws.write_number(r, 3, 2025.0).expect("write");
        ws.write_number(r, 4, 61.2).expect("write");
        for (c, (v, pct)) in [(5u16, irrigated), (6, stunting)] {
            if pct {
                ws.write_number_with_format(r, c, v, if c == 5 { &whole } else { &one })
                    .expect("write");
            } else {
                ws.write_number(r, c, v).expect("write");
            }
        }
        ws.write_number(r, 7, 0.0).expect("write");
        ws.write_string(r, 8, "Đạt").expect("write");
        ws.write_number(r, 9, 0.0).expect("write");
    }
    wb.save_to_buffer().expect("save")
}

/// Trust issue, workbooks bounded: a 2 KB .xlsx whose cell reference `ZZZZZZ99999999` made
/// ntm allocate 10^18 bytes; written by hand, as no spreadsheet program would write it.
pub fn out_of_grid() -> Vec<u8> {
    use std::io::Write;
    let sheet = r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>code</t></is></c><c r="B1" t="inlineStr"><is><t>income_per_capita</t></is></c></row><row><c r="ZZZZZZ99999999"><v>1</v></c></row></sheetData></worksheet>"#;
    let parts = [
        (
            "[Content_Types].xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
        ),
        (
            "_rels/.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
        ),
        (
            "xl/workbook.xml",
            r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Xã" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        ),
        (
            "xl/_rels/workbook.xml.rels",
            r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        ),
        ("xl/worksheets/sheet1.xml", sheet),
    ];
    let stored = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Stored)
        .last_modified_time(zip::DateTime::default());
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for (name, text) in parts {
        z.start_file(name, stored).expect("zip entry");
        z.write_all(text.as_bytes()).expect("zip write");
    }
    z.finish().expect("zip").into_inner()
}

/// Every fixture: file name and bytes.
pub fn all() -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("excel-semicolon-bom.csv", excel_semicolon()),
        ("unicode-text-utf16le.txt", unicode_text()),
        ("damaged-utf16le.txt", damaged_unicode_text()),
        ("decomposed-nfd.csv", decomposed()),
        ("windows-1258.csv", windows_1258()),
        ("title-block.xlsx", title_block(false)),
        ("libreoffice.ods", open_document()),
        ("formula-error.xlsx", title_block(true)),
        ("percent-cells.xlsx", percent_cells()),
        ("out-of-grid.xlsx", out_of_grid()),
        (
            "no-header.csv",
            b"B\xC3\xA1o c\xC3\xA1o n\xC4\x83m 2025\nx,y\n1,2\n".to_vec(),
        ),
    ]
}

#[test]
fn fixtures_are_what_this_file_makes() {
    let dir = Path::new("tests/fixtures/input");
    let write = std::env::var_os("NTM_WRITE_FIXTURES").is_some();
    for (name, bytes) in all() {
        let path = dir.join(name);
        if write {
            std::fs::create_dir_all(dir).expect("mkdir");
            std::fs::write(&path, &bytes).expect("write fixture");
        }
        let committed = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (NTM_WRITE_FIXTURES=1 makes it)", path.display()));
        assert!(
            committed == bytes,
            "{} differs from what tests/fixtures.rs makes (NTM_WRITE_FIXTURES=1 rewrites it)",
            path.display()
        );
    }
}
