//! Agents and departments.

use crate::audit::{self, Record};
use crate::auth::{hash_password, tokens};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::agent::{check_password, parse_name, Agent, Department, Role};
use parley_domain::audit::AuditAction;
use parley_domain::auth::secret_hash;
use parley_domain::email::EmailAddress;
use parley_domain::error::Checker;
use parley_domain::ids::{AgentId, DepartmentId};
use parley_store::AgentUpdate;

pub struct AddAgent {
    pub email: String,
    pub name: String,
    pub role: String,
    pub department_ids: Vec<DepartmentId>,
    /// Set this password; without one the agent gets a generated password (operator) or a setup link (API).
    pub password: Option<String>,
}

/// How the new agent signs in the first time.
pub enum Credentials {
    /// A password, shown once.
    Password(String),
    /// A one-time token for the set-password page, valid for a week.
    SetupToken(String),
}

const SETUP_DAYS: i64 = 7;

/// Add an agent. `caller` is `None` for the operator's command line, which may do anything.
pub async fn add_agent(
    ctx: &AccountCtx,
    caller: Option<&Caller>,
    input: AddAgent,
    setup_link: bool,
) -> Result<(Agent, Credentials), AppError> {
    let mut errs = Checker::new();
    let email = errs.check(EmailAddress::parse(&input.email));
    let name = errs.check(parse_name("name", &input.name));
    let role = errs.check(Role::parse(&input.role));
    if let Some(p) = &input.password {
        errs.check(check_password(p));
    }
    errs.finish()?;
    let (Some(email), Some(name), Some(role)) = (email, name, role) else {
        return Err(AppError::Internal(anyhow::anyhow!("checked agent values missing")));
    };
    may_grant(caller, role)?;
    let mut department_ids = input.department_ids;
    department_ids.sort();
    department_ids.dedup();
    let agent = Agent {
        id: AgentId::new(),
        account_id: ctx.account_id,
        email,
        name,
        role,
        department_ids,
        active: true,
        created_at: ctx.now(),
        profile: Default::default(),
    };
    let (hash, creds) = match (input.password, setup_link) {
        (Some(p), _) => (Some(hash_password(&p).await?), Credentials::Password(p)),
        (None, false) => {
            let p = tokens::random_password();
            (Some(hash_password(&p).await?), Credentials::Password(p))
        }
        (None, true) => (None, Credentials::SetupToken(tokens::random_token())),
    };
    ctx.store.insert_agent(&agent, hash.as_deref()).await.map_err(|e| match e {
        parley_store::StoreError::NotFound => {
            AppError::Invalid(parley_domain::Invalid::field("department_ids", "is not a department of this account"))
        }
        other => other.into(),
    })?;
    if let Credentials::SetupToken(t) = &creds {
        let expires = ctx.now().plus_seconds(SETUP_DAYS * 86_400);
        ctx.store.create_reset_token(ctx.account_id, agent.id, &secret_hash(t), expires).await?;
    }
    let added = Record::new(audit::actor_of(caller), AuditAction::AgentCreated)
        .target(format!("agent:{}", agent.id))
        .detail(serde_json::json!({ "email": agent.email.as_str(), "role": agent.role.as_str() }));
    audit::record(ctx, added).await?;
    Ok((agent, creds))
}

fn may_grant(caller: Option<&Caller>, role: Role) -> Result<(), AppError> {
    let ok = match caller {
        // The operator's command line.
        None => true,
        // Keys act as administrators.
        Some(Caller::ApiKey(_)) => Role::Admin.may_grant(role),
        Some(Caller::Agent(a)) => a.role.may_grant(role),
        Some(Caller::Staff { .. }) => false,
    };
    if ok {
        Ok(())
    } else {
        Err(AppError::Forbidden(format!("you may not give the role {}", role.as_str())))
    }
}

pub async fn list_agents(ctx: &AccountCtx) -> Result<Vec<Agent>, AppError> {
    Ok(ctx.store.list_agents(ctx.account_id).await?)
}

pub async fn update_agent(
    ctx: &AccountCtx,
    caller: &Caller,
    id: AgentId,
    mut update: AgentUpdate,
) -> Result<Agent, AppError> {
    if let Some(d) = update.department_ids.as_mut() {
        d.sort();
        d.dedup();
    }
    caller.require_admin()?;
    let current = ctx.store.get_agent(ctx.account_id, id).await?.ok_or(AppError::NotFound)?;
    let mut errs = Checker::new();
    if let Some(n) = &update.name {
        errs.check(parse_name("name", n));
    }
    errs.finish()?;
    if let Some(role) = update.role {
        may_grant(Some(caller), role)?;
    }
    // Changing an owner, or making one, is for owners.
    if current.role == Role::Owner && !matches!(caller, Caller::Agent(a) if a.role == Role::Owner) {
        return Err(AppError::Forbidden("only owners may change an owner".into()));
    }
    let updated = ctx.store.update_agent(ctx.account_id, id, &update).await.map_err(|e| match e {
        parley_store::StoreError::NotFound => {
            AppError::Invalid(parley_domain::Invalid::field("department_ids", "is not a department of this account"))
        }
        other => other.into(),
    })?;
    if !updated.active {
        ctx.store.delete_agent_sessions(ctx.account_id, id).await?;
    }
    // Role, activity and departments decide what an agent may see: each change of them is recorded.
    let mut changes = serde_json::Map::new();
    if current.role != updated.role {
        changes
            .insert("role".into(), serde_json::json!({ "from": current.role.as_str(), "to": updated.role.as_str() }));
    }
    if current.active != updated.active {
        changes.insert("active".into(), serde_json::json!({ "from": current.active, "to": updated.active }));
    }
    if current.department_ids != updated.department_ids {
        changes.insert(
            "department_ids".into(),
            serde_json::json!({
                "from": current.department_ids.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
                "to": updated.department_ids.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            }),
        );
    }
    if !changes.is_empty() {
        let changed = Record::new(audit::actor_of(Some(caller)), AuditAction::AgentChanged)
            .target(format!("agent:{id}"))
            .detail(serde_json::Value::Object(changes));
        audit::record(ctx, changed).await?;
    }
    Ok(updated)
}

pub async fn create_department(ctx: &AccountCtx, caller: &Caller, name: &str) -> Result<Department, AppError> {
    caller.require_admin()?;
    let name = parse_name("name", name)?;
    let d = Department { id: DepartmentId::new(), account_id: ctx.account_id, name, created_at: ctx.now() };
    ctx.store.insert_department(&d).await?;
    Ok(d)
}

pub async fn list_departments(ctx: &AccountCtx) -> Result<Vec<Department>, AppError> {
    Ok(ctx.store.list_departments(ctx.account_id).await?)
}

pub async fn get_agent(ctx: &AccountCtx, id: AgentId) -> Result<Agent, AppError> {
    ctx.store.get_agent(ctx.account_id, id).await?.ok_or(AppError::NotFound)
}

/// The link where a new agent sets a password, from the token [`add_agent`] returned.
pub fn setup_link(app: &crate::App, ctx: &AccountCtx, token: &str) -> String {
    format!("{}/password/reset?token={token}", app.settings.account_url(ctx.slug.as_str()))
}
