//! `ntm report`: the summary and every commune as one self-contained HTML file.

use std::io::Write;

use anyhow::Context;

use crate::Exit;
use crate::cli::ReportArgs;
use crate::lang::Lang;
use crate::report::html::render_report_html;

/// Run `ntm report`.
pub(crate) fn run(
    args: &ReportArgs,
    out: &mut dyn Write,
    err: &mut dyn Write,
) -> anyhow::Result<Exit> {
    let lang = Lang::resolve(args.options.lang);
    let to_file = (args.output.as_os_str() != "-").then_some(args.output.as_path());
    let refuse = |inputs: &mut super::inputs::Inputs| match to_file {
        Some(path) => inputs.check("-o", path),
        None => Ok(()),
    };
    let Some(done) = super::summary::collect(&args.input, &args.options, true, &refuse, err)?
    else {
        return Ok(Exit::Invalid);
    };
    let page = render_report_html(&done.rs, &done.doc(), &done.communes, lang);
    if args.output.as_os_str() == "-" {
        out.write_all(page.as_bytes())?;
        return Ok(Exit::Success);
    }
    super::output::write_file(&args.output, page.as_bytes())
        .with_context(|| format!("writing report {}", args.output.display()))?;
    if !crate::report::console::get().quiet {
        writeln!(
            err,
            "ntm: wrote {} ({} communes)",
            args.output.display(),
            done.summary.total.communes
        )?;
    }
    Ok(Exit::Success)
}
