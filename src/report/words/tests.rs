//! Tests of the words for people.

use super::*;

#[test]
fn sources_translate_word_by_word() {
    assert_eq!(
        source_text("318/QĐ-TTg Annex I, criterion 10, indicator 10.1", Lang::Vi),
        "318/QĐ-TTg Phụ lục I, tiêu chí 10, chỉ tiêu 10.1"
    );
    assert_eq!(
        source_text("318/QĐ-TTg Article 1, condition 2", Lang::Vi),
        "318/QĐ-TTg Điều 1, điều kiện 2"
    );
    assert_eq!(
        source_text(
            "318/QĐ-TTg Annex II, criterion 3 (indicator number not known)",
            Lang::Vi
        ),
        "318/QĐ-TTg Phụ lục II, tiêu chí 3 (chưa rõ số thứ tự chỉ tiêu)"
    );
    // English stays as written.
    assert_eq!(
        source_text("318/QĐ-TTg Annex I, criterion 10", Lang::En),
        "318/QĐ-TTg Annex I, criterion 10"
    );
}

#[test]
fn a_source_with_other_english_is_not_shown_half_translated() {
    assert_eq!(
        source_text(
            "263/QĐ-TTg (22/02/2022) Article 1, targets by 2025; Resolution 25/2021/QH15",
            Lang::Vi
        ),
        "263/QĐ-TTg (22/02/2022) Điều 1, mục tiêu đến năm 2025; Nghị quyết 25/2021/QH15"
    );
    assert_eq!(
        source_text(
            "1689/QĐ-TTg: about 80 % of communes meet the NTM standard [S1, S2]",
            Lang::Vi
        ),
        "1689/QĐ-TTg (căn cứ chi tiết ghi bằng tiếng Anh trong bộ tiêu chí)"
    );
    let s = source_text("Example value, not from a provincial decision", Lang::Vi);
    assert_eq!(s, "căn cứ ghi bằng tiếng Anh trong bộ tiêu chí");
}

#[test]
fn the_year_choice_is_said_in_vietnamese() {
    assert_eq!(chosen_by_text("year column 2025", Lang::Vi), "cột năm 2025");
    assert_eq!(
        chosen_by_text("today 2026-12-02", Lang::Vi),
        "ngày hôm nay 2026-12-02"
    );
    assert_eq!(chosen_by_text("--year 2026", Lang::Vi), "--year 2026");
    assert_eq!(
        chosen_by_text("year column 2025", Lang::En),
        "year column 2025"
    );
}

#[test]
fn units_fall_back_to_known_words_or_nothing() {
    assert_eq!(known_unit_vi("% of km"), Some("%"));
    assert_eq!(
        known_unit_vi("million VND/person/year"),
        Some("triệu đồng/người/năm")
    );
    assert_eq!(known_unit_vi("tonnes"), None);
}

/// Every ruleset shipped with ntm: the built-in sets and the example.
fn shipped() -> Vec<Ruleset> {
    let mut texts: Vec<(&str, &str)> = crate::ruleset::builtin::BUILTIN
        .iter()
        .map(|(_, path, text)| (*path, *text))
        .collect();
    texts.push((
        "examples/ruleset.toml",
        include_str!("../../../examples/ruleset.toml"),
    ));
    texts
        .into_iter()
        .map(|(path, text)| {
            crate::ruleset::load::load_str(text, path)
                .0
                .unwrap_or_else(|| panic!("{path} loads"))
        })
        .collect()
}

#[test]
fn every_unit_of_a_shipped_ruleset_has_vietnamese() {
    for rs in shipped() {
        for m in &rs.measures {
            if m.unit.is_some() {
                let vi = unit_in(m, Lang::Vi);
                assert!(
                    vi.is_some(),
                    "{}: unit of {} has no Vietnamese",
                    rs.id,
                    m.id
                );
            }
        }
    }
}

#[test]
fn unit_vi_is_what_vietnamese_text_shows() {
    let mut rs = shipped().remove(1);
    let k = rs
        .measures
        .iter()
        .position(|m| m.id == "income_per_capita")
        .expect("income measure");
    rs.measures[k].unit = Some("tonnes".into());
    let words = Words::new(&rs, Lang::Vi);
    assert_eq!(words.unit_suffix("income_per_capita"), "");
    rs.measures[k].unit_vi = Some("tấn".into());
    let words = Words::new(&rs, Lang::Vi);
    assert_eq!(words.unit_suffix("income_per_capita"), " tấn");
    assert_eq!(
        unit_in(&rs.measures[k], Lang::En).as_deref(),
        Some("tonnes")
    );
}

fn missing(
    measure: &str,
    value: Option<ValueOut>,
    op: Option<crate::ruleset::model::Op>,
) -> MissingIndicator {
    use rust_decimal::Decimal;
    MissingIndicator {
        id: "10".into(),
        measure: measure.into(),
        value,
        required: match op {
            Some(_) => ">= 55".into(),
            None => "yes".into(),
        },
        threshold: op.map(|_| Decimal::new(55, 0)),
        threshold_year: op.map(|_| 2025),
        status: match value {
            None => crate::eval::Status::NoData,
            Some(_) => crate::eval::Status::Fail,
        },
        verified: false,
        op,
    }
}

#[test]
fn a_missing_indicator_reads_as_a_vietnamese_sentence() {
    use crate::ruleset::model::Op;
    use rust_decimal::Decimal;
    let rs = shipped().remove(1);
    let vi = Words::new(&rs, Lang::Vi);
    let i = missing(
        "income_per_capita",
        Some(ValueOut::Num(Decimal::new(512, 1))),
        Some(Op::Ge),
    );
    assert_eq!(
        vi.indicator_text(&i, "RRD"),
        "Thu nhập bình quân đầu người khu vực nông thôn: 51,2 < 55 triệu đồng/người/năm \
         (vùng Đồng bằng sông Hồng, năm 2025) — chưa được đối chiếu"
    );
    // English is what it always was.
    let en = Words::new(&rs, Lang::En);
    assert_eq!(en.indicator_text(&i, "RRD"), i.describe("RRD"));
    let i = missing("income_per_capita", None, Some(Op::Ge));
    assert_eq!(
        vi.indicator_text(&i, "MRD"),
        "Thu nhập bình quân đầu người khu vực nông thôn: chưa có số liệu (cần ≥ 55 triệu \
         đồng/người/năm; vùng Đồng bằng sông Cửu Long, năm 2025) — chưa được đối chiếu"
    );
    let i = missing("market_met", Some(ValueOut::Bool(false)), None);
    assert_eq!(
        vi.indicator_text(&i, "RRD"),
        "Xã có chợ nông thôn hoặc nơi mua bán, trao đổi hàng hóa: không đạt — chưa được đối chiếu"
    );
    let i = missing("market_met", None, None);
    assert!(
        vi.indicator_text(&i, "RRD")
            .ends_with(": chưa có số liệu (cần đạt) — chưa được đối chiếu")
    );
}

#[test]
fn commune_groups_are_named_by_their_short_name_in_a_sentence() {
    let rs = shipped().remove(2);
    let vi = Words::new(&rs, Lang::Vi);
    assert_eq!(vi.zone_phrase("1"), "Nhóm 1");
    assert!(vi.zone("1").starts_with("Nhóm 1: xã giáp ranh"));
    assert_eq!(vi.level("standard"), "Xã đạt chuẩn nông thôn mới");
    assert_eq!(Words::new(&rs, Lang::En).level("standard"), "standard");
}
