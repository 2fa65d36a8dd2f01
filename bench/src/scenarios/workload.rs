//! The query workloads shared by select1, point-read, insert and soak: table setup, clients
//! that run one operation in one of the three protocols, and the timed load loop.

use std::error::Error as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::{BufMut, BytesMut};
use tokio::task::JoinSet;
use tokio_postgres::types::{to_sql_checked, Format, IsNull, ToSql, Type};
use tokio_postgres::{Client, Config, NoTls, SimpleQueryMessage, Statement};

use crate::cli::Protocol;
use crate::stats::Histogram;
use crate::Result;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    Select1,
    PointRead,
    Insert,
}

impl Op {
    const ALL: [Op; 3] = [Op::Select1, Op::PointRead, Op::Insert];

    fn sql(self) -> &'static str {
        match self {
            Op::Select1 => "select 1",
            Op::PointRead => "select v from bench_kv where k = $1",
            Op::Insert => "insert into bench_ins(id, v) values ($1, $2)",
        }
    }
}

/// A parameter that fits whatever type the server infers for it: integers go in binary
/// for int2/int4/int8 and as text otherwise, strings always as text. Servers differ in
/// what they infer (PostgreSQL says int4 for `k = $1`; another may say text or unknown).
#[derive(Debug)]
enum Param {
    Int(i64),
    Text(String),
}

impl ToSql for Param {
    fn to_sql(
        &self,
        ty: &Type,
        out: &mut BytesMut,
    ) -> std::result::Result<IsNull, Box<dyn std::error::Error + Sync + Send>> {
        match (self, ty) {
            (Param::Int(v), &Type::INT2) => out.put_i16(i16::try_from(*v)?),
            (Param::Int(v), &Type::INT4) => out.put_i32(i32::try_from(*v)?),
            (Param::Int(v), &Type::INT8) => out.put_i64(*v),
            (Param::Int(v), _) => out.put_slice(v.to_string().as_bytes()),
            (Param::Text(s), _) => out.put_slice(s.as_bytes()),
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn encode_format(&self, ty: &Type) -> Format {
        match (self, ty) {
            (Param::Int(_), &Type::INT2 | &Type::INT4 | &Type::INT8) => Format::Binary,
            _ => Format::Text,
        }
    }

    to_sql_checked!();
}

/// xorshift64*: enough randomness for keys, no dependency.
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    fn below(&mut self, n: u64) -> u64 {
        self.next() % n.max(1)
    }
}

/// "SEVERITY CODE: message" for server errors, the error and its causes otherwise.
pub fn describe(e: &tokio_postgres::Error) -> String {
    if let Some(db) = e.as_db_error() {
        return format!("{} {}: {}", db.severity(), db.code().code(), db.message());
    }
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(&format!(": {s}"));
        source = s.source();
    }
    text
}

/// Connects and drives the connection on its own task.
pub async fn connect(config: &Config) -> Result<Client> {
    let (client, conn) = config.connect(NoTls).await.map_err(|e| describe(&e))?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(client)
}

async fn exec(client: &Client, sql: &str) -> Result<()> {
    client
        .simple_query(sql)
        .await
        .map_err(|e| format!("{sql}: {}", describe(&e)))?;
    Ok(())
}

/// One connection and one `select 1`, so that one-time costs (opening the database,
/// starting a first worker) are paid before the "before" reading: that reading is then
/// the server at rest after one `SELECT 1`.
pub async fn warm_up(config: &Config) -> Result<()> {
    setup(config, &[], 0).await
}

/// After a `select 1`, creates the tables `ops` need, in portable SQL: bench_kv(k, v)
/// refilled with `rows` rows, bench_ins(id, v) emptied.
pub async fn setup(config: &Config, ops: &[Op], rows: u32) -> Result<()> {
    let client = connect(config).await?;
    exec(&client, "select 1").await?;
    if ops.contains(&Op::PointRead) {
        exec(&client, "drop table if exists bench_kv").await?;
        exec(
            &client,
            "create table bench_kv(k integer primary key, v text)",
        )
        .await?;
        exec(&client, "begin").await?;
        let keys: Vec<u32> = (1..=rows).collect();
        for chunk in keys.chunks(500) {
            let values: Vec<String> = chunk
                .iter()
                .map(|k| format!("({k}, 'value-{k:010}')"))
                .collect();
            let sql = format!("insert into bench_kv(k, v) values {}", values.join(", "));
            exec(&client, &sql).await?;
        }
        exec(&client, "commit").await?;
    }
    if ops.contains(&Op::Insert) {
        exec(
            &client,
            "create table if not exists bench_ins(id integer, v text)",
        )
        .await?;
        exec(&client, "delete from bench_ins").await?;
    }
    // Let the server see the disconnect before anything is measured.
    drop(client);
    tokio::time::sleep(Duration::from_millis(500)).await;
    Ok(())
}

/// One client connection running operations.
pub struct Worker {
    client: Client,
    protocol: Protocol,
    statements: [Option<Statement>; 3],
    rng: Rng,
    rows: u32,
}

impl Worker {
    /// Connects; with the prepared protocol, prepares the statements of `ops` once.
    pub async fn new(
        config: &Config,
        protocol: Protocol,
        ops: &[Op],
        rows: u32,
        seed: u64,
    ) -> Result<Worker> {
        let client = connect(config).await?;
        let mut statements = [None, None, None];
        if protocol == Protocol::Prepared {
            for &op in ops {
                let st = client
                    .prepare(op.sql())
                    .await
                    .map_err(|e| format!("prepare {}: {}", op.sql(), describe(&e)))?;
                statements[op as usize] = Some(st);
            }
        }
        Ok(Worker {
            client,
            protocol,
            statements,
            rng: Rng::new(seed),
            rows,
        })
    }

    fn params(&mut self, op: Op) -> Vec<Param> {
        match op {
            Op::Select1 => vec![],
            Op::PointRead => vec![Param::Int(1 + self.rng.below(u64::from(self.rows)) as i64)],
            Op::Insert => {
                let id = self.rng.below(i32::MAX as u64) as i64;
                vec![Param::Int(id), Param::Text(format!("v{id}"))]
            }
        }
    }

    /// Runs one operation and checks its outcome (one row, or one row inserted).
    pub async fn run(&mut self, op: Op) -> std::result::Result<(), String> {
        let params = self.params(op);
        let want = 1u64;
        let got = if self.protocol == Protocol::Simple {
            let sql = match (op, params.as_slice()) {
                (Op::PointRead, [Param::Int(k)]) => format!("select v from bench_kv where k = {k}"),
                (Op::Insert, [Param::Int(id), Param::Text(v)]) => {
                    format!("insert into bench_ins(id, v) values ({id}, '{v}')")
                }
                _ => op.sql().to_string(),
            };
            let msgs = self
                .client
                .simple_query(&sql)
                .await
                .map_err(|e| describe(&e))?;
            let rows = msgs
                .iter()
                .filter(|m| matches!(m, SimpleQueryMessage::Row(_)))
                .count() as u64;
            let affected = msgs.iter().find_map(|m| match m {
                SimpleQueryMessage::CommandComplete(n) => Some(*n),
                _ => None,
            });
            if op == Op::Insert {
                affected.unwrap_or(0)
            } else {
                rows
            }
        } else {
            let refs: Vec<&(dyn ToSql + Sync)> =
                params.iter().map(|p| p as &(dyn ToSql + Sync)).collect();
            let result = match (&self.statements[op as usize], op) {
                (Some(st), Op::Insert) => self.client.execute(st, &refs).await,
                (Some(st), _) => self.client.query(st, &refs).await.map(|r| r.len() as u64),
                (None, Op::Insert) => self.client.execute(op.sql(), &refs).await,
                (None, _) => self
                    .client
                    .query(op.sql(), &refs)
                    .await
                    .map(|r| r.len() as u64),
            };
            result.map_err(|e| describe(&e))?
        };
        if got != want {
            return Err(format!("{}: {got} rows instead of {want}", op.sql()));
        }
        Ok(())
    }
}

/// Which operations a load runs: one, or all three picked at random per request.
#[derive(Clone, Copy)]
pub enum Mix {
    Only(Op),
    All,
}

impl Mix {
    pub fn ops(self) -> Vec<Op> {
        match self {
            Mix::Only(op) => vec![op],
            Mix::All => Op::ALL.to_vec(),
        }
    }
}

/// Connects `n` workers concurrently; worker i uses `protocol(i)`. Counts connections
/// made in `counter`.
pub async fn connect_workers(
    config: &Config,
    n: usize,
    protocol: impl Fn(usize) -> Protocol,
    mix: Mix,
    rows: u32,
    counter: Arc<AtomicU64>,
) -> Result<Vec<Worker>> {
    let mut set = JoinSet::new();
    for i in 0..n {
        let (config, counter, protocol) = (config.clone(), counter.clone(), protocol(i));
        set.spawn(async move {
            let w = Worker::new(&config, protocol, &mix.ops(), rows, i as u64 + 1).await;
            counter.fetch_add(1, Ordering::Relaxed);
            w
        });
    }
    let mut workers = Vec::with_capacity(n);
    while let Some(w) = set.join_next().await {
        workers.push(w??);
    }
    Ok(workers)
}

/// What a timed load did.
#[derive(Default)]
pub struct LoadStats {
    pub ops: u64,
    pub errors: u64,
    pub first_error: Option<String>,
    pub latency_us: Histogram,
    pub secs: f64,
}

impl LoadStats {
    pub fn tps(&self) -> f64 {
        self.ops as f64 / self.secs.max(1e-9)
    }
}

/// Runs the workers until `duration` has passed, then drops them (closing the
/// connections). An operation still running at the end gets 10 s more, then counts as an
/// error; a worker whose connection broke stops.
pub async fn run_workers(
    workers: Vec<Worker>,
    duration: Duration,
    mix: Mix,
    counter: Arc<AtomicU64>,
) -> LoadStats {
    let start = Instant::now();
    let deadline = start + duration;
    let ops = mix.ops();
    let mut set = JoinSet::new();
    for mut w in workers {
        let (counter, ops) = (counter.clone(), ops.clone());
        set.spawn(async move {
            let mut stats = LoadStats::default();
            while Instant::now() < deadline {
                let op = ops[w.rng.below(ops.len() as u64) as usize];
                let t = Instant::now();
                let limit = tokio::time::Instant::from_std(deadline + Duration::from_secs(10));
                let r = match tokio::time::timeout_at(limit, w.run(op)).await {
                    Ok(r) => r,
                    Err(_) => Err(format!("{}: no answer 10 s after the load ended", op.sql())),
                };
                match r {
                    Ok(()) => {
                        stats.latency_us.record(t.elapsed().as_micros() as u64);
                        stats.ops += 1;
                        counter.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) => {
                        stats.errors += 1;
                        stats.first_error.get_or_insert(e);
                        if w.client.is_closed() || Instant::now() >= deadline {
                            break;
                        }
                    }
                }
            }
            stats
        });
    }
    let mut total = LoadStats::default();
    while let Some(r) = set.join_next().await {
        let Ok(s) = r else {
            total.errors += 1;
            continue;
        };
        total.ops += s.ops;
        total.errors += s.errors;
        total.latency_us.merge(&s.latency_us);
        if total.first_error.is_none() {
            total.first_error = s.first_error;
        }
    }
    total.secs = start.elapsed().as_secs_f64();
    total
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn params_fit_the_inferred_type() {
        let mut out = BytesMut::new();
        Param::Int(7).to_sql(&Type::INT4, &mut out).unwrap();
        assert_eq!(&out[..], &[0, 0, 0, 7]);
        assert!(matches!(
            Param::Int(7).encode_format(&Type::INT4),
            Format::Binary
        ));
        out.clear();
        Param::Int(7).to_sql(&Type::TEXT, &mut out).unwrap();
        assert_eq!(&out[..], b"7");
        assert!(matches!(
            Param::Int(7).encode_format(&Type::UNKNOWN),
            Format::Text
        ));
        assert!(Param::Int(1 << 40).to_sql(&Type::INT4, &mut out).is_err());
    }

    #[test]
    fn rng_spreads_keys() {
        let mut r = Rng::new(1);
        let mut seen = [false; 10];
        for _ in 0..1000 {
            seen[r.below(10) as usize] = true;
        }
        assert!(seen.iter().all(|&s| s));
    }
}
