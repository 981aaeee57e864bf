//! split_quoted on replies from common clients.

use parley_mime::split_quoted;

fn split(text: &str) -> (String, Option<String>) {
    split_quoted(text)
}

#[test]
fn english_attribution_and_quote() {
    let (new, rest) = split("Thanks, that fixed it.\n\nOn Tue, 2 Jan 2024 at 10:30, Support <help@parley.example> wrote:\n> Try turning it off.\n> And on again.\n");
    assert_eq!(new, "Thanks, that fixed it.");
    assert!(rest.unwrap().starts_with("On Tue, 2 Jan 2024"));
}

#[test]
fn attribution_wrapped_over_two_lines() {
    let (new, rest) = split(
        "Works now.\n\nOn Tue, Jan 2, 2024 at 10:30 AM Parley Support <\nhelp@parley.example> wrote:\n\n> Try again.\n",
    );
    assert_eq!(new, "Works now.");
    assert!(rest.unwrap().contains("> Try again."));
}

#[test]
fn german_attribution() {
    let (new, rest) = split("Danke, es geht wieder.\n\nAm 02.01.2024 um 10:30 schrieb Support <help@parley.example>:\n> Bitte neu starten.\n");
    assert_eq!(new, "Danke, es geht wieder.");
    assert!(rest.unwrap().starts_with("Am 02.01.2024"));
}

#[test]
fn hungarian_attribution() {
    let (new, rest) =
        split("Köszönöm, működik.\n\n2024. jan. 2., kedd 10:30 keltezéssel Ügyfélszolgálat <help@parley.example> ezt írta:\n> Indítsa újra.\n");
    assert_eq!(new, "Köszönöm, működik.");
    assert!(rest.unwrap().contains("ezt írta:"));
}

#[test]
fn outlook_original_message_and_header_blocks() {
    let (new, rest) = split(
        "See attached.\n\n-----Original Message-----\nFrom: Support\nSent: Tuesday\nSubject: Re: x\n\nold text\n",
    );
    assert_eq!(new, "See attached.");
    assert!(rest.unwrap().starts_with("-----Original Message-----"));

    let (new, rest) = split(
        "Yes please.\n\n________________________________\nFrom: Parley Support <help@parley.example>\nSent: Tuesday, January 2, 2024 10:30 AM\nTo: Anna\nSubject: RE: Printer\n\nShall we send a technician?\n",
    );
    assert_eq!(new, "Yes please.");
    assert!(rest.unwrap().starts_with("_____"));

    let (new, _) =
        split("Ja.\n\nVon: Support <help@parley.example>\nGesendet: Dienstag, 2. Januar 2024 10:30\nAn: Anna\n\nalt\n");
    assert_eq!(new, "Ja.");

    let (new, _) = split("Igen.\n\n-----Eredeti üzenet-----\nFeladó: Support\nKüldve: 2024. január 2.\n\nrégi\n");
    assert_eq!(new, "Igen.");
}

#[test]
fn a_from_line_without_a_sent_line_is_not_a_quote() {
    let text = "From: the second floor, the printer smells.\nPlease help.";
    assert_eq!(split(text), (text.to_string(), None));
}

#[test]
fn signatures_after_dash_dash_space() {
    let (new, rest) = split("Here is the log.\n\n-- \nAnna Kovács\nExample Ltd.\n");
    assert_eq!(new, "Here is the log.");
    assert_eq!(rest.as_deref(), Some("-- \nAnna Kovács\nExample Ltd."));
    let (new, rest) = split("Crlf too.\r\n-- \r\nAnna\r\n");
    assert_eq!(new, "Crlf too.");
    assert!(rest.is_some());
}

#[test]
fn trailing_quote_block_without_attribution() {
    let (new, rest) = split("> earlier question\nmy answer\n\n> the rest of the\n> old message\n\n");
    assert_eq!(new, "> earlier question\nmy answer");
    assert_eq!(rest.as_deref(), Some("> the rest of the\n> old message"));
}

#[test]
fn the_earliest_marker_wins() {
    let (new, rest) = split("New text.\n-- \nSig\n\nOn Mon, 1 Jan 2024, X <x@example.org> wrote:\n> old\n");
    assert_eq!(new, "New text.");
    assert!(rest.unwrap().starts_with("-- "));
}

#[test]
fn nothing_quoted_means_none() {
    let text = "Just a message.\nWith two lines > and a sign.";
    assert_eq!(split(text), (text.to_string(), None));
}

#[test]
fn all_quoted_returns_the_whole_text() {
    for text in ["> only quoted\n> text\n", "On Mon, 1 Jan 2024, X <x@example.org> wrote:\n> hi\n", "-- \nsig only\n"] {
        assert_eq!(split(text), (text.to_string(), None), "{text:?}");
    }
    assert_eq!(split(""), (String::new(), None));
}
