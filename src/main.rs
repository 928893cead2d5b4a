//! The `ntm` binary: parse arguments, run, map the outcome to an exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

/// mimalloc: rows are allocated on the reading thread and freed on the rendering threads,
/// which glibc's allocator serialises on its arena lock (issue #7, docs/performance.md).
#[global_allocator]
static ALLOC: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let cli = ntm::cli::Cli::parse();
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
            let _ = writeln!(err, "ntm: error: {}", lines.join("\n"));
            ExitCode::from(2)
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}
