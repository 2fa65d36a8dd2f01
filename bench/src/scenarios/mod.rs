//! The scenarios. Each runs against one target with a sampler already running, marks its
//! phases on the sampler's clock, and returns its figures.

mod idle;
mod load;
mod soak;
mod tenants;
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
    use workload::{Mix, Op};
    match scenario {
        Scenario::Idle(a) => idle::run(a, ctx).await,
        Scenario::Select1(a) => load::run(a, Mix::Only(Op::Select1), ctx).await,
        Scenario::PointRead(a) => load::run(a, Mix::Only(Op::PointRead), ctx).await,
        Scenario::Insert(a) => load::run(a, Mix::Only(Op::Insert), ctx).await,
        Scenario::Tenants(a) => tenants::run(a, ctx).await,
        Scenario::Soak(a) => soak::run(a, ctx).await,
    }
}
