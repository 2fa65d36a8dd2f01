//! Who a running session's log lines are about: its pid, user, database and client
//! address. A task-local set around the session's run, not a tracing span: tracing's span
//! registry keeps one slot per span ever open at the same time, with the fields' text,
//! and never gives it back (10,000 clients cost 1.7 KB each while idle and 16 MiB after
//! they left; docs/MEMORY.md). This lives in the running task and goes when it parks.

use std::future::Future;
use std::sync::Arc;

use super::socket::Peer;

pub struct Who {
    pub pid: i32,
    pub user: Arc<str>,
    pub database: Arc<crate::engine::Database>,
    pub peer: Option<Peer>,
}

tokio::task_local! {
    static WHO: Who;
}

/// Runs `f` with `who` as the session its log lines name.
pub async fn scope<F: Future>(who: Who, f: F) -> F::Output {
    WHO.scope(who, f).await
}

/// Calls `f` with the current session, or with None outside one (start-up, the admin
/// console).
pub fn with<R>(f: impl FnOnce(Option<&Who>) -> R) -> R {
    let mut f = Some(f);
    match WHO.try_with(|w| (f.take().expect("called once"))(Some(w))) {
        Ok(r) => r,
        Err(_) => (f.take().expect("not called"))(None),
    }
}

impl Who {
    /// The client address as PostgreSQL's logs show it (`[local]` for a Unix socket).
    pub fn peer(&self) -> String {
        self.peer
            .as_ref()
            .map(|p| p.to_string())
            .unwrap_or_default()
    }
}

/// `tracing::info!` with the current session's pid, user, database and peer as fields.
macro_rules! session_info {
    ($($event:tt)*) => {
        $crate::server::who::with(|who| match who {
            Some(w) => tracing::info!(
                pid = w.pid,
                user = %w.user,
                database = %w.database.name,
                peer = %w.peer(),
                $($event)*
            ),
            None => tracing::info!($($event)*),
        })
    };
}
pub(crate) use session_info;
