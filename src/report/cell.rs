//! Output text without `core::fmt`: integers, exact decimals and CSV fields appended to
//! buffers kept from row to row (issue #7).
//!
//! `write!` of a small number goes through the formatting machinery and `Decimal`'s
//! `Display` builds a string of its own; on a million rows these were a visible share of
//! the time. Each function here writes exactly what its `fmt` or `csv` counterpart writes
//! (the tests compare them on arbitrary input).

use std::io::Write;

use rust_decimal::Decimal;

/// Rows assembled in a buffer kept from row to row and handed to a writer in blocks: what
/// the `csv` crate's writer does for its rows, for sinks that assemble their own. Rows meant
/// for a vector are assembled in that vector itself ([`Blocks::in_vec`]), not copied there.
pub(crate) struct Blocks<'w> {
    out: Out<'w>,
    /// The rows not yet handed over; append to it.
    pub buf: Vec<u8>,
}

/// Where [`Blocks`] hand their rows.
enum Out<'w> {
    Writer(&'w mut dyn Write),
    /// The vector `buf` was taken from, given back by `finish` (or on drop).
    Vec(&'w mut Vec<u8>),
}

/// The buffer is handed to the writer once it holds this much.
const BLOCK: usize = 1 << 16;

impl<'w> Blocks<'w> {
    /// An empty buffer in front of `out`.
    pub(crate) fn new(out: &'w mut dyn Write) -> Self {
        Blocks {
            out: Out::Writer(out),
            // As the csv crate's writer: a sink per commune (`--closest`) stays cheap.
            buf: Vec::with_capacity(8 * 1024),
        }
    }

    /// Rows appended to `out` itself, which holds them all once [`finish`](Blocks::finish)
    /// runs (or the blocks are dropped).
    pub(crate) fn in_vec(out: &'w mut Vec<u8>) -> Self {
        Blocks {
            buf: std::mem::take(out),
            out: Out::Vec(out),
        }
    }

    /// Hand the buffer over once it holds a block: call after each row or commune.
    pub(crate) fn row_done(&mut self) -> std::io::Result<()> {
        if let Out::Writer(out) = &mut self.out
            && self.buf.len() >= BLOCK
        {
            out.write_all(&self.buf)?;
            self.buf.clear();
        }
        Ok(())
    }

    /// Hand over what is left and flush the writer.
    pub(crate) fn finish(&mut self) -> std::io::Result<()> {
        match &mut self.out {
            Out::Writer(out) => {
                out.write_all(&self.buf)?;
                self.buf.clear();
                out.flush()
            }
            Out::Vec(out) => {
                if out.is_empty() {
                    **out = std::mem::take(&mut self.buf);
                } else {
                    out.append(&mut self.buf);
                }
                Ok(())
            }
        }
    }
}

impl Drop for Blocks<'_> {
    /// Like the `csv` crate's writer, rows dropped without [`finish`](Blocks::finish) are
    /// still handed over (errors are lost then).
    fn drop(&mut self) {
        if !self.buf.is_empty() {
            let _ = self.finish();
        }
    }
}

/// Append `n` as `n.to_string()` would.
pub(crate) fn push_int<I: itoa::Integer>(s: &mut String, n: I) {
    s.push_str(itoa::Buffer::new().format(n));
}

/// Text appended to: a `String` or UTF-8 bytes.
pub(crate) trait Text {
    /// Append `s`.
    fn put(&mut self, s: &str);
}

impl Text for String {
    fn put(&mut self, s: &str) {
        self.push_str(s);
    }
}

impl Text for Vec<u8> {
    fn put(&mut self, s: &str) {
        self.extend_from_slice(s.as_bytes());
    }
}

/// Append `d` exactly as its `Display` (`{d}`) does: every digit of its scale, `-` for a
/// negative sign (even on zero), no exponent.
pub(crate) fn push_decimal<T: Text + ?Sized>(s: &mut T, d: Decimal) {
    let mut buf = itoa::Buffer::new();
    let m = d.mantissa().unsigned_abs();
    let digits = match u64::try_from(m) {
        Ok(0) => "",
        Ok(small) => buf.format(small),
        Err(_) => buf.format(m),
    };
    if d.is_sign_negative() {
        s.put("-");
    }
    let scale = d.scale() as usize;
    if scale == 0 {
        s.put(if digits.is_empty() { "0" } else { digits });
    } else if digits.len() > scale {
        let (whole, fraction) = digits.split_at(digits.len() - scale);
        s.put(whole);
        s.put(".");
        s.put(fraction);
    } else {
        s.put("0.");
        for _ in digits.len()..scale {
            s.put("0");
        }
        s.put(digits);
    }
}

/// Append one CSV field as the `csv` crate's default writer does (delimiter `,`, quote `"`,
/// quoting only when needed): quoted, with inner quotes doubled, when it holds a comma, a
/// quote, a carriage return or a line feed; as it is otherwise.
pub(crate) fn push_csv_field(out: &mut Vec<u8>, field: &[u8]) {
    if !needs_quotes(field) {
        out.extend_from_slice(field);
        return;
    }
    out.push(b'"');
    if field.contains(&b'"') {
        for part in field.split_inclusive(|&b| b == b'"') {
            out.extend_from_slice(part);
            if part.ends_with(b"\"") {
                out.push(b'"');
            }
        }
    } else {
        out.extend_from_slice(field);
    }
    out.push(b'"');
}

/// What a CSV field needs, known from the pieces it is made of (issue #14): a field
/// assembled from pieces whose needs were worked out once (a phrasebook's phrases) and
/// pieces that never need anything (numbers, `yes`/`no`, `; `) is written by
/// [`push_csv_field_as`] without looking at its bytes again.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Quoting {
    /// It holds `,`, `"`, CR or LF: it is quoted.
    quoted: bool,
    /// It holds `"`: each is doubled.
    doubled: bool,
}

impl Quoting {
    /// What `piece` needs.
    pub(crate) fn of(piece: &str) -> Self {
        let b = piece.as_bytes();
        Quoting {
            quoted: needs_quotes(b),
            doubled: b.contains(&b'"'),
        }
    }

    /// What a field needs once `piece` (of needs `other`) is part of it.
    pub(crate) fn add(&mut self, other: Quoting) {
        self.quoted |= other.quoted;
        self.doubled |= other.doubled;
    }
}

/// [`push_csv_field`] for a field whose needs are `q`: exactly the union of [`Quoting::of`]
/// its pieces (a field whose needs are not known that way goes to `push_csv_field`).
pub(crate) fn push_csv_field_as(out: &mut Vec<u8>, field: &[u8], q: Quoting) {
    if q.doubled {
        push_csv_field(out, field);
    } else if q.quoted {
        out.push(b'"');
        out.extend_from_slice(field);
        out.push(b'"');
    } else {
        out.extend_from_slice(field);
    }
}

/// Whether `field` holds `,`, `"`, CR or LF: eight bytes at a time, each word tested for a
/// zero byte after XOR with the byte sought.
fn needs_quotes(field: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let holds = |word: u64, b: u8| {
        let x = word ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    let mut words = field.chunks_exact(8);
    for chunk in &mut words {
        let mut bytes = [0u8; 8];
        bytes.copy_from_slice(chunk);
        let w = u64::from_le_bytes(bytes);
        if holds(w, b',') | holds(w, b'"') | holds(w, b'\r') | holds(w, b'\n') != 0 {
            return true;
        }
    }
    words
        .remainder()
        .iter()
        .any(|&b| matches!(b, b',' | b'"' | b'\r' | b'\n'))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn decimals_read_as_display_writes_them(d in crate::exact::any_decimal()) {
            let mut s = String::from("x");
            push_decimal(&mut s, d);
            prop_assert_eq!(s, format!("x{d}"));
            let n = d.normalize();
            let mut s = String::new();
            push_decimal(&mut s, n);
            prop_assert_eq!(s, n.to_string());
        }

        #[test]
        fn integers_read_as_to_string_writes_them(
            a in any::<u64>(),
            b in any::<i32>(),
            c in any::<usize>(),
        ) {
            let mut s = String::new();
            push_int(&mut s, a);
            s.push(' ');
            push_int(&mut s, b);
            s.push(' ');
            push_int(&mut s, c);
            prop_assert_eq!(s, format!("{a} {b} {c}"));
        }

        #[test]
        fn csv_fields_are_what_the_csv_crate_writes(
            fields in prop::collection::vec(
                prop_oneof![
                    "[a-z=+\\-@ ,\"\r\n\tđạ;']{0,12}",
                    // Longer, with at most one special byte anywhere in it.
                    "[a-zA-Z0-9 đạ\t;:.()\\[\\]-]{0,30}[,\"\r\n]?[a-z ]{0,30}",
                    "\\PC{0,40}",
                ],
                1..6,
            )
        ) {
            let mut want = csv::Writer::from_writer(Vec::new());
            want.write_record(&fields).expect("writes");
            let want = want.into_inner().expect("flushes");
            let mut got = Vec::new();
            for (i, f) in fields.iter().enumerate() {
                if i > 0 {
                    got.push(b',');
                }
                push_csv_field(&mut got, f.as_bytes());
            }
            got.push(b'\n');
            // A record of one empty field is written `""` by the csv crate (never the case
            // for the 24 columns of `evaluate`).
            if fields.len() > 1 || !fields[0].is_empty() {
                prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
            }
        }
    }

    proptest! {
        #[test]
        fn a_field_of_pieces_is_written_as_its_needs_say(
            pieces in prop::collection::vec("[a-z ;:,\"\r\n.0-9]{0,8}", 0..6),
        ) {
            let field: String = pieces.concat();
            let mut q = Quoting::default();
            for p in &pieces {
                q.add(Quoting::of(p));
            }
            prop_assert_eq!(q, Quoting::of(&field));
            let mut want = b"x,".to_vec();
            push_csv_field(&mut want, field.as_bytes());
            let mut got = b"x,".to_vec();
            push_csv_field_as(&mut got, field.as_bytes(), q);
            prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
        }
    }

    #[test]
    fn zeros_and_signs_read_as_display_writes_them() {
        for d in [
            Decimal::ZERO,
            Decimal::new(0, 3),
            Decimal::new(-5, 3),
            Decimal::new(-0, 2),
            -Decimal::ZERO,
            Decimal::from_parts(0, 0, 0, true, 2),
            Decimal::MAX,
            Decimal::MIN,
            Decimal::new(12345, 28),
        ] {
            let mut s = String::new();
            push_decimal(&mut s, d);
            assert_eq!(s, d.to_string(), "{d:?}");
        }
    }
}
