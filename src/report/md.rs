//! `ntm rules show --format md`: a printable criteria book in Markdown.
//!
//! Per level: its criteria and indicators with requirement, verification and legal source;
//! the thresholds that vary by zone or year as a table (zones across, years down) with
//! unverified values marked †; the notes saying what unverified values rest on. Then the data
//! columns. Pure text from a `Ruleset`; docs/criteria-2021-2025.md is this output for the
//! default ruleset, kept up to date by a test.

use std::fmt::Write as _;

use rust_decimal::Decimal;

use super::num_text;
use super::rules::verified_text;
use super::words::{source_text, unit_in};
use crate::lang::Lang;
use crate::ruleset::Ruleset;
use crate::ruleset::model::{
    Indicator, IndicatorRef, Placed, Test, Threshold, YearEntry, Zoning, in_force,
};
use crate::text::escape_controls;

/// Which thresholds to print: every zone and year entry, or those of one zone / one year.
#[derive(Debug, Clone, Copy, Default)]
pub(crate) struct BookScope {
    /// Only this zone's column.
    pub zone: Option<usize>,
    /// Only the entry in force in this year.
    pub year: Option<i32>,
}

/// The criteria book of `rs` as Markdown.
pub(crate) fn criteria_book(rs: &Ruleset, scope: BookScope, lang: Lang) -> String {
    let t = |en: &'static str, vi: &'static str| lang.pick(en, vi);
    let mut s = String::new();
    let (title, subtitle) = match lang {
        Lang::En => (&rs.name, &rs.name_vi),
        Lang::Vi => (&rs.name_vi, &rs.name),
    };
    let _ = writeln!(s, "# {} (`{}`)\n", esc(title), rs.id);
    let _ = writeln!(s, "*{}*\n", esc(subtitle));
    let zones: Vec<usize> = match scope.zone {
        Some(z) => vec![z],
        None => (0..rs.zones.len()).collect(),
    };
    let zone_word = match rs.zoning {
        Zoning::Region => t("Regions", "Vùng"),
        Zoning::Group => t("Commune groups", "Nhóm xã"),
    };
    let verified = rs
        .indicators()
        .filter(|(r, _)| rs.fully_verified(*r))
        .count();
    let _ = writeln!(s, "| | |\n|---|---|");
    let _ = writeln!(
        s,
        "| {} | {}–{} |",
        t("Period", "Giai đoạn"),
        rs.period.0,
        rs.period.1
    );
    let _ = writeln!(
        s,
        "| {} | {} |",
        t("Decision", "Quyết định"),
        esc(&rs.decision)
    );
    let zone_list: Vec<String> = rs
        .zones
        .iter()
        .map(|z| format!("{} ({})", z.id, esc(lang.pick(&z.name, &z.name_vi))))
        .collect();
    let _ = writeln!(s, "| {zone_word} | {} |", zone_list.join(", "));
    let _ = writeln!(
        s,
        "| {} | {verified} / {} |",
        t("Indicators fully verified", "Chỉ tiêu đã kiểm chứng đầy đủ"),
        rs.indicator_count()
    );
    let _ = writeln!(s, "| SHA-256 | `{}` |", rs.sha256);
    if let Some(z) = scope.zone {
        let _ = writeln!(
            s,
            "| {} | {} |",
            t("Thresholds shown for", "Ngưỡng của"),
            rs.zones[z].id
        );
    }
    if let Some(y) = scope.year {
        let _ = writeln!(
            s,
            "| {} | {y} |",
            t("Thresholds in force in", "Ngưỡng áp dụng năm")
        );
    }
    s.push('\n');
    if let Some(notes) = &rs.notes {
        let _ = writeln!(s, "> {}\n", esc(notes.trim()));
    }
    let _ = writeln!(
        s,
        "{}\n",
        t(
            "An indicator is verified when its value was confirmed in the decision or a source quoting it; \
             † marks a threshold value that was not. Notes say what unverified values rest on. \
             Thresholds that change by year apply from the year shown until the next entry.",
            "Chỉ tiêu được kiểm chứng khi giá trị đã được đối chiếu với quyết định hoặc nguồn trích dẫn; \
             † đánh dấu giá trị ngưỡng chưa được kiểm chứng. Phần ghi chú nêu căn cứ của các giá trị chưa kiểm chứng. \
             Ngưỡng thay đổi theo năm áp dụng từ năm ghi trong bảng đến mục tiếp theo."
        )
    );

    if !rs.overrides.is_empty() {
        let _ = writeln!(s, "## {}\n", t("Overrides", "Ngoại lệ"));
        for o in &rs.overrides {
            let what = o.name.as_deref().map(esc).unwrap_or_default();
            let _ = writeln!(
                s,
                "- `{}`{}{}: {} `{}` = {} → {} {} ({})",
                o.id,
                if what.is_empty() { "" } else { " — " },
                what,
                t("communes with", "xã có"),
                rs.measures[o.measure].id,
                t("yes", "có"),
                t("thresholds of", "áp dụng ngưỡng của"),
                rs.zones[o.zone].id,
                esc(&source_text(&o.source, lang))
            );
        }
        s.push('\n');
    }

    for (li, level) in rs.levels.iter().enumerate() {
        let (name, other) = match lang {
            Lang::En => (&level.name, &level.name_vi),
            Lang::Vi => (&level.name_vi, &level.name),
        };
        let _ = writeln!(s, "## {} — {}\n", level.id, esc(name));
        let mut facts = vec![format!("*{}*", esc(other))];
        if let Some(src) = &level.source {
            facts.push(format!(
                "{}: {}",
                t("source", "căn cứ"),
                esc(&source_text(src, lang))
            ));
        }
        if let Some(r) = level.requires {
            facts.push(format!(
                "{}: {}",
                t("requires", "cần đạt trước"),
                rs.levels[r].id
            ));
        }
        let n_ind: usize = level.criteria.iter().map(|c| c.indicators.len()).sum();
        facts.push(format!(
            "{} {}, {n_ind} {}",
            level.criteria.len(),
            t("criteria", "tiêu chí"),
            t("indicators", "chỉ tiêu")
        ));
        let _ = writeln!(s, "{}\n", facts.join(" · "));
        let _ = writeln!(
            s,
            "| {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|",
            t("Criterion", "Tiêu chí"),
            t("Indicator", "Chỉ tiêu"),
            t("Measure (column)", "Nội dung (cột dữ liệu)"),
            t("Requirement", "Yêu cầu"),
            t("Verified", "Kiểm chứng"),
            t("Source", "Căn cứ")
        );
        let mut varying: Vec<IndicatorRef> = Vec::new();
        let mut notes: Vec<String> = Vec::new();
        for Placed {
            r,
            criterion: crit,
            indicator: ind,
            ..
        } in rs.walk_level(li)
        {
            let crit_cell = if r.indicator == 0 {
                let mut c = format!("{} {}", crit.id, esc(lang.pick(&crit.name, &crit.name_vi)));
                if let Some(n) = crit.at_least {
                    let _ = write!(
                        c,
                        " ({} {n} {} {})",
                        t("at least", "ít nhất"),
                        t("of", "trong"),
                        crit.indicators.len()
                    );
                }
                c
            } else {
                String::new()
            };
            let m = &rs.measures[ind.measure];
            let label = match lang {
                Lang::En => ind.name.as_deref().unwrap_or(&m.name),
                Lang::Vi => ind.name_vi.as_deref().unwrap_or(&m.name_vi),
            };
            let unit = unit_in(m, lang)
                .map(|u| format!(", {}", esc(&u)))
                .unwrap_or_default();
            let req = requirement_cell(rs, r, ind, scope, lang, &mut varying);
            let _ = writeln!(
                s,
                "| {crit_cell} | {} | {} (`{}`{unit}) | {req} | {} | {} |",
                ind.id,
                esc(label),
                m.id,
                verified_word(verified_text(rs, r), lang),
                esc(&source_text(&ind.source, lang))
            );
            for note in indicator_notes(ind) {
                notes.push(format!("**{}** — {}", ind.id, esc(note)));
            }
        }
        s.push('\n');
        if !varying.is_empty() {
            let _ = writeln!(s, "### {} ({})\n", t("Thresholds", "Ngưỡng"), level.id);
            let mut head = format!(
                "| {} | {} |",
                t("Indicator", "Chỉ tiêu"),
                t("From", "Từ năm")
            );
            let mut rule = "|---|---|".to_string();
            for &z in &zones {
                let _ = write!(head, " {} |", rs.zones[z].id);
                rule.push_str("---:|");
            }
            let _ = writeln!(s, "{head}\n{rule}");
            for r in varying {
                threshold_rows(&mut s, rs, r, &zones, scope, lang);
            }
            s.push('\n');
        }
        if !notes.is_empty() {
            let _ = writeln!(s, "### {} ({})\n", t("Notes", "Ghi chú"), level.id);
            for n in notes {
                let _ = writeln!(s, "- {n}");
            }
            s.push('\n');
        }
    }

    let _ = writeln!(s, "## {}\n", t("Data columns", "Cột dữ liệu"));
    let _ = writeln!(
        s,
        "| {} | {} | {} | {} | {} | {} |\n|---|---|---|---|---|---|",
        t("Column", "Cột"),
        t("Kind", "Kiểu"),
        t("Unit", "Đơn vị"),
        t("Name", "Tên tiếng Anh"),
        t("Vietnamese name", "Tên tiếng Việt"),
        t("Other headers accepted", "Tên cột khác được chấp nhận")
    );
    for m in &rs.measures {
        let kind = if m.optional {
            format!("{} ({})", m.kind.as_str(), t("optional", "không bắt buộc"))
        } else {
            m.kind.as_str().to_string()
        };
        let aliases: Vec<String> = m.aliases.iter().map(|a| esc(a)).collect();
        let _ = writeln!(
            s,
            "| `{}` | {kind} | {} | {} | {} | {} |",
            m.id,
            m.unit.as_deref().map(esc).unwrap_or_default(),
            esc(&m.name),
            esc(&m.name_vi),
            aliases.join("; ")
        );
    }
    let mut flags = String::new();
    if let Some(z) = scope.zone {
        let _ = write!(flags, " --zone {}", rs.zones[z].id);
    }
    if let Some(y) = scope.year {
        let _ = write!(flags, " --year {y}");
    }
    flags.push_str(match lang {
        Lang::En => " --lang en",
        Lang::Vi => " --lang vi",
    });
    let _ = writeln!(
        s,
        "\n{} `ntm rules show {} --format md{flags}`.",
        t("Generated by", "Tạo bằng lệnh"),
        rs.id,
    );
    s
}

/// The indicator's note, then the notes of its threshold entries, each once.
fn indicator_notes(ind: &Indicator) -> Vec<&str> {
    let mut notes: Vec<&str> = ind.note.as_deref().into_iter().collect();
    if let Test::Compare(_, Threshold::Fixed(entries)) = &ind.test {
        for e in entries {
            if let Some(n) = e.note.as_deref()
                && !notes.contains(&n)
            {
                notes.push(n);
            }
        }
    }
    notes
}

/// The requirement cell: the value when it is one for every zone and year shown, else a
/// pointer to the level's threshold table (and `r` is added to `varying`).
fn requirement_cell(
    rs: &Ruleset,
    r: IndicatorRef,
    ind: &Indicator,
    scope: BookScope,
    lang: Lang,
    varying: &mut Vec<IndicatorRef>,
) -> String {
    let t = |en: &'static str, vi: &'static str| lang.pick(en, vi);
    let Test::Compare(op, threshold) = &ind.test else {
        return match ind.test {
            Test::Yes => t("yes (Đạt)", "Đạt").to_string(),
            Test::None | Test::Compare(..) => t("none (Không)", "Không có").to_string(),
        };
    };
    let op = op_symbol(*op);
    let derived = match threshold {
        Threshold::Derived {
            level,
            criterion,
            indicator,
            factor,
        } => {
            let base = &rs.levels[*level].criteria[*criterion].indicators[*indicator];
            let pct = (*factor * Decimal::ONE_HUNDRED).normalize();
            Some(format!(
                "{}% × {} {}",
                num_text(pct, lang),
                rs.levels[*level].id,
                base.id
            ))
        }
        Threshold::Fixed(_) => None,
    };
    let rows = shown_entries(rs, r, scope);
    let zones = zones_shown(rs, scope);
    let uniform = rows.len() == 1 && zones.windows(2).all(|w| rows[0].1[w[0]] == rows[0].1[w[1]]);
    match (uniform, rows.first()) {
        (true, Some((from, vals))) => {
            let (v, ok) = vals[zones[0]];
            let star = if ok { "" } else { "†" };
            let from = from
                .map(|y| format!(" ({} {y})", t("from", "từ")))
                .unwrap_or_default();
            match derived {
                Some(d) => format!("{op} {d} = {}{star}{from}", num_text(v, lang)),
                None => format!("{op} {}{star}{from}", num_text(v, lang)),
            }
        }
        _ => {
            varying.push(r);
            let by = match (rs.zoning, rows.len() > 1) {
                (Zoning::Region, _) if !uniform_zones(&rows, &zones) => t("by region", "theo vùng"),
                (Zoning::Group, _) if !uniform_zones(&rows, &zones) => t("by group", "theo nhóm"),
                _ => t("by year", "theo năm"),
            };
            let d = derived.map(|d| format!(" {d}")).unwrap_or_default();
            format!("{op}{d} {by} ({})", t("table below", "bảng dưới"))
        }
    }
}

fn zones_shown(rs: &Ruleset, scope: BookScope) -> Vec<usize> {
    match scope.zone {
        Some(z) => vec![z],
        None => (0..rs.zones.len()).collect(),
    }
}

fn uniform_zones(rows: &[EntryRow], zones: &[usize]) -> bool {
    rows.iter()
        .all(|(_, vals)| zones.windows(2).all(|w| vals[w[0]].0 == vals[w[1]].0))
}

/// One threshold entry as shown: its `from` year and, per zone of the ruleset, the value and
/// whether it is verified.
type EntryRow = (Option<i32>, Vec<(Decimal, bool)>);

/// The threshold entries shown, each as `(from, per zone (value, verified))` over every zone
/// of the ruleset; a derived threshold's are its base's times the factor.
fn shown_entries(rs: &Ruleset, r: IndicatorRef, scope: BookScope) -> Vec<EntryRow> {
    let ind = rs.indicator(r);
    let Test::Compare(_, threshold) = &ind.test else {
        return Vec::new();
    };
    let (entries, factor, own): (&[YearEntry], Decimal, Vec<bool>) = match threshold {
        Threshold::Fixed(entries) => (entries, Decimal::ONE, vec![true; rs.zones.len()]),
        Threshold::Derived {
            level,
            criterion,
            indicator,
            factor,
        } => {
            let base = &rs.levels[*level].criteria[*criterion].indicators[*indicator];
            match &base.test {
                Test::Compare(_, Threshold::Fixed(entries)) => {
                    (entries, *factor, ind.verified.clone())
                }
                // validate allows only a fixed numeric base.
                Test::Compare(_, Threshold::Derived { .. }) | Test::Yes | Test::None => {
                    return Vec::new();
                }
            }
        }
    };
    let pick: Vec<&YearEntry> = match scope.year {
        Some(y) if !entries.is_empty() => vec![in_force(entries, y)],
        _ => entries.iter().collect(),
    };
    pick.into_iter()
        .map(|e| {
            let vals = e
                .values
                .iter()
                .zip(&e.verified)
                .zip(&own)
                .map(|((v, ok), own)| ((*v * factor).normalize(), *ok && *own))
                .collect();
            (e.from, vals)
        })
        .collect()
}

fn threshold_rows(
    s: &mut String,
    rs: &Ruleset,
    r: IndicatorRef,
    zones: &[usize],
    scope: BookScope,
    lang: Lang,
) {
    let ind = rs.indicator(r);
    let op = match &ind.test {
        Test::Compare(op, _) => op_symbol(*op),
        Test::Yes | Test::None => return,
    };
    for (k, (from, vals)) in shown_entries(rs, r, scope).iter().enumerate() {
        let label = if k == 0 {
            format!("{} `{}` {op}", ind.id, rs.measures[ind.measure].id)
        } else {
            String::new()
        };
        let from = from
            .map(|y| y.to_string())
            .unwrap_or_else(|| "—".to_string());
        let mut row = format!("| {label} | {from} |");
        for &z in zones {
            let (v, ok) = vals[z];
            let star = if ok { "" } else { "†" };
            let _ = write!(row, " {}{star} |", num_text(v, lang));
        }
        let _ = writeln!(s, "{row}");
    }
}

/// Operators as printed: `≥ 80`.
fn op_symbol(op: crate::ruleset::model::Op) -> &'static str {
    use crate::ruleset::model::Op;
    match op {
        Op::Ge => "≥",
        Op::Gt => ">",
        Op::Le => "≤",
        Op::Lt => "<",
        Op::Eq => "=",
    }
}

fn verified_word(v: &str, lang: Lang) -> &'static str {
    match (v, lang) {
        ("yes", Lang::En) => "yes",
        ("partly", Lang::En) => "partly",
        (_, Lang::En) => "no",
        ("yes", Lang::Vi) => "có",
        ("partly", Lang::Vi) => "một phần",
        (_, Lang::Vi) => "chưa",
    }
}

/// Text from a ruleset safe in Markdown, in a table cell or a paragraph: it can show itself
/// and nothing else.
///
/// - `<`, `>` and `&` as HTML entities: no raw HTML (`<img onerror=…>`), no autolink;
/// - `|` (a table cell), `*` (emphasis), `` ` `` (code) and `\\` with a backslash, and `_`
///   unless it joins two letters or digits (`thu_nhap` cannot start emphasis);
/// - `]` before `(` or `[` with a backslash, so no link or image is formed (a lone `[S2]`
///   reference to a source stays as it is);
/// - `#`, `>`, `-`, `+`, `=` or `[` first with a backslash (a heading, quote, list item or
///   link definition);
/// - line breaks joined with a space, other control characters as visible escapes
///   (`\\u{1b}`, [`escape_controls`]).
///
/// Vietnamese and other letters are kept as they are.
pub(crate) fn esc(text: &str) -> String {
    let joined;
    let text = if text.contains(['\n', '\r']) {
        joined = text.replace("\r\n", " ").replace(['\n', '\r'], " ");
        joined.as_str()
    } else {
        text
    };
    let text = escape_controls(text);
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    let mut prev: Option<char> = None;
    while let Some(c) = chars.next() {
        let next = chars.peek().copied();
        match c {
            '#' | '>' | '-' | '+' | '=' | '[' if prev.is_none() => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' | '*' | '`' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '_' if !(prev.is_some_and(char::is_alphanumeric)
                && next.is_some_and(char::is_alphanumeric)) =>
            {
                out.push_str("\\_");
            }
            ']' if matches!(next, Some('(' | '[')) => out.push_str("\\]"),
            c => out.push(c),
        }
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cells_escape_pipes_and_stars_and_join_lines() {
        assert_eq!(esc("a|b*c\nd"), "a\\|b\\*c d");
    }

    #[test]
    fn ruleset_text_cannot_make_html_links_or_structure() {
        assert_eq!(
            esc("<img src=x onerror=alert(1)>"),
            "&lt;img src=x onerror=alert(1)&gt;"
        );
        assert_eq!(esc("a & b"), "a &amp; b");
        assert_eq!(esc("[click](javascript:x)"), "\\[click\\](javascript:x)");
        assert_eq!(esc("![i][r]"), "![i\\][r]");
        assert_eq!(esc("[r]: http://x"), "\\[r]: http://x");
        assert_eq!(esc("`x` _y_ thu_nhap"), "\\`x\\` \\_y\\_ thu_nhap");
        assert_eq!(esc("# h"), "\\# h");
        assert_eq!(esc("- item"), "\\- item");
        assert_eq!(esc("> q"), "\\> q");
        // The escape's backslash is itself escaped: the reader sees `\u{1b}`.
        assert_eq!(esc("a\u{1b}[2Jb\u{202e}"), "a\\\\u{1b}[2Jb\\\\u{202e}");
        // What official rulesets hold stays as it is.
        assert_eq!(
            esc("Thu nhập bình quân đầu người [S2, S3] (triệu đồng/người/năm)"),
            "Thu nhập bình quân đầu người [S2, S3] (triệu đồng/người/năm)"
        );
    }
}
