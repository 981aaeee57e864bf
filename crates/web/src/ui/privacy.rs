//! The account's public subprocessor page, in the visitor's language (en, de, hu, tl), no sign-in needed.

use super::session::{render, PageError};
use crate::extract::Account;
use crate::state::AppState;
use askama::Template;
use axum::extract::{Query, State};
use axum::http::HeaderMap;
use axum::response::Response;
use parley_app::privacy::subprocessors;
use parley_domain::subprocessors::{AccountRegister, Feature};
use serde::Deserialize;

/// The languages the page is written in.
pub(crate) const LANGUAGES: [(&str, &str); 4] =
    [("en", "English"), ("de", "Deutsch"), ("hu", "Magyar"), ("tl", "Tagalog")];

/// `?lang=` when it names one of [`LANGUAGES`]; otherwise the first of them the browser accepts, by its weights;
/// otherwise English.
pub(crate) fn pick_language(asked: Option<&str>, headers: &HeaderMap) -> &'static str {
    let known = |tag: &str| {
        let primary = tag.split(['-', '_']).next().unwrap_or("").trim().to_ascii_lowercase();
        LANGUAGES.iter().map(|(code, _)| *code).find(|c| *c == primary)
    };
    if let Some(l) = asked.and_then(known) {
        return l;
    }
    let accepted = headers.get("accept-language").and_then(|v| v.to_str().ok()).unwrap_or("");
    let mut ranked: Vec<(f32, &'static str)> = accepted
        .split(',')
        .take(20)
        .filter_map(|part| {
            let mut bits = part.split(';');
            let lang = known(bits.next()?)?;
            let q =
                bits.find_map(|b| b.trim().strip_prefix("q=")).map_or(Some(1.0), |q| q.trim().parse::<f32>().ok())?;
            (q > 0.0).then_some((q, lang))
        })
        .collect();
    // Stable: equal weights keep the browser's order.
    ranked.sort_by(|a, b| b.0.total_cmp(&a.0));
    ranked.first().map_or("en", |(_, l)| l)
}

pub(crate) struct Labels {
    title: &'static str,
    /// `{account}`, `{version}` and `{date}` are filled in.
    intro: &'static str,
    none: &'static str,
    name: &'static str,
    entity: &'static str,
    purpose: &'static str,
    data: &'static str,
    country: &'static str,
    used_for: &'static str,
    changes: &'static str,
    no_changes: &'static str,
    added: &'static str,
    removed: &'static str,
    changed: &'static str,
    version: &'static str,
    language: &'static str,
}

fn labels(lang: &str) -> Labels {
    match lang {
        "de" => Labels {
            title: "Unterauftragsverarbeiter",
            intro: "Diese Unternehmen verarbeiten Daten von {account} in dessen Auftrag. Fassung {version}, gültig seit {date}.",
            none: "Es wurde noch keine Liste veröffentlicht.",
            name: "Name",
            entity: "Rechtsträger",
            purpose: "Zweck",
            data: "Daten",
            country: "Land",
            used_for: "Verwendet für",
            changes: "Änderungen",
            no_changes: "Keine Änderungen seit der ersten Fassung.",
            added: "Hinzugefügt",
            removed: "Entfernt",
            changed: "Geändert",
            version: "Fassung",
            language: "Sprache",
        },
        "hu" => Labels {
            title: "Alvállalkozó adatfeldolgozók",
            intro: "Ezek a cégek a(z) {account} megbízásából dolgozzák fel annak adatait. {version}. változat, hatályos: {date}.",
            none: "Még nincs közzétett lista.",
            name: "Név",
            entity: "Jogi személy",
            purpose: "Cél",
            data: "Adatok",
            country: "Ország",
            used_for: "Felhasználás",
            changes: "Változások",
            no_changes: "Az első változat óta nincs változás.",
            added: "Új",
            removed: "Eltávolítva",
            changed: "Módosítva",
            version: "Változat",
            language: "Nyelv",
        },
        "tl" => Labels {
            title: "Mga subprocessor",
            intro: "Pinoproseso ng mga kumpanyang ito ang datos ng {account} para rito. Bersyon {version}, may bisa mula {date}.",
            none: "Wala pang nailalathalang listahan.",
            name: "Pangalan",
            entity: "Legal na entidad",
            purpose: "Layunin",
            data: "Datos",
            country: "Bansa",
            used_for: "Ginagamit para sa",
            changes: "Mga pagbabago",
            no_changes: "Walang pagbabago mula sa unang bersyon.",
            added: "Idinagdag",
            removed: "Inalis",
            changed: "Binago",
            version: "Bersyon",
            language: "Wika",
        },
        _ => Labels {
            title: "Subprocessors",
            intro: "These companies process data of {account} on its behalf. Version {version}, in effect since {date}.",
            none: "No list has been published yet.",
            name: "Name",
            entity: "Legal entity",
            purpose: "Purpose",
            data: "Data",
            country: "Country",
            used_for: "Used for",
            changes: "Changes",
            no_changes: "No changes since the first version.",
            added: "Added",
            removed: "Removed",
            changed: "Changed",
            version: "Version",
            language: "Language",
        },
    }
}

fn feature_name(lang: &str, f: Feature) -> &'static str {
    match (lang, f) {
        (_, Feature::Hosting) if lang == "hu" => "Tárhely",
        (_, Feature::Hosting) => "Hosting",
        ("de", Feature::Email) => "E-Mail",
        ("hu", Feature::Email) => "E-mail",
        (_, Feature::Email) => "Email",
        ("de", Feature::Voice) => "Telefonie",
        ("hu", Feature::Voice) => "Telefon",
        ("tl", Feature::Voice) => "Telepono",
        (_, Feature::Voice) => "Phone",
        ("de", Feature::Ai) => "KI-Antworten",
        ("hu", Feature::Ai) => "MI-válaszok",
        ("tl", Feature::Ai) => "Mga sagot ng AI",
        (_, Feature::Ai) => "AI replies",
        (_, Feature::Support) => "Support",
    }
}

pub(crate) struct Row {
    name: String,
    entity: String,
    purpose: String,
    data: String,
    country: String,
    used_for: &'static str,
}

/// The table rows of a list of subprocessors, in `lang`: the public page's and the privacy settings'.
fn rows(lang: &str, list: &[parley_domain::subprocessors::Subprocessor]) -> Vec<Row> {
    list.iter()
        .map(|e| Row {
            name: e.name.clone(),
            entity: e.legal_entity.clone(),
            purpose: e.purpose.clone(),
            data: e.data_categories.join(", "),
            country: e.country.clone(),
            used_for: feature_name(lang, e.feature),
        })
        .collect()
}

pub(crate) struct Version {
    version: u32,
    date: String,
    /// (label, names) per kind of change.
    lines: Vec<(&'static str, String)>,
}

#[derive(Template)]
#[template(path = "subprocessors.html")]
struct SubprocessorsPage {
    lang: &'static str,
    l: Labels,
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
    let l = labels(lang);
    let register: Option<AccountRegister> = subprocessors::for_account(&state.app, &ctx).await?;
    let Some(r) = register else {
        return Ok(render(&SubprocessorsPage {
            lang,
            intro: String::new(),
            l,
            rows: Vec::new(),
            history: Vec::new(),
            languages: LANGUAGES.to_vec(),
            published: false,
        }));
    };
    let intro = l
        .intro
        .replace("{account}", ctx.slug.as_str())
        .replace("{version}", &r.version.to_string())
        .replace("{date}", &r.date);
    let rows = rows(lang, &r.subprocessors);
    let history = r
        .history
        .iter()
        .map(|v| {
            let names = |list: Vec<String>| list.join(", ");
            let mut lines = Vec::new();
            if !v.changes.added.is_empty() {
                lines.push((l.added, names(v.changes.added.iter().map(|e| e.name.clone()).collect())));
            }
            if !v.changes.removed.is_empty() {
                lines.push((l.removed, names(v.changes.removed.iter().map(|e| e.name.clone()).collect())));
            }
            if !v.changes.changed.is_empty() {
                let what = v.changes.changed.iter().map(|c| format!("{} ({})", c.after.name, c.fields.join(", ")));
                lines.push((l.changed, names(what.collect())));
            }
            Version { version: v.version, date: v.date.clone(), lines }
        })
        .collect();
    Ok(render(&SubprocessorsPage { lang, l, intro, rows, history, languages: LANGUAGES.to_vec(), published: true }))
}

/// The account's privacy settings for administrators: who processes its data now, and the optional features with
/// their providers; an owner consents to a feature's providers when switching it on.
#[derive(Template)]
#[template(path = "privacy.html")]
struct PrivacySettingsPage {
    agent: String,
    csrf: String,
    admin: bool,
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
    name: &'static str,
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
    let current = register.as_ref().map(|r| rows("en", &r.subprocessors)).unwrap_or_default();
    let features = states
        .iter()
        .map(|f| FeatureRow {
            key: f.feature.as_str(),
            name: feature_name("en", f.feature),
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
        agent: s.agent.name.clone(),
        csrf: s.session.csrf_token.clone(),
        admin: true,
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
    let g = parley_app::support::NewGrant {
        scope,
        expires_at: Some(parley_domain::Timestamp::now().plus_seconds(hours * 3600)),
        reason: f.reason,
        department_ids: Vec::new(),
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
