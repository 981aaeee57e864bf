-- Routing chats to agents. A chat rings one agent at a time, and an agent is rung for one chat at a time: the
-- partial unique index makes the second rule the database's, so processes routing at once cannot break it.
CREATE TABLE chat_routes (
    account_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    department_id TEXT,
    state TEXT NOT NULL,
    agent_id TEXT,
    ring_until INTEGER,
    tried TEXT NOT NULL,
    queued_at INTEGER NOT NULL,
    updated_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, ticket_id)
);
CREATE UNIQUE INDEX chat_routes_ringing ON chat_routes (account_id, agent_id) WHERE state = 'ringing';
CREATE INDEX chat_routes_waiting ON chat_routes (state, account_id, queued_at);
CREATE INDEX chat_routes_agent ON chat_routes (account_id, agent_id, state);

-- How many chats each agent holds at once, and when a chat last rang for them (round robin).
ALTER TABLE agent_presence ADD COLUMN max_chats INTEGER NOT NULL DEFAULT 3;
ALTER TABLE agent_presence ADD COLUMN last_rung_at INTEGER NOT NULL DEFAULT 0;

-- The account's routing rules, and how its widget looks (JSON).
ALTER TABLE chat_settings ADD COLUMN look TEXT NOT NULL DEFAULT '{}';
ALTER TABLE chat_settings ADD COLUMN routing TEXT NOT NULL DEFAULT 'least_busy';
ALTER TABLE chat_settings ADD COLUMN ring_secs INTEGER NOT NULL DEFAULT 30;

-- Agents with Parley open: sockets per agent per serving process. A process refreshes seen_at of its rows while it
-- runs; rows of a process that stopped refreshing (killed) no longer count.
CREATE TABLE agent_connections (
    process_id TEXT NOT NULL,
    account_id TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    sockets INTEGER NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (process_id, account_id, agent_id)
);
CREATE INDEX agent_connections_agent ON agent_connections (account_id, agent_id, seen_at);
