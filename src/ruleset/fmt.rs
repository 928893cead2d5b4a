//! Canonical layout of a ruleset file (`ntm fmt`): keys in the documented order inside each
//! table, numbers without `+` signs, `_` separators or non-decimal integer bases.
//!
//! Works on the TOML syntax tree (`toml_edit`), so comments, blank lines, the order of tables
//! and every value stay as written. Keys a table kind does not know keep their relative order
//! after the known ones (`ntm check` reports them).

use toml_edit::{DocumentMut, Formatted, InlineTable, Item, Key, Table, Value};

/// `[ruleset]`.
pub const RULESET: &[&str] = &[
    "id", "extends", "name", "name_vi", "period", "decision", "zoning", "notes",
];
/// `[[zones]]`.
pub const ZONE: &[&str] = &["id", "name", "name_vi", "aliases"];
/// `[measures.<id>]`. Keys joined by `|` share a place: their order is kept as written.
pub const MEASURE: &[&str] = &[
    "name",
    "name_vi",
    "kind",
    "unit",
    "unit_vi",
    "aliases|optional",
];
/// `[[levels]]`.
pub const LEVEL: &[&str] = &["id", "name", "name_vi", "requires", "source"];
/// `[[criteria]]`.
pub const CRITERION: &[&str] = &["level", "id", "name", "name_vi", "at_least", "indicators"];
/// `[[criteria.indicators]]`.
pub const INDICATOR: &[&str] = &[
    "id",
    "name",
    "name_vi",
    "measure",
    "op",
    "threshold",
    "derived",
    "source",
    "verified",
    "note",
    "allow",
];
/// `derived = { … }`.
pub const DERIVED: &[&str] = &["level", "indicator", "factor"];
/// One year entry of a threshold list.
pub const YEAR_ENTRY: &[&str] = &["from", "value", "verified", "note"];
/// `[[overrides]]`.
pub const OVERRIDE: &[&str] = &["id", "measure", "zone", "source", "name"];
/// `[[amendments]]`.
pub const AMENDMENT: &[&str] = &[
    "level",
    "indicator",
    "threshold",
    "source",
    "verified",
    "note",
];

/// The canonical text of a ruleset file, or the TOML syntax error.
pub fn format(text: &str) -> Result<String, toml_edit::TomlError> {
    let mut doc: DocumentMut = text.parse()?;
    let root = doc.as_table_mut();
    for (key, item) in root.iter_mut() {
        match key.get() {
            "ruleset" => order_item(item, RULESET),
            "zones" => order_item(item, ZONE),
            "measures" => {
                if let Some(measures) = item.as_table_like_mut() {
                    for (_, m) in measures.iter_mut() {
                        order_item(m, MEASURE);
                    }
                }
            }
            "levels" => order_item(item, LEVEL),
            "criteria" => order_item(item, CRITERION),
            "overrides" => order_item(item, OVERRIDE),
            "amendments" => order_item(item, AMENDMENT),
            _ => {}
        }
    }
    numbers_item(doc.as_item_mut());
    let out = doc.to_string();
    // toml_edit writes `\n` line ends: keep a Windows file's `\r\n` (when every line has one)
    // so that only the lines that changed differ.
    let lines = text.matches('\n').count();
    if lines > 0 && text.matches("\r\n").count() == lines {
        return Ok(out.replace("\r\n", "\n").replace('\n', "\r\n"));
    }
    Ok(out)
}

/// Put the keys of a table (or of every entry of an array of tables) in `order`, then the
/// nested tables of that kind.
fn order_item(item: &mut Item, order: &[&str]) {
    match item {
        Item::Table(t) => order_table(t, order),
        Item::ArrayOfTables(a) => {
            for t in a.iter_mut() {
                order_table(t, order);
            }
        }
        Item::Value(v) => order_value(v, order),
        Item::None => {}
    }
}

fn order_value(value: &mut Value, order: &[&str]) {
    match value {
        Value::InlineTable(t) => order_inline(t, order),
        Value::Array(a) => {
            for v in a.iter_mut() {
                if let Value::InlineTable(t) = v {
                    order_inline(t, order);
                }
            }
        }
        _ => {}
    }
}

fn rank(order: &[&str], key: &Key) -> usize {
    order
        .iter()
        .position(|k| k.split('|').any(|k| k == key.get()))
        .unwrap_or(order.len())
}

fn order_table(t: &mut Table, order: &[&str]) {
    t.sort_values_by(|a, _, b, _| rank(order, a).cmp(&rank(order, b)));
    for (key, child) in t.iter_mut() {
        nested(key.get(), order, child);
    }
}

fn order_inline(t: &mut InlineTable, order: &[&str]) {
    let before: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
    t.sort_values_by(|a, _, b, _| rank(order, a).cmp(&rank(order, b)));
    let after: Vec<String> = t.iter().map(|(k, _)| k.to_string()).collect();
    if before != after {
        // The spaces around `,` belong to the entries: re-space a table whose order changed.
        t.fmt();
    }
    for (key, child) in t.iter_mut() {
        order_value(child, nested_order(key.get(), order).unwrap_or(&[]));
    }
}

/// The kind of the tables under `key` in a table of kind `order`, if any.
fn nested_order(key: &str, order: &[&str]) -> Option<&'static [&'static str]> {
    match key {
        "indicators" if std::ptr::eq(order, CRITERION) => Some(INDICATOR),
        "derived" if std::ptr::eq(order, INDICATOR) => Some(DERIVED),
        "threshold" if std::ptr::eq(order, INDICATOR) || std::ptr::eq(order, AMENDMENT) => {
            Some(YEAR_ENTRY)
        }
        _ => None,
    }
}

fn nested(key: &str, order: &[&str], child: &mut Item) {
    let Some(inner) = nested_order(key, order) else {
        return;
    };
    // A threshold table `{ NMM = 70, … }` keeps its zones as written; only year lists are
    // ordered.
    if key == "threshold" && matches!(child, Item::Table(_) | Item::Value(Value::InlineTable(_))) {
        return;
    }
    order_item(child, inner);
}

fn numbers_item(item: &mut Item) {
    match item {
        Item::Table(t) => {
            for (_, child) in t.iter_mut() {
                numbers_item(child);
            }
        }
        Item::ArrayOfTables(a) => {
            for t in a.iter_mut() {
                for (_, child) in t.iter_mut() {
                    numbers_item(child);
                }
            }
        }
        Item::Value(v) => numbers_value(v),
        Item::None => {}
    }
}

fn numbers_value(value: &mut Value) {
    match value {
        Value::Integer(f) => {
            let plain = f.value().to_string();
            if f.display_repr() != plain {
                let decor = f.decor().clone();
                let mut new = Formatted::new(*f.value());
                *new.decor_mut() = decor;
                *f = new;
            }
        }
        Value::Float(f) => {
            let repr = f.display_repr();
            if repr.contains(['+', '_']) {
                let decor = f.decor().clone();
                let mut new = Formatted::new(*f.value());
                *new.decor_mut() = decor;
                *f = new;
            }
        }
        Value::Array(a) => {
            for v in a.iter_mut() {
                numbers_value(v);
            }
        }
        Value::InlineTable(t) => {
            for (_, v) in t.iter_mut() {
                numbers_value(v);
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests;
