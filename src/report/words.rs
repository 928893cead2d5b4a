//! Words for people: what a commune still misses, a level, a zone, a unit, a legal source and
//! a language-neutral requirement, said in the report's language.
//!
//! Every human format (table, explain, summary, HTML) says these things through [`Words`], so
//! a Vietnamese report reads the same everywhere: the measure's `name_vi` instead of its id,
//! the unit's `unit_vi`, the zone's and level's Vietnamese names, `61,2` for 61.2, legal
//! references as `Phụ lục I, tiêu chí 10`. English output keeps its ids and its existing
//! wording ([`MissingIndicator::describe`]). Machine formats (CSV, JSON) never come here.
//!
//! Pure: a ruleset and a language in, strings out.

use std::collections::HashMap;

use super::num_text;
use crate::eval::Status;
use crate::lang::Lang;
use crate::record::{BorderlineRecord, MissingCriterion, MissingIndicator, ValueOut};
use crate::ruleset::Ruleset;
use crate::ruleset::model::{Measure, MeasureKind, Zoning};

/// Ruleset names in one language, looked up by id.
pub(crate) struct Words<'a> {
    rs: &'a Ruleset,
    lang: Lang,
    measures: HashMap<&'a str, usize>,
}

impl<'a> Words<'a> {
    /// The words of `rs` in `lang`.
    pub(crate) fn new(rs: &'a Ruleset, lang: Lang) -> Self {
        let measures = rs
            .measures
            .iter()
            .enumerate()
            .map(|(i, m)| (m.id.as_str(), i))
            .collect();
        Words { rs, lang, measures }
    }

    /// The language.
    pub(crate) fn lang(&self) -> Lang {
        self.lang
    }

    fn measure(&self, id: &str) -> Option<&'a Measure> {
        self.measures.get(id).map(|&i| &self.rs.measures[i])
    }

    /// A level by id: the id in English (as the tables always showed it), the level's
    /// `name_vi` in Vietnamese. An id the ruleset does not know is shown as it is.
    pub(crate) fn level(&self, id: &'a str) -> &'a str {
        match (self.lang, self.rs.level_index(id)) {
            (Lang::Vi, Some(i)) => &self.rs.levels[i].name_vi,
            _ => id,
        }
    }

    /// A zone by id: the id in English, the zone's full `name_vi` in Vietnamese.
    pub(crate) fn zone(&self, id: &'a str) -> &'a str {
        match (self.lang, self.rs.zone_index(id)) {
            (Lang::Vi, Some(i)) => &self.rs.zones[i].name_vi,
            _ => id,
        }
    }

    /// A zone inside a sentence: the id in English; in Vietnamese `vùng Đồng bằng sông Hồng`
    /// for a region, and the group's name up to its colon (`Nhóm 1`) for a commune group,
    /// whose full name is a definition.
    pub(crate) fn zone_phrase(&self, id: &str) -> String {
        let Some(i) = self.rs.zone_index(id) else {
            return id.to_string();
        };
        if self.lang == Lang::En {
            return id.to_string();
        }
        let name = &self.rs.zones[i].name_vi;
        match self.rs.zoning {
            Zoning::Region => format!("vùng {name}"),
            Zoning::Group => name.split(':').next().unwrap_or(name).trim().to_string(),
        }
    }

    /// A measure by id: the id in English, its `name_vi` in Vietnamese.
    pub(crate) fn measure_name(&self, id: &'a str) -> &'a str {
        match (self.lang, self.measure(id)) {
            (Lang::Vi, Some(m)) => &m.name_vi,
            _ => id,
        }
    }

    /// What follows a number of this measure: `%` (joined), ` triệu đồng/người/năm`, or
    /// nothing. English output never calls this (it shows no units).
    fn unit_suffix(&self, id: &str) -> String {
        let Some(m) = self.measure(id) else {
            return String::new();
        };
        match unit_in(m, self.lang) {
            _ if m.kind == MeasureKind::Percent => "%".to_string(),
            Some(u) if u.starts_with('%') => "%".to_string(),
            Some(u) => format!(" {u}"),
            None => String::new(),
        }
    }

    /// One indicator a commune misses, as a sentence for people.
    ///
    /// English: [`MissingIndicator::describe`] (`income_per_capita 51 < 55 required (RRD,
    /// 2025) [unverified]`). Vietnamese: `Thu nhập bình quân đầu người khu vực nông thôn: 51 <
    /// 55 triệu đồng/người/năm (vùng Đồng bằng sông Hồng, năm 2025) — chưa được đối chiếu`;
    /// `chưa có số liệu` for no data, `không đạt` for a yes/no indicator that is not met.
    pub(crate) fn indicator_text(&self, i: &MissingIndicator, zone: &str) -> String {
        if self.lang == Lang::En {
            return i.describe(zone);
        }
        let unit = self.unit_suffix(&i.measure);
        let lang = self.lang;
        let value = |v: &ValueOut| match v {
            ValueOut::Num(n) => format!("{}{unit}", num_text(*n, lang)),
            ValueOut::Bool(true) => "có".to_string(),
            ValueOut::Bool(false) => "không".to_string(),
        };
        // Where the threshold applies: `vùng Đồng bằng sông Hồng, năm 2025`.
        let context = i.threshold.map(|_| {
            let mut c = self.zone_phrase(zone);
            if let Some(y) = i.threshold_year {
                c.push_str(", năm ");
                c.push_str(&y.to_string());
            }
            c
        });
        let mut s = String::from(self.measure_name(&i.measure));
        s.push_str(": ");
        match (i.required.as_str(), &i.value, i.op, i.threshold) {
            ("yes", None, _, _) => s.push_str("chưa có số liệu (cần đạt)"),
            ("yes", Some(_), _, _) => s.push_str("không đạt"),
            ("none", None, _, _) => s.push_str("chưa có số liệu (cần không có)"),
            ("none", Some(v), _, _) => {
                s.push_str(&value(v));
                s.push_str(", cần không có");
            }
            (_, None, Some(op), Some(t)) => {
                s.push_str("chưa có số liệu (cần ");
                s.push_str(op_vi(op.as_str()));
                s.push(' ');
                s.push_str(&num_text(t, lang));
                s.push_str(&unit);
                if let Some(c) = &context {
                    s.push_str("; ");
                    s.push_str(c);
                }
                s.push(')');
            }
            (_, Some(v), Some(op), Some(t)) => {
                let v = match v {
                    ValueOut::Num(n) => num_text(*n, lang),
                    other => value(other),
                };
                s.push_str(&v);
                s.push(' ');
                s.push_str(op_vi(op.negated_str()));
                s.push(' ');
                s.push_str(&num_text(t, lang));
                s.push_str(&unit);
                if let Some(c) = &context {
                    s.push_str(" (");
                    s.push_str(c);
                    s.push(')');
                }
            }
            (_, None, _, None) => s.push_str("chưa có số liệu, chưa có ngưỡng áp dụng"),
            (_, Some(v), _, _) => {
                s.push_str(&value(v));
                s.push_str(", chưa có ngưỡng áp dụng");
            }
            (_, None, None, Some(_)) => s.push_str("chưa có số liệu"),
        }
        if !i.verified {
            s.push_str(" — chưa được đối chiếu");
        }
        s
    }

    /// An indicator near its threshold (`--margin`). English:
    /// [`BorderlineRecord::describe`] (`standard:10 income_per_capita 61.2 (>= 60, pass)`).
    /// Vietnamese: `Xã đạt chuẩn nông thôn mới, chỉ tiêu 10: Thu nhập bình quân đầu người khu
    /// vực nông thôn 61,2 triệu đồng/người/năm (≥ 60, đạt)`.
    pub(crate) fn borderline_text(&self, b: &BorderlineRecord) -> String {
        if self.lang == Lang::En {
            return b.describe();
        }
        let unit = self.unit_suffix(&b.measure);
        let status = match b.status {
            Status::Pass => "đạt",
            Status::Fail => "không đạt",
            Status::NoData => "chưa có số liệu",
        };
        format!(
            "{}, chỉ tiêu {}: {} {}{unit} ({} {}{unit}, {status})",
            self.level(&b.level),
            b.indicator,
            self.measure_name(&b.measure),
            num_text(b.value, self.lang),
            op_vi(b.op),
            num_text(b.threshold, self.lang)
        )
    }

    /// A criterion a commune misses: `10 Income` / `10 Thu nhập` (the name in the language).
    pub(crate) fn criterion_head(&self, m: &'a MissingCriterion) -> String {
        format!("{} {}", m.criterion, self.lang.pick(&m.name, &m.name_vi))
    }

    /// A criterion a commune misses with every indicator it misses, in one line, appended to
    /// `s`: `10 Thu nhập: Thu nhập bình quân …: 51 < 55 triệu đồng/người/năm (…)`; indicators
    /// are joined by `; `. In English without a string of its own (the commune table writes
    /// one per criterion not met).
    pub(crate) fn criterion_text_into(&self, m: &MissingCriterion, zone: &str, s: &mut String) {
        s.push_str(&m.criterion);
        s.push(' ');
        s.push_str(self.lang.pick(&m.name, &m.name_vi));
        s.push_str(": ");
        for (k, i) in m.indicators.iter().enumerate() {
            if k > 0 {
                s.push_str("; ");
            }
            match self.lang {
                Lang::En => i.describe_into(zone, s),
                Lang::Vi => s.push_str(&self.indicator_text(i, zone)),
            }
        }
    }

    /// A requirement (`>= 60`, `yes`, `none`) in the language: `≥ 60`, `đạt`, `không có` in
    /// Vietnamese; unchanged in English.
    pub(crate) fn requirement(&self, op: &str, threshold: Option<rust_decimal::Decimal>) -> String {
        match (self.lang, op, threshold) {
            (Lang::En, "yes" | "none", _) => op.to_string(),
            (Lang::En, _, Some(t)) => format!("{op} {}", num_text(t, self.lang)),
            (Lang::En, _, None) => op.to_string(),
            (Lang::Vi, "yes", _) => "đạt".to_string(),
            (Lang::Vi, "none", _) => "không có".to_string(),
            (Lang::Vi, _, Some(t)) => format!("{} {}", op_vi(op), num_text(t, self.lang)),
            (Lang::Vi, _, None) => "chưa có ngưỡng áp dụng".to_string(),
        }
    }
}

/// A comparison for Vietnamese text: `≥`, `≤`, the others as they are.
pub(crate) fn op_vi(op: &str) -> &str {
    match op {
        ">=" => "≥",
        "<=" => "≤",
        other => other,
    }
}

/// A measure's unit in `lang`: `unit` in English; in Vietnamese `unit_vi`, else the
/// Vietnamese of the units the built-in rulesets use, else nothing (an English unit is never
/// put in Vietnamese text).
pub(crate) fn unit_in(m: &Measure, lang: Lang) -> Option<String> {
    match lang {
        Lang::En => m.unit.clone(),
        Lang::Vi => m.unit_vi.clone().or_else(|| {
            m.unit
                .as_deref()
                .and_then(known_unit_vi)
                .map(str::to_string)
        }),
    }
}

/// The Vietnamese of a unit the built-in rulesets spell in English, or `None`.
pub(crate) fn known_unit_vi(unit: &str) -> Option<&'static str> {
    Some(match unit {
        u if u.starts_with('%') => "%",
        "million VND/person/year" => "triệu đồng/người/năm",
        "houses" => "căn nhà",
        "villages" => "thôn",
        _ => return None,
    })
}

/// A legal source reference in `lang`. English: as written. Vietnamese: the reference's
/// words translated one by one, deterministically (`318/QĐ-TTg Annex I, criterion 10,
/// indicator 10.1` → `318/QĐ-TTg Phụ lục I, tiêu chí 10, chỉ tiêu 10.1`); a reference with a
/// word outside that vocabulary is reduced to its decision number and the references that
/// could be read, followed by `(căn cứ chi tiết bằng tiếng Anh trong bộ tiêu chí)`, never
/// shown half in English.
pub(crate) fn source_text(source: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return source.to_string();
    }
    // Longest phrases first.
    const PHRASES: [(&str, &str); 17] = [
        (
            "(indicator number not known)",
            "(chưa rõ số thứ tự chỉ tiêu)",
        ),
        (
            "first indicator (number not given)",
            "chỉ tiêu thứ nhất (không ghi số)",
        ),
        (
            "second indicator (number not given)",
            "chỉ tiêu thứ hai (không ghi số)",
        ),
        (
            "third indicator (number not given)",
            "chỉ tiêu thứ ba (không ghi số)",
        ),
        (
            "fourth indicator (number not given)",
            "chỉ tiêu thứ tư (không ghi số)",
        ),
        ("(pilot framework)", "(khung thí điểm)"),
        ("targets by", "mục tiêu đến năm"),
        ("Annex", "Phụ lục"),
        ("Article", "Điều"),
        ("Clause", "Khoản"),
        ("Point", "Điểm"),
        ("criterion", "tiêu chí"),
        ("indicator", "chỉ tiêu"),
        ("condition", "điều kiện"),
        ("item", "chỉ tiêu"),
        ("Resolution", "Nghị quyết"),
        ("Decision", "Quyết định"),
    ];
    let mut out = source.to_string();
    let mut probe = source.to_string();
    for (en, vi) in PHRASES {
        out = replace_word(&out, en, vi);
        probe = replace_word(&probe, en, " ");
    }
    if has_english_word(&probe) {
        // Keep what reads as a reference: the leading decision number.
        let head = source
            .split([' ', ',', ':', '('])
            .next()
            .filter(|h| h.contains('/'))
            .unwrap_or("");
        if head.is_empty() {
            return "căn cứ ghi bằng tiếng Anh trong bộ tiêu chí".to_string();
        }
        return format!("{head} (căn cứ chi tiết ghi bằng tiếng Anh trong bộ tiêu chí)");
    }
    out
}

/// `s` with every whole-word `from` replaced by `to`.
fn replace_word(s: &str, from: &str, to: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(k) = rest.find(from) {
        let before_ok = rest[..k]
            .chars()
            .next_back()
            .is_none_or(|c| !c.is_alphanumeric());
        let after = &rest[k + from.len()..];
        let after_ok = after.chars().next().is_none_or(|c| !c.is_alphabetic());
        out.push_str(&rest[..k]);
        out.push_str(if before_ok && after_ok { to } else { from });
        rest = after;
    }
    out.push_str(rest);
    out
}

/// Does `s` hold a word of three or more ASCII letters that is not an abbreviation of a
/// legal text (`QĐ-TTg`, `UBND`, `NTM`, roman numerals)?
fn has_english_word(s: &str) -> bool {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3 && w.chars().all(|c| c.is_ascii_alphabetic()))
        .any(|w| {
            let upper = w.chars().all(|c| c.is_ascii_uppercase());
            !(upper || w == "TTg" || w == "CP" || w == "QH")
        })
}

/// Why a built-in ruleset was chosen (`year column 2025`, `--year 2026`, `today 2026-12-02`)
/// in `lang`: `cột năm 2025`, `--year 2026`, `ngày hôm nay 2026-12-02`.
pub(crate) fn chosen_by_text(by: &str, lang: Lang) -> String {
    if lang == Lang::En {
        return by.to_string();
    }
    for (en, vi) in [("year column", "cột năm"), ("today", "ngày hôm nay")] {
        if let Some(rest) = by.strip_prefix(en) {
            return format!("{vi}{rest}");
        }
    }
    by.to_string()
}

#[cfg(test)]
mod tests;
