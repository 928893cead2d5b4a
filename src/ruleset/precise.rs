//! Numbers of a ruleset's TOML text that cannot be held exactly: refused (`too-precise`) at
//! their line and column, before a threshold is built from them.
//!
//! The TOML reader reads `79.99999999999999999` as the float 80, and a `Decimal` read from text
//! rounds past 28 digits, so a threshold could silently become a neighbour of what was
//! written. Each number literal is read here from its own text ([`crate::exact`]) and must be
//! exactly the value the ruleset will use: the float's shortest text (what
//! `validate::threshold::number` reads). Zeros at the end of the decimals are exact
//! (`60.000000000000000000000000000000` is 60).

use std::ops::Range;

use rust_decimal::Decimal;
use toml_edit::{Document, Item, Table, Value};

use crate::exact;

/// The first number literal of `input` that cannot be held exactly: its span (offsets into
/// `input`) and its text. `None` when every number is exact, or when the text is not TOML
/// (the TOML reader reports that).
pub(crate) fn first_inexact(input: &str) -> Option<(Range<usize>, String)> {
    let doc = Document::parse(input).ok()?;
    table(&doc, input)
}

fn table(t: &Table, input: &str) -> Option<(Range<usize>, String)> {
    t.iter().find_map(|(_, item)| self::item(item, input))
}

fn item(item: &Item, input: &str) -> Option<(Range<usize>, String)> {
    match item {
        Item::None => None,
        Item::Value(v) => value(v, input),
        Item::Table(t) => table(t, input),
        Item::ArrayOfTables(a) => a.iter().find_map(|t| table(t, input)),
    }
}

fn value(v: &Value, input: &str) -> Option<(Range<usize>, String)> {
    match v {
        Value::Float(f) => {
            let span = f.span()?;
            let text = input.get(span.clone())?;
            let value = f.value();
            if !value.is_finite() {
                return None;
            }
            let held = exact::parse(&format!("{value}"));
            match exact::parse(text) {
                Some(written) if held == Some(written) => None,
                _ => Some((span, text.to_string())),
            }
        }
        // A number written as a string is read as one (`number`): the same rule.
        Value::String(s) => {
            let text = s.value().trim();
            let numeric = text
                .trim_start_matches(['+', '-'])
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.')
                && text.bytes().any(|b| b.is_ascii_digit());
            let lossy = text.parse::<Decimal>().is_ok();
            (numeric && lossy && exact::parse(text).is_none())
                .then(|| (s.span(), text.to_string()))
                .and_then(|(span, text)| Some((span?, text)))
        }
        Value::Array(a) => a.iter().find_map(|v| value(v, input)),
        Value::InlineTable(t) => t.iter().find_map(|(_, v)| value(v, input)),
        Value::Integer(_) | Value::Boolean(_) | Value::Datetime(_) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(src: &str) -> Option<String> {
        first_inexact(src).map(|(_, text)| text)
    }

    #[test]
    fn literals_the_float_or_the_decimal_would_round_are_found() {
        assert_eq!(
            found("a = 79.99999999999999999\n").as_deref(),
            Some("79.99999999999999999")
        );
        assert_eq!(
            found("[t]\nx = [{ from = 2021, value = { all = 0.12345678901234567 } }]\n").as_deref(),
            Some("0.12345678901234567")
        );
        assert_eq!(
            found("a = \"59.9999999999999999999999999999\"\n").as_deref(),
            Some("59.9999999999999999999999999999")
        );
        let (span, _) = first_inexact("a = 1\nb = 59.99999999999999999\n").expect("found");
        assert_eq!(span.start, 10);
    }

    #[test]
    fn exact_literals_pass() {
        for src in [
            "a = 80\n",
            "a = 79.995\n",
            "a = 0.1\n",
            "a = 1_000.5\n",
            "a = 6e1\n",
            "a = 60.000000000000000000000000000000\n",
            "a = \"85.5\"\n",
            "a = \"text 1.00000000000000000000000000000001\"\n",
            "a = inf\n",
        ] {
            assert_eq!(found(src), None, "{src}");
        }
    }
}
