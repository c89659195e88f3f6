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

/// Hands the memory this process has freed, but the allocator still holds, back to the OS
/// (glibc's `malloc_trim`, every arena), so the RSS measured next counts live memory: the
/// DB a trial closed does not inflate the peak RSS of the next trial's DB. A no-op on
/// other allocators.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    // SAFETY: malloc_trim only releases free pages of the allocator's own heaps.
    unsafe {
        libc::malloc_trim(0);
    }
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

/// Bytes and calls this process moved, cumulative since it started (/proc/self/io).
/// `read_bytes`/`write_bytes` are what reached the storage layer (page-cache hits are not
/// counted; writes are counted when a page is dirtied); `rchar`/`wchar` are every byte
/// passed to read/pread/write system calls, page cache or not.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ProcIo {
    pub rchar: u64,
    pub wchar: u64,
    pub syscr: u64,
    pub syscw: u64,
    pub read_bytes: u64,
    pub write_bytes: u64,
    pub cancelled_write_bytes: u64,
}

impl ProcIo {
    /// This process's counters now (`None` where /proc/self/io is not readable).
    pub fn read() -> Option<ProcIo> {
        Self::parse(&std::fs::read_to_string("/proc/self/io").ok()?)
    }

    /// Parses /proc/<pid>/io text ("name: value" lines).
    pub fn parse(text: &str) -> Option<ProcIo> {
        let mut io = ProcIo::default();
        let mut seen = 0;
        for line in text.lines() {
            let Some((k, v)) = line.split_once(':') else {
                continue;
            };
            let v: u64 = v.trim().parse().ok()?;
            let slot = match k.trim() {
                "rchar" => &mut io.rchar,
                "wchar" => &mut io.wchar,
                "syscr" => &mut io.syscr,
                "syscw" => &mut io.syscw,
                "read_bytes" => &mut io.read_bytes,
                "write_bytes" => &mut io.write_bytes,
                "cancelled_write_bytes" => &mut io.cancelled_write_bytes,
                _ => continue,
            };
            *slot = v;
            seen += 1;
        }
        (seen >= 6).then_some(io)
    }

    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &ProcIo) -> ProcIo {
        ProcIo {
            rchar: self.rchar.saturating_sub(earlier.rchar),
            wchar: self.wchar.saturating_sub(earlier.wchar),
            syscr: self.syscr.saturating_sub(earlier.syscr),
            syscw: self.syscw.saturating_sub(earlier.syscw),
            read_bytes: self.read_bytes.saturating_sub(earlier.read_bytes),
            write_bytes: self.write_bytes.saturating_sub(earlier.write_bytes),
            cancelled_write_bytes: self
                .cancelled_write_bytes
                .saturating_sub(earlier.cancelled_write_bytes),
        }
    }
}

/// One block device's counters, cumulative since boot (/proc/diskstats: every process's
/// I/O to the device, not only this one's). Sectors are 512 bytes there whatever the
/// device's own sector size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct DiskIo {
    /// Reads and writes completed.
    pub reads: u64,
    pub writes: u64,
    pub sectors_read: u64,
    pub sectors_written: u64,
    /// Milliseconds the device had I/O in flight ("io_ticks").
    pub busy_ms: u64,
}

impl DiskIo {
    /// Device `name`'s counters now (`None` when /proc/diskstats has no such device).
    pub fn read(name: &str) -> Option<DiskIo> {
        Self::parse(&std::fs::read_to_string("/proc/diskstats").ok()?, name)
    }

    /// Device `name`'s line of /proc/diskstats text.
    pub fn parse(text: &str, name: &str) -> Option<DiskIo> {
        text.lines().find_map(|l| {
            let mut f = l.split_whitespace();
            if f.nth(2)? != name {
                return None;
            }
            // Fields after the name: reads, merged, sectors read, ms reading, writes, merged,
            // sectors written, ms writing, in flight, ms busy (io_ticks), ...
            let mut v = [0u64; 10];
            for slot in &mut v {
                *slot = f.next()?.parse().ok()?;
            }
            Some(DiskIo {
                reads: v[0],
                sectors_read: v[2],
                writes: v[4],
                sectors_written: v[6],
                busy_ms: v[9],
            })
        })
    }

    /// What happened between `earlier` and `self`.
    pub fn since(&self, earlier: &DiskIo) -> DiskIo {
        DiskIo {
            reads: self.reads.saturating_sub(earlier.reads),
            writes: self.writes.saturating_sub(earlier.writes),
            sectors_read: self.sectors_read.saturating_sub(earlier.sectors_read),
            sectors_written: self.sectors_written.saturating_sub(earlier.sectors_written),
            busy_ms: self.busy_ms.saturating_sub(earlier.busy_ms),
        }
    }

    pub fn read_bytes(&self) -> u64 {
        self.sectors_read * 512
    }

    pub fn write_bytes(&self) -> u64 {
        self.sectors_written * 512
    }
}

/// The block device holding `path`, as /proc/diskstats names it, or why there is none
/// (tmpfs, overlay and other file systems without a device of their own).
pub fn block_device(path: &Path) -> std::result::Result<String, String> {
    use std::os::unix::fs::MetadataExt;
    let dev = std::fs::metadata(path)
        .map_err(|e| format!("cannot stat {}: {e}", path.display()))?
        .dev();
    let (major, minor) = (
        ((dev >> 8) & 0xfff) | ((dev >> 32) & !0xfff),
        (dev & 0xff) | ((dev >> 12) & !0xff),
    );
    let fs = mount_of(path).map_or_else(|| "?".to_string(), |(fs, _)| fs);
    if major == 0 {
        return Err(format!(
            "the DB directory is on {fs}, which has no block device of its own: device I/O is not measured"
        ));
    }
    let uevent = format!("/sys/dev/block/{major}:{minor}/uevent");
    let name = std::fs::read_to_string(&uevent)
        .ok()
        .and_then(|t| {
            t.lines()
                .find_map(|l| l.strip_prefix("DEVNAME=").map(str::to_string))
        })
        .ok_or_else(|| {
            format!("the DB directory's device {major}:{minor} ({fs}) is not in {uevent}: device I/O is not measured")
        })?;
    match DiskIo::read(&name) {
        Some(_) => Ok(name),
        None => Err(format!(
            "device {name} ({fs}) is not in /proc/diskstats: device I/O is not measured"
        )),
    }
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
    fn proc_io_and_diskstats_parse() {
        let io = ProcIo::parse(
            "rchar: 100\nwchar: 50\nsyscr: 3\nsyscw: 2\nread_bytes: 4096\nwrite_bytes: 8192\ncancelled_write_bytes: 0\n",
        )
        .unwrap();
        assert_eq!(
            (io.rchar, io.wchar, io.read_bytes, io.write_bytes),
            (100, 50, 4096, 8192)
        );
        assert_eq!(ProcIo::parse("rchar: x\n"), None);
        let later = ProcIo { rchar: 160, ..io };
        assert_eq!(later.since(&io).rchar, 60);
        let text = " 253       0 vda 9012 12 345678 1111 5678 90 246810 2222 0 3333 4444 0 0 0 0\n   7       0 loop0 1 0 8 0 0 0 0 0 0 4 0\n";
        let d = DiskIo::parse(text, "vda").unwrap();
        assert_eq!(
            (
                d.reads,
                d.sectors_read,
                d.writes,
                d.sectors_written,
                d.busy_ms
            ),
            (9012, 345678, 5678, 246810, 3333)
        );
        assert_eq!(d.read_bytes(), 345678 * 512);
        assert_eq!(DiskIo::parse(text, "vdb"), None);
        // This process's own counters move when it writes and reads a file.
        let before = ProcIo::read().expect("/proc/self/io");
        let dir = std::env::temp_dir().join(format!("rdbtune-io-{}", std::process::id()));
        std::fs::write(&dir, vec![7u8; 1 << 16]).unwrap();
        let back = std::fs::read(&dir).unwrap();
        std::fs::remove_file(&dir).unwrap();
        let d = ProcIo::read().unwrap().since(&before);
        assert!(d.wchar >= 1 << 16 && d.rchar >= back.len() as u64, "{d:?}");
    }

    #[test]
    fn block_devices_are_found_or_refused_with_a_reason() {
        // /proc is a pseudo file system: no device, and the reason names it.
        let e = block_device(Path::new("/proc")).unwrap_err();
        assert!(e.contains("proc") && e.contains("not measured"), "{e}");
        // Where the temporary directory has a device, diskstats knows it.
        if let Ok(name) = block_device(&std::env::temp_dir()) {
            assert!(DiskIo::read(&name).is_some(), "{name}");
        }
    }

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
