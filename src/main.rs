//! The `ntm` binary: parse arguments, run, map the outcome to an exit code.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    let cli = ntm::cli::Cli::parse();
    let stdout = io::stdout();
    let mut out = io::BufWriter::new(stdout.lock());
    let mut err = io::stderr();
    let result = ntm::run(cli, &mut out, &mut err).and_then(|code| Ok((out.flush(), code)));
    match result {
        Ok((Ok(()), code)) => ExitCode::from(code as u8),
        Ok((Err(e), _)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Ok((Err(e), _)) => report(&mut err, &anyhow::Error::from(e)),
        Err(e) if is_broken_pipe(&e) => ExitCode::SUCCESS,
        Err(e) => report(&mut err, &e),
    }
}

fn report(err: &mut dyn Write, e: &anyhow::Error) -> ExitCode {
    let _ = writeln!(err, "ntm: error: {e:#}");
    ExitCode::from(2)
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<io::Error>())
        .any(|io| io.kind() == io::ErrorKind::BrokenPipe)
}
