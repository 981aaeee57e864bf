-- Customers signing in to a knowledge base's portal: a one-time link mailed to a contact's address ('link'), then
-- a session in a cookie ('session'), each for one knowledge base. Only hashes of the tokens are kept.
CREATE TABLE customer_tokens (
    account_id TEXT NOT NULL,
    token_hash TEXT NOT NULL,
    kind TEXT NOT NULL,
    kb_id TEXT NOT NULL,
    contact_id TEXT NOT NULL,
    expires_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, token_hash)
);
CREATE INDEX customer_tokens_contact ON customer_tokens (account_id, contact_id);
