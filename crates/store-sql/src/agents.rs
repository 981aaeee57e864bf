//! Agents, departments and password reset tokens.

use crate::error::{store_err, SqlResultExt};
use crate::rows::{id, parsed, placeholders};
use crate::SqlStore;
use async_trait::async_trait;
use parley_domain::agent::{Agent, Department, Role};
use parley_domain::email::EmailAddress;
use parley_domain::ids::{AccountId, AgentId, DepartmentId};
use parley_domain::Timestamp;
use parley_store::{AgentStore, AgentUpdate, StoreError};
use sqlx::AnyConnection;
use std::collections::HashMap;

#[derive(sqlx::FromRow)]
struct AgentRow {
    id: String,
    account_id: String,
    email: String,
    name: String,
    role: String,
    active: i64,
    created_at: i64,
}

const AGENT_COLS: &str = "id, account_id, email, name, role, active, created_at";

fn agent_from(r: AgentRow, departments: Vec<DepartmentId>) -> Result<Agent, StoreError> {
    Ok(Agent {
        id: id("agent id", &r.id)?,
        account_id: id("account id", &r.account_id)?,
        email: parsed("email", &r.email, EmailAddress::parse)?,
        name: r.name,
        role: parsed("role", &r.role, Role::parse)?,
        department_ids: departments,
        active: r.active != 0,
        created_at: Timestamp::from_millis(r.created_at),
    })
}

pub(crate) fn insert_agent_rows<'a>(
    c: &'a mut AnyConnection,
    a: &'a Agent,
    hash: Option<&'a str>,
) -> crate::writer::BoxFuture<'a, Result<(), StoreError>> {
    Box::pin(async move {
        sqlx::query(
            "INSERT INTO agents (id, account_id, email, name, role, active, password_hash, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(a.id.to_string())
        .bind(a.account_id.to_string())
        .bind(a.email.as_str())
        .bind(&a.name)
        .bind(a.role.as_str())
        .bind(i64::from(a.active))
        .bind(hash.map(str::to_string))
        .bind(a.created_at.millis())
        .execute(&mut *c)
        .await
        .map_err(|e| match store_err(e) {
            StoreError::Conflict(_) => StoreError::Conflict(format!("an agent with the email {} exists", a.email)),
            other => other,
        })?;
        set_departments(c, a.account_id, a.id, &a.department_ids).await
    })
}

fn set_departments<'a>(
    c: &'a mut AnyConnection,
    account: AccountId,
    agent: AgentId,
    depts: &'a [DepartmentId],
) -> crate::writer::BoxFuture<'a, Result<(), StoreError>> {
    Box::pin(async move {
        sqlx::query("DELETE FROM agent_departments WHERE account_id = $1 AND agent_id = $2")
            .bind(account.to_string())
            .bind(agent.to_string())
            .execute(&mut *c)
            .await
            .db()?;
        for d in depts {
            // The department must be the account's own: the join keeps a foreign id from being linked.
            let done = sqlx::query(
                "INSERT INTO agent_departments (account_id, agent_id, department_id) \
                 SELECT $1, $2, id FROM departments WHERE account_id = $1 AND id = $3",
            )
            .bind(account.to_string())
            .bind(agent.to_string())
            .bind(d.to_string())
            .execute(&mut *c)
            .await
            .db()?;
            if done.rows_affected() == 0 {
                return Err(StoreError::NotFound);
            }
        }
        Ok(())
    })
}

impl SqlStore {
    async fn departments_of(
        &self,
        account: AccountId,
        agents: &[String],
    ) -> Result<HashMap<String, Vec<DepartmentId>>, StoreError> {
        let mut out: HashMap<String, Vec<DepartmentId>> = HashMap::new();
        if agents.is_empty() {
            return Ok(out);
        }
        let sql = format!(
            "SELECT agent_id, department_id FROM agent_departments WHERE account_id = $1 AND agent_id IN ({}) \
             ORDER BY department_id",
            placeholders(2, agents.len())
        );
        let mut q = sqlx::query_as::<_, (String, String)>(&sql).bind(account.to_string());
        for a in agents {
            q = q.bind(a);
        }
        for (agent, dept) in q.fetch_all(&self.read).await.db()? {
            out.entry(agent).or_default().push(id("department id", &dept)?);
        }
        Ok(out)
    }

    async fn agents_with_departments(&self, account: AccountId, rows: Vec<AgentRow>) -> Result<Vec<Agent>, StoreError> {
        let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
        let mut depts = self.departments_of(account, &ids).await?;
        rows.into_iter()
            .map(|r| {
                let d = depts.remove(&r.id).unwrap_or_default();
                agent_from(r, d)
            })
            .collect()
    }
}

#[async_trait]
impl AgentStore for SqlStore {
    async fn insert_agent(&self, agent: &Agent, password_hash: Option<&str>) -> Result<(), StoreError> {
        let agent = agent.clone();
        let hash = password_hash.map(str::to_string);
        self.writer.write(move |c| Box::pin(async move { insert_agent_rows(c, &agent, hash.as_deref()).await })).await
    }

    async fn get_agent(&self, account: AccountId, agent: AgentId) -> Result<Option<Agent>, StoreError> {
        let sql = format!("SELECT {AGENT_COLS} FROM agents WHERE account_id = $1 AND id = $2");
        let row: Option<AgentRow> = sqlx::query_as(&sql)
            .bind(account.to_string())
            .bind(agent.to_string())
            .fetch_optional(&self.read)
            .await
            .db()?;
        match row {
            None => Ok(None),
            Some(r) => Ok(self.agents_with_departments(account, vec![r]).await?.pop()),
        }
    }

    async fn agent_credentials(
        &self,
        account: AccountId,
        email: &EmailAddress,
    ) -> Result<Option<(Agent, Option<String>)>, StoreError> {
        let sql = format!("SELECT {AGENT_COLS}, password_hash FROM agents WHERE account_id = $1 AND email = $2");
        let row =
            sqlx::query(&sql).bind(account.to_string()).bind(email.as_str()).fetch_optional(&self.read).await.db()?;
        let Some(row) = row else { return Ok(None) };
        use sqlx::{FromRow, Row};
        let hash: Option<String> = row.try_get("password_hash").db()?;
        let agent_row = AgentRow::from_row(&row).db()?;
        let agent = self.agents_with_departments(account, vec![agent_row]).await?.pop();
        Ok(agent.map(|a| (a, hash)))
    }

    async fn list_agents(&self, account: AccountId) -> Result<Vec<Agent>, StoreError> {
        let sql = format!("SELECT {AGENT_COLS} FROM agents WHERE account_id = $1 ORDER BY name, id");
        let rows: Vec<AgentRow> = sqlx::query_as(&sql).bind(account.to_string()).fetch_all(&self.read).await.db()?;
        self.agents_with_departments(account, rows).await
    }

    async fn update_agent(&self, account: AccountId, agent: AgentId, u: &AgentUpdate) -> Result<Agent, StoreError> {
        let u = u.clone();
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let done = sqlx::query(
                        "UPDATE agents SET name = COALESCE($1, name), role = COALESCE($2, role), \
                         active = COALESCE($3, active) WHERE account_id = $4 AND id = $5",
                    )
                    .bind(u.name.clone())
                    .bind(u.role.map(|r| r.as_str().to_string()))
                    .bind(u.active.map(i64::from))
                    .bind(account.to_string())
                    .bind(agent.to_string())
                    .execute(&mut *c)
                    .await
                    .db()?;
                    if done.rows_affected() == 0 {
                        return Err(StoreError::NotFound);
                    }
                    if let Some(d) = &u.department_ids {
                        set_departments(c, account, agent, d).await?;
                    }
                    Ok(())
                })
            })
            .await?;
        self.get_agent(account, agent).await?.ok_or(StoreError::NotFound)
    }

    async fn set_password(&self, account: AccountId, agent: AgentId, hash: &str) -> Result<(), StoreError> {
        let hash = hash.to_string();
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let done = sqlx::query("UPDATE agents SET password_hash = $1 WHERE account_id = $2 AND id = $3")
                        .bind(&hash)
                        .bind(account.to_string())
                        .bind(agent.to_string())
                        .execute(&mut *c)
                        .await
                        .db()?;
                    if done.rows_affected() == 0 {
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
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query(
                        "INSERT INTO password_resets (token_hash, account_id, agent_id, expires_at, used_at) \
                         VALUES ($1, $2, $3, $4, NULL)",
                    )
                    .bind(&token_hash)
                    .bind(account.to_string())
                    .bind(agent.to_string())
                    .bind(expires_at.millis())
                    .execute(&mut *c)
                    .await
                    .db()?;
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
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    let row: Option<(String,)> = sqlx::query_as(
                        "UPDATE password_resets SET used_at = $1 \
                         WHERE account_id = $2 AND token_hash = $3 AND used_at IS NULL AND expires_at > $1 \
                         RETURNING agent_id",
                    )
                    .bind(now.millis())
                    .bind(account.to_string())
                    .bind(&token_hash)
                    .fetch_optional(&mut *c)
                    .await
                    .db()?;
                    row.map(|(a,)| id("agent id", &a)).transpose()
                })
            })
            .await
    }

    async fn insert_department(&self, d: &Department) -> Result<(), StoreError> {
        let d = d.clone();
        self.writer
            .write(move |c| {
                Box::pin(async move {
                    sqlx::query("INSERT INTO departments (id, account_id, name, created_at) VALUES ($1, $2, $3, $4)")
                        .bind(d.id.to_string())
                        .bind(d.account_id.to_string())
                        .bind(&d.name)
                        .bind(d.created_at.millis())
                        .execute(&mut *c)
                        .await
                        .map_err(|e| match store_err(e) {
                            StoreError::Conflict(_) => {
                                StoreError::Conflict(format!("a department named {} exists", d.name))
                            }
                            other => other,
                        })?;
                    Ok(())
                })
            })
            .await
    }

    async fn list_departments(&self, account: AccountId) -> Result<Vec<Department>, StoreError> {
        let rows: Vec<(String, String, String, i64)> = sqlx::query_as(
            "SELECT id, account_id, name, created_at FROM departments WHERE account_id = $1 ORDER BY name",
        )
        .bind(account.to_string())
        .fetch_all(&self.read)
        .await
        .db()?;
        rows.into_iter().map(department_from).collect()
    }

    async fn get_department(&self, account: AccountId, dept: DepartmentId) -> Result<Option<Department>, StoreError> {
        let row: Option<(String, String, String, i64)> = sqlx::query_as(
            "SELECT id, account_id, name, created_at FROM departments WHERE account_id = $1 AND id = $2",
        )
        .bind(account.to_string())
        .bind(dept.to_string())
        .fetch_optional(&self.read)
        .await
        .db()?;
        row.map(department_from).transpose()
    }
}

fn department_from((i, a, name, at): (String, String, String, i64)) -> Result<Department, StoreError> {
    Ok(Department {
        id: id("department id", &i)?,
        account_id: id("account id", &a)?,
        name,
        created_at: Timestamp::from_millis(at),
    })
}
