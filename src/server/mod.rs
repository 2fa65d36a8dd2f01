//! The network side: accepting clients, enforcing the connection limit, running each
//! client's startup and session, and shutting down cleanly.

mod admin;
pub mod auth;
mod conn;
mod copy;
mod cursor;
mod databases;
mod extended;
mod metrics;
mod on_commit;
mod params;
mod park;
mod prepare;
mod registry;
mod session;
mod settings;
mod simple;
pub mod socket;
mod startup;
pub mod stats;
mod subxact;
mod table_as;
pub mod tls;
mod transaction;
mod translate;
pub mod who;

use std::sync::atomic::{AtomicI32, AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock, RwLock, Weak};
use std::time::Duration;

use tokio::net::{TcpListener, UnixListener};
use tokio::sync::{mpsc, watch, OwnedSemaphorePermit, Semaphore};
use tracing::{debug, info, warn};

use crate::config::{Config, ConsoleRole};
use crate::engine::Engine;
use crate::protocol::{PgError, SqlState};
use auth::{hba::Method, Auth, Refusal};
use conn::Conn;
use park::{Parked, ParkingLot};
use session::Session;
use socket::Socket;
use startup::Hello;

pub use params::{server_version, version_num, DEFAULT_SERVER_VERSION};

/// Size of a client task's future, measured at the first spawn (for the memory report).
static TASK_FUTURE_BYTES: AtomicUsize = AtomicUsize::new(0);

/// Connections over the limit that are told "too many clients" after their startup
/// packet, as PostgreSQL does, at once; beyond this the answer is written straight away
/// (see `reject_now`), so rejecting costs bounded memory and no task.
const MAX_REJECTING: usize = 64;

/// State shared by every client task.
struct Shared {
    cfg: Config,
    /// Who may connect; replaced whole on SIGHUP.
    auth: RwLock<Arc<Auth>>,
    engine: Arc<Engine>,
    /// Litestream's processes, when the data folder is replicated or followed
    /// (src/replication); taken at shutdown.
    replication: std::sync::Mutex<Option<crate::replication::Replication>>,
    /// One permit per client session (the connection limit). Shutdown waits for all of
    /// them to come back.
    sessions: Arc<Semaphore>,
    rejecting: AtomicUsize,
    next_pid: AtomicI32,
    stop: watch::Receiver<bool>,
    /// Idle sessions kept outside the runtime (None when parking is off).
    lot: OnceLock<Arc<ParkingLot>>,
    registry: Arc<registry::Registry>,
}

/// How long sessions whose statements were interrupted at the shutdown deadline have
/// to send their 57P01 and end before the server stops without them.
const TERMINATE_GRACE: Duration = Duration::from_secs(1);

/// Runs the server on `listener` until the first message on `signals` (SIGTERM or
/// SIGINT), then stops accepting, lets running statements finish up to
/// `shutdown_timeout` — or until a second signal — interrupts those still running
/// (their clients get FATAL 57P01), closes the databases and returns.
pub async fn run(
    listener: TcpListener,
    cfg: Config,
    auth: Auth,
    mut signals: mpsc::Receiver<()>,
) -> std::io::Result<()> {
    let engine = Arc::new(Engine::new(cfg.engine())?);
    let replication = crate::replication::Replication::start(&cfg, &engine)?;
    conn::set_read_chunk(cfg.buffer_kib.max(1) << 10);
    params::set_server_defaults(
        cfg.idle_in_transaction_timeout,
        cfg.statement_timeout,
        &cfg.synchronous_commit,
    );
    params::set_server_version(&cfg.server_version);
    translate::set_max_statement_tokens(cfg.max_statement_tokens);
    stats::set_log_min_duration(cfg.log_min_duration_statement.0);
    crate::engine::set_max_jsonpath_items(cfg.max_jsonpath_items);
    let (stop_tx, stop_rx) = watch::channel(false);
    let shared = Arc::new(Shared {
        sessions: Arc::new(Semaphore::new(cfg.max_connections)),
        rejecting: AtomicUsize::new(0),
        next_pid: AtomicI32::new(1000),
        stop: stop_rx,
        lot: OnceLock::new(),
        registry: Arc::default(),
        engine,
        replication: std::sync::Mutex::new(replication),
        auth: RwLock::new(Arc::new(auth)),
        cfg,
    });
    shared.registry.set_server(Arc::downgrade(&shared));
    if !shared.cfg.park_after.is_zero() {
        let lot = ParkingLot::start(resumer(&shared))?;
        let _ = shared.lot.set(lot);
    }
    let unix = match &shared.cfg.unix_socket_dir {
        Some(dir) => Some(UnixSocket::bind(dir, listener.local_addr()?.port())?),
        None => None,
    };
    info!(
        listen = %listener.local_addr()?,
        data_dir = %shared.cfg.data_dir.display(),
        unix_socket = ?unix.as_ref().map(|u| u.path.display().to_string()),
        "litewire ready"
    );
    let sweeper = tokio::spawn(sweep_idle(shared.clone()));
    let reloader = tokio::spawn(reload_on_sighup(shared.clone()));
    let metrics = match shared.cfg.metrics_listen {
        Some(addr) => {
            let l = TcpListener::bind(addr).await.map_err(|e| {
                std::io::Error::new(
                    e.kind(),
                    format!("cannot listen on {addr} for metrics: {e}"),
                )
            })?;
            info!(metrics = %l.local_addr()?, "metrics listener ready");
            Some(tokio::spawn(metrics::serve(l, shared.clone())))
        }
        None => None,
    };
    // Start-up is over: its code need not stay resident.
    crate::memory::release_code_pages();
    loop {
        tokio::select! {
            _ = next_signal(&mut signals) => break,
            accepted = listener.accept() => match accepted {
                Ok((stream, peer)) => {
                    debug!(%peer, "accepted");
                    let _ = stream.set_nodelay(true);
                    accept(&shared, Socket::Tcp(stream));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off briefly.
                    warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            },
            accepted = accept_local(unix.as_ref()) => match accepted {
                Ok(stream) => {
                    debug!("accepted on the Unix socket");
                    accept(&shared, Socket::Unix(stream));
                }
                Err(e) => {
                    // Out of file descriptors and the like: back off briefly.
                    warn!(error = %e, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
    info!("shutting down");
    drop(listener);
    let _ = stop_tx.send(true);
    if let Some(lot) = shared.lot.get() {
        // Parked sessions wake up to be told about the shutdown.
        lot.wake_all();
    }
    let all = u32::try_from(shared.cfg.max_connections).unwrap_or(u32::MAX);
    let drained = shared.sessions.acquire_many(all);
    tokio::pin!(drained);
    let forced = tokio::select! {
        _ = &mut drained => false,
        _ = tokio::time::sleep(shared.cfg.shutdown_timeout) => {
            warn!("shutdown timeout reached: interrupting running statements");
            true
        }
        _ = next_signal(&mut signals) => {
            warn!("second signal: interrupting running statements");
            true
        }
    };
    if forced {
        let grace = tokio::time::sleep(TERMINATE_GRACE);
        tokio::pin!(grace);
        loop {
            // Again every moment: an interrupt that lands just before a statement's
            // first step is lost (SQLite clears it when a statement starts).
            let running = shared.registry.terminate_all();
            tokio::select! {
                _ = &mut drained => break,
                _ = &mut grace => {
                    warn!(running, "sessions still running after the interrupt; stopping without them");
                    break;
                }
                _ = tokio::time::sleep(Duration::from_millis(100)) => {}
            }
        }
    }
    sweeper.abort();
    reloader.abort();
    if let Some(m) = metrics {
        m.abort();
    }
    if forced {
        // Bounded too: the process must end.
        let _ = tokio::time::timeout(TERMINATE_GRACE, shared.engine.close_all()).await;
    } else {
        shared.engine.close_all().await;
    }
    let replication = shared
        .replication
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .take();
    if let Some(r) = replication {
        r.stop().await;
    }
    info!("stopped");
    Ok(())
}

/// The next shutdown signal; never, once the sender is gone.
async fn next_signal(signals: &mut mpsc::Receiver<()>) {
    if signals.recv().await.is_none() {
        std::future::pending::<()>().await;
    }
}

/// The Unix-domain socket `<dir>/.s.PGSQL.<port>`, removed when dropped.
struct UnixSocket {
    listener: UnixListener,
    path: std::path::PathBuf,
}

impl UnixSocket {
    /// Binds the socket; a file left by a server that is gone is replaced, one that a
    /// running server answers on is an error.
    fn bind(dir: &std::path::Path, port: u16) -> std::io::Result<UnixSocket> {
        let path = dir.join(format!(".s.PGSQL.{port}"));
        let fail = |e: std::io::Error| {
            std::io::Error::new(
                e.kind(),
                format!("cannot listen on Unix socket {}: {e}", path.display()),
            )
        };
        if path.exists() {
            if std::os::unix::net::UnixStream::connect(&path).is_ok() {
                return Err(fail(std::io::ErrorKind::AddrInUse.into()));
            }
            std::fs::remove_file(&path).map_err(fail)?;
        }
        let listener = UnixListener::bind(&path).map_err(fail)?;
        Ok(UnixSocket { listener, path })
    }
}

impl Drop for UnixSocket {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The next client on the Unix socket; never, without one.
async fn accept_local(unix: Option<&UnixSocket>) -> std::io::Result<tokio::net::UnixStream> {
    match unix {
        Some(u) => u.listener.accept().await.map(|(s, _)| s),
        None => std::future::pending().await,
    }
}

fn accept(shared: &Arc<Shared>, stream: Socket) {
    stats::CONNECTIONS.add(1);
    match shared.sessions.clone().try_acquire_owned() {
        Ok(permit) => {
            let shared = shared.clone();
            let task = async move {
                client(shared, stream, permit).await;
            };
            TASK_FUTURE_BYTES.store(std::mem::size_of_val(&task), Ordering::Relaxed);
            tokio::spawn(task);
        }
        Err(_) if shared.rejecting.fetch_add(1, Ordering::Relaxed) < MAX_REJECTING => {
            let shared = shared.clone();
            tokio::spawn(async move {
                reject(&shared, stream).await;
                shared.rejecting.fetch_sub(1, Ordering::Relaxed);
            });
        }
        Err(_) => {
            shared.rejecting.fetch_sub(1, Ordering::Relaxed);
            reject_now(stream);
        }
    }
}

fn too_many_clients() -> PgError {
    PgError::fatal(
        SqlState::TOO_MANY_CONNECTIONS,
        "sorry, too many clients already",
    )
}

/// Tells a client over the connection limit so without waiting for its startup packet:
/// whatever it sent already is read and dropped (so closing does not reset the
/// connection), the error is written into the empty socket buffer, and the socket is
/// closed. libpq, JDBC and tokio-postgres read the error after sending their startup
/// packet, or in place of the answer to an SSLRequest.
fn reject_now(stream: Socket) {
    static MESSAGE: OnceLock<bytes::Bytes> = OnceLock::new();
    let message = MESSAGE.get_or_init(|| {
        let mut out = bytes::BytesMut::new();
        crate::protocol::backend::error(&mut out, &too_many_clients());
        out.freeze()
    });
    // A startup packet is small; a client that keeps sending is not waited for.
    let mut sink = [0u8; 1024];
    for _ in 0..8 {
        if !matches!(stream.try_read(&mut sink), Ok(n) if n > 0) {
            break;
        }
    }
    let _ = stream.try_write(message);
    if let Ok(std) = stream.into_std() {
        std.shutdown_write();
    }
}

/// Tells a client over the connection limit so, after reading its startup packet.
async fn reject(shared: &Shared, stream: Socket) {
    let mut conn = Conn::new(stream);
    let hello = tokio::time::timeout(
        shared.cfg.startup_timeout.min(Duration::from_secs(5)),
        startup::read_hello(&mut conn, None),
    )
    .await;
    if let Ok(Ok(Hello::Session(_))) = hello {
        conn.error(&too_many_clients());
        let _ = conn.flush().await;
    }
}

/// One client, from startup to the end of its session.
async fn client(shared: Arc<Shared>, stream: Socket, slot: OwnedSemaphorePermit) {
    // Startup runs in its own (boxed, short-lived) future so the long-lived session
    // task carries none of its state.
    match Box::pin(open_session(&shared, stream, slot)).await {
        Some(Opened::Session(session)) => serve(shared, session).await,
        Some(Opened::Admin(conn, slot, role)) => admin::run(shared, conn, slot, role).await,
        None => {}
    }
}

/// Runs a session until it ends, or until it is idle long enough to be parked.
async fn serve(shared: Arc<Shared>, session: Box<Session>) {
    let pid = session.pid;
    let park_after = shared.lot.get().map(|_| shared.cfg.park_after);
    let who = session.who();
    let run = session.run(shared.stop.clone(), park_after);
    let Some(mut idle) = who::scope(who, run).await else {
        debug!(pid, "session ended");
        return;
    };
    let Some(lot) = shared.lot.get() else { return };
    idle.info.set_state(registry::State::Parked);
    match idle.conn.detach() {
        Ok(stream) => {
            // A fresh box, allocated now: it lands in memory freed by tasks that have
            // ended, so parked sessions pack densely and the pages of finished tasks can
            // be returned to the system (measured in docs/MEMORY.md).
            let session = Box::new(*idle);
            if let Err(p) = lot.park(Parked { stream, session }) {
                // Could not park: serve it as a task again, without parking.
                let mut s = p.session;
                if s.conn.attach(p.stream).is_ok() {
                    s.run(shared.stop.clone(), None).await;
                }
            }
        }
        Err(e) => debug!(pid, error = %e, "session lost while parking"),
    }
}

/// What the parking lot calls when a parked session's socket becomes readable: run it
/// as a task again.
fn resumer(shared: &Arc<Shared>) -> park::Resume {
    let weak: Weak<Shared> = Arc::downgrade(shared);
    let handle = tokio::runtime::Handle::current();
    Box::new(move |p: Parked| {
        let Some(shared) = weak.upgrade() else { return };
        handle.spawn(async move {
            let mut session = p.session;
            if session.conn.attach(p.stream).is_ok() {
                serve(shared, session).await;
            }
        });
    })
}

/// What a completed startup leads to.
enum Opened {
    Session(Box<Session>),
    /// The admin console (database `litewire`), with its place under the connection
    /// limit and what the user may do there.
    Admin(Conn, OwnedSemaphorePermit, ConsoleRole),
}

/// The startup handshake up to the first ReadyForQuery; None when the client leaves or
/// is refused.
async fn open_session(
    shared: &Shared,
    stream: Socket,
    slot: OwnedSemaphorePermit,
) -> Option<Opened> {
    let mut conn = Conn::new(stream);
    let auth = shared.auth.read().map(|a| a.clone());
    let auth = auth.unwrap_or_else(|poisoned| poisoned.into_inner().clone());
    let hello = tokio::time::timeout(
        shared.cfg.startup_timeout,
        startup::read_hello(&mut conn, auth.tls.as_ref().map(|t| &t.config)),
    )
    .await;
    let req = match hello {
        Ok(Ok(Hello::Session(req))) => req,
        Ok(Ok(Hello::Cancel { pid, secret })) => {
            // As in PostgreSQL, the requester gets no answer either way.
            let hit = shared.registry.cancel(pid, secret);
            debug!(pid, hit, "cancel request");
            return None;
        }
        Ok(Ok(Hello::Closed)) => return None,
        Ok(Err(e)) => {
            conn.error(&e);
            let _ = conn.flush().await;
            return None;
        }
        Err(_) => {
            debug!("startup timeout");
            return None;
        }
    };
    if *shared.stop.borrow() {
        conn.error(&PgError::fatal(
            SqlState::CANNOT_CONNECT_NOW,
            "the database system is shutting down",
        ));
        let _ = conn.flush().await;
        return None;
    }
    let Ok(peer) = conn.peer() else {
        return None;
    };
    // The exchange runs in its own boxed future, so that trust connections (and the
    // startup future every client has) carry none of its code or state.
    let checked = match auth.method_for(&req.user, &req.database, peer, conn.is_tls()) {
        Ok(Method::Trust) => Ok(Ok(())),
        Ok(method) => {
            let exchange = auth.exchange(&mut conn, method, &req.user, &req.database, peer);
            tokio::time::timeout(shared.cfg.startup_timeout, Box::pin(exchange)).await
        }
        Err(refusal) => Ok(Err(refusal)),
    };
    drop(auth);
    match checked {
        Ok(Ok(())) => {}
        Ok(Err(Refusal::Error(e))) => {
            stats::AUTH_FAILURES.add(1);
            conn.error(&e);
            let _ = conn.flush().await;
            return None;
        }
        Ok(Err(Refusal::Gone)) | Err(_) => return None,
    }
    if req.database == admin::ADMIN_DATABASE {
        let Some(role) = shared.cfg.console_role(&req.user) else {
            warn!(%peer, user = %req.user, "admin console refused: not in --admin-users or --stats-users");
            conn.error(
                &PgError::fatal(
                    SqlState::INSUFFICIENT_PRIVILEGE,
                    format!(
                        "permission denied for database \"{}\"",
                        admin::ADMIN_DATABASE
                    ),
                )
                .with_detail("The admin console is for --admin-users and --stats-users."),
            );
            let _ = conn.flush().await;
            return None;
        };
        let params = params::Params::new(Arc::from(req.user.as_str()));
        let pid = shared.next_pid.fetch_add(1, Ordering::Relaxed);
        startup::welcome(&mut conn, &params, pid, random_i32());
        info!(pid, %peer, user = %req.user, "admin console session");
        return Some(Opened::Admin(conn, slot, role));
    }
    let may_create = shared.cfg.may_create_databases(&req.user);
    let db = match shared.engine.database(&req.database, may_create).await {
        Ok(db) => db,
        Err(mut e) => {
            e.severity = crate::protocol::Severity::Fatal;
            conn.error(&e);
            let _ = conn.flush().await;
            return None;
        }
    };
    let user: Arc<str> = Arc::from(req.user.as_str());
    let mut params = params::Params::new(user.clone());
    if crate::engine::standby::is_fenced(&db.name) {
        params.set_fenced();
    }
    if let Err(mut e) = startup::apply_params(&req, &mut params) {
        e.severity = crate::protocol::Severity::Fatal;
        conn.error(&e);
        let _ = conn.flush().await;
        return None;
    }
    let pid = shared.next_pid.fetch_add(1, Ordering::Relaxed);
    let secret = random_i32();
    startup::welcome(&mut conn, &params, pid, secret);
    info!(pid, %peer, user = %req.user, database = %req.database, "session started");
    let db_for_registry = db.clone();
    let session = Session::new(
        conn,
        db,
        params,
        shared.cfg.max_message_size,
        shared.cfg.max_nesting_depth,
        slot,
        shared.registry.register(pid, secret, user, db_for_registry),
    );
    Some(Opened::Session(Box::new(session)))
}

/// A random 32-bit value (a cancel key: a client must not guess another's).
fn random_i32() -> i32 {
    let mut b = [0u8; 4];
    if getrandom::fill(&mut b).is_err() {
        // No system randomness: the standard library's per-process hasher keys.
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u64(std::process::id().into());
        return h.finish() as i32;
    }
    i32::from_ne_bytes(b)
}

/// Rereads the authentication rules and users on every SIGHUP; a file that does not
/// read keeps the rules in force (and says why). Sessions already open stay.
async fn reload_on_sighup(shared: Arc<Shared>) {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(mut hup) = signal(SignalKind::hangup()) else {
        warn!("cannot install the SIGHUP handler: no reloading");
        return;
    };
    while hup.recv().await.is_some() {
        let _ = reload_auth(&shared, "SIGHUP");
    }
}

/// Rereads the authentication rules and users (SIGHUP, the console's RELOAD); on
/// failure the rules in force stay. The outcome is logged.
fn reload_auth(shared: &Shared, by: &str) -> Result<(), String> {
    let loaded = Auth::load(&shared.cfg.auth()).and_then(|a| {
        shared.cfg.allows(&a)?;
        Ok(a)
    });
    match loaded {
        Ok(a) => {
            let (rules, users) = a.counts();
            let tls = a.tls.is_some();
            if let Ok(mut slot) = shared.auth.write() {
                *slot = Arc::new(a);
            }
            info!(
                rules,
                users, tls, "{by}: authentication rules, users and TLS files reloaded"
            );
            Ok(())
        }
        Err(e) => {
            warn!(error = %e, "{by}: reload failed, the rules in force stay");
            Err(e)
        }
    }
}

/// Closes idle SQLite connections every so often.
async fn sweep_idle(shared: Arc<Shared>) {
    // Often enough that RSS is back at its baseline seconds after load ends.
    let every =
        (shared.cfg.idle_close / 2).clamp(Duration::from_millis(200), Duration::from_secs(5));
    let mut tick = tokio::time::interval(every);
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tick.tick().await;
        let closed = shared.engine.close_idle().await;
        if closed > 0 {
            debug!(
                closed,
                databases = shared.engine.open_databases(),
                "closed idle connections"
            );
        }
        // Give freed memory back to the system; when the last connection has closed,
        // the code pages the load used as well (they come back on next use).
        crate::memory::trim();
        if closed > 0 && shared.engine.open_connections() == 0 {
            crate::memory::release_code_pages();
        }
    }
}
