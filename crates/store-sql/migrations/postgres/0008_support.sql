-- Grants of access to the operator's support staff, and the staff sessions opened under them. A session works
-- only while its grant is in force; revoking the grant ends every session at once.
CREATE TABLE support_grants (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    scope TEXT NOT NULL,
    department_ids TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_by TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    revoked_at BIGINT
);
CREATE INDEX support_grants_account ON support_grants (account_id, created_at);

CREATE TABLE support_sessions (
    token_hash TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    grant_id TEXT NOT NULL,
    staff TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
