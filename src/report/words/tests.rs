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
