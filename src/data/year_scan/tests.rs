//! The shortcut counts exactly what the csv parser reads, or steps aside.

use proptest::prelude::*;

use super::*;

/// The years as `cmd::choose` counted them before the shortcut: every record through the
/// parser, `None` when a record lacks the field or its cell is not UTF-8.
fn through_the_parser(
    bytes: &[u8],
    delimiter: u8,
    skip: u64,
    col: usize,
) -> Option<BTreeMap<i32, usize>> {
    let mut rdr = crate::data::records::oracle::csv_records(bytes, delimiter);
    let mut rec = csv::ByteRecord::new();
    let mut years = BTreeMap::new();
    let mut n = 0u64;
    while rdr.read_byte_record(&mut rec).ok()? {
        n += 1;
        if n <= skip {
            continue;
        }
        let cell = rec.get(col).and_then(|c| std::str::from_utf8(c).ok())?;
        if let Ok(y) = cell.trim().parse::<i32>()
            && (1900..=2100).contains(&y)
        {
            *years.entry(y).or_insert(0) += 1;
        }
    }
    Some(years)
}

/// The scan with reads of the default size; and the same answer with reads sized to the
/// text, and of a few bytes (the fewest included).
fn scan(bytes: &[u8], delimiter: u8, skip: u64, col: usize) -> Option<BTreeMap<i32, usize>> {
    let got = scan_years(bytes, delimiter, skip, col, None).expect("a slice reads");
    let sized = scan_years(bytes, delimiter, skip, col, Some(bytes.len() as u64));
    assert_eq!(
        sized.expect("a slice reads"),
        got,
        "reads sized to the text"
    );
    for chunk in [MIN_CHUNK, 4, 7, 64] {
        let small = scan_chunks(bytes, delimiter, skip, col, chunk).expect("a slice reads");
        assert_eq!(small, got, "reads of {chunk} bytes");
    }
    got
}

#[test]
fn counts_the_years_after_the_header() {
    let text = b"year,code\n2025,1\n\n2025 ,2\r\n2026,3\n1899,4\nabc,5\n2024,6";
    let want: BTreeMap<i32, usize> = [(2024, 1), (2025, 2), (2026, 1)].into();
    assert_eq!(scan(text, b',', 1, 0), Some(want.clone()));
    assert_eq!(through_the_parser(text, b',', 1, 0), Some(want));
}

#[test]
fn reads_past_quoted_fields_after_the_year() {
    // Decimal commas quoted, a quoted field over two lines, a doubled quote, a quote inside
    // an unquoted field, a quote closing the file.
    let text = b"year,a,b\n2025,\"71,4\",x\n2026,\"two\nlines\",\"say \"\"hi\"\"\"\n2025,a\"b,c\n2024,\"1,5\"";
    let want: BTreeMap<i32, usize> = [(2024, 1), (2025, 2), (2026, 1)].into();
    assert_eq!(through_the_parser(text, b',', 1, 0), Some(want.clone()));
    assert_eq!(scan(text, b',', 1, 0), Some(want));
}

#[test]
fn steps_aside_where_the_parser_reads_otherwise_or_fails() {
    // A quoted cell, a byte-order mark, a record without the field, a cell not UTF-8.
    for text in [
        &b"year,name\n2025,\"a,b\"\n"[..],
        b"\xEF\xBB\xBFyear,code\n2025,1\n",
        b"code,year\n1,2025\n2\n",
        b"code,year\n1,20\xFF25\n",
    ] {
        assert_eq!(scan(text, b',', 1, 1), None, "{text:?}");
    }
    let long = format!("year,code\n2025,{}\n", "9".repeat(LINE_LIMIT + 1));
    assert_eq!(scan(long.as_bytes(), b',', 1, 0), None);
}

#[test]
fn lines_across_chunks_are_counted_once() {
    let mut text = b"year;code\n".to_vec();
    let mut rows = 0;
    while text.len() < 3 * CHUNK {
        // A quoted field after the year, over two lines every third record.
        let sep = if rows % 3 == 0 { "\n" } else { "," };
        text.extend_from_slice(format!("{};\"{rows}{sep}5\"\n", 2021 + rows % 5).as_bytes());
        rows += 1;
    }
    let got = scan(&text, b';', 1, 0).expect("plain");
    assert_eq!(got.values().sum::<usize>(), rows);
    assert_eq!(Some(got), through_the_parser(&text, b';', 1, 0));
}

/// Up to `n` pieces of a CSV-like text: years, delimiters, line ends, quotes alone and in
/// fields (over two lines too), a byte-order mark, bytes that are not UTF-8.
fn pieces(n: usize) -> impl Strategy<Value = Vec<&'static [u8]>> {
    prop::collection::vec(
        prop::sample::select(vec![
            &b"2025"[..],
            b"2026",
            b"1899",
            b" 2030 ",
            b"x",
            b"",
            b",",
            b";",
            b"\n",
            b"\n\n",
            b"\r",
            b"\r\n",
            b"\"",
            b"\"\"",
            b",\"",
            b"\",",
            b"\"\n",
            b"\xEF\xBB\xBF",
            b"\xFF",
            b"\xC3\xA1",
            b"-7",
            b" ",
            b"2025,\"1,5\"\n",
            b"2024,\"a\nb\"\n",
            // Quoted cells past a word, for the closing quote looked for in one (issue #14).
            b"\"a cell longer than a word; with , in it\"",
            b"\"say \"\"hi\"\"\"",
            b"x#",
        ]),
        0..n,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    #[test]
    fn agrees_with_the_parser(
        pieces in pieces(40),
        delimiter in prop::sample::select(vec![b',', b';']),
        skip in 0u64..3,
        col in 0usize..3,
    ) {
        let bytes: Vec<u8> = pieces.concat();
        let got = scan(&bytes, delimiter, skip, col);
        let want = through_the_parser(&bytes, delimiter, skip, col);
        if got.is_some() {
            prop_assert_eq!(&got, &want);
        } else if !bytes.contains(&b'"') && !bytes.starts_with(b"\xEF\xBB\xBF") {
            prop_assert_eq!(want, None);
        }
    }
}

/// [`split_at`] over `bytes` split from `mid`, read `chunk` bytes at a time.
fn split(
    bytes: &[u8],
    delimiter: u8,
    skip: u64,
    col: usize,
    chunk: usize,
    mid: usize,
) -> Option<BTreeMap<i32, usize>> {
    let open_at = |offset: u64| -> std::io::Result<&[u8]> {
        Ok(&bytes[usize::try_from(offset).expect("small").min(bytes.len())..])
    };
    split_at(
        &open_at,
        bytes.len() as u64,
        delimiter,
        skip,
        col,
        chunk,
        mid as u64,
    )
    .expect("a slice reads")
}

#[test]
fn halves_that_meet_inside_a_quoted_newline_are_read_again_whole() {
    // The middle falls in the quoted field over two lines: the second half would start
    // inside it and read `lines",x` as a record of its own.
    let text = b"year,a\n2025,\"two\n2024,lines\",x\n2026,b\n";
    let mid = text.iter().position(|&b| b == b'\n').expect("a line") + 5;
    let want: BTreeMap<i32, usize> = [(2025, 1), (2026, 1)].into();
    assert_eq!(through_the_parser(text, b',', 1, 0), Some(want.clone()));
    assert_eq!(split(text, b',', 1, 0, 4, mid), Some(want));
}

#[test]
fn a_large_file_is_counted_in_halves_as_whole() {
    let mut text = b"year;code\n".to_vec();
    let mut rows = 0;
    while text.len() < 2 * SPLIT_MIN as usize + 10 {
        let sep = if rows % 3 == 0 { "\n" } else { "," };
        text.extend_from_slice(format!("{};\"{rows}{sep}5\"\n", 2021 + rows % 5).as_bytes());
        rows += 1;
    }
    let open_at = |offset: u64| -> std::io::Result<&[u8]> {
        Ok(&text[usize::try_from(offset).expect("small")..])
    };
    let got = scan_years_split(open_at, text.len() as u64, b';', 1, 0).expect("reads");
    assert_eq!(got.as_ref().map(|y| y.values().sum::<usize>()), Some(rows));
    assert_eq!(got, scan_years(&text[..], b';', 1, 0, None).expect("reads"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1024))]

    /// Split anywhere, read in any size, the halves count what one scan of the whole counts
    /// (or step aside where it does).
    #[test]
    fn halves_count_what_the_whole_counts(
        pieces in pieces(60),
        delimiter in prop::sample::select(vec![b',', b';']),
        skip in 0u64..3,
        col in 0usize..3,
        chunk in prop::sample::select(vec![MIN_CHUNK, 4, 7, 64, 4096]),
        mid in any::<prop::sample::Index>(),
    ) {
        let bytes: Vec<u8> = pieces.concat();
        let whole = scan_chunks(&bytes[..], delimiter, skip, col, chunk).expect("a slice reads");
        let mid = mid.index(bytes.len() + 1);
        prop_assert_eq!(split(&bytes, delimiter, skip, col, chunk, mid), whole);
    }
}

/// [`record_end`] read one byte at a time, as the module's header states the rules: a `"` at
/// a field's start opens a quoted field, which a `"` not followed by another closes; any other
/// `"` is text; a `\n` outside quotes ends the record. The oracle of the reading by needles
/// (issue #14).
fn record_end_byte_by_byte(
    data: &[u8],
    start: usize,
    delimiter: u8,
) -> Option<(usize, Option<usize>)> {
    let mut first_quote = None;
    let mut field_start = true;
    let mut quoted = false;
    let mut i = start;
    while let Some(&b) = data.get(i) {
        if quoted {
            if b == b'"' {
                // `""` is a quote; one alone closes the field, once the next byte is known.
                match data.get(i + 1)? {
                    b'"' => i += 1,
                    _ => quoted = false,
                }
            }
        } else if b == b'\n' {
            return Some((i, first_quote));
        } else if b == b'"' {
            first_quote.get_or_insert(i);
            quoted = field_start;
            field_start = false;
        } else {
            field_start = b == delimiter;
        }
        i += 1;
    }
    None
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2048))]

    /// From every record start, the end and the first quote are those of the reading byte by
    /// byte (issue #14).
    #[test]
    fn record_ends_where_reading_byte_by_byte_ends_it(
        pieces in pieces(40),
        delimiter in prop::sample::select(vec![b',', b';']),
    ) {
        let text = pieces.concat();
        for start in (0..text.len()).filter(|&s| text[s] != b'\n') {
            prop_assert_eq!(
                record_end(&text, start, delimiter),
                record_end_byte_by_byte(&text, start, delimiter),
                "from byte {}", start
            );
        }
    }

    /// The word read at once finds the first quote, whatever bytes lie around it (`#` and
    /// `\xA2` differ from a quote by one bit; a zero byte is what the word looks for).
    #[test]
    fn next_quote_is_the_first_quote(
        bytes in prop::collection::vec(
            prop::sample::select(vec![b'"', b'#', b'!', b'a', 0xA2, 0x00, 0x01, 0xFF]),
            0..40,
        ),
        from in any::<prop::sample::Index>(),
    ) {
        let from = from.index(bytes.len() + 1);
        let want = bytes[from..].iter().position(|&b| b == b'"').map(|k| from + k);
        prop_assert_eq!(next_quote(&bytes, from), want);
    }
}

#[test]
fn a_year_cell_read_again_counts_as_the_first_time() {
    // The same cell again, one that starts like it, one spaced, one longer than the cells
    // remembered, one not a year.
    let long = format!("{}2025", " ".repeat(LAST));
    let text = format!(
        "year,x\n2025,a\n2025,b\n20251,c\n 2025,d\n2025,e\n{long},f\n{long},g\nabcd,h\n2026,i\n2025,j\n"
    );
    let want: BTreeMap<i32, usize> = [(2025, 7), (2026, 1)].into();
    assert_eq!(
        through_the_parser(text.as_bytes(), b',', 1, 0),
        Some(want.clone())
    );
    assert_eq!(scan(text.as_bytes(), b',', 1, 0), Some(want));
}
