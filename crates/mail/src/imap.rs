//! An IMAP client for fetching a mailbox's mail: connect (IMAPS, STARTTLS, or plain to this machine only), sign
//! in with a password, take what came after the last message fetched, and afterwards flag or move each message,
//! once the caller has stored it.

use futures_util::TryStreamExt;
use std::sync::Arc;
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
    #[error("the server refused the sign-in")]
    Login,
    #[error("IMAP: {0}")]
    Protocol(String),
}

trait Io: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + std::fmt::Debug> Io for T {}

type Session = async_imap::Session<Box<dyn Io>>;

pub struct ImapConnection {
    session: Session,
}

fn protocol(e: impl std::fmt::Display) -> ImapError {
    ImapError::Protocol(e.to_string())
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
        let tcp = TcpStream::connect((t.host.as_str(), t.port)).await.map_err(|e| ImapError::Connect(e.to_string()))?;
        let client = match t.security {
            Security::Imaps => {
                let mut c = async_imap::Client::new(tls(&t.host, tcp).await?);
                c.read_response().await.map_err(protocol)?;
                c
            }
            Security::Plain => {
                let stream: Box<dyn Io> = Box::new(tcp);
                let mut c = async_imap::Client::new(stream);
                c.read_response().await.map_err(protocol)?;
                c
            }
            Security::Starttls => {
                let mut plain = async_imap::Client::new(tcp);
                plain.read_response().await.map_err(protocol)?;
                plain.run_command_and_check_ok("STARTTLS", None).await.map_err(protocol)?;
                async_imap::Client::new(tls(&t.host, plain.into_inner()).await?)
            }
        };
        let session = client.login(&t.user, &t.password).await.map_err(|_| ImapError::Login)?;
        Ok(ImapConnection { session })
    }

    /// Messages after `from` (all of them when the folder's UIDVALIDITY changed), oldest first, at most `max`.
    pub async fn fetch_after(
        &mut self,
        folder: &str,
        from: ImapPosition,
        max: usize,
    ) -> Result<(u32, Vec<(u32, Vec<u8>)>), ImapError> {
        let mailbox = self.session.select(folder).await.map_err(protocol)?;
        let validity = mailbox.uid_validity.unwrap_or(0);
        let after = if validity == from.uid_validity { from.last_uid } else { 0 };
        // `n:*` always names the highest message, even below n; filter to what is really new.
        let found = self.session.uid_search(format!("UID {}:*", after.saturating_add(1))).await.map_err(protocol)?;
        let mut uids: Vec<u32> = found.into_iter().filter(|u| *u > after).collect();
        uids.sort_unstable();
        uids.truncate(max);
        let mut out = Vec::with_capacity(uids.len());
        for uid in uids {
            let fetches: Vec<_> = self
                .session
                .uid_fetch(uid.to_string(), "(UID BODY.PEEK[])")
                .await
                .map_err(protocol)?
                .try_collect()
                .await
                .map_err(protocol)?;
            for f in fetches {
                if let (Some(u), Some(body)) = (f.uid, f.body()) {
                    out.push((u, body.to_vec()));
                }
            }
        }
        Ok((validity, out))
    }

    /// A message is stored: flag it seen, or move it to `move_to`.
    pub async fn done(&mut self, uid: u32, move_to: Option<&str>) -> Result<(), ImapError> {
        match move_to {
            Some(folder) => self.session.uid_mv(uid.to_string(), folder).await.map_err(protocol),
            None => {
                let updates: Vec<_> = self
                    .session
                    .uid_store(uid.to_string(), "+FLAGS (\\Seen)")
                    .await
                    .map_err(protocol)?
                    .try_collect()
                    .await
                    .map_err(protocol)?;
                drop(updates);
                Ok(())
            }
        }
    }

    pub async fn close(mut self) {
        let _ = self.session.logout().await;
    }
}
