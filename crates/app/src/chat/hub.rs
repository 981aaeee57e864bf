//! Waking readers of a conversation in this process when something is appended to it: the writer's own process
//! wakes them directly, other processes through the database's notifications. Readers never poll; when the
//! notifications themselves may have missed something (their connection dropped), every reader is woken to look.

use crate::auth::Window;
use parley_domain::ids::{AccountId, TicketId};
use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;
use tokio::sync::broadcast;
use tokio::sync::watch;

pub struct Hub {
    conversations: Mutex<HashMap<TicketId, watch::Sender<()>>>,
    /// Each account's conversations with news, for its agents' sockets.
    accounts: Mutex<HashMap<AccountId, broadcast::Sender<TicketId>>>,
    /// Changes when every reader should look again.
    everyone: watch::Sender<()>,
    /// Messages per visitor: a person types a few a minute; a script, hundreds.
    pub sends: Window,
    /// New visitors per client address.
    pub arrivals: Window,
}

impl Default for Hub {
    fn default() -> Self {
        Hub {
            conversations: Mutex::default(),
            accounts: Mutex::default(),
            everyone: watch::channel(()).0,
            sends: Window::new(30, Duration::from_secs(60)),
            arrivals: Window::new(30, Duration::from_secs(60)),
        }
    }
}

/// What a reader waits on: its conversation's news, or a call to everyone.
pub struct Wake {
    one: Option<watch::Receiver<()>>,
    all: watch::Receiver<()>,
}

impl Wake {
    /// Returns when there may be something new (or `limit` passed).
    pub async fn wait(&mut self, limit: Duration) {
        let one = async {
            match self.one.as_mut() {
                Some(rx) => {
                    if rx.changed().await.is_err() {
                        std::future::pending::<()>().await;
                    }
                }
                None => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            _ = one => {}
            _ = self.all.changed() => {}
            _ = tokio::time::sleep(limit) => {}
        }
    }
}

impl Hub {
    /// What a reader of the conversation waits on.
    pub fn subscribe(&self, ticket: TicketId) -> Wake {
        let one = self
            .conversations
            .lock()
            .ok()
            .map(|mut map| map.entry(ticket).or_insert_with(|| watch::channel(()).0).subscribe());
        Wake { one, all: self.everyone.subscribe() }
    }

    /// The account's conversations with news, as they come (for an agent's socket). `None` if the hub is broken.
    pub fn follow_account(&self, account: AccountId) -> Option<broadcast::Receiver<TicketId>> {
        let mut map = self.accounts.lock().ok()?;
        Some(map.entry(account).or_insert_with(|| broadcast::channel(16 * 1024).0).subscribe())
    }

    /// Tells the account's agents' sockets that a conversation has news.
    pub fn publish_to_account(&self, account: AccountId, ticket: TicketId) {
        let Ok(mut map) = self.accounts.lock() else { return };
        if let Some(tx) = map.get(&account) {
            if tx.send(ticket).is_err() {
                // No agent socket follows the account any more.
                map.remove(&account);
            }
        }
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

    /// Wakes every reader to look for itself (after news may have been lost).
    pub fn publish_all(&self) {
        self.everyone.send_replace(());
    }
}
