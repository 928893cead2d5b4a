//! The files a run reads, known by identity (device and inode on unix, the canonical path
//! elsewhere), so that no output is ever one of them: `-o a.csv` for input `a.csv`, through
//! a symbolic or a hard link, the ruleset, a base it `extends`, a targets file, or the file
//! standard input is redirected from. Owns only the refusal; writing is `cmd::output`'s job.

use std::path::Path;

/// What makes two paths the same file.
#[derive(Debug, Clone, PartialEq, Eq)]
enum FileId {
    #[cfg(unix)]
    Inode { dev: u64, ino: u64 },
    #[cfg(not(unix))]
    Canonical(std::path::PathBuf),
}

impl FileId {
    /// The file `path` names, after following links; `None` when there is none.
    fn of(path: &Path) -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::unix::fs::MetadataExt;
            let m = std::fs::metadata(path).ok()?;
            Some(FileId::Inode {
                dev: m.dev(),
                ino: m.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            std::fs::canonicalize(path).ok().map(FileId::Canonical)
        }
    }

    /// The regular file standard input reads from, if it is one (not a pipe or terminal).
    fn of_stdin() -> Option<FileId> {
        #[cfg(unix)]
        {
            use std::os::fd::AsFd;
            use std::os::unix::fs::MetadataExt;
            let fd = std::io::stdin().as_fd().try_clone_to_owned().ok()?;
            let m = std::fs::File::from(fd).metadata().ok()?;
            m.is_file().then(|| FileId::Inode {
                dev: m.dev(),
                ino: m.ino(),
            })
        }
        #[cfg(not(unix))]
        {
            None
        }
    }
}

/// The files a run reads, each with how it is named to the user.
#[derive(Debug, Default)]
pub(crate) struct Inputs {
    files: Vec<(FileId, String)>,
}

impl Inputs {
    /// Add the file at `path` (`-`: the file behind standard input, if any), described as
    /// `what` (`data file a.csv`). A path naming no file is skipped: nothing can overwrite it.
    pub(crate) fn add(&mut self, path: &Path, what: impl Into<String>) {
        let id = if path.as_os_str() == "-" {
            FileId::of_stdin()
        } else {
            FileId::of(path)
        };
        if let Some(id) = id {
            self.files.push((id, what.into()));
        }
    }

    /// Add every data file of a run.
    pub(crate) fn add_data(&mut self, files: &[std::path::PathBuf]) {
        for f in files {
            let what = if f.as_os_str() == "-" {
                "standard input".to_string()
            } else {
                format!("data file {}", f.display())
            };
            self.add(f, what);
        }
    }

    /// Add the ruleset files a load read (the file and each base it extends).
    pub(crate) fn add_ruleset(&mut self, files: &[String]) {
        for f in files {
            self.add(Path::new(f), format!("ruleset {f}"));
        }
    }

    /// Refuse `output` (given as `flag`, e.g. `-o`) when it is the same file as an input.
    /// An output that does not exist yet cannot be an input.
    pub(crate) fn check(&self, flag: &str, output: &Path) -> anyhow::Result<()> {
        if output.as_os_str() == "-" {
            return Ok(());
        }
        let Some(id) = FileId::of(output) else {
            return Ok(());
        };
        if let Some((_, what)) = self.files.iter().find(|(i, _)| *i == id) {
            anyhow::bail!(
                "{flag} {} is the same file as the {what} this run reads: it would be overwritten; name another file",
                output.display()
            );
        }
        Ok(())
    }
}

/// Whether the outputs `a` and `b` are the same file: the same file by identity when both
/// exist, else the same name in the same folder (the folder resolved, so `./m.json` and
/// `m.json` are one). Two outputs of a run must differ: the second would replace the first.
pub(crate) fn same_output(a: &Path, b: &Path) -> bool {
    if let (Some(x), Some(y)) = (FileId::of(a), FileId::of(b)) {
        return x == y;
    }
    fn place(p: &Path) -> Option<std::path::PathBuf> {
        let dir = match p.parent() {
            Some(d) if !d.as_os_str().is_empty() => d,
            _ => Path::new("."),
        };
        Some(std::fs::canonicalize(dir).ok()?.join(p.file_name()?))
    }
    match (place(a), place(b)) {
        (Some(x), Some(y)) => x == y,
        _ => a == b,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_to_an_input_are_the_input_and_new_files_are_not() {
        let d = std::env::temp_dir().join(format!("ntm-inputs-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("dir");
        let a = d.join("a.csv");
        super::super::output::write_file(&a, b"code\n1\n").expect("seed");
        let mut inputs = Inputs::default();
        inputs.add_data(std::slice::from_ref(&a));
        let e = inputs.check("-o", &a).expect_err("same path");
        assert!(
            e.to_string().contains("is the same file as the data file"),
            "{e}"
        );
        let hard = d.join("hard.csv");
        std::fs::hard_link(&a, &hard).expect("hard link");
        assert!(inputs.check("-o", &hard).is_err());
        #[cfg(unix)]
        {
            let soft = d.join("soft.csv");
            std::os::unix::fs::symlink(&a, &soft).expect("symlink");
            assert!(inputs.check("-o", &soft).is_err());
        }
        let dotted = d.join(".").join("a.csv");
        assert!(inputs.check("-o", &dotted).is_err());
        assert!(inputs.check("-o", &d.join("new.csv")).is_ok());
        assert!(inputs.check("-o", Path::new("-")).is_ok());
        // Two outputs: the same file whether or not it exists yet.
        assert!(same_output(&a, &dotted));
        assert!(same_output(&hard, &a));
        assert!(same_output(&d.join("m.json"), &d.join(".").join("m.json")));
        assert!(!same_output(&d.join("m.json"), &d.join("n.json")));
        assert!(!same_output(&a, &d.join("m.json")));
        std::fs::remove_dir_all(&d).ok();
    }
}
