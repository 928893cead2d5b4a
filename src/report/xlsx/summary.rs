//! The tables of `ntm summary` as worksheets, one a table: communes at each level, averages,
//! communes by criteria met, most missed criteria, targets, roll-ups, the reconciliation
//! with published figures. The same figures and labels as the tables for people
//! (`report::summary`), with counts and shares as numbers.

use rust_xlsxwriter::Worksheet;

use super::{MAX_DATA_ROWS, Sheet};
use crate::lang::Lang;
use crate::report::summary::{GroupOut, Labels, SummaryDoc};
use crate::report::words::Words;
use crate::ruleset::Ruleset;

/// Every table of `doc` that has rows, one sheet each, in the order the table format prints
/// them.
pub(crate) fn summary_sheets(
    rs: &Ruleset,
    doc: &SummaryDoc<'_>,
    lang: Lang,
) -> anyhow::Result<Vec<Worksheet>> {
    let l = Labels::new(lang);
    let words = Words::new(rs, lang);
    let rows: Vec<(String, &GroupOut)> = doc
        .groups
        .iter()
        .map(|g| (l.group(&g.group), g))
        .chain(std::iter::once((
            l.t("Total", "Tổng").to_string(),
            &doc.total,
        )))
        .collect();
    let first = match doc.by {
        Some(by) => l.by(by),
        None => l.t("Group", "Đơn vị").to_string(),
    };
    let mut sheets = vec![
        levels(doc, &l, &rows, &first)?,
        averages(doc, &l, &rows, &first)?,
    ];
    if let Some(s) = distribution(doc, &l, &rows, &first)? {
        sheets.push(s);
    }
    if let Some(s) = most_missed(doc, &l)? {
        sheets.push(s);
    }
    if let Some(s) = targets(doc, &l, &words)? {
        sheets.push(s);
    }
    if let Some(s) = rollups(doc, &l, &first)? {
        sheets.push(s);
    }
    if let Some(s) = compare(doc, &l, &first)? {
        sheets.push(s);
    }
    Ok(sheets)
}

/// Communes at each level: count and share per level, then those at no level.
fn levels(
    doc: &SummaryDoc<'_>,
    l: &Labels,
    rows: &[(String, &GroupOut)],
    first: &str,
) -> anyhow::Result<Worksheet> {
    let mut headers = vec![first.to_string(), l.t("Communes", "Số xã").to_string()];
    for h in &doc.levels {
        headers.push(l.level(h).to_string());
        headers.push(format!("{} (%)", l.level(h)));
    }
    headers.push(l.t("No level", "Chưa đạt mức nào").to_string());
    headers.push(l.t("Unverified", "Chưa kiểm chứng").to_string());
    let mut s = Sheet::new(l.t("levels", "số xã theo mức"), &headers, MAX_DATA_ROWS)?;
    for (name, g) in rows {
        s.next_row()?;
        s.text(0, name);
        s.count(1, g.communes);
        let mut c = 2;
        for x in &g.levels {
            s.count(c, x.reached);
            s.percent(c + 1, x.share);
            c += 2;
        }
        s.count(c, g.no_level);
        s.count(c + 1, g.unverified);
    }
    s.finish()
}

/// Average criteria and indicators met per commune, per level.
fn averages(
    doc: &SummaryDoc<'_>,
    l: &Labels,
    rows: &[(String, &GroupOut)],
    first: &str,
) -> anyhow::Result<Worksheet> {
    let mut headers = vec![first.to_string()];
    for h in &doc.levels {
        headers.push(format!(
            "{}: {} (/{})",
            l.level(h),
            l.t("criteria", "tiêu chí"),
            h.criteria
        ));
        headers.push(format!(
            "{}: {} (/{})",
            l.level(h),
            l.t("indicators", "chỉ tiêu"),
            h.indicators
        ));
    }
    let mut s = Sheet::new(l.t("averages", "bình quân"), &headers, MAX_DATA_ROWS)?;
    let two = rust_xlsxwriter::Format::new().set_num_format("0.00");
    for (name, g) in rows {
        s.next_row()?;
        s.text(0, name);
        let mut c = 1;
        for x in &g.levels {
            s.decimal(c, x.avg_criteria_met, Some(&two));
            s.decimal(c + 1, x.avg_indicators_met, Some(&two));
            c += 2;
        }
    }
    s.finish()
}

/// Communes by criteria met of the first level, in its bands.
fn distribution(
    doc: &SummaryDoc<'_>,
    l: &Labels,
    rows: &[(String, &GroupOut)],
    first: &str,
) -> anyhow::Result<Option<Worksheet>> {
    let Some(h) = doc.levels.first() else {
        return Ok(None);
    };
    let mut headers = vec![first.to_string()];
    headers.extend(h.bands.iter().map(|b| l.band(*b, h.criteria)));
    let mut s = Sheet::new(
        l.t("criteria met", "phân bố tiêu chí đạt"),
        &headers,
        MAX_DATA_ROWS,
    )?;
    for (name, g) in rows {
        s.next_row()?;
        s.text(0, name);
        if let Some(x) = g.levels.first() {
            for (i, n) in x.bands.iter().enumerate() {
                s.count(i + 1, *n);
            }
        }
    }
    Ok(Some(s.finish()?))
}

/// The criteria the candidates of each level missed, most failed first (every commune).
fn most_missed(doc: &SummaryDoc<'_>, l: &Labels) -> anyhow::Result<Option<Worksheet>> {
    let headers = [
        l.t("Level", "Mức"),
        "#",
        l.t("Criterion", "Tiêu chí"),
        l.t("Name", "Tên tiêu chí"),
        l.t("Not met", "Chưa đạt"),
        l.t("Not met (%)", "Chưa đạt (%)"),
        l.t("No data", "Thiếu dữ liệu"),
        l.t("Candidates", "Số xã đang hướng tới"),
    ]
    .map(String::from);
    let mut s = Sheet::new(
        l.t("most missed", "tiêu chí chưa đạt"),
        &headers,
        MAX_DATA_ROWS,
    )?;
    for (h, x) in doc.levels.iter().zip(&doc.total.levels) {
        for (i, m) in x.most_missed.iter().enumerate() {
            s.next_row()?;
            s.text(0, l.level(h));
            s.count(1, i + 1);
            s.text(2, &m.criterion);
            s.text(3, l.t(&m.name, &m.name_vi));
            s.count(4, m.fail);
            s.percent(5, crate::summary::share(m.fail, x.candidates));
            s.count(6, m.no_data);
            s.count(7, x.candidates);
        }
    }
    Ok(Some(s.finish()?))
}

/// Each target with its check (`--targets`).
fn targets(
    doc: &SummaryDoc<'_>,
    l: &Labels,
    words: &Words<'_>,
) -> anyhow::Result<Option<Worksheet>> {
    let Some(tg) = &doc.targets else {
        return Ok(None);
    };
    let headers = [
        l.t("Level", "Mức"),
        l.t("Scope", "Phạm vi"),
        l.t("Target", "Mục tiêu"),
        l.t("Target share", "Tỷ lệ mục tiêu"),
        l.t("Target count", "Số xã mục tiêu"),
        l.t("In scope", "Số xã trong phạm vi"),
        l.t("Reached", "Đạt"),
        l.t("Needed", "Cần"),
        l.t("Short by", "Còn thiếu"),
        l.t("Verdict", "Kết quả"),
        l.t("Source", "Nguồn"),
    ]
    .map(String::from);
    let mut s = Sheet::new(l.t("targets", "mục tiêu"), &headers, MAX_DATA_ROWS)?;
    for c in &tg.checks {
        s.next_row()?;
        let level = doc
            .levels
            .iter()
            .find(|h| h.id == c.level)
            .map_or(c.level.as_str(), |h| l.level(h));
        s.text(0, level);
        s.text(1, &l.scope(c, words));
        s.text(2, &l.goal(c));
        if let Some(share) = c.share {
            s.percent(3, share);
        }
        if let Some(n) = c.count {
            s.count(4, n);
        }
        s.count(5, c.communes);
        s.count(6, c.reached);
        s.count(7, c.needed);
        s.count(8, c.short_by);
        s.text(9, &l.verdict(c));
        s.opt_text(10, c.source.as_deref());
    }
    Ok(Some(s.finish()?))
}

/// The roll-up rule's commune conditions per group.
fn rollups(doc: &SummaryDoc<'_>, l: &Labels, first: &str) -> anyhow::Result<Option<Worksheet>> {
    let Some(r) = &doc.rollups else {
        return Ok(None);
    };
    let higher = doc
        .levels
        .iter()
        .find(|h| h.id == r.higher_level)
        .map_or(r.higher_level, |h| l.level(h));
    let headers = [
        first,
        l.t("Communes", "Số xã"),
        "NTM",
        higher,
        l.t("Needed at the higher level", "Cần ở mức cao hơn"),
        l.t("Commune conditions", "Điều kiện về xã"),
        l.t("Rule", "Quy định"),
        l.t("Note", "Ghi chú"),
    ]
    .map(String::from);
    let mut s = Sheet::new(l.t("rollups", "tổng hợp cấp trên"), &headers, MAX_DATA_ROWS)?;
    let rule = l.rollup_rule(r);
    for g in r.groups {
        s.next_row()?;
        s.text(0, &l.group(&g.group));
        s.count(1, g.communes);
        s.count(2, g.standard);
        s.count(3, g.higher);
        s.count(4, g.higher_needed);
        s.text(5, &l.rollup_verdict(g, r.rule));
        s.text(6, &rule);
        s.text(7, l.rollup_caveat());
    }
    Ok(Some(s.finish()?))
}

/// Published figures beside the computed ones (`--compare`).
fn compare(doc: &SummaryDoc<'_>, l: &Labels, first: &str) -> anyhow::Result<Option<Worksheet>> {
    let Some(c) = &doc.compare else {
        return Ok(None);
    };
    let headers = [
        first,
        l.t("Level", "Mức"),
        l.t("Computed", "Tính được"),
        l.t("Computed communes", "Số xã tính được"),
        l.t("Reported", "Đã báo cáo"),
        l.t("Reported communes", "Số xã đã báo cáo"),
        l.t("Same", "Khớp"),
    ]
    .map(String::from);
    let mut s = Sheet::new(l.t("compare", "đối chiếu"), &headers, MAX_DATA_ROWS)?;
    for r in &c.rows {
        s.next_row()?;
        match &r.group {
            None => s.text(0, l.t("Total", "Tổng")),
            Some(g) => s.text(0, g),
        }
        let level = doc
            .levels
            .iter()
            .find(|h| h.id == r.level)
            .map_or(r.level.as_str(), |h| l.level(h));
        s.text(1, level);
        if let Some(n) = r.computed {
            s.count(2, n);
        }
        if let Some(n) = r.computed_total {
            s.count(3, n);
        }
        s.count(4, r.reported);
        if let Some(n) = r.reported_total {
            s.count(5, n);
        }
        s.text(
            6,
            if r.same {
                l.t("yes", "có")
            } else {
                l.t("no", "không")
            },
        );
    }
    Ok(Some(s.finish()?))
}
