//! One client connection: buffered input read as bounded lines, queued replies, and the switch to TLS.
//!
//! The input buffer has a fixed size and nothing here grows with what the client sends: a line longer than the
//! limit is thrown away as it arrives. Replies are queued and sent when the server is about to wait for input,
//! which gives PIPELINING (RFC 2920) its batching without any risk of both sides waiting on each other.

use std::io;
use std::time::Duration;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::watch;
use tokio::time::timeout;
use tokio_rustls::server::TlsStream;
use tokio_rustls::TlsAcceptor;

use crate::reply::Reply;
use crate::server::shutdown_requested;

/// Input buffer size; must exceed the longest command line so a whole command always fits.
const BUF_SIZE: usize = 16 * 1024;
/// Queued replies beyond this are sent at once rather than waiting for the input to run dry.
const OUT_HIGH_WATER: usize = 64 * 1024;

/// Why reading or writing stopped.
#[derive(Debug)]
pub(crate) enum WireError {
    /// The client closed the connection.
    Closed,
    /// Nothing arrived (or nothing could be sent) within the idle timeout.
    Timeout,
    /// The server is shutting down and the caller asked to be told.
    Shutdown,
    Io(io::Error),
}

/// One line of input.
#[derive(Debug)]
pub(crate) enum Line {
    /// The line without its line ending.
    Text(Vec<u8>),
    /// The line was longer than allowed and has been discarded.
    TooLong,
}

enum Conn {
    Plain(TcpStream),
    Tls(Box<TlsStream<TcpStream>>),
}

impl Conn {
    async fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Conn::Plain(s) => s.read(buf).await,
            Conn::Tls(s) => s.read(buf).await,
        }
    }

    async fn write_all(&mut self, data: &[u8]) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.write_all(data).await,
            Conn::Tls(s) => {
                s.write_all(data).await?;
                s.flush().await
            }
        }
    }

    async fn shutdown(&mut self) -> io::Result<()> {
        match self {
            Conn::Plain(s) => s.shutdown().await,
            Conn::Tls(s) => s.shutdown().await,
        }
    }
}

pub(crate) struct Wire {
    conn: Conn,
    buf: Box<[u8]>,
    start: usize,
    end: usize,
    out: Vec<u8>,
    idle: Duration,
}

impl Wire {
    pub(crate) fn new(stream: TcpStream, idle: Duration) -> Self {
        Self {
            conn: Conn::Plain(stream),
            buf: vec![0; BUF_SIZE].into_boxed_slice(),
            start: 0,
            end: 0,
            out: Vec::new(),
            idle,
        }
    }

    /// Input received and not yet consumed.
    pub(crate) fn buffered(&self) -> &[u8] {
        &self.buf[self.start..self.end]
    }

    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.end);
        if self.start == self.end {
            self.start = 0;
            self.end = 0;
        }
    }

    /// Queues a reply; it is sent before the next wait for input, or now if much is already queued.
    pub(crate) async fn queue(&mut self, reply: &Reply) -> Result<(), WireError> {
        reply.write_to(&mut self.out);
        if self.out.len() > OUT_HIGH_WATER {
            self.flush().await?;
        }
        Ok(())
    }

    pub(crate) async fn flush(&mut self) -> Result<(), WireError> {
        if self.out.is_empty() {
            return Ok(());
        }
        match timeout(self.idle, self.conn.write_all(&self.out)).await {
            Ok(Ok(())) => {
                self.out.clear();
                Ok(())
            }
            Ok(Err(e)) => Err(WireError::Io(e)),
            Err(_) => Err(WireError::Timeout),
        }
    }

    /// Sends queued replies, then waits for more input. With `shutdown`, returns early once shutdown is asked for.
    pub(crate) async fn fill(&mut self, shutdown: Option<&mut watch::Receiver<bool>>) -> Result<(), WireError> {
        self.flush().await?;
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        if self.end == self.buf.len() {
            // Callers consume before filling; a full buffer here would be a bug, not something to wait on.
            return Err(WireError::Io(io::Error::other("input buffer full")));
        }
        let read = timeout(self.idle, self.conn.read(&mut self.buf[self.end..]));
        let result = match shutdown {
            Some(rx) => tokio::select! {
                r = read => r,
                () = shutdown_requested(rx) => return Err(WireError::Shutdown),
            },
            None => read.await,
        };
        match result {
            Ok(Ok(0)) => Err(WireError::Closed),
            Ok(Ok(n)) => {
                self.end += n;
                Ok(())
            }
            Ok(Err(e)) => Err(WireError::Io(e)),
            Err(_) => Err(WireError::Timeout),
        }
    }

    /// Reads one line ended by LF (a CR before it is dropped). A line longer than `max` octets, ending included, is
    /// discarded as it streams in and reported as [`Line::TooLong`] once its end arrives.
    pub(crate) async fn read_line(
        &mut self,
        max: usize,
        mut shutdown: Option<&mut watch::Receiver<bool>>,
    ) -> Result<Line, WireError> {
        let mut discarding = false;
        loop {
            let avail = self.buffered();
            if let Some(lf) = avail.iter().position(|&b| b == b'\n') {
                let line = if discarding || lf + 1 > max {
                    Line::TooLong
                } else {
                    let text = &avail[..lf];
                    Line::Text(text.strip_suffix(b"\r").unwrap_or(text).to_vec())
                };
                self.consume(lf + 1);
                return Ok(line);
            }
            if avail.len() >= max {
                discarding = true;
                let n = avail.len();
                self.consume(n);
            }
            self.fill(shutdown.as_deref_mut()).await?;
        }
    }

    /// Sends queued replies (the `220` to STARTTLS), then runs the TLS handshake over the same socket.
    ///
    /// Input the client pipelined after `STARTTLS` is dropped: it arrived in clear text and must not be taken as
    /// if it came over TLS (RFC 3207 §4.2; the command-injection flaw of CVE-2011-0411).
    pub(crate) async fn start_tls(mut self, acceptor: &TlsAcceptor) -> Result<Self, WireError> {
        self.flush().await?;
        let stale = self.end - self.start;
        if stale > 0 {
            tracing::warn!(bytes = stale, "discarding clear-text input pipelined after STARTTLS");
        }
        let Conn::Plain(tcp) = self.conn else {
            return Err(WireError::Io(io::Error::other("TLS already active")));
        };
        let tls = match timeout(self.idle, acceptor.accept(tcp)).await {
            Ok(Ok(tls)) => tls,
            Ok(Err(e)) => return Err(WireError::Io(e)),
            Err(_) => return Err(WireError::Timeout),
        };
        Ok(Self { conn: Conn::Tls(Box::new(tls)), buf: self.buf, start: 0, end: 0, out: Vec::new(), idle: self.idle })
    }

    /// Sends what is queued and closes, without waiting long on a client that does not read.
    pub(crate) async fn close(mut self) {
        if self.flush().await.is_ok() {
            let _ = timeout(Duration::from_secs(5).min(self.idle), self.conn.shutdown()).await;
        }
    }
}
