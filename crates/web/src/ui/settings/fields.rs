//! `/settings/fields`: the custom fields tickets carry, and adding one (text, number, date, or a dropdown with
//! its options, one per line).

use super::{frame, refusals, refused, Fields};
use crate::ui::session::{render, AgentSession, PageError};
use crate::ui::shell::Shell;
use askama::Template;
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use parley_app::tickets::{self, NewField};
use parley_domain::custom_field::FieldKind;

const KINDS: [&str; 4] = ["text", "number", "date", "dropdown"];

pub(super) struct Row {
    key: String,
    label: String,
    kind: String,
    options: String,
}

#[derive(Template)]
#[template(path = "settings_fields.html")]
struct FieldsPage {
    shell: Shell,
    rows: Vec<Row>,
    errors: Vec<String>,
    key: String,
    label: String,
    kind: String,
    options: String,
    kinds: Vec<(&'static str, String)>,
}

fn kind_key(k: &FieldKind) -> &'static str {
    match k {
        FieldKind::Text => "text",
        FieldKind::Number => "number",
        FieldKind::Date => "date",
        FieldKind::Dropdown { .. } => "dropdown",
    }
}

async fn build(s: &AgentSession, form: Option<&Fields>, errors: Vec<String>) -> Result<FieldsPage, PageError> {
    let shell = frame(s, "fields").await?;
    let rows = tickets::list_fields(&s.ctx)
        .await?
        .into_iter()
        .map(|f| Row {
            kind: shell.tr(&format!("ws-fields-kind-{}", kind_key(&f.kind))),
            options: match &f.kind {
                FieldKind::Dropdown { options } => options.join(", "),
                _ => String::new(),
            },
            key: f.key,
            label: f.label,
        })
        .collect();
    let kinds = KINDS.iter().map(|k| (*k, shell.tr(&format!("ws-fields-kind-{k}")))).collect();
    Ok(FieldsPage {
        rows,
        errors,
        key: form.map(|f| f.one("key")).unwrap_or_default(),
        label: form.map(|f| f.one("label")).unwrap_or_default(),
        kind: form.map(|f| f.one("kind")).unwrap_or_else(|| "text".into()),
        options: form.map(|f| f.one("options")).unwrap_or_default(),
        kinds,
        shell,
    })
}

pub(crate) async fn page(s: AgentSession) -> Result<Response, PageError> {
    Ok(render(&build(&s, None, Vec::new()).await?))
}

pub(crate) async fn create(s: AgentSession, Form(pairs): Form<Vec<(String, String)>>) -> Result<Response, PageError> {
    let f = Fields(pairs);
    f.check(&s)?;
    let kind = match f.one("kind").as_str() {
        "text" => Some(FieldKind::Text),
        "number" => Some(FieldKind::Number),
        "date" => Some(FieldKind::Date),
        "dropdown" => Some(FieldKind::Dropdown {
            options: f.one("options").lines().map(str::trim).filter(|o| !o.is_empty()).map(String::from).collect(),
        }),
        _ => None,
    };
    let result = match kind {
        Some(kind) => {
            tickets::create_field(&s.ctx, &s.caller(), NewField { key: f.one("key"), label: f.one("label"), kind })
                .await
        }
        None => Err(parley_domain::Invalid::field("kind", "is not a kind of field").into()),
    };
    match result {
        Ok(_) => Ok(Redirect::to("/settings/fields").into_response()),
        Err(e) => {
            let errors = refusals(e)?;
            Ok(refused(&build(&s, Some(&f), errors).await?))
        }
    }
}
