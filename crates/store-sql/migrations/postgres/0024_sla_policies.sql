-- SLA policies: the API's JSON shape (checked when saved and when read), with the account's order beside it.
CREATE TABLE sla_policies (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    position BIGINT NOT NULL,
    policy TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX sla_policies_account ON sla_policies (account_id, position, created_at);
