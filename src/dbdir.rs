//! DB directories and who owns them. rdbtune deletes only directories it created in this
//! process *and* marked with [`MARKER`]; a `--db` the user names is never deleted.

use crate::error::{Error, Result};
use std::path::{Path, PathBuf};

/// File rdbtune writes into every DB directory it creates.
pub const MARKER: &str = ".rdbtune-created";

/// A DB directory for one run.
#[derive(Debug)]
pub struct DbDir {
    path: PathBuf,
    /// Created by this process as a temporary DB: removed on drop.
    temporary: bool,
}

impl DbDir {
    /// A fresh temporary directory under `parent` (default: the system temp dir), marked and
    /// removed when this value drops.
    pub fn temporary(parent: Option<&Path>) -> Result<DbDir> {
        let parent = parent.map_or_else(std::env::temp_dir, Path::to_path_buf);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.subsec_nanos());
        let path = parent.join(format!("rdbtune-{}-{nanos:09}", std::process::id()));
        std::fs::create_dir_all(&path)
            .map_err(|e| Error::io("creating temporary DB directory", &path, e))?;
        write_marker(&path)?;
        Ok(DbDir {
            path,
            temporary: true,
        })
    }

    /// A directory the user named with `flag` (e.g. `--db`). It is created when missing and
    /// used when empty; an existing RocksDB is opened in place only with `reuse`
    /// (`--db-reuse`); anything else is refused, so rdbtune never writes into a folder of
    /// unrelated files or into a DB nobody said it may change. Never deleted.
    pub fn user(path: &Path, flag: &str, reuse: bool) -> Result<DbDir> {
        if path.exists() {
            if !path.is_dir() {
                return Err(Error::usage(format!(
                    "{flag} {}: exists and is not a directory; point {flag} at a new or empty directory",
                    path.display()
                )));
            }
            let entries: Vec<_> = std::fs::read_dir(path)
                .map_err(|e| {
                    Error::usage(format!(
                        "{flag} {}: cannot read directory: {e}",
                        path.display()
                    ))
                })?
                .flatten()
                .collect();
            let is_rocksdb = path.join("CURRENT").is_file();
            if is_rocksdb && !reuse {
                return Err(Error::usage(format!(
                    "{flag} {}: holds a RocksDB database; add --db-reuse to open it in place (rdbtune writes into it and never deletes it), or point {flag} at a new directory",
                    path.display()
                )));
            }
            if !entries.is_empty() && !is_rocksdb {
                return Err(Error::usage(format!(
                    "{flag} {}: directory holds files that are not a RocksDB database; point {flag} at a new or empty directory (rdbtune never writes into or deletes other data)",
                    path.display()
                )));
            }
            if entries.is_empty() {
                write_marker(path).map_err(|e| {
                    Error::usage(format!(
                        "{flag} {}: directory is not writable: {e}",
                        path.display()
                    ))
                })?;
            } else {
                check_writable(path, flag)?;
            }
        } else {
            std::fs::create_dir_all(path).map_err(|e| {
                Error::usage(format!(
                    "{flag} {}: cannot create directory: {e}; choose a writable path",
                    path.display()
                ))
            })?;
            write_marker(path).map_err(|e| {
                Error::usage(format!(
                    "{flag} {}: directory is not writable: {e}",
                    path.display()
                ))
            })?;
        }
        Ok(DbDir {
            path: path.to_path_buf(),
            temporary: false,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the directory is removed when this value drops.
    pub fn is_temporary(&self) -> bool {
        self.temporary
    }

    /// Keeps a temporary directory on disk (e.g. `--keep-db`).
    pub fn keep(&mut self) {
        self.temporary = false;
    }
}

impl Drop for DbDir {
    fn drop(&mut self) {
        if self.temporary && self.path.join(MARKER).is_file() {
            let _ = std::fs::remove_dir_all(&self.path);
        }
    }
}

fn write_marker(dir: &Path) -> Result<()> {
    let m = dir.join(MARKER);
    std::fs::write(&m, b"created by rdbtune\n").map_err(|e| Error::io("writing", &m, e))
}

fn check_writable(dir: &Path, flag: &str) -> Result<()> {
    let probe = dir.join(format!(".rdbtune-probe-{}", std::process::id()));
    std::fs::write(&probe, b"")
        .and_then(|_| std::fs::remove_file(&probe))
        .map_err(|e| {
            Error::usage(format!(
                "{flag} {}: directory is not writable: {e}",
                dir.display()
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn temporary_is_removed_user_dirs_are_not() {
        let base = tempfile::tempdir().unwrap();
        let p = {
            let d = DbDir::temporary(Some(base.path())).unwrap();
            assert!(d.path().join(MARKER).is_file());
            d.path().to_path_buf()
        };
        assert!(!p.exists());
        // A temporary directory whose marker is gone (replaced by someone else's) stays.
        let p = {
            let d = DbDir::temporary(Some(base.path())).unwrap();
            std::fs::remove_file(d.path().join(MARKER)).unwrap();
            std::fs::write(d.path().join("theirs.txt"), "not ours").unwrap();
            d.path().to_path_buf()
        };
        assert!(p.join("theirs.txt").is_file(), "no marker, no delete");

        let mine = base.path().join("mine");
        std::fs::create_dir(&mine).unwrap();
        std::fs::write(mine.join("notes.txt"), "keep me").unwrap();
        let e = DbDir::user(&mine, "--db", true).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("--db") && e.to_string().contains("mine"));
        assert!(mine.join("notes.txt").is_file());

        let fresh = base.path().join("fresh/db");
        drop(DbDir::user(&fresh, "--db", false).unwrap());
        assert!(fresh.join(MARKER).is_file(), "user-named dirs stay");
    }

    #[test]
    fn unwritable_paths_are_usage_errors() {
        let base = tempfile::tempdir().unwrap();
        let file = base.path().join("plainfile");
        std::fs::write(&file, "x").unwrap();
        let e = DbDir::user(&file.join("db"), "--db", false).unwrap_err();
        assert_eq!(e.exit_code(), 2);
        assert!(e.to_string().contains("cannot create directory"), "{e}");
        let e = DbDir::user(&file, "--db", false).unwrap_err();
        assert!(e.to_string().contains("not a directory"), "{e}");
    }
}
