//! Moving an account between two region databases (of either engine): every row of the account copied in the
//! order the tables refer to one another, the copy compared with the source table by table, and the source wiped.
//!
//! The move itself (directory states, agreement, audit) is the application's; this is only the rows.

use crate::db::{Db, Value};
use crate::rows::placeholders;
use crate::url::Engine;
use crate::SqlStore;
use parley_domain::ids::AccountId;
use parley_store::StoreError;
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::collections::{BTreeMap, BTreeSet, HashMap};

/// Every table of a region that holds an account's data, parents before the tables that refer to them. A move
/// refuses to run while either database has a table not named here, so a table added later cannot be left behind.
const TABLES: &[&str] = &[
    "accounts",
    "departments",
    "agents",
    "agent_departments",
    "sessions",
    "password_resets",
    "api_keys",
    "companies",
    "contacts",
    "ticket_fields",
    "tickets",
    "ticket_tags",
    "messages",
    "ticket_events",
    "webhooks",
    "webhook_subscriptions",
    "outbox_events",
    "webhook_deliveries",
    "mail_outbox",
    "inbound_mail",
    "mail_ids",
    "blobs",
    "attachments",
    "ticket_participants",
    "mailboxes",
    "mail_settings",
    "audit_log",
    "audit_heads",
    "account_features",
    "subprocessor_consents",
    "register_notices",
    "dpa_acceptances",
    "support_grants",
    "support_sessions",
    "incidents",
    "retention_policies",
    "chat_visitors",
    "chat_conversations",
    "chat_events",
    "chat_settings",
    "agent_presence",
    "chat_routes",
    "agent_connections",
    "ticket_viewers",
    "ticket_followers",
    "knowledge_bases",
    "kb_categories",
    "kb_articles",
    "kb_translations",
    "kb_images",
    "customer_tokens",
    "canned_responses",
    "views",
    "macros",
    "business_hours",
    "department_business_hours",
    "sla_policies",
    "triggers",
    "trigger_queue",
    "assignment_settings",
    "assignment_turns",
    "automations",
    "automation_runs",
    "voice_settings",
    "phone_numbers",
    "ivrs",
    "calls",
];

/// Tables that hold no account's data: the schema's own bookkeeping.
const NOT_ACCOUNT_DATA: &[&str] = &["schema_migrations", "account_departures"];

/// The search indexes (tickets', articles'): derived from the rows above, so not copied but rebuilt where the account arrives, and wiped
/// with it where it leaves. (SQLite's FTS5 keeps the index in the `ticket_search_*` tables it makes.)
const DERIVED: &[&str] = &[
    "search_docs",
    "search_dirty",
    "ticket_search",
    "ticket_search_data",
    "ticket_search_idx",
    "ticket_search_docsize",
    "ticket_search_config",
    "ticket_search_content",
    "kb_search_docs",
    "kb_search",
    "kb_search_data",
    "kb_search_idx",
    "kb_search_docsize",
    "kb_search_config",
    "kb_search_content",
];

/// Rows written per unit of work while copying.
const CHUNK: usize = 500;

/// What one table holds of an account: how many rows, and a SHA-256 over them independent of their order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableDigest {
    pub rows: u64,
    pub sha256: String,
}

fn owner_column(table: &str) -> &'static str {
    if table == "accounts" {
        "id"
    } else {
        "account_id"
    }
}

async fn check_tables(db: &Db) -> Result<(), StoreError> {
    let sql = match db.engine() {
        Engine::Sqlite => "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
        Engine::Postgres => {
            "SELECT table_name AS name FROM information_schema.tables \
             WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'"
        }
    };
    let present: BTreeSet<String> =
        db.query(sql, vec![]).await?.iter().map(|r| r.text("name")).collect::<Result<_, _>>()?;
    let known: BTreeSet<String> = TABLES.iter().chain(NOT_ACCOUNT_DATA).chain(DERIVED).map(|t| t.to_string()).collect();
    let unknown: Vec<&String> = present.difference(&known).collect();
    if !unknown.is_empty() {
        return Err(StoreError::Other(format!(
            "the database has tables a move does not know how to carry: {unknown:?}; nothing was moved"
        )));
    }
    let missing: Vec<&&str> = TABLES.iter().filter(|t| !present.contains(**t)).collect();
    if !missing.is_empty() {
        return Err(StoreError::Other(format!("the database lacks tables {missing:?}; is it migrated?")));
    }
    Ok(())
}

/// Which columns of a table hold integers: a null must be sent to PostgreSQL with its column's type.
async fn integer_columns(db: &Db, table: &str) -> Result<HashMap<String, bool>, StoreError> {
    let sql = match db.engine() {
        Engine::Sqlite => "SELECT name, type FROM pragma_table_info($1)",
        Engine::Postgres => {
            "SELECT column_name AS name, data_type AS type FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name = $1"
        }
    };
    db.query(sql, vec![Value::Text(table.into())])
        .await?
        .iter()
        .map(|r| Ok((r.text("name")?, r.text("type")?.to_ascii_uppercase().contains("INT"))))
        .collect()
}

async fn rows_of(db: &Db, table: &str, account: AccountId) -> Result<Vec<crate::db::Row>, StoreError> {
    let sql = format!("SELECT * FROM {table} WHERE {} = $1", owner_column(table));
    db.query(&sql, vec![Value::Text(account.to_string())]).await
}

/// The account's rows in every table, digested. Two databases holding the same account give the same digests.
pub async fn digest(store: &SqlStore, account: AccountId) -> Result<BTreeMap<String, TableDigest>, StoreError> {
    check_tables(&store.db).await?;
    let mut out = BTreeMap::new();
    for table in TABLES {
        let mut lines: Vec<Vec<u8>> = Vec::new();
        for row in rows_of(&store.db, table, account).await? {
            let mut cols: Vec<(&str, &Value)> = row.columns().collect();
            cols.sort_by_key(|(name, _)| *name);
            let mut line = Vec::new();
            for (name, value) in cols {
                line.extend_from_slice(name.as_bytes());
                match value {
                    Value::Int(i) => line.extend_from_slice(format!("=i{i}").as_bytes()),
                    Value::Text(s) => {
                        line.extend_from_slice(format!("=t{}:", s.len()).as_bytes());
                        line.extend_from_slice(s.as_bytes());
                    }
                    Value::Bytes(b) => {
                        line.extend_from_slice(format!("=b{}:", b.len()).as_bytes());
                        line.extend_from_slice(b);
                    }
                    Value::NullInt | Value::NullText => line.extend_from_slice(b"=n"),
                }
                line.push(0);
            }
            lines.push(line);
        }
        lines.sort();
        let mut hash = Sha256::new();
        for line in &lines {
            hash.update(Sha256::digest(line));
        }
        out.insert(
            table.to_string(),
            TableDigest { rows: lines.len() as u64, sha256: format!("{:x}", hash.finalize()) },
        );
    }
    Ok(out)
}

/// Copies every row of the account from `from` into `to`, first removing whatever an earlier, cut-off copy left
/// in `to`. Returns the number of rows copied. The account must not be served while this runs.
pub async fn copy_account(from: &SqlStore, to: &SqlStore, account: AccountId) -> Result<u64, StoreError> {
    check_tables(&from.db).await?;
    check_tables(&to.db).await?;
    wipe_account(to, account).await?;
    let mut copied = 0u64;
    for table in TABLES {
        let rows = rows_of(&from.db, table, account).await?;
        let Some(first) = rows.first() else { continue };
        let names: Vec<String> = first.columns().map(|(n, _)| n.to_string()).collect();
        let integers = integer_columns(&to.db, table).await?;
        let sql = format!("INSERT INTO {table} ({}) VALUES ({})", names.join(", "), placeholders(1, names.len()));
        for chunk in rows.chunks(CHUNK) {
            let batch: Vec<Vec<Value>> = chunk
                .iter()
                .map(|row| {
                    row.columns()
                        .map(|(name, v)| match v {
                            Value::NullInt | Value::NullText if integers.get(name).copied().unwrap_or(false) => {
                                Value::NullInt
                            }
                            Value::NullInt | Value::NullText => Value::NullText,
                            other => other.clone(),
                        })
                        .collect()
                })
                .collect();
            let sql = sql.clone();
            copied += to
                .db
                .write(move |tx| {
                    Box::pin(async move {
                        let mut n = 0;
                        for values in batch {
                            n += tx.exec(&sql, values).await?;
                        }
                        Ok(n)
                    })
                })
                .await?;
        }
    }
    Ok(copied)
}

/// Sets where the account's ticket numbers go on in `store`, after its rows were copied there: the next number is
/// past every ticket it has. (SQLite counts in the account's row; PostgreSQL in a sequence per account, which a
/// copy of rows does not carry.) Marks its tickets for the search index there and indexes its articles. Run after
/// the copy is verified: it changes the account's row.
pub async fn continue_numbering(store: &SqlStore, account: AccountId) -> Result<(), StoreError> {
    store.reindex_articles(account).await?;
    let engine = store.db.engine();
    store
        .db
        .write(move |tx| {
            Box::pin(async move {
                let acc = account.to_string();
                tx.exec(
                    "INSERT INTO search_dirty (account_id, ticket_id, generation) \
                     SELECT account_id, id, 1 FROM tickets WHERE account_id = $1 ON CONFLICT DO NOTHING",
                    vec![Value::Text(acc.clone())],
                )
                .await?;
                let next = tx
                    .query_opt(
                        "SELECT COALESCE(MAX(number), 0) + 1 AS next FROM tickets WHERE account_id = $1",
                        vec![Value::Text(acc.clone())],
                    )
                    .await?
                    .map(|r| r.int("next"))
                    .transpose()?
                    .unwrap_or(1);
                match engine {
                    Engine::Sqlite => {
                        tx.exec(
                            "UPDATE accounts SET next_ticket_number = max(next_ticket_number, $1) WHERE id = $2",
                            vec![Value::Int(next), Value::Text(acc)],
                        )
                        .await?;
                    }
                    Engine::Postgres => {
                        let seq = crate::accounts::ticket_sequence(account);
                        tx.batch(&format!("CREATE SEQUENCE IF NOT EXISTS {seq} START 1")).await?;
                        tx.query("SELECT setval($1::regclass, $2, false)", vec![Value::Text(seq), Value::Int(next)])
                            .await?;
                    }
                }
                Ok(())
            })
        })
        .await
}

/// Removes every row of the account from this database in one unit of work, its audit log included, and leaves no
/// copy in the database's files. Returns the number of rows removed.
pub async fn wipe_account(store: &SqlStore, account: AccountId) -> Result<u64, StoreError> {
    check_tables(&store.db).await?;
    let engine = store.db.engine();
    let removed = store
        .db
        .write(move |tx| {
            Box::pin(async move {
                let acc = account.to_string();
                // The audit log refuses deletes except for an account recorded here as leaving; the record lives
                // only inside this unit of work.
                tx.exec(
                    "INSERT INTO account_departures (account_id, at) VALUES ($1, $2)",
                    vec![Value::Text(acc.clone()), Value::Int(parley_domain::Timestamp::now().millis())],
                )
                .await?;
                crate::search::forget_account(tx, engine, &acc).await?;
                crate::knowledge::search::forget_account(tx, engine, &acc).await?;
                let mut n = 0;
                for table in TABLES.iter().rev() {
                    let sql = format!("DELETE FROM {table} WHERE {} = $1", owner_column(table));
                    n += tx.exec(&sql, vec![Value::Text(acc.clone())]).await?;
                }
                tx.exec("DELETE FROM account_departures WHERE account_id = $1", vec![Value::Text(acc)]).await?;
                if engine == Engine::Postgres {
                    tx.batch(&format!("DROP SEQUENCE IF EXISTS {}", crate::accounts::ticket_sequence(account))).await?;
                }
                Ok(n)
            })
        })
        .await?;
    store.db.purge_files().await?;
    Ok(removed)
}
