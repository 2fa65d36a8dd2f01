//! The process's memory: allocator settings, returning freed memory to the system, and
//! the figures the server reports about itself.
//!
//! litewire uses glibc's malloc (measured against the alternatives in docs/MEMORY.md).
//! Two settings matter: one malloc arena per thread reserves 64 MiB of address space
//! each (the "gigabytes of virtual size" of the proxy litewire replaces), so the number
//! of arenas is capped; and freed memory is given back with `malloc_trim` once load ends,
//! so RSS returns to its baseline instead of staying at its peak.

/// Arenas glibc may create (it would otherwise make up to 8 per core).
const ARENAS: i32 = 2;

/// Applies the allocator settings; call once at start, before other threads exist.
pub fn configure_allocator() {
    // SAFETY: mallopt only changes allocator parameters.
    unsafe {
        libc::mallopt(libc::M_ARENA_MAX, ARENAS);
    }
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
    fn heap_counts_allocations() {
        let before = heap().allocated;
        let v: Vec<u8> = Vec::with_capacity(1 << 20);
        let during = heap().allocated;
        drop(v);
        assert!(during >= before + (1 << 20), "{before} -> {during}");
    }
}
