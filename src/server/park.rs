//! Parked sessions: idle clients kept as compact records instead of tasks.
//!
//! A tokio task plus its socket registration costs about 2 KiB however little the session
//! holds. A session that has been idle for `--park-after` (no transaction, no pinned
//! connection) leaves the runtime: its socket is deregistered and watched by one epoll
//! instance on a dedicated thread, and the session itself waits, boxed, in a slab. When
//! bytes (or a hang-up) arrive, the thread hands the session back to the runtime as a new
//! task. This is what makes an idle client cheaper than PgBouncer's.

use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::sync::{Arc, Mutex};

use tracing::{debug, warn};

use super::session::Session;
use super::socket::StdSocket;

/// What is kept for a parked session.
pub struct Parked {
    pub stream: StdSocket,
    pub session: Box<Session>,
}

/// Receives sessions whose socket became readable.
pub type Resume = Box<dyn Fn(Parked) + Send + Sync>;

/// The set of parked sessions and the thread watching their sockets.
pub struct ParkingLot {
    epoll: OwnedFd,
    slots: Mutex<Slots>,
    resume: Resume,
}

#[derive(Default)]
struct Slots {
    entries: Vec<Option<Parked>>,
    free: Vec<usize>,
    count: usize,
}

impl ParkingLot {
    /// Creates the lot and starts its watcher thread, which calls `resume` for each
    /// session whose socket becomes readable.
    pub fn start(resume: Resume) -> std::io::Result<Arc<ParkingLot>> {
        // SAFETY: plain syscall; the result is checked.
        let fd = unsafe { libc::epoll_create1(libc::EPOLL_CLOEXEC) };
        if fd < 0 {
            return Err(std::io::Error::last_os_error());
        }
        // SAFETY: fd is a new, owned descriptor.
        let epoll = unsafe { OwnedFd::from_raw_fd(fd) };
        let lot = Arc::new(ParkingLot {
            epoll,
            slots: Mutex::new(Slots::default()),
            resume,
        });
        let watcher = lot.clone();
        std::thread::Builder::new()
            .name("litewire-park".into())
            .stack_size(64 << 10)
            .spawn(move || watcher.watch())?;
        Ok(lot)
    }

    fn slots(&self) -> std::sync::MutexGuard<'_, Slots> {
        self.slots.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Parks a session. On failure the session is returned so the caller can carry on.
    pub fn park(&self, parked: Parked) -> Result<(), Parked> {
        let fd = parked.stream.as_raw_fd();
        let key = {
            let mut s = self.slots();
            let key = match s.free.pop() {
                Some(k) => k,
                None => {
                    s.entries.push(None);
                    s.entries.len() - 1
                }
            };
            s.entries[key] = Some(parked);
            s.count += 1;
            key
        };
        let mut ev = libc::epoll_event {
            events: (libc::EPOLLIN | libc::EPOLLRDHUP | libc::EPOLLONESHOT) as u32,
            u64: key as u64,
        };
        // SAFETY: valid epoll fd, valid socket fd, valid event pointer.
        let rc =
            unsafe { libc::epoll_ctl(self.epoll.as_raw_fd(), libc::EPOLL_CTL_ADD, fd, &mut ev) };
        if rc != 0 {
            warn!(error = %std::io::Error::last_os_error(), "cannot park a session");
            return match self.take(key) {
                Some(p) => Err(p),
                None => Ok(()),
            };
        }
        Ok(())
    }

    fn take(&self, key: usize) -> Option<Parked> {
        let mut s = self.slots();
        let parked = s.entries.get_mut(key)?.take()?;
        s.free.push(key);
        s.count -= 1;
        Some(parked)
    }

    /// Number of parked sessions.
    pub fn len(&self) -> usize {
        self.slots().count
    }

    /// Bytes held for parked sessions: the slab and the boxed sessions (not what the
    /// sessions' fields point to, which the other owners count).
    pub fn bytes(&self) -> usize {
        let s = self.slots();
        s.entries.capacity() * std::mem::size_of::<Option<Parked>>()
            + s.free.capacity() * std::mem::size_of::<usize>()
    }

    /// Wakes every parked session (at shutdown, so each can say goodbye).
    pub fn wake_all(&self) {
        let keys: Vec<usize> = {
            let s = self.slots();
            (0..s.entries.len())
                .filter(|&k| s.entries[k].is_some())
                .collect()
        };
        for key in keys {
            if let Some(p) = self.take_registered(key) {
                (self.resume)(p);
            }
        }
    }

    /// Takes a parked session out of the slab and out of epoll.
    fn take_registered(&self, key: usize) -> Option<Parked> {
        let parked = self.take(key)?;
        // SAFETY: removing a descriptor we added; errors are harmless (already gone).
        unsafe {
            libc::epoll_ctl(
                self.epoll.as_raw_fd(),
                libc::EPOLL_CTL_DEL,
                parked.stream.as_raw_fd(),
                std::ptr::null_mut(),
            );
        }
        Some(parked)
    }

    fn watch(&self) {
        let mut events = vec![libc::epoll_event { events: 0, u64: 0 }; 256];
        loop {
            // SAFETY: the buffer holds `events.len()` entries.
            let n = unsafe {
                libc::epoll_wait(
                    self.epoll.as_raw_fd(),
                    events.as_mut_ptr(),
                    events.len() as i32,
                    -1,
                )
            };
            if n < 0 {
                let e = std::io::Error::last_os_error();
                if e.kind() == std::io::ErrorKind::Interrupted {
                    continue;
                }
                warn!(error = %e, "parking lot stopped");
                return;
            }
            for ev in &events[..n as usize] {
                let key = ev.u64 as usize;
                if let Some(p) = self.take_registered(key) {
                    debug!(pid = p.session.pid, "resuming a parked session");
                    (self.resume)(p);
                }
            }
        }
    }
}
