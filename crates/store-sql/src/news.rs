//! Ticket news: each unit of work that writes a ticket, once committed, hands its news to this process's hub (the
//! sink) and, on PostgreSQL, notifies the other processes sharing the database. Every ticket write of the store
//! passes through [`SqlStore::announce`], so the live lists hear of every change whichever use case made it.

use crate::db::args;
use crate::SqlStore;
use parley_domain::ids::{AccountId, DepartmentId, TicketId};
use parley_store::{TicketNews, TicketNewsKind, TicketNewsSink};
use std::sync::Arc;

/// The channel on which processes sharing a PostgreSQL tell each other of written tickets.
const TICKETS_CHANNEL: &str = "parley_tickets";

/// Where this store's news goes: the process's sink, and a random name for this store so that it can tell its own
/// notifications from others' (its own were handed to the sink already).
#[derive(Clone)]
pub(crate) struct NewsOut {
    sink: Option<TicketNewsSink>,
    origin: Arc<str>,
}

impl Default for NewsOut {
    fn default() -> Self {
        NewsOut { sink: None, origin: TicketId::new().to_string().into() }
    }
}

/// What another process tells of its ticket writes.
#[derive(Debug, Clone)]
pub enum TicketSignal {
    /// A ticket was written (the news carries no ticket: read it).
    News(TicketNews),
    /// Who views a ticket, or what they write, changed.
    Viewers(AccountId, TicketId),
    /// News may have been lost (the connection dropped): lists should reload.
    Lost,
}

/// The kind word of a viewers payload, `origin account ticket viewers`.
const VIEWERS: &str = "viewers";

fn payload(origin: &str, n: &TicketNews) -> String {
    let department = n.department_id.map_or_else(|| "-".to_string(), |d| d.to_string());
    format!("{origin} {} {} {} {department}", n.account_id, n.ticket_id, n.kind.as_str())
}

/// Reads a payload; `None` for this store's own and for nonsense.
fn parse(own: &str, payload: &str) -> Option<TicketSignal> {
    if payload.is_empty() {
        return Some(TicketSignal::Lost);
    }
    let mut parts = payload.split(' ');
    if parts.next()? == own {
        return None;
    }
    let account_id = AccountId::parse(parts.next()?)?;
    let ticket_id = TicketId::parse(parts.next()?)?;
    let kind = parts.next()?;
    if kind == VIEWERS {
        return Some(TicketSignal::Viewers(account_id, ticket_id));
    }
    let kind = TicketNewsKind::parse(kind)?;
    let department_id = match parts.next()? {
        "-" => None,
        d => Some(DepartmentId::parse(d)?),
    };
    Some(TicketSignal::News(TicketNews { account_id, ticket_id, kind, department_id, ticket: None }))
}

impl SqlStore {
    /// Hands this store's ticket news to `sink` (the process's hub).
    pub fn with_news(mut self, sink: TicketNewsSink) -> Self {
        self.news.sink = Some(sink);
        self
    }

    /// Tells of tickets written by a committed unit of work. Failing to notify other processes loses no data:
    /// it is logged, and their lists catch up on their next reload.
    pub(crate) async fn announce(&self, news: Vec<TicketNews>) {
        for n in news {
            if self.db.engine() == crate::url::Engine::Postgres {
                let sql = "SELECT pg_notify($1, $2)";
                if let Err(e) = self.db.query(sql, args![TICKETS_CHANNEL, payload(&self.news.origin, &n)]).await {
                    tracing::warn!(error = %e, "could not tell other processes of a ticket written");
                }
            }
            if let Some(sink) = &self.news.sink {
                sink(n);
            }
        }
    }

    /// Tells the other processes that a ticket's viewers changed (PostgreSQL only).
    pub(crate) async fn notify_viewers(
        &self,
        account: AccountId,
        ticket: TicketId,
    ) -> Result<(), parley_store::StoreError> {
        if self.db.engine() == crate::url::Engine::Postgres {
            let p = format!("{} {account} {ticket} {VIEWERS}", self.news.origin);
            self.db.query("SELECT pg_notify($1, $2)", args![TICKETS_CHANNEL, p]).await?;
        }
        Ok(())
    }

    /// Ticket news from the other processes sharing this database (PostgreSQL; `None` on SQLite).
    pub async fn ticket_signals(
        &self,
    ) -> Result<Option<tokio::sync::mpsc::Receiver<TicketSignal>>, parley_store::StoreError> {
        let Some(mut raw) = self.db.listen(TICKETS_CHANNEL).await? else { return Ok(None) };
        let (tx, rx) = tokio::sync::mpsc::channel(1024);
        let own = self.news.origin.clone();
        tokio::spawn(async move {
            while let Some(p) = raw.recv().await {
                if let Some(s) = parse(&own, &p) {
                    if tx.send(s).await.is_err() {
                        return;
                    }
                }
            }
        });
        Ok(Some(rx))
    }
}

/// The news of a saved change: the ticket as it now stands.
pub(crate) fn saved(change: &parley_store::TicketChange) -> TicketNews {
    let mut t = change.ticket.clone();
    t.version = change.expected_version + 1;
    TicketNews::of(TicketNewsKind::of_saved(&t), &t)
}

/// The news of a new ticket.
pub(crate) fn created(t: &parley_domain::ticket::Ticket) -> TicketNews {
    TicketNews::of(TicketNewsKind::Created, t)
}

impl SqlStore {
    /// The tickets a contact requested (read before they are erased, to tell the lists which ones went).
    pub(crate) async fn tickets_of_requester(
        &self,
        account: AccountId,
        contact: parley_domain::ids::ContactId,
    ) -> Result<Vec<parley_domain::ticket::Ticket>, parley_store::StoreError> {
        let sql =
            format!("SELECT {} FROM tickets WHERE account_id = $1 AND requester_id = $2", crate::tickets::TICKET_COLS);
        let rows = self.db.query(&sql, args![account.to_string(), contact.to_string()]).await?;
        rows.iter().map(crate::tickets::ticket).collect()
    }

    /// Tells the lists that these tickets are gone.
    pub(crate) async fn announce_removed(&self, tickets: Vec<parley_domain::ticket::Ticket>) {
        self.announce(tickets.iter().map(|t| TicketNews::of(TicketNewsKind::Removed, t)).collect()).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payloads_read_back_and_own_ones_are_skipped() {
        let n = TicketNews {
            account_id: AccountId::new(),
            ticket_id: TicketId::new(),
            kind: TicketNewsKind::Removed,
            department_id: Some(DepartmentId::new()),
            ticket: None,
        };
        let Some(TicketSignal::News(back)) = parse("them", &payload("us", &n)) else { panic!("not read back") };
        assert_eq!(
            (back.account_id, back.ticket_id, back.kind, back.department_id),
            (n.account_id, n.ticket_id, n.kind, n.department_id)
        );
        assert!(parse("us", &payload("us", &n)).is_none());
        assert!(matches!(parse("us", ""), Some(TicketSignal::Lost)));
        assert!(parse("us", "them nonsense").is_none());
        let (a, t) = (AccountId::new(), TicketId::new());
        let Some(TicketSignal::Viewers(a2, t2)) = parse("us", &format!("them {a} {t} viewers")) else {
            panic!("viewers")
        };
        assert_eq!((a2, t2), (a, t));
    }
}
