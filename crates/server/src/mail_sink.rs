//! The mail receiver's view of Parley: which recipients are ours, and keeping what arrives.

use async_trait::async_trait;
use parley_app::{email, App};
use parley_domain::ids::AccountId;
use parley_mail::{Delivered, Envelope, MailSink, RcptVerdict};
use std::collections::HashMap;
use std::sync::Arc;

pub struct AccountsSink {
    pub app: Arc<App>,
    /// `smtp` or `lmtp`, recorded with each mail.
    pub source: &'static str,
}

#[async_trait]
impl MailSink for AccountsSink {
    async fn check_recipient(&self, rcpt: &str) -> RcptVerdict {
        match email::recipient(&self.app, rcpt).await {
            Ok(Some(_)) => RcptVerdict::Accept,
            Ok(None) => RcptVerdict::Reject { code: 550, enhanced: "5.1.1", text: "no such mailbox here".into() },
            Err(e) => {
                tracing::warn!(error = %e, "could not check a recipient");
                RcptVerdict::TempFail { text: "cannot check this recipient now; try again later".into() }
            }
        }
    }

    async fn deliver(&self, envelope: &Envelope, raw: &[u8]) -> Vec<Delivered> {
        // One copy per account, however many of its addresses the mail was sent to.
        let mut stored: HashMap<AccountId, Result<String, String>> = HashMap::new();
        let mut out = Vec::with_capacity(envelope.rcpt_to.len());
        for rcpt in &envelope.rcpt_to {
            let ctx = match email::recipient(&self.app, rcpt).await {
                Ok(Some(ctx)) => ctx,
                Ok(None) => {
                    out.push(Delivered::Reject("no such mailbox here".into()));
                    continue;
                }
                Err(e) => {
                    tracing::warn!(error = %e, "could not resolve a recipient");
                    out.push(Delivered::TempFail("temporarily unavailable".into()));
                    continue;
                }
            };
            if !stored.contains_key(&ctx.account_id) {
                let result = email::accept(&self.app, &ctx, self.source, envelope.mail_from.as_deref(), rcpt, raw)
                    .await
                    .map(|id| id.to_string())
                    .map_err(|e| {
                        tracing::warn!(account = %ctx.slug, error = %e, "could not store a mail");
                        "could not store the message; try again later".to_string()
                    });
                stored.insert(ctx.account_id, result);
            }
            out.push(match stored.get(&ctx.account_id) {
                Some(Ok(id)) => Delivered::Ok { id: id.clone() },
                Some(Err(e)) => Delivered::TempFail(e.clone()),
                None => Delivered::TempFail("temporarily unavailable".into()),
            });
        }
        out
    }
}
