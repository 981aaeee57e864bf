//! Page cursors: opaque to clients, a sort value and an id inside.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use parley_domain::ids::TicketId;
use parley_domain::Invalid;
use parley_store::TicketCursor;

pub fn encode_cursor(c: &TicketCursor) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", c.value, c.id))
}

pub fn decode_cursor(s: &str) -> Result<TicketCursor, Invalid> {
    let bad = || Invalid::field("page[after]", "is not a cursor this API gave out");
    let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    let (v, id) = text.split_once(':').ok_or_else(bad)?;
    Ok(TicketCursor { value: v.parse().map_err(|_| bad())?, id: TicketId::parse(id).ok_or_else(bad)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let c = TicketCursor { value: 1_700_000_000_000, id: TicketId::new() };
        assert_eq!(decode_cursor(&encode_cursor(&c)).unwrap(), c);
        assert!(decode_cursor("not-a-cursor").is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("1:nope")).is_err());
    }
}
