//! A commune's JSON (an element of the `communes` array, compact or `--pretty`, or its
//! NDJSON line) written straight from its row and outcome: the bytes
//! [`json_commune`](super::json_commune) writes for the record `CommuneRecord::new` builds
//! of it, without building it (issue #14, as `CsvSink::write_evaluated` for CSV).
//!
//! Most of a commune's JSON depends only on the ruleset, the zone, the year and the layout:
//! keys with their punctuation and indentation, level and criterion ids and names, what an
//! indicator requires and its threshold. That is written once per (zone, year, layout) into
//! a [`JsonBook`] of byte fragments, already escaped, with [`Json`]'s own methods (so both
//! writers lay a commune out alike); a commune is then its numbers and texts between those
//! fragments. Fragments that always follow each other, or that differ only by a status or
//! a flag, are joined in every variant when the book is made, so that a commune is a few
//! larger copies rather than many of a few bytes. Property tests hold both writers equal on
//! every built-in ruleset.

use super::cell;
use super::csv::{Evaluated, Shelf};
use super::json_commune::{Json, push_str, status_value};
use crate::data::coerce::Value;
use crate::data::read::{Row, ZoneFrom};
use crate::eval::{Outcome, Status};
use crate::record::ToNext;
use crate::ruleset::Ruleset;

/// How a commune is laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Layout {
    /// An element of the `communes` array: `first` opens the array (every other one carries
    /// its leading comma), `pretty` indents it as `serde_json`'s pretty printer does.
    Element { first: bool, pretty: bool },
    /// An NDJSON line, `{"type":"commune",…}` and a line feed.
    Line,
}

/// Indentation of a pretty commune's new lines: it sits in the `communes` array.
const BASE: usize = 4;

/// The [`JsonBook`]s of a thread, and the fragment of the input file last written.
#[derive(Debug, Default)]
pub(crate) struct JsonBooks {
    books: Shelf<JsonBook>,
    /// The file and layout `file_fragment` was written for.
    file: String,
    file_pretty: bool,
    /// `,"file":"…","line":`.
    file_fragment: Vec<u8>,
    /// The district and province last written.
    place: Place,
}

/// A commune's district and province, and their bytes with their keys: written again as they
/// are for the next commune of the same district (issue #14: rows come district by district,
/// and escaping both again for each was a tenth of writing a commune's strings).
#[derive(Debug, Default)]
struct Place {
    district: Option<String>,
    province: Option<String>,
    pretty: bool,
    /// `,"district":…,"province":…`.
    bytes: Vec<u8>,
}

/// One level's fragments in the `levels` array.
#[derive(Debug)]
struct LevelFragments {
    /// Its separator, then `{"level":"…","reached":false,"criteria_met":`, and with `true`.
    open: [Vec<u8>; 2],
    /// `,"criteria_total":N,"indicators_met":`.
    mid: Vec<u8>,
    /// `,"indicators_total":N}`, then the next level's `open` (`[reached]`), or for the
    /// last level the `levels` array closed and `,"missing":[` (both alike).
    close: [Vec<u8>; 2],
}

/// One criterion's fragments in the `missing` array.
#[derive(Debug)]
struct CriterionFragments {
    /// Its separator (the first, or another), then
    /// `{"level":"…","criterion":"…","name":"…","name_vi":"…","status":"fail","met":`, and
    /// with `"no_data"`: indexed `[other][no data]`.
    open: [[Vec<u8>; 2]; 2],
    /// `,"required":N,"indicators":[`.
    mid: Vec<u8>,
    /// `mid` joined to each of its indicators' first `open`: a criterion not met has an
    /// indicator not met, whose open follows it (indexed by the indicator's place in it).
    mid_open: Vec<Vec<u8>>,
    /// Its indicators' fragments in [`JsonBook::indicators`].
    indicators: std::ops::Range<usize>,
}

/// One indicator's fragments in its criterion's `indicators` array.
#[derive(Debug)]
struct IndicatorFragments {
    /// Its separator (the first, or another), then `{"id":"…","measure":"…","value":`.
    open: [Vec<u8>; 2],
    /// `,"required":"…","threshold":…,"threshold_year":…,"status":"fail","verified":false}`
    /// for the zone and year, and with `"no_data"`, `true`; then, for the last indicator
    /// written of its criterion, with the criterion closed (`criterion_end[1]`): indexed
    /// `[last][no data][verified]`.
    after_value: [[[Vec<u8>; 2]; 2]; 2],
}

/// What every commune of one ruleset, zone, year and layout shares, as byte fragments in
/// the order they are written; `[false, true]` pairs are indexed by a condition.
#[derive(Debug)]
pub(crate) struct JsonBook {
    /// The ruleset's address: a book is never used with another ruleset.
    rs: usize,
    zone: usize,
    year: i32,
    pretty: bool,
    /// `{"row":`.
    open: Vec<u8>,
    /// `{"type":"commune","row":` (compact only).
    open_line: Vec<u8>,
    /// `,"code":`, `,"name":`, `,"district":`, `,"province":`.
    identity: [Vec<u8>; 4],
    /// `,"zone":"…","zone_source":"column","year":`, then with `"province"`, then with
    /// `"override:…"` per override.
    sources: Vec<Vec<u8>>,
    /// `,"level":…,"next_level":…,"criteria_met":`, indexed `level * (n + 1) + next_level`
    /// for `n` levels (`n` standing for `null`).
    level: Vec<Vec<u8>>,
    /// `,"criteria_total":N,"indicators_met":` per level, then with 0 (no level in focus).
    focus_mid: Vec<Vec<u8>>,
    /// `,"indicators_total":N,"unverified":false,"levels":[`, and with `true`, as
    /// `focus_mid`.
    focus_end: Vec<[Vec<u8>; 2]>,
    levels: Vec<LevelFragments>,
    /// The empty `levels` array closed, then `,"missing":[`.
    no_levels: Vec<u8>,
    criteria: Vec<CriterionFragments>,
    /// Index in `criteria` of each level's first criterion.
    criteria_starts: Vec<usize>,
    /// A criterion's `indicators` array closed (empty, or not), then the criterion.
    criterion_end: [Vec<u8>; 2],
    /// In ruleset order.
    indicators: Vec<IndicatorFragments>,
    /// The `missing` array closed (empty, or not), then `,"borderline":`, and then `[]`
    /// (no borderline indicator): indexed `[any missing][no borderline]`.
    missing_end: [[Vec<u8>; 2]; 2],
    /// `,"to_next":null,"notes":`, and then `[]` and the commune closed (no note).
    to_next_null: [Vec<u8>; 2],
    /// `,"to_next":{"indicators":`.
    to_next_open: Vec<u8>,
    /// `,"no_data":`.
    to_next_no_data: Vec<u8>,
    /// `,"shortfall_pct":`.
    to_next_pct: Vec<u8>,
    /// `}` closing `to_next`, `,"notes":`, and then `[]` and the commune closed (no note).
    to_next_close: [Vec<u8>; 2],
    /// `}` closing the commune.
    close: Vec<u8>,
}

/// What `f` writes inside `depth` objects and arrays of a commune, in room for the longest
/// usual fragment made once: growing from empty was most of the cost of a book (issue #14).
fn fragment(pretty: bool, depth: usize, f: impl FnOnce(&mut Json<'_>)) -> Vec<u8> {
    let mut out = Vec::with_capacity(FRAGMENT_ROOM);
    f(&mut Json::at(&mut out, pretty, BASE, depth));
    out
}

/// Bytes reserved for a fragment before it is written.
const FRAGMENT_ROOM: usize = 256;

/// Fragments written one after the other, as one.
fn cat(parts: &[&[u8]]) -> Vec<u8> {
    parts.concat()
}

/// `true` or `false`.
fn bool_text(b: bool) -> &'static [u8] {
    if b { b"true" } else { b"false" }
}

/// The statuses a missing criterion or indicator can have, by `[no data]`.
const NOT_MET: [Status; 2] = [Status::Fail, Status::NoData];

/// Both values of a fragment that depends on a condition: `[f(false), f(true)]`.
fn both(pretty: bool, depth: usize, f: impl Fn(&mut Json<'_>, bool)) -> [Vec<u8>; 2] {
    [false, true].map(|b| fragment(pretty, depth, |j| f(j, b)))
}

// Depths: the commune's fields are at 1; a level's fields, or a missing criterion's, at 3;
// a missing indicator's at 5 (commune, `missing`, criterion, `indicators`, indicator).
const FIELDS: usize = 1;
const IN_ARRAY: usize = 2;
const ITEM_FIELDS: usize = 3;
const IN_ITEM_ARRAY: usize = 4;
const SUBITEM_FIELDS: usize = 5;

impl JsonBook {
    fn new(rs: &Ruleset, zone: usize, year: i32, pretty: bool) -> Self {
        let frag = |depth: usize, f: &dyn Fn(&mut Json<'_>)| fragment(pretty, depth, f);
        let key = |k: &str| frag(FIELDS, &|j| j.key(false, k));
        let n = rs.levels.len();
        let level_value = |l: Option<usize>, j: &mut Json<'_>| match l {
            Some(l) => push_str(j.out, &rs.levels[l].id),
            None => j.out.extend_from_slice(b"null"),
        };
        let each_level = || (0..n).map(Some).chain([None]);
        // The counts of a level, or of none.
        let totals = |l: Option<usize>| {
            l.map_or((0, 0), |l| {
                let lv = &rs.levels[l];
                (
                    lv.criteria.len(),
                    lv.criteria
                        .iter()
                        .map(|c| c.indicators.len())
                        .sum::<usize>(),
                )
            })
        };
        let zone_key = frag(FIELDS, &|j| {
            j.str("zone", &rs.zones[zone].id);
            j.key(false, "zone_source");
        });
        let source = |text: &str| {
            let source = frag(FIELDS, &|j| {
                push_str(j.out, text);
                j.key(false, "year");
            });
            cat(&[&zone_key, &source])
        };
        let mut sources = vec![source("column"), source("province")];
        for o in &rs.overrides {
            sources.push(source(&format!("override:{}", o.id)));
        }
        // Fragments that are written joined to others below.
        let level_criteria_met = frag(ITEM_FIELDS, &|j| j.key(false, "criteria_met"));
        let criterion_sep = both(pretty, IN_ARRAY, |j, other| j.element(!other));
        let criterion_met = frag(ITEM_FIELDS, &|j| j.key(false, "met"));
        let indicator_sep = both(pretty, IN_ITEM_ARRAY, |j, other| j.element(!other));
        let indicator_end = both(pretty, SUBITEM_FIELDS, |j, verified| {
            j.bool("verified", verified);
            j.close(b'}', true);
        });
        let criterion_end = both(pretty, IN_ITEM_ARRAY, |j, any| {
            j.close(b']', any);
            j.close(b'}', true);
        });
        let mut levels = Vec::with_capacity(n);
        let mut criteria = Vec::new();
        let mut criteria_starts = Vec::with_capacity(n);
        let mut indicators = Vec::with_capacity(rs.indicator_count());
        for (li, level) in rs.levels.iter().enumerate() {
            let (criteria_total, indicators_total) = totals(Some(li));
            let open = frag(IN_ARRAY, &|j| {
                j.element(li == 0);
                j.open(b'{');
                j.key(true, "level");
                push_str(j.out, &level.id);
                j.key(false, "reached");
            });
            levels.push(LevelFragments {
                open: [false, true].map(|r| cat(&[&open, bool_text(r), &level_criteria_met])),
                mid: frag(ITEM_FIELDS, &|j| {
                    j.int("criteria_total", criteria_total);
                    j.key(false, "indicators_met");
                }),
                close: {
                    let close = frag(ITEM_FIELDS, &|j| {
                        j.int("indicators_total", indicators_total);
                        j.close(b'}', true);
                    });
                    [close.clone(), close]
                },
            });
            criteria_starts.push(criteria.len());
            // `walk_level` below pushes the level's indicators criterion by criterion.
            let mut first_indicator = indicators.len();
            for crit in &level.criteria {
                let its = first_indicator..first_indicator + crit.indicators.len();
                first_indicator = its.end;
                let open = frag(IN_ARRAY, &|j| {
                    j.criterion_head(&level.id, &crit.id, &crit.name, &crit.name_vi);
                    j.key(false, "status");
                });
                criteria.push(CriterionFragments {
                    open: [0, 1].map(|other| {
                        NOT_MET.map(|s| {
                            cat(&[
                                &criterion_sep[other],
                                &open,
                                status_value(s),
                                &criterion_met,
                            ])
                        })
                    }),
                    mid: frag(ITEM_FIELDS, &|j| {
                        j.int("required", crit.required());
                        j.key(false, "indicators");
                        j.open(b'[');
                    }),
                    mid_open: Vec::new(),
                    indicators: its,
                });
            }
            for at in rs.walk_level(li) {
                let ind = at.indicator;
                // What the evaluator judged with for this zone and year (`eval::Evaluator`
                // resolves its plans so).
                let (threshold, _) = rs.resolve(at.r, zone, year);
                let mut required = String::new();
                crate::record::required_into(&ind.test, threshold.map(|t| t.value), &mut required);
                let open = frag(IN_ITEM_ARRAY, &|j| {
                    j.open(b'{');
                    j.key(true, "id");
                    push_str(j.out, &ind.id);
                    j.str("measure", &rs.measures[ind.measure].id);
                    j.key(false, "value");
                });
                let after_value = frag(SUBITEM_FIELDS, &|j| {
                    j.str("required", &required);
                    match threshold {
                        Some(t) => j.decimal("threshold", t.value.normalize()),
                        None => {
                            j.key(false, "threshold");
                            j.out.extend_from_slice(b"null");
                        }
                    }
                    j.opt_int("threshold_year", threshold.and_then(|t| t.from));
                    j.key(false, "status");
                });
                indicators.push(IndicatorFragments {
                    open: [0, 1].map(|other| cat(&[&indicator_sep[other], &open])),
                    after_value: [&[][..], &criterion_end[1]].map(|close| {
                        NOT_MET.map(|s| {
                            indicator_end
                                .each_ref()
                                .map(|end| cat(&[&after_value, status_value(s), end, close]))
                        })
                    }),
                });
            }
            let level_criteria = criteria_starts.last().copied().unwrap_or(0)..;
            for cf in criteria.get_mut(level_criteria).unwrap_or_default() {
                let its = indicators.get(cf.indicators.clone()).unwrap_or_default();
                cf.mid_open = its.iter().map(|f| cat(&[&cf.mid, &f.open[0]])).collect();
            }
        }
        // Each level's close joined to what follows it.
        let levels_end = both(pretty, IN_ARRAY, |j, any| {
            j.close(b']', any);
            j.key(false, "missing");
            j.open(b'[');
        });
        for li in 0..levels.len() {
            let after = match levels.get(li + 1) {
                Some(next) => next.open.clone(),
                None => [levels_end[1].clone(), levels_end[1].clone()],
            };
            let l = &mut levels[li];
            for (close, after) in l.close.iter_mut().zip(after) {
                close.extend_from_slice(&after);
            }
        }
        let notes_key = key("notes");
        let close = frag(FIELDS, &|j| j.close(b'}', true));
        JsonBook {
            rs: std::ptr::from_ref(rs) as usize,
            zone,
            year,
            pretty,
            open: frag(0, &|j| {
                j.open(b'{');
                j.key(true, "row");
            }),
            open_line: fragment(false, 0, |j| {
                j.open(b'{');
                j.key(true, "type");
                j.out.extend_from_slice(b"\"commune\"");
                j.key(false, "row");
            }),
            identity: ["code", "name", "district", "province"].map(key),
            sources,
            level: {
                let level: Vec<Vec<u8>> = each_level()
                    .map(|l| {
                        frag(FIELDS, &|j| {
                            j.key(false, "level");
                            level_value(l, j);
                            j.key(false, "next_level");
                        })
                    })
                    .collect();
                let next_level: Vec<Vec<u8>> = each_level()
                    .map(|l| {
                        frag(FIELDS, &|j| {
                            level_value(l, j);
                            j.key(false, "criteria_met");
                        })
                    })
                    .collect();
                level
                    .iter()
                    .flat_map(|l| next_level.iter().map(move |nl| cat(&[l, nl])))
                    .collect()
            },
            focus_mid: each_level()
                .map(|l| {
                    frag(FIELDS, &|j| {
                        j.int("criteria_total", totals(l).0);
                        j.key(false, "indicators_met");
                    })
                })
                .collect(),
            focus_end: {
                let levels_key = frag(FIELDS, &|j| {
                    j.key(false, "levels");
                    j.open(b'[');
                });
                each_level()
                    .map(|l| {
                        let end = frag(FIELDS, &|j| {
                            j.int("indicators_total", totals(l).1);
                            j.key(false, "unverified");
                        });
                        [false, true].map(|u| cat(&[&end, bool_text(u), &levels_key]))
                    })
                    .collect()
            },
            levels,
            no_levels: levels_end[0].clone(),
            criteria,
            criteria_starts,
            criterion_end,
            indicators,
            missing_end: both(pretty, IN_ARRAY, |j, any| {
                j.close(b']', any);
                j.key(false, "borderline");
            })
            .map(|end| [cat(&[&end]), cat(&[&end, b"[]"])]),
            to_next_null: {
                let null = frag(FIELDS, &|j| {
                    j.key(false, "to_next");
                    j.out.extend_from_slice(b"null");
                });
                [
                    cat(&[&null, &notes_key]),
                    cat(&[&null, &notes_key, b"[]", &close]),
                ]
            },
            to_next_open: frag(FIELDS, &|j| {
                j.key(false, "to_next");
                j.open(b'{');
                j.key(true, "indicators");
            }),
            to_next_no_data: frag(IN_ARRAY, &|j| j.key(false, "no_data")),
            to_next_pct: frag(IN_ARRAY, &|j| j.key(false, "shortfall_pct")),
            to_next_close: {
                let end = frag(IN_ARRAY, &|j| j.close(b'}', true));
                [
                    cat(&[&end, &notes_key]),
                    cat(&[&end, &notes_key, b"[]", &close]),
                ]
            },
            close,
        }
    }
}

/// Append an integer.
fn int<I: itoa::Integer>(out: &mut Vec<u8>, n: I) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Append a count. Nearly all are below 100 (what a level or criterion has met): written as
/// their one or two digits, without `itoa`'s buffer and the copy out of it (issue #14).
/// Inlined: a commune writes a dozen counts, and the call cost more than the digits.
#[inline(always)]
fn count(out: &mut Vec<u8>, n: usize) {
    const DIGIT: u8 = b'0';
    match n {
        0..=9 => out.push(DIGIT + n as u8),
        10..=99 => out.extend_from_slice(&[DIGIT + (n / 10) as u8, DIGIT + (n % 10) as u8]),
        _ => int(out, n),
    }
}

/// Append `true` or `false`.
fn boolean(out: &mut Vec<u8>, b: bool) {
    out.extend_from_slice(if b { b"true" } else { b"false" });
}

/// Append an optional text: a string, or `null`.
fn opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => push_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

/// Append one commune, laid out as `layout`, from its row and outcome: the bytes
/// `push_json_commune` (or `push_ndjson_commune` for a line) appends for its record.
/// Returns its `to_next` (what `--closest` ranks it by).
pub(crate) fn push_evaluated(
    out: &mut Vec<u8>,
    layout: Layout,
    e: &Evaluated<'_>,
    books: &mut JsonBooks,
) -> Option<ToNext> {
    let Evaluated {
        rs,
        position,
        file,
        row,
        outcome,
        all_levels,
        borderline,
    } = *e;
    let pretty = matches!(layout, Layout::Element { pretty: true, .. });
    let JsonBooks {
        books,
        file: last_file,
        file_pretty,
        file_fragment,
        place,
    } = books;
    if last_file != file || *file_pretty != pretty || file_fragment.is_empty() {
        last_file.clear();
        last_file.push_str(file);
        *file_pretty = pretty;
        *file_fragment = fragment(pretty, FIELDS, |j| {
            j.str("file", file);
            j.key(false, "line");
        });
    }
    let key = std::ptr::from_ref(rs) as usize;
    let (zone, year) = (outcome.zone, row.year);
    let book = books.get(
        |b| b.rs == key && b.zone == zone && b.year == year && b.pretty == pretty,
        || JsonBook::new(rs, zone, year, pretty),
    );
    match layout {
        Layout::Element { first, pretty } => {
            if pretty {
                out.extend_from_slice(if first { b"\n    " } else { b",\n    " });
            } else if !first {
                out.push(b',');
            }
            out.extend_from_slice(&book.open);
        }
        Layout::Line => out.extend_from_slice(&book.open_line),
    }
    int(out, position);
    out.extend_from_slice(file_fragment);
    int(out, row.line);
    let [code_key, name_key, district_key, province_key] = &book.identity;
    for (key, text) in [(code_key, &row.code), (name_key, &row.name)] {
        out.extend_from_slice(key);
        opt_str(out, text.as_deref());
    }
    if place.bytes.is_empty()
        || place.pretty != pretty
        || place.district != row.district
        || place.province != row.province
    {
        place.bytes.clear();
        for (key, text) in [(district_key, &row.district), (province_key, &row.province)] {
            place.bytes.extend_from_slice(key);
            opt_str(&mut place.bytes, text.as_deref());
        }
        place.district.clone_from(&row.district);
        place.province.clone_from(&row.province);
        place.pretty = pretty;
    }
    out.extend_from_slice(&place.bytes);
    out.extend_from_slice(source(&book.sources, outcome, row));
    int(out, year);
    let n = rs.levels.len();
    let level = outcome.level.map_or(n, |l| l.min(n));
    let next_level = outcome.next_level.map_or(n, |l| l.min(n));
    out.extend_from_slice(&book.level[level * (n + 1) + next_level]);
    // The counts of the next level (of the level reached, at the top).
    let focus = outcome
        .next_level
        .or(outcome.level)
        .filter(|&f| f < n)
        .and_then(|f| Some((f, outcome.levels.get(f)?)));
    let (f, criteria_met, indicators_met) =
        focus.map_or((n, 0, 0), |(f, l)| (f, l.criteria_met, l.indicators_met));
    count(out, criteria_met);
    out.extend_from_slice(&book.focus_mid[f]);
    count(out, indicators_met);
    out.extend_from_slice(&book.focus_end[f][usize::from(outcome.unverified)]);

    // Each level's close carries the next level's open, or the array's close.
    let ls = &outcome.levels;
    match book.levels.first().zip(ls.first()) {
        Some((lf, l)) => out.extend_from_slice(&lf.open[usize::from(l.reached)]),
        None => out.extend_from_slice(&book.no_levels),
    }
    for (i, (lf, l)) in book.levels.iter().zip(ls).enumerate() {
        count(out, l.criteria_met);
        out.extend_from_slice(&lf.mid);
        count(out, l.indicators_met);
        let next_reached = ls.get(i + 1).is_some_and(|l| l.reached);
        out.extend_from_slice(&lf.close[usize::from(next_reached)]);
    }

    let mut any = false;
    if all_levels {
        for (li, l) in outcome.levels.iter().enumerate().take(n) {
            if !l.reached {
                missing_of_level(out, book, rs, li, row, outcome, &mut any);
            }
        }
    } else if let Some(li) = outcome.next_level {
        missing_of_level(out, book, rs, li, row, outcome, &mut any);
    }
    out.extend_from_slice(&book.missing_end[usize::from(any)][usize::from(borderline.is_empty())]);
    if !borderline.is_empty() {
        Json::at(out, pretty, BASE, FIELDS).items(borderline, Json::borderline);
    }
    let to_next = crate::margin::closeness(rs, outcome, &row.values).map(ToNext::new);
    let no_note = usize::from(row.notes.is_empty());
    match to_next {
        Some(t) => {
            out.extend_from_slice(&book.to_next_open);
            count(out, t.indicators);
            out.extend_from_slice(&book.to_next_no_data);
            count(out, t.no_data);
            out.extend_from_slice(&book.to_next_pct);
            cell::push_decimal(out, t.shortfall_pct);
            out.extend_from_slice(&book.to_next_close[no_note]);
        }
        None => out.extend_from_slice(&book.to_next_null[no_note]),
    }
    if !row.notes.is_empty() {
        Json::at(out, pretty, BASE, FIELDS).items(&row.notes, Json::note);
        out.extend_from_slice(&book.close);
    }
    if layout == Layout::Line {
        out.push(b'\n');
    }
    to_next
}

/// The zone source's fragment: `crate::record::zone_source_into`'s text.
fn source<'b>(sources: &'b [Vec<u8>], outcome: &Outcome, row: &Row) -> &'b [u8] {
    let i = match (outcome.overridden_by, row.zone_from) {
        (Some(o), _) => 2 + o,
        (None, ZoneFrom::Column) => 0,
        (None, ZoneFrom::Province) => 1,
    };
    sources.get(i).map_or(&[], Vec::as_slice)
}

/// The criteria of level `li` not met, each with its indicators not met, as
/// `record::missing::missing_criteria` lists them; `any` says whether one was written
/// before.
fn missing_of_level(
    out: &mut Vec<u8>,
    book: &JsonBook,
    rs: &Ruleset,
    li: usize,
    row: &Row,
    outcome: &Outcome,
    any: &mut bool,
) {
    let (Some(level), Some(lo)) = (rs.levels.get(li), outcome.levels.get(li)) else {
        return;
    };
    let criteria = book
        .criteria
        .get(book.criteria_starts.get(li).copied().unwrap_or(0)..)
        .unwrap_or_default();
    // Most criteria are met: only their outcome is looked at (issue #14), the ruleset's
    // criterion and its fragments only for one that is not.
    for (ci, co) in lo.criteria.iter().enumerate() {
        if co.status == Status::Pass {
            continue;
        }
        let (Some(crit), Some(cf)) = (level.criteria.get(ci), criteria.get(ci)) else {
            break;
        };
        out.extend_from_slice(
            &cf.open[usize::from(*any)][usize::from(co.status == Status::NoData)],
        );
        *any = true;
        count(out, co.met);
        let fragments = book
            .indicators
            .get(cf.indicators.clone())
            .unwrap_or_default();
        let mut not_met = crit
            .indicators
            .iter()
            .zip(&co.indicators)
            .zip(fragments)
            .enumerate()
            .filter(|(_, ((_, io), _))| io.status != Status::Pass)
            .peekable();
        // The first indicator's open joined to what precedes it, the last one's tail to the
        // criterion's close (issue #14: two copies fewer per criterion).
        match not_met.peek().and_then(|&(k, _)| cf.mid_open.get(k)) {
            Some(mid_open) => out.extend_from_slice(mid_open),
            None => {
                out.extend_from_slice(&cf.mid);
                out.extend_from_slice(&book.criterion_end[0]);
                continue;
            }
        }
        let mut first = true;
        while let Some((_, ((ind, io), f))) = not_met.next() {
            if !first {
                out.extend_from_slice(&f.open[1]);
            }
            first = false;
            match row.values.get(ind.measure).copied().flatten() {
                None => out.extend_from_slice(b"null"),
                Some(Value::Num(d)) => cell::push_decimal(out, d),
                Some(Value::Bool(b)) => boolean(out, b),
            }
            let last = not_met.peek().is_none();
            out.extend_from_slice(
                &f.after_value[usize::from(last)][usize::from(io.status == Status::NoData)]
                    [usize::from(io.verified)],
            );
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Counts are written as `itoa` writes them, on both sides of the two-digit shortcut.
    #[test]
    fn counts_are_their_digits() {
        for n in (0..=1000).chain([9_999, 123_456, usize::MAX]) {
            let mut got = b"x".to_vec();
            count(&mut got, n);
            assert_eq!(String::from_utf8_lossy(&got), format!("x{n}"));
        }
    }
}
