//! Every file `ntm` writes goes through [`AtomicFile`]: the bytes go to a temporary file in
//! the target's folder, which is flushed, synced to disk and renamed over the target only
//! when the whole output is written. A run that fails or is killed midway leaves the old
//! file byte for byte; a run that fails leaves no temporary file either (one killed with
//! SIGKILL may leave a hidden `.NAME.ntm-tmp-*` beside the target, never a damaged target).
//! A target that exists and is neither a regular file nor a folder (`/dev/null`,
//! `/dev/stdout`, a named pipe) is written as it is: a file renamed over it would replace the
//! device or pipe itself (run as root, `-o /dev/null` turned `/dev/null` into a file).
//!
//! Owns only the writing; which files a run may write is `cmd::inputs`' job.

use std::ffi::OsString;
use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// Temporary files created by this process so far: with the process id, a unique name.
static COUNTER: AtomicUsize = AtomicUsize::new(0);

/// A file being written: a temporary file until [`AtomicFile::commit`] renames it over the
/// target. Dropped without `commit`, it removes the temporary file and the target is as it
/// was.
#[derive(Debug)]
pub(crate) struct AtomicFile {
    /// The file replaced on commit (a symbolic link's target, so the link stays).
    target: PathBuf,
    /// The temporary file; `None` for a device or pipe, written as it is.
    temp: Option<PathBuf>,
    file: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Start writing `path`: create an empty temporary file beside it (readable by the owner
    /// only until committed). Fails when the folder does not exist or cannot be written.
    pub(crate) fn begin(path: &Path) -> io::Result<Self> {
        // A device or a pipe (through any link) has no content to keep and must stay what
        // it is: written as it is, never replaced.
        if let Ok(m) = std::fs::metadata(path)
            && !m.is_file()
            && !m.is_dir()
        {
            let file = std::fs::OpenOptions::new().write(true).open(path)?;
            return Ok(AtomicFile {
                target: path.to_path_buf(),
                temp: None,
                file: Some(BufWriter::with_capacity(1 << 16, file)),
            });
        }
        // Through a symbolic link, the file it points to is replaced, not the link.
        let target = match std::fs::symlink_metadata(path) {
            Ok(m) if m.file_type().is_symlink() => std::fs::canonicalize(path)?,
            _ => path.to_path_buf(),
        };
        let dir = match target.parent() {
            Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
            _ => PathBuf::from("."),
        };
        let name = target.file_name().ok_or_else(|| {
            io::Error::new(
                io::ErrorKind::InvalidInput,
                format!("`{}` names no file", path.display()),
            )
        })?;
        loop {
            let n = COUNTER.fetch_add(1, Ordering::Relaxed);
            let mut temp_name = OsString::from(".");
            temp_name.push(name);
            temp_name.push(format!(".ntm-tmp-{}-{n}", std::process::id()));
            let temp = dir.join(temp_name);
            match create_new(&temp) {
                Ok(file) => {
                    return Ok(AtomicFile {
                        target,
                        temp: Some(temp),
                        file: Some(BufWriter::with_capacity(1 << 16, file)),
                    });
                }
                Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {}
                Err(e) => return Err(e),
            }
        }
    }

    /// Whether what is written is seen only once committed (a temporary file), rather than
    /// at once (a device or pipe written as it is).
    pub(crate) fn is_private(&self) -> bool {
        self.temp.is_some()
    }

    /// The temporary file being written (for tests).
    #[cfg(test)]
    pub(crate) fn temp_path(&self) -> Option<&Path> {
        self.temp.as_deref()
    }

    /// Finish: flush, give the file the target's permissions (or those of a new file),
    /// sync it to disk, rename it over the target and sync the folder.
    pub(crate) fn commit(mut self) -> io::Result<()> {
        let Some(writer) = self.file.take() else {
            return Err(io::Error::other("the file was already committed"));
        };
        let Some(temp) = self.temp.clone() else {
            // A device or pipe: what was written is out once flushed.
            return writer
                .into_inner()
                .map(drop)
                .map_err(io::IntoInnerError::into_error);
        };
        // Whatever step fails (the last flush on a full disk, the rename), the temporary
        // file goes and the target stays as it was.
        let done = (|| {
            let file = writer
                .into_inner()
                .map_err(io::IntoInnerError::into_error)?;
            let perms = match std::fs::metadata(&self.target) {
                Ok(m) => m.permissions(),
                Err(_) => new_file_permissions(&file)?,
            };
            file.set_permissions(perms)?;
            file.sync_all()?;
            drop(file);
            std::fs::rename(&temp, &self.target)
        })();
        if let Err(e) = done {
            let _ = std::fs::remove_file(&temp);
            return Err(e);
        }
        sync_dir(&self.target);
        Ok(())
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match &mut self.file {
            Some(f) => f.write(buf),
            None => Err(io::Error::other("the file was already committed")),
        }
    }

    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.write_all(buf),
            None => Err(io::Error::other("the file was already committed")),
        }
    }

    fn flush(&mut self) -> io::Result<()> {
        match &mut self.file {
            Some(f) => f.flush(),
            None => Ok(()),
        }
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.file.take().is_some()
            && let Some(temp) = &self.temp
        {
            let _ = std::fs::remove_file(temp);
        }
    }
}

/// A private temporary file for the run's own use (the spool of `evaluate`), in the
/// system's temporary folder (`TMPDIR`). On unix it is created 0600 and unlinked at once:
/// only the open handle keeps it, so it is gone however the run ends, even on SIGKILL.
/// Elsewhere it is removed when dropped.
#[derive(Debug)]
pub(crate) struct Scratch {
    /// The open file, for reading and writing.
    pub file: File,
    #[cfg(not(unix))]
    path: PathBuf,
}

impl Scratch {
    /// Create one; `prefix` starts its name while it has one.
    pub(crate) fn create(prefix: &str) -> io::Result<Scratch> {
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("{prefix}-{}-{n}.spool", std::process::id()));
        let mut options = std::fs::OpenOptions::new();
        options.read(true).write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options
            .open(&path)
            .map_err(|e| io::Error::new(e.kind(), format!("creating {}: {e}", path.display())))?;
        #[cfg(unix)]
        {
            std::fs::remove_file(&path)?;
            Ok(Scratch { file })
        }
        #[cfg(not(unix))]
        Ok(Scratch { file, path })
    }
}

// A scratch file reads, writes and seeks as its file does, so it can be handed over whole
// (the spool of `report::sink`), its removal with it.
impl Read for Scratch {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

impl Write for Scratch {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.file.write(buf)
    }

    fn flush(&mut self) -> io::Result<()> {
        self.file.flush()
    }
}

impl Seek for Scratch {
    fn seek(&mut self, pos: io::SeekFrom) -> io::Result<u64> {
        self.file.seek(pos)
    }
}

impl crate::report::sink::Spool for Scratch {
    fn file(&mut self) -> Option<&mut File> {
        Some(&mut self.file)
    }
}

#[cfg(not(unix))]
impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// A workbook is binary: refuse to write it (`workbook`) to standard output when that is a
/// terminal, where it would only garble the screen (`template`, `evaluate` and `summary`
/// with `--format xlsx`). To a pipe or a redirected file it is written.
pub(crate) fn refuse_workbook_to_terminal(
    workbook: bool,
    to_stdout: bool,
    stdout_terminal: bool,
) -> anyhow::Result<()> {
    if workbook && to_stdout && stdout_terminal {
        anyhow::bail!(
            "an xlsx workbook is not written to a terminal: pass `-o FILE.xlsx` (or redirect standard output to a file)"
        );
    }
    Ok(())
}

/// The file `-o` names (`None` for standard output: no `-o`, or `-`), once checked against
/// the format: a workbook (`workbook`) is refused to a terminal, and a `.xlsx` file for
/// another format is refused (it would hold text Excel cannot open).
pub(crate) fn output_file(output: Option<&Path>, workbook: bool) -> anyhow::Result<Option<&Path>> {
    let to_file = output.filter(|p| p.as_os_str() != "-");
    use std::io::IsTerminal;
    refuse_workbook_to_terminal(workbook, to_file.is_none(), io::stdout().is_terminal())?;
    if let Some(path) = to_file
        && !workbook
        && path
            .extension()
            .is_some_and(|e| e.eq_ignore_ascii_case("xlsx"))
    {
        anyhow::bail!(
            "-o {} names an xlsx workbook but the format is not xlsx: pass `--format xlsx`",
            path.display()
        );
    }
    Ok(to_file)
}

/// Write `bytes` to `path` atomically.
pub(crate) fn write_file(path: &Path, bytes: &[u8]) -> io::Result<()> {
    let mut f = AtomicFile::begin(path)?;
    f.write_all(bytes)?;
    f.commit()
}

#[cfg(unix)]
fn create_new(path: &Path) -> io::Result<File> {
    use std::os::unix::fs::OpenOptionsExt;
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)
}

#[cfg(not(unix))]
fn create_new(path: &Path) -> io::Result<File> {
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
}

/// What a file created by `open(…, 0666)` would get: 0666 less the process's umask.
#[cfg(unix)]
fn new_file_permissions(_file: &File) -> io::Result<std::fs::Permissions> {
    use std::os::unix::fs::PermissionsExt;
    Ok(std::fs::Permissions::from_mode(0o666 & !umask()))
}

#[cfg(not(unix))]
fn new_file_permissions(file: &File) -> io::Result<std::fs::Permissions> {
    Ok(file.metadata()?.permissions())
}

/// The process's umask, read where Linux shows it (setting it to read it would race with
/// other threads); 022, the usual one, elsewhere.
#[cfg(unix)]
fn umask() -> u32 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("Umask:"))
                .and_then(|v| u32::from_str_radix(v.trim(), 8).ok())
        })
        .unwrap_or(0o022)
}

/// Make the rename itself durable. Best effort: some file systems cannot sync a folder.
#[cfg(unix)]
fn sync_dir(target: &Path) {
    let dir = match target.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

#[cfg(not(unix))]
fn sync_dir(_target: &Path) {}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("ntm-output-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).expect("temp dir");
        d
    }

    fn names(d: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(d)
            .expect("read dir")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    /// Fails every write once `left` bytes are written: a full disk.
    struct FailAfter<W> {
        inner: W,
        left: usize,
    }

    impl<W: Write> Write for FailAfter<W> {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            if self.left == 0 {
                return Err(io::Error::other("no space left on device"));
            }
            let n = buf.len().min(self.left);
            self.left -= n;
            self.inner.write(&buf[..n])
        }
        fn flush(&mut self) -> io::Result<()> {
            self.inner.flush()
        }
    }

    /// What every write site does: render into the writer, commit only when all is written.
    fn render_then_commit(path: &Path, body: &[u8], fail_after: usize) -> io::Result<()> {
        let mut w = FailAfter {
            inner: AtomicFile::begin(path)?,
            left: fail_after,
        };
        for chunk in body.chunks(1000) {
            w.write_all(chunk)?;
        }
        w.inner.commit()
    }

    #[test]
    fn a_write_error_midway_leaves_the_old_file_and_no_temporary_file() {
        let d = dir("fail");
        let path = d.join("rules.toml");
        write_file(&path, b"old contents\n").expect("seed");
        let body = vec![b'x'; 200_000];
        let e = render_then_commit(&path, &body, 70_000).expect_err("the write fails");
        assert_eq!(e.to_string(), "no space left on device");
        assert_eq!(std::fs::read(&path).expect("read"), b"old contents\n");
        assert_eq!(names(&d), ["rules.toml"]);
        render_then_commit(&path, &body, usize::MAX).expect("writes");
        assert_eq!(std::fs::read(&path).expect("read"), body);
        assert_eq!(names(&d), ["rules.toml"]);
        std::fs::remove_dir_all(&d).ok();
    }

    #[test]
    fn a_failed_rename_leaves_no_temporary_file() {
        let d = dir("rename");
        let target = d.join("taken");
        std::fs::create_dir_all(target.join("inside")).expect("a folder in the way");
        let mut f = AtomicFile::begin(&target).expect("create");
        f.write_all(b"report").expect("write");
        assert!(f.commit().is_err(), "a file cannot replace a folder");
        assert_eq!(names(&d), ["taken"]);
        std::fs::remove_dir_all(&d).ok();
    }

    #[test]
    fn the_temporary_file_is_hidden_beside_the_target_and_private() {
        let d = dir("temp");
        let path = d.join("report.html");
        let f = AtomicFile::begin(&path).expect("create");
        let temp = f.temp_path().expect("a temporary file").to_path_buf();
        assert_eq!(temp.parent(), Some(d.as_path()));
        let name = temp
            .file_name()
            .expect("name")
            .to_string_lossy()
            .into_owned();
        assert!(
            name.starts_with(".report.html.ntm-tmp-"),
            "{name} is not hidden beside the target"
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&temp).expect("temp").permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        assert!(!path.exists(), "nothing is written before commit");
        drop(f);
        assert!(names(&d).is_empty());
        std::fs::remove_dir_all(&d).ok();
    }

    #[cfg(unix)]
    /// A named pipe stays a pipe and gets the bytes (regression: a file renamed over the
    /// target replaced `/dev/null` itself when `-o /dev/null` ran as root).
    #[cfg(unix)]
    #[test]
    fn a_pipe_is_written_as_it_is_not_replaced() {
        use std::os::unix::fs::FileTypeExt;
        let d = dir("fifo");
        let path = d.join("out.pipe");
        let made = std::process::Command::new("mkfifo").arg(&path).status();
        if !made.is_ok_and(|s| s.success()) {
            eprintln!("skipped: no mkfifo");
            return;
        }
        let reader = {
            let path = path.clone();
            std::thread::spawn(move || std::fs::read(path).expect("read the pipe"))
        };
        let mut f = AtomicFile::begin(&path).expect("open the pipe");
        assert!(f.temp_path().is_none(), "no temporary file for a pipe");
        f.write_all(b"through the pipe\n").expect("write");
        f.commit().expect("commit");
        // Checked before the reader is joined: a replaced pipe would leave it waiting.
        let kind = std::fs::symlink_metadata(&path)
            .expect("still there")
            .file_type();
        assert!(kind.is_fifo(), "the pipe was replaced by {kind:?}");
        assert_eq!(reader.join().expect("reader"), b"through the pipe\n");
        assert_eq!(names(&d), ["out.pipe"], "no temporary file left");
        std::fs::remove_dir_all(&d).ok();
    }

    #[test]
    fn commit_keeps_the_target_mode_and_replaces_the_file_a_link_points_to() {
        use std::os::unix::fs::PermissionsExt;
        let d = dir("mode");
        let real = d.join("real.toml");
        write_file(&real, b"old").expect("seed");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        let link = d.join("link.toml");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        write_file(&link, b"new").expect("write");
        assert_eq!(std::fs::read(&real).expect("read"), b"new");
        assert!(
            std::fs::symlink_metadata(&link)
                .expect("link")
                .file_type()
                .is_symlink()
        );
        let mode = std::fs::metadata(&real).expect("real").permissions().mode();
        assert_eq!(mode & 0o777, 0o640);
        // A new file gets 0666 less the umask, as `File::create` would give it.
        let fresh = d.join("fresh.csv");
        write_file(&fresh, b"a").expect("write");
        let mode = std::fs::metadata(&fresh)
            .expect("fresh")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o666 & !umask());
        std::fs::remove_dir_all(&d).ok();
    }

    #[test]
    fn a_workbook_to_a_terminal_is_refused_and_says_to_pass_o() {
        let e = refuse_workbook_to_terminal(true, true, true).map_err(|e| e.to_string());
        assert!(
            matches!(&e, Err(m) if m.contains("pass `-o FILE.xlsx`")),
            "{e:?}"
        );
        assert!(refuse_workbook_to_terminal(true, true, false).is_ok());
        assert!(refuse_workbook_to_terminal(true, false, true).is_ok());
        assert!(refuse_workbook_to_terminal(false, true, true).is_ok());
    }
}
