//! Turning one command line into a command.

/// A command line, parsed. Arguments borrow from the line.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Command<'a> {
    Ehlo(&'a str),
    Helo(&'a str),
    Lhlo(&'a str),
    /// The text after `MAIL FROM:`.
    Mail(&'a str),
    /// The text after `RCPT TO:`.
    Rcpt(&'a str),
    Data,
    Rset,
    Noop,
    Quit,
    Vrfy,
    Expn,
    Help,
    StartTls,
    /// A known verb with arguments that do not fit it: answered `501` with this text.
    Syntax(&'static str),
    /// Not a command we know, or not text at all: answered `500`.
    Unknown,
}

/// Parses a command line with its line ending already removed.
pub(crate) fn parse(line: &[u8]) -> Command<'_> {
    let Ok(line) = std::str::from_utf8(line) else {
        return Command::Unknown;
    };
    if line.contains(|c: char| c.is_control() && c != '\t') {
        return Command::Unknown;
    }
    let (verb, arg) = match line.find(' ') {
        Some(space) => (&line[..space], line[space + 1..].trim()),
        None => (line, ""),
    };
    let is = |name: &str| verb.eq_ignore_ascii_case(name);
    let no_arg = |cmd: Command<'static>| {
        if arg.is_empty() {
            cmd
        } else {
            Command::Syntax("Syntax error, no parameters allowed")
        }
    };
    if is("EHLO") || is("HELO") || is("LHLO") {
        // Only a missing name is refused: the name is unverified anyway, and some clients send odd ones.
        if arg.is_empty() {
            return Command::Syntax("Syntax: EHLO domain");
        }
        return if is("EHLO") {
            Command::Ehlo(arg)
        } else if is("HELO") {
            Command::Helo(arg)
        } else {
            Command::Lhlo(arg)
        };
    }
    if is("MAIL") {
        return strip_keyword(arg, "FROM:").map_or(Command::Syntax("Syntax: MAIL FROM:<address>"), Command::Mail);
    }
    if is("RCPT") {
        return strip_keyword(arg, "TO:").map_or(Command::Syntax("Syntax: RCPT TO:<address>"), Command::Rcpt);
    }
    if is("DATA") {
        no_arg(Command::Data)
    } else if is("RSET") {
        no_arg(Command::Rset)
    } else if is("QUIT") {
        no_arg(Command::Quit)
    } else if is("STARTTLS") {
        no_arg(Command::StartTls)
    } else if is("NOOP") {
        Command::Noop
    } else if is("VRFY") {
        Command::Vrfy
    } else if is("EXPN") {
        Command::Expn
    } else if is("HELP") {
        Command::Help
    } else {
        Command::Unknown
    }
}

/// Strips a case-insensitive keyword such as `FROM:`; a space after the colon is tolerated because common clients
/// send one.
fn strip_keyword<'a>(arg: &'a str, keyword: &str) -> Option<&'a str> {
    let head = arg.get(..keyword.len())?;
    head.eq_ignore_ascii_case(keyword).then(|| arg[keyword.len()..].trim_start())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbs_are_case_insensitive_and_take_their_arguments() {
        assert_eq!(parse(b"ehlo client.example"), Command::Ehlo("client.example"));
        assert_eq!(parse(b"MAIL FROM:<a@b.c> SIZE=10"), Command::Mail("<a@b.c> SIZE=10"));
        assert_eq!(parse(b"mail from: <a@b.c>"), Command::Mail("<a@b.c>"));
        assert_eq!(parse(b"RCPT To:<x@y.z>"), Command::Rcpt("<x@y.z>"));
        assert_eq!(parse(b"data"), Command::Data);
        assert_eq!(parse(b"NOOP anything"), Command::Noop);
    }

    #[test]
    fn bad_arguments_and_unknown_verbs() {
        assert!(matches!(parse(b"MAIL <a@b.c>"), Command::Syntax(_)));
        assert!(matches!(parse(b"DATA now"), Command::Syntax(_)));
        assert!(matches!(parse(b"HELO"), Command::Syntax(_)));
        assert!(matches!(parse(b"MA"), Command::Unknown));
        assert_eq!(parse(b"FROB x"), Command::Unknown);
        assert_eq!(parse(b"HELO \xff\xfe"), Command::Unknown);
        assert_eq!(parse(b"NOOP \0"), Command::Unknown);
    }
}
