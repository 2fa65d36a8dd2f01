//! The scenarios. Each runs against one target with a sampler already running, marks its
//! phases on the sampler's clock, and returns its figures.

mod branch;
mod copy_in;
mod idle;
mod load;
mod soak;
mod tenants;
mod tpcb;
mod workload;

use std::time::Duration;

use crate::cli::Scenario;
use crate::progress::{Goal, Progress};
use crate::report::Figure;
use crate::sampler::Sampler;
use crate::target::Target;
use crate::Result;

pub struct Ctx<'a> {
    pub target: &'a Target,
    pub sampler: &'a Sampler,
    pub progress: &'a Progress,
}

impl Ctx<'_> {
    /// A phase that only waits (sampling goes on in the background).
    async fn wait(&self, phase: &str, secs: f64) {
        self.sampler.mark(phase);
        self.progress.phase(phase, Goal::Secs(secs));
        tokio::time::sleep(Duration::from_secs_f64(secs.max(0.0))).await;
    }
}

#[derive(Default)]
pub struct Outcome {
    pub figures: Vec<Figure>,
    pub notes: Vec<String>,
}

pub async fn run(scenario: &Scenario, ctx: &Ctx<'_>) -> Result<Outcome> {
    // What the sessions' durability was: the note given, and what the server says.
    let mut notes = Vec::new();
    if let Some(note) = &ctx.target.durability {
        notes.push(format!("durability: {note}"));
        notes.push(format!(
            "server: synchronous_commit = {}",
            show_synchronous_commit(ctx).await?
        ));
    }
    let mut out = run_scenario(scenario, ctx).await?;
    notes.append(&mut out.notes);
    out.notes = notes;
    Ok(out)
}

async fn show_synchronous_commit(ctx: &Ctx<'_>) -> Result<String> {
    let client = workload::connect(&ctx.target.config).await?;
    let rows = client
        .simple_query("show synchronous_commit")
        .await
        .map_err(|e| format!("show synchronous_commit: {}", workload::describe(&e)))?;
    Ok(rows
        .iter()
        .find_map(|m| match m {
            tokio_postgres::SimpleQueryMessage::Row(r) => r.get(0).map(str::to_string),
            _ => None,
        })
        .unwrap_or_default())
}

async fn run_scenario(scenario: &Scenario, ctx: &Ctx<'_>) -> Result<Outcome> {
    use workload::{Mix, Op};
    match scenario {
        Scenario::Idle(a) => idle::run(a, ctx).await,
        Scenario::Select1(a) => load::run(a, Mix::Only(Op::Select1), ctx).await,
        Scenario::PointRead(a) => load::run(a, Mix::Only(Op::PointRead), ctx).await,
        Scenario::Insert(a) => load::run(a, Mix::Only(Op::Insert), ctx).await,
        Scenario::Tenants(a) => tenants::run(a, ctx).await,
        Scenario::Soak(a) => soak::run(a, ctx).await,
        Scenario::Tpcb(a) => tpcb::run(a, ctx).await,
        Scenario::CopyIn(a) => copy_in::run(a, ctx).await,
        Scenario::Branch(a) => branch::run(a, ctx).await,
    }
}
