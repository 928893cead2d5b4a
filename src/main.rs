//! The `ntm` binary: parse arguments, run, map the outcome to an exit code.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use ntm::report::console::{self, Console};

/// mimalloc: rows are allocated on the reading thread and freed on the rendering threads,
/// which glibc's allocator serialises on its arena lock (issue #7, docs/performance.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    // The built-in rulesets are parsed for `--version` only.
    let long_version = std::env::args_os().any(|a| a == "--version");
    let cmd = ntm::cmd::app::command(io::stdin().is_terminal(), long_version);
    let cli = ntm::cmd::app::cli(&cmd.get_matches()).unwrap_or_else(|e| e.exit());
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let (color, quiet) = (cli.global.color, cli.global.quiet);
    console::init(Console {
        // `out` below is standard output.
        stdout: true,
        ..Console::new(color, quiet, io::stderr().is_terminal(), no_color)
    });
    // Tables fit `COLUMNS` when it is a number, terminal or not (else the terminal).
    ntm::report::fit::init(std::env::var("COLUMNS").ok().as_deref());
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut err = io::stderr();
    let result = ntm::run(cli, &mut out, &mut err)
        .and_then(|code| out.flush().map(|()| code).map_err(anyhow::Error::from));
    match result {
        Ok(code) => ExitCode::from(code as u8),
        // A closed pipe (`ntm evaluate … | head`) is not an error.
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => {
            // Line by line with control characters escaped: a value quoted in the error
            // cannot reach the terminal raw.
            let text = format!("{e:#}");
            let lines: Vec<_> = text.lines().map(ntm::text::escape_controls).collect();
            let _ = writeln!(err, "{}{}", console::error_prefix(), lines.join("\n"));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}
