-- Automations (time rules): the API's JSON shape (checked when saved and when read), with the order beside it.
CREATE TABLE automations (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    active INTEGER NOT NULL,
    rule TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX automations_account ON automations (account_id, position, created_at);

-- Which automation fired on which ticket for which moment (the time it counted from): each fires once per moment,
-- however many processes look.
CREATE TABLE automation_runs (
    account_id TEXT NOT NULL,
    automation_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    since_at INTEGER NOT NULL,
    fired_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, automation_id, ticket_id, since_at)
);

-- When a ticket's status last changed (its creation at first): "hours since solved" and "since status changed"
-- read tickets by status and this time, through the index, never all of them.
ALTER TABLE tickets ADD COLUMN status_changed_at INTEGER;
UPDATE tickets SET status_changed_at = updated_at;
CREATE INDEX tickets_status_changed ON tickets (account_id, status, status_changed_at);
