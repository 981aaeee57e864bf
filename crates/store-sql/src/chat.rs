//! Chat visitors, conversations and their numbered events.

use crate::db::{args, Row, Tx};
use crate::error::conflict_as;
use crate::rows::{id, json, opt_id, parsed, to_json};
use crate::tickets::create_in;
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::chat::{ChatEvent, ChatSettings, NewChatEvent, Presence, Typist, Visitor};
use parley_domain::chat_routing::{Route, RoutingSettings, RoutingStrategy};
use parley_domain::contact::Contact;
use parley_domain::email::EmailAddress;
use parley_domain::ids::{AccountId, ContactId, TicketId, VisitorId};
use parley_domain::ids::{AgentId, DepartmentId};
use parley_domain::message::Message;
use parley_domain::ticket::Ticket;
use parley_domain::Timestamp;
use parley_store::{ChatStore, NewTicket, Requester, StoreError};

const VISITOR_COLS: &str = "id, account_id, token_hash, contact_id, created_at, blocked_at";

fn visitor(r: &Row) -> Result<Visitor, StoreError> {
    Ok(Visitor {
        id: id("visitor id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        token_hash: r.text("token_hash")?,
        contact_id: opt_id("contact id", r.opt_text("contact_id")?.as_deref())?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        blocked_at: r.opt_int("blocked_at")?.map(Timestamp::from_millis),
    })
}

const SETTINGS_SQL: &str =
    "SELECT allowed_origins, identity_secret, routing, ring_secs, look FROM chat_settings WHERE account_id = $1";

fn settings(r: &Row) -> Result<ChatSettings, StoreError> {
    Ok(ChatSettings {
        allowed_origins: json("allowed origins", &r.text("allowed_origins")?)?,
        identity_secret: r.text("identity_secret")?,
        routing: RoutingSettings {
            strategy: parsed("routing strategy", &r.text("routing")?, RoutingStrategy::parse)?,
            ring_secs: u32::try_from(r.int("ring_secs")?).map_err(|_| StoreError::Other("bad ring time".into()))?,
        },
        look: json("widget look", &r.text("look")?)?,
    })
}

fn event(r: &Row) -> Result<ChatEvent, StoreError> {
    Ok(ChatEvent {
        seq: r.int("seq")?,
        at: Timestamp::from_millis(r.int("at")?),
        kind: json("chat event", &r.text("data")?)?,
    })
}

/// Appends events to a ticket's chat in the caller's unit of work, each with the next number. A message whose
/// client id the conversation has already is `Conflict` (the caller answers with the stored one).
pub(crate) async fn append(
    tx: &mut dyn Tx,
    account: AccountId,
    ticket: TicketId,
    events: &[NewChatEvent],
) -> Result<Vec<ChatEvent>, StoreError> {
    let mut out = Vec::with_capacity(events.len());
    for e in events {
        let row = tx
            .query_opt(
                "INSERT INTO chat_events (account_id, ticket_id, seq, client_id, data, at) \
                 SELECT $1, $2, COALESCE(MAX(seq), 0) + 1, $3, $4, $5 FROM chat_events \
                 WHERE account_id = $1 AND ticket_id = $2 RETURNING seq",
                args![account.to_string(), ticket.to_string(), e.client_id(), to_json(&e.kind)?, e.at.millis()],
            )
            .await
            .map_err(|err| conflict_as(err, || "this client id was sent already".to_string()))?
            .ok_or_else(|| StoreError::Other("a chat event was not numbered".into()))?;
        out.push(ChatEvent { seq: row.int("seq")?, at: e.at, kind: e.kind.clone() });
    }
    Ok(out)
}

/// The channel on which processes sharing a PostgreSQL tell each other that a conversation has news.
const CHAT_CHANNEL: &str = "parley_chat";

impl SqlStore {
    /// Tells the other processes sharing this PostgreSQL (nothing on SQLite, which no two servers share).
    async fn notify(&self, signal: ChatSignal) -> Result<(), StoreError> {
        if self.db.engine() == crate::url::Engine::Postgres {
            self.db.query("SELECT pg_notify($1, $2)", args![CHAT_CHANNEL, signal.payload()]).await?;
        }
        Ok(())
    }

    /// News from any process sharing this database (PostgreSQL; `None` on SQLite).
    pub async fn chat_signals(&self) -> Result<Option<tokio::sync::mpsc::Receiver<ChatSignal>>, StoreError> {
        let Some(mut raw) = self.db.listen(CHAT_CHANNEL).await? else { return Ok(None) };
        let (tx, rx) = tokio::sync::mpsc::channel(1024);
        tokio::spawn(async move {
            while let Some(payload) = raw.recv().await {
                if let Some(s) = ChatSignal::parse(&payload) {
                    if tx.send(s).await.is_err() {
                        return;
                    }
                }
            }
        });
        Ok(Some(rx))
    }
}

/// What one process tells the others sharing a region's PostgreSQL about its chats.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatSignal {
    /// A conversation has new events.
    Chat(AccountId, TicketId),
    /// The account's routing moved.
    Routing(AccountId),
    /// Someone is typing in a conversation.
    Typing(AccountId, TicketId, Typist),
    /// News may have been lost (the connection dropped): every reader should look.
    Lost,
}

impl ChatSignal {
    /// The notification's payload: `account`, `account ticket`, `account ticket v` (the visitor types) or
    /// `account ticket a:agent:name` (an agent types).
    fn payload(&self) -> String {
        match self {
            ChatSignal::Chat(a, t) => format!("{a} {t}"),
            ChatSignal::Routing(a) => a.to_string(),
            ChatSignal::Typing(a, t, Typist::Visitor) => format!("{a} {t} v"),
            ChatSignal::Typing(a, t, Typist::Agent { id, name }) => format!("{a} {t} a:{id}:{name}"),
            ChatSignal::Lost => String::new(),
        }
    }

    fn parse(payload: &str) -> Option<ChatSignal> {
        if payload.is_empty() {
            return Some(ChatSignal::Lost);
        }
        let mut parts = payload.splitn(3, ' ');
        let account = AccountId::parse(parts.next()?)?;
        let Some(ticket) = parts.next() else { return Some(ChatSignal::Routing(account)) };
        let ticket = TicketId::parse(ticket)?;
        match parts.next() {
            None => Some(ChatSignal::Chat(account, ticket)),
            Some("v") => Some(ChatSignal::Typing(account, ticket, Typist::Visitor)),
            Some(agent) => {
                let (id, name) = agent.strip_prefix("a:")?.split_once(':')?;
                let who = Typist::Agent { id: AgentId::parse(id)?, name: name.to_string() };
                Some(ChatSignal::Typing(account, ticket, who))
            }
        }
    }
}

#[async_trait]
impl ChatStore for SqlStore {
    async fn set_presence(
        &self,
        account: AccountId,
        agent: AgentId,
        status: Presence,
        at: Timestamp,
    ) -> Result<(), StoreError> {
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO agent_presence (account_id, agent_id, status, updated_at) VALUES ($1, $2, $3, $4) \
                         ON CONFLICT (account_id, agent_id) DO UPDATE SET status = excluded.status, \
                         updated_at = excluded.updated_at",
                        args![account.to_string(), agent.to_string(), status.as_str(), at.millis()],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn presence(&self, account: AccountId, agent: AgentId) -> Result<Presence, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT status FROM agent_presence WHERE account_id = $1 AND agent_id = $2",
                args![account.to_string(), agent.to_string()],
            )
            .await?;
        match row {
            Some(r) => Presence::parse(&r.text("status")?).map_err(|e| StoreError::Other(e.to_string())),
            None => Ok(Presence::Offline),
        }
    }

    async fn available_agents(&self, account: AccountId, department: Option<DepartmentId>) -> Result<u64, StoreError> {
        let (sql, values) = match department {
            None => (
                "SELECT COUNT(*) AS n FROM agent_presence p JOIN agents a ON a.account_id = p.account_id \
                 AND a.id = p.agent_id WHERE p.account_id = $1 AND p.status = 'available' AND a.active = 1"
                    .to_string(),
                args![account.to_string()],
            ),
            Some(d) => (
                "SELECT COUNT(*) AS n FROM agent_presence p JOIN agents a ON a.account_id = p.account_id \
                 AND a.id = p.agent_id JOIN agent_departments ad ON ad.agent_id = a.id AND ad.department_id = $2 \
                 WHERE p.account_id = $1 AND p.status = 'available' AND a.active = 1"
                    .to_string(),
                args![account.to_string(), d.to_string()],
            ),
        };
        let row = self.db.query_opt(&sql, values).await?;
        Ok(row.map(|r| r.int("n")).transpose()?.unwrap_or(0).max(0) as u64)
    }

    async fn chat_settings(&self, account: AccountId) -> Result<Option<ChatSettings>, StoreError> {
        self.db.query_opt(SETTINGS_SQL, args![account.to_string()]).await?.as_ref().map(settings).transpose()
    }

    async fn init_chat_settings(&self, account: AccountId, secret: &str) -> Result<ChatSettings, StoreError> {
        let secret = secret.to_string();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    // Two first readers at once: one secret wins, both answer with it.
                    tx.exec(
                        "INSERT INTO chat_settings (account_id, allowed_origins, identity_secret, updated_at) \
                         VALUES ($1, '[]', $2, $3) ON CONFLICT (account_id) DO NOTHING",
                        args![account.to_string(), secret, Timestamp::now().millis()],
                    )
                    .await?;
                    let r =
                        tx.query_opt(SETTINGS_SQL, args![account.to_string()]).await?.ok_or(StoreError::NotFound)?;
                    settings(&r)
                })
            })
            .await
    }

    async fn set_chat_settings(&self, account: AccountId, s: &ChatSettings, at: Timestamp) -> Result<(), StoreError> {
        let values = args![
            account.to_string(),
            to_json(&s.allowed_origins)?,
            s.identity_secret.clone(),
            at.millis(),
            s.routing.strategy.as_str(),
            i64::from(s.routing.ring_secs),
            to_json(&s.look)?
        ];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO chat_settings (account_id, allowed_origins, identity_secret, updated_at, \
                         routing, ring_secs, look) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (account_id) \
                         DO UPDATE SET allowed_origins = excluded.allowed_origins, \
                         identity_secret = excluded.identity_secret, updated_at = excluded.updated_at, \
                         routing = excluded.routing, ring_secs = excluded.ring_secs, look = excluded.look",
                        values,
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn block_visitor(&self, account: AccountId, visitor: VisitorId, at: Timestamp) -> Result<(), StoreError> {
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec(
                            "UPDATE chat_visitors SET blocked_at = COALESCE(blocked_at, $1) WHERE account_id = $2 AND id = $3",
                            args![at.millis(), account.to_string(), visitor.to_string()],
                        )
                        .await?;
                    if n == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn identify_visitor(
        &self,
        account: AccountId,
        visitor: VisitorId,
        email: &EmailAddress,
        name: Option<String>,
        at: Timestamp,
    ) -> Result<ContactId, StoreError> {
        let email = email.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let contact = crate::contacts::upsert_by_email(tx, account, ContactId::new(), &email, name.as_deref(), at)
                        .await?;
                    let before = tx
                        .query_opt(
                            "SELECT contact_id FROM chat_visitors WHERE account_id = $1 AND id = $2",
                            args![account.to_string(), visitor.to_string()],
                        )
                        .await?
                        .ok_or(StoreError::NotFound)?
                        .opt_text("contact_id")?;
                    tx.exec(
                        "UPDATE chat_visitors SET contact_id = $1 WHERE account_id = $2 AND id = $3",
                        args![contact.id.to_string(), account.to_string(), visitor.to_string()],
                    )
                    .await?;
                    // The anonymous contact their chats were under gives them to the person they turned out to be.
                    if let Some(old) = before.filter(|o| *o != contact.id.to_string()) {
                        tx.exec(
                            "UPDATE tickets SET requester_id = $1 WHERE account_id = $2 AND requester_id = $3 AND channel = 'chat'",
                            args![contact.id.to_string(), account.to_string(), old.clone()],
                        )
                        .await?;
                        tx.exec(
                            "UPDATE messages SET author_id = $1 WHERE account_id = $2 AND author_type = 'contact' AND author_id = $3",
                            args![contact.id.to_string(), account.to_string(), old],
                        )
                        .await?;
                    }
                    Ok(contact.id)
                })
            })
            .await
    }

    async fn signal_chat(&self, account: AccountId, ticket: TicketId) -> Result<(), StoreError> {
        self.notify(ChatSignal::Chat(account, ticket)).await
    }

    async fn signal_routing(&self, account: AccountId) -> Result<(), StoreError> {
        self.notify(ChatSignal::Routing(account)).await
    }

    async fn signal_typing(&self, account: AccountId, ticket: TicketId, who: &Typist) -> Result<(), StoreError> {
        self.notify(ChatSignal::Typing(account, ticket, who.clone())).await
    }

    async fn create_visitor(&self, v: &Visitor) -> Result<(), StoreError> {
        let values = args![
            v.id.to_string(),
            v.account_id.to_string(),
            v.token_hash.clone(),
            v.contact_id.map(|c| c.to_string()),
            v.created_at.millis(),
            v.blocked_at.map(|b| b.millis())
        ];
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        &format!("INSERT INTO chat_visitors ({VISITOR_COLS}) VALUES ($1, $2, $3, $4, $5, $6)"),
                        values,
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn visitor_by_token(&self, account: AccountId, token_hash: &str) -> Result<Option<Visitor>, StoreError> {
        let sql = format!("SELECT {VISITOR_COLS} FROM chat_visitors WHERE token_hash = $1 AND account_id = $2");
        self.db.query_opt(&sql, args![token_hash, account.to_string()]).await?.as_ref().map(visitor).transpose()
    }

    async fn start_chat(
        &self,
        v: &Visitor,
        contact_name: Option<String>,
        mut new: NewTicket,
        first: Vec<NewChatEvent>,
    ) -> Result<(Ticket, Contact, Message, Vec<ChatEvent>), StoreError> {
        let engine = self.db.engine();
        let (account, visitor_id, known) = (v.account_id, v.id, v.contact_id);
        let out = self
            .db
            .write(move |tx| {
                Box::pin(async move {
                    let contact = match known {
                        Some(c) => c,
                        None => {
                            let c = ContactId::new();
                            let at = new.ticket.created_at.millis();
                            tx.exec(
                                "INSERT INTO contacts (id, account_id, email, name, phones, company_id, created_at, \
                                 updated_at) VALUES ($1, $2, NULL, $3, '[]', NULL, $4, $4)",
                                args![c.to_string(), account.to_string(), contact_name, at],
                            )
                            .await?;
                            tx.exec(
                                "UPDATE chat_visitors SET contact_id = $1 WHERE account_id = $2 AND id = $3",
                                args![c.to_string(), account.to_string(), visitor_id.to_string()],
                            )
                            .await?;
                            c
                        }
                    };
                    new.requester = Requester::Existing(contact);
                    let at = new.ticket.created_at.millis();
                    let (ticket, contact, message) = create_in(tx, engine, new).await?;
                    tx.exec(
                        "INSERT INTO chat_conversations (account_id, ticket_id, visitor_id, created_at) \
                         VALUES ($1, $2, $3, $4)",
                        args![account.to_string(), ticket.id.to_string(), visitor_id.to_string(), at],
                    )
                    .await?;
                    let events = append(tx, account, ticket.id, &first).await?;
                    let waiting = Route::queued(account, ticket.id, ticket.department_id, ticket.created_at);
                    crate::chat_routing::enqueue(tx, &waiting).await?;
                    Ok((ticket, contact, message, events))
                })
            })
            .await?;
        self.announce(vec![crate::news::created(&out.0)]).await;
        Ok(out)
    }

    async fn share_files(
        &self,
        change: parley_store::TicketChange,
        files: Vec<(parley_domain::message::AttachmentInfo, Vec<u8>)>,
    ) -> Result<(), StoreError> {
        let message =
            change.message.clone().ok_or_else(|| StoreError::Other("files shared without a message".into()))?;
        let account = change.ticket.account_id;
        let news = crate::news::saved(&change);
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    crate::tickets::save(tx, &change).await?;
                    for (info, data) in &files {
                        crate::mail::keep_file(tx, account, &message, info, data).await?;
                    }
                    Ok(())
                })
            })
            .await?;
        self.announce(vec![news]).await;
        Ok(())
    }

    async fn chat_visitor(&self, account: AccountId, ticket: TicketId) -> Result<Option<VisitorId>, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT visitor_id FROM chat_conversations WHERE account_id = $1 AND ticket_id = $2",
                args![account.to_string(), ticket.to_string()],
            )
            .await?;
        row.map(|r| id("visitor id", &r.text("visitor_id")?)).transpose()
    }

    async fn chat_events(
        &self,
        account: AccountId,
        ticket: TicketId,
        after: i64,
        limit: u32,
    ) -> Result<Vec<ChatEvent>, StoreError> {
        let sql = format!(
            "SELECT seq, data, at FROM chat_events WHERE account_id = $1 AND ticket_id = $2 AND seq > $3 \
             ORDER BY seq LIMIT {}",
            limit.clamp(1, 1000)
        );
        self.db.query(&sql, args![account.to_string(), ticket.to_string(), after]).await?.iter().map(event).collect()
    }

    async fn chat_event_by_client(
        &self,
        account: AccountId,
        ticket: TicketId,
        client_id: &str,
    ) -> Result<Option<ChatEvent>, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT seq, data, at FROM chat_events WHERE account_id = $1 AND ticket_id = $2 AND client_id = $3",
                args![account.to_string(), ticket.to_string(), client_id],
            )
            .await?;
        row.as_ref().map(event).transpose()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn signals_read_back_as_written() {
        let (a, t, agent) = (AccountId::new(), TicketId::new(), AgentId::new());
        for s in [
            ChatSignal::Chat(a, t),
            ChatSignal::Routing(a),
            ChatSignal::Typing(a, t, Typist::Visitor),
            ChatSignal::Typing(a, t, Typist::Agent { id: agent, name: "Ann: the one".into() }),
            ChatSignal::Lost,
        ] {
            assert_eq!(ChatSignal::parse(&s.payload()), Some(s.clone()), "{}", s.payload());
        }
        assert_eq!(ChatSignal::parse("nonsense"), None);
    }
}
