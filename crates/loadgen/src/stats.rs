//! Latency percentiles.

use std::time::Duration;

pub struct Latencies(Vec<Duration>);

impl Latencies {
    pub fn new(mut all: Vec<Duration>) -> Self {
        all.sort();
        Latencies(all)
    }

    pub fn count(&self) -> usize {
        self.0.len()
    }

    pub fn pct(&self, p: f64) -> Duration {
        if self.0.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.0.len() as f64 - 1.0) * p / 100.0).round() as usize;
        self.0[i.min(self.0.len() - 1)]
    }

    pub fn summary(&self) -> String {
        format!("p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms", ms(self.pct(50.0)), ms(self.pct(99.0)), ms(self.pct(100.0)))
    }
}

pub fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}
