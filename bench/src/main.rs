//! litewire-bench: memory and throughput benchmarks for any PostgreSQL-protocol server.
//!
//! The server is a black box: it is reached through its connection string and measured
//! from /proc/<pid> (and its descendants) ten times a second. With `--compare` the same
//! scenario runs against two servers in alternation and every figure is printed with the
//! ratio B/A, since on a noisy machine ratios within one run are what can be trusted.

mod cli;
mod proc;
mod progress;
mod report;
mod sampler;
mod scenarios;
mod stats;
mod svg;
mod target;
mod wire;

use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, FromArgMatches};

use crate::cli::Cli;
use crate::progress::Progress;
use crate::report::RunResult;
use crate::sampler::Sampler;

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T> = std::result::Result<T, Error>;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("litewire-bench: {e}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<()> {
    let matches = Cli::command().get_matches();
    let cli = Cli::from_arg_matches(&matches)?;
    let scenario = &cli.scenario;
    let common = scenario.common();
    let sub = matches
        .subcommand()
        .map(|(_, m)| m)
        .ok_or("no scenario given")?;
    let targets = target::resolve(common, sub)?;
    if let Err(e) = proc::raise_nofile_limit() {
        eprintln!("litewire-bench: could not raise the open-file limit: {e}");
    }
    let rounds = common
        .rounds
        .unwrap_or(if common.compare { 2 } else { 1 })
        .max(1);
    let interval = Duration::from_millis(common.interval_ms.max(1));

    let mut runs = Vec::new();
    for round in 1..=rounds {
        for t in &targets {
            let sampler = Sampler::start(t.pid, interval)?;
            let progress = Progress::start(
                format!("{} {} {round}/{rounds}", scenario.name(), t.label),
                sampler.latest(),
            );
            let ctx = scenarios::Ctx {
                target: t,
                sampler: &sampler,
                progress: &progress,
            };
            let outcome = scenarios::run(scenario, &ctx).await;
            drop(progress);
            let recording = sampler.finish();
            let outcome =
                outcome.map_err(|e| format!("{} against {}: {e}", scenario.name(), t.label))?;
            runs.push(RunResult {
                label: t.label.clone(),
                round,
                figures: outcome.figures,
                notes: outcome.notes,
                recording,
            });
        }
    }

    report::write_table(
        &mut std::io::stdout().lock(),
        scenario.name(),
        &targets,
        &runs,
    )?;
    if let Some(path) = &common.json {
        let params = serde_json::to_value(scenario)?;
        report::write_json(path, scenario.name(), params, &targets, &runs)
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    if let Some(path) = &common.svg {
        let named: Vec<(String, &sampler::Recording)> = runs
            .iter()
            .map(|r| {
                let name = if rounds > 1 {
                    format!("{} r{}", r.label, r.round)
                } else {
                    r.label.clone()
                };
                (name, &r.recording)
            })
            .collect();
        let title = format!("litewire-bench {}: memory over time", scenario.name());
        std::fs::write(path, svg::render(&title, &named))
            .map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
