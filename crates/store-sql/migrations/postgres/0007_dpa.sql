-- Acceptances of the operator's data processing agreement: which version, by which owner, when, from where.
CREATE TABLE dpa_acceptances (
    account_id TEXT NOT NULL,
    version BIGINT NOT NULL,
    agent_id TEXT NOT NULL,
    agent_email TEXT NOT NULL,
    accepted_at BIGINT NOT NULL,
    ip TEXT,
    text_sha256 TEXT NOT NULL,
    PRIMARY KEY (account_id, version)
);
