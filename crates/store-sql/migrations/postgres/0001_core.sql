-- Parley's core schema, PostgreSQL. Ids are UUIDv7 text; times are Unix milliseconds; JSON is text.
-- Every table holds account_id and every index that serves a query starts with it. account_id carries no foreign
-- key: every row of an account would lock the one account row (PostgreSQL takes FOR KEY SHARE per insert), and
-- every query is scoped by account anyway.

CREATE TABLE accounts (
    id TEXT PRIMARY KEY,
    slug TEXT NOT NULL UNIQUE,
    name TEXT NOT NULL,
    next_ticket_number BIGINT NOT NULL DEFAULT 1,
    created_at BIGINT NOT NULL
);

CREATE TABLE departments (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, name)
);

CREATE TABLE agents (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    email TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    active BIGINT NOT NULL,
    password_hash TEXT,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, email)
);

CREATE TABLE agent_departments (
    account_id TEXT NOT NULL,
    agent_id TEXT NOT NULL REFERENCES agents(id),
    department_id TEXT NOT NULL REFERENCES departments(id),
    PRIMARY KEY (agent_id, department_id)
);
CREATE INDEX agent_departments_account ON agent_departments (account_id, agent_id);

CREATE TABLE sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    agent_id TEXT NOT NULL REFERENCES agents(id),
    csrf_token TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX sessions_agent ON sessions (account_id, agent_id);

CREATE TABLE password_resets (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    agent_id TEXT NOT NULL REFERENCES agents(id),
    expires_at BIGINT NOT NULL,
    used_at BIGINT
);

CREATE TABLE api_keys (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    prefix TEXT NOT NULL,
    hash TEXT NOT NULL UNIQUE,
    created_by TEXT,
    created_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX api_keys_account ON api_keys (account_id, created_at);

CREATE TABLE companies (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    name TEXT NOT NULL,
    domains TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX companies_account ON companies (account_id, name);

CREATE TABLE contacts (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    email TEXT,
    name TEXT,
    phones TEXT NOT NULL,
    company_id TEXT REFERENCES companies(id),
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    UNIQUE (account_id, email)
);
CREATE INDEX contacts_account ON contacts (account_id, id);

CREATE TABLE ticket_fields (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    key TEXT NOT NULL,
    label TEXT NOT NULL,
    kind TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    UNIQUE (account_id, key)
);

CREATE TABLE tickets (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    number BIGINT NOT NULL,
    subject TEXT NOT NULL,
    status TEXT NOT NULL,
    priority TEXT NOT NULL,
    channel TEXT NOT NULL,
    requester_id TEXT NOT NULL REFERENCES contacts(id),
    assignee_id TEXT REFERENCES agents(id),
    department_id TEXT REFERENCES departments(id),
    tags TEXT NOT NULL,
    custom_fields TEXT NOT NULL,
    merged_into TEXT,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL,
    first_response_at BIGINT,
    version BIGINT NOT NULL,
    UNIQUE (account_id, number)
);
CREATE INDEX tickets_updated ON tickets (account_id, updated_at, id);
CREATE INDEX tickets_created ON tickets (account_id, created_at, id);
CREATE INDEX tickets_status_updated ON tickets (account_id, status, updated_at, id);
CREATE INDEX tickets_status_created ON tickets (account_id, status, created_at, id);
CREATE INDEX tickets_requester ON tickets (account_id, requester_id, created_at);
CREATE INDEX tickets_assignee ON tickets (account_id, assignee_id, updated_at);

CREATE TABLE ticket_tags (
    account_id TEXT NOT NULL,
    tag TEXT NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    PRIMARY KEY (account_id, tag, ticket_id)
);
CREATE INDEX ticket_tags_ticket ON ticket_tags (ticket_id);

CREATE TABLE messages (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    author_type TEXT NOT NULL,
    author_id TEXT,
    internal BIGINT NOT NULL,
    body TEXT NOT NULL,
    channel TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX messages_ticket ON messages (account_id, ticket_id, created_at);

CREATE TABLE ticket_events (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL REFERENCES tickets(id),
    actor_type TEXT NOT NULL,
    actor_id TEXT,
    data TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (account_id, ticket_id, created_at);

CREATE TABLE webhooks (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    url TEXT NOT NULL,
    description TEXT,
    secret TEXT NOT NULL,
    active BIGINT NOT NULL,
    created_at BIGINT NOT NULL
);

CREATE TABLE webhook_subscriptions (
    account_id TEXT NOT NULL,
    webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    event_type TEXT NOT NULL,
    PRIMARY KEY (webhook_id, event_type)
);
CREATE INDEX webhook_subscriptions_event ON webhook_subscriptions (account_id, event_type);

CREATE TABLE outbox_events (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    event_type TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX outbox_events_account ON outbox_events (account_id, created_at);

CREATE TABLE webhook_deliveries (
    -- No foreign key: deliveries are written first, and the event only when some webhook wants it.
    event_id TEXT NOT NULL,
    webhook_id TEXT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
    account_id TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT,
    leased_until BIGINT,
    delivered_at BIGINT,
    last_status BIGINT,
    last_error TEXT,
    PRIMARY KEY (event_id, webhook_id)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX webhook_deliveries_hook ON webhook_deliveries (account_id, webhook_id);

-- Mail waiting to go out through the relay, written in the same transaction as what caused it.
CREATE TABLE mail_outbox (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    to_addr TEXT NOT NULL,
    subject TEXT NOT NULL,
    body_text TEXT NOT NULL,
    ticket_id TEXT,
    message_id TEXT,
    status TEXT NOT NULL,
    attempts BIGINT NOT NULL,
    next_attempt_at BIGINT,
    last_error TEXT,
    created_at BIGINT NOT NULL,
    sent_at BIGINT
);
CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at) WHERE next_attempt_at IS NOT NULL;
CREATE INDEX mail_outbox_account ON mail_outbox (account_id, created_at);

-- Ticket numbers come from one sequence per account (ticket_numbers_<account id without hyphens>), created with the
-- account: nextval() never waits for another transaction, where a counter row would serialise every creation.
