//! Waking readers of a conversation in this process when something is appended to it. Readers re-read the store
//! on every wake and also now and then on their own, so a write made by another process reaches them too.

use crate::auth::Window;
use parley_domain::ids::TicketId;
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::watch;

pub struct Hub {
    conversations: Mutex<HashMap<TicketId, watch::Sender<()>>>,
    /// Messages per visitor: a person types a few a minute; a script, hundreds.
    pub sends: Window,
    /// New visitors per client address.
    pub arrivals: Window,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            conversations: Mutex::default(),
            sends: Window::new(30, Duration::from_secs(60)),
            arrivals: Window::new(30, Duration::from_secs(60)),
        }
    }
}

impl Hub {
    /// A receiver that changes whenever an event is appended to the conversation here.
    pub fn subscribe(&self, ticket: TicketId) -> Option<watch::Receiver<()>> {
        let mut map = self.conversations.lock().ok()?;
        Some(map.entry(ticket).or_insert_with(|| watch::channel(()).0).subscribe())
    }

    /// Tells the conversation's readers that something was appended.
    pub fn publish(&self, ticket: TicketId) {
        let Ok(mut map) = self.conversations.lock() else { return };
        if let Some(tx) = map.get(&ticket) {
            if tx.receiver_count() == 0 {
                // Nobody waits any more: forget the conversation rather than keep a sender per chat ever seen.
                map.remove(&ticket);
            } else {
                tx.send_replace(());
            }
        }
    }
}
