//! The `litewire` binary: flags, logging, the runtime, signals.

use std::io::IsTerminal;

use litewire::config::{Command, Config};

// glibc malloc is the default (docs/MEMORY.md compares the allocators).
#[cfg(feature = "jemalloc")]
#[global_allocator]
static ALLOC: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
use tracing_subscriber::filter::Targets;
use tracing_subscriber::prelude::*;

fn main() -> std::process::ExitCode {
    // Before anything else: this may run the binary again with glibc tunables set.
    litewire::memory::apply_malloc_tunables();
    let cfg = match Config::load(std::env::args_os()) {
        Ok(cfg) => cfg,
        Err(e) => e.exit(),
    };
    if let Some(Command::Passwd { user }) = &cfg.command {
        return passwd(user);
    }
    let auth = match cfg.check() {
        Ok(auth) => auth,
        Err(e) => {
            eprintln!("error: {e}");
            return std::process::ExitCode::from(2);
        }
    };
    litewire::memory::configure_allocator();
    litewire::engine::configure_sqlite();
    // RUST_LOG holds `target=level` directives and/or a default level, e.g.
    // `litewire=debug,info`; invalid text falls back to `info`.
    let filter: Targets = std::env::var("RUST_LOG")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| Targets::new().with_default(tracing::Level::INFO));
    let fmt = tracing_subscriber::fmt::layer().with_writer(std::io::stderr);
    if cfg.log_format == "json" {
        // One object a line, the event's fields (a session's pid, user, database and
        // peer among them) flattened into it.
        tracing_subscriber::registry()
            .with(
                fmt.json()
                    .flatten_event(true)
                    .with_current_span(false)
                    .with_span_list(false),
            )
            .with(filter)
            .init();
    } else {
        tracing_subscriber::registry()
            .with(fmt.with_ansi(std::io::stderr().is_terminal()))
            .with(filter)
            .init();
    }
    log_panics();
    raise_fd_limit();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(cfg.io_threads)
        .max_blocking_threads(cfg.workers)
        .thread_name("litewire")
        .enable_all()
        .build();
    let runtime = match runtime {
        Ok(rt) => rt,
        Err(e) => {
            tracing::error!(error = %e, "cannot start the runtime");
            return std::process::ExitCode::FAILURE;
        }
    };
    let result = runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(cfg.listen)
            .await
            .map_err(|e| {
                std::io::Error::new(e.kind(), format!("cannot listen on {}: {e}", cfg.listen))
            })?;
        let (tx, signals) = tokio::sync::mpsc::channel(4);
        tokio::spawn(forward_signals(tx));
        litewire::server::run(listener, cfg, auth, signals).await
    });
    // Do not wait for blocking threads still busy (a statement that ignored its
    // interrupt, a translation): the server has stopped; they end with the process.
    runtime.shutdown_timeout(std::time::Duration::from_secs(1));
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "litewire failed");
            std::process::ExitCode::FAILURE
        }
    }
}

/// `litewire passwd USER`: reads a password (without echo on a terminal) and prints the
/// user's line for --auth-file.
fn passwd(user: &str) -> std::process::ExitCode {
    let stdin = std::io::stdin();
    let terminal = stdin.is_terminal();
    if terminal {
        eprint!("Password for {user}: ");
    }
    let echo = terminal.then(echo_off).flatten();
    let mut line = String::new();
    let read = stdin.read_line(&mut line);
    if let Some(saved) = echo {
        restore_echo(saved);
        eprintln!();
    }
    let password = line.strip_suffix('\n').unwrap_or(&line);
    let password = password.strip_suffix('\r').unwrap_or(password);
    if read.is_err() || password.is_empty() {
        eprintln!("error: no password read from standard input");
        return std::process::ExitCode::from(2);
    }
    match litewire::server::auth::users::entry(user, password) {
        Ok(entry) => {
            println!("{entry}");
            std::process::ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}

/// Turns the terminal's echo off; the settings to restore, if it could.
fn echo_off() -> Option<libc::termios> {
    // SAFETY: tcgetattr/tcsetattr only read and write the struct passed, on stdin.
    unsafe {
        let mut t: libc::termios = std::mem::zeroed();
        if libc::tcgetattr(libc::STDIN_FILENO, &mut t) != 0 {
            return None;
        }
        let saved = t;
        t.c_lflag &= !libc::ECHO;
        (libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &t) == 0).then_some(saved)
    }
}

fn restore_echo(saved: libc::termios) {
    // SAFETY: as in echo_off.
    unsafe {
        libc::tcsetattr(libc::STDIN_FILENO, libc::TCSANOW, &saved);
    }
}

/// A panic is a bug, but one a client may trigger over and over: each is logged once, as
/// one line (message, location, thread), with a backtrace only when RUST_BACKTRACE asks
/// for one. The session that hit it answers XX000 (`server/session.rs`).
fn log_panics() {
    std::panic::set_hook(Box::new(|info| {
        let payload = info.payload();
        let message = payload
            .downcast_ref::<&str>()
            .copied()
            .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
            .unwrap_or("(no message)");
        let location = info.location().map(|l| l.to_string()).unwrap_or_default();
        let thread = std::thread::current();
        let thread = thread.name().unwrap_or("unnamed");
        let backtrace = std::backtrace::Backtrace::capture();
        if backtrace.status() == std::backtrace::BacktraceStatus::Captured {
            tracing::error!(%location, thread, "panic: {message}\n{backtrace}");
        } else {
            tracing::error!(%location, thread, "panic: {message}");
        }
    }));
}

/// Sends a message for every SIGTERM or SIGINT: the first starts the shutdown, the
/// next cuts its wait for running statements short.
async fn forward_signals(tx: tokio::sync::mpsc::Sender<()>) {
    use tokio::signal::unix::{signal, SignalKind};
    let (Ok(mut term), Ok(mut int)) = (
        signal(SignalKind::terminate()),
        signal(SignalKind::interrupt()),
    ) else {
        tracing::warn!("cannot install signal handlers; stop with SIGKILL");
        // Keep the sender: a closed channel is not a shutdown request.
        return std::future::pending().await;
    };
    loop {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
        if tx.send(()).await.is_err() {
            return;
        }
    }
}

/// Lets the process use as many file descriptors as its hard limit allows: each client
/// is a socket.
fn raise_fd_limit() {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read and write the struct we pass.
    unsafe {
        if libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) == 0 && lim.rlim_cur < lim.rlim_max {
            lim.rlim_cur = lim.rlim_max;
            libc::setrlimit(libc::RLIMIT_NOFILE, &lim);
        }
    }
}
