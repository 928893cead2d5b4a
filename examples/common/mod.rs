//! What the timing examples (`read_only`, `render_only`) share: their arguments, the first
//! rows of the file held in memory, and the default ruleset.

use std::process::ExitCode;

use ntm::ruleset::{Ruleset, builtin, load_str};

/// A timing example's input: the file's first `limit` rows, the passes to time, the ruleset.
pub struct Setup {
    pub path: String,
    /// The file's bytes; the first `limit` rows are `bytes[..end]`.
    pub bytes: Vec<u8>,
    pub end: usize,
    pub passes: usize,
    pub rs: Ruleset,
}

/// Reads `FILE.csv [ROWS [PASSES]]` from the command line (ROWS and PASSES default to
/// `rows` and `passes`); on a bad argument or file, says why as `name` and gives the exit.
pub fn setup(name: &str, rows: usize, passes: usize) -> Result<Setup, ExitCode> {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: {name} FILE.csv [ROWS [PASSES]]");
        return Err(ExitCode::from(2));
    };
    let limit: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(rows);
    let passes: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(passes);
    let bytes = std::fs::read(&path).map_err(|e| {
        eprintln!("{name}: {path}: {e}");
        ExitCode::from(2)
    })?;
    // The first `limit` rows, cut at a line end.
    let mut end = bytes.len();
    let mut lines = 0;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'\n' {
            lines += 1;
            if lines > limit {
                end = i + 1;
                break;
            }
        }
    }
    let Some((id, text)) = builtin::get(builtin::DEFAULT_ID) else {
        eprintln!("{name}: no default ruleset");
        return Err(ExitCode::from(2));
    };
    let Some(rs) = load_str(text, id).0 else {
        eprintln!("{name}: the default ruleset does not load");
        return Err(ExitCode::from(2));
    };
    Ok(Setup {
        path,
        bytes,
        end,
        passes,
        rs,
    })
}
