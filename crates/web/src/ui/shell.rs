//! The workspace's frame around every agent page: the header (search, presence, profile), the views on the left
//! with their counts, and the agent's language, time zone and notification choices for the page's script.
//! Built once per page from the session, so every page shows the same frame.

use super::session::{AgentSession, PageError};
use parley_i18n::Texts;

/// One entry of the left column: a view of tickets (or a place of the workspace) and how many it holds.
pub(crate) struct NavLink {
    pub href: String,
    pub label: String,
    /// The view's id (`my_open`), for the page's script to update its count live.
    pub key: String,
    pub count: Option<String>,
    pub current: bool,
    /// `built_in`, `department`, `saved` or `settings`: the column shows each group under its own heading.
    pub group: &'static str,
    /// The heading shown above the link when it starts a group after the first.
    pub heading: Option<String>,
}

/// What agent.html needs.
pub(crate) struct Shell {
    pub t: Texts,
    pub agent: String,
    pub admin: bool,
    pub csrf: String,
    /// Which part of the workspace the page belongs to: `tickets`, `contacts`, `companies`, `knowledge`, `settings`,
    /// `profile`.
    pub section: &'static str,
    pub presence: &'static str,
    pub views: Vec<NavLink>,
    pub time_zone: String,
    pub notify_desktop: bool,
    pub notify_sound: bool,
    /// The workspace's texts for the page's script, as JSON safe inside a `<script type="application/json">`.
    pub texts_json: String,
    pub agent_id: String,
}

/// A built-in view's name in the agent's language (`my_open` → "My open tickets").
pub(crate) fn view_label(t: Texts, key: &str) -> String {
    t.get(&format!("ws-view-{}", key.replace('_', "-")))
}

/// The settings pages, as (view key, path), in the order of the settings column.
pub(crate) const SETTINGS_PAGES: [(&str, &str); 15] = [
    ("agents", "/settings/agents"),
    ("departments", "/settings/departments"),
    ("mailboxes", "/settings/mailboxes"),
    ("mail", "/settings/mail"),
    ("webhooks", "/settings/webhooks"),
    ("fields", "/settings/fields"),
    ("api-keys", "/settings/api-keys"),
    ("business-hours", "/settings/business-hours"),
    ("sla-policies", "/settings/sla-policies"),
    ("triggers", "/settings/triggers"),
    ("automations", "/settings/automations"),
    ("assignment", "/settings/assignment"),
    ("chat", "/settings/chat"),
    ("privacy", "/settings/privacy"),
    ("audit", "/audit"),
];

/// The agent's own pages, as (view key, text id, path): the column beside their profile, saved responses and macros.
const OWN_PAGES: [(&str, &str, &str); 3] = [
    ("profile", "ws-profile-title", "/profile"),
    ("canned", "ws-canned-title", "/canned-responses"),
    ("macros", "ws-macros-title", "/macros"),
];

/// The column of the agent's own pages (group `own`), `view` the one shown.
fn own_pages(t: Texts, view: Option<&str>) -> Vec<NavLink> {
    OWN_PAGES
        .iter()
        .map(|(key, label, href)| NavLink {
            href: (*href).to_string(),
            label: t.get(label),
            key: (*key).to_string(),
            count: None,
            current: view == Some(*key),
            group: "own",
            heading: None,
        })
        .collect()
}

impl Shell {
    /// The frame for a page of `section`; `view` names the view the page shows, if any.
    pub async fn build(s: &AgentSession, section: &'static str, view: Option<&str>) -> Result<Shell, PageError> {
        let t = Texts::of(&s.agent.profile.language);
        let presence = parley_app::chat::presence::status_of(&s.ctx, s.agent.id).await?.as_str();
        // Settings pages have their own column: the pages of the settings, instead of the views of tickets.
        let views = if section == "settings" {
            SETTINGS_PAGES
                .iter()
                .map(|(key, href)| NavLink {
                    href: (*href).to_string(),
                    label: t.get(&format!("ws-settings-{key}")),
                    key: (*key).to_string(),
                    count: None,
                    current: view == Some(*key),
                    group: "settings",
                    heading: None,
                })
                .collect()
        } else if section == "profile" {
            own_pages(t, view)
        } else if section == "tickets" {
            // Names only: counting every view would hold the page back; the page's script fills the counts in.
            parley_app::views::view_entries(&s.ctx, &s.caller())
                .await?
                .into_iter()
                .map(|(key, name, kind, _, _)| NavLink {
                    href: format!("/tickets?view={key}"),
                    label: if kind == "built_in" { view_label(t, &key) } else { name },
                    current: view == Some(key.as_str()),
                    group: kind,
                    key,
                    count: None,
                    heading: None,
                })
                .collect::<Vec<_>>()
        } else {
            Vec::new()
        };
        let mut views = views;
        for i in 1..views.len() {
            if views[i].group != views[i - 1].group {
                views[i].heading = match views[i].group {
                    "department" => Some(t.get("ws-settings-departments")),
                    "saved" => Some(t.get("ws-saved-views")),
                    _ => None,
                };
            }
        }
        Ok(Shell {
            t,
            agent: s.agent.name.clone(),
            admin: s.agent.role.is_admin(),
            csrf: s.session.csrf_token.clone(),
            section,
            presence,
            views,
            time_zone: s.agent.profile.time_zone.clone(),
            notify_desktop: s.agent.profile.notify_desktop,
            notify_sound: s.agent.profile.notify_sound,
            texts_json: script_texts(t),
            agent_id: s.agent.id.to_string(),
        })
    }

    /// A text of the workspace in the agent's language.
    pub fn tr(&self, id: &str) -> String {
        self.t.get(id)
    }

    /// A counted text (`ws-select-view-all`) for `n`.
    pub fn tr_n(&self, id: &str, n: &u64) -> String {
        self.t.with(id, &[("count", (*n as i64).into())])
    }

    /// A ticket status (`pending`) as the agent reads it.
    pub fn status(&self, s: &str) -> String {
        self.t.get(&format!("ws-status-{s}"))
    }

    /// A channel (`email`, `chat`, …) as the agent reads it.
    pub fn channel(&self, c: &str) -> String {
        self.t.get(&format!("ws-channel-{c}"))
    }

    pub fn priority(&self, p: &str) -> String {
        self.t.get(&format!("ws-priority-{p}"))
    }

    pub fn presence_label(&self, p: &str) -> String {
        self.t.get(&format!("ws-presence-{p}"))
    }
}

/// Every workspace text, values left as `{name}` markers for the script to fill. `<` is escaped so that no text
/// can close the script element it is written into.
fn script_texts(t: Texts) -> String {
    let markers = ["count", "number", "who", "names", "name", "reason", "channel", "when"];
    let mut map: serde_json::Map<String, serde_json::Value> =
        t.group("ws-", &markers).into_iter().map(|(k, v)| (k, serde_json::Value::String(v))).collect();
    // Counted texts pick their form by number, which a marker cannot: each is given as its "one" and "other" form,
    // and the script chooses with the language's plural rules.
    for id in PLURALS {
        for (form, n) in [("one", 1), ("other", 7)] {
            let text = t.with(id, &[("count", n.into())]).replace(&n.to_string(), "{count}");
            map.insert(format!("{}#{form}", id.trim_start_matches("ws-")), serde_json::Value::String(text));
        }
    }
    serde_json::Value::Object(map).to_string().replace('<', "\\u003c")
}

/// The workspace's texts that take a count.
const PLURALS: [&str; 5] =
    ["ws-selected", "ws-bulk-done", "ws-select-view-all", "ws-select-view-done", "ws-select-page-done"];
