//! A new account: reserved in the directory, written in its region with its owner and a first API key, then made
//! active. The directory learns the slug and region only.

use crate::auth::{self, tokens};
use crate::regions::unknown_region;
use crate::{App, AppError};
use parley_domain::account::{Account, AccountSlug, AccountStatus, DirectoryEntry};
use parley_domain::agent::{Agent, Role};
use parley_domain::email::EmailAddress;
use parley_domain::ids::{AccountId, AgentId};
use parley_domain::region::{DatabaseName, Place, RegionName};
use parley_store::{NewAccount, StoreError};
use std::sync::Arc;

pub struct CreateAccount {
    pub slug: AccountSlug,
    pub region: RegionName,
    pub name: Option<String>,
    pub owner_email: EmailAddress,
    pub owner_name: Option<String>,
}

pub struct CreatedAccount {
    pub account: Account,
    pub region: RegionName,
    pub owner: Agent,
    /// Shown once; only its hash is kept.
    pub owner_password: String,
    /// Shown once; only its hash is kept.
    pub api_key: String,
    pub url: String,
}

#[tracing::instrument(skip_all, fields(slug = %input.slug, region = %input.region))]
pub async fn create_account(app: &App, input: CreateAccount) -> Result<CreatedAccount, AppError> {
    let cell = app.regions.cell(&input.region).ok_or_else(|| unknown_region(&input.region))?;
    // The operator may create accounts in a region no server has started yet. New accounts go to the region's main
    // database; `parley account move` spreads them over its others.
    app.regions.prepare(&Place::main(input.region.clone())).await?;
    let store = cell.store().await?;
    let now = app.regions.clock().now();
    let account_id = AccountId::new();
    let entry = DirectoryEntry {
        account_id,
        slug: input.slug.clone(),
        region: input.region.clone(),
        database: DatabaseName::main(),
        status: AccountStatus::Creating,
    };
    if let Err(e) = app.regions.directory().reserve(&entry).await {
        // A reservation left by a creation that crashed before writing the account may be reclaimed.
        if !matches!(e, StoreError::Conflict(_)) || !reclaim_abandoned(app, &input.slug).await? {
            return Err(e.into());
        }
        app.regions.directory().reserve(&entry).await?;
    }
    let name = input.name.clone().unwrap_or_else(|| input.slug.to_string());
    let account = Account { id: account_id, slug: input.slug.clone(), name, created_at: now };
    let owner_name = input
        .owner_name
        .clone()
        .unwrap_or_else(|| input.owner_email.as_str().split('@').next().unwrap_or("Owner").to_string());
    let owner = Agent {
        id: AgentId::new(),
        account_id,
        email: input.owner_email.clone(),
        name: owner_name,
        role: Role::Owner,
        department_ids: Vec::new(),
        active: true,
        created_at: now,
        profile: Default::default(),
    };
    let password = tokens::random_password();
    let hash = auth::hash_password(&password).await?;
    let (api_key, secret) = auth::new_api_key(account_id, "Created with the account", Some(owner.id));
    let mail_secret = tokens::random_key().iter().map(|b| format!("{b:02x}")).collect();
    let new =
        NewAccount { account: account.clone(), owner: owner.clone(), owner_password_hash: hash, api_key, mail_secret };
    if let Err(e) = parley_store::AccountStore::create_account(store, &new).await {
        let _ = app.regions.directory().release(&input.slug).await;
        return Err(e.into());
    }
    app.regions.directory().set_status(&input.slug, AccountStatus::Active).await?;
    app.regions.forget(&input.slug);
    // The account starts with the rule help desks expect (close solved tickets after four days); it may change it.
    let ctx = crate::AccountCtx {
        account_id,
        slug: input.slug.clone(),
        region: input.region.clone(),
        store: Arc::new(store.clone()),
        clock: app.regions.clock().clone(),
    };
    if let Err(e) = crate::automations::add_default(&ctx).await {
        tracing::warn!(account = %input.slug, error = %e, "the default automation could not be added");
    }
    Ok(CreatedAccount {
        url: app.settings.account_url(input.slug.as_str()),
        account,
        region: input.region,
        owner,
        owner_password: password,
        api_key: secret,
    })
}

/// True if the slug was reserved by a creation that never wrote its account, and the reservation is now gone.
async fn reclaim_abandoned(app: &App, slug: &AccountSlug) -> Result<bool, AppError> {
    let Some(entry) = app.regions.directory().lookup(slug).await? else {
        return Ok(false);
    };
    if entry.status != AccountStatus::Creating {
        return Ok(false);
    }
    let Some(cell) = app.regions.cell_at(&entry.place()) else {
        return Ok(false);
    };
    let store = cell.store().await?;
    if parley_store::AccountStore::get_account(store, entry.account_id).await?.is_some() {
        // Written but never activated: finish the job instead of losing the account.
        app.regions.directory().set_status(slug, AccountStatus::Active).await?;
        return Ok(false);
    }
    app.regions.directory().release(slug).await?;
    Ok(true)
}
