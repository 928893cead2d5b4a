//! What ntm reads of an `.xlsx`/`.xlsm` itself, before calamine: the zip's sizes (every
//! zipped workbook, `.ods` too), and in the chosen worksheet's XML every cell reference
//! (within Excel's grid) and which cells carry a percent number format (calamine 0.35 tells
//! dates from numbers, not percentages).
//!
//! The worksheet XML is read with the reader settings calamine uses and cells are counted the
//! way its cell reader counts them, so the n-th cell here is the n-th cell calamine gives.
//! Pure: bytes in, findings out; nothing is kept but one flag per cell.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

/// Excel's grid: 1,048,576 rows.
pub const MAX_ROWS: u32 = 1_048_576;
/// Excel's grid: 16,384 columns (A to XFD).
pub const MAX_COLUMNS: u32 = 16_384;
/// Most bytes ntm unpacks from a zipped workbook, all parts together (declared and actual).
pub const MAX_UNPACKED: u64 = 256 * 1024 * 1024;

/// Why a workbook is refused (`workbook-too-large`): what is too large, and the cell whose
/// reference is outside the grid (0-based row and column, when they fit) if it is one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct TooLarge {
    /// `workbook-too-large`, or `unreadable-workbook` for a reference calamine cannot take
    /// (a dimension whose end is before its start).
    pub code: &'static str,
    /// What was found and the limit it passes.
    pub message: String,
    /// The offending reference as written, with its position when that is a number.
    pub cell: Option<(String, Option<(u64, u64)>)>,
}

impl TooLarge {
    pub(super) fn new(message: String) -> Self {
        TooLarge {
            code: "workbook-too-large",
            message,
            cell: None,
        }
    }
}

/// The sizes a zip declares for its parts, checked before anything is unpacked, then each
/// part unpacked (into nothing) to check it holds no more than it declares: a zip bomb is
/// refused before calamine reads it. `Ok(())` also for bytes that are not a zip (calamine
/// says what they are).
pub(super) fn check_zip(bytes: &[u8]) -> Result<(), TooLarge> {
    let Ok(mut zip) = ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let mut declared: u64 = 0;
    let mut sizes = Vec::with_capacity(zip.len());
    for i in 0..zip.len() {
        let Ok(f) = zip.by_index_raw(i) else {
            return Ok(());
        };
        sizes.push((f.name().to_string(), f.size(), f.compressed_size()));
        declared = declared.saturating_add(f.size());
    }
    if declared > MAX_UNPACKED {
        let (name, size, packed) = sizes
            .iter()
            .max_by_key(|(_, s, _)| *s)
            .cloned()
            .unwrap_or_default();
        return Err(TooLarge::new(format!(
            "the workbook unpacks to {} MB (part `{name}`: {} MB from {} KB), more than ntm reads ({} MB)",
            mb(declared),
            mb(size),
            packed / 1024,
            mb(MAX_UNPACKED)
        )));
    }
    let mut total: u64 = 0;
    for (i, (name, size, _)) in sizes.iter().enumerate() {
        let Ok(f) = zip.by_index(i) else {
            // Encrypted or of an unknown method: calamine reports it.
            continue;
        };
        // One byte more than declared is enough to know it lies.
        let got =
            std::io::copy(&mut f.take(size.saturating_add(1)), &mut std::io::sink()).unwrap_or(0);
        total = total.saturating_add(got);
        if got > *size || total > MAX_UNPACKED {
            return Err(TooLarge::new(format!(
                "part `{name}` of the workbook unpacks to more than the {size} bytes it declares"
            )));
        }
    }
    Ok(())
}

fn mb(bytes: u64) -> u64 {
    bytes.div_ceil(1024 * 1024)
}

/// What the scan of one worksheet found.
#[derive(Debug, Default)]
pub(super) struct Scan {
    /// For each cell element (`<c>`) in document order, whether its style has a percent
    /// number format: calamine's cell reader yields one cell per element, in the same order.
    pub percent: Vec<bool>,
}

/// Scan worksheet `sheet` of the `.xlsx` `bytes`: every cell reference (`<dimension>`,
/// `<row r>`, `<c r>`, and the positions of cells written without one) must lie in Excel's
/// grid; cells with a percent format are flagged. `Ok(None)` when the workbook's parts
/// cannot be found or read: calamine then reports what is wrong.
pub(super) fn scan_sheet(bytes: &[u8], sheet: &str) -> Result<Option<Scan>, TooLarge> {
    let Ok(mut zip) = ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(None);
    };
    // calamine finds parts by lower-case name, the last of equal ones winning.
    let names: HashMap<String, String> = zip
        .file_names()
        .map(|n| (n.replace('\\', "/").to_ascii_lowercase(), n.to_string()))
        .collect();
    let name = |path: &str| -> String {
        names
            .get(&path.to_ascii_lowercase())
            .cloned()
            .unwrap_or_else(|| path.to_string())
    };
    // Small parts are read whole; sizes were checked by `check_zip`.
    let mut part = |path: &str| -> Option<Vec<u8>> {
        let f = zip.by_name(&name(path)).ok()?;
        let mut out = Vec::new();
        f.take(MAX_UNPACKED).read_to_end(&mut out).ok()?;
        Some(out)
    };
    let Some(path) = part("xl/_rels/workbook.xml.rels")
        .zip(part("xl/workbook.xml"))
        .and_then(|(rels, book)| sheet_path(&rels, &book, sheet))
    else {
        return Ok(None);
    };
    let styles = part("xl/styles.xml")
        .map(|s| percent_styles(&s))
        .unwrap_or_default();
    // The worksheet streams: it is the large part.
    let Ok(f) = zip.by_name(&name(&path)) else {
        return Ok(None);
    };
    scan_cells(BufReader::new(f.take(MAX_UNPACKED)), &styles).map(Some)
}

/// The reader settings calamine's worksheet reader uses.
fn reader<R: BufRead>(r: R) -> Reader<R> {
    let mut r = Reader::from_reader(r);
    let config = r.config_mut();
    config.check_end_names = false;
    config.trim_text(false);
    config.check_comments = false;
    config.expand_empty_elements = true;
    r
}

fn attr(e: &BytesStart<'_>, local: &[u8]) -> Option<Vec<u8>> {
    e.attributes()
        .flatten()
        .find(|a| a.key.local_name().as_ref() == local)
        .map(|a| a.value.into_owned())
}

/// The path of the worksheet named `sheet`, as calamine resolves it.
fn sheet_path(rels: &[u8], book: &[u8], sheet: &str) -> Option<String> {
    let mut targets = HashMap::new();
    let mut r = reader(BufReader::new(rels));
    let mut buf = Vec::new();
    loop {
        buf.clear();
        match r.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == b"Relationship" => {
                let id = attr(&e, b"Id")?;
                let target = String::from_utf8(attr(&e, b"Target")?).ok()?;
                targets.insert(id, target);
            }
            Event::Eof => break,
            _ => {}
        }
    }
    let mut r = reader(BufReader::new(book));
    loop {
        buf.clear();
        match r.read_event_into(&mut buf).ok()? {
            Event::Start(e) if e.local_name().as_ref() == b"sheet" => {
                let name = e
                    .attributes()
                    .flatten()
                    .find(|a| a.key.as_ref() == b"name")
                    .and_then(|a| a.decode_and_unescape_value(r.decoder()).ok())?;
                if name != sheet {
                    continue;
                }
                let id = attr(&e, b"id")?;
                let t = targets.get(&id)?;
                return Some(if let Some(rest) = t.strip_prefix('/') {
                    rest.to_string()
                } else if t.starts_with("xl/") {
                    t.clone()
                } else {
                    format!("xl/{t}")
                });
            }
            Event::Eof => return None,
            _ => {}
        }
    }
}

/// For each cell style (`cellXfs`, by index), whether its number format is a percentage.
fn percent_styles(styles: &[u8]) -> Vec<bool> {
    let mut codes: HashMap<Vec<u8>, bool> = HashMap::new();
    let mut out = Vec::new();
    let mut r = reader(BufReader::new(styles));
    let mut buf = Vec::new();
    let mut in_xfs = false;
    loop {
        buf.clear();
        let Ok(ev) = r.read_event_into(&mut buf) else {
            return out;
        };
        match ev {
            Event::Start(e) => match e.local_name().as_ref() {
                b"numFmt" => {
                    let code = e
                        .attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == b"formatCode")
                        .and_then(|a| a.decode_and_unescape_value(r.decoder()).ok());
                    if let (Some(id), Some(code)) = (attr(&e, b"numFmtId"), code) {
                        codes.insert(id, is_percent_format(&code));
                    }
                }
                b"cellXfs" => in_xfs = true,
                b"xf" if in_xfs => {
                    let id = attr(&e, b"numFmtId").unwrap_or_else(|| b"0".to_vec());
                    let builtin = matches!(id.as_slice(), b"9" | b"10");
                    out.push(codes.get(&id).copied().unwrap_or(builtin));
                }
                _ => {}
            },
            Event::End(e) if e.local_name().as_ref() == b"cellXfs" => in_xfs = false,
            Event::Eof => return out,
            _ => {}
        }
    }
}

/// Whether an Excel number format shows numbers as percentages: a `%` in its first section
/// outside quotes, escapes (`\%`, `_%`, `*%`) and brackets (`[Red]`).
pub fn is_percent_format(code: &str) -> bool {
    let mut chars = code.chars();
    let mut quoted = false;
    let mut bracket = false;
    while let Some(c) = chars.next() {
        match c {
            '"' => quoted = !quoted,
            _ if quoted => {}
            '[' => bracket = true,
            ']' => bracket = false,
            _ if bracket => {}
            '\\' | '_' | '*' => {
                chars.next();
            }
            ';' => return false,
            '%' => return true,
            _ => {}
        }
    }
    false
}

/// A reference (`B7`, `XFD1048576`) → 0-based (row, column), if it is one in Excel's grid;
/// `Err` with the position when it reads as a reference outside the grid.
fn cell_ref(r: &[u8]) -> Result<(u32, u32), Option<(u64, u64)>> {
    let letters = r.iter().take_while(|b| b.is_ascii_alphabetic()).count();
    let (col, row) = r.split_at(letters);
    if letters == 0 || row.is_empty() || !row.iter().all(u8::is_ascii_digit) {
        return Err(None);
    }
    let mut c: u64 = 0;
    for b in col {
        c = c
            .saturating_mul(26)
            .saturating_add(u64::from(b.to_ascii_uppercase() - b'A') + 1);
    }
    let mut n: u64 = 0;
    for b in row {
        n = n.saturating_mul(10).saturating_add(u64::from(b - b'0'));
    }
    if n == 0 {
        return Err(None);
    }
    match (u32::try_from(n - 1), u32::try_from(c - 1)) {
        (Ok(row), Ok(col)) if row < MAX_ROWS && col < MAX_COLUMNS => Ok((row, col)),
        _ => Err(Some((n - 1, c - 1))),
    }
}

/// A row number (`<row r="7">`) → its 0-based index, if in the grid.
fn row_ref(r: &[u8]) -> Option<u32> {
    let s = std::str::from_utf8(r).ok()?;
    let n: u32 = s.parse().ok()?;
    (1..=MAX_ROWS).contains(&n).then(|| n - 1)
}

fn outside(what: &str, r: &[u8], pos: Option<(u64, u64)>) -> TooLarge {
    let text: String = String::from_utf8_lossy(r).chars().take(40).collect();
    TooLarge {
        code: "workbook-too-large",
        message: format!(
            "{what} `{text}` is outside Excel's grid ({MAX_ROWS} rows × {MAX_COLUMNS} columns, A1:XFD1048576)"
        ),
        cell: Some((text, pos)),
    }
}

/// The reference of a `<c>` or `<row>` element, wherever it is, in the grid.
fn check_any_ref(e: &BytesStart<'_>) -> Result<(), TooLarge> {
    match e.local_name().as_ref() {
        b"c" => match attr(e, b"r") {
            Some(cr) => cell_ref(&cr)
                .map(drop)
                .map_err(|pos| outside("cell", &cr, pos)),
            None => Ok(()),
        },
        b"row" => match attr(e, b"r") {
            Some(rr) => row_ref(&rr)
                .map(drop)
                .ok_or_else(|| outside("the row number", &rr, None)),
            None => Ok(()),
        },
        _ => Ok(()),
    }
}

/// Every reference of the worksheet XML in the grid, positions followed as calamine's cell
/// reader follows them; the percent flag of each cell.
fn scan_cells<R: BufRead>(xml: R, styles: &[bool]) -> Result<Scan, TooLarge> {
    let mut r = reader(xml);
    let mut buf = Vec::new();
    let mut scan = Scan::default();
    // Wider than u32, so counting past the grid cannot wrap.
    let (mut row, mut col): (u64, u64) = (0, 0);
    let mut in_data = false;
    loop {
        buf.clear();
        let Ok(ev) = r.read_event_into(&mut buf) else {
            // Malformed XML: calamine reports it.
            return Ok(scan);
        };
        match ev {
            Event::Start(e) => match e.local_name().as_ref() {
                b"dimension" if !in_data => {
                    if let Some(d) = attr(&e, b"ref") {
                        let mut corners = Vec::new();
                        for part in d.split(|&b| b == b':') {
                            corners.push(
                                cell_ref(part)
                                    .map_err(|pos| outside("the declared dimension", &d, pos))?,
                            );
                        }
                        // calamine subtracts the start from the end.
                        if let [(r0, c0), (r1, c1)] = corners[..]
                            && (r0 > r1 || c0 > c1)
                        {
                            let text: String =
                                String::from_utf8_lossy(&d).chars().take(40).collect();
                            return Err(TooLarge {
                                code: "unreadable-workbook",
                                message: format!(
                                    "the declared dimension `{text}` ends before it starts"
                                ),
                                cell: Some((text, None)),
                            });
                        }
                    }
                }
                b"sheetData" => in_data = true,
                b"row" if in_data => {
                    if let Some(rr) = attr(&e, b"r") {
                        row = u64::from(
                            row_ref(&rr).ok_or_else(|| outside("the row number", &rr, None))?,
                        );
                    }
                }
                b"c" if in_data => {
                    if let Some(cr) = attr(&e, b"r") {
                        let (_, c) = cell_ref(&cr).map_err(|pos| outside("cell", &cr, pos))?;
                        col = u64::from(c);
                    }
                    if row >= u64::from(MAX_ROWS) || col >= u64::from(MAX_COLUMNS) {
                        let text = format!("row {} column {}", row + 1, col + 1);
                        return Err(outside("a cell", text.as_bytes(), Some((row, col))));
                    }
                    let percent = attr(&e, b"s")
                        .and_then(|s| std::str::from_utf8(&s).ok()?.parse::<usize>().ok())
                        .and_then(|s| styles.get(s).copied())
                        .unwrap_or(false);
                    scan.percent.push(percent);
                    // calamine reads the cell's content up to `</c>`; nothing in it moves
                    // the position. References inside are checked all the same, so that a
                    // malformed cell cannot hide one from this scan that calamine then reads.
                    loop {
                        buf.clear();
                        match r.read_event_into(&mut buf) {
                            Ok(Event::Start(e)) => check_any_ref(&e)?,
                            Ok(Event::End(e)) if e.local_name().as_ref() == b"c" => break,
                            Ok(Event::Eof) | Err(_) => return Ok(scan),
                            _ => {}
                        }
                    }
                    col += 1;
                }
                _ => {}
            },
            Event::End(e) => match e.local_name().as_ref() {
                b"row" if in_data => {
                    row += 1;
                    col = 0;
                }
                b"sheetData" if in_data => return Ok(scan),
                _ => {}
            },
            Event::Eof => return Ok(scan),
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn percent_formats_are_told_from_others() {
        for code in ["0%", "0.0%", "0.00%", "#,##0.0%", "[Blue]0%", "0%;[Red]-0%"] {
            assert!(is_percent_format(code), "{code}");
        }
        for code in [
            "0", "General", "0.00", "\"%\"0", "0\\%", "0_%", "0*%", "[%]0", "0;0%", "d/m/yyyy",
        ] {
            assert!(!is_percent_format(code), "{code}");
        }
    }

    #[test]
    fn references_are_checked_against_the_grid() {
        assert_eq!(cell_ref(b"A1"), Ok((0, 0)));
        assert_eq!(cell_ref(b"XFD1048576"), Ok((1_048_575, 16_383)));
        assert_eq!(cell_ref(b"xfd1"), Ok((0, 16_383)));
        assert_eq!(cell_ref(b"XFE1"), Err(Some((0, 16_384))));
        assert_eq!(cell_ref(b"A1048577"), Err(Some((1_048_576, 0))));
        assert!(cell_ref(b"ZZZZZZ99999999").is_err());
        assert!(cell_ref(b"ZZZZZZZZZZZZZZZZZZZZZZZZZZZZZ9999999999999999999999999").is_err());
        assert_eq!(cell_ref(b"A0"), Err(None));
        assert_eq!(cell_ref(b"11"), Err(None));
        assert_eq!(row_ref(b"1048576"), Some(1_048_575));
        assert_eq!(row_ref(b"1048577"), None);
        assert_eq!(row_ref(b"99999999999999"), None);
    }
}
