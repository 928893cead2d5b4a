//! `ntm rules list` and `ntm rules show`.

use std::io::Write;

use anyhow::bail;

use crate::Exit;
use crate::cli::{RulesFormat, ShowArgs, ShowFormat};
use crate::lang::Lang;
use crate::report::md::{BookScope, criteria_book};
use crate::report::rules::{ListEntry, RulesetJson, write_list_table, write_show_table};
use crate::ruleset::{builtin, load_str};

/// Run `ntm rules list`.
pub(crate) fn list(format: RulesFormat, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let mut entries = Vec::new();
    for (id, path, text) in builtin::BUILTIN {
        let (rs, diags) = load_str(text, path);
        let Some(rs) = rs else {
            let first = diags.first().map(ToString::to_string).unwrap_or_default();
            bail!("built-in ruleset `{id}` does not validate: {first}");
        };
        entries.push(ListEntry::new(&rs));
    }
    match format {
        RulesFormat::Table => write_list_table(out, &entries)?,
        RulesFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &entries)?;
            writeln!(out)?;
        }
    }
    Ok(Exit::Success)
}

/// Run `ntm rules show`.
pub(crate) fn show(
    args: &ShowArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let (rs, src, _) = super::load(&args.rules, err)?;
    let Some(rs) = rs else {
        return Ok(Exit::Invalid);
    };
    let zone = match &args.zone {
        None => None,
        Some(z) => {
            let found = rs.find_zone(z);
            match found {
                Some(i) => Some(i),
                None => {
                    let ids: Vec<&str> = rs.zones.iter().map(|z| z.id.as_str()).collect();
                    bail!(
                        "`{z}` is not a zone of `{}`: expected one of `{}`",
                        rs.id,
                        ids.join("`, `")
                    );
                }
            }
        }
    };
    match args.format {
        ShowFormat::Table => {
            let base = crate::ruleset::open::base_of(&src, &super::Disk);
            let lang = Lang::resolve(args.lang);
            write_show_table(out, &rs, base.as_ref(), zone, args.year, lang)?;
        }
        ShowFormat::Json => {
            serde_json::to_writer_pretty(&mut *out, &RulesetJson::new(&rs, zone, args.year))?;
            writeln!(out)?;
        }
        ShowFormat::Md => {
            let scope = BookScope {
                zone,
                year: args.year,
            };
            out.write_all(criteria_book(&rs, scope, Lang::resolve(args.lang)).as_bytes())?;
        }
    }
    Ok(Exit::Success)
}
