//! Everything about a contact, for a data subject's access request: the contact, the tickets they requested with
//! every message and event, what they wrote in other tickets and the public replies of tickets they were copied
//! on, and the files that came with all of it. The export is recorded in the audit log.

use crate::audit::{self, Record};
use crate::{AccountCtx, AppError, Caller};
use parley_domain::audit::AuditAction;
use parley_domain::event::Actor;
use parley_domain::ids::ContactId;
use parley_domain::message::Message;
use parley_domain::ticket::TicketNumber;
use parley_store::{SortKey, TicketCursor, TicketFilter, TicketQuery};

/// The files of an export: a name (safe to use in an archive) and the bytes.
pub struct ContactExport {
    pub files: Vec<(String, Vec<u8>)>,
}

const PAGE: u32 = 100;

/// Collects the export (admins).
pub async fn export_contact(ctx: &AccountCtx, caller: &Caller, id: ContactId) -> Result<ContactExport, AppError> {
    caller.require_admin()?;
    let contact = ctx.store.get_contact(ctx.account_id, id).await?.ok_or(AppError::NotFound)?;
    let mut files = vec![("contact.json".to_string(), json(&contact)?)];
    let mut tickets = Vec::new();
    let mut after = None;
    loop {
        let query = TicketQuery {
            filter: TicketFilter { requester: Some(id), ..Default::default() },
            sort: SortKey::CreatedAt,
            descending: false,
            after,
            limit: PAGE,
        };
        let page = ctx.store.list_tickets(ctx.account_id, &query).await?;
        after = page.last().and_then(|t| TicketCursor::after(t, SortKey::CreatedAt));
        let done = (page.len() as u32) < PAGE;
        for t in page {
            let timeline = ctx.store.timeline(ctx.account_id, t.id).await?;
            add_files(ctx, &mut files, t.number, timeline.messages.iter()).await?;
            tickets.push(serde_json::json!({ "ticket": t, "messages": timeline.messages, "events": timeline.events }));
        }
        if done {
            break;
        }
    }
    files.push(("tickets.json".to_string(), json(&tickets)?));
    // Other people's tickets: what the contact wrote there, and what was sent to them as a copy (public replies);
    // internal notes and the rest stay out, being about others.
    let mut others = Vec::new();
    for tid in ctx.store.tickets_touching(ctx.account_id, id).await? {
        let Some(t) = ctx.store.get_ticket(ctx.account_id, tid).await? else { continue };
        let copied = ctx.store.participants(ctx.account_id, tid).await?.iter().any(|p| p.id == id);
        let timeline = ctx.store.timeline(ctx.account_id, tid).await?;
        let theirs: Vec<_> = timeline
            .messages
            .into_iter()
            .filter(|m| m.author == Actor::Contact(id) || (copied && !m.internal))
            .collect();
        add_files(ctx, &mut files, t.number, theirs.iter().filter(|m| m.author == Actor::Contact(id))).await?;
        others.push(serde_json::json!({
            "ticket": { "id": t.id, "number": t.number, "subject": t.subject, "created_at": t.created_at },
            "copied": copied,
            "messages": theirs,
        }));
    }
    files.push(("other_tickets.json".to_string(), json(&others)?));
    let r = Record::new(audit::actor_of(Some(caller)), AuditAction::ContactExported)
        .target(format!("contact:{id}"))
        .detail(serde_json::json!({ "tickets": tickets.len(), "other_tickets": others.len(), "files": files.len() }));
    audit::record(ctx, r).await?;
    Ok(ContactExport { files })
}

/// The files of these messages of ticket `number`, under `attachments/<number>/`.
async fn add_files<'m>(
    ctx: &AccountCtx,
    files: &mut Vec<(String, Vec<u8>)>,
    number: TicketNumber,
    messages: impl Iterator<Item = &'m Message>,
) -> Result<(), AppError> {
    for m in messages {
        for a in &m.attachments {
            if let Some((_, _, bytes)) = ctx.store.attachment(ctx.account_id, a.id).await? {
                let name = parley_mime::safe_filename(&a.filename);
                files.push((format!("attachments/{}/{}-{name}", number.0, a.id), bytes));
            }
        }
    }
    Ok(())
}

fn json<T: serde::Serialize>(v: &T) -> Result<Vec<u8>, AppError> {
    serde_json::to_vec_pretty(v).map_err(|e| AppError::Internal(e.into()))
}
