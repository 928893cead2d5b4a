//! A commune record as JSON without serde (issue #14): the very bytes `serde_json` writes
//! for a [`CommuneRecord`] (compact, or pretty inside the `communes` array) and for its
//! `{"type":"commune",…}` NDJSON line, appended to a buffer kept from commune to commune.
//!
//! Going through `serde_json`'s serializer cost a call per token and a string per decimal
//! (`arbitrary_precision`); this writes keys as constants, integers through `itoa` and
//! decimals from their mantissa ([`cell::push_decimal`]). Strings are escaped as
//! `serde_json` escapes them: `"` and `\` with a backslash, `\b \f \n \r \t`, every other
//! byte below 0x20 as `\u00XX` (lowercase hex), everything else (DEL, U+2028, characters
//! beyond the BMP) as it is. Property tests compare both on random records.
//! `json_evaluated` writes the same bytes without the record, with [`Json`]'s methods.

use rust_decimal::Decimal;

use crate::data::read::Note;
use crate::eval::Status;
use crate::record::{
    BorderlineRecord, CommuneRecord, LevelRecord, MissingCriterion, MissingIndicator, ToNext,
    ValueOut,
};
use crate::report::cell;

/// Append `c` as one element of the `communes` array: `first` says whether it opens the
/// array (every other one carries its leading comma); `pretty` indents it as
/// `serde_json`'s pretty printer does at that depth.
pub(crate) fn push_json_commune(out: &mut Vec<u8>, first: bool, c: &CommuneRecord, pretty: bool) {
    if pretty {
        out.extend_from_slice(if first { b"\n    " } else { b",\n    " });
    } else if !first {
        out.push(b',');
    }
    let mut j = Json {
        out,
        pretty,
        base: 4,
        depth: 0,
    };
    j.open(b'{');
    j.commune_fields(c, true);
    j.close(b'}', true);
}

/// Append `c`'s NDJSON line, `{"type":"commune",…}` and a line feed.
pub(crate) fn push_ndjson_commune(out: &mut Vec<u8>, c: &CommuneRecord) {
    let mut j = Json {
        out,
        pretty: false,
        base: 0,
        depth: 0,
    };
    j.open(b'{');
    j.key(true, "type");
    j.out.extend_from_slice(b"\"commune\"");
    j.commune_fields(c, false);
    j.close(b'}', true);
    j.out.push(b'\n');
}

/// A JSON value being appended: `depth` objects and arrays open, each new line of a pretty
/// value indented `base` spaces plus two a level. Also what `json_evaluated` writes its
/// fragments with, so both lay a commune out alike.
pub(super) struct Json<'a> {
    pub(super) out: &'a mut Vec<u8>,
    pretty: bool,
    base: usize,
    depth: usize,
}

impl<'a> Json<'a> {
    /// Appending to `out` inside `depth` objects and arrays of a value whose new lines are
    /// indented `base` spaces (when `pretty`).
    pub(super) fn at(out: &'a mut Vec<u8>, pretty: bool, base: usize, depth: usize) -> Self {
        Json {
            out,
            pretty,
            base,
            depth,
        }
    }
}

impl Json<'_> {
    fn new_line(&mut self) {
        if self.pretty {
            self.out.push(b'\n');
            let n = self.base + 2 * self.depth;
            self.out.resize(self.out.len() + n, b' ');
        }
    }

    pub(super) fn open(&mut self, bracket: u8) {
        self.out.push(bracket);
        self.depth += 1;
    }

    /// Close an object or array; `any` says whether it holds something (an empty one is
    /// closed on the same line).
    pub(super) fn close(&mut self, bracket: u8, any: bool) {
        self.depth -= 1;
        if any {
            self.new_line();
        }
        self.out.push(bracket);
    }

    /// An object's key (plain ASCII, written as it is) and what separates it from its value.
    pub(super) fn key(&mut self, first: bool, key: &str) {
        if !first {
            self.out.push(b',');
        }
        self.new_line();
        self.out.push(b'"');
        self.out.extend_from_slice(key.as_bytes());
        self.out
            .extend_from_slice(if self.pretty { b"\": " } else { b"\":" });
    }

    /// An array's element separator.
    pub(super) fn element(&mut self, first: bool) {
        if !first {
            self.out.push(b',');
        }
        self.new_line();
    }

    pub(super) fn str(&mut self, key: &str, value: &str) {
        self.key(false, key);
        push_str(self.out, value);
    }

    fn opt_str(&mut self, key: &str, value: Option<&str>) {
        self.key(false, key);
        match value {
            Some(s) => push_str(self.out, s),
            None => self.out.extend_from_slice(b"null"),
        }
    }

    pub(super) fn int<I: itoa::Integer>(&mut self, key: &str, n: I) {
        self.key(false, key);
        self.out
            .extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
    }

    pub(super) fn opt_int<I: itoa::Integer>(&mut self, key: &str, n: Option<I>) {
        match n {
            Some(n) => self.int(key, n),
            None => {
                self.key(false, key);
                self.out.extend_from_slice(b"null");
            }
        }
    }

    pub(super) fn bool(&mut self, key: &str, b: bool) {
        self.key(false, key);
        self.push_bool(b);
    }

    fn push_bool(&mut self, b: bool) {
        self.out
            .extend_from_slice(if b { b"true" } else { b"false" });
    }

    pub(super) fn decimal(&mut self, key: &str, d: Decimal) {
        self.key(false, key);
        cell::push_decimal(self.out, d);
    }

    fn status(&mut self, s: Status) {
        self.key(false, "status");
        self.out.extend_from_slice(status_value(s));
    }

    /// `key` and an array of `items`, each written by `each` (which opens and closes it).
    fn array<T>(&mut self, key: &str, items: &[T], each: impl FnMut(&mut Self, &T)) {
        self.key(false, key);
        self.items(items, each);
    }

    /// The array of `items`, each written by `each` (which opens and closes it).
    pub(super) fn items<T>(&mut self, items: &[T], mut each: impl FnMut(&mut Self, &T)) {
        self.open(b'[');
        for (i, item) in items.iter().enumerate() {
            self.element(i == 0);
            each(self, item);
        }
        self.close(b']', !items.is_empty());
    }

    /// The fields of a commune object, from `row` on; `first` says whether `row` is the
    /// object's first key.
    fn commune_fields(&mut self, c: &CommuneRecord, first: bool) {
        self.key(first, "row");
        self.out
            .extend_from_slice(itoa::Buffer::new().format(c.row).as_bytes());
        self.str("file", &c.file);
        self.int("line", c.line);
        self.opt_str("code", c.code.as_deref());
        self.opt_str("name", c.name.as_deref());
        self.opt_str("district", c.district.as_deref());
        self.opt_str("province", c.province.as_deref());
        self.str("zone", &c.zone);
        self.str("zone_source", &c.zone_source);
        self.int("year", c.year);
        self.opt_str("level", c.level.as_deref());
        self.opt_str("next_level", c.next_level.as_deref());
        self.int("criteria_met", c.criteria_met);
        self.int("criteria_total", c.criteria_total);
        self.int("indicators_met", c.indicators_met);
        self.int("indicators_total", c.indicators_total);
        self.bool("unverified", c.unverified);
        self.array("levels", &c.levels, Self::level);
        self.array("missing", &c.missing, Self::missing_criterion);
        self.array("borderline", &c.borderline, Self::borderline);
        self.key(false, "to_next");
        match &c.to_next {
            Some(t) => self.closeness(t),
            None => self.out.extend_from_slice(b"null"),
        }
        self.array("notes", &c.notes, Self::note);
    }

    fn level(&mut self, l: &LevelRecord) {
        self.open(b'{');
        self.key(true, "level");
        push_str(self.out, &l.level);
        self.bool("reached", l.reached);
        self.int("criteria_met", l.criteria_met);
        self.int("criteria_total", l.criteria_total);
        self.int("indicators_met", l.indicators_met);
        self.int("indicators_total", l.indicators_total);
        self.close(b'}', true);
    }

    /// A missing criterion's object opened with its level, id and names: the same text
    /// from a record (here) and in the fragments of `json_evaluated`.
    pub(super) fn criterion_head(&mut self, level: &str, id: &str, name: &str, name_vi: &str) {
        self.open(b'{');
        self.key(true, "level");
        push_str(self.out, level);
        self.str("criterion", id);
        self.str("name", name);
        self.str("name_vi", name_vi);
    }

    fn missing_criterion(&mut self, m: &MissingCriterion) {
        self.criterion_head(&m.level, &m.criterion, &m.name, &m.name_vi);
        self.status(m.status);
        self.int("met", m.met);
        self.int("required", m.required);
        self.array("indicators", &m.indicators, Self::missing_indicator);
        self.close(b'}', true);
    }

    fn missing_indicator(&mut self, i: &MissingIndicator) {
        self.open(b'{');
        self.key(true, "id");
        push_str(self.out, &i.id);
        self.str("measure", &i.measure);
        self.key(false, "value");
        match i.value {
            None => self.out.extend_from_slice(b"null"),
            Some(ValueOut::Num(d)) => cell::push_decimal(self.out, d),
            Some(ValueOut::Bool(b)) => self.push_bool(b),
        }
        self.str("required", &i.required);
        match i.threshold {
            Some(d) => self.decimal("threshold", d),
            None => {
                self.key(false, "threshold");
                self.out.extend_from_slice(b"null");
            }
        }
        self.opt_int("threshold_year", i.threshold_year);
        self.status(i.status);
        self.bool("verified", i.verified);
        self.close(b'}', true);
    }

    pub(super) fn borderline(&mut self, b: &BorderlineRecord) {
        self.open(b'{');
        self.key(true, "level");
        push_str(self.out, &b.level);
        self.str("criterion", &b.criterion);
        self.str("indicator", &b.indicator);
        self.str("measure", &b.measure);
        self.decimal("value", b.value);
        self.str("op", b.op);
        self.decimal("threshold", b.threshold);
        self.status(b.status);
        self.close(b'}', true);
    }

    fn closeness(&mut self, t: &ToNext) {
        self.open(b'{');
        self.key(true, "indicators");
        self.out
            .extend_from_slice(itoa::Buffer::new().format(t.indicators).as_bytes());
        self.int("no_data", t.no_data);
        self.decimal("shortfall_pct", t.shortfall_pct);
        self.close(b'}', true);
    }

    pub(super) fn note(&mut self, n: &Note) {
        self.open(b'{');
        self.key(true, "code");
        push_str(self.out, n.code);
        self.opt_str("column", n.column.as_deref());
        self.str("value", &n.value);
        self.str("message", &n.message);
        self.close(b'}', true);
    }
}

/// A status as a JSON value: `"pass"`, `"fail"`, `"no_data"`.
pub(super) fn status_value(s: Status) -> &'static [u8] {
    match s {
        Status::Pass => b"\"pass\"",
        Status::Fail => b"\"fail\"",
        Status::NoData => b"\"no_data\"",
    }
}

/// Append `s` as a JSON string, escaped as `serde_json` escapes it.
///
/// Most strings need no escape (names, codes, ids): they are told apart by one pass over
/// their words ([`needs_escape`]) and copied whole between their quotes, room for both made
/// once (issue #14: this was a copy per run of plain bytes and a test per byte after the
/// first eight-byte word that held a character to look at, which every Vietnamese name's
/// tail was).
pub(crate) fn push_str(out: &mut Vec<u8>, s: &str) {
    let bytes = s.as_bytes();
    if !needs_escape(bytes) {
        out.reserve(bytes.len() + 2);
        out.push(b'"');
        out.extend_from_slice(bytes);
        out.push(b'"');
        return;
    }
    push_escaped(out, bytes);
}

/// [`push_str`] of a string holding a byte to escape, byte by byte.
fn push_escaped(out: &mut Vec<u8>, bytes: &[u8]) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    out.push(b'"');
    let mut start = 0;
    for (i, &b) in bytes.iter().enumerate() {
        let escape = match b {
            b'"' => b'"',
            b'\\' => b'\\',
            0x08 => b'b',
            0x0C => b'f',
            b'\n' => b'n',
            b'\r' => b'r',
            b'\t' => b't',
            0..=0x1F => b'u',
            _ => continue,
        };
        out.extend_from_slice(&bytes[start..i]);
        if escape == b'u' {
            out.extend_from_slice(&[
                b'\\',
                b'u',
                b'0',
                b'0',
                HEX[usize::from(b >> 4)],
                HEX[usize::from(b & 0xF)],
            ]);
        } else {
            out.extend_from_slice(&[b'\\', escape]);
        }
        start = i + 1;
    }
    out.extend_from_slice(&bytes[start..]);
    out.push(b'"');
}

/// Whether `bytes` hold a byte `serde_json` escapes: below 0x20, `"` or `\`. Looked at eight
/// at a time, without stopping: the last word is the last eight bytes (read again where
/// they overlap the word before), or, for a string shorter than that, its bytes padded with
/// spaces.
pub(super) fn needs_escape(bytes: &[u8]) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    const SPACES: u64 = ONES * 0x20;
    let holds = |word: u64, b: u8| {
        let x = word ^ (ONES * u64::from(b));
        x.wrapping_sub(ONES) & !x & HIGHS
    };
    // A byte below 0x20 (a high bit set by the subtraction only where the byte was below
    // it and its own high bit clear), `"` or `\`.
    let special = |w: u64| w.wrapping_sub(SPACES) & !w & HIGHS | holds(w, b'"') | holds(w, b'\\');
    let word = |chunk: &[u8]| {
        let mut word = [b' '; 8];
        for (to, &from) in word.iter_mut().zip(chunk) {
            *to = from;
        }
        u64::from_le_bytes(word)
    };
    if bytes.len() < 8 {
        return special(word(bytes)) != 0;
    }
    let mut found = 0;
    for chunk in bytes.chunks_exact(8) {
        found |= special(word(chunk));
    }
    found |= special(word(&bytes[bytes.len() - 8..]));
    found != 0
}
