-- Assignment of new email, web and API tickets to available agents (issue 15, item 5): off until an
-- administrator switches it on. Round robin's turns are kept in assignment_turns (0026), shared with triggers.
CREATE TABLE assignment_settings (
    account_id TEXT PRIMARY KEY,
    enabled INTEGER NOT NULL,
    strategy TEXT NOT NULL,
    max_open INTEGER NOT NULL,
    business_hours INTEGER NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE INDEX assignment_settings_enabled ON assignment_settings (enabled);
