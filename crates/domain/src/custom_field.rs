//! Custom ticket fields an account defines, and the checking of their values.

use crate::ids::{AccountId, TicketFieldId};
use crate::{Invalid, Timestamp};
use serde::{Deserialize, Serialize};
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FieldKind {
    Text,
    Number,
    /// A calendar date, `YYYY-MM-DD`.
    Date,
    Dropdown {
        options: Vec<String>,
    },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct TicketField {
    pub id: TicketFieldId,
    #[serde(skip)]
    pub account_id: AccountId,
    /// The name used in the API: `order_number`.
    pub key: String,
    pub label: String,
    #[serde(flatten)]
    pub kind: FieldKind,
    pub created_at: Timestamp,
}

/// Field keys: 1–64 of `a-z`, `0-9`, `_`, starting with a letter.
pub fn parse_field_key(s: &str) -> Result<String, Invalid> {
    let ok = !s.is_empty()
        && s.len() <= 64
        && s.as_bytes()[0].is_ascii_lowercase()
        && s.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
    if ok {
        Ok(s.to_string())
    } else {
        Err(Invalid::field(
            "key",
            format!(
                "'{}' is not a field key (a-z, 0-9, _; starts with a letter)",
                s.chars().take(64).collect::<String>()
            ),
        ))
    }
}

impl FieldKind {
    /// Check the definition itself: a dropdown needs options, each a non-empty line.
    pub fn check(&self) -> Result<(), Invalid> {
        if let FieldKind::Dropdown { options } = self {
            if options.is_empty() || options.len() > 500 {
                return Err(Invalid::field("options", "a dropdown needs 1 to 500 options"));
            }
            for o in options {
                crate::text::checked_text("options", o, 200, false)?;
            }
        }
        Ok(())
    }

    /// Check a value for this field; `null` clears it. Returns the value as stored.
    pub fn check_value(&self, key: &str, v: &Value) -> Result<Value, Invalid> {
        let field = format!("custom_fields.{key}");
        if v.is_null() {
            return Ok(Value::Null);
        }
        match self {
            FieldKind::Text => match v.as_str() {
                Some(s) if s.chars().count() <= 2000 => Ok(Value::String(s.to_string())),
                Some(_) => Err(Invalid::field(field, "must be at most 2000 characters")),
                None => Err(Invalid::field(field, "must be a string")),
            },
            FieldKind::Number => match v.as_f64() {
                Some(n) if n.is_finite() => Ok(v.clone()),
                _ => Err(Invalid::field(field, "must be a number")),
            },
            FieldKind::Date => match v.as_str() {
                Some(s) if s.len() == 10 && Timestamp::parse(s).is_some() => Ok(Value::String(s.to_string())),
                _ => Err(Invalid::field(field, "must be a date as YYYY-MM-DD")),
            },
            FieldKind::Dropdown { options } => match v.as_str() {
                Some(s) if options.iter().any(|o| o == s) => Ok(Value::String(s.to_string())),
                _ => Err(Invalid::field(field, format!("must be one of: {}", options.join(", ")))),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn values_are_checked_by_type() {
        assert!(FieldKind::Number.check_value("n", &json!(3.5)).is_ok());
        assert!(FieldKind::Number.check_value("n", &json!("3")).is_err());
        assert!(FieldKind::Date.check_value("d", &json!("2026-02-30")).is_err());
        assert!(FieldKind::Date.check_value("d", &json!("2026-02-28")).is_ok());
        let dd = FieldKind::Dropdown { options: vec!["gold".into(), "silver".into()] };
        assert!(dd.check_value("plan", &json!("gold")).is_ok());
        let err = dd.check_value("plan", &json!("bronze")).unwrap_err();
        assert_eq!(err.0[0].field, "custom_fields.plan");
        assert_eq!(dd.check_value("plan", &Value::Null).unwrap(), Value::Null);
    }

    #[test]
    fn keys_are_checked() {
        assert!(parse_field_key("order_no").is_ok());
        assert!(parse_field_key("Order").is_err());
        assert!(parse_field_key("1x").is_err());
    }
}
