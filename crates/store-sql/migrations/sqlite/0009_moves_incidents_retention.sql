-- An account leaving this region: while its row is here, that account's audit entries may be deleted (by the wipe
-- that ends a region move, in the same unit of work that removes the row again). Nothing else may delete them.
CREATE TABLE account_departures (
    account_id TEXT PRIMARY KEY,
    at INTEGER NOT NULL
);
DROP TRIGGER audit_log_no_delete;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
WHEN NOT EXISTS (SELECT 1 FROM account_departures WHERE account_id = OLD.account_id)
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;

-- Security incidents the operator recorded as affecting this account, shown to its owners.
CREATE TABLE incidents (
    account_id TEXT NOT NULL,
    id TEXT NOT NULL,
    title TEXT NOT NULL,
    description TEXT NOT NULL,
    data_categories TEXT NOT NULL,
    measures TEXT NOT NULL,
    occurred_on TEXT,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, id)
);

-- How long the account keeps what it no longer needs; NULL keeps it.
CREATE TABLE retention_policies (
    account_id TEXT PRIMARY KEY,
    closed_ticket_days INTEGER,
    chat_days INTEGER,
    updated_at INTEGER NOT NULL
);

-- When a key's use was last written to the audit log (at most hourly).
ALTER TABLE api_keys ADD COLUMN last_used_at INTEGER;
