//! `--bless`: rewrite a case file's expectations to the actual results, touching nothing else.
//!
//! Edits the TOML document in place (`toml_edit`), so comments, key order and formatting stay as
//! they were and the change reads as a small diff in review. Only expectations that failed are
//! rewritten; a case without `expect` gets `level` and `missing` (the next level's criteria).

use toml_edit::{Array, DocumentMut, InlineTable, Item, Table, TableLike, Value};

use super::NO_LEVEL;
use super::run::{CaseResult, Shown};

/// The text of the case file with the expectations of `results` rewritten, or why it cannot be.
/// `results` must come from this text (cases are matched by name).
pub fn bless(text: &str, results: &[CaseResult]) -> Result<String, String> {
    let mut doc: DocumentMut = text.parse().map_err(|e| format!("{e}"))?;
    let cases = doc
        .get_mut("cases")
        .ok_or_else(|| "the file has no `cases`".to_string())?;
    let (mut tables, inline): (Vec<&mut dyn TableLike>, bool) = match cases {
        Item::ArrayOfTables(a) => (
            a.iter_mut().map(|t| t as &mut dyn TableLike).collect(),
            false,
        ),
        Item::Value(Value::Array(a)) => (
            a.iter_mut()
                .filter_map(|v| v.as_inline_table_mut().map(|t| t as &mut dyn TableLike))
                .collect(),
            true,
        ),
        _ => return Err("`cases` is neither `[[cases]]` tables nor an array of tables".into()),
    };
    for r in results {
        let Some(case) = tables
            .iter_mut()
            .find(|t| t.get("name").and_then(Item::as_str).map(str::trim) == Some(&r.name))
        else {
            return Err(format!("case `{}` not found", r.name));
        };
        bless_case(&mut **case, r, inline);
    }
    Ok(doc.to_string())
}

fn bless_case(case: &mut dyn TableLike, r: &CaseResult, inline: bool) {
    let Some(expect) = case.get_mut("expect").and_then(Item::as_table_like_mut) else {
        // No expectation yet: write the level and the next level's missing criteria.
        let lv = level(r.actual.level.as_deref());
        let missing = ids(&r.actual.next_missing().0);
        let item = if inline {
            let mut t = InlineTable::new();
            t.insert("level", lv);
            t.insert("missing", missing);
            Item::Value(Value::InlineTable(t))
        } else {
            let mut t = Table::new();
            t.insert("level", Item::Value(lv));
            t.insert("missing", Item::Value(missing));
            Item::Table(t)
        };
        case.insert("expect", item);
        return;
    };
    for m in &r.mismatches {
        let path: Vec<&str> = m.field.split('.').collect();
        let new = match &m.actual {
            Shown::Level(l) => level(l.as_deref()),
            Shown::Bool(b) => Value::from(*b),
            Shown::Ids(v) => ids(v),
        };
        match path.as_slice() {
            [key] => set(expect, key, new),
            ["levels", level, key] => {
                if let Some(t) = expect
                    .get_mut("levels")
                    .and_then(Item::as_table_like_mut)
                    .and_then(|l| l.get_mut(level))
                    .and_then(Item::as_table_like_mut)
                {
                    set(t, key, new);
                }
            }
            _ => {}
        }
    }
}

fn level(l: Option<&str>) -> Value {
    Value::from(l.unwrap_or(NO_LEVEL))
}

fn ids(v: &[String]) -> Value {
    Value::Array(v.iter().map(String::as_str).collect::<Array>())
}

/// Set `key` to `new`, keeping the comments and spacing around the old value.
fn set(t: &mut dyn TableLike, key: &str, mut new: Value) {
    match t.get_mut(key) {
        Some(Item::Value(v)) => {
            let decor = v.decor().clone();
            *new.decor_mut() = decor;
            *v = new;
        }
        _ => {
            t.insert(key, Item::Value(new));
        }
    }
}
