//! An IMAP client for fetching a mailbox's mail: connect (IMAPS, STARTTLS, or plain to this machine only), sign
//! in with a password, take what came after the last message fetched, and afterwards flag or move each message,
//! once the caller has stored it. Where the server offers IDLE (RFC 2177), wait on the folder until it reports a
//! change.

use async_imap::extensions::idle::IdleResponse;
use async_imap::imap_proto::{Response, Status};
use async_imap::types::UnsolicitedResponse;
use futures_util::TryStreamExt;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::net::TcpStream;
use tokio_rustls::rustls::pki_types::ServerName;
use tokio_rustls::rustls::{ClientConfig, RootCertStore};
use tokio_rustls::TlsConnector;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Security {
    Imaps,
    Starttls,
    /// Only to a server on this machine.
    Plain,
}

#[derive(Clone)]
pub struct ImapTarget {
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub user: String,
    pub password: String,
    pub folder: String,
}

impl std::fmt::Debug for ImapTarget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}@{}:{}/{} ({:?})", self.user, self.host, self.port, self.folder, self.security)
    }
}

/// Where fetching stopped: messages with higher UIDs are new, as long as the folder's UIDVALIDITY is the same.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct ImapPosition {
    pub uid_validity: u32,
    pub last_uid: u32,
}

#[derive(Debug, thiserror::Error)]
pub enum ImapError {
    #[error("cannot connect: {0}")]
    Connect(String),
    #[error("TLS failed: {0}")]
    Tls(String),
    /// With the server's own words (`[AUTHENTICATIONFAILED] Authentication failed.`), which say what to fix.
    #[error("the server refused the sign-in: {0}")]
    Login(String),
    #[error("IMAP: {0}")]
    Protocol(String),
    #[error("the server did not answer within {} s", REPLY_LIMIT.as_secs())]
    NoReply,
}

/// Longest wait for one answer (a whole message fetched, a command confirmed). A connection that died without
/// closing, which long IDLE connections meet behind NAT, would otherwise keep its caller waiting for ever; generous,
/// as one answer can be a large message over a slow link.
const REPLY_LIMIT: Duration = Duration::from_secs(300);

/// What came of [`ImapConnection::fetch_after`].
#[derive(Debug)]
pub struct Fetched {
    /// The folder's UIDVALIDITY, which the position saved with the messages' UIDs must carry.
    pub uid_validity: u32,
    /// UID and text of each message, oldest first.
    pub messages: Vec<(u32, Vec<u8>)>,
    /// More new messages are waiting than `max` allowed.
    pub more: bool,
}

/// How a wait in IDLE ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Idled {
    /// The server reported a change to the folder (new mail, most likely); fetch again.
    Changed,
    /// The time given passed without a change.
    Timeout,
    /// The caller's stop signal came.
    Stopped,
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Io for T {}

type Session = async_imap::Session<Box<dyn Io>>;

pub struct ImapConnection {
    session: Session,
    /// The server advertises IDLE.
    idle: bool,
    /// The server reported new mail (EXISTS or RECENT) since the folder was last selected.
    news: bool,
}

fn protocol(e: impl std::fmt::Display) -> ImapError {
    ImapError::Protocol(e.to_string())
}

/// One exchange with the server, bounded by [`REPLY_LIMIT`].
async fn reply<T, E: std::fmt::Display>(exchange: impl Future<Output = Result<T, E>>) -> Result<T, ImapError> {
    match tokio::time::timeout(REPLY_LIMIT, exchange).await {
        Ok(answer) => answer.map_err(protocol),
        Err(_) => Err(ImapError::NoReply),
    }
}

/// Reads all the responses the server sent unasked, which async-imap queues (up to 100, dropping the rest, so they
/// are read after every command); true when one of them announced new mail.
fn announce_mail(notices: impl Iterator<Item = UnsolicitedResponse>) -> bool {
    notices.fold(false, |news, n| news | matches!(n, UnsolicitedResponse::Exists(_) | UnsolicitedResponse::Recent(_)))
}

fn tls_connector() -> TlsConnector {
    let mut roots = RootCertStore::empty();
    roots.extend(webpki_roots::TLS_SERVER_ROOTS.iter().cloned());
    let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map(|b| b.with_root_certificates(roots).with_no_client_auth())
        .unwrap_or_else(|_| {
            // The ring provider supports the default versions; this cannot fail, but an error must not panic.
            ClientConfig::builder().with_root_certificates(RootCertStore::empty()).with_no_client_auth()
        });
    TlsConnector::from(Arc::new(config))
}

async fn tls(host: &str, tcp: TcpStream) -> Result<Box<dyn Io>, ImapError> {
    let name = ServerName::try_from(host.to_string()).map_err(|e| ImapError::Tls(e.to_string()))?;
    let stream = tls_connector().connect(name, tcp).await.map_err(|e| ImapError::Tls(e.to_string()))?;
    Ok(Box::new(stream))
}

impl ImapConnection {
    pub async fn open(t: &ImapTarget) -> Result<ImapConnection, ImapError> {
        let tcp = match tokio::time::timeout(REPLY_LIMIT, TcpStream::connect((t.host.as_str(), t.port))).await {
            Ok(tcp) => tcp.map_err(|e| ImapError::Connect(e.to_string()))?,
            Err(_) => return Err(ImapError::NoReply),
        };
        let client = match t.security {
            Security::Imaps => {
                let mut c = async_imap::Client::new(tls(&t.host, tcp).await?);
                reply(c.read_response()).await?;
                c
            }
            Security::Plain => {
                let stream: Box<dyn Io> = Box::new(tcp);
                let mut c = async_imap::Client::new(stream);
                reply(c.read_response()).await?;
                c
            }
            Security::Starttls => {
                let mut plain = async_imap::Client::new(tcp);
                reply(plain.read_response()).await?;
                reply(plain.run_command_and_check_ok("STARTTLS", None)).await?;
                async_imap::Client::new(tls(&t.host, plain.into_inner()).await?)
            }
        };
        let mut session = match tokio::time::timeout(REPLY_LIMIT, client.login(&t.user, &t.password)).await {
            Ok(Ok(session)) => session,
            Ok(Err((e, _))) => return Err(ImapError::Login(e.to_string())),
            Err(_) => return Err(ImapError::NoReply),
        };
        // Asked after signing in: servers may offer more to a signed-in user.
        let idle = reply(session.capabilities()).await?.has_str("IDLE");
        Ok(ImapConnection { session, idle, news: false })
    }

    /// Whether the server offers IDLE, so that [`ImapConnection::idle`] can be used.
    pub fn can_idle(&self) -> bool {
        self.idle
    }

    /// Remembers whether the responses the server sent unasked announced new mail.
    fn note(&mut self) {
        let notices = &self.session.unsolicited_responses;
        self.news |= announce_mail(std::iter::from_fn(|| notices.try_recv().ok()));
    }

    /// Messages after `from` (all of them when the folder's UIDVALIDITY changed), oldest first, at most `max`.
    pub async fn fetch_after(&mut self, folder: &str, from: ImapPosition, max: usize) -> Result<Fetched, ImapError> {
        // What was announced before this SELECT is covered by the search below.
        self.note();
        self.news = false;
        let mailbox = reply(self.session.select(folder)).await?;
        let validity = mailbox.uid_validity.unwrap_or(0);
        let after = if validity == from.uid_validity { from.last_uid } else { 0 };
        // `n:*` always names the highest message, even below n; filter to what is really new.
        let found = reply(self.session.uid_search(format!("UID {}:*", after.saturating_add(1)))).await?;
        self.note();
        let mut uids: Vec<u32> = found.into_iter().filter(|u| *u > after).collect();
        uids.sort_unstable();
        let more = uids.len() > max;
        uids.truncate(max);
        let mut messages = Vec::with_capacity(uids.len());
        for uid in uids {
            let session = &mut self.session;
            let fetches: Vec<_> =
                reply(
                    async move { session.uid_fetch(uid.to_string(), "(UID BODY.PEEK[])").await?.try_collect().await },
                )
                .await?;
            self.note();
            for f in fetches {
                if let (Some(u), Some(body)) = (f.uid, f.body()) {
                    messages.push((u, body.to_vec()));
                }
            }
        }
        Ok(Fetched { uid_validity: validity, messages, more })
    }

    /// A message is stored: flag it seen, or move it to `move_to`.
    pub async fn done(&mut self, uid: u32, move_to: Option<&str>) -> Result<(), ImapError> {
        let session = &mut self.session;
        match move_to {
            Some(folder) => reply(session.uid_mv(uid.to_string(), folder)).await?,
            None => {
                let updates: Vec<_> =
                    reply(
                        async move { session.uid_store(uid.to_string(), "+FLAGS (\\Seen)").await?.try_collect().await },
                    )
                    .await?;
                drop(updates);
            }
        }
        self.note();
        Ok(())
    }

    /// Waits in IDLE on the folder the last [`ImapConnection::fetch_after`] selected, until the server reports a
    /// change, `limit` passes, or `stop` completes. RFC 2177 asks clients to re-issue IDLE within 29 minutes, so
    /// `limit` should be below that. The session can do nothing else meanwhile, so the connection is taken and
    /// given back; after an error it is gone and a new one must be opened.
    pub async fn idle(
        mut self,
        limit: Duration,
        stop: impl Future<Output = ()>,
    ) -> Result<(ImapConnection, Idled), ImapError> {
        if !self.idle {
            return Err(ImapError::Protocol("the server does not offer IDLE".into()));
        }
        // Mail announced after the last search, in answer to a later command, would not be announced again.
        self.note();
        if self.news {
            return Ok((self, Idled::Changed));
        }
        let ImapConnection { session, idle, .. } = self;
        let notices = session.unsolicited_responses.clone();
        let mut handle = session.idle();
        reply(handle.init()).await?;
        // Announced before the server's go-ahead, which async-imap files with the unasked responses.
        let outcome = if announce_mail(std::iter::from_fn(|| notices.try_recv().ok())) {
            Idled::Changed
        } else {
            // Kept until the wait is over: dropping it would interrupt the wait.
            let (wait, _interrupt) = handle.wait_with_timeout(limit);
            tokio::select! {
                answer = wait => match answer.map_err(protocol)? {
                    IdleResponse::NewData(data) => {
                        if matches!(data.parsed(), Response::Data { status: Status::Bye, .. }) {
                            return Err(ImapError::Protocol("the server ended the session".into()));
                        }
                        Idled::Changed
                    }
                    // async-imap's limit restarts with every keep-alive the server sends; the sleep below is the
                    // real one.
                    IdleResponse::Timeout => Idled::Timeout,
                    // The interrupt is never used, so this is the connection closing.
                    IdleResponse::ManualInterrupt => return Err(ImapError::Protocol("the connection closed".into())),
                },
                _ = tokio::time::sleep(limit) => Idled::Timeout,
                _ = stop => Idled::Stopped,
            }
        };
        let session = reply(handle.done()).await?;
        let mut conn = ImapConnection { session, idle, news: false };
        conn.note();
        Ok((conn, outcome))
    }

    pub async fn close(mut self) {
        // Signing out is a courtesy; a server that does not answer soon is left.
        let _ = tokio::time::timeout(Duration::from_secs(5), self.session.logout()).await;
    }
}
