//! Template columns map back to the fields they stand for; title and hint rows name nothing.

use super::*;
use crate::data::columns::{IDENTITY, map_headers};
use crate::ruleset::{builtin, load_str};

fn rulesets() -> Vec<Ruleset> {
    let mut all: Vec<(String, String)> = builtin::BUILTIN
        .iter()
        .map(|(_, path, text)| (path.to_string(), text.to_string()))
        .collect();
    all.push((
        "examples/ruleset.toml".into(),
        include_str!("../../../examples/ruleset.toml").into(),
    ));
    all.iter()
        .map(|(path, text)| load_str(text, path).0.expect("ruleset loads"))
        .collect()
}

#[test]
fn every_header_maps_back_to_its_own_field() {
    for rs in rulesets() {
        for lang in [Lang::Vi, Lang::En] {
            let cols = columns(&rs, lang);
            let headers: Vec<String> = cols.iter().map(|c| c.header.clone()).collect();
            let (mapped, diags) = map_headers(&headers, &rs, false, "t", 3);
            assert!(diags.is_empty(), "{} {lang:?}: {diags:?}", rs.id);
            assert!(mapped.unknown.is_empty(), "{:?}", mapped.unknown);
            let first_measure = cols.len() - rs.measures.len();
            for (i, at) in mapped.measures.iter().enumerate() {
                assert_eq!(
                    *at,
                    Some(first_measure + i),
                    "{} {}",
                    rs.id,
                    rs.measures[i].id
                );
            }
            let idents = mapped.ident.iter().flatten().count();
            assert_eq!(idents, first_measure, "{} {lang:?}", rs.id);
            // Every identity column but the other zoning's (and, for groups, the district:
            // districts were abolished in July 2025).
            let expected = match rs.zoning {
                Zoning::Region => IDENTITY.len() - 1,
                Zoning::Group => IDENTITY.len() - 2,
            };
            assert_eq!(idents, expected, "{} {lang:?}", rs.id);
        }
    }
}

#[test]
fn title_and_hint_rows_name_no_column() {
    for rs in rulesets() {
        for lang in [Lang::Vi, Lang::En] {
            let cols = columns(&rs, lang);
            let hints: Vec<String> = cols.iter().map(|c| c.hint.clone()).collect();
            let (mapped, _) = map_headers(&hints, &rs, true, "t", 2);
            assert!(mapped.measures.iter().all(Option::is_none), "{hints:?}");
            assert!(mapped.ident.iter().all(Option::is_none), "{hints:?}");
            let (mapped, _) = map_headers(&[title(&rs, lang)], &rs, true, "t", 1);
            assert!(mapped.measures.iter().all(Option::is_none));
        }
    }
}

#[test]
fn vietnamese_headers_are_the_measures_vietnamese_labels() {
    let rs = &rulesets()[1];
    let cols = columns(rs, Lang::Vi);
    assert_eq!(cols[0].header, "Mã xã");
    let m = &rs.measures[0];
    let col = cols
        .iter()
        .find(|c| c.header == m.name_vi)
        .expect("measure column");
    assert!(!col.hint.is_empty());
}

#[test]
fn csv_has_a_bom_then_title_hint_and_header_rows_of_equal_width() {
    let rs = &rulesets()[3];
    let bytes = csv(rs, Lang::Vi).expect("csv");
    let text =
        std::str::from_utf8(bytes.strip_prefix(b"\xEF\xBB\xBF").expect("bom")).expect("utf-8");
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let rows: Vec<csv::StringRecord> = rdr.records().map(|r| r.expect("record")).collect();
    assert_eq!(rows.len(), 3);
    let width = columns(rs, Lang::Vi).len();
    assert!(rows.iter().all(|r| r.len() == width));
    assert_eq!(&rows[2][0], "Mã xã");
}

/// The xlsx template's entry check on percent columns agrees with the reader: a cell shown as
/// a percentage is read as shown (0–100 %), any other cell is a percentage written without a
/// sign and a value in (0, 1] there is refused (ntm refuses such a column).
#[test]
fn the_percent_entry_check_says_what_the_reader_reads() {
    use std::io::Read as _;
    let rs = load_str(
        include_str!("../../../examples/ruleset.toml"),
        "examples/ruleset.toml",
    )
    .0
    .expect("ruleset");
    let bytes = xlsx(&rs, Lang::Vi).expect("xlsx");
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes)).expect("zip");
    let mut sheet = String::new();
    zip.by_name("xl/worksheets/sheet1.xml")
        .expect("sheet")
        .read_to_string(&mut sheet)
        .expect("read");
    let cols = columns(&rs, Lang::Vi);
    let percent: Vec<usize> = cols
        .iter()
        .enumerate()
        .filter(|(_, c)| c.kind == Some(MeasureKind::Percent))
        .map(|(i, _)| i)
        .collect();
    assert!(!percent.is_empty());
    for i in percent {
        let c = column_number_to_name(i as u16);
        let rule = format!(
            "AND(ISNUMBER({c}4),{c}4&gt;=0,IF(LEFT(CELL(\"format\",{c}4),1)=\"P\",{c}4&lt;=1,OR({c}4=0,AND({c}4&gt;1,{c}4&lt;=100))))"
        );
        let rule_q = rule.replace('"', "&quot;");
        assert!(
            sheet.contains(&rule) || sheet.contains(&rule_q),
            "no percent check on column {c}: {sheet}"
        );
    }
    assert!(
        !sheet.contains("type=\"decimal\""),
        "a 0–100 decimal check is left"
    );
}
