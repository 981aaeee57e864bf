//! `/api/v1/tickets`: one file per action.

mod create;
mod list;
mod merge;
mod messages;
mod show;
mod split;
mod update;

pub(crate) use create::__path_create;
pub(crate) use list::__path_list;
pub(crate) use merge::__path_merge;
pub(crate) use messages::{__path_add_message, __path_list_messages, __path_preview};
pub(crate) use show::__path_show;
pub(crate) use split::__path_split;
pub(crate) use update::__path_update;

use crate::state::AppState;
use axum::routing::{get, post};
use axum::Router;
use parley_app::tickets::{in_order, TicketDetail, TimelineItem};

use parley_domain::contact::Contact;
use parley_domain::message::{Message, TicketEvent};
use parley_domain::ticket::Ticket;
use serde::Serialize;

pub(crate) fn router(max_file_bytes: usize) -> Router<AppState> {
    Router::new()
        .route("/tickets", post(create::create).get(list::list))
        .route("/tickets/{id}", get(show::show).patch(update::update))
        .route(
            "/tickets/{id}/messages",
            get(messages::list_messages)
                .post(messages::add_message)
                .layer(axum::extract::DefaultBodyLimit::max(max_file_bytes + (1 << 20))),
        )
        .route("/tickets/{id}/merge", post(merge::merge))
        .route("/messages/preview", post(messages::preview))
        .route("/tickets/{id}/messages/{message_id}/split", post(split::split))
}

/// A ticket as the API shows it: its fields, its requester and, when asked for one ticket, its timeline.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct TicketOut {
    #[serde(flatten)]
    pub ticket: Ticket,
    /// `#1042`: the number as people quote it.
    pub display_number: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requester: Option<Contact>,
    /// Messages and events, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub timeline: Option<Vec<TimelineEntry>>,
    /// On `GET /tickets/{id}`: the SLA policy the ticket is under and how far each target has run, `null` when no
    /// policy matches it.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<SlaOut>)]
    pub sla: Option<Option<SlaOut>>,
    /// On `GET /tickets/{id}`: the phone calls on the ticket, oldest first.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub calls: Option<Vec<CallOut>>,
}

/// A phone call on a ticket.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct CallOut {
    id: String,
    /// `inbound` or `outbound`.
    direction: parley_domain::voice::Direction,
    from: String,
    to: String,
    /// `answered`, `missed`, `voicemail`, `abandoned` or `callback`; `null` while the call goes on.
    outcome: Option<parley_domain::voice::Outcome>,
    duration_s: i64,
    /// Who answered (or was last rung).
    agent_id: Option<String>,
    started_at: parley_domain::Timestamp,
    answered_at: Option<parley_domain::Timestamp>,
    ended_at: Option<parley_domain::Timestamp>,
    /// Once fetched into the account's region: the attachment holding it.
    recording: Option<RecordingOut>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct RecordingOut {
    id: String,
    url: String,
    duration_s: i64,
}

impl From<parley_domain::voice::Call> for CallOut {
    fn from(c: parley_domain::voice::Call) -> Self {
        let recording = c.recording.as_ref().and_then(|r| {
            r.attachment_id.map(|a| RecordingOut {
                id: a.to_string(),
                url: format!("/api/v1/attachments/{a}"),
                duration_s: r.duration_s,
            })
        });
        CallOut {
            id: c.id.to_string(),
            direction: c.direction,
            from: c.from,
            to: c.to,
            outcome: c.outcome,
            duration_s: c.duration_s,
            agent_id: c.agent_id.map(|a| a.to_string()),
            started_at: c.started_at,
            answered_at: c.answered_at,
            ended_at: c.ended_at,
            recording,
        }
    }
}

/// A ticket's SLA: `{"policy": {"id", "name"}, "targets": [{"metric", "due_at", "state", "breached_at",
/// "fulfilled_at"}]}`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SlaOut {
    policy: SlaPolicyRef,
    targets: Vec<parley_domain::sla::TargetState>,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct SlaPolicyRef {
    id: String,
    name: String,
}

impl From<parley_app::sla_ticket::TicketSla> for SlaOut {
    fn from(s: parley_app::sla_ticket::TicketSla) -> Self {
        SlaOut { policy: SlaPolicyRef { id: s.policy_id.to_string(), name: s.policy_name }, targets: s.targets }
    }
}

impl TicketOut {
    /// The ticket as `GET /tickets/{id}` shows it, its SLA measured now: what every answer that shows one ticket
    /// whole gives.
    pub async fn shown(ctx: &parley_app::AccountCtx, d: TicketDetail) -> Result<Self, parley_app::AppError> {
        let sla = parley_app::sla_ticket::sla_of(ctx, &d, ctx.now()).await?;
        let calls = parley_app::voice::calls_on(ctx, d.ticket.id).await?;
        let mut out = TicketOut::detail(d);
        out.sla = Some(sla.map(Into::into));
        out.calls = Some(calls.into_iter().map(CallOut::from).collect());
        Ok(out)
    }

    pub fn bare(ticket: Ticket) -> Self {
        TicketOut {
            display_number: ticket.number.to_string(),
            ticket,
            requester: None,
            timeline: None,
            sla: None,
            calls: None,
        }
    }

    pub fn detail(d: TicketDetail) -> Self {
        let entries = in_order(&d.timeline)
            .into_iter()
            .map(|i| match i {
                TimelineItem::Message(m) => TimelineEntry::Message(m.clone()),
                TimelineItem::Event(e) => TimelineEntry::Event(e.clone()),
            })
            .collect();
        TicketOut {
            display_number: d.ticket.number.to_string(),
            ticket: d.ticket,
            requester: d.requester,
            timeline: Some(entries),
            sla: None,
            calls: None,
        }
    }
}

#[derive(Serialize, utoipa::ToSchema)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(crate) enum TimelineEntry {
    Message(Message),
    Event(TicketEvent),
}
