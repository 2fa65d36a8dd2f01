//! Who is connected: one small record per client session, for `SHOW CLIENTS`, the memory
//! report and the metrics. A session registers when it starts and removes itself when
//! it ends (its `ClientInfo` is dropped with it).

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, Weak};

use crate::engine::Database;

/// What a session is doing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[repr(u8)]
pub enum State {
    /// Handling a message.
    Active = 0,
    /// Waiting for the next message, as a task.
    Idle = 1,
    /// Waiting for the next message, parked (no task).
    Parked = 2,
    /// Inside a transaction block, waiting.
    IdleInTransaction = 3,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Active => "active",
            State::Idle => "idle",
            State::Parked => "parked",
            State::IdleInTransaction => "idle in transaction",
        }
    }
}

/// One client session as the registry sees it.
pub struct ClientInfo {
    pub pid: i32,
    /// The BackendKeyData secret a CancelRequest must present.
    secret: i32,
    /// Interrupts the statement the session is running, if any (for CancelRequest).
    running: Mutex<Option<rusqlite::InterruptHandle>>,
    /// A CancelRequest hit the running statement.
    canceled: AtomicBool,
    /// `DROP DATABASE … WITH (FORCE)` ends this session (57P01).
    killed: AtomicBool,
    /// The session's socket descriptor, -1 once the session is going (changed under
    /// `running`'s lock, so a terminating session never shuts another's socket).
    socket: AtomicI32,
    pub user: Arc<str>,
    pub database: Arc<Database>,
    state: AtomicU8,
    /// Bytes of the session's socket buffers right now.
    buffers: AtomicUsize,
    /// Prepared statements and their approximate bytes.
    statements: AtomicUsize,
    statement_bytes: AtomicUsize,
    registry: Weak<Registry>,
}

/// A snapshot of one client, for reports.
#[derive(Debug, Clone)]
pub struct ClientRow {
    pub pid: i32,
    pub user: String,
    pub database: String,
    pub state: &'static str,
    pub buffers: usize,
    pub statements: usize,
    pub statement_bytes: usize,
}

impl ClientInfo {
    /// Records the statement now running (Some) or that none is (None).
    pub fn set_running(&self, handle: Option<rusqlite::InterruptHandle>) {
        if handle.is_some() {
            self.canceled.store(false, Ordering::Relaxed);
        }
        let mut running = self.running.lock().unwrap_or_else(|p| p.into_inner());
        // Past the shutdown deadline a statement is interrupted as it starts (the flag
        // is set before `terminate_all` takes this lock).
        if let Some(h) = handle.as_ref().filter(|_| self.terminating()) {
            h.interrupt();
        }
        *running = handle;
    }

    /// Whether the server is ending sessions (the shutdown deadline passed): the
    /// running statement was interrupted and the client gets 57P01.
    pub fn terminating(&self) -> bool {
        self.killed()
            || self
                .registry
                .upgrade()
                .is_some_and(|r| r.terminating.load(Ordering::SeqCst))
    }

    /// The server this session runs on (None once it is stopping).
    pub(super) fn server(&self) -> Option<Arc<super::Shared>> {
        self.registry.upgrade()?.server.get()?.upgrade()
    }

    /// Whether `DROP DATABASE … WITH (FORCE)` is ending this session.
    pub fn killed(&self) -> bool {
        self.killed.load(Ordering::Relaxed)
    }

    /// Records the session's socket descriptor (-1: the session is ending and its
    /// socket about to close).
    pub fn set_socket(&self, fd: std::os::fd::RawFd) {
        let _guard = self.running.lock().unwrap_or_else(|p| p.into_inner());
        self.socket.store(fd, Ordering::Relaxed);
    }

    /// Whether a CancelRequest interrupted the last statement.
    pub fn was_canceled(&self) -> bool {
        self.canceled.load(Ordering::Relaxed)
    }

    pub fn set_state(&self, s: State) {
        self.state.store(s as u8, Ordering::Relaxed);
    }

    /// Records the session's buffer bytes; returns the change for the global total.
    pub fn set_buffers(&self, bytes: usize) {
        let old = self.buffers.swap(bytes, Ordering::Relaxed);
        if let Some(r) = self.registry.upgrade() {
            if bytes >= old {
                r.buffers.fetch_add(bytes - old, Ordering::Relaxed);
            } else {
                r.buffers.fetch_sub(old - bytes, Ordering::Relaxed);
            }
        }
    }

    pub fn set_statements(&self, count: usize, bytes: usize) {
        self.statements.store(count, Ordering::Relaxed);
        let old = self.statement_bytes.swap(bytes, Ordering::Relaxed);
        if let Some(r) = self.registry.upgrade() {
            if bytes >= old {
                r.statement_bytes.fetch_add(bytes - old, Ordering::Relaxed);
            } else {
                r.statement_bytes.fetch_sub(old - bytes, Ordering::Relaxed);
            }
        }
    }

    fn row(&self) -> ClientRow {
        let state = match self.state.load(Ordering::Relaxed) {
            0 => State::Active,
            2 => State::Parked,
            3 => State::IdleInTransaction,
            _ => State::Idle,
        };
        ClientRow {
            pid: self.pid,
            user: self.user.to_string(),
            database: self.database.name.clone(),
            state: state.name(),
            buffers: self.buffers.load(Ordering::Relaxed),
            statements: self.statements.load(Ordering::Relaxed),
            statement_bytes: self.statement_bytes.load(Ordering::Relaxed),
        }
    }
}

impl Drop for ClientInfo {
    fn drop(&mut self) {
        crate::engine::objects::forget_session(self.pid);
        crate::engine::advisory::release_session(self.pid);
        self.set_buffers(0);
        self.set_statements(0, 0);
        if let Some(r) = self.registry.upgrade() {
            let mut map = r.lock();
            map.remove(&self.pid);
            // Give back the table's space after a burst of clients has gone.
            if map.capacity() > 64 && map.len() < map.capacity() / 4 {
                map.shrink_to_fit();
            }
        }
    }
}

/// All connected clients.
#[derive(Default)]
pub struct Registry {
    clients: Mutex<HashMap<i32, Weak<ClientInfo>>>,
    buffers: AtomicUsize,
    statement_bytes: AtomicUsize,
    /// Set at the shutdown deadline: every session is being ended.
    terminating: std::sync::atomic::AtomicBool,
    /// The server, for the statements a session runs on it (CREATE/DROP DATABASE).
    server: std::sync::OnceLock<Weak<super::Shared>>,
}

impl Registry {
    pub(super) fn set_server(&self, server: Weak<super::Shared>) {
        let _ = self.server.set(server);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<i32, Weak<ClientInfo>>> {
        self.clients.lock().unwrap_or_else(|p| p.into_inner())
    }

    pub fn register(
        self: &Arc<Self>,
        pid: i32,
        secret: i32,
        user: Arc<str>,
        database: Arc<Database>,
    ) -> Arc<ClientInfo> {
        let info = Arc::new(ClientInfo {
            pid,
            secret,
            running: Mutex::new(None),
            canceled: AtomicBool::new(false),
            killed: AtomicBool::new(false),
            socket: AtomicI32::new(-1),
            user,
            database,
            state: AtomicU8::new(State::Active as u8),
            buffers: AtomicUsize::new(0),
            statements: AtomicUsize::new(0),
            statement_bytes: AtomicUsize::new(0),
            registry: Arc::downgrade(self),
        });
        self.lock().insert(pid, Arc::downgrade(&info));
        info
    }

    /// A CancelRequest: interrupts the statement session `pid` is running, if the secret
    /// matches (otherwise nothing happens, as in PostgreSQL). True if one was interrupted.
    pub fn cancel(&self, pid: i32, secret: i32) -> bool {
        let Some(info) = self.lock().get(&pid).and_then(Weak::upgrade) else {
            return false;
        };
        if info.secret != secret {
            return false;
        }
        let running = info.running.lock().unwrap_or_else(|p| p.into_inner());
        match running.as_ref() {
            Some(handle) => {
                info.canceled.store(true, Ordering::Relaxed);
                handle.interrupt();
                true
            }
            None => false,
        }
    }

    /// At the shutdown deadline: interrupts every running statement, and every one
    /// that starts from now on. Returns how many were running.
    pub fn terminate_all(&self) -> usize {
        self.terminating.store(true, Ordering::SeqCst);
        let clients: Vec<Arc<ClientInfo>> =
            self.lock().values().filter_map(Weak::upgrade).collect();
        let mut interrupted = 0;
        for info in clients {
            let running = info.running.lock().unwrap_or_else(|p| p.into_inner());
            if let Some(handle) = running.as_ref() {
                handle.interrupt();
                interrupted += 1;
            }
        }
        interrupted
    }

    /// The sessions connected to database `name`, but for session `except`.
    pub fn sessions_on(&self, name: &str, except: i32) -> Vec<Arc<ClientInfo>> {
        self.lock()
            .values()
            .filter_map(Weak::upgrade)
            .filter(|c| c.pid != except && c.database.name == name)
            .collect()
    }

    /// Ends a session as `pg_terminate_backend` does: its running statement is
    /// interrupted, and the reading side of its socket shut, which wakes it (idle or
    /// parked) to send FATAL 57P01 and end.
    pub fn terminate(&self, info: &ClientInfo) {
        info.killed.store(true, Ordering::SeqCst);
        let running = info.running.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(handle) = running.as_ref() {
            handle.interrupt();
        }
        let fd = info.socket.load(Ordering::Relaxed);
        if fd >= 0 {
            // SAFETY: the descriptor is the session's open socket: it is set to -1
            // under this lock before the socket closes (Session's Drop).
            unsafe {
                libc::shutdown(fd, libc::SHUT_RD);
            }
        }
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    /// Bytes of all sessions' socket buffers.
    pub fn buffer_bytes(&self) -> usize {
        self.buffers.load(Ordering::Relaxed)
    }

    /// Approximate bytes of all sessions' prepared statements.
    pub fn statement_bytes(&self) -> usize {
        self.statement_bytes.load(Ordering::Relaxed)
    }

    /// Bytes the registry itself holds.
    pub fn own_bytes(&self) -> usize {
        let map = self.lock();
        map.capacity() * (std::mem::size_of::<(i32, Weak<ClientInfo>)>() + 1)
            + map.len() * (std::mem::size_of::<ClientInfo>() + 16)
    }

    /// Every client, ordered by pid.
    pub fn rows(&self) -> Vec<ClientRow> {
        let mut rows: Vec<ClientRow> = self
            .lock()
            .values()
            .filter_map(Weak::upgrade)
            .map(|c| c.row())
            .collect();
        rows.sort_by_key(|r| r.pid);
        rows
    }

    /// Number of clients in each state.
    pub fn count_by_state(&self) -> [(&'static str, usize); 4] {
        let mut counts = [
            (State::Active.name(), 0),
            (State::Idle.name(), 0),
            (State::Parked.name(), 0),
            (State::IdleInTransaction.name(), 0),
        ];
        for r in self.rows() {
            if let Some(c) = counts.iter_mut().find(|(n, _)| *n == r.state) {
                c.1 += 1;
            }
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{Engine, EngineConfig};

    #[tokio::test]
    async fn registers_and_forgets() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::new(EngineConfig {
            data_dir: dir.path().to_path_buf(),
            auto_create: true,
            max_databases: 10,
            connections_per_db: 1,
            max_open_connections: 10,
            lock_timeout: std::time::Duration::from_secs(1),
            idle_close: std::time::Duration::from_secs(1),
            cache_size_kib: 64,
            statement_cache: 1,
            chunk_size: 1024,
            role: Default::default(),
        })
        .unwrap();
        let db = engine.database("db", true).await.unwrap();
        let r = Arc::new(Registry::default());
        let a = r.register(1, 11, Arc::from("u"), db.clone());
        let b = r.register(2, 22, Arc::from("v"), db);
        // No statement running: nothing to cancel; a wrong secret never cancels.
        assert!(!r.cancel(1, 11));
        assert!(!r.cancel(1, 12));
        a.set_buffers(100);
        b.set_buffers(50);
        b.set_state(State::Parked);
        assert_eq!(r.buffer_bytes(), 150);
        assert_eq!(r.rows().len(), 2);
        assert_eq!(r.rows()[1].state, "parked");
        assert_eq!(r.rows()[0].database, "db");
        drop(a);
        assert_eq!(r.buffer_bytes(), 50);
        assert_eq!(r.len(), 1);
        b.set_statements(3, 300);
        assert_eq!(r.statement_bytes(), 300);
        drop(b);
        assert_eq!(r.len(), 0);
        assert_eq!((r.buffer_bytes(), r.statement_bytes()), (0, 0));
    }
}
