//! Page cursors: opaque to clients, a sort value and an id inside.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use parley_domain::ids::TicketId;
use parley_domain::Invalid;
use parley_store::{SortValue, TicketCursor};

/// `<number>:<id>` (the form cursors always had), or `t:<id>:<text>` for an order by text.
pub fn encode_cursor(c: &TicketCursor) -> String {
    match &c.value {
        SortValue::Int(v) => URL_SAFE_NO_PAD.encode(format!("{v}:{}", c.id)),
        SortValue::Text(s) => URL_SAFE_NO_PAD.encode(format!("t:{}:{s}", c.id)),
    }
}

pub fn decode_cursor(s: &str) -> Result<TicketCursor, Invalid> {
    let bad = || Invalid::field("page[after]", "is not a cursor this API gave out");
    let raw = URL_SAFE_NO_PAD.decode(s).map_err(|_| bad())?;
    let text = String::from_utf8(raw).map_err(|_| bad())?;
    if let Some(rest) = text.strip_prefix("t:") {
        let (id, value) = rest.split_once(':').ok_or_else(bad)?;
        return Ok(TicketCursor {
            value: SortValue::Text(value.to_string()),
            id: TicketId::parse(id).ok_or_else(bad)?,
        });
    }
    let (v, id) = text.split_once(':').ok_or_else(bad)?;
    Ok(TicketCursor { value: SortValue::Int(v.parse().map_err(|_| bad())?), id: TicketId::parse(id).ok_or_else(bad)? })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cursors_round_trip_and_junk_is_refused() {
        let c = TicketCursor { value: SortValue::Int(1_700_000_000_000), id: TicketId::new() };
        assert_eq!(decode_cursor(&encode_cursor(&c)).unwrap(), c);
        let t = TicketCursor { value: SortValue::Text("Printer: on fire".into()), id: TicketId::new() };
        assert_eq!(decode_cursor(&encode_cursor(&t)).unwrap(), t);
        assert!(decode_cursor("not-a-cursor").is_err());
        assert!(decode_cursor(&URL_SAFE_NO_PAD.encode("1:nope")).is_err());
    }
}
