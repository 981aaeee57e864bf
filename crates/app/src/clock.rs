//! The one clock the help desk reads the time from: ticket changes, messages, SLA clocks, time rules, retention.
//!
//! In a release build it is the system clock and nothing can set it. Built with the `test-clock` feature (the
//! server's tests turn it on through their dev-dependencies; `cargo build --release` never does), tests may stop it
//! at an instant and move it, so that what depends on time (a due time, a breach, a rule firing after four days)
//! is tested at known instants instead of by waiting.

use parley_domain::Timestamp;
#[cfg(feature = "test-clock")]
use std::sync::{atomic::AtomicI64, atomic::Ordering, Arc};

/// Shared by every account context and worker of the process (cloning shares it).
#[derive(Clone)]
pub struct Clock {
    /// The instant the clock stands at, or `i64::MIN` while it follows the system clock.
    #[cfg(feature = "test-clock")]
    fixed: Arc<AtomicI64>,
}

impl std::fmt::Debug for Clock {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Clock")
    }
}

impl Default for Clock {
    fn default() -> Clock {
        Clock::new()
    }
}

#[cfg(feature = "test-clock")]
const FOLLOWS_SYSTEM: i64 = i64::MIN;

impl Clock {
    /// Built for tests, a process started with `PARLEY_TEST_CLOCK=<RFC 3339>` stands at that instant (the tests
    /// of several `parley serve` processes set their clocks so; a release build reads no such thing).
    #[cfg(feature = "test-clock")]
    pub fn new() -> Clock {
        let fixed = std::env::var("PARLEY_TEST_CLOCK")
            .ok()
            .and_then(|s| Timestamp::parse(&s))
            .map_or(FOLLOWS_SYSTEM, Timestamp::millis);
        Clock { fixed: Arc::new(AtomicI64::new(fixed)) }
    }

    #[cfg(not(feature = "test-clock"))]
    pub fn new() -> Clock {
        Clock {}
    }

    pub fn now(&self) -> Timestamp {
        #[cfg(feature = "test-clock")]
        {
            let fixed = self.fixed.load(Ordering::SeqCst);
            if fixed != FOLLOWS_SYSTEM {
                return Timestamp::from_millis(fixed);
            }
        }
        Timestamp::now()
    }

    /// Stops the clock at `at`: every reading answers it until the clock is moved again.
    #[cfg(feature = "test-clock")]
    pub fn set(&self, at: Timestamp) {
        self.fixed.store(at.millis(), Ordering::SeqCst);
    }

    /// Moves a stopped clock on by `ms` (or stops a running one at now + `ms`).
    #[cfg(feature = "test-clock")]
    pub fn advance(&self, ms: i64) {
        let at = self.now().millis().saturating_add(ms);
        self.fixed.store(at, Ordering::SeqCst);
    }
}
