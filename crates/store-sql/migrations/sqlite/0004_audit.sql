-- The audit log: append-only per account, each entry chained to the one before by its hash. The head is the last
-- entry written, kept beside the log so that entries cut from its end are noticed.
CREATE TABLE audit_log (
    account_id TEXT NOT NULL,
    seq INTEGER NOT NULL,
    at INTEGER NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT,
    detail TEXT NOT NULL,
    ip TEXT,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL,
    PRIMARY KEY (account_id, seq)
);
CREATE INDEX audit_log_action ON audit_log (account_id, action, seq);
CREATE INDEX audit_log_at ON audit_log (account_id, at);

CREATE TABLE audit_heads (
    account_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);

-- Parley never changes or removes an entry; these make a mistake in its own code fail loudly. (Someone with the
-- database file can drop them; the hash chain is what shows their edits.)
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
    SELECT RAISE(ABORT, 'the audit log is append-only');
END;
