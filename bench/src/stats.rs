//! Pure statistics: a fixed-size log-linear latency histogram (percentiles without keeping
//! every sample, so a half-hour soak costs the harness no memory) and a least-squares line
//! fit with the standard error of its slope.

/// Values below `1 << SUB_BITS` get a bucket each; above, every power of two is split into
/// `1 << (SUB_BITS - 1)` buckets, so a bucket's width is at most 1/128 of its values.
const SUB_BITS: u32 = 8;
/// Values are clamped to `u32::MAX` (in microseconds: 71 minutes).
const BUCKETS: usize = ((32 - SUB_BITS as usize + 1) << (SUB_BITS - 1)) + (1 << (SUB_BITS - 1));

/// Counts of values (latencies in microseconds) in log-linear buckets.
#[derive(Clone)]
pub struct Histogram {
    counts: Vec<u64>,
    total: u64,
    max: u64,
}

impl Default for Histogram {
    fn default() -> Self {
        Histogram {
            counts: vec![0; BUCKETS],
            total: 0,
            max: 0,
        }
    }
}

fn index(v: u64) -> usize {
    let v = v.min(u64::from(u32::MAX));
    if v < 1 << SUB_BITS {
        return v as usize;
    }
    let msb = 63 - u64::from(v.leading_zeros());
    let shift = msb - u64::from(SUB_BITS - 1);
    ((shift << (SUB_BITS - 1)) + (v >> shift)) as usize
}

/// The inclusive value range of bucket `i`.
fn bucket_range(i: usize) -> (u64, u64) {
    let i = i as u64;
    if i < 1 << SUB_BITS {
        return (i, i);
    }
    let shift = (i >> (SUB_BITS - 1)) - 1;
    let low = (i - (shift << (SUB_BITS - 1))) << shift;
    (low, low + (1 << shift) - 1)
}

impl Histogram {
    pub fn record(&mut self, v: u64) {
        self.counts[index(v)] += 1;
        self.total += 1;
        self.max = self.max.max(v);
    }

    pub fn merge(&mut self, other: &Histogram) {
        for (a, b) in self.counts.iter_mut().zip(&other.counts) {
            *a += b;
        }
        self.total += other.total;
        self.max = self.max.max(other.max);
    }

    /// Nearest-rank percentile, `q` in 0..=1: the midpoint of the bucket holding the value
    /// of rank ceil(q·n), never above the largest value recorded. 0 when empty.
    pub fn percentile(&self, q: f64) -> u64 {
        if self.total == 0 {
            return 0;
        }
        let rank = ((q.clamp(0.0, 1.0) * self.total as f64).ceil() as u64).max(1);
        let mut seen = 0;
        for (i, &c) in self.counts.iter().enumerate() {
            seen += c;
            if seen >= rank {
                let (low, high) = bucket_range(i);
                return (low + (high - low) / 2).min(self.max);
            }
        }
        self.max
    }
}

/// A least-squares line y = intercept + slope·x.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fit {
    pub slope: f64,
    pub intercept: f64,
    /// Standard error of the slope (NaN with fewer than 3 points). Consecutive memory
    /// samples are autocorrelated, so read it as a lower bound of the real uncertainty.
    pub slope_se: f64,
    pub n: usize,
}

/// Fits a line through the points; None with fewer than 2 points or all x equal.
pub fn linear_fit(points: &[(f64, f64)]) -> Option<Fit> {
    let n = points.len();
    if n < 2 {
        return None;
    }
    let nf = n as f64;
    let mx = points.iter().map(|p| p.0).sum::<f64>() / nf;
    let my = points.iter().map(|p| p.1).sum::<f64>() / nf;
    let sxx: f64 = points.iter().map(|p| (p.0 - mx).powi(2)).sum();
    if sxx == 0.0 {
        return None;
    }
    let sxy: f64 = points.iter().map(|p| (p.0 - mx) * (p.1 - my)).sum();
    let slope = sxy / sxx;
    let intercept = my - slope * mx;
    let slope_se = if n > 2 {
        let ssr: f64 = points
            .iter()
            .map(|p| (p.1 - intercept - slope * p.0).powi(2))
            .sum();
        (ssr / (nf - 2.0) / sxx).sqrt()
    } else {
        f64::NAN
    };
    Some(Fit {
        slope,
        intercept,
        slope_se,
        n,
    })
}

/// Arithmetic mean; NaN for an empty slice.
pub fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_are_contiguous_and_narrow() {
        let mut expected_low = 0;
        for i in 0..BUCKETS {
            let (low, high) = bucket_range(i);
            assert_eq!(low, expected_low, "bucket {i}");
            assert!(high >= low);
            assert_eq!(index(low), i);
            assert_eq!(index(high), i);
            if low >= 256 {
                assert!((high - low + 1) as f64 / low as f64 <= 1.0 / 128.0);
            }
            expected_low = high + 1;
        }
        assert_eq!(expected_low, 1 << 32, "the last bucket ends at u32::MAX");
        assert_eq!(index(u64::MAX), BUCKETS - 1);
    }

    #[test]
    fn small_values_are_exact() {
        let mut h = Histogram::default();
        for v in [5, 1, 3, 2, 4] {
            h.record(v);
        }
        assert_eq!(h.percentile(0.0), 1);
        assert_eq!(h.percentile(0.2), 1);
        assert_eq!(h.percentile(0.5), 3);
        assert_eq!(h.percentile(0.8), 4);
        assert_eq!(h.percentile(0.81), 5);
        assert_eq!(h.percentile(1.0), 5);
        assert_eq!(h.total, 5);
    }

    #[test]
    fn percentiles_of_a_uniform_range_are_within_one_percent() {
        let mut h = Histogram::default();
        for v in 1..=100_000 {
            h.record(v);
        }
        for (q, exact) in [(0.5, 50_000.0), (0.99, 99_000.0), (0.999, 99_900.0)] {
            let got = h.percentile(q) as f64;
            assert!((got - exact).abs() / exact < 0.01, "p{q}: {got} vs {exact}");
        }
        assert_eq!(h.percentile(1.0), 100_000);
        assert_eq!(h.max, 100_000);
    }

    #[test]
    fn merge_adds_counts() {
        let mut a = Histogram::default();
        let mut b = Histogram::default();
        (0..10).for_each(|_| a.record(100));
        (0..90).for_each(|_| b.record(10_000));
        a.merge(&b);
        assert_eq!(a.total, 100);
        assert_eq!(a.percentile(0.10), 100);
        assert!((a.percentile(0.5) as i64 - 10_000).abs() < 50);
        assert_eq!(a.max, 10_000);
    }

    #[test]
    fn empty_histogram_reports_zero() {
        let h = Histogram::default();
        assert_eq!(h.percentile(0.5), 0);
    }

    #[test]
    fn fit_recovers_an_exact_line() {
        let points: Vec<_> = (0..10).map(|x| (x as f64, 3.0 + 2.0 * x as f64)).collect();
        let fit = linear_fit(&points).unwrap();
        assert!((fit.slope - 2.0).abs() < 1e-12);
        assert!((fit.intercept - 3.0).abs() < 1e-12);
        assert!(fit.slope_se.abs() < 1e-9);
        assert_eq!(fit.n, 10);
    }

    #[test]
    fn fit_standard_error_matches_a_hand_computation() {
        // Sxx = 5, Sxy = 3: slope 0.6, intercept 0.6; residuals 0.4, -1.2, 1.2, -0.4 give
        // SSR = 3.2, so se = sqrt(3.2 / (4 - 2) / 5) = sqrt(0.32).
        let points = [(0.0, 1.0), (1.0, 0.0), (2.0, 3.0), (3.0, 2.0)];
        let fit = linear_fit(&points).unwrap();
        assert!((fit.slope - 0.6).abs() < 1e-12, "{fit:?}");
        assert!((fit.intercept - 0.6).abs() < 1e-12, "{fit:?}");
        assert!((fit.slope_se - (0.32f64).sqrt()).abs() < 1e-12, "{fit:?}");
    }

    #[test]
    fn fit_needs_two_distinct_x() {
        assert!(linear_fit(&[]).is_none());
        assert!(linear_fit(&[(1.0, 1.0)]).is_none());
        assert!(linear_fit(&[(1.0, 1.0), (1.0, 2.0)]).is_none());
        assert!(linear_fit(&[(0.0, 1.0), (1.0, 2.0)])
            .unwrap()
            .slope_se
            .is_nan());
    }

    #[test]
    fn mean_of_values() {
        assert_eq!(mean(&[1.0, 2.0, 6.0]), 3.0);
        assert!(mean(&[]).is_nan());
    }
}
