//! Canned responses and macros.

use crate::db::{args, Row, Tx, Value};
use crate::error::conflict_as;
use crate::rows::{id, json, opt_id, parsed, to_json};
use crate::url::Engine;
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::canned::{CannedResponse, Macro, MacroReply, Shortcut};
use parley_domain::ids::{AccountId, AgentId, CannedResponseId, MacroId};
use parley_domain::knowledge::LanguageTag;
use parley_domain::ticket_action::{FieldDefs, TicketAction};
use parley_domain::Timestamp;
use parley_store::{CannedFilter, CannedResponseStore, MacroStore, StoreError};

const CANNED_COLS: &str = "id, account_id, owner_id, title, body, shortcut, folder, language, created_at, updated_at";
const MACRO_COLS: &str = "id, account_id, owner_id, title, actions, reply_body, reply_internal, created_at, updated_at";

fn canned_row(r: &Row) -> Result<CannedResponse, StoreError> {
    let owner_id: Option<AgentId> = opt_id("agent id", r.opt_text("owner_id")?.as_deref())?;
    Ok(CannedResponse {
        id: id("canned response id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        title: r.text("title")?,
        body: r.text("body")?,
        shared: owner_id.is_none(),
        owner_id,
        shortcut: r.opt_text("shortcut")?.map(|s| parsed("shortcut", &s, Shortcut::parse)).transpose()?,
        folder: r.opt_text("folder")?,
        language: r.opt_text("language")?.map(|s| parsed("language", &s, LanguageTag::parse)).transpose()?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        updated_at: Timestamp::from_millis(r.int("updated_at")?),
    })
}

fn macro_row(r: &Row) -> Result<Macro, StoreError> {
    let owner_id: Option<AgentId> = opt_id("agent id", r.opt_text("owner_id")?.as_deref())?;
    let raw = r.text("actions")?;
    let items: Vec<serde_json::Value> = json("macro actions", &raw)?;
    // Checked when saved; custom field values are taken as stored.
    let actions = parsed("macro actions", &raw, |_| TicketAction::parse_list(&items, FieldDefs::Trusted))?;
    let reply = match r.opt_text("reply_body")? {
        Some(body) => Some(MacroReply { body, internal: r.int("reply_internal")? != 0 }),
        None => None,
    };
    Ok(Macro {
        id: id("macro id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        title: r.text("title")?,
        actions,
        reply,
        shared: owner_id.is_none(),
        owner_id,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        updated_at: Timestamp::from_millis(r.int("updated_at")?),
    })
}

/// Refuse a shortcut taken among what someone who sees `c` sees: for a shared response, any response of the
/// account; for a personal one, the shared ones and the owner's own. Runs in the unit of work that writes `c`.
///
/// SQLite runs one unit of work at a time; on PostgreSQL, checks of one account wait for each other on a
/// transaction-scoped advisory lock, so two writers cannot both find a shortcut free (the unique index covers
/// only clashes within one owner's or the shared ones).
async fn ensure_shortcut_free(tx: &mut dyn Tx, engine: Engine, c: &CannedResponse) -> Result<(), StoreError> {
    let Some(shortcut) = &c.shortcut else { return Ok(()) };
    if engine == Engine::Postgres {
        tx.query(
            "SELECT 1 AS locked FROM (SELECT pg_advisory_xact_lock(hashtext($1))) AS l",
            args![format!("canned_responses:{}", c.account_id)],
        )
        .await?;
    }
    // '' as the owner stands for "everyone": a shared shortcut must be free in every agent's view.
    let owner = c.owner_id.map(|o| o.to_string()).unwrap_or_default();
    let taken = tx
        .query_opt(
            "SELECT id FROM canned_responses WHERE account_id = $1 AND shortcut = $2 AND id <> $3 \
             AND ($4 = '' OR owner_id IS NULL OR owner_id = $4)",
            args![c.account_id.to_string(), shortcut.as_str(), c.id.to_string(), owner],
        )
        .await?;
    if taken.is_some() {
        return Err(StoreError::Conflict(format!("the shortcut {shortcut} is taken")));
    }
    Ok(())
}

fn canned_args(c: &CannedResponse) -> Vec<Value> {
    args![
        c.id.to_string(),
        c.account_id.to_string(),
        c.owner_id.map(|o| o.to_string()),
        &c.title,
        &c.body,
        c.shortcut.as_ref().map(|s| s.as_str().to_string()),
        c.folder.clone(),
        c.language.as_ref().map(|l| l.as_str().to_string()),
        c.created_at.millis(),
        c.updated_at.millis()
    ]
}

/// [`canned_args`] without `created_at`, which an update keeps.
fn canned_update_args(c: &CannedResponse) -> Vec<Value> {
    let mut a = canned_args(c);
    a.remove(8);
    a
}

#[async_trait]
impl CannedResponseStore for SqlStore {
    async fn insert_canned(&self, c: &CannedResponse) -> Result<(), StoreError> {
        let c = c.clone();
        let engine = self.db.engine();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    ensure_shortcut_free(tx, engine, &c).await?;
                    let shortcut = c.shortcut.clone();
                    tx.exec(
                        &format!("INSERT INTO canned_responses ({CANNED_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"),
                        canned_args(&c),
                    )
                    .await
                    .map_err(|e| conflict_as(e, || format!("the shortcut {} is taken", shortcut.map(|s| s.to_string()).unwrap_or_default())))?;
                    Ok(())
                })
            })
            .await
    }

    async fn update_canned(&self, c: &CannedResponse) -> Result<(), StoreError> {
        let c = c.clone();
        let engine = self.db.engine();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    ensure_shortcut_free(tx, engine, &c).await?;
                    let shortcut = c.shortcut.clone();
                    let n = tx
                        .exec(
                            "UPDATE canned_responses SET owner_id = $3, title = $4, body = $5, shortcut = $6, \
                             folder = $7, language = $8, updated_at = $9 WHERE id = $1 AND account_id = $2",
                            canned_update_args(&c),
                        )
                        .await
                        .map_err(|e| {
                            conflict_as(e, || {
                                format!("the shortcut {} is taken", shortcut.map(|s| s.to_string()).unwrap_or_default())
                            })
                        })?;
                    if n == 0 {
                        return Err(StoreError::NotFound);
                    }
                    Ok(())
                })
            })
            .await
    }

    async fn get_canned(&self, account: AccountId, id: CannedResponseId) -> Result<Option<CannedResponse>, StoreError> {
        let rows = self
            .db
            .query(
                &format!("SELECT {CANNED_COLS} FROM canned_responses WHERE account_id = $1 AND id = $2"),
                args![account.to_string(), id.to_string()],
            )
            .await?;
        rows.first().map(canned_row).transpose()
    }

    async fn list_canned(&self, account: AccountId, f: &CannedFilter) -> Result<Vec<CannedResponse>, StoreError> {
        let mut sql = format!("SELECT {CANNED_COLS} FROM canned_responses WHERE account_id = $1 AND ");
        let mut a = args![account.to_string()];
        match f.viewer {
            Some(agent) => {
                sql.push_str("(owner_id IS NULL OR owner_id = $2)");
                a.push(Value::from(agent.to_string()));
            }
            None => sql.push_str("owner_id IS NULL"),
        }
        if let Some(l) = &f.language {
            a.push(Value::from(l.as_str()));
            sql.push_str(&format!(" AND language = ${}", a.len()));
        }
        if let Some(folder) = &f.folder {
            a.push(Value::from(folder.as_str()));
            sql.push_str(&format!(" AND folder = ${}", a.len()));
        }
        // COALESCE: NULLs sort first on SQLite and last on PostgreSQL; responses without a folder come first on both.
        sql.push_str(" ORDER BY COALESCE(folder, ''), title, id");
        self.db.query(&sql, a).await?.iter().map(canned_row).collect()
    }

    async fn delete_canned(&self, account: AccountId, id: CannedResponseId) -> Result<(), StoreError> {
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec(
                            "DELETE FROM canned_responses WHERE account_id = $1 AND id = $2",
                            args![account.to_string(), id.to_string()],
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
}

fn macro_args(m: &Macro) -> Result<Vec<Value>, StoreError> {
    let actions = to_json(&m.actions)?;
    Ok(args![
        m.id.to_string(),
        m.account_id.to_string(),
        m.owner_id.map(|o| o.to_string()),
        &m.title,
        actions,
        m.reply.as_ref().map(|r| r.body.clone()),
        m.reply.as_ref().is_some_and(|r| r.internal),
        m.created_at.millis(),
        m.updated_at.millis()
    ])
}

#[async_trait]
impl MacroStore for SqlStore {
    async fn insert_macro(&self, m: &Macro) -> Result<(), StoreError> {
        let a = macro_args(m)?;
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        &format!("INSERT INTO macros ({MACRO_COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)"),
                        a,
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn update_macro(&self, m: &Macro) -> Result<(), StoreError> {
        let mut a = macro_args(m)?;
        // An update keeps `created_at`.
        a.remove(7);
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec(
                            "UPDATE macros SET owner_id = $3, title = $4, actions = $5, reply_body = $6, \
                             reply_internal = $7, updated_at = $8 WHERE id = $1 AND account_id = $2",
                            a,
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

    async fn get_macro(&self, account: AccountId, id: MacroId) -> Result<Option<Macro>, StoreError> {
        let rows = self
            .db
            .query(
                &format!("SELECT {MACRO_COLS} FROM macros WHERE account_id = $1 AND id = $2"),
                args![account.to_string(), id.to_string()],
            )
            .await?;
        rows.first().map(macro_row).transpose()
    }

    async fn list_macros(&self, account: AccountId, viewer: Option<AgentId>) -> Result<Vec<Macro>, StoreError> {
        let rows = match viewer {
            Some(agent) => {
                self.db
                    .query(
                        &format!(
                            "SELECT {MACRO_COLS} FROM macros WHERE account_id = $1 \
                             AND (owner_id IS NULL OR owner_id = $2) ORDER BY title, id"
                        ),
                        args![account.to_string(), agent.to_string()],
                    )
                    .await?
            }
            None => {
                self.db
                    .query(
                        &format!(
                        "SELECT {MACRO_COLS} FROM macros WHERE account_id = $1 AND owner_id IS NULL ORDER BY title, id"
                    ),
                        args![account.to_string()],
                    )
                    .await?
            }
        };
        rows.iter().map(macro_row).collect()
    }

    async fn delete_macro(&self, account: AccountId, id: MacroId) -> Result<(), StoreError> {
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec(
                            "DELETE FROM macros WHERE account_id = $1 AND id = $2",
                            args![account.to_string(), id.to_string()],
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
}
