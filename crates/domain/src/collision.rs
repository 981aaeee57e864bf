//! Collision detection: who has a ticket open, and who is writing in it, so that two agents do not answer the same
//! customer at once.

use crate::ids::AgentId;
use crate::time::Timestamp;
use crate::Invalid;
use serde::Serialize;
use std::time::Duration;

/// What an agent is writing in a ticket they view.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ComposeMode {
    /// A public reply to the customer.
    Reply,
    /// An internal note.
    Note,
}

impl ComposeMode {
    pub fn parse(s: &str) -> Result<Self, Invalid> {
        match s {
            "reply" => Ok(ComposeMode::Reply),
            "note" => Ok(ComposeMode::Note),
            _ => Err(Invalid::field("mode", "is reply or note")),
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ComposeMode::Reply => "reply",
            ComposeMode::Note => "note",
        }
    }
}

/// How long "writing" shows after the page last said so (pages say it at most every 2 s while the agent types).
pub const COMPOSING_SHOWS: Duration = Duration::from_secs(5);

/// One socket's view of a ticket, as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewerEntry {
    pub agent_id: AgentId,
    pub name: String,
    pub since: Timestamp,
    pub composing: Option<(ComposeMode, Timestamp)>,
}

/// An agent who has the ticket open (in one or more tabs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
pub struct Viewer {
    pub agent_id: AgentId,
    pub name: String,
    /// When they opened it (their earliest tab still open).
    pub since: Timestamp,
    /// What they are writing now, if anything.
    pub composing: Option<ComposeMode>,
}

/// The ticket's viewers, one per agent, earliest first: the entries of an agent's tabs joined, "writing" while any
/// tab said so within [`COMPOSING_SHOWS`] of `now`. Also returns when the first "writing" shown stops showing.
pub fn viewers(entries: Vec<ViewerEntry>, now: Timestamp) -> (Vec<Viewer>, Option<Timestamp>) {
    let shows = COMPOSING_SHOWS.as_millis() as i64;
    let mut out: Vec<(Viewer, i64)> = Vec::new();
    for e in entries {
        let composing = e.composing.filter(|(_, at)| now.millis() - at.millis() < shows);
        let i = match out.iter().position(|(v, _)| v.agent_id == e.agent_id) {
            Some(i) => i,
            None => {
                let v = Viewer { agent_id: e.agent_id, name: e.name, since: e.since, composing: None };
                out.push((v, i64::MIN));
                out.len() - 1
            }
        };
        let (v, latest) = &mut out[i];
        if e.since.millis() < v.since.millis() {
            v.since = e.since;
        }
        if let Some((mode, at)) = composing {
            if at.millis() > *latest {
                v.composing = Some(mode);
                *latest = at.millis();
            }
        }
    }
    out.sort_by_key(|(v, _)| (v.since.millis(), v.agent_id));
    let ends = out.iter().filter(|(v, _)| v.composing.is_some()).map(|(_, at)| at + shows).min();
    (out.into_iter().map(|(v, _)| v).collect(), ends.map(Timestamp::from_millis))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tabs_of_one_agent_are_one_viewer_and_writing_fades() {
        let (a, b) = (AgentId::new(), AgentId::new());
        let t = |ms| Timestamp::from_millis(ms);
        let entry =
            |agent, since, composing| ViewerEntry { agent_id: agent, name: "x".into(), since: t(since), composing };
        let entries = vec![
            entry(a, 2_000, None),
            entry(b, 1_500, Some((ComposeMode::Note, t(9_000)))),
            entry(a, 1_000, Some((ComposeMode::Reply, t(8_000)))),
        ];
        let (v, ends) = viewers(entries.clone(), t(10_000));
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].agent_id, v[0].since, v[0].composing), (a, t(1_000), Some(ComposeMode::Reply)));
        assert_eq!((v[1].agent_id, v[1].composing), (b, Some(ComposeMode::Note)));
        assert_eq!(ends, Some(t(13_000)));
        let (v, ends) = viewers(entries, t(13_500));
        assert_eq!((v[0].composing, v[1].composing, ends), (None, Some(ComposeMode::Note), Some(t(14_000))));
    }

    #[test]
    fn modes_read_back() {
        for m in [ComposeMode::Reply, ComposeMode::Note] {
            assert_eq!(ComposeMode::parse(m.as_str()), Ok(m));
        }
        assert!(ComposeMode::parse("shout").is_err());
    }
}
