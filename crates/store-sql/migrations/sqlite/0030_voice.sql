-- The phone channel (issue 16): the account's provider credentials, its numbers, its IVRs, and every call as
-- Parley follows it (so any process may take any webhook of a call).
CREATE TABLE voice_settings (
    account_id TEXT PRIMARY KEY,
    account_sid TEXT NOT NULL,
    auth_token TEXT NOT NULL,
    api_key_sid TEXT,
    api_key_secret TEXT,
    api_base TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE phone_numbers (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    number TEXT NOT NULL,
    provider_id TEXT,
    ivr_id TEXT,
    department_id TEXT,
    recording TEXT NOT NULL,
    missed_call_tickets INTEGER NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX phone_numbers_number ON phone_numbers (account_id, number);
CREATE TABLE ivrs (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    menus TEXT NOT NULL,
    closed_menu TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX ivrs_account ON ivrs (account_id);
CREATE TABLE calls (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    provider_sid TEXT NOT NULL,
    number_id TEXT,
    direction TEXT NOT NULL,
    from_number TEXT NOT NULL,
    to_number TEXT NOT NULL,
    state TEXT NOT NULL,
    outcome TEXT,
    menu TEXT,
    tries INTEGER NOT NULL,
    department_id TEXT,
    agent_id TEXT,
    passed TEXT NOT NULL,
    tags TEXT NOT NULL,
    contact_id TEXT,
    ticket_id TEXT,
    message_id TEXT,
    recording_sid TEXT,
    recording_state TEXT,
    recording_duration BIGINT,
    recording_attachment_id TEXT,
    recording_tries INTEGER,
    recording_next_at BIGINT,
    started_at BIGINT NOT NULL,
    queued_at BIGINT,
    announced_at BIGINT,
    answered_at BIGINT,
    ended_at BIGINT,
    duration_s BIGINT NOT NULL,
    version BIGINT NOT NULL
);
CREATE UNIQUE INDEX calls_sid ON calls (account_id, provider_sid);
-- A queue's callers in order, and the agents on a call.
CREATE INDEX calls_state ON calls (account_id, state, queued_at);
CREATE INDEX calls_ticket ON calls (account_id, ticket_id);
-- Recordings to fetch from the provider or delete there.
CREATE INDEX calls_recording ON calls (recording_state, recording_next_at);
-- An agent rings or talks for one call at a time, whichever process rang them.
CREATE UNIQUE INDEX calls_agent_busy ON calls (account_id, agent_id) WHERE state IN ('ringing', 'connected');
