//! The audit log and its head, per account.

use crate::db::{args, Row, Value};
use crate::rows::{json, to_json};
use crate::url::Engine;
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::audit::{AuditEntry, NewAuditEntry, GENESIS};
use parley_domain::ids::AccountId;
use parley_domain::Timestamp;
use parley_store::{AuditFilter, AuditStore, StoreError};

const COLUMNS: &str = "seq, at, actor, action, target, detail, ip, prev_hash, hash";

fn entry(r: &Row) -> Result<AuditEntry, StoreError> {
    Ok(AuditEntry {
        seq: r.int("seq")?,
        at: Timestamp::from_millis(r.int("at")?),
        actor: r.text("actor")?,
        action: r.text("action")?,
        target: r.opt_text("target")?,
        detail: json("audit detail", &r.text("detail")?)?,
        ip: r.opt_text("ip")?,
        prev_hash: r.text("prev_hash")?,
        hash: r.text("hash")?,
    })
}

#[async_trait]
impl AuditStore for SqlStore {
    async fn append_audit(&self, new: &NewAuditEntry) -> Result<AuditEntry, StoreError> {
        let new = new.clone();
        // The head row is the lock: PostgreSQL processes appending to one account queue on it; SQLite has one
        // writer anyway.
        let lock = if self.db.engine() == Engine::Postgres { "FOR UPDATE" } else { "" };
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let account = new.account_id.to_string();
                    tx.exec(
                        "INSERT INTO audit_heads (account_id, seq, hash) VALUES ($1, 0, $2) \
                         ON CONFLICT (account_id) DO NOTHING",
                        args![account.clone(), GENESIS],
                    )
                    .await?;
                    let head = tx
                        .query_opt(
                            &format!("SELECT seq, hash FROM audit_heads WHERE account_id = $1 {lock}"),
                            args![account.clone()],
                        )
                        .await?
                        .ok_or_else(|| StoreError::Other("the audit head vanished".into()))?;
                    let (seq, hash) = (head.int("seq")?, head.text("hash")?);
                    let e = new.chain((seq > 0).then_some((seq, hash.as_str())));
                    tx.exec(
                        &format!(
                            "INSERT INTO audit_log (account_id, {COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, \
                             $9, $10)"
                        ),
                        args![
                            account.clone(),
                            e.seq,
                            e.at.millis(),
                            &e.actor,
                            &e.action,
                            e.target.clone(),
                            to_json(&e.detail)?,
                            e.ip.clone(),
                            &e.prev_hash,
                            &e.hash
                        ],
                    )
                    .await?;
                    tx.exec(
                        "UPDATE audit_heads SET seq = $2, hash = $3 WHERE account_id = $1",
                        args![account, e.seq, &e.hash],
                    )
                    .await?;
                    Ok(e)
                })
            })
            .await
    }

    async fn list_audit(&self, account: AccountId, f: &AuditFilter) -> Result<Vec<AuditEntry>, StoreError> {
        let mut sql = format!("SELECT {COLUMNS} FROM audit_log WHERE account_id = $1");
        let mut a: Vec<Value> = args![account.to_string()];
        let mut param = |sql: &mut String, cond: &str, v: Value| {
            a.push(v);
            sql.push_str(&cond.replace('?', &format!("${}", a.len())));
        };
        if let Some(p) = &f.action_prefix {
            // A prefix match without LIKE, whose wildcards the prefix could hold.
            param(&mut sql, " AND substr(action, 1, length(?)) = ?", Value::Text(p.clone()));
        }
        if let Some(actor) = &f.actor {
            param(&mut sql, " AND actor = ?", Value::Text(actor.clone()));
        }
        if let Some(t) = f.since {
            param(&mut sql, " AND at >= ?", Value::Int(t.millis()));
        }
        if let Some(t) = f.until {
            param(&mut sql, " AND at < ?", Value::Int(t.millis()));
        }
        if let Some(s) = f.beyond_seq {
            let cond = if f.oldest_first { " AND seq > ?" } else { " AND seq < ?" };
            param(&mut sql, cond, Value::Int(s));
        }
        sql.push_str(if f.oldest_first { " ORDER BY seq" } else { " ORDER BY seq DESC" });
        param(&mut sql, " LIMIT ?", Value::Int(f.limit.clamp(1, 10_000)));
        self.db.query(&sql, a).await?.iter().map(entry).collect()
    }

    async fn audit_head(&self, account: AccountId) -> Result<Option<(i64, String)>, StoreError> {
        let row = self
            .db
            .query_opt("SELECT seq, hash FROM audit_heads WHERE account_id = $1", args![account.to_string()])
            .await?;
        match row {
            Some(r) if r.int("seq")? > 0 => Ok(Some((r.int("seq")?, r.text("hash")?))),
            _ => Ok(None),
        }
    }
}
