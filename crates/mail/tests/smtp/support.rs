//! A test server on port 0, a recording sink, and a line-level SMTP client.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use parley_mail::{serve, Delivered, Envelope, MailSink, RcptVerdict, SmtpConfig};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::watch;
use tokio::task::JoinHandle;

/// How long a test waits for any one reply before failing instead of hanging.
pub const WAIT: Duration = Duration::from_secs(10);

/// Decides by the recipient's local part:
/// `unknown…` is refused at RCPT (550 5.1.1), `busy…` is deferred at RCPT, `defer…` is deferred at delivery,
/// `refuse…` is refused at delivery; anything else is accepted and stored.
#[derive(Default)]
pub struct FakeSink {
    checked: Mutex<Vec<String>>,
    delivered: Mutex<Vec<(Envelope, Vec<u8>)>>,
    next_id: AtomicU64,
}

impl FakeSink {
    pub fn deliveries(&self) -> Vec<(Envelope, Vec<u8>)> {
        self.delivered.lock().unwrap().clone()
    }

    pub fn checked(&self) -> Vec<String> {
        self.checked.lock().unwrap().clone()
    }
}

#[async_trait::async_trait]
impl MailSink for FakeSink {
    async fn check_recipient(&self, rcpt: &str) -> RcptVerdict {
        self.checked.lock().unwrap().push(rcpt.to_owned());
        if rcpt.starts_with("unknown") {
            RcptVerdict::Reject { code: 550, enhanced: "5.1.1", text: "No such user here".into() }
        } else if rcpt.starts_with("busy") {
            RcptVerdict::TempFail { text: "Mailbox busy".into() }
        } else {
            RcptVerdict::Accept
        }
    }

    async fn deliver(&self, envelope: &Envelope, raw: &[u8]) -> Vec<Delivered> {
        let id = format!("m{}", self.next_id.fetch_add(1, Ordering::SeqCst) + 1);
        self.delivered.lock().unwrap().push((envelope.clone(), raw.to_vec()));
        envelope
            .rcpt_to
            .iter()
            .map(|rcpt| {
                if rcpt.starts_with("defer") {
                    Delivered::TempFail("Store unavailable".into())
                } else if rcpt.starts_with("refuse") {
                    Delivered::Reject("Mailbox disabled".into())
                } else {
                    Delivered::Ok { id: id.clone() }
                }
            })
            .collect()
    }
}

pub struct TestServer {
    pub addr: SocketAddr,
    pub sink: Arc<FakeSink>,
    shutdown: watch::Sender<bool>,
    handle: JoinHandle<std::io::Result<()>>,
}

impl TestServer {
    pub async fn start() -> Self {
        Self::with(|_| {}).await
    }

    /// Starts a server with test defaults (host `mx.test`, 10 s idle timeout) changed by `tweak`.
    pub async fn with(tweak: impl FnOnce(&mut SmtpConfig)) -> Self {
        let mut config = SmtpConfig::new("mx.test");
        config.idle_timeout = WAIT;
        tweak(&mut config);
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let sink = Arc::new(FakeSink::default());
        let (shutdown, rx) = watch::channel(false);
        let handle = tokio::spawn(serve(listener, config, sink.clone(), rx));
        Self { addr, sink, shutdown, handle }
    }

    /// Connects and reads the greeting, which must be 220.
    pub async fn client(&self) -> Client<TcpStream> {
        let mut client = Client::new(TcpStream::connect(self.addr).await.unwrap());
        let greeting = client.reply().await;
        assert_eq!(greeting.code, 220, "greeting: {greeting:?}");
        client
    }

    pub fn request_shutdown(&self) {
        self.shutdown.send(true).unwrap();
    }

    /// Asks for shutdown and waits until `serve` has returned, so every session has ended.
    pub async fn stop(self) -> Arc<FakeSink> {
        self.request_shutdown();
        self.finished().await
    }

    /// Waits for `serve` to return (after shutdown was requested).
    pub async fn finished(self) -> Arc<FakeSink> {
        tokio::time::timeout(Duration::from_secs(60), self.handle)
            .await
            .expect("serve did not return")
            .unwrap()
            .unwrap();
        self.sink
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub code: u16,
    pub lines: Vec<String>,
}

impl Reply {
    pub fn text(&self) -> String {
        self.lines.join("\n")
    }
}

pub struct Client<S> {
    io: BufReader<S>,
}

impl<S: AsyncRead + AsyncWrite + Unpin> Client<S> {
    pub fn new(stream: S) -> Self {
        Self { io: BufReader::new(stream) }
    }

    pub async fn send(&mut self, data: impl AsRef<[u8]>) {
        self.io.get_mut().write_all(data.as_ref()).await.unwrap();
        self.io.get_mut().flush().await.unwrap();
    }

    /// Reads one (possibly multi-line) reply.
    pub async fn reply(&mut self) -> Reply {
        let mut lines = Vec::new();
        loop {
            let mut line = String::new();
            let n = tokio::time::timeout(WAIT, self.io.read_line(&mut line)).await.expect("no reply in time").unwrap();
            assert!(n > 0, "connection closed while waiting for a reply; got so far: {lines:?}");
            let line = line.trim_end_matches(['\r', '\n']);
            assert!(line.len() >= 3, "short reply line {line:?}");
            let code: u16 = line[..3].parse().unwrap_or_else(|_| panic!("bad reply line {line:?}"));
            lines.push(line.get(4..).unwrap_or("").to_owned());
            if line.as_bytes().get(3) != Some(&b'-') {
                return Reply { code, lines };
            }
        }
    }

    /// Sends one command line and reads its reply.
    pub async fn cmd(&mut self, line: &str) -> Reply {
        self.send(format!("{line}\r\n")).await;
        self.reply().await
    }

    /// Sends one command line and asserts the reply code.
    pub async fn expect(&mut self, line: &str, code: u16) -> Reply {
        let reply = self.cmd(line).await;
        assert_eq!(reply.code, code, "{line:?} got {reply:?}");
        reply
    }

    /// Whether the server closed the connection (EOF or reset) with nothing more to read.
    pub async fn closed(&mut self) -> bool {
        let mut byte = [0u8; 1];
        match tokio::time::timeout(WAIT, self.io.read(&mut byte)).await.expect("connection neither closed nor spoke") {
            Ok(0) | Err(_) => true,
            Ok(_) => false,
        }
    }

    /// MAIL, RCPT for each recipient (each must be accepted), DATA and the text; returns the reply to the text.
    pub async fn deliver(&mut self, from: &str, to: &[&str], body: &str) -> Reply {
        self.expect(&format!("MAIL FROM:<{from}>"), 250).await;
        for rcpt in to {
            self.expect(&format!("RCPT TO:<{rcpt}>"), 250).await;
        }
        self.expect("DATA", 354).await;
        self.send(format!("{body}.\r\n")).await;
        self.reply().await
    }

    pub fn into_inner(self) -> S {
        assert!(self.io.buffer().is_empty(), "unread input left before switching streams");
        self.io.into_inner()
    }
}
