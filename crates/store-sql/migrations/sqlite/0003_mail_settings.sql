-- What an account says to customers automatically (acknowledgement on/off and its own templates), as one JSON
-- document: read with the account's mail identity, written whole by an admin.
CREATE TABLE mail_settings (
    account_id TEXT PRIMARY KEY,
    settings TEXT NOT NULL,
    updated_at INTEGER NOT NULL
);
