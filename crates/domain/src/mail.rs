//! The rules of the email channel that need no I/O: how Parley marks the mail it sends so that answers find their
//! ticket, how a subject names a ticket, and when a message must never be answered automatically.
//!
//! Every mark that can route mail into a ticket is signed with the account's mail secret (HMAC-SHA256): a sender
//! cannot forge a reply into a ticket, nor pass as an agent, by guessing ids.

use crate::ids::{MessageId, TicketId};
use crate::ticket::TicketNumber;
use hmac::{Hmac, Mac};
use sha2::Sha256;

/// 16 hex characters of HMAC-SHA256 over `parts`, joined by `:`.
fn mac(secret: &[u8], parts: &[&str]) -> String {
    let Ok(mut m) = Hmac::<Sha256>::new_from_slice(secret) else { return String::new() };
    m.update(parts.join(":").as_bytes());
    m.finalize().into_bytes().iter().take(8).map(|b| format!("{b:02x}")).collect()
}

fn simple(id: impl ToString) -> String {
    id.to_string().replace('-', "")
}

fn hyphenated(simple: &str) -> Option<String> {
    if simple.len() != 32 || !simple.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    Some(format!("{}-{}-{}-{}-{}", &simple[..8], &simple[8..12], &simple[12..16], &simple[16..20], &simple[20..]))
}

/// Constant-time comparison of two short strings.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && a.bytes().zip(b.bytes()).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The Message-ID of a message Parley sends: `t<ticket>.m<message>.<mac>@<host>` (without angle brackets).
pub fn outgoing_message_id(secret: &[u8], ticket: TicketId, message: MessageId, host: &str) -> String {
    let (t, m) = (simple(ticket), simple(message));
    format!("t{t}.m{m}.{}@{host}", mac(secret, &["msgid", &t, &m]))
}

/// The ticket a Message-ID of ours belongs to, if it is ours and its signature holds.
pub fn ticket_of_message_id(secret: &[u8], id: &str) -> Option<TicketId> {
    parse_message_id(secret, id).map(|(t, _)| t)
}

/// The ticket and message a Message-ID of ours names, if its signature holds.
pub fn parse_message_id(secret: &[u8], id: &str) -> Option<(TicketId, MessageId)> {
    let id = id.trim().trim_start_matches('<').trim_end_matches('>');
    let (left, _host) = id.split_once('@')?;
    let mut parts = left.split('.');
    let t = parts.next()?.strip_prefix('t')?;
    let m = parts.next()?.strip_prefix('m')?;
    let given = parts.next()?;
    if parts.next().is_some() || !same(given, &mac(secret, &["msgid", t, m])) {
        return None;
    }
    Some((TicketId::parse(&hyphenated(t)?)?, MessageId::parse(&hyphenated(m)?)?))
}

/// The reply address of a notification to an agent: `reply+<ticket>.<mac>@<host>`. Only mail sent to it, from an
/// agent of the account, counts as that agent's reply.
pub fn agent_reply_address(secret: &[u8], ticket: TicketId, host: &str) -> String {
    let t = simple(ticket);
    format!("reply+{t}.{}@{host}", mac(secret, &["reply", &t]))
}

/// The ticket a reply address of ours names, if its signature holds.
pub fn ticket_of_reply_address(secret: &[u8], local_part: &str) -> Option<TicketId> {
    let rest = local_part.strip_prefix("reply+")?;
    let (t, given) = rest.split_once('.')?;
    if !same(given, &mac(secret, &["reply", t])) {
        return None;
    }
    TicketId::parse(&hyphenated(t)?)
}

/// The ticket number in a subject, written `[#1042]`.
pub fn subject_token(subject: &str) -> Option<TicketNumber> {
    let start = subject.find("[#")?;
    let rest = &subject[start + 2..];
    let end = rest.find(']')?;
    let digits = &rest[..end];
    if digits.is_empty() || digits.len() > 15 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    digits.parse().ok().map(TicketNumber)
}

/// The subject of mail about a ticket: the ticket's subject with its token, once.
pub fn subject_with_token(subject: &str, number: TicketNumber) -> String {
    if subject_token(subject) == Some(number) {
        subject.to_string()
    } else {
        format!("{subject} [#{}]", number.0)
    }
}

/// What kind of sender wrote a message, as far as answering it goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sender {
    Person,
    /// An auto-responder, a bounce, a list or bulk mail, or the null sender: never answered automatically.
    Machine,
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &[u8] = b"0123456789abcdef0123456789abcdef";

    #[test]
    fn our_message_ids_lead_back_to_their_ticket() {
        let t = TicketId::new();
        let id = outgoing_message_id(SECRET, t, MessageId::new(), "acme.parley.example");
        assert_eq!(ticket_of_message_id(SECRET, &format!("<{id}>")), Some(t));
        assert_eq!(ticket_of_message_id(b"another secret entirely........", &id), None, "other accounts' keys fail");
        let forged = id.replacen(&simple(t)[..4], "ffff", 1);
        assert_eq!(ticket_of_message_id(SECRET, &forged), None, "a changed id fails");
        assert_eq!(ticket_of_message_id(SECRET, "CAF=abc@mail.gmail.com"), None);
    }

    #[test]
    fn reply_addresses_are_signed() {
        let t = TicketId::new();
        let addr = agent_reply_address(SECRET, t, "acme.example");
        let local = addr.split('@').next().unwrap();
        assert_eq!(ticket_of_reply_address(SECRET, local), Some(t));
        let other = TicketId::new();
        let forged = format!("reply+{}.{}", simple(other), local.rsplit('.').next().unwrap());
        assert_eq!(ticket_of_reply_address(SECRET, &forged), None);
    }

    #[test]
    fn subject_tokens() {
        assert_eq!(subject_token("Re: Printer [#1042]"), Some(TicketNumber(1042)));
        assert_eq!(subject_token("[#] nothing"), None);
        assert_eq!(subject_token("[#12a]"), None);
        assert_eq!(subject_with_token("Printer", TicketNumber(7)), "Printer [#7]");
        assert_eq!(subject_with_token("Re: Printer [#7]", TicketNumber(7)), "Re: Printer [#7]");
    }
}
