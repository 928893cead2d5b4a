//! `ntm explain`: read every row, pick the commune asked for, evaluate and explain it.

use std::io::Write;

use anyhow::bail;

use crate::Exit;
use crate::cli::{ExplainArgs, ExplainFormat};
use crate::cmd::inputs::Inputs;
use crate::cmd::meta::MetaFile;
use crate::cmd::scan::{input_meta, read_all};
use crate::data::read::Row;
use crate::eval::evaluate;
use crate::lang::Lang;
use crate::record::RunTally;
use crate::report::explain::{
    Explanation, explain_commune, write_explain_json, write_explain_table,
};
use crate::text::{echo, escape_controls, fold};

/// Run `ntm explain`.
pub(crate) fn run(
    args: &ExplainArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Exit> {
    // Started now, so a --meta folder that cannot be written stops the run before it reads.
    let meta_file = match args.meta.as_deref() {
        Some(path) => Some(MetaFile::begin(path)?),
        None => None,
    };
    let Some(super::Prepared {
        rs,
        src,
        opts,
        chosen,
    }) = super::prepare(&args.input, err)?
    else {
        return Ok(Exit::Invalid);
    };
    if let Some(m) = &meta_file {
        let mut inputs = Inputs::default();
        inputs.add_data(&args.input.files);
        inputs.add_ruleset(&src.files);
        m.check(&inputs, &[])?;
    }
    let Some(all) = read_all(&args.input.files, &rs, &opts, err)? else {
        return Ok(Exit::Invalid);
    };
    let found = find(&all.rows, &args.commune);
    if found.is_empty() {
        bail!(
            "no commune has the code or name `{}` in {} ({} commune(s) searched: codes exactly, names ignoring case, diacritics and a leading Xã/Phường/Thị trấn)",
            echo(&args.commune),
            escape_controls(&all.names.join(", ")),
            all.rows.len()
        );
    }
    if found.len() > 1 && !args.all {
        let list: Vec<String> = found
            .iter()
            .map(|&i| {
                let r = &all.rows[i];
                let place: Vec<&str> = [&r.district, &r.province]
                    .into_iter()
                    .filter_map(|p| p.as_deref())
                    .collect();
                // One line per match, whatever the names hold.
                format!(
                    "  {}:{}: code {} {} ({}), year {}",
                    escape_controls(&all.names[r.input]),
                    r.line,
                    echo(r.code.as_deref().unwrap_or("(none)")),
                    echo(r.name.as_deref().unwrap_or("")),
                    echo(&place.join(", ")),
                    r.year
                )
            })
            .collect();
        let code = all.rows[found[0]].code.as_deref();
        if code.is_some() && found.iter().all(|&i| all.rows[i].code.as_deref() == code) {
            // One commune, assessed in several years (panel data): no code picks one.
            let mut years: Vec<i32> = found.iter().map(|&i| all.rows[i].year).collect();
            years.sort_unstable();
            let years: Vec<String> = years.iter().map(i32::to_string).collect();
            bail!(
                "`{}` is in {} rows, one per assessment year ({}):\n{}\npass --all to explain every year",
                args.commune,
                found.len(),
                years.join(", "),
                list.join("\n")
            );
        }
        bail!(
            "`{}` matches {} communes:\n{}\npass a code to pick one, or --all to explain every match",
            echo(&args.commune),
            found.len(),
            list.join("\n")
        );
    }

    let mut communes = Vec::with_capacity(found.len());
    let mut tally = RunTally::default();
    for &i in &found {
        let row = &all.rows[i];
        let outcome = evaluate(&rs, row.zone, row.year, &row.values);
        tally.row(row, outcome.unverified);
        communes.push(explain_commune(
            &rs,
            i + 1,
            &all.names[row.input],
            row,
            &outcome,
            args.margin,
        ));
    }
    let doc = Explanation {
        meta: tally.meta(
            &rs,
            &src.label,
            chosen.as_ref().map(|c| c.by.as_str()),
            input_meta(&all.names, &all.ends),
        ),
        margin: args.margin.map(|m| m.to_string()),
        communes,
    };
    match args.format {
        ExplainFormat::Table => write_explain_table(out, &rs, &doc, Lang::resolve(args.lang))?,
        ExplainFormat::Json => write_explain_json(out, &doc)?,
    }
    if let Some(m) = meta_file {
        m.commit(&doc.meta)?;
    }
    Ok(Exit::Success)
}

/// Indexes of the rows `query` names: those whose code is `query` exactly (trimmed) if any,
/// else those whose name folds to the same key, a leading unit word (`Xã`, `Phường`, `Thị
/// trấn`) aside. Never a partial or similar match.
pub(crate) fn find(rows: &[Row], query: &str) -> Vec<usize> {
    let q = query.trim();
    let by_code: Vec<usize> = rows
        .iter()
        .enumerate()
        .filter(|(_, r)| r.code.as_deref().map(str::trim) == Some(q))
        .map(|(i, _)| i)
        .collect();
    if !by_code.is_empty() {
        return by_code;
    }
    let key = name_key(q);
    if key.is_empty() {
        return Vec::new();
    }
    rows.iter()
        .enumerate()
        .filter(|(_, r)| r.name.as_deref().is_some_and(|n| name_key(n) == key))
        .map(|(i, _)| i)
        .collect()
}

/// `fold` of a commune name without its leading unit word: "Xã Hồng Lạc" → "hong lac".
fn name_key(name: &str) -> String {
    let folded = fold(name);
    for unit in ["xa ", "phuong ", "thi tran "] {
        if let Some(rest) = folded.strip_prefix(unit) {
            return rest.to_string();
        }
    }
    folded
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::data::read::{YearFrom, ZoneFrom};

    fn row(code: Option<&str>, name: Option<&str>) -> Row {
        Row {
            input: 0,
            line: 2,
            code: code.map(String::from),
            name: name.map(String::from),
            district: None,
            province: None,
            zone: 0,
            zone_from: ZoneFrom::Column,
            year: 2025,
            year_from: YearFrom::Column,
            values: Vec::new(),
            kept: Vec::new(),
            notes: Vec::new(),
        }
    }

    #[test]
    fn a_code_wins_over_names() {
        let rows = [
            row(Some("10816"), Some("Xã Hồng Lạc")),
            row(Some("1"), Some("10816")),
        ];
        assert_eq!(find(&rows, "10816"), vec![0]);
        assert_eq!(find(&rows, " 10816 "), vec![0]);
    }

    #[test]
    fn names_match_ignoring_case_diacritics_and_the_unit_word() {
        let rows = [
            row(Some("1"), Some("Xã Hồng Lạc")),
            row(Some("2"), Some("Phường Tân Hưng")),
            row(Some("3"), Some("Thị trấn Tân Hưng")),
            row(Some("4"), Some("Xã Tân Hưng Tây")),
        ];
        assert_eq!(find(&rows, "hong lac"), vec![0]);
        assert_eq!(find(&rows, "XÃ HỒNG LẠC"), vec![0]);
        assert_eq!(find(&rows, "Tân Hưng"), vec![1, 2]);
        // Never a partial match.
        assert_eq!(find(&rows, "Hồng"), Vec::<usize>::new());
        assert_eq!(find(&rows, "Xã"), Vec::<usize>::new());
        assert_eq!(find(&rows, ""), Vec::<usize>::new());
    }

    #[test]
    fn codes_match_exactly() {
        let rows = [row(Some("00001"), None), row(Some("1"), None)];
        assert_eq!(find(&rows, "1"), vec![1]);
        assert_eq!(find(&rows, "00001"), vec![0]);
    }
}
