//! A row's zone: the `region`/`group` column, else the province's region; and zone overrides
//! that contradict each other.

use super::context::RowCtx;
use super::memo::memo;
use super::record::Record;
use super::{ReadOptions, ZoneFrom};
use crate::data::coerce::Value;
use crate::data::columns::{Columns, Ident};
use crate::data::province::{Lookup, ProvinceSet, lookup};
use crate::ruleset::Ruleset;
use crate::ruleset::model::ZoneMatch;

/// `conflicting-overrides`: the row sets the flags of overrides that move it to different
/// zones. Which zone applies is not guessed from their order; overrides that agree on the
/// zone (318/QĐ-TTg's two both name NMM) are fine.
pub(super) fn overrides(
    rec: &Record,
    cols: &Columns,
    rs: &Ruleset,
    values: &[Option<Value>],
    cx: &mut RowCtx<'_>,
) {
    let mut set = rs
        .overrides
        .iter()
        .filter(|o| values.get(o.measure) == Some(&Some(Value::Bool(true))));
    let Some(first) = set.next() else {
        return;
    };
    let Some(other) = set.find(|o| o.zone != first.zone) else {
        return;
    };
    let Some(col) = cols.measures.get(other.measure).copied().flatten() else {
        return;
    };
    let cell = rec.get(col).unwrap_or("").trim().to_string();
    let flag = |o: &crate::ruleset::model::Override| {
        let header = cols.measures[o.measure]
            .map_or("", |c| cx.header(c))
            .to_string();
        format!(
            "`{header}` (override `{}`, zone `{}`)",
            o.id, rs.zones[o.zone].id
        )
    };
    let expected = format!(
        "at most one zone override per row: {} and {} are both set and name different zones",
        flag(first),
        flag(other)
    );
    cx.cell_error("conflicting-overrides", col, &cell, &expected);
}

/// The row's zone index and where it came from; a bad or missing zone is an error on the row.
pub(super) fn zone(
    rec: &Record,
    zone_col: Option<usize>,
    cols: &Columns,
    province: Option<&str>,
    rs: &Ruleset,
    opts: &ReadOptions,
    cx: &mut RowCtx<'_>,
) -> (usize, ZoneFrom) {
    if let Some(col) = zone_col {
        let cell = rec.get(col).unwrap_or("").trim();
        if !cell.is_empty() {
            let found = memo(&mut cx.memo.zones, cell, || rs.match_zone(cell));
            match found {
                ZoneMatch::Found(z) => return (z, ZoneFrom::Column),
                ZoneMatch::Ambiguous(zones) => {
                    let names: Vec<String> = zones
                        .iter()
                        .map(|&z| {
                            let zone = &rs.zones[z];
                            let close: Vec<&str> = zone
                                .spellings()
                                .filter(|s| crate::text::fold(s) == crate::text::fold(cell))
                                .collect();
                            format!("`{}` (`{}`)", zone.id, close.join("`, `"))
                        })
                        .collect();
                    let expected = format!(
                        "one zone, spelled exactly: `{cell}` matches {} once diacritics are ignored",
                        names.join(" and ")
                    );
                    cx.cell_error("ambiguous-zone", col, cell, &expected);
                    return (0, ZoneFrom::Column);
                }
                ZoneMatch::Unknown => {}
            }
            let ids: Vec<&str> = rs.zones.iter().map(|z| z.id.as_str()).collect();
            let expected = format!("one of `{}` (or a zone name or alias)", ids.join("`, `"));
            cx.cell_error("unknown-zone", col, cell, &expected);
            return (0, ZoneFrom::Column);
        }
    }
    let pcol = cols.ident(Ident::Province);
    match (rs.zoning, province, pcol) {
        (crate::ruleset::model::Zoning::Region, Some(p), Some(pcol)) => {
            // Neighbouring rows mostly share their province: its zone, as last worked out.
            if let Some((last, z)) = &cx.memo.province_zone
                && last == p
            {
                return (*z, ZoneFrom::Province);
            }
            match memo(&mut cx.memo.provinces, p, || lookup(opts.province_set, p)) {
                Lookup::Region(code) => match rs.zone_index(&code) {
                    Some(z) => {
                        cx.memo.province_zone = Some((p.to_string(), z));
                        (z, ZoneFrom::Province)
                    }
                    None => {
                        cx.cell_error(
                            "unknown-zone",
                            pcol,
                            p,
                            &format!(
                                "a province of a region the ruleset declares (`{code}` is not)"
                            ),
                        );
                        (0, ZoneFrom::Province)
                    }
                },
                Lookup::Ambiguous(why) => {
                    cx.cell_error(
                        "ambiguous-province",
                        pcol,
                        p,
                        &format!("a `region` column for this row: {why}"),
                    );
                    (0, ZoneFrom::Province)
                }
                Lookup::Unknown => {
                    let set = match opts.province_set {
                        ProvinceSet::Y2024 => {
                            "the 63 provinces before July 2025 (see --province-set)"
                        }
                        ProvinceSet::Y2025 => {
                            "the 34 provinces from July 2025 (see --province-set)"
                        }
                    };
                    cx.cell_error(
                        "unknown-province",
                        pcol,
                        p,
                        &format!("a province name or code of {set}"),
                    );
                    (0, ZoneFrom::Province)
                }
            }
        }
        _ => {
            let col = zone_col.or(pcol).unwrap_or(0);
            let what = rs.zoning.column();
            cx.cell_error(
                "missing-zone",
                col,
                "",
                &format!("the commune's {what} (the cell is empty)"),
            );
            (0, ZoneFrom::Column)
        }
    }
}
