//! Each account's queue of waiting chats as this process last read it, so that thousands of waiting visitors learn
//! their places from one read of the queue rather than a count each. A routing move (a chat rang, was taken, handed
//! on or ended) makes a new read start; chats that joined since are read after the last one read, never the whole
//! queue again, so opening N chats and connecting their N visitors reads each chat once.

use parley_domain::chat_routing::Route;
use parley_domain::ids::{DepartmentId, TicketId};
use parley_domain::Timestamp;
use std::collections::HashMap;

/// Where a chat stands in line: when it was queued, then its id (the order the store reads them in).
pub type InLine = (Timestamp, TicketId);

/// Where a waiting chat stands in line.
pub fn in_line(route: &Route) -> InLine {
    (route.queued_at, route.ticket_id)
}

/// The account's waiting chats as read at one routing generation.
#[derive(Debug, Default)]
pub struct Queue {
    generation: u64,
    /// Every chat waiting up to here (when it was read) is in the lines.
    read_to: Option<InLine>,
    /// Each team's line (`None`: chats for no team), in order.
    lines: HashMap<Option<DepartmentId>, Vec<InLine>>,
    /// Each chat's team and place in line.
    chats: HashMap<TicketId, (Option<DepartmentId>, InLine)>,
}

impl Queue {
    /// Nothing read yet at `generation`.
    pub fn new(generation: u64) -> Self {
        Queue { generation, ..Queue::default() }
    }

    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// The last chat read (reading on starts after it); `None`: from the start.
    pub fn read_to(&self) -> Option<InLine> {
        self.read_to
    }

    /// The chat's place in its team's line (1: next), if it is in the queue as read.
    pub fn place(&self, ticket: TicketId) -> Option<u32> {
        let (team, at) = self.chats.get(&ticket)?;
        let i = self.lines.get(team)?.binary_search(at).ok()?;
        Some(u32::try_from(i + 1).unwrap_or(u32::MAX))
    }

    /// Adds the waiting chats the store read after `from` in order, if this queue is still the one read at
    /// `generation` up to `from`: another reader or a routing move may have come first. Returns whether they were.
    pub fn read_on(&mut self, generation: u64, from: Option<InLine>, routes: &[Route]) -> bool {
        if generation != self.generation || from != self.read_to {
            return false;
        }
        for r in routes {
            self.insert(r);
            self.read_to = self.read_to.max(Some(in_line(r)));
        }
        true
    }

    /// Adds a waiting chat that was stored after chats that joined after it (two visitors at once), where it
    /// stands: the ones behind it move back one. Only a chat before the last one read can be placed so; returns
    /// whether it was.
    pub fn insert_late(&mut self, generation: u64, route: &Route) -> bool {
        if generation != self.generation || self.read_to.is_none_or(|to| in_line(route) > to) {
            return false;
        }
        self.insert(route);
        true
    }

    fn insert(&mut self, r: &Route) {
        let at = in_line(r);
        if self.chats.insert(r.ticket_id, (r.department_id, at)).is_some() {
            return;
        }
        let line = self.lines.entry(r.department_id).or_default();
        match line.last() {
            Some(last) if *last > at => {
                let i = line.partition_point(|x| *x < at);
                line.insert(i, at);
            }
            _ => line.push(at),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use parley_domain::ids::AccountId;

    fn route(account: AccountId, team: Option<DepartmentId>, at: i64) -> Route {
        Route::queued(account, TicketId::new(), team, Timestamp::from_millis(at))
    }

    #[test]
    fn places_per_team_read_on_and_late_arrivals() {
        let (a, billing) = (AccountId::new(), Some(DepartmentId::new()));
        let first = [route(a, None, 10), route(a, billing, 11), route(a, None, 12)];
        let mut q = Queue::new(3);
        assert!(q.read_on(3, None, &first));
        let places: Vec<_> = first.iter().map(|r| q.place(r.ticket_id)).collect();
        assert_eq!(places, [Some(1), Some(1), Some(2)]);
        assert_eq!(q.read_to(), Some(in_line(&first[2])));

        // Read on from the last one read; a read from elsewhere, or of another generation, is not kept.
        let more = [route(a, billing, 20), route(a, None, 21)];
        assert!(!q.read_on(3, None, &more), "read from the start, but the queue was read further");
        assert!(!q.read_on(4, q.read_to(), &more), "another generation");
        assert!(q.read_on(3, q.read_to(), &more));
        assert_eq!((q.place(more[0].ticket_id), q.place(more[1].ticket_id)), (Some(2), Some(3)));

        // A chat that joined at 15 but was stored after those read: it goes where it stands, the later one moves
        // back. One after the last read cannot be placed (others may be missing before it).
        let late = route(a, None, 15);
        assert!(q.insert_late(3, &late));
        assert_eq!((q.place(late.ticket_id), q.place(more[1].ticket_id)), (Some(3), Some(4)));
        assert_eq!(q.place(first[0].ticket_id), Some(1));
        assert!(!q.insert_late(3, &route(a, None, 99)), "after the last read");
        assert!(!q.insert_late(2, &route(a, None, 1)), "another generation");
        assert_eq!(q.place(TicketId::new()), None, "not in the queue");
    }
}
