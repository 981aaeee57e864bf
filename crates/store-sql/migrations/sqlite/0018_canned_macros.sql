-- Canned responses: saved reply texts with placeholders. owner_id is the agent a personal one belongs to; NULL
-- means shared with the whole account.
CREATE TABLE canned_responses (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    owner_id TEXT,
    title TEXT NOT NULL,
    body TEXT NOT NULL,
    shortcut TEXT,
    folder TEXT,
    language TEXT,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX canned_responses_by_owner ON canned_responses (account_id, owner_id);
-- A shortcut is unique among the shared ones and among each agent's own; that a personal shortcut does not
-- repeat a shared one is checked by the store in the same unit of work.
CREATE UNIQUE INDEX canned_responses_shortcut
    ON canned_responses (account_id, COALESCE(owner_id, ''), shortcut) WHERE shortcut IS NOT NULL;

-- Macros: a named list of ticket actions (JSON, the API's shape) and an optional reply or note.
CREATE TABLE macros (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    owner_id TEXT,
    title TEXT NOT NULL,
    actions TEXT NOT NULL,
    reply_body TEXT,
    reply_internal INTEGER NOT NULL DEFAULT 0,
    created_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL
);
CREATE INDEX macros_by_owner ON macros (account_id, owner_id);
