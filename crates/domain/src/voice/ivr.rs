//! An IVR: menus a caller hears and answers with the keypad ("Press 1 for orders, 2 for billing, 0 for an
//! operator"). Each menu has a greeting per language and routes from a key (or from no valid key) to what happens
//! next. The first menu is where a call starts while the account is open; `closed_menu`, when set, while it is
//! closed (by its business hours).

use crate::contact::parse_phone;
use crate::error::Checker;
use crate::ids::{AccountId, DepartmentId, IvrId};
use crate::text::checked_text;
use crate::ticket::Tag;
use crate::{Invalid, Timestamp};
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};

pub const MAX_MENUS: usize = 50;
pub const MAX_GREETING_CHARS: usize = 1000;
/// How often a caller who presses nothing useful hears a menu before the call ends (when no route takes them).
pub const MAX_TRIES: u32 = 3;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Ivr {
    pub id: IvrId,
    #[serde(skip)]
    pub account_id: AccountId,
    pub name: String,
    pub menus: Vec<Menu>,
    /// The menu a call starts at while the account is closed; the first menu when not set.
    pub closed_menu: Option<String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Menu {
    pub id: String,
    /// What the caller hears, by language (`en`, `hu`, `en-GB`…); every language is said, the caller's first.
    pub greeting: BTreeMap<String, String>,
    pub routes: Vec<Route>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Route {
    /// `0`–`9`, `*`, `#`, or `default` (no key pressed, or one no route has).
    pub keys: String,
    #[serde(flatten)]
    pub action: Action,
    /// Tags the call's ticket gets when the caller takes this route.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "action", rename_all = "snake_case")]
pub enum Action {
    /// Wait in the queue of a department (the whole account's when none) for the next available agent.
    Queue {
        #[serde(default, skip_serializing_if = "Option::is_none")]
        department_id: Option<DepartmentId>,
    },
    /// Leave a message; it becomes a ticket with the recording.
    Voicemail,
    /// Connect to another number.
    Forward {
        number: String,
    },
    /// Go to another menu of the IVR.
    Menu {
        menu: String,
    },
    /// Hear this menu again.
    Repeat,
    Hangup,
}

/// An IVR as given, checked by [`IvrInput::parse`].
#[derive(Debug, Clone, Deserialize, utoipa::ToSchema)]
pub struct IvrInput {
    pub name: String,
    pub menus: Vec<Menu>,
    #[serde(default)]
    pub closed_menu: Option<String>,
}

/// What a caller's keys (or no keys) lead to in a menu.
#[derive(Debug, PartialEq, Eq)]
pub enum Choice<'a> {
    Route(&'a Route),
    /// Nothing pressed or a key no route has, and no `default` route: the menu again, up to [`MAX_TRIES`].
    Again,
}

impl Ivr {
    pub fn menu(&self, id: &str) -> Option<&Menu> {
        self.menus.iter().find(|m| m.id == id)
    }

    /// The menu a call starts at.
    pub fn entry(&self, open: bool) -> Option<&Menu> {
        let closed = if open { None } else { self.closed_menu.as_deref().and_then(|m| self.menu(m)) };
        closed.or_else(|| self.menus.first())
    }

    /// Departments the IVR sends callers to.
    pub fn departments(&self) -> BTreeSet<DepartmentId> {
        self.menus
            .iter()
            .flat_map(|m| &m.routes)
            .filter_map(|r| match r.action {
                Action::Queue { department_id } => department_id,
                _ => None,
            })
            .collect()
    }
}

impl Menu {
    pub fn choose(&self, digits: Option<&str>) -> Choice<'_> {
        let pressed = digits.map(str::trim).filter(|d| !d.is_empty());
        let exact = pressed.and_then(|d| self.routes.iter().find(|r| r.keys == d));
        match exact.or_else(|| self.routes.iter().find(|r| r.keys == "default")) {
            Some(r) => Choice::Route(r),
            None => Choice::Again,
        }
    }

    /// Whether a caller is asked for keys at all (a menu whose only route is `default` just goes on).
    pub fn asks(&self) -> bool {
        self.routes.iter().any(|r| r.keys != "default")
    }

    /// The greeting in the order it is said: `first` (the caller's or account's language) first, then the rest.
    pub fn greeting_in_order(&self, first: &str) -> Vec<(&str, &str)> {
        let mut out: Vec<(&str, &str)> = self.greeting.iter().map(|(l, t)| (l.as_str(), t.as_str())).collect();
        out.sort_by_key(|(l, _)| !(*l == first || l.split('-').next() == Some(first)));
        out
    }
}

fn valid_keys(k: &str) -> bool {
    k == "default" || (k.len() == 1 && k.bytes().all(|b| b.is_ascii_digit() || b == b'*' || b == b'#'))
}

fn valid_menu_id(id: &str) -> bool {
    (1..=40).contains(&id.len())
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b"_-".contains(&b))
}

/// A language tag for a greeting: `xx` or `xx-YY`.
fn valid_language(l: &str) -> bool {
    let mut parts = l.split('-');
    let primary = parts.next().unwrap_or_default();
    let region = parts.next();
    parts.next().is_none()
        && (2..=3).contains(&primary.len())
        && primary.bytes().all(|b| b.is_ascii_lowercase())
        && region.is_none_or(|r| r.len() == 2 && r.bytes().all(|b| b.is_ascii_uppercase()))
}

impl IvrInput {
    /// Checks everything and reports every problem at once. Departments are the caller's to check (they are the
    /// account's data), see [`Ivr::departments`].
    pub fn parse(self) -> Result<(String, Vec<Menu>, Option<String>), Invalid> {
        let mut errs = Checker::new();
        let name = errs.check(checked_text("name", &self.name, 100, false));
        if self.menus.is_empty() || self.menus.len() > MAX_MENUS {
            errs.add("menus", format!("an IVR has 1 to {MAX_MENUS} menus"));
        }
        let ids: Vec<&str> = self.menus.iter().map(|m| m.id.as_str()).collect();
        let mut menus = Vec::with_capacity(self.menus.len());
        for (i, m) in self.menus.iter().enumerate() {
            let at = |f: &str| format!("menus[{i}].{f}");
            if !valid_menu_id(&m.id) {
                errs.add(at("id"), "must be 1 to 40 lowercase letters, digits, _ or -");
            } else if ids[..i].contains(&m.id.as_str()) {
                errs.add(at("id"), format!("'{}' names another menu already", m.id));
            }
            if m.greeting.is_empty() {
                errs.add(at("greeting"), "needs the text of at least one language");
            }
            let mut greeting = BTreeMap::new();
            for (lang, text) in &m.greeting {
                let field = at(&format!("greeting.{}", lang.chars().take(20).collect::<String>()));
                if !valid_language(lang) {
                    errs.add(field, "is not a language tag such as en, hu or en-GB");
                } else if let Some(t) = errs.check(checked_text(&field, text, MAX_GREETING_CHARS, true)) {
                    greeting.insert(lang.clone(), t);
                }
            }
            if m.routes.len() > 13 {
                errs.add(at("routes"), "at most 13 routes: 0–9, *, # and default");
            }
            let mut seen = BTreeSet::new();
            let mut routes = Vec::with_capacity(m.routes.len());
            for (j, r) in m.routes.iter().enumerate() {
                let at = |f: &str| format!("menus[{i}].routes[{j}].{f}");
                if !valid_keys(&r.keys) {
                    errs.add(at("keys"), "must be one of 0–9, *, # or default");
                } else if !seen.insert(r.keys.as_str()) {
                    errs.add(at("keys"), format!("'{}' has a route already", r.keys));
                }
                let action = match &r.action {
                    Action::Forward { number } => errs
                        .check(parse_phone(number).map_err(|e| e.at(&at("number"))))
                        .map(|number| Action::Forward { number }),
                    Action::Menu { menu } if !ids.contains(&menu.as_str()) => {
                        errs.add(
                            at("menu"),
                            format!("'{}' is not a menu of this IVR", menu.chars().take(40).collect::<String>()),
                        );
                        None
                    }
                    other => Some(other.clone()),
                };
                let tags = errs.check(Tag::parse_list(&r.tags).map_err(|e| e.at(&at("tags"))));
                if let (Some(action), Some(tags)) = (action, tags) {
                    routes.push(Route {
                        keys: r.keys.clone(),
                        action,
                        tags: tags.into_iter().map(|t| t.as_str().to_string()).collect(),
                    });
                }
            }
            menus.push(Menu { id: m.id.clone(), greeting, routes });
        }
        if let Some(c) = &self.closed_menu {
            if !ids.contains(&c.as_str()) {
                errs.add("closed_menu", "is not a menu of this IVR");
            }
        }
        errs.finish()?;
        let Some(name) = name else { return Err(Invalid::field("name", "is missing")) };
        Ok((name, menus, self.closed_menu))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn input(v: serde_json::Value) -> IvrInput {
        serde_json::from_value(v).unwrap()
    }

    fn shop() -> IvrInput {
        input(json!({
            "name": "Shop",
            "closed_menu": "closed",
            "menus": [
                {"id": "main", "greeting": {"en": "Press 1 for orders, 2 for billing.", "hu": "Nyomja meg az 1-est."},
                 "routes": [
                    {"keys": "1", "action": "queue", "tags": ["orders"]},
                    {"keys": "2", "action": "menu", "menu": "billing"},
                    {"keys": "0", "action": "forward", "number": "+36 1 234 5678"},
                    {"keys": "default", "action": "voicemail"}]},
                {"id": "billing", "greeting": {"en": "Billing."}, "routes": [{"keys": "*", "action": "menu", "menu": "main"}]},
                {"id": "closed", "greeting": {"en": "We are closed."}, "routes": [{"keys": "default", "action": "voicemail"}]}
            ]
        }))
    }

    #[test]
    fn a_menu_routes_keys_and_falls_back_to_default() {
        let (name, menus, closed) = shop().parse().unwrap();
        let ivr = Ivr {
            id: IvrId::new(),
            account_id: AccountId::new(),
            name,
            menus,
            closed_menu: closed,
            created_at: Timestamp::from_millis(0),
            updated_at: Timestamp::from_millis(0),
        };
        let main = ivr.entry(true).unwrap();
        assert_eq!(main.id, "main");
        assert_eq!(ivr.entry(false).unwrap().id, "closed");
        let Choice::Route(r) = main.choose(Some("1")) else { panic!("1 routes") };
        assert_eq!(
            (r.action.clone(), r.tags.clone()),
            (Action::Queue { department_id: None }, vec!["orders".to_string()])
        );
        assert_eq!(main.choose(Some("0")), Choice::Route(&main.routes[2]));
        assert_eq!(main.routes[2].action, Action::Forward { number: "+3612345678".into() }, "numbers are normalised");
        assert_eq!(main.choose(Some("7")), Choice::Route(&main.routes[3]), "an unknown key takes default");
        assert_eq!(main.choose(None), Choice::Route(&main.routes[3]), "so does no key");
        let billing = ivr.menu("billing").unwrap();
        assert_eq!(billing.choose(Some("5")), Choice::Again, "no default: the menu again");
        assert_eq!(main.greeting_in_order("hu")[0].0, "hu");
        assert_eq!(main.greeting_in_order("en")[0].0, "en");
    }

    #[test]
    fn every_problem_is_reported() {
        let bad = input(json!({
            "name": "",
            "closed_menu": "nowhere",
            "menus": [
                {"id": "Main!", "greeting": {}, "routes": [
                    {"keys": "12", "action": "hangup"},
                    {"keys": "1", "action": "menu", "menu": "missing"},
                    {"keys": "1", "action": "forward", "number": "call me"}]},
                {"id": "b", "greeting": {"english": "x"}, "routes": []},
                {"id": "b", "greeting": {"en": "x"}, "routes": []}
            ]
        }));
        let lines = bad.parse().unwrap_err().lines().join("\n");
        for f in [
            "name",
            "closed_menu",
            "menus[0].id",
            "menus[0].greeting",
            "menus[0].routes[0].keys",
            "menus[0].routes[1].menu",
            "menus[0].routes[2].keys",
            "menus[0].routes[2].number",
            "menus[1].greeting.english",
            "menus[2].id",
        ] {
            assert!(lines.contains(f), "{f} missing in:\n{lines}");
        }
        assert!(input(json!({"name": "x", "menus": []})).parse().is_err());
        assert!(
            serde_json::from_value::<IvrInput>(json!({"name": "x", "menus": [{"id": "m", "greeting": {"en": "x"},
            "routes": [{"keys": "1", "action": "teleport"}]}]}))
            .is_err(),
            "unknown actions do not parse"
        );
    }
}
