//! The email channel's storage: inbound mail, the outbound queue, mailboxes, attachments and the unit of work that
//! turns a received mail into a ticket change.

mod inbound;
mod ingest;
mod outbox;

pub(crate) use ingest::keep_file;
pub(crate) use outbox::insert_mail;

use crate::db::Row;
use crate::rows::id;
use parley_domain::message::AttachmentInfo;
use parley_store::StoreError;

pub(crate) fn attachment_info(r: &Row) -> Result<AttachmentInfo, StoreError> {
    Ok(AttachmentInfo {
        id: id("attachment id", &r.text("id")?)?,
        filename: r.text("filename")?,
        content_type: r.text("content_type")?,
        size: r.int("size")?,
        inline: r.int("inline")? != 0,
        content_id: r.opt_text("content_id")?,
    })
}
