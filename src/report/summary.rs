//! Rendering a summary: the JSON document (a public contract, docs/summary.md), the long CSV,
//! and tables for people in English or Vietnamese. Decides nothing: every figure comes from
//! `crate::summary`.

use std::io::Write;

use rust_decimal::Decimal;
use serde::Serialize;

use super::table::{esc, esc_row, new_table, writeln_esc};
use super::words::Words;
use crate::lang::Lang;
use crate::record::Meta;
use crate::ruleset::Ruleset;
use crate::summary::compare::Comparison;
use crate::summary::targets::Targets;
use crate::summary::{
    Band, Goal, Rollup, RollupRule, Scope, Summary, Tally, average, bands, ranking, share,
};

/// The summary as rendered: the JSON contract.
#[derive(Debug, Serialize)]
pub(crate) struct SummaryDoc<'a> {
    /// Provenance.
    pub meta: &'a Meta,
    /// The `--by` column, or null.
    pub by: Option<&'a str>,
    /// The levels and their bands of criteria met.
    pub levels: Vec<LevelHead>,
    /// Every commune.
    pub total: GroupOut,
    /// One per value of the `--by` column (sorted; the empty value first, as null).
    pub groups: Vec<GroupOut>,
    /// The targets file, when given.
    pub targets: Option<TargetsOut>,
    /// Roll-ups of the groups, when a rule applies.
    pub rollups: Option<RollupsOut<'a>>,
    /// Published figures beside the computed ones (`--compare`).
    pub compare: Option<CompareOut>,
}

/// The reconciliation with published figures.
#[derive(Debug, Serialize)]
pub(crate) struct CompareOut {
    /// The reported file.
    pub source: String,
    /// How many rows differ.
    pub differences: usize,
    /// One per reported row, in file order.
    pub rows: Vec<Comparison>,
}

/// A level and the bands its criteria met are counted in.
#[derive(Debug, Serialize)]
pub(crate) struct LevelHead {
    /// Id.
    pub id: String,
    /// English name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// Number of criteria.
    pub criteria: usize,
    /// Number of indicators.
    pub indicators: usize,
    /// Bands of criteria met, from the lowest.
    pub bands: Vec<Band>,
}

/// Figures of one group (or the total).
#[derive(Debug, Serialize)]
pub(crate) struct GroupOut {
    /// The group's value (null for the total and for communes with the cell empty).
    pub group: Option<String>,
    /// Communes.
    pub communes: usize,
    /// Communes at no level.
    pub no_level: usize,
    /// Communes whose level verdict rests on unverified content.
    pub unverified: usize,
    /// Per level.
    pub levels: Vec<LevelOut>,
}

/// Figures of one level in one group.
#[derive(Debug, Serialize)]
pub(crate) struct LevelOut {
    /// Level id.
    pub level: String,
    /// Communes that reached it.
    pub reached: usize,
    /// `reached / communes` in percent, cut to one decimal.
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub share: Decimal,
    /// Communes whose highest level it is.
    pub highest: usize,
    /// Communes that did not reach it with a criterion of it without data.
    pub no_data: usize,
    /// Average criteria of this level met per commune (2 decimals).
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub avg_criteria_met: Decimal,
    /// Average indicators of this level met per commune (2 decimals).
    #[serde(with = "rust_decimal::serde::arbitrary_precision")]
    pub avg_indicators_met: Decimal,
    /// Communes per band of criteria met (the level's `bands`).
    pub bands: Vec<usize>,
    /// Communes whose next level it is.
    pub candidates: usize,
    /// Criteria the candidates missed, most failed first.
    pub most_missed: Vec<MissedOut>,
}

/// A criterion missed by candidates.
#[derive(Debug, Serialize)]
pub(crate) struct MissedOut {
    /// Criterion id.
    pub criterion: String,
    /// English name.
    pub name: String,
    /// Vietnamese name.
    pub name_vi: String,
    /// Candidates that failed it.
    pub fail: usize,
    /// Candidates with no data for it.
    pub no_data: usize,
}

/// The targets file and each target's check.
#[derive(Debug, Serialize)]
pub(crate) struct TargetsOut {
    /// Title.
    pub name: String,
    /// Vietnamese title.
    pub name_vi: Option<String>,
    /// Source of the file.
    pub source: String,
    /// Year.
    pub year: Option<i32>,
    /// Checks, in file order.
    pub checks: Vec<TargetOut>,
}

/// One target checked.
#[derive(Debug, Serialize)]
pub(crate) struct TargetOut {
    /// Level id.
    pub level: String,
    /// `all`, `zone` or `column`.
    pub scope: &'static str,
    /// Zone id (scope `zone`).
    pub zone: Option<String>,
    /// Column (scope `column`).
    pub column: Option<String>,
    /// Value (scope `column`).
    pub value: Option<String>,
    /// Share asked, in percent.
    #[serde(with = "rust_decimal::serde::arbitrary_precision_option")]
    pub share: Option<Decimal>,
    /// Count asked.
    pub count: Option<usize>,
    /// Communes in scope.
    pub communes: usize,
    /// Of them at the level.
    pub reached: usize,
    /// At the level needed.
    pub needed: usize,
    /// Met.
    pub met: bool,
    /// More communes needed (0 when met).
    pub short_by: usize,
    /// Source.
    pub source: Option<String>,
    /// Confirmed in its source.
    pub verified: bool,
    /// Note.
    pub note: Option<String>,
}

/// Roll-ups of the groups.
#[derive(Debug, Serialize)]
pub(crate) struct RollupsOut<'a> {
    /// `district_ntm_2021` or `province_completed_2026`.
    pub rule: RollupRule,
    /// Legal source.
    pub source: &'static str,
    /// The level the rule asks 10 % of communes at.
    pub higher_level: &'static str,
    /// Always true: only the commune conditions are checked; the unit's own criteria are not
    /// in commune data.
    pub commune_conditions_only: bool,
    /// Per group.
    pub groups: &'a [Rollup],
}

impl<'a> SummaryDoc<'a> {
    /// Build the document.
    pub(crate) fn new(
        rs: &Ruleset,
        meta: &'a Meta,
        by: Option<&'a str>,
        targets: Option<&Targets>,
        s: &'a Summary,
    ) -> Self {
        SummaryDoc {
            meta,
            by,
            levels: rs
                .levels
                .iter()
                .map(|l| LevelHead {
                    id: l.id.clone(),
                    name: l.name.clone(),
                    name_vi: l.name_vi.clone(),
                    criteria: l.criteria.len(),
                    indicators: l.criteria.iter().map(|c| c.indicators.len()).sum(),
                    bands: bands(l.criteria.len()),
                })
                .collect(),
            total: group_out(rs, None, &s.total),
            groups: s
                .groups
                .iter()
                .map(|g| group_out(rs, g.key.clone(), &g.tally))
                .collect(),
            targets: targets.map(|t| TargetsOut {
                name: t.name.clone(),
                name_vi: t.name_vi.clone(),
                source: t.source.clone(),
                year: t.year,
                checks: s
                    .targets
                    .iter()
                    .map(|c| {
                        let (scope, column, value) = match &c.target.scope {
                            Scope::All => ("all", None, None),
                            Scope::Zone(_) => ("zone", None, None),
                            Scope::Value { column, value, .. } => {
                                ("column", Some(column.clone()), Some(value.clone()))
                            }
                        };
                        let (share, count) = match c.target.goal {
                            Goal::Share(s) => (Some(s), None),
                            Goal::Count(n) => (None, Some(n)),
                        };
                        TargetOut {
                            level: c.target.level_id.clone(),
                            scope,
                            zone: c.target.zone_id.clone(),
                            column,
                            value,
                            share,
                            count,
                            communes: c.communes,
                            reached: c.reached,
                            needed: c.needed,
                            met: c.met,
                            short_by: c.short_by,
                            source: c.target.source.clone(),
                            verified: c.target.verified,
                            note: c.target.note.clone(),
                        }
                    })
                    .collect(),
            }),
            rollups: s.rollup_rule.map(|rule| RollupsOut {
                rule,
                source: rule.source(),
                higher_level: match rule {
                    RollupRule::DistrictNtm2021 => "advanced",
                    RollupRule::ProvinceCompleted2026 => "modern",
                },
                commune_conditions_only: true,
                groups: &s.rollups,
            }),
            compare: None,
        }
    }
}

fn group_out(rs: &Ruleset, group: Option<String>, t: &Tally) -> GroupOut {
    GroupOut {
        group,
        communes: t.communes,
        no_level: t.no_level,
        unverified: t.unverified,
        levels: t
            .levels
            .iter()
            .zip(&rs.levels)
            .map(|(l, level)| LevelOut {
                level: l.level.clone(),
                reached: l.reached,
                share: share(l.reached, t.communes),
                highest: l.highest,
                no_data: l.no_data,
                avg_criteria_met: average(l.criteria_met, t.communes, 2),
                avg_indicators_met: average(l.indicators_met, t.communes, 2),
                bands: l.bands.clone(),
                candidates: l.candidates,
                most_missed: ranking(&l.missed)
                    .into_iter()
                    .map(|ci| {
                        let c = &level.criteria[ci];
                        MissedOut {
                            criterion: c.id.clone(),
                            name: c.name.clone(),
                            name_vi: c.name_vi.clone(),
                            fail: l.missed[ci].fail,
                            no_data: l.missed[ci].no_data,
                        }
                    })
                    .collect(),
            })
            .collect(),
    }
}

/// The document as pretty JSON.
pub(crate) fn write_summary_json(out: &mut dyn Write, doc: &SummaryDoc<'_>) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, doc)?;
    writeln!(out)?;
    Ok(())
}

/// A band's label: `0-9`, `10-14`, `19` (machine form).
pub(crate) fn band_key(b: Band) -> String {
    if b.from == b.to {
        b.from.to_string()
    } else {
        format!("{}-{}", b.from, b.to)
    }
}

/// One row per figure: `scope,group,level,figure,item,value` (docs/summary.md), the header
/// first; under `--csv-comments` (`comments`) after the `#` provenance lines and `# by`.
pub(crate) fn write_summary_csv(
    out: &mut dyn Write,
    doc: &SummaryDoc<'_>,
    comments: bool,
) -> anyhow::Result<()> {
    if comments {
        super::csv::write_provenance(out, doc.meta)?;
        writeln!(
            out,
            "# by {}",
            crate::text::escape_controls(doc.by.unwrap_or("-"))
        )?;
    }
    // Every text cell through `excel_safe`: a group value or an id may start with `=` or `@`.
    let mut w = SafeCsv(csv::Writer::from_writer(Vec::new()));
    w.write_record(["scope", "group", "level", "figure", "item", "value"])?;
    let groups =
        std::iter::once(("total", &doc.total)).chain(doc.groups.iter().map(|g| ("group", g)));
    for (scope, g) in groups {
        let group = g.group.clone().unwrap_or_default();
        let mut row = |level: &str, figure: &str, item: &str, value: String| {
            w.write_record([scope, group.as_str(), level, figure, item, value.as_str()])
        };
        row("", "communes", "", g.communes.to_string())?;
        row("", "no_level", "", g.no_level.to_string())?;
        row("", "unverified", "", g.unverified.to_string())?;
        for (l, head) in g.levels.iter().zip(&doc.levels) {
            let id = l.level.as_str();
            row(id, "reached", "", l.reached.to_string())?;
            row(id, "share", "", l.share.to_string())?;
            row(id, "highest", "", l.highest.to_string())?;
            row(id, "no_data", "", l.no_data.to_string())?;
            row(id, "avg_criteria_met", "", l.avg_criteria_met.to_string())?;
            row(
                id,
                "avg_indicators_met",
                "",
                l.avg_indicators_met.to_string(),
            )?;
            for (b, n) in head.bands.iter().zip(&l.bands) {
                row(id, "band", &band_key(*b), n.to_string())?;
            }
            row(id, "candidates", "", l.candidates.to_string())?;
            for m in &l.most_missed {
                row(id, "missed_fail", &m.criterion, m.fail.to_string())?;
                row(id, "missed_no_data", &m.criterion, m.no_data.to_string())?;
            }
        }
    }
    if let Some(t) = &doc.targets {
        for c in &t.checks {
            let group = match (c.scope, &c.zone, &c.value) {
                ("zone", Some(z), _) => z.clone(),
                ("column", _, Some(v)) => v.clone(),
                _ => String::new(),
            };
            let item = match (c.share, c.count) {
                (Some(s), _) => format!("share {s}"),
                (_, Some(n)) => format!("count {n}"),
                _ => String::new(),
            };
            for (figure, value) in [
                ("target_communes", c.communes.to_string()),
                ("target_reached", c.reached.to_string()),
                ("target_needed", c.needed.to_string()),
                ("target_met", c.met.to_string()),
                ("target_short_by", c.short_by.to_string()),
            ] {
                w.write_record([c.scope, &group, &c.level, figure, &item, &value])?;
            }
        }
    }
    if let Some(r) = &doc.rollups {
        for g in r.groups {
            let group = g.group.clone().unwrap_or_default();
            w.write_record([
                "group",
                group.as_str(),
                "",
                "rollup_commune_conditions_met",
                rule_key(r.rule),
                if g.met { "true" } else { "false" },
            ])?;
        }
    }
    if let Some(c) = &doc.compare {
        for r in &c.rows {
            let group = r.group.clone().unwrap_or_default();
            let opt = |v: Option<usize>| v.map_or_else(String::new, |n| n.to_string());
            for (figure, value) in [
                ("compare_computed", opt(r.computed)),
                ("compare_reported", r.reported.to_string()),
                ("compare_computed_total", opt(r.computed_total)),
                ("compare_reported_total", opt(r.reported_total)),
                ("compare_same", r.same.to_string()),
            ] {
                let scope = if r.group.is_some() { "group" } else { "total" };
                w.write_record([scope, &group, &r.level, figure, "", &value])?;
            }
        }
    }
    out.write_all(&w.0.into_inner().map_err(|e| anyhow::anyhow!("{e}"))?)?;
    Ok(())
}

/// A CSV writer whose every field goes through [`super::csv::excel_safe`].
struct SafeCsv(csv::Writer<Vec<u8>>);

impl SafeCsv {
    fn write_record<I, S>(&mut self, fields: I) -> csv::Result<()>
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        self.0.write_record(
            fields
                .into_iter()
                .map(|f| super::csv::excel_safe(f.as_ref()).into_owned()),
        )
    }
}

fn rule_key(r: RollupRule) -> &'static str {
    match r {
        RollupRule::DistrictNtm2021 => "district_ntm_2021",
        RollupRule::ProvinceCompleted2026 => "province_completed_2026",
    }
}

/// Labels in both languages.
pub(crate) struct Labels {
    lang: Lang,
}

impl Labels {
    /// Labels for `lang`.
    pub(crate) fn new(lang: Lang) -> Self {
        Labels { lang }
    }

    /// The language.
    pub(crate) fn lang(&self) -> Lang {
        self.lang
    }

    /// Pick a text.
    pub(crate) fn t<'s>(&self, en: &'s str, vi: &'s str) -> &'s str {
        self.lang.pick(en, vi)
    }

    /// A level's name.
    pub(crate) fn level<'s>(&self, l: &'s LevelHead) -> &'s str {
        self.lang.pick(&l.name, &l.name_vi)
    }

    /// `count/total (62.2%)`, counts grouped (`1.192/20.000 (5,9%)`).
    pub(crate) fn count_of(&self, part: usize, whole: usize) -> String {
        self.lang.count_of(part, whole)
    }

    /// A count with this language's thousands separator ([`Lang::count`]).
    pub(crate) fn n(&self, n: usize) -> String {
        self.lang.count(n as u64)
    }

    /// A band for people: `under 10`, `10–14`, `all 19`.
    pub(crate) fn band(&self, b: Band, n: usize) -> String {
        if b.from == n {
            format!("{} {n}", self.t("all", "đạt cả"))
        } else if b.from == 0 {
            format!("{} {}", self.t("under", "dưới"), b.to + 1)
        } else if b.from == b.to {
            b.from.to_string()
        } else {
            format!("{}–{}", b.from, b.to)
        }
    }

    /// A decimal with this language's mark.
    pub(crate) fn num(&self, d: Decimal, places: u32) -> String {
        self.lang.decimal(d, places)
    }

    /// A group's name (the empty value shows as a dash).
    pub(crate) fn group(&self, g: &Option<String>) -> String {
        g.clone()
            .unwrap_or_else(|| self.t("(empty)", "(trống)").to_string())
    }

    /// A target's scope for people (a zone by its name in Vietnamese).
    pub(crate) fn scope(&self, c: &TargetOut, words: &Words<'_>) -> String {
        match (c.scope, &c.zone, &c.column, &c.value) {
            ("zone", Some(z), _, _) => words.zone(z).to_string(),
            ("column", _, Some(col), Some(v)) => format!("{col} = {v}"),
            _ => self.t("all communes", "toàn bộ xã").to_string(),
        }
    }

    /// A target's goal for people: `≥ 80%`, `≥ 29 communes`.
    pub(crate) fn goal(&self, c: &TargetOut) -> String {
        match (c.share, c.count) {
            (Some(s), _) => format!("≥ {}%", self.lang.decimal(s, s.scale().min(1))),
            (_, Some(n)) => format!("≥ {} {}", self.n(n), self.t("communes", "xã")),
            _ => String::new(),
        }
    }

    /// The targets no commune is in scope of, in one line (they are not checked), or `None`.
    pub(crate) fn out_of_scope(&self, checks: &[TargetOut], words: &Words<'_>) -> Option<String> {
        let none: Vec<String> = checks
            .iter()
            .filter(|c| c.communes == 0)
            .map(|c| match (self.lang, c.scope, &c.zone) {
                (Lang::Vi, "zone", Some(z)) => format!(
                    "{}, {} {}",
                    words.level(&c.level),
                    words.zone_phrase(z),
                    self.goal(c)
                ),
                _ => format!(
                    "{} {} {}",
                    words.level(&c.level),
                    self.scope(c, words),
                    self.goal(c)
                ),
            })
            .collect();
        if none.is_empty() {
            return None;
        }
        Some(format!(
            "{}: {}",
            self.t(
                "Not checked, no commune in scope",
                "Không xét, không có xã nào trong phạm vi"
            ),
            none.join("; ")
        ))
    }

    /// `met` or `short by N communes`.
    pub(crate) fn verdict(&self, c: &TargetOut) -> String {
        if c.met {
            self.t("met", "đạt").to_string()
        } else if c.communes == 0 {
            self.t("no communes in scope", "không có xã nào")
                .to_string()
        } else {
            match self.lang {
                Lang::En => format!(
                    "short by {} commune{}",
                    self.n(c.short_by),
                    if c.short_by == 1 { "" } else { "s" }
                ),
                Lang::Vi => format!("còn thiếu {} xã", self.n(c.short_by)),
            }
        }
    }

    /// The roll-up rule's heading.
    pub(crate) fn rollup_rule(&self, r: &RollupsOut<'_>) -> String {
        let source = super::words::source_text(r.source, self.lang);
        match (r.rule, self.lang) {
            (RollupRule::DistrictNtm2021, Lang::En) => format!(
                "District NTM, commune conditions ({source}: 100% of communes NTM, ≥ 10% advanced)"
            ),
            (RollupRule::DistrictNtm2021, Lang::Vi) => format!(
                "Huyện NTM, điều kiện về xã ({source}: 100% số xã đạt chuẩn NTM, ≥ 10% đạt NTM nâng cao)"
            ),
            (RollupRule::ProvinceCompleted2026, Lang::En) => format!(
                "Province completed NTM, commune conditions ({source}: 100% of communes NTM, ≥ 10% modern)"
            ),
            (RollupRule::ProvinceCompleted2026, Lang::Vi) => format!(
                "Tỉnh hoàn thành nhiệm vụ NTM, điều kiện về xã ({source}: 100% số xã đạt chuẩn NTM, ≥ 10% đạt NTM hiện đại)"
            ),
        }
    }

    /// Why a roll-up is not a recognition.
    pub(crate) fn rollup_caveat(&self) -> &'static str {
        self.t(
            "Commune conditions only: the unit's own criteria are not in the data, so this is never a recognition.",
            "Chỉ xét điều kiện về xã: các tiêu chí của đơn vị cấp trên không có trong dữ liệu, nên đây không phải là công nhận.",
        )
    }

    /// `met` / `not met` for a roll-up, with the counts: "6/8 NTM (needs all), 3 advanced
    /// (needs ≥ 1)".
    pub(crate) fn rollup_verdict(&self, g: &Rollup, rule: RollupRule) -> String {
        let higher = match rule {
            RollupRule::DistrictNtm2021 => self.t("advanced", "nâng cao"),
            RollupRule::ProvinceCompleted2026 => self.t("modern", "hiện đại"),
        };
        let head = if g.met {
            self.t("met", "đạt")
        } else {
            self.t("not met", "chưa đạt")
        };
        match self.lang {
            Lang::En => format!(
                "{head}: {}/{} NTM (needs all), {} {higher} (needs ≥ {})",
                self.n(g.standard),
                self.n(g.communes),
                self.n(g.higher),
                self.n(g.higher_needed)
            ),
            Lang::Vi => format!(
                "{head}: {}/{} xã NTM (cần tất cả), {} xã {higher} (cần ≥ {})",
                self.n(g.standard),
                self.n(g.communes),
                self.n(g.higher),
                self.n(g.higher_needed)
            ),
        }
    }

    /// The heading of the grouping column: `district` → "District" / "Huyện".
    pub(crate) fn by(&self, by: &str) -> String {
        let f = crate::text::fold(by);
        let known: [(&[&str], &str, &str); 3] = [
            (&["district", "huyen"], "District", "Huyện"),
            (&["province", "tinh", "tinh/thanh pho"], "Province", "Tỉnh"),
            (
                &["region", "vung", "zone", "group", "nhom"],
                "Region / group",
                "Vùng / nhóm",
            ),
        ];
        known
            .iter()
            .find(|(names, _, _)| names.contains(&f.as_str()))
            .map_or_else(|| by.to_string(), |(_, en, vi)| self.t(en, vi).to_string())
    }
}

/// The tables for people.
pub(crate) fn write_summary_table(
    out: &mut dyn Write,
    rs: &Ruleset,
    doc: &SummaryDoc<'_>,
    lang: Lang,
) -> anyhow::Result<()> {
    let l = Labels::new(lang);
    let words = Words::new(rs, lang);
    let year = doc
        .meta
        .year
        .map_or_else(|| l.t("mixed", "nhiều năm").to_string(), |y| y.to_string());
    match lang {
        Lang::En => writeln_esc!(
            out,
            "{} communes, ruleset {} ({}), assessment year {year}",
            l.n(doc.total.communes),
            rs.id,
            rs.decision
        )?,
        Lang::Vi => writeln_esc!(
            out,
            "{} xã, bộ tiêu chí {} ({}), năm đánh giá {year}",
            l.n(doc.total.communes),
            rs.id,
            rs.decision
        )?,
    }
    let by = doc.by.unwrap_or("");
    let rows: Vec<&GroupOut> = doc
        .groups
        .iter()
        .chain(std::iter::once(&doc.total))
        .collect();
    let name = |g: &GroupOut| -> String {
        if std::ptr::eq(g, &doc.total) {
            l.t("Total", "Tổng").to_string()
        } else {
            l.group(&g.group)
        }
    };
    let first_col = if doc.by.is_some() {
        l.by(by)
    } else {
        String::new()
    };

    // Levels.
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        l.t("Communes at each level", "Số xã đạt từng mức")
    )?;
    let mut t = new_table();
    let mut head = vec![first_col.clone(), l.t("Communes", "Số xã").to_string()];
    head.extend(doc.levels.iter().map(|h| l.level(h).to_string()));
    head.push(l.t("No level", "Chưa đạt mức nào").to_string());
    t.set_header(esc_row(head));
    for g in &rows {
        let mut r = vec![name(g), l.n(g.communes)];
        r.extend(g.levels.iter().map(|x| l.count_of(x.reached, g.communes)));
        r.push(l.n(g.no_level));
        t.add_row(esc_row(r));
    }
    writeln!(out, "{}", super::fit::fit(&mut t))?;

    // Averages.
    writeln!(out)?;
    writeln!(
        out,
        "{}",
        l.t(
            "Average criteria / indicators met per commune",
            "Bình quân số tiêu chí / chỉ tiêu đạt mỗi xã"
        )
    )?;
    let mut t = new_table();
    let mut head = vec![first_col.clone()];
    head.extend(
        doc.levels
            .iter()
            .map(|h| format!("{} ({}/{})", l.level(h), h.criteria, h.indicators)),
    );
    t.set_header(esc_row(head));
    for g in &rows {
        let mut r = vec![name(g)];
        r.extend(g.levels.iter().map(|x| {
            format!(
                "{} / {}",
                l.num(x.avg_criteria_met, 1),
                l.num(x.avg_indicators_met, 1)
            )
        }));
        t.add_row(esc_row(r));
    }
    writeln!(out, "{}", super::fit::fit(&mut t))?;

    // Distribution of criteria met, first level.
    if let (Some(h), Some(_)) = (doc.levels.first(), doc.total.levels.first()) {
        writeln!(out)?;
        match lang {
            Lang::En => writeln_esc!(
                out,
                "Communes by criteria met ({}, {} criteria)",
                l.level(h),
                h.criteria
            )?,
            Lang::Vi => writeln_esc!(
                out,
                "Số xã theo số tiêu chí đạt ({}, {} tiêu chí)",
                l.level(h),
                h.criteria
            )?,
        }
        let mut t = new_table();
        let mut head = vec![first_col.clone()];
        head.extend(h.bands.iter().map(|b| l.band(*b, h.criteria)));
        t.set_header(esc_row(head));
        for g in &rows {
            let mut r = vec![name(g)];
            if let Some(x) = g.levels.first() {
                r.extend(x.bands.iter().map(|n| l.n(*n)));
            }
            t.add_row(esc_row(r));
        }
        writeln!(out, "{}", super::fit::fit(&mut t))?;
    }

    // Most missed, total.
    for (h, x) in doc.levels.iter().zip(&doc.total.levels) {
        if x.candidates == 0 {
            continue;
        }
        writeln!(out)?;
        match lang {
            Lang::En => writeln_esc!(
                out,
                "Most missed criteria of {} ({} commune(s) working towards it)",
                l.level(h),
                l.n(x.candidates)
            )?,
            Lang::Vi => writeln_esc!(
                out,
                "Tiêu chí chưa đạt nhiều nhất của mức {} ({} xã đang hướng tới)",
                l.level(h),
                l.n(x.candidates)
            )?,
        }
        let mut t = new_table();
        t.set_header(esc_row([
            "#",
            l.t("Criterion", "Tiêu chí"),
            l.t("Not met", "Chưa đạt"),
            l.t("No data", "Thiếu dữ liệu"),
        ]));
        for (i, m) in x.most_missed.iter().enumerate() {
            t.add_row(esc_row([
                (i + 1).to_string(),
                format!("{} {}", m.criterion, l.t(&m.name, &m.name_vi)),
                l.count_of(m.fail, x.candidates),
                l.n(m.no_data),
            ]));
        }
        writeln!(out, "{}", super::fit::fit(&mut t))?;
    }

    // Targets.
    if let Some(tg) = &doc.targets {
        writeln!(out)?;
        let title = match (lang, &tg.name_vi) {
            (Lang::Vi, Some(vi)) => vi.as_str(),
            _ => tg.name.as_str(),
        };
        writeln_esc!(
            out,
            "{}: {title} ({})",
            l.t("Targets", "Mục tiêu"),
            super::words::source_text(&tg.source, lang)
        )?;
        let mut t = new_table();
        t.set_header(esc_row([
            l.t("Level", "Mức"),
            l.t("Communes", "Phạm vi"),
            l.t("Target", "Mục tiêu"),
            l.t("Reached", "Đạt"),
            l.t("Needed", "Cần"),
            l.t("Verdict", "Kết quả"),
        ]));
        for c in tg.checks.iter().filter(|c| c.communes > 0) {
            let level = doc
                .levels
                .iter()
                .find(|h| h.id == c.level)
                .map_or(c.level.as_str(), |h| l.level(h));
            t.add_row(esc_row([
                level.to_string(),
                l.scope(c, &words),
                l.goal(c),
                l.count_of(c.reached, c.communes),
                l.n(c.needed),
                l.verdict(c),
            ]));
        }
        writeln!(out, "{}", super::fit::fit(&mut t))?;
        if let Some(line) = l.out_of_scope(&tg.checks, &words) {
            writeln!(out, "{}", esc(&line))?;
        }
    }

    // Roll-ups.
    if let Some(r) = &doc.rollups {
        writeln!(out)?;
        writeln!(out, "{}", esc(&l.rollup_rule(r)))?;
        let mut t = new_table();
        t.set_header(esc_row([
            first_col.as_str(),
            l.t("Commune conditions", "Điều kiện về xã"),
        ]));
        for g in r.groups {
            t.add_row(esc_row([l.group(&g.group), l.rollup_verdict(g, r.rule)]));
        }
        writeln!(out, "{}", super::fit::fit(&mut t))?;
        writeln!(out, "{}", l.rollup_caveat())?;
    }

    if let Some(c) = &doc.compare {
        write_compare(out, doc, c, &l, &first_col)?;
    }

    writeln!(out)?;
    let nd: usize = doc.total.levels.first().map_or(0, |x| x.no_data);
    match lang {
        Lang::En => {
            writeln_esc!(
                out,
                "{} commune(s) below {} have criteria without data (counted as not reached)",
                l.n(nd),
                doc.levels.first().map_or("", |h| l.level(h))
            )?;
            writeln_esc!(
                out,
                "{} of {} verdicts rest on unverified thresholds (see `ntm rules show`)",
                l.n(doc.total.unverified),
                l.n(doc.total.communes)
            )?;
        }
        Lang::Vi => {
            writeln_esc!(
                out,
                "{} xã chưa đạt mức {} có tiêu chí thiếu dữ liệu (tính là chưa đạt)",
                l.n(nd),
                doc.levels.first().map_or("", |h| l.level(h))
            )?;
            writeln_esc!(
                out,
                "{}/{} kết quả dựa trên ngưỡng chưa được đối chiếu với văn bản pháp lý",
                l.n(doc.total.unverified),
                l.n(doc.total.communes)
            )?;
        }
    }
    Ok(())
}

/// The reconciliation table: every reported figure beside the computed one.
fn write_compare(
    out: &mut dyn Write,
    doc: &SummaryDoc<'_>,
    c: &CompareOut,
    l: &Labels,
    first_col: &str,
) -> anyhow::Result<()> {
    writeln!(out)?;
    writeln_esc!(
        out,
        "{} ({})",
        l.t(
            "Computed beside reported figures",
            "Đối chiếu số liệu tính được với số liệu đã báo cáo"
        ),
        c.source
    )?;
    let mut t = new_table();
    let group_head = if first_col.is_empty() {
        l.t("Group", "Đơn vị").to_string()
    } else {
        first_col.to_string()
    };
    t.set_header(esc_row([
        group_head.as_str(),
        l.t("Level", "Mức"),
        l.t("Computed", "Tính được"),
        l.t("Reported", "Đã báo cáo"),
        l.t("Difference", "Chênh lệch"),
    ]));
    let of = |n: Option<usize>, total: Option<usize>| match (n, total) {
        (Some(n), Some(t)) => format!("{}/{}", l.n(n), l.n(t)),
        (Some(n), None) => l.n(n),
        (None, _) => "—".to_string(),
    };
    for r in &c.rows {
        let level = doc
            .levels
            .iter()
            .find(|h| h.id == r.level)
            .map_or(r.level.as_str(), |h| l.level(h));
        let group = match &r.group {
            None => l.t("Total", "Tổng").to_string(),
            Some(g) => g.clone(),
        };
        let diff = match r.computed {
            None => l.t("not in the data", "không có trong dữ liệu").to_string(),
            Some(_) if r.same => l.t("same", "khớp").to_string(),
            Some(n) => {
                let mut parts = Vec::new();
                if n != r.reported {
                    let d = n as i64 - r.reported as i64;
                    let sign = if d < 0 { '-' } else { '+' };
                    parts.push(format!("{sign}{}", l.lang().count(d.unsigned_abs())));
                }
                if let (Some(ct), Some(rt)) = (r.computed_total, r.reported_total)
                    && ct != rt
                {
                    parts.push(format!(
                        "{} {} ≠ {}",
                        l.t("communes", "số xã"),
                        l.n(ct),
                        l.n(rt)
                    ));
                }
                parts.join(", ")
            }
        };
        t.add_row(esc_row([
            group,
            level.to_string(),
            of(r.computed, r.computed_total),
            of(Some(r.reported), r.reported_total),
            diff,
        ]));
    }
    writeln!(out, "{}", super::fit::fit(&mut t))?;
    match l.lang() {
        Lang::En => writeln_esc!(
            out,
            "{} of {} reported figures differ from the computed ones",
            l.n(c.differences),
            l.n(c.rows.len())
        )?,
        Lang::Vi => writeln_esc!(
            out,
            "{}/{} số liệu đã báo cáo khác với số liệu tính được",
            l.n(c.differences),
            l.n(c.rows.len())
        )?,
    }
    Ok(())
}
