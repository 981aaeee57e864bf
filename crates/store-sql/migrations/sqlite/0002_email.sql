-- The email channel, SQLite.

-- Each account signs the marks it puts in mail (Message-IDs, reply addresses) with its own secret.
ALTER TABLE accounts ADD COLUMN mail_secret TEXT NOT NULL DEFAULT '';
UPDATE accounts SET mail_secret = lower(hex(randomblob(32))) WHERE mail_secret = '';
ALTER TABLE accounts ADD COLUMN language TEXT NOT NULL DEFAULT 'en';
ALTER TABLE contacts ADD COLUMN language TEXT;

ALTER TABLE messages ADD COLUMN html TEXT;
ALTER TABLE messages ADD COLUMN quoted TEXT;
ALTER TABLE messages ADD COLUMN email TEXT;
ALTER TABLE messages ADD COLUMN delivery TEXT;

-- Mail as received, kept raw and stored before it is acknowledged; processed into tickets afterwards, once.
CREATE TABLE inbound_mail (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    source TEXT NOT NULL,
    mail_from TEXT,
    rcpt_to TEXT NOT NULL,
    raw BLOB NOT NULL,
    size INTEGER NOT NULL,
    received_at INTEGER NOT NULL,
    status TEXT NOT NULL,
    outcome TEXT,
    ticket_id TEXT,
    message_id TEXT,
    processed_at INTEGER,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX inbound_mail_pending ON inbound_mail (received_at, id) WHERE status = 'pending';
CREATE INDEX inbound_mail_account ON inbound_mail (account_id, received_at);

-- Message-ID headers that lead to a ticket: ours and the customers'.
CREATE TABLE mail_ids (
    account_id TEXT NOT NULL,
    header_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    message_id TEXT,
    PRIMARY KEY (account_id, header_id)
);
CREATE INDEX mail_ids_ticket ON mail_ids (account_id, ticket_id);

-- File contents, by SHA-256, once per account.
CREATE TABLE blobs (
    account_id TEXT NOT NULL,
    hash TEXT NOT NULL,
    size INTEGER NOT NULL,
    data BLOB NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, hash)
);

CREATE TABLE attachments (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    message_id TEXT NOT NULL,
    blob_hash TEXT NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size INTEGER NOT NULL,
    content_id TEXT,
    inline INTEGER NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX attachments_message ON attachments (account_id, message_id);

-- People copied on a ticket's mail, who may write to it too.
CREATE TABLE ticket_participants (
    account_id TEXT NOT NULL,
    ticket_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (account_id, ticket_id, contact_id)
);

-- Addresses an account receives mail at, beyond <anything>@<slug>.<mail domain>.
CREATE TABLE mailboxes (
    id TEXT PRIMARY KEY,
    account_id TEXT NOT NULL,
    address TEXT NOT NULL UNIQUE,
    name TEXT,
    imap TEXT,
    imap_state TEXT,
    webhook_secret TEXT NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX mailboxes_account ON mailboxes (account_id);

ALTER TABLE mail_outbox ADD COLUMN meta TEXT NOT NULL DEFAULT '{}';
ALTER TABLE mail_outbox ADD COLUMN leased_until INTEGER;
