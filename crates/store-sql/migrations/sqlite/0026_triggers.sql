-- Triggers: the API's JSON shape (checked when saved and when read), with the account's order beside it.
CREATE TABLE triggers (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    active INTEGER NOT NULL,
    rule TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX triggers_account ON triggers (account_id, position, created_at);

-- What each change to a ticket was (its events and changes, JSON; never a message's text), written in the change's
-- unit of work when the account has an active trigger, for the trigger runner to take in order: the oldest first, a ticket's by its
-- version. Taken (deleted) in the unit of work that writes what the triggers did.
CREATE TABLE trigger_queue (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    version INTEGER NOT NULL,
    activity TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX trigger_queue_age ON trigger_queue (created_at, ticket_id, version);

-- When a trigger last gave an agent a ticket by round robin, per department ('' for tickets without one): the
-- next goes to the available agent given one longest ago.
CREATE TABLE assignment_turns (
    account_id TEXT NOT NULL,
    department_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    assigned_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, department_id, agent_id)
);
