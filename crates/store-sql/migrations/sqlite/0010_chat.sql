-- Live chat. Visitors are known by the hash of the token their browser keeps; each conversation is a ticket of
-- channel chat; its events are numbered per conversation without gaps, and a client's id for a message it sent
-- is unique in its conversation, so a message sent twice is stored once.
CREATE TABLE chat_visitors (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    contact_id TEXT,
    created_at INTEGER NOT NULL,
    blocked_at INTEGER
);
CREATE INDEX chat_visitors_account ON chat_visitors (account_id, created_at);

CREATE TABLE chat_conversations (
    account_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    visitor_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, ticket_id)
);
CREATE INDEX chat_conversations_visitor ON chat_conversations (account_id, visitor_id, created_at);

CREATE TABLE chat_events (
    account_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    client_id TEXT,
    data TEXT NOT NULL,
    at INTEGER NOT NULL,
    PRIMARY KEY (account_id, ticket_id, seq)
);
CREATE UNIQUE INDEX chat_events_client ON chat_events (account_id, ticket_id, client_id) WHERE client_id IS NOT NULL;

-- Which sites may embed the account's chat (an empty list: any), and the secret signing identities its own site
-- vouches for.
CREATE TABLE chat_settings (
    account_id TEXT PRIMARY KEY,
    allowed_origins TEXT NOT NULL,
    identity_secret TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);

-- Whether each agent takes chats now: available, away or offline, as they set it.
CREATE TABLE agent_presence (
    account_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    status TEXT NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, agent_id)
);
