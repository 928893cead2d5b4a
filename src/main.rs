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
    let mut out = io::BufWriter::new(stdout());
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

/// Standard output, to be buffered once by the caller. std's own handle buffers by line: a
/// large write with no newline in it (compact JSON is one line) is searched for one in full,
/// 4 % of the CPU of `evaluate --format json` on 1,000,000 rows (issue #14). So where standard
/// output is not a terminal, ntm writes to a duplicate of its descriptor, which writes what
/// it is given as it is; to a terminal, std's handle, whose lines show as they come.
fn stdout() -> Box<dyn Write> {
    #[cfg(unix)]
    if !io::stdout().is_terminal() {
        use std::os::fd::AsFd;
        if let Ok(fd) = io::stdout().as_fd().try_clone_to_owned() {
            return Box::new(std::fs::File::from(fd));
        }
    }
    Box::new(io::stdout().lock())
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}
