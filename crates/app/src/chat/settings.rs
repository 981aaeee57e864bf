//! The account's chat settings (admins): the sites that may embed its chat, and the secret its own site signs
//! visitor identities with. Also the two checks that use them: a browser request's origin, and an identity.

use crate::audit::{self, Record};
use crate::auth::tokens::random_token;
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::AuditAction;
use parley_domain::chat::{parse_origin, ChatSettings, Visitor, WidgetLook};
use parley_domain::chat_routing::{parse_ring_secs, RoutingSettings, RoutingStrategy};
use parley_domain::email::EmailAddress;
use parley_domain::error::Checker;
use parley_domain::ids::TicketId;
use parley_domain::{text, Invalid};

/// At most this many sites per account.
const MAX_ORIGINS: usize = 100;

/// The account's settings, made with a new identity secret the first time they are needed.
async fn current(ctx: &AccountCtx) -> Result<ChatSettings, AppError> {
    match ctx.store.chat_settings(ctx.account_id).await? {
        Some(s) => Ok(s),
        None => Ok(ctx.store.init_chat_settings(ctx.account_id, &random_token()).await?),
    }
}

pub async fn get(ctx: &AccountCtx, caller: &Caller) -> Result<ChatSettings, AppError> {
    caller.require_admin()?;
    current(ctx).await
}

/// A change to the chat settings; `None` leaves a setting as it is.
#[derive(Default)]
pub struct ChatSettingsChange {
    /// The sites that may embed the chat (an empty list lets any site).
    pub allowed_origins: Option<Vec<String>>,
    /// Make a new identity secret: identities signed with the old one stop being believed.
    pub rotate_secret: bool,
    /// `least_busy` or `round_robin`.
    pub routing: Option<String>,
    /// How long a chat rings one agent before it rings the next.
    pub ring_seconds: Option<i64>,
    /// How the widget looks (all three together).
    pub look: Option<LookInput>,
}

/// The widget's colour (`#rrggbb`), side (`left`/`right`) and greeting as asked for; absent or empty: the
/// widget's own.
#[derive(Debug, Default, serde::Deserialize)]
pub struct LookInput {
    #[serde(default)]
    pub color: Option<String>,
    #[serde(default)]
    pub position: Option<String>,
    #[serde(default)]
    pub greeting: Option<String>,
}

/// Changes the chat settings (administrators; audited).
pub async fn set(ctx: &AccountCtx, caller: &Caller, change: ChatSettingsChange) -> Result<ChatSettings, AppError> {
    caller.require_admin()?;
    let mut errs = Checker::new();
    let origins = change.allowed_origins.map(|origins| {
        if origins.len() > MAX_ORIGINS {
            errs.add("allowed_origins", format!("at most {MAX_ORIGINS} sites"));
        }
        let mut allowed: Vec<String> = origins.iter().filter_map(|o| errs.check(parse_origin(o))).collect();
        allowed.sort();
        allowed.dedup();
        allowed
    });
    let strategy = change.routing.as_deref().map(|r| errs.check(RoutingStrategy::parse(r)));
    let ring_secs = change.ring_seconds.map(|n| errs.check(parse_ring_secs(n)));
    let look = change
        .look
        .as_ref()
        .map(|l| errs.check(WidgetLook::parse(l.color.as_deref(), l.position.as_deref(), l.greeting.as_deref())));
    errs.finish()?;
    let before = current(ctx).await?;
    let after = ChatSettings {
        allowed_origins: origins.unwrap_or_else(|| before.allowed_origins.clone()),
        identity_secret: if change.rotate_secret { random_token() } else { before.identity_secret.clone() },
        routing: RoutingSettings {
            strategy: strategy.flatten().unwrap_or(before.routing.strategy),
            ring_secs: ring_secs.flatten().unwrap_or(before.routing.ring_secs),
        },
        look: look.flatten().unwrap_or_else(|| before.look.clone()),
    };
    ctx.store.set_chat_settings(ctx.account_id, &after, ctx.now()).await?;
    let record = Record::new(audit::actor_of(Some(caller)), AuditAction::SettingsChanged)
        .target("settings:chat")
        .detail(serde_json::json!({
            "allowed_origins": { "before": before.allowed_origins, "after": after.allowed_origins },
            "identity_secret_rotated": change.rotate_secret,
            "routing": { "before": before.routing.strategy.as_str(), "after": after.routing.strategy.as_str() },
            "ring_seconds": { "before": before.routing.ring_secs, "after": after.routing.ring_secs },
            "look": { "before": before.look, "after": after.look },
        }));
    audit::record(ctx, record).await?;
    Ok(after)
}

/// How the account's widget looks (what any visitor's page may learn: no secret). The widget's own look until an
/// admin sets one.
pub async fn look(ctx: &AccountCtx) -> Result<WidgetLook, AppError> {
    Ok(ctx.store.chat_settings(ctx.account_id).await?.map(|s| s.look).unwrap_or_default())
}

/// Refuses a browser request from a site the account did not list. Visitors' requests only read: an account
/// that never set its chat up allows any site, and nothing is written for it here.
pub async fn check_origin(ctx: &AccountCtx, origin: Option<&str>) -> Result<(), AppError> {
    if origin.is_none() {
        return Ok(());
    }
    let listed = ctx.store.chat_settings(ctx.account_id).await?;
    if listed.is_none_or(|s| s.allows(origin)) {
        Ok(())
    } else {
        Err(AppError::Forbidden("this site may not embed the account's chat".into()))
    }
}

/// What a site says about its signed-in user.
pub struct Identity {
    pub id: String,
    pub email: String,
    pub name: Option<String>,
    pub hash: String,
}

/// Makes the visitor the account's contact with this email, but only if the site vouched for the identity with
/// the account's secret: an identity without a valid hash is never merged into an existing contact.
pub async fn identify(ctx: &AccountCtx, visitor: &Visitor, who: Identity) -> Result<(), AppError> {
    let mut errs = Checker::new();
    let id = errs.check(text::checked_text("id", &who.id, 200, false));
    let email = errs.check(EmailAddress::parse(&who.email));
    let name = errs.check(text::optional_text("name", who.name.as_deref(), 200));
    errs.finish()?;
    let (Some(id), Some(email), Some(name)) = (id, email, name) else {
        return Err(AppError::Internal(anyhow::anyhow!("checked identity fields missing")));
    };
    if !current(ctx).await?.vouches_for(&id, who.hash.trim()) {
        return Err(AppError::Forbidden("the identity's hash is not the account's signature of its id".into()));
    }
    ctx.store.identify_visitor(ctx.account_id, visitor.id, &email, name, ctx.now()).await?;
    Ok(())
}

/// Stops the visitor of a chat the agent can see from writing again.
pub async fn block(ctx: &AccountCtx, caller: &Caller, ticket: TicketId) -> Result<(), AppError> {
    crate::tickets::visible(ctx, caller, ticket).await?;
    let visitor = ctx
        .store
        .chat_visitor(ctx.account_id, ticket)
        .await?
        .ok_or_else(|| Invalid::field("ticket", "is not a chat"))?;
    ctx.store.block_visitor(ctx.account_id, visitor, ctx.now()).await?;
    let record = Record::new(audit::actor_of(Some(caller)), AuditAction::SettingsChanged)
        .target(format!("visitor:{visitor}"))
        .detail(serde_json::json!({ "blocked": true, "ticket": ticket.to_string() }));
    audit::record(ctx, record).await?;
    Ok(())
}
