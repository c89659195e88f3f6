//! The machine: resident memory of this process and a fingerprint recorded with every result,
//! so numbers from different machines are never compared as if they were alike.

use serde::{Deserialize, Serialize};
use std::path::Path;

/// Resident set size of this process in bytes (Linux /proc/self/statm; 0 elsewhere).
pub fn rss_bytes() -> u64 {
    let Ok(s) = std::fs::read_to_string("/proc/self/statm") else {
        return 0;
    };
    let pages: u64 = s
        .split_whitespace()
        .nth(1)
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let page = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    pages * page.max(0) as u64
}

/// CPU time (user, system) this process has used, in seconds.
pub fn cpu_times() -> (f64, f64) {
    let mut ru: libc::rusage = unsafe { std::mem::zeroed() };
    if unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut ru) } != 0 {
        return (0.0, 0.0);
    }
    let t = |tv: libc::timeval| tv.tv_sec as f64 + tv.tv_usec as f64 / 1e6;
    (t(ru.ru_utime), t(ru.ru_stime))
}

/// What the numbers were measured on.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Machine {
    pub hostname: String,
    pub cpu_model: String,
    pub logical_cores: usize,
    pub physical_cores: Option<usize>,
    pub memory_bytes: u64,
    pub os: String,
    pub kernel: String,
    /// File system type and device holding the DB directory, from /proc/mounts.
    pub db_filesystem: Option<String>,
    pub db_device: Option<String>,
    pub rdbtune_version: String,
    pub rocksdb_version: String,
    /// The git commit rdbtune was built from ("unknown" when built outside a checkout).
    #[serde(default)]
    pub rdbtune_git: String,
}

impl Machine {
    /// Reads the fingerprint; `db_dir` locates the file system the DB lives on.
    pub fn detect(db_dir: Option<&Path>) -> Machine {
        use sysinfo::System;
        let mut sys = System::new();
        sys.refresh_memory();
        sys.refresh_cpu_all();
        let cpu_model = sys
            .cpus()
            .first()
            .map(|c| c.brand().trim().to_string())
            .unwrap_or_default();
        let (fs, dev) = db_dir.and_then(mount_of).unzip();
        Machine {
            hostname: System::host_name().unwrap_or_default(),
            cpu_model,
            logical_cores: std::thread::available_parallelism().map_or(1, |n| n.get()),
            physical_cores: System::physical_core_count(),
            memory_bytes: sys.total_memory(),
            os: System::long_os_version().unwrap_or_default(),
            kernel: System::kernel_version().unwrap_or_default(),
            db_filesystem: fs,
            db_device: dev,
            rdbtune_version: env!("CARGO_PKG_VERSION").to_string(),
            rocksdb_version: ROCKSDB_VERSION.to_string(),
            rdbtune_git: env!("RDBTUNE_GIT_HASH").to_string(),
        }
    }

    /// A short stable key: same CPU, core count, memory and file system give the same string.
    pub fn fingerprint(&self) -> String {
        format!(
            "{} | {} cores | {} GiB | {}",
            self.cpu_model,
            self.logical_cores,
            self.memory_bytes >> 30,
            self.db_filesystem.as_deref().unwrap_or("?")
        )
    }
}

/// The RocksDB version compiled in by librocksdb-sys.
pub const ROCKSDB_VERSION: &str = "11.8.1";

/// Available memory in bytes (MemAvailable), for memory-aware planning.
pub fn available_memory() -> u64 {
    let mut sys = sysinfo::System::new();
    sys.refresh_memory();
    sys.available_memory()
}

/// (fs type, device) of the mount holding `path` (longest matching mount point).
fn mount_of(path: &Path) -> Option<(String, String)> {
    let mut p = path.to_path_buf();
    while !p.exists() {
        p = p.parent()?.to_path_buf();
    }
    let p = p.canonicalize().ok()?;
    let mounts = std::fs::read_to_string("/proc/mounts").ok()?;
    mounts
        .lines()
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (dev, mnt, fs) = (f.next()?, f.next()?, f.next()?);
            p.starts_with(mnt)
                .then(|| (mnt.len(), fs.to_string(), dev.to_string()))
        })
        .max_by_key(|(len, _, _)| *len)
        .map(|(_, fs, dev)| (fs, dev))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rss_is_positive_and_machine_is_described() {
        assert!(rss_bytes() > 1 << 20);
        let m = Machine::detect(Some(Path::new("/")));
        // The cores this process may use: at least one, at most the processors online.
        let online = unsafe { libc::sysconf(libc::_SC_NPROCESSORS_ONLN) };
        assert!(online >= 1, "sysconf: {online}");
        assert!(
            (1..=online as usize).contains(&m.logical_cores),
            "{} logical cores of {online} online",
            m.logical_cores
        );
        // Total memory is the kernel's MemTotal (KiB in /proc/meminfo).
        let meminfo = std::fs::read_to_string("/proc/meminfo").unwrap();
        let total_kib: u64 = meminfo
            .lines()
            .find_map(|l| l.strip_prefix("MemTotal:"))
            .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
            .expect("MemTotal in /proc/meminfo");
        assert_eq!(m.memory_bytes, total_kib * 1024);
        let fs = m.db_filesystem.clone().expect("the file system holding /");
        // The fingerprint is made of these figures.
        let fp = m.fingerprint();
        assert!(
            fp.contains(&format!(" | {} cores | ", m.logical_cores)),
            "{fp}"
        );
        assert!(
            fp.contains(&format!(" | {} GiB | ", m.memory_bytes >> 30)),
            "{fp}"
        );
        assert!(fp.ends_with(&format!(" | {fs}")), "{fp}");
    }
}
