//! How far the search index is behind the tickets, per region: where the indexer's next batch starts, the backlog
//! and the write-ahead log's size as last counted, and what Parley does when the backlog passes its bounds (says
//! so in the log and on the health endpoint; past the higher bound, refuses new tickets through the API for a
//! moment, which their clients retry, rather than run up a debt of unsearchable tickets).

use crate::AppError;
use parley_domain::region::{Place, RegionName};
use parley_store::Dirty;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Past this many tickets waiting, a new ticket is no longer findable within a second or two (the indexer writes a
/// few thousand a second): the log and the health endpoint say the index is behind.
pub const BEHIND_AT: u64 = 20_000;

/// Past this many, new tickets through the API are refused (503, `Retry-After`) until the backlog is below it again:
/// about half a minute of the indexer's work.
pub const REFUSE_AT: u64 = 100_000;

/// How often the indexer counts each region's backlog (a count reads every mark).
const COUNT_EVERY: Duration = Duration::from_secs(2);

/// How often the log repeats that a region's index is behind.
const WARN_EVERY: Duration = Duration::from_secs(30);

/// What a refused client is told to wait.
const RETRY_AFTER_SECS: u64 = 5;

/// One region database's search backlog, as last counted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backlog {
    pub place: Place,
    /// Tickets whose document waits to be written.
    pub waiting: u64,
    /// The region's write-ahead log on SQLite, in bytes (`None` on PostgreSQL).
    pub wal_bytes: Option<u64>,
    /// Past [`BEHIND_AT`].
    pub behind: bool,
    /// Past [`REFUSE_AT`]: new tickets through the API are refused.
    pub refusing: bool,
}

#[derive(Default)]
struct Region {
    /// The last mark the indexer read: its next batch starts after it.
    cursor: Option<Dirty>,
    last: Option<Backlog>,
    counted_at: Option<Instant>,
    warned_at: Option<Instant>,
    /// Documents written since the backlog was last counted, and when counting started: the drain rate.
    written: u64,
}

/// The indexer's state in this process, per region database.
#[derive(Default)]
pub struct Indexing {
    regions: Mutex<HashMap<Place, Region>>,
}

impl Indexing {
    fn with<T>(&self, region: &Place, f: impl FnOnce(&mut Region) -> T) -> Option<T> {
        let mut regions = self.regions.lock().ok()?;
        Some(f(regions.entry(region.clone()).or_default()))
    }

    pub(crate) fn cursor(&self, region: &Place) -> Option<Dirty> {
        self.with(region, |r| r.cursor.clone()).flatten()
    }

    pub(crate) fn read_up_to(&self, region: &Place, cursor: Option<Dirty>, written: usize) {
        self.with(region, |r| {
            r.cursor = cursor;
            r.written += written as u64;
        });
    }

    /// Whether the region's backlog is due to be counted again.
    pub(crate) fn count_due(&self, region: &Place) -> bool {
        self.with(region, |r| r.counted_at.is_none_or(|t| t.elapsed() >= COUNT_EVERY)).unwrap_or(true)
    }

    /// Records a count, and says in the log when the region fell behind, is still behind (now and then), or caught
    /// up.
    pub(crate) fn counted(&self, region: &Place, waiting: u64, wal_bytes: Option<u64>) {
        let backlog = Backlog {
            place: region.clone(),
            waiting,
            wal_bytes,
            behind: waiting > BEHIND_AT,
            refusing: waiting > REFUSE_AT,
        };
        self.with(region, |r| {
            let since = r.counted_at.map(|t| t.elapsed().as_secs_f64()).unwrap_or(0.0);
            let rate = if since > 0.0 { r.written as f64 / since } else { 0.0 };
            let was_behind = r.last.as_ref().is_some_and(|b| b.behind);
            let wal_mib = wal_bytes.map(|b| b / (1024 * 1024));
            if backlog.behind && (!was_behind || r.warned_at.is_none_or(|t| t.elapsed() >= WARN_EVERY)) {
                tracing::warn!(
                    region = %region, waiting, indexed_per_second = rate.round(), wal_mib, refusing = backlog.refusing,
                    "the search index is behind: new tickets are not findable at once"
                );
                r.warned_at = Some(Instant::now());
            } else if !backlog.behind && was_behind {
                tracing::info!(region = %region, waiting, wal_mib, "the search index caught up");
                r.warned_at = None;
            }
            r.last = Some(backlog);
            r.counted_at = Some(Instant::now());
            r.written = 0;
        });
    }

    /// Every region's backlog as last counted.
    pub fn backlogs(&self) -> Vec<Backlog> {
        let Ok(regions) = self.regions.lock() else { return Vec::new() };
        let mut all: Vec<Backlog> = regions.values().filter_map(|r| r.last.clone()).collect();
        all.sort_by(|a, b| a.place.cmp(&b.place));
        all
    }

    /// Refuses new work that would add to a region's backlog while one of its databases is past [`REFUSE_AT`]:
    /// nothing is taken, so nothing acknowledged is lost, and the client is told when to try again.
    pub fn admit(&self, region: &RegionName) -> Result<(), AppError> {
        let refusing = self.regions.lock().is_ok_and(|regions| {
            regions.iter().any(|(p, r)| p.region == *region && r.last.as_ref().is_some_and(|b| b.refusing))
        });
        if refusing {
            return Err(AppError::Busy { retry_after_secs: RETRY_AFTER_SECS });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn past_the_bounds_the_region_is_behind_then_refuses_until_it_catches_up() {
        let indexing = Indexing::default();
        let eu = Place::parse("eu").unwrap();
        let us = RegionName::parse("us").unwrap();
        assert!(indexing.backlogs().is_empty(), "nothing counted yet");
        assert!(indexing.admit(&eu.region).is_ok(), "nothing counted: nothing refused");
        indexing.counted(&eu, BEHIND_AT + 1, Some(1 << 20));
        let b = &indexing.backlogs()[0];
        assert!(b.behind && !b.refusing, "{b:?}");
        assert!(indexing.admit(&eu.region).is_ok());
        indexing.counted(&eu, REFUSE_AT + 1, None);
        assert!(matches!(indexing.admit(&eu.region), Err(AppError::Busy { retry_after_secs: 5 })));
        assert!(indexing.admit(&us).is_ok(), "another region's backlog is its own");
        indexing.counted(&eu, 10, None);
        assert!(indexing.admit(&eu.region).is_ok(), "caught up");
        assert_eq!(indexing.backlogs()[0].waiting, 10);
        assert!(!indexing.count_due(&eu), "counted just now");
    }
}
