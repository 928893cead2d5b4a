//! Rendering rulesets: `ntm rules list` and `ntm rules show` (tables and normalized JSON).

use std::collections::BTreeMap;
use std::io::Write;

use rust_decimal::Decimal;
use serde::Serialize;

use super::table::{esc, esc_row, lines_cell, new_table, writeln_esc};
use crate::lang::Lang;
use crate::ruleset::Ruleset;
use crate::ruleset::model::{IndicatorRef, Origin, Placed, Test, Threshold, YearEntry, Zoning};

/// A line of `ntm rules list`.
#[derive(Debug, Clone, Serialize)]
pub struct ListEntry {
    /// Id.
    pub id: String,
    /// English name.
    pub name: String,
    /// `[first, last]`.
    pub period: [i32; 2],
    /// Legal instrument(s).
    pub decision: String,
    /// Level ids.
    pub levels: Vec<String>,
    /// Number of indicators.
    pub indicators: usize,
    /// Indicators whose every value is verified.
    pub verified: usize,
    /// SHA-256 of the text.
    pub sha256: String,
}

impl ListEntry {
    /// Summarise `rs`.
    pub fn new(rs: &Ruleset) -> Self {
        ListEntry {
            id: rs.id.clone(),
            name: rs.name.clone(),
            period: [rs.period.0, rs.period.1],
            decision: rs.decision.clone(),
            levels: rs.levels.iter().map(|l| l.id.clone()).collect(),
            indicators: rs.indicator_count(),
            verified: rs
                .indicators()
                .filter(|(r, _)| rs.fully_verified(*r))
                .count(),
            sha256: rs.sha256.clone(),
        }
    }
}

/// `ntm rules list` as a table.
pub fn write_list_table(out: &mut dyn Write, entries: &[ListEntry]) -> anyhow::Result<()> {
    let mut t = new_table();
    t.set_header(esc_row([
        "Ruleset",
        "Period",
        "Decision",
        "Levels",
        "Indicators verified",
    ]));
    for e in entries {
        t.add_row(esc_row([
            e.id.clone(),
            format!("{}–{}", e.period[0], e.period[1]),
            e.decision.clone(),
            e.levels.join(" → "),
            format!("{}/{}", e.verified, e.indicators),
        ]));
    }
    writeln!(out, "{}", super::fit::fit(&mut t))?;
    writeln_esc!(out, "default: {}", crate::ruleset::builtin::DEFAULT_ID)?;
    Ok(())
}

/// `ntm rules show` as tables: header, one table per level, the measures.
pub fn write_show_table(
    out: &mut dyn Write,
    rs: &Ruleset,
    base: Option<&Ruleset>,
    zone: Option<usize>,
    year: Option<i32>,
    lang: Lang,
) -> anyhow::Result<()> {
    let l = |en: &'static str, vi: &'static str| lang.pick(en, vi);
    writeln_esc!(out, "{} — {}", rs.id, rs.name)?;
    writeln!(out, "{}", esc(&rs.name_vi))?;
    writeln_esc!(
        out,
        "{} {}–{}; {}",
        l("period", "giai đoạn"),
        rs.period.0,
        rs.period.1,
        rs.decision
    )?;
    let zones: Vec<&str> = rs.zones.iter().map(|z| z.id.as_str()).collect();
    let zkind = match rs.zoning {
        Zoning::Region => l("regions", "vùng"),
        Zoning::Group => l("commune groups", "nhóm xã"),
    };
    writeln_esc!(out, "{zkind}: {}", zones.join(", "))?;
    if let Some(base) = &rs.extends {
        let count = |o: Origin| rs.indicators().filter(|(_, i)| i.origin == o).count();
        writeln!(
            out,
            "{}",
            esc(&match lang {
                Lang::En => format!(
                    "extends {base}: {} indicator(s) amended (marked *), {} added (marked +)",
                    count(Origin::Amended),
                    count(Origin::Own)
                ),
                Lang::Vi => format!(
                    "kế thừa {base}: {} chỉ tiêu sửa đổi (đánh dấu *), {} bổ sung (đánh dấu +)",
                    count(Origin::Amended),
                    count(Origin::Own)
                ),
            })
        )?;
        let total = rs.indicator_count();
        let verified = rs
            .indicators()
            .filter(|(r, _)| rs.fully_verified(*r))
            .count();
        // Amended indicators with a verified value: official values of this ruleset (the base's
        // own values are inherited unmarked).
        let own_verified = rs
            .indicators()
            .filter(|(r, i)| i.origin == Origin::Amended && verified_text(rs, *r) != "no")
            .count();
        writeln!(
            out,
            "{}",
            match lang {
                Lang::En => format!(
                    "indicators verified: {verified}/{total}; values of this ruleset: * and + (the others are {base}'s); {own_verified} amended indicator(s) carry verified values of this ruleset"
                ),
                Lang::Vi => format!(
                    "chỉ tiêu đã đối chiếu: {verified}/{total}; giá trị của bộ này: * và + (còn lại của {base}); {own_verified} chỉ tiêu sửa đổi có giá trị đã đối chiếu của bộ này"
                ),
            }
        )?;
    }
    if let Some(z) = zone {
        let y = year.unwrap_or(rs.period.1);
        writeln_esc!(
            out,
            "{} {} ({}), {y}",
            l("thresholds for", "ngưỡng áp dụng cho"),
            rs.zones[z].id,
            lang.pick(&rs.zones[z].name, &rs.zones[z].name_vi)
        )?;
    }
    for o in &rs.overrides {
        writeln_esc!(
            out,
            "{} {}: `{}` = {} → {} ({})",
            l("override", "ngoại lệ"),
            o.id,
            rs.measures[o.measure].id,
            l("yes", "có"),
            rs.zones[o.zone].id,
            super::words::source_text(&o.source, lang)
        )?;
    }
    for (li, level) in rs.levels.iter().enumerate() {
        writeln!(out)?;
        let req = level
            .requires
            .map(|r| format!(", {} {}", l("requires", "cần đạt trước"), rs.levels[r].id))
            .unwrap_or_default();
        writeln_esc!(
            out,
            "{} {} — {} / {}{req}",
            l("Level", "Mức"),
            level.id,
            level.name,
            level.name_vi
        )?;
        let mut t = new_table();
        t.set_header(esc_row([
            l("Criterion", "Tiêu chí"),
            l("Indicator", "Chỉ tiêu"),
            l("Measure", "Cột dữ liệu"),
            l("Requirement", "Yêu cầu"),
            l("Verified", "Đã đối chiếu"),
            l("Source", "Nguồn"),
        ]));
        for Placed {
            r,
            criterion: crit,
            indicator: ind,
            ..
        } in rs.walk_level(li)
        {
            let crit_cell = if r.indicator == 0 {
                let at_least = crit
                    .at_least
                    .map(|n| match lang {
                        Lang::En => format!(" (at least {n} of {})", crit.indicators.len()),
                        Lang::Vi => format!(" (đạt ít nhất {n}/{})", crit.indicators.len()),
                    })
                    .unwrap_or_default();
                format!("{} {}{at_least}", crit.id, crit.name_vi)
            } else {
                String::new()
            };
            let m = &rs.measures[ind.measure];
            let mark = match origin_text(rs, r) {
                Some("amended") => "* ",
                Some("added") => "+ ",
                _ => "",
            };
            let mut requirement = requirement(rs, r, zone, year, lang);
            if let (Some(base), Origin::Amended) = (base, ind.origin) {
                requirement.push('\n');
                requirement.push_str(&origin_line(rs, r, base, zone, lang));
            }
            t.add_row([
                esc(&crit_cell),
                esc(&format!("{mark}{}", ind.id)),
                esc(&m.id),
                lines_cell(&requirement.split('\n').collect::<Vec<_>>()),
                verified_label(verified_text(rs, r), lang).to_string(),
                esc(&super::words::source_text(&ind.source, lang)),
            ]);
        }
        writeln!(out, "{}", super::fit::fit(&mut t))?;
    }
    writeln!(out)?;
    writeln!(out, "{}", l("Measures (data columns)", "Cột dữ liệu"))?;
    let mut t = new_table();
    t.set_header(esc_row([
        l("Column", "Cột"),
        l("Kind", "Kiểu"),
        l("Unit", "Đơn vị"),
        l("Vietnamese label", "Tên tiếng Việt"),
        l("Aliases", "Tên khác"),
    ]));
    for m in &rs.measures {
        let kind = if m.optional {
            format!("{} ({})", m.kind.as_str(), l("optional", "không bắt buộc"))
        } else {
            m.kind.as_str().to_string()
        };
        t.add_row(esc_row([
            m.id.clone(),
            kind,
            super::words::unit_in(m, lang).unwrap_or_default(),
            m.name_vi.clone(),
            m.aliases.join("; "),
        ]));
    }
    writeln!(out, "{}", super::fit::fit(&mut t))?;
    Ok(())
}

/// `verified_text` in the table's language.
fn verified_label(text: &'static str, lang: Lang) -> &'static str {
    match (lang, text) {
        (Lang::Vi, "yes") => "có",
        (Lang::Vi, "partly") => "một phần",
        (Lang::Vi, "no") => "chưa",
        (_, t) => t,
    }
}

/// `yes`, `partly` or `no`: how much of an indicator's content is verified.
pub fn verified_text(rs: &Ruleset, r: IndicatorRef) -> &'static str {
    if rs.fully_verified(r) {
        return "yes";
    }
    let ind = rs.indicator(r);
    let any = match &ind.test {
        Test::Compare(_, Threshold::Fixed(entries)) => {
            entries.iter().any(|e| e.verified.iter().any(|v| *v))
        }
        _ => ind.verified.iter().any(|v| *v),
    };
    if any { "partly" } else { "no" }
}

fn fmt_values(e: &YearEntry, rs: &Ruleset, factor: Decimal, lang: Lang) -> String {
    let vals: Vec<Decimal> = e.values.iter().map(|v| (*v * factor).normalize()).collect();
    // English as it always was (`1234.5`); Vietnamese style (`1.234,5`) in Vietnamese.
    let num = |v: &Decimal| match lang {
        Lang::En => v.to_string(),
        Lang::Vi => super::num_text(*v, lang),
    };
    if vals.windows(2).all(|w| w[0] == w[1]) {
        return vals.first().map(num).unwrap_or_default();
    }
    rs.zones
        .iter()
        .zip(&vals)
        .map(|(z, v)| format!("{} {}", z.id, num(v)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The requirement of an indicator, readable: `>= 80`, `NMM 36 · RRD 50 …`, `yes (Đạt)`; in
/// Vietnamese `≥ 80`, `NMM 36 · RRD 16,5 …`, `đạt`, `từ năm 2025: …`.
pub fn requirement(
    rs: &Ruleset,
    r: IndicatorRef,
    zone: Option<usize>,
    year: Option<i32>,
    lang: Lang,
) -> String {
    let vi = lang == Lang::Vi;
    let ind = rs.indicator(r);
    let Test::Compare(op, threshold) = &ind.test else {
        return match (ind.test.clone(), vi) {
            (Test::Yes, false) => "yes (Đạt)".to_string(),
            (_, false) => "none (Không)".to_string(),
            (Test::Yes, true) => "đạt".to_string(),
            (_, true) => "không có".to_string(),
        };
    };
    let op_text = if vi {
        super::words::op_vi(op.as_str())
    } else {
        op.as_str()
    };
    if let Some(z) = zone {
        let (t, _) = rs.resolve(r, z, year.unwrap_or(rs.period.1));
        return match t {
            Some(t) => {
                let y = match (t.from, vi) {
                    (Some(y), false) => format!(" (from {y})"),
                    (Some(y), true) => format!(" (từ năm {y})"),
                    (None, _) => String::new(),
                };
                let value = match lang {
                    Lang::En => t.value.normalize().to_string(),
                    Lang::Vi => super::num_text(t.value, lang),
                };
                format!("{op_text} {value}{y}")
            }
            None => op_text.to_string(),
        };
    }
    let (entries, factor, derived) = match threshold {
        Threshold::Fixed(entries) => (entries, Decimal::ONE, String::new()),
        Threshold::Derived {
            level,
            criterion,
            indicator,
            factor,
        } => {
            let base = &rs.levels[*level].criteria[*criterion].indicators[*indicator];
            let Test::Compare(_, Threshold::Fixed(entries)) = &base.test else {
                return op_text.to_string();
            };
            let pct = (*factor * Decimal::ONE_HUNDRED).normalize();
            let of = if vi {
                format!(
                    "{}% ngưỡng chỉ tiêu {} của mức {}: ",
                    super::num_text(pct, lang),
                    base.id,
                    rs.levels[*level].name_vi
                )
            } else {
                format!("{pct}% of {} {}: ", rs.levels[*level].id, base.id)
            };
            (entries, *factor, of)
        }
    };
    // One line per entry, each escaped: a name from the ruleset cannot add a line.
    let lines: Vec<String> = entries
        .iter()
        .map(|e| {
            let from = match (e.from, vi) {
                (Some(y), false) => format!("from {y}: "),
                (Some(y), true) => format!("từ năm {y}: "),
                (None, _) => String::new(),
            };
            format!("{from}{op_text} {}", fmt_values(e, rs, factor, lang))
        })
        .collect();
    format!("{}{}", esc(&derived), lines_cell(&lines))
}

/// The normalized ruleset (`ntm rules show --format json`).
#[derive(Debug, Serialize)]
pub struct RulesetJson {
    id: String,
    name: String,
    name_vi: String,
    period: [i32; 2],
    decision: String,
    zoning: Zoning,
    notes: Option<String>,
    sha256: String,
    /// The ruleset this one extends; only present for an extending ruleset.
    #[serde(skip_serializing_if = "Option::is_none")]
    extends: Option<String>,
    zones: Vec<ZoneJson>,
    measures: Vec<MeasureJson>,
    overrides: Vec<OverrideJson>,
    levels: Vec<LevelJson>,
}

#[derive(Debug, Serialize)]
struct ZoneJson {
    id: String,
    name: String,
    name_vi: String,
    aliases: Vec<String>,
}

#[derive(Debug, Serialize)]
struct MeasureJson {
    id: String,
    name: String,
    name_vi: String,
    kind: crate::ruleset::model::MeasureKind,
    unit: Option<String>,
    aliases: Vec<String>,
    optional: bool,
}

#[derive(Debug, Serialize)]
struct OverrideJson {
    id: String,
    name: Option<String>,
    measure: String,
    zone: String,
    source: String,
}

#[derive(Debug, Serialize)]
struct LevelJson {
    id: String,
    name: String,
    name_vi: String,
    requires: Option<String>,
    source: Option<String>,
    criteria: Vec<CriterionJson>,
}

#[derive(Debug, Serialize)]
struct CriterionJson {
    id: String,
    name: String,
    name_vi: String,
    at_least: Option<usize>,
    indicators: Vec<IndicatorJson>,
}

#[derive(Debug, Serialize)]
struct IndicatorJson {
    id: String,
    name: Option<String>,
    name_vi: Option<String>,
    measure: String,
    op: &'static str,
    source: String,
    verified: bool,
    note: Option<String>,
    derived: Option<DerivedJson>,
    thresholds: Vec<EntryJson>,
    resolved: Option<ResolvedJson>,
    /// `inherited`, `amended` or `added`; only present in an extending ruleset.
    #[serde(skip_serializing_if = "Option::is_none")]
    origin: Option<&'static str>,
}

#[derive(Debug, Serialize)]
struct DerivedJson {
    level: String,
    indicator: String,
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    factor: Decimal,
}

#[derive(Debug, Serialize)]
struct EntryJson {
    from: Option<i32>,
    values: BTreeMap<String, NumJson>,
    verified: BTreeMap<String, bool>,
    note: Option<String>,
}

#[derive(Debug, Serialize)]
struct NumJson(#[serde(with = "rust_decimal::serde::arbitrary_precision")] Decimal);

#[derive(Debug, Serialize)]
struct ResolvedJson {
    zone: String,
    year: i32,
    value: Option<NumJson>,
    from: Option<i32>,
    verified: bool,
}

impl RulesetJson {
    /// Normalize `rs`; with `zone`, each indicator also carries its resolved threshold.
    pub fn new(rs: &Ruleset, zone: Option<usize>, year: Option<i32>) -> Self {
        let levels = rs
            .levels
            .iter()
            .enumerate()
            .map(|(li, l)| LevelJson {
                id: l.id.clone(),
                name: l.name.clone(),
                name_vi: l.name_vi.clone(),
                requires: l.requires.map(|r| rs.levels[r].id.clone()),
                source: l.source.clone(),
                criteria: l
                    .criteria
                    .iter()
                    .enumerate()
                    .map(|(ci, c)| CriterionJson {
                        id: c.id.clone(),
                        name: c.name.clone(),
                        name_vi: c.name_vi.clone(),
                        at_least: c.at_least,
                        indicators: (0..c.indicators.len())
                            .map(|ii| {
                                let r = IndicatorRef {
                                    level: li,
                                    criterion: ci,
                                    indicator: ii,
                                };
                                indicator_json(rs, r, zone, year)
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        RulesetJson {
            id: rs.id.clone(),
            name: rs.name.clone(),
            name_vi: rs.name_vi.clone(),
            period: [rs.period.0, rs.period.1],
            decision: rs.decision.clone(),
            zoning: rs.zoning,
            notes: rs.notes.clone(),
            sha256: rs.sha256.clone(),
            extends: rs.extends.clone(),
            zones: rs
                .zones
                .iter()
                .map(|z| ZoneJson {
                    id: z.id.clone(),
                    name: z.name.clone(),
                    name_vi: z.name_vi.clone(),
                    aliases: z.aliases.clone(),
                })
                .collect(),
            measures: rs
                .measures
                .iter()
                .map(|m| MeasureJson {
                    id: m.id.clone(),
                    name: m.name.clone(),
                    name_vi: m.name_vi.clone(),
                    kind: m.kind,
                    unit: m.unit.clone(),
                    aliases: m.aliases.clone(),
                    optional: m.optional,
                })
                .collect(),
            overrides: rs
                .overrides
                .iter()
                .map(|o| OverrideJson {
                    id: o.id.clone(),
                    name: o.name.clone(),
                    measure: rs.measures[o.measure].id.clone(),
                    zone: rs.zones[o.zone].id.clone(),
                    source: o.source.clone(),
                })
                .collect(),
            levels,
        }
    }
}

fn indicator_json(
    rs: &Ruleset,
    r: IndicatorRef,
    zone: Option<usize>,
    year: Option<i32>,
) -> IndicatorJson {
    let ind = rs.indicator(r);
    let zone_map = |vals: &[Decimal], factor: Decimal| -> BTreeMap<String, NumJson> {
        rs.zones
            .iter()
            .zip(vals)
            .map(|(z, v)| (z.id.clone(), NumJson((*v * factor).normalize())))
            .collect()
    };
    let flag_map = |flags: &[bool], own: &[bool]| -> BTreeMap<String, bool> {
        rs.zones
            .iter()
            .enumerate()
            .map(|(i, z)| (z.id.clone(), flags[i] && own[i]))
            .collect()
    };
    let all_true = vec![true; rs.zones.len()];
    let (op, derived, thresholds) = match &ind.test {
        Test::Yes => ("yes", None, Vec::new()),
        Test::None => ("none", None, Vec::new()),
        Test::Compare(op, Threshold::Fixed(entries)) => (
            op.as_str(),
            None,
            entries
                .iter()
                .map(|e| EntryJson {
                    from: e.from,
                    values: zone_map(&e.values, Decimal::ONE),
                    verified: flag_map(&e.verified, &all_true),
                    note: e.note.clone(),
                })
                .collect(),
        ),
        Test::Compare(
            op,
            Threshold::Derived {
                level,
                criterion,
                indicator,
                factor,
            },
        ) => {
            let base = &rs.levels[*level].criteria[*criterion].indicators[*indicator];
            let entries = match &base.test {
                Test::Compare(_, Threshold::Fixed(entries)) => entries
                    .iter()
                    .map(|e| EntryJson {
                        from: e.from,
                        values: zone_map(&e.values, *factor),
                        verified: flag_map(&e.verified, &ind.verified),
                        note: None,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            let d = DerivedJson {
                level: rs.levels[*level].id.clone(),
                indicator: base.id.clone(),
                factor: factor.normalize(),
            };
            (op.as_str(), Some(d), entries)
        }
    };
    let resolved = zone.map(|z| {
        let y = year.unwrap_or(rs.period.1);
        let (t, verified) = rs.resolve(r, z, y);
        ResolvedJson {
            zone: rs.zones[z].id.clone(),
            year: y,
            value: t.map(|t| NumJson(t.value.normalize())),
            from: t.and_then(|t| t.from),
            verified,
        }
    });
    IndicatorJson {
        id: ind.id.clone(),
        name: ind.name.clone(),
        name_vi: ind.name_vi.clone(),
        measure: rs.measures[ind.measure].id.clone(),
        op,
        source: ind.source.clone(),
        verified: rs.fully_verified(r),
        note: ind.note.clone(),
        derived,
        thresholds,
        resolved,
        origin: origin_text(rs, r),
    }
}

/// What an extending ruleset did to the indicator at `r`: `inherited`, `amended` or `added`.
/// `None` for a ruleset that extends nothing.
pub fn origin_text(rs: &Ruleset, r: IndicatorRef) -> Option<&'static str> {
    rs.extends.as_ref()?;
    Some(match rs.indicator(r).origin {
        Origin::Inherited => "inherited",
        Origin::Amended => "amended",
        Origin::Own => "added",
    })
}

/// Zones whose value (or verified mark) of the amended indicator at `r` differs from `base`'s:
/// the values this ruleset sets, as opposed to those it keeps from its base.
pub fn own_zones(rs: &Ruleset, r: IndicatorRef, base: &Ruleset) -> Vec<usize> {
    let ind = rs.indicator(r);
    let level = &rs.levels[r.level].id;
    let Some((rb, bi)) = base
        .indicators()
        .find(|(b, bi)| &base.levels[b.level].id == level && bi.id == ind.id)
    else {
        return (0..rs.zones.len()).collect();
    };
    let mut years = std::collections::BTreeSet::from([rs.period.0]);
    for t in [&ind.test, &bi.test] {
        if let Test::Compare(_, Threshold::Fixed(entries)) = t {
            years.extend(entries.iter().filter_map(|e| e.from));
        }
    }
    (0..rs.zones.len())
        .filter(|&z| {
            years.iter().any(|&y| {
                let (a, av) = rs.resolve(r, z, y);
                let (b, bv) = base.resolve(rb, z, y);
                a.map(|t| t.value) != b.map(|t| t.value) || av != bv
            })
        })
        .collect()
}

/// The origin of an amended indicator's values: which zones this ruleset sets, the others
/// being its base's.
fn origin_line(
    rs: &Ruleset,
    r: IndicatorRef,
    base: &Ruleset,
    zone: Option<usize>,
    lang: Lang,
) -> String {
    let own = own_zones(rs, r, base);
    let ids: Vec<&str> = own.iter().map(|&z| rs.zones[z].id.as_str()).collect();
    match (zone, lang) {
        (Some(z), Lang::En) if own.contains(&z) => "(value of this ruleset)".to_string(),
        (Some(z), Lang::Vi) if own.contains(&z) => "(giá trị của bộ này)".to_string(),
        (Some(_), Lang::En) => format!("(value of {})", base.id),
        (Some(_), Lang::Vi) => format!("(giá trị của {})", base.id),
        (None, Lang::En) => format!("this ruleset: {}; others: {}", or_none(&ids), base.id),
        (None, Lang::Vi) => format!("của bộ này: {}; còn lại: {}", or_none(&ids), base.id),
    }
}

fn or_none(ids: &[&str]) -> String {
    if ids.is_empty() {
        "—".to_string()
    } else {
        ids.join(", ")
    }
}
