//! Texts of the mail Parley writes itself, in the customer's language when known (Parley's own texts come from
//! `parley_i18n`, the Fluent files every customer-facing text comes from).

use parley_domain::mail_template::{primary_language, MailSettings, TemplateValues};
use parley_domain::ticket::TicketNumber;

/// A language we have texts for, from a tag like `de-AT`; English otherwise.
pub fn language(tag: Option<&str>) -> &'static str {
    tag.and_then(known).unwrap_or("en")
}

/// The acknowledgement of a new ticket: subject and text. Written in the language the customer's mail declared
/// (`Content-Language`) when the account or Parley has a text in it, else in the account's language; in the
/// account's own wording when it has a template for that language, else in Parley's.
pub fn acknowledgement_for(
    settings: &MailSettings,
    declared: Option<&str>,
    account_language: &str,
    v: &TemplateValues<'_>,
) -> (String, String) {
    let usable = |tag: Option<&str>| {
        tag.and_then(primary_language).filter(|p| settings.acknowledgement.contains_key(p) || known(p).is_some())
    };
    let lang = usable(declared).or_else(|| usable(Some(account_language))).unwrap_or_else(|| "en".into());
    match settings.acknowledgement.get(&lang) {
        Some(t) => t.render(v),
        None => acknowledgement(language(Some(&lang)), v.account_name, TicketNumber(v.ticket_number), v.ticket_subject),
    }
}

/// The languages Parley has its own texts in.
pub fn built_in() -> impl Iterator<Item = &'static str> {
    parley_i18n::LANGUAGES.iter().map(|l| l.code)
}

fn known(tag: &str) -> Option<&'static str> {
    parley_i18n::known(tag)
}

/// The acknowledgement of a new ticket: subject and text.
pub fn acknowledgement(lang: &str, account: &str, number: TicketNumber, subject: &str) -> (String, String) {
    let t = parley_i18n::Texts::of(lang);
    let values = [("subject", subject.into()), ("number", number.0.into()), ("account", account.into())];
    (t.with("mail-ack-subject", &values), t.with("mail-ack-body", &values) + "\n")
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
        let (s, t) = acknowledgement("hu", "Acme", TicketNumber(7), "Nyomtató");
        assert!(s.contains("[#7]") && t.contains("#7"));
    }

    #[test]
    fn the_declared_language_wins_when_there_is_a_text_in_it() {
        let v =
            TemplateValues { ticket_number: 7, ticket_subject: "Hilfe", requester_name: "Jo", account_name: "Acme" };
        let ours = MailSettings::default();
        let subject =
            |s: &MailSettings, declared: Option<&str>, account: &str| acknowledgement_for(s, declared, account, &v).0;
        assert!(subject(&ours, Some("hu-HU"), "de").starts_with("Megkaptuk"));
        assert!(subject(&ours, Some("fr"), "de").starts_with("Wir haben"), "no French text: the account's language");
        assert!(subject(&ours, None, "tl").starts_with("Natanggap"));
        assert!(subject(&ours, Some("en-GB"), "de").starts_with("We received"));
        assert!(subject(&ours, Some("fr"), "xx").starts_with("We received"));

        let custom = MailSettings::checked(
            true,
            [(
                "fr".to_string(),
                parley_domain::mail_template::MailTemplate {
                    subject: "Bien reçu : {{ticket.subject}}".into(),
                    body: "Bonjour {{requester.name}}".into(),
                },
            )]
            .into(),
        )
        .unwrap();
        assert_eq!(subject(&custom, Some("fr-CA"), "de"), "Bien reçu : Hilfe [#7]");
        assert!(subject(&custom, Some("de"), "en").starts_with("Wir haben"), "other languages keep Parley's text");
    }
}
