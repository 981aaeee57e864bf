//! The protocol state of one session and the answer to each command.
//!
//! Kept apart from the connection handling in `session.rs`: this file decides what to say, that one moves bytes.

use std::net::SocketAddr;
use std::sync::Arc;

use crate::address::parse_path;
use crate::command::{self, Command};
use crate::data::DataOutcome;
use crate::reply::{clean_text, Reply};
use crate::server::Shared;
use crate::sink::{Delivered, Envelope, RcptVerdict};

/// Protocol errors (unknown commands, bad syntax, bad sequence) tolerated before the session is closed: a client
/// this confused is either broken or probing.
const MAX_ERRORS: u32 = 20;

/// What the session should do after a command.
#[derive(Debug)]
pub(crate) enum Step {
    Reply(Reply),
    /// Send the reply, then close.
    Close(Reply),
    /// Send the `220`, then run the TLS handshake.
    StartTls(Reply),
    /// Send the `354`, then read the message text.
    Data(Reply),
}

struct Transaction {
    mail_from: Option<String>,
    rcpt_to: Vec<String>,
}

pub(crate) struct Dialogue {
    shared: Arc<Shared>,
    peer: SocketAddr,
    tls: bool,
    helo: Option<String>,
    transaction: Option<Transaction>,
    errors: u32,
    messages: u32,
}

impl Dialogue {
    pub(crate) fn new(shared: Arc<Shared>, peer: SocketAddr) -> Self {
        Self { shared, peer, tls: false, helo: None, transaction: None, errors: 0, messages: 0 }
    }

    /// Whether a `MAIL` has been accepted and its transaction not yet finished or reset.
    pub(crate) fn in_transaction(&self) -> bool {
        self.transaction.is_some()
    }

    /// Messages handed to the sink in this session.
    pub(crate) fn messages(&self) -> u32 {
        self.messages
    }

    /// RFC 3207 §4.2: after the handshake the session starts over; nothing said before TLS is kept.
    pub(crate) fn tls_started(&mut self) {
        self.tls = true;
        self.helo = None;
        self.transaction = None;
    }

    pub(crate) fn line_too_long(&mut self) -> Step {
        self.count_error(Step::Reply(Reply::new(500, "5.5.2 Line too long")))
    }

    pub(crate) async fn command(&mut self, line: &[u8]) -> Step {
        let command = command::parse(line);
        tracing::debug!(command = verb(&command), "command");
        let step = self.answer(command).await;
        self.count_error(step)
    }

    async fn answer(&mut self, command: Command<'_>) -> Step {
        let lmtp = self.shared.config.lmtp;
        let reply = match command {
            Command::Ehlo(_) | Command::Helo(_) if lmtp => Reply::new(500, "5.5.1 This is an LMTP server: use LHLO"),
            Command::Lhlo(_) if !lmtp => Reply::new(500, "5.5.1 LHLO is for LMTP: use EHLO"),
            Command::Ehlo(name) | Command::Lhlo(name) => self.greet(name, true),
            Command::Helo(name) => self.greet(name, false),
            Command::Mail(arg) => self.mail(arg),
            Command::Rcpt(arg) => self.rcpt(arg).await,
            Command::Data => return self.data(),
            Command::Rset => {
                self.transaction = None;
                Reply::new(250, "2.0.0 Ok")
            }
            Command::Noop => Reply::new(250, "2.0.0 Ok"),
            Command::Quit => return Step::Close(Reply::new(221, format!("2.0.0 {} Bye", self.shared.config.hostname))),
            Command::Vrfy => Reply::new(252, "2.5.0 Cannot VRFY user, but will accept message and attempt delivery"),
            Command::Expn => Reply::new(502, "5.5.1 EXPN not available"),
            Command::Help => Reply::new(214, format!("2.0.0 Commands: {}", self.command_names())),
            Command::StartTls => return self.start_tls(),
            Command::Syntax(text) => Reply::new(501, format!("5.5.4 {text}")),
            Command::Unknown => Reply::new(500, "5.5.2 Command not recognized"),
        };
        Step::Reply(reply)
    }

    fn count_error(&mut self, step: Step) -> Step {
        let code = match &step {
            Step::Reply(r) | Step::Close(r) | Step::StartTls(r) | Step::Data(r) => r.code,
        };
        if matches!(code, 500..=504 | 555) {
            self.errors += 1;
            if self.errors > MAX_ERRORS {
                tracing::info!(errors = self.errors, "too many protocol errors, closing");
                return Step::Close(Reply::new(421, format!("4.7.0 {} Too many errors", self.shared.config.hostname)));
            }
        }
        step
    }

    fn command_names(&self) -> &'static str {
        if self.shared.config.lmtp {
            "LHLO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS"
        } else {
            "EHLO HELO MAIL RCPT DATA RSET NOOP QUIT VRFY HELP STARTTLS"
        }
    }

    /// EHLO/HELO/LHLO start over (RFC 5321 §4.1.4: a greeting also resets any transaction).
    fn greet(&mut self, name: &str, extended: bool) -> Reply {
        self.helo = Some(name.to_owned());
        self.transaction = None;
        let config = &self.shared.config;
        let first = format!("{} Hello", config.hostname);
        if !extended {
            return Reply::new(250, first);
        }
        let mut lines = vec![
            first,
            "PIPELINING".to_owned(),
            format!("SIZE {}", config.max_message_bytes),
            "8BITMIME".to_owned(),
            "ENHANCEDSTATUSCODES".to_owned(),
        ];
        if self.shared.acceptor.is_some() && !self.tls {
            lines.push("STARTTLS".to_owned());
        }
        Reply::multi(250, lines)
    }

    fn mail(&mut self, arg: &str) -> Reply {
        if self.helo.is_none() {
            let greeting = if self.shared.config.lmtp { "LHLO" } else { "EHLO/HELO" };
            return Reply::new(503, format!("5.5.1 Send {greeting} first"));
        }
        if self.transaction.is_some() {
            return Reply::new(503, "5.5.1 Nested MAIL command");
        }
        let path = match parse_path(arg, false) {
            Ok(path) => path,
            Err(text) => return Reply::new(501, format!("5.1.7 {text}")),
        };
        for param in path.params.split_ascii_whitespace() {
            let (key, value) = param.split_once('=').unwrap_or((param, ""));
            if key.eq_ignore_ascii_case("SIZE") {
                // RFC 1870 §6.2: refuse a declared size over the limit before the text is sent.
                match value.parse::<u64>() {
                    Ok(size) if size > self.shared.config.max_message_bytes as u64 => {
                        tracing::info!(size, "declared size over the limit");
                        return Reply::new(552, "5.3.4 Message size exceeds fixed maximum message size");
                    }
                    Ok(_) => {}
                    Err(_) => return Reply::new(501, "5.5.4 Bad SIZE parameter"),
                }
            } else if key.eq_ignore_ascii_case("BODY") {
                if !(value.eq_ignore_ascii_case("7BIT") || value.eq_ignore_ascii_case("8BITMIME")) {
                    return Reply::new(501, "5.5.4 Unsupported BODY type");
                }
            } else {
                return Reply::new(555, "5.5.4 Unsupported MAIL parameter");
            }
        }
        self.transaction = Some(Transaction { mail_from: path.mailbox.map(str::to_owned), rcpt_to: Vec::new() });
        Reply::new(250, "2.1.0 Ok")
    }

    async fn rcpt(&mut self, arg: &str) -> Reply {
        let max = self.shared.config.max_recipients;
        let Some(transaction) = self.transaction.as_mut() else {
            return Reply::new(503, "5.5.1 Need MAIL command first");
        };
        let address = match parse_path(arg, true) {
            Ok(path) if !path.params.is_empty() => return Reply::new(555, "5.5.4 Unsupported RCPT parameter"),
            Ok(path) => match path.mailbox {
                Some(mailbox) => mailbox,
                None => return Reply::new(501, "5.1.3 Null recipient not allowed"),
            },
            Err(text) => return Reply::new(501, format!("5.1.3 {text}")),
        };
        if transaction.rcpt_to.len() >= max {
            return Reply::new(452, "4.5.3 Too many recipients");
        }
        match self.shared.sink.check_recipient(address).await {
            RcptVerdict::Accept => {
                transaction.rcpt_to.push(address.to_owned());
                Reply::new(250, "2.1.5 Ok")
            }
            RcptVerdict::Reject { code, enhanced, text } => {
                tracing::info!(code, "recipient rejected");
                let code = if (500..=599).contains(&code) { code } else { 550 };
                let enhanced = if permanent_enhanced(enhanced) { enhanced } else { "5.1.1" };
                Reply::new(code, format!("{enhanced} {}", clean_text(&text)))
            }
            RcptVerdict::TempFail { text } => {
                tracing::info!("recipient temporarily refused");
                Reply::new(451, format!("4.3.0 {}", clean_text(&text)))
            }
        }
    }

    fn data(&self) -> Step {
        match &self.transaction {
            None => Step::Reply(Reply::new(503, "5.5.1 Need MAIL command first")),
            // RFC 2033 §4.2 requires 503 here for LMTP; RFC 5321 §3.3 allows it for SMTP.
            Some(t) if t.rcpt_to.is_empty() => Step::Reply(Reply::new(503, "5.5.1 No valid recipients")),
            Some(_) => Step::Data(Reply::new(354, "End data with <CR><LF>.<CR><LF>")),
        }
    }

    fn start_tls(&self) -> Step {
        let reply = if self.shared.acceptor.is_none() {
            Reply::new(502, "5.5.1 STARTTLS not available")
        } else if self.tls {
            Reply::new(503, "5.5.1 TLS already active")
        } else if self.transaction.is_some() {
            Reply::new(503, "5.5.1 STARTTLS not allowed during a mail transaction")
        } else {
            return Step::StartTls(Reply::new(220, "2.0.0 Ready to start TLS"));
        };
        Step::Reply(reply)
    }

    /// The message text has been read: hand it to the sink and say how it went. The transaction ends either way.
    pub(crate) async fn message(&mut self, outcome: DataOutcome) -> Vec<Reply> {
        let Some(transaction) = self.transaction.take() else {
            return vec![Reply::new(503, "5.5.1 No transaction")];
        };
        let raw = match outcome {
            DataOutcome::Complete(raw) => raw,
            DataOutcome::TooBig { size } => {
                tracing::info!(size, "message over the size limit");
                return self.whole_message_reply(&transaction, 552, "5.3.4", "Message too big");
            }
            DataOutcome::LineTooLong => {
                tracing::info!("message with an over-long line");
                return self.whole_message_reply(&transaction, 500, "5.5.2", "Line too long");
            }
        };
        let envelope = Envelope {
            helo: self.helo.clone().unwrap_or_default(),
            mail_from: transaction.mail_from,
            rcpt_to: transaction.rcpt_to,
            peer: self.peer,
            tls: self.tls,
        };
        let mut results = self.shared.sink.deliver(&envelope, &raw).await;
        if results.len() != envelope.rcpt_to.len() {
            tracing::error!(expected = envelope.rcpt_to.len(), got = results.len(), "sink returned wrong result count");
            results.resize(envelope.rcpt_to.len(), Delivered::TempFail("Delivery status unknown".to_owned()));
        }
        self.messages += 1;
        let count = |f: fn(&Delivered) -> bool| results.iter().filter(|d| f(d)).count();
        let stored = count(|d| matches!(d, Delivered::Ok { .. }));
        let deferred = count(|d| matches!(d, Delivered::TempFail(_)));
        let rejected = count(|d| matches!(d, Delivered::Reject(_)));
        tracing::info!(
            bytes = raw.len(),
            recipients = results.len(),
            stored,
            deferred,
            rejected,
            null_sender = envelope.mail_from.is_none(),
            "message received"
        );
        if self.shared.config.lmtp {
            envelope.rcpt_to.iter().zip(&results).map(|(rcpt, result)| lmtp_reply(rcpt, result)).collect()
        } else {
            vec![smtp_reply(&results)]
        }
    }

    /// A refusal of the whole message: one reply in SMTP, one per recipient in LMTP (RFC 2033 §4.2).
    fn whole_message_reply(&self, transaction: &Transaction, code: u16, enhanced: &str, text: &str) -> Vec<Reply> {
        if self.shared.config.lmtp {
            transaction.rcpt_to.iter().map(|rcpt| Reply::new(code, format!("{enhanced} <{rcpt}> {text}"))).collect()
        } else {
            vec![Reply::new(code, format!("{enhanced} {text}"))]
        }
    }
}

/// One SMTP reply for all recipients. A mix of stored and refused recipients cannot be told apart after DATA, and
/// this receiver has no queue to send a bounce from; refusing the whole message makes the sender learn of the
/// failure (some recipients may then get a copy twice) instead of losing mail silently.
fn smtp_reply(results: &[Delivered]) -> Reply {
    let first_id = results.iter().find_map(|d| match d {
        Delivered::Ok { id } => Some(id.as_str()),
        _ => None,
    });
    let first_temp = results.iter().find_map(|d| match d {
        Delivered::TempFail(text) => Some(text.as_str()),
        _ => None,
    });
    let first_reject = results.iter().find_map(|d| match d {
        Delivered::Reject(text) => Some(text.as_str()),
        _ => None,
    });
    match (first_id, first_temp, first_reject) {
        (_, Some(text), _) => Reply::new(451, format!("4.3.0 {}", clean_text(text))),
        (Some(id), None, None) => Reply::new(250, format!("2.0.0 Ok: queued as {}", clean_text(id))),
        (None, None, Some(text)) => Reply::new(554, format!("5.0.0 {}", clean_text(text))),
        (Some(_), None, Some(text)) => {
            Reply::new(554, format!("5.0.0 Not delivered to every recipient: {}", clean_text(text)))
        }
        (None, None, None) => Reply::new(451, "4.3.0 Delivery status unknown"),
    }
}

fn lmtp_reply(rcpt: &str, result: &Delivered) -> Reply {
    match result {
        Delivered::Ok { id } => Reply::new(250, format!("2.0.0 <{rcpt}> Ok: delivered as {}", clean_text(id))),
        Delivered::TempFail(text) => Reply::new(451, format!("4.3.0 <{rcpt}> {}", clean_text(text))),
        Delivered::Reject(text) => Reply::new(554, format!("5.0.0 <{rcpt}> {}", clean_text(text))),
    }
}

/// Whether a sink's enhanced code has the RFC 3463 shape of a permanent failure, `5.x.y`.
fn permanent_enhanced(code: &str) -> bool {
    let mut parts = code.split('.');
    let class_ok = parts.next() == Some("5");
    let rest: Vec<&str> = parts.collect();
    class_ok
        && rest.len() == 2
        && rest.iter().all(|p| (1..=3).contains(&p.len()) && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The command's name for logs; never its arguments.
fn verb(command: &Command<'_>) -> &'static str {
    match command {
        Command::Ehlo(_) => "EHLO",
        Command::Helo(_) => "HELO",
        Command::Lhlo(_) => "LHLO",
        Command::Mail(_) => "MAIL",
        Command::Rcpt(_) => "RCPT",
        Command::Data => "DATA",
        Command::Rset => "RSET",
        Command::Noop => "NOOP",
        Command::Quit => "QUIT",
        Command::Vrfy => "VRFY",
        Command::Expn => "EXPN",
        Command::Help => "HELP",
        Command::StartTls => "STARTTLS",
        Command::Syntax(_) => "(bad arguments)",
        Command::Unknown => "(unknown)",
    }
}
