//! Free text from users, checked for length and for characters that have no place in it.

use crate::Invalid;

/// Trim, refuse empty and over-long text, and refuse control characters other than newline and tab.
pub fn checked_text(field: &str, s: &str, max_chars: usize, multiline: bool) -> Result<String, Invalid> {
    let t = s.trim();
    if t.is_empty() {
        return Err(Invalid::field(field, "must not be empty"));
    }
    if t.chars().count() > max_chars {
        return Err(Invalid::field(field, format!("must be at most {max_chars} characters")));
    }
    let bad = t.chars().any(|c| c.is_control() && !(multiline && (c == '\n' || c == '\t' || c == '\r')));
    if bad {
        return Err(Invalid::field(field, "holds control characters"));
    }
    Ok(t.to_string())
}

/// Like [`checked_text`] but an empty value means "none".
pub fn optional_text(field: &str, s: Option<&str>, max_chars: usize) -> Result<Option<String>, Invalid> {
    match s.map(str::trim) {
        None | Some("") => Ok(None),
        Some(t) => checked_text(field, t, max_chars, false).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_line_text_refuses_newlines() {
        assert!(checked_text("subject", "Hello\r\nBcc: x", 100, false).is_err());
        assert_eq!(checked_text("body", " a\nb ", 100, true).unwrap(), "a\nb");
        assert!(checked_text("body", "   ", 100, true).is_err());
        assert!(checked_text("body", "abc", 2, true).is_err());
    }
}
