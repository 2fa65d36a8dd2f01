//! copy-in: `COPY bench_copy FROM STDIN` of N small rows into a table recreated before
//! each run, sent in CopyData messages of about `--chunk` bytes. The data is built
//! before the clock starts; the COPY is timed from the statement to its CommandComplete.

use std::time::Instant;

use bytes::Bytes;
use futures_util::SinkExt;

use super::workload::{connect, describe};
use super::{Ctx, Outcome};
use crate::cli::CopyInArgs;
use crate::progress::Goal;
use crate::report::{memory_at, peaks, Figure, Unit};
use crate::Result;

/// Rows `<i>\t name-<i>\t<i mod 1000>` for i in 1..=rows, cut into messages of whole
/// lines of at least `chunk` bytes each (the last may be shorter).
pub fn rows_in_chunks(rows: u64, chunk: usize) -> Vec<Bytes> {
    let mut chunks = Vec::new();
    let mut cur = Vec::with_capacity(chunk.max(1) + 64);
    for i in 1..=rows {
        cur.extend_from_slice(format!("{i}\tname-{i}\t{}\n", i % 1000).as_bytes());
        if cur.len() >= chunk {
            chunks.push(Bytes::from(std::mem::take(&mut cur)));
        }
    }
    if !cur.is_empty() {
        chunks.push(Bytes::from(cur));
    }
    chunks
}

pub async fn run(args: &CopyInArgs, ctx: &Ctx<'_>) -> Result<Outcome> {
    let (s, p) = (ctx.sampler, ctx.progress);
    p.phase("setup", Goal::Open);
    let chunks = rows_in_chunks(args.rows, args.chunk);
    let bytes: usize = chunks.iter().map(Bytes::len).sum();
    let client = connect(&ctx.target.config).await?;
    for sql in [
        "drop table if exists bench_copy",
        "create table bench_copy(id integer, v text, n integer)",
    ] {
        client
            .simple_query(sql)
            .await
            .map_err(|e| format!("{sql}: {}", describe(&e)))?;
    }

    let before = s.sample_now()?;
    let t_copy = s.mark("copy");
    p.phase("copy", Goal::Count(chunks.len() as u64));
    let counter = p.counter();
    let start = Instant::now();
    let sink = client
        .copy_in("COPY bench_copy (id, v, n) FROM STDIN")
        .await
        .map_err(|e| describe(&e))?;
    futures_util::pin_mut!(sink);
    for c in chunks {
        sink.feed(c).await.map_err(|e| describe(&e))?;
        counter.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    }
    let copied = sink.finish().await.map_err(|e| describe(&e))?;
    let secs = start.elapsed().as_secs_f64();
    let t_end = s.mark("end");
    let peak = s.inspect(|r| peaks(r, t_copy, t_end));
    drop(client);
    ctx.wait("after", args.after).await;
    let after = s.sample_now()?;

    let mut out = Outcome::default();
    if copied != args.rows {
        out.notes
            .push(format!("COPY reported {copied} rows, {} sent", args.rows));
    }
    out.figures.extend([
        Figure::new("rows_per_sec", "rows/s", Unit::PerSec, copied as f64 / secs),
        Figure::new("elapsed", "elapsed", Unit::Secs, secs),
        Figure::new(
            "mib_per_sec",
            "MiB/s of COPY data",
            Unit::PerSec,
            bytes as f64 / 1048576.0 / secs,
        ),
    ]);
    out.figures.extend(memory_at("before", "before", &before));
    out.figures.extend(peak);
    out.figures.extend(memory_at(
        "after",
        &format!("{}s after the COPY", args.after),
        &after,
    ));
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_hold_whole_lines() {
        let chunks = rows_in_chunks(1000, 100);
        let all: Vec<u8> = chunks.iter().flat_map(|c| c.iter().copied()).collect();
        let text = String::from_utf8(all).unwrap();
        assert_eq!(text.lines().count(), 1000);
        assert!(text.starts_with("1\tname-1\t1\n"));
        assert!(text.ends_with("1000\tname-1000\t0\n"));
        assert!(chunks.iter().all(|c| c.ends_with(b"\n")));
        assert!(chunks[..chunks.len() - 1].iter().all(|c| c.len() >= 100));
        // One line per message, as psql sends them.
        assert_eq!(rows_in_chunks(5, 1).len(), 5);
    }
}
