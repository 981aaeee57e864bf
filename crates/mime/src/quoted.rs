//! Separating what the sender wrote now from the quoted history and signature below it.

/// Lines looked at after a `From:` line for the `Sent:` line of an Outlook header block.
const OUTLOOK_BLOCK_LINES: usize = 6;
/// An attribution wrapped onto a second line is only joined when the pair stays this short.
const MAX_ATTRIBUTION_CHARS: usize = 400;

/// Splits a plain-text body into (what the sender wrote now, the quoted history or signature), the second `None`
/// when nothing quoted was found.
///
/// Recognised: an attribution line ("On … wrote:", German "Am … schrieb …:", Hungarian "… írta:", French
/// "Le … a écrit :", Spanish "El … escribió:", Dutch "Op … schreef …:"), a "-----Original Message-----" line (in
/// English, German and Hungarian), an Outlook "From: … Sent: …" header block, a signature after a `-- ` line, and
/// a final block of lines beginning with `>`. The split is at the earliest of these. When nothing would be left
/// as the new part, the whole text is returned as new: an agent must never see an empty message that had text.
pub fn split_quoted(text: &str) -> (String, Option<String>) {
    let lines: Vec<&str> = text.split('\n').collect();
    let Some(cut) = find_cut(&lines) else {
        return (text.to_string(), None);
    };
    let (new, rest) = lines.split_at(cut);
    let new = new.join("\n");
    if new.trim().is_empty() {
        return (text.to_string(), None);
    }
    let rest = rest.join("\n");
    (new.trim_end().to_string(), Some(rest.trim_matches(['\r', '\n']).to_string()))
}

/// The index of the first line of quoted material, if any.
fn find_cut(lines: &[&str]) -> Option<usize> {
    let marker = (0..lines.len()).find(|&i| starts_quote(lines, i));
    let trailing = trailing_quote_block(lines);
    match (marker, trailing) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

fn starts_quote(lines: &[&str], i: usize) -> bool {
    let line = clean(lines[i]);
    // The signature separator is "-- "; many clients strip the trailing space.
    if line == "--" {
        return true;
    }
    if is_original_message_line(line) || is_outlook_block(lines, i) {
        return true;
    }
    if is_underscore_rule(line) && lines.get(i + 1).is_some_and(|_| is_outlook_block(lines, i + 1)) {
        return true;
    }
    if is_attribution(line) {
        return true;
    }
    // Attributions wrapped by the sender's client: "On Mon, 1 Jan 2024 at 10:00, Jane Doe <" / "jane@x.org> wrote:".
    match lines.get(i + 1) {
        Some(next) if starts_attribution(line) && !line.is_empty() => {
            let joined = format!("{line} {}", clean(next));
            joined.chars().count() <= MAX_ATTRIBUTION_CHARS && is_attribution(&joined)
        }
        _ => false,
    }
}

fn clean(line: &str) -> &str {
    line.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
}

/// A whole attribution line in one of the recognised languages.
fn is_attribution(line: &str) -> bool {
    if line.chars().count() > MAX_ATTRIBUTION_CHARS {
        return false;
    }
    let lower = line.to_lowercase();
    (lower.starts_with("on ") && lower.ends_with("wrote:"))
        || (lower.starts_with("am ") && lower.contains("schrieb") && lower.ends_with(':'))
        || lower.ends_with("írta:")
        || lower.ends_with("írta :")
        || (lower.starts_with("le ") && (lower.ends_with("a écrit :") || lower.ends_with("a écrit:")))
        || (lower.starts_with("el ") && lower.ends_with("escribió:"))
        || (lower.starts_with("op ") && lower.contains("schreef") && lower.ends_with(':'))
}

/// Lines that may begin a wrapped attribution.
fn starts_attribution(line: &str) -> bool {
    let lower = line.to_lowercase();
    ["on ", "am ", "le ", "el ", "op "].iter().any(|p| lower.starts_with(p))
        || lower.chars().take(4).all(|c| c.is_ascii_digit()) && lower.contains("keltezéssel")
}

/// "-----Original Message-----" and its translations, with any number of dashes and spaces around.
fn is_original_message_line(line: &str) -> bool {
    if !line.starts_with("---") || !line.ends_with("---") {
        return false;
    }
    let inner = line.trim_matches(|c: char| c == '-' || c.is_whitespace()).to_lowercase();
    matches!(inner.as_str(), "original message" | "ursprüngliche nachricht" | "eredeti üzenet" | "message d'origine")
}

fn is_underscore_rule(line: &str) -> bool {
    line.len() >= 10 && line.chars().all(|c| c == '_')
}

/// An Outlook reply header: a `From:` line followed shortly by a `Sent:` (or `Date:`) line.
fn is_outlook_block(lines: &[&str], i: usize) -> bool {
    let first = clean(lines[i]).to_lowercase();
    let from = ["from:", "von:", "feladó:", "de :", "de:"].iter().any(|p| first.starts_with(p));
    if !from {
        return false;
    }
    lines.iter().skip(i + 1).take(OUTLOOK_BLOCK_LINES).any(|next| {
        let next = clean(next).to_lowercase();
        ["sent:", "date:", "gesendet:", "küldve:", "elküldve:", "dátum:", "envoyé :", "envoyé:"]
            .iter()
            .any(|p| next.starts_with(p))
    })
}

/// The first line of the block of `>` lines (and blank lines) that ends the text, if there is one.
fn trailing_quote_block(lines: &[&str]) -> Option<usize> {
    let mut start = None;
    for i in (0..lines.len()).rev() {
        let line = clean(lines[i]);
        if line.starts_with('>') {
            start = Some(i);
        } else if !line.is_empty() {
            break;
        }
    }
    let start = start?;
    // Skip the blank lines above the quote too, so the new part does not end in them.
    Some((0..start).rev().take_while(|&i| clean(lines[i]).is_empty()).last().unwrap_or(start))
}
