//! One load per config: the loaded DB kept closed on disk, and each run on a hard-linked
//! clone of it, so every repeat starts from the same files.

use crate::dbdir::DbDir;
use crate::engine::{Engine, EngineConfig};
use crate::error::{Error, Result};
use crate::model::PhaseResult;
use crate::runner::{run_phase, AfterWrite, NoObserver, PhaseOptions};
use crate::workload::PhaseSpec;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A loaded DB kept closed on disk; runs use hard-linked clones of it.
pub struct Template {
    dir: DbDir,
    pub load: PhaseResult,
    pub load_s: f64,
}

impl Template {
    fn db(&self) -> PathBuf {
        self.dir.path().join("db")
    }

    /// Loads a fresh DB with `cfg` (then flushes and waits for compactions).
    pub fn load(cfg: &EngineConfig, load: &PhaseSpec) -> Result<Template> {
        let t0 = Instant::now();
        let dir = DbDir::temporary(None)?;
        let db = dir.path().join("db");
        let e = Engine::open(cfg, &db)?;
        let opts = PhaseOptions::new("load", AfterWrite::FlushAndWait);
        let r = run_phase(&e, load, &opts, &mut NoObserver)?;
        drop(e);
        Ok(Template {
            dir,
            load: r,
            load_s: t0.elapsed().as_secs_f64(),
        })
    }

    /// Runs `run` on a clone of the loaded DB with `cfg`; the clone is removed afterwards.
    pub fn run_on_clone(&self, cfg: &EngineConfig, run: &PhaseSpec) -> Result<PhaseResult> {
        let dir = DbDir::temporary(None)?;
        let db = dir.path().join("db");
        clone_db(&self.db(), &db)?;
        let e = Engine::open(cfg, &db)?;
        let opts = PhaseOptions::new("run", AfterWrite::WaitForCompaction);
        run_phase(&e, run, &opts, &mut NoObserver)
    }
}

/// Copies a closed DB: SST files are hard links (immutable), the rest is copied; info logs
/// are left out.
fn clone_db(src: &Path, dst: &Path) -> Result<()> {
    std::fs::create_dir_all(dst).map_err(|e| Error::io("creating", dst, e))?;
    for f in std::fs::read_dir(src)
        .map_err(|e| Error::io("reading", src, e))?
        .flatten()
    {
        let name = f.file_name();
        let n = name.to_string_lossy();
        if n.starts_with("LOG") {
            continue;
        }
        let to = dst.join(&name);
        let res = if n.ends_with(".sst") {
            std::fs::hard_link(f.path(), &to)
        } else {
            std::fs::copy(f.path(), &to).map(|_| ())
        };
        res.map_err(|e| Error::io("cloning", f.path(), e))?;
    }
    Ok(())
}
