//! Any bytes as a workbook, and any bytes as the XML of a worksheet zipped into an otherwise
//! valid `.xlsx`: `sheet::open`, then the header search and every row. Nothing may panic, and
//! memory stays bounded: run with libFuzzer's `-malloc_limit_mb=1024 -rss_limit_mb=2048` so
//! an allocation past ntm's workbook limits (docs/input.md, "Workbooks") is a crash.
#![no_main]

use std::io::Write;
use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use ntm::data::read::{ReadOptions, RowReader};
use ntm::data::sheet;
use ntm::ruleset::{Ruleset, builtin, load_str};

fn ruleset() -> &'static Ruleset {
    static RS: OnceLock<Ruleset> = OnceLock::new();
    RS.get_or_init(|| {
        let (path, text) =
            builtin::get(builtin::DEFAULT_ID).expect("the default ruleset is built in");
        load_str(text, path)
            .0
            .expect("the default ruleset is valid")
    })
}

/// The smallest `.xlsx` around `sheet` as the worksheet's XML (between `<worksheet>` tags)
/// and `styles` as the styles part.
fn xlsx(sheet: &[u8], styles: &[u8]) -> Vec<u8> {
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let mut part = |name: &str, head: &[u8], body: &[u8], tail: &[u8]| {
        z.start_file(name, opts).expect("zip");
        for b in [head, body, tail] {
            z.write_all(b).expect("zip");
        }
    };
    part(
        "xl/workbook.xml",
        br#"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="X" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
        b"",
        b"",
    );
    part(
        "xl/_rels/workbook.xml.rels",
        br#"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#,
        b"",
        b"",
    );
    part(
        "xl/styles.xml",
        br#"<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
        styles,
        b"</styleSheet>",
    );
    part(
        "xl/worksheets/sheet1.xml",
        br#"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">"#,
        sheet,
        b"</worksheet>",
    );
    z.finish().expect("zip").into_inner()
}

fn read(bytes: &[u8]) {
    let rs = ruleset();
    let opts = ReadOptions::default();
    let Ok(records) = sheet::open(bytes, None, "fuzz.xlsx") else {
        return;
    };
    let mut rows = RowReader::from_source(records, "fuzz.xlsx", 0, rs, &opts);
    let mut read = 0;
    while rows.next_row().is_some() {
        read += 1;
    }
    let end = rows.finish();
    assert_eq!(end.records, read + end.rejected);
}

fuzz_target!(|data: &[u8]| {
    // The first byte picks: the bytes as a workbook, or as the worksheet XML (and, after a
    // NUL, the styles) of an .xlsx.
    let Some((&how, bytes)) = data.split_first() else {
        return;
    };
    if how & 1 == 0 {
        read(bytes);
    } else {
        let (sheet, styles) = match bytes.iter().position(|&b| b == 0) {
            Some(i) => (&bytes[..i], &bytes[i + 1..]),
            None => (bytes, &b""[..]),
        };
        read(&xlsx(sheet, styles));
    }
});
