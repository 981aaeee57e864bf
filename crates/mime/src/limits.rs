//! Bounds on what one message may make us keep, and the bookkeeping that applies them to attachments.

/// How much of a message is read and kept. Mail is hostile input: these keep one message from exhausting memory
/// or time. Anything over a limit is dropped with a note rather than failing the whole message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// MIME parts read before the walk stops descending.
    pub max_parts: usize,
    /// Attachments kept per message.
    pub max_attachments: usize,
    /// Largest single attachment kept.
    pub max_attachment_bytes: usize,
    /// Largest sum of the attachments kept.
    pub max_total_attachment_bytes: usize,
}

const MIB: usize = 1024 * 1024;

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_parts: 1000,
            max_attachments: 100,
            max_attachment_bytes: 25 * MIB,
            max_total_attachment_bytes: 50 * MIB,
        }
    }
}

/// Individual notes written about dropped attachments before the rest are summed up in one line, so that a
/// message with thousands of tiny files cannot produce thousands of notes.
const MAX_DROP_NOTES: usize = 20;

/// Decides, attachment by attachment in message order, what is kept.
pub(crate) struct Budget<'l> {
    limits: &'l Limits,
    kept: usize,
    kept_bytes: usize,
    dropped: usize,
    notes: Vec<String>,
}

impl<'l> Budget<'l> {
    pub(crate) fn new(limits: &'l Limits) -> Self {
        Budget { limits, kept: 0, kept_bytes: 0, dropped: 0, notes: Vec::new() }
    }

    /// Whether an attachment of `len` bytes may be kept; records a note when it may not.
    pub(crate) fn admit(&mut self, name: &str, len: usize) -> bool {
        let reason = if len > self.limits.max_attachment_bytes {
            Some(format!(
                "dropped {name} ({}): larger than the {} limit",
                size_label(len),
                size_label(self.limits.max_attachment_bytes)
            ))
        } else if self.kept >= self.limits.max_attachments {
            Some(format!("dropped {name} ({}): more than {} attachments", size_label(len), self.limits.max_attachments))
        } else if self.kept_bytes.saturating_add(len) > self.limits.max_total_attachment_bytes {
            Some(format!(
                "dropped {name} ({}): all attachments together would exceed the {} limit",
                size_label(len),
                size_label(self.limits.max_total_attachment_bytes)
            ))
        } else {
            None
        };
        match reason {
            None => {
                self.kept += 1;
                self.kept_bytes += len;
                true
            }
            Some(note) => {
                self.dropped += 1;
                if self.notes.len() < MAX_DROP_NOTES {
                    self.notes.push(note);
                }
                false
            }
        }
    }

    /// The notes about dropped attachments, with one summary line for those beyond [`MAX_DROP_NOTES`].
    pub(crate) fn into_notes(mut self) -> Vec<String> {
        let unnoted = self.dropped - self.notes.len();
        if unnoted > 0 {
            self.notes.push(format!("dropped {unnoted} more attachments over the limits"));
        }
        self.notes
    }
}

/// A size as agents read it: "61 MB", "2.5 MB", "12 KB", "300 bytes" (binary multiples, as mail clients show).
pub(crate) fn size_label(bytes: usize) -> String {
    const KIB: f64 = 1024.0;
    let b = bytes as f64;
    let (value, unit) = if bytes >= MIB {
        (b / (KIB * KIB), "MB")
    } else if bytes >= 1024 {
        (b / KIB, "KB")
    } else {
        return format!("{bytes} bytes");
    };
    if value >= 10.0 || (value - value.round()).abs() < 0.05 {
        format!("{value:.0} {unit}")
    } else {
        format!("{value:.1} {unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_naturally() {
        assert_eq!(size_label(25 * MIB), "25 MB");
        assert_eq!(size_label(61 * MIB + 100), "61 MB");
        assert_eq!(size_label(MIB * 5 / 2), "2.5 MB");
        assert_eq!(size_label(12 * 1024), "12 KB");
        assert_eq!(size_label(300), "300 bytes");
    }

    #[test]
    fn budget_counts_size_number_and_total() {
        let limits =
            Limits { max_parts: 10, max_attachments: 2, max_attachment_bytes: 100, max_total_attachment_bytes: 150 };
        let mut budget = Budget::new(&limits);
        assert!(!budget.admit("big", 101));
        assert!(budget.admit("a", 100));
        assert!(!budget.admit("b", 60));
        assert!(budget.admit("c", 50));
        assert!(!budget.admit("d", 1));
        let notes = budget.into_notes();
        assert_eq!(notes.len(), 3);
        assert!(notes[0].contains("larger than"));
        assert!(notes[1].contains("exceed"));
        assert!(notes[2].contains("more than 2 attachments"));
    }
}
