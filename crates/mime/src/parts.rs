//! Walking the MIME tree: which parts are read and which make up the body.

use mail_parser::{Message, PartType};

use crate::limits::Limits;

/// The parts read, in tree order, within [`Limits::max_parts`].
pub(crate) struct Walk {
    pub order: Vec<usize>,
    pub visited: Vec<bool>,
    /// Parts the parser found that the walk did not read.
    pub unread: usize,
}

/// Visits the tree depth-first without recursion (nesting depth is the sender's choice), stopping after
/// `max_parts` parts. The parser already split every part; the limit bounds what we decode, copy and keep.
pub(crate) fn walk(message: &Message<'_>, max_parts: usize) -> Walk {
    let mut visited = vec![false; message.parts.len()];
    let mut order = Vec::new();
    let mut stack = vec![0usize];
    while let Some(id) = stack.pop() {
        if order.len() >= max_parts {
            break;
        }
        let Some(part) = message.parts.get(id) else { continue };
        // A well-formed tree has no shared children; a malformed one must not make us loop.
        if std::mem::replace(&mut visited[id], true) {
            continue;
        }
        order.push(id);
        if let PartType::Multipart(children) = &part.body {
            stack.extend(children.iter().rev().map(|&child| child as usize));
        }
    }
    let unread = message.parts.len().saturating_sub(order.len());
    Walk { order, visited, unread }
}

/// The text and HTML bodies the parser chose, limited to the parts that were read.
pub(crate) struct Bodies {
    pub text: Vec<usize>,
    pub html: Vec<usize>,
}

impl Bodies {
    /// The parser lists inline images among the bodies too (as JMAP does); here only text and HTML count, so
    /// images stay attachments.
    pub(crate) fn find(message: &Message<'_>, walk: &Walk) -> Bodies {
        let read = |ids: &[u32]| -> Vec<usize> {
            ids.iter()
                .map(|&id| id as usize)
                .filter(|&id| walk.visited.get(id).copied().unwrap_or(false))
                .filter(|&id| {
                    message.parts.get(id).is_some_and(|p| matches!(p.body, PartType::Text(_) | PartType::Html(_)))
                })
                .collect()
        };
        Bodies { text: read(&message.text_body), html: read(&message.html_body) }
    }

    pub(crate) fn contains(&self, id: usize) -> bool {
        self.text.contains(&id) || self.html.contains(&id)
    }

    /// The text/plain bodies joined.
    pub(crate) fn plain_text(&self, message: &Message<'_>) -> String {
        self.join(message, &self.text, |body| match body {
            PartType::Text(text) => Some(text.as_ref()),
            _ => None,
        })
    }

    /// The text/html bodies joined, exactly as received.
    pub(crate) fn html(&self, message: &Message<'_>) -> Option<String> {
        let html = self.join(message, &self.html, |body| match body {
            PartType::Html(html) => Some(html.as_ref()),
            _ => None,
        });
        (!html.is_empty()).then_some(html)
    }

    fn join<'m>(
        &self,
        message: &'m Message<'_>,
        ids: &[usize],
        pick: impl Fn(&'m PartType<'_>) -> Option<&'m str>,
    ) -> String {
        let mut out = String::new();
        for part in ids.iter().filter_map(|&id| message.parts.get(id)) {
            if let Some(text) = pick(&part.body) {
                if !out.is_empty() {
                    out.push('\n');
                }
                out.push_str(text);
            }
        }
        out
    }
}

/// A note for the parts the walk did not reach. `cut` says the end of the message was not even parsed, so the
/// number of parts left is unknown.
pub(crate) fn unread_note(walk: &Walk, limits: &Limits, cut: bool) -> Option<String> {
    let stopped = walk.unread > 0 && walk.order.len() >= limits.max_parts;
    match (stopped, cut) {
        (true, true) => {
            Some(format!("stopped reading after {} MIME parts; the rest of the message was not read", limits.max_parts))
        }
        (true, false) => Some(format!(
            "stopped reading after {} MIME parts; {} more parts were not read",
            limits.max_parts, walk.unread
        )),
        (false, true) => Some("the message has too many MIME boundaries; the end of it was not read".to_string()),
        (false, false) => None,
    }
}

/// Notes for body parts the parser could not decode cleanly.
pub(crate) fn body_encoding_notes(message: &Message<'_>, bodies: &Bodies) -> Option<String> {
    let broken =
        bodies.text.iter().chain(&bodies.html).filter_map(|&id| message.parts.get(id)).any(|p| p.is_encoding_problem);
    broken.then(|| "the message body was not properly encoded; it is shown as received".to_string())
}
