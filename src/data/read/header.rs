//! The header row: found among the first records (or at `--header-row`), its cells mapped to
//! the ruleset's measures and identity columns, and the columns the run needs checked (a zone
//! or province column, the `--keep` columns).

use super::{RecordSource, RowReader, csv_error, is_blank};
use crate::data::columns::{Columns, Ident, map_headers};
use crate::diag::Diagnostic;
use crate::ruleset::Ruleset;
use crate::text::{echo, nfc};

/// Without `--header-row`, the header is the first of this many records in which a cell names
/// a measure of the ruleset (its id, label or a declared alias); records above it are a title
/// block and are not data.
pub const HEADER_SCAN: usize = 20;

/// Rows searched for a header close to a measure's name (a header sits near the top).
const NEAR_ROWS: usize = 3;

impl<S: RecordSource> RowReader<'_, S> {
    /// Read records up to the header: `--header-row`'s, else the first of [`HEADER_SCAN`]
    /// records that names a measure. Returns its mapped columns and their diagnostics.
    fn find_header(&mut self) -> Option<(Columns, Vec<Diagnostic>)> {
        let path = self.path;
        let mut seen = 0usize;
        // The first row with a cell close to a measure's name, for the error's help.
        let mut near: Option<String> = None;
        loop {
            match self.rdr.read_fields(&mut self.rec.raw) {
                Ok(true) => {
                    if let Err(d) = self.check_utf8() {
                        self.end.diags.push(*d);
                        return None;
                    }
                }
                Ok(false) => {
                    let d = match (seen, self.opts.header_row) {
                        (0, _) => Diagnostic::error("empty-file", "the file has no header row")
                            .at(path, None, None),
                        (_, Some(n)) => Diagnostic::error(
                            "header-not-found",
                            format!("--header-row {n}: the file has no record at line {n}"),
                        )
                        .at(path, None, None)
                        .help("count lines (worksheet rows) from 1, as shown to the left of Excel's grid"),
                        (_, None) => header_not_found(path, self.rs, seen, near.as_deref()),
                    };
                    self.end.diags.push(d);
                    return None;
                }
                Err(e) => {
                    self.end.diags.push(csv_error(&e, path));
                    return None;
                }
            }
            if is_blank(&self.rec) {
                continue;
            }
            seen += 1;
            let line = self.rec.position().map_or(seen as u64, |p| p.line());
            let mut headers: Vec<String> = self.rec.iter().map(|h| nfc(h.trim())).collect();
            if seen == 1
                && let Some(first) = headers.first_mut()
                && let Some(rest) = first.strip_prefix('\u{feff}')
            {
                *first = rest.to_string();
            }
            match self.opts.header_row {
                Some(n) if line < n => continue,
                Some(n) if line > n => {
                    self.end.diags.push(
                        Diagnostic::error(
                            "header-not-found",
                            format!("--header-row {n}: line {n} is empty or inside a record"),
                        )
                        .at(path, Some(line), None)
                        .help(format!(
                            "the first record at or after it starts at line {line}"
                        )),
                    );
                    return None;
                }
                Some(_) => {}
                None => {}
            }
            let mapped = map_headers(&headers, self.rs, self.opts.allow_missing, path, line);
            let names_measure = mapped.0.measures.iter().any(Option::is_some);
            if self.opts.header_row.is_some() || names_measure {
                self.header_line = line;
                self.end.header_line = Some(line);
                self.headers = headers;
                return Some(mapped);
            }
            if near.is_none() && seen <= NEAR_ROWS {
                near = crate::data::columns::near_measure(&headers, self.rs)
                    .map(|s| format!("line {line}: {s}"));
            }
            if seen == HEADER_SCAN {
                let d = header_not_found(path, self.rs, seen, near.as_deref());
                self.end.diags.push(d);
                return None;
            }
        }
    }

    /// Find the header and check the columns the run needs; on success the reader is ready
    /// for rows, else the file ends here with its diagnostics.
    pub(super) fn header(&mut self) {
        let path = self.path;
        let rs = self.rs;
        let Some((cols, diags)) = self.find_header() else {
            return;
        };
        let header_line = self.header_line;
        let fatal = crate::diag::has_errors(&diags);
        self.end.diags.extend(diags);
        self.end.unknown_columns = cols.unknown.clone();
        if fatal {
            return;
        }
        if cols.ident(Ident::Code).is_none() {
            let misnamed = crate::data::columns::misnamed_code(&cols.unknown);
            let at = |d: Diagnostic| d.at(path, Some(header_line), None);
            self.end.diags.extend(misnamed.map(at));
        }
        let zone_col = cols.ident(match rs.zoning {
            crate::ruleset::model::Zoning::Region => Ident::Region,
            crate::ruleset::model::Zoning::Group => Ident::Group,
        });
        if zone_col.is_none()
            && (rs.zoning == crate::ruleset::model::Zoning::Group
                || cols.ident(Ident::Province).is_none())
        {
            let need = if rs.zoning == crate::ruleset::model::Zoning::Group {
                "a `group` (`nhóm`) column"
            } else {
                "a `region` (`vùng`) or `province` (`tỉnh`) column"
            };
            self.end.diags.push(
                Diagnostic::error(
                    "missing-column",
                    format!("ruleset `{}` needs {need} to pick thresholds", rs.id),
                )
                .at(path, Some(header_line), None),
            );
            return;
        }
        for name in &self.opts.keep {
            let key = crate::text::fold(name);
            match self
                .headers
                .iter()
                .position(|h| crate::text::fold(h) == key)
            {
                Some(c) => {
                    self.keep_cols.push(c);
                    let header = &self.headers[c];
                    self.end.unknown_columns.retain(|u| u != header);
                }
                None => {
                    self.end.diags.push(
                        Diagnostic::error(
                            "missing-column",
                            format!(
                                "the file has no column `{}`, which the command needs",
                                echo(name)
                            ),
                        )
                        .at(path, Some(header_line), None)
                        .help(crate::data::columns::keep_help(name, &self.headers)),
                    );
                    return;
                }
            }
        }
        self.zone_col = zone_col;
        self.plan = super::row::Plan::new(&cols, self.rs);
        self.cols = Some(cols);
        self.done = false;
    }
}

fn header_not_found(path: &str, rs: &Ruleset, seen: usize, near: Option<&str>) -> Diagnostic {
    Diagnostic::error(
        "header-not-found",
        format!(
            "no header: none of the first {seen} non-empty row(s) names a measure of ruleset `{}`",
            rs.id
        ),
    )
    .at(path, None, None)
    .help(format!(
        "{}headers must be measure ids, labels or aliases (`ntm rules show` lists them); \
         if the header is further down, pass --header-row N",
        near.map(|n| format!("{n}; ")).unwrap_or_default()
    ))
}
