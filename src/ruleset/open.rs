//! Opening a ruleset named by a built-in id or a path: find its text, follow `extends` (a
//! built-in id, else a path relative to the extending file), validate, and list the files read.
//!
//! The one way the commands get a ruleset. Files are read through [`Files`], which the commands
//! supply (`src/cmd/` is the only place that opens files), so this module stays pure and is
//! tested with files held in memory.

use std::cell::RefCell;

use super::builtin;
use super::load::{Base, load_with_identity};
use super::model::Ruleset;
use crate::diag::Diagnostic;

/// How ruleset files are read.
pub trait Files {
    /// A ruleset file's UTF-8 text, bounded in size; an unreadable file is a diagnostic
    /// (`unreadable-file`, `invalid-utf8`, `ruleset-too-large`) located at `path`.
    fn read(&self, path: &str) -> Result<String, Box<Diagnostic>>;
    /// What the file at `path` is however its path is spelled (`a.toml`, `./a.toml`, a link):
    /// its canonical path, or `path` itself when it has none. Finds cycles of `extends`.
    fn identity(&self, path: &str) -> String;
}

/// A ruleset's text and how to name it.
#[derive(Debug, Clone)]
pub struct Source {
    /// `builtin:<id>` or the path.
    pub label: String,
    /// Path used in diagnostics.
    pub path: String,
    /// The TOML text.
    pub text: String,
    /// The files read to load it: the ruleset file and every base it extends (none for a
    /// built-in). Complete after [`load`]; outputs must not be one of them (`cmd::inputs`).
    pub files: Vec<String>,
}

/// A ruleset opened: the model when it has no error, its diagnostics, and where it came from.
#[derive(Debug)]
pub struct Opened {
    /// The validated ruleset; `None` when it has errors.
    pub ruleset: Option<Ruleset>,
    /// Every diagnostic of reading, extending and validating it.
    pub diags: Vec<Diagnostic>,
    /// Its text and the files read.
    pub source: Source,
}

/// Open the ruleset `spec`, a built-in id or a file path, following `extends`. `Err` when
/// `spec` cannot be read at all; problems in its text are in [`Opened::diags`].
pub fn open(spec: &str, files: &dyn Files) -> Result<Opened, Box<Diagnostic>> {
    Ok(load(source(spec, files)?, files))
}

/// Find ruleset `spec`: a built-in id, else a file path. An unreadable file is a diagnostic,
/// with the built-in ids as help when the file is missing.
pub fn source(spec: &str, files: &dyn Files) -> Result<Source, Box<Diagnostic>> {
    if let Some((path, text)) = builtin::get(spec) {
        return Ok(Source {
            label: format!("builtin:{spec}"),
            path: path.to_string(),
            text: text.to_string(),
            files: Vec::new(),
        });
    }
    let text = files.read(spec).map_err(|d| {
        if d.code != "unreadable-file" {
            return d;
        }
        let ids: Vec<&str> = builtin::BUILTIN.iter().map(|(id, _, _)| *id).collect();
        Box::new(d.help(format!(
            "give a ruleset file or a built-in id: `{}`",
            ids.join("`, `")
        )))
    })?;
    Ok(Source {
        label: spec.to_string(),
        path: spec.to_string(),
        text,
        files: vec![spec.to_string()],
    })
}

/// Parse and validate a found source, following `extends`; its `files` gain every base file
/// read.
pub fn load(mut src: Source, files: &dyn Files) -> Opened {
    let read = RefCell::new(std::mem::take(&mut src.files));
    let resolve = |spec: &str, from: &str| {
        let found = base(spec, from, files);
        if let Ok(b) = &found
            && builtin::get(spec).is_none()
        {
            read.borrow_mut().push(b.path.clone());
        }
        found
    };
    let identity = if src.label.starts_with("builtin:") {
        src.label.clone()
    } else {
        files.identity(&src.path)
    };
    let (ruleset, diags) = load_with_identity(&src.text, &src.path, &identity, &resolve);
    src.files = read.into_inner();
    Opened {
        ruleset,
        diags,
        source: src,
    }
}

/// The ruleset that `src` extends, loaded; `None` when it extends none or the base does not
/// load (its diagnostics are reported with `src`'s).
pub fn base_of(src: &Source, files: &dyn Files) -> Option<Ruleset> {
    let value: toml::Value = toml::from_str(&src.text).ok()?;
    let spec = value.get("ruleset")?.get("extends")?.as_str()?;
    let b = base(spec, &src.path, files).ok()?;
    let resolve = |spec: &str, from: &str| base(spec, from, files);
    load_with_identity(&b.text, &b.path, &b.identity, &resolve).0
}

/// The base named by `extends = SPEC` in the file FROM: a built-in id, else a file path
/// relative to FROM's folder.
fn base(spec: &str, from: &str, files: &dyn Files) -> Result<Base, String> {
    if let Some((path, text)) = builtin::get(spec) {
        return Ok(Base {
            path: path.to_string(),
            text: text.to_string(),
            identity: format!("builtin:{spec}"),
        });
    }
    let dir = std::path::Path::new(from)
        .parent()
        .unwrap_or(std::path::Path::new(""));
    let path = dir.join(spec).to_string_lossy().replace('\\', "/");
    match files.read(&path) {
        Ok(text) => Ok(Base {
            identity: files.identity(&path),
            path,
            text,
        }),
        Err(d) => Err(format!("{} (not a built-in id either)", d.message)),
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    /// Files held in memory; a path's identity drops `./` as a canonical path would.
    struct Memory(BTreeMap<&'static str, String>);

    impl Files for Memory {
        fn read(&self, path: &str) -> Result<String, Box<Diagnostic>> {
            self.0
                .get(self.identity(path).as_str())
                .cloned()
                .ok_or_else(|| {
                    Box::new(Diagnostic::error(
                        "unreadable-file",
                        format!("cannot read `{path}`: no such file"),
                    ))
                })
        }
        fn identity(&self, path: &str) -> String {
            path.replace("/./", "/")
                .trim_start_matches("./")
                .to_string()
        }
    }

    fn province() -> Memory {
        let head = |id: &str, extends: &str| {
            format!(
                "[ruleset]\nid = \"{id}\"\nextends = \"{extends}\"\nname = \"N\"\n\
                 name_vi = \"N\"\ndecision = \"none\"\n"
            )
        };
        Memory(BTreeMap::from([
            ("dir/p.toml", head("p", "ntm-2021-2025")),
            ("dir/d.toml", head("d", "./p.toml")),
        ]))
    }

    #[test]
    fn a_builtin_id_opens_without_reading_a_file() {
        let o = open("ntm-2021-2025", &Memory(BTreeMap::new())).expect("built in");
        assert!(o.ruleset.is_some(), "{:?}", o.diags);
        assert_eq!(o.source.label, "builtin:ntm-2021-2025");
        assert!(o.source.files.is_empty());
    }

    #[test]
    fn a_chain_of_files_lists_every_file_read_but_not_the_builtin() {
        let o = open("dir/d.toml", &province()).expect("readable");
        let rs = o.ruleset.unwrap_or_else(|| panic!("{:?}", o.diags));
        assert_eq!(rs.extends.as_deref(), Some("p"));
        assert_eq!(o.source.files, ["dir/d.toml", "dir/./p.toml"]);
        let base = base_of(&o.source, &province()).expect("base loads");
        assert_eq!(base.id, "p");
    }

    #[test]
    fn a_missing_file_is_refused_with_the_builtin_ids() {
        let d = open("nope.toml", &province()).expect_err("missing");
        assert_eq!(d.code, "unreadable-file");
        assert!(
            d.help
                .as_deref()
                .is_some_and(|h| h.contains("ntm-2021-2025"))
        );
    }

    #[test]
    fn a_cycle_is_found_whatever_the_spelling_of_the_path() {
        let files = Memory(BTreeMap::from([(
            "dir/a.toml",
            "[ruleset]\nid = \"a\"\nextends = \"./a.toml\"\nname = \"N\"\nname_vi = \"N\"\n\
             decision = \"none\"\n"
                .to_string(),
        )]));
        let o = open("dir/a.toml", &files).expect("readable");
        assert!(o.ruleset.is_none());
        assert!(
            o.diags.iter().any(|d| d.code == "extends-cycle"),
            "{:?}",
            o.diags
        );
    }
}
