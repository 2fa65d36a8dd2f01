//! Results: named figures with units, the human table (one target, or two compared with
//! the ratio B/A), and the JSON file with every figure and the raw samples.

use std::io::{self, Write};
use std::path::Path;

use serde::Serialize;

use crate::proc::{Field, Sample};
use crate::sampler::Recording;
use crate::stats::mean;
use crate::target::Target;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    Kib,
    Bytes,
    PerSec,
    Ms,
    Secs,
    Count,
    KibPerMin,
    /// A standard error in KiB/min, shown with ±.
    KibPerMinSe,
}

/// One measured number.
#[derive(Debug, Clone, Serialize)]
pub struct Figure {
    pub key: String,
    pub label: String,
    pub unit: Unit,
    pub value: f64,
}

impl Figure {
    pub fn new(key: impl Into<String>, label: impl Into<String>, unit: Unit, value: f64) -> Self {
        Figure {
            key: key.into(),
            label: label.into(),
            unit,
            value,
        }
    }
}

/// VmRSS, RssAnon and PSS of the process tree at one moment, keyed `<name>_<key>` and
/// labelled `<name> <when>`.
pub fn memory_at(key: &str, when: &str, s: &Sample) -> Vec<Figure> {
    vec![
        Figure::new(
            format!("rss_{key}"),
            format!("VmRSS {when}"),
            Unit::Kib,
            s.status.vm_rss as f64,
        ),
        Figure::new(
            format!("rss_anon_{key}"),
            format!("RssAnon {when}"),
            Unit::Kib,
            s.status.rss_anon as f64,
        ),
        Figure::new(
            format!("pss_{key}"),
            format!("PSS (process tree) {when}"),
            Unit::Kib,
            s.pss_tree as f64,
        ),
    ]
}

/// Peaks over the samples from `from` to `to` (seconds).
pub fn peaks(rec: &Recording, from: f64, to: f64) -> Vec<Figure> {
    let peak = |f: Field| rec.peak(from, to, f) as f64;
    vec![
        Figure::new(
            "rss_peak",
            "VmRSS peak",
            Unit::Kib,
            peak(|s| s.status.vm_rss),
        ),
        Figure::new(
            "rss_anon_peak",
            "RssAnon peak",
            Unit::Kib,
            peak(|s| s.status.rss_anon),
        ),
        Figure::new(
            "pss_peak",
            "PSS (process tree) peak",
            Unit::Kib,
            peak(|s| s.pss_tree),
        ),
        Figure::new(
            "vmsize_peak",
            "VmSize peak",
            Unit::Kib,
            peak(|s| s.status.vm_size),
        ),
        Figure::new(
            "threads_peak",
            "threads peak",
            Unit::Count,
            peak(|s| s.status.threads),
        ),
        Figure::new(
            "procs_peak",
            "processes peak",
            Unit::Count,
            peak(|s| u64::from(s.procs)),
        ),
        Figure::new(
            "fds_peak",
            "open fds peak",
            Unit::Count,
            peak(|s| u64::from(s.fds)),
        ),
    ]
}

/// The figures and samples of one scenario run against one target.
#[derive(Debug, Clone, Serialize)]
pub struct RunResult {
    pub label: String,
    pub round: u32,
    pub figures: Vec<Figure>,
    pub notes: Vec<String>,
    #[serde(flatten)]
    pub recording: Recording,
}

impl RunResult {
    fn value(&self, key: &str) -> Option<f64> {
        self.figures.iter().find(|f| f.key == key).map(|f| f.value)
    }
}

/// Memory in KiB, shown in KiB below 1 MiB and MiB above.
pub fn kib(v: f64) -> String {
    if v.abs() >= 1024.0 {
        format!("{:.2} MiB", v / 1024.0)
    } else {
        format!("{v:.0} KiB")
    }
}

pub fn format_value(unit: Unit, v: f64) -> String {
    if !v.is_finite() {
        return "—".into();
    }
    match unit {
        Unit::Kib => kib(v),
        Unit::Bytes if v.abs() >= 10_240.0 => format!("{:.1} KiB", v / 1024.0),
        Unit::Bytes => format!("{v:.0} B"),
        Unit::PerSec => format!("{v:.0}/s"),
        Unit::Ms => format!("{v:.3} ms"),
        Unit::Secs => format!("{v:.2} s"),
        Unit::Count => format!("{v:.0}"),
        Unit::KibPerMin => format!("{v:+.1} KiB/min"),
        Unit::KibPerMinSe => format!("±{v:.1} KiB/min"),
    }
}

fn ratio(a: f64, b: f64) -> Option<f64> {
    (a != 0.0 && a.is_finite() && b.is_finite()).then(|| b / a)
}

fn format_ratio(r: Option<f64>) -> String {
    r.map_or("—".into(), |r| format!("{r:.2}"))
}

/// One figure of a comparison: the means over rounds of A and B and their ratio.
#[derive(Debug, Clone, Serialize)]
pub struct Compared {
    pub key: String,
    pub label: String,
    pub unit: Unit,
    pub a: f64,
    pub b: f64,
    pub ratio: Option<f64>,
    /// B/A of each round (A and B ran back to back).
    pub round_ratios: Vec<Option<f64>>,
}

/// Compares the runs labelled `a` and `b`, figure by figure in A's order.
pub fn compare(runs: &[RunResult], a: &str, b: &str) -> Vec<Compared> {
    let of =
        |label: &str| -> Vec<&RunResult> { runs.iter().filter(|r| r.label == label).collect() };
    let (ra, rb) = (of(a), of(b));
    let Some(first) = ra.first() else {
        return Vec::new();
    };
    first
        .figures
        .iter()
        .map(|f| {
            let va: Vec<f64> = ra.iter().filter_map(|r| r.value(&f.key)).collect();
            let vb: Vec<f64> = rb.iter().filter_map(|r| r.value(&f.key)).collect();
            let (ma, mb) = (mean(&va), mean(&vb));
            Compared {
                key: f.key.clone(),
                label: f.label.clone(),
                unit: f.unit,
                a: ma,
                b: mb,
                ratio: ratio(ma, mb),
                round_ratios: va.iter().zip(&vb).map(|(&x, &y)| ratio(x, y)).collect(),
            }
        })
        .collect()
}

fn write_rows(out: &mut impl Write, rows: &[Vec<String>]) -> io::Result<()> {
    let cols = rows.iter().map(Vec::len).max().unwrap_or(0);
    let width: Vec<usize> = (0..cols)
        .map(|c| {
            rows.iter()
                .filter_map(|r| r.get(c))
                .map(|s| s.chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for row in rows {
        let mut line = String::new();
        for (c, cell) in row.iter().enumerate() {
            let pad = width[c] - cell.chars().count();
            if c == 0 {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str("  ");
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

/// The human table: one column per round (and their mean) for a single target, or for a
/// comparison the means of A and B, B/A, and B/A and the values of each round (a server
/// that keeps freed memory shows its reuse from round 2 on). Notes of each run follow.
pub fn write_table(
    out: &mut impl Write,
    scenario: &str,
    targets: &[Target],
    runs: &[RunResult],
) -> io::Result<()> {
    writeln!(out)?;
    for t in targets {
        write!(out, "{scenario}: {} = {} (pid {})", t.label, t.conn, t.pid)?;
        match &t.durability {
            Some(d) => writeln!(out, ", durability: {d}")?,
            None => writeln!(out)?,
        }
    }
    writeln!(out)?;
    let mut rows = Vec::new();
    if let [a, b] = targets {
        rows.push(vec![
            "figure".into(),
            a.label.clone(),
            b.label.clone(),
            "B/A".into(),
            "B/A by round".into(),
            format!("{} by round", a.label),
            format!("{} by round", b.label),
        ]);
        let by_round = |label: &str, key: &str, unit: Unit| -> String {
            let values = runs.iter().filter(|r| r.label == label);
            let cells: Vec<String> = values
                .filter_map(|r| r.value(key))
                .map(|v| format_value(unit, v))
                .collect();
            cells.join(" | ")
        };
        for c in compare(runs, &a.label, &b.label) {
            let ratios: Vec<String> = c.round_ratios.iter().map(|&r| format_ratio(r)).collect();
            rows.push(vec![
                c.label.clone(),
                format_value(c.unit, c.a),
                format_value(c.unit, c.b),
                format_ratio(c.ratio),
                ratios.join(" "),
                by_round(&a.label, &c.key, c.unit),
                by_round(&b.label, &c.key, c.unit),
            ]);
        }
    } else if let Some(first) = runs.first() {
        let several = runs.len() > 1;
        let mut header = vec!["figure".to_string()];
        if several {
            header.extend(runs.iter().map(|r| format!("round {}", r.round)));
            header.push("mean".into());
        } else {
            header.push(first.label.clone());
        }
        rows.push(header);
        for f in &first.figures {
            let values: Vec<f64> = runs.iter().filter_map(|r| r.value(&f.key)).collect();
            let mut row = vec![f.label.clone()];
            row.extend(values.iter().map(|&v| format_value(f.unit, v)));
            if several {
                row.push(format_value(f.unit, mean(&values)));
            }
            rows.push(row);
        }
    }
    write_rows(out, &rows)?;
    for r in runs {
        for n in &r.notes {
            writeln!(out, "note ({} round {}): {n}", r.label, r.round)?;
        }
        if let Some(e) = &r.recording.error {
            writeln!(
                out,
                "note ({} round {}): sampling stopped: {e}",
                r.label, r.round
            )?;
        }
    }
    Ok(())
}

#[derive(Serialize)]
struct JsonReport<'a> {
    scenario: &'a str,
    params: serde_json::Value,
    targets: &'a [Target],
    runs: &'a [RunResult],
    #[serde(skip_serializing_if = "Option::is_none")]
    comparison: Option<Vec<Compared>>,
}

pub fn write_json(
    path: &Path,
    scenario: &str,
    params: serde_json::Value,
    targets: &[Target],
    runs: &[RunResult],
) -> io::Result<()> {
    let comparison = match targets {
        [a, b] => Some(compare(runs, &a.label, &b.label)),
        _ => None,
    };
    let report = JsonReport {
        scenario,
        params,
        targets,
        runs,
        comparison,
    };
    let file = io::BufWriter::new(std::fs::File::create(path)?);
    serde_json::to_writer_pretty(file, &report).map_err(io::Error::other)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(label: &str, round: u32, tps: f64, rss: f64) -> RunResult {
        RunResult {
            label: label.into(),
            round,
            figures: vec![
                Figure::new("tps", "tps", Unit::PerSec, tps),
                Figure::new("rss_peak", "VmRSS peak", Unit::Kib, rss),
            ],
            notes: vec![],
            recording: Recording::default(),
        }
    }

    #[test]
    fn values_are_formatted_by_unit() {
        assert_eq!(format_value(Unit::Kib, 512.0), "512 KiB");
        assert_eq!(format_value(Unit::Kib, 5939.2), "5.80 MiB");
        assert_eq!(format_value(Unit::Bytes, 1054.4), "1054 B");
        assert_eq!(format_value(Unit::Bytes, 20480.0), "20.0 KiB");
        assert_eq!(format_value(Unit::Ms, 0.1234), "0.123 ms");
        assert_eq!(format_value(Unit::KibPerMin, -2.0), "-2.0 KiB/min");
        assert_eq!(format_value(Unit::PerSec, f64::NAN), "—");
    }

    #[test]
    fn comparison_means_and_ratios() {
        let runs = [
            run("A", 1, 100.0, 1000.0),
            run("B", 1, 150.0, 4000.0),
            run("A", 2, 300.0, 1000.0),
            run("B", 2, 450.0, 0.0),
        ];
        let c = compare(&runs, "A", "B");
        assert_eq!(c.len(), 2);
        assert_eq!((c[0].a, c[0].b, c[0].ratio), (200.0, 300.0, Some(1.5)));
        assert_eq!(c[0].round_ratios, vec![Some(1.5), Some(1.5)]);
        assert_eq!(c[1].round_ratios, vec![Some(4.0), Some(0.0)]);
        assert_eq!(ratio(0.0, 5.0), None);
    }

    #[test]
    fn table_has_a_row_per_figure() {
        let runs = [run("A", 1, 100.0, 1000.0), run("A", 2, 300.0, 3000.0)];
        let mut out = Vec::new();
        write_table(&mut out, "select1", &[], &runs).unwrap();
        let text = String::from_utf8(out).unwrap();
        let lines: Vec<&str> = text.lines().filter(|l| !l.is_empty()).collect();
        assert_eq!(lines.len(), 3, "{text}");
        assert!(lines[0].starts_with("figure") && lines[0].ends_with("mean"));
        assert!(
            lines[1].starts_with("tps") && lines[1].ends_with("200/s"),
            "{text}"
        );
        assert!(lines[2].ends_with("1.95 MiB"), "{text}");
    }
}
