//! Reading a server's memory from /proc, knowing nothing of the server: the main process's
//! /proc/<pid>/status fields, PSS summed over the process and all its descendants (so a
//! multi-process server such as PostgreSQL is measured fairly), its open file descriptors,
//! and finding the process that listens on a TCP port.

use std::collections::{HashMap, HashSet};
use std::fs;
use std::io;
use std::path::Path;
use std::sync::OnceLock;

use serde::Serialize;

/// Fields of /proc/<pid>/status, in KiB except `threads`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct Status {
    pub vm_rss: u64,
    pub rss_anon: u64,
    pub rss_file: u64,
    pub rss_shmem: u64,
    pub vm_size: u64,
    pub vm_hwm: u64,
    pub threads: u64,
}

/// One reading of the server. Memory in KiB.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct Sample {
    /// Seconds since the sampler started.
    pub t: f64,
    #[serde(flatten)]
    pub status: Status,
    /// PSS ("Pss:" of smaps_rollup) summed over the process tree.
    pub pss_tree: u64,
    /// Processes in the tree (1 for a single-process server).
    pub procs: u32,
    /// Open file descriptors of the main process.
    pub fds: u32,
}

/// One numeric field of a sample, for peaks, slopes and plots.
pub type Field = fn(&Sample) -> u64;

fn first_number(text: &str) -> Option<u64> {
    text.split_whitespace().next()?.parse().ok()
}

/// Parses /proc/<pid>/status; missing fields stay 0.
pub fn parse_status(text: &str) -> Status {
    let mut s = Status::default();
    for line in text.lines() {
        let Some((key, rest)) = line.split_once(':') else {
            continue;
        };
        let slot = match key {
            "VmRSS" => &mut s.vm_rss,
            "RssAnon" => &mut s.rss_anon,
            "RssFile" => &mut s.rss_file,
            "RssShmem" => &mut s.rss_shmem,
            "VmSize" => &mut s.vm_size,
            "VmHWM" => &mut s.vm_hwm,
            "Threads" => &mut s.threads,
            _ => continue,
        };
        *slot = first_number(rest).unwrap_or(0);
    }
    s
}

/// The "Pss:" figure (KiB) of /proc/<pid>/smaps_rollup (not Pss_Anon, Pss_File, ...).
pub fn parse_smaps_rollup_pss(text: &str) -> Option<u64> {
    text.lines()
        .find_map(|line| line.strip_prefix("Pss:"))
        .and_then(first_number)
}

/// The parent pid from /proc/<pid>/stat; the command name may hold spaces and parentheses,
/// so the fields are read after its last ')'.
pub fn parse_stat_ppid(text: &str) -> Option<u32> {
    let after = &text[text.rfind(')')? + 1..];
    after.split_whitespace().nth(1)?.parse().ok()
}

/// Socket inodes of the LISTEN sockets on `port` in a /proc/net/tcp or tcp6 table.
pub fn parse_listen_inodes(table: &str, port: u16) -> Vec<u64> {
    const LISTEN: &str = "0A";
    table
        .lines()
        .skip(1)
        .filter_map(|line| {
            let fields: Vec<&str> = line.split_whitespace().collect();
            let local = fields.get(1)?;
            let local_port = u16::from_str_radix(local.rsplit_once(':')?.1, 16).ok()?;
            if local_port != port || *fields.get(3)? != LISTEN {
                return None;
            }
            fields.get(9)?.parse().ok()
        })
        .collect()
}

fn pids() -> io::Result<Vec<u32>> {
    Ok(fs::read_dir("/proc")?
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse().ok())
        .collect())
}

/// The pid of the process listening on TCP `port` (any address), found through the
/// socket's inode in /proc/*/fd. When several processes share the socket, the one whose
/// parent is not among them (the ancestor) is chosen.
pub fn find_listener(port: u16) -> io::Result<u32> {
    let mut inodes = HashSet::new();
    for table in ["/proc/net/tcp", "/proc/net/tcp6"] {
        if let Ok(text) = fs::read_to_string(table) {
            inodes.extend(parse_listen_inodes(&text, port));
        }
    }
    if inodes.is_empty() {
        return Err(io::Error::other(format!(
            "no socket listens on TCP port {port}"
        )));
    }
    let wanted: HashSet<String> = inodes.iter().map(|i| format!("socket:[{i}]")).collect();
    let mut owners = Vec::new();
    for pid in pids()? {
        let Ok(fds) = fs::read_dir(format!("/proc/{pid}/fd")) else {
            continue;
        };
        let owns = fds.filter_map(Result::ok).any(|fd| {
            fs::read_link(fd.path()).is_ok_and(|l| l.to_str().is_some_and(|l| wanted.contains(l)))
        });
        if owns {
            owners.push(pid);
        }
    }
    let ppid = |p: u32| {
        fs::read_to_string(format!("/proc/{p}/stat"))
            .ok()
            .and_then(|t| parse_stat_ppid(&t))
    };
    owners
        .iter()
        .copied()
        .filter(|&p| ppid(p).is_none_or(|pp| !owners.contains(&pp)))
        .min()
        .ok_or_else(|| {
            io::Error::other(format!(
                "port {port} is listened on, but no visible process owns the socket \
                 (another user's process? pass --pid)"
            ))
        })
}

/// Whether this kernel has /proc/<pid>/task/<tid>/children (CONFIG_PROC_CHILDREN).
fn has_children_files() -> bool {
    static HAS: OnceLock<bool> = OnceLock::new();
    *HAS.get_or_init(|| Path::new("/proc/thread-self/children").exists())
}

/// `root` and all its descendants. Uses the task children files when the kernel has them,
/// else the parent pids of every process in /proc.
pub fn process_tree(root: u32) -> Vec<u32> {
    let mut tree = vec![root];
    if has_children_files() {
        let mut i = 0;
        while i < tree.len() {
            let pid = tree[i];
            i += 1;
            let Ok(tasks) = fs::read_dir(format!("/proc/{pid}/task")) else {
                continue;
            };
            for task in tasks.filter_map(Result::ok) {
                if let Ok(text) = fs::read_to_string(task.path().join("children")) {
                    tree.extend(
                        text.split_whitespace()
                            .filter_map(|c| c.parse::<u32>().ok()),
                    );
                }
            }
        }
        return tree;
    }
    let mut children: HashMap<u32, Vec<u32>> = HashMap::new();
    for pid in pids().unwrap_or_default() {
        if let Some(ppid) = fs::read_to_string(format!("/proc/{pid}/stat"))
            .ok()
            .and_then(|t| parse_stat_ppid(&t))
        {
            children.entry(ppid).or_default().push(pid);
        }
    }
    let mut i = 0;
    while i < tree.len() {
        if let Some(c) = children.get(&tree[i]) {
            tree.extend(c);
        }
        i += 1;
    }
    tree
}

/// Reads one sample of `pid` (t = 0; the caller stamps it). Fails if the process is gone.
pub fn read_sample(pid: u32) -> io::Result<Sample> {
    let status = parse_status(&fs::read_to_string(format!("/proc/{pid}/status"))?);
    let tree = process_tree(pid);
    let pss_tree = tree
        .iter()
        .filter_map(|p| fs::read_to_string(format!("/proc/{p}/smaps_rollup")).ok())
        .filter_map(|t| parse_smaps_rollup_pss(&t))
        .sum();
    let fds = fs::read_dir(format!("/proc/{pid}/fd"))
        .map(|d| d.count() as u32)
        .unwrap_or(0);
    Ok(Sample {
        t: 0.0,
        status,
        pss_tree,
        procs: tree.len() as u32,
        fds,
    })
}

/// The process's command name (/proc/<pid>/comm).
pub fn comm(pid: u32) -> Option<String> {
    let name = fs::read_to_string(format!("/proc/{pid}/comm")).ok()?;
    Some(name.trim_end().to_string())
}

/// Raises this process's RLIMIT_NOFILE soft limit to its hard limit; returns the new limit.
pub fn raise_nofile_limit() -> io::Result<libc::rlim_t> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct passed by pointer.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) != 0 {
            return Err(io::Error::last_os_error());
        }
        lim.rlim_cur = lim.rlim_max;
        if libc::setrlimit(libc::RLIMIT_NOFILE, &lim) != 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(lim.rlim_cur)
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Name:\tpostgres\nUmask:\t0077\nState:\tS (sleeping)\nPid:\t5448\n\
        PPid:\t1\nVmPeak:\t  217120 kB\nVmSize:\t  217120 kB\nVmLck:\t       0 kB\n\
        VmHWM:\t   29536 kB\nVmRSS:\t   29536 kB\nRssAnon:\t    2312 kB\n\
        RssFile:\t   16420 kB\nRssShmem:\t   10804 kB\nVmData:\t    1584 kB\n\
        Threads:\t1\nSigQ:\t0/96365\n";

    #[test]
    fn status_fields() {
        assert_eq!(
            parse_status(STATUS),
            Status {
                vm_rss: 29536,
                rss_anon: 2312,
                rss_file: 16420,
                rss_shmem: 10804,
                vm_size: 217120,
                vm_hwm: 29536,
                threads: 1,
            }
        );
    }

    #[test]
    fn status_of_a_kernel_thread_has_no_memory_lines() {
        let s = parse_status("Name:\tkthreadd\nThreads:\t1\n");
        assert_eq!(s.vm_rss, 0);
        assert_eq!(s.threads, 1);
    }

    #[test]
    fn smaps_rollup_pss_is_the_plain_pss_line() {
        let text = "5634595af000-7ffc998da000 ---p 00000000 00:00 0   [rollup]\n\
            Rss:               29536 kB\nPss_Dirty:          6515 kB\n\
            Pss:               16021 kB\nPss_Anon:            573 kB\n\
            Pss_File:           9505 kB\nAnonymous:          2312 kB\n";
        assert_eq!(parse_smaps_rollup_pss(text), Some(16021));
        assert_eq!(parse_smaps_rollup_pss("Rss: 1 kB\nPss_Anon: 2 kB\n"), None);
    }

    #[test]
    fn stat_ppid_survives_odd_command_names() {
        assert_eq!(
            parse_stat_ppid("5448 (postgres) S 1 5448 5448 0 -1 4194560"),
            Some(1)
        );
        assert_eq!(parse_stat_ppid("77 (a) b (c)) R 42 77 77 0 -1"), Some(42));
        assert_eq!(parse_stat_ppid("garbage"), None);
    }

    #[test]
    fn listen_inodes_match_port_and_state() {
        let table = "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when \
            retrnsmt   uid  timeout inode\n\
            0: 00000000:07E8 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 1681 1 0 100 0 0 10 0\n\
            1: 0100007F:1990 00000000:0000 0A 00000000:00000000 00:00000000 00000000 0 0 67188 1 0 100 0 0 10 0\n\
            2: 0100007F:1990 0100007F:C350 01 00000000:00000000 00:00000000 00000000 0 0 67190 1 0 20 4 30 10 -1\n";
        assert_eq!(parse_listen_inodes(table, 0x1990), vec![67188]);
        assert_eq!(parse_listen_inodes(table, 2024), vec![1681]);
        assert!(parse_listen_inodes(table, 5432).is_empty());
        let tcp6 = "header\n   0: 00000000000000000000000001000000:1538 \
            00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000 \
            0 0 99 1 0 100 0 0 10 0\n";
        assert_eq!(parse_listen_inodes(tcp6, 5432), vec![99]);
    }

    #[test]
    fn own_process_reads_and_tree_contains_itself() {
        let me = std::process::id();
        let s = read_sample(me).unwrap();
        assert!(s.status.vm_rss > 0 && s.status.threads >= 1);
        assert!(s.pss_tree > 0);
        assert!(s.fds > 0);
        assert_eq!(process_tree(me)[0], me);
    }

    #[test]
    fn tree_includes_a_child_process() {
        let mut child = std::process::Command::new("sleep")
            .arg("5")
            .spawn()
            .unwrap();
        let tree = process_tree(std::process::id());
        child.kill().unwrap();
        child.wait().unwrap();
        assert!(tree.contains(&child.id()), "{tree:?}");
    }

    #[test]
    fn listener_of_a_bound_socket_is_this_process() {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let port = listener.local_addr().unwrap().port();
        assert_eq!(find_listener(port).unwrap(), std::process::id());
    }
}
