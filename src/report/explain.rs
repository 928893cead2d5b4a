//! `ntm explain`: one commune, every level, criterion and indicator, with the requirement's
//! provenance and the distance to each threshold.
//!
//! `Explanation` is the JSON contract documented in README ("Explain JSON"); its indicator
//! rows (`IndicatorDetail`) are also what `--format long` writes. Building is pure (ruleset,
//! row, outcome in; records out); rendering writes a terminal view or JSON.

use std::io::Write;

use rust_decimal::Decimal;
use serde::Serialize;

use super::num_text;
use super::table::{esc, esc_row, new_table, writeln_esc};
use super::words::{self, Words};
use crate::data::read::{Note, Row, YearFrom};
use crate::eval::{Outcome, Status};
use crate::lang::Lang;
use crate::margin::{Margin, distance};
use crate::record::{Meta, ValueOut, required_text, value_out};
use crate::ruleset::Ruleset;
use crate::ruleset::model::{IndicatorRef, Test, Threshold, in_force};

/// The explain document: provenance and the communes explained.
#[derive(Debug, Clone, Serialize)]
pub struct Explanation {
    /// As in `evaluate`'s JSON (`communes` counts the communes explained).
    pub meta: Meta,
    /// The margin asked for (`2%`, `0.5`), when `--margin` was given.
    pub margin: Option<String>,
    /// One per commune matched.
    pub communes: Vec<CommuneExplanation>,
}

/// One commune, explained.
#[derive(Debug, Clone, Serialize)]
pub struct CommuneExplanation {
    /// 1-based position among all rows read (input order).
    pub row: usize,
    /// Input file.
    pub file: String,
    /// Line in that file.
    pub line: u64,
    /// Commune code.
    pub code: Option<String>,
    /// Commune name.
    pub name: Option<String>,
    /// District.
    pub district: Option<String>,
    /// Province.
    pub province: Option<String>,
    /// Zone whose thresholds applied.
    pub zone: String,
    /// Its English name.
    pub zone_name: String,
    /// Its Vietnamese name.
    pub zone_name_vi: String,
    /// `column`, `province`, or `override:<id>`.
    pub zone_source: String,
    /// The override that set the zone, if any.
    #[serde(rename = "override")]
    pub overridden: Option<OverrideRecord>,
    /// Assessment year.
    pub year: i32,
    /// Where the year came from.
    pub year_source: YearFrom,
    /// Highest level reached, or null.
    pub level: Option<String>,
    /// The level to reach next, or null at the top.
    pub next_level: Option<String>,
    /// The level verdict rests on unverified content.
    pub unverified: bool,
    /// What separates the commune from its next level (as in `evaluate`; null at the top).
    pub to_next: Option<crate::record::ToNext>,
    /// Every level, lowest first.
    pub levels: Vec<LevelExplanation>,
    /// What `--lenient` read as no data in this row (empty otherwise).
    pub notes: Vec<Note>,
}

/// The override that replaced a commune's zone.
#[derive(Debug, Clone, Serialize)]
pub struct OverrideRecord {
    /// Override id.
    pub id: String,
    /// The yes/no column that triggered it.
    pub measure: String,
    /// The zone assessed against.
    pub zone: String,
    /// Legal basis.
    pub source: String,
}

/// One level of a commune.
#[derive(Debug, Clone, Serialize)]
pub struct LevelExplanation {
    /// Level id.
    pub level: String,
    /// English name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// The level that must be reached first.
    pub requires: Option<String>,
    /// Reached.
    pub reached: bool,
    /// Criteria met.
    pub criteria_met: usize,
    /// Criteria.
    pub criteria_total: usize,
    /// Indicators met.
    pub indicators_met: usize,
    /// Indicators.
    pub indicators_total: usize,
    /// Every criterion, in ruleset order.
    pub criteria: Vec<CriterionExplanation>,
}

/// One criterion of a level.
#[derive(Debug, Clone, Serialize)]
pub struct CriterionExplanation {
    /// Criterion id.
    pub criterion: String,
    /// English name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// `pass`, `fail` or `no_data`.
    pub status: Status,
    /// Indicators met.
    pub met: usize,
    /// Indicators needed.
    pub required: usize,
    /// Every indicator, in ruleset order.
    pub indicators: Vec<IndicatorDetail>,
}

/// One indicator of one commune: value, requirement and where it came from, verdict, distance.
#[derive(Debug, Clone, Serialize)]
pub struct IndicatorDetail {
    /// Indicator id.
    pub id: String,
    /// English label (the indicator's, else the measure's).
    pub name: String,
    /// Vietnamese label.
    pub name_vi: String,
    /// Measure id (the data column).
    pub measure: String,
    /// Unit of the measure.
    pub unit: Option<String>,
    /// The value found (null for no data; true/false for yes/no).
    pub value: Option<ValueOut>,
    /// `>=`, `>`, `<=`, `<`, `=`, `yes` or `none`.
    pub op: &'static str,
    /// Readable requirement: `>= 66`, `yes`, `none`.
    pub required: String,
    /// The numeric threshold, when there is one.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub threshold: Option<Decimal>,
    /// `from` year of the threshold entry used, when thresholds vary by year.
    pub threshold_year: Option<i32>,
    /// When the threshold is derived from another indicator's.
    pub derived: Option<DerivedRecord>,
    /// `pass`, `fail` or `no_data`.
    pub status: Status,
    /// The threshold (or the indicator) is verified for this zone and year.
    pub verified: bool,
    /// Decision, annex and item.
    pub source: String,
    /// The indicator's note (basis of unverified values).
    pub note: Option<String>,
    /// The note of the threshold entry used, if it has one.
    pub threshold_note: Option<String>,
    /// Signed distance to the threshold in the measure's unit: positive to spare, negative
    /// short (README, "Distances and margins"). Null for yes/no tests and no data.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub gap: Option<Decimal>,
    /// `gap` as a percentage of |threshold|, rounded to 2 decimals; null at a zero threshold.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub gap_pct: Option<Decimal>,
    /// The value lies within `--margin` of the threshold.
    pub borderline: bool,
}

/// A threshold derived from another indicator's (319/QĐ-TTg: 110% of the advanced level).
#[derive(Debug, Clone, Serialize)]
pub struct DerivedRecord {
    /// Level of the base indicator.
    pub level: String,
    /// The base indicator.
    pub indicator: String,
    /// Multiplier.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub factor: Decimal,
    /// The base's threshold for the same zone and year.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub base_threshold: Option<Decimal>,
}

/// The detail of indicator `r` for a commune with `values`, assessed in `year` against
/// `outcome` (which holds the zone after overrides).
pub fn indicator_detail(
    rs: &Ruleset,
    r: IndicatorRef,
    outcome: &Outcome,
    year: i32,
    values: &[Option<crate::data::coerce::Value>],
    margin: Option<Margin>,
) -> IndicatorDetail {
    let ind = rs.indicator(r);
    let io = &outcome.levels[r.level].criteria[r.criterion].indicators[r.indicator];
    let m = &rs.measures[ind.measure];
    let value = values.get(ind.measure).copied().flatten();
    let threshold = io.threshold.map(|t| t.value.normalize());
    let dist = distance(&ind.test, threshold, value);
    let (op, derived, threshold_note) = match &ind.test {
        Test::Yes => ("yes", None, None),
        Test::None => ("none", None, None),
        Test::Compare(op, Threshold::Fixed(entries)) => {
            (op.as_str(), None, in_force(entries, year).note.clone())
        }
        Test::Compare(
            op,
            Threshold::Derived {
                level,
                criterion,
                indicator,
                factor,
            },
        ) => {
            let base = IndicatorRef {
                level: *level,
                criterion: *criterion,
                indicator: *indicator,
            };
            let (base_t, _) = rs.resolve(base, outcome.zone, year);
            // The base's values are what a derived threshold is verified by: say what they
            // rest on.
            let base_ind = rs.indicator(base);
            let base_note = match &base_ind.test {
                Test::Compare(_, Threshold::Fixed(entries)) => in_force(entries, year).note.clone(),
                Test::Compare(_, Threshold::Derived { .. }) | Test::Yes | Test::None => None,
            };
            let note = base_note
                .or_else(|| base_ind.note.clone())
                .map(|n| format!("base {} {}: {n}", rs.levels[*level].id, base_ind.id));
            let d = DerivedRecord {
                level: rs.levels[*level].id.clone(),
                indicator: rs.indicator(base).id.clone(),
                factor: factor.normalize(),
                base_threshold: base_t.map(|t| t.value.normalize()),
            };
            (op.as_str(), Some(d), note)
        }
    };
    let borderline = match (margin, value, threshold) {
        (Some(mg), Some(crate::data::coerce::Value::Num(v)), Some(t)) => {
            mg.borderline(&ind.test, v, t)
        }
        _ => false,
    };
    IndicatorDetail {
        id: ind.id.clone(),
        name: ind.name.clone().unwrap_or_else(|| m.name.clone()),
        name_vi: ind.name_vi.clone().unwrap_or_else(|| m.name_vi.clone()),
        measure: m.id.clone(),
        unit: m.unit.clone(),
        value: value.map(value_out),
        op,
        required: required_text(&ind.test, io.threshold.map(|t| t.value)),
        threshold,
        threshold_year: io.threshold.and_then(|t| t.from),
        derived,
        status: io.status,
        verified: io.verified,
        source: ind.source.clone(),
        note: ind.note.clone(),
        threshold_note,
        gap: dist.map(|d| d.gap.normalize()),
        gap_pct: dist.and_then(|d| d.relative).map(crate::record::pct),
        borderline,
    }
}

/// Explain one evaluated row; `position` is its 1-based place among all rows read.
pub fn explain_commune(
    rs: &Ruleset,
    position: usize,
    file: &str,
    row: &Row,
    outcome: &Outcome,
    margin: Option<Margin>,
) -> CommuneExplanation {
    let levels = rs
        .levels
        .iter()
        .enumerate()
        .map(|(li, level)| {
            let lo = &outcome.levels[li];
            let criteria = level
                .criteria
                .iter()
                .enumerate()
                .map(|(ci, crit)| {
                    let co = &lo.criteria[ci];
                    CriterionExplanation {
                        criterion: crit.id.clone(),
                        name: crit.name.clone(),
                        name_vi: crit.name_vi.clone(),
                        status: co.status,
                        met: co.met,
                        required: crit.required(),
                        indicators: (0..crit.indicators.len())
                            .map(|ii| {
                                let r = IndicatorRef {
                                    level: li,
                                    criterion: ci,
                                    indicator: ii,
                                };
                                indicator_detail(rs, r, outcome, row.year, &row.values, margin)
                            })
                            .collect(),
                    }
                })
                .collect();
            LevelExplanation {
                level: level.id.clone(),
                name: level.name.clone(),
                name_vi: level.name_vi.clone(),
                requires: level.requires.map(|r| rs.levels[r].id.clone()),
                reached: lo.reached,
                criteria_met: lo.criteria_met,
                criteria_total: level.criteria.len(),
                indicators_met: lo.indicators_met,
                indicators_total: level.criteria.iter().map(|c| c.indicators.len()).sum(),
                criteria,
            }
        })
        .collect();
    let zone = &rs.zones[outcome.zone];
    CommuneExplanation {
        row: position,
        file: file.to_string(),
        line: row.line,
        code: row.code.clone(),
        name: row.name.clone(),
        district: row.district.clone(),
        province: row.province.clone(),
        zone: zone.id.clone(),
        zone_name: zone.name.clone(),
        zone_name_vi: zone.name_vi.clone(),
        zone_source: crate::record::zone_source(rs, outcome, row),
        overridden: outcome.overridden_by.map(|o| {
            let o = &rs.overrides[o];
            OverrideRecord {
                id: o.id.clone(),
                measure: rs.measures[o.measure].id.clone(),
                zone: rs.zones[o.zone].id.clone(),
                source: o.source.clone(),
            }
        }),
        year: row.year,
        year_source: row.year_from,
        level: outcome.level.map(|l| rs.levels[l].id.clone()),
        next_level: outcome.next_level.map(|l| rs.levels[l].id.clone()),
        unverified: outcome.unverified,
        to_next: crate::margin::closeness(rs, outcome, &row.values).map(crate::record::ToNext::new),
        levels,
        notes: row.notes.clone(),
    }
}

/// The explain document as pretty JSON.
pub fn write_explain_json(out: &mut dyn Write, doc: &Explanation) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc)?;
    writeln!(out)?;
    Ok(())
}

/// The explain document for a terminal: a heading per commune, then a table per level and
/// the sources of unverified values as numbered notes.
pub fn write_explain_table(
    out: &mut dyn Write,
    rs: &Ruleset,
    doc: &Explanation,
    lang: Lang,
) -> anyhow::Result<()> {
    for (k, c) in doc.communes.iter().enumerate() {
        if k > 0 {
            writeln!(out)?;
        }
        write_commune(out, rs, c, doc.margin.as_deref(), lang)?;
    }
    Ok(())
}

fn write_commune(
    out: &mut dyn Write,
    rs: &Ruleset,
    c: &CommuneExplanation,
    margin: Option<&str>,
    lang: Lang,
) -> anyhow::Result<()> {
    let t = |en, vi| lang.pick(en, vi);
    let words = Words::new(rs, lang);
    let vi = lang == Lang::Vi;
    let mut title = c
        .name
        .clone()
        .unwrap_or_else(|| t("(no name)", "(không tên)").into());
    if let Some(code) = &c.code {
        title.push_str(&format!(" — {} {code}", t("code", "mã")));
    }
    let place: Vec<&str> = [&c.district, &c.province]
        .into_iter()
        .filter_map(|p| p.as_deref())
        .collect();
    if !place.is_empty() {
        title.push_str(&format!(" — {}", place.join(", ")));
    }
    writeln!(out, "{}", esc(&title))?;
    let year_from = match c.year_source {
        YearFrom::Flag => t("--year", "chọn khi chạy"),
        YearFrom::Column => t("year column", "cột năm"),
        YearFrom::PeriodEnd => t(
            "last year of the ruleset's period",
            "năm cuối của giai đoạn",
        ),
    };
    writeln_esc!(
        out,
        "{}:{}; {} {}; {} {} ({year_from})",
        c.file,
        c.line,
        t("ruleset", "bộ tiêu chí"),
        rs.id,
        t("assessment year", "năm đánh giá"),
        c.year
    )?;
    let zone_name = lang.pick(&c.zone_name, &c.zone_name_vi);
    let zone_from = match &c.overridden {
        Some(o) if vi => format!(
            "ngoại lệ theo {}: {} = có",
            words::source_text(&o.source, lang),
            words.measure_name(&o.measure)
        ),
        Some(o) => format!(
            "{} {}, {}: `{}` = {}",
            t("override", "ngoại lệ"),
            o.id,
            o.source,
            o.measure,
            t("yes", "có")
        ),
        None if c.zone_source == "column" => t("region/group column", "cột vùng/nhóm").into(),
        None => t("from the province", "theo tỉnh").into(),
    };
    let zone_word = match rs.zoning {
        crate::ruleset::model::Zoning::Region => t("region", "vùng"),
        crate::ruleset::model::Zoning::Group => t("group", "nhóm"),
    };
    if vi {
        // A group's Vietnamese name starts with "Nhóm": no word before it.
        let zone_word = match rs.zoning {
            crate::ruleset::model::Zoning::Region => "vùng ",
            crate::ruleset::model::Zoning::Group => "",
        };
        writeln_esc!(
            out,
            "ngưỡng áp dụng theo {zone_word}{zone_name} ({zone_from})"
        )?;
    } else {
        writeln_esc!(out, "{zone_word} {} {zone_name} ({zone_from})", c.zone)?;
    }
    let level_name = |id: &Option<String>| match id {
        Some(id) if vi => words.level(id).to_string(),
        Some(id) => match rs.level_index(id) {
            Some(i) => format!(
                "{id} ({})",
                lang.pick(&rs.levels[i].name, &rs.levels[i].name_vi)
            ),
            None => id.clone(),
        },
        None => "—".to_string(),
    };
    writeln_esc!(
        out,
        "{}: {}; {}: {}",
        t("level reached", "mức đạt"),
        level_name(&c.level),
        t("next level", "mức tiếp theo"),
        level_name(&c.next_level)
    )?;
    if let Some(tn) = &c.to_next {
        writeln_esc!(
            out,
            "{}: {}",
            t("to the next level", "khoảng cách đến mức tiếp theo"),
            super::table::to_next_text(tn, lang)
        )?;
    }
    if c.unverified {
        writeln!(
            out,
            "{}",
            t(
                "the level verdict rests on unverified values (marked below)",
                "kết quả xếp mức dựa trên giá trị chưa được kiểm chứng (đánh dấu bên dưới)"
            )
        )?;
    }
    for n in &c.notes {
        let what = t(
            "read as no data (--lenient)",
            "đọc là không có số liệu (chế độ đọc nới lỏng)",
        );
        match &n.column {
            Some(col) => writeln_esc!(
                out,
                "! {} `{}` `{}`: {what}",
                n.code,
                crate::text::echo(col),
                crate::text::echo(&n.value)
            )?,
            None => writeln_esc!(out, "! {}: {what}", n.code)?,
        }
    }
    if let Some(m) = margin {
        match lang {
            Lang::En => writeln_esc!(out, "borderline: within {m} of the threshold")?,
            Lang::Vi => writeln_esc!(out, "sát ngưỡng: cách ngưỡng không quá {m}")?,
        }
    }

    let mut notes: Vec<String> = Vec::new();
    for (li, l) in c.levels.iter().enumerate() {
        writeln!(out)?;
        let state = if l.reached {
            t("reached", "đạt").to_string()
        } else {
            match (&l.requires, rs.levels[li].requires) {
                (Some(req), Some(ri)) if !c.levels[ri].reached => format!(
                    "{} ({} {} {})",
                    t("not reached", "chưa đạt"),
                    t("requires", "cần đạt"),
                    words.level(req),
                    t("first", "trước")
                ),
                _ => t("not reached", "chưa đạt").to_string(),
            }
        };
        let heading = if vi {
            l.name_vi.clone()
        } else {
            format!("{} — {}", l.level, l.name)
        };
        writeln_esc!(
            out,
            "{heading}: {state}; {}/{} {}, {}/{} {}",
            l.criteria_met,
            l.criteria_total,
            t("criteria", "tiêu chí"),
            l.indicators_met,
            l.indicators_total,
            t("indicators", "chỉ tiêu")
        )?;
        let mut table = new_table();
        table.set_header(esc_row([
            t("Criterion", "Tiêu chí"),
            t("Indicator", "Chỉ tiêu"),
            t("Value", "Giá trị"),
            t("Requirement", "Yêu cầu"),
            t("Status", "Kết quả"),
            t("Gap", "Chênh lệch"),
            t("Verified", "Kiểm chứng"),
        ]));
        for crit in &l.criteria {
            for (ii, d) in crit.indicators.iter().enumerate() {
                let crit_cell = if ii == 0 {
                    let mut s = format!(
                        "{} {}",
                        crit.criterion,
                        lang.pick(&crit.name, &crit.name_vi)
                    );
                    s.push_str(&format!(": {}", status_text(crit.status, lang)));
                    if crit.indicators.len() > 1 || crit.required != crit.indicators.len() {
                        s.push_str(&format!(" ({}/{})", crit.met, crit.required));
                    }
                    s
                } else {
                    String::new()
                };
                let verified = if d.verified {
                    t("yes", "có").to_string()
                } else {
                    // The research notes are English prose: Vietnamese output gives the
                    // legal reference only.
                    let mut note = words::source_text(&d.source, lang);
                    if !vi {
                        for n in [&d.threshold_note, &d.note].into_iter().flatten() {
                            note.push_str(" — ");
                            note.push_str(n);
                        }
                    }
                    let k = match notes.iter().position(|n| *n == note) {
                        Some(k) => k + 1,
                        None => {
                            notes.push(note);
                            notes.len()
                        }
                    };
                    format!("{} [{k}]", t("no", "chưa"))
                };
                let mut status = status_text(d.status, lang).to_string();
                if d.borderline {
                    status.push_str(&format!(", {}", t("borderline", "sát ngưỡng")));
                }
                table.add_row(esc_row([
                    crit_cell,
                    if vi {
                        format!("{} {}", d.id, d.name_vi)
                    } else {
                        format!("{} {}", d.id, d.measure)
                    },
                    value_text(d.value, lang),
                    requirement_text(d, &c.zone, &words),
                    status,
                    gap_text(d, lang),
                    verified,
                ]));
            }
        }
        writeln!(out, "{}", super::fit::fit(&mut table))?;
    }
    if !notes.is_empty() {
        writeln!(out)?;
        writeln!(
            out,
            "{}",
            t(
                "Unverified values and their basis:",
                "Giá trị chưa được đối chiếu với văn bản pháp lý và căn cứ (ghi chú nghiên cứu về từng giá trị chỉ có bằng tiếng Anh, trong bộ tiêu chí):"
            )
        )?;
        for (k, n) in notes.iter().enumerate() {
            writeln_esc!(out, "[{}] {n}", k + 1)?;
        }
    }
    Ok(())
}

fn status_text(s: Status, lang: Lang) -> &'static str {
    match s {
        Status::Pass => lang.pick("pass", "đạt"),
        Status::Fail => lang.pick("fail", "không đạt"),
        Status::NoData => lang.pick("no data", "thiếu số liệu"),
    }
}

fn value_text(v: Option<ValueOut>, lang: Lang) -> String {
    match v {
        None => "—".to_string(),
        Some(ValueOut::Num(n)) => num_text(n, lang),
        Some(ValueOut::Bool(b)) => lang
            .pick(if b { "yes" } else { "no" }, if b { "có" } else { "không" })
            .to_string(),
    }
}

/// `>= 60 (RRD, from 2025)`, `>= 77 = 110% × advanced 10 (70)`, `yes`, `none`; in
/// Vietnamese `≥ 60 (từ năm 2025)`, `≥ 77 = 110% × ngưỡng chỉ tiêu 10 của mức Xã đạt chuẩn
/// nông thôn mới nâng cao (70)`, without the zone, which the commune's heading names.
fn requirement_text(d: &IndicatorDetail, zone: &str, words: &Words<'_>) -> String {
    let lang = words.lang();
    let Some(threshold) = d.threshold else {
        return words.requirement(d.op, None);
    };
    let mut s = words.requirement(d.op, Some(threshold));
    if let Some(dv) = &d.derived {
        let pct = (dv.factor * Decimal::ONE_HUNDRED).normalize();
        let base = match lang {
            Lang::En => format!("{} {}", dv.level, dv.indicator),
            Lang::Vi => format!(
                "ngưỡng chỉ tiêu {} của mức {}",
                dv.indicator,
                words.level(&dv.level)
            ),
        };
        s.push_str(&format!(" = {}% × {base}", num_text(pct, lang)));
        if let Some(b) = dv.base_threshold {
            s.push_str(&format!(" ({})", num_text(b, lang)));
        }
    }
    match (lang, d.threshold_year) {
        (Lang::En, Some(y)) => s.push_str(&format!(" ({zone}, from {y})")),
        (Lang::En, None) => s.push_str(&format!(" ({zone})")),
        (Lang::Vi, Some(y)) => s.push_str(&format!(" (từ năm {y})")),
        (Lang::Vi, None) => {}
    }
    s
}

/// `+1.2 (+2%)`, `-8.8 (-12.57%)`, `-1` (zero threshold), empty without a distance.
fn gap_text(d: &IndicatorDetail, lang: Lang) -> String {
    let Some(g) = d.gap else {
        return String::new();
    };
    let signed = |x: Decimal| {
        let s = num_text(x, lang);
        if x.is_sign_positive() && !x.is_zero() {
            format!("+{s}")
        } else {
            s
        }
    };
    match d.gap_pct {
        Some(p) => format!("{} ({}%)", signed(g), signed(p)),
        None => signed(g),
    }
}
