-- Optional features an account switched on (their providers join its subprocessor list), and the consents its
-- owners gave: who, when, under which version of the register, to which providers.
CREATE TABLE account_features (
    account_id TEXT NOT NULL,
    feature TEXT NOT NULL,
    enabled BIGINT NOT NULL,
    changed_at BIGINT NOT NULL,
    changed_by TEXT,
    PRIMARY KEY (account_id, feature)
);

CREATE TABLE subprocessor_consents (
    account_id TEXT NOT NULL,
    feature TEXT NOT NULL,
    register_version BIGINT NOT NULL,
    providers TEXT NOT NULL,
    agent_id TEXT NOT NULL,
    at BIGINT NOT NULL
);
CREATE INDEX subprocessor_consents_account ON subprocessor_consents (account_id, at);
