//! The command line as the binary runs it: the clap definition (`cli`) plus what is known only
//! at run time (the built-in rulesets in `--version`, whether standard input can stand for a
//! missing FILE), and `ntm completions` / `ntm man`, generated from that same definition.

use std::io::Write;
use std::path::PathBuf;

use clap::{ArgMatches, CommandFactory, FromArgMatches};

use crate::Exit;
use crate::cli::{Cli, Command};
use crate::report::rules::ListEntry;
use crate::ruleset::{builtin, load_str};

/// Subcommands whose FILE arguments are commune data that standard input can stand for.
const READS_COMMUNES: [&str; 4] = ["evaluate", "explain", "summary", "report"];

/// The clap command. With `stdin_terminal`, FILE is required (a terminal has no data to
/// read); otherwise a missing FILE reads standard input, as other CSV tools do. With
/// `long_version`, `--version` lists the built-in rulesets (this parses them, so only when
/// asked for).
pub fn command(stdin_terminal: bool, long_version: bool) -> clap::Command {
    let mut cmd = Cli::command();
    if long_version {
        // Built once per run; clap keeps a `&'static str`.
        cmd = cmd.long_version(&*Box::leak(version_text().into_boxed_str()));
    }
    if stdin_terminal {
        for name in READS_COMMUNES {
            cmd = cmd.mut_subcommand(name, |s| s.mut_arg("files", |a| a.required(true)));
        }
    }
    cmd
}

/// Turn parsed matches into [`Cli`], with `-` for the FILE of a command that reads communes
/// when none was given (standard input is then not a terminal: [`command`] required it).
pub fn cli(matches: &ArgMatches) -> Result<Cli, clap::Error> {
    let mut cli = Cli::from_arg_matches(matches)?;
    let files = match &mut cli.command {
        Command::Evaluate(a) => Some(&mut a.input.files),
        Command::Explain(a) => Some(&mut a.input.files),
        Command::Summary(a) => Some(&mut a.input.files),
        Command::Report(a) => Some(&mut a.input.files),
        _ => None,
    };
    if let Some(files) = files
        && files.is_empty()
    {
        files.push(PathBuf::from("-"));
    }
    Ok(cli)
}

/// The version and every built-in ruleset, its period and how many of its indicators are
/// verified (as `ntm rules list` counts them).
pub fn version_text() -> String {
    let mut s = format!(
        "{}\nbuilt-in rulesets (indicators verified):",
        env!("CARGO_PKG_VERSION")
    );
    for (id, path, text) in builtin::BUILTIN {
        match load_str(text, path) {
            (Some(rs), _) => {
                let e = ListEntry::new(&rs);
                s.push_str(&format!(
                    "\n  {id}  {}–{}  {}/{} verified",
                    rs.period.0, rs.period.1, e.verified, e.indicators
                ));
            }
            (None, _) => s.push_str(&format!("\n  {id}  does not validate")),
        }
    }
    s.push_str(&format!("\ndefault: {}", builtin::DEFAULT_ID));
    s
}

/// Run `ntm completions SHELL`.
pub fn completions(shell: clap_complete::Shell, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let mut cmd = command(false, false);
    // Into memory first: clap_complete panics when its writer fails (a closed pipe).
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut cmd, "ntm", &mut script);
    out.write_all(&script)?;
    Ok(Exit::Success)
}

/// Run `ntm man [SUBCOMMAND]`: the main page, whose SUBCOMMANDS section refers to
/// `ntm-evaluate(1)` and the others, or one of those.
pub fn man(subcommand: Option<&str>, out: &mut dyn Write) -> anyhow::Result<Exit> {
    let mut cmd = command(false, true);
    // Built, so that subcommands carry their full names (`ntm-evaluate`).
    cmd.build();
    let page = match subcommand {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) if name != "help" => sub.clone(),
            _ => {
                let names: Vec<&str> = cmd
                    .get_subcommands()
                    .map(clap::Command::get_name)
                    .filter(|n| *n != "help")
                    .collect();
                anyhow::bail!(
                    "`{name}` is not a subcommand: expected one of `{}`",
                    names.join("`, `")
                );
            }
        },
    };
    let mut roff = Vec::new();
    clap_mangen::Man::new(page).render(&mut roff)?;
    out.write_all(&roff)?;
    Ok(Exit::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(stdin_terminal: bool, args: &[&str]) -> Result<Cli, clap::Error> {
        cli(&command(stdin_terminal, false).try_get_matches_from(args)?)
    }

    #[test]
    fn a_terminal_stdin_without_file_is_a_usage_error() {
        let e = parse(true, &["ntm", "evaluate"]).err().map(|e| e.kind());
        assert_eq!(e, Some(clap::error::ErrorKind::MissingRequiredArgument));
        let e = parse(true, &["ntm", "summary", "--by", "district"])
            .err()
            .map(|e| e.kind());
        assert_eq!(e, Some(clap::error::ErrorKind::MissingRequiredArgument));
    }

    #[test]
    fn a_piped_stdin_stands_for_a_missing_file() {
        for sub in READS_COMMUNES {
            let args: Vec<&str> = match sub {
                "explain" => vec!["ntm", sub, "--commune", "1"],
                "report" => vec!["ntm", sub, "-o", "r.html"],
                _ => vec!["ntm", sub],
            };
            let files = match parse(false, &args).map(|c| c.command) {
                Ok(Command::Evaluate(a)) => a.input.files,
                Ok(Command::Explain(a)) => a.input.files,
                Ok(Command::Summary(a)) => a.input.files,
                Ok(Command::Report(a)) => a.input.files,
                other => panic!("{sub}: {other:?}"),
            };
            assert_eq!(files, [PathBuf::from("-")], "{sub}");
        }
        // Given files are kept as they are.
        match parse(false, &["ntm", "evaluate", "a.csv"]).map(|c| c.command) {
            Ok(Command::Evaluate(a)) => assert_eq!(a.input.files, [PathBuf::from("a.csv")]),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn diff_still_needs_two_files() {
        assert!(parse(false, &["ntm", "diff"]).is_err());
    }

    #[test]
    fn man_pages_of_subcommands_carry_their_full_names() {
        let mut page = Vec::new();
        assert!(man(Some("evaluate"), &mut page).is_ok());
        let page = String::from_utf8_lossy(&page);
        assert!(page.contains(".TH ntm-evaluate 1"), "{page}");
        assert!(page.contains("fail\\-below"), "{page}");
        assert!(man(Some("evaluat"), &mut Vec::new()).is_err());
        assert!(man(Some("help"), &mut Vec::new()).is_err());
    }

    #[test]
    fn version_lists_every_builtin_ruleset() {
        let v = version_text();
        for (id, _, _) in builtin::BUILTIN {
            assert!(v.contains(id), "{v}");
        }
        assert!(v.contains("/96 verified"), "{v}");
    }
}
