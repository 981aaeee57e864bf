//! Agents, departments and password reset tokens.

use crate::db::{args, Row, Tx, Value};
use crate::error::conflict_as;
use crate::rows::{id, parsed, placeholders};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::agent::{Agent, AgentProfile, Department, Role};
use parley_domain::email::EmailAddress;
use parley_domain::ids::{AccountId, AgentId, DepartmentId};
use parley_domain::Timestamp;
use parley_store::{AgentStore, AgentUpdate, StoreError};
use std::collections::HashMap;

const AGENT_COLS: &str =
    "id, account_id, email, name, role, active, created_at, language, time_zone, signature, notify_desktop, notify_sound";

fn agent(r: &Row, departments: Vec<DepartmentId>) -> Result<Agent, StoreError> {
    Ok(Agent {
        id: id("agent id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        email: parsed("email", &r.text("email")?, EmailAddress::parse)?,
        name: r.text("name")?,
        role: parsed("role", &r.text("role")?, Role::parse)?,
        department_ids: departments,
        active: r.int("active")? != 0,
        created_at: Timestamp::from_millis(r.int("created_at")?),
        profile: AgentProfile {
            language: r.text("language")?,
            time_zone: r.text("time_zone")?,
            signature: r.text("signature")?,
            notify_desktop: r.int("notify_desktop")? != 0,
            notify_sound: r.int("notify_sound")? != 0,
        },
    })
}

fn department(r: &Row) -> Result<Department, StoreError> {
    Ok(Department {
        id: id("department id", &r.text("id")?)?,
        account_id: id("account id", &r.text("account_id")?)?,
        name: r.text("name")?,
        created_at: Timestamp::from_millis(r.int("created_at")?),
    })
}

pub(crate) async fn insert_agent_rows(tx: &mut dyn Tx, a: &Agent, hash: Option<&str>) -> Result<(), StoreError> {
    tx.exec(
        "INSERT INTO agents (id, account_id, email, name, role, active, password_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        args![
            a.id.to_string(),
            a.account_id.to_string(),
            a.email.as_str(),
            &a.name,
            a.role.as_str(),
            a.active,
            hash,
            a.created_at.millis()
        ],
    )
    .await
    .map_err(|e| conflict_as(e, || format!("an agent with the email {} exists", a.email)))?;
    set_departments(tx, a.account_id, a.id, &a.department_ids).await
}

async fn set_departments(
    tx: &mut dyn Tx,
    account: AccountId,
    agent: AgentId,
    depts: &[DepartmentId],
) -> Result<(), StoreError> {
    tx.exec(
        "DELETE FROM agent_departments WHERE account_id = $1 AND agent_id = $2",
        args![account.to_string(), agent.to_string()],
    )
    .await?;
    for d in depts {
        // The department must be the account's own: the join keeps a foreign id from being linked.
        let n = tx
            .exec(
                "INSERT INTO agent_departments (account_id, agent_id, department_id) \
                 SELECT $1, $2, id FROM departments WHERE account_id = $1 AND id = $3",
                args![account.to_string(), agent.to_string(), d.to_string()],
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
    }
    Ok(())
}

impl SqlStore {
    async fn agents_with_departments(&self, account: AccountId, rows: Vec<Row>) -> Result<Vec<Agent>, StoreError> {
        let ids: Vec<String> = rows.iter().map(|r| r.text("id")).collect::<Result<_, _>>()?;
        let mut depts: HashMap<String, Vec<DepartmentId>> = HashMap::new();
        if !ids.is_empty() {
            let sql = format!(
                "SELECT agent_id, department_id FROM agent_departments WHERE account_id = $1 AND agent_id IN ({}) \
                 ORDER BY department_id",
                placeholders(2, ids.len())
            );
            let mut a = args![account.to_string()];
            a.extend(ids.iter().map(Value::from));
            for r in self.db.query(&sql, a).await? {
                depts.entry(r.text("agent_id")?).or_default().push(id("department id", &r.text("department_id")?)?);
            }
        }
        rows.iter().zip(ids).map(|(r, i)| agent(r, depts.remove(&i).unwrap_or_default())).collect()
    }
}

#[async_trait]
impl AgentStore for SqlStore {
    async fn insert_agent(&self, agent: &Agent, password_hash: Option<&str>) -> Result<(), StoreError> {
        let agent = agent.clone();
        let hash = password_hash.map(str::to_string);
        self.db.write(move |tx| Box::pin(async move { insert_agent_rows(tx, &agent, hash.as_deref()).await })).await
    }

    async fn get_agent(&self, account: AccountId, agent: AgentId) -> Result<Option<Agent>, StoreError> {
        let sql = format!("SELECT {AGENT_COLS} FROM agents WHERE account_id = $1 AND id = $2");
        let rows = self.db.query(&sql, args![account.to_string(), agent.to_string()]).await?;
        Ok(self.agents_with_departments(account, rows).await?.pop())
    }

    async fn agent_credentials(
        &self,
        account: AccountId,
        email: &EmailAddress,
    ) -> Result<Option<(Agent, Option<String>)>, StoreError> {
        let sql = format!("SELECT {AGENT_COLS}, password_hash FROM agents WHERE account_id = $1 AND email = $2");
        let rows = self.db.query(&sql, args![account.to_string(), email.as_str()]).await?;
        let Some(hash) = rows.first().map(|r| r.opt_text("password_hash")).transpose()? else { return Ok(None) };
        Ok(self.agents_with_departments(account, rows).await?.pop().map(|a| (a, hash)))
    }

    async fn list_agents(&self, account: AccountId) -> Result<Vec<Agent>, StoreError> {
        let sql = format!("SELECT {AGENT_COLS} FROM agents WHERE account_id = $1 ORDER BY name, id");
        let rows = self.db.query(&sql, args![account.to_string()]).await?;
        self.agents_with_departments(account, rows).await
    }

    async fn update_agent(&self, account: AccountId, agent: AgentId, u: &AgentUpdate) -> Result<Agent, StoreError> {
        let u = u.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec(
                            "UPDATE agents SET name = COALESCE($1, name), role = COALESCE($2, role), \
                             active = COALESCE($3, active), language = COALESCE($6, language), \
                             time_zone = COALESCE($7, time_zone), signature = COALESCE($8, signature), \
                             notify_desktop = COALESCE($9, notify_desktop), \
                             notify_sound = COALESCE($10, notify_sound) WHERE account_id = $4 AND id = $5",
                            args![
                                u.name.clone(),
                                u.role.map(|r| r.as_str().to_string()),
                                u.active.map(i64::from),
                                account.to_string(),
                                agent.to_string(),
                                u.profile.as_ref().map(|p| p.language.clone()),
                                u.profile.as_ref().map(|p| p.time_zone.clone()),
                                u.profile.as_ref().map(|p| p.signature.clone()),
                                u.profile.as_ref().map(|p| i64::from(p.notify_desktop)),
                                u.profile.as_ref().map(|p| i64::from(p.notify_sound))
                            ],
                        )
                        .await?;
                    if n == 0 {
                        return Err(StoreError::NotFound);
                    }
                    if let Some(d) = &u.department_ids {
                        set_departments(tx, account, agent, d).await?;
                    }
                    Ok(())
                })
            })
            .await?;
        self.get_agent(account, agent).await?.ok_or(StoreError::NotFound)
    }

    async fn set_password(&self, account: AccountId, agent: AgentId, hash: &str) -> Result<(), StoreError> {
        let hash = hash.to_string();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let n = tx
                        .exec(
                            "UPDATE agents SET password_hash = $1 WHERE account_id = $2 AND id = $3",
                            args![&hash, account.to_string(), agent.to_string()],
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

    async fn create_reset_token(
        &self,
        account: AccountId,
        agent: AgentId,
        token_hash: &str,
        expires_at: Timestamp,
    ) -> Result<(), StoreError> {
        let token_hash = token_hash.to_string();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO password_resets (token_hash, account_id, agent_id, expires_at, used_at) \
                         VALUES ($1, $2, $3, $4, NULL)",
                        args![&token_hash, account.to_string(), agent.to_string(), expires_at.millis()],
                    )
                    .await?;
                    Ok(())
                })
            })
            .await
    }

    async fn consume_reset_token(
        &self,
        account: AccountId,
        token_hash: &str,
        now: Timestamp,
    ) -> Result<Option<AgentId>, StoreError> {
        let token_hash = token_hash.to_string();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    let row = tx
                        .query_opt(
                            "UPDATE password_resets SET used_at = $1 \
                             WHERE account_id = $2 AND token_hash = $3 AND used_at IS NULL AND expires_at > $1 \
                             RETURNING agent_id",
                            args![now.millis(), account.to_string(), &token_hash],
                        )
                        .await?;
                    row.map(|r| id("agent id", &r.text("agent_id")?)).transpose()
                })
            })
            .await
    }

    async fn insert_department(&self, d: &Department) -> Result<(), StoreError> {
        let d = d.clone();
        self.db
            .write(move |tx| {
                Box::pin(async move {
                    tx.exec(
                        "INSERT INTO departments (id, account_id, name, created_at) VALUES ($1, $2, $3, $4)",
                        args![d.id.to_string(), d.account_id.to_string(), &d.name, d.created_at.millis()],
                    )
                    .await
                    .map_err(|e| conflict_as(e, || format!("a department named {} exists", d.name)))?;
                    Ok(())
                })
            })
            .await
    }

    async fn list_departments(&self, account: AccountId) -> Result<Vec<Department>, StoreError> {
        let rows = self
            .db
            .query(
                "SELECT id, account_id, name, created_at FROM departments WHERE account_id = $1 ORDER BY name",
                args![account.to_string()],
            )
            .await?;
        rows.iter().map(department).collect()
    }

    async fn get_department(&self, account: AccountId, dept: DepartmentId) -> Result<Option<Department>, StoreError> {
        let row = self
            .db
            .query_opt(
                "SELECT id, account_id, name, created_at FROM departments WHERE account_id = $1 AND id = $2",
                args![account.to_string(), dept.to_string()],
            )
            .await?;
        row.as_ref().map(department).transpose()
    }
}
