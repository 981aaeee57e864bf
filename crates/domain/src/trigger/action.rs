//! Trigger actions: the macros' ticket actions (set a field, add or remove tags), and what only rules do — assign
//! by a strategy, add an internal note, send mail.

use crate::canned::parse_template;
use crate::canned::Macro;
use crate::email::EmailAddress;
use crate::error::Checker;
use crate::ids::{AgentId, DepartmentId, MacroId, WebhookId};
use crate::ticket_action::{FieldDefs, SetField, TicketAction, MAX_ACTIONS};
use crate::Invalid;
use serde_json::{json, Map, Value};

/// How `assign` picks an agent among the available agents of the department.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    /// The one who was given a ticket longest ago.
    RoundRobin,
    /// The one with the fewest open tickets.
    LeastBusy,
}

impl Strategy {
    pub fn parse(s: &str) -> Option<Strategy> {
        match s {
            "round_robin" => Some(Strategy::RoundRobin),
            "least_busy" => Some(Strategy::LeastBusy),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Strategy::RoundRobin => "round_robin",
            Strategy::LeastBusy => "least_busy",
        }
    }
}

/// Who a mail goes to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Recipient {
    Requester,
    Assignee,
    Address(EmailAddress),
}

#[derive(Debug, Clone, PartialEq)]
pub enum TriggerAction {
    Ticket(TicketAction),
    /// Move to a department (or keep the ticket's) and give it to an agent: this one, or one picked by the
    /// strategy among the department's available agents.
    Assign {
        department: Option<DepartmentId>,
        agent: Option<AgentId>,
        strategy: Option<Strategy>,
    },
    AddNote {
        body: String,
    },
    SendMail {
        to: Recipient,
        subject: String,
        body: String,
    },
    /// Tell one of the account's webhooks (whatever events it subscribes to): a `trigger.notified` delivery with
    /// the ticket and this message (placeholders filled).
    NotifyWebhook {
        webhook: WebhookId,
        message: String,
    },
    /// Do what one of the account's shared macros does: its ticket changes, its internal note as a note, its public
    /// reply as mail to the requester. Expanded into those actions before a run (see [`expand_macros`]); a macro
    /// deleted since does nothing.
    ApplyMacro {
        id: MacroId,
    },
}

const ACTIONS: &str = "set, add_tags, remove_tags, assign, add_note, send_mail, notify_webhook, apply_macro";

/// `actions` with each `apply_macro` replaced by what its macro does (`macros` finds the account's shared macros);
/// the macro's actions run in their order at the place of the `apply_macro`.
pub fn expand_macros(actions: &[TriggerAction], macros: &dyn Fn(MacroId) -> Option<Macro>) -> Vec<TriggerAction> {
    let mut out = Vec::with_capacity(actions.len());
    for a in actions {
        let TriggerAction::ApplyMacro { id } = a else {
            out.push(a.clone());
            continue;
        };
        let Some(m) = macros(*id) else { continue };
        // "Assign to me" means the agent applying a macro; a rule applying it is nobody.
        let changes = m.actions.iter().filter(|a| !matches!(a, TicketAction::Set(SetField::AssigneeApplier)));
        out.extend(changes.cloned().map(TriggerAction::Ticket));
        match m.reply {
            Some(r) if r.internal => out.push(TriggerAction::AddNote { body: r.body }),
            Some(r) => out.push(TriggerAction::SendMail {
                to: Recipient::Requester,
                subject: "Re: {{ticket.subject}} [{{ticket.number}}]".into(),
                body: r.body,
            }),
            None => {}
        }
    }
    out
}

impl TriggerAction {
    pub fn parse_list(items: &[Value], defs: FieldDefs<'_>) -> Result<Vec<TriggerAction>, Invalid> {
        if items.is_empty() {
            return Err(Invalid::field("actions", "name at least one action"));
        }
        if items.len() > MAX_ACTIONS {
            return Err(Invalid::field("actions", format!("at most {MAX_ACTIONS} actions")));
        }
        let mut errs = Checker::new();
        let mut out = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            if let Some(a) = errs.check(parse(item, defs).map_err(|e| e.within(&format!("actions[{i}]")))) {
                out.push(a);
            }
        }
        errs.finish()?;
        Ok(out)
    }

    /// The action in the shape it was given.
    pub fn to_json(&self) -> Value {
        match self {
            TriggerAction::Ticket(a) => a.to_json(),
            TriggerAction::Assign { department, agent, strategy } => {
                let mut m = Map::new();
                m.insert("action".into(), json!("assign"));
                if let Some(d) = department {
                    m.insert("department_id".into(), json!(d.to_string()));
                }
                if let Some(a) = agent {
                    m.insert("agent_id".into(), json!(a.to_string()));
                }
                if let Some(s) = strategy {
                    m.insert("strategy".into(), json!(s.as_str()));
                }
                Value::Object(m)
            }
            TriggerAction::AddNote { body } => json!({"action": "add_note", "value": body}),
            TriggerAction::SendMail { to, subject, body } => {
                let to = match to {
                    Recipient::Requester => "requester".to_string(),
                    Recipient::Assignee => "assignee".to_string(),
                    Recipient::Address(a) => a.to_string(),
                };
                json!({"action": "send_mail", "to": to, "subject": subject, "value": body})
            }
            TriggerAction::NotifyWebhook { webhook, message } => {
                json!({"action": "notify_webhook", "webhook_id": webhook.to_string(), "value": message})
            }
            TriggerAction::ApplyMacro { id } => json!({"action": "apply_macro", "macro_id": id.to_string()}),
        }
    }

    /// The agent the action names, if any (checked by the application against the account's active agents).
    pub fn agent(&self) -> Option<AgentId> {
        match self {
            TriggerAction::Ticket(TicketAction::Set(SetField::Assignee(a))) => *a,
            TriggerAction::Assign { agent, .. } => *agent,
            _ => None,
        }
    }

    /// The department the action names, if any.
    pub fn department(&self) -> Option<DepartmentId> {
        match self {
            TriggerAction::Ticket(TicketAction::Set(SetField::Department(d))) => *d,
            TriggerAction::Assign { department, .. } => *department,
            _ => None,
        }
    }
}

fn parse(item: &Value, defs: FieldDefs<'_>) -> Result<TriggerAction, Invalid> {
    let Some(obj) = item.as_object() else {
        return Err(Invalid::field("", "must be an object with `action`"));
    };
    let kind = obj.get("action").and_then(Value::as_str).unwrap_or_default();
    let allowed: &[&str] = match kind {
        "set" | "add_tags" | "remove_tags" => {
            let a = TicketAction::parse(item, defs)?;
            if matches!(a, TicketAction::Set(SetField::AssigneeApplier)) {
                // A rule acts for nobody: there is no agent applying it.
                return Err(Invalid::field("value", "a trigger has no current agent; name an agent or use assign"));
            }
            return Ok(TriggerAction::Ticket(a));
        }
        "assign" => &["action", "department_id", "agent_id", "strategy"],
        "add_note" => &["action", "value"],
        "send_mail" => &["action", "to", "subject", "value"],
        "notify_webhook" => &["action", "webhook_id", "value"],
        "apply_macro" => &["action", "macro_id"],
        "" => return Err(Invalid::field("action", format!("is required: one of {ACTIONS}"))),
        other => {
            let shown: String = other.chars().take(40).collect();
            return Err(Invalid::field("action", format!("'{shown}' is not one of: {ACTIONS}")));
        }
    };
    let mut errs = Checker::new();
    for k in obj.keys() {
        if !allowed.contains(&k.as_str()) {
            errs.add(k.chars().take(40).collect::<String>(), format!("is not a field of {kind}"));
        }
    }
    let text = |errs: &mut Checker, name: &str| -> Option<String> {
        match obj.get(name).and_then(Value::as_str) {
            Some(s) => errs.check(parse_template(name, s)),
            None => {
                errs.add(name, "is required (text)");
                None
            }
        }
    };
    let action = match kind {
        "assign" => {
            let department = match obj.get("department_id") {
                None | Some(Value::Null) => None,
                Some(v) => errs.check(
                    v.as_str()
                        .and_then(DepartmentId::parse)
                        .ok_or_else(|| Invalid::field("department_id", "is not a department id")),
                ),
            };
            let agent = match obj.get("agent_id") {
                None | Some(Value::Null) => None,
                Some(v) => errs.check(
                    v.as_str().and_then(AgentId::parse).ok_or_else(|| Invalid::field("agent_id", "is not an agent id")),
                ),
            };
            let strategy = match obj.get("strategy").map(|s| s.as_str().and_then(Strategy::parse)) {
                None => None,
                Some(Some(s)) => Some(s),
                Some(None) => {
                    errs.add("strategy", "must be round_robin or least_busy");
                    None
                }
            };
            if agent.is_some() && strategy.is_some() {
                errs.add("strategy", "name an agent or a strategy, not both");
            }
            if obj.get("department_id").is_none() && agent.is_none() && strategy.is_none() {
                errs.add("", "name a department_id, an agent_id or a strategy");
            }
            Some(TriggerAction::Assign { department, agent, strategy })
        }
        "add_note" => text(&mut errs, "value").map(|body| TriggerAction::AddNote { body }),
        "notify_webhook" => {
            let webhook = errs.check(
                obj.get("webhook_id")
                    .and_then(Value::as_str)
                    .and_then(WebhookId::parse)
                    .ok_or_else(|| Invalid::field("webhook_id", "is required: a webhook's id")),
            );
            // The message is optional: the delivery carries the ticket either way.
            let message = match obj.get("value").and_then(Value::as_str) {
                Some(s) => errs.check(parse_template("value", s)),
                None => Some(String::new()),
            };
            webhook.zip(message).map(|(webhook, message)| TriggerAction::NotifyWebhook { webhook, message })
        }
        "apply_macro" => errs
            .check(
                obj.get("macro_id")
                    .and_then(Value::as_str)
                    .and_then(MacroId::parse)
                    .ok_or_else(|| Invalid::field("macro_id", "is required: a macro's id")),
            )
            .map(|id| TriggerAction::ApplyMacro { id }),
        _ => {
            let to = match obj.get("to").and_then(Value::as_str).map(str::trim) {
                Some("requester") => Some(Recipient::Requester),
                Some("assignee") => Some(Recipient::Assignee),
                Some(a) => errs.check(
                    EmailAddress::parse(a)
                        .map(Recipient::Address)
                        .map_err(|_| Invalid::field("to", "must be requester, assignee or an email address")),
                ),
                None => {
                    errs.add("to", "is required: requester, assignee or an email address");
                    None
                }
            };
            let subject = text(&mut errs, "subject");
            let body = text(&mut errs, "value");
            match (to, subject, body) {
                (Some(to), Some(subject), Some(body)) => Some(TriggerAction::SendMail { to, subject, body }),
                _ => None,
            }
        }
    };
    errs.finish()?;
    action.ok_or_else(|| Invalid::field("", "is not a valid action"))
}
