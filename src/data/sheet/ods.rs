//! The grid an `.ods` spreadsheet makes calamine build, estimated before calamine builds it.
//!
//! calamine reads every table of an OpenDocument spreadsheet when it opens the file, and
//! expands repeated rows and columns (`table:number-rows-repeated`,
//! `table:number-columns-repeated`) into a grid of every cell from the first to the last one
//! holding a value: a few bytes of XML can ask for Excel's whole grid, 17 billion cells. Here
//! the XML is read once, nothing kept, and the grid each table would make is bounded from
//! above; past [`super::MAX_CELLS`] cells the file is refused. Pure: bytes in, a verdict out.

use std::io::{BufReader, Cursor, Read};

use quick_xml::Reader;
use quick_xml::events::{BytesStart, Event};
use zip::ZipArchive;

use super::xlsx::{MAX_COLUMNS, MAX_ROWS, MAX_UNPACKED, TooLarge};

/// A repeat count as calamine reads it (1 when absent; a count it cannot parse makes it fail,
/// so 1 here too).
fn repeats(e: &BytesStart<'_>, key: &[u8]) -> u64 {
    e.attributes()
        .flatten()
        .find(|a| a.key.as_ref() == key)
        .and_then(|a| std::str::from_utf8(&a.value).ok()?.trim().parse().ok())
        .unwrap_or(1)
}

fn has_value(e: &BytesStart<'_>) -> bool {
    e.attributes()
        .flatten()
        .any(|a| a.key.as_ref() == b"office:value-type" || a.key.as_ref() == b"table:formula")
}

/// The grid of one table so far.
#[derive(Default)]
struct Table {
    /// Rows read, repeats counted (capped at Excel's grid, as calamine caps them).
    rows: u64,
    /// Rows up to the last one holding a value.
    used_rows: u64,
    /// Columns up to the last cell holding a value, in any row.
    used_cols: u64,
}

/// Refuse an `.ods` whose tables would make calamine build more than `max_cells` cells.
/// `Ok(())` for bytes that are not a zip with a `content.xml` (calamine says what they are).
pub(super) fn check(bytes: &[u8], max_cells: u64) -> Result<(), TooLarge> {
    let Ok(mut zip) = ZipArchive::new(Cursor::new(bytes)) else {
        return Ok(());
    };
    let Ok(content) = zip.by_name("content.xml") else {
        return Ok(());
    };
    let mut r = Reader::from_reader(BufReader::new(content.take(MAX_UNPACKED)));
    r.config_mut().check_end_names = false;
    let mut buf = Vec::new();
    let mut total: u64 = 0;
    let mut table = Table::default();
    // Within a row: the next column, and the last column holding a value.
    let (mut col, mut row_used) = (0u64, 0u64);
    let mut row_repeats = 1u64;
    // A cell opened and not closed: its first column, repeats, and whether it holds a value.
    let mut cell: Option<(u64, u64, bool)> = None;
    let close_cell = |cell: &mut Option<(u64, u64, bool)>, col: &mut u64, used: &mut u64| {
        if let Some((at, n, value)) = cell.take() {
            let end = at.saturating_add(n).min(u64::from(MAX_COLUMNS));
            if value {
                *used = (*used).max(end);
            }
            *col = end;
        }
    };
    loop {
        buf.clear();
        let Ok(ev) = r.read_event_into(&mut buf) else {
            return Ok(());
        };
        let empty = matches!(ev, Event::Empty(_));
        match ev {
            Event::Start(e) | Event::Empty(e) => match e.name().as_ref() {
                b"table:table" => table = Table::default(),
                b"table:table-row" => {
                    row_repeats = repeats(&e, b"table:number-rows-repeated");
                    (col, row_used) = (0, 0);
                    cell = None;
                    if empty {
                        let left = u64::from(MAX_ROWS).saturating_sub(table.rows);
                        table.rows += row_repeats.min(left);
                    }
                }
                b"table:table-cell" | b"table:covered-table-cell" => {
                    close_cell(&mut cell, &mut col, &mut row_used);
                    cell = Some((
                        col,
                        repeats(&e, b"table:number-columns-repeated"),
                        has_value(&e),
                    ));
                    if empty {
                        close_cell(&mut cell, &mut col, &mut row_used);
                    }
                }
                // Text in a cell is a value.
                _ => {
                    if let Some((_, _, value)) = cell.as_mut() {
                        *value = true;
                    }
                }
            },
            Event::End(e) => match e.name().as_ref() {
                b"table:table-cell" | b"table:covered-table-cell" => {
                    close_cell(&mut cell, &mut col, &mut row_used);
                }
                b"table:table-row" => {
                    close_cell(&mut cell, &mut col, &mut row_used);
                    let left = u64::from(MAX_ROWS).saturating_sub(table.rows);
                    table.rows += row_repeats.min(left);
                    if row_used > 0 {
                        table.used_rows = table.rows;
                        table.used_cols = table.used_cols.max(row_used);
                    }
                }
                b"table:table" => {
                    total = total.saturating_add(table.used_rows.saturating_mul(table.used_cols));
                    if total > max_cells {
                        return Err(TooLarge::new(format!(
                            "the spreadsheet's tables span {} rows × {} columns with their repeated rows and columns, more than the {max_cells} cells ntm reads",
                            table.used_rows, table.used_cols
                        )));
                    }
                    table = Table::default();
                }
                _ => {}
            },
            Event::Eof => return Ok(()),
            _ => {}
        }
    }
}
