//! The process's memory: allocator settings, returning freed memory to the system, and
//! the figures the server reports about itself.
//!
//! litewire uses glibc's malloc (measured against the alternatives in docs/MEMORY.md).
//! Three settings matter: one malloc arena per thread reserves 64 MiB of address space
//! each (the "gigabytes of virtual size" of the proxy litewire replaces), so the number
//! of arenas is capped; each thread's cache of freed chunks (tcache) is kept small, so
//! the heap does not creep up under steady load; and freed memory is given back with
//! `malloc_trim` once load ends, so RSS returns to its baseline instead of staying at
//! its peak.

/// Arenas glibc may create (it would otherwise make up to 8 per core).
const ARENAS: i32 = 2;

/// Freed chunks glibc's per-thread cache (tcache) keeps per size class. glibc's default
/// is 7, for each of 64 size classes up to 1,032 bytes: up to ~235 KiB per thread that
/// allocates, which mallinfo2 counts as *in use* and which cannot be trimmed. Under a
/// steady mixed load those caches fill one size class and one thread at a time, so the
/// heap crept up for minutes (`heap: other` in `SHOW MEMORY`, docs/MEMORY.md). One chunk
/// per class keeps the fast path for an allocation freed and made again on one thread.
const TCACHE_COUNT: u32 = 1;

/// The glibc tunable that sets [`TCACHE_COUNT`].
const TCACHE_TUNABLE: &str = "glibc.malloc.tcache_count";

/// Set in the environment of the re-executed process, so it never execs again.
const REEXEC_GUARD: &str = "LITEWIRE_TUNED";

/// glibc reads its tunables once, from `GLIBC_TUNABLES`, before `main`; no call sets
/// them later. So when the tcache size is not set yet, this runs the same binary again
/// (same pid, arguments and environment) with it added. Call first thing in `main`, while
/// the process has one thread. A `GLIBC_TUNABLES` that already sets the tcache size is
/// left as it is (`glibc.malloc.tcache_count=7` restores glibc's default). Returns when
/// nothing is to be done or the exec failed (the server then runs with glibc's default).
pub fn apply_malloc_tunables() {
    if std::env::var_os(REEXEC_GUARD).is_some() {
        return;
    }
    let current = match std::env::var("GLIBC_TUNABLES") {
        Ok(v) => v,
        Err(std::env::VarError::NotPresent) => String::new(),
        // Not text: leave the operator's setting alone.
        Err(std::env::VarError::NotUnicode(_)) => return,
    };
    let Some(tunables) = tunables_with_tcache(&current) else {
        return;
    };
    use std::os::unix::process::CommandExt;
    let mut args = std::env::args_os();
    let arg0 = args.next().unwrap_or_else(|| "litewire".into());
    // The binary's own path rather than /proc/self/exe, which would name the process "exe".
    let exe = std::env::current_exe().unwrap_or_else(|_| "/proc/self/exe".into());
    let err = std::process::Command::new(exe)
        .arg0(arg0)
        .args(args)
        .env("GLIBC_TUNABLES", tunables)
        .env(REEXEC_GUARD, "1")
        .exec();
    // Nothing is logged yet (logging starts after this); stderr is all there is.
    eprintln!("litewire: could not re-execute with {TCACHE_TUNABLE}={TCACHE_COUNT}: {err}");
}

/// `GLIBC_TUNABLES` with the tcache size added, or None when it already sets one.
fn tunables_with_tcache(current: &str) -> Option<String> {
    if current
        .split(':')
        .any(|t| t.split('=').next() == Some(TCACHE_TUNABLE))
    {
        return None;
    }
    let ours = format!("{TCACHE_TUNABLE}={TCACHE_COUNT}");
    Some(if current.is_empty() {
        ours
    } else {
        format!("{current}:{ours}")
    })
}

/// Applies the allocator settings; call once at start, before other threads exist.
pub fn configure_allocator() {
    // SAFETY: mallopt only changes allocator parameters.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENAS);
    }
}

/// Gives back the resident pages of the program's own code and read-only data once
/// start-up is over.
///
/// The kernel maps file pages around every page fault (64 KiB at a time), and start-up
/// runs code the server never runs again (argument parsing, runtime set-up), so most of
/// the 4.6 MB binary was resident although a running server uses a fraction of it. Only
/// clean, read-only mappings of the executable are advised (`MADV_DONTNEED`): their pages
/// stay in the page cache and come back on the next use as minor faults. Writable
/// mappings and pages written at start (relocated read-only data) are left alone.
pub fn release_code_pages() {
    let Ok(exe) = std::fs::read_link("/proc/self/exe") else {
        return;
    };
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return;
    };
    let mut current: Option<(usize, usize)> = None;
    let mut clean = true;
    let advise = |range: Option<(usize, usize)>, clean: bool| {
        if let (Some((start, end)), true) = (range, clean) {
            // SAFETY: a read-only, clean, file-backed mapping of this process: dropping
            // its pages loses nothing, they are read back from the file when used.
            unsafe {
                libc::madvise(start as *mut libc::c_void, end - start, libc::MADV_DONTNEED);
            }
        }
    };
    for line in smaps.lines() {
        let mut fields = line.split_whitespace();
        let Some(first) = fields.next() else { continue };
        if let Some((start, end)) = first.split_once('-') {
            // A new mapping: finish the previous one.
            if let (Ok(start), Ok(end)) = (
                usize::from_str_radix(start, 16),
                usize::from_str_radix(end, 16),
            ) {
                advise(current.take(), clean);
                let perms = fields.next().unwrap_or("");
                let path = fields.nth(3).unwrap_or("");
                let ours = path == exe.as_os_str() && !perms.contains('w');
                current = ours.then_some((start, end));
                clean = true;
                continue;
            }
        }
        // Pages written since the mapping was made (relocated read-only data, copied on
        // write) are anonymous and must stay. (Private_Dirty also counts file pages not
        // yet written back, e.g. of a binary just built, which are safe to drop.)
        if first == "Anonymous:" && fields.next().is_some_and(|kb| kb != "0") {
            clean = false;
        }
    }
    advise(current, clean);
}

/// Returns free heap memory to the system.
pub fn trim() {
    // SAFETY: malloc_trim is safe to call at any time.
    unsafe {
        libc::malloc_trim(0);
    }
}

/// Heap figures from the allocator.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HeapStats {
    /// Bytes in use by the program.
    pub allocated: usize,
    /// Bytes the allocator holds that are free (not yet returned to the system).
    pub retained: usize,
    /// Bytes in memory-mapped chunks (large allocations), included in `allocated`.
    pub mmapped: usize,
}

pub fn heap() -> HeapStats {
    // SAFETY: mallinfo2 returns a plain struct.
    let mi = unsafe { libc::mallinfo2() };
    HeapStats {
        allocated: mi.uordblks + mi.hblkhd,
        retained: mi.fordblks,
        mmapped: mi.hblkhd,
    }
}

/// Figures from /proc/self/status, in bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ProcStatus {
    pub rss: u64,
    pub rss_anon: u64,
    pub rss_file: u64,
    pub vm_size: u64,
    pub vm_hwm: u64,
    pub threads: u64,
}

/// Parses the text of a /proc/<pid>/status file.
pub fn parse_status(text: &str) -> ProcStatus {
    let mut s = ProcStatus::default();
    for line in text.lines() {
        let mut it = line.split_whitespace();
        let (Some(key), Some(value)) = (it.next(), it.next()) else {
            continue;
        };
        let Ok(v) = value.parse::<u64>() else {
            continue;
        };
        match key {
            "VmRSS:" => s.rss = v * 1024,
            "RssAnon:" => s.rss_anon = v * 1024,
            "RssFile:" => s.rss_file = v * 1024,
            "VmSize:" => s.vm_size = v * 1024,
            "VmHWM:" => s.vm_hwm = v * 1024,
            "Threads:" => s.threads = v,
            _ => {}
        }
    }
    s
}

pub fn proc_status() -> ProcStatus {
    std::fs::read_to_string("/proc/self/status")
        .map(|t| parse_status(&t))
        .unwrap_or_default()
}

/// Resident bytes of thread stacks: anonymous mappings of the size Rust gives thread
/// stacks (2 MiB plus a guard page), and the main thread's `[stack]`, from /proc/self/smaps.
pub fn stack_rss() -> u64 {
    let Ok(smaps) = std::fs::read_to_string("/proc/self/smaps") else {
        return 0;
    };
    let mut total = 0;
    let mut in_stack = false;
    for line in smaps.lines() {
        if let Some((range, rest)) = line.split_once(' ') {
            if let Some((a, b)) = range.split_once('-') {
                if let (Ok(a), Ok(b)) = (u64::from_str_radix(a, 16), u64::from_str_radix(b, 16)) {
                    let size = b - a;
                    let anon = rest.split_whitespace().count() <= 4;
                    in_stack = rest.ends_with("[stack]") || (anon && is_thread_stack(size));
                    continue;
                }
            }
        }
        if in_stack {
            if let Some(v) = line.strip_prefix("Rss:") {
                total += v
                    .trim()
                    .trim_end_matches("kB")
                    .trim()
                    .parse::<u64>()
                    .unwrap_or(0)
                    * 1024;
            }
        }
    }
    total
}

fn is_thread_stack(size: u64) -> bool {
    // Rust's default 2 MiB stacks and the parking thread's 64 KiB one.
    size == 2 << 20 || size == 64 << 10
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_proc_status() {
        let s = parse_status("Name:\tlitewire\nVmSize:\t  75004 kB\nVmHWM:\t 5920 kB\nVmRSS:\t    3920 kB\nRssAnon:\t     312 kB\nRssFile:\t    3608 kB\nThreads:\t2\n");
        assert_eq!(s.rss, 3920 * 1024);
        assert_eq!(s.rss_anon, 312 * 1024);
        assert_eq!(s.rss_file, 3608 * 1024);
        assert_eq!(s.vm_size, 75004 * 1024);
        assert_eq!(s.threads, 2);
    }

    #[test]
    fn adds_the_tcache_tunable_once() {
        assert_eq!(
            tunables_with_tcache("").as_deref(),
            Some("glibc.malloc.tcache_count=1")
        );
        assert_eq!(
            tunables_with_tcache("glibc.malloc.check=3").as_deref(),
            Some("glibc.malloc.check=3:glibc.malloc.tcache_count=1")
        );
        assert_eq!(tunables_with_tcache("glibc.malloc.tcache_count=7"), None);
        assert_eq!(
            tunables_with_tcache("glibc.malloc.check=3:glibc.malloc.tcache_count=0"),
            None
        );
    }

    #[test]
    fn heap_counts_allocations() {
        // The figures are process-wide and other tests allocate and free beside this
        // one: a large (untouched, mmapped) block, and at least half of it must show.
        let before = heap().allocated;
        let v: Vec<u8> = Vec::with_capacity(64 << 20);
        let during = heap().allocated;
        drop(v);
        assert!(during >= before + (32 << 20), "{before} -> {during}");
    }
}
