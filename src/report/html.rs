//! `ntm report`: one self-contained HTML page (inline CSS, an inline SVG chart, no script, no
//! network) with the summary figures and every commune with what it misses; printable.
//!
//! Every text that comes from input (data cells, ruleset and targets names) goes through
//! [`esc`]. Decides nothing: the figures come from `SummaryDoc`, the communes from their
//! records.

use std::fmt::Write as _;

use super::summary::{GroupOut, Labels, SummaryDoc};
use super::words::Words;
use crate::lang::Lang;
use crate::record::CommuneRecord;
use crate::ruleset::Ruleset;

/// Escape text for HTML element content and quoted attribute values; control characters
/// (NUL is not allowed in HTML) become visible escapes first (`\u{1b}`,
/// [`crate::text::escape_controls`]).
pub(crate) fn esc(s: &str) -> String {
    let s = crate::text::escape_controls(s);
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink: #1d2430; --muted: #5b6575; --line: #d5dae1; --head: #eef1f5; }
* { box-sizing: border-box; }
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", Arial, sans-serif;
  color: var(--ink); margin: 2rem auto; max-width: 1100px; padding: 0 1rem; line-height: 1.4; }
h1 { font-size: 1.6rem; margin-bottom: .2rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 2px solid var(--line); padding-bottom: .2rem; }
h3 { font-size: 1rem; margin-bottom: .3rem; }
p.meta, p.note { color: var(--muted); font-size: .9rem; margin: .2rem 0; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; font-size: .9rem; }
th, td { border: 1px solid var(--line); padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: var(--head); }
td.n { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.total td { font-weight: 600; background: #f7f8fa; }
.met { color: #1b6e20; font-weight: 600; }
.short { color: #a3261b; font-weight: 600; }
ul.miss { margin: 0; padding-left: 1.1rem; }
ul.miss ul { margin: 0; padding-left: 1rem; }
td.name, td.code { white-space: nowrap; }
td.missing { min-width: 22rem; }
details > summary { cursor: pointer; }
svg text { font-family: inherit; font-size: 12px; fill: var(--ink); }
svg text.on-dark { fill: #ffffff; }
.legend span { display: inline-block; margin-right: 1rem; font-size: .85rem; }
.legend i { display: inline-block; width: .9rem; height: .9rem; margin-right: .3rem; vertical-align: -2px; }
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  h2 { break-after: avoid; page-break-after: avoid; }
  table, svg, .legend { break-inside: avoid; page-break-inside: avoid; }
  tr { break-inside: avoid; page-break-inside: avoid; }
  thead { display: table-header-group; }
  details::details-content { content-visibility: visible; height: auto; }
  details > summary { list-style: none; }
  @page { size: A4; margin: 12mm; }
}
"#;

/// Fill colours of the chart, from "no level" to the highest level (repeats past six).
const COLOURS: [&str; 6] = [
    "#c9ced6", "#7fb3d5", "#2e86c1", "#1b4f72", "#8e44ad", "#5b2c6f",
];

/// Render the page.
pub(crate) fn render_report_html(
    rs: &Ruleset,
    doc: &SummaryDoc<'_>,
    communes: &[CommuneRecord],
    lang: Lang,
) -> String {
    let l = Labels::new(lang);
    let words = Words::new(rs, lang);
    let mut h = String::with_capacity(16_384 + communes.len() * 512);
    let title = l.t(
        "New rural development: summary report",
        "Báo cáo tổng hợp xây dựng nông thôn mới",
    );
    let _ = write!(
        h,
        "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <title>{}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<h1>{}</h1>\n",
        l.t("en", "vi"),
        esc(title),
        esc(title)
    );
    let year = doc
        .meta
        .year
        .map_or_else(|| l.t("mixed", "nhiều năm").to_string(), |y| y.to_string());
    let _ = writeln!(
        h,
        "<p class=\"meta\">{} <strong id=\"communes\">{}</strong> · {} <code>{}</code> ({}) · {} {} · ntm {}</p>",
        esc(l.t("Communes:", "Số xã:")),
        l.n(doc.total.communes),
        esc(l.t("ruleset", "bộ tiêu chí")),
        esc(&rs.id),
        esc(&rs.decision),
        esc(l.t("assessment year", "năm đánh giá")),
        esc(&year),
        esc(doc.meta.ntm_version)
    );
    for i in &doc.meta.inputs {
        let _ = writeln!(
            h,
            "<p class=\"meta\">{} <code>{}</code> · {} {} · sha256 <code>{}</code></p>",
            esc(l.t("Input", "Dữ liệu")),
            esc(&i.path),
            l.n(i.rows),
            esc(l.t("rows", "dòng")),
            esc(&i.sha256)
        );
    }
    let _ = writeln!(
        h,
        "<p class=\"note\">{}</p>",
        esc(&match lang {
            Lang::En => format!(
                "{} of {} verdicts rest on thresholds not yet verified against the legal text (see `ntm rules show`).",
                l.n(doc.total.unverified),
                l.n(doc.total.communes)
            ),
            Lang::Vi => format!(
                "{}/{} kết quả dựa trên ngưỡng chưa được đối chiếu với văn bản pháp lý.",
                l.n(doc.total.unverified),
                l.n(doc.total.communes)
            ),
        })
    );

    let by_head = doc.by.map(|b| l.by(b)).unwrap_or_default();
    let rows: Vec<(&GroupOut, bool)> = doc
        .groups
        .iter()
        .map(|g| (g, false))
        .chain(std::iter::once((&doc.total, true)))
        .collect();
    let name = |g: &GroupOut, total: bool| -> String {
        if total {
            l.t("Total", "Tổng").to_string()
        } else {
            l.group(&g.group)
        }
    };

    // Levels.
    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<table id=\"levels\">\n<thead><tr><th>{}</th><th>{}</th>",
        esc(l.t("Communes at each level", "Số xã đạt từng mức")),
        esc(&by_head),
        esc(l.t("Communes", "Số xã"))
    );
    for lv in &doc.levels {
        let _ = write!(h, "<th>{}</th>", esc(l.level(lv)));
    }
    let _ = writeln!(
        h,
        "<th>{}</th></tr></thead>\n<tbody>",
        esc(l.t("No level", "Chưa đạt mức nào"))
    );
    for (g, total) in &rows {
        let _ = write!(
            h,
            "<tr{}><td>{}</td><td class=\"n\">{}</td>",
            if *total { " class=\"total\"" } else { "" },
            esc(&name(g, *total)),
            l.n(g.communes)
        );
        for x in &g.levels {
            let _ = write!(
                h,
                "<td class=\"n\" data-level=\"{}\">{}</td>",
                esc(&x.level),
                esc(&l.count_of(x.reached, g.communes))
            );
        }
        let _ = writeln!(h, "<td class=\"n\">{}</td></tr>", l.n(g.no_level));
    }
    h.push_str("</tbody>\n</table>\n");

    // Chart: per group, communes by highest level, stacked.
    chart(&mut h, doc, &rows, &name, &l);

    // Averages.
    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<table id=\"averages\">\n<thead><tr><th>{}</th>",
        esc(l.t(
            "Average criteria / indicators met per commune",
            "Bình quân số tiêu chí / chỉ tiêu đạt mỗi xã"
        )),
        esc(&by_head)
    );
    for lv in &doc.levels {
        let _ = write!(
            h,
            "<th>{} ({}/{})</th>",
            esc(l.level(lv)),
            lv.criteria,
            lv.indicators
        );
    }
    h.push_str("</tr></thead>\n<tbody>\n");
    for (g, total) in &rows {
        row_start(&mut h, *total, &name(g, *total));
        for x in &g.levels {
            let _ = write!(
                h,
                "<td class=\"n\">{} / {}</td>",
                esc(&l.num(x.avg_criteria_met, 1)),
                esc(&l.num(x.avg_indicators_met, 1))
            );
        }
        h.push_str("</tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");

    // Distribution, every level.
    let _ = writeln!(
        h,
        "<h2>{}</h2>",
        esc(l.t("Communes by criteria met", "Số xã theo số tiêu chí đạt"))
    );
    for (li, lv) in doc.levels.iter().enumerate() {
        let _ = write!(
            h,
            "<h3>{} ({} {})</h3>\n<table class=\"bands\" data-level=\"{}\">\n<thead><tr><th>{}</th>",
            esc(l.level(lv)),
            lv.criteria,
            esc(l.t("criteria", "tiêu chí")),
            esc(&lv.id),
            esc(&by_head)
        );
        for b in &lv.bands {
            let _ = write!(h, "<th>{}</th>", esc(&l.band(*b, lv.criteria)));
        }
        h.push_str("</tr></thead>\n<tbody>\n");
        for (g, total) in &rows {
            row_start(&mut h, *total, &name(g, *total));
            if let Some(x) = g.levels.get(li) {
                for n in &x.bands {
                    let _ = write!(h, "<td class=\"n\">{n}</td>");
                }
            }
            h.push_str("</tr>\n");
        }
        h.push_str("</tbody>\n</table>\n");
    }

    // Most missed, total.
    let _ = writeln!(
        h,
        "<h2>{}</h2>",
        esc(l.t("Most missed criteria", "Tiêu chí chưa đạt nhiều nhất"))
    );
    for (lv, x) in doc.levels.iter().zip(&doc.total.levels) {
        if x.candidates == 0 {
            continue;
        }
        let head = match lang {
            Lang::En => format!(
                "{} ({} commune(s) working towards it)",
                l.level(lv),
                x.candidates
            ),
            Lang::Vi => format!("{} ({} xã đang hướng tới)", l.level(lv), x.candidates),
        };
        let _ = writeln!(
            h,
            "<h3>{}</h3>\n<table class=\"missed\" data-level=\"{}\">\n<thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
            esc(&head),
            esc(&lv.id),
            esc(l.t("Criterion", "Tiêu chí")),
            esc(l.t("Not met", "Chưa đạt")),
            esc(l.t("No data", "Thiếu dữ liệu"))
        );
        for (i, m) in x.most_missed.iter().enumerate() {
            let _ = writeln!(
                h,
                "<tr><td class=\"n\">{}</td><td>{} {}</td><td class=\"n\">{}</td><td class=\"n\">{}</td></tr>",
                i + 1,
                esc(&m.criterion),
                esc(l.t(&m.name, &m.name_vi)),
                esc(&l.count_of(m.fail, x.candidates)),
                m.no_data
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }

    // Targets.
    if let Some(tg) = &doc.targets {
        let title = match (lang, &tg.name_vi) {
            (Lang::Vi, Some(vi)) => vi.as_str(),
            _ => tg.name.as_str(),
        };
        let _ = writeln!(
            h,
            "<h2>{}</h2>\n<p class=\"meta\">{} ({})</p>\n<table id=\"targets\">\n<thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
            esc(l.t("Targets", "Mục tiêu")),
            esc(title),
            esc(&super::words::source_text(&tg.source, lang)),
            esc(l.t("Level", "Mức")),
            esc(l.t("Communes", "Phạm vi")),
            esc(l.t("Target", "Mục tiêu")),
            esc(l.t("Reached", "Đạt")),
            esc(l.t("Needed", "Cần")),
            esc(l.t("Verdict", "Kết quả"))
        );
        for c in tg.checks.iter().filter(|c| c.communes > 0) {
            let level = doc
                .levels
                .iter()
                .find(|x| x.id == c.level)
                .map_or(c.level.as_str(), |x| l.level(x));
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td>{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"n\">{}</td><td class=\"{}\">{}</td></tr>",
                esc(level),
                esc(&l.scope(c, &words)),
                esc(&l.goal(c)),
                esc(&l.count_of(c.reached, c.communes)),
                l.n(c.needed),
                if c.met { "met" } else { "short" },
                esc(&l.verdict(c))
            );
        }
        h.push_str("</tbody>\n</table>\n");
        if let Some(line) = l.out_of_scope(&tg.checks, &words) {
            let _ = writeln!(h, "<p class=\"note\">{}</p>", esc(&line));
        }
    }

    // Roll-ups.
    if let Some(r) = &doc.rollups {
        let _ = writeln!(
            h,
            "<h2>{}</h2>\n<p class=\"note\">{}</p>\n<table id=\"rollups\">\n<thead><tr><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
            esc(&l.rollup_rule(r)),
            esc(l.rollup_caveat()),
            esc(&by_head),
            esc(l.t("Commune conditions", "Điều kiện về xã"))
        );
        for g in r.groups {
            let _ = writeln!(
                h,
                "<tr><td>{}</td><td class=\"{}\">{}</td></tr>",
                esc(&l.group(&g.group)),
                if g.met { "met" } else { "short" },
                esc(&l.rollup_verdict(g, r.rule))
            );
        }
        h.push_str("</tbody>\n</table>\n");
    }

    // Communes.
    let _ = writeln!(
        h,
        "<h2>{}</h2>\n<table id=\"communes-table\">\n<thead><tr><th>#</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>\n<tbody>",
        esc(l.t("Communes", "Danh sách xã")),
        esc(l.t("Code", "Mã")),
        esc(l.t("Commune", "Xã")),
        esc(l.t("District", "Huyện")),
        esc(l.t("Zone", "Vùng")),
        esc(l.t("Level", "Mức đạt")),
        esc(l.t("Next", "Mức tiếp theo")),
        esc(l.t("Criteria met", "Tiêu chí đạt")),
        esc(l.t(
            "What is missing for the next level",
            "Còn thiếu để đạt mức tiếp theo"
        ))
    );
    let level_name = |id: &Option<String>| -> String {
        match id {
            None => "—".to_string(),
            Some(id) => doc
                .levels
                .iter()
                .find(|x| &x.id == id)
                .map_or(id.clone(), |x| l.level(x).to_string()),
        }
    };
    for c in communes {
        let _ = write!(
            h,
            "<tr><td class=\"n\">{}</td><td class=\"code\">{}</td><td class=\"name\">{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td class=\"n\">{}/{}</td><td class=\"missing\">",
            c.row,
            esc(c.code.as_deref().unwrap_or("")),
            esc(c.name.as_deref().unwrap_or("")),
            esc(c.district.as_deref().unwrap_or("")),
            esc(words.zone(&c.zone)),
            esc(&level_name(&c.level)),
            esc(&level_name(&c.next_level)),
            c.criteria_met,
            c.criteria_total
        );
        missing_list(&mut h, c, &words);
        if !c.notes.is_empty() {
            // What --lenient read as no data: never dropped without a line saying so.
            h.push_str("<ul class=\"miss\">");
            for n in &c.notes {
                let what = l.t(
                    "read as no data (--lenient)",
                    "đọc là không có số liệu (chế độ đọc nới lỏng)",
                );
                let _ = match &n.column {
                    Some(col) => write!(
                        h,
                        "<li>! {} <code>{}</code> <code>{}</code>: {}</li>",
                        esc(n.code),
                        esc(col),
                        esc(&n.value),
                        esc(what)
                    ),
                    None => write!(
                        h,
                        "<li>! {}: {}</li>",
                        esc(n.code),
                        esc(l.t(
                            "every measure of the row read as no data (--lenient)",
                            "mọi chỉ số của dòng đọc là không có số liệu (chế độ đọc nới lỏng)",
                        ))
                    ),
                };
            }
            h.push_str("</ul>");
        }
        h.push_str("</td></tr>\n");
    }
    h.push_str("</tbody>\n</table>\n");
    let _ = writeln!(
        h,
        "<p class=\"note\">{}</p>\n</body>\n</html>",
        esc(l.t(
            "Generated by ntm. Definitions of every figure: docs/summary.md. This page loads nothing from the network.",
            "Tạo bởi ntm. Trang này không tải gì từ mạng."
        ))
    );
    h
}

/// More criteria than this missing, or more indicators than [`FOLD_OVER_INDICATORS`], are
/// folded under a `<details>` whose summary counts the criteria and lists their numbers (so a
/// printed page that keeps it closed still says which).
const FOLD_OVER: usize = 3;
/// See [`FOLD_OVER`].
const FOLD_OVER_INDICATORS: usize = 6;

/// What a commune misses, one item per criterion with its indicators under it, each with
/// its value and requirement ([`Words::indicator_text`]); folded when long ([`FOLD_OVER`]).
fn missing_list(h: &mut String, c: &CommuneRecord, words: &Words<'_>) {
    if c.missing.is_empty() {
        return;
    }
    let lang = words.lang();
    let indicators: usize = c.missing.iter().map(|m| m.indicators.len()).sum();
    let fold = c.missing.len() > FOLD_OVER || indicators > FOLD_OVER_INDICATORS;
    if fold {
        let ids: Vec<&str> = c.missing.iter().map(|m| m.criterion.as_str()).collect();
        let n = c.missing.len();
        let head = match lang {
            Lang::En => format!("{n} criteria not met: {}", ids.join(", ")),
            Lang::Vi => format!("{n} tiêu chí chưa đạt: {}", ids.join(", ")),
        };
        let _ = write!(h, "<details><summary>{}</summary>", esc(&head));
    }
    h.push_str("<ul class=\"miss\">");
    for m in &c.missing {
        let level = if Some(&m.level) == c.next_level.as_ref() {
            String::new()
        } else {
            format!("{}: ", words.level(&m.level))
        };
        let _ = write!(
            h,
            "<li><strong>{}{}</strong><ul>",
            esc(&level),
            esc(&words.criterion_head(m))
        );
        for i in &m.indicators {
            let _ = write!(h, "<li>{}</li>", esc(&words.indicator_text(i, &c.zone)));
        }
        h.push_str("</ul></li>");
    }
    h.push_str("</ul>");
    if fold {
        h.push_str("</details>");
    }
}

/// `<tr><td>name</td>`, the total's row marked.
fn row_start(h: &mut String, total: bool, name: &str) {
    let _ = write!(
        h,
        "<tr{}><td>{}</td>",
        if total { " class=\"total\"" } else { "" },
        esc(name)
    );
}

/// A horizontal stacked bar per group: communes by highest level (no level first).
fn chart(
    h: &mut String,
    doc: &SummaryDoc<'_>,
    rows: &[(&GroupOut, bool)],
    name: &dyn Fn(&GroupOut, bool) -> String,
    l: &Labels,
) {
    const LABEL_W: usize = 200;
    const BAR_W: usize = 560;
    const ROW_H: usize = 28;
    let height = rows.len() * ROW_H + 10;
    let width = LABEL_W + BAR_W + 60;
    let _ = writeln!(
        h,
        "<h2>{}</h2>",
        esc(l.t(
            "Communes by highest level reached",
            "Số xã theo mức cao nhất đạt được"
        ))
    );
    let _ = writeln!(
        h,
        "<svg id=\"chart\" role=\"img\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for (i, (g, total)) in rows.iter().enumerate() {
        let y = i * ROW_H + 5;
        let _ = writeln!(
            h,
            "<text x=\"{}\" y=\"{}\" text-anchor=\"end\"{}>{}</text>",
            LABEL_W - 8,
            y + 16,
            if *total { " font-weight=\"bold\"" } else { "" },
            esc(&name(g, *total))
        );
        // Segments: no level, then each level's "highest" count.
        let mut segments: Vec<(String, usize)> =
            vec![(l.t("No level", "Chưa đạt mức nào").to_string(), g.no_level)];
        for (lv, x) in doc.levels.iter().zip(&g.levels) {
            segments.push((l.level(lv).to_string(), x.highest));
        }
        let mut x0 = 0usize;
        let mut seen = 0usize;
        for (k, (label, n)) in segments.iter().enumerate() {
            if *n == 0 || g.communes == 0 {
                continue;
            }
            seen += n;
            // Integer pixel edges from cumulative counts, so the segments fill the bar exactly.
            let x1 = seen * BAR_W / g.communes;
            let w = x1 - x0;
            let _ = write!(
                h,
                "<rect x=\"{}\" y=\"{y}\" width=\"{w}\" height=\"{}\" fill=\"{}\"><title>{}: {}</title></rect>",
                LABEL_W + x0,
                ROW_H - 6,
                COLOURS[k % COLOURS.len()],
                esc(label),
                l.n(*n)
            );
            if w >= 18 {
                let _ = write!(
                    h,
                    "<text x=\"{}\" y=\"{}\" text-anchor=\"middle\"{}>{}</text>",
                    LABEL_W + x0 + w / 2,
                    y + 16,
                    if k >= 2 { " class=\"on-dark\"" } else { "" },
                    l.n(*n)
                );
            }
            h.push('\n');
            x0 = x1;
        }
        let _ = writeln!(
            h,
            "<text x=\"{}\" y=\"{}\">{}</text>",
            LABEL_W + BAR_W + 6,
            y + 16,
            l.n(g.communes)
        );
    }
    h.push_str("</svg>\n<p class=\"legend\">");
    let mut legend = vec![l.t("No level", "Chưa đạt mức nào").to_string()];
    legend.extend(doc.levels.iter().map(|x| l.level(x).to_string()));
    for (k, label) in legend.iter().enumerate() {
        let _ = write!(
            h,
            "<span><i style=\"background:{}\"></i>{}</span>",
            COLOURS[k % COLOURS.len()],
            esc(label)
        );
    }
    h.push_str("</p>\n");
}

#[cfg(test)]
mod tests {
    use super::esc;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(esc("Xã Hồng Lạc"), "Xã Hồng Lạc");
    }
}
