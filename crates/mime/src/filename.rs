//! Attachment names that are safe to show and to offer for download.

/// Longest name kept, in characters.
const MAX_CHARS: usize = 150;
/// An extension longer than this is treated as part of the name when shortening.
const MAX_EXTENSION_CHARS: usize = 16;
const FALLBACK: &str = "attachment";

/// Makes a sender-supplied file name harmless: only the last path component (`/` and `\` both count), without
/// control, zero-width or bidi-override characters (which can disguise `exe.pdf` as `fdp.exe`), without characters
/// common file systems reject, with whitespace collapsed, without leading or trailing dots and spaces (so never
/// `.`, `..` or a hidden file), not a Windows device name, and at most 150 characters with the extension kept.
/// An empty result becomes `"attachment"`.
pub fn safe_filename(name: &str) -> String {
    let last = name.rsplit(['/', '\\']).next().unwrap_or_default();

    let mut cleaned = String::with_capacity(last.len().min(4 * MAX_CHARS));
    let mut pending_space = false;
    for ch in last.chars() {
        // Tabs read as spaces; line breaks and other control characters are removed.
        if ch == '\t' || (ch.is_whitespace() && !ch.is_control()) {
            pending_space = true;
            continue;
        }
        if ch.is_control() || is_invisible(ch) {
            continue;
        }
        if pending_space && !cleaned.is_empty() {
            cleaned.push(' ');
        }
        pending_space = false;
        cleaned.push(if is_reserved(ch) { '_' } else { ch });
    }

    let trimmed = cleaned.trim_matches(['.', ' ']);
    let mut result = shorten(trimmed);
    if result.is_empty() {
        return FALLBACK.to_string();
    }
    if is_device_name(&result) {
        result.insert(0, '_');
    }
    result
}

/// Zero-width, bidi-control and byte-order-mark characters: invisible, and able to reorder what is shown.
fn is_invisible(ch: char) -> bool {
    matches!(ch, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}' | '\u{061C}')
}

/// Characters Windows (and some shells) refuse or treat specially in names.
fn is_reserved(ch: char) -> bool {
    matches!(ch, '<' | '>' | ':' | '"' | '/' | '\\' | '|' | '?' | '*')
}

/// Cuts the name to [`MAX_CHARS`], keeping a short extension whole.
fn shorten(name: &str) -> String {
    if name.chars().count() <= MAX_CHARS {
        return name.to_string();
    }
    let (stem, extension) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() && !ext.is_empty() && ext.chars().count() <= MAX_EXTENSION_CHARS => {
            (stem, Some(ext))
        }
        _ => (name, None),
    };
    let room = MAX_CHARS - extension.map_or(0, |ext| ext.chars().count() + 1);
    let stem: String = stem.chars().take(room).collect();
    let stem = stem.trim_end_matches(['.', ' ']);
    match extension {
        Some(ext) => format!("{stem}.{ext}"),
        None => stem.to_string(),
    }
}

/// Names Windows maps to devices whatever their extension (`CON`, `nul.txt`, `COM1.log` …).
fn is_device_name(name: &str) -> bool {
    let base = name.split('.').next().unwrap_or_default().trim_end().to_ascii_uppercase();
    match base.as_str() {
        "CON" | "PRN" | "AUX" | "NUL" => true,
        _ => {
            let bytes = base.as_bytes();
            bytes.len() == 4
                && (base.starts_with("COM") || base.starts_with("LPT"))
                && matches!(bytes.get(3), Some(b'1'..=b'9'))
        }
    }
}
