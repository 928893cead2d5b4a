//! Records and rendered rows of random communes of every built-in ruleset (issue #7): a
//! record refilled row after row (`RecordSlot`) is the record `new` builds; the CSV and long
//! sinks write what the `csv` crate and `fmt` wrote before they were made cheaper; streamed
//! JSON is the whole document, and so is what the output `Sink` writes, batch by batch; the
//! closeness key is what sorting every cost gives.

use std::fmt::Write as _;
use std::sync::LazyLock;

use proptest::prelude::*;

use super::csv::{CsvSink, excel_safe, notes_cell};
use super::*;
use crate::data::coerce::Value;
use crate::data::read::{Note, YearFrom};
use crate::data::read::{Row, ZoneFrom};
use crate::eval::Outcome;
use crate::eval::evaluate;
use crate::exact::any_decimal;
use crate::margin::Margin;
use crate::record::*;
use crate::ruleset::Ruleset;
use crate::ruleset::model::{MeasureKind, Test};

static RULESETS: LazyLock<Vec<Ruleset>> = LazyLock::new(|| {
    crate::ruleset::builtin::BUILTIN
        .iter()
        .map(|(id, path, text)| {
            let (rs, diags) = crate::ruleset::load_str(text, path);
            rs.unwrap_or_else(|| panic!("{id} must load: {diags:?}"))
        })
        .collect()
});

/// Text as offices type it, and as spreadsheets would misread it.
fn text() -> impl Strategy<Value = Option<String>> {
    prop::option::of("[a-zA-Z0-9 Đđạờ=+@,;:\"'\t\r\n-]{0,10}")
}

fn note() -> impl Strategy<Value = Note> {
    (text(), "[a-z0-9 ,\"=;-]{0,8}", "[=a-z ,\"\n]{0,12}").prop_map(|(column, value, message)| {
        Note {
            code: "out-of-range",
            column,
            value,
            message,
        }
    })
}

/// A value for a measure of `kind`, near the thresholds NTM rulesets use; none one time in
/// eight.
fn value(kind: MeasureKind) -> BoxedStrategy<Option<Value>> {
    let v = match kind {
        MeasureKind::Bool => any::<bool>().prop_map(Value::Bool).boxed(),
        MeasureKind::Count => (0i64..4).prop_map(|n| Value::Num(n.into())).boxed(),
        MeasureKind::Percent => (0i64..=1000, 0u32..2)
            .prop_map(|(n, s)| Value::Num(Decimal::new(n.min(100 * 10i64.pow(s)), s)))
            .boxed(),
        MeasureKind::Number => (0i64..=2000, 0u32..3)
            .prop_map(|(n, s)| Value::Num(Decimal::new(n, s)))
            .boxed(),
    };
    prop_oneof![1 => Just(None), 7 => v.prop_map(Some)].boxed()
}

/// One commune of `rs`: identity text, zone, year around the period, values, notes.
fn row(rs: &'static Ruleset) -> impl Strategy<Value = Row> {
    let values: Vec<_> = rs.measures.iter().map(|m| value(m.kind)).collect();
    (
        (text(), text(), text(), text()),
        0..rs.zones.len(),
        any::<bool>(),
        rs.period.0 - 1..=rs.period.1 + 1,
        values,
        prop::collection::vec(note(), 0..3),
        1u64..100_000,
    )
        .prop_map(
            move |(
                (code, name, district, province),
                zone,
                by_column,
                year,
                values,
                notes,
                line,
            )| {
                Row {
                    input: 0,
                    line,
                    code,
                    name,
                    district,
                    province,
                    zone,
                    zone_from: if by_column {
                        ZoneFrom::Column
                    } else {
                        ZoneFrom::Province
                    },
                    year,
                    year_from: YearFrom::Column,
                    values,
                    kept: Vec::new(),
                    notes,
                }
            },
        )
}

/// Communes of one built-in ruleset, `--all-levels` or not, and a margin or none.
fn communes() -> impl Strategy<Value = (&'static Ruleset, Vec<Row>, bool, Option<Margin>)> {
    (0..RULESETS.len()).prop_flat_map(|i| {
        let rs = &RULESETS[i];
        (
            Just(rs),
            prop::collection::vec(row(rs), 1..12),
            any::<bool>(),
            prop::option::of((0i64..=20).prop_map(|p| Margin::Relative(Decimal::new(p, 2)))),
        )
    })
}

/// The record with its borderline indicators, as `evaluate` renders it.
fn record(rs: &Ruleset, i: usize, row: &Row, all: bool, margin: Option<Margin>) -> CommuneRecord {
    let outcome = evaluate(rs, row.zone, row.year, &row.values);
    let mut rec = CommuneRecord::new(rs, i + 1, "d/f,1.csv", row, &outcome, all);
    rec.borderline = borderline_records(rs, &outcome, &row.values, margin);
    rec
}

/// How `MissingIndicator::describe_into` wrote a line with `fmt` (before issue #7).
fn describe_with_fmt(i: &MissingIndicator, zone: &str) -> String {
    let mut s = String::new();
    let _ = match (&i.value, i.status) {
        (None, _) => write!(s, "{} no data (needs {})", i.measure, i.required),
        (Some(v), _) => match i.required.as_str() {
            "yes" => write!(s, "{} {v}, needs yes", i.measure),
            "none" => write!(s, "{} {v}, needs none", i.measure),
            _ => match (i.op, i.threshold) {
                (Some(op), Some(t)) => write!(
                    s,
                    "{} {v} {} {} required",
                    i.measure,
                    op.negated_str(),
                    t.normalize()
                ),
                _ => write!(s, "{} {v}, needs {}", i.measure, i.required),
            },
        },
    };
    if i.threshold.is_some() {
        let _ = match i.threshold_year {
            Some(y) => write!(s, " ({zone}, {y})"),
            None => write!(s, " ({zone})"),
        };
    }
    if !i.verified {
        s.push_str(" [unverified]");
    }
    s
}

/// A commune's CSV row as the `csv` crate wrote it from `fmt` text (before issue #7).
fn csv_row_with_csv_crate(c: &CommuneRecord) -> Vec<u8> {
    let text = |s: &Option<String>| excel_safe(s.as_deref().unwrap_or("")).into_owned();
    let missing: Vec<String> = c
        .missing
        .iter()
        .map(|m| format!("{}:{}", m.level, m.criterion))
        .collect();
    let detail: Vec<String> = c
        .missing
        .iter()
        .flat_map(|m| {
            m.indicators
                .iter()
                .map(|i| format!("{}:{} {}", m.level, i.id, describe_with_fmt(i, &c.zone)))
        })
        .collect();
    let borderline: Vec<String> = c
        .borderline
        .iter()
        .map(|b| {
            let status = match b.status {
                Status::Pass => "pass",
                Status::Fail => "fail",
                Status::NoData => "no data",
            };
            format!(
                "{}:{} {} {} ({} {}, {status})",
                b.level, b.indicator, b.measure, b.value, b.op, b.threshold
            )
        })
        .collect();
    let (a, b, d) = match &c.to_next {
        Some(t) => (
            t.indicators.to_string(),
            t.no_data.to_string(),
            t.shortfall_pct.to_string(),
        ),
        None => Default::default(),
    };
    let fields = [
        c.row.to_string(),
        excel_safe(&c.file).into_owned(),
        c.line.to_string(),
        text(&c.code),
        text(&c.name),
        text(&c.district),
        text(&c.province),
        c.zone.clone(),
        c.zone_source.clone(),
        c.year.to_string(),
        c.level.clone().unwrap_or_default(),
        c.next_level.clone().unwrap_or_default(),
        c.criteria_met.to_string(),
        c.criteria_total.to_string(),
        c.indicators_met.to_string(),
        c.indicators_total.to_string(),
        c.unverified.to_string(),
        missing.join(";"),
        detail.join("; "),
        borderline.join("; "),
        a,
        b,
        d,
        excel_safe(&notes_cell(&c.notes)).into_owned(),
    ];
    let mut w = ::csv::Writer::from_writer(Vec::new());
    w.write_record(&fields).expect("writes");
    w.into_inner().expect("flushes")
}

/// `margin::closeness` as it was first written: every cost collected in a `Vec` and sorted.
fn closeness_with_vec(
    rs: &Ruleset,
    outcome: &Outcome,
    values: &[Option<Value>],
) -> Option<crate::margin::Closeness> {
    let li = outcome.next_level?;
    let mut key = crate::margin::Closeness {
        short: 0,
        no_data: 0,
        shortfall: Decimal::ZERO,
    };
    for (crit, co) in rs.levels[li]
        .criteria
        .iter()
        .zip(&outcome.levels[li].criteria)
    {
        if co.status == Status::Pass {
            continue;
        }
        let need = crit.required().saturating_sub(co.met);
        let mut costs: Vec<(bool, Decimal)> = crit
            .indicators
            .iter()
            .zip(&co.indicators)
            .filter_map(|(ind, io)| match io.status {
                Status::Pass => None,
                Status::NoData => Some((true, Decimal::ZERO)),
                Status::Fail => {
                    let value = values.get(ind.measure).copied().flatten();
                    let d =
                        crate::margin::distance(&ind.test, io.threshold.map(|t| t.value), value);
                    Some((
                        false,
                        d.and_then(|d| d.relative)
                            .map_or(Decimal::ONE, |r| (-r).max(Decimal::ZERO)),
                    ))
                }
            })
            .collect();
        costs.sort();
        for (no_data, cost) in costs.into_iter().take(need) {
            key.short += 1;
            key.no_data += usize::from(no_data);
            key.shortfall += cost;
        }
    }
    Some(key)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(96))]

    #[test]
    fn closeness_is_what_sorting_every_cost_gives((rs, rows, _all, _margin) in communes()) {
        for row in &rows {
            let outcome = evaluate(rs, row.zone, row.year, &row.values);
            let got = crate::margin::closeness(rs, &outcome, &row.values);
            let want = closeness_with_vec(rs, &outcome, &row.values);
            prop_assert_eq!(got, want);
            // Equal as numbers and written alike.
            prop_assert_eq!(
                got.map(|k| k.shortfall.to_string()),
                want.map(|k| k.shortfall.to_string())
            );
        }
    }

    #[test]
    fn a_refilled_record_is_the_record_new_builds((rs, rows, all, margin) in communes()) {
        // Starts with another commune's record (more levels' worth of missing criteria with
        // --all-levels), then is overwritten row after row.
        let mut slot = RecordSlot::default();
        let last = &rows[rows.len() - 1];
        let outcome = evaluate(rs, last.zone, last.year, &last.values);
        slot.fill(rs, 1, "other.csv", last, &outcome, !all);
        for (i, row) in rows.iter().enumerate() {
            let outcome = evaluate(rs, row.zone, row.year, &row.values);
            let reused = slot.fill(rs, i + 1, "d/f,1.csv", row, &outcome, all);
            prop_assert!(reused.borderline.is_empty());
            reused.borderline = borderline_records(rs, &outcome, &row.values, margin);
            let fresh = record(rs, i, row, all, margin);
            prop_assert_eq!(format!("{reused:?}"), format!("{fresh:?}"));
            prop_assert_eq!(
                serde_json::to_string(&reused).expect("json"),
                serde_json::to_string(&fresh).expect("json")
            );
        }
        let kept = slot.take().expect("a record");
        prop_assert_eq!(kept.row, rows.len());
        prop_assert!(slot.take().is_none());
    }

    #[test]
    fn csv_rows_are_what_the_csv_crate_wrote((rs, rows, all, margin) in communes()) {
        let mut got = Vec::new();
        let mut want = Vec::new();
        {
            let mut sink = CsvSink::body(&mut got);
            for (i, row) in rows.iter().enumerate() {
                let rec = record(rs, i, row, all, margin);
                sink.write(&rec).expect("writes");
                want.extend(csv_row_with_csv_crate(&rec));
            }
            sink.finish().expect("flushes");
        }
        prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
    }
}

/// A commune's long-format rows as the `csv` crate wrote them from `to_string` text (before
/// issue #7).
fn long_rows_with_csv_crate(
    rs: &Ruleset,
    rec: &CommuneRecord,
    values: &[Option<Value>],
    outcome: &Outcome,
    margin: Option<Margin>,
) -> Vec<u8> {
    use crate::margin::distance;
    let bool_text = |b: bool| if b { "true" } else { "false" }.to_string();
    let status_text = |s: Status| {
        match s {
            Status::Pass => "pass",
            Status::Fail => "fail",
            Status::NoData => "no_data",
        }
        .to_string()
    };
    let text = |s: &Option<String>| excel_safe(s.as_deref().unwrap_or("")).into_owned();
    let mut w = ::csv::Writer::from_writer(Vec::new());
    for (r, ind) in rs.indicators() {
        let lo = &outcome.levels[r.level];
        let co = &lo.criteria[r.criterion];
        let io = &co.indicators[r.indicator];
        let value = values.get(ind.measure).copied().flatten();
        let threshold = io.threshold.map(|t| t.value.normalize());
        let dist = distance(&ind.test, threshold, value);
        let borderline = match (margin, value, threshold) {
            (Some(m), Some(Value::Num(v)), Some(t)) => m.borderline(&ind.test, v, t),
            _ => false,
        };
        let fields = [
            rec.row.to_string(),
            excel_safe(&rec.file).into_owned(),
            rec.line.to_string(),
            text(&rec.code),
            text(&rec.name),
            text(&rec.district),
            text(&rec.province),
            rec.zone.clone(),
            rec.zone_source.clone(),
            rec.year.to_string(),
            rec.level.clone().unwrap_or_default(),
            rs.levels[r.level].id.clone(),
            bool_text(lo.reached),
            rs.levels[r.level].criteria[r.criterion].id.clone(),
            status_text(co.status),
            ind.id.clone(),
            rs.measures[ind.measure].id.clone(),
            match value {
                None => String::new(),
                Some(Value::Num(n)) => n.normalize().to_string(),
                Some(Value::Bool(b)) => bool_text(b),
            },
            match &ind.test {
                Test::Yes => "yes".to_string(),
                Test::None => "none".to_string(),
                Test::Compare(op, _) => op.as_str().to_string(),
            },
            threshold.map(|t| t.to_string()).unwrap_or_default(),
            io.threshold
                .and_then(|t| t.from)
                .map(|y| y.to_string())
                .unwrap_or_default(),
            status_text(io.status),
            bool_text(io.verified),
            dist.map(|d| d.gap.normalize().to_string())
                .unwrap_or_default(),
            dist.and_then(|d| d.relative)
                .map(|r| crate::record::pct(r).to_string())
                .unwrap_or_default(),
            bool_text(borderline),
            excel_safe(&notes_cell(&rec.notes)).into_owned(),
        ];
        w.write_record(&fields).expect("writes");
    }
    w.into_inner().expect("flushes")
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(48))]

    #[test]
    fn long_rows_are_what_the_csv_crate_wrote((rs, rows, all, margin) in communes()) {
        let mut got = Vec::new();
        let mut want = Vec::new();
        {
            let mut sink = long::LongSink::body(&mut got);
            for (i, row) in rows.iter().enumerate() {
                let outcome = evaluate(rs, row.zone, row.year, &row.values);
                let rec = record(rs, i, row, all, margin);
                sink.write(rs, &rec, &row.values, &outcome, margin).expect("writes");
                want.extend(long_rows_with_csv_crate(rs, &rec, &row.values, &outcome, margin));
            }
            sink.finish().expect("flushes");
        }
        prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
    }

    #[test]
    fn streamed_json_is_the_whole_document((rs, rows, all, margin) in communes()) {
        let records: Vec<CommuneRecord> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| record(rs, i, row, all, margin))
            .collect();
        let meta = Meta {
            ntm_version: "0",
            ruleset_id: rs.id.clone(),
            ruleset_sha256: rs.sha256.clone(),
            ruleset_source: "builtin".into(),
            ruleset_chosen_by: None,
            year: None,
            year_source: None,
            inputs: Vec::new(),
            communes: records.len(),
            unverified_verdicts: 0,
            notes: 0,
        };
        let summary = RulesetSummary::new(rs);
        // Written piece by piece (head, communes, tail), the document is byte for byte what
        // serde_json writes for the whole, compact and pretty.
        let doc = json::Document {
            ruleset: &summary,
            communes: &records,
            meta: &meta,
        };
        let mut compact = Vec::new();
        json::write_json(&mut compact, &meta, &summary, &records, false).expect("writes");
        let mut whole = serde_json::to_vec(&doc).expect("serialises");
        whole.push(b'\n');
        prop_assert_eq!(String::from_utf8_lossy(&compact), String::from_utf8_lossy(&whole));
        let mut pretty = Vec::new();
        json::write_json(&mut pretty, &meta, &summary, &records, true).expect("writes");
        let mut whole = serde_json::to_vec_pretty(&doc).expect("serialises");
        whole.push(b'\n');
        prop_assert_eq!(String::from_utf8_lossy(&pretty), String::from_utf8_lossy(&whole));
    }
}

/// A commune of `rs` with no data, in its first zone.
fn empty_row(rs: &Ruleset) -> Row {
    Row {
        input: 0,
        line: 2,
        code: Some("=1".into()),
        name: Some("Xã \"A\", B".into()),
        district: None,
        province: None,
        zone: 0,
        zone_from: ZoneFrom::Column,
        year: rs.period.1,
        year_from: YearFrom::Column,
        values: vec![None; rs.measures.len()],
        kept: Vec::new(),
        notes: Vec::new(),
    }
}

#[test]
fn one_long_sink_writes_communes_of_several_rulesets() {
    let mut got = Vec::new();
    let mut want = Vec::new();
    {
        let mut sink = long::LongSink::body(&mut got);
        for i in [0, 1, 1, 2, 0] {
            let rs = &RULESETS[i];
            let row = empty_row(rs);
            let outcome = evaluate(rs, row.zone, row.year, &row.values);
            let rec = record(rs, i, &row, false, None);
            sink.write(rs, &rec, &row.values, &outcome, None)
                .expect("writes");
            want.extend(long_rows_with_csv_crate(
                rs,
                &rec,
                &row.values,
                &outcome,
                None,
            ));
        }
        sink.finish().expect("flushes");
    }
    assert_eq!(
        String::from_utf8_lossy(&got),
        String::from_utf8_lossy(&want)
    );
}

#[test]
fn a_sink_dropped_without_finish_still_writes_its_rows() {
    let rs = &RULESETS[1];
    let row = Row {
        year: 2024,
        ..empty_row(rs)
    };
    let rec = record(rs, 0, &row, false, None);
    let mut got = Vec::new();
    {
        let mut sink = CsvSink::body(&mut got);
        sink.write(&rec).expect("writes");
    }
    assert_eq!(got, csv_row_with_csv_crate(&rec));
    assert!(
        String::from_utf8_lossy(&got).starts_with("1,\"d/f,1.csv\",2,'=1,\"Xã \"\"A\"\", B\",")
    );
}

/// A meta for `communes` communes of `rs`.
fn meta_of(rs: &Ruleset, communes: usize) -> Meta {
    Meta {
        ntm_version: "0",
        ruleset_id: rs.id.clone(),
        ruleset_sha256: rs.sha256.clone(),
        ruleset_source: "builtin".into(),
        ruleset_chosen_by: None,
        year: None,
        year_source: None,
        inputs: Vec::new(),
        communes,
        unverified_verdicts: 0,
        notes: 0,
    }
}

/// What a [`sink::Sink`] of `format` writes for `rows`, appended in batches of `batch`, with
/// the result of `finish` (or `None`: dropped without it, as a failed run).
fn through_sink(
    format: crate::cli::Format,
    opts: sink::SinkOptions,
    rs: &Ruleset,
    rows: &[Row],
    batch: usize,
    finish: bool,
) -> (Option<anyhow::Result<Meta>>, Vec<u8>) {
    let meta = finish.then(|| meta_of(rs, rows.len()));
    through_sink_to(format, opts, rs, rows, batch, meta)
}

/// [`through_sink`], finished with `meta` when there is one.
fn through_sink_to(
    format: crate::cli::Format,
    opts: sink::SinkOptions,
    rs: &Ruleset,
    rows: &[Row],
    batch: usize,
    meta: Option<Meta>,
) -> (Option<anyhow::Result<Meta>>, Vec<u8>) {
    through_sink_by(format, opts, rs, rows, batch, meta, true)
}

/// [`through_sink_to`], each commune written from its outcome where the format takes it
/// (`direct`, as `evaluate` does) or always from its record.
fn through_sink_by(
    format: crate::cli::Format,
    opts: sink::SinkOptions,
    rs: &Ruleset,
    rows: &[Row],
    batch: usize,
    meta: Option<Meta>,
    direct: bool,
) -> (Option<anyhow::Result<Meta>>, Vec<u8>) {
    let mut out = Vec::new();
    let result = {
        let mut output = sink::Sink::new(format, rs, opts, &mut out, || {
            Ok(Box::new(std::io::Cursor::new(Vec::new())))
        })
        .expect("a sink");
        let shape = output.shape();
        let mut books = csv::Phrasebooks::default();
        for (k, chunk) in rows.chunks(batch).enumerate() {
            let piece = shape
                .render(chunk.len(), 0, |w| {
                    for (i, row) in chunk.iter().enumerate() {
                        let outcome = evaluate(rs, row.zone, row.year, &row.values);
                        let rec = record(rs, k * batch + i, row, false, opts.margin);
                        // As `evaluate` renders: from the outcome where the format can.
                        if direct && w.takes_evaluated() {
                            let e = csv::Evaluated {
                                rs,
                                position: k * batch + i + 1,
                                file: &rec.file,
                                row,
                                outcome: &outcome,
                                all_levels: false,
                                borderline: &rec.borderline,
                            };
                            w.write_evaluated(&e, &mut books)?;
                        } else {
                            w.write(&rec, &row.values, &outcome)?;
                        }
                    }
                    Ok(())
                })
                .expect("renders");
            output.append(piece).expect("appends");
        }
        meta.map(|meta| output.finish(&mut std::io::sink(), meta))
    };
    (result, out)
}

/// The inputs' SHA-256 is computed only for the outputs that show it (issue #14): every
/// format shows an input's digest exactly when its traits say so, so none ever shows one
/// that was not computed.
#[test]
fn an_input_digest_is_shown_exactly_where_the_format_says() {
    use clap::ValueEnum as _;
    let rs = &RULESETS[1];
    let digest = "5eed".repeat(16);
    let mut meta = meta_of(rs, 0);
    meta.inputs.push(InputMeta {
        path: "in.csv".into(),
        sha256: digest.clone(),
        rows: 0,
        format: "csv",
        encoding: Some("utf-8"),
        delimiter: Some(",".into()),
        sheet: None,
        header_row: Some(1),
    });
    for &format in crate::cli::Format::value_variants() {
        let traits = sink::traits(format);
        for csv_comments in [false, true] {
            if csv_comments && !traits.csv {
                continue;
            }
            let opts = sink::SinkOptions {
                csv_comments,
                ..sink_options(false)
            };
            let (result, bytes) = through_sink_to(format, opts, rs, &[], 1, Some(meta.clone()));
            result.expect("finished").expect("writes");
            let shown = if traits.binary {
                use calamine::Reader;
                let mut book =
                    calamine::Xlsx::new(std::io::Cursor::new(bytes)).expect("a workbook");
                book.worksheets().iter().any(|(_, range)| {
                    range
                        .used_cells()
                        .any(|(_, _, cell)| cell.to_string() == digest)
                })
            } else {
                String::from_utf8_lossy(&bytes).contains(&digest)
            };
            assert_eq!(
                shown,
                traits.shows_input_digest(csv_comments),
                "{format:?}, --csv-comments {csv_comments}"
            );
        }
    }
}

fn sink_options(pretty: bool) -> sink::SinkOptions {
    sink::SinkOptions {
        bom: false,
        csv_comments: false,
        margin: None,
        closest: None,
        lang: crate::lang::Lang::En,
        pretty,
        table_max: sink::TABLE_MAX_COMMUNES,
        private: false,
        stdout: false,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    #[test]
    fn the_sink_streams_the_whole_json_document(
        (rs, rows, _all, _margin) in communes(),
        batch in 1usize..5,
        pretty in any::<bool>(),
    ) {
        let (result, got) =
            through_sink(crate::cli::Format::Json, sink_options(pretty), rs, &rows, batch, true);
        let meta = result.expect("finished").expect("writes");
        let records: Vec<CommuneRecord> = rows
            .iter()
            .enumerate()
            .map(|(i, row)| record(rs, i, row, false, None))
            .collect();
        let mut want = Vec::new();
        json::write_json(&mut want, &meta, &RulesetSummary::new(rs), &records, pretty)
            .expect("writes");
        prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
        // NDJSON: a line per commune, then the meta line.
        let (result, got) =
            through_sink(crate::cli::Format::Ndjson, sink_options(false), rs, &rows, batch, true);
        let meta = result.expect("finished").expect("writes");
        let mut want = Vec::new();
        for rec in &records {
            json::serde_ndjson_commune(&mut want, rec).expect("writes");
        }
        json::write_ndjson_meta(&mut want, &meta, &RulesetSummary::new(rs)).expect("writes");
        prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
    }
}

#[test]
fn a_failed_streamed_run_is_no_complete_json_or_ndjson() {
    let rs = &RULESETS[1];
    let rows = vec![empty_row(rs), empty_row(rs), empty_row(rs)];
    let (_, json) = through_sink(
        crate::cli::Format::Json,
        sink_options(false),
        rs,
        &rows,
        2,
        false,
    );
    assert!(
        json.starts_with(b"{\"ruleset\":"),
        "the communes were streamed"
    );
    assert!(serde_json::from_slice::<serde_json::Value>(&json).is_err());
    let (_, nd) = through_sink(
        crate::cli::Format::Ndjson,
        sink_options(false),
        rs,
        &rows,
        2,
        false,
    );
    let text = String::from_utf8_lossy(&nd);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 4, "three communes and the end: {text}");
    assert_eq!(lines[3], "{\"type\":\"failed\"");
    assert!(serde_json::from_str::<serde_json::Value>(lines[3]).is_err());
    assert!(!text.contains("\"type\":\"meta\""));
}

#[test]
fn a_table_of_more_communes_than_it_holds_is_refused_and_prints_nothing() {
    let rs = &RULESETS[1];
    let rows = vec![empty_row(rs), empty_row(rs), empty_row(rs)];
    let opts = sink::SinkOptions {
        table_max: 2,
        ..sink_options(false)
    };
    let (result, out) = through_sink(crate::cli::Format::Table, opts, rs, &rows, 2, true);
    let err = result.expect("finished").expect_err("refused");
    assert!(
        format!("{err}").contains("3 communes, more than the 2"),
        "{err}"
    );
    assert!(format!("{err}").contains("use --format csv"), "{err}");
    assert!(out.is_empty());
    let opts = sink::SinkOptions {
        table_max: 3,
        ..sink_options(false)
    };
    let (result, out) = through_sink(crate::cli::Format::Table, opts, rs, &rows, 2, true);
    result.expect("finished").expect("three fit");
    assert!(!out.is_empty());
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// Into a private output (`-o`'s temporary file) the CSV formats stream, batch by batch,
    /// and the bytes are those of the spooled output; `--csv-comments` and `--closest` still
    /// spool (their head or order is known only at the end).
    #[test]
    fn a_private_csv_output_streams_the_spooled_bytes(
        (rs, rows, _all, margin) in communes(),
        batch in 1usize..5,
        long in any::<bool>(),
        bom in any::<bool>(),
        comments in any::<bool>(),
        closest in any::<bool>(),
    ) {
        let format = if long { crate::cli::Format::Long } else { crate::cli::Format::Csv };
        let opts = sink::SinkOptions {
            bom,
            csv_comments: comments,
            margin,
            closest: closest.then_some(None),
            ..sink_options(false)
        };
        let (spooled, want) = through_sink(format, opts, rs, &rows, batch, true);
        spooled.expect("finished").expect("writes");
        let private = sink::SinkOptions { private: true, ..opts };
        let (streamed, got) = through_sink(format, private, rs, &rows, batch, true);
        streamed.expect("finished").expect("writes");
        prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
        // Not finished: what was appended is out only where the output streams.
        let (_, early) = through_sink(format, private, rs, &rows, batch, false);
        let streams = !comments && !closest;
        prop_assert_eq!(!early.is_empty(), streams && !rows.is_empty());
        if streams && !rows.is_empty() {
            prop_assert!(want.starts_with(&early));
        }
    }
}

proptest! {
    #[test]
    fn a_tally_merged_batch_by_batch_is_the_tally_of_every_row(
        years in prop::collection::vec(2024i32..2026, 0..12),
        cut in 0usize..12,
    ) {
        let rs = &RULESETS[1];
        let rows: Vec<Row> = years
            .iter()
            .map(|&year| Row { year, ..empty_row(rs) })
            .collect();
        let cut = cut.min(rows.len());
        let mut whole = RunTally::default();
        let (mut head, mut tail) = (RunTally::default(), RunTally::default());
        for (i, row) in rows.iter().enumerate() {
            whole.row(row, i % 3 == 0);
            if i < cut { &mut head } else { &mut tail }.row(row, i % 3 == 0);
        }
        head.merge(&tail);
        let (a, b) = (whole.meta(rs, "x", None, Vec::new()), head.meta(rs, "x", None, Vec::new()));
        prop_assert_eq!(a.year, b.year);
        prop_assert_eq!(a.year, years.first().filter(|&&y| years.iter().all(|&z| z == y)).copied());
        prop_assert_eq!(a.year_source.is_some(), b.year_source.is_some());
        prop_assert_eq!((a.communes, a.unverified_verdicts), (b.communes, b.unverified_verdicts));
        prop_assert_eq!(a.communes, rows.len());
    }
}

/// The table's footer groups counts by thousands per language (issue #15): the old footer
/// said "3 of 1250 verdicts" in both.
#[test]
fn table_footer_groups_counts_by_language() {
    let rs = &RULESETS[1];
    let meta = Meta {
        unverified_verdicts: 1192,
        ..meta_of(rs, 20_000)
    };
    for (lang, want) in [
        (crate::lang::Lang::En, "1,192 of 20,000 verdicts"),
        (crate::lang::Lang::Vi, "1.192/20.000 kết quả"),
    ] {
        let mut out = Vec::new();
        let opts = table::TableOptions {
            margin: None,
            closest: None,
            lang,
        };
        table::write_table(&mut out, rs, &meta, &[], opts).expect("renders");
        let text = String::from_utf8(out).expect("utf-8");
        assert!(text.contains(want), "{text}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]

    /// The workbook read back is the same however the communes were batched: rows in input
    /// order, the summary sheets from the batches' tallies merged.
    #[test]
    fn the_xlsx_workbook_does_not_depend_on_the_batches(
        (rs, rows, _all, margin) in communes(),
        batch in 1usize..5,
        vi in any::<bool>(),
    ) {
        use calamine::Reader;
        let opts = sink::SinkOptions {
            margin,
            lang: if vi { crate::lang::Lang::Vi } else { crate::lang::Lang::En },
            ..sink_options(false)
        };
        let sheets = |batch: usize| {
            let (result, bytes) =
                through_sink(crate::cli::Format::Xlsx, opts, rs, &rows, batch, true);
            result.expect("finished").expect("writes");
            calamine::Xlsx::new(std::io::Cursor::new(bytes))
                .expect("a workbook")
                .worksheets()
        };
        let whole = sheets(rows.len());
        prop_assert_eq!(whole[0].1.height(), rows.len() + 1, "a header and every commune");
        prop_assert_eq!(sheets(batch), whole);
    }
}

#[test]
fn xlsx_with_closest_is_refused() {
    let rs = &RULESETS[1];
    let opts = sink::SinkOptions {
        closest: Some(None),
        ..sink_options(false)
    };
    let mut out = Vec::new();
    let made = sink::Sink::new(crate::cli::Format::Xlsx, rs, opts, &mut out, || {
        Ok(Box::new(std::io::Cursor::new(Vec::new())))
    });
    let Err(e) = made else {
        panic!("--closest with xlsx is refused");
    };
    assert!(e.to_string().contains("input order"), "{e}");
}

/// Strings no office types but a file may hold: every control character, quotes,
/// backslashes, DEL, the line and paragraph separators, characters beyond the BMP.
fn hostile() -> impl Strategy<Value = String> {
    prop_oneof![
        "[\\x00-\\x1f\"\\\\\\x7f\\x{2028}\\x{2029}\\x{1F600}\\x{10FFFF}/a-zđạ ]{0,12}",
        any::<String>(),
        "\\PC{0,16}",
    ]
}

/// Every string of `rec` replaced by the next of `strings`, every decimal by the next of
/// `decimals` (both taken round and round).
fn make_hostile(rec: &mut CommuneRecord, strings: &[String], decimals: &[Decimal]) {
    let mut s = strings.iter().cycle().cloned();
    let mut d = decimals.iter().cycle().copied();
    let mut s = move || s.next().unwrap_or_default();
    let mut d = move || d.next().unwrap_or_default();
    rec.file = s();
    rec.code = Some(s());
    rec.name = Some(s());
    rec.district = Some(s());
    rec.province = Some(s());
    rec.zone = s();
    rec.zone_source = s();
    rec.level = Some(s());
    rec.next_level = Some(s());
    for l in &mut rec.levels {
        l.level = s();
    }
    for m in &mut rec.missing {
        m.level = s();
        m.criterion = s();
        m.name = s();
        m.name_vi = s();
        for i in &mut m.indicators {
            i.id = s();
            i.measure = s();
            i.required = s();
            if matches!(i.value, Some(ValueOut::Num(_))) {
                i.value = Some(ValueOut::Num(d()));
            }
            if i.threshold.is_some() {
                i.threshold = Some(d());
            }
        }
    }
    for b in &mut rec.borderline {
        b.level = s();
        b.criterion = s();
        b.indicator = s();
        b.measure = s();
        b.value = d();
        b.threshold = d();
    }
    if let Some(t) = rec.to_next.as_mut() {
        t.shortfall_pct = d();
    }
    for n in &mut rec.notes {
        n.column = Some(s());
        n.value = s();
        n.message = s();
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Issue #14: the hand-written JSON of a commune (compact, pretty, first in the array or
    /// not, and its NDJSON line) is byte for byte what serde_json writes, for records of
    /// every shape and strings and decimals serde_json must escape or keep exactly.
    #[test]
    fn hand_written_json_is_what_serde_json_writes(
        (rs, rows, all, margin) in communes(),
        strings in prop::collection::vec(hostile(), 1..24),
        decimals in prop::collection::vec(any_decimal(), 1..8),
        hostile_too in any::<bool>(),
    ) {
        for (i, row) in rows.iter().enumerate() {
            let mut rec = record(rs, i, row, all, margin);
            if hostile_too {
                make_hostile(&mut rec, &strings, &decimals);
            }
            for (first, pretty) in [(true, false), (false, false), (true, true), (false, true)] {
                let mut got = b"[".to_vec();
                json::write_json_commune(&mut got, first, &rec, pretty).expect("writes");
                let mut want = b"[".to_vec();
                json::serde_json_commune(&mut want, first, &rec, pretty).expect("writes");
                prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
                prop_assert_eq!(got, want);
            }
            let mut got = Vec::new();
            json::write_ndjson_commune(&mut got, &rec).expect("writes");
            let mut want = Vec::new();
            json::serde_ndjson_commune(&mut want, &rec).expect("writes");
            prop_assert_eq!(String::from_utf8_lossy(&got), String::from_utf8_lossy(&want));
            prop_assert_eq!(got, want);
        }
    }
}

/// The escapes serde_json writes, one by one, in a hand-written commune.
#[test]
fn hand_written_json_escapes_as_serde_json() {
    let rs = &RULESETS[0];
    let row = empty_row(rs);
    let mut rec = record(rs, 0, &row, false, None);
    let nasty = "a\"b\\c\u{0}\u{8}\u{9}\u{a}\u{c}\u{d}\u{1f}\u{7f}\u{2028}\u{1F600}";
    rec.name = Some(nasty.into());
    let mut got = Vec::new();
    json::write_ndjson_commune(&mut got, &rec).expect("writes");
    let got = String::from_utf8(got).expect("UTF-8");
    assert!(
        got.contains(r#""name":"a\"b\\c\u0000\b\t\n\f\r\u001f"#),
        "{got}"
    );
    assert!(got.contains("\u{7f}\u{2028}\u{1F600}\""), "{got}");
    let mut want = Vec::new();
    json::serde_ndjson_commune(&mut want, &rec).expect("writes");
    assert_eq!(got.as_bytes(), want.as_slice());
}

/// A character to escape anywhere in a long string (inside or after the words the plain
/// prefix is scanned by) is escaped as serde_json escapes it.
#[test]
fn hand_written_json_escapes_at_every_position() {
    for special in [
        '"', '\\', '\u{0}', '\u{1f}', '\n', '\u{7f}', '\u{2028}', 'đ',
    ] {
        for at in 0..40 {
            let mut s: String = "abcdefghijklmnopqrstuvwxyz0123456789ABCD".into();
            s.insert(at, special);
            let mut got = Vec::new();
            json_commune::push_str(&mut got, &s);
            let want = serde_json::to_string(&s).expect("serialises");
            assert_eq!(String::from_utf8_lossy(&got), want, "{special:?} at {at}");
        }
    }
}

proptest! {
    /// Strings of every length up to a few words, with or without a byte to escape anywhere
    /// (the fast path of `push_str` copies a string whole when `needs_escape` finds none,
    /// issue #14): the bytes serde_json writes, and `needs_escape` as a byte-by-byte test.
    #[test]
    fn hand_written_json_strings_are_serde_json_strings(s in prop_oneof![
        "[a-zđạ ]{0,30}",
        "[a-zđạ ]{0,20}[\"\\\\\u{0}-\u{1f}][a-zđạ ]{0,20}",
        "\\PC{0,24}",
        any::<String>(),
    ]) {
        let mut got = b"x".to_vec();
        json_commune::push_str(&mut got, &s);
        let want = format!("x{}", serde_json::to_string(&s).expect("serialises"));
        prop_assert_eq!(String::from_utf8_lossy(&got), want);
        let naive = s.bytes().any(|b| b < 0x20 || b == b'"' || b == b'\\');
        prop_assert_eq!(json_commune::needs_escape(s.as_bytes()), naive);
    }
}

/// Every text of `row` that comes from the input replaced by the next of `strings`, and
/// every other number by the next of `numbers` (both taken round and round).
fn make_row_hostile(row: &mut Row, strings: &[String], numbers: &[Decimal]) {
    let mut s = strings.iter().cycle().cloned();
    let mut d = numbers.iter().cycle().copied();
    let mut s = move || s.next().unwrap_or_default();
    row.code = Some(s());
    row.name = Some(s());
    row.district = Some(s()).filter(|t| t.len() % 2 == 0);
    row.province = Some(s());
    for (i, v) in row.values.iter_mut().enumerate() {
        if i % 2 == 1
            && let Some(Value::Num(n)) = v
        {
            *n = d.next().unwrap_or_default();
        }
    }
    for n in &mut row.notes {
        n.column = Some(s()).filter(|t| !t.is_empty());
        n.value = s();
        n.message = s();
    }
}

/// The JSON of `rows` written from their records (`json_commune`) and from their outcomes
/// (`json_evaluated`), laid out as `layout` (`first` is whether a commune is the first of
/// the array); every third commune comes from another file. With `reached`, each level's
/// `reached` is overwritten from its bits (rotated by the commune's index), and the level
/// and next level found from them, so that every pattern of levels reached (and none to
/// reach next) is written whatever the values reach.
#[allow(clippy::too_many_arguments)]
fn json_both_ways(
    rs: &Ruleset,
    rows: &[Row],
    file: &str,
    all: bool,
    margin: Option<Margin>,
    layout: json_evaluated::Layout,
    books: &mut csv::Phrasebooks,
    reached: Option<u32>,
) -> (String, String) {
    use json_evaluated::Layout;
    let mut ev = crate::eval::Evaluator::new(rs);
    let (mut by_record, mut evaluated) = (b"[".to_vec(), b"[".to_vec());
    for (i, row) in rows.iter().enumerate() {
        let file = if i % 3 == 2 { "khác.csv" } else { file };
        let mut outcome = ev.evaluate(row.zone, row.year, &row.values);
        if let Some(mask) = reached {
            for (li, l) in outcome.levels.iter_mut().enumerate() {
                l.reached = mask.rotate_right(i as u32) >> li & 1 == 1;
            }
            // The highest level reached and the next, as the evaluator finds them.
            let levels = &outcome.levels;
            outcome.level = levels.iter().rposition(|l| l.reached);
            outcome.next_level = rs.levels.iter().enumerate().position(|(i, l)| {
                !levels[i].reached && l.requires.is_none_or(|r| levels[r].reached)
            });
        }
        let mut rec = CommuneRecord::new(rs, i + 1, file, row, &outcome, all);
        rec.borderline = borderline_records(rs, &outcome, &row.values, margin);
        let layout = match layout {
            Layout::Element { pretty, .. } => Layout::Element {
                first: i == 0,
                pretty,
            },
            Layout::Line => Layout::Line,
        };
        match layout {
            Layout::Element { first, pretty } => {
                json_commune::push_json_commune(&mut by_record, first, &rec, pretty);
            }
            Layout::Line => json_commune::push_ndjson_commune(&mut by_record, &rec),
        }
        let e = csv::Evaluated {
            rs,
            position: i + 1,
            file,
            row,
            outcome: &outcome,
            all_levels: all,
            borderline: &rec.borderline,
        };
        let to_next = json_evaluated::push_evaluated(&mut evaluated, layout, &e, &mut books.json);
        let ranked = |t: Option<ToNext>| t.map(|t| (t.indicators, t.no_data, t.shortfall_pct));
        assert_eq!(
            ranked(to_next),
            ranked(rec.to_next),
            "what --closest ranks by"
        );
    }
    (
        String::from_utf8(by_record).expect("UTF-8"),
        String::from_utf8(evaluated).expect("UTF-8"),
    )
}

/// The three layouts of a commune's JSON.
const LAYOUTS: [json_evaluated::Layout; 3] = [
    json_evaluated::Layout::Element {
        first: true,
        pretty: false,
    },
    json_evaluated::Layout::Element {
        first: true,
        pretty: true,
    },
    json_evaluated::Layout::Line,
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Issue #14: a commune's JSON written straight from its row and outcome is byte for
    /// byte the JSON of its record (itself what serde_json writes, above): compact and
    /// pretty, first in the array or not, and its NDJSON line; on every built-in ruleset,
    /// every zone, years around the period, `--all-levels` and `--margin` or not, with
    /// hostile text (every control character, quotes, backslashes, DEL, U+2028, characters
    /// beyond the BMP) in every field from the input and numbers of every sign and scale.
    #[test]
    fn json_from_outcomes_is_the_json_of_their_records(
        (rs, mut rows, all, margin) in communes(),
        strings in prop::collection::vec(hostile(), 1..24),
        numbers in prop::collection::vec(
            (any::<i32>(), 0u32..=12).prop_map(|(m, s)| Decimal::new(m.into(), s)),
            1..8,
        ),
        hostile_too in any::<bool>(),
        file in hostile(),
    ) {
        if hostile_too {
            for row in &mut rows {
                make_row_hostile(row, &strings, &numbers);
            }
        }
        // One set of books for every layout, as a thread keeps them for a run.
        let mut books = csv::Phrasebooks::default();
        for layout in LAYOUTS {
            let (want, got) = json_both_ways(rs, &rows, &file, all, margin, layout, &mut books, None);
            prop_assert_eq!(got, want, "{:?}", layout);
        }
    }
}

/// More (zone, year) pairs than a thread keeps books for, met again: every book written
/// anew is the right one.
#[test]
fn json_of_more_zones_and_years_than_books_are_kept_for() {
    for rs in RULESETS.iter() {
        let mut rows = Vec::new();
        for round in 0..2 {
            for year in rs.period.0 - 12..=rs.period.1 + 12 {
                for zone in 0..rs.zones.len() {
                    let mut row = empty_row(rs);
                    (row.zone, row.year) = (zone, year);
                    for (m, v) in row.values.iter_mut().enumerate() {
                        *v = match (rs.measures[m].kind, (m + year as usize + round) % 4) {
                            (_, 0) => None,
                            (MeasureKind::Bool, k) => Some(Value::Bool(k % 2 == 0)),
                            (_, k) => Some(Value::Num(Decimal::new(30 * k as i64, 0))),
                        };
                    }
                    rows.push(row);
                }
            }
        }
        assert!(rows.len() > 2 * csv::BOOKS, "{}", rs.id);
        let mut books = csv::Phrasebooks::default();
        for layout in LAYOUTS {
            let (want, got) =
                json_both_ways(rs, &rows, "a.csv", true, None, layout, &mut books, None);
            assert_eq!(got, want, "{} {layout:?}", rs.id);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Issue #14: a level's entry in `levels` is written joined to the next level's opening,
    /// which depends on whether that level is reached: every pattern of levels reached (few
    /// generated values reach a level above the first) is written as from the record.
    #[test]
    fn json_from_outcomes_is_the_json_of_their_records_whichever_levels_are_reached(
        (rs, rows, all, margin) in communes(),
        mask in any::<u32>(),
    ) {
        let mut books = csv::Phrasebooks::default();
        for layout in LAYOUTS {
            let (want, got) =
                json_both_ways(rs, &rows, "a.csv", all, margin, layout, &mut books, Some(mask));
            prop_assert_eq!(got, want, "{:?}", layout);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(32))]

    /// `--closest` JSON and NDJSON written from the outcomes are the bytes written from the
    /// records: the same communes in the same order, re-punctuated alike, the same counts.
    #[test]
    fn closest_json_from_outcomes_is_the_json_from_records(
        (rs, rows, _all, margin) in communes(),
        batch in 1usize..5,
        pretty in any::<bool>(),
        n in prop::option::of(0usize..6),
    ) {
        for format in [crate::cli::Format::Json, crate::cli::Format::Ndjson] {
            let opts = sink::SinkOptions {
                closest: Some(n),
                margin,
                ..sink_options(pretty)
            };
            let meta = || Some(meta_of(rs, rows.len()));
            let (a, direct) = through_sink_by(format, opts, rs, &rows, batch, meta(), true);
            let (b, by_record) = through_sink_by(format, opts, rs, &rows, batch, meta(), false);
            let (a, b) = (a.expect("finished").expect("writes"), b.expect("finished").expect("writes"));
            prop_assert_eq!(
                (a.communes, a.unverified_verdicts),
                (b.communes, b.unverified_verdicts)
            );
            prop_assert_eq!(String::from_utf8_lossy(&direct), String::from_utf8_lossy(&by_record));
        }
    }
}
