//! TwiML, the XML Twilio follows on a call, written with a real XML writer: every text and attribute a caller or
//! an administrator typed (a greeting, a queue's name, a number) is escaped by it, never pasted into markup.

use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};
use quick_xml::Writer;

/// Who a `<Dial>` rings.
pub enum DialTarget<'a> {
    /// A browser softphone, by its identity.
    Client(&'a str),
    Number(&'a str),
}

/// One TwiML document, `<Response>` and the verbs added to it in order.
pub struct Twiml {
    w: Writer<Vec<u8>>,
    /// Set if writing ever failed (it cannot, into memory); the call then hears a hang-up rather than half a
    /// document.
    broken: bool,
}

impl Default for Twiml {
    fn default() -> Self {
        Self::new()
    }
}

impl Twiml {
    pub fn new() -> Twiml {
        let mut t = Twiml { w: Writer::new(Vec::with_capacity(512)), broken: false };
        t.ev(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)));
        t.ev(Event::Start(BytesStart::new("Response")));
        t
    }

    fn ev(&mut self, e: Event<'_>) {
        if self.w.write_event(e).is_err() {
            self.broken = true;
        }
    }

    fn element(&mut self, name: &str, attrs: &[(&str, &str)], text: Option<&str>) -> &mut Self {
        let mut start = BytesStart::new(name);
        for (k, v) in attrs {
            start.push_attribute((*k, *v));
        }
        match text {
            None => self.ev(Event::Empty(start)),
            Some(t) => {
                self.ev(Event::Start(start));
                self.ev(Event::Text(BytesText::new(t)));
                self.ev(Event::End(BytesEnd::new(name)));
            }
        }
        self
    }

    /// Text read out in `language` (Twilio's tag, e.g. `hu-HU`).
    pub fn say(&mut self, text: &str, language: &str) -> &mut Self {
        self.element("Say", &[("language", language)], Some(text))
    }

    pub fn pause(&mut self, seconds: u32) -> &mut Self {
        self.element("Pause", &[("length", &seconds.to_string())], None)
    }

    /// Asks for one key, with what `inner` says as the prompt; `action` receives the key.
    pub fn gather(&mut self, action: &str, timeout_s: u32, inner: impl FnOnce(&mut Twiml)) -> &mut Self {
        let mut start = BytesStart::new("Gather");
        start.push_attribute(("action", action));
        start.push_attribute(("method", "POST"));
        start.push_attribute(("numDigits", "1"));
        start.push_attribute(("timeout", timeout_s.to_string().as_str()));
        self.ev(Event::Start(start));
        inner(self);
        self.ev(Event::End(BytesEnd::new("Gather")));
        self
    }

    pub fn redirect(&mut self, url: &str) -> &mut Self {
        self.element("Redirect", &[("method", "POST")], Some(url))
    }

    /// Puts the caller in the queue `queue`; `wait_url` is asked what they hear meanwhile, `action` when they leave.
    pub fn enqueue(&mut self, queue: &str, action: &str, wait_url: &str) -> &mut Self {
        self.element(
            "Enqueue",
            &[("action", action), ("method", "POST"), ("waitUrl", wait_url), ("waitUrlMethod", "POST")],
            Some(queue),
        )
    }

    pub fn leave(&mut self) -> &mut Self {
        self.element("Leave", &[], None)
    }

    /// Rings `target` for `timeout_s`; `action` hears how it went. With `recording`, the call is recorded from the
    /// answer and the recording's status is posted there.
    pub fn dial(&mut self, target: DialTarget<'_>, action: &str, timeout_s: u32, recording: Option<&str>) -> &mut Self {
        let mut start = BytesStart::new("Dial");
        start.push_attribute(("action", action));
        start.push_attribute(("method", "POST"));
        start.push_attribute(("timeout", timeout_s.to_string().as_str()));
        if let Some(cb) = recording {
            start.push_attribute(("record", "record-from-answer"));
            start.push_attribute(("recordingStatusCallback", cb));
            start.push_attribute(("recordingStatusCallbackEvent", "completed"));
        }
        self.ev(Event::Start(start));
        match target {
            DialTarget::Client(identity) => self.element("Client", &[], Some(identity)),
            DialTarget::Number(n) => self.element("Number", &[], Some(n)),
        };
        self.ev(Event::End(BytesEnd::new("Dial")));
        self
    }

    /// Records the caller (a voicemail) for at most `max_s`; `action` gets the recording when they stop, `status`
    /// when it is ready to fetch.
    pub fn record(&mut self, action: &str, status: &str, max_s: u32) -> &mut Self {
        self.element(
            "Record",
            &[
                ("action", action),
                ("method", "POST"),
                ("maxLength", &max_s.to_string()),
                ("playBeep", "true"),
                ("timeout", "5"),
                ("recordingStatusCallback", status),
                ("recordingStatusCallbackEvent", "completed"),
            ],
            None,
        )
    }

    pub fn hangup(&mut self) -> &mut Self {
        self.element("Hangup", &[], None)
    }

    pub fn reject(&mut self) -> &mut Self {
        self.element("Reject", &[], None)
    }

    /// The document, closed; ends a chain (`t.say(…).hangup().finish()`), leaving an empty builder behind.
    pub fn finish(&mut self) -> String {
        self.ev(Event::End(BytesEnd::new("Response")));
        let done = std::mem::replace(self, Twiml { w: Writer::new(Vec::new()), broken: false });
        if done.broken {
            return r#"<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>"#.to_string();
        }
        String::from_utf8(done.w.into_inner())
            .unwrap_or_else(|_| r#"<?xml version="1.0" encoding="UTF-8"?><Response><Hangup/></Response>"#.to_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn everything_typed_is_escaped() {
        let mut t = Twiml::new();
        t.gather("https://a.example/voice/twilio/gather?menu=main&try=1", 5, |t| {
            t.say(r#"Tom & Jerry's <shop> "now""#, "en-US");
        });
        t.dial(DialTarget::Number("+3612345678"), "https://a.example/d?x=1&y=2", 20, None);
        t.enqueue("Orders & <Billing>", "/q", "/w").hangup();
        let xml = t.finish();
        assert!(xml.starts_with(r#"<?xml version="1.0" encoding="UTF-8"?><Response><Gather action="https://a.example/voice/twilio/gather?menu=main&amp;try=1""#), "{xml}");
        assert!(xml.contains("Tom &amp; Jerry&apos;s &lt;shop&gt; &quot;now&quot;</Say>"), "{xml}");
        assert!(xml.contains(r#"action="https://a.example/d?x=1&amp;y=2""#), "{xml}");
        assert!(xml.contains(">Orders &amp; &lt;Billing&gt;</Enqueue>"), "{xml}");
        assert!(xml.ends_with("<Hangup/></Response>"), "{xml}");
    }
}
