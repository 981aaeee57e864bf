//! One story of the stores, told on SQLite and on PostgreSQL, each on a fresh database.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use parley_domain::account::{Account, AccountSlug};
use parley_domain::agent::{Agent, Department, Role};
use parley_domain::auth::{secret_hash, ApiKey, Session};
use parley_domain::contact::Contact;
use parley_domain::email::EmailAddress;
use parley_domain::event::{Actor, EventKind};
use parley_domain::ids::*;
use parley_domain::message::{Message, TicketEvent};
use parley_domain::ticket::*;
use parley_domain::webhook::{EventType, Webhook, WebhookSecret};
use parley_domain::Timestamp;
use parley_store::*;
use parley_store_sql::{DatabaseUrl, PoolSize, SqlStore};
use parley_test_support::PgTestDb;
use std::collections::BTreeMap;

fn email(s: &str) -> EmailAddress {
    EmailAddress::parse(s).unwrap()
}

async fn new_account(store: &SqlStore, slug: &str) -> (AccountId, ApiKey) {
    let id = AccountId::new();
    let now = Timestamp::now();
    let key = ApiKey {
        id: ApiKeyId::new(),
        account_id: id,
        name: "k".into(),
        prefix: "parley_x".into(),
        hash: secret_hash(&format!("secret-{slug}")),
        created_by: None,
        created_at: now,
        revoked_at: None,
    };
    let owner = Agent {
        id: AgentId::new(),
        account_id: id,
        email: email(&format!("owner@{slug}.test")),
        name: "Owner".into(),
        role: Role::Owner,
        department_ids: vec![],
        active: true,
        created_at: now,
    };
    let new = NewAccount {
        account: Account { id, slug: AccountSlug::parse(slug).unwrap(), name: slug.into(), created_at: now },
        owner,
        owner_password_hash: "hash".into(),
        api_key: key.clone(),
        mail_secret: "ab".repeat(32),
    };
    store.create_account(&new).await.unwrap();
    (id, key)
}

fn no_outbox(_: &Ticket, _: &Contact, _: &Message) -> Vec<OutboxEvent> {
    Vec::new()
}

fn created_outbox(t: &Ticket, _: &Contact, _: &Message) -> Vec<OutboxEvent> {
    vec![OutboxEvent {
        id: format!("msg_{}", t.id.to_string().replace('-', "")),
        account_id: t.account_id,
        event_type: EventType::TicketCreated,
        payload: format!("{{\"number\":{}}}", t.number.0),
        created_at: Timestamp::now(),
    }]
}

fn draft(
    account: AccountId,
    subject: &str,
    requester: &str,
    tags: &[&str],
    outbox: fn(&Ticket, &Contact, &Message) -> Vec<OutboxEvent>,
) -> NewTicket {
    let now = Timestamp::now();
    let id = TicketId::new();
    let contact = ContactId::new();
    NewTicket {
        ticket: Ticket {
            id,
            account_id: account,
            number: TicketNumber(0),
            subject: subject.into(),
            status: Status::New,
            priority: Priority::Normal,
            channel: Channel::Api,
            requester_id: contact,
            assignee_id: None,
            department_id: None,
            tags: tags.iter().map(|t| Tag::parse(t).unwrap()).collect(),
            custom_fields: BTreeMap::new(),
            merged_into: None,
            created_at: now,
            updated_at: now,
            first_response_at: None,
            version: 1,
        },
        requester: Requester::ByEmail { email: email(requester), name: Some("Req".into()), new_id: contact, at: now },
        message: Message {
            id: MessageId::new(),
            account_id: account,
            ticket_id: id,
            author: Actor::Contact(contact),
            internal: false,
            body: format!("body of {subject}"),
            channel: Channel::Api,
            created_at: now,
            html: None,
            quoted: None,
            email: None,
            attachments: vec![],
        },
        events: vec![TicketEvent::new(account, id, Actor::System, EventKind::Created, now)],
        outbox,
    }
}

async fn story(store: SqlStore) {
    assert_eq!(store.migrate().await.unwrap(), vec![1, 2, 3]);
    assert!(store.migrate().await.unwrap().is_empty(), "a second migration applies nothing");

    let (a, key_a) = new_account(&store, "alpha").await;
    let (b, _) = new_account(&store, "beta").await;

    // API keys are found only in their own account.
    assert!(store.find_api_key(a, &key_a.hash).await.unwrap().is_some());
    assert!(store.find_api_key(b, &key_a.hash).await.unwrap().is_none());
    store.revoke_api_key(a, key_a.id, Timestamp::now()).await.unwrap();
    assert!(store.find_api_key(a, &key_a.hash).await.unwrap().is_none(), "revoked keys stop working");
    assert!(matches!(store.revoke_api_key(b, key_a.id, Timestamp::now()).await, Err(StoreError::NotFound)));

    // Numbers count per account; one address is one contact.
    let (t1, c1, m1) = store.create_ticket(draft(a, "First", "Jane@Example.com", &["vip"], no_outbox)).await.unwrap();
    let (t2, c2, _) = store.create_ticket(draft(a, "Second", "jane@example.com", &[], no_outbox)).await.unwrap();
    let (tb, _, _) = store.create_ticket(draft(b, "Other", "jane@example.com", &[], no_outbox)).await.unwrap();
    assert_eq!((t1.number, t2.number, tb.number), (TicketNumber(1), TicketNumber(2), TicketNumber(1)));
    assert_eq!(c1.id, c2.id);
    assert_eq!(m1.author, Actor::Contact(c1.id), "the first message is the requester's");
    assert_eq!(t1.requester_id, c1.id);

    // Nothing crosses accounts.
    assert!(store.get_ticket(b, t1.id).await.unwrap().is_none());
    assert!(store.get_contact(b, c1.id).await.unwrap().is_none());
    assert!(store.timeline(b, t1.id).await.unwrap().messages.is_empty());
    assert_eq!(store.get_ticket(a, t1.id).await.unwrap().unwrap(), t1);

    // Lists: filters and keyset pages.
    let q = |filter: TicketFilter, after: Option<TicketCursor>| TicketQuery {
        filter,
        sort: SortKey::CreatedAt,
        descending: true,
        after,
        limit: 1,
    };
    let page1 = store.list_tickets(a, &q(TicketFilter::default(), None)).await.unwrap();
    assert_eq!(page1.iter().map(|t| t.id).collect::<Vec<_>>(), vec![t2.id]);
    let cursor = TicketCursor { value: page1[0].created_at.millis(), id: page1[0].id };
    let page2 = store.list_tickets(a, &q(TicketFilter::default(), Some(cursor))).await.unwrap();
    assert_eq!(page2.iter().map(|t| t.id).collect::<Vec<_>>(), vec![t1.id]);
    let tagged = store
        .list_tickets(a, &q(TicketFilter { tag: Some(Tag::parse("vip").unwrap()), ..Default::default() }, None))
        .await
        .unwrap();
    assert_eq!(tagged.len(), 1);
    assert_eq!(tagged[0].id, t1.id);
    let pending = store
        .list_tickets(a, &q(TicketFilter { status: vec![Status::Pending], ..Default::default() }, None))
        .await
        .unwrap();
    assert!(pending.is_empty());

    // Changes are guarded by version and indexed.
    let mut changed = t2.clone();
    let kinds = changed
        .apply(
            TicketPatch {
                status: Some(Status::Pending),
                add_tags: vec![Tag::parse("billing").unwrap()],
                ..Default::default()
            },
            Timestamp::now(),
        )
        .unwrap();
    let events: Vec<_> =
        kinds.into_iter().map(|k| TicketEvent::new(a, t2.id, Actor::System, k, Timestamp::now())).collect();
    let stale = TicketChange {
        ticket: changed.clone(),
        expected_version: 99,
        message: None,
        events: events.clone(),
        outbox: vec![],
        mail: vec![],
    };
    assert!(matches!(store.save_change(stale).await, Err(StoreError::Stale)));
    let ok = TicketChange {
        ticket: changed.clone(),
        expected_version: t2.version,
        message: None,
        events,
        outbox: vec![],
        mail: vec![],
    };
    store.save_change(ok).await.unwrap();
    let stored = store.get_ticket(a, t2.id).await.unwrap().unwrap();
    assert_eq!(stored.status, Status::Pending);
    assert_eq!(stored.version, t2.version + 1);
    let billing = store
        .list_tickets(a, &q(TicketFilter { tag: Some(Tag::parse("billing").unwrap()), ..Default::default() }, None))
        .await
        .unwrap();
    assert_eq!(billing.len(), 1);
    let foreign = TicketChange {
        ticket: Ticket { account_id: b, ..stored.clone() },
        expected_version: stored.version,
        message: None,
        events: vec![],
        outbox: vec![],
        mail: vec![],
    };
    assert!(
        matches!(store.save_change(foreign).await, Err(StoreError::Stale)),
        "a change under another account touches nothing"
    );

    // Merging moves the messages and closes the source.
    let (mut src, mut dst) = (store.get_ticket(a, t1.id).await.unwrap().unwrap(), stored.clone());
    let (sv, dv) = (src.version, dst.version);
    let (into, from) = src.merge_into(&mut dst, Timestamp::now()).unwrap();
    store
        .save_merge(
            TicketChange {
                ticket: src.clone(),
                expected_version: sv,
                message: None,
                events: vec![TicketEvent::new(a, src.id, Actor::System, into, Timestamp::now())],
                outbox: vec![],
                mail: vec![],
            },
            TicketChange {
                ticket: dst.clone(),
                expected_version: dv,
                message: None,
                events: vec![TicketEvent::new(a, dst.id, Actor::System, from, Timestamp::now())],
                outbox: vec![],
                mail: vec![],
            },
        )
        .await
        .unwrap();
    assert_eq!(store.timeline(a, t2.id).await.unwrap().messages.len(), 2);
    assert!(store.timeline(a, t1.id).await.unwrap().messages.is_empty());
    let src = store.get_ticket(a, t1.id).await.unwrap().unwrap();
    assert_eq!((src.status, src.merged_into), (Status::Closed, Some(t2.id)));

    // Contacts: one address per account.
    let dup = Contact {
        id: ContactId::new(),
        account_id: a,
        email: Some(email("jane@example.com")),
        name: None,
        phones: vec![],
        company_id: None,
        created_at: Timestamp::now(),
        updated_at: Timestamp::now(),
    };
    assert!(matches!(store.insert_contact(&dup).await, Err(StoreError::Conflict(_))));
    assert!(matches!(
        store.update_contact(b, c1.id, &ContactUpdate::default(), Timestamp::now()).await,
        Err(StoreError::NotFound)
    ));
    let found = store
        .list_contacts(a, &ContactFilter { email: Some(email("jane@example.com")), limit: 10, ..Default::default() })
        .await
        .unwrap();
    assert_eq!(found.len(), 1);

    // Agents and departments; a foreign department cannot be joined.
    let dept =
        Department { id: DepartmentId::new(), account_id: a, name: "Billing".into(), created_at: Timestamp::now() };
    store.insert_department(&dept).await.unwrap();
    let agent = Agent {
        id: AgentId::new(),
        account_id: a,
        email: email("agent@alpha.test"),
        name: "Ann".into(),
        role: Role::Agent,
        department_ids: vec![dept.id],
        active: true,
        created_at: Timestamp::now(),
    };
    store.insert_agent(&agent, Some("h")).await.unwrap();
    let (got, hash) = store.agent_credentials(a, &agent.email).await.unwrap().unwrap();
    assert_eq!((got.department_ids.clone(), hash.as_deref()), (vec![dept.id], Some("h")));
    assert!(store.agent_credentials(b, &agent.email).await.unwrap().is_none());
    let bad = Agent {
        id: AgentId::new(),
        account_id: b,
        email: email("x@beta.test"),
        department_ids: vec![dept.id],
        ..agent.clone()
    };
    assert!(matches!(store.insert_agent(&bad, None).await, Err(StoreError::NotFound)));
    assert!(store.agent_credentials(b, &bad.email).await.unwrap().is_none(), "a failed unit leaves nothing behind");

    // Sessions expire.
    let now = Timestamp::now();
    let s = Session {
        token_hash: "th".into(),
        account_id: a,
        agent_id: agent.id,
        csrf_token: "c".into(),
        created_at: now,
        expires_at: now.plus_seconds(60),
    };
    store.create_session(&s).await.unwrap();
    assert!(store.get_session(a, "th", now).await.unwrap().is_some());
    assert!(store.get_session(a, "th", now.plus_seconds(61)).await.unwrap().is_none());
    assert!(store.get_session(b, "th", now).await.unwrap().is_none());

    // Webhooks: the outbox queues deliveries for subscribed hooks only, leases them, retries and finishes.
    let hook = Webhook {
        id: WebhookId::new(),
        account_id: a,
        url: "http://127.0.0.1:9/hook".into(),
        events: vec![EventType::TicketCreated],
        description: None,
        active: true,
        created_at: Timestamp::now(),
    };
    store.insert_webhook(&hook, &WebhookSecret::from_bytes(vec![1; 24])).await.unwrap();
    store.create_ticket(draft(b, "Unwatched", "x@y.test", &[], created_outbox)).await.unwrap();
    let now = Timestamp::now();
    assert!(
        store.claim_deliveries(now, now.plus_seconds(60), 10).await.unwrap().is_empty(),
        "account b has no webhook"
    );
    let (t3, _, _) = store.create_ticket(draft(a, "Watched", "x@y.test", &[], created_outbox)).await.unwrap();
    let now = Timestamp::now();
    let claimed = store.claim_deliveries(now, now.plus_seconds(60), 10).await.unwrap();
    assert_eq!(claimed.len(), 1);
    assert_eq!(claimed[0].payload, format!("{{\"number\":{}}}", t3.number.0));
    assert!(store.claim_deliveries(now, now.plus_seconds(60), 10).await.unwrap().is_empty(), "leased");
    let d = &claimed[0];
    store
        .finish_delivery(
            &d.event_id,
            d.webhook_id,
            &DeliveryOutcome::Failed { error: "down".into(), retry_at: Some(now) },
            now,
        )
        .await
        .unwrap();
    let again = store.claim_deliveries(now.plus_seconds(1), now.plus_seconds(61), 10).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 1);
    store.finish_delivery(&d.event_id, d.webhook_id, &DeliveryOutcome::Delivered { status: 200 }, now).await.unwrap();
    assert_eq!(store.next_due(Timestamp::now()).await.unwrap(), None);
    let statuses = store.list_deliveries(a, hook.id, 10).await.unwrap();
    assert_eq!((statuses.len(), statuses[0].attempts, statuses[0].last_status), (1, 2, Some(200)));
    assert!(store.list_deliveries(b, hook.id, 10).await.unwrap().is_empty());

    // Automatic-mail settings: defaults until set, replaced whole, one account's never another's.
    use parley_domain::mail_template::{MailSettings, MailTemplate};
    use parley_store::InboundStore;
    assert_eq!(store.mail_identity(a).await.unwrap().settings, MailSettings::default());
    let mut custom = MailSettings { acknowledge: false, ..Default::default() };
    custom.acknowledgement.insert("fr".into(), MailTemplate { subject: "Reçu".into(), body: "Bonjour".into() });
    store.set_mail_settings(a, &custom, Timestamp::now()).await.unwrap();
    assert_eq!(store.mail_identity(a).await.unwrap().settings, custom);
    custom.acknowledge = true;
    store.set_mail_settings(a, &custom, Timestamp::now()).await.unwrap();
    assert!(store.mail_identity(a).await.unwrap().settings.acknowledge);
    assert_eq!(store.mail_identity(b).await.unwrap().settings, MailSettings::default());
}

#[tokio::test]
async fn story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_file(&dir.path().join("parley.db"));
    story(SqlStore::connect(&url, PoolSize::default()).await.unwrap()).await;
}

#[tokio::test]
async fn story_on_postgres() {
    let db = PgTestDb::create().await;
    let url = DatabaseUrl::parse(db.url()).unwrap();
    let store = SqlStore::connect(&url, PoolSize::default()).await.unwrap();
    story(store.clone()).await;
    store.close().await;
}
