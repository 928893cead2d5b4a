//! Golden figures of `ntm summary` on a fixture province, worked out by hand.
//!
//! Fixture: tests/fixtures/summary/ruleset.toml (made up: 12 standard criteria, criterion 2 with
//! two indicators and criterion 10 income ≥ 60 in RRD, so 13 indicators; advanced: a1, income
//! ≥ 70 in RRD, a3; model: m1) and tests/fixtures/summary/communes.csv: 15 communes of three
//! districts, all in the Red River Delta (RRD), named "Xã TH-1" … (no code column: they are
//! not real communes). "all" = every standard cell `Đạt`.
//!
//! | commune | standard fails           | crit. met | income | a1 a3 | m1    | level    |
//! |---------|--------------------------|-----------|--------|-------|-------|----------|
//! | TH-1    | —                        | 12        | 80     | ✓ ✓   | ✓     | model    |
//! | TH-2    | —                        | 12        | 75     | ✓ ✓   | ✗     | advanced |
//! | TH-3    | —                        | 12        | 65 (<70)| ✓ ✗  | ✗     | standard |
//! | TH-4    | —                        | 12        | 72     | ✗ ✓   | ✗     | standard |
//! | TH-5    | 5                        | 11        | 62     | ✗ ✗   | ✗     | —        |
//! | TH-6    | 5, 7                     | 10        | 61     | ✗ ✗   | ✗     | —        |
//! | KM-1    | —                        | 12        | 80     | ✓ ✓   | ✓     | model    |
//! | KM-2    | —                        | 12        | 78     | ✓ ✓   | empty | advanced |
//! | KM-3    | —                        | 12        | 68 (<70)| ✓ ✗  | ✗     | standard |
//! | KM-4    | —                        | 12        | 60 (<70)| ✗ ✗  | ✗     | standard |
//! | KM-5    | —                        | 12        | 71     | ✓ ✓   | ✗     | advanced |
//! | CL-1    | 5, 10 (55 < 60), 12      | 9         | 55     | ✗ ✗   | ✗     | —        |
//! | CL-2    | 3 empty (no data)        | 11        | 64     | ✗ ✗   | ✗     | —        |
//! | CL-3    | 1, 2 (2.1), 4, 6, 8, 9, 11 | 5       | 61     | ✗ ✗   | ✗     | —        |
//! | CL-4    | 4, 5, 6, 8, 9            | 7         | 63     | ✗ ✗   | ✗     | —        |
//!
//! Communes at each level (reached, cumulative; percent cut to one decimal):
//! - total 15: standard 9 (TH-1..4, KM-1..5) = 60.0 %; advanced 5 (TH-1, TH-2, KM-1, KM-2,
//!   KM-5) = 33.3 %; model 2 (TH-1, KM-1) = 13.3 %; no level 6.
//!   Highest level: standard 9 − 5 = 4, advanced 5 − 2 = 3, model 2; 4 + 3 + 2 + 6 = 15.
//! - Huyện Thanh Hà 6: standard 4 = 66.6 % (66.66…, cut, not 66.7), advanced 2 = 33.3 %,
//!   model 1 = 16.6 %.
//! - Huyện Kinh Môn 5: 5 = 100.0 %, 3 = 60.0 %, 1 = 20.0 %.
//! - Huyện Chí Linh 4: 0, 0, 0; no level 4.
//!
//! Averages per commune (total), rounded to 2 decimals:
//! - standard criteria: 9 × 12 + 11 + 10 + 9 + 11 + 5 + 7 = 161 → 161/15 = 10.733 → 10.73;
//!   indicators (13 each when all met): 9 × 13 + 12 + 11 + 10 + 12 + 6 (CL-3 meets 2.2)
//!   + 8 = 176 → 11.73.
//! - advanced criteria (= indicators, one each): TH-1 3, TH-2 3, TH-3 1, TH-4 2, KM-1 3,
//!   KM-2 3, KM-3 1, KM-4 0, KM-5 3, the six others 0 → 19/15 = 1.2667 → 1.27.
//! - model: TH-1 and KM-1 → 2/15 = 0.13.
//!
//! Distribution of standard criteria met (12 criteria: cuts ⌈12/2⌉ = 6 and 12 − 4 = 8):
//! under 6: CL-3 (5) = 1; 6–7: CL-4 (7) = 1; 8–11: TH-5, TH-6, CL-1, CL-2 = 4; all 12: 9.
//! Advanced (3 criteria: under 2, 2, all 3): 0–1: 9; 2: TH-4 = 1; 3: 5.
//!
//! No data: standard: CL-2 (criterion 3 empty, not reached) = 1; advanced 0; model: KM-2 = 1.
//!
//! Most missed (among communes whose next level it is):
//! - standard, 6 candidates (TH-5, TH-6, CL-1..4): 5 failed by TH-5, TH-6, CL-1, CL-4 = 4;
//!   then 2 each in ruleset order 4, 6, 8, 9 (CL-3, CL-4); then 1 each: 1, 2, 7, 10, 11, 12;
//!   last criterion 3 (no data only, CL-2).
//! - advanced, 4 candidates (TH-3, TH-4, KM-3, KM-4): 2 (income) failed by TH-3, KM-3, KM-4
//!   = 3; 3 by TH-3, KM-3, KM-4 = 3 (after 2: ruleset order); 1 by TH-4, KM-4 = 2.
//! - model, 3 candidates (TH-2, KM-2, KM-5): 1 failed 2, no data 1.
//!
//! Targets (built-in 263/QĐ-TTg): standard ≥ 80 % of 15 = 12 needed, 9 reached → short by
//! 3; advanced ≥ 40 % → 6 needed, short by 1; model ≥ 10 % → 1.5 → 2 needed, 2 reached →
//! met; RRD standard 100 % → 15 needed, short by 6; NMM: no communes in scope, not met.
//!
//! Roll-ups by district (320/QĐ-TTg: 100 % NTM and ≥ ⌈n/10⌉ advanced): Chí Linh 0/4 → not
//! met; Kinh Môn 5/5 NTM and 3 ≥ 1 advanced → met; Thanh Hà 4/6 → not met.

use serde_json::Value;

fn run(args: &[&str]) -> (i32, String, String) {
    use clap::Parser;
    let mut argv = vec![
        "ntm",
        "summary",
        "--rules",
        "tests/fixtures/summary/ruleset.toml",
        "tests/fixtures/summary/communes.csv",
    ];
    argv.extend_from_slice(args);
    let cli = ntm::cli::Cli::try_parse_from(argv).expect("arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = ntm::run(cli, &mut out, &mut err).expect("runs") as i32;
    let text = |b: Vec<u8>| String::from_utf8(b).expect("utf-8");
    (code, text(out), text(err))
}

fn json(args: &[&str]) -> Value {
    let mut a = vec!["--format", "json"];
    a.extend_from_slice(args);
    let (code, out, err) = run(&a);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("json")
}

/// `[reached, highest, no_data, candidates]` of each level.
fn counts(g: &Value) -> Vec<[u64; 4]> {
    g["levels"]
        .as_array()
        .expect("levels")
        .iter()
        .map(|l| {
            let n = |k: &str| l[k].as_u64().expect("count");
            [n("reached"), n("highest"), n("no_data"), n("candidates")]
        })
        .collect()
}

fn text(v: &Value) -> String {
    v.to_string()
}

#[test]
fn levels_shares_and_no_level_by_district() {
    let d = json(&["--by", "district"]);
    let t = &d["total"];
    assert_eq!(t["communes"], 15);
    assert_eq!(t["no_level"], 6);
    assert_eq!(t["unverified"], 0);
    assert_eq!(counts(t), [[9, 4, 1, 6], [5, 3, 0, 4], [2, 2, 1, 3]]);
    let shares: Vec<String> = t["levels"]
        .as_array()
        .expect("levels")
        .iter()
        .map(|l| text(&l["share"]))
        .collect();
    assert_eq!(shares, ["60.0", "33.3", "13.3"]);

    let groups: Vec<(String, u64, Vec<String>)> = d["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            (
                g["group"].as_str().expect("name").to_string(),
                g["communes"].as_u64().expect("n"),
                g["levels"]
                    .as_array()
                    .expect("levels")
                    .iter()
                    .map(|l| format!("{}={}", l["reached"], text(&l["share"])))
                    .collect(),
            )
        })
        .collect();
    let s = |v: &[&str]| v.iter().map(|x| x.to_string()).collect::<Vec<_>>();
    assert_eq!(
        groups,
        [
            ("Huyện Chí Linh".into(), 4, s(&["0=0.0", "0=0.0", "0=0.0"])),
            (
                "Huyện Kinh Môn".into(),
                5,
                s(&["5=100.0", "3=60.0", "1=20.0"])
            ),
            (
                "Huyện Thanh Hà".into(),
                6,
                s(&["4=66.6", "2=33.3", "1=16.6"])
            ),
        ]
    );
    // Every commune is in exactly one group.
    let sum: u64 = d["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| g["communes"].as_u64().expect("n"))
        .sum();
    assert_eq!(sum, 15);
}

#[test]
fn averages_and_distribution() {
    let d = json(&[]);
    let levels = d["total"]["levels"].as_array().expect("levels");
    let avg: Vec<(String, String)> = levels
        .iter()
        .map(|l| (text(&l["avg_criteria_met"]), text(&l["avg_indicators_met"])))
        .collect();
    assert_eq!(
        avg,
        [
            ("10.73".into(), "11.73".into()),
            ("1.27".into(), "1.27".into()),
            ("0.13".into(), "0.13".into())
        ]
    );
    assert_eq!(levels[0]["bands"], serde_json::json!([1, 1, 4, 9]));
    assert_eq!(levels[1]["bands"], serde_json::json!([9, 1, 5]));
    assert_eq!(levels[2]["bands"], serde_json::json!([13, 2]));
    assert_eq!(
        d["levels"][0]["bands"],
        serde_json::json!([
            {"from": 0, "to": 5}, {"from": 6, "to": 7}, {"from": 8, "to": 11}, {"from": 12, "to": 12}
        ])
    );
    // Without --by there are no groups, only the total.
    assert_eq!(d["groups"], serde_json::json!([]));
}

#[test]
fn most_missed_ranking() {
    let d = json(&[]);
    let ranked = |li: usize| -> Vec<String> {
        d["total"]["levels"][li]["most_missed"]
            .as_array()
            .expect("most_missed")
            .iter()
            .map(|m| {
                format!(
                    "{}:{}/{}",
                    m["criterion"].as_str().expect("id"),
                    m["fail"],
                    m["no_data"]
                )
            })
            .collect()
    };
    assert_eq!(
        ranked(0),
        [
            "5:4/0", "4:2/0", "6:2/0", "8:2/0", "9:2/0", "1:1/0", "2:1/0", "7:1/0", "10:1/0",
            "11:1/0", "12:1/0", "3:0/1"
        ]
    );
    assert_eq!(ranked(1), ["2:3/0", "3:3/0", "1:2/0"]);
    assert_eq!(ranked(2), ["1:2/1"]);
}

#[test]
fn builtin_targets_short_by() {
    let d = json(&["--targets", "targets-2021-2025"]);
    let checks: Vec<String> = d["targets"]["checks"]
        .as_array()
        .expect("checks")
        .iter()
        .map(|c| {
            format!(
                "{}@{}:{}/{} needs {} met={} short={}",
                c["level"].as_str().expect("level"),
                c["zone"].as_str().unwrap_or("all"),
                c["reached"],
                c["communes"],
                c["needed"],
                c["met"],
                c["short_by"]
            )
        })
        .collect();
    assert_eq!(
        &checks[..5],
        [
            "standard@all:9/15 needs 12 met=false short=3",
            "advanced@all:5/15 needs 6 met=false short=1",
            "model@all:2/15 needs 2 met=true short=0",
            "standard@NMM:0/0 needs 0 met=false short=0",
            "standard@RRD:9/15 needs 15 met=false short=6",
        ]
    );
}

#[test]
fn district_rollup_commune_conditions() {
    let d = json(&["--by", "district"]);
    let r = &d["rollups"];
    assert_eq!(r["rule"], "district_ntm_2021");
    assert_eq!(r["commune_conditions_only"], true);
    let got: Vec<String> = r["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            format!(
                "{} {}/{} {}>={} {}",
                g["group"].as_str().expect("name"),
                g["standard"],
                g["communes"],
                g["higher"],
                g["higher_needed"],
                g["met"]
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "Huyện Chí Linh 0/4 0>=1 false",
            "Huyện Kinh Môn 5/5 3>=1 true",
            "Huyện Thanh Hà 4/6 2>=1 false"
        ]
    );
    // Grouping by another column: no roll-up rule applies.
    assert_eq!(json(&["--by", "cluster"])["rollups"], Value::Null);
}

#[test]
fn any_column_groups_and_empty_cells_form_their_own_group() {
    // cluster: Bắc = TH-1..6 and KM-1..5 (11, of which 9 NTM: 81.8 %); Nam = CL-1, CL-2;
    // empty = CL-3, CL-4 (the null group, sorted first).
    let d = json(&["--by", "cluster"]);
    let got: Vec<String> = d["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            format!(
                "{}:{}:{}",
                g["group"],
                g["communes"],
                text(&g["levels"][0]["share"])
            )
        })
        .collect();
    assert_eq!(got, ["null:2:0.0", "\"Bắc\":11:81.8", "\"Nam\":2:0.0"]);
}

#[test]
fn vietnamese_table_prints_vietnamese_numbers() {
    let (code, out, _) = run(&["--by", "district", "--lang", "vi"]);
    assert_eq!(code, 0);
    assert!(out.contains("4/6 (66,6%)"), "{out}");
    assert!(out.contains("9/15 (60,0%)"), "{out}");
    assert!(out.contains("10,7 / 11,7"), "{out}");
    let (_, en, _) = run(&["--by", "district", "--lang", "en"]);
    assert!(en.contains("4/6 (66.6%)"), "{en}");
}

fn report(file: &str, args: &[&str]) -> String {
    use clap::Parser;
    let mut argv = vec![
        "ntm",
        "report",
        "--rules",
        "tests/fixtures/summary/ruleset.toml",
        file,
        "-o",
        "-",
    ];
    argv.extend_from_slice(args);
    let cli = ntm::cli::Cli::try_parse_from(argv).expect("arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = ntm::run(cli, &mut out, &mut err).expect("runs");
    assert_eq!(
        code,
        ntm::Exit::Success,
        "{}",
        String::from_utf8_lossy(&err)
    );
    String::from_utf8(out).expect("utf-8")
}

#[test]
fn report_shows_the_hand_worked_figures_and_every_commune() {
    let html = report(
        "tests/fixtures/summary/communes.csv",
        &["--by", "district", "--lang", "vi"],
    );
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(html.contains("<html lang=\"vi\">"));
    assert!(html.contains("<strong id=\"communes\">15</strong>"));
    assert!(html.contains("<td class=\"n\" data-level=\"standard\">9/15 (60,0%)</td>"));
    assert!(html.contains("<td class=\"n\" data-level=\"standard\">4/6 (66,6%)</td>"));
    assert!(html.contains("<td class=\"n\" data-level=\"model\">2/15 (13,3%)</td>"));
    // Chart: the total's bar has 6 + 4 + 3 + 2 communes by highest level, and its segments
    // fill the 560-pixel bar exactly: 6 → 224, 10 → 373, 13 → 485, 15 → 560.
    for seg in [
        "<rect x=\"200\" y=\"89\" width=\"224\"",
        "<rect x=\"424\" y=\"89\" width=\"149\"",
        "<rect x=\"573\" y=\"89\" width=\"112\"",
        "<rect x=\"685\" y=\"89\" width=\"75\"",
    ] {
        assert!(html.contains(seg), "{seg}");
    }
    // Every commune once, in input order, with what it misses: CL-1 misses criteria 5, 10
    // and 12 of the standard level.
    let names = [
        "TH-1", "TH-2", "TH-3", "TH-4", "TH-5", "TH-6", "KM-1", "KM-2", "KM-3",
    ]
    .into_iter()
    .chain(["KM-4", "KM-5", "CL-1", "CL-2", "CL-3", "CL-4"]);
    for (i, n) in names.enumerate() {
        let row = format!(
            "<tr><td class=\"n\">{}</td><td class=\"code\"></td><td class=\"name\">Xã {n}</td>",
            i + 1
        );
        assert_eq!(html.matches(&row).count(), 1, "{row}");
    }
    // In Vietnamese: per criterion, the measure by its name, value and requirement, the
    // region by its name (the page once said `income 55 < 60 required (RRD)`).
    assert!(html.contains(
        "<li><strong>10 Thu nhập</strong><ul><li>Thu nhập bình quân đầu người: 55 &lt; 60 (vùng Đồng bằng sông Hồng)</li></ul></li>"
    ));
    assert!(!html.contains("required"));
    // Roll-up shown as commune conditions, with the caveat.
    assert!(html.contains("đạt: 5/5 xã NTM (cần tất cả), 3 xã nâng cao (cần ≥ 1)"));
    assert!(html.contains("không phải là công nhận"));
    // Self-contained: no script, no external resource, print styles.
    assert!(!html.contains("<script"));
    assert!(!html.contains("src="));
    assert!(!html.contains("<link"));
    assert!(html.contains("@media print"));
}

#[test]
fn report_escapes_markup_from_the_data() {
    let html = report(
        "tests/fixtures/summary/injection.csv",
        &["--by", "district", "--lang", "en"],
    );
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<b>"), "{html}");
    assert!(html.contains("&lt;script&gt;console.error(&#39;ntm-injected&#39;)&lt;/script&gt;"));
    assert!(html.contains("&lt;b&gt;Huyện&lt;/b&gt; &quot;X&quot; &amp; Y"));
}

#[test]
fn compare_sets_reported_figures_beside_computed_ones() {
    // reported.csv, by hand against the figures above: Thanh Hà standard 4/6 (same);
    // Thanh Hà advanced ("Xã NTM nâng cao", a level name) 3 reported, 2 computed (differs);
    // Kinh Môn standard 5/5 (same); Chí Linh 0 NTM of 5 reported, 4 communes in the data
    // (differs); Tứ Kỳ is not in the data (differs); total standard 9/15 and model 2
    // (same). 3 of 7 differ → exit 1.
    let (code, out, err) = run(&[
        "--by",
        "district",
        "--format",
        "json",
        "--compare",
        "tests/fixtures/summary/reported.csv",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("3 of 7 reported figure(s) differ"), "{err}");
    let d: Value = serde_json::from_str(&out).expect("json");
    let c = &d["compare"];
    assert_eq!(c["differences"], 3);
    let rows: Vec<String> = c["rows"]
        .as_array()
        .expect("rows")
        .iter()
        .map(|r| {
            format!(
                "{} {} {}/{} vs {}/{} {}",
                r["group"].as_str().unwrap_or("total"),
                r["level"].as_str().expect("level"),
                r["computed"],
                r["computed_total"],
                r["reported"],
                r["reported_total"],
                r["same"]
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            "Huyện Thanh Hà standard 4/6 vs 4/6 true",
            "Huyện Thanh Hà advanced 2/6 vs 3/6 false",
            "Huyện Kinh Môn standard 5/5 vs 5/5 true",
            "Huyện Chí Linh standard 0/4 vs 0/5 false",
            "Huyện Tứ Kỳ standard null/null vs 3/null false",
            "total standard 9/15 vs 9/15 true",
            "total model 2/15 vs 2/null true",
        ]
    );
    let (code, _, _) = run(&[
        "--by",
        "district",
        "--compare",
        "tests/fixtures/summary/reported-ok.csv",
    ]);
    assert_eq!(code, 0);
}

/// Province roll-up (51/2025/QĐ-TTg Annex III: 100 % of communes NTM and ≥ 10 % modern) on
/// tests/fixtures/summary/communes-2030.csv, worked out by hand:
/// - Thành phố Hải Phòng: 10 communes, all NTM, HP-1 modern; ⌈10/10⌉ = 1 needed → met.
/// - Tỉnh Hưng Yên: 11 communes, all NTM, HY-1 modern; ⌈11/10⌉ = 2 needed → not met.
/// - Tỉnh Ninh Bình: 3 communes, NB-3 fails criterion 2 → 2/3 NTM → not met although NB-1
///   is modern (1 ≥ ⌈3/10⌉ = 1).
///
/// By commune group: 1 = HP-1..4 (4), 2 = HP-5..10 and HY-1..11 (17), 3 = NB-1..3 (3).
#[test]
fn province_rollup_under_the_2026_2030_rule() {
    use clap::Parser;
    let args = |by: &str| {
        vec![
            "ntm".to_string(),
            "summary".into(),
            "--rules".into(),
            "tests/fixtures/summary/ruleset-2030.toml".into(),
            "tests/fixtures/summary/communes-2030.csv".into(),
            "--by".into(),
            by.into(),
            "--format".into(),
            "json".into(),
        ]
    };
    let json = |by: &str| -> Value {
        let cli = ntm::cli::Cli::try_parse_from(args(by)).expect("arguments parse");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = ntm::run(cli, &mut out, &mut err).expect("runs");
        assert_eq!(
            code,
            ntm::Exit::Success,
            "{}",
            String::from_utf8_lossy(&err)
        );
        serde_json::from_slice(&out).expect("json")
    };
    let d = json("province");
    assert_eq!(d["rollups"]["rule"], "province_completed_2026");
    assert_eq!(d["rollups"]["higher_level"], "modern");
    let got: Vec<String> = d["rollups"]["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| {
            format!(
                "{} {}/{} {}>={} {}",
                g["group"].as_str().expect("name"),
                g["standard"],
                g["communes"],
                g["higher"],
                g["higher_needed"],
                g["met"]
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            "Thành phố Hải Phòng 10/10 1>=1 true",
            "Tỉnh Hưng Yên 11/11 1>=2 false",
            "Tỉnh Ninh Bình 2/3 1>=1 false"
        ]
    );
    // Grouped by the commune group (the zone): counts, and no roll-up rule.
    let d = json("group");
    let got: Vec<String> = d["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| format!("{}:{}", g["group"].as_str().expect("zone"), g["communes"]))
        .collect();
    assert_eq!(got, ["1:4", "2:17", "3:3"]);
    assert_eq!(d["rollups"], Value::Null);
}

#[test]
fn spellings_of_one_name_are_one_group_and_other_tones_are_not() {
    // spellings.csv: S-1 "Huyện Thanh Hà", S-2 "huyện  thanh hà" (case, spacing), S-3 the same
    // decomposed (NFD) → one group of 3 shown as first spelt; S-4 "Huyện Thanh Hạ" (another
    // tone) → its own group; S-5 "Huyện Hoà Vang" and S-6 "Huyện Hòa Vang" (old and new
    // tone-mark placement) → one group of 2.
    use clap::Parser;
    let argv = [
        "ntm",
        "summary",
        "--rules",
        "tests/fixtures/summary/ruleset.toml",
        "tests/fixtures/summary/spellings.csv",
        "--by",
        "district",
        "--format",
        "json",
    ];
    let cli = ntm::cli::Cli::try_parse_from(argv).expect("arguments parse");
    let (mut out, mut err) = (Vec::new(), Vec::new());
    let code = ntm::run(cli, &mut out, &mut err).expect("runs");
    assert_eq!(code as i32, 0, "{}", String::from_utf8_lossy(&err));
    let d: Value = serde_json::from_slice(&out).expect("json");
    let got: Vec<String> = d["groups"]
        .as_array()
        .expect("groups")
        .iter()
        .map(|g| format!("{}:{}", g["group"], g["communes"]))
        .collect();
    assert_eq!(
        got,
        [
            "\"Huyện Hoà Vang\":2",
            "\"Huyện Thanh Hà\":3",
            "\"Huyện Thanh Hạ\":1"
        ]
    );
}

/// Issue #15: counts past a thousand are grouped per language in the HTML report, and never in
/// the summary's CSV and JSON. tests/fixtures/office/thousands.csv: 1,250 communes, 1,192 NTM.
#[test]
fn counts_past_a_thousand_are_grouped_for_people_only() {
    use clap::Parser;
    let go = |args: &[&str]| -> String {
        let mut argv = vec!["ntm"];
        argv.extend_from_slice(args);
        argv.extend_from_slice(&[
            "--rules",
            "tests/fixtures/office/ruleset.toml",
            "tests/fixtures/office/thousands.csv",
        ]);
        let cli = ntm::cli::Cli::try_parse_from(argv).expect("arguments parse");
        let (mut out, mut err) = (Vec::new(), Vec::new());
        let code = ntm::run(cli, &mut out, &mut err).expect("runs");
        assert_eq!(
            code,
            ntm::Exit::Success,
            "{}",
            String::from_utf8_lossy(&err)
        );
        String::from_utf8(out).expect("utf-8")
    };
    let vi = go(&["report", "-o", "-", "--lang", "vi"]);
    assert!(
        vi.contains("<strong id=\"communes\">1.250</strong>"),
        "{vi}"
    );
    assert!(vi.contains("1.192/1.250 (95,3%)"), "{vi}");
    let en = go(&["report", "-o", "-", "--lang", "en"]);
    assert!(
        en.contains("<strong id=\"communes\">1,250</strong>"),
        "{en}"
    );
    assert!(en.contains("1,192/1,250 (95.3%)"), "{en}");
    for lang in ["vi", "en"] {
        let csv = go(&["summary", "--format", "csv", "--lang", lang]);
        assert!(csv.contains(",communes,,1250\n"), "{csv}");
        assert!(csv.contains(",1192"), "{csv}");
        assert!(!csv.contains("1.250") && !csv.contains("1,250"), "{csv}");
        let json = go(&["summary", "--format", "json", "--lang", lang]);
        assert!(json.contains("\"communes\": 1250"), "{json}");
    }
}
