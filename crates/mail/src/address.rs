//! The syntax of `MAIL FROM` / `RCPT TO` paths (RFC 5321 §4.1.2), checked loosely.
//!
//! The receiver refuses only what is plainly broken and otherwise passes the address on exactly as given: deciding
//! whether a mailbox exists is the sink's job, and real mail carries addresses that strict grammars reject (double
//! dots in local parts, for one).

/// RFC 5321 §4.5.3.1.3: a path is at most 256 octets, brackets included.
const MAX_PATH: usize = 256;

/// A path argument split from the rest of the command line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct PathArg<'a> {
    /// `None` for the null path `<>`.
    pub(crate) mailbox: Option<&'a str>,
    /// Whatever followed the path: ESMTP parameters.
    pub(crate) params: &'a str,
}

/// Splits `<addr> PARAMS` (or a bare `addr PARAMS`, which some clients send) and checks the address.
/// `postmaster_ok` allows the domain-less `<Postmaster>` that RFC 5321 §4.5.1 requires servers to take at RCPT.
pub(crate) fn parse_path(arg: &str, postmaster_ok: bool) -> Result<PathArg<'_>, &'static str> {
    let arg = arg.trim_start();
    let (inner, rest) = if let Some(body) = arg.strip_prefix('<') {
        let close = find_outside_quotes(body, |c| c == '>').ok_or("Missing closing angle bracket")?;
        (&body[..close], &body[close + 1..])
    } else {
        let end = find_outside_quotes(arg, |c| c == ' ' || c == '\t').unwrap_or(arg.len());
        (&arg[..end], &arg[end..])
    };
    if !rest.is_empty() && !rest.starts_with([' ', '\t']) {
        return Err("Unexpected text after the address");
    }
    if inner.len() + 2 > MAX_PATH {
        return Err("Address too long");
    }
    let params = rest.trim();
    if inner.is_empty() {
        return Ok(PathArg { mailbox: None, params });
    }
    let mailbox = strip_source_route(inner)?;
    check_mailbox(mailbox, postmaster_ok)?;
    Ok(PathArg { mailbox: Some(mailbox), params })
}

/// RFC 5321 Appendix C: a server must accept `<@relay1,@relay2:user@host>` and should ignore the route.
fn strip_source_route(path: &str) -> Result<&str, &'static str> {
    if !path.starts_with('@') {
        return Ok(path);
    }
    match path.find(':') {
        Some(colon) if colon + 1 < path.len() => Ok(&path[colon + 1..]),
        _ => Err("Malformed source route"),
    }
}

fn check_mailbox(mailbox: &str, postmaster_ok: bool) -> Result<(), &'static str> {
    let Some(at) = rfind_outside_quotes(mailbox, '@') else {
        if postmaster_ok && mailbox.eq_ignore_ascii_case("postmaster") {
            return Ok(());
        }
        return Err("Address has no domain");
    };
    check_local_part(&mailbox[..at])?;
    check_domain(&mailbox[at + 1..])
}

fn check_local_part(local: &str) -> Result<(), &'static str> {
    if local.is_empty() {
        return Err("Empty local part");
    }
    if let Some(quoted) = local.strip_prefix('"') {
        let body = quoted.strip_suffix('"').ok_or("Unterminated quoted local part")?;
        let mut chars = body.chars();
        while let Some(c) = chars.next() {
            match c {
                '\\' => match chars.next() {
                    Some(escaped) if !escaped.is_control() => {}
                    _ => return Err("Bad escape in quoted local part"),
                },
                '"' => return Err("Stray quote in local part"),
                c if c.is_control() => return Err("Control character in address"),
                _ => {}
            }
        }
        return Ok(());
    }
    let atext = |c: char| c.is_alphanumeric() || !c.is_ascii() || "!#$%&'*+-/=?^_`{|}~.".contains(c);
    if local.chars().all(atext) {
        Ok(())
    } else {
        Err("Invalid character in local part")
    }
}

fn check_domain(domain: &str) -> Result<(), &'static str> {
    if let Some(literal) = domain.strip_prefix('[') {
        let body = literal.strip_suffix(']').ok_or("Unterminated address literal")?;
        let ok = !body.is_empty() && body.chars().all(|c| c.is_ascii_graphic() && !"[]\\".contains(c));
        return if ok { Ok(()) } else { Err("Invalid address literal") };
    }
    if domain.is_empty() {
        return Err("Empty domain");
    }
    let label_ok = |label: &str| {
        !label.is_empty() && label.chars().all(|c| c.is_alphanumeric() || c == '-' || c == '_' || !c.is_ascii())
    };
    if domain.split('.').all(label_ok) {
        Ok(())
    } else {
        Err("Invalid domain")
    }
}

/// The byte index of the first char matching `stop` that is not inside a quoted string.
fn find_outside_quotes(s: &str, stop: impl Fn(char) -> bool) -> Option<usize> {
    let mut in_quote = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if in_quote && c == '\\' {
            escaped = true;
        } else if c == '"' {
            in_quote = !in_quote;
        } else if !in_quote && stop(c) {
            return Some(i);
        }
    }
    None
}

fn rfind_outside_quotes(s: &str, target: char) -> Option<usize> {
    let mut found = None;
    let mut in_quote = false;
    let mut escaped = false;
    for (i, c) in s.char_indices() {
        if escaped {
            escaped = false;
        } else if in_quote && c == '\\' {
            escaped = true;
        } else if c == '"' {
            in_quote = !in_quote;
        } else if !in_quote && c == target {
            found = Some(i);
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mailbox(arg: &str) -> Result<Option<&str>, &'static str> {
        parse_path(arg, false).map(|p| p.mailbox)
    }

    #[test]
    fn accepts_ordinary_quoted_and_null_paths() {
        assert_eq!(mailbox("<a.b+tag@example.com>"), Ok(Some("a.b+tag@example.com")));
        assert_eq!(
            mailbox(r#"<"john q. \"doe\"@home"@example.com>"#),
            Ok(Some(r#""john q. \"doe\"@home"@example.com"#))
        );
        assert_eq!(mailbox("<>"), Ok(None));
        assert_eq!(mailbox("<user@[192.0.2.1]>"), Ok(Some("user@[192.0.2.1]")));
        assert_eq!(mailbox("bare@example.com"), Ok(Some("bare@example.com")));
        assert_eq!(mailbox("<@relay.example:user@example.com>"), Ok(Some("user@example.com")));
    }

    #[test]
    fn keeps_parameters_apart() {
        let p = parse_path("<a@example.com> SIZE=100 BODY=8BITMIME", false);
        assert_eq!(p, Ok(PathArg { mailbox: Some("a@example.com"), params: "SIZE=100 BODY=8BITMIME" }));
    }

    #[test]
    fn refuses_broken_syntax() {
        for bad in ["<a@example.com", "<a b@example.com>", "<@example.com>", "<a@>", "<a@b..c>", "<a@example.com>x"] {
            assert!(mailbox(bad).is_err(), "{bad} should be refused");
        }
        assert!(mailbox(&format!("<{}@example.com>", "a".repeat(300))).is_err());
    }

    #[test]
    fn postmaster_without_domain_only_where_allowed() {
        assert!(parse_path("<Postmaster>", false).is_err());
        assert_eq!(parse_path("<Postmaster>", true).map(|p| p.mailbox), Ok(Some("Postmaster")));
    }
}
