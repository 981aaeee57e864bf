//! Mail Parley sends about tickets: replies to customers, acknowledgements, notifications to agents.

use super::templates;
use super::Identity;
use parley_domain::agent::Agent;
use parley_domain::contact::Contact;
use parley_domain::email::EmailAddress;
use parley_domain::ids::{MessageId, OutboxEventId};
use parley_domain::mail::{agent_reply_address, outgoing_message_id, subject_with_token};
use parley_domain::mail_template::TemplateValues;
use parley_domain::message::Message;
use parley_domain::ticket::Ticket;
use parley_domain::Timestamp;
use parley_store::{MailMeta, OutboundMail};

/// How many Message-IDs a `References` header carries at most (the first and the latest ones).
const MAX_REFERENCES: usize = 20;

fn references(thread: &[String]) -> Vec<String> {
    if thread.len() <= MAX_REFERENCES {
        return thread.to_vec();
    }
    let mut out = vec![thread[0].clone()];
    out.extend_from_slice(&thread[thread.len() - (MAX_REFERENCES - 1)..]);
    out
}

fn reply_subject(ticket: &Ticket) -> String {
    let s = subject_with_token(&ticket.subject, ticket.number);
    if s.to_ascii_lowercase().starts_with("re:") {
        s
    } else {
        format!("Re: {s}")
    }
}

fn new_mail(
    id: &Identity,
    ticket: &Ticket,
    kind: &str,
    to: String,
    subject: String,
    text: String,
    meta: MailMeta,
) -> OutboundMail {
    OutboundMail {
        id: OutboxEventId::new().to_string(),
        account_id: ticket.account_id,
        kind: kind.into(),
        to,
        subject,
        text,
        ticket_id: Some(ticket.id),
        message_id: None,
        created_at: Timestamp::now(),
        meta: MailMeta {
            from: id.from.clone(),
            from_name: Some(id.name.clone()),
            reply_to: Some(id.from.clone()),
            ..meta
        },
    }
}

/// The mail that carries a public reply to the customer, copied to the ticket's participants. The message's
/// `email.message_id` must be set: it is the Message-ID the mail goes out with.
pub fn reply_to_customer(
    id: &Identity,
    ticket: &Ticket,
    requester: &Contact,
    cc: &[Contact],
    extra_cc: &[EmailAddress],
    message: &Message,
    thread: &[String],
) -> Option<OutboundMail> {
    let to = requester.email.as_ref()?.to_string();
    let message_id = message.email.as_ref().map(|e| e.message_id.clone())?;
    let meta = MailMeta {
        cc: copied(&to, cc, extra_cc),
        attachments: message.attachments.iter().filter(|a| !a.inline).map(|a| a.id).collect(),
        // The reply as rendered (its Markdown, or the HTML of an agent's own mail unless it holds images parked
        // for privacy, which would arrive broken), else its text made safe.
        html: Some(
            message
                .html
                .clone()
                .filter(|h| !h.contains("data-remote-src"))
                .unwrap_or_else(|| parley_mime::text_to_html(&message.body)),
        ),
        message_id,
        in_reply_to: thread.last().cloned(),
        references: references(thread),
        ..MailMeta::default()
    };
    let mut mail = new_mail(id, ticket, "reply", to, reply_subject(ticket), message.body.clone(), meta);
    mail.message_id = Some(message.id);
    Some(mail)
}

/// Who a reply to `to` copies: the ticket's participants and those copied on this reply, each once, never `to`.
pub fn copied(to: &str, participants: &[Contact], extra: &[EmailAddress]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let all = participants.iter().filter_map(|c| c.email.as_ref()).chain(extra.iter()).map(|e| e.to_string());
    for a in all {
        if a != to && !out.contains(&a) {
            out.push(a);
        }
    }
    out
}

/// The automatic acknowledgement of a new ticket, in the language the requester's mail declared, else the account's.
pub fn acknowledgement(
    id: &Identity,
    ticket: &Ticket,
    requester: &Contact,
    first_mail_id: Option<&str>,
    declared_language: Option<&str>,
) -> Option<OutboundMail> {
    let to = requester.email.as_ref()?.to_string();
    if !id.settings.acknowledge {
        return None;
    }
    let values = TemplateValues {
        ticket_number: ticket.number.0,
        ticket_subject: &ticket.subject,
        requester_name: requester.name.as_deref().unwrap_or(""),
        account_name: &id.name,
    };
    let (subject, text) = templates::acknowledgement_for(&id.settings, declared_language, &id.language, &values);
    let meta = MailMeta {
        html: Some(parley_mime::text_to_html(&text)),
        message_id: outgoing_message_id(&id.secret, ticket.id, MessageId::new(), &id.host),
        in_reply_to: first_mail_id.map(str::to_string),
        references: first_mail_id.map(|m| vec![m.to_string()]).unwrap_or_default(),
        automatic: true,
        ..MailMeta::default()
    };
    Some(new_mail(id, ticket, "acknowledgement", to, subject, text, meta))
}

/// A mail a trigger sends about a ticket (to its requester, its assignee or an address), marked automatic so that
/// auto-responders do not answer it, threaded into the ticket so that an answer lands on it.
pub(crate) fn trigger_mail(id: &Identity, ticket: &Ticket, to: String, subject: String, text: String) -> OutboundMail {
    let meta = MailMeta {
        html: Some(parley_mime::text_to_html(&text)),
        message_id: outgoing_message_id(&id.secret, ticket.id, MessageId::new(), &id.host),
        automatic: true,
        ..MailMeta::default()
    };
    new_mail(id, ticket, "trigger", to, subject, text, meta)
}

/// A note to the ticket's agent that the customer wrote. Its reply address is signed: an answer to it, from that
/// agent, is posted as the agent's reply.
pub fn agent_notification(
    id: &Identity,
    ticket: &Ticket,
    agent: &Agent,
    message: &Message,
    from_name: &str,
) -> OutboundMail {
    let subject = format!("[#{}] {} — new message from {from_name}", ticket.number.0, ticket.subject);
    let text = format!(
        "{from_name} wrote on ticket #{}:\n\n{}\n\n— Reply to this mail to answer the customer.\n",
        ticket.number.0, message.body
    );
    let meta = MailMeta {
        html: Some(parley_mime::text_to_html(&text)),
        message_id: outgoing_message_id(&id.secret, ticket.id, MessageId::new(), &id.host),
        automatic: true,
        ..MailMeta::default()
    };
    let mut mail = new_mail(id, ticket, "notification", agent.email.to_string(), subject, text, meta);
    mail.meta.reply_to = Some(agent_reply_address(&id.secret, ticket.id, &id.host));
    mail
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_keep_the_first_and_the_latest() {
        let thread: Vec<String> = (0..30).map(|i| format!("m{i}@x")).collect();
        let r = references(&thread);
        assert_eq!(r.len(), MAX_REFERENCES);
        assert_eq!(r[0], "m0@x");
        assert_eq!(r.last().map(String::as_str), Some("m29@x"));
    }
}
