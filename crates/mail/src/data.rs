//! Reading the message text after `DATA` (RFC 5321 §4.1.1.4, §4.5.2).
//!
//! The text is consumed as it streams in, never a whole line at a time, so neither a huge message nor a line
//! without end can make the server allocate more than the size limit. Once a limit is passed the text is no longer
//! kept, but reading goes on to the end so the connection stays in step with the client.
//!
//! Line endings: a bare LF ends a line for dot-unstuffing and line-length purposes, and the stored bytes keep
//! whatever endings the client sent. The end of the text, however, is recognised only as `CRLF . CRLF`: taking
//! `LF . LF` or mixed forms as the end is what makes SMTP smuggling possible, where an upstream relay that sees
//! one message delivers what this server would read as two.

use crate::wire::{Wire, WireError};

/// Limits applied while reading.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DataLimits {
    pub(crate) max_bytes: usize,
    pub(crate) max_line: usize,
}

/// What was read.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum DataOutcome {
    /// The whole message, dot-stuffing undone.
    Complete(Vec<u8>),
    /// The message was larger than allowed; `size` is how many octets arrived.
    TooBig { size: usize },
    /// A line was longer than allowed.
    LineTooLong,
}

/// Reads up to and including the terminating `.` line.
pub(crate) async fn receive(wire: &mut Wire, limits: DataLimits) -> Result<DataOutcome, WireError> {
    let mut message = Vec::new();
    let mut size = 0usize;
    let mut too_big = false;
    let mut too_long = false;
    // Where the current line stands: at its start, whether the previous line ended with CRLF (the DATA command's
    // own line counts), how long it is so far, and whether its last byte so far is a CR.
    let mut at_line_start = true;
    let mut previous_crlf = true;
    let mut line_len = 0usize;
    let mut last_cr = false;

    loop {
        let avail = wire.buffered();
        if at_line_start {
            // Deciding about a leading dot needs the first three bytes or the whole line.
            if avail.len() < 3 && !avail.contains(&b'\n') {
                wire.fill(None).await?;
                continue;
            }
            if avail[0] == b'.' {
                if previous_crlf && avail.starts_with(b".\r\n") {
                    wire.consume(3);
                    break;
                }
                // A line that is only a dot but not a valid terminator is kept as it came; any other leading dot
                // is transparency stuffing and goes.
                let lone_dot = avail.starts_with(b".\n") || avail.starts_with(b".\r\n");
                if !lone_dot {
                    wire.consume(1);
                }
            }
            at_line_start = false;
            continue;
        }
        if avail.is_empty() {
            wire.fill(None).await?;
            continue;
        }

        let (segment_len, line_ends) = match avail.iter().position(|&b| b == b'\n') {
            Some(lf) => (lf + 1, true),
            None => (avail.len(), false),
        };
        let segment = &avail[..segment_len];
        line_len = line_len.saturating_add(segment_len);
        size = size.saturating_add(segment_len);
        too_long |= line_len > limits.max_line;
        too_big |= size > limits.max_bytes;
        if too_big || too_long {
            // The message will be refused: stop holding it.
            message = Vec::new();
        } else {
            message.extend_from_slice(segment);
        }
        if line_ends {
            previous_crlf = if segment_len >= 2 { segment[segment_len - 2] == b'\r' } else { last_cr };
            at_line_start = true;
            line_len = 0;
            last_cr = false;
        } else {
            last_cr = segment.last() == Some(&b'\r');
        }
        wire.consume(segment_len);
    }

    Ok(if too_big {
        DataOutcome::TooBig { size }
    } else if too_long {
        DataOutcome::LineTooLong
    } else {
        DataOutcome::Complete(message)
    })
}
