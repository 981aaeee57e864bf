//! Limits on guessing: at most so many attempts per key in a window. Kept in the process, which is enough to stop a
//! single client hammering one process; a key's count restarts when its window ends.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

pub struct Window {
    max: u32,
    period: Duration,
    counts: Mutex<HashMap<String, (Instant, u32)>>,
}

impl Window {
    pub fn new(max: u32, period: Duration) -> Self {
        Window { max, period, counts: Mutex::new(HashMap::new()) }
    }

    /// Count one attempt; `Err(seconds to wait)` if the key is over its limit.
    pub fn hit(&self, key: &str) -> Result<(), u64> {
        let Ok(mut counts) = self.counts.lock() else {
            return Ok(());
        };
        let now = Instant::now();
        if counts.len() > 50_000 {
            counts.retain(|_, (start, _)| now.duration_since(*start) < self.period);
        }
        let entry = counts.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= self.period {
            *entry = (now, 0);
        }
        if entry.1 >= self.max {
            let wait = self.period.saturating_sub(now.duration_since(entry.0));
            return Err(wait.as_secs().max(1));
        }
        entry.1 += 1;
        Ok(())
    }

    /// Whether the key is over its limit, without counting an attempt.
    pub fn check(&self, key: &str) -> Result<(), u64> {
        let Ok(counts) = self.counts.lock() else {
            return Ok(());
        };
        match counts.get(key) {
            Some((start, n)) if *n >= self.max && start.elapsed() < self.period => {
                Err(self.period.saturating_sub(start.elapsed()).as_secs().max(1))
            }
            _ => Ok(()),
        }
    }

    pub fn clear(&self, key: &str) {
        if let Ok(mut counts) = self.counts.lock() {
            counts.remove(key);
        }
    }
}

pub struct RateLimits {
    /// Sign-in attempts per account and client address.
    pub login_by_ip: Window,
    /// Failed sign-ins per account and email address.
    pub login_by_email: Window,
    /// Password reset requests per account and client address.
    pub reset_by_ip: Window,
    /// Anonymous portal requests that cost work or count something (article search, "was this helpful?") per
    /// account and client address.
    pub portal_by_ip: Window,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            login_by_ip: Window::new(30, Duration::from_secs(15 * 60)),
            login_by_email: Window::new(10, Duration::from_secs(15 * 60)),
            reset_by_ip: Window::new(5, Duration::from_secs(15 * 60)),
            portal_by_ip: Window::new(300, Duration::from_secs(60)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_the_limit_until_the_window_ends() {
        let w = Window::new(2, Duration::from_millis(50));
        assert!(w.hit("a").is_ok());
        assert!(w.hit("a").is_ok());
        assert!(w.hit("a").is_err());
        assert!(w.hit("b").is_ok(), "keys are counted apart");
        std::thread::sleep(Duration::from_millis(60));
        assert!(w.hit("a").is_ok());
    }
}
