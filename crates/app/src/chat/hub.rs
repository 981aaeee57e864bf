//! Waking readers of a conversation in this process when something is appended to it: the writer's own process
//! wakes them directly, other processes through the database's notifications. Readers never poll; when the
//! notifications themselves may have missed something (their connection dropped), every reader is woken to look.

use super::queue::Queue;
use crate::auth::Window;
use parley_domain::chat::Typist;
use parley_domain::ids::{AccountId, TicketId};
use parley_store::TicketNews;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::sync::broadcast;
use tokio::sync::watch;

/// What an agent's socket hears of its account.
#[derive(Debug, Clone)]
pub enum News {
    /// A conversation has new events.
    Chat(TicketId),
    /// Routing moved: a chat rang, was taken, transferred or ended, or an agent's presence changed.
    Routing,
    /// Someone is typing in a conversation.
    Typing(TicketId, Typist),
    /// A ticket was created, changed or removed (for live lists).
    Ticket(Arc<TicketNews>),
    /// Who views the ticket, or what they write, changed.
    Viewers(TicketId),
    /// News of tickets may have been lost: lists reload.
    Resync,
}

/// How long "typing" shows after the last sign of it.
pub const TYPING_SHOWS: Duration = Duration::from_secs(5);

pub struct Hub {
    conversations: Mutex<HashMap<TicketId, watch::Sender<()>>>,
    /// Each account's news, for its agents' sockets.
    accounts: Mutex<HashMap<AccountId, broadcast::Sender<News>>>,
    /// Each account's routing news, for its waiting visitors (their place in the queue).
    routing: Mutex<HashMap<AccountId, watch::Sender<()>>>,
    /// This process, as the agent sockets it holds are recorded in the region's database.
    pub process_id: String,
    /// Each account's queue as read at its routing generation, so that a routing move wakes thousands of waiting
    /// visitors for one read of the queue, not one each.
    queues: Mutex<HashMap<AccountId, Queue>>,
    /// The agent last typing in each conversation, and when: for its visitor's reader.
    typing: Mutex<HashMap<TicketId, (String, Instant)>>,
    /// Bumped by every routing move of the account.
    generations: Mutex<HashMap<AccountId, u64>>,
    /// One reader of each account's queue at a time; the others then find it read.
    queue_readers: Mutex<HashMap<AccountId, Arc<tokio::sync::Mutex<()>>>>,
    /// Changes when every reader should look again.
    everyone: watch::Sender<()>,
    /// Turns true when the server stops: sockets close and long polls answer at once.
    stopping: watch::Sender<bool>,
    /// How many sockets are open (see [`Hub::socket_opened`]).
    sockets: watch::Sender<usize>,
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
            routing: Mutex::default(),
            process_id: crate::auth::tokens::random_token(),
            queues: Mutex::default(),
            generations: Mutex::default(),
            typing: Mutex::default(),
            queue_readers: Mutex::default(),
            everyone: watch::channel(()).0,
            stopping: watch::channel(false).0,
            sockets: watch::channel(0).0,
            sends: Window::new(30, Duration::from_secs(60)),
            arrivals: Window::new(30, Duration::from_secs(60)),
        }
    }
}

/// What woke a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Woke {
    Conversation,
    Routing,
    /// Everyone was told to look (news may have been lost), or the time limit passed.
    Anything,
    /// The server stops: the reader answers with what it has, a socket closes.
    Stopping,
}

/// What a reader waits on: its conversation's news, or a call to everyone.
pub struct Wake {
    one: Option<watch::Receiver<()>>,
    routing: Option<watch::Receiver<()>>,
    all: watch::Receiver<()>,
    stopping: watch::Receiver<bool>,
}

/// Waits for a change on the receiver, or forever when there is none (or its sender is gone).
async fn changed(rx: Option<&mut watch::Receiver<()>>) {
    match rx {
        Some(rx) => {
            if rx.changed().await.is_err() {
                std::future::pending::<()>().await;
            }
        }
        None => std::future::pending::<()>().await,
    }
}

/// Returns once the server stops (at once if it is stopping already).
pub async fn stopped(stopping: &mut watch::Receiver<bool>) {
    if stopping.wait_for(|s| *s).await.is_err() {
        std::future::pending::<()>().await;
    }
}

/// An open socket, counted until dropped: the server waits for its sockets to close before it closes the databases.
pub struct OpenSocket<'a>(&'a Hub);

impl Drop for OpenSocket<'_> {
    fn drop(&mut self) {
        self.0.sockets.send_modify(|n| *n = n.saturating_sub(1));
    }
}

impl Wake {
    /// Returns when there may be something new (or `limit` passed), and why.
    pub async fn wait(&mut self, limit: Duration) -> Woke {
        tokio::select! {
            _ = changed(self.one.as_mut()) => Woke::Conversation,
            _ = changed(self.routing.as_mut()) => Woke::Routing,
            _ = self.all.changed() => Woke::Anything,
            _ = stopped(&mut self.stopping) => Woke::Stopping,
            _ = tokio::time::sleep(limit) => Woke::Anything,
        }
    }

    /// Stops waking on routing news (the chat no longer waits for an agent).
    pub fn forget_routing(&mut self) {
        self.routing = None;
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
        Wake { one, routing: None, all: self.everyone.subscribe(), stopping: self.stopping.subscribe() }
    }

    /// What a waiting visitor's reader waits on: their conversation's news and the account's routing news.
    pub fn subscribe_waiting(&self, account: AccountId, ticket: TicketId) -> Wake {
        let mut wake = self.subscribe(ticket);
        wake.routing = self
            .routing
            .lock()
            .ok()
            .map(|mut map| map.entry(account).or_insert_with(|| watch::channel(()).0).subscribe());
        wake
    }

    /// The account's routing generation: changes with every routing move.
    pub fn routing_generation(&self, account: AccountId) -> u64 {
        self.generations.lock().map(|g| g.get(&account).copied().unwrap_or(0)).unwrap_or(0)
    }

    /// The lock its queue's readers take turns with.
    pub fn queue_reader(&self, account: AccountId) -> Arc<tokio::sync::Mutex<()>> {
        match self.queue_readers.lock() {
            Ok(mut map) => {
                if map.len() > 10_000 {
                    map.retain(|_, l| Arc::strong_count(l) > 1);
                }
                map.entry(account).or_default().clone()
            }
            Err(_) => Arc::default(),
        }
    }

    /// Looks in (or adds to) the account's queue as read at the current routing generation; after a routing move
    /// it starts empty. Readers of the store take turns (see [`Hub::queue_reader`]). `None` if the hub is broken.
    pub(crate) fn queue<T>(&self, account: AccountId, f: impl FnOnce(&mut Queue) -> T) -> Option<T> {
        let now = self.routing_generation(account);
        let mut queues = self.queues.lock().ok()?;
        if queues.len() > 10_000 && !queues.contains_key(&account) {
            queues.clear();
        }
        let queue = queues.entry(account).or_insert_with(|| Queue::new(now));
        if queue.generation() != now {
            *queue = Queue::new(now);
        }
        Some(f(queue))
    }

    /// Tells the account's agents' sockets and waiting visitors that routing moved.
    pub fn publish_routing(&self, account: AccountId) {
        if let Ok(mut g) = self.generations.lock() {
            *g.entry(account).or_insert(0) += 1;
        }
        self.publish_news(account, News::Routing);
        let Ok(mut map) = self.routing.lock() else { return };
        if let Some(tx) = map.get(&account) {
            if tx.receiver_count() == 0 {
                map.remove(&account);
            } else {
                tx.send_replace(());
            }
        }
    }

    /// The account's conversations with news, as they come (for an agent's socket). `None` if the hub is broken.
    pub fn follow_account(&self, account: AccountId) -> Option<broadcast::Receiver<News>> {
        let mut map = self.accounts.lock().ok()?;
        Some(map.entry(account).or_insert_with(|| broadcast::channel(16 * 1024).0).subscribe())
    }

    /// Tells the account's agents' sockets that a conversation has news.
    pub fn publish_to_account(&self, account: AccountId, ticket: TicketId) {
        self.publish_news(account, News::Chat(ticket));
    }

    fn publish_news(&self, account: AccountId, news: News) {
        let Ok(mut map) = self.accounts.lock() else { return };
        if let Some(tx) = map.get(&account) {
            if tx.send(news).is_err() {
                // No agent socket follows the account any more.
                map.remove(&account);
            }
        }
    }

    /// A ticket was written: the account's agents' sockets hear of it (each shows it if its agent may see it).
    pub fn publish_ticket(&self, news: TicketNews) {
        self.publish_news(news.account_id, News::Ticket(Arc::new(news)));
    }

    /// Who views the ticket changed: the account's agents' sockets viewing it look again.
    pub fn publish_viewers(&self, account: AccountId, ticket: TicketId) {
        self.publish_news(account, News::Viewers(ticket));
    }

    /// News of tickets from other processes may have been lost: every agent's socket tells its page to reload.
    pub fn resync_all(&self) {
        let accounts: Vec<AccountId> = self.accounts.lock().map(|m| m.keys().copied().collect()).unwrap_or_default();
        for a in accounts {
            self.publish_news(a, News::Resync);
        }
    }

    /// Someone is typing: the account's agents' sockets hear of it, and when an agent types, the conversation's
    /// visitor too.
    pub fn typing(&self, account: AccountId, ticket: TicketId, who: Typist) {
        if let Typist::Agent { name, .. } = &who {
            if let Ok(mut map) = self.typing.lock() {
                if map.len() > 1000 {
                    map.retain(|_, (_, at)| at.elapsed() < TYPING_SHOWS);
                }
                map.insert(ticket, (name.clone(), Instant::now()));
            }
            self.publish(ticket);
        }
        self.publish_news(account, News::Typing(ticket, who));
    }

    /// The agent typing in the conversation now, if any, and since when.
    pub fn agent_typing(&self, ticket: TicketId) -> Option<(String, Instant)> {
        let map = self.typing.lock().ok()?;
        map.get(&ticket).filter(|(_, at)| at.elapsed() < TYPING_SHOWS).cloned()
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

    /// The server stops: every socket closes and every long poll answers now.
    pub fn stop(&self) {
        self.stopping.send_replace(true);
    }

    /// What tells a socket that the server stops (see [`stopped`]).
    pub fn stopping(&self) -> watch::Receiver<bool> {
        self.stopping.subscribe()
    }

    /// Counts a socket as open until the guard is dropped.
    pub fn socket_opened(&self) -> OpenSocket<'_> {
        self.sockets.send_modify(|n| *n += 1);
        OpenSocket(self)
    }

    /// Returns once no socket is open.
    pub async fn sockets_closed(&self) {
        let _ = self.sockets.subscribe().wait_for(|n| *n == 0).await;
    }

    /// Wakes every reader to look for itself (after news may have been lost).
    pub fn publish_all(&self) {
        self.everyone.send_replace(());
        if let Ok(mut queues) = self.queues.lock() {
            queues.clear();
        }
        let accounts: Vec<AccountId> = self.accounts.lock().map(|m| m.keys().copied().collect()).unwrap_or_default();
        for a in accounts {
            self.publish_routing(a);
        }
    }
}
