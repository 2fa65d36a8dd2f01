//! A background thread that samples the server ten times a second (its own OS thread, so a
//! busy load generator cannot delay the readings), plus named marks on the same clock.

use std::io;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use serde::Serialize;

use crate::proc::{self, Sample};

/// A named point in time of a run ("load", "end", ...), in seconds on the sampler's clock.
#[derive(Debug, Clone, Serialize)]
pub struct Mark {
    pub t: f64,
    pub label: String,
}

/// Everything sampled during one run.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Recording {
    pub samples: Vec<Sample>,
    pub marks: Vec<Mark>,
    /// Why sampling stopped early (the process exited), if it did.
    pub error: Option<String>,
}

impl Recording {
    /// Samples with `from <= t <= to`.
    pub fn window(&self, from: f64, to: f64) -> impl Iterator<Item = &Sample> {
        self.samples
            .iter()
            .filter(move |s| s.t >= from && s.t <= to)
    }

    /// The largest value of `field` over samples with `from <= t <= to` (0 if none).
    pub fn peak(&self, from: f64, to: f64, field: impl Fn(&Sample) -> u64) -> u64 {
        self.window(from, to).map(field).max().unwrap_or(0)
    }
}

struct Shared {
    pid: u32,
    start: Instant,
    stop: AtomicBool,
    recording: Mutex<Recording>,
}

impl Shared {
    fn now(&self) -> f64 {
        self.start.elapsed().as_secs_f64()
    }

    fn read(&self) -> io::Result<Sample> {
        let t = self.now();
        let mut sample = proc::read_sample(self.pid)
            .map_err(|e| io::Error::new(e.kind(), format!("server process {}: {e}", self.pid)))?;
        sample.t = t;
        self.recording.lock().unwrap().samples.push(sample);
        Ok(sample)
    }
}

/// A cheap handle for reading the latest sample from another thread (progress display).
#[derive(Clone)]
pub struct Latest(Arc<Shared>);

impl Latest {
    pub fn get(&self) -> Option<Sample> {
        self.0.recording.lock().unwrap().samples.last().copied()
    }
}

pub struct Sampler {
    shared: Arc<Shared>,
    thread: Option<JoinHandle<()>>,
}

impl Sampler {
    /// Reads one sample at once (failing if the process cannot be read), then samples every
    /// `interval` in the background.
    pub fn start(pid: u32, interval: Duration) -> io::Result<Sampler> {
        let shared = Arc::new(Shared {
            pid,
            start: Instant::now(),
            stop: AtomicBool::new(false),
            recording: Mutex::new(Recording::default()),
        });
        shared.read()?;
        let bg = shared.clone();
        let thread = std::thread::Builder::new()
            .name("sampler".into())
            .spawn(move || {
                let mut next = bg.start + interval;
                while !bg.stop.load(Ordering::Relaxed) {
                    let now = Instant::now();
                    if next > now {
                        std::thread::sleep(next - now);
                    }
                    next += interval;
                    if let Err(e) = bg.read() {
                        bg.recording.lock().unwrap().error = Some(e.to_string());
                        return;
                    }
                }
            })?;
        Ok(Sampler {
            shared,
            thread: Some(thread),
        })
    }

    /// Seconds since the sampler started.
    pub fn now(&self) -> f64 {
        self.shared.now()
    }

    /// Reads a sample right now (also kept in the recording).
    pub fn sample_now(&self) -> io::Result<Sample> {
        self.shared.read()
    }

    /// Records a named mark at the current time and returns that time.
    pub fn mark(&self, label: &str) -> f64 {
        let t = self.now();
        self.shared.recording.lock().unwrap().marks.push(Mark {
            t,
            label: label.to_string(),
        });
        t
    }

    /// Looks at the recording so far (samples in the order taken).
    pub fn inspect<R>(&self, f: impl FnOnce(&Recording) -> R) -> R {
        f(&self.shared.recording.lock().unwrap())
    }

    pub fn latest(&self) -> Latest {
        Latest(self.shared.clone())
    }

    /// Stops sampling and returns the recording, samples in time order.
    pub fn finish(mut self) -> Recording {
        self.stop_thread();
        let mut rec = std::mem::take(&mut *self.shared.recording.lock().unwrap());
        rec.samples.sort_by(|a, b| a.t.total_cmp(&b.t));
        rec
    }

    fn stop_thread(&mut self) {
        self.shared.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Sampler {
    fn drop(&mut self) {
        self.stop_thread();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_this_process_with_marks() {
        let sampler = Sampler::start(std::process::id(), Duration::from_millis(20)).unwrap();
        let t0 = sampler.mark("begin");
        // Wait for the background samples themselves, not for a fixed time: on a loaded
        // machine the sampler thread may run late (a fixed 120 ms sleep once saw fewer).
        let deadline = std::time::Instant::now() + Duration::from_secs(30);
        while sampler.shared.recording.lock().unwrap().samples.len() < 5
            && std::time::Instant::now() < deadline
        {
            std::thread::sleep(Duration::from_millis(10));
        }
        sampler.mark("end");
        let rec = sampler.finish();
        assert!(rec.samples.len() >= 5, "{}", rec.samples.len());
        assert!(rec.samples.windows(2).all(|w| w[0].t <= w[1].t));
        assert_eq!(rec.marks[0].t, t0);
        assert_eq!(rec.marks[1].label, "end");
        assert!(rec.peak(0.0, f64::INFINITY, |s| s.status.vm_rss) > 0);
        assert!(rec.error.is_none());
    }
}
