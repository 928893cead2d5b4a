//! `ntm check`: validate ruleset files, report every problem, exit 1 on errors.

use std::io::Write;

use crate::Exit;
use crate::cli::CheckArgs;
use crate::diag::has_errors;

/// Run `ntm check`.
pub fn run(args: &CheckArgs, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<Exit> {
    let mut exit = Exit::Success;
    for spec in &args.rules {
        let (rs, src, diags) = super::load(spec, err)?;
        match rs {
            Some(rs) if !has_errors(&diags) => {
                let total = rs.indicator_count();
                let verified = rs
                    .indicators()
                    .filter(|(r, _)| rs.fully_verified(*r))
                    .count();
                if verified < total {
                    writeln!(
                        err,
                        "{}: warning[unverified]: {} of {total} indicators are not fully verified (each has a note; see `ntm rules show`)",
                        src.path,
                        total - verified
                    )?;
                }
                writeln!(
                    out,
                    "{}: ok: ruleset `{}`, {total} indicators, {verified} verified",
                    src.path, rs.id
                )?;
            }
            _ => {
                let n = diags.iter().filter(|d| d.is_error()).count();
                writeln!(out, "{}: {n} error(s)", src.path)?;
                exit = Exit::Findings;
            }
        }
    }
    Ok(exit)
}
