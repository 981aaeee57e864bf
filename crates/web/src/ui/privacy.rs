//! The account's public subprocessor page, in the visitor's language (en, de, hu, tl), no sign-in needed.

use super::session::{render, PageError};
use super::shell::Shell;
use crate::extract::Account;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use parley_app::privacy::subprocessors;
use parley_domain::subprocessors::{AccountRegister, Feature};
use parley_i18n::Texts;
use serde::Deserialize;

/// The languages Parley's public pages are written in, as (code, own name).
pub(crate) fn languages() -> Vec<(&'static str, &'static str)> {
    parley_i18n::LANGUAGES.iter().map(|l| (l.code, l.name)).collect()
}

/// `?lang=` when Parley speaks it; otherwise the first language the browser accepts that Parley speaks; otherwise
/// English.
pub(crate) fn pick_language(asked: Option<&str>, headers: &HeaderMap) -> &'static str {
    let accepted = headers.get("accept-language").and_then(|v| v.to_str().ok()).unwrap_or("");
    parley_i18n::negotiate(asked, accepted)
}

fn feature_name(t: Texts, f: Feature) -> String {
    t.get(match f {
        Feature::Hosting => "privacy-feature-hosting",
        Feature::Email => "privacy-feature-email",
        Feature::Voice => "privacy-feature-voice",
        Feature::Ai => "privacy-feature-ai",
        Feature::Support => "privacy-feature-support",
    })
}

pub(crate) struct Row {
    name: String,
    entity: String,
    purpose: String,
    data: String,
    country: String,
    used_for: String,
}

/// The table rows of a list of subprocessors, in `lang`: the public page's and the privacy settings'.
fn rows(t: Texts, list: &[parley_domain::subprocessors::Subprocessor]) -> Vec<Row> {
    list.iter()
        .map(|e| Row {
            name: e.name.clone(),
            entity: e.legal_entity.clone(),
            purpose: e.purpose.clone(),
            data: e.data_categories.join(", "),
            country: e.country.clone(),
            used_for: feature_name(t, e.feature),
        })
        .collect()
}

pub(crate) struct Version {
    version: u32,
    date: String,
    /// (label, names) per kind of change.
    lines: Vec<(String, String)>,
}

#[derive(Template)]
#[template(path = "subprocessors.html")]
struct SubprocessorsPage {
    lang: &'static str,
    t: Texts,
    intro: String,
    rows: Vec<Row>,
    history: Vec<Version>,
    languages: Vec<(&'static str, &'static str)>,
    published: bool,
}

#[derive(Deserialize)]
pub(crate) struct LangQuery {
    lang: Option<String>,
}

pub(crate) async fn page(
    State(state): State<AppState>,
    Account(ctx): Account,
    Query(q): Query<LangQuery>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    let lang = pick_language(q.lang.as_deref(), &headers);
    let t = Texts::of(lang);
    let register: Option<AccountRegister> = subprocessors::for_account(&state.app, &ctx).await?;
    let Some(r) = register else {
        return Ok(render(&SubprocessorsPage {
            lang,
            intro: String::new(),
            t,
            rows: Vec::new(),
            history: Vec::new(),
            languages: languages(),
            published: false,
        }));
    };
    let version = r.version.to_string();
    let intro = t.with(
        "privacy-intro",
        &[("account", ctx.slug.as_str().into()), ("version", (&version).into()), ("date", (&r.date).into())],
    );
    let rows = rows(t, &r.subprocessors);
    let history = r
        .history
        .iter()
        .map(|v| {
            let names = |list: Vec<String>| list.join(", ");
            let mut lines = Vec::new();
            if !v.changes.added.is_empty() {
                lines.push((t.get("privacy-added"), names(v.changes.added.iter().map(|e| e.name.clone()).collect())));
            }
            if !v.changes.removed.is_empty() {
                lines.push((
                    t.get("privacy-removed"),
                    names(v.changes.removed.iter().map(|e| e.name.clone()).collect()),
                ));
            }
            if !v.changes.changed.is_empty() {
                let what = v.changes.changed.iter().map(|c| format!("{} ({})", c.after.name, c.fields.join(", ")));
                lines.push((t.get("privacy-changed"), names(what.collect())));
            }
            Version { version: v.version, date: v.date.clone(), lines }
        })
        .collect();
    Ok(render(&SubprocessorsPage { lang, t, intro, rows, history, languages: languages(), published: true }))
}

/// The account's privacy settings for administrators: who processes its data now, and the optional features with
/// their providers; an owner consents to a feature's providers when switching it on.
#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacySettingsPage {
    shell: Shell,
    csrf: String,
    owner: bool,
    version: String,
    current: Vec<Row>,
    features: Vec<FeatureRow>,
    notices: Vec<NoticeRow>,
    dpa: Option<DpaView>,
    grants: Vec<GrantRow>,
    incidents: Vec<parley_domain::incident::Incident>,
    retention: RetentionView,
}

pub(crate) struct RetentionView {
    closed: String,
    chat: String,
}

pub(crate) struct GrantRow {
    id: String,
    scope: &'static str,
    reason: String,
    until: String,
    live: bool,
    state: String,
}

pub(crate) struct DpaView {
    version: u32,
    date: String,
    title: String,
    body: String,
    /// Who accepted the version in force, and when.
    accepted: Option<String>,
    /// Earlier acceptances' versions, for their records.
    records: Vec<u32>,
}

pub(crate) struct NoticeRow {
    version: u32,
    when: String,
    until: String,
    lines: Vec<String>,
    /// Open to objection now.
    open: bool,
    objection: Option<String>,
}

fn notice_lines(changes: &serde_json::Value) -> Vec<String> {
    let names = |key: &str| -> Vec<String> {
        changes[key]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|e| e["name"].as_str().or(e["after"]["name"].as_str()))
                    .map(str::to_string)
                    .collect()
            })
            .unwrap_or_default()
    };
    let mut out = Vec::new();
    for (key, label) in [("added", "Added"), ("removed", "Removed"), ("changed", "Changed")] {
        let n = names(key);
        if !n.is_empty() {
            out.push(format!("{label}: {}", n.join(", ")));
        }
    }
    out
}

pub(crate) struct FeatureRow {
    key: &'static str,
    name: String,
    enabled: bool,
    consented: bool,
    providers: String,
}

pub(crate) async fn settings(
    State(state): State<AppState>,
    s: super::session::AgentSession,
) -> Result<Response, PageError> {
    let caller = s.caller();
    let states = parley_app::privacy::features::list(&state.app, &s.ctx, &caller).await?;
    let now = parley_domain::Timestamp::now();
    let notices = parley_app::privacy::notices::list(&s.ctx, &caller)
        .await?
        .into_iter()
        .map(|n| NoticeRow {
            version: n.register_version,
            when: n.created_at.to_display(),
            until: n.object_until.to_display(),
            lines: notice_lines(&n.changes),
            open: n.objection.is_none() && now <= n.object_until,
            objection: n.objection.map(|o| format!("Objected on {}: {}", o.at.to_display(), o.reason)),
        })
        .collect();
    let register = subprocessors::for_account(&state.app, &s.ctx).await?;
    let dpa_status = parley_app::privacy::dpa::status(&state.app, &s.ctx, &caller).await?;
    let grants = parley_app::support::list_grants(&s.ctx, &caller)
        .await?
        .into_iter()
        .map(|g| GrantRow {
            id: g.id.to_string(),
            scope: if g.scope == parley_domain::support::GrantScope::ReadOnly { "read-only" } else { "read-write" },
            live: g.is_live(now),
            state: match g.revoked_at {
                Some(r) => format!("revoked {}", r.to_display()),
                None if g.is_live(now) => "in force".into(),
                None => "ended".into(),
            },
            reason: g.reason,
            until: g.expires_at.to_display(),
        })
        .collect();
    let dpa = dpa_status.current.map(|d| DpaView {
        accepted: dpa_status.acceptances.iter().find(|a| a.version == d.version).map(|a| {
            format!(
                "Accepted by {} on {} from {}",
                a.agent_email,
                a.accepted_at.to_display(),
                a.ip.clone().unwrap_or_default()
            )
        }),
        records: dpa_status.acceptances.iter().map(|a| a.version).collect(),
        version: d.version,
        date: d.date,
        title: d.title,
        body: d.body,
    });
    let incidents = parley_app::privacy::incidents::list(&s.ctx, &caller).await?;
    let policy = parley_app::privacy::retention::get(&s.ctx, &caller).await?;
    let days = |d: Option<u32>| d.map(|d| d.to_string()).unwrap_or_default();
    let retention = RetentionView { closed: days(policy.closed_ticket_days), chat: days(policy.chat_days) };
    let current = register.as_ref().map(|r| rows(Texts::of("en"), &r.subprocessors)).unwrap_or_default();
    let features = states
        .iter()
        .map(|f| FeatureRow {
            key: f.feature.as_str(),
            name: feature_name(Texts::of("en"), f.feature),
            enabled: f.enabled,
            consented: f.consented,
            providers: f
                .providers
                .iter()
                .map(|p| format!("{} ({}): {}", p.name, p.country, p.purpose))
                .collect::<Vec<_>>()
                .join("; "),
        })
        .collect();
    Ok(render(&PrivacySettingsPage {
        shell: Shell::build(&s, "settings", Some("privacy")).await?,
        csrf: s.session.csrf_token.clone(),
        owner: s.agent.role == parley_domain::agent::Role::Owner,
        version: register.map(|r| format!("version {} of {}", r.version, r.date)).unwrap_or_default(),
        current,
        features,
        notices,
        dpa,
        grants,
        incidents,
        retention,
    }))
}

#[derive(Deserialize)]
pub(crate) struct FeatureForm {
    enabled: String,
    consent: Option<String>,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub(crate) async fn set_feature(
    State(state): State<AppState>,
    s: super::session::AgentSession,
    axum::extract::Path(feature): axum::extract::Path<String>,
    axum::Form(f): axum::Form<FeatureForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let feature = Feature::parse(&feature).ok_or(PageError::Api(crate::error::ApiError::NotFound))?;
    let on = f.enabled == "1";
    parley_app::privacy::features::set(&state.app, &s.ctx, &s.caller(), feature, on, f.consent.is_some()).await?;
    Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to("/settings/privacy")))
}

#[derive(Deserialize)]
pub(crate) struct ObjectionForm {
    #[serde(default)]
    reason: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub(crate) async fn object(
    s: super::session::AgentSession,
    axum::extract::Path(version): axum::extract::Path<String>,
    axum::Form(f): axum::Form<ObjectionForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let version = version.parse::<u32>().map_err(|_| PageError::Api(crate::error::ApiError::NotFound))?;
    parley_app::privacy::notices::object(&s.ctx, &s.caller(), version, &f.reason).await?;
    Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to("/settings/privacy")))
}

#[derive(Deserialize)]
pub(crate) struct AcceptForm {
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub(crate) async fn accept_dpa(
    State(state): State<AppState>,
    s: super::session::AgentSession,
    crate::extract::ClientAddr(ip): crate::extract::ClientAddr,
    axum::extract::Path(version): axum::extract::Path<String>,
    axum::Form(f): axum::Form<AcceptForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let version = version.parse::<u32>().map_err(|_| PageError::Api(crate::error::ApiError::NotFound))?;
    parley_app::privacy::dpa::accept(&state.app, &s.ctx, &s.caller(), version, &ip).await?;
    Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to("/settings/privacy")))
}

/// The record of an acceptance, with the text accepted, as a JSON download.
pub(crate) async fn dpa_record(
    State(state): State<AppState>,
    s: super::session::AgentSession,
    axum::extract::Path(version): axum::extract::Path<String>,
) -> Result<Response, PageError> {
    let version = version.parse::<u32>().map_err(|_| PageError::Api(crate::error::ApiError::NotFound))?;
    let record = parley_app::privacy::dpa::record(&state.app, &s.ctx, &s.caller(), version).await?;
    let body = serde_json::to_string_pretty(&record).unwrap_or_default();
    let name = format!("attachment; filename=\"dpa-{}-v{version}.json\"", s.ctx.slug.as_str());
    Ok(axum::response::IntoResponse::into_response((
        [
            (axum::http::header::CONTENT_TYPE, "application/json".to_string()),
            (axum::http::header::CONTENT_DISPOSITION, name),
        ],
        body,
    )))
}

#[derive(Deserialize)]
pub(crate) struct GrantForm {
    scope: String,
    hours: String,
    reason: String,
    /// Ticket numbers (`1042, #1043`) the grant is limited to; empty: all tickets.
    #[serde(default)]
    tickets: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub(crate) async fn create_grant(
    s: super::session::AgentSession,
    axum::Form(f): axum::Form<GrantForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let invalid = |field: &str, m: &str| {
        PageError::Api(parley_app::AppError::Invalid(parley_domain::Invalid::field(field, m)).into())
    };
    let scope = parley_domain::support::GrantScope::parse(&f.scope)
        .ok_or_else(|| invalid("scope", "must be read_only or read_write"))?;
    let hours = f
        .hours
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|h| (1..=720).contains(h))
        .ok_or_else(|| invalid("hours", "must be 1 to 720"))?;
    let mut ticket_ids = Vec::new();
    for n in f.tickets.split([',', ' ']).map(|n| n.trim().trim_start_matches('#')).filter(|n| !n.is_empty()) {
        let number = n
            .parse::<i64>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| invalid("tickets", &format!("'{n}' is not a ticket number")))?;
        let number = parley_domain::ticket::TicketNumber(number);
        let ticket = match parley_app::tickets::find_by_number(&s.ctx, &s.caller(), number).await {
            Err(parley_app::AppError::NotFound) => Err(invalid("tickets", &format!("there is no ticket {number}"))),
            found => Ok(found?),
        }?;
        ticket_ids.push(ticket.id);
    }
    let g = parley_app::support::NewGrant {
        scope,
        expires_at: Some(parley_domain::Timestamp::now().plus_seconds(hours * 3600)),
        reason: f.reason,
        department_ids: Vec::new(),
        ticket_ids,
    };
    parley_app::support::create_grant(&s.ctx, &s.caller(), g).await?;
    Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to("/settings/privacy")))
}

pub(crate) async fn revoke_grant(
    s: super::session::AgentSession,
    axum::extract::Path(id): axum::extract::Path<String>,
    axum::Form(f): axum::Form<AcceptForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    let id = parley_domain::ids::SupportGrantId::parse(&id).ok_or(PageError::Api(crate::error::ApiError::NotFound))?;
    parley_app::support::revoke_grant(&s.ctx, &s.caller(), id).await?;
    Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to("/settings/privacy")))
}

#[derive(Deserialize)]
pub(crate) struct RetentionForm {
    #[serde(default)]
    closed_ticket_days: String,
    #[serde(default)]
    chat_days: String,
    #[serde(rename = "_csrf")]
    csrf: String,
}

pub(crate) async fn set_retention(
    s: super::session::AgentSession,
    axum::Form(f): axum::Form<RetentionForm>,
) -> Result<Response, PageError> {
    s.check_csrf(&f.csrf)?;
    // An empty field keeps that data; anything else must be a number of days.
    let days = |field: &str, v: &str| -> Result<Option<u32>, PageError> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<u32>().map(Some).map_err(|_| {
            PageError::Api(
                parley_app::AppError::Invalid(parley_domain::Invalid::field(
                    field,
                    format!("'{v}' is not a number of days"),
                ))
                .into(),
            )
        })
    };
    let policy = parley_domain::retention::RetentionPolicy {
        closed_ticket_days: days("closed_ticket_days", &f.closed_ticket_days)?,
        chat_days: days("chat_days", &f.chat_days)?,
    };
    parley_app::privacy::retention::set(&s.ctx, &s.caller(), policy).await?;
    Ok(axum::response::IntoResponse::into_response(axum::response::Redirect::to("/settings/privacy")))
}
