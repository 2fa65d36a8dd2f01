//! A hand-written SVG line chart of memory over time: VmRSS (solid) and RssAnon (dashed)
//! for each run, plus PSS of the process tree (dotted) when a server has several
//! processes, with axes, ticks, a legend and the runs' phase marks.

use std::fmt::Write;

use crate::proc::Field;
use crate::sampler::Recording;

const W: f64 = 960.0;
const H: f64 = 540.0;
const LEFT: f64 = 80.0;
const RIGHT: f64 = 20.0;
const TOP: f64 = 70.0;
const BOTTOM: f64 = 50.0;
const COLORS: [&str; 6] = [
    "#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b",
];

/// (name, dash pattern, value) of each plotted series.
const SERIES: [(&str, &str, Field); 3] = [
    ("VmRSS", "", |s| s.status.vm_rss),
    ("RssAnon", "6 4", |s| s.status.rss_anon),
    ("PSS (tree)", "2 3", |s| s.pss_tree),
];

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A round tick step giving about `n` ticks over `range`.
fn tick_step(range: f64, n: f64) -> f64 {
    let raw = range / n;
    let mag = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 5.0, 10.0]
        .into_iter()
        .map(|m| m * mag)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * mag)
}

fn ticks(max: f64) -> Vec<f64> {
    let step = tick_step(max, 6.0);
    (0..)
        .map(|i| i as f64 * step)
        .take_while(|&v| v <= max + step * 1e-9)
        .collect()
}

/// A tick label with as many decimals as the tick step needs.
fn label_number(v: f64, max: f64) -> String {
    let step = tick_step(max, 6.0);
    let decimals = if step >= 1.0 {
        0
    } else {
        (-step.log10()).ceil() as usize
    };
    format!("{v:.decimals$}")
}

/// Renders the runs (name, recording) into one chart.
pub fn render(title: &str, runs: &[(String, &Recording)]) -> String {
    let multi_process = runs
        .iter()
        .any(|(_, r)| r.samples.iter().any(|s| s.procs > 1));
    let series = if multi_process {
        &SERIES[..]
    } else {
        &SERIES[..2]
    };
    let t_max = runs
        .iter()
        .flat_map(|(_, r)| r.samples.iter().map(|s| s.t))
        .fold(1.0f64, f64::max);
    let y_max_kib = runs
        .iter()
        .flat_map(|(_, r)| r.samples.iter())
        .flat_map(|s| series.iter().map(move |(_, _, f)| f(s)))
        .max()
        .unwrap_or(0) as f64;
    let y_max = (y_max_kib / 1024.0 * 1.05).max(1.0);
    let (pw, ph) = (W - LEFT - RIGHT, H - TOP - BOTTOM);
    let x = |t: f64| LEFT + t / t_max * pw;
    let y = |mib: f64| TOP + ph - mib / y_max * ph;

    let mut svg = String::new();
    let _ = writeln!(
        svg,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" viewBox="0 0 {W} {H}" font-family="sans-serif" font-size="12">"#
    );
    let _ = writeln!(svg, r#"<rect width="{W}" height="{H}" fill="white"/>"#);
    let _ = writeln!(
        svg,
        r#"<text x="{}" y="20" text-anchor="middle" font-size="15">{}</text>"#,
        W / 2.0,
        escape(title)
    );

    // Grid, ticks and axis labels.
    for v in ticks(y_max) {
        let yy = y(v);
        let _ = writeln!(
            svg,
            r##"<line x1="{LEFT}" y1="{yy:.1}" x2="{:.1}" y2="{yy:.1}" stroke="#e4e4e4"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            W - RIGHT,
            LEFT - 6.0,
            yy + 4.0,
            label_number(v, y_max)
        );
    }
    for v in ticks(t_max) {
        let xx = x(v);
        let _ = writeln!(
            svg,
            r##"<line x1="{xx:.1}" y1="{TOP}" x2="{xx:.1}" y2="{:.1}" stroke="#e4e4e4"/><text x="{xx:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            TOP + ph,
            TOP + ph + 16.0,
            label_number(v, t_max)
        );
    }
    let _ = writeln!(
        svg,
        r#"<path d="M{LEFT},{TOP} V{:.1} H{:.1}" fill="none" stroke="black"/>"#,
        TOP + ph,
        W - RIGHT
    );
    let _ = writeln!(
        svg,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">time (s)</text>"#,
        LEFT + pw / 2.0,
        H - 12.0
    );
    let _ = writeln!(
        svg,
        r#"<text transform="translate(20 {:.1}) rotate(-90)" text-anchor="middle">memory (MiB)</text>"#,
        TOP + ph / 2.0
    );

    // Legend: a color per run, a dash pattern per series.
    let mut lx = LEFT;
    for (i, (name, _)) in runs.iter().enumerate() {
        let c = COLORS[i % COLORS.len()];
        let _ = writeln!(
            svg,
            r#"<line x1="{lx}" y1="40" x2="{}" y2="40" stroke="{c}" stroke-width="3"/><text x="{}" y="44">{}</text>"#,
            lx + 20.0,
            lx + 25.0,
            escape(name)
        );
        lx += 40.0 + 7.0 * name.chars().count() as f64;
    }
    lx = LEFT;
    for (name, dash, _) in series {
        let _ = writeln!(
            svg,
            r#"<line x1="{lx}" y1="58" x2="{}" y2="58" stroke="black" stroke-dasharray="{dash}"/><text x="{}" y="62">{name}</text>"#,
            lx + 30.0,
            lx + 35.0
        );
        lx += 120.0;
    }

    // Phase marks, then the data.
    for (i, (_, rec)) in runs.iter().enumerate() {
        let c = COLORS[i % COLORS.len()];
        for (k, m) in rec.marks.iter().enumerate() {
            let xx = x(m.t);
            let _ = writeln!(
                svg,
                r#"<line x1="{xx:.1}" y1="{TOP}" x2="{xx:.1}" y2="{:.1}" stroke="{c}" stroke-opacity="0.35" stroke-dasharray="1 3"/>"#,
                TOP + ph
            );
            if i == 0 {
                let _ = writeln!(
                    svg,
                    r##"<text x="{:.1}" y="{:.1}" font-size="10" fill="#555">{}</text>"##,
                    xx + 2.0,
                    TOP + 10.0 + 11.0 * (k % 3) as f64,
                    escape(&m.label)
                );
            }
        }
        for (name, dash, f) in series {
            let points: Vec<String> = rec
                .samples
                .iter()
                .map(|s| format!("{:.1},{:.1}", x(s.t), y(f(s) as f64 / 1024.0)))
                .collect();
            let _ = writeln!(
                svg,
                r#"<polyline fill="none" stroke="{c}" stroke-width="1.5" stroke-dasharray="{dash}" points="{}"><title>{} {name}</title></polyline>"#,
                points.join(" "),
                escape(&runs[i].0)
            );
        }
    }
    svg.push_str("</svg>\n");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::proc::{Sample, Status};
    use crate::sampler::Mark;

    fn recording(procs: u32, n: usize) -> Recording {
        Recording {
            samples: (0..n)
                .map(|i| Sample {
                    t: i as f64 * 0.1,
                    status: Status {
                        vm_rss: 4096 + i as u64 * 10,
                        rss_anon: 512,
                        ..Status::default()
                    },
                    pss_tree: 3000,
                    procs,
                    fds: 10,
                })
                .collect(),
            marks: vec![Mark {
                t: 1.0,
                label: "load <start>".into(),
            }],
            error: None,
        }
    }

    #[test]
    fn chart_is_well_formed_xml_with_a_line_per_series() {
        let a = recording(1, 50);
        let b = recording(1, 80);
        let svg = render("select1 & co", &[("A".into(), &a), ("B r2".into(), &b)]);
        let doc = roxmltree::Document::parse(&svg).expect("valid XML");
        let root = doc.root_element();
        assert_eq!(root.tag_name().name(), "svg");
        let lines: Vec<_> = root
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .collect();
        assert_eq!(lines.len(), 4, "VmRSS and RssAnon for two runs");
        let points = lines[0].attribute("points").unwrap().split(' ').count();
        assert_eq!(points, 50);
        assert!(svg.contains("select1 &amp; co"));
        assert!(svg.contains("load &lt;start&gt;"));
        assert!(!svg.contains("NaN"));
    }

    #[test]
    fn pss_is_plotted_for_multi_process_servers() {
        let rec = recording(3, 10);
        let svg = render("pg", &[("postgres".into(), &rec)]);
        let doc = roxmltree::Document::parse(&svg).unwrap();
        let n = doc
            .descendants()
            .filter(|n| n.has_tag_name("polyline"))
            .count();
        assert_eq!(n, 3);
    }

    #[test]
    fn empty_recording_still_renders() {
        let rec = Recording::default();
        let svg = render("nothing", &[("A".into(), &rec)]);
        roxmltree::Document::parse(&svg).unwrap();
    }

    #[test]
    fn tick_steps_are_round() {
        assert_eq!(tick_step(10.0, 6.0), 2.0);
        assert_eq!(tick_step(1800.0, 6.0), 500.0);
        assert_eq!(tick_step(7.3, 6.0), 2.0);
        assert!((tick_step(0.5, 6.0) - 0.1).abs() < 1e-12);
        assert_eq!(ticks(10.0), vec![0.0, 2.0, 4.0, 6.0, 8.0, 10.0]);
        assert_eq!(label_number(0.30000000000000004, 0.5), "0.3");
        assert_eq!(label_number(500.0, 1800.0), "500");
    }
}
