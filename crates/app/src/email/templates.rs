//! Texts of the mail Parley writes itself, in the customer's language when known (en, de, hu, tl).

use parley_domain::ticket::TicketNumber;

/// A language we have texts for, from a tag like `de-AT`; English otherwise.
pub fn language(tag: Option<&str>) -> &'static str {
    tag.and_then(known).unwrap_or("en")
}

/// The language to write to a customer in: the one their mail declared (`Content-Language`) when we have texts for
/// it, else the account's.
pub fn language_for(declared: Option<&str>, account: &str) -> &'static str {
    declared.and_then(known).unwrap_or_else(|| language(Some(account)))
}

fn known(tag: &str) -> Option<&'static str> {
    let primary = tag.split(['-', '_']).next().unwrap_or("").to_ascii_lowercase();
    match primary.as_str() {
        "en" => Some("en"),
        "de" => Some("de"),
        "hu" => Some("hu"),
        "tl" | "fil" => Some("tl"),
        _ => None,
    }
}

/// The acknowledgement of a new ticket: subject and text.
pub fn acknowledgement(lang: &str, account: &str, number: TicketNumber, subject: &str) -> (String, String) {
    let n = number.0;
    match lang {
        "de" => (
            format!("Wir haben Ihre Anfrage erhalten: {subject} [#{n}]"),
            format!(
                "Guten Tag,\n\nvielen Dank für Ihre Nachricht. Wir haben sie als Anfrage #{n} erfasst und melden uns \
                 so bald wie möglich.\nWenn Sie auf diese E-Mail antworten, wird Ihre Antwort der Anfrage hinzugefügt.\n\n\
                 {account}\n"
            ),
        ),
        "hu" => (
            format!("Megkaptuk megkeresését: {subject} [#{n}]"),
            format!(
                "Jó napot!\n\nKöszönjük üzenetét. #{n} számon rögzítettük, és hamarosan válaszolunk.\n\
                 Ha erre a levélre válaszol, a válasza a megkereséshez kerül.\n\n{account}\n"
            ),
        ),
        "tl" => (
            format!("Natanggap namin ang inyong kahilingan: {subject} [#{n}]"),
            format!(
                "Magandang araw,\n\nSalamat sa inyong mensahe. Naitala namin ito bilang kahilingan #{n} at sasagot \
                 kami sa lalong madaling panahon.\nKung sasagutin ninyo ang email na ito, maidaragdag ang inyong sagot \
                 sa kahilingan.\n\n{account}\n"
            ),
        ),
        _ => (
            format!("We received your request: {subject} [#{n}]"),
            format!(
                "Hello,\n\nThank you for your message. We have logged it as request #{n} and will get back to you \
                 as soon as we can.\nIf you reply to this email, your reply is added to the request.\n\n{account}\n"
            ),
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_fall_back_to_english() {
        assert_eq!(language(Some("de-AT")), "de");
        assert_eq!(language(Some("fil")), "tl");
        assert_eq!(language(Some("fr")), "en");
        assert_eq!(language(None), "en");
        assert_eq!(language_for(Some("hu-HU"), "de"), "hu");
        assert_eq!(language_for(Some("fr"), "de"), "de");
        assert_eq!(language_for(None, "tl"), "tl");
        assert_eq!(language_for(Some("en-GB"), "de"), "en");
        let (s, t) = acknowledgement("hu", "Acme", TicketNumber(7), "Nyomtató");
        assert!(s.contains("[#7]") && t.contains("#7"));
    }
}
