//! What Parley itself says on a call (its place in the queue, the voicemail prompt), in the account's language,
//! and the language tags Twilio's text to speech takes.

use crate::{AccountCtx, AppError};
use parley_i18n::{Arg, Texts};

pub(crate) struct Speech {
    texts: Texts,
    code: &'static str,
    twilio: String,
}

impl Speech {
    pub(crate) async fn of(ctx: &AccountCtx) -> Result<Speech, AppError> {
        let language = ctx.store.mail_identity(ctx.account_id).await?.language;
        let code = parley_i18n::known(&language).unwrap_or("en");
        Ok(Speech { texts: Texts::of(code), code, twilio: twilio_language(code) })
    }

    pub(crate) fn text(&self, id: &str) -> String {
        self.texts.get(id)
    }

    pub(crate) fn with_position(&self, position: u32) -> String {
        self.texts.with("voice-position", &[("position", Arg::Number(i64::from(position)))])
    }

    /// The account's language as Twilio's `<Say language>` takes it.
    pub(crate) fn lang(&self) -> &str {
        &self.twilio
    }

    /// The account's language code (`en`, `hu` …).
    pub(crate) fn code(&self) -> &str {
        self.code
    }
}

/// A language tag as Twilio's `<Say>` takes it: a region added to the languages Parley speaks (Twilio has
/// Filipino, `fil-PH`, for Tagalog); a tag with a region already is taken as given.
pub fn twilio_language(tag: &str) -> String {
    match tag {
        "en" => "en-US".into(),
        "de" => "de-DE".into(),
        "hu" => "hu-HU".into(),
        "tl" => "fil-PH".into(),
        other => other.to_string(),
    }
}
