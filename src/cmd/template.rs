//! `ntm template`: write an empty data sheet for a ruleset (layout in `report::template`).

use std::io::{IsTerminal, Write};

use anyhow::Context;

use crate::Exit;
use crate::cli::{TemplateArgs, TemplateFormat};
use crate::report::template;

/// Run `ntm template`.
pub(crate) fn run(
    args: &TemplateArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let (rs, src, _) = super::load(
        args.rules
            .rules
            .as_deref()
            .unwrap_or(crate::ruleset::builtin::DEFAULT_ID),
        err,
    )?;
    let Some(rs) = rs else {
        return Ok(Exit::Invalid);
    };
    let to_file = args.output.as_ref().filter(|p| p.as_os_str() != "-");
    let format = args.format.unwrap_or_else(|| {
        let xlsx = to_file
            .and_then(|p| p.extension())
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"));
        if xlsx {
            TemplateFormat::Xlsx
        } else {
            TemplateFormat::Csv
        }
    });
    super::output::refuse_workbook_to_terminal(
        format == TemplateFormat::Xlsx,
        to_file.is_none(),
        std::io::stdout().is_terminal(),
    )?;
    let bytes = match format {
        TemplateFormat::Csv => template::csv(&rs, args.lang)?,
        TemplateFormat::Xlsx => {
            template::xlsx(&rs, args.lang).context("writing the XLSX template")?
        }
    };
    match to_file {
        None => out.write_all(&bytes)?,
        Some(path) => {
            let mut inputs = super::inputs::Inputs::default();
            inputs.add_ruleset(&src.files);
            inputs.check("-o", path)?;
            super::output::write_file(path, &bytes)
                .with_context(|| format!("writing template {}", path.display()))?;
            if !crate::report::console::get().quiet {
                writeln!(
                    err,
                    "ntm: wrote {} ({} columns for ruleset `{}`)",
                    path.display(),
                    template::columns(&rs, args.lang).len(),
                    rs.id
                )?;
            }
        }
    }
    Ok(Exit::Success)
}
