//! One load per config: the loaded DB kept closed on disk, and each run on a hard-linked
//! clone of it, so every repeat starts from the same files.

use crate::dbdir::DbDir;
use crate::engine::{Engine, EngineConfig};
use crate::error::{Error, Result};
use crate::model::{PhaseResult, PhaseTemplate};
use crate::runner::{run_phase, AfterWrite, NoObserver, PhaseOptions};
use std::path::{Path, PathBuf};
use std::time::Instant;

/// A loaded DB kept closed on disk; runs use hard-linked clones of it.
pub struct Template {
    dir: DbDir,
    /// The load phases' results (empty when the run starts from an empty DB).
    pub load: Vec<PhaseResult>,
    pub load_s: f64,
}

impl Template {
    fn db(&self) -> PathBuf {
        self.dir.path().join("db")
    }

    /// Loads a fresh DB with `cfg`: each load phase, then a flush and a wait for
    /// compactions (no phase: an empty DB).
    pub fn load(cfg: &EngineConfig, load: &[PhaseTemplate]) -> Result<Template> {
        let t0 = Instant::now();
        let dir = DbDir::temporary(None)?;
        let db = dir.path().join("db");
        let e = Engine::open(cfg, &db)?;
        let mut results = Vec::new();
        for p in load {
            let opts = PhaseOptions::new(&p.label, AfterWrite::FlushAndWait);
            results.push(run_phase(&e, &p.spec, &opts, &mut NoObserver)?);
        }
        drop(e);
        release_memory();
        Ok(Template {
            dir,
            load: results,
            load_s: t0.elapsed().as_secs_f64(),
        })
    }

    /// Runs `run`'s phases on a clone of the loaded DB with `cfg`, its files read into the
    /// page cache first (untimed); the clone is removed afterwards, and the memory the DB
    /// held is handed back to the system so the next config's RSS is its own.
    pub fn run_on_clone(
        &self,
        cfg: &EngineConfig,
        run: &[PhaseTemplate],
    ) -> Result<Vec<PhaseResult>> {
        let dir = DbDir::temporary(None)?;
        let db = dir.path().join("db");
        clone_db(&self.db(), &db)?;
        warm_page_cache(&db)?;
        let e = Engine::open(cfg, &db)?;
        let mut out = Vec::new();
        for p in run {
            let opts = PhaseOptions::new(&p.label, AfterWrite::WaitForCompaction);
            out.push(run_phase(&e, &p.spec, &opts, &mut NoObserver)?);
        }
        drop(e);
        release_memory();
        Ok(out)
    }
}

/// Returns freed heap memory to the system (glibc's malloc_trim), so RSS measured during
/// the next config's run is not the last one's cache left in the heap.
pub fn release_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only walks glibc's own free lists.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Reads every table and blob file of the DB at `db` once, so each run starts with its
/// files in the page cache: whichever config ran before, and however much of the cache the
/// system dropped since (a VM's host can reclaim it within minutes), no run is billed for
/// reading its data from the device while another is not.
fn warm_page_cache(db: &Path) -> Result<()> {
    for f in std::fs::read_dir(db)
        .map_err(|e| Error::io("reading", db, e))?
        .flatten()
    {
        let n = f.file_name();
        let n = n.to_string_lossy();
        if n.ends_with(".sst") || n.ends_with(".blob") {
            let p = f.path();
            let mut file = std::fs::File::open(&p).map_err(|e| Error::io("opening", &p, e))?;
            std::io::copy(&mut file, &mut std::io::sink())
                .map_err(|e| Error::io("reading", &p, e))?;
        }
    }
    Ok(())
}

/// Copies a closed DB: SST and blob files are hard links (immutable), the rest is copied;
/// info logs are left out.
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
        let res = if n.ends_with(".sst") || n.ends_with(".blob") {
            std::fs::hard_link(f.path(), &to)
        } else {
            std::fs::copy(f.path(), &to).map(|_| ())
        };
        res.map_err(|e| Error::io("cloning", f.path(), e))?;
    }
    Ok(())
}
