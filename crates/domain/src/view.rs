//! Views: named ticket lists an agent works through. Built-in views every account has ("My open tickets",
//! "Unassigned", one per department …) and views agents save, privately or shared with the account. A view is a
//! set of filters, an order and the columns to show; "me" in a filter is whoever looks at the view.

use crate::ids::{AccountId, AgentId, CompanyId, ContactId, DepartmentId, ViewId};
use crate::sla::SlaSummary;
use crate::ticket::{Channel, Priority, Status, Tag};
use crate::{Invalid, Timestamp};
use serde::Serialize;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// The statuses of tickets still waiting for the help desk: what "open" means in the built-in views.
pub const OPEN: [Status; 2] = [Status::New, Status::Open];
/// Tickets done with.
pub const SOLVED: [Status; 2] = [Status::Resolved, Status::Closed];

/// A column a ticket list can be ordered by. People and departments order by their names (a requester without a
/// name by their address), tickets with nobody or no department first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum SortKey {
    #[default]
    UpdatedAt,
    CreatedAt,
    Priority,
    Status,
    Number,
    Subject,
    Requester,
    Assignee,
    Department,
    Channel,
    /// The soonest due time of the ticket's SLA targets still owed (overdue ones first); tickets without one last.
    SlaDue,
}

impl SortKey {
    pub const ALL: [SortKey; 11] = [
        SortKey::UpdatedAt,
        SortKey::CreatedAt,
        SortKey::Priority,
        SortKey::Status,
        SortKey::Number,
        SortKey::Subject,
        SortKey::Requester,
        SortKey::Assignee,
        SortKey::Department,
        SortKey::Channel,
        SortKey::SlaDue,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SortKey::UpdatedAt => "updated_at",
            SortKey::CreatedAt => "created_at",
            SortKey::Priority => "priority",
            SortKey::Status => "status",
            SortKey::Number => "number",
            SortKey::Subject => "subject",
            SortKey::Requester => "requester",
            SortKey::Assignee => "assignee",
            SortKey::Department => "department",
            SortKey::Channel => "channel",
            SortKey::SlaDue => "sla_due",
        }
    }

    /// Whether the list is ordered by text (else by a number: a time, a rank, the ticket's number).
    pub fn is_text(self) -> bool {
        matches!(
            self,
            SortKey::Subject | SortKey::Requester | SortKey::Assignee | SortKey::Department | SortKey::Channel
        )
    }

    /// Whether the value ordered by is a name kept outside the ticket (its requester's, assignee's, department's).
    pub fn is_name(self) -> bool {
        matches!(self, SortKey::Requester | SortKey::Assignee | SortKey::Department)
    }
}

/// An order: a column, ascending or (`-` in front) descending.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Sort {
    pub key: SortKey,
    pub descending: bool,
}

impl Default for Sort {
    /// Newest activity first.
    fn default() -> Self {
        Sort { key: SortKey::UpdatedAt, descending: true }
    }
}

impl Sort {
    /// `updated_at`, `-priority` …; errors name the field `field`.
    pub fn parse(field: &str, s: &str) -> Result<Sort, Invalid> {
        let (descending, name) = match s.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, s),
        };
        SortKey::ALL.iter().find(|k| k.as_str() == name).map(|&key| Sort { key, descending }).ok_or_else(|| {
            let names: Vec<&str> = SortKey::ALL.iter().map(|k| k.as_str()).collect();
            Invalid::field(field, format!("must be one of {}, each with `-` in front for descending", names.join(", ")))
        })
    }

    pub fn to_param(self) -> String {
        format!("{}{}", if self.descending { "-" } else { "" }, self.key.as_str())
    }
}

/// Where a priority sorts: low first.
pub fn priority_rank(p: Priority) -> i64 {
    Priority::ALL.iter().position(|x| *x == p).unwrap_or(0) as i64
}

/// Where a status sorts: along a ticket's life, new first.
pub fn status_rank(s: Status) -> i64 {
    Status::ALL.iter().position(|x| *x == s).unwrap_or(0) as i64
}

/// Whose tickets: an agent, whoever looks ("me"), nobody's, or anybody's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AssigneeMatch {
    Me,
    Nobody,
    Anyone,
    Agent(AgentId),
}

impl AssigneeMatch {
    pub fn parse(field: &str, s: &str) -> Result<Self, Invalid> {
        match s {
            "me" => Ok(AssigneeMatch::Me),
            "none" => Ok(AssigneeMatch::Nobody),
            "any" => Ok(AssigneeMatch::Anyone),
            _ => AgentId::parse(s)
                .map(AssigneeMatch::Agent)
                .ok_or_else(|| Invalid::field(field, "must be an agent id, `me`, `none` or `any`")),
        }
    }

    pub fn to_param(self) -> String {
        match self {
            AssigneeMatch::Me => "me".into(),
            AssigneeMatch::Nobody => "none".into(),
            AssigneeMatch::Anyone => "any".into(),
            AssigneeMatch::Agent(a) => a.to_string(),
        }
    }
}

/// Tickets of a department, or of none.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DepartmentMatch {
    Nobody,
    Department(DepartmentId),
}

impl DepartmentMatch {
    pub fn parse(field: &str, s: &str) -> Result<Self, Invalid> {
        if s == "none" {
            return Ok(DepartmentMatch::Nobody);
        }
        DepartmentId::parse(s)
            .map(DepartmentMatch::Department)
            .ok_or_else(|| Invalid::field(field, "must be a department id or `none`"))
    }

    pub fn to_param(self) -> String {
        match self {
            DepartmentMatch::Nobody => "none".into(),
            DepartmentMatch::Department(d) => d.to_string(),
        }
    }
}

/// What a view shows: every filter given must hold. Checked for form here; whether the agents, contacts and
/// fields named exist is the use case's to check, against the account.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ViewFilters {
    pub status: Vec<Status>,
    pub priority: Vec<Priority>,
    pub assignee: Option<AssigneeMatch>,
    pub department: Option<DepartmentMatch>,
    pub tag: Option<Tag>,
    pub channel: Option<Channel>,
    pub requester: Option<ContactId>,
    pub company: Option<CompanyId>,
    /// Field key → the value the ticket's field must equal.
    pub custom_fields: BTreeMap<String, Value>,
    /// From this time on (inclusive) …
    pub created_after: Option<Timestamp>,
    /// … up to this time (exclusive): ranges that follow each other do not overlap.
    pub created_before: Option<Timestamp>,
    pub updated_after: Option<Timestamp>,
    pub updated_before: Option<Timestamp>,
    /// Tickets whose SLA stands so (any of these).
    pub sla: Vec<SlaSummary>,
    /// Tickets with an SLA target still owed (running or overdue) due before this time.
    pub sla_due_before: Option<Timestamp>,
}

/// Names of the filters, as the API spells them.
pub const FILTER_NAMES: [&str; 15] = [
    "status",
    "priority",
    "assignee",
    "department",
    "tag",
    "channel",
    "requester",
    "company",
    "custom_fields",
    "created_after",
    "created_before",
    "updated_after",
    "updated_before",
    "sla",
    "sla_due_before",
];

fn time(field: &str, s: &str) -> Result<Timestamp, Invalid> {
    Timestamp::parse(s).ok_or_else(|| Invalid::field(field, "must be a time in RFC 3339 (2026-11-22T10:00:00Z)"))
}

/// A list of statuses or priorities, kept in their natural order without duplicates.
fn push_unique<T: PartialEq>(list: &mut Vec<T>, v: T) {
    if !list.contains(&v) {
        list.push(v);
    }
}

impl ViewFilters {
    /// Whether nothing is filtered.
    pub fn is_empty(&self) -> bool {
        *self == ViewFilters::default()
    }

    /// Set one filter from its text form (a query parameter, or a string in a saved view's JSON); `field` names it
    /// in errors. Lists (status, priority) take several values comma-separated. Returns `false` for a name that is
    /// no filter; a custom field is set with [`ViewFilters::set_custom_field`].
    pub fn set_text(&mut self, name: &str, field: &str, v: &str) -> Result<bool, Invalid> {
        match name {
            "status" => {
                for s in v.split(',') {
                    push_unique(&mut self.status, Status::parse(s.trim()).map_err(|e| e.at(field))?);
                }
            }
            "priority" => {
                for s in v.split(',') {
                    push_unique(&mut self.priority, Priority::parse(s.trim()).map_err(|e| e.at(field))?);
                }
            }
            "assignee" => self.assignee = Some(AssigneeMatch::parse(field, v)?),
            "department" => self.department = Some(DepartmentMatch::parse(field, v)?),
            "tag" => self.tag = Some(Tag::parse(v).map_err(|e| e.at(field))?),
            "channel" => self.channel = Some(Channel::parse(v).map_err(|e| e.at(field))?),
            "requester" => {
                self.requester = Some(ContactId::parse(v).ok_or_else(|| Invalid::field(field, "must be a contact id"))?)
            }
            "company" => {
                self.company = Some(CompanyId::parse(v).ok_or_else(|| Invalid::field(field, "must be a company id"))?)
            }
            "created_after" => self.created_after = Some(time(field, v)?),
            "created_before" => self.created_before = Some(time(field, v)?),
            "updated_after" => self.updated_after = Some(time(field, v)?),
            "updated_before" => self.updated_before = Some(time(field, v)?),
            "sla" => {
                for s in v.split(',') {
                    let state = SlaSummary::parse(s.trim()).ok_or_else(|| {
                        Invalid::field(field, "must be SLA states: breached, active, paused or fulfilled")
                    })?;
                    push_unique(&mut self.sla, state);
                }
            }
            "sla_due_before" => self.sla_due_before = Some(time(field, v)?),
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Ask for tickets whose field `key` equals `v` (a string, number; its type is checked against the field).
    pub fn set_custom_field(&mut self, field: &str, key: &str, v: Value) -> Result<(), Invalid> {
        let key = crate::custom_field::parse_field_key(key).map_err(|e| e.at(field))?;
        if !(v.is_string() || v.is_number()) {
            return Err(Invalid::field(field, "must be a string or a number"));
        }
        self.custom_fields.insert(key, v);
        Ok(())
    }

    /// Read a saved view's `filters` object. Every problem is reported, each under `filters.<name>`.
    pub fn from_json(v: &Value) -> Result<ViewFilters, Invalid> {
        let mut out = ViewFilters::default();
        let mut errs = crate::error::Checker::new();
        let Some(obj) = v.as_object() else {
            return Err(Invalid::field("filters", "must be an object"));
        };
        for (name, value) in obj {
            let field = format!("filters.{}", name.chars().take(40).collect::<String>());
            if value.is_null() {
                continue;
            }
            match (name.as_str(), value) {
                ("custom_fields", Value::Object(fields)) => {
                    for (k, fv) in fields {
                        let f = format!("{field}.{}", k.chars().take(64).collect::<String>());
                        errs.check(out.set_custom_field(&f, k, fv.clone()));
                    }
                }
                ("custom_fields", _) => errs.add(field, "must be an object of field keys and values"),
                ("status" | "priority" | "sla", Value::Array(items)) => {
                    for item in items {
                        match item.as_str() {
                            Some(s) => {
                                errs.check(out.set_text(name, &field, s));
                            }
                            None => errs.add(field.clone(), "must be a list of strings"),
                        }
                    }
                }
                (_, Value::String(s)) if FILTER_NAMES.contains(&name.as_str()) => match out.set_text(name, &field, s) {
                    Ok(true) => {}
                    Ok(false) => errs.add(field, "is not a filter"),
                    Err(e) => {
                        errs.check::<()>(Err(e));
                    }
                },
                _ if FILTER_NAMES.contains(&name.as_str()) => errs.add(field, "must be a string"),
                _ => errs.add(field, format!("is not a filter; filters are {}", FILTER_NAMES.join(", "))),
            }
        }
        errs.finish()?;
        Ok(out)
    }

    /// The filters as JSON, in the shape [`ViewFilters::from_json`] reads (and the API shows).
    pub fn to_json(&self) -> Value {
        let mut m = Map::new();
        let strs = |v: Vec<&str>| Value::Array(v.into_iter().map(|s| Value::String(s.into())).collect());
        if !self.status.is_empty() {
            m.insert("status".into(), strs(self.status.iter().map(|s| s.as_str()).collect()));
        }
        if !self.priority.is_empty() {
            m.insert("priority".into(), strs(self.priority.iter().map(|s| s.as_str()).collect()));
        }
        let mut put = |k: &str, v: Option<String>| {
            if let Some(v) = v {
                m.insert(k.into(), Value::String(v));
            }
        };
        put("assignee", self.assignee.map(AssigneeMatch::to_param));
        put("department", self.department.map(DepartmentMatch::to_param));
        put("tag", self.tag.as_ref().map(|t| t.as_str().to_string()));
        put("channel", self.channel.map(|c| c.as_str().to_string()));
        put("requester", self.requester.map(|c| c.to_string()));
        put("company", self.company.map(|c| c.to_string()));
        put("created_after", self.created_after.map(Timestamp::to_rfc3339));
        put("created_before", self.created_before.map(Timestamp::to_rfc3339));
        put("updated_after", self.updated_after.map(Timestamp::to_rfc3339));
        put("updated_before", self.updated_before.map(Timestamp::to_rfc3339));
        put("sla_due_before", self.sla_due_before.map(Timestamp::to_rfc3339));
        if !self.sla.is_empty() {
            m.insert("sla".into(), strs(self.sla.iter().map(|s| s.as_str()).collect()));
        }
        if !self.custom_fields.is_empty() {
            m.insert("custom_fields".into(), Value::Object(self.custom_fields.clone().into_iter().collect()));
        }
        Value::Object(m)
    }
}

/// A column a view shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Column {
    Number,
    Subject,
    Requester,
    Status,
    Priority,
    Assignee,
    Department,
    Channel,
    Tags,
    CreatedAt,
    UpdatedAt,
    /// The soonest due time of the ticket's running SLA targets, and whether one is breached or paused.
    SlaDue,
}

impl Column {
    pub const ALL: [Column; 12] = [
        Column::Number,
        Column::Subject,
        Column::Requester,
        Column::Status,
        Column::Priority,
        Column::Assignee,
        Column::Department,
        Column::Channel,
        Column::Tags,
        Column::CreatedAt,
        Column::UpdatedAt,
        Column::SlaDue,
    ];
    /// What a view shows unless it says otherwise.
    pub const DEFAULT: [Column; 7] = [
        Column::Number,
        Column::Subject,
        Column::Requester,
        Column::Status,
        Column::Priority,
        Column::Assignee,
        Column::UpdatedAt,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Column::Number => "number",
            Column::Subject => "subject",
            Column::Requester => "requester",
            Column::Status => "status",
            Column::Priority => "priority",
            Column::Assignee => "assignee",
            Column::Department => "department",
            Column::Channel => "channel",
            Column::Tags => "tags",
            Column::CreatedAt => "created_at",
            Column::UpdatedAt => "updated_at",
            Column::SlaDue => "sla_due",
        }
    }

    /// A list of 1 to 12 columns, each once.
    pub fn parse_list(field: &str, items: &[String]) -> Result<Vec<Column>, Invalid> {
        if items.is_empty() {
            return Err(Invalid::field(field, "needs at least one column"));
        }
        let mut out = Vec::new();
        for s in items {
            let c = Column::ALL.iter().find(|c| c.as_str() == s).ok_or_else(|| {
                let names: Vec<&str> = Column::ALL.iter().map(|c| c.as_str()).collect();
                Invalid::field(
                    field,
                    format!("'{}' is not one of: {}", s.chars().take(40).collect::<String>(), names.join(", ")),
                )
            })?;
            push_unique(&mut out, *c);
        }
        Ok(out)
    }
}

impl Serialize for Column {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

/// The views every account has.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BuiltIn {
    MyOpen,
    Unassigned,
    AllOpen,
    New,
    Pending,
    Solved,
    ChatsWaiting,
    ChatsActive,
}

impl BuiltIn {
    pub const ALL: [BuiltIn; 8] = [
        BuiltIn::MyOpen,
        BuiltIn::Unassigned,
        BuiltIn::AllOpen,
        BuiltIn::New,
        BuiltIn::Pending,
        BuiltIn::Solved,
        BuiltIn::ChatsWaiting,
        BuiltIn::ChatsActive,
    ];

    pub fn id(self) -> &'static str {
        match self {
            BuiltIn::MyOpen => "my_open",
            BuiltIn::Unassigned => "unassigned",
            BuiltIn::AllOpen => "all_open",
            BuiltIn::New => "new",
            BuiltIn::Pending => "pending",
            BuiltIn::Solved => "solved",
            BuiltIn::ChatsWaiting => "chats_waiting",
            BuiltIn::ChatsActive => "chats_active",
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            BuiltIn::MyOpen => "My open tickets",
            BuiltIn::Unassigned => "Unassigned tickets",
            BuiltIn::AllOpen => "All open tickets",
            BuiltIn::New => "New tickets",
            BuiltIn::Pending => "Pending tickets",
            BuiltIn::Solved => "Solved tickets",
            BuiltIn::ChatsWaiting => "Chats waiting",
            BuiltIn::ChatsActive => "Chats active",
        }
    }

    /// A chat waits while it is open and nobody holds it, and is active once an agent does: taking a chat assigns
    /// its ticket (the chat router keeps the two together), so the ticket's own columns tell, without a join to
    /// the routes.
    pub fn filters(self) -> ViewFilters {
        let open = OPEN.to_vec();
        match self {
            BuiltIn::MyOpen => ViewFilters { status: open, assignee: Some(AssigneeMatch::Me), ..Default::default() },
            BuiltIn::Unassigned => {
                ViewFilters { status: open, assignee: Some(AssigneeMatch::Nobody), ..Default::default() }
            }
            BuiltIn::AllOpen => ViewFilters { status: open, ..Default::default() },
            BuiltIn::New => ViewFilters { status: vec![Status::New], ..Default::default() },
            BuiltIn::Pending => ViewFilters { status: vec![Status::Pending], ..Default::default() },
            BuiltIn::Solved => ViewFilters { status: SOLVED.to_vec(), ..Default::default() },
            BuiltIn::ChatsWaiting => ViewFilters {
                status: open,
                channel: Some(Channel::Chat),
                assignee: Some(AssigneeMatch::Nobody),
                ..Default::default()
            },
            BuiltIn::ChatsActive => ViewFilters {
                status: open,
                channel: Some(Channel::Chat),
                assignee: Some(AssigneeMatch::Anyone),
                ..Default::default()
            },
        }
    }
}

/// The open tickets of one department: the built-in view `department:<id>`.
pub fn department_filters(d: DepartmentId) -> ViewFilters {
    ViewFilters { status: OPEN.to_vec(), department: Some(DepartmentMatch::Department(d)), ..Default::default() }
}

/// A view as the API names it: `my_open`, `department:<id>`, or a saved view's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ViewRef {
    BuiltIn(BuiltIn),
    Department(DepartmentId),
    Saved(ViewId),
}

impl ViewRef {
    /// `None` for anything else: an unknown view is not found, like any unknown id.
    pub fn parse(s: &str) -> Option<ViewRef> {
        if let Some(b) = BuiltIn::ALL.iter().find(|b| b.id() == s) {
            return Some(ViewRef::BuiltIn(*b));
        }
        if let Some(d) = s.strip_prefix("department:") {
            return DepartmentId::parse(d).map(ViewRef::Department);
        }
        ViewId::parse(s).map(ViewRef::Saved)
    }
}

/// A view an agent saved: theirs alone, or shared with everyone in the account.
#[derive(Debug, Clone, PartialEq)]
pub struct SavedView {
    pub id: ViewId,
    pub account_id: AccountId,
    /// Who saved it; a private view is theirs. `None`: saved by an API key that belongs to no agent (shared only).
    pub owner_id: Option<AgentId>,
    pub shared: bool,
    pub name: String,
    pub filters: ViewFilters,
    pub sort: Sort,
    pub columns: Vec<Column>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
}

impl SavedView {
    /// Shared views are everyone's; a private one only its owner's.
    pub fn visible_to(&self, agent: Option<AgentId>) -> bool {
        self.shared || (self.owner_id.is_some() && self.owner_id == agent)
    }
}

/// A view's name: one line, 1–100 characters.
pub fn parse_view_name(s: &str) -> Result<String, Invalid> {
    crate::text::checked_text("name", s, 100, false)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn sorts_parse_both_ways() {
        assert_eq!(Sort::parse("sort", "-priority").unwrap(), Sort { key: SortKey::Priority, descending: true });
        assert_eq!(Sort::parse("sort", "subject").unwrap().to_param(), "subject");
        assert_eq!(Sort::parse("sort", "-color").unwrap_err().0[0].field, "sort");
        assert!(priority_rank(Priority::Urgent) > priority_rank(Priority::Low));
    }

    #[test]
    fn filters_round_trip_and_name_the_field_at_fault() {
        let v = json!({"status": ["open", "new"], "assignee": "me", "department": "none",
            "custom_fields": {"plan": "gold"}, "created_after": "2026-01-01T00:00:00Z"});
        let f = ViewFilters::from_json(&v).unwrap();
        assert_eq!(f.status, vec![Status::Open, Status::New]);
        assert_eq!(f.assignee, Some(AssigneeMatch::Me));
        assert_eq!(ViewFilters::from_json(&f.to_json()).unwrap(), f);
        let bad = ViewFilters::from_json(&json!({"status": ["opn"], "colour": "red", "custom_fields": {"Bad": 1}}))
            .unwrap_err();
        let fields: Vec<&str> = bad.0.iter().map(|e| e.field.as_str()).collect();
        assert!(fields.contains(&"filters.status"), "{fields:?}");
        assert!(fields.contains(&"filters.colour"), "{fields:?}");
        assert!(fields.contains(&"filters.custom_fields.Bad"), "{fields:?}");
    }

    #[test]
    fn view_refs() {
        assert_eq!(ViewRef::parse("my_open"), Some(ViewRef::BuiltIn(BuiltIn::MyOpen)));
        let d = DepartmentId::new();
        assert_eq!(ViewRef::parse(&format!("department:{d}")), Some(ViewRef::Department(d)));
        assert_eq!(ViewRef::parse("nope"), None);
    }
}
