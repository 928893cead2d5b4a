//! `ntm`: evaluate Vietnam's New Rural Development (Nông thôn mới) commune criteria.
//!
//! The pure core is `ruleset` (format, validation, model) and `eval`; `data` reads commune
//! rows; `report` renders outcomes; `cmd` wires them together and is the only place that
//! opens files (a ruleset is opened by `ruleset::open`, reading through the `Files` that `cmd`
//! supplies).

#![warn(unreachable_pub)]

pub mod cli;
pub mod cmd;
pub mod data;
pub mod diag;
pub mod diff;
pub mod eval;
pub mod exact;
pub mod lang;
pub mod margin;
pub mod record;
pub mod report;
pub mod ruleset;
pub mod summary;
pub mod test;
pub mod text;

use std::io::Write;

/// Exit status of a command that ran.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    /// 0: success.
    Success = 0,
    /// 1: findings (`--fail-below` matched, `--strict-sources`, `check` errors).
    Findings = 1,
    /// 2: invalid input (diagnostics were printed).
    Invalid = 2,
}

/// Run a parsed command line, writing results to `out` and diagnostics to `err`.
pub fn run(cli: cli::Cli, out: &mut dyn Write, err: &mut dyn Write) -> anyhow::Result<Exit> {
    match cli.command {
        cli::Command::Evaluate(args) => cmd::evaluate::run(&args, out, err),
        cli::Command::Explain(args) => cmd::explain::run(&args, out, err),
        cli::Command::Rules { command } => match command {
            cli::RulesCommand::List { format } => cmd::rules::list(format, out),
            cli::RulesCommand::Show(args) => cmd::rules::show(&args, out, err),
            cli::RulesCommand::Sheet(args) => cmd::sheet::sheet(&args, out, err),
            cli::RulesCommand::Import(args) => cmd::sheet::import(&args, out, err),
        },
        cli::Command::Check(args) => cmd::check::run(&args, out, err),
        cli::Command::Summary(args) => cmd::summary::run(&args, out, err),
        cli::Command::Test(args) => cmd::test::run(&args, out, err),
        cli::Command::Report(args) => cmd::report::run(&args, out, err),
        cli::Command::Template(args) => cmd::template::run(&args, out, err),
        cli::Command::Diff(args) => cmd::diff::run(&args, out, err),
        cli::Command::Fmt(args) => cmd::fmt::run(&args, out, err),
        cli::Command::Completions { shell } => cmd::app::completions(shell, out),
        cli::Command::Man { subcommand } => cmd::app::man(subcommand.as_deref(), out),
    }
}
