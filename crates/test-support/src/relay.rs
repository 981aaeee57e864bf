//! A local SMTP server standing in for a mail relay: it accepts everything and keeps what Parley sends, so tests
//! read the headers the way a mail client would.

use parley_mail::{Delivered, Envelope, MailSink, RcptVerdict, SmtpConfig};
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use tokio::sync::{watch, Notify};

#[derive(Debug, Clone)]
pub struct Captured {
    pub mail_from: Option<String>,
    pub rcpt_to: Vec<String>,
    pub raw: Vec<u8>,
}

impl Captured {
    /// A header's value (first occurrence, unfolded), case-insensitive.
    pub fn header(&self, name: &str) -> Option<String> {
        let text = String::from_utf8_lossy(&self.raw);
        let head = text.split("\r\n\r\n").next().unwrap_or("");
        let unfolded = head.replace("\r\n ", " ").replace("\r\n\t", " ");
        unfolded.lines().find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case(name).then(|| v.trim().to_string())
        })
    }

    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.raw).into_owned()
    }
}

#[derive(Default)]
struct Inbox {
    got: Mutex<Vec<Captured>>,
    notify: Notify,
}

struct Sink(Arc<Inbox>);

#[async_trait::async_trait]
impl MailSink for Sink {
    async fn check_recipient(&self, _: &str) -> RcptVerdict {
        RcptVerdict::Accept
    }
    async fn deliver(&self, env: &Envelope, raw: &[u8]) -> Vec<Delivered> {
        self.0.got.lock().unwrap().push(Captured {
            mail_from: env.mail_from.clone(),
            rcpt_to: env.rcpt_to.clone(),
            raw: raw.to_vec(),
        });
        self.0.notify.notify_waiters();
        env.rcpt_to.iter().map(|_| Delivered::Ok { id: "captured".into() }).collect()
    }
}

pub struct CaptureRelay {
    pub addr: SocketAddr,
    inbox: Arc<Inbox>,
    _stop: watch::Sender<bool>,
}

impl CaptureRelay {
    pub async fn start() -> Self {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let inbox = Arc::new(Inbox::default());
        let (stop, stopped) = watch::channel(false);
        let mut config = SmtpConfig::new("relay.test");
        config.max_line_bytes = 1 << 20;
        let sink: Arc<dyn MailSink> = Arc::new(Sink(inbox.clone()));
        tokio::spawn(async move {
            let _ = parley_mail::serve(listener, config, sink, stopped).await;
        });
        CaptureRelay { addr, inbox, _stop: stop }
    }

    pub fn url(&self) -> String {
        format!("smtp://{}", self.addr)
    }

    pub fn mail(&self) -> Vec<Captured> {
        self.inbox.got.lock().unwrap().clone()
    }

    /// Wait until at least `n` mails arrived (or `secs` pass) and return what arrived.
    pub async fn wait_for(&self, n: usize, secs: u64) -> Vec<Captured> {
        let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(secs);
        loop {
            let notified = self.inbox.notify.notified();
            let got = self.mail();
            if got.len() >= n {
                return got;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                return self.mail();
            }
        }
    }
}
