//! A one-line progress indicator on stderr: the run, its phase, the phase's progress and
//! the server's latest RSS, redrawn with `\r` four times a second on a terminal. When
//! stderr is not a terminal, each phase is printed once on its own line instead.

use std::io::{IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use crate::report::kib;
use crate::sampler::Latest;

/// How far along a phase is measured.
#[derive(Clone, Copy)]
pub enum Goal {
    /// Done when it is done: only the elapsed time is shown.
    Open,
    /// Runs for this long; the counter shows operations done.
    Secs(f64),
    /// Done when the counter reaches this.
    Count(u64),
}

struct Phase {
    name: String,
    goal: Goal,
    since: Instant,
}

struct Inner {
    title: String,
    phase: Mutex<Phase>,
    counter: Arc<AtomicU64>,
    stop: AtomicBool,
    latest: Latest,
    tty: bool,
}

impl Inner {
    fn line(&self) -> String {
        let phase = self.phase.lock().unwrap();
        let n = self.counter.load(Ordering::Relaxed);
        let elapsed = phase.since.elapsed().as_secs_f64();
        let step = match phase.goal {
            Goal::Open => format!("{elapsed:.1} s"),
            Goal::Secs(total) => format!("{elapsed:.1}/{total:.0} s, {n} ops"),
            Goal::Count(total) => format!("{n}/{total}"),
        };
        let rss = self
            .latest
            .get()
            .map(|s| format!("  rss {}", kib(s.status.vm_rss as f64)))
            .unwrap_or_default();
        format!("[{}] {} {step}{rss}", self.title, phase.name)
    }
}

pub struct Progress {
    inner: Arc<Inner>,
    thread: Option<JoinHandle<()>>,
}

impl Progress {
    pub fn start(title: String, latest: Latest) -> Progress {
        let inner = Arc::new(Inner {
            title,
            phase: Mutex::new(Phase {
                name: "start".into(),
                goal: Goal::Open,
                since: Instant::now(),
            }),
            counter: Arc::new(AtomicU64::new(0)),
            stop: AtomicBool::new(false),
            latest,
            tty: std::io::stderr().is_terminal(),
        });
        let thread = inner.tty.then(|| {
            let bg = inner.clone();
            std::thread::spawn(move || {
                while !bg.stop.load(Ordering::Relaxed) {
                    eprint!("\r{:<100}", bg.line());
                    let _ = std::io::stderr().flush();
                    std::thread::sleep(Duration::from_millis(250));
                }
                eprint!("\r{:<100}\r", "");
            })
        });
        Progress { inner, thread }
    }

    /// Starts a new phase and resets the counter.
    pub fn phase(&self, name: &str, goal: Goal) {
        self.inner.counter.store(0, Ordering::Relaxed);
        *self.inner.phase.lock().unwrap() = Phase {
            name: name.to_string(),
            goal,
            since: Instant::now(),
        };
        if !self.inner.tty {
            eprintln!("{}", self.inner.line());
        }
    }

    /// The phase counter, for workers to increment.
    pub fn counter(&self) -> Arc<AtomicU64> {
        self.inner.counter.clone()
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        self.inner.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}
