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

#[path = "store/backlog.rs"]
mod backlog;

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
        last_used_at: None,
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
        profile: Default::default(),
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
        webhook: None,
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
        automated: Default::default(),
    }
}

async fn story(store: SqlStore, sqlite_file: Option<std::path::PathBuf>) {
    assert_eq!(store.migrate().await.unwrap(), (1..=30).collect::<Vec<i64>>());
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
    let cursor = TicketCursor::after(&page1[0], SortKey::CreatedAt).expect("a creation time is in the ticket");
    let page2 = store.list_tickets(a, &q(TicketFilter::default(), Some(cursor))).await.unwrap();
    assert_eq!(page2.iter().map(|t| t.id).collect::<Vec<_>>(), vec![t1.id]);
    // A name order's value is read where the list compares it; as a number, what the ticket holds; another
    // account's ticket has none.
    assert!(TicketCursor::after(&page1[0], SortKey::Assignee).is_none(), "a name is not in the ticket");
    assert_eq!(
        store.sort_value(a, t1.id, SortKey::CreatedAt).await.unwrap(),
        Some(SortValue::Int(t1.created_at.millis()))
    );
    assert!(matches!(store.sort_value(a, t1.id, SortKey::Requester).await.unwrap(), Some(SortValue::Text(_))));
    assert_eq!(store.sort_value(b, t1.id, SortKey::Requester).await.unwrap(), None);
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
    // Counts stop at the cap, and say so; another account's tickets are not in them.
    let all = TicketFilter::default();
    assert_eq!(store.count_tickets(a, &all, 10).await.unwrap(), TicketCount { count: 2, capped: false });
    assert_eq!(store.count_tickets(a, &all, 2).await.unwrap(), TicketCount { count: 2, capped: false });
    assert_eq!(store.count_tickets(a, &all, 1).await.unwrap(), TicketCount { count: 1, capped: true });
    assert_eq!(store.count_tickets(b, &all, 10).await.unwrap(), TicketCount { count: 1, capped: false });

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
        chat: Vec::new(),
    };
    assert!(matches!(store.save_change(stale).await, Err(StoreError::Stale)));
    let ok = TicketChange {
        ticket: changed.clone(),
        expected_version: t2.version,
        message: None,
        events,
        outbox: vec![],
        mail: vec![],
        chat: Vec::new(),
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
        chat: Vec::new(),
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
                chat: Vec::new(),
            },
            TicketChange {
                ticket: dst.clone(),
                expected_version: dv,
                message: None,
                events: vec![TicketEvent::new(a, dst.id, Actor::System, from, Timestamp::now())],
                outbox: vec![],
                mail: vec![],
                chat: Vec::new(),
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
        profile: Default::default(),
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

    audit_story(&store, a, b).await;
    bounce_story(&store, a).await;
    features_story(&store, a, b).await;
    erasure_story(&store, a, b).await;
    routing_story(&store, a, b).await;
    search_story(&store, a).await;
    merging_story(&store, a, sqlite_file.as_deref()).await;
    knowledge_story(&store, a, b).await;
}

/// Knowledge bases on both engines: slugs per account, versions saved and searched at once (stems, published
/// only, one language), feedback counted, images kept as blobs, and a deleted knowledge base leaves nothing.
async fn knowledge_story(store: &SqlStore, a: AccountId, b: AccountId) {
    use parley_domain::knowledge::*;
    use parley_domain::search::Query;
    let now = Timestamp::now();
    let (default_language, languages) = languages(&["en".into(), "hu".into()], None).unwrap();
    let kb = KnowledgeBase {
        id: KnowledgeBaseId::new(),
        slug: KbSlug::parse("customers").unwrap(),
        name: "Customers".into(),
        visibility: Visibility::Public,
        default_language,
        languages,
        look: KbLook::default(),
        companies: vec![],
        created_at: now,
        updated_at: now,
    };
    store.create_knowledge_base(a, &kb).await.unwrap();
    let again = KnowledgeBase { id: KnowledgeBaseId::new(), ..kb.clone() };
    assert!(matches!(store.create_knowledge_base(a, &again).await, Err(StoreError::Conflict(_))));
    store.create_knowledge_base(b, &again).await.unwrap();
    let by_slug = store.knowledge_base(a, &KbKey::Slug(kb.slug.clone())).await.unwrap().unwrap();
    assert_eq!(by_slug, kb);

    let top = Category {
        id: CategoryId::new(),
        kb_id: kb.id,
        parent_id: None,
        position: 0,
        texts: [("en".to_string(), CategoryText::checked("Billing", None).unwrap())].into(),
        created_at: now,
        updated_at: now,
    };
    let inner = Category { id: CategoryId::new(), parent_id: Some(top.id), ..top.clone() };
    store.save_category(a, &top, None).await.unwrap();
    store.save_category(a, &inner, None).await.unwrap();
    assert_eq!(store.categories(a, kb.id).await.unwrap().len(), 2);
    assert!(matches!(store.delete_category(a, top.id).await, Err(StoreError::Conflict(_))));

    let lang = |l: &str| LanguageTag::parse(l).unwrap();
    let version = |l: &str, title: &str, body: &str, status| {
        Translation::checked(lang(l), title, body, status, None, now).unwrap()
    };
    let mut article = Article {
        id: ArticleId::new(),
        kb_id: kb.id,
        category_id: Some(inner.id),
        tags: vec![Tag::parse("invoices").unwrap()],
        position: 0,
        helpful: 0,
        not_helpful: 0,
        created_at: now,
        updated_at: now,
        translations: vec![
            version("en", "Paying invoices", "You can **pay** every invoice by card.", ArticleStatus::Published),
            version("hu", "Számlák fizetése", "Minden számlát kártyával fizethet.", ArticleStatus::Draft),
        ],
    };
    store.save_article(a, &article, None).await.unwrap();
    let find = |q: &str, language: Option<&str>, published_only: bool| {
        let s = ArticleSearch {
            query: Query::parse(q, true).unwrap(),
            language: language.map(lang),
            published_only,
            any_term: false,
            limit: 10,
        };
        async move { store.search_articles(a, kb.id, &s).await.unwrap() }
    };
    assert_eq!(find("pays invoice", None, true).await, vec![(article.id, lang("en"))], "by stems");
    assert!(find("számlát", None, true).await.is_empty(), "a draft is not public");
    assert_eq!(find("számlák", Some("hu"), false).await, vec![(article.id, lang("hu"))]);
    assert!(find("card", Some("hu"), false).await.is_empty());
    let suggest = ArticleSearch {
        query: Query::parse("how do I pay my inv", true).unwrap(),
        language: None,
        published_only: true,
        any_term: true,
        limit: 10,
    };
    assert_eq!(store.search_articles(a, kb.id, &suggest).await.unwrap(), vec![(article.id, lang("en"))], "any term");
    assert!(find("how do I pay my inv", None, true).await.is_empty(), "all terms, otherwise");
    assert_eq!(
        store
            .search_articles(
                b,
                again.id,
                &ArticleSearch {
                    query: Query::parse("invoice", false).unwrap(),
                    language: None,
                    published_only: false,
                    any_term: true,
                    limit: 10,
                }
            )
            .await
            .unwrap(),
        vec![],
        "another account's knowledge base has none of it"
    );

    // A saved change replaces the versions and their documents.
    article.translations.retain(|t| t.language == lang("en"));
    article.translations[0] = version("en", "Refunds", "Money back within 30 days.", ArticleStatus::Published);
    let read_at = article.updated_at;
    article.updated_at = Timestamp::from_millis(read_at.millis() + 1);
    store.save_article(a, &article, Some(read_at)).await.unwrap();
    assert!(
        matches!(store.save_article(a, &article, Some(read_at)).await, Err(StoreError::Stale)),
        "a second save from the same read loses, and says so"
    );
    assert!(find("card", None, false).await.is_empty(), "old words are gone");
    assert_eq!(find("refund", None, true).await.len(), 1);
    assert!(store.add_feedback(a, article.id, Feedback::Helpful).await.unwrap());
    assert!(store.add_feedback(a, article.id, Feedback::NotHelpful).await.unwrap());
    assert!(!store.add_feedback(b, article.id, Feedback::Helpful).await.unwrap(), "not another account's");
    let stored = store.article(a, article.id).await.unwrap().unwrap();
    assert_eq!((stored.helpful, stored.not_helpful, stored.translations.len()), (1, 1, 1));
    let read_at = article.updated_at;
    article.updated_at = Timestamp::from_millis(read_at.millis() + 1);
    store.save_article(a, &article, Some(read_at)).await.unwrap();
    assert_eq!(store.article(a, article.id).await.unwrap().unwrap().helpful, 1, "saving keeps the counts");

    let image = KbImage {
        id: KbImageId::new(),
        kb_id: kb.id,
        blob_hash: "ab".repeat(32),
        content_type: "image/png".into(),
        size: 4,
        created_at: now,
    };
    store.add_kb_image(a, &image, b"\x89PNG").await.unwrap();
    assert_eq!(store.kb_image(a, image.id).await.unwrap().unwrap().1, b"\x89PNG");
    assert!(store.kb_image(b, image.id).await.unwrap().is_none());

    assert!(store.delete_knowledge_base(a, kb.id).await.unwrap());
    let orphan = Article { id: ArticleId::new(), ..article.clone() };
    assert!(matches!(store.save_article(a, &orphan, None).await, Err(StoreError::NotFound)), "not into a deleted one");
    assert!(store.kb_image(a, image.id).await.unwrap().is_none());
    assert!(store.article(a, article.id).await.unwrap().is_none());
    assert!(find("refund", None, false).await.is_empty());
    assert!(store.blob(a, &image.blob_hash).await.unwrap().is_none(), "the image's blob went with it");
    assert!(store.knowledge_base(b, &KbKey::Id(again.id)).await.unwrap().is_some());
}

/// The ticket's mark, as the indexer reads it.
async fn mark_of(store: &SqlStore, t: TicketId) -> Dirty {
    store.dirty_tickets(10_000).await.unwrap().into_iter().find(|d| d.ticket_id == t).unwrap()
}

/// A search for the query, without filters, as an admin sees it.
fn search_for(q: &str, limit: u32) -> TicketSearch {
    TicketSearch {
        query: parley_domain::search::Query::parse(q, false).unwrap(),
        status: vec![],
        assignee: None,
        tag: None,
        created_from: None,
        created_to: None,
        departments: None,
        limit,
    }
}

/// The index is written from a read made before: a ticket changed (or erased) since is not written from it.
async fn search_story(store: &SqlStore, a: AccountId) {
    use parley_domain::search::Document;
    let (t, ..) = store.create_ticket(draft(a, "Indexed", "s@example.com", &[], no_outbox)).await.unwrap();
    let find = |word: &'static str| async move { store.search_tickets(a, &search_for(word, 10)).await.unwrap() };
    let dirty: Vec<Dirty> =
        store.dirty_tickets(10_000).await.unwrap().into_iter().filter(|d| d.ticket_id == t.id).collect();
    assert_eq!(dirty.len(), 1, "a new ticket is marked");
    // The ticket changes after its document was read: the stale document is not written, the mark stays.
    let mut changed = t.clone();
    changed.subject = "Changed".into();
    let change = TicketChange {
        expected_version: t.version,
        ticket: changed,
        message: None,
        events: vec![],
        outbox: vec![],
        mail: vec![],
        chat: vec![],
    };
    store.save_change(change).await.unwrap();
    store.index_tickets(vec![(dirty[0].clone(), Some(Document::of(["stalewordxyz"])))]).await.unwrap();
    assert!(find("stalewordxyz").await.is_empty(), "a stale read is not written");
    let again: Vec<Dirty> =
        store.dirty_tickets(10_000).await.unwrap().into_iter().filter(|d| d.ticket_id == t.id).collect();
    assert_eq!(again.len(), 1, "still marked");
    store.index_tickets(vec![(again[0].clone(), Some(Document::of(["freshwordxyz"])))]).await.unwrap();
    assert_eq!(find("freshwordxyz").await, vec![t.id]);
    assert!(store.dirty_tickets(10_000).await.unwrap().iter().all(|d| d.ticket_id != t.id), "unmarked once written");
}

/// Writing documents never merges SQLite's index: each write leaves a segment, and the housekeeping steps merge
/// them (FTS5 merges a level once it holds 16), leaving every document findable. PostgreSQL has none to do.
async fn merging_story(store: &SqlStore, a: AccountId, sqlite_file: Option<&std::path::Path>) {
    use parley_domain::search::Document;
    // SQLite: the index's pages (every segment has at least one), read on a connection of the test's own.
    let pages = || {
        sqlite_file.map(|p| {
            let c = rusqlite::Connection::open(p).unwrap();
            c.query_row("SELECT count(*) FROM ticket_search_data", [], |r| r.get::<_, i64>(0)).unwrap()
        })
    };
    // A ticket, its document written on its own: one segment.
    let write_alone = |n: usize| async move {
        let (t, ..) =
            store.create_ticket(draft(a, &format!("Merge {n}"), "m@example.com", &[], no_outbox)).await.unwrap();
        let mark = mark_of(store, t.id).await;
        store.index_tickets(vec![(mark, Some(Document::of(["mergewordxyz", &format!("only{n}xyz")])))]).await.unwrap();
        t.id
    };
    let before = pages();
    let mut made = Vec::new();
    for n in 0..80 {
        made.push(write_alone(n).await);
    }
    let written = pages();
    if let (Some(before), Some(written)) = (before, written) {
        assert!(written - before >= 80, "a segment per write, none merged: {before} -> {written}");
    }
    let mut steps = 0;
    while store.tidy_index(Tidy::Pieces, 64).await.unwrap() {
        steps += 1;
        assert!(steps < 1000, "merging ends");
    }
    match store.engine() {
        parley_store_sql::Engine::Sqlite => assert!(steps > 0, "80 segments, none merged by the writes that made them"),
        parley_store_sql::Engine::Postgres => assert_eq!(steps, 0),
    }
    assert!(!store.tidy_index(Tidy::Pieces, 64).await.unwrap(), "nothing left to merge");
    if let (Some(written), Some(merged)) = (written, pages()) {
        assert!(merged < written, "merged into fewer pages: {written} -> {merged}");
    }
    // Two more writes: two small pieces beside the merged one, too few to merge as pieces, merged whole.
    for n in 80..82 {
        made.push(write_alone(n).await);
    }
    assert!(!store.tidy_index(Tidy::Pieces, 64).await.unwrap(), "two small pieces wait for more");
    let mut whole = 0;
    while store.tidy_index(Tidy::Whole, 64).await.unwrap() {
        whole += 1;
        assert!(whole < 1000, "merging ends");
    }
    assert_eq!(whole > 0, store.engine() == parley_store_sql::Engine::Sqlite);
    assert!(!store.tidy_index(Tidy::Whole, 64).await.unwrap(), "one piece is whole");
    made.sort();
    let mut all = store.search_tickets(a, &search_for("mergewordxyz", 100)).await.unwrap();
    all.sort();
    assert_eq!(all, made, "every document survives the merge");
    assert_eq!(store.search_tickets(a, &search_for("only7xyz", 10)).await.unwrap().len(), 1);
}

/// Routing on the database: one ring per agent at a time, a chat moved by another request first is not moved
/// again, places in the queue, and sockets of a process that stopped saying it is alive stop counting.
async fn routing_story(store: &SqlStore, a: AccountId, b: AccountId) {
    use parley_domain::chat::Visitor;
    use parley_domain::chat_routing::RouteState;
    let owner = store.list_agents(a).await.unwrap()[0].id;
    let start = |n: &str| {
        let visitor = Visitor {
            id: VisitorId::new(),
            account_id: a,
            token_hash: format!("hash-{n}"),
            contact_id: None,
            created_at: Timestamp::now(),
            blocked_at: None,
        };
        let mut new = draft(a, n, "v@example.com", &[], no_outbox);
        new.ticket.channel = Channel::Chat;
        (visitor, new)
    };
    let mut chats = Vec::new();
    for n in ["r1", "r2"] {
        let (v, new) = start(n);
        store.create_visitor(&v).await.unwrap();
        let (t, ..) = store.start_chat(&v, None, new, vec![]).await.unwrap();
        chats.push(t.id);
    }
    let mut r1 = store.route(a, chats[0]).await.unwrap().unwrap();
    assert_eq!(r1.state, RouteState::Queued);
    assert!(store.route(b, chats[0]).await.unwrap().is_none(), "another account's chat is not seen");
    assert_eq!(store.queue_position(a, chats[1]).await.unwrap(), Some(2));
    // The queue in order, and read on from a chat in it (only those behind it).
    let ids = |routes: Vec<parley_domain::chat_routing::Route>| routes.iter().map(|r| r.ticket_id).collect::<Vec<_>>();
    assert_eq!(ids(store.waiting_routes(a, None, 10).await.unwrap()), chats);
    assert_eq!(ids(store.waiting_routes(a, None, 1).await.unwrap()), chats[..1]);
    assert_eq!(ids(store.waiting_routes(a, Some((r1.queued_at, r1.ticket_id)), 10).await.unwrap()), chats[1..]);
    let last = store.route(a, chats[1]).await.unwrap().unwrap().queued_at;
    assert!(store.waiting_routes(a, Some((last, chats[1])), 10).await.unwrap().is_empty(), "none behind the last");
    assert!(store.waiting_routes(b, None, 10).await.unwrap().is_empty(), "another account's queue");
    assert_eq!(store.waiting_route(a, chats[1]).await.unwrap().map(|r| r.ticket_id), Some(chats[1]));
    assert!(store.waiting_route(b, chats[1]).await.unwrap().is_none());
    let now = Timestamp::now();
    let since = Timestamp::from_millis(now.millis() - 30_000);
    assert!(store.chat_candidates(a, None, since).await.unwrap().is_empty(), "nobody available");
    store.set_presence(a, owner, parley_domain::chat::Presence::Available, now).await.unwrap();
    assert!(store.chat_candidates(a, None, since).await.unwrap().is_empty(), "available, but Parley is not open");
    store.agent_connected("p1", a, owner, now).await.unwrap();
    store.agent_connected("p1", a, owner, now).await.unwrap();
    let c = store.chat_candidates(a, None, since).await.unwrap();
    assert_eq!((c.len(), c[0].holding, c[0].max_chats), (1, 0, 3));
    assert!(store.chat_candidates(b, None, since).await.unwrap().is_empty());

    r1.ring(owner, Timestamp::from_millis(now.millis() + 30_000));
    assert!(store.update_route(&r1, &[RouteState::Queued], None, now).await.unwrap());
    assert!(!store.update_route(&r1, &[RouteState::Queued], None, now).await.unwrap(), "moved once");
    let mut r2 = store.route(a, chats[1]).await.unwrap().unwrap();
    r2.ring(owner, Timestamp::from_millis(now.millis() + 30_000));
    assert!(!store.update_route(&r2, &[RouteState::Queued], None, now).await.unwrap(), "one ring per agent");
    assert_eq!(store.route(a, chats[1]).await.unwrap().unwrap().state, RouteState::Queued);
    assert!(store.chat_candidates(a, None, since).await.unwrap().is_empty(), "ringing already");
    assert_eq!(store.ringing_for(a, owner).await.unwrap().len(), 1);
    let ticket = store.get_ticket(a, chats[1]).await.unwrap().unwrap();
    let change = || TicketChange {
        expected_version: ticket.version,
        ticket: ticket.clone(),
        message: None,
        events: vec![],
        outbox: vec![],
        mail: vec![],
        chat: vec![],
    };
    let mut taken = r2.clone();
    taken.accept(owner).unwrap();
    // At their limit (none held, limit 0): refused inside the write, whatever the caller checked before.
    store.set_max_chats(a, owner, 0, now).await.unwrap();
    let e = store.save_routed(change(), &taken, &[RouteState::Queued]).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    assert_eq!(store.chats_held(a, owner).await.unwrap(), 0);
    store.set_max_chats(a, owner, 3, now).await.unwrap();
    let e = store.save_routed(change(), &taken, &[RouteState::Ringing]).await.unwrap_err();
    assert!(matches!(e, StoreError::Conflict(_)), "{e:?}");
    store.save_routed(change(), &taken, &[RouteState::Queued]).await.unwrap();
    assert_eq!(store.chats_held(a, owner).await.unwrap(), 1);
    assert_eq!(store.queue_position(a, chats[1]).await.unwrap(), None, "taken");
    assert!(store.waiting_route(a, chats[1]).await.unwrap().is_none(), "taken");
    assert_eq!(store.queue_position(a, chats[0]).await.unwrap(), Some(1));

    // One of two sockets closes: still open. The process stops saying it is alive: no longer.
    store.agent_disconnected("p1", a, owner).await.unwrap();
    assert!(store.agent_online(a, owner, since).await.unwrap());
    let later = Timestamp::from_millis(now.millis() + 60_000);
    assert!(!store.agent_online(a, owner, Timestamp::from_millis(later.millis() - 30_000)).await.unwrap());
    store.connections_alive("p1", later, since).await.unwrap();
    assert!(store.agent_online(a, owner, Timestamp::from_millis(later.millis() - 30_000)).await.unwrap());
    store.agent_disconnected("p1", a, owner).await.unwrap();
    assert!(!store.agent_online(a, owner, since).await.unwrap(), "the last socket closed");
}

/// Erasing a contact: their ticket goes whole; their message in another's ticket becomes "[erased]"; the other
/// requester and their ticket stay; another account is untouched.
/// A bounce may be stored between the relay's 250 and the outbox noting it; the bounce must stand.
async fn bounce_story(store: &SqlStore, a: AccountId) {
    use parley_domain::message::Delivery;
    let mut d = draft(a, "Bounced", "gone@example.com", &[], no_outbox);
    d.message.email =
        Some(parley_domain::message::EmailInfo { message_id: "b1@example.com".into(), ..Default::default() });
    let (t, _, m) = store.create_ticket(d).await.unwrap();
    let mail = |id: &str| OutboundMail {
        id: id.into(),
        account_id: a,
        kind: "reply".into(),
        to: "gone@example.com".into(),
        subject: "Re: Bounced".into(),
        text: "Answer".into(),
        ticket_id: Some(t.id),
        message_id: Some(m.id),
        created_at: Timestamp::now(),
        meta: Default::default(),
    };
    let delivery = |store: &SqlStore| {
        let store = store.clone();
        async move {
            let timeline = store.timeline(a, t.id).await.unwrap();
            timeline.messages.into_iter().find(|x| x.id == m.id).unwrap().email.unwrap().delivery
        }
    };
    store.queue_mail(&mail("bounce-1")).await.unwrap();
    store.finish_mail(a, "bounce-1", &MailOutcome::Sent, Timestamp::now()).await.unwrap();
    assert_eq!(delivery(store).await, Some(Delivery::Sent));
    let failed = Delivery::Failed { reason: "550 5.1.1 user unknown".into() };
    store.set_delivery(a, m.id, &failed).await.unwrap();
    store.queue_mail(&mail("bounce-2")).await.unwrap();
    store.finish_mail(a, "bounce-2", &MailOutcome::Sent, Timestamp::now()).await.unwrap();
    assert_eq!(delivery(store).await, Some(failed), "the relay's late 250 does not hide the bounce");
}

async fn erasure_story(store: &SqlStore, a: AccountId, b: AccountId) {
    let (mine, me, _) =
        store.create_ticket(draft(a, "Erase my ticket", "erase-me@example.com", &[], created_outbox)).await.unwrap();
    let (theirs, them, _) =
        store.create_ticket(draft(a, "Keep this ticket", "keep-me@example.com", &[], no_outbox)).await.unwrap();
    let (_, other_account, _) =
        store.create_ticket(draft(b, "Erase my ticket", "erase-me@example.com", &[], no_outbox)).await.unwrap();
    let words = Message {
        id: MessageId::new(),
        account_id: a,
        ticket_id: theirs.id,
        author: Actor::Contact(me.id),
        internal: false,
        body: "my words in their ticket".into(),
        channel: Channel::Email,
        created_at: Timestamp::now(),
        html: Some("<p>my words</p>".into()),
        quoted: None,
        email: None,
        attachments: vec![],
    };
    let change = TicketChange {
        ticket: theirs.clone(),
        expected_version: theirs.version,
        message: Some(words.clone()),
        events: vec![],
        outbox: vec![],
        mail: vec![],
        chat: Vec::new(),
    };
    // The indexer wrote their ticket before my words came, and reads it again (with them) before the erasure.
    let first = mark_of(store, theirs.id).await;
    store.index_tickets(vec![(first, Some(parley_domain::search::Document::of(["keepwordxyz"])))]).await.unwrap();
    store.save_change(change).await.unwrap();
    let stale = mark_of(store, theirs.id).await;

    assert!(matches!(store.erase_contact(b, me.id).await, Err(StoreError::NotFound)), "not across accounts");
    let report = store.erase_contact(a, me.id).await.unwrap();
    store.purge_deleted().await.unwrap();
    // What it read before the erasure is stale, even though the ticket was marked anew.
    store.index_tickets(vec![(stale, Some(parley_domain::search::Document::of(["mywordsxyz"])))]).await.unwrap();
    assert!(store.search_tickets(a, &search_for("mywordsxyz", 10)).await.unwrap().is_empty(), "erased words stay out");
    assert!(store.dirty_tickets(10_000).await.unwrap().iter().any(|d| d.ticket_id == theirs.id), "still marked");
    assert_eq!((report.tickets_deleted, report.messages_deleted, report.messages_redacted), (1, 1, 1), "{report:?}");
    assert_eq!(store.get_ticket(a, mine.id).await.unwrap(), None);
    assert_eq!(store.get_contact(a, me.id).await.unwrap(), None);
    let kept = store.timeline(a, theirs.id).await.unwrap();
    let redacted = kept.messages.iter().find(|m| m.id == words.id).unwrap();
    assert_eq!((redacted.body.as_str(), redacted.html.as_deref()), ("[erased]", None));
    assert!(kept.messages.iter().any(|m| m.body == "body of Keep this ticket"));
    assert!(store.get_contact(a, them.id).await.unwrap().is_some());
    assert!(
        store.get_contact(b, other_account.id).await.unwrap().is_some(),
        "the same address in another account stays"
    );
}

/// Features switched on and off per account, and consents kept with the register version they were given under.
async fn features_story(store: &SqlStore, a: AccountId, b: AccountId) {
    use parley_domain::subprocessors::{Consent, Feature};
    use std::collections::BTreeSet;
    assert!(store.enabled_features(a).await.unwrap().is_empty());
    let owner = AgentId::new();
    let consent = Consent {
        feature: Feature::Ai,
        register_version: 3,
        providers: vec!["Lumen Language Models SAS".into()],
        agent_id: owner,
        at: Timestamp::from_millis(1_800_000_000_000),
    };
    store.set_feature(a, Feature::Ai, true, Some(owner), Some(&consent), Timestamp::now()).await.unwrap();
    store.set_feature(a, Feature::Voice, true, Some(owner), None, Timestamp::now()).await.unwrap();
    assert_eq!(store.enabled_features(a).await.unwrap(), BTreeSet::from([Feature::Ai, Feature::Voice]));
    store.set_feature(a, Feature::Voice, false, None, None, Timestamp::now()).await.unwrap();
    assert_eq!(store.enabled_features(a).await.unwrap(), BTreeSet::from([Feature::Ai]));
    assert_eq!(store.consents(a).await.unwrap(), vec![consent]);
    assert!(store.enabled_features(b).await.unwrap().is_empty() && store.consents(b).await.unwrap().is_empty());

    // Register notices: recorded once per version, objected to once.
    use parley_domain::subprocessors::{Objection, RegisterNotice};
    let notice = RegisterNotice {
        register_version: 2,
        changes: serde_json::json!({"added": [{"name": "X"}], "removed": [], "changed": []}),
        created_at: Timestamp::from_millis(1_800_000_000_000),
        object_until: Timestamp::from_millis(1_802_592_000_000),
        objection: None,
    };
    assert!(store.add_register_notice(a, &notice).await.unwrap());
    assert!(!store.add_register_notice(a, &notice).await.unwrap(), "once per version");
    let objection = Objection { at: Timestamp::from_millis(1_800_000_100_000), by: owner, reason: "No.".into() };
    store.object_to_notice(a, 2, &objection).await.unwrap();
    assert!(matches!(store.object_to_notice(a, 2, &objection).await, Err(StoreError::Conflict(_))));
    assert!(matches!(store.object_to_notice(b, 2, &objection).await, Err(StoreError::NotFound)));
    let kept = store.register_notices(a).await.unwrap();
    assert_eq!(kept, vec![RegisterNotice { objection: Some(objection), ..notice }]);
    assert!(store.register_notices(b).await.unwrap().is_empty());

    // DPA acceptances: one per version.
    use parley_domain::dpa::DpaAcceptance;
    let accepted = DpaAcceptance {
        version: 1,
        agent_id: owner,
        agent_email: "owner@acme.example".into(),
        accepted_at: Timestamp::from_millis(1_800_000_000_000),
        ip: Some("192.0.2.1".into()),
        text_sha256: "ab".repeat(32),
    };
    store.accept_dpa(a, &accepted).await.unwrap();
    assert!(matches!(store.accept_dpa(a, &accepted).await, Err(StoreError::Conflict(_))));
    assert_eq!(store.dpa_acceptances(a).await.unwrap(), vec![accepted]);
    assert!(store.dpa_acceptances(b).await.unwrap().is_empty());

    // Support grants and staff sessions: a session names its grant, only within the account.
    use parley_domain::support::{GrantScope, SupportGrant};
    let grant = SupportGrant {
        id: SupportGrantId::new(),
        account_id: a,
        scope: GrantScope::ReadOnly,
        department_ids: vec![],
        // Stored and read back as given (the use case checks they are the account's).
        ticket_ids: vec![parley_domain::ids::TicketId::new(), parley_domain::ids::TicketId::new()],
        reason: "Looking into #1".into(),
        created_by: format!("agent:{owner}"),
        created_at: Timestamp::from_millis(1_800_000_000_000),
        expires_at: Timestamp::from_millis(1_800_172_800_000),
        revoked_at: None,
    };
    store.create_grant(&grant).await.unwrap();
    store.open_support_session(a, grant.id, "hash-1", "Sam", Timestamp::now()).await.unwrap();
    assert_eq!(store.support_session(a, "hash-1").await.unwrap(), Some((grant.clone(), "Sam".to_string())));
    assert_eq!(store.support_session(b, "hash-1").await.unwrap(), None, "never across accounts");
    assert!(matches!(store.revoke_grant(b, grant.id, Timestamp::now()).await, Err(StoreError::NotFound)));
    let at = Timestamp::from_millis(1_800_000_500_000);
    store.revoke_grant(a, grant.id, at).await.unwrap();
    store.revoke_grant(a, grant.id, Timestamp::now()).await.unwrap();
    let (revoked, _) = store.support_session(a, "hash-1").await.unwrap().unwrap();
    assert_eq!(revoked.revoked_at, Some(at), "the first revocation stands");
    assert_eq!(store.list_grants(a).await.unwrap().len(), 1);
    assert!(store.list_grants(b).await.unwrap().is_empty());
}

/// The audit log: chained per account, listed and filtered, its head kept; concurrent appends of one account
/// stay one unbroken chain (on PostgreSQL they come on separate connections); Parley's own SQL cannot change an
/// entry.
async fn audit_story(store: &SqlStore, a: AccountId, b: AccountId) {
    use parley_domain::audit::{verify, AuditAction, AuditActor, NewAuditEntry};
    let entry = |account, action, email: &str| NewAuditEntry {
        account_id: account,
        at: Timestamp::now(),
        actor: AuditActor::Anonymous,
        action,
        target: None,
        detail: serde_json::json!({ "email": email }),
        ip: Some("192.0.2.7".into()),
    };
    assert_eq!(store.audit_head(a).await.unwrap(), None);
    let first = store.append_audit(&entry(a, AuditAction::LoginFailed, "x@example.com")).await.unwrap();
    assert_eq!((first.seq, first.prev_hash.as_str()), (1, parley_domain::audit::GENESIS));
    let second = store.append_audit(&entry(a, AuditAction::LoginSucceeded, "")).await.unwrap();
    assert_eq!((second.seq, &second.prev_hash), (2, &first.hash));
    store.append_audit(&entry(b, AuditAction::LoginFailed, "b@example.com")).await.unwrap();
    let appends: Vec<_> = (0..20)
        .map(|i| {
            let store = store.clone();
            let e = entry(a, AuditAction::ApiKeyCreated, &format!("k{i}"));
            tokio::spawn(async move { store.append_audit(&e).await.unwrap() })
        })
        .collect();
    for t in appends {
        t.await.unwrap();
    }
    let all = store.list_audit(a, &AuditFilter { oldest_first: true, limit: 100, ..Default::default() }).await.unwrap();
    assert_eq!(all.iter().map(|e| e.seq).collect::<Vec<_>>(), (1..=22).collect::<Vec<_>>());
    let head = store.audit_head(a).await.unwrap().unwrap();
    assert_eq!(head, (22, all[21].hash.clone()));
    let v = verify(&all, Some((head.0, head.1.as_str())));
    assert_eq!((v.entries, v.broken), (22, None));
    assert_eq!(all[0], first, "read back as written");

    let newest = store.list_audit(a, &AuditFilter { limit: 5, ..Default::default() }).await.unwrap();
    assert_eq!(newest.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![22, 21, 20, 19, 18]);
    let older =
        store.list_audit(a, &AuditFilter { limit: 5, beyond_seq: Some(18), ..Default::default() }).await.unwrap();
    assert_eq!(older[0].seq, 17);
    let logins = AuditFilter { action_prefix: Some("login.".into()), limit: 100, ..Default::default() };
    let found = store.list_audit(a, &logins).await.unwrap();
    assert_eq!(found.iter().map(|e| e.seq).collect::<Vec<_>>(), vec![2, 1]);
    let wildcard = AuditFilter { action_prefix: Some("%".into()), limit: 100, ..Default::default() };
    assert!(store.list_audit(a, &wildcard).await.unwrap().is_empty(), "a prefix is not a pattern");
    let others = store.list_audit(b, &AuditFilter { limit: 100, ..Default::default() }).await.unwrap();
    assert_eq!(others.len(), 1, "one account's log holds nothing of another's");
    assert_eq!(others[0].seq, 1);
}

#[tokio::test]
async fn story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("parley.db");
    let url = DatabaseUrl::sqlite_file(&file);
    story(SqlStore::connect(&url, PoolSize::default()).await.unwrap(), Some(file)).await;
}

#[tokio::test]
async fn story_on_postgres() {
    let db = PgTestDb::create().await;
    let url = DatabaseUrl::parse(db.url()).unwrap();
    let store = SqlStore::connect(&url, PoolSize::default()).await.unwrap();
    story(store.clone(), None).await;
    store.close().await;
}

/// Statistics taken while the search index was empty made SQLite plan FTS5's deletes of merged pages as full scans
/// of the index; the writer drops them when it opens, and keeps every other table's.
#[tokio::test]
async fn search_index_statistics_are_dropped_when_the_writer_opens() {
    use parley_domain::search::Document;
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("parley.db");
    let url = DatabaseUrl::sqlite_file(&file);
    let store = SqlStore::connect(&url, PoolSize::default()).await.unwrap();
    store.migrate().await.unwrap();
    let (a, _) = new_account(&store, "stats").await;
    let (t, ..) = store.create_ticket(draft(a, "Stats", "s@example.com", &[], no_outbox)).await.unwrap();
    let mark = mark_of(&store, t.id).await;
    store.index_tickets(vec![(mark, Some(Document::of(["statsword"])))]).await.unwrap();
    store.close().await;
    let stats = |file: &std::path::Path| -> Vec<String> {
        let c = rusqlite::Connection::open(file).unwrap();
        let mut st = c.prepare("SELECT tbl FROM sqlite_stat1 ORDER BY tbl").unwrap();
        st.query_map([], |r| r.get(0)).unwrap().map(Result::unwrap).collect()
    };
    rusqlite::Connection::open(&file).unwrap().execute_batch("ANALYZE").unwrap();
    let before = stats(&file);
    assert!(before.iter().any(|t| t == "ticket_search_data"), "{before:?}");
    let store = SqlStore::connect(&url, PoolSize::default()).await.unwrap();
    let after = stats(&file);
    assert!(after.iter().all(|t| !t.starts_with("ticket_search_")), "{after:?}");
    assert!(after.iter().any(|t| t == "tickets"), "other tables keep theirs: {after:?}");
    let found = store.search_tickets(a, &search_for("statsword", 10)).await.unwrap();
    assert_eq!(found, vec![t.id]);
    store.close().await;
}

/// Canned responses and macros on both engines: personal ones seen only by their owner, a shortcut unique among
/// what one agent sees, filters, updates and deletes scoped to the account, macro actions read back as written.
async fn canned_story(store: &SqlStore) {
    use parley_domain::canned::{CannedResponse, Macro, MacroReply, Shortcut};
    use parley_domain::knowledge::LanguageTag;
    use parley_domain::ticket_action::{SetField, TicketAction};
    let (a, _) = new_account(store, "canned-a").await;
    let (b, _) = new_account(store, "canned-b").await;
    let (ann, bob) = (AgentId::new(), AgentId::new());
    let now = Timestamp::now();
    let canned = |title: &str, owner: Option<AgentId>, shortcut: Option<&str>, folder: Option<&str>| CannedResponse {
        id: CannedResponseId::new(),
        account_id: a,
        title: title.into(),
        body: "Hi {{requester.first_name}}".into(),
        shared: owner.is_none(),
        owner_id: owner,
        shortcut: shortcut.map(|s| Shortcut::parse(s).unwrap()),
        folder: folder.map(Into::into),
        language: Some(LanguageTag::parse("en").unwrap()),
        created_at: now,
        updated_at: now,
    };
    let shared = canned("Refund", None, Some("refund"), Some("Billing"));
    store.insert_canned(&shared).await.unwrap();
    let anns = canned("Ann's thanks", Some(ann), Some("thanks"), None);
    store.insert_canned(&anns).await.unwrap();
    // Bob may use Ann's personal shortcut; nobody may repeat a shared one, and a shared one may not take a
    // shortcut some agent already uses.
    store.insert_canned(&canned("Bob's thanks", Some(bob), Some("thanks"), None)).await.unwrap();
    let taken = store.insert_canned(&canned("Again", Some(ann), Some("#refund"), None)).await;
    assert!(matches!(taken, Err(StoreError::Conflict(ref m)) if m.contains("#refund")), "{taken:?}");
    let taken = store.insert_canned(&canned("Shared thanks", None, Some("thanks"), None)).await;
    assert!(matches!(taken, Err(StoreError::Conflict(_))), "{taken:?}");
    assert!(matches!(
        store.insert_canned(&canned("Twice", Some(ann), Some("thanks"), None)).await,
        Err(StoreError::Conflict(_))
    ));

    let titles = |v: Vec<CannedResponse>| v.into_iter().map(|c| c.title).collect::<Vec<_>>();
    let for_ann = CannedFilter { viewer: Some(ann), ..Default::default() };
    assert_eq!(titles(store.list_canned(a, &for_ann).await.unwrap()), ["Ann's thanks", "Refund"]);
    assert_eq!(titles(store.list_canned(a, &CannedFilter::default()).await.unwrap()), ["Refund"], "keys: shared only");
    let billing = CannedFilter { viewer: Some(ann), folder: Some("Billing".into()), ..Default::default() };
    assert_eq!(titles(store.list_canned(a, &billing).await.unwrap()), ["Refund"]);
    let german = CannedFilter { viewer: Some(ann), language: Some(LanguageTag::parse("de").unwrap()), folder: None };
    assert!(store.list_canned(a, &german).await.unwrap().is_empty());
    assert!(store.list_canned(b, &for_ann).await.unwrap().is_empty(), "nothing of another account");
    assert_eq!(store.get_canned(a, shared.id).await.unwrap().unwrap(), shared);
    assert!(store.get_canned(b, shared.id).await.unwrap().is_none());

    // Updates keep the shortcut rule and the account.
    let mut changed = anns.clone();
    changed.title = "Ann's warm thanks".into();
    changed.updated_at = Timestamp::from_millis(now.millis() + 1);
    store.update_canned(&changed).await.unwrap();
    assert_eq!(store.get_canned(a, anns.id).await.unwrap().unwrap(), changed);
    changed.shortcut = Some(Shortcut::parse("refund").unwrap());
    assert!(matches!(store.update_canned(&changed).await, Err(StoreError::Conflict(_))));
    let mut foreign = changed.clone();
    foreign.account_id = b;
    foreign.shortcut = None;
    assert!(matches!(store.update_canned(&foreign).await, Err(StoreError::NotFound)));
    assert!(matches!(store.delete_canned(b, anns.id).await, Err(StoreError::NotFound)));
    store.delete_canned(a, anns.id).await.unwrap();
    assert!(store.get_canned(a, anns.id).await.unwrap().is_none());

    let m = Macro {
        id: MacroId::new(),
        account_id: a,
        title: "Close as refunded".into(),
        actions: vec![
            TicketAction::Set(SetField::Status(Status::Resolved)),
            TicketAction::Set(SetField::Custom { key: "plan".into(), value: serde_json::json!("gold") }),
            TicketAction::AddTags(vec![Tag::parse("refund").unwrap()]),
        ],
        reply: Some(MacroReply { body: "Done, {{requester.name}}.".into(), internal: false }),
        shared: true,
        owner_id: None,
        created_at: now,
        updated_at: now,
    };
    store.insert_macro(&m).await.unwrap();
    let personal = Macro {
        id: MacroId::new(),
        title: "Mine".into(),
        reply: None,
        shared: false,
        owner_id: Some(bob),
        ..m.clone()
    };
    store.insert_macro(&personal).await.unwrap();
    assert_eq!(store.get_macro(a, m.id).await.unwrap().unwrap(), m);
    assert!(store.get_macro(b, m.id).await.unwrap().is_none());
    let names = |v: Vec<Macro>| v.into_iter().map(|m| m.title).collect::<Vec<_>>();
    assert_eq!(names(store.list_macros(a, Some(bob)).await.unwrap()), ["Close as refunded", "Mine"]);
    assert_eq!(names(store.list_macros(a, Some(ann)).await.unwrap()), ["Close as refunded"]);
    assert_eq!(names(store.list_macros(a, None).await.unwrap()), ["Close as refunded"]);
    let mut renamed = personal.clone();
    renamed.title = "Mine, renamed".into();
    renamed.reply = Some(MacroReply { body: "note".into(), internal: true });
    store.update_macro(&renamed).await.unwrap();
    assert_eq!(store.get_macro(a, personal.id).await.unwrap().unwrap(), renamed);
    assert!(matches!(store.delete_macro(b, m.id).await, Err(StoreError::NotFound)));
    store.delete_macro(a, m.id).await.unwrap();
    assert!(store.get_macro(a, m.id).await.unwrap().is_none());

    // Writers racing for one shortcut, shared and personal: exactly one of each pair gets it.
    for i in 0..5 {
        let s = format!("race{i}");
        let (shared_one, personal_one) = (
            canned("Race shared", None, Some(&s), Some("Race")),
            canned("Race personal", Some(ann), Some(&s), Some("Race")),
        );
        let (x, y) = tokio::join!(store.insert_canned(&shared_one), store.insert_canned(&personal_one));
        assert!(x.is_ok() != y.is_ok(), "{s}: {x:?} {y:?}");
    }
    let raced = CannedFilter { viewer: Some(ann), folder: Some("Race".into()), ..Default::default() };
    assert_eq!(store.list_canned(a, &raced).await.unwrap().len(), 5);
}

#[tokio::test]
async fn canned_responses_and_macros_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_file(&dir.path().join("parley.db"));
    let store = SqlStore::connect(&url, PoolSize::default()).await.unwrap();
    store.migrate().await.unwrap();
    canned_story(&store).await;
    store.close().await;
}

#[tokio::test]
async fn canned_responses_and_macros_on_postgres() {
    let db = PgTestDb::create().await;
    let store = SqlStore::connect(&DatabaseUrl::parse(db.url()).unwrap(), PoolSize::default()).await.unwrap();
    store.migrate().await.unwrap();
    canned_story(&store).await;
    store.close().await;
}

/// Ticket news and viewers: every write tells the sink once committed; views count only while their process is
/// alive, one account's views are not another's, and a closed socket leaves what it viewed.
async fn collision_story(store: SqlStore) {
    use parley_domain::collision::ComposeMode;
    use std::sync::{Arc, Mutex};
    store.migrate().await.unwrap();
    let heard: Arc<Mutex<Vec<TicketNews>>> = Arc::default();
    let sink = heard.clone();
    let store = store.with_news(Arc::new(move |n| sink.lock().unwrap().push(n)));
    let (a, _) = new_account(&store, "acme").await;
    let (b, _) = new_account(&store, "other").await;
    let owner = store.list_agents(a).await.unwrap()[0].id;
    let (t, ..) = store.create_ticket(draft(a, "Viewed", "v@example.com", &[], no_outbox)).await.unwrap();
    let mut changed = t.clone();
    changed.status = Status::Spam;
    let change = |ticket: Ticket, version| TicketChange {
        ticket,
        expected_version: version,
        message: None,
        events: vec![],
        outbox: vec![],
        mail: vec![],
        chat: vec![],
    };
    assert!(store.save_change(change(changed.clone(), 99)).await.is_err(), "a stale save");
    store.save_change(change(changed, t.version)).await.unwrap();
    let kinds: Vec<(TicketId, TicketNewsKind, Option<i64>)> =
        heard.lock().unwrap().iter().map(|n| (n.ticket_id, n.kind, n.ticket.as_ref().map(|t| t.version))).collect();
    assert_eq!(
        kinds,
        vec![(t.id, TicketNewsKind::Created, Some(t.version)), (t.id, TicketNewsKind::Removed, Some(t.version + 1))],
        "news once committed, none of the stale save; spam leaves lists"
    );

    let now = Timestamp::now();
    let live = Timestamp::from_millis(now.millis() - 30_000);
    store.agent_connected("p1", a, owner, now).await.unwrap();
    store.set_viewing(a, t.id, "s1", owner, "p1", now).await.unwrap();
    store.set_viewing(a, t.id, "s1", owner, "p1", Timestamp::from_millis(now.millis() + 5)).await.unwrap();
    // A socket of a process that never said it is alive (it died) does not count.
    store.set_viewing(a, t.id, "s2", owner, "p2", now).await.unwrap();
    let v = store.viewers(a, t.id, live).await.unwrap();
    assert_eq!(v.len(), 1, "{v:?}");
    assert_eq!((v[0].agent_id, v[0].name.as_str(), v[0].since, v[0].composing), (owner, "Owner", now, None));
    assert!(store.set_composing(a, t.id, "s1", ComposeMode::Note, now).await.unwrap());
    assert!(!store.set_composing(a, t.id, "s9", ComposeMode::Note, now).await.unwrap(), "not viewing");
    assert!(!store.set_composing(b, t.id, "s1", ComposeMode::Note, now).await.unwrap(), "another account");
    assert_eq!(store.viewers(a, t.id, live).await.unwrap()[0].composing, Some((ComposeMode::Note, now)));
    assert!(store.viewers(b, t.id, live).await.unwrap().is_empty());
    // Its process stops saying it is alive: its views stop counting.
    let later = Timestamp::from_millis(now.millis() + 60_000);
    assert!(store.viewers(a, t.id, Timestamp::from_millis(later.millis() - 30_000)).await.unwrap().is_empty());
    assert_eq!(store.forget_dead_viewers().await.unwrap(), 1, "p2's view goes, p1's stays");
    assert!(!store.stop_viewing(a, t.id, "s2").await.unwrap());
    assert!(!store.stop_viewing(b, t.id, "s1").await.unwrap(), "another account cannot end it");
    assert_eq!(store.socket_closed(a, "s1").await.unwrap(), vec![t.id]);
    assert!(store.viewers(a, t.id, live).await.unwrap().is_empty());
}

#[tokio::test]
async fn collision_story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_file(&dir.path().join("parley.db"));
    collision_story(SqlStore::connect(&url, PoolSize::default()).await.unwrap()).await;
}

#[tokio::test]
async fn collision_story_on_postgres() {
    let db = PgTestDb::create().await;
    let url = DatabaseUrl::parse(db.url()).unwrap();
    let store = SqlStore::connect(&url, PoolSize::default()).await.unwrap();
    collision_story(store.clone()).await;
    store.close().await;
}

/// Companies: a change keeps what it does not name, a mail domain belongs to one company of an account (another
/// account may have it too), nothing of a refused change is kept, and another account's company is not changed.
async fn company_story(store: SqlStore) {
    use parley_domain::contact::Company;
    store.migrate().await.unwrap();
    let (a, _) = new_account(&store, "acme").await;
    let (b, _) = new_account(&store, "other").await;
    let company = |account, name: &str, domains: &[&str]| Company {
        id: CompanyId::new(),
        account_id: account,
        name: name.into(),
        domains: domains.iter().map(|d| d.to_string()).collect(),
        created_at: Timestamp::now(),
    };
    let globex = company(a, "Globex", &["globex.example"]);
    store.insert_company(&globex).await.unwrap();
    let initech = company(a, "Initech", &[]);
    store.insert_company(&initech).await.unwrap();
    store.insert_company(&company(b, "Globex elsewhere", &["globex.example"])).await.unwrap();
    let clash = store.insert_company(&company(a, "Globex again", &["globex.example"])).await;
    assert!(matches!(clash, Err(StoreError::Conflict(_))), "{clash:?}");

    let rename = CompanyUpdate { name: Some("Initrode".into()), domains: None };
    let renamed = store.update_company(a, initech.id, &rename).await.unwrap();
    assert_eq!((renamed.name.as_str(), renamed.domains.len(), renamed.created_at), ("Initrode", 0, initech.created_at));
    let grab = CompanyUpdate {
        name: Some("Initrode Global".into()),
        domains: Some(vec!["initrode.example".into(), "globex.example".into()]),
    };
    match store.update_company(a, initech.id, &grab).await {
        Err(StoreError::Conflict(m)) => assert!(m.contains("globex.example") && m.contains("Globex"), "{m}"),
        other => panic!("a domain of another company: {other:?}"),
    }
    assert_eq!(
        store.get_company(a, initech.id).await.unwrap().unwrap(),
        renamed,
        "nothing of a refused change is kept"
    );
    // Its own domain again, with another: no clash with itself.
    let more = CompanyUpdate { name: None, domains: Some(vec!["globex.test".into(), "globex.example".into()]) };
    let kept = store.update_company(a, globex.id, &more).await.unwrap();
    assert_eq!(kept.name, "Globex");
    assert_eq!(store.get_company(a, globex.id).await.unwrap().unwrap(), kept);

    let steal = CompanyUpdate { name: Some("Stolen".into()), domains: None };
    assert!(matches!(store.update_company(b, globex.id, &steal).await, Err(StoreError::NotFound)));
    assert_eq!(store.get_company(a, globex.id).await.unwrap().unwrap().name, "Globex");
}

#[tokio::test]
async fn company_story_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let url = DatabaseUrl::sqlite_file(&dir.path().join("parley.db"));
    let store = SqlStore::connect(&url, PoolSize::default()).await.unwrap();
    company_story(store.clone()).await;
    store.close().await;
}

#[tokio::test]
async fn company_story_on_postgres() {
    let db = PgTestDb::create().await;
    let url = DatabaseUrl::parse(db.url()).unwrap();
    let store = SqlStore::connect(&url, PoolSize::default()).await.unwrap();
    company_story(store.clone()).await;
    store.close().await;
}
