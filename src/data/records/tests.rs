//! Positions and the size cap of CSV records.

use super::{CsvRecords, RecordTooLarge, csv_records};

/// Each record's (line, byte offset, first field), or the error that ended the stream.
fn positions(text: &[u8], limit: u64) -> (Vec<(u64, u64, String)>, Option<RecordTooLarge>) {
    let mut rdr = CsvRecords::with_limit(text, b',', limit);
    let mut rec = csv::ByteRecord::new();
    let mut out = Vec::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => {
                let pos = rec.position().expect("position");
                let first = String::from_utf8_lossy(rec.get(0).unwrap_or_default()).into_owned();
                out.push((pos.line(), pos.byte(), first));
            }
            Ok(false) => return (out, None),
            Err(e) => {
                let big = match e.kind() {
                    csv::ErrorKind::Io(io) => io
                        .get_ref()
                        .and_then(|e| e.downcast_ref::<RecordTooLarge>())
                        .copied(),
                    _ => None,
                };
                return (out, Some(big.expect("record-too-large")));
            }
        }
    }
}

fn lines(text: &[u8]) -> Vec<u64> {
    positions(text, super::RECORD_LIMIT)
        .0
        .iter()
        .map(|p| p.0)
        .collect()
}

#[test]
fn blank_lf_lines_count() {
    // The csv crate alone says 1, 2, 3.
    assert_eq!(lines(b"H\nrow\n\n\nbadrow\n"), [1, 2, 5]);
    assert_eq!(lines(b"H\nrow\n\n\nbadrow"), [1, 2, 5]);
    assert_eq!(lines(b"\n\nH\nrow\n"), [3, 4]);
    assert_eq!(lines(b"\xEF\xBB\xBF\n\nH\nrow\n"), [3, 4]);
}

#[test]
fn blank_crlf_lines_are_records() {
    assert_eq!(lines(b"H\r\nrow\r\n\r\n\r\nbadrow\r\n"), [1, 2, 3, 4, 5]);
}

#[test]
fn byte_offsets_are_record_starts() {
    let (got, _) = positions(b"H\n\n\nrow\n", 1 << 20);
    assert_eq!(got[1], (4, 4, "row".to_string()));
}

#[test]
fn quoted_newlines_count_from_the_record_start() {
    assert_eq!(lines(b"H\n\"a\nb\",1\n\nnext\n"), [1, 2, 5]);
}

#[test]
fn blank_runs_across_chunks() {
    // More blank lines than the parser's 64 KiB buffer holds.
    let mut text = b"H\n".to_vec();
    text.extend(std::iter::repeat_n(b'\n', 200_000));
    text.extend_from_slice(b"row\n");
    assert_eq!(lines(&text), [1, 200_002]);
}

#[test]
fn a_record_of_exactly_the_limit_is_read() {
    // `H\n` is 2 bytes, `xxxxxxx\n` 8.
    let (got, err) = positions(b"H\nxxxxxxx\n", 8);
    assert_eq!(got.len(), 2);
    assert_eq!(err, None);
    let (got, err) = positions(b"H\nxxxxxxxx", 8);
    assert_eq!((got.len(), err), (2, None));
}

#[test]
fn a_record_over_the_limit_is_an_error_naming_its_line() {
    let (got, err) = positions(b"H\n\n\nxxxxxxxx\nnext\n", 8);
    assert_eq!(got.len(), 1);
    assert_eq!(
        err,
        Some(RecordTooLarge {
            line: 4,
            byte: 4,
            limit: 8
        })
    );
}

#[test]
fn an_endless_record_stops_at_the_limit() {
    // A reader that never ends: the cap stops it.
    let zeros = std::io::repeat(0);
    let mut rdr = csv_records(zeros, b',');
    let mut rec = csv::ByteRecord::new();
    let e = rdr.read_byte_record(&mut rec).expect_err("too large");
    assert!(e.to_string().contains("longer than 1 MiB"), "{e}");
}

/// A stream of zeros handed on in chunks of 128 KiB, counting them.
struct Zeros(usize);

impl super::Chunks for Zeros {
    fn next_chunk(&mut self, _want: usize, _spent: Vec<u8>) -> std::io::Result<Vec<u8>> {
        self.0 += 1;
        Ok(vec![0; 1 << 17])
    }
}

#[test]
fn an_endless_record_in_whole_chunks_stops_at_the_limit() {
    let mut rdr = CsvRecords::from_chunks(Zeros(0), b',', super::RECORD_LIMIT);
    let mut rec = super::Fields::new();
    let e = rdr.read_fields(&mut rec).expect_err("too large");
    assert!(e.to_string().contains("longer than 1 MiB"), "{e}");
    // 1 MiB and one byte: nine chunks, the carry never past the limit and a piece.
    assert_eq!(rdr.inner.0, 9);
    assert!(
        rdr.buf.len() as u64 <= super::RECORD_LIMIT + 1,
        "{}",
        rdr.buf.len()
    );
}

#[test]
fn records_cut_by_chunk_ends_are_carried_and_the_rest_split_in_place() {
    // Rows of 10 bytes in chunks of 10 005: each chunk ends inside a row.
    let text: Vec<u8> = (0..5000)
        .flat_map(|i| format!("{i:05},abc\n").into_bytes())
        .collect();
    let stream = Chunked {
        data: &text,
        sizes: &[10_005],
        reads: 0,
        fail_at: None,
        read: 0,
    };
    let mut rdr = CsvRecords::from_chunks(Whole(stream), b',', super::RECORD_LIMIT);
    let mut rec = super::Fields::new();
    let mut n = 0u64;
    while rdr.read_fields(&mut rec).expect("reads") {
        let pos = rec.position().expect("position");
        assert_eq!((pos.line(), pos.byte()), (n + 1, 10 * n));
        assert_eq!(rec.get(0), Some(format!("{n:05}").as_bytes()));
        // Never more at hand than a chunk, or a carried row and a piece of the next chunk
        // (not all of it).
        assert!(rdr.buf.len() <= 10_005, "{}", rdr.buf.len());
        n += 1;
    }
    assert_eq!(n, 5000);
}

proptest::proptest! {
    /// Every data record is reported at the line an editor shows it on, whatever blank or
    /// whitespace-only lines come before it and whether lines end with LF or CRLF.
    #[test]
    fn lines_are_editor_lines(
        kinds in proptest::collection::vec(0u8..4, 1..60),
        crlf in proptest::bool::ANY,
        final_newline in proptest::bool::ANY,
    ) {
        let end = if crlf { "\r\n" } else { "\n" };
        let mut text = String::new();
        let mut want = Vec::new();
        let mut line = 1;
        for (i, k) in kinds.iter().enumerate() {
            match k {
                0 => {}
                1 => text.push_str(" \t "),
                2 => text.push_str(",,"),
                _ => {
                    // A data record whose quoted cell spans two lines.
                    text.push_str(&format!("row{i},\"a{end}b\""));
                    want.push(line);
                    line += 1;
                }
            }
            line += 1;
            if i + 1 < kinds.len() || final_newline {
                text.push_str(end);
            }
        }
        let (got, err) = positions(text.as_bytes(), super::RECORD_LIMIT);
        proptest::prop_assert_eq!(err, None);
        let got: Vec<u64> = got
            .iter()
            .filter(|(_, _, first)| first.starts_with("row"))
            .map(|(line, _, _)| *line)
            .collect();
        proptest::prop_assert_eq!(got, want);
    }
}

/// A reader handing on one byte per read: every record start falls on a chunk's edge.
struct OneByte<'a>(&'a [u8]);

impl std::io::Read for OneByte<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        match (self.0.split_first(), buf.first_mut()) {
            (Some((b, rest)), Some(out)) => {
                *out = *b;
                self.0 = rest;
                Ok(1)
            }
            _ => Ok(0),
        }
    }
}

#[test]
fn lines_are_right_when_every_read_is_one_byte() {
    let text = b"\nH\n\n\n\"a\nb\",1\n\n\nrow\n\n";
    let mut rdr = CsvRecords::with_limit(OneByte(text), b',', 1 << 20);
    let mut rec = csv::ByteRecord::new();
    let mut lines = Vec::new();
    while rdr.read_byte_record(&mut rec).expect("reads") {
        lines.push(rec.position().expect("position").line());
    }
    assert_eq!(lines, [2, 5, 9]);
}

/// A stream handing its bytes on in reads of the given sizes (in turn), failing once
/// `fail_at` bytes were read, when set.
struct Chunked<'a> {
    data: &'a [u8],
    sizes: &'a [usize],
    reads: usize,
    fail_at: Option<usize>,
    read: usize,
}

impl std::io::Read for Chunked<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.fail_at.is_some_and(|at| self.read >= at) {
            return Err(std::io::Error::other("the disk is gone"));
        }
        let size = self.sizes[self.reads % self.sizes.len()];
        self.reads += 1;
        let mut n = size.min(buf.len()).min(self.data.len());
        if let Some(at) = self.fail_at {
            n = n.min(at - self.read);
        }
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        self.read += n;
        Ok(n)
    }
}

/// A record as both readers give it: fields, line, byte offset, record index.
type Seen = (Vec<Vec<u8>>, u64, u64, u64);

/// How the records ended: at the end, a record over the limit, or another error's text.
#[derive(Debug, PartialEq)]
enum Ended {
    End,
    TooLarge(RecordTooLarge),
    Other(String),
}

fn ended(e: &csv::Error) -> Ended {
    match e.kind() {
        csv::ErrorKind::Io(io) => match io.get_ref().and_then(|e| e.downcast_ref()) {
            Some(big) => Ended::TooLarge(*big),
            None => Ended::Other(e.to_string()),
        },
        _ => Ended::Other(e.to_string()),
    }
}

fn seen(pos: Option<&csv::Position>, fields: Vec<Vec<u8>>) -> Seen {
    let pos = pos.expect("a position");
    (fields, pos.line(), pos.byte(), pos.record())
}

/// Through the csv crate, as the reader did before it split records itself.
fn through_the_csv_crate(stream: Chunked<'_>, delimiter: u8, limit: u64) -> (Vec<Seen>, Ended) {
    let mut rdr = super::oracle::CsvRecords::with_limit(stream, delimiter, limit);
    let mut rec = csv::ByteRecord::new();
    let mut out = Vec::new();
    loop {
        match rdr.read_byte_record(&mut rec) {
            Ok(true) => out.push(seen(
                rec.position(),
                rec.iter().map(<[u8]>::to_vec).collect(),
            )),
            Ok(false) => return (out, Ended::End),
            Err(e) => return (out, ended(&e)),
        }
    }
}

/// The stream of a [`Chunked`] handed on in chunks of its read sizes, whole, whatever the
/// splitter wants (as the file thread hands on what it read): none spans the failing offset.
struct Whole<'a>(Chunked<'a>);

impl super::Chunks for Whole<'_> {
    fn next_chunk(&mut self, _want: usize, spent: Vec<u8>) -> std::io::Result<Vec<u8>> {
        let s = &mut self.0;
        if s.fail_at.is_some_and(|at| s.read >= at) {
            return Err(std::io::Error::other("the disk is gone"));
        }
        let size = s.sizes[s.reads % s.sizes.len()];
        s.reads += 1;
        let mut n = size.min(s.data.len());
        if let Some(at) = s.fail_at {
            n = n.min(at - s.read);
        }
        // A spent buffer is filled again, as the file thread does.
        let mut chunk = spent;
        chunk.clear();
        chunk.extend_from_slice(&s.data[..n]);
        s.data = &s.data[n..];
        s.read += n;
        Ok(chunk)
    }
}

/// Through this module's reader, one `Fields` reused for every record.
fn through_the_splitter(stream: Chunked<'_>, delimiter: u8, limit: u64) -> (Vec<Seen>, Ended) {
    split_all(CsvRecords::with_limit(stream, delimiter, limit))
}

/// Through this module's reader, taking the stream's chunks whole ([`Whole`]).
fn through_the_splitter_in_chunks(
    stream: Chunked<'_>,
    delimiter: u8,
    limit: u64,
) -> (Vec<Seen>, Ended) {
    split_all(CsvRecords::from_chunks(Whole(stream), delimiter, limit))
}

fn split_all<C: super::Chunks>(mut rdr: CsvRecords<C>) -> (Vec<Seen>, Ended) {
    let mut rec = super::Fields::new();
    let mut out = Vec::new();
    loop {
        match rdr.read_fields(&mut rec) {
            Ok(true) => {
                let fields: Vec<Vec<u8>> = (0..rec.len())
                    .map(|i| rec.get(i).expect("a field").to_vec())
                    .collect();
                assert_eq!(fields, rec.iter().map(<[u8]>::to_vec).collect::<Vec<_>>());
                out.push(seen(rec.position(), fields));
            }
            Ok(false) => {
                // And it stays ended.
                assert!(!rdr.read_fields(&mut rec).expect("ended"));
                return (out, Ended::End);
            }
            Err(e) => {
                assert!(!rdr.read_fields(&mut rec).expect("stopped"));
                return (out, ended(&e));
            }
        }
    }
}

#[test]
fn quoted_fields_read_as_the_csv_crate_reads_them() {
    let text: &[u8] = b"a,\"b,c\",\"d\"\"e\",\"f\"g\"h,i\"j,\"k\nl\"\n\"\"\n\"open";
    let stream = |sizes| Chunked {
        data: text,
        sizes,
        reads: 0,
        fail_at: None,
        read: 0,
    };
    let (got, end) = through_the_splitter(stream(&[1 << 20]), b',', 1 << 20);
    let fields: Vec<Vec<&[u8]>> = got
        .iter()
        .map(|(f, ..)| f.iter().map(Vec::as_slice).collect())
        .collect();
    assert_eq!(
        fields,
        [
            vec![&b"a"[..], b"b,c", b"d\"e", b"fg\"h", b"i\"j", b"k\nl"],
            vec![b""],
            vec![b"open"],
        ]
    );
    assert_eq!(end, Ended::End);
    assert_eq!(
        through_the_splitter(stream(&[3, 1, 2]), b',', 1 << 20),
        through_the_csv_crate(stream(&[3, 1, 2]), b',', 1 << 20)
    );
}

#[test]
fn a_byte_order_mark_is_dropped_only_when_the_first_read_holds_it() {
    let text = b"\xEF\xBB\xBF\n\nH,x\nrow\n";
    for sizes in [&[1usize][..], &[2], &[3], &[64]] {
        let stream = || Chunked {
            data: text,
            sizes,
            reads: 0,
            fail_at: None,
            read: 0,
        };
        assert_eq!(
            through_the_splitter(stream(), b',', 1 << 20),
            through_the_csv_crate(stream(), b',', 1 << 20),
            "reads of {sizes:?}"
        );
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(4096))]

    /// Fields, lines, byte offsets, record indexes, the size cap and read errors are the csv
    /// crate's, whatever the bytes and however the stream hands them on.
    #[test]
    fn splits_as_the_csv_crate(
        pieces in proptest::collection::vec(proptest::sample::select(vec![
            &b"a"[..], b"bc", b"12,5", b"\xC3\xA1", b",", b";", b"\t", b"\"", b"\"\"", b",\"",
            b"\",", b"\"\n", b"\n", b"\n\n", b"\r", b"\r\n", b" ", b"\xEF\xBB\xBF", b"\xFF",
            b"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
        ]), 0..60),
        bom in proptest::bool::weighted(0.2),
        delimiter in proptest::sample::select(vec![b',', b';', b'\t']),
        limit in proptest::prop_oneof![proptest::strategy::Just(1u64 << 20), 1u64..48],
        sizes in proptest::collection::vec(proptest::prop_oneof![1usize..9, 9usize..300, proptest::strategy::Just(1usize << 16)], 1..4),
        fail in proptest::option::weighted(0.15, 0usize..400),
    ) {
        let mut bytes = if bom { b"\xEF\xBB\xBF".to_vec() } else { Vec::new() };
        bytes.extend(pieces.concat());
        let fail_at = fail.filter(|&at| at <= bytes.len());
        let stream = || Chunked { data: &bytes, sizes: &sizes, reads: 0, fail_at, read: 0 };
        let want = through_the_csv_crate(stream(), delimiter, limit);
        proptest::prop_assert_eq!(&through_the_splitter(stream(), delimiter, limit), &want);
        // Chunks taken whole, larger than asked for: a record cut by a chunk's end is carried.
        proptest::prop_assert_eq!(
            &through_the_splitter_in_chunks(stream(), delimiter, limit),
            &want
        );
    }
}

#[test]
fn a_commune_row_is_split_whole_blocks_at_a_time() {
    let row = b"2025,00379,X\xC3\xA3 B\xE1\xBA\xAFc S\xC6\xA1n,,,\"71,4\",88,\xC4\x90\xE1\xBA\xA1t,\"25,5\",\"\",x,100,\"a;b\",,,1\r\nnext";
    let mut plain = Vec::new();
    let got = super::split_plain(row, b',', &mut plain).expect("plain quotes");
    let (mut spans, mut built) = (Vec::new(), Vec::new());
    let want = super::split_marks(row, false, b',', &mut spans, &mut built);
    assert_eq!(Some(got), want);
    assert_eq!(plain, spans);
    assert!(built.is_empty());
    let field = |i: usize| &row[plain[i].0..plain[i].1];
    assert_eq!(field(5), b"71,4");
    assert_eq!(field(9), b"");
    assert_eq!(field(12), b"a;b");
    assert_eq!(field(15), b"1\r");
    assert_eq!(got, (row.len() - 4, 1));
    // `""` inside quotes, text after a closing quote, a quote inside a field, a line end
    // inside quotes: one mark at a time.
    for odd in [
        &b"a,\"b\"\"c\",d\n"[..],
        b"a,\"b\"c,d\n",
        b"a,b\"c,d\n",
        b"a,\"b\nc\",d\n",
    ] {
        assert_eq!(super::split_plain(odd, b',', &mut plain), None);
    }
}

/// A quoted field moved byte by byte across the edge of the first 64-byte block (its
/// opening or closing quote the block's last byte, its end the next block's first): the
/// block split tells quoted fields from their closing quotes as the mark-by-mark split does.
#[test]
fn quoted_fields_across_a_block_edge_split_as_marks_do() {
    for lead in 50..70 {
        for field in [&b"\"71,4\""[..], b"\"\"", b"\"x\"", b"85"] {
            let mut row = vec![b'a'; lead];
            row.push(b',');
            row.extend_from_slice(field);
            row.extend_from_slice(b",\"\",x\n");
            let mut plain = Vec::new();
            let got = super::split_plain(&row, b',', &mut plain);
            let (mut spans, mut built) = (Vec::new(), Vec::new());
            let want = super::split_marks(&row, false, b',', &mut spans, &mut built);
            assert!(got.is_some(), "{lead}: plain quotes");
            assert_eq!(got, want, "{lead}");
            assert_eq!(plain, spans, "{lead} {:?}", String::from_utf8_lossy(field));
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

    /// Long records of plain and quoted fields: the block split, whenever it takes a record,
    /// splits it as the mark-by-mark split does, and it takes every record whose quotes
    /// are plain (a quoted last field before `\r\n` is not: its `\r` is text after the
    /// closing quote).
    #[test]
    fn whole_blocks_split_as_marks_do(
        fields in proptest::collection::vec(proptest::sample::select(vec![
            &b""[..], b"85", b"\xC4\x90\xE1\xBA\xA1t", b"\"71,4\"", b"\"\"", b"\"a\nb\"", b"x\r",
            b"\"x\"\"y\"", b"\"q\"t", b"a\"b", b"\"open", b"yyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyyy",
        ]), 1..200),
        end in proptest::sample::select(vec![&b"\n"[..], b"\r\n", b"", b"\nmore"]),
    ) {
        let mut row = fields.join(&b","[..]);
        row.extend_from_slice(end);
        proptest::prop_assume!(row.first() != Some(&b'\n'));
        let mut plain = Vec::new();
        let got = super::split_plain(&row, b',', &mut plain);
        let (mut spans, mut built) = (Vec::new(), Vec::new());
        let want = super::split_marks(&row, false, b',', &mut spans, &mut built);
        let odd = fields.iter().any(|f| {
            [&b"\"x\"\"y\""[..], b"\"q\"t", b"a\"b", b"\"open", b"\"a\nb\""].contains(f)
        }) || (end.starts_with(b"\r") && fields.last().is_some_and(|f| f.ends_with(b"\"")));
        if let Some(got) = got {
            proptest::prop_assert_eq!(Some(got), want);
            proptest::prop_assert_eq!(&plain, &spans);
            proptest::prop_assert!(built.is_empty());
        } else {
            proptest::prop_assert!(odd || end.is_empty(), "a plain record was left to the marks");
        }
    }
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2048))]

    /// The masks of a block, whole or cut by the end of the data, are its delimiters and
    /// quotes byte by byte.
    #[test]
    fn block_masks_mark_each_delimiter_and_quote(
        data in proptest::collection::vec(proptest::sample::select(vec![
            b'a', b',', b';', b'"', b'\n', b'\r', 0u8, 0x80, 0xFF, 0x2C | 0x80, 0x22 | 0x80,
        ]), 0..200),
        base in 0usize..200,
        delimiter in proptest::sample::select(vec![b',', b';', b'\t', b'"']),
    ) {
        let base = base.min(data.len());
        let (d, q) = super::block_masks(&data, base, delimiter);
        let (mut want_d, mut want_q) = (0u64, 0u64);
        for (k, &b) in data.iter().skip(base).take(64).enumerate() {
            want_d |= u64::from(b == delimiter) << k;
            want_q |= u64::from(b == b'"') << k;
        }
        proptest::prop_assert_eq!((d, q), (want_d, want_q));
    }
}

#[test]
fn last_cells_read_in_place_from_the_padded_record() {
    use crate::data::coerce::{Value, plain_at, yes_no_at};
    use crate::ruleset::model::MeasureKind;
    // The last cells end within a word of the record's end, the unquoted one too.
    let text = "a,7,Đạt\nb,\"x\"\"y\",x\n".as_bytes();
    let mut rdr = csv_records(text, b',');
    let mut rec = super::Fields::new();
    let rules = crate::data::coerce::NumberRules {
        decimal: crate::data::coerce::DecimalMark::Auto,
        fraction_percent: false,
    };
    assert!(rdr.read_fields(&mut rec).expect("reads"));
    assert!(rec.bytes().ends_with(&[0; super::PAD]));
    let at = |rec: &super::Fields, i: usize| rec.spans()[i];
    let (start, end) = at(&rec, 2);
    assert_eq!(
        yes_no_at(rec.bytes(), start, end),
        Some(Some(Value::Bool(true)))
    );
    let (start, end) = at(&rec, 1);
    assert_eq!(
        plain_at(rec.bytes(), start, end, MeasureKind::Number, rules),
        Some(rust_decimal::Decimal::from(7))
    );
    assert!(rdr.read_fields(&mut rec).expect("reads"));
    assert_eq!(rec.get(1), Some(&b"x\"y"[..]));
    let (start, end) = at(&rec, 2);
    assert_eq!(
        yes_no_at(rec.bytes(), start, end),
        Some(Some(Value::Bool(true)))
    );
    // A record taken from the csv crate's type is padded too.
    let mut byte_record = csv::ByteRecord::new();
    byte_record.push_field(b"1");
    byte_record.push_field(b"x");
    rec.fill_from(&byte_record);
    let (start, end) = at(&rec, 1);
    assert_eq!(
        yes_no_at(rec.bytes(), start, end),
        Some(Some(Value::Bool(true)))
    );
}
