//! `--meta FILE`: the run's provenance ([`Meta`], the object JSON output puts under
//! `"meta"`) written as JSON beside the output, whatever its format, so that a CSV can stay
//! plain. Owns when the file is started, refused and put in place; the bytes are
//! `report::json::write_meta_json`'s, the writing `cmd::output::AtomicFile`'s.

use std::path::Path;

use anyhow::{Context, bail};

use crate::cmd::inputs::{Inputs, same_output};
use crate::cmd::output::AtomicFile;
use crate::record::Meta;
use crate::report::json::write_meta_json;

/// The `--meta` file of a run: a temporary file beside it from the start (so a folder that
/// cannot be written stops the run before any data is read), put in place by
/// [`MetaFile::commit`] once the output is written. Dropped without it (a failed run), the
/// file is left as it was.
#[derive(Debug)]
pub(crate) struct MetaFile<'a> {
    path: &'a Path,
    file: AtomicFile,
}

impl<'a> MetaFile<'a> {
    /// Start writing `path`. Standard output (`-`) is refused: it carries the output.
    pub(crate) fn begin(path: &'a Path) -> anyhow::Result<Self> {
        if path.as_os_str() == "-" {
            bail!("--meta -: standard output carries the output; name a file for the provenance");
        }
        if path.is_dir() {
            bail!("--meta {} is a folder; name a file", path.display());
        }
        let file = AtomicFile::begin(path).with_context(|| context(path))?;
        Ok(MetaFile { path, file })
    }

    /// Refuse the file when it is one of `inputs` or the same file as another output of the
    /// run (`outputs`: each flag and its file).
    pub(crate) fn check(&self, inputs: &Inputs, outputs: &[(&str, &Path)]) -> anyhow::Result<()> {
        inputs.check("--meta", self.path)?;
        for (flag, other) in outputs {
            if other.as_os_str() != "-" && same_output(self.path, other) {
                bail!(
                    "--meta {} is the same file as {flag} {}: name two different files",
                    self.path.display(),
                    other.display()
                );
            }
        }
        Ok(())
    }

    /// Write `meta` and put the file in place.
    pub(crate) fn commit(mut self, meta: &Meta) -> anyhow::Result<()> {
        let path = self.path;
        write_meta_json(&mut self.file, meta).with_context(|| context(path))?;
        self.file.commit().with_context(|| context(path))
    }
}

fn context(path: &Path) -> String {
    format!("writing --meta {}", path.display())
}
